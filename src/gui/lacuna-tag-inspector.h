/* lacuna-tag-inspector.h: every element of one file, at every depth, as a tree, with what
 * export will do to it.
 *
 * Columns: tag (with an expander for sequences and their items), name, VR, value, the
 * action export applies with the current decisions, and the category (an icon and a word:
 * colour is never the only sign). Identifying rows are tinted (style.css). A search entry
 * filters by tag, keyword, name or value; "Identifying Only" hides the safe rows. Each row
 * has a menu: Keep, Remove, Replace With…, Reset to Profile; the choice becomes an override
 * in the LacunaDecisions, and the rows update at once (the file is planned again with
 * lacuna_deid_plan_file()).
 *
 * Keyboard: Ctrl+F searches; in the list, Shift+F10 or the Menu key opens the menu of the
 * selected row; Enter expands a sequence. */
#pragma once

#include <gtk/gtk.h>

#include "lacuna-core.h"
#include "lacuna-decisions.h"
#include "lacuna-deid-plan.h"
#include "lacuna-tag-row.h"

G_BEGIN_DECLS

#define LACUNA_TYPE_TAG_INSPECTOR (lacuna_tag_inspector_get_type ())
G_DECLARE_FINAL_TYPE (LacunaTagInspector, lacuna_tag_inspector, LACUNA, TAG_INSPECTOR, GtkWidget)

GtkWidget       *lacuna_tag_inspector_new                (void);

/* The decisions the rows show and change (referenced; NULL: a private set of defaults). */
void             lacuna_tag_inspector_set_decisions      (LacunaTagInspector *self,
                                                          LacunaDecisions    *decisions);
LacunaDecisions *lacuna_tag_inspector_get_decisions      (LacunaTagInspector *self);

/* Shows the elements of instance (opened again, walked and planned in a worker thread:
 * "busy" meanwhile); NULL clears. Setting the instance shown already does nothing. When the
 * new file has the shape of the one shown (the same element paths in the same order, as the
 * slices of a series have), the rows are updated in place: expanded rows stay expanded, the
 * selected row selected, the list where it was scrolled to; otherwise they are built again.
 * The same holds for lacuna_tag_inspector_set_file(). */
void             lacuna_tag_inspector_set_instance       (LacunaTagInspector *self,
                                                          LacunaInstance     *instance);
LacunaInstance  *lacuna_tag_inspector_get_instance       (LacunaTagInspector *self);
/* Shows the elements of file (taken: transfer full; NULL clears), at once. */
void             lacuna_tag_inspector_set_file           (LacunaTagInspector *self,
                                                          LacunaDicomFile    *file);
gboolean         lacuna_tag_inspector_get_busy           (LacunaTagInspector *self);

/* The current plan (NULL when there is no file, or planning failed). */
LacunaDeidPlan  *lacuna_tag_inspector_get_plan           (LacunaTagInspector *self);
/* The row of an element path or item path ("00101002/0"), or NULL. */
LacunaTagRow    *lacuna_tag_inspector_find_row           (LacunaTagInspector *self,
                                                          const char         *path);
/* The rows shown, in order: a GListModel of GtkTreeListRow (items: LacunaTagRow). */
GListModel      *lacuna_tag_inspector_get_shown_rows     (LacunaTagInspector *self);

void             lacuna_tag_inspector_set_search_text    (LacunaTagInspector *self,
                                                          const char         *text);
void             lacuna_tag_inspector_set_identifying_only (LacunaTagInspector *self,
                                                            gboolean            identifying_only);
gboolean         lacuna_tag_inspector_get_identifying_only (LacunaTagInspector *self);

/* Expands or collapses the row at position of the shown rows. */
void             lacuna_tag_inspector_set_expanded       (LacunaTagInspector *self,
                                                          guint               position,
                                                          gboolean            expanded);

/* Selects the row of path (expanding its parents) and scrolls to it. While a file is
 * loading, the row is selected once it is shown (returns FALSE then). FALSE when there is
 * no such row, or the search or "Identifying Only" hides it. */
gboolean         lacuna_tag_inspector_select_path        (LacunaTagInspector *self,
                                                          const char         *path);
/* The path of the selected row, or NULL. */
const char      *lacuna_tag_inspector_get_selected_path  (LacunaTagInspector *self);

G_END_DECLS
