/* lacuna-volume.c: a series as a volume of modality values, placed in patient space. */
#define G_LOG_DOMAIN "lacuna-volume"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "lacuna-error.h"
#include "lacuna-frame.h"
#include "lacuna-volume.h"
#include "lacuna-volume-private.h"

struct _LacunaVolume
{
  GObject    parent_instance;

  guint      nx, ny, nz;
  float     *data;
  double     orientation[6];
  double     row[3];        /* direction of increasing i */
  double     col[3];        /* direction of increasing j */
  double     normal[3];     /* row × col */
  double     dx, dy;        /* mm between columns, rows */
  double    *positions;     /* nz × 3, sorted along the normal */
  double    *depths;        /* nz: dot (position, normal), increasing */
  gboolean   uniform;       /* depths evenly spaced (within 1 %) */
  double     gap;           /* mean gap between depths */
  char      *modality;
  GPtrArray *instances;     /* LacunaInstance per slice, or NULL */
};

G_DEFINE_FINAL_TYPE (LacunaVolume, lacuna_volume, G_TYPE_OBJECT)

static void
lacuna_volume_finalize (GObject *object)
{
  LacunaVolume *self = LACUNA_VOLUME (object);

  g_free (self->data);
  g_free (self->positions);
  g_free (self->depths);
  g_free (self->modality);
  g_clear_pointer (&self->instances, g_ptr_array_unref);

  G_OBJECT_CLASS (lacuna_volume_parent_class)->finalize (object);
}

static void
lacuna_volume_class_init (LacunaVolumeClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lacuna_volume_finalize;
}

static void
lacuna_volume_init (LacunaVolume *self)
{
}

static inline double
dot3 (const double a[3],
      const double b[3])
{
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

typedef struct
{
  double position[3];
  double depth;
  guint  index;
} SliceOrder;

static int
compare_slices (gconstpointer a,
                gconstpointer b)
{
  const SliceOrder *x = a, *y = b;

  return (x->depth > y->depth) - (x->depth < y->depth);
}

/* Sets the geometry; order receives, for each sorted slice, the index it had in positions.
 * FALSE when the geometry is unusable. */
static gboolean
set_geometry (LacunaVolume *self,
              const double  orientation[6],
              const double *positions,
              double        spacing_x,
              double        spacing_y,
              guint        *order)
{
  g_autofree SliceOrder *slices = NULL;
  double norm_r, norm_c, norm_n, gap_min = G_MAXDOUBLE, gap_max = 0;

  if (self->nz < 2 || !(spacing_x > 0) || !(spacing_y > 0))
    return FALSE;

  memcpy (self->orientation, orientation, sizeof self->orientation);
  memcpy (self->row, orientation, sizeof self->row);
  memcpy (self->col, orientation + 3, sizeof self->col);
  norm_r = sqrt (dot3 (self->row, self->row));
  norm_c = sqrt (dot3 (self->col, self->col));
  if (!(norm_r > 1e-6) || !(norm_c > 1e-6))
    return FALSE;
  for (guint a = 0; a < 3; a++)
    {
      self->row[a] /= norm_r;
      self->col[a] /= norm_c;
    }
  self->normal[0] = self->row[1] * self->col[2] - self->row[2] * self->col[1];
  self->normal[1] = self->row[2] * self->col[0] - self->row[0] * self->col[2];
  self->normal[2] = self->row[0] * self->col[1] - self->row[1] * self->col[0];
  norm_n = sqrt (dot3 (self->normal, self->normal));
  if (!(norm_n > 0.5))
    return FALSE;
  for (guint a = 0; a < 3; a++)
    self->normal[a] /= norm_n;

  self->dx = spacing_x;
  self->dy = spacing_y;

  slices = g_new0 (SliceOrder, self->nz);
  for (guint k = 0; k < self->nz; k++)
    {
      memcpy (slices[k].position, positions + 3 * k, sizeof slices[k].position);
      slices[k].depth = dot3 (slices[k].position, self->normal);
      slices[k].index = k;
      if (!isfinite (slices[k].depth))
        return FALSE;
    }
  qsort (slices, self->nz, sizeof *slices, compare_slices);

  self->positions = g_new (double, 3 * self->nz);
  self->depths = g_new (double, self->nz);
  for (guint k = 0; k < self->nz; k++)
    {
      memcpy (self->positions + 3 * k, slices[k].position, 3 * sizeof (double));
      self->depths[k] = slices[k].depth;
      if (order != NULL)
        order[k] = slices[k].index;
      if (k > 0)
        {
          double gap = self->depths[k] - self->depths[k - 1];

          gap_min = MIN (gap_min, gap);
          gap_max = MAX (gap_max, gap);
        }
    }
  if (!(gap_min > 1e-3))
    return FALSE;
  self->gap = (self->depths[self->nz - 1] - self->depths[0]) / (self->nz - 1);
  self->uniform = gap_max - gap_min < 0.01 * self->gap;
  return TRUE;
}

LacunaVolume *
lacuna_volume_new (guint         nx,
                   guint         ny,
                   guint         nz,
                   const double  orientation[6],
                   const double *positions,
                   double        spacing_x,
                   double        spacing_y,
                   const char   *modality,
                   float         fill)
{
  g_autoptr(LacunaVolume) self = NULL;
  guint64 n = (guint64) nx * ny * nz;

  g_return_val_if_fail (orientation != NULL && positions != NULL, NULL);

  if (nx == 0 || ny == 0 || n > LACUNA_VOLUME_MAX_VOXELS)
    return NULL;

  self = g_object_new (LACUNA_TYPE_VOLUME, NULL);
  self->nx = nx;
  self->ny = ny;
  self->nz = nz;
  self->modality = g_strdup (modality != NULL ? modality : "");
  if (!set_geometry (self, orientation, positions, spacing_x, spacing_y, NULL))
    return NULL;
  self->data = g_new (float, n);
  for (guint64 v = 0; v < n; v++)
    self->data[v] = fill;
  return g_steal_pointer (&self);
}

LacunaVolume *
lacuna_volume_copy (LacunaVolume *self)
{
  LacunaVolume *copy;
  gsize n;

  g_return_val_if_fail (LACUNA_IS_VOLUME (self), NULL);

  n = (gsize) self->nx * self->ny * self->nz;
  copy = g_object_new (LACUNA_TYPE_VOLUME, NULL);
  copy->nx = self->nx;
  copy->ny = self->ny;
  copy->nz = self->nz;
  copy->data = g_memdup2 (self->data, n * sizeof (float));
  memcpy (copy->orientation, self->orientation, sizeof copy->orientation);
  memcpy (copy->row, self->row, sizeof copy->row);
  memcpy (copy->col, self->col, sizeof copy->col);
  memcpy (copy->normal, self->normal, sizeof copy->normal);
  copy->dx = self->dx;
  copy->dy = self->dy;
  copy->positions = g_memdup2 (self->positions, 3 * self->nz * sizeof (double));
  copy->depths = g_memdup2 (self->depths, self->nz * sizeof (double));
  copy->uniform = self->uniform;
  copy->gap = self->gap;
  copy->modality = g_strdup (self->modality);
  if (self->instances != NULL)
    copy->instances = g_ptr_array_ref (self->instances);
  return copy;
}

static gboolean
read_ds (LacunaDicomFile *file,
         const char      *path,
         double          *out,
         guint            n)
{
  g_autofree char *text = lacuna_dicom_file_dup_string (file, path, NULL);

  return text != NULL && _lacuna_parse_ds (text, out, n);
}

/* Modality values of one decoded grey frame into out (columns × rows floats). */
static gboolean
frame_values (LacunaFrame *frame,
              float       *out,
              guint        nx,
              guint        ny)
{
  const LacunaDicomPixelInfo *info = lacuna_frame_get_info (frame);
  double slope, intercept;
  GBytes *stored;
  gsize size;
  const guint8 *bytes;

  if (lacuna_frame_get_rescale (frame, &slope, &intercept)
      && info->samples_per_pixel == 1
      && (info->bits_allocated == 8 || info->bits_allocated == 16))
    {
      stored = lacuna_frame_get_stored (frame);
      bytes = g_bytes_get_data (stored, &size);
      if (size < (gsize) nx * ny * (info->bits_allocated / 8))
        return FALSE;
      for (gsize v = 0; v < (gsize) nx * ny; v++)
        {
          double s;

          if (info->bits_allocated == 8)
            s = info->is_signed ? (double) ((const gint8 *) bytes)[v] : (double) bytes[v];
          else
            s = info->is_signed ? (double) ((const gint16 *) bytes)[v]
                                : (double) ((const guint16 *) bytes)[v];
          out[v] = (float) (s * slope + intercept);
        }
      return TRUE;
    }

  for (guint y = 0; y < ny; y++)
    for (guint x = 0; x < nx; x++)
      out[(gsize) y * nx + x] = (float) lacuna_frame_get_value (frame, x, y);
  return TRUE;
}

LacunaVolume *
lacuna_volume_new_from_series (LacunaSeries  *series,
                               GCancellable  *cancellable,
                               GError       **error)
{
  g_autoptr(LacunaVolume) self = NULL;
  g_autofree double *positions = NULL;
  g_autofree guint *order = NULL;
  double orientation[6] = { 0 }, spacing[2] = { 0 };
  guint n, rows = 0, columns = 0;
  g_autoptr(GPtrArray) instances = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_val_if_fail (LACUNA_IS_SERIES (series), NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (series));
  for (guint s = 0; s < n; s++)
    {
      LacunaInstance *instance = lacuna_series_get_instance (series, s);

      if (lacuna_instance_has_pixels (instance))
        g_ptr_array_add (instances, g_object_ref (instance));
    }
  if (instances->len < 2)
    {
      g_set_error_literal (error, LACUNA_LOAD_ERROR, LACUNA_LOAD_ERROR_FAILED,
                           _("A volume needs at least two images in the series"));
      return NULL;
    }

  positions = g_new0 (double, 3 * instances->len);
  for (guint s = 0; s < instances->len; s++)
    {
      LacunaInstance *instance = instances->pdata[s];
      double o[6];

      if (lacuna_instance_get_n_frames (instance) != 1)
        {
          g_set_error_literal (error, LACUNA_LOAD_ERROR, LACUNA_LOAD_ERROR_FAILED,
                               _("Multi-frame images cannot be read as a volume yet"));
          return NULL;
        }
      if (!lacuna_instance_get_position (instance, positions + 3 * s))
        {
          g_set_error_literal (error, LACUNA_LOAD_ERROR, LACUNA_LOAD_ERROR_FAILED,
                               _("An image has no (0020,0032) Image Position (Patient)"));
          return NULL;
        }
      if (!lacuna_instance_get_orientation (instance, o))
        {
          g_set_error_literal (error, LACUNA_LOAD_ERROR, LACUNA_LOAD_ERROR_FAILED,
                               _("An image has no (0020,0037) Image Orientation (Patient)"));
          return NULL;
        }
      if (s == 0)
        {
          memcpy (orientation, o, sizeof orientation);
          rows = lacuna_instance_get_rows (instance);
          columns = lacuna_instance_get_columns (instance);
        }
      else
        {
          for (guint a = 0; a < 6; a++)
            if (fabs (o[a] - orientation[a]) > 1e-3)
              {
                g_set_error_literal (error, LACUNA_LOAD_ERROR, LACUNA_LOAD_ERROR_FAILED,
                                     _("The images differ in (0020,0037) Image Orientation (Patient)"));
                return NULL;
              }
          if (lacuna_instance_get_rows (instance) != rows
              || lacuna_instance_get_columns (instance) != columns)
            {
              g_set_error_literal (error, LACUNA_LOAD_ERROR, LACUNA_LOAD_ERROR_FAILED,
                                   _("The images differ in (0028,0010) Rows or (0028,0011) Columns"));
              return NULL;
            }
        }
    }

  if ((guint64) rows * columns * instances->len > LACUNA_VOLUME_MAX_VOXELS || rows == 0
      || columns == 0)
    {
      g_set_error_literal (error, LACUNA_LOAD_ERROR, LACUNA_LOAD_ERROR_FAILED,
                           _("The series is too large to be read as a volume"));
      return NULL;
    }

  self = g_object_new (LACUNA_TYPE_VOLUME, NULL);
  self->nx = columns;
  self->ny = rows;
  self->nz = instances->len;
  self->modality = g_strdup (lacuna_series_get_modality (series));
  order = g_new0 (guint, self->nz);

  /* Pixel Spacing comes from the first file (the index does not keep it). */
  {
    g_autoptr(LacunaDicomFile) file = lacuna_instance_open (instances->pdata[0], error);

    if (file == NULL)
      return NULL;
    if (!read_ds (file, "00280030", spacing, 2))
      {
        g_set_error_literal (error, LACUNA_LOAD_ERROR, LACUNA_LOAD_ERROR_FAILED,
                             _("The images have no usable (0028,0030) Pixel Spacing"));
        return NULL;
      }
  }
  /* Pixel Spacing is row spacing (between rows), then column spacing. */
  if (!set_geometry (self, orientation, positions, spacing[1], spacing[0], order))
    {
      g_set_error_literal (error, LACUNA_LOAD_ERROR, LACUNA_LOAD_ERROR_FAILED,
                           _("The images' (0020,0032) Image Position (Patient) values do not form a volume"));
      return NULL;
    }

  self->data = g_try_new (float, (gsize) columns * rows * self->nz);
  if (self->data == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                           _("Not enough memory for the volume"));
      return NULL;
    }
  self->instances = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint k = 0; k < self->nz; k++)
    {
      LacunaInstance *instance = instances->pdata[order[k]];
      g_autoptr(LacunaDicomFile) file = NULL;
      g_autoptr(LacunaFrame) frame = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      g_ptr_array_add (self->instances, g_object_ref (instance));
      file = lacuna_instance_open (instance, error);
      if (file == NULL)
        return NULL;
      frame = lacuna_frame_decode (file, 0, error);
      if (frame == NULL)
        return NULL;
      if (lacuna_frame_is_color (frame) || lacuna_frame_get_width (frame) != columns
          || lacuna_frame_get_height (frame) != rows)
        {
          g_set_error_literal (error, LACUNA_LOAD_ERROR, LACUNA_LOAD_ERROR_FAILED,
                               _("A volume needs grey images of one size"));
          return NULL;
        }
      if (!frame_values (frame, self->data + (gsize) k * columns * rows, columns, rows))
        {
          g_set_error_literal (error, LACUNA_LOAD_ERROR, LACUNA_LOAD_ERROR_FAILED,
                               _("An image's pixel data is shorter than its size"));
          return NULL;
        }
    }
  return g_steal_pointer (&self);
}

guint
lacuna_volume_get_width (LacunaVolume *self)
{
  g_return_val_if_fail (LACUNA_IS_VOLUME (self), 0);
  return self->nx;
}

guint
lacuna_volume_get_height (LacunaVolume *self)
{
  g_return_val_if_fail (LACUNA_IS_VOLUME (self), 0);
  return self->ny;
}

guint
lacuna_volume_get_depth (LacunaVolume *self)
{
  g_return_val_if_fail (LACUNA_IS_VOLUME (self), 0);
  return self->nz;
}

const char *
lacuna_volume_get_modality (LacunaVolume *self)
{
  g_return_val_if_fail (LACUNA_IS_VOLUME (self), "");
  return self->modality;
}

float *
lacuna_volume_get_data (LacunaVolume *self)
{
  g_return_val_if_fail (LACUNA_IS_VOLUME (self), NULL);
  return self->data;
}

float
lacuna_volume_get_voxel (LacunaVolume *self,
                         guint         i,
                         guint         j,
                         guint         k)
{
  g_return_val_if_fail (LACUNA_IS_VOLUME (self), 0);
  g_return_val_if_fail (i < self->nx && j < self->ny && k < self->nz, 0);
  return self->data[((gsize) k * self->ny + j) * self->nx + i];
}

void
lacuna_volume_get_spacing (LacunaVolume *self,
                           double        out_spacing[3])
{
  g_return_if_fail (LACUNA_IS_VOLUME (self));
  out_spacing[0] = self->dx;
  out_spacing[1] = self->dy;
  out_spacing[2] = self->gap;
}

void
lacuna_volume_get_slice_gaps (LacunaVolume *self,
                              double       *out_min,
                              double       *out_max)
{
  double lo = G_MAXDOUBLE, hi = 0;

  g_return_if_fail (LACUNA_IS_VOLUME (self));
  for (guint k = 1; k < self->nz; k++)
    {
      lo = MIN (lo, self->depths[k] - self->depths[k - 1]);
      hi = MAX (hi, self->depths[k] - self->depths[k - 1]);
    }
  if (out_min != NULL)
    *out_min = lo;
  if (out_max != NULL)
    *out_max = hi;
}

void
lacuna_volume_get_orientation (LacunaVolume *self,
                               double        out_orientation[6])
{
  g_return_if_fail (LACUNA_IS_VOLUME (self));
  memcpy (out_orientation, self->orientation, sizeof self->orientation);
}

void
lacuna_volume_get_position (LacunaVolume *self,
                            guint         k,
                            double        out_position[3])
{
  g_return_if_fail (LACUNA_IS_VOLUME (self));
  g_return_if_fail (k < self->nz);
  memcpy (out_position, self->positions + 3 * k, 3 * sizeof (double));
}

double
lacuna_volume_get_tilt (LacunaVolume *self)
{
  double stack[3], len, c;

  g_return_val_if_fail (LACUNA_IS_VOLUME (self), 0);
  for (guint a = 0; a < 3; a++)
    stack[a] = self->positions[3 * (self->nz - 1) + a] - self->positions[a];
  len = sqrt (dot3 (stack, stack));
  if (!(len > 0))
    return 0;
  c = CLAMP (dot3 (stack, self->normal) / len, -1.0, 1.0);
  return acos (c) * 180.0 / G_PI;
}

void
lacuna_volume_get_anterior (LacunaVolume *self,
                            double        out_direction[3])
{
  static const double anterior[3] = { 0, -1, 0 };

  g_return_if_fail (LACUNA_IS_VOLUME (self));
  /* The components of the anterior unit vector along the row, column and normal axes. */
  out_direction[0] = dot3 (anterior, self->row);
  out_direction[1] = dot3 (anterior, self->col);
  out_direction[2] = dot3 (anterior, self->normal);
}

void
lacuna_volume_voxel_to_patient (LacunaVolume *self,
                                double        i,
                                double        j,
                                double        k,
                                double        out_position[3])
{
  double origin[3];
  int k0;
  double t;

  g_return_if_fail (LACUNA_IS_VOLUME (self));

  k0 = (int) floor (k);
  k0 = CLAMP (k0, 0, (int) self->nz - 2);
  t = k - k0;
  for (guint a = 0; a < 3; a++)
    origin[a] = self->positions[3 * k0 + a]
                + t * (self->positions[3 * (k0 + 1) + a] - self->positions[3 * k0 + a]);
  for (guint a = 0; a < 3; a++)
    out_position[a] = origin[a] + i * self->dx * self->row[a] + j * self->dy * self->col[a];
}

/* Continuous (i, j, k) of p; FALSE outside the stack. Used in the renderer's inner loop. */
static inline gboolean
locate (LacunaVolume *self,
        const double  p[3],
        double        ijk[3])
{
  double d = dot3 (p, self->normal), t, rel[3];
  guint k0;
  const double *a, *b;

  if (d < self->depths[0] || d > self->depths[self->nz - 1])
    return FALSE;
  if (self->uniform)
    {
      double f = (d - self->depths[0]) / self->gap;

      k0 = (guint) f;
      if (k0 > self->nz - 2)
        k0 = self->nz - 2;
      /* Guard against the 1 % tolerance. */
      while (k0 > 0 && self->depths[k0] > d)
        k0--;
      while (k0 < self->nz - 2 && self->depths[k0 + 1] < d)
        k0++;
    }
  else
    {
      guint lo = 0, hi = self->nz - 1;

      while (hi - lo > 1)
        {
          guint mid = (lo + hi) / 2;

          if (self->depths[mid] <= d)
            lo = mid;
          else
            hi = mid;
        }
      k0 = lo;
    }
  t = (d - self->depths[k0]) / (self->depths[k0 + 1] - self->depths[k0]);
  a = self->positions + 3 * k0;
  b = a + 3;
  rel[0] = p[0] - (a[0] + t * (b[0] - a[0]));
  rel[1] = p[1] - (a[1] + t * (b[1] - a[1]));
  rel[2] = p[2] - (a[2] + t * (b[2] - a[2]));
  ijk[0] = dot3 (rel, self->row) / self->dx;
  ijk[1] = dot3 (rel, self->col) / self->dy;
  ijk[2] = k0 + t;
  return TRUE;
}

gboolean
lacuna_volume_patient_to_voxel (LacunaVolume *self,
                                const double  position[3],
                                double        out_ijk[3])
{
  g_return_val_if_fail (LACUNA_IS_VOLUME (self), FALSE);
  return locate (self, position, out_ijk);
}

static inline float
trilinear (LacunaVolume *self,
           const double  ijk[3],
           float         outside)
{
  double fi = ijk[0], fj = ijk[1], fk = ijk[2];
  int i0, j0, k0;
  double ti, tj, tk;
  gsize sx = 1, sy = self->nx, sz = (gsize) self->nx * self->ny;
  const float *v;
  double c00, c01, c10, c11, c0, c1;

  if (fi < 0 || fj < 0 || fi > self->nx - 1 || fj > self->ny - 1)
    return outside;
  i0 = MIN ((int) fi, (int) self->nx - 2);
  j0 = MIN ((int) fj, (int) self->ny - 2);
  k0 = MIN ((int) fk, (int) self->nz - 2);
  if (i0 < 0 || j0 < 0)
    return outside;   /* a one-pixel-wide image */
  ti = fi - i0;
  tj = fj - j0;
  tk = fk - k0;
  v = self->data + k0 * sz + (gsize) j0 * sy + i0;
  c00 = v[0] + ti * (v[sx] - v[0]);
  c01 = v[sy] + ti * (v[sy + sx] - v[sy]);
  c10 = v[sz] + ti * (v[sz + sx] - v[sz]);
  c11 = v[sz + sy] + ti * (v[sz + sy + sx] - v[sz + sy]);
  c0 = c00 + tj * (c01 - c00);
  c1 = c10 + tj * (c11 - c10);
  return (float) (c0 + tk * (c1 - c0));
}

gboolean
_lacuna_volume_get_affine (LacunaVolume *self,
                           double        origin[3],
                           double        m[3][3])
{
  double a[3][3], det;

  if (!self->uniform)
    return FALSE;
  /* Columns: one step in i, j and k, in mm. */
  for (guint r = 0; r < 3; r++)
    {
      a[r][0] = self->dx * self->row[r];
      a[r][1] = self->dy * self->col[r];
      a[r][2] = (self->positions[3 * (self->nz - 1) + r] - self->positions[r]) / (self->nz - 1);
      origin[r] = self->positions[r];
    }
  det = a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
        - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
        + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
  if (fabs (det) < 1e-12)
    return FALSE;
  m[0][0] = (a[1][1] * a[2][2] - a[1][2] * a[2][1]) / det;
  m[0][1] = (a[0][2] * a[2][1] - a[0][1] * a[2][2]) / det;
  m[0][2] = (a[0][1] * a[1][2] - a[0][2] * a[1][1]) / det;
  m[1][0] = (a[1][2] * a[2][0] - a[1][0] * a[2][2]) / det;
  m[1][1] = (a[0][0] * a[2][2] - a[0][2] * a[2][0]) / det;
  m[1][2] = (a[0][2] * a[1][0] - a[0][0] * a[1][2]) / det;
  m[2][0] = (a[1][0] * a[2][1] - a[1][1] * a[2][0]) / det;
  m[2][1] = (a[0][1] * a[2][0] - a[0][0] * a[2][1]) / det;
  m[2][2] = (a[0][0] * a[1][1] - a[0][1] * a[1][0]) / det;
  return TRUE;
}

gboolean
_lacuna_volume_locate (LacunaVolume *self,
                       const double  position[3],
                       double        ijk[3])
{
  return locate (self, position, ijk);
}

float
_lacuna_volume_trilinear (LacunaVolume *self,
                          const double  ijk[3],
                          float         outside)
{
  return trilinear (self, ijk, outside);
}

float
lacuna_volume_sample (LacunaVolume *self,
                      const double  position[3],
                      float         outside)
{
  double ijk[3];

  g_return_val_if_fail (LACUNA_IS_VOLUME (self), outside);
  if (self->nx < 2 || self->ny < 2 || !locate (self, position, ijk))
    return outside;
  return trilinear (self, ijk, outside);
}

LacunaInstance *
lacuna_volume_get_instance (LacunaVolume *self,
                            guint         k)
{
  g_return_val_if_fail (LACUNA_IS_VOLUME (self), NULL);
  if (self->instances == NULL || k >= self->instances->len)
    return NULL;
  return self->instances->pdata[k];
}

static int
compare_floats (const void *a,
                const void *b)
{
  float x = *(const float *) a, y = *(const float *) b;

  return (x > y) - (x < y);
}

double
lacuna_volume_get_percentile (LacunaVolume *self,
                              double        p)
{
  gsize n, step, m = 0;
  g_autofree float *sample = NULL;

  g_return_val_if_fail (LACUNA_IS_VOLUME (self), 0);

  n = (gsize) self->nx * self->ny * self->nz;
  step = MAX (1, n / (1 << 20)) | 1;   /* odd: not in step with the rows */
  sample = g_new (float, n / step + 1);
  for (gsize v = 0; v < n; v += step)
    sample[m++] = self->data[v];
  qsort (sample, m, sizeof (float), compare_floats);
  return sample[MIN (m - 1, (gsize) (CLAMP (p, 0.0, 1.0) * (m - 1) + 0.5))];
}
