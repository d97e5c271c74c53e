/* main.c: the lacuna application.
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "lacuna"

#include "config.h"

#include <glib/gi18n.h>

#include "lacuna-application.h"
#include "lacuna-face.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(LacunaApplication) app = NULL;
  int status;

  bindtextdomain (GETTEXT_PACKAGE, LACUNA_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = lacuna_application_new ();
  status = g_application_run (G_APPLICATION (app), argc, argv);
  /* Checks still running in other threads (a face check cancelled as the window closed)
   * finish before exit frees what they use. */
  lacuna_face_shutdown ();
  return status;
}
