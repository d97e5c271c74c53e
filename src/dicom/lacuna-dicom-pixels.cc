/* lacuna-dicom-pixels.cc: pixel information, one-frame decoding and pixel replacement.
 *
 * Native pixel data is read frame by frame with DcmElement::getPartialValue, so a frame of
 * a lazily loaded file is read from disk without loading the rest of the value. RLE, JPEG
 * and JPEG-LS go through DCMTK's registered codecs (getUncompressedFrame); JPEG 2000 and
 * HTJ2K through OpenJPEG (lacuna-dicom-j2k.c); Deflated Image Frame Compression through
 * zlib. Every header value is checked before anything is allocated.
 */
#define G_LOG_DOMAIN "lacuna-dicom-pixels"

#include <errno.h>
#include <string.h>
#include <zlib.h>

#include <initializer_list>
#include <new>
#include <string>
#include <vector>

#include "lacuna-dicom-private.h"

#include "dcmtk/dcmdata/dcpixel.h"
#include "dcmtk/dcmdata/dcpixseq.h"
#include "dcmtk/dcmdata/dcpxitem.h"

#define UID_DEFLATED_IMAGE_FRAME "1.2.840.10008.1.2.8.1"

typedef enum
{
  CODEC_NATIVE,
  CODEC_DCMTK,     /* RLE, JPEG, JPEG-LS: DCMTK's registered decoders */
  CODEC_J2K,       /* JPEG 2000 and HTJ2K: OpenJPEG */
  CODEC_DEFLATE,   /* Deflated Image Frame Compression: zlib */
  CODEC_UNKNOWN,
} Codec;

typedef struct
{
  LacunaDicomPixelInfo  info;
  DcmDataset           *dataset;
  DcmPixelData         *pixel_data;    /* NULL for a header-only file */
  DcmPixelSequence     *sequence;      /* encapsulated pixel data, else NULL */
  Codec                 codec;
  gboolean              native_422;    /* native YBR_FULL_422: 2 samples a pixel stored */
  guint64               stored_frame_bits;  /* native: bits of one frame as stored */
  guint64               frame_bytes;   /* decoded frame size */
  guint                 bytes_per_sample;   /* decoded sample width */
} Layout;

/* peek_native_pixels loads a value left on disk only up to this size. */
#define PEEK_LOAD_MAX (64u << 20)

/* ---------------------------------------------------------------------------------------- */
/* Transfer syntaxes                                                                        */

static gboolean
uid_is_j2k (const std::string &uid)
{
  return uid == "1.2.840.10008.1.2.4.90" || uid == "1.2.840.10008.1.2.4.91"
         || uid == "1.2.840.10008.1.2.4.92" || uid == "1.2.840.10008.1.2.4.93"
         || uid == "1.2.840.10008.1.2.4.201" || uid == "1.2.840.10008.1.2.4.202"
         || uid == "1.2.840.10008.1.2.4.203";
}

static gboolean
uid_is_dcmtk_codec (const std::string &uid)
{
  static const char * const uids[] = {
    "1.2.840.10008.1.2.5",                                     /* RLE */
    "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51",        /* JPEG baseline, extended */
    "1.2.840.10008.1.2.4.53", "1.2.840.10008.1.2.4.55",        /* retired lossy processes */
    "1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.70",        /* JPEG lossless */
    "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81",        /* JPEG-LS */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (uids); i++)
    if (uid == uids[i])
      return TRUE;
  return FALSE;
}

/* Syntaxes whose compression may have lost information. HTJ2K .203 and J2K .91 may also be
 * lossless: they count as lossy because nothing in the syntax promises otherwise. */
static gboolean
uid_is_lossy (const std::string &uid)
{
  static const char * const uids[] = {
    "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.52",
    "1.2.840.10008.1.2.4.53", "1.2.840.10008.1.2.4.54", "1.2.840.10008.1.2.4.55",
    "1.2.840.10008.1.2.4.56", "1.2.840.10008.1.2.4.59", "1.2.840.10008.1.2.4.60",
    "1.2.840.10008.1.2.4.61", "1.2.840.10008.1.2.4.62", "1.2.840.10008.1.2.4.63",
    "1.2.840.10008.1.2.4.64", "1.2.840.10008.1.2.4.81", "1.2.840.10008.1.2.4.91",
    "1.2.840.10008.1.2.4.93", "1.2.840.10008.1.2.4.203",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (uids); i++)
    if (uid == uids[i])
      return TRUE;
  /* MPEG-2/4, HEVC (.100-.108) and JPEG XL (.110-.112) video and image codecs */
  return g_str_has_prefix (uid.c_str (), "1.2.840.10008.1.2.4.10")
         || uid == "1.2.840.10008.1.2.4.110" || uid == "1.2.840.10008.1.2.4.112";
}

static gboolean
uid_is_encapsulated (const std::string &uid)
{
  DcmXfer xfer (uid.c_str ());

  if (xfer.getXfer () != EXS_Unknown)
    return xfer.isEncapsulated ();
  return _lacuna_dicom_is_unknown_encapsulated (uid);
}

/* ---------------------------------------------------------------------------------------- */
/* Header                                                                                   */

static OFString
trim (const OFString &text)
{
  size_t start = text.find_first_not_of (" \t\r\n");
  size_t end = text.find_last_not_of (" \t\r\n");

  if (start == OFString_npos)
    return OFString ();
  return text.substr (start, end - start + 1);
}

static gboolean
get_uint (DcmElement  *el,
          guint32      t,
          const char  *name,
          gboolean     required,
          guint        fallback,
          guint       *out,
          GError     **error)
{
  Uint16 u16 = 0;
  OFString text;

  if (el == NULL || el->getLength () == 0)
    {
      if (required)
        {
          g_autofree char *tag = lacuna_dicom_tag_format (t);

          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_PARSE,
                       "%s %s is missing or empty", tag, name);
          return FALSE;
        }
      *out = fallback;
      return TRUE;
    }
  if (el->getUint16 (u16).good ())
    {
      *out = u16;
      return TRUE;
    }
  /* Some writers use another VR (IS, UL, SS): accept a plain non-negative integer. */
  if (el->getOFString (text, 0).good ())
    {
      char *end = NULL;
      gint64 v;

      text = trim (text);
      v = g_ascii_strtoll (text.c_str (), &end, 10);
      if (!text.empty () && end != NULL && *end == '\0' && v >= 0 && v <= G_MAXUINT16)
        {
          *out = (guint) v;
          return TRUE;
        }
    }
  {
    g_autofree char *tag = lacuna_dicom_tag_format (t);

    g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_PARSE,
                 "%s %s is not a valid number", tag, name);
  }
  return FALSE;
}

static gboolean
get_number_of_frames (DcmElement  *el,
                      guint       *out,
                      GError     **error)
{
  OFString text;
  char *end = NULL;
  gint64 v;

  if (el == NULL || el->getOFString (text, 0).bad () || text.empty ())
    {
      *out = 1;
      return TRUE;
    }
  text = trim (text);
  errno = 0;
  v = g_ascii_strtoll (text.c_str (), &end, 10);
  if (text.empty () || end == NULL || *end != '\0' || errno != 0)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_PARSE,
                   "(0028,0008) NumberOfFrames is not an integer");
      return FALSE;
    }
  if (v <= 0)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_PARSE,
                   "(0028,0008) NumberOfFrames is zero or negative");
      return FALSE;
    }
  if (v > G_MAXINT32)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_TOO_LARGE,
                   "(0028,0008) NumberOfFrames is beyond any file's size");
      return FALSE;
    }
  *out = (guint) v;
  return TRUE;
}

/* What read_layout reads of the dataset, by tag. */
enum
{
  TAG_PIXEL_DATA, TAG_FLOAT_PIXEL_DATA, TAG_DOUBLE_FLOAT_PIXEL_DATA, TAG_ROWS, TAG_COLUMNS,
  TAG_SAMPLES_PER_PIXEL, TAG_BITS_ALLOCATED, TAG_BITS_STORED, TAG_HIGH_BIT,
  TAG_PLANAR_CONFIGURATION, TAG_NUMBER_OF_FRAMES, TAG_PIXEL_REPRESENTATION, TAG_PHOTOMETRIC,
  TAG_LOSSY, N_LAYOUT_TAGS
};

static const guint32 layout_tags[N_LAYOUT_TAGS] = {
  0x7FE00010, 0x7FE00008, 0x7FE00009, 0x00280010, 0x00280011, 0x00280002, 0x00280100,
  0x00280101, 0x00280102, 0x00280006, 0x00280008, 0x00280103, 0x00280004, 0x00282110,
};

static gboolean
read_layout (LacunaDicomFile  *file,
             Layout           *layout,
             GError          **error)
{
  LacunaDicomPixelInfo *info = &layout->info;
  DcmDataset *ds = file->format.getDataset ();
  DcmElement *el = NULL;
  OFString text;
  guint64 samples_stored;

  DcmElement *found[N_LAYOUT_TAGS] = { NULL, };

  memset (layout, 0, sizeof *layout);
  layout->dataset = ds;

  /* One pass over the dataset: each findAndGetElement() would search it from the start,
   * and the layout is read several times for every file written. */
  for (DcmObject *obj = ds->nextInContainer (NULL); obj != NULL; obj = ds->nextInContainer (obj))
    {
      const DcmTag &tag = obj->getTag ();
      guint32 t = ((guint32) tag.getGroup () << 16) | tag.getElement ();

      for (guint k = 0; k < N_LAYOUT_TAGS; k++)
        if (layout_tags[k] == t)
          {
            found[k] = OFstatic_cast (DcmElement *, obj);
            break;
          }
    }

  el = found[TAG_PIXEL_DATA];
  if (el == NULL)
    {
      if (found[TAG_FLOAT_PIXEL_DATA] != NULL || found[TAG_DOUBLE_FLOAT_PIXEL_DATA] != NULL)
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED,
                       "(7FE0,0008) Float Pixel Data and (7FE0,0009) Double Float Pixel Data "
                       "are not supported");
          return FALSE;
        }
      if (file->pixels_truncated)
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_PARSE,
                       "(7FE0,0010) Pixel Data runs past the end of the file");
          return FALSE;
        }
      /* A header-only file stops before Pixel Data: describe what the header says. */
      if (!file->header_only || found[TAG_ROWS] == NULL)
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_NO_PIXELS,
                       "The object has no (7FE0,0010) Pixel Data");
          return FALSE;
        }
    }
  else
    {
      layout->pixel_data = OFdynamic_cast (DcmPixelData *, el);
      if (layout->pixel_data == NULL)
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_PARSE,
                       "(7FE0,0010) Pixel Data has an unusable VR");
          return FALSE;
        }
    }

#define LAYOUT_UINT(which) found[TAG_##which], layout_tags[TAG_##which]
  if (!get_uint (LAYOUT_UINT (ROWS), "Rows", TRUE, 0, &info->rows, error)
      || !get_uint (LAYOUT_UINT (COLUMNS), "Columns", TRUE, 0, &info->columns, error)
      || !get_uint (LAYOUT_UINT (SAMPLES_PER_PIXEL), "SamplesPerPixel", FALSE, 1,
                    &info->samples_per_pixel, error)
      || !get_uint (LAYOUT_UINT (BITS_ALLOCATED), "BitsAllocated", TRUE, 0,
                    &info->bits_allocated, error)
      || !get_uint (LAYOUT_UINT (BITS_STORED), "BitsStored", FALSE, info->bits_allocated,
                    &info->bits_stored, error)
      || !get_uint (LAYOUT_UINT (HIGH_BIT), "HighBit", FALSE, info->bits_stored - 1,
                    &info->high_bit, error)
      || !get_uint (LAYOUT_UINT (PLANAR_CONFIGURATION), "PlanarConfiguration", FALSE, 0,
                    &info->planar_configuration, error)
      || !get_number_of_frames (found[TAG_NUMBER_OF_FRAMES], &info->n_frames, error))
    return FALSE;
  {
    guint representation = 0;

    if (!get_uint (LAYOUT_UINT (PIXEL_REPRESENTATION), "PixelRepresentation", FALSE, 0,
                   &representation, error))
      return FALSE;
    info->is_signed = representation == 1;
  }

  if (info->rows == 0 || info->columns == 0)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_PARSE,
                   "(0028,0010) Rows or (0028,0011) Columns is zero");
      return FALSE;
    }
  if (info->bits_allocated != 1 && info->bits_allocated != 8 && info->bits_allocated != 16
      && info->bits_allocated != 32)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED,
                   "(0028,0100) BitsAllocated is not 1, 8, 16 or 32");
      return FALSE;
    }
  if (info->samples_per_pixel != 1 && info->samples_per_pixel != 3)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED,
                   "(0028,0002) SamplesPerPixel is not 1 or 3");
      return FALSE;
    }
  if (info->bits_stored == 0 || info->bits_stored > info->bits_allocated)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_PARSE,
                   "(0028,0101) BitsStored is zero or larger than (0028,0100) BitsAllocated");
      return FALSE;
    }
  /* High Bit should be Bits Stored - 1; a value that cannot be right is taken as that. */
  if (info->high_bit + 1 < info->bits_stored || info->high_bit >= info->bits_allocated)
    info->high_bit = info->bits_stored - 1;
  if (info->planar_configuration > 1)
    info->planar_configuration = 0;

#undef LAYOUT_UINT
  if (found[TAG_PHOTOMETRIC] != NULL && found[TAG_PHOTOMETRIC]->getOFString (text, 0).good () &&
      !text.empty ())
    g_strlcpy (info->photometric, trim (text).c_str (), sizeof info->photometric);
  else
    g_strlcpy (info->photometric, info->samples_per_pixel == 3 ? "RGB" : "MONOCHROME2",
               sizeof info->photometric);

  /* Encapsulated or native: the element's structure decides where there is one (a file
   * whose pixels were replaced by set_pixel_data is native whatever it was stored in). */
  if (layout->pixel_data != NULL)
    {
      E_TransferSyntax rep = EXS_Unknown;
      const DcmRepresentationParameter *param = NULL;
      DcmPixelSequence *seq = NULL;

      layout->pixel_data->getCurrentRepresentationKey (rep, param);
      if (layout->pixel_data->getEncapsulatedRepresentation (rep, param, seq).good ()
          && seq != NULL)
        layout->sequence = seq;
      info->encapsulated = layout->sequence != NULL;
    }
  else
    info->encapsulated = uid_is_encapsulated (file->transfer_syntax);

  info->lossy = uid_is_lossy (file->transfer_syntax);
  if (found[TAG_LOSSY] != NULL && found[TAG_LOSSY]->getOFString (text, 0).good ()
      && trim (text) == "01")
    info->lossy = TRUE;

  if (!info->encapsulated)
    layout->codec = CODEC_NATIVE;
  else if (uid_is_j2k (file->transfer_syntax))
    layout->codec = CODEC_J2K;
  else if (file->transfer_syntax == UID_DEFLATED_IMAGE_FRAME)
    layout->codec = CODEC_DEFLATE;
  else if (uid_is_dcmtk_codec (file->transfer_syntax))
    layout->codec = CODEC_DCMTK;
  else
    layout->codec = CODEC_UNKNOWN;

  /* Sizes, before anything is allocated. */
  layout->bytes_per_sample = info->bits_allocated == 1 ? 1 : info->bits_allocated / 8;
  layout->frame_bytes = (guint64) info->rows * info->columns * info->samples_per_pixel
                        * layout->bytes_per_sample;
  if (layout->frame_bytes > LACUNA_DICOM_MAX_FRAME_BYTES)
    {
      g_autofree char *need = g_format_size (layout->frame_bytes);
      g_autofree char *limit = g_format_size (LACUNA_DICOM_MAX_FRAME_BYTES);

      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_TOO_LARGE,
                   "(0028,0010) Rows × (0028,0011) Columns make a frame of %s, "
                   "more than the limit of %s", need, limit);
      return FALSE;
    }

  layout->native_422 = !info->encapsulated && info->samples_per_pixel == 3
                       && strcmp (info->photometric, "YBR_FULL_422") == 0;
  samples_stored = (guint64) info->rows * info->columns
                   * (layout->native_422 ? 2 : info->samples_per_pixel);
  layout->stored_frame_bits = samples_stored * info->bits_allocated;

  if (layout->native_422 && (info->columns % 2 != 0 || info->bits_allocated < 8))
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED,
                   "YBR_FULL_422 (0028,0004) PhotometricInterpretation needs an even "
                   "(0028,0011) Columns and 8 or 16 (0028,0100) BitsAllocated");
      return FALSE;
    }

  if (layout->pixel_data != NULL && !info->encapsulated)
    {
      guint64 need = (layout->stored_frame_bits * info->n_frames + 7) / 8;
      guint64 have = layout->pixel_data->getLength ();

      if (need > have)
        {
          g_autofree char *need_text = g_format_size (need);
          g_autofree char *have_text = g_format_size (have);

          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_TOO_LARGE,
                       "(0028,0010) Rows × (0028,0011) Columns × (0028,0008) NumberOfFrames "
                       "need %s but (7FE0,0010) Pixel Data holds %s", need_text, have_text);
          return FALSE;
        }
    }
  if (layout->sequence != NULL)
    {
      unsigned long n_fragments = layout->sequence->card ();

      n_fragments = n_fragments > 0 ? n_fragments - 1 : 0;   /* the Basic Offset Table */
      if (n_fragments == 0)
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_NO_PIXELS,
                       "(7FE0,0010) Pixel Data holds no compressed fragment");
          return FALSE;
        }
      if (info->n_frames > n_fragments)
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_TOO_LARGE,
                       "(0028,0008) NumberOfFrames says %u frames but (7FE0,0010) Pixel Data "
                       "holds %lu fragments", info->n_frames, n_fragments);
          return FALSE;
        }
    }
  return TRUE;
}

/* ---------------------------------------------------------------------------------------- */
/* Sample conversions                                                                       */

static void
swap_samples (guint8 *data,
              gsize   n_bytes,
              guint   width)
{
  if (width == 2)
    for (gsize i = 0; i + 1 < n_bytes; i += 2)
      {
        guint8 t = data[i];
        data[i] = data[i + 1];
        data[i + 1] = t;
      }
  else if (width == 4)
    for (gsize i = 0; i + 3 < n_bytes; i += 4)
      {
        guint32 v;
        memcpy (&v, data + i, 4);
        v = GUINT32_SWAP_LE_BE (v);
        memcpy (data + i, &v, 4);
      }
}

static void
swap_halves (guint8 *data,
             gsize   n_bytes)
{
  for (gsize i = 0; i + 3 < n_bytes; i += 4)
    {
      guint8 a = data[i], b = data[i + 1];
      data[i] = data[i + 2];
      data[i + 1] = data[i + 3];
      data[i + 2] = a;
      data[i + 3] = b;
    }
}

/* Stored values: bits above High Bit dropped, signed values sign-extended from Bits Stored
 * to the sample width (what GDCM's decoder gives, e.g. gdcmraw -P). In place, host order. */
static void
normalize_samples (guint8                     *data,
                   gsize                       n_samples,
                   const LacunaDicomPixelInfo *info)
{
  guint shift = info->high_bit + 1 - info->bits_stored;
  guint bits = info->bits_stored;

  if (info->bits_allocated < 8 || (bits == info->bits_allocated && shift == 0))
    return;

  if (info->bits_allocated == 8)
    {
      guint8 mask = (guint8) ((1u << bits) - 1);
      guint8 sign = (guint8) (1u << (bits - 1));

      for (gsize i = 0; i < n_samples; i++)
        {
          guint8 v = (guint8) ((data[i] >> shift) & mask);
          data[i] = (info->is_signed && (v & sign)) ? (guint8) (v | ~mask) : v;
        }
    }
  else if (info->bits_allocated == 16)
    {
      guint16 *p = (guint16 *) data;
      guint16 mask = (guint16) ((1u << bits) - 1);
      guint16 sign = (guint16) (1u << (bits - 1));

      for (gsize i = 0; i < n_samples; i++)
        {
          guint16 v = (guint16) ((p[i] >> shift) & mask);
          p[i] = (info->is_signed && (v & sign)) ? (guint16) (v | ~mask) : v;
        }
    }
  else
    {
      guint32 *p = (guint32 *) data;
      guint32 mask = bits == 32 ? G_MAXUINT32 : ((1u << bits) - 1);
      guint32 sign = 1u << (bits - 1);

      for (gsize i = 0; i < n_samples; i++)
        {
          guint32 v = (p[i] >> shift) & mask;
          p[i] = (info->is_signed && (v & sign)) ? (v | ~mask) : v;
        }
    }
}

/* src: samples in little-endian byte order as stored (1-bit data packed, starting at bit
 * src_bit of src[0]); writes the decoded frame to out (frame_bytes). */
static void
convert_native (const Layout *layout,
                const guint8 *src,
                guint         src_bit,
                guint8       *out)
{
  const LacunaDicomPixelInfo *info = &layout->info;
  guint bps = layout->bytes_per_sample;
  gsize n_pixels = (gsize) info->rows * info->columns;
  gsize n_samples = n_pixels * info->samples_per_pixel;

  if (info->bits_allocated == 1)
    {
      g_autofree guint8 *unpacked = NULL;
      guint8 *dst = out;

      if (info->samples_per_pixel == 3 && info->planar_configuration == 1)
        dst = unpacked = (guint8 *) g_malloc (n_samples);
      for (gsize i = 0; i < n_samples; i++)
        {
          gsize bit = src_bit + i;
          dst[i] = (src[bit >> 3] >> (bit & 7)) & 1;
        }
      if (unpacked != NULL)
        for (gsize i = 0; i < n_pixels; i++)
          for (guint s = 0; s < 3; s++)
            out[i * 3 + s] = unpacked[s * n_pixels + i];
      return;
    }

  if (layout->native_422)
    {
      /* Y0 Y1 Cb Cr for each pair of pixels → (Y0 Cb Cr) (Y1 Cb Cr) */
      for (gsize pair = 0; pair < n_pixels / 2; pair++)
        {
          const guint8 *s = src + pair * 4 * bps;
          guint8 *d = out + pair * 6 * bps;

          memcpy (d, s, bps);
          memcpy (d + bps, s + 2 * bps, 2 * bps);
          memcpy (d + 3 * bps, s + bps, bps);
          memcpy (d + 4 * bps, s + 2 * bps, 2 * bps);
        }
    }
  else if (info->samples_per_pixel == 3 && info->planar_configuration == 1)
    {
      for (guint s = 0; s < 3; s++)
        {
          const guint8 *plane = src + s * n_pixels * bps;

          if (bps == 1)
            for (gsize i = 0; i < n_pixels; i++)
              out[i * 3 + s] = plane[i];
          else
            for (gsize i = 0; i < n_pixels; i++)
              memcpy (out + (i * 3 + s) * bps, plane + i * bps, bps);
        }
    }
  else if (src != out)
    memcpy (out, src, n_samples * bps);

#if G_BYTE_ORDER == G_BIG_ENDIAN
  swap_samples (out, n_samples * bps, bps);
#endif
  normalize_samples (out, n_samples, info);
}

/* ---------------------------------------------------------------------------------------- */
/* Native                                                                                   */

static gboolean
decode_native (LacunaDicomFile *file,
               const Layout    *layout,
               guint            frame,
               guint8          *out,
               GError         **error)
{
  const LacunaDicomPixelInfo *info = &layout->info;
  guint64 first_bit = layout->stored_frame_bits * frame;
  guint64 offset = first_bit / 8;
  guint64 n_bytes = (first_bit + layout->stored_frame_bits + 7) / 8 - offset;
  guint64 length = layout->pixel_data->getLength ();
  gboolean in_place;
  g_autofree guint8 *tmp = NULL;
  guint8 *raw;
  OFCondition cond;
  gboolean stored_big_endian;
  DcmEVR vr = layout->pixel_data->getTag ().getEVR ();

  /* A 1-bit frame may end in a byte it shares with the next one; the last may be short. */
  if (offset + n_bytes > length)
    n_bytes = length - offset;

  in_place = info->bits_allocated != 1 && !layout->native_422
             && !(info->samples_per_pixel == 3 && info->planar_configuration == 1);
  if (in_place)
    raw = out;
  else
    raw = tmp = (guint8 *) g_try_malloc (n_bytes + 1);
  if (raw == NULL)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_TOO_LARGE,
                   "Not enough memory for one frame of (7FE0,0010) Pixel Data");
      return FALSE;
    }

  /* Ask for little-endian 16-bit words: DCMTK swaps OW read from a big-endian file. */
  cond = layout->pixel_data->getPartialValue (raw, (Uint32) offset, (Uint32) n_bytes, NULL,
                                              EBO_LittleEndian);
  if (cond.bad ())
    {
      _lacuna_dicom_set_error (error, LACUNA_DICOM_ERROR_PARSE,
                               "Reading (7FE0,0010) Pixel Data", cond);
      return FALSE;
    }

  stored_big_endian = !file->pixels_host_order
                      && DcmXfer (layout->dataset->getOriginalXfer ()).getByteOrder ()
                         == EBO_BigEndian;
  if (stored_big_endian)
    {
      if (vr == EVR_OW && info->bits_allocated == 32)
        swap_halves (raw, n_bytes);
      else if (vr != EVR_OW && info->bits_allocated >= 16)
        swap_samples (raw, n_bytes, info->bits_allocated / 8);
    }

  convert_native (layout, raw, (guint) (first_bit % 8), out);
  return TRUE;
}

/* ---------------------------------------------------------------------------------------- */
/* Encapsulated: fragments of a frame                                                       */

static DcmPixelItem *
get_item (DcmPixelSequence *seq,
          unsigned long     index)
{
  DcmPixelItem *item = NULL;

  if (seq->getItem (item, index).bad ())
    return NULL;
  return item;
}

/* Does this fragment start a frame? (JPEG SOI FFD8, J2K SOC FF4F, a JP2 signature box) */
static gboolean
fragment_starts_frame (DcmPixelItem *item,
                       Codec         codec)
{
  guint8 head[8] = { 0 };
  Uint32 n = MIN (item->getLength (), (Uint32) sizeof head);

  if (n < 2 || item->getPartialValue (head, 0, n).bad ())
    return FALSE;
  if (codec == CODEC_J2K)
    return (head[0] == 0xFF && head[1] == 0x4F)
           || (n == 8 && memcmp (head + 4, "jP  ", 4) == 0);
  return head[0] == 0xFF && head[1] == 0xD8;
}

/* Finds the fragments (item indices, 1-based: item 0 is the Basic Offset Table) of frame:
 * every fragment when there is one frame, else by the Basic Offset Table, else one fragment
 * a frame when the counts match, else by the codestream start markers. */
static gboolean
find_fragments (const Layout  *layout,
                guint          frame,
                unsigned long *out_first,
                unsigned long *out_count,
                GError       **error)
{
  DcmPixelSequence *seq = layout->sequence;
  unsigned long n_items = seq->card ();
  unsigned long n_fragments = n_items - 1;
  guint n_frames = layout->info.n_frames;
  DcmPixelItem *bot = get_item (seq, 0);

  if (n_frames == 1)
    {
      *out_first = 1;
      *out_count = n_fragments;
      return TRUE;
    }

  if (bot != NULL && bot->getLength () == 4 * (guint64) n_frames)
    {
      std::vector<Uint32> offsets (n_frames);
      guint64 position = 0;
      unsigned long first = 0, count = 0;

      if (bot->getPartialValue (offsets.data (), 0, 4 * n_frames, NULL, EBO_LittleEndian).good ())
        {
          guint64 start = GUINT32_FROM_LE (offsets[frame]);
          guint64 end = frame + 1 < n_frames ? GUINT32_FROM_LE (offsets[frame + 1]) : G_MAXUINT64;

          for (unsigned long i = 1; i < n_items; i++)
            {
              DcmPixelItem *item = get_item (seq, i);

              if (item == NULL)
                break;
              if (position >= start && position < end)
                {
                  if (count == 0)
                    first = i;
                  count++;
                }
              position += 8 + (guint64) item->getLength ();
            }
          if (count > 0 && position > start)
            {
              *out_first = first;
              *out_count = count;
              return TRUE;
            }
        }
    }

  if (n_fragments == n_frames)
    {
      *out_first = frame + 1;
      *out_count = 1;
      return TRUE;
    }

  if (layout->codec == CODEC_J2K || layout->codec == CODEC_DCMTK)
    {
      guint current = 0;
      unsigned long first = 0, count = 0;
      gboolean started = FALSE;

      for (unsigned long i = 1; i < n_items; i++)
        {
          DcmPixelItem *item = get_item (seq, i);

          if (item == NULL)
            break;
          if (fragment_starts_frame (item, layout->codec))
            {
              if (started)
                current++;
              started = TRUE;
            }
          if (current == frame && started)
            {
              if (count == 0)
                first = i;
              count++;
            }
          else if (current > frame)
            break;
        }
      if (count > 0)
        {
          *out_first = first;
          *out_count = count;
          return TRUE;
        }
    }

  g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_DECODE,
               "Cannot tell which fragments of (7FE0,0010) Pixel Data hold frame %u", frame + 1);
  return FALSE;
}

/* Concatenates the fragments [first, first + count) without keeping them in memory. */
static gboolean
read_fragments (const Layout         *layout,
                unsigned long         first,
                unsigned long         count,
                std::vector<guint8>  &data,
                GError              **error)
{
  guint64 total = 0;

  for (unsigned long i = first; i < first + count; i++)
    {
      DcmPixelItem *item = get_item (layout->sequence, i);

      if (item == NULL)
        break;
      total += item->getLength ();
    }
  if (total == 0 || total > G_MAXUINT32)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_DECODE,
                   "The compressed frame in (7FE0,0010) Pixel Data is empty or too large");
      return FALSE;
    }
  data.resize (total);
  total = 0;
  for (unsigned long i = first; i < first + count; i++)
    {
      DcmPixelItem *item = get_item (layout->sequence, i);
      Uint32 len;
      OFCondition cond;

      if (item == NULL)
        break;
      len = item->getLength ();
      if (len == 0)
        continue;
      cond = item->getPartialValue (data.data () + total, 0, len, NULL, EBO_LittleEndian);
      if (cond.bad ())
        {
          _lacuna_dicom_set_error (error, LACUNA_DICOM_ERROR_PARSE,
                                   "Reading a fragment of (7FE0,0010) Pixel Data", cond);
          return FALSE;
        }
      total += len;
    }
  data.resize (total);
  return TRUE;
}

/* ---------------------------------------------------------------------------------------- */
/* Encapsulated: codecs                                                                     */

static gboolean
decode_dcmtk (const Layout *layout,
              guint         frame,
              guint8       *out,
              char          out_photometric[24],
              GError      **error)
{
  const LacunaDicomPixelInfo *info = &layout->info;
  unsigned long first = 0, count = 0;
  Uint32 start_fragment;
  Uint32 size = (Uint32) layout->frame_bytes;
  OFString color_model;
  OFCondition cond;
  g_autofree guint8 *planar = NULL;
  guint8 *buffer = out;

  if (info->bits_allocated == 1)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED,
                   "Compressed 1-bit (0028,0100) BitsAllocated is not supported");
      return FALSE;
    }
  if (!find_fragments (layout, frame, &first, &count, error))
    return FALSE;
  start_fragment = (Uint32) first;

  /* DCMTK writes the frame in the planar configuration the dataset states. */
  if (info->samples_per_pixel == 3 && info->planar_configuration == 1)
    buffer = planar = (guint8 *) g_try_malloc (layout->frame_bytes + 1);
  if (buffer == NULL)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_TOO_LARGE,
                   "Not enough memory for one frame of (7FE0,0010) Pixel Data");
      return FALSE;
    }

  cond = layout->pixel_data->getUncompressedFrame (layout->dataset, frame, start_fragment,
                                                   buffer, size + (size & 1), color_model, NULL);
  /* Free the fragments DCMTK loaded: the file stays open for the next frame. */
  for (unsigned long i = first; i < first + count; i++)
    {
      DcmPixelItem *item = get_item (layout->sequence, i);

      if (item != NULL)
        item->compact ();
    }
  if (cond.bad ())
    {
      if (cond == EC_CannotChangeRepresentation || cond == EC_UnsupportedEncoding)
        g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED,
                     "No decoder for this transfer syntax: %s", cond.text ());
      else
        _lacuna_dicom_set_error (error, LACUNA_DICOM_ERROR_DECODE,
                                 "Decoding a frame of (7FE0,0010) Pixel Data", cond);
      return FALSE;
    }

  if (planar != NULL)
    {
      gsize n_pixels = (gsize) info->rows * info->columns;
      guint bps = layout->bytes_per_sample;

      for (guint s = 0; s < 3; s++)
        for (gsize i = 0; i < n_pixels; i++)
          memcpy (out + (i * 3 + s) * bps, planar + (s * n_pixels + i) * bps, bps);
    }
  normalize_samples (out, layout->frame_bytes / layout->bytes_per_sample, info);
  if (!color_model.empty ())
    g_strlcpy (out_photometric, color_model.c_str (), 24);
  return TRUE;
}

static gboolean
decode_j2k (const Layout *layout,
            guint         frame,
            guint8       *out,
            char          out_photometric[24],
            GError      **error)
{
  const LacunaDicomPixelInfo *info = &layout->info;
  unsigned long first = 0, count = 0;
  std::vector<guint8> data;

  if (info->bits_allocated == 1)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED,
                   "Compressed 1-bit (0028,0100) BitsAllocated is not supported");
      return FALSE;
    }
  if (!find_fragments (layout, frame, &first, &count, error)
      || !read_fragments (layout, first, count, data, error))
    return FALSE;
  if (!_lacuna_j2k_decode (data.data (), data.size (), info->columns, info->rows,
                           info->samples_per_pixel, layout->bytes_per_sample, info->is_signed,
                           out, layout->frame_bytes, error))
    return FALSE;
  /* OpenJPEG undoes the multi-component transform. */
  if (strcmp (info->photometric, "YBR_ICT") == 0 || strcmp (info->photometric, "YBR_RCT") == 0)
    g_strlcpy (out_photometric, "RGB", 24);
  return TRUE;
}

static gboolean
inflate_frame (const std::vector<guint8> &data,
               guint8                    *out,
               gsize                      out_size,
               GError                   **error)
{
  /* Raw deflate (RFC 1951) as the standard says; a zlib or gzip wrapper is also accepted. */
  for (int window_bits : { -15, 15 + 32 })
    {
      z_stream zs;
      int ret;

      memset (&zs, 0, sizeof zs);
      if (inflateInit2 (&zs, window_bits) != Z_OK)
        break;
      zs.next_in = (Bytef *) data.data ();
      zs.avail_in = (uInt) data.size ();
      zs.next_out = out;
      zs.avail_out = (uInt) out_size;
      ret = inflate (&zs, Z_FINISH);
      inflateEnd (&zs);
      if ((ret == Z_STREAM_END || ret == Z_BUF_ERROR || ret == Z_OK) && zs.avail_out == 0)
        return TRUE;
      if (ret == Z_STREAM_END)
        break;   /* a valid stream, but too short */
    }
  g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_DECODE,
               "A deflated frame of (7FE0,0010) Pixel Data does not inflate to the frame size");
  return FALSE;
}

static gboolean
decode_deflate (const Layout *layout,
                guint         frame,
                guint8       *out,
                GError      **error)
{
  unsigned long first = 0, count = 0;
  std::vector<guint8> data;
  gsize stored_bytes = (layout->stored_frame_bits + 7) / 8;
  g_autofree guint8 *raw = NULL;

  if (!find_fragments (layout, frame, &first, &count, error)
      || !read_fragments (layout, first, count, data, error))
    return FALSE;
  raw = (guint8 *) g_try_malloc (stored_bytes + 1);
  if (raw == NULL)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_TOO_LARGE,
                   "Not enough memory for one frame of (7FE0,0010) Pixel Data");
      return FALSE;
    }
  if (!inflate_frame (data, raw, stored_bytes, error))
    return FALSE;
  convert_native (layout, raw, 0, out);
  return TRUE;
}

/* ---------------------------------------------------------------------------------------- */
/* Public                                                                                   */

extern "C" gboolean
lacuna_dicom_file_get_pixel_info (LacunaDicomFile       *file,
                                  LacunaDicomPixelInfo  *info,
                                  GError               **error)
{
  g_return_val_if_fail (file != NULL, FALSE);
  g_return_val_if_fail (info != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  try
    {
      std::lock_guard<std::mutex> lock (file->pixel_lock);
      Layout layout;

      if (!read_layout (file, &layout, error))
        return FALSE;
      *info = layout.info;
      return TRUE;
    }
  catch (const std::exception &e)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_FAILED,
                   "Reading the pixel description failed: %s", e.what ());
    }
  catch (...)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_FAILED,
                   "Reading the pixel description failed");
    }
  return FALSE;
}

extern "C" GBytes *
lacuna_dicom_file_decode_frame (LacunaDicomFile  *file,
                                guint             frame,
                                char              out_photometric[24],
                                GError          **error)
{
  g_return_val_if_fail (file != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  try
    {
      std::lock_guard<std::mutex> lock (file->pixel_lock);
      Layout layout;
      g_autofree guint8 *out = NULL;
      char photometric[24];
      gboolean ok = FALSE;

      if (!read_layout (file, &layout, error))
        return NULL;
      if (layout.pixel_data == NULL)
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID,
                       "The file was opened header-only: its pixels cannot be decoded");
          return NULL;
        }
      if (frame >= layout.info.n_frames)
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID,
                       "Frame %u does not exist: (0028,0008) NumberOfFrames is %u",
                       frame + 1, layout.info.n_frames);
          return NULL;
        }
      if (layout.codec == CODEC_UNKNOWN)
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED,
                       "Pixel data compressed with transfer syntax %s cannot be decoded",
                       file->transfer_syntax.c_str ());
          return NULL;
        }

      /* One spare byte: DCMTK pads odd frame sizes to even. */
      out = (guint8 *) g_try_malloc (layout.frame_bytes + 1);
      if (out == NULL)
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_TOO_LARGE,
                       "Not enough memory for one frame of (7FE0,0010) Pixel Data");
          return NULL;
        }
      g_strlcpy (photometric, layout.info.photometric, sizeof photometric);
      if (layout.native_422)
        g_strlcpy (photometric, "YBR_FULL", sizeof photometric);

      switch (layout.codec)
        {
        case CODEC_NATIVE:
          ok = decode_native (file, &layout, frame, out, error);
          break;
        case CODEC_DCMTK:
          ok = decode_dcmtk (&layout, frame, out, photometric, error);
          break;
        case CODEC_J2K:
          ok = decode_j2k (&layout, frame, out, photometric, error);
          break;
        case CODEC_DEFLATE:
          ok = decode_deflate (&layout, frame, out, error);
          break;
        case CODEC_UNKNOWN:
        default:
          g_assert_not_reached ();
        }
      if (!ok)
        return NULL;
      if (out_photometric != NULL)
        g_strlcpy (out_photometric, photometric, 24);
      return g_bytes_new_take (g_steal_pointer (&out), layout.frame_bytes);
    }
  catch (const std::bad_alloc &)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_TOO_LARGE,
                   "Not enough memory to decode a frame of (7FE0,0010) Pixel Data");
    }
  catch (const std::exception &e)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_FAILED,
                   "Decoding a frame failed: %s", e.what ());
    }
  catch (...)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_FAILED,
                   "Decoding a frame failed");
    }
  return NULL;
}

static guint8 *
peek_native (LacunaDicomFile *file,
             gsize           *out_frame_size,
             guint           *out_n_frames,
             bool             readonly)
{
  g_return_val_if_fail (file != NULL, NULL);
  g_return_val_if_fail (out_frame_size != NULL && out_n_frames != NULL, NULL);

  try
    {
      std::lock_guard<std::mutex> lock (file->pixel_lock);
      Layout layout;
      const LacunaDicomPixelInfo *info = &layout.info;
      guint8 *bytes = NULL;
      OFCondition cond;
      gboolean big_endian;

      if (G_BYTE_ORDER != G_LITTLE_ENDIAN || !read_layout (file, &layout, NULL) ||
          layout.pixel_data == NULL || layout.codec != CODEC_NATIVE || layout.native_422 ||
          (info->bits_allocated != 8 && info->bits_allocated != 16) ||
          /* Unused high bits may hold old overlays or garbage: decode_frame masks them out
           * and a rebuilt Pixel Data drops them; these bytes would keep them. */
          info->bits_stored != info->bits_allocated ||
          (info->samples_per_pixel != 1 && info->planar_configuration == 1))
        return NULL;
      big_endian = !file->pixels_host_order
                   && DcmXfer (layout.dataset->getOriginalXfer ()).getByteOrder ()
                      == EBO_BigEndian;
      if (big_endian)
        return NULL;
      /* Read where it lies, in the bytes the file was opened from (little endian, as the
       * samples are in memory here). */
      if (readonly && _lacuna_dicom_peek_lazy_value (layout.pixel_data,
                                                     (const guint8 **) &bytes))
        {
          if (layout.pixel_data->getLengthField () < layout.frame_bytes * info->n_frames ||
              layout.pixel_data->getLengthField () > layout.frame_bytes * info->n_frames + 1)
            return NULL;
          *out_frame_size = layout.frame_bytes;
          *out_n_frames = info->n_frames;
          return bytes;
        }
      /* Never load a large value that was left on disk just to look at it. */
      if (!layout.pixel_data->valueLoaded () && layout.pixel_data->getLength () > PEEK_LOAD_MAX)
        return NULL;
      /* What is painted through the pointer must be the only copy of the pixels. */
      if (!readonly)
        layout.pixel_data->removeAllButCurrentRepresentations ();
      if (layout.pixel_data->getTag ().getEVR () == EVR_OW)
        {
          Uint16 *words = NULL;

          cond = layout.pixel_data->getUint16Array (words);
          bytes = (guint8 *) words;
        }
      else
        {
          Uint8 *octets = NULL;

          cond = layout.pixel_data->getUint8Array (octets);
          bytes = octets;
        }
      /* The frames and at most the pad byte of an odd length: more (bytes past the last
       * frame) is left to decode_frame and a rebuilt Pixel Data of the frames only. */
      if (cond.bad () || bytes == NULL ||
          layout.pixel_data->getLength () < layout.frame_bytes * info->n_frames ||
          layout.pixel_data->getLength () > layout.frame_bytes * info->n_frames + 1)
        return NULL;
      *out_frame_size = layout.frame_bytes;
      *out_n_frames = info->n_frames;
      return bytes;
    }
  catch (...)
    {
      return NULL;
    }
}

extern "C" guint8 *
lacuna_dicom_file_peek_native_pixels (LacunaDicomFile *file,
                                      gsize           *out_frame_size,
                                      guint           *out_n_frames)
{
  return peek_native (file, out_frame_size, out_n_frames, false);
}

extern "C" const guint8 *
lacuna_dicom_file_peek_native_pixels_readonly (LacunaDicomFile *file,
                                               gsize           *out_frame_size,
                                               guint           *out_n_frames)
{
  return peek_native (file, out_frame_size, out_n_frames, true);
}

extern "C" gboolean
lacuna_dicom_file_set_pixel_data (LacunaDicomFile  *file,
                                  gconstpointer     data,
                                  gsize             size,
                                  guint             bits_allocated,
                                  GError          **error)
{
  g_return_val_if_fail (file != NULL, FALSE);
  g_return_val_if_fail (data != NULL || size == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (bits_allocated != 8 && bits_allocated != 16 && bits_allocated != 32)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID,
                   "Native pixel data must have 8, 16 or 32 bits a sample");
      return FALSE;
    }
  if (size == 0 || size % (bits_allocated / 8) != 0 || size >= G_MAXUINT32 - 1)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID,
                   "The pixel data size does not fit whole samples or is out of range");
      return FALSE;
    }
  if (file->header_only)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID,
                   "The file was opened header-only: its pixels cannot be replaced");
      return FALSE;
    }

  try
    {
      std::lock_guard<std::mutex> lock (file->pixel_lock);
      DcmDataset *ds = file->format.getDataset ();
      DcmPixelData *pixel_data = new DcmPixelData (DCM_PixelData);
      OFCondition cond;

      if (bits_allocated == 8)
        {
          pixel_data->setVR (EVR_OB);
          cond = pixel_data->putUint8Array ((const Uint8 *) data, (unsigned long) size);
        }
      else
        {
          Uint16 *words = NULL;

          pixel_data->setVR (EVR_OW);
          cond = pixel_data->createUint16Array ((Uint32) (size / 2), words);
          if (cond.good ())
            {
              memcpy (words, data, size);
#if G_BYTE_ORDER == G_BIG_ENDIAN
              /* 32-bit samples held as 16-bit words: the low word comes first. */
              if (bits_allocated == 32)
                swap_halves ((guint8 *) words, size);
#endif
            }
        }
      if (cond.good ())
        cond = ds->insert (pixel_data, OFTrue /* replace */);
      else
        delete pixel_data;
      if (cond.bad ())
        {
          _lacuna_dicom_set_error (error, LACUNA_DICOM_ERROR_FAILED,
                                   "Replacing (7FE0,0010) Pixel Data", cond);
          return FALSE;
        }
      /* These describe the old compressed fragments. */
      delete ds->remove (DCM_ExtendedOffsetTable);
      delete ds->remove (DCM_ExtendedOffsetTableLengths);
      ds->updateOriginalXfer ();
      file->pixels_host_order = true;
      return TRUE;
    }
  catch (const std::bad_alloc &)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_TOO_LARGE,
                   "Not enough memory to replace (7FE0,0010) Pixel Data");
    }
  catch (const std::exception &e)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_FAILED,
                   "Replacing (7FE0,0010) Pixel Data failed: %s", e.what ());
    }
  catch (...)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_FAILED,
                   "Replacing (7FE0,0010) Pixel Data failed");
    }
  return FALSE;
}
