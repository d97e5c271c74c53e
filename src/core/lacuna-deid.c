/* lacuna-deid.c: the per-file header transformation (see lacuna-deid.h for the rules). */

#define G_LOG_DOMAIN "lacuna-deid"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "lacuna-deid.h"
#include "lacuna-deid-private.h"
#include "lacuna-error.h"
#include "lacuna-identity.h"
#include "lacuna-iod-types.h"
#include "lacuna-uid-map.h"

/* Reasons recorded in the log (static, untranslated: the export report translates). */
#define R_BASIC          "Basic Profile"
#define R_OVERRIDE       "recipe override"
#define R_PRIVATE        "private element"
#define R_UID_SET        "UID referenced in the input set"
#define R_NOT_IN_PROFILE "not in the profile"
#define R_UNKNOWN        "element unknown to the dictionary"
#define R_GROUP_LENGTH   "group length (recomputed on save)"
#define R_META           "file meta information (rebuilt on save)"
#define R_EMPTIED        "inside a sequence emptied by Z"
#define R_NEEDS_VALUE    "Basic Profile: keyed dummy, a value is needed (DICOMDIR, PACS)"
#define R_PSEUDONYM      "pseudonym"
#define R_INVALID_DATE   "not a valid date: the action without the dates option"
#define R_OPAQUE_KEPT    "opaque payload kept (include unknown payloads)"
#define R_CANNOT_CLEAN   "cannot be cleaned: removed"
#define R_OVERLAY        "overlay group: follows Overlay Data"
#define R_RECORD         "de-identification record (PS3.15 E.1.1)"
#define R_TIME_KEPT      "Retain Modified Dates Option: a whole-day shift leaves it unchanged"

#define DUMMY_DA "19000101"
#define DUMMY_TM "000000"
#define DUMMY_DT "19000101000000"

/* ---------------------------------------------------------------------------------------- */
/* Log                                                                                      */

struct _LacunaDeidLog
{
  GArray *entries;   /* LacunaDeidLogEntry */
};

static void
clear_entry (gpointer data)
{
  LacunaDeidLogEntry *e = data;

  g_clear_pointer (&e->path, g_free);
}

LacunaDeidLog *
lacuna_deid_log_new (void)
{
  LacunaDeidLog *log = g_new0 (LacunaDeidLog, 1);

  log->entries = g_array_new (FALSE, TRUE, sizeof (LacunaDeidLogEntry));
  g_array_set_clear_func (log->entries, clear_entry);
  return log;
}

void
lacuna_deid_log_free (LacunaDeidLog *log)
{
  if (log == NULL)
    return;
  g_array_unref (log->entries);
  g_free (log);
}

void
lacuna_deid_log_clear (LacunaDeidLog *log)
{
  g_return_if_fail (log != NULL);
  g_array_set_size (log->entries, 0);
}

guint
lacuna_deid_log_get_n_entries (LacunaDeidLog *log)
{
  g_return_val_if_fail (log != NULL, 0);
  return log->entries->len;
}

const LacunaDeidLogEntry *
lacuna_deid_log_get_entry (LacunaDeidLog *log,
                           guint          index)
{
  g_return_val_if_fail (log != NULL, NULL);
  g_return_val_if_fail (index < log->entries->len, NULL);
  return &g_array_index (log->entries, LacunaDeidLogEntry, index);
}

const LacunaDeidLogEntry *
lacuna_deid_log_find (LacunaDeidLog *log,
                      const char    *path)
{
  g_return_val_if_fail (log != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  for (guint i = 0; i < log->entries->len; i++)
    {
      const LacunaDeidLogEntry *e = &g_array_index (log->entries, LacunaDeidLogEntry, i);

      if (e->kind == LACUNA_DEID_LOG_ELEMENT && strcmp (e->path, path) == 0)
        return e;
    }
  return NULL;
}

static void
log_add (LacunaDeidLog       *log,
         LacunaDeidLogKind    kind,
         const char          *path,
         const char          *keyword,
         LacunaProfileAction  action,
         const char          *reason)
{
  LacunaDeidLogEntry e;

  if (log == NULL)
    return;
  e.kind = kind;
  e.path = g_strdup (path);
  e.keyword = keyword != NULL ? keyword : "";   /* static: a literal, or a walk's */
  e.action = action;
  e.reason = reason;
  g_array_append_val (log->entries, e);
}

/* ---------------------------------------------------------------------------------------- */
/* Context                                                                                  */

struct _LacunaDeidContext
{
  gatomicrefcount    ref_count;
  LacunaKey         *key;
  LacunaDeidOptions *options;
  GHashTable        *input_uids;
};

LacunaDeidContext *
lacuna_deid_context_new (LacunaKey                *key,
                         const LacunaDeidOptions  *options,
                         GHashTable               *input_uids,
                         GError                  **error)
{
  LacunaDeidContext *ctx;
  g_autoptr(LacunaDeidOptions) copy = NULL;

  g_return_val_if_fail (key != NULL, NULL);

  copy = options != NULL ? lacuna_deid_options_copy (options) : lacuna_deid_options_new ();
  if (!lacuna_deid_options_validate (copy, error))
    return NULL;

  ctx = g_new0 (LacunaDeidContext, 1);
  g_atomic_ref_count_init (&ctx->ref_count);
  ctx->key = lacuna_key_ref (key);
  ctx->options = g_steal_pointer (&copy);
  ctx->input_uids = input_uids != NULL ? g_hash_table_ref (input_uids) : lacuna_uid_set_new ();
  return ctx;
}

LacunaDeidContext *
lacuna_deid_context_ref (LacunaDeidContext *ctx)
{
  g_return_val_if_fail (ctx != NULL, NULL);
  g_atomic_ref_count_inc (&ctx->ref_count);
  return ctx;
}

void
lacuna_deid_context_unref (LacunaDeidContext *ctx)
{
  g_return_if_fail (ctx != NULL);

  if (g_atomic_ref_count_dec (&ctx->ref_count))
    {
      lacuna_key_unref (ctx->key);
      lacuna_deid_options_free (ctx->options);
      g_hash_table_unref (ctx->input_uids);
      g_free (ctx);
    }
}

const LacunaDeidOptions *
lacuna_deid_context_get_options (LacunaDeidContext *ctx)
{
  g_return_val_if_fail (ctx != NULL, NULL);
  return ctx->options;
}

int
lacuna_deid_context_get_date_offset (LacunaDeidContext *ctx,
                                     const char        *patient_id)
{
  guint8 mac[32];
  guint64 v = 0;
  guint64 n;
  guint64 r;

  g_return_val_if_fail (ctx != NULL, 0);

  lacuna_key_hmac_domain (ctx->key, "date-offset", patient_id != NULL ? patient_id : "", mac);
  for (int i = 0; i < 8; i++)
    v = (v << 8) | mac[i];
  n = ctx->options->date_shift_max_days;
  r = v % (2 * n);
  return r < n ? -(int) (r + 1) : (int) (r - n + 1);
}

/* ---------------------------------------------------------------------------------------- */
/* Per-file state                                                                           */

/* The edits are LacunaDeidEdit (lacuna-deid-private.h): decided during the walk, run
 * after it by lacuna_deid_apply(), listed by the plan. */
typedef LacunaDeidEditKind OpKind;
typedef LacunaDeidEdit     Op;

#define OP_REMOVE     LACUNA_DEID_EDIT_REMOVE
#define OP_SET_STRING LACUNA_DEID_EDIT_SET_STRING
#define OP_SET_BYTES  LACUNA_DEID_EDIT_SET_BYTES

static void
op_free (gpointer data)
{
  Op *op = data;

  g_free (op->path);
  g_free (op->value);
  g_free (op);
}

typedef struct
{
  LacunaDeidContext *ctx;
  LacunaDicomFile   *file;
  LacunaDeidLog     *log;
  GPtrArray         *ops;
  LacunaIodFamily    family;
  char              *orig_patient_id;
  char              *orig_patient_name;
  char              *orig_study_uid;
  char              *patient_key;      /* ID, or "name:" + name when the ID is empty */
  int                date_offset;
  GPtrArray         *phi_tokens;       /* strings to cut out of cleaned text (on first use) */
  GPtrArray         *emptied;          /* "path/" prefixes of sequences emptied by Z */
  GError            *error;            /* first failure inside the walk */
} State;

static void
add_op (State      *st,
        OpKind      kind,
        const char *path,
        const char *vr,
        const char *value,
        gsize       size)
{
  Op *op = g_new0 (Op, 1);

  op->kind = kind;
  op->path = g_strdup (path);
  op->vr = vr;
  op->value = g_strdup (value);
  op->size = size;
  op->keyword = "";
  g_ptr_array_add (st->ops, op);
}

static gboolean
is_string_vr (const char *vr)
{
  static const char *const vrs[] = { "AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT",
                                     "PN", "SH", "ST", "TM", "UC", "UI", "UR", "UT" };

  for (guint i = 0; i < G_N_ELEMENTS (vrs); i++)
    if (strcmp (vr, vrs[i]) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
is_number_vr (const char *vr)
{
  static const char *const vrs[] = { "US", "SS", "UL", "SL", "FL", "FD", "SV", "UV" };

  for (guint i = 0; i < G_N_ELEMENTS (vrs); i++)
    if (strcmp (vr, vrs[i]) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
is_text_vr (const char *vr)
{
  return strcmp (vr, "LO") == 0 || strcmp (vr, "SH") == 0 || strcmp (vr, "ST") == 0 ||
         strcmp (vr, "LT") == 0 || strcmp (vr, "UT") == 0 || strcmp (vr, "UC") == 0;
}

/* What we know about the element being decided. */
typedef struct
{
  const LacunaDicomElement *el;
  const char               *vr;        /* effective VR: the dictionary's for a UN element */
  const char               *set_vr;    /* VR to pass when setting (NULL: the element's own) */
  char                     *value;     /* original text (NULL: binary or unreadable), read by
                                        * elem_value () on first use */
  gboolean                  value_read;
} Elem;

static void
elem_init (State                    *st,
           const LacunaDicomElement *el,
           Elem                     *e)
{
  e->el = el;
  e->vr = el->vr;
  e->set_vr = NULL;
  e->value = NULL;
  e->value_read = TRUE;

  if (strcmp (el->vr, "UN") == 0 && !el->is_private)
    {
      const char *dict = lacuna_dicom_tag_vr (el->tag);

      if (strcmp (dict, "UN") != 0 && strcmp (dict, "SQ") != 0)
        {
          e->vr = g_intern_string (dict);
          if (is_string_vr (dict) || is_number_vr (dict))
            {
              g_autoptr(GBytes) bytes = lacuna_dicom_file_dup_bytes (st->file, el->path, NULL);

              e->set_vr = e->vr;
              if (bytes != NULL && is_string_vr (dict))
                {
                  gsize size;
                  const char *data = g_bytes_get_data (bytes, &size);

                  while (size > 0 && (data[size - 1] == ' ' || data[size - 1] == '\0'))
                    size--;
                  e->value = g_utf8_make_valid (data != NULL ? data : "", (gssize) size);
                }
            }
        }
      return;
    }
  e->value_read = FALSE;
}

/* The element's text, formatted when first asked for: most decisions (remove, keep, empty)
 * never read it. What the walk would have given with LACUNA_DICOM_WALK_TEXT_ONLY. May be
 * modified in place (stripped). */
static char *
elem_value (State *st,
            Elem  *e)
{
  if (!e->value_read)
    {
      e->value_read = TRUE;
      if (is_string_vr (e->el->vr) || is_number_vr (e->el->vr))
        e->value = lacuna_dicom_element_dup_text (st->file, e->el, TRUE);
    }
  return e->value;
}

/* ---------------------------------------------------------------------------------------- */
/* Dummies, UIDs, dates, cleaning                                                           */

static char *
keyed_id (State      *st,
          const char *domain,
          const char *value)
{
  g_autofree char *b32 = lacuna_key_dup_base32 (st->ctx->key, domain, value, 10);

  return g_strconcat ("LAC", b32, NULL);
}

static char *
keyed_pn (State      *st,
          const char *domain,
          const char *value)
{
  g_autofree char *b32 = lacuna_key_dup_base32 (st->ctx->key, domain, value, 8);

  return g_strconcat ("ANONYMOUS^", b32, NULL);
}

static char *
map_uids (State      *st,
          const char *value)
{
  g_auto(GStrv) parts = g_strsplit (value, "\\", -1);

  for (char **p = parts; *p != NULL; p++)
    {
      g_strstrip (*p);
      if (**p != '\0')
        {
          char *mapped = lacuna_uid_map_dup_keyed (st->ctx->key, *p);

          g_free (*p);
          *p = mapped;
        }
    }
  return g_strjoinv ("\\", parts);
}

/* The D dummy for the element, or NULL for binary VRs (then: zero bytes). */
static char *
dummy_for (State *st,
           Elem  *e)
{
  const char *vr = e->vr;
  const char *orig = elem_value (st, e);
  guint32 tag = e->el->tag;

  if (orig == NULL)
    orig = "";

  if (tag == 0x00100020)   /* Patient ID */
    {
      if (st->ctx->options->patient_id != NULL && g_strcmp0 (orig, st->orig_patient_id) == 0)
        return g_strdup (st->ctx->options->patient_id);
      return keyed_id (st, "patient-id",
                       g_strcmp0 (orig, st->orig_patient_id) == 0 ? st->patient_key : orig);
    }
  if (tag == 0x00100010)   /* Patient's Name */
    {
      if (g_strcmp0 (orig, st->orig_patient_name) == 0)
        {
          if (st->ctx->options->patient_name != NULL)
            return g_strdup (st->ctx->options->patient_name);
          return keyed_pn (st, "patient-name", st->patient_key);
        }
      return keyed_pn (st, "person-name", orig);
    }
  if (tag == 0x00200010 || tag == 0x00080050)   /* Study ID, Accession Number */
    {
      g_autofree char *k = g_strconcat (orig, "\\", st->orig_study_uid ? st->orig_study_uid : "",
                                        NULL);
      g_autofree char *domain = g_strdup_printf ("%08X", tag);

      return keyed_id (st, domain, k);
    }

  if (strcmp (vr, "PN") == 0)
    return keyed_pn (st, "person-name", orig);
  if (is_text_vr (vr) || strcmp (vr, "AE") == 0)
    {
      g_autofree char *domain = g_strdup_printf ("%08X", tag);

      return keyed_id (st, domain, orig);
    }
  if (strcmp (vr, "DA") == 0)
    return g_strdup (DUMMY_DA);
  if (strcmp (vr, "TM") == 0)
    return g_strdup (DUMMY_TM);
  if (strcmp (vr, "DT") == 0)
    return g_strdup (DUMMY_DT);
  if (strcmp (vr, "UI") == 0)
    return *orig != '\0' ? map_uids (st, orig) : lacuna_uid_map_dup_keyed (st->ctx->key, "");
  if (strcmp (vr, "DS") == 0 || strcmp (vr, "IS") == 0 || is_number_vr (vr))
    return g_strdup ("0");
  if (strcmp (vr, "AS") == 0)
    return g_strdup ("000Y");
  if (strcmp (vr, "CS") == 0)
    return g_strdup ("ANONYMIZED");
  if (strcmp (vr, "UR") == 0)
    return g_strdup ("urn:x-lacuna:dummy");
  if (strcmp (vr, "AT") == 0)
    return g_strdup ("(0000,0000)");
  return NULL;
}

/* Shifts one DA value; FALSE when it is not a valid YYYYMMDD date. */
static gboolean
shift_da (const char *in,
          int         days,
          char        out[9])
{
  GDate date;
  guint y, m, d;

  if (strlen (in) != 8)
    return FALSE;
  for (int i = 0; i < 8; i++)
    if (!g_ascii_isdigit (in[i]))
      return FALSE;
  y = (guint) ((in[0] - '0') * 1000 + (in[1] - '0') * 100 + (in[2] - '0') * 10 + (in[3] - '0'));
  m = (guint) ((in[4] - '0') * 10 + (in[5] - '0'));
  d = (guint) ((in[6] - '0') * 10 + (in[7] - '0'));
  if (y < 1 || !g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
    return FALSE;
  g_date_clear (&date, 1);
  g_date_set_dmy (&date, (GDateDay) d, (GDateMonth) m, (GDateYear) y);
  if (days > 0)
    g_date_add_days (&date, (guint) days);
  else if (days < 0)
    {
      if (g_date_get_julian (&date) <= (guint32) -days)
        return FALSE;
      g_date_subtract_days (&date, (guint) -days);
    }
  if (g_date_get_year (&date) > 9999)
    return FALSE;
  g_snprintf (out, 9, "%04u%02u%02u", (guint) g_date_get_year (&date),
              (guint) g_date_get_month (&date), (guint) g_date_get_day (&date));
  return TRUE;
}

/* Shifts every value of a DA or DT element; NULL when any value is not a shiftable date
 * (a DT needs at least its full YYYYMMDD). The time and offset of a DT stay as they are. */
static char *
shift_dates (const char *value,
             const char *vr,
             int         days)
{
  g_auto(GStrv) parts = g_strsplit (value, "\\", -1);
  gboolean is_dt = strcmp (vr, "DT") == 0;

  for (char **p = parts; *p != NULL; p++)
    {
      char date[9];
      char shifted[9];

      g_strstrip (*p);
      if (**p == '\0')
        continue;
      if (strlen (*p) < 8 || (!is_dt && strlen (*p) != 8))
        return NULL;
      memcpy (date, *p, 8);
      date[8] = '\0';
      if (is_dt && (*p)[8] != '\0' && !g_ascii_isdigit ((*p)[8]) && (*p)[8] != '+' &&
          (*p)[8] != '-')
        return NULL;
      if (!shift_da (date, days, shifted))
        return NULL;
      memcpy (*p, shifted, 8);
    }
  return g_strjoinv ("\\", parts);
}

static gboolean
ascii_casecmp_n (const char *a,
                 const char *b,
                 gsize       n)
{
  return g_ascii_strncasecmp (a, b, n) == 0;
}

static LacunaIdentityCollectFlags phi_flags (LacunaDeidContext *ctx);

/* Cuts this file's identifying strings out of text; NULL when nothing was found. */
static char *
scrub_text (State      *st,
            const char *text)
{
  GString *out = NULL;
  gsize len = strlen (text);
  gsize i = 0;

  /* This file's own identifying strings; the same strings the residual scan looks for
   * afterwards (lacuna-identity.c). Read on first use (the walk only queues changes, so
   * the file is still as it came). */
  if (st->phi_tokens == NULL)
    st->phi_tokens = lacuna_identity_dup_scrub_tokens (st->file, phi_flags (st->ctx));
  while (i < len)
    {
      gboolean hit = FALSE;

      for (guint t = 0; t < st->phi_tokens->len; t++)
        {
          const char *tok = g_ptr_array_index (st->phi_tokens, t);
          gsize tl = strlen (tok);

          /* Whole words only: "MARY" is not in "PRIMARY". */
          if (tl <= len - i && ascii_casecmp_n (text + i, tok, tl) &&
              (i == 0 || !g_ascii_isalnum (text[i - 1])) &&
              (i + tl == len || !g_ascii_isalnum (text[i + tl])))
            {
              if (out == NULL)
                out = g_string_new_len (text, (gssize) i);
              g_string_append (out, "***");
              i += tl;
              hit = TRUE;
              break;
            }
        }
      if (!hit)
        {
          if (out != NULL)
            g_string_append_c (out, text[i]);
          i++;
        }
    }
  return out != NULL ? g_string_free (out, FALSE) : NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* Private elements                                                                         */

typedef struct
{
  const char *creator;
  guint8      element;   /* low byte of the element number in the block */
} SafePrivate;

/* Retain Safe Private: attributes PS3.15 Table E.3.10-1 lists as safe, the quantitative
 * ones that analysis needs (b-values and diffusion directions for dcm2niix and friends,
 * the PET SUV factors of QIBA's vendor-neutral SUV pseudo-code, MR scaling, CT pitch and
 * table speed). A subset on purpose: the table's long lists for ultrasound and
 * mammography are not carried, since a wrong entry would keep data that is not safe.
 * By private creator and the low byte of the element (the block may be any). */
static const SafePrivate safe_private[] = {
  { "SIEMENS MR HEADER", 0x0C },          /* (0019,xx0C) B_value */
  { "SIEMENS MR HEADER", 0x0D },          /* (0019,xx0D) DiffusionDirectionality */
  { "SIEMENS MR HEADER", 0x0E },          /* (0019,xx0E) DiffusionGradientDirection */
  { "SIEMENS MR HEADER", 0x27 },          /* (0019,xx27) B_matrix */
  { "GEMS_ACQU_01", 0x23 },               /* (0019,xx23) Table Speed */
  { "GEMS_ACQU_01", 0x27 },               /* (0019,xx27) Rotation Speed */
  { "GEMS_SERS_01", 0x07 },               /* (0025,xx07) Images in Series */
  { "GEMS_PARM_01", 0x27 },               /* (0043,xx27) Scan Pitch Ratio */
  { "GEMS_PARM_01", 0x39 },               /* (0043,xx39) Slop_int_6…9 (b-value) */
  { "GEMS_PARM_01", 0x6F },               /* (0043,xx6F) Scanner Table Entry */
  { "GEMS_HELIOS_01", 0x01 },             /* (0045,xx01) Number of Macro Rows in Detector */
  { "GEMS_HELIOS_01", 0x02 },             /* (0045,xx02) Macro Width at ISO Center */
  { "Philips Imaging DD 001", 0x03 },     /* (2001,xx03) Diffusion B-Factor */
  { "Philips Imaging DD 001", 0x04 },     /* (2001,xx04) Diffusion Direction */
  { "Philips MR Imaging DD 001", 0x0D },  /* (2005,xx0D) Scale Intercept */
  { "Philips MR Imaging DD 001", 0x0E },  /* (2005,xx0E) Scale Slope */
  { "Philips PET Private Group", 0x00 },  /* (7053,xx00) SUV Factor */
  { "Philips PET Private Group", 0x09 },  /* (7053,xx09) Activity Concentration Scale Factor */
  { NULL, 0 },
};

static gboolean
creator_is_safe (const char *creator)
{
  if (creator == NULL)
    return FALSE;
  for (guint i = 0; safe_private[i].creator != NULL; i++)
    if (strcmp (safe_private[i].creator, creator) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
private_is_safe (State                    *st,
                 const LacunaDicomElement *el,
                 Elem                     *e)
{
  guint16 element = el->tag & 0xFFFF;

  if (element >= 0x0010 && element <= 0x00FF)   /* a private creator */
    return elem_value (st, e) != NULL && creator_is_safe (g_strstrip (e->value));
  if (element < 0x1000 || el->private_creator == NULL)
    return FALSE;
  for (guint i = 0; safe_private[i].creator != NULL; i++)
    if (strcmp (safe_private[i].creator, el->private_creator) == 0 &&
        safe_private[i].element == (element & 0xFF))
      return TRUE;
  return FALSE;
}

/* ---------------------------------------------------------------------------------------- */
/* Deciding                                                                                 */

static const char *
option_reason (const LacunaProfileRule *rule,
               LacunaProfileOption      options,
               LacunaProfileAction      resolved)
{
  guint n;
  const LacunaProfileOptionInfo *infos = lacuna_profile_get_options (&n);
  int full = LACUNA_PROFILE_OPTION_INDEX_RETAIN_FULL_DATES;

  if ((options & LACUNA_PROFILE_OPTION_RETAIN_FULL_DATES) != 0 &&
      rule->per_option[full] != LACUNA_PROFILE_ACTION_NONE && rule->per_option[full] == resolved)
    return infos[full].code_meaning;
  for (guint i = 0; i < n; i++)
    {
      if ((options & infos[i].option) != 0 && rule->per_option[i] == resolved)
        return infos[i].code_meaning;
    }
  return R_BASIC;
}

static gboolean
needs_value (guint32 tag)
{
  switch (tag)
    {
    case 0x00100010:   /* Patient's Name */
    case 0x00100020:   /* Patient ID */
    case 0x00200010:   /* Study ID */
    case 0x00080020:   /* Study Date */
    case 0x00080030:   /* Study Time */
    case 0x00080050:   /* Accession Number */
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
is_binary (const Elem *e)
{
  return !e->el->is_sequence && !is_string_vr (e->vr) && !is_number_vr (e->vr) &&
         strcmp (e->vr, "AT") != 0;
}

static LacunaDicomWalkResult apply_action (State                   *st,
                                           Elem                    *e,
                                           const LacunaProfileRule *rule,
                                           LacunaProfileAction      action,
                                           const char              *reason);

static LacunaDicomWalkResult
do_remove (State      *st,
           Elem       *e,
           const char *reason)
{
  add_op (st, OP_REMOVE, e->el->path, NULL, NULL, 0);
  log_add (st->log, LACUNA_DEID_LOG_ELEMENT, e->el->path, e->el->keyword,
           LACUNA_PROFILE_ACTION_X, reason);
  return LACUNA_DICOM_WALK_SKIP_CHILDREN;
}

static LacunaDicomWalkResult
do_keep (State               *st,
         Elem                *e,
         LacunaProfileAction  logged,
         const char          *reason)
{
  log_add (st->log, LACUNA_DEID_LOG_ELEMENT, e->el->path, e->el->keyword, logged, reason);
  return LACUNA_DICOM_WALK_CONTINUE;
}

static LacunaDicomWalkResult
do_set (State               *st,
        Elem                *e,
        const char          *value,
        LacunaProfileAction  logged,
        const char          *reason)
{
  add_op (st, OP_SET_STRING, e->el->path, e->set_vr, value, 0);
  log_add (st->log, LACUNA_DEID_LOG_ELEMENT, e->el->path, e->el->keyword, logged, reason);
  return LACUNA_DICOM_WALK_CONTINUE;
}

static LacunaDicomWalkResult
do_dummy (State               *st,
          Elem                *e,
          LacunaProfileAction  logged,
          const char          *reason)
{
  g_autofree char *dummy = NULL;

  if (e->el->is_sequence)
    return do_keep (st, e, logged, reason);   /* items processed: their contents replaced */
  if (is_binary (e))
    {
      if (st->ctx->options->include_unknown_payloads)
        return do_keep (st, e, LACUNA_PROFILE_ACTION_K, R_OPAQUE_KEPT);
      add_op (st, OP_SET_BYTES, e->el->path, NULL, NULL, 8);
      log_add (st->log, LACUNA_DEID_LOG_ELEMENT, e->el->path, e->el->keyword, logged, reason);
      return LACUNA_DICOM_WALK_CONTINUE;
    }
  dummy = dummy_for (st, e);
  if ((e->el->tag == 0x00100010 && st->ctx->options->patient_name != NULL &&
       g_strcmp0 (elem_value (st, e), st->orig_patient_name) == 0) ||
      (e->el->tag == 0x00100020 && st->ctx->options->patient_id != NULL &&
       g_strcmp0 (elem_value (st, e), st->orig_patient_id) == 0))
    reason = R_PSEUDONYM;
  return do_set (st, e, dummy != NULL ? dummy : "", logged, reason);
}

static LacunaDicomWalkResult
do_clean (State                   *st,
          Elem                    *e,
          const LacunaProfileRule *rule,
          const char              *reason)
{
  const LacunaDeidOptions *o = st->ctx->options;
  guint group = e->el->tag >> 16;
  gboolean from_dates = rule != NULL &&
    (o->options & LACUNA_PROFILE_OPTION_RETAIN_MODIFIED_DATES) != 0 &&
    rule->per_option[LACUNA_PROFILE_OPTION_INDEX_RETAIN_MODIFIED_DATES] ==
      LACUNA_PROFILE_ACTION_C;

  if (e->el->is_sequence)
    return do_keep (st, e, LACUNA_PROFILE_ACTION_C, reason);

  if (strcmp (e->vr, "DA") == 0 || strcmp (e->vr, "DT") == 0)
    {
      g_autofree char *shifted = NULL;

      if (elem_value (st, e) == NULL || *e->value == '\0')
        return do_keep (st, e, LACUNA_PROFILE_ACTION_C, reason);   /* nothing to shift */
      shifted = shift_dates (e->value, e->vr, st->date_offset);
      if (shifted != NULL)
        return do_set (st, e, shifted, LACUNA_PROFILE_ACTION_C, reason);
    }
  else if (from_dates && (strcmp (e->vr, "TM") == 0 || strcmp (e->vr, "SH") == 0))
    return do_keep (st, e, LACUNA_PROFILE_ACTION_C, R_TIME_KEPT);
  else if (!from_dates)
    {
      if ((group & 0xFF00) == 0x6000 || (group & 0xFF00) == 0x5000)
        return do_keep (st, e, LACUNA_PROFILE_ACTION_C, reason);   /* overlays, curves */
      if (e->el->is_private)
        return do_keep (st, e, LACUNA_PROFILE_ACTION_C, reason);   /* safe private */
      if (is_text_vr (e->vr))
        {
          g_autofree char *clean = elem_value (st, e) != NULL ? scrub_text (st, e->value)
                                                              : NULL;

          if (clean != NULL)
            return do_set (st, e, clean, LACUNA_PROFILE_ACTION_C, reason);
          return do_keep (st, e, LACUNA_PROFILE_ACTION_C, reason);
        }
      if (strcmp (e->vr, "PN") == 0 || strcmp (e->vr, "AE") == 0)
        return do_dummy (st, e, LACUNA_PROFILE_ACTION_C, reason);
      if (is_binary (e))
        {
          if (o->include_unknown_payloads)
            return do_keep (st, e, LACUNA_PROFILE_ACTION_K, R_OPAQUE_KEPT);
          return do_remove (st, e, R_CANNOT_CLEAN);
        }
      /* Codes, numbers: values of a fixed meaning. */
      return do_keep (st, e, LACUNA_PROFILE_ACTION_C, reason);
    }

  /* A date we cannot shift (or a binary timestamp): the profile's action without the
   * dates options. */
  {
    LacunaProfileOption without = o->options & ~(LACUNA_PROFILE_OPTION_RETAIN_MODIFIED_DATES |
                                                 LACUNA_PROFILE_OPTION_RETAIN_FULL_DATES);
    LacunaProfileAction fallback = LACUNA_PROFILE_ACTION_X;

    if (rule != NULL)
      {
        LacunaProfileAttributeType type =
          lacuna_iod_types_lookup_family (st->family, e->el->tag, e->el->depth);

        fallback = lacuna_profile_resolve_type (lacuna_profile_resolve (rule, without), type);
      }
    if (fallback == LACUNA_PROFILE_ACTION_C || fallback == LACUNA_PROFILE_ACTION_NONE)
      fallback = LACUNA_PROFILE_ACTION_X;
    return apply_action (st, e, NULL, fallback, R_INVALID_DATE);
  }
}

static LacunaDicomWalkResult
apply_action (State                   *st,
              Elem                    *e,
              const LacunaProfileRule *rule,
              LacunaProfileAction      action,
              const char              *reason)
{
  switch (action)
    {
    case LACUNA_PROFILE_ACTION_X:
      return do_remove (st, e, reason);

    case LACUNA_PROFILE_ACTION_K:
      return do_keep (st, e, LACUNA_PROFILE_ACTION_K, reason);

    case LACUNA_PROFILE_ACTION_U:
      if (e->el->is_sequence)
        return do_keep (st, e, LACUNA_PROFILE_ACTION_U, reason);
      if (strcmp (e->vr, "UI") != 0)
        return do_dummy (st, e, LACUNA_PROFILE_ACTION_D, reason);
      if (elem_value (st, e) == NULL || *e->value == '\0')
        return do_keep (st, e, LACUNA_PROFILE_ACTION_U, reason);   /* nothing to map */
      {
        g_autofree char *mapped = map_uids (st, e->value);

        return do_set (st, e, mapped, LACUNA_PROFILE_ACTION_U, reason);
      }

    case LACUNA_PROFILE_ACTION_Z:
      if (needs_value (e->el->tag))
        return do_dummy (st, e, LACUNA_PROFILE_ACTION_D,
                         strcmp (reason, R_BASIC) == 0 ? R_NEEDS_VALUE : reason);
      if (e->el->is_sequence)
        {
          g_ptr_array_add (st->emptied, g_strconcat (e->el->path, "/", NULL));
          return do_keep (st, e, LACUNA_PROFILE_ACTION_Z, reason);
        }
      if (is_binary (e))
        {
          add_op (st, OP_SET_BYTES, e->el->path, NULL, NULL, 0);
          log_add (st->log, LACUNA_DEID_LOG_ELEMENT, e->el->path, e->el->keyword,
                   LACUNA_PROFILE_ACTION_Z, reason);
          return LACUNA_DICOM_WALK_CONTINUE;
        }
      return do_set (st, e, "", LACUNA_PROFILE_ACTION_Z, reason);

    case LACUNA_PROFILE_ACTION_D:
      return do_dummy (st, e, LACUNA_PROFILE_ACTION_D, reason);

    case LACUNA_PROFILE_ACTION_C:
      return do_clean (st, e, rule, reason);

    case LACUNA_PROFILE_ACTION_NONE:
    case LACUNA_PROFILE_ACTION_Z_D:
    case LACUNA_PROFILE_ACTION_X_Z:
    case LACUNA_PROFILE_ACTION_X_D:
    case LACUNA_PROFILE_ACTION_X_Z_D:
    case LACUNA_PROFILE_ACTION_X_Z_U:
    case LACUNA_PROFILE_N_ACTIONS:
    default:
      g_assert_not_reached ();
    }
  return LACUNA_DICOM_WALK_CONTINUE;
}

static const LacunaDeidOverride *
find_override (State      *st,
               const char *path)
{
  GPtrArray *overrides = st->ctx->options->overrides;

  if (overrides == NULL)
    return NULL;
  for (guint i = 0; i < overrides->len; i++)
    {
      const LacunaDeidOverride *o = g_ptr_array_index (overrides, i);

      if (lacuna_deid_override_path_matches (o->path, path))
        return o;
    }
  return NULL;
}

static LacunaDicomWalkResult
decide (State *st,
        Elem  *e)
{
  const LacunaDicomElement *el = e->el;
  const LacunaDeidOptions *o = st->ctx->options;
  guint group = el->tag >> 16;
  const LacunaDeidOverride *override;
  const LacunaProfileRule *rule;
  const char *reason = R_BASIC;
  gboolean overlay = FALSE;

  for (guint i = 0; i < st->emptied->len; i++)
    {
      if (g_str_has_prefix (el->path, g_ptr_array_index (st->emptied, i)))
        return do_remove (st, e, R_EMPTIED);
    }

  override = find_override (st, el->path);
  if (override != NULL)
    {
      switch (override->action)
        {
        case LACUNA_DEID_OVERRIDE_KEEP:
          return do_keep (st, e, LACUNA_PROFILE_ACTION_K, R_OVERRIDE);
        case LACUNA_DEID_OVERRIDE_REMOVE:
          return do_remove (st, e, R_OVERRIDE);
        case LACUNA_DEID_OVERRIDE_REPLACE:
        default:
          if (el->is_sequence || is_binary (e))
            {
              if (st->error == NULL)
                {
                  g_autofree char *tag = lacuna_dicom_tag_format (el->tag);

                  g_set_error (&st->error, LACUNA_DEID_ERROR, LACUNA_DEID_ERROR_FAILED,
                               _("A recipe override replaces %s, which holds no text"), tag);
                }
              return LACUNA_DICOM_WALK_STOP;
            }
          return do_set (st, e, override->value, LACUNA_PROFILE_ACTION_D, R_OVERRIDE);
        }
    }

  if (group == 0x0002)
    {
      switch (el->tag)
        {
        case 0x00020016:   /* Source Application Entity Title */
        case 0x00020017:   /* Sending Application Entity Title */
        case 0x00020018:   /* Receiving Application Entity Title */
        case 0x00020100:   /* Private Information Creator UID */
        case 0x00020102:   /* Private Information */
          return do_remove (st, e, R_META);
        default:
          break;
        }
    }

  if (el->is_private)
    {
      if ((o->options & LACUNA_PROFILE_OPTION_RETAIN_SAFE_PRIVATE) != 0 &&
          private_is_safe (st, el, e))
        return do_clean (st, e, NULL, lacuna_profile_option_get_info (
                           LACUNA_PROFILE_OPTION_RETAIN_SAFE_PRIVATE)->code_meaning);
      return do_remove (st, e, R_PRIVATE);
    }

  if ((el->tag & 0xFFFF) == 0x0000)
    return do_remove (st, e, R_GROUP_LENGTH);

  rule = lacuna_profile_lookup (el->tag);
  if ((group & 0xFF01) == 0x6000 && (rule == NULL || rule->mask == 0xFFFFFFFFu))
    {
      /* Overlay group: elements without a row of their own follow Overlay Data. */
      rule = lacuna_profile_lookup ((el->tag & 0xFFFF0000u) | 0x3000);
      reason = R_OVERLAY;
      overlay = TRUE;
    }

  if (rule != NULL)
    {
      LacunaProfileAction action = lacuna_profile_resolve (rule, o->options);
      LacunaProfileAttributeType type =
        lacuna_iod_types_lookup_family (st->family, el->tag, el->depth);

      if (!overlay)
        reason = option_reason (rule, o->options, action);
      else if (action != rule->basic)
        reason = option_reason (rule, o->options, action);
      action = lacuna_profile_resolve_type (action, type);

      /* A UI element with D (or C) is a UID to replace consistently. */
      if (strcmp (e->vr, "UI") == 0 &&
          (action == LACUNA_PROFILE_ACTION_D || action == LACUNA_PROFILE_ACTION_C))
        action = LACUNA_PROFILE_ACTION_U;
      return apply_action (st, e, rule, action, reason);
    }

  /* Not in the table. */
  if (strcmp (e->vr, "UI") == 0 && elem_value (st, e) != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (e->value, "\\", -1);

      for (char **p = parts; *p != NULL; p++)
        {
          g_strstrip (*p);
          if (**p != '\0' && g_hash_table_contains (st->ctx->input_uids, *p))
            return apply_action (st, e, NULL, LACUNA_PROFILE_ACTION_U, R_UID_SET);
        }
    }
  if (*el->keyword == '\0' && group != 0x0002)
    {
      if (o->include_unknown_payloads)
        return do_keep (st, e, LACUNA_PROFILE_ACTION_K, R_OPAQUE_KEPT);
      return do_remove (st, e, R_UNKNOWN);
    }
  return do_keep (st, e, LACUNA_PROFILE_ACTION_K, group == 0x0002 ? R_META : R_NOT_IN_PROFILE);
}

/* No value is formatted by the walk: decide () reads the few it needs (elem_value ()). */
static gboolean
want_no_value (guint32     tag,
               const char *vr,
               gpointer    user_data)
{
  return FALSE;
}

static LacunaDicomWalkResult
decide_cb (const LacunaDicomElement *element,
           gpointer                  user_data)
{
  State *st = user_data;
  Elem e;
  LacunaDicomWalkResult result;

  elem_init (st, element, &e);
  result = decide (st, &e);
  g_free (e.value);
  return result;
}

/* ---------------------------------------------------------------------------------------- */
/* The record of what was done                                                              */

static gboolean
set_value (State       *st,
           const char  *path,
           const char  *vr,
           const char  *value,
           const char  *keyword,
           GError     **error)
{
  if (!lacuna_dicom_file_set_string (st->file, path, vr, value, error))
    return FALSE;
  if (strchr (path, '/') == NULL)
    log_add (st->log, LACUNA_DEID_LOG_ADDED, path, keyword, LACUNA_PROFILE_ACTION_NONE, R_RECORD);
  return TRUE;
}

static gboolean
append_code (State       *st,
             const char  *seq_path,
             const char  *value,
             const char  *scheme,
             const char  *meaning,
             GError     **error)
{
  int idx = lacuna_dicom_file_append_item (st->file, seq_path, error);
  g_autofree char *p_value = NULL;
  g_autofree char *p_scheme = NULL;
  g_autofree char *p_meaning = NULL;

  if (idx < 0)
    return FALSE;
  p_value = g_strdup_printf ("%s/%d/00080100", seq_path, idx);
  p_scheme = g_strdup_printf ("%s/%d/00080102", seq_path, idx);
  p_meaning = g_strdup_printf ("%s/%d/00080104", seq_path, idx);
  return lacuna_dicom_file_set_string (st->file, p_value, "SH", value, error) &&
         lacuna_dicom_file_set_string (st->file, p_scheme, "SH", scheme, error) &&
         lacuna_dicom_file_set_string (st->file, p_meaning, "LO", meaning, error);
}

/* (0012,0063): earlier steps first, then ours. */
static char *
record_method (State *st)
{
  const LacunaDeidOptions *o = st->ctx->options;
  guint n_infos;
  const LacunaProfileOptionInfo *infos = lacuna_profile_get_options (&n_infos);
  g_autoptr(GPtrArray) methods = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *existing = NULL;

  existing = lacuna_dicom_file_dup_string (st->file, "00120063", NULL);
  if (existing != NULL && *existing != '\0')
    g_ptr_array_add (methods, g_strdup (existing));
  g_ptr_array_add (methods, g_strdup (LACUNA_DEID_METHOD_PROFILE));
  for (guint i = 0; i < n_infos; i++)
    if ((o->options & infos[i].option) != 0)
      g_ptr_array_add (methods, g_strdup (infos[i].code_meaning));
  g_ptr_array_add (methods, g_strdup ("Lacuna " LACUNA_VERSION));
  g_ptr_array_add (methods, NULL);
  return g_strjoinv ("\\", (char **) methods->pdata);
}

/* (0028,0303) Longitudinal Temporal Information Modified. */
static const char *
record_ltim (State *st)
{
  const LacunaDeidOptions *o = st->ctx->options;

  if ((o->options & LACUNA_PROFILE_OPTION_RETAIN_FULL_DATES) != 0)
    return "UNMODIFIED";
  if ((o->options & LACUNA_PROFILE_OPTION_RETAIN_MODIFIED_DATES) != 0)
    return "MODIFIED";
  return "REMOVED";
}

static void
plan_record_add (GPtrArray          *record,
                 LacunaDeidEditKind  kind,
                 const char         *path,
                 const char         *vr,
                 const char         *value,
                 const char         *keyword)
{
  Op *op = g_new0 (Op, 1);

  op->kind = kind;
  op->path = g_strdup (path);
  op->vr = vr;
  op->value = g_strdup (value);
  op->keyword = keyword;
  g_ptr_array_add (record, op);
}

/* What write_record() sets, without setting it (the plan). Keep the two in step. */
static GPtrArray *
plan_record (State *st)
{
  GPtrArray *record = g_ptr_array_new_with_free_func (op_free);
  g_autofree char *method = record_method (st);

  plan_record_add (record, OP_SET_STRING, "00120062", "CS", "YES", "PatientIdentityRemoved");
  plan_record_add (record, OP_SET_STRING, "00120063", "LO", method, "DeidentificationMethod");
  plan_record_add (record, LACUNA_DEID_EDIT_NONE, "00120064", "SQ", NULL,
                   "DeidentificationMethodCodeSequence");
  plan_record_add (record, OP_SET_STRING, "00280303", "CS", record_ltim (st),
                   "LongitudinalTemporalInformationModified");
  plan_record_add (record, LACUNA_DEID_EDIT_NONE, "0018A001", "SQ", NULL,
                   "ContributingEquipmentSequence");
  if (st->ctx->options->pixels_verified_clean)
    plan_record_add (record, OP_SET_STRING, "00280301", "CS", "NO", "BurnedInAnnotation");
  return record;
}

static gboolean
write_record (State   *st,
              GError **error)
{
  const LacunaDeidOptions *o = st->ctx->options;
  guint n_infos;
  const LacunaProfileOptionInfo *infos = lacuna_profile_get_options (&n_infos);
  g_autofree char *method = NULL;
  const char *ltim;
  int idx;

  if (!set_value (st, "00120062", "CS", "YES", "PatientIdentityRemoved", error))
    return FALSE;

  method = record_method (st);
  if (!set_value (st, "00120063", "LO", method, "DeidentificationMethod", error))
    return FALSE;

  /* (0012,0064): the profile and every active option (CID 7050). */
  if (!append_code (st, "00120064", LACUNA_PROFILE_BASIC_CODE_VALUE,
                    LACUNA_PROFILE_CODING_SCHEME_DESIGNATOR, LACUNA_PROFILE_BASIC_CODE_MEANING,
                    error))
    return FALSE;
  for (guint i = 0; i < n_infos; i++)
    {
      if ((o->options & infos[i].option) != 0 &&
          !append_code (st, "00120064", infos[i].code_value,
                        LACUNA_PROFILE_CODING_SCHEME_DESIGNATOR, infos[i].code_meaning, error))
        return FALSE;
    }
  log_add (st->log, LACUNA_DEID_LOG_ADDED, "00120064", "DeidentificationMethodCodeSequence",
           LACUNA_PROFILE_ACTION_NONE, R_RECORD);

  ltim = record_ltim (st);
  if (!set_value (st, "00280303", "CS", ltim, "LongitudinalTemporalInformationModified", error))
    return FALSE;

  /* (0018,A001) Contributing Equipment: a new item for us. No Contribution DateTime. */
  idx = lacuna_dicom_file_append_item (st->file, "0018A001", error);
  if (idx < 0)
    return FALSE;
  {
    g_autofree char *item = g_strdup_printf ("0018A001/%d", idx);
    g_autofree char *manufacturer = g_strconcat (item, "/00080070", NULL);
    g_autofree char *software = g_strconcat (item, "/00181020", NULL);
    g_autofree char *purpose = g_strconcat (item, "/0040A170", NULL);

    if (!lacuna_dicom_file_set_string (st->file, manufacturer, "LO", "Lacuna", error) ||
        !lacuna_dicom_file_set_string (st->file, software, "LO", LACUNA_VERSION, error) ||
        !append_code (st, purpose, "109104", "DCM", "De-identifying Equipment", error))
      return FALSE;
  }
  log_add (st->log, LACUNA_DEID_LOG_ADDED, "0018A001", "ContributingEquipmentSequence",
           LACUNA_PROFILE_ACTION_NONE, R_RECORD);

  if (o->pixels_verified_clean &&
      !set_value (st, "00280301", "CS", "NO", "BurnedInAnnotation", error))
    return FALSE;
  return TRUE;
}

/* ---------------------------------------------------------------------------------------- */
/* Apply                                                                                    */

static char *
dup_top (LacunaDicomFile *file,
         const char      *path)
{
  char *s = lacuna_dicom_file_dup_string (file, path, NULL);

  if (s == NULL)
    return NULL;
  return g_strstrip (s);
}

static LacunaIdentityCollectFlags
phi_flags (LacunaDeidContext *ctx)
{
  LacunaIdentityCollectFlags flags = LACUNA_IDENTITY_COLLECT_DEFAULT;

  if ((ctx->options->options & LACUNA_PROFILE_OPTION_RETAIN_INSTITUTION_IDENTITY) != 0)
    flags |= LACUNA_IDENTITY_COLLECT_SKIP_INSTITUTION;
  if ((ctx->options->options & LACUNA_PROFILE_OPTION_RETAIN_DEVICE_IDENTITY) != 0)
    flags |= LACUNA_IDENTITY_COLLECT_SKIP_DEVICE;
  return flags;
}

static void
state_clear (State *st)
{
  g_clear_pointer (&st->ops, g_ptr_array_unref);
  g_clear_pointer (&st->phi_tokens, g_ptr_array_unref);
  g_clear_pointer (&st->emptied, g_ptr_array_unref);
  g_clear_pointer (&st->orig_patient_id, g_free);
  g_clear_pointer (&st->orig_patient_name, g_free);
  g_clear_pointer (&st->orig_study_uid, g_free);
  g_clear_pointer (&st->patient_key, g_free);
  g_clear_error (&st->error);
}

static gboolean
run_op (State     *st,
        Op        *op,
        GError   **error)
{
  static const guint8 zeros[8] = { 0 };

  switch (op->kind)
    {
    case OP_REMOVE:
      return lacuna_dicom_file_remove (st->file, op->path, error);
    case OP_SET_STRING:
      return lacuna_dicom_file_set_string (st->file, op->path, op->vr, op->value, error);
    case LACUNA_DEID_EDIT_NONE:
      return TRUE;
    case OP_SET_BYTES:
    default:
      return lacuna_dicom_file_set_bytes (st->file, op->path, op->vr,
                                          op->size > 0 ? zeros : NULL, op->size, error);
    }
}

/* The decision pass shared by lacuna_deid_apply() and the plan: fills st->ops and the log. */
static gboolean
decide_file (State              *st,
             LacunaDeidContext  *ctx,
             LacunaDicomFile    *file,
             LacunaDeidLog      *log,
             GError            **error)
{
  g_autofree char *sop_class = NULL;

  if (log != NULL)
    lacuna_deid_log_clear (log);

  st->ctx = ctx;
  st->file = file;
  st->log = log;
  st->ops = g_ptr_array_new_with_free_func (op_free);
  st->emptied = g_ptr_array_new_with_free_func (g_free);

  sop_class = dup_top (file, "00080016");
  st->family = lacuna_iod_family_from_sop_class (sop_class);
  st->orig_patient_id = dup_top (file, "00100020");
  st->orig_patient_name = dup_top (file, "00100010");
  st->orig_study_uid = dup_top (file, "0020000D");
  if (st->orig_patient_id != NULL && *st->orig_patient_id != '\0')
    st->patient_key = g_strdup (st->orig_patient_id);
  else
    st->patient_key = g_strconcat ("name:", st->orig_patient_name ? st->orig_patient_name : "",
                                   NULL);
  st->date_offset = lacuna_deid_context_get_date_offset (ctx, st->patient_key);

  /* Decisions read text values only (binary numbers are kept, emptied or zeroed whatever
   * they hold), and only where the action needs them (a UID to map, a date to shift, a
   * dummy keyed on the value): elem_value () formats those, the walk none. */
  lacuna_dicom_file_walk_some (file, LACUNA_DICOM_WALK_META | LACUNA_DICOM_WALK_TEXT_ONLY |
                                 LACUNA_DICOM_WALK_NO_VM,
                               want_no_value, decide_cb, st);
  if (st->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&st->error));
      return FALSE;
    }
  return TRUE;
}

gboolean
_lacuna_deid_decide (LacunaDeidContext  *ctx,
                     LacunaDicomFile    *file,
                     LacunaDeidLog      *log,
                     GPtrArray         **out_edits,
                     GPtrArray         **out_record,
                     GError            **error)
{
  State st = { 0 };
  gboolean ok = FALSE;

  g_return_val_if_fail (ctx != NULL, FALSE);
  g_return_val_if_fail (file != NULL, FALSE);
  g_return_val_if_fail (log != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (decide_file (&st, ctx, file, log, error))
    {
      if (out_edits != NULL)
        *out_edits = g_steal_pointer (&st.ops);
      if (out_record != NULL)
        *out_record = plan_record (&st);
      ok = TRUE;
    }
  state_clear (&st);
  return ok;
}

LacunaKey *
_lacuna_deid_context_get_key (LacunaDeidContext *ctx)
{
  g_return_val_if_fail (ctx != NULL, NULL);
  return ctx->key;
}

GHashTable *
_lacuna_deid_context_get_input_uids (LacunaDeidContext *ctx)
{
  g_return_val_if_fail (ctx != NULL, NULL);
  return ctx->input_uids;
}

static gboolean
is_top_level (const char *path)
{
  return strchr (path, '/') == NULL;
}

/* Removes, in one pass over the dataset, the top-level elements that only a removal
 * touches (no other op on the same tag or inside it, so that the order of the ops does not
 * matter for them), and makes their ops do nothing. One removal at a time searches the dataset
 * from its start each time. */
static gboolean
remove_top_level (State   *st,
                  GError **error)
{
  g_autoptr(GHashTable) touched = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr(GArray) tags = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(GPtrArray) batched = g_ptr_array_new ();

  for (guint i = 0; i < st->ops->len; i++)
    {
      Op *op = g_ptr_array_index (st->ops, i);
      guint32 tag = lacuna_dicom_path_first_tag (op->path);

      if (op->kind != OP_REMOVE || !is_top_level (op->path))
        g_hash_table_add (touched, GUINT_TO_POINTER (tag));
    }
  for (guint i = 0; i < st->ops->len; i++)
    {
      Op *op = g_ptr_array_index (st->ops, i);
      guint32 tag = lacuna_dicom_path_first_tag (op->path);

      if (op->kind == OP_REMOVE && is_top_level (op->path) && tag != 0 &&
          !g_hash_table_contains (touched, GUINT_TO_POINTER (tag)))
        {
          g_array_append_val (tags, tag);
          g_ptr_array_add (batched, op);
        }
    }
  if (!lacuna_dicom_file_remove_tags (st->file, (const guint32 *) tags->data, tags->len, error))
    {
      g_prefix_error (error, _("De-identifying: "));
      return FALSE;
    }
  for (guint i = 0; i < batched->len; i++)
    ((Op *) g_ptr_array_index (batched, i))->kind = LACUNA_DEID_EDIT_NONE;
  return TRUE;
}

gboolean
lacuna_deid_apply (LacunaDeidContext  *ctx,
                   LacunaDicomFile    *file,
                   LacunaDeidLog      *log,
                   GError            **error)
{
  State st = { 0 };
  gboolean ok = FALSE;

  g_return_val_if_fail (ctx != NULL, FALSE);
  g_return_val_if_fail (file != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Decisions first (the walk must not see its own edits), edits after: the plan
   * (_lacuna_deid_decide) is the first half of this. */
  if (!decide_file (&st, ctx, file, log, error))
    goto out;

  if (!remove_top_level (&st, error))
    goto out;
  for (guint i = 0; i < st.ops->len; i++)
    {
      Op *op = g_ptr_array_index (st.ops, i);

      if (!run_op (&st, op, error))
        {
          g_autofree char *where = lacuna_dicom_path_format (op->path);

          g_prefix_error (error, _("De-identifying %s: "), where);
          goto out;
        }
    }

  if (!write_record (&st, error))
    {
      g_prefix_error (error, _("Recording the de-identification: "));
      goto out;
    }
  ok = TRUE;

out:
  state_clear (&st);
  return ok;
}
