/* lacuna-cli-sample.c: `lacuna-cli sample -o DIR`
 *
 * Writes the bundled sample study (an invented patient): DICOM files only, in PS3.10
 * file-ID folders, and a DICOMDIR. DIR is created when absent; a DIR holding anything but
 * a previous sample is refused.
 */
#define G_LOG_DOMAIN "lacuna-cli-sample"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>

#include "lacuna-core.h"
#include "lacuna-cli.h"

int
lacuna_cli_sample (int    argc,
                   char **argv)
{
  g_autofree char *output = NULL;
  g_auto(GStrv) rest = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  const GOptionEntry entries[] = {
    { "output", 'o', G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &output,
      N_("Folder to write the study into (created when absent; must be empty)"), N_("DIR") },
    { G_OPTION_REMAINING, 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME_ARRAY, &rest, NULL, NULL },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Write the bundled sample study: a CT of a phantom, its dose "
                                  "report and an ultrasound,\nall of one invented patient, as "
                                  "DICOM files and a DICOMDIR."));
  g_option_context_set_description (context,
                                    _("Exit status: 0 success, 1 writing failed, 2 usage error."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "lacuna-cli sample: %s\n", error->message);
      fprintf (stderr, "%s\n", _("Run “lacuna-cli sample --help” for the options."));
      return LACUNA_CLI_EXIT_USAGE;
    }
  if (rest != NULL && rest[0] != NULL)
    {
      fprintf (stderr, _("lacuna-cli sample: unexpected argument “%s”\n"), rest[0]);
      fprintf (stderr, "%s\n", _("Run “lacuna-cli sample --help” for the options."));
      return LACUNA_CLI_EXIT_USAGE;
    }
  if (output == NULL || output[0] == '\0')
    {
      fprintf (stderr, "lacuna-cli sample: %s\n", _("an output folder is required (-o DIR)"));
      fprintf (stderr, "%s\n", _("Run “lacuna-cli sample --help” for the options."));
      return LACUNA_CLI_EXIT_USAGE;
    }

  if (!lacuna_sample_write (output, NULL, &error))
    {
      fprintf (stderr, "lacuna-cli sample: %s\n", error->message);
      return LACUNA_CLI_EXIT_FAILED;
    }

  printf (g_dngettext (GETTEXT_PACKAGE, "Wrote %d DICOM file and a DICOMDIR to %s\n",
                       "Wrote %d DICOM files and a DICOMDIR to %s\n", LACUNA_SAMPLE_N_FILES),
          LACUNA_SAMPLE_N_FILES, output);
  return LACUNA_CLI_EXIT_OK;
}
