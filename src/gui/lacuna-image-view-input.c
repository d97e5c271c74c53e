/* lacuna-image-view-input.c: the wheel, gestures, keys, actions and cine playback.
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Mouse and touch:
 *   wheel                  next / previous position
 *   Ctrl+wheel, pinch      zoom around the pointer (or the fingers)
 *   primary drag           window: right widens it (less contrast), down raises the level
 *                          (darker); colour images, which have no window, pan instead
 *   middle or Shift+drag   pan
 *   double click           best fit ↔ 1:1 at the pointer
 */

#define G_LOG_DOMAIN "lacuna-image-view"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "lacuna-image-view-private.h"

/* Surface pixels per slice for smooth (touchpad) scrolling. */
#define SMOOTH_SCROLL_STEP 24.0
#define ZOOM_STEP 1.25
/* Drag distance (pixels) that doubles the window width. */
#define WINDOW_DRAG_DOUBLING 200.0
/* Pixels of drag before a drag changes anything: a click must not. */
#define DRAG_THRESHOLD 3.0

static void
move_by (LacunaImageView *self,
         int              delta)
{
  gint64 position;
  guint n = lacuna_image_view_get_n_positions (self);

  if (n == 0)
    return;

  position = (gint64) lacuna_view_state_get_position (self->state) + delta;
  position = CLAMP (position, 0, (gint64) n - 1);
  lacuna_view_state_set_position (self->state, (guint) position);
}

/* ------------------------------------------------------------------------------------- */
/* Actions                                                                               */

static void
next_slice_cb (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  move_by (user_data, 1);
}

static void
previous_slice_cb (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  move_by (user_data, -1);
}

static void
first_slice_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  LacunaImageView *self = user_data;

  lacuna_view_state_set_position (self->state, 0);
}

static void
last_slice_cb (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  LacunaImageView *self = user_data;
  guint n = lacuna_image_view_get_n_positions (self);

  if (n > 0)
    lacuna_view_state_set_position (self->state, n - 1);
}

static void
zoom_in_cb (GSimpleAction *action,
            GVariant      *parameter,
            gpointer       user_data)
{
  _lacuna_image_view_zoom_by (user_data, ZOOM_STEP, FALSE);
}

static void
zoom_out_cb (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  _lacuna_image_view_zoom_by (user_data, 1 / ZOOM_STEP, FALSE);
}

static void
zoom_best_fit_cb (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  _lacuna_image_view_zoom_best_fit (user_data);
}

static void
zoom_original_cb (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  _lacuna_image_view_zoom_original (user_data);
}

static void
pan_cb (GSimpleAction *action,
        GVariant      *parameter,
        gpointer       user_data)
{
  LacunaImageView *self = user_data;
  double fx = 0, fy = 0;

  g_variant_get (parameter, "(dd)", &fx, &fy);
  /* Moving the view right shows what is right of it: the image goes left. */
  lacuna_image_view_pan_by (self,
                            -fx * gtk_widget_get_width (GTK_WIDGET (self)),
                            -fy * gtk_widget_get_height (GTK_WIDGET (self)));
}

static void
window_preset_change_cb (GSimpleAction *action,
                         GVariant      *value,
                         gpointer       user_data)
{
  LacunaImageView *self = user_data;

  lacuna_view_state_set_window_preset (self->state, g_variant_get_string (value, NULL));
}

static void
play_change_cb (GSimpleAction *action,
                GVariant      *value,
                gpointer       user_data)
{
  LacunaImageView *self = user_data;

  lacuna_view_state_set_playing (self->state, g_variant_get_boolean (value));
}

static const GActionEntry action_entries[] = {
  { "next-slice", next_slice_cb },
  { "previous-slice", previous_slice_cb },
  { "first-slice", first_slice_cb },
  { "last-slice", last_slice_cb },
  { "zoom-in", zoom_in_cb },
  { "zoom-out", zoom_out_cb },
  { "zoom-best-fit", zoom_best_fit_cb },
  { "zoom-original", zoom_original_cb },
  { "pan", pan_cb, "(dd)" },
  { "window-preset", NULL, "s", "'default'", window_preset_change_cb },
  { "play", NULL, NULL, "false", play_change_cb },
};

static void
set_enabled (LacunaImageView *self,
             const char      *name,
             gboolean         enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self->actions), name);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

void
_lacuna_image_view_update_actions (LacunaImageView *self)
{
  guint n = lacuna_image_view_get_n_positions (self);
  guint position = lacuna_view_state_get_position (self->state);
  double zoom = lacuna_view_state_get_zoom (self->state);
  gboolean image = lacuna_image_view_get_image_size (self, NULL, NULL);
  GAction *action;

  if (self->actions == NULL)
    return;

  set_enabled (self, "previous-slice", position > 0);
  set_enabled (self, "first-slice", position > 0);
  set_enabled (self, "next-slice", position + 1 < n);
  set_enabled (self, "last-slice", position + 1 < n);
  set_enabled (self, "zoom-in", image && zoom < LACUNA_VIEW_STATE_MAX_ZOOM);
  set_enabled (self, "zoom-out", image && zoom > LACUNA_VIEW_STATE_MIN_ZOOM);
  set_enabled (self, "zoom-best-fit", image);
  set_enabled (self, "zoom-original", image);
  set_enabled (self, "pan", image);
  set_enabled (self, "window-preset", self->frame != NULL && !lacuna_frame_is_color (self->frame));
  set_enabled (self, "play", n > 1);

  action = g_action_map_lookup_action (G_ACTION_MAP (self->actions), "window-preset");
  g_simple_action_set_state (G_SIMPLE_ACTION (action),
                             g_variant_new_string (lacuna_view_state_get_window_preset (self->state)));
  action = g_action_map_lookup_action (G_ACTION_MAP (self->actions), "play");
  g_simple_action_set_state (G_SIMPLE_ACTION (action),
                             g_variant_new_boolean (lacuna_view_state_get_playing (self->state)));
}

/* ------------------------------------------------------------------------------------- */
/* Cine                                                                                  */

static gboolean
cine_tick (GtkWidget     *widget,
           GdkFrameClock *clock,
           gpointer       user_data)
{
  LacunaImageView *self = LACUNA_IMAGE_VIEW (widget);
  gint64 now = gdk_frame_clock_get_frame_time (clock);
  gint64 interval = (gint64) (G_USEC_PER_SEC / lacuna_view_state_get_frame_rate (self->state));
  guint n = lacuna_image_view_get_n_positions (self);
  guint next;

  if (n < 2)
    return G_SOURCE_CONTINUE;
  if (self->cine_last_time == 0)
    self->cine_last_time = now;
  if (now - self->cine_last_time < interval)
    return G_SOURCE_CONTINUE;

  /* Wait for the next frame rather than skip it (decoding ahead keeps up normally). */
  next = (lacuna_view_state_get_position (self->state) + 1) % n;
  if (self->busy)
    return G_SOURCE_CONTINUE;

  self->direction = 1;
  lacuna_view_state_set_position (self->state, next);
  self->cine_last_time += interval;
  if (now - self->cine_last_time > 2 * interval)
    self->cine_last_time = now;

  return G_SOURCE_CONTINUE;
}

void
_lacuna_image_view_cine_update (LacunaImageView *self)
{
  gboolean playing = lacuna_view_state_get_playing (self->state);

  if (playing && self->tick_id == 0)
    {
      self->cine_last_time = 0;
      self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), cine_tick, NULL, NULL);
    }
  else if (!playing && self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
  _lacuna_image_view_update_actions (self);
}

/* ------------------------------------------------------------------------------------- */
/* Pointer                                                                               */

static void
motion_cb (LacunaImageView *self,
           double           x,
           double           y)
{
  self->pointer_x = x;
  self->pointer_y = y;
  self->pointer_inside = TRUE;
}

static void
leave_cb (LacunaImageView *self)
{
  self->pointer_inside = FALSE;
}

static gboolean
scroll_cb (LacunaImageView          *self,
           double                    dx,
           double                    dy,
           GtkEventControllerScroll *controller)
{
  GdkModifierType state;
  GdkEvent *event;
  gboolean smooth;
  int steps;

  smooth = gtk_event_controller_scroll_get_unit (controller) == GDK_SCROLL_UNIT_SURFACE;
  state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));

  if (state & GDK_CONTROL_MASK)
    {
      double x, y;

      event = gtk_event_controller_get_current_event (GTK_EVENT_CONTROLLER (controller));
      if (event != NULL && gdk_event_get_position (event, &x, &y))
        {
          GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));
          graphene_point_t p;
          double nx = 0, ny = 0;

          gtk_native_get_surface_transform (native, &nx, &ny);
          x -= nx;
          y -= ny;

          /* The event is in surface coordinates. */
          if (gtk_widget_compute_point (GTK_WIDGET (native), GTK_WIDGET (self),
                                        &GRAPHENE_POINT_INIT (x, y), &p))
            {
              self->pointer_x = p.x;
              self->pointer_y = p.y;
              self->pointer_inside = TRUE;
            }
        }
      _lacuna_image_view_zoom_by (self, pow (ZOOM_STEP, -(smooth ? dy / SMOOTH_SCROLL_STEP : dy)),
                                  TRUE);
      return TRUE;
    }

  if (lacuna_image_view_get_n_positions (self) < 2)
    return FALSE;

  if (smooth)
    dy /= SMOOTH_SCROLL_STEP;

  self->scroll_delta += dy;
  steps = (int) self->scroll_delta;   /* truncates toward zero */
  self->scroll_delta -= steps;
  if (steps != 0)
    move_by (self, steps);

  return TRUE;
}

static void
scroll_begin_cb (LacunaImageView *self)
{
  self->scroll_delta = 0;
}

static void
drag_begin_cb (LacunaImageView *self,
               double           x,
               double           y,
               GtkGestureDrag  *gesture)
{
  guint button = gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture));
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));
  double cx, cy;

  gtk_widget_grab_focus (GTK_WIDGET (self));
  self->drag_mode = DRAG_NONE;

  if (self->frame == NULL || button == GDK_BUTTON_SECONDARY)
    {
      /* The secondary button is left for a context menu. */
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }

  if (button == GDK_BUTTON_MIDDLE || (state & GDK_SHIFT_MASK) || lacuna_frame_is_color (self->frame))
    {
      self->drag_mode = DRAG_PAN;
      lacuna_view_state_get_center (self->state, &cx, &cy);
      self->drag_start_a = cx;
      self->drag_start_b = cy;
    }
  else
    {
      self->drag_mode = DRAG_WINDOW;
      self->drag_start_a = lacuna_view_state_get_window_center (self->state);
      self->drag_start_b = lacuna_view_state_get_window_width (self->state);
    }
  self->drag_moved = FALSE;
}

static void
drag_update_cb (LacunaImageView *self,
                double           dx,
                double           dy,
                GtkGestureDrag  *gesture)
{
  if (!self->drag_moved && hypot (dx, dy) < DRAG_THRESHOLD)
    return;
  if (!self->drag_moved)
    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  self->drag_moved = TRUE;

  switch (self->drag_mode)
    {
    case DRAG_WINDOW:
      {
        /* The width doubles every WINDOW_DRAG_DOUBLING pixels to the right (and halves to
         * the left: it never reaches 0); the level moves by half the starting width over
         * the same distance down. Both rates follow the width, so narrow windows (brain)
         * are as easy to adjust as wide ones (lung). */
        double width = self->drag_start_b * pow (2.0, dx / WINDOW_DRAG_DOUBLING);
        double center = self->drag_start_a + dy * MAX (self->drag_start_b, 1.0) / (2 * WINDOW_DRAG_DOUBLING);

        lacuna_view_state_set_custom_window (self->state, center, width);
      }
      break;

    case DRAG_PAN:
      lacuna_view_state_set_center (self->state, self->drag_start_a, self->drag_start_b);
      lacuna_image_view_pan_by (self, dx, dy);
      break;

    case DRAG_NONE:
    default:
      break;
    }
}

static void
drag_end_cb (LacunaImageView *self)
{
  self->drag_mode = DRAG_NONE;
}

static void
pinch_end_cb (LacunaImageView  *self,
              GdkEventSequence *sequence,
              GtkGesture       *gesture)
{
  self->pinch_start_zoom = 0;
}

static void
pinch_scale_cb (LacunaImageView *self,
                double           scale,
                GtkGesture      *gesture)
{
  double x, y;

  /* The scale is relative to the zoom when the gesture started. */
  if (self->pinch_start_zoom <= 0)
    self->pinch_start_zoom = lacuna_view_state_get_zoom (self->state);
  if (!gtk_gesture_is_active (gesture) || !gtk_gesture_get_bounding_box_center (gesture, &x, &y))
    {
      x = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
      y = gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;
    }
  lacuna_image_view_zoom_at (self, self->pinch_start_zoom * scale, x, y);
}

static void
click_pressed_cb (LacunaImageView *self,
                  int              n_press,
                  double           x,
                  double           y,
                  GtkGestureClick *gesture)
{
  gtk_widget_grab_focus (GTK_WIDGET (self));

  if (n_press != 2 || !lacuna_image_view_get_image_size (self, NULL, NULL))
    return;
  if (gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture)) > GDK_BUTTON_PRIMARY)
    return;

  if (lacuna_view_state_get_fit_mode (self->state) == LACUNA_FIT_MODE_BEST)
    lacuna_image_view_zoom_at (self, 1.0, x, y);
  else
    _lacuna_image_view_zoom_best_fit (self);
}

/* ------------------------------------------------------------------------------------- */

void
_lacuna_image_view_input_init (LacunaImageView *self)
{
  g_autoptr(GPropertyAction) annotations = NULL;
  GtkEventController *controller;
  GtkGesture *gesture;

  self->actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self->actions), action_entries,
                                   G_N_ELEMENTS (action_entries), self);
  annotations = g_property_action_new ("show-annotations", self->state, "show-annotations");
  g_action_map_add_action (G_ACTION_MAP (self->actions), G_ACTION (annotations));
  gtk_widget_insert_action_group (GTK_WIDGET (self), "view", G_ACTION_GROUP (self->actions));

  g_signal_connect_swapped (self->state, "notify::playing",
                            G_CALLBACK (_lacuna_image_view_cine_update), self);
  g_signal_connect_swapped (self->state, "notify::window-preset",
                            G_CALLBACK (_lacuna_image_view_update_actions), self);
  g_signal_connect_swapped (self->state, "notify::n-positions",
                            G_CALLBACK (_lacuna_image_view_update_actions), self);

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  g_signal_connect_swapped (controller, "scroll", G_CALLBACK (scroll_cb), self);
  g_signal_connect_swapped (controller, "scroll-begin", G_CALLBACK (scroll_begin_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect_swapped (controller, "enter", G_CALLBACK (motion_cb), self);
  g_signal_connect_swapped (controller, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect_swapped (controller, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  gesture = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), 0);
  g_signal_connect_swapped (gesture, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect_swapped (gesture, "drag-update", G_CALLBACK (drag_update_cb), self);
  g_signal_connect_swapped (gesture, "drag-end", G_CALLBACK (drag_end_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_zoom_new ();
  g_signal_connect_swapped (gesture, "end", G_CALLBACK (pinch_end_cb), self);
  g_signal_connect_swapped (gesture, "cancel", G_CALLBACK (pinch_end_cb), self);
  g_signal_connect_swapped (gesture, "scale-changed", G_CALLBACK (pinch_scale_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  /* A click gives the keyboard focus to the image, so the keys work on it. */
  gesture = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), 0);
  g_signal_connect_swapped (gesture, "pressed", G_CALLBACK (click_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));
}

void
_lacuna_image_view_input_dispose (LacunaImageView *self)
{
  if (self->tick_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
  self->tick_id = 0;
  if (self->actions != NULL)
    gtk_widget_insert_action_group (GTK_WIDGET (self), "view", NULL);
}

static void
add_binding (GtkWidgetClass  *widget_class,
             guint            keyval,
             GdkModifierType  mods,
             const char      *action,
             const char      *format,
             ...)
{
  GVariant *args = NULL;
  GtkShortcut *shortcut;
  va_list ap;

  if (format != NULL)
    {
      va_start (ap, format);
      args = g_variant_new_va (format, NULL, &ap);
      va_end (ap);
    }
  shortcut = gtk_shortcut_new (gtk_keyval_trigger_new (keyval, mods),
                               gtk_named_action_new (action));
  if (args != NULL)
    gtk_shortcut_set_arguments (shortcut, args);
  gtk_widget_class_add_shortcut (widget_class, shortcut);
  g_object_unref (shortcut);
}

void
_lacuna_image_view_input_class_init (GtkWidgetClass *widget_class)
{
  static const struct { guint key; const char *action; } plain[] = {
    { GDK_KEY_Page_Down, "view.next-slice" },
    { GDK_KEY_KP_Page_Down, "view.next-slice" },
    { GDK_KEY_Down, "view.next-slice" },
    { GDK_KEY_KP_Down, "view.next-slice" },
    { GDK_KEY_Right, "view.next-slice" },
    { GDK_KEY_KP_Right, "view.next-slice" },
    { GDK_KEY_Page_Up, "view.previous-slice" },
    { GDK_KEY_KP_Page_Up, "view.previous-slice" },
    { GDK_KEY_Up, "view.previous-slice" },
    { GDK_KEY_KP_Up, "view.previous-slice" },
    { GDK_KEY_Left, "view.previous-slice" },
    { GDK_KEY_KP_Left, "view.previous-slice" },
    { GDK_KEY_Home, "view.first-slice" },
    { GDK_KEY_KP_Home, "view.first-slice" },
    { GDK_KEY_End, "view.last-slice" },
    { GDK_KEY_KP_End, "view.last-slice" },
    { GDK_KEY_plus, "view.zoom-in" },
    { GDK_KEY_equal, "view.zoom-in" },
    { GDK_KEY_KP_Add, "view.zoom-in" },
    { GDK_KEY_minus, "view.zoom-out" },
    { GDK_KEY_KP_Subtract, "view.zoom-out" },
    { GDK_KEY_0, "view.zoom-best-fit" },
    { GDK_KEY_KP_0, "view.zoom-best-fit" },
    { GDK_KEY_1, "view.zoom-original" },
    { GDK_KEY_KP_1, "view.zoom-original" },
    { GDK_KEY_space, "view.play" },
    { GDK_KEY_a, "view.show-annotations" },
  };
  static const struct { guint key; double fx, fy; } pans[] = {
    { GDK_KEY_Left, -0.1, 0 }, { GDK_KEY_Right, 0.1, 0 },
    { GDK_KEY_Up, 0, -0.1 }, { GDK_KEY_Down, 0, 0.1 },
  };
  static const guint digits[] = { GDK_KEY_1, GDK_KEY_2, GDK_KEY_3, GDK_KEY_4, GDK_KEY_5 };
  const LacunaWindowPreset *presets;
  guint n_presets;

  for (guint i = 0; i < G_N_ELEMENTS (plain); i++)
    add_binding (widget_class, plain[i].key, 0, plain[i].action, NULL);

  /* Ctrl+ variants, as in other viewers. */
  add_binding (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK, "view.zoom-in", NULL);
  add_binding (widget_class, GDK_KEY_equal, GDK_CONTROL_MASK, "view.zoom-in", NULL);
  add_binding (widget_class, GDK_KEY_KP_Add, GDK_CONTROL_MASK, "view.zoom-in", NULL);
  add_binding (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK, "view.zoom-out", NULL);
  add_binding (widget_class, GDK_KEY_KP_Subtract, GDK_CONTROL_MASK, "view.zoom-out", NULL);
  add_binding (widget_class, GDK_KEY_0, GDK_CONTROL_MASK, "view.zoom-best-fit", NULL);
  add_binding (widget_class, GDK_KEY_1, GDK_CONTROL_MASK, "view.zoom-original", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (pans); i++)
    add_binding (widget_class, pans[i].key, GDK_SHIFT_MASK, "view.pan", "(dd)",
                 pans[i].fx, pans[i].fy);

  add_binding (widget_class, GDK_KEY_0, GDK_ALT_MASK, "view.window-preset", "s",
               LACUNA_WINDOW_PRESET_DEFAULT);
  presets = lacuna_window_preset_get_ct (&n_presets);
  for (guint i = 0; i < MIN (n_presets, G_N_ELEMENTS (digits)); i++)
    add_binding (widget_class, digits[i], GDK_ALT_MASK, "view.window-preset", "s", presets[i].id);
}
