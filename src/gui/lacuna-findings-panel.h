/* lacuna-findings-panel.h: every finding of the open collection, in a list, and the checks
 * that looked for them.
 *
 * Each row: the evidence class (an icon and its word, "Stated", "Measured", "Detected" or
 * "Literature", never colour alone) with the class's fixed wording as tooltip, the
 * finding's text, its status, where it is and the action that clears it.
 *
 * The header findings (identity, quasi-identifiers, literature cards) are collected in a
 * worker thread and shown as soon as they are ready (a spinner meanwhile: "busy"). The
 * expensive checks (burned-in text, faces, body composition: LacunaFindingsCheck) each run in
 * their own worker thread; above the list, one row per check says "Checking…" while it runs
 * ("checking"), then what it did, found or not ("A face was not found by our detectors in 9
 * renderings … (3 detectors)"). Setting another collection (or NULL, or disposing) cancels
 * them all.
 *
 * Activating a finding that has a "where" (a tag path, an instance, an image region)
 * emits "finding-activated"; the window shows it (the tag row, the instance and frame, the
 * proposed redaction box). A face or body-composition finding also opens the details below
 * the checks: the rendering with the detectors' boxes and counts, or the slice's areas and
 * the method. The body-composition row has "Measure the Slice Shown" (the image view's
 * current CT slice instead of the suggested one); the burned-in row has "Box Every Proposed
 * Line", which emits "box-proposed" (the window turns every proposed box into a redaction
 * box, one undo step). The body-composition card has "Show on Image": the body outline and
 * the fat and muscle-density regions drawn over the slice (LacunaBodycompOverlay), and the
 * slice shown. The slice is measured in a worker (a spinner beside the button meanwhile;
 * closing the card, another collection or disposing stops it); an error is shown under the
 * button, never in place of the check's summary.
 *
 * Statuses are live (INFERENCE.md §5.5): with decisions set, each row shows the status the
 * finding will have in the export written with the decisions as they are now
 * (lacuna_finding_status_predict: redaction boxes over burned-in text, tag overrides and
 * profile options for header findings and quasi-identifiers, defacing for a face in a
 * volume), with the decision that made it so ("Your decision: keep it in the export."). Each
 * change of the decisions (undo and redo included) updates the rows whose status changed;
 * no check runs again. Without decisions, the finding's own status (in the input). */
#pragma once

#include <gtk/gtk.h>

#include "lacuna-bodycomp-overlay.h"
#include "lacuna-core.h"
#include "lacuna-decisions.h"
#include "lacuna-findings.h"
#include "lacuna-image-view.h"

G_BEGIN_DECLS

#define LACUNA_TYPE_FINDINGS_PANEL (lacuna_findings_panel_get_type ())
G_DECLARE_FINAL_TYPE (LacunaFindingsPanel, lacuna_findings_panel, LACUNA, FINDINGS_PANEL, GtkWidget)

GtkWidget      *lacuna_findings_panel_new            (void);

/* Collects the findings of collection (NULL clears); setting the same one does nothing. */
void            lacuna_findings_panel_set_collection (LacunaFindingsPanel *self,
                                                      LacunaCollection    *collection);
/* The image view whose current slice "Measure the Slice Shown" measures (weak). */
void            lacuna_findings_panel_set_image_view (LacunaFindingsPanel *self,
                                                      LacunaImageView     *view);
/* The decisions the statuses follow (reference kept; NULL: the findings' own statuses). */
void            lacuna_findings_panel_set_decisions  (LacunaFindingsPanel *self,
                                                      LacunaDecisions     *decisions);
/* The overlay "Show on Image" turns on (weak). */
void            lacuna_findings_panel_set_bodycomp_overlay (LacunaFindingsPanel   *self,
                                                            LacunaBodycompOverlay *overlay);
/* The status shown for finding (one of the panel's findings): see above. */
LacunaFindingStatus lacuna_findings_panel_get_status (LacunaFindingsPanel *self,
                                                      LacunaFinding       *finding);
/* TRUE while the header findings are collected. */
gboolean        lacuna_findings_panel_get_busy       (LacunaFindingsPanel *self);
/* Property "checking": TRUE while any expensive check runs. */
gboolean        lacuna_findings_panel_get_checking   (LacunaFindingsPanel *self);
/* Whether a check is running now. */
gboolean        lacuna_findings_panel_is_check_running (LacunaFindingsPanel *self,
                                                        LacunaFindingsCheck  check);
/* What the check row says now ("Checking…", the summaries, or "" before it ran). */
const char     *lacuna_findings_panel_get_check_text (LacunaFindingsPanel *self,
                                                      LacunaFindingsCheck  check);
/* Measures body composition again on the CT image with this Instance Number (G_MININT: the
 * suggested slice); its old finding is replaced when done. */
void            lacuna_findings_panel_measure_slice  (LacunaFindingsPanel *self,
                                                      int                  instance_number);
/* TRUE while "Show on Image" measures the slice (in a worker; a spinner beside the button). */
gboolean        lacuna_findings_panel_get_overlay_busy  (LacunaFindingsPanel *self);
/* Why "Show on Image" could not show the regions, as shown under its button ("" when it
 * could); the body-composition check's summary is never replaced by it. */
const char     *lacuna_findings_panel_get_overlay_error (LacunaFindingsPanel *self);
/* The findings shown (a GListModel of LacunaFinding; the header ones empty while busy). */
GListModel     *lacuna_findings_panel_get_findings   (LacunaFindingsPanel *self);
/* Emits "finding-activated" for the finding at position (as a click would) and shows its
 * details when it has any. */
void            lacuna_findings_panel_activate       (LacunaFindingsPanel *self,
                                                      guint                position);
/* The finding whose details are shown, or NULL. */
LacunaFinding  *lacuna_findings_panel_get_details_finding (LacunaFindingsPanel *self);
/* The class word shown on a finding's badge ("Stated"…), translated. */
const char     *lacuna_findings_panel_class_word     (LacunaEvidenceClass  klass);

G_END_DECLS
