/* lacuna-vision-private.h: between the OpenCV and dlib halves of the shim (C++ only). */
#pragma once

#include "lacuna-vision.h"

G_BEGIN_DECLS

/* lacuna-vision-dlib.cc; both return FALSE + error (never throw). */
gboolean  _lacuna_vision_dlib_load   (GError       **error);
gboolean  _lacuna_vision_dlib_detect (const guint8  *grey,
                                      guint          width,
                                      guint          height,
                                      gsize          stride,
                                      guint          min_side,
                                      GArray        *boxes,
                                      GError       **error);
guint8   *_lacuna_vision_dlib_load_image_grey (const char *path,
                                               guint      *out_width,
                                               guint      *out_height,
                                               GError    **error);

G_END_DECLS
