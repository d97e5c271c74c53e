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
 *   - "burned-in-text" (stated, or detected when unreadable): lacuna-burned-in.h, every
 *     image; one finding per text line, where = the instance, the first frame holding the
 *     line and the line's box. Values as there, plus "proposed_box" [x, y, w, h] (the
 *     redaction box proposed for the line, margin included; absent when the line is kept)
 *     and "proposed_frames" ("all", or the 1-based frames). "read" (the words) is kept:
 *     strip it (lacuna_burned_in_finding_strip_read) before a report or a log.
 *   - "face" (detected): lacuna-face.h, for CT/MR series of at least
 *     LACUNA_FINDINGS_FACE_MIN_SLICES slices (a rendered volume; where = the first instance
 *     and the render box of the best view, see lacuna_finding_set_render_box) and for 2D
 *     pictures (SC, XC, VL, OP, OT, ES, GM, SM, or any colour image; where = the instance,
 *     frame 1 and the box). The LacunaFaceResult is the finding's source object.
 * The last three are the expensive checks (LacunaFindingsCheck): collect() runs those
 * enabled with lacuna_findings_set_checks() (all by default); lacuna_findings_collect_header()
 * and lacuna_findings_run_check() run the parts separately (a viewer shows the header
 * findings at once and runs each check in a worker thread).
 *
 * Every check run is reported, found or not, as a JSON object (lacuna_findings_get_check):
 *   { "check": "burned-in-text" | "face" | "body-composition",
 *     "ran": true | false,            (false: not applicable, or it could not run)
 *     "series": UID | null, "modality": "US" | null,
 *     "found": n,                     (findings it added)
 *     "summary": "…",                 (one translated sentence, never patient data)
 *     "error": "…"                    (only when it could not run)
 *     … check-specific counts: burned-in-text "images", "frames", "frames_scanned",
 *     "lines", "boxed", "failed"; face "views", "detectors", "pictures" and
 *     "details" (lacuna_face_result_to_json for a volume); body-composition "instance" }
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
 *   { "version": 1, "findings": [ <lacuna_finding_to_json()> … ],
 *     "checks": [ <the check objects above> … ] }
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
/* The expensive checks. */
typedef enum
{
  LACUNA_FINDINGS_CHECK_NONE             = 0,
  LACUNA_FINDINGS_CHECK_BURNED_IN        = 1 << 0,   /* OCR of every image */
  LACUNA_FINDINGS_CHECK_FACE             = 1 << 1,   /* head volumes and pictures */
  LACUNA_FINDINGS_CHECK_BODY_COMPOSITION = 1 << 2,   /* CT */
} LacunaFindingsCheck;

#define LACUNA_FINDINGS_CHECK_ALL (LACUNA_FINDINGS_CHECK_BURNED_IN | LACUNA_FINDINGS_CHECK_FACE | \
                                   LACUNA_FINDINGS_CHECK_BODY_COMPOSITION)
#define LACUNA_FINDINGS_N_CHECKS 3
/* A CT or MR series with fewer slices is not rendered as a volume. */
#define LACUNA_FINDINGS_FACE_MIN_SLICES 40

/* "burned-in-text", "face", "body-composition" (one check, not a combination). */
const char     *lacuna_findings_check_to_string     (LacunaFindingsCheck    check);
/* "Burned-in text", "Faces", "Body composition" (translated). */
const char     *lacuna_findings_check_get_title     (LacunaFindingsCheck    check);
/* The check of index 0 … LACUNA_FINDINGS_N_CHECKS - 1, in the order collect() runs them. */
LacunaFindingsCheck lacuna_findings_check_nth       (guint                  index);

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

/* Which expensive checks collect() runs (default LACUNA_FINDINGS_CHECK_ALL).
 * lacuna_findings_set_body_composition() sets or clears the body-composition bit. */
void            lacuna_findings_set_checks          (LacunaFindings        *self,
                                                     LacunaFindingsCheck    checks);
LacunaFindingsCheck lacuna_findings_get_checks      (LacunaFindings        *self);

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

/* The cheap part of collect(): header identity, quasi-identifiers, literature cards.
 * FALSE + error only when cancelled. */
gboolean        lacuna_findings_collect_header      (LacunaFindings        *self,
                                                     LacunaCollection      *collection,
                                                     GCancellable          *cancellable,
                                                     GError               **error);
/* One expensive check (whatever lacuna_findings_set_checks says), its findings and its
 * reports appended to self. FALSE + error when cancelled, or (body composition) when a
 * slice was set and no CT series has it (G_IO_ERROR_NOT_FOUND; reported too). A check that
 * cannot run (no OCR engine, a detector model missing) is not an error: its report says
 * "ran": false with the "error". Thread-safe for distinct self. */
gboolean        lacuna_findings_run_check           (LacunaFindings        *self,
                                                     LacunaCollection      *collection,
                                                     LacunaFindingsCheck    check,
                                                     GCancellable          *cancellable,
                                                     GError               **error);

/* The checks run (see above), in order. Borrowed. */
guint           lacuna_findings_get_n_checks        (LacunaFindings        *self);
JsonObject     *lacuna_findings_get_check           (LacunaFindings        *self,
                                                     guint                  index);
/* Appends a check report (reference taken); for producers. */
void            lacuna_findings_add_check           (LacunaFindings        *self,
                                                     JsonObject            *check);
/* The summaries of every report of one check, one per line (translated), or NULL when the
 * check did not run on self. */
char           *lacuna_findings_dup_check_summary   (LacunaFindings        *self,
                                                     LacunaFindingsCheck    check);

/* Adds every surviving quasi-identifier's coarsening to options; returns how many
 * overrides were added (one-click coarsening). */
guint           lacuna_findings_add_coarsening      (LacunaFindings        *self,
                                                     LacunaDeidOptions     *options);

JsonNode       *lacuna_findings_to_json             (LacunaFindings        *self);

G_END_DECLS
