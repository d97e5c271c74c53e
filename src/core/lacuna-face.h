/* lacuna-face.h: can a face be seen in this scan? (INFERENCE.md F1 and F2)
 *
 * Volumes (CT/MR): the skin surface is rendered from the patient's anterior direction and
 * eight neighbouring directions (yaw −30/0/+30 × pitch −15/0/+15 degrees), orthographic,
 * upright, with a margin of background, shaded (Lambert + depth cue) from a smoothed depth
 * map, and upscaled when small. Three stock detectors look at each render (OpenCV Haar
 * alt2, OpenCV LBP improved, dlib HOG; see lacuna-vision.h). A face is *found* when in at
 * least one view at least two detectors agree (their boxes overlap with IoU > 0.3).
 *
 * Skin level: CT −300 HU. Other modalities are not calibrated: a few levels are tried
 * (fractions of the 99.5th percentile, always above the background noise measured in the
 * volume's corners), lowest first, until one gives agreement.
 *
 * 2D images (photos, secondary captures, VL): the detectors run on the frame itself.
 *
 * Wording (INFERENCE.md §5): a finding exists only when a face was found, and says "a
 * standard detector found a face"; absence is "not found by our detectors", never "no
 * face". The checks that ran are reported either way (lacuna_face_result_to_json).
 */
#pragma once

#include <gio/gio.h>

#include "lacuna-finding.h"
#include "lacuna-frame.h"
#include "lacuna-series.h"
#include "lacuna-vision.h"
#include "lacuna-volume.h"

G_BEGIN_DECLS

#define LACUNA_FACE_CT_SKIN_HU     (-300.0)
#define LACUNA_FACE_N_VIEWS        9
#define LACUNA_FACE_MIN_AGREEING   2
#define LACUNA_FACE_MIN_IOU        0.3

typedef struct
{
  double           yaw, pitch;       /* degrees; 0, 0 looks at the face from the front */
  double           level;            /* skin level (modality units); 0 for 2D images */
  guint            width, height;    /* of image */
  const guint8    *image;            /* what the detectors saw: 8-bit grey, rows width apart */
  guint            scale;            /* image pixels per render pixel (upscaling) */
  GArray          *boxes[LACUNA_VISION_N_DETECTORS];   /* LacunaVisionBox, image pixels */
  gboolean         consensus;        /* ≥ 2 detectors agree in this view */
  guint            n_agreeing;       /* detectors taking part in the agreement (0, 2, 3) */
  LacunaVisionBox  consensus_box;    /* mean of the agreeing boxes (image pixels) */
} LacunaFaceView;

#define LACUNA_TYPE_FACE_RESULT (lacuna_face_result_get_type ())
G_DECLARE_FINAL_TYPE (LacunaFaceResult, lacuna_face_result, LACUNA, FACE_RESULT, GObject)

/* Renders and detects. Errors: LACUNA_VISION_ERROR when a detector cannot load (the check
 * did not run: never reported as "not found"), G_IO_ERROR_CANCELLED (checked per view). */
LacunaFaceResult *lacuna_face_check_volume    (LacunaVolume      *volume,
                                               GCancellable      *cancellable,
                                               GError           **error);
/* Reads the series as a volume (lacuna_volume_new_from_series), then checks it. */
LacunaFaceResult *lacuna_face_check_series    (LacunaSeries      *series,
                                               GCancellable      *cancellable,
                                               GError           **error);
/* 2D (F2): one view, the image itself (8-bit grey). */
LacunaFaceResult *lacuna_face_check_image     (const guint8      *grey,
                                               guint              width,
                                               guint              height,
                                               gsize              stride,
                                               GError           **error);
/* 2D (F2): a decoded frame, rendered with its default window (colour: luminance). */
LacunaFaceResult *lacuna_face_check_frame     (LacunaFrame       *frame,
                                               GError           **error);

/* TRUE when at least one view has agreement. */
gboolean          lacuna_face_result_get_found          (LacunaFaceResult *self);
gboolean          lacuna_face_result_is_volume          (LacunaFaceResult *self);
guint             lacuna_face_result_get_n_views        (LacunaFaceResult *self);
const LacunaFaceView *lacuna_face_result_get_view       (LacunaFaceResult *self,
                                                         guint             index);
/* Views with agreement ("found in N of 9 views"). */
guint             lacuna_face_result_get_n_views_found  (LacunaFaceResult *self);
/* Detectors that took part in an agreement in any view ("by M of 3 detectors"). */
guint             lacuna_face_result_get_n_detectors_agreeing (LacunaFaceResult *self);
/* Views in which the detector fired at all (agreeing or not). */
guint             lacuna_face_result_get_detector_views (LacunaFaceResult     *self,
                                                         LacunaVisionDetector  detector);
/* Skin level of the reported views, and the levels tried (volumes; NULL/0 for 2D). */
double            lacuna_face_result_get_level          (LacunaFaceResult *self);
const double     *lacuna_face_result_get_levels_tried   (LacunaFaceResult *self,
                                                         guint            *out_n);

/* The finding (kind "face", class DETECTED, status PRESENT) when a face was found, NULL
 * otherwise. sop_instance_uid (nullable) names the image: for 2D the region is the
 * consensus box of the frame (frame 1-based; 0 for the whole instance). */
LacunaFinding    *lacuna_face_result_dup_finding        (LacunaFaceResult *self,
                                                         const char       *sop_instance_uid,
                                                         guint             frame);
/* One translated sentence for either outcome ("… not found by our detectors …"). */
char             *lacuna_face_result_dup_summary        (LacunaFaceResult *self);
/* The checks that ran: {"found", "views": [{"yaw", "pitch", "level", "detectors":
 * {"haar-alt2": n, …}, "agreement": b, "box": [x, y, w, h]}], "n-views", "n-views-found",
 * "detectors": ["haar-alt2", …], "n-detectors-agreeing", "detector-views": {…},
 * "levels-tried": [...], "level"}. */
JsonObject       *lacuna_face_result_to_json            (LacunaFaceResult *self);
/* Writes each view as dir/prefix-NN.png (grey render, boxes drawn: Haar red, LBP green,
 * dlib blue, agreement yellow). */
gboolean          lacuna_face_result_write_pngs         (LacunaFaceResult *self,
                                                         const char       *dir,
                                                         const char       *prefix,
                                                         GError          **error);

/* Waits for the face detectors still running in other threads (a check that was cancelled
 * finishes the view it is in) and makes later checks fail as cancelled. Call it before the
 * process exits: OpenCV frees its static data at exit, under a detector still running. */
void lacuna_face_shutdown (void);

G_END_DECLS
