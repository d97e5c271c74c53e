/* test-findings-panel.c: the findings panel on the sample study, and the way from a
 * header finding to its row in the tag inspector.
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-findings-panel"

#include "config.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include "lacuna-bodycomp-overlay.h"
#include "lacuna-findings-panel.h"
#include "lacuna-gui-test-util.h"
#include "lacuna-quasi.h"
#include "lacuna-redaction-layer.h"
#include "lacuna-tag-inspector.h"

/* How many mapped labels under widget read text. */
/* With LACUNA_SCREENSHOT_DIR set, widget as it is now, as name there. */
static void
save_shot (GtkWidget  *widget,
           const char *name)
{
  const char *dir = g_getenv ("LACUNA_SCREENSHOT_DIR");
  g_autoptr(GdkTexture) shot = NULL;
  g_autofree char *path = NULL;

  if (dir == NULL)
    return;
  shot = lacuna_gui_test_render (widget);
  path = g_build_filename (dir, name, NULL);
  gdk_texture_save_to_png (shot, path);
}

static guint
count_labels (GtkWidget  *widget,
              const char *text)
{
  guint n = 0;

  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget)
      && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    n++;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_labels (child, text);
  return n;
}

/* The scrolled window of the panel's list of findings. */
static GtkScrolledWindow *
find_list_scrolled (GtkWidget *widget)
{
  if (GTK_IS_LIST_VIEW (widget))
    {
      GtkWidget *parent = gtk_widget_get_parent (widget);

      return GTK_IS_SCROLLED_WINDOW (parent) ? GTK_SCROLLED_WINDOW (parent) : NULL;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkScrolledWindow *found = find_list_scrolled (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
wake (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Waits (at most 10 s) until text is shown on screen (wanted) or not, the list scrolled to
 * its first row: a row's new line is mapped at the next layout. */
static void
wait_for_label (GtkWidget  *panel,
                const char *text,
                gboolean    wanted)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint tick = g_timeout_add (20, wake, NULL);
  GtkScrolledWindow *scrolled = find_list_scrolled (panel);

  while ((count_labels (panel, text) > 0) != wanted && g_get_monotonic_time () < deadline)
    {
      if (scrolled != NULL)
        gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (scrolled), 0);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);
  g_assert_nonnull (scrolled);
  g_assert_cmpuint (count_labels (panel, text) > 0, ==, wanted);
}

static gboolean
panel_ready (gpointer data)
{
  return !lacuna_findings_panel_get_busy (data);
}

static gboolean
inspector_ready (gpointer data)
{
  return !lacuna_tag_inspector_get_busy (data)
         && lacuna_tag_inspector_get_plan (data) != NULL;
}

static void
test_findings_sample (void)
{
  LacunaWindow *window = lacuna_gui_test_new_window (1100, 800);
  LacunaTagInspector *inspector = lacuna_window_get_tag_inspector (window);
  LacunaFindingsPanel *panel;
  GListModel *findings;
  guint n, n_stated = 0, n_literature = 0, target = G_MAXUINT;
  g_autoptr(LacunaFinding) finding = NULL;
  const char *selected;

  lacuna_window_open_sample (window);
  lacuna_gui_test_wait_loaded (window);

  panel = LACUNA_FINDINGS_PANEL (lacuna_gui_test_find_widget (GTK_WIDGET (window),
                                                              LACUNA_TYPE_FINDINGS_PANEL));
  g_assert_nonnull (panel);
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (panel)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-findings", NULL));
  lacuna_gui_test_wait (panel_ready, panel);
  lacuna_gui_test_wait_frame (GTK_WIDGET (panel));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (panel)));

  findings = lacuna_findings_panel_get_findings (panel);
  n = g_list_model_get_n_items (findings);
  g_assert_cmpuint (n, >, 0);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LacunaFinding) f = g_list_model_get_item (findings, i);
      const char *path = lacuna_finding_get_tag_path (f);

      if (lacuna_finding_get_class (f) == LACUNA_EVIDENCE_LITERATURE)
        n_literature++;
      if (lacuna_finding_get_class (f) != LACUNA_EVIDENCE_STATED
          || g_strcmp0 (lacuna_finding_get_kind (f), "header-identity") != 0)
        continue;
      n_stated++;
      /* Patient's Name when there, else the first top-level element. */
      if (g_strcmp0 (path, "00100010") == 0
          || (target == G_MAXUINT && path != NULL && strchr (path, '/') == NULL))
        target = i;
    }
  g_assert_cmpuint (n_stated, >, 0);
  g_assert_cmpuint (n_literature, >, 0);
  g_assert_cmpuint (target, !=, G_MAXUINT);

  /* The rows on screen carry the class words (never colour alone). The first rows are
   * header identity, so "Stated" is on screen. */
  g_assert_cmpuint (count_labels (GTK_WIDGET (panel), "Stated"), >, 0);

  /* Activating it shows the inspector with its row selected. */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (inspector)));
  finding = g_list_model_get_item (findings, target);
  lacuna_findings_panel_activate (panel, target);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (inspector)));
  lacuna_gui_test_wait (inspector_ready, inspector);
  selected = lacuna_tag_inspector_get_selected_path (inspector);
  g_assert_cmpstr (selected, ==, lacuna_finding_get_tag_path (finding));

  /* The toggle goes back to the study browser. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-findings", NULL));
  lacuna_gui_test_wait_frame (GTK_WIDGET (window));
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (panel)));

  g_object_ref (window);
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  g_assert_finalize_object (window);
}

static gboolean
panel_checked (gpointer data)
{
  return !lacuna_findings_panel_get_busy (data) && !lacuna_findings_panel_get_checking (data);
}

static GtkWidget *
find_button (GtkWidget  *widget,
             const char *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A mapped label under widget whose text contains text. */
static gboolean
find_label_containing (GtkWidget  *widget,
                       const char *text)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget)
      && strstr (gtk_label_get_text (GTK_LABEL (widget)), text) != NULL)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (find_label_containing (child, text))
      return TRUE;
  return FALSE;
}

static gboolean
flap_folded (gpointer data)
{
  return adw_flap_get_folded (data);
}

static gboolean
panel_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data) && gtk_widget_get_width (data) > 0;
}

static gboolean
image_shown (gpointer data)
{
  return !lacuna_image_view_get_busy (data);
}

/* The first finding of kind whose values member severity is severity (NULL: any) and that
 * has a proposed box when proposed is TRUE. */
static guint
find_finding (GListModel *findings,
              const char *kind,
              const char *severity,
              gboolean    proposed,
              const char *sop)
{
  for (guint i = 0; i < g_list_model_get_n_items (findings); i++)
    {
      g_autoptr(LacunaFinding) f = g_list_model_get_item (findings, i);
      JsonObject *values = lacuna_finding_get_values (f);

      if (g_strcmp0 (lacuna_finding_get_kind (f), kind) != 0)
        continue;
      if (severity != NULL
          && g_strcmp0 (json_object_get_string_member_with_default (values, "severity", ""),
                        severity) != 0)
        continue;
      if (proposed && !json_object_has_member (values, "proposed_box"))
        continue;
      if (sop != NULL && g_strcmp0 (lacuna_finding_get_sop_instance_uid (f), sop) != 0)
        continue;
      return i;
    }
  return G_MAXUINT;
}

/* The expensive checks run off the UI thread, report what they did, and their image
 * findings lead to the image: the burned-in line's instance, and its proposed box made a
 * selected redaction box. */
static void
test_findings_checks (void)
{
  LacunaWindow *window = lacuna_gui_test_new_window (1100, 800);
  LacunaImageView *view = lacuna_window_get_image_view (window);
  LacunaRedactionLayer *layer = lacuna_window_get_redaction_layer (window);
  LacunaFindingsPanel *panel;
  GListModel *findings;
  const LacunaDeidOptions *options;
  const LacunaDeidBox *box;
  g_autoptr(LacunaFinding) text_finding = NULL;
  g_autoptr(LacunaFinding) face = NULL;
  LacunaInstance *shown;
  JsonArray *proposed;
  guint i_text, i_face, n_boxes;
  int selected, chosen;
  int region[4];

  lacuna_window_open_sample (window);
  lacuna_gui_test_wait_loaded (window);
  panel = LACUNA_FINDINGS_PANEL (lacuna_gui_test_find_widget (GTK_WIDGET (window),
                                                              LACUNA_TYPE_FINDINGS_PANEL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-findings", NULL));

  /* The checks say so while they run (the face check of a 64-slice volume takes seconds;
   * the header findings come first). */
  g_assert_true (lacuna_findings_panel_get_checking (panel));
  g_assert_true (lacuna_findings_panel_is_check_running (panel, LACUNA_FINDINGS_CHECK_FACE));
  g_assert_cmpstr (lacuna_findings_panel_get_check_text (panel, LACUNA_FINDINGS_CHECK_FACE), ==,
                   "Checking…");
  lacuna_gui_test_wait (panel_checked, panel);
  lacuna_gui_test_wait_frame (GTK_WIDGET (panel));

  /* Every check reports what it did, found or not. */
  for (guint i = 0; i < LACUNA_FINDINGS_N_CHECKS; i++)
    {
      LacunaFindingsCheck check = lacuna_findings_check_nth (i);
      const char *text = lacuna_findings_panel_get_check_text (panel, check);

      g_assert_false (lacuna_findings_panel_is_check_running (panel, check));
      g_assert_cmpstr (text, !=, "");
      g_assert_cmpstr (text, !=, "Checking…");
      g_assert_cmpuint (count_labels (GTK_WIDGET (panel), text), ==, 1);
    }
  g_assert_nonnull (strstr (lacuna_findings_panel_get_check_text (panel,
                                                                  LACUNA_FINDINGS_CHECK_FACE),
                            "found a face"));
  g_assert_nonnull (strstr (lacuna_findings_panel_get_check_text (panel,
                                                                  LACUNA_FINDINGS_CHECK_BURNED_IN),
                            "lines of text"));

  findings = lacuna_findings_panel_get_findings (panel);
  {
    g_autoptr(LacunaSeries) us = g_list_model_get_item (lacuna_window_get_series_list (window),
                                                        lacuna_gui_test_find_series (window,
                                                                                     "US"));

    /* The ultrasound's burned-in name (the dose report has identity text too). */
    i_text = find_finding (findings, "burned-in-text", "identity", TRUE,
                           lacuna_instance_get_sop_instance_uid (
                             lacuna_series_get_instance (us, 0)));
  }
  i_face = find_finding (findings, "face", NULL, FALSE, NULL);
  g_assert_cmpuint (i_text, !=, G_MAXUINT);
  g_assert_cmpuint (i_face, !=, G_MAXUINT);
  g_assert_cmpuint (find_finding (findings, "header-identity", NULL, FALSE, NULL), <, i_text);

  /* A burned-in line: its instance is shown, its proposed box becomes a redaction box on
   * that instance, selected and editable (the box tool on). */
  text_finding = g_list_model_get_item (findings, i_text);
  g_assert_true (lacuna_finding_get_box (text_finding, region));
  proposed = json_object_get_array_member (lacuna_finding_get_values (text_finding),
                                           "proposed_box");
  n_boxes = lacuna_decisions_get_options (lacuna_window_get_decisions (window))->boxes->len;
  lacuna_findings_panel_activate (panel, i_text);
  shown = lacuna_image_view_get_instance (view, NULL);
  g_assert_nonnull (shown);
  g_assert_cmpstr (lacuna_instance_get_sop_instance_uid (shown), ==,
                   lacuna_finding_get_sop_instance_uid (text_finding));
  g_assert_cmpstr (lacuna_series_get_modality (lacuna_window_get_selected_series (window)), ==,
                   "US");
  options = lacuna_decisions_get_options (lacuna_window_get_decisions (window));
  g_assert_cmpuint (options->boxes->len, ==, n_boxes + 1);
  selected = lacuna_redaction_layer_get_selected (layer);
  g_assert_cmpint (selected, ==, (int) n_boxes);
  g_assert_true (lacuna_redaction_layer_get_active (layer));
  box = g_ptr_array_index (options->boxes, selected);
  g_assert_cmpstr (box->sop_instance_uid, ==, lacuna_finding_get_sop_instance_uid (text_finding));
  g_assert_cmpint (box->x, ==, json_array_get_int_element (proposed, 0));
  g_assert_cmpint (box->y, ==, json_array_get_int_element (proposed, 1));
  g_assert_cmpint (box->width, ==, json_array_get_int_element (proposed, 2));
  g_assert_cmpint (box->height, ==, json_array_get_int_element (proposed, 3));
  /* The box covers the line read. */
  g_assert_cmpint (box->x, <=, region[0]);
  g_assert_cmpint (box->y, <=, region[1]);
  g_assert_cmpint (box->x + box->width, >=, region[0] + region[2]);
  g_assert_cmpint (box->y + box->height, >=, region[1] + region[3]);
  lacuna_gui_test_wait (image_shown, view);
  {
    g_autoptr(GArray) on_image = lacuna_redaction_layer_dup_shown (layer);
    gboolean found = FALSE;

    for (guint i = 0; i < on_image->len; i++)
      found |= g_array_index (on_image, int, i) == selected;
    g_assert_true (found);
  }
  /* Again: the same box is selected, not added twice; and it is one undo step. */
  lacuna_redaction_layer_set_selected (layer, -1);
  lacuna_findings_panel_activate (panel, i_text);
  g_assert_cmpuint (lacuna_decisions_get_options (lacuna_window_get_decisions (window))->boxes->len,
                    ==, n_boxes + 1);
  g_assert_cmpint (lacuna_redaction_layer_get_selected (layer), ==, selected);
  g_assert_true (lacuna_undo_stack_undo (lacuna_window_get_undo_stack (window)));
  g_assert_cmpuint (lacuna_decisions_get_options (lacuna_window_get_decisions (window))->boxes->len,
                    ==, n_boxes);

  /* Every proposed line at once: one box each, one undo step. */
  {
    GtkWidget *button = find_button (GTK_WIDGET (panel), "_Box Every Proposed Line");
    guint n_proposed = 0;

    for (guint i = 0; i < g_list_model_get_n_items (findings); i++)
      {
        g_autoptr(LacunaFinding) f = g_list_model_get_item (findings, i);

        if (json_object_has_member (lacuna_finding_get_values (f), "proposed_box"))
          n_proposed++;
      }
    g_assert_cmpuint (n_proposed, >, 3);
    g_assert_nonnull (button);
    g_assert_true (gtk_widget_is_sensitive (button));
    g_signal_emit_by_name (button, "clicked");
    g_assert_cmpuint (lacuna_decisions_get_options (
                        lacuna_window_get_decisions (window))->boxes->len, ==,
                      n_boxes + n_proposed);
    /* Again: nothing new. */
    g_signal_emit_by_name (button, "clicked");
    g_assert_cmpuint (lacuna_decisions_get_options (
                        lacuna_window_get_decisions (window))->boxes->len, ==,
                      n_boxes + n_proposed);
    g_assert_true (lacuna_undo_stack_undo (lacuna_window_get_undo_stack (window)));
    g_assert_cmpuint (lacuna_decisions_get_options (
                        lacuna_window_get_decisions (window))->boxes->len, ==, n_boxes);
  }

  /* The face: the CT series, the rendering with the boxes and the counts. */
  face = g_list_model_get_item (findings, i_face);
  g_assert_true (lacuna_finding_get_render_box (face, NULL, region));
  g_assert_cmpint (region[2], >, 0);
  lacuna_findings_panel_activate (panel, i_face);
  g_assert_true (lacuna_findings_panel_get_details_finding (panel) == face);
  g_assert_cmpstr (lacuna_series_get_modality (lacuna_window_get_selected_series (window)), ==,
                   "CT");
  lacuna_gui_test_wait_frame (GTK_WIDGET (panel));
  {
    GtkPicture *picture = GTK_PICTURE (lacuna_gui_test_find_widget (GTK_WIDGET (panel),
                                                                    GTK_TYPE_PICTURE));

    g_assert_nonnull (picture);
    g_assert_nonnull (gtk_picture_get_paintable (picture));
    g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (picture)));
    save_shot (GTK_WIDGET (window), "findings-face.png");
  }

  /* Narrow and dark: the panel still lays out (its labels wrap), and can be looked at. */
  {
    AdwStyleManager *style = adw_style_manager_get_default ();

    AdwFlap *flap = ADW_FLAP (lacuna_gui_test_find_widget (GTK_WIDGET (window), ADW_TYPE_FLAP));

    gtk_window_set_default_size (GTK_WINDOW (window), 360, 640);
    adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
    lacuna_gui_test_wait (flap_folded, flap);
    adw_flap_set_reveal_flap (flap, TRUE);
    lacuna_gui_test_wait (panel_mapped, panel);
    lacuna_gui_test_wait_frame (GTK_WIDGET (window));
    g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (panel)));
    g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (panel)), <=, 360);
    save_shot (GTK_WIDGET (window), "findings-narrow-dark.png");
    adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
    gtk_window_set_default_size (GTK_WINDOW (window), 1100, 800);
    lacuna_gui_test_wait_frame (GTK_WIDGET (window));
  }

  /* Body composition on a chosen slice: the one shown (the sample's CT is a head and neck,
   * so nothing was suggested), measured with the check row's button. */
  g_assert_nonnull (strstr (lacuna_findings_panel_get_check_text (
                              panel, LACUNA_FINDINGS_CHECK_BODY_COMPOSITION), "not measured"));
  lacuna_image_view_set_position (view, lacuna_image_view_get_n_positions (view) - 1);
  chosen = lacuna_instance_get_instance_number (lacuna_image_view_get_instance (view, NULL));
  {
    GtkWidget *button = find_button (GTK_WIDGET (panel), "_Measure the Slice Shown");

    g_assert_nonnull (button);
    g_assert_true (gtk_widget_is_sensitive (button));
    g_signal_emit_by_name (button, "clicked");
  }
  g_assert_true (lacuna_findings_panel_is_check_running (panel,
                                                         LACUNA_FINDINGS_CHECK_BODY_COMPOSITION));
  lacuna_gui_test_wait (panel_checked, panel);
  {
    guint i_bc = find_finding (findings, "body-composition", NULL, FALSE, NULL);
    g_autoptr(LacunaFinding) bc = NULL;

    g_assert_cmpuint (i_bc, !=, G_MAXUINT);
    bc = g_list_model_get_item (findings, i_bc);
    g_assert_cmpint (json_object_get_int_member (lacuna_finding_get_values (bc), "instance"), ==,
                     chosen);
    g_assert_false (json_object_get_boolean_member (lacuna_finding_get_values (bc), "suggested"));
    g_assert_cmpint (lacuna_finding_get_class (bc), ==, LACUNA_EVIDENCE_MEASURED);
    g_assert_cmpint (lacuna_finding_get_status (bc), ==, LACUNA_FINDING_CANNOT_BE_REMOVED);
    lacuna_image_view_set_position (view, 0);
    lacuna_findings_panel_activate (panel, i_bc);
    g_assert_true (lacuna_findings_panel_get_details_finding (panel) == bc);
    shown = lacuna_image_view_get_instance (view, NULL);
    g_assert_cmpint (lacuna_instance_get_instance_number (shown), ==, chosen);
    /* The areas and the method are on screen. */
    lacuna_gui_test_wait_frame (GTK_WIDGET (panel));
    g_assert_true (find_label_containing (GTK_WIDGET (panel), "Adipose tissue: "));
    g_assert_true (find_label_containing (GTK_WIDGET (panel), "Muscle-density tissue: "));
    save_shot (GTK_WIDGET (window), "findings-bodycomp.png");
  }

  /* Closing the study cancels and clears. */
  lacuna_findings_panel_measure_slice (panel, 21);
  lacuna_findings_panel_set_collection (panel, NULL);
  g_assert_false (lacuna_findings_panel_get_checking (panel));
  g_assert_cmpuint (g_list_model_get_n_items (findings), ==, 0);

  g_object_ref (window);
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  g_assert_finalize_object (window);
}

/* CPU time of this thread, in ms (for the log only: nothing asserts on it). */
static double
thread_cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static gboolean
burned_in_checked (gpointer data)
{
  return !lacuna_findings_panel_get_busy (data)
         && !lacuna_findings_panel_is_check_running (data, LACUNA_FINDINGS_CHECK_BURNED_IN);
}

static LacunaFindingStatus
status_of (LacunaFindingsPanel *panel,
           guint                index)
{
  g_autoptr(LacunaFinding) f = g_list_model_get_item (lacuna_findings_panel_get_findings (panel),
                                                      index);

  return lacuna_findings_panel_get_status (panel, f);
}

static void
apply_decision (LacunaWindow   *window,
                LacunaDecision *decision)
{
  g_autoptr(LacunaDecision) owned = decision;
  g_autoptr(GError) error = NULL;

  g_assert_true (lacuna_undo_stack_apply (lacuna_window_get_undo_stack (window), owned, &error));
  g_assert_no_error (error);
}

/* Statuses follow the decisions, before any export: a box over a burned-in line, undo and
 * redo, a tag override, a quasi-identifier's coarsening, and defacing. */
static void
test_findings_live_status (void)
{
  LacunaWindow *window = lacuna_gui_test_new_window (1100, 800);
  LacunaUndoStack *undo = lacuna_window_get_undo_stack (window);
  LacunaFindingsPanel *panel;
  GListModel *findings;
  g_autoptr(LacunaFinding) text_finding = NULL;
  LacunaDeidBox box = { 0, };
  guint i_text, i_name = G_MAXUINT, i_quasi = G_MAXUINT;
  int region[4];

  lacuna_window_open_sample (window);
  lacuna_gui_test_wait_loaded (window);
  panel = LACUNA_FINDINGS_PANEL (lacuna_gui_test_find_widget (GTK_WIDGET (window),
                                                              LACUNA_TYPE_FINDINGS_PANEL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-findings", NULL));
  lacuna_gui_test_wait (burned_in_checked, panel);
  lacuna_gui_test_wait_frame (GTK_WIDGET (panel));
  findings = lacuna_findings_panel_get_findings (panel);

  /* A burned-in line: present until a box covers it. */
  i_text = find_finding (findings, "burned-in-text", "identity", TRUE, NULL);
  g_assert_cmpuint (i_text, !=, G_MAXUINT);
  text_finding = g_list_model_get_item (findings, i_text);
  g_assert_true (lacuna_finding_get_box (text_finding, region));
  g_assert_cmpint (status_of (panel, i_text), ==, LACUNA_FINDING_PRESENT);

  box.sop_instance_uid = (char *) lacuna_finding_get_sop_instance_uid (text_finding);
  box.scope = LACUNA_DEID_BOX_ALL_FRAMES;
  box.x = region[0];
  box.y = region[1];
  box.width = region[2];
  box.height = region[3];
  {
    double t0 = thread_cpu_ms ();

    apply_decision (window, lacuna_decision_new_add_box (&box));
    g_test_message ("a box added, statuses of %u findings updated: %.2f ms CPU",
                    g_list_model_get_n_items (findings), thread_cpu_ms () - t0);
  }
  g_assert_cmpint (status_of (panel, i_text), ==, LACUNA_FINDING_REMOVED);
  g_assert_true (lacuna_undo_stack_undo (undo));
  g_assert_cmpint (status_of (panel, i_text), ==, LACUNA_FINDING_PRESENT);
  g_assert_true (lacuna_undo_stack_redo (undo));
  g_assert_cmpint (status_of (panel, i_text), ==, LACUNA_FINDING_REMOVED);
  g_assert_true (lacuna_undo_stack_undo (undo));

  /* Half of it: reduced. A box on another frame only, or on another image: present. */
  box.width = MAX (region[2] / 2, 1);
  apply_decision (window, lacuna_decision_new_add_box (&box));
  g_assert_cmpint (status_of (panel, i_text), ==, LACUNA_FINDING_REDUCED);
  g_assert_true (lacuna_undo_stack_undo (undo));
  {
    guint frames[1] = { MAX (lacuna_finding_get_frame (text_finding), 1) + 1 };

    box.width = region[2];
    box.scope = LACUNA_DEID_BOX_FRAMES;
    box.frames = frames;
    box.n_frames = 1;
    apply_decision (window, lacuna_decision_new_add_box (&box));
    g_assert_cmpint (status_of (panel, i_text), ==, LACUNA_FINDING_PRESENT);
    g_assert_true (lacuna_undo_stack_undo (undo));
    box.frames = NULL;
    box.n_frames = 0;
    box.scope = LACUNA_DEID_BOX_ALL_FRAMES;
    box.sop_instance_uid = (char *) "1.2.3.4";
    apply_decision (window, lacuna_decision_new_add_box (&box));
    g_assert_cmpint (status_of (panel, i_text), ==, LACUNA_FINDING_PRESENT);
    g_assert_true (lacuna_undo_stack_undo (undo));
  }

  /* Patient's Name: the profile removes it; kept by the user, it is present, and the row
   * says why. */
  for (guint i = 0; i < g_list_model_get_n_items (findings); i++)
    {
      g_autoptr(LacunaFinding) f = g_list_model_get_item (findings, i);

      if (g_strcmp0 (lacuna_finding_get_kind (f), "header-identity") == 0
          && g_strcmp0 (lacuna_finding_get_tag_path (f), "00100010") == 0)
        i_name = i;
      if (g_strcmp0 (lacuna_finding_get_kind (f), "quasi-identifier") == 0
          && g_strcmp0 (lacuna_finding_get_tag_path (f), "00101010") == 0 && i_quasi == G_MAXUINT)
        i_quasi = i;
    }
  g_assert_cmpuint (i_name, !=, G_MAXUINT);
  g_assert_cmpint (status_of (panel, i_name), ==, LACUNA_FINDING_REMOVED);
  apply_decision (window, lacuna_decision_new_set_override ("00100010", LACUNA_DEID_OVERRIDE_KEEP,
                                                            NULL));
  g_assert_cmpint (status_of (panel, i_name), ==, LACUNA_FINDING_PRESENT);
  g_assert_true (lacuna_undo_stack_undo (undo));
  g_assert_cmpint (status_of (panel, i_name), ==, LACUNA_FINDING_REMOVED);

  /* The first row (on screen) says so in words, and its status word changes in place.
   * The list is on screen once every check has finished (until then the panel may show
   * its progress instead). */
  lacuna_gui_test_wait (panel_checked, panel);
  {
    g_autoptr(LacunaFinding) first = g_list_model_get_item (findings, 0);
    const char *why = "Your decision: keep it in the export.";

    g_assert_cmpstr (lacuna_finding_get_kind (first), ==, "header-identity");
    g_assert_cmpint (status_of (panel, 0), ==, LACUNA_FINDING_REMOVED);
    wait_for_label (GTK_WIDGET (panel), why, FALSE);
    apply_decision (window, lacuna_decision_new_set_override (lacuna_finding_get_tag_path (first),
                                                              LACUNA_DEID_OVERRIDE_KEEP, NULL));
    g_assert_cmpint (status_of (panel, 0), ==, LACUNA_FINDING_PRESENT);
    wait_for_label (GTK_WIDGET (panel), why, TRUE);
    g_assert_true (lacuna_undo_stack_undo (undo));
    wait_for_label (GTK_WIDGET (panel), why, FALSE);
  }
  apply_decision (window, lacuna_decision_new_set_override ("00100010",
                                                            LACUNA_DEID_OVERRIDE_REPLACE,
                                                            "SUBJECT^ONE"));
  g_assert_cmpint (status_of (panel, i_name), ==, LACUNA_FINDING_REMOVED);
  g_assert_true (lacuna_undo_stack_undo (undo));

  /* Patient's Age: removed by the Basic Profile, present when patient characteristics are
   * retained, reduced once coarsened to its 5-year band, removed when emptied. */
  g_assert_cmpuint (i_quasi, !=, G_MAXUINT);
  {
    g_autoptr(LacunaFinding) quasi = g_list_model_get_item (findings, i_quasi);
    g_autofree char *band = lacuna_quasi_coarsen_age (
      json_object_get_string_member (lacuna_finding_get_values (quasi), "value"));
    LacunaProfileOption options =
      lacuna_decisions_get_options (lacuna_window_get_decisions (window))->options;

    g_assert_nonnull (band);
    g_assert_cmpint (status_of (panel, i_quasi), ==, LACUNA_FINDING_REMOVED);
    apply_decision (window, lacuna_decision_new_set_profile_options (
                              options | LACUNA_PROFILE_OPTION_RETAIN_PATIENT_CHARACTERISTICS));
    g_assert_cmpint (status_of (panel, i_quasi), ==, LACUNA_FINDING_PRESENT);
    apply_decision (window, lacuna_decision_new_set_override ("00101010",
                                                              LACUNA_DEID_OVERRIDE_REPLACE,
                                                              band));
    g_assert_cmpint (status_of (panel, i_quasi), ==, LACUNA_FINDING_REDUCED);
    g_assert_true (lacuna_undo_stack_undo (undo));
    apply_decision (window, lacuna_decision_new_set_override ("00101010",
                                                              LACUNA_DEID_OVERRIDE_REMOVE, NULL));
    g_assert_cmpint (status_of (panel, i_quasi), ==, LACUNA_FINDING_REMOVED);
    g_assert_true (lacuna_undo_stack_undo (undo));
    g_assert_cmpint (status_of (panel, i_quasi), ==, LACUNA_FINDING_PRESENT);
    g_assert_true (lacuna_undo_stack_undo (undo));
    g_assert_cmpint (status_of (panel, i_quasi), ==, LACUNA_FINDING_REMOVED);
  }

  /* The face of the CT volume: removed when the export defaces. */
  {
    guint i_face = find_finding (findings, "face", NULL, FALSE, NULL);
    LacunaProfileOption options;

    g_assert_cmpuint (i_face, !=, G_MAXUINT);
    options = lacuna_decisions_get_options (lacuna_window_get_decisions (window))->options;
    g_assert_cmpint (status_of (panel, i_face), ==,
                     (options & LACUNA_PROFILE_OPTION_CLEAN_RECOGNIZABLE_VISUAL_FEATURES)
                     ? LACUNA_FINDING_REMOVED : LACUNA_FINDING_PRESENT);
    apply_decision (window, lacuna_decision_new_set_profile_options (
                              options | LACUNA_PROFILE_OPTION_CLEAN_RECOGNIZABLE_VISUAL_FEATURES));
    g_assert_cmpint (status_of (panel, i_face), ==, LACUNA_FINDING_REMOVED);
    apply_decision (window, lacuna_decision_new_set_profile_options (
                              options & ~LACUNA_PROFILE_OPTION_CLEAN_RECOGNIZABLE_VISUAL_FEATURES));
    g_assert_cmpint (status_of (panel, i_face), ==, LACUNA_FINDING_PRESENT);
    g_assert_true (lacuna_undo_stack_undo (undo));
    g_assert_true (lacuna_undo_stack_undo (undo));
  }

  g_object_ref (window);
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  g_assert_finalize_object (window);
}

static void
test_findings_overlay_new_destroy (void)
{
  LacunaBodycompOverlay *overlay = g_object_ref_sink (LACUNA_BODYCOMP_OVERLAY (
                                                        lacuna_bodycomp_overlay_new ()));
  LacunaImageView *view = g_object_ref_sink (LACUNA_IMAGE_VIEW (lacuna_image_view_new ()));

  g_assert_null (lacuna_bodycomp_overlay_get_view (overlay));
  g_assert_null (lacuna_bodycomp_overlay_get_instance (overlay));
  g_assert_false (lacuna_bodycomp_overlay_get_drawn (overlay));
  g_assert_cmpstr (lacuna_bodycomp_overlay_get_note (overlay), ==, "");
  g_assert_true (lacuna_bodycomp_overlay_set_instance (overlay, NULL, NULL));
  /* A view without a GtkOverlay parent: only the view is set. */
  lacuna_bodycomp_overlay_attach (overlay, view);
  g_assert_true (lacuna_bodycomp_overlay_get_view (overlay) == view);
  g_assert_null (gtk_widget_get_parent (GTK_WIDGET (overlay)));
  g_assert_false (lacuna_bodycomp_overlay_get_drawn (overlay));
  lacuna_bodycomp_overlay_set_view (overlay, NULL);

  g_assert_finalize_object (overlay);
  g_assert_finalize_object (view);
}

static gboolean
bodycomp_measured (gpointer data)
{
  return !lacuna_findings_panel_get_busy (data)
         && !lacuna_findings_panel_is_check_running (data,
                                                     LACUNA_FINDINGS_CHECK_BODY_COMPOSITION);
}

/* The colour of the pixel at (x, y) of texture, 0xRRGGBB. */
static guint32
texture_pixel (GdkTexture *texture,
               int         x,
               int         y)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  g_autofree guint8 *data = g_malloc ((gsize) width * height * 4);

  g_assert_cmpint (x, >=, 0);
  g_assert_cmpint (y, >=, 0);
  g_assert_cmpint (x, <, width);
  g_assert_cmpint (y, <, height);
  gdk_texture_download (texture, data, (gsize) width * 4);
  return *(guint32 *) (data + ((gsize) y * width + x) * 4) & 0xffffff;
}

static gboolean
overlay_measured (gpointer data)
{
  return !lacuna_findings_panel_get_overlay_busy (data);
}

/* "Show on Image": the measured slice's mask over the CT slice, with its legend, the same
 * mask as lacuna_bodycomp measures (its areas are the finding's), following the zoom. */
static void
test_findings_bodycomp_overlay (void)
{
  LacunaWindow *window = lacuna_gui_test_new_window (1100, 800);
  LacunaImageView *view = lacuna_window_get_image_view (window);
  GtkWidget *stack = gtk_widget_get_parent (GTK_WIDGET (view));
  LacunaBodycompOverlay *overlay;
  LacunaFindingsPanel *panel;
  GListModel *findings;
  GtkWidget *button;
  g_autoptr(LacunaFinding) bc = NULL;
  g_autoptr(LacunaBodyComp) reference = NULL;
  g_autoptr(GdkTexture) before = NULL;
  g_autoptr(GdkTexture) after = NULL;
  g_autoptr(GError) error = NULL;
  const LacunaBodyComp *result;
  LacunaInstance *slice;
  JsonObject *values;
  JsonArray *spacing;
  double pixel_cm2, wx, wy, best_wx = -1, best_wy = -1;
  graphene_point_t point;
  guint i_bc, n_body, n_adipose, n_muscle;
  int ct;

  lacuna_window_open_sample (window);
  lacuna_gui_test_wait_loaded (window);
  panel = LACUNA_FINDINGS_PANEL (lacuna_gui_test_find_widget (GTK_WIDGET (window),
                                                              LACUNA_TYPE_FINDINGS_PANEL));
  overlay = LACUNA_BODYCOMP_OVERLAY (lacuna_gui_test_find_widget (GTK_WIDGET (window),
                                                  LACUNA_TYPE_BODYCOMP_OVERLAY));
  g_assert_nonnull (overlay);
  g_assert_true (gtk_widget_get_parent (GTK_WIDGET (overlay)) == stack);
  /* Drawn right above the image, below the redaction boxes. */
  g_assert_true (gtk_widget_get_prev_sibling (GTK_WIDGET (overlay)) == GTK_WIDGET (view));
  g_assert_null (lacuna_bodycomp_overlay_get_instance (overlay));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-findings", NULL));
  lacuna_gui_test_wait (bodycomp_measured, panel);

  /* The sample's CT is a head and neck: measure its last slice. */
  ct = lacuna_gui_test_find_series (window, "CT");
  g_assert_cmpint (ct, >=, 0);
  lacuna_window_select_series (window, (guint) ct);
  lacuna_image_view_set_position (view, lacuna_image_view_get_n_positions (view) - 1);
  slice = lacuna_image_view_get_instance (view, NULL);
  lacuna_findings_panel_measure_slice (panel, lacuna_instance_get_instance_number (slice));
  lacuna_gui_test_wait (bodycomp_measured, panel);
  findings = lacuna_findings_panel_get_findings (panel);
  i_bc = find_finding (findings, "body-composition", NULL, FALSE, NULL);
  g_assert_cmpuint (i_bc, !=, G_MAXUINT);
  bc = g_list_model_get_item (findings, i_bc);
  g_assert_cmpint (lacuna_findings_panel_get_status (panel, bc), ==,
                   LACUNA_FINDING_CANNOT_BE_REMOVED);

  /* The card (activating the finding brings its slice); its toggle draws the mask. */
  lacuna_image_view_set_position (view, 0);
  lacuna_findings_panel_activate (panel, i_bc);
  lacuna_gui_test_wait (image_shown, view);
  lacuna_gui_test_wait_frame (GTK_WIDGET (window));
  button = find_button (GTK_WIDGET (panel), "_Show on Image");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_mapped (button));
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button)));
  g_assert_false (find_label_containing (GTK_WIDGET (overlay), "Subcutaneous fat"));
  before = lacuna_gui_test_render (stack);

  {
    double t0 = thread_cpu_ms ();

    /* Measured in a worker: the main thread only starts it, the button is busy. */
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button), TRUE);
    g_test_message ("Show on Image (%u × %u): %.2f ms of main-thread CPU to start it",
                    lacuna_instance_get_columns (slice), lacuna_instance_get_rows (slice),
                    thread_cpu_ms () - t0);
  }
  g_assert_true (lacuna_findings_panel_get_overlay_busy (panel));
  g_assert_null (lacuna_bodycomp_overlay_get_instance (overlay));
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button)));
  lacuna_gui_test_wait (overlay_measured, panel);
  g_assert_cmpstr (lacuna_findings_panel_get_overlay_error (panel), ==, "");
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button)));
  g_assert_true (lacuna_bodycomp_overlay_get_instance (overlay) == slice);
  lacuna_gui_test_wait (image_shown, view);
  g_assert_true (lacuna_image_view_get_instance (view, NULL) == slice);
  lacuna_gui_test_wait_frame (GTK_WIDGET (window));
  g_assert_true (lacuna_bodycomp_overlay_get_drawn (overlay));
  g_assert_cmpstr (lacuna_bodycomp_overlay_get_note (overlay), ==, "");
  /* The legend names every colour. */
  g_assert_true (find_label_containing (GTK_WIDGET (overlay), "Body outline"));
  g_assert_true (find_label_containing (GTK_WIDGET (overlay), "Subcutaneous fat"));
  g_assert_true (find_label_containing (GTK_WIDGET (overlay), "Inner fat"));
  g_assert_true (find_label_containing (GTK_WIDGET (overlay), "Muscle-density tissue"));

  /* The mask is lacuna_bodycomp's own, and its areas are the finding's. */
  result = lacuna_bodycomp_overlay_get_result (overlay);
  g_assert_nonnull (result);
  {
    double t0 = thread_cpu_ms ();

    reference = lacuna_bodycomp_measure_instance (slice, &error);
    /* What "Show on Image" cost the main thread when it measured there (mask and outline
     * pictures not counted). */
    g_test_message ("Measuring the slice: %.1f ms of CPU (now in a worker)",
                    thread_cpu_ms () - t0);
  }
  g_assert_no_error (error);
  g_assert_cmpuint (result->width, ==, reference->width);
  g_assert_cmpuint (result->height, ==, reference->height);
  g_assert_cmpmem (result->labels, result->width * result->height, reference->labels,
                   reference->width * reference->height);
  n_body = result->width * result->height
           - lacuna_bodycomp_count_label (result, LACUNA_BODYCOMP_LABEL_OUTSIDE);
  n_adipose = lacuna_bodycomp_count_label (result, LACUNA_BODYCOMP_LABEL_SUBCUTANEOUS_FAT)
              + lacuna_bodycomp_count_label (result, LACUNA_BODYCOMP_LABEL_INNER_FAT);
  n_muscle = lacuna_bodycomp_count_label (result, LACUNA_BODYCOMP_LABEL_MUSCLE_RING)
             + lacuna_bodycomp_count_label (result, LACUNA_BODYCOMP_LABEL_MUSCLE_OTHER);
  g_assert_cmpuint (n_body, >, 0);
  g_assert_cmpuint (n_muscle, >, 0);
  values = lacuna_finding_get_values (bc);
  spacing = json_object_get_array_member (values, "pixel_spacing_mm");
  pixel_cm2 = json_array_get_double_element (spacing, 0)
              * json_array_get_double_element (spacing, 1) / 100.0;
  g_assert_cmpfloat_with_epsilon (n_body * pixel_cm2,
                                  json_object_get_double_member (values, "body_cm2"), 0.051);
  g_assert_cmpfloat_with_epsilon (n_adipose * pixel_cm2,
                                  json_object_get_double_member (values, "adipose_cm2"), 0.051);
  g_assert_cmpfloat_with_epsilon (n_muscle * pixel_cm2,
                                  json_object_get_double_member (values, "muscle_cm2"), 0.051);

  /* On screen: a muscle-density pixel far from the legend (on the left) is tinted. */
  for (guint y = 0; y < result->height; y++)
    for (guint x = 0; x < result->width; x++)
      if (lacuna_bodycomp_get_label (result, x, y) == LACUNA_BODYCOMP_LABEL_MUSCLE_OTHER
          || lacuna_bodycomp_get_label (result, x, y) == LACUNA_BODYCOMP_LABEL_MUSCLE_RING)
        {
          lacuna_image_view_image_to_widget (view, x + 0.5, y + 0.5, &wx, &wy);
          if (wx > best_wx)
            {
              best_wx = wx;
              best_wy = wy;
            }
        }
  g_assert_true (gtk_widget_compute_point (GTK_WIDGET (view), stack,
                                           &GRAPHENE_POINT_INIT (best_wx, best_wy), &point));
  after = lacuna_gui_test_render (stack);
  g_assert_cmphex (texture_pixel (before, (int) point.x, (int) point.y), !=,
                   texture_pixel (after, (int) point.x, (int) point.y));
  save_shot (GTK_WIDGET (window), "findings-bodycomp-overlay.png");

  /* Another slice: not drawn, the legend says where it is. */
  lacuna_image_view_set_position (view, 0);
  lacuna_gui_test_wait (image_shown, view);
  g_assert_false (lacuna_bodycomp_overlay_get_drawn (overlay));
  g_assert_nonnull (strstr (lacuna_bodycomp_overlay_get_note (overlay), "Instance Number"));
  lacuna_findings_panel_activate (panel, i_bc);
  lacuna_gui_test_wait (image_shown, view);
  g_assert_true (lacuna_bodycomp_overlay_get_drawn (overlay));

  /* Zoomed in: the same image pixel, wherever it now is, is still tinted. */
  lacuna_image_view_zoom_at (view, lacuna_image_view_get_scale (view) * 2.0, best_wx, best_wy);
  lacuna_gui_test_wait_frame (GTK_WIDGET (window));
  {
    g_autoptr(GdkTexture) zoomed = NULL;
    g_autoptr(GdkTexture) plain = NULL;
    double zx, zy;
    double ix, iy;

    g_assert_true (lacuna_image_view_widget_to_image (view, best_wx, best_wy, &ix, &iy));
    lacuna_image_view_image_to_widget (view, floor (ix) + 0.5, floor (iy) + 0.5, &zx, &zy);
    g_assert_true (gtk_widget_compute_point (GTK_WIDGET (view), stack,
                                             &GRAPHENE_POINT_INIT (zx, zy), &point));
    zoomed = lacuna_gui_test_render (stack);
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button), FALSE);
    g_assert_null (lacuna_bodycomp_overlay_get_instance (overlay));
    g_assert_false (lacuna_bodycomp_overlay_get_drawn (overlay));
    lacuna_gui_test_wait_frame (GTK_WIDGET (window));
    plain = lacuna_gui_test_render (stack);
    g_assert_cmphex (texture_pixel (zoomed, (int) point.x, (int) point.y), !=,
                     texture_pixel (plain, (int) point.x, (int) point.y));
    g_assert_false (find_label_containing (GTK_WIDGET (overlay), "Subcutaneous fat"));
  }

  /* What cannot be measured is refused, and nothing is drawn. */
  {
    g_autoptr(LacunaSeries) us = g_list_model_get_item (lacuna_window_get_series_list (window),
                                                        lacuna_gui_test_find_series (window,
                                                                                     "US"));

    g_assert_false (lacuna_bodycomp_overlay_set_instance (overlay,
                                                          lacuna_series_get_instance (us, 0),
                                                          &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
    g_assert_null (lacuna_bodycomp_overlay_get_instance (overlay));
    g_assert_null (lacuna_bodycomp_overlay_get_result (overlay));
  }

  /* The face check's worker threads must not outlive the process: OpenCV's static data is
   * freed at exit while a cancelled detection may still be running (seen under valgrind). */
  lacuna_gui_test_wait (panel_checked, panel);

  g_object_ref (window);
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  g_assert_finalize_object (window);
}

static void
count_activated_cb (LacunaFindingsPanel *panel,
                    LacunaFinding       *finding,
                    guint               *count)
{
  (*count)++;
}

static gboolean
object_gone (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* "Show on Image" measures in a worker: switching it off stops the measurement (its result
 * is dropped); a slice that cannot be measured says why under the button and leaves the
 * check's summary alone; closing the window while it measures is safe. On a copy of the
 * sample (one of its files is spoilt). */
static void
test_findings_overlay_async (void)
{
  g_autofree char *sample = lacuna_gui_test_dup_sample_path ();
  g_autofree char *tmp = g_dir_make_tmp ("lacuna-overlay-XXXXXX", NULL);
  const char *paths[2] = { tmp, NULL };
  LacunaWindow *window;
  LacunaImageView *view;
  LacunaBodycompOverlay *overlay;
  LacunaFindingsPanel *panel;
  GtkWidget *button;
  LacunaInstance *slice;
  g_autofree char *summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *original = NULL;
  gsize original_size = 0;
  gpointer panel_pointer;
  guint i_bc, n_activated = 0;
  int ct;

  g_assert_nonnull (tmp);
  lacuna_gui_test_copy_tree (sample, tmp);
  window = lacuna_gui_test_new_window (1100, 800);
  view = lacuna_window_get_image_view (window);
  lacuna_window_open_paths (window, paths);
  lacuna_gui_test_wait_loaded (window);
  panel = LACUNA_FINDINGS_PANEL (lacuna_gui_test_find_widget (GTK_WIDGET (window),
                                                              LACUNA_TYPE_FINDINGS_PANEL));
  overlay = LACUNA_BODYCOMP_OVERLAY (lacuna_gui_test_find_widget (GTK_WIDGET (window),
                                                                  LACUNA_TYPE_BODYCOMP_OVERLAY));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-findings", NULL));
  lacuna_gui_test_wait (bodycomp_measured, panel);
  ct = lacuna_gui_test_find_series (window, "CT");
  g_assert_cmpint (ct, >=, 0);
  lacuna_window_select_series (window, (guint) ct);
  lacuna_image_view_set_position (view, lacuna_image_view_get_n_positions (view) - 1);
  slice = lacuna_image_view_get_instance (view, NULL);
  lacuna_findings_panel_measure_slice (panel, lacuna_instance_get_instance_number (slice));
  lacuna_gui_test_wait (bodycomp_measured, panel);
  i_bc = find_finding (lacuna_findings_panel_get_findings (panel), "body-composition", NULL,
                       FALSE, NULL);
  g_assert_cmpuint (i_bc, !=, G_MAXUINT);
  lacuna_findings_panel_activate (panel, i_bc);
  lacuna_gui_test_wait (image_shown, view);
  button = find_button (GTK_WIDGET (panel), "_Show on Image");
  g_assert_nonnull (button);
  summary = g_strdup (lacuna_findings_panel_get_check_text (
    panel, LACUNA_FINDINGS_CHECK_BODY_COMPOSITION));
  g_assert_cmpstr (summary, !=, "");
  g_signal_connect (panel, "finding-activated", G_CALLBACK (count_activated_cb), &n_activated);

  /* On, then off at once: nothing is drawn, even once the worker is done. */
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button), TRUE);
  g_assert_true (lacuna_findings_panel_get_overlay_busy (panel));
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button), FALSE);
  g_assert_false (lacuna_findings_panel_get_overlay_busy (panel));
  lacuna_gui_test_wait_ms (2000);   /* the worker's time, not a bound */
  g_assert_null (lacuna_bodycomp_overlay_get_instance (overlay));
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button)));
  g_assert_cmpuint (n_activated, ==, 0);

  /* On again: drawn, and the slice shown once. */
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button), TRUE);
  lacuna_gui_test_wait (overlay_measured, panel);
  g_assert_true (lacuna_bodycomp_overlay_get_instance (overlay) == slice);
  g_assert_cmpuint (n_activated, ==, 1);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button), FALSE);
  g_assert_null (lacuna_bodycomp_overlay_get_instance (overlay));

  /* The slice's file spoilt: the error goes under the button, the summary stays. */
  g_assert_true (g_file_get_contents (lacuna_instance_get_source (slice), &original,
                                      &original_size, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (lacuna_instance_get_source (slice), "not DICOM", -1,
                                      &error));
  g_assert_no_error (error);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button), TRUE);
  lacuna_gui_test_wait (overlay_measured, panel);
  g_assert_cmpstr (lacuna_findings_panel_get_overlay_error (panel), !=, "");
  g_assert_true (find_label_containing (GTK_WIDGET (panel),
                                        lacuna_findings_panel_get_overlay_error (panel)));
  g_assert_cmpstr (lacuna_findings_panel_get_check_text (panel,
                                                         LACUNA_FINDINGS_CHECK_BODY_COMPOSITION),
                   ==, summary);
  g_assert_null (lacuna_bodycomp_overlay_get_instance (overlay));
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button)));
  g_assert_cmpuint (n_activated, ==, 1);

  /* Closing the window while it measures (the file as it was: a real measurement). */
  g_signal_handlers_disconnect_by_func (panel, count_activated_cb, &n_activated);
  g_assert_true (g_file_set_contents (lacuna_instance_get_source (slice), original,
                                      (gssize) original_size, &error));
  g_assert_no_error (error);
  lacuna_gui_test_wait (panel_checked, panel);   /* the face check's threads: see above */
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button), TRUE);
  g_assert_true (lacuna_findings_panel_get_overlay_busy (panel));
  g_assert_cmpstr (lacuna_findings_panel_get_overlay_error (panel), ==, "");
  panel_pointer = panel;
  g_object_add_weak_pointer (G_OBJECT (panel), &panel_pointer);
  gtk_window_destroy (GTK_WINDOW (window));
  lacuna_gui_test_wait (object_gone, &panel_pointer);
  lacuna_gui_test_remove_tree (tmp);
}

int
main (int   argc,
      char *argv[])
{
  if (!lacuna_gui_test_init (&argc, &argv))
    return 77;

  g_test_add_func ("/gui/findings-panel/sample", test_findings_sample);
  g_test_add_func ("/gui/findings-panel/checks", test_findings_checks);
  g_test_add_func ("/gui/findings-panel/live-status", test_findings_live_status);
  g_test_add_func ("/gui/findings-panel/overlay-new-destroy", test_findings_overlay_new_destroy);
  g_test_add_func ("/gui/findings-panel/bodycomp-overlay", test_findings_bodycomp_overlay);
  g_test_add_func ("/gui/findings-panel/overlay-async", test_findings_overlay_async);

  return g_test_run ();
}
