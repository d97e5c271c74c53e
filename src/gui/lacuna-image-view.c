/* lacuna-image-view.c: the model, windowing on the CPU, and drawing.
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GTK 4.8 has no grey texture formats and no public nearest-neighbour texture filter
 * (STACK-NOTES §7), and GtkPicture blurs magnified images. So the window is applied on the
 * CPU into an 8-bit RGB image (a cairo RGB24 surface, rendered again only when the frame or
 * the window changes), and the visible part is drawn through cairo with CAIRO_FILTER_NEAREST
 * when magnified: radiologists must see the real pixels.
 */

#define G_LOG_DOMAIN "lacuna-image-view"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "lacuna-image-view-private.h"

G_DEFINE_FINAL_TYPE (LacunaImageView, lacuna_image_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MODEL,
  PROP_POSITION,
  PROP_N_POSITIONS,
  PROP_BUSY,
  PROP_STATE,
  PROP_FRAME,
  PROP_IMAGE_WIDTH,
  PROP_IMAGE_HEIGHT,
  N_PROPS
};

enum {
  FRAME_SHOWN,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

void
_lacuna_image_view_set_busy (LacunaImageView *self,
                             gboolean         busy)
{
  if (self->busy == !!busy)
    return;

  self->busy = !!busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
update_accessible (LacunaImageView *self)
{
  g_autofree char *label = NULL;
  guint n = lacuna_image_view_get_n_positions (self);

  if (n == 0)
    label = g_strdup (_("Image"));
  else
    /* Translators: the accessible name of the image area */
    label = g_strdup_printf (_("Image, slice %u of %u"),
                             lacuna_view_state_get_position (self->state) + 1, n);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
}

/* ------------------------------------------------------------------------------------- */
/* Windowing                                                                             */

static gboolean
parse_file_preset (const char *preset,
                   guint      *out_index)
{
  guint64 index;
  const char *digits;

  if (!g_str_has_prefix (preset, LACUNA_WINDOW_PRESET_FILE_PREFIX))
    return FALSE;
  digits = preset + strlen (LACUNA_WINDOW_PRESET_FILE_PREFIX);
  if (!g_ascii_string_to_unsigned (digits, 10, 0, G_MAXUINT, &index, NULL))
    return FALSE;
  *out_index = (guint) index;
  return TRUE;
}

/* The window for frame under preset: the frame's own (TRUE), or the state's center and
 * width for CT presets and "custom" (FALSE). Reads only the frame: the decoding threads use
 * it to window a frame ahead of time. */
gboolean
_lacuna_image_view_window_for_frame (LacunaFrame *frame,
                                     const char  *preset,
                                     double       state_center,
                                     double       state_width,
                                     double      *out_center,
                                     double      *out_width,
                                     gboolean    *out_uses_lut)
{
  double center = 0, width = 1;
  gboolean uses_lut = FALSE;
  gboolean per_frame = TRUE;
  guint index;

  if (g_strcmp0 (preset, LACUNA_WINDOW_PRESET_FULL_RANGE) == 0)
    {
      double lo = 0, hi = 0;

      lacuna_frame_get_value_range (frame, &lo, &hi);
      width = MAX (hi - lo + 1, 1);
      center = (lo + hi + 1) / 2.0;
    }
  else if (preset != NULL && parse_file_preset (preset, &index)
           && lacuna_frame_get_window (frame, index, &center, &width, NULL))
    ;
  else if (g_strcmp0 (preset, LACUNA_WINDOW_PRESET_DEFAULT) == 0
           || (preset != NULL && g_str_has_prefix (preset, LACUNA_WINDOW_PRESET_FILE_PREFIX)))
    lacuna_frame_get_default_window (frame, &center, &width, &uses_lut);
  else
    {
      per_frame = FALSE;   /* CT presets and "custom": the state's values */
      center = state_center;
      width = state_width;
    }

  *out_center = center;
  *out_width = width;
  *out_uses_lut = uses_lut;
  return per_frame;
}

/* The window for the shown frame under the state's preset; writes frame-dependent values
 * back into the state (without changing the preset). */
static void
resolve_window (LacunaImageView *self,
                double          *out_center,
                double          *out_width,
                gboolean        *out_uses_lut)
{
  double center, width;

  if (_lacuna_image_view_window_for_frame (self->frame,
                                           lacuna_view_state_get_window_preset (self->state),
                                           lacuna_view_state_get_window_center (self->state),
                                           lacuna_view_state_get_window_width (self->state),
                                           &center, &width, out_uses_lut))
    lacuna_view_state_set_window (self->state, center, width);

  *out_center = lacuna_view_state_get_window_center (self->state);
  *out_width = lacuna_view_state_get_window_width (self->state);
}

/* The surfaces of the last images shown are kept for reuse, which spares allocating (and
 * faulting in) 1 MB per slice. The oldest one free is taken: one still drawn by a render
 * node (which holds a reference, see set_source_image) is not; the renderer and the widgets
 * keep the nodes of a frame or two. */
static void
retire_surface (LacunaImageView *self)
{
  guint n = G_N_ELEMENTS (self->spares);

  if (self->surface == NULL)
    return;
  g_clear_pointer (&self->spares[n - 1], cairo_surface_destroy);
  memmove (&self->spares[1], &self->spares[0], (n - 1) * sizeof self->spares[0]);
  self->spares[0] = g_steal_pointer (&self->surface);
}

static cairo_surface_t *
take_surface (LacunaImageView *self,
              guint            w,
              guint            h)
{
  cairo_surface_t *surface;

  for (guint i = G_N_ELEMENTS (self->spares); i-- > 0;)
    {
      cairo_surface_t *spare = self->spares[i];

      if (spare != NULL && cairo_surface_get_reference_count (spare) == 1
          && cairo_image_surface_get_width (spare) == (int) w
          && cairo_image_surface_get_height (spare) == (int) h)
        {
          self->spares[i] = NULL;
          return spare;
        }
    }

  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    {
      cairo_surface_destroy (surface);
      return NULL;
    }
  return surface;
}

static void
clear_spares (LacunaImageView *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->spares); i++)
    g_clear_pointer (&self->spares[i], cairo_surface_destroy);
}

/* Windows the frame straight into the surface's 32-bit pixels, in one pass. */
static cairo_surface_t *
render_surface (LacunaImageView *self,
                LacunaFrame     *frame,
                double           center,
                double           width,
                gboolean         uses_lut)
{
  guint w = lacuna_frame_get_width (frame);
  guint h = lacuna_frame_get_height (frame);
  cairo_surface_t *surface;

  surface = take_surface (self, w, h);
  if (surface == NULL)
    return NULL;

  cairo_surface_flush (surface);
  lacuna_frame_render_xrgb32 (frame, center, width, uses_lut,
                              cairo_image_surface_get_data (surface),
                              cairo_image_surface_get_stride (surface));
  cairo_surface_mark_dirty (surface);
  return surface;
}

/* Renders the shown frame again when its window changed. */
static void
update_rendering (LacunaImageView *self,
                  gboolean         force)
{
  double center, width;
  gboolean uses_lut;
  cairo_surface_t *surface;

  if (self->frame == NULL)
    return;

  self->resolving = TRUE;
  resolve_window (self, &center, &width, &uses_lut);
  self->resolving = FALSE;
  if (!force && self->surface != NULL && !lacuna_frame_is_color (self->frame)
      && center == self->surface_center && width == self->surface_width
      && uses_lut == self->surface_uses_lut)
    return;
  if (!force && self->surface != NULL && lacuna_frame_is_color (self->frame))
    return;

  retire_surface (self);
  /* Windowed by a decoding thread already, with the same window: nothing to do here. */
  if (self->ready_surface != NULL && self->ready_frame == self->frame
      && self->ready_center == center && self->ready_width == width
      && self->ready_uses_lut == uses_lut)
    surface = g_steal_pointer (&self->ready_surface);
  else
    surface = render_surface (self, self->frame, center, width, uses_lut);
  g_clear_pointer (&self->ready_surface, cairo_surface_destroy);
  self->surface = surface;
  self->surface_center = center;
  self->surface_width = width;
  self->surface_uses_lut = uses_lut;
  if (surface == NULL)
    {
      g_clear_error (&self->error);
      g_set_error_literal (&self->error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                           _("Not enough memory to show the image"));
    }

  self->shown_serial++;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
update_frame_rate (LacunaImageView *self)
{
  const char *value;
  double rate = 0;

  if (self->attributes == NULL)
    return;

  /* Frame Time is in ms; Cine Rate and Recommended Display Frame Rate in frames/s. */
  if ((value = g_hash_table_lookup (self->attributes, "RecommendedDisplayFrameRate")) != NULL
      || (value = g_hash_table_lookup (self->attributes, "CineRate")) != NULL)
    rate = g_ascii_strtod (value, NULL);
  else if ((value = g_hash_table_lookup (self->attributes, "FrameTime")) != NULL)
    {
      double ms = g_ascii_strtod (value, NULL);

      rate = ms > 0 ? 1000.0 / ms : 0;
    }

  if (isfinite (rate) && rate > 0)
    lacuna_view_state_set_frame_rate (self->state, rate);
}

void
_lacuna_image_view_show_frame (LacunaImageView *self,
                               guint            position,
                               LacunaFrame     *frame,
                               GHashTable      *attributes,
                               const GError    *error)
{
  guint old_w = 0, old_h = 0, w = 0, h = 0;
  gboolean frame_changed = frame != self->frame;

  /* The same image at another position (the series was reordered or filled in): nothing
   * to draw again. */
  if (!frame_changed && frame != NULL && attributes == self->attributes && error == NULL
      && self->error == NULL && self->shown_position != G_MAXUINT && position != G_MAXUINT)
    {
      self->shown_position = position;
      _lacuna_image_view_update_actions (self);
      return;
    }

  lacuna_image_view_get_image_size (self, &old_w, &old_h);

  if (frame_changed)
    {
      g_set_object (&self->frame, frame);
      retire_surface (self);
    }
  if (attributes != self->attributes)
    {
      g_clear_pointer (&self->attributes, g_hash_table_unref);
      self->attributes = attributes ? g_hash_table_ref (attributes) : NULL;
    }
  g_clear_error (&self->error);
  if (error != NULL)
    self->error = g_error_copy (error);
  self->shown_position = position;

  update_frame_rate (self);
  if (self->frame != NULL)
    update_rendering (self, frame_changed);

  lacuna_image_view_get_image_size (self, &w, &h);
  if (w != old_w || h != old_h)
    {
      _lacuna_image_view_update_fit (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IMAGE_WIDTH]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IMAGE_HEIGHT]);
    }

  self->shown_serial++;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  _lacuna_image_view_update_actions (self);
  if (frame_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRAME]);
}

/* ------------------------------------------------------------------------------------- */
/* State                                                                                 */

static void
state_position_cb (LacunaImageView *self)
{
  guint position = lacuna_view_state_get_position (self->state);
  guint shown = self->shown_position;

  if (shown != G_MAXUINT && position != shown)
    self->direction = position > shown ? 1 : -1;

  _lacuna_image_view_cache_request (self);
  _lacuna_image_view_update_actions (self);
  update_accessible (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION]);
}

static void
state_window_cb (LacunaImageView *self)
{
  if (self->resolving)
    return;
  _lacuna_image_view_cache_drop_stale_windowed (self);
  update_rendering (self, FALSE);
}

static void
state_fit_mode_cb (LacunaImageView *self)
{
  if (lacuna_view_state_get_fit_mode (self->state) == LACUNA_FIT_MODE_BEST)
    _lacuna_image_view_update_fit (self);
}

static void
state_redraw_cb (LacunaImageView *self)
{
  _lacuna_image_view_update_actions (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ------------------------------------------------------------------------------------- */
/* Drawing                                                                               */

static void
draw_message (LacunaImageView *self,
              GtkSnapshot     *snapshot,
              int              width,
              int              height,
              const char      *message)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), message);
  GdkRGBA grey = { 0.75, 0.75, 0.75, 1.0 };
  int lw, lh;

  pango_layout_set_width (layout, MAX (1, width - 48) * PANGO_SCALE);
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_get_pixel_size (layout, &lw, &lh);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((width - lw) / 2.0, (height - lh) / 2.0));
  gtk_snapshot_append_layout (snapshot, layout, &grey);
  gtk_snapshot_restore (snapshot);
}

/* Black around the image, not under it: the image is opaque, and filling its area too
 * costs a pass over every pixel of it in each frame. Its edges (2 px, where a shrunk image's
 * filter blends with what is below) stay on black. */
static void
append_black_around (GtkSnapshot           *snapshot,
                     int                    width,
                     int                    height,
                     const graphene_rect_t *image)
{
  GdkRGBA black = { 0, 0, 0, 1 };
  float x0 = ceilf (image->origin.x) + 2;
  float y0 = ceilf (image->origin.y) + 2;
  float x1 = floorf (image->origin.x + image->size.width) - 2;
  float y1 = floorf (image->origin.y + image->size.height) - 2;

  if (x1 <= x0 || y1 <= y0)
    {
      gtk_snapshot_append_color (snapshot, &black, &GRAPHENE_RECT_INIT (0, 0, width, height));
      return;
    }
  if (y0 > 0)
    gtk_snapshot_append_color (snapshot, &black, &GRAPHENE_RECT_INIT (0, 0, width, y0));
  if (y1 < height)
    gtk_snapshot_append_color (snapshot, &black, &GRAPHENE_RECT_INIT (0, y1, width, height - y1));
  if (x0 > 0)
    gtk_snapshot_append_color (snapshot, &black, &GRAPHENE_RECT_INIT (0, y0, x0, y1 - y0));
  if (x1 < width)
    gtk_snapshot_append_color (snapshot, &black, &GRAPHENE_RECT_INIT (x1, y0, width - x1, y1 - y0));
}

/* The image as a raster-source pattern rather than a surface pattern. A cairo node records
 * a surface pattern's surface as a copy-on-write snapshot that stays attached to the surface
 * even after the node is gone, so that reusing (or destroying) the surface later copies all
 * of it first: 0.3 ms per slice for 512 × 512. A raster source instead holds a reference on
 * the surface as long as the node lives, and nothing is copied. */
static cairo_surface_t *
raster_acquire (cairo_pattern_t             *pattern,
                void                        *callback_data,
                cairo_surface_t             *target,
                const cairo_rectangle_int_t *extents)
{
  return cairo_surface_reference (callback_data);
}

static void
raster_release (cairo_pattern_t *pattern,
                void            *callback_data,
                cairo_surface_t *surface)
{
  cairo_surface_destroy (surface);
}

static cairo_status_t
raster_copy (cairo_pattern_t       *pattern,
             void                  *callback_data,
             const cairo_pattern_t *other)
{
  cairo_surface_reference (callback_data);   /* the copy's, dropped by its finish */
  return CAIRO_STATUS_SUCCESS;
}

static void
raster_finish (cairo_pattern_t *pattern,
               void            *callback_data)
{
  cairo_surface_destroy (callback_data);
}

static void
set_source_image (cairo_t         *cr,
                  cairo_surface_t *surface)
{
  cairo_pattern_t *pattern;

  pattern = cairo_pattern_create_raster_source (cairo_surface_reference (surface),
                                                CAIRO_CONTENT_COLOR,
                                                cairo_image_surface_get_width (surface),
                                                cairo_image_surface_get_height (surface));
  cairo_raster_source_pattern_set_acquire (pattern, raster_acquire, raster_release);
  cairo_raster_source_pattern_set_copy (pattern, raster_copy);
  cairo_raster_source_pattern_set_finish (pattern, raster_finish);
  cairo_set_source (cr, pattern);
  cairo_pattern_destroy (pattern);
}

static void
lacuna_image_view_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  LacunaImageView *self = LACUNA_IMAGE_VIEW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GdkRGBA black = { 0, 0, 0, 1 };
  graphene_rect_t image_rect, visible;
  double x, y, scale;
  int iw, ih;
  cairo_t *cr;

  if (width <= 0 || height <= 0)
    return;

  self->painted_serial = self->shown_serial;

  if (self->error != NULL)
    {
      gtk_snapshot_append_color (snapshot, &black, &GRAPHENE_RECT_INIT (0, 0, width, height));
      g_autofree char *message = g_strdup_printf ("%s\n%s", _("This image cannot be shown"),
                                                  self->error->message);
      draw_message (self, snapshot, width, height, message);
      return;
    }

  if (self->model != NULL && (self->slices == NULL || self->slices->len == 0))
    {
      gtk_snapshot_append_color (snapshot, &black, &GRAPHENE_RECT_INIT (0, 0, width, height));
      draw_message (self, snapshot, width, height, _("This series has no images"));
      return;
    }

  if (self->surface == NULL || !_lacuna_image_view_get_placement (self, &x, &y, &scale))
    {
      gtk_snapshot_append_color (snapshot, &black, &GRAPHENE_RECT_INIT (0, 0, width, height));
      return;
    }

  iw = cairo_image_surface_get_width (self->surface);
  ih = cairo_image_surface_get_height (self->surface);

  /* Only the visible part: a cairo node is rasterised at its full size, and a zoomed-in
   * image can be many times larger than the view. */
  graphene_rect_init (&image_rect, x, y, iw * scale, ih * scale);
  if (!graphene_rect_intersection (&image_rect, &GRAPHENE_RECT_INIT (0, 0, width, height),
                                   &visible))
    {
      gtk_snapshot_append_color (snapshot, &black, &GRAPHENE_RECT_INIT (0, 0, width, height));
      return;
    }
  graphene_rect_round_extents (&visible, &visible);
  append_black_around (snapshot, width, height, &visible);

  cr = gtk_snapshot_append_cairo (snapshot, &visible);
  cairo_rectangle (cr, visible.origin.x, visible.origin.y, visible.size.width, visible.size.height);
  cairo_clip (cr);
  cairo_translate (cr, x, y);
  cairo_scale (cr, scale, scale);
  set_source_image (cr, self->surface);
  /* Magnified pixels stay square blocks; a shrunk image is filtered so that it does not
   * alias. The zoom is in device pixels (HiDPI included). */
  cairo_pattern_set_filter (cairo_get_source (cr),
                            lacuna_view_state_get_zoom (self->state) >= 1.0 - 1e-9
                            ? CAIRO_FILTER_NEAREST : CAIRO_FILTER_GOOD);
  cairo_rectangle (cr, 0, 0, iw, ih);
  cairo_fill (cr);
  cairo_destroy (cr);
}

static void
after_paint_cb (LacunaImageView *self)
{
  if (self->painted_serial == self->announced_serial || self->shown_position == G_MAXUINT)
    return;
  if (self->surface == NULL && self->error == NULL)
    return;

  self->announced_serial = self->painted_serial;
  g_signal_emit (self, signals[FRAME_SHOWN], 0, self->shown_position);
}

static void
lacuna_image_view_realize (GtkWidget *widget)
{
  LacunaImageView *self = LACUNA_IMAGE_VIEW (widget);

  GTK_WIDGET_CLASS (lacuna_image_view_parent_class)->realize (widget);

  self->frame_clock = g_object_ref (gtk_widget_get_frame_clock (widget));
  self->after_paint_id = g_signal_connect_swapped (self->frame_clock, "after-paint",
                                                   G_CALLBACK (after_paint_cb), self);
}

static void
lacuna_image_view_unrealize (GtkWidget *widget)
{
  LacunaImageView *self = LACUNA_IMAGE_VIEW (widget);

  if (self->frame_clock != NULL)
    g_clear_signal_handler (&self->after_paint_id, self->frame_clock);
  g_clear_object (&self->frame_clock);

  GTK_WIDGET_CLASS (lacuna_image_view_parent_class)->unrealize (widget);
}

static void
lacuna_image_view_size_allocate (GtkWidget *widget,
                                 int        width,
                                 int        height,
                                 int        baseline)
{
  _lacuna_image_view_update_fit (LACUNA_IMAGE_VIEW (widget));
}

static void
lacuna_image_view_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  /* The natural size decides when the window's sidebar folds away. */
  *minimum = 64;
  *natural = 400;
}

/* ------------------------------------------------------------------------------------- */

static void
lacuna_image_view_dispose (GObject *object)
{
  LacunaImageView *self = (LacunaImageView *) object;

  _lacuna_image_view_input_dispose (self);
  _lacuna_image_view_cache_stop (self);
  g_clear_pointer (&self->surface, cairo_surface_destroy);
  clear_spares (self);
  g_clear_pointer (&self->ready_surface, cairo_surface_destroy);
  g_clear_pointer (&self->attributes, g_hash_table_unref);
  g_clear_object (&self->frame);
  g_clear_pointer (&self->slices, g_array_unref);
  g_clear_pointer (&self->first_positions, g_hash_table_unref);
  g_clear_object (&self->model);
  if (self->state != NULL)
    g_signal_handlers_disconnect_by_data (self->state, self);
  g_clear_object (&self->state);
  g_clear_object (&self->actions);

  G_OBJECT_CLASS (lacuna_image_view_parent_class)->dispose (object);
}

static void
lacuna_image_view_finalize (GObject *object)
{
  LacunaImageView *self = (LacunaImageView *) object;

  g_clear_error (&self->error);
  g_clear_pointer (&self->shared, _lacuna_image_view_shared_release);

  G_OBJECT_CLASS (lacuna_image_view_parent_class)->finalize (object);
}

static void
lacuna_image_view_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  LacunaImageView *self = LACUNA_IMAGE_VIEW (object);
  guint w = 0, h = 0;

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, self->model);
      break;

    case PROP_POSITION:
      g_value_set_uint (value, lacuna_image_view_get_position (self));
      break;

    case PROP_N_POSITIONS:
      g_value_set_uint (value, lacuna_image_view_get_n_positions (self));
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    case PROP_STATE:
      g_value_set_object (value, self->state);
      break;

    case PROP_FRAME:
      g_value_set_object (value, self->frame);
      break;

    case PROP_IMAGE_WIDTH:
      lacuna_image_view_get_image_size (self, &w, &h);
      g_value_set_uint (value, w);
      break;

    case PROP_IMAGE_HEIGHT:
      lacuna_image_view_get_image_size (self, &w, &h);
      g_value_set_uint (value, h);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lacuna_image_view_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  LacunaImageView *self = LACUNA_IMAGE_VIEW (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      lacuna_image_view_set_model (self, g_value_get_object (value));
      break;

    case PROP_POSITION:
      lacuna_image_view_set_position (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lacuna_image_view_class_init (LacunaImageViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lacuna_image_view_dispose;
  object_class->finalize = lacuna_image_view_finalize;
  object_class->get_property = lacuna_image_view_get_property;
  object_class->set_property = lacuna_image_view_set_property;

  widget_class->snapshot = lacuna_image_view_snapshot;
  widget_class->measure = lacuna_image_view_measure;
  widget_class->size_allocate = lacuna_image_view_size_allocate;
  widget_class->realize = lacuna_image_view_realize;
  widget_class->unrealize = lacuna_image_view_unrealize;

  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL,
                         G_TYPE_LIST_MODEL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_POSITION] =
    g_param_spec_uint ("position", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_N_POSITIONS] =
    g_param_spec_uint ("n-positions", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_STATE] =
    g_param_spec_object ("state", NULL, NULL,
                         LACUNA_TYPE_VIEW_STATE,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_FRAME] =
    g_param_spec_object ("frame", NULL, NULL,
                         LACUNA_TYPE_FRAME,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_IMAGE_WIDTH] =
    g_param_spec_uint ("image-width", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_IMAGE_HEIGHT] =
    g_param_spec_uint ("image-height", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[FRAME_SHOWN] =
    g_signal_new ("frame-shown",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_UINT);

  _lacuna_image_view_input_class_init (widget_class);

  gtk_widget_class_set_css_name (widget_class, "lacuna-image-view");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
lacuna_image_view_init (LacunaImageView *self)
{
  self->shown_position = G_MAXUINT;
  self->shared = _lacuna_image_view_shared_new (self);
  self->state = lacuna_view_state_new ();
  _lacuna_image_view_cache_init (self);

  g_signal_connect_swapped (self->state, "notify::position",
                            G_CALLBACK (state_position_cb), self);
  g_signal_connect_swapped (self->state, "notify::window-center",
                            G_CALLBACK (state_window_cb), self);
  g_signal_connect_swapped (self->state, "notify::window-width",
                            G_CALLBACK (state_window_cb), self);
  g_signal_connect_swapped (self->state, "notify::window-preset",
                            G_CALLBACK (state_window_cb), self);
  g_signal_connect_swapped (self->state, "notify::fit-mode",
                            G_CALLBACK (state_fit_mode_cb), self);
  g_signal_connect_swapped (self->state, "notify::zoom",
                            G_CALLBACK (state_redraw_cb), self);
  g_signal_connect_swapped (self->state, "notify::center-x",
                            G_CALLBACK (state_redraw_cb), self);
  g_signal_connect_swapped (self->state, "notify::center-y",
                            G_CALLBACK (state_redraw_cb), self);
  g_signal_connect_swapped (self, "notify::scale-factor",
                            G_CALLBACK (_lacuna_image_view_update_fit), self);

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);

  _lacuna_image_view_input_init (self);
  _lacuna_image_view_update_actions (self);
  update_accessible (self);
}

GtkWidget *
lacuna_image_view_new (void)
{
  return g_object_new (LACUNA_TYPE_IMAGE_VIEW, NULL);
}

GListModel *
lacuna_image_view_get_model (LacunaImageView *self)
{
  g_return_val_if_fail (LACUNA_IS_IMAGE_VIEW (self), NULL);

  return self->model;
}

static GArray *
build_slices (GListModel  *model,
              GHashTable **out_first_positions)
{
  GArray *slices = g_array_new (FALSE, FALSE, sizeof (Slice));
  GHashTable *first_positions = g_hash_table_new (NULL, NULL);
  guint n = model ? g_list_model_get_n_items (model) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LacunaInstance) instance = g_list_model_get_item (model, i);
      guint n_frames;

      if (!lacuna_instance_has_pixels (instance)
          || g_hash_table_contains (first_positions, instance))
        continue;

      g_hash_table_insert (first_positions, instance, GUINT_TO_POINTER (slices->len + 1));
      n_frames = MAX (1, lacuna_instance_get_n_frames (instance));
      for (guint f = 0; f < n_frames; f++)
        {
          Slice slice = { instance, f };

          g_array_append_val (slices, slice);
        }
    }

  *out_first_positions = first_positions;
  return slices;
}

/* keep: the slice shown stays shown when model has it (replace_model). first_*: a frame
 * decoded elsewhere, shown at once (set_model_with_frame). */
static void
change_model (LacunaImageView *self,
              GListModel      *model,
              gboolean         keep,
              LacunaInstance  *first_instance,
              guint            first_frame,
              LacunaFrame     *first_decoded,
              GHashTable      *first_attributes)
{
  g_autoptr(GArray) old_slices = NULL;
  g_autoptr(GHashTable) old_first_positions = NULL;
  LacunaInstance *anchor = NULL;
  guint anchor_frame = 0;
  guint old_n;
  guint position = G_MAXUINT;

  old_n = lacuna_image_view_get_n_positions (self);

  /* The slice the user is looking at (or waiting for). */
  if (keep && old_n > 0)
    anchor = lacuna_image_view_get_instance_at (self, lacuna_view_state_get_position (self->state),
                                                &anchor_frame);

  old_slices = g_steal_pointer (&self->slices);
  old_first_positions = g_steal_pointer (&self->first_positions);
  g_set_object (&self->model, model);
  self->slices = build_slices (model, &self->first_positions);

  if (anchor != NULL)
    position = _lacuna_image_view_find_position (self, anchor, anchor_frame);

  if (position != G_MAXUINT)
    {
      /* The same slice at a new position: nothing is reset, nothing flickers. */
      _lacuna_image_view_cache_remap (self, old_slices);
      if (self->shown_position != G_MAXUINT)
        self->shown_position = position;

      g_signal_handlers_block_by_func (self->state, state_position_cb, self);
      g_object_freeze_notify (G_OBJECT (self->state));
      lacuna_view_state_set_n_positions (self->state, self->slices->len);
      lacuna_view_state_set_position (self->state, position);
      g_object_thaw_notify (G_OBJECT (self->state));
      g_signal_handlers_unblock_by_func (self->state, state_position_cb, self);
    }
  else
    {
      _lacuna_image_view_cache_clear (self);
      self->scroll_delta = 0;
      self->shown_position = G_MAXUINT;

      /* The old frame stays up until the new one is decoded only within a series. */
      _lacuna_image_view_show_frame (self, G_MAXUINT, NULL, NULL, NULL);

      if (first_instance != NULL)
        position = _lacuna_image_view_find_position (self, first_instance, first_frame);
      if (position != G_MAXUINT && first_decoded != NULL)
        _lacuna_image_view_cache_insert (self, position, first_decoded, first_attributes, NULL);

      g_signal_handlers_block_by_func (self->state, state_position_cb, self);
      g_object_freeze_notify (G_OBJECT (self->state));
      lacuna_view_state_set_n_positions (self->state, self->slices->len);
      lacuna_view_state_reset (self->state);
      if (position != G_MAXUINT)
        lacuna_view_state_set_position (self->state, position);
      g_object_thaw_notify (G_OBJECT (self->state));
      g_signal_handlers_unblock_by_func (self->state, state_position_cb, self);
    }

  _lacuna_image_view_cache_request (self);
  _lacuna_image_view_update_actions (self);
  update_accessible (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION]);
  if (old_n != self->slices->len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_POSITIONS]);
}

void
lacuna_image_view_set_model (LacunaImageView *self,
                             GListModel      *model)
{
  g_return_if_fail (LACUNA_IS_IMAGE_VIEW (self));
  g_return_if_fail (model == NULL || G_IS_LIST_MODEL (model));

  if (self->model == model)
    return;

  change_model (self, model, FALSE, NULL, 0, NULL, NULL);
}

void
lacuna_image_view_replace_model (LacunaImageView *self,
                                 GListModel      *model)
{
  g_return_if_fail (LACUNA_IS_IMAGE_VIEW (self));
  g_return_if_fail (model == NULL || G_IS_LIST_MODEL (model));

  if (self->model == model)
    return;

  change_model (self, model, TRUE, NULL, 0, NULL, NULL);
}

void
lacuna_image_view_set_model_with_frame (LacunaImageView *self,
                                        GListModel      *model,
                                        LacunaInstance  *instance,
                                        guint            frame,
                                        LacunaFrame     *decoded,
                                        GHashTable      *attributes)
{
  g_return_if_fail (LACUNA_IS_IMAGE_VIEW (self));
  g_return_if_fail (G_IS_LIST_MODEL (model));
  g_return_if_fail (LACUNA_IS_INSTANCE (instance));
  g_return_if_fail (decoded == NULL || LACUNA_IS_FRAME (decoded));

  if (self->model == model)
    return;

  change_model (self, model, FALSE, instance, frame, decoded, attributes);
}

LacunaViewState *
lacuna_image_view_get_state (LacunaImageView *self)
{
  g_return_val_if_fail (LACUNA_IS_IMAGE_VIEW (self), NULL);

  return self->state;
}

GActionGroup *
lacuna_image_view_get_action_group (LacunaImageView *self)
{
  g_return_val_if_fail (LACUNA_IS_IMAGE_VIEW (self), NULL);

  return G_ACTION_GROUP (self->actions);
}

guint
lacuna_image_view_get_position (LacunaImageView *self)
{
  g_return_val_if_fail (LACUNA_IS_IMAGE_VIEW (self), 0);

  return self->state ? lacuna_view_state_get_position (self->state) : 0;
}

void
lacuna_image_view_set_position (LacunaImageView *self,
                                guint            position)
{
  g_return_if_fail (LACUNA_IS_IMAGE_VIEW (self));

  lacuna_view_state_set_position (self->state, position);
}

guint
lacuna_image_view_get_n_positions (LacunaImageView *self)
{
  g_return_val_if_fail (LACUNA_IS_IMAGE_VIEW (self), 0);

  return self->slices ? self->slices->len : 0;
}

LacunaInstance *
lacuna_image_view_get_instance_at (LacunaImageView *self,
                                   guint            position,
                                   guint           *out_frame)
{
  const Slice *slice;

  g_return_val_if_fail (LACUNA_IS_IMAGE_VIEW (self), NULL);

  if (self->slices == NULL || position >= self->slices->len)
    return NULL;

  slice = &g_array_index (self->slices, Slice, position);
  if (out_frame != NULL)
    *out_frame = slice->frame;
  return slice->instance;
}

LacunaInstance *
lacuna_image_view_get_instance (LacunaImageView *self,
                                guint           *out_frame)
{
  g_return_val_if_fail (LACUNA_IS_IMAGE_VIEW (self), NULL);

  return lacuna_image_view_get_instance_at (self, lacuna_image_view_get_position (self),
                                            out_frame);
}

gboolean
lacuna_image_view_get_busy (LacunaImageView *self)
{
  g_return_val_if_fail (LACUNA_IS_IMAGE_VIEW (self), FALSE);

  return self->busy;
}

const GError *
lacuna_image_view_get_error (LacunaImageView *self)
{
  g_return_val_if_fail (LACUNA_IS_IMAGE_VIEW (self), NULL);

  return self->error;
}

cairo_surface_t *
lacuna_image_view_get_surface (LacunaImageView *self)
{
  g_return_val_if_fail (LACUNA_IS_IMAGE_VIEW (self), NULL);

  return self->surface;
}

LacunaFrame *
lacuna_image_view_get_frame (LacunaImageView *self)
{
  g_return_val_if_fail (LACUNA_IS_IMAGE_VIEW (self), NULL);

  return self->frame;
}

gboolean
lacuna_image_view_get_image_size (LacunaImageView *self,
                                  guint           *out_width,
                                  guint           *out_height)
{
  guint w = 0, h = 0;

  g_return_val_if_fail (LACUNA_IS_IMAGE_VIEW (self), FALSE);

  if (self->frame != NULL)
    {
      w = lacuna_frame_get_width (self->frame);
      h = lacuna_frame_get_height (self->frame);
    }
  if (out_width != NULL)
    *out_width = w;
  if (out_height != NULL)
    *out_height = h;
  return w > 0 && h > 0;
}

const char *
lacuna_image_view_get_attribute (LacunaImageView *self,
                                 const char      *keyword)
{
  g_return_val_if_fail (LACUNA_IS_IMAGE_VIEW (self), NULL);
  g_return_val_if_fail (keyword != NULL, NULL);

  return self->attributes ? g_hash_table_lookup (self->attributes, keyword) : NULL;
}
