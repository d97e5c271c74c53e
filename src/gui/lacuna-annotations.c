/* lacuna-annotations.c
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "lacuna-annotations"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "lacuna-annotations.h"

#define N_CORNERS 3
#define MARGIN 12

struct _LacunaAnnotations
{
  GtkWidget        parent_instance;

  LacunaImageView *view;
  GBindingGroup   *bindings;
  GSignalGroup    *view_signals;
  GSignalGroup    *state_signals;
  char            *text[N_CORNERS];
  /* Kept from frame to frame: a slice step changes one corner's text, and only that layout
   * is shaped again. */
  PangoLayout     *layouts[N_CORNERS];
  guint            context_serial;
  guint            text_dirty : 1;
};

G_DEFINE_FINAL_TYPE (LacunaAnnotations, lacuna_annotations, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_VIEW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* "Family^Given^Middle^Prefix^Suffix" (first component group only) → "Family, Given Middle" */
static char *
format_person_name (const char *pn)
{
  g_auto(GStrv) groups = NULL;
  g_auto(GStrv) parts = NULL;
  GString *out;

  if (pn == NULL || *pn == '\0')
    return NULL;

  groups = g_strsplit (pn, "=", 2);
  parts = g_strsplit (groups[0], "^", 5);
  out = g_string_new (parts[0]);
  for (guint i = 1; parts[i] != NULL && i < 3; i++)
    {
      if (*parts[i] == '\0')
        continue;
      g_string_append (out, i == 1 ? ", " : " ");
      g_string_append (out, parts[i]);
    }
  return g_strstrip (g_string_free (out, FALSE));
}

/* "YYYYMMDD" → "YYYY-MM-DD" (ISO 8601, the same in every language); anything else as is. */
static char *
format_date (const char *da)
{
  if (da == NULL || *da == '\0')
    return NULL;
  if (strlen (da) == 8 && strspn (da, "0123456789") == 8)
    return g_strdup_printf ("%.4s-%.2s-%.2s", da, da + 4, da + 6);
  return g_strdup (da);
}

/* "HHMMSS.frac" → "HH:MM" */
static char *
format_time (const char *tm)
{
  if (tm == NULL || strlen (tm) < 4 || strspn (tm, "0123456789") < 4)
    return NULL;
  return g_strdup_printf ("%.2s:%.2s", tm, tm + 2);
}

static void
append_line (GString    *text,
             const char *line)
{
  if (line == NULL || *line == '\0')
    return;
  if (text->len > 0)
    g_string_append_c (text, '\n');
  g_string_append (text, line);
}

static void
join_into (GString    *text,
           const char *separator,
           ...)
{
  g_autoptr(GString) line = g_string_new (NULL);
  const char *part;
  va_list ap;

  va_start (ap, separator);
  while ((part = va_arg (ap, const char *)) != (const char *) -1)
    {
      if (part == NULL || *part == '\0')
        continue;
      if (line->len > 0)
        g_string_append (line, separator);
      g_string_append (line, part);
    }
  va_end (ap);
  append_line (text, line->str);
}

/* A DS value as a number with one decimal, in the user's locale; NULL when not a number. */
static char *
format_number (const char *ds)
{
  double value;
  char *end = NULL;

  if (ds == NULL)
    return NULL;
  value = g_ascii_strtod (ds, &end);
  if (end == ds || !isfinite (value))
    return NULL;
  return g_strdup_printf ("%.1f", value);
}

static void
compute_text (LacunaAnnotations *self)
{
  LacunaImageView *view = self->view;
  LacunaViewState *state;
  LacunaInstance *instance;
  g_autoptr(GString) tl = g_string_new (NULL);
  g_autoptr(GString) tr = g_string_new (NULL);
  g_autoptr(GString) bl = g_string_new (NULL);
  g_autofree char *name = NULL;
  g_autofree char *id = NULL;
  g_autofree char *birth = NULL;
  g_autofree char *study_date = NULL;
  g_autofree char *study_time = NULL;
  g_autofree char *series = NULL;
  g_autofree char *image = NULL;
  g_autofree char *location = NULL;
  g_autofree char *thickness = NULL;
  g_autofree char *window = NULL;
  g_autofree char *zoom = NULL;
  g_autofree char *accessible = NULL;
  g_autofree char *number_text = NULL;
  int number;

  for (guint i = 0; i < N_CORNERS; i++)
    g_clear_pointer (&self->text[i], g_free);

  instance = view ? lacuna_image_view_get_instance (view, NULL) : NULL;
  if (instance == NULL)
    return;
  state = lacuna_image_view_get_state (view);

  /* Patient. */
  name = format_person_name (lacuna_instance_get_patient_name (instance));
  append_line (tl, name);
  if (*lacuna_instance_get_patient_id (instance) != '\0')
    /* Translators: the patient's identifier in the image's corner */
    id = g_strdup_printf (_("ID: %s"), lacuna_instance_get_patient_id (instance));
  append_line (tl, id);
  birth = format_date (lacuna_image_view_get_attribute (view, "PatientBirthDate"));
  join_into (tl, " · ", birth,
             lacuna_image_view_get_attribute (view, "PatientSex"),
             lacuna_image_view_get_attribute (view, "PatientAge"),
             (const char *) -1);

  /* Study. */
  append_line (tr, lacuna_image_view_get_attribute (view, "InstitutionName"));
  append_line (tr, lacuna_instance_get_study_description (instance));
  study_date = format_date (lacuna_instance_get_study_date (instance));
  study_time = format_time (lacuna_image_view_get_attribute (view, "StudyTime"));
  join_into (tr, " ", study_date, study_time, (const char *) -1);

  /* Series and image. */
  number = lacuna_instance_get_series_number (instance);
  if (number != G_MININT)
    /* Translators: "Series 3" in the image's corner */
    series = g_strdup_printf (_("Series %d"), number);
  join_into (bl, " · ", lacuna_instance_get_modality (instance), series,
             lacuna_instance_get_series_description (instance), (const char *) -1);
  /* Translators: the position in the stack, "Image 12 / 64" */
  image = g_strdup_printf (_("Image %u / %u"), lacuna_image_view_get_position (view) + 1,
                           lacuna_image_view_get_n_positions (view));
  append_line (bl, image);
  number_text = format_number (lacuna_image_view_get_attribute (view, "SliceLocation"));
  if (number_text != NULL)
    /* Translators: Slice Location in millimetres, "Location -12.5 mm" */
    location = g_strdup_printf (_("Location %s mm"), number_text);
  g_clear_pointer (&number_text, g_free);
  number_text = format_number (lacuna_image_view_get_attribute (view, "SliceThickness"));
  if (number_text != NULL)
    /* Translators: Slice Thickness in millimetres, "Thickness 1.0 mm" */
    thickness = g_strdup_printf (_("Thickness %s mm"), number_text);
  join_into (bl, " · ", location, thickness, (const char *) -1);
  if (lacuna_image_view_get_frame (view) != NULL && !lacuna_frame_is_color (lacuna_image_view_get_frame (view)))
    /* Translators: window width and level (centre), "W 400 L 40" */
    window = g_strdup_printf (_("W %.0f L %.0f"), lacuna_view_state_get_window_width (state),
                              lacuna_view_state_get_window_center (state));
  /* Translators: the zoom, "Zoom 150 %" (one image pixel per screen pixel is 100 %) */
  zoom = g_strdup_printf (_("Zoom %.0f %%"), lacuna_view_state_get_zoom (state) * 100);
  join_into (bl, " · ", window, zoom, (const char *) -1);

  self->text[0] = g_string_free (g_steal_pointer (&tl), FALSE);
  self->text[1] = g_string_free (g_steal_pointer (&tr), FALSE);
  self->text[2] = g_string_free (g_steal_pointer (&bl), FALSE);

  accessible = g_strjoin ("\n", self->text[0], self->text[1], self->text[2], NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, accessible,
                                  -1);
}

/* The text is put together when it is drawn or asked for, once per frame, not for each of
 * the notifications a slice step sends (position, frame, window). */
static void
ensure_text (LacunaAnnotations *self)
{
  if (!self->text_dirty)
    return;
  self->text_dirty = FALSE;
  compute_text (self);
}

static void
update_text (LacunaAnnotations *self)
{
  self->text_dirty = TRUE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
clear_layouts (LacunaAnnotations *self)
{
  for (guint i = 0; i < N_CORNERS; i++)
    g_clear_object (&self->layouts[i]);
}

static PangoLayout *
ensure_layout (LacunaAnnotations *self,
               guint              corner,
               int                corner_width)
{
  PangoLayout *layout = self->layouts[corner];

  if (layout == NULL)
    {
      PangoAttrList *attrs = pango_attr_list_new ();

      layout = self->layouts[corner] = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
      pango_attr_list_insert (attrs, pango_attr_scale_new (0.9));
      pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum"));
      pango_layout_set_attributes (layout, attrs);
      pango_attr_list_unref (attrs);
      pango_layout_set_height (layout, -1);   /* one line per paragraph */
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
      pango_layout_set_alignment (layout, corner == 1 ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
    }
  /* Each setter below does nothing when the value is the same. */
  pango_layout_set_width (layout, corner_width * PANGO_SCALE);
  if (g_strcmp0 (pango_layout_get_text (layout), self->text[corner]) != 0)
    pango_layout_set_text (layout, self->text[corner], -1);
  return layout;
}

static void
lacuna_annotations_snapshot (GtkWidget   *widget,
                             GtkSnapshot *snapshot)
{
  LacunaAnnotations *self = LACUNA_ANNOTATIONS (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  /* Readable on any image: light text with a dark edge. The image area is always black, in
   * light and dark mode alike. */
  GdkRGBA text = { 0.95, 0.95, 0.95, 1 };
  GdkRGBA shadow = { 0, 0, 0, 0.9 };
  int corner_width = MAX (1, width / 2 - MARGIN - 6);
  PangoContext *context = gtk_widget_get_pango_context (widget);

  ensure_text (self);
  /* The font, its options or the resolution changed: the kept layouts follow. */
  if (pango_context_get_serial (context) != self->context_serial)
    {
      self->context_serial = pango_context_get_serial (context);
      for (guint i = 0; i < N_CORNERS; i++)
        if (self->layouts[i] != NULL)
          pango_layout_context_changed (self->layouts[i]);
    }

  for (guint i = 0; i < N_CORNERS; i++)
    {
      PangoLayout *layout;
      int lw, lh;
      double x, y;

      if (self->text[i] == NULL || *self->text[i] == '\0')
        continue;

      layout = ensure_layout (self, i, corner_width);
      pango_layout_get_pixel_size (layout, &lw, &lh);

      x = i == 1 ? width - MARGIN - corner_width : MARGIN;
      y = i == 2 ? height - MARGIN - lh : MARGIN;

      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x + 1, y + 1));
      gtk_snapshot_append_layout (snapshot, layout, &shadow);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (-1, -1));
      gtk_snapshot_append_layout (snapshot, layout, &text);
      gtk_snapshot_restore (snapshot);
    }
}

static void
lacuna_annotations_dispose (GObject *object)
{
  LacunaAnnotations *self = (LacunaAnnotations *) object;

  if (self->bindings != NULL)
    g_binding_group_set_source (self->bindings, NULL);
  g_clear_object (&self->bindings);
  g_clear_object (&self->view_signals);
  g_clear_object (&self->state_signals);
  g_clear_object (&self->view);
  clear_layouts (self);

  G_OBJECT_CLASS (lacuna_annotations_parent_class)->dispose (object);
}

static void
lacuna_annotations_finalize (GObject *object)
{
  LacunaAnnotations *self = (LacunaAnnotations *) object;

  for (guint i = 0; i < N_CORNERS; i++)
    g_clear_pointer (&self->text[i], g_free);

  G_OBJECT_CLASS (lacuna_annotations_parent_class)->finalize (object);
}

static void
lacuna_annotations_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  LacunaAnnotations *self = LACUNA_ANNOTATIONS (object);

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
lacuna_annotations_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  LacunaAnnotations *self = LACUNA_ANNOTATIONS (object);

  switch (prop_id)
    {
    case PROP_VIEW:
      lacuna_annotations_set_view (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lacuna_annotations_class_init (LacunaAnnotationsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lacuna_annotations_dispose;
  object_class->finalize = lacuna_annotations_finalize;
  object_class->get_property = lacuna_annotations_get_property;
  object_class->set_property = lacuna_annotations_set_property;

  widget_class->snapshot = lacuna_annotations_snapshot;

  properties[PROP_VIEW] =
    g_param_spec_object ("view", NULL, NULL,
                         LACUNA_TYPE_IMAGE_VIEW,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "lacuna-annotations");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
lacuna_annotations_init (LacunaAnnotations *self)
{
  gtk_widget_set_can_target (GTK_WIDGET (self), FALSE);
  gtk_widget_set_can_focus (GTK_WIDGET (self), FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Image annotations"),
                                  -1);

  self->view_signals = g_signal_group_new (LACUNA_TYPE_IMAGE_VIEW);
  g_signal_group_connect_swapped (self->view_signals, "notify::frame",
                                  G_CALLBACK (update_text), self);
  g_signal_group_connect_swapped (self->view_signals, "notify::position",
                                  G_CALLBACK (update_text), self);

  self->state_signals = g_signal_group_new (LACUNA_TYPE_VIEW_STATE);
  g_signal_group_connect_swapped (self->state_signals, "notify::window-center",
                                  G_CALLBACK (update_text), self);
  g_signal_group_connect_swapped (self->state_signals, "notify::window-width",
                                  G_CALLBACK (update_text), self);
  g_signal_group_connect_swapped (self->state_signals, "notify::zoom",
                                  G_CALLBACK (update_text), self);

  self->bindings = g_binding_group_new ();
  g_binding_group_bind (self->bindings, "show-annotations", self, "visible",
                        G_BINDING_SYNC_CREATE);
}

GtkWidget *
lacuna_annotations_new (LacunaImageView *view)
{
  return g_object_new (LACUNA_TYPE_ANNOTATIONS, "view", view, NULL);
}

LacunaImageView *
lacuna_annotations_get_view (LacunaAnnotations *self)
{
  g_return_val_if_fail (LACUNA_IS_ANNOTATIONS (self), NULL);

  return self->view;
}

void
lacuna_annotations_set_view (LacunaAnnotations *self,
                             LacunaImageView   *view)
{
  LacunaViewState *state;

  g_return_if_fail (LACUNA_IS_ANNOTATIONS (self));
  g_return_if_fail (view == NULL || LACUNA_IS_IMAGE_VIEW (view));

  if (!g_set_object (&self->view, view))
    return;

  state = view ? lacuna_image_view_get_state (view) : NULL;
  g_signal_group_set_target (self->view_signals, view);
  g_signal_group_set_target (self->state_signals, state);
  g_binding_group_set_source (self->bindings, state);
  update_text (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEW]);
}

const char *
lacuna_annotations_get_text (LacunaAnnotations *self,
                             guint              corner)
{
  g_return_val_if_fail (LACUNA_IS_ANNOTATIONS (self), NULL);
  g_return_val_if_fail (corner < N_CORNERS, NULL);

  ensure_text (self);
  return self->text[corner];
}
