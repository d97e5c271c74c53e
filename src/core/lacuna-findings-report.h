/* lacuna-findings-report.h: the findings report, HTML and PDF, beside an export.
 *
 * Two readers, two parts, in this order:
 *   1. "For the patient", in plain words: what the study shows about them (identity written
 *      in the files, text in the images, a face, body measurements, what published AI models
 *      are known to infer), what the export removed, what cannot be removed and why, and
 *      where to ask. It names categories ("your name"), never the values themselves.
 *   2. "For the privacy officer": every finding (kind, evidence class with its verb, status
 *      in the input and in the copy, where, the action that clears it), what the export
 *      changed (from its JSON report: counts per action, the files, the pixel regions per
 *      frame, files left out, skipped and failed with their reasons, the residual scan, and
 *      verification results when the report has any), the options and the standard's
 *      edition, and thumbnails of the OUTPUT files only (the first frame of a few files per
 *      series, decoded from the written files; never the input).
 * Wording follows ../shared/design/INFERENCE.md §5: the four verbs, counts rather than
 * probabilities, no guess about the person, no single score.
 *
 * Files: BASENAME.findings.html (self-contained: inline CSS, images as data: URIs, light and
 * dark, printable) and BASENAME.findings.pdf (A4, cairo + pango, page numbers), BASENAME
 * defaulting to the export folder's path (a ".zip" export loses its extension). Both are
 * written atomically (a temporary file beside, then renamed) and never inside the export
 * folder (G_IO_ERROR_INVALID_ARGUMENT).
 *
 * Finding values that hold patient data (a quasi-identifier's "value"/"coarsened", the words
 * read in burned-in text) are never written. With a LacunaResidual (the inputs' identifying
 * strings), the text of both files is searched before anything is written and a hit refuses
 * the report (LACUNA_EXPORT_ERROR_FAILED naming the kind of identifier, never the value).
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "lacuna-collection.h"
#include "lacuna-findings.h"
#include "lacuna-residual.h"

G_BEGIN_DECLS

/* Thumbnails drawn per output series, and in all. */
#define LACUNA_FINDINGS_REPORT_THUMBNAILS_PER_SERIES 3
#define LACUNA_FINDINGS_REPORT_MAX_THUMBNAILS        24

/* "/x/out" → "/x/out.findings.html" / ".pdf" (a trailing ".zip" is dropped first). */
char     *lacuna_findings_report_dup_html_path (const char      *basename);
char     *lacuna_findings_report_dup_pdf_path  (const char      *basename);

/* Writes BASENAME.findings.html and BASENAME.findings.pdf (basename NULL: export_dir).
 * export_report: the export's JSON report object (may be NULL: then the report says no
 * export report was given and draws no thumbnails). export_dir: the export folder (its
 * files are read for the thumbnails; may be NULL when export_report is NULL).
 * FALSE + error when a file would go inside export_dir, when writing fails, or when
 * cancelled. */
gboolean  lacuna_findings_report_write         (LacunaFindings  *findings,
                                                JsonObject      *export_report,
                                                const char      *export_dir,
                                                const char      *basename,
                                                GCancellable    *cancellable,
                                                GError         **error);

/* The same, with:
 *   collection  (nullable) the inputs the findings came from: each image finding is then
 *               tied to its output file (by the input path the export report lists), and
 *               its redaction checked against the regions filled in that file.
 *   residual    (nullable) the inputs' identifying strings: checked against both texts.
 *   out_html_path, out_pdf_path (nullable) the paths written. */
gboolean  lacuna_findings_report_write_full    (LacunaFindings    *findings,
                                                JsonObject        *export_report,
                                                const char        *export_dir,
                                                const char        *basename,
                                                LacunaCollection  *collection,
                                                LacunaResidual    *residual,
                                                char             **out_html_path,
                                                char             **out_pdf_path,
                                                GCancellable      *cancellable,
                                                GError           **error);

G_END_DECLS
