/* lacuna-export-private.h: what lacuna-export.c, lacuna-export-instance.c,
 * lacuna-export-tree.c and lacuna-report.c share (engine-internal). */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "lacuna-collection.h"
#include "lacuna-deid.h"
#include "lacuna-dicom.h"
#include "lacuna-export.h"
#include "lacuna-loader.h"
#include "lacuna-ocr-classify.h"
#include "lacuna-redact.h"
#include "lacuna-report-spool.h"
#include "lacuna-residual.h"

G_BEGIN_DECLS

#define LACUNA_SHA256_HEX_LEN 64

/* ---------------------------------------------------------------------------------------- */
/* One run (lacuna-export.c sets it up; lacuna-export-instance.c writes each instance)       */

struct _LacunaExport
{
  GStrv                     inputs;
  char                     *output;        /* what the user named: folder or .zip */
  char                     *outdir;        /* the folder written into (staging for a .zip) */
  char                     *zip_path;      /* NULL unless zip */
  LacunaKey                *key;
  LacunaExportOptions      *options;
  char                     *report_path;
  char                     *temp_tag;

  LacunaExportProgressFunc  progress_func;
  gpointer                  progress_data;

  /* Run state. */
  LacunaCollection         *collection;
  GPtrArray                *instances;     /* LacunaInstance, this shard's */
  GPtrArray                *all_instances; /* every instance */
  GHashTable               *uids;
  GHashTable               *kept;          /* LacunaInstance → LacunaDicomFile: inputs the
                                            * index pass parsed whole, within a memory
                                            * budget, written without a second parse */
  gsize                     kept_bytes;
  gsize                     kept_budget;   /* bytes */
  gsize                     in_memory_max; /* inputs up to this size are read into memory */
  LacunaLoader             *loader;        /* while the index pass runs */
  LacunaResidual           *residual;
  LacunaDeidContext        *ctx;
  LacunaDeidContext        *ctx_clean;     /* burned-in AUTO: records Clean Pixel Data */
  LacunaDeidContext        *ctx_deface;    /* defaced: records 113102 */
  LacunaDeidContext        *ctx_deface_clean; /* both */
  GHashTable               *deface;        /* series UID → LacunaDefaceResult (applied) */
  GHashTable               *deface_failed; /* series UIDs whose defacing failed */
  GCancellable             *cancellable;

  GMutex                    lock;
  GHashTable               *names;         /* "parent/component" → full value (collisions) */
  JsonArray                *files;
  JsonObject               *change_lists;   /* id → the changes of the files naming it */
  gint                      run_serial;     /* this run among the process's (share_changes) */
  JsonArray                *left_out;
  JsonArray                *failed;
  JsonArray                *skipped;
  JsonArray                *warnings;
  JsonArray                *deface_checks;  /* the report's "deface": one object a series */
  guint                     n_residual_hits;
  LacunaReportSpool        *spool;          /* the entries of the files written (not in
                                             * memory: `files` stays NULL) */
  GError                   *spool_error;    /* the first entry the spool failed to take */

  GMutex                    done_lock;     /* n_done reaching n_jobs wakes run_pool() */
  GCond                     done_cond;
  guint                     n_jobs;
  int                       n_done;        /* atomics */
  int                       n_written;
  int                       n_left_out;
  int                       n_failed_instances;
  int                       n_verified;
  int                       n_verification_failed;
  guint                     n_failed_other;
  guint                     n_skipped;
  guint                     n_benign_preamble;  /* TIFF or merely non-zero (atomic) */
  guint                     n_instances;
  guint                     n_in_shard;    /* kept when the instances are released */
  gboolean                  ran;
};

/* Counts a job of run_pool() as done (the last one wakes it). */
void _lacuna_export_job_done (LacunaExport *self);

/* The input file the index pass kept for instance (the caller's now), or NULL. */
LacunaDicomFile *_lacuna_export_take_kept (LacunaExport   *self,
                                           LacunaInstance *instance);

/* text, or a placeholder when the residual scan finds an identifying string in it (input
 * paths often carry the patient's name). */
char     *_lacuna_export_safe_text         (LacunaExport   *self,
                                            const char     *text,
                                            gboolean       *out_withheld);
/* The input's path (and archive member) for messages; goes through safe_text. */
char     *_lacuna_export_instance_label    (LacunaInstance *instance);
void      _lacuna_export_add_input         (LacunaExport   *self,
                                            JsonBuilder    *b,
                                            const char     *label);
/* Appends { "input", ["sop-class-uid"], key: message } to array (under the lock). */
void      _lacuna_export_add_problem       (LacunaExport   *self,
                                            JsonArray      *array,
                                            const char     *label,
                                            const char     *key,
                                            const char     *message,
                                            const char     *sop_class_uid);

/* Records the report entry of a file written (takes entry): spooled to disk, not kept in
 * memory. Thread-safe; a failure is kept and fails the run when the files are written. */
void      _lacuna_export_add_file_entry    (LacunaExport   *self,
                                            JsonNode       *entry);

typedef struct
{
  LacunaExport   *self;
  LacunaInstance *instance;
} LacunaExportWriteJob;

/* The pool's function for phase 2 (data: a LacunaExportWriteJob). */
void      _lacuna_export_write_worker      (gpointer        data,
                                            gpointer        user_data);

/* ---------------------------------------------------------------------------------------- */
/* Files, hashes and the tree (lacuna-export-tree.c)                                        */

/* Builds the DICOMDIR record of a file just written (written: parsed from the bytes
 * written, file_id its file ID) and keeps it in self->spool, where the file's report entry
 * picks it up; the finalizer writes the DICOMDIR from the records. Nothing is reported
 * when no record can be built (the DICOMDIR is then built from the files). Thread-safe. */
void      _lacuna_export_keep_dicomdir_record (LacunaExport    *self,
                                               LacunaDicomFile *written,
                                               const char      *file_id);

/* For g_ptr_array_sort() over strings (it passes pointers to the elements). */
int       _lacuna_export_compare_strings   (gconstpointer  a,
                                            gconstpointer  b);
/* Lower-case hex SHA-256 (OpenSSL EVP) of a file's content. */
void      _lacuna_export_sha256_data       (const guint8  *data,
                                            gsize          size,
                                            char           out_hex[LACUNA_SHA256_HEX_LEN + 1]);
gboolean  _lacuna_export_sha256_file       (const char    *path,
                                            char           out_hex[LACUNA_SHA256_HEX_LEN + 1],
                                            guint64       *out_size,
                                            GError       **error);

/* TRUE when path is dir or lies below it (both made absolute and canonical as far as they
 * exist). */
gboolean  _lacuna_export_path_is_inside    (const char    *path,
                                            const char    *dir);

/* "OUTDIR/.lacuna-shard-I-of-N.json" */
char     *_lacuna_export_manifest_path     (const char    *outdir,
                                            guint          shard_index,
                                            guint          n_shards);
/* Parses a manifest file name: TRUE and the numbers for ".lacuna-shard-I-of-N.json". */
gboolean  _lacuna_export_parse_manifest_name (const char  *name,
                                              guint       *out_index,
                                              guint       *out_n);
/* The marker temporary files of shard I of N carry: ".lacuna-tmp-I-of-N-". */
char     *_lacuna_export_temp_tag          (guint          shard_index,
                                            guint          n_shards);

/* Creates outdir when absent; refuses (LACUNA_EXPORT_ERROR) one holding a file Lacuna did
 * not write: allowed are DICOMDIR, files and folders of the DICOM/ file-ID tree,
 * manifests and temporary files (and, when any file of the tree is present, at least one
 * manifest must be). Then removes the temporary files of temp_tag (a killed run's). */
gboolean  _lacuna_export_prepare_output    (const char    *outdir,
                                            const char    *temp_tag,
                                            GError       **error);
/* The same; with report_path, a tree without a manifest is also accepted when the JSON
 * report there lists every file of it (an unsharded output finalized earlier: its
 * manifest was removed after finalizing). */
gboolean  _lacuna_export_prepare_output_full (const char  *outdir,
                                              const char  *report_path,
                                              const char  *temp_tag,
                                              GError     **error);

/* Every regular file below outdir that belongs to the file-ID tree, as file IDs
 * ("DICOM/P…/…"), sorted. */
GPtrArray *_lacuna_export_list_tree        (const char    *outdir,
                                            GError       **error);

/* Writes the files of root named by file_ids (relative, '/' separated) into a .zip at
 * zip_path (temporary file, then rename): stored (no compression), every entry dated
 * 1980-01-01 00:00:00 UTC, mode 0644, no owner names, no comment, in the order given. */
gboolean  _lacuna_export_write_zip         (const char          *root,
                                            const char * const  *file_ids,
                                            const char          *zip_path,
                                            GError             **error);
/* TRUE when path is a .zip whose every member is DICOMDIR or a file-ID tree path. */
gboolean  _lacuna_export_zip_is_ours       (const char    *path);

/* Removes a staging folder that holds only what Lacuna wrote (the tree, DICOMDIR,
 * manifests); anything else stays. */
void      _lacuna_export_remove_staging    (const char    *outdir);

/* TRUE when a file ID ("DICOM/P…/S…/S…/I…") follows our scheme. */
gboolean  _lacuna_export_is_tree_file_id   (const char    *file_id);

/* Writes data to target atomically: an unnamed file in dir (O_TMPFILE) linked to target
 * once written, which leaves nothing behind even when the process is killed, and creates
 * the file without holding dir's lock (two threads writing into one folder otherwise wait
 * for each other's inode allocation); where that is not possible, or target exists, the
 * data is written again under a temporary name from tmpl (…XXXXXX, replaced), then
 * renamed. */
gboolean  _lacuna_export_write_into_place  (const char    *dir,
                                            char          *tmpl,
                                            const char    *target,
                                            const guint8  *data,
                                            gsize          size,
                                            GError       **error);
/* Writes text to path atomically (temporary file in the same folder, then rename). */
gboolean  _lacuna_export_write_text        (const char    *path,
                                            const char    *text,
                                            GError       **error);

/* Finalizes: reads the manifests in outdir (or takes manifest, an unsharded run's, from
 * memory), checks them and the files, writes the
 * DICOMDIR, with zip_path the .zip of the tree, and the report (JSON + HTML) at
 * report_path. residual (may be NULL) checks the report text. out_messages (may be NULL)
 * receives a line (owned string) per failure found here. */
gboolean  _lacuna_export_finalize_full     (const char     *outdir,
                                            const char     *report_path,
                                            const char     *zip_path,
                                            LacunaResidual *residual,
                                            JsonObject     *manifest,
                                            gboolean        verify_hashes,
                                            guint          *out_n_failed,
                                            GPtrArray      *out_messages,
                                            GError        **error);

/* The same with the files' entries in a spool (files, in the report's order) and manifest
 * without them; both NULL, or both given (an unsharded run finalizing from memory). */
gboolean  _lacuna_export_finalize_spooled  (const char        *outdir,
                                            const char        *report_path,
                                            const char        *zip_path,
                                            LacunaResidual    *residual,
                                            JsonObject        *manifest,
                                            LacunaReportSpool *files,
                                            gboolean           verify_hashes,
                                            guint             *out_n_failed,
                                            GPtrArray         *out_messages,
                                            GError           **error);

/* Burned-in text and the verification of written pixels (lacuna-export-verify.c). */

/* Why an image written without a box and without a scan may show its patient's identity:
 * (0028,0301) Burned In Annotation YES, or a modality that usually carries text (US, SC,
 * OT). NULL when neither. Untranslated (it goes into the report). */
char     *_lacuna_export_burned_in_warning (LacunaDicomFile       *file);

/* Rescans of a redacted copy in burned-in AUTO (see _lacuna_export_scan_burned_in). */
#define LACUNA_EXPORT_MAX_RESCANS 3

/* A fresh copy of the input, opened with pixels. */
typedef LacunaDicomFile *(*LacunaExportReopenFunc) (gpointer   data,
                                                    GError   **error);

/* Scans original (the input, opened with pixels) for burned-in text and appends the
 * proposed boxes to boxes. When boxes already holds some, the scan looks at a fresh copy
 * (reopen) with those filled, so text they cover is not read. When it proposed any, a fresh copy (reopen) redacted with all
 * boxes so far is scanned again and what it proposes is added too, until nothing new
 * turns up (at most LACUNA_EXPORT_MAX_RESCANS rescans). out_summary: the report's summary
 * (counts and boxes only, never what was read). FALSE + error when the frames cannot be
 * scanned. */
gboolean  _lacuna_export_scan_burned_in    (LacunaDicomFile        *original,
                                            LacunaOcrIdentity      *identity,
                                            LacunaExportReopenFunc  reopen,
                                            gpointer                reopen_data,
                                            GArray                 *boxes,
                                            JsonNode              **out_summary,
                                            GCancellable           *cancellable,
                                            GError                **error);

/* Verifies the written file (parsed from what was written): OCR again (no text line left that is not all
 * clinical vocabulary, none matching identity, no text-like pixels inside the boxes
 * applied) and the pixel diff against original outside the boxes. out_passed receives
 * the result, out_verification the report's "verification" object (counts and boxes,
 * never what was read). FALSE + error when the check could not run. */
gboolean  _lacuna_export_verify_written    (LacunaDicomFile       *original,
                                            LacunaDicomFile       *written,
                                            LacunaOcrIdentity     *identity,
                                            const LacunaRedactBox *applied,
                                            guint                  n_applied,
                                            gboolean              *out_passed,
                                            JsonNode             **out_verification,
                                            GCancellable          *cancellable,
                                            GError               **error);

/* Appends BOX (lacuna-report.h: frame, x, y, width, height) to the builder. */
void      _lacuna_export_add_box           (JsonBuilder           *b,
                                            const LacunaRedactBox *box);

/* One line for a terminal or a report: "passed" or what remains (counts only). */
char     *_lacuna_export_verification_summary (JsonObject         *verification);

G_END_DECLS
