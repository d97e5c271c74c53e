/* lacuna-sample-text.c: text and graphics burned into the sample's pixels (cairo + pango).
 *
 * Rendering goes through a private cairo image surface and fixed font options (greyscale
 * antialiasing, no hinting), so the bytes do not depend on the user's font settings.
 */
#define G_LOG_DOMAIN "lacuna-sample-text"

#include "config.h"

#include <math.h>
#include <string.h>

#include <cairo.h>
#include <pango/pangocairo.h>

#include "lacuna-sample.h"
#include "lacuna-sample-private.h"

#define FONT_FAMILY "DejaVu Sans"

typedef enum
{
  ALIGN_LEFT,
  ALIGN_RIGHT,
  ALIGN_CENTER,
} Align;

typedef struct
{
  cairo_surface_t  *surface;
  cairo_t          *cr;
  PangoFontMap     *font_map;
  PangoContext     *context;
} Canvas;

static void
canvas_clear (Canvas *canvas)
{
  g_clear_object (&canvas->context);
  g_clear_object (&canvas->font_map);
  g_clear_pointer (&canvas->cr, cairo_destroy);
  g_clear_pointer (&canvas->surface, cairo_surface_destroy);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Canvas, canvas_clear)

/* Copies rgb into a new RGB24 surface and prepares pango. */
static gboolean
canvas_init (Canvas       *canvas,
             const guint8 *rgb,
             guint         width,
             guint         height,
             GError      **error)
{
  cairo_font_options_t *options;
  guint8 *data;
  int stride;

  memset (canvas, 0, sizeof *canvas);
  canvas->surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  if (cairo_surface_status (canvas->surface) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "Could not create an image surface for the sample: %s",
                   cairo_status_to_string (cairo_surface_status (canvas->surface)));
      return FALSE;
    }
  cairo_surface_flush (canvas->surface);
  data = cairo_image_surface_get_data (canvas->surface);
  stride = cairo_image_surface_get_stride (canvas->surface);
  for (guint j = 0; j < height; j++)
    {
      guint32 *row = (guint32 *) (data + (gsize) j * stride);
      const guint8 *src = rgb + (gsize) j * width * 3;

      for (guint i = 0; i < width; i++)
        row[i] = 0xFF000000u | ((guint32) src[3 * i] << 16) | ((guint32) src[3 * i + 1] << 8) |
                 src[3 * i + 2];
    }
  cairo_surface_mark_dirty (canvas->surface);

  canvas->cr = cairo_create (canvas->surface);
  canvas->font_map = pango_cairo_font_map_new ();
  canvas->context = pango_font_map_create_context (canvas->font_map);

  options = cairo_font_options_create ();
  cairo_font_options_set_antialias (options, CAIRO_ANTIALIAS_GRAY);
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_subpixel_order (options, CAIRO_SUBPIXEL_ORDER_DEFAULT);
  pango_cairo_context_set_font_options (canvas->context, options);
  pango_cairo_context_set_resolution (canvas->context, 72.0);
  cairo_font_options_destroy (options);
  return TRUE;
}

static void
canvas_finish (Canvas *canvas,
               guint8 *rgb,
               guint   width,
               guint   height)
{
  const guint8 *data;
  int stride;

  cairo_surface_flush (canvas->surface);
  data = cairo_image_surface_get_data (canvas->surface);
  stride = cairo_image_surface_get_stride (canvas->surface);
  for (guint j = 0; j < height; j++)
    {
      const guint32 *row = (const guint32 *) (data + (gsize) j * stride);
      guint8 *dst = rgb + (gsize) j * width * 3;

      for (guint i = 0; i < width; i++)
        {
          dst[3 * i] = (row[i] >> 16) & 0xFF;
          dst[3 * i + 1] = (row[i] >> 8) & 0xFF;
          dst[3 * i + 2] = row[i] & 0xFF;
        }
    }
}

/* Draws text with its top at y; x is the left edge, the right edge or the centre. */
static void
canvas_text (Canvas     *canvas,
             const char *text,
             double      x,
             double      y,
             double      size_px,
             gboolean    bold,
             Align       align)
{
  g_autoptr(PangoLayout) layout = pango_layout_new (canvas->context);
  PangoFontDescription *font = pango_font_description_new ();
  int w, h;

  pango_font_description_set_family_static (font, FONT_FAMILY);
  pango_font_description_set_weight (font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_font_description_set_absolute_size (font, size_px * PANGO_SCALE);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &w, &h);
  if (align == ALIGN_RIGHT)
    x -= w;
  else if (align == ALIGN_CENTER)
    x -= w / 2.0;
  cairo_move_to (canvas->cr, round (x), round (y));
  pango_cairo_show_layout (canvas->cr, layout);
}

/* ---------------------------------------------------------------------------------------- */
/* Ultrasound                                                                               */

gboolean
_lacuna_sample_us_annotate (guint8  *rgb,
                            guint    width,
                            guint    height,
                            GError **error)
{
  g_auto(Canvas) canvas = { 0 };
  cairo_t *cr;
  double x_scale = width - 28.0;

  if (!canvas_init (&canvas, rgb, width, height, error))
    return FALSE;
  cr = canvas.cr;

  /* The identifying band at the top. */
  cairo_set_source_rgb (cr, 1, 1, 1);
  canvas_text (&canvas, LACUNA_SAMPLE_US_TEXT_NAME, 10, 6, 17, TRUE, ALIGN_LEFT);
  canvas_text (&canvas, LACUNA_SAMPLE_US_TEXT_ID, 10, 30, 15, FALSE, ALIGN_LEFT);
  canvas_text (&canvas, LACUNA_SAMPLE_US_TEXT_HOSPITAL, width - 10.0, 6, 15, TRUE, ALIGN_RIGHT);
  canvas_text (&canvas, LACUNA_SAMPLE_US_TEXT_DATE, width - 10.0, 30, 15, FALSE, ALIGN_RIGHT);
  cairo_set_line_width (cr, 1.0);
  cairo_move_to (cr, 0, LACUNA_SAMPLE_US_TEXT_BAND - 3.5);
  cairo_line_to (cr, width, LACUNA_SAMPLE_US_TEXT_BAND - 3.5);
  cairo_set_source_rgb (cr, 0.45, 0.45, 0.45);
  cairo_stroke (cr);

  /* Clinical text, identifying nobody. */
  cairo_set_source_rgb (cr, 0.9, 0.9, 0.9);
  canvas_text (&canvas, LACUNA_SAMPLE_US_TEXT_PROBE, 12, 78, 14, TRUE, ALIGN_LEFT);
  canvas_text (&canvas, "ABD", 12, 98, 14, FALSE, ALIGN_LEFT);
  canvas_text (&canvas, LACUNA_SAMPLE_US_TEXT_INDICES, 12, 118, 14, FALSE, ALIGN_LEFT);
  canvas_text (&canvas, "FR 24 Hz", 12, 138, 14, FALSE, ALIGN_LEFT);
  canvas_text (&canvas, "G 54%", 12, 158, 14, FALSE, ALIGN_LEFT);
  canvas_text (&canvas, LACUNA_SAMPLE_US_TEXT_DEPTH, 12, height - 28.0, 15, TRUE, ALIGN_LEFT);

  /* Orientation marker at the fan's left upper corner. */
  cairo_set_source_rgb (cr, 0.2, 0.85, 1.0);
  canvas_text (&canvas, LACUNA_SAMPLE_US_TEXT_MARKER, 196, 62, 18, TRUE, ALIGN_LEFT);

  /* Depth scale: a tick per cm, longer every 5 cm, and the focus marker. */
  cairo_set_source_rgb (cr, 0.9, 0.9, 0.9);
  for (int cm = 0; cm <= 12; cm++)
    {
      double y = LACUNA_SAMPLE_US_APEX_Y + cm / LACUNA_SAMPLE_US_CM_PER_PIXEL;

      cairo_move_to (cr, x_scale, round (y) + 0.5);
      cairo_line_to (cr, x_scale + (cm % 5 == 0 ? 10 : 5), round (y) + 0.5);
      cairo_stroke (cr);
      if (cm % 5 == 0)
        {
          g_autofree char *label = g_strdup_printf ("%d", cm);

          canvas_text (&canvas, label, x_scale - 4, y - 8, 12, FALSE, ALIGN_RIGHT);
        }
    }
  cairo_move_to (cr, x_scale - 6, LACUNA_SAMPLE_US_APEX_Y + 7 / LACUNA_SAMPLE_US_CM_PER_PIXEL);
  cairo_rel_line_to (cr, -8, -5);
  cairo_rel_line_to (cr, 0, 10);
  cairo_close_path (cr);
  cairo_fill (cr);

  canvas_finish (&canvas, rgb, width, height);
  return TRUE;
}

/* ---------------------------------------------------------------------------------------- */
/* Secondary capture: a CT dose report screen                                               */

static const double dose_ctdi[] = {
  38.2, 41.0, 44.6, 46.1, 45.3, 42.7, 37.5, 30.8, 24.1, 19.6, 17.9, 18.8, 21.4, 23.0,
};

gboolean
_lacuna_sample_sc_render (guint8  *rgb,
                          guint    size,
                          GError **error)
{
  g_auto(Canvas) canvas = { 0 };
  cairo_t *cr;
  const double cx = 60, cy = 440, cw = 420, ch = 170;
  const double max_ctdi = 50.0;
  const guint n = G_N_ELEMENTS (dose_ctdi);

  memset (rgb, 0, (gsize) size * size * 3);
  if (!canvas_init (&canvas, rgb, size, size, error))
    return FALSE;
  cr = canvas.cr;

  /* Background and title bar */
  cairo_set_source_rgb (cr, 0.09, 0.10, 0.12);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0.16, 0.27, 0.45);
  cairo_rectangle (cr, 0, 0, size, 44);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  canvas_text (&canvas, "Dose Report", 16, 10, 20, TRUE, ALIGN_LEFT);
  canvas_text (&canvas, "Exam " LACUNA_SAMPLE_CT_ACCESSION, size - 16.0, 13, 15, FALSE,
               ALIGN_RIGHT);

  /* Header lines (identifying, as on real dose screens) */
  cairo_set_source_rgb (cr, 0.92, 0.92, 0.92);
  canvas_text (&canvas, "Patient ID: " LACUNA_SAMPLE_PATIENT_ID, 16, 58, 15, FALSE, ALIGN_LEFT);
  canvas_text (&canvas, "17/09/2024 10:15", size - 16.0, 58, 15, FALSE, ALIGN_RIGHT);

  /* The dose table */
  cairo_set_source_rgb (cr, 0.7, 0.75, 0.8);
  canvas_text (&canvas, "Series", 16, 96, 14, TRUE, ALIGN_LEFT);
  canvas_text (&canvas, "Type", 86, 96, 14, TRUE, ALIGN_LEFT);
  canvas_text (&canvas, "Scan range (mm)", 150, 96, 14, TRUE, ALIGN_LEFT);
  canvas_text (&canvas, "CTDIvol", 400, 96, 14, TRUE, ALIGN_RIGHT);
  canvas_text (&canvas, "DLP", size - 16.0, 96, 14, TRUE, ALIGN_RIGHT);
  cairo_set_source_rgb (cr, 0.35, 0.38, 0.42);
  cairo_rectangle (cr, 16, 118, size - 32.0, 1);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 0.95, 0.95, 0.95);
  canvas_text (&canvas, "1", 16, 126, 14, FALSE, ALIGN_LEFT);
  canvas_text (&canvas, "Scout", 86, 126, 14, FALSE, ALIGN_LEFT);
  canvas_text (&canvas, "S0 - I320", 150, 126, 14, FALSE, ALIGN_LEFT);
  canvas_text (&canvas, "0.21", 400, 126, 14, FALSE, ALIGN_RIGHT);
  canvas_text (&canvas, "6.4", size - 16.0, 126, 14, FALSE, ALIGN_RIGHT);
  canvas_text (&canvas, "2", 16, 148, 14, FALSE, ALIGN_LEFT);
  canvas_text (&canvas, "Helical", 86, 148, 14, FALSE, ALIGN_LEFT);
  canvas_text (&canvas, "S0 - I320", 150, 148, 14, FALSE, ALIGN_LEFT);
  canvas_text (&canvas, "32.4", 400, 148, 14, FALSE, ALIGN_RIGHT);
  canvas_text (&canvas, "1036.8", size - 16.0, 148, 14, FALSE, ALIGN_RIGHT);
  cairo_set_source_rgb (cr, 0.35, 0.38, 0.42);
  cairo_rectangle (cr, 16, 172, size - 32.0, 1);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  canvas_text (&canvas, "Total exam DLP (mGy·cm)", 16, 180, 14, TRUE, ALIGN_LEFT);
  canvas_text (&canvas, "1043.2", size - 16.0, 180, 14, TRUE, ALIGN_RIGHT);

  /* The chart: CTDIvol along the scan */
  cairo_set_source_rgb (cr, 0.7, 0.75, 0.8);
  canvas_text (&canvas, "CTDIvol along the scan (mGy)", cx - 44, cy - ch - 40, 14, TRUE,
               ALIGN_LEFT);
  cairo_set_line_width (cr, 1.0);
  cairo_set_source_rgb (cr, 0.3, 0.32, 0.36);
  for (int k = 0; k <= 5; k++)
    {
      double y = cy - ch * k / 5.0;
      g_autofree char *label = g_strdup_printf ("%d", k * 10);

      cairo_move_to (cr, cx, round (y) + 0.5);
      cairo_line_to (cr, cx + cw, round (y) + 0.5);
      cairo_stroke (cr);
      canvas_text (&canvas, label, cx - 8, y - 8, 12, FALSE, ALIGN_RIGHT);
    }
  for (guint k = 0; k < n; k++)
    {
      double bw = cw / n;
      double h = ch * dose_ctdi[k] / max_ctdi;

      cairo_set_source_rgb (cr, 0.30, 0.55, 0.85);
      cairo_rectangle (cr, round (cx + k * bw + 3), round (cy - h), round (bw - 6), round (h));
      cairo_fill (cr);
    }
  cairo_set_source_rgb (cr, 0.95, 0.65, 0.2);
  cairo_set_line_width (cr, 2.0);
  for (guint k = 0; k < n; k++)
    {
      double bw = cw / n;
      double x = cx + (k + 0.5) * bw;
      double y = cy - ch * dose_ctdi[k] / max_ctdi;

      if (k == 0)
        cairo_move_to (cr, x, y);
      else
        cairo_line_to (cr, x, y);
    }
  cairo_stroke (cr);
  cairo_set_source_rgb (cr, 0.7, 0.75, 0.8);
  canvas_text (&canvas, "head", cx, cy + 8, 12, FALSE, ALIGN_LEFT);
  canvas_text (&canvas, "neck", cx + cw / 2, cy + 8, 12, FALSE, ALIGN_CENTER);
  canvas_text (&canvas, "chest", cx + cw, cy + 8, 12, FALSE, ALIGN_RIGHT);

  cairo_set_source_rgb (cr, 0.55, 0.58, 0.62);
  canvas_text (&canvas, "Lacuna sample: invented patient, not a real exam.", size / 2.0,
               size - 26.0, 12, FALSE, ALIGN_CENTER);

  canvas_finish (&canvas, rgb, size, size);
  return TRUE;
}
