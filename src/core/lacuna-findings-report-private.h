/* lacuna-findings-report-private.h: the findings report as a list of blocks, rendered to
 * HTML (lacuna-findings-report.c) and to PDF (lacuna-findings-report-pdf.c) from the same
 * content, so both files hold the same sections. Every text is plain UTF-8 (escaped by the
 * renderer). */
#pragma once

#include <cairo.h>
#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  REPORT_BLOCK_TITLE,       /* the document's title */
  REPORT_BLOCK_PART,        /* a part for one reader: starts a new page */
  REPORT_BLOCK_HEADING,     /* a section */
  REPORT_BLOCK_SUBHEADING,  /* a group inside a section */
  REPORT_BLOCK_PARAGRAPH,
  REPORT_BLOCK_NOTE,        /* a quieter paragraph (caveats, how to read) */
  REPORT_BLOCK_BULLET,      /* one list item; tag (nullable): an evidence badge word */
  REPORT_BLOCK_TABLE,
  REPORT_BLOCK_THUMBNAILS,
} ReportBlockType;

typedef struct
{
  cairo_surface_t *surface;  /* RGB24 */
  char            *caption;
} ReportThumbnail;

typedef struct
{
  ReportBlockType  type;
  char            *text;
  char            *tag;        /* bullets: "stated", "measured", "detected", "literature" */
  char            *badge;      /* bullets: the translated badge label */
  char            *anchor;     /* parts and headings: an HTML id */
  guint            n_columns;  /* tables */
  const double    *widths;     /* tables: relative column widths (static), n_columns */
  GPtrArray       *header;     /* tables: char * */
  GPtrArray       *rows;       /* tables: GStrv of n_columns */
  GPtrArray       *thumbnails; /* ReportThumbnail * */
} ReportBlock;

typedef struct
{
  char      *title;
  char      *subtitle;
  GPtrArray *blocks;   /* ReportBlock * */
} ReportDoc;

void     _lacuna_report_doc_free    (ReportDoc   *doc);
/* All the text of the document, one block a line (for the residual check of the PDF). */
char    *_lacuna_report_doc_to_text (ReportDoc   *doc);
char    *_lacuna_report_doc_to_html (ReportDoc   *doc);
/* The PDF bytes (A4, page numbers). */
GBytes  *_lacuna_report_doc_to_pdf  (ReportDoc   *doc,
                                     GError     **error);

G_END_DECLS
