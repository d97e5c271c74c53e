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
#include "lacuna-findings-panel.h"
#include "lacuna-gui-test-util.h"
#include "lacuna-recent.h"
#include "lacuna-study-browser-private.h"

static char *data_home;

static gboolean
browser_idle (gpointer data)
{
  return !lacuna_study_browser_get_busy (data);
}

static LacunaStudyBrowser *
get_browser (LacunaWindow *window)
{
  GtkWidget *browser = lacuna_gui_test_find_widget (GTK_WIDGET (window), LACUNA_TYPE_STUDY_BROWSER);

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
    GtkWidget *list = lacuna_gui_test_find_widget (GTK_WIDGET (other), GTK_TYPE_LIST_BOX);

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
  adw_flap_set_reveal_flap (ADW_FLAP (lacuna_gui_test_find_widget (GTK_WIDGET (window),
                                                                   ADW_TYPE_FLAP)), TRUE);
  save_screenshot (GTK_WIDGET (window), "browser-narrow-sidebar.png");

  gtk_window_destroy (GTK_WINDOW (window));
  lacuna_gui_test_remove_tree (tmp);
}

static gboolean
panel_checked (gpointer data)
{
  return !lacuna_findings_panel_get_busy (data) && !lacuna_findings_panel_get_checking (data);
}

/* The series holding the instance sop (by walking the series, not as the browser does);
 * borrowed, series_list holds it. */
static LacunaSeries *
series_of (GListModel *series_list,
           const char *sop)
{
  for (guint s = 0; s < g_list_model_get_n_items (series_list); s++)
    {
      LacunaSeries *series = g_list_model_get_item (series_list, s);

      g_object_unref (series);

      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (series)); i++)
        {
          LacunaInstance *instance = lacuna_series_get_instance (series, i);

          if (g_strcmp0 (lacuna_instance_get_sop_instance_uid (instance), sop) == 0)
            return series;
        }
    }
  return NULL;
}

static guint
count_kind (GListModel   *findings,
            GListModel   *series_list,
            LacunaSeries *series,
            const char   *kind)
{
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (findings); i++)
    {
      g_autoptr(LacunaFinding) f = g_list_model_get_item (findings, i);
      const char *sop = lacuna_finding_get_sop_instance_uid (f);

      if (g_strcmp0 (lacuna_finding_get_kind (f), kind) == 0 && sop != NULL
          && series_of (series_list, sop) == series)
        n++;
    }
  return n;
}

/* The badge's text with its no-break spaces made plain ones. */
static char *
dup_plain_badge (LacunaStudyBrowser *browser,
                 LacunaSeries       *series)
{
  g_autofree char *text = lacuna_study_browser_dup_badge_text (browser, series);
  GString *plain;

  if (text == NULL)
    return NULL;
  plain = g_string_new (text);
  g_string_replace (plain, "\u00a0", " ", 0);
  return g_string_free (plain, FALSE);
}

typedef struct
{
  LacunaStudyBrowser *browser;
  GListModel         *series_list;
  GListModel         *findings;
} BadgeWait;

/* Every badge shows the findings of its series (they are applied in an idle). */
static gboolean
badges_follow (gpointer data)
{
  BadgeWait *w = data;

  for (guint s = 0; s < g_list_model_get_n_items (w->series_list); s++)
    {
      g_autoptr(LacunaSeries) series = g_list_model_get_item (w->series_list, s);
      g_autofree char *text = dup_plain_badge (w->browser, series);
      guint n_text = count_kind (w->findings, w->series_list, series, "burned-in-text");
      guint n_face = count_kind (w->findings, w->series_list, series, "face");

      if (text == NULL || (strstr (text, "burned-in") != NULL) != (n_text > 0)
          || (strstr (text, "face") != NULL) != (n_face > 0))
        return FALSE;
    }
  return TRUE;
}

/* The label showing text, anywhere under widget, or NULL. */
static GtkWidget *
find_label (GtkWidget  *widget,
            const char *text)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget)
      && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The badge of each series adds what the checks found in it, in words as well: the
 * sample's ultrasound and dose report have burned-in text, its CT a face. */
static void
test_badge_findings (void)
{
  LacunaWindow *window = lacuna_gui_test_new_window (1100, 720);
  LacunaStudyBrowser *browser = get_browser (window);
  LacunaFindingsPanel *panel;
  GListModel *series_list;
  GListModel *findings;
  guint n_with_text = 0, n_with_face = 0;
  int us;

  lacuna_window_open_sample (window);
  lacuna_gui_test_wait_loaded (window);
  lacuna_gui_test_wait (browser_idle, browser);
  series_list = lacuna_window_get_series_list (window);
  us = lacuna_gui_test_find_series (window, "US");
  g_assert_cmpint (us, >=, 0);

  /* Before the checks: the identifying elements only. */
  for (guint s = 0; s < g_list_model_get_n_items (series_list); s++)
    {
      g_autoptr(LacunaSeries) series = g_list_model_get_item (series_list, s);
      g_autofree char *text = dup_plain_badge (browser, series);
      g_autofree char *words = lacuna_study_browser_dup_badge_description (browser, series);
      g_autofree char *expected = g_strdup_printf ("%d identifying",
                                                   lacuna_study_browser_get_n_identifying (browser,
                                                                                           series));

      g_assert_cmpstr (text, ==, expected);
      g_assert_nonnull (strstr (words, "identifying elements in the header"));
      g_assert_null (strstr (words, "burned"));
    }

  /* The checks run when the findings are shown. */
  panel = LACUNA_FINDINGS_PANEL (lacuna_gui_test_find_widget (GTK_WIDGET (window),
                                                              LACUNA_TYPE_FINDINGS_PANEL));
  g_assert_nonnull (panel);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-findings", NULL));
  lacuna_gui_test_wait (panel_checked, panel);
  findings = lacuna_findings_panel_get_findings (panel);
  {
    BadgeWait w = { browser, series_list, findings };

    lacuna_gui_test_wait (badges_follow, &w);
  }
  /* Back to the list (the findings replaced it in the sidebar). */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-findings", NULL));
  lacuna_gui_test_wait_frame (GTK_WIDGET (browser));
  for (guint s = 0; s < g_list_model_get_n_items (series_list); s++)
    {
      g_autoptr(LacunaSeries) series = g_list_model_get_item (series_list, s);
      g_autofree char *shown = lacuna_study_browser_dup_badge_text (browser, series);
      g_autofree char *text = dup_plain_badge (browser, series);
      g_autofree char *words = lacuna_study_browser_dup_badge_description (browser, series);
      guint n_text = count_kind (findings, series_list, series, "burned-in-text");
      guint n_face = count_kind (findings, series_list, series, "face");
      guint n_body = count_kind (findings, series_list, series, "body-composition");
      g_autofree char *text_part = g_strdup_printf (" · %u burned-in", n_text);
      g_autofree char *words_part = g_strdup_printf ("%u %s of text burned into the images",
                                                     n_text, n_text == 1 ? "line" : "lines");

      g_test_message ("%s: %s", lacuna_series_get_modality (series), text);
      g_assert_true (g_str_has_prefix (text, "0 identifying") || g_ascii_isdigit (text[0]));
      g_assert_cmpint (strstr (text, text_part) != NULL, ==, n_text > 0);
      g_assert_cmpint (strstr (words, words_part) != NULL, ==, n_text > 0);
      g_assert_cmpint (strstr (text, "face") != NULL, ==, n_face > 0);
      g_assert_cmpint (strstr (words, "A standard detector found") != NULL, ==, n_face > 0);
      g_assert_cmpint (strstr (text, "body composition") != NULL, ==, n_body > 0);
      n_with_text += n_text > 0;
      n_with_face += n_face > 0;

      /* Shown as it says, the words as tooltip. */
      {
        GtkWidget *label = find_label (GTK_WIDGET (browser), shown);

        g_assert_nonnull (label);
        g_assert_cmpstr (gtk_widget_get_tooltip_text (gtk_widget_get_parent (label)), ==, words);
      }
    }
  g_assert_cmpuint (n_with_text, >=, 1);
  g_assert_cmpuint (n_with_face, ==, 1);
  {
    g_autoptr(LacunaSeries) series = g_list_model_get_item (series_list, us);

    g_assert_cmpuint (count_kind (findings, series_list, series, "burned-in-text"), >, 0);
  }

  save_screenshot (GTK_WIDGET (window), "browser-findings.png");

  /* Another collection: the old findings are gone from the badges. */
  _lacuna_study_browser_set_series_findings (browser, lacuna_window_get_selected_series (window),
                                             NULL);
  {
    g_autofree char *text = dup_plain_badge (browser, lacuna_window_get_selected_series (window));

    g_assert_null (strstr (text, "burned-in"));
    g_assert_null (strstr (text, "face"));
  }
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
has_series_thumbnails (gpointer data)
{
  return !lacuna_study_browser_get_busy (data);
}

/* Collects the shown thumbnails (GtkPicture of class series-thumbnail with a paintable). */
static void
collect_pictures (GtkWidget *widget,
                  GPtrArray *out)
{
  if (GTK_IS_PICTURE (widget) && gtk_widget_has_css_class (widget, "series-thumbnail")
      && gtk_widget_get_mapped (widget) && gtk_picture_get_paintable (GTK_PICTURE (widget)))
    g_ptr_array_add (out, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_pictures (child, out);
}

/* Run with GDK_SCALE=2: the thumbnails are made at 96 device pixels and shown at 48. */
static void
test_thumbnail_scale_child (void)
{
  LacunaWindow *window = lacuna_gui_test_new_window (600, 480);
  LacunaStudyBrowser *browser = get_browser (window);
  GListModel *series_list;
  g_autoptr(GPtrArray) pictures = g_ptr_array_new ();

  g_assert_cmpint (gtk_widget_get_scale_factor (GTK_WIDGET (window)), ==, 2);
  lacuna_window_open_sample (window);
  lacuna_gui_test_wait_loaded (window);
  lacuna_gui_test_wait (has_series_thumbnails, browser);
  /* Xvfb's 1280 × 1024 screen is 640 × 512 at scale 2: the sidebar is folded. */
  adw_flap_set_reveal_flap (ADW_FLAP (lacuna_gui_test_find_widget (GTK_WIDGET (window),
                                                                   ADW_TYPE_FLAP)), TRUE);
  lacuna_gui_test_wait_frame (GTK_WIDGET (window));
  lacuna_gui_test_wait_frame (GTK_WIDGET (browser));

  series_list = lacuna_window_get_series_list (window);
  g_assert_cmpuint (g_list_model_get_n_items (series_list), >, 0);
  for (guint s = 0; s < g_list_model_get_n_items (series_list); s++)
    {
      g_autoptr(LacunaSeries) series = g_list_model_get_item (series_list, s);
      GdkPaintable *thumbnail = lacuna_study_browser_get_thumbnail (browser, series);
      int w, h;

      g_assert_true (GDK_IS_TEXTURE (thumbnail));
      w = gdk_texture_get_width (GDK_TEXTURE (thumbnail));
      h = gdk_texture_get_height (GDK_TEXTURE (thumbnail));
      g_test_message ("%s: %d × %d", lacuna_series_get_modality (series), w, h);
      g_assert_cmpint (MAX (w, h), ==, 96);
    }

  collect_pictures (GTK_WIDGET (browser), pictures);
  g_assert_cmpuint (pictures->len, ==, g_list_model_get_n_items (series_list));
  for (guint i = 0; i < pictures->len; i++)
    {
      GtkWidget *picture = g_ptr_array_index (pictures, i);
      GdkPaintable *shown = gtk_picture_get_paintable (GTK_PICTURE (picture));

      g_assert_cmpint (gdk_paintable_get_intrinsic_width (shown), ==, 48);
      g_assert_cmpint (gdk_paintable_get_intrinsic_height (shown), ==, 48);
      g_assert_cmpint (gtk_widget_get_width (picture), ==, 48);
      g_assert_cmpint (gtk_widget_get_height (picture), ==, 48);
    }
  save_screenshot (GTK_WIDGET (window), "browser-scale-2.png");
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_thumbnail_scale (void)
{
  /* The child inherits the environment (GLib 2.74 has no _with_envp). */
  g_setenv ("GDK_SCALE", "2", TRUE);
  g_test_trap_subprocess ("/browser/thumbnail-scale/subprocess", 0,
                          G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_unsetenv ("GDK_SCALE");
  g_test_trap_assert_passed ();
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
  g_test_add_func ("/browser/badge-findings", test_badge_findings);
  g_test_add_func ("/browser/thumbnail-scale", test_thumbnail_scale);
  g_test_add_func ("/browser/thumbnail-scale/subprocess", test_thumbnail_scale_child);

  return g_test_run ();
}
