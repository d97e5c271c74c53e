/* lacuna-redact.h: filling boxes in the pixels, and choosing how the pixels are written.
 *
 * Boxes are filled on the requested frames with what displays as black for the image's
 * photometric interpretation (MONOCHROME1: the maximum; YBR: Y=0, Cb=Cr=mid; PALETTE COLOR:
 * the index whose entry is darkest), at every bit depth. Lossless input is written
 * losslessly (the same transfer syntax where an encoder exists, else Explicit VR Little
 * Endian); lossy input is decoded, redacted and written without further loss (Explicit VR
 * Little Endian), keeping Lossy Image Compression "01" with its ratio and method, and
 * updating Photometric Interpretation and Planar Configuration to what the decoded samples
 * are. Never silently lossy.
 */
#pragma once

#include <glib.h>

#include "lacuna-dicom.h"

G_BEGIN_DECLS

/* One box on one frame, in pixels from the top-left, already resolved for this instance.
 * Clipped to the image; a box entirely outside it is ignored (and reported as such). */
typedef struct
{
  int frame;      /* 0-based; -1: every frame */
  int x;
  int y;
  int width;
  int height;
} LacunaRedactBox;

typedef struct
{
  /* The transfer syntax to save with (static string). */
  const char *transfer_syntax;
  /* TRUE when the pixels were decoded and re-encoded (or written native). */
  gboolean    pixels_rewritten;
  /* Boxes actually applied, clipped (LacunaRedactBox, frame never -1: one per frame). */
  GArray     *applied;
  /* Human-readable, untranslated notes for the report ("lossy JPEG Baseline decoded and
   * written as Explicit VR Little Endian; Lossy Image Compression kept"). Never a value. */
  GPtrArray  *notes;
} LacunaRedactResult;

void     lacuna_redact_result_clear (LacunaRedactResult *result);

/* Applies boxes (may be empty: then only the transfer-syntax decision is made, and the
 * pixel data is left byte for byte as it is whenever the input syntax can be written
 * back) to file, in place. Pixel data that cannot be decoded gives
 * LACUNA_DICOM_ERROR_UNSUPPORTED/DECODE: the caller leaves such a file out. */
gboolean lacuna_redact_apply        (LacunaDicomFile       *file,
                                     const LacunaRedactBox *boxes,
                                     guint                  n_boxes,
                                     LacunaRedactResult    *result,
                                     GError               **error);

/* Clears the bits of every (60xx,3000) Overlay Data that fall inside the boxes (image
 * coordinates; Overlay Origin (60xx,0050), Overlay Rows/Columns, Number of Frames in
 * Overlay (60xx,0015) and Image Frame Origin (60xx,0051) honoured; a single-frame overlay
 * gets the boxes of every frame). Used when overlays are kept (Clean Graphics option):
 * overlays are not burned into the pixels, that would be a separate, explicit choice.
 * Overlays embedded in unused Pixel Data bits (retired) are not touched here; when pixels
 * are rewritten, bits above High Bit are dropped with them. out_n_changed (may be NULL)
 * receives the number of overlays whose bits changed. */
gboolean lacuna_redact_apply_overlays (LacunaDicomFile       *file,
                                       const LacunaRedactBox *boxes,
                                       guint                  n_boxes,
                                       guint                 *out_n_changed,
                                       GError               **error);

/* The stored value (per sample, sign-extended to 64 bits) that displays as black for the
 * decoded samples of file in colour model photometric (decode_frame's out_photometric):
 * MONOCHROME2 the minimum (the maximum when Presentation LUT Shape is INVERSE or Rescale
 * Slope negative), MONOCHROME1 the maximum, RGB 0, YBR_FULL Y=0 Cb=Cr=mid, YBR_PARTIAL
 * Y=16·2^(bits-8), PALETTE COLOR the index of the darkest entry. UNSUPPORTED for other
 * colour models or a palette that cannot be read. */
gboolean lacuna_redact_get_black       (LacunaDicomFile       *file,
                                        const char            *photometric,
                                        gint64                 out_black[3],
                                        GError               **error);

G_END_DECLS
