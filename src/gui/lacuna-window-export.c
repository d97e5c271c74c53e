/* lacuna-window-export.c: LacunaWindow's export: win.export (Ctrl+E), win.export-patient (one
 * patient of a folder holding several), the decisions autosaved per study and restored, the
 * defaults from Preferences, and asking before closing with decisions not yet exported. */
#define G_LOG_DOMAIN "lacuna-window-export"

#include "config.h"

#include <glib/gi18n.h>

#include "lacuna-autosave.h"
#include "lacuna-export-dialog.h"
#include "lacuna-preferences.h"
#include "lacuna-window-private.h"

static const char *
study_uid_of (LacunaWindow *self)
{
  g_autoptr(LacunaSeries) series = NULL;

  if (self->series_list == NULL || g_list_model_get_n_items (self->series_list) == 0)
    return NULL;
  series = g_list_model_get_item (self->series_list, 0);
  if (g_list_model_get_n_items (G_LIST_MODEL (series)) == 0)
    return NULL;
  return lacuna_instance_get_study_uid (lacuna_series_get_instance (series, 0));
}

static GStrv
dup_inputs (LacunaWindow *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint s = 0; self->series_list != NULL && s < g_list_model_get_n_items (self->series_list);
       s++)
    {
      g_autoptr(LacunaSeries) series = g_list_model_get_item (self->series_list, s);

      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (series)); i++)
        {
          const char *source = lacuna_instance_get_source (lacuna_series_get_instance (series, i));

          if (source != NULL && !g_hash_table_contains (seen, source))
            {
              g_hash_table_add (seen, (gpointer) source);
              g_strv_builder_add (builder, source);
            }
        }
    }
  return g_strv_builder_end (builder);
}

static void
export_finished_cb (LacunaExportDialog *dialog,
                    LacunaWindow       *self)
{
  if (lacuna_export_dialog_get_error (dialog) == NULL
      && lacuna_export_dialog_get_n_written (dialog) > 0)
    lacuna_autosave_mark_exported (self->autosave);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  LacunaWindow *self = LACUNA_WINDOW (widget);
  g_auto(GStrv) inputs = NULL;
  LacunaExportDialog *dialog;

  if (self->collection == NULL || self->series_list == NULL)
    return;
  inputs = dup_inputs (self);
  if (inputs[0] == NULL)
    return;
  dialog = lacuna_export_dialog_new (GTK_WINDOW (self), self->decisions,
                                     (const char * const *) inputs);
  g_signal_connect_object (dialog, "finished", G_CALLBACK (export_finished_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The sources of one patient's instances (an archive once, by its path); other_patients
 * set when such an archive also holds instances of another patient. */
static GStrv
dup_patient_inputs (LacunaWindow  *self,
                    guint          position,
                    gboolean      *other_patients)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) archives = g_hash_table_new (g_str_hash, g_str_equal);
  GListModel *patients = G_LIST_MODEL (self->collection);
  guint n_patients = g_list_model_get_n_items (patients);

  *other_patients = FALSE;
  for (guint pass = 0; pass < 2; pass++)
    for (guint p = 0; p < n_patients; p++)
      {
        g_autoptr(LacunaPatient) patient = g_list_model_get_item (patients, p);

        /* First pass: this patient's sources; second: the others', only to find archives in
         * common. */
        if ((pass == 0) != (p == position))
          continue;
        for (guint t = 0; t < g_list_model_get_n_items (G_LIST_MODEL (patient)); t++)
          {
            g_autoptr(LacunaStudy) study = g_list_model_get_item (G_LIST_MODEL (patient), t);

            for (guint s = 0; s < g_list_model_get_n_items (G_LIST_MODEL (study)); s++)
              {
                g_autoptr(LacunaSeries) series = g_list_model_get_item (G_LIST_MODEL (study), s);

                for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (series)); i++)
                  {
                    LacunaInstance *instance = lacuna_series_get_instance (series, i);
                    const char *source = lacuna_instance_get_source (instance);

                    if (source == NULL)
                      continue;
                    if (pass == 1)
                      {
                        if (g_hash_table_contains (archives, source))
                          *other_patients = TRUE;
                        continue;
                      }
                    if (lacuna_instance_get_archive_member (instance) != NULL)
                      g_hash_table_add (archives, (gpointer) source);
                    if (!g_hash_table_contains (seen, source))
                      {
                        g_hash_table_add (seen, (gpointer) source);
                        g_strv_builder_add (builder, source);
                      }
                  }
              }
          }
      }
  return g_strv_builder_end (builder);
}

/* win.export-patient "N": the export dialog on the files of the collection's patient N only. */
static void
export_patient_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  LacunaWindow *self = LACUNA_WINDOW (widget);
  const char *text = g_variant_get_string (parameter, NULL);
  g_auto(GStrv) inputs = NULL;
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  LacunaExportDialog *dialog;
  GtkWidget *content;
  GtkWidget *header;
  guint64 position;
  guint n_patients;
  gboolean other_patients;

  if (self->collection == NULL)
    return;
  n_patients = g_list_model_get_n_items (G_LIST_MODEL (self->collection));
  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT, &position, NULL)
      || position >= n_patients)
    return;
  inputs = dup_patient_inputs (self, (guint) position, &other_patients);
  if (inputs[0] == NULL)
    return;
  dialog = lacuna_export_dialog_new (GTK_WINDOW (self), self->decisions,
                                     (const char * const *) inputs);
  /* TRANSLATORS: which patient of the folder is exported; never their name. */
  subtitle = g_strdup_printf (_("Patient %u of %u"), (guint) position + 1, n_patients);
  title = g_strdup_printf (_("Export Patient %u of %u"), (guint) position + 1, n_patients);
  gtk_window_set_title (GTK_WINDOW (dialog), title);
  content = adw_window_get_content (ADW_WINDOW (dialog));
  header = content != NULL ? gtk_widget_get_first_child (content) : NULL;
  if (header != NULL && ADW_IS_HEADER_BAR (header))
    adw_header_bar_set_title_widget (ADW_HEADER_BAR (header),
                                     adw_window_title_new (_("Export"), subtitle));
  if (other_patients && GTK_IS_BOX (content))
    {
      GtkWidget *banner = gtk_label_new (_("An archive of this patient also holds other "
                                           "patients: the whole archive is exported, with "
                                           "every patient in it."));

      gtk_label_set_wrap (GTK_LABEL (banner), TRUE);
      gtk_widget_add_css_class (banner, "warning");
      gtk_widget_set_margin_start (banner, 12);
      gtk_widget_set_margin_end (banner, 12);
      gtk_widget_set_margin_top (banner, 6);
      gtk_widget_set_margin_bottom (banner, 6);
      gtk_widget_set_name (banner, "whole-archive-notice");
      gtk_box_insert_child_after (GTK_BOX (content), banner, header);
    }
  g_signal_connect_object (dialog, "finished", G_CALLBACK (export_finished_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The study is open: the defaults, then what was saved for it. */
static void
study_changed_cb (LacunaWindow *self)
{
  const char *uid = study_uid_of (self);
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(LacunaDeidOptions) defaults = NULL;
  g_autoptr(LacunaDecision) set = NULL;
  g_autoptr(LacunaDecision) undo = NULL;
  g_autoptr(GError) error = NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export", uid != NULL);
  lacuna_autosave_set_collection (self->autosave, NULL);
  if (uid == NULL)
    return;

  settings = lacuna_preferences_dup_settings ();
  defaults = lacuna_deid_options_new ();
  defaults->options = lacuna_preferences_get_default_options (settings);
  defaults->date_shift_max_days = lacuna_preferences_get_date_shift_days (settings);
  set = lacuna_decision_new_set_options (defaults);
  undo = lacuna_decisions_apply (self->decisions, set, &error);
  if (undo == NULL)
    g_message ("Default options not applied: %s", error->message);

  if (lacuna_decisions_get_key (self->decisions) == NULL)
    {
      g_autofree char *path = lacuna_key_dup_default_path ();

      /* Only an existing key: the key is created with the first decision. */
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        {
          g_autoptr(LacunaKey) key = lacuna_key_load (path, NULL, NULL);

          if (key != NULL)
            lacuna_decisions_set_key (self->decisions, key);
        }
    }
  /* Every study of the collection, each under its own name. */
  lacuna_autosave_set_collection (self->autosave, self->collection);
}

/* A decision about an open study needs a key to be saved under. */
static void
decisions_changed_cb (LacunaWindow *self)
{
  g_autofree char *path = NULL;
  g_autoptr(LacunaKey) key = NULL;
  g_autoptr(GError) error = NULL;

  if (lacuna_decisions_get_key (self->decisions) != NULL
      || lacuna_autosave_get_study (self->autosave) == NULL)
    return;
  path = lacuna_key_dup_default_path ();
  key = lacuna_key_load_or_create (path, NULL, &error);
  if (key == NULL)
    {
      lacuna_window_show_error (self, _("Decisions Not Saved"), error, TRUE);
      return;
    }
  lacuna_decisions_set_key (self->decisions, key);
}

static void
close_response_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   LacunaWindow     *self)
{
  if (g_strcmp0 (response, "discard") == 0)
    {
      lacuna_autosave_mark_exported (self->autosave);
      gtk_window_close (GTK_WINDOW (self));
    }
  else if (g_strcmp0 (response, "export") == 0)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.export", NULL);
}

static gboolean
close_request_cb (LacunaWindow *self,
                  gpointer      user_data)
{
  GtkWidget *dialog;

  if (self->autosave == NULL || lacuna_autosave_get_exported (self->autosave)
      || lacuna_autosave_get_study (self->autosave) == NULL)
    return FALSE;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Export or discard your decisions?"),
                                   _("You made decisions about this study that you have not "
                                     "exported yet. They stay saved on this computer and come "
                                     "back when you open the study again."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "discard", _("_Close Anyway"),
                                    "export", _("_Export…"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "export",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "export");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (close_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return TRUE;
}

void
_lacuna_window_class_init_export (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "win.export",
                                       NULL);
  gtk_widget_class_install_action (widget_class, "win.export-patient", "s",
                                   export_patient_action);
}

void
_lacuna_window_init_export (LacunaWindow *self)
{
  self->autosave = lacuna_autosave_new (self->decisions);
  g_signal_connect_object (self->decisions, "changed", G_CALLBACK (decisions_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "notify::model", G_CALLBACK (study_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect (self, "close-request", G_CALLBACK (close_request_cb), NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export", FALSE);
}

gboolean
lacuna_window_get_decisions_exported (LacunaWindow *self)
{
  g_return_val_if_fail (LACUNA_IS_WINDOW (self), TRUE);
  return self->autosave == NULL || lacuna_autosave_get_exported (self->autosave);
}
