/* lacuna-png.h: 8-bit PNG encoding (libpng), for lacuna-cli. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Encodes width × height pixels of channels (1: grey, 3: RGB) bytes each, rows stride
 * bytes apart, as an 8-bit PNG. Returns the file's bytes, or NULL with error. */
GBytes *lacuna_png_encode (guint          width,
                           guint          height,
                           guint          channels,
                           const guint8  *pixels,
                           gsize          stride,
                           GError       **error);

G_END_DECLS
