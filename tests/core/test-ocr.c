/* Burned-in text: regions, OCR, classification, the scan of an instance, verification. */
#define G_LOG_DOMAIN "test-ocr"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "lacuna-core.h"
#include "lacuna-burned-in.h"
#include "lacuna-ocr.h"
#include "lacuna-ocr-classify.h"
#include "lacuna-text-regions.h"
#include "lacuna-test-util.h"

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                  */

static gboolean
ocr_available (void)
{
  g_autoptr(GError) error = NULL;

  if (lacuna_ocr_is_available (&error))
    return TRUE;
  g_test_skip ("Tesseract with English data (tesseract-ocr-eng) is not available");
  return FALSE;
}

static LacunaDicomFile *
open_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  LacunaDicomFile *file = lacuna_dicom_file_open (path, LACUNA_DICOM_OPEN_DEFAULT, &error);

  g_assert_no_error (error);
  g_assert_nonnull (file);
  return file;
}

static void
set (LacunaDicomFile *file,
     const char      *path,
     const char      *value)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (lacuna_dicom_file_set_string (file, path, NULL, value, &error));
  g_assert_no_error (error);
}

/* An 8-bit MONOCHROME2 secondary capture of grey (width × height). */
static LacunaDicomFile *
file_from_grey (const guint8 *grey,
                guint         width,
                guint         height)
{
  LacunaDicomFile *file = lacuna_dicom_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *rows = g_strdup_printf ("%u", height);
  g_autofree char *columns = g_strdup_printf ("%u", width);

  set (file, "00080016", "1.2.840.10008.5.1.4.1.1.7");
  set (file, "00080018", "1.2.826.0.1.3680043.10.1358.4242");
  set (file, "00080060", "OT");
  set (file, "00280002", "1");
  set (file, "00280004", "MONOCHROME2");
  set (file, "00280010", rows);
  set (file, "00280011", columns);
  set (file, "00280100", "8");
  set (file, "00280101", "8");
  set (file, "00280102", "7");
  set (file, "00280103", "0");
  g_assert_true (lacuna_dicom_file_set_pixel_data (file, grey, (gsize) width * height, 8,
                                                   &error));
  g_assert_no_error (error);
  return file;
}

/* Draws text lines (white, the given grey) with cairo into a black grey buffer with a
 * soft grey "anatomy" disc in the middle. */
typedef struct
{
  const char *text;
  double      x;
  double      y;      /* baseline */
  double      size;
  double      value;  /* 0–1 */
} TextLine;

static guint8 *
draw_frame (guint           size,
            const TextLine *lines,
            guint           n_lines)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, size, size);
  cairo_t *cr = cairo_create (surface);
  guint8 *grey = g_malloc ((gsize) size * size);
  cairo_pattern_t *disc;
  const guint8 *data;
  int stride;

  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_paint (cr);
  disc = cairo_pattern_create_radial (size / 2.0, size / 2.0, 0, size / 2.0, size / 2.0,
                                      size / 3.0);
  cairo_pattern_add_color_stop_rgb (disc, 0, 0.55, 0.55, 0.55);
  cairo_pattern_add_color_stop_rgb (disc, 1, 0.1, 0.1, 0.1);
  cairo_set_source (cr, disc);
  cairo_arc (cr, size / 2.0, size / 2.0, size / 3.0, 0, 2 * G_PI);
  cairo_fill (cr);
  cairo_pattern_destroy (disc);

  cairo_select_font_face (cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  for (guint i = 0; i < n_lines; i++)
    {
      cairo_set_source_rgb (cr, lines[i].value, lines[i].value, lines[i].value);
      cairo_set_font_size (cr, lines[i].size);
      cairo_move_to (cr, lines[i].x, lines[i].y);
      cairo_show_text (cr, lines[i].text);
    }
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (guint y = 0; y < size; y++)
    for (guint x = 0; x < size; x++)
      grey[(gsize) y * size + x] = data[(gsize) y * stride + 4 * x + 1];   /* green */
  cairo_surface_destroy (surface);
  return grey;
}

static gboolean
boxes_overlap (const int a[4],
               const int b[4])
{
  return a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3];
}

static gboolean
redact_boxes_cover (GArray    *boxes,
                    const int  box[4])
{
  for (guint i = 0; i < boxes->len; i++)
    {
      const LacunaRedactBox *r = &g_array_index (boxes, LacunaRedactBox, i);
      int rb[4] = { r->x, r->y, r->width, r->height };

      if (boxes_overlap (rb, box))
        return TRUE;
    }
  return FALSE;
}

static gboolean
point_in_boxes (GArray *boxes,
                int     x,
                int     y)
{
  for (guint i = 0; i < boxes->len; i++)
    {
      const LacunaRedactBox *r = &g_array_index (boxes, LacunaRedactBox, i);

      if (x >= r->x && y >= r->y && x < r->x + r->width && y < r->y + r->height)
        return TRUE;
    }
  return FALSE;
}

static char *
normalize (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    if (g_ascii_isalnum (*p))
      g_string_append_c (out, g_ascii_toupper (*p));
  return g_string_free (out, FALSE);
}

/* TRUE when some boxed line matching the identity holds expected. */
static gboolean
found_in_scan (LacunaBurnedIn *scan,
               const char     *expected)
{
  g_autofree char *want = normalize (expected);

  for (guint i = 0; i < lacuna_burned_in_get_n_lines (scan); i++)
    {
      const LacunaBurnedInLine *line = lacuna_burned_in_get_line (scan, i);
      g_autofree char *have = normalize (line->text != NULL ? line->text : "");
      g_auto(GStrv) tokens = NULL;

      if (line->severity != LACUNA_BURNED_IN_IDENTITY || !line->redact)
        continue;
      if (strstr (have, want) != NULL)
        return TRUE;
      tokens = g_strsplit_set (line->text, " ,", -1);
      for (guint k = 0; tokens[k] != NULL; k++)
        {
          g_autofree char *token = normalize (tokens[k]);

          if (strlen (want) >= 6 && lacuna_ocr_edit_distance (token, want, 1) <= 1)
            return TRUE;
        }
    }
  return FALSE;
}

/* ---------------------------------------------------------------------------------------- */
/* Classification                                                                           */

static void
test_classify_dates (void)
{
  static const struct { const char *text; guint expected; guint n_min; } cases[] = {
    { "19620314", 19620314, 1 },
    { "14/03/1962", 19620314, 1 },
    { "03/14/1962", 19620314, 1 },
    { "3/14/1962", 19620314, 1 },
    { "14.03.1962", 19620314, 1 },
    { "06.16.1976", 19760616, 1 },
    { "01.09.2012", 20120901, 2 },      /* D.M.Y and M.D.Y both valid */
    { "01.09.2012", 20120109, 2 },
    { "14/03/62", 19620314, 1 },
    { "62/03/14", 19620314, 1 },        /* YY/MM/DD */
    { "1962-03-14", 19620314, 1 },
    { "14-Mar-1962", 19620314, 1 },
    { "14-MAR-62", 19620314, 1 },
    { "14 Mar 1962", 19620314, 1 },
    { "Mar 14, 1962", 19620314, 1 },
    { "14MAR1962", 19620314, 1 },
    { "29 Mar 00", 20000329, 1 },
    { "24-MAY-O2", 20020524, 1 },       /* O read for 0 */
    { "(12/04/1961)", 19610412, 1 },
    { "12/04/1961", 19611204, 1 },
  };
  static const char * const not_dates[] = {
    "C5-2", "0.8", "12", "LAC-58213-X", "14:32:08", "ABD", "99/99/1999", "32.13.2020",
    "1277128", "MI", "",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint readings[8];
      guint n = lacuna_ocr_parse_date (cases[i].text, readings, G_N_ELEMENTS (readings));
      gboolean found = FALSE;

      for (guint k = 0; k < n; k++)
        found |= readings[k] == cases[i].expected;
      if (!found || n < cases[i].n_min)
        g_error ("date %s: expected %u among %u readings", cases[i].text, cases[i].expected, n);
    }
  for (guint i = 0; i < G_N_ELEMENTS (not_dates); i++)
    {
      guint readings[8];

      if (lacuna_ocr_parse_date (not_dates[i], readings, G_N_ELEMENTS (readings)) != 0)
        g_error ("%s read as a date", not_dates[i]);
    }
  g_assert_true (lacuna_ocr_is_time ("14:32:08"));
  g_assert_true (lacuna_ocr_is_time ("11:34:08 am"));
  g_assert_true (lacuna_ocr_is_time ("10:15"));
  g_assert_false (lacuna_ocr_is_time ("25:99"));
  g_assert_false (lacuna_ocr_is_time ("1.2"));
}

static void
test_classify_edit_distance (void)
{
  static const struct { const char *a; const char *b; guint d; } cases[] = {
    { "QUILLFEATHER", "QUILLFEATHER", 0 },
    { "QUILLFEATHER", "quillfeather", 0 },
    { "QUILLFEATHER", "QUILLFEATHEB", 1 },
    { "QUILLFEATHER", "QUILFEATHER", 1 },
    { "QUILLFEATHER", "QUILLFEATHERS", 1 },
    { "DAVIDSON", "DAVlDS0N", 2 },
    { "ABC", "XYZ", 3 },
    { "", "AB", 2 },
    { "Brönnimann", "BRÖNNIMANN", 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpuint (lacuna_ocr_edit_distance (cases[i].a, cases[i].b, 5), ==, cases[i].d);
  /* Stops early past max. */
  g_assert_cmpuint (lacuna_ocr_edit_distance ("AAAAAAAA", "BBBBBBBB", 1), ==, 2);
}

static void
test_classify_words (void)
{
  g_autoptr(LacunaOcrIdentity) id = lacuna_ocr_identity_new ();
  static const struct { const char *word; LacunaOcrClass klass; const char *kind; } cases[] = {
    /* identity: name parts, '^' read as '*' or '"', case, one OCR error in long words */
    { "DOE*JANE", LACUNA_OCR_CLASS_IDENTITY, "patient name" },
    { "DOE\"", LACUNA_OCR_CLASS_IDENTITY, "patient name" },
    { "“JANE", LACUNA_OCR_CLASS_IDENTITY, "patient name" },
    { "Quillfeather,", LACUNA_OCR_CLASS_IDENTITY, "patient name" },
    { "QUILLFEATHEB", LACUNA_OCR_CLASS_IDENTITY, "patient name" },
    { "OKONKWO", LACUNA_OCR_CLASS_IDENTITY, "person name" },
    { "BRIGHT", LACUNA_OCR_CLASS_IDENTITY, "person name" },
    { "LAC-58213-X", LACUNA_OCR_CLASS_IDENTITY, "patient ID" },
    { "LAC-56213-X", LACUNA_OCR_CLASS_IDENTITY, "patient ID" },
    { "14/03/1962", LACUNA_OCR_CLASS_IDENTITY, "birth date" },
    { "03/14/1962", LACUNA_OCR_CLASS_IDENTITY, "birth date" },
    { "14-Mar-1962", LACUNA_OCR_CLASS_IDENTITY, "birth date" },
    { "19620314", LACUNA_OCR_CLASS_IDENTITY, "birth date" },
    { "Aldhelm", LACUNA_OCR_CLASS_IDENTITY, "institution" },
    /* not the patient */
    { "05/06/2011", LACUNA_OCR_CLASS_DATE, NULL },
    { "14:22", LACUNA_OCR_CLASS_DATE, NULL },
    { "2012", LACUNA_OCR_CLASS_DATE, NULL },
    { "00123456", LACUNA_OCR_CLASS_ID, NULL },
    { "0.8", LACUNA_OCR_CLASS_NUMBER, NULL },
    { "54%", LACUNA_OCR_CLASS_NUMBER, NULL },
    { "14.2cm", LACUNA_OCR_CLASS_NUMBER, NULL },
    { "+64.1", LACUNA_OCR_CLASS_NUMBER, NULL },
    { "cm", LACUNA_OCR_CLASS_CLINICAL, NULL },
    { "Hz", LACUNA_OCR_CLASS_CLINICAL, NULL },
    { "dB", LACUNA_OCR_CLASS_CLINICAL, NULL },
    { "R", LACUNA_OCR_CLASS_CLINICAL, NULL },
    { "L", LACUNA_OCR_CLASS_CLINICAL, NULL },
    { "C5-2", LACUNA_OCR_CLASS_CLINICAL, NULL },
    { "L12-5", LACUNA_OCR_CLASS_CLINICAL, NULL },
    { "P4-2", LACUNA_OCR_CLASS_CLINICAL, NULL },
    { "MI", LACUNA_OCR_CLASS_CLINICAL, NULL },
    { "TIS", LACUNA_OCR_CLASS_CLINICAL, NULL },
    { "TIB", LACUNA_OCR_CLASS_CLINICAL, NULL },
    { "FR", LACUNA_OCR_CLASS_CLINICAL, NULL },
    { "ABD", LACUNA_OCR_CLASS_CLINICAL, NULL },
    { "CAR", LACUNA_OCR_CLASS_CLINICAL, NULL },
    { "Opt:Gen", LACUNA_OCR_CLASS_CLINICAL, NULL },
    { "Portable", LACUNA_OCR_CLASS_CLINICAL, NULL },
    { "Semi-Upright", LACUNA_OCR_CLASS_CLINICAL, NULL },
    { "SMITH", LACUNA_OCR_CLASS_WORD, NULL },
    { "—", LACUNA_OCR_CLASS_NOISE, NULL },
  };

  lacuna_ocr_identity_add_name (id, "patient name", "DOE^JANE");
  lacuna_ocr_identity_add_name (id, "patient name", LACUNA_SAMPLE_PATIENT_NAME);
  lacuna_ocr_identity_add_name (id, "person name", LACUNA_SAMPLE_PERFORMING_PHYSICIAN);
  lacuna_ocr_identity_add_name (id, "person name", "HALVORSEN^EDMUND^J^DR");
  lacuna_ocr_identity_add_id (id, "patient ID", LACUNA_SAMPLE_PATIENT_ID);
  lacuna_ocr_identity_add_date (id, "birth date", LACUNA_SAMPLE_BIRTH_DATE);
  lacuna_ocr_identity_add_text (id, "institution", LACUNA_SAMPLE_INSTITUTION);
  lacuna_ocr_identity_add_name (id, "patient name", "ANONYMOUS");   /* placeholder: ignored */
  /* Titles are not identity ("DR" alone) and neither are placeholders. */
  g_assert_null (lacuna_ocr_identity_match_word (id, "DR"));
  g_assert_null (lacuna_ocr_identity_match_word (id, "ANONYMOUS"));
  g_assert_null (lacuna_ocr_identity_match_word (id, "Hospital"));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *kind = NULL;
      LacunaOcrClass klass = lacuna_ocr_classify_word (id, cases[i].word, &kind);

      if (klass != cases[i].klass || g_strcmp0 (kind, cases[i].kind) != 0)
        g_error ("word %s: class %s (%s), expected %s (%s)", cases[i].word,
                 lacuna_ocr_class_to_string (klass), kind ? kind : "-",
                 lacuna_ocr_class_to_string (cases[i].klass),
                 cases[i].kind ? cases[i].kind : "-");
    }

  /* Lines: a date over three words; default deny. */
  {
    const char *words[] = { "14", "Mar", "62", "MI", "0.8" };
    const char *clinical[] = { "MI", "0.8", "TIS", "0.4", "—" };
    const char *unknown[] = { "MI", "0.8", "SMITH" };
    const char *noise[] = { "—" };
    LacunaOcrClass classes[5];

    g_assert_cmpstr (lacuna_ocr_classify_line (id, words, 5, classes), ==, "birth date");
    g_assert_cmpint (classes[0], ==, LACUNA_OCR_CLASS_IDENTITY);
    g_assert_cmpint (classes[2], ==, LACUNA_OCR_CLASS_IDENTITY);
    g_assert_cmpint (classes[3], ==, LACUNA_OCR_CLASS_CLINICAL);
    g_assert_false (lacuna_ocr_line_is_clinical (classes, 5));
    g_assert_null (lacuna_ocr_classify_line (id, clinical, 5, classes));
    g_assert_true (lacuna_ocr_line_is_clinical (classes, 5));
    lacuna_ocr_classify_line (id, unknown, 3, classes);
    g_assert_false (lacuna_ocr_line_is_clinical (classes, 3));
    lacuna_ocr_classify_line (id, noise, 1, classes);
    g_assert_false (lacuna_ocr_line_is_clinical (classes, 1));
  }
}

/* ---------------------------------------------------------------------------------------- */
/* Real files                                                                               */

typedef struct
{
  const char *path;      /* relative to the test data, or NULL: the sample's file */
  const char *sample;    /* file ID in the sample */
  const char *expected[8];
} BurnedCase;

static void
test_burned_in_identity (void)
{
  static const BurnedCase cases[] = {
    { "phi-burned-in/presidio_CR_chest/0_ORIGINAL_compressed.dcm", NULL,
      { "DAVIDSON", "DOUGLAS", "06.16.1976" } },
    { "phi-burned-in/presidio_CT_scout/2_ORIGINAL.dicom", NULL,
      { "KAUFMAN", "SCOTT", "07.22.1943" } },
    { "phi-burned-in/ultrasound/orthanc_Issue19_US_YBR.dcm", NULL,
      { "WEDNESDAY", "MARCH", "SCOTT", "FIXED", "Metis", "29 Mar 00" } },
    { NULL, "LACUNA/US/IM000001",
      { "QUILLFEATHER", "ROSALIND", "MAE", LACUNA_SAMPLE_PATIENT_ID, "14/03/1962",
        "ALDHELM", "19/09/2024" } },
    { NULL, "LACUNA/SC/IM000001",
      { LACUNA_SAMPLE_PATIENT_ID, LACUNA_SAMPLE_CT_ACCESSION, "17/09/2024" } },
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *sample = NULL;
  const char *testdata;
  guint n_expected = 0, n_found = 0;

  if (!ocr_available () || (testdata = lacuna_test_get_testdata ()) == NULL)
    return;
  sample = lacuna_sample_dup_path (&error);
  g_assert_no_error (error);

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autofree char *path = cases[c].path != NULL
                              ? g_build_filename (testdata, cases[c].path, NULL)
                              : g_build_filename (sample, cases[c].sample, NULL);
      g_autoptr(LacunaDicomFile) file = open_file (path);
      g_autoptr(LacunaBurnedIn) scan = lacuna_burned_in_scan (file, NULL, NULL, &error);
      g_autoptr(GPtrArray) findings = NULL;
      g_autoptr(GArray) boxes = NULL;

      g_assert_no_error (error);
      g_assert_nonnull (scan);
      findings = lacuna_burned_in_dup_findings (scan, "1.2.3");
      boxes = lacuna_burned_in_dup_boxes (scan);
      g_assert_cmpuint (findings->len, ==, lacuna_burned_in_get_n_lines (scan));

      for (guint k = 0; k < G_N_ELEMENTS (cases[c].expected) && cases[c].expected[k]; k++)
        {
          n_expected++;
          if (found_in_scan (scan, cases[c].expected[k]))
            n_found++;
          else
            g_test_message ("%s: burned-in identity word %u not found",
                            cases[c].path ? cases[c].path : cases[c].sample, k);
        }

      /* Findings: the words read stay out of the text, and are in values "read". */
      for (guint i = 0; i < findings->len; i++)
        {
          LacunaFinding *f = g_ptr_array_index (findings, i);
          const LacunaBurnedInLine *line = lacuna_burned_in_get_line (scan, i);
          JsonObject *values = lacuna_finding_get_values (f);
          g_auto(GStrv) tokens = g_strsplit_set (line->text, " ", -1);

          g_assert_cmpstr (lacuna_finding_get_kind (f), ==, "burned-in-text");
          g_assert_cmpint (lacuna_finding_get_class (f), ==,
                           line->read ? LACUNA_EVIDENCE_STATED : LACUNA_EVIDENCE_DETECTED);
          g_assert_true (json_object_has_member (values, "severity"));
          g_assert_cmpstr (json_object_get_string_member (values, "read"), ==, line->text);
          for (guint k = 0; tokens[k] != NULL; k++)
            if (strlen (tokens[k]) >= 4)
              g_assert_null (strstr (lacuna_finding_get_text (f), tokens[k]));
          lacuna_burned_in_finding_strip_read (f);
          g_assert_false (json_object_has_member (values, "read"));
        }

      /* The CR chest: the answer key's boxes are covered by ours. */
      if (cases[c].path != NULL && strstr (cases[c].path, "CR_chest") != NULL)
        {
          g_autofree char *key = g_build_filename (testdata, "phi-burned-in/presidio_CR_chest",
                                                   "answer_key_dicom_pii_verify_integration.json",
                                                   NULL);
          g_autoptr(JsonParser) parser = json_parser_new ();
          g_autoptr(LacunaFrame) frame = lacuna_frame_decode (file, 0, &error);
          g_autofree guint8 *grey = NULL;
          JsonArray *truth;
          double min, max;
          guint w, h;

          g_assert_no_error (error);
          g_assert_true (json_parser_load_from_file (parser, key, &error));
          g_assert_no_error (error);
          truth = json_object_get_array_member (json_node_get_object (
                                                  json_parser_get_root (parser)), "ground_truth");
          g_assert_cmpuint (json_array_get_length (truth), ==, 5);
          w = lacuna_frame_get_width (frame);
          h = lacuna_frame_get_height (frame);
          grey = g_malloc ((gsize) w * h);
          lacuna_frame_get_value_range (frame, &min, &max);
          lacuna_frame_render_grey (frame, (min + max) / 2, max - min + 1, FALSE, grey, w);
          for (guint i = 0; i < json_array_get_length (truth); i++)
            {
              JsonObject *o = json_array_get_object_element (truth, i);
              int box[4] = {
                json_object_get_int_member (o, "left"), json_object_get_int_member (o, "top"),
                json_object_get_int_member (o, "width"), json_object_get_int_member (o, "height"),
              };
              guint bright = 0;

              /* The key was made on the uncompressed original: check that these pixels
               * hold bright text where the key says (SOURCES.md's warning). */
              for (int y = box[1]; y < box[1] + box[3]; y++)
                for (int x = box[0]; x < box[0] + box[2]; x++)
                  bright += grey[(gsize) y * w + x] >= 204;
              g_assert_cmpuint (bright * 20, >=, (guint) (box[2] * box[3]));
              g_assert_true (redact_boxes_cover (boxes, box));
            }
        }
    }
  g_test_message ("burned-in identity words found: %u of %u", n_found, n_expected);
  g_assert_cmpuint (n_found * 100, >=, n_expected * 95);
}

/* Images without burned-in text: no line matches the identity. */
static void
test_burned_in_none (void)
{
  static const char * const ge[] = { "01.dcm", "08.dcm", "15.dcm", "22.dcm", "28.dcm" };
  static const char * const ct[] = {
    "LACUNA/CT/IM000001", "LACUNA/CT/IM000016", "LACUNA/CT/IM000032", "LACUNA/CT/IM000048",
    "LACUNA/CT/IM000064",
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *sample = NULL;
  g_autofree char *dir = NULL;

  if (!ocr_available () ||
      (dir = lacuna_test_dup_testdata ("head-volume/GE_head_CT_gantry_tilt")) == NULL)
    return;
  sample = lacuna_sample_dup_path (&error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (ge) + G_N_ELEMENTS (ct); i++)
    {
      g_autofree char *path = i < G_N_ELEMENTS (ge)
                              ? g_build_filename (dir, ge[i], NULL)
                              : g_build_filename (sample, ct[i - G_N_ELEMENTS (ge)], NULL);
      g_autoptr(LacunaDicomFile) file = open_file (path);
      g_autoptr(LacunaBurnedIn) scan = lacuna_burned_in_scan (file, NULL, NULL, &error);

      g_assert_no_error (error);
      for (guint k = 0; k < lacuna_burned_in_get_n_lines (scan); k++)
        g_assert_cmpint (lacuna_burned_in_get_line (scan, k)->severity, !=,
                         LACUNA_BURNED_IN_IDENTITY);
      g_test_message ("%s: %u text-like lines", path, lacuna_burned_in_get_n_lines (scan));
    }
}

/* A deferred identity matches what an identity read at once matches, reading the header
 * only when first asked; one never asked never reads (its file may be gone by then). */
static void
test_identity_deferred (void)
{
  static const char * const words[] = {
    LACUNA_SAMPLE_PATIENT_ID, LACUNA_SAMPLE_CT_ACCESSION, "17/09/2024", "20240917", "ZZNOTHING",
    "CT", "mAs",
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *sample = lacuna_sample_dup_path (&error);
  g_autofree char *path = NULL;
  g_autoptr(LacunaDicomFile) file = NULL;
  g_autoptr(LacunaOcrIdentity) eager = NULL;
  g_autoptr(LacunaOcrIdentity) deferred = NULL;
  guint n_matched = 0;

  g_assert_no_error (error);
  path = g_build_filename (sample, "LACUNA/SC/IM000001", NULL);
  file = open_file (path);
  eager = lacuna_ocr_identity_new_from_file (file);
  deferred = lacuna_ocr_identity_new_deferred (file);
  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    {
      const char *kind = lacuna_ocr_identity_match_word (eager, words[i]);

      g_assert_cmpstr (lacuna_ocr_identity_match_word (deferred, words[i]), ==, kind);
      n_matched += kind != NULL;
    }
  g_assert_cmpuint (n_matched, >=, 2);   /* the ID and the accession number at least */
  g_assert_cmpuint (lacuna_ocr_identity_get_n_strings (deferred), ==,
                    lacuna_ocr_identity_get_n_strings (eager));

  /* Never asked: freed after its file, without reading it. */
  {
    LacunaDicomFile *other = open_file (path);
    LacunaOcrIdentity *unused = lacuna_ocr_identity_new_deferred (other);

    lacuna_dicom_file_free (other);
    lacuna_ocr_identity_free (unused);
  }
}

/* An independent reader: the tesseract command on the whole frame (its own page layout).
 * Every identity word it reads must lie in one of our boxes. */
static void
check_against_tesseract (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LacunaDicomFile) file = open_file (path);
  g_autoptr(LacunaOcrIdentity) identity = lacuna_ocr_identity_new_from_file (file);
  g_autoptr(LacunaBurnedIn) scan = lacuna_burned_in_scan (file, identity, NULL, &error);
  g_autoptr(GArray) boxes = NULL;
  g_autoptr(LacunaFrame) frame = NULL;
  g_autofree char *dir = lacuna_test_make_tmpdir ();
  g_autofree char *png = g_build_filename (dir, "frame.png", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) rows = NULL;
  cairo_surface_t *surface;
  guint w, h, n_identity = 0;
  double min, max;
  int status;

  g_assert_no_error (error);
  boxes = lacuna_burned_in_dup_boxes (scan);
  frame = lacuna_frame_decode (file, 0, &error);
  g_assert_no_error (error);
  w = lacuna_frame_get_width (frame);
  h = lacuna_frame_get_height (frame);
  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
  {
    g_autofree guint8 *rgb = g_malloc ((gsize) w * h * 3);
    guint8 *data = cairo_image_surface_get_data (surface);
    int stride = cairo_image_surface_get_stride (surface);

    lacuna_frame_get_value_range (frame, &min, &max);
    lacuna_frame_render_rgb (frame, (min + max) / 2, max - min + 1, FALSE, rgb, (gsize) w * 3);
    for (guint y = 0; y < h; y++)
      for (guint x = 0; x < w; x++)
        {
          const guint8 *p = rgb + ((gsize) y * w + x) * 3;

          *(guint32 *) (data + (gsize) y * stride + 4 * x) =
            0xff000000u | (guint32) p[0] << 16 | (guint32) p[1] << 8 | p[2];
        }
    cairo_surface_mark_dirty (surface);
  }
  g_assert_cmpint (cairo_surface_write_to_png (surface, png), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);

  {
    const char *argv[] = { "tesseract", png, "stdout", "--psm", "11", "tsv", NULL };

    status = lacuna_test_run (argv, &out, &err);
  }
  g_assert_cmpint (status, ==, 0);
  rows = g_strsplit (out, "\n", -1);
  for (guint i = 1; rows[i] != NULL; i++)
    {
      g_auto(GStrv) cols = g_strsplit (rows[i], "\t", -1);
      int left, top, width, height;

      if (g_strv_length (cols) < 12 || !g_str_equal (cols[0], "5") || *cols[11] == '\0')
        continue;
      if (lacuna_ocr_identity_match_word (identity, cols[11]) == NULL)
        continue;
      left = atoi (cols[6]);
      top = atoi (cols[7]);
      width = atoi (cols[8]);
      height = atoi (cols[9]);
      n_identity++;
      if (!point_in_boxes (boxes, left + width / 2, top + height / 2))
        g_error ("%s: an identity word read by tesseract at %d,%d %dx%d is not boxed", path,
                 left, top, width, height);
    }
  g_test_message ("%s: tesseract read %u identity words, all boxed", path, n_identity);
  g_assert_cmpuint (n_identity, >=, 3);
}

static void
test_burned_in_tesseract_cli (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sample = NULL;
  g_autofree char *us = NULL;
  g_autofree char *issue19 = NULL;

  if (!ocr_available () || !lacuna_test_require_program ("tesseract", "tesseract-ocr"))
    return;
  sample = lacuna_sample_dup_path (&error);
  g_assert_no_error (error);
  us = g_build_filename (sample, "LACUNA/US/IM000001", NULL);
  check_against_tesseract (us);
  issue19 = lacuna_test_dup_testdata ("phi-burned-in/ultrasound/orthanc_Issue19_US_YBR.dcm");
  if (issue19 != NULL)
    check_against_tesseract (issue19);
}

/* ---------------------------------------------------------------------------------------- */
/* Generated frames                                                                         */

/* "DOE^JANE" comes back from Tesseract at confidence ~0 with the caret misread: it must
 * be boxed anyway. */
static void
test_burned_in_caret (void)
{
  static const TextLine lines[] = {
    { "DOE^JANE", 10, 22, 13, 235 / 255.0 },
    { "ID: 00123456  DOB: 12/04/1961", 10, 42, 13, 235 / 255.0 },
    { "C5-1 MI 1.2 TIS 0.4 ABD", 10, 500, 13, 200 / 255.0 },
  };
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *grey = NULL;
  g_autoptr(LacunaDicomFile) file = NULL;
  g_autoptr(LacunaOcrIdentity) identity = lacuna_ocr_identity_new ();
  g_autoptr(LacunaBurnedIn) scan = NULL;
  g_autoptr(GArray) boxes = NULL;
  const int name_box[4] = { 12, 12, 60, 10 };
  const int bottom_box[4] = { 12, 490, 150, 10 };
  gboolean name_line = FALSE;

  if (!ocr_available ())
    return;
  grey = draw_frame (512, lines, G_N_ELEMENTS (lines));
  file = file_from_grey (grey, 512, 512);
  lacuna_ocr_identity_add_name (identity, "patient name", "DOE^JANE");
  lacuna_ocr_identity_add_id (identity, "patient ID", "00123456");
  lacuna_ocr_identity_add_date (identity, "birth date", "19610412");
  scan = lacuna_burned_in_scan (file, identity, NULL, &error);
  g_assert_no_error (error);
  boxes = lacuna_burned_in_dup_boxes (scan);

  g_assert_true (redact_boxes_cover (boxes, name_box));
  for (guint i = 0; i < lacuna_burned_in_get_n_lines (scan); i++)
    {
      const LacunaBurnedInLine *line = lacuna_burned_in_get_line (scan, i);

      if (boxes_overlap (line->box, name_box))
        {
          name_line = TRUE;
          g_assert_true (line->redact);
          g_test_message ("DOE^JANE line: severity %s",
                          lacuna_burned_in_severity_to_string (line->severity));
        }
      /* The ID/DOB line matches the identity. */
      if (line->box[1] > 26 && line->box[1] < 40)
        g_assert_cmpint (line->severity, ==, LACUNA_BURNED_IN_IDENTITY);
    }
  g_assert_true (name_line);
  /* The technical line at grey 200 is found, and kept. */
  g_assert_false (redact_boxes_cover (boxes, bottom_box));
}

/* A side marker only: nothing to redact (the image comes out unchanged), but the line is
 * reported (severity "clinical", no box). */
static void
test_burned_in_side_marker (void)
{
  static const TextLine lines[] = {
    { "R", 470, 40, 22, 1.0 },
  };
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *grey = NULL;
  g_autoptr(LacunaDicomFile) file = NULL;
  g_autoptr(LacunaBurnedIn) scan = NULL;
  g_autoptr(GArray) boxes = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  JsonObject *values;

  if (!ocr_available ())
    return;
  grey = draw_frame (512, lines, G_N_ELEMENTS (lines));
  file = file_from_grey (grey, 512, 512);
  scan = lacuna_burned_in_scan (file, NULL, NULL, &error);
  g_assert_no_error (error);
  boxes = lacuna_burned_in_dup_boxes (scan);
  g_assert_cmpuint (boxes->len, ==, 0);
  g_assert_cmpuint (lacuna_burned_in_get_n_lines (scan), ==, 1);
  g_assert_cmpint (lacuna_burned_in_get_line (scan, 0)->severity, ==, LACUNA_BURNED_IN_CLINICAL);
  findings = lacuna_burned_in_dup_findings (scan, "1.2.3");
  values = lacuna_finding_get_values (g_ptr_array_index (findings, 0));
  g_assert_cmpstr (json_object_get_string_member (values, "severity"), ==, "clinical");
  g_assert_false (json_object_get_boolean_member (values, "redact"));
  g_assert_null (lacuna_finding_get_action (g_ptr_array_index (findings, 0)));
}

/* A cine of identical frames is read once, and the boxes then hold every frame. */
static void
test_burned_in_cine (void)
{
  static const TextLine lines[] = {
    { "SMITH^JOHN 1234567", 10, 22, 14, 1.0 },
  };
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *grey = NULL;
  g_autofree guint8 *cine = NULL;
  g_autoptr(LacunaDicomFile) file = NULL;
  g_autoptr(LacunaBurnedIn) scan = NULL;
  g_autoptr(GArray) boxes = NULL;
  guint size = 256, n_frames = 6, reads;

  if (!ocr_available ())
    return;
  grey = draw_frame (size, lines, G_N_ELEMENTS (lines));
  cine = g_malloc ((gsize) size * size * n_frames);
  for (guint f = 0; f < n_frames; f++)
    memcpy (cine + (gsize) f * size * size, grey, (gsize) size * size);
  /* Frame 4 differs in the anatomy only. */
  cine[(gsize) 3 * size * size + 128 * size + 128] ^= 0x40;
  file = file_from_grey (grey, size, size);
  set (file, "00280008", "6");
  g_assert_true (lacuna_dicom_file_set_pixel_data (file, cine, (gsize) size * size * n_frames, 8,
                                                   &error));
  g_assert_no_error (error);

  reads = lacuna_ocr_get_n_reads ();
  scan = lacuna_burned_in_scan (file, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lacuna_burned_in_get_n_frames (scan), ==, 6);
  g_assert_cmpuint (lacuna_burned_in_get_n_distinct_frames (scan), ==, 2);
  g_assert_cmpuint (lacuna_burned_in_get_n_lines (scan), ==, 1);
  g_assert_cmpuint (lacuna_burned_in_get_line (scan, 0)->frames->len, ==, 6);
  g_assert_cmpuint (lacuna_ocr_get_n_reads () - reads, <=, 1);
  boxes = lacuna_burned_in_dup_boxes (scan);
  g_assert_cmpuint (boxes->len, ==, 1);
  g_assert_cmpint (g_array_index (boxes, LacunaRedactBox, 0).frame, ==, -1);
}

/* ---------------------------------------------------------------------------------------- */
/* The Tesseract handles                                                                    */

static gpointer
check_available (gpointer data)
{
  return GINT_TO_POINTER (lacuna_ocr_is_available (NULL));
}

/* Checking that OCR is available initialises nothing, on a thread that has no handle yet
 * either. */
static void
test_ocr_available_cheap (void)
{
  guint handles = lacuna_ocr_get_n_handles ();

  if (!ocr_available ())
    return;
  g_assert_cmpuint (lacuna_ocr_get_n_handles (), ==, handles);
  g_assert_true (g_thread_join (g_thread_new ("ocr-check", check_available, NULL)));
  g_assert_cmpuint (lacuna_ocr_get_n_handles (), ==, handles);
}

/* Without the English data where Tesseract looks, OCR is reported unavailable, and reading
 * fails with the same error instead of crashing. (In a subprocess: the check is made once
 * per process.) */
static void
test_ocr_missing_data (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *dir = lacuna_test_make_tmpdir ();
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) words = NULL;
      g_autoptr(GPtrArray) lines = NULL;
      guint8 grey[64 * 32] = { 0, };
      const int box[4] = { 4, 4, 40, 12 };

      g_setenv ("TESSDATA_PREFIX", dir, TRUE);
      g_assert_false (lacuna_ocr_is_available (&error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
      g_clear_error (&error);
      words = lacuna_ocr_read_line (grey, 64, 32, 64, box, NULL, &error);
      g_assert_null (words);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
      g_clear_error (&error);
      lines = lacuna_ocr_read_lines (grey, 64, 32, 64, box, 1, &error);
      g_assert_null (lines);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
      g_assert_cmpuint (lacuna_ocr_get_n_handles (), ==, 0);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

typedef struct
{
  const guint8 *grey;
  guint         size;
  const int    *box;
  char         *text;
} ThreadRead;

static gpointer
read_in_thread (gpointer data)
{
  ThreadRead *job = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) words = NULL;

  words = lacuna_ocr_read_line (job->grey, job->size, job->size, job->size, job->box,
                                &job->text, &error);
  g_assert_no_error (error);
  g_assert_nonnull (words);
  return NULL;
}

/* A thread that starts after another one ended takes over its handle; both read the same. */
static void
test_ocr_handle_reuse (void)
{
  static const TextLine lines[] = {
    { "SMITH^JOHN 1234567", 10, 22, 14, 1.0 },
  };
  g_autofree guint8 *grey = NULL;
  g_autoptr(GArray) regions = NULL;
  ThreadRead a = { 0, }, b = { 0, };
  guint handles;

  if (!ocr_available ())
    return;
  grey = draw_frame (256, lines, G_N_ELEMENTS (lines));
  regions = lacuna_text_regions_find (grey, 256, 256, 256, NULL, 0, NULL, NULL);
  g_assert_cmpuint (regions->len, ==, 1);
  a.grey = b.grey = grey;
  a.size = b.size = 256;
  a.box = b.box = g_array_index (regions, LacunaTextRegion, 0).box;

  g_thread_join (g_thread_new ("ocr-a", read_in_thread, &a));
  handles = lacuna_ocr_get_n_handles ();
  g_assert_cmpuint (handles, >=, 1);
  g_thread_join (g_thread_new ("ocr-b", read_in_thread, &b));
  g_assert_cmpuint (lacuna_ocr_get_n_handles (), ==, handles);
  g_assert_cmpstr (a.text, ==, b.text);
  g_assert_nonnull (strstr (a.text, "1234567"));
  g_free (a.text);
  g_free (b.text);
}

/* The mask counts of several boxes at once are those of each box alone; an empty box, a
 * box outside the frame and a box on the dark anatomy count nothing; a box on a line does. */
static void
test_regions_count_mask_boxes (void)
{
  static const TextLine lines[] = {
    { "DOE^JANE", 10, 22, 13, 235 / 255.0 },
    { "C5-1 MI 1.2 TIS 0.4 ABD", 10, 500, 13, 200 / 255.0 },
  };
  const int boxes[5][4] = {
    { 8, 8, 80, 20 },        /* the name */
    { 8, 486, 200, 20 },     /* the grey-200 line */
    { 300, 300, 0, 10 },     /* empty */
    { 600, 600, 20, 20 },    /* outside */
    { 40, 200, 30, 30 },     /* dark ground beside the disc */
  };
  g_autofree guint8 *grey = draw_frame (512, lines, G_N_ELEMENTS (lines));
  guint counts[5];

  lacuna_text_regions_count_mask_boxes (grey, 512, 512, 512, NULL, 0, NULL, &boxes[0][0], 5,
                                        counts);
  for (guint i = 0; i < 5; i++)
    g_assert_cmpuint (counts[i], ==,
                      lacuna_text_regions_count_mask (grey, 512, 512, 512, NULL, 0, NULL,
                                                      boxes[i]));
  g_assert_cmpuint (counts[0], >, 20);
  g_assert_cmpuint (counts[1], >, 20);
  g_assert_cmpuint (counts[2], ==, 0);
  g_assert_cmpuint (counts[3], ==, 0);
  g_assert_cmpuint (counts[4], ==, 0);
}

/* Reading several lines at once gives what reading each line alone gives. */
static void
test_ocr_read_lines (void)
{
  static const TextLine lines[] = {
    { "DOE^JANE", 10, 22, 13, 235 / 255.0 },
    { "ID: 00123456  DOB: 12/04/1961", 10, 42, 13, 235 / 255.0 },
    { "C5-1 MI 1.2 TIS 0.4 ABD", 10, 500, 13, 200 / 255.0 },
  };
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *grey = NULL;
  g_autoptr(GArray) regions = NULL;
  g_autoptr(GArray) boxes = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GPtrArray) read = NULL;
  const int outside[4] = { 600, 600, 20, 20 };

  if (!ocr_available ())
    return;
  grey = draw_frame (512, lines, G_N_ELEMENTS (lines));
  regions = lacuna_text_regions_find (grey, 512, 512, 512, NULL, 0, NULL, NULL);
  g_assert_cmpuint (regions->len, >=, 3);
  for (guint i = 0; i < regions->len; i++)
    g_array_append_vals (boxes, g_array_index (regions, LacunaTextRegion, i).box, 4);
  /* A box outside the buffer: an empty line, no error. */
  g_array_append_vals (boxes, outside, 4);

  read = lacuna_ocr_read_lines (grey, 512, 512, 512, (const int *) boxes->data,
                                boxes->len / 4, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (read->len, ==, boxes->len / 4);
  for (guint i = 0; i < read->len; i++)
    {
      const LacunaOcrLine *line = g_ptr_array_index (read, i);
      const int *box = &g_array_index (boxes, int, 4 * i);
      g_autofree char *text = NULL;
      g_autoptr(GPtrArray) words = lacuna_ocr_read_line (grey, 512, 512, 512, box, &text,
                                                         &error);

      g_assert_no_error (error);
      g_assert_cmpstr (line->text, ==, text);
      g_assert_cmpuint (line->words->len, ==, words->len);
      for (guint k = 0; k < words->len; k++)
        {
          const LacunaOcrWord *x = g_ptr_array_index (line->words, k);
          const LacunaOcrWord *y = g_ptr_array_index (words, k);

          g_assert_cmpstr (x->text, ==, y->text);
          g_assert_cmpmem (x->box, sizeof x->box, y->box, sizeof y->box);
          /* Word boxes lie in the line's box, give or take the crop's margin. */
          g_assert_cmpint (x->box[1], >=, box[1] - box[3]);
          g_assert_cmpint (x->box[1] + x->box[3], <=, box[1] + 2 * box[3]);
        }
    }
  g_assert_cmpstr (((LacunaOcrLine *) g_ptr_array_index (read, read->len - 1))->text, ==, "");
  g_assert_nonnull (strstr (((LacunaOcrLine *) g_ptr_array_index (read, 1))->text, "00123456"));
}

/* ---------------------------------------------------------------------------------------- */
/* Verification                                                                             */

static void
test_burned_in_verify (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sample = NULL;
  g_autofree char *path = NULL;
  g_autoptr(LacunaDicomFile) original = NULL;
  g_autoptr(LacunaDicomFile) redacted = NULL;
  g_autoptr(LacunaOcrIdentity) identity = NULL;
  g_autoptr(LacunaBurnedIn) scan = NULL;
  g_autoptr(GArray) boxes = NULL;
  g_autoptr(GBytes) stored = NULL;
  g_autofree guint8 *pixels = NULL;
  LacunaBurnedInCheck check = { 0, };
  LacunaDicomPixelInfo info;
  char photometric[24];
  guint64 changed = 0;
  gsize size;

  if (!ocr_available ())
    return;
  sample = lacuna_sample_dup_path (&error);
  g_assert_no_error (error);
  path = g_build_filename (sample, "LACUNA/US/IM000001", NULL);
  original = open_file (path);
  identity = lacuna_ocr_identity_new_from_file (original);
  scan = lacuna_burned_in_scan (original, identity, NULL, &error);
  g_assert_no_error (error);
  boxes = lacuna_burned_in_dup_boxes (scan);
  g_assert_cmpuint (boxes->len, >=, 4);

  /* The original is not clean. */
  g_assert_true (lacuna_burned_in_verify (original, identity, (LacunaRedactBox *) boxes->data,
                                          boxes->len, &check, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (check.n_identity_lines, >=, 4);
  g_assert_cmpuint (check.n_boxes_with_text, ==, boxes->len);
  lacuna_burned_in_check_clear (&check);

  /* A copy with the boxes filled black (RGB 0) in memory. */
  g_assert_true (lacuna_dicom_file_get_pixel_info (original, &info, &error));
  g_assert_cmpstr (info.photometric, ==, "RGB");
  stored = lacuna_dicom_file_decode_frame (original, 0, photometric, &error);
  g_assert_no_error (error);
  pixels = g_bytes_unref_to_data (g_steal_pointer (&stored), &size);
  for (guint b = 0; b < boxes->len; b++)
    {
      const LacunaRedactBox *box = &g_array_index (boxes, LacunaRedactBox, b);

      for (int y = box->y; y < box->y + box->height; y++)
        memset (pixels + ((gsize) y * info.columns + box->x) * 3, 0, (gsize) box->width * 3);
    }
  redacted = open_file (path);
  g_assert_true (lacuna_dicom_file_set_pixel_data (redacted, pixels, size, 8, &error));
  g_assert_no_error (error);

  g_assert_true (lacuna_burned_in_verify (redacted, identity, (LacunaRedactBox *) boxes->data,
                                          boxes->len, &check, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (check.n_frames, ==, 1);
  g_assert_cmpuint (check.n_text_lines, ==, 0);
  g_assert_cmpuint (check.n_identity_lines, ==, 0);
  g_assert_cmpuint (check.n_boxes_with_text, ==, 0);
  lacuna_burned_in_check_clear (&check);

  /* The pixel diff: nothing changed outside the boxes ... */
  g_assert_true (lacuna_burned_in_diff_outside (original, redacted,
                                                (LacunaRedactBox *) boxes->data, boxes->len, 0,
                                                &changed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changed, ==, 0);
  /* ... and a pixel changed outside them is seen. */
  pixels[(gsize) (300 * info.columns + 320) * 3] ^= 0xff;
  g_assert_true (lacuna_dicom_file_set_pixel_data (redacted, pixels, size, 8, &error));
  g_assert_true (lacuna_burned_in_diff_outside (original, redacted,
                                                (LacunaRedactBox *) boxes->data, boxes->len, 0,
                                                &changed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changed, ==, 1);
}

static void
set_uint (LacunaDicomFile *file,
          const char      *path,
          const char      *vr,
          guint            value)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strdup_printf ("%u", value);

  g_assert_true (lacuna_dicom_file_set_string (file, path, vr, text, &error));
  g_assert_no_error (error);
}

/* The pixel diff counts every changed sample outside the boxes, and none inside: random
 * multi-frame images, boxes for one frame or all of them, overlapping, at the edges, and
 * changes next to their borders; against a plain per-pixel count. */
static void
test_burned_in_diff_outside_boxes (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (112326);

  for (guint round = 0; round < 40; round++)
    {
      guint columns = 8 + g_rand_int_range (rand, 0, 40), rows = 4 + g_rand_int_range (rand, 0, 20);
      guint n_frames = 1 + g_rand_int_range (rand, 0, 3), n_boxes = g_rand_int_range (rand, 0, 5);
      gsize n = (gsize) columns * rows * n_frames;
      g_autofree guint16 *a = g_new (guint16, n);
      g_autofree guint16 *b = NULL;
      g_autofree LacunaRedactBox *boxes = g_new0 (LacunaRedactBox, MAX (n_boxes, 1));
      g_autoptr(LacunaDicomFile) original = lacuna_dicom_file_new ();
      g_autoptr(LacunaDicomFile) output = lacuna_dicom_file_new ();
      g_autoptr(GError) error = NULL;
      guint64 expected = 0, changed = G_MAXUINT64;

      for (gsize i = 0; i < n; i++)
        a[i] = (guint16) g_rand_int (rand);
      b = g_memdup2 (a, n * sizeof *a);
      for (guint k = 0; k < n_boxes; k++)
        {
          boxes[k].frame = g_rand_boolean (rand) ? -1 : g_rand_int_range (rand, 0, n_frames);
          boxes[k].x = g_rand_int_range (rand, 0, columns);
          boxes[k].y = g_rand_int_range (rand, 0, rows);
          boxes[k].width = g_rand_int_range (rand, 1, columns - boxes[k].x + 1);
          boxes[k].height = g_rand_int_range (rand, 1, rows - boxes[k].y + 1);
        }
      /* Change about one sample in five, then count those outside every box. */
      for (guint f = 0; f < n_frames; f++)
        for (guint y = 0; y < rows; y++)
          for (guint x = 0; x < columns; x++)
            {
              gsize i = ((gsize) f * rows + y) * columns + x;
              gboolean inside = FALSE;

              if (g_rand_int_range (rand, 0, 5) != 0)
                continue;
              b[i] ^= 1 + g_rand_int_range (rand, 0, 0xFFFF);
              for (guint k = 0; k < n_boxes; k++)
                inside |= (boxes[k].frame < 0 || (guint) boxes[k].frame == f) &&
                          (int) x >= boxes[k].x && (int) x < boxes[k].x + boxes[k].width &&
                          (int) y >= boxes[k].y && (int) y < boxes[k].y + boxes[k].height;
              expected += !inside;
            }

      for (guint s = 0; s < 2; s++)
        {
          LacunaDicomFile *file = s == 0 ? original : output;

          g_assert_true (lacuna_dicom_file_set_string (file, "00080016", "UI",
                                                       "1.2.840.10008.5.1.4.1.1.7", &error));
          g_assert_true (lacuna_dicom_file_set_string (file, "00280002", "US", "1", &error));
          g_assert_true (lacuna_dicom_file_set_string (file, "00280004", "CS", "MONOCHROME2",
                                                       &error));
          set_uint (file, "00280010", "US", rows);
          set_uint (file, "00280011", "US", columns);
          set_uint (file, "00280008", "IS", n_frames);
          g_assert_true (lacuna_dicom_file_set_string (file, "00280100", "US", "16", &error));
          g_assert_true (lacuna_dicom_file_set_string (file, "00280101", "US", "16", &error));
          g_assert_true (lacuna_dicom_file_set_string (file, "00280102", "US", "15", &error));
          g_assert_true (lacuna_dicom_file_set_string (file, "00280103", "US", "0", &error));
          g_assert_true (lacuna_dicom_file_set_pixel_data (file, s == 0 ? a : b, n * 2, 16,
                                                           &error));
          g_assert_no_error (error);
        }
      g_assert_true (lacuna_burned_in_diff_outside (original, output, boxes, n_boxes, 0,
                                                    &changed, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (changed, ==, expected);
      /* Boxes dropped: every change counts. */
      if (n_boxes > 0)
        {
          guint64 all = 0;

          for (gsize i = 0; i < n; i++)
            all += a[i] != b[i];
          g_assert_true (lacuna_burned_in_diff_outside (original, output, NULL, 0, 0, &changed,
                                                        &error));
          g_assert_cmpuint (changed, ==, all);
        }
    }
}

/* The same stored bytes read another way (High Bit 15 instead of 11, or signed instead of
 * unsigned, 12 bits stored) are other samples: the diff counts every sample whose decoded
 * value differs, as a plain loop over the two readings does. */
static void
test_burned_in_diff_reinterpreted (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261123);
  guint columns = 37, rows = 11;
  gsize n = (gsize) columns * rows;
  g_autofree guint16 *a = g_new (guint16, n);

  for (gsize i = 0; i < n; i++)
    a[i] = (guint16) g_rand_int (rand);
  for (guint variant = 0; variant < 2; variant++)
    {
      g_autoptr(LacunaDicomFile) original = lacuna_dicom_file_new ();
      g_autoptr(LacunaDicomFile) output = lacuna_dicom_file_new ();
      g_autoptr(GError) error = NULL;
      guint64 expected = 0, changed = G_MAXUINT64;

      for (gsize i = 0; i < n; i++)
        {
          guint16 va = a[i] & 0xFFF, vb;

          if (variant == 0)
            vb = (a[i] >> 4) & 0xFFF;
          else
            vb = (va & 0x800) ? (guint16) (va | 0xF000) : va;
          expected += va != vb;
        }
      g_assert_cmpuint (expected, >, 0);

      for (guint s = 0; s < 2; s++)
        {
          LacunaDicomFile *file = s == 0 ? original : output;
          gboolean other = s == 1;

          g_assert_true (lacuna_dicom_file_set_string (file, "00080016", "UI",
                                                       "1.2.840.10008.5.1.4.1.1.7", &error));
          g_assert_true (lacuna_dicom_file_set_string (file, "00280002", "US", "1", &error));
          g_assert_true (lacuna_dicom_file_set_string (file, "00280004", "CS", "MONOCHROME2",
                                                       &error));
          set_uint (file, "00280010", "US", rows);
          set_uint (file, "00280011", "US", columns);
          g_assert_true (lacuna_dicom_file_set_string (file, "00280100", "US", "16", &error));
          g_assert_true (lacuna_dicom_file_set_string (file, "00280101", "US", "12", &error));
          g_assert_true (lacuna_dicom_file_set_string (file, "00280102", "US",
                                                       other && variant == 0 ? "15" : "11",
                                                       &error));
          g_assert_true (lacuna_dicom_file_set_string (file, "00280103", "US",
                                                       other && variant == 1 ? "1" : "0",
                                                       &error));
          g_assert_true (lacuna_dicom_file_set_pixel_data (file, a, n * 2, 16, &error));
          g_assert_no_error (error);
        }
      g_assert_true (lacuna_burned_in_diff_outside (original, output, NULL, 0, 0, &changed,
                                                    &error));
      g_assert_no_error (error);
      g_assert_cmpuint (changed, ==, expected);
    }
}

/* Verification of a partly redacted frame: a filled box holds no text; a box left unfilled
 * still shows text; the name line outside the filled box is reported (it is read with a
 * confidence near 0 and must not be dropped for it), the clinical line is not. */
static void
test_burned_in_verify_partial (void)
{
  static const TextLine lines[] = {
    { "DOE^JANE", 10, 22, 13, 235 / 255.0 },
    { "ID: 00123456  DOB: 12/04/1961", 10, 62, 13, 235 / 255.0 },
    { "C5-1 MI 1.2 TIS 0.4 ABD", 10, 500, 13, 200 / 255.0 },
  };
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *grey = NULL;
  g_autoptr(LacunaDicomFile) file = NULL;
  g_autoptr(LacunaOcrIdentity) identity = lacuna_ocr_identity_new ();
  /* The ID line (filled below), and the name line (not filled). */
  const LacunaRedactBox boxes[2] = {
    { .frame = -1, .x = 4, .y = 46, .width = 260, .height = 22 },
    { .frame = 0, .x = 4, .y = 6, .width = 100, .height = 22 },
  };
  const int name_box[4] = { 10, 10, 70, 14 };
  LacunaBurnedInCheck check = { 0, };
  gboolean name_left = FALSE;

  if (!ocr_available ())
    return;
  grey = draw_frame (512, lines, G_N_ELEMENTS (lines));
  for (int y = boxes[0].y; y < boxes[0].y + boxes[0].height; y++)
    memset (grey + (gsize) y * 512 + boxes[0].x, 0, boxes[0].width);
  file = file_from_grey (grey, 512, 512);
  lacuna_ocr_identity_add_name (identity, "patient name", "DOE^JANE");
  lacuna_ocr_identity_add_id (identity, "patient ID", "00123456");
  lacuna_ocr_identity_add_date (identity, "birth date", "19610412");

  /* Only the filled box as applied: the name line is left, nothing in the box. */
  g_assert_true (lacuna_burned_in_verify (file, identity, boxes, 1, &check, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (check.n_frames, ==, 1);
  g_assert_cmpuint (check.n_boxes_with_text, ==, 0);
  g_assert_cmpuint (check.n_text_lines, ==, 1);
  g_assert_cmpuint (check.n_identity_lines, ==, 1);
  g_assert_cmpuint (check.left->len, ==, 1);
  {
    const LacunaRedactBox *left = &g_array_index (check.left, LacunaRedactBox, 0);
    int box[4] = { left->x, left->y, left->width, left->height };

    g_assert_true (boxes_overlap (box, name_box));
  }
  lacuna_burned_in_check_clear (&check);

  /* Both: the unfilled one still shows text (and its line is still left). */
  g_assert_true (lacuna_burned_in_verify (file, identity, boxes, 2, &check, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (check.n_boxes_with_text, ==, 1);
  for (guint i = 0; i < check.left->len; i++)
    {
      const LacunaRedactBox *left = &g_array_index (check.left, LacunaRedactBox, i);
      int box[4] = { left->x, left->y, left->width, left->height };

      name_left |= boxes_overlap (box, name_box);
    }
  g_assert_true (name_left);
  g_assert_cmpuint (check.n_identity_lines, ==, 1);
  lacuna_burned_in_check_clear (&check);
}

int
main (int   argc,
      char *argv[])
{
  /* Tesseract's OpenMP threads only slow a 2-core machine down. */
  g_setenv ("OMP_THREAD_LIMIT", "1", FALSE);
  g_test_init (&argc, &argv, NULL);
  lacuna_dicom_init ();

  g_test_add_func ("/core/ocr/classify/dates", test_classify_dates);
  g_test_add_func ("/core/ocr/classify/edit-distance", test_classify_edit_distance);
  g_test_add_func ("/core/ocr/classify/words", test_classify_words);
  g_test_add_func ("/core/ocr/identity-deferred", test_identity_deferred);
  g_test_add_func ("/core/ocr/burned-in/identity", test_burned_in_identity);
  g_test_add_func ("/core/ocr/burned-in/none", test_burned_in_none);
  g_test_add_func ("/core/ocr/burned-in/tesseract-cli", test_burned_in_tesseract_cli);
  g_test_add_func ("/core/ocr/burned-in/caret", test_burned_in_caret);
  g_test_add_func ("/core/ocr/burned-in/side-marker", test_burned_in_side_marker);
  g_test_add_func ("/core/ocr/burned-in/cine", test_burned_in_cine);
  g_test_add_func ("/core/ocr/burned-in/verify", test_burned_in_verify);
  g_test_add_func ("/core/ocr/burned-in/verify-partial", test_burned_in_verify_partial);
  g_test_add_func ("/core/ocr/burned-in/diff-outside-boxes", test_burned_in_diff_outside_boxes);
  g_test_add_func ("/core/ocr/burned-in/diff-reinterpreted", test_burned_in_diff_reinterpreted);
  g_test_add_func ("/core/ocr/handles/available-cheap", test_ocr_available_cheap);
  g_test_add_func ("/core/ocr/handles/missing-data", test_ocr_missing_data);
  g_test_add_func ("/core/ocr/handles/reuse", test_ocr_handle_reuse);
  g_test_add_func ("/core/ocr/read-lines", test_ocr_read_lines);
  g_test_add_func ("/core/ocr/regions/count-mask-boxes", test_regions_count_mask_boxes);

  return g_test_run ();
}
