/* lacuna-ocr-classify.h: what the words read from a frame are.
 *
 * Every word read is put in one class:
 *   identity   matches the header's identifying strings: a name part (names split at '^',
 *              spaces, commas and hyphens), an ID, a date (birth, study, … in any common
 *              format), an institution word. Case-insensitive; words of 6 or more
 *              characters match at edit distance ≤ 1 (OCR misreads one letter); Tesseract
 *              reads the '^' between name parts as '*', '"' or '“', so words are also split
 *              there.
 *   date       a date or a time that matches nothing in the header
 *   id         six or more digits (an ID, an accession number, a phone)
 *   number     a short number, with or without a unit ("12", "0.8", "54%", "14.2cm")
 *   clinical   the allow-list: units, side and view markers, probe names (C5-2, L12-5),
 *              MI/TIS/TIB, FR, G, depth, presets (ABD, CAR, …)
 *   word       any other word
 *   noise      no letter or digit at all ("—", "»")
 * A line needs no redaction only when every word is clinical, number or noise, and at least
 * one is clinical or number (default deny: a line of unknown words is boxed).
 */
#pragma once

#include <glib.h>

#include "lacuna-dicom.h"

G_BEGIN_DECLS

typedef enum
{
  LACUNA_OCR_CLASS_IDENTITY,
  LACUNA_OCR_CLASS_DATE,
  LACUNA_OCR_CLASS_ID,
  LACUNA_OCR_CLASS_NUMBER,
  LACUNA_OCR_CLASS_CLINICAL,
  LACUNA_OCR_CLASS_WORD,
  LACUNA_OCR_CLASS_NOISE,
  LACUNA_OCR_N_CLASSES
} LacunaOcrClass;

/* "identity", "date", "id", "number", "clinical", "word", "noise" */
const char *lacuna_ocr_class_to_string (LacunaOcrClass klass);

/* The identifying strings to look for (built from a file's header, or by hand in tests). */
typedef struct _LacunaOcrIdentity LacunaOcrIdentity;

LacunaOcrIdentity *lacuna_ocr_identity_new        (void);
void               lacuna_ocr_identity_free       (LacunaOcrIdentity *self);
/* kind: a static string naming what it is ("patient name", "birth date", …). */
/* A person name (PN: "DOE^JANE^M", or "Doe, Jane"): its parts of 2 or more characters,
 * titles (DR, MR, …) excepted. */
void               lacuna_ocr_identity_add_name   (LacunaOcrIdentity *self,
                                                   const char        *kind,
                                                   const char        *name);
/* An ID: whole (letters and digits only) and its parts of 3 or more characters. */
void               lacuna_ocr_identity_add_id     (LacunaOcrIdentity *self,
                                                   const char        *kind,
                                                   const char        *id);
/* A DA value (YYYYMMDD); matched in every format lacuna_ocr_parse_date() knows. */
void               lacuna_ocr_identity_add_date   (LacunaOcrIdentity *self,
                                                   const char        *kind,
                                                   const char        *date);
/* Free text (an institution, an address): its words of 3 or more characters, generic
 * words (HOSPITAL, MEDICAL, CENTER, …) excepted. */
void               lacuna_ocr_identity_add_text   (LacunaOcrIdentity *self,
                                                   const char        *kind,
                                                   const char        *text);
/* Collects the header's identifying values: every person name (any depth), patient IDs,
 * accession number, every date (DA), institution, department, station, address.
 * Private elements and placeholders (ANONYMOUS, REMOVED, …) are skipped. */
LacunaOcrIdentity *lacuna_ocr_identity_new_from_file (LacunaDicomFile *file);
/* The same, read from file only when first needed (most images have no text line to
 * match, and reading a header's identity costs a walk). file must outlive the identity's
 * last use; it is never touched after that, nor when the identity is freed. */
LacunaOcrIdentity *lacuna_ocr_identity_new_deferred  (LacunaDicomFile *file);
guint              lacuna_ocr_identity_get_n_strings (LacunaOcrIdentity *self);

/* The kind (static) of the identifying string word matches, or NULL. */
const char        *lacuna_ocr_identity_match_word (LacunaOcrIdentity *self,
                                                   const char        *word);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LacunaOcrIdentity, lacuna_ocr_identity_free)

/* Levenshtein distance, counting Unicode characters, ASCII case-insensitive; stops at
 * max + 1. */
guint    lacuna_ocr_edit_distance   (const char *a,
                                     const char *b,
                                     guint       max);

/* Parses a date as burned into images: YYYYMMDD, YYYY-MM-DD, DD.MM.YYYY, MM.DD.YYYY,
 * M/D/YYYY, DD/MM/YY, YY/MM/DD, DD-Mon-YYYY, "DD Mon YYYY", "Mon DD, YYYY", DDMONYYYY, …
 * (separators . / -; a letter O read for a zero is accepted). Ambiguous forms give every
 * valid reading. Returns the number of readings (0: not a date), written to out_dates as
 * YYYYMMDD integers (a two-digit year gives 19YY and 20YY), at most max_dates. */
guint    lacuna_ocr_parse_date      (const char *text,
                                     guint      *out_dates,
                                     guint       max_dates);
/* TRUE for a time of day: HH:MM, HH:MM:SS, with am/pm or not. */
gboolean lacuna_ocr_is_time         (const char *text);
/* TRUE when word is on the clinical allow-list (see above; numbers are not). */
gboolean lacuna_ocr_is_clinical     (const char *word);

/* The class of one word (identity may be NULL: nothing matches the header). out_kind (may
 * be NULL) receives the identity kind of an identity word. */
LacunaOcrClass lacuna_ocr_classify_word (LacunaOcrIdentity *identity,
                                         const char        *word,
                                         const char       **out_kind);

/* Classifies the words of one line (dates spread over words, "29 Mar 00", are joined):
 * out_classes[i] for words[i]. Returns the kind of the first identity match or NULL. */
const char    *lacuna_ocr_classify_line (LacunaOcrIdentity  *identity,
                                         const char * const *words,
                                         guint               n_words,
                                         LacunaOcrClass     *out_classes);
/* TRUE when a line of these classes needs no redaction (see above). */
gboolean       lacuna_ocr_line_is_clinical (const LacunaOcrClass *classes,
                                            guint                 n_words);

G_END_DECLS
