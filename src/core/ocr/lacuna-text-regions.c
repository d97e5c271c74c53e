#define G_LOG_DOMAIN "lacuna-text-regions"

#include "config.h"

#include <string.h>

#include "lacuna-text-regions.h"

/* Dilation brick (half sizes): letters of a word join, lines stay apart. */
#define DILATE_X 3
#define DILATE_Y 1
/* Below this display value nothing counts as text, however dark the frame. */
#define MIN_THRESHOLD 48
/* The lower level of the hysteresis, as a fraction of the upper one. */
#define LOW_FRACTION 0.6

void
lacuna_text_region_params_init (LacunaTextRegionParams *params)
{
  g_return_if_fail (params != NULL);

  params->threshold = 0.8;
  params->min_height = 6;
  params->max_height = 60;
}

typedef struct
{
  int threshold;          /* display value of text: 2 in the mask */
  int low_threshold;      /* antialiased edges and thin strokes: 1 */
  int colour_threshold;   /* saturated bright colour (colour frames): 2 */
} Levels;

/* The levels of the mask for a frame whose brightest display value is max. */
static void
levels_of_max (guint8                        max,
               gboolean                      colour,
               const LacunaTextRegionParams *params,
               Levels                       *levels)
{
  double high = params->threshold;

  /* Colour frames (ultrasound, screen captures) draw grey annotation below the white of
   * their colour bars: a lower relative level there. */
  if (colour)
    high = MIN (high, 0.7);
  levels->threshold = MAX (MIN_THRESHOLD, (int) (high * max + 0.5));
  levels->low_threshold = MAX (MIN_THRESHOLD, (int) (LOW_FRACTION * high * max + 0.5));
  levels->colour_threshold = MAX (MIN_THRESHOLD, (int) (0.6 * 255));
}

/* The levels of the mask, relative to the frame's brightest value. */
static void
mask_levels (const guint8                 *grey,
             guint                         width,
             guint                         height,
             gsize                         stride,
             gboolean                      colour,
             const LacunaTextRegionParams *params,
             Levels                       *levels)
{
  guint8 max = 0;

  for (guint y = 0; y < height && max < 255; y++)
    {
      const guint8 *row = grey + (gsize) y * stride;
      guint8 row_max = 0;

      for (guint x = 0; x < width; x++)
        row_max = MAX (row_max, row[x]);
      max = MAX (max, row_max);
    }
  levels_of_max (max, colour, params, levels);
}

void
_lacuna_text_regions_levels (guint8                        max,
                             const LacunaTextRegionParams *params,
                             int                          *out_high,
                             int                          *out_low)
{
  LacunaTextRegionParams defaults;
  Levels levels;

  if (params == NULL)
    {
      lacuna_text_region_params_init (&defaults);
      params = &defaults;
    }
  levels_of_max (max, FALSE, params, &levels);
  *out_high = levels.threshold;
  *out_low = levels.low_threshold;
}

/* Grey is read only where ensure (when not NULL) was asked for it first: the rectangle
 * [x0, x1) × [y0, y1), clipped to the frame. */
static inline void
ensure_grey (LacunaTextRegionsEnsureFunc  ensure,
             gpointer                     data,
             guint                        width,
             guint                        height,
             int                          x0,
             int                          y0,
             int                          x1,
             int                          y1)
{
  if (ensure == NULL)
    return;
  x0 = CLAMP (x0, 0, (int) width);
  y0 = CLAMP (y0, 0, (int) height);
  x1 = CLAMP (x1, 0, (int) width);
  y1 = CLAMP (y1, 0, (int) height);
  if (x1 > x0 && y1 > y0)
    ensure (x0, y0, x1, y1, data);
}

/* The mask value of one colour pixel. */
static inline guint8
colour_mask_value (const Levels *levels,
                   guint8        v,
                   const guint8 *rgb)
{
  int r = rgb[0], g = rgb[1], b = rgb[2];
  int hi = MAX (r, MAX (g, b)), lo = MIN (r, MIN (g, b));

  if (v >= levels->threshold)
    return 2;
  /* Saturated and bright: coloured annotation (cyan, yellow, green text). */
  if (hi >= levels->colour_threshold && (hi - lo) * 100 >= 45 * hi)
    return 2;
  return v >= levels->low_threshold;
}

/* The mask, with hysteresis: 2 where the display value reaches the threshold (or bright
 * saturated colour), 1 where it reaches the lower threshold (antialiased thin strokes and
 * their edges), 0 elsewhere. A component is kept only when it holds a 2. */
static guint8 *
make_mask (const guint8                 *grey,
           guint                         width,
           guint                         height,
           gsize                         stride,
           const guint8                 *rgb,
           gsize                         rgb_stride,
           const LacunaTextRegionParams *params)
{
  guint8 *mask = g_malloc ((gsize) width * height);
  Levels levels;
  int high, low;

  mask_levels (grey, width, height, stride, rgb != NULL, params, &levels);
  /* low ≤ high: two compares a pixel (2, 1 or 0), which vectorize. */
  high = levels.threshold;
  low = levels.low_threshold;
  for (guint y = 0; y < height; y++)
    {
      const guint8 *row = grey + (gsize) y * stride;
      guint8 *m = mask + (gsize) y * width;

      if (rgb != NULL)
        {
          const guint8 *crow = rgb + (gsize) y * rgb_stride;

          for (guint x = 0; x < width; x++)
            m[x] = colour_mask_value (&levels, row[x], crow + 3 * x);
        }
      else if (high <= 255)
        {
          /* Byte compares (low ≤ high ≤ 255), which vectorize. */
          guint8 high8 = (guint8) high, low8 = (guint8) low;

          for (guint x = 0; x < width; x++)
            m[x] = (guint8) ((row[x] >= high8) + (row[x] >= low8));
        }
      else
        {
          for (guint x = 0; x < width; x++)
            m[x] = (guint8) ((row[x] >= high) + (row[x] >= low));
        }
    }
  return mask;
}

typedef struct
{
  int x0, y0, x1, y1;   /* inclusive */
} Bounds;

typedef struct
{
  int   x0, x1;     /* inclusive */
  int   y;
  guint parent;     /* union-find, towards the run found first */
} Run;

static guint
run_find (Run   *runs,
          guint  i)
{
  guint root = i;

  while (runs[root].parent != root)
    root = runs[root].parent;
  while (runs[i].parent != root)
    {
      guint next = runs[i].parent;

      runs[i].parent = root;
      i = next;
    }
  return root;
}

static void
run_union (Run   *runs,
           guint  a,
           guint  b)
{
  a = run_find (runs, a);
  b = run_find (runs, b);
  if (a < b)
    runs[b].parent = a;
  else if (b < a)
    runs[a].parent = b;
}

/* 8-connected components of mask inside limit, by runs of each row joined across rows
 * (union-find). Returns their bounds, in the order of their first pixel (top to bottom,
 * left to right). */
/* The bounds of each component of runs (joined by run_union), in the order of the first
 * run of each, appended to out. */
static void
append_bounds (GArray *runs,
               GArray *out)
{
  Run *r = (Run *) runs->data;
  g_autofree int *index = g_new (int, MAX (runs->len, 1));

  for (guint i = 0; i < runs->len; i++)
    {
      guint root = run_find (r, i);
      Bounds *b;

      if (root == i)
        {
          Bounds nb = { r[i].x0, r[i].y, r[i].x1, r[i].y };

          index[i] = (int) out->len;
          g_array_append_val (out, nb);
          continue;
        }
      b = &g_array_index (out, Bounds, index[root]);
      b->x0 = MIN (b->x0, r[i].x0);
      b->x1 = MAX (b->x1, r[i].x1);
      b->y1 = MAX (b->y1, r[i].y);
    }
}

static GArray *
label_components (const guint8 *mask,
                  guint         width,
                  guint         height,
                  const int     limit[4])
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (Bounds));
  int lx0 = limit[0], ly0 = limit[1], lx1 = limit[0] + limit[2], ly1 = limit[1] + limit[3];
  g_autoptr(GArray) runs = g_array_new (FALSE, FALSE, sizeof (Run));
  guint prev_start = 0, prev_end = 0;
  Run *r;

  for (int y = ly0; y < ly1; y++)
    {
      const guint8 *row = mask + (gsize) y * width;
      guint start = runs->len, p = prev_start;

      for (int x = lx0; x < lx1; )
        {
          Run run;

          if (row[x] == 0)
            {
              x++;
              continue;
            }
          run.x0 = x;
          while (x < lx1 && row[x] != 0)
            x++;
          run.x1 = x - 1;
          run.y = y;
          run.parent = runs->len;
          g_array_append_val (runs, run);

          /* Runs of the row above touching this one (diagonals included). */
          r = (Run *) runs->data;
          while (p < prev_end && r[p].x1 + 1 < run.x0)
            p++;
          for (guint q = p; q < prev_end && r[q].x0 <= run.x1 + 1; q++)
            run_union (r, q, runs->len - 1);
        }
      prev_start = start;
      prev_end = runs->len;
    }

  append_bounds (runs, out);
  return out;
}

/* A run of set pixels of one row, inclusive. */
typedef struct
{
  int x0, x1;
} Span;

/* Whether a word holds a zero byte (exact as a whole, not per byte). */
#define HAS_ZERO_BYTE(w) \
  (((w) - G_GUINT64_CONSTANT (0x0101010101010101)) & ~(w) & G_GUINT64_CONSTANT (0x8080808080808080))

/* The runs of set pixels of row, each grown by rx on both sides (clipped to the row), those
 * that then touch merged: the row dilated horizontally, as runs. Appended to out. */
static void
row_spans (const guint8 *row,
           guint         width,
           int           rx,
           GArray       *out)
{
  guint x = 0, first = out->len;

  while (x < width)
    {
      Span span;
      guint start;
      guint64 w;

      /* Eight clear pixels at a time. */
      while (x + 8 <= width)
        {
          memcpy (&w, row + x, sizeof w);
          if (w != 0)
            break;
          x += 8;
        }
      while (x < width && row[x] == 0)
        x++;
      if (x >= width)
        break;
      start = x;
      while (x + 8 <= width)
        {
          memcpy (&w, row + x, sizeof w);
          if (HAS_ZERO_BYTE (w))
            break;
          x += 8;
        }
      while (x < width && row[x] != 0)
        x++;

      span.x0 = MAX ((int) start - rx, 0);
      span.x1 = MIN ((int) x - 1 + rx, (int) width - 1);
      if (out->len > first && g_array_index (out, Span, out->len - 1).x1 + 1 >= span.x0)
        g_array_index (out, Span, out->len - 1).x1 = span.x1;
      else
        g_array_append_val (out, span);
    }
}

/* label_components() of mask dilated by a (2rx+1) × (2ry+1) brick, computed on runs: each
 * row's runs grown by rx, the rows from y - ry to y + ry merged into the dilated row y, and
 * those runs joined across rows as label_components() joins them (the same runs, in the
 * same order, so the same components in the same order). */
static GArray *
dilate_label (const guint8 *mask,
              guint         width,
              guint         height,
              int           rx,
              int           ry)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (Bounds));
  g_autoptr(GArray) spans = g_array_new (FALSE, FALSE, sizeof (Span));
  g_autofree guint *row_start = g_new (guint, (gsize) height + 1);
  g_autoptr(GArray) runs = g_array_new (FALSE, FALSE, sizeof (Run));
  guint prev_start = 0, prev_end = 0;
  Run *r;

  for (guint y = 0; y < height; y++)
    {
      row_start[y] = spans->len;
      row_spans (mask + (gsize) y * width, width, rx, spans);
    }
  row_start[height] = spans->len;

  for (guint y = 0; y < height; y++)
    {
      guint y0 = y > (guint) ry ? y - ry : 0;
      guint y1 = MIN (height - 1, y + ry);
      guint next[64];
      guint n_rows = y1 - y0 + 1;
      guint start = runs->len, p = prev_start;
      gboolean open = FALSE;
      Run run = { 0, };

      g_assert (n_rows <= G_N_ELEMENTS (next));
      for (guint k = 0; k < n_rows; k++)
        next[k] = row_start[y0 + k];

      /* Merge the rows' runs in order of their start, joining those that touch. */
      for (;;)
        {
          const Span *best = NULL;
          guint best_k = 0;

          for (guint k = 0; k < n_rows; k++)
            if (next[k] < row_start[y0 + k + 1])
              {
                const Span *sp = &g_array_index (spans, Span, next[k]);

                if (best == NULL || sp->x0 < best->x0)
                  {
                    best = sp;
                    best_k = k;
                  }
              }
          if (best != NULL && open && best->x0 <= run.x1 + 1)
            {
              run.x1 = MAX (run.x1, best->x1);
              next[best_k]++;
              continue;
            }
          if (open)
            {
              /* A run of the dilated row is complete: as label_components() adds it. */
              run.y = (int) y;
              run.parent = runs->len;
              g_array_append_val (runs, run);
              r = (Run *) runs->data;
              while (p < prev_end && r[p].x1 + 1 < run.x0)
                p++;
              for (guint q = p; q < prev_end && r[q].x0 <= run.x1 + 1; q++)
                run_union (r, q, runs->len - 1);
              open = FALSE;
            }
          if (best == NULL)
            break;
          run.x0 = best->x0;
          run.x1 = best->x1;
          open = TRUE;
          next[best_k]++;
        }
      prev_start = start;
      prev_end = runs->len;
    }

  append_bounds (runs, out);
  return out;
}

/* Tightens b to the undilated mask; FALSE when nothing is left or nothing in it reaches
 * the upper threshold. */
static gboolean
tighten (const guint8 *mask,
         guint         width,
         Bounds       *b)
{
  Bounds t = { G_MAXINT, G_MAXINT, -1, -1 };
  gboolean high = FALSE;

  /* Row by row: the first and last marked pixels, eight at a time over empty stretches
   * (a box can cover most of the image). */
  for (int y = b->y0; y <= b->y1; y++)
    {
      const guint8 *row = mask + (gsize) y * width;
      int x0 = b->x0, x1 = b->x1;

      for (guint64 word; x0 + 8 <= x1 + 1; x0 += 8)
        {
          memcpy (&word, row + x0, sizeof word);
          if (word != 0)
            break;
        }
      while (x0 <= x1 && row[x0] == 0)
        x0++;
      if (x0 > x1)
        continue;
      while (row[x1] == 0)
        x1--;
      t.x0 = MIN (t.x0, x0);
      t.x1 = MAX (t.x1, x1);
      t.y0 = MIN (t.y0, y);
      t.y1 = y;
      if (!high)
        high = memchr (row + x0, 2, (gsize) (x1 - x0 + 1)) != NULL;
    }
  if (t.x1 < 0 || !high)
    return FALSE;
  *b = t;
  return TRUE;
}

/* Recursive XY-cut of a tight box: at empty rows that leave two parts of at least
 * min_height (two lines joined by the dilation or by a logo beside them), else at runs of
 * empty columns at least a third of the box's height wide (a logo, a far-apart word). Leaves are
 * appended tightened. Recursion depth is bounded by the box size (each cut shrinks it). */
static void
xy_cut (const guint8 *mask,
        guint         width,
        Bounds        b,
        int           min_height,
        GArray       *out,
        guint         depth)
{
  int h = b.y1 - b.y0 + 1, w = b.x1 - b.x0 + 1;
  g_autofree int *rows = g_new0 (int, h);
  g_autofree int *cols = g_new0 (int, w);
  int best_start = -1, best_len = 0;

  for (int y = b.y0; y <= b.y1; y++)
    {
      const guint8 *row = mask + (gsize) y * width;

      int x = b.x0;

      /* Eight pixels at a time, an empty stretch at once. */
      for (guint64 word; x + 8 <= b.x1 + 1; x += 8)
        {
          memcpy (&word, row + x, sizeof word);
          if (word == 0)
            continue;
          for (int k = 0; k < 8; k++)
            if (row[x + k])
              {
                rows[y - b.y0]++;
                cols[x + k - b.x0]++;
              }
        }
      for (; x <= b.x1; x++)
        if (row[x])
          {
            rows[y - b.y0]++;
            cols[x - b.x0]++;
          }
    }

  if (depth < 32)
    {
      /* Rows: the longest empty run with enough ink above and below. */
      for (int y = 0; y < h; )
        {
          int start = y;

          if (rows[y] != 0)
            {
              y++;
              continue;
            }
          while (y < h && rows[y] == 0)
            y++;
          if (start >= min_height && h - y >= min_height && y - start > best_len)
            {
              best_start = start;
              best_len = y - start;
            }
        }
      if (best_start >= 0)
        {
          Bounds top = { b.x0, b.y0, b.x1, b.y0 + best_start - 1 };
          Bounds bottom = { b.x0, b.y0 + best_start + best_len, b.x1, b.y1 };

          if (tighten (mask, width, &top))
            xy_cut (mask, width, top, min_height, out, depth + 1);
          if (tighten (mask, width, &bottom))
            xy_cut (mask, width, bottom, min_height, out, depth + 1);
          return;
        }
      /* Columns: the first wide empty run. */
      for (int x = 0; x < w; )
        {
          int start = x;

          if (cols[x] != 0)
            {
              x++;
              continue;
            }
          while (x < w && cols[x] == 0)
            x++;
          if (start > 0 && x < w && (x - start) * 3 >= h && x - start >= 3)
            {
              Bounds left = { b.x0, b.y0, b.x0 + start - 1, b.y1 };
              Bounds right = { b.x0 + x, b.y0, b.x1, b.y1 };

              if (tighten (mask, width, &left))
                xy_cut (mask, width, left, min_height, out, depth + 1);
              if (tighten (mask, width, &right))
                xy_cut (mask, width, right, min_height, out, depth + 1);
              return;
            }
        }
    }
  g_array_append_val (out, b);
}

/* Is the box text-like? Glyphs (undilated components) not much wider than the line is
 * high, a fill that is neither a stroke-less blob nor empty, and a darker surround. */
static gboolean
text_like (const guint8                *grey,
           gsize                        stride,
           LacunaTextRegionsEnsureFunc  ensure,
           gpointer                     ensure_data,
           const guint8                *mask,
           guint                        width,
           guint                        height,
           const Bounds                *b,
           guint                       *out_n_glyphs)
{
  int box[4] = { b->x0, b->y0, b->x1 - b->x0 + 1, b->y1 - b->y0 + 1 };
  g_autoptr(GArray) glyphs = label_components (mask, width, height, box);
  guint64 on = 0, on_sum = 0, off = 0, off_sum = 0;
  guint n_glyphs = 0;
  int gx0, gy0, gx1, gy1;
  double fill;

  for (guint i = 0; i < glyphs->len; i++)
    {
      const Bounds *g = &g_array_index (glyphs, Bounds, i);
      int gw = g->x1 - g->x0 + 1, gh = g->y1 - g->y0 + 1;

      /* A single stroke running along the line (a trace, a frame edge) is no glyph. */
      if (gw > 3 * box[3] && gw > 3 * gh)
        return FALSE;
      if (gh * 3 >= box[3] || gw * 3 >= box[3])
        n_glyphs++;
    }
  if (n_glyphs == 0)
    return FALSE;

  /* The surround: one ring of 2 px around the box plus the box's unmasked pixels. */
  gx0 = MAX (0, b->x0 - 2);
  gy0 = MAX (0, b->y0 - 2);
  gx1 = MIN ((int) width - 1, b->x1 + 2);
  gy1 = MIN ((int) height - 1, b->y1 + 2);
  ensure_grey (ensure, ensure_data, width, height, gx0, gy0, gx1 + 1, gy1 + 1);
  for (int y = gy0; y <= gy1; y++)
    for (int x = gx0; x <= gx1; x++)
      {
        guint8 v = grey[(gsize) y * stride + x];

        if (mask[(gsize) y * width + x])
          {
            on++;
            on_sum += v;
          }
        else
          {
            off++;
            off_sum += v;
          }
      }
  fill = (double) on / ((double) box[2] * box[3]);
  if (fill > 0.8 || off == 0)
    return FALSE;
  /* Light text on a darker ground (colour text counts by its mask, its grey may be low). */
  if ((double) off_sum / off > 0.6 * MAX (1.0, (double) on_sum / MAX (on, 1)) &&
      (double) off_sum / off > 110)
    return FALSE;

  *out_n_glyphs = n_glyphs;
  return TRUE;
}

/* A lone glyph (a side marker "L", a digit) must stand on a flat dark ground: bright bits
 * of anatomy (bone in a CT slice) are single blobs too, but surrounded by tissue. The ring
 * of half the box's height around it must be mostly darker than a quarter of the glyph. */
static gboolean
lone_glyph_isolated (const guint8                *grey,
                     gsize                        stride,
                     LacunaTextRegionsEnsureFunc  ensure,
                     gpointer                     ensure_data,
                     const guint8                *mask,
                     guint                        width,
                     guint                        height,
                     const int                    box[4])
{
  int ring = MAX (3, box[3] / 2);
  int x0 = MAX (0, box[0] - ring), y0 = MAX (0, box[1] - ring);
  int x1 = MIN ((int) width, box[0] + box[2] + ring);
  int y1 = MIN ((int) height, box[1] + box[3] + ring);
  guint64 on = 0, on_sum = 0, n = 0, dark = 0;
  double limit;

  ensure_grey (ensure, ensure_data, width, height, x0, y0, x1, y1);
  for (int y = box[1]; y < box[1] + box[3]; y++)
    for (int x = box[0]; x < box[0] + box[2]; x++)
      if (mask[(gsize) y * width + x] == 2)
        {
          on++;
          on_sum += grey[(gsize) y * stride + x];
        }
  limit = on > 0 ? 0.25 * on_sum / on : 0;
  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      {
        if (x >= box[0] && x < box[0] + box[2] && y >= box[1] && y < box[1] + box[3])
          continue;
        n++;
        dark += grey[(gsize) y * stride + x] <= limit;
      }
  return n == 0 || dark * 10 >= n * 8;
}

static int
compare_regions (gconstpointer a,
                 gconstpointer b)
{
  const LacunaTextRegion *ra = a, *rb = b;

  /* Top to bottom by centre line, then left to right. */
  int ca = ra->box[1] + ra->box[3] / 2, cb = rb->box[1] + rb->box[3] / 2;

  if (ABS (ca - cb) * 2 < MIN (ra->box[3], rb->box[3]))
    return ra->box[0] - rb->box[0];
  return ca - cb;
}

/* Merges boxes on one line: vertical overlap of at least half the larger height and a
 * horizontal gap of at most about one text height. */
static void
merge_lines (GArray *regions)
{
  gboolean merged = TRUE;

  while (merged)
    {
      merged = FALSE;
      for (guint i = 0; i < regions->len && !merged; i++)
        for (guint j = i + 1; j < regions->len && !merged; j++)
          {
            LacunaTextRegion *a = &g_array_index (regions, LacunaTextRegion, i);
            LacunaTextRegion *b = &g_array_index (regions, LacunaTextRegion, j);
            int top = MAX (a->box[1], b->box[1]);
            int bottom = MIN (a->box[1] + a->box[3], b->box[1] + b->box[3]);
            int minh = MIN (a->box[3], b->box[3]), maxh = MAX (a->box[3], b->box[3]);
            int gap;

            if ((bottom - top) * 2 < maxh || maxh > 2 * minh)
              continue;
            gap = MAX (a->box[0], b->box[0]) - MIN (a->box[0] + a->box[2], b->box[0] + b->box[2]);
            if (gap > maxh + maxh / 4)
              continue;
            {
              int x0 = MIN (a->box[0], b->box[0]), y0 = MIN (a->box[1], b->box[1]);
              int x1 = MAX (a->box[0] + a->box[2], b->box[0] + b->box[2]);
              int y1 = MAX (a->box[1] + a->box[3], b->box[1] + b->box[3]);

              a->box[0] = x0;
              a->box[1] = y0;
              a->box[2] = x1 - x0;
              a->box[3] = y1 - y0;
              a->n_glyphs += b->n_glyphs;
              g_array_remove_index (regions, j);
              merged = TRUE;
            }
          }
    }
}

/* The regions of the candidate mask (width × height, rows width apart), grey read where
 * ensure (may be NULL) was asked for it first. */
static GArray *
find_in_mask (const guint8                 *grey,
              guint                         width,
              guint                         height,
              gsize                         stride,
              const guint8                 *mask,
              LacunaTextRegionsEnsureFunc   ensure,
              gpointer                      ensure_data,
              const LacunaTextRegionParams *params,
              guint64                      *out_mask_hash)
{
  GArray *regions = g_array_new (FALSE, FALSE, sizeof (LacunaTextRegion));
  g_autoptr(GArray) components = NULL;
  guint64 hash = 1469598103934665603ull;

  components = dilate_label (mask, width, height, DILATE_X, DILATE_Y);

  for (guint i = 0; i < components->len; i++)
    {
      Bounds b = g_array_index (components, Bounds, i);
      int h = b.y1 - b.y0 + 1 - 2 * DILATE_Y;
      g_autoptr(GArray) pieces = NULL;

      /* Cheap tests on the dilated box first (most components fail them): nothing much
       * taller than a few lines, nothing thinner than a letter. */
      if (h < params->min_height || h > 4 * params->max_height)
        continue;
      if (!tighten (mask, width, &b))
        continue;
      pieces = g_array_new (FALSE, FALSE, sizeof (Bounds));
      xy_cut (mask, width, b, params->min_height, pieces, 0);
      for (guint k = 0; k < pieces->len; k++)
        {
          Bounds p = g_array_index (pieces, Bounds, k);
          LacunaTextRegion region;

          if (!tighten (mask, width, &p))
            continue;
          h = p.y1 - p.y0 + 1;
          if (h < params->min_height || h > params->max_height)
            continue;
          if ((p.x1 - p.x0 + 1) * 2 < h)
            continue;
          if (!text_like (grey, stride, ensure, ensure_data, mask, width, height, &p,
                          &region.n_glyphs))
            continue;
          region.box[0] = p.x0;
          region.box[1] = p.y0;
          region.box[2] = p.x1 - p.x0 + 1;
          region.box[3] = h;
          g_array_append_val (regions, region);
        }
    }

  merge_lines (regions);
  for (guint i = regions->len; i > 0; i--)
    {
      const LacunaTextRegion *r = &g_array_index (regions, LacunaTextRegion, i - 1);

      if (r->n_glyphs <= 1 &&
          !lone_glyph_isolated (grey, stride, ensure, ensure_data, mask, width, height,
                               r->box))
        g_array_remove_index (regions, i - 1);
    }
  g_array_sort (regions, compare_regions);

  if (out_mask_hash != NULL)
    {
      /* FNV-1a over the boxes and the mask inside them. */
      for (guint i = 0; i < regions->len; i++)
        {
          const LacunaTextRegion *r = &g_array_index (regions, LacunaTextRegion, i);

          for (int k = 0; k < 4; k++)
            hash = (hash ^ (guint64) (guint32) r->box[k]) * 1099511628211ull;
          for (int y = r->box[1]; y < r->box[1] + r->box[3]; y++)
            for (int x = r->box[0]; x < r->box[0] + r->box[2]; x++)
              hash = (hash ^ (mask[(gsize) y * width + x] != 0)) * 1099511628211ull;
        }
      *out_mask_hash = hash;
    }
  return regions;
}

GArray *
lacuna_text_regions_find (const guint8                 *grey,
                          guint                         width,
                          guint                         height,
                          gsize                         stride,
                          const guint8                 *rgb,
                          gsize                         rgb_stride,
                          const LacunaTextRegionParams *params,
                          guint64                      *out_mask_hash)
{
  LacunaTextRegionParams defaults;
  g_autofree guint8 *mask = NULL;

  g_return_val_if_fail (grey != NULL, g_array_new (FALSE, FALSE, sizeof (LacunaTextRegion)));
  g_return_val_if_fail (stride >= width, g_array_new (FALSE, FALSE, sizeof (LacunaTextRegion)));

  if (params == NULL)
    {
      lacuna_text_region_params_init (&defaults);
      params = &defaults;
    }
  if (width > 0 && height > 0)
    mask = make_mask (grey, width, height, stride, rgb, rgb_stride, params);
  return _lacuna_text_regions_find_in_mask (grey, width, height, stride, mask, NULL, NULL,
                                            params, out_mask_hash);
}

GArray *
_lacuna_text_regions_find_in_mask (const guint8                 *grey,
                                   guint                         width,
                                   guint                         height,
                                   gsize                         stride,
                                   const guint8                 *mask,
                                   LacunaTextRegionsEnsureFunc   ensure,
                                   gpointer                      ensure_data,
                                   const LacunaTextRegionParams *params,
                                   guint64                      *out_mask_hash)
{
  LacunaTextRegionParams defaults;

  g_return_val_if_fail (grey != NULL, g_array_new (FALSE, FALSE, sizeof (LacunaTextRegion)));
  g_return_val_if_fail (stride >= width, g_array_new (FALSE, FALSE, sizeof (LacunaTextRegion)));

  if (out_mask_hash != NULL)
    *out_mask_hash = 0;
  if (width == 0 || height == 0)
    return g_array_new (FALSE, FALSE, sizeof (LacunaTextRegion));
  g_return_val_if_fail (mask != NULL, g_array_new (FALSE, FALSE, sizeof (LacunaTextRegion)));
  if (params == NULL)
    {
      lacuna_text_region_params_init (&defaults);
      params = &defaults;
    }
  return find_in_mask (grey, width, height, stride, mask, ensure, ensure_data, params,
                       out_mask_hash);
}

/* box (x, y, width, height) clipped to the image: the rows y0..y1 and columns x0..x1,
 * ends excluded. */
static void
clip_box (const int  box[4],
          guint      width,
          guint      height,
          int       *x0,
          int       *y0,
          int       *x1,
          int       *y1)
{
  *x0 = CLAMP (box[0], 0, (int) width);
  *y0 = CLAMP (box[1], 0, (int) height);
  *x1 = CLAMP (box[0] + box[2], 0, (int) width);
  *y1 = CLAMP (box[1] + box[3], 0, (int) height);
}

void
_lacuna_text_regions_count_in_mask (const guint8 *mask,
                                    guint         width,
                                    guint         height,
                                    const int    *boxes,
                                    guint         n_boxes,
                                    guint        *out_counts)
{
  g_return_if_fail (mask != NULL || width == 0 || height == 0);

  for (guint b = 0; b < n_boxes; b++)
    {
      int x0, y0, x1, y1;
      guint n = 0;

      clip_box (boxes + 4 * b, width, height, &x0, &y0, &x1, &y1);

      for (int y = y0; y < y1; y++)
        {
          const guint8 *row = mask + (gsize) y * width;

          for (int x = x0; x < x1; x++)
            n += row[x] != 0;
        }
      out_counts[b] = n;
    }
}

/* Number of mask pixels in box (clipped) at the given levels. */
static guint
count_in_box (const guint8 *grey,
              guint         width,
              guint         height,
              gsize         stride,
              const guint8 *rgb,
              gsize         rgb_stride,
              const Levels *levels,
              const int     box[4])
{
  int x0, y0, x1, y1;
  guint n = 0;

  clip_box (box, width, height, &x0, &y0, &x1, &y1);
  for (int y = y0; y < y1; y++)
    {
      const guint8 *row = grey + (gsize) y * stride;
      const guint8 *crow = rgb != NULL ? rgb + (gsize) y * rgb_stride : NULL;

      for (int x = x0; x < x1; x++)
        n += crow != NULL ? colour_mask_value (levels, row[x], crow + 3 * x) != 0
                          : row[x] >= levels->low_threshold;
    }
  return n;
}

guint
lacuna_text_regions_count_mask (const guint8                 *grey,
                                guint                         width,
                                guint                         height,
                                gsize                         stride,
                                const guint8                 *rgb,
                                gsize                         rgb_stride,
                                const LacunaTextRegionParams *params,
                                const int                     box[4])
{
  guint n = 0;

  g_return_val_if_fail (grey != NULL, 0);
  g_return_val_if_fail (box != NULL, 0);

  lacuna_text_regions_count_mask_boxes (grey, width, height, stride, rgb, rgb_stride, params,
                                        box, 1, &n);
  return n;
}

void
lacuna_text_regions_count_mask_boxes (const guint8                 *grey,
                                      guint                         width,
                                      guint                         height,
                                      gsize                         stride,
                                      const guint8                 *rgb,
                                      gsize                         rgb_stride,
                                      const LacunaTextRegionParams *params,
                                      const int                    *boxes,
                                      guint                         n_boxes,
                                      guint                        *out_counts)
{
  LacunaTextRegionParams defaults;
  Levels levels;

  g_return_if_fail (grey != NULL);
  g_return_if_fail (boxes != NULL || n_boxes == 0);
  g_return_if_fail (out_counts != NULL || n_boxes == 0);

  if (n_boxes == 0)
    return;
  memset (out_counts, 0, n_boxes * sizeof (guint));
  if (width == 0 || height == 0)
    return;
  if (params == NULL)
    {
      lacuna_text_region_params_init (&defaults);
      params = &defaults;
    }
  mask_levels (grey, width, height, stride, rgb != NULL, params, &levels);
  for (guint b = 0; b < n_boxes; b++)
    out_counts[b] = count_in_box (grey, width, height, stride, rgb, rgb_stride, &levels,
                                  boxes + 4 * b);
}
