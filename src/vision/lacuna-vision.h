/* lacuna-vision.h: the one C interface to the stock face detectors (OpenCV cascades and
 * dlib's HOG detector).
 *
 * Pure C: no OpenCV or dlib type crosses this header, and no C++ exception leaves the
 * shim. The detectors are the ones INFERENCE.md §3.1 settled on: Haar "frontalface_alt2"
 * and LBP "frontalface_improved" (OpenCV, cascades from the opencv-data package) and dlib's
 * get_frontal_face_detector() (HOG, no model file). Haar "frontalface_default" is left out
 * on purpose: it fires on the outline of a defaced head.
 *
 * Each detector's model is loaded once per process, on first use. Calls may come from any
 * thread and run concurrently: each call borrows an instance of the detector of its own
 * (OpenCV's CascadeClassifier and dlib's detector keep per-call state), made on demand and
 * kept for later calls.
 *
 * The detectors are built into a module (liblacuna-vision.so) that is loaded on the first
 * call that needs it (lacuna-vision-loader.c): the identifiers and names below never load
 * it. When it cannot be loaded, every other call fails with LACUNA_VISION_ERROR_UNAVAILABLE.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define LACUNA_VISION_ERROR (lacuna_vision_error_quark ())

typedef enum
{
  LACUNA_VISION_ERROR_FAILED,       /* the detector library failed */
  LACUNA_VISION_ERROR_MODEL,        /* a cascade file is missing or does not load */
  LACUNA_VISION_ERROR_UNAVAILABLE,  /* the detector was not built in, or the module
                                     * holding the detectors could not be loaded */
  LACUNA_VISION_ERROR_INVALID,      /* bad arguments (empty or huge image) */
  LACUNA_VISION_ERROR_IMAGE,        /* an image file could not be read */
} LacunaVisionError;

GQuark lacuna_vision_error_quark (void);

typedef enum
{
  LACUNA_VISION_HAAR_ALT2,       /* OpenCV haarcascade_frontalface_alt2 */
  LACUNA_VISION_LBP_IMPROVED,    /* OpenCV lbpcascade_frontalface_improved */
  LACUNA_VISION_DLIB_HOG,        /* dlib get_frontal_face_detector() */
  LACUNA_VISION_N_DETECTORS
} LacunaVisionDetector;

/* Largest image side accepted (pixels). */
#define LACUNA_VISION_MAX_SIDE 8192

typedef struct
{
  int    x, y, width, height;   /* in the input image's pixels */
  double score;                 /* the detector's own: cascade level weight, HOG margin */
} LacunaVisionBox;

/* Stable identifiers: "haar-alt2", "lbp-improved", "dlib-hog". */
const char *lacuna_vision_detector_get_id   (LacunaVisionDetector detector);
/* Human names (untranslated proper names): "OpenCV Haar cascade (frontal face alt2)", … */
const char *lacuna_vision_detector_get_name (LacunaVisionDetector detector);

/* Loads the detector now (the first detection would otherwise); FALSE + MODEL when its
 * model cannot be loaded, UNAVAILABLE when it was not built in. */
gboolean    lacuna_vision_detector_load     (LacunaVisionDetector detector,
                                             GError             **error);

/* Runs one detector on an 8-bit grey image (rows stride bytes apart). Returns a GArray of
 * LacunaVisionBox (possibly empty), or NULL with error. The image is not modified. Small
 * images are upsampled inside (dlib: one pyramid_up when the smaller side is under
 * 400 pixels); boxes are always in the input's pixels. */
GArray     *lacuna_vision_detect            (LacunaVisionDetector detector,
                                             const guint8        *grey,
                                             guint                width,
                                             guint                height,
                                             gsize                stride,
                                             GError             **error);

/* The same, looking only for faces whose side is at least min_side pixels (0: any size the
 * detector can see). Much cheaper when the faces sought are known to be large (renders of
 * a whole head): the cascades skip the small scales, and dlib is not upsampled (it then
 * looks at the image as given; it sees faces of about 80 pixels and up). */
GArray     *lacuna_vision_detect_sized      (LacunaVisionDetector detector,
                                             const guint8        *grey,
                                             guint                width,
                                             guint                height,
                                             gsize                stride,
                                             guint                min_side,
                                             GError             **error);

/* Reads a JPEG or PNG file into a new 8-bit grey buffer (width × height, rows width bytes
 * apart; free with g_free). For tests and for photos given as files. */
guint8     *lacuna_vision_load_image_grey   (const char          *path,
                                             guint               *out_width,
                                             guint               *out_height,
                                             GError             **error);

G_END_DECLS
