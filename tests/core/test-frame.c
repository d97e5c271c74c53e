/* test-frame.c: the display pipeline (LacunaFrame).
 *
 * Synthetic frames are built in memory with the shim (set_string + set_pixel_data) and
 * checked against DICOM's formulas (PS3.3 C.11.2.1.2.1 LINEAR, C.11.2.1.3.2 LINEAR_EXACT,
 * SIGMOID), computed here independently. Real files are checked against known Hounsfield
 * units and against DCMTK's dcmj2pnm as an independent renderer.
 */
#define G_LOG_DOMAIN "test-frame"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "lacuna-core.h"
#include "lacuna-frame-private.h"
#include "lacuna-test-util.h"

/* ---------------------------------------------------------------------------------------- */
/* Building synthetic files                                                                 */

static void
set (LacunaDicomFile *file,
     const char      *path,
     const char      *value)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (lacuna_dicom_file_set_string (file, path, NULL, value, &error));
  g_assert_no_error (error);
}

static void
setf (LacunaDicomFile *file,
      const char      *path,
      const char      *format,
      ...) G_GNUC_PRINTF (3, 4);

static void
setf (LacunaDicomFile *file,
      const char      *path,
      const char      *format,
      ...)
{
  g_autofree char *value = NULL;
  va_list args;

  va_start (args, format);
  value = g_strdup_vprintf (format, args);
  va_end (args);
  set (file, path, value);
}

/* A native image: columns × rows × samples of bits_allocated (8/16/32) in host order. */
static LacunaDicomFile *
make_image (guint          columns,
            guint          rows,
            guint          samples,
            guint          bits_allocated,
            guint          bits_stored,
            gboolean       is_signed,
            const char    *photometric,
            gconstpointer  data,
            gsize          size)
{
  g_autoptr(GError) error = NULL;
  LacunaDicomFile *file = lacuna_dicom_file_new ();

  set (file, "00080016", "1.2.840.10008.5.1.4.1.1.7");
  set (file, "00080018", "1.2.826.0.1.3680043.10.1358.1");
  setf (file, "00280002", "%u", samples);
  set (file, "00280004", photometric);
  if (samples > 1)
    set (file, "00280006", "0");
  setf (file, "00280010", "%u", rows);
  setf (file, "00280011", "%u", columns);
  setf (file, "00280100", "%u", bits_allocated);
  setf (file, "00280101", "%u", bits_stored);
  setf (file, "00280102", "%u", bits_stored - 1);
  set (file, "00280103", is_signed ? "1" : "0");
  g_assert_true (lacuna_dicom_file_set_pixel_data (file, data, size, bits_allocated, &error));
  g_assert_no_error (error);
  return file;
}

static LacunaFrame *
decode (LacunaDicomFile *file)
{
  g_autoptr(GError) error = NULL;
  LacunaFrame *frame = lacuna_frame_decode (file, 0, &error);

  g_assert_no_error (error);
  g_assert_nonnull (frame);
  return frame;
}

/* A 64 × 64 ramp of signed 16-bit stored values from first, one step per pixel. */
static LacunaDicomFile *
make_ramp (gint16      first,
           const char *photometric)
{
  gint16 data[64 * 64];

  for (guint i = 0; i < G_N_ELEMENTS (data); i++)
    data[i] = (gint16) (first + (int) i);
  return make_image (64, 64, 1, 16, 16, TRUE, photometric, data, sizeof data);
}

/* ---------------------------------------------------------------------------------------- */
/* DICOM's VOI functions, written from the standard (not from lacuna-frame.c).              */

static double
dicom_linear (double x, double c, double w)
{
  /* PS3.3 C.11.2.1.2.1, ymin 0, ymax 255 */
  if (x <= c - 0.5 - (w - 1) / 2)
    return 0;
  if (x > c - 0.5 + (w - 1) / 2)
    return 255;
  return ((x - (c - 0.5)) / (w - 1) + 0.5) * 255;
}

static double
dicom_linear_exact (double x, double c, double w)
{
  /* PS3.3 C.11.2.1.3.2 */
  if (x <= c - w / 2)
    return 0;
  if (x > c + w / 2)
    return 255;
  return ((x - c) / w + 0.5) * 255;
}

static double
dicom_sigmoid (double x, double c, double w)
{
  /* PS3.3 C.11.2.1.3.1 */
  return 255 / (1 + exp (-4 * (x - c) / w));
}

static guint8
round8 (double v)
{
  return (guint8) CLAMP (floor (v + 0.5), 0, 255);
}

/* ---------------------------------------------------------------------------------------- */

static void
test_frame_new_destroy (void)
{
  guint16 data[4] = { 0, 100, 200, 300 };
  g_autoptr(LacunaDicomFile) file = make_image (2, 2, 1, 16, 12, FALSE, "MONOCHROME2",
                                                data, sizeof data);
  LacunaFrame *frame = decode (file);

  g_assert_cmpuint (lacuna_frame_get_width (frame), ==, 2);
  g_assert_cmpuint (lacuna_frame_get_height (frame), ==, 2);
  g_assert_cmpuint (lacuna_frame_get_index (frame), ==, 0);
  g_assert_false (lacuna_frame_is_color (frame));
  g_assert_cmpstr (lacuna_frame_get_photometric (frame), ==, "MONOCHROME2");
  g_assert_cmpuint (lacuna_frame_get_info (frame)->bits_stored, ==, 12);
  g_assert_cmpuint (g_bytes_get_size (lacuna_frame_get_stored (frame)), ==, sizeof data);
  g_assert_cmpmem (g_bytes_get_data (lacuna_frame_get_stored (frame), NULL), sizeof data,
                   data, sizeof data);
  g_assert_finalize_object (frame);
}

static void
test_frame_rescale (void)
{
  gint16 data[4] = { -1000, 0, 24, 2000 };
  g_autoptr(LacunaDicomFile) file = make_image (2, 2, 1, 16, 16, TRUE, "MONOCHROME2",
                                                data, sizeof data);
  g_autoptr(LacunaFrame) frame = NULL;
  double slope, intercept, min, max;

  set (file, "00281053", "2");
  set (file, "00281052", "-1024");
  frame = decode (file);

  g_assert_true (lacuna_frame_get_rescale (frame, &slope, &intercept));
  g_assert_cmpfloat (slope, ==, 2);
  g_assert_cmpfloat (intercept, ==, -1024);
  g_assert_cmpfloat (lacuna_frame_get_value (frame, 0, 0), ==, -3024);
  g_assert_cmpfloat (lacuna_frame_get_value (frame, 1, 0), ==, -1024);
  g_assert_cmpfloat (lacuna_frame_get_value (frame, 0, 1), ==, -976);
  g_assert_cmpfloat (lacuna_frame_get_value (frame, 1, 1), ==, 2976);
  lacuna_frame_get_value_range (frame, &min, &max);
  g_assert_cmpfloat (min, ==, -3024);
  g_assert_cmpfloat (max, ==, 2976);
}

static void
test_frame_default_slope (void)
{
  guint16 data[2] = { 7, 4000 };
  g_autoptr(LacunaDicomFile) file = make_image (2, 1, 1, 16, 12, FALSE, "MONOCHROME2",
                                                data, sizeof data);
  g_autoptr(LacunaFrame) frame = decode (file);
  double slope = 0, intercept = 99;

  g_assert_true (lacuna_frame_get_rescale (frame, &slope, &intercept));
  g_assert_cmpfloat (slope, ==, 1);
  g_assert_cmpfloat (intercept, ==, 0);
  g_assert_cmpfloat (lacuna_frame_get_value (frame, 0, 0), ==, 7);
  g_assert_cmpfloat (lacuna_frame_get_value (frame, 1, 0), ==, 4000);
}

/* Renders the ramp with a window and compares every pixel with the formula. */
static void
check_ramp (LacunaFrame *frame,
            double       c,
            double       w,
            double     (*formula) (double, double, double),
            gboolean     inverted,
            gint16       first)
{
  guint8 grey[64 * 64];
  guint8 rgb[64 * 64 * 3];

  lacuna_frame_render_grey (frame, c, w, FALSE, grey, 64);
  lacuna_frame_render_rgb (frame, c, w, FALSE, rgb, 64 * 3);
  for (guint i = 0; i < 64 * 64; i++)
    {
      guint8 expected = round8 (formula (first + (int) i, c, w));

      if (inverted)
        expected = 255 - expected;
      if (grey[i] != expected)
        g_error ("stored %d, window %g/%g: got %u, expected %u", first + (int) i, c, w,
                 grey[i], expected);
      g_assert_cmpuint (rgb[i * 3], ==, expected);
      g_assert_cmpuint (rgb[i * 3 + 1], ==, expected);
      g_assert_cmpuint (rgb[i * 3 + 2], ==, expected);
    }
}

static void
test_frame_window_linear (void)
{
  g_autoptr(LacunaDicomFile) file = make_ramp (-2048, "MONOCHROME2");
  g_autoptr(LacunaFrame) frame = NULL;
  double c, w;
  gboolean lut;

  set (file, "00281050", "40\\-600");
  set (file, "00281051", "400\\1500");
  set (file, "00281055", "SOFT TISSUE\\LUNG");
  frame = decode (file);

  lacuna_frame_get_default_window (frame, &c, &w, &lut);
  g_assert_cmpfloat (c, ==, 40);
  g_assert_cmpfloat (w, ==, 400);
  g_assert_false (lut);
  g_assert_cmpstr (lacuna_frame_get_voi_function (frame), ==, "LINEAR");

  /* Exact points of C.11.2.1.2.1 for c = 40, w = 400: x <= -160 → 0; x > 239 → 255. */
  g_assert_cmpuint (_lacuna_frame_display_value (frame, -160, 40, 400, FALSE), ==, 0);
  g_assert_cmpuint (_lacuna_frame_display_value (frame, -159, 40, 400, FALSE), ==, 1);
  g_assert_cmpuint (_lacuna_frame_display_value (frame, 40, 40, 400, FALSE), ==, 128);
  g_assert_cmpuint (_lacuna_frame_display_value (frame, 239, 40, 400, FALSE), ==, 255);
  g_assert_cmpuint (_lacuna_frame_display_value (frame, 238, 40, 400, FALSE), ==, 254);
  g_assert_cmpuint (_lacuna_frame_display_value (frame, 240, 40, 400, FALSE), ==, 255);
  /* Width 1: a threshold at c - 0.5. */
  g_assert_cmpuint (_lacuna_frame_display_value (frame, 99, 100, 1, FALSE), ==, 0);
  g_assert_cmpuint (_lacuna_frame_display_value (frame, 100, 100, 1, FALSE), ==, 255);

  check_ramp (frame, 40, 400, dicom_linear, FALSE, -2048);
  check_ramp (frame, -600, 1500, dicom_linear, FALSE, -2048);
  check_ramp (frame, 0.5, 2, dicom_linear, FALSE, -2048);
  /* The render table is rebuilt when the window changes back. */
  check_ramp (frame, 40, 400, dicom_linear, FALSE, -2048);

  /* Every pair is kept with its explanation. */
  {
    const char *expl = NULL;

    g_assert_cmpuint (lacuna_frame_get_n_windows (frame), ==, 2);
    g_assert_true (lacuna_frame_get_window (frame, 1, &c, &w, &expl));
    g_assert_cmpfloat (c, ==, -600);
    g_assert_cmpfloat (w, ==, 1500);
    g_assert_cmpstr (expl, ==, "LUNG");
    g_assert_true (lacuna_frame_get_window (frame, 0, NULL, NULL, &expl));
    g_assert_cmpstr (expl, ==, "SOFT TISSUE");
    g_assert_false (lacuna_frame_get_window (frame, 2, NULL, NULL, NULL));
  }
}

static void
test_frame_window_functions (void)
{
  g_autoptr(LacunaDicomFile) exact = make_ramp (-2048, "MONOCHROME2");
  g_autoptr(LacunaDicomFile) sigmoid = make_ramp (-2048, "MONOCHROME2");
  g_autoptr(LacunaFrame) frame = NULL;

  set (exact, "00281050", "40");
  set (exact, "00281051", "400");
  set (exact, "00281056", "LINEAR_EXACT");
  frame = decode (exact);
  g_assert_cmpstr (lacuna_frame_get_voi_function (frame), ==, "LINEAR_EXACT");
  /* C.11.2.1.3.2 at c = 40, w = 400: x <= -160 → 0, x = 40 → 127.5, x > 240 → 255. */
  g_assert_cmpuint (_lacuna_frame_display_value (frame, -160, 40, 400, FALSE), ==, 0);
  g_assert_cmpuint (_lacuna_frame_display_value (frame, 240, 40, 400, FALSE), ==, 255);
  g_assert_cmpuint (_lacuna_frame_display_value (frame, 140, 40, 400, FALSE), ==,
                    round8 (0.75 * 255));
  check_ramp (frame, 40, 400, dicom_linear_exact, FALSE, -2048);
  check_ramp (frame, 10.25, 0.5, dicom_linear_exact, FALSE, -2048);
  g_clear_object (&frame);

  set (sigmoid, "00281050", "40");
  set (sigmoid, "00281051", "400");
  set (sigmoid, "00281056", "SIGMOID");
  frame = decode (sigmoid);
  g_assert_cmpstr (lacuna_frame_get_voi_function (frame), ==, "SIGMOID");
  g_assert_cmpuint (_lacuna_frame_display_value (frame, 40, 40, 400, FALSE), ==, 128);
  check_ramp (frame, 40, 400, dicom_sigmoid, FALSE, -2048);
}

static void
test_frame_monochrome1 (void)
{
  g_autoptr(LacunaDicomFile) file = make_ramp (-2048, "MONOCHROME1");
  g_autoptr(LacunaDicomFile) inverse = make_ramp (-2048, "MONOCHROME2");
  g_autoptr(LacunaFrame) frame = NULL;

  set (file, "00281050", "40");
  set (file, "00281051", "400");
  frame = decode (file);
  g_assert_true (lacuna_frame_is_inverted (frame));
  /* Inversion comes after VOI: the lowest values are white. */
  g_assert_cmpuint (_lacuna_frame_display_value (frame, -1000, 40, 400, FALSE), ==, 255);
  check_ramp (frame, 40, 400, dicom_linear, TRUE, -2048);
  g_clear_object (&frame);

  set (inverse, "20500020", "INVERSE");
  frame = decode (inverse);
  g_assert_true (lacuna_frame_is_inverted (frame));
  check_ramp (frame, 40, 400, dicom_linear, TRUE, -2048);
}

static void
test_frame_signed (void)
{
  /* 12 bits stored, signed, in 16-bit samples; values at the ends of the range. */
  gint16 data[6] = { -2048, -1, 0, 1, 2047, -1000 };
  g_autoptr(LacunaDicomFile) file = make_image (6, 1, 1, 16, 12, TRUE, "MONOCHROME2",
                                                data, sizeof data);
  g_autoptr(LacunaFrame) frame = decode (file);
  guint8 grey[6];
  double min, max, c, w;

  for (guint i = 0; i < G_N_ELEMENTS (data); i++)
    g_assert_cmpfloat (lacuna_frame_get_value (frame, i, 0), ==, data[i]);
  lacuna_frame_get_value_range (frame, &min, &max);
  g_assert_cmpfloat (min, ==, -2048);
  g_assert_cmpfloat (max, ==, 2047);

  /* No window in the file: the range of values, the smallest black, the largest white. */
  lacuna_frame_get_default_window (frame, &c, &w, NULL);
  lacuna_frame_render_grey (frame, c, w, FALSE, grey, sizeof grey);
  g_assert_cmpuint (grey[0], ==, 0);
  g_assert_cmpuint (grey[4], ==, 255);
  g_assert_cmpuint (grey[2], ==, round8 (dicom_linear (0, c, w)));
  g_assert_cmpuint (grey[5], ==, round8 (dicom_linear (-1000, c, w)));
}

static void
test_frame_signed_8bit (void)
{
  gint8 data[4] = { -128, -1, 0, 127 };
  g_autoptr(LacunaDicomFile) file = make_image (4, 1, 1, 8, 8, TRUE, "MONOCHROME2",
                                                data, sizeof data);
  g_autoptr(LacunaFrame) frame = decode (file);

  for (guint i = 0; i < G_N_ELEMENTS (data); i++)
    g_assert_cmpfloat (lacuna_frame_get_value (frame, i, 0), ==, data[i]);
}

static void
test_frame_padding (void)
{
  gint16 data[8] = { -2000, -2000, -1999, -1024, 0, 100, -2000, 1000 };
  g_autoptr(LacunaDicomFile) file = make_image (4, 2, 1, 16, 16, TRUE, "MONOCHROME2",
                                                data, sizeof data);
  g_autoptr(LacunaDicomFile) ranged = make_image (4, 2, 1, 16, 16, TRUE, "MONOCHROME1",
                                                  data, sizeof data);
  g_autoptr(LacunaFrame) frame = NULL;
  guint8 grey[8];
  double min, max;

  set (file, "00280120", "-2000");
  set (file, "00281050", "-1500");
  set (file, "00281051", "4000");
  frame = decode (file);
  g_assert_true (lacuna_frame_is_padding (frame, 0, 0));
  g_assert_false (lacuna_frame_is_padding (frame, 2, 0));
  lacuna_frame_get_value_range (frame, &min, &max);
  g_assert_cmpfloat (min, ==, -1999);
  g_assert_cmpfloat (max, ==, 1000);
  lacuna_frame_render_grey (frame, -1500, 4000, FALSE, grey, 4);
  g_assert_cmpuint (grey[0], ==, 0);
  g_assert_cmpuint (grey[6], ==, 0);
  /* -1999 is not padding: the window maps it above black. */
  g_assert_cmpuint (grey[2], ==, round8 (dicom_linear (-1999, -1500, 4000)));
  g_assert_cmpuint (grey[2], >, 0);
  g_clear_object (&frame);

  /* A range (0028,0121): -2000 … -1024, black even in MONOCHROME1. */
  set (ranged, "00280120", "-2000");
  set (ranged, "00280121", "-1024");
  frame = decode (ranged);
  g_assert_true (lacuna_frame_is_padding (frame, 3, 0));
  g_assert_false (lacuna_frame_is_padding (frame, 0, 1));
  lacuna_frame_get_value_range (frame, &min, &max);
  g_assert_cmpfloat (min, ==, 0);
  g_assert_cmpfloat (max, ==, 1000);
  lacuna_frame_render_grey (frame, 500, 1000, FALSE, grey, 4);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpuint (grey[i], ==, 0);
  g_assert_cmpuint (grey[4], ==, 255 - round8 (dicom_linear (0, 500, 1000)));
}

/* The 16-bit range is computed on vectors of eight with a scalar tail: random frames of
 * odd sizes, signed and unsigned, with and without padding (a value or a range, some
 * outside the data's range, one covering every pixel), against a plain loop. */
static void
test_frame_value_range_16 (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261123);

  for (guint round = 0; round < 48; round++)
    {
      gboolean is_signed = round % 2 == 0;
      guint columns = 1 + g_rand_int_range (rand, 0, 70), rows = 1 + g_rand_int_range (rand, 0, 9);
      gsize n = (gsize) columns * rows;
      g_autofree guint16 *data = g_new (guint16, n);
      g_autoptr(LacunaDicomFile) file = NULL;
      g_autoptr(LacunaFrame) frame = NULL;
      gint64 lo = 0, hi = 0, pad_lo = 0, pad_hi = 0, exp_min = G_MAXINT64, exp_max = G_MININT64;
      guint mode = (round / 2) % 4;   /* none, a value, a range, everything */
      double min = 0, max = 0;

      for (gsize i = 0; i < n; i++)
        {
          /* Extremes included: they are the vectors' neutral values. */
          guint32 r = g_rand_int (rand);

          data[i] = r % 17 == 0 ? (r % 2 ? 0x7FFF : 0x8000) : r % 23 == 0 ? (r % 2 ? 0xFFFF : 0)
                                : (guint16) (r >> 8);
        }
      file = make_image (columns, rows, 1, 16, 16, is_signed, "MONOCHROME2", data, n * 2);
      if (mode == 1)
        {
          pad_lo = pad_hi = is_signed ? (gint16) data[n / 2] : data[n / 2];
          setf (file, "00280120", "%" G_GINT64_FORMAT, pad_lo);
        }
      else if (mode == 2)
        {
          pad_lo = is_signed ? -20000 : 1000;
          pad_hi = is_signed ? 5000 : 40000;
          setf (file, "00280120", "%" G_GINT64_FORMAT, pad_lo);
          setf (file, "00280121", "%" G_GINT64_FORMAT, pad_hi);
        }
      else if (mode == 3)
        {
          pad_lo = is_signed ? G_MININT16 : 0;
          pad_hi = is_signed ? G_MAXINT16 : G_MAXUINT16;
          setf (file, "00280120", "%" G_GINT64_FORMAT, pad_lo);
          setf (file, "00280121", "%" G_GINT64_FORMAT, pad_hi);
        }
      for (gsize i = 0; i < n; i++)
        {
          gint64 v = is_signed ? (gint16) data[i] : data[i];

          if (mode != 0 && v >= pad_lo && v <= pad_hi)
            continue;
          exp_min = MIN (exp_min, v);
          exp_max = MAX (exp_max, v);
        }
      frame = decode (file);
      lacuna_frame_get_value_range (frame, &min, &max);
      if (exp_min > exp_max)
        {
          /* Nothing but padding: the range stays the default, whatever it is; it
           * must not come from the padding. */
          lo = (gint64) min;
          hi = (gint64) max;
          g_assert_false (lo == pad_lo && hi == pad_hi && lo != hi);
          continue;
        }
      g_assert_cmpfloat (min, ==, (double) exp_min);
      g_assert_cmpfloat (max, ==, (double) exp_max);
    }
}

static void
test_frame_modality_lut (void)
{
  guint16 data[4] = { 0, 1, 2, 300 };
  guint16 lut[4] = { 10, 500, 20, 4095 };
  g_autoptr(LacunaDicomFile) file = make_image (2, 2, 1, 16, 12, FALSE, "MONOCHROME2",
                                                data, sizeof data);
  g_autoptr(GError) error = NULL;
  g_autoptr(LacunaFrame) frame = NULL;
  double min, max;

  g_assert_cmpint (lacuna_dicom_file_append_item (file, "00283000", &error), ==, 0);
  set (file, "00283000/0/00283002", "4\\0\\12");
  set (file, "00283000/0/00283004", "HU");
  g_assert_true (lacuna_dicom_file_set_bytes (file, "00283000/0/00283006", "US", lut,
                                              sizeof lut, &error));
  g_assert_no_error (error);
  frame = decode (file);

  g_assert_false (lacuna_frame_get_rescale (frame, NULL, NULL));
  g_assert_cmpfloat (lacuna_frame_get_value (frame, 0, 0), ==, 10);
  g_assert_cmpfloat (lacuna_frame_get_value (frame, 1, 0), ==, 500);
  g_assert_cmpfloat (lacuna_frame_get_value (frame, 0, 1), ==, 20);
  /* Past the last entry: the last value. */
  g_assert_cmpfloat (lacuna_frame_get_value (frame, 1, 1), ==, 4095);
  lacuna_frame_get_value_range (frame, &min, &max);
  g_assert_cmpfloat (min, ==, 10);
  g_assert_cmpfloat (max, ==, 4095);
}

static void
test_frame_voi_lut (void)
{
  guint16 data[4] = { 0, 1, 2, 3 };
  guint16 lut[3] = { 0, 200, 255 };
  g_autoptr(LacunaDicomFile) file = make_image (4, 1, 1, 16, 12, FALSE, "MONOCHROME2",
                                                data, sizeof data);
  g_autoptr(GError) error = NULL;
  g_autoptr(LacunaFrame) frame = NULL;
  guint8 grey[4];
  double c, w;
  gboolean use_lut;

  g_assert_cmpint (lacuna_dicom_file_append_item (file, "00283010", &error), ==, 0);
  set (file, "00283010/0/00283002", "3\\1\\8");
  set (file, "00283010/0/00283003", "CUSTOM");
  g_assert_true (lacuna_dicom_file_set_bytes (file, "00283010/0/00283006", "US", lut,
                                              sizeof lut, &error));
  g_assert_no_error (error);
  frame = decode (file);

  g_assert_cmpuint (lacuna_frame_get_n_voi_luts (frame), ==, 1);
  g_assert_cmpstr (lacuna_frame_get_voi_lut_explanation (frame, 0), ==, "CUSTOM");
  lacuna_frame_get_default_window (frame, &c, &w, &use_lut);
  g_assert_true (use_lut);
  lacuna_frame_render_grey (frame, c, w, TRUE, grey, 4);
  /* First mapped value 1: 0 clamps to entry 0, 3 to the last entry. */
  g_assert_cmpuint (grey[0], ==, 0);
  g_assert_cmpuint (grey[1], ==, 0);
  g_assert_cmpuint (grey[2], ==, 200);
  g_assert_cmpuint (grey[3], ==, 255);
}

static void
test_frame_palette (void)
{
  guint8 data[4] = { 0, 1, 2, 200 };
  guint16 red[256], green[256], blue[256];
  g_autoptr(LacunaDicomFile) file = make_image (2, 2, 1, 8, 8, FALSE, "PALETTE COLOR",
                                                data, sizeof data);
  g_autoptr(GError) error = NULL;
  g_autoptr(LacunaFrame) frame = NULL;
  guint8 rgb[2 * 2 * 3];

  for (guint i = 0; i < 256; i++)
    {
      red[i] = (guint16) (i << 8);
      green[i] = (guint16) ((255 - i) << 8);
      blue[i] = (guint16) (((i * 7) % 256) << 8);
    }
  set (file, "00281101", "256\\0\\16");
  set (file, "00281102", "256\\0\\16");
  set (file, "00281103", "256\\0\\16");
  g_assert_true (lacuna_dicom_file_set_bytes (file, "00281201", "OW", red, sizeof red, &error));
  g_assert_true (lacuna_dicom_file_set_bytes (file, "00281202", "OW", green, sizeof green,
                                              &error));
  g_assert_true (lacuna_dicom_file_set_bytes (file, "00281203", "OW", blue, sizeof blue, &error));
  g_assert_no_error (error);
  frame = decode (file);

  g_assert_true (lacuna_frame_is_color (frame));
  lacuna_frame_render_rgb (frame, 0, 0, FALSE, rgb, 6);
  for (guint i = 0; i < 4; i++)
    {
      g_assert_cmpuint (rgb[i * 3], ==, data[i]);
      g_assert_cmpuint (rgb[i * 3 + 1], ==, 255 - data[i]);
      g_assert_cmpuint (rgb[i * 3 + 2], ==, (data[i] * 7) % 256);
    }
  /* The value of a colour pixel is its luminance. */
  g_assert_cmpfloat_with_epsilon (lacuna_frame_get_value (frame, 1, 1),
                                  0.299 * 200 + 0.587 * 55 + 0.114 * ((200 * 7) % 256), 1.0);
}

static void
test_frame_palette_segmented (void)
{
  guint8 data[4] = { 0, 4, 8, 10 };
  /* discrete 2 entries (0, 100), linear 8 entries to 900, discrete 1 entry (7):
   * 0 100 200 300 … 900 7 */
  guint16 seg[] = { 0, 2, 0, 100, 1, 8, 900, 0, 1, 7 };
  guint16 flat[11] = { 0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 7 };
  g_autoptr(LacunaDicomFile) file = make_image (2, 2, 1, 8, 8, FALSE, "PALETTE COLOR",
                                                data, sizeof data);
  g_autoptr(GError) error = NULL;
  g_autoptr(LacunaFrame) frame = NULL;
  guint8 rgb[12];

  set (file, "00281101", "11\\0\\16");
  set (file, "00281102", "11\\0\\16");
  set (file, "00281103", "11\\0\\16");
  g_assert_true (lacuna_dicom_file_set_bytes (file, "00281221", "OW", seg, sizeof seg, &error));
  g_assert_true (lacuna_dicom_file_set_bytes (file, "00281222", "OW", seg, sizeof seg, &error));
  g_assert_true (lacuna_dicom_file_set_bytes (file, "00281223", "OW", flat, sizeof flat,
                                              &error));
  g_assert_no_error (error);
  /* Blue given as a segmented table that is really a plain list: opcode 0 of length 100
   * runs past the end, so it is broken: refused with a clear error. */
  frame = lacuna_frame_decode (file, 0, &error);
  g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED);
  g_assert_null (frame);
  g_assert_nonnull (strstr (error->message, "(0028,1103)"));
  g_clear_error (&error);

  g_assert_true (lacuna_dicom_file_set_bytes (file, "00281223", "OW", seg, sizeof seg, &error));
  frame = decode (file);
  lacuna_frame_render_rgb (frame, 0, 0, FALSE, rgb, 6);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpuint (rgb[i * 3], ==, flat[data[i]] >> 8);
}

/* RGB → YBR_FULL per PS3.3 C.7.6.3.1.2, rounded like a writer would. */
static void
rgb_to_ybr_full (const guint8 *rgb,
                 guint8       *ybr)
{
  double r = rgb[0], g = rgb[1], b = rgb[2];

  ybr[0] = round8 (0.299 * r + 0.587 * g + 0.114 * b);
  ybr[1] = round8 (-0.168736 * r - 0.331264 * g + 0.5 * b + 128);
  ybr[2] = round8 (0.5 * r - 0.418688 * g - 0.081312 * b + 128);
}

static void
test_frame_ybr (void)
{
  static const guint8 colours[6][3] = {
    { 255, 0, 0 }, { 0, 255, 0 }, { 0, 0, 255 }, { 255, 255, 255 }, { 0, 0, 0 },
    { 200, 120, 40 },
  };
  guint8 ybr[6 * 3];
  guint8 rgb[6 * 3];
  g_autoptr(LacunaDicomFile) file = NULL;
  g_autoptr(LacunaFrame) frame = NULL;

  for (guint i = 0; i < 6; i++)
    rgb_to_ybr_full (colours[i], ybr + i * 3);
  file = make_image (3, 2, 3, 8, 8, FALSE, "YBR_FULL", ybr, sizeof ybr);
  frame = decode (file);
  g_assert_true (lacuna_frame_is_color (frame));
  lacuna_frame_render_rgb (frame, 0, 0, FALSE, rgb, 9);
  for (guint i = 0; i < 6; i++)
    for (guint c = 0; c < 3; c++)
      g_assert_cmpint (abs ((int) rgb[i * 3 + c] - colours[i][c]), <=, 1);

  /* Plain RGB passes through; grey rendering gives the luminance. */
  {
    g_autoptr(LacunaDicomFile) plain = make_image (3, 2, 3, 8, 8, FALSE, "RGB", colours,
                                                   sizeof colours);
    g_autoptr(LacunaFrame) f = decode (plain);
    guint8 grey[6];

    lacuna_frame_render_rgb (f, 0, 0, FALSE, rgb, 9);
    g_assert_cmpmem (rgb, sizeof rgb, colours, sizeof colours);
    lacuna_frame_render_grey (f, 0, 0, FALSE, grey, 3);
    g_assert_cmpuint (grey[0], ==, 76);
    g_assert_cmpuint (grey[3], ==, 255);
    g_assert_cmpuint (grey[4], ==, 0);
  }
}

static void
test_frame_errors (void)
{
  guint16 data[4] = { 0, 1, 2, 3 };
  g_autoptr(LacunaDicomFile) file = make_image (2, 2, 1, 16, 12, FALSE, "MONOCHROME2",
                                                data, sizeof data);
  g_autoptr(LacunaDicomFile) empty = lacuna_dicom_file_new ();
  g_autoptr(GError) error = NULL;
  LacunaFrame *frame;

  frame = lacuna_frame_decode (file, 1, &error);
  g_assert_null (frame);
  g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID);
  g_clear_error (&error);

  set (empty, "00080016", "1.2.840.10008.5.1.4.1.1.7");
  frame = lacuna_frame_decode (empty, 0, &error);
  g_assert_null (frame);
  g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_NO_PIXELS);
  g_clear_error (&error);

  /* A palette image without its palette. */
  {
    guint8 idx[4] = { 0, 1, 2, 3 };
    g_autoptr(LacunaDicomFile) pal = make_image (2, 2, 1, 8, 8, FALSE, "PALETTE COLOR",
                                                 idx, sizeof idx);

    frame = lacuna_frame_decode (pal, 0, &error);
    g_assert_null (frame);
    g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED);
    g_clear_error (&error);
  }
}

static void
test_frame_render_speed (void)
{
  g_autofree gint16 *data = g_new (gint16, 512 * 512);
  g_autofree guint8 *rgb = g_malloc (512 * 512 * 3);
  g_autofree guint8 *grey = g_malloc (512 * 512);
  g_autoptr(LacunaDicomFile) file = NULL;
  g_autoptr(LacunaFrame) frame = NULL;
  gint64 start, rgb_time, grey_time, cached_time;
  const guint n = 50;

  for (guint i = 0; i < 512 * 512; i++)
    data[i] = (gint16) ((i * 7919) % 4096 - 1024);
  file = make_image (512, 512, 1, 16, 16, TRUE, "MONOCHROME2", data, 512 * 512 * 2);
  set (file, "00281052", "-1024");
  frame = decode (file);

  /* A new window each time: the table is rebuilt on every render. */
  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    lacuna_frame_render_rgb (frame, 40 + i, 400, FALSE, rgb, 512 * 3);
  rgb_time = g_get_monotonic_time () - start;
  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    lacuna_frame_render_grey (frame, 40 + i, 400, FALSE, grey, 512);
  grey_time = g_get_monotonic_time () - start;
  /* The same window again: only the look-up. */
  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    lacuna_frame_render_rgb (frame, 40, 400, FALSE, rgb, 512 * 3);
  cached_time = g_get_monotonic_time () - start;

  /* Reported, not asserted (no timed assertions). */
  g_test_message ("512x512 16-bit render with a new window: RGB %.3f ms, grey %.3f ms; "
                  "same window again: RGB %.3f ms",
                  rgb_time / 1000.0 / n, grey_time / 1000.0 / n, cached_time / 1000.0 / n);
  g_assert_cmpuint (grey[0], ==, rgb[0]);
}

typedef struct
{
  LacunaFrame *frame;
  guint8      *expected[2];
  gboolean     ok;
} ThreadData;

static gpointer
render_thread (gpointer data)
{
  ThreadData *td = data;
  g_autofree guint8 *out = g_malloc (64 * 64);

  td->ok = TRUE;
  for (guint i = 0; i < 200; i++)
    {
      guint k = i % 2;

      lacuna_frame_render_grey (td->frame, k ? -600 : 40, k ? 1500 : 400, FALSE, out, 64);
      if (memcmp (out, td->expected[k], 64 * 64) != 0)
        td->ok = FALSE;
    }
  return NULL;
}

static void
test_frame_threads (void)
{
  g_autoptr(LacunaDicomFile) file = make_ramp (-2048, "MONOCHROME2");
  g_autoptr(LacunaFrame) frame = decode (file);
  guint8 a[64 * 64], b[64 * 64];
  ThreadData td[4];
  GThread *threads[4];

  /* Several threads render the same frame with alternating windows at once. */
  lacuna_frame_render_grey (frame, 40, 400, FALSE, a, 64);
  lacuna_frame_render_grey (frame, -600, 1500, FALSE, b, 64);
  for (guint i = 0; i < 4; i++)
    {
      td[i] = (ThreadData) { frame, { a, b }, FALSE };
      threads[i] = g_thread_new ("render", render_thread, &td[i]);
    }
  for (guint i = 0; i < 4; i++)
    {
      g_thread_join (threads[i]);
      g_assert_true (td[i].ok);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Real data                                                                                */

static LacunaFrame *
decode_path (const char *path,
             guint       index)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LacunaDicomFile) file = lacuna_dicom_file_open (path, LACUNA_DICOM_OPEN_DEFAULT,
                                                            &error);
  LacunaFrame *frame;

  g_assert_no_error (error);
  frame = lacuna_frame_decode (file, index, &error);
  g_assert_no_error (error);
  return frame;
}

static double
mean_value (LacunaFrame *frame,
            guint        x0,
            guint        y0,
            guint        w,
            guint        h)
{
  double sum = 0;

  for (guint y = y0; y < y0 + h; y++)
    for (guint x = x0; x < x0 + w; x++)
      sum += lacuna_frame_get_value (frame, x, y);
  return sum / (w * h);
}

static void
test_frame_real_ct (void)
{
  g_autofree char *path = lacuna_test_dup_testdata ("head-volume/GE_head_CT_gantry_tilt/14.dcm");
  g_autofree char *path2 = NULL;
  g_autoptr(LacunaFrame) frame = NULL;
  double air, brain, min, max, c, w;

  if (path == NULL)
    return;
  frame = decode_path (path, 0);
  g_assert_cmpuint (lacuna_frame_get_width (frame), ==, 512);

  /* Air in front of the head (rows 28–39, columns 176–223) and brain at the centre. */
  air = mean_value (frame, 176, 28, 48, 12);
  brain = mean_value (frame, 240, 240, 32, 32);
  g_test_message ("air %.1f HU, brain %.1f HU", air, brain);
  g_assert_cmpfloat (air, >, -1030);
  g_assert_cmpfloat (air, <, -970);
  g_assert_cmpfloat (brain, >, 0);
  g_assert_cmpfloat (brain, <, 60);

  /* Pixel Padding Value −1500 outside the field of view: not in the range, black. */
  g_assert_true (lacuna_frame_is_padding (frame, 0, 0));
  lacuna_frame_get_value_range (frame, &min, &max);
  g_assert_cmpfloat (min, >, -1500);
  g_assert_cmpfloat (max, ==, 1802);
  lacuna_frame_get_default_window (frame, &c, &w, NULL);
  g_assert_cmpfloat (c, ==, 35);
  g_assert_cmpfloat (w, ==, 100);

  /* Intercept −1024 and padding −2000 (stored) in the chest CT. */
  path2 = lacuna_test_dup_testdata ("series-ct/dcmqi_ct-3slice_chest_abdomen/01.dcm");
  if (path2 == NULL)
    return;
  g_clear_object (&frame);
  frame = decode_path (path2, 0);
  g_assert_true (lacuna_frame_is_padding (frame, 0, 0));
  g_assert_cmpfloat (lacuna_frame_get_value (frame, 0, 0), ==, -2000 - 1024);
  lacuna_frame_get_value_range (frame, &min, &max);
  g_assert_cmpfloat (max, ==, 2405 - 1024);
}

/* Reads a binary PGM (P5) or PPM (P6) as written by dcmj2pnm. */
static guint8 *
read_pnm (const char *path,
          guint      *out_width,
          guint      *out_height,
          guint      *out_channels)
{
  g_autofree char *contents = NULL;
  gsize length;
  guint values[3];
  guint n = 0;
  const char *p;
  guint channels;
  gsize size;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_true (length > 2 && contents[0] == 'P' && (contents[1] == '5' || contents[1] == '6'));
  channels = contents[1] == '5' ? 1 : 3;
  p = contents + 2;
  while (n < 3)
    {
      while (g_ascii_isspace (*p))
        p++;
      if (*p == '#')
        {
          while (*p != '\n')
            p++;
          continue;
        }
      values[n++] = (guint) g_ascii_strtoull (p, (char **) &p, 10);
    }
  p++;   /* the single whitespace after maxval */
  g_assert_cmpuint (values[2], ==, 255);
  size = (gsize) values[0] * values[1] * channels;
  g_assert_cmpuint (length - (p - contents), ==, size);
  *out_width = values[0];
  *out_height = values[1];
  *out_channels = channels;
  return g_memdup2 (p, size);
}

/* Renders the file with its default window and compares with dcmj2pnm's rendering of
 * reference (NULL: the same file; options: the window choice), each byte within
 * tolerance. */
static void
compare_with_reference (const char *relative,
                        const char *reference,
                        const char *window_option,
                        guint       index,
                        guint       tolerance)
{
  g_autofree char *path = lacuna_test_dup_testdata (relative);
  g_autofree char *tmp = NULL;
  g_autofree char *ref_path = NULL;
  g_autofree guint8 *ref = NULL;
  g_autofree guint8 *ours = NULL;
  g_autoptr(LacunaFrame) frame = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  guint w, h, channels, worst = 0;
  gsize n_off = 0;
  double c, wd;
  gboolean lut;
  const char *argv[12];
  g_autofree char *frame_arg = g_strdup_printf ("%u", index + 1);
  int k = 0, status;

  if (path == NULL || !lacuna_test_require_program ("dcmj2pnm", "dcmtk"))
    return;
  tmp = lacuna_test_make_tmpdir ();
  ref_path = g_build_filename (tmp, "ref.pnm", NULL);
  argv[k++] = "dcmj2pnm";
  argv[k++] = "-O";          /* no overlays: we draw nothing over the image */
  argv[k++] = "+F";
  argv[k++] = frame_arg;
  if (window_option != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (window_option, " ", -1);
      for (guint i = 0; parts[i] != NULL; i++)
        argv[k++] = g_intern_string (parts[i]);
    }
  argv[k++] = reference != NULL ? reference : path;
  argv[k++] = ref_path;
  argv[k] = NULL;
  status = lacuna_test_run (argv, &out, &err);
  g_assert_cmpint (status, ==, 0);
  ref = read_pnm (ref_path, &w, &h, &channels);

  frame = decode_path (path, index);
  g_assert_cmpuint (lacuna_frame_get_width (frame), ==, w);
  g_assert_cmpuint (lacuna_frame_get_height (frame), ==, h);
  g_assert_cmpuint (lacuna_frame_is_color (frame) ? 3 : 1, ==, channels);
  lacuna_frame_get_default_window (frame, &c, &wd, &lut);
  ours = g_malloc ((gsize) w * h * channels);
  if (channels == 3)
    lacuna_frame_render_rgb (frame, c, wd, lut, ours, (gsize) w * 3);
  else
    lacuna_frame_render_grey (frame, c, wd, lut, ours, w);

  for (gsize i = 0; i < (gsize) w * h * channels; i++)
    {
      guint d = (guint) abs ((int) ours[i] - (int) ref[i]);

      worst = MAX (worst, d);
      if (d > tolerance)
        n_off++;
    }
  g_test_message ("%s: largest difference from dcmj2pnm %u (%" G_GSIZE_FORMAT " bytes over %u)",
                  relative, worst, n_off, tolerance);
  g_assert_cmpuint (n_off, ==, 0);
}

static void
compare_with_dcmj2pnm (const char *relative,
                       const char *window_option,
                       guint       tolerance)
{
  compare_with_reference (relative, NULL, window_option, 0, tolerance);
}

static void
test_frame_vs_dcmtk_ct (void)
{
  compare_with_dcmj2pnm ("head-volume/GE_head_CT_gantry_tilt/14.dcm", "+Wi 1", 1);
  compare_with_dcmj2pnm ("series-ct/dcmqi_ct-3slice_chest_abdomen/02.dcm", "+Wi 1", 1);
}

static void
test_frame_vs_dcmtk_monochrome1 (void)
{
  g_autofree char *path = lacuna_test_dup_testdata (
    "variety/monochrome1/orthanc_Issue44_Monochrome1-Jpeg.dcm");
  g_autoptr(LacunaFrame) frame = NULL;

  if (path == NULL)
    return;
  frame = decode_path (path, 0);
  g_assert_true (lacuna_frame_is_inverted (frame));
  g_assert_cmpstr (lacuna_frame_get_photometric (frame), ==, "MONOCHROME1");
  compare_with_dcmj2pnm ("variety/monochrome1/orthanc_Issue44_Monochrome1-Jpeg.dcm",
                         "+Wi 1", 1);
}

static void
test_frame_vs_dcmtk_minmax (void)
{
  /* No window in the file: DCMTK's min-max window. */
  compare_with_dcmj2pnm ("variety/pydicom_debian_test_files/CT_small.dcm", "+Wm", 1);
}

static void
test_frame_vs_dcmtk_color (void)
{
  compare_with_dcmj2pnm ("variety/color/orthanc_Implicit-vr-us-palette.dcm", NULL, 2);
  compare_with_dcmj2pnm ("variety/color/pydicom-data_SC_ybr_full_uncompressed.dcm", NULL, 2);
  compare_with_dcmj2pnm ("variety/color/orthanc_2023-04-21-RLEPlanarConfigurationYBR_FULL.dcm",
                         NULL, 2);
  compare_with_dcmj2pnm ("variety/pydicom_debian_test_files/SC_ybr_full_422_uncompressed.dcm",
                         NULL, 2);
}

static void
test_frame_vs_gdcm_segmented_palette (void)
{
  /* DCMTK does not read segmented palettes: GDCM applies the palette (RGB, 16 bits), and
   * dcmj2pnm renders that to 8 bits. */
  const char *relative = "phi-burned-in/ultrasound/pydicom-data_gdcm-US-ALOKA-16.dcm";
  g_autofree char *path = lacuna_test_dup_testdata (relative);
  g_autofree char *tmp = NULL;
  g_autofree char *rgb = NULL;
  const char *argv[5] = { "gdcmconv", "--apply-lut", NULL, NULL, NULL };

  if (path == NULL || !lacuna_test_require_program ("gdcmconv", "libgdcm-tools"))
    return;
  tmp = lacuna_test_make_tmpdir ();
  rgb = g_build_filename (tmp, "rgb.dcm", NULL);
  argv[2] = path;
  argv[3] = rgb;
  g_assert_cmpint (lacuna_test_run (argv, NULL, NULL), ==, 0);
  compare_with_reference (relative, rgb, NULL, 0, 2);
}

/* Enhanced multi-frame objects keep Rescale and Window in functional groups. DCMTK's
 * dcmj2pnm does not take the window from there (so it is given explicitly), and it applies
 * a shared Pixel Value Transformation but not a per-frame one. */
static void
test_frame_enhanced_shared (void)
{
  const char *relative = "variety/multiframe/pydicom-data_eCT_Supplemental_enhancedCT.dcm";
  g_autofree char *path = lacuna_test_dup_testdata (relative);
  g_autoptr(LacunaFrame) frame = NULL;
  double c, w, slope, intercept;

  if (path == NULL)
    return;
  frame = decode_path (path, 0);
  g_assert_true (lacuna_frame_get_rescale (frame, &slope, &intercept));
  g_assert_cmpfloat (slope, ==, 1);
  g_assert_cmpfloat (intercept, ==, -1024);
  lacuna_frame_get_default_window (frame, &c, &w, NULL);
  g_assert_cmpfloat (c, ==, 49);
  g_assert_cmpfloat (w, ==, 102);
  compare_with_reference (relative, NULL, "+Ww 49 102", 0, 1);
}

static void
test_frame_enhanced_per_frame (void)
{
  const char *siemens = "variety/multiframe/dcm_qa_enh_Siemens_XA10/6_1.dcm";
  const char *philips = "variety/multiframe/dcm_qa_enh_Philips_IM_0027_fMAP_enhancedMR.dcm";
  g_autofree char *path = lacuna_test_dup_testdata (siemens);
  g_autofree char *path2 = lacuna_test_dup_testdata (philips);
  g_autoptr(LacunaFrame) frame = NULL;
  double c, w, slope;

  if (path == NULL || path2 == NULL)
    return;
  /* The second frame's own window (the first frame's is 625/1361). */
  frame = decode_path (path, 1);
  lacuna_frame_get_default_window (frame, &c, &w, NULL);
  g_assert_cmpfloat (c, ==, 609);
  g_assert_cmpfloat (w, ==, 1311);
  compare_with_reference (siemens, NULL, "+Ww 609 1311", 1, 1);
  g_clear_object (&frame);

  /* A per-frame slope: the window 959/1667 is in rescaled units, i.e. 959/s, 1667/s in the
   * stored values DCMTK windows here. */
  frame = decode_path (path2, 0);
  g_assert_true (lacuna_frame_get_rescale (frame, &slope, NULL));
  g_assert_cmpfloat_with_epsilon (slope, 1.27985347985347, 1e-12);
  lacuna_frame_get_default_window (frame, &c, &w, NULL);
  g_assert_cmpfloat (c, ==, 959);
  g_assert_cmpfloat (w, ==, 1667);
  {
    char wc[G_ASCII_DTOSTR_BUF_SIZE], ww[G_ASCII_DTOSTR_BUF_SIZE];
    g_autofree char *option = NULL;

    g_ascii_formatd (wc, sizeof wc, "%.6f", 959 / slope);
    g_ascii_formatd (ww, sizeof ww, "%.6f", 1667 / slope);
    option = g_strdup_printf ("+Ww %s %s", wc, ww);

    compare_with_reference (philips, NULL, option, 0, 1);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  lacuna_dicom_init ();

  g_test_add_func ("/core/frame/new-destroy", test_frame_new_destroy);
  g_test_add_func ("/core/frame/rescale", test_frame_rescale);
  g_test_add_func ("/core/frame/default-slope", test_frame_default_slope);
  g_test_add_func ("/core/frame/window-linear", test_frame_window_linear);
  g_test_add_func ("/core/frame/window-functions", test_frame_window_functions);
  g_test_add_func ("/core/frame/monochrome1", test_frame_monochrome1);
  g_test_add_func ("/core/frame/signed", test_frame_signed);
  g_test_add_func ("/core/frame/signed-8bit", test_frame_signed_8bit);
  g_test_add_func ("/core/frame/padding", test_frame_padding);
  g_test_add_func ("/core/frame/value-range-16", test_frame_value_range_16);
  g_test_add_func ("/core/frame/modality-lut", test_frame_modality_lut);
  g_test_add_func ("/core/frame/voi-lut", test_frame_voi_lut);
  g_test_add_func ("/core/frame/palette", test_frame_palette);
  g_test_add_func ("/core/frame/palette-segmented", test_frame_palette_segmented);
  g_test_add_func ("/core/frame/ybr", test_frame_ybr);
  g_test_add_func ("/core/frame/errors", test_frame_errors);
  g_test_add_func ("/core/frame/render-speed", test_frame_render_speed);
  g_test_add_func ("/core/frame/threads", test_frame_threads);
  g_test_add_func ("/core/frame/real/ct", test_frame_real_ct);
  g_test_add_func ("/core/frame/real/vs-dcmtk-ct", test_frame_vs_dcmtk_ct);
  g_test_add_func ("/core/frame/real/vs-dcmtk-monochrome1", test_frame_vs_dcmtk_monochrome1);
  g_test_add_func ("/core/frame/real/vs-dcmtk-minmax", test_frame_vs_dcmtk_minmax);
  g_test_add_func ("/core/frame/real/vs-dcmtk-color", test_frame_vs_dcmtk_color);
  g_test_add_func ("/core/frame/real/enhanced-shared", test_frame_enhanced_shared);
  g_test_add_func ("/core/frame/real/enhanced-per-frame", test_frame_enhanced_per_frame);
  g_test_add_func ("/core/frame/real/vs-gdcm-segmented-palette",
                   test_frame_vs_gdcm_segmented_palette);

  return g_test_run ();
}
