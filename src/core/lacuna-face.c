/* lacuna-face.c: skin-surface renders of a volume, and the face detectors' consensus. */
#define G_LOG_DOMAIN "lacuna-face"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <glib/gi18n-lib.h>

#include "lacuna-face.h"
#include "lacuna-face-private.h"
#include "lacuna-volume-private.h"

#define BLOCK          8       /* occupancy blocks, voxels a side */
#define MARGIN         0.15    /* background around the head, of the larger side */
#define TARGET_SIDE    448.0   /* renders are upscaled until their larger side reaches this */
#define MAX_SCALE      4
/* Render pixels are never finer than this (mm): a face needs no more, and rendering costs
 * the square of it. Volumes with coarser voxels are rendered at their own spacing (≤ 2). */
#define MIN_PIXEL_MM   1.5
/* The smallest face box the detectors look for in a render (mm across, in the patient):
 * the boxes of an adult face measure 100–130 mm, a newborn's about 60. Skipping smaller
 * scales is most of the detectors' saving. */
#define MIN_FACE_MM    50.0
/* Views are rendered and searched on up to this many threads. */
#define MAX_THREADS    4

guint _lacuna_face_max_threads = MAX_THREADS;

static const double view_yaws[3] = { 0.0, -30.0, 30.0 };
static const double view_pitches[3] = { 0.0, -15.0, 15.0 };

struct _LacunaFaceResult
{
  GObject           parent_instance;

  gboolean          volume;
  GArray           *views;         /* LacunaFaceView */
  GPtrArray        *renders;       /* LacunaFaceRender (volumes) */
  GPtrArray        *images;        /* guint8 buffers behind views[i].image */
  double            level;
  GArray           *levels_tried;  /* double */
};

G_DEFINE_FINAL_TYPE (LacunaFaceResult, lacuna_face_result, G_TYPE_OBJECT)

static void
lacuna_face_result_finalize (GObject *object)
{
  LacunaFaceResult *self = LACUNA_FACE_RESULT (object);

  for (guint v = 0; v < self->views->len; v++)
    {
      LacunaFaceView *view = &g_array_index (self->views, LacunaFaceView, v);

      for (guint d = 0; d < LACUNA_VISION_N_DETECTORS; d++)
        g_clear_pointer (&view->boxes[d], g_array_unref);
    }
  g_array_unref (self->views);
  g_ptr_array_unref (self->renders);
  g_ptr_array_unref (self->images);
  g_array_unref (self->levels_tried);

  G_OBJECT_CLASS (lacuna_face_result_parent_class)->finalize (object);
}

static void
lacuna_face_result_class_init (LacunaFaceResultClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lacuna_face_result_finalize;
}

static void
lacuna_face_result_init (LacunaFaceResult *self)
{
  self->views = g_array_new (FALSE, TRUE, sizeof (LacunaFaceView));
  self->renders = g_ptr_array_new_with_free_func ((GDestroyNotify) _lacuna_face_render_free);
  self->images = g_ptr_array_new_with_free_func (g_free);
  self->levels_tried = g_array_new (FALSE, FALSE, sizeof (double));
}

/* ---------------------------------------------------------------------------------------- */
/* Levels                                                                                   */

static gboolean
is_ct (LacunaVolume *volume)
{
  return g_strcmp0 (lacuna_volume_get_modality (volume), "CT") == 0;
}

static int
compare_floats (const void *a,
                const void *b)
{
  float x = *(const float *) a, y = *(const float *) b;

  return (x > y) - (x < y);
}

/* Values in the eight corner cubes (a tenth of each side, at least 2 voxels). */
static GArray *
corner_values (LacunaVolume *volume)
{
  guint n[3] = { lacuna_volume_get_width (volume), lacuna_volume_get_height (volume),
                 lacuna_volume_get_depth (volume) };
  guint c[3];
  const float *data = lacuna_volume_get_data (volume);
  GArray *values = g_array_new (FALSE, FALSE, sizeof (float));

  for (guint a = 0; a < 3; a++)
    c[a] = MIN (n[a], MAX (2, n[a] / 10));
  for (guint corner = 0; corner < 8; corner++)
    for (guint k = 0; k < c[2]; k++)
      for (guint j = 0; j < c[1]; j++)
        for (guint i = 0; i < c[0]; i++)
          {
            guint x = corner & 1 ? n[0] - 1 - i : i;
            guint y = corner & 2 ? n[1] - 1 - j : j;
            guint z = corner & 4 ? n[2] - 1 - k : k;

            g_array_append_val (values, data[((gsize) z * n[1] + y) * n[0] + x]);
          }
  qsort (values->data, values->len, sizeof (float), compare_floats);
  return values;
}

guint
_lacuna_face_get_levels (LacunaVolume *volume,
                         double        levels[4])
{
  /* The documented level first, then one lower and one higher. */
  static const double fractions[] = { 0.10, 0.07, 0.14 };
  g_autoptr(GArray) corners = NULL;
  double top, noise;
  guint n = 0;

  if (is_ct (volume))
    {
      levels[0] = LACUNA_FACE_CT_SKIN_HU;
      return 1;
    }

  /* Just above the noise of the air in the corners (its 99th percentile), and at a few
   * fractions of the bright end (INFERENCE.md §8: about 10 % of the 99.5th percentile
   * shows the face of a T1 head). */
  top = lacuna_volume_get_percentile (volume, 0.995);
  corners = corner_values (volume);
  noise = g_array_index (corners, float, (guint) (0.99 * (corners->len - 1)));
  for (guint f = 0; f < G_N_ELEMENTS (fractions); f++)
    {
      double level = fractions[f] * top;

      if (level <= noise)
        continue;
      levels[n++] = level;
    }
  if (n == 0 && top > noise)
    levels[n++] = noise + 0.1 * (top - noise);
  return n;
}

float
_lacuna_face_get_background (LacunaVolume *volume)
{
  g_autoptr(GArray) corners = corner_values (volume);

  if (is_ct (volume))
    return (float) MAX (-1000.0, lacuna_volume_get_percentile (volume, 0.0));
  return g_array_index (corners, float, corners->len / 2);
}

/* ---------------------------------------------------------------------------------------- */
/* Rendering                                                                                */

typedef struct
{
  LacunaVolume *volume;
  guint         bx, by, bz;     /* blocks along i, j, k */
  guint8       *occupied;       /* dilated: the block or a neighbour reaches the level */
} Occupancy;

static void
occupancy_clear (Occupancy *occ)
{
  g_free (occ->occupied);
}

static void
occupancy_init (Occupancy    *occ,
                LacunaVolume *volume,
                float         level)
{
  guint nx = lacuna_volume_get_width (volume), ny = lacuna_volume_get_height (volume);
  guint nz = lacuna_volume_get_depth (volume);
  const float *data = lacuna_volume_get_data (volume);
  g_autofree guint8 *raw = NULL;

  occ->volume = volume;
  occ->bx = (nx + BLOCK - 1) / BLOCK;
  occ->by = (ny + BLOCK - 1) / BLOCK;
  occ->bz = (nz + BLOCK - 1) / BLOCK;
  raw = g_new0 (guint8, (gsize) occ->bx * occ->by * occ->bz);
  occ->occupied = g_new0 (guint8, (gsize) occ->bx * occ->by * occ->bz);

  for (guint k = 0; k < nz; k++)
    for (guint j = 0; j < ny; j++)
      {
        const float *row = data + ((gsize) k * ny + j) * nx;
        guint8 *brow = raw + ((gsize) (k / BLOCK) * occ->by + j / BLOCK) * occ->bx;

        for (guint i = 0; i < nx; i++)
          if (row[i] >= level)
            brow[i / BLOCK] = 1;
      }

  for (guint z = 0; z < occ->bz; z++)
    for (guint y = 0; y < occ->by; y++)
      for (guint x = 0; x < occ->bx; x++)
        {
          if (!raw[((gsize) z * occ->by + y) * occ->bx + x])
            continue;
          for (int dz = -1; dz <= 1; dz++)
            for (int dy = -1; dy <= 1; dy++)
              for (int dx = -1; dx <= 1; dx++)
                {
                  int X = (int) x + dx, Y = (int) y + dy, Z = (int) z + dz;

                  if (X < 0 || Y < 0 || Z < 0 || X >= (int) occ->bx || Y >= (int) occ->by
                      || Z >= (int) occ->bz)
                    continue;
                  occ->occupied[((gsize) Z * occ->by + Y) * occ->bx + X] = 1;
                }
        }
}

static inline gboolean
occupancy_empty (const Occupancy *occ,
                 const double     ijk[3])
{
  int x = (int) floor (ijk[0] / BLOCK), y = (int) floor (ijk[1] / BLOCK);
  int z = (int) floor (ijk[2] / BLOCK);

  if (x < 0 || y < 0 || z < 0 || x >= (int) occ->bx || y >= (int) occ->by || z >= (int) occ->bz)
    return TRUE;
  return !occ->occupied[((gsize) z * occ->by + y) * occ->bx + x];
}

static void
rotate (double       v[3],
        const double axis[3],
        double       degrees)
{
  double a = degrees * G_PI / 180.0, c = cos (a), s = sin (a);
  double d = v[0] * axis[0] + v[1] * axis[1] + v[2] * axis[2];
  double cross[3] = { axis[1] * v[2] - axis[2] * v[1], axis[2] * v[0] - axis[0] * v[2],
                      axis[0] * v[1] - axis[1] * v[0] };

  for (guint i = 0; i < 3; i++)
    v[i] = v[i] * c + cross[i] * s + axis[i] * d * (1 - c);
}

static inline double
dot3 (const double a[3],
      const double b[3])
{
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

void
_lacuna_face_render_free (LacunaFaceRender *render)
{
  if (render == NULL)
    return;
  g_free (render->depth);
  g_free (render->shaded);
  g_free (render);
}

/* Normalised Gaussian smoothing (σ in pixels) of the depth where there is skin. */
static void
smooth_depth (float  *depth,
              guint   width,
              guint   height,
              double  sigma)
{
  int radius = MAX (1, (int) ceil (2.5 * sigma));
  g_autofree double *kernel = g_new (double, 2 * radius + 1);
  g_autofree float *tmp = g_new (float, (gsize) width * height);
  g_autofree float *tmpw = g_new (float, (gsize) width * height);

  for (int r = -radius; r <= radius; r++)
    kernel[r + radius] = exp (-0.5 * r * r / (sigma * sigma));

  for (guint y = 0; y < height; y++)
    for (guint x = 0; x < width; x++)
      {
        double sum = 0, wsum = 0;

        for (int r = -radius; r <= radius; r++)
          {
            int X = (int) x + r;
            float d;

            if (X < 0 || X >= (int) width)
              continue;
            d = depth[(gsize) y * width + X];
            if (isnan (d))
              continue;
            sum += kernel[r + radius] * d;
            wsum += kernel[r + radius];
          }
        tmp[(gsize) y * width + x] = wsum > 0 ? (float) (sum / wsum) : NAN;
        tmpw[(gsize) y * width + x] = (float) wsum;
      }
  for (guint y = 0; y < height; y++)
    for (guint x = 0; x < width; x++)
      {
        double sum = 0, wsum = 0;

        if (isnan (depth[(gsize) y * width + x]))
          continue;   /* background stays background */
        for (int r = -radius; r <= radius; r++)
          {
            int Y = (int) y + r;
            float d;

            if (Y < 0 || Y >= (int) height)
              continue;
            d = tmp[(gsize) Y * width + x];
            if (isnan (d))
              continue;
            sum += kernel[r + radius] * tmpw[(gsize) Y * width + x] * d;
            wsum += kernel[r + radius] * tmpw[(gsize) Y * width + x];
          }
        if (wsum > 0)
          depth[(gsize) y * width + x] = (float) (sum / wsum);
      }
}

static void
shade (LacunaFaceRender *render)
{
  guint w = render->width, h = render->height;
  double lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE;
  double light[3] = { 0.0, -0.5, 1.0 };   /* towards the light: the viewer's side, above */
  double norm = sqrt (dot3 (light, light));

  for (guint a = 0; a < 3; a++)
    light[a] /= norm;
  for (gsize p = 0; p < (gsize) w * h; p++)
    if (!isnan (render->depth[p]))
      {
        lo = MIN (lo, render->depth[p]);
        hi = MAX (hi, render->depth[p]);
      }
  /* The depth cue spans at most 150 mm from the nearest skin. */
  hi = MIN (hi, lo + 150.0);

  render->shaded = g_new0 (guint8, (gsize) w * h);
  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++)
      {
        float d = render->depth[(gsize) y * w + x];
        float dl, dr, du, dd;
        double gx, gy, n[3], len, lambert, cue, value;

        if (isnan (d))
          continue;
        dl = x > 0 ? render->depth[(gsize) y * w + x - 1] : NAN;
        dr = x + 1 < w ? render->depth[(gsize) y * w + x + 1] : NAN;
        du = y > 0 ? render->depth[(gsize) (y - 1) * w + x] : NAN;
        dd = y + 1 < h ? render->depth[(gsize) (y + 1) * w + x] : NAN;
        if (isnan (dl))
          dl = d;
        if (isnan (dr))
          dr = d;
        if (isnan (du))
          du = d;
        if (isnan (dd))
          dd = d;
        gx = (dr - dl) / (2.0 * render->pixel);
        gy = (dd - du) / (2.0 * render->pixel);
        /* Normal in (right, down, towards the viewer) coordinates: the height above the
         * plane is −depth, so n ∝ (∂depth/∂x, ∂depth/∂y, 1). */
        n[0] = gx;
        n[1] = gy;
        n[2] = 1.0;
        len = sqrt (dot3 (n, n));
        lambert = MAX (0.0, dot3 (n, light) / len);
        cue = hi > lo ? 1.0 - CLAMP ((d - lo) / (hi - lo), 0.0, 1.0) : 1.0;
        value = 0.75 * lambert + 0.25 * cue;
        render->shaded[(gsize) y * w + x] = (guint8) CLAMP (value * 255.0 + 0.5, 1.0, 255.0);
      }
}

/* The voxels, for trilinear sampling inlined in the ray loop (evenly spaced volumes). */
typedef struct
{
  const float *data;
  guint        nx, ny, nz;
} Grid;

/* As _lacuna_volume_trilinear (outside: −G_MAXFLOAT); k must lie within [0, nz − 1]. */
static inline float
grid_sample (const Grid   *grid,
             const double  ijk[3])
{
  double fi = ijk[0], fj = ijk[1], fk = ijk[2], ti, tj, tk, c00, c01, c10, c11, c0, c1;
  gsize sy = grid->nx, sz = (gsize) grid->nx * grid->ny;
  int i0, j0, k0;
  const float *v;

  if (fi < 0 || fj < 0 || fi > grid->nx - 1 || fj > grid->ny - 1 || grid->nx < 2
      || grid->ny < 2)
    return -G_MAXFLOAT;
  i0 = MIN ((int) fi, (int) grid->nx - 2);
  j0 = MIN ((int) fj, (int) grid->ny - 2);
  k0 = MIN ((int) fk, (int) grid->nz - 2);
  ti = fi - i0;
  tj = fj - j0;
  tk = fk - k0;
  v = grid->data + k0 * sz + (gsize) j0 * sy + i0;
  c00 = v[0] + ti * (v[1] - v[0]);
  c01 = v[sy] + ti * (v[sy + 1] - v[sy]);
  c10 = v[sz] + ti * (v[sz + 1] - v[sz]);
  c11 = v[sz + sy] + ti * (v[sz + sy + 1] - v[sz + sy]);
  c0 = c00 + tj * (c01 - c00);
  c1 = c10 + tj * (c11 - c10);
  return (float) (c0 + tk * (c1 - c0));
}

static LacunaFaceRender *
render_view (LacunaVolume    *volume,
             const Occupancy *occ,
             double           level,
             double           yaw,
             double           pitch,
             double           min_pixel)
{
  g_autoptr(LacunaFaceRender) full = g_new0 (LacunaFaceRender, 1);
  LacunaFaceRender *render;
  static const double superior[3] = { 0, 0, 1 };
  double spacing[3], gap_min, finest, fine, skip, tmin = G_MAXDOUBLE, tmax = -G_MAXDOUBLE;
  double umin = G_MAXDOUBLE, umax = -G_MAXDOUBLE, vmin = G_MAXDOUBLE, vmax = -G_MAXDOUBLE;
  guint nx = lacuna_volume_get_width (volume), ny = lacuna_volume_get_height (volume);
  guint nz = lacuna_volume_get_depth (volume);
  guint x0 = G_MAXUINT, y0 = G_MAXUINT, x1 = 0, y1 = 0, margin;
  int cx0, cy0;
  double aff_origin[3], aff[3][3];
  gboolean affine;
  Grid grid;

  full->yaw = yaw;
  full->pitch = pitch;
  full->level = level;
  /* Looking at the face: into the patient (posterior, LPS +y), image x = patient's left,
   * image y = towards the feet. Yaw turns about the head-foot axis, pitch about image x. */
  full->forward[0] = 0, full->forward[1] = 1, full->forward[2] = 0;
  full->right[0] = 1, full->right[1] = 0, full->right[2] = 0;
  full->down[0] = 0, full->down[1] = 0, full->down[2] = -1;
  rotate (full->forward, superior, yaw);
  rotate (full->right, superior, yaw);
  rotate (full->forward, full->right, pitch);
  rotate (full->down, full->right, pitch);

  lacuna_volume_get_spacing (volume, spacing);
  lacuna_volume_get_slice_gaps (volume, &gap_min, NULL);
  finest = MIN (MIN (spacing[0], spacing[1]), gap_min);
  fine = 0.8 * finest;   /* the crossing is then refined by bisection */
  skip = 0.45 * BLOCK * finest;
  full->pixel = CLAMP (MIN (spacing[0], spacing[1]), min_pixel, MAX (min_pixel, 2.0));

  for (guint corner = 0; corner < 8; corner++)
    {
      double p[3], u, v, t;

      lacuna_volume_voxel_to_patient (volume, corner & 1 ? nx - 1 : 0, corner & 2 ? ny - 1 : 0,
                                      corner & 4 ? nz - 1 : 0, p);
      u = dot3 (p, full->right);
      v = dot3 (p, full->down);
      t = dot3 (p, full->forward);
      umin = MIN (umin, u), umax = MAX (umax, u);
      vmin = MIN (vmin, v), vmax = MAX (vmax, v);
      tmin = MIN (tmin, t), tmax = MAX (tmax, t);
    }
  full->pixel = MAX (full->pixel, MAX (umax - umin, vmax - vmin) / 1024.0);
  full->width = (guint) ceil ((umax - umin) / full->pixel) + 1;
  full->height = (guint) ceil ((vmax - vmin) / full->pixel) + 1;
  for (guint a = 0; a < 3; a++)
    full->origin[a] = umin * full->right[a] + vmin * full->down[a]
                      + (tmin - 1.0) * full->forward[a];
  tmax = tmax - tmin + 2.0;

  affine = _lacuna_volume_get_affine (volume, aff_origin, aff);
  grid.data = lacuna_volume_get_data (volume);
  grid.nx = nx, grid.ny = ny, grid.nz = nz;
  full->depth = g_new (float, (gsize) full->width * full->height);
  for (guint y = 0; y < full->height; y++)
    for (guint x = 0; x < full->width; x++)
      {
        double p0[3], p[3], ijk[3], ijk0[3] = { 0 }, dijk[3] = { 0 }, t = 0, t_last = 0;
        float hit = NAN;

        for (guint a = 0; a < 3; a++)
          p0[a] = full->origin[a] + x * full->pixel * full->right[a]
                  + y * full->pixel * full->down[a];
        if (affine)
          for (guint r = 0; r < 3; r++)
            {
              ijk0[r] = aff[r][0] * (p0[0] - aff_origin[0]) + aff[r][1] * (p0[1] - aff_origin[1])
                        + aff[r][2] * (p0[2] - aff_origin[2]);
              dijk[r] = aff[r][0] * full->forward[0] + aff[r][1] * full->forward[1]
                        + aff[r][2] * full->forward[2];
            }
        while (t <= tmax)
          {
            float value;
            gboolean inside;

            if (affine)
              {
                for (guint a = 0; a < 3; a++)
                  ijk[a] = ijk0[a] + t * dijk[a];
                inside = ijk[2] >= 0 && ijk[2] <= nz - 1;
              }
            else
              {
                for (guint a = 0; a < 3; a++)
                  p[a] = p0[a] + t * full->forward[a];
                inside = _lacuna_volume_locate (volume, p, ijk);
              }
            if (!inside || occupancy_empty (occ, ijk))
              {
                t_last = t;
                t += skip;
                continue;
              }
            value = affine ? grid_sample (&grid, ijk)
                           : _lacuna_volume_trilinear (volume, ijk, -G_MAXFLOAT);
            if (value >= level)
              {
                double lo = t_last, hi = t;

                for (guint it = 0; it < 6; it++)
                  {
                    double mid = 0.5 * (lo + hi);

                    gboolean above;

                    if (affine)
                      {
                        for (guint a = 0; a < 3; a++)
                          ijk[a] = ijk0[a] + mid * dijk[a];
                        above = ijk[2] >= 0 && ijk[2] <= nz - 1
                                && grid_sample (&grid, ijk) >= level;
                      }
                    else
                      {
                        for (guint a = 0; a < 3; a++)
                          p[a] = p0[a] + mid * full->forward[a];
                        above = _lacuna_volume_locate (volume, p, ijk)
                                && _lacuna_volume_trilinear (volume, ijk, -G_MAXFLOAT) >= level;
                      }
                    if (above)
                      hi = mid;
                    else
                      lo = mid;
                  }
                hit = (float) (0.5 * (lo + hi));
                break;
              }
            t_last = t;
            t += fine;
          }
        full->depth[(gsize) y * full->width + x] = hit;
        if (!isnan (hit))
          {
            full->n_hits++;
            x0 = MIN (x0, x), x1 = MAX (x1, x);
            y0 = MIN (y0, y), y1 = MAX (y1, y);
          }
      }

  if (full->n_hits == 0)
    {
      full->shaded = g_new0 (guint8, (gsize) full->width * full->height);
      return g_steal_pointer (&full);
    }

  /* Crop to the skin with a margin of background. */
  margin = (guint) ceil (MARGIN * MAX (x1 - x0 + 1, y1 - y0 + 1));
  cx0 = (int) x0 - (int) margin;
  cy0 = (int) y0 - (int) margin;
  render = g_new0 (LacunaFaceRender, 1);
  *render = *full;
  render->depth = NULL;
  render->width = x1 - x0 + 1 + 2 * margin;
  render->height = y1 - y0 + 1 + 2 * margin;
  for (guint a = 0; a < 3; a++)
    render->origin[a] = full->origin[a] + cx0 * full->pixel * full->right[a]
                        + cy0 * full->pixel * full->down[a];
  render->depth = g_new (float, (gsize) render->width * render->height);
  for (guint y = 0; y < render->height; y++)
    for (guint x = 0; x < render->width; x++)
      {
        int X = cx0 + (int) x, Y = cy0 + (int) y;

        render->depth[(gsize) y * render->width + x] =
          X >= 0 && Y >= 0 && X < (int) full->width && Y < (int) full->height
          ? full->depth[(gsize) Y * full->width + X] : NAN;
      }

  smooth_depth (render->depth, render->width, render->height,
                MAX (0.8, MIN (spacing[0], spacing[1]) / render->pixel));
  shade (render);
  return render;
}

LacunaFaceRender *
_lacuna_face_render_at (LacunaVolume *volume,
                        double        level,
                        double        yaw,
                        double        pitch,
                        double        min_pixel)
{
  Occupancy occ;
  LacunaFaceRender *render;

  g_return_val_if_fail (LACUNA_IS_VOLUME (volume), NULL);

  occupancy_init (&occ, volume, (float) level);
  render = render_view (volume, &occ, level, yaw, pitch, min_pixel);
  occupancy_clear (&occ);
  return render;
}

LacunaFaceRender *
_lacuna_face_render (LacunaVolume *volume,
                     double        level,
                     double        yaw,
                     double        pitch)
{
  return _lacuna_face_render_at (volume, level, yaw, pitch, MIN_PIXEL_MM);
}

/* ---------------------------------------------------------------------------------------- */
/* Detection                                                                                */

static double
iou (const LacunaVisionBox *a,
     const LacunaVisionBox *b)
{
  int ix = MAX (0, MIN (a->x + a->width, b->x + b->width) - MAX (a->x, b->x));
  int iy = MAX (0, MIN (a->y + a->height, b->y + b->height) - MAX (a->y, b->y));
  double inter = (double) ix * iy;
  double uni = (double) a->width * a->height + (double) b->width * b->height - inter;

  return uni > 0 ? inter / uni : 0;
}

/* Detectors running, so that the process does not exit under them (see
 * lacuna_face_shutdown). */
static GMutex detecting_lock;
static GCond detecting_done;
static guint n_detecting;
static gboolean detecting_closed;

static gboolean
detecting_enter (GError **error)
{
  gboolean open;

  g_mutex_lock (&detecting_lock);
  open = !detecting_closed;
  if (open)
    n_detecting++;
  g_mutex_unlock (&detecting_lock);
  if (!open)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The application is closing"));
  return open;
}

static void
detecting_leave (void)
{
  g_mutex_lock (&detecting_lock);
  if (--n_detecting == 0)
    g_cond_broadcast (&detecting_done);
  g_mutex_unlock (&detecting_lock);
}

void
lacuna_face_shutdown (void)
{
  g_mutex_lock (&detecting_lock);
  detecting_closed = TRUE;
  while (n_detecting > 0)
    g_cond_wait (&detecting_done, &detecting_lock);
  g_mutex_unlock (&detecting_lock);
}

/* Runs the detectors on view->image and decides agreement. */
static gboolean
detect_view (LacunaFaceView  *view,
             guint            min_side,
             GError         **error)
{
  const LacunaVisionBox *best[LACUNA_VISION_N_DETECTORS] = { NULL };
  double best_iou = 0;
  guint pa = 0, pb = 0;

  if (!detecting_enter (error))
    return FALSE;
  for (guint d = 0; d < LACUNA_VISION_N_DETECTORS; d++)
    {
      view->boxes[d] = lacuna_vision_detect_sized (d, view->image, view->width, view->height,
                                                   view->width, min_side, error);
      if (view->boxes[d] == NULL)
        {
          detecting_leave ();
          return FALSE;
        }
    }
  detecting_leave ();

  /* The best-overlapping pair of boxes from two different detectors ... */
  for (guint a = 0; a < LACUNA_VISION_N_DETECTORS; a++)
    for (guint b = a + 1; b < LACUNA_VISION_N_DETECTORS; b++)
      for (guint i = 0; i < view->boxes[a]->len; i++)
        for (guint j = 0; j < view->boxes[b]->len; j++)
          {
            const LacunaVisionBox *A = &g_array_index (view->boxes[a], LacunaVisionBox, i);
            const LacunaVisionBox *B = &g_array_index (view->boxes[b], LacunaVisionBox, j);
            double o = iou (A, B);

            if (o > best_iou)
              {
                best_iou = o;
                best[a] = A, best[b] = B;
                pa = a, pb = b;
                for (guint c = 0; c < LACUNA_VISION_N_DETECTORS; c++)
                  if (c != a && c != b)
                    best[c] = NULL;
              }
          }
  view->consensus = best_iou > LACUNA_FACE_MIN_IOU;
  if (!view->consensus)
    return TRUE;

  /* ... joined by the third detector when one of its boxes overlaps either. */
  for (guint c = 0; c < LACUNA_VISION_N_DETECTORS; c++)
    {
      double top = LACUNA_FACE_MIN_IOU;

      if (c == pa || c == pb)
        continue;
      for (guint i = 0; i < view->boxes[c]->len; i++)
        {
          const LacunaVisionBox *C = &g_array_index (view->boxes[c], LacunaVisionBox, i);
          double o = MAX (iou (C, best[pa]), iou (C, best[pb]));

          if (o > top)
            {
              top = o;
              best[c] = C;
            }
        }
    }

  {
    double x = 0, y = 0, w = 0, h = 0;

    view->n_agreeing = 0;
    for (guint d = 0; d < LACUNA_VISION_N_DETECTORS; d++)
      if (best[d] != NULL)
        {
          view->n_agreeing++;
          x += best[d]->x, y += best[d]->y, w += best[d]->width, h += best[d]->height;
        }
    view->consensus_box.x = (int) (x / view->n_agreeing + 0.5);
    view->consensus_box.y = (int) (y / view->n_agreeing + 0.5);
    view->consensus_box.width = (int) (w / view->n_agreeing + 0.5);
    view->consensus_box.height = (int) (h / view->n_agreeing + 0.5);
    view->consensus_box.score = best_iou;
  }
  return TRUE;
}

/* The render upscaled (bilinear) for the detectors. */
static guint8 *
upscale (const LacunaFaceRender *render,
         guint                   scale,
         guint                  *out_width,
         guint                  *out_height)
{
  guint w = render->width * scale, h = render->height * scale;
  guint8 *out = g_new (guint8, (gsize) w * h);

  for (guint y = 0; y < h; y++)
    {
      double fy = CLAMP ((y + 0.5) / scale - 0.5, 0.0, render->height - 1.0);
      guint y0 = (guint) fy, y1 = MIN (y0 + 1, render->height - 1);
      double ty = fy - y0;

      for (guint x = 0; x < w; x++)
        {
          double fx = CLAMP ((x + 0.5) / scale - 0.5, 0.0, render->width - 1.0);
          guint x0 = (guint) fx, x1 = MIN (x0 + 1, render->width - 1);
          double tx = fx - x0;
          const guint8 *s = render->shaded;
          double top = s[(gsize) y0 * render->width + x0] * (1 - tx)
                       + s[(gsize) y0 * render->width + x1] * tx;
          double bottom = s[(gsize) y1 * render->width + x0] * (1 - tx)
                          + s[(gsize) y1 * render->width + x1] * tx;

          out[(gsize) y * w + x] = (guint8) (top * (1 - ty) + bottom * ty + 0.5);
        }
    }
  *out_width = w;
  *out_height = h;
  return out;
}

static void
result_clear_views (LacunaFaceResult *self)
{
  for (guint v = 0; v < self->views->len; v++)
    {
      LacunaFaceView *view = &g_array_index (self->views, LacunaFaceView, v);

      for (guint d = 0; d < LACUNA_VISION_N_DETECTORS; d++)
        g_clear_pointer (&view->boxes[d], g_array_unref);
    }
  g_array_set_size (self->views, 0);
  g_ptr_array_set_size (self->renders, 0);
  g_ptr_array_set_size (self->images, 0);
}

static gboolean
load_detectors (GError **error)
{
  gboolean ok = TRUE;

  /* Loading the models runs OpenCV and dlib too: not while the process exits. */
  if (!detecting_enter (error))
    return FALSE;
  for (guint d = 0; d < LACUNA_VISION_N_DETECTORS && ok; d++)
    ok = lacuna_vision_detector_load (d, error);
  detecting_leave ();
  return ok;
}

guint
_lacuna_face_get_min_side (const LacunaFaceRender *render,
                           guint                   scale)
{
  return (guint) floor (MIN_FACE_MM / render->pixel * scale);
}

/* The nine views of one level, shared by the threads that render and search them. */
typedef struct
{
  LacunaVolume     *volume;
  const Occupancy  *occ;
  double            level;
  GCancellable     *cancellable;
  gint              next;                          /* atomic: the next view to take */
  LacunaFaceRender *renders[LACUNA_FACE_N_VIEWS];
  guint8           *images[LACUNA_FACE_N_VIEWS];
  LacunaFaceView    views[LACUNA_FACE_N_VIEWS];
  GError           *errors[LACUNA_FACE_N_VIEWS];
} LevelJob;

/* View index: pitch 0, −15, +15 (outer) × yaw 0, −30, +30 (inner); 0 is frontal. */
static void
level_do_view (LevelJob *job,
               guint     index)
{
  LacunaFaceView *view = &job->views[index];
  LacunaFaceRender *render;
  guint min_side;

  if (g_cancellable_set_error_if_cancelled (job->cancellable, &job->errors[index]))
    return;
  view->yaw = view_yaws[index % G_N_ELEMENTS (view_yaws)];
  view->pitch = view_pitches[index / G_N_ELEMENTS (view_yaws)];
  view->level = job->level;
  render = render_view (job->volume, job->occ, job->level, view->yaw, view->pitch,
                        MIN_PIXEL_MM);
  job->renders[index] = render;
  view->scale = CLAMP ((guint) ceil (TARGET_SIDE / MAX (render->width, render->height)),
                       1, MAX_SCALE);
  job->images[index] = upscale (render, view->scale, &view->width, &view->height);
  view->image = job->images[index];
  min_side = _lacuna_face_get_min_side (render, view->scale);
  if (render->n_hits > 0)
    detect_view (view, min_side, &job->errors[index]);
  else
    for (guint d = 0; d < LACUNA_VISION_N_DETECTORS; d++)
      view->boxes[d] = g_array_new (FALSE, FALSE, sizeof (LacunaVisionBox));
}

static gpointer
level_worker (gpointer data)
{
  LevelJob *job = data;

  for (;;)
    {
      guint index = (guint) g_atomic_int_add (&job->next, 1);

      if (index >= LACUNA_FACE_N_VIEWS)
        break;
      level_do_view (job, index);
    }
  return NULL;
}

/* Renders the nine views at level into self (replacing what was there), on a few threads
 * (each view is independent; the detectors give each thread an instance of its own). */
static gboolean
check_level (LacunaFaceResult  *self,
             LacunaVolume      *volume,
             double             level,
             GCancellable      *cancellable,
             GError           **error)
{
  Occupancy occ;
  LevelJob job = { 0 };
  GThread *threads[MAX_THREADS] = { NULL };
  guint n_threads = CLAMP (MIN (g_get_num_processors (), _lacuna_face_max_threads), 1,
                           MAX_THREADS);
  GError *first = NULL;

  G_STATIC_ASSERT (LACUNA_FACE_N_VIEWS == G_N_ELEMENTS (view_yaws) * G_N_ELEMENTS (view_pitches));

  result_clear_views (self);
  self->level = level;
  occupancy_init (&occ, volume, (float) level);
  job.volume = volume;
  job.occ = &occ;
  job.level = level;
  job.cancellable = cancellable;

  /* This thread works too; a thread that cannot be started leaves its share to the others. */
  for (guint t = 1; t < n_threads; t++)
    threads[t] = g_thread_try_new ("lacuna-face", level_worker, &job, NULL);
  level_worker (&job);
  for (guint t = 1; t < n_threads; t++)
    if (threads[t] != NULL)
      g_thread_join (threads[t]);
  occupancy_clear (&occ);

  for (guint v = 0; v < LACUNA_FACE_N_VIEWS; v++)
    if (job.errors[v] != NULL)
      {
        if (first == NULL)
          first = g_steal_pointer (&job.errors[v]);
        else
          g_clear_error (&job.errors[v]);
      }
  for (guint v = 0; v < LACUNA_FACE_N_VIEWS; v++)
    {
      if (first != NULL)
        {
          for (guint d = 0; d < LACUNA_VISION_N_DETECTORS; d++)
            g_clear_pointer (&job.views[v].boxes[d], g_array_unref);
          _lacuna_face_render_free (job.renders[v]);
          g_free (job.images[v]);
          continue;
        }
      g_ptr_array_add (self->renders, job.renders[v]);
      g_ptr_array_add (self->images, job.images[v]);
      g_array_append_val (self->views, job.views[v]);
    }
  if (first != NULL)
    {
      g_propagate_error (error, first);
      return FALSE;
    }
  return TRUE;
}

LacunaFaceResult *
_lacuna_face_check_volume_levels (LacunaVolume  *volume,
                                  const double  *levels,
                                  guint          n_levels,
                                  GCancellable  *cancellable,
                                  GError       **error)
{
  g_autoptr(LacunaFaceResult) self = NULL;

  g_return_val_if_fail (LACUNA_IS_VOLUME (volume), NULL);

  if (!load_detectors (error))
    return NULL;
  self = g_object_new (LACUNA_TYPE_FACE_RESULT, NULL);
  self->volume = TRUE;
  if (lacuna_volume_get_width (volume) < 2 || lacuna_volume_get_height (volume) < 2)
    return g_steal_pointer (&self);

  if (n_levels == 0)
    return g_steal_pointer (&self);
  g_array_append_val (self->levels_tried, levels[0]);
  if (!check_level (self, volume, levels[0], cancellable, error))
    return NULL;
  /* Further levels only when the first found nothing; the first level's views are kept
   * for the report when none finds anything. */
  for (guint l = 1; l < n_levels && !lacuna_face_result_get_found (self); l++)
    {
      g_autoptr(LacunaFaceResult) other = g_object_new (LACUNA_TYPE_FACE_RESULT, NULL);

      other->volume = TRUE;
      g_array_append_val (self->levels_tried, levels[l]);
      if (!check_level (other, volume, levels[l], cancellable, error))
        return NULL;
      if (lacuna_face_result_get_found (other))
        {
          g_array_append_vals (other->levels_tried, self->levels_tried->data,
                               self->levels_tried->len);
          return g_steal_pointer (&other);
        }
    }
  return g_steal_pointer (&self);
}

LacunaFaceResult *
lacuna_face_check_volume (LacunaVolume  *volume,
                          GCancellable  *cancellable,
                          GError       **error)
{
  double levels[4];
  guint n;

  g_return_val_if_fail (LACUNA_IS_VOLUME (volume), NULL);

  n = _lacuna_face_get_levels (volume, levels);
  return _lacuna_face_check_volume_levels (volume, levels, n, cancellable, error);
}

/* The featureless control (INFERENCE.md §3.1, §6): an ellipsoid head of soft tissue in air
 * (semi-axes 68 × 82 × 92 mm, CT, 1.5 mm voxels), checked like any volume. */
static LacunaVolume *
control_volume_new (void)
{
  static const double orientation[6] = { 1, 0, 0, 0, 1, 0 };
  static const double axes[3] = { 68.0, 82.0, 92.0 };
  const double voxel = 1.5;
  guint n[3];
  g_autofree double *positions = NULL;
  LacunaVolume *volume;
  float *data;

  for (guint a = 0; a < 3; a++)
    n[a] = (guint) ceil (2 * (axes[a] + 10.0) / voxel) + 1;
  positions = g_new (double, 3 * n[2]);
  for (guint k = 0; k < n[2]; k++)
    {
      positions[3 * k] = -0.5 * (n[0] - 1) * voxel;
      positions[3 * k + 1] = -0.5 * (n[1] - 1) * voxel;
      positions[3 * k + 2] = -0.5 * (n[2] - 1) * voxel + k * voxel;
    }
  volume = lacuna_volume_new (n[0], n[1], n[2], orientation, positions, voxel, voxel, "CT",
                              -1000.0f);
  data = lacuna_volume_get_data (volume);
  for (guint k = 0; k < n[2]; k++)
    for (guint j = 0; j < n[1]; j++)
      for (guint i = 0; i < n[0]; i++)
        {
          double x = (i - 0.5 * (n[0] - 1)) * voxel / axes[0];
          double y = (j - 0.5 * (n[1] - 1)) * voxel / axes[1];
          double z = (k - 0.5 * (n[2] - 1)) * voxel / axes[2];

          if (x * x + y * y + z * z <= 1.0)
            data[((gsize) k * n[1] + j) * n[0] + i] = 40.0f;
        }
  return volume;
}

gboolean
_lacuna_face_get_control_scores (double   out_scores[LACUNA_VISION_N_DETECTORS],
                                 GError **error)
{
  static GMutex lock;
  static gboolean done;
  static double scores[LACUNA_VISION_N_DETECTORS];
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&lock);

  if (!done)
    {
      g_autoptr(LacunaVolume) control = control_volume_new ();
      g_autoptr(LacunaFaceResult) result = NULL;

      result = lacuna_face_check_volume (control, NULL, error);
      if (result == NULL)
        return FALSE;
      for (guint d = 0; d < LACUNA_VISION_N_DETECTORS; d++)
        {
          scores[d] = -G_MAXDOUBLE;
          for (guint v = 0; v < result->views->len; v++)
            {
              const LacunaFaceView *view = &g_array_index (result->views, LacunaFaceView, v);

              for (guint b = 0; b < view->boxes[d]->len; b++)
                scores[d] = MAX (scores[d], g_array_index (view->boxes[d], LacunaVisionBox, b).score);
            }
        }
      done = TRUE;
    }
  memcpy (out_scores, scores, sizeof scores);
  return TRUE;
}

LacunaFaceResult *
lacuna_face_check_series (LacunaSeries  *series,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autoptr(LacunaVolume) volume = lacuna_volume_new_from_series (series, cancellable, error);

  if (volume == NULL)
    return NULL;
  return lacuna_face_check_volume (volume, cancellable, error);
}

LacunaFaceResult *
lacuna_face_check_image (const guint8  *grey,
                         guint          width,
                         guint          height,
                         gsize          stride,
                         GError       **error)
{
  g_autoptr(LacunaFaceResult) self = NULL;
  LacunaFaceView view = { 0 };
  guint8 *copy;

  g_return_val_if_fail (grey != NULL, NULL);

  if (width == 0 || height == 0 || width > LACUNA_VISION_MAX_SIDE
      || height > LACUNA_VISION_MAX_SIDE || stride < width)
    {
      g_set_error (error, LACUNA_VISION_ERROR, LACUNA_VISION_ERROR_INVALID,
                   _("Cannot look for faces in a %u × %u image"), width, height);
      return NULL;
    }
  if (!load_detectors (error))
    return NULL;

  self = g_object_new (LACUNA_TYPE_FACE_RESULT, NULL);
  copy = g_new (guint8, (gsize) width * height);
  for (guint y = 0; y < height; y++)
    memcpy (copy + (gsize) y * width, grey + (gsize) y * stride, width);
  g_ptr_array_add (self->images, copy);
  view.width = width;
  view.height = height;
  view.image = copy;
  view.scale = 1;
  if (!detect_view (&view, 0, error))
    {
      for (guint d = 0; d < LACUNA_VISION_N_DETECTORS; d++)
        g_clear_pointer (&view.boxes[d], g_array_unref);
      return NULL;
    }
  g_array_append_val (self->views, view);
  return g_steal_pointer (&self);
}

LacunaFaceResult *
lacuna_face_check_frame (LacunaFrame  *frame,
                         GError      **error)
{
  guint w, h;
  double center, width;
  gboolean use_lut;
  g_autofree guint8 *grey = NULL;

  g_return_val_if_fail (LACUNA_IS_FRAME (frame), NULL);

  w = lacuna_frame_get_width (frame);
  h = lacuna_frame_get_height (frame);
  if (w == 0 || h == 0 || w > LACUNA_VISION_MAX_SIDE || h > LACUNA_VISION_MAX_SIDE)
    {
      g_set_error (error, LACUNA_VISION_ERROR, LACUNA_VISION_ERROR_INVALID,
                   _("Cannot look for faces in a %u × %u image"), w, h);
      return NULL;
    }
  lacuna_frame_get_default_window (frame, &center, &width, &use_lut);
  grey = g_new (guint8, (gsize) w * h);
  lacuna_frame_render_grey (frame, center, width, use_lut, grey, w);
  return lacuna_face_check_image (grey, w, h, w, error);
}

/* ---------------------------------------------------------------------------------------- */
/* Results                                                                                  */

gboolean
lacuna_face_result_get_found (LacunaFaceResult *self)
{
  g_return_val_if_fail (LACUNA_IS_FACE_RESULT (self), FALSE);
  return lacuna_face_result_get_n_views_found (self) > 0;
}

gboolean
lacuna_face_result_is_volume (LacunaFaceResult *self)
{
  g_return_val_if_fail (LACUNA_IS_FACE_RESULT (self), FALSE);
  return self->volume;
}

guint
lacuna_face_result_get_n_views (LacunaFaceResult *self)
{
  g_return_val_if_fail (LACUNA_IS_FACE_RESULT (self), 0);
  return self->views->len;
}

const LacunaFaceView *
lacuna_face_result_get_view (LacunaFaceResult *self,
                             guint             index)
{
  g_return_val_if_fail (LACUNA_IS_FACE_RESULT (self), NULL);
  g_return_val_if_fail (index < self->views->len, NULL);
  return &g_array_index (self->views, LacunaFaceView, index);
}

const LacunaFaceRender *
_lacuna_face_result_get_render (LacunaFaceResult *self,
                                guint             index)
{
  if (index >= self->renders->len)
    return NULL;
  return self->renders->pdata[index];
}

guint
lacuna_face_result_get_n_views_found (LacunaFaceResult *self)
{
  guint n = 0;

  g_return_val_if_fail (LACUNA_IS_FACE_RESULT (self), 0);
  for (guint v = 0; v < self->views->len; v++)
    if (g_array_index (self->views, LacunaFaceView, v).consensus)
      n++;
  return n;
}

guint
lacuna_face_result_get_n_detectors_agreeing (LacunaFaceResult *self)
{
  gboolean agreed[LACUNA_VISION_N_DETECTORS] = { FALSE };
  guint n = 0;

  g_return_val_if_fail (LACUNA_IS_FACE_RESULT (self), 0);
  for (guint v = 0; v < self->views->len; v++)
    {
      const LacunaFaceView *view = &g_array_index (self->views, LacunaFaceView, v);

      if (!view->consensus)
        continue;
      for (guint d = 0; d < LACUNA_VISION_N_DETECTORS; d++)
        for (guint b = 0; b < view->boxes[d]->len; b++)
          if (iou (&g_array_index (view->boxes[d], LacunaVisionBox, b),
                   &view->consensus_box) > LACUNA_FACE_MIN_IOU)
            agreed[d] = TRUE;
    }
  for (guint d = 0; d < LACUNA_VISION_N_DETECTORS; d++)
    n += agreed[d];
  return n;
}

guint
lacuna_face_result_get_detector_views (LacunaFaceResult     *self,
                                       LacunaVisionDetector  detector)
{
  guint n = 0;

  g_return_val_if_fail (LACUNA_IS_FACE_RESULT (self), 0);
  g_return_val_if_fail (detector < LACUNA_VISION_N_DETECTORS, 0);
  for (guint v = 0; v < self->views->len; v++)
    if (g_array_index (self->views, LacunaFaceView, v).boxes[detector]->len > 0)
      n++;
  return n;
}

double
lacuna_face_result_get_level (LacunaFaceResult *self)
{
  g_return_val_if_fail (LACUNA_IS_FACE_RESULT (self), 0);
  return self->level;
}

const double *
lacuna_face_result_get_levels_tried (LacunaFaceResult *self,
                                     guint            *out_n)
{
  g_return_val_if_fail (LACUNA_IS_FACE_RESULT (self), NULL);
  if (out_n != NULL)
    *out_n = self->levels_tried->len;
  return self->levels_tried->len > 0 ? (const double *) (gpointer) self->levels_tried->data : NULL;
}

static char *
dup_counts (LacunaFaceResult *self)
{
  guint views = lacuna_face_result_get_n_views_found (self);
  guint detectors = lacuna_face_result_get_n_detectors_agreeing (self);

  if (self->volume)
    /* Translators: "found in 5 of 9 views by 2 of 3 detectors" */
    return g_strdup_printf (_("found in %u of %u views by %u of %u detectors"),
                            views, self->views->len, detectors,
                            (guint) LACUNA_VISION_N_DETECTORS);
  return g_strdup_printf (_("found by %u of %u detectors"), detectors,
                          (guint) LACUNA_VISION_N_DETECTORS);
}

char *
lacuna_face_result_dup_summary (LacunaFaceResult *self)
{
  g_autofree char *counts = NULL;

  g_return_val_if_fail (LACUNA_IS_FACE_RESULT (self), NULL);

  if (!lacuna_face_result_get_found (self))
    {
      if (self->volume)
        return g_strdup_printf (_("A face was not found by our detectors in %u renderings of "
                                  "this scan's skin surface (%u detectors). Detectors miss "
                                  "faces: this does not show that none can be seen."),
                                self->views->len, (guint) LACUNA_VISION_N_DETECTORS);
      return g_strdup_printf (_("A face was not found by our detectors in this image "
                                "(%u detectors). Detectors miss faces: this does not show "
                                "that none can be seen."), (guint) LACUNA_VISION_N_DETECTORS);
    }
  counts = dup_counts (self);
  if (self->volume)
    return g_strdup_printf (_("A standard detector found a face in a rendering of this scan's "
                              "skin surface: %s."), counts);
  return g_strdup_printf (_("A standard detector found a face in this image: %s."), counts);
}

LacunaFinding *
lacuna_face_result_dup_finding (LacunaFaceResult *self,
                                const char       *sop_instance_uid,
                                guint             frame)
{
  g_autofree char *text = NULL;
  LacunaFinding *finding;
  JsonObject *values;

  g_return_val_if_fail (LACUNA_IS_FACE_RESULT (self), NULL);

  if (!lacuna_face_result_get_found (self))
    return NULL;

  text = lacuna_face_result_dup_summary (self);
  finding = lacuna_finding_new ("face", LACUNA_EVIDENCE_DETECTED, LACUNA_FINDING_PRESENT, text);
  if (self->volume)
    lacuna_finding_set_action (finding,
                               _("Deface the series: a new series is written in which the "
                                 "tissue over the face is removed to a set depth; the original "
                                 "is not changed. Faces can be partly rebuilt from defaced "
                                 "scans, and 28–38 % of defaced scans were still matched in a "
                                 "study (Schwarz et al. 2021)."));
  else
    lacuna_finding_set_action (finding,
                               _("Black out the face on every frame, then check again."));
  if (sop_instance_uid != NULL)
    {
      if (!self->volume)
        {
          const LacunaFaceView *view = lacuna_face_result_get_view (self, 0);
          int box[4] = { view->consensus_box.x, view->consensus_box.y,
                         view->consensus_box.width, view->consensus_box.height };

          lacuna_finding_set_region (finding, sop_instance_uid, frame, box);
        }
      else
        lacuna_finding_set_region (finding, sop_instance_uid, frame, NULL);
    }

  values = lacuna_finding_get_values (finding);
  {
    g_autoptr(JsonObject) checks = lacuna_face_result_to_json (self);
    GList *members = json_object_get_members (checks);

    for (GList *l = members; l != NULL; l = l->next)
      json_object_set_member (values, l->data, json_object_dup_member (checks, l->data));
    g_list_free (members);
  }
  return finding;
}

JsonObject *
lacuna_face_result_to_json (LacunaFaceResult *self)
{
  JsonObject *object = json_object_new ();
  JsonArray *views = json_array_new ();
  JsonArray *detectors = json_array_new ();
  JsonObject *detector_views = json_object_new ();
  JsonArray *levels = json_array_new ();

  g_return_val_if_fail (LACUNA_IS_FACE_RESULT (self), object);

  json_object_set_boolean_member (object, "found", lacuna_face_result_get_found (self));
  json_object_set_string_member (object, "source", self->volume ? "volume" : "image");
  for (guint d = 0; d < LACUNA_VISION_N_DETECTORS; d++)
    {
      json_array_add_string_element (detectors, lacuna_vision_detector_get_id (d));
      json_object_set_int_member (detector_views, lacuna_vision_detector_get_id (d),
                                  lacuna_face_result_get_detector_views (self, d));
    }
  for (guint v = 0; v < self->views->len; v++)
    {
      const LacunaFaceView *view = &g_array_index (self->views, LacunaFaceView, v);
      JsonObject *o = json_object_new ();
      JsonObject *counts = json_object_new ();

      if (self->volume)
        {
          json_object_set_double_member (o, "yaw", view->yaw);
          json_object_set_double_member (o, "pitch", view->pitch);
          json_object_set_double_member (o, "level", view->level);
        }
      for (guint d = 0; d < LACUNA_VISION_N_DETECTORS; d++)
        json_object_set_int_member (counts, lacuna_vision_detector_get_id (d),
                                    view->boxes[d]->len);
      json_object_set_object_member (o, "detectors", counts);
      json_object_set_boolean_member (o, "agreement", view->consensus);
      if (view->consensus)
        {
          JsonArray *box = json_array_new ();

          json_array_add_int_element (box, view->consensus_box.x);
          json_array_add_int_element (box, view->consensus_box.y);
          json_array_add_int_element (box, view->consensus_box.width);
          json_array_add_int_element (box, view->consensus_box.height);
          json_object_set_array_member (o, "box", box);
          json_object_set_int_member (o, "n-agreeing", view->n_agreeing);
        }
      json_array_add_object_element (views, o);
    }
  json_object_set_array_member (object, "views", views);
  json_object_set_int_member (object, "n-views", self->views->len);
  json_object_set_int_member (object, "n-views-found", lacuna_face_result_get_n_views_found (self));
  json_object_set_array_member (object, "detectors", detectors);
  json_object_set_int_member (object, "n-detectors-agreeing",
                              lacuna_face_result_get_n_detectors_agreeing (self));
  json_object_set_object_member (object, "detector-views", detector_views);
  if (self->volume)
    {
      for (guint l = 0; l < self->levels_tried->len; l++)
        json_array_add_double_element (levels, g_array_index (self->levels_tried, double, l));
      json_object_set_double_member (object, "level", self->level);
    }
  json_object_set_array_member (object, "levels-tried", levels);
  return object;
}

gboolean
lacuna_face_result_write_pngs (LacunaFaceResult  *self,
                               const char        *dir,
                               const char        *prefix,
                               GError           **error)
{
  static const double colours[LACUNA_VISION_N_DETECTORS][3] = {
    { 1, 0.2, 0.2 }, { 0.2, 1, 0.2 }, { 0.3, 0.5, 1 },
  };

  g_return_val_if_fail (LACUNA_IS_FACE_RESULT (self), FALSE);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot create the folder for the renderings"));
      return FALSE;
    }
  for (guint v = 0; v < self->views->len; v++)
    {
      const LacunaFaceView *view = &g_array_index (self->views, LacunaFaceView, v);
      cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, view->width,
                                                             view->height);
      int stride = cairo_image_surface_get_stride (surface);
      guint8 *data = cairo_image_surface_get_data (surface);
      g_autofree char *name = g_strdup_printf ("%s-%02u.png", prefix, v);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      cairo_status_t status;
      cairo_t *cr;

      cairo_surface_flush (surface);
      for (guint y = 0; y < view->height; y++)
        for (guint x = 0; x < view->width; x++)
          {
            guint8 g = view->image[(gsize) y * view->width + x];

            ((guint32 *) (gpointer) (data + (gsize) y * stride))[x] = 0xFF000000u | (g << 16) | (g << 8) | g;
          }
      cairo_surface_mark_dirty (surface);
      cr = cairo_create (surface);
      cairo_set_line_width (cr, 2);
      for (guint d = 0; d < LACUNA_VISION_N_DETECTORS; d++)
        for (guint b = 0; b < view->boxes[d]->len; b++)
          {
            const LacunaVisionBox *box = &g_array_index (view->boxes[d], LacunaVisionBox, b);

            cairo_set_source_rgb (cr, colours[d][0], colours[d][1], colours[d][2]);
            cairo_rectangle (cr, box->x + 0.5, box->y + 0.5, box->width, box->height);
            cairo_stroke (cr);
          }
      if (view->consensus)
        {
          cairo_set_source_rgb (cr, 1, 1, 0);
          cairo_set_line_width (cr, 4);
          cairo_rectangle (cr, view->consensus_box.x - 3, view->consensus_box.y - 3,
                           view->consensus_box.width + 6, view->consensus_box.height + 6);
          cairo_stroke (cr);
        }
      cairo_destroy (cr);
      status = cairo_surface_write_to_png (surface, path);
      cairo_surface_destroy (surface);
      if (status != CAIRO_STATUS_SUCCESS)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       _("Cannot write a rendering: %s"), cairo_status_to_string (status));
          return FALSE;
        }
    }
  return TRUE;
}
