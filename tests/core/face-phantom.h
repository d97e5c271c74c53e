/* face-phantom.h: a synthetic CT head with a face-like relief (INFERENCE.md §3.1, §7), for
 * test-face.c and bench-face.c. Header-only (static functions) so both can include it.
 *
 * LPS millimetres, head centred on the origin: an ellipsoid of soft tissue (+40 HU plus a
 * fixed texture of 0..19 HU, so checksums mean something) in air (−1000 HU), whose
 * anterior half (y < 0) is pushed forward by Gaussian bumps (brow, nose, lips, cheeks,
 * chin) and back by others (eye sockets, mouth groove). The voxels are computed from each
 * voxel's patient position, so any Image Orientation / slice positions can be used.
 */
#pragma once

#include <math.h>

#include "lacuna-volume.h"

#define PHANTOM_AX 68.0    /* left-right semi-axis, mm */
#define PHANTOM_AY 82.0    /* anterior-posterior */
#define PHANTOM_AZ 92.0    /* head-foot */

static inline double
phantom_bump (double x, double z, double cx, double cz, double sx, double sz, double h)
{
  return h * exp (-0.5 * ((x - cx) * (x - cx) / (sx * sx) + (z - cz) * (z - cz) / (sz * sz)));
}

/* Forward displacement (mm) of the anterior surface at (x, z). */
static inline double
phantom_relief (double x,
                double z)
{
  double r = 0;

  r += phantom_bump (x, z, 0, 30, 40, 6, 6);          /* brow ridge */
  r += phantom_bump (x, z, -26, 18, 11, 8, -11);      /* eye sockets */
  r += phantom_bump (x, z, 26, 18, 11, 8, -11);
  r += phantom_bump (x, z, 0, 0, 7, 16, 18);          /* nose */
  r += phantom_bump (x, z, 0, -12, 9, 6, 6);          /* nose tip */
  r += phantom_bump (x, z, -34, -8, 14, 14, 5);       /* cheeks */
  r += phantom_bump (x, z, 34, -8, 14, 14, 5);
  r += phantom_bump (x, z, 0, -32, 18, 5, 6);         /* lips */
  r += phantom_bump (x, z, 0, -36, 20, 1.8, -5);      /* mouth groove */
  r += phantom_bump (x, z, 0, -60, 18, 9, 6);         /* chin */
  return r;
}

/* HU at a patient position; with_face FALSE gives the featureless ellipsoid. */
static inline float
phantom_hu (const double p[3],
            gboolean     with_face)
{
  double x = p[0], y = p[1], z = p[2], ay = PHANTOM_AY;
  double q;

  if (y < 0 && with_face)
    ay += phantom_relief (x, z);
  q = x * x / (PHANTOM_AX * PHANTOM_AX) + y * y / (ay * ay) + z * z / (PHANTOM_AZ * PHANTOM_AZ);
  if (q > 1.0)
    return -1000.0f;
  return 40.0f + (float) ((((int) floor (x) * 7 + (int) floor (y) * 13 + (int) floor (z) * 3)
                           & 0x7fffffff) % 20);
}

/* Fills every voxel of volume from the phantom. */
static inline void
phantom_fill (LacunaVolume *volume,
              gboolean      with_face)
{
  guint nx = lacuna_volume_get_width (volume), ny = lacuna_volume_get_height (volume);
  guint nz = lacuna_volume_get_depth (volume);
  float *data = lacuna_volume_get_data (volume);

  for (guint k = 0; k < nz; k++)
    for (guint j = 0; j < ny; j++)
      {
        double p0[3], p1[3];

        /* Positions are affine along a row: two calls per row, not one per voxel. */
        lacuna_volume_voxel_to_patient (volume, 0, j, k, p0);
        lacuna_volume_voxel_to_patient (volume, 1, j, k, p1);
        for (guint i = 0; i < nx; i++)
          {
            double p[3] = { p0[0] + i * (p1[0] - p0[0]), p0[1] + i * (p1[1] - p0[1]),
                            p0[2] + i * (p1[2] - p0[2]) };

            data[((gsize) k * ny + j) * nx + i] = phantom_hu (p, with_face);
          }
      }
}

/* An axial CT phantom with the given voxel size (mm) covering the box [x0, x1] × [y0, y1] ×
 * [z0, z1] (LPS mm; the head is centred on the origin, its face towards −y). */
static inline LacunaVolume *
phantom_new_axial_box (double   voxel,
                       double   x0,
                       double   x1,
                       double   y0,
                       double   y1,
                       double   z0,
                       double   z1,
                       gboolean with_face)
{
  static const double orientation[6] = { 1, 0, 0, 0, 1, 0 };
  guint nx = (guint) ((x1 - x0) / voxel) + 1, ny = (guint) ((y1 - y0) / voxel) + 1;
  guint nz = (guint) ((z1 - z0) / voxel) + 1;
  double *positions = g_new (double, 3 * nz);
  LacunaVolume *volume;

  for (guint k = 0; k < nz; k++)
    {
      positions[3 * k] = x0;
      positions[3 * k + 1] = y0;
      positions[3 * k + 2] = z0 + k * voxel;
    }
  volume = lacuna_volume_new (nx, ny, nz, orientation, positions, voxel, voxel, "CT", -1000.0f);
  g_free (positions);
  phantom_fill (volume, with_face);
  return volume;
}

/* An axial n³ CT phantom with the given voxel size (mm), centred on the head. */
static inline LacunaVolume *
phantom_new_axial (guint    n,
                   double   voxel,
                   gboolean with_face)
{
  static const double orientation[6] = { 1, 0, 0, 0, 1, 0 };
  double *positions = g_new (double, 3 * n);
  double half = 0.5 * (n - 1) * voxel;
  LacunaVolume *volume;

  for (guint k = 0; k < n; k++)
    {
      positions[3 * k] = -half;
      positions[3 * k + 1] = -half;
      positions[3 * k + 2] = -half + k * voxel;
    }
  volume = lacuna_volume_new (n, n, n, orientation, positions, voxel, voxel, "CT", -1000.0f);
  g_free (positions);
  phantom_fill (volume, with_face);
  return volume;
}
