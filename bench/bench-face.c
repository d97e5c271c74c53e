/* bench-face: figures for face detection in volumes (issue 5, item 3). Prints, never asserts.
 *
 *   bench-face [N]
 *
 * Generates an N-slice (default 256) axial CT head phantom (N × N voxels a slice, 0.8 mm,
 * tests/core/face-phantom.h), then times: the renders of the nine views, each detector on
 * them, the whole check (render + detect, target ≤ 2 s), and defacing (check, cut, re-check).
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

int
main (int   argc,
      char *argv[])
{
  guint n = argc > 1 ? (guint) atoi (argv[1]) : 256;
  g_autoptr(LacunaVolume) volume = NULL;
  g_autoptr(LacunaFaceResult) result = NULL;
  g_autoptr(LacunaDefaceResult) deface = NULL;
  g_autoptr(GError) error = NULL;
  double t0, c0, render_cpu = 0, render_ms = 0, detect_ms[LACUNA_VISION_N_DETECTORS] = { 0 }, t;
  static const double yaws[3] = { 0, -30, 30 }, pitches[3] = { 0, -15, 15 };

  if (n < 16 || n > 1024)
    {
      fprintf (stderr, "usage: bench-face [N: 16..1024]\n");
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
  volume = phantom_new_axial (n, 0.8, TRUE);
  printf ("phantom: %u × %u × %u voxels of 0.8 mm generated in %.0f ms\n", n, n, n, now_ms () - t0);

  for (guint p = 0; p < 3; p++)
    for (guint y = 0; y < 3; y++)
      {
        g_autoptr(LacunaFaceRender) render = NULL;

        t = now_ms ();
        c0 = cpu_ms ();
        render = _lacuna_face_render (volume, LACUNA_FACE_CT_SKIN_HU, yaws[y], pitches[p]);
        render_ms += now_ms () - t;
        render_cpu += cpu_ms () - c0;
        for (guint d = 0; d < LACUNA_VISION_N_DETECTORS; d++)
          {
            g_autoptr(GArray) boxes = NULL;

            t = now_ms ();
            boxes = lacuna_vision_detect (d, render->shaded, render->width, render->height,
                                          render->width, NULL);
            detect_ms[d] += now_ms () - t;
          }
        if (p == 0 && y == 0)
          printf ("render size: %u × %u pixels of %.2f mm\n", render->width, render->height,
                  render->pixel);
      }
  printf ("render: %.0f ms wall, %.0f ms CPU for 9 views (incl. occupancy)\n", render_ms,
          render_cpu);
  for (guint d = 0; d < LACUNA_VISION_N_DETECTORS; d++)
    printf ("  %-13s %.0f ms for 9 renders (native size)\n", lacuna_vision_detector_get_id (d),
            detect_ms[d]);

  t0 = now_ms ();
  c0 = cpu_ms ();
  result = lacuna_face_check_volume (volume, NULL, &error);
  if (result == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  printf ("check (9 views rendered, upscaled, 3 detectors each): %.0f ms wall, %.0f ms CPU "
          "(target ≤ 2000) — %s\n", now_ms () - t0, cpu_ms () - c0,
          lacuna_face_result_get_found (result) ? "found" : "not found");

  t0 = now_ms ();
  c0 = cpu_ms ();
  deface = lacuna_deface_volume (volume, LACUNA_DEFACE_DEFAULT_DEPTH_MM, NULL, &error);
  if (deface == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  printf ("deface (check + cut(s) + re-check(s)): %.0f ms wall, %.0f ms CPU — %s cut, %"
          G_GUINT64_FORMAT " voxels changed, %" G_GUINT64_FORMAT " deeper than 25 mm, after: %s\n",
          now_ms () - t0, cpu_ms () - c0, lacuna_deface_result_get_method (deface),
          lacuna_deface_result_get_n_changed (deface),
          lacuna_deface_result_get_n_deep_changed (deface),
          lacuna_face_result_get_found (lacuna_deface_result_get_after (deface))
          ? "found" : "not found");
  return 0;
}
