/* lacuna-vision-dlib.cc: the dlib half of the face-detector shim (HOG frontal faces) and
 * the image reader for tests.
 *
 * Its own translation unit because dlib's headers are heavy (≈ 9 s and 550 MB to compile
 * at -O2, STACK-NOTES §6): touch it rarely. No dlib exception leaves this file.
 */
#define G_LOG_DOMAIN "lacuna-vision"

#include <exception>
#include <mutex>
#include <vector>

#include <dlib/image_io.h>
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/image_transforms.h>

#include "lacuna-vision-private.h"

/* Without a minimum face size, images whose smaller side is under this are upsampled once
 * (dlib's window is 80 × 80). */
#define UPSAMPLE_BELOW 400

namespace {

/* dlib's detection window: faces smaller than this need the image upsampled. */
const unsigned WINDOW = 80;

std::once_flag detector_once;
std::mutex pool_lock;       /* guards model and idle */
dlib::frontal_face_detector *model = nullptr;
/* Detectors not in use: object_detector keeps its feature pyramid in the object, so each
 * concurrent call takes one of its own (a copy of the model, made on demand). */
std::vector<dlib::frontal_face_detector *> idle;

bool
detector_load (GError **error)
{
  std::call_once (detector_once, [] ()
    {
      try
        {
          /* Built once (deserialised: about a second), copied for more threads. */
          model = new dlib::frontal_face_detector (dlib::get_frontal_face_detector ());
        }
      catch (const std::exception &)
        {
          model = nullptr;
        }
    });
  if (model == nullptr)
    g_set_error_literal (error, LACUNA_VISION_ERROR, LACUNA_VISION_ERROR_MODEL,
                         "dlib's frontal face detector could not be built");
  return model != nullptr;
}

dlib::frontal_face_detector *
detector_acquire (void)
{
  std::lock_guard<std::mutex> guard (pool_lock);

  if (!idle.empty ())
    {
      dlib::frontal_face_detector *detector = idle.back ();

      idle.pop_back ();
      return detector;
    }
  return new dlib::frontal_face_detector (*model);
}

void
detector_release (dlib::frontal_face_detector *detector)
{
  std::lock_guard<std::mutex> guard (pool_lock);

  idle.push_back (detector);
}

} /* namespace */

gboolean
_lacuna_vision_dlib_load (GError **error)
{
  return detector_load (error);
}

gboolean
_lacuna_vision_dlib_detect (const guint8  *grey,
                            guint          width,
                            guint          height,
                            gsize          stride,
                            guint          min_side,
                            GArray        *boxes,
                            GError       **error)
{
  dlib::frontal_face_detector *detector = nullptr;
  gboolean ok = FALSE;

  if (!detector_load (error))
    return FALSE;

  try
    {
      dlib::array2d<unsigned char> image ((long) height, (long) width);
      std::vector<dlib::rect_detection> found;
      double scale = 1.0;
      bool upsample = min_side == 0 ? MIN (width, height) < UPSAMPLE_BELOW : min_side < WINDOW;

      for (guint y = 0; y < height; y++)
        memcpy (&image[y][0], grey + (gsize) y * stride, width);
      if (upsample)
        {
          dlib::pyramid_up (image);
          scale = (double) width / image.nc ();
        }
      detector = detector_acquire ();
      (*detector) (image, found, 0.0);
      for (const auto &d : found)
        {
          LacunaVisionBox box;

          box.x = (int) (d.rect.left () * scale + 0.5);
          box.y = (int) (d.rect.top () * scale + 0.5);
          box.width = (int) (d.rect.width () * scale + 0.5);
          box.height = (int) (d.rect.height () * scale + 0.5);
          box.score = d.detection_confidence;
          g_array_append_val (boxes, box);
        }
      ok = TRUE;
    }
  catch (const std::exception &e)
    {
      g_set_error (error, LACUNA_VISION_ERROR, LACUNA_VISION_ERROR_FAILED,
                   "The face detector failed: %s", e.what ());
    }
  catch (...)
    {
      g_set_error_literal (error, LACUNA_VISION_ERROR, LACUNA_VISION_ERROR_FAILED,
                           "The face detector failed");
    }
  if (detector != nullptr)
    detector_release (detector);
  return ok;
}

guint8 *
_lacuna_vision_dlib_load_image_grey (const char  *path,
                                     guint       *out_width,
                                     guint       *out_height,
                                     GError     **error)
{
  try
    {
      dlib::array2d<unsigned char> image;
      guint8 *out;

      dlib::load_image (image, path);
      if (image.nc () <= 0 || image.nr () <= 0
          || image.nc () > LACUNA_VISION_MAX_SIDE || image.nr () > LACUNA_VISION_MAX_SIDE)
        {
          g_set_error_literal (error, LACUNA_VISION_ERROR, LACUNA_VISION_ERROR_IMAGE,
                               "The image is empty or too large");
          return NULL;
        }
      out = (guint8 *) g_malloc ((gsize) image.nc () * image.nr ());
      for (long y = 0; y < image.nr (); y++)
        memcpy (out + (gsize) y * image.nc (), &image[y][0], image.nc ());
      *out_width = (guint) image.nc ();
      *out_height = (guint) image.nr ();
      return out;
    }
  catch (const std::exception &e)
    {
      g_set_error (error, LACUNA_VISION_ERROR, LACUNA_VISION_ERROR_IMAGE,
                   "The image could not be read: %s", e.what ());
    }
  catch (...)
    {
      g_set_error_literal (error, LACUNA_VISION_ERROR, LACUNA_VISION_ERROR_IMAGE,
                           "The image could not be read");
    }
  return NULL;
}
