/* lacuna-identity.h: the identifying strings of one file (internal to the engine).
 *
 * Shared by the de-identification transform (lacuna-deid.c cuts them out of text it cleans)
 * and the residual scan (lacuna-residual.c searches the output for them), so both agree on
 * what "this file's identifying strings" are.
 *
 * Which elements (any depth, standard elements only: private ones are skipped):
 *   every PN                          patient name: (0010,0010) Patient's Name, (0010,1001)
 *                                     Other Patient Names, (0010,1005) Patient's Birth Name,
 *                                     (0010,1060) Patient's Mother's Birth Name; any other
 *                                     PN (physicians, operators, observers…): person name
 *   (0010,0020) Patient ID (also inside (0010,1002) Other Patient IDs Sequence),
 *   (0010,1000) Other Patient IDs     patient ID
 *   (0008,0050) Accession Number      accession number
 *   (0020,0010) Study ID              study ID
 *   (0010,0030) Patient's Birth Date  birth date
 *   (0010,1040) Patient's Address     address
 *   (0010,2154) Telephone Numbers     phone
 *   (0008,0080) Institution Name, (0008,0081) Institution Address, (0008,1040)
 *   Institutional Department Name     institution (unless SKIP_INSTITUTION)
 *   (0008,1010) Station Name          station name (unless SKIP_DEVICE)
 *   Institution and station values that only repeat (part of) the Manufacturer or the
 *   Manufacturer's Model Name are skipped: the profile keeps those.
 *   (0010,1080) Military Rank, (0010,2150) Country and (0010,2152) Region of Residence:
 *                                     residence (cut from cleaned text, never searched: a
 *                                     country or rank alone identifies nobody)
 * Elements stored as UN whose dictionary VR is a string VR are read from their bytes.
 * Values the engine itself writes as dummies (ANONYMOUS^ + 8 base32, LAC + 10 base32) and
 * placeholders (ANONYMOUS, UNKNOWN, …) are not identifying and are skipped.
 */
#pragma once

#include <glib.h>

#include "lacuna-dicom.h"

G_BEGIN_DECLS

typedef enum
{
  LACUNA_IDENTITY_PATIENT_NAME,
  LACUNA_IDENTITY_PERSON_NAME,
  LACUNA_IDENTITY_PATIENT_ID,
  LACUNA_IDENTITY_ACCESSION_NUMBER,
  LACUNA_IDENTITY_STUDY_ID,
  LACUNA_IDENTITY_BIRTH_DATE,
  LACUNA_IDENTITY_ADDRESS,
  LACUNA_IDENTITY_PHONE,
  LACUNA_IDENTITY_INSTITUTION,
  LACUNA_IDENTITY_STATION_NAME,
  LACUNA_IDENTITY_RESIDENCE,
  LACUNA_IDENTITY_N_KINDS
} LacunaIdentityKind;

typedef enum
{
  LACUNA_IDENTITY_COLLECT_DEFAULT          = 0,
  LACUNA_IDENTITY_COLLECT_SKIP_INSTITUTION = 1 << 0,   /* Retain Institution Identity */
  LACUNA_IDENTITY_COLLECT_SKIP_DEVICE      = 1 << 1,   /* Retain Device Identity */
} LacunaIdentityCollectFlags;

/* One identifying value as found in the file. */
typedef struct
{
  LacunaIdentityKind  kind;
  guint32             tag;
  char               *value;   /* UTF-8, surrounding spaces removed, '\' between values */
} LacunaIdentityValue;

/* How a derived string must be matched (see lacuna-residual.c for the boundary rules). */
typedef enum
{
  LACUNA_IDENTITY_MATCH_TEXT,     /* boundaries chosen by the string's first/last characters */
  LACUNA_IDENTITY_MATCH_DATE,     /* YYYYMMDD: no digit before; anything after (a DT's time) */
  LACUNA_IDENTITY_MATCH_WEAK,     /* a number of 3 to 5 digits: only inside text values */
  LACUNA_IDENTITY_MATCH_DIGITS,   /* a phone's digits: only in the digits-only projection */
} LacunaIdentityMatch;

/* One string to look for, derived from a value. */
typedef struct
{
  LacunaIdentityKind   kind;
  LacunaIdentityMatch  match;
  char                *text;    /* as written in the input (original case) */
} LacunaIdentityString;

/* "patient name", "patient ID", "birth date", … (static, untranslated). */
const char *lacuna_identity_kind_to_string (LacunaIdentityKind kind);

/* The identifying values of file (LacunaIdentityValue*, owned). */
GPtrArray  *lacuna_identity_collect        (LacunaDicomFile            *file,
                                            LacunaIdentityCollectFlags  flags);
/* The strings to search for, derived from values (LacunaIdentityString*, owned), without
 * duplicates (case-insensitive). Rules in lacuna-identity.c. */
GPtrArray  *lacuna_identity_derive         (GPtrArray                  *values);
/* What lacuna-deid.c cuts out of text it cleans (char*, owned), longest first, at least 3
 * characters, no duplicates (ASCII case-insensitive): every PN whole and its parts, the IDs,
 * address, phone, institution and residence values whole and split at ',' and '\', the birth
 * date in six formats, and every string of lacuna_identity_derive() except phone digits. */
GPtrArray  *lacuna_identity_dup_scrub_tokens (LacunaDicomFile            *file,
                                              LacunaIdentityCollectFlags  flags);

/* The kind an element with this tag and (effective) VR is collected as, whatever its value
 * and the collect flags (the table above; a standard PN that is not a patient's name is a
 * PERSON_NAME). FALSE for elements that hold no identifying string, private ones included.
 * Used by lacuna_identity_collect() and by the plan's categories (lacuna-deid-plan.h). */
gboolean    lacuna_identity_kind_for_tag   (guint32                     tag,
                                            const char                 *vr,
                                            LacunaIdentityKind         *out_kind);

/* TRUE for the dummies the engine writes and for placeholder words. */
gboolean    lacuna_identity_is_placeholder (const char                 *value);

G_END_DECLS
