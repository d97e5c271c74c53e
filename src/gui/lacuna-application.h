/* lacuna-application.h: the application: command line, app actions, windows. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define LACUNA_TYPE_APPLICATION (lacuna_application_get_type ())
G_DECLARE_FINAL_TYPE (LacunaApplication, lacuna_application, LACUNA, APPLICATION, AdwApplication)

LacunaApplication *lacuna_application_new (void);

G_END_DECLS
