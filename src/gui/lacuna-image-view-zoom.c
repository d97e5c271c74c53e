/* lacuna-image-view-zoom.c: zoom, pan, best fit, and widget ↔ image coordinates.
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The state holds the zoom in device pixels per image pixel and the image point shown at the
 * centre of the view. The image's top-left corner is placed on a device pixel, so that at 1:1
 * each image pixel covers exactly one screen pixel.
 */

#define G_LOG_DOMAIN "lacuna-image-view"

#include "config.h"

#include <math.h>

#include "lacuna-image-view-private.h"

static double
device_scale (LacunaImageView *self)
{
  return MAX (1, gtk_widget_get_scale_factor (GTK_WIDGET (self)));
}

static void
clamp_center (LacunaImageView *self,
              double          *x,
              double          *y)
{
  guint iw = 0, ih = 0;

  /* Some of the image always stays in view: its point at the centre is on the image. */
  lacuna_image_view_get_image_size (self, &iw, &ih);
  *x = CLAMP (*x, 0, (double) iw);
  *y = CLAMP (*y, 0, (double) ih);
}

void
_lacuna_image_view_update_fit (LacunaImageView *self)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  guint iw, ih;
  double x, y;

  if (self->state == NULL || !lacuna_image_view_get_image_size (self, &iw, &ih))
    return;

  g_object_freeze_notify (G_OBJECT (self->state));
  if (lacuna_view_state_get_fit_mode (self->state) == LACUNA_FIT_MODE_BEST)
    {
      if (width > 0 && height > 0)
        lacuna_view_state_set_zoom (self->state,
                                    MIN ((double) width / iw, (double) height / ih)
                                    * device_scale (self));
      lacuna_view_state_set_center (self->state, iw / 2.0, ih / 2.0);
    }
  else
    {
      lacuna_view_state_get_center (self->state, &x, &y);
      clamp_center (self, &x, &y);
      lacuna_view_state_set_center (self->state, x, y);
    }
  g_object_thaw_notify (G_OBJECT (self->state));

  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
_lacuna_image_view_get_placement (LacunaImageView *self,
                                  double          *out_x,
                                  double          *out_y,
                                  double          *out_scale)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  double sf = device_scale (self);
  double scale, cx, cy, x, y;

  if (self->state == NULL || !lacuna_image_view_get_image_size (self, NULL, NULL))
    return FALSE;

  scale = lacuna_view_state_get_zoom (self->state) / sf;
  lacuna_view_state_get_center (self->state, &cx, &cy);
  x = width / 2.0 - cx * scale;
  y = height / 2.0 - cy * scale;

  *out_x = round (x * sf) / sf;
  *out_y = round (y * sf) / sf;
  *out_scale = scale;
  return TRUE;
}

gboolean
lacuna_image_view_widget_to_image (LacunaImageView *self,
                                   double           widget_x,
                                   double           widget_y,
                                   double          *out_image_x,
                                   double          *out_image_y)
{
  double x, y, scale, ix, iy;
  guint iw, ih;

  g_return_val_if_fail (LACUNA_IS_IMAGE_VIEW (self), FALSE);

  if (!_lacuna_image_view_get_placement (self, &x, &y, &scale))
    {
      if (out_image_x != NULL)
        *out_image_x = 0;
      if (out_image_y != NULL)
        *out_image_y = 0;
      return FALSE;
    }

  lacuna_image_view_get_image_size (self, &iw, &ih);
  ix = (widget_x - x) / scale;
  iy = (widget_y - y) / scale;
  if (out_image_x != NULL)
    *out_image_x = ix;
  if (out_image_y != NULL)
    *out_image_y = iy;
  return ix >= 0 && iy >= 0 && ix < iw && iy < ih;
}

void
lacuna_image_view_image_to_widget (LacunaImageView *self,
                                   double           image_x,
                                   double           image_y,
                                   double          *out_widget_x,
                                   double          *out_widget_y)
{
  double x = 0, y = 0, scale = 1;

  g_return_if_fail (LACUNA_IS_IMAGE_VIEW (self));

  _lacuna_image_view_get_placement (self, &x, &y, &scale);
  if (out_widget_x != NULL)
    *out_widget_x = x + image_x * scale;
  if (out_widget_y != NULL)
    *out_widget_y = y + image_y * scale;
}

double
lacuna_image_view_get_scale (LacunaImageView *self)
{
  g_return_val_if_fail (LACUNA_IS_IMAGE_VIEW (self), 1.0);

  return lacuna_view_state_get_zoom (self->state) / device_scale (self);
}

void
lacuna_image_view_zoom_at (LacunaImageView *self,
                           double           zoom,
                           double           widget_x,
                           double           widget_y)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  double ix, iy, scale, cx, cy;

  g_return_if_fail (LACUNA_IS_IMAGE_VIEW (self));
  g_return_if_fail (isfinite (zoom) && zoom > 0);

  zoom = CLAMP (zoom, LACUNA_VIEW_STATE_MIN_ZOOM, LACUNA_VIEW_STATE_MAX_ZOOM);

  g_object_freeze_notify (G_OBJECT (self->state));
  lacuna_view_state_set_fit_mode (self->state, LACUNA_FIT_MODE_NONE);
  if (lacuna_image_view_get_image_size (self, NULL, NULL))
    {
      /* The unrounded mapping: rounding is for drawing only. */
      scale = lacuna_view_state_get_zoom (self->state) / device_scale (self);
      lacuna_view_state_get_center (self->state, &cx, &cy);
      ix = cx + (widget_x - width / 2.0) / scale;
      iy = cy + (widget_y - height / 2.0) / scale;

      scale = zoom / device_scale (self);
      cx = ix - (widget_x - width / 2.0) / scale;
      cy = iy - (widget_y - height / 2.0) / scale;
      clamp_center (self, &cx, &cy);
      lacuna_view_state_set_center (self->state, cx, cy);
    }
  lacuna_view_state_set_zoom (self->state, zoom);
  g_object_thaw_notify (G_OBJECT (self->state));
}

void
lacuna_image_view_pan_by (LacunaImageView *self,
                          double           dx,
                          double           dy)
{
  double cx, cy, scale;

  g_return_if_fail (LACUNA_IS_IMAGE_VIEW (self));

  if (!lacuna_image_view_get_image_size (self, NULL, NULL))
    return;

  scale = lacuna_image_view_get_scale (self);
  lacuna_view_state_get_center (self->state, &cx, &cy);
  cx -= dx / scale;
  cy -= dy / scale;
  clamp_center (self, &cx, &cy);

  g_object_freeze_notify (G_OBJECT (self->state));
  lacuna_view_state_set_fit_mode (self->state, LACUNA_FIT_MODE_NONE);
  lacuna_view_state_set_center (self->state, cx, cy);
  g_object_thaw_notify (G_OBJECT (self->state));
}

void
_lacuna_image_view_zoom_by (LacunaImageView *self,
                            double           factor,
                            gboolean         at_pointer)
{
  double zoom = lacuna_view_state_get_zoom (self->state) * factor;
  double x = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
  double y = gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;

  if (at_pointer && self->pointer_inside)
    {
      x = self->pointer_x;
      y = self->pointer_y;
    }
  /* Snap to 1:1 on the way through, so that it is easy to find again. */
  if ((factor > 1 && lacuna_view_state_get_zoom (self->state) < 1 && zoom > 1)
      || (factor < 1 && lacuna_view_state_get_zoom (self->state) > 1 && zoom < 1))
    zoom = 1.0;
  lacuna_image_view_zoom_at (self, zoom, x, y);
}

void
_lacuna_image_view_zoom_best_fit (LacunaImageView *self)
{
  lacuna_view_state_set_fit_mode (self->state, LACUNA_FIT_MODE_BEST);
  _lacuna_image_view_update_fit (self);
}

void
_lacuna_image_view_zoom_original (LacunaImageView *self)
{
  lacuna_image_view_zoom_at (self, 1.0,
                             gtk_widget_get_width (GTK_WIDGET (self)) / 2.0,
                             gtk_widget_get_height (GTK_WIDGET (self)) / 2.0);
}
