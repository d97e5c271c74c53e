/* lacuna-findings.h: every finding of a collection (or of one file), in one list.
 *
 * A GListModel of LacunaFinding. lacuna_findings_collect() gathers, series by series:
 *   - "header-identity" (class stated): one finding per identifying attribute present with
 *     a value (every standard element whose PS3.15 Table E.1-1 row is not K or U, at any
 *     depth, quasi-identifiers excepted), and one per file for its private elements.
 *     where = the tag path, and the SOP Instance UID of the first instance holding it;
 *     values: "keyword", "name", "vr", "basic_action" (the Basic Profile's code: "X",
 *     "Z/D", …), "action" (what the export does with the options chosen, one of X Z D K C
 *     U), "instances" (how many instances of the series hold it).
 *   - "quasi-identifier" (stated; the BMI measured): lacuna-quasi.h.
 *   - "literature" (literature): the cards of lacuna-literature.h for each series, and
 *     "membership-inference" once when the collection holds any image.
 *   - "body-composition" (measured): lacuna-bodycomp.h, for abdominal CT series (the slice
 *     given with lacuna_findings_set_slice(), else the suggested one).
 * Findings of one series with the same kind, path and text are merged into one (values of
 * the first, "instances" counts them).
 *
 * Other detectors append their own findings: call lacuna_findings_add() (burned-in text,
 * faces…) after or instead of collect, or register a producer that collect() runs after
 * its own work, so one call gathers everything. Status is "present" for what is in the
 * input and "cannot-be-removed" for what redaction cannot remove; "reduced" and "removed"
 * are for findings re-checked on an export.
 *
 * JSON (lacuna_findings_to_json, the contract of `lacuna-cli inspect --infer --json`):
 *   { "version": 1, "findings": [ <lacuna_finding_to_json()> … ] }
 */
#pragma once

#include <gio/gio.h>

#include "lacuna-collection.h"
#include "lacuna-deid-options.h"
#include "lacuna-finding.h"
#include "lacuna-profile.h"

G_BEGIN_DECLS

#define LACUNA_TYPE_FINDINGS (lacuna_findings_get_type ())
G_DECLARE_FINAL_TYPE (LacunaFindings, lacuna_findings, LACUNA, FINDINGS, GObject)

/* Adds findings of its own to self (for example burned-in text or faces), for the whole
 * collection. FALSE + error stops lacuna_findings_collect() with that error. */
typedef gboolean (*LacunaFindingsProducer) (LacunaFindings    *findings,
                                            LacunaCollection  *collection,
                                            GCancellable      *cancellable,
                                            gpointer           user_data,
                                            GError           **error);

LacunaFindings *lacuna_findings_new                 (void);

/* The export options the header findings are judged against (default: none, the Basic
 * Profile alone). */
void            lacuna_findings_set_profile_options (LacunaFindings        *self,
                                                     LacunaProfileOption    options);
LacunaProfileOption lacuna_findings_get_profile_options (LacunaFindings    *self);
/* Body composition on the CT slice with this Instance Number (in every CT series that has
 * one, whatever its body part), instead of the suggested slice. G_MININT: suggest. */
void            lacuna_findings_set_slice           (LacunaFindings        *self,
                                                     int                    instance_number);
/* Whether collect() measures body composition (default TRUE). */
void            lacuna_findings_set_body_composition (LacunaFindings       *self,
                                                      gboolean              enabled);

/* Runs after collect()'s own work, in the order registered. */
void            lacuna_findings_add_producer        (LacunaFindings        *self,
                                                     LacunaFindingsProducer producer,
                                                     gpointer               user_data,
                                                     GDestroyNotify         destroy);

void            lacuna_findings_add                 (LacunaFindings        *self,
                                                     LacunaFinding         *finding);
/* Adds every LacunaFinding of the array (references taken). */
void            lacuna_findings_add_all             (LacunaFindings        *self,
                                                     GPtrArray             *findings);
guint           lacuna_findings_get_n_findings      (LacunaFindings        *self);
/* Borrowed. */
LacunaFinding  *lacuna_findings_get_finding         (LacunaFindings        *self,
                                                     guint                  index);
/* How many findings of that kind (NULL: all) there are. */
guint           lacuna_findings_count_kind          (LacunaFindings        *self,
                                                     const char            *kind);

/* The findings of one file (header identity, quasi-identifiers, literature cards; no body
 * composition, which needs the series): appended to self. instance may be NULL (then the
 * SOP Instance UID is read from the file). */
void            lacuna_findings_collect_file        (LacunaFindings        *self,
                                                     LacunaDicomFile       *file,
                                                     LacunaInstance        *instance);

/* Everything for the collection, appended to self. FALSE + error when cancelled
 * (G_IO_ERROR_CANCELLED), when a producer fails, or when a slice was set and no CT series
 * has an instance with that number (G_IO_ERROR_NOT_FOUND; the other findings are still
 * collected). Files that cannot be read are skipped (the loader reported them). */
gboolean        lacuna_findings_collect             (LacunaFindings        *self,
                                                     LacunaCollection      *collection,
                                                     GCancellable          *cancellable,
                                                     GError               **error);

/* Adds every surviving quasi-identifier's coarsening to options; returns how many
 * overrides were added (one-click coarsening). */
guint           lacuna_findings_add_coarsening      (LacunaFindings        *self,
                                                     LacunaDeidOptions     *options);

JsonNode       *lacuna_findings_to_json             (LacunaFindings        *self);

G_END_DECLS
