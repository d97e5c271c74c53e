/* lacuna-bodycomp-overlay.h: the body-composition measurement drawn over its CT slice.
 *
 * Lies over a LacunaImageView (in its GtkOverlay, just above the image, below the redaction
 * boxes) and draws, on the measured slice only, the label mask of lacuna_bodycomp: the body
 * outline and the adipose and muscle-density regions in translucent colours, through cairo,
 * following the view's zoom and pan (lacuna_image_view_image_to_widget, redrawn on the view
 * state's notifications). A legend names every colour in words (never colour alone) and
 * says which slice to show when another one is shown. It never takes the pointer.
 *
 * The findings panel turns it on from the body-composition card ("Show on Image"). */
#pragma once

#include <gtk/gtk.h>

#include "lacuna-bodycomp.h"
#include "lacuna-image-view.h"

G_BEGIN_DECLS

#define LACUNA_TYPE_BODYCOMP_OVERLAY (lacuna_bodycomp_overlay_get_type ())
G_DECLARE_FINAL_TYPE (LacunaBodycompOverlay, lacuna_bodycomp_overlay, LACUNA, BODYCOMP_OVERLAY,
                      GtkWidget)

GtkWidget            *lacuna_bodycomp_overlay_new          (void);

/* The view whose image it draws over (reference kept until dispose or another view). */
void                  lacuna_bodycomp_overlay_set_view     (LacunaBodycompOverlay *self,
                                                            LacunaImageView       *view);
LacunaImageView      *lacuna_bodycomp_overlay_get_view     (LacunaBodycompOverlay *self);
/* set_view(), and puts self in the GtkOverlay that holds view (when its parent is one),
 * right above the image. */
void                  lacuna_bodycomp_overlay_attach       (LacunaBodycompOverlay *self,
                                                            LacunaImageView       *view);

/* Measures instance (frame 0, lacuna_bodycomp_measure_instance) and shows the result over
 * it; NULL hides the overlay. FALSE + error when it cannot be measured (then hidden).
 * Property "instance" (read-only) notifies every change. */
gboolean              lacuna_bodycomp_overlay_set_instance (LacunaBodycompOverlay *self,
                                                            LacunaInstance        *instance,
                                                            GError               **error);
/* The same, measured in a worker thread (the main thread only takes the result). What was
 * shown stays until the result is in. G_IO_ERROR_CANCELLED when cancellable is cancelled or
 * another set_instance call (either form) came meanwhile: then nothing changes. */
void      lacuna_bodycomp_overlay_set_instance_async  (LacunaBodycompOverlay  *self,
                                                       LacunaInstance         *instance,
                                                       GCancellable           *cancellable,
                                                       GAsyncReadyCallback     callback,
                                                       gpointer                user_data);
gboolean  lacuna_bodycomp_overlay_set_instance_finish (LacunaBodycompOverlay  *self,
                                                       GAsyncResult           *result,
                                                       GError                **error);
LacunaInstance       *lacuna_bodycomp_overlay_get_instance (LacunaBodycompOverlay *self);
/* The measurement drawn (its labels are the mask), or NULL. */
const LacunaBodyComp *lacuna_bodycomp_overlay_get_result   (LacunaBodycompOverlay *self);
/* TRUE when the view shows the measured slice, so the mask is drawn over it. */
gboolean              lacuna_bodycomp_overlay_get_drawn    (LacunaBodycompOverlay *self);
/* What the legend's note says now ("" on the measured slice). */
const char           *lacuna_bodycomp_overlay_get_note     (LacunaBodycompOverlay *self);

G_END_DECLS
