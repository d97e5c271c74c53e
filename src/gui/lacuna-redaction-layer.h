/* lacuna-redaction-layer.h: redaction boxes drawn over the image view, and edited there.
 *
 * The layer lies over a LacunaImageView (in a GtkOverlay) and shows the boxes of the
 * decisions (lacuna_undo_stack_get_decisions()) that cover the image shown. Every change
 * goes through the undo stack, so Ctrl+Z undoes boxes and tag decisions alike.
 *
 * With the box tool on ("active"), the pointer draws a new box by dragging on the image,
 * moves a box by dragging it and resizes the selected box by its eight handles. The keyboard
 * does the same (actions in the "redaction" group, bound while the layer has the focus):
 * the arrow keys move the selected box by one image pixel (Ctrl: ten), Shift+arrows resize
 * it, Tab and Shift+Tab select the next and previous box, Delete removes it, Escape
 * deselects. lacuna_redaction_layer_add_box() puts a box in the middle of the image.
 *
 * "show-result" shows the image as export would write it: the current instance is opened
 * again, the boxes that apply to it are filled (lacuna_redact_apply(): what displays as
 * black for its photometric interpretation) and the frame is shown with the view's window.
 */
#pragma once

#include <gtk/gtk.h>

#include "lacuna-image-view.h"
#include "lacuna-undo-stack.h"

G_BEGIN_DECLS

#define LACUNA_TYPE_REDACTION_LAYER (lacuna_redaction_layer_get_type ())
G_DECLARE_FINAL_TYPE (LacunaRedactionLayer, lacuna_redaction_layer, LACUNA, REDACTION_LAYER,
                      GtkWidget)

GtkWidget       *lacuna_redaction_layer_new            (void);

/* Property "view". */
void             lacuna_redaction_layer_set_view       (LacunaRedactionLayer *self,
                                                        LacunaImageView      *view);
LacunaImageView *lacuna_redaction_layer_get_view       (LacunaRedactionLayer *self);
/* Property "undo-stack": where changes go (and whose decisions are shown). */
void             lacuna_redaction_layer_set_undo_stack (LacunaRedactionLayer *self,
                                                        LacunaUndoStack      *stack);
LacunaUndoStack *lacuna_redaction_layer_get_undo_stack (LacunaRedactionLayer *self);
/* Property "active": the box tool is on (the layer takes the pointer and the focus). */
void             lacuna_redaction_layer_set_active     (LacunaRedactionLayer *self,
                                                        gboolean              active);
gboolean         lacuna_redaction_layer_get_active     (LacunaRedactionLayer *self);
/* Property "show-result": the redacted copy instead of the original. */
void             lacuna_redaction_layer_set_show_result (LacunaRedactionLayer *self,
                                                         gboolean              show_result);
gboolean         lacuna_redaction_layer_get_show_result (LacunaRedactionLayer *self);

/* Property "selected": index of the selected box in the options' boxes, or -1. */
int              lacuna_redaction_layer_get_selected   (LacunaRedactionLayer *self);
void             lacuna_redaction_layer_set_selected   (LacunaRedactionLayer *self,
                                                        int                   index);
/* The boxes covering the image shown (indices into the options' boxes, in order). */
GArray          *lacuna_redaction_layer_dup_shown      (LacunaRedactionLayer *self);

/* Adds a box a quarter of the image's size in its middle, for every frame of this image,
 * and selects it. FALSE when there is no image. */
gboolean         lacuna_redaction_layer_add_box        (LacunaRedactionLayer *self);
/* The selected box: moved / resized by image pixels (kept inside the image), removed, or
 * given a scope: LACUNA_DEID_BOX_FRAMES = this frame only, ALL_FRAMES = every frame of this
 * image, SAME_SIZE_IN_SERIES = every image of the series with this size. FALSE when nothing
 * is selected or nothing changed. */
gboolean         lacuna_redaction_layer_move           (LacunaRedactionLayer *self,
                                                        int                   dx,
                                                        int                   dy);
gboolean         lacuna_redaction_layer_resize         (LacunaRedactionLayer *self,
                                                        int                   dwidth,
                                                        int                   dheight);
gboolean         lacuna_redaction_layer_remove         (LacunaRedactionLayer *self);
gboolean         lacuna_redaction_layer_set_scope      (LacunaRedactionLayer *self,
                                                        LacunaDeidBoxScope    scope);
/* Selects the next (direction 1) or previous (-1) shown box, wrapping. */
gboolean         lacuna_redaction_layer_select_next    (LacunaRedactionLayer *self,
                                                        int                   direction);

/* A pointer drag from (x0, y0) to (x1, y1) in widget coordinates, as the drag gesture
 * handles it (for tests and for the keyboard-less paths). */
void             lacuna_redaction_layer_drag           (LacunaRedactionLayer *self,
                                                        double                x0,
                                                        double                y0,
                                                        double                x1,
                                                        double                y1);

/* "Redaction box 2 of 3, x 10, y 20, width 100, height 30" for the selected box, or NULL. */
char            *lacuna_redaction_layer_dup_label      (LacunaRedactionLayer *self);

G_END_DECLS
