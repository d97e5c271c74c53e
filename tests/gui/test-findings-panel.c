/* test-findings-panel.c: the findings panel on the sample study, and the way from a
 * header finding to its row in the tag inspector.
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-findings-panel"

#include "config.h"

#include <string.h>

#include "lacuna-findings-panel.h"
#include "lacuna-gui-test-util.h"
#include "lacuna-redaction-layer.h"
#include "lacuna-tag-inspector.h"

static GtkWidget *
find_widget (GtkWidget *widget,
             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* How many mapped labels under widget read text. */
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

  panel = LACUNA_FINDINGS_PANEL (find_widget (GTK_WIDGET (window), LACUNA_TYPE_FINDINGS_PANEL));
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
  panel = LACUNA_FINDINGS_PANEL (find_widget (GTK_WIDGET (window), LACUNA_TYPE_FINDINGS_PANEL));
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
    GtkPicture *picture = GTK_PICTURE (find_widget (GTK_WIDGET (panel), GTK_TYPE_PICTURE));

    g_assert_nonnull (picture);
    g_assert_nonnull (gtk_picture_get_paintable (picture));
    g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (picture)));
    if (g_getenv ("LACUNA_SCREENSHOT_DIR") != NULL)
      {
        g_autoptr(GdkTexture) shot = lacuna_gui_test_render (GTK_WIDGET (window));
        g_autofree char *path = g_build_filename (g_getenv ("LACUNA_SCREENSHOT_DIR"),
                                                  "findings-face.png", NULL);

        gdk_texture_save_to_png (shot, path);
      }
  }

  /* Narrow and dark: the panel still lays out (its labels wrap), and can be looked at. */
  {
    const char *dir = g_getenv ("LACUNA_SCREENSHOT_DIR");
    AdwStyleManager *style = adw_style_manager_get_default ();

    AdwFlap *flap = ADW_FLAP (find_widget (GTK_WIDGET (window), ADW_TYPE_FLAP));

    gtk_window_set_default_size (GTK_WINDOW (window), 360, 640);
    adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
    lacuna_gui_test_wait (flap_folded, flap);
    adw_flap_set_reveal_flap (flap, TRUE);
    lacuna_gui_test_wait (panel_mapped, panel);
    lacuna_gui_test_wait_frame (GTK_WIDGET (window));
    g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (panel)));
    g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (panel)), <=, 360);
    if (dir != NULL)
      {
        g_autoptr(GdkTexture) shot = lacuna_gui_test_render (GTK_WIDGET (window));
        g_autofree char *path = g_build_filename (dir, "findings-narrow-dark.png", NULL);

        gdk_texture_save_to_png (shot, path);
      }
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
    if (g_getenv ("LACUNA_SCREENSHOT_DIR") != NULL)
      {
        g_autoptr(GdkTexture) shot = lacuna_gui_test_render (GTK_WIDGET (window));
        g_autofree char *path = g_build_filename (g_getenv ("LACUNA_SCREENSHOT_DIR"),
                                                  "findings-bodycomp.png", NULL);

        gdk_texture_save_to_png (shot, path);
      }
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

int
main (int   argc,
      char *argv[])
{
  if (!lacuna_gui_test_init (&argc, &argv))
    return 77;

  g_test_add_func ("/gui/findings-panel/sample", test_findings_sample);
  g_test_add_func ("/gui/findings-panel/checks", test_findings_checks);

  return g_test_run ();
}
