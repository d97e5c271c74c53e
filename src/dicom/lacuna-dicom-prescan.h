/* lacuna-dicom-prescan.h: the raw pre-scan, callable from C (tests) and the C++ shim. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Walks the raw bytes without recursion (see lacuna-dicom.h). TOO_DEEP, PARSE (a length
 * past the end), TOO_LARGE (a deflated dataset inflating beyond the cap). */
gboolean _lacuna_dicom_prescan      (const guint8  *data,
                                     gsize          size,
                                     GError       **error);
/* The same; out_pixels_truncated is set when the only problem found is a top-level
 * Pixel Data (7FE0,0010) whose value runs past the end of the file (it is accepted). */
gboolean _lacuna_dicom_prescan_full (const guint8  *data,
                                     gsize          size,
                                     gboolean      *out_pixels_truncated,
                                     GError       **error);

G_END_DECLS
