/* lacuna-frame-private.h: shared between lacuna-frame.c and lacuna-frame-color.c, and
 * internals exposed for tests. */
#pragma once

#include <math.h>

#include "lacuna-frame.h"

G_BEGIN_DECLS

/* How the decoded stored samples are laid out. */
typedef struct
{
  guint    width;
  guint    height;
  guint    samples;        /* per pixel */
  guint    sample_bytes;   /* 1, 2 or 4 (1-bit data comes unpacked to bytes) */
  guint    bits_stored;
  guint    shift;          /* high_bit + 1 - bits_stored */
  guint64  mask;           /* (1 << bits_stored) - 1 */
  gboolean is_signed;
} LacunaFrameLayout;

/* A Modality, VOI or palette lookup table. */
typedef struct
{
  gint64   first;          /* first input value mapped */
  guint    n_entries;
  guint    bits;           /* bits per entry (the Descriptor's third value) */
  guint16 *data;
  char    *explanation;
} LacunaFrameLut;

static inline gint64
_lacuna_frame_sign_extend (guint64 raw,
                           guint   bits)
{
  if (bits < 64 && (raw & (G_GUINT64_CONSTANT (1) << (bits - 1))) != 0)
    return (gint64) raw - (gint64) (G_GUINT64_CONSTANT (1) << bits);
  return (gint64) raw;
}

/* Sample i (counting samples, not pixels), masked to Bits Stored. */
static inline guint64
_lacuna_frame_raw_sample (const LacunaFrameLayout *layout,
                          const guint8            *data,
                          gsize                    i)
{
  guint64 v;

  switch (layout->sample_bytes)
    {
    case 1:
      v = data[i];
      break;
    case 2:
      v = ((const guint16 *) data)[i];
      break;
    default:
      v = ((const guint32 *) data)[i];
      break;
    }
  return (v >> layout->shift) & layout->mask;
}

/* The stored value of a masked sample (sign-extended for signed data). */
static inline gint64
_lacuna_frame_stored_of_raw (const LacunaFrameLayout *layout,
                             guint64                  raw)
{
  if (layout->is_signed)
    return _lacuna_frame_sign_extend (raw, layout->bits_stored);
  return (gint64) raw;
}

static inline guint
_lacuna_frame_lut_lookup (const LacunaFrameLut *lut,
                          double                x)
{
  double i = floor (x + 0.5) - (double) lut->first;

  if (i <= 0)
    return lut->data[0];
  if (i >= lut->n_entries - 1)
    return lut->data[lut->n_entries - 1];
  return lut->data[(guint) i];
}

static inline guint8
_lacuna_frame_clamp8 (double v)
{
  if (v <= 0.0)
    return 0;
  if (v >= 255.0)
    return 255;
  return (guint8) (v + 0.5);
}

/* lacuna-frame-color.c */

/* A finite number at path (value index), FALSE when absent or not a number. */
gboolean        _lacuna_frame_get_number    (LacunaDicomFile          *file,
                                             const char               *path,
                                             guint                     index,
                                             double                   *out);
/* Reads Descriptor (n entries, first mapped, bits) and Data at item + tag ("" or
 * "00283010/0/"); what names the table in errors. */
LacunaFrameLut *_lacuna_frame_lut_read      (LacunaDicomFile          *file,
                                             const char               *item,
                                             const char               *desc_tag,
                                             const char               *data_tag,
                                             const char               *explanation_tag,
                                             gboolean                  first_is_signed,
                                             const char               *what,
                                             GError                  **error);
void            _lacuna_frame_lut_free      (gpointer                  lut);
/* TRUE for RGB, YBR_* and PALETTE COLOR. */
gboolean        _lacuna_frame_is_color_photometric (const char        *photometric);
/* The frame as 8-bit RGB (width × height × 3), from stored samples in photometric. */
guint8         *_lacuna_frame_convert_color (const LacunaFrameLayout  *layout,
                                             GBytes                   *stored,
                                             const char               *photometric,
                                             LacunaDicomFile          *file,
                                             GError                  **error);

/* lacuna_frame_decode() with info already read (lacuna_dicom_file_get_pixel_info()), on
 * native (native_size bytes: the frame's samples from lacuna_dicom_file_peek_native_pixels())
 * without a copy when not NULL: the frame must then not outlive them. */
LacunaFrame *_lacuna_frame_decode_with_info (LacunaDicomFile             *file,
                                             guint                        frame,
                                             const LacunaDicomPixelInfo  *info,
                                             const guint8                *native,
                                             gsize                        native_size,
                                             GError                     **error);

/* What burned-in text is looked for on: grey (width × height bytes, rows width apart)
 * rendered over the frame's whole range of values (its brightest value white whatever the
 * window; colour frames: their luminance), and *out_rgb the frame's RGB (owned by the
 * frame, rows width × 3 apart) for colour frames, NULL for grey ones. The same bytes as
 * lacuna_frame_render_grey() with centre (min + max) / 2 and width max - min + 1 (colour:
 * 128, 256) and lacuna_frame_render_rgb(). */
void   _lacuna_frame_render_text   (LacunaFrame   *self,
                                    guint8        *grey,
                                    const guint8 **out_rgb);

/* The same without rendering every pixel (grey frames of 8 or 16 bits a sample, whose
 * display is linear in the stored value: FALSE otherwise, then use
 * _lacuna_frame_render_text()). _lacuna_frame_text_prepare() gives the brightest display
 * value of the frame; _lacuna_frame_text_mask() fills mask (width × height) with 2 where
 * the display value reaches high, 1 where it reaches low (low ≤ high), 0 elsewhere,
 * comparing the stored values; _lacuna_frame_text_render_rect() renders the grey of
 * [x0, x1) × [y0, y1) into grey (width × height, rows width apart): the bytes of
 * _lacuna_frame_render_text() there. */
gboolean _lacuna_frame_text_prepare     (LacunaFrame *self,
                                         guint8      *out_max);
void     _lacuna_frame_text_mask        (LacunaFrame *self,
                                         int          high,
                                         int          low,
                                         guint8      *mask);
void     _lacuna_frame_text_render_rect (LacunaFrame *self,
                                         guint8      *grey,
                                         int          x0,
                                         int          y0,
                                         int          x1,
                                         int          y1);

/* For tests: the display byte (after VOI and presentation, before padding) of one
 * modality value, as the render functions compute it. */
guint8 _lacuna_frame_display_value (LacunaFrame *self,
                                    double       modality_value,
                                    double       center,
                                    double       width,
                                    gboolean     use_lut);

G_END_DECLS
