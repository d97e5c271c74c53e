/* lacuna-deface.h: a defaced copy of a head volume, and proof of what changed.
 *
 * The face is found first (lacuna-face.h); its consensus boxes from every view that agreed
 * are back-projected onto the frontal (anterior) render to make a face mask, from the brow
 * line (an eighth below the boxes' upper edge) down past the chin (the lower edge extended
 * by a quarter of the box). Inside the mask, along anterior rays, tissue in front of a cut
 * surface is set to air (CT −1000 HU) or background (other modalities: the median of the
 * volume's corners). The cut never lies more than depth_mm below the skin of its ray, so no
 * voxel deeper than that changes (the brain is untouched), and
 * lacuna_deface_result_get_n_deep_changed() proves it by comparing both volumes.
 *
 * Two cuts are tried in turn, each on a fresh copy, until the re-check (all views, all
 * levels) no longer finds agreement:
 * - "envelope": the deepest skin within 12 mm, smoothed, so the nose, lips and eyes are
 *   levelled off rather than shifted back, feathered towards the mask's edges; the last
 *   3 mm in front of it become plain tissue (CT +40 HU; else the volume's 90th percentile;
 *   never in front of the old skin), so the new surface is the smooth cut rather than the
 *   cavities (orbits, sinuses) behind it;
 * - "plane": depth_mm behind the most anterior skin in the mask (quickshear-like, only
 *   inside the mask).
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
/* TRUE when applied and the defaced volume has no agreement in any view at any level. */
gboolean          lacuna_deface_result_get_verified       (LacunaDefaceResult *self);
double            lacuna_deface_result_get_depth          (LacunaDefaceResult *self);
/* The cut that was kept: "envelope" (the deepest skin nearby, with a tissue shell), tried
 * first, or "plane" (quickshear-like, inside the mask) when the re-check still found a
 * face after the first; NULL when not applied. */
const char       *lacuna_deface_result_get_method         (LacunaDefaceResult *self);
LacunaVolume     *lacuna_deface_result_get_original       (LacunaDefaceResult *self);
LacunaVolume     *lacuna_deface_result_get_volume         (LacunaDefaceResult *self);
LacunaFaceResult *lacuna_deface_result_get_before         (LacunaDefaceResult *self);
/* The re-check of the defaced volume (NULL when not applied). */
LacunaFaceResult *lacuna_deface_result_get_after          (LacunaDefaceResult *self);
/* Voxels whose value changed. */
guint64           lacuna_deface_result_get_n_changed      (LacunaDefaceResult *self);
/* Voxels more than depth_mm below the skin (along the anterior rays of the frontal view)
 * whose value changed: 0 unless something is wrong. Counted by comparing the volumes. */
guint64           lacuna_deface_result_get_n_deep_changed (LacunaDefaceResult *self);
/* The face mask in the frontal view's render pixels (x, y, width, height). */
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
