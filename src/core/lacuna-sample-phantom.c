/* lacuna-sample-phantom.c: the voxels of the sample CT and the ultrasound's fan.
 *
 * The CT phantom is built from ellipsoids and elliptic cylinders, in mm, with s the depth
 * below the vertex (s = -z). Tissue layers are nested shapes whose semi-axes shrink by
 * the layer's depth. The head's anterior surface carries a relief (brow, eye sockets,
 * nose, lips, chin) so that a rendered skin surface looks like a face. Everything is
 * deterministic: the noise comes from a fixed-seed generator per slice.
 */
#define G_LOG_DOMAIN "lacuna-sample-phantom"

#include "config.h"

#include <math.h>
#include <string.h>

#include "lacuna-sample.h"
#include "lacuna-sample-private.h"

/* Hounsfield units */
#define HU_AIR      (-1000)
#define HU_LUNG     (-850)
#define HU_FAT      (-100)
#define HU_EYE      10
#define HU_CSF      15
#define HU_BRAIN    35
#define HU_SOFT     40
#define HU_SKIN     45
#define HU_MUSCLE   50
#define HU_BONE     700

typedef struct
{
  guint64 state;
} Rng;

static inline guint64
rng_next (Rng *rng)
{
  /* splitmix64 */
  guint64 z = (rng->state += G_GUINT64_CONSTANT (0x9E3779B97F4A7C15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  return z ^ (z >> 31);
}

/* Approximately normal (sum of four uniforms), mean 0, standard deviation 1. */
static inline double
rng_gauss (Rng *rng)
{
  guint64 r = rng_next (rng);
  double sum = 0.0;

  for (guint i = 0; i < 4; i++)
    sum += (double) ((r >> (16 * i)) & 0xFFFF) / 65535.0;
  return (sum - 2.0) * 1.7320508;   /* var of the sum is 4/12 */
}

static inline double
sq (double v)
{
  return v * v;
}

/* Inside the ellipsoid centred at (cx, cy, cs) with semi-axes (ax, ay, as) shrunk by d. */
static inline gboolean
in_ellipsoid (double x, double y, double s,
              double cx, double cy, double cs,
              double ax, double ay, double as,
              double d)
{
  ax -= d;
  ay -= d;
  as -= d;
  if (ax <= 0 || ay <= 0 || as <= 0)
    return FALSE;
  return sq ((x - cx) / ax) + sq ((y - cy) / ay) + sq ((s - cs) / as) <= 1.0;
}

static inline gboolean
in_ellipse (double x, double y,
            double cx, double cy,
            double ax, double ay,
            double d)
{
  ax -= d;
  ay -= d;
  if (ax <= 0 || ay <= 0)
    return FALSE;
  return sq ((x - cx) / ax) + sq ((y - cy) / ay) <= 1.0;
}

static inline double
gauss (double v,
       double mean,
       double sigma)
{
  return exp (-0.5 * sq ((v - mean) / sigma));
}

/* ---------------------------------------------------------------------------------------- */
/* Head: the cranium C and the face/jaw F, plus the relief of the anterior surface.         */

static inline gboolean
in_cranium (double x, double y, double s, double d)
{
  return in_ellipsoid (x, y, s, 0, 8, 100, 72, 90, 100, d);
}

static inline gboolean
in_face (double x, double y, double s, double d)
{
  return in_ellipsoid (x, y, s, 0, -10, 140, 60, 72, 68, d);
}

/* Outward displacement (mm) of the face's anterior surface at (x, s). */
static double
face_relief (double x,
             double s)
{
  double ax = fabs (x);
  double rel = 0.0;
  double nose = 0.0;

  /* brow ridge */
  rel += 4.0 * gauss (s, 97, 5) * gauss (ax, 0, 30);
  /* eye sockets */
  rel -= 10.0 * gauss (ax, 31, 10) * gauss (s, 114, 7);
  /* cheekbones */
  rel += 4.0 * gauss (ax, 46, 7) * gauss (s, 130, 8);
  /* nose: a ridge growing from between the eyes to the tip, then the columella */
  if (s >= 106 && s <= 150)
    nose = 24.0 * pow ((s - 106) / 44.0, 1.3);
  else if (s > 150 && s <= 158)
    nose = 24.0 * (1.0 - (s - 150) / 8.0);
  if (nose > 0)
    {
      double width = 4.0 + 6.0 * CLAMP ((s - 106) / 44.0, 0.0, 1.0);

      rel += nose * gauss (ax, 0, width);
    }
  /* nostrils (alae) */
  rel += 7.0 * gauss (ax, 13, 5) * gauss (s, 150, 5);
  /* upper lip, mouth, lower lip */
  rel += 5.0 * gauss (s, 165, 4) * gauss (ax, 0, 16);
  rel -= 5.0 * gauss (s, 171, 1.8) * gauss (ax, 0, 16);
  rel += 4.0 * gauss (s, 177, 3.5) * gauss (ax, 0, 14);
  /* chin */
  rel += 6.0 * gauss (s, 194, 6) * gauss (ax, 0, 15);

  return rel;
}

static inline gboolean
in_head (double x, double y, double s, double rel, double d)
{
  /* The relief moves the anterior surface only; fade it in between y = -10 and -30. */
  double y_eff = y + rel * CLAMP ((-y - 10.0) / 20.0, 0.0, 1.0);

  return in_cranium (x, y_eff, s, d) || in_face (x, y_eff, s, d);
}

static inline gboolean
in_eyeball (double x, double y, double s, double grow)
{
  return in_ellipsoid (fabs (x), y, s, 31, -58, 114, 12 + grow, 12 + grow, 12 + grow, 0);
}

static int
head_interior (double x, double y, double s)
{
  if (in_eyeball (x, y, s, 0))
    return HU_EYE;
  if (in_eyeball (x, y, s, 5) && y < -48)
    return HU_FAT;                                 /* orbital fat */
  /* maxillary sinuses and the nasal cavity */
  if (in_ellipsoid (fabs (x), y, s, 24, -38, 136, 12, 16, 14, 0) ||
      in_ellipsoid (x, y, s, 0, -40, 142, 7, 26, 13, 0))
    return HU_AIR;
  if (s < 138 && in_cranium (x, y, s, 5) && !in_cranium (x, y, s, 11))
    return HU_BONE;                                /* vault */
  if (s < 138 && in_cranium (x, y, s, 11))
    return HU_BRAIN;
  if (s >= 138 && s < 144 && y > -45 && in_cranium (x, y, s, 5))
    return HU_BONE;                                /* skull base */
  if (s > 125 && y < -15 && in_face (x, y, s, 5) && !in_face (x, y, s, 12))
    return HU_BONE;                                /* maxilla, mandible */
  if (!in_face (x, y, s, 0) && !in_cranium (x, y, s, 0))
    return HU_SOFT;                                /* nose, lips: outside the bone frame */
  return HU_MUSCLE;
}

/* ---------------------------------------------------------------------------------------- */
/* Neck and trunk                                                                           */

#define NECK_TOP 140.0

static inline gboolean
in_neck (double x, double y, double s, double d)
{
  return s >= NECK_TOP && in_ellipse (x, y, 0, 15, 52, 48, d);
}

/* The trunk's semi-axes grow from its top (shoulders) to full size. */
static inline gboolean
in_trunk (double x, double y, double s, double d)
{
  double fx, fy;

  if (s < 245)
    return FALSE;
  fx = sqrt (MIN ((s - 245) / 35.0, 1.0));
  fy = sqrt (MIN ((s - 245) / 25.0, 1.0));
  return in_ellipse (x, y, 0, 10, 150 * fx, 100 * fy, d);
}

static int
neck_interior (double x, double y, double s)
{
  if (s < 185 ? in_ellipse (x, y, 0, 5, 7, 7, 0) : in_ellipse (x, y, 0, -12, 8, 8, 0))
    return HU_AIR;                                 /* pharynx, then trachea */
  if (in_ellipse (x, y, 0, 22, 11, 10, 0) || in_ellipse (x, y, 0, 50, 13, 5, 0))
    return HU_BONE;                                /* vertebral body, arch */
  if (in_ellipse (x, y, 0, 37, 6, 6, 0))
    return HU_CSF;                                 /* spinal canal */
  return HU_MUSCLE;
}

static int
trunk_interior (double x, double y, double s)
{
  if (!in_trunk (x, y, s, 39))
    return HU_MUSCLE;                              /* chest wall and back muscles */
  if (!in_trunk (x, y, s, 45))
    {
      /* ribs: oblique bands crossing the ring */
      double phase = fmod (s + 0.25 * fabs (x) + 0.15 * y + 400.0, 25.0);

      return phase < 9.0 ? HU_BONE : HU_MUSCLE;
    }
  if (in_ellipse (x, y, 0, -5, 9, 9, 0))
    return HU_AIR;                                 /* trachea */
  if (in_ellipse (x, y, 0, 55, 16, 15, 0) || in_ellipse (x, y, 0, 92, 20, 6, 0))
    return HU_BONE;                                /* vertebral body, arch */
  if (in_ellipse (x, y, 0, 78, 8, 8, 0))
    return HU_CSF;
  if (in_ellipsoid (fabs (x), y, s, 66, 5, 345, 50, 68, 75, 0))
    return HU_LUNG;
  return HU_SOFT;                                  /* mediastinum */
}

static int
tissue_at (double x, double y, double s, double rel)
{
  gboolean head = in_head (x, y, s, rel, 0);
  gboolean neck = in_neck (x, y, s, 0);
  gboolean trunk = in_trunk (x, y, s, 0);

  if (!head && !neck && !trunk)
    return HU_AIR;
  if (!in_head (x, y, s, rel, 2) && !in_neck (x, y, s, 2) && !in_trunk (x, y, s, 2))
    return HU_SKIN;
  if (!in_head (x, y, s, rel, 5) && !in_neck (x, y, s, 7) && !in_trunk (x, y, s, 17))
    return HU_FAT;
  if (in_trunk (x, y, s, 17))
    return trunk_interior (x, y, s);
  if (in_neck (x, y, s, 7))
    return neck_interior (x, y, s);
  return head_interior (x, y, s);
}

void
_lacuna_sample_phantom_slice (guint    index,
                              guint16 *out)
{
  const guint n = LACUNA_SAMPLE_CT_SIZE;
  const double s = LACUNA_SAMPLE_CT_FIRST_DEPTH + index * LACUNA_SAMPLE_CT_SPACING;
  const int max_stored = (1 << LACUNA_SAMPLE_CT_BITS_STORED) - 1;
  double rel[LACUNA_SAMPLE_CT_SIZE];
  Rng rng = { G_GUINT64_CONSTANT (0x4C4143554E41) ^ ((guint64) index << 32) };

  for (guint i = 0; i < n; i++)
    rel[i] = face_relief (LACUNA_SAMPLE_CT_ORIGIN + i * LACUNA_SAMPLE_CT_PIXEL, s);

  for (guint j = 0; j < n; j++)
    {
      double y = LACUNA_SAMPLE_CT_ORIGIN + j * LACUNA_SAMPLE_CT_PIXEL;

      for (guint i = 0; i < n; i++)
        {
          double x = LACUNA_SAMPLE_CT_ORIGIN + i * LACUNA_SAMPLE_CT_PIXEL;
          int hu = tissue_at (x, y, s, rel[i]);
          double sigma = hu == HU_AIR ? 4.0 : 8.0;
          int stored = (int) lround (hu + sigma * rng_gauss (&rng)) - LACUNA_SAMPLE_CT_INTERCEPT;

          out[j * n + i] = (guint16) CLAMP (stored, 0, max_stored);
        }
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Ultrasound                                                                               */

/* Echogenicity (0…1) of the scanned tissue at depth r (pixels) and angle t (degrees). */
static double
echo_at (double r,
         double t)
{
  double cyst_r = 200, cyst_t = 9;
  double cx = r * sin (t * G_PI / 180) - cyst_r * sin (cyst_t * G_PI / 180);
  double cy = r * cos (t * G_PI / 180) - cyst_r * cos (cyst_t * G_PI / 180);
  double cyst = sqrt (cx * cx + cy * cy);
  double diaphragm = 330 + 18 * sin (t * 3 * G_PI / 180);
  double e = 0.42 + 0.05 * sin (t * 0.4 + r * 0.02);

  if (r < 22)
    e = 0.75;                                      /* skin and fat under the probe */
  else if (r < 45)
    e = 0.3;
  if (cyst < 34)
    return 0.03;                                   /* anechoic cyst */
  if (fabs (t - cyst_t) < 4.5 && r > cyst_r && r < cyst_r + 110)
    e *= 1.45;                                     /* posterior enhancement */
  if (fabs (r - diaphragm) < 5)
    e = 0.95;
  else if (r > diaphragm)
    e *= 0.45;
  return e;
}

void
_lacuna_sample_us_fan (guint8 *rgb,
                       guint   width,
                       guint   height)
{
  Rng rng = { G_GUINT64_CONSTANT (0x55535045434B4C45) };
  g_autofree float *speckle = g_new (float, (gsize) width * height);

  memset (rgb, 0, (gsize) width * height * 3);

  /* Rayleigh speckle, smoothed along the beam direction's rough horizontal grain. */
  for (gsize k = 0; k < (gsize) width * height; k++)
    {
      double u = (double) ((rng_next (&rng) >> 11) + 1) / 9007199254740993.0;

      speckle[k] = (float) sqrt (-2.0 * log (u)) * 0.8f;
    }

  for (guint j = 0; j < height; j++)
    for (guint i = 0; i < width; i++)
      {
        double dx = (double) i - LACUNA_SAMPLE_US_APEX_X;
        double dy = (double) j - LACUNA_SAMPLE_US_APEX_Y;
        double r = sqrt (dx * dx + dy * dy);
        double t = atan2 (dx, dy) * 180 / G_PI;
        double grain, v, tgc;
        guint8 *p = rgb + ((gsize) j * width + i) * 3;

        if (dy <= 0 || r < 18 || r > LACUNA_SAMPLE_US_DEPTH_PIXELS ||
            fabs (t) > LACUNA_SAMPLE_US_HALF_ANGLE)
          continue;
        grain = speckle[(gsize) j * width + i];
        if (i > 0)
          grain += 0.6 * speckle[(gsize) j * width + i - 1];
        if (i + 1 < width)
          grain += 0.6 * speckle[(gsize) j * width + i + 1];
        grain /= 2.2;
        tgc = 1.0 - 0.25 * r / LACUNA_SAMPLE_US_DEPTH_PIXELS;
        v = 255.0 * echo_at (r, t) * grain * tgc;
        /* a faint warm tint, as many scanners show */
        p[0] = (guint8) CLAMP (lround (v * 1.00), 0, 235);
        p[1] = (guint8) CLAMP (lround (v * 0.97), 0, 235);
        p[2] = (guint8) CLAMP (lround (v * 0.90), 0, 235);
      }
}
