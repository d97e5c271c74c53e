/* lacuna-literature.c: the literature cards. Figures and citations are those of
 * ../shared/design/INFERENCE.md §1, as the publications report them. */
#define G_LOG_DOMAIN "lacuna-literature"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "lacuna-literature.h"

static const LacunaCitation cxr_demographics_citations[] = {
  { "Gichoya et al., Lancet Digit Health 2022;4:e406",
    "https://pmc.ncbi.nlm.nih.gov/articles/PMC9650160/" },
  { "Deep learning model for chest X-ray age and sex, Digital Health 2023",
    "https://sage.cnpereading.com/doi/10.1177/20552076231191055" },
  { "Raghu et al. (CXR-Age), JACC Cardiovasc Imaging 2021;14:2226",
    "https://pmc.ncbi.nlm.nih.gov/articles/PMC11381093" },
  { NULL, NULL }
};

static const LacunaCitation cxr_reid_citations[] = {
  { "Packhäuser et al., Sci Rep 2022;12:14851",
    "https://www.nature.com/articles/s41598-022-19045-3" },
  { "Macpherson et al., Radiology: AI 2023",
    "https://pmc.ncbi.nlm.nih.gov/articles/PMC10698609" },
  { NULL, NULL }
};

static const LacunaCitation cxr_bc_citations[] = {
  { "Alipour et al. (XComposition), Radiology Advances 2025;2(5):umaf035",
    "https://pmc.ncbi.nlm.nih.gov/articles/PMC12560821/" },
  { NULL, NULL }
};

static const LacunaCitation brain_age_citations[] = {
  { "Bintsi et al. 2020, patch-based brain age (UK Biobank)",
    "https://www.arxiv-vanity.com/papers/2008.12965/" },
  { "Cole et al. 2017, brain age from raw T1 MRI with a CNN",
    "https://es.scribd.com/document/349164478/James-H-Cole" },
  { NULL, NULL }
};

static const LacunaCitation membership_citations[] = {
  { "Knolle et al., Disparate privacy risks from medical AI, Nature 2026 (summary)",
    "https://blog.pebblous.ai/blog/medical-ai-membership-inference-privacy/en/" },
  { "Hatamizadeh et al. 2022, gradient inversion attacks in federated learning",
    "https://ar5iv.labs.arxiv.org/html/2202.06924" },
  { "Ziller et al., Sci Rep 2021;11:13524 (differential privacy for medical imaging)",
    "https://pmc.ncbi.nlm.nih.gov/articles/PMC8242021" },
  { "Kaissis et al. (PriMIA), Nat Mach Intell 2021",
    "https://www.nature.com/articles/s42256-021-00337-8" },
  { NULL, NULL }
};

static const LacunaLiteratureCard cards[] = {
  { "cxr-demographics",
    N_("Chest X-rays reveal age, sex and race to trained models"),
    N_("Published AI models can infer age, sex and race from chest X-rays like this. "
       "Reported figures: age with a mean absolute error of about 4.3 to 4.8 years and sex "
       "with an AUC of 0.999 (90,396 radiographs, Digital Health 2023); race with an AUC of "
       "0.91 to 0.99 on US hospital datasets (Gichoya et al. 2022), a signal that survives "
       "heavy image degradation. A radiograph-derived age (CXR-Age, developed on 116,035 "
       "people) predicted mortality with a hazard ratio of 2.26 per 5 years. Removing text "
       "or tags does not remove these signals from the pixels."),
    N_("Nothing in pixel redaction helps. Remove Patient's Age and Sex anyway (they would "
       "otherwise confirm what a model infers), and share under a data-use agreement."),
    cxr_demographics_citations },
  { "cxr-reidentification",
    N_("This image can be linked to other X-rays of the same person"),
    N_("Published AI models can infer whether two chest X-rays like this show the same "
       "person. Reported figures: same-person verification with an AUC of 0.994 on "
       "ChestX-ray14 (112,120 images of 30,805 patients), across more than 10 years "
       "(Packhäuser et al. 2022); re-identification with an F1 score of 0.996 on 1.09 million "
       "radiographs of 259,000 patients (Macpherson et al. 2023)."),
    N_("Cannot be removed by de-identification. Do not publish this image together with "
       "other studies of the same person; share under a data-use agreement."),
    cxr_reid_citations },
  { "cxr-body-composition",
    N_("Chest X-rays reveal body composition to trained models"),
    N_("Published AI models can infer body composition from chest X-rays like this. "
       "Reported figures: with age, sex, height and weight, a radiograph predicted the "
       "CT-measured subcutaneous fat volume with r = 0.85, visceral fat with r = 0.76 and "
       "vertebral bone volume with r = 0.72 (1,118 patients from 30 US health systems, "
       "Alipour et al. 2025)."),
    N_("Cannot be removed by redaction. Removing Patient's Size and Weight takes away "
       "inputs such models use; share under a data-use agreement."),
    cxr_bc_citations },
  { "brain-age",
    N_("Head MR images reveal a brain-age signal to trained models"),
    N_("Published AI models can infer the age of the brain from head MR images like this. "
       "Reported figures: chronological age predicted within a few years, for example a mean "
       "absolute error of 2.46 years on UK Biobank (Bintsi et al. 2020), in the line of Cole "
       "et al. 2017 (a CNN on raw T1 images of 2,001 people)."),
    N_("Cannot be removed by redaction: disclose it, and share under a data-use agreement."),
    brain_age_citations },
  { "membership-inference",
    N_("If these images train an AI model"),
    N_("Published AI models can infer, from images like this, whether they were part of a "
       "model's training data (membership inference): near-perfect for some individual "
       "patients even when the attack is close to chance on average, and worst for patients "
       "from rare or under-represented groups (Knolle et al. 2026). Training images can also "
       "be reconstructed from shared gradients or model updates (Hatamizadeh et al. 2022; "
       "MedLeak)."),
    N_("Advice only: prefer recipients that train with differential privacy (Ziller et al. "
       "2021; PriMIA, Kaissis et al. 2021) and that do not release models trained on small or "
       "rare cohorts."),
    membership_citations },
};

const char *
lacuna_literature_not_run_sentence (void)
{
  return _("We did not run such a model on this patient.");
}

const char *
lacuna_literature_unknown_sentence (void)
{
  return _("Performance on your image is unknown.");
}

const LacunaLiteratureCard *
lacuna_literature_get_cards (guint *n_cards)
{
  if (n_cards != NULL)
    *n_cards = G_N_ELEMENTS (cards);
  return cards;
}

const LacunaLiteratureCard *
lacuna_literature_lookup (const char *id)
{
  for (guint i = 0; id != NULL && i < G_N_ELEMENTS (cards); i++)
    if (strcmp (cards[i].id, id) == 0)
      return &cards[i];
  return NULL;
}

static char *
dup_upper (LacunaDicomFile *file,
           const char      *path)
{
  g_autofree char *value = lacuna_dicom_file_dup_string (file, path, NULL);

  if (value == NULL)
    return g_strdup ("");
  return g_ascii_strup (g_strstrip (value), -1);
}

static gboolean
in_list (const char         *value,
         const char * const *list)
{
  for (guint i = 0; list[i] != NULL; i++)
    if (strcmp (value, list[i]) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
contains_any (const char         *text,
              const char * const *words)
{
  for (guint i = 0; words[i] != NULL; i++)
    if (strstr (text, words[i]) != NULL)
      return TRUE;
  return FALSE;
}

GPtrArray *
lacuna_literature_cards_for_file (LacunaDicomFile *file)
{
  static const char * const chest_parts[] = { "CHEST", "THORAX", "LUNG", NULL };
  static const char * const chest_words[] = { "CHEST", "THORAX", "CXR", NULL };
  static const char * const head_parts[] = { "HEAD", "BRAIN", "SKULL", "HEADNECK", NULL };
  static const char * const head_words[] = { "HEAD", "BRAIN", NULL };
  GPtrArray *result = g_ptr_array_new ();
  g_autofree char *modality = NULL;
  g_autofree char *part = NULL;
  g_autofree char *view = NULL;
  g_autofree char *study = NULL;
  g_autofree char *series = NULL;
  g_autofree char *descriptions = NULL;

  g_return_val_if_fail (file != NULL, result);

  modality = dup_upper (file, "00080060");
  part = dup_upper (file, "00180015");
  view = dup_upper (file, "00185101");
  study = dup_upper (file, "00081030");
  series = dup_upper (file, "0008103E");
  descriptions = g_strconcat (study, " ", series, NULL);

  if (strcmp (modality, "CR") == 0 || strcmp (modality, "DX") == 0)
    {
      gboolean chest = in_list (part, chest_parts) ||
                       (*part == '\0' && (strcmp (view, "PA") == 0 ||
                                          strcmp (view, "AP") == 0)) ||
                       contains_any (descriptions, chest_words);

      if (chest)
        {
          g_ptr_array_add (result, (gpointer) lacuna_literature_lookup ("cxr-demographics"));
          g_ptr_array_add (result, (gpointer) lacuna_literature_lookup ("cxr-reidentification"));
          g_ptr_array_add (result, (gpointer) lacuna_literature_lookup ("cxr-body-composition"));
        }
    }
  else if (strcmp (modality, "MR") == 0)
    {
      if (in_list (part, head_parts) || contains_any (descriptions, head_words))
        g_ptr_array_add (result, (gpointer) lacuna_literature_lookup ("brain-age"));
    }
  return result;
}

LacunaFinding *
lacuna_literature_to_finding (const LacunaLiteratureCard *card,
                              const char                 *sop_instance_uid,
                              const char                 *modality)
{
  g_autoptr(LacunaFinding) finding = NULL;
  g_autofree char *text = NULL;
  JsonObject *values;
  JsonArray *citations;

  g_return_val_if_fail (card != NULL, NULL);

  text = g_strdup_printf ("%s. %s %s %s", _(card->title), _(card->text),
                          lacuna_literature_not_run_sentence (),
                          lacuna_literature_unknown_sentence ());
  finding = lacuna_finding_new ("literature", LACUNA_EVIDENCE_LITERATURE,
                                LACUNA_FINDING_CANNOT_BE_REMOVED, text);
  lacuna_finding_set_action (finding, _(card->action));
  if (sop_instance_uid != NULL)
    lacuna_finding_set_region (finding, sop_instance_uid, 0, NULL);

  values = lacuna_finding_get_values (finding);
  json_object_set_string_member (values, "card", card->id);
  json_object_set_string_member (values, "title", _(card->title));
  if (modality != NULL && *modality != '\0')
    json_object_set_string_member (values, "modality", modality);
  else
    json_object_set_null_member (values, "modality");
  citations = json_array_new ();
  for (const LacunaCitation *c = card->citations; c->label != NULL; c++)
    {
      JsonObject *o = json_object_new ();

      json_object_set_string_member (o, "label", c->label);
      json_object_set_string_member (o, "url", c->url);
      json_array_add_object_element (citations, o);
    }
  json_object_set_array_member (values, "citations", citations);
  return g_steal_pointer (&finding);
}
