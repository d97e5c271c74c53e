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

G_END_DECLS
