/* test-screenshot.c: renders the welcome page and the study view to PNG files in the build
 * folder (lacuna-welcome.png, lacuna-study.png, lacuna-image.png, lacuna-study-narrow.png,
 * lacuna-problems-toast.png, lacuna-problems-dialog.png, lacuna-study-inspector.png,
 * lacuna-study-dark.png, lacuna-redact-box.png, lacuna-redact-result.png, lacuna-export.png,
 * lacuna-study-360.png and lacuna-study-1280.png)
 * for people to look at (data/screenshots/ and help/C/figures/ hold a chosen few), and checks
 * what can be checked about them.
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-screenshot"

#include "config.h"

#include "lacuna-annotations.h"
#include "lacuna-export-dialog.h"
#include "lacuna-gui-test-util.h"

static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GdkTexture) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (g_test_get_dir (G_TEST_BUILT), name, NULL);

  lacuna_gui_test_wait_frame (widget);
  texture = lacuna_gui_test_render (widget);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, gtk_widget_get_width (widget));
  g_assert_cmpint (gdk_texture_get_height (texture), ==, gtk_widget_get_height (widget));
  g_assert_true (gdk_texture_save_to_png (texture, path));

  loaded = gdk_texture_new_from_filename (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (loaded), ==, gdk_texture_get_width (texture));
  g_test_message ("Wrote %s", path);
}

static void
open_sample_ct (LacunaWindow *window)
{
  LacunaImageView *view = lacuna_window_get_image_view (window);
  int ct;

  lacuna_window_open_sample (window);
  lacuna_gui_test_wait_loaded (window);
  ct = lacuna_gui_test_find_series (window, "CT");
  g_assert_cmpint (ct, >=, 0);
  lacuna_window_select_series (window, ct);
  /* A slice through the head. */
  lacuna_image_view_set_position (view, lacuna_image_view_get_n_positions (view) / 4);
  lacuna_gui_test_wait_image (view);
  g_assert_nonnull (lacuna_image_view_get_surface (view));
}

static void
test_screenshot_welcome (void)
{
  LacunaWindow *window = lacuna_gui_test_new_window (1024, 700);

  g_assert_cmpstr (lacuna_window_get_page (window), ==, "welcome");
  save_screenshot (GTK_WIDGET (window), "lacuna-welcome.png");
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_screenshot_study (void)
{
  LacunaWindow *window = lacuna_gui_test_new_window (1024, 700);

  open_sample_ct (window);
  save_screenshot (GTK_WIDGET (window), "lacuna-study.png");
  save_screenshot (GTK_WIDGET (lacuna_window_get_image_view (window)), "lacuna-image.png");
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_screenshot_narrow (void)
{
  LacunaWindow *window = lacuna_gui_test_new_window (480, 600);

  open_sample_ct (window);
  save_screenshot (GTK_WIDGET (window), "lacuna-study-narrow.png");
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The first widget under widget with that CSS class (and mapped), or NULL. */
static GtkWidget *
find_with_class (GtkWidget  *widget,
                 const char *css_class)
{
  if (gtk_widget_has_css_class (widget, css_class) && gtk_widget_get_mapped (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_with_class (child, css_class);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The floating image toolbar (the redaction tools) covers neither the bottom-left corner
 * annotations nor the position label, at a phone's width and at a desktop's. */
static void
check_toolbar_clear (LacunaWindow *window,
                     const char   *name)
{
  GtkWidget *view = GTK_WIDGET (lacuna_window_get_image_view (window));
  GtkWidget *toolbar = find_with_class (GTK_WIDGET (window), "image-toolbar");
  GtkWidget *annotations = lacuna_gui_test_find_widget (GTK_WIDGET (window),
                                                        LACUNA_TYPE_ANNOTATIONS);
  GtkWidget *position = find_with_class (GTK_WIDGET (window), "position-label");
  graphene_rect_t tb, an, pos, img;

  save_screenshot (GTK_WIDGET (window), name);
  g_assert_nonnull (toolbar);
  g_assert_nonnull (annotations);
  g_assert_true (gtk_widget_compute_bounds (toolbar, view, &tb));
  g_assert_true (gtk_widget_compute_bounds (annotations, view, &an));
  g_assert_true (gtk_widget_compute_bounds (view, view, &img));
  g_test_message ("%s: view %g × %g, toolbar %g,%g %g × %g, annotations end at %g", name,
                  img.size.width, img.size.height, tb.origin.x, tb.origin.y, tb.size.width,
                  tb.size.height, an.origin.y + an.size.height);
  /* Inside the image, and the corner text (drawn 12 px inside the annotations' bounds,
   * lacuna-annotations.c) ends above it. */
  g_assert_cmpfloat (tb.origin.x, >=, 0);
  g_assert_cmpfloat (tb.origin.x + tb.size.width, <=, img.size.width);
  g_assert_cmpfloat (an.origin.y + an.size.height - 12, <=, tb.origin.y);
  if (position != NULL)
    {
      g_assert_true (gtk_widget_compute_bounds (position, view, &pos));
      g_assert_false (graphene_rect_intersection (&tb, &pos, NULL));
    }
}

static void
test_screenshot_toolbar (void)
{
  LacunaWindow *window = lacuna_gui_test_new_window (360, 640);

  open_sample_ct (window);
  check_toolbar_clear (window, "lacuna-study-360.png");
  gtk_window_destroy (GTK_WINDOW (window));

  window = lacuna_gui_test_new_window (1280, 800);
  open_sample_ct (window);
  check_toolbar_clear (window, "lacuna-study-1280.png");
  gtk_window_destroy (GTK_WINDOW (window));
}

static GtkWindow *
find_dialog (LacunaWindow *window)
{
  g_autoptr(GList) windows = gtk_window_list_toplevels ();

  for (GList *l = windows; l != NULL; l = l->next)
    if (ADW_IS_MESSAGE_DIALOG (l->data)
        && gtk_window_get_transient_for (l->data) == GTK_WINDOW (window))
      return l->data;

  return NULL;
}

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data) && gtk_widget_get_width (data) > 0;
}

/* A folder with one good file and three bad ones: a toast, then the Details dialog. */
static void
test_screenshot_problems (void)
{
  LacunaWindow *window = lacuna_gui_test_new_window (1024, 700);
  g_autofree char *sample = lacuna_gui_test_dup_sample_path ();
  g_autofree char *dicom = lacuna_gui_test_find_dicom_file (sample);
  g_autofree char *dir = lacuna_gui_test_make_bad_folder ();
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  const char *paths[2] = { dir, NULL };
  GtkWindow *dialog;
  gsize length;

  g_file_get_contents (dicom, &contents, &length, &error);
  g_assert_no_error (error);
  lacuna_gui_test_write_file (dir, "IM0001", contents, length);
  /* Two more broken copies: cut inside the header. */
  lacuna_gui_test_write_file (dir, "IM0002", contents, MIN (length, 200));
  lacuna_gui_test_write_file (dir, "IM0003", contents, MIN (length, 300));

  lacuna_window_open_paths (window, paths);
  lacuna_gui_test_wait_loaded (window);
  g_assert_cmpuint (lacuna_collection_get_problems (lacuna_window_get_collection (window))->len, ==, 4);
  save_screenshot (GTK_WIDGET (window), "lacuna-problems-toast.png");

  g_assert_null (find_dialog (window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-problems", NULL));
  dialog = find_dialog (window);
  g_assert_nonnull (dialog);
  lacuna_gui_test_wait (is_mapped, dialog);
  save_screenshot (GTK_WIDGET (dialog), "lacuna-problems-dialog.png");

  gtk_window_destroy (GTK_WINDOW (window));
  lacuna_gui_test_remove_tree (dir);
}

static gboolean
has_export_dialog (gpointer data)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (toplevels, i);

      if (LACUNA_IS_EXPORT_DIALOG (item) && gtk_widget_get_mapped (GTK_WIDGET (item)))
        {
          *(gpointer *) data = item;
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
inspector_ready (gpointer data)
{
  return !lacuna_tag_inspector_get_busy (data) && lacuna_tag_inspector_get_plan (data) != NULL;
}

/* The study with the tag inspector open, in the light and the dark style. */
static void
test_screenshot_inspector (void)
{
  LacunaWindow *window = lacuna_gui_test_new_window (1280, 800);
  AdwStyleManager *style = adw_style_manager_get_default ();

  open_sample_ct (window);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-inspector", NULL));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (lacuna_window_get_tag_inspector (window))));
  lacuna_gui_test_wait (inspector_ready, lacuna_window_get_tag_inspector (window));
  save_screenshot (GTK_WIDGET (window), "lacuna-study-inspector.png");

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  g_assert_true (adw_style_manager_get_dark (style));
  save_screenshot (GTK_WIDGET (window), "lacuna-study-dark.png");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  gtk_window_destroy (GTK_WINDOW (window));
}

typedef struct
{
  LacunaRedactionLayer *layer;
  double                x;
  double                y;
} LayerPixel;

/* The result is shown: the layer paints the image, black inside the box (while the result
 * is being made, the layer paints only the boxes' outlines over the original). */
static gboolean
result_shown (gpointer data)
{
  LayerPixel *p = data;
  g_autoptr(GdkTexture) texture = lacuna_gui_test_render (GTK_WIDGET (p->layer));
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  g_autofree guint32 *pixels = g_new (guint32, (gsize) width * height);
  int x = CLAMP ((int) p->x, 0, width - 1);
  int y = CLAMP ((int) p->y, 0, height - 1);
  guint32 argb;

  gdk_texture_download (texture, (guchar *) pixels, (gsize) width * 4);
  argb = pixels[(gsize) y * width + x];
  return (argb >> 24) == 0xff && (argb & 0xffffff) == 0;
}

/* Drawing a box over the ultrasound's burned-in header, then the result. */
static void
test_screenshot_box (void)
{
  LacunaWindow *window = lacuna_gui_test_new_window (1280, 800);
  LacunaImageView *view = lacuna_window_get_image_view (window);
  LacunaRedactionLayer *layer = lacuna_window_get_redaction_layer (window);
  double x0, y0, x1, y1;
  guint width, height;
  int us;

  lacuna_window_open_sample (window);
  lacuna_gui_test_wait_loaded (window);
  us = lacuna_gui_test_find_series (window, "US");
  g_assert_cmpint (us, >=, 0);
  lacuna_window_select_series (window, us);
  lacuna_gui_test_wait_image (view);
  lacuna_gui_test_wait_frame (GTK_WIDGET (view));
  g_assert_true (lacuna_image_view_get_image_size (view, &width, &height));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.box-tool", NULL));
  g_assert_true (lacuna_redaction_layer_get_active (layer));
  /* The header band that holds the identity; the corner annotations off, so the image's
   * own text shows. */
  lacuna_view_state_set_show_annotations (lacuna_image_view_get_state (view), FALSE);
  lacuna_image_view_image_to_widget (view, 2, 2, &x0, &y0);
  lacuna_image_view_image_to_widget (view, width - 2, 54, &x1, &y1);
  lacuna_redaction_layer_drag (layer, x0, y0, x1, y1);
  g_assert_cmpint (lacuna_redaction_layer_get_selected (layer), >=, 0);
  save_screenshot (GTK_WIDGET (window), "lacuna-redact-box.png");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-result", NULL));
  g_assert_true (lacuna_redaction_layer_get_show_result (layer));
  {
    LayerPixel p = { layer, (x0 + x1) / 2, (y0 + y1) / 2 };

    lacuna_gui_test_wait (result_shown, &p);
  }
  save_screenshot (GTK_WIDGET (window), "lacuna-redact-result.png");
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The export dialog over the sample study, with the researcher preset. */
static void
test_screenshot_export (void)
{
  LacunaWindow *window = lacuna_gui_test_new_window (1280, 800);
  g_autofree char *destination = g_build_filename (g_get_home_dir (), "Exports", "study-1",
                                                   NULL);
  gpointer dialog = NULL;

  open_sample_ct (window);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.export", NULL));
  lacuna_gui_test_wait (has_export_dialog, &dialog);
  lacuna_export_dialog_set_preset (dialog, LACUNA_EXPORT_PRESET_RESEARCH);
  lacuna_export_dialog_set_destination (dialog, destination);
  gtk_window_set_default_size (GTK_WINDOW (dialog), 600, 800);
  save_screenshot (GTK_WIDGET (dialog), "lacuna-export.png");
  /* Scrolled down to the images: the deface switch. */
  gtk_widget_grab_focus (GTK_WIDGET (lacuna_export_dialog_get_switch (dialog,
                                     LACUNA_PROFILE_OPTION_CLEAN_RECOGNIZABLE_VISUAL_FEATURES)));
  lacuna_gui_test_wait_frame (GTK_WIDGET (dialog));
  save_screenshot (GTK_WIDGET (dialog), "lacuna-export-images.png");
  gtk_window_destroy (GTK_WINDOW (dialog));
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *data_home = g_dir_make_tmp ("lacuna-data-XXXXXX", NULL);
  int ret;

  /* A data folder of its own: the welcome page shows no recent studies of other tests. */
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  if (!lacuna_gui_test_init (&argc, &argv))
    return 77;

  g_test_add_func ("/gui/screenshot/welcome", test_screenshot_welcome);
  g_test_add_func ("/gui/screenshot/study", test_screenshot_study);
  g_test_add_func ("/gui/screenshot/narrow", test_screenshot_narrow);
  g_test_add_func ("/gui/screenshot/toolbar", test_screenshot_toolbar);
  g_test_add_func ("/gui/screenshot/problems", test_screenshot_problems);
  g_test_add_func ("/gui/screenshot/inspector", test_screenshot_inspector);
  g_test_add_func ("/gui/screenshot/box", test_screenshot_box);
  g_test_add_func ("/gui/screenshot/export", test_screenshot_export);

  ret = g_test_run ();
  lacuna_gui_test_remove_tree (data_home);
  return ret;
}
