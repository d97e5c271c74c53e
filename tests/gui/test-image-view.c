/* test-image-view.c: the image view on the sample study: window/level, presets, zoom, pan,
 * 1:1, nearest-neighbour magnification, the slice scale, cine, decode-ahead and the cache
 * bound, the corner annotations, and screenshots (light and dark) in the build folder.
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-image-view"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "lacuna-annotations.h"
#include "lacuna-gui-test-util.h"
#include "lacuna-view-bar.h"

static void
destroy_window (LacunaWindow *window)
{
  g_object_ref (window);
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  g_assert_finalize_object (window);
}

/* A window showing the sample's CT series at slice position. */
static LacunaWindow *
open_sample_ct (int   width,
                int   height,
                guint position)
{
  LacunaWindow *window = lacuna_gui_test_new_window (width, height);
  LacunaImageView *view = lacuna_window_get_image_view (window);
  int ct;

  lacuna_window_open_sample (window);
  lacuna_gui_test_wait_loaded (window);
  ct = lacuna_gui_test_find_series (window, "CT");
  g_assert_cmpint (ct, >=, 0);
  lacuna_window_select_series (window, ct);
  lacuna_image_view_set_position (view, position);
  lacuna_gui_test_wait_image (view);
  g_assert_null (lacuna_image_view_get_error (view));
  g_assert_nonnull (lacuna_image_view_get_surface (view));
  lacuna_gui_test_wait_frame (GTK_WIDGET (view));
  return window;
}

static GtkEventController *
find_controller (GtkWidget *widget,
                 GType      type)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (controller, type))
        return controller;   /* the widget keeps it */
    }
  g_assert_not_reached ();
  return NULL;
}

static guint32
surface_pixel (cairo_surface_t *surface,
               int              x,
               int              y)
{
  const guint8 *row = cairo_image_surface_get_data (surface)
                      + (gsize) y * cairo_image_surface_get_stride (surface);

  return ((const guint32 *) (gconstpointer) row)[x] & 0xffffff;
}

/* DICOM PS3.3 C.11.2.1.2.1, the default (LINEAR) VOI function, to 8 bits. */
static double
linear_window (double x,
               double c,
               double w)
{
  if (x <= c - 0.5 - (w - 1) / 2)
    return 0;
  if (x > c - 0.5 + (w - 1) / 2)
    return 255;
  return ((x - (c - 0.5)) / (w - 1) + 0.5) * 255;
}

/* Checks every 7th pixel of the view's image against the formula; returns how many were on
 * the ramp (neither black nor white by the formula). */
static guint
assert_window_applied (LacunaImageView *view,
                       double           center,
                       double           width)
{
  LacunaFrame *frame = lacuna_image_view_get_frame (view);
  cairo_surface_t *surface = lacuna_image_view_get_surface (view);
  guint w = lacuna_frame_get_width (frame);
  guint h = lacuna_frame_get_height (frame);
  guint on_ramp = 0;

  g_assert_false (lacuna_frame_is_color (frame));
  g_assert_false (lacuna_frame_is_inverted (frame));
  g_assert_cmpstr (lacuna_frame_get_voi_function (frame), ==, "LINEAR");

  for (guint y = 0; y < h; y += 7)
    for (guint x = 0; x < w; x += 7)
      {
        double expected;
        guint32 drawn = surface_pixel (surface, x, y);
        int grey = drawn & 0xff;

        if (lacuna_frame_is_padding (frame, x, y))
          continue;
        expected = linear_window (lacuna_frame_get_value (frame, x, y), center, width);
        g_assert_cmpuint (drawn, ==, (guint32) grey * 0x010101u);
        if (fabs (grey - expected) > 1.0)
          g_error ("Pixel (%u, %u): value %g, window %g/%g: drawn %d, expected %.2f", x, y,
                   lacuna_frame_get_value (frame, x, y), center, width, grey, expected);
        if (expected > 0 && expected < 255)
          on_ramp++;
      }
  return on_ramp;
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

/* ------------------------------------------------------------------------------------- */

static void
notify_count_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

static void
test_view_state (void)
{
  LacunaViewState *state = lacuna_view_state_new ();
  const LacunaWindowPreset *presets;
  guint n = 0, notified = 0;

  g_signal_connect (state, "notify::zoom", G_CALLBACK (notify_count_cb), &notified);
  lacuna_view_state_set_zoom (state, 2.0);
  lacuna_view_state_set_zoom (state, 2.0);
  g_assert_cmpuint (notified, ==, 1);
  lacuna_view_state_set_zoom (state, 1e9);
  g_assert_cmpfloat (lacuna_view_state_get_zoom (state), ==, LACUNA_VIEW_STATE_MAX_ZOOM);

  /* Position is clamped to n-positions; cine needs two. */
  lacuna_view_state_set_n_positions (state, 5);
  lacuna_view_state_set_position (state, 10);
  g_assert_cmpuint (lacuna_view_state_get_position (state), ==, 4);
  lacuna_view_state_set_playing (state, TRUE);
  g_assert_true (lacuna_view_state_get_playing (state));
  lacuna_view_state_set_n_positions (state, 1);
  g_assert_cmpuint (lacuna_view_state_get_position (state), ==, 0);
  g_assert_false (lacuna_view_state_get_playing (state));

  /* CT presets set their values; a custom window is "custom"; width at least 1. */
  presets = lacuna_window_preset_get_ct (&n);
  g_assert_cmpuint (n, ==, 5);
  lacuna_view_state_set_window_preset (state, "ct-lung");
  g_assert_cmpfloat (lacuna_view_state_get_window_center (state), ==, -600);
  g_assert_cmpfloat (lacuna_view_state_get_window_width (state), ==, 1500);
  g_assert_true (lacuna_window_preset_lookup ("ct-brain") == &presets[0]);
  g_assert_null (lacuna_window_preset_lookup ("default"));
  lacuna_view_state_set_custom_window (state, 10, -5);
  g_assert_cmpstr (lacuna_view_state_get_window_preset (state), ==, "custom");
  g_assert_cmpfloat (lacuna_view_state_get_window_width (state), ==, 1);

  lacuna_view_state_reset (state);
  g_assert_cmpint (lacuna_view_state_get_fit_mode (state), ==, LACUNA_FIT_MODE_BEST);
  g_assert_cmpstr (lacuna_view_state_get_window_preset (state), ==, "default");
  g_assert_true (lacuna_view_state_get_show_annotations (state));

  g_assert_finalize_object (state);
}

/* Dragging with the primary button sets the window; the image follows the DICOM formula. */
static void
test_window_drag (void)
{
  LacunaWindow *window = open_sample_ct (1024, 700, LACUNA_SAMPLE_CT_SLICES / 4);
  LacunaImageView *view = lacuna_window_get_image_view (window);
  LacunaViewState *state = lacuna_image_view_get_state (view);
  GtkEventController *drag = find_controller (GTK_WIDGET (view), GTK_TYPE_GESTURE_DRAG);
  double c0, w0, center, width, file_c, file_w;
  gboolean uses_lut;

  /* Starts with the file's window. */
  lacuna_frame_get_default_window (lacuna_image_view_get_frame (view), &file_c, &file_w, &uses_lut);
  g_assert_false (uses_lut);
  g_assert_cmpstr (lacuna_view_state_get_window_preset (state), ==, "default");
  g_assert_cmpfloat (lacuna_view_state_get_window_center (state), ==, file_c);
  g_assert_cmpfloat (lacuna_view_state_get_window_width (state), ==, file_w);
  g_assert_cmpuint (assert_window_applied (view, file_c, file_w), >, 100);

  c0 = lacuna_view_state_get_window_center (state);
  w0 = lacuna_view_state_get_window_width (state);

  /* A click without moving changes nothing. */
  g_signal_emit_by_name (drag, "drag-begin", 300.0, 300.0);
  g_signal_emit_by_name (drag, "drag-update", 1.0, 1.0);
  g_signal_emit_by_name (drag, "drag-end", 1.0, 1.0);
  g_assert_cmpstr (lacuna_view_state_get_window_preset (state), ==, "default");

  /* 200 px left halves the width; 100 px up lowers the level by a quarter of it. */
  g_signal_emit_by_name (drag, "drag-begin", 300.0, 300.0);
  g_signal_emit_by_name (drag, "drag-update", -100.0, -50.0);
  g_signal_emit_by_name (drag, "drag-update", -200.0, -100.0);
  g_signal_emit_by_name (drag, "drag-end", -200.0, -100.0);
  center = lacuna_view_state_get_window_center (state);
  width = lacuna_view_state_get_window_width (state);
  g_assert_cmpstr (lacuna_view_state_get_window_preset (state), ==, "custom");
  g_assert_cmpfloat_with_epsilon (width, w0 / 2, 1e-9);
  g_assert_cmpfloat_with_epsilon (center, c0 - w0 / 4, 1e-9);
  g_assert_cmpuint (assert_window_applied (view, center, width), >, 100);

  /* The custom window stays when moving to another slice. */
  gtk_widget_activate_action (GTK_WIDGET (view), "view.next-slice", NULL);
  lacuna_gui_test_wait_image (view);
  g_assert_cmpfloat (lacuna_view_state_get_window_center (state), ==, center);
  assert_window_applied (view, center, width);

  destroy_window (window);
}

static gboolean
menu_has_target (GMenuModel *menu,
                 const char *target)
{
  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autoptr(GVariant) value = g_menu_model_get_item_attribute_value (menu, i, G_MENU_ATTRIBUTE_TARGET,
                                                                         G_VARIANT_TYPE_STRING);
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (menu, i, G_MENU_LINK_SECTION);

      if (value != NULL && g_str_equal (g_variant_get_string (value, NULL), target))
        return TRUE;
      if (section != NULL && menu_has_target (section, target))
        return TRUE;
    }
  return FALSE;
}

static void
test_window_presets (void)
{
  LacunaWindow *window = open_sample_ct (1024, 700, LACUNA_SAMPLE_CT_SLICES / 4);
  LacunaImageView *view = lacuna_window_get_image_view (window);
  LacunaViewState *state = lacuna_image_view_get_state (view);
  LacunaViewBar *bar = LACUNA_VIEW_BAR (lacuna_gui_test_find_widget (GTK_WIDGET (window),
                                                                     LACUNA_TYPE_VIEW_BAR));
  static const struct { const char *id; double center, width; } expected[] = {
    { "ct-brain", 40, 80 },
    { "ct-lung", -600, 1500 },
    { "ct-bone", 400, 1800 },
    { "ct-abdomen", 50, 400 },
    { "ct-soft-tissue", 50, 350 },
  };
  double file_c, file_w, lo, hi;
  gboolean uses_lut;
  int us;

  g_assert_nonnull (bar);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(GVariant) action_state = NULL;

      g_assert_true (menu_has_target (lacuna_view_bar_get_window_menu (bar), expected[i].id));
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "view.window-preset", "s",
                                                 expected[i].id));
      g_assert_cmpstr (lacuna_view_state_get_window_preset (state), ==, expected[i].id);
      g_assert_cmpfloat (lacuna_view_state_get_window_center (state), ==, expected[i].center);
      g_assert_cmpfloat (lacuna_view_state_get_window_width (state), ==, expected[i].width);
      action_state = g_action_group_get_action_state (lacuna_image_view_get_action_group (view),
                                                      "window-preset");
      g_assert_cmpstr (g_variant_get_string (action_state, NULL), ==, expected[i].id);
      assert_window_applied (view, expected[i].center, expected[i].width);
    }

  /* Back to the file's own window; the full range. */
  lacuna_frame_get_default_window (lacuna_image_view_get_frame (view), &file_c, &file_w, &uses_lut);
  gtk_widget_activate_action (GTK_WIDGET (view), "view.window-preset", "s", "default");
  g_assert_cmpfloat (lacuna_view_state_get_window_center (state), ==, file_c);
  g_assert_cmpfloat (lacuna_view_state_get_window_width (state), ==, file_w);
  gtk_widget_activate_action (GTK_WIDGET (view), "view.window-preset", "s", "full-range");
  lacuna_frame_get_value_range (lacuna_image_view_get_frame (view), &lo, &hi);
  g_assert_cmpfloat (lacuna_view_state_get_window_width (state), ==, hi - lo + 1);
  assert_window_applied (view, lacuna_view_state_get_window_center (state),
                         lacuna_view_state_get_window_width (state));

  /* An ultrasound image has no CT presets, and a new series starts from the file's window. */
  us = lacuna_gui_test_find_series (window, "US");
  g_assert_cmpint (us, >=, 0);
  lacuna_window_select_series (window, us);
  lacuna_gui_test_wait_image (view);
  g_assert_cmpstr (lacuna_view_state_get_window_preset (state), ==, "default");
  g_assert_false (menu_has_target (lacuna_view_bar_get_window_menu (bar), "ct-brain"));
  g_assert_true (menu_has_target (lacuna_view_bar_get_window_menu (bar), "default"));

  destroy_window (window);
}

static void
assert_point_fixed (LacunaImageView *view,
                    double           wx,
                    double           wy,
                    double           ix,
                    double           iy)
{
  double nx, ny;
  /* Placement is rounded to device pixels: half a pixel, in image pixels. */
  double tolerance = 0.5 / lacuna_image_view_get_scale (view) + 1e-6;

  lacuna_image_view_widget_to_image (view, wx, wy, &nx, &ny);
  g_assert_cmpfloat_with_epsilon (nx, ix, tolerance);
  g_assert_cmpfloat_with_epsilon (ny, iy, tolerance);
}

static void
test_zoom (void)
{
  LacunaWindow *window = open_sample_ct (1024, 700, LACUNA_SAMPLE_CT_SLICES / 4);
  LacunaImageView *view = lacuna_window_get_image_view (window);
  LacunaViewState *state = lacuna_image_view_get_state (view);
  GtkEventController *pinch = find_controller (GTK_WIDGET (view), GTK_TYPE_GESTURE_ZOOM);
  int width = gtk_widget_get_width (GTK_WIDGET (view));
  int height = gtk_widget_get_height (GTK_WIDGET (view));
  guint iw, ih;
  double ix, iy, wx, wy, fit, zoom;

  /* Best fit: the whole image, centred. */
  g_assert_true (lacuna_image_view_get_image_size (view, &iw, &ih));
  g_assert_cmpint (lacuna_view_state_get_fit_mode (state), ==, LACUNA_FIT_MODE_BEST);
  fit = MIN ((double) width / iw, (double) height / ih);
  g_assert_cmpfloat_with_epsilon (lacuna_view_state_get_zoom (state), fit, 1e-9);
  lacuna_image_view_image_to_widget (view, iw / 2.0, ih / 2.0, &wx, &wy);
  g_assert_cmpfloat_with_epsilon (wx, width / 2.0, 1.0);
  g_assert_cmpfloat_with_epsilon (wy, height / 2.0, 1.0);

  /* The mapping and its inverse; outside the image is outside. */
  g_assert_true (lacuna_image_view_widget_to_image (view, width / 2.0, height / 2.0, &ix, &iy));
  lacuna_image_view_image_to_widget (view, ix, iy, &wx, &wy);
  g_assert_cmpfloat_with_epsilon (wx, width / 2.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (wy, height / 2.0, 1e-9);
  g_assert_false (lacuna_image_view_widget_to_image (view, 2, 2, NULL, NULL));

  /* Zooming in around a point (as Ctrl+wheel does at the pointer) keeps it in place. */
  wx = width * 0.6;
  wy = height * 0.35;
  g_assert_true (lacuna_image_view_widget_to_image (view, wx, wy, &ix, &iy));
  lacuna_image_view_zoom_at (view, fit * 2.5, wx, wy);
  g_assert_cmpint (lacuna_view_state_get_fit_mode (state), ==, LACUNA_FIT_MODE_NONE);
  g_assert_cmpfloat_with_epsilon (lacuna_view_state_get_zoom (state), fit * 2.5, 1e-9);
  assert_point_fixed (view, wx, wy, ix, iy);
  lacuna_image_view_zoom_at (view, fit * 6, wx, wy);
  assert_point_fixed (view, wx, wy, ix, iy);
  lacuna_image_view_zoom_at (view, fit * 1.5, wx, wy);
  assert_point_fixed (view, wx, wy, ix, iy);

  /* Keys zoom around the centre. */
  lacuna_image_view_widget_to_image (view, width / 2.0, height / 2.0, &ix, &iy);
  zoom = lacuna_view_state_get_zoom (state);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "view.zoom-in", NULL));
  g_assert_cmpfloat (lacuna_view_state_get_zoom (state), >, zoom);
  assert_point_fixed (view, width / 2.0, height / 2.0, ix, iy);
  zoom = lacuna_view_state_get_zoom (state);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "view.zoom-out", NULL));
  g_assert_cmpfloat (lacuna_view_state_get_zoom (state), <, zoom);
  assert_point_fixed (view, width / 2.0, height / 2.0, ix, iy);

  /* Pinch: twice the zoom at the start of the gesture, around the fingers (here, no
   * touch points: the centre). */
  zoom = lacuna_view_state_get_zoom (state);
  g_signal_emit_by_name (pinch, "scale-changed", 2.0);
  g_assert_cmpfloat_with_epsilon (lacuna_view_state_get_zoom (state), zoom * 2, 1e-9);
  assert_point_fixed (view, width / 2.0, height / 2.0, ix, iy);

  /* Pan: the view moves a tenth of its width right, the image centre goes left. */
  lacuna_image_view_widget_to_image (view, width / 2.0, height / 2.0, &ix, &iy);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "view.pan", "(dd)", 0.1, 0.0));
  lacuna_image_view_widget_to_image (view, width / 2.0, height / 2.0, &wx, &wy);
  /* (within the rounding of the placement to device pixels, twice) */
  g_assert_cmpfloat_with_epsilon (wx - ix, 0.1 * width / lacuna_image_view_get_scale (view),
                                  1.0 / lacuna_image_view_get_scale (view));
  g_assert_cmpfloat_with_epsilon (wy, iy, 1.0 / lacuna_image_view_get_scale (view));

  /* Best fit again. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "view.zoom-best-fit", NULL));
  g_assert_cmpint (lacuna_view_state_get_fit_mode (state), ==, LACUNA_FIT_MODE_BEST);
  g_assert_cmpfloat_with_epsilon (lacuna_view_state_get_zoom (state), fit, 1e-9);

  destroy_window (window);
}

/* 1:1 shows one image pixel per device pixel: the drawn pixels are the image's pixels. */
static void
test_one_to_one (void)
{
  LacunaWindow *window = open_sample_ct (1024, 700, LACUNA_SAMPLE_CT_SLICES / 4);
  LacunaImageView *view = lacuna_window_get_image_view (window);
  LacunaViewState *state = lacuna_image_view_get_state (view);
  cairo_surface_t *source;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const guint32 *pixels;
  double ox, oy;
  guint iw, ih, checked = 0;
  int w, h;

  g_assert_cmpint (gtk_widget_get_scale_factor (GTK_WIDGET (view)), ==, 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "view.zoom-original", NULL));
  g_assert_cmpfloat (lacuna_view_state_get_zoom (state), ==, 1.0);
  g_assert_cmpfloat (lacuna_image_view_get_scale (view), ==, 1.0);

  source = lacuna_image_view_get_surface (view);
  lacuna_image_view_get_image_size (view, &iw, &ih);
  lacuna_image_view_image_to_widget (view, 0, 0, &ox, &oy);
  g_assert_cmpfloat (ox, ==, round (ox));
  g_assert_cmpfloat (oy, ==, round (oy));

  texture = lacuna_gui_test_render (GTK_WIDGET (view));
  w = gdk_texture_get_width (texture);
  h = gdk_texture_get_height (texture);
  bytes = download (texture);
  pixels = g_bytes_get_data (bytes, NULL);

  for (int y = MAX (0, (int) oy); y < MIN (h, (int) oy + (int) ih); y++)
    for (int x = MAX (0, (int) ox); x < MIN (w, (int) ox + (int) iw); x++)
      {
        guint32 drawn = pixels[(gsize) y * w + x] & 0xffffff;
        guint32 expected = surface_pixel (source, x - (int) ox, y - (int) oy);

        if (drawn != expected)
          g_error ("Screen pixel (%d, %d) = %06x, image pixel (%d, %d) = %06x", x, y, drawn,
                   x - (int) ox, y - (int) oy, expected);
        checked++;
      }
  g_assert_cmpuint (checked, >=, MIN (iw, (guint) w) * MIN (ih, (guint) h) / 2);

  destroy_window (window);
}

/* Magnified without smoothing: every screen pixel is exactly the image pixel it maps to. */
static void
test_not_blurred (void)
{
  LacunaWindow *window = open_sample_ct (900, 700, LACUNA_SAMPLE_CT_SLICES / 4);
  LacunaImageView *view = lacuna_window_get_image_view (window);
  int width = gtk_widget_get_width (GTK_WIDGET (view));
  int height = gtk_widget_get_height (GTK_WIDGET (view));
  cairo_surface_t *source = lacuna_image_view_get_surface (view);
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const guint32 *pixels;
  guint iw, ih, checked = 0, exact = 0, edges = 0;
  GHashTable *colours = g_hash_table_new (NULL, NULL);
  double zoom = 7.3;

  lacuna_image_view_get_image_size (view, &iw, &ih);
  lacuna_image_view_zoom_at (view, zoom, width / 2.0, height / 2.0);
  texture = lacuna_gui_test_render (GTK_WIDGET (view));
  bytes = download (texture);
  pixels = g_bytes_get_data (bytes, NULL);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint32 drawn = pixels[(gsize) y * width + x] & 0xffffff;
        double ix, iy;
        int sx, sy;

        if (!lacuna_image_view_widget_to_image (view, x + 0.5, y + 0.5, &ix, &iy))
          continue;
        sx = (int) floor (ix);
        sy = (int) floor (iy);
        checked++;
        g_hash_table_add (colours, GUINT_TO_POINTER (drawn));
        if (drawn == surface_pixel (source, sx, sy))
          exact++;
        else
          {
            /* Only where a pixel edge passes through the screen pixel's centre. */
            gboolean neighbour = FALSE;

            for (int dy = -1; dy <= 1; dy++)
              for (int dx = -1; dx <= 1; dx++)
                neighbour |= drawn == surface_pixel (source, CLAMP (sx + dx, 0, (int) iw - 1),
                                                     CLAMP (sy + dy, 0, (int) ih - 1));
            if (!neighbour)
              g_error ("Screen pixel (%d, %d) = %06x is a blend", x, y, drawn);
            edges++;
          }
      }

  g_assert_cmpuint (checked, >, (guint) (width * height) / 2);
  /* Only a rounding sliver at block edges may differ, by choosing the neighbour. */
  g_assert_cmpuint (edges, <=, checked / 50);
  g_assert_cmpuint (exact, >, 0);
  g_test_message ("%u pixels checked, %u exact, %u at edges, %u colours",
                  checked, exact, edges, g_hash_table_size (colours));
  g_hash_table_unref (colours);

  destroy_window (window);
}

static void
test_slice_scale (void)
{
  LacunaWindow *window = open_sample_ct (1024, 700, 0);
  LacunaImageView *view = lacuna_window_get_image_view (window);
  LacunaViewBar *bar = LACUNA_VIEW_BAR (lacuna_gui_test_find_widget (GTK_WIDGET (window),
                                                                     LACUNA_TYPE_VIEW_BAR));
  GtkRange *scale;
  GtkAdjustment *adjustment;
  int us;

  g_assert_nonnull (bar);
  g_assert_true (lacuna_view_bar_get_view (bar) == view);
  scale = GTK_RANGE (lacuna_gui_test_find_widget (GTK_WIDGET (bar), GTK_TYPE_SCALE));
  adjustment = gtk_range_get_adjustment (scale);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (scale)));
  g_assert_cmpfloat (gtk_adjustment_get_upper (adjustment), ==, LACUNA_SAMPLE_CT_SLICES - 1);

  /* The scale moves the view... */
  gtk_range_set_value (scale, 10);
  g_assert_cmpuint (lacuna_image_view_get_position (view), ==, 10);
  lacuna_gui_test_wait_image (view);
  gtk_range_set_value (scale, 20.4);
  g_assert_cmpuint (lacuna_image_view_get_position (view), ==, 20);
  /* ...and follows it. */
  gtk_widget_activate_action (GTK_WIDGET (view), "view.last-slice", NULL);
  g_assert_cmpfloat (gtk_range_get_value (scale), ==, LACUNA_SAMPLE_CT_SLICES - 1);
  lacuna_gui_test_wait_image (view);

  /* A single image has no scale. */
  us = lacuna_gui_test_find_series (window, "US");
  lacuna_window_select_series (window, us);
  lacuna_gui_test_wait_image (view);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (scale)));
  g_assert_false (g_action_group_get_action_enabled (lacuna_image_view_get_action_group (view), "play"));

  destroy_window (window);
}

typedef struct
{
  GArray *positions;
} CineRecord;

static void
record_position_cb (LacunaImageView *view,
                    GParamSpec      *pspec,
                    GArray          *positions)
{
  guint position = lacuna_image_view_get_position (view);

  g_array_append_val (positions, position);
}

static gboolean
played_enough (gpointer data)
{
  GArray *positions = data;

  return positions->len >= 8;
}

static void
test_cine (void)
{
  const char *testdata = g_getenv ("LACUNA_TESTDATA");
  g_autofree char *path = NULL;
  LacunaWindow *window;
  LacunaImageView *view;
  LacunaViewState *state;
  const char *paths[2] = { NULL, NULL };
  g_autoptr(GArray) positions = g_array_new (FALSE, FALSE, sizeof (guint));
  gulong id;

  path = testdata ? g_build_filename (testdata, "variety", "multiframe",
                                      "orthanc_Issue16_US_cine_34frames_JPEG.dcm", NULL) : NULL;
  if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_test_skip ("No multi-frame cine file in the shared test data");
      return;
    }

  window = lacuna_gui_test_new_window (800, 600);
  view = lacuna_window_get_image_view (window);
  state = lacuna_image_view_get_state (view);
  paths[0] = path;
  lacuna_window_open_paths (window, paths);
  lacuna_gui_test_wait_loaded (window);
  lacuna_gui_test_wait_image (view);
  g_assert_null (lacuna_image_view_get_error (view));
  g_assert_cmpuint (lacuna_image_view_get_n_positions (view), ==, 34);
  /* Recommended Display Frame Rate (0008,2144) of that file. */
  g_assert_cmpfloat (lacuna_view_state_get_frame_rate (state), ==, 33);

  /* Play, faster than the file says, and watch the frames go by one at a time. */
  lacuna_view_state_set_frame_rate (state, 200);
  id = g_signal_connect (view, "notify::position", G_CALLBACK (record_position_cb), positions);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "view.play", NULL));
  g_assert_true (lacuna_view_state_get_playing (state));
  lacuna_gui_test_wait (played_enough, positions);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "view.play", NULL));
  g_assert_false (lacuna_view_state_get_playing (state));
  g_signal_handler_disconnect (view, id);

  for (guint i = 0; i < positions->len; i++)
    g_assert_cmpuint (g_array_index (positions, guint, i), ==, (i + 1) % 34);

  lacuna_gui_test_wait_image (view);
  destroy_window (window);
}

typedef struct
{
  LacunaImageView *view;
  guint            from;
  guint            to;
} Range;

static gboolean
range_cached (gpointer data)
{
  Range *range = data;

  for (guint p = range->from; p <= range->to; p++)
    if (!lacuna_image_view_is_cached (range->view, p))
      return FALSE;
  return TRUE;
}

static void
frame_shown_cb (LacunaImageView *view,
                guint            position,
                guint           *out)
{
  *out = position;
}

static gboolean
is_shown (gpointer data)
{
  return *(guint *) data != G_MAXUINT;
}

static void
test_decode_ahead (void)
{
  LacunaWindow *window = open_sample_ct (1024, 700, 0);
  LacunaImageView *view = lacuna_window_get_image_view (window);
  guint k = 20, n = lacuna_image_view_get_decode_ahead (view);
  guint shown = G_MAXUINT;
  Range range = { view, k + 1, k + n };
  gulong id;

  g_assert_cmpuint (n, >=, 4);
  g_assert_cmpuint (k + n, <, LACUNA_SAMPLE_CT_SLICES);

  /* The position shown is painted, and announced. */
  id = g_signal_connect (view, "frame-shown", G_CALLBACK (frame_shown_cb), &shown);
  lacuna_image_view_set_position (view, k);
  lacuna_gui_test_wait (is_shown, &shown);
  g_assert_cmpuint (shown, ==, k);
  g_signal_handler_disconnect (view, id);

  /* Then the next n are decoded in the background. */
  lacuna_gui_test_wait (range_cached, &range);
  for (guint p = k + 1; p <= k + n; p++)
    g_assert_true (lacuna_image_view_is_cached (view, p));

  /* They were windowed ahead too; a new window makes those images stale, and they give
   * their room back at once (the frames stay). */
  {
    gsize before = lacuna_image_view_get_cache_size (view);
    LacunaViewState *state = lacuna_image_view_get_state (view);

    lacuna_view_state_set_custom_window (state,
                                         lacuna_view_state_get_window_center (state) + 100,
                                         lacuna_view_state_get_window_width (state) + 200);
    g_assert_cmpuint (lacuna_image_view_get_cache_size (view), <, before);
    for (guint p = k + 1; p <= k + n; p++)
      g_assert_true (lacuna_image_view_is_cached (view, p));
  }

  /* Stepping onto them shows them at once. */
  for (guint p = k + 1; p <= k + n; p++)
    {
      gtk_widget_activate_action (GTK_WIDGET (view), "view.next-slice", NULL);
      g_assert_false (lacuna_image_view_get_busy (view));
      g_assert_cmpuint (lacuna_image_view_get_position (view), ==, p);
    }

  /* Going back, ahead is the other way. */
  lacuna_image_view_set_position (view, 50);
  lacuna_gui_test_wait_image (view);
  gtk_widget_activate_action (GTK_WIDGET (view), "view.previous-slice", NULL);
  lacuna_gui_test_wait_image (view);
  range.from = 49 - 4;
  range.to = 48;
  lacuna_gui_test_wait (range_cached, &range);

  destroy_window (window);
}

static void
step_through (LacunaImageView *view,
              gsize            limit)
{
  guint n = lacuna_image_view_get_n_positions (view);
  gsize peak = 0;

  for (guint p = 0; p < n; p++)
    {
      lacuna_image_view_set_position (view, p);
      lacuna_gui_test_wait_image (view);
      g_assert_null (lacuna_image_view_get_error (view));
      /* Let some decode-ahead results arrive. */
      while (g_main_context_pending (NULL))
        g_main_context_iteration (NULL, FALSE);
      peak = MAX (peak, lacuna_image_view_get_cache_size (view));
      g_assert_cmpuint (lacuna_image_view_get_cache_size (view), <=, limit);
    }
  g_test_message ("%u positions, cache peak %" G_GSIZE_FORMAT " bytes (limit %" G_GSIZE_FORMAT ")",
                  n, peak, limit);
}

static void
test_cache_bounded (void)
{
  LacunaWindow *window = open_sample_ct (800, 600, 0);
  LacunaImageView *view = lacuna_window_get_image_view (window);
  gsize limit = 3 * 1024 * 1024;

  lacuna_image_view_set_cache_limit (view, limit);
  g_assert_cmpuint (lacuna_image_view_get_cache_limit (view), ==, limit);
  g_assert_cmpuint (lacuna_image_view_get_cache_size (view), <=, limit);
  step_through (view, limit);

  destroy_window (window);
}

/* The 500-slice workload of the benchmarks, when it is there (optional). */
static void
test_cache_bounded_large (void)
{
  const char *dir = g_getenv ("LACUNA_LARGE_SERIES");
  LacunaWindow *window;
  LacunaImageView *view;
  const char *paths[2] = { NULL, NULL };

  if (dir == NULL)
    dir = "/tmp/wl/large";
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("No large series (LACUNA_LARGE_SERIES)");
      return;
    }

  window = lacuna_gui_test_new_window (1024, 700);
  view = lacuna_window_get_image_view (window);
  paths[0] = dir;
  lacuna_window_open_paths (window, paths);
  lacuna_gui_test_wait_loaded (window);
  lacuna_gui_test_wait_image (view);
  g_assert_cmpuint (lacuna_image_view_get_n_positions (view), >=, 100);
  step_through (view, lacuna_image_view_get_cache_limit (view));

  destroy_window (window);
}

/* The instances of model, last first. */
static GListModel *
reversed (GListModel *model)
{
  GListStore *store = g_list_store_new (LACUNA_TYPE_INSTANCE);
  guint n = g_list_model_get_n_items (model);

  for (guint i = n; i-- > 0;)
    {
      g_autoptr(LacunaInstance) instance = g_list_model_get_item (model, i);

      g_list_store_append (store, instance);
    }
  return G_LIST_MODEL (store);
}

/* The same series in another order (as when a series still loading is sorted): the slice on
 * screen stays, with its decoded frame, the window and the zoom; the frames decoded around
 * it move along. A model without it starts over. */
static void
test_replace_model (void)
{
  LacunaWindow *window = open_sample_ct (800, 600, 10);
  LacunaImageView *view = lacuna_window_get_image_view (window);
  LacunaViewState *state = lacuna_image_view_get_state (view);
  GListModel *series = lacuna_image_view_get_model (view);
  g_autoptr(GListModel) backwards = reversed (series);
  g_autoptr(GListStore) others = g_list_store_new (LACUNA_TYPE_INSTANCE);
  guint n = lacuna_image_view_get_n_positions (view);
  LacunaInstance *instance = lacuna_image_view_get_instance (view, NULL);
  LacunaFrame *frame = lacuna_image_view_get_frame (view);
  Range range = { view, 11, 13 };
  guint frames_notified = 0;
  double zoom;

  g_assert_cmpuint (n, ==, LACUNA_SAMPLE_CT_SLICES);
  lacuna_view_state_set_window (state, 40, 400);
  lacuna_image_view_zoom_at (view, 2.5, 10, 10);
  zoom = lacuna_view_state_get_zoom (state);
  lacuna_gui_test_wait (range_cached, &range);

  g_signal_connect (view, "notify::frame", G_CALLBACK (notify_count_cb), &frames_notified);
  lacuna_image_view_replace_model (view, backwards);
  g_assert_true (lacuna_image_view_get_model (view) == backwards);
  g_assert_cmpuint (lacuna_image_view_get_n_positions (view), ==, n);
  g_assert_cmpuint (lacuna_image_view_get_position (view), ==, n - 1 - 10);
  g_assert_true (lacuna_image_view_get_instance (view, NULL) == instance);
  g_assert_true (lacuna_image_view_get_frame (view) == frame);
  g_assert_false (lacuna_image_view_get_busy (view));
  g_assert_cmpfloat (lacuna_view_state_get_window_center (state), ==, 40);
  g_assert_cmpfloat (lacuna_view_state_get_window_width (state), ==, 400);
  g_assert_cmpfloat (lacuna_view_state_get_zoom (state), ==, zoom);
  for (guint p = 11; p <= 13; p++)
    {
      g_assert_true (lacuna_image_view_is_cached (view, n - 1 - p));
      g_assert_true (lacuna_image_view_get_instance_at (view, n - 1 - p, NULL)
                     == g_list_model_get_item (series, p));
      g_object_unref (g_list_model_get_item (series, p));   /* the model keeps it */
    }
  /* Moving on in the new order shows the neighbour, already decoded. */
  gtk_widget_activate_action (GTK_WIDGET (view), "view.previous-slice", NULL);
  g_assert_false (lacuna_image_view_get_busy (view));
  g_assert_cmpuint (frames_notified, ==, 1);
  {
    g_autoptr(LacunaInstance) eleventh = g_list_model_get_item (series, 11);

    g_assert_true (lacuna_image_view_get_instance (view, NULL) == eleventh);
  }

  /* A model without the slice shown: from the start, state reset. */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(LacunaInstance) item = g_list_model_get_item (series, i);

      g_list_store_append (others, item);
    }
  lacuna_image_view_replace_model (view, G_LIST_MODEL (others));
  g_assert_cmpuint (lacuna_image_view_get_position (view), ==, 0);
  g_assert_cmpuint (lacuna_image_view_get_n_positions (view), ==, 3);
  lacuna_gui_test_wait_image (view);
  g_assert_null (lacuna_image_view_get_error (view));
  {
    g_autoptr(LacunaInstance) first = g_list_model_get_item (series, 0);

    g_assert_true (lacuna_image_view_get_instance (view, NULL) == first);
  }

  destroy_window (window);
}

/* A frame decoded on another thread by lacuna_image_view_decode_frame() is what the view
 * decodes itself, and set_model_with_frame() shows it at once. */
static gpointer
decode_thread (gpointer data)
{
  LacunaInstance *instance = data;
  GHashTable *attributes = NULL;
  g_autoptr(GError) error = NULL;
  LacunaFrame *frame = lacuna_image_view_decode_frame (instance, 0, &attributes, &error);

  g_assert_no_error (error);
  g_assert_nonnull (attributes);
  g_object_set_data_full (G_OBJECT (frame), "attributes", attributes,
                          (GDestroyNotify) g_hash_table_unref);
  return frame;
}

static void
test_model_with_frame (void)
{
  LacunaWindow *window = open_sample_ct (800, 600, 20);
  LacunaImageView *view = lacuna_window_get_image_view (window);
  g_autoptr(GListModel) series = g_object_ref (lacuna_image_view_get_model (view));
  g_autoptr(GListModel) backwards = reversed (series);
  LacunaInstance *instance = lacuna_image_view_get_instance (view, NULL);
  g_autofree char *location = g_strdup (lacuna_image_view_get_attribute (view, "SliceLocation"));
  LacunaFrame *shown = lacuna_image_view_get_frame (view);
  g_autoptr(LacunaFrame) frame = NULL;
  g_autoptr(GError) error = NULL;
  GThread *thread;

  thread = g_thread_new ("decode", decode_thread, instance);
  frame = g_thread_join (thread);
  g_assert_cmpuint (lacuna_frame_get_width (frame), ==, lacuna_frame_get_width (shown));
  g_assert_cmpuint (lacuna_frame_get_height (frame), ==, lacuna_frame_get_height (shown));
  g_assert_true (g_bytes_equal (lacuna_frame_get_stored (frame), lacuna_frame_get_stored (shown)));

  lacuna_image_view_set_model (view, NULL);
  lacuna_image_view_set_model_with_frame (view, backwards, instance, 0, frame,
                                          g_object_get_data (G_OBJECT (frame), "attributes"));
  /* No decoding, no waiting. */
  g_assert_false (lacuna_image_view_get_busy (view));
  g_assert_true (lacuna_image_view_get_frame (view) == frame);
  g_assert_cmpuint (lacuna_image_view_get_position (view), ==, LACUNA_SAMPLE_CT_SLICES - 1 - 20);
  g_assert_true (lacuna_image_view_get_instance (view, NULL) == instance);
  g_assert_nonnull (lacuna_image_view_get_surface (view));
  g_assert_cmpstr (lacuna_image_view_get_attribute (view, "SliceLocation"), ==, location);

  /* An error: NULL, and a GError. */
  {
    g_autoptr(LacunaInstance) fake = NULL;
    g_autoptr(LacunaFrame) none = NULL;
    g_autofree char *dir = g_dir_make_tmp ("lacuna-test-XXXXXX", NULL);
    g_autofree char *path = g_build_filename (dir, "gone.dcm", NULL);
    g_autoptr(GFile) copy = g_file_new_for_path (path);
    g_autoptr(GFile) source = g_file_new_for_path (lacuna_instance_get_source (instance));
    g_autoptr(LacunaDicomFile) file = NULL;

    g_assert_true (g_file_copy (source, copy, G_FILE_COPY_NONE, NULL, NULL, NULL, &error));
    g_assert_no_error (error);
    file = lacuna_dicom_file_open (path, LACUNA_DICOM_OPEN_HEADER_ONLY, &error);
    g_assert_no_error (error);
    fake = lacuna_instance_new_from_file (file, path, NULL);
    g_clear_pointer (&file, lacuna_dicom_file_free);
    g_assert_true (g_file_delete (copy, NULL, &error));
    g_assert_no_error (error);
    none = lacuna_image_view_decode_frame (fake, 0, NULL, &error);
    g_assert_null (none);
    g_assert_nonnull (error);
    g_clear_error (&error);
    g_rmdir (dir);
  }

  destroy_window (window);
}

/* Opening a folder: the first image comes up while the folder is indexed, its series fills
 * in, and when all is sorted the same slice is still on screen: one frame shown, never
 * replaced, never decoded twice. */
static void
test_open_keeps_first_image (void)
{
  LacunaWindow *window = lacuna_gui_test_new_window (900, 650);
  LacunaImageView *view = lacuna_window_get_image_view (window);
  g_autofree char *sample = lacuna_gui_test_dup_sample_path ();
  const char *dir = g_getenv ("LACUNA_LARGE_SERIES");
  const char *paths[2] = { NULL, NULL };
  guint frames = 0, models = 0;
  LacunaFrame *first;
  LacunaSeries *series;

  if (dir == NULL)
    dir = "/tmp/wl/large";
  paths[0] = g_file_test (dir, G_FILE_TEST_IS_DIR) ? dir : sample;
  g_test_message ("Opening %s", paths[0] == dir ? "the large series" : "the sample study");

  g_signal_connect (view, "notify::frame", G_CALLBACK (notify_count_cb), &frames);
  g_signal_connect (view, "notify::model", G_CALLBACK (notify_count_cb), &models);
  lacuna_window_open_paths (window, paths);
  lacuna_gui_test_wait_image (view);
  lacuna_gui_test_wait_loaded (window);
  lacuna_gui_test_wait_image (view);
  first = lacuna_image_view_get_frame (view);
  g_assert_nonnull (first);
  g_assert_null (lacuna_image_view_get_error (view));
  g_test_message ("%u models while loading", models);

  /* The model is now the complete, sorted series. */
  series = lacuna_window_get_selected_series (window);
  g_assert_nonnull (series);
  g_assert_true (lacuna_image_view_get_model (view) == G_LIST_MODEL (series));
  g_assert_cmpuint (lacuna_image_view_get_n_positions (view), ==,
                    lacuna_series_get_n_frames (series));
  g_assert_cmpuint (frames, ==, 1);
  {
    guint frame_index;
    LacunaInstance *shown = lacuna_image_view_get_instance (view, &frame_index);

    g_assert_true (lacuna_series_get_instance (series, lacuna_image_view_get_position (view))
                   == shown);
    g_assert_cmpuint (frame_index, ==, 0);
  }

  g_signal_handlers_disconnect_by_data (view, &frames);
  g_signal_handlers_disconnect_by_data (view, &models);
  destroy_window (window);
}

/* The view windows straight into 32-bit pixels (lacuna_frame_render_xrgb32): the same
 * bytes as lacuna_frame_render_rgb, for every decodable file of the shared variety set
 * (grey and colour, 8 and 16 bits, signed, every transfer syntax) and the sample CT. */
static void
assert_xrgb32_matches_rgb (LacunaFrame *frame,
                           double       center,
                           double       width)
{
  guint w = lacuna_frame_get_width (frame), h = lacuna_frame_get_height (frame);
  g_autofree guint8 *rgb = g_malloc ((gsize) w * h * 3);
  g_autofree guint32 *xrgb = g_malloc ((gsize) w * h * 4 + 4);

  lacuna_frame_render_rgb (frame, center, width, FALSE, rgb, (gsize) w * 3);
  lacuna_frame_render_xrgb32 (frame, center, width, FALSE, (guint8 *) xrgb, (gsize) w * 4);
  for (gsize i = 0; i < (gsize) w * h; i++)
    {
      guint32 expected = 0xff000000u | ((guint32) rgb[i * 3] << 16)
                         | ((guint32) rgb[i * 3 + 1] << 8) | rgb[i * 3 + 2];

      if (xrgb[i] != expected)
        g_error ("Pixel %" G_GSIZE_FORMAT ": 0x%08x, expected 0x%08x", i, xrgb[i], expected);
    }
}

static void
test_xrgb32 (void)
{
  const char *testdata = g_getenv ("LACUNA_TESTDATA");
  g_autofree char *dir = NULL;
  g_autoptr(GDir) d = NULL;
  LacunaWindow *window;
  const char *name;
  guint n_checked = 0;

  window = open_sample_ct (800, 600, 30);
  assert_xrgb32_matches_rgb (lacuna_image_view_get_frame (lacuna_window_get_image_view (window)),
                             40, 400);
  destroy_window (window);

  if (testdata == NULL)
    {
      g_test_skip ("No shared test data (LACUNA_TESTDATA)");
      return;
    }
  dir = g_build_filename (testdata, "variety", "transfer-syntaxes", NULL);
  d = g_dir_open (dir, 0, NULL);
  if (d == NULL)
    {
      g_test_skip ("No variety/transfer-syntaxes in the shared test data");
      return;
    }
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autoptr(LacunaDicomFile) file = lacuna_dicom_file_open (path, LACUNA_DICOM_OPEN_DEFAULT,
                                                                NULL);
      g_autoptr(LacunaFrame) frame = NULL;
      double center, width;
      gboolean uses_lut;

      if (file == NULL || (frame = lacuna_frame_decode (file, 0, NULL)) == NULL)
        continue;
      lacuna_frame_get_default_window (frame, &center, &width, &uses_lut);
      assert_xrgb32_matches_rgb (frame, center, width);
      assert_xrgb32_matches_rgb (frame, center + 17, MAX (width / 3, 1));
      n_checked++;
    }
  g_test_message ("%u files checked", n_checked);
  g_assert_cmpuint (n_checked, >=, 10);
}

static char *
family_name (LacunaInstance *instance)
{
  g_auto(GStrv) parts = g_strsplit (lacuna_instance_get_patient_name (instance), "^", 2);

  return g_strdup (parts[0]);
}

static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = g_build_filename (g_test_get_dir (G_TEST_BUILT), name, NULL);

  lacuna_gui_test_wait_frame (widget);
  texture = lacuna_gui_test_render (widget);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Wrote %s", path);
}

static void
test_annotations (void)
{
  LacunaWindow *window = open_sample_ct (1024, 700, LACUNA_SAMPLE_CT_SLICES / 4);
  LacunaImageView *view = lacuna_window_get_image_view (window);
  LacunaViewState *state = lacuna_image_view_get_state (view);
  LacunaAnnotations *annotations;
  g_autofree char *family = family_name (lacuna_image_view_get_instance (view, NULL));
  g_autofree char *image = NULL;

  annotations = LACUNA_ANNOTATIONS (lacuna_gui_test_find_widget (GTK_WIDGET (window),
                                                                 LACUNA_TYPE_ANNOTATIONS));
  g_assert_nonnull (annotations);
  g_assert_true (lacuna_annotations_get_view (annotations) == view);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (annotations)));

  g_assert_nonnull (strstr (lacuna_annotations_get_text (annotations, 0), family));
  g_assert_nonnull (strstr (lacuna_annotations_get_text (annotations, 0),
                            lacuna_instance_get_patient_id (lacuna_image_view_get_instance (view, NULL))));
  image = g_strdup_printf ("%u / %u", LACUNA_SAMPLE_CT_SLICES / 4 + 1, LACUNA_SAMPLE_CT_SLICES);
  g_assert_nonnull (strstr (lacuna_annotations_get_text (annotations, 2), image));
  g_assert_nonnull (strstr (lacuna_annotations_get_text (annotations, 2), "W 400 L 40"));

  /* They follow the window. */
  gtk_widget_activate_action (GTK_WIDGET (view), "view.window-preset", "s", "ct-lung");
  g_assert_nonnull (strstr (lacuna_annotations_get_text (annotations, 2), "W 1500 L -600"));

  save_screenshot (GTK_WIDGET (window), "lacuna-view.png");

  /* Zoomed in on the middle, dark style. */
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  lacuna_image_view_zoom_at (view, 6.0,
                             gtk_widget_get_width (GTK_WIDGET (view)) / 2.0,
                             gtk_widget_get_height (GTK_WIDGET (view)) / 2.0);
  save_screenshot (GTK_WIDGET (window), "lacuna-view-dark.png");

  /* Hidden with the action, as for screenshots. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "view.show-annotations", NULL));
  g_assert_false (lacuna_view_state_get_show_annotations (state));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (annotations)));
  gtk_widget_activate_action (GTK_WIDGET (view), "view.zoom-best-fit", NULL);
  save_screenshot (GTK_WIDGET (window), "lacuna-view-dark-no-annotations.png");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);

  /* Narrow. */
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 560);
  lacuna_gui_test_wait_frame (GTK_WIDGET (window));
  save_screenshot (GTK_WIDGET (window), "lacuna-view-narrow.png");

  destroy_window (window);
}

int
main (int   argc,
      char *argv[])
{
  if (!lacuna_gui_test_init (&argc, &argv))
    return 77;

  g_test_add_func ("/gui/image-view/state", test_view_state);
  g_test_add_func ("/gui/image-view/window-drag", test_window_drag);
  g_test_add_func ("/gui/image-view/window-presets", test_window_presets);
  g_test_add_func ("/gui/image-view/zoom", test_zoom);
  g_test_add_func ("/gui/image-view/one-to-one", test_one_to_one);
  g_test_add_func ("/gui/image-view/not-blurred", test_not_blurred);
  g_test_add_func ("/gui/image-view/slice-scale", test_slice_scale);
  g_test_add_func ("/gui/image-view/cine", test_cine);
  g_test_add_func ("/gui/image-view/decode-ahead", test_decode_ahead);
  g_test_add_func ("/gui/image-view/cache-bounded", test_cache_bounded);
  g_test_add_func ("/gui/image-view/cache-bounded-large", test_cache_bounded_large);
  g_test_add_func ("/gui/image-view/annotations", test_annotations);
  g_test_add_func ("/gui/image-view/replace-model", test_replace_model);
  g_test_add_func ("/gui/image-view/xrgb32", test_xrgb32);
  g_test_add_func ("/gui/image-view/model-with-frame", test_model_with_frame);
  g_test_add_func ("/gui/image-view/open-keeps-first-image", test_open_keeps_first_image);

  return g_test_run ();
}
