/* lacuna-redact.c: filling boxes in the pixels, and choosing how the pixels are written.
 *
 * Every frame is decoded on its own into the new native Pixel Data (the old value stays
 * until the last frame is done), boxes are filled with black for the decoded colour model,
 * and the result is written in the input's syntax when a lossless encoder exists for it,
 * else as Explicit VR Little Endian. Lossy input never goes through a lossy encoder again.
 */
#define G_LOG_DOMAIN "lacuna-redact"

#include "config.h"

#include <string.h>

#include "lacuna-frame.h"
#include "lacuna-redact.h"

#define UID_IMPLICIT_LE   "1.2.840.10008.1.2"
#define UID_EXPLICIT_LE   "1.2.840.10008.1.2.1"
#define UID_DEFLATED_LE   "1.2.840.10008.1.2.1.99"
#define UID_EXPLICIT_BE   "1.2.840.10008.1.2.2"
#define UID_RLE           "1.2.840.10008.1.2.5"
#define UID_JPEG_14       "1.2.840.10008.1.2.4.57"
#define UID_JPEG_SV1      "1.2.840.10008.1.2.4.70"
#define UID_JPEG_LS       "1.2.840.10008.1.2.4.80"
#define UID_JPEG_LS_NEAR  "1.2.840.10008.1.2.4.81"
#define UID_J2K_LOSSLESS  "1.2.840.10008.1.2.4.90"
#define UID_HTJ2K         "1.2.840.10008.1.2.4.203"

typedef struct
{
  const char *uid;
  const char *name;        /* for notes */
  const char *target;      /* where redacted pixels go; NULL: Explicit VR Little Endian */
  gboolean    lossy;       /* the syntax may have lost information */
  gboolean    writable;    /* the shim saves it as it is */
  const char *method;      /* Lossy Image Compression Method of a lossy syntax */
} Syntax;

static const Syntax syntaxes[] = {
  { UID_IMPLICIT_LE, "Implicit VR Little Endian", UID_IMPLICIT_LE, FALSE, TRUE, NULL },
  { UID_EXPLICIT_LE, "Explicit VR Little Endian", UID_EXPLICIT_LE, FALSE, TRUE, NULL },
  { UID_DEFLATED_LE, "Deflated Explicit VR Little Endian", UID_DEFLATED_LE, FALSE, TRUE, NULL },
  { UID_EXPLICIT_BE, "Explicit VR Big Endian", UID_EXPLICIT_BE, FALSE, TRUE, NULL },
  { UID_RLE, "RLE Lossless", UID_RLE, FALSE, TRUE, NULL },
  { UID_JPEG_14, "JPEG Lossless (Process 14)", UID_JPEG_SV1, FALSE, TRUE, NULL },
  { UID_JPEG_SV1, "JPEG Lossless SV1", UID_JPEG_SV1, FALSE, TRUE, NULL },
  { UID_JPEG_LS, "JPEG-LS Lossless", UID_JPEG_LS, FALSE, TRUE, NULL },
  { UID_J2K_LOSSLESS, "JPEG 2000 Lossless", UID_J2K_LOSSLESS, FALSE, TRUE, NULL },
  { "1.2.840.10008.1.2.4.92", "JPEG 2000 Part 2 Lossless", NULL, FALSE, TRUE, NULL },
  { "1.2.840.10008.1.2.4.201", "HTJ2K Lossless", NULL, FALSE, FALSE, NULL },
  { "1.2.840.10008.1.2.4.202", "HTJ2K Lossless RPCL", NULL, FALSE, FALSE, NULL },
  { "1.2.840.10008.1.2.8.1", "Deflated Image Frame Compression", NULL, FALSE, FALSE, NULL },
  { "1.2.840.10008.1.2.4.50", "JPEG Baseline", NULL, TRUE, TRUE, "ISO_10918_1" },
  { "1.2.840.10008.1.2.4.51", "JPEG Extended", NULL, TRUE, TRUE, "ISO_10918_1" },
  { "1.2.840.10008.1.2.4.53", "JPEG Spectral Selection", NULL, TRUE, TRUE, "ISO_10918_1" },
  { "1.2.840.10008.1.2.4.55", "JPEG Full Progression", NULL, TRUE, TRUE, "ISO_10918_1" },
  { UID_JPEG_LS_NEAR, "JPEG-LS Near-Lossless", NULL, TRUE, TRUE, "ISO_14495_1" },
  { "1.2.840.10008.1.2.4.91", "JPEG 2000", NULL, TRUE, TRUE, "ISO_15444_1" },
  { "1.2.840.10008.1.2.4.93", "JPEG 2000 Part 2", NULL, TRUE, TRUE, "ISO_15444_2" },
  { UID_HTJ2K, "HTJ2K", NULL, TRUE, FALSE, "ISO_15444_15" },
};

static const Syntax *
find_syntax (const char *uid)
{
  for (gsize i = 0; i < G_N_ELEMENTS (syntaxes); i++)
    if (strcmp (syntaxes[i].uid, uid) == 0)
      return &syntaxes[i];
  return NULL;
}

void
lacuna_redact_result_clear (LacunaRedactResult *result)
{
  if (result == NULL)
    return;
  g_clear_pointer (&result->applied, g_array_unref);
  g_clear_pointer (&result->notes, g_ptr_array_unref);
  result->transfer_syntax = NULL;
  result->pixels_rewritten = FALSE;
}

static void
add_note (LacunaRedactResult *result,
          const char         *format,
          ...) G_GNUC_PRINTF (2, 3);

static void
add_note (LacunaRedactResult *result,
          const char         *format,
          ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (result->notes, g_strdup_vprintf (format, args));
  va_end (args);
}

static char *
dup_trimmed (LacunaDicomFile *file,
             const char      *path)
{
  char *value = lacuna_dicom_file_dup_string (file, path, NULL);

  return value != NULL ? g_strstrip (value) : NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* Black                                                                                    */

static void
copy_element (LacunaDicomFile *from,
              LacunaDicomFile *to,
              const char      *path,
              const char      *vr)
{
  g_autoptr(GBytes) bytes = lacuna_dicom_file_dup_bytes (from, path, NULL);

  if (bytes != NULL)
    lacuna_dicom_file_set_bytes (to, path, vr, g_bytes_get_data (bytes, NULL),
                                 g_bytes_get_size (bytes), NULL);
}

/* Segmented palettes: let the display pipeline expand and render every index of the
 * palette once (a synthetic 256-column image), and take the darkest. */
static gboolean
palette_darkest_rendered (LacunaDicomFile  *file,
                          gint64           *out_index,
                          GError          **error)
{
  g_autoptr(LacunaDicomFile) probe = lacuna_dicom_file_new ();
  g_autoptr(LacunaFrame) frame = NULL;
  g_autofree guint16 *indices = NULL;
  g_autofree guint8 *rgb = NULL;
  g_autofree char *rows_text = NULL;
  double n_entries = 0, first = 0, bits = 0;
  guint n, rows;
  double best = G_MAXDOUBLE;

  if (!lacuna_dicom_file_get_number (file, "00281101", 0, &n_entries, NULL)
      || !lacuna_dicom_file_get_number (file, "00281101", 1, &first, NULL)
      || !lacuna_dicom_file_get_number (file, "00281101", 2, &bits, NULL))
    return FALSE;
  if (first >= 32768)
    first -= 65536;
  if (first < 0)
    return FALSE;
  n = n_entries == 0 ? 65536 : (guint) n_entries;
  rows = (n + 255) / 256;
  indices = g_new (guint16, (gsize) rows * 256);
  for (guint i = 0; i < rows * 256; i++)
    indices[i] = (guint16) MIN ((guint) first + MIN (i, n - 1), 65535);

  rows_text = g_strdup_printf ("%u", rows);
  if (!lacuna_dicom_file_set_string (probe, "00280002", "US", "1", error)
      || !lacuna_dicom_file_set_string (probe, "00280004", "CS", "PALETTE COLOR", error)
      || !lacuna_dicom_file_set_string (probe, "00280010", "US", rows_text, error)
      || !lacuna_dicom_file_set_string (probe, "00280011", "US", "256", error)
      || !lacuna_dicom_file_set_string (probe, "00280100", "US", "16", error)
      || !lacuna_dicom_file_set_string (probe, "00280101", "US", "16", error)
      || !lacuna_dicom_file_set_string (probe, "00280102", "US", "15", error)
      || !lacuna_dicom_file_set_string (probe, "00280103", "US", "0", error))
    return FALSE;
  for (guint c = 0; c < 3; c++)
    {
      g_autofree char *d = g_strdup_printf ("002811%02u", c + 1);
      g_autofree char *plain = g_strdup_printf ("002812%02u", c + 1);
      g_autofree char *segmented = g_strdup_printf ("002812%02x", 0x21 + c);
      double cn = 0, cf = 0, cb = 0;
      g_autofree char *cd = NULL;

      if (!lacuna_dicom_file_get_number (file, d, 0, &cn, NULL)
          || !lacuna_dicom_file_get_number (file, d, 1, &cf, NULL)
          || !lacuna_dicom_file_get_number (file, d, 2, &cb, NULL))
        return FALSE;
      cd = g_strdup_printf ("%u\\%u\\%u", (guint) cn, (guint) cf, (guint) cb);
      if (!lacuna_dicom_file_set_string (probe, d, "US", cd, error))
        return FALSE;
      copy_element (file, probe, plain, "OW");
      copy_element (file, probe, segmented, "OW");
    }
  if (!lacuna_dicom_file_set_pixel_data (probe, indices, (gsize) rows * 256 * 2, 16, error))
    return FALSE;
  frame = lacuna_frame_decode (probe, 0, error);
  if (frame == NULL)
    return FALSE;
  rgb = g_malloc ((gsize) rows * 256 * 3);
  lacuna_frame_render_rgb (frame, 0, 1, FALSE, rgb, 256 * 3);
  for (guint i = 0; i < n; i++)
    {
      double lum = 0.299 * rgb[i * 3] + 0.587 * rgb[i * 3 + 1] + 0.114 * rgb[i * 3 + 2];

      if (lum < best)
        {
          best = lum;
          *out_index = (gint64) first + i;
        }
    }
  return TRUE;
}

static gboolean
palette_darkest (LacunaDicomFile  *file,
                 gint64           *out_index,
                 GError          **error)
{
  static const char * const descriptors[] = { "00281101", "00281102", "00281103" };
  static const char * const data_paths[] = { "00281201", "00281202", "00281203" };
  GBytes *data[3] = { NULL, NULL, NULL };
  gboolean ok = FALSE;
  double n_entries = 0, first = 0;
  guint n;
  double best = G_MAXDOUBLE;
  guint best_i = 0;

  for (guint c = 0; c < 3; c++)
    {
      double d0, d1;

      if (!lacuna_dicom_file_get_number (file, descriptors[c], 0, &d0, NULL)
          || !lacuna_dicom_file_get_number (file, descriptors[c], 1, &d1, NULL))
        goto unreadable;
      if (c == 0)
        {
          n_entries = d0;
          first = d1;
        }
      else if (d0 != n_entries || d1 != first)
        goto unreadable;
      data[c] = lacuna_dicom_file_dup_bytes (file, data_paths[c], NULL);
      if (data[c] == NULL)
        {
          ok = palette_darkest_rendered (file, out_index, NULL);
          goto unreadable;
        }
    }
  /* A first mapped value read as US may stand for a negative one (SS). */
  if (first >= 32768)
    first -= 65536;
  n = n_entries == 0 ? 65536 : (guint) n_entries;

  for (guint i = 0; i < n; i++)
    {
      double v[3];

      for (guint c = 0; c < 3; c++)
        {
          gsize size = 0;
          const guint8 *bytes = g_bytes_get_data (data[c], &size);

          if (size >= (gsize) n * 2)
            {
              guint16 w;

              memcpy (&w, bytes + (gsize) i * 2, 2);
              v[c] = w;
            }
          else if (size >= n)         /* 8-bit entries packed two a word */
            v[c] = bytes[i];
          else
            goto unreadable;
        }
      if (0.299 * v[0] + 0.587 * v[1] + 0.114 * v[2] < best)
        {
          best = 0.299 * v[0] + 0.587 * v[1] + 0.114 * v[2];
          best_i = i;
        }
    }
  *out_index = (gint64) first + best_i;
  ok = TRUE;

unreadable:
  if (!ok)
    g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED,
                 "the (0028,1101)–(0028,1203) Palette Color Lookup Tables cannot be read "
                 "(segmented or inconsistent), so the darkest index is unknown");
  for (guint c = 0; c < 3; c++)
    g_clear_pointer (&data[c], g_bytes_unref);
  return ok;
}

gboolean
lacuna_redact_get_black (LacunaDicomFile  *file,
                         const char       *photometric,
                         gint64            out_black[3],
                         GError          **error)
{
  LacunaDicomPixelInfo info;
  gint64 lo, hi, mid;
  guint bits;

  g_return_val_if_fail (file != NULL, FALSE);
  g_return_val_if_fail (photometric != NULL, FALSE);

  if (!lacuna_dicom_file_get_pixel_info (file, &info, error))
    return FALSE;
  bits = MIN (info.bits_stored, 32);
  if (info.bits_allocated == 1)
    bits = 1;
  if (info.is_signed)
    {
      lo = -((gint64) 1 << (bits - 1));
      hi = ((gint64) 1 << (bits - 1)) - 1;
    }
  else
    {
      lo = 0;
      hi = ((gint64) 1 << bits) - 1;
    }
  mid = (gint64) 1 << (bits - 1);
  out_black[0] = out_black[1] = out_black[2] = 0;

  if (strcmp (photometric, "MONOCHROME1") == 0 || strcmp (photometric, "MONOCHROME2") == 0)
    {
      gboolean invert = strcmp (photometric, "MONOCHROME1") == 0;
      g_autofree char *shape = dup_trimmed (file, "20500020");
      double slope;

      if (shape != NULL && g_ascii_strcasecmp (shape, "INVERSE") == 0)
        invert = TRUE;
      if (lacuna_dicom_file_get_number (file, "00281053", 0, &slope, NULL) && slope < 0)
        invert = !invert;
      out_black[0] = invert ? hi : lo;
      return TRUE;
    }
  if (strcmp (photometric, "RGB") == 0)
    return TRUE;
  if (g_str_has_prefix (photometric, "YBR_FULL") || strcmp (photometric, "YBR_ICT") == 0
      || strcmp (photometric, "YBR_RCT") == 0)
    {
      out_black[1] = out_black[2] = mid;
      return TRUE;
    }
  if (g_str_has_prefix (photometric, "YBR_PARTIAL"))
    {
      out_black[0] = bits >= 8 ? (gint64) 16 << (bits - 8) : 0;
      out_black[1] = out_black[2] = mid;
      return TRUE;
    }
  if (strcmp (photometric, "PALETTE COLOR") == 0)
    {
      if (!palette_darkest (file, &out_black[0], error))
        return FALSE;
      out_black[0] = CLAMP (out_black[0], lo, hi);
      return TRUE;
    }
  g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED,
               "no known black for this (0028,0004) PhotometricInterpretation");
  return FALSE;
}

/* ---------------------------------------------------------------------------------------- */
/* Boxes                                                                                    */

static void
clip_boxes (const LacunaDicomPixelInfo *info,
            const LacunaRedactBox      *boxes,
            guint                       n_boxes,
            LacunaRedactResult         *result)
{
  guint n_outside = 0, n_no_frame = 0;

  for (guint i = 0; i < n_boxes; i++)
    {
      const LacunaRedactBox *b = &boxes[i];
      gint64 x0 = MAX (b->x, 0), y0 = MAX (b->y, 0);
      gint64 x1 = MIN ((gint64) b->x + MAX (b->width, 0), (gint64) info->columns);
      gint64 y1 = MIN ((gint64) b->y + MAX (b->height, 0), (gint64) info->rows);
      LacunaRedactBox clipped;

      if (x1 <= x0 || y1 <= y0)
        {
          n_outside++;
          continue;
        }
      if (b->frame >= 0 && (guint) b->frame >= info->n_frames)
        {
          n_no_frame++;
          continue;
        }
      clipped.x = (int) x0;
      clipped.y = (int) y0;
      clipped.width = (int) (x1 - x0);
      clipped.height = (int) (y1 - y0);
      for (guint f = 0; f < info->n_frames; f++)
        {
          if (b->frame >= 0 && (guint) b->frame != f)
            continue;
          clipped.frame = (int) f;
          g_array_append_val (result->applied, clipped);
        }
    }
  if (n_outside > 0)
    add_note (result, "%u redaction box(es) lie entirely outside the image and were ignored",
              n_outside);
  if (n_no_frame > 0)
    add_note (result, "%u redaction box(es) name a frame the image does not have and were "
              "ignored", n_no_frame);
}

typedef struct
{
  LacunaDicomFile    *file;
  LacunaRedactResult *result;
  guint               columns;
  guint               samples;
  guint               bytes_per_sample;
  gint64              black[3];
  char                photometric[24];
  gboolean            planar;       /* write colour by plane (as the input was) */
} Job;

/* n pixels of black for the job's photometric interpretation, at out. */
static void
fill_black (Job    *job,
            guint8 *out,
            gsize   n)
{
  gsize pixel_bytes = (gsize) job->samples * job->bytes_per_sample;

  for (guint c = 0; c < job->samples; c++)
    {
      guint8 *p = out + c * job->bytes_per_sample;

      switch (job->bytes_per_sample)
        {
        case 1:
          *p = (guint8) job->black[c];
          break;
        case 2:
          {
            guint16 v = (guint16) job->black[c];
            memcpy (p, &v, 2);
          }
          break;
        default:
          {
            guint32 v = (guint32) job->black[c];
            memcpy (p, &v, 4);
          }
          break;
        }
    }
  for (gsize x = 1; x < n; x++)
    memcpy (out + x * pixel_bytes, out, pixel_bytes);
}

static void
paint_frame (Job    *job,
             guint   frame,
             guint8 *out)
{
  GArray *applied = job->result->applied;
  gsize pixel_bytes = (gsize) job->samples * job->bytes_per_sample;
  g_autofree guint8 *row = NULL;
  gsize row_size = 0;

  /* Each box's rows are copies of one row of black, made for the widest box. */
  for (guint i = 0; i < applied->len; i++)
    {
      const LacunaRedactBox *b = &g_array_index (applied, LacunaRedactBox, i);
      gsize size = (gsize) b->width * pixel_bytes;

      if ((guint) b->frame != frame || b->width <= 0)
        continue;
      if (size > row_size)
        {
          g_free (row);
          row = g_malloc (size);
          row_size = size;
          fill_black (job, row, (gsize) b->width);
        }
      for (int y = b->y; y < b->y + b->height; y++)
        memcpy (out + ((gsize) y * job->columns + b->x) * pixel_bytes, row, size);
    }
}

static GBytes *
decode_checked (Job     *job,
                guint    frame,
                gsize    size,
                GError **error)
{
  char photometric[24];
  g_autoptr(GBytes) bytes = lacuna_dicom_file_decode_frame (job->file, frame, photometric, error);

  if (bytes == NULL)
    return NULL;
  if (g_bytes_get_size (bytes) != size || strcmp (photometric, job->photometric) != 0)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_DECODE,
                   "frame %u decodes to another size or colour model than the first", frame + 1);
      return NULL;
    }
  return g_steal_pointer (&bytes);
}

static gboolean
fill_frame (guint     frame,
            guint8   *out,
            gsize     size,
            gpointer  user_data,
            GError  **error)
{
  Job *job = user_data;
  g_autoptr(GBytes) bytes = decode_checked (job, frame, size, error);

  if (bytes == NULL)
    return FALSE;
  memcpy (out, g_bytes_get_data (bytes, NULL), size);
  paint_frame (job, frame, out);
  if (job->planar)
    {
      g_autofree guint8 *pixels = g_memdup2 (out, size);
      guint bps = job->bytes_per_sample;
      gsize n = size / ((gsize) job->samples * bps);

      for (gsize i = 0; i < n; i++)
        for (guint c = 0; c < job->samples; c++)
          memcpy (out + ((gsize) c * n + i) * bps, pixels + (i * job->samples + c) * bps, bps);
    }
  return TRUE;
}

/* 1-bit pixel data: frames are packed back to back (not byte aligned), LSB first. */
static gboolean
rewrite_bitmap (Job                        *job,
                const LacunaDicomPixelInfo *info,
                GError                    **error)
{
  gsize frame_pixels = (gsize) info->rows * info->columns;
  guint64 n_bits = (guint64) frame_pixels * info->n_frames;
  gsize size = (gsize) ((n_bits + 7) / 8);
  g_autofree guint8 *packed = g_try_malloc0 (size + 1);
  g_autofree guint8 *frame_buf = g_try_malloc (frame_pixels);

  if (packed == NULL || frame_buf == NULL)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_TOO_LARGE,
                   "Not enough memory for (7FE0,0010) Pixel Data");
      return FALSE;
    }
  for (guint f = 0; f < info->n_frames; f++)
    {
      g_autoptr(GBytes) bytes = decode_checked (job, f, frame_pixels, error);
      guint64 base = (guint64) f * frame_pixels;

      if (bytes == NULL)
        return FALSE;
      memcpy (frame_buf, g_bytes_get_data (bytes, NULL), frame_pixels);
      paint_frame (job, f, frame_buf);
      for (gsize i = 0; i < frame_pixels; i++)
        if (frame_buf[i] & 1)
          packed[(base + i) / 8] |= (guint8) (1u << ((base + i) % 8));
    }
  return lacuna_dicom_file_set_pixel_data (job->file, packed, MAX (size, 1), 8, error);
}

/* ---------------------------------------------------------------------------------------- */
/* Lossy bookkeeping                                                                        */

static gboolean
keep_lossy_record (LacunaDicomFile  *file,
                   const Syntax     *syntax,
                   double            ratio,
                   GError          **error)
{
  g_autofree char *methods = dup_trimmed (file, "00282114");
  g_autofree char *ratios = dup_trimmed (file, "00282112");
  g_auto(GStrv) list = NULL;
  gboolean listed = FALSE;

  if (!lacuna_dicom_file_set_string (file, "00282110", "CS", "01", error))
    return FALSE;
  if (syntax == NULL || syntax->method == NULL)
    return TRUE;

  list = g_strsplit (methods != NULL ? methods : "", "\\", -1);
  for (char **m = list; *m != NULL; m++)
    if (strcmp (g_strstrip (*m), syntax->method) == 0)
      listed = TRUE;
  if (listed)
    return TRUE;

  /* This compression is not on record yet: append its method, and its ratio when the
   * ratios so far line up with the methods. */
  {
    g_autofree char *new_methods = NULL;

    if (methods != NULL && *methods != '\0')
      new_methods = g_strconcat (methods, "\\", syntax->method, NULL);
    else
      new_methods = g_strdup (syntax->method);
    if (!lacuna_dicom_file_set_string (file, "00282114", "CS", new_methods, error))
      return FALSE;
  }
  if (ratio > 0)
    {
      guint n_methods = (methods != NULL && *methods != '\0') ? g_strv_length (list) : 0;
      guint n_ratios = 0;
      char text[G_ASCII_DTOSTR_BUF_SIZE];
      g_autofree char *new_ratios = NULL;

      if (ratios != NULL && *ratios != '\0')
        {
          g_auto(GStrv) r = g_strsplit (ratios, "\\", -1);
          n_ratios = g_strv_length (r);
        }
      if (n_ratios != n_methods)
        return TRUE;
      g_snprintf (text, sizeof text, "%.2f", ratio);
      new_ratios = n_ratios > 0 ? g_strconcat (ratios, "\\", text, NULL) : g_strdup (text);
      if (!lacuna_dicom_file_set_string (file, "00282112", "DS", new_ratios, error))
        return FALSE;
    }
  return TRUE;
}

/* HTJ2K (.203) may be lossless: trust it only when the file says Lossy Image Compression
 * "00" and the first codestream uses the reversible 5/3 wavelet. */
static gboolean
htj2k_is_lossless (LacunaDicomFile *file)
{
  g_autofree char *flag = dup_trimmed (file, "00282110");
  g_autoptr(GBytes) fragments = NULL;
  const guint8 *d;
  gsize size = 0;

  if (g_strcmp0 (flag, "00") != 0)
    return FALSE;
  fragments = lacuna_dicom_file_dup_fragments (file, NULL);
  if (fragments == NULL)
    return FALSE;
  d = g_bytes_get_data (fragments, &size);
  if (size < 4 || d[0] != 0xFF || d[1] != 0x4F)
    return FALSE;
  /* Main header markers after SOC: each FFxx + 2-byte length; COD is FF52. */
  for (gsize pos = 2; pos + 4 <= size;)
    {
      guint marker = (d[pos] << 8) | d[pos + 1];
      guint length = (d[pos + 2] << 8) | d[pos + 3];

      if (marker == 0xFF52)
        /* Lcod, Scod, SGcod (4), then SPcod: levels, xcb, ycb, style, transform. */
        return pos + 2 + 12 <= size && d[pos + 2 + 11] == 1;
      if (marker == 0xFF90 || length < 2)
        return FALSE;            /* first tile, no COD in the main header */
      pos += 2 + length;
    }
  return FALSE;
}

/* ---------------------------------------------------------------------------------------- */

static gboolean
rewrite_pixels (LacunaDicomFile            *file,
                const LacunaDicomPixelInfo *info,
                LacunaRedactResult         *result,
                GError                    **error)
{
  Job job = { 0 };
  g_autoptr(GBytes) first = NULL;
  gsize frame_size;

  job.file = file;
  job.result = result;
  job.columns = info->columns;
  job.samples = info->samples_per_pixel;
  job.bytes_per_sample = info->bits_allocated == 1 ? 1 : info->bits_allocated / 8;
  frame_size = (gsize) info->rows * info->columns * job.samples * job.bytes_per_sample;

  /* Native samples that decode as they are held: painted where they are. */
  if (info->bits_allocated != 1)
    {
      gsize size = 0;
      guint n_frames = 0;
      guint8 *pixels = lacuna_dicom_file_peek_native_pixels (file, &size, &n_frames);

      if (pixels != NULL && size == frame_size && n_frames == info->n_frames)
        {
          g_strlcpy (job.photometric, info->photometric, sizeof job.photometric);
          if (result->applied->len > 0 &&
              !lacuna_redact_get_black (file, job.photometric, job.black, error))
            return FALSE;
          /* (Every bit of each sample is stored, so black is painted as it decodes.) */
          for (guint f = 0; f < n_frames; f++)
            paint_frame (&job, f, pixels + (gsize) f * size);
          result->pixels_rewritten = TRUE;
          /* Required for colour (Type 1C), and added by a rebuild when absent. */
          return info->samples_per_pixel != 3 ||
                 lacuna_dicom_file_set_string (file, "00280006", "US", "0", error);
        }
    }

  /* The first frame tells the colour model of the decoded samples. */
  first = lacuna_dicom_file_decode_frame (file, 0, job.photometric, error);
  if (first == NULL)
    return FALSE;
  if (g_bytes_get_size (first) != frame_size)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_DECODE,
                   "the first frame decodes to an unexpected size");
      return FALSE;
    }
  g_clear_pointer (&first, g_bytes_unref);
  /* Colour by plane stays so when the colour model does (some IODs require it, e.g. US
   * YBR_FULL); otherwise colour by pixel, as decoded. */
  job.planar = info->samples_per_pixel == 3 && info->planar_configuration == 1
               && strcmp (job.photometric, info->photometric) == 0;
  if (result->applied->len > 0 && !lacuna_redact_get_black (file, job.photometric, job.black,
                                                            error))
    return FALSE;

  if (info->bits_allocated == 1)
    {
      if (!rewrite_bitmap (&job, info, error))
        return FALSE;
    }
  else if (!lacuna_dicom_file_build_pixel_data (file, info->n_frames, frame_size,
                                                info->bits_allocated, fill_frame, &job, error))
    return FALSE;
  result->pixels_rewritten = TRUE;

  /* Describe the samples as they now are: decoded, they sit in the low bits. */
  if (info->bits_allocated != 1 && info->high_bit + 1 != info->bits_stored)
    {
      char high_bit[16];

      g_snprintf (high_bit, sizeof high_bit, "%u", info->bits_stored - 1);
      if (!lacuna_dicom_file_set_string (file, "00280102", "US", high_bit, error))
        return FALSE;
    }
  if (strcmp (job.photometric, info->photometric) != 0)
    {
      if (!lacuna_dicom_file_set_string (file, "00280004", "CS", job.photometric, error))
        return FALSE;
      add_note (result, "Photometric Interpretation changed from %s to %s (decoded samples)",
                info->photometric, job.photometric);
    }
  if (info->samples_per_pixel == 3
      && !lacuna_dicom_file_set_string (file, "00280006", "US", job.planar ? "1" : "0", error))
    return FALSE;
  return TRUE;
}

gboolean
lacuna_redact_apply (LacunaDicomFile       *file,
                     const LacunaRedactBox *boxes,
                     guint                  n_boxes,
                     LacunaRedactResult    *result,
                     GError               **error)
{
  g_autoptr(GError) local_error = NULL;
  LacunaDicomPixelInfo info;
  const char *uid;
  const Syntax *syntax;
  const char *target;
  gboolean lossy, rewrite;
  double ratio = 0;

  g_return_val_if_fail (file != NULL, FALSE);
  g_return_val_if_fail (boxes != NULL || n_boxes == 0, FALSE);
  g_return_val_if_fail (result != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (result, 0, sizeof *result);
  result->applied = g_array_new (FALSE, FALSE, sizeof (LacunaRedactBox));
  result->notes = g_ptr_array_new_with_free_func (g_free);

  uid = lacuna_dicom_file_get_transfer_syntax (file);
  syntax = find_syntax (uid);

  if (!lacuna_dicom_file_get_pixel_info (file, &info, &local_error))
    {
      gboolean no_pixels = g_error_matches (local_error, LACUNA_DICOM_ERROR,
                                            LACUNA_DICOM_ERROR_NO_PIXELS);
      gboolean passable = no_pixels
                          || ((syntax == NULL || syntax->writable) && n_boxes == 0
                              && g_error_matches (local_error, LACUNA_DICOM_ERROR,
                                                  LACUNA_DICOM_ERROR_UNSUPPORTED));

      if (!passable)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      /* Nothing to redact in: the file goes as it is (without pixels, a syntax DCMTK
       * cannot name becomes Explicit VR Little Endian). */
      if (syntax != NULL && !syntax->writable)
        result->transfer_syntax = UID_EXPLICIT_LE;
      else
        result->transfer_syntax = g_intern_string (uid);
      if (n_boxes > 0)
        add_note (result, "the object has no pixel data: redaction boxes ignored");
      else if (!no_pixels)
        add_note (result, "pixel data kept as it is without being decoded");
      return TRUE;
    }

  clip_boxes (&info, boxes, n_boxes, result);

  if (syntax == NULL && info.encapsulated)
    {
      /* A compressed syntax we know nothing about: it goes as it is, or not at all. */
      if (result->applied->len == 0)
        {
          result->transfer_syntax = g_intern_string (uid);
          return TRUE;
        }
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED,
                   "pixel data in transfer syntax %s cannot be redacted", uid);
      return FALSE;
    }

  lossy = syntax != NULL && syntax->lossy;
  if (syntax != NULL && strcmp (syntax->uid, UID_HTJ2K) == 0 && htj2k_is_lossless (file))
    lossy = FALSE;
  rewrite = result->applied->len > 0 || (syntax != NULL && !syntax->writable);

  if (!rewrite)
    {
      /* Saved as it is: encapsulated data byte for byte. Native data in a syntax of
       * which nothing is known is written as Explicit VR Little Endian. */
      result->transfer_syntax = syntax != NULL ? g_intern_string (uid) : UID_EXPLICIT_LE;
      return TRUE;
    }

  if (lossy)
    target = UID_EXPLICIT_LE;
  else if (syntax == NULL)
    target = UID_EXPLICIT_LE;
  else
    target = syntax->target != NULL ? syntax->target : UID_EXPLICIT_LE;

  if (lossy && info.encapsulated)
    {
      g_autoptr(GBytes) fragments = lacuna_dicom_file_dup_fragments (file, NULL);

      if (fragments != NULL && g_bytes_get_size (fragments) > 0)
        ratio = (double) info.rows * info.columns * info.samples_per_pixel
                * (info.bits_allocated / 8) * info.n_frames / g_bytes_get_size (fragments);
    }

  if (!rewrite_pixels (file, &info, result, error))
    return FALSE;

  if (lossy)
    {
      if (!keep_lossy_record (file, syntax, ratio, error))
        return FALSE;
      add_note (result, "lossy %s decoded%s and written without further loss as %s; "
                "Lossy Image Compression kept", syntax->name,
                result->applied->len > 0 ? ", redacted" : "", "Explicit VR Little Endian");
    }
  else if (strcmp (target, uid) != 0)
    {
      const Syntax *to = find_syntax (target);

      add_note (result, "%s %s and written losslessly as %s",
                syntax != NULL ? syntax->name : "pixel data",
                result->applied->len > 0 ? "redacted" : "decoded", to->name);
    }

  if (strcmp (target, UID_RLE) == 0 || strcmp (target, UID_JPEG_SV1) == 0
      || strcmp (target, UID_JPEG_LS) == 0 || strcmp (target, UID_J2K_LOSSLESS) == 0)
    {
      g_autoptr(GError) encode_error = NULL;

      if (!lacuna_dicom_file_encode_pixel_data (file, target, &encode_error))
        {
          add_note (result, "could not encode %s losslessly (%s): written as Explicit VR "
                    "Little Endian", find_syntax (target)->name, encode_error->message);
          target = UID_EXPLICIT_LE;
        }
    }

  result->transfer_syntax = target;
  return TRUE;
}

/* ---------------------------------------------------------------------------------------- */
/* Overlays                                                                                 */

typedef struct
{
  guint16 groups[16];
  char    vr[16][3];
  guint   n;
} OverlayScan;

static LacunaDicomWalkResult
find_overlays (const LacunaDicomElement *element,
               gpointer                  user_data)
{
  OverlayScan *scan = user_data;
  guint16 group = element->tag >> 16;

  if (element->depth == 0 && (group & 0xFF01) == 0x6000 && (element->tag & 0xFFFF) == 0x3000
      && scan->n < G_N_ELEMENTS (scan->groups))
    {
      scan->groups[scan->n] = group;
      memcpy (scan->vr[scan->n], element->vr, 3);
      scan->n++;
    }
  return element->is_sequence ? LACUNA_DICOM_WALK_SKIP_CHILDREN : LACUNA_DICOM_WALK_CONTINUE;
}

static double
overlay_number (LacunaDicomFile *file,
                guint16          group,
                guint            element,
                guint            index,
                double           fallback)
{
  g_autofree char *path = g_strdup_printf ("%04X%04X", group, element);
  double v;

  return lacuna_dicom_file_get_number (file, path, index, &v, NULL) ? v : fallback;
}

gboolean
lacuna_redact_apply_overlays (LacunaDicomFile       *file,
                              const LacunaRedactBox *boxes,
                              guint                  n_boxes,
                              guint                 *out_n_changed,
                              GError               **error)
{
  OverlayScan scan = { 0 };
  guint n_changed = 0;

  g_return_val_if_fail (file != NULL, FALSE);
  g_return_val_if_fail (boxes != NULL || n_boxes == 0, FALSE);

  if (out_n_changed != NULL)
    *out_n_changed = 0;
  if (n_boxes == 0)
    return TRUE;
  lacuna_dicom_file_walk (file, FALSE, find_overlays, &scan);

  for (guint o = 0; o < scan.n; o++)
    {
      guint16 group = scan.groups[o];
      g_autofree char *path = g_strdup_printf ("%04X3000", group);
      g_autoptr(GBytes) bytes = NULL;
      g_autofree guint8 *bits = NULL;
      gboolean words = strcmp (scan.vr[o], "OB") != 0;
      double rows = overlay_number (file, group, 0x0010, 0, 0);
      double columns = overlay_number (file, group, 0x0011, 0, 0);
      double origin_row = overlay_number (file, group, 0x0050, 0, 1);
      double origin_col = overlay_number (file, group, 0x0050, 1, 1);
      double n_frames = overlay_number (file, group, 0x0015, 0, 1);
      double frame_origin = overlay_number (file, group, 0x0051, 0, 1);
      gsize size = 0;
      guint64 frame_bits, n_bits;
      gboolean changed = FALSE;

      if (rows < 1 || columns < 1 || n_frames < 1 || rows > 65535 || columns > 65535)
        continue;
      bytes = lacuna_dicom_file_dup_bytes (file, path, error);
      if (bytes == NULL)
        return FALSE;
      bits = g_bytes_unref_to_data (g_steal_pointer (&bytes), &size);
      frame_bits = (guint64) rows * (guint64) columns;
      n_bits = MIN ((guint64) size * 8, frame_bits * (guint64) n_frames);

      for (guint i = 0; i < n_boxes; i++)
        {
          const LacunaRedactBox *b = &boxes[i];
          gint64 first_frame = 0, last_frame = (gint64) n_frames - 1;

          if (b->frame >= 0 && n_frames > 1)
            first_frame = last_frame = b->frame - ((gint64) frame_origin - 1);
          for (gint64 f = MAX (first_frame, 0); f <= last_frame && f < (gint64) n_frames; f++)
            for (gint64 y = b->y; y < (gint64) b->y + b->height; y++)
              {
                gint64 oy = y - ((gint64) origin_row - 1);

                if (oy < 0 || oy >= (gint64) rows)
                  continue;
                for (gint64 x = b->x; x < (gint64) b->x + b->width; x++)
                  {
                    gint64 ox = x - ((gint64) origin_col - 1);
                    guint64 bit;
                    gsize byte;
                    guint shift;

                    if (ox < 0 || ox >= (gint64) columns)
                      continue;
                    bit = (guint64) f * frame_bits + (guint64) oy * (guint64) columns + ox;
                    if (bit >= n_bits)
                      continue;
                    /* OW: bit n of word n/16 (host order); OB: bit n%8 of byte n/8. */
                    if (words)
                      {
#if G_BYTE_ORDER == G_BIG_ENDIAN
                        byte = (bit / 16) * 2 + (1 - (bit % 16) / 8);
#else
                        byte = bit / 8;
#endif
                      }
                    else
                      byte = bit / 8;
                    shift = bit % 8;
                    if (bits[byte] & (1u << shift))
                      {
                        bits[byte] &= (guint8) ~(1u << shift);
                        changed = TRUE;
                      }
                  }
              }
        }
      if (changed)
        {
          if (!lacuna_dicom_file_set_bytes (file, path, scan.vr[o], bits, size, error))
            return FALSE;
          n_changed++;
        }
    }
  if (out_n_changed != NULL)
    *out_n_changed = n_changed;
  return TRUE;
}
