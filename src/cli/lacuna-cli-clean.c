/* lacuna-cli-clean.c: `lacuna-cli clean [OPTION…] INPUT… -o OUTDIR` and
 * `lacuna-cli finalize OUTDIR`.
 *
 * clean writes a de-identified copy (lacuna-export.h): a folder of PS3.10 file IDs made
 * from the new UIDs with a fresh DICOMDIR, or a .zip (--zip), and a report beside it. With
 * --shard I/N it writes only the instance files of one partition of the studies and a
 * manifest; `finalize OUTDIR` then writes the DICOMDIR and the report.
 *
 * --burned-in auto scans every image for burned-in text first and boxes every line that is
 * not all clinical vocabulary; every scanned or boxed image is verified after writing
 * (OCR again, pixel diff outside the boxes) and a file that fails is not written. The
 * default, off, warns about images that likely carry text and get no box. --clean-pixel-data
 * (or a recipe naming it) implies --burned-in auto; with --burned-in off it is refused.
 * --deface (implied by --clean-recognizable-visual-features) defaces every CT/MR volume in
 * which a face is found (lacuna-deface.h); --deface-depth MM sets the depth (default 25).
 *
 * Progress goes to stderr, one summary line to stdout. Exit status: 0 success (skipped
 * non-DICOM files are not failures), 1 some file failed (a residual hit or a failed
 * verification included) or the export could not run, 2 usage error.
 */
#define G_LOG_DOMAIN "lacuna-cli-clean"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "lacuna-core.h"
#include "lacuna-cli.h"
#include "lacuna-deid-options.h"
#include "lacuna-export.h"
#include "lacuna-key.h"
#include "lacuna-profile.h"
#include "lacuna-redact.h"

static int
usage_error (const char *command,
             const char *message)
{
  fprintf (stderr, "lacuna-cli %s: %s\n", command, message);
  fprintf (stderr, _("Run “lacuna-cli %s --help” for the options.\n"), command);
  return LACUNA_CLI_EXIT_USAGE;
}

static gboolean
parse_shard (const char *text,
             guint      *out_index,
             guint      *out_n)
{
  guint64 i, n;
  char *end;

  if (text == NULL || !g_ascii_isdigit (text[0]))
    return FALSE;
  i = g_ascii_strtoull (text, &end, 10);
  if (*end != '/' || !g_ascii_isdigit (end[1]))
    return FALSE;
  n = g_ascii_strtoull (end + 1, &end, 10);
  if (*end != '\0' || n == 0 || n > 100000 || i >= n)
    return FALSE;
  *out_index = (guint) i;
  *out_n = (guint) n;
  return TRUE;
}

static gboolean
parse_box (const char      *text,
           LacunaRedactBox *box)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  gint64 v[4];

  if (g_strv_length (parts) != 4)
    return FALSE;
  for (guint i = 0; i < 4; i++)
    {
      char *end;

      g_strstrip (parts[i]);
      if (parts[i][0] == '\0')
        return FALSE;
      v[i] = g_ascii_strtoll (parts[i], &end, 10);
      if (*end != '\0' || v[i] < 0 || v[i] > 1000000)
        return FALSE;
    }
  if (v[2] == 0 || v[3] == 0)
    return FALSE;
  box->frame = -1;
  box->x = (int) v[0];
  box->y = (int) v[1];
  box->width = (int) v[2];
  box->height = (int) v[3];
  return TRUE;
}

typedef struct
{
  gboolean    tty;
  gboolean    dirty;
  const char *finished;   /* the last phase reported complete */
} Progress;

static void
on_progress (const char *phase,
             guint       n_done,
             guint       n_total,
             gpointer    user_data)
{
  Progress *p = user_data;

  if (n_total > 0 && n_done == n_total)
    {
      if (p->finished != NULL && strcmp (p->finished, phase) == 0)
        return;
      p->finished = phase;
    }
  if (n_total == 0)
    {
      if (p->dirty)
        fputc ('\n', stderr);
      p->dirty = FALSE;
      fprintf (stderr, "lacuna-cli clean: %s…\n", phase);
      return;
    }
  if (p->tty)
    {
      fprintf (stderr, "\rlacuna-cli clean: %s %u/%u", phase, n_done, n_total);
      p->dirty = TRUE;
      if (n_done == n_total)
        {
          fputc ('\n', stderr);
          p->dirty = FALSE;
        }
    }
  else if (n_done == n_total)
    fprintf (stderr, "lacuna-cli clean: %s %u/%u\n", phase, n_done, n_total);
  fflush (stderr);
}

int
lacuna_cli_clean (int    argc,
                  char **argv)
{
  guint n_infos = 0;
  const LacunaProfileOptionInfo *infos = lacuna_profile_get_options (&n_infos);
  gboolean option_set[LACUNA_PROFILE_N_OPTIONS] = { FALSE };
  g_autofree char *output = NULL;
  g_autofree char *recipe = NULL;
  g_autofree char *key_file = NULL;
  g_autofree char *report = NULL;
  g_autofree char *shard = NULL;
  g_autofree char *patient_name = NULL;
  g_autofree char *patient_id = NULL;
  g_autofree char *burned_in = NULL;
  g_auto(GStrv) redact = NULL;
  g_auto(GStrv) inputs = NULL;
  gboolean zip = FALSE;
  gboolean include_unknown = FALSE;
  gboolean deface = FALSE;
  double deface_depth = 0;
  int jobs = 0;
  int date_shift = 0;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GOptionGroup) group = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LacunaExportOptions) options = NULL;
  g_autoptr(LacunaKey) key = NULL;
  g_autoptr(LacunaExport) export = NULL;
  g_auto(GStrv) messages = NULL;
  g_autofree GOptionEntry *option_entries = NULL;
  LacunaKeyStatus status = LACUNA_KEY_STATUS_NONE;
  Progress progress = { isatty (STDERR_FILENO), FALSE, NULL };
  guint n_failed;
  const GOptionEntry entries[] = {
    { "output", 'o', G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &output,
      N_("Folder to write into (with --zip: the .zip file)"), N_("OUTDIR") },
    { "recipe", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &recipe,
      N_("JSON recipe with options and per-attribute overrides"), N_("FILE") },
    { "key-file", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &key_file,
      N_("Secret key for the keyed replacements (created when absent; default: the "
         "user’s Lacuna key)"), N_("FILE") },
    { "report", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &report,
      N_("Write the JSON report here (HTML beside it; default OUTDIR.report.json)"),
      N_("FILE") },
    { "zip", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &zip,
      N_("Write a .zip instead of a folder"), NULL },
    { "jobs", 'j', G_OPTION_FLAG_NONE, G_OPTION_ARG_INT, &jobs,
      N_("Files processed in parallel (default: the number of processors)"), N_("N") },
    { "shard", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &shard,
      N_("Process only shard I of N (0-based, by study); then run “finalize”"), N_("I/N") },
    { "redact", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING_ARRAY, &redact,
      N_("Fill this box (pixels from the top left) on every frame of every image; "
         "may be repeated"), N_("X,Y,W,H") },
    { "burned-in", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &burned_in,
      N_("Burned-in text: “auto” scans every image and boxes each line that is not all "
         "clinical vocabulary, then verifies the written pixels; “off” (default) only "
         "warns about images that likely carry text"), N_("auto|off") },
    { "deface", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &deface,
      N_("Find the face in every CT or MR volume and write those series defaced (tissue "
         "over the face removed to a set depth; not written when not verified)"), NULL },
    { "deface-depth", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_DOUBLE, &deface_depth,
      N_("How deep below the skin --deface may remove tissue (default 25)"), N_("MM") },
    { "patient-name", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &patient_name,
      N_("Pseudonym for Patient’s Name"), N_("NAME") },
    { "patient-id", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &patient_id,
      N_("Pseudonym for Patient ID"), N_("ID") },
    { "date-shift-days", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_INT, &date_shift,
      N_("Shift each patient’s dates by a keyed 1 to N days (implies "
         "--retain-modified-dates)"), N_("N") },
    { "include-unknown-payloads", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &include_unknown,
      N_("Also write objects whose content cannot be checked (PDF, CDA, video, undecodable "
         "pixels) and keep opaque values"), NULL },
    { G_OPTION_REMAINING, 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME_ARRAY, &inputs,
      NULL, NULL },
    { NULL }
  };

  context = g_option_context_new (_("INPUT… -o OUTDIR"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Write a de-identified copy (DICOM PS3.15 Annex E Basic "
                                  "Profile and the options chosen) of the files,\nfolders, "
                                  "DICOMDIRs and .zip archives given, with a report beside "
                                  "it."));
  g_option_context_set_description (context,
                                    _("Exit status: 0 success, 1 some file failed, 2 usage "
                                      "error."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  /* The profile's options, by their CLI names. */
  option_entries = g_new0 (GOptionEntry, n_infos + 1);
  for (guint i = 0; i < n_infos && i < LACUNA_PROFILE_N_OPTIONS; i++)
    {
      option_entries[i].long_name = infos[i].cli_name;
      option_entries[i].arg = G_OPTION_ARG_NONE;
      option_entries[i].arg_data = &option_set[i];
      option_entries[i].description = infos[i].description;
    }
  group = g_option_group_new ("profile", _("Options of the confidentiality profile:"),
                              _("Show the profile’s options"), NULL, NULL);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  g_option_group_add_entries (group, option_entries);
  g_option_context_add_group (context, g_steal_pointer (&group));

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error ("clean", error->message);
  if (output == NULL || output[0] == '\0')
    return usage_error ("clean", _("an output is required (-o OUTDIR)"));
  if (inputs == NULL || inputs[0] == NULL)
    return usage_error ("clean", _("no input given"));
  if (jobs < 0 || jobs > 256)
    return usage_error ("clean", _("--jobs must be between 1 and 256"));

  options = lacuna_export_options_new ();
  options->deid = lacuna_deid_options_new ();
  options->zip = zip;
  options->jobs = (guint) jobs;
  options->report_path = g_strdup (report);
  if (shard != NULL && !parse_shard (shard, &options->shard_index, &options->n_shards))
    return usage_error ("clean", _("--shard takes I/N with 0 ≤ I < N, such as 0/4"));
  if (zip && options->n_shards > 1)
    return usage_error ("clean", _("--zip cannot be combined with --shard"));

  if (recipe != NULL && !lacuna_deid_options_load_recipe (options->deid, recipe, &error))
    return usage_error ("clean", error->message);
  for (guint i = 0; i < n_infos && i < LACUNA_PROFILE_N_OPTIONS; i++)
    if (option_set[i])
      options->deid->options |= infos[i].option;
  if (date_shift != 0)
    {
      if (date_shift < 1 || date_shift > LACUNA_DEID_MAX_DATE_SHIFT_DAYS)
        return usage_error ("clean", _("--date-shift-days must be between 1 and 36525"));
      options->deid->date_shift_max_days = (guint) date_shift;
      options->deid->options |= LACUNA_PROFILE_OPTION_RETAIN_MODIFIED_DATES;
    }
  if (patient_name != NULL)
    {
      g_free (options->deid->patient_name);
      options->deid->patient_name = g_strdup (patient_name);
    }
  if (patient_id != NULL)
    {
      g_free (options->deid->patient_id);
      options->deid->patient_id = g_strdup (patient_id);
    }
  if (include_unknown)
    options->deid->include_unknown_payloads = TRUE;
  if (burned_in != NULL &&
      !lacuna_export_burned_in_from_string (burned_in, &options->burned_in))
    return usage_error ("clean", _("--burned-in takes “auto” or “off”"));
  if ((options->deid->options & LACUNA_PROFILE_OPTION_CLEAN_PIXEL_DATA) != 0)
    {
      /* Clean Pixel Data is a claim only the scan and its verification can back. */
      if (burned_in != NULL && options->burned_in == LACUNA_EXPORT_BURNED_IN_OFF)
        return usage_error ("clean", _("--clean-pixel-data needs the burned-in text scan: "
                                       "use --burned-in auto"));
      options->burned_in = LACUNA_EXPORT_BURNED_IN_AUTO;
    }
  if (!lacuna_deid_options_validate (options->deid, &error))
    return usage_error ("clean", error->message);
  /* Recognizable Visual Features is a claim only defacing can back. */
  if ((options->deid->options & LACUNA_PROFILE_OPTION_CLEAN_RECOGNIZABLE_VISUAL_FEATURES) != 0)
    deface = TRUE;
  if (deface_depth != 0 && (deface_depth < 0 || deface_depth > 100))
    return usage_error ("clean", _("--deface-depth must be above 0 and at most 100 mm"));
  if (deface_depth != 0 && !deface)
    return usage_error ("clean", _("--deface-depth needs --deface"));
  options->deface = deface;
  options->deface_depth_mm = deface_depth;

  options->boxes = g_array_new (FALSE, FALSE, sizeof (LacunaRedactBox));
  for (guint i = 0; redact != NULL && redact[i] != NULL; i++)
    {
      LacunaRedactBox box;

      if (!parse_box (redact[i], &box))
        return usage_error ("clean", _("--redact takes X,Y,W,H: four whole numbers, width "
                                       "and height above 0"));
      g_array_append_val (options->boxes, box);
    }

  if (key_file == NULL)
    key_file = lacuna_key_dup_default_path ();
  key = lacuna_key_load_or_create (key_file, &status, &error);
  if (key == NULL)
    {
      fprintf (stderr, "lacuna-cli clean: %s\n", error->message);
      return LACUNA_CLI_EXIT_FAILED;
    }
  if (status & LACUNA_KEY_STATUS_CREATED)
    fprintf (stderr, _("lacuna-cli clean: created a new key in %s; keep it to get the same "
                       "replacements again (every shard needs the same key)\n"), key_file);
  {
    g_autofree char *warning = lacuna_key_status_dup_message (status, key_file);

    if (warning != NULL)
      fprintf (stderr, "lacuna-cli clean: %s\n", warning);
  }

  export = lacuna_export_new ((const char * const *) inputs, output, key, options);
  lacuna_export_set_progress_func (export, on_progress, &progress);
  if (!lacuna_export_run (export, NULL, &error))
    {
      if (progress.dirty)
        fputc ('\n', stderr);
      fprintf (stderr, "lacuna-cli clean: %s\n", error->message);
      return LACUNA_CLI_EXIT_FAILED;
    }

  messages = lacuna_export_dup_messages (export);
  for (guint i = 0; messages[i] != NULL; i++)
    fprintf (stderr, "lacuna-cli clean: %s\n", messages[i]);

  n_failed = lacuna_export_get_n_failed (export);
  if (lacuna_export_get_n_verified (export) > 0 ||
      lacuna_export_get_n_verification_failed (export) > 0)
    fprintf (stderr, _("lacuna-cli clean: burned-in text verification: %u passed, %u failed "
                       "(not written)\n"),
             lacuna_export_get_n_verified (export),
             lacuna_export_get_n_verification_failed (export));
  if (options->n_shards > 1)
    printf (_("Shard %u/%u: wrote %u of %u files to %s (%u left out, %u skipped, %u failed); "
              "run “lacuna-cli finalize %s” after every shard\n"),
            options->shard_index, options->n_shards, lacuna_export_get_n_written (export),
            lacuna_export_get_n_in_shard (export), output,
            lacuna_export_get_n_left_out (export), lacuna_export_get_n_skipped (export),
            n_failed, output);
  else
    printf (_("Wrote %u of %u files to %s (%u left out, %u skipped, %u failed); report: %s\n"),
            lacuna_export_get_n_written (export), lacuna_export_get_n_instances (export),
            output, lacuna_export_get_n_left_out (export),
            lacuna_export_get_n_skipped (export), n_failed,
            lacuna_export_get_report_path (export));
  return n_failed > 0 ? LACUNA_CLI_EXIT_FAILED : LACUNA_CLI_EXIT_OK;
}

int
lacuna_cli_finalize (int    argc,
                     char **argv)
{
  g_autofree char *report = NULL;
  g_autofree char *report_written = NULL;
  g_auto(GStrv) rest = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  guint n_failed = 0;
  const GOptionEntry entries[] = {
    { "report", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &report,
      N_("Write the JSON report here (HTML beside it; default OUTDIR.report.json)"),
      N_("FILE") },
    { G_OPTION_REMAINING, 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME_ARRAY, &rest,
      NULL, NULL },
    { NULL }
  };

  context = g_option_context_new (_("OUTDIR"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Finish an export written in shards (clean --shard I/N): "
                                  "check that every shard ran,\nthen write the DICOMDIR and "
                                  "the report."));
  g_option_context_set_description (context,
                                    _("Exit status: 0 success, 1 some file failed or the "
                                      "shards are incomplete, 2 usage error."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error ("finalize", error->message);
  if (rest == NULL || rest[0] == NULL)
    return usage_error ("finalize", _("the output folder of the shards is required"));
  if (rest[1] != NULL)
    return usage_error ("finalize", _("give exactly one output folder"));

  if (!lacuna_export_finalize (rest[0], report, &n_failed, &report_written, &error))
    {
      fprintf (stderr, "lacuna-cli finalize: %s\n", error->message);
      return LACUNA_CLI_EXIT_FAILED;
    }
  printf (_("Finalized %s (%u failed); report: %s\n"), rest[0], n_failed, report_written);
  return n_failed > 0 ? LACUNA_CLI_EXIT_FAILED : LACUNA_CLI_EXIT_OK;
}
