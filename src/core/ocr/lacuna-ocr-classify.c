#define G_LOG_DOMAIN "lacuna-ocr-classify"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lacuna-ocr-classify.h"

#define MAX_READINGS 8

const char *
lacuna_ocr_class_to_string (LacunaOcrClass klass)
{
  static const char * const names[] = {
    "identity", "date", "id", "number", "clinical", "word", "noise",
  };

  g_return_val_if_fail (klass < LACUNA_OCR_N_CLASSES, "word");
  return names[klass];
}

/* ---------------------------------------------------------------------------------------- */
/* Strings                                                                                  */

/* Upper case, letters and digits only (other characters dropped). */
static char *
normalize (const char *text,
           gssize      len)
{
  g_autofree char *up = g_utf8_strup (text, len);
  GString *out = g_string_new (NULL);

  for (const char *p = up; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isalnum (c))
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

/* Alphanumeric runs of text, normalised. */
static GPtrArray *
alnum_runs (const char *text)
{
  GPtrArray *runs = g_ptr_array_new_with_free_func (g_free);
  const char *start = NULL;

  for (const char *p = text; ; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      gboolean alnum = c != 0 && g_unichar_isalnum (c);

      if (alnum && start == NULL)
        start = p;
      else if (!alnum && start != NULL)
        {
          g_ptr_array_add (runs, normalize (start, p - start));
          start = NULL;
        }
      if (c == 0)
        break;
    }
  return runs;
}

guint
lacuna_ocr_edit_distance (const char *a,
                          const char *b,
                          guint       max)
{
  g_autofree gunichar *ua = NULL;
  g_autofree gunichar *ub = NULL;
  g_autofree guint *prev = NULL;
  g_autofree guint *cur = NULL;
  glong la = 0, lb = 0;

  g_return_val_if_fail (a != NULL && b != NULL, max + 1);

  ua = g_utf8_to_ucs4_fast (a, -1, &la);
  ub = g_utf8_to_ucs4_fast (b, -1, &lb);
  if ((guint) ABS (la - lb) > max)
    return max + 1;
  prev = g_new (guint, lb + 1);
  cur = g_new (guint, lb + 1);
  for (glong j = 0; j <= lb; j++)
    prev[j] = j;
  for (glong i = 1; i <= la; i++)
    {
      guint row_min;

      cur[0] = i;
      row_min = cur[0];
      for (glong j = 1; j <= lb; j++)
        {
          gunichar ca = g_unichar_toupper (ua[i - 1]), cb = g_unichar_toupper (ub[j - 1]);
          guint cost = ca == cb ? 0 : 1;

          cur[j] = MIN (MIN (prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + cost);
          row_min = MIN (row_min, cur[j]);
        }
      if (row_min > max)
        return max + 1;
      memcpy (prev, cur, sizeof (guint) * (lb + 1));
    }
  return MIN (prev[lb], max + 1);
}

/* ---------------------------------------------------------------------------------------- */
/* Dates                                                                                    */

static const char * const months[] = {
  "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
};

static int
month_from_name (const char *field)
{
  g_autofree char *up = g_ascii_strup (field, -1);
  gsize len = strlen (up);

  if (len < 3)
    return 0;
  for (int m = 0; m < 12; m++)
    if (strncmp (up, months[m], 3) == 0)
      {
        static const char * const full[] = {
          "JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY", "JUNE", "JULY", "AUGUST",
          "SEPTEMBER", "OCTOBER", "NOVEMBER", "DECEMBER",
        };

        /* "MAR", "MARCH", "SEPT" (a prefix of the full name). */
        if (len == 3 || (len <= strlen (full[m]) && strncmp (up, full[m], len) == 0))
          return m + 1;
      }
  return 0;
}

static gboolean
valid_date (int y,
            int m,
            int d)
{
  return y >= 1900 && y <= 2099 && m >= 1 && m <= 12 && d >= 1 &&
         d <= g_date_get_days_in_month ((GDateMonth) m, (GDateYear) y);
}

static void
add_reading (guint *out,
             guint *n,
             guint  max,
             int    y,
             int    ylen,
             int    m,
             int    d)
{
  int years[2];
  guint n_years = 0;

  if (ylen == 2)
    {
      years[n_years++] = 1900 + y;
      years[n_years++] = 2000 + y;
    }
  else if (ylen == 4)
    years[n_years++] = y;
  for (guint i = 0; i < n_years; i++)
    {
      guint value;
      gboolean dup = FALSE;

      if (!valid_date (years[i], m, d))
        continue;
      value = (guint) (years[i] * 10000 + m * 100 + d);
      for (guint k = 0; k < *n; k++)
        dup |= out[k] == value;
      if (!dup && *n < max)
        out[(*n)++] = value;
    }
}

/* A numeric field with O read for 0 and l/I for 1; -1 when not a number. */
static int
numeric_field (const char *field,
               int        *out_len)
{
  int value = 0, len = 0;

  for (const char *p = field; *p != '\0'; p++)
    {
      char c = *p;

      if (c == 'O' || c == 'o')
        c = '0';
      else if (c == 'l' || c == 'I')
        c = '1';
      if (!g_ascii_isdigit (c) || len >= 4)
        return -1;
      value = value * 10 + (c - '0');
      len++;
    }
  *out_len = len;
  return len > 0 ? value : -1;
}

guint
lacuna_ocr_parse_date (const char *text,
                       guint      *out_dates,
                       guint       max_dates)
{
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  GString *cur = g_string_new (NULL);
  guint n = 0, n_digits = 0;
  int num[3], len[3], month_at = -1;

  g_return_val_if_fail (text != NULL, 0);
  g_return_val_if_fail (out_dates != NULL || max_dates == 0, 0);

  for (const char *p = text; *p != '\0'; p++)
    n_digits += g_ascii_isdigit (*p);
  if (n_digits < 2)
    {
      g_string_free (cur, TRUE);
      return 0;
    }

  /* Fields: separated by . / - , space; letters and digits also split ("29MAR2000"),
   * except an O or l inside a number. */
  for (const char *p = text; ; p++)
    {
      char c = *p;
      gboolean sep = c == '\0' || c == '.' || c == '/' || c == '-' || c == ',' || c == ' ';

      if (!sep && !g_ascii_isalnum (c))
        {
          /* Surrounding punctuation ("(", "DOB:" is a separate word) ends the field. */
          if (cur->len == 0 && fields->len == 0)
            continue;
          if (p[1] == '\0' || p[1] == ' ')
            sep = TRUE;
          else
            {
              g_string_free (cur, TRUE);
              return 0;
            }
        }
      if (!sep && cur->len > 0)
        {
          char last = cur->str[cur->len - 1];
          gboolean last_digitish = g_ascii_isdigit (last);
          gboolean now_digitish = g_ascii_isdigit (c);
          gboolean ambiguous = c == 'O' || c == 'o' || c == 'l' || c == 'I';

          if (!ambiguous && last_digitish != now_digitish &&
              !(g_ascii_isalpha (last) && now_digitish && cur->len == 1 &&
                (last == 'O' || last == 'o' || last == 'l' || last == 'I')))
            {
              g_ptr_array_add (fields, g_string_free (cur, FALSE));
              cur = g_string_new (NULL);
            }
        }
      if (sep)
        {
          if (cur->len > 0)
            {
              g_ptr_array_add (fields, g_string_free (cur, FALSE));
              cur = g_string_new (NULL);
            }
          if (c == '\0')
            break;
          continue;
        }
      g_string_append_c (cur, c);
    }
  g_string_free (cur, TRUE);

  if (fields->len == 1)
    {
      const char *f = g_ptr_array_index (fields, 0);
      int l = 0;

      /* YYYYMMDD (also DDMMYYYY, MMDDYYYY). */
      if (strlen (f) == 8 && strspn (f, "0123456789") == 8)
        {
          int v = atoi (f);

          add_reading (out_dates, &n, max_dates, v / 10000, 4, v / 100 % 100, v % 100);
          add_reading (out_dates, &n, max_dates, v % 10000, 4, v / 10000 % 100, v / 1000000);
          add_reading (out_dates, &n, max_dates, v % 10000, 4, v / 1000000, v / 10000 % 100);
        }
      (void) l;
      return n;
    }
  if (fields->len != 3)
    return 0;

  for (int i = 0; i < 3; i++)
    {
      const char *f = g_ptr_array_index (fields, i);
      int m = g_ascii_isalpha (f[0]) && strlen (f) >= 3 ? month_from_name (f) : 0;

      if (m > 0 && month_at < 0)
        {
          month_at = i;
          num[i] = m;
          len[i] = 0;
          continue;
        }
      num[i] = numeric_field (f, &len[i]);
      if (num[i] < 0 || len[i] == 3)
        return 0;
    }

  if (month_at >= 0)
    {
      int a = month_at == 0 ? 1 : 0, b = month_at == 2 ? 1 : 2;

      /* D Mon Y, Mon D Y, Y Mon D. */
      if (len[b] == 4 || (len[b] == 2 && len[a] <= 2 && month_at != 2))
        add_reading (out_dates, &n, max_dates, num[b], len[b], num[month_at], num[a]);
      if (len[a] == 4 && len[b] <= 2)
        add_reading (out_dates, &n, max_dates, num[a], 4, num[month_at], num[b]);
      return n;
    }

  if (len[0] == 4 && len[1] <= 2 && len[2] <= 2)
    add_reading (out_dates, &n, max_dates, num[0], 4, num[1], num[2]);
  else if (len[0] <= 2 && len[1] <= 2 && (len[2] == 4 || len[2] == 2))
    {
      add_reading (out_dates, &n, max_dates, num[2], len[2], num[1], num[0]);   /* D M Y */
      add_reading (out_dates, &n, max_dates, num[2], len[2], num[0], num[1]);   /* M D Y */
      if (len[0] == 2 && len[2] == 2)
        add_reading (out_dates, &n, max_dates, num[0], 2, num[1], num[2]);      /* Y M D */
    }
  return n;
}

gboolean
lacuna_ocr_is_time (const char *text)
{
  int h, m, s = 0;
  char tail[8] = "";
  int consumed = 0;
  g_autofree char *t = NULL;

  g_return_val_if_fail (text != NULL, FALSE);

  t = g_strstrip (g_ascii_strdown (text, -1));
  if (g_str_equal (t, "am") || g_str_equal (t, "pm"))
    return TRUE;
  if (sscanf (t, "%2d:%2d%n", &h, &m, &consumed) < 2)
    return FALSE;
  if (t[consumed] == ':' && sscanf (t + consumed, ":%2d%n", &s, &consumed) == 1)
    {
      int extra = 0;

      sscanf (t, "%2d:%2d:%2d%n", &h, &m, &s, &extra);
      consumed = extra;
    }
  g_strlcpy (tail, t + consumed, sizeof tail);
  g_strstrip (tail);
  if (tail[0] != '\0' && !g_str_equal (tail, "am") && !g_str_equal (tail, "pm") &&
      !g_str_equal (tail, "a") && !g_str_equal (tail, "p") && strspn (tail, ".,") != strlen (tail))
    return FALSE;
  return h >= 0 && h <= 24 && m >= 0 && m <= 59 && s >= 0 && s <= 60;
}

/* ---------------------------------------------------------------------------------------- */
/* Clinical vocabulary                                                                      */

/* Upper case. Units, markers, ultrasound indices and presets, views, CT/MR parameters. */
static const char * const clinical_words[] = {
  /* units */
  "CM", "MM", "M", "S", "MS", "HZ", "KHZ", "MHZ", "DB", "%", "BPM", "CM/S", "M/S", "MMHG",
  "MGY", "KV", "KVP", "MA", "MAS", "HU", "DEG", "SEC", "MIN", "FPS", "CM2", "ML",
  /* side, orientation, view markers */
  "L", "R", "A", "P", "H", "F", "LT", "RT", "LEFT", "RIGHT", "AP", "PA", "LAT", "LATERAL",
  "OBL", "OBLIQUE", "SUPINE", "PRONE", "ERECT", "UPRIGHT", "SEMI", "SEMI-UPRIGHT",
  "PORTABLE", "DECUBITUS", "SITTING", "STANDING", "INSP", "EXP", "AXIAL", "SAG", "COR",
  "CORONAL", "SAGITTAL", "TRANS", "TRV", "LONG", "SUP", "INF", "ANT", "POST", "MED", "PROX",
  "DIST", "MID", "UPPER", "LOWER", "VIEW",
  /* ultrasound indices, modes and settings */
  "MI", "TIS", "TIB", "TIC", "TI", "FR", "G", "GAIN", "DR", "DYN", "DEPTH", "D", "2D", "3D",
  "4D", "M-MODE", "B", "CW", "PW", "PWR", "PRF", "WF", "COL", "COLOR", "COLOUR", "CF", "PD",
  "CPA", "MAP", "PERSIST", "LOW", "HIGH", "OPT", "GEN", "RES", "PEN", "FLOW", "MAX", "SV",
  "ANGLE", "HR", "ECG", "EKG", "CINE", "FREEZE", "FROZEN", "ZOOM", "FOCUS", "CAL", "HARM",
  "THI", "RATE", "FILTER", "SCALE", "BASELINE", "VEL", "PI", "RI", "PSV", "EDV", "TAMAX",
  /* presets and exam types */
  "ABD", "ABDOMEN", "CAR", "CARD", "CARDIAC", "ECHO", "OB", "GYN", "OB/GYN", "VASC",
  "VASCULAR", "SMP", "MSK", "THY", "THYROID", "BR", "BREAST", "RENAL", "KIDNEY", "LIVER",
  "GB", "PELVIS", "BLADDER", "TESTIS", "CAROTID", "VENOUS", "ARTERIAL", "LYMPH", "NODE",
  /* CT, MR, radiography */
  "W", "C", "WW", "WL", "SL", "ST", "THK", "SCOUT", "TOPO", "TOPOGRAM", "HELICAL", "TE",
  "TR", "TI", "FA", "ET", "FOV", "MAT", "MATRIX", "NEX", "T1", "T2", "FLAIR", "DWI", "ADC",
  "STIR", "PD", "GRID", "MARKER",
};

static GHashTable *
clinical_table (void)
{
  static GHashTable *table;

  if (g_once_init_enter (&table))
    {
      GHashTable *t = g_hash_table_new (g_str_hash, g_str_equal);

      for (guint i = 0; i < G_N_ELEMENTS (clinical_words); i++)
        g_hash_table_add (t, (gpointer) clinical_words[i]);
      g_once_init_leave (&table, t);
    }
  return table;
}

/* Probe names: one or two letters, digits, optionally "-digits", optionally a letter:
 * C5-2, L12-5, P4-2, EC9-4, C5-1s, 7L4. */
static gboolean
is_probe_name (const char *w)
{
  const char *p = w;
  guint letters = 0, digits = 0, digits2 = 0;

  while (g_ascii_isalpha (*p) && letters < 3)
    {
      p++;
      letters++;
    }
  while (g_ascii_isdigit (*p))
    {
      p++;
      digits++;
    }
  if (letters == 0 || digits == 0 || digits > 2)
    return FALSE;
  if (*p == '-')
    {
      p++;
      while (g_ascii_isdigit (*p))
        {
          p++;
          digits2++;
        }
      if (digits2 == 0 || digits2 > 2)
        return FALSE;
    }
  if (g_ascii_isalpha (*p))
    p++;
  return *p == '\0' && (digits2 > 0 || letters <= 2);
}

/* A number of at most 4 integer digits (5 in all), sign, decimals, '%' or a unit. */
static gboolean
is_short_number (const char *w)
{
  const char *p = w;
  guint int_digits = 0, digits = 0;

  if (*p == '+' || *p == '-')
    p++;
  else if (g_str_has_prefix (p, "±"))
    p += strlen ("±");
  while (g_ascii_isdigit (*p))
    {
      p++;
      int_digits++;
    }
  digits = int_digits;
  if ((*p == '.' || *p == ',') && g_ascii_isdigit (p[1]))
    {
      p++;
      while (g_ascii_isdigit (*p))
        {
          p++;
          digits++;
        }
    }
  if (int_digits == 0 || int_digits > 4 || digits > 5)
    return FALSE;
  if (*p == '\0' || g_str_equal (p, "%"))
    return TRUE;
  /* "14.2cm", "20Hz", "64dB" */
  {
    g_autofree char *unit = g_ascii_strup (p, -1);

    return g_hash_table_contains (clinical_table (), unit) && g_ascii_isalpha (unit[0]);
  }
}

gboolean
lacuna_ocr_is_clinical (const char *word)
{
  g_autofree char *up = NULL;
  gsize len;

  g_return_val_if_fail (word != NULL, FALSE);

  up = g_ascii_strup (word, -1);
  /* Trailing and leading punctuation that OCR attaches ("Opt:", "(mm)", "LT."). */
  len = strlen (up);
  while (len > 0 && strchr (":;,.()[]", up[len - 1]) != NULL)
    up[--len] = '\0';
  {
    char *start = up;

    while (*start != '\0' && strchr ("([", *start) != NULL)
      start++;
    if (start != up)
      memmove (up, start, strlen (start) + 1);
  }
  if (*up == '\0')
    return FALSE;
  if (g_hash_table_contains (clinical_table (), up) || is_probe_name (up))
    return TRUE;
  /* Compound settings: "Opt:Gen", "A.Card/Gen", "150dB/C", "TIS=0.4". */
  if (strpbrk (up, ":/=.") != NULL && strlen (up) > 2)
    {
      g_auto(GStrv) parts = g_strsplit_set (up, ":/=.", -1);
      gboolean all = TRUE;
      guint n = 0;

      for (guint i = 0; parts[i] != NULL; i++)
        {
          if (*parts[i] == '\0')
            continue;
          n++;
          if (!(g_hash_table_contains (clinical_table (), parts[i]) || is_probe_name (parts[i]) ||
                (is_short_number (parts[i]) && strpbrk (up, "=:") != NULL)))
            all = FALSE;
        }
      return all && n > 0;
    }
  return FALSE;
}

/* ---------------------------------------------------------------------------------------- */
/* Identity                                                                                 */

typedef struct
{
  char       *text;   /* normalised */
  const char *kind;
} IdString;

struct _LacunaOcrIdentity
{
  GArray *strings;   /* IdString */
  GArray *dates;     /* guint YYYYMMDD */
  GPtrArray *date_kinds;
  LacunaDicomFile *deferred;   /* not read yet (borrowed) */
};

static void ensure_read (LacunaOcrIdentity *self);

static void
id_string_clear (gpointer data)
{
  IdString *s = data;

  g_free (s->text);
}

LacunaOcrIdentity *
lacuna_ocr_identity_new (void)
{
  LacunaOcrIdentity *self = g_new0 (LacunaOcrIdentity, 1);

  self->strings = g_array_new (FALSE, FALSE, sizeof (IdString));
  g_array_set_clear_func (self->strings, id_string_clear);
  self->dates = g_array_new (FALSE, FALSE, sizeof (guint));
  self->date_kinds = g_ptr_array_new ();
  return self;
}

void
lacuna_ocr_identity_free (LacunaOcrIdentity *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->strings);
  g_array_unref (self->dates);
  g_ptr_array_unref (self->date_kinds);
  g_free (self);
}

guint
lacuna_ocr_identity_get_n_strings (LacunaOcrIdentity *self)
{
  g_return_val_if_fail (self != NULL, 0);

  ensure_read (self);
  return self->strings->len + self->dates->len;
}

static const char * const placeholders[] = {
  "ANONYMOUS", "ANONYMIZED", "ANONYMISED", "ANON", "REMOVED", "UNKNOWN", "NONE", "NA", "NULL",
  "DELETED", "REDACTED", "PATIENT", "NAME", "TEST", "XXX", "XXXX", "EMPTY",
};

static gboolean
is_placeholder (const char *normalized)
{
  for (guint i = 0; i < G_N_ELEMENTS (placeholders); i++)
    if (g_str_equal (normalized, placeholders[i]))
      return TRUE;
  return FALSE;
}

static void
add_string (LacunaOcrIdentity *self,
            const char        *kind,
            char              *normalized,   /* taken */
            guint              min_len)
{
  IdString s;

  ensure_read (self);
  if (g_utf8_strlen (normalized, -1) < (glong) min_len || is_placeholder (normalized))
    {
      g_free (normalized);
      return;
    }
  for (guint i = 0; i < self->strings->len; i++)
    if (g_str_equal (g_array_index (self->strings, IdString, i).text, normalized))
      {
        g_free (normalized);
        return;
      }
  s.text = normalized;
  s.kind = kind;
  g_array_append_val (self->strings, s);
}

void
lacuna_ocr_identity_add_name (LacunaOcrIdentity *self,
                              const char        *kind,
                              const char        *name)
{
  static const char * const titles[] = {
    "DR", "MR", "MRS", "MS", "MISS", "JR", "SR", "PROF", "MD", "PHD", "II", "III", "IV",
  };
  g_autoptr(GPtrArray) parts = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (kind != NULL);

  if (name == NULL)
    return;
  parts = alnum_runs (name);
  for (guint i = 0; i < parts->len; i++)
    {
      const char *part = g_ptr_array_index (parts, i);
      gboolean title = FALSE;

      for (guint k = 0; k < G_N_ELEMENTS (titles); k++)
        title |= g_str_equal (part, titles[k]);
      if (!title)
        add_string (self, kind, g_strdup (part), 2);
    }
}

void
lacuna_ocr_identity_add_id (LacunaOcrIdentity *self,
                            const char        *kind,
                            const char        *id)
{
  g_autoptr(GPtrArray) parts = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (kind != NULL);

  if (id == NULL)
    return;
  add_string (self, kind, normalize (id, -1), 3);
  parts = alnum_runs (id);
  if (parts->len > 1)
    for (guint i = 0; i < parts->len; i++)
      add_string (self, kind, g_strdup (g_ptr_array_index (parts, i)), 3);
}

void
lacuna_ocr_identity_add_date (LacunaOcrIdentity *self,
                              const char        *kind,
                              const char        *date)
{
  guint readings[MAX_READINGS];
  guint value;

  g_return_if_fail (self != NULL);
  g_return_if_fail (kind != NULL);

  if (date == NULL || strlen (date) < 8 || strspn (date, "0123456789") < 8)
    return;
  {
    char ymd[9];

    memcpy (ymd, date, 8);
    ymd[8] = '\0';
    if (lacuna_ocr_parse_date (ymd, readings, MAX_READINGS) == 0)
      return;
    value = (guint) atoi (ymd);
  }
  if (!valid_date (value / 10000, value / 100 % 100, value % 100))
    return;
  ensure_read (self);
  for (guint i = 0; i < self->dates->len; i++)
    if (g_array_index (self->dates, guint, i) == value)
      return;
  g_array_append_val (self->dates, value);
  g_ptr_array_add (self->date_kinds, (gpointer) kind);
}

void
lacuna_ocr_identity_add_text (LacunaOcrIdentity *self,
                              const char        *kind,
                              const char        *text)
{
  static const char * const generic[] = {
    "HOSPITAL", "HOSPITALS", "MEDICAL", "CENTER", "CENTRE", "CLINIC", "CLINICS", "UNIVERSITY",
    "SAINT", "THE", "AND", "FOR", "OF", "DEPARTMENT", "DEPT", "RADIOLOGY", "IMAGING",
    "HEALTH", "CARE", "HEALTHCARE", "GENERAL", "COMMUNITY", "MEMORIAL", "INSTITUTE",
    "STREET", "ROAD", "LANE", "AVENUE", "WING", "FLOOR", "ROOM", "SUITE", "NHS", "TRUST",
    "FOUNDATION", "REGIONAL", "NATIONAL", "CHILDREN", "CHILDRENS", "WOMEN", "WOMENS",
    "INFIRMARY", "ROW", "UPPER", "LOWER", "NORTH", "SOUTH", "EAST", "WEST", "CITY", "COUNTY",
  };
  g_autoptr(GPtrArray) parts = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (kind != NULL);

  if (text == NULL)
    return;
  parts = alnum_runs (text);
  for (guint i = 0; i < parts->len; i++)
    {
      const char *part = g_ptr_array_index (parts, i);
      gboolean skip = FALSE;

      for (guint k = 0; k < G_N_ELEMENTS (generic); k++)
        skip |= g_str_equal (part, generic[k]);
      if (!skip)
        add_string (self, kind, g_strdup (part), 3);
    }
}

/* Tags whose values identify (besides every PN and every DA). */
typedef enum { ID_NONE, ID_ID, ID_TEXT } IdRule;

static IdRule
rule_for_tag (guint32      tag,
              const char **out_kind)
{
  switch (tag)
    {
    case 0x00100020:   /* Patient ID */
    case 0x00101000:   /* Other Patient IDs */
      *out_kind = "patient ID";
      return ID_ID;
    case 0x00080050:
      *out_kind = "accession number";
      return ID_ID;
    case 0x00081010:
      *out_kind = "station name";
      return ID_ID;
    case 0x00181000:
      *out_kind = "device serial number";
      return ID_ID;
    case 0x00102154:
      *out_kind = "phone";
      return ID_ID;
    case 0x00080080:
    case 0x00080081:
    case 0x00081040:
      *out_kind = "institution";
      return ID_TEXT;
    case 0x00101040:
      *out_kind = "address";
      return ID_TEXT;
    default:
      return ID_NONE;
    }
}

static LacunaDicomWalkResult
collect_element (const LacunaDicomElement *el,
                 gpointer                  user_data)
{
  LacunaOcrIdentity *self = user_data;
  const char *kind = NULL;

  if (el->is_private || el->value == NULL || el->is_sequence || (el->tag >> 16) == 0x0002)
    return LACUNA_DICOM_WALK_CONTINUE;
  if (g_str_equal (el->vr, "PN"))
    {
      gboolean patient = el->tag == 0x00100010 || el->tag == 0x00101001 ||
                         el->tag == 0x00101005 || el->tag == 0x00101060;

      lacuna_ocr_identity_add_name (self, patient ? "patient name" : "person name", el->value);
    }
  else if (g_str_equal (el->vr, "DA"))
    {
      g_auto(GStrv) values = g_strsplit (el->value, "\\", -1);

      for (guint i = 0; values[i] != NULL; i++)
        lacuna_ocr_identity_add_date (self, el->tag == 0x00100030 ? "birth date" : "date",
                                      g_strstrip (values[i]));
    }
  else
    switch (rule_for_tag (el->tag, &kind))
      {
      case ID_ID:
        {
          g_auto(GStrv) values = g_strsplit (el->value, "\\", -1);

          for (guint i = 0; values[i] != NULL; i++)
            lacuna_ocr_identity_add_id (self, kind, values[i]);
        }
        break;
      case ID_TEXT:
        lacuna_ocr_identity_add_text (self, kind, el->value);
        break;
      case ID_NONE:
      default:
        break;
      }
  return LACUNA_DICOM_WALK_CONTINUE;
}

LacunaOcrIdentity *
lacuna_ocr_identity_new_from_file (LacunaDicomFile *file)
{
  LacunaOcrIdentity *self = lacuna_ocr_identity_new ();

  g_return_val_if_fail (file != NULL, self);

  lacuna_dicom_file_walk_full (file, LACUNA_DICOM_WALK_TEXT_ONLY | LACUNA_DICOM_WALK_NO_VM,
                               collect_element, self);
  return self;
}

LacunaOcrIdentity *
lacuna_ocr_identity_new_deferred (LacunaDicomFile *file)
{
  LacunaOcrIdentity *self = lacuna_ocr_identity_new ();

  g_return_val_if_fail (file != NULL, self);

  self->deferred = file;
  return self;
}

static void
ensure_read (LacunaOcrIdentity *self)
{
  LacunaDicomFile *file = self->deferred;

  if (file == NULL)
    return;
  self->deferred = NULL;   /* first: collecting adds through add_string */
  lacuna_dicom_file_walk_full (file, LACUNA_DICOM_WALK_TEXT_ONLY | LACUNA_DICOM_WALK_NO_VM,
                               collect_element, self);
}

static const char *
match_normalized (LacunaOcrIdentity *self,
                  const char        *norm)
{
  glong len = g_utf8_strlen (norm, -1);

  ensure_read (self);
  if (len == 0)
    return NULL;
  for (guint i = 0; i < self->strings->len; i++)
    {
      const IdString *s = &g_array_index (self->strings, IdString, i);

      if (g_str_equal (s->text, norm))
        return s->kind;
      if (len >= 6 && g_utf8_strlen (s->text, -1) >= 6 &&
          lacuna_ocr_edit_distance (s->text, norm, 1) <= 1)
        return s->kind;
    }
  return NULL;
}

static const char *
match_date (LacunaOcrIdentity *self,
            const char        *text)
{
  guint readings[MAX_READINGS];
  guint n = lacuna_ocr_parse_date (text, readings, MAX_READINGS);

  ensure_read (self);
  for (guint i = 0; i < n; i++)
    for (guint k = 0; k < self->dates->len; k++)
      if (g_array_index (self->dates, guint, k) == readings[i])
        return g_ptr_array_index (self->date_kinds, k);
  return NULL;
}

const char *
lacuna_ocr_identity_match_word (LacunaOcrIdentity *self,
                                const char        *word)
{
  g_autofree char *whole = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  const char *kind;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (word != NULL, NULL);

  kind = match_date (self, word);
  if (kind != NULL)
    return kind;
  whole = normalize (word, -1);
  kind = match_normalized (self, whole);
  if (kind != NULL)
    return kind;
  /* "DOE*JANE", "DOE“JANE", "QUILLFEATHER,": each run on its own. */
  runs = alnum_runs (word);
  if (runs->len > 1)
    for (guint i = 0; i < runs->len; i++)
      {
        kind = match_normalized (self, g_ptr_array_index (runs, i));
        if (kind != NULL)
          return kind;
      }
  return NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* Classes                                                                                  */

static gboolean
has_alnum (const char *word)
{
  for (const char *p = word; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_isalnum (g_utf8_get_char (p)))
      return TRUE;
  return FALSE;
}

static guint
count_digits (const char *word)
{
  guint n = 0;

  for (const char *p = word; *p != '\0'; p++)
    n += g_ascii_isdigit (*p);
  return n;
}

LacunaOcrClass
lacuna_ocr_classify_word (LacunaOcrIdentity  *identity,
                          const char         *word,
                          const char        **out_kind)
{
  guint readings[MAX_READINGS];
  const char *kind = NULL;

  g_return_val_if_fail (word != NULL, LACUNA_OCR_CLASS_NOISE);

  if (out_kind != NULL)
    *out_kind = NULL;
  if (!has_alnum (word))
    return LACUNA_OCR_CLASS_NOISE;
  if (identity != NULL)
    kind = lacuna_ocr_identity_match_word (identity, word);
  if (kind != NULL)
    {
      if (out_kind != NULL)
        *out_kind = kind;
      return LACUNA_OCR_CLASS_IDENTITY;
    }
  if (lacuna_ocr_parse_date (word, readings, MAX_READINGS) > 0 || lacuna_ocr_is_time (word))
    return LACUNA_OCR_CLASS_DATE;
  if (count_digits (word) >= 6)
    return LACUNA_OCR_CLASS_ID;
  {
    g_autofree char *trimmed = g_strdup (word);
    gsize len = strlen (trimmed);

    while (len > 0 && strchr (":;,()[]", trimmed[len - 1]) != NULL)
      trimmed[--len] = '\0';
    if (is_short_number (trimmed))
      {
        int v = atoi (trimmed);

        /* A bare year is part of a date. */
        if (strlen (trimmed) == 4 && v >= 1900 && v <= 2099)
          return LACUNA_OCR_CLASS_DATE;
        return LACUNA_OCR_CLASS_NUMBER;
      }
  }
  if (lacuna_ocr_is_clinical (word))
    return LACUNA_OCR_CLASS_CLINICAL;
  return LACUNA_OCR_CLASS_WORD;
}

const char *
lacuna_ocr_classify_line (LacunaOcrIdentity  *identity,
                          const char * const *words,
                          guint               n_words,
                          LacunaOcrClass     *out_classes)
{
  const char *first_kind = NULL;

  g_return_val_if_fail (words != NULL || n_words == 0, NULL);
  g_return_val_if_fail (out_classes != NULL || n_words == 0, NULL);

  for (guint i = 0; i < n_words; i++)
    {
      const char *kind = NULL;

      out_classes[i] = lacuna_ocr_classify_word (identity, words[i], &kind);
      if (first_kind == NULL && kind != NULL)
        first_kind = kind;
    }

  /* Dates spread over three words: "29 Mar 00", "Mar 29, 2000". */
  for (guint i = 0; i + 2 < n_words; i++)
    {
      g_autofree char *joined = g_strjoin (" ", words[i], words[i + 1], words[i + 2], NULL);
      guint readings[MAX_READINGS];
      const char *kind = NULL;

      if (lacuna_ocr_parse_date (joined, readings, MAX_READINGS) == 0)
        continue;
      if (identity != NULL)
        kind = match_date (identity, joined);
      for (guint k = i; k < i + 3; k++)
        out_classes[k] = kind != NULL ? LACUNA_OCR_CLASS_IDENTITY : LACUNA_OCR_CLASS_DATE;
      if (first_kind == NULL && kind != NULL)
        first_kind = kind;
      i += 2;
    }
  return first_kind;
}

gboolean
lacuna_ocr_line_is_clinical (const LacunaOcrClass *classes,
                             guint                 n_words)
{
  gboolean any = FALSE;

  for (guint i = 0; i < n_words; i++)
    switch (classes[i])
      {
      case LACUNA_OCR_CLASS_CLINICAL:
      case LACUNA_OCR_CLASS_NUMBER:
        any = TRUE;
        break;
      case LACUNA_OCR_CLASS_NOISE:
        break;
      case LACUNA_OCR_CLASS_IDENTITY:
      case LACUNA_OCR_CLASS_DATE:
      case LACUNA_OCR_CLASS_ID:
      case LACUNA_OCR_CLASS_WORD:
      case LACUNA_OCR_N_CLASSES:
      default:
        return FALSE;
      }
  return any;
}
