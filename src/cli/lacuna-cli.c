/* lacuna-cli: the engine without a display, for batches and pipelines. */
#define G_LOG_DOMAIN "lacuna-cli"

#include "config.h"

#include <locale.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "lacuna-core.h"
#include "lacuna-cli.h"

typedef struct
{
  const char *name;
  int       (*run) (int argc, char **argv);
  const char *summary;
} Command;

static const Command commands[] = {
  { "inspect", lacuna_cli_inspect, N_("Show the study tree and every data element") },
  { "pixels",  lacuna_cli_pixels,  N_("Write one frame's pixels as raw stored values or a PNG") },
  { "sample",  lacuna_cli_sample,  N_("Write the bundled sample study (invented patient)") },
  { "clean",    lacuna_cli_clean,    N_("Write a de-identified copy, with a report beside it") },
  { "finalize", lacuna_cli_finalize, N_("Finish an export written in shards (clean --shard)") },
  { "report",   lacuna_cli_report,   N_("Write the findings report (HTML and PDF) beside an export") },
};

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n\n", _("Usage: lacuna-cli COMMAND [OPTION…] [ARGUMENT…]"));
  fprintf (out, "%s\n\n", _("See what a DICOM study reveals about its patient, and clean it."));
  fprintf (out, "%s\n", _("Commands:"));
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (out, "\n%s\n", _("Run “lacuna-cli COMMAND --help” for a command’s options."));
  fprintf (out, "%s\n", _("Exit status: 0 success, 1 some inputs failed, 2 usage error."));
}

static gpointer
dicom_init_thread (gpointer data)
{
  lacuna_dicom_init ();
  return NULL;
}

static GThread *dicom_init;

/* Also at exit(): GOption's --help exits from within a command. DCMTK's log library tears
 * itself down in a static destructor, and the thread, still reading the dictionary, would
 * log into it afterwards (an assertion failure in log4cplus: abort). exit() runs handlers
 * in the reverse order of registration: one registered in main() runs before the
 * destructors DCMTK's libraries registered when they were loaded. Joined once, whoever
 * calls (never by the thread itself). */
static void
join_dicom_init (void)
{
  GThread *thread = g_atomic_pointer_exchange (&dicom_init, NULL);

  if (thread != NULL && thread != g_thread_self ())
    g_thread_join (thread);
}

int
main (int    argc,
      char **argv)
{
#if defined(__GLIBC__) && !LACUNA_CLI_TCMALLOC
  /* glibc's allocator (tcmalloc, when linked, keeps freed pages for reuse itself). Images
   * are a few hundred KB to a few MB each, allocated and freed for every file: kept in the
   * heap rather than mapped and unmapped each time (page faults and TLB shootdowns were a
   * tenth of a batch's time). */
  mallopt (M_MMAP_THRESHOLD, 64 * 1024 * 1024);
  mallopt (M_TRIM_THRESHOLD, 128 * 1024 * 1024);
#endif
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LACUNA_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2)
    {
      print_usage (stderr);
      return LACUNA_CLI_EXIT_USAGE;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 ||
      strcmp (argv[1], "help") == 0)
    {
      print_usage (stdout);
      return LACUNA_CLI_EXIT_OK;
    }
  if (strcmp (argv[1], "--version") == 0)
    {
      printf ("lacuna-cli %s\n", LACUNA_VERSION);
      return LACUNA_CLI_EXIT_OK;
    }

  /* DCMTK's dictionary takes tens of milliseconds to read: in a thread, while the command
   * reads its options and inputs (lacuna_dicom_init() waits for it where it is needed). */
  dicom_init = g_thread_new ("lacuna-dicom-init", dicom_init_thread, NULL);
  atexit (join_dicom_init);
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (argv[1], commands[i].name) == 0)
      {
        int status = commands[i].run (argc - 1, argv + 1);

        join_dicom_init ();
        return status;
      }
  join_dicom_init ();

  fprintf (stderr, _("lacuna-cli: unknown command “%s”\n\n"), argv[1]);
  print_usage (stderr);
  return LACUNA_CLI_EXIT_USAGE;
}
