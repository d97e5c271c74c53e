/* lacuna-bodycomp-overlay.c
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "lacuna-bodycomp-overlay"

#include "config.h"

#include <glib/gi18n.h>

#include "lacuna-bodycomp-overlay.h"

#define FILL_ALPHA    0.45
#define OUTLINE_WIDTH 2.0

/* The colour of each label (LacunaBodyCompLabel order); BODY and OUTSIDE are not filled. */
static const struct
{
  LacunaBodyCompLabel  label;
  double               rgb[3];
  const char          *name;
} regions[] = {
  { LACUNA_BODYCOMP_LABEL_SUBCUTANEOUS_FAT, { 1.00, 0.85, 0.10 }, N_("Subcutaneous fat") },
  { LACUNA_BODYCOMP_LABEL_INNER_FAT, { 1.00, 0.45, 0.00 },
    N_("Inner fat (visceral and intermuscular)") },
  { LACUNA_BODYCOMP_LABEL_MUSCLE_RING, { 0.90, 0.10, 0.15 },
    N_("Muscle-density tissue in the wall ring") },
  { LACUNA_BODYCOMP_LABEL_MUSCLE_OTHER, { 0.65, 0.30, 0.95 },
    N_("Other muscle-density tissue (organs included)") },
};

static const double outline_rgb[3] = { 0.10, 0.80, 1.00 };

/* One straight piece of the outline, image coordinates. */
typedef struct
{
  double x0, y0, x1, y1;
} Edge;

struct _LacunaBodycompOverlay
{
  GtkWidget        parent_instance;

  LacunaImageView *view;
  GSignalGroup    *view_signals;
  GSignalGroup    *state_signals;

  LacunaInstance  *instance;
  LacunaBodyComp  *result;
  cairo_surface_t *fill;       /* ARGB32, the result's size: the translucent regions */
  GArray          *edges;      /* Edge: the outline */

  GtkWidget       *legend;       /* the box with the osd background */
  GtkWidget       *legend_box;   /* its rows */
  GtkLabel        *legend_title;
  GtkLabel        *note;
  char            *note_text;

  guint            request;    /* bumped by each set_instance: older measurements are dropped */
};

G_DEFINE_FINAL_TYPE (LacunaBodycompOverlay, lacuna_bodycomp_overlay, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_VIEW,
  PROP_INSTANCE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ------------------------------------------------------------------------------------- */
/* The mask as pictures                                                                  */

static cairo_surface_t *
make_fill (const LacunaBodyComp *bc)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) bc->width,
                                                         (int) bc->height);
  guint32 colours[LACUNA_BODYCOMP_LABEL_MUSCLE_OTHER + 1] = { 0, };
  guint8 *data;
  int stride;

  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    return surface;
  /* Premultiplied ARGB. */
  for (guint i = 0; i < G_N_ELEMENTS (regions); i++)
    {
      guint32 a = (guint32) (FILL_ALPHA * 255.0 + 0.5);
      guint32 r = (guint32) (regions[i].rgb[0] * FILL_ALPHA * 255.0 + 0.5);
      guint32 g = (guint32) (regions[i].rgb[1] * FILL_ALPHA * 255.0 + 0.5);
      guint32 b = (guint32) (regions[i].rgb[2] * FILL_ALPHA * 255.0 + 0.5);

      colours[regions[i].label] = (a << 24) | (r << 16) | (g << 8) | b;
    }

  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (guint y = 0; y < bc->height; y++)
    {
      guint32 *row = (guint32 *) (data + (gsize) y * stride);

      for (guint x = 0; x < bc->width; x++)
        {
          guint8 label = bc->labels[(gsize) y * bc->width + x];

          row[x] = label < G_N_ELEMENTS (colours) ? colours[label] : 0;
        }
    }
  cairo_surface_mark_dirty (surface);
  return surface;
}

static gboolean
in_body (const LacunaBodyComp *bc,
         int                   x,
         int                   y)
{
  if (x < 0 || y < 0 || (guint) x >= bc->width || (guint) y >= bc->height)
    return FALSE;
  return bc->labels[(gsize) y * bc->width + x] != LACUNA_BODYCOMP_LABEL_OUTSIDE;
}

static void
add_edge (GArray *edges,
          double  x0,
          double  y0,
          double  x1,
          double  y1)
{
  Edge e = { x0, y0, x1, y1 };

  g_array_append_val (edges, e);
}

/* The pixel edges between the body and the outside, runs merged. */
static GArray *
make_edges (const LacunaBodyComp *bc)
{
  GArray *edges = g_array_new (FALSE, FALSE, sizeof (Edge));

  /* Horizontal edges: above (dy -1) and below (dy +1) each body pixel. */
  for (int dy = -1; dy <= 1; dy += 2)
    for (int y = 0; y < (int) bc->height; y++)
      {
        int start = -1;

        for (int x = 0; x <= (int) bc->width; x++)
          {
            gboolean edge = x < (int) bc->width && in_body (bc, x, y) && !in_body (bc, x, y + dy);
            double ey = dy < 0 ? y : y + 1;

            if (edge && start < 0)
              start = x;
            else if (!edge && start >= 0)
              {
                add_edge (edges, start, ey, x, ey);
                start = -1;
              }
          }
      }
  /* Vertical edges: left and right. */
  for (int dx = -1; dx <= 1; dx += 2)
    for (int x = 0; x < (int) bc->width; x++)
      {
        int start = -1;

        for (int y = 0; y <= (int) bc->height; y++)
          {
            gboolean edge = y < (int) bc->height && in_body (bc, x, y) && !in_body (bc, x + dx, y);
            double ex = dx < 0 ? x : x + 1;

            if (edge && start < 0)
              start = y;
            else if (!edge && start >= 0)
              {
                add_edge (edges, ex, start, ex, y);
                start = -1;
              }
          }
      }
  return edges;
}

/* ------------------------------------------------------------------------------------- */
/* State                                                                                 */

gboolean
lacuna_bodycomp_overlay_get_drawn (LacunaBodycompOverlay *self)
{
  LacunaInstance *shown;
  guint frame = 0, w = 0, h = 0;

  g_return_val_if_fail (LACUNA_IS_BODYCOMP_OVERLAY (self), FALSE);

  if (self->view == NULL || self->result == NULL)
    return FALSE;
  shown = lacuna_image_view_get_instance (self->view, &frame);
  return shown == self->instance && frame == 0
         && lacuna_image_view_get_image_size (self->view, &w, &h)
         && w == self->result->width && h == self->result->height;
}

static void
update_note (LacunaBodycompOverlay *self)
{
  int number;

  g_clear_pointer (&self->note_text, g_free);
  if (self->instance == NULL || lacuna_bodycomp_overlay_get_drawn (self))
    self->note_text = g_strdup ("");
  else if ((number = lacuna_instance_get_instance_number (self->instance)) != G_MININT)
    /* Translators: the overlay is drawn on one CT slice only */
    self->note_text = g_strdup_printf (_("Shown on the slice with Instance Number %d only"),
                                       number);
  else
    self->note_text = g_strdup (_("Shown on the measured slice only"));
  gtk_label_set_text (self->note, self->note_text);
  gtk_widget_set_visible (GTK_WIDGET (self->note), *self->note_text != '\0');
  gtk_widget_set_visible (self->legend, self->instance != NULL);
}

static void
shown_changed_cb (LacunaBodycompOverlay *self)
{
  /* Nothing shown and nothing to take down: no work on the slice-step path. */
  if (self->instance == NULL && !gtk_widget_get_visible (self->legend))
    return;
  update_note (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

const char *
lacuna_bodycomp_overlay_get_note (LacunaBodycompOverlay *self)
{
  g_return_val_if_fail (LACUNA_IS_BODYCOMP_OVERLAY (self), "");
  return self->note_text != NULL ? self->note_text : "";
}

static void
clear_result (LacunaBodycompOverlay *self)
{
  g_clear_pointer (&self->result, lacuna_bodycomp_free);
  g_clear_pointer (&self->fill, cairo_surface_destroy);
  g_clear_pointer (&self->edges, g_array_unref);
  g_clear_object (&self->instance);
}

/* A measurement and its pictures, made in a worker or at once. */
typedef struct
{
  LacunaInstance  *instance;
  LacunaBodyComp  *result;
  cairo_surface_t *fill;
  GArray          *edges;
  guint            request;
} Measured;

static void
measured_free (gpointer data)
{
  Measured *m = data;

  g_clear_object (&m->instance);
  g_clear_pointer (&m->result, lacuna_bodycomp_free);
  g_clear_pointer (&m->fill, cairo_surface_destroy);
  g_clear_pointer (&m->edges, g_array_unref);
  g_free (m);
}

/* Measures m->instance and draws its pictures (any thread: reads only m). */
static gboolean
measure (Measured  *m,
         GError   **error)
{
  m->result = lacuna_bodycomp_measure_instance (m->instance, error);
  if (m->result == NULL)
    return FALSE;
  if (m->result->labels == NULL)
    {
      g_clear_pointer (&m->result, lacuna_bodycomp_free);
      return TRUE;
    }
  m->fill = make_fill (m->result);
  m->edges = make_edges (m->result);
  return TRUE;
}

/* Shows m (its contents taken; NULL: nothing), and notifies. */
static void
install (LacunaBodycompOverlay *self,
         Measured              *m)
{
  LacunaInstance *old = self->instance;
  gboolean changed;

  g_clear_pointer (&self->result, lacuna_bodycomp_free);
  g_clear_pointer (&self->fill, cairo_surface_destroy);
  g_clear_pointer (&self->edges, g_array_unref);
  self->instance = NULL;
  if (m != NULL && m->result != NULL)
    {
      self->instance = g_steal_pointer (&m->instance);
      self->result = g_steal_pointer (&m->result);
      self->fill = g_steal_pointer (&m->fill);
      self->edges = g_steal_pointer (&m->edges);
    }
  changed = old != self->instance;
  g_clear_object (&old);
  shown_changed_cb (self);
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INSTANCE]);
}

gboolean
lacuna_bodycomp_overlay_set_instance (LacunaBodycompOverlay  *self,
                                      LacunaInstance         *instance,
                                      GError                **error)
{
  g_autoptr(GError) local_error = NULL;
  Measured m = { 0, };
  gboolean ok = TRUE;

  g_return_val_if_fail (LACUNA_IS_BODYCOMP_OVERLAY (self), FALSE);
  g_return_val_if_fail (instance == NULL || LACUNA_IS_INSTANCE (instance), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  self->request++;   /* a measurement running for an earlier call is dropped */
  if (instance == self->instance)
    return TRUE;
  if (instance != NULL)
    {
      m.instance = g_object_ref (instance);
      ok = measure (&m, &local_error);
    }
  install (self, &m);
  g_clear_object (&m.instance);
  g_clear_pointer (&m.result, lacuna_bodycomp_free);
  g_clear_pointer (&m.fill, cairo_surface_destroy);
  g_clear_pointer (&m.edges, g_array_unref);
  if (!ok)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return instance == NULL || self->instance != NULL;
}

static void
measure_thread (GTask        *task,
                gpointer      source,
                gpointer      data,
                GCancellable *cancellable)
{
  Measured *m = data;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (!measure (m, &error))
    g_task_return_error (task, error);
  else if (!g_task_return_error_if_cancelled (task))
    g_task_return_boolean (task, TRUE);
}

static void
measured_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  LacunaBodycompOverlay *self = LACUNA_BODYCOMP_OVERLAY (source);
  g_autoptr(GTask) outer = user_data;
  Measured *m = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;

  if (self->legend == NULL || m->request != self->request)
    {
      /* Disposed, or another call came since: its result is not this one. */
      g_task_return_new_error (outer, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("Another slice was asked for"));
      return;
    }
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      /* As set_instance() does: nothing is drawn (a cancelled call changes nothing). */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        install (self, NULL);
      g_task_return_error (outer, error);
      return;
    }
  if (m->result == NULL)
    {
      install (self, NULL);
      g_task_return_new_error (outer, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("Nothing could be measured on this slice"));
      return;
    }
  install (self, m);
  g_task_return_boolean (outer, TRUE);
}

void
lacuna_bodycomp_overlay_set_instance_async (LacunaBodycompOverlay *self,
                                            LacunaInstance        *instance,
                                            GCancellable          *cancellable,
                                            GAsyncReadyCallback    callback,
                                            gpointer               user_data)
{
  g_autoptr(GTask) outer = NULL;
  g_autoptr(GTask) inner = NULL;
  Measured *m;

  g_return_if_fail (LACUNA_IS_BODYCOMP_OVERLAY (self));
  g_return_if_fail (LACUNA_IS_INSTANCE (instance));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, lacuna_bodycomp_overlay_set_instance_async);
  self->request++;
  if (instance == self->instance)
    {
      g_task_return_boolean (outer, TRUE);
      return;
    }

  m = g_new0 (Measured, 1);
  m->instance = g_object_ref (instance);
  m->request = self->request;
  inner = g_task_new (self, cancellable, measured_cb, g_steal_pointer (&outer));
  g_task_set_source_tag (inner, measure_thread);
  g_task_set_task_data (inner, m, measured_free);
  g_task_run_in_thread (inner, measure_thread);
}

gboolean
lacuna_bodycomp_overlay_set_instance_finish (LacunaBodycompOverlay  *self,
                                             GAsyncResult           *result,
                                             GError                **error)
{
  g_return_val_if_fail (LACUNA_IS_BODYCOMP_OVERLAY (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

LacunaInstance *
lacuna_bodycomp_overlay_get_instance (LacunaBodycompOverlay *self)
{
  g_return_val_if_fail (LACUNA_IS_BODYCOMP_OVERLAY (self), NULL);
  return self->instance;
}

const LacunaBodyComp *
lacuna_bodycomp_overlay_get_result (LacunaBodycompOverlay *self)
{
  g_return_val_if_fail (LACUNA_IS_BODYCOMP_OVERLAY (self), NULL);
  return self->result;
}

void
lacuna_bodycomp_overlay_set_view (LacunaBodycompOverlay *self,
                                  LacunaImageView       *view)
{
  g_return_if_fail (LACUNA_IS_BODYCOMP_OVERLAY (self));
  g_return_if_fail (view == NULL || LACUNA_IS_IMAGE_VIEW (view));

  if (!g_set_object (&self->view, view))
    return;
  g_signal_group_set_target (self->view_signals, view);
  g_signal_group_set_target (self->state_signals,
                             view != NULL ? lacuna_image_view_get_state (view) : NULL);
  shown_changed_cb (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEW]);
}

LacunaImageView *
lacuna_bodycomp_overlay_get_view (LacunaBodycompOverlay *self)
{
  g_return_val_if_fail (LACUNA_IS_BODYCOMP_OVERLAY (self), NULL);
  return self->view;
}

void
lacuna_bodycomp_overlay_attach (LacunaBodycompOverlay *self,
                                LacunaImageView       *view)
{
  GtkWidget *parent;

  g_return_if_fail (LACUNA_IS_BODYCOMP_OVERLAY (self));
  g_return_if_fail (LACUNA_IS_IMAGE_VIEW (view));

  lacuna_bodycomp_overlay_set_view (self, view);
  parent = gtk_widget_get_parent (GTK_WIDGET (view));
  if (!GTK_IS_OVERLAY (parent) || gtk_widget_get_parent (GTK_WIDGET (self)) != NULL)
    return;
  gtk_overlay_add_overlay (GTK_OVERLAY (parent), GTK_WIDGET (self));
  /* Drawn in child order: right after the image, under the boxes and the controls. */
  gtk_widget_insert_after (GTK_WIDGET (self), parent, GTK_WIDGET (view));
}

/* ------------------------------------------------------------------------------------- */
/* Drawing                                                                               */

static void
lacuna_bodycomp_overlay_snapshot (GtkWidget   *widget,
                                  GtkSnapshot *snapshot)
{
  LacunaBodycompOverlay *self = LACUNA_BODYCOMP_OVERLAY (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  double x0, y0, x1, y1;
  cairo_t *cr;

  if (lacuna_bodycomp_overlay_get_drawn (self) && width > 0 && height > 0)
    {
      lacuna_image_view_image_to_widget (self->view, 0, 0, &x0, &y0);
      lacuna_image_view_image_to_widget (self->view, self->result->width, self->result->height,
                                         &x1, &y1);
      cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
      cairo_save (cr);
      cairo_translate (cr, x0, y0);
      cairo_scale (cr, (x1 - x0) / self->result->width, (y1 - y0) / self->result->height);

      /* The regions, as square blocks like the image's pixels. */
      cairo_set_source_surface (cr, self->fill, 0, 0);
      cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
      cairo_paint (cr);

      /* The outline: the path is built in image coordinates, stroked in widget pixels. */
      cairo_new_path (cr);
      for (guint i = 0; i < self->edges->len; i++)
        {
          const Edge *e = &g_array_index (self->edges, Edge, i);

          cairo_move_to (cr, e->x0, e->y0);
          cairo_line_to (cr, e->x1, e->y1);
        }
      cairo_restore (cr);
      cairo_set_line_width (cr, OUTLINE_WIDTH);
      cairo_set_line_cap (cr, CAIRO_LINE_CAP_SQUARE);
      cairo_set_source_rgb (cr, outline_rgb[0], outline_rgb[1], outline_rgb[2]);
      cairo_stroke (cr);
      cairo_destroy (cr);
    }

  GTK_WIDGET_CLASS (lacuna_bodycomp_overlay_parent_class)->snapshot (widget, snapshot);
}

/* A legend swatch: the region's colour over grey, or the outline's line. */
static void
draw_swatch (GtkDrawingArea *area,
             cairo_t        *cr,
             int             width,
             int             height,
             gpointer        user_data)
{
  int index = GPOINTER_TO_INT (user_data);

  if (index < 0)
    {
      cairo_set_source_rgb (cr, outline_rgb[0], outline_rgb[1], outline_rgb[2]);
      cairo_set_line_width (cr, OUTLINE_WIDTH);
      cairo_rectangle (cr, 2, 2, width - 4, height - 4);
      cairo_stroke (cr);
      return;
    }
  cairo_set_source_rgb (cr, 0.45, 0.45, 0.45);
  cairo_paint (cr);
  cairo_set_source_rgba (cr, regions[index].rgb[0], regions[index].rgb[1],
                         regions[index].rgb[2], FILL_ALPHA);
  cairo_paint (cr);
}

static void
add_legend_row (LacunaBodycompOverlay *self,
                int                    index,
                const char            *text)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *swatch = gtk_drawing_area_new ();
  GtkWidget *label = gtk_label_new (text);

  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (swatch), 14);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (swatch), 14);
  gtk_widget_set_valign (swatch, GTK_ALIGN_CENTER);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (swatch), draw_swatch,
                                  GINT_TO_POINTER (index), NULL);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_box_append (GTK_BOX (row), swatch);
  gtk_box_append (GTK_BOX (row), label);
  gtk_box_append (GTK_BOX (self->legend_box), row);
}

/* ------------------------------------------------------------------------------------- */

static void
lacuna_bodycomp_overlay_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  LacunaBodycompOverlay *self = LACUNA_BODYCOMP_OVERLAY (object);

  switch (prop_id)
    {
    case PROP_VIEW:
      g_value_set_object (value, self->view);
      break;
    case PROP_INSTANCE:
      g_value_set_object (value, self->instance);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lacuna_bodycomp_overlay_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  LacunaBodycompOverlay *self = LACUNA_BODYCOMP_OVERLAY (object);

  switch (prop_id)
    {
    case PROP_VIEW:
      lacuna_bodycomp_overlay_set_view (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lacuna_bodycomp_overlay_dispose (GObject *object)
{
  LacunaBodycompOverlay *self = LACUNA_BODYCOMP_OVERLAY (object);

  if (self->view_signals != NULL)
    g_signal_group_set_target (self->view_signals, NULL);
  if (self->state_signals != NULL)
    g_signal_group_set_target (self->state_signals, NULL);
  g_clear_object (&self->view_signals);
  g_clear_object (&self->state_signals);
  g_clear_object (&self->view);
  clear_result (self);
  g_clear_pointer (&self->legend, gtk_widget_unparent);

  G_OBJECT_CLASS (lacuna_bodycomp_overlay_parent_class)->dispose (object);
}

static void
lacuna_bodycomp_overlay_finalize (GObject *object)
{
  LacunaBodycompOverlay *self = LACUNA_BODYCOMP_OVERLAY (object);

  g_free (self->note_text);

  G_OBJECT_CLASS (lacuna_bodycomp_overlay_parent_class)->finalize (object);
}

static void
lacuna_bodycomp_overlay_class_init (LacunaBodycompOverlayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = lacuna_bodycomp_overlay_get_property;
  object_class->set_property = lacuna_bodycomp_overlay_set_property;
  object_class->dispose = lacuna_bodycomp_overlay_dispose;
  object_class->finalize = lacuna_bodycomp_overlay_finalize;
  widget_class->snapshot = lacuna_bodycomp_overlay_snapshot;

  properties[PROP_VIEW] =
    g_param_spec_object ("view", NULL, NULL, LACUNA_TYPE_IMAGE_VIEW,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_INSTANCE] =
    g_param_spec_object ("instance", NULL, NULL, LACUNA_TYPE_INSTANCE,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "bodycomp-overlay");
}

static void
lacuna_bodycomp_overlay_init (LacunaBodycompOverlay *self)
{
  GtkWidget *label;

  gtk_widget_set_can_target (GTK_WIDGET (self), FALSE);
  gtk_widget_set_focusable (GTK_WIDGET (self), FALSE);

  self->view_signals = g_signal_group_new (LACUNA_TYPE_IMAGE_VIEW);
  g_signal_group_connect_swapped (self->view_signals, "notify::image-width",
                                  G_CALLBACK (shown_changed_cb), self);
  g_signal_group_connect_swapped (self->view_signals, "notify::image-height",
                                  G_CALLBACK (shown_changed_cb), self);
  g_signal_group_connect_swapped (self->view_signals, "frame-shown",
                                  G_CALLBACK (shown_changed_cb), self);
  self->state_signals = g_signal_group_new (LACUNA_TYPE_VIEW_STATE);
  /* Zoom, pan and position: redraw (and say which slice to show). */
  g_signal_group_connect_swapped (self->state_signals, "notify",
                                  G_CALLBACK (shown_changed_cb), self);

  /* The legend: every colour has its words. */
  self->legend = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  gtk_widget_add_css_class (self->legend, "osd");
  gtk_widget_add_css_class (self->legend, "bodycomp-legend");
  /* Top left, below the corner annotations. */
  gtk_widget_set_halign (self->legend, GTK_ALIGN_START);
  gtk_widget_set_valign (self->legend, GTK_ALIGN_START);
  gtk_widget_set_margin_start (self->legend, 12);
  gtk_widget_set_margin_top (self->legend, 76);
  self->legend_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  gtk_widget_set_margin_start (self->legend_box, 10);
  gtk_widget_set_margin_end (self->legend_box, 10);
  gtk_widget_set_margin_top (self->legend_box, 8);
  gtk_widget_set_margin_bottom (self->legend_box, 8);
  gtk_box_append (GTK_BOX (self->legend), self->legend_box);
  label = gtk_label_new (_("Body composition (measured)"));
  self->legend_title = GTK_LABEL (label);
  gtk_label_set_xalign (self->legend_title, 0.0);
  gtk_widget_add_css_class (label, "heading");
  gtk_box_append (GTK_BOX (self->legend_box), label);
  add_legend_row (self, -1, _("Body outline"));
  for (guint i = 0; i < G_N_ELEMENTS (regions); i++)
    add_legend_row (self, (int) i, _(regions[i].name));
  label = gtk_label_new (NULL);
  self->note = GTK_LABEL (label);
  gtk_label_set_xalign (self->note, 0.0);
  gtk_label_set_wrap (self->note, TRUE);
  gtk_label_set_max_width_chars (self->note, 30);
  gtk_widget_add_css_class (label, "caption");
  gtk_box_append (GTK_BOX (self->legend_box), label);
  gtk_widget_set_parent (self->legend, GTK_WIDGET (self));
  gtk_widget_set_visible (self->legend, FALSE);
  gtk_widget_set_visible (label, FALSE);
}

GtkWidget *
lacuna_bodycomp_overlay_new (void)
{
  return g_object_new (LACUNA_TYPE_BODYCOMP_OVERLAY, NULL);
}
