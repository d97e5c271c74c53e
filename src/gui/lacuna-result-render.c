/* lacuna-result-render.c: the clean copy of one frame, rendered in a thread. */
#define G_LOG_DOMAIN "lacuna-result-render"

#include "config.h"

#include <glib/gi18n.h>

#include "lacuna-frame.h"
#include "lacuna-result-render.h"

cairo_surface_t *
lacuna_result_render (LacunaInstance                 *instance,
                      GArray                         *boxes,
                      const LacunaResultRenderParams *params,
                      GCancellable                   *cancellable,
                      GError                        **error)
{
  g_autoptr(LacunaDicomFile) file = NULL;
  g_autoptr(LacunaFrame) frame = NULL;
  g_autofree guint8 *buffer = NULL;
  LacunaRedactResult result = { 0, };
  double center = params->window_center;
  double width = params->window_width;
  gboolean uses_lut = FALSE;
  cairo_surface_t *surface;
  guint fw, fh;
  guint8 *data;
  int stride;

  g_return_val_if_fail (instance != NULL, NULL);
  g_return_val_if_fail (params != NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  file = lacuna_instance_open (instance, error);
  if (file == NULL)
    return NULL;
  if (!lacuna_redact_apply (file,
                            boxes != NULL ? (const LacunaRedactBox *) (gpointer) boxes->data : NULL,
                            boxes != NULL ? boxes->len : 0, &result, error))
    return NULL;
  lacuna_redact_result_clear (&result);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  frame = lacuna_frame_decode (file, params->frame, error);
  if (frame == NULL)
    return NULL;
  if (params->default_window)
    lacuna_frame_get_default_window (frame, &center, &width, &uses_lut);

  fw = lacuna_frame_get_width (frame);
  fh = lacuna_frame_get_height (frame);
  buffer = g_malloc ((gsize) fw * fh * 3);
  lacuna_frame_render_rgb (frame, center, width, uses_lut, buffer, (gsize) fw * 3);
  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) fw, (int) fh);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    {
      cairo_surface_destroy (surface);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   _("Not enough memory to show the image"));
      return NULL;
    }
  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (guint y = 0; y < fh; y++)
    {
      guint32 *dst = (guint32 *) (gpointer) (data + (gsize) y * stride);
      const guint8 *src = buffer + (gsize) y * fw * 3;

      for (guint x = 0; x < fw; x++, src += 3)
        dst[x] = ((guint32) src[0] << 16) | ((guint32) src[1] << 8) | src[2];
    }
  cairo_surface_mark_dirty (surface);
  return surface;
}

typedef struct
{
  LacunaInstance           *instance;
  GArray                   *boxes;
  LacunaResultRenderParams  params;
} RenderData;

static void
render_data_free (RenderData *data)
{
  g_clear_object (&data->instance);
  g_clear_pointer (&data->boxes, g_array_unref);
  g_free (data);
}

static void
render_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  RenderData *data = task_data;
  GError *error = NULL;
  cairo_surface_t *surface = lacuna_result_render (data->instance, data->boxes, &data->params,
                                                   cancellable, &error);

  if (surface != NULL)
    g_task_return_pointer (task, surface, (GDestroyNotify) cairo_surface_destroy);
  else
    g_task_return_error (task, error);
}

void
lacuna_result_render_async (LacunaInstance                 *instance,
                            GArray                         *boxes,
                            const LacunaResultRenderParams *params,
                            GCancellable                   *cancellable,
                            GAsyncReadyCallback             callback,
                            gpointer                        user_data)
{
  g_autoptr(GTask) task = NULL;
  RenderData *data;

  g_return_if_fail (instance != NULL);
  g_return_if_fail (params != NULL);

  data = g_new0 (RenderData, 1);
  data->instance = g_object_ref (instance);
  data->boxes = g_array_sized_new (FALSE, FALSE, sizeof (LacunaRedactBox),
                                   boxes != NULL ? boxes->len : 0);
  if (boxes != NULL && boxes->len > 0)
    g_array_append_vals (data->boxes, boxes->data, boxes->len);
  data->params = *params;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lacuna_result_render_async);
  g_task_set_task_data (task, data, (GDestroyNotify) render_data_free);
  g_task_run_in_thread (task, render_thread);
}

cairo_surface_t *
lacuna_result_render_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  /* GTask checks the cancellable: a result that came in after a cancel is an error. */
  return g_task_propagate_pointer (G_TASK (result), error);
}
