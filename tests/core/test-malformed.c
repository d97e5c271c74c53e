/* test-malformed.c: broken and hostile input gives a file or a clean GError, never a crash.
 *
 * Each case runs in a subprocess (g_test_trap_subprocess), so a crash fails that case
 * only and names it. */
#define G_LOG_DOMAIN "test-malformed"

#include "config.h"

#include <string.h>

#include "lacuna-dicom.h"
#include "lacuna-test-util.h"

static LacunaDicomWalkResult
touch_cb (const LacunaDicomElement *e,
          gpointer                  user_data)
{
  LacunaDicomFile *file = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *s = NULL;
  double number;

  g_assert_nonnull (e->path);
  g_assert_true (e->value == NULL || g_utf8_validate (e->value, -1, NULL));
  if (!lacuna_dicom_file_has (file, e->path))
    g_error ("walk path %s (%s) does not resolve", e->path, e->vr);
  s = lacuna_dicom_file_dup_string (file, e->path, &error);
  g_assert_true (s != NULL || error != NULL);
  g_assert_true (s == NULL || g_utf8_validate (s, -1, NULL));
  g_clear_error (&error);
  if (lacuna_dicom_file_get_number (file, e->path, 0, &number, &error))
    g_assert_no_error (error);
  else
    g_assert_nonnull (error);
  return LACUNA_DICOM_WALK_CONTINUE;
}

/* Opens (both ways), walks and reads every element; asserts only "file or GError". */
static void
exercise_bytes (GBytes     *bytes,
                const char *path)
{
  for (int flags = 0; flags < 2; flags++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LacunaDicomFile) file = NULL;

      if (path != NULL)
        file = lacuna_dicom_file_open (path, flags, &error);
      else
        file = lacuna_dicom_file_open_bytes (bytes, "generated", flags, &error);

      if (file == NULL)
        {
          g_assert_nonnull (error);
          g_assert_true (error->domain == LACUNA_DICOM_ERROR);
          g_assert_cmpstr (error->message, !=, "");
          g_test_message ("  %s: %s", flags ? "header-only" : "full", error->message);
          continue;
        }
      g_assert_no_error (error);
      g_assert_nonnull (lacuna_dicom_file_get_transfer_syntax (file));
      lacuna_dicom_file_walk (file, TRUE, touch_cb, file);
    }
}

static void
test_malformed_file (gconstpointer data)
{
  const char *path = data;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }
  exercise_bytes (NULL, path);
}

/* ---------------------------------------------------------------------------------------- */
/* Generated cases                                                                          */

static GByteArray *
meta_header (void)
{
  static const guint8 meta[] = {
    0x02, 0x00, 0x00, 0x00, 'U', 'L', 4, 0, 28, 0, 0, 0,
    0x02, 0x00, 0x10, 0x00, 'U', 'I', 20, 0,
    '1', '.', '2', '.', '8', '4', '0', '.', '1', '0', '0', '0', '8', '.', '1', '.', '2', '.',
    '1', 0,
  };
  GByteArray *b = g_byte_array_new ();
  guint8 zero[128] = { 0 };

  g_byte_array_append (b, zero, sizeof zero);
  g_byte_array_append (b, (const guint8 *) "DICM", 4);
  g_byte_array_append (b, meta, sizeof meta);
  return b;
}

static void
append (GByteArray   *b,
        const guint8 *data,
        gsize         len)
{
  g_byte_array_append (b, data, len);
}

static GBytes *
generated_case (const char *name)
{
  g_autoptr(GByteArray) b = meta_header ();

  if (strcmp (name, "empty") == 0)
    return g_bytes_new (NULL, 0);
  if (strcmp (name, "131-bytes") == 0)
    {
      g_byte_array_set_size (b, 131);
      return g_byte_array_free_to_bytes (g_steal_pointer (&b));
    }
  if (strcmp (name, "dicm-only") == 0)
    {
      g_byte_array_set_size (b, 132);
      return g_byte_array_free_to_bytes (g_steal_pointer (&b));
    }
  if (strcmp (name, "length-fffffff0") == 0)
    {
      static const guint8 el[] = { 0x10, 0x00, 0x10, 0x00, 'O', 'B', 0, 0, 0xF0, 0xFF, 0xFF,
                                   0xFF, 'a', 'b' };
      append (b, el, sizeof el);
    }
  else if (strcmp (name, "odd-lengths") == 0)
    {
      static const guint8 el[] = { 0x10, 0x00, 0x10, 0x00, 'P', 'N', 3, 0, 'D', 'o', 'e',
                                   0x10, 0x00, 0x20, 0x00, 'L', 'O', 1, 0, 'X',
                                   0x28, 0x00, 0x10, 0x00, 'U', 'S', 3, 0, 1, 2, 3 };
      append (b, el, sizeof el);
    }
  else if (strcmp (name, "value-beyond-file") == 0)
    {
      static const guint8 el[] = { 0x10, 0x00, 0x10, 0x00, 'P', 'N', 0xFF, 0x7F, 'D', 'o' };
      append (b, el, sizeof el);
    }
  else if (strcmp (name, "group-length-lies") == 0)
    {
      b->data[140] = 0xFF;
      b->data[141] = 0xFF;
      b->data[142] = 0xFF;
      b->data[143] = 0x7F;
    }
  else if (strcmp (name, "item-outside-sequence") == 0)
    {
      static const guint8 el[] = { 0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF,
                                   0x10, 0x00, 0x10, 0x00, 'P', 'N', 2, 0, 'A', 'B',
                                   0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0 };
      append (b, el, sizeof el);
    }
  else if (strcmp (name, "unclosed-sequence") == 0)
    {
      static const guint8 el[] = { 0x08, 0x00, 0x15, 0x11, 'S', 'Q', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF,
                                   0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF,
                                   0x08, 0x00, 0x55, 0x11, 'U', 'I', 4, 0, '1', '.', '2', 0 };
      append (b, el, sizeof el);
    }
  else if (strcmp (name, "bad-vr") == 0)
    {
      static const guint8 el[] = { 0x10, 0x00, 0x10, 0x00, 'z', '?', 4, 0, 'D', 'o', 'e', ' ',
                                   0x10, 0x00, 0x20, 0x00, 'L', 'O', 2, 0, 'I', 'D' };
      append (b, el, sizeof el);
    }
  else if (strcmp (name, "pixel-fragment-too-long") == 0)
    {
      static const guint8 el[] = { 0xE0, 0x7F, 0x10, 0x00, 'O', 'B', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF,
                                   0xFE, 0xFF, 0x00, 0xE0, 0, 0, 0, 0,
                                   0xFE, 0xFF, 0x00, 0xE0, 0x00, 0x00, 0x00, 0x10, 1, 2, 3, 4 };
      append (b, el, sizeof el);
    }
  else if (strcmp (name, "truncated-tag") == 0)
    {
      static const guint8 el[] = { 0x10, 0x00, 0x10 };
      append (b, el, sizeof el);
    }
  else if (strcmp (name, "bad-charset") == 0)
    {
      static const guint8 el[] = { 0x08, 0x00, 0x05, 0x00, 'C', 'S', 10, 0, 'I', 'S', 'O', '_', 'I',
                                   'R', ' ', '9', '9', '9', 0x10, 0x00, 0x10, 0x00, 'P', 'N', 4, 0,
                                   'A', 0xE9, 0xFF, 'B' };
      append (b, el, sizeof el);
    }
  else
    g_assert_not_reached ();
  return g_byte_array_free_to_bytes (g_steal_pointer (&b));
}

static void
test_malformed_generated (gconstpointer data)
{
  const char *name = data;
  g_autoptr(GBytes) bytes = NULL;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }
  bytes = generated_case (name);
  exercise_bytes (bytes, NULL);

  /* The same from a file. */
  {
    g_autofree char *dir = lacuna_test_make_tmpdir ();
    g_autofree char *path = g_build_filename (dir, name, NULL);
    gsize size;
    const char *d = g_bytes_get_data (bytes, &size);

    g_assert_true (g_file_set_contents (path, d != NULL ? d : "", size, NULL));
    exercise_bytes (NULL, path);
  }
}

/* Specific expectations for some generated cases. */
static void
test_malformed_expected_errors (void)
{
  static const struct
  {
    const char *name;
    int         code;
  } cases[] = {
    { "empty", LACUNA_DICOM_ERROR_NOT_DICOM },
    { "131-bytes", LACUNA_DICOM_ERROR_NOT_DICOM },
    { "length-fffffff0", LACUNA_DICOM_ERROR_PARSE },
    { "value-beyond-file", LACUNA_DICOM_ERROR_PARSE },
    { "pixel-fragment-too-long", LACUNA_DICOM_ERROR_PARSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) bytes = generated_case (cases[i].name);
      g_autoptr(GError) error = NULL;
      g_autoptr(LacunaDicomFile) file = lacuna_dicom_file_open_bytes (bytes, cases[i].name, 0,
                                                                      &error);

      g_test_message ("%s", cases[i].name);
      g_assert_null (file);
      g_assert_error (error, LACUNA_DICOM_ERROR, cases[i].code);
    }

  /* Odd lengths are tolerated (DCMTK accepts them), and an unknown character set is
   * reported, with the non-ASCII bytes replaced. */
  {
    g_autoptr(GBytes) bytes = generated_case ("bad-charset");
    g_autoptr(GError) error = NULL;
    g_autoptr(LacunaDicomFile) file = lacuna_dicom_file_open_bytes (bytes, "cs", 0, &error);
    g_autofree char *name = NULL;

    g_assert_no_error (error);
    g_assert_true (lacuna_dicom_file_charset_failed (file));
    name = lacuna_dicom_file_dup_string (file, "00100010", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (name, ==, "A\xEF\xBF\xBD\xEF\xBF\xBD" "B");
  }
}

/* Deterministic byte mutations of a small real file. */
static void
test_malformed_mutations (void)
{
  g_autofree char *src = NULL;
  g_autofree char *contents = NULL;
  gsize len;
  g_autoptr(GRand) rand = NULL;

  if (!g_test_subprocess ())
    {
      if ((src = lacuna_test_dup_testdata ("variety/pydicom_debian_test_files/rtplan.dcm")) == NULL)
        return;
      g_test_trap_subprocess (NULL, 300 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  src = lacuna_test_dup_testdata ("variety/pydicom_debian_test_files/rtplan.dcm");
  g_assert_true (g_file_get_contents (src, &contents, &len, NULL));
  rand = g_rand_new_with_seed (20240115);
  for (int round = 0; round < 300; round++)
    {
      g_autofree guint8 *copy = g_memdup2 (contents, len);
      g_autoptr(GBytes) bytes = NULL;
      int n = g_rand_int_range (rand, 1, 8);

      for (int i = 0; i < n; i++)
        {
          gsize at = g_rand_int_range (rand, 0, (gint32) len);

          switch (g_rand_int_range (rand, 0, 3))
            {
            case 0:
              copy[at] = (guint8) g_rand_int_range (rand, 0, 256);
              break;
            case 1:
              copy[at] = 0xFF;
              break;
            default:
              copy[at] ^= 0x80;
              break;
            }
        }
      bytes = g_bytes_new_take (g_steal_pointer (&copy),
                                g_rand_boolean (rand) ? len : (gsize) g_rand_int_range (rand, 0, (gint32) len));
      exercise_bytes (bytes, NULL);
    }
}

int
main (int   argc,
      char *argv[])
{
  static const char *const generated[] = {
    "empty", "131-bytes", "dicm-only", "length-fffffff0", "odd-lengths", "value-beyond-file",
    "group-length-lies", "item-outside-sequence", "unclosed-sequence", "bad-vr",
    "pixel-fragment-too-long", "truncated-tag", "bad-charset",
  };
  g_autoptr(GPtrArray) files = NULL;
  const char *testdata;

  g_test_init (&argc, &argv, NULL);
  lacuna_dicom_init ();

  testdata = g_getenv ("LACUNA_TESTDATA");
  if (testdata != NULL && *testdata != '\0')
    {
      g_autofree char *dir = g_build_filename (testdata, "malformed", NULL);

      files = lacuna_test_list_files (dir);
      for (guint i = 0; i < files->len; i++)
        {
          const char *path = g_ptr_array_index (files, i);
          g_autofree char *base = g_path_get_basename (path);
          g_autofree char *test_path = g_strdup_printf ("/core/malformed/testdata/%s", base);

          g_test_add_data_func (test_path, path, test_malformed_file);
        }
    }
  for (gsize i = 0; i < G_N_ELEMENTS (generated); i++)
    {
      g_autofree char *test_path = g_strdup_printf ("/core/malformed/generated/%s", generated[i]);

      g_test_add_data_func (test_path, generated[i], test_malformed_generated);
    }
  g_test_add_func ("/core/malformed/expected-errors", test_malformed_expected_errors);
  g_test_add_func ("/core/malformed/mutations", test_malformed_mutations);

  return g_test_run ();
}
