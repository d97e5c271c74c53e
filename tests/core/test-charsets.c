/* test-charsets.c: Patient's Name in every character set of the shared test data equals
 * the independent reference decoded with pydicom (EXPECTED.tsv beside the files). */
#define G_LOG_DOMAIN "test-charsets"

#include "config.h"

#include <string.h>

#include "lacuna-dicom.h"
#include "lacuna-test-util.h"

typedef struct
{
  const char *path;
  char       *value;
} FindName;

static LacunaDicomWalkResult
find_name_cb (const LacunaDicomElement *e,
              gpointer                  user_data)
{
  FindName *find = user_data;

  if (strcmp (e->path, find->path) != 0)
    return LACUNA_DICOM_WALK_SKIP_CHILDREN;
  find->value = g_strdup (e->value);
  return LACUNA_DICOM_WALK_STOP;
}

static void
test_charsets_expected (void)
{
  g_autofree char *dir = lacuna_test_dup_testdata ("variety/charsets");
  g_autofree char *tsv_path = NULL;
  g_autofree char *tsv = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  guint n_checked = 0;
  guint n_files = 0;

  if (dir == NULL)
    return;
  tsv_path = g_build_filename (dir, "EXPECTED.tsv", NULL);
  g_assert_true (g_file_get_contents (tsv_path, &tsv, NULL, &error));
  g_assert_no_error (error);

  lines = g_strsplit (tsv, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    {
      g_auto(GStrv) fields = NULL;
      g_autofree char *path = NULL;
      g_autoptr(LacunaDicomFile) file = NULL;
      g_autofree char *name = NULL;
      g_autofree char *charset = NULL;
      FindName find = { "00100010", NULL };

      if (**line == '#' || **line == '\0')
        continue;
      fields = g_strsplit (*line, "\t", -1);
      g_assert_cmpuint (g_strv_length (fields), ==, 3);
      g_test_message ("%s (%s)", fields[0], fields[1]);

      path = g_build_filename (dir, fields[0], NULL);
      file = lacuna_dicom_file_open (path, LACUNA_DICOM_OPEN_DEFAULT, &error);
      g_assert_no_error (error);
      g_assert_false (lacuna_dicom_file_charset_failed (file));

      name = lacuna_dicom_file_dup_string (file, "00100010", &error);
      g_assert_no_error (error);
      g_assert_cmpstr (name, ==, fields[2]);

      lacuna_dicom_file_walk (file, FALSE, find_name_cb, &find);
      g_assert_cmpstr (find.value, ==, fields[2]);
      g_free (find.value);

      /* After conversion the dataset says what it now is. */
      charset = lacuna_dicom_file_dup_string (file, "00080005", &error);
      g_assert_no_error (error);
      g_assert_cmpstr (charset, ==, "ISO_IR 192");
      n_checked++;
    }

  /* Every DICOM file in the folder has a reference line. */
  {
    g_autoptr(GPtrArray) files = lacuna_test_list_files (dir);

    for (guint i = 0; i < files->len; i++)
      if (g_str_has_suffix (g_ptr_array_index (files, i), ".dcm"))
        n_files++;
  }
  g_assert_cmpuint (n_checked, ==, n_files);
  g_assert_cmpuint (n_checked, >=, 15);
}

/* Saved and reopened, the names survive as UTF-8 (ISO_IR 192). */
static void
test_charsets_save (void)
{
  g_autofree char *src = lacuna_test_dup_testdata ("variety/charsets/orthanc_Lena-shift-jis.dcm");
  g_autofree char *dir = NULL;
  g_autofree char *out = NULL;
  g_autoptr(LacunaDicomFile) file = NULL;
  g_autoptr(LacunaDicomFile) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  if (src == NULL)
    return;
  dir = lacuna_test_make_tmpdir ();
  out = g_build_filename (dir, "utf8.dcm", NULL);
  file = lacuna_dicom_file_open (src, 0, &error);
  g_assert_no_error (error);
  before = lacuna_dicom_file_dup_string (file, "00100010", &error);
  g_assert_true (lacuna_dicom_file_save (file, out, NULL, &error));
  g_assert_no_error (error);
  again = lacuna_dicom_file_open (out, 0, &error);
  g_assert_no_error (error);
  after = lacuna_dicom_file_dup_string (again, "00100010", &error);
  g_assert_cmpstr (before, ==, after);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  lacuna_dicom_init ();

  g_test_add_func ("/core/charsets/expected", test_charsets_expected);
  g_test_add_func ("/core/charsets/save", test_charsets_save);

  return g_test_run ();
}
