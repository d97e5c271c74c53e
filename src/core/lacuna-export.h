/* lacuna-export.h: writing a de-identified copy of what was loaded.
 *
 * One run (lacuna_export_run) takes input paths (files, folders, DICOMDIRs, .zip) and an
 * output folder and does, in this order:
 *
 *  1. Checks the output folder: created when absent; refused when it holds a file that
 *     Lacuna did not write (anything but DICOMDIR, the DICOM/ file-ID tree, Lacuna's
 *     manifests and its temporary files), when it is an input or lies inside an input
 *     folder (a rerun would read it back), or an input lies inside it.
 *  2. Loads the inputs (LacunaLoader). Non-DICOM files are skipped and listed (not a
 *     failure); unreadable DICOM files are failures.
 *  3. First pass, header only, over every instance (all shards do all of it): the input UID
 *     set (lacuna-uid-map.h) and the residual scan's identifying strings (lacuna-residual.h).
 *  4. Per instance of this shard, in a pool of `jobs` threads: opens it fully (read-only),
 *     leaves it out when its payload cannot be checked (encapsulated documents, video,
 *     pixel data that cannot be decoded) unless include_unknown_payloads, scans its pixels
 *     for burned-in text (burned_in AUTO: the proposed boxes join its boxes), applies
 *     lacuna_deid_apply() and lacuna_redact_apply(), saves it (zero preamble, fresh meta)
 *     to a temporary file in its target folder, runs the residual scan on that file,
 *     verifies its pixels when they were scanned or boxed (OCR again: no text line left
 *     that is not all clinical vocabulary, none matching the identity, no text in a box,
 *     no pixel changed outside the boxes; lacuna_burned_in_verify() and
 *     lacuna_burned_in_diff_outside()), hashes it (SHA-256) and renames it to its final
 *     name: a PS3.10 file ID made from the new UIDs (lacuna_export_file_id()). A file that
 *     fails at any step (a failed verification included) leaves nothing under a final
 *     name and does not stop the others.
 *  5. Writes the shard's manifest OUTDIR/.lacuna-shard-I-of-N.json: the options, the
 *     counts, and per file what the report needs (no values, no input path that holds an
 *     identifying string).
 *  6. Unsharded (n_shards == 1): finalizes at once (lacuna_export_finalize's work): the
 *     DICOMDIR, then the report beside the output, and with zip the .zip.
 *
 * Rerunning the same command after an interruption completes the export: temporary files
 * of the same shard are removed and every file is written again (the output is a pure
 * function of the inputs, the options and the key, so the result is the same).
 */
#pragma once

#include <gio/gio.h>

#include "lacuna-deid-options.h"
#include "lacuna-key.h"
#include "lacuna-redact.h"

G_BEGIN_DECLS

/* The hidden files Lacuna writes into an output folder. */
#define LACUNA_EXPORT_MANIFEST_PREFIX ".lacuna-shard-"
#define LACUNA_EXPORT_TEMP_MARKER     ".lacuna-tmp-"
/* The File-set ID written into the DICOMDIR. */
#define LACUNA_EXPORT_FILESET_ID      "LACUNA"

/* Burned-in text (lacuna-burned-in.h) in an export. */
typedef enum
{
  /* No scan. Boxes given (options, recipe) are still verified after writing. An image
   * whose (0028,0301) Burned In Annotation is YES, or whose modality is US, SC or OT, and
   * that gets no box, is written with a warning. */
  LACUNA_EXPORT_BURNED_IN_OFF,
  /* Every image is scanned before redaction; every proposed box (each text line whose
   * words are not all clinical vocabulary, and every unreadable text-like region; frame
   * -1 when on every frame) is added to its boxes; the written pixels are verified. A
   * file that passes records Clean Pixel Data (113101) and (0028,0301) Burned In
   * Annotation NO. */
  LACUNA_EXPORT_BURNED_IN_AUTO,
} LacunaExportBurnedIn;

/* "off", "auto" */
const char *lacuna_export_burned_in_to_string   (LacunaExportBurnedIn  mode);
/* FALSE for anything but "off" and "auto". */
gboolean    lacuna_export_burned_in_from_string (const char            *text,
                                                 LacunaExportBurnedIn  *out_mode);

typedef struct
{
  /* De-identification options (copied by lacuna_export_new). NULL: defaults. */
  LacunaDeidOptions *deid;
  /* Boxes applied to every instance with pixels (frame -1: every frame), in addition to
   * those a recipe gives. */
  GArray            *boxes;               /* LacunaRedactBox, may be NULL */
  /* The JSON report; NULL: OUTPUT.report.json beside the output (".zip" stripped). The
   * HTML report is the same path with ".html" instead of ".json". Never inside the output. */
  char              *report_path;
  /* Write OUTPUT as a .zip (the same names, fixed timestamps, no comment) instead of a
   * folder. Not with shards. */
  gboolean           zip;
  /* Worker threads; 0: the number of processors. */
  guint              jobs;
  /* 0-based shard index and number of shards (1: unsharded). */
  guint              shard_index;
  guint              n_shards;
  /* Burned-in text: OFF (default) or AUTO. The Clean Pixel Data option and
   * pixels_verified_clean in deid are honoured per file, only for images that AUTO scanned
   * and whose written pixels passed the verification; with OFF they are refused. */
  LacunaExportBurnedIn burned_in;
  /* Deface (lacuna-deface.h): every CT or MR series of at least 20 slices is checked for a
   * face (lacuna_deface_series, before the per-instance jobs); when one is found, its
   * slices are written defaced ((0028,0302) NO, 113102 recorded), or fail when the
   * defacing is not verified. Implied by the Clean Recognizable Visual Features option in
   * deid (recorded only in defaced slices). deface_depth_mm: 0 for
   * LACUNA_DEFACE_DEFAULT_DEPTH_MM. */
  gboolean           deface;
  double             deface_depth_mm;
} LacunaExportOptions;

LacunaExportOptions *lacuna_export_options_new  (void);
void                 lacuna_export_options_free (LacunaExportOptions *options);

typedef struct _LacunaExport LacunaExport;

/* Called on the thread running lacuna_export_run() about twice a second and at the end of
 * each phase. phase is a static, untranslated word ("loading", "indexing", "defacing",
 * "writing", "finalizing"). */
typedef void (*LacunaExportProgressFunc) (const char *phase,
                                          guint       n_done,
                                          guint       n_total,
                                          gpointer    user_data);

/* key: referenced. options: copied (NULL: defaults). */
LacunaExport *lacuna_export_new             (const char * const         *inputs,
                                             const char                 *output,
                                             LacunaKey                  *key,
                                             const LacunaExportOptions  *options);
void          lacuna_export_free            (LacunaExport               *self);
void          lacuna_export_set_progress_func (LacunaExport             *self,
                                               LacunaExportProgressFunc  func,
                                               gpointer                  user_data);

/* Blocking. FALSE + error when the run could not happen at all (output refused, nothing
 * to read, bad options, cancelled) or the final steps failed (DICOMDIR, report, zip).
 * TRUE otherwise, even when some files failed: see the counts. */
gboolean      lacuna_export_run             (LacunaExport               *self,
                                             GCancellable               *cancellable,
                                             GError                    **error);

/* Counts after a run. Instances: those found in the input (all shards); of this shard's
 * instances, written + left_out + failed == in_shard. Skipped: non-DICOM inputs and
 * duplicates (not failures). Failed also counts unreadable input files and residual hits. */
guint         lacuna_export_get_n_instances (LacunaExport               *self);
guint         lacuna_export_get_n_in_shard  (LacunaExport               *self);
guint         lacuna_export_get_n_written   (LacunaExport               *self);
guint         lacuna_export_get_n_left_out  (LacunaExport               *self);
guint         lacuna_export_get_n_skipped   (LacunaExport               *self);
guint         lacuna_export_get_n_failed    (LacunaExport               *self);
/* Files whose written pixels were verified (burned-in text scan, boxes): passed, and
 * failed (these are also counted in n_failed and not written). */
guint         lacuna_export_get_n_verified  (LacunaExport               *self);
guint         lacuna_export_get_n_verification_failed (LacunaExport     *self);
/* One line per failure, file left out, file skipped and warning of this run ("input: why";
 * inputs with a merely non-zero or TIFF preamble: one summary line, detail in the report;
 * an input path holding an identifying string is withheld), for a terminal. */
GStrv         lacuna_export_dup_messages    (LacunaExport               *self);
/* The JSON report written (unsharded runs), or NULL. */
const char   *lacuna_export_get_report_path (LacunaExport               *self);

/* Finalizes a sharded export: reads every OUTDIR/.lacuna-shard-I-of-N.json, checks that all
 * N are there and complete with the same options, and that every file they list is present
 * with its hash; writes the DICOMDIR, then the report (report_path NULL: beside OUTDIR).
 * out_n_failed (may be NULL) receives the number of failed files over all shards. FALSE +
 * error when it cannot finalize. */
gboolean      lacuna_export_finalize        (const char                 *output,
                                             const char                 *report_path,
                                             guint                      *out_n_failed,
                                             char                      **out_report_path,
                                             GError                    **error);

/* The PS3.10 file ID of an instance from its new (de-identified) identifiers:
 * "DICOM/P…/S…/S…/I…", each component a letter and 7 base32 characters of a SHA-256 of
 * the patient ID, Study, Series and SOP Instance UID. Deterministic. */
char         *lacuna_export_file_id         (const char                 *patient_id,
                                             const char                 *study_uid,
                                             const char                 *series_uid,
                                             const char                 *sop_instance_uid);

/* Which shard (0..n_shards-1) an original Study Instance UID belongs to: a keyed hash,
 * so every machine with the same key agrees. */
guint         lacuna_export_shard_of_study  (LacunaKey                  *key,
                                             const char                 *study_uid,
                                             guint                       n_shards);

/* The default report path for an output ("/x/out" → "/x/out.report.json"; a ".zip" output
 * loses its extension first). */
char         *lacuna_export_dup_default_report_path (const char         *output,
                                                     gboolean            zip);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LacunaExportOptions, lacuna_export_options_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LacunaExport, lacuna_export_free)

G_END_DECLS
