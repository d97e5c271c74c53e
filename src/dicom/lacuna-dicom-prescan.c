/* lacuna-dicom-prescan.c: an iterative walk over the raw element stream, before DCMTK.
 *
 * DCMTK 3.6.7 reads sequences recursively and has no depth limit, so a small file with
 * deeply nested sequences overflows the stack (STACK-NOTES §3). This scanner walks the
 * same bytes without recursion, keeping an explicit stack of open sequences and items,
 * and refuses nesting deeper than LACUNA_DICOM_MAX_DEPTH and defined lengths that run
 * past the end of the data. It never allocates per element and reads each byte once
 * (deflated datasets are inflated in a small sliding window, never as a whole).
 */
#define G_LOG_DOMAIN "lacuna-dicom-prescan"

#include <string.h>

#include <glib.h>
#include <zlib.h>

#include "lacuna-dicom.h"

/* Inflated deflate data beyond this is refused (a "zip bomb" would make DCMTK inflate
 * it all into memory). */
#define MAX_INFLATED        (G_GUINT64_CONSTANT (1) << 31)
#define MIN_INFLATE_RATIO   64
#define WINDOW_SIZE         (64 * 1024)
#define UNDEFINED_LENGTH    0xFFFFFFFFu
#define STACK_MAX           (LACUNA_DICOM_MAX_DEPTH * 2 + 8)

#include "lacuna-dicom-prescan.h"

typedef enum
{
  SYNTAX_IMPLICIT_LE,
  SYNTAX_EXPLICIT_LE,
  SYNTAX_EXPLICIT_BE,
} Syntax;

typedef enum
{
  FRAME_SEQUENCE,
  FRAME_ITEM,
  FRAME_PIXEL_SEQUENCE,
} FrameKind;

typedef struct
{
  FrameKind kind;
  Syntax    syntax;   /* of the elements inside */
  guint64   end;      /* G_MAXUINT64: undefined length */
} Frame;

/* Sequential reader over memory or over a raw-deflate stream. */
typedef struct
{
  const guint8 *data;          /* memory mode: everything; deflate: the window */
  gsize         avail;         /* valid bytes in data from 0 */
  gsize         cur;           /* read position in data */
  guint64       base;          /* absolute position of data[0] */
  z_stream     *z;             /* NULL in memory mode */
  guint8       *window;
  gboolean      z_done;
  gboolean      z_failed;
  guint64       inflated;
  guint64       max_inflated;
} Reader;

static guint64
reader_pos (const Reader *r)
{
  return r->base + r->cur;
}

/* Makes up to n bytes available at the read position; returns how many are. */
static gsize
reader_fill (Reader *r,
             gsize   n)
{
  g_assert (n <= WINDOW_SIZE / 2);

  if (r->z == NULL || r->avail - r->cur >= n || r->z_done)
    return MIN (n, r->avail - r->cur);

  /* Slide the unread tail to the front, then inflate into the rest. */
  memmove (r->window, r->window + r->cur, r->avail - r->cur);
  r->base += r->cur;
  r->avail -= r->cur;
  r->cur = 0;

  while (r->avail < n && !r->z_done)
    {
      int ret;
      gsize before = r->avail;

      r->z->next_out = r->window + r->avail;
      r->z->avail_out = WINDOW_SIZE - r->avail;
      ret = inflate (r->z, Z_NO_FLUSH);
      r->avail = WINDOW_SIZE - r->z->avail_out;
      r->inflated += r->avail - before;
      if (ret == Z_STREAM_END)
        r->z_done = TRUE;
      else if (ret != Z_OK || (r->avail == before && r->z->avail_in == 0))
        {
          /* A corrupt or truncated stream: what was inflated is all there is. */
          r->z_done = TRUE;
          r->z_failed = ret != Z_OK && ret != Z_BUF_ERROR;
        }
    }
  return MIN (n, r->avail - r->cur);
}

/* Skips n bytes; returns how many could be skipped before the end of the data. */
static guint64
reader_skip (Reader  *r,
             guint64  n)
{
  guint64 done = 0;

  if (r->z == NULL)
    {
      done = MIN (n, (guint64) (r->avail - r->cur));
      r->cur += done;
      return done;
    }

  while (done < n)
    {
      gsize chunk;
      gsize got;

      if (r->inflated > r->max_inflated)
        break;
      chunk = (gsize) MIN (n - done, (guint64) WINDOW_SIZE / 2);
      got = reader_fill (r, chunk);
      if (got == 0)
        break;
      r->cur += got;
      done += got;
    }
  return done;
}

static gboolean
reader_at_end (Reader *r)
{
  return reader_fill (r, 1) == 0;
}

static guint16
get16 (const guint8 *p,
       gboolean      big_endian)
{
  return big_endian ? (guint16) ((p[0] << 8) | p[1]) : (guint16) (p[0] | (p[1] << 8));
}

static guint32
get32 (const guint8 *p,
       gboolean      big_endian)
{
  if (big_endian)
    return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
  return p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16) | ((guint32) p[3] << 24);
}

static gboolean
is_vr (const guint8 *p)
{
  return g_ascii_isupper (p[0]) && g_ascii_isupper (p[1]);
}

/* VRs with a 2-byte reserved field and a 4-byte length in explicit VR. */
static gboolean
vr_has_long_length (const guint8 *p)
{
  static const char long_vrs[][3] = { "OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC",
                                      "UN", "UR", "UT", "UV" };

  for (guint i = 0; i < G_N_ELEMENTS (long_vrs); i++)
    if (p[0] == long_vrs[i][0] && p[1] == long_vrs[i][1])
      return TRUE;
  return FALSE;
}

static void
set_overrun (GError  **error,
             guint16   group,
             guint16   element,
             guint32   length,
             guint64   remaining)
{
  g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_PARSE,
               "element (%04X,%04X) claims %u bytes but the file ends after %" G_GUINT64_FORMAT,
               group, element, length, remaining);
}

static void
set_too_deep (GError **error)
{
  g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_TOO_DEEP,
               "sequences nested more than %d deep", LACUNA_DICOM_MAX_DEPTH);
}

/* Guesses the syntax of a dataset from its first element, as DCMTK does: a valid VR
 * after the tag means explicit; the byte order that gives the smaller group wins. */
static Syntax
guess_syntax (const guint8 *p,
              gsize         avail)
{
  guint16 le, be;

  if (avail < 8)
    return SYNTAX_EXPLICIT_LE;
  le = get16 (p, FALSE);
  be = get16 (p, TRUE);
  if (is_vr (p + 4))
    return (le > 0xFF && be <= 0xFF) ? SYNTAX_EXPLICIT_BE : SYNTAX_EXPLICIT_LE;
  return SYNTAX_IMPLICIT_LE;
}

typedef struct
{
  Frame    stack[STACK_MAX];
  guint    n_frames;
  guint    depth;              /* open sequences */
  gboolean pixels_truncated;
} Walk;

static gboolean
push (Walk      *w,
      FrameKind  kind,
      Syntax     syntax,
      guint64    end,
      GError   **error)
{
  if (kind == FRAME_SEQUENCE && ++w->depth > LACUNA_DICOM_MAX_DEPTH)
    {
      set_too_deep (error);
      return FALSE;
    }
  if (w->n_frames == STACK_MAX)
    {
      /* Only reachable with items nested in items without sequences between them. */
      set_too_deep (error);
      return FALSE;
    }
  w->stack[w->n_frames++] = (Frame) { kind, syntax, end };
  return TRUE;
}

static void
pop (Walk *w)
{
  g_assert (w->n_frames > 0);
  if (w->stack[w->n_frames - 1].kind == FRAME_SEQUENCE)
    w->depth--;
  w->n_frames--;
}

/* TRUE (and TOO_LARGE) once a deflated dataset has inflated beyond the cap. */
static gboolean
check_cap (Reader  *r,
           GError **error)
{
  if (r->z == NULL || r->inflated <= r->max_inflated)
    return FALSE;
  g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_TOO_LARGE,
               "the deflated dataset inflates to more than %" G_GUINT64_FORMAT " bytes",
               r->max_inflated);
  return TRUE;
}

/* Walks elements until the end of the data. `syntax` is the top level's. */
static gboolean
walk_dataset (Reader   *r,
              Syntax    syntax,
              gboolean *pixels_truncated,
              GError  **error)
{
  Walk w = { 0 };

  for (;;)
    {
      const guint8 *p;
      gsize got;
      guint64 pos;
      Syntax cur;
      gboolean be;
      guint16 group, element;
      guint32 length;
      gsize header;
      gboolean explicit_sq = FALSE;
      gboolean explicit_un = FALSE;
      gboolean have_vr = FALSE;
      FrameKind top;

      pos = reader_pos (r);
      /* Close defined-length containers we have reached (or crossed). */
      while (w.n_frames > 0 && w.stack[w.n_frames - 1].end <= pos)
        pop (&w);

      if (check_cap (r, error))
        return FALSE;

      got = reader_fill (r, 8);
      if (got < 8)
        return TRUE;   /* end of data (trailing bytes shorter than a tag are DCMTK's call) */
      p = r->data + r->cur;

      cur = w.n_frames > 0 ? w.stack[w.n_frames - 1].syntax : syntax;
      top = w.n_frames > 0 ? w.stack[w.n_frames - 1].kind : FRAME_ITEM;
      be = cur == SYNTAX_EXPLICIT_BE;
      group = get16 (p, be);
      element = get16 (p + 2, be);

      if (group == 0xFFFE)
        {
          length = get32 (p + 4, be);
          r->cur += 8;
          pos += 8;

          if (element == 0xE000)
            {
              if (top == FRAME_PIXEL_SEQUENCE)
                {
                  guint64 skipped;

                  if (length == UNDEFINED_LENGTH)
                    {
                      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_PARSE,
                                   "a pixel data fragment has an undefined length");
                      return FALSE;
                    }
                  skipped = reader_skip (r, length);
                  if (skipped < length)
                    {
                      if (check_cap (r, error))
                        return FALSE;
                      set_overrun (error, group, element, length, skipped);
                      return FALSE;
                    }
                  continue;
                }
              if (!push (&w, FRAME_ITEM, cur,
                         length == UNDEFINED_LENGTH ? G_MAXUINT64 : pos + length, error))
                return FALSE;
              continue;
            }
          if (element == 0xE00D)
            {
              if (w.n_frames > 0 && top == FRAME_ITEM &&
                  w.stack[w.n_frames - 1].end == G_MAXUINT64)
                pop (&w);
              continue;
            }
          if (element == 0xE0DD)
            {
              /* Closes the innermost undefined-length sequence (and an unclosed item). */
              if (w.n_frames > 0 && top == FRAME_ITEM &&
                  w.stack[w.n_frames - 1].end == G_MAXUINT64)
                pop (&w);
              if (w.n_frames > 0 && w.stack[w.n_frames - 1].kind != FRAME_ITEM &&
                  w.stack[w.n_frames - 1].end == G_MAXUINT64)
                pop (&w);
              continue;
            }
          /* Another (FFFE,xxxx): skip what it claims. */
          if (length != UNDEFINED_LENGTH && reader_skip (r, length) < length)
            return TRUE;
          continue;
        }

      if (cur != SYNTAX_IMPLICIT_LE && is_vr (p + 4))
        {
          if (vr_has_long_length (p + 4))
            {
              if (reader_fill (r, 12) < 12)
                return TRUE;
              p = r->data + r->cur;
              length = get32 (p + 8, be);
              header = 12;
            }
          else
            {
              length = get16 (p + 6, be);
              header = 8;
            }
          have_vr = TRUE;
          explicit_sq = p[4] == 'S' && p[5] == 'Q';
          explicit_un = p[4] == 'U' && p[5] == 'N';
        }
      else
        {
          length = get32 (p + 4, be);
          header = 8;
        }
      r->cur += header;
      pos += header;

      if (length == UNDEFINED_LENGTH)
        {
          Syntax inner = cur;

          if (group == 0x7FE0 || (have_vr && !explicit_sq && !explicit_un))
            {
              /* Encapsulated pixel data (or another undefined-length OB/OW): fragments. */
              if (!push (&w, FRAME_PIXEL_SEQUENCE, cur, G_MAXUINT64, error))
                return FALSE;
              continue;
            }
          /* PS3.5 6.2.2: the content of an undefined-length UN is implicit VR LE. */
          if (explicit_un)
            inner = SYNTAX_IMPLICIT_LE;
          if (!push (&w, FRAME_SEQUENCE, inner, G_MAXUINT64, error))
            return FALSE;
          continue;
        }

      if (explicit_sq)
        {
          if (!push (&w, FRAME_SEQUENCE, cur, pos + length, error))
            return FALSE;
          if (reader_fill (r, 1) < 1 && length > 0)
            {
              set_overrun (error, group, element, length, 0);
              return FALSE;
            }
          continue;
        }

      /* Implicit VR (or UN) values that start with an item tag are taken as sequences. */
      if ((!have_vr || explicit_un) && length >= 8 && reader_fill (r, 8) == 8)
        {
          const guint8 *v = r->data + r->cur;
          gboolean vbe = cur == SYNTAX_EXPLICIT_BE && !explicit_un;
          Syntax inner = explicit_un ? SYNTAX_IMPLICIT_LE : cur;

          if (get16 (v, vbe) == 0xFFFE && get16 (v + 2, vbe) == 0xE000)
            {
              guint32 item_length = get32 (v + 4, vbe);

              if (item_length == UNDEFINED_LENGTH || item_length <= length - 8)
                {
                  if (!push (&w, FRAME_SEQUENCE, inner, pos + length, error))
                    return FALSE;
                  continue;
                }
            }
        }

      {
        guint64 skipped = reader_skip (r, length);

        if (skipped < length)
          {
            if (check_cap (r, error))
              return FALSE;
            /* Truncated Pixel Data as the last element is left to the pixel code: the
             * header is intact and worth showing (pydicom's MR_truncated.dcm). */
            if (group == 0x7FE0 && element == 0x0010 && w.n_frames == 0)
              {
                *pixels_truncated = TRUE;
                return TRUE;
              }
            set_overrun (error, group, element, length, skipped);
            return FALSE;
          }
      }
    }
}

/* Reads the meta header (always explicit VR LE); returns the transfer syntax UID in ts
 * (empty when absent) and leaves r after it. */
static gboolean
walk_meta (Reader  *r,
           char     ts[65],
           GError **error)
{
  ts[0] = '\0';

  for (;;)
    {
      const guint8 *p;
      guint16 group, element;
      guint32 length;
      gsize header;

      if (reader_fill (r, 8) < 8)
        return TRUE;
      p = r->data + r->cur;
      group = get16 (p, FALSE);
      element = get16 (p + 2, FALSE);
      if (group != 0x0002)
        return TRUE;

      if (is_vr (p + 4))
        {
          if (vr_has_long_length (p + 4))
            {
              if (reader_fill (r, 12) < 12)
                return TRUE;
              length = get32 (p + 8, FALSE);
              header = 12;
            }
          else
            {
              length = get16 (p + 6, FALSE);
              header = 8;
            }
        }
      else
        {
          length = get32 (p + 4, FALSE);
          header = 8;
        }
      r->cur += header;

      if (length == UNDEFINED_LENGTH || length > r->avail - r->cur)
        {
          set_overrun (error, group, element, length, r->avail - r->cur);
          return FALSE;
        }
      if (element == 0x0010 && length < 65)
        {
          memcpy (ts, r->data + r->cur, length);
          ts[length] = '\0';
          g_strstrip (ts);
        }
      r->cur += length;
    }
}

gboolean
_lacuna_dicom_prescan (const guint8  *data,
                       gsize          size,
                       GError       **error)
{
  return _lacuna_dicom_prescan_full (data, size, NULL, error);
}

gboolean
_lacuna_dicom_prescan_full (const guint8  *data,
                            gsize          size,
                            gboolean      *out_pixels_truncated,
                            GError       **error)
{
  gboolean pixels_truncated = FALSE;
  Reader r = { 0 };
  char ts[65];
  Syntax syntax;
  gsize start = 0;
  gboolean ok;

  g_return_val_if_fail (data != NULL || size == 0, FALSE);

  if (size >= 132 && memcmp (data + 128, "DICM", 4) == 0)
    start = 132;

  r.data = data;
  r.avail = size;
  r.cur = start;
  if (!walk_meta (&r, ts, error))
    return FALSE;

  if (strcmp (ts, "1.2.840.10008.1.2") == 0)
    syntax = SYNTAX_IMPLICIT_LE;
  else if (strcmp (ts, "1.2.840.10008.1.2.2") == 0)
    syntax = SYNTAX_EXPLICIT_BE;
  else if (ts[0] != '\0')
    syntax = SYNTAX_EXPLICIT_LE;
  else
    syntax = guess_syntax (r.data + r.cur, r.avail - r.cur);

  if (strcmp (ts, "1.2.840.10008.1.2.1.99") != 0)
    {
      ok = walk_dataset (&r, syntax, &pixels_truncated, error);
      if (out_pixels_truncated != NULL)
        *out_pixels_truncated = pixels_truncated;
      return ok;
    }

  {
    z_stream z = { 0 };
    g_autofree guint8 *window = g_malloc (WINDOW_SIZE);
    gsize compressed = size - r.cur;

    if (inflateInit2 (&z, -MAX_WBITS) != Z_OK)
      {
        g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_FAILED,
                     "cannot start inflating the deflated dataset");
        return FALSE;
      }
    z.next_in = (Bytef *) (r.data + r.cur);
    z.avail_in = (uInt) MIN (compressed, (gsize) G_MAXUINT);

    r.z = &z;
    r.window = window;
    r.data = window;
    r.avail = 0;
    r.cur = 0;
    r.base = 0;
    r.max_inflated = MIN (MAX_INFLATED, MAX ((guint64) compressed * MIN_INFLATE_RATIO,
                                             (guint64) 256 << 20));

    syntax = SYNTAX_EXPLICIT_LE;
    ok = walk_dataset (&r, syntax, &pixels_truncated, error);
    if (out_pixels_truncated != NULL)
      *out_pixels_truncated = pixels_truncated;
    if (ok && reader_at_end (&r) && r.z_failed)
      {
        g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_PARSE,
                     "the deflated dataset is corrupt");
        ok = FALSE;
      }
    inflateEnd (&z);
    return ok;
  }
}
