/* lacuna-vision.cc: the OpenCV half of the face-detector shim (Haar alt2, LBP improved), and
 * the entry point of the module both halves are built into (liblacuna-vision.so, loaded on
 * first use by lacuna-vision-loader.c: see lacuna-vision-module.h).
 *
 * Never includes config.h (see STACK-NOTES §1: keep the shims free of the app's macros).
 * Every OpenCV call is wrapped: cv::Exception and std::exception become GErrors.
 */
#define G_LOG_DOMAIN "lacuna-vision"

#include <exception>
#include <mutex>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include <gmodule.h>

#include "lacuna-vision-module.h"
#include "lacuna-vision-private.h"

#ifndef LACUNA_OPENCV_DATA
#define LACUNA_OPENCV_DATA "/usr/share/opencv4"
#endif

/* The module's own copy (its symbols are hidden): the same string, so the same quark as the
 * loader's LACUNA_VISION_ERROR. */
G_DEFINE_QUARK (lacuna-vision-error-quark, lacuna_vision_error)

namespace {

struct Cascade
{
  const char                          *file;       /* below LACUNA_OPENCV_DATA */
  std::once_flag                       once;
  bool                                 loaded = false;
  std::mutex                           lock;       /* guards idle */
  /* Classifiers not in use: detectMultiScale keeps per-call state in its classifier, so
   * each concurrent call takes one of its own (loaded from the file when none is idle). */
  std::vector<cv::CascadeClassifier *> idle;
};

Cascade cascades[2] = {
  { "haarcascades/haarcascade_frontalface_alt2.xml", {}, false, {}, {} },
  { "lbpcascades/lbpcascade_frontalface_improved.xml", {}, false, {}, {} },
};

cv::CascadeClassifier *
cascade_new_classifier (Cascade *cascade)
{
  cv::CascadeClassifier *classifier = nullptr;

  try
    {
      std::string path = std::string (LACUNA_OPENCV_DATA) + "/" + cascade->file;

      if (!g_file_test (path.c_str (), G_FILE_TEST_IS_REGULAR))
        return nullptr;
      classifier = new cv::CascadeClassifier ();
      if (classifier->load (path) && !classifier->empty ())
        return classifier;
    }
  catch (const std::exception &)
    {
    }
  delete classifier;
  return nullptr;
}

bool
cascade_load (Cascade  *cascade,
              GError  **error)
{
  std::call_once (cascade->once, [cascade] ()
    {
      cv::CascadeClassifier *classifier = cascade_new_classifier (cascade);

      cascade->loaded = classifier != nullptr;
      if (classifier != nullptr)
        {
          std::lock_guard<std::mutex> guard (cascade->lock);
          cascade->idle.push_back (classifier);
        }
    });
  if (!cascade->loaded)
    g_set_error (error, LACUNA_VISION_ERROR, LACUNA_VISION_ERROR_MODEL,
                 "The face detector model %s/%s could not be loaded (package opencv-data)",
                 LACUNA_OPENCV_DATA, cascade->file);
  return cascade->loaded;
}

/* An idle classifier, or a new one; nullptr + error when none can be loaded. */
cv::CascadeClassifier *
cascade_acquire (Cascade  *cascade,
                 GError  **error)
{
  cv::CascadeClassifier *classifier = nullptr;

  if (!cascade_load (cascade, error))
    return nullptr;
  {
    std::lock_guard<std::mutex> guard (cascade->lock);

    if (!cascade->idle.empty ())
      {
        classifier = cascade->idle.back ();
        cascade->idle.pop_back ();
      }
  }
  if (classifier == nullptr)
    classifier = cascade_new_classifier (cascade);
  if (classifier == nullptr)
    g_set_error (error, LACUNA_VISION_ERROR, LACUNA_VISION_ERROR_MODEL,
                 "The face detector model %s/%s could not be loaded (package opencv-data)",
                 LACUNA_OPENCV_DATA, cascade->file);
  return classifier;
}

void
cascade_release (Cascade               *cascade,
                 cv::CascadeClassifier *classifier)
{
  std::lock_guard<std::mutex> guard (cascade->lock);

  cascade->idle.push_back (classifier);
}

bool
cascade_detect (Cascade       *cascade,
                const guint8  *grey,
                guint          width,
                guint          height,
                gsize          stride,
                guint          min_side,
                GArray        *boxes,
                GError       **error)
{
  cv::CascadeClassifier *classifier = cascade_acquire (cascade, error);
  bool ok = false;

  if (classifier == nullptr)
    return false;

  try
    {
      /* The Mat only wraps the caller's buffer; equalising writes a copy. */
      cv::Mat image ((int) height, (int) width, CV_8UC1, (void *) grey, stride);
      cv::Mat equalised;
      std::vector<cv::Rect> found;
      std::vector<int> levels;
      std::vector<double> weights;
      int smallest = (int) MAX (24u, min_side);

      cv::equalizeHist (image, equalised);
      if (smallest <= (int) MIN (width, height))
        classifier->detectMultiScale (equalised, found, levels, weights, 1.1, 4, 0,
                                      cv::Size (smallest, smallest), cv::Size (), true);
      for (size_t i = 0; i < found.size (); i++)
        {
          LacunaVisionBox box = { found[i].x, found[i].y, found[i].width, found[i].height,
                                  i < weights.size () ? weights[i] : 0.0 };
          g_array_append_val (boxes, box);
        }
      ok = true;
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
  cascade_release (cascade, classifier);
  return ok;
}

gboolean
detector_load (LacunaVisionDetector   detector,
               GError               **error)
{
  switch (detector)
    {
    case LACUNA_VISION_HAAR_ALT2:
      return cascade_load (&cascades[0], error);
    case LACUNA_VISION_LBP_IMPROVED:
      return cascade_load (&cascades[1], error);
    case LACUNA_VISION_DLIB_HOG:
      return _lacuna_vision_dlib_load (error);
    case LACUNA_VISION_N_DETECTORS:
    default:
      break;
    }
  g_set_error (error, LACUNA_VISION_ERROR, LACUNA_VISION_ERROR_INVALID,
               "Unknown face detector %d", (int) detector);
  return FALSE;
}

GArray *
detect_sized (LacunaVisionDetector   detector,
              const guint8          *grey,
              guint                  width,
              guint                  height,
              gsize                  stride,
              guint                  min_side,
              GError               **error)
{
  GArray *boxes;
  bool ok = false;

  g_return_val_if_fail (grey != NULL, NULL);

  if (width == 0 || height == 0 || width > LACUNA_VISION_MAX_SIDE
      || height > LACUNA_VISION_MAX_SIDE || stride < width)
    {
      g_set_error (error, LACUNA_VISION_ERROR, LACUNA_VISION_ERROR_INVALID,
                   "Cannot look for faces in a %u × %u image", width, height);
      return NULL;
    }

  boxes = g_array_new (FALSE, FALSE, sizeof (LacunaVisionBox));
  switch (detector)
    {
    case LACUNA_VISION_HAAR_ALT2:
      ok = cascade_detect (&cascades[0], grey, width, height, stride, min_side, boxes, error);
      break;
    case LACUNA_VISION_LBP_IMPROVED:
      ok = cascade_detect (&cascades[1], grey, width, height, stride, min_side, boxes, error);
      break;
    case LACUNA_VISION_DLIB_HOG:
      ok = _lacuna_vision_dlib_detect (grey, width, height, stride, min_side, boxes, error);
      break;
    case LACUNA_VISION_N_DETECTORS:
    default:
      g_set_error (error, LACUNA_VISION_ERROR, LACUNA_VISION_ERROR_INVALID,
                   "Unknown face detector %d", (int) detector);
      break;
    }
  if (!ok)
    {
      g_array_unref (boxes);
      return NULL;
    }
  return boxes;
}

guint8 *
load_image_grey (const char  *path,
                 guint       *out_width,
                 guint       *out_height,
                 GError     **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  return _lacuna_vision_dlib_load_image_grey (path, out_width, out_height, error);
}

const LacunaVisionModuleTable table = {
  LACUNA_VISION_MODULE_ABI,
  detector_load,
  detect_sized,
  load_image_grey,
};

} /* namespace */

/* The module's one exported symbol (LACUNA_VISION_MODULE_SYMBOL). */
extern "C" G_MODULE_EXPORT const LacunaVisionModuleTable *
lacuna_vision_module_get_table (guint abi)
{
  return abi == LACUNA_VISION_MODULE_ABI ? &table : NULL;
}
