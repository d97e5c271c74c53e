/* lacuna-decisions.c
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "lacuna-decisions"

#include "config.h"

#include <string.h>

#include "lacuna-decisions.h"

struct _LacunaDecisions
{
  GObject            parent_instance;

  LacunaDeidOptions *options;
  LacunaKey         *key;
};

G_DEFINE_FINAL_TYPE (LacunaDecisions, lacuna_decisions, G_TYPE_OBJECT)

enum
{
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ------------------------------------------------------------------------------------- */
/* Decisions                                                                             */

LacunaDecision *
lacuna_decision_new_set_override (const char               *path,
                                  LacunaDeidOverrideAction  action,
                                  const char               *value)
{
  LacunaDecision *d;

  g_return_val_if_fail (path != NULL, NULL);

  d = g_new0 (LacunaDecision, 1);
  d->kind = LACUNA_DECISION_SET_OVERRIDE;
  d->path = g_strdup (path);
  d->action = action;
  d->value = action == LACUNA_DEID_OVERRIDE_REPLACE ? g_strdup (value) : NULL;
  return d;
}

LacunaDecision *
lacuna_decision_new_clear_override (const char *path)
{
  LacunaDecision *d;

  g_return_val_if_fail (path != NULL, NULL);

  d = g_new0 (LacunaDecision, 1);
  d->kind = LACUNA_DECISION_CLEAR_OVERRIDE;
  d->path = g_strdup (path);
  return d;
}

LacunaDecision *
lacuna_decision_new_set_profile_options (LacunaProfileOption options)
{
  LacunaDecision *d = g_new0 (LacunaDecision, 1);

  d->kind = LACUNA_DECISION_SET_PROFILE_OPTIONS;
  d->profile_options = options;
  return d;
}

LacunaDecision *
lacuna_decision_new_set_options (const LacunaDeidOptions *options)
{
  LacunaDecision *d;

  g_return_val_if_fail (options != NULL, NULL);

  d = g_new0 (LacunaDecision, 1);
  d->kind = LACUNA_DECISION_SET_OPTIONS;
  d->options = lacuna_deid_options_copy (options);
  return d;
}

LacunaDeidBox *
lacuna_deid_box_copy (const LacunaDeidBox *box)
{
  LacunaDeidBox *b;

  g_return_val_if_fail (box != NULL, NULL);

  b = g_new0 (LacunaDeidBox, 1);
  *b = *box;
  b->sop_instance_uid = g_strdup (box->sop_instance_uid);
  b->frames = box->n_frames > 0 ? g_memdup2 (box->frames, box->n_frames * sizeof (guint)) : NULL;
  return b;
}

void
lacuna_deid_box_free (LacunaDeidBox *box)
{
  if (box == NULL)
    return;
  g_free (box->sop_instance_uid);
  g_free (box->frames);
  g_free (box);
}

LacunaDecision *
lacuna_decision_new_add_box (const LacunaDeidBox *box)
{
  LacunaDecision *d;

  g_return_val_if_fail (box != NULL, NULL);

  d = g_new0 (LacunaDecision, 1);
  d->kind = LACUNA_DECISION_ADD_BOX;
  d->box_index = G_MAXUINT;
  d->box = lacuna_deid_box_copy (box);
  return d;
}

LacunaDecision *
lacuna_decision_new_change_box (guint                index,
                                const LacunaDeidBox *box)
{
  LacunaDecision *d;

  g_return_val_if_fail (box != NULL, NULL);

  d = g_new0 (LacunaDecision, 1);
  d->kind = LACUNA_DECISION_CHANGE_BOX;
  d->box_index = index;
  d->box = lacuna_deid_box_copy (box);
  return d;
}

LacunaDecision *
lacuna_decision_new_remove_box (guint index)
{
  LacunaDecision *d = g_new0 (LacunaDecision, 1);

  d->kind = LACUNA_DECISION_REMOVE_BOX;
  d->box_index = index;
  return d;
}

void
lacuna_decision_free (LacunaDecision *decision)
{
  if (decision == NULL)
    return;
  g_clear_pointer (&decision->box, lacuna_deid_box_free);
  g_free (decision->path);
  g_free (decision->value);
  g_clear_pointer (&decision->options, lacuna_deid_options_free);
  g_free (decision);
}

/* ------------------------------------------------------------------------------------- */

static void
remove_exact (LacunaDeidOptions *options,
              const char        *path)
{
  if (options->overrides == NULL)
    return;
  for (guint i = options->overrides->len; i > 0; i--)
    {
      LacunaDeidOverride *o = g_ptr_array_index (options->overrides, i - 1);

      if (g_strcmp0 (o->path, path) == 0)
        g_ptr_array_remove_index (options->overrides, i - 1);
    }
}

LacunaDecision *
lacuna_decisions_apply (LacunaDecisions       *self,
                        const LacunaDecision  *decision,
                        GError               **error)
{
  g_autoptr(LacunaDeidOptions) next = NULL;
  LacunaDecision *undo = NULL;
  guint n_boxes;

  g_return_val_if_fail (LACUNA_IS_DECISIONS (self), NULL);
  g_return_val_if_fail (decision != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  n_boxes = self->options->boxes != NULL ? self->options->boxes->len : 0;
  switch (decision->kind)
    {
    case LACUNA_DECISION_ADD_BOX:
      g_return_val_if_fail (decision->box != NULL, NULL);
      next = lacuna_deid_options_copy (self->options);
      {
        const LacunaDeidBox *b = decision->box;
        guint at = MIN (decision->box_index, n_boxes);

        lacuna_deid_options_add_box (next, b->sop_instance_uid, b->scope, b->frames,
                                     b->n_frames, b->x, b->y, b->width, b->height);
        g_ptr_array_insert (next->boxes, at,
                            g_ptr_array_steal_index (next->boxes, next->boxes->len - 1));
        undo = lacuna_decision_new_remove_box (at);
      }
      break;

    case LACUNA_DECISION_CHANGE_BOX:
      g_return_val_if_fail (decision->box != NULL, NULL);
      g_return_val_if_fail (decision->box_index < n_boxes, NULL);
      next = lacuna_deid_options_copy (self->options);
      {
        const LacunaDeidBox *b = decision->box;

        lacuna_deid_options_add_box (next, b->sop_instance_uid, b->scope, b->frames,
                                     b->n_frames, b->x, b->y, b->width, b->height);
        g_ptr_array_remove_index (next->boxes, decision->box_index);
        g_ptr_array_insert (next->boxes, decision->box_index,
                            g_ptr_array_steal_index (next->boxes, next->boxes->len - 1));
        undo = lacuna_decision_new_change_box (decision->box_index,
                                               g_ptr_array_index (self->options->boxes,
                                                                  decision->box_index));
      }
      break;

    case LACUNA_DECISION_REMOVE_BOX:
      g_return_val_if_fail (decision->box_index < n_boxes, NULL);
      next = lacuna_deid_options_copy (self->options);
      g_ptr_array_remove_index (next->boxes, decision->box_index);
      undo = lacuna_decision_new_add_box (g_ptr_array_index (self->options->boxes,
                                                             decision->box_index));
      undo->box_index = decision->box_index;
      break;

    case LACUNA_DECISION_SET_OVERRIDE:
      next = lacuna_deid_options_copy (self->options);
      remove_exact (next, decision->path);
      lacuna_deid_options_add_override (next, decision->path, decision->action, decision->value);
      /* First in the list: the user's choice for this element wins. */
      g_ptr_array_insert (next->overrides, 0,
                          g_ptr_array_steal_index (next->overrides, next->overrides->len - 1));
      break;

    case LACUNA_DECISION_CLEAR_OVERRIDE:
      next = lacuna_deid_options_copy (self->options);
      remove_exact (next, decision->path);
      break;

    case LACUNA_DECISION_SET_PROFILE_OPTIONS:
      next = lacuna_deid_options_copy (self->options);
      next->options = decision->profile_options;
      break;

    case LACUNA_DECISION_SET_OPTIONS:
    default:
      g_return_val_if_fail (decision->options != NULL, NULL);
      next = lacuna_deid_options_copy (decision->options);
      break;
    }

  if (!lacuna_deid_options_validate (next, error))
    {
      lacuna_decision_free (undo);
      return NULL;
    }

  if (undo == NULL)
    undo = lacuna_decision_new_set_options (self->options);
  lacuna_deid_options_free (self->options);
  self->options = g_steal_pointer (&next);
  g_signal_emit (self, signals[CHANGED], 0);
  return undo;
}

gboolean
lacuna_decisions_set_override (LacunaDecisions           *self,
                               const char                *path,
                               LacunaDeidOverrideAction   action,
                               const char                *value,
                               GError                   **error)
{
  g_autoptr(LacunaDecision) d = NULL;
  g_autoptr(LacunaDecision) undo = NULL;

  g_return_val_if_fail (LACUNA_IS_DECISIONS (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  d = lacuna_decision_new_set_override (path, action, value);
  undo = lacuna_decisions_apply (self, d, error);
  return undo != NULL;
}

void
lacuna_decisions_clear_override (LacunaDecisions *self,
                                 const char      *path)
{
  g_autoptr(LacunaDecision) d = NULL;
  g_autoptr(LacunaDecision) undo = NULL;

  g_return_if_fail (LACUNA_IS_DECISIONS (self));
  g_return_if_fail (path != NULL);

  if (lacuna_decisions_get_override (self, path) == NULL)
    return;
  d = lacuna_decision_new_clear_override (path);
  undo = lacuna_decisions_apply (self, d, NULL);
}

void
lacuna_decisions_set_profile_options (LacunaDecisions     *self,
                                      LacunaProfileOption  options)
{
  g_autoptr(LacunaDecision) d = NULL;
  g_autoptr(LacunaDecision) undo = NULL;

  g_return_if_fail (LACUNA_IS_DECISIONS (self));

  if (self->options->options == options)
    return;
  d = lacuna_decision_new_set_profile_options (options);
  undo = lacuna_decisions_apply (self, d, NULL);
}

const LacunaDeidOverride *
lacuna_decisions_get_override (LacunaDecisions *self,
                               const char      *path)
{
  g_return_val_if_fail (LACUNA_IS_DECISIONS (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  if (self->options->overrides == NULL)
    return NULL;
  for (guint i = 0; i < self->options->overrides->len; i++)
    {
      const LacunaDeidOverride *o = g_ptr_array_index (self->options->overrides, i);

      if (g_strcmp0 (o->path, path) == 0)
        return o;
    }
  return NULL;
}

const LacunaDeidOptions *
lacuna_decisions_get_options (LacunaDecisions *self)
{
  g_return_val_if_fail (LACUNA_IS_DECISIONS (self), NULL);

  return self->options;
}

LacunaKey *
lacuna_decisions_get_key (LacunaDecisions *self)
{
  g_return_val_if_fail (LACUNA_IS_DECISIONS (self), NULL);

  return self->key;
}

void
lacuna_decisions_set_key (LacunaDecisions *self,
                          LacunaKey       *key)
{
  g_return_if_fail (LACUNA_IS_DECISIONS (self));

  if (self->key == key)
    return;
  g_clear_pointer (&self->key, lacuna_key_unref);
  self->key = key != NULL ? lacuna_key_ref (key) : NULL;
  g_signal_emit (self, signals[CHANGED], 0);
}

/* ------------------------------------------------------------------------------------- */

static void
lacuna_decisions_finalize (GObject *object)
{
  LacunaDecisions *self = (LacunaDecisions *) object;

  g_clear_pointer (&self->options, lacuna_deid_options_free);
  g_clear_pointer (&self->key, lacuna_key_unref);

  G_OBJECT_CLASS (lacuna_decisions_parent_class)->finalize (object);
}

static void
lacuna_decisions_class_init (LacunaDecisionsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lacuna_decisions_finalize;

  signals[CHANGED] = g_signal_new ("changed",
                                   G_TYPE_FROM_CLASS (klass),
                                   G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 0);
}

static void
lacuna_decisions_init (LacunaDecisions *self)
{
  self->options = lacuna_deid_options_new ();
}

LacunaDecisions *
lacuna_decisions_new (void)
{
  return g_object_new (LACUNA_TYPE_DECISIONS, NULL);
}
