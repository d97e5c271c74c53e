/* bench-face: figures for face detection in volumes (issue 5, item 3). Prints, never asserts.
 *
 *   bench-face [N [VOXEL_MM]]
 *
 * Generates an N-slice (default 256) axial CT head phantom (N × N voxels a slice, default
 * 0.8 mm, tests/core/face-phantom.h), then times: the renders of the nine views, the whole
 * check (render + detect, target ≤ 2 s wall on 2 cores) on 1 and 2 threads, each detector
 * on the images the check gave it, and defacing (check, cut, re-check). With
 * BENCH_FACE_PNGS=DIR, the defacing's before/after views are written there.
 */
#define G_LOG_DOMAIN "bench-face"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "lacuna-core.h"
#include "lacuna-deface.h"
#include "lacuna-face.h"
#include "lacuna-face-private.h"
#include "face-phantom.h"

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

/* CPU time of this process (all threads), ms: on a shared machine, wall time overstates. */
static double
cpu_ms (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec * 1000.0 + ru.ru_utime.tv_usec / 1000.0
         + ru.ru_stime.tv_sec * 1000.0 + ru.ru_stime.tv_usec / 1000.0;
}

static LacunaFaceResult *
timed_check (LacunaVolume *volume,
             guint         threads,
             const char   *what)
{
  g_autoptr(GError) error = NULL;
  LacunaFaceResult *result;
  double t0 = now_ms (), c0 = cpu_ms ();

  _lacuna_face_max_threads = threads;
  result = lacuna_face_check_volume (volume, NULL, &error);
  if (result == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      exit (1);
    }
  printf ("check, %s, %u thread(s): %.0f ms wall, %.0f ms CPU — %s in %u of 9 views\n", what,
          threads, now_ms () - t0, cpu_ms () - c0,
          lacuna_face_result_get_found (result) ? "found" : "not found",
          lacuna_face_result_get_n_views_found (result));
  return result;
}

int
main (int   argc,
      char *argv[])
{
  guint n = argc > 1 ? (guint) atoi (argv[1]) : 256;
  double voxel = argc > 2 ? g_ascii_strtod (argv[2], NULL) : 0.8;
  g_autoptr(LacunaVolume) volume = NULL;
  g_autoptr(LacunaFaceResult) result = NULL;
  g_autoptr(LacunaDefaceResult) deface = NULL;
  g_autoptr(GError) error = NULL;
  double t0, c0, render_cpu = 0, render_ms = 0, detect_ms[LACUNA_VISION_N_DETECTORS] = { 0 }, t;
  double detect_cpu[LACUNA_VISION_N_DETECTORS] = { 0 };
  static const double yaws[3] = { 0, -30, 30 }, pitches[3] = { 0, -15, 15 };
  guint threads = MIN (2, g_get_num_processors ());

  if (n < 16 || n > 1024 || !(voxel >= 0.3 && voxel <= 3.0))
    {
      fprintf (stderr, "usage: bench-face [N: 16..1024 [VOXEL_MM: 0.3..3]]\n");
      return 2;
    }

  t0 = now_ms ();
  for (guint d = 0; d < LACUNA_VISION_N_DETECTORS; d++)
    if (!lacuna_vision_detector_load (d, &error))
      {
        fprintf (stderr, "%s\n", error->message);
        return 1;
      }
  printf ("detector models loaded: %.0f ms (once per process)\n", now_ms () - t0);

  t0 = now_ms ();
  volume = phantom_new_axial (n, voxel, TRUE);
  printf ("phantom: %u × %u × %u voxels of %.2f mm generated in %.0f ms\n", n, n, n, voxel,
          now_ms () - t0);

  /* The stages one by one, on this thread. */
  for (guint p = 0; p < 3; p++)
    for (guint y = 0; y < 3; y++)
      {
        g_autoptr(LacunaFaceRender) render = NULL;

        t = now_ms ();
        c0 = cpu_ms ();
        render = _lacuna_face_render (volume, LACUNA_FACE_CT_SKIN_HU, yaws[y], pitches[p]);
        render_ms += now_ms () - t;
        render_cpu += cpu_ms () - c0;
        if (p == 0 && y == 0)
          printf ("render size: %u × %u pixels of %.2f mm\n", render->width, render->height,
                  render->pixel);
      }
  printf ("render: %.0f ms wall, %.0f ms CPU for 9 views (each with its own occupancy map)\n",
          render_ms, render_cpu);

  /* The whole check: the first run also makes each thread's detector instances. */
  g_clear_object (&result);
  result = timed_check (volume, threads, "first (cold)");
  g_clear_object (&result);
  result = timed_check (volume, 1, "warm");
  g_clear_object (&result);
  result = timed_check (volume, threads, "warm (target ≤ 2000 ms wall)");

  /* Each detector on exactly the images the check gave it. */
  for (guint v = 0; v < lacuna_face_result_get_n_views (result); v++)
    {
      const LacunaFaceView *view = lacuna_face_result_get_view (result, v);
      const LacunaFaceRender *render = _lacuna_face_result_get_render (result, v);
      guint min_side = _lacuna_face_get_min_side (render, view->scale);

      if (v == 0)
        printf ("detector input: %u × %u pixels (render × %u), faces ≥ %u pixels\n",
                view->width, view->height, view->scale, min_side);
      for (guint d = 0; d < LACUNA_VISION_N_DETECTORS; d++)
        {
          g_autoptr(GArray) boxes = NULL;

          t = now_ms ();
          c0 = cpu_ms ();
          boxes = lacuna_vision_detect_sized (d, view->image, view->width, view->height,
                                              view->width, min_side, NULL);
          detect_ms[d] += now_ms () - t;
          detect_cpu[d] += cpu_ms () - c0;
        }
    }
  for (guint d = 0; d < LACUNA_VISION_N_DETECTORS; d++)
    printf ("  %-13s %.0f ms wall, %.0f ms CPU for the 9 views\n",
            lacuna_vision_detector_get_id (d), detect_ms[d], detect_cpu[d]);

  _lacuna_face_max_threads = threads;
  t0 = now_ms ();
  c0 = cpu_ms ();
  deface = lacuna_deface_volume (volume, LACUNA_DEFACE_DEFAULT_DEPTH_MM, NULL, &error);
  if (deface == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  printf ("deface (check + cut(s) + re-check(s)): %.0f ms wall, %.0f ms CPU — %s cut, %"
          G_GUINT64_FORMAT " voxels changed, %" G_GUINT64_FORMAT " deeper than 25 mm, after: %s, "
          "verified: %s\n",
          now_ms () - t0, cpu_ms () - c0, lacuna_deface_result_get_method (deface),
          lacuna_deface_result_get_n_changed (deface),
          lacuna_deface_result_get_n_deep_changed (deface),
          lacuna_face_result_get_found (lacuna_deface_result_get_after (deface))
          ? "found" : "not found",
          lacuna_deface_result_get_verified (deface) ? "yes" : "NO");
  if (g_getenv ("BENCH_FACE_PNGS") != NULL)
    {
      lacuna_face_result_write_pngs (lacuna_deface_result_get_before (deface),
                                     g_getenv ("BENCH_FACE_PNGS"), "bench-before", NULL);
      lacuna_face_result_write_pngs (lacuna_deface_result_get_after (deface),
                                     g_getenv ("BENCH_FACE_PNGS"), "bench-after", NULL);
    }
  return 0;
}
