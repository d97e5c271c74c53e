/* lacuna-findings-panel.h: every finding of the open collection, in a list.
 *
 * Each row: the evidence class (an icon and its word, "Stated", "Measured", "Detected" or
 * "Literature", never colour alone) with the class's fixed wording as tooltip, the
 * finding's text, its status and the action that clears it. The findings are collected in
 * a worker thread (header identity, quasi-identifiers, literature; no body composition,
 * OCR or faces here): a spinner shows meanwhile. Activating a finding emits
 * "finding-activated"; only findings with a tag path can be activated (region findings
 * are listed but not activatable yet). */
#pragma once

#include <gtk/gtk.h>

#include "lacuna-core.h"
#include "lacuna-findings.h"

G_BEGIN_DECLS

#define LACUNA_TYPE_FINDINGS_PANEL (lacuna_findings_panel_get_type ())
G_DECLARE_FINAL_TYPE (LacunaFindingsPanel, lacuna_findings_panel, LACUNA, FINDINGS_PANEL, GtkWidget)

GtkWidget      *lacuna_findings_panel_new            (void);

/* Collects the findings of collection (NULL clears); setting the same one does nothing. */
void            lacuna_findings_panel_set_collection (LacunaFindingsPanel *self,
                                                      LacunaCollection    *collection);
gboolean        lacuna_findings_panel_get_busy       (LacunaFindingsPanel *self);
/* The findings shown (a GListModel of LacunaFinding; empty while busy). */
GListModel     *lacuna_findings_panel_get_findings   (LacunaFindingsPanel *self);
/* Emits "finding-activated" for the finding at position (as a click would). */
void            lacuna_findings_panel_activate       (LacunaFindingsPanel *self,
                                                      guint                position);
/* The class word shown on a finding's badge ("Stated"…), translated. */
const char     *lacuna_findings_panel_class_word     (LacunaEvidenceClass  klass);

G_END_DECLS
