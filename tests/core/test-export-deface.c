/* test-export-deface.c: `lacuna-cli clean --deface` end to end.
 *
 * On a real T1 head MR with a face: every written slice says (0028,0302) NO and records
 * 113102 in (0012,0064) (both read with dcmdump, not with the engine), and the face check
 * run on the written series no longer finds a face. On an abdominal CT: no face, so no
 * slice is changed and none records 113102.
 */
#define G_LOG_DOMAIN "test-export-deface"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "lacuna-core.h"
#include "lacuna-export.h"
#include "lacuna-test-util.h"

#define HEAD_MR  "head-volume/niivue_T1_head_ext2_MR_face"
#define ABDO_CT  "series-ct/TotalSegmentator_example_ct_abdomen_pelvis_L3"

static const char test_key[] = "lacuna-export-deface-test-key-0123456789";

static int
run_clean (const char *input,
           const char *output,
           const char *key,
           char      **err)
{
  const char *argv[] = { LACUNA_CLI_PATH, "clean", "--deface", "--jobs", "2", "--key-file",
                         key, input, "-o", output, NULL };
  g_autofree char *o = NULL;
  g_autofree char *e = NULL;
  int status = lacuna_test_run (argv, &o, &e);

  if (status != 0)
    g_test_message ("lacuna-cli exit %d\nstdout: %s\nstderr: %s", status, o, e);
  if (err != NULL)
    *err = g_steal_pointer (&e);
  return status;
}

static char *
dump (const char *path)
{
  const char *argv[] = { "dcmdump", "-q", "+L", path, NULL };
  char *out = NULL;

  g_assert_cmpint (lacuna_test_run (argv, &out, NULL), ==, 0);
  return out;
}

/* The DICOM files written (the DICOMDIR and hidden manifests aside). */
static GPtrArray *
written_files (const char *outdir)
{
  g_autoptr(GPtrArray) all = lacuna_test_list_files (outdir);
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < all->len; i++)
    {
      const char *path = g_ptr_array_index (all, i);

      if (strstr (path, "/DICOM/") != NULL)
        g_ptr_array_add (files, g_strdup (path));
    }
  return files;
}

/* The report's "deface" entries (one per series checked), parsed. */
static JsonArray *
deface_entries (const char *report_path)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root;

  g_assert_true (json_parser_load_from_file (parser, report_path, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_true (json_object_has_member (root, "deface"));
  return json_array_ref (json_object_get_array_member (root, "deface"));
}

static char *
setup (char **out_key)
{
  char *tmp = lacuna_test_make_tmpdir ();
  char *key = g_build_filename (tmp, "test.key", NULL);

  g_assert_true (g_file_set_contents (key, test_key, -1, NULL));
  g_chmod (key, 0600);
  *out_key = key;
  return tmp;
}

static void
test_head_mr (void)
{
  g_autofree char *input = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *key = NULL;
  g_autofree char *outdir = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GPtrArray) inputs = NULL;
  const char *paths[2] = { NULL, NULL };
  g_autoptr(LacunaLoader) loader = NULL;
  g_autoptr(LacunaCollection) collection = NULL;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(LacunaSeries) series = NULL;
  g_autoptr(LacunaFaceResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;

  if (!(input = lacuna_test_dup_testdata (HEAD_MR)) ||
      !lacuna_test_require_program ("dcmdump", "dcmtk"))
    return;
  tmp = setup (&key);
  outdir = g_build_filename (tmp, "out", NULL);
  g_assert_cmpint (run_clean (input, outdir, key, NULL), ==, 0);

  /* The report's deface section: this series, defaced and verified. */
  {
    g_autofree char *report_path = g_build_filename (tmp, "out.report.json", NULL);
    g_autoptr(JsonArray) entries = deface_entries (report_path);
    JsonObject *e;

    g_assert_cmpuint (json_array_get_length (entries), ==, 1);
    e = json_array_get_object_element (entries, 0);
    g_assert_cmpstr (json_object_get_string_member (e, "result"), ==, "defaced");
    g_assert_true (json_object_get_boolean_member (e, "verified"));
    g_assert_cmpint (json_object_get_int_member (e, "voxels-changed"), >, 0);
    g_assert_cmpint (json_object_get_int_member (e, "views-found"), >, 0);
    g_assert_cmpint (json_object_get_int_member (e, "detectors-agreeing"), >=, 2);
  }

  files = written_files (outdir);
  inputs = lacuna_test_list_files (input);
  g_assert_cmpuint (files->len, ==, inputs->len);
  for (guint i = 0; i < files->len; i++)
    {
      g_autofree char *text = dump (g_ptr_array_index (files, i));

      g_assert_nonnull (strstr (text, "(0028,0302) CS [NO]"));
      g_assert_nonnull (strstr (text, "[113102]"));
    }

  /* The written series, checked again. */
  paths[0] = outdir;
  loader = lacuna_loader_new (paths);
  collection = lacuna_loader_load (loader, NULL, &error);
  g_assert_no_error (error);
  list = lacuna_collection_list_series (collection);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 1);
  series = g_list_model_get_item (list, 0);
  result = lacuna_face_check_series (series, NULL, &error);
  g_assert_no_error (error);
  summary = lacuna_face_result_dup_summary (result);
  g_test_message ("after: %s", summary);
  g_assert_false (lacuna_face_result_get_found (result));
}

static void
test_abdominal_ct (void)
{
  g_autofree char *input = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *key = NULL;
  g_autofree char *outdir = NULL;
  g_autofree char *report_path = NULL;
  g_autofree char *report = NULL;
  g_autoptr(GPtrArray) files = NULL;

  if (!(input = lacuna_test_dup_testdata (ABDO_CT)) ||
      !lacuna_test_require_program ("dcmdump", "dcmtk"))
    return;
  tmp = setup (&key);
  outdir = g_build_filename (tmp, "out", NULL);
  g_assert_cmpint (run_clean (input, outdir, key, NULL), ==, 0);

  /* The report says the check ran and found none. */
  report_path = g_build_filename (tmp, "out.report.json", NULL);
  g_assert_true (g_file_get_contents (report_path, &report, NULL, NULL));
  g_assert_nonnull (strstr (report, "not found by our detectors"));
  {
    g_autoptr(JsonArray) entries = deface_entries (report_path);

    g_assert_cmpuint (json_array_get_length (entries), >, 0);
    for (guint i = 0; i < json_array_get_length (entries); i++)
      {
        JsonObject *e = json_array_get_object_element (entries, i);

        g_assert_cmpstr (json_object_get_string_member (e, "result"), ==, "no-face-found");
        g_assert_cmpint (json_object_get_int_member (e, "views"), >, 0);
        g_assert_cmpint (json_object_get_int_member (e, "views-found"), ==, 0);
      }
  }

  files = written_files (outdir);
  g_assert_cmpuint (files->len, >, 0);
  for (guint i = 0; i < files->len; i++)
    {
      g_autofree char *text = dump (g_ptr_array_index (files, i));

      g_assert_null (strstr (text, "[113102]"));
      g_assert_null (strstr (text, "(0028,0302) CS [NO]"));
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/export-deface/head-mr", test_head_mr);
  g_test_add_func ("/export-deface/abdominal-ct", test_abdominal_ct);
  return g_test_run ();
}
