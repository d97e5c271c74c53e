/* test-findings-report.c: `lacuna-cli report` and lacuna_findings_report_write() on the
 * sample study and on a real CR chest with burned-in text, checked against the findings
 * collected here, dcmdump's reading of the inputs' identity, pdftotext/pdfinfo (poppler),
 * and the output's own pixels. */
#define G_LOG_DOMAIN "test-findings-report"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <glib/gstdio.h>

#include "lacuna-core.h"
#include "lacuna-burned-in.h"
#include "lacuna-findings.h"
#include "lacuna-findings-report.h"
#include "lacuna-residual.h"
#include "lacuna-test-util.h"

#define CR_REDACT_X 0
#define CR_REDACT_Y 0
#define CR_REDACT_W 900
#define CR_REDACT_H 260

static const char test_key[] = "ZmluZGluZ3MtcmVwb3J0LXRlc3Qta2V5LTMyLWJ5dGVzIQ==\n";

typedef struct
{
  gboolean  ready;
  gboolean  skipped;
  char     *input;      /* folder or file given to clean and report */
  char     *out;        /* the export folder */
  char     *html;       /* OUTDIR.findings.html */
  char     *pdf;
  char     *html_text;  /* the HTML, data: URIs cut out */
  char     *pdf_text;   /* pdftotext's reading, or NULL */
} Case;

static char *tmpdir;
static Case sample_case;
static Case cr_case;

static char *
strip_data_uris (const char *html)
{
  GString *out = g_string_new (NULL);
  const char *p = html, *hit;

  while ((hit = strstr (p, "data:image/png;base64,")) != NULL)
    {
      g_string_append_len (out, p, hit - p);
      p = hit;
      while (*p != '\0' && *p != '"')
        p++;
    }
  g_string_append (out, p);
  return g_string_free (out, FALSE);
}

static gboolean
have_program (const char *name)
{
  g_autofree char *path = g_find_program_in_path (name);

  return path != NULL;
}

/* clean then report, once per case. */
static gboolean
prepare (Case       *c,
         const char *name,
         const char *input,
         gboolean    redact)
{
  g_autofree char *key = NULL;
  g_autofree char *report_json = NULL;
  g_autofree char *html = NULL;
  g_autofree char *box = g_strdup_printf ("%d,%d,%d,%d", CR_REDACT_X, CR_REDACT_Y,
                                          CR_REDACT_W, CR_REDACT_H);
  int status;

  if (c->ready)
    return !c->skipped;
  c->ready = TRUE;
  if (input == NULL)
    {
      c->skipped = TRUE;
      return FALSE;
    }
  if (tmpdir == NULL)
    tmpdir = lacuna_test_make_tmpdir ();
  key = g_build_filename (tmpdir, "test.key", NULL);
  g_assert_true (g_file_set_contents (key, test_key, -1, NULL));
  g_chmod (key, 0600);

  c->input = g_strdup (input);
  c->out = g_build_filename (tmpdir, name, NULL);
  if (redact)
    status = run_cli (NULL, NULL, "clean", "--key-file", key, "--jobs", "2", "--burned-in",
                      "auto", "--redact", box, c->input, "-o", c->out, NULL);
  else
    status = run_cli (NULL, NULL, "clean", "--key-file", key, "--jobs", "2", c->input, "-o",
                      c->out, NULL);
  g_assert_cmpint (status, ==, 0);
  report_json = g_strconcat (c->out, ".report.json", NULL);
  g_assert_true (g_file_test (report_json, G_FILE_TEST_IS_REGULAR));

  g_assert_cmpint (run_cli (NULL, NULL, "report", c->input, "--export", c->out, NULL), ==, 0);
  c->html = g_strconcat (c->out, ".findings.html", NULL);
  c->pdf = g_strconcat (c->out, ".findings.pdf", NULL);
  g_assert_true (g_file_get_contents (c->html, &html, NULL, NULL));
  c->html_text = strip_data_uris (html);
  if (have_program ("pdftotext"))
    {
      const char *argv[] = { "pdftotext", "-enc", "UTF-8", c->pdf, "-", NULL };

      g_assert_cmpint (lacuna_test_run (argv, &c->pdf_text, NULL), ==, 0);
      g_assert_nonnull (c->pdf_text);
    }
  return TRUE;
}

static gboolean
prepare_sample (void)
{
  if (!sample_case.ready)
    {
      g_autofree char *dir = NULL;
      g_autoptr(GError) error = NULL;

      if (tmpdir == NULL)
        tmpdir = lacuna_test_make_tmpdir ();
      dir = g_build_filename (tmpdir, "sample-in", NULL);
      g_assert_true (lacuna_sample_write (dir, NULL, &error));
      g_assert_no_error (error);
      return prepare (&sample_case, "sample-out", dir, FALSE);
    }
  return !sample_case.skipped;
}

static gboolean
prepare_cr (void)
{
  if (!cr_case.ready)
    {
      g_autofree char *input =
        lacuna_test_dup_testdata ("phi-burned-in/presidio_CR_chest/0_ORIGINAL_compressed.dcm");

      if (input == NULL)
        {
          cr_case.ready = cr_case.skipped = TRUE;
          return FALSE;
        }
      return prepare (&cr_case, "cr-out", input, TRUE);
    }
  if (cr_case.skipped)
    g_test_skip ("shared test data not found");
  return !cr_case.skipped;
}

/* ---------------------------------------------------------------------------------------- */

static void
check_beside (Case *c)
{
  g_autoptr(GPtrArray) files = lacuna_test_list_files (c->out);
  g_autofree char *dir_html = g_path_get_dirname (c->html);
  g_autofree char *dir_out = g_path_get_dirname (c->out);

  g_assert_true (g_file_test (c->html, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (c->pdf, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpstr (dir_html, ==, dir_out);
  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);

      g_assert_false (g_str_has_suffix (path, ".html"));
      g_assert_false (g_str_has_suffix (path, ".pdf"));
    }
}

static void
test_beside (void)
{
  g_autofree char *inside = NULL;
  g_autofree char *inside_html = NULL;

  if (!prepare_sample ())
    return;
  check_beside (&sample_case);
  if (prepare_cr ())
    check_beside (&cr_case);

  /* -o inside the export is refused; nothing is written. */
  inside = g_build_filename (sample_case.out, "inside", NULL);
  g_assert_cmpint (run_cli (NULL, NULL, "report", "--no-ocr", "--no-faces", sample_case.input,
                            "--export", sample_case.out, "-o", inside, NULL), ==, 1);
  inside_html = g_strconcat (inside, ".findings.html", NULL);
  g_assert_false (g_file_test (inside_html, G_FILE_TEST_EXISTS));
}

static void
test_patient_first (void)
{
  Case *cases[] = { &sample_case, &cr_case };

  prepare_sample ();
  prepare_cr ();
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Case *c = cases[i];
      const char *patient, *officer, *first_section;

      if (c->skipped)
        continue;
      patient = strstr (c->html_text, "<section class=\"part\" id=\"patient\">");
      officer = strstr (c->html_text, "<section class=\"part\" id=\"officer\">");
      first_section = strstr (c->html_text, "<section");
      g_assert_nonnull (patient);
      g_assert_nonnull (officer);
      g_assert_true (first_section == patient);
      g_assert_true (patient < officer);
      /* The patient's part names the four groups in plain words. */
      g_assert_nonnull (strstr (patient, "What this study shows about you"));
      g_assert_nonnull (strstr (patient, "What cannot be removed, and why"));
      g_assert_nonnull (strstr (patient, "Where to ask"));
      g_assert_true (strstr (patient, "What cannot be removed") < officer);
      if (c->pdf_text != NULL)
        {
          const char *p = strstr (c->pdf_text, "For the patient");
          const char *o = strstr (c->pdf_text, "For the privacy officer");

          g_assert_nonnull (p);
          g_assert_nonnull (o);
          g_assert_true (p < o);
        }
    }
}

/* The findings the report should hold, collected here with the engine. */
static LacunaFindings *
collect_expected (const char *input,
                  gboolean    burned_in)
{
  const char *paths[] = { input, NULL };
  g_autoptr(LacunaLoader) loader = lacuna_loader_new (paths);
  g_autoptr(LacunaCollection) collection = NULL;
  g_autoptr(LacunaFindings) findings = lacuna_findings_new ();
  g_autoptr(GError) error = NULL;

  collection = lacuna_loader_load (loader, NULL, &error);
  g_assert_no_error (error);
  /* As the command does: collect() reads the burned-in text itself. */
  lacuna_findings_set_checks (findings, LACUNA_FINDINGS_CHECK_BODY_COMPOSITION |
                                        (burned_in ? LACUNA_FINDINGS_CHECK_BURNED_IN : 0));
  g_assert_true (lacuna_findings_collect (findings, collection, NULL, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&findings);
}

static void
test_every_kind (void)
{
  g_autoptr(LacunaFindings) expected = NULL;
  g_autofree char *count = NULL;
  g_autoptr(GHashTable) kinds = g_hash_table_new (g_str_hash, g_str_equal);

  if (!prepare_cr ())
    return;
  /* The CR: header, quasi-identifiers, literature cards, burned-in text (no face check runs
   * on a CR). The report must list exactly as many findings, of every kind. */
  expected = collect_expected (cr_case.input, TRUE);
  g_assert_cmpuint (lacuna_findings_count_kind (expected, "burned-in-text"), >, 0);
  g_assert_cmpuint (lacuna_findings_count_kind (expected, "literature"), >, 0);
  count = g_strdup_printf ("%u findings, each with its evidence class.",
                           lacuna_findings_get_n_findings (expected));
  g_assert_nonnull (strstr (cr_case.html_text, count));
  for (guint i = 0; i < lacuna_findings_get_n_findings (expected); i++)
    {
      LacunaFinding *f = lacuna_findings_get_finding (expected, i);
      g_autofree char *cell = g_strdup_printf ("<td>%s\n%s: “", lacuna_finding_get_kind (f),
                                               lacuna_evidence_class_to_string (
                                                 lacuna_finding_get_class (f)));

      g_hash_table_add (kinds, (gpointer) lacuna_finding_get_kind (f));
      g_assert_nonnull (strstr (cr_case.html_text, cell));
    }
  g_assert_cmpuint (g_hash_table_size (kinds), >=, 4);

  /* The sample: every kind collected here is in the report too (faces and burned-in text
   * are added by the command; their kinds are checked when present). */
  if (prepare_sample ())
    {
      g_autoptr(LacunaFindings) sample = collect_expected (sample_case.input, FALSE);

      for (guint i = 0; i < lacuna_findings_get_n_findings (sample); i++)
        {
          LacunaFinding *f = lacuna_findings_get_finding (sample, i);
          g_autofree char *cell = g_strdup_printf ("<td>%s\n", lacuna_finding_get_kind (f));

          g_assert_nonnull (strstr (sample_case.html_text, cell));
        }
      g_assert_nonnull (strstr (sample_case.html_text, "<td>burned-in-text\n"));
    }
}

/* dcmdump's value of an attribute ("(0010,0010) PN [A^B]" → "A^B"), or NULL. */
static char *
dcmdump_value (const char *path,
               const char *keyword)
{
  const char *argv[] = { "dcmdump", "-q", "+P", keyword, path, NULL };
  g_autofree char *out = NULL;
  const char *open, *close;

  if (lacuna_test_run (argv, &out, NULL) != 0 || out == NULL)
    return NULL;
  open = strchr (out, '[');
  close = open != NULL ? strchr (open, ']') : NULL;
  if (open == NULL || close == NULL || close == open + 1)
    return NULL;
  return g_strndup (open + 1, close - open - 1);
}

static void
add_needles (GPtrArray  *needles,
             const char *path)
{
  static const char *keywords[] = { "PatientName", "PatientID", "PatientBirthDate",
                                    "OtherPatientIDs", "ReferringPhysicianName",
                                    "InstitutionName", "PatientAddress" };

  for (guint i = 0; i < G_N_ELEMENTS (keywords); i++)
    {
      g_autofree char *value = dcmdump_value (path, keywords[i]);
      g_auto(GStrv) parts = NULL;

      if (value == NULL)
        continue;
      g_ptr_array_add (needles, g_strdup (value));
      parts = g_strsplit_set (value, "^=", -1);
      for (guint k = 0; parts[k] != NULL; k++)
        if (strlen (g_strstrip (parts[k])) >= 4)
          g_ptr_array_add (needles, g_strdup (parts[k]));
    }
}

static void
check_no_needles (Case      *c,
                  GPtrArray *needles)
{
  g_autofree char *html_lower = g_utf8_strdown (c->html_text, -1);
  g_autofree char *pdf_lower = c->pdf_text != NULL ? g_utf8_strdown (c->pdf_text, -1) : NULL;

  g_assert_cmpuint (needles->len, >, 2);
  for (guint i = 0; i < needles->len; i++)
    {
      g_autofree char *needle = g_utf8_strdown (g_ptr_array_index (needles, i), -1);

      if (strstr (html_lower, needle) != NULL)
        g_error ("the HTML report holds an identifying value of the input (needle %u)", i);
      if (pdf_lower != NULL && strstr (pdf_lower, needle) != NULL)
        g_error ("the PDF report holds an identifying value of the input (needle %u)", i);
    }
}

static void
test_no_identifiers (void)
{
  g_autoptr(GPtrArray) needles = g_ptr_array_new_with_free_func (g_free);

  if (!lacuna_test_require_program ("dcmdump", "dcmtk"))
    return;
  if (prepare_sample ())
    {
      g_autoptr(GPtrArray) files = lacuna_test_list_files (sample_case.input);

      for (guint i = 0; i < files->len; i++)
        if (!g_str_has_suffix (g_ptr_array_index (files, i), "DICOMDIR"))
          {
            add_needles (needles, g_ptr_array_index (files, i));
            if (needles->len > 0)
              break;
          }
      add_needles (needles, g_ptr_array_index (files, files->len - 1));
      check_no_needles (&sample_case, needles);
      g_ptr_array_set_size (needles, 0);
    }
  if (prepare_cr ())
    {
      add_needles (needles, cr_case.input);
      check_no_needles (&cr_case, needles);
    }
  if (sample_case.pdf_text == NULL)
    g_test_message ("pdftotext (Debian poppler-utils) not found: the PDF's text was not "
                    "checked");
}

static void
test_pdf_pages (void)
{
  const char *argv[] = { "pdfinfo", NULL, NULL };
  g_autofree char *out = NULL;
  const char *pages;

  if (!prepare_sample ())
    return;
  if (!lacuna_test_require_program ("pdfinfo", "poppler-utils"))
    return;
  argv[1] = sample_case.pdf;
  g_assert_cmpint (lacuna_test_run (argv, &out, NULL), ==, 0);
  pages = strstr (out, "Pages:");
  g_assert_nonnull (pages);
  g_assert_cmpint (atoi (pages + strlen ("Pages:")), >=, 2);
  g_assert_nonnull (strstr (out, "A4"));
  g_assert_nonnull (strstr (sample_case.pdf_text, "Page 1 of "));
}

/* ---------------------------------------------------------------------------------------- */
/* Thumbnails: the output's pixels                                                          */

typedef struct
{
  const guint8 *data;
  gsize         len;
  gsize         pos;
} Reader;

static cairo_status_t
read_png (void          *closure,
          unsigned char *data,
          unsigned int   length)
{
  Reader *r = closure;

  if (r->pos + length > r->len)
    return CAIRO_STATUS_READ_ERROR;
  memcpy (data, r->data + r->pos, length);
  r->pos += length;
  return CAIRO_STATUS_SUCCESS;
}

/* The first data: URI image of the HTML. */
static cairo_surface_t *
first_thumbnail (const char *html_path)
{
  g_autofree char *html = NULL;
  g_autofree char *b64 = NULL;
  g_autofree guchar *png = NULL;
  const char *start, *end;
  gsize len = 0;
  Reader r;

  g_assert_true (g_file_get_contents (html_path, &html, NULL, NULL));
  start = strstr (html, "src=\"data:image/png;base64,");
  g_assert_nonnull (start);
  start += strlen ("src=\"data:image/png;base64,");
  end = strchr (start, '"');
  g_assert_nonnull (end);
  b64 = g_strndup (start, end - start);
  png = g_base64_decode (b64, &len);
  r = (Reader) { png, len, 0 };
  return cairo_image_surface_create_from_png_stream (read_png, &r);
}

/* Mean of the rendered (default window) grey of a file's first frame over a rectangle given
 * in thumbnail pixels (scale: image pixels per thumbnail pixel). */
static double
rendered_mean (const char *path,
               double      scale,
               int         tx,
               int         ty,
               int         tw,
               int         th)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LacunaDicomFile) file = lacuna_dicom_file_open (path, LACUNA_DICOM_OPEN_DEFAULT,
                                                            &error);
  g_autoptr(LacunaFrame) frame = NULL;
  g_autofree guint8 *rgb = NULL;
  double center, width, sum = 0.0;
  gboolean lut;
  guint w, h;
  guint64 n = 0;

  g_assert_no_error (error);
  frame = lacuna_frame_decode (file, 0, &error);
  g_assert_no_error (error);
  w = lacuna_frame_get_width (frame);
  h = lacuna_frame_get_height (frame);
  rgb = g_malloc ((gsize) w * h * 3);
  lacuna_frame_get_default_window (frame, &center, &width, &lut);
  lacuna_frame_render_rgb (frame, center, width, lut, rgb, (gsize) w * 3);
  for (guint y = (guint) (ty * scale); y < MIN (h, (guint) ((ty + th) * scale)); y++)
    for (guint x = (guint) (tx * scale); x < MIN (w, (guint) ((tx + tw) * scale)); x++)
      {
        sum += rgb[3 * ((gsize) y * w + x)];
        n++;
      }
  g_assert_cmpuint (n, >, 0);
  return sum / n;
}

static double
thumb_mean (cairo_surface_t *s,
            int              tx,
            int              ty,
            int              tw,
            int              th)
{
  const guint8 *data = cairo_image_surface_get_data (s);
  int stride = cairo_image_surface_get_stride (s);
  double sum = 0.0;
  int n = 0;

  for (int y = ty; y < ty + th; y++)
    for (int x = tx; x < tx + tw; x++)
      {
        guint32 px = *(const guint32 *) (data + (gsize) y * stride + 4 * x);

        sum += (px >> 8) & 0xff;   /* green */
        n++;
      }
  return sum / n;
}

static void
test_thumbnails_of_output (void)
{
  g_autoptr(GPtrArray) outputs = NULL;
  const char *output = NULL;
  cairo_surface_t *thumb;
  double scale;
  int tw, th, bw, bh;

  if (!prepare_cr ())
    return;
  outputs = lacuna_test_list_files (cr_case.out);
  for (guint i = 0; i < outputs->len; i++)
    if (strstr (g_ptr_array_index (outputs, i), "/DICOM/") != NULL)
      output = g_ptr_array_index (outputs, i);
  g_assert_nonnull (output);

  thumb = first_thumbnail (cr_case.html);
  g_assert_cmpint (cairo_surface_status (thumb), ==, CAIRO_STATUS_SUCCESS);
  tw = cairo_image_surface_get_width (thumb);
  th = cairo_image_surface_get_height (thumb);
  g_assert_cmpint (MAX (tw, th), <=, 256);
  scale = 2140.0 / tw;   /* the CR is 2140 × 1760 */
  g_assert_cmpint (th, ==, (int) (1760.0 / scale + 0.5));

  /* The redaction box (inside, one pixel in from its edges): black in the thumbnail and in
   * the output, not in the input. */
  bw = (int) (CR_REDACT_W / scale) - 2;
  bh = (int) (CR_REDACT_H / scale) - 2;
  g_assert_cmpfloat (thumb_mean (thumb, 1, 1, bw, bh), <, 3.0);
  g_assert_cmpfloat (rendered_mean (output, scale, 1, 1, bw, bh), <, 3.0);
  g_assert_cmpfloat (rendered_mean (cr_case.input, scale, 1, 1, bw, bh), >, 10.0);

  /* Elsewhere (the lungs and below, away from any text) the thumbnail is the output,
   * rendered the same way. */
  for (int k = 0; k < 4; k++)
    {
      int x = tw / 8 + k * tw / 5, y = th / 3 + k * th / 10, s = MAX (4, tw / 16);
      double a = thumb_mean (thumb, x, y, s, s);
      double b = rendered_mean (output, scale, x, y, s, s);

      g_assert_cmpfloat (fabs (a - b), <, 6.0);
    }
  cairo_surface_destroy (thumb);
}

static void
test_wording (void)
{
  static const char *forbidden[] = { "appears", "likely male", "likely female",
                                     "estimated age", "privacy score", "probability of" };
  Case *cases[] = { &sample_case, &cr_case };

  prepare_sample ();
  prepare_cr ();
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *html = NULL;
      g_autofree char *pdf = NULL;

      if (cases[i]->skipped)
        continue;
      html = g_utf8_strdown (cases[i]->html_text, -1);
      pdf = cases[i]->pdf_text != NULL ? g_utf8_strdown (cases[i]->pdf_text, -1) : NULL;
      for (guint k = 0; k < G_N_ELEMENTS (forbidden); k++)
        {
          g_assert_null (strstr (html, forbidden[k]));
          if (pdf != NULL)
            g_assert_null (strstr (pdf, forbidden[k]));
        }
      g_assert_nonnull (strstr (html, "is stated in"));
      g_assert_nonnull (strstr (html, "published ai models can infer"));
      g_assert_nonnull (strstr (html, "we did not run such a model on this patient"));
    }
}

/* ---------------------------------------------------------------------------------------- */
/* The library function                                                                     */

static void
test_api_refusals (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *export_dir = NULL;
  g_autofree char *inside = NULL;
  g_autofree char *beside = NULL;
  g_autofree char *beside_html = NULL;
  g_autofree char *html_path = NULL;
  g_autofree char *pdf_path = NULL;
  g_autofree char *sample_file = NULL;
  g_autoptr(LacunaFindings) findings = lacuna_findings_new ();
  g_autoptr(LacunaFinding) bad = NULL;
  g_autoptr(LacunaResidual) residual = lacuna_residual_new ();
  g_autoptr(LacunaDicomFile) file = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GError) error = NULL;

  if (!prepare_sample ())
    return;
  dir = lacuna_test_make_tmpdir ();
  export_dir = g_build_filename (dir, "export", NULL);
  g_assert_cmpint (g_mkdir (export_dir, 0700), ==, 0);

  /* Inside the export (also through "..") → refused. */
  inside = g_build_filename (export_dir, "sub", "..", "report", NULL);
  g_assert_false (lacuna_findings_report_write (findings, NULL, export_dir, inside, NULL,
                                                &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* No export report: written, and says so. */
  beside = g_build_filename (dir, "only-findings", NULL);
  g_assert_true (lacuna_findings_report_write_full (findings, NULL, export_dir, beside, NULL,
                                                    NULL, &html_path, &pdf_path, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (html_path, "only-findings.findings.html"));
  g_assert_true (g_file_test (pdf_path, G_FILE_TEST_IS_REGULAR));

  /* A finding whose text holds the patient's name → refused by the residual check, and
   * nothing is written. */
  files = lacuna_test_list_files (sample_case.input);
  for (guint i = 0; i < files->len && file == NULL; i++)
    if (!g_str_has_suffix (g_ptr_array_index (files, i), "DICOMDIR"))
      file = lacuna_dicom_file_open (g_ptr_array_index (files, i), LACUNA_DICOM_OPEN_HEADER_ONLY,
                                     NULL);
  g_assert_nonnull (file);
  lacuna_residual_add_input (residual, file);
  bad = lacuna_finding_new ("test", LACUNA_EVIDENCE_STATED, LACUNA_FINDING_PRESENT,
                            "The name " LACUNA_SAMPLE_PATIENT_SURNAME " is stated in the test.");
  lacuna_findings_add (findings, bad);
  g_free (beside);
  beside = g_build_filename (dir, "refused", NULL);
  g_assert_false (lacuna_findings_report_write_full (findings, NULL, export_dir, beside, NULL,
                                                     residual, NULL, NULL, NULL, &error));
  g_assert_error (error, LACUNA_EXPORT_ERROR, LACUNA_EXPORT_ERROR_FAILED);
  g_assert_null (strstr (error->message, LACUNA_SAMPLE_PATIENT_SURNAME));
  beside_html = g_strconcat (beside, ".findings.html", NULL);
  g_assert_false (g_file_test (beside_html, G_FILE_TEST_EXISTS));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  lacuna_dicom_init ();

  g_test_add_func ("/core/findings-report/beside", test_beside);
  g_test_add_func ("/core/findings-report/patient-first", test_patient_first);
  g_test_add_func ("/core/findings-report/every-kind", test_every_kind);
  g_test_add_func ("/core/findings-report/no-identifiers", test_no_identifiers);
  g_test_add_func ("/core/findings-report/pdf-pages", test_pdf_pages);
  g_test_add_func ("/core/findings-report/thumbnails-of-output", test_thumbnails_of_output);
  g_test_add_func ("/core/findings-report/wording", test_wording);
  g_test_add_func ("/core/findings-report/api-refusals", test_api_refusals);
  return g_test_run ();
}
