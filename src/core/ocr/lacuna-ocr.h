/* lacuna-ocr.h: reading one line of burned-in text with Tesseract (its C API).
 *
 * The only place that talks to Tesseract. One handle per thread, initialised on the first
 * line that thread reads (English, the packaged tessdata), never shared between threads;
 * when a thread ends its handle is kept for the next thread. A line is read from a
 * rectangle of an 8-bit grey buffer: the rectangle is cropped with a margin, stretched
 * to full contrast, made dark-on-light, scaled so that the text is about 40 px high and
 * read with PSM_SINGLE_LINE. Words come back with their boxes in the buffer's coordinates
 * and Tesseract's confidence (0–100), which callers must never use to drop text: a
 * patient name written "DOE^JANE" is read at confidence 0.
 *
 * The words read are patient data: callers keep them out of logs and error messages.
 *
 * libtesseract is not linked but loaded on first use (dlopen: lacuna_ocr_is_available() or
 * the first line read), so that programs that never read text do not load it;
 * $LACUNA_TESSERACT_LIBRARY names another file to load instead.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  char  *text;         /* UTF-8, as read */
  float  confidence;   /* 0–100 */
  int    box[4];       /* x, y, width, height in the buffer */
} LacunaOcrWord;

void       lacuna_ocr_word_free      (LacunaOcrWord *word);

/* One line read by lacuna_ocr_read_lines(). */
typedef struct
{
  char      *text;     /* the words read, separated by one space; "" when none */
  GPtrArray *words;    /* LacunaOcrWord*, boxes in the buffer's coordinates */
} LacunaOcrLine;

void       lacuna_ocr_line_free      (LacunaOcrLine *line);

/* TRUE when Tesseract's English data is installed where it will be loaded from
 * ($TESSDATA_PREFIX, else the packaged tessdata directories) and the library loads, checked
 * once per process without initialising Tesseract; FALSE once an initialisation has failed.
 * Cheap after the first call (which loads libtesseract) and thread-safe. When the data
 * turns out unusable, the reading functions below return G_IO_ERROR_NOT_SUPPORTED. */
gboolean   lacuna_ocr_is_available   (GError       **error);

/* Reads the text in box (x, y, width, height; clipped to the buffer) of grey (width ×
 * height bytes, rows stride apart; light text on a dark background is expected, either
 * polarity works). Returns the words (LacunaOcrWord*, owned), possibly none, or NULL +
 * error when Tesseract cannot be initialised. out_text (may be NULL) receives the whole
 * line as read, without the trailing newline. Thread-safe: each thread has its handle. */
GPtrArray *lacuna_ocr_read_line      (const guint8  *grey,
                                      guint          width,
                                      guint          height,
                                      gsize          stride,
                                      const int      box[4],
                                      char         **out_text,
                                      GError       **error);

/* Reads n_boxes lines at once (boxes: n_boxes × {x, y, width, height}), each prepared as
 * above, in as few Tesseract calls as possible (lines stacked into one image). Returns
 * one LacunaOcrLine* (owned) per box, in the order given, or NULL + error when Tesseract
 * cannot be initialised. A line comes back as it would from lacuna_ocr_read_line(): an
 * empty or unreadable one has no words, never an error. */
GPtrArray *lacuna_ocr_read_lines     (const guint8  *grey,
                                      guint          width,
                                      guint          height,
                                      gsize          stride,
                                      const int     *boxes,
                                      guint          n_boxes,
                                      GError       **error);

/* Number of lines read so far by this process (for benchmarks and tests of the cache). */
guint      lacuna_ocr_get_n_reads    (void);

/* Number of Tesseract handles initialised so far by this process (for benchmarks and
 * tests: a thread that starts after another ended reuses its handle). */
guint      lacuna_ocr_get_n_handles  (void);

G_END_DECLS
