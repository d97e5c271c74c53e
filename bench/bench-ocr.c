/* bench-ocr: figures for burned-in text detection (issue 5). Prints, never asserts.
 *
 *   bench-ocr [SERIES_DIR]
 *
 * Phases:
 *   us      — the scan of the sample's 640×480 ultrasound (regions + OCR of every line +
 *             classification), cold (Tesseract initialised on first use) and warm (a fresh
 *             line cache is not possible within one process, so the warm figure scans
 *             another ultrasound of the same size from the test data when present).
 *   series  — every file of SERIES_DIR (e.g. ../shared/bench/make-workload.sh WORK 500 →
 *             WORK/large: 500 CT slices, the same bright block at the top-left of each):
 *             open + decode + render + region detection + OCR (a line whose pixels were
 *             already read is not read again). Default: $LACUNA_BENCH_SERIES or
 *             /tmp/wl/large.
 *   series + text — the same, after burning one identical text line into every slice in
 *             memory (not timed): the line is read once, then found in the cache.
 *
 * Each figure gives the wall-clock time and the process's CPU time (user + system), which
 * depends less on what else the machine runs.
 *
 * Tesseract's OpenMP threads are kept off by lacuna-ocr.c itself (setting OMP_THREAD_LIMIT
 * in main() comes too late: libgomp reads it when it is loaded).
 */
#define G_LOG_DOMAIN "bench-ocr"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/resource.h>

#include <cairo.h>

#include "lacuna-core.h"
#include "lacuna-burned-in.h"
#include "lacuna-ocr.h"

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

/* CPU time of the process so far (user + system). */
static double
cpu_ms (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000.0 +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000.0;
}

static void
scan_one (const char *label,
          const char *path)
{
  g_autoptr(GError) error = NULL;
  LacunaDicomFile *file;
  LacunaBurnedIn *scan;
  guint reads = lacuna_ocr_get_n_reads ();
  double t0 = now_ms (), c0 = cpu_ms (), t1, c1;
  guint boxed = 0;

  file = lacuna_dicom_file_open (path, LACUNA_DICOM_OPEN_DEFAULT, &error);
  if (file == NULL)
    {
      printf ("%-28s cannot open: %s\n", label, error->message);
      return;
    }
  scan = lacuna_burned_in_scan (file, NULL, NULL, &error);
  t1 = now_ms ();
  c1 = cpu_ms ();
  if (scan == NULL)
    {
      printf ("%-28s scan failed: %s\n", label, error->message);
      lacuna_dicom_file_free (file);
      return;
    }
  for (guint i = 0; i < lacuna_burned_in_get_n_lines (scan); i++)
    boxed += lacuna_burned_in_get_line (scan, i)->redact;
  printf ("%-28s %7.1f ms (cpu %7.1f ms)  %u lines (%u boxed), %u lines read by OCR\n", label,
          t1 - t0, c1 - c0, lacuna_burned_in_get_n_lines (scan), boxed,
          lacuna_ocr_get_n_reads () - reads);
  lacuna_burned_in_free (scan);
  lacuna_dicom_file_free (file);
}

/* Burns "DOE^JANE  12/04/1961" (13 px) into the top-left of a 16-bit grey frame, at the
 * frame's largest stored value, in memory. FALSE when the file is not such an image. */
static gboolean
burn_text (LacunaDicomFile *file)
{
  LacunaDicomPixelInfo info;
  g_autoptr(GBytes) stored = NULL;
  g_autofree guint16 *pixels = NULL;
  cairo_surface_t *surface;
  cairo_t *cr;
  const guint8 *alpha;
  guint16 max = 0;
  char photometric[24];
  gsize size;
  int stride;

  if (!lacuna_dicom_file_get_pixel_info (file, &info, NULL) || info.bits_allocated != 16 ||
      info.samples_per_pixel != 1 || info.n_frames != 1 || info.columns < 300)
    return FALSE;
  stored = lacuna_dicom_file_decode_frame (file, 0, photometric, NULL);
  if (stored == NULL)
    return FALSE;
  pixels = g_bytes_unref_to_data (g_steal_pointer (&stored), &size);
  for (gsize i = 0; i < size / 2; i++)
    max = MAX (max, pixels[i]);
  surface = cairo_image_surface_create (CAIRO_FORMAT_A8, 300, 40);
  cr = cairo_create (surface);
  cairo_select_font_face (cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, 13);
  cairo_move_to (cr, 4, 24);
  cairo_show_text (cr, "DOE^JANE  12/04/1961");
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  alpha = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  /* Below the mock block of make-workload.sh (top-left, about 200 × 50). */
  for (int y = 0; y < 40; y++)
    for (int x = 0; x < 300; x++)
      {
        guint16 *p = pixels + (gsize) (y + 60) * info.columns + x + 8;
        guint a = alpha[(gsize) y * stride + x];

        *p = (guint16) ((*p * (255 - a) + max * a) / 255);
      }
  cairo_surface_destroy (surface);
  return lacuna_dicom_file_set_pixel_data (file, pixels, size, 16, NULL);
}

static void
bench_series (const char *dir,
              gboolean    with_text)
{
  g_autoptr(GDir) d = NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  const char *name;
  guint reads = lacuna_ocr_get_n_reads (), n_lines = 0, n_boxed = 0, n_failed = 0;
  double t0, c0, total, cpu, excluded = 0, excluded_cpu = 0;

  d = g_dir_open (dir, 0, &error);
  if (d == NULL)
    {
      printf ("series: %s\n", error->message);
      return;
    }
  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (paths, g_build_filename (dir, name, NULL));
  g_ptr_array_sort (paths, (GCompareFunc) g_strcmp0);

  t0 = now_ms ();
  c0 = cpu_ms ();
  for (guint i = 0; i < paths->len; i++)
    {
      LacunaDicomFile *file = lacuna_dicom_file_open (g_ptr_array_index (paths, i),
                                                      LACUNA_DICOM_OPEN_DEFAULT, NULL);
      LacunaBurnedIn *scan;

      if (file == NULL)
        {
          n_failed++;
          continue;
        }
      if (with_text)
        {
          double b0 = now_ms (), bc0 = cpu_ms ();

          /* Burning the text in is not part of the figure. */
          if (!burn_text (file))
            n_failed++;
          excluded += now_ms () - b0;
          excluded_cpu += cpu_ms () - bc0;
        }
      scan = lacuna_burned_in_scan (file, NULL, NULL, NULL);
      if (scan != NULL)
        {
          n_lines += lacuna_burned_in_get_n_lines (scan);
          for (guint k = 0; k < lacuna_burned_in_get_n_lines (scan); k++)
            n_boxed += lacuna_burned_in_get_line (scan, k)->redact;
          lacuna_burned_in_free (scan);
        }
      else
        n_failed++;
      lacuna_dicom_file_free (file);
    }
  total = now_ms () - t0 - excluded;
  cpu = cpu_ms () - c0 - excluded_cpu;
  printf ("%s: %u files in %.2f s (cpu %.2f s; %.1f ms/file), %u lines (%u boxed), "
          "%u lines read by OCR, %u failed\n",
          with_text ? "series + text line" : "series", paths->len, total / 1000.0,
          cpu / 1000.0, paths->len ? total / paths->len : 0.0, n_lines, n_boxed,
          lacuna_ocr_get_n_reads () - reads, n_failed);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sample = NULL;
  g_autofree char *us = NULL;
  const char *series = argc > 1 ? argv[1] : g_getenv ("LACUNA_BENCH_SERIES");
  const char *testdata = g_getenv ("LACUNA_TESTDATA");
  g_autofree char *issue19 = NULL;

  lacuna_dicom_init ();
  if (series == NULL || *series == '\0')
    series = "/tmp/wl/large";

  sample = lacuna_sample_dup_path (&error);
  if (sample == NULL)
    {
      printf ("sample: %s\n", error->message);
      return 0;
    }
  us = g_build_filename (sample, "LACUNA", "US", "IM000001", NULL);
  {
    double t0 = now_ms ();
    gboolean available = lacuna_ocr_is_available (&error);

    printf ("lacuna_ocr_is_available: %.2f ms (does not initialise Tesseract)\n",
            now_ms () - t0);
    if (!available)
      {
        printf ("OCR not available: %s\n", error->message);
        return 0;
      }
  }

  printf ("== ultrasound 640×480 (target ≤ 0.5 s a frame)\n");
  scan_one ("sample US (cold: + init)", us);
  if (testdata == NULL)
    testdata = "../shared/testdata";
  issue19 = g_build_filename (testdata, "phi-burned-in", "ultrasound",
                              "orthanc_Issue19_US_YBR.dcm", NULL);
  if (g_file_test (issue19, G_FILE_TEST_EXISTS))
    scan_one ("Issue19 US, 30 lines (warm)", issue19);
  scan_one ("sample US again (cached)", us);

  printf ("== series %s (target ≤ 10 s for 500 slices)\n", series);
  bench_series (series, FALSE);
  printf ("== the same, with one identical text line burned into every slice in memory\n");
  bench_series (series, TRUE);
  return 0;
}
