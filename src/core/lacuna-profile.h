/* lacuna-profile.h: DICOM PS3.15 Annex E, Table E.1-1 (Application Level Confidentiality
 * Profile Attributes) as data, with its options (CID 7050) and the rules that turn a table
 * entry into one concrete action.
 *
 * This is the table only: which action the standard prescribes for an attribute. Doing the
 * action (removing, emptying, dummy values, UID remapping, date shifting, recursion into
 * sequences) is the de-identification engine's job.
 *
 * Pure C on GLib; every function is thread-safe (the table is constant data). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The edition of PS3.15 the table reproduces.
 *
 * The reference extract (innolitics-style JSON, 621 rows) names no edition; it was dated by
 * its content. (1) It has rows for attributes that the 2022-era dictionaries of DCMTK 3.6.7
 * and pydicom 2.3 do not know yet: (0018,1204) Date of Manufacture, (0018,1205) Date of
 * Installation, (3006,002D) ROI DateTime, (3006,004D) ROI Creator Sequence, (0012,0022)
 * Issuer of Clinical Trial Protocol ID and 12 more, so it is later than 2022. ((0018,11BB)
 * Acquisition Field Of View Label does not date it: DCMTK 3.6.7 knows it.) (2) Its rows per
 * Basic action (D 92, Z 42, X/Z 11, X/D 22, X/Z/D 8, Z/D 6, X/Z/U* 2, U 54, X 383 plus the
 * private-attributes row) equal those of an independent scrape of the 2024b edition
 * (KitwareMedical/dicom-anonymizer, dicomfields_2024b.py), whose U rows are the same 54
 * attributes. A later edition that left Table E.1-1 unchanged would be identical. */
#define LACUNA_PROFILE_EDITION "2024b"

/* Coding scheme and code of the Basic Profile itself (CID 7050). */
#define LACUNA_PROFILE_CODING_SCHEME_DESIGNATOR "DCM"
#define LACUNA_PROFILE_BASIC_CODE_VALUE         "113100"
#define LACUNA_PROFILE_BASIC_CODE_MEANING       "Basic Application Confidentiality Profile"

/* Action codes of Table E.1-1 (PS3.15 E.1.1, repeated in PS3.2 N.11.2.6).
 *   X remove; Z zero length (or a non-zero dummy consistent with the VR); D non-zero dummy
 *   consistent with the VR; K keep (a sequence is kept but its items are still processed);
 *   C clean (replace identifying content by values of similar meaning known to be safe);
 *   U replace a UID by one that is consistent within the set of instances.
 *   Combined codes choose by the attribute's Type in the IOD: see
 *   lacuna_profile_resolve_type(). */
typedef enum
{
  LACUNA_PROFILE_ACTION_NONE = 0,   /* not in the table / no entry in an option column */
  LACUNA_PROFILE_ACTION_X,
  LACUNA_PROFILE_ACTION_Z,
  LACUNA_PROFILE_ACTION_D,
  LACUNA_PROFILE_ACTION_K,
  LACUNA_PROFILE_ACTION_C,
  LACUNA_PROFILE_ACTION_U,
  LACUNA_PROFILE_ACTION_Z_D,        /* "Z/D":    Z for Type 2, D for Type 1 */
  LACUNA_PROFILE_ACTION_X_Z,        /* "X/Z":    X for Type 3, Z for Type 2 */
  LACUNA_PROFILE_ACTION_X_D,        /* "X/D":    X for Type 3, D for Type 1 */
  LACUNA_PROFILE_ACTION_X_Z_D,      /* "X/Z/D":  X for Type 3, Z for Type 2, D for Type 1 */
  LACUNA_PROFILE_ACTION_X_Z_U,      /* "X/Z/U*": X, unless Z or replacing the contained
                                     * instance UIDs is needed (sequences of references) */
  LACUNA_PROFILE_N_ACTIONS
} LacunaProfileAction;

/* The standard's spelling ("X", "Z/D", "X/Z/U*"); NULL for NONE or an invalid value. */
const char          *lacuna_profile_action_to_string   (LacunaProfileAction  action);
/* The inverse, exact spelling only; NONE for NULL or anything else. */
LacunaProfileAction  lacuna_profile_action_from_string (const char          *str);

/* The options of PS3.15 E.3, in a fixed order: the order of the option columns of Table
 * E.1-1, then the two options that have no column (they act on pixel data only). A rule's
 * per_option[] is indexed by this. */
typedef enum
{
  LACUNA_PROFILE_OPTION_INDEX_RETAIN_SAFE_PRIVATE,
  LACUNA_PROFILE_OPTION_INDEX_RETAIN_UIDS,
  LACUNA_PROFILE_OPTION_INDEX_RETAIN_DEVICE_IDENTITY,
  LACUNA_PROFILE_OPTION_INDEX_RETAIN_INSTITUTION_IDENTITY,
  LACUNA_PROFILE_OPTION_INDEX_RETAIN_PATIENT_CHARACTERISTICS,
  LACUNA_PROFILE_OPTION_INDEX_RETAIN_FULL_DATES,
  LACUNA_PROFILE_OPTION_INDEX_RETAIN_MODIFIED_DATES,
  LACUNA_PROFILE_OPTION_INDEX_CLEAN_DESCRIPTORS,
  LACUNA_PROFILE_OPTION_INDEX_CLEAN_STRUCTURED_CONTENT,
  LACUNA_PROFILE_OPTION_INDEX_CLEAN_GRAPHICS,
  LACUNA_PROFILE_OPTION_INDEX_CLEAN_PIXEL_DATA,
  LACUNA_PROFILE_OPTION_INDEX_CLEAN_RECOGNIZABLE_VISUAL_FEATURES,
  LACUNA_PROFILE_N_OPTIONS
} LacunaProfileOptionIndex;

/* The same options as flags, to combine into the set a user selected. */
typedef enum /*< flags >*/
{
  LACUNA_PROFILE_OPTION_NONE = 0,
  LACUNA_PROFILE_OPTION_RETAIN_SAFE_PRIVATE =
    1 << LACUNA_PROFILE_OPTION_INDEX_RETAIN_SAFE_PRIVATE,
  LACUNA_PROFILE_OPTION_RETAIN_UIDS =
    1 << LACUNA_PROFILE_OPTION_INDEX_RETAIN_UIDS,
  LACUNA_PROFILE_OPTION_RETAIN_DEVICE_IDENTITY =
    1 << LACUNA_PROFILE_OPTION_INDEX_RETAIN_DEVICE_IDENTITY,
  LACUNA_PROFILE_OPTION_RETAIN_INSTITUTION_IDENTITY =
    1 << LACUNA_PROFILE_OPTION_INDEX_RETAIN_INSTITUTION_IDENTITY,
  LACUNA_PROFILE_OPTION_RETAIN_PATIENT_CHARACTERISTICS =
    1 << LACUNA_PROFILE_OPTION_INDEX_RETAIN_PATIENT_CHARACTERISTICS,
  LACUNA_PROFILE_OPTION_RETAIN_FULL_DATES =
    1 << LACUNA_PROFILE_OPTION_INDEX_RETAIN_FULL_DATES,
  LACUNA_PROFILE_OPTION_RETAIN_MODIFIED_DATES =
    1 << LACUNA_PROFILE_OPTION_INDEX_RETAIN_MODIFIED_DATES,
  LACUNA_PROFILE_OPTION_CLEAN_DESCRIPTORS =
    1 << LACUNA_PROFILE_OPTION_INDEX_CLEAN_DESCRIPTORS,
  LACUNA_PROFILE_OPTION_CLEAN_STRUCTURED_CONTENT =
    1 << LACUNA_PROFILE_OPTION_INDEX_CLEAN_STRUCTURED_CONTENT,
  LACUNA_PROFILE_OPTION_CLEAN_GRAPHICS =
    1 << LACUNA_PROFILE_OPTION_INDEX_CLEAN_GRAPHICS,
  LACUNA_PROFILE_OPTION_CLEAN_PIXEL_DATA =
    1 << LACUNA_PROFILE_OPTION_INDEX_CLEAN_PIXEL_DATA,
  LACUNA_PROFILE_OPTION_CLEAN_RECOGNIZABLE_VISUAL_FEATURES =
    1 << LACUNA_PROFILE_OPTION_INDEX_CLEAN_RECOGNIZABLE_VISUAL_FEATURES,
} LacunaProfileOption;

#define LACUNA_PROFILE_OPTIONS_ALL ((LacunaProfileOption) ((1 << LACUNA_PROFILE_N_OPTIONS) - 1))

typedef struct
{
  LacunaProfileOption  option;
  /* GOption long name, without the leading "--": "retain-safe-private". */
  const char          *cli_name;
  /* CID 7050 (scheme "DCM"): "113111", "Retain Safe Private Option". */
  const char          *code_value;
  const char          *code_meaning;
  /* One plain-language sentence, untranslated (marked N_()); show it with
   * lacuna_profile_option_get_description(), which translates. */
  const char          *description;
} LacunaProfileOptionInfo;

/* All options, in LacunaProfileOptionIndex order; n_options may be NULL. */
const LacunaProfileOptionInfo *lacuna_profile_get_options              (guint               *n_options);
/* The info of one single option flag; NULL for NONE, combinations or unknown bits. */
const LacunaProfileOptionInfo *lacuna_profile_option_get_info          (LacunaProfileOption  option);
/* The index of one single option flag, or -1. */
int                            lacuna_profile_option_get_index         (LacunaProfileOption  option);
/* The translated description sentence; NULL for what get_info() rejects. */
const char                    *lacuna_profile_option_get_description   (LacunaProfileOption  option);
/* "retain-uids" or "--retain-uids" → the flag; NONE when unknown. */
LacunaProfileOption            lacuna_profile_option_from_cli_name     (const char          *name);
/* "113110" → the flag; NONE when unknown (also for "113100", the Basic Profile, which is
 * not an option). */
LacunaProfileOption            lacuna_profile_option_from_code_value   (const char          *code_value);

/* One row of Table E.1-1. A row matches a tag when (tag & mask) == rule->tag. Exact rows have
 * mask 0xFFFFFFFF. Range rows:
 *   (50XX,XXXX) Curve Data        tag 0x50000000 mask 0xFF010000
 *   (60XX,3000) Overlay Data      tag 0x60003000 mask 0xFF01FFFF
 *   (60XX,4000) Overlay Comments  tag 0x60004000 mask 0xFF01FFFF
 *   (GGGG,EEEE) where GGGG is odd (Private Attributes)  tag 0x00010000 mask 0x00010000
 * The repeating groups 50xx/60xx are even groups only (the lowest group bit is in the mask):
 * an odd group such as 6001 is private, never an overlay. */
typedef struct
{
  guint32              tag;
  guint32              mask;
  const char          *keyword;           /* PS3.6 keyword as DCMTK 3.6.7's dictionary has it
                                           * (without its RETIRED_ prefix); NULL where that
                                           * dictionary does not know the tag, and for the
                                           * curve and private rows */
  const char          *name;              /* the table's attribute name (not translated) */
  gboolean             in_std_comp_iod;   /* "In Std. Comp. IOD" column: Y */
  LacunaProfileAction  basic;             /* Basic Profile column */
  LacunaProfileAction  per_option[LACUNA_PROFILE_N_OPTIONS]; /* NONE = blank cell */
} LacunaProfileRule;

/* The whole table: exact rows sorted by tag, then the four masked rows (most specific
 * first). */
const LacunaProfileRule *lacuna_profile_get_rules (guint   *n_rules);

/* The row that applies to a data element tag, or NULL when the table has no row for it
 * (the profile then prescribes nothing: the caller's policy decides). Exact rows first
 * (binary search), then the masked rows, so a private tag (odd group) gets the Private
 * Attributes row, (6002,3000) the Overlay Data row and (6001,3000) the Private row. */
const LacunaProfileRule *lacuna_profile_lookup    (guint32  tag);

/* TRUE when the rule matches the tag. */
gboolean lacuna_profile_rule_matches (const LacunaProfileRule *rule,
                                      guint32                  tag);

/* The action that applies to a row with the given options active.
 *
 * How the standard combines (PS3.15 E.3): an option column's entry replaces the Basic
 * Profile's action when that option is active; a blank entry leaves it unchanged. The table
 * has rows where two or more active options have entries; this function settles them so:
 *
 *  1. Retain Full Dates wins whenever it has an entry (K). Full Dates and Modified Dates are
 *     alternatives (keep the real dates, or shift them); the user who asked for full dates
 *     asked for every date to be kept, and shifting some dates while keeping others in the
 *     same set would make the timeline inconsistent. Front ends should not offer both at
 *     once; if both are set anyway, Full Dates decides.
 *  2. Otherwise clean wins over keep (C over K): one option promising that an attribute is
 *     cleaned must not be undone by another that merely allows keeping it. In the table this
 *     settles Retain Device Identity K against Retain Modified Dates C on device dates such
 *     as (0018,1200) Date of Last Calibration: with both options the date is shifted (C).
 *  3. Any other pair (none in this edition: option columns hold only K and C) resolves to
 *     the more protective action, in the order X, X/Z, X/Z/D, X/D, X/Z/U*, Z, Z/D, D, U, C, K.
 *
 * The result may still be a combined code (X/Z, …): pass it to lacuna_profile_resolve_type().
 * A NULL rule gives NONE. CLEAN_PIXEL_DATA and CLEAN_RECOGNIZABLE_VISUAL_FEATURES have no
 * column and never change the result. */
LacunaProfileAction lacuna_profile_resolve (const LacunaProfileRule *rule,
                                            LacunaProfileOption      options);

/* The attribute's Type in the IOD of the instance at hand (PS3.3), when known. */
typedef enum
{
  LACUNA_PROFILE_TYPE_UNKNOWN = 0,
  LACUNA_PROFILE_TYPE_1,
  LACUNA_PROFILE_TYPE_1C,
  LACUNA_PROFILE_TYPE_2,
  LACUNA_PROFILE_TYPE_2C,
  LACUNA_PROFILE_TYPE_3,
} LacunaProfileAttributeType;

/* "1", "1C", "2", "2C", "3" (case-insensitive C); UNKNOWN for anything else or NULL. */
LacunaProfileAttributeType lacuna_profile_attribute_type_from_string (const char *str);

/* Turns an action into exactly one of X, Z, D, K, C, U for an attribute of the given Type.
 * 1C and 2C count as 1 and 2 (when the condition is not met the attribute would not be
 * there to act on, or may be removed by the caller).
 *
 *   action   Type 1/1C  Type 2/2C  Type 3   unknown
 *   Z/D      D          Z          Z        D
 *   X/Z      D (a)      Z          X        Z
 *   X/D      D          D (b)      X        D
 *   X/Z/D    D          Z          X        D
 *   X/Z/U*   U (c)      Z          X        U (c)
 *   Z        D (a)      Z          Z        Z
 *   X D K C U unchanged for every Type
 *   NONE     NONE
 *
 * (a) Z is defined as "zero length, or a non-zero length dummy value": a Type 1 attribute
 *     must not be empty, so it gets the dummy, i.e. D.
 * (b) A Type 2 attribute must be present; of X/D only D keeps it present.
 * (c) U on a sequence (Referenced Image Sequence, Source Image Sequence) means: keep the
 *     sequence and replace the instance UIDs it contains consistently (the U rows of
 *     Referenced SOP Instance UID & co. do that when the engine recurses into the items).
 *     When the Type is unknown this is the choice that keeps a required sequence present
 *     without keeping any original UID.
 * For an unknown Type the choice is the one that keeps a (dummy) value wherever a value may
 * be required, except X/Z, where the standard itself says the choice is between Type 3
 * and Type 2 (Z). */
LacunaProfileAction lacuna_profile_resolve_type (LacunaProfileAction        action,
                                                 LacunaProfileAttributeType type);

G_END_DECLS
