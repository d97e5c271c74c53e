/* lacuna-findings-report-pdf.c: the findings report as a PDF (cairo + pango, A4).
 *
 * Laid out twice: the first pass (into a PDF surface that writes nowhere) counts the pages
 * for "page N of M"; the second writes. Parts start on a new page; table rows never split
 * (the header is repeated on the next page); long paragraphs split between lines. Fonts come
 * from the system through pango/fontconfig. An outline (bookmarks) names parts and sections.
 */
#define G_LOG_DOMAIN "lacuna-findings-report"

#include "config.h"

#include <cairo-pdf.h>
#include <gio/gio.h>
#include <glib/gi18n.h>
#include <pango/pangocairo.h>

#include "lacuna-findings-report-private.h"

#define PAGE_W      595.276   /* A4, points */
#define PAGE_H      841.890
#define MARGIN      50.0
#define FOOTER      24.0
#define CONTENT_W   (PAGE_W - 2 * MARGIN)
#define BOTTOM      (PAGE_H - MARGIN - FOOTER)
#define CELL_PAD    3.0
#define THUMB_COLS  3
#define THUMB_GAP   12.0
#define THUMB_MAX_H 170.0

#define FONT_BODY   "Sans 9.5"
#define FONT_NOTE   "Sans Italic 8.5"
#define FONT_TABLE  "Sans 7"
#define FONT_TH     "Sans Bold 7"
#define FONT_H4     "Sans Bold 10"
#define FONT_H3     "Sans Bold 12"
#define FONT_H2     "Sans Bold 17"
#define FONT_TITLE  "Sans Bold 20"
#define FONT_FOOT   "Sans 7.5"

typedef struct
{
  cairo_surface_t *surface;
  cairo_t         *cr;
  const char      *title;
  double           y;
  int              page;       /* current, 1-based; 0 before the first */
  int              n_pages;    /* from the first pass; 0 during it */
  gboolean         outline;
  int              part_outline;
} Pdf;

static PangoLayout *
make_layout (Pdf        *pdf,
             const char *font,
             double      width,
             const char *text,
             gboolean    markup)
{
  PangoLayout *layout = pango_cairo_create_layout (pdf->cr);
  PangoFontDescription *desc = pango_font_description_from_string (font);
  cairo_font_options_t *options = cairo_font_options_create ();

  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options (pango_layout_get_context (layout), options);
  pango_layout_context_changed (layout);
  cairo_font_options_destroy (options);

  pango_layout_set_font_description (layout, desc);
  pango_font_description_free (desc);
  pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  if (markup)
    pango_layout_set_markup (layout, text != NULL ? text : "", -1);
  else
    pango_layout_set_text (layout, text != NULL ? text : "", -1);
  return layout;
}

static double
layout_height (PangoLayout *layout)
{
  int w, h;

  pango_layout_get_size (layout, &w, &h);
  return (double) h / PANGO_SCALE;
}

static void
draw_footer (Pdf *pdf)
{
  g_autofree char *text = NULL;
  PangoLayout *layout;

  if (pdf->n_pages > 0)
    text = g_strdup_printf (_("Page %d of %d"), pdf->page, pdf->n_pages);
  else
    text = g_strdup_printf (_("Page %d of %d"), pdf->page, 999);
  layout = make_layout (pdf, FONT_FOOT, CONTENT_W, text, FALSE);
  pango_layout_set_alignment (layout, PANGO_ALIGN_RIGHT);
  cairo_set_source_rgb (pdf->cr, 0.4, 0.4, 0.45);
  cairo_move_to (pdf->cr, MARGIN, PAGE_H - MARGIN);
  pango_cairo_show_layout (pdf->cr, layout);
  g_object_unref (layout);

  layout = make_layout (pdf, FONT_FOOT, CONTENT_W * 0.7, pdf->title, FALSE);
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  cairo_move_to (pdf->cr, MARGIN, PAGE_H - MARGIN);
  pango_cairo_show_layout (pdf->cr, layout);
  g_object_unref (layout);
  cairo_set_source_rgb (pdf->cr, 0, 0, 0);
}

static void
new_page (Pdf *pdf)
{
  if (pdf->page > 0)
    {
      draw_footer (pdf);
      cairo_show_page (pdf->cr);
    }
  pdf->page++;
  pdf->y = MARGIN;
}

/* Starts a new page unless height fits below y (or y is at the top already). */
static void
ensure (Pdf    *pdf,
        double  height)
{
  if (pdf->y + height > BOTTOM && pdf->y > MARGIN + 0.5)
    new_page (pdf);
}

/* Draws a layout at x, splitting it between lines across pages. */
static void
draw_flow (Pdf         *pdf,
           PangoLayout *layout,
           double       x)
{
  PangoLayoutIter *iter;
  double top = 0.0;   /* layout y (points) that sits at pdf->y */

  if (layout_height (layout) <= BOTTOM - pdf->y)
    {
      cairo_move_to (pdf->cr, x, pdf->y);
      pango_cairo_show_layout (pdf->cr, layout);
      pdf->y += layout_height (layout);
      return;
    }
  iter = pango_layout_get_iter (layout);
  do
    {
      PangoRectangle logical;
      int baseline = pango_layout_iter_get_baseline (iter);
      double line_top, line_bottom;

      pango_layout_iter_get_line_extents (iter, NULL, &logical);
      line_top = (double) logical.y / PANGO_SCALE;
      line_bottom = (double) (logical.y + logical.height) / PANGO_SCALE;
      if (pdf->y + (line_bottom - top) > BOTTOM && line_top > top)
        {
          new_page (pdf);
          top = line_top;
        }
      cairo_move_to (pdf->cr, x + (double) logical.x / PANGO_SCALE,
                     pdf->y + ((double) baseline / PANGO_SCALE - top));
      pango_cairo_show_layout_line (pdf->cr, pango_layout_iter_get_line_readonly (iter));
    }
  while (pango_layout_iter_next_line (iter));
  {
    PangoRectangle logical;

    pango_layout_iter_get_line_extents (iter, NULL, &logical);
    pdf->y += (double) (logical.y + logical.height) / PANGO_SCALE - top;
  }
  pango_layout_iter_free (iter);
}

static void
add_outline (Pdf        *pdf,
             gboolean    part,
             const char *text)
{
  g_autofree char *link = NULL;
  int id;

  if (!pdf->outline || text == NULL)
    return;
  link = g_strdup_printf ("page=%d pos=[%d %d]", pdf->page, (int) MARGIN, (int) pdf->y);
  id = cairo_pdf_surface_add_outline (pdf->surface,
                                      part ? CAIRO_PDF_OUTLINE_ROOT : pdf->part_outline,
                                      text, link,
                                      part ? CAIRO_PDF_OUTLINE_FLAG_OPEN : 0);
  if (part)
    pdf->part_outline = id;
}

static void
heading (Pdf        *pdf,
         const char *font,
         const char *text,
         double      before,
         double      after)
{
  PangoLayout *layout = make_layout (pdf, font, CONTENT_W, text, FALSE);
  double h = layout_height (layout);

  if (pdf->y > MARGIN + 0.5)
    pdf->y += before;
  ensure (pdf, h + 40.0);   /* keep a heading with what follows */
  cairo_move_to (pdf->cr, MARGIN, pdf->y);
  pango_cairo_show_layout (pdf->cr, layout);
  pdf->y += h + after;
  g_object_unref (layout);
}

static const char *
tag_colour (const char *tag)
{
  if (g_strcmp0 (tag, "stated") == 0)
    return "#1c62b9";
  if (g_strcmp0 (tag, "measured") == 0)
    return "#26734d";
  if (g_strcmp0 (tag, "detected") == 0)
    return "#9a5b00";
  return "#7a3d9c";
}

static void
bullet (Pdf         *pdf,
        ReportBlock *b)
{
  g_autofree char *markup = NULL;
  PangoLayout *dot, *layout;

  if (b->tag != NULL)
    markup = g_markup_printf_escaped ("<span foreground=\"%s\" weight=\"bold\">[%s]</span> %s",
                                      tag_colour (b->tag), b->badge, b->text);
  else
    markup = g_markup_escape_text (b->text, -1);
  layout = make_layout (pdf, FONT_BODY, CONTENT_W - 14.0, markup, TRUE);
  dot = make_layout (pdf, FONT_BODY, 12.0, "•", FALSE);
  ensure (pdf, MIN (layout_height (layout), 30.0));
  cairo_move_to (pdf->cr, MARGIN + 2.0, pdf->y);
  pango_cairo_show_layout (pdf->cr, dot);
  draw_flow (pdf, layout, MARGIN + 14.0);
  pdf->y += 3.0;
  g_object_unref (dot);
  g_object_unref (layout);
}

static void
paragraph (Pdf        *pdf,
           const char *font,
           const char *text,
           double      grey)
{
  PangoLayout *layout = make_layout (pdf, font, CONTENT_W, text, FALSE);

  ensure (pdf, MIN (layout_height (layout), 24.0));
  cairo_set_source_rgb (pdf->cr, grey, grey, grey);
  draw_flow (pdf, layout, MARGIN);
  cairo_set_source_rgb (pdf->cr, 0, 0, 0);
  pdf->y += 6.0;
  g_object_unref (layout);
}

/* One table row; returns its height (drawn only when draw). */
static double
table_row (Pdf          *pdf,
           ReportBlock  *b,
           const double *x,
           const double *w,
           char        **cells,
           gboolean      header,
           gboolean      draw)
{
  PangoLayout *layouts[32] = { NULL };
  guint n = MIN (b->n_columns, G_N_ELEMENTS (layouts));
  double h = 0.0;

  for (guint i = 0; i < n; i++)
    {
      layouts[i] = make_layout (pdf, header ? FONT_TH : FONT_TABLE, w[i] - 2 * CELL_PAD,
                                cells[i], FALSE);
      h = MAX (h, layout_height (layouts[i]));
    }
  h += 2 * CELL_PAD;
  if (draw)
    {
      if (header)
        {
          cairo_set_source_rgb (pdf->cr, 0.92, 0.92, 0.94);
          cairo_rectangle (pdf->cr, x[0], pdf->y, CONTENT_W, h);
          cairo_fill (pdf->cr);
        }
      cairo_set_source_rgb (pdf->cr, 0.7, 0.7, 0.74);
      cairo_set_line_width (pdf->cr, 0.5);
      for (guint i = 0; i < n; i++)
        {
          cairo_rectangle (pdf->cr, x[i], pdf->y, w[i], h);
          cairo_stroke (pdf->cr);
        }
      cairo_set_source_rgb (pdf->cr, 0, 0, 0);
      for (guint i = 0; i < n; i++)
        {
          cairo_move_to (pdf->cr, x[i] + CELL_PAD, pdf->y + CELL_PAD);
          pango_cairo_show_layout (pdf->cr, layouts[i]);
        }
    }
  for (guint i = 0; i < n; i++)
    g_object_unref (layouts[i]);
  return h;
}

static void
table (Pdf         *pdf,
       ReportBlock *b)
{
  double x[32], w[32], total = 0.0, acc = MARGIN;
  guint n = MIN (b->n_columns, G_N_ELEMENTS (x));
  char **header = (char **) b->header->pdata;
  double header_h;

  for (guint i = 0; i < n; i++)
    total += b->widths != NULL ? b->widths[i] : 1.0;
  for (guint i = 0; i < n; i++)
    {
      w[i] = CONTENT_W * (b->widths != NULL ? b->widths[i] : 1.0) / total;
      x[i] = acc;
      acc += w[i];
    }
  header_h = table_row (pdf, b, x, w, header, TRUE, FALSE);
  ensure (pdf, header_h + (b->rows->len > 0 ? 2 * header_h : 0));
  pdf->y += table_row (pdf, b, x, w, header, TRUE, TRUE);
  for (guint r = 0; r < b->rows->len; r++)
    {
      char **row = g_ptr_array_index (b->rows, r);
      double h = table_row (pdf, b, x, w, row, FALSE, FALSE);

      if (pdf->y + h > BOTTOM)
        {
          new_page (pdf);
          pdf->y += table_row (pdf, b, x, w, header, TRUE, TRUE);
        }
      pdf->y += table_row (pdf, b, x, w, row, FALSE, TRUE);
    }
  pdf->y += 8.0;
}

static void
thumbnails (Pdf         *pdf,
            ReportBlock *b)
{
  double cell_w = (CONTENT_W - (THUMB_COLS - 1) * THUMB_GAP) / THUMB_COLS;

  for (guint start = 0; start < b->thumbnails->len; start += THUMB_COLS)
    {
      double row_h = 0.0;
      double sizes[THUMB_COLS][3];   /* scale, image height, caption height */

      for (guint k = 0; k < THUMB_COLS && start + k < b->thumbnails->len; k++)
        {
          ReportThumbnail *t = g_ptr_array_index (b->thumbnails, start + k);
          double iw = cairo_image_surface_get_width (t->surface);
          double ih = cairo_image_surface_get_height (t->surface);
          double scale = MIN (cell_w / iw, THUMB_MAX_H / ih);
          PangoLayout *caption = make_layout (pdf, FONT_TABLE, cell_w, t->caption, FALSE);

          sizes[k][0] = scale;
          sizes[k][1] = ih * scale;
          sizes[k][2] = layout_height (caption);
          row_h = MAX (row_h, sizes[k][1] + 3.0 + sizes[k][2]);
          g_object_unref (caption);
        }
      ensure (pdf, row_h);
      for (guint k = 0; k < THUMB_COLS && start + k < b->thumbnails->len; k++)
        {
          ReportThumbnail *t = g_ptr_array_index (b->thumbnails, start + k);
          double cx = MARGIN + k * (cell_w + THUMB_GAP);
          PangoLayout *caption = make_layout (pdf, FONT_TABLE, cell_w, t->caption, FALSE);

          cairo_save (pdf->cr);
          cairo_translate (pdf->cr, cx, pdf->y);
          cairo_scale (pdf->cr, sizes[k][0], sizes[k][0]);
          cairo_set_source_surface (pdf->cr, t->surface, 0, 0);
          cairo_paint (pdf->cr);
          cairo_restore (pdf->cr);
          cairo_move_to (pdf->cr, cx, pdf->y + sizes[k][1] + 3.0);
          cairo_set_source_rgb (pdf->cr, 0.35, 0.35, 0.4);
          pango_cairo_show_layout (pdf->cr, caption);
          cairo_set_source_rgb (pdf->cr, 0, 0, 0);
          g_object_unref (caption);
        }
      pdf->y += row_h + THUMB_GAP;
    }
}

static void
lay_out (Pdf       *pdf,
         ReportDoc *doc)
{
  gboolean first_part = TRUE;

  new_page (pdf);
  heading (pdf, FONT_TITLE, doc->title, 0.0, 4.0);
  if (doc->subtitle != NULL)
    paragraph (pdf, FONT_NOTE, doc->subtitle, 0.35);

  for (guint i = 0; i < doc->blocks->len; i++)
    {
      ReportBlock *b = g_ptr_array_index (doc->blocks, i);

      switch (b->type)
        {
        case REPORT_BLOCK_TITLE:
          heading (pdf, FONT_TITLE, b->text, 12.0, 6.0);
          break;
        case REPORT_BLOCK_PART:
          if (!first_part)
            new_page (pdf);
          first_part = FALSE;
          add_outline (pdf, TRUE, b->text);
          heading (pdf, FONT_H2, b->text, 10.0, 8.0);
          break;
        case REPORT_BLOCK_HEADING:
          heading (pdf, FONT_H3, b->text, 10.0, 5.0);
          add_outline (pdf, FALSE, b->text);
          break;
        case REPORT_BLOCK_SUBHEADING:
          heading (pdf, FONT_H4, b->text, 4.0, 3.0);
          break;
        case REPORT_BLOCK_PARAGRAPH:
          paragraph (pdf, FONT_BODY, b->text, 0.0);
          break;
        case REPORT_BLOCK_NOTE:
          paragraph (pdf, FONT_NOTE, b->text, 0.35);
          break;
        case REPORT_BLOCK_BULLET:
          bullet (pdf, b);
          break;
        case REPORT_BLOCK_TABLE:
          table (pdf, b);
          break;
        case REPORT_BLOCK_THUMBNAILS:
          thumbnails (pdf, b);
          break;
        default:
          g_assert_not_reached ();
        }
    }
  draw_footer (pdf);
  cairo_show_page (pdf->cr);
}

static cairo_status_t
append_bytes (void                *closure,
              const unsigned char *data,
              unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

static gboolean
run_pass (ReportDoc   *doc,
          GByteArray  *out,
          int          n_pages,
          int         *out_n_pages,
          GError     **error)
{
  Pdf pdf = { 0 };
  cairo_status_t status;

  pdf.surface = cairo_pdf_surface_create_for_stream (out != NULL ? append_bytes : NULL, out,
                                                     PAGE_W, PAGE_H);
  pdf.cr = cairo_create (pdf.surface);
  pdf.title = doc->title;
  pdf.n_pages = n_pages;
  pdf.outline = out != NULL;
  pdf.part_outline = CAIRO_PDF_OUTLINE_ROOT;
  if (out != NULL)
    {
      cairo_pdf_surface_set_metadata (pdf.surface, CAIRO_PDF_METADATA_TITLE, doc->title);
      cairo_pdf_surface_set_metadata (pdf.surface, CAIRO_PDF_METADATA_CREATOR, "Lacuna");
    }
  lay_out (&pdf, doc);
  cairo_destroy (pdf.cr);
  cairo_surface_finish (pdf.surface);
  status = cairo_surface_status (pdf.surface);
  cairo_surface_destroy (pdf.surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("The PDF could not be drawn: %s"), cairo_status_to_string (status));
      return FALSE;
    }
  *out_n_pages = pdf.page;
  return TRUE;
}

GBytes *
_lacuna_report_doc_to_pdf (ReportDoc  *doc,
                           GError    **error)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  int n_pages = 0, n_written = 0;

  if (!run_pass (doc, NULL, 0, &n_pages, error))
    return NULL;
  if (!run_pass (doc, out, n_pages, &n_written, error))
    return NULL;
  if (n_pages != n_written)
    g_debug ("PDF: %d pages counted, %d written", n_pages, n_written);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}
