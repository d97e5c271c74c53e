/* test-export.c: `lacuna-cli clean` and `finalize` end to end, checked independently.
 *
 * The identifying values looked for in the outputs are read from the inputs with dcmdump
 * (not with the engine's residual scan); hashes are checked with sha256sum; the DICOMDIR
 * with dcmdump and dciodvfy; the .zip with libarchive.
 */
#define G_LOG_DOMAIN "test-export"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "lacuna-core.h"
#include "lacuna-export.h"
#include "lacuna-export-private.h"
#include "lacuna-report.h"
#include "lacuna-test-util.h"

#define PDF_FILE   "variety/sr-pdf-rt/orthanc_sample-pdf.dcm"
#define MR_SERIES  "phi-header/tcia_pseudo_phi_MR_series"
#define BURNED_IN  "phi-burned-in"

static const char test_key[] = "lacuna-export-test-key-0123456789abcdef";

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                  */

static char *
sha256_of (const char *path)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, len);
}

/* relative path → sha256, for every file under dir but the hidden manifests and the
 * DICOMDIR (whose Media Storage SOP Instance UID DCMTK makes new each time). */
static GHashTable *
tree_hashes (const char *dir)
{
  g_autoptr(GPtrArray) files = lacuna_test_list_files (dir);
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  gsize prefix = strlen (dir) + 1;

  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);
      g_autofree char *base = g_path_get_basename (path);

      if (base[0] == '.' || strcmp (base, "DICOMDIR") == 0)
        continue;
      g_hash_table_insert (table, g_strdup (path + prefix), sha256_of (path));
    }
  return table;
}

static void
assert_same_hashes (GHashTable *a,
                    GHashTable *b)
{
  GHashTableIter iter;
  gpointer key, value;

  g_assert_cmpuint (g_hash_table_size (a), ==, g_hash_table_size (b));
  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_assert_cmpstr (value, ==, g_hash_table_lookup (b, key));
}

static JsonObject *
load_json (const char *path)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static gboolean
is_file_id_component (const char *s)
{
  if (strlen (s) != 8)
    return FALSE;
  for (const char *p = s; *p; p++)
    if (!(g_ascii_isupper (*p) || g_ascii_isdigit (*p) || *p == '_'))
      return FALSE;
  return TRUE;
}

/* Values of identifying attributes in the inputs, read with dcmdump. */
static const char *needle_tags[] = {
  "(0010,0010)", "(0010,0020)", "(0010,0030)", "(0010,1000)", "(0010,1001)", "(0010,1040)",
  "(0010,1060)", "(0010,2154)", "(0008,0080)", "(0008,0081)", "(0008,0090)", "(0008,1048)",
  "(0008,1050)", "(0008,1060)", "(0008,1070)", "(0008,0050)", "(0010,0021)",
  "(0018,1000)",
};

static void
add_needle (GHashTable *needles,
            const char *value)
{
  g_autofree char *v = g_strstrip (g_strdup (value));
  static const char *generic[] = { "ANONYMOUS", "Anonymized", "ANONYMIZED", "UNKNOWN",
                                   "(no value available)", "Unknown",
                                   /* NAME^PATIENT^NAME: also a DICOMDIR record type */
                                   "PATIENT" };

  if (strlen (v) < 5)
    return;
  /* Placeholders such as the birth date "11111111" also occur in pixel bytes by chance. */
  if (strspn (v, (char[]) { v[0], '\0' }) == strlen (v))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (generic); i++)
    if (g_ascii_strcasecmp (v, generic[i]) == 0)
      return;
  g_hash_table_add (needles, g_steal_pointer (&v));
}

static void
collect_needles (const char *file,
                 GHashTable *needles)
{
  const char *argv[] = { "dcmdump", "-q", "+L", "-M", file, NULL };
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;

  if (lacuna_test_run (argv, &out, NULL) != 0 || out == NULL)
    return;
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      const char *open, *close;

      while (*line == ' ')
        line++;
      for (guint t = 0; t < G_N_ELEMENTS (needle_tags); t++)
        {
          g_autofree char *value = NULL;

          if (!g_str_has_prefix (line, needle_tags[t]))
            continue;
          open = strchr (line, '[');
          close = open != NULL ? strrchr (open, ']') : NULL;
          if (open == NULL || close == NULL)
            continue;
          value = g_strndup (open + 1, close - open - 1);
          add_needle (needles, value);
          /* Names: each component, and each value of a multi-valued element. */
          {
            g_auto(GStrv) parts = g_strsplit_set (value, "^\\=", -1);

            for (guint p = 0; parts[p] != NULL; p++)
              add_needle (needles, parts[p]);
          }
        }
    }
}

static GHashTable *
needles_of (GPtrArray *inputs)
{
  GHashTable *needles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < inputs->len; i++)
    collect_needles (g_ptr_array_index (inputs, i), needles);
  return needles;
}

static gboolean
contains_bytes (const char *data,
                gsize       len,
                const char *needle)
{
  gsize n = strlen (needle);

  if (n == 0 || n > len)
    return FALSE;
  for (const char *p = data; (p = memchr (p, needle[0], len - (p - data) - n + 1)) != NULL; p++)
    {
      if (memcmp (p, needle, n) == 0)
        return TRUE;
      if ((gsize) (p - data) + n >= len)
        break;
    }
  return FALSE;
}

/* No needle in any byte of any output file, nor in any file or folder name. */
static void
assert_no_needles (const char *outdir,
                   GHashTable *needles)
{
  g_autoptr(GPtrArray) files = lacuna_test_list_files (outdir);

  g_assert_cmpuint (g_hash_table_size (needles), >, 0);
  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);
      g_autofree char *data = NULL;
      gsize len = 0;
      GHashTableIter iter;
      gpointer needle;

      g_assert_true (g_file_get_contents (path, &data, &len, NULL));
      g_hash_table_iter_init (&iter, needles);
      while (g_hash_table_iter_next (&iter, &needle, NULL))
        {
          if (contains_bytes (data, len, needle))
            g_error ("an identifying value of the input (%zu bytes) is in %s",
                     strlen (needle), path);
          if (strstr (path + strlen (outdir), needle) != NULL)
            g_error ("an identifying value of the input is in the name %s", path);
        }
    }
}

/* Every output: zero preamble + DICM, names of the file-ID scheme. */
static guint
assert_output_tree (const char *outdir)
{
  g_autoptr(GPtrArray) files = lacuna_test_list_files (outdir);
  gsize prefix = strlen (outdir) + 1;
  guint n = 0;

  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);
      const char *rel = path + prefix;
      g_auto(GStrv) parts = g_strsplit (rel, "/", -1);
      g_autofree char *data = NULL;
      gsize len = 0;

      if (parts[0][0] == '.')
        {
          g_assert_true (g_str_has_prefix (parts[0], ".lacuna-shard-"));
          g_assert_null (strstr (rel, ".lacuna-tmp-"));
          continue;
        }
      g_assert_null (strstr (rel, ".lacuna-tmp-"));
      if (strcmp (rel, "DICOMDIR") != 0)
        {
          g_assert_cmpuint (g_strv_length (parts), ==, 5);
          g_assert_cmpstr (parts[0], ==, "DICOM");
          for (guint j = 1; j < 5; j++)
            g_assert_true (is_file_id_component (parts[j]));
          n++;
        }
      g_assert_true (g_file_get_contents (path, &data, &len, NULL));
      g_assert_cmpuint (len, >, 132);
      for (guint j = 0; j < 128; j++)
        g_assert_cmpint (data[j], ==, 0);
      g_assert_cmpmem (data + 128, 4, "DICM", 4);
    }
  return n;
}

/* The DICOMDIR lists every instance file (dcmdump), and the report beside the folder
 * holds the sha256 of every output (sha256sum). */
static void
assert_dicomdir_and_report (const char *outdir,
                            guint       n_files)
{
  g_autofree char *dicomdir = g_build_filename (outdir, "DICOMDIR", NULL);
  g_autofree char *report_path = g_strconcat (outdir, ".report.json", NULL);
  g_autofree char *html_path = g_strconcat (outdir, ".report.html", NULL);
  const char *dump_argv[] = { "dcmdump", "-q", dicomdir, NULL };
  g_autofree char *dump = NULL;
  g_autoptr(JsonObject) report = NULL;
  JsonArray *files;
  guint n_refs = 0;

  g_assert_true (g_file_test (dicomdir, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (lacuna_test_run (dump_argv, &dump, NULL), ==, 0);
  for (const char *p = dump; (p = strstr (p, "(0004,1500)")) != NULL; p++)
    n_refs++;
  g_assert_cmpuint (n_refs, ==, n_files);

  g_assert_true (g_file_test (report_path, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (html_path, G_FILE_TEST_IS_REGULAR));
  report = load_json (report_path);
  files = json_object_get_array_member (report, "files");
  g_assert_cmpuint (json_array_get_length (files), ==, n_files);
  for (guint i = 0; i < json_array_get_length (files); i++)
    {
      JsonObject *f = json_array_get_object_element (files, i);
      g_autofree char *path = g_build_filename (outdir,
                                                json_object_get_string_member (f, "file-id"),
                                                NULL);
      const char *argv[] = { "sha256sum", path, NULL };
      g_autofree char *out = NULL;

      g_assert_cmpint (lacuna_test_run (argv, &out, NULL), ==, 0);
      g_assert_true (g_str_has_prefix (out, json_object_get_string_member (f, "sha256")));
      g_assert_true (json_object_has_member (f, "changes"));
      /* The list it names is in the report, and says what was done to the patient's
       * name (a Z or D action, by tag and keyword, never a value). */
      {
        JsonArray *changes = lacuna_report_get_changes (report, f);
        gboolean name_changed = FALSE;

        g_assert_nonnull (changes);
        for (guint j = 0; j < json_array_get_length (changes); j++)
          {
            JsonObject *c = json_array_get_object_element (changes, j);

            if (g_strcmp0 (json_object_get_string_member (c, "tag"), "(0010,0010)") == 0)
              name_changed = g_strcmp0 (json_object_get_string_member (c, "keyword"),
                                        "PatientName") == 0;
          }
        g_assert_true (name_changed);
      }
    }
  /* Every list is named by a file; files with the same changes share one. */
  {
    g_autoptr(GHashTable) named = g_hash_table_new (g_str_hash, g_str_equal);

    for (guint i = 0; i < json_array_get_length (files); i++)
      g_hash_table_add (named, (gpointer) json_object_get_string_member (
                                 json_array_get_object_element (files, i), "changes"));
    g_assert_cmpuint (json_object_get_size (json_object_get_object_member (report,
                                                                           "change-lists")),
                      ==, g_hash_table_size (named));
    if (n_files >= 10)
      g_assert_cmpuint (g_hash_table_size (named), <, n_files);
  }
  {
    JsonObject *d = json_object_get_object_member (report, "dicomdir");

    g_assert_nonnull (d);
    g_autofree char *sha = sha256_of (dicomdir);

    g_assert_cmpstr (json_object_get_string_member (d, "sha256"), ==, sha);
  }
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (report,
                                                                                "counts"),
                                                 "balanced"));
}

static GPtrArray *
dicom_files (const char *outdir)
{
  g_autoptr(GPtrArray) all = lacuna_test_list_files (outdir);
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < all->len; i++)
    if (strstr (g_ptr_array_index (all, i), "/DICOM/") != NULL)
      g_ptr_array_add (files, g_strdup (g_ptr_array_index (all, i)));
  return files;
}

static GHashTable *
input_checksums (GPtrArray *files)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; i < files->len; i++)
    g_hash_table_insert (table, g_strdup (g_ptr_array_index (files, i)),
                         sha256_of (g_ptr_array_index (files, i)));
  return table;
}

/* ---------------------------------------------------------------------------------------- */
/* Unit: file IDs and shards                                                                */

static void
test_file_id (void)
{
  g_autofree char *a = lacuna_export_file_id ("LAC1", "2.25.1", "2.25.2", "2.25.3");
  g_autofree char *b = lacuna_export_file_id ("LAC1", "2.25.1", "2.25.2", "2.25.3");
  g_autofree char *c = lacuna_export_file_id ("LAC1", "2.25.1", "2.25.2", "2.25.4");
  g_auto(GStrv) parts = g_strsplit (a, "/", -1);
  g_autoptr(LacunaKey) key = lacuna_key_new_from_data (test_key, sizeof test_key - 1, NULL);
  guint counts[3] = { 0 };

  g_assert_cmpstr (a, ==, b);
  g_assert_cmpstr (a, !=, c);
  g_assert_cmpuint (g_strv_length (parts), ==, 5);
  g_assert_cmpstr (parts[0], ==, "DICOM");
  g_assert_true (parts[1][0] == 'P' && parts[2][0] == 'S' && parts[3][0] == 'S' &&
                 parts[4][0] == 'I');
  for (guint i = 1; i < 5; i++)
    g_assert_true (is_file_id_component (parts[i]));

  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *uid = g_strdup_printf ("1.2.3.%u", i);
      guint s = lacuna_export_shard_of_study (key, uid, 3);

      g_assert_cmpuint (s, <, 3);
      g_assert_cmpuint (s, ==, lacuna_export_shard_of_study (key, uid, 3));
      counts[s]++;
    }
  for (guint i = 0; i < 3; i++)
    g_assert_cmpuint (counts[i], >, 50);
  g_assert_cmpuint (lacuna_export_shard_of_study (key, "1.2", 1), ==, 0);
}

static void
test_default_report_path (void)
{
  g_autofree char *a = lacuna_export_dup_default_report_path ("/x/out", FALSE);
  g_autofree char *b = lacuna_export_dup_default_report_path ("/x/out/", FALSE);
  g_autofree char *c = lacuna_export_dup_default_report_path ("/x/out.zip", TRUE);

  g_assert_cmpstr (a, ==, "/x/out.report.json");
  g_assert_cmpstr (b, ==, "/x/out.report.json");
  g_assert_cmpstr (c, ==, "/x/out.report.json");
}

/* ---------------------------------------------------------------------------------------- */
/* The sample study                                                                         */

typedef struct
{
  char *tmp;
  char *input;
  char *key;
} Sample;

static gboolean
sample_setup (Sample *s)
{
  g_autoptr(GError) error = NULL;

  if (!lacuna_test_have_cli ())
    return FALSE;
  s->tmp = lacuna_test_make_tmpdir ();
  s->input = g_build_filename (s->tmp, "in", NULL);
  s->key = lacuna_test_make_key_file (s->tmp, test_key);
  g_assert_true (lacuna_sample_write (s->input, NULL, &error));
  g_assert_no_error (error);
  return TRUE;
}

static void
sample_clear (Sample *s)
{
  g_free (s->tmp);
  g_free (s->input);
  g_free (s->key);
}

static void
test_sample (void)
{
  Sample s = { 0 };
  g_autofree char *out = NULL;
  g_autofree char *stdout_text = NULL;
  g_autoptr(GPtrArray) inputs = NULL;
  g_autoptr(GHashTable) needles = NULL;
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_autofree char *out2 = NULL;
  g_autoptr(GHashTable) h1 = NULL;
  g_autoptr(GHashTable) h2 = NULL;
  guint n;

  if (!sample_setup (&s))
    return;
  if (!lacuna_test_require_program ("dcmdump", "dcmtk") ||
      !lacuna_test_require_program ("sha256sum", "coreutils"))
    {
      sample_clear (&s);
      return;
    }
  inputs = lacuna_test_list_files (s.input);
  before = input_checksums (inputs);
  needles = needles_of (inputs);
  g_assert_true (g_hash_table_contains (needles, LACUNA_SAMPLE_PATIENT_NAME));
  g_assert_true (g_hash_table_contains (needles, "QUILLFEATHER"));

  out = g_build_filename (s.tmp, "out", NULL);
  g_assert_cmpint (run_cli (&stdout_text, NULL, "clean", "--key-file", s.key, "--jobs", "2",
                            s.input, "-o", out, NULL), ==, 0);
  g_assert_nonnull (strstr (stdout_text, "Wrote"));

  n = assert_output_tree (out);
  g_assert_cmpuint (n, ==, LACUNA_SAMPLE_N_FILES);
  assert_no_needles (out, needles);
  assert_dicomdir_and_report (out, n);
  {
    g_autofree char *report = g_strconcat (out, ".report.json", NULL);
    g_autofree char *text = NULL;
    GHashTableIter iter;
    gpointer needle;

    g_assert_true (g_file_get_contents (report, &text, NULL, NULL));
    g_hash_table_iter_init (&iter, needles);
    while (g_hash_table_iter_next (&iter, &needle, NULL))
      g_assert_null (strstr (text, needle));
  }

  /* Inputs unchanged. */
  after = input_checksums (inputs);
  assert_same_hashes (before, after);

  /* The same key again: byte-identical files. */
  out2 = g_build_filename (s.tmp, "out2", NULL);
  g_assert_cmpint (run_cli (NULL, NULL, "clean", "--key-file", s.key, "--jobs", "1",
                            s.input, "-o", out2, NULL), ==, 0);
  h1 = tree_hashes (out);
  h2 = tree_hashes (out2);
  assert_same_hashes (h1, h2);

  /* Running the same command again over a finished export completes it again. */
  g_assert_cmpint (run_cli (NULL, NULL, "clean", "--key-file", s.key, s.input, "-o", out,
                            NULL), ==, 0);
  {
    g_autoptr(GHashTable) h3 = tree_hashes (out);

    assert_same_hashes (h1, h3);
  }
  sample_clear (&s);
}

/* Large inputs are read from their files, small ones from memory: both paths write the
 * same bytes. The sample is exported twice with a box and the burned-in scan (so the
 * scan's redacted copies and the verification run too), once with every input taken the
 * large files' way. */
static void
test_file_path_same_bytes (void)
{
  Sample s = { 0 };
  g_autofree char *memory = NULL;
  g_autofree char *files = NULL;
  g_autoptr(GHashTable) a = NULL;
  g_autoptr(GHashTable) b = NULL;

  if (!sample_setup (&s))
    return;
  memory = g_build_filename (s.tmp, "memory", NULL);
  files = g_build_filename (s.tmp, "files", NULL);
  g_assert_cmpint (run_cli (NULL, NULL, "clean", "--key-file", s.key, "--redact", "0,0,64,16",
                            "--burned-in", "auto", s.input, "-o", memory, NULL), ==, 0);
  g_setenv ("LACUNA_EXPORT_IN_MEMORY_MAX", "1", TRUE);
  g_assert_cmpint (run_cli (NULL, NULL, "clean", "--key-file", s.key, "--redact", "0,0,64,16",
                            "--burned-in", "auto", s.input, "-o", files, NULL), ==, 0);
  g_unsetenv ("LACUNA_EXPORT_IN_MEMORY_MAX");
  a = tree_hashes (memory);
  b = tree_hashes (files);
  g_assert_cmpuint (g_hash_table_size (a), ==, LACUNA_SAMPLE_N_FILES);
  assert_same_hashes (a, b);
  assert_dicomdir_and_report (files, LACUNA_SAMPLE_N_FILES);
  sample_clear (&s);
}

/* The index pass keeps the inputs it parsed (within a memory budget) for writing: a file
 * kept and one parsed again give the same bytes. Real files with sequences, private
 * elements, character sets and non-image objects, exported both ways. */
static void
test_kept_same_bytes (void)
{
  static const char *sets[] = { "variety/charsets", "variety/private-tags",
                                "variety/sr-pdf-rt", "phi-header" };
  g_autofree char *tmp = NULL;
  g_autofree char *key = NULL;

  if (lacuna_test_get_testdata () == NULL || !lacuna_test_have_cli ())
    return;
  tmp = lacuna_test_make_tmpdir ();
  key = lacuna_test_make_key_file (tmp, test_key);
  for (guint i = 0; i < G_N_ELEMENTS (sets); i++)
    {
      g_autofree char *input = lacuna_test_dup_testdata (sets[i]);
      g_autofree char *name = g_strdelimit (g_strdup (sets[i]), "/", '-');
      g_autofree char *kept_dir = g_strdup_printf ("%s/%s-kept", tmp, name);
      g_autofree char *parsed_dir = g_strdup_printf ("%s/%s-parsed", tmp, name);
      g_autoptr(GHashTable) a = NULL;
      g_autoptr(GHashTable) b = NULL;
      int kept_status, parsed_status;

      if (input == NULL)
        continue;
      kept_status = run_cli (NULL, NULL, "clean", "--key-file", key,
                             "--include-unknown-payloads", input, "-o", kept_dir, NULL);
      g_setenv ("LACUNA_EXPORT_KEPT_BUDGET", "0", TRUE);
      parsed_status = run_cli (NULL, NULL, "clean", "--key-file", key,
                               "--include-unknown-payloads", input, "-o", parsed_dir, NULL);
      g_unsetenv ("LACUNA_EXPORT_KEPT_BUDGET");
      g_assert_cmpint (kept_status, ==, parsed_status);
      a = tree_hashes (kept_dir);
      b = tree_hashes (parsed_dir);
      g_assert_cmpuint (g_hash_table_size (a), >, 0);
      assert_same_hashes (a, b);
    }
}

static void
test_shards (void)
{
  Sample s = { 0 };
  g_autofree char *whole = NULL;
  g_autofree char *sharded = NULL;
  g_autoptr(GHashTable) a = NULL;
  g_autoptr(GHashTable) b = NULL;
  g_autofree char *err = NULL;

  if (!sample_setup (&s))
    return;
  whole = g_build_filename (s.tmp, "whole", NULL);
  sharded = g_build_filename (s.tmp, "sharded", NULL);
  g_assert_cmpint (run_cli (NULL, NULL, "clean", "--key-file", s.key, s.input, "-o", whole,
                            NULL), ==, 0);

  g_assert_cmpint (run_cli (NULL, NULL, "clean", "--key-file", s.key, "--shard", "2/3",
                            s.input, "-o", sharded, NULL), ==, 0);
  /* Not all shards ran yet: finalize refuses. */
  g_assert_cmpint (run_cli (NULL, &err, "finalize", sharded, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "Shard"));
  g_assert_cmpint (run_cli (NULL, NULL, "clean", "--key-file", s.key, "--shard", "0/3",
                            s.input, "-o", sharded, NULL), ==, 0);
  g_assert_cmpint (run_cli (NULL, NULL, "clean", "--key-file", s.key, "--shard", "1/3",
                            s.input, "-o", sharded, NULL), ==, 0);
  g_assert_cmpint (run_cli (NULL, NULL, "finalize", sharded, NULL), ==, 0);

  a = tree_hashes (whole);
  b = tree_hashes (sharded);
  /* The same instance files. */
  assert_same_hashes (a, b);
  assert_dicomdir_and_report (sharded, LACUNA_SAMPLE_N_FILES);
  /* The manifests are gone once the report holds what they said. */
  {
    g_autoptr(GDir) dir = g_dir_open (sharded, 0, NULL);
    const char *name;

    g_assert_nonnull (dir);
    while ((name = g_dir_read_name (dir)) != NULL)
      g_assert_false (g_str_has_prefix (name, ".lacuna-shard-"));
  }

  g_assert_cmpint (run_cli (NULL, NULL, "clean", "--shard", "3/3", s.input, "-o", sharded,
                            NULL), ==, 2);
  sample_clear (&s);
}

static void
test_zip (void)
{
  Sample s = { 0 };
  g_autofree char *folder = NULL;
  g_autofree char *zip = NULL;
  g_autofree char *report = NULL;
  g_autoptr(GHashTable) tree = NULL;
  struct archive *a;
  struct archive_entry *entry;
  gboolean saw_dicomdir = FALSE;
  guint n = 0;

  if (!sample_setup (&s))
    return;
  folder = g_build_filename (s.tmp, "folder", NULL);
  zip = g_build_filename (s.tmp, "out.zip", NULL);
  g_assert_cmpint (run_cli (NULL, NULL, "clean", "--key-file", s.key, s.input, "-o", folder,
                            NULL), ==, 0);
  g_assert_cmpint (run_cli (NULL, NULL, "clean", "--key-file", s.key, "--zip", s.input,
                            "-o", zip, NULL), ==, 0);
  report = g_build_filename (s.tmp, "out.report.json", NULL);
  g_assert_true (g_file_test (report, G_FILE_TEST_IS_REGULAR));
  {
    g_autofree char *staging = g_strconcat (zip, ".lacuna-staging", NULL);

    g_assert_false (g_file_test (staging, G_FILE_TEST_EXISTS));
  }

  tree = tree_hashes (folder);
  a = archive_read_new ();
  archive_read_support_format_zip (a);
  g_assert_cmpint (archive_read_open_filename (a, zip, 65536), ==, ARCHIVE_OK);
  while (archive_read_next_header (a, &entry) == ARCHIVE_OK)
    {
      const char *name = archive_entry_pathname (entry);
      g_autofree guint8 *data = g_malloc (archive_entry_size (entry) + 1);
      g_autofree char *sha = NULL;

      g_assert_cmpint (archive_entry_mtime (entry), ==, 315532800);
      g_assert_cmpint (archive_read_data (a, data, archive_entry_size (entry)), ==,
                       archive_entry_size (entry));
      if (strcmp (name, "DICOMDIR") == 0)
        {
          saw_dicomdir = TRUE;
          continue;
        }
      g_assert_true (g_hash_table_contains (tree, name));
      sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, archive_entry_size (entry));
      g_assert_cmpstr (sha, ==, g_hash_table_lookup (tree, name));
      n++;
    }
  g_assert_cmpuint (n, ==, g_hash_table_size (tree));
  g_assert_true (saw_dicomdir);
  archive_read_free (a);
  {
    /* No archive comment: the end-of-central-directory record ends the file. */
    g_autofree char *data = NULL;
    gsize len = 0;

    g_assert_true (g_file_get_contents (zip, &data, &len, NULL));
    g_assert_cmpuint (len, >, 22);
    g_assert_cmpmem (data + len - 22, 4, "PK\005\006", 4);
    g_assert_cmpint (data[len - 2], ==, 0);
    g_assert_cmpint (data[len - 1], ==, 0);
  }
  sample_clear (&s);
}

static void
test_refusals (void)
{
  Sample s = { 0 };
  g_autofree char *out = NULL;
  g_autofree char *foreign = NULL;
  g_autofree char *inside = NULL;
  g_autofree char *err = NULL;
  g_autofree char *err2 = NULL;

  if (!sample_setup (&s))
    return;
  out = g_build_filename (s.tmp, "out", NULL);
  g_assert_cmpint (g_mkdir (out, 0755), ==, 0);
  foreign = g_build_filename (out, "notes.txt", NULL);
  g_assert_true (g_file_set_contents (foreign, "mine", -1, NULL));
  g_assert_cmpint (run_cli (NULL, &err, "clean", "--key-file", s.key, s.input, "-o", out,
                            NULL), ==, 1);
  g_assert_nonnull (strstr (err, "notes.txt"));
  g_assert_false (g_file_test (g_build_filename (out, "DICOM", NULL), G_FILE_TEST_EXISTS));

  /* An output inside an input folder would be read back by a rerun. */
  inside = g_build_filename (s.input, "cleaned", NULL);
  g_assert_cmpint (run_cli (NULL, &err2, "clean", "--key-file", s.key, s.input, "-o", inside,
                            NULL), ==, 1);
  g_assert_false (g_file_test (inside, G_FILE_TEST_EXISTS));

  /* Usage errors. */
  g_assert_cmpint (run_cli (NULL, NULL, "clean", s.input, NULL), ==, 2);
  g_assert_cmpint (run_cli (NULL, NULL, "clean", "--redact", "1,2,3", s.input, "-o", out,
                            NULL), ==, 2);
  g_assert_cmpint (run_cli (NULL, NULL, "clean", "--zip", "--shard", "0/2", s.input, "-o",
                            out, NULL), ==, 2);
  sample_clear (&s);
}

/* SIGKILL in the middle, then the same command again: complete, no temporary file. */
static void
test_resume (void)
{
  Sample s = { 0 };
  g_autofree char *out = NULL;
  g_autofree char *ref = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) a = NULL;
  g_autoptr(GHashTable) b = NULL;
  GPid pid;
  int status = 0;
  gboolean killed = FALSE;

  if (!sample_setup (&s))
    return;
  out = g_build_filename (s.tmp, "out", NULL);
  ref = g_build_filename (s.tmp, "ref", NULL);
  {
    const char *argv[] = { LACUNA_CLI_PATH, "clean", "--key-file", s.key, "--jobs", "1",
                           s.input, "-o", out, NULL };

    g_assert_true (g_spawn_async (NULL, (char **) argv, NULL,
                                  G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL |
                                  G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &pid, &error));
  }
  /* Wait until a few files are written (or the run ends), then kill it. */
  for (guint i = 0; i < 6000; i++)
    {
      g_autoptr(GPtrArray) files = NULL;
      guint n = 0;

      if (waitpid (pid, &status, WNOHANG) == pid)
        break;
      if (g_file_test (out, G_FILE_TEST_IS_DIR))
        {
          files = lacuna_test_list_files (out);
          for (guint j = 0; j < files->len; j++)
            if (strstr (g_ptr_array_index (files, j), "/DICOM/") != NULL)
              n++;
        }
      if (n >= 5)
        {
          kill (pid, SIGKILL);
          waitpid (pid, &status, 0);
          killed = TRUE;
          break;
        }
      g_usleep (10 * 1000);
    }
  g_spawn_close_pid (pid);
  if (!killed)
    g_test_message ("the export ended before it could be killed");

  g_assert_cmpint (run_cli (NULL, NULL, "clean", "--key-file", s.key, s.input, "-o", out,
                            NULL), ==, 0);
  g_assert_cmpint (run_cli (NULL, NULL, "clean", "--key-file", s.key, s.input, "-o", ref,
                            NULL), ==, 0);
  g_assert_cmpuint (assert_output_tree (out), ==, LACUNA_SAMPLE_N_FILES);
  a = tree_hashes (out);
  b = tree_hashes (ref);
  assert_same_hashes (a, b);

  /* A finished unsharded output holds no manifest; a rerun on it still recognises it by
   * the report beside it and writes the same files. */
  {
    g_autofree char *manifest = g_build_filename (ref, ".lacuna-shard-0-of-1.json", NULL);
    g_autoptr(GHashTable) c = NULL;

    g_assert_false (g_file_test (manifest, G_FILE_TEST_EXISTS));
    g_assert_cmpint (run_cli (NULL, NULL, "clean", "--key-file", s.key, s.input, "-o", ref,
                              NULL), ==, 0);
    g_assert_false (g_file_test (manifest, G_FILE_TEST_EXISTS));
    c = tree_hashes (ref);
    assert_same_hashes (b, c);
  }
  sample_clear (&s);
}

/* A non-DICOM file is skipped and listed; an MZ preamble is reported and zeroed. */
static void
test_skipped_and_preamble (void)
{
  Sample s = { 0 };
  g_autofree char *out = NULL;
  g_autofree char *note = NULL;
  g_autofree char *report_path = NULL;
  g_autofree char *mz = NULL;
  g_autofree char *data = NULL;
  g_autoptr(JsonObject) report = NULL;
  const char * const *ids = lacuna_sample_get_file_ids ();
  g_autofree char *first = NULL;
  gsize len = 0;
  guint n_preamble = 0;
  JsonArray *skipped, *warnings;

  if (!sample_setup (&s))
    return;
  note = g_build_filename (s.input, "README.TXT", NULL);
  g_assert_true (g_file_set_contents (note, "Viewer for this CD: run VIEWER.EXE\n", -1, NULL));

  /* One input with a Windows executable header in its preamble. */
  first = g_build_filename (s.input, ids[0], NULL);
  g_assert_true (g_file_get_contents (first, &data, &len, NULL));
  memset (data, 0x90, 128);
  data[0] = 'M';
  data[1] = 'Z';
  mz = g_build_filename (s.tmp, "mz", NULL);
  g_assert_cmpint (g_mkdir (mz, 0755), ==, 0);
  g_free (first);
  first = g_build_filename (mz, "polyglot.dcm", NULL);
  g_assert_true (g_file_set_contents (first, data, len, NULL));
  /* Replace the original so the SOP Instance UID is not a duplicate (and the DICOMDIR
   * that lists it). */
  {
    g_autofree char *orig = g_build_filename (s.input, ids[0], NULL);
    g_autofree char *dicomdir = g_build_filename (s.input, "DICOMDIR", NULL);

    g_assert_cmpint (g_unlink (orig), ==, 0);
    g_assert_cmpint (g_unlink (dicomdir), ==, 0);
  }

  out = g_build_filename (s.tmp, "out", NULL);
  g_assert_cmpint (run_cli (NULL, NULL, "clean", "--key-file", s.key, s.input, mz, "-o", out,
                            NULL), ==, 0);
  g_assert_cmpuint (assert_output_tree (out), ==, LACUNA_SAMPLE_N_FILES);

  report_path = g_strconcat (out, ".report.json", NULL);
  report = load_json (report_path);
  skipped = json_object_get_array_member (report, "skipped");
  g_assert_cmpuint (json_array_get_length (skipped), ==, 1);
  g_assert_nonnull (strstr (json_object_get_string_member (
                              json_array_get_object_element (skipped, 0), "input"),
                            "README.TXT"));
  /* One preamble warning (the others: burned-in text, see /core/export/burned-in-off). */
  warnings = json_object_get_array_member (report, "warnings");
  for (guint i = 0; i < json_array_get_length (warnings); i++)
    {
      const char *w = json_object_get_string_member (json_array_get_object_element (warnings, i),
                                                     "warning");

      if (strstr (w, "preamble") != NULL)
        {
          g_assert_nonnull (strstr (w, "MZ"));
          n_preamble++;
        }
      else
        g_assert_nonnull (strstr (w, "burned-in text"));
    }
  g_assert_cmpuint (n_preamble, ==, 1);
  sample_clear (&s);
}

/* --redact fills one box on every frame of every image, and the report says where. Boxed
 * pixels are verified after writing: the ultrasound and the dose report keep text outside
 * the box (their identity among it), so they fail loudly and are not written. */
static void
test_redact (void)
{
  Sample s = { 0 };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *report_path = NULL;
  g_autoptr(JsonObject) report = NULL;
  JsonArray *files;
  JsonArray *failed;
  JsonObject *verification;
  guint n_with_regions = 0;
  gboolean us_failed = FALSE;

  if (!sample_setup (&s))
    return;
  out = g_build_filename (s.tmp, "out", NULL);
  g_assert_cmpint (run_cli (NULL, &err, "clean", "--key-file", s.key, "--redact", "0,0,64,16",
                            s.input, "-o", out, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "verification of the written pixels failed"));
  report_path = g_strconcat (out, ".report.json", NULL);
  report = load_json (report_path);

  failed = json_object_get_array_member (report, "failed");
  for (guint i = 0; i < json_array_get_length (failed); i++)
    {
      JsonObject *f = json_array_get_object_element (failed, i);
      JsonObject *v = json_object_get_object_member (f, "verification");

      /* Only verification failures, each saying what remains (counts and boxes). */
      g_assert_nonnull (v);
      g_assert_false (json_object_get_boolean_member (v, "passed"));
      g_assert_cmpint (json_object_get_int_member (v, "text-lines-left"), >, 0);
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (v, "left")), ==,
                        json_object_get_int_member (v, "text-lines-left"));
      g_assert_cmpint (json_object_get_int_member (v, "pixels-changed-outside-boxes"), ==, 0);
      g_assert_true (g_str_has_prefix (json_object_get_string_member (v, "result"),
                                       "failed: "));
      if (g_str_has_suffix (json_object_get_string_member (f, "input"), "US/IM000001"))
        {
          us_failed = TRUE;
          g_assert_cmpint (json_object_get_int_member (v, "identity-lines-left"), >, 0);
        }
    }
  g_assert_true (us_failed);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (report,
                                                                              "verification"),
                                               "failed"), ==, json_array_get_length (failed));
  /* Nothing of a failed file is left in the tree, and the DICOMDIR lists what was written. */
  g_assert_cmpuint (assert_output_tree (out), ==,
                    LACUNA_SAMPLE_N_FILES - json_array_get_length (failed));
  assert_dicomdir_and_report (out, LACUNA_SAMPLE_N_FILES - json_array_get_length (failed));

  files = json_object_get_array_member (report, "files");
  for (guint i = 0; i < json_array_get_length (files); i++)
    {
      JsonObject *f = json_array_get_object_element (files, i);
      JsonObject *pixels = json_object_get_object_member (f, "pixels");
      JsonArray *regions;

      if (pixels == NULL)
        continue;
      verification = json_object_get_object_member (f, "verification");
      g_assert_nonnull (verification);
      g_assert_true (json_object_get_boolean_member (verification, "passed"));
      g_assert_cmpint (json_object_get_int_member (verification, "boxes-checked"), ==, 1);
      g_assert_false (json_object_has_member (f, "burned-in"));   /* no scan: off */
      regions = json_object_get_array_member (pixels, "regions");
      g_assert_cmpuint (json_array_get_length (regions), >=, 1);
      for (guint j = 0; j < json_array_get_length (regions); j++)
        {
          JsonObject *r = json_array_get_object_element (regions, j);

          g_assert_cmpint (json_object_get_int_member (r, "x"), ==, 0);
          g_assert_cmpint (json_object_get_int_member (r, "width"), ==, 64);
          g_assert_cmpint (json_object_get_int_member (r, "height"), ==, 16);
        }
      n_with_regions++;
    }
  g_assert_cmpuint (n_with_regions, >=, LACUNA_SAMPLE_CT_SLICES - 4);
  sample_clear (&s);
}

/* Boxes need the text verification, which needs Tesseract: when its library cannot be
 * loaded, the export fails at once with a message that names the package, and leaves no
 * output folder. */
static void
test_ocr_missing (void)
{
  Sample s = { 0 };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *missing = NULL;

  if (!sample_setup (&s))
    return;
  out = g_build_filename (s.tmp, "out", NULL);
  missing = g_build_filename (s.tmp, "libtesseract.so.5", NULL);
  g_setenv ("LACUNA_TESSERACT_LIBRARY", missing, TRUE);
  g_assert_cmpint (run_cli (NULL, &err, "clean", "--key-file", s.key, "--redact", "0,0,64,16",
                            s.input, "-o", out, NULL), ==, 1);
  g_unsetenv ("LACUNA_TESSERACT_LIBRARY");
  if (strstr (err, "tesseract-ocr-eng") != NULL && strstr (err, "libtesseract5") == NULL)
    {
      g_test_skip ("Tesseract's English data (tesseract-ocr-eng) is not installed");
      sample_clear (&s);
      return;
    }
  g_assert_nonnull (strstr (err, "needs Tesseract"));
  g_assert_nonnull (strstr (err, "libtesseract5"));
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  sample_clear (&s);
}

/* Without boxes and without a scan, images that likely show text are written with a
 * warning (stderr and report); Clean Pixel Data is refused without the scan. */

static void
test_burned_in_off (void)
{
  Sample s = { 0 };
  g_autofree char *out = NULL;
  g_autofree char *out2 = NULL;
  g_autofree char *err = NULL;
  g_autofree char *err2 = NULL;
  g_autofree char *report_path = NULL;
  g_autoptr(JsonObject) report = NULL;
  JsonArray *warnings;
  JsonArray *files;
  guint n_warned = 0;
  LacunaExportBurnedIn mode = LACUNA_EXPORT_BURNED_IN_AUTO;

  g_assert_true (lacuna_export_burned_in_from_string ("off", &mode));
  g_assert_cmpint (mode, ==, LACUNA_EXPORT_BURNED_IN_OFF);
  g_assert_true (lacuna_export_burned_in_from_string ("auto", &mode));
  g_assert_cmpint (mode, ==, LACUNA_EXPORT_BURNED_IN_AUTO);
  g_assert_false (lacuna_export_burned_in_from_string ("on", &mode));
  g_assert_false (lacuna_export_burned_in_from_string (NULL, &mode));
  g_assert_cmpstr (lacuna_export_burned_in_to_string (LACUNA_EXPORT_BURNED_IN_AUTO), ==, "auto");
  g_assert_cmpstr (lacuna_export_burned_in_to_string (LACUNA_EXPORT_BURNED_IN_OFF), ==, "off");
  {
    g_autoptr(LacunaExportOptions) options = lacuna_export_options_new ();

    g_assert_cmpint (options->burned_in, ==, LACUNA_EXPORT_BURNED_IN_OFF);
  }

  if (!sample_setup (&s))
    return;
  out = g_build_filename (s.tmp, "out", NULL);
  g_assert_cmpint (run_cli (NULL, &err, "clean", "--key-file", s.key, s.input, "-o", out, NULL),
                   ==, 0);
  g_assert_nonnull (strstr (err, "(0028,0301) BurnedInAnnotation is YES"));
  report_path = g_strconcat (out, ".report.json", NULL);
  report = load_json (report_path);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (report,
                                                                                 "options"),
                                                  "burned-in"), ==, "off");
  warnings = json_object_get_array_member (report, "warnings");
  for (guint i = 0; i < json_array_get_length (warnings); i++)
    {
      const char *w = json_object_get_string_member (json_array_get_object_element (warnings, i),
                                                     "warning");

      if (strstr (w, "BurnedInAnnotation") != NULL || strstr (w, "Modality") != NULL)
        n_warned++;
    }
  g_assert_cmpuint (n_warned, ==, 2);   /* the ultrasound and the dose report */
  files = json_object_get_array_member (report, "files");
  for (guint i = 0; i < json_array_get_length (files); i++)
    {
      JsonObject *f = json_array_get_object_element (files, i);

      g_assert_false (json_object_has_member (f, "verification"));
      g_assert_false (json_object_has_member (f, "burned-in"));
    }
  /* (0028,0301) stays YES, and 113101 is not claimed. */
  if (lacuna_test_require_program ("dcmdump", "dcmtk"))
    {
      g_autoptr(GPtrArray) outputs = dicom_files (out);

      for (guint i = 0; i < outputs->len; i++)
        {
          const char *argv[] = { "dcmdump", "-q", g_ptr_array_index (outputs, i), NULL };
          g_autofree char *dump = NULL;

          g_assert_cmpint (lacuna_test_run (argv, &dump, NULL), ==, 0);
          g_assert_null (strstr (dump, "[113101]"));
          g_assert_null (strstr (dump, "Clean Pixel Data"));
          g_assert_null (strstr (dump, "(0028,0301) CS [NO]"));
        }
    }

  out2 = g_build_filename (s.tmp, "out2", NULL);
  g_assert_cmpint (run_cli (NULL, &err2, "clean", "--key-file", s.key, "--clean-pixel-data",
                            "--burned-in", "off", s.input, "-o", out2, NULL), ==, 2);
  g_assert_nonnull (strstr (err2, "--burned-in auto"));
  g_clear_pointer (&err2, g_free);
  g_assert_cmpint (run_cli (NULL, &err2, "clean", "--key-file", s.key, "--burned-in", "maybe",
                            s.input, "-o", out2, NULL), ==, 2);
  g_assert_false (g_file_test (out2, G_FILE_TEST_EXISTS));
  sample_clear (&s);
}

/* ---------------------------------------------------------------------------------------- */
/* Real data                                                                                */

static guint
count_errors (const char *file,
              GHashTable *lines)
{
  const char *argv[] = { "dciodvfy", file, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) split = NULL;
  guint n = 0;

  lacuna_test_run (argv, &out, &err);
  split = g_strsplit (err != NULL ? err : "", "\n", -1);
  for (guint i = 0; split[i] != NULL; i++)
    if (g_str_has_prefix (split[i], "Error"))
      {
        if (lines != NULL)
          g_hash_table_add (lines, g_strdup (split[i]));
        n++;
      }
  return n;
}

/* UIDs named (defined) by a file and those referenced, via dcmdump. */
static void
collect_uids (const char *file,
              GHashTable *defined,
              GPtrArray  *referenced)
{
  const char *argv[] = { "dcmdump", "-q", "-M", file, NULL };
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;

  if (lacuna_test_run (argv, &out, NULL) != 0)
    return;   /* not DICOM (the inputs hold text files too) */
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      gboolean top = lines[i][0] == '(';
      const char *line = g_strchug (lines[i]);
      const char *open = strchr (line, '[');
      const char *close = open != NULL ? strchr (open, ']') : NULL;
      g_autofree char *value = NULL;

      if (open == NULL || close == NULL || strstr (line, " UI ") == NULL)
        continue;
      value = g_strndup (open + 1, close - open - 1);
      if (g_str_has_prefix (line, "(0008,1155)"))
        g_ptr_array_add (referenced, g_strdup (value));
      else if (top && (g_str_has_prefix (line, "(0008,0018)") ||
                       g_str_has_prefix (line, "(0020,000d)") ||
                       g_str_has_prefix (line, "(0020,000e)")))
        g_hash_table_add (defined, g_strdup (value));
    }
}

static guint
count_resolved (GPtrArray *files)
{
  g_autoptr(GHashTable) defined = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) referenced = g_ptr_array_new_with_free_func (g_free);
  guint n = 0;

  for (guint i = 0; i < files->len; i++)
    collect_uids (g_ptr_array_index (files, i), defined, referenced);
  for (guint i = 0; i < referenced->len; i++)
    if (g_hash_table_contains (defined, g_ptr_array_index (referenced, i)))
      n++;
  return n;
}

/* No UID of the inputs (defined or referenced) is left in the outputs' references. */
static void
assert_references_remapped (GPtrArray *inputs,
                            GPtrArray *outputs)
{
  g_autoptr(GHashTable) in_defined = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                            NULL);
  g_autoptr(GPtrArray) in_referenced = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) out_defined = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                             NULL);
  g_autoptr(GPtrArray) out_referenced = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < inputs->len; i++)
    collect_uids (g_ptr_array_index (inputs, i), in_defined, in_referenced);
  for (guint i = 0; i < in_referenced->len; i++)
    g_hash_table_add (in_defined, g_strdup (g_ptr_array_index (in_referenced, i)));
  for (guint i = 0; i < outputs->len; i++)
    collect_uids (g_ptr_array_index (outputs, i), out_defined, out_referenced);
  for (guint i = 0; i < out_referenced->len; i++)
    g_assert_false (g_hash_table_contains (in_defined, g_ptr_array_index (out_referenced, i)));
}

/* references_kept: every reference that resolved among the inputs still resolves among
 * the outputs (FALSE when the profile removes the sequence holding one). */
static void
check_real (const char *relative,
            guint       expected_min,
            gboolean    references_kept)
{
  g_autofree char *input = lacuna_test_dup_testdata (relative);
  g_autofree char *tmp = NULL;
  g_autofree char *key = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GPtrArray) inputs = NULL;
  g_autoptr(GPtrArray) outputs = NULL;
  g_autoptr(GHashTable) needles = NULL;
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_autofree char *err = NULL;
  int status;
  guint n;

  if (input == NULL || !lacuna_test_have_cli () ||
      !lacuna_test_require_program ("dcmdump", "dcmtk"))
    return;
  tmp = lacuna_test_make_tmpdir ();
  key = lacuna_test_make_key_file (tmp, test_key);
  out = g_build_filename (tmp, "out", NULL);
  inputs = lacuna_test_list_files (input);
  before = input_checksums (inputs);
  needles = needles_of (inputs);

  /* Compressed inputs stay compressed (the RLE chest radiograph): the DICOMDIR takes
   * them. */
  status = run_cli (NULL, &err, "clean", "--key-file", key, input, "-o", out, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_null (strstr (err, "DICOMDIR"));
  n = assert_output_tree (out);
  g_assert_cmpuint (n, >=, expected_min);
  assert_no_needles (out, needles);
  assert_dicomdir_and_report (out, n);
  after = input_checksums (inputs);
  assert_same_hashes (before, after);

  outputs = dicom_files (out);
  if (references_kept)
    g_assert_cmpuint (count_resolved (outputs), >=, count_resolved (inputs));
  assert_references_remapped (inputs, outputs);

  if (g_find_program_in_path ("dciodvfy") != NULL)
    {
      g_autofree char *dicomdir = g_build_filename (out, "DICOMDIR", NULL);

      g_autoptr(GHashTable) in_lines = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                              g_free, NULL);
      g_autoptr(GHashTable) out_lines = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                               g_free, NULL);
      GHashTableIter iter;
      gpointer line;

      /* No dciodvfy Error line that the inputs did not have. */
      for (guint i = 0; i < inputs->len; i++)
        count_errors (g_ptr_array_index (inputs, i), in_lines);
      for (guint i = 0; i < outputs->len; i++)
        count_errors (g_ptr_array_index (outputs, i), out_lines);
      g_hash_table_iter_init (&iter, out_lines);
      while (g_hash_table_iter_next (&iter, &line, NULL))
        if (!g_hash_table_contains (in_lines, line))
          g_error ("dciodvfy: an Error the inputs did not have: %s", (char *) line);
      g_assert_cmpuint (count_errors (dicomdir, NULL), ==, 0);
    }
}

static void
test_mr_series (void)
{
  check_real (MR_SERIES, 26, TRUE);
}

static void
test_burned_in (void)
{
  /* The only reference that resolves among the inputs is the secondary capture's to its own
   * study, in (0008,1110) Referenced Study Sequence, which the Basic Profile removes. */
  check_real (BURNED_IN, 7, FALSE);
}

/* The chest radiograph (RLE Lossless) is written RLE, and listed in the DICOMDIR. */
static void
test_compressed_dicomdir (void)
{
  g_autofree char *input = lacuna_test_dup_testdata (BURNED_IN "/presidio_CR_chest");
  g_autofree char *tmp = NULL;
  g_autofree char *key = NULL;
  g_autofree char *out = NULL;
  g_autofree char *report_path = NULL;
  g_autoptr(JsonObject) report = NULL;
  JsonArray *files;

  if (input == NULL || !lacuna_test_have_cli () ||
      !lacuna_test_require_program ("dcmdump", "dcmtk"))
    return;
  tmp = lacuna_test_make_tmpdir ();
  key = lacuna_test_make_key_file (tmp, test_key);
  out = g_build_filename (tmp, "out", NULL);
  g_assert_cmpint (run_cli (NULL, NULL, "clean", "--key-file", key, input, "-o", out, NULL),
                   ==, 0);
  report_path = g_strconcat (out, ".report.json", NULL);
  report = load_json (report_path);
  files = json_object_get_array_member (report, "files");
  g_assert_cmpuint (json_array_get_length (files), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (files, 0),
                                                  "transfer-syntax"), ==, "1.2.840.10008.1.2.5");
  assert_dicomdir_and_report (out, 1);
}

static void
test_pdf (void)
{
  g_autofree char *pdf = lacuna_test_dup_testdata (PDF_FILE);
  g_autofree char *tmp = NULL;
  g_autofree char *key = NULL;
  g_autofree char *out = NULL;
  g_autofree char *out2 = NULL;
  g_autofree char *report_path = NULL;
  g_autoptr(JsonObject) report = NULL;
  JsonArray *left_out;

  if (pdf == NULL || !lacuna_test_have_cli ())
    return;
  tmp = lacuna_test_make_tmpdir ();
  key = lacuna_test_make_key_file (tmp, test_key);
  out = g_build_filename (tmp, "out", NULL);
  g_assert_cmpint (run_cli (NULL, NULL, "clean", "--key-file", key, pdf, "-o", out, NULL),
                   ==, 0);
  g_assert_cmpuint (assert_output_tree (out), ==, 0);
  report_path = g_strconcat (out, ".report.json", NULL);
  report = load_json (report_path);
  left_out = json_object_get_array_member (report, "left-out");
  g_assert_cmpuint (json_array_get_length (left_out), ==, 1);
  g_assert_nonnull (strstr (json_object_get_string_member (
                              json_array_get_object_element (left_out, 0), "reason"),
                            "encapsulated document"));

  out2 = g_build_filename (tmp, "out2", NULL);
  g_assert_cmpint (run_cli (NULL, NULL, "clean", "--key-file", key,
                            "--include-unknown-payloads", pdf, "-o", out2, NULL), ==, 0);
  g_assert_cmpuint (assert_output_tree (out2), ==, 1);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The names in dir, sorted, as one string ("a b c"). */
static char *
list_names (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

/* An output file is written whole under its name, a second time over what is there, and
 * never leaves another name behind; into a folder that does not exist nothing is made. */
static void
test_write_into_place (void)
{
  g_autofree char *dir = g_dir_make_tmp ("lacuna-place-XXXXXX", NULL);
  g_autofree char *target = g_build_filename (dir, "I0000001", NULL);
  g_autofree char *tmpl = g_build_filename (dir, ".I0000001.lacuna-tmp-XXXXXX", NULL);
  g_autofree char *tmpl2 = g_strdup (tmpl);
  g_autofree char *missing = g_build_filename (dir, "nowhere", NULL);
  g_autofree char *missing_target = g_build_filename (missing, "I0000002", NULL);
  g_autofree char *missing_tmpl = g_build_filename (missing, ".I0000002.tmp-XXXXXX", NULL);
  g_autofree char *names = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  guint8 first[70000], second[1000];
  GStatBuf st;
  gsize len;

  for (gsize i = 0; i < sizeof first; i++)
    first[i] = (guint8) (i * 7);
  memset (second, 'b', sizeof second);

  g_assert_true (_lacuna_export_write_into_place (dir, tmpl, target, first, sizeof first,
                                                  &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (target, &contents, &len, NULL));
  g_assert_cmpmem (contents, len, first, sizeof first);
  g_assert_cmpint (g_stat (target, &st), ==, 0);
  g_assert_cmpint (st.st_nlink, ==, 1);
  names = list_names (dir);
  g_assert_cmpstr (names, ==, "I0000001");

  /* Over the same name (a rerun): replaced whole. */
  g_assert_true (_lacuna_export_write_into_place (dir, tmpl2, target, second, sizeof second,
                                                  &error));
  g_assert_no_error (error);
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (target, &contents, &len, NULL));
  g_assert_cmpmem (contents, len, second, sizeof second);
  g_clear_pointer (&names, g_free);
  names = list_names (dir);
  g_assert_cmpstr (names, ==, "I0000001");

  g_assert_false (_lacuna_export_write_into_place (missing, missing_tmpl, missing_target,
                                                   second, sizeof second, &error));
  g_assert_nonnull (error);
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
  g_clear_pointer (&names, g_free);
  names = list_names (dir);
  g_assert_cmpstr (names, ==, "I0000001");

  g_unlink (target);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  lacuna_dicom_init ();

  g_test_add_func ("/core/export/file-id", test_file_id);
  g_test_add_func ("/core/export/write-into-place", test_write_into_place);
  g_test_add_func ("/core/export/default-report-path", test_default_report_path);
  g_test_add_func ("/core/export/sample", test_sample);
  g_test_add_func ("/core/export/shards", test_shards);
  g_test_add_func ("/core/export/file-path-same-bytes", test_file_path_same_bytes);
  g_test_add_func ("/core/export/kept-same-bytes", test_kept_same_bytes);
  g_test_add_func ("/core/export/zip", test_zip);
  g_test_add_func ("/core/export/refusals", test_refusals);
  g_test_add_func ("/core/export/resume", test_resume);
  g_test_add_func ("/core/export/skipped-and-preamble", test_skipped_and_preamble);
  g_test_add_func ("/core/export/pdf", test_pdf);
  g_test_add_func ("/core/export/redact", test_redact);
  g_test_add_func ("/core/export/mr-series", test_mr_series);
  g_test_add_func ("/core/export/burned-in", test_burned_in);
  g_test_add_func ("/core/export/burned-in-off", test_burned_in_off);
  g_test_add_func ("/core/export/ocr-missing", test_ocr_missing);
  g_test_add_func ("/core/export/compressed-dicomdir", test_compressed_dicomdir);
  return g_test_run ();
}
