/* lacuna-undo-stack.h: undo and redo over a LacunaDecisions.
 *
 * Every decision the user makes (tag overrides, profile options, redaction boxes) goes
 * through lacuna_undo_stack_apply(), which applies it with lacuna_decisions_apply() and keeps
 * the inverse decision that call returns. Undo applies that inverse and keeps the inverse of
 * the inverse for redo. A new decision drops what could be redone.
 *
 * Changes made with lacuna_decisions_apply() directly (the tag inspector's shorthands) are
 * noticed through "changed" and become undo steps too (back to the options before them). */
#pragma once

#include <glib-object.h>

#include "lacuna-decisions.h"

G_BEGIN_DECLS

#define LACUNA_TYPE_UNDO_STACK (lacuna_undo_stack_get_type ())
G_DECLARE_FINAL_TYPE (LacunaUndoStack, lacuna_undo_stack, LACUNA, UNDO_STACK, GObject)

LacunaUndoStack *lacuna_undo_stack_new       (LacunaDecisions      *decisions);
LacunaDecisions *lacuna_undo_stack_get_decisions (LacunaUndoStack  *self);

/* Applies decision and remembers how to undo it; FALSE (error set, nothing remembered)
 * when lacuna_decisions_apply() refuses it. */
gboolean         lacuna_undo_stack_apply     (LacunaUndoStack      *self,
                                              const LacunaDecision *decision,
                                              GError              **error);
/* FALSE when there was nothing to undo / redo. */
gboolean         lacuna_undo_stack_undo      (LacunaUndoStack      *self);
gboolean         lacuna_undo_stack_redo      (LacunaUndoStack      *self);
/* Properties "can-undo" and "can-redo". */
gboolean         lacuna_undo_stack_get_can_undo (LacunaUndoStack   *self);
gboolean         lacuna_undo_stack_get_can_redo (LacunaUndoStack   *self);
/* Forgets everything (a new study, its saved decisions restored): the options now are where
 * undo stops. */
void             lacuna_undo_stack_clear     (LacunaUndoStack      *self);

G_END_DECLS
