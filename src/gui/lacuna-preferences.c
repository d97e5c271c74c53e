/* lacuna-preferences.c: default options, date-shift range, key location. */
#define G_LOG_DOMAIN "lacuna-preferences"

#include "config.h"

#include <glib/gi18n.h>

#include "lacuna-export-dialog.h"
#include "lacuna-key.h"
#include "lacuna-preferences.h"

struct _LacunaPreferences
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;
  GtkSwitch            *switches[LACUNA_PROFILE_N_OPTIONS];
  GtkSpinButton        *days_spin;
  gboolean              updating;
};

G_DEFINE_FINAL_TYPE (LacunaPreferences, lacuna_preferences, ADW_TYPE_PREFERENCES_WINDOW)

GSettings *
lacuna_preferences_dup_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, LACUNA_APP_ID, TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, "default-options")
      || !g_settings_schema_has_key (schema, "date-shift-days"))
    return NULL;
  return g_settings_new_full (schema, NULL, NULL);
}

LacunaProfileOption
lacuna_preferences_get_default_options (GSettings *settings)
{
  g_auto(GStrv) names = NULL;
  LacunaProfileOption options = LACUNA_PROFILE_OPTION_NONE;

  if (settings == NULL)
    return options;
  names = g_settings_get_strv (settings, "default-options");
  for (guint i = 0; names[i] != NULL; i++)
    options |= lacuna_profile_option_from_cli_name (names[i]);
  return options;
}

guint
lacuna_preferences_get_date_shift_days (GSettings *settings)
{
  int days;

  if (settings == NULL)
    return LACUNA_DEID_DEFAULT_DATE_SHIFT_DAYS;
  days = ABS (g_settings_get_int (settings, "date-shift-days"));
  return CLAMP (days, 1, LACUNA_DEID_MAX_DATE_SHIFT_DAYS);
}

static void
update_from_settings (LacunaPreferences *self)
{
  LacunaProfileOption options = lacuna_preferences_get_default_options (self->settings);

  self->updating = TRUE;
  for (guint i = 0; i < LACUNA_PROFILE_N_OPTIONS; i++)
    if (self->switches[i] != NULL)
      gtk_switch_set_active (self->switches[i], (options & (1u << i)) != 0);
  gtk_spin_button_set_value (self->days_spin,
                             lacuna_preferences_get_date_shift_days (self->settings));
  self->updating = FALSE;
}

static void
switch_active_cb (GtkSwitch         *sw,
                  GParamSpec        *pspec,
                  LacunaPreferences *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) names = NULL;
  guint n_infos = 0;
  const LacunaProfileOptionInfo *infos = lacuna_profile_get_options (&n_infos);

  if (self->updating || self->settings == NULL)
    return;
  for (guint i = 0; i < n_infos; i++)
    {
      int index = lacuna_profile_option_get_index (infos[i].option);

      if (index >= 0 && self->switches[index] != NULL
          && gtk_switch_get_active (self->switches[index]))
        g_strv_builder_add (builder, infos[i].cli_name);
    }
  names = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "default-options", (const char * const *) names);
}

static void
days_changed_cb (GtkSpinButton     *spin,
                 LacunaPreferences *self)
{
  if (self->updating || self->settings == NULL)
    return;
  g_settings_set_int (self->settings, "date-shift-days", gtk_spin_button_get_value_as_int (spin));
}

static void
lacuna_preferences_dispose (GObject *object)
{
  LacunaPreferences *self = LACUNA_PREFERENCES (object);

  g_clear_object (&self->settings);
  G_OBJECT_CLASS (lacuna_preferences_parent_class)->dispose (object);
}

static void
lacuna_preferences_class_init (LacunaPreferencesClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lacuna_preferences_dispose;
}

static void
lacuna_preferences_init (LacunaPreferences *self)
{
  GtkWidget *page = adw_preferences_page_new ();
  GtkWidget *group;
  GtkWidget *row;
  GtkWidget *label;
  guint n_infos = 0;
  const LacunaProfileOptionInfo *infos = lacuna_profile_get_options (&n_infos);
  g_autofree char *key_path = lacuna_key_dup_default_path ();
  g_autofree char *key_display = g_filename_display_name (key_path);

  self->settings = lacuna_preferences_dup_settings ();
  gtk_window_set_title (GTK_WINDOW (self), _("Preferences"));
  adw_preferences_window_set_search_enabled (ADW_PREFERENCES_WINDOW (self), FALSE);
  adw_preferences_page_set_title (ADW_PREFERENCES_PAGE (page), _("Export"));
  adw_preferences_page_set_icon_name (ADW_PREFERENCES_PAGE (page), "document-save-symbolic");

  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Default Options"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                         _("Selected for every study you open; you can change "
                                           "them per study when you export."));
  for (guint i = 0; i < n_infos && i < LACUNA_PROFILE_N_OPTIONS; i++)
    {
      GtkWidget *sw = gtk_switch_new ();
      g_autofree char *title = lacuna_export_option_dup_title (infos[i].option);
      g_autofree char *description = lacuna_export_option_dup_description (infos[i].option);

      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), description);
      gtk_widget_set_valign (sw, GTK_ALIGN_CENTER);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), sw);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), sw);
      self->switches[lacuna_profile_option_get_index (infos[i].option)] = GTK_SWITCH (sw);
      g_signal_connect (sw, "notify::active", G_CALLBACK (switch_active_cb), self);
      gtk_widget_set_sensitive (row, self->settings != NULL);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
    }
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));

  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Dates"));
  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Largest Date Shift"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               _("When dates are shifted, each patient’s dates all move by the "
                                 "same number of days, at most this many, so intervals stay "
                                 "true."));
  self->days_spin = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (1, 36500, 1));
  gtk_widget_set_valign (GTK_WIDGET (self->days_spin), GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), GTK_WIDGET (self->days_spin));
  g_signal_connect (self->days_spin, "value-changed", G_CALLBACK (days_changed_cb), self);
  gtk_widget_set_sensitive (row, self->settings != NULL);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));

  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Key"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                         _("Pseudonyms, new UIDs and date shifts are derived "
                                           "from a secret key, so the same patient gets the "
                                           "same pseudonym in every export. Keep the key "
                                           "private and back it up."));
  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Key File"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), key_display);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  label = gtk_label_new (_("If the key is lost, later exports can no longer be linked to "
                           "earlier ones."));
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_widget_set_margin_top (label, 12);
  gtk_widget_add_css_class (label, "dim-label");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), label);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));

  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self), ADW_PREFERENCES_PAGE (page));
  update_from_settings (self);
  if (self->settings != NULL)
    g_signal_connect_object (self->settings, "changed", G_CALLBACK (update_from_settings), self,
                             G_CONNECT_SWAPPED);
}

LacunaPreferences *
lacuna_preferences_new (GtkWindow *parent)
{
  return g_object_new (LACUNA_TYPE_PREFERENCES, "transient-for", parent, "modal", TRUE, NULL);
}
