/* test-screenshot.c: renders the welcome page and the study view to PNG files in the build
 * folder (lacuna-welcome.png, lacuna-study.png, lacuna-image.png, lacuna-study-narrow.png,
 * lacuna-problems-toast.png, lacuna-problems-dialog.png) for people to look at, and checks
 * what can be checked about them.
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-screenshot"

#include "config.h"

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

int
main (int   argc,
      char *argv[])
{
  if (!lacuna_gui_test_init (&argc, &argv))
    return 77;

  g_test_add_func ("/gui/screenshot/welcome", test_screenshot_welcome);
  g_test_add_func ("/gui/screenshot/study", test_screenshot_study);
  g_test_add_func ("/gui/screenshot/narrow", test_screenshot_narrow);
  g_test_add_func ("/gui/screenshot/problems", test_screenshot_problems);

  return g_test_run ();
}
