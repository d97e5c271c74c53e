/* lacuna-redaction-layer.c
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "lacuna-redaction-layer"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>
#include <math.h>

#include "lacuna-redact.h"
#include "lacuna-redaction-layer.h"
#include "lacuna-result-render.h"

#define HANDLE_SIZE 8.0
#define MIN_DRAG    3.0

typedef enum
{
  DRAG_NONE,
  DRAG_CREATE,
  DRAG_MOVE,
  DRAG_RESIZE,
} DragMode;

struct _LacunaRedactionLayer
{
  GtkWidget        parent_instance;

  LacunaImageView *view;
  LacunaUndoStack *stack;
  GSignalGroup    *view_signals;
  GSignalGroup    *state_signals;
  GSignalGroup    *decision_signals;
  gboolean         active;
  gboolean         show_result;
  int              selected;

  /* The drag in progress: image coordinates. */
  DragMode         drag_mode;
  int              drag_handle_x;   /* -1, 0, 1: which edge a handle moves */
  int              drag_handle_y;
  double           start_wx;        /* where the drag began, widget coordinates */
  double           start_wy;
  double           start_ix;        /* and image coordinates */
  double           start_iy;
  double           drag_x0;
  double           drag_y0;
  double           drag_x1;
  double           drag_y1;
  LacunaDeidBox   *drag_box;        /* the box being moved or resized, as it was */

  /* "Show result": the redacted image, for result_position (NULL after a failed render);
   * rendered in a thread (lacuna-result-render.h), for pending_position. */
  cairo_surface_t *result;
  guint            result_position;
  gboolean         result_dirty;
  GCancellable    *result_cancellable;   /* the render in progress */
  guint            pending_position;
};

G_DEFINE_FINAL_TYPE (LacunaRedactionLayer, lacuna_redaction_layer, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_VIEW,
  PROP_UNDO_STACK,
  PROP_ACTIVE,
  PROP_SHOW_RESULT,
  PROP_SELECTED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ------------------------------------------------------------------------------------- */
/* Which boxes cover the image shown                                                     */

static const LacunaDeidOptions *
get_options (LacunaRedactionLayer *self)
{
  if (self->stack == NULL)
    return NULL;
  return lacuna_decisions_get_options (lacuna_undo_stack_get_decisions (self->stack));
}

static guint
n_boxes (LacunaRedactionLayer *self)
{
  const LacunaDeidOptions *options = get_options (self);

  return options != NULL && options->boxes != NULL ? options->boxes->len : 0;
}

static const LacunaDeidBox *
get_box (LacunaRedactionLayer *self,
         int                   index)
{
  if (index < 0 || (guint) index >= n_boxes (self))
    return NULL;
  return g_ptr_array_index (get_options (self)->boxes, index);
}

/* The series and size of another instance of the view's model. */
static gboolean
lookup_instance (const char   *sop_instance_uid,
                 const char  **out_series_instance_uid,
                 guint        *out_rows,
                 guint        *out_columns,
                 gpointer      user_data)
{
  LacunaRedactionLayer *self = user_data;
  GListModel *model = self->view != NULL ? lacuna_image_view_get_model (self->view) : NULL;
  guint n = model != NULL ? g_list_model_get_n_items (model) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LacunaInstance) instance = g_list_model_get_item (model, i);

      if (g_strcmp0 (lacuna_instance_get_sop_instance_uid (instance), sop_instance_uid) == 0)
        {
          *out_series_instance_uid = lacuna_instance_get_series_uid (instance);
          *out_rows = lacuna_instance_get_rows (instance);
          *out_columns = lacuna_instance_get_columns (instance);
          return TRUE;
        }
    }
  return FALSE;
}

/* Resolved by the engine itself, so the layer shows exactly what export will fill. */
static gboolean
box_covers (LacunaRedactionLayer *self,
            const LacunaDeidBox  *box,
            LacunaInstance       *instance,
            guint                 frame)
{
  g_autoptr(LacunaDeidOptions) one = lacuna_deid_options_new ();
  g_autoptr(GArray) resolved = NULL;

  lacuna_deid_options_add_box (one, box->sop_instance_uid, box->scope, box->frames,
                               box->n_frames, box->x, box->y, box->width, box->height);
  resolved = lacuna_deid_options_resolve_boxes (one,
                                                lacuna_instance_get_sop_instance_uid (instance),
                                                lacuna_instance_get_series_uid (instance),
                                                lacuna_instance_get_rows (instance),
                                                lacuna_instance_get_columns (instance),
                                                lookup_instance, self);
  for (guint i = 0; i < resolved->len; i++)
    {
      const LacunaRedactBox *r = &g_array_index (resolved, LacunaRedactBox, i);

      if (r->frame == -1 || r->frame == (int) frame)
        return TRUE;
    }
  return FALSE;
}

GArray *
lacuna_redaction_layer_dup_shown (LacunaRedactionLayer *self)
{
  GArray *shown = g_array_new (FALSE, FALSE, sizeof (int));
  LacunaInstance *instance;
  guint frame = 0;

  g_return_val_if_fail (LACUNA_IS_REDACTION_LAYER (self), shown);

  instance = self->view != NULL ? lacuna_image_view_get_instance (self->view, &frame) : NULL;
  if (instance == NULL)
    return shown;
  for (int i = 0; i < (int) n_boxes (self); i++)
    if (box_covers (self, get_box (self, i), instance, frame))
      g_array_append_val (shown, i);
  return shown;
}

static gboolean
is_shown (LacunaRedactionLayer *self,
          int                   index)
{
  g_autoptr(GArray) shown = lacuna_redaction_layer_dup_shown (self);

  for (guint i = 0; i < shown->len; i++)
    if (g_array_index (shown, int, i) == index)
      return TRUE;
  return FALSE;
}

/* ------------------------------------------------------------------------------------- */
/* Changes                                                                               */

static gboolean
apply (LacunaRedactionLayer *self,
       LacunaDecision       *decision)
{
  g_autoptr(LacunaDecision) owned = decision;
  g_autoptr(GError) error = NULL;

  if (self->stack == NULL)
    return FALSE;
  if (!lacuna_undo_stack_apply (self->stack, owned, &error))
    {
      /* Only reachable with a box the engine refuses; the user's box is clamped before. */
      g_debug ("Box refused: %s", error->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
get_image_size (LacunaRedactionLayer *self,
                int                  *out_width,
                int                  *out_height)
{
  guint w = 0, h = 0;

  if (self->view == NULL || !lacuna_image_view_get_image_size (self->view, &w, &h))
    return FALSE;
  *out_width = (int) w;
  *out_height = (int) h;
  return w > 0 && h > 0;
}

/* Keeps box inside the image, at least one pixel. */
static void
clamp_box (LacunaRedactionLayer *self,
           LacunaDeidBox        *box)
{
  int w, h;

  if (!get_image_size (self, &w, &h))
    return;
  box->width = CLAMP (box->width, 1, w);
  box->height = CLAMP (box->height, 1, h);
  box->x = CLAMP (box->x, 0, w - box->width);
  box->y = CLAMP (box->y, 0, h - box->height);
}

static gboolean
change_selected (LacunaRedactionLayer *self,
                 LacunaDeidBox        *box)
{
  const LacunaDeidBox *old = get_box (self, self->selected);

  clamp_box (self, box);
  if (old->x == box->x && old->y == box->y && old->width == box->width
      && old->height == box->height && old->scope == box->scope
      && old->n_frames == box->n_frames
      && (box->n_frames == 0 || memcmp (old->frames, box->frames,
                                        box->n_frames * sizeof (guint)) == 0))
    return FALSE;
  return apply (self, lacuna_decision_new_change_box (self->selected, box));
}

/* A new box for the image shown: every frame of this image. */
static gboolean
add_box (LacunaRedactionLayer *self,
         int                   x,
         int                   y,
         int                   width,
         int                   height)
{
  LacunaInstance *instance = lacuna_image_view_get_instance (self->view, NULL);
  LacunaDeidBox box = { 0, };

  if (instance == NULL)
    return FALSE;
  box.sop_instance_uid = (char *) lacuna_instance_get_sop_instance_uid (instance);
  box.scope = LACUNA_DEID_BOX_ALL_FRAMES;
  box.x = x;
  box.y = y;
  box.width = width;
  box.height = height;
  clamp_box (self, &box);
  if (!apply (self, lacuna_decision_new_add_box (&box)))
    return FALSE;
  lacuna_redaction_layer_set_selected (self, (int) n_boxes (self) - 1);
  return TRUE;
}

gboolean
lacuna_redaction_layer_add_box (LacunaRedactionLayer *self)
{
  int w, h;

  g_return_val_if_fail (LACUNA_IS_REDACTION_LAYER (self), FALSE);

  if (!get_image_size (self, &w, &h))
    return FALSE;
  return add_box (self, w * 3 / 8, h * 3 / 8, MAX (w / 4, 1), MAX (h / 4, 1));
}

gboolean
lacuna_redaction_layer_move (LacunaRedactionLayer *self,
                             int                   dx,
                             int                   dy)
{
  g_autoptr(LacunaDeidBox) box = NULL;

  g_return_val_if_fail (LACUNA_IS_REDACTION_LAYER (self), FALSE);

  if (get_box (self, self->selected) == NULL)
    return FALSE;
  box = lacuna_deid_box_copy (get_box (self, self->selected));
  box->x += dx;
  box->y += dy;
  return change_selected (self, box);
}

gboolean
lacuna_redaction_layer_resize (LacunaRedactionLayer *self,
                               int                   dwidth,
                               int                   dheight)
{
  g_autoptr(LacunaDeidBox) box = NULL;
  int w, h;

  g_return_val_if_fail (LACUNA_IS_REDACTION_LAYER (self), FALSE);

  if (get_box (self, self->selected) == NULL || !get_image_size (self, &w, &h))
    return FALSE;
  box = lacuna_deid_box_copy (get_box (self, self->selected));
  /* Grows to the right and down; never past the image's edge, never below 1 pixel. */
  box->width = CLAMP (box->width + dwidth, 1, w - box->x);
  box->height = CLAMP (box->height + dheight, 1, h - box->y);
  return change_selected (self, box);
}

gboolean
lacuna_redaction_layer_remove (LacunaRedactionLayer *self)
{
  int index;

  g_return_val_if_fail (LACUNA_IS_REDACTION_LAYER (self), FALSE);

  if (get_box (self, self->selected) == NULL)
    return FALSE;
  index = self->selected;
  lacuna_redaction_layer_set_selected (self, -1);
  return apply (self, lacuna_decision_new_remove_box (index));
}

gboolean
lacuna_redaction_layer_set_scope (LacunaRedactionLayer *self,
                                  LacunaDeidBoxScope    scope)
{
  g_autoptr(LacunaDeidBox) box = NULL;
  LacunaInstance *instance;
  guint frame = 0;

  g_return_val_if_fail (LACUNA_IS_REDACTION_LAYER (self), FALSE);

  instance = self->view != NULL ? lacuna_image_view_get_instance (self->view, &frame) : NULL;
  if (get_box (self, self->selected) == NULL || instance == NULL)
    return FALSE;
  box = lacuna_deid_box_copy (get_box (self, self->selected));
  g_clear_pointer (&box->frames, g_free);
  box->n_frames = 0;
  box->scope = scope;
  if (box->sop_instance_uid == NULL)
    box->sop_instance_uid = g_strdup (lacuna_instance_get_sop_instance_uid (instance));
  if (scope == LACUNA_DEID_BOX_FRAMES)
    {
      box->frames = g_new (guint, 1);
      box->frames[0] = frame + 1;
      box->n_frames = 1;
    }
  return change_selected (self, box);
}

gboolean
lacuna_redaction_layer_select_next (LacunaRedactionLayer *self,
                                    int                   direction)
{
  g_autoptr(GArray) shown = NULL;
  int at = -1;
  int next;

  g_return_val_if_fail (LACUNA_IS_REDACTION_LAYER (self), FALSE);

  shown = lacuna_redaction_layer_dup_shown (self);
  if (shown->len == 0)
    return FALSE;
  for (guint i = 0; i < shown->len; i++)
    if (g_array_index (shown, int, i) == self->selected)
      at = (int) i;
  if (at < 0)
    next = direction >= 0 ? 0 : (int) shown->len - 1;
  else
    next = (at + (direction >= 0 ? 1 : -1) + (int) shown->len) % (int) shown->len;
  lacuna_redaction_layer_set_selected (self, g_array_index (shown, int, next));
  return TRUE;
}

char *
lacuna_redaction_layer_dup_label (LacunaRedactionLayer *self)
{
  g_autoptr(GArray) shown = NULL;
  const LacunaDeidBox *box;

  g_return_val_if_fail (LACUNA_IS_REDACTION_LAYER (self), NULL);

  box = get_box (self, self->selected);
  if (box == NULL)
    return NULL;
  shown = lacuna_redaction_layer_dup_shown (self);
  for (guint i = 0; i < shown->len; i++)
    if (g_array_index (shown, int, i) == self->selected)
      /* Translators: read by screen readers for the selected redaction box. */
      return g_strdup_printf (_("Redaction box %u of %u, x %d, y %d, width %d, height %d"),
                              i + 1, shown->len, box->x, box->y, box->width, box->height);
  return NULL;
}

static void
update_accessible (LacunaRedactionLayer *self)
{
  g_autofree char *label = lacuna_redaction_layer_dup_label (self);

  if (label == NULL)
    label = g_strdup (_("Redaction boxes"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
}

/* ------------------------------------------------------------------------------------- */
/* Show result                                                                           */

static void
cancel_result (LacunaRedactionLayer *self)
{
  if (self->result_cancellable != NULL)
    g_cancellable_cancel (self->result_cancellable);
  g_clear_object (&self->result_cancellable);
}

static void
result_ready_cb (GObject      *source,
                 GAsyncResult *res,
                 gpointer      user_data)
{
  g_autoptr(LacunaRedactionLayer) self = user_data;
  g_autoptr(GError) error = NULL;
  cairo_surface_t *surface = lacuna_result_render_finish (res, &error);

  /* Only the render asked for last counts: an earlier one (another slice, other boxes,
   * another window) was cancelled, and its result is never shown. */
  if (self->result_cancellable == NULL
      || g_task_get_cancellable (G_TASK (res)) != self->result_cancellable)
    {
      g_clear_pointer (&surface, cairo_surface_destroy);
      return;
    }
  g_clear_object (&self->result_cancellable);
  if (surface == NULL)
    g_debug ("Cannot show the result: %s", error->message);
  g_clear_pointer (&self->result, cairo_surface_destroy);
  self->result = surface;
  self->result_position = self->pending_position;
  self->result_dirty = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Starts rendering the redacted image at position; until it is ready the original shows. */
static void
start_result (LacunaRedactionLayer *self,
              guint                 position)
{
  LacunaViewState *state = lacuna_image_view_get_state (self->view);
  LacunaResultRenderParams params = { 0, };
  g_autoptr(GArray) boxes = NULL;
  LacunaInstance *instance;
  guint index = 0;

  cancel_result (self);
  self->pending_position = position;
  instance = lacuna_image_view_get_instance (self->view, &index);
  if (instance == NULL)
    {
      g_clear_pointer (&self->result, cairo_surface_destroy);
      self->result_position = position;
      self->result_dirty = FALSE;
      return;
    }
  boxes = lacuna_deid_options_resolve_boxes (get_options (self),
                                             lacuna_instance_get_sop_instance_uid (instance),
                                             lacuna_instance_get_series_uid (instance),
                                             lacuna_instance_get_rows (instance),
                                             lacuna_instance_get_columns (instance),
                                             lookup_instance, self);
  params.frame = index;
  params.window_center = lacuna_view_state_get_window_center (state);
  params.window_width = lacuna_view_state_get_window_width (state);
  /* The view's window; the file's own VOI LUT when the view uses it. */
  params.default_window = g_strcmp0 (lacuna_view_state_get_window_preset (state),
                                     LACUNA_WINDOW_PRESET_DEFAULT) == 0;
  self->result_cancellable = g_cancellable_new ();
  lacuna_result_render_async (instance, boxes, &params, self->result_cancellable,
                              result_ready_cb, g_object_ref (self));
}

static void
invalidate_result (LacunaRedactionLayer *self)
{
  self->result_dirty = TRUE;
  cancel_result (self);
  g_clear_pointer (&self->result, cairo_surface_destroy);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ------------------------------------------------------------------------------------- */
/* Drawing                                                                               */

static void
box_to_widget (LacunaRedactionLayer *self,
               double                x,
               double                y,
               double                width,
               double                height,
               graphene_rect_t      *out)
{
  double x0, y0, x1, y1;

  lacuna_image_view_image_to_widget (self->view, x, y, &x0, &y0);
  lacuna_image_view_image_to_widget (self->view, x + width, y + height, &x1, &y1);
  graphene_rect_init (out, x0, y0, x1 - x0, y1 - y0);
}

static void
handle_center (const graphene_rect_t *r,
               int                    hx,
               int                    hy,
               double                *out_x,
               double                *out_y)
{
  *out_x = r->origin.x + r->size.width * (hx + 1) / 2.0;
  *out_y = r->origin.y + r->size.height * (hy + 1) / 2.0;
}

static void
draw_box (cairo_t               *cr,
          const graphene_rect_t *r,
          gboolean               selected,
          gboolean               dark)
{
  cairo_rectangle (cr, r->origin.x, r->origin.y, r->size.width, r->size.height);
  cairo_set_line_width (cr, 3);
  cairo_set_source_rgba (cr, 0, 0, 0, 0.6);
  cairo_stroke_preserve (cr);
  cairo_set_line_width (cr, selected ? 2 : 1.5);
  if (selected)
    cairo_set_source_rgb (cr, dark ? 0.47 : 0.21, dark ? 0.68 : 0.52, dark ? 0.98 : 0.89);
  else
    cairo_set_source_rgb (cr, 0.96, 0.38, 0.32);
  cairo_stroke (cr);

  if (!selected)
    return;
  for (int hy = -1; hy <= 1; hy++)
    for (int hx = -1; hx <= 1; hx++)
      {
        double cx, cy;

        if (hx == 0 && hy == 0)
          continue;
        handle_center (r, hx, hy, &cx, &cy);
        cairo_rectangle (cr, cx - HANDLE_SIZE / 2, cy - HANDLE_SIZE / 2,
                         HANDLE_SIZE, HANDLE_SIZE);
        cairo_set_source_rgb (cr, 1, 1, 1);
        cairo_fill_preserve (cr);
        cairo_set_line_width (cr, 1);
        cairo_set_source_rgb (cr, 0.21, 0.52, 0.89);
        cairo_stroke (cr);
      }
}

static void
lacuna_redaction_layer_snapshot (GtkWidget   *widget,
                                 GtkSnapshot *snapshot)
{
  LacunaRedactionLayer *self = LACUNA_REDACTION_LAYER (widget);
  g_autoptr(GArray) shown = NULL;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  int iw, ih;
  cairo_t *cr;

  if (self->view == NULL || self->stack == NULL || !get_image_size (self, &iw, &ih))
    return;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));

  if (self->show_result)
    {
      guint position = lacuna_image_view_get_position (self->view);
      gboolean current = !self->result_dirty && self->result_position == position;

      /* Rendered in a thread; until it is ready, the original with its boxes shows. */
      if (!current && (self->result_cancellable == NULL || self->pending_position != position))
        start_result (self, position);
      if (current && self->result != NULL)
        {
          graphene_rect_t r;

          box_to_widget (self, 0, 0, iw, ih, &r);
          cairo_save (cr);
          cairo_translate (cr, r.origin.x, r.origin.y);
          cairo_scale (cr, r.size.width / cairo_image_surface_get_width (self->result),
                       r.size.height / cairo_image_surface_get_height (self->result));
          cairo_set_source_surface (cr, self->result, 0, 0);
          cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
          cairo_paint (cr);
          cairo_restore (cr);
          cairo_destroy (cr);
          return;
        }
    }

  shown = lacuna_redaction_layer_dup_shown (self);
  for (guint i = 0; i < shown->len; i++)
    {
      int index = g_array_index (shown, int, i);
      const LacunaDeidBox *box = get_box (self, index);
      graphene_rect_t r;

      if (index == self->selected && self->drag_mode != DRAG_NONE)
        continue;   /* drawn where the drag puts it */
      box_to_widget (self, box->x, box->y, box->width, box->height, &r);
      draw_box (cr, &r, index == self->selected, dark);
    }
  if (self->drag_mode != DRAG_NONE)
    {
      graphene_rect_t r;
      double x0 = MIN (self->drag_x0, self->drag_x1), y0 = MIN (self->drag_y0, self->drag_y1);

      box_to_widget (self, x0, y0, fabs (self->drag_x1 - self->drag_x0),
                     fabs (self->drag_y1 - self->drag_y0), &r);
      draw_box (cr, &r, TRUE, dark);
    }
  cairo_destroy (cr);
}

/* ------------------------------------------------------------------------------------- */
/* Pointer                                                                               */

static gboolean
drag_begin (LacunaRedactionLayer *self,
            double                wx,
            double                wy)
{
  g_autoptr(GArray) shown = NULL;
  const LacunaDeidBox *selected;
  gboolean inside;
  int iw, ih;

  self->drag_mode = DRAG_NONE;
  g_clear_pointer (&self->drag_box, lacuna_deid_box_free);
  if (self->view == NULL || self->stack == NULL || self->show_result
      || !get_image_size (self, &iw, &ih))
    return FALSE;

  inside = lacuna_image_view_widget_to_image (self->view, wx, wy,
                                              &self->start_ix, &self->start_iy);
  self->start_wx = wx;
  self->start_wy = wy;
  shown = lacuna_redaction_layer_dup_shown (self);

  /* A handle of the selected box. */
  selected = is_shown (self, self->selected) ? get_box (self, self->selected) : NULL;
  if (selected != NULL)
    {
      graphene_rect_t r;

      box_to_widget (self, selected->x, selected->y, selected->width, selected->height, &r);
      for (int hy = -1; hy <= 1; hy++)
        for (int hx = -1; hx <= 1; hx++)
          {
            double cx, cy;

            if (hx == 0 && hy == 0)
              continue;
            handle_center (&r, hx, hy, &cx, &cy);
            if (fabs (wx - cx) <= HANDLE_SIZE && fabs (wy - cy) <= HANDLE_SIZE
                && self->drag_mode == DRAG_NONE)
              {
                self->drag_mode = DRAG_RESIZE;
                self->drag_handle_x = hx;
                self->drag_handle_y = hy;
              }
          }
    }

  /* The topmost box under the pointer. */
  if (self->drag_mode == DRAG_NONE && inside)
    for (guint i = shown->len; i > 0; i--)
      {
        int index = g_array_index (shown, int, i - 1);
        const LacunaDeidBox *box = get_box (self, index);

        if (self->start_ix >= box->x && self->start_ix < box->x + box->width
            && self->start_iy >= box->y && self->start_iy < box->y + box->height)
          {
            lacuna_redaction_layer_set_selected (self, index);
            self->drag_mode = DRAG_MOVE;
            break;
          }
      }

  if (self->drag_mode == DRAG_NONE)
    {
      if (!inside)
        {
          lacuna_redaction_layer_set_selected (self, -1);
          return FALSE;
        }
      self->drag_mode = DRAG_CREATE;
      self->start_ix = floor (self->start_ix);
      self->start_iy = floor (self->start_iy);
      self->drag_x0 = self->drag_x1 = self->start_ix;
      self->drag_y0 = self->drag_y1 = self->start_iy;
    }
  else
    {
      self->drag_box = lacuna_deid_box_copy (get_box (self, self->selected));
      self->drag_x0 = self->drag_box->x;
      self->drag_y0 = self->drag_box->y;
      self->drag_x1 = self->drag_box->x + self->drag_box->width;
      self->drag_y1 = self->drag_box->y + self->drag_box->height;
    }
  if (self->active)
    gtk_widget_grab_focus (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return TRUE;
}

static void
drag_update (LacunaRedactionLayer *self,
             double                wx,
             double                wy)
{
  double ix, iy;
  int iw, ih;

  if (self->drag_mode == DRAG_NONE || !get_image_size (self, &iw, &ih))
    return;
  lacuna_image_view_widget_to_image (self->view, wx, wy, &ix, &iy);
  ix = CLAMP (ix, 0, iw);
  iy = CLAMP (iy, 0, ih);

  switch (self->drag_mode)
    {
    case DRAG_CREATE:
      self->drag_x0 = self->start_ix;
      self->drag_y0 = self->start_iy;
      self->drag_x1 = ix < self->start_ix ? floor (ix) : ceil (ix);
      self->drag_y1 = iy < self->start_iy ? floor (iy) : ceil (iy);
      break;

    case DRAG_MOVE:
      {
        const LacunaDeidBox *b = self->drag_box;
        double dx = round (ix - self->start_ix), dy = round (iy - self->start_iy);

        dx = CLAMP (dx, -b->x, iw - b->x - b->width);
        dy = CLAMP (dy, -b->y, ih - b->y - b->height);
        self->drag_x0 = b->x + dx;
        self->drag_y0 = b->y + dy;
        self->drag_x1 = self->drag_x0 + b->width;
        self->drag_y1 = self->drag_y0 + b->height;
      }
      break;

    case DRAG_RESIZE:
      {
        const LacunaDeidBox *b = self->drag_box;

        self->drag_x0 = self->drag_handle_x < 0 ? round (ix) : b->x;
        self->drag_x1 = self->drag_handle_x > 0 ? round (ix) : b->x + b->width;
        self->drag_y0 = self->drag_handle_y < 0 ? round (iy) : b->y;
        self->drag_y1 = self->drag_handle_y > 0 ? round (iy) : b->y + b->height;
      }
      break;

    case DRAG_NONE:
    default:
      break;
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
drag_end (LacunaRedactionLayer *self,
          double                wx,
          double                wy)
{
  DragMode mode = self->drag_mode;
  g_autoptr(LacunaDeidBox) box = NULL;
  int x, y, w, h;

  if (mode == DRAG_NONE)
    return;
  drag_update (self, wx, wy);
  box = g_steal_pointer (&self->drag_box);
  self->drag_mode = DRAG_NONE;
  gtk_widget_queue_draw (GTK_WIDGET (self));

  x = (int) MIN (self->drag_x0, self->drag_x1);
  y = (int) MIN (self->drag_y0, self->drag_y1);
  w = (int) fabs (self->drag_x1 - self->drag_x0);
  h = (int) fabs (self->drag_y1 - self->drag_y0);

  if (mode == DRAG_CREATE)
    {
      /* A click, not a drag: deselects. */
      if (fabs (wx - self->start_wx) < MIN_DRAG || fabs (wy - self->start_wy) < MIN_DRAG
          || w < 1 || h < 1)
        {
          lacuna_redaction_layer_set_selected (self, -1);
          return;
        }
      add_box (self, x, y, w, h);
      return;
    }

  box->x = x;
  box->y = y;
  box->width = MAX (w, 1);
  box->height = MAX (h, 1);
  change_selected (self, box);
}

void
lacuna_redaction_layer_drag (LacunaRedactionLayer *self,
                             double                x0,
                             double                y0,
                             double                x1,
                             double                y1)
{
  g_return_if_fail (LACUNA_IS_REDACTION_LAYER (self));

  if (!drag_begin (self, x0, y0))
    return;
  drag_update (self, (x0 + x1) / 2, (y0 + y1) / 2);
  drag_end (self, x1, y1);
}

static void
gesture_begin_cb (GtkGestureDrag       *gesture,
                  double                x,
                  double                y,
                  LacunaRedactionLayer *self)
{
  if (drag_begin (self, x, y))
    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  else
    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
}

static void
gesture_update_cb (GtkGestureDrag       *gesture,
                   double                dx,
                   double                dy,
                   LacunaRedactionLayer *self)
{
  drag_update (self, self->start_wx + dx, self->start_wy + dy);
}

static void
gesture_end_cb (GtkGestureDrag       *gesture,
                double                dx,
                double                dy,
                LacunaRedactionLayer *self)
{
  drag_end (self, self->start_wx + dx, self->start_wy + dy);
}

/* ------------------------------------------------------------------------------------- */
/* Actions                                                                               */

static void
action_move (GtkWidget  *widget,
             const char *name,
             GVariant   *param)
{
  int dx, dy;

  g_variant_get (param, "(ii)", &dx, &dy);
  lacuna_redaction_layer_move (LACUNA_REDACTION_LAYER (widget), dx, dy);
}

static void
action_resize (GtkWidget  *widget,
               const char *name,
               GVariant   *param)
{
  int dw, dh;

  g_variant_get (param, "(ii)", &dw, &dh);
  lacuna_redaction_layer_resize (LACUNA_REDACTION_LAYER (widget), dw, dh);
}

static void
action_select (GtkWidget  *widget,
               const char *name,
               GVariant   *param)
{
  lacuna_redaction_layer_select_next (LACUNA_REDACTION_LAYER (widget),
                                      g_variant_get_int32 (param));
}

static void
action_simple (GtkWidget  *widget,
               const char *name,
               GVariant   *param)
{
  LacunaRedactionLayer *self = LACUNA_REDACTION_LAYER (widget);

  if (g_str_equal (name, "redaction.add"))
    lacuna_redaction_layer_add_box (self);
  else if (g_str_equal (name, "redaction.delete"))
    lacuna_redaction_layer_remove (self);
  else if (g_str_equal (name, "redaction.deselect"))
    lacuna_redaction_layer_set_selected (self, -1);
}

static void
action_scope (GtkWidget  *widget,
              const char *name,
              GVariant   *param)
{
  const char *scope = g_variant_get_string (param, NULL);
  LacunaRedactionLayer *self = LACUNA_REDACTION_LAYER (widget);

  if (g_str_equal (scope, "frame"))
    lacuna_redaction_layer_set_scope (self, LACUNA_DEID_BOX_FRAMES);
  else if (g_str_equal (scope, "all-frames"))
    lacuna_redaction_layer_set_scope (self, LACUNA_DEID_BOX_ALL_FRAMES);
  else if (g_str_equal (scope, "same-size"))
    lacuna_redaction_layer_set_scope (self, LACUNA_DEID_BOX_SAME_SIZE_IN_SERIES);
}

/* ------------------------------------------------------------------------------------- */
/* Properties                                                                            */

static void
decisions_changed_cb (LacunaRedactionLayer *self)
{
  if (self->selected >= 0 && (guint) self->selected >= n_boxes (self))
    lacuna_redaction_layer_set_selected (self, -1);
  update_accessible (self);
  invalidate_result (self);
}

static void
position_changed_cb (LacunaRedactionLayer *self)
{
  if (self->selected >= 0 && !is_shown (self, self->selected))
    lacuna_redaction_layer_set_selected (self, -1);
  invalidate_result (self);
}

void
lacuna_redaction_layer_set_view (LacunaRedactionLayer *self,
                                 LacunaImageView      *view)
{
  g_return_if_fail (LACUNA_IS_REDACTION_LAYER (self));
  g_return_if_fail (view == NULL || LACUNA_IS_IMAGE_VIEW (view));

  if (!g_set_object (&self->view, view))
    return;
  g_signal_group_set_target (self->view_signals, view);
  g_signal_group_set_target (self->state_signals,
                             view != NULL ? lacuna_image_view_get_state (view) : NULL);
  invalidate_result (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEW]);
}

LacunaImageView *
lacuna_redaction_layer_get_view (LacunaRedactionLayer *self)
{
  g_return_val_if_fail (LACUNA_IS_REDACTION_LAYER (self), NULL);

  return self->view;
}

void
lacuna_redaction_layer_set_undo_stack (LacunaRedactionLayer *self,
                                       LacunaUndoStack      *stack)
{
  g_return_if_fail (LACUNA_IS_REDACTION_LAYER (self));
  g_return_if_fail (stack == NULL || LACUNA_IS_UNDO_STACK (stack));

  if (!g_set_object (&self->stack, stack))
    return;
  g_signal_group_set_target (self->decision_signals,
                             stack != NULL ? lacuna_undo_stack_get_decisions (stack) : NULL);
  lacuna_redaction_layer_set_selected (self, -1);
  invalidate_result (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNDO_STACK]);
}

LacunaUndoStack *
lacuna_redaction_layer_get_undo_stack (LacunaRedactionLayer *self)
{
  g_return_val_if_fail (LACUNA_IS_REDACTION_LAYER (self), NULL);

  return self->stack;
}

void
lacuna_redaction_layer_set_active (LacunaRedactionLayer *self,
                                   gboolean              active)
{
  g_return_if_fail (LACUNA_IS_REDACTION_LAYER (self));

  active = !!active;
  if (self->active == active)
    return;
  self->active = active;
  gtk_widget_set_can_target (GTK_WIDGET (self), active);
  gtk_widget_set_focusable (GTK_WIDGET (self), active);
  if (active)
    gtk_widget_grab_focus (GTK_WIDGET (self));
  else
    lacuna_redaction_layer_set_selected (self, -1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
}

gboolean
lacuna_redaction_layer_get_active (LacunaRedactionLayer *self)
{
  g_return_val_if_fail (LACUNA_IS_REDACTION_LAYER (self), FALSE);

  return self->active;
}

void
lacuna_redaction_layer_set_show_result (LacunaRedactionLayer *self,
                                        gboolean              show_result)
{
  g_return_if_fail (LACUNA_IS_REDACTION_LAYER (self));

  show_result = !!show_result;
  if (self->show_result == show_result)
    return;
  self->show_result = show_result;
  invalidate_result (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_RESULT]);
}

gboolean
lacuna_redaction_layer_get_show_result (LacunaRedactionLayer *self)
{
  g_return_val_if_fail (LACUNA_IS_REDACTION_LAYER (self), FALSE);

  return self->show_result;
}

int
lacuna_redaction_layer_get_selected (LacunaRedactionLayer *self)
{
  g_return_val_if_fail (LACUNA_IS_REDACTION_LAYER (self), -1);

  return self->selected;
}

void
lacuna_redaction_layer_set_selected (LacunaRedactionLayer *self,
                                     int                   index)
{
  g_return_if_fail (LACUNA_IS_REDACTION_LAYER (self));

  if (index < 0 || (guint) index >= n_boxes (self))
    index = -1;
  if (self->selected == index)
    return;
  self->selected = index;
  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
}

static void
lacuna_redaction_layer_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  LacunaRedactionLayer *self = LACUNA_REDACTION_LAYER (object);

  switch (prop_id)
    {
    case PROP_VIEW:
      g_value_set_object (value, self->view);
      break;
    case PROP_UNDO_STACK:
      g_value_set_object (value, self->stack);
      break;
    case PROP_ACTIVE:
      g_value_set_boolean (value, self->active);
      break;
    case PROP_SHOW_RESULT:
      g_value_set_boolean (value, self->show_result);
      break;
    case PROP_SELECTED:
      g_value_set_int (value, self->selected);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lacuna_redaction_layer_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  LacunaRedactionLayer *self = LACUNA_REDACTION_LAYER (object);

  switch (prop_id)
    {
    case PROP_VIEW:
      lacuna_redaction_layer_set_view (self, g_value_get_object (value));
      break;
    case PROP_UNDO_STACK:
      lacuna_redaction_layer_set_undo_stack (self, g_value_get_object (value));
      break;
    case PROP_ACTIVE:
      lacuna_redaction_layer_set_active (self, g_value_get_boolean (value));
      break;
    case PROP_SHOW_RESULT:
      lacuna_redaction_layer_set_show_result (self, g_value_get_boolean (value));
      break;
    case PROP_SELECTED:
      lacuna_redaction_layer_set_selected (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lacuna_redaction_layer_dispose (GObject *object)
{
  LacunaRedactionLayer *self = LACUNA_REDACTION_LAYER (object);

  if (self->view_signals != NULL)
    g_signal_group_set_target (self->view_signals, NULL);
  if (self->state_signals != NULL)
    g_signal_group_set_target (self->state_signals, NULL);
  if (self->decision_signals != NULL)
    g_signal_group_set_target (self->decision_signals, NULL);
  g_clear_object (&self->view);
  g_clear_object (&self->stack);
  cancel_result (self);
  g_clear_pointer (&self->result, cairo_surface_destroy);
  g_clear_pointer (&self->drag_box, lacuna_deid_box_free);

  G_OBJECT_CLASS (lacuna_redaction_layer_parent_class)->dispose (object);
}

static void
lacuna_redaction_layer_finalize (GObject *object)
{
  LacunaRedactionLayer *self = LACUNA_REDACTION_LAYER (object);

  g_clear_object (&self->view_signals);
  g_clear_object (&self->state_signals);
  g_clear_object (&self->decision_signals);

  G_OBJECT_CLASS (lacuna_redaction_layer_parent_class)->finalize (object);
}

/* Key bindings: FALSE (the key goes on, Tab to the next widget) when there is nothing to
 * select or no box is selected. */
static gboolean
move_binding (GtkWidget *widget,
              GVariant  *args,
              gpointer   user_data)
{
  int dx, dy;

  g_variant_get (args, "(ii)", &dx, &dy);
  if (lacuna_redaction_layer_get_selected (LACUNA_REDACTION_LAYER (widget)) < 0)
    return FALSE;
  lacuna_redaction_layer_move (LACUNA_REDACTION_LAYER (widget), dx, dy);
  return TRUE;
}

static gboolean
resize_binding (GtkWidget *widget,
                GVariant  *args,
                gpointer   user_data)
{
  int dw, dh;

  g_variant_get (args, "(ii)", &dw, &dh);
  if (lacuna_redaction_layer_get_selected (LACUNA_REDACTION_LAYER (widget)) < 0)
    return FALSE;
  lacuna_redaction_layer_resize (LACUNA_REDACTION_LAYER (widget), dw, dh);
  return TRUE;
}

static gboolean
select_binding (GtkWidget *widget,
                GVariant  *args,
                gpointer   user_data)
{
  return lacuna_redaction_layer_select_next (LACUNA_REDACTION_LAYER (widget),
                                             g_variant_get_int32 (args));
}

static void
add_arrow_bindings (GtkWidgetClass  *widget_class,
                    GdkModifierType  mods,
                    GtkShortcutFunc  func,
                    int              step)
{
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Left, mods, func, "(ii)", -step, 0);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Right, mods, func, "(ii)", step, 0);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Up, mods, func, "(ii)", 0, -step);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Down, mods, func, "(ii)", 0, step);
}

static void
lacuna_redaction_layer_class_init (LacunaRedactionLayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = lacuna_redaction_layer_get_property;
  object_class->set_property = lacuna_redaction_layer_set_property;
  object_class->dispose = lacuna_redaction_layer_dispose;
  object_class->finalize = lacuna_redaction_layer_finalize;

  widget_class->snapshot = lacuna_redaction_layer_snapshot;

  properties[PROP_VIEW] =
    g_param_spec_object ("view", NULL, NULL, LACUNA_TYPE_IMAGE_VIEW,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_UNDO_STACK] =
    g_param_spec_object ("undo-stack", NULL, NULL, LACUNA_TYPE_UNDO_STACK,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACTIVE] =
    g_param_spec_boolean ("active", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_RESULT] =
    g_param_spec_boolean ("show-result", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTED] =
    g_param_spec_int ("selected", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_action (widget_class, "redaction.add", NULL, action_simple);
  gtk_widget_class_install_action (widget_class, "redaction.delete", NULL, action_simple);
  gtk_widget_class_install_action (widget_class, "redaction.deselect", NULL, action_simple);
  gtk_widget_class_install_action (widget_class, "redaction.move", "(ii)", action_move);
  gtk_widget_class_install_action (widget_class, "redaction.resize", "(ii)", action_resize);
  gtk_widget_class_install_action (widget_class, "redaction.select", "i", action_select);
  gtk_widget_class_install_action (widget_class, "redaction.scope", "s", action_scope);

  add_arrow_bindings (widget_class, 0, move_binding, 1);
  add_arrow_bindings (widget_class, GDK_CONTROL_MASK, move_binding, 10);
  add_arrow_bindings (widget_class, GDK_SHIFT_MASK, resize_binding, 1);
  add_arrow_bindings (widget_class, GDK_SHIFT_MASK | GDK_CONTROL_MASK, resize_binding, 10);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Tab, 0, select_binding, "i", 1);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_ISO_Left_Tab, GDK_SHIFT_MASK,
                                select_binding, "i", -1);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Tab, GDK_SHIFT_MASK,
                                select_binding, "i", -1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "redaction.delete", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_BackSpace, 0,
                                       "redaction.delete", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0,
                                       "redaction.deselect", NULL);

  gtk_widget_class_set_css_name (widget_class, "redaction-layer");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
lacuna_redaction_layer_init (LacunaRedactionLayer *self)
{
  GtkGesture *drag;

  self->selected = -1;
  gtk_widget_set_can_target (GTK_WIDGET (self), FALSE);
  gtk_widget_set_focusable (GTK_WIDGET (self), FALSE);

  self->view_signals = g_signal_group_new (LACUNA_TYPE_IMAGE_VIEW);
  g_signal_group_connect_swapped (self->view_signals, "notify::image-width",
                                  G_CALLBACK (invalidate_result), self);
  g_signal_group_connect_swapped (self->view_signals, "notify::image-height",
                                  G_CALLBACK (invalidate_result), self);
  g_signal_group_connect_swapped (self->view_signals, "frame-shown",
                                  G_CALLBACK (position_changed_cb), self);
  self->state_signals = g_signal_group_new (LACUNA_TYPE_VIEW_STATE);
  g_signal_group_connect_swapped (self->state_signals, "notify::position",
                                  G_CALLBACK (position_changed_cb), self);
  g_signal_group_connect_swapped (self->state_signals, "notify::window-center",
                                  G_CALLBACK (invalidate_result), self);
  g_signal_group_connect_swapped (self->state_signals, "notify::window-width",
                                  G_CALLBACK (invalidate_result), self);
  g_signal_group_connect_swapped (self->state_signals, "notify",
                                  G_CALLBACK (gtk_widget_queue_draw), self);
  self->decision_signals = g_signal_group_new (LACUNA_TYPE_DECISIONS);
  g_signal_group_connect_swapped (self->decision_signals, "changed",
                                  G_CALLBACK (decisions_changed_cb), self);

  drag = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (gesture_begin_cb), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (gesture_update_cb), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (gesture_end_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  update_accessible (self);
}

GtkWidget *
lacuna_redaction_layer_new (void)
{
  return g_object_new (LACUNA_TYPE_REDACTION_LAYER, NULL);
}
