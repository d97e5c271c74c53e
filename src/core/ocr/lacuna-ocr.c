#define G_LOG_DOMAIN "lacuna-ocr"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>
#include <gio/gio.h>
#include <tesseract/capi.h>

#include "lacuna-ocr.h"

/* Text is scaled to about this height (px) before reading: Tesseract reads best with
 * capitals some 20–40 px high. */
#define TARGET_LINE_HEIGHT 40
#define MAX_SCALE          4
/* Light margin around the crop (in output pixels). */
#define PAD                12

typedef struct
{
  TessBaseAPI *api;
  gboolean     failed;
} Handle;

static guint n_reads;

static void
handle_free (gpointer data)
{
  Handle *handle = data;

  if (handle->api != NULL)
    {
      TessBaseAPIEnd (handle->api);
      TessBaseAPIDelete (handle->api);
    }
  g_free (handle);
}

static GPrivate thread_handle = G_PRIVATE_INIT (handle_free);

static TessBaseAPI *
get_api (GError **error)
{
  Handle *handle = g_private_get (&thread_handle);

  if (handle == NULL)
    {
      handle = g_new0 (Handle, 1);
      handle->api = TessBaseAPICreate ();
      /* NULL datapath: Debian's built-in /usr/share/tesseract-ocr/5/tessdata. */
      if (handle->api == NULL || TessBaseAPIInit3 (handle->api, NULL, "eng") != 0)
        {
          handle->failed = TRUE;
          if (handle->api != NULL)
            {
              TessBaseAPIDelete (handle->api);
              handle->api = NULL;
            }
        }
      else
        {
          /* Keep Tesseract's own diagnostics (which could quote what it read) off stderr. */
          TessBaseAPISetVariable (handle->api, "debug_file", "/dev/null");
          TessBaseAPISetPageSegMode (handle->api, PSM_SINGLE_LINE);
        }
      g_private_set (&thread_handle, handle);
    }
  if (handle->failed)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           _("Text recognition is not available: Tesseract or its English "
                             "data (tesseract-ocr-eng) could not be loaded"));
      return NULL;
    }
  return handle->api;
}

void
lacuna_ocr_word_free (LacunaOcrWord *word)
{
  if (word == NULL)
    return;
  g_free (word->text);
  g_free (word);
}

gboolean
lacuna_ocr_is_available (GError **error)
{
  return get_api (error) != NULL;
}

guint
lacuna_ocr_get_n_reads (void)
{
  return (guint) g_atomic_int_get (&n_reads);
}

GPtrArray *
lacuna_ocr_read_line (const guint8  *grey,
                      guint          width,
                      guint          height,
                      gsize          stride,
                      const int      box[4],
                      char         **out_text,
                      GError       **error)
{
  TessBaseAPI *api;
  g_autoptr(GPtrArray) words = NULL;
  g_autofree guint8 *crop = NULL;
  TessResultIterator *it;
  int x0, y0, x1, y1, cw, ch, ow, oh, margin;
  double scale;
  guint8 lo = 255, hi = 0;
  gboolean light_text;
  guint64 sum = 0;
  char *text;

  g_return_val_if_fail (grey != NULL, NULL);
  g_return_val_if_fail (box != NULL, NULL);
  g_return_val_if_fail (stride >= width, NULL);

  if (out_text != NULL)
    *out_text = NULL;
  api = get_api (error);
  if (api == NULL)
    return NULL;
  words = g_ptr_array_new_with_free_func ((GDestroyNotify) lacuna_ocr_word_free);

  /* Crop with a small margin of the image itself (antialiased edges), clipped. */
  margin = MAX (2, box[3] / 6);
  x0 = CLAMP (box[0] - margin, 0, (int) width);
  y0 = CLAMP (box[1] - margin, 0, (int) height);
  x1 = CLAMP (box[0] + box[2] + margin, 0, (int) width);
  y1 = CLAMP (box[1] + box[3] + margin, 0, (int) height);
  cw = x1 - x0;
  ch = y1 - y0;
  if (cw <= 0 || ch <= 0)
    {
      if (out_text != NULL)
        *out_text = g_strdup ("");
      return g_steal_pointer (&words);
    }

  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      {
        guint8 v = grey[(gsize) y * stride + x];

        lo = MIN (lo, v);
        hi = MAX (hi, v);
        sum += v;
      }
  /* Burned-in text is mostly light on dark: then the mean lies near the dark end. */
  light_text = (double) sum / ((double) cw * ch) < (lo + hi) / 2.0;

  scale = CLAMP ((double) TARGET_LINE_HEIGHT / MAX (box[3], 1), 1.0, MAX_SCALE);
  ow = (int) (cw * scale + 0.5) + 2 * PAD;
  oh = (int) (ch * scale + 0.5) + 2 * PAD;
  crop = g_malloc ((gsize) ow * oh);
  memset (crop, 255, (gsize) ow * oh);
  /* Bilinear scaling (nearest-neighbour blocks read worse), full contrast, dark text on
   * white. */
  for (int y = 0; y < oh - 2 * PAD; y++)
    {
      double sy = CLAMP ((y + 0.5) / scale - 0.5, 0, ch - 1);
      int iy = (int) sy, iy1 = MIN (iy + 1, ch - 1);
      double fy = sy - iy;
      const guint8 *r0 = grey + (gsize) (y0 + iy) * stride + x0;
      const guint8 *r1 = grey + (gsize) (y0 + iy1) * stride + x0;
      guint8 *dst = crop + (gsize) (y + PAD) * ow + PAD;

      for (int x = 0; x < ow - 2 * PAD; x++)
        {
          double sx = CLAMP ((x + 0.5) / scale - 0.5, 0, cw - 1);
          int ix = (int) sx, ix1 = MIN (ix + 1, cw - 1);
          double fx = sx - ix;
          double v = (1 - fy) * ((1 - fx) * r0[ix] + fx * r0[ix1]) +
                     fy * ((1 - fx) * r1[ix] + fx * r1[ix1]);

          v = hi > lo ? (v - lo) * 255.0 / (hi - lo) : 255.0;
          v = CLAMP (v, 0.0, 255.0);
          dst[x] = (guint8) (light_text ? 255.5 - v : v + 0.5);
        }
    }

  g_atomic_int_inc (&n_reads);
  TessBaseAPISetImage (api, crop, ow, oh, 1, ow);
  TessBaseAPISetSourceResolution (api, 300);
  if (TessBaseAPIRecognize (api, NULL) != 0)
    {
      TessBaseAPIClear (api);
      if (out_text != NULL)
        *out_text = g_strdup ("");
      return g_steal_pointer (&words);
    }

  text = TessBaseAPIGetUTF8Text (api);
  if (out_text != NULL)
    {
      g_autofree char *line = g_strdup (text != NULL ? text : "");

      g_strstrip (line);
      for (char *p = line; *p != '\0'; p++)
        if (*p == '\n')
          *p = ' ';
      *out_text = g_steal_pointer (&line);
    }
  if (text != NULL)
    TessDeleteText (text);

  it = TessBaseAPIGetIterator (api);
  if (it != NULL)
    {
      TessPageIterator *pi = TessResultIteratorGetPageIterator (it);

      do
        {
          char *w = TessResultIteratorGetUTF8Text (it, RIL_WORD);
          int l, t, r, b;

          if (w == NULL)
            continue;
          if (*w != '\0' && TessPageIteratorBoundingBox (pi, RIL_WORD, &l, &t, &r, &b))
            {
              LacunaOcrWord *word = g_new0 (LacunaOcrWord, 1);

              word->text = g_strdup (w);
              word->confidence = TessResultIteratorConfidence (it, RIL_WORD);
              /* Back to buffer coordinates (rounding outwards). */
              word->box[0] = CLAMP (x0 + (int) floor ((l - PAD) / scale), 0, (int) width);
              word->box[1] = CLAMP (y0 + (int) floor ((t - PAD) / scale), 0, (int) height);
              word->box[2] = CLAMP (x0 + (int) ceil ((r - PAD) / scale), 0, (int) width)
                             - word->box[0];
              word->box[3] = CLAMP (y0 + (int) ceil ((b - PAD) / scale), 0, (int) height)
                             - word->box[1];
              g_ptr_array_add (words, word);
            }
          TessDeleteText (w);
        }
      while (TessPageIteratorNext (pi, RIL_WORD));
      TessResultIteratorDelete (it);
    }
  TessBaseAPIClear (api);
  return g_steal_pointer (&words);
}
