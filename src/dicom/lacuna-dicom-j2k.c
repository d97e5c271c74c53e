/* lacuna-dicom-j2k.c: one JPEG 2000 / HTJ2K frame from memory with OpenJPEG 2.5.
 *
 * The frame is a raw codestream (FF4F FF51…) or, rarely, a JP2 file; the format is sniffed.
 * OpenJPEG's messages are collected into the GError, never printed. The decoded image must
 * match what the DICOM header says (size, components, a precision that fits the sample),
 * otherwise the frame is refused rather than shown wrong.
 */
#define G_LOG_DOMAIN "lacuna-dicom-j2k"

#include <string.h>

#include <glib.h>
#include <openjpeg.h>

#include "lacuna-dicom.h"

/* Declared in lacuna-dicom-private.h (a C++ header). */
gboolean _lacuna_j2k_decode (const guint8  *data,
                             gsize          size,
                             guint          expected_columns,
                             guint          expected_rows,
                             guint          expected_samples,
                             guint          bytes_per_sample,
                             gboolean       is_signed,
                             guint8        *out,
                             gsize          out_size,
                             GError       **error);

typedef struct
{
  const guint8 *data;
  gsize         size;
  gsize         position;
} MemoryStream;

static OPJ_SIZE_T
stream_read (void *buffer,
             OPJ_SIZE_T n_bytes,
             void *user_data)
{
  MemoryStream *ms = user_data;
  gsize left = ms->size - ms->position;

  if (left == 0)
    return (OPJ_SIZE_T) -1;
  if (n_bytes > left)
    n_bytes = left;
  memcpy (buffer, ms->data + ms->position, n_bytes);
  ms->position += n_bytes;
  return n_bytes;
}

static OPJ_OFF_T
stream_skip (OPJ_OFF_T n_bytes,
             void     *user_data)
{
  MemoryStream *ms = user_data;

  if (n_bytes < 0)
    {
      if ((gsize) -n_bytes > ms->position)
        return -1;
    }
  else if ((guint64) n_bytes > ms->size - ms->position)
    n_bytes = (OPJ_OFF_T) (ms->size - ms->position);
  ms->position += n_bytes;
  return n_bytes;
}

static OPJ_BOOL
stream_seek (OPJ_OFF_T position,
             void     *user_data)
{
  MemoryStream *ms = user_data;

  if (position < 0 || (guint64) position > ms->size)
    return OPJ_FALSE;
  ms->position = (gsize) position;
  return OPJ_TRUE;
}

static void
collect_message (const char *msg,
                 void       *user_data)
{
  GString *messages = user_data;

  if (messages->len > 512)
    return;
  if (messages->len > 0)
    g_string_append (messages, "; ");
  g_string_append (messages, msg);
  while (messages->len > 0 && g_ascii_isspace (messages->str[messages->len - 1]))
    g_string_truncate (messages, messages->len - 1);
}

static void
ignore_message (const char *msg,
                void       *user_data)
{
}

static void
set_decode_error (GError     **error,
                  const char  *what,
                  GString     *messages)
{
  if (messages->len > 0)
    g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_DECODE,
                 "JPEG 2000: %s (%s)", what, messages->str);
  else
    g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_DECODE, "JPEG 2000: %s", what);
}

/* Writes the components interleaved. Pixel Representation decides signedness: a component
 * coded unsigned in a signed image is sign-extended from its precision (pydicom does the
 * same; e.g. a CT's padding -2000 coded as 13-bit 6192). */
static void
write_samples (opj_image_t *image,
               guint        n_samples,
               guint        bytes_per_sample,
               gboolean     is_signed,
               gsize        n_pixels,
               guint8      *out)
{
  for (guint c = 0; c < n_samples; c++)
    {
      OPJ_INT32 *src = image->comps[c].data;
      guint prec = image->comps[c].prec;

      if (is_signed && !image->comps[c].sgnd && prec < 32)
        {
          guint32 mask = (1u << prec) - 1;
          guint32 sign = 1u << (prec - 1);

          for (gsize i = 0; i < n_pixels; i++)
            {
              guint32 v = (guint32) src[i] & mask;
              src[i] = (OPJ_INT32) ((v & sign) ? (v | ~mask) : v);
            }
        }

      switch (bytes_per_sample)
        {
        case 1:
          for (gsize i = 0; i < n_pixels; i++)
            out[i * n_samples + c] = (guint8) src[i];
          break;
        case 2:
          {
            guint16 *dst = (guint16 *) out;

            for (gsize i = 0; i < n_pixels; i++)
              dst[i * n_samples + c] = (guint16) src[i];
          }
          break;
        default:
          {
            guint32 *dst = (guint32 *) out;

            for (gsize i = 0; i < n_pixels; i++)
              dst[i * n_samples + c] = (guint32) src[i];
          }
          break;
        }
    }
}

gboolean
_lacuna_j2k_decode (const guint8  *data,
                    gsize          size,
                    guint          expected_columns,
                    guint          expected_rows,
                    guint          expected_samples,
                    guint          bytes_per_sample,
                    gboolean       is_signed,
                    guint8        *out,
                    gsize          out_size,
                    GError       **error)
{
  static const guint8 jp2_signature[] = { 0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20 };
  MemoryStream ms = { data, size, 0 };
  g_autoptr(GString) messages = g_string_new (NULL);
  opj_dparameters_t parameters;
  opj_codec_t *codec = NULL;
  opj_stream_t *stream = NULL;
  opj_image_t *image = NULL;
  OPJ_CODEC_FORMAT format;
  gsize n_pixels = (gsize) expected_columns * expected_rows;
  gboolean ok = FALSE;

  g_return_val_if_fail (data != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (bytes_per_sample != 1 && bytes_per_sample != 2 && bytes_per_sample != 4)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED,
                   "JPEG 2000: samples of %u bytes are not supported", bytes_per_sample);
      return FALSE;
    }
  if (out_size < n_pixels * expected_samples * bytes_per_sample)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_FAILED,
                   "JPEG 2000: the output buffer is too small");
      return FALSE;
    }

  if (size >= 2 && data[0] == 0xFF && data[1] == 0x4F)
    format = OPJ_CODEC_J2K;
  else if (size >= sizeof jp2_signature && memcmp (data, jp2_signature, sizeof jp2_signature) == 0)
    format = OPJ_CODEC_JP2;
  else
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_DECODE,
                   "JPEG 2000: the frame is neither a codestream nor a JP2 file");
      return FALSE;
    }

  codec = opj_create_decompress (format);
  if (codec == NULL)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_FAILED,
                   "JPEG 2000: cannot create a decoder");
      return FALSE;
    }
  opj_set_error_handler (codec, collect_message, messages);
  opj_set_warning_handler (codec, ignore_message, NULL);
  opj_set_info_handler (codec, ignore_message, NULL);

  opj_set_default_decoder_parameters (&parameters);
  if (!opj_setup_decoder (codec, &parameters))
    {
      set_decode_error (error, "cannot set up the decoder", messages);
      goto out;
    }

  stream = opj_stream_create (OPJ_J2K_STREAM_CHUNK_SIZE, OPJ_TRUE);
  if (stream == NULL)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_FAILED,
                   "JPEG 2000: cannot create a stream");
      goto out;
    }
  opj_stream_set_user_data (stream, &ms, NULL);
  opj_stream_set_user_data_length (stream, size);
  opj_stream_set_read_function (stream, stream_read);
  opj_stream_set_skip_function (stream, stream_skip);
  opj_stream_set_seek_function (stream, stream_seek);

  if (!opj_read_header (stream, codec, &image) || image == NULL)
    {
      set_decode_error (error, "cannot read the header", messages);
      goto out;
    }

  /* Check the header before decoding: a mismatch means a wrong or hostile frame. */
  if (image->numcomps != expected_samples)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_DECODE,
                   "JPEG 2000: the frame has %u components but (0028,0002) SamplesPerPixel "
                   "says %u", image->numcomps, expected_samples);
      goto out;
    }
  if (image->x1 - image->x0 != expected_columns || image->y1 - image->y0 != expected_rows)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_DECODE,
                   "JPEG 2000: the frame size differs from (0028,0010) Rows and "
                   "(0028,0011) Columns");
      goto out;
    }

  if (!opj_decode (codec, stream, image) || !opj_end_decompress (codec, stream))
    {
      set_decode_error (error, "cannot decode the frame", messages);
      goto out;
    }

  for (guint c = 0; c < image->numcomps; c++)
    {
      const opj_image_comp_t *comp = &image->comps[c];

      if (comp->w != expected_columns || comp->h != expected_rows || comp->dx != 1
          || comp->dy != 1 || comp->data == NULL)
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_DECODE,
                       "JPEG 2000: component %u is subsampled or its size differs from "
                       "(0028,0010) Rows and (0028,0011) Columns", c + 1);
          goto out;
        }
      if (comp->prec == 0 || comp->prec > bytes_per_sample * 8)
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_DECODE,
                       "JPEG 2000: component %u has %u bits, more than (0028,0100) "
                       "BitsAllocated", c + 1, comp->prec);
          goto out;
        }
    }

  write_samples (image, expected_samples, bytes_per_sample, is_signed, n_pixels, out);
  ok = TRUE;

out:
  if (image != NULL)
    opj_image_destroy (image);
  if (stream != NULL)
    opj_stream_destroy (stream);
  opj_destroy_codec (codec);
  return ok;
}
