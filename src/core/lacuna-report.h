/* lacuna-report.h: the report of an export, as JSON and as HTML.
 *
 * The report is written beside the output, never inside it. It holds the options and the
 * standard's edition; per output file its file ID, its input (withheld when the path holds
 * an identifying string of the input), every attribute changed with its action and reason
 * (tag, keyword and path: never a value), the pixel regions filled per frame, the preamble
 * found, and its SHA-256; what was skipped or left out and why; the failures; the residual
 * scan's result; the DICOMDIR's (and the .zip's) SHA-256; the instance counts in and out.
 *
 * JSON (version 1), top level:
 *   "lacuna-report": 1, "lacuna-version", "profile", "edition", "options": {…},
 *   "output", "archive" (null unless .zip), "shards",
 *   "counts": { "instances", "written", "left-out", "failed", "skipped", "warnings",
 *               "balanced" },
 *   "dicomdir": { "file-id", "sha256", "size" } | null,
 *   "zip": { "path", "sha256", "size" } | null,
 *   "files": [ { "file-id", "input", "sop-class-uid", "sha256", "size",
 *                "input-transfer-syntax", "transfer-syntax", "preamble"?,
 *                "included-unchecked"?, "changes": ID (the name of its list in
 *                "change-lists"), "pixels"?: { "rewritten",
 *                "regions": [ BOX ], "notes" }, "burned-in"?: SCAN,
 *                "verification"?: VERIFICATION, "residual" } ],
 *   "change-lists": { ID: [ { "path", "tag", "keyword", "action" (X Z D C U added note),
 *                     "reason" } ] }: the attributes changed, one list for all the files
 *                     with the same changes (ID: "c" + 16 hex digits of the SHA-256 of
 *                     the list's compact JSON; files name their list),
 *   "left-out": [ { "input", "sop-class-uid", "reason" } ],
 *   "skipped":  [ { "input", "reason" } ],
 *   "failed":   [ { "input" | "file-id", "error", "residual-hits"?, "burned-in"?,
 *                   "verification"? } ],
 *   "warnings": [ { "input", "warning" } ],
 *   "deface": [ { "series", "modality", "slices", "depth-mm", "result" (defaced,
 *                 defaced-not-verified, no-face-found, check-failed), "views",
 *                 "views-found", "detectors-agreeing", "method"?, "voxels-changed"?,
 *                 "verified"?, "text" } ]   (one per CT/MR series checked, with deface),
 *   "residual-scan": { "needles", "hits", "report" },
 *   "verification": { "checked", "passed", "failed" }   (written pixels verified)
 *
 * BOX: { "frame" (0-based; -1 every frame), "x", "y", "width", "height" }.
 * SCAN (burned-in AUTO): { "mode": "auto", "frames", "distinct-frames", "lines",
 *   "lines-boxed", "lines-clinical", "lines-identity", "lines-unreadable", "rescans",
 *   "lines-boxed-on-rescan", "boxes": [ BOX ] } (the boxes proposed).
 * VERIFICATION (every file whose pixels were scanned or boxed): { "passed", "frames",
 *   "boxes-checked", "text-lines-left", "identity-lines-left", "boxes-with-text",
 *   "pixels-changed-outside-boxes", "left": [ BOX ] (where text lines are left),
 *   "result" (one line: "passed: …" or "failed: …") }. A file that fails it is not
 *   written: its entry is in "failed". Never what OCR read, only counts and boxes.
 *
 * The HTML numbers frames from 1.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* "/x/out.report.json" → "/x/out.report.html" (".html" appended when there is no ".json"). */
char     *lacuna_report_dup_html_path (const char  *json_path);

/* The HTML rendering of a report object (every text escaped). */
char     *lacuna_report_to_html       (JsonObject  *report);

/* The changes of one entry of "files" (the list it names in "change-lists"; reports
 * written before lists were shared hold the array itself). NULL when absent. */
JsonArray *lacuna_report_get_changes  (JsonObject  *report,
                                       JsonObject  *file);

/* The JSON text of a report object (pretty-printed). */
char     *lacuna_report_to_json       (JsonObject  *report);

/* Writes the JSON at json_path and the HTML beside it, each atomically. */
gboolean  lacuna_report_write         (JsonObject  *report,
                                       const char  *json_path,
                                       GError     **error);

G_END_DECLS
