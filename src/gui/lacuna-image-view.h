/* lacuna-image-view.h: shows one image of a series at a time.
 *
 * The series is a flat list of (instance, frame) positions: a multi-frame instance adds
 * one position per frame. Frames are decoded in worker threads, the current one first and
 * then the next ones in the direction of travel ("decode ahead"); decoded frames are kept
 * in a cache bounded in bytes. The window (brightness/contrast) is applied on the CPU into an
 * 8-bit RGB image that is drawn through cairo: magnified pixels stay square blocks
 * (nearest neighbour), never blurred.
 *
 * What is shown (slice, zoom, pan, window, overlays) lives in a LacunaViewState; the view
 * and every control bind to it. Layers drawn over the view (corner annotations, redaction
 * boxes) map coordinates with lacuna_image_view_widget_to_image() and
 * lacuna_image_view_image_to_widget(), and redraw on the state's notifications and on the
 * view's "notify::image-width".
 *
 * Input: the wheel, Page Up/Down and the arrow keys move through the positions, Ctrl+wheel,
 * pinch and +/- zoom around the pointer (or the centre), 0 fits, 1 shows 1:1, dragging
 * with the primary button sets the window (horizontal: width, vertical: level), dragging
 * with the middle button or Shift+primary pans. The actions are in the "view" group
 * (lacuna_image_view_get_action_group()).
 */
#pragma once

#include <gtk/gtk.h>

#include "lacuna-core.h"
#include "lacuna-view-state.h"

G_BEGIN_DECLS

#define LACUNA_TYPE_IMAGE_VIEW (lacuna_image_view_get_type ())
G_DECLARE_FINAL_TYPE (LacunaImageView, lacuna_image_view, LACUNA, IMAGE_VIEW, GtkWidget)

GtkWidget       *lacuna_image_view_new             (void);

/* A GListModel of LacunaInstance (a LacunaSeries, or a store with one instance); the view
 * starts at its first frame (the state is reset). Instances without pixels are left out. */
void             lacuna_image_view_set_model       (LacunaImageView *self,
                                                    GListModel      *model);
GListModel      *lacuna_image_view_get_model       (LacunaImageView *self);
/* Like set_model(), for the same series in another order or with more (or fewer)
 * instances, as while a study is being indexed: when the slice shown (instance and frame)
 * is in model, it stays shown, at its new position, and the zoom, the window and the frames
 * already decoded are kept. Otherwise the same as set_model(). */
void             lacuna_image_view_replace_model   (LacunaImageView *self,
                                                    GListModel      *model);
/* Like set_model(), with frame `frame` of instance (which must be in model) already
 * decoded by lacuna_image_view_decode_frame(): the view starts at that slice and shows it
 * at once. */
void             lacuna_image_view_set_model_with_frame (LacunaImageView *self,
                                                         GListModel      *model,
                                                         LacunaInstance  *instance,
                                                         guint            frame,
                                                         LacunaFrame     *decoded,
                                                         GHashTable      *attributes);
/* Decodes frame `frame` of instance as the view does (with the attributes of its file the
 * view shows), on any thread: e.g. the first image, while the study is still being indexed.
 * Returns NULL with a GError when it cannot be shown. */
LacunaFrame     *lacuna_image_view_decode_frame    (LacunaInstance  *instance,
                                                    guint            frame,
                                                    GHashTable     **out_attributes,
                                                    GError         **error);

/* The view's state (never NULL, owned by the view). */
LacunaViewState *lacuna_image_view_get_state       (LacunaImageView *self);
/* The "view" actions (next-slice, previous-slice, first-slice, last-slice, zoom-in, zoom-out,
 * zoom-best-fit, zoom-original, pan "(dd)", window-preset "s", play, show-annotations):
 * controls outside the view insert it with gtk_widget_insert_action_group (w, "view", …). */
GActionGroup    *lacuna_image_view_get_action_group (LacunaImageView *self);

/* 0-based position in the flat list of frames (the state's position). */
guint            lacuna_image_view_get_position    (LacunaImageView *self);
void             lacuna_image_view_set_position    (LacunaImageView *self,
                                                    guint            position);
guint            lacuna_image_view_get_n_positions (LacunaImageView *self);
/* The instance and frame at the current position (NULL when empty). */
LacunaInstance  *lacuna_image_view_get_instance    (LacunaImageView *self,
                                                    guint           *out_frame);
/* The instance and frame at any position (NULL when out of range). */
LacunaInstance  *lacuna_image_view_get_instance_at (LacunaImageView *self,
                                                    guint            position,
                                                    guint           *out_frame);

/* TRUE while the current position is being decoded. */
gboolean         lacuna_image_view_get_busy        (LacunaImageView *self);
/* Why the current image cannot be shown, or NULL. */
const GError    *lacuna_image_view_get_error       (LacunaImageView *self);
/* The image shown (CAIRO_FORMAT_RGB24, full resolution, windowed), or NULL: for tests and
 * export. */
cairo_surface_t *lacuna_image_view_get_surface     (LacunaImageView *self);
/* The decoded frame shown, or NULL. */
LacunaFrame     *lacuna_image_view_get_frame       (LacunaImageView *self);
/* Size of the image shown in image pixels; FALSE (and 0) when there is none. */
gboolean         lacuna_image_view_get_image_size  (LacunaImageView *self,
                                                    guint           *out_width,
                                                    guint           *out_height);
/* A few attributes of the current image's file for the corner annotations, by keyword
 * ("PatientBirthDate", "PatientSex", "PatientAge", "InstitutionName", "StudyTime",
 * "SliceLocation", "SliceThickness", "WindowCenterWidthExplanation"); NULL when absent or
 * not decoded yet. */
const char      *lacuna_image_view_get_attribute   (LacunaImageView *self,
                                                    const char      *keyword);

/* Coordinates. Widget coordinates are the view's (logical pixels); image coordinates are in
 * image pixels, (0, 0) the top left corner of the first pixel, pixel (i, j) covering
 * [i, i+1) × [j, j+1). widget_to_image returns FALSE when the point is outside the image
 * (or there is none); both still compute the mapping when there is an image. */
gboolean         lacuna_image_view_widget_to_image (LacunaImageView *self,
                                                    double           widget_x,
                                                    double           widget_y,
                                                    double          *out_image_x,
                                                    double          *out_image_y);
void             lacuna_image_view_image_to_widget (LacunaImageView *self,
                                                    double           image_x,
                                                    double           image_y,
                                                    double          *out_widget_x,
                                                    double          *out_widget_y);
/* Logical widget pixels per image pixel (the state's zoom over the scale factor). */
double           lacuna_image_view_get_scale       (LacunaImageView *self);

/* Zooms to zoom (device pixels per image pixel), keeping the image point under
 * (widget_x, widget_y) where it is. Leaves best fit. */
void             lacuna_image_view_zoom_at         (LacunaImageView *self,
                                                    double           zoom,
                                                    double           widget_x,
                                                    double           widget_y);
/* Moves the image by (dx, dy) widget pixels. Leaves best fit. */
void             lacuna_image_view_pan_by          (LacunaImageView *self,
                                                    double           dx,
                                                    double           dy);

/* Decode ahead (for tests and benchmarks). */
/* How many positions ahead of the current one are decoded in the background. */
guint            lacuna_image_view_get_decode_ahead (LacunaImageView *self);
/* TRUE when position is decoded and kept in the cache. */
gboolean         lacuna_image_view_is_cached       (LacunaImageView *self,
                                                    guint            position);
/* Bytes held by the cache, and its limit (default 128 MiB; at least the current frame is
 * kept whatever its size). */
gsize            lacuna_image_view_get_cache_size  (LacunaImageView *self);
gsize            lacuna_image_view_get_cache_limit (LacunaImageView *self);
void             lacuna_image_view_set_cache_limit (LacunaImageView *self,
                                                    gsize            limit);

/* Signal "frame-shown" (guint position): the current position's image (or its error) has
 * been painted on screen for the first time (after the frame clock's paint). */

G_END_DECLS
