/* lacuna-volume.h: a series' slices as one volume of modality values (HU for CT), with the
 * geometry to place every voxel in the patient coordinate system (LPS, mm).
 *
 * Voxel (i, j, k): column i, row j of slice k. Slices are ordered along the slice normal
 * (increasing dot (position, normal)), whatever the viewing order of the series. Each
 * slice keeps its own Image Position (Patient): gantry tilt (origins sheared along the
 * stack) and uneven spacing are handled by interpolating between the actual positions,
 * never by assuming a regular grid. In LPS, x grows to the patient's left, y to the
 * posterior, z to the head: the anterior direction is −y whatever Image Orientation says;
 * lacuna_volume_get_anterior() gives it in voxel-index terms.
 */
#pragma once

#include <gio/gio.h>

#include "lacuna-series.h"

G_BEGIN_DECLS

#define LACUNA_TYPE_VOLUME (lacuna_volume_get_type ())
G_DECLARE_FINAL_TYPE (LacunaVolume, lacuna_volume, LACUNA, VOLUME, GObject)

/* Most voxels a volume may hold (about 2 GB of floats). */
#define LACUNA_VOLUME_MAX_VOXELS (G_GUINT64_CONSTANT (512) * 1024 * 1024)

/* Builds the volume from the series' single-frame grey images: all must have the same
 * Rows/Columns, Image Orientation (Patient), Image Position (Patient), Pixel Spacing and
 * distinct positions along the normal (at least 2 slices). Reads and decodes every file.
 * Errors: LACUNA_LOAD_ERROR_FAILED naming the attribute that is missing or inconsistent;
 * LACUNA_DICOM_ERROR from decoding; G_IO_ERROR_CANCELLED (checked per slice). */
LacunaVolume   *lacuna_volume_new_from_series (LacunaSeries   *series,
                                               GCancellable   *cancellable,
                                               GError        **error);

/* An empty volume (all voxels = fill) with explicit geometry: orientation as in Image
 * Orientation (Patient) (row direction, then column direction), positions nz × 3 (each
 * slice's Image Position, in any order: they are sorted along the normal), spacing_x
 * between columns, spacing_y between rows. For phantoms and tests. NULL when the
 * geometry is unusable (degenerate orientation, fewer than 2 slices, repeated position). */
LacunaVolume   *lacuna_volume_new             (guint           nx,
                                               guint           ny,
                                               guint           nz,
                                               const double    orientation[6],
                                               const double   *positions,
                                               double          spacing_x,
                                               double          spacing_y,
                                               const char     *modality,
                                               float           fill);

/* A deep copy (voxels and geometry; the instances are shared). */
LacunaVolume   *lacuna_volume_copy            (LacunaVolume   *self);

guint           lacuna_volume_get_width       (LacunaVolume   *self);   /* nx: columns */
guint           lacuna_volume_get_height      (LacunaVolume   *self);   /* ny: rows */
guint           lacuna_volume_get_depth       (LacunaVolume   *self);   /* nz: slices */
/* "CT", "MR", … ("" when unknown). */
const char     *lacuna_volume_get_modality    (LacunaVolume   *self);
/* nx × ny × nz modality values, i fastest, then j, then k. Writable (phantoms, defacing). */
float          *lacuna_volume_get_data        (LacunaVolume   *self);
float           lacuna_volume_get_voxel       (LacunaVolume   *self,
                                               guint           i,
                                               guint           j,
                                               guint           k);

/* Column and row spacing, and the mean distance between slices along the normal (mm). */
void            lacuna_volume_get_spacing     (LacunaVolume   *self,
                                               double          out_spacing[3]);
/* The smallest distance between neighbouring slices along the normal, and the largest. */
void            lacuna_volume_get_slice_gaps  (LacunaVolume   *self,
                                               double         *out_min,
                                               double         *out_max);
/* Image Orientation (Patient) of the slices. */
void            lacuna_volume_get_orientation (LacunaVolume   *self,
                                               double          out_orientation[6]);
/* Image Position (Patient) of slice k. */
void            lacuna_volume_get_position    (LacunaVolume   *self,
                                               guint           k,
                                               double          out_position[3]);
/* Degrees between the slice normal and the line through the first and last slice origins
 * (0 without gantry tilt). */
double          lacuna_volume_get_tilt        (LacunaVolume   *self);

/* The patient's anterior direction (LPS −y) expressed in voxel-index steps: the unit
 * vector (di, dj, dk) in mm-weighted index space, i.e. how the axes i, j, k (scaled by
 * their spacing) point anteriorly. For an axial head slice with the usual orientation,
 * (0, −1, 0). */
void            lacuna_volume_get_anterior    (LacunaVolume   *self,
                                               double          out_direction[3]);

/* Patient position of voxel (i, j, k) (k may be fractional between slices). */
void            lacuna_volume_voxel_to_patient (LacunaVolume  *self,
                                                double         i,
                                                double         j,
                                                double         k,
                                                double         out_position[3]);
/* The continuous voxel coordinates of a patient position; FALSE when it lies outside the
 * stack of slices (before the first or after the last along the normal). */
gboolean        lacuna_volume_patient_to_voxel (LacunaVolume  *self,
                                                const double   position[3],
                                                double         out_ijk[3]);
/* Trilinear interpolation at a patient position; outside gives `outside`. */
float           lacuna_volume_sample          (LacunaVolume   *self,
                                               const double    position[3],
                                               float           outside);

/* The instance slice k was read from (NULL for lacuna_volume_new). */
LacunaInstance *lacuna_volume_get_instance    (LacunaVolume   *self,
                                               guint           k);

/* Value at fraction p (0..1) of the sorted voxel values (estimated from a regular sample
 * of at most about a million voxels). */
double          lacuna_volume_get_percentile  (LacunaVolume   *self,
                                               double          p);

G_END_DECLS
