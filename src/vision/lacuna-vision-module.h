/* lacuna-vision-module.h: what the face-detector module (liblacuna-vision.so) exports, and
 * the loader in the engine (lacuna-vision-loader.c) resolves on first use.
 *
 * OpenCV and dlib are linked only into that module, so that programs which never run a
 * face check do not load them (they are most of what the dynamic loader does at start-up).
 * The module exports one symbol, LACUNA_VISION_MODULE_SYMBOL: a function returning the
 * table below for the ABI version asked, or NULL when it was built for another one.
 */
#pragma once

#include "lacuna-vision.h"

G_BEGIN_DECLS

/* Raised whenever the table below changes. */
#define LACUNA_VISION_MODULE_ABI     1
#define LACUNA_VISION_MODULE_SYMBOL  "lacuna_vision_module_get_table"

typedef struct
{
  guint      abi;   /* LACUNA_VISION_MODULE_ABI */

  gboolean (*detector_load)   (LacunaVisionDetector   detector,
                               GError               **error);
  GArray  *(*detect_sized)    (LacunaVisionDetector   detector,
                               const guint8          *grey,
                               guint                  width,
                               guint                  height,
                               gsize                  stride,
                               guint                  min_side,
                               GError               **error);
  guint8  *(*load_image_grey) (const char            *path,
                               guint                 *out_width,
                               guint                 *out_height,
                               GError               **error);
} LacunaVisionModuleTable;

typedef const LacunaVisionModuleTable *(*LacunaVisionModuleGetTable) (guint abi);

G_END_DECLS
