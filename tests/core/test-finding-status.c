/* test-finding-status.c: a finding's status in the copy, predicted from the export options
 * (lacuna-finding-status.h): box coverage per frame and scope, overrides and profile
 * options on header findings and quasi-identifiers, defacing. */
#define G_LOG_DOMAIN "test-finding-status"

#include "config.h"

#include "lacuna-finding-status.h"

static void
test_status_covered_fraction (void)
{
  const int box[4] = { 10, 20, 10, 4 };   /* 40 pixels */
  const LacunaRedactBox boxes[] = {
    { -1, 10, 20, 5, 4 },     /* left half, every frame: 20 pixels */
    { 2, 15, 20, 5, 4 },      /* right half, frame 2 only */
    { -1, 12, 20, 2, 4 },     /* inside the first one: counted once */
    { -1, 100, 100, 5, 5 },   /* elsewhere */
  };
  const int empty[4] = { 0, 0, 0, 4 };

  g_assert_cmpfloat (lacuna_finding_status_covered_fraction (box, 0, boxes, 0), ==, 0.0);
  g_assert_cmpfloat (lacuna_finding_status_covered_fraction (box, 0, boxes, 4), ==, 0.5);
  g_assert_cmpfloat (lacuna_finding_status_covered_fraction (box, 2, boxes, 4), ==, 1.0);
  g_assert_cmpfloat (lacuna_finding_status_covered_fraction (box, 1, &boxes[1], 1), ==, 0.0);
  g_assert_cmpfloat (lacuna_finding_status_covered_fraction (empty, 0, boxes, 4), ==, 0.0);
}

/* The series and size of the instances "1.1" and "1.2" (series "S", 64 × 32) and "2.1"
 * (series "S", 128 × 128). */
static gboolean
lookup (const char   *sop,
        const char  **out_series,
        guint        *out_rows,
        guint        *out_columns,
        gpointer      user_data)
{
  if (g_strcmp0 (sop, "1.1") == 0 || g_strcmp0 (sop, "1.2") == 0)
    {
      *out_series = "S";
      *out_rows = 32;
      *out_columns = 64;
      return TRUE;
    }
  if (g_strcmp0 (sop, "2.1") == 0)
    {
      *out_series = "S";
      *out_rows = 128;
      *out_columns = 128;
      return TRUE;
    }
  return FALSE;
}

static LacunaFinding *
text_finding (const char *sop,
              guint       frame)
{
  const int box[4] = { 4, 4, 20, 8 };
  LacunaFinding *f = lacuna_finding_new ("burned-in-text", LACUNA_EVIDENCE_STATED,
                                         LACUNA_FINDING_PRESENT, "text");

  lacuna_finding_set_region (f, sop, frame, box);
  return f;
}

static void
test_status_boxes (void)
{
  g_autoptr(LacunaFinding) on_1 = text_finding ("1.2", 1);
  g_autoptr(LacunaFinding) on_3 = text_finding ("1.2", 3);
  g_autoptr(LacunaFinding) other_size = text_finding ("2.1", 1);
  g_autoptr(LacunaDeidOptions) options = lacuna_deid_options_new ();
  const guint frame_1[] = { 1 };

  g_assert_cmpint (lacuna_finding_status_predict (on_1, options, lookup, NULL), ==,
                   LACUNA_FINDING_PRESENT);

  /* Frame 1 of instance 1.2 only, all of the line. */
  lacuna_deid_options_add_box (options, "1.2", LACUNA_DEID_BOX_FRAMES, frame_1, 1, 0, 0, 30, 20);
  g_assert_cmpint (lacuna_finding_status_predict (on_1, options, lookup, NULL), ==,
                   LACUNA_FINDING_REMOVED);
  g_assert_cmpint (lacuna_finding_status_predict (on_3, options, lookup, NULL), ==,
                   LACUNA_FINDING_PRESENT);
  g_ptr_array_set_size (options->boxes, 0);

  /* Half of it on every frame of 1.2. */
  lacuna_deid_options_add_box (options, "1.2", LACUNA_DEID_BOX_ALL_FRAMES, NULL, 0, 0, 0, 14, 20);
  g_assert_cmpint (lacuna_finding_status_predict (on_3, options, lookup, NULL), ==,
                   LACUNA_FINDING_REDUCED);
  g_ptr_array_set_size (options->boxes, 0);

  /* A box on 1.1 for the same size in the series covers 1.2, not the larger 2.1; without
   * the lookup, it covers its own instance only. */
  lacuna_deid_options_add_box (options, "1.1", LACUNA_DEID_BOX_SAME_SIZE_IN_SERIES, NULL, 0, 0,
                               0, 64, 32);
  g_assert_cmpint (lacuna_finding_status_predict (on_3, options, lookup, NULL), ==,
                   LACUNA_FINDING_REMOVED);
  g_assert_cmpint (lacuna_finding_status_predict (other_size, options, lookup, NULL), ==,
                   LACUNA_FINDING_PRESENT);
  g_assert_cmpint (lacuna_finding_status_predict (on_3, options, NULL, NULL), ==,
                   LACUNA_FINDING_PRESENT);
  g_ptr_array_set_size (options->boxes, 0);

  /* A box without an instance applies to every image. */
  lacuna_deid_options_add_box (options, NULL, LACUNA_DEID_BOX_ALL_FRAMES, NULL, 0, 0, 0, 64, 64);
  g_assert_cmpint (lacuna_finding_status_predict (other_size, options, lookup, NULL), ==,
                   LACUNA_FINDING_REMOVED);
}

typedef struct
{
  const char               *kind;
  const char               *path;
  LacunaProfileOption       options;
  gboolean                  has_override;
  LacunaDeidOverrideAction  action;
  const char               *value;
  LacunaFindingStatus       expected;
} TagCase;

static const TagCase tag_cases[] = {
  /* Patient's Name: Z in the Basic Profile. */
  { "header-identity", "00100010", LACUNA_PROFILE_OPTION_NONE, FALSE, 0, NULL,
    LACUNA_FINDING_REMOVED },
  { "header-identity", "00100010", LACUNA_PROFILE_OPTION_NONE, TRUE, LACUNA_DEID_OVERRIDE_KEEP,
    NULL, LACUNA_FINDING_PRESENT },
  { "header-identity", "00100010", LACUNA_PROFILE_OPTION_NONE, TRUE,
    LACUNA_DEID_OVERRIDE_REPLACE, "A^B", LACUNA_FINDING_REMOVED },
  { "header-identity", "00100010", LACUNA_PROFILE_OPTION_NONE, TRUE,
    LACUNA_DEID_OVERRIDE_REMOVE, NULL, LACUNA_FINDING_REMOVED },
  /* Institution Name: X, kept with Retain Institution Identity. */
  { "header-identity", "00080080", LACUNA_PROFILE_OPTION_RETAIN_INSTITUTION_IDENTITY, FALSE, 0,
    NULL, LACUNA_FINDING_PRESENT },
  /* Study Date: shifted (C) with Retain Modified Dates. */
  { "header-identity", "00080020", LACUNA_PROFILE_OPTION_RETAIN_MODIFIED_DATES, FALSE, 0, NULL,
    LACUNA_FINDING_REDUCED },
  /* Patient's Age: X; K with Retain Patient Characteristics; coarsened: reduced. */
  { "quasi-identifier", "00101010", LACUNA_PROFILE_OPTION_NONE, FALSE, 0, NULL,
    LACUNA_FINDING_REMOVED },
  { "quasi-identifier", "00101010", LACUNA_PROFILE_OPTION_RETAIN_PATIENT_CHARACTERISTICS, FALSE,
    0, NULL, LACUNA_FINDING_PRESENT },
  { "quasi-identifier", "00101010", LACUNA_PROFILE_OPTION_RETAIN_PATIENT_CHARACTERISTICS, TRUE,
    LACUNA_DEID_OVERRIDE_REPLACE, "065Y", LACUNA_FINDING_REDUCED },
  { "quasi-identifier", "00101010", LACUNA_PROFILE_OPTION_NONE, TRUE,
    LACUNA_DEID_OVERRIDE_KEEP, NULL, LACUNA_FINDING_PRESENT },
  /* Manufacturer: no row (kept); emptied: removed. */
  { "quasi-identifier", "00080070", LACUNA_PROFILE_OPTION_NONE, FALSE, 0, NULL,
    LACUNA_FINDING_PRESENT },
  { "quasi-identifier", "00080070", LACUNA_PROFILE_OPTION_NONE, TRUE,
    LACUNA_DEID_OVERRIDE_REPLACE, "", LACUNA_FINDING_REMOVED },
};

static void
test_status_tags (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (tag_cases); i++)
    {
      const TagCase *c = &tag_cases[i];
      g_autoptr(LacunaFinding) f = lacuna_finding_new (c->kind, LACUNA_EVIDENCE_STATED,
                                                       LACUNA_FINDING_PRESENT, "text");
      g_autoptr(LacunaDeidOptions) options = lacuna_deid_options_new ();

      g_test_message ("case %u: %s %s", i, c->kind, c->path);
      lacuna_finding_set_tag_path (f, c->path);
      options->options = c->options;
      if (c->has_override)
        lacuna_deid_options_add_override (options, c->path, c->action, c->value);
      g_assert_cmpint (lacuna_finding_status_predict (f, options, NULL, NULL), ==, c->expected);
    }
}

static void
test_status_bmi_face_other (void)
{
  g_autoptr(LacunaFinding) bmi = lacuna_finding_new ("quasi-identifier",
                                                     LACUNA_EVIDENCE_MEASURED,
                                                     LACUNA_FINDING_PRESENT, "text");
  g_autoptr(LacunaFinding) face = lacuna_finding_new ("face", LACUNA_EVIDENCE_DETECTED,
                                                      LACUNA_FINDING_PRESENT, "text");
  g_autoptr(LacunaFinding) body = lacuna_finding_new ("body-composition",
                                                      LACUNA_EVIDENCE_MEASURED,
                                                      LACUNA_FINDING_CANNOT_BE_REMOVED, "text");
  g_autoptr(LacunaDeidOptions) options = lacuna_deid_options_new ();
  const int box[4] = { 1, 2, 30, 40 };

  /* The BMI follows size and weight together. */
  lacuna_finding_set_tag_path (bmi, "00101030");
  json_object_set_double_member (lacuna_finding_get_values (bmi), "bmi", 24.2);
  g_assert_cmpint (lacuna_finding_status_predict (bmi, options, NULL, NULL), ==,
                   LACUNA_FINDING_REMOVED);
  options->options = LACUNA_PROFILE_OPTION_RETAIN_PATIENT_CHARACTERISTICS;
  g_assert_cmpint (lacuna_finding_status_predict (bmi, options, NULL, NULL), ==,
                   LACUNA_FINDING_PRESENT);
  lacuna_deid_options_add_override (options, "00101020", LACUNA_DEID_OVERRIDE_REPLACE, "1.7");
  g_assert_cmpint (lacuna_finding_status_predict (bmi, options, NULL, NULL), ==,
                   LACUNA_FINDING_REDUCED);
  lacuna_deid_options_add_override (options, "00101030", LACUNA_DEID_OVERRIDE_REMOVE, NULL);
  g_assert_cmpint (lacuna_finding_status_predict (bmi, options, NULL, NULL), ==,
                   LACUNA_FINDING_REMOVED);

  /* A face in a volume: defacing. */
  lacuna_finding_set_region (face, "1.1", 0, NULL);
  lacuna_finding_set_render_box (face, 4, 0, 0, box);
  options->options = LACUNA_PROFILE_OPTION_NONE;
  g_assert_cmpint (lacuna_finding_status_predict (face, options, NULL, NULL), ==,
                   LACUNA_FINDING_PRESENT);
  options->options = LACUNA_PROFILE_OPTION_CLEAN_RECOGNIZABLE_VISUAL_FEATURES;
  g_assert_cmpint (lacuna_finding_status_predict (face, options, NULL, NULL), ==,
                   LACUNA_FINDING_REMOVED);

  /* What redaction cannot remove stays so. */
  g_assert_cmpint (lacuna_finding_status_predict (body, options, NULL, NULL), ==,
                   LACUNA_FINDING_CANNOT_BE_REMOVED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/finding-status/covered-fraction", test_status_covered_fraction);
  g_test_add_func ("/core/finding-status/boxes", test_status_boxes);
  g_test_add_func ("/core/finding-status/tags", test_status_tags);
  g_test_add_func ("/core/finding-status/bmi-face-other", test_status_bmi_face_other);

  return g_test_run ();
}
