/* lacuna-window.c
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "lacuna-window"

#include "config.h"

#include <glib/gi18n.h>

#include "lacuna-window-private.h"
#include "lacuna-annotations.h"
#include "lacuna-view-bar.h"


G_DEFINE_FINAL_TYPE (LacunaWindow, lacuna_window, ADW_TYPE_APPLICATION_WINDOW)

/* ------------------------------------------------------------------------------------- */
/* Series list                                                                           */

static void
update_position_label (LacunaWindow *self)
{
  guint n = lacuna_image_view_get_n_positions (self->image_view);
  g_autofree char *text = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->position_label), n > 1);
  if (n == 0)
    return;

  /* Translators: the slice shown and the number of slices, "12 / 64" */
  text = g_strdup_printf (_("%u / %u"), lacuna_image_view_get_position (self->image_view) + 1, n);
  gtk_label_set_text (self->position_label, text);
}

/* The tag inspector follows the image shown (only while it is visible). */
static void
update_inspector (LacunaWindow *self)
{
  int height;

  if (!gtk_widget_get_visible (GTK_WIDGET (self->tag_inspector)))
    return;
  /* The first time: share the height between the image and the list. */
  height = gtk_widget_get_height (GTK_WIDGET (self->inspector_paned));
  if (!self->inspector_placed && height > 0)
    {
      gtk_paned_set_position (self->inspector_paned, height / 2);
      self->inspector_placed = TRUE;
    }
  lacuna_tag_inspector_set_instance (self->tag_inspector,
                                     lacuna_image_view_get_instance (self->image_view, NULL));
}

static void
show_inspector_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  LacunaWindow *self = LACUNA_WINDOW (widget);

  if (g_str_equal (gtk_stack_get_visible_child_name (self->main_stack), "study"))
    gtk_toggle_button_set_active (self->inspector_button,
                                  !gtk_toggle_button_get_active (self->inspector_button));
}

/* Shows the findings in the sidebar instead of the study browser, or back. */
static void
show_findings_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  LacunaWindow *self = LACUNA_WINDOW (widget);

  if (!g_str_equal (gtk_stack_get_visible_child_name (self->main_stack), "study")
      || lacuna_window_get_loading (self))
    return;
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->sidebar_stack), "findings") == 0)
    {
      gtk_stack_set_visible_child_name (self->sidebar_stack, "list");
      return;
    }
  lacuna_findings_panel_set_collection (self->findings_panel, self->collection);
  gtk_stack_set_visible_child_name (self->sidebar_stack, "findings");
  adw_flap_set_reveal_flap (self->flap, TRUE);
}

/* A finding with a tag path: its instance in the series shown, then its row in the
 * inspector. */
static void
finding_activated_cb (LacunaWindow  *self,
                      LacunaFinding *finding)
{
  const char *sop = lacuna_finding_get_sop_instance_uid (finding);
  guint n = lacuna_image_view_get_n_positions (self->image_view);

  /* An image finding (burned-in text, a face, a measured slice): lacuna-window-findings.c. */
  if (lacuna_finding_get_tag_path (finding) == NULL)
    {
      _lacuna_window_show_finding_region (self, finding);
      return;
    }
  for (guint i = 0; sop != NULL && i < n; i++)
    {
      LacunaInstance *instance = lacuna_image_view_get_instance_at (self->image_view, i, NULL);

      if (instance != NULL && g_strcmp0 (lacuna_instance_get_sop_instance_uid (instance), sop) == 0)
        {
          if (lacuna_image_view_get_position (self->image_view) != i)
            lacuna_image_view_set_position (self->image_view, i);
          break;
        }
    }
  if (!gtk_toggle_button_get_active (self->inspector_button))
    gtk_widget_activate_action (GTK_WIDGET (self), "win.show-inspector", NULL);
  lacuna_tag_inspector_select_path (self->tag_inspector, lacuna_finding_get_tag_path (finding));
}

static void
page_changed_cb (LacunaWindow *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->inspector_button),
                          g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack),
                                     "study") == 0);
}

static void
selection_changed_cb (LacunaWindow *self)
{
  LacunaSeries *series = gtk_single_selection_get_selected_item (self->selection);
  const char *description;
  GtkWidget *focus;

  if (series == NULL)
    return;

  /* The series shown while loading, now complete and sorted, keeps its slice on screen. */
  lacuna_image_view_replace_model (self->image_view, G_LIST_MODEL (series));
  update_inspector (self);
  description = lacuna_series_get_description (series);
  adw_window_title_set_subtitle (self->window_title, description ? description : "");

  /* In a narrow window the sidebar covers the image: close it after the user chose. */
  focus = gtk_root_get_focus (GTK_ROOT (self));
  if (adw_flap_get_folded (self->flap)
      && focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->study_browser)))
    adw_flap_set_reveal_flap (self->flap, FALSE);
}

/* ------------------------------------------------------------------------------------- */
/* Problems and errors                                                                   */

static void
dialog_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    LacunaWindow     *self);

static GtkWidget *
build_problem_list (LacunaWindow *self)
{
  GPtrArray *problems = lacuna_collection_get_problems (self->collection);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *list = gtk_list_box_new ();

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (list),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Files"),
                                  -1);

  for (guint i = 0; i < problems->len; i++)
    {
      const LacunaProblem *problem = g_ptr_array_index (problems, i);
      GtkWidget *row = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
      g_autofree char *name = g_path_get_basename (problem->path);
      g_autofree char *reason = NULL;
      GtkWidget *title;
      GtkWidget *subtitle;

      /* Translators: what happened to a file, and why: "Skipped: Not a DICOM file" */
      reason = g_strdup_printf (_("%s: %s"),
                                problem->kind == LACUNA_PROBLEM_FAILED ? _("Could not be read")
                                                                       : _("Skipped"),
                                problem->error ? problem->error->message : _("Unknown reason"));
      title = gtk_label_new (name);
      gtk_label_set_xalign (GTK_LABEL (title), 0);
      gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_MIDDLE);
      gtk_widget_set_tooltip_text (title, problem->path);
      subtitle = gtk_label_new (reason);
      gtk_label_set_xalign (GTK_LABEL (subtitle), 0);
      gtk_label_set_wrap (GTK_LABEL (subtitle), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (subtitle), PANGO_WRAP_WORD_CHAR);
      gtk_widget_add_css_class (subtitle, "caption");
      gtk_widget_add_css_class (subtitle, "dim-label");
      gtk_box_append (GTK_BOX (row), title);
      gtk_box_append (GTK_BOX (row), subtitle);
      gtk_widget_add_css_class (row, "problem-row");
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }

  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), list);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled),
                                  GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 320);
  return scrolled;
}

static void
show_problems_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  LacunaWindow *self = LACUNA_WINDOW (widget);
  AdwMessageDialog *dialog;
  GPtrArray *problems;
  g_autofree char *body = NULL;

  if (self->collection == NULL)
    return;
  problems = lacuna_collection_get_problems (self->collection);
  if (problems == NULL || problems->len == 0)
    return;

  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%u file was skipped or could not be read. Nothing was changed on disk.",
                                       "%u files were skipped or could not be read. Nothing was changed on disk.",
                                       problems->len),
                          problems->len);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                       _("Files Not Opened"), body));
  adw_message_dialog_set_extra_child (dialog, build_problem_list (self));
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  gtk_window_set_default_size (GTK_WINDOW (dialog), 480, -1);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
dialog_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    LacunaWindow     *self)
{
  if (g_strcmp0 (response, "details") == 0)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.show-problems", NULL);
}

void
_lacuna_window_show_nothing_found (LacunaWindow *self)
{
  GtkWidget *dialog;
  guint n = lacuna_collection_get_problems (self->collection)->len;

  _lacuna_window_show_page (self, "welcome");
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("No DICOM Images Found"), NULL);
  if (n > 0)
    {
      adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                      g_dngettext (GETTEXT_PACKAGE,
                                                   "%u file was found, but it could not be opened as DICOM.",
                                                   "%u files were found, but none could be opened as DICOM.",
                                                   n),
                                      n);
      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "details", _("_Details"));
    }
  else
    adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog), _("There are no files in what was opened."));
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "close");
  g_signal_connect_object (dialog, "response", G_CALLBACK (dialog_response_cb), self, 0);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
lacuna_window_show_error (LacunaWindow *self,
                          const char   *heading,
                          const GError *error,
                          gboolean      recoverable)
{
  g_return_if_fail (LACUNA_IS_WINDOW (self));
  g_return_if_fail (heading != NULL);

  if (error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (recoverable)
    {
      g_autofree char *text = NULL;
      g_autofree char *markup = NULL;

      text = error ? g_strdup_printf ("%s: %s", heading, error->message) : g_strdup (heading);
      markup = g_markup_escape_text (text, -1);
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (markup));
    }
  else
    {
      GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), heading,
                                                  error ? error->message : NULL);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
      gtk_window_present (GTK_WINDOW (dialog));
    }
}

void
_lacuna_window_report_problems (LacunaWindow *self)
{
  guint failed = lacuna_collection_count_problems (self->collection, LACUNA_PROBLEM_FAILED);
  guint skipped = lacuna_collection_count_problems (self->collection, LACUNA_PROBLEM_SKIPPED);
  g_autofree char *title = NULL;
  AdwToast *toast;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-problems", failed + skipped > 0);

  if (failed > 0)
    title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "%u file could not be read",
                                          "%u files could not be read", failed),
                             failed);
  else if (skipped > 0)
    title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "%u file was skipped",
                                          "%u files were skipped", skipped),
                             skipped);
  else
    return;

  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Details"));
  adw_toast_set_action_name (toast, "win.show-problems");
  adw_toast_set_timeout (toast, 10);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
toggle_sidebar_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  LacunaWindow *self = LACUNA_WINDOW (widget);

  if (g_str_equal (gtk_stack_get_visible_child_name (self->main_stack), "study"))
    adw_flap_set_reveal_flap (self->flap, !adw_flap_get_reveal_flap (self->flap));
}

/* ------------------------------------------------------------------------------------- */
/* Open dialogs and drag and drop                                                        */

static void
chooser_response_cb (GtkNativeDialog *chooser,
                     int              response,
                     LacunaWindow    *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (chooser));
      guint n = g_list_model_get_n_items (files);
      g_autoptr(GPtrArray) array = g_ptr_array_new_with_free_func (g_object_unref);

      for (guint i = 0; i < n; i++)
        g_ptr_array_add (array, g_list_model_get_item (files, i));
      if (n > 0)
        lacuna_window_open_files (self, (GFile **) array->pdata, n);
    }

  if (self->chooser == chooser)
    g_clear_object (&self->chooser);
}

static void
run_chooser (LacunaWindow         *self,
             const char           *title,
             GtkFileChooserAction  action)
{
  GtkFileChooserNative *chooser;

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);

  chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self), action, _("_Open"), _("_Cancel"));
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (chooser_response_cb), self, 0);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

void
lacuna_window_choose_files (LacunaWindow *self)
{
  g_return_if_fail (LACUNA_IS_WINDOW (self));

  run_chooser (self, _("Open DICOM Files"), GTK_FILE_CHOOSER_ACTION_OPEN);
}

void
lacuna_window_choose_folder (LacunaWindow *self)
{
  g_return_if_fail (LACUNA_IS_WINDOW (self));

  run_chooser (self, _("Open a Folder of DICOM Files"), GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER);
}

static gboolean
drop_cb (LacunaWindow  *self,
         const GValue  *value,
         double         x,
         double         y)
{
  GSList *list;
  g_autoptr(GPtrArray) files = g_ptr_array_new ();

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;

  list = g_value_get_boxed (value);
  for (GSList *l = list; l != NULL; l = l->next)
    g_ptr_array_add (files, l->data);
  if (files->len == 0)
    return FALSE;

  lacuna_window_open_files (self, (GFile **) files->pdata, files->len);
  return TRUE;
}

/* ------------------------------------------------------------------------------------- */
/* Keyboard shortcuts                                                                    */

/* The help overlay is built the first time it is asked for: GtkApplication would build it
 * for every window before its first frame (gtk/help-overlay.ui is not at the path it looks
 * at, see lacuna.gresource.xml). */
static void
show_help_overlay_cb (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  GtkApplicationWindow *window = GTK_APPLICATION_WINDOW (user_data);
  GtkShortcutsWindow *overlay = gtk_application_window_get_help_overlay (window);

  if (overlay == NULL)
    {
      g_autoptr(GtkBuilder) builder = NULL;

      builder = gtk_builder_new_from_resource ("/io/github/lacuna/Lacuna/ui/lacuna-shortcuts.ui");
      overlay = GTK_SHORTCUTS_WINDOW (gtk_builder_get_object (builder, "help_overlay"));
      /* Keeps it (hidden when closed), transient for and modal to this window. Our action
       * stays: GTK adds its own only when the window has none of that name. */
      gtk_application_window_set_help_overlay (window, overlay);
    }
  gtk_window_present (GTK_WINDOW (overlay));
}

static const GActionEntry help_overlay_actions[] = {
  { "show-help-overlay", show_help_overlay_cb },
};

/* ------------------------------------------------------------------------------------- */
/* Window state                                                                          */

static GSettings *
lookup_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source == NULL)
    return NULL;
  schema = g_settings_schema_source_lookup (source, LACUNA_APP_ID, TRUE);
  if (schema == NULL
      || !g_settings_schema_has_key (schema, "window-width")
      || !g_settings_schema_has_key (schema, "window-height")
      || !g_settings_schema_has_key (schema, "is-maximized"))
    return NULL;

  return g_settings_new_full (schema, NULL, NULL);
}

static gboolean
lacuna_window_close_request (GtkWindow *window)
{
  LacunaWindow *self = LACUNA_WINDOW (window);

  if (self->settings != NULL)
    {
      int width = 0, height = 0;

      gtk_window_get_default_size (window, &width, &height);
      if (width > 0 && height > 0)
        {
          g_settings_set_int (self->settings, "window-width", width);
          g_settings_set_int (self->settings, "window-height", height);
        }
      g_settings_set_boolean (self->settings, "is-maximized", gtk_window_is_maximized (window));
    }

  return GTK_WINDOW_CLASS (lacuna_window_parent_class)->close_request (window);
}

/* ------------------------------------------------------------------------------------- */

static void
lacuna_window_dispose (GObject *object)
{
  LacunaWindow *self = (LacunaWindow *) object;

  _lacuna_window_stop_load (self);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  if (self->image_view != NULL)
    lacuna_image_view_set_model (self->image_view, NULL);
  if (self->selection != NULL)
    gtk_single_selection_set_model (self->selection, NULL);
  g_clear_object (&self->series_list);
  g_clear_object (&self->collection);
  g_clear_object (&self->selection);
  g_clear_object (&self->settings);
  g_clear_object (&self->autosave);
  g_clear_object (&self->decisions);
  g_clear_object (&self->undo_stack);
  g_clear_pointer (&self->first_series_uid, g_free);
  g_clear_pointer (&self->recent_paths, g_strfreev);

  gtk_widget_dispose_template (GTK_WIDGET (self), LACUNA_TYPE_WINDOW);

  G_OBJECT_CLASS (lacuna_window_parent_class)->dispose (object);
}

/* The welcome page's recent list is filled when that page is first shown, not at start:
 * a window opened on a study does not show it. (Opening and forgetting refresh it.) */
static void
welcome_map_cb (LacunaWindow *self)
{
  g_signal_handlers_disconnect_by_func (gtk_stack_get_child_by_name (self->main_stack, "welcome"),
                                        welcome_map_cb, self);
  _lacuna_window_update_recents (self);
}

static void
lacuna_window_class_init (LacunaWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = lacuna_window_dispose;
  window_class->close_request = lacuna_window_close_request;

  g_type_ensure (LACUNA_TYPE_IMAGE_VIEW);
  g_type_ensure (LACUNA_TYPE_ANNOTATIONS);
  g_type_ensure (LACUNA_TYPE_VIEW_BAR);
  g_type_ensure (LACUNA_TYPE_TAG_INSPECTOR);
  g_type_ensure (LACUNA_TYPE_STUDY_BROWSER);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/lacuna/Lacuna/ui/lacuna-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LacunaWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, LacunaWindow, sidebar_button);
  gtk_widget_class_bind_template_child (widget_class, LacunaWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, LacunaWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, LacunaWindow, load_revealer);
  gtk_widget_class_bind_template_child (widget_class, LacunaWindow, load_label);
  gtk_widget_class_bind_template_child (widget_class, LacunaWindow, load_progress);
  gtk_widget_class_bind_template_child (widget_class, LacunaWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, LacunaWindow, sidebar_stack);
  gtk_widget_class_bind_template_child (widget_class, LacunaWindow, study_browser);
  gtk_widget_class_bind_template_child (widget_class, LacunaWindow, recent_list);
  gtk_widget_class_bind_template_child (widget_class, LacunaWindow, image_view);
  gtk_widget_class_bind_template_child (widget_class, LacunaWindow, position_label);
  gtk_widget_class_bind_template_child (widget_class, LacunaWindow, inspector_button);
  gtk_widget_class_bind_template_child (widget_class, LacunaWindow, inspector_paned);
  gtk_widget_class_bind_template_child (widget_class, LacunaWindow, tag_inspector);

  gtk_widget_class_install_action (widget_class, "win.cancel-load", NULL,
                                   _lacuna_window_cancel_load_action);
  gtk_widget_class_install_action (widget_class, "win.show-problems", NULL, show_problems_action);
  gtk_widget_class_install_action (widget_class, "win.toggle-sidebar", NULL, toggle_sidebar_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F9, 0, "win.toggle-sidebar", NULL);
  gtk_widget_class_install_action (widget_class, "win.show-inspector", NULL, show_inspector_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_i, GDK_CONTROL_MASK,
                                       "win.show-inspector", NULL);
  gtk_widget_class_install_action (widget_class, "win.show-findings", NULL, show_findings_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.show-findings", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.cancel-load", NULL);
  _lacuna_window_class_init_redaction (widget_class);
  _lacuna_window_class_init_export (widget_class);
}

static void
lacuna_window_init (LacunaWindow *self)
{
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->selection = gtk_single_selection_new (NULL);
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, FALSE);
  g_signal_connect_object (self->selection, "notify::selected-item",
                           G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);

  /* The sidebar's patient → study → series tree drives self->selection. */
  lacuna_study_browser_set_series_selection (self->study_browser, self->selection);
  g_signal_connect_object (gtk_stack_get_child_by_name (self->main_stack, "welcome"), "map",
                           G_CALLBACK (welcome_map_cb), self, G_CONNECT_SWAPPED);

  g_object_bind_property (self->flap, "reveal-flap", self->sidebar_button, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_signal_connect_object (self->image_view, "notify::position",
                           G_CALLBACK (update_position_label), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->image_view, "notify::n-positions",
                           G_CALLBACK (update_position_label), self, G_CONNECT_SWAPPED);

  self->decisions = lacuna_decisions_new ();
  lacuna_tag_inspector_set_decisions (self->tag_inspector, self->decisions);
  _lacuna_window_init_redaction (self);
  _lacuna_window_init_export (self);
  g_object_bind_property (self->inspector_button, "active", self->tag_inspector, "visible",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_signal_connect_object (self->tag_inspector, "notify::visible",
                           G_CALLBACK (update_inspector), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->image_view, "notify::position",
                           G_CALLBACK (update_inspector), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->image_view, "notify::n-positions",
                           G_CALLBACK (update_inspector), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->main_stack, "notify::visible-child-name",
                           G_CALLBACK (page_changed_cb), self, G_CONNECT_SWAPPED);
  self->findings_panel = LACUNA_FINDINGS_PANEL (lacuna_findings_panel_new ());
  lacuna_findings_panel_set_image_view (self->findings_panel, self->image_view);
  lacuna_findings_panel_set_decisions (self->findings_panel, self->decisions);
  {
    /* Body composition drawn over its slice, above the image and below the boxes. */
    GtkWidget *bodycomp = lacuna_bodycomp_overlay_new ();

    lacuna_bodycomp_overlay_attach (LACUNA_BODYCOMP_OVERLAY (bodycomp), self->image_view);
    lacuna_findings_panel_set_bodycomp_overlay (self->findings_panel,
                                                LACUNA_BODYCOMP_OVERLAY (bodycomp));
  }
  gtk_stack_add_named (self->sidebar_stack, GTK_WIDGET (self->findings_panel), "findings");
  g_signal_connect_object (self->findings_panel, "finding-activated",
                           G_CALLBACK (finding_activated_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->findings_panel, "box-proposed",
                           G_CALLBACK (_lacuna_window_box_proposed), self, G_CONNECT_SWAPPED);
  /* Each series' badge adds what the checks found in it, as they finish. */
  lacuna_study_browser_set_findings (self->study_browser,
                                     lacuna_findings_panel_get_findings (self->findings_panel));

  /* win.show-help-overlay (Ctrl+?, set by the application). */
  g_action_map_add_action_entries (G_ACTION_MAP (self), help_overlay_actions,
                                   G_N_ELEMENTS (help_overlay_actions), self);

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect_object (drop, "drop", G_CALLBACK (drop_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel-load", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-problems", FALSE);

  self->settings = lookup_settings ();
  if (self->settings != NULL)
    {
      gtk_window_set_default_size (GTK_WINDOW (self),
                                   g_settings_get_int (self->settings, "window-width"),
                                   g_settings_get_int (self->settings, "window-height"));
      if (g_settings_get_boolean (self->settings, "is-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
    }
}

LacunaWindow *
lacuna_window_new (GtkApplication *application)
{
  return g_object_new (LACUNA_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

gboolean
lacuna_window_get_loading (LacunaWindow *self)
{
  g_return_val_if_fail (LACUNA_IS_WINDOW (self), FALSE);

  return self->loader != NULL || self->preparing;
}

LacunaCollection *
lacuna_window_get_collection (LacunaWindow *self)
{
  g_return_val_if_fail (LACUNA_IS_WINDOW (self), NULL);

  return self->collection;
}

GListModel *
lacuna_window_get_series_list (LacunaWindow *self)
{
  g_return_val_if_fail (LACUNA_IS_WINDOW (self), NULL);

  return G_LIST_MODEL (self->selection);
}

void
lacuna_window_select_series (LacunaWindow *self,
                             guint         position)
{
  g_return_if_fail (LACUNA_IS_WINDOW (self));

  if (position >= g_list_model_get_n_items (G_LIST_MODEL (self->selection)))
    return;

  gtk_single_selection_set_selected (self->selection, position);
}

LacunaSeries *
lacuna_window_get_selected_series (LacunaWindow *self)
{
  g_return_val_if_fail (LACUNA_IS_WINDOW (self), NULL);

  return gtk_single_selection_get_selected_item (self->selection);
}

LacunaImageView *
lacuna_window_get_image_view (LacunaWindow *self)
{
  g_return_val_if_fail (LACUNA_IS_WINDOW (self), NULL);

  return self->image_view;
}

const char *
lacuna_window_get_page (LacunaWindow *self)
{
  g_return_val_if_fail (LACUNA_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->main_stack);
}

LacunaTagInspector *
lacuna_window_get_tag_inspector (LacunaWindow *self)
{
  g_return_val_if_fail (LACUNA_IS_WINDOW (self), NULL);

  return self->tag_inspector;
}

LacunaDecisions *
lacuna_window_get_decisions (LacunaWindow *self)
{
  g_return_val_if_fail (LACUNA_IS_WINDOW (self), NULL);

  return self->decisions;
}
