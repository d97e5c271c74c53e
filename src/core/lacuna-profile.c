/* lacuna-profile.c: look-ups over PS3.15 Table E.1-1 (the rows are in
 * lacuna-profile-table.c) and the rules that turn a row into one action. */

#define G_LOG_DOMAIN "lacuna-profile"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "lacuna-profile.h"

#define EXACT_MASK 0xFFFFFFFFu

static const char * const action_names[LACUNA_PROFILE_N_ACTIONS] = {
  [LACUNA_PROFILE_ACTION_NONE]  = NULL,
  [LACUNA_PROFILE_ACTION_X]     = "X",
  [LACUNA_PROFILE_ACTION_Z]     = "Z",
  [LACUNA_PROFILE_ACTION_D]     = "D",
  [LACUNA_PROFILE_ACTION_K]     = "K",
  [LACUNA_PROFILE_ACTION_C]     = "C",
  [LACUNA_PROFILE_ACTION_U]     = "U",
  [LACUNA_PROFILE_ACTION_Z_D]   = "Z/D",
  [LACUNA_PROFILE_ACTION_X_Z]   = "X/Z",
  [LACUNA_PROFILE_ACTION_X_D]   = "X/D",
  [LACUNA_PROFILE_ACTION_X_Z_D] = "X/Z/D",
  [LACUNA_PROFILE_ACTION_X_Z_U] = "X/Z/U*",
};

static const LacunaProfileOptionInfo option_infos[LACUNA_PROFILE_N_OPTIONS] = {
  [LACUNA_PROFILE_OPTION_INDEX_RETAIN_SAFE_PRIVATE] = {
    LACUNA_PROFILE_OPTION_RETAIN_SAFE_PRIVATE,
    "retain-safe-private", "113111", "Retain Safe Private Option",
    N_("Keeps the private, vendor-specific attributes that are known not to identify "
       "anyone, such as scanner settings; all other private attributes are still removed."),
  },
  [LACUNA_PROFILE_OPTION_INDEX_RETAIN_UIDS] = {
    LACUNA_PROFILE_OPTION_RETAIN_UIDS,
    "retain-uids", "113110", "Retain UIDs Option",
    N_("Keeps the original study, series and image identifiers (UIDs) instead of replacing "
       "them, so the copy can still be matched with the original."),
  },
  [LACUNA_PROFILE_OPTION_INDEX_RETAIN_DEVICE_IDENTITY] = {
    LACUNA_PROFILE_OPTION_RETAIN_DEVICE_IDENTITY,
    "retain-device-identity", "113109", "Retain Device Identity Option",
    N_("Keeps the names, serial numbers and other identifiers of the scanner and the other "
       "devices that were used."),
  },
  [LACUNA_PROFILE_OPTION_INDEX_RETAIN_INSTITUTION_IDENTITY] = {
    LACUNA_PROFILE_OPTION_RETAIN_INSTITUTION_IDENTITY,
    "retain-institution-identity", "113112", "Retain Institution Identity Option",
    N_("Keeps the name and address of the hospital or department and of the clinical trial "
       "site."),
  },
  [LACUNA_PROFILE_OPTION_INDEX_RETAIN_PATIENT_CHARACTERISTICS] = {
    LACUNA_PROFILE_OPTION_RETAIN_PATIENT_CHARACTERISTICS,
    "retain-patient-characteristics", "113108", "Retain Patient Characteristics Option",
    N_("Keeps the patient's age, sex, size, weight and other characteristics that matter "
       "for reading the images."),
  },
  [LACUNA_PROFILE_OPTION_INDEX_RETAIN_FULL_DATES] = {
    LACUNA_PROFILE_OPTION_RETAIN_FULL_DATES,
    "retain-full-dates", "113106",
    "Retain Longitudinal Temporal Information Full Dates Option",
    N_("Keeps every date and time exactly as it is."),
  },
  [LACUNA_PROFILE_OPTION_INDEX_RETAIN_MODIFIED_DATES] = {
    LACUNA_PROFILE_OPTION_RETAIN_MODIFIED_DATES,
    "retain-modified-dates", "113107",
    "Retain Longitudinal Temporal Information Modified Dates Option",
    N_("Shifts every date and time of a patient by the same amount, so the real dates are "
       "hidden but the intervals between examinations stay correct."),
  },
  [LACUNA_PROFILE_OPTION_INDEX_CLEAN_DESCRIPTORS] = {
    LACUNA_PROFILE_OPTION_CLEAN_DESCRIPTORS,
    "clean-descriptors", "113105", "Clean Descriptors Option",
    N_("Keeps descriptions and comments, such as the study and series descriptions, after "
       "removing identifying text from them, instead of removing them entirely."),
  },
  [LACUNA_PROFILE_OPTION_INDEX_CLEAN_STRUCTURED_CONTENT] = {
    LACUNA_PROFILE_OPTION_CLEAN_STRUCTURED_CONTENT,
    "clean-structured-content", "113104", "Clean Structured Content Option",
    N_("Keeps structured reports and measurements after removing identifying information "
       "from their content."),
  },
  [LACUNA_PROFILE_OPTION_INDEX_CLEAN_GRAPHICS] = {
    LACUNA_PROFILE_OPTION_CLEAN_GRAPHICS,
    "clean-graphics", "113103", "Clean Graphics Option",
    N_("Keeps overlays, curves and graphic annotations after removing identifying text drawn "
       "in them."),
  },
  [LACUNA_PROFILE_OPTION_INDEX_CLEAN_PIXEL_DATA] = {
    LACUNA_PROFILE_OPTION_CLEAN_PIXEL_DATA,
    "clean-pixel-data", "113101", "Clean Pixel Data Option",
    N_("Removes identifying text burned into the images, such as a name or a date in a "
       "corner."),
  },
  [LACUNA_PROFILE_OPTION_INDEX_CLEAN_RECOGNIZABLE_VISUAL_FEATURES] = {
    LACUNA_PROFILE_OPTION_CLEAN_RECOGNIZABLE_VISUAL_FEATURES,
    "clean-recognizable-visual-features", "113102",
    "Clean Recognizable Visual Features Option",
    N_("Removes features that could make the patient recognizable in the images, such as "
       "the face in a scan of the head."),
  },
};

const char *
lacuna_profile_action_to_string (LacunaProfileAction action)
{
  if ((guint) action >= LACUNA_PROFILE_N_ACTIONS)
    return NULL;
  return action_names[action];
}

LacunaProfileAction
lacuna_profile_action_from_string (const char *str)
{
  if (str == NULL)
    return LACUNA_PROFILE_ACTION_NONE;
  for (guint i = 0; i < LACUNA_PROFILE_N_ACTIONS; i++)
    {
      if (action_names[i] != NULL && strcmp (action_names[i], str) == 0)
        return (LacunaProfileAction) i;
    }
  return LACUNA_PROFILE_ACTION_NONE;
}

const LacunaProfileOptionInfo *
lacuna_profile_get_options (guint *n_options)
{
  if (n_options != NULL)
    *n_options = G_N_ELEMENTS (option_infos);
  return option_infos;
}

int
lacuna_profile_option_get_index (LacunaProfileOption option)
{
  guint bits = (guint) option;

  if (bits == 0 || (bits & (bits - 1)) != 0 || (bits & ~(guint) LACUNA_PROFILE_OPTIONS_ALL) != 0)
    return -1;
  return g_bit_nth_lsf (bits, -1);
}

const LacunaProfileOptionInfo *
lacuna_profile_option_get_info (LacunaProfileOption option)
{
  int index = lacuna_profile_option_get_index (option);

  if (index < 0)
    return NULL;
  return &option_infos[index];
}

const char *
lacuna_profile_option_get_description (LacunaProfileOption option)
{
  const LacunaProfileOptionInfo *info = lacuna_profile_option_get_info (option);

  if (info == NULL)
    return NULL;
  return _(info->description);
}

LacunaProfileOption
lacuna_profile_option_from_cli_name (const char *name)
{
  if (name == NULL)
    return LACUNA_PROFILE_OPTION_NONE;
  if (g_str_has_prefix (name, "--"))
    name += 2;
  for (guint i = 0; i < G_N_ELEMENTS (option_infos); i++)
    {
      if (strcmp (option_infos[i].cli_name, name) == 0)
        return option_infos[i].option;
    }
  return LACUNA_PROFILE_OPTION_NONE;
}

LacunaProfileOption
lacuna_profile_option_from_code_value (const char *code_value)
{
  if (code_value == NULL)
    return LACUNA_PROFILE_OPTION_NONE;
  for (guint i = 0; i < G_N_ELEMENTS (option_infos); i++)
    {
      if (strcmp (option_infos[i].code_value, code_value) == 0)
        return option_infos[i].option;
    }
  return LACUNA_PROFILE_OPTION_NONE;
}

gboolean
lacuna_profile_rule_matches (const LacunaProfileRule *rule,
                             guint32                  tag)
{
  g_return_val_if_fail (rule != NULL, FALSE);

  return (tag & rule->mask) == rule->tag;
}

/* The number of exact rows at the start of the table (the masked rows follow them). */
static guint
get_n_exact (void)
{
  static gsize n_exact_plus_one;

  if (g_once_init_enter (&n_exact_plus_one))
    {
      guint n_rules;
      const LacunaProfileRule *rules = lacuna_profile_get_rules (&n_rules);
      guint n = 0;

      while (n < n_rules && rules[n].mask == EXACT_MASK)
        n++;
      g_once_init_leave (&n_exact_plus_one, n + 1);
    }
  return n_exact_plus_one - 1;
}

const LacunaProfileRule *
lacuna_profile_lookup (guint32 tag)
{
  guint n_rules;
  const LacunaProfileRule *rules = lacuna_profile_get_rules (&n_rules);
  guint n_exact = get_n_exact ();
  guint lo = 0;
  guint hi = n_exact;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (rules[mid].tag == tag)
        return &rules[mid];
      if (rules[mid].tag < tag)
        lo = mid + 1;
      else
        hi = mid;
    }

  for (guint i = n_exact; i < n_rules; i++)
    {
      if (lacuna_profile_rule_matches (&rules[i], tag))
        return &rules[i];
    }
  return NULL;
}

/* Higher is more protective; see lacuna_profile_resolve() in the header. */
static int
protection_rank (LacunaProfileAction action)
{
  switch (action)
    {
    case LACUNA_PROFILE_ACTION_K:     return 1;
    case LACUNA_PROFILE_ACTION_C:     return 2;
    case LACUNA_PROFILE_ACTION_U:     return 3;
    case LACUNA_PROFILE_ACTION_D:     return 4;
    case LACUNA_PROFILE_ACTION_Z_D:   return 5;
    case LACUNA_PROFILE_ACTION_Z:     return 6;
    case LACUNA_PROFILE_ACTION_X_Z_U: return 7;
    case LACUNA_PROFILE_ACTION_X_D:   return 8;
    case LACUNA_PROFILE_ACTION_X_Z_D: return 9;
    case LACUNA_PROFILE_ACTION_X_Z:   return 10;
    case LACUNA_PROFILE_ACTION_X:     return 11;
    case LACUNA_PROFILE_ACTION_NONE:
    case LACUNA_PROFILE_N_ACTIONS:
    default:
      return 0;
    }
}

LacunaProfileAction
lacuna_profile_resolve (const LacunaProfileRule *rule,
                        LacunaProfileOption      options)
{
  LacunaProfileAction result = LACUNA_PROFILE_ACTION_NONE;

  if (rule == NULL)
    return LACUNA_PROFILE_ACTION_NONE;

  if ((options & LACUNA_PROFILE_OPTION_RETAIN_FULL_DATES) != 0 &&
      rule->per_option[LACUNA_PROFILE_OPTION_INDEX_RETAIN_FULL_DATES] != LACUNA_PROFILE_ACTION_NONE)
    return rule->per_option[LACUNA_PROFILE_OPTION_INDEX_RETAIN_FULL_DATES];

  for (guint i = 0; i < LACUNA_PROFILE_N_OPTIONS; i++)
    {
      LacunaProfileAction entry = rule->per_option[i];

      if ((options & (1u << i)) == 0 || entry == LACUNA_PROFILE_ACTION_NONE)
        continue;
      if (protection_rank (entry) > protection_rank (result))
        result = entry;
    }

  return result != LACUNA_PROFILE_ACTION_NONE ? result : rule->basic;
}

LacunaProfileAttributeType
lacuna_profile_attribute_type_from_string (const char *str)
{
  if (str == NULL)
    return LACUNA_PROFILE_TYPE_UNKNOWN;
  if (strcmp (str, "1") == 0)
    return LACUNA_PROFILE_TYPE_1;
  if (g_ascii_strcasecmp (str, "1C") == 0)
    return LACUNA_PROFILE_TYPE_1C;
  if (strcmp (str, "2") == 0)
    return LACUNA_PROFILE_TYPE_2;
  if (g_ascii_strcasecmp (str, "2C") == 0)
    return LACUNA_PROFILE_TYPE_2C;
  if (strcmp (str, "3") == 0)
    return LACUNA_PROFILE_TYPE_3;
  return LACUNA_PROFILE_TYPE_UNKNOWN;
}

LacunaProfileAction
lacuna_profile_resolve_type (LacunaProfileAction        action,
                             LacunaProfileAttributeType type)
{
  enum { T1, T2, T3, TU } t;

  switch (type)
    {
    case LACUNA_PROFILE_TYPE_1:
    case LACUNA_PROFILE_TYPE_1C:
      t = T1;
      break;
    case LACUNA_PROFILE_TYPE_2:
    case LACUNA_PROFILE_TYPE_2C:
      t = T2;
      break;
    case LACUNA_PROFILE_TYPE_3:
      t = T3;
      break;
    case LACUNA_PROFILE_TYPE_UNKNOWN:
    default:
      t = TU;
      break;
    }

  switch (action)
    {
    case LACUNA_PROFILE_ACTION_Z:
      return t == T1 ? LACUNA_PROFILE_ACTION_D : LACUNA_PROFILE_ACTION_Z;

    case LACUNA_PROFILE_ACTION_Z_D:
      return (t == T2 || t == T3) ? LACUNA_PROFILE_ACTION_Z : LACUNA_PROFILE_ACTION_D;

    case LACUNA_PROFILE_ACTION_X_Z:
      if (t == T3)
        return LACUNA_PROFILE_ACTION_X;
      return t == T1 ? LACUNA_PROFILE_ACTION_D : LACUNA_PROFILE_ACTION_Z;

    case LACUNA_PROFILE_ACTION_X_D:
      return t == T3 ? LACUNA_PROFILE_ACTION_X : LACUNA_PROFILE_ACTION_D;

    case LACUNA_PROFILE_ACTION_X_Z_D:
      if (t == T3)
        return LACUNA_PROFILE_ACTION_X;
      return t == T2 ? LACUNA_PROFILE_ACTION_Z : LACUNA_PROFILE_ACTION_D;

    case LACUNA_PROFILE_ACTION_X_Z_U:
      if (t == T3)
        return LACUNA_PROFILE_ACTION_X;
      return t == T2 ? LACUNA_PROFILE_ACTION_Z : LACUNA_PROFILE_ACTION_U;

    case LACUNA_PROFILE_ACTION_X:
    case LACUNA_PROFILE_ACTION_D:
    case LACUNA_PROFILE_ACTION_K:
    case LACUNA_PROFILE_ACTION_C:
    case LACUNA_PROFILE_ACTION_U:
      return action;

    case LACUNA_PROFILE_ACTION_NONE:
    case LACUNA_PROFILE_N_ACTIONS:
    default:
      return LACUNA_PROFILE_ACTION_NONE;
    }
}
