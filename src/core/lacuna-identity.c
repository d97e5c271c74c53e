/* lacuna-identity.c: the identifying strings of one file (see lacuna-identity.h).
 *
 * Derivation rules (lacuna_identity_derive), per single value (values split at '\'):
 *  - Every string must hold a letter or a digit, have at least 3 characters (2 when it is
 *    written in CJK, kana or Hangul, where names of two characters are common), and not be a
 *    placeholder or a stop word (ANONYMOUS, UNKNOWN, PATIENT, NAME, TEST, titles and
 *    suffixes such as DR, MD, PHD, JR, particles such as VAN, DER, DEL). "JR", "MD" and
 *    other two-letter parts fall below the minimum; so do two-letter Latin surnames (LI,
 *    WU), which are then only found as part of the whole name.
 *  - A string of digits only with 3 to 5 digits is WEAK (such numbers are everywhere:
 *    counts, sizes, window values); 6 digits or more is ordinary TEXT.
 *  - Names (PN): the whole value (trailing '^' and '=' dropped), each '='-separated group,
 *    and the parts split at '^', '=', ',', space and hyphen.
 *  - IDs, accession number, institution name and department, station name: the whole value.
 *    Study ID only with at least 4 characters and a letter, or at least 6 digits (Study IDs
 *    are mostly small serial numbers).
 *  - Birth date (a valid YYYYMMDD other than the engine's dummy 19000101): YYYYMMDD (DATE
 *    match), YYYY-MM-DD, YYYY/MM/DD, DD.MM.YYYY, MM.DD.YYYY, DD/MM/YYYY, MM/DD/YYYY,
 *    DD-MM-YYYY, MM-DD-YYYY, D/M/YYYY, M/D/YYYY, D.M.YYYY.
 *  - Addresses (patient's and institution's): the whole value; each component split at
 *    ',', ';', '^', line breaks that has at least 5 characters and either a space or a
 *    digit ("56 Walnut Drive", "San DiFrangeles", "PA 56560", not "California"); and for a
 *    component starting with a house number, the number with the next word ("56 Walnut").
 *    Single words are not searched: a state or a street type alone identifies nobody.
 *  - Phone: the whole value, and its digits (DIGITS match) when there are at least 7, and
 *    without the country code when the value starts with '+'.
 */

#define G_LOG_DOMAIN "lacuna-identity"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lacuna-identity.h"

#define DUMMY_BIRTH_DATE "19000101"

static const char *const kind_names[LACUNA_IDENTITY_N_KINDS] = {
  [LACUNA_IDENTITY_PATIENT_NAME] = "patient name",
  [LACUNA_IDENTITY_PERSON_NAME] = "person name",
  [LACUNA_IDENTITY_PATIENT_ID] = "patient ID",
  [LACUNA_IDENTITY_ACCESSION_NUMBER] = "accession number",
  [LACUNA_IDENTITY_STUDY_ID] = "study ID",
  [LACUNA_IDENTITY_BIRTH_DATE] = "birth date",
  [LACUNA_IDENTITY_ADDRESS] = "address",
  [LACUNA_IDENTITY_PHONE] = "phone",
  [LACUNA_IDENTITY_INSTITUTION] = "institution",
  [LACUNA_IDENTITY_STATION_NAME] = "station name",
  [LACUNA_IDENTITY_RESIDENCE] = "residence",
};

const char *
lacuna_identity_kind_to_string (LacunaIdentityKind kind)
{
  g_return_val_if_fail (kind < LACUNA_IDENTITY_N_KINDS, "identifier");
  return kind_names[kind];
}

/* ---------------------------------------------------------------------------------------- */
/* Placeholders                                                                             */

static const char *const stop_words[] = {
  "anonymous", "anonymized", "anonymised", "anonymisiert", "anon", "unknown", "patient",
  "name", "test", "none", "null", "nil", "n/a", "removed", "deleted", "redacted", "empty",
  "mr", "mrs", "ms", "miss", "dr", "md", "phd", "jr", "sr", "ii", "iii", "iv", "prof",
  "the", "and", "von", "van", "der", "den", "del", "des", "los", "las", "dos", "ten", "ter",
};

static gboolean
is_base32 (const char *s,
           gsize       n)
{
  for (gsize i = 0; i < n; i++)
    if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '2' && s[i] <= '7')))
      return FALSE;
  return s[n] == '\0';
}

gboolean
lacuna_identity_is_placeholder (const char *value)
{
  g_autofree char *lower = NULL;

  g_return_val_if_fail (value != NULL, TRUE);

  /* The engine's keyed dummies: not an input's identity. */
  if (g_str_has_prefix (value, "ANONYMOUS^") && strlen (value) == 18 && is_base32 (value + 10, 8))
    return TRUE;
  if (g_str_has_prefix (value, "LAC") && strlen (value) == 13 && is_base32 (value + 3, 10))
    return TRUE;

  lower = g_utf8_strdown (value, -1);
  for (guint i = 0; i < G_N_ELEMENTS (stop_words); i++)
    if (strcmp (lower, stop_words[i]) == 0)
      return TRUE;
  return FALSE;
}

/* ---------------------------------------------------------------------------------------- */
/* Collecting                                                                               */

static void
value_free (gpointer data)
{
  LacunaIdentityValue *v = data;

  g_free (v->value);
  g_free (v);
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

gboolean
lacuna_identity_kind_for_tag (guint32             tag,
                              const char         *vr,
                              LacunaIdentityKind *out_kind)
{
  LacunaIdentityKind kind;

  g_return_val_if_fail (vr != NULL, FALSE);

  if ((tag >> 16) & 1)
    return FALSE;   /* private */
  if (strcmp (vr, "PN") == 0)
    {
      gboolean patient = tag == 0x00100010 || tag == 0x00101001 ||
                         tag == 0x00101005 || tag == 0x00101060;

      kind = patient ? LACUNA_IDENTITY_PATIENT_NAME : LACUNA_IDENTITY_PERSON_NAME;
    }
  else
    {
      switch (tag)
        {
        case 0x00100030:   /* Patient's Birth Date */
          kind = LACUNA_IDENTITY_BIRTH_DATE;
          break;
        case 0x00080080:   /* Institution Name */
        case 0x00080081:   /* Institution Address */
        case 0x00081040:   /* Institutional Department Name */
          kind = LACUNA_IDENTITY_INSTITUTION;
          break;
        case 0x00081010:   /* Station Name */
          kind = LACUNA_IDENTITY_STATION_NAME;
          break;
        case 0x00100020:   /* Patient ID */
        case 0x00101000:   /* Other Patient IDs */
          kind = LACUNA_IDENTITY_PATIENT_ID;
          break;
        case 0x00080050:   /* Accession Number */
          kind = LACUNA_IDENTITY_ACCESSION_NUMBER;
          break;
        case 0x00200010:   /* Study ID */
          kind = LACUNA_IDENTITY_STUDY_ID;
          break;
        case 0x00101040:   /* Patient's Address */
          kind = LACUNA_IDENTITY_ADDRESS;
          break;
        case 0x00102154:   /* Patient's Telephone Numbers */
          kind = LACUNA_IDENTITY_PHONE;
          break;
        case 0x00101080:   /* Military Rank */
        case 0x00102150:   /* Country of Residence */
        case 0x00102152:   /* Region of Residence */
          kind = LACUNA_IDENTITY_RESIDENCE;
          break;
        default:
          return FALSE;
        }
    }
  if (out_kind != NULL)
    *out_kind = kind;
  return TRUE;
}

typedef struct
{
  LacunaDicomFile            *file;
  LacunaIdentityCollectFlags  flags;
  GPtrArray                  *values;
  GPtrArray                  *pending;    /* LacunaIdentityValue*: checked against devices */
  GPtrArray                  *devices;    /* char*: Manufacturer, Model Name (casefolded) */
} Collect;

static void
add_value (Collect            *c,
           LacunaIdentityKind  kind,
           guint32             tag,
           const char         *value)
{
  LacunaIdentityValue *v = g_new0 (LacunaIdentityValue, 1);

  v->kind = kind;
  v->tag = tag;
  v->value = g_strstrip (g_strdup (value));
  g_ptr_array_add (c->values, v);
}

static void
add_pending (Collect            *c,
             LacunaIdentityKind  kind,
             guint32             tag,
             const char         *value)
{
  LacunaIdentityValue *v = g_new0 (LacunaIdentityValue, 1);

  v->kind = kind;
  v->tag = tag;
  v->value = g_strstrip (g_strdup (value));
  g_ptr_array_add (c->pending, v);
}

/* Only the values collect_cb reads (it reads an element stored as UN itself). */
static gboolean
want_value (guint32     tag,
            const char *vr,
            gpointer    user_data)
{
  return tag == 0x00080070 || tag == 0x00081090 ||   /* Manufacturer, Model Name */
         lacuna_identity_kind_for_tag (tag, vr, NULL);
}

static LacunaDicomWalkResult
collect_cb (const LacunaDicomElement *el,
            gpointer                  user_data)
{
  Collect *c = user_data;
  const char *vr = el->vr;
  g_autofree char *decoded = NULL;
  const char *value = el->value;
  LacunaIdentityKind kind;

  if (el->is_private || el->is_sequence)
    return LACUNA_DICOM_WALK_CONTINUE;

  /* A standard element stored as UN: read it with the dictionary's VR. */
  if (strcmp (vr, "UN") == 0)
    {
      const char *dict = lacuna_dicom_tag_vr (el->tag);
      g_autoptr(GBytes) bytes = NULL;
      gsize size;
      const char *data;

      if (!is_string_vr (dict))
        return LACUNA_DICOM_WALK_CONTINUE;
      bytes = lacuna_dicom_file_dup_bytes (c->file, el->path, NULL);
      if (bytes == NULL)
        return LACUNA_DICOM_WALK_CONTINUE;
      data = g_bytes_get_data (bytes, &size);
      while (size > 0 && (data[size - 1] == ' ' || data[size - 1] == '\0'))
        size--;
      decoded = g_utf8_make_valid (data != NULL ? data : "", (gssize) size);
      value = decoded;
      vr = dict;
    }

  if (value == NULL || *value == '\0')
    return LACUNA_DICOM_WALK_CONTINUE;

  if ((el->tag == 0x00080070 || el->tag == 0x00081090)   /* Manufacturer, Model Name */
      && strcmp (vr, "PN") != 0)
    {
      g_ptr_array_add (c->devices, g_utf8_casefold (value, -1));
      return LACUNA_DICOM_WALK_CONTINUE;
    }
  if (!lacuna_identity_kind_for_tag (el->tag, vr, &kind))
    return LACUNA_DICOM_WALK_CONTINUE;
  switch (kind)
    {
    case LACUNA_IDENTITY_INSTITUTION:
      if ((c->flags & LACUNA_IDENTITY_COLLECT_SKIP_INSTITUTION) == 0)
        add_pending (c, kind, el->tag, value);
      break;
    case LACUNA_IDENTITY_STATION_NAME:
      if ((c->flags & LACUNA_IDENTITY_COLLECT_SKIP_DEVICE) == 0)
        add_pending (c, kind, el->tag, value);
      break;
    case LACUNA_IDENTITY_PATIENT_NAME:
    case LACUNA_IDENTITY_PERSON_NAME:
    case LACUNA_IDENTITY_PATIENT_ID:
    case LACUNA_IDENTITY_ACCESSION_NUMBER:
    case LACUNA_IDENTITY_STUDY_ID:
    case LACUNA_IDENTITY_BIRTH_DATE:
    case LACUNA_IDENTITY_ADDRESS:
    case LACUNA_IDENTITY_PHONE:
    case LACUNA_IDENTITY_RESIDENCE:
    case LACUNA_IDENTITY_N_KINDS:
    default:
      add_value (c, kind, el->tag, value);
      break;
    }
  return LACUNA_DICOM_WALK_CONTINUE;
}

GPtrArray *
lacuna_identity_collect (LacunaDicomFile            *file,
                         LacunaIdentityCollectFlags  flags)
{
  Collect c = { 0 };

  g_return_val_if_fail (file != NULL, NULL);

  c.file = file;
  c.flags = flags;
  c.values = g_ptr_array_new_with_free_func (value_free);
  c.pending = g_ptr_array_new ();
  c.devices = g_ptr_array_new_with_free_func (g_free);
  lacuna_dicom_file_walk_some (file, LACUNA_DICOM_WALK_TEXT_ONLY | LACUNA_DICOM_WALK_NO_VM,
                               want_value, collect_cb, &c);

  /* A station or institution that only repeats the device's maker or model ("SIGNA" on a
   * SIGNA HDxt, "TOSHIBA" on a TOSHIBA_MEC scanner) says no more than the Manufacturer,
   * which the profile keeps. */
  for (guint i = 0; i < c.pending->len; i++)
    {
      LacunaIdentityValue *v = g_ptr_array_index (c.pending, i);
      g_autofree char *folded = g_utf8_casefold (v->value, -1);
      gboolean device = *folded == '\0';

      for (guint j = 0; j < c.devices->len && !device; j++)
        device = strstr (g_ptr_array_index (c.devices, j), folded) != NULL;
      if (device)
        value_free (v);
      else
        g_ptr_array_add (c.values, v);
    }
  g_ptr_array_unref (c.pending);
  g_ptr_array_unref (c.devices);
  return c.values;
}

/* ---------------------------------------------------------------------------------------- */
/* Deriving                                                                                 */

typedef struct
{
  GPtrArray  *strings;   /* LacunaIdentityString* */
  GHashTable *seen;      /* casefolded text + match → TRUE */
} Derive;

static void
string_free (gpointer data)
{
  LacunaIdentityString *s = data;

  g_free (s->text);
  g_free (s);
}

static gboolean
is_cjk (gunichar c)
{
  return (c >= 0x2E80 && c <= 0x9FFF) || (c >= 0xAC00 && c <= 0xD7AF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFF66 && c <= 0xFF9F);
}

static void
add_string (Derive              *d,
            LacunaIdentityKind   kind,
            LacunaIdentityMatch  match,
            const char          *text)
{
  g_autofree char *t = g_strstrip (g_strdup (text));
  gboolean alnum = FALSE;
  gboolean digits_only = TRUE;
  gboolean cjk = FALSE;
  glong n_chars = 0;
  char *key;
  LacunaIdentityString *s;

  if (!g_utf8_validate (t, -1, NULL))
    return;
  for (const char *p = t; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      n_chars++;
      if (g_unichar_isalnum (c))
        alnum = TRUE;
      if (!g_ascii_isdigit (*p))
        digits_only = FALSE;
      if (is_cjk (c))
        cjk = TRUE;
    }
  if (!alnum || n_chars < (cjk ? 2 : 3) || lacuna_identity_is_placeholder (t))
    return;
  if (digits_only && match == LACUNA_IDENTITY_MATCH_TEXT && n_chars < 6)
    match = LACUNA_IDENTITY_MATCH_WEAK;

  {
    g_autofree char *folded = g_utf8_casefold (t, -1);

    key = g_strdup_printf ("%d:%s", (int) match, folded);
  }
  if (!g_hash_table_add (d->seen, key))
    return;
  s = g_new0 (LacunaIdentityString, 1);
  s->kind = kind;
  s->match = match;
  s->text = g_steal_pointer (&t);
  g_ptr_array_add (d->strings, s);
}

static void
derive_name (Derive             *d,
             LacunaIdentityKind  kind,
             const char         *value)
{
  g_autofree char *whole = g_strdup (value);
  gsize len = strlen (whole);
  g_auto(GStrv) groups = NULL;
  g_auto(GStrv) parts = NULL;

  while (len > 0 && (whole[len - 1] == '^' || whole[len - 1] == '=' || whole[len - 1] == ' '))
    whole[--len] = '\0';
  add_string (d, kind, LACUNA_IDENTITY_MATCH_TEXT, whole);

  groups = g_strsplit (whole, "=", -1);
  for (char **g = groups; *g != NULL; g++)
    {
      gsize gl = strlen (*g);

      while (gl > 0 && (*g)[gl - 1] == '^')
        (*g)[--gl] = '\0';
      add_string (d, kind, LACUNA_IDENTITY_MATCH_TEXT, *g);
    }

  parts = g_strsplit_set (whole, "^=, -\t", -1);
  for (char **p = parts; *p != NULL; p++)
    add_string (d, kind, LACUNA_IDENTITY_MATCH_TEXT, *p);
}

static void
derive_date (Derive     *d,
             const char *value)
{
  static const char *const formats[] = {
    "%Y-%M-%D", "%Y/%M/%D", "%D.%M.%Y", "%M.%D.%Y", "%D/%M/%Y", "%M/%D/%Y", "%D-%M-%Y",
    "%M-%D-%Y", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y",
  };
  char y[5], m[3], dd[3];
  guint mi, di;

  if (strlen (value) != 8 || strcmp (value, DUMMY_BIRTH_DATE) == 0)
    return;
  for (int i = 0; i < 8; i++)
    if (!g_ascii_isdigit (value[i]))
      return;
  memcpy (y, value, 4); y[4] = '\0';
  memcpy (m, value + 4, 2); m[2] = '\0';
  memcpy (dd, value + 6, 2); dd[2] = '\0';
  mi = (guint) atoi (m);
  di = (guint) atoi (dd);
  if (!g_date_valid_dmy ((GDateDay) di, (GDateMonth) mi, (GDateYear) atoi (y)))
    return;

  add_string (d, LACUNA_IDENTITY_BIRTH_DATE, LACUNA_IDENTITY_MATCH_DATE, value);
  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    {
      GString *out = g_string_new (NULL);

      for (const char *p = formats[f]; *p != '\0'; p++)
        {
          if (*p != '%')
            {
              g_string_append_c (out, *p);
              continue;
            }
          p++;
          switch (*p)
            {
            case 'Y': g_string_append (out, y); break;
            case 'M': g_string_append (out, m); break;
            case 'D': g_string_append (out, dd); break;
            case 'm': g_string_append_printf (out, "%u", mi); break;
            case 'd': g_string_append_printf (out, "%u", di); break;
            default: break;
            }
        }
      add_string (d, LACUNA_IDENTITY_BIRTH_DATE, LACUNA_IDENTITY_MATCH_TEXT, out->str);
      g_string_free (out, TRUE);
    }
}

static void
derive_address (Derive             *d,
                LacunaIdentityKind  kind,
                const char         *value)
{
  g_auto(GStrv) comps = g_strsplit_set (value, ",;^\r\n", -1);

  add_string (d, kind, LACUNA_IDENTITY_MATCH_TEXT, value);
  for (char **c = comps; *c != NULL; c++)
    {
      const char *s = g_strstrip (*c);
      const char *p = s;

      if (g_utf8_strlen (s, -1) >= 5 && (strchr (s, ' ') != NULL || strpbrk (s, "0123456789")))
        add_string (d, kind, LACUNA_IDENTITY_MATCH_TEXT, s);

      /* "56 Walnut Drive" → "56 Walnut" */
      while (g_ascii_isdigit (*p))
        p++;
      if (p > s && *p == ' ')
        {
          const char *w = p + 1;
          const char *end;

          while (*w == ' ')
            w++;
          end = w;
          while (*end != '\0' && *end != ' ')
            end++;
          if (end > w)
            {
              g_autofree char *num_word = g_strndup (s, (gsize) (end - s));

              add_string (d, kind, LACUNA_IDENTITY_MATCH_TEXT, num_word);
            }
        }
    }
}

static void
derive_phone (Derive     *d,
              const char *value)
{
  GString *digits = g_string_new (NULL);
  GString *national = g_string_new (NULL);
  gboolean plus = FALSE;
  gboolean in_cc = FALSE;
  gboolean cc_done = FALSE;

  add_string (d, LACUNA_IDENTITY_PHONE, LACUNA_IDENTITY_MATCH_TEXT, value);
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '+' && digits->len == 0)
        {
          plus = in_cc = TRUE;
          continue;
        }
      if (g_ascii_isdigit (*p))
        {
          g_string_append_c (digits, *p);
          if (!in_cc)
            g_string_append_c (national, *p);
        }
      else if (in_cc && digits->len > 0)
        {
          in_cc = FALSE;
          cc_done = TRUE;
        }
    }
  if (digits->len >= 7)
    add_string (d, LACUNA_IDENTITY_PHONE, LACUNA_IDENTITY_MATCH_DIGITS, digits->str);
  if (plus && cc_done && national->len >= 7)
    add_string (d, LACUNA_IDENTITY_PHONE, LACUNA_IDENTITY_MATCH_DIGITS, national->str);
  g_string_free (digits, TRUE);
  g_string_free (national, TRUE);
}

static void
derive_one (Derive                    *d,
            const LacunaIdentityValue *v,
            const char                *value)
{
  switch (v->kind)
    {
    case LACUNA_IDENTITY_PATIENT_NAME:
    case LACUNA_IDENTITY_PERSON_NAME:
      derive_name (d, v->kind, value);
      break;
    case LACUNA_IDENTITY_BIRTH_DATE:
      derive_date (d, value);
      break;
    case LACUNA_IDENTITY_ADDRESS:
      derive_address (d, v->kind, value);
      break;
    case LACUNA_IDENTITY_PHONE:
      derive_phone (d, value);
      break;
    case LACUNA_IDENTITY_INSTITUTION:
      if (v->tag == 0x00080081)
        derive_address (d, v->kind, value);
      else
        add_string (d, v->kind, LACUNA_IDENTITY_MATCH_TEXT, value);
      break;
    case LACUNA_IDENTITY_STUDY_ID:
      {
        gboolean letter = FALSE;

        for (const char *p = value; *p != '\0'; p++)
          letter |= g_ascii_isalpha (*p);
        if (strlen (value) >= 4 && (letter || strlen (value) >= 6))
          add_string (d, v->kind, LACUNA_IDENTITY_MATCH_TEXT, value);
      }
      break;
    case LACUNA_IDENTITY_PATIENT_ID:
    case LACUNA_IDENTITY_ACCESSION_NUMBER:
    case LACUNA_IDENTITY_STATION_NAME:
      add_string (d, v->kind, LACUNA_IDENTITY_MATCH_TEXT, value);
      break;
    case LACUNA_IDENTITY_RESIDENCE:
    case LACUNA_IDENTITY_N_KINDS:
    default:
      break;
    }
}

GPtrArray *
lacuna_identity_derive (GPtrArray *values)
{
  Derive d;

  g_return_val_if_fail (values != NULL, NULL);

  d.strings = g_ptr_array_new_with_free_func (string_free);
  d.seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < values->len; i++)
    {
      const LacunaIdentityValue *v = g_ptr_array_index (values, i);
      g_auto(GStrv) parts = g_strsplit (v->value, "\\", -1);

      for (char **p = parts; *p != NULL; p++)
        {
          g_strstrip (*p);
          if (**p != '\0' && !lacuna_identity_is_placeholder (*p))
            derive_one (&d, v, *p);
        }
    }
  g_hash_table_unref (d.seen);
  return d.strings;
}

/* ---------------------------------------------------------------------------------------- */
/* The de-identification transform's tokens                                                 */

static void
add_token (GPtrArray  *tokens,
           const char *s)
{
  g_autofree char *t = g_strstrip (g_strdup (s));

  if (g_utf8_strlen (t, -1) < 3)
    return;
  for (guint i = 0; i < tokens->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (tokens, i), t) == 0)
      return;
  g_ptr_array_add (tokens, g_steal_pointer (&t));
}

static void
add_date_tokens (GPtrArray  *tokens,
                 const char *da)
{
  char y[5], m[3], d[3];

  if (da == NULL || strlen (da) != 8)
    return;
  memcpy (y, da, 4); y[4] = '\0';
  memcpy (m, da + 4, 2); m[2] = '\0';
  memcpy (d, da + 6, 2); d[2] = '\0';
  add_token (tokens, da);
  {
    g_autofree char *a = g_strdup_printf ("%s-%s-%s", y, m, d);
    g_autofree char *b = g_strdup_printf ("%s.%s.%s", d, m, y);
    g_autofree char *c = g_strdup_printf ("%s/%s/%s", m, d, y);
    g_autofree char *e = g_strdup_printf ("%s.%s.%s", m, d, y);
    g_autofree char *f = g_strdup_printf ("%s/%s/%s", d, m, y);

    add_token (tokens, a);
    add_token (tokens, b);
    add_token (tokens, c);
    add_token (tokens, e);
    add_token (tokens, f);
  }
}

static int
compare_length_desc (gconstpointer a,
                     gconstpointer b)
{
  gsize la = strlen (*(const char * const *) a);
  gsize lb = strlen (*(const char * const *) b);

  return la < lb ? 1 : la > lb ? -1 : strcmp (*(const char * const *) a,
                                              *(const char * const *) b);
}

GPtrArray *
lacuna_identity_dup_scrub_tokens (LacunaDicomFile            *file,
                                  LacunaIdentityCollectFlags  flags)
{
  g_autoptr(GPtrArray) values = NULL;
  g_autoptr(GPtrArray) strings = NULL;
  GPtrArray *tokens;

  g_return_val_if_fail (file != NULL, NULL);

  values = lacuna_identity_collect (file, flags);
  tokens = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < values->len; i++)
    {
      const LacunaIdentityValue *v = g_ptr_array_index (values, i);
      const char *seps;

      switch (v->kind)
        {
        case LACUNA_IDENTITY_PATIENT_NAME:
        case LACUNA_IDENTITY_PERSON_NAME:
          seps = "^=\\ ,";
          break;
        case LACUNA_IDENTITY_BIRTH_DATE:
          add_date_tokens (tokens, v->value);
          continue;
        case LACUNA_IDENTITY_STUDY_ID:
        case LACUNA_IDENTITY_STATION_NAME:
          continue;   /* only through the derived strings below */
        case LACUNA_IDENTITY_PATIENT_ID:
        case LACUNA_IDENTITY_ACCESSION_NUMBER:
        case LACUNA_IDENTITY_ADDRESS:
        case LACUNA_IDENTITY_PHONE:
        case LACUNA_IDENTITY_INSTITUTION:
        case LACUNA_IDENTITY_RESIDENCE:
        case LACUNA_IDENTITY_N_KINDS:
        default:
          seps = "\\,";
          break;
        }
      {
        g_auto(GStrv) parts = g_strsplit_set (v->value, seps, -1);

        add_token (tokens, v->value);
        for (char **p = parts; *p != NULL; p++)
          add_token (tokens, *p);
      }
    }

  /* Everything the residual scan will look for, so that a cleaned text passes it. */
  strings = lacuna_identity_derive (values);
  for (guint i = 0; i < strings->len; i++)
    {
      const LacunaIdentityString *s = g_ptr_array_index (strings, i);

      if (s->match != LACUNA_IDENTITY_MATCH_DIGITS)
        add_token (tokens, s->text);
    }
  g_ptr_array_sort (tokens, compare_length_desc);
  return tokens;
}
