/* lacuna-deid.h: the de-identification engine's header transformation (PS3.15 Annex E).
 *
 * Usage:
 *   1. First pass over the input: lacuna_uid_set_collect() for every file into one set.
 *   2. ctx = lacuna_deid_context_new (key, options, set, &error): immutable afterwards, so
 *      one context may serve several worker threads at once (each with its own file).
 *   3. Per file: open it (fully, not header-only), lacuna_deid_apply (ctx, file, log, &error),
 *      then save it with lacuna_dicom_file_save() under a new name. The input file on disk
 *      is never touched; the in-memory dataset is changed.
 *
 * What lacuna_deid_apply() does, element by element, at every depth of every sequence
 * (the meta header included), decisions first, edits after the walk:
 *
 *  - A recipe override matching the element's path decides first (keep/remove/replace).
 *  - Private elements (odd group), private creators included, are removed, unless Retain
 *    Safe Private is active and the element is in the built-in safe list. That list is
 *    EMPTY in this version: PS3.15 Table E.3.10-1 lists attributes by private creator, and
 *    we did not reproduce it; entries are added only when they can be justified one by
 *    one. So the option is recorded but retains nothing yet.
 *  - An element of Table E.1-1 gets lacuna_profile_resolve() with the options, then
 *    lacuna_profile_resolve_type() with its Type from lacuna-iod-types (UNKNOWN inside
 *    sequences and for IODs not covered: the conservative choice). Then:
 *      X  removed (a sequence with all its items).
 *      K  kept (a sequence's items are still processed).
 *      U  keyed UID (lacuna-uid-map.h), each value of a multi-valued UI.
 *      Z  emptied. Except the attributes DICOM or a DICOMDIR needs a value in (Patient's
 *         Name, Patient ID, Study ID, Study Date, Study Time, Accession Number): those get
 *         the D dummy below, so that a PACS neither merges nor splits patients and studies.
 *         A sequence cannot be written with zero items through the shim: Z on a sequence
 *         empties each of its items (every element in them removed).
 *      D  a dummy consistent with the VR:
 *           PN  "ANONYMOUS^" + 8 base32 of a keyed hash of the original value (Patient's
 *               Name: of the original Patient ID, so one patient keeps one name)
 *           LO SH UC ST LT UT AE  "LAC" + 10 base32 of a keyed hash of the original (Study
 *               ID and Accession Number: of the original and the Study Instance UID, so
 *               that studies sharing an ID such as "1" do not share a dummy; Patient ID: of
 *               the original ID, or of the name when the ID is empty)
 *           DA "19000101", TM "000000", DT "19000101000000" (fixed: obviously not real)
 *           DS IS US SS UL SL FL FD  "0";  AS "000Y";  CS "ANONYMIZED";  UR "urn:x-lacuna:dummy"
 *           UI  the keyed UID (U)
 *           OB OW UN and other binary  8 zero bytes (kept as they are with
 *               include_unknown_payloads)
 *           SQ  kept, its items processed (their contents are replaced by the rules)
 *         Keyed dummies of the same original are the same across files, studies and runs.
 *      C  clean:
 *           DA, and the date part of DT: shifted by the patient's offset (Retain Modified
 *           Dates: offset = keyed hash of the original Patient ID, 1..N days either way,
 *           never 0). TM, and timezone offsets: unchanged (a whole-day shift does not move
 *           the time of day). A value that is not a valid date gets the action the
 *           profile gives without the option, and the log says so.
 *           Text (LO SH ST LT UT UC): the identifying strings of this file's own header
 *           (names, IDs, birth date, address, phone numbers, institution) are cut out.
 *           PN, AE: the D dummy. SQ: kept, items processed. Overlay data and curves (Clean
 *           Graphics): kept (redacting boxes in overlay bits is a later stage). Other
 *           binary values: removed (cannot be cleaned; kept with include_unknown_payloads).
 *  - Overlay groups (60xx, even): every element of the group follows the Overlay Data row
 *    (Basic: the whole group is removed; Clean Graphics: kept).
 *  - Other standard elements: a UI value that is in the input UID set is remapped (U),
 *    anywhere; group lengths (gggg,0000) are removed; elements the dictionary does not
 *    know are removed (kept with include_unknown_payloads); everything else is kept (a
 *    residual scan checks them later). (0008,0005) Specific Character Set is kept.
 *  - File meta: Media Storage SOP Instance UID follows the SOP Instance UID (same keyed
 *    function); Source/Sending/Receiving AE Titles and private meta information are
 *    removed. lacuna_dicom_file_save() rebuilds the meta header anyway.
 *
 * Then the record of what was done (PS3.15 E.1.1):
 *   (0012,0062) Patient Identity Removed  YES
 *   (0012,0063) De-identification Method  the profile's edition and name, each active
 *               option's meaning, "Lacuna <version>" (one LO value each; existing values
 *               kept first: successive de-identifications accumulate)
 *   (0012,0064) De-identification Method Code Sequence  one item (DCM, CID 7050) for
 *               113100 and for each active option (existing items kept). The engine itself
 *               does nothing to pixels: set CLEAN_PIXEL_DATA and
 *               CLEAN_RECOGNIZABLE_VISUAL_FEATURES only when the caller's pixel stage
 *               applies them, since they are recorded as done.
 *   (0028,0303) Longitudinal Temporal Information Modified  UNMODIFIED (Full Dates),
 *               MODIFIED (Modified Dates), REMOVED (otherwise)
 *   (0018,A001) Contributing Equipment Sequence  a new item: Purpose of Reference
 *               (109104, DCM, "De-identifying Equipment"), Manufacturer "Lacuna",
 *               Software Versions the version. No Contribution DateTime: nothing in the
 *               output comes from the clock, so two runs give identical files.
 *   (0028,0301) Burned In Annotation  "NO" only with pixels_verified_clean; otherwise left
 *               exactly as it was (absent stays absent: we do not claim what we did not
 *               check).
 *
 * The log records, for every element, its path, keyword, the action applied and why;
 * never a value.
 *
 * lacuna_deid_plan_file() (lacuna-deid-plan.h) runs the same decisions without applying
 * them: apply is that decision pass followed by its edits and the record. */
#pragma once

#include <glib.h>

#include "lacuna-deid-options.h"
#include "lacuna-dicom.h"
#include "lacuna-key.h"
#include "lacuna-profile.h"

G_BEGIN_DECLS

/* The method text and component values written to (0012,0063). */
#define LACUNA_DEID_METHOD_PROFILE "DICOM PS3.15 " LACUNA_PROFILE_EDITION " E.1 Basic Profile"

/* ---------------------------------------------------------------------------------------- */
/* Log                                                                                      */

typedef enum
{
  LACUNA_DEID_LOG_ELEMENT,   /* an element of the input: path, keyword, action */
  LACUNA_DEID_LOG_ADDED,     /* an element the engine added or set (the record, 0012,…) */
  LACUNA_DEID_LOG_NOTE,      /* something about the file as a whole (no path) */
} LacunaDeidLogKind;

typedef struct
{
  LacunaDeidLogKind    kind;
  char                *path;      /* shim path ("00081115/0/00081155"); NULL for NOTE */
  const char          *keyword;   /* static; "" when unknown */
  /* One of X Z D K C U for ELEMENT entries (the action actually applied, after Type
   * resolution and fallbacks); NONE for ADDED and NOTE. */
  LacunaProfileAction  action;
  const char          *reason;    /* static, untranslated English: "Basic Profile",
                                   * "Retain Modified Dates Option", "recipe override",
                                   * "private element", "UID referenced in the input set",
                                   * "not in the profile", … Never a value. */
} LacunaDeidLogEntry;

typedef struct _LacunaDeidLog LacunaDeidLog;

LacunaDeidLog            *lacuna_deid_log_new           (void);
void                      lacuna_deid_log_free          (LacunaDeidLog *log);
void                      lacuna_deid_log_clear         (LacunaDeidLog *log);
guint                     lacuna_deid_log_get_n_entries (LacunaDeidLog *log);
const LacunaDeidLogEntry *lacuna_deid_log_get_entry     (LacunaDeidLog *log,
                                                         guint          index);
/* The first ELEMENT entry for path, or NULL. */
const LacunaDeidLogEntry *lacuna_deid_log_find          (LacunaDeidLog *log,
                                                         const char    *path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LacunaDeidLog, lacuna_deid_log_free)

/* ---------------------------------------------------------------------------------------- */
/* Context                                                                                  */

typedef struct _LacunaDeidContext LacunaDeidContext;

/* key: referenced. options: copied and validated (NULL: defaults). input_uids: the set from
 * lacuna_uid_set_collect() (referenced, never modified afterwards by anyone; NULL: empty).
 * NULL + LACUNA_DEID_ERROR_FAILED for invalid options. */
LacunaDeidContext       *lacuna_deid_context_new       (LacunaKey                *key,
                                                        const LacunaDeidOptions  *options,
                                                        GHashTable               *input_uids,
                                                        GError                  **error);
LacunaDeidContext       *lacuna_deid_context_ref       (LacunaDeidContext        *ctx);
void                     lacuna_deid_context_unref     (LacunaDeidContext        *ctx);
const LacunaDeidOptions *lacuna_deid_context_get_options (LacunaDeidContext      *ctx);

/* The date offset in days (never 0) that Retain Modified Dates applies to the patient
 * with this original Patient ID ("" when absent). For tests and the (private) report
 * only: showing it next to shifted dates reveals the real ones. */
int                      lacuna_deid_context_get_date_offset (LacunaDeidContext  *ctx,
                                                              const char         *patient_id);

/* De-identifies file in place (in memory). log (may be NULL) receives one entry per
 * element and per addition; it is cleared first. Returns FALSE with an error (naming the
 * attribute, never a value) when an edit fails; the file is then in an undefined state
 * and must not be saved. Thread-safe for different files with one context. */
gboolean                 lacuna_deid_apply             (LacunaDeidContext        *ctx,
                                                        LacunaDicomFile          *file,
                                                        LacunaDeidLog            *log,
                                                        GError                  **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LacunaDeidContext, lacuna_deid_context_unref)

G_END_DECLS
