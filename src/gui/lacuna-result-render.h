/* lacuna-result-render.h: one frame as export would write it ("Show result"), rendered in
 * a thread.
 *
 * The instance is opened again (read-only), the boxes are filled (lacuna_redact_apply():
 * what displays as black for its photometric interpretation), the frame is decoded and
 * rendered with the given window into an RGB24 cairo surface of the frame's size. The
 * blocking form is for tests; the async form runs it with GTask in a thread, so the
 * window never waits on a decode. The worker reads only the instance (immutable once
 * loaded) and its own copies of the boxes and the window.
 */
#pragma once

#include <cairo.h>
#include <gio/gio.h>

#include "lacuna-instance.h"
#include "lacuna-redact.h"

G_BEGIN_DECLS

typedef struct
{
  guint    frame;            /* 0-based */
  double   window_center;
  double   window_width;
  /* The file's own default window (and VOI LUT, when it has one) instead of the above. */
  gboolean default_window;
} LacunaResultRenderParams;

/* boxes: LacunaRedactBox (lacuna_deid_options_resolve_boxes()), may be NULL or empty. */
cairo_surface_t *lacuna_result_render        (LacunaInstance                 *instance,
                                              GArray                         *boxes,
                                              const LacunaResultRenderParams *params,
                                              GCancellable                   *cancellable,
                                              GError                        **error);
/* boxes copied; instance referenced. */
void             lacuna_result_render_async  (LacunaInstance                 *instance,
                                              GArray                         *boxes,
                                              const LacunaResultRenderParams *params,
                                              GCancellable                   *cancellable,
                                              GAsyncReadyCallback             callback,
                                              gpointer                        user_data);
/* The surface (owned), or NULL + error (G_IO_ERROR_CANCELLED when cancelled, even when the
 * thread had finished). */
cairo_surface_t *lacuna_result_render_finish (GAsyncResult                   *result,
                                              GError                        **error);

G_END_DECLS
