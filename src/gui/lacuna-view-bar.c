/* lacuna-view-bar.c
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "lacuna-view-bar"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "lacuna-view-bar.h"

struct _LacunaViewBar
{
  GtkWidget        parent_instance;

  /* template */
  GtkWidget       *box;
  GtkToggleButton *play_button;
  GtkScale        *position_scale;
  GtkAdjustment   *position_adjustment;
  GtkButton       *zoom_out_button;
  GtkMenuButton   *zoom_button;
  GtkButton       *zoom_in_button;
  GtkMenuButton   *window_button;

  LacunaImageView *view;
  GBindingGroup   *bindings;
  GSignalGroup    *view_signals;
  GSignalGroup    *state_signals;
  GMenuModel      *window_menu;
  char            *window_menu_key;
};

G_DEFINE_FINAL_TYPE (LacunaViewBar, lacuna_view_bar, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_VIEW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
position_to_value (GBinding     *binding,
                   const GValue *from,
                   GValue       *to,
                   gpointer      user_data)
{
  g_value_set_double (to, g_value_get_uint (from));
  return TRUE;
}

static gboolean
value_to_position (GBinding     *binding,
                   const GValue *from,
                   GValue       *to,
                   gpointer      user_data)
{
  double value = round (g_value_get_double (from));

  g_value_set_uint (to, value > 0 ? (guint) value : 0);
  return TRUE;
}

static gboolean
n_positions_to_upper (GBinding     *binding,
                      const GValue *from,
                      GValue       *to,
                      gpointer      user_data)
{
  guint n = g_value_get_uint (from);

  g_value_set_double (to, n > 0 ? n - 1 : 0);
  return TRUE;
}

static gboolean
n_positions_to_visible (GBinding     *binding,
                        const GValue *from,
                        GValue       *to,
                        gpointer      user_data)
{
  g_value_set_boolean (to, g_value_get_uint (from) > 1);
  return TRUE;
}

static void
update_zoom_label (LacunaViewBar *self)
{
  LacunaViewState *state = self->view ? lacuna_image_view_get_state (self->view) : NULL;
  g_autofree char *label = NULL;

  if (state == NULL)
    return;
  /* Translators: the zoom level on its button; 100 % is one image pixel per screen pixel */
  label = g_strdup_printf (_("%.0f %%"), lacuna_view_state_get_zoom (state) * 100);
  gtk_menu_button_set_label (self->zoom_button, label);
}

static void
update_play_button (LacunaViewBar *self)
{
  LacunaViewState *state = self->view ? lacuna_image_view_get_state (self->view) : NULL;
  gboolean playing = state != NULL && lacuna_view_state_get_playing (state);

  gtk_button_set_icon_name (GTK_BUTTON (self->play_button),
                            playing ? "media-playback-pause-symbolic"
                                    : "media-playback-start-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->play_button),
                               playing ? _("Pause (Space)") : _("Play (Space)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->play_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, playing ? _("Pause") : _("Play"),
                                  -1);
}

static char *
escape_mnemonics (const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text, "_", -1);

  return g_strjoinv ("__", parts);
}

static void
append_preset (GMenu      *section,
               const char *label,
               const char *preset)
{
  g_autoptr(GMenuItem) item = g_menu_item_new (label, NULL);

  g_menu_item_set_action_and_target_value (item, "view.window-preset",
                                           g_variant_new_string (preset));
  g_menu_append_item (section, item);
}

/* The window menu depends on the image's modality and on the windows its file offers. */
static void
update_window_menu (LacunaViewBar *self)
{
  LacunaFrame *frame = self->view ? lacuna_image_view_get_frame (self->view) : NULL;
  LacunaInstance *instance = self->view ? lacuna_image_view_get_instance (self->view, NULL) : NULL;
  const char *modality = instance ? lacuna_instance_get_modality (instance) : "";
  gboolean ct = g_strcmp0 (modality, "CT") == 0;
  guint n_windows = frame ? lacuna_frame_get_n_windows (frame) : 0;
  g_autoptr(GString) key = g_string_new (ct ? "CT" : "-");
  g_autoptr(GMenu) menu = NULL;
  g_autoptr(GMenu) own = NULL;
  g_autoptr(GMenu) annotations = NULL;

  for (guint i = 0; i < n_windows; i++)
    {
      double center = 0, width = 0;
      const char *explanation = NULL;

      lacuna_frame_get_window (frame, i, &center, &width, &explanation);
      g_string_append_printf (key, "|%g/%g/%s", center, width, explanation ? explanation : "");
    }
  if (self->window_menu != NULL && g_strcmp0 (key->str, self->window_menu_key) == 0)
    return;

  menu = g_menu_new ();
  own = g_menu_new ();
  append_preset (own, _("From the _File"), LACUNA_WINDOW_PRESET_DEFAULT);
  /* The file's other windows (the first one is the default). */
  for (guint i = 1; i < n_windows; i++)
    {
      g_autofree char *label = NULL;
      g_autofree char *target = g_strdup_printf (LACUNA_WINDOW_PRESET_FILE_PREFIX "%u", i);
      const char *explanation = NULL;
      double center = 0, width = 0;

      lacuna_frame_get_window (frame, i, &center, &width, &explanation);
      if (explanation != NULL && *explanation != '\0')
        label = escape_mnemonics (explanation);
      else
        /* Translators: one of the windows stored in the file, "File Window 2 (L 40, W 400)" */
        label = g_strdup_printf (_("File Window %u (L %.0f, W %.0f)"), i + 1, center, width);
      append_preset (own, label, target);
    }
  append_preset (own, _("F_ull Range"), LACUNA_WINDOW_PRESET_FULL_RANGE);
  g_menu_append_section (menu, NULL, G_MENU_MODEL (own));

  if (ct)
    {
      g_autoptr(GMenu) presets = g_menu_new ();
      const LacunaWindowPreset *table;
      guint n;

      table = lacuna_window_preset_get_ct (&n);
      for (guint i = 0; i < n; i++)
        append_preset (presets, _(table[i].label), table[i].id);
      g_menu_append_section (menu, _("CT"), G_MENU_MODEL (presets));
    }

  annotations = g_menu_new ();
  g_menu_append (annotations, _("Show _Annotations"), "view.show-annotations");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (annotations));

  g_set_object (&self->window_menu, G_MENU_MODEL (menu));
  g_free (self->window_menu_key);
  self->window_menu_key = g_strdup (key->str);
  gtk_menu_button_set_menu_model (self->window_button, self->window_menu);
}

static void
lacuna_view_bar_dispose (GObject *object)
{
  LacunaViewBar *self = (LacunaViewBar *) object;

  if (self->bindings != NULL)
    g_binding_group_set_source (self->bindings, NULL);
  g_clear_object (&self->bindings);
  g_clear_object (&self->view_signals);
  g_clear_object (&self->state_signals);
  g_clear_object (&self->view);
  g_clear_object (&self->window_menu);
  g_clear_pointer (&self->window_menu_key, g_free);

  gtk_widget_dispose_template (GTK_WIDGET (self), LACUNA_TYPE_VIEW_BAR);

  G_OBJECT_CLASS (lacuna_view_bar_parent_class)->dispose (object);
}

static void
lacuna_view_bar_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  LacunaViewBar *self = LACUNA_VIEW_BAR (object);

  switch (prop_id)
    {
    case PROP_VIEW:
      g_value_set_object (value, self->view);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lacuna_view_bar_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  LacunaViewBar *self = LACUNA_VIEW_BAR (object);

  switch (prop_id)
    {
    case PROP_VIEW:
      lacuna_view_bar_set_view (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lacuna_view_bar_class_init (LacunaViewBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lacuna_view_bar_dispose;
  object_class->get_property = lacuna_view_bar_get_property;
  object_class->set_property = lacuna_view_bar_set_property;

  properties[PROP_VIEW] =
    g_param_spec_object ("view", NULL, NULL,
                         LACUNA_TYPE_IMAGE_VIEW,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/lacuna/Lacuna/ui/lacuna-view-bar.ui");
  gtk_widget_class_bind_template_child (widget_class, LacunaViewBar, box);
  gtk_widget_class_bind_template_child (widget_class, LacunaViewBar, play_button);
  gtk_widget_class_bind_template_child (widget_class, LacunaViewBar, position_scale);
  gtk_widget_class_bind_template_child (widget_class, LacunaViewBar, position_adjustment);
  gtk_widget_class_bind_template_child (widget_class, LacunaViewBar, zoom_out_button);
  gtk_widget_class_bind_template_child (widget_class, LacunaViewBar, zoom_button);
  gtk_widget_class_bind_template_child (widget_class, LacunaViewBar, zoom_in_button);
  gtk_widget_class_bind_template_child (widget_class, LacunaViewBar, window_button);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "lacuna-view-bar");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_TOOLBAR);
}

static void
lacuna_view_bar_init (LacunaViewBar *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_range_set_round_digits (GTK_RANGE (self->position_scale), 0);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Image Controls"),
                                  -1);

  self->bindings = g_binding_group_new ();
  /* The range first, so that the value is not clamped to the old one. */
  g_binding_group_bind_full (self->bindings, "n-positions", self->position_adjustment, "upper",
                             G_BINDING_SYNC_CREATE, n_positions_to_upper, NULL, NULL, NULL);
  g_binding_group_bind_full (self->bindings, "position", self->position_adjustment, "value",
                             G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL,
                             position_to_value, value_to_position, NULL, NULL);
  g_binding_group_bind_full (self->bindings, "n-positions", self->position_scale, "visible",
                             G_BINDING_SYNC_CREATE, n_positions_to_visible, NULL, NULL, NULL);
  g_binding_group_bind_full (self->bindings, "n-positions", self->play_button, "visible",
                             G_BINDING_SYNC_CREATE, n_positions_to_visible, NULL, NULL, NULL);

  self->view_signals = g_signal_group_new (LACUNA_TYPE_IMAGE_VIEW);
  g_signal_group_connect_swapped (self->view_signals, "notify::frame",
                                  G_CALLBACK (update_window_menu), self);

  self->state_signals = g_signal_group_new (LACUNA_TYPE_VIEW_STATE);
  g_signal_group_connect_swapped (self->state_signals, "notify::zoom",
                                  G_CALLBACK (update_zoom_label), self);
  g_signal_group_connect_swapped (self->state_signals, "notify::playing",
                                  G_CALLBACK (update_play_button), self);

  update_window_menu (self);
}

GtkWidget *
lacuna_view_bar_new (LacunaImageView *view)
{
  return g_object_new (LACUNA_TYPE_VIEW_BAR, "view", view, NULL);
}

LacunaImageView *
lacuna_view_bar_get_view (LacunaViewBar *self)
{
  g_return_val_if_fail (LACUNA_IS_VIEW_BAR (self), NULL);

  return self->view;
}

void
lacuna_view_bar_set_view (LacunaViewBar   *self,
                          LacunaImageView *view)
{
  LacunaViewState *state;

  g_return_if_fail (LACUNA_IS_VIEW_BAR (self));
  g_return_if_fail (view == NULL || LACUNA_IS_IMAGE_VIEW (view));

  if (!g_set_object (&self->view, view))
    return;

  state = view ? lacuna_image_view_get_state (view) : NULL;
  gtk_widget_insert_action_group (GTK_WIDGET (self), "view",
                                  view ? lacuna_image_view_get_action_group (view) : NULL);
  g_signal_group_set_target (self->view_signals, view);
  g_signal_group_set_target (self->state_signals, state);
  g_binding_group_set_source (self->bindings, state);
  update_zoom_label (self);
  update_play_button (self);
  update_window_menu (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEW]);
}

GMenuModel *
lacuna_view_bar_get_window_menu (LacunaViewBar *self)
{
  g_return_val_if_fail (LACUNA_IS_VIEW_BAR (self), NULL);

  return self->window_menu;
}
