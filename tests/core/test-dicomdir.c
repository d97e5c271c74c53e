/* test-dicomdir.c: the DICOMDIR an export writes from the records each file's writer kept,
 * against the one DCMTK's DicomDirInterface alone writes for the same output folder
 * (LACUNA_DICOMDIR_DCMTK_ONLY), byte for byte; dciodvfy on it; the records through shard
 * manifests; and the way back to DCMTK when a record is missing. */
#define G_LOG_DOMAIN "test-dicomdir"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "lacuna-core.h"
#include "lacuna-dicom.h"
#include "lacuna-export.h"
#include "lacuna-report-spool.h"
#include "lacuna-test-util.h"

static const char test_key[] = "lacuna-dicomdir-test-key-0123456789abcdef";

/* What the CLI says (G_MESSAGES_DEBUG) when the DICOMDIR is built from the files. */
#define FROM_FILES "the DICOMDIR is built from the files"

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                  */

static GBytes *
read_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize len = 0;

  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (data, len);
}

/* For g_ptr_array_sort (), which passes pointers to the elements. */
static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* The file IDs of the output's tree, sorted (as the finalizer lists them). */
static GPtrArray *
tree_ids (const char *outdir)
{
  g_autoptr(GPtrArray) files = lacuna_test_list_files (outdir);
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  gsize prefix = strlen (outdir) + 1;

  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);

      if (g_str_has_prefix (path + prefix, "DICOM/"))
        g_ptr_array_add (ids, g_strdup (path + prefix));
    }
  g_ptr_array_sort (ids, compare_ids);
  for (guint i = 1; i < ids->len; i++)
    g_assert_cmpint (strcmp (g_ptr_array_index (ids, i - 1), g_ptr_array_index (ids, i)),
                     !=, 0);
  return ids;
}

/* The DICOMDIR DCMTK's DicomDirInterface alone writes for the files of outdir's tree
 * (written over outdir/DICOMDIR). */
static GBytes *
dcmtk_dicomdir (const char *outdir,
                GPtrArray  *ids)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (outdir, "DICOMDIR", NULL);
  gboolean ok;

  g_ptr_array_add (ids, NULL);
  g_setenv ("LACUNA_DICOMDIR_DCMTK_ONLY", "1", TRUE);
  ok = lacuna_dicom_write_dicomdir (outdir, LACUNA_EXPORT_FILESET_ID,
                                    (const char * const *) ids->pdata, &error);
  g_unsetenv ("LACUNA_DICOMDIR_DCMTK_ONLY");
  g_ptr_array_remove_index (ids, ids->len - 1);
  g_assert_no_error (error);
  g_assert_true (ok);
  return read_bytes (path);
}

static void
assert_same_bytes (GBytes *a,
                   GBytes *b)
{
  gsize la = 0, lb = 0;
  const guint8 *da = g_bytes_get_data (a, &la);
  const guint8 *db = g_bytes_get_data (b, &lb);

  for (gsize i = 0; i < MIN (la, lb); i++)
    if (da[i] != db[i])
      g_error ("the DICOMDIRs differ first at byte %" G_GSIZE_FORMAT, i);
  g_assert_cmpuint (la, ==, lb);
}

static guint
count_dciodvfy_errors (const char *file)
{
  const char *argv[] = { "dciodvfy", file, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;
  guint n = 0;

  lacuna_test_run (argv, &out, &err);
  lines = g_strsplit (err != NULL ? err : "", "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "Error"))
      {
        g_test_message ("dciodvfy: %s", lines[i]);
        n++;
      }
  return n;
}

/* How many records of each type (dcmdump), as "IMAGE=3 PATIENT=1 …". */
static char *
record_types (const char *dicomdir)
{
  const char *argv[] = { "dcmdump", "-q", "+P", "0004,1430", (char *) dicomdir, NULL };
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GHashTable) counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GList) keys = NULL;
  GString *text = g_string_new (NULL);

  g_assert_cmpint (lacuna_test_run (argv, &out, NULL), ==, 0);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *open = strchr (lines[i], '[');
      const char *close = open != NULL ? strchr (open, ']') : NULL;
      g_autofree char *type = NULL;

      if (close == NULL)
        continue;
      type = g_strndup (open + 1, close - open - 1);
      g_hash_table_replace (counts, g_strdup (type),
                            GUINT_TO_POINTER (GPOINTER_TO_UINT (
                                                g_hash_table_lookup (counts, type)) + 1));
    }
  keys = g_list_sort (g_hash_table_get_keys (counts), (GCompareFunc) strcmp);
  for (GList *l = keys; l != NULL; l = l->next)
    g_string_append_printf (text, "%s%s=%u", text->len > 0 ? " " : "", (char *) l->data,
                            GPOINTER_TO_UINT (g_hash_table_lookup (counts, l->data)));
  return g_string_free (text, FALSE);
}

/* Runs `lacuna-cli clean` on inputs into outdir with the DICOMDIR's debug messages on;
 * returns its standard error. */
static char *
run_clean (const char          *key,
           const char * const  *inputs,
           const char          *outdir,
           const char          *shard)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *err = NULL;

  /* The debug messages of the DICOMDIR's writer, for the CLI only. */
  g_ptr_array_add (argv, (gpointer) "env");
  g_ptr_array_add (argv, (gpointer) "G_MESSAGES_DEBUG=lacuna-dicom");
  g_ptr_array_add (argv, (gpointer) LACUNA_CLI_PATH);
  g_ptr_array_add (argv, (gpointer) "clean");
  g_ptr_array_add (argv, (gpointer) "--key-file");
  g_ptr_array_add (argv, (gpointer) key);
  if (shard != NULL)
    {
      g_ptr_array_add (argv, (gpointer) "--shard");
      g_ptr_array_add (argv, (gpointer) shard);
    }
  for (guint i = 0; inputs[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) inputs[i]);
  g_ptr_array_add (argv, (gpointer) "-o");
  g_ptr_array_add (argv, (gpointer) outdir);
  g_ptr_array_add (argv, NULL);
  lacuna_test_run ((const char * const *) argv->pdata, NULL, &err);
  g_assert_nonnull (err);
  return g_steal_pointer (&err);
}

/* The export's DICOMDIR came from the records (nothing said it fell back), equals DCMTK's
 * for the same folder byte for byte, and dciodvfy finds no error in it. Returns the
 * record counts by type. */
static char *
check_export (const char *outdir,
              const char *cli_stderr)
{
  g_autofree char *path = g_build_filename (outdir, "DICOMDIR", NULL);
  g_autoptr(GPtrArray) ids = tree_ids (outdir);
  g_autoptr(GBytes) ours = NULL;
  g_autoptr(GBytes) dcmtk = NULL;
  char *types;

  g_assert_cmpuint (ids->len, >, 0);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  if (strstr (cli_stderr, FROM_FILES) != NULL)
    g_error ("the export built its DICOMDIR from the files: %s", cli_stderr);
  ours = read_bytes (path);
  types = record_types (path);
  if (g_find_program_in_path ("dciodvfy") != NULL)
    g_assert_cmpuint (count_dciodvfy_errors (path), ==, 0);
  else
    g_test_message ("dciodvfy not found (Debian package dicom3tools): not run");
  dcmtk = dcmtk_dicomdir (outdir, ids);
  assert_same_bytes (ours, dcmtk);
  return types;
}

/* ---------------------------------------------------------------------------------------- */
/* Exports                                                                                  */

/* A fresh folder (returned) with a key file (*out_key) and the sample study written into
 * its "in" folder (*out_input). */
static char *
sample_setup (char **out_key,
              char **out_input)
{
  g_autoptr(GError) error = NULL;
  char *tmp = lacuna_test_make_tmpdir ();

  *out_input = g_build_filename (tmp, "in", NULL);
  *out_key = lacuna_test_make_key_file (tmp, test_key);
  g_assert_true (lacuna_sample_write (*out_input, NULL, &error));
  g_assert_no_error (error);
  return tmp;
}

static void
test_sample (void)
{
  g_autofree char *tmp = NULL;
  g_autofree char *input = NULL;
  g_autofree char *out = NULL;
  g_autofree char *key = NULL;
  g_autofree char *err = NULL;
  g_autofree char *types = NULL;
  const char *inputs[2] = { NULL, NULL };

  if (!lacuna_test_have_cli ())
    return;
  tmp = sample_setup (&key, &input);
  out = g_build_filename (tmp, "out", NULL);
  inputs[0] = input;
  err = run_clean (key, inputs, out, NULL);
  types = check_export (out, err);
  g_test_message ("sample: %s", types);
  g_assert_nonnull (strstr (types, "IMAGE="));
}

/* Real inputs of several patients, series and kinds: uncompressed only (STD-GEN-CD), then
 * with compressed and non-image objects (STD-GEN-MIME). */
static void
check_real (const char * const *relative,
            const char        **expected_types)
{
  g_autofree char *tmp = NULL;
  g_autofree char *out = NULL;
  g_autofree char *key = NULL;
  g_autofree char *err = NULL;
  g_autofree char *types = NULL;
  g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func (g_free);

  if (!lacuna_test_have_cli ())
    return;
  for (guint i = 0; relative[i] != NULL; i++)
    {
      char *path = lacuna_test_dup_testdata (relative[i]);

      if (path == NULL)
        return;   /* skipped */
      g_ptr_array_add (inputs, path);
    }
  g_ptr_array_add (inputs, NULL);
  tmp = lacuna_test_make_tmpdir ();
  out = g_build_filename (tmp, "out", NULL);
  key = lacuna_test_make_key_file (tmp, test_key);
  err = run_clean (key, (const char * const *) inputs->pdata, out, NULL);
  types = check_export (out, err);
  g_test_message ("records: %s", types);
  for (guint i = 0; expected_types[i] != NULL; i++)
    if (strstr (types, expected_types[i]) == NULL)
      g_error ("expected %s among the records, found %s", expected_types[i], types);
}

static void
test_uncompressed (void)
{
  const char *inputs[] = {
    "phi-header/tcia_pseudo_phi_MR_series/dicom",
    "series-ct/dcmqi_ct-3slice_chest_abdomen",
    "variety/multiframe/dcm_qa_enh_Philips_IM_0027_fMAP_enhancedMR.dcm",
    NULL
  };
  const char *expected[] = { "IMAGE=30", "PATIENT=3", "SERIES=3", "STUDY=3", NULL };

  check_real (inputs, expected);
}

static void
test_mixed (void)
{
  const char *inputs[] = {
    "phi-header/tcia_pseudo_phi_MR_series/dicom",
    "series-ct/dcmqi_ct-3slice_chest_abdomen",
    "variety/multiframe/orthanc_Issue16_US_cine_34frames_JPEG.dcm",
    "variety/multiframe/pydicom-data_emri_small_big_endian_10frames.dcm",
    "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.5.dcm",
    "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.4.90.dcm",
    "variety/sr-pdf-rt/dcmqi_sr-example_sr.dcm",
    "phi-burned-in/ultrasound/orthanc_Issue19_US_YBR.dcm",
    NULL
  };
  const char *expected[] = { "PATIENT=", "SR DOCUMENT=1", NULL };

  check_real (inputs, expected);
}

/* The sample study in two shards, then finalize: the records go through the manifests
 * (and nowhere else), and the DICOMDIR is the unsharded run's. */
static void
test_shards (void)
{
  g_autofree char *tmp = NULL;
  g_autofree char *input = NULL;
  g_autofree char *whole = NULL;
  g_autofree char *sharded = NULL;
  g_autofree char *key = NULL;
  g_autofree char *err = NULL;
  g_autofree char *dicomdir = NULL;
  g_autofree char *types = NULL;
  g_autoptr(GBytes) whole_bytes = NULL;
  g_autoptr(GBytes) sharded_bytes = NULL;
  const char *inputs[2] = { NULL, NULL };
  const char *shards[] = { "0/2", "1/2" };

  if (!lacuna_test_have_cli ())
    return;
  tmp = sample_setup (&key, &input);
  whole = g_build_filename (tmp, "whole", NULL);
  sharded = g_build_filename (tmp, "sharded", NULL);
  inputs[0] = input;

  err = run_clean (key, inputs, whole, NULL);
  g_assert_null (strstr (err, FROM_FILES));
  dicomdir = g_build_filename (whole, "DICOMDIR", NULL);
  whole_bytes = read_bytes (dicomdir);
  g_clear_pointer (&dicomdir, g_free);

  for (guint s = 0; s < G_N_ELEMENTS (shards); s++)
    {
      g_autofree char *shard_err = run_clean (key, inputs, sharded, shards[s]);
      g_autofree char *manifest = NULL;
      g_autofree char *text = NULL;
      guint index = s;

      (void) shard_err;
      manifest = g_strdup_printf ("%s/.lacuna-shard-%u-of-2.json", sharded, index);
      g_assert_true (g_file_get_contents (manifest, &text, NULL, NULL));
      /* Each file of the shard carries its record in the manifest. */
      if (strstr (text, "\"file-id\"") != NULL)
        g_assert_nonnull (strstr (text, "\"" LACUNA_REPORT_RECORD_MEMBER "\""));
    }
  {
    const char *argv[] = {
      "env", "G_MESSAGES_DEBUG=lacuna-dicom", LACUNA_CLI_PATH, "finalize", sharded, NULL
    };
    g_autofree char *fin_err = NULL;

    g_assert_cmpint (lacuna_test_run (argv, NULL, &fin_err), ==, 0);
    g_assert_null (strstr (fin_err, FROM_FILES));
    types = check_export (sharded, fin_err);
  }
  dicomdir = g_build_filename (sharded, "DICOMDIR", NULL);
  /* check_export rewrote it through DCMTK: the same bytes either way. */
  sharded_bytes = read_bytes (dicomdir);
  assert_same_bytes (sharded_bytes, whole_bytes);

  /* The records stay out of the report (JSON and HTML) and out of the output. */
  {
    g_autofree char *report = g_strconcat (sharded, ".report.json", NULL);
    g_autofree char *html = g_strconcat (sharded, ".report.html", NULL);
    g_autofree char *text = NULL;
    g_autoptr(GPtrArray) files = lacuna_test_list_files (sharded);

    g_assert_true (g_file_get_contents (report, &text, NULL, NULL));
    g_assert_null (strstr (text, LACUNA_REPORT_RECORD_MEMBER));
    g_clear_pointer (&text, g_free);
    g_assert_true (g_file_get_contents (html, &text, NULL, NULL));
    g_assert_null (strstr (text, LACUNA_REPORT_RECORD_MEMBER));
    for (guint i = 0; i < files->len; i++)
      {
        g_autofree char *base = g_path_get_basename (g_ptr_array_index (files, i));

        g_assert_false (g_str_has_prefix (base, ".lacuna-shard-"));
      }
  }
}

/* ---------------------------------------------------------------------------------------- */
/* The writer itself                                                                        */

typedef struct
{
  GPtrArray *records;   /* GBytes or NULL, by file */
  guint      n_calls;
} Records;

static GBytes *
record_of (guint      i,
           gpointer   data,
           GError   **error)
{
  Records *r = data;

  (void) error;
  r->n_calls++;
  g_assert_cmpuint (i, <, r->records->len);
  return g_ptr_array_index (r->records, i) != NULL
           ? g_bytes_ref (g_ptr_array_index (r->records, i)) : NULL;
}

/* Records built from an export's files: the DICOMDIR written from them alone (the files
 * moved away) is DCMTK's; with one record missing, the files are read (DCMTK's again). */
static void
test_from_records (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *input = NULL;
  g_autofree char *out = NULL;
  g_autofree char *key = NULL;
  g_autofree char *err = NULL;
  g_autofree char *path = NULL;
  g_autofree char *tree = NULL;
  g_autofree char *moved = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(GBytes) dcmtk = NULL;
  g_autoptr(GBytes) ours = NULL;
  const char *inputs[2] = { NULL, NULL };
  Records r = { 0 };

  if (!lacuna_test_have_cli ())
    return;
  tmp = sample_setup (&key, &input);
  out = g_build_filename (tmp, "out", NULL);
  inputs[0] = input;
  err = run_clean (key, inputs, out, NULL);
  path = g_build_filename (out, "DICOMDIR", NULL);
  ids = tree_ids (out);
  dcmtk = dcmtk_dicomdir (out, ids);

  r.records = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  for (guint i = 0; i < ids->len; i++)
    {
      g_autofree char *file = g_build_filename (out, g_ptr_array_index (ids, i), NULL);
      g_autoptr(LacunaDicomFile) f = lacuna_dicom_file_open (file, LACUNA_DICOM_OPEN_DEFAULT,
                                                             &error);
      GBytes *record;

      g_assert_no_error (error);
      record = lacuna_dicom_file_build_dicomdir_record (f, g_ptr_array_index (ids, i), &error);
      g_assert_no_error (error);
      g_assert_nonnull (record);
      g_ptr_array_add (r.records, record);
    }
  g_ptr_array_add (ids, NULL);

  /* Without the files. */
  tree = g_build_filename (out, "DICOM", NULL);
  moved = g_build_filename (tmp, "moved-away", NULL);
  g_assert_cmpint (g_rename (tree, moved), ==, 0);
  g_unlink (path);
  g_assert_true (lacuna_dicom_write_dicomdir_from_records (out, LACUNA_EXPORT_FILESET_ID,
                                                           (const char * const *) ids->pdata,
                                                           record_of, &r, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (r.n_calls, >=, 2 * (ids->len - 1));
  ours = read_bytes (path);
  assert_same_bytes (ours, dcmtk);
  g_clear_pointer (&ours, g_bytes_unref);
  /* Nothing but the DICOMDIR is left in the folder (no temporary file). */
  {
    g_autoptr(GPtrArray) left = lacuna_test_list_files (out);

    g_assert_cmpuint (left->len, ==, 1);
  }

  /* One record missing: the files are read, by DCMTK (they are back). */
  g_assert_cmpint (g_rename (moved, tree), ==, 0);
  g_unlink (path);
  g_clear_pointer (&g_ptr_array_index (r.records, 1), g_bytes_unref);
  g_assert_true (lacuna_dicom_write_dicomdir_from_records (out, LACUNA_EXPORT_FILESET_ID,
                                                           (const char * const *) ids->pdata,
                                                           record_of, &r, &error));
  g_assert_no_error (error);
  ours = read_bytes (path);
  assert_same_bytes (ours, dcmtk);
  g_clear_pointer (&ours, g_bytes_unref);

  /* A record that is not one: the same. */
  g_ptr_array_index (r.records, 1) = g_bytes_new_static ("garbage", 7);
  g_unlink (path);
  g_assert_true (lacuna_dicom_write_dicomdir_from_records (out, LACUNA_EXPORT_FILESET_ID,
                                                           (const char * const *) ids->pdata,
                                                           record_of, &r, &error));
  g_assert_no_error (error);
  ours = read_bytes (path);
  assert_same_bytes (ours, dcmtk);

  g_ptr_array_unref (r.records);
}

/* A small secondary capture image with what a DICOMDIR needs, at root/id. */
static void
make_member (const char *root,
             const char *id,
             const char *patient,
             const char *study,
             const char *series,
             const char *series_number,
             const char *sop_class,
             const char *sop_uid,
             const char *number)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LacunaDicomFile) file = lacuna_dicom_file_new ();
  g_autofree char *path = g_build_filename (root, id, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  const guint8 pixels[4] = { 0, 64, 128, 255 };
  const struct
  {
    const char *path;
    const char *value;
  } values[] = {
    { "00080016", sop_class }, { "00080018", sop_uid }, { "00080020", "20200102" },
    { "00080030", "101010" }, { "00080050", "ACC1" }, { "00080060", "OT" },
    { "00100010", "TEST^DICOMDIR" }, { "00100020", patient }, { "0020000D", study },
    { "0020000E", series }, { "00200010", "1" }, { "00200011", series_number },
    { "00200013", number }, { "00280002", "1" }, { "00280004", "MONOCHROME2" },
    { "00280008", "1" }, { "00280010", "2" }, { "00280011", "2" }, { "00280100", "8" },
    { "00280101", "8" }, { "00280102", "7" }, { "00280103", "0" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    if (values[i].value != NULL)
      g_assert_true (lacuna_dicom_file_set_string (file, values[i].path, NULL, values[i].value,
                                                   &error));
  g_assert_true (lacuna_dicom_file_set_bytes (file, "7FE00010", "OB", pixels, sizeof pixels,
                                              &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
  g_assert_true (lacuna_dicom_file_save (file, path, NULL, &error));
  g_assert_no_error (error);
}

/* Series by Series Number and instances by Instance Number as DicomDirInterface inserts
 * them (ties in the order the files come, negative numbers, two SOP classes in a series,
 * a series UID reused in another study, patients and studies in the order they come):
 * the DICOMDIR from the records alone is DCMTK's. */
static void
test_order (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = lacuna_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (root, "DICOMDIR", NULL);
  g_autofree char *tree = g_build_filename (root, "D", NULL);
  g_autofree char *moved = g_strconcat (root, "-moved", NULL);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GBytes) dcmtk = NULL;
  g_autoptr(GBytes) ours = NULL;
  static const struct
  {
    const char *patient;
    const char *study;
    const char *series;
    const char *series_number;
    const char *sop_class;
    const char *number;
  } members[] = {
    { "PB", "2.25.11", "2.25.501", "7", "1.2.840.10008.5.1.4.1.1.7", "5" },
    { "PB", "2.25.11", "2.25.501", "7", "1.2.840.10008.5.1.4.1.1.7", "3" },
    { "PB", "2.25.11", "2.25.502", "2", "1.2.840.10008.5.1.4.1.1.7", "2" },
    { "PA", "2.25.12", "2.25.601", "1", "1.2.840.10008.5.1.4.1.1.7", "1" },
    { "PB", "2.25.11", "2.25.501", "7", "1.2.840.10008.5.1.4.1.1.7", "3" },
    { "PB", "2.25.11", "2.25.501", "7", "1.2.840.10008.5.1.4.1.1.7.2", "4" },
    { "PB", "2.25.11", "2.25.503", "7", "1.2.840.10008.5.1.4.1.1.7", "1" },
    { "PB", "2.25.11", "2.25.501", "7", "1.2.840.10008.5.1.4.1.1.7.2", "10" },
    { "PB", "2.25.11", "2.25.502", "2", "1.2.840.10008.5.1.4.1.1.7", "1" },
    { "PB", "2.25.11", "2.25.501", "7", "1.2.840.10008.5.1.4.1.1.7", "-2" },
    { "PB", "2.25.13", "2.25.501", "3", "1.2.840.10008.5.1.4.1.1.7", "2" },
    { "PA", "2.25.12", "2.25.602", "-1", "1.2.840.10008.5.1.4.1.1.7", "1" },
    { "PB", "2.25.13", "2.25.501", "3", "1.2.840.10008.5.1.4.1.1.7", "1" },
    { "PB", "2.25.11", "2.25.504", "0", "1.2.840.10008.5.1.4.1.1.7", "1" },
  };
  Records r = { 0 };

  r.records = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    {
      g_autofree char *sop_uid = g_strdup_printf ("2.25.%u", 900 + i);
      /* File IDs in this order when sorted: the order the files come. */
      char *id = g_strdup_printf ("D/F%02u", i);
      g_autofree char *file_path = g_build_filename (root, id, NULL);
      g_autoptr(LacunaDicomFile) file = NULL;
      GBytes *record;

      make_member (root, id, members[i].patient, members[i].study, members[i].series,
                   members[i].series_number, members[i].sop_class, sop_uid,
                   members[i].number);
      file = lacuna_dicom_file_open (file_path, LACUNA_DICOM_OPEN_DEFAULT, &error);
      g_assert_no_error (error);
      record = lacuna_dicom_file_build_dicomdir_record (file, id, &error);
      g_assert_no_error (error);
      g_ptr_array_add (r.records, record);
      g_ptr_array_add (ids, id);
    }
  dcmtk = dcmtk_dicomdir (root, ids);
  g_ptr_array_add (ids, NULL);

  g_assert_cmpint (g_rename (tree, moved), ==, 0);
  g_unlink (path);
  g_assert_true (lacuna_dicom_write_dicomdir_from_records (root, LACUNA_EXPORT_FILESET_ID,
                                                           (const char * const *) ids->pdata,
                                                           record_of, &r, &error));
  g_assert_no_error (error);
  ours = read_bytes (path);
  assert_same_bytes (ours, dcmtk);
  g_assert_cmpint (g_rename (moved, tree), ==, 0);
  g_ptr_array_unref (r.records);
}

/* A file without a Patient ID gets no record, and says which attribute. */
static void
test_record_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LacunaDicomFile) file = lacuna_dicom_file_new ();
  g_autoptr(GBytes) saved = NULL;
  g_autoptr(LacunaDicomFile) written = NULL;
  g_autoptr(GBytes) record = NULL;

  g_assert_true (lacuna_dicom_file_set_string (file, "00080016", NULL,
                                               "1.2.840.10008.5.1.4.1.1.7", &error));
  g_assert_true (lacuna_dicom_file_set_string (file, "00080018", NULL, "1.2.3.4", &error));
  g_assert_true (lacuna_dicom_file_set_string (file, "00080020", NULL, "20200101", &error));
  g_assert_no_error (error);
  saved = lacuna_dicom_file_save_to_bytes (file, NULL, &error);
  g_assert_no_error (error);
  written = lacuna_dicom_file_open_bytes (saved, "test", LACUNA_DICOM_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  record = lacuna_dicom_file_build_dicomdir_record (written, "DICOM/P1/S1/S1/I1", &error);
  g_assert_null (record);
  g_assert_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "(0010,0020) PatientID"));
}

/* ---------------------------------------------------------------------------------------- */
/* The spool carries records beside the entries                                             */

static JsonNode *
entry_node (const char *file_id)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "file-id");
  json_builder_add_string_value (b, file_id);
  json_builder_set_member_name (b, "input");
  json_builder_add_string_value (b, "in");
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

typedef struct
{
  LacunaReportSpool *copy;
} CopyData;

static gboolean
copy_element (const char  *text,
              gsize        len,
              gpointer     data,
              GError     **error)
{
  CopyData *d = data;

  return _lacuna_report_spool_add_text (d->copy, text, len, error);
}

static void
test_spool_records (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = lacuna_test_make_tmpdir ();
  g_autofree char *near = g_build_filename (tmp, "x", NULL);
  g_autofree char *manifest = g_build_filename (tmp, "manifest.json", NULL);
  g_autofree char *report = g_build_filename (tmp, "report.json", NULL);
  g_autoptr(LacunaReportSpool) spool = _lacuna_report_spool_new (near, &error);
  g_autoptr(LacunaReportSpool) copy = NULL;
  g_autoptr(GBytes) r1 = g_bytes_new ("record\n\0one", 11);
  g_autoptr(GBytes) r2 = g_bytes_new ("two", 3);
  g_autoptr(GString) rest = g_string_new (NULL);
  g_autofree char *text = NULL;
  const char *ids[] = { "DICOM/B", "DICOM/A", "DICOM/C" };
  CopyData d;

  g_assert_no_error (error);
  /* Records come before their entries; C has none. */
  g_assert_true (_lacuna_report_spool_add_record (spool, "DICOM/A", r1, &error));
  g_assert_true (_lacuna_report_spool_add_record (spool, "DICOM/B", r2, &error));
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autoptr(JsonNode) node = entry_node (ids[i]);

      g_assert_true (_lacuna_report_spool_add (spool, node, &error));
    }
  g_assert_true (_lacuna_report_spool_sort (spool, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (_lacuna_report_spool_get_file_id (spool, 0), ==, "DICOM/A");
  {
    g_autoptr(GBytes) a = _lacuna_report_spool_read_record (spool, 0, &error);
    g_autoptr(GBytes) b = _lacuna_report_spool_read_record (spool, 1, &error);
    g_autoptr(GBytes) c = _lacuna_report_spool_read_record (spool, 2, &error);

    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (a, r1));
    g_assert_true (g_bytes_equal (b, r2));
    g_assert_null (c);
  }

  /* A manifest carries them, a report does not; read back, they are beside the entries. */
  {
    g_autoptr(JsonObject) doc = json_object_new ();
    g_autoptr(LacunaReportSink) sink = _lacuna_report_sink_new (manifest, NULL, &error);

    json_object_set_array_member (doc, "files", json_array_new ());
    g_assert_true (_lacuna_report_write_spliced (sink, doc, "files", spool, TRUE, NULL, NULL,
                                                 &error));
    g_assert_true (_lacuna_report_sink_commit (sink, &error));
    g_assert_no_error (error);
  }
  {
    g_autoptr(JsonObject) doc = json_object_new ();
    g_autoptr(LacunaReportSink) sink = _lacuna_report_sink_new (report, NULL, &error);

    json_object_set_array_member (doc, "files", json_array_new ());
    g_assert_true (_lacuna_report_write_spliced_full (sink, doc, "files", spool, FALSE, TRUE,
                                                      NULL, NULL, &error));
    g_assert_true (_lacuna_report_sink_commit (sink, &error));
    g_assert_no_error (error);
  }
  g_assert_true (g_file_get_contents (report, &text, NULL, NULL));
  g_assert_null (strstr (text, LACUNA_REPORT_RECORD_MEMBER));
  g_clear_pointer (&text, g_free);
  g_assert_true (g_file_get_contents (manifest, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, LACUNA_REPORT_RECORD_MEMBER));

  copy = _lacuna_report_spool_new (near, &error);
  d.copy = copy;
  g_assert_true (_lacuna_report_scan_member (manifest, "files", copy_element, &d, rest,
                                             &error));
  g_assert_no_error (error);
  g_assert_cmpuint (_lacuna_report_spool_get_length (copy), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(JsonNode) node = _lacuna_report_spool_read (copy, i, &error);
      g_autoptr(GBytes) record = _lacuna_report_spool_read_record (copy, i, &error);

      g_assert_no_error (error);
      g_assert_false (json_object_has_member (json_node_get_object (node),
                                              LACUNA_REPORT_RECORD_MEMBER));
      if (i == 0)
        g_assert_true (g_bytes_equal (record, r1));
      else if (i == 1)
        g_assert_true (g_bytes_equal (record, r2));
      else
        g_assert_null (record);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  lacuna_dicom_init ();

  g_test_add_func ("/core/dicomdir/spool-records", test_spool_records);
  g_test_add_func ("/core/dicomdir/record-refused", test_record_refused);
  g_test_add_func ("/core/dicomdir/from-records", test_from_records);
  g_test_add_func ("/core/dicomdir/order", test_order);
  g_test_add_func ("/core/dicomdir/sample", test_sample);
  g_test_add_func ("/core/dicomdir/uncompressed", test_uncompressed);
  g_test_add_func ("/core/dicomdir/mixed", test_mixed);
  g_test_add_func ("/core/dicomdir/shards", test_shards);
  return g_test_run ();
}
