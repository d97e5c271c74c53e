/* lacuna-frame.h: one decoded frame, and the display pipeline.
 *
 * Stored values → modality values (Rescale Slope/Intercept or Modality LUT: Hounsfield
 * units for CT) → VOI (window centre/width, or a VOI LUT) → presentation (MONOCHROME1 is
 * inverted) → 8-bit. Colour (RGB, YBR_FULL, YBR_FULL_422, YBR_ICT/RCT, PALETTE COLOR) is
 * converted to RGB. Pixel Padding Value (and range) shows as the darkest value.
 */
#pragma once

#include <gio/gio.h>

#include "lacuna-dicom.h"

G_BEGIN_DECLS

#define LACUNA_TYPE_FRAME (lacuna_frame_get_type ())
G_DECLARE_FINAL_TYPE (LacunaFrame, lacuna_frame, LACUNA, FRAME, GObject)

/* Decodes frame (0-based) of file. */
LacunaFrame *lacuna_frame_decode             (LacunaDicomFile *file,
                                              guint            frame,
                                              GError         **error);

guint        lacuna_frame_get_width          (LacunaFrame *self);
guint        lacuna_frame_get_height         (LacunaFrame *self);
guint        lacuna_frame_get_index          (LacunaFrame *self);
/* TRUE for colour images (rendered as RGB; window/level does not apply). */
gboolean     lacuna_frame_is_color           (LacunaFrame *self);
/* The stored values as decoded (see lacuna_dicom_file_decode_frame) and their layout. */
GBytes      *lacuna_frame_get_stored         (LacunaFrame *self);
const LacunaDicomPixelInfo *lacuna_frame_get_info (LacunaFrame *self);
/* Colour model of the stored bytes after decoding ("RGB", "YBR_FULL", "MONOCHROME2", …). */
const char  *lacuna_frame_get_photometric    (LacunaFrame *self);

/* Modality value of a grey pixel (HU for CT). For colour frames, the luminance. */
double       lacuna_frame_get_value          (LacunaFrame *self,
                                              guint        x,
                                              guint        y);
/* Range of modality values present (padding excluded). */
void         lacuna_frame_get_value_range    (LacunaFrame *self,
                                              double      *out_min,
                                              double      *out_max);
/* The default window: the file's first Window Center/Width, else a VOI LUT when the file
 * has one (then *out_uses_lut is TRUE), else the range of values. */
void         lacuna_frame_get_default_window (LacunaFrame *self,
                                              double      *out_center,
                                              double      *out_width,
                                              gboolean    *out_uses_lut);

/* TRUE when the pixel holds Pixel Padding Value (or lies in the padding range). */
gboolean     lacuna_frame_is_padding         (LacunaFrame *self,
                                              guint        x,
                                              guint        y);

/* Every Window Center/Width pair of the frame (Frame VOI LUT macro of an enhanced object,
 * or the top level), with its explanation (NULL when none). */
guint        lacuna_frame_get_n_windows      (LacunaFrame *self);
gboolean     lacuna_frame_get_window         (LacunaFrame  *self,
                                              guint         index,
                                              double       *out_center,
                                              double       *out_width,
                                              const char  **out_explanation);
/* VOI LUT Sequence items (rendering with use_lut applies the first). */
guint        lacuna_frame_get_n_voi_luts     (LacunaFrame *self);
const char  *lacuna_frame_get_voi_lut_explanation (LacunaFrame *self,
                                                   guint        index);
/* VOI LUT Function (0028,1056): "LINEAR" (the default), "LINEAR_EXACT" or "SIGMOID". */
const char  *lacuna_frame_get_voi_function   (LacunaFrame *self);
/* Rescale Slope/Intercept in use (1/0 by default); FALSE when a Modality LUT replaces them
 * or the frame is colour. */
gboolean     lacuna_frame_get_rescale        (LacunaFrame *self,
                                              double      *out_slope,
                                              double      *out_intercept);
/* TRUE when display inverts (MONOCHROME1, or Presentation LUT Shape INVERSE). */
gboolean     lacuna_frame_is_inverted        (LacunaFrame *self);

/* Renders the whole frame into out: width × height pixels, 3 bytes (R, G, B) each, rows
 * `stride` bytes apart. center/width are in modality units, applied with the file's VOI LUT
 * Function (LINEAR, DICOM's default, LINEAR_EXACT or SIGMOID);
 * use_lut applies the file's VOI LUT instead. Colour frames ignore the window. Thread-safe
 * (the frame is immutable). */
void         lacuna_frame_render_rgb         (LacunaFrame *self,
                                              double       center,
                                              double       width,
                                              gboolean     use_lut,
                                              guint8      *out,
                                              gsize        stride);
/* The same, 4 bytes per pixel as native-endian 0xffRRGGBB words (cairo's RGB24 and ARGB32,
 * GDK_MEMORY_B8G8R8A8_PREMULTIPLIED on little-endian): what the image view draws, in one
 * pass. out and stride are 4-byte aligned. */
void         lacuna_frame_render_xrgb32      (LacunaFrame *self,
                                              double       center,
                                              double       width,
                                              gboolean     use_lut,
                                              guint8      *out,
                                              gsize        stride);
/* The same, one byte per pixel (grey frames only; colour frames give their luminance). */
void         lacuna_frame_render_grey        (LacunaFrame *self,
                                              double       center,
                                              double       width,
                                              gboolean     use_lut,
                                              guint8      *out,
                                              gsize        stride);

G_END_DECLS
