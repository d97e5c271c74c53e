/* test-export-report.c: the report's entries spooled to disk and streamed back.
 *
 * The export keeps each written file's report entry as one line in a temporary file, not in
 * memory, and writes the report and the shard manifests by splicing the entries in. The
 * units are checked against JSON-GLib's own generator and parser over the whole tree (the
 * way the report was written before); end to end, the report of `lacuna-cli clean` is what
 * lacuna_report_to_json and lacuna_report_to_html write for the same tree, byte for byte.
 */
#define G_LOG_DOMAIN "test-export-report"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "lacuna-core.h"
#include "lacuna-dicom.h"
#include "lacuna-report.h"
#include "lacuna-report-spool.h"
#include "lacuna-residual.h"
#include "lacuna-test-util.h"

static const char test_key[] = "lacuna-export-report-test-key-0123456789";

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                  */

static guint
count_entries (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  g_assert_nonnull (d);
  while (g_dir_read_name (d) != NULL)
    n++;
  return n;
}

/* Entries as the exporter writes them: nested objects and arrays, an empty object deep
 * down (its text depends on its depth), doubles, escapes, non-ASCII. */
static const char *entries[] = {
  "{\"file-id\":\"DICOM/P0000002/S0000001/S0000001/I0000001\","
  "\"input\":\"/in/b \\\"q\\\" ,]}.dcm\","
  "\"size\":1234,\"changes\":\"c0123456789abcdef\",\"pixels\":{\"rewritten\":true,"
  "\"regions\":[{\"frame\":-1,\"x\":8,\"y\":8,\"width\":192,\"height\":40}],\"notes\":[]},"
  "\"verification\":{\"passed\":true,\"left\":[],\"extra\":{}},\"residual\":\"none\"}",
  "{\"file-id\":\"DICOM/P0000001/S0000001/S0000001/I0000002\",\"input\":\"/in/é ü › a.dcm\","
  "\"size\":77,\"depth-mm\":0.1,\"ratio\":2.0,\"files\":[1,2],\"nested\":{\"a\":[[],[{}]]}}",
  "{\"file-id\":\"DICOM/P0000001/S0000001/S0000001/I0000001\",\"input\":\"/in/\\u0001\\n\\t.dcm\","
  "\"verification\":{\"passed\":false}}",
};

/* A spool holding entries; in a folder of its own (that must stay empty). */
static LacunaReportSpool *
make_spool (const char *dir,
            guint       n)
{
  g_autofree char *near = g_build_filename (dir, "out", NULL);
  g_autoptr(GError) error = NULL;
  LacunaReportSpool *spool = _lacuna_report_spool_new (near, &error);

  g_assert_no_error (error);
  g_assert_nonnull (spool);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonNode) node = lacuna_test_parse_json (entries[i]);

      g_assert_true (_lacuna_report_spool_add (spool, node, &error));
      g_assert_no_error (error);
    }
  return spool;
}

/* ---------------------------------------------------------------------------------------- */
/* Units                                                                                    */

static void
test_spool (void)
{
  g_autofree char *dir = lacuna_test_make_tmpdir ();
  g_autoptr(LacunaReportSpool) spool = make_spool (dir, G_N_ELEMENTS (entries));
  g_autoptr(GError) error = NULL;
  static const guint sorted[] = { 2, 1, 0 };

  /* Nothing under any name beside the output, while it is in use. */
  g_assert_cmpuint (count_entries (dir), ==, 0);
  g_assert_cmpuint (_lacuna_report_spool_get_length (spool), ==, G_N_ELEMENTS (entries));
  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    {
      g_autoptr(JsonNode) expected = lacuna_test_parse_json (entries[i]);
      g_autoptr(JsonNode) node = _lacuna_report_spool_read (spool, i, &error);

      g_assert_no_error (error);
      g_assert_true (json_node_equal (node, expected));
      g_assert_cmpstr (_lacuna_report_spool_get_file_id (spool, i), ==,
                       json_object_get_string_member (json_node_get_object (expected),
                                                      "file-id"));
      _lacuna_report_spool_set_flags (spool, i, i + 1);
    }

  /* By file ID; the flags go with their entries. */
  g_assert_true (_lacuna_report_spool_sort (spool, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (sorted); i++)
    {
      g_autoptr(JsonNode) expected = lacuna_test_parse_json (entries[sorted[i]]);
      g_autoptr(JsonNode) node = _lacuna_report_spool_read (spool, i, &error);

      g_assert_no_error (error);
      g_assert_true (json_node_equal (node, expected));
      g_assert_cmpuint (_lacuna_report_spool_get_flags (spool, i), ==, sorted[i] + 1);
    }

  /* Not an entry. */
  {
    g_autoptr(JsonNode) node = lacuna_test_parse_json ("{\"input\":\"x\"}");

    g_assert_false (_lacuna_report_spool_add (spool, node, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_clear_error (&error);
    g_assert_false (_lacuna_report_spool_add_text (spool, "{\"file-id\":", 11, &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
  }
  g_clear_pointer (&spool, _lacuna_report_spool_free);
  g_assert_cmpuint (count_entries (dir), ==, 0);
}

/* Equal file IDs (two shards naming the same file) are ordered by input. */
static void
test_spool_ties (void)
{
  g_autofree char *dir = lacuna_test_make_tmpdir ();
  g_autofree char *near = g_build_filename (dir, "out", NULL);
  g_autoptr(LacunaReportSpool) spool = _lacuna_report_spool_new (near, NULL);
  static const char *inputs[] = { "/c", "/a", "/b" };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autofree char *text = g_strdup_printf ("{\"file-id\":\"DICOM/X\",\"input\":\"%s\"}",
                                               inputs[i]);

      g_assert_true (_lacuna_report_spool_add_text (spool, text, strlen (text), &error));
    }
  g_assert_true (_lacuna_report_spool_sort (spool, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(JsonNode) node = _lacuna_report_spool_read (spool, i, &error);
      char expected[3] = { '/', (char) ('a' + i), '\0' };

      g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "input"),
                       ==, expected);
    }
}

static gboolean
count_entry (JsonObject  *entry,
             gpointer     data,
             GError     **error)
{
  g_assert_true (json_object_has_member (entry, "file-id"));
  (*(guint *) data)++;
  return TRUE;
}

/* The spliced text is the generator's over the whole tree, whatever the member's place
 * and the number of entries. */
static void
test_splice (void)
{
  static const char *docs[] = {
    /* a report: "files" first */
    "{\"files\":[],\"left-out\":[{\"input\":\"x\",\"reason\":\"r\"}],\"empty\":{},"
    "\"counts\":{\"written\":3,\"balanced\":true},\"dicomdir\":null}",
    /* a manifest: "files" later, other members after it */
    "{\"lacuna-manifest\":1,\"options\":{\"redact\":[],\"depth\":4.0},\"files\":[],"
    "\"change-lists\":{\"c1\":[{\"tag\":\"(0010,0010)\"}]},\"deface\":[]}",
  };
  g_autofree char *dir = lacuna_test_make_tmpdir ();

  for (guint d = 0; d < G_N_ELEMENTS (docs); d++)
    for (guint n = 0; n <= G_N_ELEMENTS (entries); n++)
      for (guint newline = 0; newline < 2; newline++)
        {
          g_autoptr(LacunaReportSpool) spool = make_spool (dir, n);
          g_autoptr(JsonNode) doc = lacuna_test_parse_json (docs[d]);
          g_autoptr(JsonNode) whole = lacuna_test_parse_json (docs[d]);
          g_autofree char *path = g_build_filename (dir, "doc.json", NULL);
          g_autoptr(LacunaReportSink) sink = NULL;
          g_autoptr(GError) error = NULL;
          g_autofree char *expected = NULL;
          g_autofree char *written = NULL;
          JsonArray *files = json_object_get_array_member (json_node_get_object (whole),
                                                           "files");
          guint seen = 0;

          for (guint i = 0; i < n; i++)
            json_array_add_element (files, lacuna_test_parse_json (entries[i]));
          expected = lacuna_test_pretty_json (whole);
          if (newline)
            {
              char *with = g_strconcat (expected, "\n", NULL);

              g_free (expected);
              expected = with;
            }

          sink = _lacuna_report_sink_new (path, NULL, &error);
          g_assert_no_error (error);
          g_assert_true (_lacuna_report_write_spliced (sink, json_node_get_object (doc),
                                                       "files", spool, newline, count_entry,
                                                       &seen, &error));
          g_assert_no_error (error);
          /* Nothing under the final name before the commit. */
          g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
          g_assert_true (_lacuna_report_sink_commit (sink, &error));
          g_assert_no_error (error);
          written = lacuna_test_read_text (path);
          g_assert_cmpstr (written, ==, expected);
          g_assert_cmpuint (seen, ==, n);
          /* The document given is left as it was. */
          g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                              json_node_get_object (doc), "files")), ==, 0);
          g_clear_pointer (&sink, _lacuna_report_sink_free);
          g_assert_cmpint (g_unlink (path), ==, 0);
          g_assert_cmpuint (count_entries (dir), ==, 0);
        }
}

typedef struct
{
  GPtrArray *texts;
  guint      fail_at;   /* 0: never */
} Collect;

static gboolean
collect_element (const char  *text,
                 gsize        len,
                 gpointer     data,
                 GError     **error)
{
  Collect *c = data;

  g_assert_cmpuint (strlen (text), ==, len);
  g_ptr_array_add (c->texts, g_strndup (text, len));
  if (c->fail_at != 0 && c->texts->len == c->fail_at)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "stop");
      return FALSE;
    }
  return TRUE;
}

/* Reading a manifest back one entry at a time gives what a parser of the whole gives. */
static void
test_scan (void)
{
  static const char *docs[] = {
    /* pretty, as written */
    NULL,
    /* compact, a nested "files" and strings that look like structure */
    "{\"a\":\"\\\"files\\\":[\",\"b\":{\"files\":[9,8]},\"files\" :\n [ {\"x\":\"],[\\\\\"}, 3 ,"
    "[1,[2]] ,\"s,]\", null,{} ],\"files2\":[1]}",
    /* no such member */
    "{\"other\":[1,2]}",
    /* an empty list */
    "{\"files\":[ ],\"z\":1}",
  };
  g_autofree char *dir = lacuna_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "m.json", NULL);

  for (guint d = 0; d < G_N_ELEMENTS (docs); d++)
    {
      g_autofree char *text = NULL;
      g_autoptr(JsonNode) whole = NULL;
      g_autoptr(JsonNode) rest_node = NULL;
      g_autoptr(GString) rest = g_string_new (NULL);
      g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GError) error = NULL;
      Collect c = { texts, 0 };
      JsonNode *files;

      if (docs[d] == NULL)
        {
          g_autoptr(JsonNode) doc = lacuna_test_parse_json ("{\"lacuna-manifest\":1,\"files\":[],\"after\":[]}");
          JsonArray *array = json_object_get_array_member (json_node_get_object (doc), "files");

          for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
            json_array_add_element (array, lacuna_test_parse_json (entries[i]));
          text = lacuna_test_pretty_json (doc);
        }
      else
        text = g_strdup (docs[d]);
      g_assert_true (g_file_set_contents (path, text, -1, NULL));
      whole = lacuna_test_parse_json (text);

      g_assert_true (_lacuna_report_scan_member (path, "files", collect_element, &c, rest,
                                                 &error));
      g_assert_no_error (error);
      rest_node = lacuna_test_parse_json (rest->str);
      files = json_object_get_member (json_node_get_object (whole), "files");
      if (files == NULL)
        {
          g_assert_cmpuint (texts->len, ==, 0);
          g_assert_cmpstr (rest->str, ==, text);
          continue;
        }
      /* Each element parses to the element of the whole; the rest is the whole without
       * them. */
      g_assert_cmpuint (texts->len, ==, json_array_get_length (json_node_get_array (files)));
      for (guint i = 0; i < texts->len; i++)
        {
          g_autoptr(JsonNode) element = lacuna_test_parse_json (g_ptr_array_index (texts, i));

          g_assert_true (json_node_equal (element,
                                          json_array_get_element (json_node_get_array (files),
                                                                  i)));
        }
      json_object_set_array_member (json_node_get_object (whole), "files", json_array_new ());
      g_assert_true (json_node_equal (rest_node, whole));
    }

  /* Truncated inside the list; a function that fails; a missing file. */
  {
    g_autoptr(GString) rest = g_string_new (NULL);
    g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
    g_autoptr(GError) error = NULL;
    Collect c = { texts, 0 };
    g_autofree char *missing = g_build_filename (dir, "missing.json", NULL);

    g_assert_true (g_file_set_contents (path, "{\"files\":[{\"a\":1},{\"b\"", -1, NULL));
    g_assert_false (_lacuna_report_scan_member (path, "files", collect_element, &c, rest,
                                                &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_clear_error (&error);

    g_assert_true (g_file_set_contents (path, "{\"files\":[1,2,3]}", -1, NULL));
    c.fail_at = 2;
    g_ptr_array_set_size (texts, 0);
    g_string_truncate (rest, 0);
    g_assert_false (_lacuna_report_scan_member (path, "files", collect_element, &c, rest,
                                                &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
    g_assert_cmpuint (texts->len, ==, 2);
    g_clear_error (&error);

    g_assert_false (_lacuna_report_scan_member (missing, "files", collect_element, &c, rest,
                                                &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  }
}

/* Written in pieces, the text is searched as a whole would be: one hit per kind of
 * identifier, whatever the number of lines or pieces holding it. */
static void
test_sink_residual (void)
{
  g_autofree char *dir = lacuna_test_make_tmpdir ();
  g_autofree char *input = g_build_filename (dir, "in", NULL);
  g_autofree char *path = g_build_filename (dir, "r.json", NULL);
  g_autoptr(LacunaResidual) residual = lacuna_test_sample_residual (input);
  g_autoptr(LacunaReportSink) sink = NULL;
  GDestroyNotify free_hit = (GDestroyNotify) lacuna_residual_hit_free;
  g_autoptr(GPtrArray) whole_hits = g_ptr_array_new_with_free_func (free_hit);
  g_autoptr(GString) whole = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  GPtrArray *hits;

  sink = _lacuna_report_sink_new (path, residual, &error);
  g_assert_no_error (error);
  /* Over the buffer's size, the name on many lines, split across writes. */
  for (guint i = 0; i < 3000; i++)
    {
      g_autofree char *line = g_strdup_printf ("  \"input\" : \"/in/%s/%u.dcm\",\n",
                                               i % 500 == 0 ? LACUNA_SAMPLE_PATIENT_NAME
                                                            : "nobody", i);
      gsize half = strlen (line) / 2;

      g_string_append (whole, line);
      g_assert_true (_lacuna_report_sink_write (sink, line, (gssize) half, &error));
      g_assert_true (_lacuna_report_sink_write (sink, line + half, -1, &error));
    }
  g_assert_true (_lacuna_report_sink_finish (sink, &error));
  g_assert_no_error (error);
  hits = _lacuna_report_sink_get_hits (sink);
  lacuna_residual_check_text (residual, whole->str, "report", whole_hits);
  g_assert_cmpuint (whole_hits->len, >, 0);
  g_assert_cmpuint (hits->len, ==, whole_hits->len);
  for (guint i = 0; i < hits->len; i++)
    g_assert_cmpstr (((LacunaResidualHit *) g_ptr_array_index (hits, i))->kind, ==,
                     ((LacunaResidualHit *) g_ptr_array_index (whole_hits, i))->kind);
  /* Not committed: nothing is left. */
  g_clear_pointer (&sink, _lacuna_report_sink_free);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_entries (dir), ==, 1);
}

/* ---------------------------------------------------------------------------------------- */
/* End to end                                                                               */

static const char *entry_members[] = {
  "file-id", "input", "sop-class-uid", "sha256", "size", "input-transfer-syntax",
  "transfer-syntax", "changes", "residual",
};

/* The report parses; one entry per file of the tree, each with the members of an entry;
 * its bytes (JSON and HTML) are what the in-memory writers give for its tree. Returns
 * the report. */
static JsonObject *
check_report (const char *out,
              const char *report_path)
{
  g_autofree char *html_path = lacuna_report_dup_html_path (report_path);
  g_autofree char *text = lacuna_test_read_text (report_path);
  g_autofree char *html = lacuna_test_read_text (html_path);
  g_autofree char *json_again = NULL;
  g_autofree char *html_again = NULL;
  g_autofree char *heading = NULL;
  g_autoptr(JsonNode) root = lacuna_test_parse_json (text);
  g_autoptr(GPtrArray) tree = lacuna_test_list_files (out);
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  JsonObject *report = json_node_get_object (root);
  JsonArray *files = json_object_get_array_member (report, "files");
  guint n_tree = 0;

  for (guint i = 0; i < tree->len; i++)
    if (strstr (g_ptr_array_index (tree, i), "/DICOM/") != NULL)
      n_tree++;
  g_assert_cmpuint (n_tree, >, 0);
  g_assert_cmpuint (json_array_get_length (files), ==, n_tree);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (report, "counts"),
                                               "written"), ==, n_tree);
  for (guint i = 0; i < json_array_get_length (files); i++)
    {
      JsonObject *f = json_array_get_object_element (files, i);
      g_autofree char *file = NULL;

      for (guint m = 0; m < G_N_ELEMENTS (entry_members); m++)
        g_assert_true (json_object_has_member (f, entry_members[m]));
      file = g_build_filename (out, json_object_get_string_member (f, "file-id"), NULL);
      g_assert_true (g_file_test (file, G_FILE_TEST_IS_REGULAR));
      g_assert_true (g_hash_table_add (ids, (gpointer) json_object_get_string_member (f,
                                                                                      "file-id")));
    }

  json_again = lacuna_report_to_json (report);
  g_assert_cmpstr (text, ==, json_again);
  html_again = lacuna_report_to_html (report);
  g_assert_cmpstr (html, ==, html_again);
  heading = g_strdup_printf ("<h2>Files written (%u)</h2>", n_tree);
  g_assert_nonnull (strstr (html, heading));
  return json_object_ref (report);
}

/* Nothing but the output and its report in the folder holding them. */
static void
assert_no_leftovers (const char *dir,
                     guint       n_expected)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_assert_null (strstr (name, "spool"));
      g_assert_false (g_str_has_suffix (name, "XXXXXX"));
      n++;
    }
  g_assert_cmpuint (n, ==, n_expected);
}

static void
test_end_to_end (void)
{
  g_autofree char *tmp = NULL;
  g_autofree char *input = NULL;
  g_autofree char *key = NULL;
  g_autofree char *runs = NULL;
  g_autofree char *out = NULL;
  g_autofree char *report_path = NULL;
  g_autofree char *first = NULL;
  g_autofree char *first_html = NULL;
  g_autofree char *sharded = NULL;
  g_autofree char *sharded_report = NULL;
  g_autoptr(JsonObject) whole = NULL;
  g_autoptr(JsonObject) merged = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_file_test (LACUNA_CLI_PATH, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("lacuna-cli is not built");
      return;
    }
  tmp = lacuna_test_make_tmpdir ();
  input = g_build_filename (tmp, "in", NULL);
  key = g_build_filename (tmp, "test.key", NULL);
  g_assert_true (g_file_set_contents (key, test_key, -1, NULL));
  g_chmod (key, 0600);
  g_assert_true (lacuna_sample_write (input, NULL, &error));
  g_assert_no_error (error);
  runs = g_build_filename (tmp, "runs", NULL);
  g_assert_cmpint (g_mkdir (runs, 0700), ==, 0);
  out = g_build_filename (runs, "out", NULL);
  report_path = g_strconcat (out, ".report.json", NULL);

  /* Two runs (threads finishing in another order) write the same bytes. */
  for (guint run = 0; run < 2; run++)
    {
      g_autofree char *html_path = lacuna_report_dup_html_path (report_path);
      g_autoptr(JsonObject) report = NULL;
      const char *jobs = run == 0 ? "2" : "1";

      g_assert_cmpint (run_cli (NULL, NULL, "clean", "--key-file", key, "--jobs", jobs,
                                input, "-o", out, NULL), ==, 0);
      assert_no_leftovers (runs, 3);
      report = check_report (out, report_path);
      if (run == 0)
        {
          first = lacuna_test_read_text (report_path);
          first_html = lacuna_test_read_text (html_path);
          whole = g_steal_pointer (&report);
        }
      else
        {
          g_autofree char *second = lacuna_test_read_text (report_path);
          g_autofree char *second_html = lacuna_test_read_text (html_path);

          g_assert_cmpstr (first, ==, second);
          g_assert_cmpstr (first_html, ==, second_html);
        }
      g_assert_true (g_file_test (out, G_FILE_TEST_IS_DIR));
      {
        const char *argv[] = { "rm", "-rf", out, report_path, html_path, NULL };

        g_assert_cmpint (lacuna_test_run (argv, NULL, NULL), ==, 0);
      }
    }

  /* In three shards, finalized from the manifests (read back one entry at a time): the
   * same entries, shard by shard. */
  sharded = g_build_filename (runs, "sharded", NULL);
  sharded_report = g_strconcat (sharded, ".report.json", NULL);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *shard = g_strdup_printf ("%u/3", i);

      g_assert_cmpint (run_cli (NULL, NULL, "clean", "--key-file", key, "--shard", shard,
                                input, "-o", sharded, NULL), ==, 0);
    }
  g_assert_cmpint (run_cli (NULL, NULL, "finalize", sharded, NULL), ==, 0);
  assert_no_leftovers (runs, 3);
  merged = check_report (sharded, sharded_report);
  {
    JsonArray *a = json_object_get_array_member (whole, "files");
    JsonArray *b = json_object_get_array_member (merged, "files");
    g_autoptr(GHashTable) by_id = g_hash_table_new (g_str_hash, g_str_equal);

    g_assert_cmpuint (json_array_get_length (a), ==, json_array_get_length (b));
    for (guint i = 0; i < json_array_get_length (a); i++)
      g_hash_table_insert (by_id,
                           (gpointer) json_object_get_string_member (
                             json_array_get_object_element (a, i), "file-id"),
                           json_array_get_element (a, i));
    for (guint i = 0; i < json_array_get_length (b); i++)
      {
        JsonNode *e = json_array_get_element (b, i);
        JsonNode *same = g_hash_table_lookup (by_id,
                                              json_object_get_string_member (
                                                json_node_get_object (e), "file-id"));

        g_assert_nonnull (same);
        g_assert_true (json_node_equal (e, same));
      }
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/export-report/spool", test_spool);
  g_test_add_func ("/core/export-report/spool-ties", test_spool_ties);
  g_test_add_func ("/core/export-report/splice", test_splice);
  g_test_add_func ("/core/export-report/scan", test_scan);
  g_test_add_func ("/core/export-report/sink-residual", test_sink_residual);
  g_test_add_func ("/core/export-report/end-to-end", test_end_to_end);
  return g_test_run ();
}
