/* test-testdata-pixels.c: every frame of every image in the shared test data, decoded by
 * the shim and compared with GDCM (libgdcm-tools) as the independent reference.
 *
 * For each file with pixel data, `gdcmconv --raw IN OUT` runs once; OUT (a native DICOM
 * file) is read back with the shim's element functions (not its pixel code), and every frame
 * of lacuna_dicom_file_decode_frame() is compared with it:
 *   - same colour model: byte for byte (stored values: bits above High Bit dropped, signed
 *     values sign-extended, as GDCM's decoder gives them; gdcmconv copies native values
 *     unmasked, so the reference is masked here, and a synthetic case checks the rule
 *     itself against `gdcmraw -P`);
 *   - GDCM keeps YBR_FULL where DCMTK's JPEG decoder gives RGB: the reference is converted
 *     with the full-range formula (PS3.3 C.7.6.3.1.2) and may differ by ±2 (lossless) or
 *     ±4 (lossy: both sides use IJG's decoder, so only the colour conversion rounds).
 * Where gdcmconv cannot write the file, `gdcmraw -P` (GDCM's decoded buffer) is used; where
 * GDCM is known to be wrong or cannot read the syntax, a twin file holding the same image
 * is the reference (see `twins`). Files that cannot be compared at all are named in a
 * message with the reason and still have every frame decoded.
 */
#define G_LOG_DOMAIN "test-testdata-pixels"

#include "config.h"

#include <string.h>
#include <sys/resource.h>

#include <glib/gstdio.h>

#include "lacuna-core.h"
#include "lacuna-test-util.h"

/* Files the shim refuses on purpose, and why (relative to the test data folder). */
static const struct
{
  const char *path;
  int         code;      /* expected error from get_pixel_info or decode_frame */
  const char *reason;
} refusals[] = {
  { "variety/pydicom_debian_test_files/badVR.dcm", LACUNA_DICOM_ERROR_PARSE,
    "(0028,0008) NumberOfFrames is \"1A\", not a number: the frame count is unknown" },
  { "variety/pydicom_debian_test_files/JPEG2000-embedded-sequence-delimiter.dcm",
    LACUNA_DICOM_ERROR_DECODE,
    "a sequence delimiter inside the fragment cuts the codestream (GDCM fails too)" },
  { "variety/pydicom_debian_test_files/MR_truncated.dcm", LACUNA_DICOM_ERROR_PARSE,
    "Pixel Data is 200 bytes short of its length (GDCM fills the gap with zeros)" },
  { "variety/pydicom_debian_test_files/nested_priv_SQ.dcm", LACUNA_DICOM_ERROR_PARSE,
    "Pixel Data without Rows/Columns (GDCM cannot read it either)" },
  { "variety/pydicom_debian_test_files/meta_missing_tsyntax.dcm", LACUNA_DICOM_ERROR_PARSE,
    "Pixel Data without Rows/Columns (GDCM cannot read it either)" },
};

/* Files whose reference is another file holding the same image. */
static const struct
{
  const char *path;
  const char *twin;
  guint64     scale;     /* twin sample × scale = this file's sample */
  const char *reason;
} twins[] = {
  { "variety/pydicom_debian_test_files/SC_rgb_rle_16bit.dcm",
    "variety/pydicom_debian_test_files/SC_rgb_rle.dcm", 0x0101,
    "GDCM 3.0.21 mixes up the byte segments of 16/32-bit colour RLE (pydicom agrees with "
    "the shim); the 8-bit file holds the same image, each byte repeated" },
  { "variety/pydicom_debian_test_files/SC_rgb_rle_32bit.dcm",
    "variety/pydicom_debian_test_files/SC_rgb_rle.dcm", 0x01010101,
    "GDCM 3.0.21 mixes up the byte segments of 16/32-bit colour RLE" },
  { "variety/pydicom_debian_test_files/SC_rgb_rle_16bit_2frame.dcm",
    "variety/pydicom_debian_test_files/SC_rgb_rle_2frame.dcm", 0x0101,
    "GDCM 3.0.21 mixes up 16/32-bit colour RLE (and cannot write this file)" },
  { "variety/pydicom_debian_test_files/SC_rgb_rle_32bit_2frame.dcm",
    "variety/pydicom_debian_test_files/SC_rgb_rle_2frame.dcm", 0x01010101,
    "GDCM 3.0.21 mixes up 16/32-bit colour RLE (and cannot write this file)" },
  { "variety/pydicom_debian_test_files/rtdose_expb.dcm",
    "variety/pydicom_debian_test_files/rtdose.dcm", 1,
    "GDCM swaps the 16-bit halves of 32-bit big-endian samples; the little-endian twin "
    "holds the same dose grid (pydicom agrees with the shim)" },
  { "variety/pydicom_debian_test_files/rtdose_expb_1frame.dcm",
    "variety/pydicom_debian_test_files/rtdose_1frame.dcm", 1,
    "GDCM swaps the 16-bit halves of 32-bit big-endian samples" },
  { "variety/transfer-syntaxes/pydicom-data_liver_deflate.dcm",
    "variety/pydicom_debian_test_files/liver_1frame.dcm", 1,
    "GDCM 3.0.21 does not know Deflated Image Frame Compression; liver_1frame is its "
    "first frame, stored natively" },
};

typedef struct
{
  guint      rows;
  guint      columns;
  guint      samples;
  guint      bits_allocated;
  guint      bits_stored;
  guint      high_bit;
  gboolean   is_signed;
  guint      planar;
  guint      n_frames;
  char       photometric[24];
  guint64    scale;
  GBytes    *bytes;
  char      *source;
} Reference;

static void
reference_clear (Reference *ref)
{
  g_clear_pointer (&ref->bytes, g_bytes_unref);
  g_clear_pointer (&ref->source, g_free);
}

typedef struct
{
  guint n_files;
  guint n_no_pixels;
  guint n_compared;
  guint n_frames;
  guint n_refused;
  guint n_uncompared;
  guint n_not_opened;
} Totals;

static guint
get_uint (LacunaDicomFile *file,
          const char      *path,
          guint            fallback)
{
  double v = 0;

  if (!lacuna_dicom_file_get_number (file, path, 0, &v, NULL))
    return fallback;
  return (guint) v;
}

/* Reads a native file written by GDCM with the shim's element functions. */
static gboolean
read_reference_file (const char  *path,
                     Reference   *ref,
                     char       **why)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LacunaDicomFile) file = lacuna_dicom_file_open (path, LACUNA_DICOM_OPEN_DEFAULT,
                                                            &error);
  g_autofree char *photometric = NULL;
  g_autofree char *frames = NULL;

  if (file == NULL)
    {
      *why = g_strdup_printf ("GDCM's output does not open: %s", error->message);
      return FALSE;
    }
  ref->rows = get_uint (file, "00280010", 0);
  ref->columns = get_uint (file, "00280011", 0);
  ref->samples = get_uint (file, "00280002", 1);
  ref->bits_allocated = get_uint (file, "00280100", 0);
  ref->bits_stored = get_uint (file, "00280101", ref->bits_allocated);
  ref->high_bit = get_uint (file, "00280102", ref->bits_stored - 1);
  ref->is_signed = get_uint (file, "00280103", 0) == 1;
  ref->planar = get_uint (file, "00280006", 0);
  frames = lacuna_dicom_file_dup_string (file, "00280008", NULL);
  ref->n_frames = frames != NULL && *frames != '\0' ? (guint) g_ascii_strtoull (frames, NULL, 10)
                                                    : 1;
  photometric = lacuna_dicom_file_dup_string (file, "00280004", NULL);
  g_strlcpy (ref->photometric, photometric != NULL ? photometric : "", sizeof ref->photometric);
  ref->bytes = lacuna_dicom_file_dup_bytes (file, "7FE00010", &error);
  if (ref->bytes == NULL)
    {
      *why = g_strdup_printf ("GDCM's output has no readable Pixel Data: %s", error->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
run_gdcmconv (const char  *in,
              const char  *tmpdir,
              Reference   *ref,
              char       **why)
{
  g_autofree char *out = g_build_filename (tmpdir, "gdcmconv.dcm", NULL);
  g_autofree char *std_out = NULL;
  g_autofree char *std_err = NULL;
  const char *argv[] = { "gdcmconv", "--raw", in, out, NULL };
  int status;

  g_unlink (out);
  status = lacuna_test_run (argv, &std_out, &std_err);
  if (status != 0 || !g_file_test (out, G_FILE_TEST_EXISTS))
    {
      *why = g_strdup_printf ("gdcmconv --raw failed: %s", g_strstrip (std_err ? std_err : ""));
      return FALSE;
    }
  ref->source = g_strdup ("gdcmconv --raw");
  ref->scale = 1;
  return read_reference_file (out, ref, why);
}

/* GDCM's decoded buffer (stored values), for files gdcmconv decodes but cannot write. */
static gboolean
run_gdcmraw (const char                 *in,
             const char                 *tmpdir,
             const LacunaDicomPixelInfo *info,
             Reference                  *ref,
             char                      **why)
{
  g_autofree char *out = g_build_filename (tmpdir, "gdcmraw.raw", NULL);
  g_autofree char *std_out = NULL;
  g_autofree char *std_err = NULL;
  const char *argv[] = { "gdcmraw", "-P", "-i", in, "-o", out, NULL };
  char *contents = NULL;
  gsize length = 0;
  guint bps = info->bits_allocated / 8;
  gboolean plain = g_str_has_prefix (info->photometric, "MONOCHROME")
                   || strcmp (info->photometric, "RGB") == 0
                   || strcmp (info->photometric, "PALETTE COLOR") == 0;

  if (!plain || info->bits_allocated < 8 || (info->samples_per_pixel == 3
                                            && info->planar_configuration == 1))
    {
      *why = g_strdup ("gdcmraw -P is only trusted for interleaved monochrome/RGB/palette");
      return FALSE;
    }
  g_unlink (out);
  if (lacuna_test_run (argv, &std_out, &std_err) != 0
      || !g_file_get_contents (out, &contents, &length, NULL))
    {
      *why = g_strdup_printf ("gdcmraw -P failed: %s", g_strstrip (std_err ? std_err : ""));
      return FALSE;
    }
  ref->bytes = g_bytes_new_take (contents, length);
  if (length != (gsize) info->rows * info->columns * info->samples_per_pixel * bps
                * info->n_frames)
    {
      *why = g_strdup ("gdcmraw -P wrote an unexpected size");
      return FALSE;
    }
  ref->rows = info->rows;
  ref->columns = info->columns;
  ref->samples = info->samples_per_pixel;
  ref->bits_allocated = info->bits_allocated;
  ref->bits_stored = info->bits_stored;
  ref->high_bit = info->high_bit;
  ref->is_signed = info->is_signed;
  ref->planar = 0;
  ref->n_frames = info->n_frames;
  g_strlcpy (ref->photometric, info->photometric, sizeof ref->photometric);
  ref->scale = 1;
  ref->source = g_strdup ("gdcmraw -P (gdcmconv cannot write this file)");
  return TRUE;
}

static guint64
read_sample (const guint8 *data,
             guint         bps,
             gsize         index)
{
  switch (bps)
    {
    case 1:
      return data[index];
    case 2:
      return ((const guint16 *) data)[index];
    default:
      return ((const guint32 *) data)[index];
    }
}

static void
write_sample (guint8  *data,
              guint    bps,
              gsize    index,
              guint64  value)
{
  switch (bps)
    {
    case 1:
      data[index] = (guint8) value;
      break;
    case 2:
      ((guint16 *) data)[index] = (guint16) value;
      break;
    default:
      ((guint32 *) data)[index] = (guint32) value;
      break;
    }
}

/* The reference's frame as the shim should give it: interleaved, 1-bit unpacked, 4:2:2
 * expanded, stored values masked/sign-extended, in out_bps-wide samples. NULL when the
 * reference does not hold that frame. */
static guint8 *
reference_frame (const Reference *ref,
                 guint            frame,
                 guint            out_bps,
                 gboolean        *out_is_ybr)
{
  gsize n_pixels = (gsize) ref->rows * ref->columns;
  gsize n = n_pixels * ref->samples;
  guint bps = ref->bits_allocated == 1 ? 1 : ref->bits_allocated / 8;
  gboolean is_422 = ref->samples == 3 && strcmp (ref->photometric, "YBR_FULL_422") == 0;
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (ref->bytes, &size);
  g_autofree guint8 *tmp = g_malloc (n * bps);
  guint8 *out = g_malloc (n * out_bps);
  guint shift = ref->high_bit + 1 - ref->bits_stored;
  guint64 mask = ref->bits_stored >= 64 ? G_MAXUINT64 : (G_GUINT64_CONSTANT (1) << ref->bits_stored) - 1;
  guint64 width_mask = bps == 4 ? G_MAXUINT32 : bps == 2 ? G_MAXUINT16 : G_MAXUINT8;

  *out_is_ybr = g_str_has_prefix (ref->photometric, "YBR_FULL");
  if (frame >= ref->n_frames)
    goto none;

  if (ref->bits_allocated == 1)
    {
      guint64 first = (guint64) frame * n;

      if ((first + n + 7) / 8 > size)
        goto none;
      for (gsize i = 0; i < n; i++)
        tmp[i] = (data[(first + i) / 8] >> ((first + i) % 8)) & 1;
    }
  else if (is_422)
    {
      const guint8 *src = data + (gsize) frame * n_pixels * 2 * bps;

      if ((gsize) (frame + 1) * n_pixels * 2 * bps > size)
        goto none;
      for (gsize p = 0; p < n_pixels / 2; p++)
        {
          const guint8 *s = src + p * 4 * bps;
          guint8 *d = tmp + p * 6 * bps;

          memcpy (d, s, bps);                        /* Y0 */
          memcpy (d + bps, s + 2 * bps, 2 * bps);    /* Cb Cr */
          memcpy (d + 3 * bps, s + bps, bps);        /* Y1 */
          memcpy (d + 4 * bps, s + 2 * bps, 2 * bps);
        }
    }
  else
    {
      const guint8 *src = data + (gsize) frame * n * bps;

      if ((gsize) (frame + 1) * n * bps > size)
        goto none;
      if (ref->samples == 3 && ref->planar == 1)
        {
          for (guint s = 0; s < 3; s++)
            for (gsize i = 0; i < n_pixels; i++)
              memcpy (tmp + (i * 3 + s) * bps, src + (s * n_pixels + i) * bps, bps);
        }
      else
        memcpy (tmp, src, n * bps);
    }

  for (gsize i = 0; i < n; i++)
    {
      guint64 v = read_sample (tmp, bps, i);

      if (ref->bits_allocated >= 8 && ref->bits_stored < ref->bits_allocated)
        {
          v = (v >> shift) & mask;
          if (ref->is_signed && (v >> (ref->bits_stored - 1)) & 1)
            v = (v | ~mask) & width_mask;
        }
      write_sample (out, out_bps, i, v * ref->scale);
    }
  return out;

none:
  g_free (out);
  return NULL;
}

static guint8
clamp_byte (double v)
{
  v = v < 0 ? 0 : v > 255 ? 255 : v;
  return (guint8) (v + 0.5);
}

/* Full-range YCbCr → RGB (PS3.3 C.7.6.3.1.2), in place on 8-bit samples. */
static void
ybr_full_to_rgb (guint8 *data,
                 gsize   n_pixels)
{
  for (gsize i = 0; i < n_pixels; i++)
    {
      double y = data[i * 3], cb = data[i * 3 + 1] - 128.0, cr = data[i * 3 + 2] - 128.0;

      data[i * 3] = clamp_byte (y + 1.402 * cr);
      data[i * 3 + 1] = clamp_byte (y - 0.344136 * cb - 0.714136 * cr);
      data[i * 3 + 2] = clamp_byte (y + 1.772 * cb);
    }
}

static gboolean
has_frames_that_differ (GPtrArray *frames)
{
  for (guint i = 1; i < frames->len; i++)
    if (!g_bytes_equal (frames->pdata[0], frames->pdata[i]))
      return TRUE;
  return frames->len < 2;
}

static const char *
find_refusal (const char *rel,
              const char **reason)
{
  for (gsize i = 0; i < G_N_ELEMENTS (refusals); i++)
    if (strcmp (rel, refusals[i].path) == 0)
      {
        *reason = refusals[i].reason;
        return refusals[i].path;
      }
  return NULL;
}

static int
refusal_code (const char *rel)
{
  for (gsize i = 0; i < G_N_ELEMENTS (refusals); i++)
    if (strcmp (rel, refusals[i].path) == 0)
      return refusals[i].code;
  return -1;
}

static void
check_file (const char *dir,
            const char *path,
            const char *tmpdir,
            Totals     *totals)
{
  const char *rel = path + strlen (dir) + 1;
  g_autoptr(GError) error = NULL;
  g_autoptr(LacunaDicomFile) file = NULL;
  g_autoptr(GPtrArray) frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  LacunaDicomPixelInfo info;
  Reference ref = { 0 };
  g_autofree char *why = NULL;
  const char *reason = NULL;
  const char *ts;
  const char *ts_name;
  gboolean compared = FALSE;
  guint max_diff = 0;
  char photometric[24] = "";

  file = lacuna_dicom_file_open (path, LACUNA_DICOM_OPEN_DEFAULT, &error);
  if (file == NULL)
    {
      if (!g_error_matches (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_NOT_DICOM))
        {
          g_test_message ("NOT OPENED %s: %s (the opening is tested in testdata-open)",
                          rel, error->message);
          totals->n_not_opened++;
        }
      return;
    }
  totals->n_files++;
  ts = lacuna_dicom_file_get_transfer_syntax (file);
  ts_name = lacuna_dicom_transfer_syntax_name (ts);
  if (ts_name == NULL)
    ts_name = ts;

  if (!lacuna_dicom_file_get_pixel_info (file, &info, &error))
    {
      if (g_error_matches (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_NO_PIXELS))
        {
          g_test_message ("no pixels %s", rel);
          totals->n_no_pixels++;
          return;
        }
      if (find_refusal (rel, &reason) != NULL)
        {
          g_assert_error (error, LACUNA_DICOM_ERROR, refusal_code (rel));
          g_test_message ("REFUSED %s: %s [%s]", rel, error->message, reason);
          totals->n_refused++;
          return;
        }
      g_test_message ("FAIL %s: %s", rel, error->message);
      g_assert_no_error (error);
    }

  /* Decode every frame first: each must succeed (or be an expected refusal). */
  for (guint f = 0; f < info.n_frames; f++)
    {
      GBytes *bytes = lacuna_dicom_file_decode_frame (file, f, photometric, &error);
      guint bps = info.bits_allocated == 1 ? 1 : info.bits_allocated / 8;

      if (bytes == NULL)
        {
          if (find_refusal (rel, &reason) != NULL)
            {
              g_assert_error (error, LACUNA_DICOM_ERROR, refusal_code (rel));
              g_test_message ("REFUSED %s frame %u: %s [%s]", rel, f + 1, error->message,
                              reason);
              totals->n_refused++;
              return;
            }
          g_test_message ("FAIL %s (%s) frame %u: %s", rel, ts_name, f + 1, error->message);
          g_assert_no_error (error);
        }
      g_assert_cmpuint (g_bytes_get_size (bytes), ==,
                        (gsize) info.rows * info.columns * info.samples_per_pixel * bps);
      g_ptr_array_add (frames, bytes);
    }
  g_assert_null (find_refusal (rel, &reason));

  /* The reference. */
  for (gsize i = 0; i < G_N_ELEMENTS (twins); i++)
    if (strcmp (rel, twins[i].path) == 0)
      {
        g_autofree char *twin = g_build_filename (dir, twins[i].twin, NULL);

        if (!run_gdcmconv (twin, tmpdir, &ref, &why))
          {
            g_test_message ("FAIL %s: the twin reference failed: %s", rel, why);
            g_assert_not_reached ();
          }
        ref.scale = twins[i].scale;
        g_free (ref.source);
        ref.source = g_strdup_printf ("gdcmconv --raw of %s ×%" G_GUINT64_FORMAT " [%s]",
                                      twins[i].twin, twins[i].scale, twins[i].reason);
        break;
      }
  if (ref.bytes == NULL && !run_gdcmconv (path, tmpdir, &ref, &why))
    {
      g_autofree char *why_raw = NULL;

      reference_clear (&ref);
      if (!run_gdcmraw (path, tmpdir, &info, &ref, &why_raw))
        {
          reference_clear (&ref);
          g_test_message ("NOT COMPARED %s (%s, %ux%u×%u %s → %s): all %u frames decode; "
                          "no reference: %s; %s", rel, ts_name, info.columns, info.rows,
                          info.n_frames, info.photometric, photometric, info.n_frames,
                          why, why_raw);
          totals->n_uncompared++;
          return;
        }
    }

  g_assert_cmpuint (ref.rows, ==, info.rows);
  g_assert_cmpuint (ref.columns, ==, info.columns);
  g_assert_cmpuint (ref.samples, ==, info.samples_per_pixel);

  for (guint f = 0; f < frames->len; f++)
    {
      gsize size = 0;
      const guint8 *ours = g_bytes_get_data (frames->pdata[f], &size);
      guint bps = info.bits_allocated == 1 ? 1 : info.bits_allocated / 8;
      gsize n = size / bps;
      gboolean ref_is_ybr = FALSE;
      g_autofree guint8 *expected = reference_frame (&ref, f, bps, &ref_is_ybr);
      guint tolerance = 0;

      if (expected == NULL)
        {
          g_test_message ("  %s frame %u: no reference frame (decoded only)", rel, f + 1);
          continue;
        }
      if (strcmp (photometric, "RGB") == 0 && ref_is_ybr && bps == 1)
        {
          ybr_full_to_rgb (expected, n / 3);
          tolerance = info.lossy ? 4 : 2;
        }
      else if (!(g_str_has_prefix (photometric, "YBR_FULL") && ref_is_ybr)
               && strcmp (photometric, ref.photometric) != 0)
        {
          g_test_message ("FAIL %s: the shim gives %s, GDCM %s", rel, photometric,
                          ref.photometric);
          g_assert_cmpstr (photometric, ==, ref.photometric);
        }

      if (tolerance == 0 && memcmp (ours, expected, size) == 0)
        {
          compared = TRUE;
          continue;
        }
      for (gsize i = 0; i < n; i++)
        {
          gint64 a = (gint64) read_sample (ours, bps, i);
          gint64 b = (gint64) read_sample (expected, bps, i);
          guint d = (guint) MIN (ABS (a - b), G_MAXUINT);

          if (d > max_diff)
            max_diff = d;
          if (d > tolerance)
            {
              g_test_message ("FAIL %s (%s) frame %u sample %" G_GSIZE_FORMAT ": shim %"
                              G_GINT64_FORMAT ", %s %" G_GINT64_FORMAT, rel, ts_name, f + 1, i,
                              a, ref.source, b);
              g_assert_cmpuint (d, <=, tolerance);
            }
        }
      compared = TRUE;
    }
  totals->n_frames += frames->len;
  if (compared)
    totals->n_compared++;
  g_test_message ("%s %s (%s, %ux%u×%u %s %u-bit → %s): %s%s%s", max_diff ? "NEAR" : "SAME",
                  rel, ts_name, info.columns, info.rows, info.n_frames, info.photometric,
                  info.bits_allocated, photometric,
                  max_diff ? "within colour-conversion rounding of " : "equal to ",
                  ref.source, info.n_frames > 1 && !has_frames_that_differ (frames)
                  ? " (all frames identical!)" : "");
  if (info.n_frames > 1 && g_str_has_prefix (rel, "variety/multiframe/"))
    g_assert_true (has_frames_that_differ (frames));
  reference_clear (&ref);
}

static void
test_against_gdcm (void)
{
  const char *dir = lacuna_test_get_testdata ();
  g_autoptr(GPtrArray) files = NULL;
  g_autofree char *tmpdir = NULL;
  g_autofree char *skip_dir = NULL;
  Totals totals = { 0 };

  if (dir == NULL || !lacuna_test_require_program ("gdcmconv", "libgdcm-tools")
      || !lacuna_test_require_program ("gdcmraw", "libgdcm-tools"))
    return;
  tmpdir = lacuna_test_make_tmpdir ();
  skip_dir = g_build_filename (dir, "malformed", NULL);
  files = lacuna_test_list_files (dir);

  for (guint i = 0; i < files->len; i++)
    {
      const char *path = files->pdata[i];

      if (g_str_has_prefix (path, skip_dir))
        continue;
      check_file (dir, path, tmpdir, &totals);
    }
  g_test_message ("%u DICOM files: %u with pixels compared with GDCM (%u frames), %u without "
                  "pixels, %u refused on purpose, %u decoded but not comparable, %u not opened",
                  totals.n_files, totals.n_compared, totals.n_frames, totals.n_no_pixels,
                  totals.n_refused, totals.n_uncompared, totals.n_not_opened);
  /* Guard against a test that quietly compares nothing. */
  g_assert_cmpuint (totals.n_compared, >=, 400);
}

/* ---------------------------------------------------------------------------------------- */

static LacunaDicomFile *
open_testdata (const char *relative)
{
  g_autofree char *path = lacuna_test_dup_testdata (relative);
  g_autoptr(GError) error = NULL;
  LacunaDicomFile *file;

  if (path == NULL)
    return NULL;
  file = lacuna_dicom_file_open (path, LACUNA_DICOM_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  return file;
}

static void
test_out_of_bounds (void)
{
  const char *names[] = {
    "malformed/orthanc_2026-05-26-oob-monochrome-46341.dcm",
    "malformed/orthanc_2026-05-26-oob-monochrome-65535.dcm",
  };
  struct rusage usage;

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(LacunaDicomFile) file = open_testdata (names[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = NULL;
      LacunaDicomPixelInfo info;
      char photometric[24];

      if (file == NULL)
        return;
      g_assert_false (lacuna_dicom_file_get_pixel_info (file, &info, &error));
      g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_TOO_LARGE);
      g_test_message ("%s: %s", names[i], error->message);
      g_clear_error (&error);
      bytes = lacuna_dicom_file_decode_frame (file, 0, photometric, &error);
      g_assert_null (bytes);
      g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_TOO_LARGE);
    }
  /* Nothing near the claimed gigabytes was ever allocated. */
  g_assert_cmpint (getrusage (RUSAGE_SELF, &usage), ==, 0);
  g_assert_cmpint (usage.ru_maxrss, <, 1024 * 1024);   /* KiB: 1 GiB */
}

static void
test_frame_index (void)
{
  g_autoptr(LacunaDicomFile) multi =
    open_testdata ("variety/multiframe/pydicom-data_emri_small_big_endian_10frames.dcm");
  g_autoptr(LacunaDicomFile) single = open_testdata ("variety/pydicom_debian_test_files/CT_small.dcm");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) last = NULL;
  LacunaDicomPixelInfo info;
  GBytes *bytes;
  char photometric[24];

  if (multi == NULL || single == NULL)
    return;
  g_assert_true (lacuna_dicom_file_get_pixel_info (multi, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (info.n_frames, ==, 10);
  last = lacuna_dicom_file_decode_frame (multi, 9, photometric, &error);
  g_assert_no_error (error);
  g_assert_nonnull (last);

  bytes = lacuna_dicom_file_decode_frame (multi, 10, photometric, &error);
  g_assert_null (bytes);
  g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID);
  g_clear_error (&error);
  bytes = lacuna_dicom_file_decode_frame (single, 1, photometric, &error);
  g_assert_null (bytes);
  g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID);
  g_clear_error (&error);
  bytes = lacuna_dicom_file_decode_frame (single, G_MAXUINT, photometric, &error);
  g_assert_null (bytes);
  g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID);
}

static void
test_no_pixels (void)
{
  g_autoptr(LacunaDicomFile) file =
    open_testdata ("phi-burned-in/presidio_CR_header_only/0_ORIGINAL_no_pixels.dcm");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  LacunaDicomPixelInfo info;
  char photometric[24];

  if (file == NULL)
    return;
  g_assert_false (lacuna_dicom_file_get_pixel_info (file, &info, &error));
  g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_NO_PIXELS);
  g_clear_error (&error);
  bytes = lacuna_dicom_file_decode_frame (file, 0, photometric, &error);
  g_assert_null (bytes);
  g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_NO_PIXELS);
}

static void
test_info (void)
{
  static const struct
  {
    const char *path;
    gboolean    encapsulated;
    gboolean    lossy;
  } cases[] = {
    { "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.1.dcm", FALSE, FALSE },
    { "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.5.dcm", TRUE, FALSE },
    { "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.4.51.dcm", TRUE, TRUE },
    { "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.4.70.dcm", TRUE, FALSE },
    { "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.4.80.dcm", TRUE, FALSE },
    { "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.4.81.dcm", TRUE, TRUE },
    { "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.4.90.dcm", TRUE, FALSE },
    { "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.4.91.dcm", TRUE, TRUE },
    { "variety/transfer-syntaxes/pydicom-data_HTJ2K_08_RGB.dcm", TRUE, TRUE },
    { "variety/transfer-syntaxes/pydicom-data_liver_deflate.dcm", TRUE, FALSE },
    { "variety/multiframe/orthanc_Issue16_US_cine_34frames_JPEG.dcm", TRUE, TRUE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(LacunaDicomFile) file = open_testdata (cases[i].path);
      g_autoptr(GError) error = NULL;
      LacunaDicomPixelInfo info;

      if (file == NULL)
        return;
      g_assert_true (lacuna_dicom_file_get_pixel_info (file, &info, &error));
      g_assert_no_error (error);
      g_assert_cmpint (info.encapsulated, ==, cases[i].encapsulated);
      g_assert_cmpint (info.lossy, ==, cases[i].lossy);
    }

  {
    g_autoptr(LacunaDicomFile) file =
      open_testdata ("variety/multiframe/orthanc_Issue16_US_cine_34frames_JPEG.dcm");
    g_autoptr(GError) error = NULL;
    LacunaDicomPixelInfo info;

    if (file == NULL)
      return;
    g_assert_true (lacuna_dicom_file_get_pixel_info (file, &info, &error));
    g_assert_cmpuint (info.n_frames, ==, 34);
    g_assert_cmpuint (info.columns, ==, 480);
    g_assert_cmpuint (info.rows, ==, 430);
    g_assert_cmpuint (info.samples_per_pixel, ==, 3);
    g_assert_cmpstr (info.photometric, ==, "YBR_FULL_422");
  }
}

/* ---------------------------------------------------------------------------------------- */
/* Stored values: GDCM's decoder as the reference for masking and sign extension            */

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
test_stored_values (void)
{
  /* 12 bits stored in 16: the top nibble carries junk (as overlays once did). */
  static const guint16 samples[8] = { 0x0FFF, 0xF123, 0x8001, 0x1234, 0x0800, 0xF7FF, 0x07FF,
                                      0xA000 };
  g_autofree char *tmpdir = NULL;

  if (!lacuna_test_require_program ("gdcmraw", "libgdcm-tools"))
    return;
  tmpdir = lacuna_test_make_tmpdir ();

  for (guint is_signed = 0; is_signed < 2; is_signed++)
    {
      g_autoptr(LacunaDicomFile) file = lacuna_dicom_file_new ();
      g_autoptr(LacunaDicomFile) reread = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) ours = NULL;
      g_autofree char *path = g_strdup_printf ("%s/stored-%u.dcm", tmpdir, is_signed);
      g_autofree char *raw = g_strdup_printf ("%s/stored-%u.raw", tmpdir, is_signed);
      g_autofree char *contents = NULL;
      g_autofree char *std_out = NULL;
      g_autofree char *std_err = NULL;
      const char *argv[] = { "gdcmraw", "-P", "-i", path, "-o", raw, NULL };
      const guint16 *decoded;
      gsize length = 0;
      char photometric[24];

      set (file, "00080016", "1.2.840.10008.5.1.4.1.1.7");
      set (file, "00080018", "1.2.826.0.1.3680043.10.1358.99");
      set (file, "00080060", "OT");
      set (file, "00280002", "1");
      set (file, "00280004", "MONOCHROME2");
      set (file, "00280010", "2");
      set (file, "00280011", "4");
      set (file, "00280100", "16");
      set (file, "00280101", "12");
      set (file, "00280102", "11");
      set (file, "00280103", is_signed ? "1" : "0");
      g_assert_true (lacuna_dicom_file_set_pixel_data (file, samples, sizeof samples, 16, &error));
      g_assert_no_error (error);
      g_assert_true (lacuna_dicom_file_save (file, path, NULL, &error));
      g_assert_no_error (error);

      reread = lacuna_dicom_file_open (path, LACUNA_DICOM_OPEN_DEFAULT, &error);
      g_assert_no_error (error);
      ours = lacuna_dicom_file_decode_frame (reread, 0, photometric, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (g_bytes_get_size (ours), ==, sizeof samples);
      decoded = g_bytes_get_data (ours, NULL);

      g_assert_cmpint (lacuna_test_run (argv, &std_out, &std_err), ==, 0);
      g_assert_true (g_file_get_contents (raw, &contents, &length, NULL));
      g_assert_cmpuint (length, ==, sizeof samples);
      g_assert_cmpmem (decoded, sizeof samples, contents, length);

      /* And by the rule itself. */
      for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
        {
          guint16 v = samples[i] & 0x0FFF;

          if (is_signed && (v & 0x0800))
            v |= 0xF000;
          g_assert_cmphex (decoded[i], ==, v);
        }
    }
}

/* set_pixel_data on a compressed file: the dataset is native afterwards and saves as
 * Explicit VR Little Endian with the same samples. */
static void
test_set_pixel_data (void)
{
  g_autoptr(LacunaDicomFile) file =
    open_testdata ("variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.4.70.dcm");
  g_autoptr(LacunaDicomFile) reread = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GBytes) saved = NULL;
  g_autofree char *tmpdir = NULL;
  g_autofree char *path = NULL;
  LacunaDicomPixelInfo info;
  char photometric[24];

  if (file == NULL)
    return;
  before = lacuna_dicom_file_decode_frame (file, 0, photometric, &error);
  g_assert_no_error (error);
  g_assert_true (lacuna_dicom_file_set_pixel_data (file, g_bytes_get_data (before, NULL),
                                                   g_bytes_get_size (before), 16, &error));
  g_assert_no_error (error);
  g_assert_true (lacuna_dicom_file_get_pixel_info (file, &info, &error));
  g_assert_false (info.encapsulated);
  after = lacuna_dicom_file_decode_frame (file, 0, photometric, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (before, after));

  tmpdir = lacuna_test_make_tmpdir ();
  path = g_build_filename (tmpdir, "native.dcm", NULL);
  g_assert_true (lacuna_dicom_file_save (file, path, NULL, &error));
  g_assert_no_error (error);
  reread = lacuna_dicom_file_open (path, LACUNA_DICOM_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lacuna_dicom_file_get_transfer_syntax (reread), ==, "1.2.840.10008.1.2.1");
  saved = lacuna_dicom_file_decode_frame (reread, 0, photometric, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (before, saved));

  /* Bad arguments. */
  g_assert_false (lacuna_dicom_file_set_pixel_data (file, "abc", 3, 16, &error));
  g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (lacuna_dicom_file_set_pixel_data (file, "abcd", 4, 12, &error));
  g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID);
}

/* Two threads decoding frames of one file get the same frames as one thread. */
typedef struct
{
  LacunaDicomFile *file;
  guint            n_frames;
  GPtrArray       *frames;
} ThreadData;

static gpointer
decode_all (gpointer user_data)
{
  ThreadData *td = user_data;

  for (guint round = 0; round < 3; round++)
    for (guint f = 0; f < td->n_frames; f++)
      {
        guint k = (f * 7 + round) % td->n_frames;   /* out of order on purpose */
        char photometric[24];
        GBytes *bytes = lacuna_dicom_file_decode_frame (td->file, k, photometric, NULL);

        if (bytes == NULL || !g_bytes_equal (bytes, td->frames->pdata[k]))
          {
            g_clear_pointer (&bytes, g_bytes_unref);
            return GINT_TO_POINTER (FALSE);
          }
        g_bytes_unref (bytes);
      }
  return GINT_TO_POINTER (TRUE);
}

static void
test_threads (void)
{
  g_autoptr(LacunaDicomFile) file =
    open_testdata ("variety/multiframe/orthanc_Issue16_US_cine_34frames_JPEG.dcm");
  g_autoptr(GPtrArray) frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GError) error = NULL;
  LacunaDicomPixelInfo info;
  ThreadData td;
  GThread *a, *b;

  if (file == NULL)
    return;
  g_assert_true (lacuna_dicom_file_get_pixel_info (file, &info, &error));
  for (guint f = 0; f < info.n_frames; f++)
    {
      char photometric[24];
      GBytes *bytes = lacuna_dicom_file_decode_frame (file, f, photometric, &error);

      g_assert_no_error (error);
      g_ptr_array_add (frames, bytes);
    }
  td = (ThreadData) { file, info.n_frames, frames };
  a = g_thread_new ("decode-a", decode_all, &td);
  b = g_thread_new ("decode-b", decode_all, &td);
  g_assert_true (GPOINTER_TO_INT (g_thread_join (a)));
  g_assert_true (GPOINTER_TO_INT (g_thread_join (b)));
}

static void
test_header_only (void)
{
  g_autofree char *path = lacuna_test_dup_testdata ("variety/pydicom_debian_test_files/CT_small.dcm");
  g_autoptr(LacunaDicomFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  LacunaDicomPixelInfo info;
  char photometric[24];

  if (path == NULL)
    return;
  file = lacuna_dicom_file_open (path, LACUNA_DICOM_OPEN_HEADER_ONLY, &error);
  g_assert_no_error (error);
  g_assert_true (lacuna_dicom_file_get_pixel_info (file, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (info.rows, ==, 128);
  g_assert_cmpuint (info.columns, ==, 128);
  g_assert_cmpuint (info.bits_allocated, ==, 16);
  g_assert_true (info.is_signed);
  bytes = lacuna_dicom_file_decode_frame (file, 0, photometric, &error);
  g_assert_null (bytes);
  g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  lacuna_dicom_init ();

  g_test_add_func ("/core/testdata-pixels/info", test_info);
  g_test_add_func ("/core/testdata-pixels/no-pixels", test_no_pixels);
  g_test_add_func ("/core/testdata-pixels/out-of-bounds", test_out_of_bounds);
  g_test_add_func ("/core/testdata-pixels/frame-index", test_frame_index);
  g_test_add_func ("/core/testdata-pixels/header-only", test_header_only);
  g_test_add_func ("/core/testdata-pixels/stored-values", test_stored_values);
  g_test_add_func ("/core/testdata-pixels/set-pixel-data", test_set_pixel_data);
  g_test_add_func ("/core/testdata-pixels/threads", test_threads);
  g_test_add_func ("/core/testdata-pixels/against-gdcm", test_against_gdcm);

  return g_test_run ();
}
