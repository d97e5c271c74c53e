/* lacuna-burned-in.h: text burned into the pixels of one instance (F3), and the check that
 * a redacted copy holds none.
 *
 * Every frame is scanned: text-like lines are found (lacuna-text-regions.h) on the frame
 * rendered over its whole stored range (colour frames: their luminance, plus saturated
 * colour), each line is read with Tesseract (lacuna-ocr.h) and its words classified
 * (lacuna-ocr-classify.h). Identical frames of a cine are scanned once, and a line whose
 * pixels were already read (in this instance or another one, e.g. the same annotation on
 * every slice of a series) is not read again.
 *
 * Default deny: every line gets a proposed redaction box (the whole line, with a margin
 * for antialiasing) unless all of its words are clinical vocabulary or short numbers. A
 * region that could not be read is never dropped: it is reported as "detected" and boxed.
 * A match with the header's identity only raises the severity.
 *
 * Privacy of what was read: the words are the patient's data, shown to the user on their
 * own machine. They are kept in LacunaBurnedInLine.text and in the finding's values member
 * "read" ONLY. Finding texts, messages, errors and logs never contain them, and a report
 * writer MUST drop values "read" (lacuna_burned_in_finding_strip_read()).
 *
 * Findings (kind "burned-in-text", one per distinct line; where: the SOP instance, the
 * first frame holding it (1-based) and the line's box), class "stated" when words were
 * read, "detected" when the region could not be read. Values:
 *   "severity": "identity" | "text" | "clinical"   (clinical: allow-listed, not boxed)
 *   "identity_kind": "patient name" | "birth date" | …   (identity only)
 *   "redact": true | false                          (a box is proposed)
 *   "words": {"identity": 2, "date": 1, …}          (counts per class, never the words)
 *   "frames": [1, 2, …]                             (1-based, every frame holding it)
 *   "read": "…"                                     (the text as read: see above)
 */
#pragma once

#include <gio/gio.h>

#include "lacuna-dicom.h"
#include "lacuna-finding.h"
#include "lacuna-ocr-classify.h"
#include "lacuna-redact.h"

G_BEGIN_DECLS

typedef enum
{
  LACUNA_BURNED_IN_CLINICAL,   /* only clinical vocabulary and numbers: kept */
  LACUNA_BURNED_IN_TEXT,       /* text (or an unreadable text-like region): boxed */
  LACUNA_BURNED_IN_IDENTITY,   /* a word matches the header's identity: boxed */
} LacunaBurnedInSeverity;

/* "clinical", "text", "identity" */
const char *lacuna_burned_in_severity_to_string (LacunaBurnedInSeverity severity);

typedef struct
{
  int                     box[4];        /* x, y, width, height of the line */
  GArray                 *frames;        /* guint, 0-based, every frame holding it */
  gboolean                read;          /* OCR read a letter or a digit */
  LacunaBurnedInSeverity  severity;
  gboolean                redact;        /* a box is proposed */
  const char             *identity_kind; /* static, or NULL */
  guint                   class_counts[LACUNA_OCR_N_CLASSES];
  guint                   n_words;
  char                   *text;          /* as read: patient data, never logged */
} LacunaBurnedInLine;

typedef struct _LacunaBurnedIn LacunaBurnedIn;

/* Scans every frame of file (opened with pixels). identity NULL: taken from file's header.
 * Frames that cannot be decoded give the shim's error. G_IO_ERROR_NOT_SUPPORTED when
 * Tesseract cannot be loaded; G_IO_ERROR_CANCELLED between frames. */
LacunaBurnedIn *lacuna_burned_in_scan            (LacunaDicomFile       *file,
                                                  LacunaOcrIdentity     *identity,
                                                  GCancellable          *cancellable,
                                                  GError               **error);
void            lacuna_burned_in_free            (LacunaBurnedIn        *self);

guint           lacuna_burned_in_get_n_frames    (LacunaBurnedIn        *self);
/* Frames actually scanned (others were identical to an earlier one). */
guint           lacuna_burned_in_get_n_distinct_frames (LacunaBurnedIn  *self);
guint           lacuna_burned_in_get_n_lines     (LacunaBurnedIn        *self);
const LacunaBurnedInLine *lacuna_burned_in_get_line (LacunaBurnedIn     *self,
                                                  guint                  index);

/* The findings (LacunaFinding*, owned), one per line, in reading order of first frames. */
GPtrArray      *lacuna_burned_in_dup_findings    (LacunaBurnedIn        *self,
                                                  const char            *sop_instance_uid);
/* Removes the values member "read" (the words read) from a burned-in finding: call it
 * before a finding goes into a report, a log or a file. */
void            lacuna_burned_in_finding_strip_read (LacunaFinding      *finding);

/* The proposed redaction boxes (LacunaRedactBox; frame -1 when the line is on every
 * frame), each line's box grown by a margin for antialiased edges, clipped to the image.
 * The input of `clean --burned-in auto`. */
GArray         *lacuna_burned_in_dup_boxes       (LacunaBurnedIn        *self);

/* The residual check of written pixels (F3's verification, items a and b). */
typedef struct
{
  guint   n_frames;          /* frames checked */
  guint   n_text_lines;      /* text lines left that are not all clinical vocabulary */
  guint   n_identity_lines;  /* of which, lines with a word matching the identity */
  guint   n_boxes_with_text; /* boxes that still hold text-like pixels */
  GArray *left;              /* LacunaRedactBox: where the lines left are */
} LacunaBurnedInCheck;

void     lacuna_burned_in_check_clear    (LacunaBurnedInCheck  *check);

/* Scans output (the written file, read back) again, in one pass over its frames: the
 * boxes on each frame are checked for text-like pixels, and only the text-like regions
 * found (the scan's prefilter: a box's black fill holds none) are read. A region that
 * cannot be read counts as a text line left, whatever Tesseract's confidence. Clean when
 * n_text_lines, n_identity_lines and n_boxes_with_text are all 0. identity: the
 * ORIGINAL's identity (the output's header is de-identified). */
gboolean lacuna_burned_in_verify         (LacunaDicomFile       *output,
                                          LacunaOcrIdentity     *identity,
                                          const LacunaRedactBox *boxes,
                                          guint                  n_boxes,
                                          LacunaBurnedInCheck   *check,
                                          GCancellable          *cancellable,
                                          GError               **error);

/* The pixel diff (item c): counts the pixels (per frame, any sample) that differ between
 * original and output outside the boxes. Stored values are compared when both decode to
 * the same layout; otherwise (a colour model or bit depth changed) the rendered RGB over
 * the original's stored range, allowing tolerance per channel (lossy input). Frames or
 * dimensions that differ give LACUNA_DICOM_ERROR_INVALID. */
gboolean lacuna_burned_in_diff_outside   (LacunaDicomFile       *original,
                                          LacunaDicomFile       *output,
                                          const LacunaRedactBox *boxes,
                                          guint                  n_boxes,
                                          guint                  tolerance,
                                          guint64               *out_n_changed,
                                          GError               **error);

/* lacuna_burned_in_verify() of output, then lacuna_burned_in_diff_outside() of original
 * and output with tolerance 0, in one call that reads output's pixel layout once: the
 * same results. On failure check is cleared. */
gboolean lacuna_burned_in_verify_written (LacunaDicomFile       *original,
                                          LacunaDicomFile       *output,
                                          LacunaOcrIdentity     *identity,
                                          const LacunaRedactBox *boxes,
                                          guint                  n_boxes,
                                          LacunaBurnedInCheck   *check,
                                          guint64               *out_n_changed,
                                          GCancellable          *cancellable,
                                          GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LacunaBurnedIn, lacuna_burned_in_free)

G_END_DECLS
