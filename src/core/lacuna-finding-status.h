/* lacuna-finding-status.h: what a finding's status will be in the copy, from the export
 * options as they are now, before any export (a viewer follows the user's decisions live).
 *
 * A finding's own status (lacuna_finding_get_status) is its status in the input; the
 * findings report judges the copy from the export's JSON report. This predicts it from the
 * options alone, the way the engine acts on them:
 *   header-identity   the first override whose path matches the finding's tag path
 *                     decides: Keep gives present, Remove and Replace removed. Without one,
 *                     the PS3.15 profile with the options (lacuna_profile_resolve, Type
 *                     unknown): X, Z, D, U removed; C reduced; K or no row present.
 *   quasi-identifier  the same, but a Replace override with a non-empty value coarsens
 *                     (reduced; an empty value removes), and what the profile leaves in
 *                     place (lacuna_quasi_survives: K, no row, C on a time) is present. The
 *                     BMI (values "bmi") follows Patient's Size and Weight together: removed
 *                     when either is removed, reduced when either is changed.
 *   burned-in-text, and a face on a 2D picture (a box on an instance): the redaction boxes
 *                     resolved for the finding's instance (lacuna_deid_options_resolve_boxes:
 *                     every frame, listed frames, and every image of the series with the
 *                     same size apply as export applies them) cover the finding's box on its
 *                     frame: all of it removed, part reduced, none present. Boxes the export
 *                     adds by itself (its automatic burned-in text mode) are not counted.
 *   face in a volume  (a render box) removed when the options include Clean Recognizable
 *                     Visual Features (export then defaces head CT and MR), else present.
 * A finding that cannot be removed by redaction stays so; other kinds keep their status.
 * Pure GLib; thread-safe. */
#pragma once

#include "lacuna-deid-options.h"
#include "lacuna-finding.h"
#include "lacuna-redact.h"

G_BEGIN_DECLS

/* The fraction (0 to 1) of box [x, y, w, h] covered by the boxes that apply to frame
 * (0-based; a box with frame -1 applies to every frame). 0 for an empty box. */
double              lacuna_finding_status_covered_fraction (const int              box[4],
                                                            int                    frame,
                                                            const LacunaRedactBox *boxes,
                                                            guint                  n_boxes);

/* The status the finding will have in the copy written with options (see above). lookup
 * (may be NULL) tells the series and size of an instance by its SOP Instance UID: of the
 * finding's own instance, and of the instances that "same size in series" boxes name. */
LacunaFindingStatus lacuna_finding_status_predict (LacunaFinding                *finding,
                                                   const LacunaDeidOptions      *options,
                                                   LacunaDeidInstanceLookupFunc  lookup,
                                                   gpointer                      user_data);

G_END_DECLS
