/* test-dicom.c: the DCMTK shim's files, elements, saving, DICOMDIR and dictionary. */
#define G_LOG_DOMAIN "test-dicom"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "lacuna-dicom.h"
#include "lacuna-test-util.h"

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                  */

typedef struct
{
  GPtrArray *lines;     /* "path VR value" */
  GPtrArray *paths;
  gboolean   skip_group_lengths;
} Collect;

static LacunaDicomWalkResult
collect_cb (const LacunaDicomElement *e,
            gpointer                  user_data)
{
  Collect *c = user_data;

  /* Saving drops group lengths and dataset trailing padding on purpose. */
  if (c->skip_group_lengths && ((e->tag & 0xFFFF) == 0 || e->tag == 0xFFFCFFFC))
    return LACUNA_DICOM_WALK_CONTINUE;
  g_ptr_array_add (c->lines, g_strdup_printf ("%s %s %s", e->path, e->vr,
                                              e->value != NULL ? e->value : "(null)"));
  g_ptr_array_add (c->paths, g_strdup (e->path));
  return LACUNA_DICOM_WALK_CONTINUE;
}

static void
collect (LacunaDicomFile  *file,
         GPtrArray       **out_lines,
         GPtrArray       **out_paths)
{
  Collect c = { g_ptr_array_new_with_free_func (g_free),
                g_ptr_array_new_with_free_func (g_free), TRUE };

  lacuna_dicom_file_walk (file, FALSE, collect_cb, &c);
  *out_lines = c.lines;
  if (out_paths != NULL)
    *out_paths = c.paths;
  else
    g_ptr_array_unref (c.paths);
}

static void
assert_same_lines (GPtrArray *a,
                   GPtrArray *b)
{
  for (guint i = 0; i < MIN (a->len, b->len); i++)
    g_assert_cmpstr (g_ptr_array_index (a, i), ==, g_ptr_array_index (b, i));
  g_assert_cmpuint (a->len, ==, b->len);
}

static void
assert_dcmdump_ok (const char *path)
{
  const char *argv[] = { "dcmdump", "-q", path, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  if (!lacuna_test_require_program ("dcmdump", "dcmtk"))
    return;
  g_assert_cmpint (lacuna_test_run (argv, &out, &err), ==, 0);
  g_assert_cmpstr (err, ==, "");
}

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
  g_assert_nonnull (file);
  return file;
}

/* ---------------------------------------------------------------------------------------- */
/* Building a file from scratch                                                             */

static LacunaDicomFile *
build_sample (void)
{
  LacunaDicomFile *file = lacuna_dicom_file_new ();
  g_autoptr(GError) error = NULL;
  guint16 pixels[16];
  int item;

  for (guint i = 0; i < G_N_ELEMENTS (pixels); i++)
    pixels[i] = (guint16) (i * 1000);

#define SET(path, vr, value) \
  g_assert_true (lacuna_dicom_file_set_string (file, path, vr, value, &error)); \
  g_assert_no_error (error)

  SET ("00080016", NULL, "1.2.840.10008.5.1.4.1.1.7");
  SET ("00080018", NULL, "2.25.1234567890");
  SET ("00080020", NULL, "20240115");
  SET ("00080060", NULL, "OT");
  SET ("00100010", NULL, "Doe^Jane");
  SET ("00100020", NULL, "LAC-0001");
  SET ("0020000D", NULL, "2.25.11");
  SET ("0020000E", NULL, "2.25.12");
  SET ("00200013", NULL, "1");
  SET ("00280002", NULL, "1");
  SET ("00280004", NULL, "MONOCHROME2");
  SET ("00280010", NULL, "4");
  SET ("00280011", NULL, "4");
  SET ("00280100", NULL, "16");
  SET ("00280101", NULL, "16");
  SET ("00280102", NULL, "15");
  SET ("00280103", NULL, "0");
  SET ("00281050", NULL, "100\\200");
  item = lacuna_dicom_file_append_item (file, "00081115", &error);
  g_assert_no_error (error);
  g_assert_cmpint (item, ==, 0);
  SET ("00081115/0/00081155", NULL, "2.25.99");
  SET ("00081115/0/00081150", NULL, "1.2.840.10008.3.1.2.3.1");
#undef SET

  g_assert_true (lacuna_dicom_file_set_bytes (file, "7FE00010", "OW", pixels, sizeof pixels,
                                              &error));
  g_assert_no_error (error);
  return file;
}

static void
test_dicom_new_edit (void)
{
  g_autoptr(LacunaDicomFile) file = build_sample ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *name = NULL;
  g_autofree char *ds = NULL;
  double number = 0;
  int item;

  g_assert_cmpstr (lacuna_dicom_file_get_transfer_syntax (file), ==, "1.2.840.10008.1.2.1");
  g_assert_false (lacuna_dicom_file_has_meta (file));
  g_assert_false (lacuna_dicom_file_charset_failed (file));

  name = lacuna_dicom_file_dup_string (file, "00100010", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (name, ==, "Doe^Jane");
  /* ASCII only: no Specific Character Set was added. */
  g_assert_false (lacuna_dicom_file_has (file, "00080005"));

  g_assert_true (lacuna_dicom_file_get_number (file, "00280010", 0, &number, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (number, ==, 4);
  g_assert_true (lacuna_dicom_file_get_number (file, "00281050", 1, &number, &error));
  g_assert_cmpfloat (number, ==, 200);
  g_assert_true (lacuna_dicom_file_get_number (file, "7FE00010", 3, &number, &error));
  g_assert_cmpfloat (number, ==, 3000);
  g_assert_false (lacuna_dicom_file_get_number (file, "00280010", 1, &number, &error));
  g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (lacuna_dicom_file_get_number (file, "00100010", 0, &number, &error));
  g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID);
  g_clear_error (&error);

  bytes = lacuna_dicom_file_dup_bytes (file, "7FE00010", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, 32);
  g_assert_cmpuint (((const guint16 *) g_bytes_get_data (bytes, NULL))[5], ==, 5000);

  /* Binary values have no text. */
  g_assert_null (lacuna_dicom_file_dup_string (file, "7FE00010", &error));
  g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID);
  g_clear_error (&error);

  /* Sequences. */
  g_assert_cmpuint (lacuna_dicom_file_count_items (file, "00081115"), ==, 1);
  g_assert_cmpuint (lacuna_dicom_file_count_items (file, "00081140"), ==, 0);
  item = lacuna_dicom_file_append_item (file, "00081115", &error);
  g_assert_cmpint (item, ==, 1);
  g_assert_cmpuint (lacuna_dicom_file_count_items (file, "00081115"), ==, 2);
  g_assert_true (lacuna_dicom_file_has (file, "00081115/0/00081155"));
  g_assert_false (lacuna_dicom_file_has (file, "00081115/1/00081155"));
  g_assert_false (lacuna_dicom_file_has (file, "00081115/2/00081155"));
  g_assert_cmpint (lacuna_dicom_file_append_item (file, "00100010", &error), ==, -1);
  g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID);
  g_clear_error (&error);

  /* Errors name the problem. */
  g_assert_false (lacuna_dicom_file_set_string (file, "0010001", NULL, "x", &error));
  g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (lacuna_dicom_file_set_string (file, "00081115/5/00081155", NULL, "1", &error));
  g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (lacuna_dicom_file_set_string (file, "00280010", NULL, "four", &error));
  g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (lacuna_dicom_file_set_string (file, "00100010", "XX", "a", &error));
  g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (lacuna_dicom_file_set_string (file, "00091010", NULL, "a", &error));
  g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (lacuna_dicom_file_set_string (file, "00081115", NULL, "a", &error));
  g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (lacuna_dicom_file_set_string (file, "00100010", NULL, "\xff\xfe", &error));
  g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (lacuna_dicom_file_dup_string (file, "00100030", &error));
  g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (lacuna_dicom_file_set_bytes (file, "7FE00010", "OW", "abc", 3, &error));
  g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID);
  g_clear_error (&error);

  /* A private element with an explicit VR, and numbers as text. */
  g_assert_true (lacuna_dicom_file_set_string (file, "00090010", "LO", "LACUNA TEST", &error));
  g_assert_true (lacuna_dicom_file_set_string (file, "00091001", "DS", "1.5\\-2", &error));
  g_assert_no_error (error);
  ds = lacuna_dicom_file_dup_string (file, "00091001", &error);
  g_assert_cmpstr (ds, ==, "1.5\\-2");
  g_assert_true (lacuna_dicom_file_get_number (file, "00091001", 1, &number, &error));
  g_assert_cmpfloat (number, ==, -2);

  /* Non-ASCII text makes the dataset declare UTF-8. */
  g_assert_true (lacuna_dicom_file_set_string (file, "00100010", NULL, "Müller^Jürgen", &error));
  g_assert_no_error (error);
  g_clear_pointer (&name, g_free);
  name = lacuna_dicom_file_dup_string (file, "00080005", &error);
  g_assert_cmpstr (name, ==, "ISO_IR 192");

  /* Removing. */
  g_assert_true (lacuna_dicom_file_remove (file, "00081115", &error));
  g_assert_false (lacuna_dicom_file_has (file, "00081115"));
  g_assert_false (lacuna_dicom_file_has (file, "00081115/0/00081155"));
  g_assert_true (lacuna_dicom_file_remove (file, "00081115/0/00081155", &error));
  g_assert_true (lacuna_dicom_file_remove (file, "00321032", &error));
  g_assert_no_error (error);
  g_assert_false (lacuna_dicom_file_remove (file, "junk", &error));
  g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID);
}

static void
test_dicom_new_save_roundtrip (void)
{
  g_autoptr(LacunaDicomFile) file = build_sample ();
  g_autoptr(LacunaDicomFile) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = lacuna_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "new.dcm", NULL);
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GBytes) pixels = NULL;

  g_assert_true (lacuna_dicom_file_set_string (file, "00100010", NULL, "Ωmega^Ana", &error));
  g_assert_true (lacuna_dicom_file_save (file, path, NULL, &error));
  g_assert_no_error (error);
  assert_dcmdump_ok (path);

  again = lacuna_dicom_file_open (path, LACUNA_DICOM_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_true (lacuna_dicom_file_has_meta (again));
  g_assert_cmpstr (lacuna_dicom_file_get_transfer_syntax (again), ==, "1.2.840.10008.1.2.1");
  collect (file, &before, NULL);
  collect (again, &after, NULL);
  assert_same_lines (before, after);

  pixels = lacuna_dicom_file_dup_bytes (again, "7FE00010", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (((const guint16 *) g_bytes_get_data (pixels, NULL))[15], ==, 15000);

  {
    g_autofree char *cls = lacuna_dicom_file_dup_string (again, "00020012", &error);
    g_autofree char *ver = lacuna_dicom_file_dup_string (again, "00020013", &error);
    g_autofree char *sop = lacuna_dicom_file_dup_string (again, "00020003", &error);

    g_assert_true (g_str_has_prefix (cls, "2.25."));
    g_assert_cmpstr (ver, ==, "LACUNA_010");
    g_assert_cmpstr (sop, ==, "2.25.1234567890");
  }
}

/* ---------------------------------------------------------------------------------------- */
/* Real files                                                                               */

static const char *const roundtrip_files[] = {
  "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.dcm",
  "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.1.dcm",
  "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.1.99.dcm",
  "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.5.dcm",
  "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.4.80.dcm",
  "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.4.90.dcm",
  "variety/pydicom_debian_test_files/MR_small_bigendian.dcm",
  "variety/multiframe/pydicom-data_eCT_Supplemental_enhancedCT.dcm",
  "variety/sr-pdf-rt/dcmqi_sr-example_sr.dcm",
  "variety/private-tags/orthanc_PrivateMDNTags.dcm",
  "variety/charsets/orthanc_Lena-latin1.dcm",
  "phi-burned-in/presidio_CT_scout/2_ORIGINAL.dicom",
};

static void
test_dicom_real_roundtrip (void)
{
  g_autofree char *dir = NULL;

  if (lacuna_test_get_testdata () == NULL)
    return;
  dir = lacuna_test_make_tmpdir ();

  for (gsize i = 0; i < G_N_ELEMENTS (roundtrip_files); i++)
    {
      g_autoptr(LacunaDicomFile) file = open_testdata (roundtrip_files[i]);
      g_autoptr(LacunaDicomFile) again = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) before = NULL;
      g_autoptr(GPtrArray) paths = NULL;
      g_autoptr(GPtrArray) after = NULL;
      g_autofree char *out = g_strdup_printf ("%s/out-%" G_GSIZE_FORMAT ".dcm", dir, i);
      const char *ts;

      if (file == NULL)
        return;
      g_test_message ("%s", roundtrip_files[i]);
      ts = lacuna_dicom_file_get_transfer_syntax (file);
      collect (file, &before, &paths);
      g_assert_cmpuint (before->len, >, 0);

      /* Every path the walk gives resolves. */
      for (guint j = 0; j < paths->len; j++)
        g_assert_true (lacuna_dicom_file_has (file, g_ptr_array_index (paths, j)));

      g_assert_true (lacuna_dicom_file_save (file, out, ts, &error));
      g_assert_no_error (error);
      assert_dcmdump_ok (out);

      again = lacuna_dicom_file_open (out, LACUNA_DICOM_OPEN_DEFAULT, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (lacuna_dicom_file_get_transfer_syntax (again), ==, ts);
      collect (again, &after, NULL);
      assert_same_lines (before, after);
    }
}

/* Saving into memory gives exactly the bytes a save to a file writes; a copy is
 * independent of its source (an edit of one never shows in the other). */
static void
test_dicom_bytes_and_copy (void)
{
  g_autofree char *dir = NULL;

  if (lacuna_test_get_testdata () == NULL)
    return;
  dir = lacuna_test_make_tmpdir ();

  for (gsize i = 0; i < G_N_ELEMENTS (roundtrip_files); i++)
    {
      g_autoptr(LacunaDicomFile) file = open_testdata (roundtrip_files[i]);
      g_autoptr(LacunaDicomFile) copy = NULL;
      g_autoptr(LacunaDicomFile) reread = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GBytes) copy_bytes = NULL;
      g_autoptr(GPtrArray) before = NULL;
      g_autoptr(GPtrArray) after = NULL;
      g_autofree char *out = g_strdup_printf ("%s/bytes-%" G_GSIZE_FORMAT ".dcm", dir, i);
      g_autofree char *saved = NULL;
      g_autofree char *name = NULL;
      gsize saved_len = 0;
      const char *ts;

      if (file == NULL)
        return;
      g_test_message ("%s", roundtrip_files[i]);
      ts = lacuna_dicom_file_get_transfer_syntax (file);
      copy = lacuna_dicom_file_copy (file, &error);
      g_assert_no_error (error);

      g_assert_true (lacuna_dicom_file_save (file, out, ts, &error));
      g_assert_no_error (error);
      bytes = lacuna_dicom_file_save_to_bytes (file, ts, &error);
      g_assert_no_error (error);
      g_assert_true (g_file_get_contents (out, &saved, &saved_len, NULL));
      g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), saved,
                       saved_len);

      /* The copy, edited, saves what the source would have before the edit … */
      copy_bytes = lacuna_dicom_file_save_to_bytes (copy, ts, &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (bytes, copy_bytes));
      g_assert_true (lacuna_dicom_file_set_string (copy, "00100010", NULL, "COPY^ONLY", &error));
      g_assert_no_error (error);
      g_assert_true (lacuna_dicom_file_remove (copy, "00080018", &error));
      g_assert_no_error (error);
      /* … and the source is untouched by it. */
      name = lacuna_dicom_file_dup_string (file, "00100010", NULL);
      g_assert_cmpstr (name, !=, "COPY^ONLY");
      g_assert_true (lacuna_dicom_file_has (file, "00080018"));

      /* What was saved into memory reads back the same as the source. */
      reread = lacuna_dicom_file_open_bytes (bytes, "bytes", LACUNA_DICOM_OPEN_DEFAULT, &error);
      g_assert_no_error (error);
      collect (file, &before, NULL);
      collect (reread, &after, NULL);
      assert_same_lines (before, after);
    }
}

/* A copy without the top level's private elements holds every other element of the
 * source, and decodes to the same samples (big-endian, compressed and multi-frame sources
 * included): what the export's verification reads from it. */
static void
test_dicom_copy_standard (void)
{
  if (lacuna_test_get_testdata () == NULL)
    return;

  for (gsize i = 0; i < G_N_ELEMENTS (roundtrip_files); i++)
    {
      g_autoptr(LacunaDicomFile) file = open_testdata (roundtrip_files[i]);
      g_autoptr(LacunaDicomFile) copy = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) lines = NULL;
      g_autoptr(GPtrArray) paths = NULL;
      g_autoptr(GPtrArray) copy_lines = NULL;
      g_autoptr(GPtrArray) expected = g_ptr_array_new ();
      LacunaDicomPixelInfo info, copy_info;
      guint n_private = 0;

      if (file == NULL)
        return;
      g_test_message ("%s", roundtrip_files[i]);
      copy = lacuna_dicom_file_copy_standard (file, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (lacuna_dicom_file_get_transfer_syntax (copy), ==,
                       lacuna_dicom_file_get_transfer_syntax (file));

      /* The walk of the copy is the source's without what lies under a private element of
       * the top level. */
      collect (file, &lines, &paths);
      collect (copy, &copy_lines, NULL);
      for (guint k = 0; k < lines->len; k++)
        {
          const char *path = g_ptr_array_index (paths, k);
          guint group = (guint) g_ascii_strtoull (path, NULL, 16) >> 16;

          if (group % 2 == 1)
            n_private++;
          else
            g_ptr_array_add (expected, g_ptr_array_index (lines, k));
        }
      if (strstr (roundtrip_files[i], "private-tags") != NULL)
        g_assert_cmpuint (n_private, >, 0);
      assert_same_lines (expected, copy_lines);

      /* The same pixels. */
      if (!lacuna_dicom_file_get_pixel_info (file, &info, NULL))
        continue;
      g_assert_true (lacuna_dicom_file_get_pixel_info (copy, &copy_info, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (info.n_frames, ==, copy_info.n_frames);
      for (guint f = 0; f < MIN (info.n_frames, 3); f++)
        {
          char pa[24], pb[24];
          g_autoptr(GBytes) a = lacuna_dicom_file_decode_frame (file, f, pa, &error);
          g_autoptr(GBytes) b = NULL;

          g_assert_no_error (error);
          b = lacuna_dicom_file_decode_frame (copy, f, pb, &error);
          g_assert_no_error (error);
          g_assert_cmpstr (pa, ==, pb);
          g_assert_true (g_bytes_equal (a, b));
        }
    }
}

/* Several top-level strings in one pass give what dup_string() gives for each: present,
 * absent, binary (no text), and group 0002 (the meta header). */
static void
test_dicom_top_strings (void)
{
  static const guint32 tags[] = {
    0x00100010, 0x00080018, 0x00200013, 0x00280010, 0x7FE00010, 0x00020010, 0x00080016,
    0x00091001, 0x00200032, 0x00420011, 0x00080060,
  };

  if (lacuna_test_get_testdata () == NULL)
    return;

  for (gsize i = 0; i < G_N_ELEMENTS (roundtrip_files); i++)
    {
      g_autoptr(LacunaDicomFile) file = open_testdata (roundtrip_files[i]);
      char *top[G_N_ELEMENTS (tags)];
      guint n_present = 0;

      if (file == NULL)
        return;
      g_test_message ("%s", roundtrip_files[i]);
      lacuna_dicom_file_dup_top_strings (file, tags, G_N_ELEMENTS (tags), top);
      for (gsize k = 0; k < G_N_ELEMENTS (tags); k++)
        {
          char path[9];
          g_autofree char *one = NULL;

          g_snprintf (path, sizeof path, "%08X", tags[k]);
          one = lacuna_dicom_file_dup_string (file, path, NULL);
          g_assert_cmpstr (top[k], ==, one);
          n_present += top[k] != NULL;
          g_free (top[k]);
        }
      g_assert_cmpuint (n_present, >=, 3);
    }
}

typedef struct
{
  LacunaDicomFile *file;
  guint            n_compared;
} BytesCheck;

static LacunaDicomWalkResult
check_bytes_cb (const LacunaDicomElement *e,
                gpointer                  user_data)
{
  BytesCheck *check = user_data;
  g_autoptr(GError) by_path_error = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) by_path = lacuna_dicom_file_dup_bytes (check->file, e->path, &by_path_error);
  g_autoptr(GBytes) bytes = lacuna_dicom_element_dup_bytes (e, &error);

  /* The walk's element gives what the search by its path gives, or fails alike. */
  g_assert_true ((by_path == NULL) == (bytes == NULL));
  if (bytes != NULL)
    {
      g_assert_true (g_bytes_equal (by_path, bytes));
      check->n_compared++;
    }
  return LACUNA_DICOM_WALK_CONTINUE;
}

static void
test_dicom_element_bytes (void)
{
  if (lacuna_test_get_testdata () == NULL)
    return;

  for (gsize i = 0; i < G_N_ELEMENTS (roundtrip_files); i++)
    {
      g_autoptr(LacunaDicomFile) file = open_testdata (roundtrip_files[i]);
      BytesCheck check = { file, 0 };

      if (file == NULL)
        return;
      g_test_message ("%s", roundtrip_files[i]);
      lacuna_dicom_file_walk (file, TRUE, check_bytes_cb, &check);
      g_assert_cmpuint (check.n_compared, >, 10);
    }
}

static LacunaDicomWalkResult
collect_path_cb (const LacunaDicomElement *e,
                 gpointer                  user_data)
{
  g_hash_table_add (user_data, g_strdup (e->path));
  return LACUNA_DICOM_WALK_CONTINUE;
}

typedef struct
{
  LacunaDicomFile *file;
  GHashTable      *paths;
} HasCheck;

static LacunaDicomWalkResult
check_has_cb (const LacunaDicomElement *e,
              gpointer                  user_data)
{
  HasCheck *check = user_data;
  g_autofree char *after = g_strdup (e->path);
  gsize n = strlen (after);

  g_assert_true (lacuna_dicom_file_has (check->file, e->path));
  /* The next tag number in the same item: found exactly when the walk visited it. */
  g_snprintf (after + n - 8, 9, "%08X", e->tag + 1);
  g_assert_cmpint (lacuna_dicom_file_has (check->file, after), ==,
                   g_hash_table_contains (check->paths, after));
  return LACUNA_DICOM_WALK_CONTINUE;
}

/* Finding an element by path (elements kept in tag order, the search stops at a larger
 * tag): every element a walk visits is found, in the meta header and at any depth, and a
 * path the walk did not visit is not. */
static void
test_dicom_find (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (roundtrip_files); i++)
    {
      g_autoptr(LacunaDicomFile) file = open_testdata (roundtrip_files[i]);
      g_autoptr(GHashTable) paths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                           NULL);
      HasCheck check = { file, paths };

      if (file == NULL)
        return;
      lacuna_dicom_file_walk (file, TRUE, collect_path_cb, paths);
      lacuna_dicom_file_walk (file, TRUE, check_has_cb, &check);
      g_assert_cmpint (lacuna_dicom_file_has (file, "00020010"), ==,
                       lacuna_dicom_file_has_meta (file));
      g_assert_false (lacuna_dicom_file_has (file, "00020099"));
      g_assert_false (lacuna_dicom_file_has (file, "00080001"));
      g_assert_false (lacuna_dicom_file_has (file, "FFFA0000"));
      g_assert_false (lacuna_dicom_file_has (file, "00000000"));
    }
}

static void
add_dicom_files (GPtrArray  *paths,
                 const char *dir)
{
  g_autoptr(GPtrArray) files = lacuna_test_list_files (dir);

  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);

      if (!g_str_has_suffix (path, ".md") && !g_str_has_suffix (path, ".tsv") &&
          !g_str_has_suffix (path, ".txt"))
        g_ptr_array_add (paths, g_strdup (path));
    }
}

static LacunaDicomWalkResult
signature_cb (const LacunaDicomElement *e,
              gpointer                  user_data)
{
  GString *out = user_data;
  g_autoptr(GBytes) bytes = NULL;

  g_string_append_printf (out, "%s %s %u %s |", e->path, e->vr, e->length,
                          e->value != NULL ? e->value : "-");
  if (!e->is_sequence && e->length <= 4096)
    bytes = lacuna_dicom_element_dup_bytes (e, NULL);
  if (bytes != NULL)
    {
      gsize size;
      const guint8 *data = g_bytes_get_data (bytes, &size);

      for (gsize i = 0; i < size; i++)
        g_string_append_printf (out, "%02x", data[i]);
    }
  g_string_append_c (out, '\n');
  return LACUNA_DICOM_WALK_CONTINUE;
}

/* Every element of file: path, VR, length, text and bytes. */
static char *
dataset_signature (LacunaDicomFile *file)
{
  GString *out = g_string_new (NULL);

  lacuna_dicom_file_walk (file, TRUE, signature_cb, out);
  return g_string_free (out, FALSE);
}

/* Opening converts text to UTF-8. Text that is ASCII in an ASCII-compatible character set
 * skips DCMTK's conversion (only (0008,0005) changes): every file of the shared test data
 * opens to the same elements, text and bytes either way (the shortcut turned off for the
 * second), charsets, private tags, sequences and malformed files included. */
static void
test_dicom_charset_ascii (void)
{
  static const char *const dirs[] = { "variety/charsets", "variety/private-tags",
                                      "variety/sr-pdf-rt", "variety/multiframe",
                                      "variety/transfer-syntaxes",
                                      "variety/pydicom_debian_test_files", "phi-header",
                                      "phi-burned-in", "malformed" };
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  guint n_compared = 0, n_shortcuts;
  guint n_before = _lacuna_dicom_get_n_charset_shortcuts ();

  if (lacuna_test_get_testdata () == NULL)
    return;
  for (gsize i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *dir = lacuna_test_dup_testdata (dirs[i]);

      if (dir != NULL)
        add_dicom_files (paths, dir);
    }
  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      g_autoptr(LacunaDicomFile) fast = NULL;
      g_autoptr(LacunaDicomFile) dcmtk = NULL;
      g_autofree char *a = NULL;
      g_autofree char *b = NULL;

      fast = lacuna_dicom_file_open (path, LACUNA_DICOM_OPEN_DEFAULT, NULL);
      _lacuna_dicom_set_charset_shortcut (FALSE);
      dcmtk = lacuna_dicom_file_open (path, LACUNA_DICOM_OPEN_DEFAULT, NULL);
      _lacuna_dicom_set_charset_shortcut (TRUE);
      g_assert_true ((fast == NULL) == (dcmtk == NULL));
      if (fast == NULL)
        continue;
      g_assert_cmpint (lacuna_dicom_file_charset_failed (fast), ==,
                       lacuna_dicom_file_charset_failed (dcmtk));
      a = dataset_signature (fast);
      b = dataset_signature (dcmtk);
      if (strcmp (a, b) != 0)
        g_test_message ("%s: the two ways differ", path);
      g_assert_true (strcmp (a, b) == 0);
      n_compared++;
    }
  n_shortcuts = _lacuna_dicom_get_n_charset_shortcuts () - n_before;
  g_test_message ("%u files compared, %u opened without DCMTK's conversion", n_compared,
                  n_shortcuts);
  g_assert_cmpuint (n_compared, >, 0);
  /* Most test files are ASCII: the comparison is of the shortcut, not of DCMTK twice. */
  g_assert_cmpuint (n_shortcuts, >, n_compared / 2);
}

typedef struct
{
  LacunaDicomFile *file;
  gboolean         text_only;
  guint            n_values;
} TextCheck;

static LacunaDicomWalkResult
check_text_cb (const LacunaDicomElement *e,
               gpointer                  user_data)
{
  TextCheck *check = user_data;
  g_autofree char *text = lacuna_dicom_element_dup_text (check->file, e, check->text_only);

  g_assert_cmpstr (text, ==, e->value);
  check->n_values += text != NULL;
  return LACUNA_DICOM_WALK_CONTINUE;
}

/* lacuna_dicom_element_dup_text() gives what the walk gives as the value, with and without
 * LACUNA_DICOM_WALK_TEXT_ONLY: every element of real files, in several character sets. */
static void
test_dicom_element_text (void)
{
  g_autofree char *charsets = lacuna_test_dup_testdata ("variety/charsets");
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  if (charsets == NULL)
    return;
  for (gsize i = 0; i < G_N_ELEMENTS (roundtrip_files); i++)
    g_ptr_array_add (paths, lacuna_test_dup_testdata (roundtrip_files[i]));
  {
    g_autoptr(GPtrArray) more = lacuna_test_list_files (charsets);

    for (guint i = 0; i < more->len; i++)
      g_ptr_array_add (paths, g_strdup (g_ptr_array_index (more, i)));
  }
  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      g_autoptr(GError) error = NULL;
      g_autoptr(LacunaDicomFile) file = lacuna_dicom_file_open (path, LACUNA_DICOM_OPEN_DEFAULT,
                                                                &error);
      TextCheck all = { file, FALSE, 0 };
      TextCheck text = { file, TRUE, 0 };

      if (file == NULL)
        continue;   /* the charset set holds files that are not DICOM */
      lacuna_dicom_file_walk_full (file, LACUNA_DICOM_WALK_META, check_text_cb, &all);
      lacuna_dicom_file_walk_full (file, LACUNA_DICOM_WALK_META | LACUNA_DICOM_WALK_TEXT_ONLY,
                                   check_text_cb, &text);
      g_assert_cmpuint (all.n_values, >, 5);
      g_assert_cmpuint (text.n_values, >, 5);
      g_assert_cmpuint (text.n_values, <, all.n_values);
    }
}

typedef struct
{
  LacunaDicomFile *file;
  guint            n_checked;
} StringCheck;

static LacunaDicomWalkResult
check_string_cb (const LacunaDicomElement *e,
                 gpointer                  user_data)
{
  StringCheck *check = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *s = NULL;

  if (e->is_sequence)
    {
      g_assert_null (e->value);
      g_assert_cmpuint (e->n_items, ==, lacuna_dicom_file_count_items (check->file, e->path));
      return LACUNA_DICOM_WALK_CONTINUE;
    }
  g_assert_cmpuint (e->tag, ==, lacuna_dicom_path_last_tag (e->path));
  g_assert_cmpint (e->is_private, ==, (e->tag >> 16) % 2 == 1);
  if (strstr ("AE AS CS DA DS DT IS LO LT PN SH ST TM UC UI UR UT", e->vr) == NULL)
    return LACUNA_DICOM_WALK_CONTINUE;

  /* Walk values and dup_string agree (both UTF-8, trailing padding removed). */
  s = lacuna_dicom_file_dup_string (check->file, e->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (e->value);
  g_assert_true (g_utf8_validate (s, -1, NULL));
  g_assert_true (g_str_has_prefix (e->value, s));
  check->n_checked++;
  return LACUNA_DICOM_WALK_CONTINUE;
}

static void
test_dicom_walk_values (void)
{
  static const char *const files[] = {
    "variety/multiframe/pydicom-data_eCT_Supplemental_enhancedCT.dcm",
    "variety/private-tags/orthanc_PrivateMDNTags.dcm",
    "variety/pydicom_debian_test_files/nested_priv_SQ.dcm",
    "variety/pydicom_debian_test_files/rtplan.dcm",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autoptr(LacunaDicomFile) file = open_testdata (files[i]);
      StringCheck check = { file, 0 };

      if (file == NULL)
        return;
      lacuna_dicom_file_walk (file, TRUE, check_string_cb, &check);
      g_assert_cmpuint (check.n_checked, >, 2);
    }
}

/* Top-level tags of a file, in order. */
static LacunaDicomWalkResult
top_tags_cb (const LacunaDicomElement *e,
             gpointer                  user_data)
{
  if (e->depth == 0)
    g_array_append_val ((GArray *) user_data, e->tag);
  return e->is_sequence ? LACUNA_DICOM_WALK_SKIP_CHILDREN : LACUNA_DICOM_WALK_CONTINUE;
}

/* Removing many tags in one pass leaves what removing them one by one leaves: every
 * other top-level element, on real files (with sequences and private elements); a tag
 * the file lacks, and one of the meta header, too. */
static void
test_dicom_remove_tags (void)
{
  static const char *const files[] = {
    "variety/private-tags/orthanc_PrivateMDNTags.dcm",
    "variety/pydicom_debian_test_files/rtplan.dcm",
    "variety/pydicom_debian_test_files/CT_small.dcm",
    "variety/pydicom_debian_test_files/ExplVR_BigEndNoMeta.dcm",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autoptr(LacunaDicomFile) batch = open_testdata (files[i]);
      g_autoptr(LacunaDicomFile) single = NULL;
      g_autoptr(GArray) tags = g_array_new (FALSE, FALSE, sizeof (guint32));
      g_autoptr(GArray) removed = g_array_new (FALSE, FALSE, sizeof (guint32));
      g_autoptr(GArray) left_batch = g_array_new (FALSE, FALSE, sizeof (guint32));
      g_autoptr(GArray) left_single = g_array_new (FALSE, FALSE, sizeof (guint32));
      g_autoptr(GError) error = NULL;
      guint32 extra[] = { 0x00091099, 0x00020013 };

      if (batch == NULL)
        return;
      single = lacuna_dicom_file_copy (batch, &error);
      g_assert_no_error (error);
      lacuna_dicom_file_walk (batch, FALSE, top_tags_cb, tags);
      g_assert_cmpuint (tags->len, >, 4);
      /* Every other element, the last one (Pixel Data, or whatever ends it) included. */
      for (guint k = 0; k < tags->len; k += 2)
        g_array_append_val (removed, g_array_index (tags, guint32, k));
      g_array_append_vals (removed, extra, G_N_ELEMENTS (extra));

      g_assert_true (lacuna_dicom_file_remove_tags (batch, (const guint32 *) removed->data,
                                                    removed->len, &error));
      g_assert_no_error (error);
      for (guint k = 0; k < removed->len; k++)
        {
          char path[9];

          g_snprintf (path, sizeof path, "%08X", g_array_index (removed, guint32, k));
          g_assert_true (lacuna_dicom_file_remove (single, path, &error));
          g_assert_no_error (error);
        }
      lacuna_dicom_file_walk (batch, TRUE, top_tags_cb, left_batch);
      lacuna_dicom_file_walk (single, TRUE, top_tags_cb, left_single);
      g_assert_cmpuint (left_batch->len, ==, left_single->len);
      g_assert_cmpmem (left_batch->data, left_batch->len * sizeof (guint32),
                       left_single->data, left_single->len * sizeof (guint32));
      g_assert_false (lacuna_dicom_file_has (batch, "00020013"));
    }
}

typedef struct
{
  guint n_wanted;
  guint n_values;
  guint n_unwanted_values;
} WantCheck;

static gboolean
want_person_names (guint32     tag,
                   const char *vr,
                   gpointer    user_data)
{
  WantCheck *check = user_data;

  check->n_wanted += strcmp (vr, "PN") == 0;
  return strcmp (vr, "PN") == 0;
}

static LacunaDicomWalkResult
count_values_cb (const LacunaDicomElement *e,
                 gpointer                  user_data)
{
  WantCheck *check = user_data;

  if (e->value != NULL && strcmp (e->vr, "PN") == 0)
    check->n_values++;
  else if (e->value != NULL)
    check->n_unwanted_values++;
  return LACUNA_DICOM_WALK_CONTINUE;
}

/* walk_some gives the values its predicate asks for, and only those. */
static void
test_dicom_walk_some (void)
{
  g_autoptr(LacunaDicomFile) file = open_testdata ("variety/pydicom_debian_test_files/rtplan.dcm");
  WantCheck check = { 0 };

  if (file == NULL)
    return;
  lacuna_dicom_file_walk_some (file, LACUNA_DICOM_WALK_DEFAULT, want_person_names,
                               count_values_cb, &check);
  g_assert_cmpuint (check.n_wanted, >, 0);
  g_assert_cmpuint (check.n_values, ==, check.n_wanted);
  g_assert_cmpuint (check.n_unwanted_values, ==, 0);
}

static LacunaDicomWalkResult
collect_vm_cb (const LacunaDicomElement *e,
               gpointer                  user_data)
{
  GPtrArray *lines = user_data;

  g_ptr_array_add (lines, g_strdup_printf ("%s %s %u %s", e->path, e->vr,
                                           e->is_sequence ? G_MAXUINT : e->vm,
                                           e->value != NULL ? e->value : "(null)"));
  return LACUNA_DICOM_WALK_CONTINUE;
}

/* Without value counts, a walk gives the same elements and values, and vm 0. */
static void
test_dicom_walk_no_vm (void)
{
  g_autoptr(LacunaDicomFile) file = open_testdata ("variety/pydicom_debian_test_files/rtplan.dcm");
  g_autoptr(GPtrArray) counted = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) uncounted = g_ptr_array_new_with_free_func (g_free);
  guint n_counted = 0;

  if (file == NULL)
    return;
  lacuna_dicom_file_walk_full (file, LACUNA_DICOM_WALK_META, collect_vm_cb, counted);
  lacuna_dicom_file_walk_full (file, LACUNA_DICOM_WALK_META | LACUNA_DICOM_WALK_NO_VM,
                               collect_vm_cb, uncounted);
  g_assert_cmpuint (counted->len, ==, uncounted->len);
  for (guint i = 0; i < counted->len; i++)
    {
      g_auto(GStrv) a = g_strsplit (g_ptr_array_index (counted, i), " ", 4);
      g_auto(GStrv) b = g_strsplit (g_ptr_array_index (uncounted, i), " ", 4);

      g_assert_cmpstr (a[0], ==, b[0]);
      g_assert_cmpstr (a[1], ==, b[1]);
      g_assert_cmpstr (a[3], ==, b[3]);
      if (g_strcmp0 (a[2], "4294967295") == 0)
        g_assert_cmpstr (b[2], ==, a[2]);
      else
        {
          g_assert_cmpstr (b[2], ==, "0");
          n_counted += strcmp (a[2], "0") != 0;
        }
    }
  g_assert_cmpuint (n_counted, >, 10);
}

static LacunaDicomWalkResult
find_private_cb (const LacunaDicomElement *e,
                 gpointer                  user_data)
{
  guint *n = user_data;

  if (e->is_private && (e->tag & 0xFF00) != 0 && e->private_creator != NULL)
    (*n)++;
  return LACUNA_DICOM_WALK_CONTINUE;
}

static void
test_dicom_private_creator (void)
{
  g_autoptr(LacunaDicomFile) file = open_testdata ("variety/private-tags/orthanc_PrivateMDNTags.dcm");
  guint n = 0;

  if (file == NULL)
    return;
  lacuna_dicom_file_walk (file, FALSE, find_private_cb, &n);
  g_assert_cmpuint (n, >, 0);
}

static LacunaDicomWalkResult
stop_after_three_cb (const LacunaDicomElement *e,
                     gpointer                  user_data)
{
  guint *n = user_data;

  g_assert_cmpuint (e->depth, ==, 0);
  return ++(*n) == 3 ? LACUNA_DICOM_WALK_STOP
                     : (e->is_sequence ? LACUNA_DICOM_WALK_SKIP_CHILDREN : LACUNA_DICOM_WALK_CONTINUE);
}

static LacunaDicomWalkResult
meta_first_cb (const LacunaDicomElement *e,
               gpointer                  user_data)
{
  GPtrArray *tags = user_data;

  g_ptr_array_add (tags, GUINT_TO_POINTER (e->tag));
  return LACUNA_DICOM_WALK_SKIP_CHILDREN;
}

static void
test_dicom_walk_control (void)
{
  g_autoptr(LacunaDicomFile) file = open_testdata ("variety/sr-pdf-rt/dcmqi_sr-example_sr.dcm");
  g_autoptr(GPtrArray) tags = g_ptr_array_new ();
  guint n = 0;

  if (file == NULL)
    return;
  lacuna_dicom_file_walk (file, FALSE, stop_after_three_cb, &n);
  g_assert_cmpuint (n, ==, 3);

  lacuna_dicom_file_walk (file, TRUE, meta_first_cb, tags);
  g_assert_cmphex (GPOINTER_TO_UINT (g_ptr_array_index (tags, 0)) >> 16, ==, 0x0002);
  for (guint i = 1; i < tags->len; i++)
    g_assert_cmphex (GPOINTER_TO_UINT (g_ptr_array_index (tags, i)), >,
                     GPOINTER_TO_UINT (g_ptr_array_index (tags, i - 1)));
}

static void
test_dicom_decompress_save (void)
{
  g_autoptr(LacunaDicomFile) file = open_testdata ("variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.4.80.dcm");
  g_autoptr(LacunaDicomFile) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *out = NULL;
  g_autofree char *rle = NULL;
  g_autoptr(GBytes) pixels = NULL;
  g_autoptr(GBytes) pixels_rle = NULL;

  if (file == NULL)
    return;
  dir = lacuna_test_make_tmpdir ();
  out = g_build_filename (dir, "plain.dcm", NULL);
  rle = g_build_filename (dir, "rle.dcm", NULL);

  g_assert_true (lacuna_dicom_file_save (file, out, NULL, &error));
  g_assert_no_error (error);
  assert_dcmdump_ok (out);
  again = lacuna_dicom_file_open (out, LACUNA_DICOM_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lacuna_dicom_file_get_transfer_syntax (again), ==, "1.2.840.10008.1.2.1");
  pixels = lacuna_dicom_file_dup_bytes (again, "7FE00010", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (pixels), >, 0);

  /* Re-encode losslessly with RLE, then back: the same samples. */
  g_assert_true (lacuna_dicom_file_save (again, rle, "1.2.840.10008.1.2.5", &error));
  g_assert_no_error (error);
  g_clear_pointer (&again, lacuna_dicom_file_free);
  again = lacuna_dicom_file_open (rle, LACUNA_DICOM_OPEN_DEFAULT, &error);
  g_assert_cmpstr (lacuna_dicom_file_get_transfer_syntax (again), ==, "1.2.840.10008.1.2.5");
  g_assert_true (lacuna_dicom_file_save (again, out, NULL, &error));
  g_clear_pointer (&again, lacuna_dicom_file_free);
  again = lacuna_dicom_file_open (out, LACUNA_DICOM_OPEN_DEFAULT, &error);
  pixels_rle = lacuna_dicom_file_dup_bytes (again, "7FE00010", &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (pixels, pixels_rle));

  /* Lossy targets are refused. */
  g_assert_false (lacuna_dicom_file_save (again, out, "1.2.840.10008.1.2.4.50", &error));
  g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  g_assert_false (lacuna_dicom_file_save (again, out, "1.2.3.4", &error));
  g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED);
}

static void
test_dicom_unsupported_save (void)
{
  static const char *const files[] = {
    "variety/transfer-syntaxes/pydicom-data_HTJ2K_08_RGB.dcm",
    "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.4.91.dcm",
  };
  g_autofree char *dir = NULL;

  if (lacuna_test_get_testdata () == NULL)
    return;
  dir = lacuna_test_make_tmpdir ();
  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autoptr(LacunaDicomFile) file = open_testdata (files[i]);
      g_autoptr(GError) error = NULL;
      g_autofree char *out = g_build_filename (dir, "x.dcm", NULL);

      if (file == NULL)
        return;
      /* JPEG 2000 / HTJ2K cannot be decoded through DCMTK for writing (yet). */
      g_assert_false (lacuna_dicom_file_save (file, out, NULL, &error));
      g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED);
    }
}

static void
test_dicom_htj2k_syntax (void)
{
  g_autoptr(LacunaDicomFile) file = open_testdata ("variety/transfer-syntaxes/pydicom-data_HTJ2K_08_RGB.dcm");

  if (file == NULL)
    return;
  /* DCMTK 3.6.7 reads it as Explicit VR LE; we report the UID of the meta header. */
  g_assert_cmpstr (lacuna_dicom_file_get_transfer_syntax (file), ==, "1.2.840.10008.1.2.4.203");
}

/* An "MZ" preamble (a PE executable posing as DICOM, CVE-2019-11687) is not carried over. */
static void
test_dicom_preamble_zeroed (void)
{
  g_autofree char *src = lacuna_test_dup_testdata ("variety/pydicom_debian_test_files/CT_small.dcm");
  g_autofree char *dir = NULL;
  g_autofree char *in = NULL;
  g_autofree char *out = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *after_in = NULL;
  g_autofree char *saved = NULL;
  g_autoptr(LacunaDicomFile) file = NULL;
  g_autoptr(GError) error = NULL;
  gsize len, len_after, saved_len;

  if (src == NULL)
    return;
  dir = lacuna_test_make_tmpdir ();
  in = g_build_filename (dir, "mz.dcm", NULL);
  out = g_build_filename (dir, "clean.dcm", NULL);

  g_assert_true (g_file_get_contents (src, &contents, &len, &error));
  g_assert_true (len > 132 && memcmp (contents + 128, "DICM", 4) == 0);
  memcpy (contents, "MZ\x90\x00\x03\x00\x00\x00This program cannot be run in DOS mode", 46);
  g_assert_true (g_file_set_contents (in, contents, len, &error));

  file = lacuna_dicom_file_open (in, LACUNA_DICOM_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_true (lacuna_dicom_file_save (file, out, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (g_file_get_contents (out, &saved, &saved_len, &error));
  g_assert_cmpuint (saved_len, >, 132);
  for (int i = 0; i < 128; i++)
    g_assert_cmpint (saved[i], ==, 0);
  g_assert_cmpmem (saved + 128, 4, "DICM", 4);
  assert_dcmdump_ok (out);

  /* The input is untouched. */
  g_assert_true (g_file_get_contents (in, &after_in, &len_after, &error));
  g_assert_cmpmem (after_in, len_after, contents, len);
}

static void
test_dicom_not_dicom (void)
{
  static const guint8 png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H',
                                'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 0x90, 0x77,
                                0x53, 0xde };
  g_autofree char *dir = lacuna_test_make_tmpdir ();
  g_autofree char *text = g_build_filename (dir, "notes.txt", NULL);
  g_autofree char *image = g_build_filename (dir, "image.png", NULL);
  g_autofree char *empty = g_build_filename (dir, "empty", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.dcm", NULL);
  const char *const paths[] = { text, image, empty };
  g_autoptr(GError) error = NULL;
  const char *lorem = "This is not a DICOM file, just some notes about a patient.\n";

  g_assert_true (g_file_set_contents (text, lorem, -1, NULL));
  g_assert_true (g_file_set_contents (image, (const char *) png, sizeof png, NULL));
  g_assert_true (g_file_set_contents (empty, "", 0, NULL));

  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(LacunaDicomFile) file = lacuna_dicom_file_open (paths[i], 0, &error);

      g_assert_null (file);
      g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_NOT_DICOM);
      g_assert_cmpstr (error->message, ==, "not a DICOM file");
      g_clear_error (&error);
    }

  {
    g_autoptr(GBytes) bytes = g_bytes_new_static (lorem, strlen (lorem));
    g_autoptr(LacunaDicomFile) file = lacuna_dicom_file_open_bytes (bytes, "notes.txt", 0, &error);

    g_assert_null (file);
    g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_NOT_DICOM);
    g_clear_error (&error);
  }

  g_assert_null (lacuna_dicom_file_open (missing, 0, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

/* Strips preamble and meta header from a real file: a bare dataset still opens. */
static void
check_bare (const char *relative,
            const char *expected_ts)
{
  g_autofree char *src = lacuna_test_dup_testdata (relative);
  g_autofree char *dir = NULL;
  g_autofree char *bare = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(LacunaDicomFile) orig = NULL;
  g_autoptr(LacunaDicomFile) file = NULL;
  g_autoptr(LacunaDicomFile) from_bytes = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) a = NULL;
  g_autoptr(GPtrArray) b = NULL;
  g_autoptr(GPtrArray) c = NULL;
  gsize len, off;
  guint32 group_length;

  if (src == NULL)
    return;
  dir = lacuna_test_make_tmpdir ();
  bare = g_build_filename (dir, "bare", NULL);
  g_assert_true (g_file_get_contents (src, &contents, &len, &error));
  g_assert_cmpmem (contents + 128, 4, "DICM", 4);
  /* (0002,0000) UL, explicit VR LE: tag 4 + VR 2 + length 2 + value 4. */
  g_assert_cmpmem (contents + 132, 6, "\x02\x00\x00\x00UL", 6);
  memcpy (&group_length, contents + 140, 4);
  group_length = GUINT32_FROM_LE (group_length);
  off = 144 + group_length;
  g_assert_cmpuint (off, <, len);
  g_assert_true (g_file_set_contents (bare, contents + off, len - off, &error));

  orig = lacuna_dicom_file_open (src, 0, &error);
  g_assert_no_error (error);
  file = lacuna_dicom_file_open (bare, 0, &error);
  g_assert_no_error (error);
  g_assert_false (lacuna_dicom_file_has_meta (file));
  g_assert_cmpstr (lacuna_dicom_file_get_transfer_syntax (file), ==, expected_ts);

  bytes = g_bytes_new (contents + off, len - off);
  from_bytes = lacuna_dicom_file_open_bytes (bytes, "bare", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lacuna_dicom_file_get_transfer_syntax (from_bytes), ==, expected_ts);

  collect (orig, &a, NULL);
  collect (file, &b, NULL);
  collect (from_bytes, &c, NULL);
  assert_same_lines (a, b);
  assert_same_lines (a, c);
}

static void
test_dicom_bare_dataset (void)
{
  check_bare ("variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.1.dcm", "1.2.840.10008.1.2.1");
  check_bare ("variety/pydicom_debian_test_files/MR_small_implicit.dcm", "1.2.840.10008.1.2");
  check_bare ("variety/pydicom_debian_test_files/MR_small_bigendian.dcm", "1.2.840.10008.1.2.2");
}

/* A file opened from bytes leaves its Pixel Data there: the read-only peek points into the
 * bytes (no copy), at the samples the writable peek of the same file gives after reading
 * them in; the file keeps the bytes alive. */
static void
test_dicom_peek_readonly (void)
{
  g_autofree char *src = lacuna_test_dup_testdata ("variety/pydicom_debian_test_files/CT_small.dcm");
  g_autoptr(LacunaDicomFile) file = NULL;
  g_autoptr(LacunaDicomFile) from_bytes = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *start, *lazy;
  guint8 *loaded;
  gsize size, frame_size = 0, loaded_size = 0;
  guint n_frames = 0, loaded_frames = 0;

  if (src == NULL)
    return;
  file = lacuna_dicom_file_open (src, 0, &error);
  g_assert_no_error (error);
  bytes = lacuna_dicom_file_save_to_bytes (file, NULL, &error);
  g_assert_no_error (error);
  start = g_bytes_get_data (bytes, &size);
  from_bytes = lacuna_dicom_file_open_bytes (bytes, "saved", 0, &error);
  g_assert_no_error (error);
  g_clear_pointer (&bytes, g_bytes_unref);   /* the file holds them */

  lazy = lacuna_dicom_file_peek_native_pixels_readonly (from_bytes, &frame_size, &n_frames);
  g_assert_nonnull (lazy);
  g_assert_true (lazy > start && lazy + frame_size * n_frames <= start + size);
  loaded = lacuna_dicom_file_peek_native_pixels (file, &loaded_size, &loaded_frames);
  g_assert_nonnull (loaded);
  g_assert_cmpuint (frame_size, ==, loaded_size);
  g_assert_cmpuint (n_frames, ==, loaded_frames);
  g_assert_cmpmem (lazy, frame_size * n_frames, loaded, loaded_size * loaded_frames);
}

static void
test_dicom_open_bytes (void)
{
  g_autofree char *src = lacuna_test_dup_testdata ("variety/multiframe/pydicom-data_eCT_Supplemental_enhancedCT.dcm");
  g_autofree char *contents = NULL;
  g_autoptr(LacunaDicomFile) file = NULL;
  g_autoptr(LacunaDicomFile) from_bytes = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) px1 = NULL;
  g_autoptr(GBytes) px2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) a = NULL;
  g_autoptr(GPtrArray) b = NULL;
  gsize len;

  if (src == NULL)
    return;
  g_assert_true (g_file_get_contents (src, &contents, &len, &error));
  bytes = g_bytes_new_take (g_steal_pointer (&contents), len);
  file = lacuna_dicom_file_open (src, 0, &error);
  g_assert_no_error (error);
  from_bytes = lacuna_dicom_file_open_bytes (bytes, "member.dcm", 0, &error);
  g_assert_no_error (error);
  g_assert_true (lacuna_dicom_file_has_meta (from_bytes));
  collect (file, &a, NULL);
  collect (from_bytes, &b, NULL);
  assert_same_lines (a, b);
  px1 = lacuna_dicom_file_dup_bytes (file, "7FE00010", &error);
  g_assert_no_error (error);
  px2 = lacuna_dicom_file_dup_bytes (from_bytes, "7FE00010", &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (px1, px2));
}

static void
test_dicom_header_only (void)
{
  g_autofree char *src = lacuna_test_dup_testdata ("variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.1.dcm");
  g_autofree char *dir = NULL;
  g_autofree char *out = NULL;
  g_autoptr(LacunaDicomFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;

  if (src == NULL)
    return;
  dir = lacuna_test_make_tmpdir ();
  out = g_build_filename (dir, "x.dcm", NULL);
  file = lacuna_dicom_file_open (src, LACUNA_DICOM_OPEN_HEADER_ONLY, &error);
  g_assert_no_error (error);
  g_assert_false (lacuna_dicom_file_has (file, "7FE00010"));
  name = lacuna_dicom_file_dup_string (file, "00100010", &error);
  g_assert_no_error (error);
  g_assert_false (lacuna_dicom_file_save (file, out, NULL, &error));
  g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_FAILED);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
}

/* pydicom's MR_truncated.dcm: Pixel Data runs past the end. The header is still read. */
static void
test_dicom_truncated_pixels (void)
{
  g_autoptr(LacunaDicomFile) file = open_testdata ("variety/pydicom_debian_test_files/MR_truncated.dcm");
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;

  if (file == NULL)
    return;
  name = lacuna_dicom_file_dup_string (file, "00100010", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (name, ==, "CompressedSamples^MR1");
  g_assert_false (lacuna_dicom_file_has (file, "7FE00010"));
}

/* Data that ends inside an element: the same error whether it is read from a file or
 * from bytes, and one that says the data ends too soon. */
static void
test_dicom_premature_end (void)
{
  g_autofree char *src = lacuna_test_dup_testdata ("variety/pydicom_debian_test_files/SC_rgb_jpeg.dcm");
  g_autofree char *contents = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) from_file = NULL;
  g_autoptr(GError) from_bytes = NULL;
  gsize len = 0;

  if (src == NULL)
    return;
  g_assert_null (lacuna_dicom_file_open (src, LACUNA_DICOM_OPEN_DEFAULT, &from_file));
  g_assert_error (from_file, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_PARSE);
  g_assert_nonnull (strstr (from_file->message, "premature end"));

  g_assert_true (g_file_get_contents (src, &contents, &len, NULL));
  bytes = g_bytes_new_take (g_steal_pointer (&contents), len);
  g_assert_null (lacuna_dicom_file_open_bytes (bytes, "member", LACUNA_DICOM_OPEN_DEFAULT,
                                               &from_bytes));
  g_assert_error (from_bytes, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_PARSE);
  g_assert_cmpstr (from_bytes->message, ==, from_file->message);
}

/* ---------------------------------------------------------------------------------------- */
/* DICOMDIR                                                                                 */

static void
make_fileset_member (const char *root,
                     const char *id,
                     const char *patient_id,
                     const char *study_date,
                     const char *sop_uid)
{
  g_autoptr(LacunaDicomFile) file = build_sample ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (root, id, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
  g_assert_true (lacuna_dicom_file_set_string (file, "00080018", NULL, sop_uid, &error));
  if (patient_id != NULL)
    g_assert_true (lacuna_dicom_file_set_string (file, "00100020", NULL, patient_id, &error));
  else
    g_assert_true (lacuna_dicom_file_remove (file, "00100020", &error));
  if (study_date != NULL)
    g_assert_true (lacuna_dicom_file_set_string (file, "00080020", NULL, study_date, &error));
  else
    g_assert_true (lacuna_dicom_file_set_string (file, "00080020", NULL, "", &error));
  g_assert_true (lacuna_dicom_file_set_string (file, "00080030", NULL, "101010", &error));
  g_assert_true (lacuna_dicom_file_set_string (file, "00200010", NULL, "1", &error));
  g_assert_true (lacuna_dicom_file_set_string (file, "00200011", NULL, "1", &error));
  g_assert_true (lacuna_dicom_file_save (file, path, NULL, &error));
  g_assert_no_error (error);
}

static guint
count_files (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (d != NULL && g_dir_read_name (d) != NULL)
    n++;
  return n;
}

static void
test_dicom_dicomdir (void)
{
  g_autofree char *root = lacuna_test_make_tmpdir ();
  g_autofree char *dicomdir = g_build_filename (root, "DICOMDIR", NULL);
  const char *const ids[] = { "LACUNA/S0001/I0001", "LACUNA/S0001/I0002", NULL };
  const char *const bad_ids[] = { "LACUNA/S0001/I0001", "LACUNA/S0002/I0001", NULL };
  const char *const invalid_ids[] = { "lacuna/img1.dcm", NULL };
  g_autoptr(GError) error = NULL;

  make_fileset_member (root, ids[0], "LAC-0001", "20240115", "2.25.101");
  make_fileset_member (root, ids[1], "LAC-0001", "20240115", "2.25.102");
  make_fileset_member (root, bad_ids[1], NULL, "20240115", "2.25.103");

  g_assert_true (lacuna_dicom_write_dicomdir (root, "LACUNA_TEST", ids, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (dicomdir, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (count_files (root), ==, 2);   /* LACUNA/ and DICOMDIR, no temporary */
  assert_dcmdump_ok (dicomdir);

  {
    const char *argv[] = { "dcmdump", "-q", dicomdir, NULL };
    g_autofree char *out = NULL;

    if (lacuna_test_require_program ("dcmdump", "dcmtk"))
      {
        g_assert_cmpint (lacuna_test_run (argv, &out, NULL), ==, 0);
        g_assert_nonnull (strstr (out, "LACUNA\\S0001\\I0002"));
        g_assert_nonnull (strstr (out, "[PATIENT]"));
        g_assert_nonnull (strstr (out, "[LACUNA_TEST]"));
      }
  }

  /* No Patient ID: refused, naming the attribute; the old DICOMDIR stays. */
  g_assert_false (lacuna_dicom_write_dicomdir (root, "LACUNA_TEST", bad_ids, &error));
  g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "(0010,0020) PatientID"));
  g_clear_error (&error);
  g_assert_cmpuint (count_files (root), ==, 2);

  g_assert_false (lacuna_dicom_write_dicomdir (root, "LACUNA_TEST", invalid_ids, &error));
  g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID);
  g_clear_error (&error);

  {
    g_autofree char *root2 = lacuna_test_make_tmpdir ();
    const char *const ids2[] = { "A/I1", NULL };

    make_fileset_member (root2, ids2[0], "LAC-0002", NULL, "2.25.104");
    g_assert_false (lacuna_dicom_write_dicomdir (root2, NULL, ids2, &error));
    g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, "(0008,0020) StudyDate"));
    g_assert_cmpuint (count_files (root2), ==, 1);
  }
}

/* Writes the DICOMDIR of ids twice, through DCMTK's DicomDirInterface alone and through
 * Lacuna's linear path (which builds all but the first image of a series with DCMTK's own
 * record builder), and checks that the two are the same bytes. */
static void
assert_dicomdir_same_as_dcmtk (const char         *root,
                               const char * const *ids)
{
  g_autofree char *path = g_build_filename (root, "DICOMDIR", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *reference = NULL;
  g_autofree char *fast = NULL;
  gsize reference_len = 0;
  gsize fast_len = 0;
  gboolean written;

  g_setenv ("LACUNA_DICOMDIR_DCMTK_ONLY", "1", TRUE);
  written = lacuna_dicom_write_dicomdir (root, "LACUNA_TEST", ids, &error);
  g_unsetenv ("LACUNA_DICOMDIR_DCMTK_ONLY");
  g_assert_no_error (error);
  g_assert_true (written);
  g_assert_true (g_file_get_contents (path, &reference, &reference_len, NULL));

  g_assert_true (lacuna_dicom_write_dicomdir (root, "LACUNA_TEST", ids, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &fast, &fast_len, NULL));

  g_assert_cmpmem (fast, fast_len, reference, reference_len);
  assert_dcmdump_ok (path);
}

static void
make_series_member (const char *root,
                    const char *id,
                    const char *study_uid,
                    const char *series_uid,
                    const char *sop_uid,
                    const char *sop_class,
                    const char *instance_number)
{
  g_autoptr(LacunaDicomFile) file = build_sample ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (root, id, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
  if (study_uid != NULL)
    g_assert_true (lacuna_dicom_file_set_string (file, "0020000D", NULL, study_uid, &error));
  g_assert_true (lacuna_dicom_file_set_string (file, "0020000E", NULL, series_uid, &error));
  g_assert_true (lacuna_dicom_file_set_string (file, "00080018", NULL, sop_uid, &error));
  g_assert_true (lacuna_dicom_file_set_string (file, "00080016", NULL, sop_class, &error));
  if (instance_number != NULL)
    g_assert_true (lacuna_dicom_file_set_string (file, "00200013", NULL, instance_number,
                                                 &error));
  else
    g_assert_true (lacuna_dicom_file_remove (file, "00200013", &error));
  g_assert_true (lacuna_dicom_file_set_string (file, "00080030", NULL, "101010", &error));
  g_assert_true (lacuna_dicom_file_set_string (file, "00200010", NULL, "1", &error));
  g_assert_true (lacuna_dicom_file_set_string (file, "00200011", NULL, "1", &error));
  g_assert_true (lacuna_dicom_file_save (file, path, NULL, &error));
  g_assert_no_error (error);
}

/* Records in the order DicomDirInterface gives them: by Instance Number, ties in the
 * order the files came; two SOP classes in a series; a series UID reused in another study.
 * A file DCMTK refuses (no Instance Number) is refused on the linear path too. */
static void
test_dicom_dicomdir_order (void)
{
  g_autofree char *root = lacuna_test_make_tmpdir ();
  static const struct
  {
    const char *id;
    const char *study;     /* NULL: the sample's */
    const char *series;
    const char *sop_class;
    const char *number;
  } members[] = {
    { "P/S1/I1", NULL, "2.25.501", "1.2.840.10008.5.1.4.1.1.7", "5" },
    { "P/S1/I2", NULL, "2.25.501", "1.2.840.10008.5.1.4.1.1.7", "3" },
    { "P/S2/I1", NULL, "2.25.502", "1.2.840.10008.5.1.4.1.1.7", "2" },
    { "P/S1/I3", NULL, "2.25.501", "1.2.840.10008.5.1.4.1.1.7", "3" },
    { "P/S1/I4", NULL, "2.25.501", "1.2.840.10008.5.1.4.1.1.7", "3" },
    { "P/S1/I5", NULL, "2.25.501", "1.2.840.10008.5.1.4.1.1.7.2", "4" },
    { "P/S1/I6", NULL, "2.25.501", "1.2.840.10008.5.1.4.1.1.7", "1" },
    { "P/S1/I7", NULL, "2.25.501", "1.2.840.10008.5.1.4.1.1.7.2", "10" },
    { "P/S2/I2", NULL, "2.25.502", "1.2.840.10008.5.1.4.1.1.7", "1" },
    { "P/S1/I8", NULL, "2.25.501", "1.2.840.10008.5.1.4.1.1.7", "-2" },
    /* A broken input: the same series UID in another study stays another series. */
    { "P/T1/I1", "2.25.777", "2.25.501", "1.2.840.10008.5.1.4.1.1.7", "2" },
    { "P/T1/I2", "2.25.777", "2.25.501", "1.2.840.10008.5.1.4.1.1.7", "1" },
  };
  const char *ids[G_N_ELEMENTS (members) + 1];

  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    {
      g_autofree char *sop_uid = g_strdup_printf ("2.25.%u", 600 + i);

      make_series_member (root, members[i].id, members[i].study, members[i].series, sop_uid,
                          members[i].sop_class, members[i].number);
      ids[i] = members[i].id;
    }
  ids[G_N_ELEMENTS (members)] = NULL;
  assert_dicomdir_same_as_dcmtk (root, ids);

  {
    g_autoptr(GError) error = NULL;
    const char *with_unnumbered[] = { ids[0], ids[1], "P/S1/I9", NULL };

    make_series_member (root, "P/S1/I9", NULL, "2.25.501", "2.25.699",
                        "1.2.840.10008.5.1.4.1.1.7", NULL);
    g_assert_false (lacuna_dicom_write_dicomdir (root, "LACUNA_TEST", with_unnumbered, &error));
    g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_WRITE);
    g_assert_nonnull (strstr (error->message, "P/S1/I9"));
  }
}

/* A real 26-slice MR series as export writes files (fresh meta header, Explicit VR Little
 * Endian, a Study ID), in the order a directory listing gives. */
static void
test_dicom_dicomdir_real_series (void)
{
  g_autofree char *series = lacuna_test_dup_testdata ("phi-header/tcia_pseudo_phi_MR_series/dicom");
  g_autofree char *root = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (series == NULL)
    return;
  root = lacuna_test_make_tmpdir ();
  dir = g_dir_open (series, 0, NULL);
  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *from = g_build_filename (series, name, NULL);
      g_autofree char *id = g_strdup_printf ("MR/S1/I%u", ids->len + 1);
      g_autofree char *to = g_build_filename (root, id, NULL);
      g_autofree char *parent = g_path_get_dirname (to);
      g_autoptr(LacunaDicomFile) file = NULL;
      g_autoptr(GError) error = NULL;

      if (!g_str_has_suffix (name, ".dcm"))
        continue;
      g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
      file = lacuna_dicom_file_open (from, LACUNA_DICOM_OPEN_DEFAULT, &error);
      g_assert_no_error (error);
      /* Empty here, and required by a DICOMDIR (export puts a neutral value). */
      g_assert_true (lacuna_dicom_file_set_string (file, "00200010", NULL, "1", &error));
      g_assert_true (lacuna_dicom_file_save (file, to, NULL, &error));
      g_assert_no_error (error);
      g_ptr_array_add (ids, g_steal_pointer (&id));
    }
  g_assert_cmpuint (ids->len, ==, 26);
  g_ptr_array_add (ids, NULL);
  assert_dicomdir_same_as_dcmtk (root, (const char * const *) ids->pdata);
}

/* ---------------------------------------------------------------------------------------- */
/* Threads                                                                                  */

static const char *const thread_files[] = {
  "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.dcm",
  "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.1.99.dcm",
  "variety/charsets/orthanc_Lena-shift-jis.dcm",
  "variety/multiframe/pydicom-data_eCT_Supplemental_enhancedCT.dcm",
  "variety/private-tags/orthanc_PrivateMDNTags.dcm",
};

static LacunaDicomWalkResult
count_cb (const LacunaDicomElement *e,
          gpointer                  user_data)
{
  (*(guint *) user_data)++;
  return LACUNA_DICOM_WALK_CONTINUE;
}

static gpointer
thread_func (gpointer data)
{
  guint *counts = data;

  for (int round = 0; round < 10; round++)
    for (gsize i = 0; i < G_N_ELEMENTS (thread_files); i++)
      {
        g_autofree char *path = g_build_filename (lacuna_test_get_testdata (), thread_files[i], NULL);
        g_autoptr(LacunaDicomFile) file = lacuna_dicom_file_open (path, 0, NULL);
        guint n = 0;

        if (file == NULL)
          return GINT_TO_POINTER (1);
        lacuna_dicom_file_walk (file, TRUE, count_cb, &n);
        if (n != counts[i])
          return GINT_TO_POINTER (1);
      }
  return NULL;
}

static void
test_dicom_threads (void)
{
  guint counts[G_N_ELEMENTS (thread_files)];
  GThread *threads[4];

  if (lacuna_test_get_testdata () == NULL)
    return;
  for (gsize i = 0; i < G_N_ELEMENTS (thread_files); i++)
    {
      g_autoptr(LacunaDicomFile) file = open_testdata (thread_files[i]);

      counts[i] = 0;
      lacuna_dicom_file_walk (file, TRUE, count_cb, &counts[i]);
      g_assert_cmpuint (counts[i], >, 0);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("open", thread_func, counts);
  for (gsize i = 0; i < G_N_ELEMENTS (threads); i++)
    g_assert_null (g_thread_join (threads[i]));
}

/* ---------------------------------------------------------------------------------------- */
/* Dictionary and paths                                                                     */

static void
test_dicom_dictionary (void)
{
  guint32 tag = 0;
  g_autofree char *formatted = NULL;
  g_autofree char *tag_text = NULL;
  g_autofree char *child = NULL;
  g_autofree char *top = NULL;
  g_autofree char *bad = NULL;

  g_assert_cmpstr (lacuna_dicom_tag_keyword (0x00100010), ==, "PatientName");
  g_assert_cmpstr (lacuna_dicom_tag_name (0x00100010), ==, "Patient Name");
  g_assert_cmpstr (lacuna_dicom_tag_name (0x00080018), ==, "SOP Instance UID");
  g_assert_cmpstr (lacuna_dicom_tag_vr (0x00100010), ==, "PN");
  g_assert_cmpstr (lacuna_dicom_tag_vr (0x00081115), ==, "SQ");
  g_assert_cmpstr (lacuna_dicom_tag_vr (0x00280010), ==, "US");
  g_assert_cmpstr (lacuna_dicom_tag_vr (0x00091234), ==, "UN");
  g_assert_null (lacuna_dicom_tag_keyword (0x00091234));
  g_assert_null (lacuna_dicom_tag_name (0x00091234));
  g_assert_true (lacuna_dicom_tag_from_keyword ("StudyInstanceUID", &tag));
  g_assert_cmphex (tag, ==, 0x0020000D);
  g_assert_false (lacuna_dicom_tag_from_keyword ("NoSuchKeyword", &tag));

  g_assert_cmpstr (lacuna_dicom_transfer_syntax_name ("1.2.840.10008.1.2.1"), ==,
                   "Explicit VR Little Endian");
  g_assert_nonnull (strstr (lacuna_dicom_transfer_syntax_name ("1.2.840.10008.1.2.4.201"),
                            "High-Throughput JPEG 2000"));
  g_assert_null (lacuna_dicom_transfer_syntax_name ("1.2.3"));

  formatted = lacuna_dicom_path_format ("00081115/0/00081155");
  g_assert_cmpstr (formatted, ==, "(0008,1115)[0] › (0008,1155)");
  tag_text = lacuna_dicom_tag_format (0x7FE00010);
  g_assert_cmpstr (tag_text, ==, "(7FE0,0010)");
  g_assert_cmphex (lacuna_dicom_path_last_tag ("00400275/1/00400008/0/00080100"), ==, 0x00080100);
  g_assert_cmphex (lacuna_dicom_path_last_tag ("00400275/x/00400008"), ==, 0);
  g_assert_cmphex (lacuna_dicom_path_last_tag ("00400275/1"), ==, 0);
  g_assert_cmphex (lacuna_dicom_path_last_tag (""), ==, 0);
  g_assert_cmphex (lacuna_dicom_path_first_tag ("00400275/1/00400008/0/00080100"), ==,
                   0x00400275);
  g_assert_cmphex (lacuna_dicom_path_first_tag ("7fe00010"), ==, 0x7FE00010);
  g_assert_cmphex (lacuna_dicom_path_first_tag ("0040027"), ==, 0);
  g_assert_cmphex (lacuna_dicom_path_first_tag ("0040027G/1"), ==, 0);
  g_assert_cmphex (lacuna_dicom_path_first_tag ("004002751"), ==, 0);
  g_assert_cmphex (lacuna_dicom_path_first_tag (""), ==, 0);
  child = lacuna_dicom_path_child ("00081115", 2, 0x00081155);
  g_assert_cmpstr (child, ==, "00081115/2/00081155");
  top = lacuna_dicom_path_child (NULL, 0, 0x00100010);
  g_assert_cmpstr (top, ==, "00100010");
  bad = lacuna_dicom_path_format ("bogus");
  g_assert_cmpstr (bad, ==, "bogus");

  /* Paths that are not TAG(/ITEM/TAG)* come back as they are. */
  {
    static const char *invalid[] = {
      "00081115/0", "00081115//00081155", "0008111/0/00081155", "00081115/0/00081155/",
      "00081115/1234567890/00081155", "00081115/-1/00081155", "0008111G", "000811150",
      "/00081115", "00081115/0/0008115",
    };

    for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
      {
        g_autofree char *same = lacuna_dicom_path_format (invalid[i]);

        g_assert_cmpstr (same, ==, invalid[i]);
      }
  }
  {
    g_autofree char *deep = lacuna_dicom_path_format ("0040a730/123456789/0040A043/0/00080100");

    g_assert_cmpstr (deep, ==, "(0040,A730)[123456789] › (0040,A043)[0] › (0008,0100)");
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  lacuna_dicom_init ();

  g_test_add_func ("/core/dicom/new-edit", test_dicom_new_edit);
  g_test_add_func ("/core/dicom/new-save-roundtrip", test_dicom_new_save_roundtrip);
  g_test_add_func ("/core/dicom/real-roundtrip", test_dicom_real_roundtrip);
  g_test_add_func ("/core/dicom/bytes-and-copy", test_dicom_bytes_and_copy);
  g_test_add_func ("/core/dicom/copy-standard", test_dicom_copy_standard);
  g_test_add_func ("/core/dicom/element-bytes", test_dicom_element_bytes);
  g_test_add_func ("/core/dicom/element-text", test_dicom_element_text);
  g_test_add_func ("/core/dicom/charset-ascii", test_dicom_charset_ascii);
  g_test_add_func ("/core/dicom/find", test_dicom_find);
  g_test_add_func ("/core/dicom/top-strings", test_dicom_top_strings);
  g_test_add_func ("/core/dicom/walk-values", test_dicom_walk_values);
  g_test_add_func ("/core/dicom/walk-control", test_dicom_walk_control);
  g_test_add_func ("/core/dicom/walk-some", test_dicom_walk_some);
  g_test_add_func ("/core/dicom/walk-no-vm", test_dicom_walk_no_vm);
  g_test_add_func ("/core/dicom/remove-tags", test_dicom_remove_tags);
  g_test_add_func ("/core/dicom/private-creator", test_dicom_private_creator);
  g_test_add_func ("/core/dicom/decompress-save", test_dicom_decompress_save);
  g_test_add_func ("/core/dicom/unsupported-save", test_dicom_unsupported_save);
  g_test_add_func ("/core/dicom/htj2k-syntax", test_dicom_htj2k_syntax);
  g_test_add_func ("/core/dicom/preamble-zeroed", test_dicom_preamble_zeroed);
  g_test_add_func ("/core/dicom/not-dicom", test_dicom_not_dicom);
  g_test_add_func ("/core/dicom/bare-dataset", test_dicom_bare_dataset);
  g_test_add_func ("/core/dicom/open-bytes", test_dicom_open_bytes);
  g_test_add_func ("/core/dicom/peek-readonly", test_dicom_peek_readonly);
  g_test_add_func ("/core/dicom/header-only", test_dicom_header_only);
  g_test_add_func ("/core/dicom/truncated-pixels", test_dicom_truncated_pixels);
  g_test_add_func ("/core/dicom/premature-end", test_dicom_premature_end);
  g_test_add_func ("/core/dicom/dicomdir", test_dicom_dicomdir);
  g_test_add_func ("/core/dicom/dicomdir-order", test_dicom_dicomdir_order);
  g_test_add_func ("/core/dicom/dicomdir-real-series", test_dicom_dicomdir_real_series);
  g_test_add_func ("/core/dicom/threads", test_dicom_threads);
  g_test_add_func ("/core/dicom/dictionary", test_dicom_dictionary);

  return g_test_run ();
}
