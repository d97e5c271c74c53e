/* bench-foundation: figures for the foundation (issue 2). Prints, never asserts.
 *
 *   bench-foundation SERIES_DIR
 *
 * SERIES_DIR holds one series (e.g. ../shared/bench/make-workload.sh WORK 500 → WORK/large:
 * 500 × 512×512 CT). Each phase runs in a fresh child process so that its peak memory is its
 * own and no phase warms the next one's caches (the page cache is warm for all: the files
 * are read once first).
 *
 * Phases:
 *   index  — LacunaLoader over the folder: files/s and peak RSS.
 *   first  — time from starting the load to the first image decoded and windowed
 *            (the loader's first-image callback, then open + decode + render).
 *   slice  — decode + window of one slice from an opened file (median and p95 of all slices),
 *            and open (full parse) + decode + window.
 */
#define G_LOG_DOMAIN "bench-foundation"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "lacuna-core.h"

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

static long
peak_rss_kb (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
percentile (GArray *values,
            double  p)
{
  if (values->len == 0)
    return 0;
  qsort (values->data, values->len, sizeof (double), compare_doubles);
  return g_array_index (values, double, MIN (values->len - 1, (guint) (p * values->len)));
}

static int
phase_index (const char *dir)
{
  const char *paths[] = { dir, NULL };
  g_autoptr(LacunaLoader) loader = lacuna_loader_new (paths);
  g_autoptr(LacunaCollection) collection = NULL;
  g_autoptr(GError) error = NULL;
  long rss_before = peak_rss_kb ();
  double t0 = now_ms (), elapsed;
  guint n;

  collection = lacuna_loader_load (loader, NULL, &error);
  elapsed = now_ms () - t0;
  if (collection == NULL)
    {
      fprintf (stderr, "index: %s\n", error->message);
      return 1;
    }
  n = lacuna_collection_get_n_instances (collection);
  printf ("index: %u files in %.0f ms = %.0f files/s (target ≥ 1000); "
          "peak RSS %.1f MB (before loading %.1f MB; target < 100 MB)\n",
          n, elapsed, n / (elapsed / 1000.0), peak_rss_kb () / 1024.0, rss_before / 1024.0);
  return 0;
}

typedef struct
{
  GMutex          lock;
  GCond           cond;
  LacunaInstance *first;
  double          at_ms;
} FirstImage;

static void
first_image_cb (LacunaInstance *instance,
                gpointer        user_data)
{
  FirstImage *fi = user_data;

  g_mutex_lock (&fi->lock);
  if (fi->first == NULL)
    {
      fi->first = g_object_ref (instance);
      fi->at_ms = now_ms ();
      g_cond_signal (&fi->cond);
    }
  g_mutex_unlock (&fi->lock);
}

static gpointer
load_thread (gpointer data)
{
  LacunaLoader *loader = data;

  return lacuna_loader_load (loader, NULL, NULL);
}

static int
phase_first (const char *dir)
{
  const char *paths[] = { dir, NULL };
  g_autoptr(LacunaLoader) loader = lacuna_loader_new (paths);
  g_autoptr(LacunaDicomFile) file = NULL;
  g_autoptr(LacunaFrame) frame = NULL;
  g_autoptr(LacunaCollection) collection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *rgb = NULL;
  FirstImage fi = { 0 };
  GThread *thread;
  double t0, t_done, center, width;
  gboolean lut;

  g_mutex_init (&fi.lock);
  g_cond_init (&fi.cond);
  lacuna_loader_set_first_image_func (loader, first_image_cb, &fi, NULL);

  t0 = now_ms ();
  thread = g_thread_new ("load", load_thread, loader);

  g_mutex_lock (&fi.lock);
  while (fi.first == NULL)
    if (!g_cond_wait_until (&fi.cond, &fi.lock, g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND))
      break;
  g_mutex_unlock (&fi.lock);

  if (fi.first == NULL)
    {
      fprintf (stderr, "first: no first-image callback\n");
      return 1;
    }
  file = lacuna_instance_open (fi.first, &error);
  if (file != NULL)
    frame = lacuna_frame_decode (file, 0, &error);
  if (frame == NULL)
    {
      fprintf (stderr, "first: %s\n", error->message);
      return 1;
    }
  rgb = g_malloc ((gsize) lacuna_frame_get_width (frame) * lacuna_frame_get_height (frame) * 3);
  lacuna_frame_get_default_window (frame, &center, &width, &lut);
  lacuna_frame_render_rgb (frame, center, width, lut, rgb, lacuna_frame_get_width (frame) * 3);
  t_done = now_ms ();

  collection = g_thread_join (thread);
  printf ("first image: indexed after %.1f ms, on screen-ready (opened, decoded, windowed) after "
          "%.1f ms (target < 150 ms); whole load took %.0f ms\n",
          fi.at_ms - t0, t_done - t0, now_ms () - t0);
  g_clear_object (&fi.first);
  return 0;
}

static int
phase_slice (const char *dir)
{
  const char *paths[] = { dir, NULL };
  g_autoptr(LacunaLoader) loader = lacuna_loader_new (paths);
  g_autoptr(LacunaCollection) collection = NULL;
  g_autoptr(GListModel) series = NULL;
  g_autoptr(LacunaSeries) first_series = NULL;
  g_autoptr(GArray) decode = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) full = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *rgb = NULL;
  guint n;

  collection = lacuna_loader_load (loader, NULL, &error);
  if (collection == NULL)
    {
      fprintf (stderr, "slice: %s\n", error->message);
      return 1;
    }
  series = lacuna_collection_list_series (collection);
  if (g_list_model_get_n_items (series) == 0)
    {
      fprintf (stderr, "slice: no series\n");
      return 1;
    }
  first_series = g_list_model_get_item (series, 0);
  n = g_list_model_get_n_items (G_LIST_MODEL (first_series));

  for (guint i = 0; i < n; i++)
    {
      LacunaInstance *instance = lacuna_series_get_instance (first_series, i);
      g_autoptr(LacunaDicomFile) file = NULL;
      g_autoptr(LacunaFrame) frame = NULL;
      double t0, t1, t2, center, width;
      gboolean lut;

      t0 = now_ms ();
      file = lacuna_instance_open (instance, &error);
      if (file == NULL)
        {
          fprintf (stderr, "slice %u: %s\n", i, error->message);
          return 1;
        }
      t1 = now_ms ();
      frame = lacuna_frame_decode (file, 0, &error);
      if (frame == NULL)
        {
          fprintf (stderr, "slice %u: %s\n", i, error->message);
          return 1;
        }
      if (rgb == NULL)
        rgb = g_malloc ((gsize) lacuna_frame_get_width (frame) * lacuna_frame_get_height (frame) * 3);
      lacuna_frame_get_default_window (frame, &center, &width, &lut);
      lacuna_frame_render_rgb (frame, center, width, lut, rgb, lacuna_frame_get_width (frame) * 3);
      t2 = now_ms ();
      g_array_append_vals (decode, &(double) { t2 - t1 }, 1);
      g_array_append_vals (full, &(double) { t2 - t0 }, 1);
    }

  printf ("slice: decode + window of one slice: median %.2f ms, p95 %.2f ms over %u slices "
          "(target < 2 ms)\n", percentile (decode, 0.5), percentile (decode, 0.95), n);
  printf ("slice: open (full parse) + decode + window: median %.2f ms, p95 %.2f ms\n",
          percentile (full, 0.5), percentile (full, 0.95));
  return 0;
}

static void
warm_cache (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;

      g_file_get_contents (path, &contents, NULL, NULL);
    }
}

int
main (int    argc,
      char **argv)
{
  const char *dir;
  const char *phases[] = { "first", "index", "slice" };
  int status = 0;

  lacuna_dicom_init ();

  if (argc == 3)
    {
      if (strcmp (argv[1], "index") == 0)
        return phase_index (argv[2]);
      if (strcmp (argv[1], "first") == 0)
        return phase_first (argv[2]);
      if (strcmp (argv[1], "slice") == 0)
        return phase_slice (argv[2]);
    }

  dir = argc > 1 ? argv[1] : g_getenv ("LACUNA_BENCH_SERIES");
  if (dir == NULL || !g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      printf ("bench-foundation: no series folder given (argument or LACUNA_BENCH_SERIES); "
              "make one with ../shared/bench/make-workload.sh WORK 500 and pass WORK/large\n");
      return 77;
    }

  warm_cache (dir);
  for (gsize i = 0; i < G_N_ELEMENTS (phases); i++)
    {
      const char *child_argv[] = { argv[0], phases[i], dir, NULL };
      g_autoptr(GError) error = NULL;
      int wait_status = 0;

      fflush (stdout);
      if (!g_spawn_sync (NULL, (char **) child_argv, NULL, G_SPAWN_CHILD_INHERITS_STDIN, NULL, NULL, NULL, NULL, &wait_status,
                         &error))
        {
          fprintf (stderr, "%s: %s\n", phases[i], error->message);
          status = 1;
        }
      else if (!g_spawn_check_wait_status (wait_status, NULL))
        status = 1;
    }
  return status;
}
