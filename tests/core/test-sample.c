/* test-sample.c: the bundled sample study, checked with independent tools (dciodvfy,
 * dcmdump, tesseract) and read back through the DICOM shim. */
#define G_LOG_DOMAIN "test-sample"

#include "config.h"

#include <dlfcn.h>
#include <math.h>
#include <string.h>

#include <cairo.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "lacuna-core.h"
#include "lacuna-test-util.h"

/* The sample, written once for the whole program. */
static char *sample_dir;

static const char *
get_sample (void)
{
  if (sample_dir == NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *tmp = lacuna_test_make_tmpdir ();
      char *dir = g_build_filename (tmp, "out", NULL);   /* created by the writer */

      g_assert_true (lacuna_sample_write (dir, NULL, &error));
      g_assert_no_error (error);
      sample_dir = dir;
    }
  return sample_dir;
}

static char *
sample_path (const char *file_id)
{
  return g_build_filename (get_sample (), file_id, NULL);
}

static LacunaDicomFile *
open_sample (const char *file_id)
{
  g_autofree char *path = sample_path (file_id);
  g_autoptr(GError) error = NULL;
  LacunaDicomFile *file = lacuna_dicom_file_open (path, LACUNA_DICOM_OPEN_DEFAULT, &error);

  g_assert_no_error (error);
  g_assert_nonnull (file);
  return file;
}

static char *
dup_string (LacunaDicomFile *file,
            const char      *path)
{
  g_autoptr(GError) error = NULL;
  char *value = lacuna_dicom_file_dup_string (file, path, &error);

  if (error != NULL)
    g_error ("%s: %s", path, error->message);
  return value;
}

static double
get_number (LacunaDicomFile *file,
            const char      *path,
            guint            index)
{
  g_autoptr(GError) error = NULL;
  double value = 0;

  g_assert_true (lacuna_dicom_file_get_number (file, path, index, &value, &error));
  g_assert_no_error (error);
  return value;
}

static GBytes *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_no_error (error);
  return g_bytes_new_take (contents, length);
}

/* ---------------------------------------------------------------------------------------- */

static void
test_sample_files (void)
{
  const char *dir = get_sample ();
  g_autoptr(GPtrArray) files = lacuna_test_list_files (dir);
  const char * const *ids = lacuna_sample_get_file_ids ();
  guint n_ct = 0, n_us = 0, n_sc = 0, n_dicomdir = 0;

  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);
      g_autofree char *base = g_path_get_basename (path);

      /* No temporary file left behind, nothing that is not a PS3.10 file ID. */
      g_assert_false (base[0] == '.');
      g_assert_null (strstr (base, "tmp"));
      if (strstr (path, "/LACUNA/CT/IM") != NULL)
        n_ct++;
      else if (strstr (path, "/LACUNA/US/IM") != NULL)
        n_us++;
      else if (strstr (path, "/LACUNA/SC/IM") != NULL)
        n_sc++;
      else if (g_str_equal (base, "DICOMDIR"))
        n_dicomdir++;
      else
        g_error ("unexpected file %s", path);
    }
  g_assert_cmpuint (n_ct, >=, 60);
  g_assert_cmpuint (n_ct, ==, LACUNA_SAMPLE_CT_SLICES);
  g_assert_cmpuint (n_us, ==, 1);
  g_assert_cmpuint (n_sc, ==, 1);
  g_assert_cmpuint (n_dicomdir, ==, 1);
  g_assert_cmpuint (g_strv_length ((char **) ids), ==, LACUNA_SAMPLE_N_FILES);
  g_assert_cmpuint (files->len, ==, LACUNA_SAMPLE_N_FILES + 1);

  /* Each kind is what it says. */
  for (guint k = 0; ids[k] != NULL; k++)
    {
      g_autoptr(LacunaDicomFile) file = open_sample (ids[k]);
      g_autofree char *sop_class = dup_string (file, "00080016");
      g_autofree char *modality = dup_string (file, "00080060");

      g_assert_true (lacuna_dicom_file_has_meta (file));
      if (strstr (ids[k], "/CT/") != NULL)
        {
          g_assert_cmpstr (sop_class, ==, "1.2.840.10008.5.1.4.1.1.2");
          g_assert_cmpstr (modality, ==, "CT");
        }
      else if (strstr (ids[k], "/US/") != NULL)
        {
          g_assert_cmpstr (sop_class, ==, "1.2.840.10008.5.1.4.1.1.6.1");
          g_assert_cmpstr (modality, ==, "US");
        }
      else
        {
          g_assert_cmpstr (sop_class, ==, "1.2.840.10008.5.1.4.1.1.7");
          g_assert_cmpstr (modality, ==, "OT");
        }
    }
}

/* dciodvfy writes its report on stderr; any line starting "Error" fails. */
static void
assert_dciodvfy_clean (const char *path)
{
  const char *argv[] = { "dciodvfy", path, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *all = NULL;
  g_auto(GStrv) lines = NULL;
  int status;

  status = lacuna_test_run (argv, &out, &err);
  g_assert_cmpint (status, >=, 0);
  all = g_strconcat (out, "\n", err, NULL);
  lines = g_strsplit (all, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "Error"))
      g_error ("dciodvfy %s: %s", path, lines[i]);
  /* It did look at the file: it names the IOD it checked. */
  g_assert_true (strstr (all, "Image") != NULL || strstr (all, "Directory") != NULL);
}

static void
test_sample_dciodvfy (void)
{
  g_autoptr(GPtrArray) files = NULL;

  if (!lacuna_test_require_program ("dciodvfy", "dicom3tools"))
    return;
  files = lacuna_test_list_files (get_sample ());
  for (guint i = 0; i < files->len; i++)
    assert_dciodvfy_clean (g_ptr_array_index (files, i));
}

static guint
count_occurrences (const char *haystack,
                   const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

static void
test_sample_dicomdir (void)
{
  g_autofree char *dicomdir = sample_path ("DICOMDIR");
  const char *argv[] = { "dcmdump", dicomdir, NULL };
  const char * const *ids = lacuna_sample_get_file_ids ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  if (!lacuna_test_require_program ("dcmdump", "dcmtk"))
    return;
  g_assert_cmpint (lacuna_test_run (argv, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "=MediaStorageDirectoryStorage"));
  for (guint k = 0; ids[k] != NULL; k++)
    {
      g_autofree char *id = g_strdelimit (g_strdup (ids[k]), "/", '\\');
      g_autofree char *needle = g_strdup_printf ("(0004,1500) CS [%s]", id);

      if (strstr (out, needle) == NULL)
        g_error ("the DICOMDIR does not list %s", ids[k]);
    }
  g_assert_cmpuint (count_occurrences (out, "(0004,1500)"), ==, LACUNA_SAMPLE_N_FILES);
  g_assert_cmpuint (count_occurrences (out, "CS [PATIENT]"), ==, 1);
  g_assert_cmpuint (count_occurrences (out, "CS [STUDY]"), ==, 2);
  g_assert_cmpuint (count_occurrences (out, "CS [SERIES]"), ==, 3);
  g_assert_cmpuint (count_occurrences (out, "CS [IMAGE]"), ==, LACUNA_SAMPLE_N_FILES);
}

/* ---------------------------------------------------------------------------------------- */
/* Hounsfield units at known places of the phantom                                          */

typedef struct
{
  guint   rows, columns;
  double  x0, y0, z;
  double  row_spacing, column_spacing;
  double  slope, intercept;
  GBytes *pixels;            /* stored values, 16-bit */
} Slice;

static void
slice_clear (Slice *slice)
{
  g_clear_pointer (&slice->pixels, g_bytes_unref);
}

static GArray *
load_ct (void)
{
  GArray *slices = g_array_new (FALSE, TRUE, sizeof (Slice));
  const char * const *ids = lacuna_sample_get_file_ids ();

  g_array_set_clear_func (slices, (GDestroyNotify) slice_clear);
  for (guint k = 0; k < LACUNA_SAMPLE_CT_SLICES; k++)
    {
      g_autoptr(LacunaDicomFile) file = open_sample (ids[k]);
      g_autoptr(GError) error = NULL;
      LacunaDicomPixelInfo info;
      char photometric[24];
      Slice slice = { 0 };

      g_assert_true (lacuna_dicom_file_get_pixel_info (file, &info, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (info.bits_allocated, ==, 16);
      g_assert_cmpuint (info.samples_per_pixel, ==, 1);
      g_assert_cmpstr (info.photometric, ==, "MONOCHROME2");
      g_assert_cmpfloat (get_number (file, "00200013", 0), ==, k + 1);
      slice.rows = info.rows;
      slice.columns = info.columns;
      slice.x0 = get_number (file, "00200032", 0);
      slice.y0 = get_number (file, "00200032", 1);
      slice.z = get_number (file, "00200032", 2);
      slice.row_spacing = get_number (file, "00280030", 0);
      slice.column_spacing = get_number (file, "00280030", 1);
      slice.slope = get_number (file, "00281053", 0);
      slice.intercept = get_number (file, "00281052", 0);
      slice.pixels = lacuna_dicom_file_decode_frame (file, 0, photometric, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (g_bytes_get_size (slice.pixels), ==, 2u * info.rows * info.columns);
      g_array_append_val (slices, slice);
    }
  return slices;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* Median HU over a (2r+1)² pixel square around the point (mm, patient coordinates). */
static double
median_hu (GArray *slices,
           double  x,
           double  y,
           double  z,
           int     r)
{
  const Slice *best = NULL;
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));
  const guint16 *data;
  int ci, cj;

  for (guint k = 0; k < slices->len; k++)
    {
      const Slice *s = &g_array_index (slices, Slice, k);

      if (best == NULL || fabs (s->z - z) < fabs (best->z - z))
        best = s;
    }
  g_assert_cmpfloat (fabs (best->z - z), <, 0.01);
  ci = (int) lround ((x - best->x0) / best->column_spacing);
  cj = (int) lround ((y - best->y0) / best->row_spacing);
  g_assert_cmpint (ci - r, >=, 0);
  g_assert_cmpint (cj - r, >=, 0);
  g_assert_cmpint (ci + r, <, (int) best->columns);
  g_assert_cmpint (cj + r, <, (int) best->rows);
  data = g_bytes_get_data (best->pixels, NULL);
  for (int j = cj - r; j <= cj + r; j++)
    for (int i = ci - r; i <= ci + r; i++)
      {
        double hu = data[j * best->columns + i] * best->slope + best->intercept;

        g_array_append_val (values, hu);
      }
  g_array_sort (values, compare_doubles);
  return g_array_index (values, double, values->len / 2);
}

static void
test_sample_hounsfield (void)
{
  g_autoptr(GArray) slices = load_ct ();
  struct
  {
    const char *tissue;
    double      x, y, z;      /* mm, LPS */
    double      expected, tolerance;
  } points[] = {
    { "air beside the head",        -140, -140,  -102.5, -1000,  30 },
    { "air in front of the chest",     0, -120,  -307.5, -1000,  30 },
    { "subcutaneous fat (chest)",      0,  -80.5, -307.5,  -100, 30 },
    { "pectoral muscle",               0,  -62,   -307.5,    50, 30 },
    { "vertebral body (chest)",        0,   55,   -307.5,   700, 100 },
    { "vertebral body (neck)",         0,   22,   -232.5,   700, 100 },
    { "skull, left parietal",         55,    8,    -52.5,   700, 100 },
    { "brain",                         0,    8,    -52.5,    35, 30 },
    { "right lung",                  -66,    5,   -307.5,  -850, 60 },
    { "trachea",                       0,   -5,   -307.5, -1000, 60 },
  };

  g_assert_cmpuint (slices->len, ==, LACUNA_SAMPLE_CT_SLICES);

  /* Geometry: axial, evenly spaced, head at the top (highest z) slices. */
  for (guint k = 1; k < slices->len; k++)
    {
      const Slice *a = &g_array_index (slices, Slice, k - 1);
      const Slice *b = &g_array_index (slices, Slice, k);

      g_assert_cmpfloat_with_epsilon (a->z - b->z, 5.0, 1e-6);
      g_assert_cmpfloat (a->x0, ==, b->x0);
    }

  for (guint p = 0; p < G_N_ELEMENTS (points); p++)
    {
      double hu = median_hu (slices, points[p].x, points[p].y, points[p].z, 2);

      g_test_message ("%s: %.0f HU (expected %.0f ± %.0f)", points[p].tissue, hu,
                      points[p].expected, points[p].tolerance);
      g_assert_cmpfloat (fabs (hu - points[p].expected), <=, points[p].tolerance);
    }
}

/* The face: along the midline, the nose tip stands well in front of the eyes' plane. */
static double
anterior_surface (GArray *slices,
                  double  x,
                  double  z)
{
  for (double y = -150; y < 0; y += 1.25)
    if (median_hu (slices, x, y, z, 0) > -300)
      return y;
  return 0;
}

static void
test_sample_face (void)
{
  g_autoptr(GArray) slices = load_ct ();
  double nose_tip = anterior_surface (slices, 0, -147.5);
  double left_cheek = anterior_surface (slices, 31.25, -147.5);
  double eye = anterior_surface (slices, 31.25, -112.5);
  double brow = anterior_surface (slices, 31.25, -97.5);
  double bridge = anterior_surface (slices, 0, -112.5);

  g_test_message ("nose tip %.1f, cheek %.1f, eye %.1f, brow %.1f, bridge %.1f (mm, y)",
                  nose_tip, left_cheek, eye, brow, bridge);
  g_assert_cmpfloat (left_cheek - nose_tip, >, 15);     /* the nose sticks out */
  g_assert_cmpfloat (eye - brow, >, 5);                  /* the eye lies in a socket */
  g_assert_cmpfloat (eye - bridge, >, 5);
}

/* ---------------------------------------------------------------------------------------- */
/* Burned-in text                                                                           */

typedef void *(*TessCreateFunc) (void);
typedef int   (*TessInitFunc) (void *, const char *, const char *);
typedef void  (*TessSetImageFunc) (void *, const unsigned char *, int, int, int, int);
typedef char *(*TessGetTextFunc) (void *);
typedef void  (*TessDeleteTextFunc) (const char *);
typedef void  (*TessDeleteFunc) (void *);

/* OCR through libtesseract's C API, loaded at run time (the test does not link it). */
static char *
ocr_with_library (const guint8 *grey,
                  int           width,
                  int           height)
{
  void *lib = dlopen ("libtesseract.so.5", RTLD_NOW | RTLD_LOCAL);
  TessCreateFunc create;
  TessInitFunc init;
  TessSetImageFunc set_image;
  TessGetTextFunc get_text;
  TessDeleteTextFunc delete_text;
  TessDeleteFunc delete_api;
  void *api;
  char *text, *copy = NULL;

  if (lib == NULL)
    return NULL;
  create = (TessCreateFunc) dlsym (lib, "TessBaseAPICreate");
  init = (TessInitFunc) dlsym (lib, "TessBaseAPIInit3");
  set_image = (TessSetImageFunc) dlsym (lib, "TessBaseAPISetImage");
  get_text = (TessGetTextFunc) dlsym (lib, "TessBaseAPIGetUTF8Text");
  delete_text = (TessDeleteTextFunc) dlsym (lib, "TessDeleteText");
  delete_api = (TessDeleteFunc) dlsym (lib, "TessBaseAPIDelete");
  if (create && init && set_image && get_text && delete_text && delete_api)
    {
      api = create ();
      if (init (api, NULL, "eng") == 0)
        {
          set_image (api, grey, width, height, 1, width);
          text = get_text (api);
          copy = g_strdup (text);
          delete_text (text);
        }
      delete_api (api);
    }
  dlclose (lib);
  return copy;
}

static void
test_sample_burned_in (void)
{
  g_autoptr(LacunaDicomFile) file = open_sample ("LACUNA/US/IM000001");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) pixels = NULL;
  g_autofree char *burned = dup_string (file, "00280301");
  g_autofree char *tmp = lacuna_test_make_tmpdir ();
  g_autofree char *png = g_build_filename (tmp, "band.png", NULL);
  g_autofree guint8 *grey = NULL;
  g_autofree char *text = NULL;
  LacunaDicomPixelInfo info;
  char photometric[24];
  const guint8 *rgb;
  const int scale = 2;
  guint band = LACUNA_SAMPLE_US_TEXT_BAND;
  guint bright_left = 0, bright_right = 0, dark = 0;
  cairo_surface_t *surface;
  int gw, gh, stride;
  guint8 *data;

  g_assert_cmpstr (burned, ==, "YES");
  g_assert_true (lacuna_dicom_file_get_pixel_info (file, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (info.samples_per_pixel, ==, 3);
  pixels = lacuna_dicom_file_decode_frame (file, 0, photometric, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (photometric, ==, "RGB");
  rgb = g_bytes_get_data (pixels, NULL);

  /* Text-like: bright strokes on both sides, on a mostly dark band. */
  for (guint j = 0; j < band; j++)
    for (guint i = 0; i < info.columns; i++)
      {
        const guint8 *p = rgb + 3 * ((gsize) j * info.columns + i);

        if (p[0] > 200 && p[1] > 200 && p[2] > 200)
          {
            if (i < info.columns / 2)
              bright_left++;
            else
              bright_right++;
          }
        else if (p[0] < 40 && p[1] < 40 && p[2] < 40)
          dark++;
      }
  g_test_message ("top band: %u + %u bright, %u dark pixels", bright_left, bright_right, dark);
  g_assert_cmpuint (bright_left, >, 500);
  g_assert_cmpuint (bright_right, >, 500);
  g_assert_cmpuint (dark, >, band * info.columns * 6 / 10);

  /* OCR of the band, as black text on white, twice the size. */
  gw = info.columns * scale;
  gh = band * scale;
  grey = g_malloc ((gsize) gw * gh);
  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, gw, gh);
  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (int j = 0; j < gh; j++)
    for (int i = 0; i < gw; i++)
      {
        const guint8 *p = rgb + 3 * ((gsize) (j / scale) * info.columns + i / scale);
        guint8 v = 255 - (guint8) ((p[0] + p[1] + p[2]) / 3);

        grey[(gsize) j * gw + i] = v;
        ((guint32 *) (data + (gsize) j * stride))[i] = 0xFF000000u | v << 16 | v << 8 | v;
      }
  cairo_surface_mark_dirty (surface);
  g_assert_cmpint (cairo_surface_write_to_png (surface, png), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);

  {
    g_autofree char *program = g_find_program_in_path ("tesseract");

    if (program != NULL)
      {
        const char *argv[] = { "tesseract", png, "stdout", NULL };
        g_autofree char *err = NULL;

        g_assert_cmpint (lacuna_test_run (argv, &text, &err), ==, 0);
      }
    else
      text = ocr_with_library (grey, gw, gh);
  }
  if (text == NULL)
    {
      g_test_skip ("neither the tesseract program (tesseract-ocr) nor libtesseract.so.5 "
                   "with English data (tesseract-ocr-eng) is available: OCR not checked");
      return;
    }
  g_test_message ("OCR: %s", text);
  g_assert_nonnull (strstr (text, LACUNA_SAMPLE_PATIENT_SURNAME));
  g_assert_nonnull (strstr (text, "ALDHELM"));
}

/* ---------------------------------------------------------------------------------------- */
/* Determinism                                                                              */

/* Every file of b, the DICOMDIR included, is byte-identical to a's. */
static void
assert_same_sample (const char *a,
                    const char *b)
{
  const char * const *ids = lacuna_sample_get_file_ids ();
  g_autofree char *dicomdir_a = g_build_filename (a, "DICOMDIR", NULL);
  g_autofree char *dicomdir_b = g_build_filename (b, "DICOMDIR", NULL);
  g_autoptr(GBytes) bytes_a = NULL;
  g_autoptr(GBytes) bytes_b = NULL;
  g_autoptr(GPtrArray) files_a = lacuna_test_list_files (a);
  g_autoptr(GPtrArray) files_b = lacuna_test_list_files (b);

  g_assert_cmpuint (files_a->len, ==, files_b->len);
  for (guint k = 0; ids[k] != NULL; k++)
    {
      g_autofree char *path_a = g_build_filename (a, ids[k], NULL);
      g_autofree char *path_b = g_build_filename (b, ids[k], NULL);
      g_autoptr(GBytes) file_a = read_file (path_a);
      g_autoptr(GBytes) file_b = read_file (path_b);

      if (!g_bytes_equal (file_a, file_b))
        g_error ("%s differs between two runs", ids[k]);
    }

  bytes_a = read_file (dicomdir_a);
  bytes_b = read_file (dicomdir_b);
  /* The DICOMDIR too: its SOP Instance UID is derived from what it lists. */
  if (!g_bytes_equal (bytes_a, bytes_b))
    g_error ("the DICOMDIR differs between two runs");
}

static void
test_sample_deterministic (void)
{
  g_autofree char *tmp = lacuna_test_make_tmpdir ();
  g_autoptr(GError) error = NULL;

  /* The folder exists and is empty: accepted. */
  g_assert_true (lacuna_sample_write (tmp, NULL, &error));
  g_assert_no_error (error);
  assert_same_sample (get_sample (), tmp);

  /* Over a previous sample: accepted, same result. */
  g_assert_true (lacuna_sample_write (tmp, NULL, &error));
  g_assert_no_error (error);
  assert_same_sample (get_sample (), tmp);
}

static void
test_sample_refuses_foreign_folder (void)
{
  g_autofree char *tmp = lacuna_test_make_tmpdir ();
  g_autofree char *other = g_build_filename (tmp, "notes.txt", NULL);
  g_autofree char *top = g_build_filename (tmp, "LACUNA", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (other, "someone's file", -1, NULL));
  g_assert_false (lacuna_sample_write (tmp, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_false (g_file_test (top, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  g_assert_false (lacuna_sample_write (other, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY);
}

static void
test_sample_cancelled (void)
{
  g_autofree char *tmp = lacuna_test_make_tmpdir ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) files = NULL;

  g_cancellable_cancel (cancellable);
  g_assert_false (lacuna_sample_write (tmp, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  files = lacuna_test_list_files (tmp);
  g_assert_cmpuint (files->len, ==, 0);
}

/* ---------------------------------------------------------------------------------------- */
/* The invented identity, everywhere it should be                                           */

typedef struct
{
  GHashTable *values;          /* path → value */
  gboolean    private_name;    /* (0029,1010) in the LACUNA SAMPLE block holds the name */
  gboolean    sequence_id;     /* an item of (0010,1002) holds the Patient ID */
} Identity;

static LacunaDicomWalkResult
identity_cb (const LacunaDicomElement *element,
             gpointer                  user_data)
{
  Identity *identity = user_data;

  if (element->value != NULL)
    g_hash_table_insert (identity->values, g_strdup (element->path), g_strdup (element->value));
  if (element->is_private && (element->tag & 0xFFFF00FF) == 0x00290010 &&
      g_strcmp0 (element->private_creator, LACUNA_SAMPLE_PRIVATE_CREATOR) == 0 &&
      g_strcmp0 (element->value, LACUNA_SAMPLE_PATIENT_NAME) == 0)
    identity->private_name = TRUE;
  if (element->depth == 1 && g_str_has_prefix (element->path, "00101002/") &&
      element->tag == 0x00100020 && g_strcmp0 (element->value, LACUNA_SAMPLE_PATIENT_ID) == 0)
    identity->sequence_id = TRUE;
  return LACUNA_DICOM_WALK_CONTINUE;
}

static void
test_sample_identity (void)
{
  const char * const *ids = lacuna_sample_get_file_ids ();
  g_autoptr(GHashTable) sop_uids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *ct_study = NULL;
  const struct
  {
    const char *path;
    const char *value;         /* NULL: present and not empty */
  } expected[] = {
    { "00080005", "ISO_IR 192" },
    { "00100010", LACUNA_SAMPLE_PATIENT_NAME },
    { "00100020", LACUNA_SAMPLE_PATIENT_ID },
    { "00100030", LACUNA_SAMPLE_BIRTH_DATE },
    { "00100040", LACUNA_SAMPLE_PATIENT_SEX },
    { "00101010", LACUNA_SAMPLE_PATIENT_AGE },
    { "00101020", NULL },
    { "00101030", NULL },
    { "00101040", LACUNA_SAMPLE_PATIENT_ADDRESS },
    { "00102154", LACUNA_SAMPLE_PATIENT_PHONE },
    { "00101000", LACUNA_SAMPLE_OTHER_PATIENT_ID },
    { "00101060", LACUNA_SAMPLE_MOTHERS_BIRTH_NAME },
    { "00104000", NULL },
    { "001021B0", NULL },
    { "00080090", LACUNA_SAMPLE_REFERRING_PHYSICIAN },
    { "00081050", LACUNA_SAMPLE_PERFORMING_PHYSICIAN },
    { "00081060", LACUNA_SAMPLE_READING_PHYSICIAN },
    { "00081070", LACUNA_SAMPLE_OPERATOR },
    { "00080080", LACUNA_SAMPLE_INSTITUTION },
    { "00080081", LACUNA_SAMPLE_INSTITUTION_ADDRESS },
    { "00081040", LACUNA_SAMPLE_DEPARTMENT },
    { "00081010", NULL },
    { "00181000", NULL },
    { "00080050", NULL },
    { "00200010", NULL },
    { "00080020", NULL },
    { "00080021", NULL },
    { "00080023", NULL },
    { "00080030", NULL },
    { "00080031", NULL },
    { "00080033", NULL },
    { "00400275/0/00080050", NULL },
    { "00101002/0/00100022", "TEXT" },
  };

  for (guint k = 0; ids[k] != NULL; k++)
    {
      g_autoptr(LacunaDicomFile) file = open_sample (ids[k]);
      Identity identity = { g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free) };
      const char *sop_uid, *study_uid, *accession, *date;

      lacuna_dicom_file_walk (file, FALSE, identity_cb, &identity);
      for (guint e = 0; e < G_N_ELEMENTS (expected); e++)
        {
          const char *value = g_hash_table_lookup (identity.values, expected[e].path);

          if (value == NULL || *value == '\0')
            g_error ("%s: %s is missing", ids[k], expected[e].path);
          if (expected[e].value != NULL)
            g_assert_cmpstr (value, ==, expected[e].value);
        }
      g_assert_true (identity.private_name);
      g_assert_true (identity.sequence_id);
      g_assert_true (g_utf8_validate (g_hash_table_lookup (identity.values, "00101040"), -1, NULL));
      g_assert_nonnull (strstr (g_hash_table_lookup (identity.values, "00101040"), "ö"));

      /* UIDs: 2.25 root, one per instance; CT and SC share a study, the US has its own. */
      sop_uid = g_hash_table_lookup (identity.values, "00080018");
      study_uid = g_hash_table_lookup (identity.values, "0020000D");
      accession = g_hash_table_lookup (identity.values, "00080050");
      date = g_hash_table_lookup (identity.values, "00080020");
      g_assert_true (g_str_has_prefix (sop_uid, "2.25."));
      g_assert_cmpuint (strlen (sop_uid), <=, 64);
      g_assert_true (g_hash_table_add (sop_uids, g_strdup (sop_uid)));
      if (ct_study == NULL)
        ct_study = g_strdup (study_uid);
      if (strstr (ids[k], "/US/") != NULL)
        {
          g_assert_cmpstr (study_uid, !=, ct_study);
          g_assert_cmpstr (accession, ==, LACUNA_SAMPLE_US_ACCESSION);
          g_assert_cmpstr (date, ==, LACUNA_SAMPLE_US_STUDY_DATE);
        }
      else
        {
          g_assert_cmpstr (study_uid, ==, ct_study);
          g_assert_cmpstr (accession, ==, LACUNA_SAMPLE_CT_ACCESSION);
          g_assert_cmpstr (date, ==, LACUNA_SAMPLE_CT_STUDY_DATE);
          g_assert_cmpstr (g_hash_table_lookup (identity.values, "00181000"), ==,
                           LACUNA_SAMPLE_DEVICE_SERIAL);
        }
      g_hash_table_unref (identity.values);
    }
  g_assert_cmpuint (g_hash_table_size (sop_uids), ==, LACUNA_SAMPLE_N_FILES);
}

/* ---------------------------------------------------------------------------------------- */
/* lacuna-cli sample and the per-process copy                                               */

/* Runs lacuna-cli, keeping its output out of the TAP stream; a failure explains itself. */
static int
run_argv (const char * const  *argv,
          char               **out_stdout)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = lacuna_test_run (argv, &out, &err);

  if (status != 0)
    g_assert_cmpstr (err, !=, "");
  if (out_stdout != NULL)
    *out_stdout = g_steal_pointer (&out);
  return status;
}

static void
test_sample_cli (void)
{
  g_autofree char *tmp = lacuna_test_make_tmpdir ();
  g_autofree char *out_dir = g_build_filename (tmp, "cli", NULL);
  g_autofree char *some_file = g_build_filename (tmp, "file.txt", NULL);
  const char *ok[] = { LACUNA_CLI_PATH, "sample", "-o", out_dir, NULL };
  const char *help[] = { LACUNA_CLI_PATH, "sample", "--help", NULL };
  const char *no_output[] = { LACUNA_CLI_PATH, "sample", NULL };
  const char *extra[] = { LACUNA_CLI_PATH, "sample", "-o", out_dir, "extra", NULL };
  const char *unknown[] = { LACUNA_CLI_PATH, "sample", "--frobnicate", NULL };
  const char *not_dir[] = { LACUNA_CLI_PATH, "sample", "-o", some_file, NULL };
  const char *not_empty[] = { LACUNA_CLI_PATH, "sample", "-o", tmp, NULL };
  g_autofree char *out = NULL;

  if (!g_file_test (LACUNA_CLI_PATH, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("lacuna-cli is not built");
      return;
    }
  g_assert_cmpint (run_argv (ok, NULL), ==, 0);
  assert_same_sample (get_sample (), out_dir);

  g_assert_cmpint (run_argv (help, &out), ==, 0);
  g_assert_nonnull (strstr (out, "--output"));
  g_assert_cmpint (run_argv (no_output, NULL), ==, 2);
  g_assert_cmpint (run_argv (extra, NULL), ==, 2);
  g_assert_cmpint (run_argv (unknown, NULL), ==, 2);
  g_assert_true (g_file_set_contents (some_file, "x", -1, NULL));
  g_assert_cmpint (run_argv (not_dir, NULL), ==, 1);
  g_assert_cmpint (run_argv (not_empty, NULL), ==, 1);
}

static void
test_sample_dup_path (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = lacuna_sample_dup_path (&error);
  g_autofree char *again = NULL;
  g_autofree char *cache = g_build_filename (g_get_user_cache_dir (), "lacuna", NULL);
  g_autoptr(GDir) dir = NULL;
  const char *name;
  GStatBuf st;

  g_assert_no_error (error);
  g_assert_nonnull (path);
  again = lacuna_sample_dup_path (&error);
  g_assert_no_error (error);
  g_assert_cmpstr (path, ==, again);
  assert_same_sample (get_sample (), path);

  /* In the (isolated) cache, private, with no temporary folder left beside it. */
  g_assert_true (g_str_has_prefix (path, cache));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0077, ==, 0);
  dir = g_dir_open (cache, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_assert_true (g_str_has_prefix (name, "sample-"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  lacuna_dicom_init ();

  g_test_add_func ("/core/sample/files", test_sample_files);
  g_test_add_func ("/core/sample/dciodvfy", test_sample_dciodvfy);
  g_test_add_func ("/core/sample/dicomdir", test_sample_dicomdir);
  g_test_add_func ("/core/sample/hounsfield", test_sample_hounsfield);
  g_test_add_func ("/core/sample/face", test_sample_face);
  g_test_add_func ("/core/sample/burned-in", test_sample_burned_in);
  g_test_add_func ("/core/sample/deterministic", test_sample_deterministic);
  g_test_add_func ("/core/sample/refuses-foreign-folder", test_sample_refuses_foreign_folder);
  g_test_add_func ("/core/sample/cancelled", test_sample_cancelled);
  g_test_add_func ("/core/sample/identity", test_sample_identity);
  g_test_add_func ("/core/sample/cli", test_sample_cli);
  g_test_add_func ("/core/sample/dup-path", test_sample_dup_path);

  return g_test_run ();
}
