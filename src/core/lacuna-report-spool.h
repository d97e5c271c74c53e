/* lacuna-report-spool.h: the report's entries on disk rather than in memory, and the
 * report and manifests written and read by streaming them (engine-internal).
 *
 * An export keeps one entry per file written (a JSON object: file ID, input, SHA-256,
 * changes, pixels, burned-in scan, verification…). Held as JSON-GLib trees they took about
 * 13 KB each until the report was written. The spool keeps each in a temporary file (mode
 * 0600, beside the output's folder or in $TMPDIR, unlinked as soon as it is created, so
 * nothing is left behind even when the run is killed), as the thread adding it rendered it
 * for the report (its JSON, searched by the residual scan, and what the caller adds: its
 * HTML), or as one line of compact JSON when that rendering might not read back as the
 * same values; in memory stays only each entry's file ID and where it is (about 85 bytes).
 * The report (JSON and HTML) and the shard manifests are written by splicing what is kept,
 * one entry at a time, and manifests are read back the same way
 * (_lacuna_report_scan_member).
 *
 * Each entry may also carry its file's DICOMDIR record (lacuna-dicom.h), kept in the same
 * file beside the entry's line, never in it: a shard's manifest carries it as a member of
 * the entry (LACUNA_REPORT_RECORD_MEMBER), the report does not.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "lacuna-residual.h"

G_BEGIN_DECLS

/* Writes all of data to fd (again after EINTR, in pieces of at most 1 GiB); 0, or the
 * errno of the failure (ENOSPC when nothing more could be written). */
int                _lacuna_write_fd                  (int                 fd,
                                                      const void         *data,
                                                      gsize               size);

typedef struct _LacunaReportSpool LacunaReportSpool;

/* A new spool whose file is created in the folder holding near (an output, or a report
 * path), or in g_get_tmp_dir () when that fails. */
LacunaReportSpool *_lacuna_report_spool_new          (const char         *near,
                                                      GError            **error);
void               _lacuna_report_spool_free         (LacunaReportSpool  *self);

/* Appends an entry (a JSON object with a "file-id" string member; the node is not taken).
 * Thread-safe. */
gboolean           _lacuna_report_spool_add          (LacunaReportSpool  *self,
                                                      JsonNode           *entry,
                                                      GError            **error);
/* The same with extra (extra_len bytes, may be 0) kept with the entry. The entry is
 * rendered (_lacuna_report_render_entry) by the calling thread and kept so: the report and
 * the manifests are then written from what is kept, without parsing and rendering each
 * entry again (_lacuna_report_spool_read parses that text). With residual, the lines of
 * that rendering are searched at once, as a sink with the same residual would search them
 * (it then does not, unless inputs were added since). An entry whose text might not read
 * back as the same values (not UTF-8, or holding a double) is kept as its compact line,
 * without extra, and rendered when written. _lacuna_report_spool_add does this without
 * extra nor residual. */
gboolean           _lacuna_report_spool_add_full     (LacunaReportSpool  *self,
                                                      JsonNode           *entry,
                                                      LacunaResidual     *residual,
                                                      const char         *extra,
                                                      gsize               extra_len,
                                                      GError            **error);
/* The same for the entry's JSON text (any layout: it is parsed and written compact). */
gboolean           _lacuna_report_spool_add_text     (LacunaReportSpool  *self,
                                                      const char         *text,
                                                      gsize               len,
                                                      GError            **error);
guint              _lacuna_report_spool_get_length   (LacunaReportSpool  *self);
/* The residual the entries were added with (_lacuna_report_spool_add_full), when they all
 * were added with the same one; else NULL. */
LacunaResidual    *_lacuna_report_spool_get_checked_with (LacunaReportSpool *self);
/* The file ID of entry i (valid as long as the spool). */
const char        *_lacuna_report_spool_get_file_id  (LacunaReportSpool  *self,
                                                      guint               i);
/* Entry i parsed (a JSON object). */
JsonNode          *_lacuna_report_spool_read         (LacunaReportSpool  *self,
                                                      guint               i,
                                                      GError            **error);
/* What _lacuna_report_spool_add_full kept beside entry i: its rendering (out_piece) and
 * extra (NULL when empty); both NULL when nothing was kept. FALSE + error on a read
 * error. */
gboolean           _lacuna_report_spool_read_rendered (LacunaReportSpool *self,
                                                      guint               i,
                                                      GBytes            **out_piece,
                                                      GBytes            **out_extra,
                                                      GError            **error);
/* The member of an entry that carries its file's DICOMDIR record (base64) in a shard's
 * manifest, and only there: the spool keeps records beside the entries, never in them. */
#define LACUNA_REPORT_RECORD_MEMBER "dicomdir-record"

/* Keeps the DICOMDIR record (lacuna_dicom_file_build_dicomdir_record) of the file file_id
 * on disk until that file's entry is added, which then carries it. Thread-safe. An entry
 * added with a LACUNA_REPORT_RECORD_MEMBER member (read from a manifest) carries the
 * record it holds, and is kept without that member. */
gboolean           _lacuna_report_spool_add_record   (LacunaReportSpool  *self,
                                                      const char         *file_id,
                                                      GBytes             *record,
                                                      GError            **error);
gboolean           _lacuna_report_spool_has_record   (LacunaReportSpool  *self,
                                                      guint               i);
/* The record entry i carries; NULL when none (or with error on a read error). */
GBytes            *_lacuna_report_spool_read_record  (LacunaReportSpool  *self,
                                                      guint               i,
                                                      GError            **error);
/* A few bits a reader may keep per entry (the finalizer keeps the verification result). */
guint              _lacuna_report_spool_get_flags    (LacunaReportSpool  *self,
                                                      guint               i);
void               _lacuna_report_spool_set_flags    (LacunaReportSpool  *self,
                                                      guint               i,
                                                      guint               flags);
/* Orders the entries by file ID, then input (threads finish in any order; the manifest
 * and the report must not depend on it). */
gboolean           _lacuna_report_spool_sort         (LacunaReportSpool  *self,
                                                      GError            **error);

/* What the finalizer needs of entry (a JSON object) besides its JSON, worked out by the
 * thread that adds it (lacuna-report.c), for _lacuna_report_spool_add_full's extra: its
 * size, SHA-256 and verification result, and its HTML, searched with residual (may be
 * NULL; the one the entry is added with). changes: when lists_known, the list the entry
 * names in the report's "change-lists" (NULL when none); without, the HTML of an entry
 * naming a list is left to the finalizer. The finalizer uses what depends on the lists only
 * while the report's list of that name is as long. */
void               _lacuna_report_annotate_entry     (JsonObject         *entry,
                                                      gboolean            lists_known,
                                                      JsonNode           *changes,
                                                      LacunaResidual     *residual,
                                                      GString            *out);

/* The text of entry (a JSON object) as JSON-GLib's pretty generator writes it as an
 * element of a top-level member's array ("files" of a manifest or a report): indented by
 * four spaces, no final newline. */
char              *_lacuna_report_render_entry       (JsonNode           *entry);

/* Writes the pretty JSON of doc (whose member is an empty array) to out with the spool's
 * entries (and their DICOMDIR records) as that array's elements; the bytes are those of
 * the generator over the whole tree, followed by a newline when final_newline (without
 * entries, doc is written as it is). per_entry (may be NULL) is called with each entry
 * parsed, in order. */
typedef gboolean (*LacunaReportEntryFunc) (JsonObject  *entry,
                                           gpointer     data,
                                           GError     **error);
typedef struct _LacunaReportSink LacunaReportSink;
gboolean           _lacuna_report_write_spliced      (LacunaReportSink   *out,
                                                      JsonObject         *doc,
                                                      const char         *member,
                                                      LacunaReportSpool  *spool,
                                                      gboolean            final_newline,
                                                      LacunaReportEntryFunc per_entry,
                                                      gpointer            data,
                                                      GError            **error);
/* The same; with_records FALSE leaves the entries' DICOMDIR records out (the report),
 * TRUE puts them in as LACUNA_REPORT_RECORD_MEMBER (a manifest: what
 * _lacuna_report_write_spliced does). */
gboolean           _lacuna_report_write_spliced_full (LacunaReportSink   *out,
                                                      JsonObject         *doc,
                                                      const char         *member,
                                                      LacunaReportSpool  *spool,
                                                      gboolean            with_records,
                                                      gboolean            final_newline,
                                                      LacunaReportEntryFunc per_entry,
                                                      gpointer            data,
                                                      GError            **error);

/* The same, where per_piece (may be NULL) is called with each entry's index in spool and
 * the extra it was added with (NULL when none), in order, instead of the entry parsed:
 * entries kept rendered are written without being parsed. */
typedef gboolean (*LacunaReportPieceFunc) (LacunaReportSpool  *spool,
                                           guint               i,
                                           GBytes             *extra,
                                           gpointer            data,
                                           GError            **error);
gboolean           _lacuna_report_write_spliced_pieces (LacunaReportSink *out,
                                                      JsonObject         *doc,
                                                      const char         *member,
                                                      LacunaReportSpool  *spool,
                                                      gboolean            with_records,
                                                      gboolean            final_newline,
                                                      LacunaReportPieceFunc per_piece,
                                                      gpointer            data,
                                                      GError            **error);

/* A file written by streaming into a temporary file beside path (mode 0644), renamed over
 * path on commit; freed without commit, it leaves nothing. With residual, every line is
 * searched for the input's identifying strings as it is written (as
 * lacuna_residual_check_text searches a whole text: one hit per kind). */
LacunaReportSink  *_lacuna_report_sink_new           (const char         *path,
                                                      LacunaResidual     *residual,
                                                      GError            **error);
/* The same with the temporary file made from temp_template (a path ending in XXXXXX). */
LacunaReportSink  *_lacuna_report_sink_new_full      (const char         *path,
                                                      const char         *temp_template,
                                                      LacunaResidual     *residual,
                                                      GError            **error);
gboolean           _lacuna_report_sink_write         (LacunaReportSink   *self,
                                                      const char         *text,
                                                      gssize              len,
                                                      GError            **error);
/* The same for whole lines (text ends with a newline) that were searched already with
 * checked_with, then holding n_needles strings, without a hit: when they start a line
 * here and the sink searches with the same residual, still holding as many strings, they
 * are not searched again (else they are, as by _lacuna_report_sink_write). */
gboolean           _lacuna_report_sink_write_checked (LacunaReportSink   *self,
                                                      const char         *text,
                                                      gssize              len,
                                                      LacunaResidual     *checked_with,
                                                      guint               n_needles,
                                                      GError            **error);
/* Writes and checks what is buffered; the hits so far are in hits. */
gboolean           _lacuna_report_sink_finish        (LacunaReportSink   *self,
                                                      GError            **error);
GPtrArray         *_lacuna_report_sink_get_hits      (LacunaReportSink   *self);
/* Writes what is buffered, syncs the file to disk and renames it to its path. */
gboolean           _lacuna_report_sink_commit        (LacunaReportSink   *self,
                                                      GError            **error);
/* The same for several sinks, their syncs side by side; renamed in the order given. On an
 * error the sinks not yet renamed stay temporary files (removed when freed). */
gboolean           _lacuna_report_sinks_commit       (LacunaReportSink  **sinks,
                                                      guint               n_sinks,
                                                      GError            **error);
void               _lacuna_report_sink_free          (LacunaReportSink   *self);

/* Reads the JSON document at path by streaming the elements of its top-level member
 * (an array): func receives each element's text in turn; rest receives the document with
 * that array emptied ("[]"), for an ordinary parse. A document without the member is
 * passed whole to rest. FALSE + error on a read error, a document that is not an object,
 * or when func fails. */
typedef gboolean (*LacunaReportElementFunc) (const char  *text,
                                             gsize        len,
                                             gpointer     data,
                                             GError     **error);
gboolean           _lacuna_report_scan_member        (const char         *path,
                                                      const char         *member,
                                                      LacunaReportElementFunc func,
                                                      gpointer            data,
                                                      GString            *rest,
                                                      GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LacunaReportSpool, _lacuna_report_spool_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LacunaReportSink, _lacuna_report_sink_free)

G_END_DECLS
