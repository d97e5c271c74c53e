/* lacuna-image-view.c
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "lacuna-image-view"

#include "config.h"

#include <glib/gi18n.h>

#include "lacuna-image-view.h"

#define CACHE_SIZE 8
/* Surface pixels per slice for smooth (touchpad) scrolling. */
#define SMOOTH_SCROLL_STEP 24.0

typedef struct
{
  LacunaInstance *instance;   /* borrowed from the model */
  guint           frame;
} Slice;

typedef struct
{
  LacunaInstance  *instance;
  guint            frame;
  cairo_surface_t *surface;
} CacheEntry;

/* Shared with the decoding threads; outlives the widget while a job runs. */
typedef struct
{
  gatomicrefcount  ref_count;
  int              generation;   /* atomic: the job that still matters */
  GMutex           mutex;        /* guards the open file */
  LacunaInstance  *file_instance;
  LacunaDicomFile *file;
} Shared;

typedef struct
{
  Shared         *shared;
  LacunaInstance *instance;
  guint           frame;
  int             generation;
} Job;

struct _LacunaImageView
{
  GtkWidget        parent_instance;

  GListModel      *model;
  GArray          *slices;
  guint            position;

  cairo_surface_t *surface;
  GError          *error;
  GQueue           cache;        /* of CacheEntry, most recent first */

  Shared          *shared;
  GCancellable    *cancellable;
  double           scroll_delta;

  guint            busy : 1;
};

G_DEFINE_FINAL_TYPE (LacunaImageView, lacuna_image_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MODEL,
  PROP_POSITION,
  PROP_N_POSITIONS,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void request_frame (LacunaImageView *self);

static Shared *
shared_new (void)
{
  Shared *shared = g_new0 (Shared, 1);

  g_atomic_ref_count_init (&shared->ref_count);
  g_mutex_init (&shared->mutex);
  return shared;
}

static Shared *
shared_ref (Shared *shared)
{
  g_atomic_ref_count_inc (&shared->ref_count);
  return shared;
}

static void
shared_unref (Shared *shared)
{
  if (!g_atomic_ref_count_dec (&shared->ref_count))
    return;

  g_clear_pointer (&shared->file, lacuna_dicom_file_free);
  g_clear_object (&shared->file_instance);
  g_mutex_clear (&shared->mutex);
  g_free (shared);
}

static void
job_free (Job *job)
{
  g_clear_pointer (&job->shared, shared_unref);
  g_clear_object (&job->instance);
  g_free (job);
}

static void
cache_entry_free (CacheEntry *entry)
{
  g_clear_object (&entry->instance);
  g_clear_pointer (&entry->surface, cairo_surface_destroy);
  g_free (entry);
}

/* Runs in a worker thread: touches only the job, the shared block (under its mutex) and
 * the immutable instance. */
static cairo_surface_t *
decode_frame (Job           *job,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(LacunaFrame) frame = NULL;
  g_autofree guint8 *rgb = NULL;
  cairo_surface_t *surface;
  double center = 0, width = 0;
  gboolean uses_lut = FALSE;
  guint w, h;
  guint8 *data;
  int stride;

  if (g_atomic_int_get (&job->shared->generation) != job->generation)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Stale");
      return NULL;
    }

  g_mutex_lock (&job->shared->mutex);
  /* Another position may have been asked for while this job waited for the lock. */
  if (g_atomic_int_get (&job->shared->generation) != job->generation)
    {
      g_mutex_unlock (&job->shared->mutex);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Stale");
      return NULL;
    }
  if (job->shared->file_instance != job->instance)
    {
      g_clear_pointer (&job->shared->file, lacuna_dicom_file_free);
      g_clear_object (&job->shared->file_instance);
      job->shared->file = lacuna_instance_open (job->instance, error);
      if (job->shared->file != NULL)
        job->shared->file_instance = g_object_ref (job->instance);
    }
  if (job->shared->file != NULL && !g_cancellable_set_error_if_cancelled (cancellable, error))
    frame = lacuna_frame_decode (job->shared->file, job->frame, error);
  g_mutex_unlock (&job->shared->mutex);

  if (frame == NULL)
    return NULL;

  w = lacuna_frame_get_width (frame);
  h = lacuna_frame_get_height (frame);
  if (w == 0 || h == 0 || w > 32767 || h > 32767)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_TOO_LARGE,
                   _("The image is too large to show (%u × %u)"), w, h);
      return NULL;
    }

  lacuna_frame_get_default_window (frame, &center, &width, &uses_lut);
  rgb = g_malloc ((gsize) w * h * 3);
  lacuna_frame_render_rgb (frame, center, width, uses_lut, rgb, (gsize) w * 3);

  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    {
      cairo_surface_destroy (surface);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                           _("Not enough memory to show the image"));
      return NULL;
    }

  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (guint y = 0; y < h; y++)
    {
      const guint8 *src = rgb + (gsize) y * w * 3;
      guint32 *dst = (guint32 *) (gpointer) (data + (gsize) y * stride);

      for (guint x = 0; x < w; x++, src += 3)
        dst[x] = ((guint32) src[0] << 16) | ((guint32) src[1] << 8) | src[2];
    }
  cairo_surface_mark_dirty (surface);

  return surface;
}

static void
decode_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;
  cairo_surface_t *surface = decode_frame (task_data, cancellable, &error);

  if (surface != NULL)
    g_task_return_pointer (task, surface, (GDestroyNotify) cairo_surface_destroy);
  else
    g_task_return_error (task, error);
}

static CacheEntry *
cache_lookup (LacunaImageView *self,
              LacunaInstance  *instance,
              guint            frame)
{
  for (GList *l = self->cache.head; l != NULL; l = l->next)
    {
      CacheEntry *entry = l->data;

      if (entry->instance == instance && entry->frame == frame)
        {
          g_queue_unlink (&self->cache, l);
          g_queue_push_head_link (&self->cache, l);
          return entry;
        }
    }
  return NULL;
}

static void
cache_add (LacunaImageView *self,
           LacunaInstance  *instance,
           guint            frame,
           cairo_surface_t *surface)
{
  CacheEntry *entry;

  if (cache_lookup (self, instance, frame) != NULL)
    return;

  entry = g_new0 (CacheEntry, 1);
  entry->instance = g_object_ref (instance);
  entry->frame = frame;
  entry->surface = cairo_surface_reference (surface);
  g_queue_push_head (&self->cache, entry);

  while (self->cache.length > CACHE_SIZE)
    cache_entry_free (g_queue_pop_tail (&self->cache));
}

static void
set_busy (LacunaImageView *self,
          gboolean         busy)
{
  if (self->busy == !!busy)
    return;

  self->busy = !!busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
show_surface (LacunaImageView *self,
              cairo_surface_t *surface,
              GError          *error)
{
  g_clear_pointer (&self->surface, cairo_surface_destroy);
  g_clear_error (&self->error);
  self->surface = surface ? cairo_surface_reference (surface) : NULL;
  self->error = error;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
decode_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(LacunaImageView) self = user_data;
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  cairo_surface_t *surface;

  surface = g_task_propagate_pointer (G_TASK (result), &error);

  if (surface != NULL && self->slices != NULL)
    cache_add (self, job->instance, job->frame, surface);

  if (job->generation == g_atomic_int_get (&self->shared->generation)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      show_surface (self, surface, g_steal_pointer (&error));
      set_busy (self, FALSE);
    }

  g_clear_pointer (&surface, cairo_surface_destroy);
}

static void
update_accessible (LacunaImageView *self)
{
  g_autofree char *label = NULL;

  if (self->slices == NULL || self->slices->len == 0)
    label = g_strdup (_("Image"));
  else
    /* Translators: the accessible name of the image area */
    label = g_strdup_printf (_("Image, slice %u of %u"), self->position + 1, self->slices->len);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
}

static void
request_frame (LacunaImageView *self)
{
  g_autoptr(GTask) task = NULL;
  const Slice *slice;
  CacheEntry *entry;
  Job *job;
  int generation;

  generation = g_atomic_int_add (&self->shared->generation, 1) + 1;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  if (self->slices == NULL || self->slices->len == 0)
    {
      show_surface (self, NULL, NULL);
      set_busy (self, FALSE);
      return;
    }

  slice = &g_array_index (self->slices, Slice, self->position);
  entry = cache_lookup (self, slice->instance, slice->frame);
  if (entry != NULL)
    {
      show_surface (self, entry->surface, NULL);
      set_busy (self, FALSE);
      return;
    }

  job = g_new0 (Job, 1);
  job->shared = shared_ref (self->shared);
  job->instance = g_object_ref (slice->instance);
  job->frame = slice->frame;
  job->generation = generation;

  self->cancellable = g_cancellable_new ();
  task = g_task_new (NULL, self->cancellable, decode_done, g_object_ref (self));
  g_task_set_source_tag (task, request_frame);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_set_return_on_cancel (task, FALSE);
  set_busy (self, TRUE);
  g_task_run_in_thread (task, decode_thread);
}

static void
move_by (LacunaImageView *self,
         int              delta)
{
  gint64 position;

  if (self->slices == NULL || self->slices->len == 0)
    return;

  position = (gint64) self->position + delta;
  position = CLAMP (position, 0, (gint64) self->slices->len - 1);
  lacuna_image_view_set_position (self, (guint) position);
}

static void
next_slice_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  move_by (LACUNA_IMAGE_VIEW (widget), 1);
}

static void
previous_slice_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  move_by (LACUNA_IMAGE_VIEW (widget), -1);
}

static void
first_slice_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  lacuna_image_view_set_position (LACUNA_IMAGE_VIEW (widget), 0);
}

static void
last_slice_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  LacunaImageView *self = LACUNA_IMAGE_VIEW (widget);

  if (self->slices != NULL && self->slices->len > 0)
    lacuna_image_view_set_position (self, self->slices->len - 1);
}

static void
update_actions (LacunaImageView *self)
{
  guint n = self->slices ? self->slices->len : 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "view.previous-slice", self->position > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "view.first-slice", self->position > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "view.next-slice", self->position + 1 < n);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "view.last-slice", self->position + 1 < n);
}

static gboolean
scroll_cb (LacunaImageView          *self,
           double                    dx,
           double                    dy,
           GtkEventControllerScroll *controller)
{
  int steps;

  if (self->slices == NULL || self->slices->len < 2)
    return FALSE;

  if (gtk_event_controller_scroll_get_unit (controller) == GDK_SCROLL_UNIT_SURFACE)
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
draw_message (LacunaImageView *self,
              GtkSnapshot     *snapshot,
              int              width,
              int              height,
              const char      *message)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), message);
  GdkRGBA grey = { 0.75, 0.75, 0.75, 1.0 };
  int lw, lh;

  pango_layout_set_width (layout, MAX (1, width - 48) * PANGO_SCALE);
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_get_pixel_size (layout, &lw, &lh);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((width - lw) / 2.0, (height - lh) / 2.0));
  gtk_snapshot_append_layout (snapshot, layout, &grey);
  gtk_snapshot_restore (snapshot);
}

static void
lacuna_image_view_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  LacunaImageView *self = LACUNA_IMAGE_VIEW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GdkRGBA black = { 0, 0, 0, 1 };
  int iw, ih;
  double scale, x, y;
  cairo_t *cr;

  if (width <= 0 || height <= 0)
    return;

  gtk_snapshot_append_color (snapshot, &black, &GRAPHENE_RECT_INIT (0, 0, width, height));

  if (self->error != NULL)
    {
      g_autofree char *message = g_strdup_printf ("%s\n%s", _("This image cannot be shown"),
                                                  self->error->message);
      draw_message (self, snapshot, width, height, message);
      return;
    }

  if (self->model != NULL && (self->slices == NULL || self->slices->len == 0))
    {
      draw_message (self, snapshot, width, height, _("This series has no images"));
      return;
    }

  if (self->surface == NULL)
    return;

  iw = cairo_image_surface_get_width (self->surface);
  ih = cairo_image_surface_get_height (self->surface);
  scale = MIN ((double) width / iw, (double) height / ih);
  x = (width - iw * scale) / 2.0;
  y = (height - ih * scale) / 2.0;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (x, y, iw * scale, ih * scale));
  cairo_translate (cr, x, y);
  cairo_scale (cr, scale, scale);
  cairo_set_source_surface (cr, self->surface, 0, 0);
  /* Magnified pixels stay square blocks (a radiologist must see the real pixels); a
   * shrunk image is filtered so that it does not alias. */
  cairo_pattern_set_filter (cairo_get_source (cr),
                            scale >= 1.0 ? CAIRO_FILTER_NEAREST : CAIRO_FILTER_GOOD);
  cairo_rectangle (cr, 0, 0, iw, ih);
  cairo_fill (cr);
  cairo_destroy (cr);
}

static void
lacuna_image_view_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  /* The natural size decides when the window's sidebar folds away. */
  *minimum = 64;
  *natural = 400;
}

static void
lacuna_image_view_dispose (GObject *object)
{
  LacunaImageView *self = (LacunaImageView *) object;

  g_atomic_int_inc (&self->shared->generation);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_queue_clear_full (&self->cache, (GDestroyNotify) cache_entry_free);
  g_clear_pointer (&self->surface, cairo_surface_destroy);
  g_clear_pointer (&self->slices, g_array_unref);
  g_clear_object (&self->model);

  G_OBJECT_CLASS (lacuna_image_view_parent_class)->dispose (object);
}

static void
lacuna_image_view_finalize (GObject *object)
{
  LacunaImageView *self = (LacunaImageView *) object;

  g_clear_error (&self->error);
  g_clear_pointer (&self->shared, shared_unref);

  G_OBJECT_CLASS (lacuna_image_view_parent_class)->finalize (object);
}

static void
lacuna_image_view_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  LacunaImageView *self = LACUNA_IMAGE_VIEW (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, self->model);
      break;

    case PROP_POSITION:
      g_value_set_uint (value, self->position);
      break;

    case PROP_N_POSITIONS:
      g_value_set_uint (value, lacuna_image_view_get_n_positions (self));
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lacuna_image_view_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  LacunaImageView *self = LACUNA_IMAGE_VIEW (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      lacuna_image_view_set_model (self, g_value_get_object (value));
      break;

    case PROP_POSITION:
      lacuna_image_view_set_position (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lacuna_image_view_class_init (LacunaImageViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lacuna_image_view_dispose;
  object_class->finalize = lacuna_image_view_finalize;
  object_class->get_property = lacuna_image_view_get_property;
  object_class->set_property = lacuna_image_view_set_property;

  widget_class->snapshot = lacuna_image_view_snapshot;
  widget_class->measure = lacuna_image_view_measure;

  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL,
                         G_TYPE_LIST_MODEL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_POSITION] =
    g_param_spec_uint ("position", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_N_POSITIONS] =
    g_param_spec_uint ("n-positions", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_action (widget_class, "view.next-slice", NULL, next_slice_action);
  gtk_widget_class_install_action (widget_class, "view.previous-slice", NULL, previous_slice_action);
  gtk_widget_class_install_action (widget_class, "view.first-slice", NULL, first_slice_action);
  gtk_widget_class_install_action (widget_class, "view.last-slice", NULL, last_slice_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Down, 0, "view.next-slice", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Page_Down, 0, "view.next-slice", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, 0, "view.next-slice", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Down, 0, "view.next-slice", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Up, 0, "view.previous-slice", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Page_Up, 0, "view.previous-slice", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, 0, "view.previous-slice", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Up, 0, "view.previous-slice", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Home, 0, "view.first-slice", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_End, 0, "view.last-slice", NULL);

  gtk_widget_class_set_css_name (widget_class, "lacuna-image-view");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
lacuna_image_view_init (LacunaImageView *self)
{
  GtkEventController *controller;
  GtkGesture *click;

  self->shared = shared_new ();
  g_queue_init (&self->cache);

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  g_signal_connect_swapped (controller, "scroll", G_CALLBACK (scroll_cb), self);
  g_signal_connect_swapped (controller, "scroll-begin", G_CALLBACK (scroll_begin_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  /* A click gives the keyboard focus to the image, so the arrow keys move through it. */
  click = gtk_gesture_click_new ();
  g_signal_connect_swapped (click, "pressed", G_CALLBACK (gtk_widget_grab_focus), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  update_actions (self);
  update_accessible (self);
}

GtkWidget *
lacuna_image_view_new (void)
{
  return g_object_new (LACUNA_TYPE_IMAGE_VIEW, NULL);
}

GListModel *
lacuna_image_view_get_model (LacunaImageView *self)
{
  g_return_val_if_fail (LACUNA_IS_IMAGE_VIEW (self), NULL);

  return self->model;
}

void
lacuna_image_view_set_model (LacunaImageView *self,
                             GListModel      *model)
{
  g_autoptr(GArray) slices = NULL;
  guint old_n;
  guint n;

  g_return_if_fail (LACUNA_IS_IMAGE_VIEW (self));
  g_return_if_fail (model == NULL || G_IS_LIST_MODEL (model));

  if (self->model == model)
    return;

  old_n = lacuna_image_view_get_n_positions (self);

  slices = g_array_new (FALSE, FALSE, sizeof (Slice));
  n = model ? g_list_model_get_n_items (model) : 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LacunaInstance) instance = g_list_model_get_item (model, i);
      guint n_frames;

      if (!lacuna_instance_has_pixels (instance))
        continue;

      n_frames = MAX (1, lacuna_instance_get_n_frames (instance));
      for (guint f = 0; f < n_frames; f++)
        {
          Slice slice = { instance, f };

          g_array_append_val (slices, slice);
        }
    }

  g_set_object (&self->model, model);
  g_clear_pointer (&self->slices, g_array_unref);
  self->slices = g_steal_pointer (&slices);
  self->position = 0;
  self->scroll_delta = 0;

  request_frame (self);
  update_actions (self);
  update_accessible (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION]);
  if (old_n != self->slices->len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_POSITIONS]);
}

guint
lacuna_image_view_get_position (LacunaImageView *self)
{
  g_return_val_if_fail (LACUNA_IS_IMAGE_VIEW (self), 0);

  return self->position;
}

void
lacuna_image_view_set_position (LacunaImageView *self,
                                guint            position)
{
  guint n;

  g_return_if_fail (LACUNA_IS_IMAGE_VIEW (self));

  n = lacuna_image_view_get_n_positions (self);
  if (n == 0)
    return;
  position = MIN (position, n - 1);
  if (position == self->position)
    return;

  self->position = position;
  request_frame (self);
  update_actions (self);
  update_accessible (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION]);
}

guint
lacuna_image_view_get_n_positions (LacunaImageView *self)
{
  g_return_val_if_fail (LACUNA_IS_IMAGE_VIEW (self), 0);

  return self->slices ? self->slices->len : 0;
}

LacunaInstance *
lacuna_image_view_get_instance (LacunaImageView *self,
                                guint           *out_frame)
{
  const Slice *slice;

  g_return_val_if_fail (LACUNA_IS_IMAGE_VIEW (self), NULL);

  if (self->slices == NULL || self->slices->len == 0)
    return NULL;

  slice = &g_array_index (self->slices, Slice, self->position);
  if (out_frame != NULL)
    *out_frame = slice->frame;
  return slice->instance;
}

gboolean
lacuna_image_view_get_busy (LacunaImageView *self)
{
  g_return_val_if_fail (LACUNA_IS_IMAGE_VIEW (self), FALSE);

  return self->busy;
}

const GError *
lacuna_image_view_get_error (LacunaImageView *self)
{
  g_return_val_if_fail (LACUNA_IS_IMAGE_VIEW (self), NULL);

  return self->error;
}

cairo_surface_t *
lacuna_image_view_get_surface (LacunaImageView *self)
{
  g_return_val_if_fail (LACUNA_IS_IMAGE_VIEW (self), NULL);

  return self->surface;
}
