/* lacuna-application.c
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "lacuna-application"

#include "config.h"

#include <glib/gi18n.h>

#include "lacuna-application.h"
#include "lacuna-dicom.h"
#include "lacuna-preferences.h"
#include "lacuna-window.h"

struct _LacunaApplication
{
  AdwApplication parent_instance;

  gboolean       opening;       /* files (or the sample) to open as it starts */
  GThread       *dicom_init;    /* reads DCMTK's dictionary while GTK starts */
};

G_DEFINE_FINAL_TYPE (LacunaApplication, lacuna_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "sample", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Open the bundled sample study"), NULL },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version and exit"), NULL },
  { NULL }
};

/* The active window (opening replaces its study), or a new one. */
static LacunaWindow *
get_window (LacunaApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (LACUNA_IS_WINDOW (window))
    return LACUNA_WINDOW (window);

  return lacuna_window_new (GTK_APPLICATION (self));
}

static void
lacuna_application_activate (GApplication *app)
{
  LacunaWindow *window = get_window (LACUNA_APPLICATION (app));

  gtk_window_present (GTK_WINDOW (window));
}

static void
lacuna_application_open (GApplication  *app,
                         GFile        **files,
                         int            n_files,
                         const char    *hint)
{
  LacunaWindow *window = get_window (LACUNA_APPLICATION (app));

  lacuna_window_open_files (window, files, n_files);
  gtk_window_present (GTK_WINDOW (window));
}

/* `lacuna PATH…` opens a study as soon as the window is up: see startup(). */
static gboolean
lacuna_application_local_command_line (GApplication   *app,
                                       char         ***arguments,
                                       int            *exit_status)
{
  LacunaApplication *self = LACUNA_APPLICATION (app);
  char **argv = *arguments;

  for (guint i = 1; argv != NULL && argv[i] != NULL; i++)
    {
      if (argv[i][0] != '-')
        self->opening = TRUE;
    }

  return G_APPLICATION_CLASS (lacuna_application_parent_class)->local_command_line (app,
                                                                                   arguments,
                                                                                   exit_status);
}

static int
lacuna_application_handle_local_options (GApplication *app,
                                         GVariantDict *options)
{
  g_autoptr(GError) error = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("%s %s\n", "lacuna", LACUNA_VERSION);
      return 0;
    }

  if (g_variant_dict_contains (options, "sample"))
    {
      LACUNA_APPLICATION (app)->opening = TRUE;
      if (!g_application_register (app, NULL, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      g_action_group_activate_action (G_ACTION_GROUP (app), "open-sample", NULL);
      return 0;
    }

  return -1;
}

static void
open_file_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  LacunaWindow *window = get_window (user_data);

  gtk_window_present (GTK_WINDOW (window));
  lacuna_window_choose_files (window);
}

static void
open_folder_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  LacunaWindow *window = get_window (user_data);

  gtk_window_present (GTK_WINDOW (window));
  lacuna_window_choose_folder (window);
}

static void
open_sample_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  LacunaWindow *window = get_window (user_data);

  gtk_window_present (GTK_WINDOW (window));
  lacuna_window_open_sample (window);
}

static void
new_window_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  gtk_window_present (GTK_WINDOW (lacuna_window_new (GTK_APPLICATION (user_data))));
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  GtkApplication *app = user_data;
  static const char *developers[] = { "The Lacuna authors", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (app),
                        "application-name", _("Lacuna"),
                        "application-icon", LACUNA_APP_ID,
                        "version", LACUNA_VERSION,
                        "developer-name", _("The Lacuna authors"),
                        "developers", developers,
                        "comments", _("See what a DICOM study reveals about its patient, "
                                      "and write a de-identified copy."),
                        /* GPL-3.0-or-later */
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "website", "https://github.com/lacuna/lacuna",
                        "issue-url", "https://github.com/lacuna/lacuna/issues",
                        /* Translators: credit yourself here */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  GtkApplication *app = user_data;

  GtkWindow *parent = gtk_application_get_active_window (app);

  gtk_window_present (GTK_WINDOW (lacuna_preferences_new (parent)));
}

/* F1: the manual (help/, installed for yelp as "lacuna"). */
static void
help_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  GtkApplication *app = user_data;

  gtk_show_uri (gtk_application_get_active_window (app), "help:lacuna", GDK_CURRENT_TIME);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  GtkApplication *app = user_data;
  GList *windows = gtk_application_get_windows (app);

  /* Closing each window lets it save its size and cancel its work. */
  while (windows != NULL)
    {
      GList *next = windows->next;

      gtk_window_close (windows->data);
      windows = next;
    }
  /* A window with decisions not yet exported asks first and stays open meanwhile; the
   * application ends with its last window. */
  if (gtk_application_get_windows (app) == NULL)
    g_application_quit (G_APPLICATION (app));
}

static const GActionEntry app_actions[] = {
  { "open-file", open_file_action },
  { "open-folder", open_folder_action },
  { "open-sample", open_sample_action },
  { "new-window", new_window_action },
  { "about", about_action },
  { "preferences", preferences_action },
  { "help", help_action },
  { "quit", quit_action },
};

/* GtkApplication and libadwaita add their icon resources to the icon theme as they start,
 * which makes it read its index files again; GTK would do that in the main thread at the
 * first icon the window shows (some 20 ms of the way to the first image). A worker reads
 * them instead while the window is built: GtkIconTheme is thread-safe (GTK loads it in a
 * thread too), and a lookup in the main thread meanwhile waits for the worker's result. */
static void
load_icon_theme_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  gtk_icon_theme_has_icon (task_data, "image-missing");
  g_task_return_boolean (task, TRUE);
}

static void
load_icon_theme_in_thread (void)
{
  GdkDisplay *display = gdk_display_get_default ();
  g_autoptr(GTask) task = NULL;

  if (display == NULL)
    return;
  task = g_task_new (NULL, NULL, NULL, NULL);
  g_task_set_source_tag (task, load_icon_theme_in_thread);
  g_task_set_task_data (task, g_object_ref (gtk_icon_theme_get_for_display (display)),
                        g_object_unref);
  g_task_run_in_thread (task, load_icon_theme_thread);
}

static gpointer
dicom_init_thread (gpointer data)
{
  lacuna_dicom_init ();
  return NULL;
}

static void
lacuna_application_startup (GApplication *app)
{
  LacunaApplication *self = LACUNA_APPLICATION (app);
  static const char *open_file_accels[] = { "<Control>o", NULL };
  static const char *open_folder_accels[] = { "<Control><Shift>o", NULL };
  static const char *new_window_accels[] = { "<Control>n", NULL };
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  static const char *help_accels[] = { "F1", NULL };
  /* GtkApplication sets this one only for a gtk/help-overlay.ui resource, which would build
   * the overlay for every window: the window builds it on demand instead. */
  static const char *help_overlay_accels[] = { "<Control>question", NULL };

  /* Opening a study starts with DCMTK reading its data dictionary (some 10 ms of CPU on the
   * loader's way to the first image): a thread does it while GTK and libadwaita start. */
  if (self->opening)
    self->dicom_init = g_thread_new ("lacuna-dicom-init", dicom_init_thread, NULL);

  G_APPLICATION_CLASS (lacuna_application_parent_class)->startup (app);
  load_icon_theme_in_thread ();

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.open-file", open_file_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.open-folder", open_folder_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.new-window", new_window_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences",
                                         preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.help", help_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.show-help-overlay",
                                         help_overlay_accels);

  gtk_window_set_default_icon_name (LACUNA_APP_ID);
}

static void
lacuna_application_shutdown (GApplication *app)
{
  LacunaApplication *self = LACUNA_APPLICATION (app);

  /* Not left running into exit, which frees the dictionary. */
  g_clear_pointer (&self->dicom_init, g_thread_join);

  G_APPLICATION_CLASS (lacuna_application_parent_class)->shutdown (app);
}

static void
lacuna_application_finalize (GObject *object)
{
  LacunaApplication *self = LACUNA_APPLICATION (object);

  g_clear_pointer (&self->dicom_init, g_thread_join);

  G_OBJECT_CLASS (lacuna_application_parent_class)->finalize (object);
}

static void
lacuna_application_class_init (LacunaApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = lacuna_application_finalize;

  app_class->activate = lacuna_application_activate;
  app_class->open = lacuna_application_open;
  app_class->startup = lacuna_application_startup;
  app_class->shutdown = lacuna_application_shutdown;
  app_class->local_command_line = lacuna_application_local_command_line;
  app_class->handle_local_options = lacuna_application_handle_local_options;
}

static void
lacuna_application_init (LacunaApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[FILE|FOLDER…]"));
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Show what DICOM images reveal about their patient."));
}

LacunaApplication *
lacuna_application_new (void)
{
  return g_object_new (LACUNA_TYPE_APPLICATION,
                       "application-id", LACUNA_APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/lacuna/Lacuna",
                       NULL);
}
