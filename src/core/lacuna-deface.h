/* lacuna-deface.h: a defaced copy of a head volume, and proof of what changed.
 *
 * The face is found first (lacuna-face.h); its consensus boxes from every view that agreed
 * are back-projected onto a frontal (anterior) skin map, made on the volume's own grid
 * (0.8–2 mm pixels), to make a face mask: from the boxes' upper edge (the brow line) down
 * past the chin (the lower edge extended by a quarter of the box), a tenth wider on each
 * side. Inside the mask, along anterior rays, tissue in front of a cut surface is set to
 * air (CT −1000 HU) or background (other modalities: the median of the volume's corners).
 * The cut never lies more than depth_mm below the skin of its ray, so no voxel deeper than
 * that changes (the brain is untouched), and lacuna_deface_result_get_n_deep_changed()
 * proves it by comparing both volumes.
 *
 * NOT ONLY AIR: the "smooth" and "envelope" cuts also write plain tissue (CT +40 HU; other
 * modalities the volume's 90th percentile): the last CUT_SHELL (3) mm in front of the cut
 * surface become tissue rather than air, so that the new surface is the smooth cut itself,
 * not the cavities (orbits, sinuses, the eyes' hollows) behind or beneath it — otherwise
 * they would draw a new face. The smooth cut also bridges hollows with that shell (it may
 * lie up to 15 mm in front of the old skin there, never outside the mask and its feather).
 * Those voxels are counted in get_n_changed() like the removed ones; apply() writes them
 * as the tissue value's stored value.
 *
 * Cuts tried in turn, each on a fresh copy, until the re-check (all views, all levels) no
 * longer finds agreement and leaves no residual single detection (below):
 * - "smooth": the skin map low-passed (Gaussian, σ 20 mm: the nose, eyes, lips and brow
 *   are gone, the head's curvature stays), capped at depth_mm below the skin, feathered over
 *   10 mm outside the mask, with the tissue shell; tried on the mask, then on the mask grown
 *   by a fifth on every side;
 * - "envelope": the deepest skin within 12 mm, smoothed, so the nose, lips and eyes are
 *   levelled off rather than shifted back, feathered over 10 mm outside the mask, with the
 *   tissue shell (never in front of the old skin);
 * - "plane": depth_mm behind the most anterior skin in the mask (quickshear-like, only
 *   inside the mask), air only.
 *
 * Verification (INFERENCE.md §6): no view of the defaced volume has agreement, and no
 * single detector fires on the original face (IoU > LACUNA_FACE_MIN_IOU with the view's
 * consensus box before defacing) with a higher score than it gives anywhere on a
 * featureless control head (an ellipsoid of soft tissue, 1.5 mm CT, rendered and searched
 * the same way, once per process). A detector that gives no box on the control may give
 * none on the old face; Haar alt2 does fire on the control's outline, which sets its bar.
 * Only the re-check's reported views count (those of the first level when nothing was
 * found).
 *
 * The output is a new series (the original files are never modified): apply() writes one
 * slice's defaced pixels into an opened copy of its original file, for the exporter;
 * write_series() is a stand-alone writer (new Series and SOP Instance UIDs).
 */
#pragma once

#include <gio/gio.h>

#include "lacuna-dicom.h"
#include "lacuna-face.h"
#include "lacuna-volume.h"

G_BEGIN_DECLS

#define LACUNA_DEFACE_DEFAULT_DEPTH_MM 25.0

#define LACUNA_TYPE_DEFACE_RESULT (lacuna_deface_result_get_type ())
G_DECLARE_FINAL_TYPE (LacunaDefaceResult, lacuna_deface_result, LACUNA, DEFACE_RESULT, GObject)

/* Finds the face, defaces a copy, checks the copy. When no face was found nothing is
 * removed (get_applied() is FALSE). depth_mm in (0, 100]. Errors as lacuna_face_check_volume;
 * G_IO_ERROR_INVALID_ARGUMENT for a bad depth. */
LacunaDefaceResult *lacuna_deface_volume (LacunaVolume   *volume,
                                          double          depth_mm,
                                          GCancellable   *cancellable,
                                          GError        **error);
/* The same from a series (read with lacuna_volume_new_from_series). */
LacunaDefaceResult *lacuna_deface_series (LacunaSeries   *series,
                                          double          depth_mm,
                                          GCancellable   *cancellable,
                                          GError        **error);

/* TRUE when a face was found and tissue was removed. */
gboolean          lacuna_deface_result_get_applied        (LacunaDefaceResult *self);
/* TRUE when applied, the defaced volume has no agreement in any view at any level, no
 * residual single detection (get_n_residual) and no deep voxel changed. */
gboolean          lacuna_deface_result_get_verified       (LacunaDefaceResult *self);
double            lacuna_deface_result_get_depth          (LacunaDefaceResult *self);
/* The cut that was kept: "smooth" (tried first), "envelope" or "plane" (see above); NULL
 * when not applied. */
const char       *lacuna_deface_result_get_method         (LacunaDefaceResult *self);
LacunaVolume     *lacuna_deface_result_get_original       (LacunaDefaceResult *self);
LacunaVolume     *lacuna_deface_result_get_volume         (LacunaDefaceResult *self);
LacunaFaceResult *lacuna_deface_result_get_before         (LacunaDefaceResult *self);
/* The re-check of the defaced volume (NULL when not applied). */
LacunaFaceResult *lacuna_deface_result_get_after          (LacunaDefaceResult *self);
/* Voxels whose value changed. */
guint64           lacuna_deface_result_get_n_changed      (LacunaDefaceResult *self);
/* Single detections left on the original face after the kept cut, scoring above the
 * featureless control (see above): 0 when verified. */
guint             lacuna_deface_result_get_n_residual     (LacunaDefaceResult *self);
/* Voxels more than depth_mm below the skin (along the anterior rays of the frontal view)
 * whose value changed: 0 unless something is wrong. Counted by comparing the volumes. */
guint64           lacuna_deface_result_get_n_deep_changed (LacunaDefaceResult *self);
/* The face mask (without the feather) in the pixels of the frontal view the detectors saw
 * (view 0 of get_before()): x, y, width, height. */
void              lacuna_deface_result_get_mask           (LacunaDefaceResult *self,
                                                           int                 out_box[4]);

/* Slices of the volume that have changed voxels (others can be exported as they are). */
gboolean          lacuna_deface_result_slice_changed      (LacunaDefaceResult *self,
                                                           guint               k);
/* Writes the defaced pixels into file, an opened copy of one of the series' original
 * slices (found by its SOP Instance UID): Pixel Data becomes native, the original stored
 * values with the removed voxels set to the background's stored value; (0028,0302)
 * Recognizable Visual Features is set to NO. (0012,0064) and the UIDs are the caller's
 * (the de-identification engine's) business. FALSE + LACUNA_DICOM_ERROR_NOT_FOUND when the
 * file is not one of the slices. */
gboolean          lacuna_deface_result_apply              (LacunaDefaceResult *self,
                                                           LacunaDicomFile    *file,
                                                           GError            **error);
/* Stand-alone output: each slice as dir/IM00001.dcm … (Explicit VR Little Endian), with
 * apply(), a new Series Instance UID and new SOP Instance UIDs derived from the originals
 * (deterministic: keyed with a fixed key, see lacuna-uid-map.h), written atomically. */
gboolean          lacuna_deface_result_write_series       (LacunaDefaceResult *self,
                                                           const char         *dir,
                                                           GCancellable       *cancellable,
                                                           GError            **error);

G_END_DECLS
