/* test-face: faces in volumes and images (INFERENCE.md F1/F2), defacing, the vision shim.
 *
 * Renders are written as PNGs under $G_TEST_BUILDDIR/face-renders/ (or a temporary folder)
 * to be looked at.
 */
#define G_LOG_DOMAIN "test-face"

#include "config.h"

#include <string.h>

#include "lacuna-core.h"
#include "lacuna-deface.h"
#include "lacuna-face.h"
#include "lacuna-face-private.h"
#include "lacuna-volume.h"
#include "lacuna-test-util.h"
#include "face-phantom.h"

static char *render_dir;

static void
write_pngs (LacunaFaceResult *result,
            const char       *prefix)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (lacuna_face_result_write_pngs (result, render_dir, prefix, &error));
  g_assert_no_error (error);
}

static char *
dup_json (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);

  return json_to_string (node, FALSE);
}

/* The wording rules (INFERENCE.md §5) on every string a result gives. */
static void
check_wording (LacunaFaceResult *result)
{
  g_autofree char *summary = lacuna_face_result_dup_summary (result);
  g_autoptr(LacunaFinding) finding = lacuna_face_result_dup_finding (result, NULL, 0);
  g_autofree char *lower = g_ascii_strdown (summary, -1);

  g_assert_null (strstr (lower, "no face"));
  g_assert_null (strstr (lower, "appears"));
  if (lacuna_face_result_get_found (result))
    {
      g_autofree char *counts = NULL;

      g_assert_nonnull (finding);
      g_assert_cmpstr (lacuna_finding_get_kind (finding), ==, "face");
      g_assert_cmpint (lacuna_finding_get_class (finding), ==, LACUNA_EVIDENCE_DETECTED);
      g_assert_true (g_str_has_prefix (lacuna_finding_get_text (finding),
                                       "A standard detector found a face"));
      if (lacuna_face_result_is_volume (result))
        {
          counts = g_strdup_printf ("found in %u of 9 views by %u of 3 detectors",
                                    lacuna_face_result_get_n_views_found (result),
                                    lacuna_face_result_get_n_detectors_agreeing (result));
          g_assert_nonnull (strstr (lacuna_finding_get_text (finding), counts));
        }
      g_assert_true (json_object_get_boolean_member (lacuna_finding_get_values (finding), "found"));
    }
  else
    {
      g_assert_null (finding);
      g_assert_nonnull (strstr (summary, "not found by our detectors"));
    }
}

/* ---------------------------------------------------------------------------------------- */

static char *
fetch_grace_hopper (void)
{
  g_autofree char *tmp = lacuna_test_make_tmpdir ();
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autofree char *deb = NULL;
  g_autofree char *x = g_build_filename (tmp, "x", NULL);
  const char *download[] = { "sh", "-c", NULL, NULL };
  g_autofree char *script = NULL;

  if (!lacuna_test_require_program ("apt-get", "apt") || !lacuna_test_require_program ("dpkg-deb", "dpkg"))
    return NULL;
  script = g_strdup_printf ("cd '%s' && apt-get download facedetect", tmp);
  download[2] = script;
  if (lacuna_test_run (download, &out, &err) != 0)
    {
      g_test_skip ("`apt-get download facedetect` failed (offline?): the Grace Hopper portrait "
                   "is not available");
      return NULL;
    }
  files = lacuna_test_list_files (tmp);
  for (guint i = 0; i < files->len; i++)
    if (g_str_has_suffix (files->pdata[i], ".deb"))
      deb = g_strdup (files->pdata[i]);
  g_assert_nonnull (deb);
  {
    const char *extract[] = { "dpkg-deb", "-x", deb, x, NULL };

    g_assert_cmpint (lacuna_test_run (extract, NULL, NULL), ==, 0);
  }
  g_clear_pointer (&files, g_ptr_array_unref);
  files = lacuna_test_list_files (x);
  for (guint i = 0; i < files->len; i++)
    {
      g_autofree char *base = g_path_get_basename (files->pdata[i]);

      if (g_str_has_prefix (base, "grace_hopper") && g_str_has_suffix (base, ".jpg"))
        return g_strdup (files->pdata[i]);
    }
  g_test_skip ("The facedetect package holds no grace_hopper*.jpg");
  return NULL;
}

static void
test_vision_grace_hopper (void)
{
  g_autofree char *path = fetch_grace_hopper ();
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *grey = NULL;
  g_autoptr(LacunaFaceResult) result = NULL;
  guint w, h;

  if (path == NULL)
    return;
  grey = lacuna_vision_load_image_grey (path, &w, &h, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (w, ==, 512);
  g_assert_cmpuint (h, ==, 512);

  /* Exactly one face from each detector: proof that every model loads and works. */
  for (guint d = 0; d < LACUNA_VISION_N_DETECTORS; d++)
    {
      g_autoptr(GArray) boxes = lacuna_vision_detect (d, grey, w, h, w, &error);

      g_assert_no_error (error);
      g_test_message ("%s: %u face(s)", lacuna_vision_detector_get_id (d), boxes->len);
      g_assert_cmpuint (boxes->len, ==, 1);
    }

  /* F2: the consensus of all three on the photo. */
  result = lacuna_face_check_image (grey, w, h, w, &error);
  g_assert_no_error (error);
  g_assert_true (lacuna_face_result_get_found (result));
  g_assert_false (lacuna_face_result_is_volume (result));
  g_assert_cmpuint (lacuna_face_result_get_n_views (result), ==, 1);
  g_assert_cmpuint (lacuna_face_result_get_n_detectors_agreeing (result), ==, 3);
  check_wording (result);
  write_pngs (result, "grace-hopper");
  {
    g_autoptr(LacunaFinding) finding = lacuna_face_result_dup_finding (result, "1.2.3", 1);
    int box[4];

    g_assert_true (lacuna_finding_get_box (finding, box));
    g_assert_cmpint (box[2], >, 100);
  }
  g_assert_finalize_object (g_steal_pointer (&result));
}

static void
test_vision_errors (void)
{
  g_autoptr(GError) error = NULL;
  guint8 pixel = 0;
  guint w, h;
  g_autofree char *tmp = lacuna_test_make_tmpdir ();
  g_autofree char *bogus = g_build_filename (tmp, "not-an-image.jpg", NULL);
  GArray *boxes;
  guint8 *grey;
  LacunaFaceResult *result;

  boxes = lacuna_vision_detect (LACUNA_VISION_HAAR_ALT2, &pixel, 0, 1, 1, &error);
  g_assert_null (boxes);
  g_assert_error (error, LACUNA_VISION_ERROR, LACUNA_VISION_ERROR_INVALID);
  g_clear_error (&error);

  result = lacuna_face_check_image (&pixel, 100000, 1, 100000, &error);
  g_assert_null (result);
  g_assert_error (error, LACUNA_VISION_ERROR, LACUNA_VISION_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (bogus, "JFIF? no", -1, NULL));
  grey = lacuna_vision_load_image_grey (bogus, &w, &h, &error);
  g_assert_null (grey);
  g_assert_error (error, LACUNA_VISION_ERROR, LACUNA_VISION_ERROR_IMAGE);
  g_clear_error (&error);

  /* A blank image: the detectors run and find nothing. */
  {
    g_autofree guint8 *blank = g_malloc0 (320 * 240);
    g_autoptr(LacunaFaceResult) none = lacuna_face_check_image (blank, 320, 240, 320, &error);

    g_assert_no_error (error);
    g_assert_false (lacuna_face_result_get_found (none));
    check_wording (none);
  }
}

/* ---------------------------------------------------------------------------------------- */

static void
test_volume_geometry (void)
{
  static const double coronal[6] = { 1, 0, 0, 0, 0, -1 };
  double positions[3 * 4], out[3], ijk[3], anterior[3];
  g_autoptr(LacunaVolume) volume = NULL;
  g_autoptr(LacunaVolume) bad = NULL;

  /* Coronal slices given out of order, unevenly spaced along y (the normal is +y). */
  for (guint k = 0; k < 4; k++)
    {
      static const double ys[4] = { 3.0, -2.0, 0.0, 7.0 };

      positions[3 * k] = -10;
      positions[3 * k + 1] = ys[k];
      positions[3 * k + 2] = 20;
    }
  volume = lacuna_volume_new (8, 6, 4, coronal, positions, 0.5, 2.0, "CT", -1000);
  g_assert_nonnull (volume);
  lacuna_volume_get_position (volume, 0, out);
  g_assert_cmpfloat (out[1], ==, -2.0);
  lacuna_volume_get_position (volume, 3, out);
  g_assert_cmpfloat (out[1], ==, 7.0);
  lacuna_volume_voxel_to_patient (volume, 2, 3, 1.5, out);
  g_assert_cmpfloat_with_epsilon (out[0], -9.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (out[1], 1.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (out[2], 14.0, 1e-9);
  g_assert_true (lacuna_volume_patient_to_voxel (volume, out, ijk));
  g_assert_cmpfloat_with_epsilon (ijk[0], 2.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (ijk[1], 3.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (ijk[2], 1.5, 1e-9);
  out[1] = 8.0;
  g_assert_false (lacuna_volume_patient_to_voxel (volume, out, ijk));
  /* Anterior (−y) runs against the slice normal of these coronal slices. */
  lacuna_volume_get_anterior (volume, anterior);
  g_assert_cmpfloat_with_epsilon (anterior[2], -1.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (lacuna_volume_get_tilt (volume), 0.0, 1e-6);

  /* Two slices at one position do not make a volume. */
  positions[4] = positions[1];
  bad = lacuna_volume_new (8, 6, 4, coronal, positions, 0.5, 2.0, "CT", -1000);
  g_assert_null (bad);
  g_assert_finalize_object (g_steal_pointer (&volume));
}

/* ---------------------------------------------------------------------------------------- */

static LacunaVolume *phantom;

static LacunaVolume *
get_phantom (void)
{
  if (phantom == NULL)
    phantom = phantom_new_axial (192, 1.0, TRUE);
  return phantom;
}

static void
test_phantom_found (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LacunaFaceResult) result = lacuna_face_check_volume (get_phantom (), NULL, &error);
  g_autofree char *json = NULL;

  g_assert_no_error (error);
  write_pngs (result, "phantom");
  json = dup_json (lacuna_face_result_to_json (result));
  g_test_message ("phantom: %s", json);
  g_assert_true (lacuna_face_result_get_found (result));
  g_assert_true (lacuna_face_result_is_volume (result));
  g_assert_cmpuint (lacuna_face_result_get_n_views (result), ==, LACUNA_FACE_N_VIEWS);
  /* The frontal view itself agrees. */
  g_assert_true (lacuna_face_result_get_view (result, 0)->consensus);
  g_assert_cmpfloat (lacuna_face_result_get_view (result, 0)->yaw, ==, 0);
  g_assert_cmpfloat (lacuna_face_result_get_level (result), ==, LACUNA_FACE_CT_SKIN_HU);
  g_assert_cmpuint (lacuna_face_result_get_n_detectors_agreeing (result), >=, 2);
  check_wording (result);
  g_assert_finalize_object (g_steal_pointer (&result));
}

static void
test_phantom_ellipsoid (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LacunaVolume) ellipsoid = phantom_new_axial (192, 1.0, FALSE);
  g_autoptr(LacunaFaceResult) result = lacuna_face_check_volume (ellipsoid, NULL, &error);
  g_autofree char *json = NULL;

  g_assert_no_error (error);
  write_pngs (result, "ellipsoid");
  json = dup_json (lacuna_face_result_to_json (result));
  g_test_message ("ellipsoid: %s", json);
  g_assert_false (lacuna_face_result_get_found (result));
  /* The checks ran all the same, and say so. */
  g_assert_cmpuint (lacuna_face_result_get_n_views (result), ==, LACUNA_FACE_N_VIEWS);
  g_assert_nonnull (strstr (json, "\"n-views\":9"));
  check_wording (result);
}

/* The same head acquired as coronal slices (rows along x, columns head→foot, stacked
 * posterior-wards): found through the anterior direction, not the slice axes. */
static void
test_phantom_coronal (void)
{
  static const double orientation[6] = { 1, 0, 0, 0, 0, -1 };
  const guint n = 160;
  const double voxel = 1.2, half = 0.5 * (n - 1) * voxel;
  g_autofree double *positions = g_new (double, 3 * n);
  g_autoptr(LacunaVolume) volume = NULL;
  g_autoptr(LacunaFaceResult) result = NULL;
  g_autoptr(GError) error = NULL;
  double anterior[3];

  for (guint k = 0; k < n; k++)
    {
      positions[3 * k] = -half;
      positions[3 * k + 1] = half - k * voxel;   /* given posterior first */
      positions[3 * k + 2] = half;
    }
  volume = lacuna_volume_new (n, n, n, orientation, positions, voxel, voxel, "CT", -1000);
  phantom_fill (volume, TRUE);
  lacuna_volume_get_anterior (volume, anterior);
  g_assert_cmpfloat_with_epsilon (anterior[2], -1.0, 1e-9);

  result = lacuna_face_check_volume (volume, NULL, &error);
  g_assert_no_error (error);
  write_pngs (result, "phantom-coronal");
  g_assert_true (lacuna_face_result_get_found (result));
  g_assert_true (lacuna_face_result_get_view (result, 0)->consensus);
}

/* Checksum of the voxels more than depth_mm behind the skin along −y (the phantom is
 * axial, so anterior rays run along −j): computed here, independently of the defacer. */
static char *
deep_checksum (LacunaVolume *reference,
               LacunaVolume *volume,
               double        depth_mm)
{
  guint nx = lacuna_volume_get_width (volume), ny = lacuna_volume_get_height (volume);
  guint nz = lacuna_volume_get_depth (volume);
  const float *ref = lacuna_volume_get_data (reference), *data = lacuna_volume_get_data (volume);
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  double spacing[3];
  guint64 n = 0;

  lacuna_volume_get_spacing (volume, spacing);
  for (guint k = 0; k < nz; k++)
    for (guint i = 0; i < nx; i++)
      {
        guint skin = G_MAXUINT;

        for (guint j = 0; j < ny && skin == G_MAXUINT; j++)
          if (ref[((gsize) k * ny + j) * nx + i] > LACUNA_FACE_CT_SKIN_HU)
            skin = j;
        if (skin == G_MAXUINT)
          continue;
        for (guint j = skin; j < ny; j++)
          if ((j - skin) * spacing[1] > depth_mm + 1.0)
            {
              g_checksum_update (checksum, (const guchar *) &data[((gsize) k * ny + j) * nx + i],
                                 sizeof (float));
              n++;
            }
      }
  g_assert_cmpuint (n, >, 1000000);
  return g_strdup (g_checksum_get_string (checksum));
}

static void
test_phantom_deface (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LacunaDefaceResult) deface = NULL;
  LacunaFaceResult *after;
  g_autofree char *before_sum = NULL, *after_sum = NULL;

  deface = lacuna_deface_volume (get_phantom (), LACUNA_DEFACE_DEFAULT_DEPTH_MM, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (lacuna_face_result_get_found (lacuna_deface_result_get_before (deface)));
  g_assert_true (lacuna_deface_result_get_applied (deface));
  after = lacuna_deface_result_get_after (deface);
  write_pngs (after, "phantom-defaced");
  g_test_message ("defaced (%s cut): %" G_GUINT64_FORMAT " voxels changed, %" G_GUINT64_FORMAT
                  " deep", lacuna_deface_result_get_method (deface),
                  lacuna_deface_result_get_n_changed (deface),
                  lacuna_deface_result_get_n_deep_changed (deface));
  g_assert_false (lacuna_face_result_get_found (after));
  check_wording (after);
  g_assert_cmpuint (lacuna_deface_result_get_n_changed (deface), >, 10000);
  g_assert_cmpuint (lacuna_deface_result_get_n_deep_changed (deface), ==, 0);
  g_assert_cmpuint (lacuna_deface_result_get_n_residual (deface), ==, 0);
  g_assert_true (lacuna_deface_result_get_verified (deface));

  /* The voxels deeper than the defacing depth are the same, by an independent checksum. */
  before_sum = deep_checksum (get_phantom (), get_phantom (), LACUNA_DEFACE_DEFAULT_DEPTH_MM);
  after_sum = deep_checksum (get_phantom (), lacuna_deface_result_get_volume (deface),
                             LACUNA_DEFACE_DEFAULT_DEPTH_MM);
  g_assert_cmpstr (before_sum, ==, after_sum);
  /* ... and the original volume was not touched. */
  g_assert_true (lacuna_deface_result_get_original (deface) == get_phantom ());
  g_assert_cmpfloat (lacuna_volume_get_voxel (get_phantom (), 96, 20, 96), >, 0);

  {
    g_autoptr(LacunaDefaceResult) bad = lacuna_deface_volume (get_phantom (), 0, NULL, &error);

    g_assert_null (bad);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  }
}

/* The same head on a finer grid (0.8 mm, cropped to the face's half: 7.8 M voxels): the
 * defacing must pass its own re-check whatever the voxel size. */
static void
test_phantom_deface_fine (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LacunaVolume) fine = phantom_new_axial_box (0.8, -75, 75, -110, 85, -75, 60, TRUE);
  g_autoptr(LacunaDefaceResult) deface = NULL;
  g_autofree char *before_sum = NULL, *after_sum = NULL;
  double spacing[3];

  lacuna_volume_get_spacing (fine, spacing);
  g_assert_cmpfloat_with_epsilon (spacing[2], 0.8, 1e-6);
  deface = lacuna_deface_volume (fine, LACUNA_DEFACE_DEFAULT_DEPTH_MM, NULL, &error);
  g_assert_no_error (error);
  write_pngs (lacuna_deface_result_get_before (deface), "phantom-fine");
  g_assert_true (lacuna_face_result_get_found (lacuna_deface_result_get_before (deface)));
  g_assert_true (lacuna_deface_result_get_applied (deface));
  write_pngs (lacuna_deface_result_get_after (deface), "phantom-fine-defaced");
  g_test_message ("0.8 mm phantom defaced (%s cut): %" G_GUINT64_FORMAT " voxels changed, %"
                  G_GUINT64_FORMAT " deep, %u residual", lacuna_deface_result_get_method (deface),
                  lacuna_deface_result_get_n_changed (deface),
                  lacuna_deface_result_get_n_deep_changed (deface),
                  lacuna_deface_result_get_n_residual (deface));
  g_assert_false (lacuna_face_result_get_found (lacuna_deface_result_get_after (deface)));
  g_assert_cmpuint (lacuna_deface_result_get_n_deep_changed (deface), ==, 0);
  g_assert_cmpuint (lacuna_deface_result_get_n_residual (deface), ==, 0);
  g_assert_true (lacuna_deface_result_get_verified (deface));
  before_sum = deep_checksum (fine, fine, LACUNA_DEFACE_DEFAULT_DEPTH_MM);
  after_sum = deep_checksum (fine, lacuna_deface_result_get_volume (deface),
                             LACUNA_DEFACE_DEFAULT_DEPTH_MM);
  g_assert_cmpstr (before_sum, ==, after_sum);
}

/* The featureless control behind the "no residual detection" rule: its scores are a bar
 * that the phantom's face clears (for at least two detectors), so the rule can tell a face
 * from a smooth head. */
static void
test_control (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LacunaFaceResult) face = NULL;
  double scores[LACUNA_VISION_N_DETECTORS];
  guint above = 0;

  g_assert_true (_lacuna_face_get_control_scores (scores, &error));
  g_assert_no_error (error);
  face = lacuna_face_check_volume (get_phantom (), NULL, &error);
  g_assert_no_error (error);
  for (guint d = 0; d < LACUNA_VISION_N_DETECTORS; d++)
    {
      double best = -G_MAXDOUBLE;

      for (guint v = 0; v < lacuna_face_result_get_n_views (face); v++)
        {
          const LacunaFaceView *view = lacuna_face_result_get_view (face, v);

          for (guint b = 0; b < view->boxes[d]->len; b++)
            best = MAX (best, g_array_index (view->boxes[d], LacunaVisionBox, b).score);
        }
      g_test_message ("%s: control %g, phantom face %g", lacuna_vision_detector_get_id (d),
                      scores[d], best);
      if (best > scores[d])
        above++;
    }
  g_assert_cmpuint (above, >=, 2);
}

/* ---------------------------------------------------------------------------------------- */

static LacunaSeries *
load_series (const char *dir,
             const char *modality,
             guint       min_instances)
{
  const char *paths[] = { dir, NULL };
  g_autoptr(LacunaLoader) loader = lacuna_loader_new (paths);
  g_autoptr(GError) error = NULL;
  g_autoptr(LacunaCollection) collection = lacuna_loader_load (loader, NULL, &error);
  g_autoptr(GListModel) list = NULL;

  g_assert_no_error (error);
  list = lacuna_collection_list_series (collection);
  for (guint s = 0; s < g_list_model_get_n_items (list); s++)
    {
      g_autoptr(LacunaSeries) series = g_list_model_get_item (list, s);

      if (g_strcmp0 (lacuna_series_get_modality (series), modality) == 0
          && g_list_model_get_n_items (G_LIST_MODEL (series)) >= min_instances)
        return g_steal_pointer (&series);
    }
  return NULL;
}

static void
test_sample_ct (void)
{
  g_autofree char *tmp = lacuna_test_make_tmpdir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LacunaSeries) series = NULL;
  g_autoptr(LacunaFaceResult) result = NULL;
  g_autofree char *summary = NULL;

  g_assert_true (lacuna_sample_write (tmp, NULL, &error));
  g_assert_no_error (error);
  series = load_series (tmp, "CT", LACUNA_SAMPLE_CT_SLICES);
  g_assert_nonnull (series);
  result = lacuna_face_check_series (series, NULL, &error);
  g_assert_no_error (error);
  write_pngs (result, "sample-ct");
  summary = lacuna_face_result_dup_summary (result);
  g_test_message ("sample CT: %s", summary);
  check_wording (result);
  /* The bundled sample's head has a face-like relief: the detectors agree on it. */
  g_assert_true (lacuna_face_result_get_found (result));
}

static void
test_mr_head (void)
{
  g_autofree char *dir = lacuna_test_dup_testdata ("head-volume/niivue_T1_head_ext2_MR_face");
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LacunaSeries) series = NULL;
  g_autoptr(LacunaDefaceResult) deface = NULL;
  g_autoptr(LacunaSeries) written = NULL;
  g_autoptr(LacunaFaceResult) again = NULL;
  g_autofree char *json = NULL;
  LacunaFaceResult *before;

  if (dir == NULL)
    return;
  series = load_series (dir, "MR", 100);
  g_assert_nonnull (series);
  deface = lacuna_deface_series (series, LACUNA_DEFACE_DEFAULT_DEPTH_MM, NULL, &error);
  g_assert_no_error (error);
  before = lacuna_deface_result_get_before (deface);
  write_pngs (before, "mr-head");
  json = dup_json (lacuna_face_result_to_json (before));
  g_test_message ("T1 head: %s", json);
  g_assert_true (lacuna_face_result_get_found (before));
  check_wording (before);

  g_assert_true (lacuna_deface_result_get_applied (deface));
  g_test_message ("T1 head defaced with the %s cut: %" G_GUINT64_FORMAT " voxels changed",
                  lacuna_deface_result_get_method (deface),
                  lacuna_deface_result_get_n_changed (deface));
  write_pngs (lacuna_deface_result_get_after (deface), "mr-head-defaced");
  g_clear_pointer (&json, g_free);
  json = dup_json (lacuna_face_result_to_json (lacuna_deface_result_get_after (deface)));
  g_test_message ("T1 head defaced: %s", json);
  g_assert_false (lacuna_face_result_get_found (lacuna_deface_result_get_after (deface)));
  g_assert_cmpuint (lacuna_deface_result_get_n_deep_changed (deface), ==, 0);
  g_assert_cmpuint (lacuna_deface_result_get_n_residual (deface), ==, 0);
  g_assert_true (lacuna_deface_result_get_verified (deface));

  /* Written as a new series, read back from the files: still not found; the deep voxels
   * and every untouched slice are as they were. */
  out = lacuna_test_make_tmpdir ();
  g_assert_true (lacuna_deface_result_write_series (deface, out, NULL, &error));
  g_assert_no_error (error);
  written = load_series (out, "MR", 100);
  g_assert_nonnull (written);
  g_assert_cmpstr (lacuna_series_get_uid (written), !=, lacuna_series_get_uid (series));
  {
    g_autoptr(LacunaVolume) reread = lacuna_volume_new_from_series (written, NULL, &error);
    LacunaVolume *defaced = lacuna_deface_result_get_volume (deface);
    gsize n = (gsize) lacuna_volume_get_width (reread) * lacuna_volume_get_height (reread)
              * lacuna_volume_get_depth (reread);

    g_assert_no_error (error);
    g_assert_cmpmem (lacuna_volume_get_data (reread), n * sizeof (float),
                     lacuna_volume_get_data (defaced), n * sizeof (float));
    again = lacuna_face_check_volume (reread, NULL, &error);
    g_assert_no_error (error);
    g_assert_false (lacuna_face_result_get_found (again));
  }
  {
    LacunaInstance *instance = lacuna_series_get_instance (written, 0);
    g_autoptr(LacunaDicomFile) file = lacuna_instance_open (instance, &error);
    g_autofree char *rvf = NULL;

    g_assert_no_error (error);
    rvf = lacuna_dicom_file_dup_string (file, "00280302", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (rvf, ==, "NO");
  }
}

static void
test_ct_abdomen (void)
{
  static const char *dirs[] = {
    "series-ct/TotalSegmentator_example_ct_abdomen_pelvis_L3",
    "series-ct/dcmqi_ct-3slice_chest_abdomen",
  };

  for (guint d = 0; d < G_N_ELEMENTS (dirs); d++)
    {
      g_autofree char *dir = lacuna_test_dup_testdata (dirs[d]);
      g_autoptr(GError) error = NULL;
      g_autoptr(LacunaSeries) series = NULL;
      g_autoptr(LacunaFaceResult) result = NULL;
      g_autofree char *prefix = NULL, *json = NULL;

      if (dir == NULL)
        return;
      if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
        continue;
      series = load_series (dir, "CT", 3);
      g_assert_nonnull (series);
      result = lacuna_face_check_series (series, NULL, &error);
      g_assert_no_error (error);
      prefix = g_strdup_printf ("ct-abdomen-%u", d);
      write_pngs (result, prefix);
      json = dup_json (lacuna_face_result_to_json (result));
      g_test_message ("%s: %s", dirs[d], json);
      g_assert_false (lacuna_face_result_get_found (result));
      check_wording (result);
    }
}

/* The GE head CT: 28 slices with gantry tilt, from the maxilla up: the face is partial.
 * Reported, not asserted (beyond reading the tilted geometry). */
static void
test_ge_tilt (void)
{
  g_autofree char *dir = lacuna_test_dup_testdata ("head-volume/GE_head_CT_gantry_tilt");
  g_autoptr(GError) error = NULL;
  g_autoptr(LacunaSeries) series = NULL;
  g_autoptr(LacunaVolume) volume = NULL;
  g_autoptr(LacunaFaceResult) result = NULL;
  g_autofree char *summary = NULL, *json = NULL;
  double gap_min, gap_max;

  if (dir == NULL)
    return;
  series = load_series (dir, "CT", 20);
  g_assert_nonnull (series);
  volume = lacuna_volume_new_from_series (series, NULL, &error);
  g_assert_no_error (error);
  lacuna_volume_get_slice_gaps (volume, &gap_min, &gap_max);
  g_test_message ("GE tilt: %u slices, tilt %.1f°, gaps %.2f–%.2f mm",
                  lacuna_volume_get_depth (volume), lacuna_volume_get_tilt (volume), gap_min,
                  gap_max);
  g_assert_cmpfloat (lacuna_volume_get_tilt (volume), >, 10);
  result = lacuna_face_check_volume (volume, NULL, &error);
  g_assert_no_error (error);
  write_pngs (result, "ge-tilt");
  summary = lacuna_face_result_dup_summary (result);
  json = dup_json (lacuna_face_result_to_json (result));
  g_test_message ("GE tilt: %s %s", summary, json);
  check_wording (result);
}

int
main (int   argc,
      char *argv[])
{
  const char *builddir;
  int ret;

  g_test_init (&argc, &argv, NULL);
  lacuna_dicom_init ();

  builddir = g_getenv ("G_TEST_BUILDDIR");
  render_dir = builddir != NULL ? g_build_filename (builddir, "face-renders", NULL)
                                : lacuna_test_make_tmpdir ();

  g_test_add_func ("/core/face/vision/grace-hopper", test_vision_grace_hopper);
  g_test_add_func ("/core/face/vision/errors", test_vision_errors);
  g_test_add_func ("/core/face/volume/geometry", test_volume_geometry);
  g_test_add_func ("/core/face/phantom/found", test_phantom_found);
  g_test_add_func ("/core/face/phantom/ellipsoid", test_phantom_ellipsoid);
  g_test_add_func ("/core/face/phantom/coronal", test_phantom_coronal);
  g_test_add_func ("/core/face/phantom/deface", test_phantom_deface);
  g_test_add_func ("/core/face/phantom/deface-fine", test_phantom_deface_fine);
  g_test_add_func ("/core/face/phantom/control", test_control);
  g_test_add_func ("/core/face/sample-ct", test_sample_ct);
  g_test_add_func ("/core/face/mr-head", test_mr_head);
  g_test_add_func ("/core/face/ct-abdomen", test_ct_abdomen);
  g_test_add_func ("/core/face/ge-tilt", test_ge_tilt);

  ret = g_test_run ();
  g_clear_object (&phantom);
  g_free (render_dir);
  return ret;
}
