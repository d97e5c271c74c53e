/* test-testdata-open.c: every file of the shared test data outside malformed/ opens, and
 * its walk sees the same top-level elements as dcmdump (an independent reader). */
#define G_LOG_DOMAIN "test-testdata-open"

#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "lacuna-dicom.h"
#include "lacuna-test-util.h"

/* Files that do not open, on purpose: each is deliberately broken upstream. */
static const struct
{
  const char *relative;
  int         code;
  const char *reason;
} exceptions[] = {
  { "variety/pydicom_debian_test_files/no_meta.dcm", LACUNA_DICOM_ERROR_NOT_DICOM,
    "the bare dataset starts one byte late (a stray 0x20 first); dcmdump fails and pydicom "
    "reads a single garbage element" },
  { "variety/pydicom_debian_test_files/SC_rgb_jpeg.dcm", LACUNA_DICOM_ERROR_PARSE,
    "an implicit VR dataset under a meta header that says JPEG Baseline (explicit VR); "
    "DCMTK 3.6.7 and dcmdump refuse it" },
  { "variety/pydicom_debian_test_files/rtplan_truncated.dcm", LACUNA_DICOM_ERROR_PARSE,
    "cut off in the middle of the dataset: (300A,012C) claims 50 bytes, 29 remain" },
};

/* Opens header-only: Pixel Data runs past the end of the file (the last element). */
static const char *const truncated_pixels[] = {
  "variety/pydicom_debian_test_files/MR_truncated.dcm",
};

static gboolean
is_not_dicom_name (const char *path)
{
  static const char *const suffixes[] = { ".txt", ".json", ".md", ".dic", ".gz", ".dump",
                                          ".tsv" };
  g_autofree char *base = g_path_get_basename (path);

  if (g_str_has_prefix (base, "README"))
    return TRUE;
  for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
    if (g_str_has_suffix (base, suffixes[i]))
      return TRUE;
  return FALSE;
}

static LacunaDicomWalkResult
count_top_cb (const LacunaDicomElement *e,
              gpointer                  user_data)
{
  guint *n = user_data;

  g_assert_true (e->value == NULL || g_utf8_validate (e->value, -1, NULL));
  if (e->depth == 0)
    (*n)++;
  return LACUNA_DICOM_WALK_CONTINUE;
}

/* Top-level data elements dcmdump prints (sequence delimiters excluded), or -1. */
static int
dcmdump_count (const char *path,
               gboolean    ignore_errors)
{
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean in_dataset = FALSE;
  const char *data;
  gsize len;
  int n = 0;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                           &error, "dcmdump", ignore_errors ? "+E" : "-q", path, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate (proc, NULL, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  if (!ignore_errors && g_subprocess_get_exit_status (proc) != 0)
    return -1;

  /* Values are printed raw: a NUL padding byte must not end the text. */
  data = g_bytes_get_data (out, &len);
  text = g_malloc (len + 1);
  memcpy (text, data, len);
  for (gsize i = 0; i < len; i++)
    if (text[i] == '\0')
      text[i] = ' ';
  text[len] = '\0';

  lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l != NULL; l++)
    {
      if (g_str_has_prefix (*l, "# Dicom-Data-Set"))
        in_dataset = TRUE;
      else if (in_dataset && (*l)[0] == '(' && !g_str_has_prefix (*l, "(fffe,"))
        n++;
    }
  return n;
}

static void
test_testdata_open_all (void)
{
  const char *dir = lacuna_test_get_testdata ();
  g_autoptr(GPtrArray) files = NULL;
  guint n_opened = 0;
  guint n_not_dicom = 0;
  guint n_exceptions = 0;

  if (dir == NULL)
    return;
  if (!lacuna_test_require_program ("dcmdump", "dcmtk"))
    return;

  files = lacuna_test_list_files (dir);
  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);
      const char *relative = path + strlen (dir) + 1;
      g_autoptr(GError) error = NULL;
      g_autoptr(LacunaDicomFile) file = NULL;
      g_autoptr(LacunaDicomFile) header = NULL;
      gboolean is_exception = FALSE;
      gboolean is_truncated = FALSE;
      guint n = 0;
      int expected;

      if (g_str_has_prefix (relative, "malformed/"))
        continue;

      file = lacuna_dicom_file_open (path, LACUNA_DICOM_OPEN_DEFAULT, &error);

      for (gsize j = 0; j < G_N_ELEMENTS (exceptions); j++)
        if (strcmp (relative, exceptions[j].relative) == 0)
          {
            g_test_message ("%s: expected failure (%s)", relative, exceptions[j].reason);
            g_assert_null (file);
            g_assert_error (error, LACUNA_DICOM_ERROR, exceptions[j].code);
            is_exception = TRUE;
            n_exceptions++;
          }
      if (is_exception)
        continue;

      if (is_not_dicom_name (path))
        {
          g_assert_null (file);
          g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_NOT_DICOM);
          n_not_dicom++;
          continue;
        }

      if (error != NULL)
        g_test_message ("%s: %s", relative, error->message);
      g_assert_no_error (error);
      g_assert_nonnull (file);
      n_opened++;

      header = lacuna_dicom_file_open (path, LACUNA_DICOM_OPEN_HEADER_ONLY, &error);
      g_assert_no_error (error);
      g_assert_false (lacuna_dicom_file_has (header, "7FE00010"));

      for (gsize j = 0; j < G_N_ELEMENTS (truncated_pixels); j++)
        if (strcmp (relative, truncated_pixels[j]) == 0)
          is_truncated = TRUE;

      lacuna_dicom_file_walk (file, FALSE, count_top_cb, &n);
      if (is_truncated)
        {
          /* dcmdump +E prints what it read, Pixel Data included. */
          g_assert_false (lacuna_dicom_file_has (file, "7FE00010"));
          expected = dcmdump_count (path, TRUE) - 1;
        }
      else
        expected = dcmdump_count (path, FALSE);
      if ((int) n != expected)
        g_test_message ("%s: %u top-level elements, dcmdump %d", relative, n, expected);
      g_assert_cmpint (n, ==, expected);
    }

  g_test_message ("%u opened, %u not DICOM, %u known exceptions", n_opened, n_not_dicom,
                  n_exceptions);
  g_assert_cmpuint (n_exceptions, ==, G_N_ELEMENTS (exceptions));
  g_assert_cmpuint (n_opened, >, 300);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  lacuna_dicom_init ();

  g_test_add_func ("/core/testdata-open/all", test_testdata_open_all);

  return g_test_run ();
}
