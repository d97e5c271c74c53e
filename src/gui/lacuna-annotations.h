/* lacuna-annotations.h: the study's corner annotations over a LacunaImageView.
 *
 * Patient (top left), study (top right), series, image, window and zoom (bottom left), as
 * read from the current image's file. They show identifying data on screen, which is what
 * the application is for; the state's "show-annotations" hides them (the "a" key, or the
 * window menu), for example for screenshots. Put it over the view in a GtkOverlay; it takes
 * no input.
 */
#pragma once

#include <gtk/gtk.h>

#include "lacuna-image-view.h"

G_BEGIN_DECLS

#define LACUNA_TYPE_ANNOTATIONS (lacuna_annotations_get_type ())
G_DECLARE_FINAL_TYPE (LacunaAnnotations, lacuna_annotations, LACUNA, ANNOTATIONS, GtkWidget)

GtkWidget       *lacuna_annotations_new      (LacunaImageView   *view);
LacunaImageView *lacuna_annotations_get_view (LacunaAnnotations *self);
void             lacuna_annotations_set_view (LacunaAnnotations *self,
                                              LacunaImageView   *view);
/* The text of a corner (0 top left, 1 top right, 2 bottom left), as drawn; for tests. */
const char      *lacuna_annotations_get_text (LacunaAnnotations *self,
                                              guint              corner);

G_END_DECLS
