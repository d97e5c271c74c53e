/* lacuna-quasi.c: quasi-identifiers and their coarsening. */
#define G_LOG_DOMAIN "lacuna-quasi"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "lacuna-instance.h"
#include "lacuna-quasi.h"

#define TAG_PATIENT_AGE    "00101010"
#define TAG_PATIENT_SEX    "00100040"
#define TAG_PATIENT_SIZE   "00101020"
#define TAG_PATIENT_WEIGHT "00101030"
#define TAG_MANUFACTURER   "00080070"
#define TAG_MODEL_NAME     "00081090"

/* ---------------------------------------------------------------------------------------- */
/* Values                                                                                   */

gboolean
lacuna_quasi_parse_age (const char *age,
                        double     *out_years)
{
  guint n = 0;
  char unit;

  if (age == NULL || strlen (age) != 4)
    return FALSE;
  for (guint i = 0; i < 3; i++)
    {
      if (!g_ascii_isdigit (age[i]))
        return FALSE;
      n = n * 10 + (guint) (age[i] - '0');
    }
  unit = age[3];
  switch (unit)
    {
    case 'D':
      *out_years = n / 365.25;
      return TRUE;
    case 'W':
      *out_years = n * 7 / 365.25;
      return TRUE;
    case 'M':
      *out_years = n / 12.0;
      return TRUE;
    case 'Y':
      *out_years = n;
      return TRUE;
    default:
      return FALSE;
    }
}

char *
lacuna_quasi_coarsen_age (const char *age)
{
  double years;
  guint band;

  if (!lacuna_quasi_parse_age (age, &years))
    return NULL;
  if (years >= 90.0)
    return g_strdup ("090Y");
  band = ((guint) floor (years)) / 5 * 5;
  return g_strdup_printf ("%03uY", band);
}

static gboolean
parse_positive (const char *text,
                double     *out)
{
  if (text == NULL || !_lacuna_parse_ds (text, out, 1))
    return FALSE;
  return *out > 0.0 && isfinite (*out);
}

char *
lacuna_quasi_coarsen_size (const char *size_m)
{
  double v;
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!parse_positive (size_m, &v))
    return NULL;
  v = MIN (floor (v * 10.0 + 0.5) / 10.0, 2.0);
  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.1f", v));
}

char *
lacuna_quasi_coarsen_weight (const char *weight_kg)
{
  double v;

  if (!parse_positive (weight_kg, &v))
    return NULL;
  v = MIN (floor (v / 10.0 + 0.5) * 10.0, 150.0);
  return g_strdup_printf ("%d", (int) v);
}

gboolean
lacuna_quasi_manufacturer_is_common (const char *manufacturer)
{
  /* Prefixes, compared case-insensitively with spaces, dots and commas dropped. */
  static const char * const common[] = {
    "SIEMENS", "GE", "GEMEDICAL", "GEHEALTHCARE", "PHILIPS", "TOSHIBA", "CANON", "HITACHI",
    "FUJI", "AGFA", "CARESTREAM", "KODAK", "KONICA", "SAMSUNG", "HOLOGIC", "ESAOTE",
    "SHIMADZU", "MINDRAY", "UIH", "UNITEDIMAGING", "NEUSOFT", "PLANMECA", "SIRONA", "VARIAN",
    "ELEKTA", "ACUSON", "ALOKA", "MEDISON", "BRUKER", "ZEISS", "TOPCON", "HEIDELBERG",
    "OLYMPUS", "PENTAX", "DENTSPLY", "VATECH", "ACCURAY", "SECTRA", "IMPAX",
    NULL
  };
  g_autoptr(GString) key = NULL;

  if (manufacturer == NULL)
    return TRUE;
  key = g_string_new (NULL);
  for (const char *p = manufacturer; *p != '\0'; p++)
    if (g_ascii_isalnum (*p))
      g_string_append_c (key, g_ascii_toupper (*p));
  if (key->len == 0)
    return TRUE;
  for (guint i = 0; common[i] != NULL; i++)
    if (g_str_has_prefix (key->str, common[i]))
      return TRUE;
  return FALSE;
}

static LacunaProfileAction
action_for (const char          *path,
            LacunaProfileOption  options)
{
  guint32 tag = lacuna_dicom_path_last_tag (path);
  const LacunaProfileRule *rule = lacuna_profile_lookup (tag);

  return rule != NULL ? lacuna_profile_resolve (rule, options) : LACUNA_PROFILE_ACTION_NONE;
}

gboolean
lacuna_quasi_survives (const char          *path,
                       const char          *vr,
                       LacunaProfileOption  options)
{
  LacunaProfileAction action = action_for (path, options);

  g_return_val_if_fail (path != NULL, FALSE);

  return action == LACUNA_PROFILE_ACTION_NONE || action == LACUNA_PROFILE_ACTION_K ||
         (action == LACUNA_PROFILE_ACTION_C && g_strcmp0 (vr, "TM") == 0);
}

/* ---------------------------------------------------------------------------------------- */
/* Findings                                                                                 */

static void
add_override (JsonArray  *coarsen,
              const char *path,
              const char *action,
              const char *value)
{
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "path", path);
  json_object_set_string_member (o, "action", action);
  if (value != NULL)
    json_object_set_string_member (o, "value", value);
  json_array_add_object_element (coarsen, o);
}

/* A stated quasi-identifier: text = what + survival sentence. coarsened: the replacement
 * value ("" empties; NULL with remove = TRUE removes). */
static LacunaFinding *
new_stated (const char          *path,
            const char          *vr,
            const char          *value,
            const char          *what,
            const char          *coarsened,
            gboolean             remove,
            const char          *coarsen_action,
            LacunaProfileOption  options)
{
  g_autoptr(LacunaFinding) finding = NULL;
  g_autofree char *tag = lacuna_dicom_tag_format (lacuna_dicom_path_last_tag (path));
  g_autofree char *text = NULL;
  const char *keyword = lacuna_dicom_tag_keyword (lacuna_dicom_path_last_tag (path));
  gboolean survives = lacuna_quasi_survives (path, vr, options);
  LacunaProfileAction action = action_for (path, options);
  const char *action_str = lacuna_profile_action_to_string (action);
  JsonObject *values;
  JsonArray *coarsen = json_array_new ();

  if (survives)
    /* Translators: the first %s says what is stated, e.g. "The patient's exact age"; the
     * second is a tag such as (0010,1010). */
    text = g_strdup_printf (_("%s is stated in the header at %s. It survives the export "
                              "with the options chosen."), what, tag);
  else
    text = g_strdup_printf (_("%s is stated in the header at %s. The export with the options "
                              "chosen removes or replaces it."), what, tag);
  finding = lacuna_finding_new ("quasi-identifier", LACUNA_EVIDENCE_STATED,
                                LACUNA_FINDING_PRESENT, text);
  lacuna_finding_set_tag_path (finding, path);
  if (survives)
    {
      lacuna_finding_set_action (finding, coarsen_action);
      if (remove)
        add_override (coarsen, path, "remove", NULL);
      else
        add_override (coarsen, path, "replace", coarsened);
    }
  else
    lacuna_finding_set_action (finding, _("Nothing more to do: the de-identified export "
                                          "removes or replaces it."));

  values = lacuna_finding_get_values (finding);
  json_object_set_string_member (values, "keyword", keyword != NULL ? keyword : "");
  json_object_set_string_member (values, "value", value);
  json_object_set_boolean_member (values, "survives", survives);
  json_object_set_string_member (values, "profile_action", action_str != NULL ? action_str
                                                                              : "none");
  if (coarsened != NULL && !remove)
    json_object_set_string_member (values, "coarsened", coarsened);
  else
    json_object_set_null_member (values, "coarsened");
  json_object_set_array_member (values, "coarsen", coarsen);
  return g_steal_pointer (&finding);
}

typedef struct
{
  GPtrArray           *findings;
  LacunaProfileOption  options;
} TimeWalk;

static LacunaDicomWalkResult
time_walk_cb (const LacunaDicomElement *el,
              gpointer                  user_data)
{
  TimeWalk *walk = user_data;

  if ((el->tag >> 16) == 0x0002 || el->is_private)
    return LACUNA_DICOM_WALK_CONTINUE;
  if ((strcmp (el->vr, "TM") == 0 || strcmp (el->vr, "DT") == 0) && el->value != NULL &&
      *el->value != '\0')
    {
      const char *what = strcmp (el->vr, "TM") == 0 ? _("An exact time of day")
                                                    : _("An exact date and time");

      g_ptr_array_add (walk->findings,
                       new_stated (el->path, el->vr, el->value, what, "", FALSE,
                                   _("Remove the time: empty the attribute (DICOM reads an "
                                     "empty value as unknown)."),
                                   walk->options));
    }
  return LACUNA_DICOM_WALK_CONTINUE;
}

GPtrArray *
lacuna_quasi_collect (LacunaDicomFile     *file,
                      LacunaProfileOption  options)
{
  g_autoptr(GPtrArray) findings = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *age = NULL;
  g_autofree char *sex = NULL;
  g_autofree char *size = NULL;
  g_autofree char *weight = NULL;
  g_autofree char *manufacturer = NULL;
  g_autofree char *model = NULL;
  TimeWalk walk = { findings, options };
  double size_m = 0.0, weight_kg = 0.0;

  g_return_val_if_fail (file != NULL, NULL);

  age = lacuna_dicom_file_dup_string (file, TAG_PATIENT_AGE, NULL);
  if (age != NULL && *g_strstrip (age) != '\0')
    {
      g_autofree char *coarse = lacuna_quasi_coarsen_age (age);
      double years = 0.0;
      gboolean valid = lacuna_quasi_parse_age (age, &years);
      gboolean over_89 = valid && years >= 90.0;
      LacunaFinding *finding;
      JsonObject *values;

      finding = new_stated (TAG_PATIENT_AGE, "AS", age,
                            over_89 ? _("An age over 89") : _("The patient's exact age"),
                            coarse, coarse == NULL,
                            over_89 ? _("Coarsen: replace the age by 090Y (90 or over).")
                                    : _("Coarsen: replace the age by the lower bound of its "
                                        "5-year band (90 or over: 090Y)."),
                            options);
      values = lacuna_finding_get_values (finding);
      if (valid)
        json_object_set_double_member (values, "years", years);
      else
        json_object_set_null_member (values, "years");
      json_object_set_boolean_member (values, "over_89", over_89);
      g_ptr_array_add (findings, finding);
    }

  sex = lacuna_dicom_file_dup_string (file, TAG_PATIENT_SEX, NULL);
  if (sex != NULL && *g_strstrip (sex) != '\0')
    g_ptr_array_add (findings,
                     new_stated (TAG_PATIENT_SEX, "CS", sex, _("The patient's sex"), "", FALSE,
                                 _("Empty the attribute (DICOM reads an empty value as "
                                   "unknown)."),
                                 options));

  size = lacuna_dicom_file_dup_string (file, TAG_PATIENT_SIZE, NULL);
  if (size != NULL && *g_strstrip (size) != '\0')
    {
      g_autofree char *coarse = lacuna_quasi_coarsen_size (size);

      parse_positive (size, &size_m);
      g_ptr_array_add (findings,
                       new_stated (TAG_PATIENT_SIZE, "DS", size, _("The patient's exact height"),
                                   coarse, coarse == NULL,
                                   _("Coarsen: round the height to 0.1 m (2.0 m or over: "
                                     "2.0)."),
                                   options));
    }

  weight = lacuna_dicom_file_dup_string (file, TAG_PATIENT_WEIGHT, NULL);
  if (weight != NULL && *g_strstrip (weight) != '\0')
    {
      g_autofree char *coarse = lacuna_quasi_coarsen_weight (weight);

      parse_positive (weight, &weight_kg);
      g_ptr_array_add (findings,
                       new_stated (TAG_PATIENT_WEIGHT, "DS", weight,
                                   _("The patient's exact weight"), coarse, coarse == NULL,
                                   _("Coarsen: round the weight to 10 kg (150 kg or over: "
                                     "150)."),
                                   options));
    }

  if (size_m > 0.0 && weight_kg > 0.0)
    {
      g_autoptr(LacunaFinding) bmi = NULL;
      gboolean survives = lacuna_quasi_survives (TAG_PATIENT_SIZE, "DS", options) &&
                          lacuna_quasi_survives (TAG_PATIENT_WEIGHT, "DS", options);
      double value = weight_kg / (size_m * size_m);
      JsonObject *values;
      JsonArray *coarsen = json_array_new ();

      bmi = lacuna_finding_new ("quasi-identifier", LACUNA_EVIDENCE_MEASURED,
                                LACUNA_FINDING_PRESENT,
                                survives
                                ? _("We measured the body-mass index from the patient's "
                                    "height and weight stated in the header. Both survive the "
                                    "export with the options chosen.")
                                : _("We measured the body-mass index from the patient's "
                                    "height and weight stated in the header. The export with "
                                    "the options chosen removes or replaces them."));
      lacuna_finding_set_tag_path (bmi, TAG_PATIENT_WEIGHT);
      lacuna_finding_set_action (bmi, survives
                                 ? _("Coarsen the height and the weight (both rounded).")
                                 : _("Nothing more to do: the de-identified export removes "
                                     "or replaces them."));
      if (survives)
        {
          g_autofree char *s = lacuna_quasi_coarsen_size (size);
          g_autofree char *w = lacuna_quasi_coarsen_weight (weight);

          add_override (coarsen, TAG_PATIENT_SIZE, "replace", s);
          add_override (coarsen, TAG_PATIENT_WEIGHT, "replace", w);
        }
      values = lacuna_finding_get_values (bmi);
      json_object_set_string_member (values, "keyword", "PatientWeight");
      json_object_set_double_member (values, "bmi", floor (value * 10.0 + 0.5) / 10.0);
      json_object_set_boolean_member (values, "survives", survives);
      json_object_set_null_member (values, "coarsened");
      json_object_set_array_member (values, "coarsen", coarsen);
      g_ptr_array_add (findings, g_steal_pointer (&bmi));
    }

  manufacturer = lacuna_dicom_file_dup_string (file, TAG_MANUFACTURER, NULL);
  if (manufacturer != NULL && *g_strstrip (manufacturer) != '\0' &&
      !lacuna_quasi_manufacturer_is_common (manufacturer))
    {
      g_ptr_array_add (findings,
                       new_stated (TAG_MANUFACTURER, "LO", manufacturer,
                                   _("An uncommon equipment manufacturer (it can point to "
                                     "the site)"),
                                   "", FALSE,
                                   _("Generalise: empty the manufacturer."), options));
      model = lacuna_dicom_file_dup_string (file, TAG_MODEL_NAME, NULL);
      if (model != NULL && *g_strstrip (model) != '\0')
        g_ptr_array_add (findings,
                         new_stated (TAG_MODEL_NAME, "LO", model,
                                     _("The model name of uncommon equipment"), NULL, TRUE,
                                     _("Generalise: remove the model name."), options));
    }

  lacuna_dicom_file_walk (file, FALSE, time_walk_cb, &walk);
  return g_steal_pointer (&findings);
}

guint
lacuna_quasi_add_coarsening (LacunaFinding     *finding,
                             LacunaDeidOptions *options)
{
  JsonObject *values;
  JsonArray *coarsen;
  guint n = 0;

  g_return_val_if_fail (LACUNA_IS_FINDING (finding), 0);
  g_return_val_if_fail (options != NULL, 0);

  values = lacuna_finding_get_values (finding);
  if (!json_object_has_member (values, "coarsen"))
    return 0;
  coarsen = json_object_get_array_member (values, "coarsen");
  for (guint i = 0; coarsen != NULL && i < json_array_get_length (coarsen); i++)
    {
      JsonObject *o = json_array_get_object_element (coarsen, i);
      const char *path = json_object_get_string_member (o, "path");
      const char *action = json_object_get_string_member (o, "action");

      if (g_strcmp0 (action, "remove") == 0)
        lacuna_deid_options_add_override (options, path, LACUNA_DEID_OVERRIDE_REMOVE, NULL);
      else if (g_strcmp0 (action, "replace") == 0)
        lacuna_deid_options_add_override (options, path, LACUNA_DEID_OVERRIDE_REPLACE,
                                          json_object_get_string_member_with_default (o,
                                                                                      "value",
                                                                                      ""));
      else
        continue;
      n++;
    }
  return n;
}
