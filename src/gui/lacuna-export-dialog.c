/* lacuna-export-dialog.c: presets, options, destination, summary; the run in a thread. */
#define G_LOG_DOMAIN "lacuna-export-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "lacuna-deface.h"
#include "lacuna-export-dialog.h"
#include "lacuna-export.h"
#include "lacuna-recipe-write.h"

struct _LacunaExportDialog
{
  AdwWindow                parent_instance;

  LacunaDecisions         *decisions;
  GStrv                    inputs;
  char                    *destination;
  gboolean                 zip;
  LacunaExportDialogState  state;

  GtkStack                *stack;
  GtkButton               *export_button;
  GtkToggleButton         *preset_buttons[4];
  GtkSwitch               *switches[LACUNA_PROFILE_N_OPTIONS];
  AdwActionRow            *destination_row;
  GtkSwitch               *zip_switch;
  GtkSwitch               *text_switch;
  GtkLabel                *summary_label;
  GtkProgressBar          *progress_bar;
  GtkLabel                *progress_label;
  AdwStatusPage           *done_page;
  GtkWidget               *open_folder_button;
  GtkWidget               *view_report_button;
  gboolean                 updating;

  /* The run. */
  GCancellable            *cancellable;
  guint                    progress_id;
  gpointer                 phase;   /* const char *, atomic */
  gint                     n_done;  /* atomic */
  gint                     n_total; /* atomic */
  GError                  *error;
  guint                    n_written;
  guint                    n_failed;
  char                    *output;
  char                    *report_path;
  GStrv                    messages;

  GtkNativeDialog         *chooser;
};

G_DEFINE_FINAL_TYPE (LacunaExportDialog, lacuna_export_dialog, ADW_TYPE_WINDOW)

enum
{
  FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const struct
{
  LacunaExportPreset  preset;
  const char         *label;
  const char         *tooltip;
} presets[] = {
  { LACUNA_EXPORT_PRESET_RESEARCH, N_("Researcher"),
    N_("Share with a researcher: dates shifted consistently, age, sex and size kept, "
       "descriptions cleaned, faces removed from head scans") },
  { LACUNA_EXPORT_PRESET_SECOND_OPINION, N_("Second Opinion"),
    N_("Send to a doctor for a second opinion: real dates, age, sex, devices and "
       "descriptions kept") },
  { LACUNA_EXPORT_PRESET_TEACHING, N_("Teaching File"),
    N_("Teaching file: no dates, age and sex kept, descriptions cleaned, faces removed "
       "from head scans") },
};

LacunaProfileOption
lacuna_export_preset_get_options (LacunaExportPreset preset)
{
  switch (preset)
    {
    case LACUNA_EXPORT_PRESET_RESEARCH:
      return LACUNA_PROFILE_OPTION_RETAIN_MODIFIED_DATES
             | LACUNA_PROFILE_OPTION_RETAIN_PATIENT_CHARACTERISTICS
             | LACUNA_PROFILE_OPTION_RETAIN_DEVICE_IDENTITY
             | LACUNA_PROFILE_OPTION_CLEAN_DESCRIPTORS
             | LACUNA_PROFILE_OPTION_CLEAN_STRUCTURED_CONTENT
             | LACUNA_PROFILE_OPTION_CLEAN_GRAPHICS
             | LACUNA_PROFILE_OPTION_CLEAN_RECOGNIZABLE_VISUAL_FEATURES;
    case LACUNA_EXPORT_PRESET_SECOND_OPINION:
      return LACUNA_PROFILE_OPTION_RETAIN_FULL_DATES
             | LACUNA_PROFILE_OPTION_RETAIN_PATIENT_CHARACTERISTICS
             | LACUNA_PROFILE_OPTION_RETAIN_DEVICE_IDENTITY
             | LACUNA_PROFILE_OPTION_RETAIN_INSTITUTION_IDENTITY
             | LACUNA_PROFILE_OPTION_CLEAN_DESCRIPTORS
             | LACUNA_PROFILE_OPTION_CLEAN_STRUCTURED_CONTENT;
    case LACUNA_EXPORT_PRESET_TEACHING:
      return LACUNA_PROFILE_OPTION_RETAIN_PATIENT_CHARACTERISTICS
             | LACUNA_PROFILE_OPTION_CLEAN_DESCRIPTORS
             | LACUNA_PROFILE_OPTION_CLEAN_STRUCTURED_CONTENT
             | LACUNA_PROFILE_OPTION_CLEAN_GRAPHICS
             | LACUNA_PROFILE_OPTION_CLEAN_RECOGNIZABLE_VISUAL_FEATURES;
    case LACUNA_EXPORT_PRESET_CUSTOM:
    default:
      return LACUNA_PROFILE_OPTION_NONE;
    }
}

char *
lacuna_export_option_dup_title (LacunaProfileOption option)
{
  const LacunaProfileOptionInfo *info = lacuna_profile_option_get_info (option);
  char *title;

  if (option == LACUNA_PROFILE_OPTION_CLEAN_RECOGNIZABLE_VISUAL_FEATURES)
    return g_strdup (_("Remove the Face from Head Scans"));
  if (info == NULL)
    return NULL;
  /* "Retain Safe Private Option" → "Retain Safe Private" */
  title = g_strdup (info->code_meaning);
  if (g_str_has_suffix (title, " Option"))
    title[strlen (title) - 7] = '\0';
  return title;
}

char *
lacuna_export_option_dup_description (LacunaProfileOption option)
{
  /* The engine defaces (lacuna-export.h) whenever this option is chosen. */
  if (option == LACUNA_PROFILE_OPTION_CLEAN_RECOGNIZABLE_VISUAL_FEATURES)
    return g_strdup_printf (_("In a defaced copy of each CT or MR head series, the skin and "
                              "tissue over the face are cut away to at most %.0f mm, so no "
                              "face can be rebuilt from it; the report records this as the "
                              "Clean Recognizable Visual Features option."),
                            LACUNA_DEFACE_DEFAULT_DEPTH_MM);
  return g_strdup (lacuna_profile_option_get_description (option));
}

static const LacunaDeidOptions *
get_options (LacunaExportDialog *self)
{
  return lacuna_decisions_get_options (self->decisions);
}

static char *
dup_output_path (LacunaExportDialog *self)
{
  if (self->destination == NULL)
    return NULL;
  if (self->zip && !g_str_has_suffix (self->destination, ".zip"))
    return g_strconcat (self->destination, ".zip", NULL);
  return g_strdup (self->destination);
}

static void
update_summary (LacunaExportDialog *self)
{
  const LacunaDeidOptions *options = get_options (self);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *output = dup_output_path (self);
  guint n_inputs = self->inputs != NULL ? g_strv_length (self->inputs) : 0;
  guint n_overrides = options->overrides != NULL ? options->overrides->len : 0;
  guint n_boxes = options->boxes != NULL ? options->boxes->len : 0;

  if (output != NULL)
    {
      g_autofree char *display = g_filename_display_name (output);

      g_string_append_printf (text, ngettext ("A de-identified copy of %u file goes to %s.",
                                              "A de-identified copy of %u files goes to %s.",
                                              n_inputs),
                              n_inputs, display);
    }
  else
    g_string_append (text, _("Choose where the de-identified copy goes."));
  g_string_append_c (text, '\n');

  if (options->patient_name != NULL || options->patient_id != NULL)
    g_string_append (text, _("The patient’s name and ID become the pseudonyms you chose."));
  else
    g_string_append (text, _("The patient’s name and ID become keyed pseudonyms."));
  g_string_append_c (text, '\n');

  if (options->options & LACUNA_PROFILE_OPTION_RETAIN_FULL_DATES)
    g_string_append (text, _("Dates are kept as they are."));
  else if (options->options & LACUNA_PROFILE_OPTION_RETAIN_MODIFIED_DATES)
    g_string_append_printf (text, ngettext ("Dates move by the same keyed shift of up to %u day "
                                            "for each patient.",
                                            "Dates move by the same keyed shift of up to %u days "
                                            "for each patient.",
                                            options->date_shift_max_days),
                            options->date_shift_max_days);
  else
    g_string_append (text, _("Dates are removed or replaced."));
  g_string_append_c (text, '\n');

  if (options->options & LACUNA_PROFILE_OPTION_RETAIN_UIDS)
    g_string_append (text, _("UIDs are kept: the copy can be linked to the original."));
  else
    g_string_append (text, _("UIDs are replaced by keyed UIDs."));
  g_string_append_c (text, '\n');

  if (options->options & LACUNA_PROFILE_OPTION_CLEAN_RECOGNIZABLE_VISUAL_FEATURES)
    g_string_append (text, _("The face is removed from CT and MR head series."));
  else
    g_string_append (text, _("Head scans keep the face: a 3D view could show it."));

  if (n_overrides > 0)
    {
      g_string_append_c (text, '\n');
      g_string_append_printf (text, ngettext ("%u decision of yours about a single element applies.",
                                              "%u decisions of yours about single elements apply.",
                                              n_overrides),
                              n_overrides);
    }
  if (n_boxes > 0)
    {
      g_string_append_c (text, '\n');
      g_string_append_printf (text, ngettext ("%u marked region is blacked out in the images.",
                                              "%u marked regions are blacked out in the images.",
                                              n_boxes),
                              n_boxes);
    }
  gtk_label_set_text (self->summary_label, text->str);
}

static void
update_from_decisions (LacunaExportDialog *self)
{
  LacunaProfileOption options = get_options (self)->options;

  self->updating = TRUE;
  for (guint i = 0; i < LACUNA_PROFILE_N_OPTIONS; i++)
    gtk_switch_set_active (self->switches[i], (options & (1u << i)) != 0);
  for (guint p = 0; p < G_N_ELEMENTS (presets); p++)
    gtk_toggle_button_set_active (self->preset_buttons[p],
                                  options == lacuna_export_preset_get_options (presets[p].preset));
  self->updating = FALSE;
  update_summary (self);
}

static void
set_profile_options (LacunaExportDialog  *self,
                     LacunaProfileOption  options)
{
  if (get_options (self)->options != options)
    lacuna_decisions_set_profile_options (self->decisions, options);
}

static void
switch_active_cb (GtkSwitch          *sw,
                  GParamSpec         *pspec,
                  LacunaExportDialog *self)
{
  LacunaProfileOption options = get_options (self)->options;

  if (self->updating)
    return;
  for (guint i = 0; i < LACUNA_PROFILE_N_OPTIONS; i++)
    if (self->switches[i] == sw)
      {
        if (gtk_switch_get_active (sw))
          options |= 1u << i;
        else
          options &= ~(1u << i);
      }
  set_profile_options (self, options);
  update_from_decisions (self);
}

static void
preset_toggled_cb (GtkToggleButton    *button,
                   LacunaExportDialog *self)
{
  if (self->updating || !gtk_toggle_button_get_active (button))
    return;
  for (guint p = 0; p < G_N_ELEMENTS (presets); p++)
    if (self->preset_buttons[p] == button)
      lacuna_export_dialog_set_preset (self, presets[p].preset);
}

void
lacuna_export_dialog_set_preset (LacunaExportDialog *self,
                                 LacunaExportPreset  preset)
{
  g_return_if_fail (LACUNA_IS_EXPORT_DIALOG (self));

  if (preset != LACUNA_EXPORT_PRESET_CUSTOM)
    set_profile_options (self, lacuna_export_preset_get_options (preset));
  update_from_decisions (self);
}

static void
update_actions (LacunaExportDialog *self)
{
  gboolean ready = self->state != LACUNA_EXPORT_DIALOG_RUNNING;

  gtk_widget_set_visible (GTK_WIDGET (self->export_button),
                          self->state == LACUNA_EXPORT_DIALOG_READY);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "export.start",
                                 ready && self->destination != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "export.cancel", !ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "export.save-recipe", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "export.load-recipe", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "export.open-folder",
                                 self->state == LACUNA_EXPORT_DIALOG_DONE && self->error == NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "export.view-report",
                                 self->state == LACUNA_EXPORT_DIALOG_DONE
                                 && self->report_path != NULL);
}

void
lacuna_export_dialog_set_destination (LacunaExportDialog *self,
                                      const char         *path)
{
  g_return_if_fail (LACUNA_IS_EXPORT_DIALOG (self));

  g_free (self->destination);
  self->destination = g_strdup (path);
  if (path != NULL)
    {
      g_autofree char *display = g_filename_display_name (path);

      adw_action_row_set_subtitle (self->destination_row, display);
    }
  else
    adw_action_row_set_subtitle (self->destination_row, _("None chosen yet"));
  update_summary (self);
  update_actions (self);
}

const char *
lacuna_export_dialog_get_destination (LacunaExportDialog *self)
{
  g_return_val_if_fail (LACUNA_IS_EXPORT_DIALOG (self), NULL);
  return self->destination;
}

void
lacuna_export_dialog_set_zip (LacunaExportDialog *self,
                              gboolean            zip)
{
  g_return_if_fail (LACUNA_IS_EXPORT_DIALOG (self));
  gtk_switch_set_active (self->zip_switch, zip);
}

static void
zip_active_cb (GtkSwitch          *sw,
               GParamSpec         *pspec,
               LacunaExportDialog *self)
{
  self->zip = gtk_switch_get_active (sw);
  update_summary (self);
}

/* The run. */

typedef struct
{
  GStrv                 inputs;
  char                 *output;
  LacunaKey            *key;
  LacunaExportOptions  *options;
  guint                 n_written;
  guint                 n_failed;
  char                 *report_path;
  GStrv                 messages;
} RunData;

static void
run_data_free (RunData *data)
{
  g_strfreev (data->inputs);
  g_free (data->output);
  g_clear_pointer (&data->key, lacuna_key_unref);
  g_clear_pointer (&data->options, lacuna_export_options_free);
  g_free (data->report_path);
  g_strfreev (data->messages);
  g_free (data);
}

static void
progress_func (const char *phase,
               guint       n_done,
               guint       n_total,
               gpointer    user_data)
{
  LacunaExportDialog *self = user_data;

  /* phase is static; the main thread polls these. */
  g_atomic_pointer_set (&self->phase, (gpointer) phase);
  g_atomic_int_set (&self->n_done, (gint) n_done);
  g_atomic_int_set (&self->n_total, (gint) n_total);
}

static void
run_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  RunData *data = task_data;
  g_autoptr(LacunaExport) export = NULL;
  g_autoptr(GError) error = NULL;

  export = lacuna_export_new ((const char * const *) data->inputs, data->output, data->key,
                              data->options);
  lacuna_export_set_progress_func (export, progress_func, source_object);
  if (!lacuna_export_run (export, cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data->n_written = lacuna_export_get_n_written (export);
  data->n_failed = lacuna_export_get_n_failed (export);
  data->report_path = g_strdup (lacuna_export_get_report_path (export));
  data->messages = lacuna_export_dup_messages (export);
  g_task_return_boolean (task, TRUE);
}

static const char *
phase_label (const char *phase)
{
  if (g_strcmp0 (phase, "loading") == 0)
    return _("Reading the study…");
  if (g_strcmp0 (phase, "indexing") == 0)
    return _("Collecting identifiers…");
  if (g_strcmp0 (phase, "defacing") == 0)
    return _("Removing the face from head scans…");
  if (g_strcmp0 (phase, "writing") == 0)
    return _("Writing the de-identified copy…");
  if (g_strcmp0 (phase, "finalizing") == 0)
    return _("Writing the report…");
  return _("Starting…");
}

static gboolean
progress_cb (gpointer user_data)
{
  LacunaExportDialog *self = user_data;
  int done = g_atomic_int_get (&self->n_done);
  int total = g_atomic_int_get (&self->n_total);

  gtk_label_set_text (self->progress_label, phase_label (g_atomic_pointer_get (&self->phase)));
  if (total > 0)
    gtk_progress_bar_set_fraction (self->progress_bar, CLAMP ((double) done / total, 0.0, 1.0));
  else
    gtk_progress_bar_pulse (self->progress_bar);
  return G_SOURCE_CONTINUE;
}

static void
run_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  LacunaExportDialog *self = LACUNA_EXPORT_DIALOG (object);
  RunData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  g_clear_handle_id (&self->progress_id, g_source_remove);
  g_clear_object (&self->cancellable);
  self->state = LACUNA_EXPORT_DIALOG_DONE;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          /* Cancelled: back to the options, nothing to report. */
          self->state = LACUNA_EXPORT_DIALOG_READY;
          gtk_stack_set_visible_child_name (self->stack, "options");
        }
      else
        {
          adw_status_page_set_icon_name (self->done_page, "dialog-error-symbolic");
          adw_status_page_set_title (self->done_page, _("Export Failed"));
          adw_status_page_set_description (self->done_page, error->message);
          gtk_stack_set_visible_child_name (self->stack, "done");
        }
      g_clear_error (&self->error);
      self->error = g_steal_pointer (&error);
    }
  else
    {
      g_autofree char *text = NULL;

      self->n_written = data->n_written;
      self->n_failed = data->n_failed;
      g_free (self->report_path);
      self->report_path = g_strdup (data->report_path);
      g_strfreev (self->messages);
      self->messages = g_steal_pointer (&data->messages);
      if (self->n_failed > 0)
        text = g_strdup_printf (ngettext ("%u file written; %u could not be written: the report "
                                          "says why.",
                                          "%u files written; %u could not be written: the report "
                                          "says why.",
                                          self->n_written),
                                self->n_written, self->n_failed);
      else
        text = g_strdup_printf (ngettext ("%u file written.", "%u files written.",
                                          self->n_written),
                                self->n_written);
      adw_status_page_set_icon_name (self->done_page, self->n_failed > 0
                                     ? "dialog-warning-symbolic" : "emblem-ok-symbolic");
      adw_status_page_set_title (self->done_page, _("Export Finished"));
      adw_status_page_set_description (self->done_page, text);
      gtk_stack_set_visible_child_name (self->stack, "done");
    }
  update_actions (self);
  g_signal_emit (self, signals[FINISHED], 0);
}

static LacunaKey *
ensure_key (LacunaExportDialog  *self,
            GError             **error)
{
  LacunaKey *key = lacuna_decisions_get_key (self->decisions);
  g_autofree char *path = NULL;
  g_autoptr(LacunaKey) loaded = NULL;

  if (key != NULL)
    return lacuna_key_ref (key);
  path = lacuna_key_dup_default_path ();
  loaded = lacuna_key_load_or_create (path, NULL, error);
  if (loaded == NULL)
    return NULL;
  lacuna_decisions_set_key (self->decisions, loaded);
  return g_steal_pointer (&loaded);
}

static void
start_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  LacunaExportDialog *self = LACUNA_EXPORT_DIALOG (widget);
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  RunData *data;

  if (self->state == LACUNA_EXPORT_DIALOG_RUNNING || self->destination == NULL)
    return;

  data = g_new0 (RunData, 1);
  data->key = ensure_key (self, &error);
  if (data->key == NULL)
    {
      run_data_free (data);
      adw_status_page_set_icon_name (self->done_page, "dialog-error-symbolic");
      adw_status_page_set_title (self->done_page, _("No Key"));
      adw_status_page_set_description (self->done_page, error->message);
      g_clear_error (&self->error);
      self->error = g_steal_pointer (&error);
      self->state = LACUNA_EXPORT_DIALOG_DONE;
      gtk_stack_set_visible_child_name (self->stack, "done");
      update_actions (self);
      g_signal_emit (self, signals[FINISHED], 0);
      return;
    }
  data->inputs = g_strdupv (self->inputs);
  data->output = dup_output_path (self);
  data->options = lacuna_export_options_new ();
  data->options->deid = lacuna_deid_options_copy (get_options (self));
  /* The deface switch is the Clean Recognizable Visual Features option (the engine implies
   * one from the other; said here for the reader). */
  data->options->deface = (data->options->deid->options
                           & LACUNA_PROFILE_OPTION_CLEAN_RECOGNIZABLE_VISUAL_FEATURES) != 0;
  data->options->zip = self->zip;
  data->options->burned_in = gtk_switch_get_active (self->text_switch)
                             ? LACUNA_EXPORT_BURNED_IN_AUTO : LACUNA_EXPORT_BURNED_IN_OFF;

  g_free (self->output);
  self->output = g_strdup (data->output);
  g_clear_pointer (&self->report_path, g_free);
  g_clear_error (&self->error);
  self->n_written = self->n_failed = 0;
  g_atomic_pointer_set (&self->phase, NULL);
  g_atomic_int_set (&self->n_done, 0);
  g_atomic_int_set (&self->n_total, 0);

  self->state = LACUNA_EXPORT_DIALOG_RUNNING;
  self->cancellable = g_cancellable_new ();
  gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
  gtk_stack_set_visible_child_name (self->stack, "progress");
  self->progress_id = g_timeout_add (100, progress_cb, self);
  update_actions (self);

  task = g_task_new (self, self->cancellable, run_done_cb, NULL);
  g_task_set_source_tag (task, start_action);
  g_task_set_task_data (task, data, (GDestroyNotify) run_data_free);
  g_task_run_in_thread (task, run_thread);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  LacunaExportDialog *self = LACUNA_EXPORT_DIALOG (widget);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

static void
show_path (LacunaExportDialog *self,
           const char         *path)
{
  g_autofree char *uri = g_filename_to_uri (path, NULL, NULL);

  if (uri != NULL)
    gtk_show_uri (GTK_WINDOW (self), uri, GDK_CURRENT_TIME);
}

static void
open_folder_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  LacunaExportDialog *self = LACUNA_EXPORT_DIALOG (widget);

  if (self->output == NULL)
    return;
  if (self->zip)
    {
      g_autofree char *dir = g_path_get_dirname (self->output);

      show_path (self, dir);
    }
  else
    show_path (self, self->output);
}

static void
view_report_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  LacunaExportDialog *self = LACUNA_EXPORT_DIALOG (widget);
  g_autofree char *html = NULL;

  if (self->report_path == NULL)
    return;
  if (g_str_has_suffix (self->report_path, ".json"))
    {
      g_autofree char *stem = g_strndup (self->report_path, strlen (self->report_path) - 5);

      html = g_strconcat (stem, ".html", NULL);
    }
  show_path (self, html != NULL && g_file_test (html, G_FILE_TEST_EXISTS) ? html
                                                                          : self->report_path);
}

/* File choosers. */

typedef enum
{
  CHOOSE_DESTINATION,
  CHOOSE_SAVE_RECIPE,
  CHOOSE_LOAD_RECIPE,
} ChooseKind;

static void
show_error (LacunaExportDialog *self,
            const char         *heading,
            const GError       *error)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, error->message);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
chooser_response_cb (GtkNativeDialog    *chooser,
                     int                 response,
                     LacunaExportDialog *self)
{
  ChooseKind kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (chooser), "kind"));
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  if (file != NULL)
    path = g_file_get_path (file);
  g_clear_object (&self->chooser);
  if (path == NULL)
    return;

  switch (kind)
    {
    case CHOOSE_DESTINATION:
      lacuna_export_dialog_set_destination (self, path);
      break;
    case CHOOSE_SAVE_RECIPE:
      if (!lacuna_deid_options_save_recipe (get_options (self), path, &error))
        show_error (self, _("Recipe Not Saved"), error);
      break;
    case CHOOSE_LOAD_RECIPE:
      {
        g_autoptr(LacunaDeidOptions) options = lacuna_deid_options_new ();
        g_autoptr(LacunaDecision) set = NULL;
        g_autoptr(LacunaDecision) undo = NULL;

        if (lacuna_deid_options_load_recipe (options, path, &error))
          {
            set = lacuna_decision_new_set_options (options);
            undo = lacuna_decisions_apply (self->decisions, set, &error);
          }
        if (error != NULL)
          show_error (self, _("Recipe Not Loaded"), error);
      }
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
choose (LacunaExportDialog   *self,
        ChooseKind            kind,
        const char           *title,
        GtkFileChooserAction  action,
        const char           *accept)
{
  GtkFileChooserNative *chooser;

  if (self->chooser != NULL)
    return;
  chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self), action, accept, _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  if (kind != CHOOSE_DESTINATION)
    {
      GtkFileFilter *filter = gtk_file_filter_new ();

      gtk_file_filter_set_name (filter, _("Recipes"));
      gtk_file_filter_add_pattern (filter, "*.json");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
      g_object_unref (filter);
    }
  if (kind == CHOOSE_SAVE_RECIPE)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), _("recipe.json"));
  g_object_set_data (G_OBJECT (chooser), "kind", GINT_TO_POINTER (kind));
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), self);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

static void
choose_destination_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  choose (LACUNA_EXPORT_DIALOG (widget), CHOOSE_DESTINATION, _("Export To"),
          GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Select"));
}

static void
save_recipe_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  choose (LACUNA_EXPORT_DIALOG (widget), CHOOSE_SAVE_RECIPE, _("Save Recipe"),
          GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"));
}

static void
load_recipe_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  choose (LACUNA_EXPORT_DIALOG (widget), CHOOSE_LOAD_RECIPE, _("Load Recipe"),
          GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"));
}

/* Construction. */

static gboolean
close_request_cb (GtkWindow *window)
{
  LacunaExportDialog *self = LACUNA_EXPORT_DIALOG (window);

  /* Closing cancels a run; the task holds the dialog until the thread returns. */
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  return FALSE;
}

static void
lacuna_export_dialog_dispose (GObject *object)
{
  LacunaExportDialog *self = LACUNA_EXPORT_DIALOG (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->progress_id, g_source_remove);
  if (self->chooser != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->chooser, self);
      gtk_native_dialog_destroy (self->chooser);
      g_clear_object (&self->chooser);
    }
  g_clear_object (&self->decisions);
  G_OBJECT_CLASS (lacuna_export_dialog_parent_class)->dispose (object);
}

static void
lacuna_export_dialog_finalize (GObject *object)
{
  LacunaExportDialog *self = LACUNA_EXPORT_DIALOG (object);

  g_strfreev (self->inputs);
  g_free (self->destination);
  g_free (self->output);
  g_free (self->report_path);
  g_strfreev (self->messages);
  g_clear_error (&self->error);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (lacuna_export_dialog_parent_class)->finalize (object);
}

static void
lacuna_export_dialog_class_init (LacunaExportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = lacuna_export_dialog_dispose;
  object_class->finalize = lacuna_export_dialog_finalize;
  window_class->close_request = close_request_cb;

  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                    NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "export.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "export.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "export.open-folder", NULL, open_folder_action);
  gtk_widget_class_install_action (widget_class, "export.view-report", NULL, view_report_action);
  gtk_widget_class_install_action (widget_class, "export.save-recipe", NULL, save_recipe_action);
  gtk_widget_class_install_action (widget_class, "export.load-recipe", NULL, load_recipe_action);
  gtk_widget_class_install_action (widget_class, "export.choose-destination", NULL,
                                   choose_destination_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static GtkWidget *
new_button (const char *label,
            const char *action,
            const char *style)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  if (style != NULL)
    gtk_widget_add_css_class (button, style);
  return button;
}

/* An option's row: its title, its one sentence, its switch. */
static GtkWidget *
new_option_row (LacunaExportDialog  *self,
                LacunaProfileOption  option)
{
  GtkWidget *sw = gtk_switch_new ();
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *title = lacuna_export_option_dup_title (option);
  g_autofree char *description = lacuna_export_option_dup_description (option);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), description);
  gtk_widget_set_valign (sw, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), sw);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), sw);
  self->switches[lacuna_profile_option_get_index (option)] = GTK_SWITCH (sw);
  g_signal_connect (sw, "notify::active", G_CALLBACK (switch_active_cb), self);
  return row;
}

static GtkWidget *
build_options_page (LacunaExportDialog *self)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
  GtkWidget *group;
  GtkWidget *linked;
  GtkWidget *row;
  GtkWidget *button;
  guint n_infos = 0;
  const LacunaProfileOptionInfo *infos = lacuna_profile_get_options (&n_infos);

  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_widget_set_margin_top (box, 18);
  gtk_widget_set_margin_bottom (box, 18);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);

  /* Purpose */
  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Purpose"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                         _("Choose what the copy is for; the options below "
                                           "follow, and you can still change each one."));
  linked = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_add_css_class (linked, "linked");
  gtk_widget_set_halign (linked, GTK_ALIGN_CENTER);
  for (guint p = 0; p < G_N_ELEMENTS (presets); p++)
    {
      button = gtk_toggle_button_new_with_label (_(presets[p].label));
      gtk_widget_set_tooltip_text (button, _(presets[p].tooltip));
      if (p > 0)
        gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (button), self->preset_buttons[0]);
      self->preset_buttons[p] = GTK_TOGGLE_BUTTON (button);
      g_signal_connect (button, "toggled", G_CALLBACK (preset_toggled_cb), self);
      gtk_box_append (GTK_BOX (linked), button);
    }
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), linked);
  gtk_box_append (GTK_BOX (box), group);

  /* Options */
  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("What to Keep"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                         _("With every switch off, the copy follows the DICOM "
                                           "Basic Profile: everything that could identify the "
                                           "patient is removed or replaced."));
  for (guint i = 0; i < n_infos && i < LACUNA_PROFILE_N_OPTIONS; i++)
    {
      /* Its switch is "Remove the Face from Head Scans", under Images. */
      if (infos[i].option == LACUNA_PROFILE_OPTION_CLEAN_RECOGNIZABLE_VISUAL_FEATURES)
        continue;
      row = new_option_row (self, infos[i].option);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
    }
  gtk_box_append (GTK_BOX (box), group);

  /* Images */
  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Images"));
  row = new_option_row (self, LACUNA_PROFILE_OPTION_CLEAN_RECOGNIZABLE_VISUAL_FEATURES);
  gtk_widget_set_name (row, "deface-row");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Black Out Text in Images"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               _("Text burned into the pixels (names, dates) is found and "
                                 "blacked out; every written image is checked again."));
  self->text_switch = GTK_SWITCH (gtk_switch_new ());
  gtk_switch_set_active (self->text_switch, TRUE);
  gtk_widget_set_valign (GTK_WIDGET (self->text_switch), GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), GTK_WIDGET (self->text_switch));
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), GTK_WIDGET (self->text_switch));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  gtk_box_append (GTK_BOX (box), group);

  /* Destination */
  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Destination"));
  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Folder"));
  button = new_button (_("_Choose…"), "export.choose-destination", NULL);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), button);
  self->destination_row = ADW_ACTION_ROW (row);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Write a Zip File"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               _("One .zip file instead of a folder, easier to send."));
  self->zip_switch = GTK_SWITCH (gtk_switch_new ());
  gtk_widget_set_valign (GTK_WIDGET (self->zip_switch), GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), GTK_WIDGET (self->zip_switch));
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), GTK_WIDGET (self->zip_switch));
  g_signal_connect (self->zip_switch, "notify::active", G_CALLBACK (zip_active_cb), self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  gtk_box_append (GTK_BOX (box), group);

  /* Summary */
  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("What Will Change"));
  self->summary_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->summary_label, TRUE);
  gtk_label_set_xalign (self->summary_label, 0.0);
  gtk_label_set_selectable (self->summary_label, FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (self->summary_label), "body");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->summary_label));
  gtk_box_append (GTK_BOX (box), group);

  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  return scrolled;
}

static GtkWidget *
build_progress_page (LacunaExportDialog *self)
{
  GtkWidget *page = adw_status_page_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *button;

  adw_status_page_set_title (ADW_STATUS_PAGE (page), _("Exporting"));
  self->progress_label = GTK_LABEL (gtk_label_new (NULL));
  self->progress_bar = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_widget_set_size_request (GTK_WIDGET (self->progress_bar), 300, -1);
  button = new_button (_("_Cancel"), "export.cancel", "pill");
  gtk_widget_set_halign (button, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->progress_label));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->progress_bar));
  gtk_box_append (GTK_BOX (box), button);
  gtk_widget_set_halign (box, GTK_ALIGN_CENTER);
  adw_status_page_set_child (ADW_STATUS_PAGE (page), box);
  return page;
}

static GtkWidget *
build_done_page (LacunaExportDialog *self)
{
  GtkWidget *page = adw_status_page_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

  self->open_folder_button = new_button (_("_Open Folder"), "export.open-folder", "pill");
  self->view_report_button = new_button (_("_View Report"), "export.view-report", "pill");
  gtk_widget_add_css_class (self->view_report_button, "suggested-action");
  gtk_box_append (GTK_BOX (box), self->open_folder_button);
  gtk_box_append (GTK_BOX (box), self->view_report_button);
  gtk_widget_set_halign (box, GTK_ALIGN_CENTER);
  adw_status_page_set_child (ADW_STATUS_PAGE (page), box);
  self->done_page = ADW_STATUS_PAGE (page);
  return page;
}

static void
lacuna_export_dialog_init (LacunaExportDialog *self)
{
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *menu_button = gtk_menu_button_new ();
  g_autoptr(GMenu) menu = g_menu_new ();

  gtk_window_set_title (GTK_WINDOW (self), _("Export"));
  gtk_window_set_default_size (GTK_WINDOW (self), 560, 720);
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);

  self->export_button = GTK_BUTTON (new_button (_("_Export"), "export.start", "suggested-action"));
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), GTK_WIDGET (self->export_button));
  g_menu_append (menu, _("_Load Recipe…"), "export.load-recipe");
  g_menu_append (menu, _("_Save Recipe…"), "export.save-recipe");
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (menu_button), G_MENU_MODEL (menu));
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (menu_button), "open-menu-symbolic");
  gtk_widget_set_tooltip_text (menu_button, _("Recipes"));
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), menu_button);
  gtk_box_append (GTK_BOX (content), header);

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_set_transition_type (self->stack, GTK_STACK_TRANSITION_TYPE_CROSSFADE);
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);
  gtk_stack_add_named (self->stack, build_options_page (self), "options");
  gtk_stack_add_named (self->stack, build_progress_page (self), "progress");
  gtk_stack_add_named (self->stack, build_done_page (self), "done");
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->stack));
  adw_window_set_content (ADW_WINDOW (self), content);
}

LacunaExportDialog *
lacuna_export_dialog_new (GtkWindow          *parent,
                          LacunaDecisions    *decisions,
                          const char * const *inputs)
{
  LacunaExportDialog *self;

  g_return_val_if_fail (LACUNA_IS_DECISIONS (decisions), NULL);

  self = g_object_new (LACUNA_TYPE_EXPORT_DIALOG, "transient-for", parent, NULL);
  self->decisions = g_object_ref (decisions);
  self->inputs = g_strdupv ((char **) inputs);
  g_signal_connect_object (decisions, "changed", G_CALLBACK (update_from_decisions), self,
                           G_CONNECT_SWAPPED);
  lacuna_export_dialog_set_destination (self, NULL);
  update_from_decisions (self);
  update_actions (self);
  return self;
}

GtkSwitch *
lacuna_export_dialog_get_switch (LacunaExportDialog  *self,
                                 LacunaProfileOption  option)
{
  int index = lacuna_profile_option_get_index (option);

  g_return_val_if_fail (LACUNA_IS_EXPORT_DIALOG (self), NULL);
  g_return_val_if_fail (index >= 0 && index < LACUNA_PROFILE_N_OPTIONS, NULL);
  return self->switches[index];
}

const char *
lacuna_export_dialog_get_summary (LacunaExportDialog *self)
{
  g_return_val_if_fail (LACUNA_IS_EXPORT_DIALOG (self), NULL);
  return gtk_label_get_text (self->summary_label);
}

LacunaExportDialogState
lacuna_export_dialog_get_state (LacunaExportDialog *self)
{
  g_return_val_if_fail (LACUNA_IS_EXPORT_DIALOG (self), LACUNA_EXPORT_DIALOG_READY);
  return self->state;
}

const GError *
lacuna_export_dialog_get_error (LacunaExportDialog *self)
{
  g_return_val_if_fail (LACUNA_IS_EXPORT_DIALOG (self), NULL);
  return self->error;
}

guint
lacuna_export_dialog_get_n_written (LacunaExportDialog *self)
{
  g_return_val_if_fail (LACUNA_IS_EXPORT_DIALOG (self), 0);
  return self->n_written;
}

guint
lacuna_export_dialog_get_n_failed (LacunaExportDialog *self)
{
  g_return_val_if_fail (LACUNA_IS_EXPORT_DIALOG (self), 0);
  return self->n_failed;
}

const char *
lacuna_export_dialog_get_output (LacunaExportDialog *self)
{
  g_return_val_if_fail (LACUNA_IS_EXPORT_DIALOG (self), NULL);
  return self->output;
}

const char *
lacuna_export_dialog_get_report_path (LacunaExportDialog *self)
{
  g_return_val_if_fail (LACUNA_IS_EXPORT_DIALOG (self), NULL);
  return self->report_path;
}

const char * const *
lacuna_export_dialog_get_messages (LacunaExportDialog *self)
{
  g_return_val_if_fail (LACUNA_IS_EXPORT_DIALOG (self), NULL);
  return (const char * const *) self->messages;
}
