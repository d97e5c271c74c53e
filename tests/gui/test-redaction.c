/* test-redaction.c: redaction boxes on the image (drawn, moved, resized, selected, removed,
 * with the pointer paths and the keyboard actions), their scope, undo / redo of boxes and tag
 * decisions, "Show result" against the view's own pixels, and screenshots (light, dark).
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-redaction"

#include "config.h"

#include <math.h>
#include <string.h>

#include "lacuna-gui-test-util.h"
#include "lacuna-redaction-layer.h"
#include "lacuna-undo-stack.h"

static void
destroy_window (LacunaWindow *window)
{
  g_object_ref (window);
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  g_assert_finalize_object (window);
}

static LacunaWindow *
open_sample_ct (int   width,
                int   height,
                guint position)
{
  LacunaWindow *window = lacuna_gui_test_new_window (width, height);
  LacunaImageView *view = lacuna_window_get_image_view (window);
  int ct;

  lacuna_window_open_sample (window);
  lacuna_gui_test_wait_loaded (window);
  ct = lacuna_gui_test_find_series (window, "CT");
  g_assert_cmpint (ct, >=, 0);
  lacuna_window_select_series (window, ct);
  lacuna_image_view_set_position (view, position);
  lacuna_gui_test_wait_image (view);
  g_assert_null (lacuna_image_view_get_error (view));
  lacuna_gui_test_wait_frame (GTK_WIDGET (view));

  /* Opening a study is not an undo step, even with its saved decisions restored. */
  g_assert_false (lacuna_undo_stack_get_can_undo (lacuna_window_get_undo_stack (window)));
  /* No boxes from an earlier test (the window restores the decisions saved for the study). */
  {
    g_autoptr(LacunaDeidOptions) empty = lacuna_deid_options_new ();
    g_autoptr(LacunaDecision) reset = lacuna_decision_new_set_options (empty);
    g_autoptr(LacunaDecision) undo = NULL;

    undo = lacuna_decisions_apply (lacuna_window_get_decisions (window), reset, NULL);
    g_assert_nonnull (undo);
    lacuna_undo_stack_clear (lacuna_window_get_undo_stack (window));
  }
  return window;
}

static const LacunaDeidBox *
get_box (LacunaWindow *window,
         guint         index)
{
  const LacunaDeidOptions *options = lacuna_decisions_get_options (lacuna_window_get_decisions (window));

  g_assert_nonnull (options->boxes);
  g_assert_cmpuint (index, <, options->boxes->len);
  return g_ptr_array_index (options->boxes, index);
}

static guint
n_boxes (LacunaWindow *window)
{
  const LacunaDeidOptions *options = lacuna_decisions_get_options (lacuna_window_get_decisions (window));

  return options->boxes != NULL ? options->boxes->len : 0;
}

static void
assert_box (const LacunaDeidBox *box,
            int                  x,
            int                  y,
            int                  width,
            int                  height)
{
  g_assert_cmpint (box->x, ==, x);
  g_assert_cmpint (box->y, ==, y);
  g_assert_cmpint (box->width, ==, width);
  g_assert_cmpint (box->height, ==, height);
}

/* Drags on the layer between two image points. */
static void
drag_image (LacunaRedactionLayer *layer,
            double                ix0,
            double                iy0,
            double                ix1,
            double                iy1)
{
  LacunaImageView *view = lacuna_redaction_layer_get_view (layer);
  double x0, y0, x1, y1;

  lacuna_image_view_image_to_widget (view, ix0, iy0, &x0, &y0);
  lacuna_image_view_image_to_widget (view, ix1, iy1, &x1, &y1);
  lacuna_redaction_layer_drag (layer, x0, y0, x1, y1);
}

static void
test_redaction_draw (void)
{
  LacunaWindow *window = open_sample_ct (1024, 700, LACUNA_SAMPLE_CT_SLICES / 4);
  LacunaRedactionLayer *layer = lacuna_window_get_redaction_layer (window);
  LacunaImageView *view = lacuna_window_get_image_view (window);
  LacunaInstance *instance = lacuna_image_view_get_instance (view, NULL);
  g_autofree char *label = NULL;
  const LacunaDeidBox *box;
  guint iw, ih;

  g_assert_true (lacuna_redaction_layer_get_view (layer) == view);
  g_assert_false (gtk_widget_get_can_target (GTK_WIDGET (layer)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.box-tool", NULL));
  g_assert_true (lacuna_redaction_layer_get_active (layer));
  g_assert_true (gtk_widget_get_can_target (GTK_WIDGET (layer)));

  /* Drawn with the pointer: image coordinates, whatever the zoom. */
  drag_image (layer, 40.25, 50.25, 139.75, 109.75);
  g_assert_cmpuint (n_boxes (window), ==, 1);
  box = get_box (window, 0);
  assert_box (box, 40, 50, 100, 60);
  g_assert_cmpstr (box->sop_instance_uid, ==, lacuna_instance_get_sop_instance_uid (instance));
  g_assert_cmpint (box->scope, ==, LACUNA_DEID_BOX_ALL_FRAMES);
  g_assert_cmpint (lacuna_redaction_layer_get_selected (layer), ==, 0);
  label = lacuna_redaction_layer_dup_label (layer);
  g_assert_cmpstr (label, ==, "Redaction box 1 of 1, x 40, y 50, width 100, height 60");

  /* A click outside draws nothing and deselects. */
  lacuna_image_view_get_image_size (view, &iw, &ih);
  drag_image (layer, iw - 10.5, ih - 10.5, iw - 10.5, ih - 10.5);
  g_assert_cmpuint (n_boxes (window), ==, 1);
  g_assert_cmpint (lacuna_redaction_layer_get_selected (layer), ==, -1);

  /* Moved by dragging its inside (selects it). */
  drag_image (layer, 60.5, 70.5, 80.5, 60.5);
  g_assert_cmpint (lacuna_redaction_layer_get_selected (layer), ==, 0);
  assert_box (get_box (window, 0), 60, 40, 100, 60);

  /* Resized by the bottom-right handle. */
  drag_image (layer, 160, 100, 180, 130);
  assert_box (get_box (window, 0), 60, 40, 120, 90);

  /* Keyboard actions (the arrow keys' bindings): move, Ctrl: by ten, Shift: resize. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (layer), "redaction.move", "(ii)", 1, 0));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (layer), "redaction.move", "(ii)", 0, -10));
  assert_box (get_box (window, 0), 61, 30, 120, 90);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (layer), "redaction.resize", "(ii)", -1, 2));
  assert_box (get_box (window, 0), 61, 30, 119, 92);
  /* Kept inside the image. */
  lacuna_redaction_layer_move (layer, -1000, -1000);
  assert_box (get_box (window, 0), 0, 0, 119, 92);
  lacuna_redaction_layer_resize (layer, -1000, 0);
  assert_box (get_box (window, 0), 0, 0, 1, 92);

  /* One undo step per change, the drag included. */
  g_assert_true (lacuna_undo_stack_undo (lacuna_window_get_undo_stack (window)));
  assert_box (get_box (window, 0), 0, 0, 119, 92);

  destroy_window (window);
}

static void
test_redaction_keyboard_undo (void)
{
  LacunaWindow *window = open_sample_ct (1024, 700, LACUNA_SAMPLE_CT_SLICES / 4);
  LacunaRedactionLayer *layer = lacuna_window_get_redaction_layer (window);
  LacunaDecisions *decisions = lacuna_window_get_decisions (window);
  LacunaUndoStack *stack = lacuna_window_get_undo_stack (window);
  g_autoptr(LacunaDecision) tag = NULL;
  g_autoptr(GError) error = NULL;
  guint iw, ih;

  lacuna_image_view_get_image_size (lacuna_window_get_image_view (window), &iw, &ih);
  g_assert_false (lacuna_undo_stack_get_can_undo (stack));

  /* B: a box in the middle, a quarter of the image. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.add-box", NULL));
  g_assert_true (lacuna_redaction_layer_get_active (layer));
  g_assert_cmpuint (n_boxes (window), ==, 1);
  assert_box (get_box (window, 0), iw * 3 / 8, ih * 3 / 8, iw / 4, ih / 4);
  g_assert_true (lacuna_redaction_layer_add_box (layer));
  lacuna_redaction_layer_move (layer, 20, 20);
  g_assert_cmpuint (n_boxes (window), ==, 2);
  g_assert_cmpint (lacuna_redaction_layer_get_selected (layer), ==, 1);

  /* Tab / Shift+Tab: next and previous, wrapping. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (layer), "redaction.select", "i", 1));
  g_assert_cmpint (lacuna_redaction_layer_get_selected (layer), ==, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (layer), "redaction.select", "i", 1));
  g_assert_cmpint (lacuna_redaction_layer_get_selected (layer), ==, 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (layer), "redaction.select", "i", -1));
  g_assert_cmpint (lacuna_redaction_layer_get_selected (layer), ==, 0);

  /* Delete removes the selected box; undo puts it back where it was, redo removes it. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (layer), "redaction.delete", NULL));
  g_assert_cmpuint (n_boxes (window), ==, 1);
  assert_box (get_box (window, 0), iw * 3 / 8 + 20, ih * 3 / 8 + 20, iw / 4, ih / 4);
  g_assert_cmpint (lacuna_redaction_layer_get_selected (layer), ==, -1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL));
  g_assert_cmpuint (n_boxes (window), ==, 2);
  assert_box (get_box (window, 0), iw * 3 / 8, ih * 3 / 8, iw / 4, ih / 4);
  assert_box (get_box (window, 1), iw * 3 / 8 + 20, ih * 3 / 8 + 20, iw / 4, ih / 4);
  g_assert_true (lacuna_undo_stack_get_can_redo (stack));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.redo", NULL));
  g_assert_cmpuint (n_boxes (window), ==, 1);
  g_assert_false (lacuna_undo_stack_get_can_redo (stack));

  /* Back to nothing, step by step (move, add, add), then all again. */
  g_assert_true (lacuna_undo_stack_undo (stack));   /* delete */
  g_assert_true (lacuna_undo_stack_undo (stack));   /* move */
  assert_box (get_box (window, 1), iw * 3 / 8, ih * 3 / 8, iw / 4, ih / 4);
  g_assert_true (lacuna_undo_stack_undo (stack));
  g_assert_true (lacuna_undo_stack_undo (stack));
  g_assert_cmpuint (n_boxes (window), ==, 0);
  g_assert_false (lacuna_undo_stack_undo (stack));
  for (guint i = 0; i < 4; i++)
    g_assert_true (lacuna_undo_stack_redo (stack));
  g_assert_cmpuint (n_boxes (window), ==, 1);
  g_assert_false (lacuna_undo_stack_redo (stack));

  /* A tag decision through the same stack. */
  tag = lacuna_decision_new_set_override ("00100010", LACUNA_DEID_OVERRIDE_KEEP, NULL);
  g_assert_true (lacuna_undo_stack_apply (stack, tag, &error));
  g_assert_no_error (error);
  g_assert_nonnull (lacuna_decisions_get_override (decisions, "00100010"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL));
  g_assert_null (lacuna_decisions_get_override (decisions, "00100010"));
  g_assert_cmpuint (n_boxes (window), ==, 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.redo", NULL));
  g_assert_nonnull (lacuna_decisions_get_override (decisions, "00100010"));

  /* A decision made around the stack (the inspector's shorthands) is undoable too. */
  g_assert_true (lacuna_decisions_set_override (decisions, "00100020",
                                                LACUNA_DEID_OVERRIDE_REMOVE, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (lacuna_undo_stack_undo (stack));
  g_assert_null (lacuna_decisions_get_override (decisions, "00100020"));
  g_assert_nonnull (lacuna_decisions_get_override (decisions, "00100010"));
  g_assert_true (lacuna_undo_stack_redo (stack));
  g_assert_nonnull (lacuna_decisions_get_override (decisions, "00100020"));

  /* A refused decision is not an undo step. */
  {
    g_autoptr(LacunaDecision) bad = lacuna_decision_new_remove_box (0);
    LacunaDeidBox zero = { NULL, LACUNA_DEID_BOX_SAME_SIZE_IN_SERIES, NULL, 0, 0, 0, 5, 5 };
    g_autoptr(LacunaDecision) invalid = lacuna_decision_new_add_box (&zero);

    g_assert_false (lacuna_undo_stack_apply (stack, invalid, &error));
    g_assert_error (error, LACUNA_DEID_ERROR, LACUNA_DEID_ERROR_FAILED);
    g_clear_error (&error);
    g_assert_cmpuint (n_boxes (window), ==, 1);
    g_assert_true (lacuna_undo_stack_apply (stack, bad, &error));
    g_assert_cmpuint (n_boxes (window), ==, 0);
  }

  destroy_window (window);
}

static guint32
surface_pixel (cairo_surface_t *surface,
               int              x,
               int              y)
{
  const guint8 *row = cairo_image_surface_get_data (surface)
                      + (gsize) y * cairo_image_surface_get_stride (surface);

  return ((const guint32 *) (gconstpointer) row)[x] & 0xffffff;
}

static GBytes *
download (GdkTexture *texture)
{
  gsize stride = gdk_texture_get_width (texture) * 4;
  gsize size = stride * gdk_texture_get_height (texture);
  guint8 *data = g_malloc (size);

  gdk_texture_download (texture, data, stride);
  return g_bytes_new_take (data, size);
}

/* Renders the image view with its layers; compares with the view's own image around
 * (and inside) the box at 1:1. inside_black: the box must be black, else original. */
static void
check_render (LacunaWindow *window,
              int           bx,
              int           by,
              int           bw,
              int           bh,
              gboolean      inside_black)
{
  LacunaImageView *view = lacuna_window_get_image_view (window);
  GtkWidget *overlay = gtk_widget_get_parent (GTK_WIDGET (view));
  cairo_surface_t *source = lacuna_image_view_get_surface (view);
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const guint32 *pixels;
  guint inside = 0, outside = 0, dark_before = 0;
  double ox, oy;
  int w;

  lacuna_gui_test_wait_frame (overlay);
  texture = lacuna_gui_test_render (overlay);
  w = gdk_texture_get_width (texture);
  bytes = download (texture);
  pixels = g_bytes_get_data (bytes, NULL);
  lacuna_image_view_image_to_widget (view, 0, 0, &ox, &oy);

  for (int y = by - 12; y < by + bh + 12; y++)
    for (int x = bx - 12; x < bx + bw + 12; x++)
      {
        gboolean in = x >= bx && x < bx + bw && y >= by && y < by + bh;
        /* Away from the outline (drawn over the edges when the result is off). */
        gboolean edge = x >= bx - 4 && x < bx + bw + 4 && y >= by - 4 && y < by + bh + 4
                        && !(x >= bx + 4 && x < bx + bw - 4 && y >= by + 4 && y < by + bh - 4);
        guint32 drawn = pixels[(gsize) (y + (int) oy) * w + x + (int) ox] & 0xffffff;
        guint32 original = surface_pixel (source, x, y);

        if (edge && !inside_black)
          continue;
        if (in && inside_black)
          {
            if (drawn != 0)
              g_error ("Pixel (%d, %d) in the box: %06x, not black", x, y, drawn);
            dark_before += original == 0;
            inside++;
          }
        else
          {
            if (drawn != original)
              g_error ("Pixel (%d, %d): %06x, original %06x", x, y, drawn, original);
            outside++;
          }
      }
  g_assert_cmpuint (inside + outside, >, 0);
  if (inside_black)
    g_assert_cmpuint (dark_before, <, inside / 10);   /* it was not black before */
}

typedef struct
{
  LacunaWindow *window;
  int           x;
  int           y;
} ImagePixel;

/* The result is made in a thread: shown once the box's middle is drawn black (until then
 * the original shows). */
static gboolean
result_shown (gpointer data)
{
  ImagePixel *p = data;
  LacunaImageView *view = lacuna_window_get_image_view (p->window);
  GtkWidget *overlay = gtk_widget_get_parent (GTK_WIDGET (view));
  g_autoptr(GdkTexture) texture = lacuna_gui_test_render (overlay);
  g_autoptr(GBytes) bytes = download (texture);
  const guint32 *pixels = g_bytes_get_data (bytes, NULL);
  double ox, oy;

  lacuna_image_view_image_to_widget (view, 0, 0, &ox, &oy);
  return (pixels[(gsize) (p->y + (int) oy) * gdk_texture_get_width (texture) + p->x + (int) ox]
          & 0xffffff) == 0;
}

static void
wait_result (LacunaWindow *window,
             int           x,
             int           y)
{
  ImagePixel p = { window, x, y };
  GtkWidget *view = GTK_WIDGET (lacuna_window_get_image_view (window));

  lacuna_gui_test_wait_frame (gtk_widget_get_parent (view));
  lacuna_gui_test_wait (result_shown, &p);
}

static void
test_redaction_show_result (void)
{
  LacunaWindow *window = open_sample_ct (1024, 760, LACUNA_SAMPLE_CT_SLICES / 4);
  LacunaRedactionLayer *layer = lacuna_window_get_redaction_layer (window);
  LacunaImageView *view = lacuna_window_get_image_view (window);
  cairo_surface_t *source;
  int bx = -1, by = -1, size = 24;
  guint iw, ih, position;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "view.zoom-original", NULL));
  lacuna_gui_test_wait_frame (GTK_WIDGET (view));
  source = lacuna_image_view_get_surface (view);
  lacuna_image_view_get_image_size (view, &iw, &ih);

  /* A bright square near the middle (tissue, not air). */
  for (int y = (int) ih / 3; y + size < (int) ih * 2 / 3 && bx < 0; y += 4)
    for (int x = (int) iw / 3; x + size < (int) iw * 2 / 3 && bx < 0; x += 4)
      {
        gboolean bright = TRUE;

        for (int j = 0; j < size && bright; j++)
          for (int i = 0; i < size && bright; i++)
            bright = (surface_pixel (source, x + i, y + j) & 0xff) >= 40;
        if (bright)
          {
            bx = x;
            by = y;
          }
      }
  g_assert_cmpint (bx, >=, 0);

  lacuna_redaction_layer_set_active (layer, TRUE);
  drag_image (layer, bx + 0.5, by + 0.5, bx + size - 0.5, by + size - 0.5);
  assert_box (get_box (window, 0), bx, by, size, size);
  lacuna_redaction_layer_set_selected (layer, -1);

  check_render (window, bx, by, size, size, FALSE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-result", NULL));
  g_assert_true (lacuna_redaction_layer_get_show_result (layer));
  wait_result (window, bx + size / 2, by + size / 2);
  check_render (window, bx, by, size, size, TRUE);

  /* The box on every slice; another slice while the result is shown: once a result shows,
   * it is that slice's (outside the box: that slice's original), never the previous one. */
  lacuna_redaction_layer_set_selected (layer, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.box-scope", "s",
                                             "same-size"));
  lacuna_redaction_layer_set_selected (layer, -1);
  wait_result (window, bx + size / 2, by + size / 2);
  position = lacuna_image_view_get_position (view);
  lacuna_image_view_set_position (view, position + 1);
  lacuna_image_view_set_position (view, position + 2);
  lacuna_gui_test_wait_image (view);
  wait_result (window, bx + size / 2, by + size / 2);
  check_render (window, bx, by, size, size, TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL));
  lacuna_image_view_set_position (view, position);
  lacuna_gui_test_wait_image (view);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-result", NULL));
  g_assert_false (lacuna_redaction_layer_get_show_result (layer));
  check_render (window, bx, by, size, size, FALSE);

  /* Undoing the box while the result is shown brings the original back. */
  lacuna_redaction_layer_set_show_result (layer, TRUE);
  wait_result (window, bx + size / 2, by + size / 2);
  check_render (window, bx, by, size, size, TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL));
  g_assert_cmpuint (n_boxes (window), ==, 0);
  check_render (window, bx, by, size, size, FALSE);

  destroy_window (window);
}

static gboolean
lookup_in_view (const char   *sop_instance_uid,
                const char  **out_series_instance_uid,
                guint        *out_rows,
                guint        *out_columns,
                gpointer      user_data)
{
  GListModel *model = lacuna_image_view_get_model (user_data);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
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

static guint
n_resolved (LacunaWindow   *window,
            LacunaInstance *instance)
{
  g_autoptr(GArray) boxes = NULL;

  boxes = lacuna_deid_options_resolve_boxes (lacuna_decisions_get_options (lacuna_window_get_decisions (window)),
                                             lacuna_instance_get_sop_instance_uid (instance),
                                             lacuna_instance_get_series_uid (instance),
                                             lacuna_instance_get_rows (instance),
                                             lacuna_instance_get_columns (instance),
                                             lookup_in_view,
                                             lacuna_window_get_image_view (window));
  return boxes->len;
}

static guint
n_shown (LacunaRedactionLayer *layer)
{
  g_autoptr(GArray) shown = lacuna_redaction_layer_dup_shown (layer);

  return shown->len;
}

static void
test_redaction_scope (void)
{
  LacunaWindow *window = open_sample_ct (1024, 700, 10);
  LacunaRedactionLayer *layer = lacuna_window_get_redaction_layer (window);
  LacunaImageView *view = lacuna_window_get_image_view (window);
  LacunaInstance *first = lacuna_image_view_get_instance (view, NULL);
  LacunaInstance *other = lacuna_image_view_get_instance_at (view, 20, NULL);

  g_assert_nonnull (other);
  g_assert_true (first != other);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.add-box", NULL));
  g_assert_cmpuint (n_resolved (window, first), ==, 1);
  g_assert_cmpuint (n_resolved (window, other), ==, 0);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.box-scope", "s",
                                             "same-size"));
  g_assert_cmpint (get_box (window, 0)->scope, ==, LACUNA_DEID_BOX_SAME_SIZE_IN_SERIES);
  g_assert_cmpstr (get_box (window, 0)->sop_instance_uid, ==,
                   lacuna_instance_get_sop_instance_uid (first));
  g_assert_cmpuint (n_resolved (window, other), ==, 1);
  lacuna_image_view_set_position (view, 20);
  lacuna_gui_test_wait_image (view);
  g_assert_cmpuint (n_shown (layer), ==, 1);

  /* Back on its slice: "this frame" only. */
  lacuna_image_view_set_position (view, 10);
  lacuna_gui_test_wait_image (view);
  lacuna_redaction_layer_set_selected (layer, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.box-scope", "s", "frame"));
  g_assert_cmpint (get_box (window, 0)->scope, ==, LACUNA_DEID_BOX_FRAMES);
  g_assert_cmpuint (get_box (window, 0)->n_frames, ==, 1);
  g_assert_cmpuint (get_box (window, 0)->frames[0], ==, 1);
  g_assert_cmpuint (n_resolved (window, other), ==, 0);
  g_assert_cmpuint (n_shown (layer), ==, 1);
  lacuna_image_view_set_position (view, 20);
  lacuna_gui_test_wait_image (view);
  g_assert_cmpuint (n_shown (layer), ==, 0);
  g_assert_cmpint (lacuna_redaction_layer_get_selected (layer), ==, -1);

  /* Undo: same size again. */
  g_assert_true (lacuna_undo_stack_undo (lacuna_window_get_undo_stack (window)));
  g_assert_cmpuint (n_shown (layer), ==, 1);

  destroy_window (window);
}

static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = g_build_filename (g_test_get_dir (G_TEST_BUILT), name, NULL);

  lacuna_gui_test_wait_frame (widget);
  texture = lacuna_gui_test_render (widget);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Wrote %s", path);
}

static void
test_redaction_screenshot (void)
{
  LacunaWindow *window = open_sample_ct (1024, 700, LACUNA_SAMPLE_CT_SLICES / 4);
  LacunaRedactionLayer *layer = lacuna_window_get_redaction_layer (window);

  lacuna_redaction_layer_set_active (layer, TRUE);
  drag_image (layer, 60.5, 40.5, 200.5, 90.5);
  lacuna_redaction_layer_add_box (layer);
  save_screenshot (GTK_WIDGET (window), "lacuna-redaction.png");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  save_screenshot (GTK_WIDGET (window), "lacuna-redaction-dark.png");
  lacuna_redaction_layer_set_show_result (layer, TRUE);
  save_screenshot (GTK_WIDGET (window), "lacuna-redaction-result-dark.png");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);
  destroy_window (window);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *data_home = g_dir_make_tmp ("lacuna-test-redaction-XXXXXX", NULL);
  int status;

  /* The window autosaves (and restores) decisions per study under the user data folder:
   * a fresh one, so that no earlier run's boxes come back. */
  g_assert_nonnull (data_home);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  if (!lacuna_gui_test_init (&argc, &argv))
    return 77;

  g_test_add_func ("/gui/redaction/draw", test_redaction_draw);
  g_test_add_func ("/gui/redaction/keyboard-undo", test_redaction_keyboard_undo);
  g_test_add_func ("/gui/redaction/show-result", test_redaction_show_result);
  g_test_add_func ("/gui/redaction/scope", test_redaction_scope);
  g_test_add_func ("/gui/redaction/screenshot", test_redaction_screenshot);
  status = g_test_run ();
  lacuna_gui_test_remove_tree (data_home);
  return status;
}
