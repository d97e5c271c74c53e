/* lacuna-dicom-encode.cc: building native Pixel Data frame by frame, and lossless encoding.
 *
 * RLE, JPEG lossless SV1 and JPEG-LS lossless go through DCMTK's registered encoders;
 * JPEG 2000 lossless (1.2.840.10008.1.2.4.90) through OpenJPEG, one codestream a frame,
 * one fragment a frame, with a Basic Offset Table. Encoding happens in memory: the file
 * is then in the new syntax (decodable, and saved as it is).
 */
#define G_LOG_DOMAIN "lacuna-dicom-encode"

#include <string.h>

#include <new>
#include <string>
#include <vector>

#include <openjpeg.h>

#include "lacuna-dicom-private.h"

#include "dcmtk/dcmdata/dcpixel.h"
#include "dcmtk/dcmdata/dcpixseq.h"
#include "dcmtk/dcmdata/dcpxitem.h"
#include "dcmtk/dcmdata/dcrlerp.h"
#include "dcmtk/dcmjpeg/djrplol.h"
#include "dcmtk/dcmjpls/djrparam.h"
#include "dcmtk/dcmimage/diregist.h"

#define UID_RLE      "1.2.840.10008.1.2.5"
#define UID_JPEG_SV1 "1.2.840.10008.1.2.4.70"
#define UID_JPEG_LS  "1.2.840.10008.1.2.4.80"
#define UID_J2K_LL   "1.2.840.10008.1.2.4.90"

static DcmPixelData *
find_pixel_data (LacunaDicomFile *file)
{
  DcmElement *el = NULL;

  if (file->format.getDataset ()->findAndGetElement (DCM_PixelData, el, OFFalse).bad ()
      || el == NULL)
    return NULL;
  return OFdynamic_cast (DcmPixelData *, el);
}

/* The fragments of pd's current representation, or NULL when it is native. */
static DcmPixelSequence *
current_fragments (DcmPixelData *pd)
{
  E_TransferSyntax rep = EXS_Unknown;
  const DcmRepresentationParameter *param = NULL;
  DcmPixelSequence *seq = NULL;

  pd->getCurrentRepresentationKey (rep, param);
  if (pd->getEncapsulatedRepresentation (rep, param, seq).bad ())
    return NULL;
  return seq;
}

static bool
pixel_data_is_native (DcmPixelData *pd)
{
  return current_fragments (pd) == NULL;
}

gboolean
lacuna_dicom_file_pixels_are_native (LacunaDicomFile *file)
{
  g_return_val_if_fail (file != NULL, FALSE);

  try
    {
      std::lock_guard<std::mutex> lock (file->pixel_lock);
      DcmPixelData *pd = find_pixel_data (file);

      return pd != NULL && pixel_data_is_native (pd);
    }
  catch (...)
    {
      return FALSE;
    }
}

#if G_BYTE_ORDER == G_BIG_ENDIAN
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
#endif

gboolean
lacuna_dicom_file_build_pixel_data (LacunaDicomFile          *file,
                                    guint                     n_frames,
                                    gsize                     frame_size,
                                    guint                     bits_allocated,
                                    LacunaDicomFillFrameFunc  func,
                                    gpointer                  user_data,
                                    GError                  **error)
{
  guint64 total;

  g_return_val_if_fail (file != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (bits_allocated != 8 && bits_allocated != 16 && bits_allocated != 32)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID,
                   "Native pixel data must have 8, 16 or 32 bits a sample");
      return FALSE;
    }
  total = (guint64) n_frames * frame_size;
  if (n_frames == 0 || frame_size == 0 || frame_size % (bits_allocated / 8) != 0
      || total >= G_MAXUINT32 - 1)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_TOO_LARGE,
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
      DcmPixelData *pixel_data = new DcmPixelData (DCM_PixelData);
      guint8 *buffer = NULL;
      OFCondition cond;

      /* Not yet in the dataset: func may still decode the old value. */
      if (bits_allocated == 8)
        {
          Uint8 *bytes = NULL;

          pixel_data->setVR (EVR_OB);
          cond = pixel_data->createUint8Array ((Uint32) total, bytes);
          buffer = bytes;
        }
      else
        {
          Uint16 *words = NULL;

          pixel_data->setVR (EVR_OW);
          cond = pixel_data->createUint16Array ((Uint32) (total / 2), words);
          buffer = (guint8 *) words;
        }
      if (cond.bad () || buffer == NULL)
        {
          delete pixel_data;
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_TOO_LARGE,
                       "Not enough memory for the new (7FE0,0010) Pixel Data");
          return FALSE;
        }

      for (guint f = 0; f < n_frames; f++)
        {
          guint8 *out = buffer + (gsize) f * frame_size;

          if (!func (f, out, frame_size, user_data, error))
            {
              delete pixel_data;
              return FALSE;
            }
#if G_BYTE_ORDER == G_BIG_ENDIAN
          if (bits_allocated == 32)
            swap_halves (out, frame_size);
#endif
        }

      {
        std::lock_guard<std::mutex> lock (file->pixel_lock);
        DcmDataset *ds = file->format.getDataset ();

        cond = ds->insert (pixel_data, OFTrue /* replace */);
        if (cond.bad ())
          {
            delete pixel_data;
            _lacuna_dicom_set_error (error, LACUNA_DICOM_ERROR_FAILED,
                                     "Replacing (7FE0,0010) Pixel Data", cond);
            return FALSE;
          }
        /* These describe the old compressed fragments. */
        delete ds->remove (DCM_ExtendedOffsetTable);
        delete ds->remove (DCM_ExtendedOffsetTableLengths);
        ds->updateOriginalXfer ();
        file->pixels_host_order = true;
      }
      return TRUE;
    }
  catch (const std::bad_alloc &)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_TOO_LARGE,
                   "Not enough memory to replace (7FE0,0010) Pixel Data");
    }
  catch (...)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_FAILED,
                   "Replacing (7FE0,0010) Pixel Data failed");
    }
  return FALSE;
}

/* ---------------------------------------------------------------------------------------- */
/* JPEG 2000 lossless with OpenJPEG                                                         */

typedef struct
{
  std::vector<guint8> data;
  gsize               position = 0;
} WriteStream;

static OPJ_SIZE_T
wstream_write (void       *buffer,
               OPJ_SIZE_T  n_bytes,
               void       *user_data)
{
  WriteStream *ws = (WriteStream *) user_data;

  try
    {
      if (ws->position + n_bytes > ws->data.size ())
        ws->data.resize (ws->position + n_bytes);
      memcpy (ws->data.data () + ws->position, buffer, n_bytes);
      ws->position += n_bytes;
      return n_bytes;
    }
  catch (...)
    {
      return (OPJ_SIZE_T) -1;
    }
}

static OPJ_OFF_T
wstream_skip (OPJ_OFF_T  n_bytes,
              void      *user_data)
{
  WriteStream *ws = (WriteStream *) user_data;

  if (n_bytes < 0 && (gsize) -n_bytes > ws->position)
    return -1;
  ws->position += n_bytes;
  return n_bytes;
}

static OPJ_BOOL
wstream_seek (OPJ_OFF_T  position,
              void      *user_data)
{
  WriteStream *ws = (WriteStream *) user_data;

  if (position < 0)
    return OPJ_FALSE;
  ws->position = (gsize) position;
  return OPJ_TRUE;
}

static void
opj_message (const char *msg,
             void       *user_data)
{
  std::string *last = (std::string *) user_data;

  if (last->empty () && msg != NULL)
    {
      *last = msg;
      while (!last->empty () && (last->back () == '\n' || last->back () == ' '))
        last->pop_back ();
    }
}

/* Encodes one frame of native samples (interleaved, or planar when planar is true). */
static bool
j2k_encode_frame (const guint8               *samples,
                  const LacunaDicomPixelInfo *info,
                  bool                        planar,
                  std::vector<guint8>        &out,
                  GError                    **error)
{
  guint n_comps = info->samples_per_pixel;
  gsize n_pixels = (gsize) info->rows * info->columns;
  guint bps = info->bits_allocated / 8;
  opj_cparameters_t params;
  opj_image_cmptparm_t cparams[3];
  opj_image_t *image;
  opj_codec_t *codec = NULL;
  opj_stream_t *stream = NULL;
  WriteStream ws;
  std::string message;
  bool ok = false;
  guint min_side = MIN (info->rows, info->columns);
  int resolutions = 1;

  memset (cparams, 0, sizeof cparams);
  for (guint c = 0; c < n_comps; c++)
    {
      cparams[c].dx = 1;
      cparams[c].dy = 1;
      cparams[c].w = info->columns;
      cparams[c].h = info->rows;
      cparams[c].prec = info->bits_stored;
      cparams[c].sgnd = info->is_signed ? 1 : 0;
    }
  image = opj_image_create (n_comps, cparams, n_comps == 3 ? OPJ_CLRSPC_SRGB : OPJ_CLRSPC_GRAY);
  if (image == NULL)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_TOO_LARGE,
                   "Not enough memory to encode JPEG 2000");
      return false;
    }
  image->x0 = 0;
  image->y0 = 0;
  image->x1 = info->columns;
  image->y1 = info->rows;

  for (guint c = 0; c < n_comps; c++)
    {
      OPJ_INT32 *dest = image->comps[c].data;

      for (gsize i = 0; i < n_pixels; i++)
        {
          gsize index = planar ? c * n_pixels + i : i * n_comps + c;
          const guint8 *p = samples + index * bps;

          if (bps == 1)
            dest[i] = info->is_signed ? (OPJ_INT32) (gint8) *p : (OPJ_INT32) *p;
          else
            {
              guint16 v;

              memcpy (&v, p, 2);
              dest[i] = info->is_signed ? (OPJ_INT32) (gint16) v : (OPJ_INT32) v;
            }
        }
    }

  opj_set_default_encoder_parameters (&params);
  params.tcp_numlayers = 1;
  params.tcp_rates[0] = 0;
  params.cp_disto_alloc = 1;
  params.irreversible = 0;
  params.tcp_mct = 0;                /* RGB stays RGB: no YBR_RCT to declare */
  /* OpenJPEG refuses more levels than the smaller side allows. */
  while (resolutions < 6 && (1u << resolutions) <= min_side)
    resolutions++;
  params.numresolution = resolutions;

  codec = opj_create_compress (OPJ_CODEC_J2K);
  if (codec != NULL)
    {
      opj_set_error_handler (codec, opj_message, &message);
      if (opj_setup_encoder (codec, &params, image))
        {
          stream = opj_stream_create (1 << 20, OPJ_FALSE);
          if (stream != NULL)
            {
              opj_stream_set_user_data (stream, &ws, NULL);
              opj_stream_set_write_function (stream, wstream_write);
              opj_stream_set_skip_function (stream, wstream_skip);
              opj_stream_set_seek_function (stream, wstream_seek);
              ok = opj_start_compress (codec, image, stream)
                   && opj_encode (codec, stream)
                   && opj_end_compress (codec, stream);
              opj_stream_destroy (stream);
            }
        }
      opj_destroy_codec (codec);
    }
  /* The encoder may have taken the component buffers (STACK-NOTES §4): they are NULL then,
   * and opj_image_destroy frees what is left. */
  opj_image_destroy (image);

  if (!ok || ws.data.size () < 4)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_FAILED,
                   "JPEG 2000 encoding failed%s%s", message.empty () ? "" : ": ",
                   message.c_str ());
      return false;
    }
  ws.data.resize (MAX (ws.position, ws.data.size ()));
  out.swap (ws.data);
  return true;
}

/* A fragment of odd length is padded to even with one byte, which PS3.5 (A.4) says is
 * zero. DCMTK's JPEG-LS encoder leaves it as it was in the buffer it allocated: heap
 * contents in the output (and two runs that differ in that byte). A JPEG, JPEG-LS or
 * JPEG 2000 codestream ends with its EOI/EOC marker (FF D9), so a byte after that marker
 * at a fragment's end can only be padding: set it to zero. RLE fragments are left alone
 * (DCMTK pads their segments itself). */
static void
zero_fragment_pads (DcmPixelData *pd)
{
  DcmPixelSequence *seq = current_fragments (pd);

  if (seq == NULL)
    return;
  /* The fragments after the offset table, in one pass (getItem (i) seeks from the start). */
  for (DcmObject *obj = seq->nextInContainer (seq->nextInContainer (NULL)); obj != NULL;
       obj = seq->nextInContainer (obj))
    {
      DcmPixelItem *item = OFstatic_cast (DcmPixelItem *, obj);
      Uint8 *data = NULL;
      Uint32 length;

      if (item->getUint8Array (data).bad () || data == NULL)
        continue;
      length = item->getLength ();
      if (length >= 3 && length % 2 == 0 && data[length - 3] == 0xFF &&
          data[length - 2] == 0xD9)
        data[length - 1] = 0;
    }
}

static bool
encode_j2k (LacunaDicomFile  *file,
            DcmPixelData     *pd,
            GError          **error)
{
  LacunaDicomPixelInfo info;
  DcmPixelSequence *seq;
  DcmPixelItem *offset_table;
  DcmOffsetList offsets;
  const Uint8 *bytes = NULL;
  Uint8 *mutable_bytes = NULL;
  gsize frame_bytes;
  OFCondition cond;

  if (!lacuna_dicom_file_get_pixel_info (file, &info, error))
    return false;
  if ((info.bits_allocated != 8 && info.bits_allocated != 16) || info.bits_stored > 16
      || (info.samples_per_pixel != 1 && info.samples_per_pixel != 3)
      || strcmp (info.photometric, "YBR_FULL_422") == 0
      || strncmp (info.photometric, "YBR_PARTIAL", 11) == 0)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED,
                   "JPEG 2000 lossless encoding needs 8 or 16 (0028,0100) BitsAllocated, at "
                   "most 16 (0028,0101) BitsStored, 1 or 3 samples and no subsampling");
      return false;
    }
  frame_bytes = (gsize) info.rows * info.columns * info.samples_per_pixel
                * (info.bits_allocated / 8);

  if (info.bits_allocated == 8)
    cond = pd->getUint8Array (mutable_bytes);
  else
    {
      Uint16 *words = NULL;

      cond = pd->getUint16Array (words);
      mutable_bytes = (Uint8 *) words;
    }
  bytes = mutable_bytes;
  if (cond.bad () || bytes == NULL || pd->getLength () < frame_bytes * info.n_frames)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_PARSE,
                   "(7FE0,0010) Pixel Data is shorter than its frames");
      return false;
    }

  seq = new DcmPixelSequence (DCM_PixelSequenceTag);
  offset_table = new DcmPixelItem (DCM_PixelItemTag);
  seq->insert (offset_table);
  for (guint f = 0; f < info.n_frames; f++)
    {
      std::vector<guint8> codestream;

      if (!j2k_encode_frame (bytes + (gsize) f * frame_bytes, &info,
                             info.planar_configuration == 1, codestream, error))
        {
          delete seq;
          return false;
        }
      cond = seq->storeCompressedFrame (offsets, codestream.data (),
                                        (Uint32) codestream.size (), 0);
      if (cond.bad ())
        {
          delete seq;
          _lacuna_dicom_set_error (error, LACUNA_DICOM_ERROR_FAILED,
                                   "storing a JPEG 2000 frame", cond);
          return false;
        }
    }
  cond = offset_table->createOffsetTable (offsets);
  if (cond.bad ())
    {
      delete seq;
      _lacuna_dicom_set_error (error, LACUNA_DICOM_ERROR_FAILED,
                               "building the Basic Offset Table", cond);
      return false;
    }

  {
    std::lock_guard<std::mutex> lock (file->pixel_lock);
    DcmDataset *ds = file->format.getDataset ();

    /* Replaces every representation (the native one too) with the fragments. */
    pd->putOriginalRepresentation (EXS_JPEG2000LosslessOnly, NULL, seq);
    zero_fragment_pads (pd);
    /* Interleaved or planar, the codestream has one component a sample. */
    if (info.samples_per_pixel == 3)
      ds->putAndInsertUint16 (DCM_PlanarConfiguration, 0);
    file->transfer_syntax = UID_J2K_LL;
  }
  return true;
}

static bool
encode_dcmtk (LacunaDicomFile   *file,
              DcmPixelData      *pd,
              E_TransferSyntax   tx,
              const char        *uid,
              GError           **error)
{
  DcmDataset *ds = file->format.getDataset ();
  DcmRLERepresentationParameter rle;
  DJ_RPLossless jpeg (1, 0);
  DJLSRepresentationParameter jpls (0, OFTrue);
  const DcmRepresentationParameter *param = NULL;
  OFCondition cond;

  if (tx == EXS_RLELossless)
    param = &rle;
  else if (tx == EXS_JPEGProcess14SV1)
    param = &jpeg;
  else
    param = &jpls;

  std::lock_guard<std::mutex> lock (file->pixel_lock);
  OFString derivation;
  bool had_derivation = ds->findAndGetOFStringArray (DCM_DerivationDescription,
                                                     derivation).good ();

  cond = ds->chooseRepresentation (tx, param);
  /* DCMTK's JPEG encoder writes its own Derivation Description; a lossless re-encoding
   * derives nothing, so the element stays as it was (absent included). */
  if (had_derivation)
    ds->putAndInsertOFStringArray (DCM_DerivationDescription, derivation);
  else
    delete ds->remove (DCM_DerivationDescription);
  if (cond.bad () || !ds->canWriteXfer (tx, EXS_LittleEndianExplicit)
      || pixel_data_is_native (pd))
    {
      if (cond.good ())
        cond = EC_CannotChangeRepresentation;
      /* Back to the native value the encoder started from. */
      ds->chooseRepresentation (EXS_LittleEndianExplicit, NULL);
      pd->removeAllButCurrentRepresentations ();
      _lacuna_dicom_set_error (error, LACUNA_DICOM_ERROR_UNSUPPORTED,
                               "cannot encode the pixel data losslessly", cond);
      return false;
    }
  pd->removeAllButCurrentRepresentations ();
  if (tx != EXS_RLELossless)
    zero_fragment_pads (pd);
  file->transfer_syntax = uid;
  return true;
}

gboolean
lacuna_dicom_file_encode_pixel_data (LacunaDicomFile  *file,
                                     const char       *transfer_syntax,
                                     GError          **error)
{
  g_return_val_if_fail (file != NULL, FALSE);
  g_return_val_if_fail (transfer_syntax != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  try
    {
      DcmPixelData *pd;

      if (file->header_only)
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID,
                       "The file was opened header-only: its pixels cannot be encoded");
          return FALSE;
        }
      pd = find_pixel_data (file);
      if (pd == NULL)
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_NO_PIXELS,
                       "The object has no (7FE0,0010) Pixel Data");
          return FALSE;
        }
      if (!pixel_data_is_native (pd))
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID,
                       "(7FE0,0010) Pixel Data is already encapsulated");
          return FALSE;
        }
      if (pd->loadAllDataIntoMemory ().bad ())
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_PARSE,
                       "cannot read (7FE0,0010) Pixel Data");
          return FALSE;
        }

      if (strcmp (transfer_syntax, UID_J2K_LL) == 0)
        return encode_j2k (file, pd, error);
      if (strcmp (transfer_syntax, UID_RLE) == 0)
        return encode_dcmtk (file, pd, EXS_RLELossless, UID_RLE, error);
      if (strcmp (transfer_syntax, UID_JPEG_SV1) == 0)
        return encode_dcmtk (file, pd, EXS_JPEGProcess14SV1, UID_JPEG_SV1, error);
      if (strcmp (transfer_syntax, UID_JPEG_LS) == 0)
        return encode_dcmtk (file, pd, EXS_JPEGLSLossless, UID_JPEG_LS, error);

      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED,
                   "cannot encode pixel data in %s (lossless RLE, JPEG SV1, JPEG-LS and "
                   "JPEG 2000 only)", transfer_syntax);
    }
  catch (const std::bad_alloc &)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_TOO_LARGE,
                   "Not enough memory to encode (7FE0,0010) Pixel Data");
    }
  catch (...)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_FAILED,
                   "Encoding (7FE0,0010) Pixel Data failed");
    }
  return FALSE;
}

GBytes *
lacuna_dicom_file_dup_fragments (LacunaDicomFile  *file,
                                 GError          **error)
{
  g_return_val_if_fail (file != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  try
    {
      std::lock_guard<std::mutex> lock (file->pixel_lock);
      DcmPixelData *pd = find_pixel_data (file);
      DcmPixelSequence *seq;
      GByteArray *out;

      if (pd == NULL)
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_NO_PIXELS,
                       "The object has no (7FE0,0010) Pixel Data");
          return NULL;
        }
      seq = current_fragments (pd);
      if (seq == NULL)
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID,
                       "(7FE0,0010) Pixel Data is not encapsulated");
          return NULL;
        }
      out = g_byte_array_new ();
      /* After the offset table, in one pass (getItem (i) seeks from the start). */
      for (DcmObject *obj = seq->nextInContainer (seq->nextInContainer (NULL)); obj != NULL;
           obj = seq->nextInContainer (obj))
        {
          DcmPixelItem *item = OFstatic_cast (DcmPixelItem *, obj);
          Uint8 *data = NULL;

          if (item->loadAllDataIntoMemory ().bad ())
            {
              g_byte_array_unref (out);
              g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_PARSE,
                           "cannot read a fragment of (7FE0,0010) Pixel Data");
              return NULL;
            }
          if (item->getLength () > 0 && item->getUint8Array (data).good () && data != NULL)
            g_byte_array_append (out, data, item->getLength ());
        }
      return g_byte_array_free_to_bytes (out);
    }
  catch (...)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_FAILED,
                   "Reading the fragments of (7FE0,0010) Pixel Data failed");
    }
  return NULL;
}
