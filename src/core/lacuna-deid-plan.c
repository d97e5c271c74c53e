/* lacuna-deid-plan.c: what export will do, element by element (see lacuna-deid-plan.h). */

#define G_LOG_DOMAIN "lacuna-deid-plan"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "lacuna-deid-plan.h"
#include "lacuna-deid-private.h"
#include "lacuna-identity.h"
#include "lacuna-uid-map.h"

/* Reasons the log does not have (the log's own are reused as they are). */
#define R_WITH_PARENT "inside a removed sequence"
#define R_OVERRIDE    "recipe override"
#define R_PSEUDONYM   "pseudonym"
#define R_RECORD      "de-identification record (PS3.15 E.1.1)"

/* ---------------------------------------------------------------------------------------- */
/* Categories                                                                               */

static const char *const category_ids[LACUNA_DEID_N_CATEGORIES] = {
  "safe", "direct-identifier", "quasi-identifier", "date", "uid", "free-text", "private",
};

static const char *const category_labels[LACUNA_DEID_N_CATEGORIES] = {
  /* Translators: the category of a DICOM attribute that says nothing about the patient */
  N_("safe"),
  /* Translators: an attribute that names the patient (name, ID, birth date, address…) */
  N_("direct identifier"),
  /* Translators: an attribute that narrows the patient down (age, sex, institution…) */
  N_("quasi-identifier"),
  /* Translators: the category of a date or time attribute */
  N_("date"),
  /* Translators: the category of a unique identifier (UID) attribute */
  N_("UID"),
  /* Translators: the category of a description or comment someone typed */
  N_("free text"),
  /* Translators: the category of a vendor's private attribute */
  N_("private"),
};

const char *
lacuna_deid_category_to_string (LacunaDeidCategory category)
{
  if ((guint) category >= LACUNA_DEID_N_CATEGORIES)
    return NULL;
  return category_ids[category];
}

const char *
lacuna_deid_category_get_label (LacunaDeidCategory category)
{
  if ((guint) category >= LACUNA_DEID_N_CATEGORIES)
    return NULL;
  return g_dgettext (GETTEXT_PACKAGE, category_labels[category]);
}

gboolean
lacuna_deid_category_is_identifying (LacunaDeidCategory category)
{
  return category != LACUNA_DEID_CATEGORY_SAFE && (guint) category < LACUNA_DEID_N_CATEGORIES;
}

static gboolean
vr_in (const char               *vr,
       const char *const        *list,
       guint                     n)
{
  for (guint i = 0; i < n; i++)
    if (strcmp (vr, list[i]) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
is_binary_vr (const char *vr)
{
  static const char *const vrs[] = { "OB", "OW", "OF", "OD", "OL", "OV", "UN" };

  return vr_in (vr, vrs, G_N_ELEMENTS (vrs));
}

LacunaDeidCategory
lacuna_deid_category_for_tag (guint32     tag,
                              const char *vr,
                              gboolean    in_input_uids)
{
  static const char *const text_vrs[] = { "LO", "SH", "ST", "LT", "UT", "UC" };
  static const char *const date_vrs[] = { "DA", "DT", "TM" };
  LacunaIdentityKind kind;
  const LacunaProfileRule *rule;
  gboolean listed;

  g_return_val_if_fail (vr != NULL, LACUNA_DEID_CATEGORY_SAFE);

  if ((tag >> 16) & 1)
    return LACUNA_DEID_CATEGORY_PRIVATE;
  if (strcmp (vr, "UN") == 0)
    vr = lacuna_dicom_tag_vr (tag);

  if (lacuna_identity_kind_for_tag (tag, vr, &kind))
    {
      switch (kind)
        {
        case LACUNA_IDENTITY_INSTITUTION:
        case LACUNA_IDENTITY_STATION_NAME:
        case LACUNA_IDENTITY_RESIDENCE:
          return LACUNA_DEID_CATEGORY_QUASI_IDENTIFIER;
        case LACUNA_IDENTITY_PATIENT_NAME:
        case LACUNA_IDENTITY_PERSON_NAME:
        case LACUNA_IDENTITY_PATIENT_ID:
        case LACUNA_IDENTITY_ACCESSION_NUMBER:
        case LACUNA_IDENTITY_STUDY_ID:
        case LACUNA_IDENTITY_BIRTH_DATE:
        case LACUNA_IDENTITY_ADDRESS:
        case LACUNA_IDENTITY_PHONE:
        case LACUNA_IDENTITY_N_KINDS:
        default:
          return LACUNA_DEID_CATEGORY_DIRECT_IDENTIFIER;
        }
    }

  switch (tag)
    {
    case 0x00101002:   /* Other Patient IDs Sequence */
    case 0x00101050:   /* Insurance Plan Identification */
    case 0x00101090:   /* Medical Record Locator */
    case 0x00380010:   /* Admission ID */
    case 0x00402016:   /* Placer Order Number / Imaging Service Request */
    case 0x00402017:   /* Filler Order Number / Imaging Service Request */
    case 0x00080092:   /* Referring Physician's Address */
    case 0x00080094:   /* Referring Physician's Telephone Numbers */
      return LACUNA_DEID_CATEGORY_DIRECT_IDENTIFIER;

    case 0x00101010:   /* Patient's Age */
    case 0x00100040:   /* Patient's Sex */
    case 0x00101020:   /* Patient's Size */
    case 0x00101030:   /* Patient's Weight */
    case 0x00102160:   /* Ethnic Group */
    case 0x00102180:   /* Occupation */
    case 0x001021F0:   /* Patient's Religious Preference */
    case 0x001021A0:   /* Smoking Status */
    case 0x001021C0:   /* Pregnancy Status */
    case 0x00102203:   /* Patient's Sex Neutered */
    case 0x00100021:   /* Issuer of Patient ID */
    case 0x00181000:   /* Device Serial Number */
    case 0x00020016:   /* Source Application Entity Title */
    case 0x00020017:   /* Sending Application Entity Title */
    case 0x00020018:   /* Receiving Application Entity Title */
      return LACUNA_DEID_CATEGORY_QUASI_IDENTIFIER;
    default:
      break;
    }

  if (vr_in (vr, date_vrs, G_N_ELEMENTS (date_vrs)))
    return LACUNA_DEID_CATEGORY_DATE;

  rule = lacuna_profile_lookup (tag);
  listed = rule != NULL && rule->basic != LACUNA_PROFILE_ACTION_K &&
           rule->basic != LACUNA_PROFILE_ACTION_NONE;

  if (strcmp (vr, "UI") == 0)
    return listed || in_input_uids ? LACUNA_DEID_CATEGORY_UID : LACUNA_DEID_CATEGORY_SAFE;
  if (!listed || strcmp (vr, "SQ") == 0)
    return LACUNA_DEID_CATEGORY_SAFE;
  if (strcmp (vr, "AE") == 0)
    return LACUNA_DEID_CATEGORY_QUASI_IDENTIFIER;
  if (vr_in (vr, text_vrs, G_N_ELEMENTS (text_vrs)) || is_binary_vr (vr))
    return LACUNA_DEID_CATEGORY_FREE_TEXT;
  return LACUNA_DEID_CATEGORY_QUASI_IDENTIFIER;
}

/* ---------------------------------------------------------------------------------------- */
/* Plan                                                                                     */

struct _LacunaDeidPlan
{
  gatomicrefcount  ref_count;
  GArray          *entries;   /* LacunaDeidPlanEntry */
  GArray          *record;    /* LacunaDeidPlanEntry */
  GHashTable      *by_path;   /* path (borrowed from the entry) → index + 1 */
};

static void
entry_clear (gpointer data)
{
  LacunaDeidPlanEntry *e = data;

  g_clear_pointer (&e->path, g_free);
  g_clear_pointer (&e->value, g_free);
  g_clear_pointer (&e->new_value, g_free);
}

LacunaDeidPlan *
lacuna_deid_plan_ref (LacunaDeidPlan *plan)
{
  g_return_val_if_fail (plan != NULL, NULL);
  g_atomic_ref_count_inc (&plan->ref_count);
  return plan;
}

void
lacuna_deid_plan_unref (LacunaDeidPlan *plan)
{
  g_return_if_fail (plan != NULL);

  if (g_atomic_ref_count_dec (&plan->ref_count))
    {
      g_hash_table_unref (plan->by_path);
      g_array_unref (plan->entries);
      g_array_unref (plan->record);
      g_free (plan);
    }
}

typedef struct
{
  LacunaDeidPlan *plan;
  GHashTable     *log;          /* path → const LacunaDeidLogEntry* (the first one) */
  GHashTable     *edits;        /* path → LacunaDeidEdit* */
  GHashTable     *input_uids;
} Build;

static gboolean
in_set (GHashTable *set,
        const char *value)
{
  g_auto(GStrv) parts = NULL;

  if (set == NULL || value == NULL)
    return FALSE;
  parts = g_strsplit (value, "\\", -1);
  for (char **p = parts; *p != NULL; p++)
    {
      g_strstrip (*p);
      if (**p != '\0' && g_hash_table_contains (set, *p))
        return TRUE;
    }
  return FALSE;
}

static gboolean
is_keyed_value (const LacunaDeidPlanEntry *e)
{
  const char *v = e->new_value;

  if (e->edit != LACUNA_DEID_PLAN_EDIT_SET || v == NULL || *v == '\0' || e->overridden ||
      g_strcmp0 (e->reason, R_PSEUDONYM) == 0)
    return FALSE;
  if (e->action == LACUNA_PROFILE_ACTION_U || g_str_has_prefix (v, "2.25."))
    return TRUE;
  if (g_str_has_prefix (v, "ANONYMOUS^") || (g_str_has_prefix (v, "LAC") && strlen (v) == 13))
    return TRUE;
  /* A shifted date: C on a date that was changed. */
  return e->action == LACUNA_PROFILE_ACTION_C && g_strcmp0 (v, e->value) != 0 &&
         (strcmp (e->vr, "DA") == 0 || strcmp (e->vr, "DT") == 0);
}

static LacunaDicomWalkResult
build_cb (const LacunaDicomElement *el,
          gpointer                  user_data)
{
  Build *b = user_data;
  LacunaDeidPlanEntry e = { 0 };
  const LacunaDeidLogEntry *logged = g_hash_table_lookup (b->log, el->path);
  const LacunaDeidEdit *edit = g_hash_table_lookup (b->edits, el->path);

  e.path = g_strdup (el->path);
  e.tag = el->tag;
  e.keyword = g_intern_string (el->keyword != NULL ? el->keyword : "");
  e.name = g_intern_string (el->name != NULL ? el->name : "");
  g_strlcpy (e.vr, el->vr, sizeof e.vr);
  e.depth = el->depth;
  e.is_sequence = el->is_sequence;
  e.n_items = el->n_items;
  e.value = g_strdup (el->value);
  e.category = lacuna_deid_category_for_tag (el->tag, el->vr,
                                             strcmp (el->vr, "UI") == 0 &&
                                             in_set (b->input_uids, el->value));

  if (logged != NULL)
    {
      e.action = logged->action;
      e.reason = logged->reason;
      e.overridden = g_strcmp0 (logged->reason, R_OVERRIDE) == 0;
    }
  else
    {
      /* Not visited by the decision pass: an enclosing sequence is removed whole. */
      e.action = LACUNA_PROFILE_ACTION_X;
      e.reason = R_WITH_PARENT;
      e.with_parent = TRUE;
    }

  if (e.with_parent)
    e.edit = LACUNA_DEID_PLAN_EDIT_REMOVE;
  else if (edit == NULL)
    e.edit = LACUNA_DEID_PLAN_EDIT_NONE;
  else
    {
      switch (edit->kind)
        {
        case LACUNA_DEID_EDIT_REMOVE:
          e.edit = LACUNA_DEID_PLAN_EDIT_REMOVE;
          break;
        case LACUNA_DEID_EDIT_SET_STRING:
          e.edit = LACUNA_DEID_PLAN_EDIT_SET;
          e.new_value = g_strdup (edit->value != NULL ? edit->value : "");
          break;
        case LACUNA_DEID_EDIT_SET_BYTES:
          e.edit = LACUNA_DEID_PLAN_EDIT_SET_BINARY;
          e.new_size = edit->size;
          break;
        case LACUNA_DEID_EDIT_NONE:
        default:
          e.edit = LACUNA_DEID_PLAN_EDIT_NONE;
          break;
        }
    }
  e.keyed = is_keyed_value (&e);

  g_array_append_val (b->plan->entries, e);
  return LACUNA_DICOM_WALK_CONTINUE;
}

LacunaDeidPlan *
lacuna_deid_plan_file (LacunaDeidContext  *ctx,
                       LacunaDicomFile    *file,
                       GError            **error)
{
  g_autoptr(LacunaDeidLog) log = NULL;
  g_autoptr(GPtrArray) edits = NULL;
  g_autoptr(GPtrArray) record = NULL;
  g_autoptr(GHashTable) by_log = NULL;
  g_autoptr(GHashTable) by_edit = NULL;
  LacunaDeidPlan *plan;
  Build b = { 0 };

  g_return_val_if_fail (ctx != NULL, NULL);
  g_return_val_if_fail (file != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  log = lacuna_deid_log_new ();
  if (!_lacuna_deid_decide (ctx, file, log, &edits, &record, error))
    return NULL;

  by_log = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < lacuna_deid_log_get_n_entries (log); i++)
    {
      const LacunaDeidLogEntry *le = lacuna_deid_log_get_entry (log, i);

      if (le->kind == LACUNA_DEID_LOG_ELEMENT && !g_hash_table_contains (by_log, le->path))
        g_hash_table_insert (by_log, le->path, (gpointer) le);
    }
  by_edit = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < edits->len; i++)
    {
      LacunaDeidEdit *edit = g_ptr_array_index (edits, i);

      g_hash_table_insert (by_edit, edit->path, edit);
    }

  plan = g_new0 (LacunaDeidPlan, 1);
  g_atomic_ref_count_init (&plan->ref_count);
  plan->entries = g_array_new (FALSE, TRUE, sizeof (LacunaDeidPlanEntry));
  g_array_set_clear_func (plan->entries, entry_clear);
  plan->record = g_array_new (FALSE, TRUE, sizeof (LacunaDeidPlanEntry));
  g_array_set_clear_func (plan->record, entry_clear);
  plan->by_path = g_hash_table_new (g_str_hash, g_str_equal);

  b.plan = plan;
  b.log = by_log;
  b.edits = by_edit;
  b.input_uids = _lacuna_deid_context_get_input_uids (ctx);
  lacuna_dicom_file_walk (file, TRUE, build_cb, &b);

  for (guint i = 0; i < plan->entries->len; i++)
    {
      LacunaDeidPlanEntry *e = &g_array_index (plan->entries, LacunaDeidPlanEntry, i);

      if (!g_hash_table_contains (plan->by_path, e->path))
        g_hash_table_insert (plan->by_path, e->path, GUINT_TO_POINTER (i + 1));
    }

  for (guint i = 0; i < record->len; i++)
    {
      LacunaDeidEdit *edit = g_ptr_array_index (record, i);
      LacunaDeidPlanEntry e = { 0 };
      guint32 tag = lacuna_dicom_path_last_tag (edit->path);
      const char *name = lacuna_dicom_tag_name (tag);

      e.path = g_strdup (edit->path);
      e.tag = tag;
      e.keyword = g_intern_string (edit->keyword != NULL ? edit->keyword : "");
      e.name = g_intern_string (name != NULL ? name : "");
      g_strlcpy (e.vr, edit->vr != NULL ? edit->vr : "", sizeof e.vr);
      e.is_sequence = edit->vr != NULL && strcmp (edit->vr, "SQ") == 0;
      e.action = LACUNA_PROFILE_ACTION_NONE;
      e.reason = R_RECORD;
      e.category = LACUNA_DEID_CATEGORY_SAFE;
      if (edit->kind == LACUNA_DEID_EDIT_SET_STRING)
        {
          e.edit = LACUNA_DEID_PLAN_EDIT_SET;
          e.new_value = g_strdup (edit->value);
        }
      g_array_append_val (plan->record, e);
    }

  return plan;
}

LacunaDeidPlan *
lacuna_deid_plan_file_with_options (const LacunaDeidOptions  *options,
                                    LacunaKey                *key,
                                    LacunaDicomFile          *file,
                                    GError                  **error)
{
  g_autoptr(GHashTable) set = NULL;
  g_autoptr(LacunaDeidContext) ctx = NULL;

  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (file != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  set = lacuna_uid_set_new ();
  lacuna_uid_set_collect (set, file);
  ctx = lacuna_deid_context_new (key, options, set, error);
  if (ctx == NULL)
    return NULL;
  return lacuna_deid_plan_file (ctx, file, error);
}

guint
lacuna_deid_plan_get_n_entries (LacunaDeidPlan *plan)
{
  g_return_val_if_fail (plan != NULL, 0);
  return plan->entries->len;
}

const LacunaDeidPlanEntry *
lacuna_deid_plan_get_entry (LacunaDeidPlan *plan,
                            guint           index)
{
  g_return_val_if_fail (plan != NULL, NULL);
  g_return_val_if_fail (index < plan->entries->len, NULL);
  return &g_array_index (plan->entries, LacunaDeidPlanEntry, index);
}

const LacunaDeidPlanEntry *
lacuna_deid_plan_lookup (LacunaDeidPlan *plan,
                         const char     *path)
{
  guint index;

  g_return_val_if_fail (plan != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  index = GPOINTER_TO_UINT (g_hash_table_lookup (plan->by_path, path));
  if (index == 0)
    return NULL;
  return &g_array_index (plan->entries, LacunaDeidPlanEntry, index - 1);
}

guint
lacuna_deid_plan_get_n_record (LacunaDeidPlan *plan)
{
  g_return_val_if_fail (plan != NULL, 0);
  return plan->record->len;
}

const LacunaDeidPlanEntry *
lacuna_deid_plan_get_record (LacunaDeidPlan *plan,
                             guint           index)
{
  g_return_val_if_fail (plan != NULL, NULL);
  g_return_val_if_fail (index < plan->record->len, NULL);
  return &g_array_index (plan->record, LacunaDeidPlanEntry, index);
}

guint
lacuna_deid_plan_count_identifying (LacunaDeidPlan *plan)
{
  guint n = 0;

  g_return_val_if_fail (plan != NULL, 0);

  for (guint i = 0; i < plan->entries->len; i++)
    if (lacuna_deid_category_is_identifying (
          g_array_index (plan->entries, LacunaDeidPlanEntry, i).category))
      n++;
  return n;
}
