/* lacuna-volume-private.h: engine-internal volume access for the renderer. */
#pragma once

#include "lacuna-volume.h"

G_BEGIN_DECLS

/* lacuna_volume_patient_to_voxel() and trilinear sampling at voxel coordinates, without
 * argument checks (the volume must be at least 2 × 2). */
gboolean _lacuna_volume_locate    (LacunaVolume *self,
                                   const double  position[3],
                                   double        ijk[3]);
float    _lacuna_volume_trilinear (LacunaVolume *self,
                                   const double  ijk[3],
                                   float         outside);

/* For evenly spaced slices: ijk = m · (p − origin) exactly (the shear of a gantry tilt
 * included). FALSE for uneven spacing (use _lacuna_volume_locate). */
gboolean _lacuna_volume_get_affine (LacunaVolume *self,
                                    double        origin[3],
                                    double        m[3][3]);

G_END_DECLS
