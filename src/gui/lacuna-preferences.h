/* lacuna-preferences.h: the Preferences window: the options selected when a study is opened,
 * the date-shift range, and where the key lives (and what losing it means). Backed by the
 * GSettings schema io.github.lacuna.Lacuna (keys default-options, date-shift-days); without
 * the schema installed the settings rows are insensitive. */
#pragma once

#include <adwaita.h>

#include "lacuna-deid-options.h"

G_BEGIN_DECLS

#define LACUNA_TYPE_PREFERENCES (lacuna_preferences_get_type ())
G_DECLARE_FINAL_TYPE (LacunaPreferences, lacuna_preferences, LACUNA, PREFERENCES,
                      AdwPreferencesWindow)

LacunaPreferences   *lacuna_preferences_new (GtkWindow *parent);

/* The settings, or NULL when the schema is not installed (owned). */
GSettings           *lacuna_preferences_dup_settings        (void);
/* The default options and date shift from the settings (no option and
 * LACUNA_DEID_DEFAULT_DATE_SHIFT_DAYS without the schema). */
LacunaProfileOption  lacuna_preferences_get_default_options (GSettings *settings);
guint                lacuna_preferences_get_date_shift_days (GSettings *settings);

G_END_DECLS
