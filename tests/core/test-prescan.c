/* test-prescan.c: the non-recursive pre-scan that guards DCMTK's recursive reader. */
#define G_LOG_DOMAIN "test-prescan"

#include "config.h"

#include <string.h>

#include <zlib.h>

#include "lacuna-dicom.h"
#include "lacuna-dicom-prescan.h"
#include "lacuna-test-util.h"

typedef enum
{
  ENC_IMPLICIT_LE,
  ENC_EXPLICIT_LE,
  ENC_EXPLICIT_BE,
  ENC_DEFLATE,
  N_ENCODINGS
} Encoding;

static const char *const encoding_uids[] = {
  "1.2.840.10008.1.2",
  "1.2.840.10008.1.2.1",
  "1.2.840.10008.1.2.2",
  "1.2.840.10008.1.2.1.99",
};

static void
put16 (GByteArray *b,
       guint16     v,
       gboolean    be)
{
  guint8 p[2] = { be ? v >> 8 : v & 0xFF, be ? v & 0xFF : v >> 8 };

  g_byte_array_append (b, p, 2);
}

static void
put32 (GByteArray *b,
       guint32     v,
       gboolean    be)
{
  put16 (b, be ? v >> 16 : v & 0xFFFF, be);
  put16 (b, be ? v & 0xFFFF : v >> 16, be);
}

static void
put_tag (GByteArray *b,
         guint32     tag,
         gboolean    be)
{
  put16 (b, tag >> 16, be);
  put16 (b, tag & 0xFFFF, be);
}

/* A short-VR element (CS, PN, UI…) with an even-padded value. */
static void
put_short (GByteArray *b,
           guint32     tag,
           const char *vr,
           const char *value,
           gboolean    explicit_vr,
           gboolean    be)
{
  gsize len = strlen (value);
  gsize padded = len + (len & 1);

  put_tag (b, tag, be);
  if (explicit_vr)
    {
      g_byte_array_append (b, (const guint8 *) vr, 2);
      put16 (b, padded, be);
    }
  else
    put32 (b, padded, be);
  g_byte_array_append (b, (const guint8 *) value, len);
  if (padded != len)
    g_byte_array_append (b, (const guint8 *) " ", 1);
}

static GByteArray *
new_meta (const char *ts)
{
  GByteArray *b = g_byte_array_new ();
  guint8 zero[128] = { 0 };
  gsize len = strlen (ts) + (strlen (ts) & 1);

  g_byte_array_append (b, zero, 128);
  g_byte_array_append (b, (const guint8 *) "DICM", 4);
  put_tag (b, 0x00020000, FALSE);
  g_byte_array_append (b, (const guint8 *) "UL", 2);
  put16 (b, 4, FALSE);
  put32 (b, 8 + len, FALSE);
  put_tag (b, 0x00020010, FALSE);
  g_byte_array_append (b, (const guint8 *) "UI", 2);
  put16 (b, len, FALSE);
  g_byte_array_append (b, (const guint8 *) ts, strlen (ts));
  if (len != strlen (ts))
    g_byte_array_append (b, zero, 1);
  return b;
}

/* levels × [SQ (0040,A730) undefined length, Item undefined length], a leaf, then the
 * delimiters: 36 bytes a level (STACK-NOTES §3). */
static void
put_nested_undefined (GByteArray *b,
                      guint       levels,
                      gboolean    explicit_vr,
                      gboolean    be)
{
  put_short (b, 0x00100010, "PN", "Deep^Test", explicit_vr, be);
  for (guint i = 0; i < levels; i++)
    {
      put_tag (b, 0x0040A730, be);
      if (explicit_vr)
        {
          g_byte_array_append (b, (const guint8 *) "SQ\0\0", 4);
          put32 (b, 0xFFFFFFFF, be);
        }
      else
        put32 (b, 0xFFFFFFFF, be);
      put_tag (b, 0xFFFEE000, be);
      put32 (b, 0xFFFFFFFF, be);
    }
  put_short (b, 0x0040A040, "CS", "TEXT", explicit_vr, be);
  for (guint i = 0; i < levels; i++)
    {
      put_tag (b, 0xFFFEE00D, be);
      put32 (b, 0, be);
      put_tag (b, 0xFFFEE0DD, be);
      put32 (b, 0, be);
    }
}

/* The same with defined lengths everywhere, built from the inside out. */
static GByteArray *
nested_defined (guint    levels,
                gboolean explicit_vr)
{
  GByteArray *inner = g_byte_array_new ();

  put_short (inner, 0x0040A040, "CS", "TEXT", explicit_vr, FALSE);
  for (guint i = 0; i < levels; i++)
    {
      GByteArray *outer = g_byte_array_new ();

      put_tag (outer, 0x0040A730, FALSE);
      if (explicit_vr)
        g_byte_array_append (outer, (const guint8 *) "SQ\0\0", 4);
      put32 (outer, inner->len + 8, FALSE);
      put_tag (outer, 0xFFFEE000, FALSE);
      put32 (outer, inner->len, FALSE);
      g_byte_array_append (outer, inner->data, inner->len);
      g_byte_array_unref (inner);
      inner = outer;
    }
  return inner;
}

static GByteArray *
raw_deflate (const guint8 *data,
             gsize         len)
{
  GByteArray *out = g_byte_array_new ();
  z_stream z = { 0 };
  guint8 buf[65536];
  int ret;

  g_assert_cmpint (deflateInit2 (&z, 1, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY), ==, Z_OK);
  z.next_in = (Bytef *) data;
  z.avail_in = len;
  do
    {
      z.next_out = buf;
      z.avail_out = sizeof buf;
      ret = deflate (&z, Z_FINISH);
      g_byte_array_append (out, buf, sizeof buf - z.avail_out);
    }
  while (ret == Z_OK || (ret == Z_BUF_ERROR && z.avail_out == 0));
  g_assert_cmpint (ret, ==, Z_STREAM_END);
  deflateEnd (&z);
  return out;
}

/* A whole Part 10 file holding dataset (given explicit LE for ENC_DEFLATE). */
static GBytes *
make_file (Encoding    enc,
           GByteArray *dataset)
{
  GByteArray *b = new_meta (encoding_uids[enc]);

  if (enc == ENC_DEFLATE)
    {
      g_autoptr(GByteArray) z = raw_deflate (dataset->data, dataset->len);
      g_byte_array_append (b, z->data, z->len);
    }
  else
    g_byte_array_append (b, dataset->data, dataset->len);
  return g_byte_array_free_to_bytes (b);
}

static GBytes *
make_nested (Encoding enc,
             guint    levels)
{
  g_autoptr(GByteArray) ds = g_byte_array_new ();

  put_nested_undefined (ds, levels, enc != ENC_IMPLICIT_LE, enc == ENC_EXPLICIT_BE);
  return make_file (enc, ds);
}

static LacunaDicomWalkResult
max_depth_cb (const LacunaDicomElement *e,
              gpointer                  user_data)
{
  guint *max = user_data;

  *max = MAX (*max, e->depth);
  return LACUNA_DICOM_WALK_CONTINUE;
}

static void
assert_opens_with_depth (GBytes *bytes,
                         guint   levels)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LacunaDicomFile) file = lacuna_dicom_file_open_bytes (bytes, "nested", 0, &error);
  guint max = 0;

  g_assert_no_error (error);
  lacuna_dicom_file_walk (file, FALSE, max_depth_cb, &max);
  g_assert_cmpuint (max, ==, levels);
}

static void
test_prescan_nested_ok (void)
{
  for (Encoding enc = 0; enc < N_ENCODINGS; enc++)
    {
      guint levels[] = { 0, 1, 10, LACUNA_DICOM_MAX_DEPTH };

      for (gsize i = 0; i < G_N_ELEMENTS (levels); i++)
        {
          g_autoptr(GBytes) bytes = make_nested (enc, levels[i]);
          g_autoptr(GError) error = NULL;
          gsize size;
          const guint8 *data = g_bytes_get_data (bytes, &size);

          g_test_message ("%s, %u levels", encoding_uids[enc], levels[i]);
          g_assert_true (_lacuna_dicom_prescan (data, size, &error));
          g_assert_no_error (error);
          assert_opens_with_depth (bytes, levels[i]);
        }
    }
}

static void
test_prescan_too_deep (void)
{
  g_autofree char *dir = lacuna_test_make_tmpdir ();

  for (Encoding enc = 0; enc < N_ENCODINGS; enc++)
    {
      guint levels[] = { LACUNA_DICOM_MAX_DEPTH + 1, 100, 100000 };

      for (gsize i = 0; i < G_N_ELEMENTS (levels); i++)
        {
          g_autoptr(GBytes) bytes = make_nested (enc, levels[i]);
          g_autoptr(GError) error = NULL;
          g_autoptr(LacunaDicomFile) file = NULL;
          g_autofree char *path = g_build_filename (dir, "deep.dcm", NULL);
          gsize size;
          const guint8 *data = g_bytes_get_data (bytes, &size);

          g_test_message ("%s, %u levels", encoding_uids[enc], levels[i]);
          g_assert_false (_lacuna_dicom_prescan (data, size, &error));
          g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_TOO_DEEP);
          g_assert_cmpstr (error->message, ==, "sequences nested more than 64 deep");
          g_clear_error (&error);

          /* Through the public entry points too: refused before DCMTK recurses. */
          g_assert_true (g_file_set_contents (path, (const char *) data, size, NULL));
          file = lacuna_dicom_file_open (path, LACUNA_DICOM_OPEN_DEFAULT, &error);
          g_assert_null (file);
          g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_TOO_DEEP);
          g_clear_error (&error);
          file = lacuna_dicom_file_open_bytes (bytes, "deep", LACUNA_DICOM_OPEN_HEADER_ONLY, &error);
          g_assert_null (file);
          g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_TOO_DEEP);
        }
    }
}

/* Defined-length sequences and items: the scanner descends with a stack of end offsets.
 * In implicit VR it recognises a sequence by its first item tag. */
static void
test_prescan_defined_lengths (void)
{
  for (int explicit_vr = 0; explicit_vr < 2; explicit_vr++)
    {
      guint levels[] = { 10, LACUNA_DICOM_MAX_DEPTH, LACUNA_DICOM_MAX_DEPTH + 1, 1000 };

      for (gsize i = 0; i < G_N_ELEMENTS (levels); i++)
        {
          g_autoptr(GByteArray) ds = nested_defined (levels[i], explicit_vr);
          g_autoptr(GBytes) bytes = make_file (explicit_vr ? ENC_EXPLICIT_LE : ENC_IMPLICIT_LE, ds);
          g_autoptr(GError) error = NULL;
          gsize size;
          const guint8 *data = g_bytes_get_data (bytes, &size);
          gboolean ok = _lacuna_dicom_prescan (data, size, &error);

          g_test_message ("%s VR, %u levels", explicit_vr ? "explicit" : "implicit", levels[i]);
          if (levels[i] <= LACUNA_DICOM_MAX_DEPTH)
            {
              g_assert_no_error (error);
              g_assert_true (ok);
              assert_opens_with_depth (bytes, levels[i]);
            }
          else
            {
              g_assert_false (ok);
              g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_TOO_DEEP);
            }
        }
    }
}

static void
test_prescan_past_end (void)
{
  for (Encoding enc = 0; enc < N_ENCODINGS; enc++)
    {
      g_autoptr(GByteArray) ds = g_byte_array_new ();
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(LacunaDicomFile) file = NULL;
      gboolean explicit_vr = enc != ENC_IMPLICIT_LE;
      gboolean be = enc == ENC_EXPLICIT_BE;
      gsize size;
      const guint8 *data;

      put_short (ds, 0x00080060, "CS", "OT", explicit_vr, be);
      /* (0010,0010) claims 200 bytes; 4 follow. */
      put_tag (ds, 0x00100010, be);
      if (explicit_vr)
        {
          g_byte_array_append (ds, (const guint8 *) "PN", 2);
          put16 (ds, 200, be);
        }
      else
        put32 (ds, 200, be);
      g_byte_array_append (ds, (const guint8 *) "Doe^", 4);
      bytes = make_file (enc, ds);
      data = g_bytes_get_data (bytes, &size);

      g_test_message ("%s", encoding_uids[enc]);
      g_assert_false (_lacuna_dicom_prescan (data, size, &error));
      g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_PARSE);
      g_assert_cmpstr (error->message, ==,
                       "element (0010,0010) claims 200 bytes but the file ends after 4");
      g_clear_error (&error);
      file = lacuna_dicom_file_open_bytes (bytes, "short", 0, &error);
      g_assert_null (file);
      g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_PARSE);
    }
}

static void
test_prescan_past_end_nested (void)
{
  g_autoptr(GByteArray) ds = g_byte_array_new ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  gsize size;
  const guint8 *data;

  /* Inside an undefined-length sequence, an OB claiming 4 GiB - 16. */
  put_tag (ds, 0x00081115, FALSE);
  g_byte_array_append (ds, (const guint8 *) "SQ\0\0", 4);
  put32 (ds, 0xFFFFFFFF, FALSE);
  put_tag (ds, 0xFFFEE000, FALSE);
  put32 (ds, 0xFFFFFFFF, FALSE);
  put_tag (ds, 0x00091010, FALSE);
  g_byte_array_append (ds, (const guint8 *) "OB\0\0", 4);
  put32 (ds, 0xFFFFFFF0, FALSE);
  g_byte_array_append (ds, (const guint8 *) "abcdefgh", 8);
  bytes = make_file (ENC_EXPLICIT_LE, ds);
  data = g_bytes_get_data (bytes, &size);

  g_assert_false (_lacuna_dicom_prescan (data, size, &error));
  g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "(0009,1010)"));
}

/* A meta header element that runs past the end. */
static void
test_prescan_meta_past_end (void)
{
  g_autoptr(GByteArray) b = new_meta ("1.2.840.10008.1.2.1");
  g_autoptr(GError) error = NULL;

  put_tag (b, 0x00020012, FALSE);
  g_byte_array_append (b, (const guint8 *) "UI", 2);
  put16 (b, 64, FALSE);
  g_byte_array_append (b, (const guint8 *) "1.2", 3);
  g_assert_false (_lacuna_dicom_prescan (b->data, b->len, &error));
  g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_PARSE);
}

/* A deflated dataset that inflates far beyond its size ("zip bomb"). */
static void
test_prescan_deflate_bomb (void)
{
  gsize big = (gsize) 320 << 20;
  g_autoptr(GByteArray) ds = g_byte_array_sized_new (big + 64);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  gsize size;
  const guint8 *data;

  put_short (ds, 0x00100010, "PN", "Bomb^Test", TRUE, FALSE);
  put_tag (ds, 0x00091010, FALSE);
  g_byte_array_append (ds, (const guint8 *) "OB\0\0", 4);
  put32 (ds, big, FALSE);
  g_byte_array_set_size (ds, ds->len + big);
  memset (ds->data + ds->len - big, 0, big);
  bytes = make_file (ENC_DEFLATE, ds);
  data = g_bytes_get_data (bytes, &size);
  g_assert_cmpuint (size, <, big / 100);

  g_assert_false (_lacuna_dicom_prescan (data, size, &error));
  g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_TOO_LARGE);
}

/* Real files in every syntax pass (one per transfer syntax family). */
static void
test_prescan_real_files (void)
{
  static const char *const files[] = {
    "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.dcm",
    "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.1.dcm",
    "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.1.99.dcm",
    "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.4.51.dcm",
    "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.4.70.dcm",
    "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.4.80.dcm",
    "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.4.91.dcm",
    "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.5.dcm",
    "variety/transfer-syntaxes/pydicom-data_HTJ2K_08_RGB.dcm",
    "variety/transfer-syntaxes/pydicom-data_liver_deflate.dcm",
    "variety/pydicom_debian_test_files/image_dfl.dcm",
    "variety/pydicom_debian_test_files/MR_small_bigendian.dcm",
    "variety/pydicom_debian_test_files/ExplVR_BigEndNoMeta.dcm",
    "variety/pydicom_debian_test_files/ExplVR_LitEndNoMeta.dcm",
    "variety/pydicom_debian_test_files/nested_priv_SQ.dcm",
    "variety/pydicom_debian_test_files/UN_sequence.dcm",
    "variety/pydicom_debian_test_files/JPEG2000-embedded-sequence-delimiter.dcm",
    "variety/multiframe/pydicom-data_eCT_Supplemental_enhancedCT.dcm",
    "variety/multiframe/dcm_qa_enh_Philips_IM_0027_fMAP_enhancedMR.dcm",
    "phi-burned-in/presidio_CR_chest/0_ORIGINAL_compressed.dcm",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = lacuna_test_dup_testdata (files[i]);
      g_autoptr(GMappedFile) mapped = NULL;
      g_autoptr(GError) error = NULL;

      if (path == NULL)
        return;
      g_test_message ("%s", files[i]);
      mapped = g_mapped_file_new (path, FALSE, &error);
      g_assert_no_error (error);
      g_assert_true (_lacuna_dicom_prescan ((const guint8 *) g_mapped_file_get_contents (mapped),
                                            g_mapped_file_get_length (mapped), &error));
      g_assert_no_error (error);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  lacuna_dicom_init ();

  g_test_add_func ("/core/prescan/nested-ok", test_prescan_nested_ok);
  g_test_add_func ("/core/prescan/too-deep", test_prescan_too_deep);
  g_test_add_func ("/core/prescan/defined-lengths", test_prescan_defined_lengths);
  g_test_add_func ("/core/prescan/past-end", test_prescan_past_end);
  g_test_add_func ("/core/prescan/past-end-nested", test_prescan_past_end_nested);
  g_test_add_func ("/core/prescan/meta-past-end", test_prescan_meta_past_end);
  g_test_add_func ("/core/prescan/deflate-bomb", test_prescan_deflate_bomb);
  g_test_add_func ("/core/prescan/real-files", test_prescan_real_files);

  return g_test_run ();
}
