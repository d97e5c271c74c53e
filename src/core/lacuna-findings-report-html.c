/* lacuna-findings-report-html.c: the findings report as one self-contained HTML page.
 *
 * Inline CSS (light and dark by prefers-color-scheme, a print style that starts each part
 * on a new page), images as PNG data: URIs, every text escaped, no script, no external
 * resource.
 */
#define G_LOG_DOMAIN "lacuna-findings-report"

#include "config.h"

#include <glib/gi18n.h>

#include "lacuna-findings-report-private.h"

static const char css[] =
  ":root{color-scheme:light dark;--fg:#1d1d1f;--bg:#ffffff;--muted:#5e5e66;--rule:#d0d0d7;"
  "--head:#f2f2f5;--stated:#1c62b9;--measured:#26734d;--detected:#9a5b00;"
  "--literature:#7a3d9c;--badge-fg:#ffffff}\n"
  "@media (prefers-color-scheme:dark){:root{--fg:#e8e8ec;--bg:#1e1e22;--muted:#a8a8b3;"
  "--rule:#45454d;--head:#2a2a30;--stated:#78aeff;--measured:#6fcf97;--detected:#f0b45a;"
  "--literature:#d3a1f0;--badge-fg:#111114}}\n"
  "body{font-family:Cantarell,'Noto Sans','DejaVu Sans',sans-serif;color:var(--fg);"
  "background:var(--bg);max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45}\n"
  "h4{font-size:1rem;margin:1rem 0 .2rem}h1{font-size:1.7rem;margin-bottom:.2rem}"
  "h2{font-size:1.4rem;border-bottom:2px solid "
  "var(--rule);padding-bottom:.2rem;margin-top:2.5rem}h3{font-size:1.1rem;margin-top:1.6rem}\n"
  ".subtitle,.note{color:var(--muted)}.note{font-size:.92rem}\n"
  "ul{padding-left:1.2rem}li{margin:.25rem 0}\n"
  ".badge{display:inline-block;font-size:.75rem;font-weight:bold;border-radius:.6rem;"
  "padding:0 .5rem;margin-right:.4rem;color:var(--badge-fg)}\n"
  ".stated{background:var(--stated)}.measured{background:var(--measured)}"
  ".detected{background:var(--detected)}.literature{background:var(--literature)}\n"
  "table{border-collapse:collapse;width:100%;font-size:.82rem;margin:.6rem 0 1rem}\n"
  "th,td{border:1px solid var(--rule);padding:.25rem .4rem;text-align:left;"
  "vertical-align:top;overflow-wrap:anywhere}\nth{background:var(--head)}\n"
  ".thumbs{display:flex;flex-wrap:wrap;gap:.8rem}.thumbs figure{margin:0;max-width:16rem}\n"
  ".thumbs img{max-width:16rem;max-height:16rem;border:1px solid var(--rule);"
  "background:#000}\n"
  ".thumbs figcaption{font-size:.75rem;color:var(--muted);overflow-wrap:anywhere}\n"
  "@media print{body{max-width:none;margin:0;color:#000;background:#fff}"
  "section.part+section.part{break-before:page}"
  "table{font-size:8pt}tr{break-inside:avoid}.badge{border:1px solid #000;color:#000;"
  "background:none}}\n";

static void
append_escaped (GString    *out,
                const char *text)
{
  g_autofree char *escaped = NULL;

  if (text == NULL)
    return;
  escaped = g_markup_escape_text (text, -1);
  g_string_append (out, escaped);
}

static cairo_status_t
append_png (void                *closure,
            const unsigned char *data,
            unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

static void
append_thumbnail (GString         *out,
                  ReportThumbnail *t)
{
  g_autoptr(GByteArray) png = g_byte_array_new ();
  g_autofree char *b64 = NULL;

  if (cairo_surface_write_to_png_stream (t->surface, append_png, png) != CAIRO_STATUS_SUCCESS)
    return;
  b64 = g_base64_encode (png->data, png->len);
  g_string_append (out, "<figure><img alt=\"");
  append_escaped (out, t->caption);
  g_string_append_printf (out, "\" width=\"%d\" height=\"%d\" src=\"data:image/png;base64,%s\">"
                          "<figcaption>", cairo_image_surface_get_width (t->surface),
                          cairo_image_surface_get_height (t->surface), b64);
  append_escaped (out, t->caption);
  g_string_append (out, "</figcaption></figure>\n");
}

char *
_lacuna_report_doc_to_html (ReportDoc *doc)
{
  GString *out = g_string_new ("<!DOCTYPE html>\n");
  gboolean in_list = FALSE;
  gboolean in_part = FALSE;

  /* TRANSLATORS: the language code of the findings report's HTML */
  g_string_append_printf (out, "<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n",
                          C_("html-lang", "en"));
  g_string_append (out, "<meta name=\"viewport\" content=\"width=device-width, "
                        "initial-scale=1\">\n<meta name=\"referrer\" content=\"no-referrer\">\n"
                        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
                        "'none'; img-src data:; style-src 'unsafe-inline'\">\n<title>");
  append_escaped (out, doc->title);
  g_string_append_printf (out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header><h1>",
                          css);
  append_escaped (out, doc->title);
  g_string_append (out, "</h1>\n<p class=\"subtitle\">");
  append_escaped (out, doc->subtitle);
  g_string_append (out, "</p></header>\n");

  for (guint i = 0; i < doc->blocks->len; i++)
    {
      ReportBlock *b = g_ptr_array_index (doc->blocks, i);

      if (in_list && b->type != REPORT_BLOCK_BULLET)
        {
          g_string_append (out, "</ul>\n");
          in_list = FALSE;
        }
      switch (b->type)
        {
        case REPORT_BLOCK_TITLE:
          g_string_append (out, "<h1>");
          append_escaped (out, b->text);
          g_string_append (out, "</h1>\n");
          break;

        case REPORT_BLOCK_PART:
          if (in_part)
            g_string_append (out, "</section>\n");
          in_part = TRUE;
          g_string_append (out, "<section class=\"part\"");
          if (b->anchor != NULL)
            {
              g_string_append (out, " id=\"");
              append_escaped (out, b->anchor);
              g_string_append (out, "\"");
            }
          g_string_append (out, ">\n<h2>");
          append_escaped (out, b->text);
          g_string_append (out, "</h2>\n");
          break;

        case REPORT_BLOCK_HEADING:
          g_string_append (out, "<h3");
          if (b->anchor != NULL)
            {
              g_string_append (out, " id=\"");
              append_escaped (out, b->anchor);
              g_string_append (out, "\"");
            }
          g_string_append (out, ">");
          append_escaped (out, b->text);
          g_string_append (out, "</h3>\n");
          break;

        case REPORT_BLOCK_SUBHEADING:
          g_string_append (out, "<h4>");
          append_escaped (out, b->text);
          g_string_append (out, "</h4>\n");
          break;

        case REPORT_BLOCK_PARAGRAPH:
        case REPORT_BLOCK_NOTE:
          g_string_append (out, b->type == REPORT_BLOCK_NOTE ? "<p class=\"note\">" : "<p>");
          append_escaped (out, b->text);
          g_string_append (out, "</p>\n");
          break;

        case REPORT_BLOCK_BULLET:
          if (!in_list)
            g_string_append (out, "<ul>\n");
          in_list = TRUE;
          g_string_append (out, "<li>");
          if (b->tag != NULL)
            {
              g_string_append (out, "<span class=\"badge ");
              append_escaped (out, b->tag);
              g_string_append (out, "\">");
              append_escaped (out, b->badge);
              g_string_append (out, "</span>");
            }
          append_escaped (out, b->text);
          g_string_append (out, "</li>\n");
          break;

        case REPORT_BLOCK_TABLE:
          g_string_append (out, "<table>\n<thead><tr>");
          for (guint j = 0; j < b->header->len; j++)
            {
              g_string_append (out, "<th scope=\"col\">");
              append_escaped (out, g_ptr_array_index (b->header, j));
              g_string_append (out, "</th>");
            }
          g_string_append (out, "</tr></thead>\n<tbody>\n");
          for (guint j = 0; j < b->rows->len; j++)
            {
              char **row = g_ptr_array_index (b->rows, j);

              g_string_append (out, "<tr>");
              for (guint k = 0; row[k] != NULL; k++)
                {
                  g_string_append (out, "<td>");
                  append_escaped (out, row[k]);
                  g_string_append (out, "</td>");
                }
              g_string_append (out, "</tr>\n");
            }
          g_string_append (out, "</tbody></table>\n");
          break;

        case REPORT_BLOCK_THUMBNAILS:
          g_string_append (out, "<div class=\"thumbs\">\n");
          for (guint j = 0; j < b->thumbnails->len; j++)
            append_thumbnail (out, g_ptr_array_index (b->thumbnails, j));
          g_string_append (out, "</div>\n");
          break;

        default:
          g_assert_not_reached ();
        }
    }
  if (in_list)
    g_string_append (out, "</ul>\n");
  if (in_part)
    g_string_append (out, "</section>\n");
  g_string_append (out, "</body>\n</html>\n");
  return g_string_free (out, FALSE);
}
