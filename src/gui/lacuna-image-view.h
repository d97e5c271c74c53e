/* lacuna-image-view.h: shows one image of a series at a time, with its default window.
 *
 * The series is a flat list of (instance, frame) positions: a multi-frame instance adds
 * one position per frame. The mouse wheel, Page Up/Down and the Up/Down arrows move
 * through it. Frames are decoded in a worker thread; the last few are kept in memory.
 */
#pragma once

#include <gtk/gtk.h>

#include "lacuna-core.h"

G_BEGIN_DECLS

#define LACUNA_TYPE_IMAGE_VIEW (lacuna_image_view_get_type ())
G_DECLARE_FINAL_TYPE (LacunaImageView, lacuna_image_view, LACUNA, IMAGE_VIEW, GtkWidget)

GtkWidget       *lacuna_image_view_new             (void);

/* A GListModel of LacunaInstance (a LacunaSeries, or a store with one instance); the view
 * starts at its first frame. Instances without pixels are left out. */
void             lacuna_image_view_set_model       (LacunaImageView *self,
                                                    GListModel      *model);
GListModel      *lacuna_image_view_get_model       (LacunaImageView *self);

/* 0-based position in the flat list of frames. */
guint            lacuna_image_view_get_position    (LacunaImageView *self);
void             lacuna_image_view_set_position    (LacunaImageView *self,
                                                    guint            position);
guint            lacuna_image_view_get_n_positions (LacunaImageView *self);
/* The instance and frame at the current position (NULL when empty). */
LacunaInstance  *lacuna_image_view_get_instance    (LacunaImageView *self,
                                                    guint           *out_frame);

/* TRUE while the current position is being decoded. */
gboolean         lacuna_image_view_get_busy        (LacunaImageView *self);
/* Why the current image cannot be shown, or NULL. */
const GError    *lacuna_image_view_get_error       (LacunaImageView *self);
/* The image shown (CAIRO_FORMAT_RGB24, full resolution), or NULL: for tests and export. */
cairo_surface_t *lacuna_image_view_get_surface     (LacunaImageView *self);

G_END_DECLS
