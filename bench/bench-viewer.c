/* bench-viewer: figures for the image view (issue 4). Prints, never asserts.
 *
 *   xvfb-run -a bench-viewer SERIES_DIR [STEPS]
 *
 * SERIES_DIR holds one series (../shared/bench/make-workload.sh WORK 500 → WORK/large:
 * 500 × 512×512 CT). The program runs the real application as `lacuna SERIES_DIR` would
 * (LacunaApplication, its "open" handler, the window, the loader) and measures:
 *
 *   first   — from main() (and from the process start, ±10 ms) to the image view's
 *             "frame-shown": the first slice painted on screen (target < 500 ms);
 *   scroll  — one slice per frame, as a wheel or a held arrow key does: for each step the
 *             work of the step (view.next-slice until the slice is windowed, waiting for its
 *             decode when decode-ahead had not finished it) plus the frame clock's layout
 *             and paint of that slice; median, p95 and max (target < 8 ms), and how many
 *             steps found their slice already decoded;
 *   burst   — the same without waiting for paints (a fast wheel spin): slices/s;
 *   memory  — peak RSS while browsing (target < 400 MB), and the cache's share.
 *
 * With LACUNA_BENCH_INSPECTOR=1 the tag inspector is open while scrolling. It follows the
 * slice shown at most every 100 ms while slices keep coming: a step in which it updated its
 * list also waits until that list is painted. "inspector" says in how many steps that
 * happened, how much main-thread time applying a slice's file to the list took, and whether
 * it ends on the slice shown.
 *
 * Wall-clock figures grow with the machine's load; the CPU times printed beside them (of the
 * main thread, and of the whole process up to the first image) do much less. The renderer
 * is GTK's default unless GSK_RENDERER says otherwise: under Xvfb the default is GL on
 * Mesa's llvmpipe, software rendering that costs far more CPU than a GPU would.
 *
 * The page cache is warmed first (every file read once), as for bench-foundation. Exits 77
 * (skipped) without a series or without a display.
 */
#define G_LOG_DOMAIN "bench-viewer"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "lacuna-application.h"
#include "lacuna-tag-inspector.h"
#include "lacuna-window.h"

static double start_ms;          /* main() */
static double exec_ms = -1;      /* from the process start to main() (dynamic linking) */
static char *series_dir;
static guint n_steps = 300;
static double first_ms = -1;
static double paint_begin_ms;
static double last_paint_ms;
static int status = 0;
static double model_ms = -1, decoded_ms = -1, window_ms = -1;
static double start_thread_cpu_ms, start_process_cpu_ms;
static guint timeout_id;

/* CPU time of the calling thread: load on the machine does not inflate it. */
static double
thread_cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* CPU time of all the threads of the process. */
static double
process_cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

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

static long
current_rss_kb (void)
{
  g_autofree char *status_text = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status_text, NULL, NULL))
    return 0;
  line = strstr (status_text, "VmRSS:");
  return line ? strtol (line + 6, NULL, 10) : 0;
}

/* The process start in g_get_monotonic_time()'s clock (CLOCK_MONOTONIC, which counts
 * from boot like /proc/self/stat's starttime on Linux), or -1. */
static double
process_start (void)
{
  g_autofree char *stat = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after;
  long ticks = sysconf (_SC_CLK_TCK);

  if (!g_file_get_contents ("/proc/self/stat", &stat, NULL, NULL) || ticks <= 0)
    return -1;
  after = strrchr (stat, ')');
  if (after == NULL)
    return -1;
  fields = g_strsplit (after + 2, " ", -1);
  /* Field 22 (starttime) is the 20th after the command name. */
  if (g_strv_length (fields) < 20)
    return -1;
  return g_ascii_strtod (fields[19], NULL) * 1000.0 / ticks;
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

static void
warm_page_cache (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;

      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_file_get_contents (path, &contents, NULL, NULL);
    }
}

/* ------------------------------------------------------------------------------------- */

typedef struct
{
  LacunaImageView *view;
  guint            shown;
} Wait;

static void
shown_cb (LacunaImageView *view,
          guint            position,
          Wait            *wait)
{
  wait->shown = position;
}

static void
paint_begin_cb (void)
{
  paint_begin_ms = now_ms ();
}

static double last_paint_done_ms;

static void
after_paint_cb (void)
{
  last_paint_done_ms = now_ms ();
  last_paint_ms = last_paint_done_ms - paint_begin_ms;
}

/* The inspector open while scrolling (LACUNA_BENCH_INSPECTOR), or NULL. */
static LacunaTagInspector *bench_inspector;
static double inspector_applied_ms;   /* main-thread CPU of the iterations that applied a file */
static double inspector_done_ms = -1; /* when the last one did */

/* One main-loop iteration; when it is the one in which the inspector applied a slice's file
 * to its list (its plan changes with each), its CPU time is counted as the inspector's. */
static void
iterate (void)
{
  gconstpointer plan = bench_inspector != NULL ? lacuna_tag_inspector_get_plan (bench_inspector)
                                               : NULL;
  double c0 = thread_cpu_ms ();

  g_main_context_iteration (NULL, TRUE);
  if (bench_inspector != NULL && lacuna_tag_inspector_get_plan (bench_inspector) != plan)
    {
      inspector_applied_ms += thread_cpu_ms () - c0;
      inspector_done_ms = now_ms ();
    }
}

static void
iterate_until_decoded (LacunaImageView *view)
{
  while (lacuna_image_view_get_busy (view))
    iterate ();
}

static gboolean
inspector_wanted (void)
{
  const char *value = g_getenv ("LACUNA_BENCH_INSPECTOR");

  return value != NULL && *value != '\0' && strcmp (value, "0") != 0;
}

static gboolean
give_up_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates until a frame begun after since_ms is painted (at most 200 ms: a list that did
 * not change paints nothing). */
static void
iterate_until_painted_after (double since_ms)
{
  gboolean given_up = FALSE;
  guint id = g_timeout_add (200, give_up_cb, &given_up);

  while (!given_up && (paint_begin_ms < since_ms || last_paint_done_ms < paint_begin_ms))
    iterate ();
  if (!given_up)
    g_source_remove (id);
}

static void
run_scroll (LacunaWindow *window)
{
  LacunaImageView *view = lacuna_window_get_image_view (window);
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (view));
  g_autoptr(GArray) work = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) total = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) wall = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) step_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) inspector_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  Wait wait = { view, G_MAXUINT };
  guint n = lacuna_image_view_get_n_positions (view);
  guint steps = MIN (n_steps, n > 0 ? n - 1 : 0);
  guint ready = 0, burst_steps;
  gulong shown_id, layout_id, paint_id;
  long rss_loaded;
  double t, t_burst;

  while (lacuna_window_get_loading (window))
    g_main_context_iteration (NULL, TRUE);
  iterate_until_decoded (view);
  n = lacuna_image_view_get_n_positions (view);
  steps = MIN (n_steps, n > 0 ? n - 1 : 0);
  rss_loaded = current_rss_kb ();
  printf ("series: %u slices, %u × %u shown at zoom %.2f in a %d × %d view; decode-ahead %u, "
          "cache limit %zu MiB\n", n,
          lacuna_frame_get_width (lacuna_image_view_get_frame (view)),
          lacuna_frame_get_height (lacuna_image_view_get_frame (view)),
          lacuna_view_state_get_zoom (lacuna_image_view_get_state (view)),
          gtk_widget_get_width (GTK_WIDGET (view)), gtk_widget_get_height (GTK_WIDGET (view)),
          lacuna_image_view_get_decode_ahead (view),
          lacuna_image_view_get_cache_limit (view) / (1024 * 1024));

  shown_id = g_signal_connect (view, "frame-shown", G_CALLBACK (shown_cb), &wait);
  layout_id = g_signal_connect_swapped (clock, "layout", G_CALLBACK (paint_begin_cb), NULL);
  paint_id = g_signal_connect_swapped (clock, "after-paint", G_CALLBACK (after_paint_cb), NULL);

  if (inspector_wanted ())
    {
      bench_inspector = lacuna_window_get_tag_inspector (window);
      gtk_widget_activate_action (GTK_WIDGET (window), "win.show-inspector", NULL);
      /* Opened, filled and painted (twice: the paned takes its place first). */
      while (!gtk_widget_get_mapped (GTK_WIDGET (bench_inspector))
             || lacuna_tag_inspector_get_busy (bench_inspector))
        iterate ();
      iterate_until_painted_after (now_ms ());
      iterate_until_painted_after (now_ms ());
      printf ("inspector: open, %u rows shown, the image view now %d × %d\n",
              g_list_model_get_n_items (lacuna_tag_inspector_get_shown_rows (bench_inspector)),
              gtk_widget_get_width (GTK_WIDGET (view)), gtk_widget_get_height (GTK_WIDGET (view)));
    }

  /* One slice per frame. */
  for (guint i = 0; i < steps; i++)
    {
      double step, t0 = now_ms (), c0 = thread_cpu_ms ();
      guint target = lacuna_image_view_get_position (view) + 1;

      wait.shown = G_MAXUINT;
      if (lacuna_image_view_is_cached (view, target))
        ready++;
      inspector_applied_ms = 0;
      inspector_done_ms = -1;
      gtk_widget_activate_action (GTK_WIDGET (view), "view.next-slice", NULL);
      iterate_until_decoded (view);
      step = now_ms () - t0;
      t = thread_cpu_ms () - c0;
      g_array_append_val (step_cpu, t);
      while (wait.shown != target)
        iterate ();
      /* The list too, when it changed after the image was painted. */
      if (bench_inspector != NULL && inspector_done_ms >= 0)
        iterate_until_painted_after (inspector_done_ms);
      if (bench_inspector != NULL && inspector_done_ms >= 0)
        g_array_append_val (inspector_cpu, inspector_applied_ms);
      g_array_append_val (work, step);
      step += last_paint_ms;
      g_array_append_val (total, step);
      t = now_ms () - t0;
      g_array_append_val (wall, t);
      t = thread_cpu_ms () - c0;
      g_array_append_val (cpu, t);
    }

  printf ("scroll: %u steps, one per frame: step + paint median %.2f ms, p95 %.2f ms, max %.2f ms "
          "(target < 8 ms); step alone median %.2f ms, p95 %.2f ms; %u/%u slices already decoded; "
          "wall time per step (frame clock) median %.1f ms\n",
          steps, percentile (total, 0.5), percentile (total, 0.95), percentile (total, 1.0),
          percentile (work, 0.5), percentile (work, 0.95), ready, steps, percentile (wall, 0.5));
  printf ("scroll: main-thread CPU time per step (step, layout, snapshot, render; not inflated "
          "by other processes) median %.2f ms, p95 %.2f ms, max %.2f ms; of which the step "
          "alone (windowing the slice, the notifications) median %.2f ms\n",
          percentile (cpu, 0.5), percentile (cpu, 0.95), percentile (cpu, 1.0),
          percentile (step_cpu, 0.5));
  if (bench_inspector != NULL)
    {
      guint shown;

      /* The list follows a scroll at most every 100 ms, and ends on the last slice. */
      while (lacuna_tag_inspector_get_busy (bench_inspector))
        iterate ();
      shown = lacuna_image_view_get_position (view);
      printf ("inspector: the list was updated in %u of %u steps (it follows a scroll at most "
              "every 100 ms); main-thread CPU of the iteration that applied a slice's file to "
              "it (its layout and paint are in the step's figures above) median %.2f ms, "
              "max %.2f ms; at the end it shows slice %u: %s\n",
              inspector_cpu->len, steps, percentile (inspector_cpu, 0.5),
              percentile (inspector_cpu, 1.0), shown + 1,
              lacuna_tag_inspector_get_instance (bench_inspector) ==
              lacuna_image_view_get_instance (view, NULL) ? "yes, the one shown" : "NO, another one");
    }

  /* A fast spin back to the start: no waiting for paints. */
  burst_steps = lacuna_image_view_get_position (view);
  t_burst = now_ms ();
  for (guint i = 0; i < burst_steps; i++)
    {
      gtk_widget_activate_action (GTK_WIDGET (view), "view.previous-slice", NULL);
      iterate_until_decoded (view);
      while (g_main_context_pending (NULL))
        g_main_context_iteration (NULL, FALSE);
    }
  t_burst = now_ms () - t_burst;
  if (burst_steps > 0)
    printf ("burst: %u slices backwards in %.0f ms = %.2f ms per slice (%.0f slices/s), "
            "each decoded and windowed\n",
            burst_steps, t_burst, t_burst / burst_steps, burst_steps * 1000.0 / t_burst);

  g_signal_handler_disconnect (view, shown_id);
  g_signal_handler_disconnect (clock, layout_id);
  g_signal_handler_disconnect (clock, paint_id);

  printf ("memory: peak RSS %.0f MB (target < 400 MB); RSS after opening %.0f MB, now %.0f MB; "
          "cache %.0f MB\n",
          peak_rss_kb () / 1024.0, rss_loaded / 1024.0, current_rss_kb () / 1024.0,
          lacuna_image_view_get_cache_size (view) / (1024.0 * 1024.0));
}

static gboolean
scroll_idle (gpointer data)
{
  LacunaWindow *window = data;

  run_scroll (window);
  g_application_quit (g_application_get_default ());
  return G_SOURCE_REMOVE;
}

static void
first_shown_cb (LacunaImageView *view,
                guint            position,
                LacunaWindow    *window)
{
  double t = now_ms ();

  if (first_ms >= 0)
    return;
  first_ms = t - start_ms;
  printf ("first: %.0f ms from main() to the first slice painted", first_ms);
  if (exec_ms >= 0)
    printf (", %.0f ms counting the process start before main() (±10 ms)", first_ms + exec_ms);
  printf (" (target < 500 ms); the folder was %s\n",
          lacuna_window_get_loading (window) ? "still being indexed" : "indexed");
  printf ("  window created at %.0f ms, first file indexed (image asked for) at %.0f ms, "
          "decoded and windowed at %.0f ms, painted at %.0f ms\n",
          window_ms, model_ms, decoded_ms, first_ms);
  /* CPU times do not grow with the machine's load as the wall-clock figures do. */
  printf ("  CPU time from main() to the first slice painted: main thread %.0f ms, all threads "
          "%.0f ms\n", thread_cpu_ms () - start_thread_cpu_ms,
          process_cpu_ms () - start_process_cpu_ms);
  fflush (stdout);
  g_clear_handle_id (&timeout_id, g_source_remove);
  g_signal_handlers_disconnect_by_func (view, first_shown_cb, window);
  g_idle_add (scroll_idle, window);
}


static void
model_cb (LacunaImageView *view)
{
  if (model_ms < 0 && lacuna_image_view_get_model (view) != NULL)
    model_ms = now_ms () - start_ms;
}

static void
frame_cb (LacunaImageView *view)
{
  if (decoded_ms < 0 && lacuna_image_view_get_frame (view) != NULL)
    decoded_ms = now_ms () - start_ms;
}

static void
window_added_cb (GtkApplication *app,
                 GtkWindow      *window)
{
  LacunaImageView *view;

  if (!LACUNA_IS_WINDOW (window))
    return;
  window_ms = now_ms () - start_ms;
  view = lacuna_window_get_image_view (LACUNA_WINDOW (window));
  g_signal_connect (view, "frame-shown", G_CALLBACK (first_shown_cb), window);
  g_signal_connect (view, "notify::model", G_CALLBACK (model_cb), NULL);
  g_signal_connect (view, "notify::frame", G_CALLBACK (frame_cb), NULL);
}

static gboolean
timeout_cb (gpointer data)
{
  timeout_id = 0;
  fprintf (stderr, "bench-viewer: no image after 60 s\n");
  status = 1;
  g_application_quit (g_application_get_default ());
  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(LacunaApplication) app = NULL;
  const char *dir;
  char *app_argv[3];
  double boot_ms;

  start_ms = now_ms ();
  boot_ms = process_start ();
  if (boot_ms > 0)
    exec_ms = MAX (0, start_ms - boot_ms);

  dir = argc > 1 ? argv[1] : g_getenv ("LACUNA_BENCH_SERIES");
  if (dir == NULL || *dir == '\0' || !g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      fprintf (stderr, "usage: bench-viewer SERIES_DIR [STEPS] (or LACUNA_BENCH_SERIES)\n");
      return 77;
    }
  if (argc > 2)
    n_steps = (guint) g_ascii_strtoull (argv[2], NULL, 10);
  series_dir = g_strdup (dir);

  warm_page_cache (series_dir);
  /* The warm-up is not part of opening: "first" counts from after it. */
  start_ms = now_ms ();
  start_thread_cpu_ms = thread_cpu_ms ();
  start_process_cpu_ms = process_cpu_ms ();

  if (!gtk_init_check ())
    {
      fprintf (stderr, "bench-viewer: no display (run it under xvfb-run -a)\n");
      return 77;
    }
  {
    double load[3] = { 0, 0, 0 };

    getloadavg (load, 3);
    printf ("renderer: %s; load average %.1f on %u processors (other processes slow the wall-clock "
            "figures)\n", g_getenv ("GSK_RENDERER") ? g_getenv ("GSK_RENDERER") : "default",
            load[0], g_get_num_processors ());
  }

  app = lacuna_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
  g_signal_connect (app, "window-added", G_CALLBACK (window_added_cb), NULL);
  timeout_id = g_timeout_add_seconds (60, timeout_cb, NULL);

  app_argv[0] = (char *) "lacuna";
  app_argv[1] = series_dir;
  app_argv[2] = NULL;
  g_application_run (G_APPLICATION (app), 2, app_argv);

  g_free (series_dir);
  return status;
}
