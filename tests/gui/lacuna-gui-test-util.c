/* lacuna-gui-test-util.c
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "lacuna-gui-test"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "lacuna-gui-test-util.h"

static LacunaApplication *test_app;

gboolean
lacuna_gui_test_init (int    *argc,
                      char ***argv)
{
  const char *data_home = g_getenv ("XDG_DATA_HOME");
  const char *build_root = g_getenv ("LACUNA_BUILD_ROOT");

  g_test_init (argc, argv, NULL);

  /* The window autosaves decisions per study (lacuna-autosave.h) and restores them: every
   * test starts without those of an earlier run, in the tests' own data folder only. */
  if (data_home != NULL && build_root != NULL && g_str_has_prefix (data_home, build_root))
    {
      g_autofree char *saved = g_build_filename (data_home, "lacuna", "decisions", NULL);

      lacuna_gui_test_remove_tree (saved);
    }

  if (!gtk_init_check ())
    return FALSE;

  /* No transitions: what a test renders is the final state, not a crossfade. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  return TRUE;
}

LacunaApplication *
lacuna_gui_test_get_app (void)
{
  if (test_app == NULL)
    {
      g_autoptr(GError) error = NULL;

      test_app = lacuna_application_new ();
      /* Not unique: tests must not talk to a running Lacuna. */
      g_application_set_flags (G_APPLICATION (test_app),
                               G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
      g_application_register (G_APPLICATION (test_app), NULL, &error);
      g_assert_no_error (error);
      g_application_hold (G_APPLICATION (test_app));
    }

  return test_app;
}

static gboolean
is_allocated (gpointer data)
{
  return gtk_widget_get_mapped (data) && gtk_widget_get_width (data) > 0;
}

LacunaWindow *
lacuna_gui_test_new_window (int width,
                            int height)
{
  LacunaWindow *window = lacuna_window_new (GTK_APPLICATION (lacuna_gui_test_get_app ()));

  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_present (GTK_WINDOW (window));
  lacuna_gui_test_wait (is_allocated, window);
  return window;
}

void
lacuna_gui_test_wait (gboolean (*func) (gpointer data),
                      gpointer   data)
{
  while (!func (data))
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
is_loaded (gpointer data)
{
  return !lacuna_window_get_loading (data);
}

void
lacuna_gui_test_wait_loaded (LacunaWindow *window)
{
  lacuna_gui_test_wait (is_loaded, window);
}

static gboolean
is_decoded (gpointer data)
{
  return !lacuna_image_view_get_busy (data);
}

void
lacuna_gui_test_wait_image (LacunaImageView *view)
{
  lacuna_gui_test_wait (is_decoded, view);
}

static void
after_paint_cb (GdkFrameClock *clock,
                gboolean      *painted)
{
  *painted = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

static gboolean
set_true_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

void
lacuna_gui_test_wait_ms (guint ms)
{
  gboolean passed = FALSE;

  g_timeout_add (ms, set_true_cb, &passed);
  lacuna_gui_test_wait (is_true, &passed);
}

GtkWidget *
lacuna_gui_test_find_widget (GtkWidget *widget,
                             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = lacuna_gui_test_find_widget (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

void
lacuna_gui_test_wait_frame (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  gboolean painted = FALSE;
  gulong id;

  g_assert_nonnull (clock);
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &painted);
  gtk_widget_queue_draw (widget);
  lacuna_gui_test_wait (is_true, &painted);
  g_signal_handler_disconnect (clock, id);
}

GdkTexture *
lacuna_gui_test_render (GtkWidget *widget)
{
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  GtkWidget *parent = gtk_widget_get_parent (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  g_autoptr(GskRenderNode) node = NULL;
  graphene_rect_t bounds;
  GtkSnapshot *snapshot;

  g_assert_nonnull (renderer);
  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);

  /* gtk_widget_snapshot_child () draws the child's current state (a fresh render node
   * when a redraw is pending), with its CSS background. */
  snapshot = gtk_snapshot_new ();
  if (parent == NULL)
    {
      GdkRGBA background;

      /* A window: its own background, then its children (not the decorations). */
      if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (widget),
                                           "window_bg_color", &background))
        gdk_rgba_parse (&background, "#fafafa");
      gtk_snapshot_append_color (snapshot, &background, &GRAPHENE_RECT_INIT (0, 0, width, height));
      for (GtkWidget *child = gtk_widget_get_first_child (widget);
           child != NULL;
           child = gtk_widget_get_next_sibling (child))
        {
          if (!GTK_IS_NATIVE (child))
            gtk_widget_snapshot_child (widget, child, snapshot);
        }
      bounds = GRAPHENE_RECT_INIT (0, 0, width, height);
    }
  else
    {
      gtk_widget_snapshot_child (parent, widget, snapshot);
      g_assert_true (gtk_widget_compute_bounds (widget, parent, &bounds));
    }

  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);

  return gsk_renderer_render_texture (renderer, node, &bounds);
}

int
lacuna_gui_test_find_series (LacunaWindow *window,
                             const char   *modality)
{
  GListModel *list = lacuna_window_get_series_list (window);

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(LacunaSeries) series = g_list_model_get_item (list, i);

      if (g_strcmp0 (lacuna_series_get_modality (series), modality) == 0)
        return (int) i;
    }

  return -1;
}

char *
lacuna_gui_test_dup_sample_path (void)
{
  g_autoptr(GError) error = NULL;
  char *path = lacuna_sample_dup_path (&error);

  g_assert_no_error (error);
  g_assert_nonnull (path);
  return path;
}

/* The first regular file (not the DICOMDIR) under dir, depth first. */
char *
lacuna_gui_test_find_dicom_file (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (d == NULL)
    return NULL;
  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);

  for (guint i = 0; i < names->len; i++)
    {
      const char *child = g_ptr_array_index (names, i);
      g_autofree char *path = g_build_filename (dir, child, NULL);
      char *found;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          if ((found = lacuna_gui_test_find_dicom_file (path)) != NULL)
            return found;
        }
      else if (g_strcmp0 (child, "DICOMDIR") != 0)
        return g_steal_pointer (&path);
    }

  return NULL;
}

void
lacuna_gui_test_write_file (const char *dir,
                            const char *name,
                            const char *contents,
                            gsize       length)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
}

/* A text file (not DICOM: skipped) and a truncated DICOM file (failed). */
char *
lacuna_gui_test_make_bad_folder (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("lacuna-gui-XXXXXX", &error);
  char broken[128 + 4 + 12];

  g_assert_no_error (error);
  lacuna_gui_test_write_file (dir, "notes.txt", "Not an image.\n", strlen ("Not an image.\n"));

  /* Preamble, "DICM", then a meta element (0002,0010) UI announcing 200 bytes that are not
   * there. */
  memset (broken, 0, sizeof broken);
  memcpy (broken + 128, "DICM", 4);
  memcpy (broken + 132, "\x02\x00\x10\x00UI\xc8\x00" "1.2.", 12);
  lacuna_gui_test_write_file (dir, "broken.dcm", broken, sizeof broken);

  return dir;
}

void
lacuna_gui_test_remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        lacuna_gui_test_remove_tree (path);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}

void
lacuna_gui_test_copy_tree (const char *from,
                           const char *to)
{
  g_autoptr(GDir) dir = g_dir_open (from, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  g_assert_cmpint (g_mkdir_with_parents (to, 0700), ==, 0);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *source = g_build_filename (from, name, NULL);
      g_autofree char *target = g_build_filename (to, name, NULL);

      if (g_file_test (source, G_FILE_TEST_IS_DIR))
        lacuna_gui_test_copy_tree (source, target);
      else
        {
          g_autofree char *contents = NULL;
          gsize length;

          g_assert_true (g_file_get_contents (source, &contents, &length, NULL));
          g_assert_true (g_file_set_contents (target, contents, length, NULL));
        }
    }
}
