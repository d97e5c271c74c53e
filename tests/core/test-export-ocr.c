/* test-export-ocr.c: `lacuna-cli clean --burned-in auto`, checked independently.
 *
 * Every image of the shared burned-in test set and the sample study is exported with
 * --burned-in auto; the export's own verification must pass. Then the exported frames are
 * written as PNGs (`lacuna-cli pixels --png`) and read by the `tesseract` command: no word
 * of the patient's identity, read from the INPUT with dcmdump (names split at '^', IDs,
 * the birth date in the formats burned in), may be among the words it reads (tokens of 4
 * or more characters, exact match, ignoring case). The same check on the input shows that
 * it can fail. Where tesseract reads an identity word on the input, the box regions of the
 * report must cover it. An image whose only text is a side marker comes out with the very
 * same pixels.
 */
#define G_LOG_DOMAIN "test-export-ocr"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "lacuna-core.h"
#include "lacuna-export.h"
#include "lacuna-ocr.h"
#include "lacuna-test-util.h"

#define BURNED_IN "phi-burned-in"

static const char test_key[] = "lacuna-export-ocr-test-key-0123456789abcdef";

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                  */

static gboolean
requirements (void)
{
  g_autoptr(GError) error = NULL;

  if (!g_file_test (LACUNA_CLI_PATH, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("lacuna-cli is not built");
      return FALSE;
    }
  if (!lacuna_ocr_is_available (&error))
    {
      g_test_skip ("Tesseract with English data (tesseract-ocr-eng) is not available");
      return FALSE;
    }
  return lacuna_test_require_program ("tesseract", "tesseract-ocr") &&
         lacuna_test_require_program ("dcmdump", "dcmtk");
}

static JsonObject *
load_json (const char *path)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static char *
dcmdump (const char *path)
{
  const char *argv[] = { "dcmdump", "-q", "+L", "-M", path, NULL };
  g_autofree char *out = NULL;

  if (lacuna_test_run (argv, &out, NULL) != 0)
    return NULL;
  return g_steal_pointer (&out);
}

/* The value of a top-level element in dcmdump's output, or NULL. */
static char *
dump_value (const char *dump,
            const char *tag)
{
  g_auto(GStrv) lines = g_strsplit (dump, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *open, *close;

      if (!g_str_has_prefix (lines[i], tag))
        continue;
      open = strchr (lines[i], '[');
      close = open != NULL ? strrchr (open, ']') : NULL;
      if (open == NULL || close == NULL)
        return NULL;
      return g_strndup (open + 1, close - open - 1);
    }
  return NULL;
}

static void
add_word (GHashTable *words,
          const char *word)
{
  g_autofree char *w = g_ascii_strup (word, -1);
  static const char *generic[] = { "ANONYMOUS", "PATIENT", "UNKNOWN", "HOSPITAL", "MEDICAL",
                                   "CENTER", "CENTRE", "CLINIC", "UNIVERSITY", "HEALTH" };

  g_strstrip (w);
  if (strlen (w) < 4 || strspn (w, (char[]) { w[0], '\0' }) == strlen (w))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (generic); i++)
    if (strcmp (w, generic[i]) == 0)
      return;
  g_hash_table_add (words, g_steal_pointer (&w));
}

/* Splits value at '^', '=', '\' and spaces, and adds every part (and, for IDs, the whole). */
static void
add_parts (GHashTable *words,
           const char *value,
           gboolean    whole)
{
  g_auto(GStrv) parts = g_strsplit_set (value, "^=\\ ", -1);

  if (whole)
    add_word (words, value);
  for (guint i = 0; parts[i] != NULL; i++)
    add_word (words, parts[i]);
}

/* The identity words of an input, upper case: read with dcmdump (never with the engine). */
static GHashTable *
identity_words (const char *path)
{
  GHashTable *words = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *dump = dcmdump (path);
  static const char *names[] = { "(0010,0010)", "(0008,0090)", "(0010,1001)" };
  static const char *ids[] = { "(0010,0020)", "(0010,1000)", "(0008,0050)" };
  g_autofree char *birth = NULL;
  g_autofree char *institution = NULL;

  g_assert_nonnull (dump);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *v = dump_value (dump, names[i]);

      if (v != NULL)
        add_parts (words, v, FALSE);
    }
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autofree char *v = dump_value (dump, ids[i]);

      if (v != NULL)
        add_parts (words, v, TRUE);
    }
  institution = dump_value (dump, "(0008,0080)");
  if (institution != NULL)
    add_parts (words, institution, FALSE);

  /* The birth date in the formats seen burned in. */
  birth = dump_value (dump, "(0010,0030)");
  if (birth != NULL && strlen (birth) == 8 && strspn (birth, "0123456789") == 8)
    {
      const char *y = birth, *m = birth + 4, *d = birth + 6;
      char *formats[] = {
        g_strdup (birth),
        g_strdup_printf ("%.2s.%.2s.%.4s", d, m, y),
        g_strdup_printf ("%.2s.%.2s.%.4s", m, d, y),
        g_strdup_printf ("%.2s/%.2s/%.4s", d, m, y),
        g_strdup_printf ("%.2s/%.2s/%.4s", m, d, y),
        g_strdup_printf ("%.2s-%.2s-%.4s", d, m, y),
        g_strdup_printf ("%.4s-%.2s-%.2s", y, m, d),
      };

      for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
        {
          add_word (words, formats[i]);
          g_free (formats[i]);
        }
    }
  return words;
}

/* A word as tesseract wrote it, without the punctuation around it, upper case. */
static char *
normalize_token (const char *token)
{
  static const char strip[] = "\"'[](){}<>:;,!?*|“”‘’«»";
  g_autofree char *t = g_ascii_strup (token, -1);
  char *start = t;
  gsize len;

  while (*start != '\0' && strchr (strip, *start) != NULL)
    start++;
  len = strlen (start);
  while (len > 0 && (strchr (strip, start[len - 1]) != NULL || start[len - 1] == '.'))
    start[--len] = '\0';
  return g_strdup (start);
}

/* The identity words among what tesseract reads in png (`tesseract PNG - --psm 11`). */
static guint
count_identity_tokens (const char *png,
                       GHashTable *words)
{
  const char *argv[] = { "tesseract", png, "-", "--psm", "11", NULL };
  g_autofree char *out = NULL;
  g_auto(GStrv) tokens = NULL;
  guint n = 0;

  g_assert_cmpint (lacuna_test_run (argv, &out, NULL), ==, 0);
  tokens = g_strsplit_set (out, " \t\n\r:,;", -1);
  for (guint i = 0; tokens[i] != NULL; i++)
    {
      g_autofree char *t = normalize_token (tokens[i]);

      if (strlen (t) >= 4 && g_hash_table_contains (words, t))
        n++;
    }
  return n;
}

static char *
write_png (const char *dicom,
           guint       frame,
           const char *dir,
           const char *name)
{
  char *png = g_build_filename (dir, name, NULL);
  g_autofree char *frame_text = g_strdup_printf ("%u", frame);

  g_assert_cmpint (run_cli (NULL, NULL, "pixels", dicom, "--frame", frame_text, "--png", png, NULL),
                   ==, 0);
  return png;
}

static gboolean
in_regions (JsonArray *regions,
            guint      frame,
            int        x,
            int        y)
{
  for (guint i = 0; regions != NULL && i < json_array_get_length (regions); i++)
    {
      JsonObject *r = json_array_get_object_element (regions, i);
      gint64 f = json_object_get_int_member (r, "frame");
      gint64 rx = json_object_get_int_member (r, "x"), ry = json_object_get_int_member (r, "y");

      if ((f < 0 || f == frame) && x >= rx && y >= ry &&
          x < rx + json_object_get_int_member (r, "width") &&
          y < ry + json_object_get_int_member (r, "height"))
        return TRUE;
    }
  return FALSE;
}

/* Every identity word tesseract (TSV) reads on the input lies inside a filled region. */
static guint
assert_regions_cover (const char *input_png,
                      guint       frame,
                      GHashTable *words,
                      JsonArray  *regions)
{
  const char *argv[] = { "tesseract", input_png, "-", "--psm", "11", "tsv", NULL };
  g_autofree char *out = NULL;
  g_auto(GStrv) rows = NULL;
  guint n = 0;

  g_assert_cmpint (lacuna_test_run (argv, &out, NULL), ==, 0);
  rows = g_strsplit (out, "\n", -1);
  for (guint i = 1; rows[i] != NULL; i++)
    {
      g_auto(GStrv) cols = g_strsplit (rows[i], "\t", -1);
      g_auto(GStrv) parts = NULL;

      if (g_strv_length (cols) < 12 || !g_str_equal (cols[0], "5"))
        continue;
      parts = g_strsplit_set (cols[11], ":,;", -1);
      for (guint p = 0; parts[p] != NULL; p++)
        {
          g_autofree char *t = normalize_token (parts[p]);
          int cx = atoi (cols[6]) + atoi (cols[8]) / 2;
          int cy = atoi (cols[7]) + atoi (cols[9]) / 2;

          if (strlen (t) < 4 || !g_hash_table_contains (words, t))
            continue;
          n++;
          if (!in_regions (regions, frame, cx, cy))
            g_error ("%s: an identity word read by tesseract at %d,%d is outside every "
                     "filled region", input_png, cx, cy);
        }
    }
  return n;
}

static JsonObject *
find_file_entry (JsonObject *report,
                 const char *input_suffix)
{
  JsonArray *files = json_object_get_array_member (report, "files");

  for (guint i = 0; i < json_array_get_length (files); i++)
    {
      JsonObject *f = json_array_get_object_element (files, i);

      if (input_suffix == NULL ||
          g_str_has_suffix (json_object_get_string_member (f, "input"), input_suffix))
        return f;
    }
  return NULL;
}

/* The export's own verification passed for every file it checked, and the Clean Pixel
 * Data option is recorded in each of them. */
static void
assert_report_verified (JsonObject *report,
                        const char *outdir,
                        guint       n_expected)
{
  JsonObject *v = json_object_get_object_member (report, "verification");
  JsonArray *files = json_object_get_array_member (report, "files");
  guint n = 0;

  g_assert_cmpint (json_array_get_length (json_object_get_array_member (report, "failed")),
                   ==, 0);
  g_assert_cmpint (json_object_get_int_member (v, "failed"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (v, "passed"), ==, n_expected);
  for (guint i = 0; i < json_array_get_length (files); i++)
    {
      JsonObject *f = json_array_get_object_element (files, i);
      JsonObject *check = json_object_has_member (f, "verification")
                            ? json_object_get_object_member (f, "verification") : NULL;
      g_autofree char *path = NULL;
      g_autofree char *dump = NULL;

      if (!json_object_has_member (f, "pixels"))
        {
          g_assert_null (check);
          continue;
        }
      n++;
      g_assert_nonnull (check);
      g_assert_true (json_object_get_boolean_member (check, "passed"));
      g_assert_cmpint (json_object_get_int_member (check, "text-lines-left"), ==, 0);
      g_assert_cmpint (json_object_get_int_member (check, "identity-lines-left"), ==, 0);
      g_assert_cmpint (json_object_get_int_member (check, "boxes-with-text"), ==, 0);
      g_assert_cmpint (json_object_get_int_member (check, "pixels-changed-outside-boxes"), ==,
                       0);
      g_assert_true (json_object_has_member (f, "burned-in"));
      /* What OCR read never reaches the report. */
      g_assert_false (json_object_has_member (json_object_get_object_member (f, "burned-in"),
                                              "read"));

      path = g_build_filename (outdir, json_object_get_string_member (f, "file-id"), NULL);
      dump = dcmdump (path);
      g_assert_nonnull (dump);
      g_assert_nonnull (strstr (dump, "[113101]"));
      g_assert_nonnull (strstr (dump, "(0028,0301) CS [NO]"));
    }
  g_assert_cmpuint (n, ==, n_expected);
}

static guint
n_frames_of (JsonObject *entry)
{
  JsonObject *scan = json_object_has_member (entry, "burned-in")
                       ? json_object_get_object_member (entry, "burned-in") : NULL;

  return scan != NULL ? (guint) json_object_get_int_member (scan, "frames") : 1;
}

/* Tesseract on every exported frame finds no identity word; on the input's frames it finds
 * in_hits of them (returned), each inside a filled region. */
static guint
check_with_tesseract (const char *input,
                      const char *output,
                      JsonObject *entry,
                      const char *tmp)
{
  g_autoptr(GHashTable) words = identity_words (input);
  JsonArray *regions = json_object_get_array_member (json_object_get_object_member (entry,
                                                                                    "pixels"),
                                                     "regions");
  guint n_frames = MIN (n_frames_of (entry), 4);
  guint in_hits = 0;

  g_assert_cmpuint (g_hash_table_size (words), >, 0);
  for (guint f = 1; f <= n_frames; f++)
    {
      g_autofree char *in_png = write_png (input, f, tmp, "in.png");
      g_autofree char *out_png = write_png (output, f, tmp, "out.png");
      guint out_hits = count_identity_tokens (out_png, words);
      guint hits = count_identity_tokens (in_png, words);

      if (out_hits > 0)
        g_error ("%s: tesseract reads %u identity words on the exported frame %u", input,
                 out_hits, f);
      if (hits > 0)
        assert_regions_cover (in_png, f - 1, words, regions);
      in_hits += hits;
    }
  g_test_message ("%s: tesseract read %u identity words on the input, none on the output",
                  input, in_hits);
  return in_hits;
}

/* ---------------------------------------------------------------------------------------- */
/* The shared burned-in set                                                                 */

static void
test_shared_set (void)
{
  g_autofree char *dir = lacuna_test_dup_testdata (BURNED_IN);
  g_autofree char *tmp = NULL;
  g_autofree char *key = NULL;
  g_autoptr(GPtrArray) inputs = NULL;
  guint n_checked = 0;
  static const struct
  {
    const char *suffix;
    guint       min_hits;   /* identity words tesseract reads on the input */
  } teeth[] = {
    { "presidio_CR_chest/0_ORIGINAL_compressed.dcm", 1 },
    { "presidio_CT_scout/2_ORIGINAL.dicom", 2 },
    { "ultrasound/orthanc_Issue19_US_YBR.dcm", 3 },
  };

  if (dir == NULL || !requirements ())
    return;
  tmp = lacuna_test_make_tmpdir ();
  key = lacuna_test_make_key_file (tmp, test_key);
  inputs = lacuna_test_list_files (dir);

  for (guint i = 0; i < inputs->len; i++)
    {
      const char *input = g_ptr_array_index (inputs, i);
      g_autofree char *out = g_strdup_printf ("%s/out%u", tmp, i);
      g_autofree char *report_path = g_strconcat (out, ".report.json", NULL);
      g_autofree char *err = NULL;
      g_autoptr(JsonObject) report = NULL;
      g_autofree char *dump = dcmdump (input);
      JsonObject *entry;
      g_autofree char *output = NULL;
      guint hits;

      if (dump == NULL)
        continue;   /* the answer key (JSON) */
      g_assert_cmpint (run_cli (NULL, &err, "clean", "--key-file", key, "--burned-in", "auto",
                                input, "-o", out, NULL), ==, 0);
      g_assert_null (strstr (err, "clean: failed:"));
      report = load_json (report_path);
      g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (report,
                                                                                     "options"),
                                                      "burned-in"), ==, "auto");
      entry = find_file_entry (report, NULL);
      g_assert_nonnull (entry);
      if (!json_object_has_member (entry, "pixels"))
        {
          /* The header-only file: nothing to scan or verify. */
          assert_report_verified (report, out, 0);
          continue;
        }
      assert_report_verified (report, out, 1);
      output = g_build_filename (out, json_object_get_string_member (entry, "file-id"), NULL);
      hits = check_with_tesseract (input, output, entry, tmp);
      for (guint t = 0; t < G_N_ELEMENTS (teeth); t++)
        if (g_str_has_suffix (input, teeth[t].suffix))
          g_assert_cmpuint (hits, >=, teeth[t].min_hits);
      n_checked++;
    }
  g_assert_cmpuint (n_checked, >=, 7);
}

/* ---------------------------------------------------------------------------------------- */
/* The sample study                                                                         */

static void
test_sample (void)
{
  g_autofree char *tmp = NULL;
  g_autofree char *key = NULL;
  g_autofree char *input = NULL;
  g_autofree char *out = NULL;
  g_autofree char *report_path = NULL;
  g_autofree char *html_path = NULL;
  g_autofree char *html = NULL;
  g_autoptr(JsonObject) report = NULL;
  g_autoptr(GError) error = NULL;
  static const struct
  {
    const char *suffix;
    guint       min_hits;
  } checked[] = {
    { "LACUNA/US/IM000001", 2 },
    { "LACUNA/SC/IM000001", 0 },
    { "LACUNA/CT/IM000032", 0 },
  };

  if (!requirements ())
    return;
  tmp = lacuna_test_make_tmpdir ();
  key = lacuna_test_make_key_file (tmp, test_key);
  input = g_build_filename (tmp, "in", NULL);
  g_assert_true (lacuna_sample_write (input, NULL, &error));
  g_assert_no_error (error);
  out = g_build_filename (tmp, "out", NULL);
  g_assert_cmpint (run_cli (NULL, NULL, "clean", "--key-file", key, "--burned-in", "auto", "--jobs",
                            "2", input, "-o", out, NULL), ==, 0);
  report_path = g_strconcat (out, ".report.json", NULL);
  report = load_json (report_path);
  assert_report_verified (report, out, LACUNA_SAMPLE_N_FILES);

  /* The HTML shows the verification, and never the text read. */
  html_path = g_strconcat (out, ".report.html", NULL);
  g_assert_true (g_file_get_contents (html_path, &html, NULL, NULL));
  g_assert_nonnull (strstr (html, "Verification passed"));
  g_assert_null (strstr (html, LACUNA_SAMPLE_US_TEXT_HOSPITAL));
  g_assert_null (strstr (html, LACUNA_SAMPLE_PATIENT_SURNAME));

  for (guint i = 0; i < G_N_ELEMENTS (checked); i++)
    {
      g_autofree char *in_file = g_build_filename (input, checked[i].suffix, NULL);
      JsonObject *entry = find_file_entry (report, checked[i].suffix);
      g_autofree char *output = NULL;

      g_assert_nonnull (entry);
      output = g_build_filename (out, json_object_get_string_member (entry, "file-id"), NULL);
      g_assert_cmpuint (check_with_tesseract (in_file, output, entry, tmp), >=,
                        checked[i].min_hits);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* A side marker only                                                                       */

static void
set (LacunaDicomFile *file,
     const char      *path,
     const char      *value)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (lacuna_dicom_file_set_string (file, path, NULL, value, &error));
  g_assert_no_error (error);
}

/* A 512 × 512 8-bit MONOCHROME2 secondary capture: a soft disc, and "R" top right. */
static void
write_side_marker_image (const char *path)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 512, 512);
  cairo_t *cr = cairo_create (surface);
  cairo_pattern_t *disc;
  g_autofree guint8 *grey = g_malloc (512 * 512);
  g_autoptr(LacunaDicomFile) file = lacuna_dicom_file_new ();
  g_autoptr(GError) error = NULL;
  const guint8 *data;
  int stride;

  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_paint (cr);
  disc = cairo_pattern_create_radial (256, 256, 0, 256, 256, 170);
  cairo_pattern_add_color_stop_rgb (disc, 0, 0.55, 0.55, 0.55);
  cairo_pattern_add_color_stop_rgb (disc, 1, 0.1, 0.1, 0.1);
  cairo_set_source (cr, disc);
  cairo_arc (cr, 256, 256, 170, 0, 2 * G_PI);
  cairo_fill (cr);
  cairo_pattern_destroy (disc);
  cairo_select_font_face (cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_set_font_size (cr, 22);
  cairo_move_to (cr, 470, 40);
  cairo_show_text (cr, "R");
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (guint y = 0; y < 512; y++)
    for (guint x = 0; x < 512; x++)
      grey[y * 512 + x] = data[(gsize) y * stride + 4 * x + 1];
  cairo_surface_destroy (surface);

  set (file, "00080016", "1.2.840.10008.5.1.4.1.1.7");
  set (file, "00080018", "1.2.826.0.1.3680043.10.1358.77001");
  set (file, "0020000D", "1.2.826.0.1.3680043.10.1358.77002");
  set (file, "0020000E", "1.2.826.0.1.3680043.10.1358.77003");
  set (file, "00080060", "OT");
  set (file, "00080064", "WSD");
  set (file, "00100010", "MARKERTON^OPHELIA");
  set (file, "00100020", "MK-44120");
  set (file, "00100030", "19700101");
  set (file, "00280301", "YES");
  set (file, "00280002", "1");
  set (file, "00280004", "MONOCHROME2");
  set (file, "00280010", "512");
  set (file, "00280011", "512");
  set (file, "00280100", "8");
  set (file, "00280101", "8");
  set (file, "00280102", "7");
  set (file, "00280103", "0");
  g_assert_true (lacuna_dicom_file_set_pixel_data (file, grey, 512 * 512, 8, &error));
  g_assert_no_error (error);
  g_assert_true (lacuna_dicom_file_save (file, path, NULL, &error));
  g_assert_no_error (error);
}

static GBytes *
decode (const char *path,
        char        photometric[24])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LacunaDicomFile) file = lacuna_dicom_file_open (path, LACUNA_DICOM_OPEN_DEFAULT,
                                                            &error);
  GBytes *bytes;

  g_assert_no_error (error);
  bytes = lacuna_dicom_file_decode_frame (file, 0, photometric, &error);
  g_assert_no_error (error);
  return bytes;
}

static void
test_side_marker (void)
{
  g_autofree char *tmp = NULL;
  g_autofree char *key = NULL;
  g_autofree char *in_dir = NULL;
  g_autofree char *input = NULL;
  g_autofree char *out = NULL;
  g_autofree char *report_path = NULL;
  g_autofree char *output = NULL;
  g_autoptr(JsonObject) report = NULL;
  g_autoptr(GBytes) a = NULL;
  g_autoptr(GBytes) b = NULL;
  char pa[24], pb[24];
  JsonObject *entry, *scan;

  if (!requirements ())
    return;
  tmp = lacuna_test_make_tmpdir ();
  key = lacuna_test_make_key_file (tmp, test_key);
  in_dir = g_build_filename (tmp, "in", NULL);
  g_assert_cmpint (g_mkdir (in_dir, 0755), ==, 0);
  input = g_build_filename (in_dir, "marker.dcm", NULL);
  write_side_marker_image (input);

  out = g_build_filename (tmp, "out", NULL);
  g_assert_cmpint (run_cli (NULL, NULL, "clean", "--key-file", key, "--burned-in", "auto", input,
                            "-o", out, NULL), ==, 0);
  report_path = g_strconcat (out, ".report.json", NULL);
  report = load_json (report_path);
  assert_report_verified (report, out, 1);
  entry = find_file_entry (report, NULL);
  scan = json_object_get_object_member (entry, "burned-in");
  /* The marker is found, read as clinical vocabulary and kept: no box. */
  g_assert_cmpint (json_object_get_int_member (scan, "lines"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (scan, "lines-clinical"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (scan, "lines-boxed"), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (scan, "boxes")), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      json_object_get_object_member (entry, "pixels"), "regions")), ==, 0);

  /* The decoded pixels are identical. */
  output = g_build_filename (out, json_object_get_string_member (entry, "file-id"), NULL);
  a = decode (input, pa);
  b = decode (output, pb);
  g_assert_cmpstr (pa, ==, pb);
  g_assert_true (g_bytes_equal (a, b));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  lacuna_dicom_init ();

  g_test_add_func ("/core/export-ocr/side-marker", test_side_marker);
  g_test_add_func ("/core/export-ocr/sample", test_sample);
  g_test_add_func ("/core/export-ocr/shared-set", test_shared_set);
  return g_test_run ();
}
