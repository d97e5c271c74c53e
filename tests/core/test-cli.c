/* test-cli.c: lacuna-cli inspect and pixels, run as a subprocess.
 *
 * References: dcmdump (element counts and values), gdcmconv --raw (decompressed pixels),
 * dcmj2pnm (displayed pixels). PNG output is read back with a small decoder written here
 * on zlib (the test does not link libpng).
 */
#define G_LOG_DOMAIN "test-cli"

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <zlib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "lacuna-core.h"
#include "lacuna-test-util.h"

#define CT_FILE      "head-volume/GE_head_CT_gantry_tilt/14.dcm"
#define CT_FOLDER    "head-volume/GE_head_CT_gantry_tilt"
#define RTPLAN_FILE  "variety/pydicom_debian_test_files/rtplan.dcm"
#define BROKEN_FILE  "variety/pydicom_debian_test_files/rtplan_truncated.dcm"
#define JPEG_LL_FILE "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.4.70.dcm"
#define MULTI_FILE   "variety/multiframe/pydicom-data_emri_small_big_endian_10frames.dcm"
#define PALETTE_FILE "variety/color/orthanc_Implicit-vr-us-palette.dcm"
#define NO_PIXELS    "phi-burned-in/presidio_CR_header_only/0_ORIGINAL_no_pixels.dcm"

static JsonObject *
parse_document (JsonParser *parser,
                const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  /* One document: json-glib refuses anything after the root value. */
  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_nonnull (root);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (root), "version"), ==, 1);
  return json_node_get_object (root);
}

static JsonArray *
array_member (JsonObject *object,
              const char *name)
{
  g_assert_true (json_object_has_member (object, name));
  return json_object_get_array_member (object, name);
}

/* The only instance of a document holding one patient/study/series/instance. */
static JsonObject *
only_instance (JsonObject *doc)
{
  JsonArray *a = array_member (doc, "patients");
  JsonObject *o;

  g_assert_cmpuint (json_array_get_length (a), ==, 1);
  o = json_array_get_object_element (a, 0);
  a = array_member (o, "studies");
  g_assert_cmpuint (json_array_get_length (a), ==, 1);
  o = json_array_get_object_element (a, 0);
  a = array_member (o, "series");
  g_assert_cmpuint (json_array_get_length (a), ==, 1);
  o = json_array_get_object_element (a, 0);
  a = array_member (o, "instances");
  g_assert_cmpuint (json_array_get_length (a), ==, 1);
  return json_array_get_object_element (a, 0);
}

static JsonObject *
find_element (JsonArray  *elements,
              const char *tag,
              guint       depth)
{
  for (guint i = 0; i < json_array_get_length (elements); i++)
    {
      JsonObject *e = json_array_get_object_element (elements, i);

      if (g_strcmp0 (json_object_get_string_member (e, "tag"), tag) == 0 &&
          json_object_get_int_member (e, "depth") == depth)
        return e;
    }
  return NULL;
}

/* dcmdump: the number of data elements (meta header included, items and delimiters not),
 * and the value of one attribute. */
static guint
dcmdump_count (const char *path)
{
  const char *argv[] = { "dcmdump", path, NULL };
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GRegex) re = g_regex_new ("^ *\\([0-9a-f]{4},[0-9a-f]{4}\\)", 0, 0, NULL);
  guint n = 0;

  g_assert_cmpint (lacuna_test_run (argv, &out, NULL), ==, 0);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_regex_match (re, lines[i], 0, NULL) && strstr (lines[i], "(fffe,") == NULL)
      n++;
  return n;
}

static char *
dcmdump_value (const char *path,
               const char *keyword)
{
  const char *argv[] = { "dcmdump", "+P", keyword, path, NULL };
  g_autofree char *out = NULL;
  char *open, *close;

  g_assert_cmpint (lacuna_test_run (argv, &out, NULL), ==, 0);
  open = strchr (out, '[');
  if (open != NULL)
    {
      close = strchr (open, ']');
      g_assert_nonnull (close);
      return g_strndup (open + 1, close - open - 1);
    }
  /* Numbers are printed without brackets: "(0028,0010) US 512   # …" */
  {
    g_auto(GStrv) words = g_strsplit_set (out, " \t", -1);
    guint k = 0;

    for (guint i = 0; words[i] != NULL; i++)
      if (*words[i] != '\0' && ++k == 3)
        return g_strdup (words[i]);
  }
  g_assert_not_reached ();
}

static gboolean
has_temp_files (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (strstr (name, ".tmp-") != NULL)
      return TRUE;
  return FALSE;
}

/* ---------------------------------------------------------------------------------------- */
/* A PNG reader (8-bit grey or RGB, not interlaced) on zlib, with CRC checks.               */

static guint32
be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static guint8
paeth (int a, int b, int c)
{
  int p = a + b - c, pa = abs (p - a), pb = abs (p - b), pc = abs (p - c);

  if (pa <= pb && pa <= pc)
    return (guint8) a;
  return (guint8) (pb <= pc ? b : c);
}

static guint8 *
read_png (const char *path,
          guint      *out_width,
          guint      *out_height,
          guint      *out_channels)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  g_autofree guint8 *data = NULL;
  g_autoptr(GByteArray) idat = g_byte_array_new ();
  g_autofree guint8 *raw = NULL;
  guint8 *pixels;
  gsize length, pos = 8;
  guint width = 0, height = 0, channels = 0;
  uLongf raw_size;
  gboolean seen_end = FALSE;

  g_assert_true (g_file_get_contents (path, (char **) &data, &length, NULL));
  g_assert_cmpuint (length, >, 8);
  g_assert_cmpmem (data, 8, signature, 8);
  while (pos + 12 <= length && !seen_end)
    {
      guint32 size = be32 (data + pos);
      const guint8 *type = data + pos + 4;
      const guint8 *body = data + pos + 8;

      g_assert_cmpuint (pos + 12 + size, <=, length);
      g_assert_cmpuint (be32 (body + size), ==, crc32 (0, type, size + 4));
      if (memcmp (type, "IHDR", 4) == 0)
        {
          width = be32 (body);
          height = be32 (body + 4);
          g_assert_cmpuint (body[8], ==, 8);       /* bit depth */
          g_assert_true (body[9] == 0 || body[9] == 2);
          channels = body[9] == 0 ? 1 : 3;
          g_assert_cmpuint (body[12], ==, 0);      /* not interlaced */
        }
      else if (memcmp (type, "IDAT", 4) == 0)
        g_byte_array_append (idat, body, size);
      else if (memcmp (type, "IEND", 4) == 0)
        seen_end = TRUE;
      pos += 12 + size;
    }
  g_assert_true (seen_end);
  g_assert_cmpuint (width, >, 0);

  raw_size = (uLongf) height * (1 + (gsize) width * channels);
  raw = g_malloc (raw_size);
  g_assert_cmpint (uncompress (raw, &raw_size, idat->data, idat->len), ==, Z_OK);
  g_assert_cmpuint (raw_size, ==, (gsize) height * (1 + (gsize) width * channels));

  pixels = g_malloc ((gsize) width * height * channels);
  for (guint y = 0; y < height; y++)
    {
      gsize stride = (gsize) width * channels;
      const guint8 *src = raw + y * (stride + 1);
      guint8 *dst = pixels + y * stride;
      const guint8 *up = y > 0 ? dst - stride : NULL;

      for (gsize x = 0; x < stride; x++)
        {
          int a = x >= channels ? dst[x - channels] : 0;
          int b = up != NULL ? up[x] : 0;
          int c = up != NULL && x >= channels ? up[x - channels] : 0;
          int v = src[1 + x];

          switch (src[0])
            {
            case 0: break;
            case 1: v += a; break;
            case 2: v += b; break;
            case 3: v += (a + b) / 2; break;
            case 4: v += paeth (a, b, c); break;
            default: g_assert_not_reached ();
            }
          dst[x] = (guint8) v;
        }
    }
  *out_width = width;
  *out_height = height;
  *out_channels = channels;
  return pixels;
}

/* A binary PGM/PPM from dcmj2pnm. */
static guint8 *
read_pnm (const char *path,
          guint      *out_width,
          guint      *out_height,
          guint      *out_channels)
{
  g_autofree char *contents = NULL;
  gsize length;
  guint values[3], n = 0;
  const char *p;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_true (contents[0] == 'P' && (contents[1] == '5' || contents[1] == '6'));
  *out_channels = contents[1] == '5' ? 1 : 3;
  p = contents + 2;
  while (n < 3)
    {
      while (g_ascii_isspace (*p))
        p++;
      if (*p == '#')
        {
          p = strchr (p, '\n');
          continue;
        }
      values[n++] = (guint) g_ascii_strtoull (p, (char **) &p, 10);
    }
  p++;
  g_assert_cmpuint (values[2], ==, 255);
  *out_width = values[0];
  *out_height = values[1];
  g_assert_cmpuint (length - (p - contents), ==, (gsize) values[0] * values[1] * *out_channels);
  return g_memdup2 (p, (gsize) values[0] * values[1] * *out_channels);
}

/* ---------------------------------------------------------------------------------------- */
/* Usage                                                                                    */

static void
test_cli_usage (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  if (!lacuna_test_have_cli ())
    return;
  g_assert_cmpint (run_cli (NULL, NULL, "inspect", NULL), ==, 2);
  g_assert_cmpint (run_cli (NULL, NULL, "inspect", "--no-such-option", "x", NULL), ==, 2);
  g_assert_cmpint (run_cli (NULL, NULL, "pixels", "x.dcm", NULL), ==, 2);
  g_assert_cmpint (run_cli (NULL, NULL, "pixels", "--raw", "a", "--png", "b", "x.dcm", NULL),
                   ==, 2);
  g_assert_cmpint (run_cli (NULL, NULL, "pixels", "--raw", "a", NULL), ==, 2);
  g_assert_cmpint (run_cli (NULL, NULL, "pixels", "--frame", "two", "--raw", "a", "x", NULL),
                   ==, 2);

  g_assert_cmpint (run_cli (&out, NULL, "inspect", "--help", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "--json"));
  g_assert_nonnull (strstr (out, "\"path\""));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (&out, &err, "pixels", "--help", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "--raw"));
  g_assert_nonnull (strstr (out, "--png"));
}

/* GOption's --help exits from within the command while DCMTK's dictionary is still being
 * read in a thread: that thread must be done before the libraries tear down (it once
 * aborted in DCMTK's log library, in about one run in twenty). Many runs of every
 * command's --help, each of which must exit with 0 and print its options. */
static void
test_cli_help_exit (void)
{
  static const char *commands[] = { "inspect", "pixels", "sample", "clean", "finalize",
                                    "report" };

  if (!lacuna_test_have_cli ())
    return;
  for (guint round = 0; round < 10; round++)
    for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
      {
        g_autofree char *out = NULL;
        int status = run_cli (&out, NULL, commands[i], "--help", NULL);

        if (status != 0)
          g_test_message ("lacuna-cli %s --help (round %u): status %d", commands[i], round,
                          status);
        g_assert_cmpint (status, ==, 0);
        g_assert_nonnull (strstr (out, "--help"));
      }
}

/* ---------------------------------------------------------------------------------------- */
/* inspect                                                                                  */

static void
test_cli_inspect_json_file (void)
{
  g_autofree char *path = lacuna_test_dup_testdata (CT_FILE);
  g_autofree char *out = NULL;
  g_autofree char *name = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *doc, *instance, *e;
  JsonArray *elements, *p;

  if (path == NULL || !lacuna_test_have_cli () ||
      !lacuna_test_require_program ("dcmdump", "dcmtk"))
    return;
  g_assert_cmpint (run_cli (&out, NULL, "inspect", "--json", path, NULL), ==, 0);
  doc = parse_document (parser, out);
  g_assert_cmpuint (json_array_get_length (array_member (doc, "skipped")), ==, 0);
  g_assert_cmpuint (json_array_get_length (array_member (doc, "failed")), ==, 0);

  instance = only_instance (doc);
  g_assert_cmpstr (json_object_get_string_member (instance, "source"), ==, path);
  g_assert_cmpint (json_object_get_int_member (instance, "rows"), ==, 512);
  g_assert_cmpint (json_object_get_int_member (instance, "columns"), ==, 512);
  g_assert_cmpint (json_object_get_int_member (instance, "frames"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (instance, "transfer_syntax"), ==,
                   "1.2.840.10008.1.2.1");

  elements = array_member (instance, "elements");
  g_assert_cmpuint (json_array_get_length (elements), ==, dcmdump_count (path));

  e = find_element (elements, "(0010,0010)", 0);
  g_assert_nonnull (e);
  name = dcmdump_value (path, "PatientName");
  g_assert_cmpstr (json_object_get_string_member (e, "value"), ==, name);
  g_assert_cmpstr (json_object_get_string_member (e, "keyword"), ==, "PatientName");
  g_assert_cmpstr (json_object_get_string_member (e, "vr"), ==, "PN");
  p = array_member (e, "path");
  g_assert_cmpuint (json_array_get_length (p), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (p, 0), ==, "(0010,0010)");

  e = find_element (elements, "(0028,0010)", 0);
  g_clear_pointer (&name, g_free);
  name = dcmdump_value (path, "Rows");
  g_assert_cmpstr (json_object_get_string_member (e, "value"), ==, name);

  /* Pixel Data is binary: null with its length. */
  e = find_element (elements, "(7FE0,0010)", 0);
  g_assert_nonnull (e);
  g_assert_true (json_object_get_null_member (e, "value"));
  g_assert_cmpint (json_object_get_int_member (e, "length"), ==, 512 * 512 * 2);
}

static void
test_cli_inspect_json_nested (void)
{
  g_autofree char *path = lacuna_test_dup_testdata (RTPLAN_FILE);
  g_autofree char *out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *elements, *p;
  JsonObject *e;
  guint n_second = 0;

  if (path == NULL || !lacuna_test_have_cli () ||
      !lacuna_test_require_program ("dcmdump", "dcmtk"))
    return;
  g_assert_cmpint (run_cli (&out, NULL, "inspect", "--json", path, NULL), ==, 0);
  elements = array_member (only_instance (parse_document (parser, out)), "elements");
  g_assert_cmpuint (json_array_get_length (elements), ==, dcmdump_count (path));

  e = find_element (elements, "(300A,0010)", 0);
  g_assert_cmpstr (json_object_get_string_member (e, "vr"), ==, "SQ");
  g_assert_cmpint (json_object_get_int_member (e, "items"), ==, 2);
  g_assert_true (json_object_get_null_member (e, "value"));

  /* (300A,0012) Dose Reference Number of item 1 (the second) is "2", its path
   * ["(300A,0010)", 1, "(300A,0012)"]. */
  for (guint i = 0; i < json_array_get_length (elements); i++)
    {
      e = json_array_get_object_element (elements, i);
      p = array_member (e, "path");
      if (json_array_get_length (p) == 3 &&
          g_strcmp0 (json_array_get_string_element (p, 0), "(300A,0010)") == 0 &&
          json_array_get_int_element (p, 1) == 1 &&
          g_strcmp0 (json_array_get_string_element (p, 2), "(300A,0012)") == 0)
        {
          g_assert_cmpint (json_object_get_int_member (e, "depth"), ==, 1);
          g_assert_cmpstr (json_object_get_string_member (e, "value"), ==, "2");
          n_second++;
        }
    }
  g_assert_cmpuint (n_second, ==, 1);
}

static void
test_cli_inspect_folder (void)
{
  g_autofree char *path = lacuna_test_dup_testdata (CT_FOLDER);
  g_autofree char *out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *doc, *series;
  JsonArray *instances;

  if (path == NULL || !lacuna_test_have_cli ())
    return;
  g_assert_cmpint (run_cli (&out, NULL, "inspect", "--json", path, NULL), ==, 0);
  doc = parse_document (parser, out);
  series = json_array_get_object_element (
    array_member (json_array_get_object_element (
      array_member (json_array_get_object_element (array_member (doc, "patients"), 0),
                    "studies"), 0), "series"), 0);
  g_assert_cmpstr (json_object_get_string_member (series, "modality"), ==, "CT");
  instances = array_member (series, "instances");
  g_assert_cmpuint (json_array_get_length (instances), ==, 28);
  for (guint i = 0; i < 28; i++)
    g_assert_cmpuint (json_array_get_length (
      array_member (json_array_get_object_element (instances, i), "elements")), >, 50);
}

static void
test_cli_inspect_text (void)
{
  g_autofree char *path = lacuna_test_dup_testdata (RTPLAN_FILE);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  if (path == NULL || !lacuna_test_have_cli ())
    return;
  g_assert_cmpint (run_cli (&out, &err, "inspect", path, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "(0010,0010) PN PatientName = Last^First^mid^pre\n"));
  g_assert_nonnull (strstr (out, "(300A,0010) SQ DoseReferenceSequence (2 items)\n"));
  /* Items and nested elements, indented below their sequence. */
  g_assert_nonnull (strstr (out, "          Item [1]\n"
                                 "            (300A,0012) IS DoseReferenceNumber = 2\n"));
  g_assert_nonnull (strstr (out, path));
  /* The summary is not part of the results. */
  g_assert_null (strstr (out, "1 instance"));
  g_assert_nonnull (strstr (err, "1 instance"));
}

static void
test_cli_inspect_broken (void)
{
  g_autofree char *path = lacuna_test_dup_testdata (BROKEN_FILE);
  g_autofree char *good = lacuna_test_dup_testdata (CT_FILE);
  g_autofree char *out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *doc, *failed;

  if (path == NULL || good == NULL || !lacuna_test_have_cli ())
    return;
  g_assert_cmpint (run_cli (&out, NULL, "inspect", "--json", good, path, NULL), ==, 1);
  doc = parse_document (parser, out);
  g_assert_cmpuint (json_array_get_length (array_member (doc, "failed")), ==, 1);
  failed = json_array_get_object_element (array_member (doc, "failed"), 0);
  g_assert_cmpstr (json_object_get_string_member (failed, "path"), ==, path);
  g_assert_cmpstr (json_object_get_string_member (failed, "error"), !=, "");
  /* The good file is still there. */
  only_instance (doc);
}

static void
test_cli_inspect_not_dicom (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *text = NULL;
  g_autofree char *out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *doc;

  if (!lacuna_test_have_cli ())
    return;
  dir = lacuna_test_make_tmpdir ();
  text = g_build_filename (dir, "notes.txt", NULL);
  g_assert_true (g_file_set_contents (text, "Not an image, just text.\n", -1, NULL));

  g_assert_cmpint (run_cli (&out, NULL, "inspect", "--json", dir, NULL), ==, 0);
  doc = parse_document (parser, out);
  g_assert_cmpuint (json_array_get_length (array_member (doc, "patients")), ==, 0);
  g_assert_cmpuint (json_array_get_length (array_member (doc, "failed")), ==, 0);
  g_assert_cmpuint (json_array_get_length (array_member (doc, "skipped")), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (
    json_array_get_object_element (array_member (doc, "skipped"), 0), "path"), ==, text);
}

static void
test_cli_inspect_missing (void)
{
  g_autofree char *good = lacuna_test_dup_testdata (CT_FILE);
  g_autofree char *dir = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *doc;

  if (good == NULL || !lacuna_test_have_cli ())
    return;
  dir = lacuna_test_make_tmpdir ();
  missing = g_build_filename (dir, "no-such-file.dcm", NULL);
  g_assert_cmpint (run_cli (&out, NULL, "inspect", "--json", missing, good, NULL), ==, 1);
  doc = parse_document (parser, out);
  only_instance (doc);
  g_assert_cmpstr (json_object_get_string_member (
    json_array_get_object_element (array_member (doc, "failed"), 0), "path"), ==, missing);
}

/* ---------------------------------------------------------------------------------------- */
/* pixels                                                                                   */

static GBytes *
decode_le (const char *path,
           guint       frame)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LacunaDicomFile) file = lacuna_dicom_file_open (path, LACUNA_DICOM_OPEN_DEFAULT,
                                                            &error);
  LacunaDicomPixelInfo info;
  char photometric[24];
  GBytes *bytes;

  g_assert_no_error (error);
  g_assert_true (lacuna_dicom_file_get_pixel_info (file, &info, &error));
  bytes = lacuna_dicom_file_decode_frame (file, frame, photometric, &error);
  g_assert_no_error (error);
#if G_BYTE_ORDER == G_BIG_ENDIAN
  if (info.bits_allocated == 16)
    {
      gsize size;
      guint16 *d = g_bytes_unref_to_data (bytes, &size);

      for (gsize i = 0; i < size / 2; i++)
        d[i] = GUINT16_TO_LE (d[i]);
      bytes = g_bytes_new_take (d, size);
    }
#endif
  return bytes;
}

static void
assert_file_equals_bytes (const char *path,
                          GBytes     *bytes)
{
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpmem (contents, length, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

static void
test_cli_pixels_raw (void)
{
  g_autofree char *ct = lacuna_test_dup_testdata (CT_FILE);
  g_autofree char *jpeg = lacuna_test_dup_testdata (JPEG_LL_FILE);
  g_autofree char *dir = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GBytes) expected = NULL;

  if (ct == NULL || jpeg == NULL || !lacuna_test_have_cli ())
    return;
  dir = lacuna_test_make_tmpdir ();
  out = g_build_filename (dir, "ct.raw", NULL);
  g_assert_cmpint (run_cli (NULL, NULL, "pixels", ct, "--raw", out, NULL), ==, 0);
  expected = decode_le (ct, 0);
  g_assert_cmpuint (g_bytes_get_size (expected), ==, 512 * 512 * 2);
  assert_file_equals_bytes (out, expected);
  g_assert_false (has_temp_files (dir));

  /* A JPEG lossless CT against GDCM's decompression of the same file. */
  if (lacuna_test_require_program ("gdcmconv", "libgdcm-tools"))
    {
      g_autofree char *raw_dcm = g_build_filename (dir, "gdcm-raw.dcm", NULL);
      g_autofree char *jpeg_out = g_build_filename (dir, "jpeg.raw", NULL);
      const char *argv[] = { "gdcmconv", "--raw", jpeg, raw_dcm, NULL };
      g_autoptr(GError) error = NULL;
      g_autoptr(LacunaDicomFile) file = NULL;
      g_autoptr(GBytes) gdcm = NULL;

      g_assert_cmpint (lacuna_test_run (argv, NULL, NULL), ==, 0);
      file = lacuna_dicom_file_open (raw_dcm, LACUNA_DICOM_OPEN_DEFAULT, &error);
      g_assert_no_error (error);
      gdcm = lacuna_dicom_file_dup_bytes (file, "7FE00010", &error);
      g_assert_no_error (error);

      g_assert_cmpint (run_cli (NULL, NULL, "pixels", jpeg, "--raw", jpeg_out, NULL), ==, 0);
      g_assert_cmpuint (g_bytes_get_size (gdcm), ==, 512 * 400 * 2);
      assert_file_equals_bytes (jpeg_out, gdcm);
    }
}

static void
test_cli_pixels_frames (void)
{
  g_autofree char *path = lacuna_test_dup_testdata (MULTI_FILE);
  g_autofree char *dir = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GBytes) third = NULL;

  if (path == NULL || !lacuna_test_have_cli ())
    return;
  dir = lacuna_test_make_tmpdir ();
  out = g_build_filename (dir, "f3.raw", NULL);
  g_assert_cmpint (run_cli (NULL, NULL, "pixels", path, "--frame", "3", "--raw", out, NULL),
                   ==, 0);
  third = decode_le (path, 2);
  assert_file_equals_bytes (out, third);
  g_unlink (out);

  /* Frames count from 1; 0 and 11 of 10 are out of range, and nothing is written. */
  g_assert_cmpint (run_cli (NULL, &err, "pixels", path, "--frame", "11", "--raw", out, NULL),
                   ==, 1);
  g_assert_nonnull (strstr (err, "11"));
  g_assert_cmpint (run_cli (NULL, NULL, "pixels", path, "--frame", "0", "--png", out, NULL),
                   ==, 1);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  g_assert_false (has_temp_files (dir));
}

static void
compare_png_with_dcmj2pnm (const char *relative,
                           const char *window,
                           guint       tolerance,
                           guint       expected_channels)
{
  g_autofree char *path = lacuna_test_dup_testdata (relative);
  g_autofree char *dir = NULL;
  g_autofree char *png = NULL;
  g_autofree char *pnm = NULL;
  g_autofree guint8 *ours = NULL;
  g_autofree guint8 *ref = NULL;
  guint w, h, c, rw, rh, rc, worst = 0;
  const char *argv[7];
  int k = 0;

  if (path == NULL || !lacuna_test_have_cli ())
    return;
  dir = lacuna_test_make_tmpdir ();
  png = g_build_filename (dir, "out.png", NULL);
  g_assert_cmpint (run_cli (NULL, NULL, "pixels", path, "--png", png, NULL), ==, 0);
  g_assert_false (has_temp_files (dir));
  ours = read_png (png, &w, &h, &c);
  g_assert_cmpuint (c, ==, expected_channels);

  if (!lacuna_test_require_program ("dcmj2pnm", "dcmtk"))
    return;
  pnm = g_build_filename (dir, "ref.pnm", NULL);
  argv[k++] = "dcmj2pnm";
  argv[k++] = "-O";
  if (window != NULL)
    {
      argv[k++] = "+Wi";
      argv[k++] = window;
    }
  argv[k++] = path;
  argv[k++] = pnm;
  argv[k] = NULL;
  g_assert_cmpint (lacuna_test_run (argv, NULL, NULL), ==, 0);
  ref = read_pnm (pnm, &rw, &rh, &rc);
  g_assert_cmpuint (w, ==, rw);
  g_assert_cmpuint (h, ==, rh);
  g_assert_cmpuint (c, ==, rc);
  for (gsize i = 0; i < (gsize) w * h * c; i++)
    worst = MAX (worst, (guint) abs ((int) ours[i] - (int) ref[i]));
  g_test_message ("%s: largest difference from dcmj2pnm %u", relative, worst);
  g_assert_cmpuint (worst, <=, tolerance);
}

static void
test_cli_pixels_png (void)
{
  compare_png_with_dcmj2pnm (CT_FILE, "1", 1, 1);
  compare_png_with_dcmj2pnm ("variety/monochrome1/orthanc_Issue44_Monochrome1-Jpeg.dcm", "1", 1,
                             1);
  compare_png_with_dcmj2pnm (PALETTE_FILE, NULL, 2, 3);
  compare_png_with_dcmj2pnm ("variety/color/pydicom-data_SC_ybr_full_uncompressed.dcm", NULL, 2,
                             3);
}

static void
test_cli_pixels_errors (void)
{
  g_autofree char *ct = lacuna_test_dup_testdata (CT_FILE);
  g_autofree char *no_pixels = lacuna_test_dup_testdata (NO_PIXELS);
  g_autofree char *dir = NULL;
  g_autofree char *out = NULL;
  g_autofree char *text = NULL;
  g_autofree char *copy = NULL;
  g_autofree char *link = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *err = NULL;
  gsize before_len, after_len;

  if (ct == NULL || no_pixels == NULL || !lacuna_test_have_cli ())
    return;
  dir = lacuna_test_make_tmpdir ();
  out = g_build_filename (dir, "out.raw", NULL);

  /* No pixels; not DICOM; missing input. */
  g_assert_cmpint (run_cli (NULL, &err, "pixels", no_pixels, "--raw", out, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "(7FE0,0010)"));
  text = g_build_filename (dir, "notes.txt", NULL);
  g_assert_true (g_file_set_contents (text, "hello\n", -1, NULL));
  g_assert_cmpint (run_cli (NULL, NULL, "pixels", text, "--png", out, NULL), ==, 1);
  g_assert_cmpint (run_cli (NULL, NULL, "pixels", "/nonexistent/x.dcm", "--png", out, NULL), ==,
                   1);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));

  /* OUT is a folder: the rename fails, the temporary file is removed. */
  g_assert_cmpint (run_cli (NULL, NULL, "pixels", ct, "--raw", dir, NULL), ==, 1);
  g_assert_false (has_temp_files (dir));
  {
    g_autofree char *parent = g_path_get_dirname (dir);
    g_assert_false (has_temp_files (parent));
  }

  /* Never over the input, also through a symbolic link. */
  g_assert_true (g_file_get_contents (ct, &before, &before_len, NULL));
  copy = g_build_filename (dir, "input.dcm", NULL);
  g_assert_true (g_file_set_contents (copy, before, before_len, NULL));
  link = g_build_filename (dir, "link.dcm", NULL);
  g_assert_cmpint (symlink (copy, link), ==, 0);
  g_assert_cmpint (run_cli (NULL, NULL, "pixels", copy, "--raw", copy, NULL), ==, 1);
  g_assert_cmpint (run_cli (NULL, NULL, "pixels", copy, "--png", link, NULL), ==, 1);
  g_assert_cmpint (run_cli (NULL, NULL, "pixels", link, "--raw", copy, NULL), ==, 1);
  g_assert_true (g_file_get_contents (copy, &after, &after_len, NULL));
  g_assert_cmpmem (before, before_len, after, after_len);
  g_assert_false (has_temp_files (dir));

  /* An existing OUT is replaced whole. */
  g_assert_true (g_file_set_contents (out, "old", -1, NULL));
  g_assert_cmpint (run_cli (NULL, NULL, "pixels", ct, "--raw", out, NULL), ==, 0);
  g_clear_pointer (&after, g_free);
  g_assert_true (g_file_get_contents (out, &after, &after_len, NULL));
  g_assert_cmpuint (after_len, ==, 512 * 512 * 2);
  g_assert_false (has_temp_files (dir));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  lacuna_dicom_init ();

  g_test_add_func ("/core/cli/usage", test_cli_usage);
  g_test_add_func ("/core/cli/help-exit", test_cli_help_exit);
  g_test_add_func ("/core/cli/inspect/json-file", test_cli_inspect_json_file);
  g_test_add_func ("/core/cli/inspect/json-nested", test_cli_inspect_json_nested);
  g_test_add_func ("/core/cli/inspect/folder", test_cli_inspect_folder);
  g_test_add_func ("/core/cli/inspect/text", test_cli_inspect_text);
  g_test_add_func ("/core/cli/inspect/broken", test_cli_inspect_broken);
  g_test_add_func ("/core/cli/inspect/not-dicom", test_cli_inspect_not_dicom);
  g_test_add_func ("/core/cli/inspect/missing", test_cli_inspect_missing);
  g_test_add_func ("/core/cli/pixels/raw", test_cli_pixels_raw);
  g_test_add_func ("/core/cli/pixels/frames", test_cli_pixels_frames);
  g_test_add_func ("/core/cli/pixels/png", test_cli_pixels_png);
  g_test_add_func ("/core/cli/pixels/errors", test_cli_pixels_errors);

  return g_test_run ();
}
