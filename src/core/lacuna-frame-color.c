/* lacuna-frame-color.c: lookup tables (Modality, VOI, palettes, segmented palettes) and
 * colour conversion (RGB, YBR_FULL, YBR_FULL_422, YBR_PARTIAL_422/420, YBR_ICT, YBR_RCT,
 * PALETTE COLOR) to 8-bit RGB, for LacunaFrame. PS3.3 C.7.6.3, C.7.9, C.11.
 */
#define G_LOG_DOMAIN "lacuna-frame"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "lacuna-frame-private.h"

typedef enum
{
  COLOR_NONE,
  COLOR_RGB,
  COLOR_YBR_FULL,
  COLOR_YBR_FULL_422,
  COLOR_YBR_PARTIAL,
  COLOR_YBR_PARTIAL_422,
  COLOR_YBR_RCT,
  COLOR_PALETTE,
} ColorModel;

gboolean
_lacuna_frame_get_number (LacunaDicomFile *file,
                          const char      *path,
                          guint            index,
                          double          *out)
{
  double v;

  if (path == NULL || !lacuna_dicom_file_get_number (file, path, index, &v, NULL))
    return FALSE;
  if (!isfinite (v))
    return FALSE;
  *out = v;
  return TRUE;
}

/* ---------------------------------------------------------------------------------------- */
/* Lookup tables                                                                            */

void
_lacuna_frame_lut_free (gpointer data)
{
  LacunaFrameLut *lut = data;

  if (lut == NULL)
    return;
  g_free (lut->data);
  g_free (lut->explanation);
  g_free (lut);
}

/* Reads a LUT: Descriptor (n entries, first mapped, bits) and Data. item is a prefix such
 * as "00283010/0/" (may be ""). desc/data/expl are the tags. */
LacunaFrameLut *
_lacuna_frame_lut_read (LacunaDicomFile  *file,
                        const char       *item,
                        const char       *desc_tag,
                        const char       *data_tag,
                        const char       *explanation_tag,
                        gboolean          first_is_signed,
                        const char       *what,
                        GError          **error)
{
  g_autofree char *desc_path = g_strconcat (item, desc_tag, NULL);
  g_autofree char *data_path = g_strconcat (item, data_tag, NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local_error = NULL;
  double n = 0, first = 0, bits = 0;
  LacunaFrameLut *lut;
  const guint8 *data;
  gsize size;

  if (!_lacuna_frame_get_number (file, desc_path, 0, &n) ||
      !_lacuna_frame_get_number (file, desc_path, 1, &first) ||
      !_lacuna_frame_get_number (file, desc_path, 2, &bits))
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED,
                   _("The %s has no valid LUT Descriptor"), what);
      return NULL;
    }
  if (n < 0 || n > 65536 || bits < 1 || bits > 16)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED,
                   _("The %s has an invalid LUT Descriptor"), what);
      return NULL;
    }
  if (n == 0)
    n = 65536;
  /* The first mapped value is US or SS; read as US, a negative value looks large. */
  if (first_is_signed && first >= 32768)
    first -= 65536;

  bytes = lacuna_dicom_file_dup_bytes (file, data_path, &local_error);
  if (bytes == NULL)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED,
                   _("The %s has no LUT Data"), what);
      return NULL;
    }
  data = g_bytes_get_data (bytes, &size);

  lut = g_new0 (LacunaFrameLut, 1);
  lut->first = (gint64) first;
  lut->n_entries = (guint) n;
  lut->bits = (guint) bits;
  lut->data = g_new0 (guint16, lut->n_entries);
  if (size >= 2 * (gsize) lut->n_entries)
    {
      memcpy (lut->data, data, 2 * (gsize) lut->n_entries);
    }
  else if (size >= lut->n_entries && lut->bits <= 8)
    {
      /* 8-bit entries packed two to a word (or OB). */
      for (guint i = 0; i < lut->n_entries; i++)
        lut->data[i] = data[i];
    }
  else
    {
      _lacuna_frame_lut_free (lut);
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED,
                   _("The %s has fewer LUT Data entries than its descriptor says"), what);
      return NULL;
    }

  /* Some writers declare 16 bits for 8-bit data or the reverse: trust the values. */
  {
    guint max = 0;
    guint limit = (1u << lut->bits) - 1;

    for (guint i = 0; i < lut->n_entries; i++)
      max = MAX (max, lut->data[i]);
    if (max > limit)
      lut->bits = 16;
  }

  if (explanation_tag != NULL)
    {
      g_autofree char *expl_path = g_strconcat (item, explanation_tag, NULL);
      lut->explanation = lacuna_dicom_file_dup_string (file, expl_path, NULL);
    }
  return lut;
}

/* ---------------------------------------------------------------------------------------- */
/* Colour                                                                                   */

static ColorModel
color_model_from_photometric (const char *photometric)
{
  static const struct { const char *name; ColorModel model; } models[] = {
    { "RGB", COLOR_RGB },
    { "YBR_FULL", COLOR_YBR_FULL },
    { "YBR_FULL_422", COLOR_YBR_FULL_422 },
    { "YBR_PARTIAL_422", COLOR_YBR_PARTIAL_422 },
    { "YBR_PARTIAL_420", COLOR_YBR_PARTIAL_422 },
    { "YBR_ICT", COLOR_YBR_FULL },   /* the irreversible transform is YBR_FULL's matrix */
    { "YBR_RCT", COLOR_YBR_RCT },
    { "PALETTE COLOR", COLOR_PALETTE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (models); i++)
    if (g_strcmp0 (photometric, models[i].name) == 0)
      return models[i].model;
  return COLOR_NONE;
}

gboolean
_lacuna_frame_is_color_photometric (const char *photometric)
{
  return color_model_from_photometric (photometric) != COLOR_NONE;
}

static void
ybr_to_rgb (ColorModel  model,
            double      y,
            double      cb,
            double      cr,
            double      half,
            double      scale,
            guint8     *out)
{
  double r, g, b;

  switch (model)
    {
    case COLOR_YBR_PARTIAL:
    case COLOR_YBR_PARTIAL_422:
      /* PS3.3 C.7.6.3.1.2: Y in 16..235, Cb/Cr in 16..240 (8-bit). */
      {
        double k = half / 128.0;
        double yy = 1.164383 * (y - 16.0 * k);

        r = yy + 1.596027 * (cr - half);
        g = yy - 0.391762 * (cb - half) - 0.812968 * (cr - half);
        b = yy + 2.017232 * (cb - half);
      }
      break;

    case COLOR_YBR_RCT:
      {
        /* JPEG 2000 reversible transform, components with their DC level shift. */
        double u = cb - half, v = cr - half;

        g = (y - half) - floor ((u + v) / 4.0) + half;
        r = v + g;
        b = u + g;
      }
      break;

    default:
      /* YBR_FULL (and YBR_ICT), PS3.3 C.7.6.3.1.2. */
      r = y + 1.402 * (cr - half);
      g = y - 0.344136 * (cb - half) - 0.714136 * (cr - half);
      b = y + 1.772 * (cb - half);
      break;
    }
  out[0] = _lacuna_frame_clamp8 (r * scale);
  out[1] = _lacuna_frame_clamp8 (g * scale);
  out[2] = _lacuna_frame_clamp8 (b * scale);
}

/* Expands a segmented palette (PS3.3 C.7.9.2): discrete (0), linear (1) and indirect (2)
 * segments, into n entries. */
static gboolean
expand_segmented (const guint16 *seg,
                  gsize          n_words,
                  guint16       *out,
                  guint          n,
                  guint          depth)
{
  gsize pos = 0;
  guint count = 0;
  double last = 0;

  if (depth > 4)
    return FALSE;
  while (pos + 1 < n_words)
    {
      guint opcode = seg[pos];
      guint length = seg[pos + 1];

      pos += 2;
      switch (opcode)
        {
        case 0:
          if (pos + length > n_words)
            return FALSE;
          for (guint i = 0; i < length && count < n; i++)
            out[count++] = seg[pos + i];
          pos += length;
          if (length > 0)
            last = seg[pos - 1];
          break;

        case 1:
          {
            double end;

            if (pos >= n_words || count == 0)
              return FALSE;
            end = seg[pos++];
            for (guint i = 1; i <= length && count < n; i++)
              out[count++] = (guint16) (last + (end - last) * i / length + 0.5);
            last = end;
          }
          break;

        case 2:
          {
            gsize offset;

            if (pos + 1 >= n_words)
              return FALSE;
            offset = (gsize) seg[pos] | ((gsize) seg[pos + 1] << 16);
            pos += 2;
            /* Copy `length` segments starting at word offset. */
            {
              gsize p = offset;

              for (guint s = 0; s < length; s++)
                {
                  guint op, len, words;
                  g_autofree guint16 *tmp = NULL;

                  if (p + 1 >= n_words)
                    return FALSE;
                  op = seg[p];
                  len = seg[p + 1];
                  words = op == 0 ? 2 + len : op == 1 ? 3 : 0;
                  if (words == 0 || p + words > n_words)
                    return FALSE;
                  if (op == 0)
                    {
                      for (guint i = 0; i < len && count < n; i++)
                        out[count++] = seg[p + 2 + i];
                      if (len > 0)
                        last = seg[p + 2 + len - 1];
                    }
                  else
                    {
                      double end = seg[p + 2];

                      if (count == 0)
                        return FALSE;
                      for (guint i = 1; i <= len && count < n; i++)
                        out[count++] = (guint16) (last + (end - last) * i / len + 0.5);
                      last = end;
                    }
                  p += words;
                }
            }
          }
          break;

        default:
          return FALSE;
        }
      if (count >= n)
        break;
    }
  /* Fill what the segments left out with the last value. */
  for (; count < n; count++)
    out[count] = (guint16) last;
  return TRUE;
}

static LacunaFrameLut *
read_palette (LacunaDicomFile  *file,
              guint             channel,
              GError          **error)
{
  static const char *names[] = { N_("Red"), N_("Green"), N_("Blue") };
  g_autofree char *desc = g_strdup_printf ("002811%02u", channel + 1);
  g_autofree char *data = g_strdup_printf ("002812%02u", channel + 1);
  g_autofree char *segmented = g_strdup_printf ("002812%02x", 0x21 + channel);
  g_autofree char *what = g_strdup_printf (_("%s Palette Color Lookup Table (0028,%s)"),
                                           _(names[channel]), desc + 4);

  if (!lacuna_dicom_file_has (file, data) && lacuna_dicom_file_has (file, segmented))
    {
      g_autoptr(GBytes) bytes = NULL;
      double n = 0, first = 0, bits = 0;
      LacunaFrameLut *lut;
      gsize size;
      const guint16 *words;

      if (!_lacuna_frame_get_number (file, desc, 0, &n) ||
          !_lacuna_frame_get_number (file, desc, 1, &first) ||
          !_lacuna_frame_get_number (file, desc, 2, &bits) ||
          n < 0 || n > 65536 || bits < 1 || bits > 16)
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED,
                       _("The %s has no valid descriptor"), what);
          return NULL;
        }
      bytes = lacuna_dicom_file_dup_bytes (file, segmented, NULL);
      if (bytes == NULL)
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED,
                       _("The segmented %s cannot be read"), what);
          return NULL;
        }
      words = g_bytes_get_data (bytes, &size);
      lut = g_new0 (LacunaFrameLut, 1);
      lut->n_entries = n == 0 ? 65536 : (guint) n;
      lut->first = (gint64) first;
      lut->bits = (guint) bits;
      lut->data = g_new0 (guint16, lut->n_entries);
      if (!expand_segmented (words, size / 2, lut->data, lut->n_entries, 0))
        {
          _lacuna_frame_lut_free (lut);
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED,
                       _("The segmented %s uses an unsupported or broken segment"), what);
          return NULL;
        }
      return lut;
    }

  return _lacuna_frame_lut_read (file, "", desc, data, NULL, FALSE, what, error);
}

static inline guint8
palette_entry (const LacunaFrameLut *lut,
               gint64     index)
{
  guint v = _lacuna_frame_lut_lookup (lut, (double) index);

  if (lut->bits > 8)
    return (guint8) (v >> 8);
  return (guint8) v;
}

guint8 *
_lacuna_frame_convert_color (const LacunaFrameLayout  *layout,
                             GBytes                   *stored,
                             const char               *photometric,
                             LacunaDicomFile          *file,
                             GError                  **error)
{
  ColorModel model = color_model_from_photometric (photometric);
  g_autofree guint8 *rgb = NULL;
  const guint8 *data;
  gsize size;
  gsize n = (gsize) layout->width * layout->height;
  guint bits = MAX (layout->bits_stored, 1);
  double half, scale;

  g_return_val_if_fail (model != COLOR_NONE, NULL);

  data = g_bytes_get_data (stored, &size);
  rgb = g_malloc ((n > 0 ? n : 1) * 3);
  half = ldexp (1.0, (int) bits - 1);
  scale = 255.0 / (ldexp (1.0, (int) bits) - 1.0);

  if (model == COLOR_PALETTE)
    {
      g_autoptr(GPtrArray) luts = g_ptr_array_new_with_free_func (_lacuna_frame_lut_free);

      if (layout->samples != 1)
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED,
                       _("PALETTE COLOR needs one sample per pixel (0028,0002)"));
          return NULL;
        }
      for (guint c = 0; c < 3; c++)
        {
          LacunaFrameLut *lut = read_palette (file, c, error);

          if (lut == NULL)
            return NULL;
          g_ptr_array_add (luts, lut);
        }
      for (gsize i = 0; i < n; i++)
        {
          guint64 raw = _lacuna_frame_raw_sample (layout, data, i);
          gint64 sv = _lacuna_frame_stored_of_raw (layout, raw);

          for (guint c = 0; c < 3; c++)
            rgb[i * 3 + c] = palette_entry (g_ptr_array_index (luts, c), sv);
        }
      return g_steal_pointer (&rgb);
    }

  if (layout->samples != 3)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED,
                   _("Colour images need three samples per pixel (0028,0002)"));
      return NULL;
    }

  /* Native 4:2:2 data that the decoder left subsampled: Y1 Y2 Cb Cr per two pixels. */
  if ((model == COLOR_YBR_FULL_422 || model == COLOR_YBR_PARTIAL_422) &&
      size == n * 2 * layout->sample_bytes && size != n * 3 * layout->sample_bytes)
    {
      for (guint y = 0; y < layout->height; y++)
        for (guint x = 0; x < layout->width; x += 2)
          {
            gsize p = (gsize) y * layout->width + x;
            gsize q = p * 2;
            double y1 = _lacuna_frame_raw_sample (layout, data, q);
            double y2 = x + 1 < layout->width ? _lacuna_frame_raw_sample (layout, data, q + 1) : y1;
            double cb = _lacuna_frame_raw_sample (layout, data, q + 2);
            double cr = _lacuna_frame_raw_sample (layout, data, q + 3);

            ybr_to_rgb (model, y1, cb, cr, half, scale, rgb + p * 3);
            if (x + 1 < layout->width)
              ybr_to_rgb (model, y2, cb, cr, half, scale, rgb + (p + 1) * 3);
          }
      return g_steal_pointer (&rgb);
    }

  if (size < n * 3 * layout->sample_bytes)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_DECODE,
                   _("The decoded frame is shorter than its dimensions say"));
      return NULL;
    }

  for (gsize i = 0; i < n; i++)
    {
      double a = _lacuna_frame_raw_sample (layout, data, i * 3);
      double b = _lacuna_frame_raw_sample (layout, data, i * 3 + 1);
      double c = _lacuna_frame_raw_sample (layout, data, i * 3 + 2);

      if (model == COLOR_RGB)
        {
          rgb[i * 3] = _lacuna_frame_clamp8 (a * scale);
          rgb[i * 3 + 1] = _lacuna_frame_clamp8 (b * scale);
          rgb[i * 3 + 2] = _lacuna_frame_clamp8 (c * scale);
        }
      else
        {
          ybr_to_rgb (model, a, b, c, half, scale, rgb + i * 3);
        }
    }
  return g_steal_pointer (&rgb);
}
