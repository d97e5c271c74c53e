/* lacuna-vision-loader.c: the engine's side of lacuna-vision.h.
 *
 * The detectors themselves (OpenCV, dlib) live in a loadable module, liblacuna-vision.so
 * (lacuna-vision.cc, lacuna-vision-dlib.cc), which is loaded here with GModule the first time
 * a detector is loaded or run: a program that never checks for faces never loads OpenCV or
 * dlib. The detectors' identifiers and names are known without the module.
 *
 * Where the module is looked for, first match wins:
 *   1. $LACUNA_MODULE_DIR, when set (and then only there);
 *   2. the build tree's src/vision, when the running program is itself in the build tree
 *      (tests, benchmarks, build-aux/dev run);
 *   3. the installed LACUNA_MODULEDIR ($libdir/lacuna).
 * When it cannot be loaded, every call fails with LACUNA_VISION_ERROR_UNAVAILABLE.
 */
#define G_LOG_DOMAIN "lacuna-vision"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>
#include <gmodule.h>

#include "lacuna-vision-module.h"

G_DEFINE_QUARK (lacuna-vision-error-quark, lacuna_vision_error)

/* Set once, by the first call that needs the module: the table, or why there is none. */
static const LacunaVisionModuleTable *table;
static char                          *load_failure;

const char *
lacuna_vision_detector_get_id (LacunaVisionDetector detector)
{
  switch (detector)
    {
    case LACUNA_VISION_HAAR_ALT2: return "haar-alt2";
    case LACUNA_VISION_LBP_IMPROVED: return "lbp-improved";
    case LACUNA_VISION_DLIB_HOG: return "dlib-hog";
    case LACUNA_VISION_N_DETECTORS:
    default: break;
    }
  g_return_val_if_reached (NULL);
}

const char *
lacuna_vision_detector_get_name (LacunaVisionDetector detector)
{
  switch (detector)
    {
    case LACUNA_VISION_HAAR_ALT2: return "OpenCV Haar cascade (frontal face alt2)";
    case LACUNA_VISION_LBP_IMPROVED: return "OpenCV LBP cascade (frontal face improved)";
    case LACUNA_VISION_DLIB_HOG: return "dlib HOG frontal face detector";
    case LACUNA_VISION_N_DETECTORS:
    default: break;
    }
  g_return_val_if_reached (NULL);
}

/* TRUE when the running program lies below the build tree this file was compiled in. */
static gboolean
running_from_build_tree (void)
{
  g_autofree char *exe = realpath ("/proc/self/exe", NULL);
  g_autofree char *root = realpath (LACUNA_BUILD_ROOT, NULL);
  gsize len;

  if (exe == NULL || root == NULL)
    return FALSE;
  len = strlen (root);
  return strncmp (exe, root, len) == 0 && exe[len] == G_DIR_SEPARATOR;
}

static char *
find_module_dir (void)
{
  const char *dir = g_getenv ("LACUNA_MODULE_DIR");

  if (dir != NULL && *dir != '\0')
    return g_strdup (dir);
  if (running_from_build_tree ())
    return g_strdup (LACUNA_BUILD_MODULEDIR);
  return g_strdup (LACUNA_MODULEDIR);
}

static const LacunaVisionModuleTable *
load_module (char **failure)
{
  g_autofree char *dir = find_module_dir ();
  g_autofree char *path = g_build_filename (dir, LACUNA_VISION_MODULE_NAME, NULL);
  LacunaVisionModuleGetTable get_table_func = NULL;
  const LacunaVisionModuleTable *found = NULL;
  GModule *module;

  /* Registered from here first, so the quark's string is never the module's copy. */
  (void) lacuna_vision_error_quark ();

  module = g_module_open (path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
  if (module == NULL)
    {
      /* g_module_error() names the file that failed (the module or a library it needs). */
      *failure = g_strdup_printf (_("Face detection is not available: its module could not "
                                    "be loaded (%s)"), g_module_error ());
      return NULL;
    }
  if (g_module_symbol (module, LACUNA_VISION_MODULE_SYMBOL, (gpointer *) &get_table_func)
      && get_table_func != NULL)
    found = get_table_func (LACUNA_VISION_MODULE_ABI);
  if (found == NULL)
    {
      *failure = g_strdup_printf (_("Face detection is not available: the module %s was "
                                    "built for another version of Lacuna"), path);
      g_module_close (module);
      return NULL;
    }
  /* OpenCV and dlib keep threads and static state: never unloaded. */
  g_module_make_resident (module);
  g_debug ("face detectors loaded from %s", path);
  return found;
}

static const LacunaVisionModuleTable *
get_table (GError **error)
{
  static gsize once;

  if (g_once_init_enter (&once))
    {
      table = load_module (&load_failure);
      g_once_init_leave (&once, 1);
    }
  if (table == NULL)
    g_set_error_literal (error, LACUNA_VISION_ERROR, LACUNA_VISION_ERROR_UNAVAILABLE,
                         load_failure);
  return table;
}

gboolean
lacuna_vision_detector_load (LacunaVisionDetector   detector,
                             GError               **error)
{
  const LacunaVisionModuleTable *t = get_table (error);

  return t != NULL && t->detector_load (detector, error);
}

GArray *
lacuna_vision_detect (LacunaVisionDetector   detector,
                      const guint8          *grey,
                      guint                  width,
                      guint                  height,
                      gsize                  stride,
                      GError               **error)
{
  return lacuna_vision_detect_sized (detector, grey, width, height, stride, 0, error);
}

GArray *
lacuna_vision_detect_sized (LacunaVisionDetector   detector,
                            const guint8          *grey,
                            guint                  width,
                            guint                  height,
                            gsize                  stride,
                            guint                  min_side,
                            GError               **error)
{
  const LacunaVisionModuleTable *t;

  g_return_val_if_fail (grey != NULL, NULL);

  t = get_table (error);
  if (t == NULL)
    return NULL;
  return t->detect_sized (detector, grey, width, height, stride, min_side, error);
}

guint8 *
lacuna_vision_load_image_grey (const char  *path,
                               guint       *out_width,
                               guint       *out_height,
                               GError     **error)
{
  const LacunaVisionModuleTable *t;

  g_return_val_if_fail (path != NULL, NULL);

  t = get_table (error);
  if (t == NULL)
    return NULL;
  return t->load_image_grey (path, out_width, out_height, error);
}
