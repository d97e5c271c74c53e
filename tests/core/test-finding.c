/* test-finding.c: the finding model (new/destroy, accessors, the JSON shape). */
#define G_LOG_DOMAIN "test-finding"

#include "config.h"

#include <string.h>

#include "lacuna-core.h"
#include "lacuna-finding.h"

static void
test_finding_new_destroy (void)
{
  LacunaFinding *finding = lacuna_finding_new ("header-identity", LACUNA_EVIDENCE_STATED,
                                               LACUNA_FINDING_PRESENT, "text");

  g_assert_true (LACUNA_IS_FINDING (finding));
  g_assert_cmpstr (lacuna_finding_get_kind (finding), ==, "header-identity");
  g_assert_cmpint (lacuna_finding_get_class (finding), ==, LACUNA_EVIDENCE_STATED);
  g_assert_cmpint (lacuna_finding_get_status (finding), ==, LACUNA_FINDING_PRESENT);
  g_assert_cmpstr (lacuna_finding_get_text (finding), ==, "text");
  g_assert_null (lacuna_finding_get_action (finding));
  g_assert_null (lacuna_finding_get_tag_path (finding));
  g_assert_null (lacuna_finding_get_sop_instance_uid (finding));
  g_assert_false (lacuna_finding_get_box (finding, NULL));
  g_assert_nonnull (lacuna_finding_get_values (finding));
  g_assert_cmpuint (json_object_get_size (lacuna_finding_get_values (finding)), ==, 0);

  lacuna_finding_set_status (finding, LACUNA_FINDING_REMOVED);
  g_assert_cmpint (lacuna_finding_get_status (finding), ==, LACUNA_FINDING_REMOVED);
  lacuna_finding_set_action (finding, "do it");
  g_assert_cmpstr (lacuna_finding_get_action (finding), ==, "do it");
  lacuna_finding_set_action (finding, NULL);
  g_assert_null (lacuna_finding_get_action (finding));

  g_assert_finalize_object (finding);
}

static void
test_finding_strings (void)
{
  static const struct
  {
    LacunaEvidenceClass klass;
    const char *str, *verb, *label;
  } classes[] = {
    { LACUNA_EVIDENCE_STATED, "stated", "is stated in", "Stated" },
    { LACUNA_EVIDENCE_MEASURED, "measured", "we measured", "Measured" },
    { LACUNA_EVIDENCE_DETECTED, "detected", "a standard detector found", "Detected" },
    { LACUNA_EVIDENCE_LITERATURE, "literature", "published AI models can infer", "Literature" },
  };
  static const struct { LacunaFindingStatus status; const char *str, *label; } statuses[] = {
    { LACUNA_FINDING_PRESENT, "present", "Present" },
    { LACUNA_FINDING_REDUCED, "reduced", "Reduced" },
    { LACUNA_FINDING_REMOVED, "removed", "Removed" },
    { LACUNA_FINDING_CANNOT_BE_REMOVED, "cannot-be-removed", "Cannot be removed by redaction" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    {
      g_assert_cmpstr (lacuna_evidence_class_to_string (classes[i].klass), ==, classes[i].str);
      /* Snapshot of the fixed wording (INFERENCE.md §5.1). */
      g_assert_cmpstr (lacuna_evidence_class_verb (classes[i].klass), ==, classes[i].verb);
      g_assert_nonnull (strstr (lacuna_evidence_class_describe (classes[i].klass), ":"));
      /* The word every surface shows (panel, CLI, findings report). */
      g_assert_cmpstr (lacuna_evidence_class_label (classes[i].klass), ==, classes[i].label);
    }
  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      g_assert_cmpstr (lacuna_finding_status_to_string (statuses[i].status), ==, statuses[i].str);
      g_assert_cmpstr (lacuna_finding_status_label (statuses[i].status), ==, statuses[i].label);
    }
}

/* Parses the finding's JSON back from text, as a script would. */
static JsonObject *
round_trip (LacunaFinding *finding)
{
  g_autoptr(JsonNode) node = lacuna_finding_to_json (finding);
  g_autofree char *text = json_to_string (node, FALSE);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
assert_members (JsonObject *object)
{
  static const char * const members[] = { "kind", "class", "status", "text", "action", "where",
                                          "values", NULL };

  for (guint i = 0; members[i] != NULL; i++)
    g_assert_true (json_object_has_member (object, members[i]));
  g_assert_cmpuint (json_object_get_size (object), ==, g_strv_length ((char **) members));
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "where")));
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "values")));
}

static void
test_finding_json_tag (void)
{
  g_autoptr(LacunaFinding) finding = lacuna_finding_new ("header-identity",
                                                         LACUNA_EVIDENCE_STATED,
                                                         LACUNA_FINDING_PRESENT,
                                                         "Referenced SOP Instance UID");
  g_autoptr(JsonObject) object = NULL;
  JsonObject *where;
  JsonArray *path;

  lacuna_finding_set_tag_path (finding, "00081115/0/00081155");
  lacuna_finding_set_region (finding, "1.2.3.4", 0, NULL);
  json_object_set_string_member (lacuna_finding_get_values (finding), "keyword", "X");
  object = round_trip (finding);
  assert_members (object);
  g_assert_cmpstr (json_object_get_string_member (object, "kind"), ==, "header-identity");
  g_assert_cmpstr (json_object_get_string_member (object, "class"), ==, "stated");
  g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, "present");
  g_assert_true (json_object_get_null_member (object, "action"));

  where = json_object_get_object_member (object, "where");
  g_assert_cmpstr (json_object_get_string_member (where, "tag"), ==, "(0008,1155)");
  path = json_object_get_array_member (where, "path");
  g_assert_cmpuint (json_array_get_length (path), ==, 3);
  g_assert_cmpstr (json_array_get_string_element (path, 0), ==, "(0008,1115)");
  g_assert_cmpint (json_array_get_int_element (path, 1), ==, 0);
  g_assert_cmpstr (json_array_get_string_element (path, 2), ==, "(0008,1155)");
  g_assert_cmpstr (json_object_get_string_member (where, "sop"), ==, "1.2.3.4");
  g_assert_false (json_object_has_member (where, "frame"));
  g_assert_false (json_object_has_member (where, "box"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object,
                                                                                 "values"),
                                                  "keyword"), ==, "X");
}

static void
test_finding_json_region (void)
{
  g_autoptr(LacunaFinding) finding = lacuna_finding_new ("burned-in-text",
                                                         LACUNA_EVIDENCE_DETECTED,
                                                         LACUNA_FINDING_REDUCED, "text");
  g_autoptr(JsonObject) object = NULL;
  const int box[4] = { 10, 20, 300, 40 };
  int out[4];
  JsonObject *where;
  JsonArray *array;

  lacuna_finding_set_region (finding, "1.2.3", 2, box);
  lacuna_finding_set_action (finding, "Redact");
  g_assert_true (lacuna_finding_get_box (finding, out));
  g_assert_cmpmem (out, sizeof out, box, sizeof box);
  g_assert_cmpuint (lacuna_finding_get_frame (finding), ==, 2);

  object = round_trip (finding);
  assert_members (object);
  g_assert_cmpstr (json_object_get_string_member (object, "class"), ==, "detected");
  g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, "reduced");
  g_assert_cmpstr (json_object_get_string_member (object, "action"), ==, "Redact");
  where = json_object_get_object_member (object, "where");
  g_assert_false (json_object_has_member (where, "tag"));
  g_assert_cmpstr (json_object_get_string_member (where, "sop"), ==, "1.2.3");
  g_assert_cmpint (json_object_get_int_member (where, "frame"), ==, 2);
  array = json_object_get_array_member (where, "box");
  g_assert_cmpuint (json_array_get_length (array), ==, 4);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpint (json_array_get_int_element (array, i), ==, box[i]);

  /* Clearing the box keeps the instance. */
  lacuna_finding_set_region (finding, "1.2.3", 0, NULL);
  g_assert_false (lacuna_finding_get_box (finding, NULL));
}

/* A face on a rendering: the box is under "render", never "box" (it is not in the
 * instance's pixels); the source object is kept, and is not in the JSON. */
static void
test_finding_json_render (void)
{
  g_autoptr(LacunaFinding) finding = lacuna_finding_new ("face", LACUNA_EVIDENCE_DETECTED,
                                                         LACUNA_FINDING_PRESENT, "face");
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GObject) source = g_object_new (G_TYPE_OBJECT, NULL);
  const int box[4] = { 186, 160, 155, 150 };
  int out[4];
  guint view = 0;
  JsonObject *where;
  JsonObject *render;
  JsonArray *array;

  g_assert_false (lacuna_finding_get_render_box (finding, &view, out));
  g_assert_null (lacuna_finding_get_source_object (finding));
  lacuna_finding_set_region (finding, "1.2.3", 0, NULL);
  lacuna_finding_set_render_box (finding, 4, -30.0, 15.0, box);
  lacuna_finding_set_source_object (finding, source);
  g_assert_true (lacuna_finding_get_render_box (finding, &view, out));
  g_assert_cmpuint (view, ==, 4);
  g_assert_cmpmem (out, sizeof out, box, sizeof box);
  g_assert_true (lacuna_finding_get_source_object (finding) == source);

  object = round_trip (finding);
  assert_members (object);
  where = json_object_get_object_member (object, "where");
  g_assert_cmpstr (json_object_get_string_member (where, "sop"), ==, "1.2.3");
  g_assert_false (json_object_has_member (where, "box"));
  g_assert_false (json_object_has_member (where, "frame"));
  render = json_object_get_object_member (where, "render");
  g_assert_nonnull (render);
  g_assert_cmpint (json_object_get_int_member (render, "view"), ==, 4);
  g_assert_cmpfloat (json_object_get_double_member (render, "yaw"), ==, -30.0);
  g_assert_cmpfloat (json_object_get_double_member (render, "pitch"), ==, 15.0);
  array = json_object_get_array_member (render, "box");
  g_assert_cmpuint (json_array_get_length (array), ==, 4);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpint (json_array_get_int_element (array, i), ==, box[i]);

  /* The finding holds a reference to its source, and drops it. */
  lacuna_finding_set_source_object (finding, NULL);
  g_assert_finalize_object (g_steal_pointer (&source));
}

static void
test_finding_json_nowhere (void)
{
  g_autoptr(LacunaFinding) finding = lacuna_finding_new ("literature",
                                                         LACUNA_EVIDENCE_LITERATURE,
                                                         LACUNA_FINDING_CANNOT_BE_REMOVED,
                                                         "card");
  g_autoptr(JsonObject) object = round_trip (finding);

  assert_members (object);
  g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, "cannot-be-removed");
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (object, "where")), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  lacuna_dicom_init ();

  g_test_add_func ("/core/finding/new-destroy", test_finding_new_destroy);
  g_test_add_func ("/core/finding/strings", test_finding_strings);
  g_test_add_func ("/core/finding/json-tag", test_finding_json_tag);
  g_test_add_func ("/core/finding/json-region", test_finding_json_region);
  g_test_add_func ("/core/finding/json-render", test_finding_json_render);
  g_test_add_func ("/core/finding/json-nowhere", test_finding_json_nowhere);

  return g_test_run ();
}
