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

/* ------------------------------------------------------------------------------------- */
/* Scrolling slices with the inspector open                                              */

typedef struct
{
  LacunaTagInspector *inspector;
  LacunaImageView    *view;
} Follow;

/* The inspector shows the elements of the slice the view shows. */
static gboolean
inspector_follows (gpointer data)
{
  Follow *f = data;

  return inspector_ready (f->inspector) &&
         lacuna_tag_inspector_get_instance (f->inspector) ==
         lacuna_image_view_get_instance (f->view, NULL);
}

/* The GtkTreeListRow shown for path, or NULL. */
static GtkTreeListRow *
shown_list_row (LacunaTagInspector *inspector,
                const char         *path)
{
  int pos = find_shown (inspector, path);

  if (pos < 0)
    return NULL;
  return g_list_model_get_item (lacuna_tag_inspector_get_shown_rows (inspector), (guint) pos);
}

/* A label bound to row (a cell of its on screen) whose text is text. */
static gboolean
has_cell_label (GtkWidget    *widget,
                LacunaTagRow *row,
                const char   *text)
{
  if (GTK_IS_LABEL (widget) && g_object_get_data (G_OBJECT (widget), "lacuna-row") == row &&
      g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0 &&
      gtk_widget_get_mapped (widget))
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (has_cell_label (child, row, text))
      return TRUE;
  return FALSE;
}

/* The value of path in the file of instance, read by the engine (NULL: absent). */
static char *
dup_engine_value (LacunaInstance *instance,
                  const char     *path)
{
  g_autoptr(GError) error = NULL;
  LacunaDicomFile *file = lacuna_instance_open (instance, &error);
  char *value;

  g_assert_no_error (error);
  value = lacuna_dicom_file_dup_string (file, path, NULL);
  lacuna_dicom_file_free (file);
  return value;
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

/* The next slice has the same elements: the rows are updated in place (the same row objects,
 * only the values that differ notify), the expanded sequence stays expanded, the selected
 * row selected, the list where it was scrolled to; and the values are the new slice's. */
static void
test_inspector_scroll (void)
{
  LacunaWindow *window = open_sample_with_inspector (1100, 800);
  LacunaTagInspector *inspector = lacuna_window_get_tag_inspector (window);
  LacunaImageView *view = lacuna_window_get_image_view (window);
  GListModel *shown = lacuna_tag_inspector_get_shown_rows (inspector);
  const char *changing[] = { "00200013", "00201041", "00200032", "00080018" };
  Follow follow = { inspector, view };
  GtkScrolledWindow *scrolled;
  GtkAdjustment *vadjustment;
  g_autofree char *seq_path = NULL;
  LacunaTagRow *number;
  LacunaTagRow *modality;
  guint n_number = 0, n_modality = 0, n_steps = 0;
  double scroll;

  g_assert_cmpuint (lacuna_image_view_get_n_positions (view), >=, 3);
  lacuna_image_view_set_position (view, 0);
  lacuna_gui_test_wait (inspector_follows, &follow);

  /* Expand the first sequence that has items. */
  for (guint i = 0; i < g_list_model_get_n_items (shown) && seq_path == NULL; i++)
    {
      g_autoptr(GtkTreeListRow) list_row = g_list_model_get_item (shown, i);
      g_autoptr(LacunaTagRow) row = gtk_tree_list_row_get_item (list_row);

      if (lacuna_tag_row_is_sequence (row) && gtk_tree_list_row_is_expandable (list_row))
        {
          gtk_tree_list_row_set_expanded (list_row, TRUE);
          seq_path = g_strdup (lacuna_tag_row_get_path (row));
        }
    }
  g_assert_nonnull (seq_path);

  /* Select Instance Number: the list scrolls to it. */
  g_assert_true (lacuna_tag_inspector_select_path (inspector, "00200013"));
  lacuna_gui_test_wait_frame (GTK_WIDGET (inspector));
  lacuna_gui_test_wait_frame (GTK_WIDGET (inspector));
  scrolled = GTK_SCROLLED_WINDOW (gtk_widget_get_ancestor (
    find_descendant (GTK_WIDGET (inspector), GTK_TYPE_COLUMN_VIEW, FALSE),
    GTK_TYPE_SCROLLED_WINDOW));
  vadjustment = gtk_scrolled_window_get_vadjustment (scrolled);
  scroll = gtk_adjustment_get_value (vadjustment);

  number = lacuna_tag_inspector_find_row (inspector, "00200013");
  modality = lacuna_tag_inspector_find_row (inspector, "00080060");
  g_assert_nonnull (number);
  g_assert_nonnull (modality);
  g_signal_connect (number, "notify::value", G_CALLBACK (count_notify_cb), &n_number);
  g_signal_connect (modality, "notify::value", G_CALLBACK (count_notify_cb), &n_modality);

  for (guint position = 1; position < MIN (lacuna_image_view_get_n_positions (view), 4);
       position++)
    {
      LacunaInstance *instance;
      g_autofree char *expected = NULL;
      g_autofree char *label = NULL;

      gtk_widget_activate_action (GTK_WIDGET (view), "view.next-slice", NULL);
      g_assert_cmpuint (lacuna_image_view_get_position (view), ==, position);
      lacuna_gui_test_wait (inspector_follows, &follow);
      lacuna_gui_test_wait_frame (GTK_WIDGET (inspector));
      n_steps++;
      instance = lacuna_image_view_get_instance (view, NULL);

      /* Updated in place. */
      g_assert_true (lacuna_tag_inspector_find_row (inspector, "00200013") == number);
      g_assert_true (lacuna_tag_inspector_find_row (inspector, "00080060") == modality);
      {
        g_autoptr(GtkTreeListRow) seq_row = shown_list_row (inspector, seq_path);

        g_assert_nonnull (seq_row);
        g_assert_true (gtk_tree_list_row_get_expanded (seq_row));
        g_assert_cmpint (find_shown (inspector, seq_path), <, find_shown (inspector, "00200013"));
        g_assert_cmpint (find_shown (inspector, "00200013"), >, 0);
      }
      g_assert_cmpstr (lacuna_tag_inspector_get_selected_path (inspector), ==, "00200013");
      g_assert_cmpfloat (gtk_adjustment_get_value (vadjustment), ==, scroll);

      /* The values are the slice's, as the engine reads them, in the rows and on screen. */
      for (guint k = 0; k < G_N_ELEMENTS (changing); k++)
        {
          LacunaTagRow *row = lacuna_tag_inspector_find_row (inspector, changing[k]);
          g_autofree char *value = dup_engine_value (instance, changing[k]);

          if (value == NULL)
            {
              g_assert_null (row);
              continue;
            }
          g_assert_nonnull (row);
          g_assert_cmpstr (lacuna_tag_row_get_value (row), ==, value);
        }
      expected = dup_engine_value (instance, "00200013");
      g_assert_nonnull (expected);
      label = lacuna_tag_row_dup_value_label (number);
      g_assert_cmpstr (label, ==, expected);
      g_assert_true (has_cell_label (GTK_WIDGET (inspector), number, label));
    }
  /* Instance Number differs from slice to slice; the modality does not. */
  g_assert_cmpuint (n_number, ==, n_steps);
  g_assert_cmpuint (n_modality, ==, 0);
  g_signal_handlers_disconnect_by_func (number, count_notify_cb, &n_number);
  g_signal_handlers_disconnect_by_func (modality, count_notify_cb, &n_modality);

  /* A fast spin, a slice a frame: the list follows at most every 100 ms, and catches up
   * with the last slice. */
  {
    guint last = MIN (lacuna_image_view_get_n_positions (view) - 1,
                      lacuna_image_view_get_position (view) + 6);
    g_autofree char *expected = NULL;

    while (lacuna_image_view_get_position (view) < last)
      {
        gtk_widget_activate_action (GTK_WIDGET (view), "view.next-slice", NULL);
        lacuna_gui_test_wait_frame (GTK_WIDGET (view));
      }
    lacuna_gui_test_wait (inspector_follows, &follow);
    expected = dup_engine_value (lacuna_image_view_get_instance (view, NULL), "00200013");
    g_assert_nonnull (expected);
    g_assert_cmpstr (lacuna_tag_row_get_value (lacuna_tag_inspector_find_row (inspector,
                                                                              "00200013")),
                     ==, expected);
    g_assert_true (lacuna_tag_inspector_find_row (inspector, "00200013") == number);
  }

  /* Another series (other elements): the rows are built again, with its values. */
  {
    int mr = lacuna_gui_test_find_series (window, "MR");
    LacunaTagRow *other;

    if (mr >= 0)
      {
        g_autofree char *value = NULL;

        lacuna_window_select_series (window, (guint) mr);
        lacuna_gui_test_wait (inspector_follows, &follow);
        other = lacuna_tag_inspector_find_row (inspector, "00080060");
        g_assert_nonnull (other);
        value = dup_engine_value (lacuna_image_view_get_instance (view, NULL), "00080060");
        g_assert_cmpstr (lacuna_tag_row_get_value (other), ==, value);
        g_assert_cmpstr (value, ==, "MR");
      }
  }

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
  g_test_add_func ("/gui/tag-inspector/scroll", test_inspector_scroll);

  return g_test_run ();
}
