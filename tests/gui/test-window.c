/* test-window.c: the main window on the sample study and on bad input.
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-window"

#include "config.h"

#include <math.h>

#include "lacuna-gui-test-util.h"

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
test_window_new (void)
{
  LacunaWindow *window = lacuna_gui_test_new_window (800, 600);

  g_assert_cmpstr (lacuna_window_get_page (window), ==, "welcome");
  g_assert_false (lacuna_window_get_loading (window));
  g_assert_null (lacuna_window_get_collection (window));
  g_assert_cmpuint (g_list_model_get_n_items (lacuna_window_get_series_list (window)), ==, 0);
  g_assert_cmpuint (lacuna_image_view_get_n_positions (lacuna_window_get_image_view (window)), ==, 0);

  destroy_window (window);
}

/* What the engine renders for this position, independently of the view. */
static cairo_surface_t *
render_reference (LacunaImageView *view)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LacunaDicomFile) file = NULL;
  g_autoptr(LacunaFrame) frame = NULL;
  g_autofree guint8 *rgb = NULL;
  LacunaInstance *instance;
  cairo_surface_t *surface;
  double center, width;
  gboolean uses_lut;
  guint frame_index = G_MAXUINT;
  guint w, h;

  instance = lacuna_image_view_get_instance (view, &frame_index);
  g_assert_nonnull (instance);
  file = lacuna_instance_open (instance, &error);
  g_assert_no_error (error);
  frame = lacuna_frame_decode (file, frame_index, &error);
  g_assert_no_error (error);

  w = lacuna_frame_get_width (frame);
  h = lacuna_frame_get_height (frame);
  lacuna_frame_get_default_window (frame, &center, &width, &uses_lut);
  rgb = g_malloc ((gsize) w * h * 3);
  lacuna_frame_render_rgb (frame, center, width, uses_lut, rgb, (gsize) w * 3);

  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++)
      {
        const guint8 *p = rgb + ((gsize) y * w + x) * 3;
        guint32 *q = (guint32 *) (gpointer) (cairo_image_surface_get_data (surface)
                                             + (gsize) y * cairo_image_surface_get_stride (surface));

        q[x] = ((guint32) p[0] << 16) | ((guint32) p[1] << 8) | p[2];
      }
  cairo_surface_mark_dirty (surface);
  return surface;
}

static void
assert_surfaces_equal (cairo_surface_t *a,
                       cairo_surface_t *b)
{
  int w = cairo_image_surface_get_width (a);
  int h = cairo_image_surface_get_height (a);

  g_assert_cmpint (w, ==, cairo_image_surface_get_width (b));
  g_assert_cmpint (h, ==, cairo_image_surface_get_height (b));
  for (int y = 0; y < h; y++)
    {
      const guint32 *ra = (const guint32 *) (gpointer) (cairo_image_surface_get_data (a)
                                                        + y * cairo_image_surface_get_stride (a));
      const guint32 *rb = (const guint32 *) (gpointer) (cairo_image_surface_get_data (b)
                                                        + y * cairo_image_surface_get_stride (b));

      for (int x = 0; x < w; x++)
        if ((ra[x] & 0xffffff) != (rb[x] & 0xffffff))
          g_error ("Pixel (%d, %d) differs: %06x != %06x", x, y,
                   ra[x] & 0xffffff, rb[x] & 0xffffff);
    }
}

static GBytes *
download (GdkTexture *texture)
{
  gsize stride = gdk_texture_get_width (texture) * 4;
  gsize size = stride * gdk_texture_get_height (texture);
  guint8 *data = g_malloc (size);

  gdk_texture_download (texture, data, stride);
  return g_bytes_new_take (data, size);
}

static guint
count_non_black (GBytes *pixels)
{
  gsize size;
  const guint8 *p = g_bytes_get_data (pixels, &size);
  guint n = 0;

  /* gdk_texture_download gives B8G8R8A8_PREMULTIPLIED (native order on little endian). */
  for (gsize i = 0; i + 3 < size; i += 4)
    if (p[i] > 8 || p[i + 1] > 8 || p[i + 2] > 8)
      n++;
  return n;
}

/* The view magnifies with nearest-neighbour sampling (STACK-NOTES §7): inside the image,
 * every pixel drawn is one of the source pixels around the place it maps to, never a
 * blend. Returns the number of pixels checked. */
static guint
assert_not_blurred (LacunaImageView *view,
                    GdkTexture      *texture)
{
  cairo_surface_t *source = lacuna_image_view_get_surface (view);
  int iw = cairo_image_surface_get_width (source);
  int ih = cairo_image_surface_get_height (source);
  int sstride = cairo_image_surface_get_stride (source);
  const guint8 *sdata = cairo_image_surface_get_data (source);
  int w = gdk_texture_get_width (texture);
  int h = gdk_texture_get_height (texture);
  g_autoptr(GBytes) bytes = download (texture);
  const guint32 *pixels = g_bytes_get_data (bytes, NULL);
  double scale = MIN ((double) w / iw, (double) h / ih);
  double ox = (w - iw * scale) / 2.0;
  double oy = (h - ih * scale) / 2.0;
  guint checked = 0;

  g_assert_cmpfloat (scale, >, 1.0);

  for (int y = (int) ceil (oy) + 1; y < (int) floor (oy + ih * scale) - 1; y++)
    for (int x = (int) ceil (ox) + 1; x < (int) floor (ox + iw * scale) - 1; x++)
      {
        guint32 drawn = pixels[(gsize) y * w + x] & 0xffffff;
        int sx = (int) floor ((x + 0.5 - ox) / scale);
        int sy = (int) floor ((y + 0.5 - oy) / scale);
        gboolean found = FALSE;

        for (int dy = -1; dy <= 1 && !found; dy++)
          for (int dx = -1; dx <= 1 && !found; dx++)
            {
              int cx = CLAMP (sx + dx, 0, iw - 1);
              int cy = CLAMP (sy + dy, 0, ih - 1);
              const guint32 *row = (const guint32 *) (gpointer) (sdata + (gsize) cy * sstride);

              found = (row[cx] & 0xffffff) == drawn;
            }
        if (!found)
          g_error ("Drawn pixel (%d, %d) = %06x is not a source pixel near (%d, %d)",
                   x, y, drawn, sx, sy);
        checked++;
      }

  return checked;
}

/* Emits the scroll controller's "scroll" as one wheel notch would. */
static void
scroll_view (LacunaImageView *view,
             double           dy)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (view));
  gboolean handled = FALSE;
  guint i;

  for (i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_SCROLL (controller))
        {
          g_signal_emit_by_name (controller, "scroll", 0.0, dy, &handled);
          break;
        }
    }
  g_assert_cmpuint (i, <, g_list_model_get_n_items (controllers));
  g_assert_true (handled);
}

static void
test_window_sample (void)
{
  LacunaWindow *window = lacuna_gui_test_new_window (1024, 700);
  LacunaImageView *view = lacuna_window_get_image_view (window);
  cairo_surface_t *reference = NULL;
  g_autoptr(GdkTexture) before = NULL;
  g_autoptr(GdkTexture) after = NULL;
  g_autoptr(GBytes) before_pixels = NULL;
  g_autoptr(GBytes) after_pixels = NULL;
  g_autofree char *label = NULL;
  LacunaCollection *collection;
  guint n, middle;
  int ct;

  lacuna_window_open_sample (window);
  g_assert_true (lacuna_window_get_loading (window));
  g_assert_cmpstr (lacuna_window_get_page (window), ==, "study");
  lacuna_gui_test_wait_loaded (window);

  collection = lacuna_window_get_collection (window);
  g_assert_nonnull (collection);
  g_assert_cmpuint (lacuna_collection_count_problems (collection, LACUNA_PROBLEM_FAILED), ==, 0);
  g_assert_cmpstr (lacuna_window_get_page (window), ==, "study");
  g_assert_cmpuint (g_list_model_get_n_items (lacuna_window_get_series_list (window)), >=, 3);
  g_assert_nonnull (lacuna_window_get_selected_series (window));

  ct = lacuna_gui_test_find_series (window, "CT");
  g_assert_cmpint (ct, >=, 0);
  {
    /* The first image shown while loading stays on screen when its series settles, so
     * selecting the series already shown keeps its slice; another series starts at 0. */
    g_autoptr(LacunaSeries) ct_series = g_list_model_get_item (lacuna_window_get_series_list (window),
                                                               (guint) ct);
    gboolean already_shown = lacuna_image_view_get_model (view) == G_LIST_MODEL (ct_series);
    guint shown = lacuna_image_view_get_position (view);

    lacuna_window_select_series (window, ct);
    g_assert_true (lacuna_image_view_get_model (view)
                   == G_LIST_MODEL (lacuna_window_get_selected_series (window)));
    g_assert_cmpstr (lacuna_series_get_modality (lacuna_window_get_selected_series (window)), ==,
                     "CT");
    g_assert_cmpuint (lacuna_image_view_get_position (view), ==, already_shown ? shown : 0);
  }

  n = lacuna_image_view_get_n_positions (view);
  g_assert_cmpuint (n, >=, 60);
  g_assert_cmpuint (n, ==, LACUNA_SAMPLE_CT_SLICES);
  lacuna_image_view_set_position (view, 0);
  g_assert_cmpuint (lacuna_image_view_get_position (view), ==, 0);

  /* Slice 1: decoded in a thread, then exactly what the engine renders. */
  lacuna_gui_test_wait_image (view);
  g_assert_null (lacuna_image_view_get_error (view));
  g_assert_nonnull (lacuna_image_view_get_surface (view));
  reference = render_reference (view);
  assert_surfaces_equal (lacuna_image_view_get_surface (view), reference);
  g_clear_pointer (&reference, cairo_surface_destroy);

  /* The middle of the series, then one wheel notch down. */
  middle = n / 2;
  lacuna_image_view_set_position (view, middle);
  lacuna_gui_test_wait_image (view);
  before = lacuna_gui_test_render (GTK_WIDGET (view));
  before_pixels = download (before);
  g_assert_cmpuint (count_non_black (before_pixels), >, 1000);
  g_assert_cmpuint (assert_not_blurred (view, before), >, 10000);

  scroll_view (view, 1.0);
  g_assert_cmpuint (lacuna_image_view_get_position (view), ==, middle + 1);
  lacuna_gui_test_wait_image (view);
  g_assert_null (lacuna_image_view_get_error (view));
  reference = render_reference (view);
  assert_surfaces_equal (lacuna_image_view_get_surface (view), reference);
  after = lacuna_gui_test_render (GTK_WIDGET (view));
  after_pixels = download (after);
  g_assert_false (g_bytes_equal (before_pixels, after_pixels));

  /* And back, through the action the arrow keys use: the cached frame comes back. */
  gtk_widget_activate_action (GTK_WIDGET (view), "view.previous-slice", NULL);
  g_assert_cmpuint (lacuna_image_view_get_position (view), ==, middle);
  g_assert_false (lacuna_image_view_get_busy (view));
  g_clear_object (&after);
  after = lacuna_gui_test_render (GTK_WIDGET (view));
  g_clear_pointer (&after_pixels, g_bytes_unref);
  after_pixels = download (after);
  g_assert_true (g_bytes_equal (before_pixels, after_pixels));

  /* The wheel stops at the ends. */
  lacuna_image_view_set_position (view, n - 1);
  scroll_view (view, 1.0);
  g_assert_cmpuint (lacuna_image_view_get_position (view), ==, n - 1);
  scroll_view (view, -3.0);
  g_assert_cmpuint (lacuna_image_view_get_position (view), ==, n - 4);
  lacuna_gui_test_wait_image (view);

  g_clear_pointer (&reference, cairo_surface_destroy);
  destroy_window (window);
}

static gboolean
has_problem (GPtrArray         *problems,
             const char        *name,
             LacunaProblemKind  kind)
{
  for (guint i = 0; i < problems->len; i++)
    {
      const LacunaProblem *problem = g_ptr_array_index (problems, i);
      g_autofree char *basename = g_path_get_basename (problem->path);

      if (g_str_equal (basename, name) && problem->kind == kind)
        return TRUE;
    }
  return FALSE;
}

static void
test_window_problems (void)
{
  LacunaWindow *window = lacuna_gui_test_new_window (1024, 700);
  g_autofree char *sample = lacuna_gui_test_dup_sample_path ();
  g_autofree char *dicom = lacuna_gui_test_find_dicom_file (sample);
  g_autofree char *dir = lacuna_gui_test_make_bad_folder ();
  g_autofree char *copy = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  const char *paths[2] = { dir, NULL };
  LacunaCollection *collection;
  GPtrArray *problems;
  gsize length;

  /* One good file beside the two bad ones. */
  g_assert_nonnull (dicom);
  g_file_get_contents (dicom, &contents, &length, &error);
  g_assert_no_error (error);
  lacuna_gui_test_write_file (dir, "IM0001", contents, length);

  lacuna_window_open_paths (window, paths);
  lacuna_gui_test_wait_loaded (window);

  g_assert_cmpstr (lacuna_window_get_page (window), ==, "study");
  collection = lacuna_window_get_collection (window);
  g_assert_nonnull (collection);
  g_assert_cmpuint (lacuna_collection_get_n_instances (collection), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (lacuna_window_get_series_list (window)), ==, 1);

  problems = lacuna_collection_get_problems (collection);
  g_assert_cmpuint (problems->len, ==, 2);
  g_assert_true (has_problem (problems, "notes.txt", LACUNA_PROBLEM_SKIPPED));
  g_assert_true (has_problem (problems, "broken.dcm", LACUNA_PROBLEM_FAILED));
  for (guint i = 0; i < problems->len; i++)
    {
      const LacunaProblem *problem = g_ptr_array_index (problems, i);

      g_assert_nonnull (problem->error);
      g_assert_nonnull (problem->error->message);
    }

  /* The toast's Details button opens one dialog listing both. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-problems", NULL));

  destroy_window (window);
  lacuna_gui_test_remove_tree (dir);
}

static void
test_window_nothing_found (void)
{
  LacunaWindow *window = lacuna_gui_test_new_window (800, 600);
  g_autofree char *dir = lacuna_gui_test_make_bad_folder ();
  const char *paths[2] = { dir, NULL };
  LacunaCollection *collection;

  lacuna_window_open_paths (window, paths);
  lacuna_gui_test_wait_loaded (window);

  /* Back to the welcome page, with the problems kept for the dialog. */
  g_assert_cmpstr (lacuna_window_get_page (window), ==, "welcome");
  collection = lacuna_window_get_collection (window);
  g_assert_nonnull (collection);
  g_assert_cmpuint (lacuna_collection_get_n_instances (collection), ==, 0);
  g_assert_cmpuint (lacuna_collection_get_problems (collection)->len, ==, 2);
  g_assert_cmpuint (lacuna_image_view_get_n_positions (lacuna_window_get_image_view (window)), ==, 0);

  destroy_window (window);
  lacuna_gui_test_remove_tree (dir);
}

static void
test_window_missing_path (void)
{
  LacunaWindow *window = lacuna_gui_test_new_window (800, 600);
  g_autofree char *dir = lacuna_gui_test_make_bad_folder ();
  g_autofree char *missing = g_build_filename (dir, "no-such-file", NULL);
  const char *paths[2] = { missing, NULL };

  lacuna_window_open_paths (window, paths);
  lacuna_gui_test_wait_loaded (window);

  g_assert_cmpstr (lacuna_window_get_page (window), ==, "welcome");
  g_assert_null (lacuna_window_get_collection (window));

  destroy_window (window);
  lacuna_gui_test_remove_tree (dir);
}

static void
test_window_cancel (void)
{
  LacunaWindow *window = lacuna_gui_test_new_window (800, 600);
  g_autofree char *sample = lacuna_gui_test_dup_sample_path ();
  const char *paths[2] = { sample, NULL };

  lacuna_window_open_paths (window, paths);
  g_assert_true (lacuna_window_get_loading (window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.cancel-load", NULL));

  g_assert_false (lacuna_window_get_loading (window));
  g_assert_cmpstr (lacuna_window_get_page (window), ==, "welcome");
  g_assert_null (lacuna_window_get_collection (window));

  /* Opening again after a cancel works. */
  lacuna_window_open_paths (window, paths);
  lacuna_gui_test_wait_loaded (window);
  g_assert_cmpstr (lacuna_window_get_page (window), ==, "study");
  g_assert_cmpuint (g_list_model_get_n_items (lacuna_window_get_series_list (window)), >=, 3);

  destroy_window (window);
}

static gboolean
window_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

/* The window size comes from GSettings and goes back there on close (when the schema is
 * compiled, as it is in the build folder; the test environment uses the memory backend). */
static void
test_window_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;
  LacunaWindow *window;
  int width = 0, height = 0;

  schema = source ? g_settings_schema_source_lookup (source, LACUNA_APP_ID, TRUE) : NULL;
  if (schema == NULL)
    {
      g_test_skip ("The GSettings schema is not compiled (GSETTINGS_SCHEMA_DIR)");
      return;
    }

  settings = g_settings_new (LACUNA_APP_ID);
  g_settings_set_int (settings, "window-width", 900);
  g_settings_set_int (settings, "window-height", 650);
  g_settings_set_boolean (settings, "is-maximized", FALSE);

  window = lacuna_window_new (GTK_APPLICATION (lacuna_gui_test_get_app ()));
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 900);
  g_assert_cmpint (height, ==, 650);

  gtk_window_set_default_size (GTK_WINDOW (window), 700, 500);
  gtk_window_present (GTK_WINDOW (window));
  lacuna_gui_test_wait (window_mapped, window);
  g_object_ref (window);
  gtk_window_close (GTK_WINDOW (window));

  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 700);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 500);
  g_assert_false (g_settings_get_boolean (settings, "is-maximized"));

  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  g_assert_finalize_object (window);
}

static GtkWindow *
find_toplevel (GType type)
{
  g_autoptr(GList) windows = gtk_window_list_toplevels ();

  for (GList *l = windows; l != NULL; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type))
      return l->data;
  return NULL;
}

static void
test_app_actions (void)
{
  GtkApplication *app = GTK_APPLICATION (lacuna_gui_test_get_app ());
  const char *names[] = { "open-file", "open-folder", "open-sample", "new-window", "about",
                          "preferences", "help", "quit" };
  g_auto(GStrv) quit_accels = NULL;
  g_auto(GStrv) help_accels = NULL;
  g_auto(GStrv) open_accels = NULL;
  LacunaWindow *window;
  GtkWindow *about;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), names[i]));

  quit_accels = gtk_application_get_accels_for_action (app, "app.quit");
  g_assert_cmpstrv (quit_accels, ((const char *[]) { "<Control>q", NULL }));
  open_accels = gtk_application_get_accels_for_action (app, "app.open-file");
  g_assert_cmpstrv (open_accels, ((const char *[]) { "<Control>o", NULL }));
  help_accels = gtk_application_get_accels_for_action (app, "app.help");
  g_assert_cmpstrv (help_accels, ((const char *[]) { "F1", NULL }));

  /* app.open-sample opens in the active window (a new one when there is none). */
  window = lacuna_gui_test_new_window (800, 600);
  g_assert_true (gtk_application_get_active_window (app) == GTK_WINDOW (window));
  g_action_group_activate_action (G_ACTION_GROUP (app), "open-sample", NULL);
  g_assert_true (lacuna_window_get_loading (window));
  lacuna_gui_test_wait_loaded (window);
  g_assert_cmpuint (g_list_model_get_n_items (lacuna_window_get_series_list (window)), >=, 3);

  g_assert_null (find_toplevel (ADW_TYPE_ABOUT_WINDOW));
  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  about = find_toplevel (ADW_TYPE_ABOUT_WINDOW);
  g_assert_nonnull (about);
  g_assert_true (gtk_window_get_transient_for (about) == GTK_WINDOW (window));
  gtk_window_destroy (about);

  /* The keyboard shortcuts (Ctrl+?, the main menu): built when first asked for, then kept. */
  {
    GtkApplicationWindow *app_window = GTK_APPLICATION_WINDOW (window);
    g_auto(GStrv) overlay_accels = NULL;
    GtkShortcutsWindow *overlay;
    GLogLevelFlags old_fatal;

    overlay_accels = gtk_application_get_accels_for_action (app, "win.show-help-overlay");
    g_assert_cmpstrv (overlay_accels, ((const char *[]) { "<Control>question", NULL }));
    g_assert_null (gtk_application_window_get_help_overlay (app_window));
    /* GTK 4.8's own shortcuts window warns that one of its labels "reported min width -3"
     * under Adwaita: GTK's warning, not fatal here. */
    old_fatal = g_log_set_always_fatal (G_LOG_FATAL_MASK);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL));
    overlay = gtk_application_window_get_help_overlay (app_window);
    g_assert_nonnull (overlay);
    g_assert_true (gtk_widget_get_visible (GTK_WIDGET (overlay)));
    g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (overlay)) == GTK_WINDOW (window));
    gtk_window_close (GTK_WINDOW (overlay));
    g_assert_false (gtk_widget_get_visible (GTK_WIDGET (overlay)));
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL));
    g_assert_true (gtk_application_window_get_help_overlay (app_window) == overlay);
    g_assert_true (gtk_widget_get_visible (GTK_WIDGET (overlay)));
    gtk_window_close (GTK_WINDOW (overlay));
    g_log_set_always_fatal (old_fatal);
  }

  destroy_window (window);
}

static void
test_app_command_line (void)
{
  g_autofree char *exe = g_build_filename (g_getenv ("LACUNA_BUILD_ROOT"), "src", "gui", "lacuna", NULL);
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  const char *version_argv[] = { exe, "--version", NULL };
  const char *help_argv[] = { exe, "--help", NULL };
  int status = -1;

  g_spawn_sync (NULL, (char **) version_argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_cmpstr (out, ==, "lacuna " LACUNA_VERSION "\n");

  g_clear_pointer (&out, g_free);
  g_spawn_sync (NULL, (char **) help_argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (out, "--sample"));
  g_assert_nonnull (strstr (out, "FILE|FOLDER"));
}

int
main (int   argc,
      char *argv[])
{
  if (!lacuna_gui_test_init (&argc, &argv))
    return 77;

  g_test_add_func ("/gui/window/new", test_window_new);
  g_test_add_func ("/gui/window/sample", test_window_sample);
  g_test_add_func ("/gui/window/problems", test_window_problems);
  g_test_add_func ("/gui/window/nothing-found", test_window_nothing_found);
  g_test_add_func ("/gui/window/missing-path", test_window_missing_path);
  g_test_add_func ("/gui/window/cancel", test_window_cancel);
  g_test_add_func ("/gui/window/settings", test_window_settings);
  g_test_add_func ("/gui/app/actions", test_app_actions);
  g_test_add_func ("/gui/app/command-line", test_app_command_line);

  return g_test_run ();
}
