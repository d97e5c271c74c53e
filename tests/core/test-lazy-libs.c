/* The face detectors (OpenCV, dlib: the liblacuna-vision module) and Tesseract are loaded on
 * first use, not at start-up: the programs do not link them, a process that never looks for
 * faces or reads text never maps them, and when they cannot be loaded the checks fail with a
 * clear error instead of crashing. */
#define G_LOG_DOMAIN "test-lazy-libs"

#include "config.h"

#include <string.h>

#include "lacuna-core.h"
#include "lacuna-ocr.h"
#include "lacuna-vision.h"
#include "lacuna-test-util.h"

/* Libraries that only the face check and OCR need. */
static const char * const lazy_libraries[] = {
  "libopencv_", "libdlib", "libtesseract", "liblept", "libcurl",
};

/* TRUE when a library whose file name starts with prefix is mapped in this process. */
static gboolean
is_mapped (const char *prefix)
{
  g_autofree char *maps = NULL;
  g_autofree char *needle = g_strconcat ("/", prefix, NULL);

  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  return strstr (maps, needle) != NULL;
}

/* readelf -d on path: none of its DT_NEEDED entries is one of the lazy libraries. */
static void
assert_not_needed (const char *path)
{
  const char *argv[] = { "readelf", "-d", path, NULL };
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  guint n_needed = 0;

  g_assert_cmpint (lacuna_test_run (argv, &out, NULL), ==, 0);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (strstr (lines[i], "(NEEDED)") == NULL)
        continue;
      n_needed++;
      for (guint j = 0; j < G_N_ELEMENTS (lazy_libraries); j++)
        if (strstr (lines[i], lazy_libraries[j]) != NULL)
          g_error ("%s links %s: %s", path, lazy_libraries[j], lines[i]);
    }
  /* The check read something: every program needs GLib. */
  g_assert_cmpuint (n_needed, >, 0);
  g_test_message ("%s: %u libraries needed, none of them for faces or OCR", path, n_needed);
}

static void
test_not_linked (void)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *gui = NULL;

  if (!lacuna_test_require_program ("readelf", "binutils"))
    return;
  g_assert_nonnull (self);
  assert_not_needed (self);
  assert_not_needed (LACUNA_CLI_PATH);
  if (g_getenv ("LACUNA_BUILD_ROOT") != NULL)
    {
      gui = g_build_filename (g_getenv ("LACUNA_BUILD_ROOT"), "src", "gui", "lacuna", NULL);
      if (g_file_test (gui, G_FILE_TEST_IS_EXECUTABLE))
        assert_not_needed (gui);
    }
}

/* Nothing is loaded until a detector is: then the module, and OpenCV and dlib with it. */
static void
test_vision_loaded_on_first_use (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;

      g_unsetenv ("LACUNA_MODULE_DIR");
      /* Names and identifiers do not need the module. */
      g_assert_cmpstr (lacuna_vision_detector_get_id (LACUNA_VISION_DLIB_HOG), ==, "dlib-hog");
      g_assert_nonnull (lacuna_vision_detector_get_name (LACUNA_VISION_HAAR_ALT2));
      g_assert_false (is_mapped ("liblacuna-vision"));
      g_assert_false (is_mapped ("libopencv_core"));
      g_assert_false (is_mapped ("libdlib"));

      /* Found in the build tree: this program is there. */
      g_assert_true (lacuna_vision_detector_load (LACUNA_VISION_DLIB_HOG, &error));
      g_assert_no_error (error);
      g_assert_true (is_mapped ("liblacuna-vision"));
      g_assert_true (is_mapped ("libopencv_core"));
      g_assert_true (is_mapped ("libdlib"));
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* Without the module, every detector call and the face check fail with UNAVAILABLE, and
 * the identifiers still work. */
static void
test_vision_module_missing (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *dir = lacuna_test_make_tmpdir ();
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) boxes = NULL;
      g_autoptr(LacunaFaceResult) result = NULL;
      g_autofree guint8 *grey = g_malloc0 (64 * 64);

      g_setenv ("LACUNA_MODULE_DIR", dir, TRUE);
      g_assert_false (lacuna_vision_detector_load (LACUNA_VISION_HAAR_ALT2, &error));
      g_assert_error (error, LACUNA_VISION_ERROR, LACUNA_VISION_ERROR_UNAVAILABLE);
      g_test_message ("%s", error->message);
      g_clear_error (&error);

      boxes = lacuna_vision_detect (LACUNA_VISION_LBP_IMPROVED, grey, 64, 64, 64, &error);
      g_assert_null (boxes);
      g_assert_error (error, LACUNA_VISION_ERROR, LACUNA_VISION_ERROR_UNAVAILABLE);
      g_clear_error (&error);

      result = lacuna_face_check_image (grey, 64, 64, 64, &error);
      g_assert_null (result);
      g_assert_error (error, LACUNA_VISION_ERROR, LACUNA_VISION_ERROR_UNAVAILABLE);
      g_clear_error (&error);

      g_assert_cmpstr (lacuna_vision_detector_get_id (LACUNA_VISION_HAAR_ALT2), ==, "haar-alt2");
      g_assert_false (is_mapped ("libopencv_core"));
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* libtesseract is mapped by the first availability check, not before. */
static void
test_ocr_loaded_on_first_use (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;

      g_unsetenv ("LACUNA_TESSERACT_LIBRARY");
      g_assert_false (is_mapped ("libtesseract"));
      g_assert_false (is_mapped ("liblept"));
      if (!lacuna_ocr_is_available (&error))
        {
          g_test_skip ("Tesseract with English data (tesseract-ocr-eng) is not available");
          return;
        }
      g_assert_true (is_mapped ("libtesseract"));
      g_assert_true (is_mapped ("liblept"));
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* Without the library, OCR is reported unavailable, and reading fails with the same error. */
static void
test_ocr_library_missing (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *dir = lacuna_test_make_tmpdir ();
      g_autofree char *missing = g_build_filename (dir, "libtesseract.so.5", NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) words = NULL;
      guint8 grey[64 * 32] = { 0, };
      const int box[4] = { 4, 4, 40, 12 };

      g_setenv ("LACUNA_TESSERACT_LIBRARY", missing, TRUE);
      g_assert_false (lacuna_ocr_is_available (&error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
      g_test_message ("%s", error->message);
      g_clear_error (&error);
      words = lacuna_ocr_read_line (grey, 64, 32, 64, box, NULL, &error);
      g_assert_null (words);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
      g_assert_cmpuint (lacuna_ocr_get_n_handles (), ==, 0);
      g_assert_false (is_mapped ("libtesseract"));
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/lazy-libs/not-linked", test_not_linked);
  g_test_add_func ("/core/lazy-libs/vision/first-use", test_vision_loaded_on_first_use);
  g_test_add_func ("/core/lazy-libs/vision/missing", test_vision_module_missing);
  g_test_add_func ("/core/lazy-libs/ocr/first-use", test_ocr_loaded_on_first_use);
  g_test_add_func ("/core/lazy-libs/ocr/missing", test_ocr_library_missing);

  return g_test_run ();
}
