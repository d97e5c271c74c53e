/* lacuna-undo-stack.c
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "lacuna-undo-stack"

#include "config.h"

#include "lacuna-undo-stack.h"

struct _LacunaUndoStack
{
  GObject          parent_instance;

  LacunaDecisions *decisions;
  GPtrArray       *undo;   /* LacunaDecision*, the last one undone first */
  GPtrArray       *redo;
  /* The options as last seen, to make changes made around the stack undoable too. */
  const LacunaDeidOptions *seen;
  LacunaDeidOptions *seen_copy;
  gboolean         applying;
};

G_DEFINE_FINAL_TYPE (LacunaUndoStack, lacuna_undo_stack, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_DECISIONS,
  PROP_CAN_UNDO,
  PROP_CAN_REDO,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_stacks (LacunaUndoStack *self,
            gboolean         could_undo,
            gboolean         could_redo)
{
  if (could_undo != (self->undo->len > 0))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_UNDO]);
  if (could_redo != (self->redo->len > 0))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_REDO]);
}

static void
remember (LacunaUndoStack *self)
{
  const LacunaDeidOptions *now = lacuna_decisions_get_options (self->decisions);

  g_clear_pointer (&self->seen_copy, lacuna_deid_options_free);
  self->seen = now;
  self->seen_copy = lacuna_deid_options_copy (now);
}

/* A change made with lacuna_decisions_apply() directly (the tag inspector's shorthands):
 * undone by going back to the options seen before. A change of the key alone keeps the
 * options (the same pointer) and is not an undo step. */
static void
decisions_changed_cb (LacunaUndoStack *self)
{
  gboolean could_undo, could_redo;

  if (self->applying || lacuna_decisions_get_options (self->decisions) == self->seen)
    return;
  could_undo = self->undo->len > 0;
  could_redo = self->redo->len > 0;
  g_ptr_array_add (self->undo, lacuna_decision_new_set_options (self->seen_copy));
  g_ptr_array_set_size (self->redo, 0);
  remember (self);
  set_stacks (self, could_undo, could_redo);
}

gboolean
lacuna_undo_stack_apply (LacunaUndoStack       *self,
                         const LacunaDecision  *decision,
                         GError               **error)
{
  gboolean could_undo, could_redo;
  LacunaDecision *inverse;

  g_return_val_if_fail (LACUNA_IS_UNDO_STACK (self), FALSE);
  g_return_val_if_fail (decision != NULL, FALSE);

  self->applying = TRUE;
  inverse = lacuna_decisions_apply (self->decisions, decision, error);
  self->applying = FALSE;
  if (inverse == NULL)
    return FALSE;
  remember (self);
  could_undo = self->undo->len > 0;
  could_redo = self->redo->len > 0;
  g_ptr_array_add (self->undo, inverse);
  g_ptr_array_set_size (self->redo, 0);
  set_stacks (self, could_undo, could_redo);
  return TRUE;
}

/* Applies the last decision of from and pushes its inverse on to. */
static gboolean
move_one (LacunaUndoStack *self,
          GPtrArray       *from,
          GPtrArray       *to)
{
  g_autoptr(LacunaDecision) decision = NULL;
  g_autoptr(GError) error = NULL;
  gboolean could_undo = self->undo->len > 0;
  gboolean could_redo = self->redo->len > 0;
  LacunaDecision *inverse;

  if (from->len == 0)
    return FALSE;
  decision = g_ptr_array_steal_index (from, from->len - 1);
  self->applying = TRUE;
  inverse = lacuna_decisions_apply (self->decisions, decision, &error);
  self->applying = FALSE;
  remember (self);
  if (inverse == NULL)
    {
      /* Cannot happen: the inverse of a valid change is the state before it. */
      g_debug ("Undo step refused: %s", error->message);
      set_stacks (self, could_undo, could_redo);
      return FALSE;
    }
  g_ptr_array_add (to, inverse);
  set_stacks (self, could_undo, could_redo);
  return TRUE;
}

gboolean
lacuna_undo_stack_undo (LacunaUndoStack *self)
{
  g_return_val_if_fail (LACUNA_IS_UNDO_STACK (self), FALSE);

  return move_one (self, self->undo, self->redo);
}

gboolean
lacuna_undo_stack_redo (LacunaUndoStack *self)
{
  g_return_val_if_fail (LACUNA_IS_UNDO_STACK (self), FALSE);

  return move_one (self, self->redo, self->undo);
}

gboolean
lacuna_undo_stack_get_can_undo (LacunaUndoStack *self)
{
  g_return_val_if_fail (LACUNA_IS_UNDO_STACK (self), FALSE);

  return self->undo->len > 0;
}

gboolean
lacuna_undo_stack_get_can_redo (LacunaUndoStack *self)
{
  g_return_val_if_fail (LACUNA_IS_UNDO_STACK (self), FALSE);

  return self->redo->len > 0;
}

void
lacuna_undo_stack_clear (LacunaUndoStack *self)
{
  gboolean could_undo, could_redo;

  g_return_if_fail (LACUNA_IS_UNDO_STACK (self));

  could_undo = self->undo->len > 0;
  could_redo = self->redo->len > 0;
  g_ptr_array_set_size (self->undo, 0);
  g_ptr_array_set_size (self->redo, 0);
  remember (self);
  set_stacks (self, could_undo, could_redo);
}

LacunaDecisions *
lacuna_undo_stack_get_decisions (LacunaUndoStack *self)
{
  g_return_val_if_fail (LACUNA_IS_UNDO_STACK (self), NULL);

  return self->decisions;
}

/* ------------------------------------------------------------------------------------- */

static void
lacuna_undo_stack_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  LacunaUndoStack *self = LACUNA_UNDO_STACK (object);

  switch (prop_id)
    {
    case PROP_DECISIONS:
      g_value_set_object (value, self->decisions);
      break;
    case PROP_CAN_UNDO:
      g_value_set_boolean (value, self->undo->len > 0);
      break;
    case PROP_CAN_REDO:
      g_value_set_boolean (value, self->redo->len > 0);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lacuna_undo_stack_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  LacunaUndoStack *self = LACUNA_UNDO_STACK (object);

  switch (prop_id)
    {
    case PROP_DECISIONS:
      self->decisions = g_value_dup_object (value);
      remember (self);
      g_signal_connect_object (self->decisions, "changed",
                               G_CALLBACK (decisions_changed_cb), self, G_CONNECT_SWAPPED);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lacuna_undo_stack_dispose (GObject *object)
{
  LacunaUndoStack *self = LACUNA_UNDO_STACK (object);

  g_clear_object (&self->decisions);

  G_OBJECT_CLASS (lacuna_undo_stack_parent_class)->dispose (object);
}

static void
lacuna_undo_stack_finalize (GObject *object)
{
  LacunaUndoStack *self = LACUNA_UNDO_STACK (object);

  g_clear_pointer (&self->undo, g_ptr_array_unref);
  g_clear_pointer (&self->redo, g_ptr_array_unref);
  g_clear_pointer (&self->seen_copy, lacuna_deid_options_free);

  G_OBJECT_CLASS (lacuna_undo_stack_parent_class)->finalize (object);
}

static void
lacuna_undo_stack_class_init (LacunaUndoStackClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = lacuna_undo_stack_get_property;
  object_class->set_property = lacuna_undo_stack_set_property;
  object_class->dispose = lacuna_undo_stack_dispose;
  object_class->finalize = lacuna_undo_stack_finalize;

  properties[PROP_DECISIONS] =
    g_param_spec_object ("decisions", NULL, NULL, LACUNA_TYPE_DECISIONS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_UNDO] =
    g_param_spec_boolean ("can-undo", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_REDO] =
    g_param_spec_boolean ("can-redo", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lacuna_undo_stack_init (LacunaUndoStack *self)
{
  self->undo = g_ptr_array_new_with_free_func ((GDestroyNotify) lacuna_decision_free);
  self->redo = g_ptr_array_new_with_free_func ((GDestroyNotify) lacuna_decision_free);
}

LacunaUndoStack *
lacuna_undo_stack_new (LacunaDecisions *decisions)
{
  g_return_val_if_fail (LACUNA_IS_DECISIONS (decisions), NULL);

  return g_object_new (LACUNA_TYPE_UNDO_STACK, "decisions", decisions, NULL);
}
