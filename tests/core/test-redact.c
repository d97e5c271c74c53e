/* test-redact.c: redaction boxes in the pixels, on real files of every transfer syntax.
 *
 * Each file gets a box, is saved, and is read back by the shim and, independently, after
 * `gdcmconv --raw`: inside the box every sample is black for its colour model and renders
 * black, outside every sample equals the input's decoded sample, the transfer syntax is
 * the expected one, and dciodvfy reports no new error.
 */
#define G_LOG_DOMAIN "test-redact"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "lacuna-deid-options.h"
#include "lacuna-error.h"
#include "lacuna-frame.h"
#include "lacuna-redact.h"
#include "lacuna-test-util.h"

#define EXPLICIT_LE "1.2.840.10008.1.2.1"

static char *tmpdir;

static LacunaDicomFile *
open_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  LacunaDicomFile *file = lacuna_dicom_file_open (path, LACUNA_DICOM_OPEN_DEFAULT, &error);

  g_assert_no_error (error);
  g_assert_nonnull (file);
  return file;
}

/* What redacted pixels of each input syntax are written as. */
static const char *
expected_target (const char *uid)
{
  static const char * const same[] = {
    "1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.1.99",
    "1.2.840.10008.1.2.2", "1.2.840.10008.1.2.5", "1.2.840.10008.1.2.4.70",
    "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.90",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (same); i++)
    if (strcmp (uid, same[i]) == 0)
      return uid;
  if (strcmp (uid, "1.2.840.10008.1.2.4.57") == 0)
    return "1.2.840.10008.1.2.4.70";
  return EXPLICIT_LE;
}

static gboolean
syntax_is_lossy (const char *uid)
{
  static const char * const lossy[] = {
    "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.81",
    "1.2.840.10008.1.2.4.91", "1.2.840.10008.1.2.4.203",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (lossy); i++)
    if (strcmp (uid, lossy[i]) == 0)
      return TRUE;
  return FALSE;
}

static guint64
sample_at (const guint8 *data,
           gsize         index,
           guint         width)
{
  switch (width)
    {
    case 1:
      return data[index];
    case 2:
      {
        guint16 v;
        memcpy (&v, data + index * 2, 2);
        return v;
      }
    default:
      {
        guint32 v;
        memcpy (&v, data + index * 4, 4);
        return v;
      }
    }
}

/* Black for the decoded colour model, computed here from the rule, not by the code under
 * test (palette: the code's answer, checked by rendering). */
static void
expected_black (LacunaDicomFile            *file,
                const LacunaDicomPixelInfo *info,
                const char                 *photometric,
                gint64                      black[3])
{
  guint bits = info->bits_allocated == 1 ? 1 : info->bits_stored;
  gint64 lo = info->is_signed ? -((gint64) 1 << (bits - 1)) : 0;
  gint64 hi = info->is_signed ? ((gint64) 1 << (bits - 1)) - 1 : ((gint64) 1 << bits) - 1;

  black[0] = black[1] = black[2] = 0;
  if (strcmp (photometric, "MONOCHROME1") == 0)
    black[0] = hi;
  else if (strcmp (photometric, "MONOCHROME2") == 0)
    black[0] = lo;
  else if (g_str_has_prefix (photometric, "YBR_FULL"))
    black[1] = black[2] = (gint64) 1 << (bits - 1);
  else if (strcmp (photometric, "PALETTE COLOR") == 0)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (lacuna_redact_get_black (file, photometric, black, &error));
      g_assert_no_error (error);
    }
  else
    g_assert_cmpstr (photometric, ==, "RGB");
}

static gboolean
in_boxes (GArray *applied,
          guint   frame,
          guint   x,
          guint   y)
{
  for (guint i = 0; i < applied->len; i++)
    {
      const LacunaRedactBox *b = &g_array_index (applied, LacunaRedactBox, i);

      if ((guint) b->frame == frame && (int) x >= b->x && (int) x < b->x + b->width
          && (int) y >= b->y && (int) y < b->y + b->height)
        return TRUE;
    }
  return FALSE;
}

/* Every frame of a file, decoded. */
static GPtrArray *
decode_all (LacunaDicomFile *file,
            char             photometric[24])
{
  LacunaDicomPixelInfo info;
  g_autoptr(GError) error = NULL;
  GPtrArray *frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  g_assert_true (lacuna_dicom_file_get_pixel_info (file, &info, &error));
  g_assert_no_error (error);
  for (guint f = 0; f < info.n_frames; f++)
    {
      GBytes *bytes = lacuna_dicom_file_decode_frame (file, f, photometric, &error);

      g_assert_no_error (error);
      g_ptr_array_add (frames, bytes);
    }
  return frames;
}

/* Inside: black; outside: the input's decoded samples. */
static void
compare_frames (const char                 *label,
                GPtrArray                  *input,
                GPtrArray                  *output,
                const LacunaDicomPixelInfo *info,
                GArray                     *applied,
                const gint64                black[3])
{
  guint width = info->bits_allocated == 1 ? 1 : info->bits_allocated / 8;
  guint64 mask = width == 8 ? G_MAXUINT64 : (G_GUINT64_CONSTANT (1) << (width * 8)) - 1;
  guint total_inside = 0;

  g_assert_cmpuint (output->len, ==, input->len);
  for (guint f = 0; f < input->len; f++)
    {
      gsize in_size = 0, out_size = 0;
      const guint8 *in = g_bytes_get_data (g_ptr_array_index (input, f), &in_size);
      const guint8 *out = g_bytes_get_data (g_ptr_array_index (output, f), &out_size);
      guint n_inside = 0, n_bad = 0;

      g_assert_cmpuint (in_size, ==, out_size);
      for (guint y = 0; y < info->rows; y++)
        for (guint x = 0; x < info->columns; x++)
          {
            gboolean inside = in_boxes (applied, f, x, y);

            for (guint c = 0; c < info->samples_per_pixel; c++)
              {
                gsize i = ((gsize) y * info->columns + x) * info->samples_per_pixel + c;
                guint64 v = sample_at (out, i, width);
                guint64 want = inside ? ((guint64) black[c] & mask) : sample_at (in, i, width);

                if (info->bits_allocated == 1 && inside)
                  want = (guint64) black[c] & 1;
                if (v != want && n_bad++ < 3)
                  g_test_message ("%s frame %u (%u,%u) sample %u: %" G_GUINT64_FORMAT
                                  " instead of %" G_GUINT64_FORMAT " (%s)", label, f, x, y, c,
                                  v, want, inside ? "inside" : "outside");
              }
            n_inside += inside;
          }
      g_assert_cmpuint (n_bad, ==, 0);
      total_inside += n_inside;
    }
  if (applied->len > 0)
    g_assert_cmpuint (total_inside, >, 0);
}

/* Renders each redacted frame with its default window: the box is black, or for a palette
 * no brighter than anything else in the frame. */
static void
check_render (LacunaDicomFile *file,
              GArray          *applied,
              gboolean         palette)
{
  for (guint i = 0; i < applied->len; i++)
    {
      const LacunaRedactBox *b = &g_array_index (applied, LacunaRedactBox, i);
      g_autoptr(GError) error = NULL;
      g_autoptr(LacunaFrame) frame = NULL;
      g_autofree guint8 *rgb = NULL;
      double center, width;
      gboolean use_lut;
      guint w, h, min_lum = 255 * 3;

      if (i > 0 && b->frame == g_array_index (applied, LacunaRedactBox, i - 1).frame)
        continue;
      if (b->frame > 2)       /* the first frames are enough for the rendering */
        break;
      frame = lacuna_frame_decode (file, b->frame, &error);
      g_assert_no_error (error);
      w = lacuna_frame_get_width (frame);
      h = lacuna_frame_get_height (frame);
      rgb = g_malloc ((gsize) w * h * 3);
      lacuna_frame_get_default_window (frame, &center, &width, &use_lut);
      lacuna_frame_render_rgb (frame, center, width, use_lut, rgb, (gsize) w * 3);
      for (gsize p = 0; p < (gsize) w * h; p++)
        min_lum = MIN (min_lum, (guint) rgb[p * 3] + rgb[p * 3 + 1] + rgb[p * 3 + 2]);
      /* With the file's own window: as dark as anything in the frame (a window reaching
       * below the smallest stored value shows even that as grey). */
      for (int y = b->y; y < b->y + b->height; y++)
        for (int x = b->x; x < b->x + b->width; x++)
          {
            const guint8 *p = rgb + ((gsize) y * w + x) * 3;

            g_assert_cmpuint ((guint) p[0] + p[1] + p[2], ==, min_lum);
          }
      /* With a window over the values present (grey), or as they are (colour): black. */
      if (!palette)
        {
          double lo, hi;

          lacuna_frame_get_value_range (frame, &lo, &hi);
          lacuna_frame_render_rgb (frame, (lo + hi) / 2, MAX (hi - lo, 1), FALSE, rgb,
                                   (gsize) w * 3);
          for (int y = b->y; y < b->y + b->height; y++)
            for (int x = b->x; x < b->x + b->width; x++)
              {
                const guint8 *p = rgb + ((gsize) y * w + x) * 3;

                g_assert_cmpuint ((guint) p[0] + p[1] + p[2], <=, 3);
              }
        }
    }
}

static char *
run_dciodvfy (const char *path)
{
  const char *argv[] = { "dciodvfy", path, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  lacuna_test_run (argv, &out, &err);
  return g_strconcat (out ? out : "", err ? err : "", NULL);
}

/* "Error" lines of b not in a. */
static char *
new_errors (const char *a,
            const char *b)
{
  g_auto(GStrv) la = g_strsplit (a, "\n", -1);
  g_auto(GStrv) lb = g_strsplit (b, "\n", -1);
  GString *out = g_string_new (NULL);

  for (char **l = lb; *l != NULL; l++)
    if (g_str_has_prefix (*l, "Error") && !g_strv_contains ((const char * const *) la, *l))
      g_string_append_printf (out, "%s\n", *l);
  return g_string_free (out, FALSE);
}

typedef enum
{
  BOX_ALL_FRAMES,
  BOX_SECOND_FRAME,
} BoxMode;

static void
redact_one (const char *relative,
            BoxMode     mode)
{
  g_autofree char *in_path = lacuna_test_dup_testdata (relative);
  g_autoptr(LacunaDicomFile) input = NULL;
  g_autoptr(LacunaDicomFile) file = NULL;
  g_autoptr(LacunaDicomFile) out = NULL;
  g_autoptr(LacunaDicomFile) raw = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) in_frames = NULL;
  g_autoptr(GPtrArray) out_frames = NULL;
  g_autoptr(GPtrArray) raw_frames = NULL;
  g_autofree char *base = NULL;
  g_autofree char *out_path = NULL;
  g_autofree char *raw_path = NULL;
  g_autofree char *in_ts = NULL;
  g_autofree char *flag = NULL;
  g_autofree char *method = NULL;
  LacunaRedactResult result;
  LacunaDicomPixelInfo info, out_info;
  LacunaRedactBox box;
  char in_photometric[24], out_photometric[24], raw_photometric[24];
  gint64 black[3];

  if (in_path == NULL)
    return;
  base = g_path_get_basename (relative);
  out_path = g_strdup_printf ("%s/%s-%u.dcm", tmpdir, base, mode);
  raw_path = g_strdup_printf ("%s/%s-%u-raw.dcm", tmpdir, base, mode);

  input = open_file (in_path);
  in_ts = g_strdup (lacuna_dicom_file_get_transfer_syntax (input));
  g_assert_true (lacuna_dicom_file_get_pixel_info (input, &info, &error));
  g_assert_no_error (error);
  in_frames = decode_all (input, in_photometric);

  box.frame = mode == BOX_ALL_FRAMES ? -1 : 1;
  box.x = info.columns / 4;
  box.y = info.rows / 4;
  box.width = info.columns / 3 + 1;
  box.height = info.rows / 5 + 1;

  file = open_file (in_path);
  g_assert_true (lacuna_redact_apply (file, &box, 1, &result, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < result.notes->len; i++)
    g_test_message ("%s: %s", base, (const char *) g_ptr_array_index (result.notes, i));
  g_assert_cmpstr (result.transfer_syntax, ==, expected_target (in_ts));
  g_assert_true (result.pixels_rewritten);
  g_assert_cmpuint (result.applied->len, ==, mode == BOX_ALL_FRAMES ? info.n_frames : 1);
  g_assert_true (lacuna_dicom_file_save (file, out_path, result.transfer_syntax, &error));
  g_assert_no_error (error);

  /* The shim reads it back. */
  out = open_file (out_path);
  g_assert_cmpstr (lacuna_dicom_file_get_transfer_syntax (out), ==, result.transfer_syntax);
  g_assert_true (lacuna_dicom_file_get_pixel_info (out, &out_info, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (out_info.rows, ==, info.rows);
  g_assert_cmpuint (out_info.columns, ==, info.columns);
  g_assert_cmpuint (out_info.n_frames, ==, info.n_frames);
  g_assert_cmpuint (out_info.bits_allocated, ==, info.bits_allocated);
  g_assert_cmpuint (out_info.bits_stored, ==, info.bits_stored);
  g_assert_cmpuint (out_info.is_signed, ==, info.is_signed);
  g_assert_cmpstr (out_info.photometric, ==, in_photometric);
  /* Colour by plane stays so while the colour model does. */
  if (info.samples_per_pixel == 3)
    g_assert_cmpuint (out_info.planar_configuration, ==,
                      strcmp (info.photometric, in_photometric) == 0
                      ? info.planar_configuration : 0);
  out_frames = decode_all (out, out_photometric);
  g_assert_cmpstr (out_photometric, ==, in_photometric);
  expected_black (out, &out_info, out_photometric, black);
  compare_frames (base, in_frames, out_frames, &info, result.applied, black);
  check_render (out, result.applied, strcmp (out_photometric, "PALETTE COLOR") == 0);

  /* Lossy input keeps its record. */
  flag = lacuna_dicom_file_dup_string (out, "00282110", NULL);
  method = lacuna_dicom_file_dup_string (out, "00282114", NULL);
  if (syntax_is_lossy (in_ts))
    {
      g_assert_cmpstr (flag, ==, "01");
      g_assert_nonnull (method);
      g_assert_cmpstr (method, !=, "");
    }

  /* GDCM decodes our output on its own. */
  if (lacuna_test_require_program ("gdcmconv", "libgdcm-tools"))
    {
      const char *argv[] = { "gdcmconv", "--raw", out_path, raw_path, NULL };
      g_autofree char *o = NULL;
      g_autofree char *e = NULL;

      if (lacuna_test_run (argv, &o, &e) != 0)
        {
          /* Only acceptable when GDCM cannot convert the input either. */
          const char *again[] = { "gdcmconv", "--raw", in_path, raw_path, NULL };
          g_autofree char *o2 = NULL;
          g_autofree char *e2 = NULL;

          g_assert_cmpint (lacuna_test_run (again, &o2, &e2), !=, 0);
          g_test_message ("%s: gdcmconv cannot convert this input either", base);
        }
      else
        raw = open_file (raw_path);
    }
  if (raw != NULL)
    {
      raw_frames = decode_all (raw, raw_photometric);
      if (strcmp (raw_photometric, out_photometric) == 0)
        compare_frames (base, in_frames, raw_frames, &info, result.applied, black);
      else
        g_test_message ("%s: gdcmconv gives %s", base, raw_photometric);
    }

  if (lacuna_test_require_program ("dciodvfy", "dicom3tools"))
    {
      g_autofree char *before = run_dciodvfy (in_path);
      g_autofree char *after = run_dciodvfy (out_path);
      g_autofree char *added = NULL;
      g_autofree char *plain_path = g_strdup_printf ("%s/%s-%u-plain.dcm", tmpdir, base, mode);
      g_autoptr(LacunaDicomFile) plain = open_file (in_path);

      /* What saving alone changes (a meta header built from the dataset) is not ours. */
      if (lacuna_dicom_file_save (plain, plain_path, in_ts, NULL))
        {
          g_autofree char *saved = run_dciodvfy (plain_path);
          char *both = g_strconcat (before, "\n", saved, NULL);

          g_free (before);
          before = both;
        }
      added = new_errors (before, after);

      if (*added != '\0')
        g_test_message ("%s: new dciodvfy errors:\n%s", base, added);
      g_assert_cmpstr (added, ==, "");
    }
  lacuna_redact_result_clear (&result);
}

static void
test_redact_file (gconstpointer data)
{
  redact_one (data, BOX_ALL_FRAMES);
}

static void
test_redact_second_frame (gconstpointer data)
{
  redact_one (data, BOX_SECOND_FRAME);
}

static const char * const files[] = {
  "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.dcm",
  "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.1.dcm",
  "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.1.99.dcm",
  "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.4.51.dcm",
  "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.4.57.dcm",
  "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.4.70.dcm",
  "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.4.80.dcm",
  "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.4.81.dcm",
  "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.4.90.dcm",
  "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.4.91.dcm",
  "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.5.dcm",
  "variety/transfer-syntaxes/orthanc_Formats_Jpeg.dcm",
  "variety/transfer-syntaxes/orthanc_Formats_JpegLossless.dcm",
  "variety/transfer-syntaxes/orthanc_Formats_Rle.dcm",
  "variety/transfer-syntaxes/orthanc_Formats_jp2k91YBR-ICT.dcm",
  "variety/transfer-syntaxes/pydicom-data_HTJ2K_08_RGB.dcm",
  "variety/transfer-syntaxes/pydicom-data_JLSL_RGB_ILV0.dcm",
  "variety/transfer-syntaxes/pydicom-data_liver_deflate.dcm",
  "variety/color/orthanc_2023-04-21-RLEPlanarConfigurationYBR_FULL.dcm",
  "variety/color/orthanc_Implicit-vr-us-palette.dcm",
  "variety/color/pydicom-data_SC_ybr_full_uncompressed.dcm",
  "variety/monochrome1/orthanc_Issue44_Monochrome1-Jpeg.dcm",
  "variety/multiframe/dcm_qa_enh_Philips_IM_0027_fMAP_enhancedMR.dcm",
  "variety/multiframe/orthanc_Issue16_US_cine_34frames_JPEG.dcm",
  "variety/multiframe/pydicom-data_eCT_Supplemental_enhancedCT.dcm",
  "variety/multiframe/pydicom-data_emri_small_big_endian_10frames.dcm",
  "variety/multiframe/dcm_qa_enh_Siemens_XA10/6_1.dcm",
  "phi-burned-in/ultrasound/orthanc_Issue19_US_YBR.dcm",
  "phi-burned-in/ultrasound/pydicom-data_US1_UNCR.dcm",
  "phi-burned-in/ultrasound/pydicom-data_gdcm-US-ALOKA-16.dcm",
  "variety/pydicom_debian_test_files/SC_ybr_full_422_uncompressed.dcm",
  "variety/pydicom_debian_test_files/SC_rgb_rle_32bit_2frame.dcm",
  "variety/pydicom_debian_test_files/SC_rgb_small_odd_jpeg.dcm",
  "variety/pydicom_debian_test_files/MR_small_jp2klossless.dcm",
  "variety/pydicom_debian_test_files/MR_small_RLE.dcm",
  "variety/pydicom_debian_test_files/SC_rgb_dcmtk_+eb+cy+s2.dcm",
  /* Native samples painted where they are held (8-bit OW explicit and implicit, an odd
   * length, MONOCHROME1 12 of 16 bits, signed) or decoded first (big endian). */
  "phi-burned-in/presidio_PT_RGB_secondary_capture/RGB_ORIGINAL.dcm",
  "variety/pydicom_debian_test_files/SC_rgb_jpeg_dcmd.dcm",
  "variety/pydicom_debian_test_files/SC_rgb_small_odd.dcm",
  "variety/pydicom_debian_test_files/dicomdirtests/77654033/CR1/6154",
  "variety/pydicom_debian_test_files/CT_small.dcm",
  "variety/pydicom_debian_test_files/MR_small_implicit.dcm",
  "variety/pydicom_debian_test_files/MR_small_bigendian.dcm",
  "variety/pydicom_debian_test_files/ExplVR_BigEnd.dcm",
};

static const char * const multiframe_files[] = {
  "variety/multiframe/orthanc_Issue16_US_cine_34frames_JPEG.dcm",
  "variety/multiframe/pydicom-data_emri_small_big_endian_10frames.dcm",
  "variety/multiframe/dcm_qa_enh_Siemens_XA10/6_1.dcm",
  "variety/pydicom_debian_test_files/SC_rgb_rle_32bit_2frame.dcm",
};

/* ---------------------------------------------------------------------------------------- */
/* No boxes                                                                                 */

static void
test_redact_no_boxes (void)
{
  static const char * const compressed[] = {
    "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.4.51.dcm",
    "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.4.57.dcm",
    "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.4.70.dcm",
    "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.4.80.dcm",
    "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.4.81.dcm",
    "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.4.90.dcm",
    "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.4.91.dcm",
    "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.5.dcm",
    "variety/multiframe/orthanc_Issue16_US_cine_34frames_JPEG.dcm",
    "variety/monochrome1/orthanc_Issue44_Monochrome1-Jpeg.dcm",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (compressed); i++)
    {
      g_autofree char *in_path = lacuna_test_dup_testdata (compressed[i]);
      g_autofree char *out_path = NULL;
      g_autoptr(LacunaDicomFile) file = NULL;
      g_autoptr(LacunaDicomFile) out = NULL;
      g_autoptr(GBytes) before = NULL;
      g_autoptr(GBytes) after = NULL;
      g_autoptr(GError) error = NULL;
      LacunaRedactResult result;

      if (in_path == NULL)
        return;
      out_path = g_strdup_printf ("%s/noboxes-%zu.dcm", tmpdir, i);
      file = open_file (in_path);
      before = lacuna_dicom_file_dup_fragments (file, &error);
      g_assert_no_error (error);
      g_assert_true (lacuna_redact_apply (file, NULL, 0, &result, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (result.transfer_syntax, ==, lacuna_dicom_file_get_transfer_syntax (file));
      g_assert_false (result.pixels_rewritten);
      g_assert_cmpuint (result.applied->len, ==, 0);
      g_assert_true (lacuna_dicom_file_save (file, out_path, result.transfer_syntax, &error));
      g_assert_no_error (error);
      lacuna_redact_result_clear (&result);

      out = open_file (out_path);
      after = lacuna_dicom_file_dup_fragments (out, &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (before, after));
    }
}

/* HTJ2K cannot be written by DCMTK: decoded to Explicit VR Little Endian, with a note, and
 * (nothing saying it is lossless) recorded as lossy. */
static void
test_redact_no_boxes_htj2k (void)
{
  g_autofree char *in_path =
    lacuna_test_dup_testdata ("variety/transfer-syntaxes/pydicom-data_HTJ2K_08_RGB.dcm");
  g_autofree char *out_path = NULL;
  g_autoptr(LacunaDicomFile) input = NULL;
  g_autoptr(LacunaDicomFile) file = NULL;
  g_autoptr(LacunaDicomFile) out = NULL;
  g_autoptr(GPtrArray) a = NULL;
  g_autoptr(GPtrArray) b = NULL;
  g_autoptr(GArray) none = g_array_new (FALSE, FALSE, sizeof (LacunaRedactBox));
  g_autoptr(GError) error = NULL;
  g_autofree char *flag = NULL;
  g_autofree char *method = NULL;
  LacunaRedactResult result;
  LacunaDicomPixelInfo info;
  char pa[24], pb[24];
  gint64 black[3] = { 0, 0, 0 };

  if (in_path == NULL)
    return;
  out_path = g_strdup_printf ("%s/htj2k-noboxes.dcm", tmpdir);
  input = open_file (in_path);
  file = open_file (in_path);
  g_assert_true (lacuna_redact_apply (file, NULL, 0, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (result.transfer_syntax, ==, EXPLICIT_LE);
  g_assert_true (result.pixels_rewritten);
  g_assert_cmpuint (result.notes->len, >, 0);
  g_assert_true (lacuna_dicom_file_save (file, out_path, result.transfer_syntax, &error));
  g_assert_no_error (error);
  lacuna_redact_result_clear (&result);

  out = open_file (out_path);
  flag = lacuna_dicom_file_dup_string (out, "00282110", NULL);
  method = lacuna_dicom_file_dup_string (out, "00282114", NULL);
  g_assert_cmpstr (flag, ==, "01");
  g_assert_cmpstr (method, ==, "ISO_15444_15");
  g_assert_true (lacuna_dicom_file_get_pixel_info (input, &info, &error));
  a = decode_all (input, pa);
  b = decode_all (out, pb);
  g_assert_cmpstr (pa, ==, pb);
  compare_frames ("htj2k", a, b, &info, none, black);
}

/* ---------------------------------------------------------------------------------------- */
/* Black for MONOCHROME1 and PALETTE COLOR                                                  */

static void
test_redact_monochrome1 (void)
{
  g_autofree char *in_path =
    lacuna_test_dup_testdata ("variety/monochrome1/orthanc_Issue44_Monochrome1-Jpeg.dcm");
  g_autoptr(LacunaDicomFile) file = NULL;
  g_autoptr(LacunaFrame) frame = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *grey = NULL;
  LacunaRedactResult result;
  LacunaRedactBox box = { -1, 100, 200, 300, 50 };
  GBytes *stored;
  const guint8 *samples;
  double center, width;
  gboolean use_lut;
  guint w;

  if (in_path == NULL)
    return;
  file = open_file (in_path);
  g_assert_true (lacuna_redact_apply (file, &box, 1, &result, &error));
  g_assert_no_error (error);
  frame = lacuna_frame_decode (file, 0, &error);
  g_assert_no_error (error);
  g_assert_true (lacuna_frame_is_inverted (frame));
  w = lacuna_frame_get_width (frame);
  stored = lacuna_frame_get_stored (frame);
  samples = g_bytes_get_data (stored, NULL);
  grey = g_malloc ((gsize) w * lacuna_frame_get_height (frame));
  lacuna_frame_get_default_window (frame, &center, &width, &use_lut);
  lacuna_frame_render_grey (frame, center, width, use_lut, grey, w);
  for (int y = box.y; y < box.y + box.height; y++)
    for (int x = box.x; x < box.x + box.width; x++)
      {
        g_assert_cmpuint (samples[(gsize) y * w + x], ==, 255);   /* the maximum, 8 bits */
        g_assert_cmpuint (grey[(gsize) y * w + x], ==, 0);
      }
  lacuna_redact_result_clear (&result);
}

static void
test_redact_palette (void)
{
  static const char * const paths[] = {
    "variety/color/orthanc_Implicit-vr-us-palette.dcm",
    "phi-burned-in/ultrasound/pydicom-data_gdcm-US-ALOKA-16.dcm",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *in_path = lacuna_test_dup_testdata (paths[i]);
      g_autoptr(LacunaDicomFile) file = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) red = NULL;
      g_autoptr(GBytes) green = NULL;
      g_autoptr(GBytes) blue = NULL;
      LacunaRedactResult result;
      LacunaRedactBox box = { -1, 10, 20, 30, 40 };
      gint64 black[3];
      double n_entries, first, bits;
      const guint16 *r, *g, *b;
      double best = G_MAXDOUBLE;
      gint64 best_index = -1;

      if (in_path == NULL)
        return;
      file = open_file (in_path);

      /* The darkest entry, found here independently. */
      g_assert_true (lacuna_dicom_file_get_number (file, "00281101", 0, &n_entries, NULL));
      g_assert_true (lacuna_dicom_file_get_number (file, "00281101", 1, &first, NULL));
      g_assert_true (lacuna_dicom_file_get_number (file, "00281101", 2, &bits, NULL));
      red = lacuna_dicom_file_dup_bytes (file, "00281201", NULL);
      green = lacuna_dicom_file_dup_bytes (file, "00281202", NULL);
      blue = lacuna_dicom_file_dup_bytes (file, "00281203", NULL);
      if (n_entries == 0)
        n_entries = 65536;
      /* Segmented palettes (no plain data): checked by rendering only. */
      if (red != NULL)
        {
          g_assert_cmpuint (g_bytes_get_size (red), ==, (gsize) n_entries * 2);
          r = g_bytes_get_data (red, NULL);
          g = g_bytes_get_data (green, NULL);
          b = g_bytes_get_data (blue, NULL);
        }
      for (guint e = 0; red != NULL && e < (guint) n_entries; e++)
        {
          double lum = 0.299 * r[e] + 0.587 * g[e] + 0.114 * b[e];

          if (lum < best)
            {
              best = lum;
              best_index = (gint64) first + e;
            }
        }
      g_assert_true (lacuna_redact_get_black (file, "PALETTE COLOR", black, &error));
      g_assert_no_error (error);
      if (red != NULL)
        g_assert_cmpint (black[0], ==, best_index);

      g_assert_true (lacuna_redact_apply (file, &box, 1, &result, &error));
      g_assert_no_error (error);
      check_render (file, result.applied, TRUE);
      lacuna_redact_result_clear (&result);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Generated files: signed 12-bit, 1-bit, planar RGB                                        */

static void
set (LacunaDicomFile *file,
     const char      *path,
     const char      *value)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (lacuna_dicom_file_set_string (file, path, NULL, value, &error));
  g_assert_no_error (error);
}

static LacunaDicomFile *
generated (const char *photometric,
           guint       samples,
           guint       bits_allocated,
           guint       bits_stored,
           gboolean    is_signed,
           guint       planar,
           guint       n_frames)
{
  LacunaDicomFile *file = lacuna_dicom_file_new ();
  g_autofree char *s = g_strdup_printf ("%u", samples);
  g_autofree char *ba = g_strdup_printf ("%u", bits_allocated);
  g_autofree char *bs = g_strdup_printf ("%u", bits_stored);
  g_autofree char *hb = g_strdup_printf ("%u", bits_stored - 1);
  g_autofree char *nf = g_strdup_printf ("%u", n_frames);
  g_autofree char *pl = g_strdup_printf ("%u", planar);

  set (file, "00080016", "1.2.840.10008.5.1.4.1.1.7");
  set (file, "00080018", "1.2.826.0.1.3680043.10.1358.77");
  set (file, "00080060", "OT");
  set (file, "00280002", s);
  set (file, "00280004", photometric);
  set (file, "00280008", nf);
  set (file, "00280010", "20");
  set (file, "00280011", "30");
  set (file, "00280100", ba);
  set (file, "00280101", bs);
  set (file, "00280102", hb);
  set (file, "00280103", is_signed ? "1" : "0");
  if (samples == 3)
    set (file, "00280006", pl);
  return file;
}

static void
save_and_check (LacunaDicomFile *file,
                const char      *name,
                const char      *want_ts,
                const char      *syntax)
{
  g_autofree char *in_path = g_strdup_printf ("%s/%s-in.dcm", tmpdir, name);
  g_autofree char *out_path = g_strdup_printf ("%s/%s-out.dcm", tmpdir, name);
  g_autoptr(LacunaDicomFile) input = NULL;
  g_autoptr(LacunaDicomFile) work = NULL;
  g_autoptr(LacunaDicomFile) out = NULL;
  g_autoptr(GPtrArray) a = NULL;
  g_autoptr(GPtrArray) b = NULL;
  g_autoptr(GError) error = NULL;
  LacunaRedactResult result;
  LacunaDicomPixelInfo info;
  LacunaRedactBox boxes[] = { { -1, 3, 4, 10, 5 }, { 0, 25, 15, 100, 100 } };
  char pa[24], pb[24];
  gint64 black[3];

  g_assert_true (lacuna_dicom_file_save (file, in_path, syntax, &error));
  g_assert_no_error (error);
  input = open_file (in_path);
  work = open_file (in_path);
  g_assert_true (lacuna_dicom_file_get_pixel_info (input, &info, &error));
  a = decode_all (input, pa);
  g_assert_true (lacuna_redact_apply (work, boxes, G_N_ELEMENTS (boxes), &result, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (result.transfer_syntax, ==, want_ts);
  g_assert_true (lacuna_dicom_file_save (work, out_path, result.transfer_syntax, &error));
  g_assert_no_error (error);
  out = open_file (out_path);
  b = decode_all (out, pb);
  g_assert_cmpstr (pa, ==, pb);
  expected_black (out, &info, pb, black);
  compare_frames (name, a, b, &info, result.applied, black);
  if (info.samples_per_pixel == 1 || strcmp (pb, "RGB") == 0)
    check_render (out, result.applied, FALSE);
  lacuna_redact_result_clear (&result);
}

static void
fill_pattern (guint8 *data,
              gsize   size)
{
  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) (i * 37 + (i >> 7) * 11 + 5);
}

static void
test_redact_generated (void)
{
  /* Signed 12 bits in 16, MONOCHROME2: black is -2048. */
  {
    g_autoptr(LacunaDicomFile) file = generated ("MONOCHROME2", 1, 16, 12, TRUE, 0, 2);
    gint16 samples[2 * 20 * 30];
    g_autoptr(GError) error = NULL;

    for (gsize i = 0; i < G_N_ELEMENTS (samples); i++)
      samples[i] = (gint16) ((gint) (i * 7) % 4096 - 2048);
    g_assert_true (lacuna_dicom_file_set_pixel_data (file, samples, sizeof samples, 16, &error));
    save_and_check (file, "signed12", EXPLICIT_LE, NULL);
  }
  /* The same, stored RLE and JPEG-LS: written back in that syntax. */
  {
    g_autoptr(LacunaDicomFile) file = generated ("MONOCHROME1", 1, 16, 16, FALSE, 0, 1);
    guint8 samples[20 * 30 * 2];
    g_autoptr(GError) error = NULL;

    fill_pattern (samples, sizeof samples);
    g_assert_true (lacuna_dicom_file_set_pixel_data (file, samples, sizeof samples, 16, &error));
    save_and_check (file, "mono1-rle", "1.2.840.10008.1.2.5", "1.2.840.10008.1.2.5");
    save_and_check (file, "mono1-jls", "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.80");
  }
  /* Planar RGB: written interleaved. */
  {
    g_autoptr(LacunaDicomFile) file = generated ("RGB", 3, 8, 8, FALSE, 1, 1);
    guint8 samples[20 * 30 * 3];
    g_autoptr(GError) error = NULL;

    fill_pattern (samples, sizeof samples);
    g_assert_true (lacuna_dicom_file_set_pixel_data (file, samples, sizeof samples, 8, &error));
    save_and_check (file, "planar-rgb", EXPLICIT_LE, NULL);
  }
  /* 1 bit, 3 frames (not byte aligned: 600 bits a frame). */
  {
    g_autoptr(LacunaDicomFile) file = generated ("MONOCHROME2", 1, 1, 1, FALSE, 0, 3);
    guint8 packed[20 * 30 * 3 / 8];
    g_autoptr(GError) error = NULL;

    fill_pattern (packed, sizeof packed);
    g_assert_true (lacuna_dicom_file_set_pixel_data (file, packed, sizeof packed, 8, &error));
    save_and_check (file, "bitmap", EXPLICIT_LE, NULL);
  }
}

/* The byte that pads an odd-length codestream to an even fragment is zero (PS3.5 A.4):
 * DCMTK's JPEG-LS encoder left heap contents there, so two exports of one file could
 * differ. The heap is filled with 0xAB before each encoding so that such a byte shows;
 * images of several sizes and contents give codestreams of odd length. */
static void
test_redact_encoded_pad (void)
{
  static const char *syntaxes[] = { "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.70",
                                     "1.2.840.10008.1.2.4.90" };
  guint n_padded = 0;

  for (guint s = 0; s < G_N_ELEMENTS (syntaxes); s++)
    for (guint seed = 1; seed <= 12; seed++)
      {
        g_autoptr(LacunaDicomFile) file = generated ("MONOCHROME2", 1, 16, 12, FALSE, 0, 1);
        g_autoptr(GBytes) fragments = NULL;
        g_autoptr(GError) error = NULL;
        guint16 samples[20 * 30];
        const guint8 *data;
        gsize size;

        for (gsize i = 0; i < G_N_ELEMENTS (samples); i++)
          samples[i] = (guint16) ((i * seed * 37 + (i / 30) * seed * seed) % 4096);
        g_assert_true (lacuna_dicom_file_set_pixel_data (file, samples, sizeof samples, 16,
                                                         &error));
        g_assert_no_error (error);
        for (gsize junk_size = 64; junk_size <= 16384; junk_size *= 2)
          {
            guint8 *junk = g_malloc (junk_size);

            memset (junk, 0xAB, junk_size);
            g_free (junk);
          }
        g_assert_true (lacuna_dicom_file_encode_pixel_data (file, syntaxes[s], &error));
        g_assert_no_error (error);
        fragments = lacuna_dicom_file_dup_fragments (file, &error);
        g_assert_no_error (error);
        data = g_bytes_get_data (fragments, &size);
        g_assert_cmpuint (size % 2, ==, 0);
        g_assert_cmpuint (size, >=, 4);
        if (data[size - 2] == 0xFF && data[size - 1] == 0xD9)
          continue;   /* an even codestream */
        g_assert_cmpuint (data[size - 3], ==, 0xFF);
        g_assert_cmpuint (data[size - 2], ==, 0xD9);
        g_assert_cmpuint (data[size - 1], ==, 0);
        n_padded++;
      }
  g_test_message ("%u padded codestreams", n_padded);
  g_assert_cmpuint (n_padded, >, 0);
}

/* ---------------------------------------------------------------------------------------- */
/* Boxes: clipping and boxes outside the image                                              */

static void
test_redact_clipping (void)
{
  g_autoptr(LacunaDicomFile) file = generated ("MONOCHROME2", 1, 8, 8, FALSE, 0, 2);
  g_autoptr(GError) error = NULL;
  guint8 samples[2 * 20 * 30];
  LacunaRedactBox boxes[] = {
    { -1, 25, 15, 100, 100 },     /* clipped to 5 × 5 */
    { -1, 40, 0, 5, 5 },          /* outside */
    { 7, 0, 0, 5, 5 },            /* a frame the image lacks */
  };
  LacunaRedactResult result;
  const LacunaRedactBox *b;

  fill_pattern (samples, sizeof samples);
  g_assert_true (lacuna_dicom_file_set_pixel_data (file, samples, sizeof samples, 8, &error));
  g_assert_true (lacuna_redact_apply (file, boxes, G_N_ELEMENTS (boxes), &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result.applied->len, ==, 2);
  b = &g_array_index (result.applied, LacunaRedactBox, 1);
  g_assert_cmpint (b->frame, ==, 1);
  g_assert_cmpint (b->x, ==, 25);
  g_assert_cmpint (b->y, ==, 15);
  g_assert_cmpint (b->width, ==, 5);
  g_assert_cmpint (b->height, ==, 5);
  g_assert_cmpuint (result.notes->len, ==, 2);
  lacuna_redact_result_clear (&result);

  /* Only boxes outside: nothing is rewritten. */
  g_assert_true (lacuna_redact_apply (file, &boxes[1], 1, &result, &error));
  g_assert_no_error (error);
  g_assert_false (result.pixels_rewritten);
  g_assert_cmpuint (result.applied->len, ==, 0);
  lacuna_redact_result_clear (&result);
}

/* ---------------------------------------------------------------------------------------- */
/* Native samples: bytes past the frames, samples not in the low bits                       */

/* Pixel Data longer than its frames (MR_small_padded holds 128 bytes more): the redacted
 * copy holds the frames only (dciodvfy: "PixelData has incorrect value length"). */
static void
test_redact_padded (void)
{
  g_autofree char *in_path =
    lacuna_test_dup_testdata ("variety/pydicom_debian_test_files/MR_small_padded.dcm");
  g_autofree char *out_path = NULL;
  g_autoptr(LacunaDicomFile) input = NULL;
  g_autoptr(LacunaDicomFile) file = NULL;
  g_autoptr(LacunaDicomFile) out = NULL;
  g_autoptr(GPtrArray) in_frames = NULL;
  g_autoptr(GPtrArray) out_frames = NULL;
  g_autoptr(GBytes) pixels = NULL;
  g_autoptr(GError) error = NULL;
  LacunaDicomPixelInfo info;
  LacunaRedactResult result;
  LacunaRedactBox box = { -1, 8, 8, 20, 10 };
  char photometric[24];
  gint64 black[3];
  gsize frames_size;

  if (in_path == NULL)
    return;
  out_path = g_build_filename (tmpdir, "padded-out.dcm", NULL);
  input = open_file (in_path);
  g_assert_true (lacuna_dicom_file_get_pixel_info (input, &info, &error));
  g_assert_no_error (error);
  frames_size = (gsize) info.rows * info.columns * info.samples_per_pixel
                * (info.bits_allocated / 8) * info.n_frames;
  in_frames = decode_all (input, photometric);
  pixels = lacuna_dicom_file_dup_bytes (input, "7FE00010", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (pixels), >, frames_size);
  g_clear_pointer (&pixels, g_bytes_unref);

  file = open_file (in_path);
  g_assert_true (lacuna_redact_apply (file, &box, 1, &result, &error));
  g_assert_no_error (error);
  g_assert_true (result.pixels_rewritten);
  g_assert_true (lacuna_dicom_file_save (file, out_path, result.transfer_syntax, &error));
  g_assert_no_error (error);
  out = open_file (out_path);
  pixels = lacuna_dicom_file_dup_bytes (out, "7FE00010", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (pixels), ==, frames_size);
  out_frames = decode_all (out, photometric);
  expected_black (out, &info, photometric, black);
  compare_frames ("padded", in_frames, out_frames, &info, result.applied, black);
  lacuna_redact_result_clear (&result);
}

/* Bits Stored 12 at High Bit 15 (the samples in the top bits): the box is black and the
 * rest unchanged, as the written file decodes; little endian (painted where the samples
 * are held) and big endian (decoded first). */
static void
test_redact_high_bit (void)
{
  g_autofree char *in_path =
    lacuna_test_dup_testdata ("variety/pydicom_debian_test_files/dicomdirtests/77654033/CR1/6154");
  static const char * const syntaxes[] = { EXPLICIT_LE, "1.2.840.10008.1.2.2" };

  if (in_path == NULL)
    return;
  for (gsize i = 0; i < G_N_ELEMENTS (syntaxes); i++)
    {
      g_autoptr(LacunaDicomFile) src = open_file (in_path);
      g_autoptr(LacunaDicomFile) input = NULL;
      g_autoptr(LacunaDicomFile) file = NULL;
      g_autoptr(LacunaDicomFile) out = NULL;
      g_autoptr(GBytes) original = NULL;
      g_autoptr(GPtrArray) in_frames = NULL;
      g_autoptr(GPtrArray) out_frames = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree guint16 *shifted = NULL;
      g_autofree char *shifted_path = g_strdup_printf ("%s/high-bit-%" G_GSIZE_FORMAT ".dcm",
                                                       tmpdir, i);
      g_autofree char *out_path = g_strdup_printf ("%s/high-bit-%" G_GSIZE_FORMAT "-out.dcm",
                                                   tmpdir, i);
      LacunaDicomPixelInfo info;
      LacunaRedactResult result;
      LacunaRedactBox box = { -1, 3, 4, 8, 5 };
      char photometric[24];
      gint64 black[3];
      gsize size, n;
      const guint16 *samples;

      g_assert_true (lacuna_dicom_file_get_pixel_info (src, &info, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (info.bits_allocated, ==, 16);
      g_assert_cmpuint (info.bits_stored, ==, 12);
      g_assert_cmpuint (info.n_frames, ==, 1);
      original = lacuna_dicom_file_decode_frame (src, 0, photometric, &error);
      g_assert_no_error (error);
      samples = g_bytes_get_data (original, &size);
      n = size / 2;
      shifted = g_new (guint16, n);
      for (gsize k = 0; k < n; k++)
        shifted[k] = (guint16) (samples[k] << 4);
      g_assert_true (lacuna_dicom_file_set_pixel_data (src, shifted, size, 16, &error));
      g_assert_no_error (error);
      g_assert_true (lacuna_dicom_file_set_string (src, "00280102", "US", "15", &error));
      g_assert_no_error (error);
      g_assert_true (lacuna_dicom_file_save (src, shifted_path, syntaxes[i], &error));
      g_assert_no_error (error);

      /* The shim reads the samples back from the top bits. */
      input = open_file (shifted_path);
      g_assert_true (lacuna_dicom_file_get_pixel_info (input, &info, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (info.high_bit, ==, 15);
      in_frames = decode_all (input, photometric);
      g_assert_true (g_bytes_equal (g_ptr_array_index (in_frames, 0), original));

      file = open_file (shifted_path);
      g_assert_true (lacuna_redact_apply (file, &box, 1, &result, &error));
      g_assert_no_error (error);
      g_assert_true (result.pixels_rewritten);
      g_assert_true (lacuna_dicom_file_save (file, out_path, result.transfer_syntax, &error));
      g_assert_no_error (error);
      out = open_file (out_path);
      out_frames = decode_all (out, photometric);
      expected_black (out, &info, photometric, black);
      compare_frames (syntaxes[i], in_frames, out_frames, &info, result.applied, black);
      lacuna_redact_result_clear (&result);
    }
}

/* No pixel data: nothing to do, said so; a colour model without a known black: refused. */
static void
test_redact_errors (void)
{
  g_autofree char *sr = lacuna_test_dup_testdata ("variety/sr-pdf-rt/dcmqi_sr-example_sr.dcm");
  LacunaRedactBox box = { -1, 0, 0, 4, 4 };
  LacunaRedactResult result;
  g_autoptr(GError) error = NULL;

  if (sr == NULL)
    return;
  {
    g_autoptr(LacunaDicomFile) file = open_file (sr);

    g_assert_true (lacuna_redact_apply (file, &box, 1, &result, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (result.transfer_syntax, ==, lacuna_dicom_file_get_transfer_syntax (file));
    g_assert_false (result.pixels_rewritten);
    g_assert_cmpuint (result.notes->len, ==, 1);
    lacuna_redact_result_clear (&result);
  }
  {
    g_autoptr(LacunaDicomFile) file = generated ("HSV", 3, 8, 8, FALSE, 0, 1);
    guint8 samples[20 * 30 * 3] = { 0 };

    g_assert_true (lacuna_dicom_file_set_pixel_data (file, samples, sizeof samples, 8, &error));
    g_assert_false (lacuna_redact_apply (file, &box, 1, &result, &error));
    g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED);
    lacuna_redact_result_clear (&result);
    g_clear_error (&error);
    /* Without boxes it is not decoded at all. */
    g_assert_true (lacuna_redact_apply (file, NULL, 0, &result, &error));
    g_assert_no_error (error);
    g_assert_false (result.pixels_rewritten);
    lacuna_redact_result_clear (&result);
  }
}

/* ---------------------------------------------------------------------------------------- */
/* Overlays                                                                                 */

static guint
count_bits (LacunaDicomFile *file,
            const char      *path,
            guint            columns,
            int              x0,
            int              y0,
            int              w,
            int              h)
{
  g_autoptr(GBytes) bytes = lacuna_dicom_file_dup_bytes (file, path, NULL);
  const guint8 *d;
  gsize size = 0;
  guint n = 0;

  g_assert_nonnull (bytes);
  d = g_bytes_get_data (bytes, &size);
  for (int y = y0; y < y0 + h; y++)
    for (int x = x0; x < x0 + w; x++)
      {
        gsize bit = (gsize) y * columns + x;

        if (bit / 8 < size && (d[bit / 8] >> (bit % 8)) & 1)
          n++;
      }
  return n;
}

static void
test_redact_overlays (void)
{
  g_autofree char *in_path =
    lacuna_test_dup_testdata ("phi-burned-in/overlay/"
                              "pydicom-data_MR-SIEMENS-DICOM-WithOverlays.dcm");
  g_autoptr(LacunaDicomFile) file = NULL;
  g_autoptr(GError) error = NULL;
  double rows, columns, origin_row = 1, origin_col = 1;
  guint all_before, inside_before, all_after, inside_after, n_changed = 0;
  LacunaRedactBox box;

  if (in_path == NULL)
    return;
  file = open_file (in_path);
  g_assert_true (lacuna_dicom_file_get_number (file, "60000010", 0, &rows, NULL));
  g_assert_true (lacuna_dicom_file_get_number (file, "60000011", 0, &columns, NULL));
  lacuna_dicom_file_get_number (file, "60000050", 0, &origin_row, NULL);
  lacuna_dicom_file_get_number (file, "60000050", 1, &origin_col, NULL);

  all_before = count_bits (file, "60003000", columns, 0, 0, columns, rows);
  g_assert_cmpuint (all_before, >, 0);
  /* The left half of the overlay, in image coordinates. */
  box.frame = -1;
  box.x = (int) origin_col - 1;
  box.y = (int) origin_row - 1;
  box.width = (int) columns / 2;
  box.height = (int) rows;
  inside_before = count_bits (file, "60003000", columns, 0, 0, columns / 2, rows);
  g_assert_cmpuint (inside_before, >, 0);
  g_assert_cmpuint (inside_before, <, all_before);

  g_assert_true (lacuna_redact_apply_overlays (file, &box, 1, &n_changed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_changed, >=, 1);
  inside_after = count_bits (file, "60003000", columns, 0, 0, columns / 2, rows);
  all_after = count_bits (file, "60003000", columns, 0, 0, columns, rows);
  g_assert_cmpuint (inside_after, ==, 0);
  g_assert_cmpuint (all_after, ==, all_before - inside_before);
}

/* ---------------------------------------------------------------------------------------- */
/* Recipe boxes                                                                             */

static char *
write_recipe (const char *name,
              const char *json)
{
  char *path = g_strdup_printf ("%s/%s.json", tmpdir, name);

  g_assert_true (g_file_set_contents (path, json, -1, NULL));
  return path;
}

static gboolean
lookup (const char   *sop,
        const char  **out_series,
        guint        *out_rows,
        guint        *out_columns,
        gpointer      user_data)
{
  if (strcmp (sop, "1.2.3.1") != 0)
    return FALSE;
  *out_series = "1.2.3";
  *out_rows = 512;
  *out_columns = 256;
  return TRUE;
}

static void
test_redact_recipe (void)
{
  g_autoptr(LacunaDeidOptions) options = lacuna_deid_options_new ();
  g_autoptr(LacunaDeidOptions) copy = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *good = write_recipe ("good",
    "{ \"boxes\": ["
    "  { \"x\": 0, \"y\": 0, \"width\": 100, \"height\": 20 },"
    "  { \"sop\": \"1.2.3.9\", \"frames\": [1, 3], \"x\": 5, \"y\": 6,"
    "    \"width\": 7, \"height\": 8 },"
    "  { \"sop\": \"1.2.3.1\", \"frames\": \"same-size-in-series\", \"x\": 1, \"y\": 2,"
    "    \"width\": 3, \"height\": 4 },"
    "  { \"sop\": \"1.2.3.9\", \"frames\": \"all\", \"x\": 9, \"y\": 9,"
    "    \"width\": 9, \"height\": 9 }"
    "] }");
  static const struct
  {
    const char *json;
  } bad[] = {
    { "{ \"boxes\": [ { \"x\": 0, \"y\": 0, \"width\": 0, \"height\": 20 } ] }" },
    { "{ \"boxes\": [ { \"x\": -1, \"y\": 0, \"width\": 1, \"height\": 20 } ] }" },
    { "{ \"boxes\": [ { \"x\": 0, \"y\": 0, \"width\": 1 } ] }" },
    { "{ \"boxes\": [ { \"x\": 0, \"y\": 0, \"width\": 1, \"height\": 1, \"colour\": 1 } ] }" },
    { "{ \"boxes\": [ { \"frames\": [0], \"x\": 0, \"y\": 0, \"width\": 1, \"height\": 1 } ] }" },
    { "{ \"boxes\": [ { \"frames\": [], \"x\": 0, \"y\": 0, \"width\": 1, \"height\": 1 } ] }" },
    { "{ \"boxes\": [ { \"frames\": \"some\", \"x\": 0, \"y\": 0, \"width\": 1,"
      " \"height\": 1 } ] }" },
    { "{ \"boxes\": [ { \"frames\": \"same-size-in-series\", \"x\": 0, \"y\": 0, \"width\": 1,"
      " \"height\": 1 } ] }" },
    { "{ \"boxes\": [ { \"sop\": \"not a uid\", \"x\": 0, \"y\": 0, \"width\": 1,"
      " \"height\": 1 } ] }" },
    { "{ \"boxes\": { } }" },
  };
  GArray *r;
  const LacunaRedactBox *b;

  g_assert_true (lacuna_deid_options_load_recipe (options, good, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (options->boxes->len, ==, 4);
  copy = lacuna_deid_options_copy (options);
  g_assert_cmpuint (copy->boxes->len, ==, 4);
  g_assert_cmpuint (((LacunaDeidBox *) g_ptr_array_index (copy->boxes, 1))->n_frames, ==, 2);

  /* An unrelated image: the box for every image only. */
  r = lacuna_deid_options_resolve_boxes (options, "1.2.3.5", "9.9", 512, 256, NULL, NULL);
  g_assert_cmpuint (r->len, ==, 1);
  b = &g_array_index (r, LacunaRedactBox, 0);
  g_assert_cmpint (b->frame, ==, -1);
  g_assert_cmpint (b->width, ==, 100);
  g_array_unref (r);

  /* The listed instance: frames 1 and 3 → 0 and 2, and its "all" box. */
  r = lacuna_deid_options_resolve_boxes (options, "1.2.3.9", "9.9", 10, 10, lookup, NULL);
  g_assert_cmpuint (r->len, ==, 4);
  g_assert_cmpint (g_array_index (r, LacunaRedactBox, 1).frame, ==, 0);
  g_assert_cmpint (g_array_index (r, LacunaRedactBox, 2).frame, ==, 2);
  g_assert_cmpint (g_array_index (r, LacunaRedactBox, 3).frame, ==, -1);
  g_array_unref (r);

  /* Same size in the same series: included; another size or series: not. */
  r = lacuna_deid_options_resolve_boxes (options, "1.2.3.2", "1.2.3", 512, 256, lookup, NULL);
  g_assert_cmpuint (r->len, ==, 2);
  g_assert_cmpint (g_array_index (r, LacunaRedactBox, 1).x, ==, 1);
  g_array_unref (r);
  r = lacuna_deid_options_resolve_boxes (options, "1.2.3.2", "1.2.3", 512, 512, lookup, NULL);
  g_assert_cmpuint (r->len, ==, 1);
  g_array_unref (r);
  r = lacuna_deid_options_resolve_boxes (options, "1.2.3.2", "1.2.4", 512, 256, lookup, NULL);
  g_assert_cmpuint (r->len, ==, 1);
  g_array_unref (r);
  /* The box's own instance, even without a lookup. */
  r = lacuna_deid_options_resolve_boxes (options, "1.2.3.1", "1.2.3", 512, 256, NULL, NULL);
  g_assert_cmpuint (r->len, ==, 2);
  g_array_unref (r);

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *name = g_strdup_printf ("bad%zu", i);
      g_autofree char *path = write_recipe (name, bad[i].json);
      g_autoptr(GError) e = NULL;

      g_assert_false (lacuna_deid_options_load_recipe (options, path, &e));
      g_assert_error (e, LACUNA_DEID_ERROR, LACUNA_DEID_ERROR_FAILED);
      /* A failed recipe changes nothing. */
      g_assert_cmpuint (options->boxes->len, ==, 4);
    }

  /* The CLI shorthand. */
  g_assert_true (lacuna_deid_options_add_box_from_string (options, "10, 20,30,40", &error));
  g_assert_no_error (error);
  b = NULL;
  {
    const LacunaDeidBox *d = g_ptr_array_index (options->boxes, 4);

    g_assert_null (d->sop_instance_uid);
    g_assert_cmpint (d->scope, ==, LACUNA_DEID_BOX_ALL_FRAMES);
    g_assert_cmpint (d->x, ==, 10);
    g_assert_cmpint (d->height, ==, 40);
  }
  g_assert_false (lacuna_deid_options_add_box_from_string (options, "10,20,0,40", &error));
  g_assert_error (error, LACUNA_DEID_ERROR, LACUNA_DEID_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_false (lacuna_deid_options_add_box_from_string (options, "10,20,30", &error));
  g_assert_error (error, LACUNA_DEID_ERROR, LACUNA_DEID_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_false (lacuna_deid_options_add_box_from_string (options, "-1,20,30,40", &error));
  g_assert_error (error, LACUNA_DEID_ERROR, LACUNA_DEID_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_true (lacuna_deid_options_validate (options, &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  lacuna_dicom_init ();
  tmpdir = lacuna_test_make_tmpdir ();

  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *base = g_path_get_basename (files[i]);
      g_autofree char *name = g_strdup_printf ("/core/redact/file/%s", base);

      g_test_add_data_func (name, files[i], test_redact_file);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (multiframe_files); i++)
    {
      g_autofree char *base = g_path_get_basename (multiframe_files[i]);
      g_autofree char *name = g_strdup_printf ("/core/redact/second-frame/%s", base);

      g_test_add_data_func (name, multiframe_files[i], test_redact_second_frame);
    }
  g_test_add_func ("/core/redact/no-boxes", test_redact_no_boxes);
  g_test_add_func ("/core/redact/no-boxes-htj2k", test_redact_no_boxes_htj2k);
  g_test_add_func ("/core/redact/monochrome1", test_redact_monochrome1);
  g_test_add_func ("/core/redact/palette", test_redact_palette);
  g_test_add_func ("/core/redact/generated", test_redact_generated);
  g_test_add_func ("/core/redact/encoded-pad", test_redact_encoded_pad);
  g_test_add_func ("/core/redact/clipping", test_redact_clipping);
  g_test_add_func ("/core/redact/padded", test_redact_padded);
  g_test_add_func ("/core/redact/high-bit", test_redact_high_bit);
  g_test_add_func ("/core/redact/errors", test_redact_errors);
  g_test_add_func ("/core/redact/overlays", test_redact_overlays);
  g_test_add_func ("/core/redact/recipe", test_redact_recipe);

  return g_test_run ();
}
