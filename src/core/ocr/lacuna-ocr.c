#define G_LOG_DOMAIN "lacuna-ocr"

#define _GNU_SOURCE 1

#include "config.h"

#include <dlfcn.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>
#include <gio/gio.h>
#include <tesseract/capi.h>

#include "lacuna-ocr.h"

/* The soname of the libtesseract built against (src/core/meson.build), "" when not found. */
#ifndef LACUNA_TESSERACT_SONAME
#define LACUNA_TESSERACT_SONAME ""
#endif

/* Text is scaled to about this height (px) before reading: Tesseract reads best with
 * capitals some 20–40 px high. (Its network rescales every line to 36 px, so this costs
 * little: 32 or 28 px saved under 5% and changed what was read on noisy lines.) */
#define TARGET_LINE_HEIGHT 40
#define MAX_SCALE          4
/* Light margin around the crop (in output pixels). */
#define PAD                12
/* Handles that outlived their thread, kept for the next one (each costs 0.1–0.2 s of CPU
 * to initialise). */
#define MAX_IDLE_HANDLES   8

typedef struct
{
  TessBaseAPI *api;
  guint8      *buffer;    /* the image read, reused */
  gsize        buffer_size;
} Handle;

/* Tesseract is not linked: its library (with Leptonica, libcurl, libgomp and the rest of
 * what it needs) is loaded on first use, so that programs that never read burned-in text
 * do not pay for it at start-up. capi.h gives the functions' types; these are the ones
 * used, resolved from the library once. */
#define TESS_FUNCTIONS(F) \
  F (TessBaseAPIClear) \
  F (TessBaseAPICreate) \
  F (TessBaseAPIDelete) \
  F (TessBaseAPIEnd) \
  F (TessBaseAPIGetIterator) \
  F (TessBaseAPIInit4) \
  F (TessBaseAPIRecognize) \
  F (TessBaseAPISetImage) \
  F (TessBaseAPISetPageSegMode) \
  F (TessBaseAPISetSourceResolution) \
  F (TessDeleteText) \
  F (TessPageIteratorBoundingBox) \
  F (TessPageIteratorNext) \
  F (TessResultIteratorConfidence) \
  F (TessResultIteratorDelete) \
  F (TessResultIteratorGetPageIterator) \
  F (TessResultIteratorGetUTF8Text)

static struct
{
#define TESS_POINTER(name) __typeof__ (name) *name;
  TESS_FUNCTIONS (TESS_POINTER)
#undef TESS_POINTER
} tess;

/* The library, once loaded; never unloaded. */
static void *tess_library;

static guint n_reads;
static guint n_handles;

/* The English data, found once: the directory holding eng.traineddata, or NULL. */
static const char *tessdata_dir;
/* Set once an initialisation failed: no thread tries again. */
static gint        init_failed;

static GMutex      idle_lock;
static GSList     *idle_handles;
static guint       n_idle_handles;

static void
handle_destroy (Handle *handle)
{
  if (handle->api != NULL)
    {
      tess.TessBaseAPIEnd (handle->api);
      tess.TessBaseAPIDelete (handle->api);
    }
  g_free (handle->buffer);
  g_free (handle);
}

/* A thread ends: its handle goes to the next thread that needs one. */
static void
handle_release (gpointer data)
{
  Handle *handle = data;

  g_mutex_lock (&idle_lock);
  if (n_idle_handles < MAX_IDLE_HANDLES)
    {
      idle_handles = g_slist_prepend (idle_handles, handle);
      n_idle_handles++;
      handle = NULL;
    }
  g_mutex_unlock (&idle_lock);
  if (handle != NULL)
    handle_destroy (handle);
}

static GPrivate thread_handle = G_PRIVATE_INIT (handle_release);

/* Where Tesseract looks for its data: $TESSDATA_PREFIX when set (the tessdata directory
 * itself since Tesseract 4, or its parent as before), else the packaged locations. */
static const char *
find_tessdata (void)
{
  static gsize once;

  if (g_once_init_enter (&once))
    {
      const char *prefix = g_getenv ("TESSDATA_PREFIX");
      g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func (g_free);
      char *found = NULL;

      if (prefix != NULL && *prefix != '\0')
        {
          g_ptr_array_add (dirs, g_strdup (prefix));
          g_ptr_array_add (dirs, g_build_filename (prefix, "tessdata", NULL));
        }
      else
        {
          static const char * const packaged[] = {
            "/usr/share/tesseract-ocr/5/tessdata",     /* Debian, Ubuntu */
            "/usr/share/tesseract-ocr/4.00/tessdata",
            "/usr/share/tesseract/tessdata",           /* Fedora */
            "/usr/share/tessdata",                     /* Arch, openSUSE */
            "/usr/local/share/tessdata",               /* built from source */
            "/app/share/tessdata",                     /* Flatpak */
          };

          for (guint i = 0; i < G_N_ELEMENTS (packaged); i++)
            g_ptr_array_add (dirs, g_strdup (packaged[i]));
        }
      for (guint i = 0; i < dirs->len && found == NULL; i++)
        {
          g_autofree char *path = g_build_filename (g_ptr_array_index (dirs, i),
                                                    "eng.traineddata", NULL);

          if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
            found = g_strdup (g_ptr_array_index (dirs, i));
        }
      tessdata_dir = found;   /* kept for the life of the process */
      g_once_init_leave (&once, 1);
    }
  return tessdata_dir;
}

/* Loads the library and resolves the functions, once: $LACUNA_TESSERACT_LIBRARY when set
 * (a file name or path; then only that), else the soname found at build time and the usual
 * ones. FALSE when no library loads or one lacks a function. */
static gboolean
tess_load (void)
{
  static gsize once;
  static gboolean loaded;

  if (g_once_init_enter (&once))
    {
      const char *library = g_getenv ("LACUNA_TESSERACT_LIBRARY");
      const char *candidates[] = { LACUNA_TESSERACT_SONAME, "libtesseract.so.5",
                                   "libtesseract.so" };
      void *lib = NULL;
      gboolean complete = TRUE;

      if (library != NULL && *library != '\0')
        lib = dlopen (library, RTLD_LAZY | RTLD_LOCAL);
      else
        for (guint i = 0; i < G_N_ELEMENTS (candidates) && lib == NULL; i++)
          if (*candidates[i] != '\0')
            lib = dlopen (candidates[i], RTLD_LAZY | RTLD_LOCAL);

#define TESS_RESOLVE(name) \
      if (lib != NULL && complete) \
        complete = (tess.name = (__typeof__ (name) *) dlsym (lib, #name)) != NULL;
      TESS_FUNCTIONS (TESS_RESOLVE)
#undef TESS_RESOLVE

      if (lib != NULL && complete)
        {
          tess_library = lib;
          loaded = TRUE;
        }
      else
        {
          if (lib == NULL)
            g_debug ("libtesseract could not be loaded: %s", dlerror ());
          else
            g_debug ("libtesseract lacks a function of its C API");
          if (lib != NULL)
            dlclose (lib);
          memset (&tess, 0, sizeof tess);
        }
      g_once_init_leave (&once, 1);
    }
  return loaded;
}

/* Tesseract's network runs its layers in OpenMP teams of up to 10 threads, which only
 * spin and wait on a small or busy machine: we read lines in parallel ourselves, one
 * handle per thread. OMP_THREAD_LIMIT in the environment when libtesseract is loaded (on
 * first use, when libgomp reads it) is honoured. Tesseract is the only user of OpenMP here;
 * the call is a no-op without libgomp. Called only once tess_load() has succeeded. */
static void
serialise_openmp (void)
{
  const char *limit = g_getenv ("OMP_THREAD_LIMIT");
  void (*set_max_active_levels) (int);

  if (limit != NULL && atoi (limit) > 1)
    return;
  /* Found in libtesseract's own dependencies (it was loaded RTLD_LOCAL). */
  set_max_active_levels = (void (*) (int)) dlsym (tess_library, "omp_set_max_active_levels");
  if (set_max_active_levels != NULL)
    set_max_active_levels (0);
}

/* Set at initialisation. Measured and left at their defaults: tessedit_do_invert (off
 * saved nothing measurable and changed what was read on small noisy regions),
 * load_system_dawg/load_freq_dawg (loaded once per process; off changed nothing). The
 * universal ambiguities that dominate initialisation cannot be skipped. */
static const char * const init_names[] = {
  /* Keep Tesseract's own diagnostics (which could quote what it read) off stderr. */
  "debug_file",
  /* Nothing read on one line (one patient) is learnt for the next. */
  "tessedit_enable_doc_dict",
  "classify_enable_learning",
};
static const char * const init_values[] = {
  "/dev/null",
  "0",
  "0",
};

static Handle *
handle_new (void)
{
  Handle *handle = NULL;
  TessBaseAPI *api;

  g_mutex_lock (&idle_lock);
  if (idle_handles != NULL)
    {
      handle = idle_handles->data;
      idle_handles = g_slist_delete_link (idle_handles, idle_handles);
      n_idle_handles--;
    }
  g_mutex_unlock (&idle_lock);
  if (handle != NULL)
    {
      serialise_openmp ();
      return handle;
    }

  if (find_tessdata () == NULL || g_atomic_int_get (&init_failed) || !tess_load ())
    return NULL;
  serialise_openmp ();
  api = tess.TessBaseAPICreate ();
  if (api == NULL)
    return NULL;
  G_STATIC_ASSERT (G_N_ELEMENTS (init_names) == G_N_ELEMENTS (init_values));
  /* LSTM only: what Debian's eng.traineddata (tessdata_fast) holds anyway; data that also
   * holds the legacy engine would otherwise run both. */
  if (tess.TessBaseAPIInit4 (api, find_tessdata (), "eng", OEM_LSTM_ONLY, NULL, 0,
                             (char **) init_names, (char **) init_values,
                             G_N_ELEMENTS (init_names), FALSE) != 0)
    {
      g_atomic_int_set (&init_failed, TRUE);
      tess.TessBaseAPIDelete (api);
      return NULL;
    }
  g_atomic_int_inc (&n_handles);
  handle = g_new0 (Handle, 1);
  handle->api = api;
  tess.TessBaseAPISetPageSegMode (api, PSM_SINGLE_LINE);
  return handle;
}

static void
set_not_available (GError **error)
{
  if (find_tessdata () != NULL && !g_atomic_int_get (&init_failed) && !tess_load ())
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                         _("Text recognition is not available: the Tesseract library "
                           "(libtesseract5) could not be loaded"));
  else
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                         _("Text recognition is not available: Tesseract or its English "
                           "data (tesseract-ocr-eng) could not be loaded"));
}

static Handle *
get_handle (GError **error)
{
  Handle *handle = g_private_get (&thread_handle);

  if (handle == NULL)
    {
      handle = handle_new ();
      if (handle == NULL)
        {
          set_not_available (error);
          return NULL;
        }
      g_private_set (&thread_handle, handle);
    }
  return handle;
}

static guint8 *
handle_buffer (Handle *handle,
               gsize   size)
{
  if (handle->buffer_size < size)
    {
      g_free (handle->buffer);
      handle->buffer = g_malloc (size);
      handle->buffer_size = size;
    }
  return handle->buffer;
}

void
lacuna_ocr_word_free (LacunaOcrWord *word)
{
  if (word == NULL)
    return;
  g_free (word->text);
  g_free (word);
}

void
lacuna_ocr_line_free (LacunaOcrLine *line)
{
  if (line == NULL)
    return;
  g_free (line->text);
  g_clear_pointer (&line->words, g_ptr_array_unref);
  g_free (line);
}

gboolean
lacuna_ocr_is_available (GError **error)
{
  if (find_tessdata () == NULL || g_atomic_int_get (&init_failed) || !tess_load ())
    {
      set_not_available (error);
      return FALSE;
    }
  return TRUE;
}

guint
lacuna_ocr_get_n_reads (void)
{
  return (guint) g_atomic_int_get (&n_reads);
}

guint
lacuna_ocr_get_n_handles (void)
{
  return (guint) g_atomic_int_get (&n_handles);
}

/* ---------------------------------------------------------------------------------------- */
/* Preparing a line                                                                         */

/* One line to read: its crop of the buffer and how it is scaled. */
typedef struct
{
  int      x0, y0;      /* the crop's origin in the buffer */
  int      cw, ch;      /* the crop's size; 0 when empty */
  double   scale;
  int      ow, oh;      /* the scaled crop, without padding */
  guint8   lo, hi;      /* its darkest and brightest values */
  gboolean light_text;
} Slot;

static void
slot_init (Slot         *slot,
           const guint8 *grey,
           guint         width,
           guint         height,
           gsize         stride,
           const int     box[4])
{
  /* Crop with a small margin of the image itself (antialiased edges), clipped. */
  int margin = MAX (2, box[3] / 6);
  int x1, y1;
  guint64 sum = 0;

  memset (slot, 0, sizeof *slot);
  slot->x0 = CLAMP (box[0] - margin, 0, (int) width);
  slot->y0 = CLAMP (box[1] - margin, 0, (int) height);
  x1 = CLAMP (box[0] + box[2] + margin, 0, (int) width);
  y1 = CLAMP (box[1] + box[3] + margin, 0, (int) height);
  slot->cw = MAX (0, x1 - slot->x0);
  slot->ch = MAX (0, y1 - slot->y0);
  if (slot->cw == 0 || slot->ch == 0)
    {
      slot->cw = slot->ch = 0;
      return;
    }

  slot->lo = 255;
  for (int y = slot->y0; y < y1; y++)
    {
      const guint8 *row = grey + (gsize) y * stride;

      for (int x = slot->x0; x < x1; x++)
        {
          slot->lo = MIN (slot->lo, row[x]);
          slot->hi = MAX (slot->hi, row[x]);
          sum += row[x];
        }
    }
  /* Burned-in text is mostly light on dark: then the mean lies near the dark end. */
  slot->light_text = (double) sum / ((double) slot->cw * slot->ch) < (slot->lo + slot->hi) / 2.0;
  slot->scale = CLAMP ((double) TARGET_LINE_HEIGHT / MAX (box[3], 1), 1.0, MAX_SCALE);
  slot->ow = (int) (slot->cw * slot->scale + 0.5);
  slot->oh = (int) (slot->ch * slot->scale + 0.5);
}

/* Bilinear scaling (nearest-neighbour blocks read worse), full contrast, dark text on
 * white, into dst (rows dst_stride apart). */
static void
slot_render (const Slot   *slot,
             const guint8 *grey,
             gsize         stride,
             guint8       *dst,
             gsize         dst_stride)
{
  g_autofree int *ix = g_new (int, MAX (slot->ow, 1));
  g_autofree double *fx = g_new (double, MAX (slot->ow, 1));

  for (int x = 0; x < slot->ow; x++)
    {
      double sx = CLAMP ((x + 0.5) / slot->scale - 0.5, 0, slot->cw - 1);

      ix[x] = (int) sx;
      fx[x] = sx - ix[x];
    }
  for (int y = 0; y < slot->oh; y++)
    {
      double sy = CLAMP ((y + 0.5) / slot->scale - 0.5, 0, slot->ch - 1);
      int iy = (int) sy, iy1 = MIN (iy + 1, slot->ch - 1);
      double fy = sy - iy;
      const guint8 *r0 = grey + (gsize) (slot->y0 + iy) * stride + slot->x0;
      const guint8 *r1 = grey + (gsize) (slot->y0 + iy1) * stride + slot->x0;
      guint8 *out = dst + (gsize) y * dst_stride;

      for (int x = 0; x < slot->ow; x++)
        {
          int a = ix[x], b = MIN (a + 1, slot->cw - 1);
          double f = fx[x];
          double v = (1 - fy) * ((1 - f) * r0[a] + f * r0[b]) + fy * ((1 - f) * r1[a] + f * r1[b]);

          v = slot->hi > slot->lo ? (v - slot->lo) * 255.0 / (slot->hi - slot->lo) : 255.0;
          v = CLAMP (v, 0.0, 255.0);
          out[x] = (guint8) (slot->light_text ? 255.5 - v : v + 0.5);
        }
    }
}

/* Back to buffer coordinates (rounding outwards). */
static void
slot_map_box (const Slot *slot,
              guint       width,
              guint       height,
              int         l,
              int         t,
              int         r,
              int         b,
              int         out[4])
{
  out[0] = CLAMP (slot->x0 + (int) floor ((l - PAD) / slot->scale), 0, (int) width);
  out[1] = CLAMP (slot->y0 + (int) floor ((t - PAD) / slot->scale), 0, (int) height);
  out[2] = CLAMP (slot->x0 + (int) ceil ((r - PAD) / slot->scale), 0, (int) width) - out[0];
  out[3] = CLAMP (slot->y0 + (int) ceil ((b - PAD) / slot->scale), 0, (int) height)
           - out[1];
}

/* ---------------------------------------------------------------------------------------- */
/* Reading                                                                                  */

static LacunaOcrLine *
line_new (void)
{
  LacunaOcrLine *line = g_new0 (LacunaOcrLine, 1);

  line->words = g_ptr_array_new_with_free_func ((GDestroyNotify) lacuna_ocr_word_free);
  return line;
}

/* Joins the words of each line into its text. */
static void
line_set_text (LacunaOcrLine *line)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < line->words->len; i++)
    {
      const LacunaOcrWord *word = g_ptr_array_index (line->words, i);

      if (text->len > 0)
        g_string_append_c (text, ' ');
      g_string_append (text, word->text);
    }
  g_free (line->text);
  line->text = g_string_free (text, FALSE);
}

/* Reads slot as one line (PSM_SINGLE_LINE) into line's words. */
static void
read_slot (Handle        *handle,
           const guint8  *grey,
           gsize          stride,
           Slot          *slot,
           LacunaOcrLine *line,
           guint          width,
           guint          height)
{
  int ow = slot->ow + 2 * PAD, oh = slot->oh + 2 * PAD;
  guint8 *image = handle_buffer (handle, (gsize) ow * oh);
  TessResultIterator *it;

  memset (image, 255, (gsize) ow * oh);
  slot_render (slot, grey, stride, image + (gsize) PAD * ow + PAD, ow);

  tess.TessBaseAPISetImage (handle->api, image, ow, oh, 1, ow);
  tess.TessBaseAPISetSourceResolution (handle->api, 300);
  if (tess.TessBaseAPIRecognize (handle->api, NULL) != 0)
    {
      tess.TessBaseAPIClear (handle->api);
      return;
    }
  it = tess.TessBaseAPIGetIterator (handle->api);
  if (it != NULL)
    {
      TessPageIterator *pi = tess.TessResultIteratorGetPageIterator (it);

      do
        {
          char *w = tess.TessResultIteratorGetUTF8Text (it, RIL_WORD);
          int l, t, r, b;

          if (w == NULL)
            continue;
          if (*w != '\0' && tess.TessPageIteratorBoundingBox (pi, RIL_WORD, &l, &t, &r, &b))
            {
              LacunaOcrWord *word = g_new0 (LacunaOcrWord, 1);

              word->text = g_strdup (w);
              word->confidence = tess.TessResultIteratorConfidence (it, RIL_WORD);
              slot_map_box (slot, width, height, l, t, r, b, word->box);
              g_ptr_array_add (line->words, word);
            }
          tess.TessDeleteText (w);
        }
      while (tess.TessPageIteratorNext (pi, RIL_WORD));
      tess.TessResultIteratorDelete (it);
    }
  tess.TessBaseAPIClear (handle->api);
}

GPtrArray *
lacuna_ocr_read_lines (const guint8  *grey,
                       guint          width,
                       guint          height,
                       gsize          stride,
                       const int     *boxes,
                       guint          n_boxes,
                       GError       **error)
{
  g_autoptr(GPtrArray) lines = NULL;
  Handle *handle;

  g_return_val_if_fail (grey != NULL, NULL);
  g_return_val_if_fail (boxes != NULL || n_boxes == 0, NULL);
  g_return_val_if_fail (stride >= width, NULL);

  handle = get_handle (error);
  if (handle == NULL)
    return NULL;

  /* One line at a time. Stacking the lines of a frame into one image read with one call
   * (PSM_SINGLE_BLOCK) saved nothing measurable (the network's time is per line, whatever
   * the layout) and read more of the small regions differently. */
  lines = g_ptr_array_new_full (n_boxes, (GDestroyNotify) lacuna_ocr_line_free);
  for (guint i = 0; i < n_boxes; i++)
    {
      LacunaOcrLine *line = line_new ();
      Slot slot;

      g_ptr_array_add (lines, line);
      slot_init (&slot, grey, width, height, stride, boxes + 4 * i);
      if (slot.cw > 0)
        {
          g_atomic_int_inc (&n_reads);
          read_slot (handle, grey, stride, &slot, line, width, height);
        }
    }
  for (guint i = 0; i < lines->len; i++)
    line_set_text (g_ptr_array_index (lines, i));
  return g_steal_pointer (&lines);
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
  g_autoptr(GPtrArray) lines = NULL;
  LacunaOcrLine *line;

  g_return_val_if_fail (grey != NULL, NULL);
  g_return_val_if_fail (box != NULL, NULL);
  g_return_val_if_fail (stride >= width, NULL);

  if (out_text != NULL)
    *out_text = NULL;
  lines = lacuna_ocr_read_lines (grey, width, height, stride, box, 1, error);
  if (lines == NULL)
    return NULL;
  line = g_ptr_array_index (lines, 0);
  if (out_text != NULL)
    *out_text = g_steal_pointer (&line->text);
  return g_steal_pointer (&line->words);
}
