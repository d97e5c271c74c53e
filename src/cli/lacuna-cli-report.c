/* lacuna-cli-report.c: `lacuna-cli report INPUT… --export OUTDIR [-o BASENAME]`
 *
 * Collects the findings of the inputs (lacuna-findings.h: header identity, quasi-identifiers,
 * body composition, literature cards; plus burned-in text read with OCR and faces found by
 * the standard detectors, unless --no-ocr / --no-faces), reads the export's JSON report
 * (OUTDIR.report.json beside OUTDIR, or --export-report FILE) and the written files (for
 * thumbnails of the output), and writes BASENAME.findings.html and BASENAME.findings.pdf
 * beside the export (BASENAME defaults to OUTDIR), never inside it
 * (lacuna-findings-report.h). The header findings are judged against the profile options
 * the export report names. Before writing, both texts are searched for every identifying
 * string of the inputs (lacuna-residual.h): a hit refuses the report.
 *
 * Progress and errors go to stderr; stdout gets one line naming the two files. Exit status:
 * 0 written, 1 not written (or an input could not be read), 2 usage error.
 */
#define G_LOG_DOMAIN "lacuna-cli-report"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "lacuna-core.h"
#include "lacuna-cli.h"
#include "lacuna-burned-in.h"
#include "lacuna-export.h"
#include "lacuna-findings.h"
#include "lacuna-findings-report.h"
#include "lacuna-residual.h"

static int
usage_error (const char *message)
{
  fprintf (stderr, "lacuna-cli report: %s\n", message);
  fprintf (stderr, "%s\n", _("Run “lacuna-cli report --help” for the options."));
  return LACUNA_CLI_EXIT_USAGE;
}

/* Prints the checks that could not run (no OCR engine, a detector missing, a series that
 * could not be read) and counts them as problems; drops the words read from burned-in
 * text (a report never holds them). */
static guint
review_checks (LacunaFindings *findings)
{
  guint n_problems = 0;

  for (guint i = 0; i < lacuna_findings_get_n_checks (findings); i++)
    {
      JsonObject *check = lacuna_findings_get_check (findings, i);
      const char *reason = json_object_get_string_member_with_default (check, "reason", "");

      if (json_object_get_boolean_member_with_default (check, "ran", TRUE) &&
          json_object_get_int_member_with_default (check, "failed", 0) == 0)
        continue;
      if (g_str_equal (reason, "not-applicable"))
        continue;
      fprintf (stderr, "lacuna-cli report: %s\n",
               json_object_get_string_member_with_default (check, "summary", ""));
      n_problems++;
    }
  for (guint i = 0; i < lacuna_findings_get_n_findings (findings); i++)
    {
      LacunaFinding *f = lacuna_findings_get_finding (findings, i);

      if (g_strcmp0 (lacuna_finding_get_kind (f), "burned-in-text") == 0)
        lacuna_burned_in_finding_strip_read (f);
    }
  return n_problems;
}

static JsonObject *
load_export_report (const char  *path,
                    GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (!json_parser_load_from_file (parser, path, error))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      !json_object_has_member (json_node_get_object (root), "lacuna-report"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s is not a Lacuna export report"), path);
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

static LacunaProfileOption
export_options (JsonObject *report)
{
  JsonNode *node = json_object_get_member (report, "options");
  JsonObject *options;
  JsonArray *names;
  LacunaProfileOption flags = 0;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return 0;
  options = json_node_get_object (node);
  node = json_object_get_member (options, "options");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return 0;
  names = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (names); i++)
    {
      const char *name = json_array_get_string_element (names, i);

      if (name != NULL)
        flags |= lacuna_profile_option_from_cli_name (name);
    }
  return flags;
}

int
lacuna_cli_report (int    argc,
                   char **argv)
{
  g_autofree char *export_dir = NULL;
  g_autofree char *export_report_path = NULL;
  g_autofree char *basename = NULL;
  g_autofree char *html_path = NULL;
  g_autofree char *pdf_path = NULL;
  g_auto(GStrv) inputs = NULL;
  gboolean no_ocr = FALSE;
  gboolean no_faces = FALSE;
  int slice = G_MININT;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LacunaLoader) loader = NULL;
  g_autoptr(LacunaCollection) collection = NULL;
  g_autoptr(LacunaFindings) findings = NULL;
  g_autoptr(LacunaResidual) residual = NULL;
  g_autoptr(JsonObject) report = NULL;
  g_autoptr(GListModel) series = NULL;
  LacunaProfileOption options;
  LacunaFindingsCheck checks = LACUNA_FINDINGS_CHECK_ALL;
  guint n_problems;
  const GOptionEntry entries[] = {
    { "export", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &export_dir,
      N_("The de-identified copy written by “lacuna-cli clean” (its folder)"), N_("OUTDIR") },
    { "export-report", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &export_report_path,
      N_("The export’s JSON report (default: OUTDIR.report.json)"), N_("FILE") },
    { "output", 'o', G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &basename,
      N_("Write BASENAME.findings.html and BASENAME.findings.pdf (default: OUTDIR; never "
         "inside OUTDIR)"), N_("BASENAME") },
    { "slice", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_INT, &slice,
      N_("Measure body composition on the CT image with this Instance Number"), N_("N") },
    { "no-ocr", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &no_ocr,
      N_("Do not read burned-in text"), NULL },
    { "no-faces", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &no_faces,
      N_("Do not look for faces"), NULL },
    { G_OPTION_REMAINING, 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME_ARRAY, &inputs,
      NULL, NULL },
    { NULL }
  };

  context = g_option_context_new (_("INPUT… --export OUTDIR"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Write the findings report of the inputs and their "
                                  "de-identified copy, as HTML and PDF, beside the copy:\n"
                                  "first a page in plain words for the patient, then every "
                                  "finding, what the export changed and\nthumbnails of the "
                                  "output for the privacy officer."));
  g_option_context_set_description (context,
                                    _("Exit status: 0 written, 1 not written or an input "
                                      "failed, 2 usage error."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (error->message);
  if (export_dir == NULL || export_dir[0] == '\0')
    return usage_error (_("the export is required (--export OUTDIR)"));
  if (inputs == NULL || inputs[0] == NULL)
    return usage_error (_("no input given: the files the export was made from"));
  if (basename != NULL && basename[0] == '\0')
    return usage_error (_("-o needs a name"));

  if (export_report_path == NULL)
    {
      g_autofree char *trimmed = g_strdup (export_dir);
      gsize n = strlen (trimmed);

      while (n > 1 && trimmed[n - 1] == G_DIR_SEPARATOR)
        trimmed[--n] = '\0';
      export_report_path = lacuna_export_dup_default_report_path (
        trimmed, g_str_has_suffix (trimmed, ".zip") &&
                 g_file_test (trimmed, G_FILE_TEST_IS_REGULAR));
    }
  report = load_export_report (export_report_path, &error);
  if (report == NULL)
    {
      fprintf (stderr, "lacuna-cli report: %s\n", error->message);
      return LACUNA_CLI_EXIT_FAILED;
    }
  options = export_options (report);

  fprintf (stderr, "lacuna-cli report: %s\n", _("loading the inputs…"));
  loader = lacuna_loader_new ((const char * const *) inputs);
  collection = lacuna_loader_load (loader, NULL, &error);
  if (collection == NULL)
    {
      fprintf (stderr, "lacuna-cli report: %s\n", error->message);
      return LACUNA_CLI_EXIT_FAILED;
    }

  residual = lacuna_residual_new ();
  lacuna_residual_set_options (residual, options);
  series = lacuna_collection_list_series (collection);
  for (guint s = 0; s < g_list_model_get_n_items (series); s++)
    {
      g_autoptr(LacunaSeries) one = g_list_model_get_item (series, s);

      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (one)); i++)
        {
          g_autoptr(LacunaDicomFile) file = NULL;
          g_autoptr(GError) local = NULL;

          file = lacuna_instance_open (lacuna_series_get_instance (one, i), &local);
          if (file != NULL)
            lacuna_residual_add_input (residual, file);
        }
    }

  fprintf (stderr, "lacuna-cli report: %s\n", _("collecting the findings…"));
  findings = lacuna_findings_new ();
  lacuna_findings_set_profile_options (findings, options);
  lacuna_findings_set_slice (findings, slice);
  if (no_ocr)
    checks &= ~LACUNA_FINDINGS_CHECK_BURNED_IN;
  if (no_faces)
    checks &= ~LACUNA_FINDINGS_CHECK_FACE;
  lacuna_findings_set_checks (findings, checks);
  if (!lacuna_findings_collect (findings, collection, NULL, &error))
    {
      fprintf (stderr, "lacuna-cli report: %s\n", error->message);
      return LACUNA_CLI_EXIT_FAILED;
    }
  n_problems = review_checks (findings);

  fprintf (stderr, "lacuna-cli report: %s\n", _("writing the report…"));
  if (!lacuna_findings_report_write_full (findings, report, export_dir, basename, collection,
                                          residual, &html_path, &pdf_path, NULL, &error))
    {
      fprintf (stderr, "lacuna-cli report: %s\n", error->message);
      return LACUNA_CLI_EXIT_FAILED;
    }
  printf (_("Wrote %s and %s (%u findings)\n"), html_path, pdf_path,
          lacuna_findings_get_n_findings (findings));
  return n_problems > 0 ||
         lacuna_collection_count_problems (collection, LACUNA_PROBLEM_FAILED) > 0
         ? LACUNA_CLI_EXIT_FAILED : LACUNA_CLI_EXIT_OK;
}
