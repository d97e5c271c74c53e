/* lacuna-deface.c: remove the tissue over the face, along anterior rays, to a set depth. */
#define G_LOG_DOMAIN "lacuna-deface"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "lacuna-deface.h"
#include "lacuna-face-private.h"
#include "lacuna-frame.h"
#include "lacuna-key.h"
#include "lacuna-uid-map.h"

/* The fixed key of the stand-alone writer's UIDs (not a secret: it only makes them new). */
#define DEFACE_UID_KEY "lacuna-deface-series-uid-key-v1"

struct _LacunaDefaceResult
{
  GObject           parent_instance;

  double            depth;
  LacunaVolume     *original;
  LacunaVolume     *volume;
  LacunaFaceResult *before;
  LacunaFaceResult *after;
  guint8           *mask;         /* per voxel: removed */
  gboolean         *slice_changed;
  float             background;
  float             fill;         /* the shell's value */
  guint64           n_changed;
  guint64           n_deep_changed;
  guint             n_residual;   /* single detections on the old face above the control */
  int               box[4];
  int               strategy;     /* CutStrategy that was kept */
};

G_DEFINE_FINAL_TYPE (LacunaDefaceResult, lacuna_deface_result, G_TYPE_OBJECT)

static void
lacuna_deface_result_finalize (GObject *object)
{
  LacunaDefaceResult *self = LACUNA_DEFACE_RESULT (object);

  g_clear_object (&self->original);
  g_clear_object (&self->volume);
  g_clear_object (&self->before);
  g_clear_object (&self->after);
  g_free (self->mask);
  g_free (self->slice_changed);

  G_OBJECT_CLASS (lacuna_deface_result_parent_class)->finalize (object);
}

static void
lacuna_deface_result_class_init (LacunaDefaceResultClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lacuna_deface_result_finalize;
}

static void
lacuna_deface_result_init (LacunaDefaceResult *self)
{
}

static inline double
dot3 (const double a[3],
      const double b[3])
{
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

/* The union of the agreeing boxes of every view, mapped onto the frontal render: each
 * box's skin points are projected into the frontal view and their bounding rectangle
 * taken. Returns FALSE when nothing maps. */
static gboolean
build_mask (LacunaFaceResult       *before,
            const LacunaFaceRender *front,
            double                  out[4])
{
  double x0 = G_MAXDOUBLE, y0 = G_MAXDOUBLE, x1 = -G_MAXDOUBLE, y1 = -G_MAXDOUBLE;

  for (guint v = 0; v < lacuna_face_result_get_n_views (before); v++)
    {
      const LacunaFaceView *view = lacuna_face_result_get_view (before, v);
      const LacunaFaceRender *render = _lacuna_face_result_get_render (before, v);
      double bx0, by0, bx1, by1, h;
      double vx0 = G_MAXDOUBLE, vy0 = G_MAXDOUBLE, vx1 = -G_MAXDOUBLE, vy1 = -G_MAXDOUBLE;

      if (!view->consensus || render == NULL)
        continue;
      bx0 = (double) view->consensus_box.x / view->scale;
      by0 = (double) view->consensus_box.y / view->scale;
      bx1 = (double) (view->consensus_box.x + view->consensus_box.width) / view->scale;
      by1 = (double) (view->consensus_box.y + view->consensus_box.height) / view->scale;
      for (int y = MAX (0, (int) floor (by0)); y < MIN ((int) render->height, (int) ceil (by1)); y++)
        for (int x = MAX (0, (int) floor (bx0)); x < MIN ((int) render->width, (int) ceil (bx1)); x++)
          {
            float d = render->depth[(gsize) y * render->width + x];
            double p[3], rel[3], u, w;

            if (isnan (d))
              continue;
            for (guint a = 0; a < 3; a++)
              {
                p[a] = render->origin[a] + x * render->pixel * render->right[a]
                       + y * render->pixel * render->down[a] + d * render->forward[a];
                rel[a] = p[a] - front->origin[a];
              }
            u = dot3 (rel, front->right) / front->pixel;
            w = dot3 (rel, front->down) / front->pixel;
            vx0 = MIN (vx0, u), vx1 = MAX (vx1, u);
            vy0 = MIN (vy0, w), vy1 = MAX (vy1, w);
          }
      if (vx1 < vx0)
        continue;
      /* The boxes reach from the brow line to about the mouth: keep their upper edge (the
       * whole of the eyes must go: the cut is feathered outwards from here), extend down
       * past the chin and a little to the sides. */
      h = vy1 - vy0;
      vy1 += 0.25 * h;
      vx0 -= 0.1 * (vx1 - vx0);
      vx1 += 0.1 * (vx1 - vx0) / 1.1;
      x0 = MIN (x0, vx0), x1 = MAX (x1, vx1);
      y0 = MIN (y0, vy0), y1 = MAX (y1, vy1);
    }
  if (x1 < x0)
    return FALSE;
  out[0] = x0, out[1] = y0, out[2] = x1, out[3] = y1;
  return TRUE;
}

/* The cut surface in the frontal render, never more than depth_mm below the skin of its
 * own ray (NAN outside the mask or without skin). Two strategies, tried in turn until the
 * re-check no longer finds a face:
 *   ENVELOPE: the deepest skin within CUT_RADIUS_MM, smoothed, so the nose, lips and eyes
 *             are levelled off (not shifted back), feathered towards the mask's edges, with
 *             a thin shell of plain tissue in front of it (the new surface is the smooth
 *             cut, not the orbits and sinuses behind it);
 *   PLANE:    a plane depth_mm behind the most anterior skin in the mask (quickshear-like,
 *             limited to the mask), no shell. */
typedef enum
{
  CUT_ENVELOPE,
  CUT_PLANE,
  CUT_SMOOTH,
  N_CUTS
} CutStrategy;

static const char *const cut_names[N_CUTS] = { "envelope", "plane", "smooth" };

#define CUT_RADIUS_MM  12.0
#define CUT_SIGMA_MM   5.0
#define CUT_FEATHER_MM 10.0
#define CUT_SHELL_MM   3.0
#define CUT_SMOOTH_MM  20.0    /* σ of the smooth cut's low-pass */
#define CUT_FILL_MM    15.0    /* the smooth cut bridges hollows up to this deep */
/* Pixels of the frontal skin map the cut is made on: the volume's spacing, but no finer. */
#define FRONT_PIXEL_MM 0.8

/* The cuts tried in turn until the re-check finds no face: each strategy on the mask the
 * detectors' boxes give, then on that mask grown by a fifth of its size on every side. */
static const struct
{
  CutStrategy strategy;
  double      grow;
} attempts[] = {
  { CUT_SMOOTH, 0.0 },
  { CUT_ENVELOPE, 0.0 },
  { CUT_PLANE, 0.0 },
  { CUT_SMOOTH, 0.2 },
};

static void
max_filter (const float *in,
            float       *out,
            guint        w,
            guint        h,
            int          r,
            gboolean     vertical)
{
  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++)
      {
        float m = NAN;

        for (int o = -r; o <= r; o++)
          {
            int X = vertical ? (int) x : (int) x + o, Y = vertical ? (int) y + o : (int) y;
            float d;

            if (X < 0 || Y < 0 || X >= (int) w || Y >= (int) h)
              continue;
            d = in[(gsize) Y * w + X];
            if (!isnan (d) && (isnan (m) || d > m))
              m = d;
          }
        out[(gsize) y * w + x] = m;
      }
}

static void
gauss_filter (const float *in,
              float       *out,
              guint        w,
              guint        h,
              double       sigma,
              gboolean     vertical)
{
  int r = MAX (1, (int) ceil (2.5 * sigma));

  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++)
      {
        double sum = 0, wsum = 0;

        for (int o = -r; o <= r; o++)
          {
            int X = vertical ? (int) x : (int) x + o, Y = vertical ? (int) y + o : (int) y;
            double k;
            float d;

            if (X < 0 || Y < 0 || X >= (int) w || Y >= (int) h)
              continue;
            d = in[(gsize) Y * w + X];
            if (isnan (d))
              continue;
            k = exp (-0.5 * o * o / (sigma * sigma));
            sum += k * d;
            wsum += k;
          }
        out[(gsize) y * w + x] = wsum > 0 ? (float) (sum / wsum) : NAN;
      }
}

static float *
build_cut (const LacunaFaceRender *front,
           const double            mask[4],
           double                  depth_mm,
           CutStrategy             strategy)
{
  guint w = front->width, h = front->height;
  g_autofree float *a = g_new (float, (gsize) w * h);
  g_autofree float *b = g_new (float, (gsize) w * h);
  float *cut = g_new (float, (gsize) w * h);
  double plane = G_MAXDOUBLE;
  gboolean any = FALSE;

  if (strategy == CUT_ENVELOPE)
    {
      int r = MAX (1, (int) ceil (CUT_RADIUS_MM / front->pixel));

      max_filter (front->depth, a, w, h, r, FALSE);
      max_filter (a, b, w, h, r, TRUE);
      gauss_filter (b, a, w, h, CUT_SIGMA_MM / front->pixel, FALSE);
      gauss_filter (a, b, w, h, CUT_SIGMA_MM / front->pixel, TRUE);
    }
  else if (strategy == CUT_SMOOTH)
    {
      gauss_filter (front->depth, a, w, h, CUT_SMOOTH_MM / front->pixel, FALSE);
      gauss_filter (a, b, w, h, CUT_SMOOTH_MM / front->pixel, TRUE);
    }
  else
    {
      for (guint y = 0; y < h; y++)
        for (guint x = 0; x < w; x++)
          {
            float skin = front->depth[(gsize) y * w + x];

            if (!isnan (skin) && x >= mask[0] && x <= mask[2] && y >= mask[1] && y <= mask[3])
              plane = MIN (plane, skin + depth_mm);
          }
    }

  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++)
      {
        float skin = front->depth[(gsize) y * w + x];
        double level = strategy == CUT_PLANE ? plane : b[(gsize) y * w + x], f = 1.0;
        double ox = MAX (0.0, MAX (mask[0] - x, x - mask[2]));
        double oy = MAX (0.0, MAX (mask[1] - y, y - mask[3]));
        double outside = sqrt (ox * ox + oy * oy) * front->pixel;

        /* The envelope and the smooth cut are whole inside the mask and feathered over
         * CUT_FEATHER_MM outside it; the plane stops at the mask. The smooth cut leaves
         * alone the rays whose skin lies far behind it (below the chin: the neck). */
        if (strategy != CUT_PLANE)
          f = 1.0 - outside / CUT_FEATHER_MM;
        else if (outside > 0)
          f = 0.0;
        if (isnan (skin) || isnan (level) || f <= 0.0 || level == G_MAXDOUBLE
            || (strategy == CUT_SMOOTH && level < skin - CUT_FILL_MM))
          {
            cut[(gsize) y * w + x] = NAN;
            continue;
          }
        cut[(gsize) y * w + x] = (float) (skin + f * (MIN (level, skin + depth_mm) - skin));
        any = TRUE;
      }
  if (!any)
    g_clear_pointer (&cut, g_free);
  return cut;
}

/* Cuts a fresh copy of the original with strategy; counts what changed. FALSE when there
 * was nothing to cut. */
static gboolean
cut_volume (LacunaDefaceResult     *self,
            const LacunaFaceRender *front,
            const double            mask[4],
            CutStrategy             strategy)
{
  LacunaVolume *volume = self->original;
  guint nx = lacuna_volume_get_width (volume), ny = lacuna_volume_get_height (volume);
  guint nz = lacuna_volume_get_depth (volume);
  g_autofree float *cut = build_cut (front, mask, self->depth, strategy);
  double reach = 1.0 + CUT_FEATHER_MM / front->pixel;   /* the cut's extent around the mask */
  const float *src;
  float *dst;

  if (cut == NULL)
    return FALSE;

  g_clear_object (&self->volume);
  self->volume = lacuna_volume_copy (volume);
  g_free (self->mask);
  self->mask = g_new0 (guint8, (gsize) nx * ny * nz);
  memset (self->slice_changed, 0, nz * sizeof (gboolean));
  self->n_changed = self->n_deep_changed = 0;
  src = lacuna_volume_get_data (volume);
  dst = lacuna_volume_get_data (self->volume);

  for (guint k = 0; k < nz; k++)
    {
      double o[3], row[3], col[3];

      lacuna_volume_voxel_to_patient (volume, 0, 0, k, o);
      lacuna_volume_voxel_to_patient (volume, 1, 0, k, row);
      lacuna_volume_voxel_to_patient (volume, 0, 1, k, col);
      for (guint a = 0; a < 3; a++)
        {
          row[a] -= o[a];
          col[a] -= o[a];
        }
      for (guint j = 0; j < ny; j++)
        for (guint i = 0; i < nx; i++)
          {
            gsize v = ((gsize) k * ny + j) * nx + i;
            double rel[3], u, w, t;
            int px, py;
            float skin, c;

            for (guint a = 0; a < 3; a++)
              rel[a] = o[a] + i * row[a] + j * col[a] - front->origin[a];
            u = dot3 (rel, front->right) / front->pixel;
            w = dot3 (rel, front->down) / front->pixel;
            if (u < mask[0] - reach || u > mask[2] + reach || w < mask[1] - reach
                || w > mask[3] + reach)
              continue;
            px = (int) floor (u + 0.5);
            py = (int) floor (w + 0.5);
            if (px < 0 || py < 0 || px >= (int) front->width || py >= (int) front->height)
              continue;
            skin = front->depth[(gsize) py * front->width + px];
            c = cut[(gsize) py * front->width + px];
            if (isnan (skin) || isnan (c))
              continue;
            t = dot3 (rel, front->forward);
            /* In front of the cut surface, never deeper than depth_mm below the skin. */
            if (t >= c || t >= skin + self->depth)
              continue;
            /* The envelope's shell is never put in front of the old skin; the smooth cut's
             * is, over hollows (eyes, mouth), so that its surface is smooth throughout. */
            if ((strategy == CUT_ENVELOPE && t >= c - CUT_SHELL_MM && t >= skin)
                || (strategy == CUT_SMOOTH && t >= c - CUT_SHELL_MM))
              {
                self->mask[v] = 2;
                dst[v] = self->fill;
              }
            else
              {
                self->mask[v] = 1;
                dst[v] = self->background;
              }
          }
    }

  /* What changed, and whether anything deep did: compared voxel by voxel. */
  for (guint k = 0; k < nz; k++)
    {
      double o[3], row[3], col[3];

      lacuna_volume_voxel_to_patient (volume, 0, 0, k, o);
      lacuna_volume_voxel_to_patient (volume, 1, 0, k, row);
      lacuna_volume_voxel_to_patient (volume, 0, 1, k, col);
      for (guint a = 0; a < 3; a++)
        {
          row[a] -= o[a];
          col[a] -= o[a];
        }
      for (guint j = 0; j < ny; j++)
        for (guint i = 0; i < nx; i++)
          {
            gsize v = ((gsize) k * ny + j) * nx + i;
            double rel[3], t;
            int px, py;
            float skin;

            if (src[v] == dst[v])
              continue;
            self->n_changed++;
            self->slice_changed[k] = TRUE;
            for (guint a = 0; a < 3; a++)
              rel[a] = o[a] + i * row[a] + j * col[a] - front->origin[a];
            px = (int) floor (dot3 (rel, front->right) / front->pixel + 0.5);
            py = (int) floor (dot3 (rel, front->down) / front->pixel + 0.5);
            t = dot3 (rel, front->forward);
            skin = px >= 0 && py >= 0 && px < (int) front->width && py < (int) front->height
                   ? front->depth[(gsize) py * front->width + px] : NAN;
            if (isnan (skin) || t > skin + self->depth)
              self->n_deep_changed++;
          }
    }
  return TRUE;
}

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

/* INFERENCE.md §6: single detections in the re-check that lie on the original face (IoU >
 * LACUNA_FACE_MIN_IOU with the view's consensus box before defacing, carried over through
 * patient coordinates: the renders of the two volumes are cropped differently) and score
 * higher than the same detector anywhere on the featureless control. */
static guint
count_residual (LacunaDefaceResult *self,
                const double        control[LACUNA_VISION_N_DETECTORS])
{
  guint n = 0;
  guint n_views = MIN (lacuna_face_result_get_n_views (self->before),
                       lacuna_face_result_get_n_views (self->after));

  for (guint v = 0; v < n_views; v++)
    {
      const LacunaFaceView *bv = lacuna_face_result_get_view (self->before, v);
      const LacunaFaceView *av = lacuna_face_result_get_view (self->after, v);
      const LacunaFaceRender *br = _lacuna_face_result_get_render (self->before, v);
      const LacunaFaceRender *ar = _lacuna_face_result_get_render (self->after, v);
      double corner[2][2];
      LacunaVisionBox face;

      if (!bv->consensus || br == NULL || ar == NULL)
        continue;
      for (guint c = 0; c < 2; c++)
        {
          double x = (bv->consensus_box.x + c * bv->consensus_box.width) / (double) bv->scale;
          double y = (bv->consensus_box.y + c * bv->consensus_box.height) / (double) bv->scale;
          double rel[3];

          for (guint a = 0; a < 3; a++)
            rel[a] = br->origin[a] + x * br->pixel * br->right[a] + y * br->pixel * br->down[a]
                     - ar->origin[a];
          corner[c][0] = dot3 (rel, ar->right) / ar->pixel * av->scale;
          corner[c][1] = dot3 (rel, ar->down) / ar->pixel * av->scale;
        }
      face.x = (int) floor (corner[0][0] + 0.5);
      face.y = (int) floor (corner[0][1] + 0.5);
      face.width = (int) floor (corner[1][0] - corner[0][0] + 0.5);
      face.height = (int) floor (corner[1][1] - corner[0][1] + 0.5);
      for (guint d = 0; d < LACUNA_VISION_N_DETECTORS; d++)
        for (guint b = 0; b < av->boxes[d]->len; b++)
          {
            const LacunaVisionBox *box = &g_array_index (av->boxes[d], LacunaVisionBox, b);

            if (iou (box, &face) > LACUNA_FACE_MIN_IOU && box->score > control[d])
              n++;
          }
    }
  return n;
}

/* The mask in the pixels of the frontal view the detectors saw (view 0 of before), which
 * looks the same way as front but may have other pixels. */
static void
set_box (LacunaDefaceResult     *self,
         const LacunaFaceRender *front,
         const double            mask[4])
{
  const LacunaFaceRender *view = _lacuna_face_result_get_render (self->before, 0);
  double corners[2][2], rel[3];

  for (guint c = 0; c < 2; c++)
    {
      for (guint a = 0; a < 3; a++)
        rel[a] = front->origin[a] + mask[2 * c] * front->pixel * front->right[a]
                 + mask[2 * c + 1] * front->pixel * front->down[a] - view->origin[a];
      corners[c][0] = dot3 (rel, view->right) / view->pixel;
      corners[c][1] = dot3 (rel, view->down) / view->pixel;
    }
  self->box[0] = (int) floor (corners[0][0]);
  self->box[1] = (int) floor (corners[0][1]);
  self->box[2] = (int) ceil (corners[1][0] - corners[0][0]);
  self->box[3] = (int) ceil (corners[1][1] - corners[0][1]);
}

LacunaDefaceResult *
lacuna_deface_volume (LacunaVolume  *volume,
                      double         depth_mm,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(LacunaDefaceResult) self = NULL;
  g_autoptr(LacunaFaceRender) front = NULL;
  double found_mask[4], mask[4], control[LACUNA_VISION_N_DETECTORS];
  guint nz;

  g_return_val_if_fail (LACUNA_IS_VOLUME (volume), NULL);

  if (!(depth_mm > 0 && depth_mm <= 100))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("The defacing depth must be between 0 and 100 mm"));
      return NULL;
    }

  self = g_object_new (LACUNA_TYPE_DEFACE_RESULT, NULL);
  self->depth = depth_mm;
  self->original = g_object_ref (volume);
  self->before = lacuna_face_check_volume (volume, cancellable, error);
  if (self->before == NULL)
    return NULL;
  self->volume = lacuna_volume_copy (volume);
  nz = lacuna_volume_get_depth (volume);
  self->slice_changed = g_new0 (gboolean, nz);
  self->background = _lacuna_face_get_background (volume);
  self->fill = g_strcmp0 (lacuna_volume_get_modality (volume), "CT") == 0
               ? 40.0f : (float) lacuna_volume_get_percentile (volume, 0.9);
  if (!lacuna_face_result_get_found (self->before))
    return g_steal_pointer (&self);

  /* The skin as seen from the front (yaw 0, pitch 0), on the volume's own grid (the
   * detectors' renders may be coarser): the cut and the depth limit are measured on it. */
  if (!_lacuna_face_get_control_scores (control, error))
    return NULL;
  front = _lacuna_face_render_at (volume, lacuna_face_result_get_level (self->before), 0, 0,
                                  FRONT_PIXEL_MM);
  if (front == NULL || front->n_hits == 0 || !build_mask (self->before, front, found_mask))
    return g_steal_pointer (&self);

  for (guint a = 0; a < G_N_ELEMENTS (attempts); a++)
    {
      double gx = attempts[a].grow * (found_mask[2] - found_mask[0]);
      double gy = attempts[a].grow * (found_mask[3] - found_mask[1]);

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      mask[0] = found_mask[0] - gx, mask[2] = found_mask[2] + gx;
      mask[1] = found_mask[1] - gy, mask[3] = found_mask[3] + gy;
      if (!cut_volume (self, front, mask, attempts[a].strategy))
        continue;
      self->strategy = attempts[a].strategy;
      self->n_residual = 0;
      set_box (self, front, mask);
      g_clear_object (&self->after);
      self->after = lacuna_face_check_volume (self->volume, cancellable, error);
      if (self->after == NULL)
        return NULL;
      if (lacuna_face_result_get_found (self->after))
        continue;
      self->n_residual = count_residual (self, control);
      if (self->n_residual == 0)
        break;
    }
  return g_steal_pointer (&self);
}

LacunaDefaceResult *
lacuna_deface_series (LacunaSeries  *series,
                      double         depth_mm,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(LacunaVolume) volume = lacuna_volume_new_from_series (series, cancellable, error);

  if (volume == NULL)
    return NULL;
  return lacuna_deface_volume (volume, depth_mm, cancellable, error);
}

gboolean
lacuna_deface_result_get_applied (LacunaDefaceResult *self)
{
  g_return_val_if_fail (LACUNA_IS_DEFACE_RESULT (self), FALSE);
  return self->after != NULL;
}

gboolean
lacuna_deface_result_get_verified (LacunaDefaceResult *self)
{
  g_return_val_if_fail (LACUNA_IS_DEFACE_RESULT (self), FALSE);
  return self->after != NULL && !lacuna_face_result_get_found (self->after)
         && self->n_residual == 0 && self->n_deep_changed == 0;
}

const char *
lacuna_deface_result_get_method (LacunaDefaceResult *self)
{
  g_return_val_if_fail (LACUNA_IS_DEFACE_RESULT (self), NULL);
  if (self->after == NULL)
    return NULL;
  return cut_names[self->strategy];
}

double
lacuna_deface_result_get_depth (LacunaDefaceResult *self)
{
  g_return_val_if_fail (LACUNA_IS_DEFACE_RESULT (self), 0);
  return self->depth;
}

LacunaVolume *
lacuna_deface_result_get_original (LacunaDefaceResult *self)
{
  g_return_val_if_fail (LACUNA_IS_DEFACE_RESULT (self), NULL);
  return self->original;
}

LacunaVolume *
lacuna_deface_result_get_volume (LacunaDefaceResult *self)
{
  g_return_val_if_fail (LACUNA_IS_DEFACE_RESULT (self), NULL);
  return self->volume;
}

LacunaFaceResult *
lacuna_deface_result_get_before (LacunaDefaceResult *self)
{
  g_return_val_if_fail (LACUNA_IS_DEFACE_RESULT (self), NULL);
  return self->before;
}

LacunaFaceResult *
lacuna_deface_result_get_after (LacunaDefaceResult *self)
{
  g_return_val_if_fail (LACUNA_IS_DEFACE_RESULT (self), NULL);
  return self->after;
}

guint64
lacuna_deface_result_get_n_changed (LacunaDefaceResult *self)
{
  g_return_val_if_fail (LACUNA_IS_DEFACE_RESULT (self), 0);
  return self->n_changed;
}

guint
lacuna_deface_result_get_n_residual (LacunaDefaceResult *self)
{
  g_return_val_if_fail (LACUNA_IS_DEFACE_RESULT (self), 0);
  return self->n_residual;
}

guint64
lacuna_deface_result_get_n_deep_changed (LacunaDefaceResult *self)
{
  g_return_val_if_fail (LACUNA_IS_DEFACE_RESULT (self), 0);
  return self->n_deep_changed;
}

void
lacuna_deface_result_get_mask (LacunaDefaceResult *self,
                               int                 out_box[4])
{
  g_return_if_fail (LACUNA_IS_DEFACE_RESULT (self));
  memcpy (out_box, self->box, sizeof self->box);
}

gboolean
lacuna_deface_result_slice_changed (LacunaDefaceResult *self,
                                    guint               k)
{
  g_return_val_if_fail (LACUNA_IS_DEFACE_RESULT (self), FALSE);
  g_return_val_if_fail (k < lacuna_volume_get_depth (self->original), FALSE);
  return self->slice_changed[k];
}

gboolean
lacuna_deface_result_apply (LacunaDefaceResult  *self,
                            LacunaDicomFile     *file,
                            GError             **error)
{
  g_autofree char *sop = NULL;
  g_autoptr(LacunaFrame) frame = NULL;
  g_autoptr(GBytes) out = NULL;
  const LacunaDicomPixelInfo *info;
  guint nx, ny, nz, slice = G_MAXUINT;
  double slope = 1, intercept = 0, stored, stored_fill, lo, hi;
  gsize size;
  guint8 *pixels;

  g_return_val_if_fail (LACUNA_IS_DEFACE_RESULT (self), FALSE);
  g_return_val_if_fail (file != NULL, FALSE);

  sop = lacuna_dicom_file_dup_string (file, "00080018", NULL);
  nx = lacuna_volume_get_width (self->original);
  ny = lacuna_volume_get_height (self->original);
  nz = lacuna_volume_get_depth (self->original);
  for (guint k = 0; sop != NULL && k < nz; k++)
    {
      LacunaInstance *instance = lacuna_volume_get_instance (self->original, k);

      if (instance != NULL && g_strcmp0 (lacuna_instance_get_sop_instance_uid (instance), sop) == 0)
        {
          slice = k;
          break;
        }
    }
  if (slice == G_MAXUINT)
    {
      g_set_error_literal (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_NOT_FOUND,
                           _("The file is not one of the defaced series' images "
                             "((0008,0018) SOP Instance UID)"));
      return FALSE;
    }

  frame = lacuna_frame_decode (file, 0, error);
  if (frame == NULL)
    return FALSE;
  info = lacuna_frame_get_info (frame);
  if (lacuna_frame_get_width (frame) != nx || lacuna_frame_get_height (frame) != ny
      || info->samples_per_pixel != 1
      || (info->bits_allocated != 8 && info->bits_allocated != 16))
    {
      g_set_error_literal (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED,
                           _("The image's pixel layout changed since the volume was read"));
      return FALSE;
    }
  lacuna_frame_get_rescale (frame, &slope, &intercept);
  if (slope == 0)
    slope = 1;

  /* The background in stored values, within what Bits Stored can hold. */
  if (info->is_signed)
    {
      lo = -ldexp (1.0, (int) info->bits_stored - 1);
      hi = ldexp (1.0, (int) info->bits_stored - 1) - 1;
    }
  else
    {
      lo = 0;
      hi = ldexp (1.0, (int) info->bits_stored) - 1;
    }
  stored = CLAMP (floor ((self->background - intercept) / slope + 0.5), lo, hi);
  stored_fill = CLAMP (floor ((self->fill - intercept) / slope + 0.5), lo, hi);

  out = g_bytes_new (g_bytes_get_data (lacuna_frame_get_stored (frame), NULL),
                     g_bytes_get_size (lacuna_frame_get_stored (frame)));
  pixels = (guint8 *) g_bytes_get_data (out, &size);
  if (size < (gsize) nx * ny * (info->bits_allocated / 8))
    {
      g_set_error_literal (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_DECODE,
                           _("The image's pixel data is shorter than its size"));
      return FALSE;
    }
  if (self->mask != NULL && self->slice_changed[slice])
    {
      const guint8 *m = self->mask + (gsize) slice * nx * ny;

      for (gsize v = 0; v < (gsize) nx * ny; v++)
        if (m[v])
          {
            double value = m[v] == 2 ? stored_fill : stored;

            if (info->bits_allocated == 8)
              pixels[v] = (guint8) (gint) value;
            else if (info->is_signed)
              ((gint16 *) (gpointer) pixels)[v] = (gint16) value;
            else
              ((guint16 *) (gpointer) pixels)[v] = (guint16) value;
          }
    }

  if (!lacuna_dicom_file_set_pixel_data (file, pixels, (gsize) nx * ny * (info->bits_allocated / 8),
                                         info->bits_allocated, error))
    return FALSE;
  return lacuna_dicom_file_set_string (file, "00280302", "CS", "NO", error);
}

gboolean
lacuna_deface_result_write_series (LacunaDefaceResult  *self,
                                   const char          *dir,
                                   GCancellable        *cancellable,
                                   GError             **error)
{
  g_autoptr(LacunaKey) key = NULL;
  g_autofree char *series_uid = NULL;
  guint nz;

  g_return_val_if_fail (LACUNA_IS_DEFACE_RESULT (self), FALSE);
  g_return_val_if_fail (dir != NULL, FALSE);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("Cannot create the folder for the defaced series"));
      return FALSE;
    }
  key = lacuna_key_new_from_data (DEFACE_UID_KEY, strlen (DEFACE_UID_KEY), error);
  if (key == NULL)
    return FALSE;

  nz = lacuna_volume_get_depth (self->original);
  for (guint k = 0; k < nz; k++)
    {
      LacunaInstance *instance = lacuna_volume_get_instance (self->original, k);
      g_autoptr(LacunaDicomFile) file = NULL;
      g_autofree char *name = g_strdup_printf ("IM%05u.dcm", k + 1);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *tmp = g_strconcat (path, ".part", NULL);
      g_autofree char *sop = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (instance == NULL)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("The volume was not read from files"));
          return FALSE;
        }
      file = lacuna_instance_open (instance, error);
      if (file == NULL || !lacuna_deface_result_apply (self, file, error))
        return FALSE;
      if (series_uid == NULL)
        series_uid = lacuna_uid_map_dup_keyed (key, lacuna_instance_get_series_uid (instance));
      sop = lacuna_uid_map_dup_keyed (key, lacuna_instance_get_sop_instance_uid (instance));
      if (!lacuna_dicom_file_set_string (file, "0020000E", "UI", series_uid, error)
          || !lacuna_dicom_file_set_string (file, "00080018", "UI", sop, error)
          || !lacuna_dicom_file_save (file, tmp, NULL, error))
        {
          g_unlink (tmp);
          return FALSE;
        }
      if (g_rename (tmp, path) != 0)
        {
          g_unlink (tmp);
          g_set_error_literal (error, G_IO_ERROR, g_io_error_from_errno (errno),
                               _("Cannot write a defaced image"));
          return FALSE;
        }
    }
  return TRUE;
}
