/* lacuna-face-private.h: the renderer, shared by lacuna-face.c and lacuna-deface.c. */
#pragma once

#include "lacuna-face.h"

G_BEGIN_DECLS

typedef struct
{
  double  yaw, pitch, level;
  double  origin[3];        /* patient position of render pixel (0, 0), on the view plane */
  double  right[3];         /* image x (viewer's right = patient's left at yaw 0) */
  double  down[3];          /* image y (towards the feet) */
  double  forward[3];       /* into the patient (posterior at yaw 0, pitch 0) */
  double  pixel;            /* mm per render pixel */
  guint   width, height;    /* render pixels */
  float  *depth;            /* mm from the plane along forward; NAN where no skin (smoothed) */
  guint8 *shaded;           /* width × height */
  guint   n_hits;
} LacunaFaceRender;

/* Threads a volume check may use (at most 4, default 4; never more than the processors).
 * For benchmarks: set before checking, from one thread. */
extern guint _lacuna_face_max_threads;

/* The skin levels to try for this volume, lowest first (CT: one). Returns how many. */
guint             _lacuna_face_get_levels  (LacunaVolume      *volume,
                                            double             levels[4]);
/* Value used for "air" when removing tissue: CT −1000 HU (or the minimum present), else
 * the median of the corners. */
float             _lacuna_face_get_background (LacunaVolume   *volume);

/* A view as the detectors get it: pixels of the volume's spacing, but no finer than
 * 1.5 mm and no coarser than 2 mm. */
LacunaFaceRender *_lacuna_face_render      (LacunaVolume      *volume,
                                            double             level,
                                            double             yaw,
                                            double             pitch);
/* The same with pixels no finer than min_pixel mm (the volume's spacing when coarser, up
 * to 2 mm): defacing measures the skin on the volume's own grid (min_pixel 0.8). */
LacunaFaceRender *_lacuna_face_render_at   (LacunaVolume      *volume,
                                            double             level,
                                            double             yaw,
                                            double             pitch,
                                            double             min_pixel);
void              _lacuna_face_render_free (LacunaFaceRender  *render);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LacunaFaceRender, _lacuna_face_render_free)

/* The smallest face box (image pixels) the detectors look for in a view of render shown
 * upscaled by scale. */
guint             _lacuna_face_get_min_side (const LacunaFaceRender *render,
                                             guint                   scale);

/* Checks at the given levels only (lowest first, stopping at the first with agreement). */
LacunaFaceResult *_lacuna_face_check_volume_levels (LacunaVolume  *volume,
                                                    const double  *levels,
                                                    guint          n_levels,
                                                    GCancellable  *cancellable,
                                                    GError       **error);
/* The best score each detector gives anywhere on the nine views of a featureless control
 * head (an ellipsoid of soft tissue); −G_MAXDOUBLE when it gives no box at all. Computed
 * once per process. */
gboolean          _lacuna_face_get_control_scores (double   out_scores[LACUNA_VISION_N_DETECTORS],
                                                   GError **error);
/* The render behind view index (volumes only). */
const LacunaFaceRender *_lacuna_face_result_get_render (LacunaFaceResult *self,
                                                        guint             index);

G_END_DECLS
