/* lacuna-view-state.c
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "lacuna-view-state"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "lacuna-view-state.h"

#define DEFAULT_FRAME_RATE 10.0

struct _LacunaViewState
{
  GObject        parent_instance;

  guint          position;
  guint          n_positions;

  double         zoom;
  LacunaFitMode  fit_mode;
  double         center_x;
  double         center_y;

  double         window_center;
  double         window_width;
  char          *window_preset;

  double         frame_rate;

  guint          show_annotations : 1;
  guint          playing : 1;
};

G_DEFINE_FINAL_TYPE (LacunaViewState, lacuna_view_state, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (LacunaFitMode, lacuna_fit_mode,
                    G_DEFINE_ENUM_VALUE (LACUNA_FIT_MODE_NONE, "none"),
                    G_DEFINE_ENUM_VALUE (LACUNA_FIT_MODE_BEST, "best"))

enum {
  PROP_0,
  PROP_POSITION,
  PROP_N_POSITIONS,
  PROP_ZOOM,
  PROP_FIT_MODE,
  PROP_CENTER_X,
  PROP_CENTER_Y,
  PROP_WINDOW_CENTER,
  PROP_WINDOW_WIDTH,
  PROP_WINDOW_PRESET,
  PROP_SHOW_ANNOTATIONS,
  PROP_PLAYING,
  PROP_FRAME_RATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Radiopaedia, "Windowing (CT)"; the usual values of reading workstations. */
static const LacunaWindowPreset ct_presets[] = {
  { "ct-brain",       N_("Brain"),          40,   80 },
  { "ct-lung",        N_("Lung"),         -600, 1500 },
  { "ct-bone",        N_("Bone"),          400, 1800 },
  { "ct-abdomen",     N_("Abdomen"),        50,  400 },
  { "ct-soft-tissue", N_("Soft Tissue"),    50,  350 },
};

const LacunaWindowPreset *
lacuna_window_preset_get_ct (guint *out_n)
{
  if (out_n != NULL)
    *out_n = G_N_ELEMENTS (ct_presets);
  return ct_presets;
}

const LacunaWindowPreset *
lacuna_window_preset_lookup (const char *id)
{
  if (id == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (ct_presets); i++)
    if (g_str_equal (ct_presets[i].id, id))
      return &ct_presets[i];
  return NULL;
}

static void
lacuna_view_state_finalize (GObject *object)
{
  LacunaViewState *self = (LacunaViewState *) object;

  g_clear_pointer (&self->window_preset, g_free);

  G_OBJECT_CLASS (lacuna_view_state_parent_class)->finalize (object);
}

static void
lacuna_view_state_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  LacunaViewState *self = LACUNA_VIEW_STATE (object);

  switch (prop_id)
    {
    case PROP_POSITION:
      g_value_set_uint (value, self->position);
      break;

    case PROP_N_POSITIONS:
      g_value_set_uint (value, self->n_positions);
      break;

    case PROP_ZOOM:
      g_value_set_double (value, self->zoom);
      break;

    case PROP_FIT_MODE:
      g_value_set_enum (value, self->fit_mode);
      break;

    case PROP_CENTER_X:
      g_value_set_double (value, self->center_x);
      break;

    case PROP_CENTER_Y:
      g_value_set_double (value, self->center_y);
      break;

    case PROP_WINDOW_CENTER:
      g_value_set_double (value, self->window_center);
      break;

    case PROP_WINDOW_WIDTH:
      g_value_set_double (value, self->window_width);
      break;

    case PROP_WINDOW_PRESET:
      g_value_set_string (value, self->window_preset);
      break;

    case PROP_SHOW_ANNOTATIONS:
      g_value_set_boolean (value, self->show_annotations);
      break;

    case PROP_PLAYING:
      g_value_set_boolean (value, self->playing);
      break;

    case PROP_FRAME_RATE:
      g_value_set_double (value, self->frame_rate);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lacuna_view_state_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  LacunaViewState *self = LACUNA_VIEW_STATE (object);

  switch (prop_id)
    {
    case PROP_POSITION:
      lacuna_view_state_set_position (self, g_value_get_uint (value));
      break;

    case PROP_N_POSITIONS:
      lacuna_view_state_set_n_positions (self, g_value_get_uint (value));
      break;

    case PROP_ZOOM:
      lacuna_view_state_set_zoom (self, g_value_get_double (value));
      break;

    case PROP_FIT_MODE:
      lacuna_view_state_set_fit_mode (self, g_value_get_enum (value));
      break;

    case PROP_CENTER_X:
      lacuna_view_state_set_center (self, g_value_get_double (value), self->center_y);
      break;

    case PROP_CENTER_Y:
      lacuna_view_state_set_center (self, self->center_x, g_value_get_double (value));
      break;

    case PROP_WINDOW_CENTER:
      lacuna_view_state_set_custom_window (self, g_value_get_double (value), self->window_width);
      break;

    case PROP_WINDOW_WIDTH:
      lacuna_view_state_set_custom_window (self, self->window_center, g_value_get_double (value));
      break;

    case PROP_WINDOW_PRESET:
      lacuna_view_state_set_window_preset (self, g_value_get_string (value));
      break;

    case PROP_SHOW_ANNOTATIONS:
      lacuna_view_state_set_show_annotations (self, g_value_get_boolean (value));
      break;

    case PROP_PLAYING:
      lacuna_view_state_set_playing (self, g_value_get_boolean (value));
      break;

    case PROP_FRAME_RATE:
      lacuna_view_state_set_frame_rate (self, g_value_get_double (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lacuna_view_state_class_init (LacunaViewStateClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = lacuna_view_state_finalize;
  object_class->get_property = lacuna_view_state_get_property;
  object_class->set_property = lacuna_view_state_set_property;

  properties[PROP_POSITION] =
    g_param_spec_uint ("position", NULL, NULL, 0, G_MAXUINT, 0, rw);
  properties[PROP_N_POSITIONS] =
    g_param_spec_uint ("n-positions", NULL, NULL, 0, G_MAXUINT, 0, rw);
  properties[PROP_ZOOM] =
    g_param_spec_double ("zoom", NULL, NULL,
                         LACUNA_VIEW_STATE_MIN_ZOOM, LACUNA_VIEW_STATE_MAX_ZOOM, 1.0, rw);
  properties[PROP_FIT_MODE] =
    g_param_spec_enum ("fit-mode", NULL, NULL,
                       LACUNA_TYPE_FIT_MODE, LACUNA_FIT_MODE_BEST, rw);
  properties[PROP_CENTER_X] =
    g_param_spec_double ("center-x", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, rw);
  properties[PROP_CENTER_Y] =
    g_param_spec_double ("center-y", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, rw);
  /* Setting either from outside makes the window "custom". */
  properties[PROP_WINDOW_CENTER] =
    g_param_spec_double ("window-center", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, rw);
  properties[PROP_WINDOW_WIDTH] =
    g_param_spec_double ("window-width", NULL, NULL, 1.0, G_MAXDOUBLE, 1.0, rw);
  properties[PROP_WINDOW_PRESET] =
    g_param_spec_string ("window-preset", NULL, NULL, LACUNA_WINDOW_PRESET_DEFAULT, rw);
  properties[PROP_SHOW_ANNOTATIONS] =
    g_param_spec_boolean ("show-annotations", NULL, NULL, TRUE, rw);
  properties[PROP_PLAYING] =
    g_param_spec_boolean ("playing", NULL, NULL, FALSE, rw);
  properties[PROP_FRAME_RATE] =
    g_param_spec_double ("frame-rate", NULL, NULL, 0.1, 1000.0, DEFAULT_FRAME_RATE, rw);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lacuna_view_state_init (LacunaViewState *self)
{
  self->zoom = 1.0;
  self->fit_mode = LACUNA_FIT_MODE_BEST;
  self->window_width = 1.0;
  self->window_preset = g_strdup (LACUNA_WINDOW_PRESET_DEFAULT);
  self->show_annotations = TRUE;
  self->frame_rate = DEFAULT_FRAME_RATE;
}

LacunaViewState *
lacuna_view_state_new (void)
{
  return g_object_new (LACUNA_TYPE_VIEW_STATE, NULL);
}

void
lacuna_view_state_reset (LacunaViewState *self)
{
  g_return_if_fail (LACUNA_IS_VIEW_STATE (self));

  g_object_freeze_notify (G_OBJECT (self));
  lacuna_view_state_set_playing (self, FALSE);
  lacuna_view_state_set_position (self, 0);
  lacuna_view_state_set_fit_mode (self, LACUNA_FIT_MODE_BEST);
  lacuna_view_state_set_window_preset (self, LACUNA_WINDOW_PRESET_DEFAULT);
  lacuna_view_state_set_frame_rate (self, DEFAULT_FRAME_RATE);
  g_object_thaw_notify (G_OBJECT (self));
}

guint
lacuna_view_state_get_position (LacunaViewState *self)
{
  g_return_val_if_fail (LACUNA_IS_VIEW_STATE (self), 0);

  return self->position;
}

void
lacuna_view_state_set_position (LacunaViewState *self,
                                guint            position)
{
  g_return_if_fail (LACUNA_IS_VIEW_STATE (self));

  position = self->n_positions > 0 ? MIN (position, self->n_positions - 1) : 0;
  if (self->position == position)
    return;

  self->position = position;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION]);
}

guint
lacuna_view_state_get_n_positions (LacunaViewState *self)
{
  g_return_val_if_fail (LACUNA_IS_VIEW_STATE (self), 0);

  return self->n_positions;
}

void
lacuna_view_state_set_n_positions (LacunaViewState *self,
                                   guint            n_positions)
{
  g_return_if_fail (LACUNA_IS_VIEW_STATE (self));

  if (self->n_positions == n_positions)
    return;

  g_object_freeze_notify (G_OBJECT (self));
  self->n_positions = n_positions;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_POSITIONS]);
  lacuna_view_state_set_position (self, self->position);
  if (n_positions < 2)
    lacuna_view_state_set_playing (self, FALSE);
  g_object_thaw_notify (G_OBJECT (self));
}

double
lacuna_view_state_get_zoom (LacunaViewState *self)
{
  g_return_val_if_fail (LACUNA_IS_VIEW_STATE (self), 1.0);

  return self->zoom;
}

void
lacuna_view_state_set_zoom (LacunaViewState *self,
                            double           zoom)
{
  g_return_if_fail (LACUNA_IS_VIEW_STATE (self));
  g_return_if_fail (!isnan (zoom));

  zoom = CLAMP (zoom, LACUNA_VIEW_STATE_MIN_ZOOM, LACUNA_VIEW_STATE_MAX_ZOOM);
  if (self->zoom == zoom)
    return;

  self->zoom = zoom;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
}

LacunaFitMode
lacuna_view_state_get_fit_mode (LacunaViewState *self)
{
  g_return_val_if_fail (LACUNA_IS_VIEW_STATE (self), LACUNA_FIT_MODE_BEST);

  return self->fit_mode;
}

void
lacuna_view_state_set_fit_mode (LacunaViewState *self,
                                LacunaFitMode    fit_mode)
{
  g_return_if_fail (LACUNA_IS_VIEW_STATE (self));
  g_return_if_fail (fit_mode == LACUNA_FIT_MODE_NONE || fit_mode == LACUNA_FIT_MODE_BEST);

  if (self->fit_mode == fit_mode)
    return;

  self->fit_mode = fit_mode;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIT_MODE]);
}

void
lacuna_view_state_get_center (LacunaViewState *self,
                              double          *out_x,
                              double          *out_y)
{
  g_return_if_fail (LACUNA_IS_VIEW_STATE (self));

  if (out_x != NULL)
    *out_x = self->center_x;
  if (out_y != NULL)
    *out_y = self->center_y;
}

void
lacuna_view_state_set_center (LacunaViewState *self,
                              double           x,
                              double           y)
{
  g_return_if_fail (LACUNA_IS_VIEW_STATE (self));
  g_return_if_fail (isfinite (x) && isfinite (y));

  g_object_freeze_notify (G_OBJECT (self));
  if (self->center_x != x)
    {
      self->center_x = x;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CENTER_X]);
    }
  if (self->center_y != y)
    {
      self->center_y = y;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CENTER_Y]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

double
lacuna_view_state_get_window_center (LacunaViewState *self)
{
  g_return_val_if_fail (LACUNA_IS_VIEW_STATE (self), 0);

  return self->window_center;
}

double
lacuna_view_state_get_window_width (LacunaViewState *self)
{
  g_return_val_if_fail (LACUNA_IS_VIEW_STATE (self), 1);

  return self->window_width;
}

void
lacuna_view_state_set_window (LacunaViewState *self,
                              double           center,
                              double           width)
{
  g_return_if_fail (LACUNA_IS_VIEW_STATE (self));
  g_return_if_fail (isfinite (center) && isfinite (width));

  width = MAX (width, 1.0);
  g_object_freeze_notify (G_OBJECT (self));
  if (self->window_center != center)
    {
      self->window_center = center;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WINDOW_CENTER]);
    }
  if (self->window_width != width)
    {
      self->window_width = width;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WINDOW_WIDTH]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

void
lacuna_view_state_set_custom_window (LacunaViewState *self,
                                     double           center,
                                     double           width)
{
  g_return_if_fail (LACUNA_IS_VIEW_STATE (self));

  g_object_freeze_notify (G_OBJECT (self));
  lacuna_view_state_set_window (self, center, width);
  if (g_strcmp0 (self->window_preset, LACUNA_WINDOW_PRESET_CUSTOM) != 0)
    {
      g_free (self->window_preset);
      self->window_preset = g_strdup (LACUNA_WINDOW_PRESET_CUSTOM);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WINDOW_PRESET]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

const char *
lacuna_view_state_get_window_preset (LacunaViewState *self)
{
  g_return_val_if_fail (LACUNA_IS_VIEW_STATE (self), NULL);

  return self->window_preset;
}

void
lacuna_view_state_set_window_preset (LacunaViewState *self,
                                     const char      *preset)
{
  const LacunaWindowPreset *ct;

  g_return_if_fail (LACUNA_IS_VIEW_STATE (self));

  if (preset == NULL || *preset == '\0')
    preset = LACUNA_WINDOW_PRESET_DEFAULT;

  g_object_freeze_notify (G_OBJECT (self));
  ct = lacuna_window_preset_lookup (preset);
  if (ct != NULL)
    lacuna_view_state_set_window (self, ct->center, ct->width);
  if (g_strcmp0 (self->window_preset, preset) != 0)
    {
      g_free (self->window_preset);
      self->window_preset = g_strdup (preset);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WINDOW_PRESET]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

gboolean
lacuna_view_state_get_show_annotations (LacunaViewState *self)
{
  g_return_val_if_fail (LACUNA_IS_VIEW_STATE (self), FALSE);

  return self->show_annotations;
}

void
lacuna_view_state_set_show_annotations (LacunaViewState *self,
                                        gboolean         show)
{
  g_return_if_fail (LACUNA_IS_VIEW_STATE (self));

  if (self->show_annotations == !!show)
    return;

  self->show_annotations = !!show;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_ANNOTATIONS]);
}

gboolean
lacuna_view_state_get_playing (LacunaViewState *self)
{
  g_return_val_if_fail (LACUNA_IS_VIEW_STATE (self), FALSE);

  return self->playing;
}

void
lacuna_view_state_set_playing (LacunaViewState *self,
                               gboolean         playing)
{
  g_return_if_fail (LACUNA_IS_VIEW_STATE (self));

  if (playing && self->n_positions < 2)
    playing = FALSE;
  if (self->playing == !!playing)
    return;

  self->playing = !!playing;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAYING]);
}

double
lacuna_view_state_get_frame_rate (LacunaViewState *self)
{
  g_return_val_if_fail (LACUNA_IS_VIEW_STATE (self), DEFAULT_FRAME_RATE);

  return self->frame_rate;
}

void
lacuna_view_state_set_frame_rate (LacunaViewState *self,
                                  double           frame_rate)
{
  g_return_if_fail (LACUNA_IS_VIEW_STATE (self));

  if (!isfinite (frame_rate) || frame_rate <= 0)
    frame_rate = DEFAULT_FRAME_RATE;
  frame_rate = CLAMP (frame_rate, 0.1, 1000.0);
  if (self->frame_rate == frame_rate)
    return;

  self->frame_rate = frame_rate;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRAME_RATE]);
}
