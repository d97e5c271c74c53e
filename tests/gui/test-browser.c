/* test-browser.c: the study browser (patient → study → series), its background thumbnails
 * and badges, the private recent list, and the several-patients notice.
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "lacuna-export-dialog.h"
#include "lacuna-gui-test-util.h"
#include "lacuna-recent.h"
#include "lacuna-study-browser.h"

static char *data_home;

static GtkWidget *
find_widget (GtkWidget *widget,
             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
browser_idle (gpointer data)
{
  return !lacuna_study_browser_get_busy (data);
}

static LacunaStudyBrowser *
get_browser (LacunaWindow *window)
{
  GtkWidget *browser = find_widget (GTK_WIDGET (window), LACUNA_TYPE_STUDY_BROWSER);

  g_assert_nonnull (browser);
  return LACUNA_STUDY_BROWSER (browser);
}

static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = g_build_filename (g_getenv ("LACUNA_BUILD_ROOT") ?: ".", name, NULL);

  lacuna_gui_test_wait_frame (widget);
  texture = lacuna_gui_test_render (widget);
  if (texture != NULL)
    gdk_texture_save_to_png (texture, path);
}

/* A texture with at least two different pixel values (not blank). */
static gboolean
paintable_has_content (GdkPaintable *paintable)
{
  GdkTexture *texture = GDK_TEXTURE (paintable);
  int w = gdk_texture_get_width (texture);
  int h = gdk_texture_get_height (texture);
  g_autofree guint32 *pixels = g_new (guint32, (gsize) w * h);
  guint32 first;

  gdk_texture_download (texture, (guchar *) pixels, (gsize) w * 4);
  first = pixels[0];
  for (int i = 1; i < w * h; i++)
    if (pixels[i] != first)
      return TRUE;
  return FALSE;
}

static void
test_sample_tree (void)
{
  LacunaWindow *window = lacuna_gui_test_new_window (1100, 720);
  LacunaStudyBrowser *browser;
  GListModel *rows;
  guint n_patients = 0, n_studies = 0, n_series = 0;
  GtkRecentManager *manager;
  g_autofree char *sample = lacuna_gui_test_dup_sample_path ();
  g_autofree char *desktop_file = NULL;
  g_autofree char *desktop = NULL;
  g_autofree char *recent_file = NULL;
  g_auto(GStrv) recents = NULL;
  const char *paths[2] = { NULL, NULL };
  struct stat st;

  if (sample == NULL)
    {
      g_test_skip ("No sample study");
      gtk_window_destroy (GTK_WINDOW (window));
      return;
    }

  /* Opened as a folder (the sample button does not add to the recent list). */
  paths[0] = sample;
  lacuna_window_open_paths (window, paths);
  lacuna_gui_test_wait_loaded (window);
  browser = get_browser (window);
  lacuna_gui_test_wait (browser_idle, browser);

  rows = lacuna_study_browser_get_rows (browser);
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (rows, i);
      g_autoptr(GObject) item = gtk_tree_list_row_get_item (row);

      if (LACUNA_IS_PATIENT (item))
        n_patients++;
      else if (LACUNA_IS_STUDY (item))
        n_studies++;
      else if (LACUNA_IS_SERIES (item))
        {
          LacunaSeries *series = LACUNA_SERIES (item);
          GdkPaintable *thumbnail;

          n_series++;
          g_assert_cmpuint (lacuna_series_get_n_frames (series), >, 0);
          /* The sample's header carries a name, an ID, a birth date… */
          g_assert_cmpint (lacuna_study_browser_get_n_identifying (browser, series), >, 0);
          thumbnail = lacuna_study_browser_get_thumbnail (browser, series);
          g_assert_nonnull (thumbnail);
          g_assert_true (paintable_has_content (thumbnail));
        }
    }
  g_assert_cmpuint (n_patients, ==, 1);
  g_assert_cmpuint (n_studies, ==, 2);
  g_assert_cmpuint (n_series, ==, 3);
  g_assert_false (lacuna_study_browser_get_notice_shown (browser));

  /* Selecting a series in the tree drives the window's selection (and the image). */
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (rows, i);
      g_autoptr(GObject) item = gtk_tree_list_row_get_item (row);

      if (LACUNA_IS_SERIES (item) && item != (GObject *) lacuna_window_get_selected_series (window))
        {
          gtk_selection_model_select_item (GTK_SELECTION_MODEL (rows), i, TRUE);
          g_assert_true (item == (GObject *) lacuna_window_get_selected_series (window));
          g_assert_true (lacuna_image_view_get_model (lacuna_window_get_image_view (window))
                         == G_LIST_MODEL (item));
          break;
        }
    }

  /* And the other way round. */
  lacuna_window_select_series (window, 0);
  {
    GtkTreeListRow *row = gtk_single_selection_get_selected_item (GTK_SINGLE_SELECTION (rows));
    g_autoptr(GObject) item = NULL;

    g_assert_nonnull (row);
    item = gtk_tree_list_row_get_item (row);
    g_assert_true (item == (GObject *) lacuna_window_get_selected_series (window));
  }

  /* The private recent list: 0600, holds the path; the desktop's list does not. */
  recent_file = lacuna_recent_dup_file_path ();
  g_assert_true (g_str_has_prefix (recent_file, data_home));
  g_assert_cmpint (g_stat (recent_file, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  recents = lacuna_recent_load ();
  g_assert_true (g_strv_contains ((const char * const *) recents, sample));
  /* GtkRecentManager keeps the desktop's list in $XDG_DATA_HOME/recently-used.xbel. */
  manager = gtk_recent_manager_get_default ();
  g_assert_nonnull (manager);
  desktop_file = g_build_filename (data_home, "recently-used.xbel", NULL);
  if (g_file_get_contents (desktop_file, &desktop, NULL, NULL))
    g_assert_null (strstr (desktop, sample));

  save_screenshot (GTK_WIDGET (window), "browser-light.png");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  save_screenshot (GTK_WIDGET (window), "browser-dark.png");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);

  /* A new window's welcome page lists it. */
  {
    LacunaWindow *other = lacuna_gui_test_new_window (800, 600);
    GtkWidget *list = find_widget (GTK_WIDGET (other), GTK_TYPE_LIST_BOX);

    g_assert_nonnull (list);
    g_assert_true (gtk_widget_get_visible (list));
    g_assert_nonnull (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 0));
    save_screenshot (GTK_WIDGET (other), "browser-welcome.png");
    gtk_window_destroy (GTK_WINDOW (other));
  }

  /* Forget, then clear. */
  g_assert_true (lacuna_recent_forget (sample, NULL));
  g_clear_pointer (&recents, g_strfreev);
  recents = lacuna_recent_load ();
  g_assert_false (g_strv_contains ((const char * const *) recents, sample));
  g_assert_true (lacuna_recent_clear (NULL));
  g_assert_false (g_file_test (recent_file, G_FILE_TEST_EXISTS));

  gtk_window_destroy (GTK_WINDOW (window));
}

static guint
count_patient_instances (LacunaPatient *patient)
{
  guint n = 0;

  for (guint t = 0; t < g_list_model_get_n_items (G_LIST_MODEL (patient)); t++)
    {
      g_autoptr(GListModel) study = g_list_model_get_item (G_LIST_MODEL (patient), t);

      for (guint s = 0; s < g_list_model_get_n_items (study); s++)
        {
          g_autoptr(GListModel) series = g_list_model_get_item (study, s);

          n += g_list_model_get_n_items (series);
        }
    }
  return n;
}

static guint
count_files (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  if (d == NULL)
    return 0;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      n += g_file_test (path, G_FILE_TEST_IS_DIR) ? count_files (path) : 1;
    }
  return n;
}

static LacunaExportDialog *
find_export_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();  /* not owned */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (LACUNA_IS_EXPORT_DIALOG (window))
        return LACUNA_EXPORT_DIALOG (window);
    }
  return NULL;
}

static gboolean
dialog_done (gpointer data)
{
  return lacuna_export_dialog_get_state (data) == LACUNA_EXPORT_DIALOG_DONE;
}

/* win.export-patient "1" exports that patient's instances only. */
static void
check_export_patient (LacunaWindow *window,
                      const char   *tmp)
{
  static const char bytes[] = "a test key of more than sixteen bytes";
  GListModel *patients = G_LIST_MODEL (lacuna_window_get_collection (window));
  g_autoptr(LacunaPatient) first = g_list_model_get_item (patients, 0);
  g_autoptr(LacunaPatient) second = g_list_model_get_item (patients, 1);
  g_autoptr(LacunaKey) key = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = g_build_filename (tmp, "export-out", NULL);
  g_autofree char *tree = g_build_filename (out, "DICOM", NULL);
  guint n_first = count_patient_instances (first);
  guint n_second = count_patient_instances (second);
  LacunaExportDialog *dialog;
  const char *title;

  g_assert_cmpuint (n_first, !=, n_second);
  key = lacuna_key_new_from_data (bytes, sizeof bytes - 1, &error);
  g_assert_no_error (error);
  lacuna_decisions_set_key (lacuna_window_get_decisions (window), key);

  g_assert_null (find_export_dialog ());
  gtk_widget_activate_action (GTK_WIDGET (window), "win.export-patient", "s", "1");
  dialog = find_export_dialog ();
  g_assert_nonnull (dialog);
  title = gtk_window_get_title (GTK_WINDOW (dialog));
  g_assert_nonnull (strstr (title, "2 of 2"));
  if (lacuna_patient_get_name (second) != NULL && *lacuna_patient_get_name (second) != '\0')
    g_assert_null (strstr (title, lacuna_patient_get_name (second)));

  lacuna_export_dialog_set_destination (dialog, out);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "export.start", NULL);
  lacuna_gui_test_wait (dialog_done, dialog);
  g_assert_no_error ((GError *) lacuna_export_dialog_get_error (dialog));
  g_assert_cmpuint (lacuna_export_dialog_get_n_failed (dialog), ==, 0);
  g_assert_cmpuint (lacuna_export_dialog_get_n_written (dialog), ==, n_second);
  g_assert_cmpuint (count_files (tree), ==, n_second);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
test_two_patients (void)
{
  const char *testdata = g_getenv ("LACUNA_TESTDATA");
  g_autofree char *phi = NULL;
  g_autofree char *sample = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *target = NULL;
  LacunaWindow *window;
  LacunaStudyBrowser *browser;
  const char *paths[2] = { NULL, NULL };

  if (testdata != NULL)
    phi = g_build_filename (testdata, "phi-header", "tcia_pseudo_phi_MR_series", "dicom", NULL);
  if (phi == NULL || !g_file_test (phi, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("No shared test data");
      return;
    }
  sample = lacuna_gui_test_dup_sample_path ();
  tmp = g_dir_make_tmp ("lacuna-browser-XXXXXX", NULL);
  g_assert_nonnull (tmp);
  target = g_build_filename (tmp, "sample", NULL);
  lacuna_gui_test_copy_tree (sample, target);
  g_clear_pointer (&target, g_free);
  target = g_build_filename (tmp, "phi", NULL);
  lacuna_gui_test_copy_tree (phi, target);

  window = lacuna_gui_test_new_window (1100, 720);
  paths[0] = tmp;
  lacuna_window_open_paths (window, paths);
  lacuna_gui_test_wait_loaded (window);
  browser = get_browser (window);
  lacuna_gui_test_wait (browser_idle, browser);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (lacuna_window_get_collection (window))),
                    ==, 2);
  g_assert_true (lacuna_study_browser_get_notice_shown (browser));
  g_assert_nonnull (strstr (lacuna_study_browser_get_notice_text (browser), "2"));
  check_export_patient (window, tmp);

  gtk_window_set_default_size (GTK_WINDOW (window), 400, 700);
  save_screenshot (GTK_WIDGET (window), "browser-narrow.png");
  adw_flap_set_reveal_flap (ADW_FLAP (find_widget (GTK_WIDGET (window), ADW_TYPE_FLAP)), TRUE);
  save_screenshot (GTK_WIDGET (window), "browser-narrow-sidebar.png");

  gtk_window_destroy (GTK_WINDOW (window));
  lacuna_gui_test_remove_tree (tmp);
}

int
main (int   argc,
      char *argv[])
{
  /* Before anything reads it: the recent lists go to a private, throw-away folder. */
  data_home = g_dir_make_tmp ("lacuna-data-XXXXXX", NULL);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);

  if (!lacuna_gui_test_init (&argc, &argv))
    return 77;

  g_test_add_func ("/browser/sample-tree", test_sample_tree);
  g_test_add_func ("/browser/two-patients", test_two_patients);

  return g_test_run ();
}
