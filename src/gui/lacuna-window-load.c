/* lacuna-window-load.c: opening files, folders and the sample study in a LacunaWindow.
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "lacuna-window"

#include "config.h"

#include <glib/gi18n.h>

#include "lacuna-window-private.h"
#include "lacuna-recent.h"

/* One load, as seen from the loading thread (which must never hold a strong reference
 * to the window: the last reference could then be dropped in that thread).
 *
 * The first image is decoded by the worker that indexed it, so that it can be in the
 * window's first frame; then the series it belongs to fills in while the rest is indexed
 * (instances pass from the workers through `arrived`; the main thread sorts them into a
 * new LacunaSeries every 100 ms), the slice on screen staying put.
 *
 * Once the first image is found, the workers pause until it is on screen (at most
 * HOLD_MAX_US): on a small machine, indexing the rest would otherwise take the cores that
 * the main thread needs to bring the window up. */
#define HOLD_MAX_US (G_USEC_PER_SEC)

typedef struct
{
  gatomicrefcount ref_count;
  GWeakRef        window;
  guint           serial;

  GMutex          lock;
  GCond           cond;
  GPtrArray      *arrived;        /* LacunaInstance with pixels, indexed since the last look */
  gboolean        holding;        /* the workers wait (under lock) */
  gboolean        released;       /* for good */
  gint64          hold_until;

  /* Main thread. */
  gulong          shown_id;       /* "frame-shown" on the image view */
  GPtrArray      *partial;        /* the first image's series so far */
  LacunaSeries   *partial_model;  /* what the view shows while loading */
} LoadContext;

typedef struct
{
  LoadContext    *context;
  LacunaInstance *instance;
  LacunaFrame    *frame;          /* decoded in the worker, or NULL */
  GHashTable     *attributes;
} FirstImage;

#define LOAD_CONTEXT_KEY "lacuna-load-context"

static LoadContext *
load_context_new (LacunaWindow *window,
                  guint         serial)
{
  LoadContext *context = g_new0 (LoadContext, 1);

  g_atomic_ref_count_init (&context->ref_count);
  g_weak_ref_init (&context->window, window);
  context->serial = serial;
  g_mutex_init (&context->lock);
  g_cond_init (&context->cond);
  context->arrived = g_ptr_array_new_with_free_func (g_object_unref);
  context->partial = g_ptr_array_new_with_free_func (g_object_unref);
  return context;
}

static LoadContext *
load_context_ref (LoadContext *context)
{
  g_atomic_ref_count_inc (&context->ref_count);
  return context;
}

static void
load_context_unref (gpointer data)
{
  LoadContext *context = data;

  if (!g_atomic_ref_count_dec (&context->ref_count))
    return;
  g_weak_ref_clear (&context->window);
  g_mutex_clear (&context->lock);
  g_cond_clear (&context->cond);
  g_clear_pointer (&context->arrived, g_ptr_array_unref);
  g_clear_pointer (&context->partial, g_ptr_array_unref);
  g_clear_object (&context->partial_model);
  g_free (context);
}

static void
load_context_closure_unref (gpointer  data,
                            GClosure *closure)
{
  load_context_unref (data);
}

/* Any thread. */
static void
release_workers (LoadContext *context)
{
  g_mutex_lock (&context->lock);
  context->holding = FALSE;
  context->released = TRUE;
  g_cond_broadcast (&context->cond);
  g_mutex_unlock (&context->lock);
}

static void
first_image_free (gpointer data)
{
  FirstImage *first = data;

  g_clear_pointer (&first->context, load_context_unref);
  g_clear_object (&first->instance);
  g_clear_object (&first->frame);
  g_clear_pointer (&first->attributes, g_hash_table_unref);
  g_free (first);
}

/* ------------------------------------------------------------------------------------- */
/* Loading                                                                               */

/* Called in the loading threads, for every file indexed. */
static void
file_indexed_cb (LacunaInstance  *instance,
                 LacunaDicomFile *file,
                 gpointer         user_data)
{
  LoadContext *context = user_data;

  g_mutex_lock (&context->lock);
  if (lacuna_instance_has_pixels (instance))
    g_ptr_array_add (context->arrived, g_object_ref (instance));
  while (context->holding)
    {
      /* Not painted in time (a hidden window, say): go on. */
      if (!g_cond_wait_until (&context->cond, &context->lock, context->hold_until))
        context->holding = FALSE;
    }
  g_mutex_unlock (&context->lock);
}

/* Adds the instances of the series shown that were indexed since the last call. */
static void
fill_in_series (LacunaWindow *self)
{
  LoadContext *context = self->loader ? g_object_get_data (G_OBJECT (self->loader),
                                                           LOAD_CONTEXT_KEY) : NULL;
  g_autoptr(GPtrArray) arrived = NULL;
  g_autoptr(LacunaSeries) series = NULL;
  guint before;

  if (context == NULL || context->partial_model == NULL || self->first_series_uid == NULL
      || lacuna_image_view_get_model (self->image_view) != G_LIST_MODEL (context->partial_model))
    return;

  g_mutex_lock (&context->lock);
  arrived = g_steal_pointer (&context->arrived);
  context->arrived = g_ptr_array_new_with_free_func (g_object_unref);
  g_mutex_unlock (&context->lock);

  before = context->partial->len;
  for (guint i = 0; i < arrived->len; i++)
    {
      LacunaInstance *instance = g_ptr_array_index (arrived, i);

      if (g_strcmp0 (lacuna_instance_get_series_uid (instance), self->first_series_uid) == 0
          && !g_ptr_array_find (context->partial, instance, NULL))
        g_ptr_array_add (context->partial, g_object_ref (instance));
    }
  if (context->partial->len == before)
    return;

  series = lacuna_series_new (self->first_series_uid);
  for (guint i = 0; i < context->partial->len; i++)
    lacuna_series_add (series, g_ptr_array_index (context->partial, i));
  lacuna_series_sort (series);

  g_set_object (&context->partial_model, series);
  lacuna_image_view_replace_model (self->image_view, G_LIST_MODEL (series));
}

static gboolean
sample_progress_cb (gpointer data)
{
  LacunaWindow *self = data;
  g_autofree char *text = NULL;
  guint done, total;

  fill_in_series (self);

  if (self->loader == NULL)
    {
      gtk_progress_bar_pulse (self->load_progress);
      return G_SOURCE_CONTINUE;
    }

  total = lacuna_loader_get_n_total (self->loader);
  done = lacuna_loader_get_n_done (self->loader);
  if (total == 0)
    {
      gtk_progress_bar_pulse (self->load_progress);
      return G_SOURCE_CONTINUE;
    }

  gtk_progress_bar_set_fraction (self->load_progress, (double) MIN (done, total) / total);
  /* Translators: progress while opening a study */
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Reading %u of %u file…",
                                       "Reading %u of %u files…", total),
                          MIN (done, total), total);
  gtk_label_set_text (self->load_label, text);
  return G_SOURCE_CONTINUE;
}

static void
set_loading (LacunaWindow *self,
             gboolean      loading)
{
  if (self->load_revealer == NULL)   /* disposed */
    {
      g_clear_handle_id (&self->progress_id, g_source_remove);
      return;
    }

  gtk_revealer_set_reveal_child (self->load_revealer, loading);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel-load", loading);

  if (loading && self->progress_id == 0)
    {
      gtk_progress_bar_set_fraction (self->load_progress, 0);
      self->progress_id = g_timeout_add (100, sample_progress_cb, self);
    }
  else if (!loading)
    g_clear_handle_id (&self->progress_id, g_source_remove);
}

void
_lacuna_window_clear_study (LacunaWindow *self)
{
  lacuna_study_browser_set_collection (self->study_browser, NULL);
  lacuna_findings_panel_set_collection (self->findings_panel, NULL);
  gtk_single_selection_set_model (self->selection, NULL);
  lacuna_image_view_set_model (self->image_view, NULL);
  g_clear_object (&self->series_list);
  g_clear_object (&self->collection);
  g_clear_pointer (&self->first_series_uid, g_free);
  adw_window_title_set_subtitle (self->window_title, "");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-problems", FALSE);
}

void
_lacuna_window_stop_load (LacunaWindow *self)
{
  LoadContext *context = self->loader ? g_object_get_data (G_OBJECT (self->loader),
                                                           LOAD_CONTEXT_KEY) : NULL;

  if (context != NULL)
    {
      release_workers (context);
      if (self->image_view != NULL)
        g_clear_signal_handler (&context->shown_id, self->image_view);
    }
  self->load_serial++;
  self->preparing = FALSE;
  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  g_clear_object (&self->loader);
  set_loading (self, FALSE);
}

void
_lacuna_window_show_page (LacunaWindow *self,
                          const char   *name)
{
  gboolean study = g_str_equal (name, "study");

  gtk_stack_set_visible_child_name (self->main_stack, name);
  gtk_widget_set_visible (GTK_WIDGET (self->sidebar_button), study);
  if (!study)
    adw_window_title_set_subtitle (self->window_title, "");
}

/* Prepares the window for a new load; returns its serial. */
static guint
begin_load (LacunaWindow *self,
            const char   *message)
{
  _lacuna_window_stop_load (self);
  _lacuna_window_clear_study (self);
  g_clear_pointer (&self->recent_paths, g_strfreev);

  self->load_cancellable = g_cancellable_new ();
  gtk_label_set_text (self->load_label, message);
  gtk_stack_set_visible_child_name (self->sidebar_stack, "loading");
  _lacuna_window_show_page (self, "study");
  set_loading (self, TRUE);

  return self->load_serial;
}

static void
first_image_shown_cb (LacunaImageView *view,
                      guint            position,
                      LoadContext     *context)
{
  release_workers (context);
  g_clear_signal_handler (&context->shown_id, view);
}

static gboolean
show_first_image_idle (gpointer data)
{
  FirstImage *first = data;
  g_autoptr(LacunaWindow) self = g_weak_ref_get (&first->context->window);
  g_autoptr(LacunaSeries) series = NULL;

  if (self == NULL || self->load_serial != first->context->serial || self->loader == NULL
      || lacuna_image_view_get_model (self->image_view) != NULL)
    {
      release_workers (first->context);
      return G_SOURCE_REMOVE;
    }

  g_debug ("Showing the first image while loading");
  g_free (self->first_series_uid);
  self->first_series_uid = g_strdup (lacuna_instance_get_series_uid (first->instance));
  series = lacuna_series_new (self->first_series_uid);
  lacuna_series_add (series, first->instance);
  g_ptr_array_add (first->context->partial, g_object_ref (first->instance));
  g_set_object (&first->context->partial_model, series);
  first->context->shown_id =
    g_signal_connect_data (self->image_view, "frame-shown", G_CALLBACK (first_image_shown_cb),
                           load_context_ref (first->context), load_context_closure_unref, 0);
  lacuna_image_view_set_model_with_frame (self->image_view, G_LIST_MODEL (series),
                                          first->instance, 0, first->frame, first->attributes);

  return G_SOURCE_REMOVE;
}

/* Called in the loading thread. */
static void
first_image_cb (LacunaInstance *instance,
                gpointer        user_data)
{
  LoadContext *context = user_data;
  FirstImage *first;

  first = g_new0 (FirstImage, 1);
  first->context = load_context_ref (context);
  first->instance = g_object_ref (instance);
  /* Here rather than in the view's decoding threads: no round trip through the main
   * thread, which is busy showing the window. An error is left for the view to show. */
  first->frame = lacuna_image_view_decode_frame (instance, 0, &first->attributes, NULL);

  g_mutex_lock (&context->lock);
  if (!context->released)
    {
      context->holding = TRUE;
      context->hold_until = g_get_monotonic_time () + HOLD_MAX_US;
    }
  g_mutex_unlock (&context->lock);
  /* An idle source, not g_main_context_invoke(): that runs the callback right here, in the
   * loader's thread, whenever no thread owns the main context (as in tests). */
  g_idle_add_full (G_PRIORITY_DEFAULT, show_first_image_idle, first, first_image_free);
}

static guint
find_initial_series (LacunaWindow *self)
{
  guint n = g_list_model_get_n_items (self->series_list);

  if (self->first_series_uid != NULL)
    {
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(LacunaSeries) series = g_list_model_get_item (self->series_list, i);

          if (g_strcmp0 (lacuna_series_get_uid (series), self->first_series_uid) == 0)
            return i;
        }
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LacunaSeries) series = g_list_model_get_item (self->series_list, i);

      if (lacuna_series_get_n_frames (series) > 0)
        return i;
    }

  return 0;
}

static void
load_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  LacunaLoader *loader = LACUNA_LOADER (object);
  g_autoptr(LacunaWindow) self = user_data;
  g_autoptr(LacunaCollection) collection = NULL;
  g_autoptr(GError) error = NULL;

  collection = lacuna_loader_load_finish (loader, result, &error);

  /* A newer open, a cancel or closing the window made this load stale. */
  if (loader != self->loader)
    return;

  _lacuna_window_stop_load (self);

  if (collection == NULL)
    {
      _lacuna_window_clear_study (self);
      _lacuna_window_show_page (self, "welcome");
      lacuna_window_show_error (self, _("Could Not Open"), error, FALSE);
      return;
    }

  self->collection = g_steal_pointer (&collection);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-problems",
                                 lacuna_collection_get_problems (self->collection)->len > 0);

  if (lacuna_collection_get_n_instances (self->collection) == 0)
    {
      _lacuna_window_show_nothing_found (self);
      return;
    }

  self->series_list = lacuna_collection_list_series (self->collection);
  gtk_single_selection_set_model (self->selection, self->series_list);
  lacuna_study_browser_set_collection (self->study_browser, self->collection);
  gtk_stack_set_visible_child_name (self->sidebar_stack, "list");
  if (self->recent_paths != NULL)
    {
      g_autoptr(GError) recent_error = NULL;

      /* Lacuna's own list, never GtkRecentManager: a folder's name can be a patient's. */
      if (!lacuna_recent_add ((const char * const *) self->recent_paths, &recent_error))
        g_debug ("Could not update the recent studies: %s", recent_error->message);
      g_clear_pointer (&self->recent_paths, g_strfreev);
      _lacuna_window_update_recents (self);
    }
  lacuna_window_select_series (self, find_initial_series (self));
  /* Page Down and the arrows move through the slices straight away. */
  gtk_widget_grab_focus (GTK_WIDGET (self->image_view));
  _lacuna_window_report_problems (self);
}

static void
start_load (LacunaWindow       *self,
            const char * const *paths)
{
  LoadContext *context;
  guint serial;

  serial = begin_load (self, _("Looking for images…"));

  self->loader = lacuna_loader_new (paths);
  context = load_context_new (self, serial);
  g_object_set_data_full (G_OBJECT (self->loader), LOAD_CONTEXT_KEY,
                          load_context_ref (context), load_context_unref);
  /* The loader keeps the context (first image func's data) as long as it runs. */
  lacuna_loader_set_file_func (self->loader, file_indexed_cb, context);
  lacuna_loader_set_first_image_func (self->loader, first_image_cb, context, load_context_unref);
  lacuna_loader_load_async (self->loader, self->load_cancellable, load_done_cb,
                            g_object_ref (self));
}

void
lacuna_window_open_paths (LacunaWindow       *self,
                          const char * const *paths)
{
  g_return_if_fail (LACUNA_IS_WINDOW (self));
  g_return_if_fail (paths != NULL && paths[0] != NULL);

  start_load (self, paths);
  self->recent_paths = g_strdupv ((GStrv) paths);
}

void
lacuna_window_open_files (LacunaWindow  *self,
                          GFile        **files,
                          guint          n_files)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  g_return_if_fail (LACUNA_IS_WINDOW (self));

  for (guint i = 0; i < n_files; i++)
    {
      char *path = g_file_get_path (files[i]);

      if (path != NULL)
        g_ptr_array_add (paths, path);
    }

  if (paths->len < n_files)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                                                     _("Only local files can be opened"));
      lacuna_window_show_error (self, _("Some Items Were Not Opened"), error, TRUE);
    }
  if (paths->len == 0)
    return;

  g_ptr_array_add (paths, NULL);
  start_load (self, (const char * const *) paths->pdata);
  self->recent_paths = g_strdupv ((GStrv) paths->pdata);
}

static void
sample_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;
  char *path = lacuna_sample_dup_path (&error);

  if (path != NULL)
    g_task_return_pointer (task, path, g_free);
  else
    g_task_return_error (task, error);
}

static void
sample_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  LacunaWindow *self = LACUNA_WINDOW (object);
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  const char *paths[2] = { NULL, NULL };

  path = g_task_propagate_pointer (G_TASK (result), &error);

  if (!self->preparing || GPOINTER_TO_UINT (user_data) != self->load_serial)
    return;

  self->preparing = FALSE;
  if (path == NULL)
    {
      _lacuna_window_stop_load (self);
      _lacuna_window_show_page (self, "welcome");
      lacuna_window_show_error (self, _("Could Not Create the Sample Study"), error, FALSE);
      return;
    }

  paths[0] = path;
  start_load (self, paths);
}

void
lacuna_window_open_sample (LacunaWindow *self)
{
  g_autoptr(GTask) task = NULL;
  guint serial;

  g_return_if_fail (LACUNA_IS_WINDOW (self));

  serial = begin_load (self, _("Preparing the sample study…"));
  self->preparing = TRUE;
  task = g_task_new (self, NULL, sample_done_cb, GUINT_TO_POINTER (serial));
  g_task_set_source_tag (task, lacuna_window_open_sample);
  g_task_run_in_thread (task, sample_thread);
}

static void
open_recent_cb (GtkButton    *button,
                LacunaWindow *self)
{
  const char *paths[2] = { g_object_get_data (G_OBJECT (button), "lacuna-path"), NULL };

  lacuna_window_open_paths (self, paths);
}

static void
forget_recent_cb (GtkButton    *button,
                  LacunaWindow *self)
{
  g_autoptr(GError) error = NULL;

  if (!lacuna_recent_forget (g_object_get_data (G_OBJECT (button), "lacuna-path"), &error))
    lacuna_window_show_error (self, _("Could Not Forget the Study"), error, TRUE);
  _lacuna_window_update_recents (self);
}

/* The welcome page's list of recently opened studies (Lacuna's private list). */
void
_lacuna_window_update_recents (LacunaWindow *self)
{
  g_auto(GStrv) paths = lacuna_recent_load ();
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->recent_list))) != NULL)
    gtk_list_box_remove (self->recent_list, child);

  for (guint i = 0; paths[i] != NULL && i < 5; i++)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      GtkWidget *open = gtk_button_new ();
      GtkWidget *forget = gtk_button_new_from_icon_name ("edit-clear-symbolic");
      g_autofree char *name = g_path_get_basename (paths[i]);
      GtkWidget *label = gtk_label_new (name);

      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_button_set_child (GTK_BUTTON (open), label);
      gtk_widget_set_hexpand (open, TRUE);
      gtk_widget_set_tooltip_text (open, paths[i]);
      gtk_widget_add_css_class (open, "flat");
      g_object_set_data_full (G_OBJECT (open), "lacuna-path", g_strdup (paths[i]), g_free);
      g_signal_connect_object (open, "clicked", G_CALLBACK (open_recent_cb), self, 0);

      gtk_widget_set_tooltip_text (forget, _("Forget This Study"));
      gtk_widget_add_css_class (forget, "flat");
      g_object_set_data_full (G_OBJECT (forget), "lacuna-path", g_strdup (paths[i]), g_free);
      g_signal_connect_object (forget, "clicked", G_CALLBACK (forget_recent_cb), self, 0);

      gtk_box_append (GTK_BOX (box), open);
      gtk_box_append (GTK_BOX (box), forget);
      gtk_list_box_append (self->recent_list, box);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->recent_list), paths[0] != NULL);
}

void
_lacuna_window_cancel_load_action (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *parameter)
{
  LacunaWindow *self = LACUNA_WINDOW (widget);

  _lacuna_window_stop_load (self);
  _lacuna_window_clear_study (self);
  _lacuna_window_show_page (self, "welcome");
}

