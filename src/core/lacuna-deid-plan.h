/* lacuna-deid-plan.h: what an export will do to a file, without doing it.
 *
 * A plan runs the decision pass of lacuna_deid_apply() (the same function: apply is that
 * pass followed by its edits and the record, see lacuna-deid-private.h) and lists, for every
 * element of the file at every depth, the action export will apply with the context's
 * options and overrides, why, the value it will write, and a category saying what kind of
 * information the element holds. The file is not modified.
 *
 * Categories (lacuna_deid_category_for_tag(); they describe the element, whatever the
 * options: an option that keeps a quasi-identifier changes the action, not the category).
 * The first rule that matches decides:
 *   1. private     an odd group (private creators included).
 *   2. direct identifier
 *                  what lacuna-identity collects as a person's name, a patient ID, an
 *                  accession number, a study ID, a birth date, an address or a phone number
 *                  (every standard PN is a name), and a short list of other patient record
 *                  identifiers: (0010,1002) Other Patient IDs Sequence, (0010,1050)
 *                  Insurance Plan Identification, (0010,1090) Medical Record Locator,
 *                  (0038,0010) Admission ID, (0040,2016) Placer and (0040,2017) Filler Order
 *                  Number, (0008,0092) Referring Physician's Address and (0008,0094) …
 *                  Telephone Numbers.
 *   3. quasi-identifier
 *                  lacuna-identity's institution, station name and residence kinds; the
 *                  patient's age, sex, size, weight, ethnic group, occupation, religious
 *                  preference, smoking and pregnancy status, sex neutered; the Issuer of
 *                  Patient ID; the Device Serial Number; the meta header's AE titles.
 *                  Alone they name nobody; together they narrow the patient down.
 *   4. date        a DA, DT or TM value (times count: they date the visit too).
 *   5. UID         a UI value that Table E.1-1 lists (anything but K), or whose value names
 *                  something in the input (the context's input UID set).
 *   6. quasi-identifier   an AE title that Table E.1-1 lists.
 *   7. free text   an LO, SH, ST, LT, UT or UC value that Table E.1-1 lists (descriptions,
 *                  comments, protocol names): whatever someone typed may name the patient;
 *                  also binary values the table lists (encapsulated documents, overlays,
 *                  curves): they may hold anything, text included.
 *   8. quasi-identifier   any other value (not a sequence) that Table E.1-1 lists.
 *   9. safe        everything else: sequences (their items' elements have categories of
 *                  their own), codes and numbers the profile keeps or does not list.
 * Elements stored as UN are categorised by their dictionary VR.
 *
 * Thread-safe for different files with one context (like lacuna_deid_apply()). */
#pragma once

#include <glib.h>

#include "lacuna-deid.h"
#include "lacuna-dicom.h"
#include "lacuna-key.h"

G_BEGIN_DECLS

typedef enum
{
  LACUNA_DEID_CATEGORY_SAFE,
  LACUNA_DEID_CATEGORY_DIRECT_IDENTIFIER,
  LACUNA_DEID_CATEGORY_QUASI_IDENTIFIER,
  LACUNA_DEID_CATEGORY_DATE,
  LACUNA_DEID_CATEGORY_UID,
  LACUNA_DEID_CATEGORY_FREE_TEXT,
  LACUNA_DEID_CATEGORY_PRIVATE,
  LACUNA_DEID_N_CATEGORIES
} LacunaDeidCategory;

/* Stable identifiers for reports and tests: "safe", "direct-identifier", "quasi-identifier",
 * "date", "uid", "free-text", "private"; NULL when out of range. */
const char         *lacuna_deid_category_to_string   (LacunaDeidCategory  category);
/* The translated word for people: "direct identifier", "date", … */
const char         *lacuna_deid_category_get_label   (LacunaDeidCategory  category);
/* TRUE for every category but SAFE. */
gboolean            lacuna_deid_category_is_identifying (LacunaDeidCategory category);
/* The rules above. vr: the element's VR as stored ("UN": the dictionary's is used for a
 * standard tag). in_input_uids: the value names something of the input. */
LacunaDeidCategory  lacuna_deid_category_for_tag     (guint32             tag,
                                                      const char         *vr,
                                                      gboolean            in_input_uids);

/* What happens to the element's value. */
typedef enum
{
  LACUNA_DEID_PLAN_EDIT_NONE,         /* left as it is */
  LACUNA_DEID_PLAN_EDIT_REMOVE,       /* removed (a sequence with its items) */
  LACUNA_DEID_PLAN_EDIT_SET,          /* replaced by new_value (possibly "") */
  LACUNA_DEID_PLAN_EDIT_SET_BINARY,   /* a binary value replaced by new_size zero bytes */
} LacunaDeidPlanEdit;

typedef struct
{
  char                *path;         /* shim path: "00101002/0/00100020" */
  guint32              tag;
  const char          *keyword;      /* interned; "" when the dictionary does not know it */
  const char          *name;         /* interned; "" when unknown */
  char                 vr[3];        /* as stored */
  guint                depth;        /* 0 at the top level */
  gboolean             is_sequence;
  guint                n_items;      /* sequences */
  char                *value;        /* the value as read (UTF-8; NULL for sequences and for
                                      * binary values over 64 bytes) */
  /* One of X Z D K C U, exactly what lacuna_deid_apply() logs for this path (after options,
   * Type, fallbacks and overrides); X also for the elements inside a removed sequence. */
  LacunaProfileAction  action;
  const char          *reason;       /* static, untranslated English (the log's reasons) */
  LacunaDeidCategory   category;
  gboolean             overridden;   /* a recipe override decided */
  gboolean             with_parent;  /* removed because an enclosing sequence is */
  LacunaDeidPlanEdit   edit;
  char                *new_value;    /* SET: the value written */
  gsize                new_size;     /* SET_BINARY: its length */
  /* new_value depends on the key (keyed UIDs and dummies, shifted dates): another key
   * gives another value. */
  gboolean             keyed;
} LacunaDeidPlanEntry;

typedef struct _LacunaDeidPlan LacunaDeidPlan;

/* Plans file with the context (its key, options and input UID set). NULL with the error
 * lacuna_deid_apply() would give (a REPLACE override on a value that holds no text). */
LacunaDeidPlan            *lacuna_deid_plan_file          (LacunaDeidContext        *ctx,
                                                          LacunaDicomFile          *file,
                                                          GError                  **error);
/* The same with a context made for this one file: options (NULL: defaults), key, and the
 * UIDs file itself defines as the input set (export collects them over every input file:
 * the only difference is a UID that names something in another file and sits outside
 * Table E.1-1). NULL + LACUNA_DEID_ERROR_FAILED for invalid options. */
LacunaDeidPlan            *lacuna_deid_plan_file_with_options (const LacunaDeidOptions *options,
                                                              LacunaKey               *key,
                                                              LacunaDicomFile         *file,
                                                              GError                 **error);
LacunaDeidPlan            *lacuna_deid_plan_ref           (LacunaDeidPlan           *plan);
void                       lacuna_deid_plan_unref         (LacunaDeidPlan           *plan);

/* Every element of the file (meta header first), in walk order (a sequence before its
 * items' elements). */
guint                      lacuna_deid_plan_get_n_entries (LacunaDeidPlan           *plan);
const LacunaDeidPlanEntry *lacuna_deid_plan_get_entry     (LacunaDeidPlan           *plan,
                                                          guint                     index);
/* The entry of an element path, or NULL. */
const LacunaDeidPlanEntry *lacuna_deid_plan_lookup        (LacunaDeidPlan           *plan,
                                                          const char               *path);
/* What the de-identification record then sets at the top level (PS3.15 E.1.1: (0012,0062),
 * (0012,0063), (0012,0064), (0028,0303), (0018,A001), and (0028,0301) with
 * pixels_verified_clean): entries with action NONE, edit SET (new_value) or NONE (a
 * sequence that gets a new item), category SAFE, reason "de-identification record …". */
guint                      lacuna_deid_plan_get_n_record  (LacunaDeidPlan           *plan);
const LacunaDeidPlanEntry *lacuna_deid_plan_get_record    (LacunaDeidPlan           *plan,
                                                          guint                     index);
/* How many entries have an identifying category. */
guint                      lacuna_deid_plan_count_identifying (LacunaDeidPlan       *plan);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LacunaDeidPlan, lacuna_deid_plan_unref)

G_END_DECLS
