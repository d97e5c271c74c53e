/* lacuna-bodycomp.c: body composition on one axial CT slice. See lacuna-bodycomp.h for the
 * method; this file follows it step by step. */
#define G_LOG_DOMAIN "lacuna-bodycomp"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "lacuna-bodycomp.h"
#include "lacuna-instance.h"

#define SKIN_DEPTH_MM     3.0
#define RING_DEPTH_MM     40.0
#define TRUNK_MIN_CM2     250.0

void
lacuna_bodycomp_free (LacunaBodyComp *bc)
{
  if (bc == NULL)
    return;
  g_free (bc->labels);
  g_free (bc);
}

const char *
lacuna_bodycomp_get_caveat (void)
{
  return _("Muscle-density tissue includes organs unless you outline the muscle wall.");
}

/* ---------------------------------------------------------------------------------------- */
/* Grid helpers                                                                             */

typedef struct
{
  guint  w;
  guint  h;
  guint *queue;   /* w × h entries */
} Grid;

static const int dx4[4] = { 1, -1, 0, 0 };
static const int dy4[4] = { 0, 0, 1, -1 };

/* Multi-source BFS in city-block distance: dist[i] = 0 for seeds (seed[i] TRUE), growing
 * only into pixels where pass[i] is TRUE, up to max_dist; others keep G_MAXUINT. */
static void
bfs_distance (Grid          *g,
              const guint8  *seed,
              const guint8  *pass,
              guint          max_dist,
              guint         *dist)
{
  gsize n = (gsize) g->w * g->h;
  gsize head = 0, tail = 0;

  for (gsize i = 0; i < n; i++)
    {
      dist[i] = G_MAXUINT;
      if (seed[i])
        {
          dist[i] = 0;
          g->queue[tail++] = (guint) i;
        }
    }
  while (head < tail)
    {
      guint i = g->queue[head++];
      guint x = i % g->w, y = i / g->w;

      if (dist[i] >= max_dist)
        continue;
      for (guint k = 0; k < 4; k++)
        {
          int nx = (int) x + dx4[k], ny = (int) y + dy4[k];
          guint j;

          if (nx < 0 || ny < 0 || nx >= (int) g->w || ny >= (int) g->h)
            continue;
          j = (guint) ny * g->w + (guint) nx;
          if (dist[j] != G_MAXUINT || !pass[j])
            continue;
          dist[j] = dist[i] + 1;
          g->queue[tail++] = j;
        }
    }
}

/* Keeps in mask only its largest 4-connected component (the first one in raster order on
 * ties). Returns its size. */
static guint
keep_largest_component (Grid   *g,
                        guint8 *mask)
{
  gsize n = (gsize) g->w * g->h;
  g_autofree guint *label = g_new0 (guint, n);
  guint best_label = 0, best_size = 0, next = 0;

  for (gsize start = 0; start < n; start++)
    {
      gsize head = 0, tail = 0;
      guint size = 0;

      if (!mask[start] || label[start] != 0)
        continue;
      next++;
      label[start] = next;
      g->queue[tail++] = (guint) start;
      while (head < tail)
        {
          guint i = g->queue[head++];
          guint x = i % g->w, y = i / g->w;

          size++;
          for (guint k = 0; k < 4; k++)
            {
              int nx = (int) x + dx4[k], ny = (int) y + dy4[k];
              guint j;

              if (nx < 0 || ny < 0 || nx >= (int) g->w || ny >= (int) g->h)
                continue;
              j = (guint) ny * g->w + (guint) nx;
              if (mask[j] && label[j] == 0)
                {
                  label[j] = next;
                  g->queue[tail++] = j;
                }
            }
        }
      if (size > best_size)
        {
          best_size = size;
          best_label = next;
        }
    }
  for (gsize i = 0; i < n; i++)
    mask[i] = best_label != 0 && label[i] == best_label;
  return best_size;
}

/* Fills the holes of mask: pixels outside it that cannot reach the border 4-connected. */
static void
fill_holes (Grid   *g,
            guint8 *mask)
{
  gsize n = (gsize) g->w * g->h;
  g_autofree guint8 *outside = g_new0 (guint8, n);
  gsize head = 0, tail = 0;

  for (guint y = 0; y < g->h; y++)
    for (guint x = 0; x < g->w; x++)
      {
        guint i = y * g->w + x;

        if ((x == 0 || y == 0 || x == g->w - 1 || y == g->h - 1) && !mask[i])
          {
            outside[i] = 1;
            g->queue[tail++] = i;
          }
      }
  while (head < tail)
    {
      guint i = g->queue[head++];
      guint x = i % g->w, y = i / g->w;

      for (guint k = 0; k < 4; k++)
        {
          int nx = (int) x + dx4[k], ny = (int) y + dy4[k];
          guint j;

          if (nx < 0 || ny < 0 || nx >= (int) g->w || ny >= (int) g->h)
            continue;
          j = (guint) ny * g->w + (guint) nx;
          if (!mask[j] && !outside[j])
            {
              outside[j] = 1;
              g->queue[tail++] = j;
            }
        }
    }
  for (gsize i = 0; i < n; i++)
    mask[i] = !outside[i];
}

static guint
mm_to_pixels (double mm,
              double spacing)
{
  double px = floor (mm / spacing + 0.5);

  return px < 1.0 ? 1 : (guint) MIN (px, 10000.0);
}

/* ---------------------------------------------------------------------------------------- */
/* The muscle wall, by rays                                                                 */

#define N_ANGLES       720     /* 0.5° */
#define MEDIAN_HALF    10      /* ±5° */
#define WALL_TOLERANCE 0.75    /* pixels */

static guint
angle_bin (double px,
           double py)
{
  double a = atan2 (py, px);
  int bin;

  if (a < 0)
    a += 2.0 * G_PI;
  bin = (int) floor (a / (2.0 * G_PI) * N_ANGLES + 0.5);
  return (guint) (bin % N_ANGLES);
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}

/* For each direction from the centroid: walk inward from outside the image; past the body's
 * edge and the skin zone, the first muscle-density pixel gives the wall radius (0 when the
 * ray meets none). The radii are then median-filtered over ±5° so that a gap in the wall
 * (the linea alba, a fat plane between muscles) does not let a ray run deep. */
static void
find_wall (const LacunaBodyComp *bc,
           const guint8         *body,
           const guint8         *muscle,
           guint                 skin,
           double                cx,
           double                cy,
           double               *out_radius)
{
  double raw[N_ANGLES];
  double window[2 * MEDIAN_HALF + 1];
  double r_max = sqrt ((double) bc->width * bc->width + (double) bc->height * bc->height);

  for (guint k = 0; k < N_ANGLES; k++)
    {
      double a = 2.0 * G_PI * k / N_ANGLES;
      double c = cos (a), s = sin (a);
      double edge = -1.0;

      raw[k] = 0.0;
      for (double r = r_max; r >= 0.0; r -= 0.5)
        {
          double fx = floor (cx + r * c + 0.5), fy = floor (cy + r * s + 0.5);
          gsize i;

          if (fx < 0 || fy < 0 || fx >= bc->width || fy >= bc->height)
            continue;
          i = (gsize) fy * bc->width + (gsize) fx;
          if (edge < 0.0)
            {
              if (body[i])
                edge = r;
              continue;
            }
          if (edge - r >= skin && muscle[i])
            {
              raw[k] = r;
              break;
            }
        }
    }

  for (guint k = 0; k < N_ANGLES; k++)
    {
      for (int j = -MEDIAN_HALF; j <= MEDIAN_HALF; j++)
        window[j + MEDIAN_HALF] = raw[(k + N_ANGLES + j) % N_ANGLES];
      qsort (window, G_N_ELEMENTS (window), sizeof (double), compare_double);
      out_radius[k] = MAX (0.0, window[MEDIAN_HALF] - WALL_TOLERANCE);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Measurement                                                                              */

LacunaBodyComp *
lacuna_bodycomp_measure_values (const float  *hu,
                                guint         width,
                                guint         height,
                                double        row_spacing,
                                double        column_spacing,
                                GError      **error)
{
  g_autoptr(LacunaBodyComp) bc = NULL;
  g_autofree guint8 *body = NULL;
  g_autofree guint8 *muscle = NULL;
  g_autofree guint8 *seed = NULL;
  g_autofree guint *queue = NULL;
  g_autofree int *value = NULL;
  double wall_radius[N_ANGLES];
  double cx = 0.0, cy = 0.0;
  Grid g;
  gsize n;
  double spacing, pixel_cm2;
  guint skin, ring_px;
  guint x_min = G_MAXUINT, x_max = 0;

  g_return_val_if_fail (hu != NULL || width == 0 || height == 0, NULL);

  if (width == 0 || height == 0 || (guint64) width * height > G_MAXUINT32 / 2)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The slice has no pixels to measure"));
      return NULL;
    }
  if (!(row_spacing > 0.0) || !(column_spacing > 0.0) || !isfinite (row_spacing) ||
      !isfinite (column_spacing))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("(0028,0030) Pixel Spacing is not a positive number"));
      return NULL;
    }

  n = (gsize) width * height;
  bc = g_new0 (LacunaBodyComp, 1);
  bc->width = width;
  bc->height = height;
  bc->row_spacing = row_spacing;
  bc->column_spacing = column_spacing;
  bc->labels = g_new0 (guint8, n);

  g.w = width;
  g.h = height;
  g.queue = queue = g_new (guint, n);

  /* Integer HU; padding and NaN are air. */
  value = g_new (int, n);
  body = g_new0 (guint8, n);
  for (gsize i = 0; i < n; i++)
    {
      float v = hu[i];

      if (isnan (v))
        value[i] = -1024;
      else
        value[i] = (int) CLAMP (floor ((double) v + 0.5), -100000.0, 100000.0);
      body[i] = value[i] > LACUNA_BODYCOMP_BODY_THRESHOLD;
    }

  /* 1. Body mask. */
  if (keep_largest_component (&g, body) == 0)
    return g_steal_pointer (&bc);
  fill_holes (&g, body);

  /* 2. Windows. */
  muscle = g_new0 (guint8, n);
  for (gsize i = 0; i < n; i++)
    {
      if (!body[i])
        continue;
      bc->n_body++;
      bc->labels[i] = LACUNA_BODYCOMP_LABEL_BODY;
      if (value[i] >= LACUNA_BODYCOMP_ADIPOSE_MIN && value[i] <= LACUNA_BODYCOMP_ADIPOSE_MAX)
        bc->n_adipose++;
      else if (value[i] >= LACUNA_BODYCOMP_MUSCLE_MIN && value[i] <= LACUNA_BODYCOMP_MUSCLE_MAX)
        {
          muscle[i] = 1;
          bc->n_muscle++;
        }
      cx += (double) (i % width);
      cy += (double) (i / width);
      x_min = MIN (x_min, i % width);
      x_max = MAX (x_max, i % width);
    }

  /* 3. Subcutaneous versus inner fat: rays from the body's centroid. */
  spacing = MIN (row_spacing, column_spacing);
  skin = mm_to_pixels (SKIN_DEPTH_MM, spacing);
  ring_px = mm_to_pixels (RING_DEPTH_MM, spacing);
  find_wall (bc, body, muscle, skin, cx / bc->n_body, cy / bc->n_body, wall_radius);

  for (gsize i = 0; i < n; i++)
    {
      double px, py, r;
      guint bin;

      if (!body[i] || value[i] < LACUNA_BODYCOMP_ADIPOSE_MIN ||
          value[i] > LACUNA_BODYCOMP_ADIPOSE_MAX)
        continue;
      px = (double) (i % width) - cx / bc->n_body;
      py = (double) (i / width) - cy / bc->n_body;
      r = sqrt (px * px + py * py);
      bin = angle_bin (px, py);
      if (r >= wall_radius[bin])
        {
          bc->labels[i] = LACUNA_BODYCOMP_LABEL_SUBCUTANEOUS_FAT;
          bc->n_subcutaneous++;
        }
      else
        {
          bc->labels[i] = LACUNA_BODYCOMP_LABEL_INNER_FAT;
          bc->n_inner++;
        }
    }

  /* 4. Muscle ring: muscle-density pixels at the wall contour (the first muscle-density
   * pixel of each ray), grown through muscle-density pixels up to ring_px. */
  seed = g_new0 (guint8, n);
  for (gsize i = 0; i < n; i++)
    {
      double px = (double) (i % width) - cx / bc->n_body;
      double py = (double) (i / width) - cy / bc->n_body;
      double r = sqrt (px * px + py * py);

      seed[i] = muscle[i] && fabs (r - wall_radius[angle_bin (px, py)]) <= 1.0;
    }
  {
    g_autofree guint *ring = g_new (guint, n);

    bfs_distance (&g, seed, muscle, ring_px, ring);
    for (gsize i = 0; i < n; i++)
      {
        if (!muscle[i])
          continue;
        if (ring[i] != G_MAXUINT)
          {
            bc->labels[i] = LACUNA_BODYCOMP_LABEL_MUSCLE_RING;
            bc->n_muscle_ring++;
          }
        else
          bc->labels[i] = LACUNA_BODYCOMP_LABEL_MUSCLE_OTHER;
      }
  }

  /* Bone in the lateral thirds of the body's width (slice suggestion). */
  if (x_max > x_min)
    {
      double third = (x_max - x_min + 1) / 3.0;

      for (gsize i = 0; i < n; i++)
        {
          double x = (double) (i % width);

          if (body[i] && value[i] >= LACUNA_BODYCOMP_BONE_MIN &&
              (x < x_min + third || x > x_max - third))
            bc->n_bone_lateral++;
        }
    }

  pixel_cm2 = row_spacing * column_spacing / 100.0;
  bc->body_cm2 = bc->n_body * pixel_cm2;
  bc->adipose_cm2 = bc->n_adipose * pixel_cm2;
  bc->subcutaneous_cm2 = bc->n_subcutaneous * pixel_cm2;
  bc->inner_cm2 = bc->n_inner * pixel_cm2;
  bc->muscle_cm2 = bc->n_muscle * pixel_cm2;
  bc->muscle_ring_cm2 = bc->n_muscle_ring * pixel_cm2;
  return g_steal_pointer (&bc);
}

LacunaBodyCompLabel
lacuna_bodycomp_get_label (const LacunaBodyComp *bc,
                           guint                 x,
                           guint                 y)
{
  g_return_val_if_fail (bc != NULL, LACUNA_BODYCOMP_LABEL_OUTSIDE);

  if (bc->labels == NULL || x >= bc->width || y >= bc->height)
    return LACUNA_BODYCOMP_LABEL_OUTSIDE;
  return (LacunaBodyCompLabel) bc->labels[(gsize) y * bc->width + x];
}

guint
lacuna_bodycomp_count_label (const LacunaBodyComp *bc,
                             LacunaBodyCompLabel   label)
{
  gsize n;
  guint count = 0;

  g_return_val_if_fail (bc != NULL, 0);

  if (bc->labels == NULL)
    return 0;
  n = (gsize) bc->width * bc->height;
  for (gsize i = 0; i < n; i++)
    count += bc->labels[i] == label;
  return count;
}

gboolean
lacuna_bodycomp_is_trunk_sized (const LacunaBodyComp *bc)
{
  g_return_val_if_fail (bc != NULL, FALSE);
  return bc->body_cm2 >= TRUNK_MIN_CM2;
}

static gboolean
read_spacing (LacunaDicomFile *file,
              double           out[2],
              GError         **error)
{
  g_autofree char *text = lacuna_dicom_file_dup_string (file, "00280030", NULL);

  if (text == NULL || !_lacuna_parse_ds (text, out, 2) || !(out[0] > 0.0) || !(out[1] > 0.0))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("(0028,0030) Pixel Spacing is missing or not two positive numbers"));
      return FALSE;
    }
  return TRUE;
}

LacunaBodyComp *
lacuna_bodycomp_measure_file (LacunaDicomFile  *file,
                              GError          **error)
{
  g_autofree char *modality = NULL;
  g_autoptr(LacunaFrame) frame = NULL;
  g_autofree float *hu = NULL;
  double spacing[2];
  guint w, h;

  g_return_val_if_fail (file != NULL, NULL);

  modality = lacuna_dicom_file_dup_string (file, "00080060", NULL);
  if (g_strcmp0 (modality, "CT") != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("Body composition needs a CT image ((0008,0060) Modality CT)"));
      return NULL;
    }
  if (!read_spacing (file, spacing, error))
    return NULL;
  frame = lacuna_frame_decode (file, 0, error);
  if (frame == NULL)
    return NULL;
  if (lacuna_frame_is_color (frame))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("Body composition needs a grey CT image, not colour"));
      return NULL;
    }
  w = lacuna_frame_get_width (frame);
  h = lacuna_frame_get_height (frame);
  hu = g_new (float, (gsize) w * h);
  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++)
      hu[(gsize) y * w + x] = lacuna_frame_is_padding (frame, x, y)
                              ? NAN : (float) lacuna_frame_get_value (frame, x, y);
  return lacuna_bodycomp_measure_values (hu, w, h, spacing[0], spacing[1], error);
}

/* ---------------------------------------------------------------------------------------- */
/* Series                                                                                   */

static gboolean
body_part_is_trunk (const char *part)
{
  static const char * const trunk[] = {
    "ABDOMEN", "ABDOMENPELVIS", "ABDPELVIS", "ABD", "PELVIS", "CHESTABDOMEN",
    "CHESTABDPELVIS", "CHEST_ABDOMEN", "TORSO", "WHOLEBODY", "BODY", "TRUNK", "LSPINE",
    "L-SPINE", "LUMBARSPINE", "TLSPINE", "RETROPERITONEUM", "KIDNEY", "LIVER", "PANCREAS",
    NULL
  };

  for (guint i = 0; trunk[i] != NULL; i++)
    if (g_ascii_strcasecmp (part, trunk[i]) == 0)
      return TRUE;
  return FALSE;
}

gboolean
lacuna_bodycomp_series_applies (LacunaSeries *series)
{
  LacunaInstance *first;
  g_autoptr(LacunaDicomFile) file = NULL;
  g_autofree char *part = NULL;

  g_return_val_if_fail (LACUNA_IS_SERIES (series), FALSE);

  if (g_strcmp0 (lacuna_series_get_modality (series), "CT") != 0 ||
      g_list_model_get_n_items (G_LIST_MODEL (series)) == 0)
    return FALSE;
  first = lacuna_series_get_instance (series, 0);
  if (lacuna_instance_get_archive_member (first) == NULL)
    file = lacuna_dicom_file_open (lacuna_instance_get_source (first),
                                   LACUNA_DICOM_OPEN_HEADER_ONLY, NULL);
  else
    file = lacuna_instance_open (first, NULL);
  if (file == NULL)
    return FALSE;
  part = lacuna_dicom_file_dup_string (file, "00180015", NULL);
  if (part == NULL || *g_strstrip (part) == '\0')
    return TRUE;
  return body_part_is_trunk (part);
}

typedef struct
{
  LacunaInstance *instance;
  double          ring_cm2;
  gboolean        lumbar;
} SliceScore;

static LacunaBodyComp *
measure_instance (LacunaInstance  *instance,
                  GError         **error)
{
  g_autoptr(LacunaDicomFile) file = lacuna_instance_open (instance, error);

  return file != NULL ? lacuna_bodycomp_measure_file (file, error) : NULL;
}

LacunaBodyComp *
lacuna_bodycomp_measure_instance (LacunaInstance  *instance,
                                  GError         **error)
{
  g_return_val_if_fail (LACUNA_IS_INSTANCE (instance), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return measure_instance (instance, error);
}

LacunaInstance *
lacuna_bodycomp_suggest_slice (LacunaSeries    *series,
                               LacunaBodyComp **out_result,
                               GCancellable    *cancellable,
                               GError         **error)
{
  g_autoptr(GArray) scores = g_array_new (FALSE, TRUE, sizeof (SliceScore));
  g_autoptr(GError) first_error = NULL;
  guint n, run_start = 0, run_len = 0, best_start = 0, best_len = 0;
  guint from, to;
  SliceScore *best = NULL;

  g_return_val_if_fail (LACUNA_IS_SERIES (series), NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (series));
  for (guint i = 0; i < n; i++)
    {
      LacunaInstance *instance = lacuna_series_get_instance (series, i);
      g_autoptr(LacunaBodyComp) bc = NULL;
      g_autoptr(GError) local = NULL;
      SliceScore score = { instance, 0.0, FALSE };

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      if (!lacuna_instance_has_pixels (instance))
        continue;
      bc = measure_instance (instance, &local);
      if (bc == NULL)
        {
          if (first_error == NULL)
            first_error = g_steal_pointer (&local);
          continue;
        }
      if (bc->n_body == 0)
        continue;
      score.ring_cm2 = bc->muscle_ring_cm2;
      score.lumbar = bc->n_bone_lateral * bc->row_spacing * bc->column_spacing <= 100.0;
      g_array_append_val (scores, score);
    }

  if (scores->len == 0)
    {
      if (first_error != NULL)
        g_propagate_error (error, g_steal_pointer (&first_error));
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                     _("No slice of the series shows a body to measure"));
      return NULL;
    }

  /* The longest run of lumbar-like slices (series order follows the slice normal). */
  for (guint i = 0; i < scores->len; i++)
    {
      if (g_array_index (scores, SliceScore, i).lumbar)
        {
          if (run_len == 0)
            run_start = i;
          run_len++;
          if (run_len > best_len)
            {
              best_len = run_len;
              best_start = run_start;
            }
        }
      else
        run_len = 0;
    }
  if (best_len > 0)
    {
      /* Its middle third (at least one slice). */
      from = best_start + best_len / 3;
      to = best_start + best_len - best_len / 3;
      if (to <= from)
        to = from + 1;
    }
  else
    {
      from = 0;
      to = scores->len;
    }
  for (guint i = from; i < to; i++)
    {
      SliceScore *score = &g_array_index (scores, SliceScore, i);

      if (best == NULL || score->ring_cm2 > best->ring_cm2)
        best = score;
    }

  if (out_result != NULL)
    {
      *out_result = measure_instance (best->instance, error);
      if (*out_result == NULL)
        return NULL;
    }
  return best->instance;
}

/* ---------------------------------------------------------------------------------------- */
/* Finding                                                                                  */

static double
round1 (double v)
{
  return floor (v * 10.0 + 0.5) / 10.0;
}

LacunaFinding *
lacuna_bodycomp_to_finding (const LacunaBodyComp *bc,
                            LacunaInstance       *instance,
                            double                patient_size_m,
                            gboolean              suggested)
{
  g_autoptr(LacunaFinding) finding = NULL;
  g_autofree char *text = NULL;
  g_autofree char *where_slice = NULL;
  JsonObject *values;
  JsonObject *windows;
  JsonArray *array;
  int number;

  g_return_val_if_fail (bc != NULL, NULL);
  g_return_val_if_fail (LACUNA_IS_INSTANCE (instance), NULL);

  number = lacuna_instance_get_instance_number (instance);
  if (number != G_MININT)
    where_slice = g_strdup_printf (_("on the slice with Instance Number %d"), number);
  else
    where_slice = g_strdup (_("on this slice"));

  /* Translators: the first %s is "on the slice with Instance Number 77"; areas in cm². */
  text = g_strdup_printf (_("We measured %s: %.1f cm² of adipose tissue (%.1f cm² "
                            "subcutaneous, %.1f cm² inner) and %.1f cm² of muscle-density "
                            "tissue. %s Body composition is health information; it cannot "
                            "be removed by redaction."),
                          where_slice, round1 (bc->adipose_cm2), round1 (bc->subcutaneous_cm2),
                          round1 (bc->inner_cm2), round1 (bc->muscle_cm2),
                          lacuna_bodycomp_get_caveat ());
  finding = lacuna_finding_new ("body-composition", LACUNA_EVIDENCE_MEASURED,
                                LACUNA_FINDING_CANNOT_BE_REMOVED, text);
  lacuna_finding_set_action (finding,
                             _("Cannot be removed by redaction without destroying the study. "
                               "Crop the exported series to the clinically needed range of "
                               "slices, remove Patient's Size and Weight so that the areas "
                               "cannot be normalised, or share under a data-use agreement."));
  lacuna_finding_set_region (finding, lacuna_instance_get_sop_instance_uid (instance), 1, NULL);

  values = lacuna_finding_get_values (finding);
  if (number != G_MININT)
    json_object_set_int_member (values, "instance", number);
  else
    json_object_set_null_member (values, "instance");
  json_object_set_string_member (values, "sop", lacuna_instance_get_sop_instance_uid (instance));
  json_object_set_boolean_member (values, "suggested", suggested);
  array = json_array_new ();
  json_array_add_double_element (array, bc->row_spacing);
  json_array_add_double_element (array, bc->column_spacing);
  json_object_set_array_member (values, "pixel_spacing_mm", array);
  json_object_set_double_member (values, "body_cm2", bc->body_cm2);
  json_object_set_double_member (values, "adipose_cm2", bc->adipose_cm2);
  json_object_set_double_member (values, "subcutaneous_adipose_cm2", bc->subcutaneous_cm2);
  json_object_set_double_member (values, "inner_adipose_cm2", bc->inner_cm2);
  json_object_set_double_member (values, "muscle_cm2", bc->muscle_cm2);
  json_object_set_double_member (values, "muscle_ring_cm2", bc->muscle_ring_cm2);

  windows = json_object_new ();
  array = json_array_new ();
  json_array_add_int_element (array, LACUNA_BODYCOMP_ADIPOSE_MIN);
  json_array_add_int_element (array, LACUNA_BODYCOMP_ADIPOSE_MAX);
  json_object_set_array_member (windows, "adipose", array);
  array = json_array_new ();
  json_array_add_int_element (array, LACUNA_BODYCOMP_MUSCLE_MIN);
  json_array_add_int_element (array, LACUNA_BODYCOMP_MUSCLE_MAX);
  json_object_set_array_member (windows, "muscle", array);
  json_object_set_object_member (values, "windows", windows);

  json_object_set_string_member (values, "method",
    _("Body mask: the largest 4-connected region above −500 HU, holes filled. Adipose "
      "tissue: −190 to −30 HU; muscle-density tissue: −29 to 150 HU (inclusive). "
      "Subcutaneous fat: adipose tissue between the skin and the first muscle-density "
      "contour (ring heuristic); inner fat: the rest. Area = pixel count × Pixel Spacing²."));
  json_object_set_string_member (values, "caveat", lacuna_bodycomp_get_caveat ());

  if (patient_size_m > 0.0 && isfinite (patient_size_m))
    {
      double h2 = patient_size_m * patient_size_m;

      json_object_set_double_member (values, "height_m", patient_size_m);
      json_object_set_double_member (values, "adipose_index_cm2_m2", bc->adipose_cm2 / h2);
      json_object_set_double_member (values, "subcutaneous_adipose_index_cm2_m2",
                                     bc->subcutaneous_cm2 / h2);
      json_object_set_double_member (values, "inner_adipose_index_cm2_m2", bc->inner_cm2 / h2);
      json_object_set_double_member (values, "muscle_index_cm2_m2", bc->muscle_cm2 / h2);
    }
  return g_steal_pointer (&finding);
}
