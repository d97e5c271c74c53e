/* test-bodycomp.c: body composition on a generated CT slice of known areas, and on a real
 * abdominal CT against an independent measurement (gdcmconv --raw + dcmdump, own code). */
#define G_LOG_DOMAIN "test-bodycomp"

#include "config.h"

#include <math.h>
#include <string.h>

#include "lacuna-core.h"
#include "lacuna-bodycomp.h"
#include "lacuna-test-util.h"

/* ---------------------------------------------------------------------------------------- */
/* The phantom                                                                              */

#define PH_SIZE      512
#define PH_SPACING   0.78
#define R_BODY       160.0    /* mm: skin/fat ring outer edge */
#define R_MUSCLE     130.0    /* muscle ring outer edge */
#define R_INNER      110.0    /* muscle ring inner edge */
#define R_ORGAN      30.0
#define R_BLOB       15.0
#define R_GAS        10.0

typedef struct { double x, y, r; } Disc;

/* Centres in mm from the image centre. */
static const Disc organ = { -40.0, 0.0, R_ORGAN };
static const Disc blobs[2] = { { 50.0, -30.0, R_BLOB }, { 50.0, 30.0, R_BLOB } };
static const Disc gas = { 0.0, 60.0, R_GAS };

static gboolean
in_disc (const Disc *d,
         double      x,
         double      y)
{
  return (x - d->x) * (x - d->x) + (y - d->y) * (y - d->y) <= d->r * d->r;
}

/* HU at pixel (px, py). */
static int
phantom_hu (guint px,
            guint py)
{
  double x = ((double) px - PH_SIZE / 2) * PH_SPACING;
  double y = ((double) py - PH_SIZE / 2) * PH_SPACING;
  double r = sqrt (x * x + y * y);

  if (r > R_BODY)
    {
      /* A table under the body: a separate, smaller region above −500 HU. */
      if (y > 175.0 && y < 185.0 && fabs (x) < 150.0)
        return 100;
      return -1000;
    }
  if (r > R_MUSCLE)
    return -100;                    /* skin and subcutaneous fat */
  if (r > R_INNER)
    return 50;                      /* muscle ring */
  if (in_disc (&organ, x, y))
    return 40;
  if (in_disc (&blobs[0], x, y) || in_disc (&blobs[1], x, y))
    return -100;                    /* visceral fat */
  if (in_disc (&gas, x, y))
    return -900;                    /* bowel gas: a hole in the > −500 mask */
  return -300;                      /* in the body, in neither window */
}

static void
set (LacunaDicomFile *file,
     const char      *path,
     const char      *value)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (lacuna_dicom_file_set_string (file, path, NULL, value, &error));
  g_assert_no_error (error);
}

/* Writes the phantom as a CT file (stored = HU + 1024, intercept −1024) and returns its path. */
static char *
write_phantom (const char *dir,
               const char *patient_size)
{
  g_autoptr(LacunaDicomFile) file = lacuna_dicom_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree gint16 *pixels = g_new (gint16, PH_SIZE * PH_SIZE);
  char *path = g_build_filename (dir, "phantom.dcm", NULL);

  for (guint y = 0; y < PH_SIZE; y++)
    for (guint x = 0; x < PH_SIZE; x++)
      pixels[y * PH_SIZE + x] = (gint16) (phantom_hu (x, y) + 1024);

  set (file, "00080016", "1.2.840.10008.5.1.4.1.1.2");
  set (file, "00080018", "1.2.826.0.1.3680043.10.1358.77");
  set (file, "00080060", "CT");
  set (file, "00180015", "ABDOMEN");
  set (file, "00200013", "7");
  if (patient_size != NULL)
    set (file, "00101020", patient_size);
  set (file, "00280002", "1");
  set (file, "00280004", "MONOCHROME2");
  set (file, "00280010", "512");
  set (file, "00280011", "512");
  set (file, "00280030", "0.78\\0.78");
  set (file, "00280100", "16");
  set (file, "00280101", "16");
  set (file, "00280102", "15");
  set (file, "00280103", "1");
  set (file, "00281052", "-1024");
  set (file, "00281053", "1");
  set (file, "00281054", "HU");
  g_assert_true (lacuna_dicom_file_set_pixel_data (file, pixels, PH_SIZE * PH_SIZE * 2, 16,
                                                   &error));
  g_assert_no_error (error);
  g_assert_true (lacuna_dicom_file_save (file, path, NULL, &error));
  g_assert_no_error (error);
  return path;
}

static void
assert_within (double measured,
               double expected,
               double tolerance)
{
  g_test_message ("measured %.3f, expected %.3f", measured, expected);
  g_assert_cmpfloat (fabs (measured - expected), <=, tolerance * fabs (expected));
}

static void
test_bodycomp_phantom (void)
{
  g_autofree char *dir = lacuna_test_make_tmpdir ();
  g_autofree char *path = write_phantom (dir, "1.70");
  g_autoptr(LacunaDicomFile) file = NULL;
  g_autoptr(LacunaBodyComp) bc = NULL;
  g_autoptr(GError) error = NULL;
  double pi = G_PI;
  double subcut = pi * (R_BODY * R_BODY - R_MUSCLE * R_MUSCLE) / 100.0;
  double ring = pi * (R_MUSCLE * R_MUSCLE - R_INNER * R_INNER) / 100.0;
  double organ_cm2 = pi * R_ORGAN * R_ORGAN / 100.0;
  double blobs_cm2 = 2 * pi * R_BLOB * R_BLOB / 100.0;
  double body = pi * R_BODY * R_BODY / 100.0;

  file = lacuna_dicom_file_open (path, LACUNA_DICOM_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  bc = lacuna_bodycomp_measure_file (file, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bc);

  /* The table is left out; the gas hole is filled into the body. */
  assert_within (bc->body_cm2, body, 0.01);
  assert_within (bc->adipose_cm2, subcut + blobs_cm2, 0.01);
  assert_within (bc->subcutaneous_cm2, subcut, 0.01);
  assert_within (bc->inner_cm2, blobs_cm2, 0.01);
  assert_within (bc->muscle_cm2, ring + organ_cm2, 0.01);
  assert_within (bc->muscle_ring_cm2, ring, 0.01);
  g_assert_cmpuint (bc->n_adipose, ==, bc->n_subcutaneous + bc->n_inner);
  g_assert_cmpfloat (bc->row_spacing, ==, 0.78);

  /* Labels agree with the counts. */
  {
    guint counts[6] = { 0, };

    for (guint i = 0; i < bc->width * bc->height; i++)
      counts[bc->labels[i]]++;
    g_assert_cmpuint (counts[LACUNA_BODYCOMP_LABEL_SUBCUTANEOUS_FAT], ==, bc->n_subcutaneous);
    g_assert_cmpuint (counts[LACUNA_BODYCOMP_LABEL_INNER_FAT], ==, bc->n_inner);
    g_assert_cmpuint (counts[LACUNA_BODYCOMP_LABEL_MUSCLE_RING] +
                      counts[LACUNA_BODYCOMP_LABEL_MUSCLE_OTHER], ==, bc->n_muscle);
  }

  /* The finding, with indices from Patient's Size 1.70 m. */
  {
    g_autoptr(LacunaCollection) collection = NULL;
    g_autoptr(LacunaLoader) loader = NULL;
    const char *paths[] = { path, NULL };
    g_autoptr(LacunaFinding) finding = NULL;
    g_autoptr(GListModel) series = NULL;
    g_autoptr(LacunaSeries) s = NULL;
    LacunaInstance *instance;
    JsonObject *values;

    loader = lacuna_loader_new (paths);
    collection = lacuna_loader_load (loader, NULL, &error);
    g_assert_no_error (error);
    series = lacuna_collection_list_series (collection);
    s = g_list_model_get_item (series, 0);
    instance = lacuna_series_get_instance (s, 0);
    finding = lacuna_bodycomp_to_finding (bc, instance, 1.70, FALSE);
    g_assert_cmpstr (lacuna_finding_get_kind (finding), ==, "body-composition");
    g_assert_cmpint (lacuna_finding_get_class (finding), ==, LACUNA_EVIDENCE_MEASURED);
    g_assert_cmpint (lacuna_finding_get_status (finding), ==, LACUNA_FINDING_CANNOT_BE_REMOVED);
    values = lacuna_finding_get_values (finding);
    g_assert_cmpint (json_object_get_int_member (values, "instance"), ==, 7);
    assert_within (json_object_get_double_member (values, "adipose_index_cm2_m2"),
                   (subcut + blobs_cm2) / (1.70 * 1.70), 0.01);
    assert_within (json_object_get_double_member (values, "muscle_index_cm2_m2"),
                   (ring + organ_cm2) / (1.70 * 1.70), 0.01);
    g_assert_nonnull (strstr (lacuna_finding_get_text (finding),
                              "muscle wall"));

    /* The series (one abdominal slice) suggests that slice. */
    {
      g_autoptr(LacunaBodyComp) again = NULL;

      g_assert_true (lacuna_bodycomp_series_applies (s));
      g_assert_true (lacuna_bodycomp_suggest_slice (s, &again, NULL, &error) == instance);
      g_assert_no_error (error);
      g_assert_cmpuint (again->n_adipose, ==, bc->n_adipose);
    }
  }
}

static void
test_bodycomp_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LacunaDicomFile) file = lacuna_dicom_file_new ();
  float one = 0.0f;

  g_assert_null (lacuna_bodycomp_measure_values (&one, 1, 1, 0.0, 1.0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (lacuna_bodycomp_measure_values (&one, 0, 1, 1.0, 1.0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_true (lacuna_dicom_file_set_string (file, "00080060", NULL, "MR", NULL));
  g_assert_null (lacuna_bodycomp_measure_file (file, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);

  g_assert_true (lacuna_dicom_file_set_string (file, "00080060", NULL, "CT", NULL));
  g_assert_null (lacuna_bodycomp_measure_file (file, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);

  /* No body at all: zero areas, not an error. */
  {
    float air[16];
    g_autoptr(LacunaBodyComp) bc = NULL;

    for (guint i = 0; i < 16; i++)
      air[i] = -1000.0f;
    bc = lacuna_bodycomp_measure_values (air, 4, 4, 1.0, 1.0, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (bc->n_body, ==, 0);
    g_assert_cmpfloat (bc->adipose_cm2, ==, 0.0);
  }
}

/* ---------------------------------------------------------------------------------------- */
/* The real abdominal CT, against an independent measurement                                */

/* Reads one number that dcmdump prints for a tag ("(0028,0010) US 101"). */
static double
dcmdump_number (const char *path,
                const char *tag,
                guint       index)
{
  g_autofree char *out = NULL;
  const char *argv[] = { "dcmdump", "+P", tag, path, NULL };
  const char *p;
  g_auto(GStrv) values = NULL;

  g_assert_cmpint (lacuna_test_run (argv, &out, NULL), ==, 0);
  p = strchr (out, ' ');
  g_assert_nonnull (p);
  p += 4;   /* the VR and a space */
  while (*p == ' ')
    p++;
  if (*p == '[')
    p++;
  values = g_strsplit_set (p, "\\] ", -1);
  g_assert_cmpuint (g_strv_length (values), >, index);
  return g_ascii_strtod (values[index], NULL);
}

typedef struct
{
  double body_cm2;
  double adipose_cm2;
  double muscle_cm2;
} Independent;

/* Largest 4-connected region above −500 HU (BFS), holes filled by a flood from the border,
 * then the two windows: written here on purpose, without the engine's code. */
static Independent
independent_measure (const int *hu,
                     int        w,
                     int        h,
                     double     pixel_mm2)
{
  int n = w * h;
  g_autofree int *comp = g_new0 (int, n);
  g_autofree int *queue = g_new (int, n);
  g_autofree char *outside = g_new0 (char, n);
  int best = 0, best_size = 0, label = 0;
  Independent result = { 0, };

  for (int s = 0; s < n; s++)
    {
      int head = 0, tail = 0, size = 0;

      if (hu[s] <= -500 || comp[s])
        continue;
      comp[s] = ++label;
      queue[tail++] = s;
      while (head < tail)
        {
          int i = queue[head++], x = i % w, y = i / w;
          int next[4] = { x > 0 ? i - 1 : -1, x < w - 1 ? i + 1 : -1,
                          y > 0 ? i - w : -1, y < h - 1 ? i + w : -1 };

          size++;
          for (int k = 0; k < 4; k++)
            if (next[k] >= 0 && hu[next[k]] > -500 && !comp[next[k]])
              {
                comp[next[k]] = label;
                queue[tail++] = next[k];
              }
        }
      if (size > best_size)
        {
          best_size = size;
          best = label;
        }
    }

  {
    int head = 0, tail = 0;

    for (int i = 0; i < n; i++)
      {
        int x = i % w, y = i / w;

        if ((x == 0 || y == 0 || x == w - 1 || y == h - 1) && comp[i] != best)
          {
            outside[i] = 1;
            queue[tail++] = i;
          }
      }
    while (head < tail)
      {
        int i = queue[head++], x = i % w, y = i / w;
        int next[4] = { x > 0 ? i - 1 : -1, x < w - 1 ? i + 1 : -1,
                        y > 0 ? i - w : -1, y < h - 1 ? i + w : -1 };

        for (int k = 0; k < 4; k++)
          if (next[k] >= 0 && comp[next[k]] != best && !outside[next[k]])
            {
              outside[next[k]] = 1;
              queue[tail++] = next[k];
            }
      }
  }

  for (int i = 0; i < n; i++)
    {
      if (outside[i])
        continue;
      result.body_cm2 += pixel_mm2 / 100.0;
      if (hu[i] >= -190 && hu[i] <= -30)
        result.adipose_cm2 += pixel_mm2 / 100.0;
      else if (hu[i] >= -29 && hu[i] <= 150)
        result.muscle_cm2 += pixel_mm2 / 100.0;
    }
  return result;
}

/* gdcmconv --raw writes the slice uncompressed; its Pixel Data (the last element, explicit
 * VR little endian, OW) is read as int16 and rescaled with dcmdump's numbers. */
static Independent
independent_slice (const char *path,
                   const char *tmpdir)
{
  g_autofree char *raw = g_build_filename (tmpdir, "raw.dcm", NULL);
  const char *argv[] = { "gdcmconv", "--raw", path, raw, NULL };
  g_autofree char *contents = NULL;
  gsize length;
  int rows, cols;
  double spacing_r, spacing_c, slope, intercept;
  g_autofree int *hu = NULL;
  const guint8 *pixels = NULL;
  gsize need;

  g_assert_cmpint (lacuna_test_run (argv, NULL, NULL), ==, 0);
  rows = (int) dcmdump_number (raw, "0028,0010", 0);
  cols = (int) dcmdump_number (raw, "0028,0011", 0);
  spacing_r = dcmdump_number (raw, "0028,0030", 0);
  spacing_c = dcmdump_number (raw, "0028,0030", 1);
  slope = dcmdump_number (raw, "0028,1053", 0);
  intercept = dcmdump_number (raw, "0028,1052", 0);
  g_assert_cmpfloat (dcmdump_number (raw, "0028,0100", 0), ==, 16);

  g_assert_true (g_file_get_contents (raw, &contents, &length, NULL));
  need = (gsize) rows * cols * 2;
  for (gsize i = length >= need + 12 ? length - need - 12 : 0; i + 12 <= length; i++)
    {
      const guint8 *b = (const guint8 *) contents + i;
      guint32 len = b[8] | (b[9] << 8) | (b[10] << 16) | ((guint32) b[11] << 24);

      if (b[0] == 0xE0 && b[1] == 0x7F && b[2] == 0x10 && b[3] == 0x00 && b[4] == 'O' &&
          b[5] == 'W' && len == need && i + 12 + need <= length)
        {
          pixels = b + 12;
          break;
        }
    }
  g_assert_nonnull (pixels);
  hu = g_new (int, rows * cols);
  for (int i = 0; i < rows * cols; i++)
    {
      gint16 v = (gint16) (pixels[2 * i] | (pixels[2 * i + 1] << 8));

      hu[i] = (int) floor (v * slope + intercept + 0.5);
    }
  return independent_measure (hu, cols, rows, spacing_r * spacing_c);
}

static void
test_bodycomp_real_ct (void)
{
  g_autofree char *dir = lacuna_test_dup_testdata ("series-ct/TotalSegmentator_example_ct_abdomen_pelvis_L3");
  g_autofree char *tmp = NULL;
  const char *slices[] = { "077.dcm", "072.dcm", "082.dcm" };

  if (dir == NULL)
    return;
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("series-ct/TotalSegmentator_example_ct_abdomen_pelvis_L3 is absent");
      return;
    }
  if (!lacuna_test_require_program ("gdcmconv", "libgdcm-tools") ||
      !lacuna_test_require_program ("dcmdump", "dcmtk"))
    return;
  tmp = lacuna_test_make_tmpdir ();

  for (guint s = 0; s < G_N_ELEMENTS (slices); s++)
    {
      g_autofree char *path = g_build_filename (dir, slices[s], NULL);
      g_autoptr(LacunaDicomFile) file = NULL;
      g_autoptr(LacunaBodyComp) bc = NULL;
      g_autoptr(GError) error = NULL;
      Independent ref = independent_slice (path, tmp);

      file = lacuna_dicom_file_open (path, LACUNA_DICOM_OPEN_DEFAULT, &error);
      g_assert_no_error (error);
      bc = lacuna_bodycomp_measure_file (file, &error);
      g_assert_no_error (error);
      g_test_message ("%s: body %.1f / %.1f, adipose %.1f / %.1f, muscle %.1f / %.1f cm2",
                      slices[s], bc->body_cm2, ref.body_cm2, bc->adipose_cm2, ref.adipose_cm2,
                      bc->muscle_cm2, ref.muscle_cm2);
      g_assert_cmpfloat (ref.adipose_cm2, >, 100.0);
      g_assert_cmpfloat (ref.muscle_cm2, >, 100.0);
      assert_within (bc->body_cm2, ref.body_cm2, 0.05);
      assert_within (bc->adipose_cm2, ref.adipose_cm2, 0.05);
      assert_within (bc->muscle_cm2, ref.muscle_cm2, 0.05);
      /* The split is a heuristic, but both parts are substantial at L3. */
      g_assert_cmpfloat (bc->subcutaneous_cm2, >, 0.25 * bc->adipose_cm2);
      g_assert_cmpfloat (bc->inner_cm2, >, 0.25 * bc->adipose_cm2);
    }
}

static void
test_bodycomp_suggest_real_ct (void)
{
  g_autofree char *dir = lacuna_test_dup_testdata ("series-ct/TotalSegmentator_example_ct_abdomen_pelvis_L3");
  const char *paths[2] = { dir, NULL };
  g_autoptr(LacunaLoader) loader = NULL;
  g_autoptr(LacunaCollection) collection = NULL;
  g_autoptr(GListModel) series = NULL;
  g_autoptr(LacunaSeries) s = NULL;
  g_autoptr(LacunaBodyComp) bc = NULL;
  g_autoptr(GError) error = NULL;
  LacunaInstance *instance;
  int number;

  if (dir == NULL)
    return;
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("series-ct/TotalSegmentator_example_ct_abdomen_pelvis_L3 is absent");
      return;
    }
  loader = lacuna_loader_new (paths);
  collection = lacuna_loader_load (loader, NULL, &error);
  g_assert_no_error (error);
  series = lacuna_collection_list_series (collection);
  g_assert_cmpuint (g_list_model_get_n_items (series), ==, 1);
  s = g_list_model_get_item (series, 0);
  g_assert_true (lacuna_bodycomp_series_applies (s));
  instance = lacuna_bodycomp_suggest_slice (s, &bc, NULL, &error);
  g_assert_no_error (error);
  number = lacuna_instance_get_instance_number (instance);
  g_test_message ("suggested instance %d", number);
  /* SOURCES.md: L3 at about instances 72-82. */
  g_assert_cmpint (number, >=, 72);
  g_assert_cmpint (number, <=, 82);
  g_assert_cmpfloat (bc->adipose_cm2, >, 0.0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  lacuna_dicom_init ();

  g_test_add_func ("/core/bodycomp/phantom", test_bodycomp_phantom);
  g_test_add_func ("/core/bodycomp/errors", test_bodycomp_errors);
  g_test_add_func ("/core/bodycomp/real-ct", test_bodycomp_real_ct);
  g_test_add_func ("/core/bodycomp/suggest-real-ct", test_bodycomp_suggest_real_ct);

  return g_test_run ();
}
