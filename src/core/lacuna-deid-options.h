/* lacuna-deid-options.h: what the user chose for a de-identification run.
 *
 * A plain struct with public fields: fill it, then give it to lacuna_deid_context_new(),
 * which copies and validates it (the context never sees later changes). */
#pragma once

#include <glib.h>

#include "lacuna-profile.h"

G_BEGIN_DECLS

#define LACUNA_DEID_DEFAULT_DATE_SHIFT_DAYS 365
/* Upper bound for date_shift_max_days (a century). */
#define LACUNA_DEID_MAX_DATE_SHIFT_DAYS     36525

typedef enum
{
  LACUNA_DEID_OVERRIDE_KEEP,      /* keep as is (a sequence: kept, its items still processed) */
  LACUNA_DEID_OVERRIDE_REMOVE,    /* remove (a sequence: with all its items) */
  LACUNA_DEID_OVERRIDE_REPLACE,   /* replace the value by `value` (not for sequences) */
} LacunaDeidOverrideAction;

/* One recipe override. path addresses elements like the shim's paths (8 upper- or lower-case
 * hex digits per tag, '/' between), where the item index after a sequence may be a number
 * of at most 6 digits (that item only), an asterisk (any item) or left out (any item):
 *   "00100010"   "00081115/00081155" (any item)   "00400275/0/00400007" (first item only)
 * An override wins over the profile, the options and the pseudonyms. The first matching
 * override in the list applies. */
typedef struct
{
  char                     *path;
  LacunaDeidOverrideAction  action;
  char                     *value;   /* REPLACE only; UTF-8 */
} LacunaDeidOverride;

/* Which frames a redaction box covers. */
typedef enum
{
  LACUNA_DEID_BOX_ALL_FRAMES,            /* every frame of the image(s) */
  LACUNA_DEID_BOX_FRAMES,                /* the listed frames only (1-based) */
  LACUNA_DEID_BOX_SAME_SIZE_IN_SERIES,   /* every frame of the box's instance and of every
                                          * image of its series with the same rows × columns */
} LacunaDeidBoxScope;

/* One recipe redaction box: x, y from the top-left, in pixels; clipped to each image. */
typedef struct
{
  char               *sop_instance_uid;  /* NULL: every image (not with SAME_SIZE_IN_SERIES) */
  LacunaDeidBoxScope  scope;
  guint              *frames;            /* FRAMES: 1-based frame numbers, n_frames of them */
  guint               n_frames;
  int                 x;
  int                 y;
  int                 width;
  int                 height;
} LacunaDeidBox;

typedef struct
{
  /* Annex E options. No option: the Basic Profile alone. */
  LacunaProfileOption  options;
  /* With Retain Modified Dates: each patient's dates move by a keyed offset of 1 to
   * date_shift_max_days days, earlier or later (never 0). Default 365. */
  guint                date_shift_max_days;
  /* Pseudonyms for (0010,0010) Patient's Name and (0010,0020) Patient ID, used instead of
   * the keyed dummies for every element holding the file's original name or ID. NULL:
   * keyed dummies ("ANONYMOUS^<8 base32>", "LAC<10 base32>"). */
  char                *patient_name;
  char                *patient_id;
  /* Recipe overrides (LacunaDeidOverride*), owned. */
  GPtrArray           *overrides;
  /* Opaque payloads: binary values (OB, OW, UN, …) that the profile wants replaced by a
   * dummy (D) or cleaned (C), such as (0042,0011) Encapsulated Document, are kept as they
   * are instead, and standard elements unknown to the dictionary are kept instead of
   * removed. The user then vouches for their content. Default FALSE. */
  gboolean             include_unknown_payloads;
  /* The caller verified that the pixels carry no burned-in identifying text (after OCR
   * and redaction, or by review): (0028,0301) Burned In Annotation is then set to NO.
   * Otherwise (0028,0301) is left exactly as it was, absent included. Default FALSE. */
  gboolean             pixels_verified_clean;
  /* Redaction boxes (LacunaDeidBox*), owned; resolve them per instance with
   * lacuna_deid_options_resolve_boxes(). */
  GPtrArray           *boxes;
} LacunaDeidOptions;

/* Defaults: no option, 365 days, no pseudonyms, no override, both flags FALSE. */
LacunaDeidOptions *lacuna_deid_options_new          (void);
LacunaDeidOptions *lacuna_deid_options_copy         (const LacunaDeidOptions *options);
void               lacuna_deid_options_free         (LacunaDeidOptions       *options);

/* Appends an override (path and value copied; value ignored unless REPLACE). */
void               lacuna_deid_options_add_override (LacunaDeidOptions       *options,
                                                     const char              *path,
                                                     LacunaDeidOverrideAction action,
                                                     const char              *value);

/* Appends a redaction box (sop_instance_uid and frames copied; frames only for FRAMES). */
void               lacuna_deid_options_add_box      (LacunaDeidOptions       *options,
                                                     const char              *sop_instance_uid,
                                                     LacunaDeidBoxScope       scope,
                                                     const guint             *frames,
                                                     guint                    n_frames,
                                                     int                      x,
                                                     int                      y,
                                                     int                      width,
                                                     int                      height);
/* The CLI shorthand "X,Y,W,H" (--redact): one box on every frame of every image.
 * LACUNA_DEID_ERROR_FAILED when it is not four non-negative integers with W, H > 0. */
gboolean           lacuna_deid_options_add_box_from_string (LacunaDeidOptions  *options,
                                                            const char         *text,
                                                            GError            **error);

/* What the exporter knows of another instance, for SAME_SIZE_IN_SERIES boxes: the series
 * and size of the instance sop_instance_uid. FALSE when unknown (the box then applies to
 * its own instance only). *out_series_instance_uid stays the caller's. */
typedef gboolean (*LacunaDeidInstanceLookupFunc) (const char   *sop_instance_uid,
                                                  const char  **out_series_instance_uid,
                                                  guint        *out_rows,
                                                  guint        *out_columns,
                                                  gpointer      user_data);

/* The boxes (LacunaRedactBox, see lacuna-redact.h; frame -1 = every frame, else 0-based)
 * that apply to one instance, ready for lacuna_redact_apply(): boxes without SOP Instance
 * UID, boxes naming this instance, and SAME_SIZE_IN_SERIES boxes whose instance (found
 * with lookup, which may be NULL) is in series_instance_uid with rows × columns. Listed
 * frames beyond the image are passed on (lacuna_redact_apply notes and ignores them).
 * Never NULL. */
GArray            *lacuna_deid_options_resolve_boxes (const LacunaDeidOptions      *options,
                                                      const char                   *sop_instance_uid,
                                                      const char                   *series_instance_uid,
                                                      guint                         rows,
                                                      guint                         columns,
                                                      LacunaDeidInstanceLookupFunc  lookup,
                                                      gpointer                      user_data);

/* Checks the options: date range 1..LACUNA_DEID_MAX_DATE_SHIFT_DAYS, pseudonyms valid
 * UTF-8 of at most 64 characters without '\' (and, for the ID, no control characters),
 * override paths well formed, REPLACE overrides with a value, boxes with 0 ≤ x, y ≤ 65535,
 * 1 ≤ width, height ≤ 65535, frame numbers ≥ 1 (at least one for FRAMES), and a SOP
 * Instance UID for SAME_SIZE_IN_SERIES. LACUNA_DEID_ERROR_FAILED
 * naming the offending option (never the pseudonym itself). */
gboolean           lacuna_deid_options_validate     (const LacunaDeidOptions *options,
                                                     GError                 **error);

/* Loads a JSON recipe and adds its settings to options:
 *   { "options": ["retain-modified-dates", "clean-descriptors"],   (CLI names)
 *     "date-shift-max-days": 180,
 *     "patient-name": "SUBJECT^001", "patient-id": "SUBJ001",
 *     "include-unknown-payloads": false,
 *     "overrides": [ { "path": "00081030", "action": "keep" },
 *                    { "path": "00100010", "action": "replace", "value": "X^Y" },
 *                    { "path": "00081115/00081155", "action": "remove" } ] }
 * Every member is optional; unknown members are errors (a typo must not silently weaken
 * a recipe). pixels_verified_clean cannot be set from a recipe. */
gboolean           lacuna_deid_options_load_recipe  (LacunaDeidOptions       *options,
                                                     const char              *path,
                                                     GError                 **error);

/* Matches an override path pattern (see LacunaDeidOverride) against an element path;
 * FALSE for malformed patterns. */
gboolean           lacuna_deid_override_path_matches (const char *pattern,
                                                      const char *element_path);
/* TRUE when pattern is well formed. */
gboolean           lacuna_deid_override_path_is_valid (const char *pattern);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LacunaDeidOptions, lacuna_deid_options_free)

G_END_DECLS
