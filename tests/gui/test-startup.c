/* test-startup.c: `lacuna FOLDER` as a user starts it, through g_application_run().
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-startup"

#include "config.h"

#include "lacuna-gui-test-util.h"
#include "lacuna-loader.h"

typedef struct
{
  LacunaWindow *window;
  guint         shown_positions;   /* slices in the view at the first image painted */
  gboolean      shown_while_loading;
  gboolean      shown;
  guint         n_series;          /* once loaded */
  guint         n_positions;
  guint         n_instances;
  char         *series_uid;
} Startup;

static void
first_shown_cb (LacunaImageView *view,
                guint            position,
                Startup         *startup)
{
  if (startup->shown)
    return;
  startup->shown = TRUE;
  startup->shown_positions = lacuna_image_view_get_n_positions (view);
  startup->shown_while_loading = lacuna_window_get_loading (startup->window);
}

static gboolean
loaded_idle (gpointer data)
{
  Startup *startup = data;
  LacunaImageView *view;
  LacunaSeries *series;

  if (startup->window == NULL || lacuna_window_get_loading (startup->window)
      || lacuna_window_get_collection (startup->window) == NULL || !startup->shown)
    return G_SOURCE_CONTINUE;

  view = lacuna_window_get_image_view (startup->window);
  series = lacuna_window_get_selected_series (startup->window);
  startup->n_series = g_list_model_get_n_items (lacuna_window_get_series_list (startup->window));
  startup->n_positions = lacuna_image_view_get_n_positions (view);
  startup->n_instances =
    lacuna_collection_get_n_instances (lacuna_window_get_collection (startup->window));
  startup->series_uid = series ? g_strdup (lacuna_series_get_uid (series)) : NULL;

  /* As the user closes it: the application ends with its last window. */
  gtk_window_close (GTK_WINDOW (startup->window));
  return G_SOURCE_REMOVE;
}

static void
window_added_cb (GtkApplication *app,
                 GtkWindow      *window,
                 Startup        *startup)
{
  if (!LACUNA_IS_WINDOW (window) || startup->window != NULL)
    return;
  startup->window = LACUNA_WINDOW (window);
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &startup->window);
  g_signal_connect (lacuna_window_get_image_view (startup->window), "frame-shown",
                    G_CALLBACK (first_shown_cb), startup);
  g_timeout_add (20, loaded_idle, startup);
}

/* The folder given on the command line is opened: its first image is painted, and once
 * loading ends the window holds the whole series, as the engine's loader reads it. */
static void
test_startup_folder (void)
{
  const char *testdata = g_getenv ("LACUNA_TESTDATA");
  g_autofree char *dir = NULL;
  g_autoptr(LacunaApplication) app = NULL;
  g_autoptr(LacunaLoader) loader = NULL;
  g_autoptr(LacunaCollection) reference = NULL;
  g_autoptr(GListModel) reference_series = NULL;
  g_autoptr(LacunaSeries) first_series = NULL;
  g_autoptr(GError) error = NULL;
  Startup startup = { 0, };
  const char *paths[2] = { NULL, NULL };
  char *argv[3];
  int status;

  if (testdata == NULL)
    {
      g_test_skip ("No shared test data (LACUNA_TESTDATA)");
      return;
    }
  dir = g_build_filename (testdata, "series-ct", "TotalSegmentator_example_ct_abdomen_pelvis_L3",
                          NULL);
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("series-ct/TotalSegmentator_example_ct_abdomen_pelvis_L3 is missing");
      return;
    }

  /* The reference: the engine's loader on its own, without a window. */
  paths[0] = dir;
  loader = lacuna_loader_new (paths);
  reference = lacuna_loader_load (loader, NULL, &error);
  g_assert_no_error (error);
  reference_series = lacuna_collection_list_series (reference);
  g_assert_cmpuint (g_list_model_get_n_items (reference_series), ==, 1);
  first_series = g_list_model_get_item (reference_series, 0);

  app = lacuna_application_new ();
  /* Not unique: the test must not talk to a running Lacuna. */
  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
  g_signal_connect (app, "window-added", G_CALLBACK (window_added_cb), &startup);

  argv[0] = (char *) "lacuna";
  argv[1] = dir;
  argv[2] = NULL;
  status = g_application_run (G_APPLICATION (app), 2, argv);

  g_assert_cmpint (status, ==, 0);
  g_assert_null (startup.window);   /* closed, and gone */
  g_assert_true (startup.shown);
  g_assert_cmpuint (startup.shown_positions, >=, 1);
  g_assert_cmpuint (startup.shown_positions, <=, lacuna_series_get_n_frames (first_series));
  /* Usually the first image comes before the folder is indexed; not asserted (the workers
   * wait for it only so long). */
  g_test_message ("first image painted with %u of %u slices indexed%s",
                  startup.shown_positions, lacuna_series_get_n_frames (first_series),
                  startup.shown_while_loading ? ", while loading" : "");

  g_assert_cmpuint (startup.n_series, ==, 1);
  g_assert_cmpuint (startup.n_instances, ==, lacuna_collection_get_n_instances (reference));
  g_assert_cmpuint (startup.n_positions, ==, lacuna_series_get_n_frames (first_series));
  g_assert_cmpstr (startup.series_uid, ==, lacuna_series_get_uid (first_series));
  g_free (startup.series_uid);
}

int
main (int   argc,
      char *argv[])
{
  if (!lacuna_gui_test_init (&argc, &argv))
    return 77;

  g_test_add_func ("/startup/folder", test_startup_folder);

  return g_test_run ();
}
