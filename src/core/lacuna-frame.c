/* lacuna-frame.c: one decoded frame and the grayscale/colour display pipeline.
 *
 * PS3.3 C.11 and C.7.6.3, PS3.4 N.2:
 *
 *   stored value ─(mask to Bits Stored, sign)─▶ Modality LUT / Rescale ─▶ VOI (window with
 *   LINEAR, LINEAR_EXACT or SIGMOID, or a VOI LUT) ─▶ Presentation (MONOCHROME1 or
 *   Presentation LUT Shape INVERSE: inverted) ─▶ 8 bits
 *
 * Pixel Padding Value (and Range Limit) are mapped to black. Everything the pipeline needs
 * is read once in lacuna_frame_decode(); rendering a grey frame of at most 16 bits stored is
 * a table look-up per pixel: the table (one byte per possible stored value) is built per
 * window and kept while the window does not change. Colour frames are converted to 8-bit
 * RGB once, at decode.
 */
#define G_LOG_DOMAIN "lacuna-frame"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "lacuna-frame.h"
#include "lacuna-frame-private.h"

typedef enum
{
  VOI_LINEAR,
  VOI_LINEAR_EXACT,
  VOI_SIGMOID,
} VoiFunction;

typedef struct
{
  double  center;
  double  width;
  char   *explanation;
} Window;

struct _LacunaFrame
{
  GObject               parent_instance;

  guint                 index;
  guint                 width;
  guint                 height;
  LacunaDicomPixelInfo  info;
  char                  photometric[24];
  GBytes               *stored;
  gboolean              is_color;
  gboolean              has_groups;     /* (5200,9229) or (5200,9230) items */

  LacunaFrameLayout     layout;

  /* Grey. */
  double                slope;
  double                intercept;
  LacunaFrameLut       *modality_lut;   /* NULL: rescale */
  GArray               *windows;        /* of Window */
  GPtrArray            *voi_luts;       /* of LacunaFrameLut */
  VoiFunction           voi_function;
  gboolean              has_padding;
  gint64                padding_lo;     /* stored values (signed domain) */
  gint64                padding_hi;
  gboolean              invert;
  double                value_min;
  double                value_max;
  gint64                stored_min;     /* over all pixels, padding included */
  gint64                stored_max;
  gint64                value_stored_min;  /* over the pixels that are not padding */
  gint64                value_stored_max;  /* (min > max when every pixel is) */

  /* The table of _lacuna_frame_text_prepare(). */
  GBytes               *text_table;

  /* Colour: the frame as 8-bit RGB. */
  guint8               *rgb;

  /* Render table cache. */
  GMutex                lock;
  GBytes               *table;
  double                table_center;
  double                table_width;
  gboolean              table_use_lut;
};

G_DEFINE_FINAL_TYPE (LacunaFrame, lacuna_frame, G_TYPE_OBJECT)

static void
window_clear (gpointer data)
{
  Window *w = data;

  g_clear_pointer (&w->explanation, g_free);
}

static void
lacuna_frame_finalize (GObject *object)
{
  LacunaFrame *self = LACUNA_FRAME (object);

  g_clear_pointer (&self->stored, g_bytes_unref);
  g_clear_pointer (&self->modality_lut, _lacuna_frame_lut_free);
  g_clear_pointer (&self->windows, g_array_unref);
  g_clear_pointer (&self->voi_luts, g_ptr_array_unref);
  g_clear_pointer (&self->rgb, g_free);
  g_clear_pointer (&self->table, g_bytes_unref);
  g_clear_pointer (&self->text_table, g_bytes_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (lacuna_frame_parent_class)->finalize (object);
}

static void
lacuna_frame_class_init (LacunaFrameClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lacuna_frame_finalize;
}

static void
lacuna_frame_init (LacunaFrame *self)
{
  g_mutex_init (&self->lock);
  self->slope = 1.0;
  self->intercept = 0.0;
  self->windows = g_array_new (FALSE, TRUE, sizeof (Window));
  g_array_set_clear_func (self->windows, window_clear);
  self->voi_luts = g_ptr_array_new_with_free_func (_lacuna_frame_lut_free);
}

/* ---------------------------------------------------------------------------------------- */
/* Stored values                                                                            */

static inline guint64
raw_sample (LacunaFrame  *self,
            const guint8 *data,
            gsize         i)
{
  return _lacuna_frame_raw_sample (&self->layout, data, i);
}

static inline gint64
stored_of_raw (LacunaFrame *self,
               guint64      raw)
{
  return _lacuna_frame_stored_of_raw (&self->layout, raw);
}

static inline gboolean
is_padding (LacunaFrame *self,
            gint64       sv)
{
  return self->has_padding && sv >= self->padding_lo && sv <= self->padding_hi;
}

/* ---------------------------------------------------------------------------------------- */
/* Reading attributes                                                                       */

static char *
dup_string (LacunaDicomFile *file,
            const char      *path)
{
  if (path == NULL)
    return NULL;
  return lacuna_dicom_file_dup_string (file, path, NULL);
}

/* Enhanced multi-frame objects keep per-frame attributes in functional groups: the
 * Per-frame (5200,9230) item of this frame, then the Shared (5200,9229) item, each with a
 * macro sequence (e.g. (0028,9145) Pixel Value Transformation) holding the attribute.
 * Returns the path where attr is present, or NULL. */
static char *
find_frame_attribute (LacunaFrame     *self,
                      LacunaDicomFile *file,
                      const char      *macro,
                      const char      *attr)
{
  g_autofree char *per_frame = NULL;
  g_autofree char *shared = NULL;
  guint frame = self->index;

  /* (Without functional groups, only the top level can hold it.) */
  if (macro != NULL && self->has_groups)
    {
      per_frame = g_strdup_printf ("52009230/%u/%s/0/%s", frame, macro, attr);
      if (lacuna_dicom_file_has (file, per_frame))
        return g_steal_pointer (&per_frame);
      shared = g_strdup_printf ("52009229/0/%s/0/%s", macro, attr);
      if (lacuna_dicom_file_has (file, shared))
        return g_steal_pointer (&shared);
    }
  if (lacuna_dicom_file_has (file, attr))
    return g_strdup (attr);
  return NULL;
}

/* The item holding a macro sequence: "52009230/<frame>/<macro>/0", shared, or NULL for
 * the top level when the macro is absent. */
static char *
find_frame_macro (LacunaFrame     *self,
                  LacunaDicomFile *file,
                  const char      *macro)
{
  g_autofree char *per_frame = g_strdup_printf ("52009230/%u/%s", self->index, macro);
  g_autofree char *shared = g_strdup_printf ("52009229/0/%s", macro);

  if (!self->has_groups)
    return g_strdup ("");
  if (lacuna_dicom_file_count_items (file, per_frame) > 0)
    return g_strdup_printf ("%s/0/", per_frame);
  if (lacuna_dicom_file_count_items (file, shared) > 0)
    return g_strdup_printf ("%s/0/", shared);
  return g_strdup ("");
}

static void
read_windows (LacunaFrame     *self,
              LacunaDicomFile *file)
{
  g_autofree char *center_path = find_frame_attribute (self, file, "00289132", "00281050");
  g_autofree char *width_path = find_frame_attribute (self, file, "00289132", "00281051");
  g_autofree char *expl_path = find_frame_attribute (self, file, "00289132", "00281055");
  g_autofree char *func_path = find_frame_attribute (self, file, "00289132", "00281056");
  g_autofree char *explanations = dup_string (file, expl_path);
  g_autofree char *function = dup_string (file, func_path);
  g_auto(GStrv) expl = explanations != NULL ? g_strsplit (explanations, "\\", -1) : NULL;
  guint n_expl = expl != NULL ? g_strv_length (expl) : 0;

  for (guint i = 0; i < 64; i++)
    {
      Window w = { 0, };

      if (!_lacuna_frame_get_number (file, center_path, i, &w.center) ||
          !_lacuna_frame_get_number (file, width_path, i, &w.width))
        break;
      if (i < n_expl)
        w.explanation = g_strdup (g_strstrip (expl[i]));
      g_array_append_val (self->windows, w);
    }

  if (function != NULL)
    {
      g_strstrip (function);
      if (g_ascii_strcasecmp (function, "LINEAR_EXACT") == 0)
        self->voi_function = VOI_LINEAR_EXACT;
      else if (g_ascii_strcasecmp (function, "SIGMOID") == 0)
        self->voi_function = VOI_SIGMOID;
    }
}

static gboolean
read_grey_attributes (LacunaFrame      *self,
                      LacunaDicomFile  *file,
                      GError          **error)
{
  g_autofree char *slope_path = find_frame_attribute (self, file, "00289145", "00281053");
  g_autofree char *icept_path = find_frame_attribute (self, file, "00289145", "00281052");
  g_autofree char *shape = dup_string (file, "20500020");
  guint n_voi;
  double pad;

  if (lacuna_dicom_file_count_items (file, "00283000") > 0)
    {
      self->modality_lut = _lacuna_frame_lut_read (file, "00283000/0/", "00283002", "00283006",
                                                   "00283003", self->layout.is_signed,
                                                   _("Modality LUT Sequence (0028,3000)"), error);
      if (self->modality_lut == NULL)
        return FALSE;
    }
  else
    {
      double slope = 1.0, intercept = 0.0;

      if (_lacuna_frame_get_number (file, slope_path, 0, &slope) && slope != 0.0)
        self->slope = slope;
      if (_lacuna_frame_get_number (file, icept_path, 0, &intercept))
        self->intercept = intercept;
    }

  read_windows (self, file);

  /* VOI LUT Sequence: in the frame's Frame VOI LUT macro, or at the top level. */
  {
    g_autofree char *macro = find_frame_macro (self, file, "00289132");
    g_autofree char *seq = g_strconcat (macro, "00283010", NULL);

    n_voi = lacuna_dicom_file_count_items (file, seq);
    for (guint i = 0; i < n_voi && i < 16; i++)
      {
        g_autofree char *item = g_strdup_printf ("%s/%u/", seq, i);
        g_autoptr(GError) local_error = NULL;
        /* The VOI LUT maps modality values: a first value read as US above 32767 is
         * negative when those values can be (signed pixels, a negative intercept). */
        LacunaFrameLut *lut;

        lut = _lacuna_frame_lut_read (file, item, "00283002", "00283006", "00283003",
                                      self->layout.is_signed ||
                                      (self->modality_lut == NULL && self->intercept < 0),
                                      _("VOI LUT Sequence (0028,3010)"), &local_error);

        /* A broken VOI LUT is not fatal: the window (or the value range) still works. */
        if (lut != NULL)
          g_ptr_array_add (self->voi_luts, lut);
        else
          g_debug ("Ignoring VOI LUT %u: %s", i, local_error->message);
      }
  }

  /* Pixel Padding Value and Range Limit have the VR of the pixels (US or SS); a value
   * written with the other VR still means the same bit pattern. */
  if (_lacuna_frame_get_number (file, "00280120", 0, &pad))
    {
      double limit;
      gint64 lo = stored_of_raw (self, (guint64) (gint64) pad & self->layout.mask);
      gint64 hi = lo;

      if (_lacuna_frame_get_number (file, "00280121", 0, &limit))
        {
          gint64 l = stored_of_raw (self, (guint64) (gint64) limit & self->layout.mask);

          lo = MIN (lo, l);
          hi = MAX (hi, l);
        }
      self->has_padding = TRUE;
      self->padding_lo = lo;
      self->padding_hi = hi;
    }

  self->invert = g_strcmp0 (self->photometric, "MONOCHROME1") == 0;
  if (shape != NULL && g_ascii_strcasecmp (g_strstrip (shape), "INVERSE") == 0)
    self->invert = TRUE;

  return TRUE;
}

/* ---------------------------------------------------------------------------------------- */
/* Grey values                                                                              */

static inline double
modality_of_stored (LacunaFrame *self,
                    gint64       sv)
{
  if (self->modality_lut != NULL)
    return _lacuna_frame_lut_lookup (self->modality_lut, (double) sv);
  return self->slope * (double) sv + self->intercept;
}

/* The range of n 16-bit samples (signed, or unsigned when is_unsigned): r[0], r[1] over
 * all of them, r[2], r[3] over those outside [pad_lo, pad_hi] when pad (r[2] > r[3] when
 * none is); the raw 16 bits of each result, to be read with the data's signedness. On
 * vectors of sixteen, through the compiler's generic vector types (GCC, Clang): unsigned
 * data is compared as signed after flipping its top bit. Built for AVX2 as well, chosen
 * when the processor has it (one 256-bit register a vector instead of two). */
typedef gint16 LacunaVec16 __attribute__ ((vector_size (32)));

#define LACUNA_VEC16_LANES 16
#define LACUNA_VEC16_SPLAT(x) { x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x }

/* Lane by lane (macros: a function returning a 32-byte vector has another ABI with AVX). */
#define LACUNA_VEC16_MIN(a, b) \
  ({ LacunaVec16 a_ = (a), b_ = (b), m_ = a_ < b_; (a_ & m_) | (b_ & ~m_); })
#define LACUNA_VEC16_MAX(a, b) \
  ({ LacunaVec16 a_ = (a), b_ = (b), m_ = a_ > b_; (a_ & m_) | (b_ & ~m_); })

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && LACUNA_HAVE_IFUNC
#define LACUNA_PIXEL_LOOP __attribute__ ((target_clones ("avx2", "default")))
#else
#define LACUNA_PIXEL_LOOP
#endif

LACUNA_PIXEL_LOOP static void
range16 (const guint8 *data,
         gsize         n,
         gboolean      is_unsigned,
         gboolean      pad,
         guint16       pad_lo,
         guint16       pad_hi,
         gint16        r[4])
{
  gint16 f = is_unsigned ? G_MININT16 : 0;
  gint16 pl = pad ? (gint16) (pad_lo ^ (guint16) f) : G_MAXINT16;
  gint16 ph = pad ? (gint16) (pad_hi ^ (guint16) f) : G_MININT16;
  LacunaVec16 flip = LACUNA_VEC16_SPLAT (f);
  LacunaVec16 top = LACUNA_VEC16_SPLAT (G_MAXINT16);
  LacunaVec16 bottom = ~top;
  LacunaVec16 plv = LACUNA_VEC16_SPLAT (pl);
  LacunaVec16 phv = LACUNA_VEC16_SPLAT (ph);
  LacunaVec16 a_lo = top, a_hi = bottom, v_lo = top, v_hi = bottom;
  gsize i = 0;

  for (; i + LACUNA_VEC16_LANES <= n; i += LACUNA_VEC16_LANES)
    {
      LacunaVec16 v, m;

      memcpy (&v, data + 2 * i, sizeof v);
      v ^= flip;
      m = (v >= plv) & (v <= phv);
      a_lo = LACUNA_VEC16_MIN (a_lo, v);
      a_hi = LACUNA_VEC16_MAX (a_hi, v);
      v_lo = LACUNA_VEC16_MIN (v_lo, (v & ~m) | (top & m));
      v_hi = LACUNA_VEC16_MAX (v_hi, (v & ~m) | (bottom & m));
    }
  r[0] = G_MAXINT16, r[1] = G_MININT16, r[2] = G_MAXINT16, r[3] = G_MININT16;
  for (guint k = 0; k < LACUNA_VEC16_LANES; k++)
    {
      r[0] = MIN (r[0], a_lo[k]);
      r[1] = MAX (r[1], a_hi[k]);
      r[2] = MIN (r[2], v_lo[k]);
      r[3] = MAX (r[3], v_hi[k]);
    }
  for (; i < n; i++)
    {
      gint16 v;
      gboolean is_pad;

      memcpy (&v, data + 2 * i, sizeof v);
      v ^= f;
      is_pad = v >= pl && v <= ph;
      r[0] = MIN (r[0], v);
      r[1] = MAX (r[1], v);
      if (!is_pad)
        r[2] = MIN (r[2], v), r[3] = MAX (r[3], v);
    }
  for (guint k = 0; k < 4; k++)
    r[k] ^= f;
}

static void
compute_value_range (LacunaFrame *self)
{
  const guint8 *data = g_bytes_get_data (self->stored, NULL);
  const LacunaFrameLayout layout = self->layout;
  gsize n = (gsize) self->width * self->height;
  gboolean has_padding = self->has_padding;
  gint64 pad_lo = self->padding_lo, pad_hi = self->padding_hi;
  gint64 all_min = G_MAXINT64, all_max = G_MININT64;
  gint64 smin = G_MAXINT64, smax = G_MININT64;
  double vmin = G_MAXDOUBLE, vmax = -G_MAXDOUBLE;
  gboolean any = FALSE;

  /* Locals, not fields: the loop runs over every pixel of every decoded frame, and stores
   * through self on each iteration would keep the compiler from using registers. */
  if (layout.sample_bytes == 2 && layout.shift == 0 && layout.mask == 0xFFFF)
    {
      /* The common case (16 bits stored): plain 16-bit compares. */
      gint64 lo_all = G_MAXINT64, hi_all = G_MININT64, lo = G_MAXINT64, hi = G_MININT64;
      gint16 r[4];
      gboolean pad = has_padding;
      gint64 plo = pad_lo, phi = pad_hi;

      /* Padding outside the 16-bit range of the data's signedness can never match. */
      if (layout.is_signed)
        plo = MAX (plo, G_MININT16), phi = MIN (phi, G_MAXINT16);
      else
        plo = MAX (plo, 0), phi = MIN (phi, G_MAXUINT16);
      pad = pad && plo <= phi;
      range16 (data, n, !layout.is_signed, pad, pad ? (guint16) plo : 0,
               pad ? (guint16) phi : 0, r);
      if (n > 0)
        {
          lo_all = layout.is_signed ? r[0] : (guint16) r[0];
          hi_all = layout.is_signed ? r[1] : (guint16) r[1];
        }
      /* Some value was not padding exactly when that range is not empty. */
      if (layout.is_signed ? r[2] <= r[3] : (guint16) r[2] <= (guint16) r[3])
        {
          lo = layout.is_signed ? r[2] : (guint16) r[2];
          hi = layout.is_signed ? r[3] : (guint16) r[3];
        }

      all_min = lo_all;
      all_max = hi_all;
      smin = lo;
      smax = hi;
    }
  else for (gsize i = 0; i < n; i++)
    {
      gint64 sv = _lacuna_frame_stored_of_raw (&layout, _lacuna_frame_raw_sample (&layout, data, i));

      all_min = MIN (all_min, sv);
      all_max = MAX (all_max, sv);
      if (has_padding && sv >= pad_lo && sv <= pad_hi)
        continue;
      smin = MIN (smin, sv);
      smax = MAX (smax, sv);
    }
  self->stored_min = all_min;
  self->stored_max = all_max;
  self->value_stored_min = smin;
  self->value_stored_max = smax;
  any = smin <= smax;

  if (any && self->modality_lut != NULL && smax - smin <= 65536)
    {
      /* A LUT need not be monotonic: look up every stored value in [smin, smax] once
       * rather than once per pixel. */
      for (gint64 sv = smin; sv <= smax; sv++)
        {
          double v;

          if (has_padding && sv >= pad_lo && sv <= pad_hi)
            continue;
          v = modality_of_stored (self, sv);
          vmin = MIN (vmin, v);
          vmax = MAX (vmax, v);
        }
    }
  else if (any && self->modality_lut != NULL)
    {
      for (gsize i = 0; i < n; i++)
        {
          gint64 sv = _lacuna_frame_stored_of_raw (&layout,
                                                   _lacuna_frame_raw_sample (&layout, data, i));
          double v;

          if (has_padding && sv >= pad_lo && sv <= pad_hi)
            continue;
          v = modality_of_stored (self, sv);
          vmin = MIN (vmin, v);
          vmax = MAX (vmax, v);
        }
    }
  else if (any)
    {
      double a = modality_of_stored (self, smin);
      double b = modality_of_stored (self, smax);

      vmin = MIN (a, b);
      vmax = MAX (a, b);
    }
  if (any)
    {
      self->value_min = vmin;
      self->value_max = vmax;
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Decoding                                                                                 */

static gboolean
setup_layout (LacunaFrame  *self,
              GError      **error)
{
  const LacunaDicomPixelInfo *info = &self->info;
  guint allocated = info->bits_allocated <= 1 ? 8 : info->bits_allocated;
  guint stored = info->bits_stored;
  gsize expected;

  if (allocated != 8 && allocated != 16 && allocated != 32)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED,
                   _("Bits Allocated (0028,0100) of %u is not supported for display"),
                   info->bits_allocated);
      return FALSE;
    }
  if (stored == 0 || stored > allocated)
    stored = allocated;
  self->layout.sample_bytes = allocated / 8;
  self->layout.bits_stored = stored;
  self->layout.shift = 0;
  if (info->high_bit + 1 > stored && info->high_bit < allocated)
    self->layout.shift = info->high_bit + 1 - stored;
  self->layout.mask = stored >= 64 ? G_MAXUINT64 : (G_GUINT64_CONSTANT (1) << stored) - 1;
  self->layout.is_signed = info->is_signed;
  self->layout.width = self->width;
  self->layout.height = self->height;
  self->layout.samples = info->samples_per_pixel;

  if (self->width == 0 || self->height == 0 || info->samples_per_pixel == 0)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_NO_PIXELS,
                   _("The image has no rows or columns"));
      return FALSE;
    }
  expected = (gsize) self->width * self->height * info->samples_per_pixel *
             self->layout.sample_bytes;
  /* 4:2:2 data left subsampled is 2/3 of that; the colour conversion checks it. */
  if (g_bytes_get_size (self->stored) < expected &&
      !(info->samples_per_pixel == 3 &&
        g_bytes_get_size (self->stored) >= expected / 3 * 2 &&
        g_str_has_suffix (self->photometric, "_422")))
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_DECODE,
                   _("The decoded frame is shorter than its dimensions say"));
      return FALSE;
    }
  return TRUE;
}

/* The frame's stored samples: native (borrowed) when given, else decoded. */
static LacunaFrame *
decode_with_info (LacunaDicomFile             *file,
                  guint                        frame,
                  const LacunaDicomPixelInfo  *info,
                  const guint8                *native,
                  gsize                        native_size,
                  GError                     **error)
{
  g_autoptr(LacunaFrame) self = NULL;

  self = g_object_new (LACUNA_TYPE_FRAME, NULL);
  self->index = frame;
  self->info = *info;
  if (frame >= self->info.n_frames)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID,
                   _("Frame %u does not exist: the image has %u frames"),
                   frame + 1, self->info.n_frames);
      return NULL;
    }
  self->width = self->info.columns;
  self->height = self->info.rows;

  if (native != NULL)
    {
      /* What decode_frame would return, where the file holds it (no copy). */
      self->stored = g_bytes_new_static (native, native_size);
      g_strlcpy (self->photometric, self->info.photometric, sizeof self->photometric);
    }
  else
    self->stored = lacuna_dicom_file_decode_frame (file, frame, self->photometric, error);
  if (self->stored == NULL)
    return NULL;
  self->photometric[sizeof self->photometric - 1] = '\0';
  if (self->photometric[0] == '\0')
    g_strlcpy (self->photometric, self->info.photometric, sizeof self->photometric);

  if (!setup_layout (self, error))
    return NULL;

  if (_lacuna_frame_is_color_photometric (self->photometric))
    {
      self->is_color = TRUE;
      self->rgb = _lacuna_frame_convert_color (&self->layout, self->stored, self->photometric,
                                               file, error);
      if (self->rgb == NULL)
        return NULL;
      return g_steal_pointer (&self);
    }

  if (g_strcmp0 (self->photometric, "MONOCHROME1") != 0 &&
      g_strcmp0 (self->photometric, "MONOCHROME2") != 0)
    {
      /* ACR-NEMA files may lack it: one sample means grey. */
      if (self->photometric[0] != '\0' || self->info.samples_per_pixel != 1)
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED,
                       _("Photometric Interpretation (0028,0004) is not one that can be "
                         "displayed"));
          return NULL;
        }
      g_strlcpy (self->photometric, "MONOCHROME2", sizeof self->photometric);
    }
  if (self->info.samples_per_pixel != 1)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED,
                   _("A monochrome image needs one sample per pixel (0028,0002)"));
      return NULL;
    }

  self->has_groups = lacuna_dicom_file_count_items (file, "52009230") > 0 ||
                     lacuna_dicom_file_count_items (file, "52009229") > 0;
  if (!read_grey_attributes (self, file, error))
    return NULL;
  compute_value_range (self);

  return g_steal_pointer (&self);
}

LacunaFrame *
lacuna_frame_decode (LacunaDicomFile  *file,
                     guint             frame,
                     GError          **error)
{
  LacunaDicomPixelInfo info;

  g_return_val_if_fail (file != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!lacuna_dicom_file_get_pixel_info (file, &info, error))
    return NULL;
  return decode_with_info (file, frame, &info, NULL, 0, error);
}

LacunaFrame *
_lacuna_frame_decode_with_info (LacunaDicomFile             *file,
                                guint                        frame,
                                const LacunaDicomPixelInfo  *info,
                                const guint8                *native,
                                gsize                        native_size,
                                GError                     **error)
{
  g_return_val_if_fail (file != NULL, NULL);
  g_return_val_if_fail (info != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return decode_with_info (file, frame, info, native, native_size, error);
}

/* ---------------------------------------------------------------------------------------- */
/* Getters                                                                                  */

guint
lacuna_frame_get_width (LacunaFrame *self)
{
  g_return_val_if_fail (LACUNA_IS_FRAME (self), 0);
  return self->width;
}

guint
lacuna_frame_get_height (LacunaFrame *self)
{
  g_return_val_if_fail (LACUNA_IS_FRAME (self), 0);
  return self->height;
}

guint
lacuna_frame_get_index (LacunaFrame *self)
{
  g_return_val_if_fail (LACUNA_IS_FRAME (self), 0);
  return self->index;
}

gboolean
lacuna_frame_is_color (LacunaFrame *self)
{
  g_return_val_if_fail (LACUNA_IS_FRAME (self), FALSE);
  return self->is_color;
}

GBytes *
lacuna_frame_get_stored (LacunaFrame *self)
{
  g_return_val_if_fail (LACUNA_IS_FRAME (self), NULL);
  return self->stored;
}

const LacunaDicomPixelInfo *
lacuna_frame_get_info (LacunaFrame *self)
{
  g_return_val_if_fail (LACUNA_IS_FRAME (self), NULL);
  return &self->info;
}

const char *
lacuna_frame_get_photometric (LacunaFrame *self)
{
  g_return_val_if_fail (LACUNA_IS_FRAME (self), NULL);
  return self->photometric;
}

static inline guint8
luminance (const guint8 *rgb)
{
  return (guint8) ((299 * rgb[0] + 587 * rgb[1] + 114 * rgb[2] + 500) / 1000);
}

double
lacuna_frame_get_value (LacunaFrame *self,
                        guint        x,
                        guint        y)
{
  gsize i;

  g_return_val_if_fail (LACUNA_IS_FRAME (self), 0.0);
  g_return_val_if_fail (x < self->width && y < self->height, 0.0);

  i = (gsize) y * self->width + x;
  if (self->is_color)
    return luminance (self->rgb + i * 3);
  return modality_of_stored (self, stored_of_raw (self,
                                                  raw_sample (self,
                                                              g_bytes_get_data (self->stored, NULL),
                                                              i)));
}

gboolean
lacuna_frame_is_padding (LacunaFrame *self,
                         guint        x,
                         guint        y)
{
  gsize i;

  g_return_val_if_fail (LACUNA_IS_FRAME (self), FALSE);
  g_return_val_if_fail (x < self->width && y < self->height, FALSE);

  if (self->is_color || !self->has_padding)
    return FALSE;
  i = (gsize) y * self->width + x;
  return is_padding (self, stored_of_raw (self,
                                          raw_sample (self, g_bytes_get_data (self->stored, NULL),
                                                      i)));
}

void
lacuna_frame_get_value_range (LacunaFrame *self,
                              double      *out_min,
                              double      *out_max)
{
  g_return_if_fail (LACUNA_IS_FRAME (self));

  if (self->is_color)
    {
      if (out_min != NULL)
        *out_min = 0;
      if (out_max != NULL)
        *out_max = 255;
      return;
    }
  if (out_min != NULL)
    *out_min = self->value_min;
  if (out_max != NULL)
    *out_max = self->value_max;
}

static const Window *
first_valid_window (LacunaFrame *self)
{
  if (self->windows->len > 0)
    {
      const Window *w = &g_array_index (self->windows, Window, 0);

      if (w->width > 0 && (self->voi_function != VOI_LINEAR || w->width >= 1))
        return w;
    }
  return NULL;
}

void
lacuna_frame_get_default_window (LacunaFrame *self,
                                 double      *out_center,
                                 double      *out_width,
                                 gboolean    *out_uses_lut)
{
  const Window *w;
  double center, width;
  gboolean uses_lut = FALSE;

  g_return_if_fail (LACUNA_IS_FRAME (self));

  if (self->is_color)
    {
      center = 128;
      width = 256;
    }
  else if ((w = first_valid_window (self)) != NULL)
    {
      center = w->center;
      width = w->width;
    }
  else
    {
      /* The range of values, as DCMTK's min-max window: [min, max] onto [0, 255]. */
      center = (self->value_min + self->value_max + 1) / 2;
      width = self->value_max - self->value_min + 1;
      uses_lut = self->voi_luts->len > 0;
    }

  if (out_center != NULL)
    *out_center = center;
  if (out_width != NULL)
    *out_width = width;
  if (out_uses_lut != NULL)
    *out_uses_lut = uses_lut;
}

guint
lacuna_frame_get_n_windows (LacunaFrame *self)
{
  g_return_val_if_fail (LACUNA_IS_FRAME (self), 0);
  return self->windows->len;
}

gboolean
lacuna_frame_get_window (LacunaFrame  *self,
                         guint         index,
                         double       *out_center,
                         double       *out_width,
                         const char  **out_explanation)
{
  const Window *w;

  g_return_val_if_fail (LACUNA_IS_FRAME (self), FALSE);

  if (index >= self->windows->len)
    return FALSE;
  w = &g_array_index (self->windows, Window, index);
  if (out_center != NULL)
    *out_center = w->center;
  if (out_width != NULL)
    *out_width = w->width;
  if (out_explanation != NULL)
    *out_explanation = w->explanation;
  return TRUE;
}

guint
lacuna_frame_get_n_voi_luts (LacunaFrame *self)
{
  g_return_val_if_fail (LACUNA_IS_FRAME (self), 0);
  return self->voi_luts->len;
}

const char *
lacuna_frame_get_voi_lut_explanation (LacunaFrame *self,
                                      guint        index)
{
  g_return_val_if_fail (LACUNA_IS_FRAME (self), NULL);

  if (index >= self->voi_luts->len)
    return NULL;
  return ((LacunaFrameLut *) g_ptr_array_index (self->voi_luts, index))->explanation;
}

const char *
lacuna_frame_get_voi_function (LacunaFrame *self)
{
  g_return_val_if_fail (LACUNA_IS_FRAME (self), NULL);

  switch (self->voi_function)
    {
    case VOI_LINEAR_EXACT:
      return "LINEAR_EXACT";
    case VOI_SIGMOID:
      return "SIGMOID";
    case VOI_LINEAR:
    default:
      return "LINEAR";
    }
}

gboolean
lacuna_frame_get_rescale (LacunaFrame *self,
                          double      *out_slope,
                          double      *out_intercept)
{
  g_return_val_if_fail (LACUNA_IS_FRAME (self), FALSE);

  if (out_slope != NULL)
    *out_slope = self->slope;
  if (out_intercept != NULL)
    *out_intercept = self->intercept;
  return !self->is_color && self->modality_lut == NULL;
}

gboolean
lacuna_frame_is_inverted (LacunaFrame *self)
{
  g_return_val_if_fail (LACUNA_IS_FRAME (self), FALSE);
  return self->invert;
}

/* ---------------------------------------------------------------------------------------- */
/* Rendering                                                                                */

static const LacunaFrameLut *
first_voi_lut (LacunaFrame *self,
               gboolean     use_lut)
{
  if (use_lut && self->voi_luts->len > 0)
    return g_ptr_array_index (self->voi_luts, 0);
  return NULL;
}

/* Display value in [0, 255] of modality value x (before inversion). */
static inline double
voi_apply (LacunaFrame          *self,
           double                x,
           double                center,
           double                width,
           const LacunaFrameLut *voi_lut)
{
  if (voi_lut != NULL)
    {
      double max = ldexp (1.0, (int) voi_lut->bits) - 1.0;
      return _lacuna_frame_lut_lookup (voi_lut, x) * 255.0 / max;
    }

  switch (self->voi_function)
    {
    case VOI_SIGMOID:
      if (width <= 0)
        width = 1;
      return 255.0 / (1.0 + exp (-4.0 * (x - center) / width));

    case VOI_LINEAR_EXACT:
      /* PS3.3 C.11.2.1.3.2 */
      if (width <= 0)
        width = 1;
      if (x <= center - width / 2)
        return 0.0;
      if (x > center + width / 2)
        return 255.0;
      return ((x - center) / width + 0.5) * 255.0;

    case VOI_LINEAR:
    default:
      /* PS3.3 C.11.2.1.2.1 */
      if (width < 1)
        width = 1;
      if (x <= center - 0.5 - (width - 1) / 2)
        return 0.0;
      if (x > center - 0.5 + (width - 1) / 2)
        return 255.0;
      if (width == 1)
        return 255.0;
      return ((x - (center - 0.5)) / (width - 1) + 0.5) * 255.0;
    }
}

static inline guint8
display_of_stored (LacunaFrame          *self,
                   gint64                sv,
                   double                center,
                   double                width,
                   const LacunaFrameLut *voi_lut)
{
  guint8 v;

  if (is_padding (self, sv))
    return 0;
  v = _lacuna_frame_clamp8 (voi_apply (self, modality_of_stored (self, sv), center, width,
                                       voi_lut));
  return self->invert ? 255 - v : v;
}

guint8
_lacuna_frame_display_value (LacunaFrame *self,
                             double       modality_value,
                             double       center,
                             double       width,
                             gboolean     use_lut)
{
  const LacunaFrameLut *voi_lut = first_voi_lut (self, use_lut);
  guint8 v = _lacuna_frame_clamp8 (voi_apply (self, modality_value, center, width, voi_lut));

  return self->invert ? 255 - v : v;
}

/* The LINEAR window on rescaled values: display_of_stored() with what does not depend on
 * the value computed once. Every operation on the value is the same, in the same order, so
 * the bytes are the same. */
typedef struct
{
  double lo, hi, c, wm1, w;
  double slope, intercept;
  guint8 flip;
} LinearDisplay;

static inline guint8
linear_display (const LinearDisplay *l,
                gint64               sv)
{
  double x = l->slope * (double) sv + l->intercept;
  double v;

  if (x <= l->lo)
    v = 0.0;
  else if (x > l->hi || l->w == 1)
    v = 255.0;
  else
    v = ((x - l->c) / l->wm1 + 0.5) * 255.0;
  return _lacuna_frame_clamp8 (v) ^ l->flip;
}

static void
linear_display_init (LacunaFrame   *self,
                     double         center,
                     double         width,
                     LinearDisplay *l)
{
  l->w = width < 1 ? 1 : width;
  l->lo = center - 0.5 - (l->w - 1) / 2;
  l->hi = center - 0.5 + (l->w - 1) / 2;
  l->c = center - 0.5;
  l->wm1 = l->w - 1;
  l->slope = self->slope;
  l->intercept = self->intercept;
  l->flip = self->invert ? 255 : 0;
}

/* t[masked stored value] = v for the stored values from a to b. */
static void
fill_run (guint8  *t,
          guint64  mask,
          gint64   a,
          gint64   b,
          guint8   v)
{
  if (a < 0 && b >= 0)
    {
      fill_run (t, mask, a, -1, v);
      a = 0;
    }
  memset (t + ((guint64) a & mask), v, (gsize) (b - a + 1));
}

/* t[masked stored value] = its display byte, for the stored values from stored_min to
 * stored_max. */
static void
fill_table (LacunaFrame          *self,
            guint8               *t,
            double                center,
            double                width,
            const LacunaFrameLut *voi_lut)
{
  guint64 mask = self->layout.mask;
  gint64 smin = self->stored_min, smax = self->stored_max;

  if (self->modality_lut == NULL && voi_lut == NULL && self->voi_function == VOI_LINEAR &&
      isfinite (center) && isfinite (width) && isfinite (self->slope) &&
      isfinite (self->intercept) && self->layout.bits_stored <= 32)
    {
      LinearDisplay l;

      linear_display_init (self, center, width, &l);

      /* Each step of linear_display() (a product by a constant, sums, a quotient by a
       * positive constant, the clamps, the rounding) is monotonic in the value, so the
       * stored values giving one byte form a run: its end is found by galloping and
       * bisection (a few evaluations a grey level instead of one a stored value). */
      for (gint64 sv = smin, guess = 1; sv <= smax; )
        {
          guint8 v = linear_display (&l, sv);
          gint64 end = sv, step = 1, past = 0;
          gboolean bounded = FALSE;

          /* Runs of a linear window are about as long as the one before: try its length. */
          if (guess > 1 && guess - 1 <= smax - sv)
            {
              if (linear_display (&l, sv + guess - 1) == v)
                end = sv + guess - 1;
              else
                {
                  past = sv + guess - 1;
                  bounded = TRUE;
                }
            }
          if (!bounded)
            {
              while (step <= smax - end && linear_display (&l, end + step) == v)
                {
                  end += step;
                  step *= 2;
                }
              past = step <= smax - end ? end + step : smax + 1;
            }
          /* linear_display (end) is v; past is the first value known not to be (or past
           * smax). */
          while (past - end > 1)
            {
              gint64 mid = end + (past - end) / 2;

              if (linear_display (&l, mid) == v)
                end = mid;
              else
                past = mid;
            }
          fill_run (t, mask, sv, end, v);
          guess = end - sv + 1;
          sv = end + 1;
        }
      if (self->has_padding)
        for (gint64 sv = MAX (self->padding_lo, smin); sv <= MIN (self->padding_hi, smax); sv++)
          t[(guint64) sv & mask] = 0;
      return;
    }

  for (gint64 sv = smin; sv <= smax; sv++)
    t[(guint64) sv & mask] = display_of_stored (self, sv, center, width, voi_lut);
}

/* The table from masked stored value (0 .. 2^bits_stored - 1) to display byte. */
static GBytes *
dup_table (LacunaFrame *self,
           double       center,
           double       width,
           gboolean     use_lut)
{
  const LacunaFrameLut *voi_lut = first_voi_lut (self, use_lut);
  GBytes *table;
  guint8 *t;
  gsize n;

  g_mutex_lock (&self->lock);
  if (self->table != NULL && self->table_center == center && self->table_width == width &&
      self->table_use_lut == !!use_lut)
    {
      table = g_bytes_ref (self->table);
      g_mutex_unlock (&self->lock);
      return table;
    }
  g_mutex_unlock (&self->lock);

  /* Only the stored values present in the frame are ever looked up. */
  n = (gsize) 1 << self->layout.bits_stored;
  t = g_malloc0 (n);
  fill_table (self, t, center, width, voi_lut);
  table = g_bytes_new_take (t, n);

  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->table, g_bytes_unref);
  self->table = g_bytes_ref (table);
  self->table_center = center;
  self->table_width = width;
  self->table_use_lut = !!use_lut;
  g_mutex_unlock (&self->lock);

  return table;
}

#define XRGB(r, g, b) (0xff000000u | ((guint32) (r) << 16) | ((guint32) (g) << 8) | (guint32) (b))

/* One pass from stored values to 32-bit pixels (what cairo and GDK draw without a copy). */
static void
render_xrgb32 (LacunaFrame *self,
               double       center,
               double       width,
               gboolean     use_lut,
               guint8      *out,
               gsize        stride)
{
  const guint8 *data = g_bytes_get_data (self->stored, NULL);
  g_autoptr(GBytes) table = NULL;
  const guint8 *t;
  guint shift = self->layout.shift;
  guint mask = (guint) self->layout.mask;

  if (self->is_color)
    {
      for (guint y = 0; y < self->height; y++)
        {
          const guint8 *src = self->rgb + (gsize) y * self->width * 3;
          guint32 *dst = (guint32 *) (gpointer) (out + (gsize) y * stride);

          for (guint x = 0; x < self->width; x++, src += 3)
            dst[x] = XRGB (src[0], src[1], src[2]);
        }
      return;
    }

  /* More than 16 bits stored: compute each pixel. */
  if (self->layout.bits_stored > 16)
    {
      const LacunaFrameLut *voi_lut = first_voi_lut (self, use_lut);

      for (guint y = 0; y < self->height; y++)
        {
          guint32 *dst = (guint32 *) (gpointer) (out + (gsize) y * stride);

          for (guint x = 0; x < self->width; x++)
            {
              gsize i = (gsize) y * self->width + x;
              guint8 v = display_of_stored (self, stored_of_raw (self, raw_sample (self, data, i)),
                                            center, width, voi_lut);

              dst[x] = XRGB (v, v, v);
            }
        }
      return;
    }

  table = dup_table (self, center, width, use_lut);
  t = g_bytes_get_data (table, NULL);
  for (guint y = 0; y < self->height; y++)
    {
      gsize row = (gsize) y * self->width;
      guint32 *dst = (guint32 *) (gpointer) (out + (gsize) y * stride);

      if (self->layout.sample_bytes == 1)
        {
          const guint8 *src = data + row;

          for (guint x = 0; x < self->width; x++)
            dst[x] = t[(src[x] >> shift) & mask] * 0x010101u | 0xff000000u;
        }
      else if (self->layout.sample_bytes == 2)
        {
          const guint16 *src = (const guint16 *) data + row;

          for (guint x = 0; x < self->width; x++)
            dst[x] = t[(src[x] >> shift) & mask] * 0x010101u | 0xff000000u;
        }
      else
        {
          const guint32 *src = (const guint32 *) data + row;

          for (guint x = 0; x < self->width; x++)
            dst[x] = t[(src[x] >> shift) & mask] * 0x010101u | 0xff000000u;
        }
    }
}

/* dst[x] = t[(src[x] >> shift) & mask] for n pixels, four at a time (the bounds in locals:
 * stores through dst could otherwise alias them, and reloading them costs the loop). */
static void
lookup16 (const guint16 * restrict src,
          guint8        * restrict dst,
          gsize                    n,
          const guint8  * restrict t,
          guint                    shift,
          guint                    mask)
{
  gsize x = 0;

  for (; x + 4 <= n; x += 4)
    {
      guint8 a = t[(src[x] >> shift) & mask];
      guint8 b = t[(src[x + 1] >> shift) & mask];
      guint8 c = t[(src[x + 2] >> shift) & mask];
      guint8 d = t[(src[x + 3] >> shift) & mask];

      dst[x] = a;
      dst[x + 1] = b;
      dst[x + 2] = c;
      dst[x + 3] = d;
    }
  for (; x < n; x++)
    dst[x] = t[(src[x] >> shift) & mask];
}

static void
render (LacunaFrame *self,
        double       center,
        double       width,
        gboolean     use_lut,
        guint8      *out,
        gsize        stride,
        guint        channels)
{
  const guint8 *data = g_bytes_get_data (self->stored, NULL);

  if (channels == 4)
    {
      render_xrgb32 (self, center, width, use_lut, out, stride);
      return;
    }

  if (self->is_color)
    {
      for (guint y = 0; y < self->height; y++)
        {
          const guint8 *src = self->rgb + (gsize) y * self->width * 3;
          guint8 *dst = out + (gsize) y * stride;

          if (channels == 3)
            memcpy (dst, src, (gsize) self->width * 3);
          else
            for (guint x = 0; x < self->width; x++)
              dst[x] = luminance (src + x * 3);
        }
      return;
    }

  /* A table pays when it has fewer entries than the frame has pixels (a small frame with a
   * wide range of values, e.g. noise, is cheaper computed pixel by pixel, below). */
  if (self->layout.bits_stored <= 16 &&
      self->stored_max - self->stored_min < (gint64) self->width * self->height)
    {
      g_autoptr(GBytes) table = dup_table (self, center, width, use_lut);
      const guint8 *t = g_bytes_get_data (table, NULL);
      guint shift = self->layout.shift;
      guint mask = (guint) self->layout.mask;

      for (guint y = 0; y < self->height; y++)
        {
          gsize row = (gsize) y * self->width;
          guint8 *dst = out + (gsize) y * stride;

          if (self->layout.sample_bytes == 1)
            {
              const guint8 *src = data + row;

              if (channels == 1)
                for (guint x = 0; x < self->width; x++)
                  dst[x] = t[(src[x] >> shift) & mask];
              else
                for (guint x = 0; x < self->width; x++, dst += 3)
                  dst[0] = dst[1] = dst[2] = t[(src[x] >> shift) & mask];
            }
          else if (self->layout.sample_bytes == 2)
            {
              const guint16 *src = (const guint16 *) data + row;

              if (channels == 1)
                lookup16 (src, dst, self->width, t, shift, mask);
              else
                for (guint x = 0; x < self->width; x++, dst += 3)
                  dst[0] = dst[1] = dst[2] = t[(src[x] >> shift) & mask];
            }
          else
            {
              const guint32 *src = (const guint32 *) data + row;

              for (guint x = 0; x < self->width; x++)
                {
                  guint8 v = t[(src[x] >> shift) & mask];

                  if (channels == 1)
                    dst[x] = v;
                  else
                    dst[x * 3] = dst[x * 3 + 1] = dst[x * 3 + 2] = v;
                }
            }
        }
      return;
    }

  /* More than 16 bits stored, or fewer pixels than values: compute each pixel. */
  {
    const LacunaFrameLut *voi_lut = first_voi_lut (self, use_lut);

    for (guint y = 0; y < self->height; y++)
      {
        guint8 *dst = out + (gsize) y * stride;

        for (guint x = 0; x < self->width; x++)
          {
            gsize i = (gsize) y * self->width + x;
            guint8 v = display_of_stored (self, stored_of_raw (self, raw_sample (self, data, i)),
                                          center, width, voi_lut);

            if (channels == 1)
              dst[x] = v;
            else
              dst[x * 3] = dst[x * 3 + 1] = dst[x * 3 + 2] = v;
          }
      }
  }
}

void
_lacuna_frame_render_text (LacunaFrame   *self,
                           guint8        *grey,
                           const guint8 **out_rgb)
{
  g_return_if_fail (LACUNA_IS_FRAME (self));
  g_return_if_fail (grey != NULL && out_rgb != NULL);

  *out_rgb = NULL;
  if (self->is_color)
    {
      *out_rgb = self->rgb;
      render (self, 128, 256, FALSE, grey, self->width, 1);
    }
  else if (self->value_max > self->value_min)
    render (self, (self->value_min + self->value_max) / 2.0,
            self->value_max - self->value_min + 1, FALSE, grey, self->width, 1);
  else
    memset (grey, 0, (gsize) self->width * self->height);
}

/* The window of _lacuna_frame_render_text() on a grey frame. */
static void
text_window (LacunaFrame *self,
             double      *center,
             double      *width)
{
  *center = (self->value_min + self->value_max) / 2.0;
  *width = self->value_max - self->value_min + 1;
}

gboolean
_lacuna_frame_text_prepare (LacunaFrame *self,
                            guint8      *out_max)
{
  const guint8 *t;
  double center, width;
  guint bits = self->layout.sample_bytes * 8;

  g_return_val_if_fail (LACUNA_IS_FRAME (self), FALSE);

  /* Where fill_table() computes the display through linear_display(): monotonic in the
   * stored value. */
  if (self->is_color || !(self->value_max > self->value_min) ||
      self->value_stored_min > self->value_stored_max || self->modality_lut != NULL ||
      self->voi_function != VOI_LINEAR || !isfinite (self->slope) ||
      !isfinite (self->intercept) || (bits != 8 && bits != 16))
    return FALSE;
  text_window (self, &center, &width);
  if (!isfinite (center) || !isfinite (width))
    return FALSE;

  g_clear_pointer (&self->text_table, g_bytes_unref);
  self->text_table = dup_table (self, center, width, FALSE);
  t = g_bytes_get_data (self->text_table, NULL);
  /* The display is monotonic over the values that are not padding, and both ends are
   * present: the brightest display value is at one of them (padding displays 0). */
  *out_max = MAX (t[(guint64) self->value_stored_min & self->layout.mask],
                  t[(guint64) self->value_stored_max & self->layout.mask]);
  return TRUE;
}

/* The stored values (not padding, in [value_stored_min, value_stored_max]) whose display
 * reaches level: the interval [*lo, *hi] (empty when *lo > *hi). The display is monotonic
 * there (linear_display()), so it is found by bisection. */
static void
text_interval (LacunaFrame *self,
               int          level,
               gint64      *lo,
               gint64      *hi)
{
  LinearDisplay l;
  double center, width;
  gint64 a = self->value_stored_min, b = self->value_stored_max;
  gboolean rising;

  text_window (self, &center, &width);
  linear_display_init (self, center, width, &l);
  rising = linear_display (&l, a) <= linear_display (&l, b);
  if (rising)
    {
      /* The first value that reaches level, in [a, b + 1]. */
      gint64 first = a, past = b + 1;

      if (linear_display (&l, a) >= level)
        past = a;
      while (first < past)
        {
          gint64 mid = first + (past - first) / 2;

          if (linear_display (&l, mid) >= level)
            past = mid;
          else
            first = mid + 1;
        }
      *lo = past;
      *hi = b;
    }
  else
    {
      /* The last value that reaches level, in [a - 1, b]. */
      gint64 last = a - 1, before = b;

      while (last < before)
        {
          gint64 mid = before - (before - last) / 2;

          if (linear_display (&l, mid) >= level)
            last = mid;
          else
            before = mid - 1;
        }
      *lo = a;
      *hi = last;
    }
}

/* mask[i] = (v in [hl, hh]) + (v in [ll, lh]) unless v is in [pl, ph] (padding): one pass,
 * compares only. */
#define TEXT_MASK_LOOP(type)                                                                 \
  G_STMT_START {                                                                             \
    const type *src = (const type *) data;                                                   \
    type hl_ = (type) hl, hh_ = (type) hh, ll_ = (type) ll, lh_ = (type) lh;                 \
    type pl_ = (type) pl, ph_ = (type) ph;                                                   \
                                                                                             \
    for (gsize i = 0; i < n; i++)                                                            \
      {                                                                                      \
        type v = src[i];                                                                     \
        guint8 keep = !((v >= pl_) & (v <= ph_));                                            \
                                                                                             \
        mask[i] = (guint8) ((keep & (v >= hl_) & (v <= hh_)) + (keep & (v >= ll_) & (v <= lh_))); \
      }                                                                                      \
  } G_STMT_END

LACUNA_PIXEL_LOOP void
_lacuna_frame_text_mask (LacunaFrame *self,
                         int          high,
                         int          low,
                         guint8      *mask)
{
  const guint8 *data = g_bytes_get_data (self->stored, NULL);
  gsize n = (gsize) self->width * self->height;
  gint64 hl, hh, ll, lh, pl, ph;
  gint64 dmin, dmax;

  g_return_if_fail (LACUNA_IS_FRAME (self));
  g_return_if_fail (self->text_table != NULL);

  text_interval (self, high, &hl, &hh);
  text_interval (self, low, &ll, &lh);
  /* The domain of the samples: empty intervals as (max, min), padding clipped to it. */
  dmin = self->layout.is_signed ? -((gint64) 1 << (self->layout.bits_stored - 1)) : 0;
  dmax = self->layout.is_signed ? ((gint64) 1 << (self->layout.bits_stored - 1)) - 1
                                : ((gint64) 1 << self->layout.bits_stored) - 1;
  if (hl > hh)
    hl = dmax, hh = dmin;
  if (ll > lh)
    ll = dmax, lh = dmin;
  pl = dmax, ph = dmin;
  if (self->has_padding && MAX (self->padding_lo, dmin) <= MIN (self->padding_hi, dmax))
    {
      pl = MAX (self->padding_lo, dmin);
      ph = MIN (self->padding_hi, dmax);
    }
  g_assert (hl >= dmin && hh <= dmax && ll >= dmin && lh <= dmax);

  if (self->layout.shift == 0 && self->layout.bits_stored == self->layout.sample_bytes * 8)
    {
      /* Every bit stored: the samples are the stored values. */
      if (self->layout.sample_bytes == 2 && self->layout.is_signed)
        TEXT_MASK_LOOP (gint16);
      else if (self->layout.sample_bytes == 2)
        TEXT_MASK_LOOP (guint16);
      else if (self->layout.is_signed)
        TEXT_MASK_LOOP (gint8);
      else
        TEXT_MASK_LOOP (guint8);
    }
  else
    {
      /* The stored value of each sample as _lacuna_frame_raw_sample() and
       * _lacuna_frame_stored_of_raw() give it: shifted, masked, sign-extended. */
      guint shift = self->layout.shift;
      guint32 bits_mask = (guint32) self->layout.mask;
      guint32 sign = self->layout.is_signed ? (guint32) 1 << (self->layout.bits_stored - 1) : 0;
      /* (Within the domain of at most 16 bits.) */
      gint32 hl32 = (gint32) hl, hh32 = (gint32) hh, ll32 = (gint32) ll, lh32 = (gint32) lh;
      gint32 pl32 = (gint32) pl, ph32 = (gint32) ph;

      for (gsize i = 0; i < n; i++)
        {
          guint32 raw = self->layout.sample_bytes == 2 ? ((const guint16 *) data)[i] : data[i];
          gint32 v = (gint32) (((raw >> shift) & bits_mask) ^ sign) - (gint32) sign;
          guint8 keep = !((v >= pl32) & (v <= ph32));

          mask[i] = (guint8) ((keep & (v >= hl32) & (v <= hh32)) +
                              (keep & (v >= ll32) & (v <= lh32)));
        }
    }
}

void
_lacuna_frame_text_render_rect (LacunaFrame *self,
                                guint8      *grey,
                                int          x0,
                                int          y0,
                                int          x1,
                                int          y1)
{
  const guint8 *data = g_bytes_get_data (self->stored, NULL);
  const guint8 *t;
  guint mask = (guint) self->layout.mask;

  g_return_if_fail (LACUNA_IS_FRAME (self));
  g_return_if_fail (self->text_table != NULL);
  g_return_if_fail (x0 >= 0 && y0 >= 0 && x1 <= (int) self->width && y1 <= (int) self->height);

  t = g_bytes_get_data (self->text_table, NULL);
  for (int y = y0; y < y1; y++)
    {
      gsize row = (gsize) y * self->width;

      if (self->layout.sample_bytes == 2)
        lookup16 ((const guint16 *) data + row + x0, grey + row + x0, (gsize) (x1 - x0), t,
                  self->layout.shift, mask);
      else
        for (int x = x0; x < x1; x++)
          grey[row + x] = t[(data[row + x] >> self->layout.shift) & mask];
    }
}

void
lacuna_frame_render_rgb (LacunaFrame *self,
                         double       center,
                         double       width,
                         gboolean     use_lut,
                         guint8      *out,
                         gsize        stride)
{
  g_return_if_fail (LACUNA_IS_FRAME (self));
  g_return_if_fail (out != NULL);
  g_return_if_fail (stride >= (gsize) self->width * 3);

  render (self, center, width, use_lut, out, stride, 3);
}

void
lacuna_frame_render_xrgb32 (LacunaFrame *self,
                            double       center,
                            double       width,
                            gboolean     use_lut,
                            guint8      *out,
                            gsize        stride)
{
  g_return_if_fail (LACUNA_IS_FRAME (self));
  g_return_if_fail (out != NULL);
  g_return_if_fail (stride >= (gsize) self->width * 4);
  g_return_if_fail (stride % 4 == 0 && GPOINTER_TO_SIZE (out) % 4 == 0);

  render (self, center, width, use_lut, out, stride, 4);
}

void
lacuna_frame_render_grey (LacunaFrame *self,
                          double       center,
                          double       width,
                          gboolean     use_lut,
                          guint8      *out,
                          gsize        stride)
{
  g_return_if_fail (LACUNA_IS_FRAME (self));
  g_return_if_fail (out != NULL);
  g_return_if_fail (stride >= self->width);

  render (self, center, width, use_lut, out, stride, 1);
}
