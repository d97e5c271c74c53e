/* lacuna-residual.c: the residual scan (see lacuna-residual.h).
 *
 * Needles
 * -------
 * Each input gives its identifying strings through lacuna-identity.c (which elements, how
 * names, dates, addresses and phones are split: the rules are written there). Each string
 * is searched in up to three forms: as written, its Unicode case fold (NFC, g_utf8_casefold,
 * NFC), and its ASCII transliteration when that is complete ("Brönnimann" → "Bronnimann").
 * ASCII letters always compare case-insensitively. The output is written in UTF-8, so
 * these forms cover it; bytes of an output still in a legacy character set (a private OB
 * block copied from the input) are found only through their ASCII parts.
 *
 * Where
 * -----
 *  1. Every element at any depth, the meta header included: string values decoded (as the
 *     shim gives them, in UTF-8) and case folded; OB, UN, OW and the other binary values
 *     by their bytes. Hits name the element's path.
 *  2. Every byte of the file, outside the values of bulk image data: Pixel Data and the
 *     other (7FE0,xxxx), Overlay Data (60xx,3000), Curve Data (50xx,3000), Waveform Data
 *     (5400,1010), palette and LUT data. Those are skipped in both passes: text searched in
 *     pixels gives false hits, and what is drawn in pixels is the redaction's business. The
 *     byte ranges come from a small iterative parse of the file (no recursion; meta header,
 *     implicit/explicit VR, big endian, deflate inflated). A hit here is reported ("bytes at
 *     offset N") only for a needle not already found in an element: it catches what the
 *     element view cannot show (legacy character sets, bytes after the data set, padding).
 *  3. Texts given to lacuna_residual_check_text (the report, file and folder names).
 *
 * Matching (Aho–Corasick over bytes, ASCII case folded; one pass whatever the number of
 * needles; a dense transition table while it stays under 32 MB, else a sparse one)
 * -------------------------------------------------------------------------------------
 *  - An end of a needle that is a digit needs a non-digit next to it in the haystack: the
 *    ID "1234" is not found in the UID "2.25.912345"; this holds for long numbers too
 *    (random UID digits would otherwise match them now and then).
 *  - An end that is a letter needs a non-letter, non-digit next to it when the needle is
 *    shorter than 8 characters: "MARY" is not found in "PRIMARY"; longer needles match
 *    anywhere. Bytes above 0x7F count as letters. Needles in CJK, kana or Hangul (no spaces
 *    between words) match anywhere.
 *  - A birth date as YYYYMMDD needs a non-digit before it only (a DT may follow with its
 *    time). The engine's dummy date 19000101 is never a needle.
 *  - Numbers of 3 to 5 digits are searched only in decoded text values (LO, SH, ST, LT, UT,
 *    UC, PN), not in other values, bytes or texts, where such numbers abound.
 *  - Phone numbers are also searched by their digits in a digits-only projection of text
 *    values and texts (digits kept, "+-.()/" and spaces between them dropped), so
 *    "555.225.5887" finds "555-225-5887"; with fewer than 10 digits the projected match
 *    must not touch other digits.
 */

#define G_LOG_DOMAIN "lacuna-residual"

#include "config.h"

#include <string.h>

#include "lacuna-identity.h"
#include "lacuna-residual.h"

#define DENSE_MAX_ENTRIES ((gsize) 8 << 20)   /* × 4 bytes */
#define LONG_NEEDLE       8
#define MAX_INFLATED      ((gsize) 1 << 30)

typedef enum
{
  CTX_TEXT_VALUE,   /* a decoded LO, SH, ST, LT, UT, UC, PN value */
  CTX_VALUE,        /* another decoded string value (UI, DA, CS…) */
  CTX_BYTES,        /* binary values, the raw file */
  CTX_TEXT,         /* check_text */
  CTX_DIGITS,       /* the digits-only projection */
} Context;

typedef struct
{
  LacunaIdentityKind  kind;
  LacunaIdentityMatch match;
} Needle;

typedef enum
{
  END_DIGIT,
  END_LETTER,
  END_OTHER,
} EndClass;

typedef struct
{
  guint    needle;
  guint    len;          /* bytes */
  guint8   first;        /* EndClass */
  guint8   last;
  gboolean anywhere;     /* long or CJK: letters need no boundary */
} Pattern;

/* ---------------------------------------------------------------------------------------- */
/* Automaton                                                                                */

typedef struct
{
  gatomicrefcount  ref_count;
  guint8           cls[256];
  guint            n_classes;
  guint            n_states;
  guint32         *delta;      /* dense n_states × n_classes, or NULL */
  GHashTable      *go;         /* sparse: state * n_classes + class + 1 → child */
  guint32         *fail;
  gint32          *out;        /* pattern ending here, or -1 */
  guint32         *dict;       /* next state with an output on the fail chain, 0 = none */
  Pattern         *patterns;
  guint            n_patterns;
  Needle          *needles;
  guint            n_needles;
} Automaton;

static Automaton *
automaton_ref (Automaton *ac)
{
  g_atomic_ref_count_inc (&ac->ref_count);
  return ac;
}

static void
automaton_unref (Automaton *ac)
{
  if (ac == NULL || !g_atomic_ref_count_dec (&ac->ref_count))
    return;
  g_free (ac->delta);
  g_clear_pointer (&ac->go, g_hash_table_unref);
  g_free (ac->fail);
  g_free (ac->out);
  g_free (ac->dict);
  g_free (ac->patterns);
  g_free (ac->needles);
  g_free (ac);
}

static inline gpointer
go_key (const Automaton *ac,
        guint32          state,
        guint            c)
{
  return GSIZE_TO_POINTER ((gsize) state * ac->n_classes + c + 1);
}

static inline guint32
go_lookup (const Automaton *ac,
           guint32          state,
           guint            c)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (ac->go, go_key (ac, state, c)));
}

static inline guint32
step (const Automaton *ac,
      guint32          state,
      guint8           byte)
{
  guint c = ac->cls[byte];

  if (ac->delta != NULL)
    return ac->delta[(gsize) state * ac->n_classes + c];
  if (c == 0)
    return 0;
  for (;;)
    {
      guint32 child = go_lookup (ac, state, c);

      if (child != 0)
        return child;
      if (state == 0)
        return 0;
      state = ac->fail[state];
    }
}

/* texts: the byte strings (ASCII already lower case); patterns[i] describes texts[i]. */
static Automaton *
automaton_build (GPtrArray     *texts,
                 const Pattern *patterns,
                 const Needle  *needles,
                 guint          n_needles)
{
  Automaton *ac = g_new0 (Automaton, 1);
  GArray *out = g_array_new (FALSE, FALSE, sizeof (gint32));
  gint32 none = -1;
  guint32 *queue;
  guint head = 0, tail = 0;

  g_atomic_ref_count_init (&ac->ref_count);
  ac->n_patterns = texts->len;
  ac->patterns = g_memdup2 (patterns, sizeof (Pattern) * MAX (texts->len, 1));
  ac->needles = g_memdup2 (needles, sizeof (Needle) * MAX (n_needles, 1));
  ac->n_needles = n_needles;

  /* Byte classes: every byte used by a pattern gets one; A–Z share a–z's. */
  ac->n_classes = 1;
  for (guint i = 0; i < texts->len; i++)
    for (const guint8 *p = g_ptr_array_index (texts, i); *p != '\0'; p++)
      if (ac->cls[*p] == 0)
        ac->cls[*p] = (guint8) MIN (ac->n_classes++, 255);
  for (int c = 'A'; c <= 'Z'; c++)
    ac->cls[c] = ac->cls[(guint8) g_ascii_tolower (c)];

  /* The trie. */
  ac->go = g_hash_table_new (g_direct_hash, g_direct_equal);
  ac->n_states = 1;
  g_array_append_val (out, none);
  for (guint i = 0; i < texts->len; i++)
    {
      guint32 state = 0;

      for (const guint8 *p = g_ptr_array_index (texts, i); *p != '\0'; p++)
        {
          guint32 child = go_lookup (ac, state, ac->cls[*p]);

          if (child == 0)
            {
              child = ac->n_states++;
              g_hash_table_insert (ac->go, go_key (ac, state, ac->cls[*p]),
                                   GUINT_TO_POINTER (child));
              g_array_append_val (out, none);
            }
          state = child;
        }
      if (g_array_index (out, gint32, state) < 0)
        g_array_index (out, gint32, state) = (gint32) i;
    }
  ac->out = (gint32 *) (gpointer) g_array_free (out, FALSE);
  ac->fail = g_new0 (guint32, ac->n_states);
  ac->dict = g_new0 (guint32, ac->n_states);
  if ((gsize) ac->n_states * ac->n_classes <= DENSE_MAX_ENTRIES)
    ac->delta = g_new0 (guint32, (gsize) ac->n_states * ac->n_classes);

  /* Breadth first: failure links, dictionary links, the dense table. */
  queue = g_new (guint32, ac->n_states);
  queue[tail++] = 0;
  while (head < tail)
    {
      guint32 s = queue[head++];

      for (guint c = 1; c < ac->n_classes; c++)
        {
          guint32 child = go_lookup (ac, s, c);

          if (child == 0)
            {
              if (ac->delta != NULL)
                ac->delta[(gsize) s * ac->n_classes + c] =
                  s == 0 ? 0 : ac->delta[(gsize) ac->fail[s] * ac->n_classes + c];
              continue;
            }
          if (ac->delta != NULL)
            ac->delta[(gsize) s * ac->n_classes + c] = child;
          if (s != 0)
            {
              guint32 f = ac->delta != NULL ? ac->delta[(gsize) ac->fail[s] * ac->n_classes + c]
                                            : 0;

              if (ac->delta == NULL)
                {
                  guint32 t = ac->fail[s];

                  for (;;)
                    {
                      f = go_lookup (ac, t, c);
                      if (f != 0 || t == 0)
                        break;
                      t = ac->fail[t];
                    }
                }
              ac->fail[child] = f;
            }
          ac->dict[child] = ac->out[ac->fail[child]] >= 0 ? ac->fail[child]
                                                           : ac->dict[ac->fail[child]];
          queue[tail++] = child;
        }
    }
  g_free (queue);
  if (ac->delta != NULL)
    g_clear_pointer (&ac->go, g_hash_table_unref);
  return ac;
}

/* ---------------------------------------------------------------------------------------- */
/* The object                                                                               */

struct _LacunaResidual
{
  GMutex               mutex;
  LacunaProfileOption  options;
  GArray              *needles;    /* Needle */
  GHashTable          *needle_keys;/* kind-independent key → TRUE */
  GPtrArray           *texts;      /* pattern byte strings */
  GArray              *patterns;   /* Pattern */
  GHashTable          *text_set;   /* pattern byte string → TRUE */
  GHashTable          *value_sets; /* the identity values of inputs already added → TRUE */
  Automaton           *ac;         /* NULL when inputs were added since */
};

/* Inputs of one series usually hold the same identifying values: those already added are
 * recognised without deriving their strings again (a cache: bounded, and cleared when
 * full, since it only saves work). */
#define MAX_VALUE_SETS 4096

void
lacuna_residual_hit_free (LacunaResidualHit *hit)
{
  if (hit == NULL)
    return;
  g_free (hit->where);
  g_free (hit);
}

LacunaResidual *
lacuna_residual_new (void)
{
  LacunaResidual *self = g_new0 (LacunaResidual, 1);

  g_mutex_init (&self->mutex);
  self->needles = g_array_new (FALSE, FALSE, sizeof (Needle));
  self->needle_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->value_sets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->texts = g_ptr_array_new_with_free_func (g_free);
  self->patterns = g_array_new (FALSE, FALSE, sizeof (Pattern));
  self->text_set = g_hash_table_new (g_str_hash, g_str_equal);
  return self;
}

void
lacuna_residual_free (LacunaResidual *self)
{
  if (self == NULL)
    return;
  automaton_unref (self->ac);
  g_hash_table_unref (self->text_set);
  g_ptr_array_unref (self->texts);
  g_array_unref (self->patterns);
  g_hash_table_unref (self->needle_keys);
  g_hash_table_unref (self->value_sets);
  g_array_unref (self->needles);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

void
lacuna_residual_set_options (LacunaResidual      *self,
                             LacunaProfileOption  options)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->mutex);
  self->options = options;
  g_mutex_unlock (&self->mutex);
}

guint
lacuna_residual_get_n_needles (LacunaResidual *self)
{
  guint n;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->mutex);
  n = self->needles->len;
  g_mutex_unlock (&self->mutex);
  return n;
}

static char *
fold (const char *s,
      gssize      len)
{
  g_autofree char *nfc = g_utf8_normalize (s, len, G_NORMALIZE_NFC);
  g_autofree char *folded = NULL;

  if (nfc == NULL)
    return g_ascii_strdown (s, len);
  folded = g_utf8_casefold (nfc, -1);
  return g_utf8_normalize (folded, -1, G_NORMALIZE_NFC);
}

static gboolean
is_ascii (const char *s,
          gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if ((guint8) s[i] >= 0x80)
      return FALSE;
  return TRUE;
}

static EndClass
end_class (guint8 b)
{
  if (g_ascii_isdigit (b))
    return END_DIGIT;
  if (g_ascii_isalpha (b) || b >= 0x80)
    return END_LETTER;
  return END_OTHER;
}

static gboolean
has_cjk (const char *s)
{
  for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if ((c >= 0x2E80 && c <= 0x9FFF) || (c >= 0xAC00 && c <= 0xD7AF) ||
          (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFF66 && c <= 0xFF9F))
        return TRUE;
    }
  return FALSE;
}

/* Called with the mutex held. */
static void
add_form (LacunaResidual *self,
          guint           needle,
          const char     *form)
{
  g_autofree char *lower = g_ascii_strdown (form, -1);
  gsize len = strlen (lower);
  Pattern p = { 0 };

  if (len == 0 || g_hash_table_contains (self->text_set, lower))
    return;
  p.needle = needle;
  p.len = (guint) len;
  p.first = end_class ((guint8) lower[0]);
  p.last = end_class ((guint8) lower[len - 1]);
  p.anywhere = g_utf8_strlen (lower, -1) >= LONG_NEEDLE || has_cjk (lower);
  g_array_append_val (self->patterns, p);
  g_hash_table_add (self->text_set, lower);
  g_ptr_array_add (self->texts, g_steal_pointer (&lower));
}

static gboolean
kept_by_options (LacunaProfileOption options,
                 guint32             tag)
{
  const LacunaProfileRule *rule;

  if (options == LACUNA_PROFILE_OPTION_NONE)
    return FALSE;
  rule = lacuna_profile_lookup (tag);
  return rule != NULL && lacuna_profile_resolve (rule, options) == LACUNA_PROFILE_ACTION_K;
}

void
lacuna_residual_add_input (LacunaResidual  *self,
                           LacunaDicomFile *input)
{
  LacunaIdentityCollectFlags flags = LACUNA_IDENTITY_COLLECT_DEFAULT;
  LacunaProfileOption options;
  g_autoptr(GPtrArray) values = NULL;
  g_autoptr(GPtrArray) strings = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (input != NULL);

  g_mutex_lock (&self->mutex);
  options = self->options;
  g_mutex_unlock (&self->mutex);

  if ((options & LACUNA_PROFILE_OPTION_RETAIN_INSTITUTION_IDENTITY) != 0)
    flags |= LACUNA_IDENTITY_COLLECT_SKIP_INSTITUTION;
  if ((options & LACUNA_PROFILE_OPTION_RETAIN_DEVICE_IDENTITY) != 0)
    flags |= LACUNA_IDENTITY_COLLECT_SKIP_DEVICE;
  values = lacuna_identity_collect (input, flags);
  for (guint i = values->len; i > 0; i--)
    {
      const LacunaIdentityValue *v = g_ptr_array_index (values, i - 1);

      if (kept_by_options (options, v->tag))
        g_ptr_array_remove_index (values, i - 1);
    }
  {
    GString *key = g_string_new (NULL);
    gboolean seen;

    for (guint i = 0; i < values->len; i++)
      {
        const LacunaIdentityValue *v = g_ptr_array_index (values, i);

        g_string_append_printf (key, "%d %08X %s\x1e", (int) v->kind, v->tag, v->value);
      }
    g_mutex_lock (&self->mutex);
    seen = g_hash_table_contains (self->value_sets, key->str);
    if (!seen)
      {
        if (g_hash_table_size (self->value_sets) >= MAX_VALUE_SETS)
          g_hash_table_remove_all (self->value_sets);
        g_hash_table_add (self->value_sets, g_string_free (g_steal_pointer (&key), FALSE));
      }
    g_mutex_unlock (&self->mutex);
    if (key != NULL)
      g_string_free (key, TRUE);
    if (seen)
      return;
  }
  strings = lacuna_identity_derive (values);

  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < strings->len; i++)
    {
      const LacunaIdentityString *s = g_ptr_array_index (strings, i);
      g_autofree char *folded = fold (s->text, -1);
      char *key = g_strdup_printf ("%d:%s", (int) s->match, folded);
      Needle n = { s->kind, s->match };
      guint idx = self->needles->len;

      if (!g_hash_table_add (self->needle_keys, key))
        continue;
      g_array_append_val (self->needles, n);
      add_form (self, idx, s->text);
      add_form (self, idx, folded);
      if (!is_ascii (s->text, strlen (s->text)))
        {
          g_autofree char *ascii = g_str_to_ascii (s->text, "C");

          if (strchr (ascii, '?') == NULL)
            add_form (self, idx, ascii);
        }
      g_clear_pointer (&self->ac, automaton_unref);
    }
  g_mutex_unlock (&self->mutex);
}

static Automaton *
get_automaton (LacunaResidual *self)
{
  Automaton *ac;

  g_mutex_lock (&self->mutex);
  if (self->ac == NULL)
    self->ac = automaton_build (self->texts, (const Pattern *) (gpointer) self->patterns->data,
                                (const Needle *) (gpointer) self->needles->data,
                                self->needles->len);
  ac = automaton_ref (self->ac);
  g_mutex_unlock (&self->mutex);
  return ac;
}

/* ---------------------------------------------------------------------------------------- */
/* Scanning                                                                                 */

typedef struct
{
  Automaton  *ac;
  GPtrArray  *hits;
  GHashTable *reported;     /* "where\nkind" */
  gboolean   *needle_hit;   /* per needle, in this file's element pass */
  gboolean    raw;          /* the raw pass: one hit per needle, only needles not yet hit */
  gsize       base;         /* offset of the scanned data in the file (raw pass) */
  const char *where;
  const char *keyword;      /* valid while scanning one element */
} Scan;

static gboolean
allowed (const Needle *n,
         Context       ctx)
{
  if (ctx == CTX_DIGITS)
    return n->match == LACUNA_IDENTITY_MATCH_DIGITS;
  if (n->match == LACUNA_IDENTITY_MATCH_DIGITS)
    return FALSE;
  if (n->match == LACUNA_IDENTITY_MATCH_WEAK)
    return ctx == CTX_TEXT_VALUE;
  return TRUE;
}

static gboolean
boundary_ok (const Pattern *p,
             const Needle  *n,
             Context        ctx,
             const guint8  *data,
             gsize          len,
             gsize          start,
             gsize          end)
{
  if (ctx == CTX_DIGITS)
    {
      if (p->len >= 10)
        return TRUE;
      return (start == 0 || !g_ascii_isdigit (data[start - 1])) &&
             (end == len || !g_ascii_isdigit (data[end]));
    }
  if (start > 0)
    {
      guint8 b = data[start - 1];

      if (p->first == END_DIGIT && g_ascii_isdigit (b))
        return FALSE;
      if (p->first == END_LETTER && !p->anywhere && end_class (b) != END_OTHER)
        return FALSE;
    }
  if (end < len && n->match != LACUNA_IDENTITY_MATCH_DATE)
    {
      guint8 b = data[end];

      if (p->last == END_DIGIT && g_ascii_isdigit (b))
        return FALSE;
      if (p->last == END_LETTER && !p->anywhere && end_class (b) != END_OTHER)
        return FALSE;
    }
  return TRUE;
}

static void
report (Scan         *sc,
        const Needle *n,
        guint         needle,
        gsize         offset)
{
  LacunaResidualHit *hit;
  const char *kind = lacuna_identity_kind_to_string (n->kind);
  char *key;

  if (sc->raw)
    {
      if (sc->needle_hit[needle])
        return;
      sc->needle_hit[needle] = TRUE;
      hit = g_new0 (LacunaResidualHit, 1);
      hit->where = g_strdup_printf ("bytes at offset %" G_GSIZE_FORMAT, sc->base + offset);
      hit->keyword = "";
      hit->kind = kind;
      g_ptr_array_add (sc->hits, hit);
      return;
    }
  if (sc->needle_hit != NULL)
    sc->needle_hit[needle] = TRUE;
  key = g_strconcat (sc->where, "\n", kind, NULL);
  if (!g_hash_table_add (sc->reported, key))
    return;
  hit = g_new0 (LacunaResidualHit, 1);
  hit->where = g_strdup (sc->where);
  hit->keyword = g_intern_string (sc->keyword);
  hit->kind = kind;
  g_ptr_array_add (sc->hits, hit);
}

static void
scan_bytes (Scan         *sc,
            const guint8 *data,
            gsize         len,
            Context       ctx)
{
  const Automaton *ac = sc->ac;
  guint32 state = 0;

  if (ac->n_patterns == 0)
    return;
  for (gsize i = 0; i < len; i++)
    {
      guint32 s;

      state = step (ac, state, data[i]);
      s = ac->out[state] >= 0 ? state : ac->dict[state];
      for (; s != 0; s = ac->dict[s])
        {
          const Pattern *p = &ac->patterns[ac->out[s]];
          const Needle *n = &ac->needles[p->needle];
          gsize start = i + 1 - p->len;

          if (allowed (n, ctx) && boundary_ok (p, n, ctx, data, len, start, i + 1))
            report (sc, n, p->needle, start);
        }
    }
}

static gboolean
is_phone_separator (char c)
{
  return c == ' ' || c == '+' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/';
}

/* Digits kept, phone separators between digits dropped, anything else a break; NULL for
 * fewer than 7 digits (most text: counted before anything is built). */
static char *
digits_projection (const char *s,
                   gsize       len)
{
  GString *out;
  guint n_digits = 0;

  for (gsize i = 0; i < len; i++)
    n_digits += g_ascii_isdigit (s[i]) != 0;
  if (n_digits < 7)
    return NULL;
  out = g_string_sized_new (len);
  for (gsize i = 0; i < len; i++)
    {
      if (g_ascii_isdigit (s[i]))
        g_string_append_c (out, s[i]);
      else if (!is_phone_separator (s[i]))
        {
          if (out->len > 0 && out->str[out->len - 1] != 'x')
            g_string_append_c (out, 'x');
        }
    }
  return g_string_free (out, FALSE);
}

/* value: len bytes of UTF-8 without NUL. */
static void
scan_text (Scan       *sc,
           const char *value,
           gsize       len,
           Context     ctx)
{
  if (is_ascii (value, len))
    scan_bytes (sc, (const guint8 *) value, len, ctx);
  else
    {
      g_autofree char *folded = fold (value, (gssize) len);

      scan_bytes (sc, (const guint8 *) folded, strlen (folded), ctx);
    }
  if (ctx == CTX_TEXT_VALUE || ctx == CTX_TEXT)
    {
      g_autofree char *digits = digits_projection (value, len);

      if (digits != NULL)
        scan_bytes (sc, (const guint8 *) digits, strlen (digits), CTX_DIGITS);
    }
}

static void
scan_string (Scan       *sc,
             const char *value,
             Context     ctx)
{
  scan_text (sc, value, strlen (value), ctx);
}

void
lacuna_residual_check_text (LacunaResidual *self,
                            const char     *text,
                            const char     *where,
                            GPtrArray      *hits)
{
  Scan sc = { 0 };
  g_autofree char *valid = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (text != NULL);
  g_return_if_fail (hits != NULL);

  if (!g_utf8_validate (text, -1, NULL))
    text = valid = g_utf8_make_valid (text, -1);
  sc.ac = get_automaton (self);
  sc.hits = hits;
  sc.reported = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  sc.where = where != NULL ? where : "text";
  sc.keyword = "";
  if (strchr (text, '\n') == NULL)
    scan_string (&sc, text, CTX_TEXT);
  else
    {
      /* Line by line (a report is megabytes of mostly ASCII lines: only a line that is not
       * ASCII needs Unicode normalisation; no needle spans a line break). */
      const char *line = text;

      while (*line != '\0')
        {
          const char *end = strchr (line, '\n');
          gsize len = end != NULL ? (gsize) (end - line) : strlen (line);

          scan_text (&sc, line, len, CTX_TEXT);
          line += len;
          if (*line == '\n')
            line++;
        }
    }
  g_hash_table_unref (sc.reported);
  automaton_unref (sc.ac);
}

/* ---------------------------------------------------------------------------------------- */
/* The element pass                                                                         */

/* Bulk image and signal data: never searched as text. */
static gboolean
is_bulk_tag (guint32 tag)
{
  guint16 group = tag >> 16;
  guint16 element = tag & 0xFFFF;

  if (group == 0x7FE0)
    return TRUE;
  if (((group & 0xFF01) == 0x6000 || (group & 0xFF01) == 0x5000) && element == 0x3000)
    return TRUE;
  switch (tag)
    {
    case 0x54001010:   /* Waveform Data */
    case 0x00281201:   /* Red/Green/Blue Palette Color Lookup Table Data */
    case 0x00281202:
    case 0x00281203:
    case 0x00281204:   /* Alpha Palette Color Lookup Table Data */
    case 0x00281221:   /* Segmented Red/Green/Blue Palette Color LUT Data */
    case 0x00281222:
    case 0x00281223:
    case 0x00283006:   /* LUT Data */
      return TRUE;
    default:
      return FALSE;
    }
}

static Context
string_context (const char *vr)
{
  static const char *const text_vrs[] = { "LO", "SH", "ST", "LT", "UT", "UC", "PN" };
  static const char *const string_vrs[] = { "AE", "AS", "CS", "DA", "DS", "DT", "IS", "TM",
                                            "UI", "UR" };

  for (guint i = 0; i < G_N_ELEMENTS (text_vrs); i++)
    if (strcmp (vr, text_vrs[i]) == 0)
      return CTX_TEXT_VALUE;
  for (guint i = 0; i < G_N_ELEMENTS (string_vrs); i++)
    if (strcmp (vr, string_vrs[i]) == 0)
      return CTX_VALUE;
  return CTX_BYTES;
}

typedef struct
{
  Scan            *sc;
  LacunaDicomFile *file;
} ElementScan;

/* Values read as bytes (element_cb) need no text. */
static gboolean
want_text (guint32     tag,
           const char *vr,
           gpointer    user_data)
{
  return !is_bulk_tag (tag) && string_context (vr) != CTX_BYTES;
}

static LacunaDicomWalkResult
element_cb (const LacunaDicomElement *el,
            gpointer                  user_data)
{
  ElementScan *es = user_data;
  Scan *sc = es->sc;
  Context ctx;

  if (el->is_sequence || is_bulk_tag (el->tag))
    return LACUNA_DICOM_WALK_CONTINUE;

  sc->where = el->path;
  sc->keyword = el->keyword;   /* interned only when reported */
  ctx = string_context (el->vr);
  if (ctx != CTX_BYTES)
    {
      if (el->value != NULL)
        scan_string (sc, el->value, ctx);
    }
  else if (el->length >= 3)
    {
      g_autoptr(GBytes) bytes = lacuna_dicom_element_dup_bytes (el, NULL);

      if (bytes != NULL)
        {
          gsize size;
          const guint8 *data = g_bytes_get_data (bytes, &size);

          /* Host order: OW and the like were swapped back to bytes as stored (LE). */
          if (size > 0)
            scan_bytes (sc, data, size, CTX_BYTES);
        }
    }
  sc->where = NULL;
  return LACUNA_DICOM_WALK_CONTINUE;
}

/* ---------------------------------------------------------------------------------------- */
/* The raw pass                                                                             */

typedef struct
{
  gsize start;
  gsize end;
} Range;

static inline guint16
rd16 (const guint8 *p,
      gboolean      big)
{
  return big ? (guint16) (p[0] << 8 | p[1]) : (guint16) (p[1] << 8 | p[0]);
}

static inline guint32
rd32 (const guint8 *p,
      gboolean      big)
{
  return big ? ((guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3])
             : ((guint32) p[3] << 24 | (guint32) p[2] << 16 | (guint32) p[1] << 8 | p[0]);
}

static gboolean
is_long_vr (const guint8 *vr)
{
  static const char *const vrs[] = { "OB", "OD", "OF", "OL", "OV", "OW", "SQ", "UC", "UN",
                                     "UR", "UT", "SV", "UV" };

  for (guint i = 0; i < G_N_ELEMENTS (vrs); i++)
    if (vr[0] == (guint8) vrs[i][0] && vr[1] == (guint8) vrs[i][1])
      return TRUE;
  return FALSE;
}

static void
add_range (GArray *ranges,
           gsize   start,
           gsize   end)
{
  Range r = { start, end };

  g_array_append_val (ranges, r);
}

/* Walks elements linearly (items and sequences are entered, not skipped, so nothing nests),
 * adding the byte ranges of bulk values to ranges. Stops at the first thing it cannot
 * follow: the rest is then searched whole. Returns where it stopped. */
static gsize
find_bulk (const guint8 *d,
           gsize         n,
           gsize         pos,
           gboolean      explicit_vr,
           gboolean      big,
           gboolean      meta_only,
           char          ts[65],
           GArray       *ranges)
{
  gboolean in_encap = FALSE;
  gsize encap_start = 0;

  while (pos + 8 <= n)
    {
      guint16 group = rd16 (d + pos, big);
      guint16 element = rd16 (d + pos + 2, big);
      guint32 tag = (guint32) group << 16 | element;
      guint32 len;
      gsize hdr;
      gboolean sq;

      if (meta_only && group != 0x0002)
        break;
      if (group == 0xFFFE)
        {
          len = rd32 (d + pos + 4, big);
          pos += 8;
          if (element == 0xE000 && in_encap)
            {
              if (len == 0xFFFFFFFF || len > n - pos)
                break;
              pos += len;
            }
          else if (element == 0xE0DD && in_encap)
            {
              add_range (ranges, encap_start, pos);
              in_encap = FALSE;
            }
          continue;
        }
      if (in_encap)
        break;

      if (explicit_vr)
        {
          const guint8 *vr = d + pos + 4;

          if (!g_ascii_isupper (vr[0]) || !g_ascii_isupper (vr[1]))
            break;
          if (is_long_vr (vr))
            {
              if (pos + 12 > n)
                break;
              len = rd32 (d + pos + 8, big);
              hdr = 12;
            }
          else
            {
              len = rd16 (d + pos + 6, big);
              hdr = 8;
            }
          sq = vr[0] == 'S' && vr[1] == 'Q';
        }
      else
        {
          len = rd32 (d + pos + 4, big);
          hdr = 8;
          sq = strcmp (lacuna_dicom_tag_vr (tag), "SQ") == 0;
        }

      if (len == 0xFFFFFFFF)
        {
          if (is_bulk_tag (tag))
            {
              in_encap = TRUE;
              encap_start = pos;
            }
          else if (!sq && explicit_vr)
            break;   /* UN of undefined length: implicit VR inside */
          pos += hdr;   /* into the sequence */
          continue;
        }
      if (sq)
        {
          pos += hdr;
          continue;
        }
      if (len > n - pos - hdr)
        {
          if (is_bulk_tag (tag))
            add_range (ranges, pos, n);
          pos = n;
          break;
        }
      if (tag == 0x00020010 && ts != NULL)
        {
          gsize l = MIN (len, 64);

          memcpy (ts, d + pos + hdr, l);
          ts[l] = '\0';
          while (l > 0 && (ts[l - 1] == '\0' || ts[l - 1] == ' '))
            ts[--l] = '\0';
        }
      if (is_bulk_tag (tag))
        add_range (ranges, pos, pos + hdr + len);
      pos += hdr + len;
    }
  if (in_encap)
    add_range (ranges, encap_start, n);
  return pos;
}

static void
scan_outside (Scan         *sc,
              const guint8 *d,
              gsize         n,
              GArray       *ranges)
{
  gsize pos = 0;

  for (guint i = 0; i < ranges->len; i++)
    {
      const Range *r = &g_array_index (ranges, Range, i);

      if (r->start > pos)
        {
          sc->base += pos;
          scan_bytes (sc, d + pos, r->start - pos, CTX_BYTES);
          sc->base -= pos;
        }
      pos = MAX (pos, r->end);
    }
  if (pos < n)
    {
      sc->base += pos;
      scan_bytes (sc, d + pos, n - pos, CTX_BYTES);
      sc->base -= pos;
    }
}

static GBytes *
inflate_raw (const guint8 *d,
             gsize         n)
{
  g_autoptr(GZlibDecompressor) z = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_RAW);
  g_autoptr(GInputStream) mem = g_memory_input_stream_new_from_data (d, (gssize) n, NULL);
  g_autoptr(GInputStream) in = g_converter_input_stream_new (mem, G_CONVERTER (z));
  GByteArray *out = g_byte_array_new ();
  guint8 buf[65536];

  for (;;)
    {
      gssize r = g_input_stream_read (in, buf, sizeof buf, NULL, NULL);

      if (r <= 0 || out->len + (gsize) r > MAX_INFLATED)
        break;
      g_byte_array_append (out, buf, (guint) r);
    }
  return g_byte_array_free_to_bytes (out);
}

static void
raw_pass (Scan         *sc,
          const guint8 *d,
          gsize         n)
{
  g_autoptr(GArray) ranges = g_array_new (FALSE, FALSE, sizeof (Range));
  char ts[65] = "";
  gsize pos = 0;
  gboolean explicit_vr = TRUE;
  gboolean big = FALSE;

  if (n >= 132 && memcmp (d + 128, "DICM", 4) == 0)
    pos = find_bulk (d, n, 132, TRUE, FALSE, TRUE, ts, ranges);
  else if (n >= 6 && !(g_ascii_isupper (d[4]) && g_ascii_isupper (d[5])))
    explicit_vr = FALSE;

  if (strcmp (ts, "1.2.840.10008.1.2.1.99") == 0)
    {
      g_autoptr(GBytes) inflated = inflate_raw (d + pos, n - pos);
      gsize size;
      const guint8 *data = g_bytes_get_data (inflated, &size);
      g_autoptr(GArray) inner = g_array_new (FALSE, FALSE, sizeof (Range));

      scan_outside (sc, d, pos, ranges);   /* preamble and meta header */
      if (size > 0)
        {
          find_bulk (data, size, 0, TRUE, FALSE, FALSE, NULL, inner);
          sc->base = 0;
          scan_outside (sc, data, size, inner);   /* offsets: in the inflated data set */
        }
      return;
    }
  if (strcmp (ts, "1.2.840.10008.1.2") == 0)
    explicit_vr = FALSE;
  else if (strcmp (ts, "1.2.840.10008.1.2.2") == 0)
    big = TRUE;
  find_bulk (d, n, pos, explicit_vr, big, FALSE, NULL, ranges);
  scan_outside (sc, d, n, ranges);
}

gboolean
lacuna_residual_check_parsed (LacunaResidual  *self,
                              LacunaDicomFile *file,
                              const guint8    *data,
                              gsize            size,
                              GPtrArray       *hits)
{
  g_autofree gboolean *needle_hit = NULL;
  ElementScan es;
  Scan sc = { 0 };

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (file != NULL, FALSE);
  g_return_val_if_fail (data != NULL || size == 0, FALSE);
  g_return_val_if_fail (hits != NULL, FALSE);

  sc.ac = get_automaton (self);
  needle_hit = g_new0 (gboolean, MAX (sc.ac->n_needles, 1));
  sc.hits = hits;
  sc.reported = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  sc.needle_hit = needle_hit;
  es.sc = &sc;
  es.file = file;
  lacuna_dicom_file_walk_some (file, LACUNA_DICOM_WALK_META | LACUNA_DICOM_WALK_NO_VM, want_text,
                               element_cb, &es);

  sc.raw = TRUE;
  sc.where = NULL;
  if (size > 0)
    raw_pass (&sc, data, size);

  g_hash_table_unref (sc.reported);
  automaton_unref (sc.ac);
  return TRUE;
}

gboolean
lacuna_residual_check_file (LacunaResidual  *self,
                            const char      *path,
                            GPtrArray       *hits,
                            GError         **error)
{
  g_autoptr(LacunaDicomFile) file = NULL;
  g_autoptr(GMappedFile) mapped = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (hits != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  mapped = g_mapped_file_new (path, FALSE, error);
  if (mapped == NULL)
    return FALSE;
  file = lacuna_dicom_file_open (path, LACUNA_DICOM_OPEN_DEFAULT, error);
  if (file == NULL)
    return FALSE;
  return lacuna_residual_check_parsed (self, file,
                                       (const guint8 *) g_mapped_file_get_contents (mapped),
                                       g_mapped_file_get_length (mapped), hits);
}
