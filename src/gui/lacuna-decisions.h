/* lacuna-decisions.h: what the user decided about the export of the open study.
 *
 * Holds the LacunaDeidOptions export will use (the PS3.15 options and the recipe overrides
 * chosen in the tag inspector; later also redaction boxes) and the key its keyed values
 * come from. Every change is a LacunaDecision given to lacuna_decisions_apply(), the one
 * function that changes the options: it returns the decision that undoes the change, so
 * an undo stack can wrap it without knowing what changed. After each change "changed" is
 * emitted.
 *
 * The inspector's overrides name one element exactly ("00100010", "00101002/0/00100020")
 * and are put first in the list, so they win over a recipe's broader patterns. */
#pragma once

#include <glib-object.h>

#include "lacuna-deid-options.h"
#include "lacuna-key.h"

G_BEGIN_DECLS

typedef enum
{
  LACUNA_DECISION_SET_OVERRIDE,      /* path, action, value */
  LACUNA_DECISION_CLEAR_OVERRIDE,    /* path: back to the profile */
  LACUNA_DECISION_SET_PROFILE_OPTIONS, /* profile_options */
  LACUNA_DECISION_SET_OPTIONS,       /* options: everything at once (what undo uses) */
  LACUNA_DECISION_ADD_BOX,           /* box, inserted at box_index (G_MAXUINT: appended) */
  LACUNA_DECISION_CHANGE_BOX,        /* box_index, box: replaces that box */
  LACUNA_DECISION_REMOVE_BOX,        /* box_index */
} LacunaDecisionKind;

typedef struct
{
  LacunaDecisionKind        kind;
  char                     *path;
  LacunaDeidOverrideAction  action;
  char                     *value;
  LacunaProfileOption       profile_options;
  LacunaDeidOptions        *options;
  /* Box decisions: the index in the options' boxes, and the box (owned). Their undo
   * decision is the inverse box decision (add ↔ remove, change back). */
  guint                     box_index;
  LacunaDeidBox            *box;
} LacunaDecision;

LacunaDecision *lacuna_decision_new_set_override     (const char               *path,
                                                      LacunaDeidOverrideAction  action,
                                                      const char               *value);
LacunaDecision *lacuna_decision_new_clear_override   (const char               *path);
LacunaDecision *lacuna_decision_new_set_profile_options (LacunaProfileOption    options);
/* options: copied. */
LacunaDecision *lacuna_decision_new_set_options      (const LacunaDeidOptions  *options);
/* box: copied. */
LacunaDecision *lacuna_decision_new_add_box          (const LacunaDeidBox      *box);
LacunaDecision *lacuna_decision_new_change_box       (guint                     index,
                                                      const LacunaDeidBox      *box);
LacunaDecision *lacuna_decision_new_remove_box       (guint                     index);
void            lacuna_decision_free                 (LacunaDecision           *decision);

/* A copy of box (sop_instance_uid and frames copied); free with lacuna_deid_box_free(). */
LacunaDeidBox  *lacuna_deid_box_copy                 (const LacunaDeidBox      *box);
void            lacuna_deid_box_free                 (LacunaDeidBox            *box);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LacunaDecision, lacuna_decision_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LacunaDeidBox, lacuna_deid_box_free)

#define LACUNA_TYPE_DECISIONS (lacuna_decisions_get_type ())
G_DECLARE_FINAL_TYPE (LacunaDecisions, lacuna_decisions, LACUNA, DECISIONS, GObject)

LacunaDecisions         *lacuna_decisions_new          (void);

/* The options now (borrowed; valid until the next change). */
const LacunaDeidOptions *lacuna_decisions_get_options  (LacunaDecisions          *self);

/* Applies decision, emits "changed" and returns the decision that undoes it (owned).
 * Returns NULL and changes nothing when the decision would make the options invalid
 * (lacuna_deid_options_validate(): error set) . */
LacunaDecision          *lacuna_decisions_apply        (LacunaDecisions          *self,
                                                        const LacunaDecision     *decision,
                                                        GError                  **error);

/* Shorthands over lacuna_decisions_apply() (the undo decision is dropped). */
gboolean                 lacuna_decisions_set_override (LacunaDecisions          *self,
                                                        const char               *path,
                                                        LacunaDeidOverrideAction  action,
                                                        const char               *value,
                                                        GError                  **error);
void                     lacuna_decisions_clear_override (LacunaDecisions        *self,
                                                          const char             *path);
void                     lacuna_decisions_set_profile_options (LacunaDecisions   *self,
                                                               LacunaProfileOption options);

/* The override naming exactly path, or NULL. */
const LacunaDeidOverride *lacuna_decisions_get_override (LacunaDecisions         *self,
                                                         const char              *path);

/* The key export will use, or NULL when none is known yet (the inspector then shows
 * keyed values as what they are, not as their exact text). */
LacunaKey               *lacuna_decisions_get_key      (LacunaDecisions          *self);
void                     lacuna_decisions_set_key      (LacunaDecisions          *self,
                                                        LacunaKey                *key);

/* Signal "changed" (no arguments): the options or the key changed. */

G_END_DECLS
