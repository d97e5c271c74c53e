/* lacuna-autosave.c: decisions saved per study in the user's data folder. */
#define G_LOG_DOMAIN "lacuna-autosave"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "lacuna-autosave.h"
#include "lacuna-recipe-write.h"

struct _LacunaAutosave
{
  GObject           parent_instance;

  LacunaDecisions  *decisions;
  /* The studies followed (their Study Instance UIDs, distinct, in order), or NULL; and the
   * collection they come from (to tell which study a box belongs to), or NULL. */
  GStrv             study_uids;
  LacunaCollection *collection;
  gboolean          exported;
  gboolean          restoring;
};

G_DEFINE_FINAL_TYPE (LacunaAutosave, lacuna_autosave, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_EXPORTED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

char *
lacuna_autosave_dup_path (LacunaKey  *key,
                          const char *study_uid)
{
  guint8 mac[32];
  g_autoptr(GString) name = NULL;

  if (key == NULL || study_uid == NULL || *study_uid == '\0')
    return NULL;

  lacuna_key_hmac_domain (key, "autosave", study_uid, mac);
  name = g_string_new (NULL);
  for (guint i = 0; i < sizeof mac; i++)
    g_string_append_printf (name, "%02x", mac[i]);
  g_string_append (name, ".json");
  return g_build_filename (g_get_user_data_dir (), "lacuna", "decisions", name->str, NULL);
}

gboolean
lacuna_autosave_save (LacunaKey                *key,
                      const char               *study_uid,
                      const LacunaDeidOptions  *options,
                      GError                  **error)
{
  g_autofree char *path = lacuna_autosave_dup_path (key, study_uid);
  g_autofree char *dir = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (options != NULL, FALSE);

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not create the folder for saved decisions: %s"), g_strerror (saved));
      return FALSE;
    }
  return lacuna_deid_options_save_recipe (options, path, error);
}

LacunaDeidOptions *
lacuna_autosave_load (LacunaKey   *key,
                      const char  *study_uid,
                      GError     **error)
{
  g_autofree char *path = lacuna_autosave_dup_path (key, study_uid);
  g_autoptr(LacunaDeidOptions) options = NULL;

  if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return NULL;
  options = lacuna_deid_options_new ();
  if (!lacuna_deid_options_load_recipe (options, path, error))
    return NULL;
  return g_steal_pointer (&options);
}

static void
set_exported (LacunaAutosave *self,
              gboolean        exported)
{
  if (self->exported == exported)
    return;
  self->exported = exported;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXPORTED]);
}

/* The study of the instance a box names, or NULL (a box on every image, or an instance
 * that is not in the collection). */
static const char *
box_study_uid (LacunaAutosave      *self,
               const LacunaDeidBox *box)
{
  LacunaInstance *instance;

  if (self->collection == NULL || box->sop_instance_uid == NULL)
    return NULL;
  instance = lacuna_collection_find_instance (self->collection, box->sop_instance_uid);
  return instance != NULL ? lacuna_instance_get_study_uid (instance) : NULL;
}

/* What is saved for one study: every decision, but of the boxes only those on its own
 * images (and those on every image). */
static LacunaDeidOptions *
dup_study_options (LacunaAutosave          *self,
                   const LacunaDeidOptions *options,
                   const char              *study_uid)
{
  LacunaDeidOptions *copy = lacuna_deid_options_copy (options);

  for (guint i = copy->boxes != NULL ? copy->boxes->len : 0; i > 0; i--)
    {
      const char *uid = box_study_uid (self, g_ptr_array_index (copy->boxes, i - 1));

      if (uid != NULL && g_strcmp0 (uid, study_uid) != 0)
        g_ptr_array_remove_index (copy->boxes, i - 1);
    }
  return copy;
}

static void
decisions_changed_cb (LacunaAutosave *self)
{
  LacunaKey *key = lacuna_decisions_get_key (self->decisions);
  const LacunaDeidOptions *options = lacuna_decisions_get_options (self->decisions);

  if (self->restoring || self->study_uids == NULL || key == NULL)
    return;
  set_exported (self, FALSE);
  for (guint i = 0; self->study_uids[i] != NULL; i++)
    {
      g_autoptr(LacunaDeidOptions) saved = dup_study_options (self, options, self->study_uids[i]);
      g_autoptr(GError) error = NULL;

      if (!lacuna_autosave_save (key, self->study_uids[i], saved, &error))
        g_message ("Decisions not saved: %s", error->message);
    }
}

static void
lacuna_autosave_dispose (GObject *object)
{
  LacunaAutosave *self = LACUNA_AUTOSAVE (object);

  g_clear_object (&self->decisions);
  g_clear_object (&self->collection);
  G_OBJECT_CLASS (lacuna_autosave_parent_class)->dispose (object);
}

static void
lacuna_autosave_finalize (GObject *object)
{
  LacunaAutosave *self = LACUNA_AUTOSAVE (object);

  g_strfreev (self->study_uids);
  G_OBJECT_CLASS (lacuna_autosave_parent_class)->finalize (object);
}

static void
lacuna_autosave_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  LacunaAutosave *self = LACUNA_AUTOSAVE (object);

  switch (prop_id)
    {
    case PROP_EXPORTED:
      g_value_set_boolean (value, self->exported);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lacuna_autosave_class_init (LacunaAutosaveClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lacuna_autosave_dispose;
  object_class->finalize = lacuna_autosave_finalize;
  object_class->get_property = lacuna_autosave_get_property;

  properties[PROP_EXPORTED] =
    g_param_spec_boolean ("exported", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lacuna_autosave_init (LacunaAutosave *self)
{
  self->exported = TRUE;
}

LacunaAutosave *
lacuna_autosave_new (LacunaDecisions *decisions)
{
  LacunaAutosave *self;

  g_return_val_if_fail (LACUNA_IS_DECISIONS (decisions), NULL);

  self = g_object_new (LACUNA_TYPE_AUTOSAVE, NULL);
  self->decisions = g_object_ref (decisions);
  g_signal_connect_object (decisions, "changed", G_CALLBACK (decisions_changed_cb), self,
                           G_CONNECT_SWAPPED);
  return self;
}

static gboolean
box_equal (const LacunaDeidBox *a,
           const LacunaDeidBox *b)
{
  return g_strcmp0 (a->sop_instance_uid, b->sop_instance_uid) == 0 && a->scope == b->scope
         && a->x == b->x && a->y == b->y && a->width == b->width && a->height == b->height
         && a->n_frames == b->n_frames
         && (a->n_frames == 0 || memcmp (a->frames, b->frames, a->n_frames * sizeof (guint)) == 0);
}

/* Adds to merged what more than it other holds: overrides of other paths, other boxes. */
static void
merge_options (LacunaDeidOptions       *merged,
               const LacunaDeidOptions *other)
{
  for (guint i = 0; other->overrides != NULL && i < other->overrides->len; i++)
    {
      const LacunaDeidOverride *o = g_ptr_array_index (other->overrides, i);
      gboolean found = FALSE;

      for (guint j = 0; merged->overrides != NULL && j < merged->overrides->len && !found; j++)
        found = g_strcmp0 (((LacunaDeidOverride *) g_ptr_array_index (merged->overrides, j))->path,
                           o->path) == 0;
      if (!found)
        lacuna_deid_options_add_override (merged, o->path, o->action, o->value);
    }
  for (guint i = 0; other->boxes != NULL && i < other->boxes->len; i++)
    {
      const LacunaDeidBox *box = g_ptr_array_index (other->boxes, i);
      gboolean found = FALSE;

      for (guint j = 0; merged->boxes != NULL && j < merged->boxes->len && !found; j++)
        found = box_equal (g_ptr_array_index (merged->boxes, j), box);
      if (!found)
        lacuna_deid_options_add_box (merged, box->sop_instance_uid, box->scope, box->frames,
                                     box->n_frames, box->x, box->y, box->width, box->height);
    }
}

static gboolean
follow (LacunaAutosave   *self,
        GStrv             study_uids,
        LacunaCollection *collection)
{
  g_autoptr(LacunaDeidOptions) merged = NULL;
  gboolean restored = FALSE;

  g_strfreev (self->study_uids);
  self->study_uids = study_uids;
  g_set_object (&self->collection, collection);

  for (guint i = 0; self->study_uids != NULL && self->study_uids[i] != NULL; i++)
    {
      LacunaKey *key = lacuna_decisions_get_key (self->decisions);
      g_autoptr(GError) error = NULL;
      g_autoptr(LacunaDeidOptions) saved = lacuna_autosave_load (key, self->study_uids[i],
                                                                 &error);

      if (error != NULL)
        g_message ("Saved decisions not restored: %s", error->message);
      if (saved == NULL)
        continue;
      if (merged == NULL)
        merged = g_steal_pointer (&saved);
      else
        merge_options (merged, saved);
    }
  if (merged != NULL)
    {
      g_autoptr(LacunaDecision) set = lacuna_decision_new_set_options (merged);
      g_autoptr(LacunaDecision) undo = NULL;
      g_autoptr(GError) error = NULL;

      self->restoring = TRUE;
      undo = lacuna_decisions_apply (self->decisions, set, &error);
      self->restoring = FALSE;
      restored = undo != NULL;
      if (error != NULL)
        g_message ("Saved decisions not restored: %s", error->message);
    }
  set_exported (self, TRUE);
  return restored;
}

gboolean
lacuna_autosave_set_study (LacunaAutosave *self,
                           const char     *study_uid)
{
  GStrv uids = NULL;

  g_return_val_if_fail (LACUNA_IS_AUTOSAVE (self), FALSE);

  if (study_uid != NULL)
    {
      uids = g_new0 (char *, 2);
      uids[0] = g_strdup (study_uid);
    }
  return follow (self, uids, NULL);
}

gboolean
lacuna_autosave_set_collection (LacunaAutosave   *self,
                                LacunaCollection *collection)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  g_autoptr(GHashTable) seen = NULL;
  GStrv uids;

  g_return_val_if_fail (LACUNA_IS_AUTOSAVE (self), FALSE);
  g_return_val_if_fail (collection == NULL || LACUNA_IS_COLLECTION (collection), FALSE);

  if (collection == NULL)
    return follow (self, NULL, NULL);

  builder = g_strv_builder_new ();
  seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint p = 0; p < g_list_model_get_n_items (G_LIST_MODEL (collection)); p++)
    {
      g_autoptr(GListModel) patient = g_list_model_get_item (G_LIST_MODEL (collection), p);

      for (guint t = 0; t < g_list_model_get_n_items (patient); t++)
        {
          g_autoptr(LacunaStudy) study = g_list_model_get_item (patient, t);
          const char *uid = lacuna_study_get_uid (study);

          if (uid != NULL && *uid != '\0' && !g_hash_table_contains (seen, uid))
            {
              g_hash_table_add (seen, (gpointer) uid);
              g_strv_builder_add (builder, uid);
            }
        }
    }
  uids = g_strv_builder_end (builder);
  if (uids[0] == NULL)
    g_clear_pointer (&uids, g_strfreev);
  return follow (self, uids, collection);
}

const char *
lacuna_autosave_get_study (LacunaAutosave *self)
{
  g_return_val_if_fail (LACUNA_IS_AUTOSAVE (self), NULL);
  return self->study_uids != NULL ? self->study_uids[0] : NULL;
}

const char * const *
lacuna_autosave_get_studies (LacunaAutosave *self)
{
  g_return_val_if_fail (LACUNA_IS_AUTOSAVE (self), NULL);
  return (const char * const *) self->study_uids;
}

gboolean
lacuna_autosave_get_exported (LacunaAutosave *self)
{
  g_return_val_if_fail (LACUNA_IS_AUTOSAVE (self), TRUE);
  return self->exported;
}

void
lacuna_autosave_mark_exported (LacunaAutosave *self)
{
  g_return_if_fail (LACUNA_IS_AUTOSAVE (self));
  set_exported (self, TRUE);
}
