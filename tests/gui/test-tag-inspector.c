/* test-tag-inspector.c: the tag inspector on the sample study, and the decisions it edits.
 * Also writes lacuna-inspector-light.png, lacuna-inspector-dark.png and
 * lacuna-inspector-narrow.png into the build folder for people to look at.
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-tag-inspector"

#include "config.h"

#include "lacuna-decisions.h"
#include "lacuna-gui-test-util.h"
#include "lacuna-tag-inspector.h"

static void
destroy_window (LacunaWindow *window)
{
  g_object_ref (window);
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  g_assert_finalize_object (window);
}

static void
count_cb (gpointer  instance,
          guint    *count)
{
  (*count)++;
}

/* ------------------------------------------------------------------------------------- */
/* Decisions                                                                             */

static void
test_decisions (void)
{
  LacunaDecisions *decisions = lacuna_decisions_new ();
  const LacunaDeidOptions *options;
  const LacunaDeidOverride *o;
  g_autoptr(LacunaDecision) d = NULL;
  g_autoptr(LacunaDecision) undo = NULL;
  g_autoptr(LacunaDecision) redo = NULL;
  g_autoptr(LacunaDecision) bad = NULL;
  g_autoptr(GError) error = NULL;
  guint changed = 0;

  g_signal_connect (decisions, "changed", G_CALLBACK (count_cb), &changed);
  options = lacuna_decisions_get_options (decisions);
  g_assert_nonnull (options);
  g_assert_cmpuint (options->overrides->len, ==, 0);

  /* A recipe's broad pattern first; the inspector's exact choice goes before it. */
  {
    g_autoptr(LacunaDeidOptions) recipe = lacuna_deid_options_new ();

    lacuna_deid_options_add_override (recipe, "00100010", LACUNA_DEID_OVERRIDE_REMOVE, NULL);
    lacuna_deid_options_add_override (recipe, "00081115/00081155", LACUNA_DEID_OVERRIDE_KEEP,
                                      NULL);
    d = lacuna_decision_new_set_options (recipe);
    undo = lacuna_decisions_apply (decisions, d, &error);
    g_assert_no_error (error);
    g_assert_nonnull (undo);
    g_clear_pointer (&undo, lacuna_decision_free);
    g_clear_pointer (&d, lacuna_decision_free);
  }
  g_assert_cmpuint (changed, ==, 1);

  d = lacuna_decision_new_set_override ("00100010", LACUNA_DEID_OVERRIDE_KEEP, NULL);
  undo = lacuna_decisions_apply (decisions, d, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changed, ==, 2);
  options = lacuna_decisions_get_options (decisions);
  g_assert_cmpuint (options->overrides->len, ==, 2);
  o = g_ptr_array_index (options->overrides, 0);
  g_assert_cmpstr (o->path, ==, "00100010");
  g_assert_cmpint (o->action, ==, LACUNA_DEID_OVERRIDE_KEEP);
  o = lacuna_decisions_get_override (decisions, "00100010");
  g_assert_cmpint (o->action, ==, LACUNA_DEID_OVERRIDE_KEEP);

  /* Undo: the decision apply returned puts everything back. */
  redo = lacuna_decisions_apply (decisions, undo, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changed, ==, 3);
  o = lacuna_decisions_get_override (decisions, "00100010");
  g_assert_cmpint (o->action, ==, LACUNA_DEID_OVERRIDE_REMOVE);
  g_assert_cmpuint (lacuna_decisions_get_options (decisions)->overrides->len, ==, 2);
  g_clear_pointer (&undo, lacuna_decision_free);
  undo = lacuna_decisions_apply (decisions, redo, &error);
  g_assert_cmpint (lacuna_decisions_get_override (decisions, "00100010")->action, ==,
                   LACUNA_DEID_OVERRIDE_KEEP);

  /* An invalid decision changes nothing. */
  bad = lacuna_decision_new_set_override ("not a path", LACUNA_DEID_OVERRIDE_KEEP, NULL);
  g_assert_null (lacuna_decisions_apply (decisions, bad, &error));
  g_assert_error (error, LACUNA_DEID_ERROR, LACUNA_DEID_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_cmpuint (changed, ==, 4);
  g_assert_false (lacuna_decisions_set_override (decisions, "00100020",
                                                 LACUNA_DEID_OVERRIDE_REPLACE, NULL, &error));
  g_assert_error (error, LACUNA_DEID_ERROR, LACUNA_DEID_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_cmpuint (changed, ==, 4);

  lacuna_decisions_clear_override (decisions, "00100010");
  g_assert_null (lacuna_decisions_get_override (decisions, "00100010"));
  g_assert_cmpuint (changed, ==, 5);
  lacuna_decisions_clear_override (decisions, "00100010");   /* nothing to clear */
  g_assert_cmpuint (changed, ==, 5);

  lacuna_decisions_set_profile_options (decisions, LACUNA_PROFILE_OPTION_RETAIN_UIDS);
  g_assert_cmpuint (lacuna_decisions_get_options (decisions)->options, ==,
                    LACUNA_PROFILE_OPTION_RETAIN_UIDS);
  g_assert_cmpuint (changed, ==, 6);

  g_assert_null (lacuna_decisions_get_key (decisions));
  g_assert_finalize_object (decisions);
}

/* ------------------------------------------------------------------------------------- */
/* Inspector                                                                             */

static gboolean
inspector_ready (gpointer data)
{
  LacunaTagInspector *inspector = data;

  return !lacuna_tag_inspector_get_busy (inspector) &&
         lacuna_tag_inspector_get_plan (inspector) != NULL;
}

/* Position of the row with this path among the rows shown, or -1. */
static int
find_shown (LacunaTagInspector *inspector,
            const char         *path)
{
  GListModel *shown = lacuna_tag_inspector_get_shown_rows (inspector);

  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr(GtkTreeListRow) list_row = g_list_model_get_item (shown, i);
      g_autoptr(LacunaTagRow) row = gtk_tree_list_row_get_item (list_row);

      if (g_strcmp0 (lacuna_tag_row_get_path (row), path) == 0)
        return (int) i;
    }
  return -1;
}

static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = g_build_filename (g_test_get_dir (G_TEST_BUILT), name, NULL);

  lacuna_gui_test_wait_frame (widget);
  lacuna_gui_test_wait_frame (widget);
  texture = lacuna_gui_test_render (widget);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Wrote %s", path);
}

static LacunaWindow *
open_sample_with_inspector (int width,
                            int height)
{
  LacunaWindow *window = lacuna_gui_test_new_window (width, height);
  LacunaTagInspector *inspector = lacuna_window_get_tag_inspector (window);
  int ct;

  lacuna_window_open_sample (window);
  lacuna_gui_test_wait_loaded (window);
  ct = lacuna_gui_test_find_series (window, "CT");
  g_assert_cmpint (ct, >=, 0);
  lacuna_window_select_series (window, ct);

  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (inspector)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-inspector", NULL));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (inspector)));
  lacuna_gui_test_wait (inspector_ready, inspector);
  g_assert_true (lacuna_tag_inspector_get_instance (inspector) ==
                 lacuna_image_view_get_instance (lacuna_window_get_image_view (window), NULL));
  return window;
}

static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (w))
        return ADW_MESSAGE_DIALOG (w);
    }
  return NULL;
}

static GtkWidget *
find_descendant (GtkWidget *widget,
                 GType      type,
                 gboolean   visible_only)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) &&
      (!visible_only || gtk_widget_get_visible (widget)))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_descendant (child, type, visible_only);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
popover_shown (gpointer data)
{
  return find_descendant (GTK_WIDGET (data), GTK_TYPE_POPOVER_MENU, TRUE) != NULL;
}

static void
test_inspector_sample (void)
{
  LacunaWindow *window = open_sample_with_inspector (1100, 800);
  LacunaTagInspector *inspector = lacuna_window_get_tag_inspector (window);
  LacunaDecisions *decisions = lacuna_window_get_decisions (window);
  GListModel *shown = lacuna_tag_inspector_get_shown_rows (inspector);
  LacunaTagRow *name;
  LacunaTagRow *modality;
  LacunaTagRow *seq;
  LacunaTagRow *nested;
  g_autofree char *label = NULL;
  guint n_all;
  int pos;

  g_assert_true (lacuna_tag_inspector_get_decisions (inspector) == decisions);

  /* (0010,0010): a direct identifier, replaced by a dummy (Basic Profile Z, and a value
   * is needed). */
  name = lacuna_tag_inspector_find_row (inspector, "00100010");
  g_assert_nonnull (name);
  g_assert_cmpint (lacuna_tag_row_get_category (name), ==, LACUNA_DEID_CATEGORY_DIRECT_IDENTIFIER);
  g_assert_true (lacuna_tag_row_is_identifying (name));
  g_assert_cmpint (lacuna_tag_row_get_action (name), ==, LACUNA_PROFILE_ACTION_D);
  g_assert_false (lacuna_tag_row_get_overridden (name));
  label = lacuna_tag_row_dup_action_label (name, FALSE);
  g_assert_cmpstr (label, ==, "Replace → a keyed dummy");
  g_clear_pointer (&label, g_free);
  g_assert_cmpint (find_shown (inspector, "00100010"), >=, 0);

  modality = lacuna_tag_inspector_find_row (inspector, "00080060");
  g_assert_nonnull (modality);
  g_assert_cmpint (lacuna_tag_row_get_category (modality), ==, LACUNA_DEID_CATEGORY_SAFE);
  g_assert_cmpint (lacuna_tag_row_get_action (modality), ==, LACUNA_PROFILE_ACTION_K);

  /* Nested rows: the Other Patient IDs Sequence expands into items and their elements. */
  seq = lacuna_tag_inspector_find_row (inspector, "00101002");
  g_assert_nonnull (seq);
  g_assert_true (lacuna_tag_row_is_sequence (seq));
  g_assert_cmpint (find_shown (inspector, "00101002/0"), ==, -1);
  pos = find_shown (inspector, "00101002");
  g_assert_cmpint (pos, >=, 0);
  lacuna_tag_inspector_set_expanded (inspector, (guint) pos, TRUE);
  pos = find_shown (inspector, "00101002/1");
  g_assert_cmpint (pos, >, 0);
  lacuna_tag_inspector_set_expanded (inspector, (guint) pos, TRUE);
  g_assert_cmpint (find_shown (inspector, "00101002/1/00100020"), ==, pos + 1);
  nested = lacuna_tag_inspector_find_row (inspector, "00101002/1/00100020");
  g_assert_cmpint (lacuna_tag_row_get_category (nested), ==, LACUNA_DEID_CATEGORY_DIRECT_IDENTIFIER);
  g_assert_true (lacuna_tag_row_get_with_parent (nested));
  label = lacuna_tag_row_dup_action_label (nested, FALSE);
  g_assert_cmpstr (label, ==, "Remove (with its sequence)");
  g_clear_pointer (&label, g_free);

  /* Identifying only: every row shown is identifying, or holds one that is. */
  n_all = g_list_model_get_n_items (shown);
  lacuna_tag_inspector_set_identifying_only (inspector, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (shown), <, n_all);
  g_assert_cmpuint (g_list_model_get_n_items (shown), >, 5);
  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr(GtkTreeListRow) list_row = g_list_model_get_item (shown, i);
      g_autoptr(LacunaTagRow) row = gtk_tree_list_row_get_item (list_row);

      g_assert_true (lacuna_tag_row_is_identifying (row) || lacuna_tag_row_has_identifying (row));
    }
  g_assert_cmpint (find_shown (inspector, "00100010"), >=, 0);
  g_assert_cmpint (find_shown (inspector, "00080060"), ==, -1);
  g_assert_cmpint (find_shown (inspector, "00101002/1/00100020"), >=, 0);
  lacuna_tag_inspector_set_identifying_only (inspector, FALSE);
  g_assert_cmpint (find_shown (inspector, "00080060"), >=, 0);

  /* Search by keyword, by tag, and by value (nested rows are found too). */
  lacuna_tag_inspector_set_search_text (inspector, "modality");
  g_assert_cmpint (find_shown (inspector, "00080060"), >=, 0);
  g_assert_cmpint (find_shown (inspector, "00100010"), ==, -1);
  lacuna_tag_inspector_set_search_text (inspector, "(0010,0020)");
  g_assert_cmpint (find_shown (inspector, "00100020"), >=, 0);
  g_assert_cmpint (find_shown (inspector, "00101002/0/00100020"), >=, 0);   /* nested */
  g_assert_cmpint (find_shown (inspector, "00101002"), >=, 0);              /* its parents */
  g_assert_cmpint (find_shown (inspector, "00080060"), ==, -1);
  lacuna_tag_inspector_set_search_text (inspector, "00100010");
  g_assert_cmpint (find_shown (inspector, "00100010"), >=, 0);
  lacuna_tag_inspector_set_search_text (inspector, "");
  g_assert_cmpint (find_shown (inspector, "00080060"), >=, 0);

  /* Keep (override) on Patient's Name: the row changes at once, the decisions hold it. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (inspector), "inspector.keep", "s",
                                             "00100010"));
  g_assert_cmpint (lacuna_tag_row_get_action (name), ==, LACUNA_PROFILE_ACTION_K);
  g_assert_true (lacuna_tag_row_get_overridden (name));
  label = lacuna_tag_row_dup_action_label (name, FALSE);
  g_assert_cmpstr (label, ==, "Keep (override)");
  g_clear_pointer (&label, g_free);
  {
    const LacunaDeidOptions *options = lacuna_decisions_get_options (decisions);
    const LacunaDeidOverride *o = g_ptr_array_index (options->overrides, 0);

    g_assert_cmpuint (options->overrides->len, ==, 1);
    g_assert_cmpstr (o->path, ==, "00100010");
    g_assert_cmpint (o->action, ==, LACUNA_DEID_OVERRIDE_KEEP);
  }

  /* Remove on a safe attribute. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (inspector), "inspector.remove", "s",
                                             "00080060"));
  g_assert_cmpint (lacuna_tag_row_get_action (modality), ==, LACUNA_PROFILE_ACTION_X);
  g_assert_true (lacuna_tag_row_get_overridden (modality));

  /* Replace with…: the dialog writes an override with the text typed. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (inspector), "inspector.replace", "s",
                                             "00100020"));
  {
    AdwMessageDialog *dialog = find_message_dialog ();
    GtkWidget *entry;

    g_assert_nonnull (dialog);
    entry = adw_message_dialog_get_extra_child (dialog);
    g_assert_true (GTK_IS_ENTRY (entry));
    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");   /* never the value */
    g_assert_false (adw_message_dialog_get_response_enabled (dialog, "replace"));
    gtk_editable_set_text (GTK_EDITABLE (entry), "SUBJ-1");
    g_assert_true (adw_message_dialog_get_response_enabled (dialog, "replace"));
    adw_message_dialog_response (dialog, "replace");
    gtk_window_destroy (GTK_WINDOW (dialog));
  }
  {
    LacunaTagRow *id = lacuna_tag_inspector_find_row (inspector, "00100020");

    g_assert_true (lacuna_tag_row_get_overridden (id));
    g_assert_cmpstr (lacuna_tag_row_get_new_value (id), ==, "SUBJ-1");
    label = lacuna_tag_row_dup_action_label (id, FALSE);
    g_assert_cmpstr (label, ==, "Replace (override) → SUBJ-1");
    g_clear_pointer (&label, g_free);
    g_assert_cmpint (lacuna_decisions_get_override (decisions, "00100020")->action, ==,
                     LACUNA_DEID_OVERRIDE_REPLACE);
  }

  /* Keyboard: Shift+F10 (inspector.row-menu) opens the selected row's menu. */
  {
    GtkColumnView *view = GTK_COLUMN_VIEW (find_descendant (GTK_WIDGET (inspector),
                                                            GTK_TYPE_COLUMN_VIEW, FALSE));
    GtkSelectionModel *selection = gtk_column_view_get_model (view);

    pos = find_shown (inspector, "00100010");
    g_assert_cmpint (pos, >=, 0);
    gtk_selection_model_select_item (selection, (guint) pos, TRUE);
    lacuna_gui_test_wait_frame (GTK_WIDGET (inspector));
    g_assert_false (popover_shown (inspector));
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (inspector), "inspector.row-menu",
                                               NULL));
    lacuna_gui_test_wait (popover_shown, inspector);
    gtk_popover_popdown (GTK_POPOVER (find_descendant (GTK_WIDGET (inspector),
                                                       GTK_TYPE_POPOVER_MENU, TRUE)));
  }

  /* Reset to the profile. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (inspector), "inspector.reset", "s",
                                             "00100010"));
  g_assert_cmpint (lacuna_tag_row_get_action (name), ==, LACUNA_PROFILE_ACTION_D);
  g_assert_false (lacuna_tag_row_get_overridden (name));
  g_assert_null (lacuna_decisions_get_override (decisions, "00100010"));

  /* An option changes the plan as well: Retain Patient Characteristics keeps the sex. */
  {
    LacunaTagRow *sex = lacuna_tag_inspector_find_row (inspector, "00100040");

    if (sex != NULL)
      {
        g_assert_cmpint (lacuna_tag_row_get_category (sex), ==,
                         LACUNA_DEID_CATEGORY_QUASI_IDENTIFIER);
        lacuna_decisions_set_profile_options (decisions,
                                              LACUNA_PROFILE_OPTION_RETAIN_PATIENT_CHARACTERISTICS);
        g_assert_cmpint (lacuna_tag_row_get_action (sex), ==, LACUNA_PROFILE_ACTION_K);
        lacuna_decisions_set_profile_options (decisions, LACUNA_PROFILE_OPTION_NONE);
        g_assert_cmpint (lacuna_tag_row_get_action (sex), !=, LACUNA_PROFILE_ACTION_K);
      }
  }

  /* Hiding the inspector again. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-inspector", NULL));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (inspector)));

  destroy_window (window);
}

static void
test_inspector_screenshots (void)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  LacunaWindow *window = open_sample_with_inspector (1100, 800);
  LacunaTagInspector *inspector = lacuna_window_get_tag_inspector (window);

  lacuna_tag_inspector_set_search_text (inspector, "patient");
  gtk_widget_activate_action (GTK_WIDGET (inspector), "inspector.keep", "s", "00101010");
  save_screenshot (GTK_WIDGET (window), "lacuna-inspector-light.png");

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  save_screenshot (GTK_WIDGET (window), "lacuna-inspector-dark.png");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  destroy_window (window);

  window = open_sample_with_inspector (400, 700);
  inspector = lacuna_window_get_tag_inspector (window);
  lacuna_tag_inspector_set_identifying_only (inspector, TRUE);
  save_screenshot (GTK_WIDGET (window), "lacuna-inspector-narrow.png");
  destroy_window (window);
}

/* Setting a file directly, and clearing it. */
static void
test_inspector_set_file (void)
{
  GtkWidget *inspector = lacuna_tag_inspector_new ();
  g_autofree char *dir = lacuna_gui_test_dup_sample_path ();
  g_autofree char *path = lacuna_gui_test_find_dicom_file (dir);
  g_autoptr(GError) error = NULL;
  LacunaDicomFile *file = lacuna_dicom_file_open (path, LACUNA_DICOM_OPEN_DEFAULT, &error);

  g_assert_no_error (error);
  g_object_ref_sink (inspector);
  lacuna_tag_inspector_set_file (LACUNA_TAG_INSPECTOR (inspector), file);
  g_assert_nonnull (lacuna_tag_inspector_get_plan (LACUNA_TAG_INSPECTOR (inspector)));
  g_assert_nonnull (lacuna_tag_inspector_find_row (LACUNA_TAG_INSPECTOR (inspector), "00100010"));
  /* No decisions given: the defaults (Basic Profile) apply, and overrides are ignored. */
  gtk_widget_activate_action (inspector, "inspector.keep", "s", "00100010");
  g_assert_false (lacuna_tag_row_get_overridden (
    lacuna_tag_inspector_find_row (LACUNA_TAG_INSPECTOR (inspector), "00100010")));

  lacuna_tag_inspector_set_file (LACUNA_TAG_INSPECTOR (inspector), NULL);
  g_assert_null (lacuna_tag_inspector_get_plan (LACUNA_TAG_INSPECTOR (inspector)));
  g_assert_null (lacuna_tag_inspector_find_row (LACUNA_TAG_INSPECTOR (inspector), "00100010"));
  g_assert_cmpuint (g_list_model_get_n_items (
    lacuna_tag_inspector_get_shown_rows (LACUNA_TAG_INSPECTOR (inspector))), ==, 0);
  g_assert_finalize_object (inspector);
}

int
main (int   argc,
      char *argv[])
{
  if (!lacuna_gui_test_init (&argc, &argv))
    return 77;

  g_test_add_func ("/gui/tag-inspector/decisions", test_decisions);
  g_test_add_func ("/gui/tag-inspector/set-file", test_inspector_set_file);
  g_test_add_func ("/gui/tag-inspector/sample", test_inspector_sample);
  g_test_add_func ("/gui/tag-inspector/screenshots", test_inspector_screenshots);

  return g_test_run ();
}
