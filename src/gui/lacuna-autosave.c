/* lacuna-autosave.c: decisions saved per study in the user's data folder. */
#define G_LOG_DOMAIN "lacuna-autosave"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "lacuna-autosave.h"
#include "lacuna-recipe-write.h"

struct _LacunaAutosave
{
  GObject          parent_instance;

  LacunaDecisions *decisions;
  char            *study_uid;
  gboolean         exported;
  gboolean         restoring;
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

static void
decisions_changed_cb (LacunaAutosave *self)
{
  LacunaKey *key = lacuna_decisions_get_key (self->decisions);
  g_autoptr(GError) error = NULL;

  if (self->restoring || self->study_uid == NULL || key == NULL)
    return;
  set_exported (self, FALSE);
  if (!lacuna_autosave_save (key, self->study_uid, lacuna_decisions_get_options (self->decisions),
                             &error))
    g_message ("Decisions not saved: %s", error->message);
}

static void
lacuna_autosave_dispose (GObject *object)
{
  LacunaAutosave *self = LACUNA_AUTOSAVE (object);

  g_clear_object (&self->decisions);
  G_OBJECT_CLASS (lacuna_autosave_parent_class)->dispose (object);
}

static void
lacuna_autosave_finalize (GObject *object)
{
  LacunaAutosave *self = LACUNA_AUTOSAVE (object);

  g_free (self->study_uid);
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

gboolean
lacuna_autosave_set_study (LacunaAutosave *self,
                           const char     *study_uid)
{
  g_autoptr(LacunaDeidOptions) saved = NULL;
  g_autoptr(GError) error = NULL;
  gboolean restored = FALSE;

  g_return_val_if_fail (LACUNA_IS_AUTOSAVE (self), FALSE);

  g_free (self->study_uid);
  self->study_uid = g_strdup (study_uid);
  saved = lacuna_autosave_load (lacuna_decisions_get_key (self->decisions), study_uid, &error);
  if (error != NULL)
    g_message ("Saved decisions not restored: %s", error->message);
  if (saved != NULL)
    {
      g_autoptr(LacunaDecision) set = lacuna_decision_new_set_options (saved);
      g_autoptr(LacunaDecision) undo = NULL;

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

const char *
lacuna_autosave_get_study (LacunaAutosave *self)
{
  g_return_val_if_fail (LACUNA_IS_AUTOSAVE (self), NULL);
  return self->study_uid;
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
