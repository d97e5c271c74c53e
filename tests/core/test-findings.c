/* test-findings.c: quasi-identifiers and coarsening, literature cards, the findings of a
 * collection, wording rules (snapshots and forbidden phrases on every test file), and
 * `lacuna-cli inspect --infer`. */
#define G_LOG_DOMAIN "test-findings"

#include "config.h"

#include <math.h>
#include <string.h>

#include "lacuna-core.h"
#include "lacuna-bodycomp.h"
#include "lacuna-burned-in.h"
#include "lacuna-deface.h"
#include "lacuna-deid.h"
#include "lacuna-face.h"
#include "lacuna-findings.h"
#include "lacuna-key.h"
#include "lacuna-literature.h"
#include "lacuna-quasi.h"
#include "lacuna-test-util.h"

#define MR_FILE  "phi-header/tcia_pseudo_phi_MR_series/dicom/1-01.dcm"
#define CR_DIR   "phi-burned-in/presidio_CR_chest"
#define L3_DIR   "series-ct/TotalSegmentator_example_ct_abdomen_pelvis_L3"

/* ---------------------------------------------------------------------------------------- */
/* Coarsening values                                                                        */

static void
test_quasi_coarsen_values (void)
{
  static const struct { const char *in, *out; } ages[] = {
    { "066Y", "065Y" }, { "045Y", "045Y" }, { "049Y", "045Y" }, { "089Y", "085Y" },
    { "090Y", "090Y" }, { "102Y", "090Y" }, { "006M", "000Y" }, { "003W", "000Y" },
    { "010D", "000Y" }, { "030M", "000Y" }, { "072M", "005Y" }, { "000Y", "000Y" },
    { "66Y", NULL }, { "066X", NULL }, { "", NULL }, { "0066Y", NULL }, { "06 Y", NULL },
  };
  static const struct { const char *in, *out; } sizes[] = {
    { "1.68", "1.7" }, { "1.74", "1.7" }, { "2.13", "2.0" }, { "0.52", "0.5" },
    { "x", NULL }, { "-1.7", NULL }, { "1\\2", NULL },
  };
  static const struct { const char *in, *out; } weights[] = {
    { "136", "140" }, { "61.5", "60" }, { "65", "70" }, { "182", "150" }, { "3.2", "0" },
    { "abc", NULL }, { "0", NULL },
  };
  double years;

  for (guint i = 0; i < G_N_ELEMENTS (ages); i++)
    {
      g_autofree char *out = lacuna_quasi_coarsen_age (ages[i].in);

      g_assert_cmpstr (out, ==, ages[i].out);
    }
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree char *out = lacuna_quasi_coarsen_size (sizes[i].in);

      g_assert_cmpstr (out, ==, sizes[i].out);
    }
  for (guint i = 0; i < G_N_ELEMENTS (weights); i++)
    {
      g_autofree char *out = lacuna_quasi_coarsen_weight (weights[i].in);

      g_assert_cmpstr (out, ==, weights[i].out);
    }
  g_assert_true (lacuna_quasi_parse_age ("018M", &years));
  g_assert_cmpfloat (years, ==, 1.5);

  g_assert_true (lacuna_quasi_manufacturer_is_common ("SIEMENS"));
  g_assert_true (lacuna_quasi_manufacturer_is_common ("GE MEDICAL SYSTEMS"));
  g_assert_true (lacuna_quasi_manufacturer_is_common ("Philips Medical Systems"));
  g_assert_false (lacuna_quasi_manufacturer_is_common ("Wexcombe Imaging Works"));

  /* What survives: age only with Retain Patient Characteristics; a time with Retain Modified
   * Dates (C keeps TM), not a date. */
  g_assert_false (lacuna_quasi_survives ("00101010", "AS", LACUNA_PROFILE_OPTION_NONE));
  g_assert_true (lacuna_quasi_survives ("00101010", "AS",
                                        LACUNA_PROFILE_OPTION_RETAIN_PATIENT_CHARACTERISTICS));
  g_assert_false (lacuna_quasi_survives ("00080030", "TM", LACUNA_PROFILE_OPTION_NONE));
  g_assert_true (lacuna_quasi_survives ("00080030", "TM",
                                        LACUNA_PROFILE_OPTION_RETAIN_MODIFIED_DATES));
  g_assert_false (lacuna_quasi_survives ("00080020", "DA",
                                         LACUNA_PROFILE_OPTION_RETAIN_MODIFIED_DATES));
}

/* ---------------------------------------------------------------------------------------- */
/* Real header: findings, coarsening through lacuna_deid_apply                              */

static LacunaFinding *
find_quasi (GPtrArray  *findings,
            const char *path)
{
  for (guint i = 0; i < findings->len; i++)
    {
      LacunaFinding *f = g_ptr_array_index (findings, i);

      if (g_strcmp0 (lacuna_finding_get_tag_path (f), path) == 0 &&
          !json_object_has_member (lacuna_finding_get_values (f), "bmi"))
        return f;
    }
  return NULL;
}

static char *
dup_value (LacunaDicomFile *file,
           const char      *path)
{
  return lacuna_dicom_file_dup_string (file, path, NULL);
}

static void
test_quasi_real_header (void)
{
  g_autofree char *path = lacuna_test_dup_testdata (MR_FILE);
  g_autoptr(LacunaDicomFile) file = NULL;
  g_autoptr(GPtrArray) basic = NULL;
  g_autoptr(GPtrArray) kept = NULL;
  g_autoptr(LacunaDeidOptions) options = NULL;
  g_autoptr(LacunaKey) key = NULL;
  g_autoptr(GError) error = NULL;
  LacunaProfileOption retain = LACUNA_PROFILE_OPTION_RETAIN_PATIENT_CHARACTERISTICS |
                               LACUNA_PROFILE_OPTION_RETAIN_MODIFIED_DATES;
  LacunaDeidContext *ctx;
  LacunaFinding *age;
  LacunaFinding *weight;
  LacunaFinding *time;
  JsonObject *values;
  guint added = 0;

  if (path == NULL)
    return;
  file = lacuna_dicom_file_open (path, LACUNA_DICOM_OPEN_DEFAULT, &error);
  g_assert_no_error (error);

  /* Basic Profile: age, weight and times are present but do not survive: no coarsening. */
  basic = lacuna_quasi_collect (file, LACUNA_PROFILE_OPTION_NONE);
  age = find_quasi (basic, "00101010");
  g_assert_nonnull (age);
  values = lacuna_finding_get_values (age);
  g_assert_cmpstr (json_object_get_string_member (values, "value"), ==, "066Y");
  g_assert_false (json_object_get_boolean_member (values, "survives"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (values, "coarsen")),
                    ==, 0);
  g_assert_cmpint (lacuna_finding_get_class (age), ==, LACUNA_EVIDENCE_STATED);
  g_assert_cmpint (lacuna_finding_get_status (age), ==, LACUNA_FINDING_PRESENT);

  /* Patient characteristics and modified dates retained: they survive and get coarsened. */
  kept = lacuna_quasi_collect (file, retain);
  age = find_quasi (kept, "00101010");
  weight = find_quasi (kept, "00101030");
  time = find_quasi (kept, "00080030");
  g_assert_nonnull (age);
  g_assert_nonnull (weight);
  g_assert_nonnull (time);
  g_assert_nonnull (find_quasi (kept, "00100040"));
  g_assert_nonnull (find_quasi (kept, "00080032"));
  g_assert_null (find_quasi (kept, "00101020"));   /* no Patient's Size in this file */
  values = lacuna_finding_get_values (age);
  g_assert_true (json_object_get_boolean_member (values, "survives"));
  g_assert_cmpstr (json_object_get_string_member (values, "coarsened"), ==, "065Y");
  g_assert_false (json_object_get_boolean_member (values, "over_89"));
  g_assert_cmpstr (json_object_get_string_member (lacuna_finding_get_values (weight),
                                                  "coarsened"), ==, "140");

  options = lacuna_deid_options_new ();
  options->options = retain;
  for (guint i = 0; i < kept->len; i++)
    added += lacuna_quasi_add_coarsening (g_ptr_array_index (kept, i), options);
  g_assert_cmpuint (added, ==, options->overrides->len);
  g_assert_cmpuint (added, >=, 6);   /* age, sex, weight, four times at least */
  g_assert_true (lacuna_deid_options_validate (options, &error));
  g_assert_no_error (error);

  key = lacuna_key_new_from_data ("lacuna-test-key-0123456789abcdef", 32, &error);
  g_assert_no_error (error);
  ctx = lacuna_deid_context_new (key, options, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (lacuna_deid_apply (ctx, file, NULL, &error));
  g_assert_no_error (error);
  lacuna_deid_context_unref (ctx);

  {
    g_autofree char *a = dup_value (file, "00101010");
    g_autofree char *w = dup_value (file, "00101030");
    g_autofree char *st = dup_value (file, "00080030");
    g_autofree char *at = dup_value (file, "00080032");
    g_autofree char *sex = dup_value (file, "00100040");

    g_assert_cmpstr (a, ==, "065Y");
    g_assert_cmpstr (w, ==, "140");
    g_assert_cmpstr (st, ==, "");
    g_assert_cmpstr (at, ==, "");
    g_assert_cmpstr (sex, ==, "");
  }
}

static void
test_quasi_bmi_over_89 (void)
{
  g_autoptr(LacunaDicomFile) file = lacuna_dicom_file_new ();
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(LacunaDeidOptions) options = lacuna_deid_options_new ();
  LacunaFinding *age;
  LacunaFinding *bmi = NULL;

  g_assert_true (lacuna_dicom_file_set_string (file, "00101010", NULL, "093Y", NULL));
  g_assert_true (lacuna_dicom_file_set_string (file, "00101020", NULL, "1.60", NULL));
  g_assert_true (lacuna_dicom_file_set_string (file, "00101030", NULL, "64", NULL));
  g_assert_true (lacuna_dicom_file_set_string (file, "00080070", NULL, "Wexcombe Imaging Works", NULL));
  g_assert_true (lacuna_dicom_file_set_string (file, "00081090", NULL, "WX-1", NULL));
  findings = lacuna_quasi_collect (file, LACUNA_PROFILE_OPTION_RETAIN_PATIENT_CHARACTERISTICS);

  age = find_quasi (findings, "00101010");
  g_assert_true (json_object_get_boolean_member (lacuna_finding_get_values (age), "over_89"));
  g_assert_cmpstr (json_object_get_string_member (lacuna_finding_get_values (age), "coarsened"),
                   ==, "090Y");
  for (guint i = 0; i < findings->len; i++)
    if (json_object_has_member (lacuna_finding_get_values (g_ptr_array_index (findings, i)),
                                "bmi"))
      bmi = g_ptr_array_index (findings, i);
  g_assert_nonnull (bmi);
  g_assert_cmpint (lacuna_finding_get_class (bmi), ==, LACUNA_EVIDENCE_MEASURED);
  g_assert_cmpfloat (json_object_get_double_member (lacuna_finding_get_values (bmi), "bmi"),
                     ==, 25.0);
  g_assert_nonnull (find_quasi (findings, "00080070"));
  g_assert_nonnull (find_quasi (findings, "00081090"));
  g_assert_cmpuint (lacuna_quasi_add_coarsening (bmi, options), ==, 2);
}

/* ---------------------------------------------------------------------------------------- */
/* Wording                                                                                  */

static const struct { const char *id; const char *text; } card_snapshots[] = {
  { "cxr-demographics",
    "Chest X-rays reveal age, sex and race to trained models. Published AI models can "
    "infer age, sex and race from chest X-rays like this. Reported figures: age with a "
    "mean absolute error of about 4.3 to 4.8 years and sex with an AUC of 0.999 (90,396 "
    "radiographs, Digital Health 2023); race with an AUC of 0.91 to 0.99 on US hospital "
    "datasets (Gichoya et al. 2022), a signal that survives heavy image degradation. A "
    "radiograph-derived age (CXR-Age, developed on 116,035 people) predicted mortality "
    "with a hazard ratio of 2.26 per 5 years. Removing text or tags does not remove "
    "these signals from the pixels. We did not run such a model on this patient. "
    "Performance on your image is unknown." },
  { "cxr-reidentification",
    "This image can be linked to other X-rays of the same person. Published AI models "
    "can infer whether two chest X-rays like this show the same person. Reported "
    "figures: same-person verification with an AUC of 0.994 on ChestX-ray14 (112,120 "
    "images of 30,805 patients), across more than 10 years (Packhäuser et al. 2022); "
    "re-identification with an F1 score of 0.996 on 1.09 million radiographs of 259,000 "
    "patients (Macpherson et al. 2023). We did not run such a model on this patient. "
    "Performance on your image is unknown." },
  { "cxr-body-composition",
    "Chest X-rays reveal body composition to trained models. Published AI models can "
    "infer body composition from chest X-rays like this. Reported figures: with age, "
    "sex, height and weight, a radiograph predicted the CT-measured subcutaneous fat "
    "volume with r = 0.85, visceral fat with r = 0.76 and vertebral bone volume with r = "
    "0.72 (1,118 patients from 30 US health systems, Alipour et al. 2025). We did not "
    "run such a model on this patient. Performance on your image is unknown." },
  { "brain-age",
    "Head MR images reveal a brain-age signal to trained models. Published AI models can "
    "infer the age of the brain from head MR images like this. Reported figures: "
    "chronological age predicted within a few years, for example a mean absolute error of "
    "2.46 years on UK Biobank (Bintsi et al. 2020), in the line of Cole et al. 2017 (a CNN "
    "on raw T1 images of 2,001 people). We did not run such a model on this patient. "
    "Performance on your image is unknown." },
  { "membership-inference",
    "If these images train an AI model. Published AI models can infer, from images like "
    "this, whether they were part of a model's training data (membership inference): "
    "near-perfect for some individual patients even when the attack is close to chance "
    "on average, and worst for patients from rare or under-represented groups (Knolle et "
    "al. 2026). Training images can also be reconstructed from shared gradients or model "
    "updates (Hatamizadeh et al. 2022; MedLeak). We did not run such a model on this "
    "patient. Performance on your image is unknown." },
};

static void
test_wording_snapshots (void)
{
  guint n_cards;
  const LacunaLiteratureCard *cards = lacuna_literature_get_cards (&n_cards);

  /* Literature: every card, whole text. */
  g_assert_cmpuint (n_cards, ==, G_N_ELEMENTS (card_snapshots));
  for (guint i = 0; i < n_cards; i++)
    {
      g_autoptr(LacunaFinding) f = lacuna_literature_to_finding (&cards[i], "1.2.3", "CR");
      JsonArray *citations;

      g_assert_cmpstr (cards[i].id, ==, card_snapshots[i].id);
      g_assert_cmpstr (lacuna_finding_get_text (f), ==, card_snapshots[i].text);
      g_assert_cmpint (lacuna_finding_get_class (f), ==, LACUNA_EVIDENCE_LITERATURE);
      g_assert_cmpint (lacuna_finding_get_status (f), ==, LACUNA_FINDING_CANNOT_BE_REMOVED);
      citations = json_object_get_array_member (lacuna_finding_get_values (f), "citations");
      g_assert_cmpuint (json_array_get_length (citations), >=, 1);
      for (guint c = 0; c < json_array_get_length (citations); c++)
        g_assert_true (g_str_has_prefix (json_object_get_string_member (
                         json_array_get_object_element (citations, c), "url"), "https://"));
    }

  /* Measured: body composition (hand-made numbers). */
  {
    LacunaBodyComp bc = { 0, };
    g_autoptr(LacunaInstance) instance = NULL;
    g_autoptr(LacunaDicomFile) file = lacuna_dicom_file_new ();
    g_autoptr(LacunaFinding) f = NULL;

    g_assert_true (lacuna_dicom_file_set_string (file, "00080018", NULL, "1.2.3.4", NULL));
    g_assert_true (lacuna_dicom_file_set_string (file, "00200013", NULL, "77", NULL));
    instance = lacuna_instance_new_from_file (file, "/nowhere/IM77", NULL);
    bc.row_spacing = bc.column_spacing = 0.78;
    bc.adipose_cm2 = 366.03;
    bc.subcutaneous_cm2 = 161.41;
    bc.inner_cm2 = 204.62;
    bc.muscle_cm2 = 327.6;
    f = lacuna_bodycomp_to_finding (&bc, instance, 0.0, TRUE);
    g_assert_cmpstr (lacuna_finding_get_text (f), ==,
                     "We measured on the slice with Instance Number 77: 366.0 cm² of adipose "
                     "tissue (161.4 cm² subcutaneous, 204.6 cm² inner) and 327.6 cm² of "
                     "muscle-density tissue. Muscle-density tissue includes organs unless you "
                     "outline the muscle wall. Body composition is health information; it "
                     "cannot be removed by redaction.");
    g_assert_false (json_object_has_member (lacuna_finding_get_values (f), "muscle_index_cm2_m2"));
  }

  /* Stated: a quasi-identifier, both ways. */
  {
    g_autoptr(LacunaDicomFile) file = lacuna_dicom_file_new ();
    g_autoptr(GPtrArray) basic = NULL;
    g_autoptr(GPtrArray) kept = NULL;

    g_assert_true (lacuna_dicom_file_set_string (file, "00101010", NULL, "045Y", NULL));
    basic = lacuna_quasi_collect (file, LACUNA_PROFILE_OPTION_NONE);
    kept = lacuna_quasi_collect (file, LACUNA_PROFILE_OPTION_RETAIN_PATIENT_CHARACTERISTICS);
    g_assert_cmpstr (lacuna_finding_get_text (g_ptr_array_index (basic, 0)), ==,
                     "The patient's exact age is stated in the header at (0010,1010). The "
                     "export with the options chosen removes or replaces it.");
    g_assert_cmpstr (lacuna_finding_get_text (g_ptr_array_index (kept, 0)), ==,
                     "The patient's exact age is stated in the header at (0010,1010). It "
                     "survives the export with the options chosen.");
    g_assert_cmpstr (lacuna_finding_get_action (g_ptr_array_index (kept, 0)), ==,
                     "Coarsen: replace the age by the lower bound of its 5-year band (90 or "
                     "over: 090Y).");
  }

  /* Stated: header identity. */
  {
    g_autoptr(LacunaDicomFile) file = lacuna_dicom_file_new ();
    g_autoptr(LacunaFindings) findings = lacuna_findings_new ();

    g_assert_true (lacuna_dicom_file_set_string (file, "00100010", NULL, "DOE^JANE", NULL));
    lacuna_findings_collect_file (findings, file, NULL);
    g_assert_cmpuint (lacuna_findings_get_n_findings (findings), ==, 1);
    g_assert_cmpstr (lacuna_finding_get_text (lacuna_findings_get_finding (findings, 0)), ==,
                     "Patient's Name (0010,0010) is stated in the header. The de-identified "
                     "export empties it.");
    g_assert_null (strstr (lacuna_finding_get_text (lacuna_findings_get_finding (findings, 0)),
                           "DOE"));
  }
}

/* Wording rules on one finding: its class's wording, nothing forbidden anywhere. */
static void
check_wording (LacunaFinding *f)
{
  static const char * const forbidden[] = {
    "appears", "likely male", "likely female", "estimated age", "years old", "privacy score",
    "probably", NULL
  };
  g_autoptr(JsonNode) node = lacuna_finding_to_json (f);
  g_autofree char *json = json_to_string (node, FALSE);
  g_autofree char *text = g_utf8_strdown (lacuna_finding_get_text (f), -1);
  g_autofree char *lower = g_utf8_strdown (json, -1);
  g_autofree char *verb = g_utf8_strdown (lacuna_evidence_class_verb (lacuna_finding_get_class (f)),
                                          -1);

  if (strstr (text, verb) == NULL)
    g_error ("finding without its class wording “%s”: %s", verb, lacuna_finding_get_text (f));
  for (guint i = 0; forbidden[i] != NULL; i++)
    if (strstr (lower, forbidden[i]) != NULL)
      g_error ("forbidden “%s” in: %s", forbidden[i], lacuna_finding_get_text (f));
  if (lacuna_finding_get_class (f) == LACUNA_EVIDENCE_LITERATURE)
    {
      g_assert_nonnull (strstr (lacuna_finding_get_text (f), lacuna_literature_not_run_sentence ()));
      g_assert_nonnull (strstr (lacuna_finding_get_text (f), lacuna_literature_unknown_sentence ()));
    }
}

static void
test_wording_every_file (void)
{
  const char *root = lacuna_test_get_testdata ();
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(LacunaFindings) findings = NULL;
  guint n_files = 0;

  if (root == NULL)
    return;
  files = lacuna_test_list_files (root);
  findings = lacuna_findings_new ();
  for (guint i = 0; i < files->len; i++)
    {
      g_autoptr(LacunaDicomFile) file = NULL;

      file = lacuna_dicom_file_open (g_ptr_array_index (files, i), LACUNA_DICOM_OPEN_HEADER_ONLY,
                                     NULL);
      if (file == NULL)
        continue;
      n_files++;
      lacuna_findings_collect_file (findings, file, NULL);
    }
  g_test_message ("%u files, %u findings", n_files, lacuna_findings_get_n_findings (findings));
  g_assert_cmpuint (n_files, >, 50);
  /* With every option, so that the "survives" texts are seen too. */
  lacuna_findings_set_profile_options (findings, LACUNA_PROFILE_OPTIONS_ALL);
  for (guint i = 0; i < files->len && i < 40; i++)
    {
      g_autoptr(LacunaDicomFile) file = lacuna_dicom_file_open (g_ptr_array_index (files, i),
                                                                LACUNA_DICOM_OPEN_HEADER_ONLY,
                                                                NULL);

      if (file != NULL)
        lacuna_findings_collect_file (findings, file, NULL);
    }
  g_assert_cmpuint (lacuna_findings_count_kind (findings, "literature"), >, 0);
  for (guint i = 0; i < lacuna_findings_get_n_findings (findings); i++)
    check_wording (lacuna_findings_get_finding (findings, i));
}

/* ---------------------------------------------------------------------------------------- */
/* A collection                                                                             */

static LacunaCollection *
load (const char *path)
{
  const char *paths[] = { path, NULL };
  g_autoptr(LacunaLoader) loader = lacuna_loader_new (paths);
  g_autoptr(GError) error = NULL;
  LacunaCollection *collection = lacuna_loader_load (loader, NULL, &error);

  g_assert_no_error (error);
  return collection;
}

static LacunaFinding *
find_kind_path (LacunaFindings *findings,
                const char     *kind,
                const char     *path)
{
  for (guint i = 0; i < lacuna_findings_get_n_findings (findings); i++)
    {
      LacunaFinding *f = lacuna_findings_get_finding (findings, i);

      if (g_strcmp0 (lacuna_finding_get_kind (f), kind) == 0 &&
          (path == NULL || g_strcmp0 (lacuna_finding_get_tag_path (f), path) == 0))
        return f;
    }
  return NULL;
}


/* The series of collection holding sop, or NULL. */
static LacunaSeries *
series_of (LacunaCollection *collection,
           const char       *sop)
{
  g_autoptr(GListModel) all = lacuna_collection_list_series (collection);

  for (guint s = 0; s < g_list_model_get_n_items (all); s++)
    {
      g_autoptr(LacunaSeries) series = g_list_model_get_item (all, s);

      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (series)); i++)
        if (g_strcmp0 (lacuna_instance_get_sop_instance_uid (
                         lacuna_series_get_instance (series, i)), sop) == 0)
          return g_steal_pointer (&series);
    }
  return NULL;
}

static JsonObject *
find_report (LacunaFindings *findings,
             const char     *check,
             const char     *modality)
{
  for (guint i = 0; i < lacuna_findings_get_n_checks (findings); i++)
    {
      JsonObject *report = lacuna_findings_get_check (findings, i);

      if (g_strcmp0 (json_object_get_string_member (report, "check"), check) == 0 &&
          (modality == NULL ||
           g_strcmp0 (json_object_get_string_member_with_default (report, "modality", ""),
                      modality) == 0))
        return report;
    }
  return NULL;
}

/* collect() on the sample also reads the burned-in text and finds the phantom's face, each
 * with where it is, and reports every check. */
static void
check_sample_images (LacunaFindings   *findings,
                     LacunaCollection *collection)
{
  guint n_us_identity = 0, n_face = 0;
  JsonObject *report;
  g_autoptr(JsonNode) json = NULL;
  JsonObject *root;

  for (guint i = 0; i < lacuna_findings_get_n_findings (findings); i++)
    {
      LacunaFinding *f = lacuna_findings_get_finding (findings, i);
      const char *kind = lacuna_finding_get_kind (f);
      JsonObject *values = lacuna_finding_get_values (f);
      g_autoptr(LacunaSeries) series = NULL;
      int box[4];

      if (g_strcmp0 (kind, "burned-in-text") == 0)
        {
          /* where: the instance, frame 1 and the line's box inside the image. */
          series = series_of (collection, lacuna_finding_get_sop_instance_uid (f));
          g_assert_nonnull (series);
          g_assert_cmpuint (lacuna_finding_get_frame (f), ==, 1);
          g_assert_true (lacuna_finding_get_box (f, box));
          g_assert_cmpint (box[2], >, 0);
          g_assert_cmpint (box[3], >, 0);
          if (json_object_get_boolean_member (values, "redact"))
            {
              JsonArray *proposed = json_object_get_array_member (values, "proposed_box");

              /* The proposed box holds the line. */
              g_assert_nonnull (proposed);
              g_assert_cmpint (json_array_get_int_element (proposed, 0), <=, box[0]);
              g_assert_cmpint (json_array_get_int_element (proposed, 1), <=, box[1]);
              g_assert_cmpint (json_array_get_int_element (proposed, 0) +
                               json_array_get_int_element (proposed, 2), >=, box[0] + box[2]);
              g_assert_cmpint (json_array_get_int_element (proposed, 1) +
                               json_array_get_int_element (proposed, 3), >=, box[1] + box[3]);
              g_assert_cmpstr (json_object_get_string_member (values, "proposed_frames"), ==,
                               "all");
            }
          else
            g_assert_false (json_object_has_member (values, "proposed_box"));
          if (g_strcmp0 (lacuna_series_get_modality (series), "US") == 0 &&
              g_strcmp0 (json_object_get_string_member (values, "severity"), "identity") == 0)
            {
              n_us_identity++;
              /* The burned-in name and ID lines sit in the ultrasound's top band. */
              g_assert_cmpint (box[1] + box[3], <=, LACUNA_SAMPLE_US_TEXT_BAND);
            }
        }
      else if (g_strcmp0 (kind, "face") == 0)
        {
          guint view = G_MAXUINT;

          n_face++;
          g_assert_cmpint (lacuna_finding_get_class (f), ==, LACUNA_EVIDENCE_DETECTED);
          series = series_of (collection, lacuna_finding_get_sop_instance_uid (f));
          g_assert_nonnull (series);
          g_assert_cmpstr (lacuna_series_get_modality (series), ==, "CT");
          /* A box on a rendering, not on the instance. */
          g_assert_false (lacuna_finding_get_box (f, NULL));
          g_assert_true (lacuna_finding_get_render_box (f, &view, box));
          g_assert_cmpuint (view, <, LACUNA_FACE_N_VIEWS);
          g_assert_cmpint (box[2], >, 0);
          g_assert_true (LACUNA_IS_FACE_RESULT (lacuna_finding_get_source_object (f)));
          g_assert_true (json_object_get_boolean_member (values, "found"));
        }
    }
  /* The name, the ID and birth date, the hospital, the date. */
  g_assert_cmpuint (n_us_identity, >=, 3);
  g_assert_cmpuint (n_face, ==, 1);

  /* Every check says what it did. */
  report = find_report (findings, "burned-in-text", "US");
  g_assert_nonnull (report);
  g_assert_true (json_object_get_boolean_member (report, "ran"));
  g_assert_cmpint (json_object_get_int_member (report, "identity"), >=, 3);
  report = find_report (findings, "face", "CT");
  g_assert_nonnull (report);
  g_assert_true (json_object_get_boolean_member (report, "ran"));
  g_assert_cmpint (json_object_get_int_member (report, "found"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (report, "views"), ==, LACUNA_FACE_N_VIEWS);
  report = find_report (findings, "face", "US");
  g_assert_nonnull (report);
  g_assert_cmpint (json_object_get_int_member (report, "found"), ==, 0);
  g_assert_nonnull (strstr (json_object_get_string_member (report, "summary"),
                            "not found by our detectors"));
  report = find_report (findings, "body-composition", NULL);
  g_assert_nonnull (report);
  g_assert_false (json_object_get_boolean_member (report, "ran"));
  g_assert_nonnull (lacuna_findings_dup_check_summary (findings, LACUNA_FINDINGS_CHECK_FACE));

  /* The JSON: "where" of an image finding, and the checks. */
  json = lacuna_findings_to_json (findings);
  root = json_node_get_object (json);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "checks")), ==,
                    lacuna_findings_get_n_checks (findings));
  for (guint i = 0; i < lacuna_findings_get_n_findings (findings); i++)
    {
      JsonObject *f = json_array_get_object_element (json_object_get_array_member (root,
                                                                                   "findings"), i);
      JsonObject *where = json_object_get_object_member (f, "where");
      const char *kind = json_object_get_string_member (f, "kind");

      if (g_strcmp0 (kind, "burned-in-text") == 0)
        {
          g_assert_nonnull (json_object_get_string_member (where, "sop"));
          g_assert_cmpint (json_object_get_int_member (where, "frame"), ==, 1);
          g_assert_cmpuint (json_array_get_length (json_object_get_array_member (where, "box")),
                            ==, 4);
        }
      else if (g_strcmp0 (kind, "face") == 0)
        {
          JsonObject *render = json_object_get_object_member (where, "render");

          g_assert_false (json_object_has_member (where, "box"));
          g_assert_nonnull (render);
          g_assert_cmpuint (json_array_get_length (json_object_get_array_member (render, "box")),
                            ==, 4);
        }
    }
}

/* A featureless head: the sample's CT, defaced and written as a new series. The face check
 * runs on it (and says so) and adds no face finding; the OCR and body composition checks can
 * be switched off. */
static void
test_findings_featureless (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = lacuna_sample_dup_path (&error);
  g_autofree char *out = NULL;
  g_autoptr(LacunaCollection) collection = NULL;
  g_autoptr(LacunaCollection) defaced = NULL;
  g_autoptr(LacunaSeries) ct = NULL;
  g_autoptr(LacunaDefaceResult) deface = NULL;
  g_autoptr(LacunaFindings) findings = lacuna_findings_new ();
  g_autoptr(GListModel) all = NULL;
  JsonObject *report;

  g_assert_no_error (error);
  collection = load (dir);
  all = lacuna_collection_list_series (collection);
  for (guint s = 0; s < g_list_model_get_n_items (all) && ct == NULL; s++)
    {
      g_autoptr(LacunaSeries) series = g_list_model_get_item (all, s);

      if (g_strcmp0 (lacuna_series_get_modality (series), "CT") == 0)
        ct = g_steal_pointer (&series);
    }
  g_assert_nonnull (ct);
  deface = lacuna_deface_series (ct, 25.0, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (lacuna_deface_result_get_applied (deface));
  out = lacuna_test_make_tmpdir ();
  g_assert_true (lacuna_deface_result_write_series (deface, out, NULL, &error));
  g_assert_no_error (error);

  defaced = load (out);
  lacuna_findings_set_checks (findings, LACUNA_FINDINGS_CHECK_FACE);
  g_assert_true (lacuna_findings_collect (findings, defaced, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (lacuna_findings_count_kind (findings, "face"), ==, 0);
  g_assert_cmpuint (lacuna_findings_count_kind (findings, "burned-in-text"), ==, 0);
  g_assert_cmpuint (lacuna_findings_count_kind (findings, "header-identity"), >, 0);
  g_assert_cmpuint (lacuna_findings_get_n_checks (findings), ==, 1);
  report = find_report (findings, "face", "CT");
  g_assert_nonnull (report);
  g_assert_true (json_object_get_boolean_member (report, "ran"));
  g_assert_cmpint (json_object_get_int_member (report, "found"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (report, "views"), ==, LACUNA_FACE_N_VIEWS);
  g_assert_nonnull (strstr (json_object_get_string_member (report, "summary"),
                            "not found by our detectors"));

  /* The same check alone, cancelled. */
  {
    g_autoptr(LacunaFindings) cancelled = lacuna_findings_new ();
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();

    g_cancellable_cancel (cancellable);
    g_assert_false (lacuna_findings_run_check (cancelled, defaced, LACUNA_FINDINGS_CHECK_FACE,
                                               cancellable, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
  }
}

static void
test_findings_sample (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = lacuna_sample_dup_path (&error);
  g_autoptr(LacunaCollection) collection = NULL;
  g_autoptr(LacunaFindings) findings = lacuna_findings_new ();
  g_autoptr(LacunaDeidOptions) options = lacuna_deid_options_new ();
  LacunaFinding *name;
  JsonObject *values;

  g_assert_no_error (error);
  collection = load (dir);
  g_assert_true (lacuna_findings_collect (findings, collection, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (findings)), ==,
                    lacuna_findings_get_n_findings (findings));

  name = find_kind_path (findings, "header-identity", "00100010");
  g_assert_nonnull (name);
  values = lacuna_finding_get_values (name);
  g_assert_cmpstr (json_object_get_string_member (values, "keyword"), ==, "PatientName");
  g_assert_cmpstr (json_object_get_string_member (values, "basic_action"), ==, "Z");
  g_assert_cmpint (json_object_get_int_member (values, "instances"), ==, LACUNA_SAMPLE_CT_SLICES);
  g_assert_nonnull (lacuna_finding_get_sop_instance_uid (name));
  /* The private block of the sample, and the identifying ID inside a sequence. */
  g_assert_nonnull (find_kind_path (findings, "header-identity", "00101002/0/00100020"));
  g_assert_nonnull (find_kind_path (findings, "quasi-identifier", "00101010"));
  g_assert_nonnull (find_kind_path (findings, "literature", NULL));
  /* The CT phantom is HEADNECK: no body composition. */
  g_assert_cmpuint (lacuna_findings_count_kind (findings, "body-composition"), ==, 0);
  /* Under the Basic Profile only the sample's uncommon device strings survive (the profile
   * has no row for them): their coarsening is all there is to add. */
  g_assert_cmpuint (lacuna_findings_add_coarsening (findings, options), >, 0);
  for (guint i = 0; i < options->overrides->len; i++)
    {
      LacunaDeidOverride *o = g_ptr_array_index (options->overrides, i);

      g_assert_true (g_strcmp0 (o->path, "00080070") == 0 || g_strcmp0 (o->path, "00081090") == 0);
    }
  for (guint i = 0; i < lacuna_findings_get_n_findings (findings); i++)
    check_wording (lacuna_findings_get_finding (findings, i));

  check_sample_images (findings, collection);

  /* With the options that keep patient characteristics, the coarsening is offered. */
  {
    g_autoptr(LacunaFindings) kept = lacuna_findings_new ();

    lacuna_findings_set_profile_options (kept, LACUNA_PROFILE_OPTION_RETAIN_PATIENT_CHARACTERISTICS);
    lacuna_findings_set_checks (kept, LACUNA_FINDINGS_CHECK_NONE);
    g_assert_true (lacuna_findings_collect (kept, collection, NULL, &error));
    g_ptr_array_set_size (options->overrides, 0);
    g_assert_cmpuint (lacuna_findings_add_coarsening (kept, options), >=, 4);
    g_assert_true (lacuna_deid_options_validate (options, &error));
    g_assert_no_error (error);
  }
}

static gboolean
extra_producer (LacunaFindings    *findings,
                LacunaCollection  *collection,
                GCancellable      *cancellable,
                gpointer           user_data,
                GError           **error)
{
  g_autoptr(LacunaFinding) f = lacuna_finding_new ("face", LACUNA_EVIDENCE_DETECTED,
                                                   LACUNA_FINDING_PRESENT,
                                                   "A standard detector found a face.");

  (*(guint *) user_data)++;
  lacuna_findings_add (findings, f);
  return TRUE;
}

static void
test_findings_producer_slice (void)
{
  g_autofree char *dir = lacuna_test_dup_testdata (L3_DIR);
  g_autoptr(LacunaCollection) collection = NULL;
  g_autoptr(LacunaFindings) findings = lacuna_findings_new ();
  g_autoptr(GError) error = NULL;
  LacunaFinding *bc;
  guint calls = 0;

  if (dir == NULL)
    return;
  collection = load (dir);
  lacuna_findings_set_checks (findings, LACUNA_FINDINGS_CHECK_BODY_COMPOSITION);
  lacuna_findings_add_producer (findings, extra_producer, &calls, NULL);
  lacuna_findings_set_slice (findings, 77);
  g_assert_true (lacuna_findings_collect (findings, collection, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (calls, ==, 1);
  g_assert_cmpuint (lacuna_findings_count_kind (findings, "face"), ==, 1);
  bc = find_kind_path (findings, "body-composition", NULL);
  g_assert_nonnull (bc);
  g_assert_cmpint (json_object_get_int_member (lacuna_finding_get_values (bc), "instance"), ==, 77);
  g_assert_false (json_object_get_boolean_member (lacuna_finding_get_values (bc), "suggested"));

  /* A slice that does not exist. */
  {
    g_autoptr(LacunaFindings) none = lacuna_findings_new ();

    lacuna_findings_set_slice (none, 9999);
    g_assert_false (lacuna_findings_collect (none, collection, NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
    g_clear_error (&error);
    g_assert_cmpuint (lacuna_findings_count_kind (none, "header-identity"), >, 0);
  }

  /* Cancelled. */
  {
    g_autoptr(LacunaFindings) cancelled = lacuna_findings_new ();
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();

    g_cancellable_cancel (cancellable);
    g_assert_false (lacuna_findings_collect (cancelled, collection, cancellable, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  }
}

static void
test_findings_new_destroy (void)
{
  LacunaFindings *findings = lacuna_findings_new ();
  LacunaFinding *f = lacuna_finding_new ("literature", LACUNA_EVIDENCE_LITERATURE,
                                         LACUNA_FINDING_CANNOT_BE_REMOVED, "x");
  g_autoptr(JsonNode) node = NULL;
  JsonObject *root;

  lacuna_findings_add (findings, f);
  g_object_unref (f);
  g_assert_cmpuint (lacuna_findings_count_kind (findings, NULL), ==, 1);
  node = lacuna_findings_to_json (findings);
  root = json_node_get_object (node);
  g_assert_cmpint (json_object_get_int_member (root, "version"), ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "findings")), ==, 1);
  g_assert_finalize_object (findings);
}

/* ---------------------------------------------------------------------------------------- */
/* lacuna-cli inspect --infer                                                               */

static JsonObject *run_infer_full (const char *path,
                                   const char *slice,
                                   const char *no_check,
                                   int         expected_status);

static JsonObject *
run_infer (const char *path,
           const char *slice,
           int         expected_status)
{
  return run_infer_full (path, slice, "--infer", expected_status);
}

static JsonObject *
run_infer_full (const char *path,
                const char *slice,
                const char *no_check,
                int         expected_status)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  const char *argv[] = { LACUNA_CLI_PATH, "inspect", "--infer", no_check, "--json",
                         slice != NULL ? "--slice" : path, slice, path, NULL };
  JsonObject *root;
  JsonArray *findings;

  if (slice == NULL)
    argv[6] = NULL;
  g_assert_cmpint (lacuna_test_run (argv, &out, &err), ==, expected_status);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_true (json_object_has_member (root, "patients"));
  findings = json_object_get_array_member (root, "findings");
  g_assert_nonnull (findings);
  for (guint i = 0; i < json_array_get_length (findings); i++)
    {
      JsonObject *f = json_array_get_object_element (findings, i);
      const char *klass = json_object_get_string_member (f, "class");
      const char *status = json_object_get_string_member (f, "status");
      JsonObject *where = json_object_get_object_member (f, "where");

      g_assert_nonnull (json_object_get_string_member (f, "kind"));
      g_assert_true (g_strv_contains ((const char * const[]) { "stated", "measured", "detected",
                                                               "literature", NULL }, klass));
      g_assert_true (g_strv_contains ((const char * const[]) { "present", "reduced", "removed",
                                                               "cannot-be-removed", NULL },
                                      status));
      g_assert_nonnull (json_object_get_string_member (f, "text"));
      g_assert_true (json_object_has_member (f, "action"));
      g_assert_nonnull (where);
      if (json_object_has_member (where, "tag"))
        g_assert_nonnull (json_object_get_array_member (where, "path"));
      g_assert_nonnull (json_object_get_object_member (f, "values"));
    }
  return json_object_ref (root);
}

static gboolean
has_card (JsonArray  *findings,
          const char *card)
{
  for (guint i = 0; i < json_array_get_length (findings); i++)
    {
      JsonObject *f = json_array_get_object_element (findings, i);
      JsonObject *values = json_object_get_object_member (f, "values");

      if (g_strcmp0 (json_object_get_string_member (f, "kind"), "literature") == 0 &&
          g_strcmp0 (json_object_get_string_member_with_default (values, "card", ""), card) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
has_kind (JsonArray  *findings,
          const char *kind)
{
  for (guint i = 0; i < json_array_get_length (findings); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (findings, i),
                                                  "kind"), kind) == 0)
      return TRUE;
  return FALSE;
}

static void
test_cli_infer (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sample = lacuna_sample_dup_path (&error);
  g_autofree char *cr = NULL;
  g_autofree char *l3 = NULL;
  g_autoptr(JsonObject) root = NULL;
  JsonArray *findings;

  if (!g_file_test (LACUNA_CLI_PATH, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("lacuna-cli is not built");
      return;
    }
  g_assert_no_error (error);
  root = run_infer (sample, NULL, 0);
  findings = json_object_get_array_member (root, "findings");
  g_assert_cmpuint (json_array_get_length (findings), >, 10);
  g_assert_true (has_card (findings, "membership-inference"));
  g_assert_false (has_card (findings, "cxr-demographics"));
  /* The image findings and the checks (a superset of the first contract). */
  g_assert_true (has_kind (findings, "burned-in-text"));
  g_assert_true (has_kind (findings, "face"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "checks")), >=,
                    LACUNA_FINDINGS_N_CHECKS);
  g_clear_pointer (&root, json_object_unref);

  /* --slice without --infer is a usage error. */
  {
    const char *argv[] = { LACUNA_CLI_PATH, "inspect", "--slice", "3", sample, NULL };

    g_assert_cmpint (lacuna_test_run (argv, NULL, NULL), ==, 2);
  }

  cr = lacuna_test_dup_testdata (CR_DIR);
  if (cr == NULL)
    return;
  root = run_infer (cr, NULL, 0);
  findings = json_object_get_array_member (root, "findings");
  g_assert_true (has_card (findings, "cxr-demographics"));
  g_assert_true (has_card (findings, "cxr-reidentification"));
  g_clear_pointer (&root, json_object_unref);

  l3 = lacuna_test_dup_testdata (L3_DIR);
  root = run_infer (l3, "77", 0);
  findings = json_object_get_array_member (root, "findings");
  {
    gboolean found = FALSE;

    for (guint i = 0; i < json_array_get_length (findings); i++)
      {
        JsonObject *f = json_array_get_object_element (findings, i);
        JsonObject *values = json_object_get_object_member (f, "values");

        if (g_strcmp0 (json_object_get_string_member (f, "kind"), "body-composition") != 0)
          continue;
        found = TRUE;
        g_assert_cmpstr (json_object_get_string_member (f, "class"), ==, "measured");
        g_assert_cmpstr (json_object_get_string_member (f, "status"), ==, "cannot-be-removed");
        g_assert_cmpint (json_object_get_int_member (values, "instance"), ==, 77);
        g_assert_cmpfloat (fabs (json_object_get_double_member (values, "adipose_cm2") - 366.03),
                           <, 0.5);
        g_assert_cmpfloat (json_object_get_double_member (values, "muscle_cm2"), >, 100.0);
        g_assert_nonnull (json_object_get_string_member (json_object_get_object_member (f,
                                                                                        "where"),
                                                         "sop"));
      }
    g_assert_true (found);
  }
  /* A real abdominal CT: the face check ran on it and found nothing. */
  g_assert_false (has_kind (findings, "face"));
  {
    JsonArray *checks = json_object_get_array_member (root, "checks");
    gboolean ran = FALSE;

    for (guint i = 0; i < json_array_get_length (checks); i++)
      {
        JsonObject *check = json_array_get_object_element (checks, i);

        if (g_strcmp0 (json_object_get_string_member (check, "check"), "face") == 0 &&
            json_object_get_boolean_member (check, "ran"))
          {
            ran = TRUE;
            g_assert_cmpint (json_object_get_int_member (check, "found"), ==, 0);
          }
      }
    g_assert_true (ran);
  }
  g_clear_pointer (&root, json_object_unref);

  /* A slice that does not exist: findings still written, exit status 1. */
  root = run_infer_full (l3, "9999", "--no-faces", 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  lacuna_dicom_init ();

  g_test_add_func ("/core/findings/quasi-coarsen-values", test_quasi_coarsen_values);
  g_test_add_func ("/core/findings/quasi-real-header", test_quasi_real_header);
  g_test_add_func ("/core/findings/quasi-bmi-over-89", test_quasi_bmi_over_89);
  g_test_add_func ("/core/findings/wording-snapshots", test_wording_snapshots);
  g_test_add_func ("/core/findings/wording-every-file", test_wording_every_file);
  g_test_add_func ("/core/findings/new-destroy", test_findings_new_destroy);
  g_test_add_func ("/core/findings/sample", test_findings_sample);
  g_test_add_func ("/core/findings/featureless", test_findings_featureless);
  g_test_add_func ("/core/findings/producer-slice", test_findings_producer_slice);
  g_test_add_func ("/core/findings/cli-infer", test_cli_infer);

  return g_test_run ();
}
