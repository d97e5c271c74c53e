/* test-report-render.c: the report's entries rendered by the thread that adds them.
 *
 * Each entry added to the spool is rendered there (its JSON as an element of the report's
 * "files", its HTML, the residual search of both), so that the finalizer, which runs alone,
 * only splices bytes. What is written must stay what rendering at the end gave: checked
 * against JSON-GLib's generator over the whole tree, against lacuna_report_to_json and
 * lacuna_report_to_html, and against the residual scan of the whole text.
 */
#define G_LOG_DOMAIN "test-report-render"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "lacuna-core.h"
#include "lacuna-dicom.h"
#include "lacuna-export-private.h"
#include "lacuna-report.h"
#include "lacuna-report-spool.h"
#include "lacuna-residual.h"
#include "lacuna-test-util.h"

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                  */

static char *
bytes_text (GBytes *bytes)
{
  gsize size = 0;
  const char *data = g_bytes_get_data (bytes, &size);

  return g_strndup (data, size);
}

/* Entries as the exporter writes them (nested objects and arrays, an empty object deep
 * down, escapes, control characters, non-ASCII), and one holding a double. */
static const char *entries[] = {
  "{\"file-id\":\"DICOM/P0000001/S0000001/S0000001/I0000001\","
  "\"input\":\"/in/b \\\"q\\\" ,]}.dcm\",\"size\":1234,\"changes\":\"c0123456789abcdef\","
  "\"pixels\":{\"rewritten\":true,\"regions\":[{\"frame\":-1,\"x\":8,\"y\":8,\"width\":192,"
  "\"height\":40}],\"notes\":[]},\"verification\":{\"passed\":true,\"left\":[],"
  "\"extra\":{}},\"residual\":\"none\"}",
  "{\"file-id\":\"DICOM/P0000001/S0000001/S0000001/I0000002\","
  "\"input\":\"/in/é ü › \\u0001\\n\\t\\u2028 a.dcm\",\"size\":77,\"null\":null,"
  "\"nested\":{\"a\":[[],[{}]],\"b\":false},\"changes\":[{\"tag\":\"(0010,0010)\"}]}",
  "{\"file-id\":\"DICOM/P0000001/S0000001/S0000001/I0000003\",\"size\":5,"
  "\"depth-mm\":-0.0,\"ratio\":2.5}",
};

/* Whether the spool keeps the rendering of entries[i]. */
static const gboolean kept[] = { TRUE, TRUE, FALSE };

static LacunaReportSpool *
new_spool (const char *dir)
{
  g_autofree char *near = g_build_filename (dir, "out", NULL);
  g_autoptr(GError) error = NULL;
  LacunaReportSpool *spool = _lacuna_report_spool_new (near, &error);

  g_assert_no_error (error);
  g_assert_nonnull (spool);
  return spool;
}

/* A residual scan that searches for the sample study's identifying strings. */
static LacunaResidual *
sample_residual (const char *dir)
{
  g_autofree char *input = g_build_filename (dir, "sample", NULL);

  return lacuna_test_sample_residual (input);
}

/* ---------------------------------------------------------------------------------------- */
/* Units                                                                                    */

/* What is kept is what rendering the line read back gives, and the extra as given;
 * nothing is kept when the line might read back as other values. */
static void
test_kept (void)
{
  g_autofree char *dir = lacuna_test_make_tmpdir ();
  g_autoptr(LacunaReportSpool) spool = new_spool (dir);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    {
      g_autoptr(JsonNode) node = lacuna_test_parse_json (entries[i]);
      g_autofree char *extra = g_strdup_printf ("extra %u\n\001", i);

      g_assert_true (_lacuna_report_spool_add_full (spool, node, NULL, extra, strlen (extra),
                                                    &error));
      g_assert_no_error (error);
    }
  /* An input path that is not UTF-8: its line is made valid, nothing is kept. */
  {
    g_autoptr(JsonNode) node = lacuna_test_parse_json ("{\"file-id\":\"DICOM/P0000001/S0000001/S0000001/"
                                      "I0000004\",\"input\":\"x\"}");

    json_object_set_string_member (json_node_get_object (node), "input", "/in/\xff\xfe.dcm");
    g_assert_true (_lacuna_report_spool_add_full (spool, node, NULL, "e", 1, &error));
    g_assert_no_error (error);
  }

  g_assert_cmpuint (_lacuna_report_spool_get_length (spool), ==, G_N_ELEMENTS (entries) + 1);
  for (guint i = 0; i < _lacuna_report_spool_get_length (spool); i++)
    {
      g_autoptr(JsonNode) back = _lacuna_report_spool_read (spool, i, &error);
      g_autoptr(GBytes) piece = NULL;
      g_autoptr(GBytes) extra = NULL;
      g_autofree char *rendered = NULL;

      g_assert_no_error (error);
      g_assert_nonnull (back);
      g_assert_true (_lacuna_report_spool_read_rendered (spool, i, &piece, &extra, &error));
      g_assert_no_error (error);
      if (i >= G_N_ELEMENTS (entries) || !kept[i])
        {
          g_assert_null (piece);
          g_assert_null (extra);
          continue;
        }
      g_assert_nonnull (piece);
      g_assert_nonnull (extra);
      rendered = bytes_text (piece);
      {
        g_autofree char *expected = _lacuna_report_render_entry (back);
        g_autofree char *extra_text = bytes_text (extra);
        g_autofree char *extra_expected = g_strdup_printf ("extra %u\n\001", i);

        g_assert_cmpstr (rendered, ==, expected);
        g_assert_cmpstr (extra_text, ==, extra_expected);
      }
    }
  /* Without extra: the rendering alone. */
  {
    g_autoptr(JsonNode) node = lacuna_test_parse_json (entries[0]);
    g_autoptr(GBytes) piece = NULL;
    g_autoptr(GBytes) extra = NULL;
    guint last = _lacuna_report_spool_get_length (spool);

    g_assert_true (_lacuna_report_spool_add (spool, node, &error));
    g_assert_true (_lacuna_report_spool_read_rendered (spool, last, &piece, &extra, &error));
    g_assert_no_error (error);
    g_assert_nonnull (piece);
    g_assert_null (extra);
  }
}

/* A manifest's entries carry their DICOMDIR records: spliced into the kept rendering, the
 * bytes are the generator's over the whole tree with the record as the last member. */
static void
test_records (void)
{
  g_autofree char *dir = lacuna_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "manifest.json", NULL);
  g_autoptr(GByteArray) record = g_byte_array_new ();
  g_autoptr(GBytes) record_bytes = NULL;
  g_autofree char *base64 = NULL;

  /* Every byte value: the base64 holds '+', '/' and '='. */
  for (guint i = 0; i < 256; i++)
    {
      guint8 b = (guint8) (255 - i);

      g_byte_array_append (record, &b, 1);
    }
  record_bytes = g_bytes_new (record->data, record->len - 2);
  base64 = g_base64_encode (record->data, record->len - 2);
  g_assert_nonnull (strchr (base64, '+'));
  g_assert_nonnull (strchr (base64, '/'));
  g_assert_nonnull (strchr (base64, '='));

  for (guint with_records = 0; with_records < 2; with_records++)
    {
      g_autoptr(LacunaReportSpool) spool = new_spool (dir);
      g_autoptr(JsonNode) doc = lacuna_test_parse_json ("{\"lacuna-manifest\":1,\"files\":[],\"deface\":[]}");
      g_autoptr(JsonNode) whole = lacuna_test_parse_json ("{\"lacuna-manifest\":1,\"files\":[],\"deface\":[]}");
      g_autoptr(LacunaReportSink) sink = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *expected = NULL;
      g_autofree char *written = NULL;
      JsonArray *files = json_object_get_array_member (json_node_get_object (whole), "files");

      for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
        {
          g_autoptr(JsonNode) node = lacuna_test_parse_json (entries[i]);
          JsonNode *element = lacuna_test_parse_json (entries[i]);

          /* The first two carry a record, one of them kept rendered. */
          if (i != 1)
            {
              const char *id = json_object_get_string_member (json_node_get_object (node),
                                                              "file-id");

              g_assert_true (_lacuna_report_spool_add_record (spool, id, record_bytes, &error));
              g_assert_no_error (error);
              if (with_records)
                json_object_set_string_member (json_node_get_object (element),
                                               LACUNA_REPORT_RECORD_MEMBER, base64);
            }
          g_assert_true (_lacuna_report_spool_add_full (spool, node, NULL, NULL, 0, &error));
          g_assert_no_error (error);
          json_array_add_element (files, element);
        }
      expected = lacuna_test_pretty_json (whole);

      sink = _lacuna_report_sink_new (path, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (_lacuna_report_write_spliced_full (sink, json_node_get_object (doc),
                                                        "files", spool, with_records, FALSE,
                                                        NULL, NULL, &error));
      g_assert_no_error (error);
      g_assert_true (_lacuna_report_sink_commit (sink, &error));
      g_assert_no_error (error);
      written = lacuna_test_read_text (path);
      g_assert_cmpstr (written, ==, expected);
      g_assert_cmpint (g_unlink (path), ==, 0);
    }
}

/* Lines searched already are not searched again only by the sink of the same residual,
 * still holding as many needles, where they start a line. */
static void
test_sink_checked (void)
{
  g_autofree char *dir = lacuna_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "r.html", NULL);
  g_autoptr(LacunaResidual) residual = sample_residual (dir);
  g_autoptr(LacunaResidual) other = sample_residual (dir);
  g_autofree char *line = g_strdup_printf ("<td>%s</td>\n", LACUNA_SAMPLE_PATIENT_NAME);
  guint n_needles = lacuna_residual_get_n_needles (residual);
  struct
  {
    LacunaResidual *checked_with;
    guint           n_needles;
    const char     *before;
    guint           n_hits;
  } cases[] = {
    { residual, n_needles, "<p>\n", 0 },       /* trusted: searched already */
    { residual, n_needles, "", 0 },
    { residual, n_needles - 1, "<p>\n", 1 },   /* searched with fewer needles */
    { other, n_needles, "<p>\n", 1 },          /* by another scan */
    { NULL, n_needles, "<p>\n", 1 },
    { residual, n_needles, "<p>", 1 },         /* not at the start of a line */
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(LacunaReportSink) sink = _lacuna_report_sink_new (path, residual, NULL);
      g_autoptr(GError) error = NULL;
      g_autofree char *written = NULL;
      g_autofree char *expected = g_strconcat (cases[c].before, line, "end\n", NULL);

      g_assert_nonnull (sink);
      g_assert_true (_lacuna_report_sink_write (sink, cases[c].before, -1, &error));
      g_assert_true (_lacuna_report_sink_write_checked (sink, line, -1, cases[c].checked_with,
                                                        cases[c].n_needles, &error));
      g_assert_true (_lacuna_report_sink_write (sink, "end\n", -1, &error));
      g_assert_true (_lacuna_report_sink_commit (sink, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (_lacuna_report_sink_get_hits (sink)->len, ==, cases[c].n_hits);
      written = lacuna_test_read_text (path);
      g_assert_cmpstr (written, ==, expected);
    }
}

/* Entries searched when added, one of them naming the patient, spliced into a sink that
 * searches with the same residual, over the sink's buffer size: the same kinds of hit as
 * the search of the whole text, and the same bytes. */
static void
test_residual (void)
{
  g_autofree char *dir = lacuna_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "r.json", NULL);
  g_autoptr(LacunaResidual) residual = sample_residual (dir);

  for (guint named = 0; named < 2; named++)
    {
      g_autoptr(LacunaReportSpool) spool = new_spool (dir);
      g_autoptr(JsonNode) doc = lacuna_test_parse_json ("{\"files\":[],\"end\":\"x\"}");
      g_autoptr(JsonNode) whole = lacuna_test_parse_json ("{\"files\":[],\"end\":\"x\"}");
      g_autoptr(LacunaReportSink) sink = NULL;
      GDestroyNotify free_hit = (GDestroyNotify) lacuna_residual_hit_free;
      g_autoptr(GPtrArray) whole_hits = g_ptr_array_new_with_free_func (free_hit);
      g_autoptr(GError) error = NULL;
      g_autofree char *expected = NULL;
      g_autofree char *written = NULL;
      JsonArray *files = json_object_get_array_member (json_node_get_object (whole), "files");
      GPtrArray *hits;

      for (guint i = 0; i < 400; i++)
        {
          g_autofree char *id = g_strdup_printf ("DICOM/P0000001/S0000001/S0000001/I%07u", i);
          g_autofree char *input = g_strdup_printf ("/in/%s/%u.dcm",
                                                    named && i == 250
                                                      ? LACUNA_SAMPLE_PATIENT_NAME : "nobody",
                                                    i);
          g_autoptr(JsonNode) node = lacuna_test_parse_json (entries[i % 2]);
          JsonObject *o = json_node_get_object (node);

          json_object_set_string_member (o, "file-id", id);
          json_object_set_string_member (o, "input", input);
          g_assert_true (_lacuna_report_spool_add_full (spool, node, residual, NULL, 0,
                                                        &error));
          g_assert_no_error (error);
          json_array_add_element (files, json_node_copy (node));
        }
      g_assert_true (_lacuna_report_spool_get_checked_with (spool) == residual);
      expected = lacuna_test_pretty_json (whole);

      sink = _lacuna_report_sink_new (path, residual, &error);
      g_assert_no_error (error);
      g_assert_true (_lacuna_report_write_spliced_full (sink, json_node_get_object (doc),
                                                        "files", spool, FALSE, FALSE, NULL,
                                                        NULL, &error));
      g_assert_no_error (error);
      g_assert_true (_lacuna_report_sink_finish (sink, &error));
      g_assert_no_error (error);
      hits = _lacuna_report_sink_get_hits (sink);
      lacuna_residual_check_text (residual, expected, "report", whole_hits);
      g_assert_cmpuint (whole_hits->len, ==, named ? 1 : 0);
      g_assert_cmpuint (hits->len, ==, whole_hits->len);
      for (guint i = 0; i < hits->len; i++)
        g_assert_cmpstr (((LacunaResidualHit *) g_ptr_array_index (hits, i))->kind, ==,
                         ((LacunaResidualHit *) g_ptr_array_index (whole_hits, i))->kind);
      g_assert_true (_lacuna_report_sink_commit (sink, &error));
      g_assert_no_error (error);
      written = lacuna_test_read_text (path);
      g_assert_cmpstr (written, ==, expected);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Finalizing                                                                               */

static const char change_lists[] =
  "{\"cA\":[{\"tag\":\"(0010,0010)\",\"keyword\":\"PatientName\",\"path\":\"00100010\","
  "\"action\":\"Z\",\"reason\":\"r\"},{\"tag\":\"(0010,0020)\",\"keyword\":\"PatientID\","
  "\"path\":\"00100020\",\"action\":\"Z\",\"reason\":\"r & <s>\"}],"
  "\"cB\":[{\"tag\":\"(0008,0080)\",\"keyword\":\"InstitutionName\",\"path\":\"00080080\","
  "\"action\":\"X\",\"reason\":\"r\"}]}";

/* Entries annotated when added with lists of changes that are not all the report's (as a
 * stale or foreign annotation would be): the report and its HTML are still what the
 * in-memory writers give for the report's tree; the verification counts and the size
 * checks come from the annotations. */
static void
test_finalize (void)
{
  g_autofree char *dir = lacuna_test_make_tmpdir ();
  g_autofree char *outdir = g_build_filename (dir, "out", NULL);
  g_autofree char *report_path = g_build_filename (dir, "out.report.json", NULL);
  g_autofree char *html_path = lacuna_report_dup_html_path (report_path);
  g_autoptr(LacunaReportSpool) spool = NULL;
  g_autoptr(JsonNode) manifest = NULL;
  g_autoptr(JsonNode) lists = lacuna_test_parse_json (change_lists);
  g_autoptr(JsonNode) one = lacuna_test_parse_json ("[{\"tag\":\"(0010,0010)\"}]");
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json_text = NULL;
  g_autofree char *html_text = NULL;
  g_autofree char *json_again = NULL;
  g_autofree char *html_again = NULL;
  g_autofree char *manifest_text = NULL;
  JsonObject *counts;
  JsonObject *verification;
  guint n_failed = 0;
  struct
  {
    const char *changes;     /* the entry's "changes" member (JSON) */
    gboolean    lists_known;
    JsonNode   *list;        /* the list annotated with */
    const char *verification;
  } files[] = {
    { "\"cA\"", TRUE, json_object_get_member (json_node_get_object (lists), "cA"),
      "{\"passed\":true,\"result\":\"passed: <ok>\",\"frames\":1}" },
    { "\"cA\"", TRUE, one, NULL },                /* a shorter list than the report's */
    { "\"cB\"", TRUE, NULL, "{\"passed\":false,\"result\":\"failed\",\"left\":"
                            "[{\"frame\":0,\"x\":1,\"y\":2,\"width\":3,\"height\":4}]}" },
    { "\"cC\"", TRUE, one, NULL },                /* the report has no such list */
    { "\"cB\"", FALSE, NULL, NULL },
    { "[{\"tag\":\"(0010,0030)\",\"action\":\"X\"}]", TRUE, NULL, NULL },
  };

  spool = new_spool (dir);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *id = g_strdup_printf ("DICOM/PAAAAAAA/SAAAAAAA/SBBBBBBB/IAAAAAA%c",
                                             'A' + i);
      g_autofree char *path = g_build_filename (outdir, id, NULL);
      g_autofree char *folder = g_path_get_dirname (path);
      g_autofree char *content = g_strnfill (100 + i, 'x');
      g_autofree char *text = NULL;
      g_autoptr(JsonNode) entry = NULL;
      g_autoptr(GString) extra = g_string_new (NULL);

      g_assert_cmpint (g_mkdir_with_parents (folder, 0755), ==, 0);
      g_assert_true (g_file_set_contents (path, content, -1, NULL));
      text = g_strdup_printf ("{\"file-id\":\"%s\",\"input\":\"/in/<%u> & é\",\"sha256\":\"ab\","
                              "\"size\":%u,\"transfer-syntax\":\"1.2.840.10008.1.2.1\","
                              "\"changes\":%s,\"pixels\":{\"rewritten\":true,\"regions\":"
                              "[{\"frame\":0,\"x\":8,\"y\":8,\"width\":100,\"height\":20}],"
                              "\"notes\":[]}%s%s,\"residual\":\"none\"}",
                              id, i, 100 + i, files[i].changes,
                              files[i].verification != NULL ? ",\"verification\":" : "",
                              files[i].verification != NULL ? files[i].verification : "");
      entry = lacuna_test_parse_json (text);
      _lacuna_report_annotate_entry (json_node_get_object (entry), files[i].lists_known,
                                     files[i].list, NULL, extra);
      g_assert_true (_lacuna_report_spool_add_full (spool, entry, NULL, extra->str, extra->len,
                                                    &error));
      g_assert_no_error (error);
    }
  manifest_text = g_strdup_printf ("{\"lacuna-manifest\":1,\"options\":{\"options\":[]},"
                                   "\"instances\":%u,\"in-shard\":%u,\"written\":%u,"
                                   "\"files\":[],\"change-lists\":%s,\"left-out\":[],"
                                   "\"failed\":[],\"skipped\":[],\"warnings\":[],"
                                   "\"deface\":[]}",
                                   (guint) G_N_ELEMENTS (files), (guint) G_N_ELEMENTS (files),
                                   (guint) G_N_ELEMENTS (files), change_lists);
  manifest = lacuna_test_parse_json (manifest_text);
  _lacuna_export_finalize_spooled (outdir, report_path, NULL, NULL,
                                   json_node_get_object (manifest), spool, FALSE, &n_failed,
                                   NULL, &error);
  g_assert_no_error (error);

  json_text = lacuna_test_read_text (report_path);
  html_text = lacuna_test_read_text (html_path);
  report = lacuna_test_parse_json (json_text);
  json_again = lacuna_report_to_json (json_node_get_object (report));
  html_again = lacuna_report_to_html (json_node_get_object (report));
  g_assert_cmpstr (json_text, ==, json_again);
  g_assert_cmpstr (html_text, ==, html_again);
  /* The HTML counts the report's lists, not the annotations'. */
  g_assert_nonnull (strstr (html_text, "list cA</a> (2)"));
  g_assert_null (strstr (html_text, "list cA</a> (1)"));
  g_assert_nonnull (strstr (html_text, "list cB</a> (1)"));
  g_assert_null (strstr (html_text, "list cC</a>"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      json_node_get_object (report), "files")), ==, G_N_ELEMENTS (files));
  verification = json_object_get_object_member (json_node_get_object (report), "verification");
  g_assert_cmpint (json_object_get_int_member (verification, "passed"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (verification, "failed"), ==, 1);
  counts = json_object_get_object_member (json_node_get_object (report), "counts");
  g_assert_cmpint (json_object_get_int_member (counts, "written"), ==, G_N_ELEMENTS (files));

  /* A file whose size is not its annotation's: the finalizer sees it. */
  {
    g_autoptr(LacunaReportSpool) again = new_spool (dir);
    g_autofree char *path = g_build_filename (outdir, "DICOM/PAAAAAAA/SAAAAAAA/SBBBBBBB/"
                                              "IAAAAAAA", NULL);
    g_autoptr(JsonNode) entry = lacuna_test_parse_json ("{\"file-id\":\"DICOM/PAAAAAAA/SAAAAAAA/SBBBBBBB/"
                                       "IAAAAAAA\",\"size\":100}");
    g_autoptr(JsonNode) single = NULL;
    g_autoptr(GString) extra = g_string_new (NULL);
    g_autofree char *single_text = NULL;

    g_assert_cmpint (g_unlink (report_path), ==, 0);
    g_assert_cmpint (g_unlink (html_path), ==, 0);
    g_assert_true (g_file_set_contents (path, "shorter", -1, NULL));
    _lacuna_report_annotate_entry (json_node_get_object (entry), TRUE, NULL, NULL, extra);
    g_assert_true (_lacuna_report_spool_add_full (again, entry, NULL, extra->str, extra->len,
                                                  &error));
    single_text = g_strdup_printf ("{\"options\":{},\"instances\":1,\"in-shard\":1,"
                                   "\"written\":1,\"files\":[]}");
    single = lacuna_test_parse_json (single_text);
    g_assert_false (_lacuna_export_finalize_spooled (outdir, report_path, NULL, NULL,
                                                     json_node_get_object (single), again,
                                                     FALSE, NULL, NULL, &error));
    g_assert_error (error, LACUNA_EXPORT_ERROR, LACUNA_EXPORT_ERROR_FAILED);
    g_assert_false (g_file_test (report_path, G_FILE_TEST_EXISTS));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/report-render/kept", test_kept);
  g_test_add_func ("/core/report-render/records", test_records);
  g_test_add_func ("/core/report-render/sink-checked", test_sink_checked);
  g_test_add_func ("/core/report-render/residual", test_residual);
  g_test_add_func ("/core/report-render/finalize", test_finalize);
  return g_test_run ();
}
