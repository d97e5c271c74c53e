/* lacuna-tag-row.h: one row of the tag inspector: an element (at any depth) or a sequence
 * item, with what the plan says export will do to it.
 *
 * Rows form a tree: a sequence's children are its items, an item's children are its
 * elements. The plan data change when the decisions change, and the value and VR too when
 * the inspector shows another file of the same shape (the next slice of a series):
 * lacuna_tag_row_update(). The read-only properties "value", "vr", "action" (everything
 * the action label shows) and "category" then notify, each only when it changed, and
 * "changed" is emitted once when anything did. */
#pragma once

#include <gio/gio.h>

#include "lacuna-deid-plan.h"

G_BEGIN_DECLS

#define LACUNA_TYPE_TAG_ROW (lacuna_tag_row_get_type ())
G_DECLARE_FINAL_TYPE (LacunaTagRow, lacuna_tag_row, LACUNA, TAG_ROW, GObject)

typedef enum
{
  LACUNA_TAG_ROW_ELEMENT,
  LACUNA_TAG_ROW_ITEM,
} LacunaTagRowKind;

/* An element row from its plan entry. */
LacunaTagRow        *lacuna_tag_row_new_element     (const LacunaDeidPlanEntry *entry);
/* Item index (0-based) of the sequence at seq_path. */
LacunaTagRow        *lacuna_tag_row_new_item        (const char         *seq_path,
                                                     guint               index);

LacunaTagRowKind     lacuna_tag_row_get_kind        (LacunaTagRow       *self);
/* Element: its shim path; item: "seq/index". */
const char          *lacuna_tag_row_get_path        (LacunaTagRow       *self);
guint32              lacuna_tag_row_get_tag         (LacunaTagRow       *self);
const char          *lacuna_tag_row_get_keyword     (LacunaTagRow       *self);
const char          *lacuna_tag_row_get_vr          (LacunaTagRow       *self);
gboolean             lacuna_tag_row_is_sequence     (LacunaTagRow       *self);
/* The value as read (NULL: sequence, item, large binary). */
const char          *lacuna_tag_row_get_value       (LacunaTagRow       *self);

/* Texts for the columns (translated, owned): "(0010,0010)" / "Item 2"; the dictionary's
 * name ("Private element", "Unknown element" otherwise); the value on one line, cut after
 * 120 characters ("2 items", "Binary data", "Empty"); the action ("Keep", "Remove (with its
 * sequence)", "Keep (override)", "Replace → 19000101"). exact_values: the key is the one
 * export uses, so keyed values can be shown as they will be written. */
char                *lacuna_tag_row_dup_tag_label    (LacunaTagRow      *self);
char                *lacuna_tag_row_dup_name_label   (LacunaTagRow      *self);
char                *lacuna_tag_row_dup_value_label  (LacunaTagRow      *self);
char                *lacuna_tag_row_dup_action_label (LacunaTagRow      *self,
                                                      gboolean           exact_values);
/* The action word alone ("Keep", "Remove", …; translated, static). */
const char          *lacuna_tag_row_get_action_word  (LacunaTagRow      *self);

LacunaProfileAction  lacuna_tag_row_get_action      (LacunaTagRow       *self);
const char          *lacuna_tag_row_get_reason      (LacunaTagRow       *self);
LacunaDeidCategory   lacuna_tag_row_get_category    (LacunaTagRow       *self);
gboolean             lacuna_tag_row_get_overridden  (LacunaTagRow       *self);
gboolean             lacuna_tag_row_get_with_parent (LacunaTagRow       *self);
LacunaDeidPlanEdit   lacuna_tag_row_get_edit        (LacunaTagRow       *self);
const char          *lacuna_tag_row_get_new_value   (LacunaTagRow       *self);
gboolean             lacuna_tag_row_get_keyed       (LacunaTagRow       *self);
/* The row's category is not SAFE (items: never). */
gboolean             lacuna_tag_row_is_identifying  (LacunaTagRow       *self);
/* The row or a row below it is identifying. */
gboolean             lacuna_tag_row_has_identifying (LacunaTagRow       *self);

/* Children (a GListModel of LacunaTagRow), or NULL for a row without any. */
GListModel          *lacuna_tag_row_get_children    (LacunaTagRow       *self);
LacunaTagRow        *lacuna_tag_row_get_parent      (LacunaTagRow       *self);
void                 lacuna_tag_row_append_child    (LacunaTagRow       *self,
                                                     LacunaTagRow       *child);

/* Takes the value, VR, item count and plan data of entry (same path: see
 * lacuna_tag_row_same_shape()); notifies the properties that changed and emits "changed"
 * when anything did. Returns TRUE then. */
gboolean             lacuna_tag_row_update          (LacunaTagRow              *self,
                                                     const LacunaDeidPlanEntry *entry);
/* TRUE when self is the element row entry would make: same path and tag, a sequence with
 * as many items, or not a sequence. */
gboolean             lacuna_tag_row_same_shape      (LacunaTagRow              *self,
                                                     const LacunaDeidPlanEntry *entry);

/* Whether the inspector's filter shows the row. */
gboolean             lacuna_tag_row_get_shown       (LacunaTagRow       *self);
void                 lacuna_tag_row_set_shown       (LacunaTagRow       *self,
                                                     gboolean            shown);

G_END_DECLS
