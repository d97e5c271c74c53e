/* lacuna-dicom-write.cc: saving Part 10 files and writing DICOMDIRs. */
#define G_LOG_DOMAIN "lacuna-dicom"

#include <cstring>
#include <exception>
#include <memory>
#include <string>

#include <glib/gstdio.h>

#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dctk.h"
#include "dcmtk/dcmdata/dcddirif.h"
#include "dcmtk/dcmdata/dcostrmb.h"
#include "dcmtk/dcmdata/dcrlerp.h"
#include "dcmtk/dcmjpeg/djrplol.h"
#include "dcmtk/dcmjpls/djrparam.h"
#include "dcmtk/dcmimage/diregist.h"

#include "lacuna-dicom-private.h"

/* Our own implementation identity in the meta header (PS3.7 D.3.3.2: a UID derived
 * once from a random UUID under the 2.25 root). */
#define LACUNA_IMPLEMENTATION_CLASS_UID "2.25.164659697488818664235577105329346177136"
#define LACUNA_IMPLEMENTATION_VERSION   "LACUNA_010"

static bool
is_native_xfer (E_TransferSyntax xfer)
{
  return xfer == EXS_LittleEndianImplicit || xfer == EXS_LittleEndianExplicit ||
         xfer == EXS_BigEndianExplicit || xfer == EXS_DeflatedLittleEndianExplicit;
}

/* Can DCMTK's registered decoders turn this stored syntax into native samples? */
static bool
dcmtk_can_decode (E_TransferSyntax xfer)
{
  switch (xfer)
    {
    case EXS_JPEGProcess1:
    case EXS_JPEGProcess2_4:
    case EXS_JPEGProcess14:
    case EXS_JPEGProcess14SV1:
    case EXS_JPEGLSLossless:
    case EXS_JPEGLSLossy:
    case EXS_RLELossless:
      return true;
    default:
      return is_native_xfer (xfer);
    }
}

static bool
set_meta (DcmFileFormat     &out,
          E_TransferSyntax   xfer,
          GError           **error)
{
  DcmMetaInfo *meta = out.getMetaInfo ();
  OFCondition cond;

  cond = out.validateMetaInfo (xfer, EWM_createNewMeta);
  if (cond.good ())
    cond = meta->putAndInsertString (DCM_ImplementationClassUID, LACUNA_IMPLEMENTATION_CLASS_UID);
  if (cond.good ())
    cond = meta->putAndInsertString (DCM_ImplementationVersionName,
                                     LACUNA_IMPLEMENTATION_VERSION);
  /* The group length was computed for DCMTK's own identity: recompute it. */
  if (cond.good ())
    cond = meta->computeGroupLengthAndPadding (EGL_withGL, EPD_noChange, EXS_LittleEndianExplicit,
                                               EET_ExplicitLength);
  if (cond.bad ())
    {
      _lacuna_dicom_set_error (error, LACUNA_DICOM_ERROR_WRITE,
                               "cannot build the file meta information", cond);
      return false;
    }
  return true;
}

/* Writes the whole file (preamble, meta, dataset) into out, a buffer at a time. */
static OFCondition
write_to_bytes (DcmFileFormat    &format,
                E_TransferSyntax  tx,
                GByteArray       *out)
{
  const offile_off_t chunk = 256 * 1024;
  std::unique_ptr<guint8[]> buffer (new guint8[chunk]);
  DcmOutputBufferStream stream (buffer.get (), chunk);
  OFCondition cond;

  format.transferInit ();
  do
    {
      void *data = NULL;
      offile_off_t length = 0;

      cond = format.write (stream, tx, EET_ExplicitLength, NULL, EGL_withoutGL, EPD_noChange,
                           0, 0, 0, EWM_dontUpdateMeta);
      stream.flushBuffer (data, length);
      if (length > 0)
        g_byte_array_append (out, (const guint8 *) data, (guint) length);
    }
  while (cond == EC_StreamNotifyClient);
  format.transferEnd ();
  /* A deflated dataset still sits partly in the compression filter. */
  while (cond.good () && !stream.isFlushed ())
    {
      void *data = NULL;
      offile_off_t length = 0;

      stream.flush ();
      stream.flushBuffer (data, length);
      if (length > 0)
        g_byte_array_append (out, (const guint8 *) data, (guint) length);
      else if (!stream.isFlushed ())
        return EC_StreamNotifyClient;
    }
  return cond;
}

/* Saves to path, or into bytes when path is NULL. */
static gboolean
save_common (LacunaDicomFile  *file,
             const char       *path,
             GByteArray       *bytes,
             const char       *transfer_syntax,
             GError          **error)
{
  try
    {
      const char *target_uid = transfer_syntax != NULL ? transfer_syntax
                                                       : UID_LittleEndianExplicitTransferSyntax;
      DcmXfer target (target_uid);
      E_TransferSyntax tx = target.getXfer ();
      E_TransferSyntax current = DcmXfer (file->transfer_syntax.c_str ()).getXfer ();
      bool current_unknown = _lacuna_dicom_is_unknown_encapsulated (file->transfer_syntax);
      DcmDataset *source = file->format.getDataset ();
      DcmElement *pixels = NULL;
      bool has_pixels;
      OFCondition cond;

      if (file->header_only)
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_FAILED,
                       "the file was opened without its pixel data and cannot be saved");
          return FALSE;
        }
      if (tx == EXS_Unknown || strcmp (target.getXferID (), target_uid) != 0)
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED,
                       "cannot write transfer syntax %s", target_uid);
          return FALSE;
        }

      /* Lazily loaded values are read from the source now (saving onto the source path
       * would otherwise write empty values: STACK-NOTES §2). */
      cond = file->format.loadAllDataIntoMemory ();
      if (cond.bad ())
        {
          _lacuna_dicom_set_error (error, LACUNA_DICOM_ERROR_PARSE,
                                   "cannot read all values of the source", cond);
          return FALSE;
        }

      has_pixels = source->findAndGetElement (DCM_PixelData, pixels, OFFalse).good () &&
                   pixels != NULL;
      /* Pixels replaced in memory (set_pixel_data, build_pixel_data) are native whatever
       * the file was stored in: nothing needs decoding then. */
      if (has_pixels && !is_native_xfer (current) && lacuna_dicom_file_pixels_are_native (file))
        {
          current = EXS_LittleEndianExplicit;
          current_unknown = false;
        }
      if (has_pixels && tx != current)
        {
          bool encode = tx == EXS_RLELossless || tx == EXS_JPEGProcess14SV1 ||
                        tx == EXS_JPEGLSLossless;

          if (current_unknown || !dcmtk_can_decode (current))
            {
              g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED,
                           "cannot convert pixel data from %s to %s",
                           file->transfer_syntax.c_str (), target_uid);
              return FALSE;
            }
          if (!is_native_xfer (tx) && !encode)
            {
              g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED,
                           "cannot encode pixel data in %s (lossless RLE, JPEG SV1 and JPEG-LS "
                           "only)", target_uid);
              return FALSE;
            }
        }
      else if (current_unknown)
        {
          /* DCMTK 3.6.7 cannot name these syntaxes in a meta header. */
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED,
                       "cannot write transfer syntax %s", file->transfer_syntax.c_str ());
          return FALSE;
        }

      {
        /* A fresh file format: a zero preamble whatever the source had (CVE-2019-11687)
         * and a new meta header. The source dataset is left as it is. */
        DcmFileFormat out (source);
        DcmDataset *dataset = out.getDataset ();

        if (has_pixels && tx != current)
          {
            DcmRLERepresentationParameter rle;
            DJ_RPLossless jpeg (1, 0);
            DJLSRepresentationParameter jpls (0, OFTrue);
            const DcmRepresentationParameter *param = NULL;

            if (tx == EXS_RLELossless)
              param = &rle;
            else if (tx == EXS_JPEGProcess14SV1)
              param = &jpeg;
            else if (tx == EXS_JPEGLSLossless)
              param = &jpls;

            cond = dataset->chooseRepresentation (tx, param);
            if (cond.bad () || !dataset->canWriteXfer (tx, current))
              {
                if (cond.good ())
                  cond = EC_CannotChangeRepresentation;
                _lacuna_dicom_set_error (error, LACUNA_DICOM_ERROR_UNSUPPORTED,
                                         "cannot convert the pixel data", cond);
                return FALSE;
              }
          }

        if (!set_meta (out, tx, error))
          return FALSE;

        if (path != NULL)
          cond = out.saveFile (OFFilename (path), tx, EET_ExplicitLength, EGL_withoutGL,
                               EPD_noChange, 0, 0, EWM_dontUpdateMeta);
        else
          cond = write_to_bytes (out, tx, bytes);
        if (cond.bad ())
          {
            _lacuna_dicom_set_error (error, LACUNA_DICOM_ERROR_WRITE, "cannot write the file",
                                     cond);
            return FALSE;
          }
      }
      return TRUE;
    }
  catch (const std::bad_alloc &)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_TOO_LARGE,
                   "out of memory while writing the file");
    }
  catch (const std::exception &)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_FAILED,
                   "writing the file failed unexpectedly");
    }
  return FALSE;
}

gboolean
lacuna_dicom_file_save (LacunaDicomFile  *file,
                        const char       *path,
                        const char       *transfer_syntax,
                        GError          **error)
{
  g_return_val_if_fail (file != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return save_common (file, path, NULL, transfer_syntax, error);
}

GBytes *
lacuna_dicom_file_save_to_bytes (LacunaDicomFile  *file,
                                 const char       *transfer_syntax,
                                 GError          **error)
{
  GByteArray *bytes;

  g_return_val_if_fail (file != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  bytes = g_byte_array_new ();
  if (!save_common (file, NULL, bytes, transfer_syntax, error))
    {
      g_byte_array_unref (bytes);
      return NULL;
    }
  return g_byte_array_free_to_bytes (bytes);
}

/* ---------------------------------------------------------------------------------------- */
/* DICOMDIR                                                                                 */

static bool
valid_file_id (const char *id)
{
  g_auto(GStrv) parts = NULL;
  guint n;

  if (id == NULL || *id == '\0')
    return false;
  parts = g_strsplit (id, "/", -1);
  n = g_strv_length (parts);
  if (n > 8)
    return false;
  for (guint i = 0; i < n; i++)
    {
      gsize len = strlen (parts[i]);

      if (len == 0 || len > 8)
        return false;
      for (gsize j = 0; j < len; j++)
        {
          char c = parts[i][j];

          if (!(g_ascii_isupper (c) || g_ascii_isdigit (c) || c == '_'))
            return false;
        }
    }
  return true;
}

/* DCMTK would invent these (STACK-NOTES §2); we refuse instead, naming the attribute. */
static bool
check_required (const char  *root,
                const char  *id,
                GError     **error)
{
  static const struct
  {
    const char *path;
    const char *what;
  } required[] = {
    { "00100020", "(0010,0020) PatientID" },
    { "00080020", "(0008,0020) StudyDate" },
  };
  g_autofree char *path = g_build_filename (root, id, NULL);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(LacunaDicomFile) file = NULL;

  file = lacuna_dicom_file_open (path, LACUNA_DICOM_OPEN_HEADER_ONLY, &local_error);
  if (file == NULL)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_WRITE,
                   "cannot list %s in the DICOMDIR: %s", id, local_error->message);
      return false;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (required); i++)
    {
      g_autofree char *value = lacuna_dicom_file_dup_string (file, required[i].path, NULL);

      if (value == NULL || *g_strstrip (value) == '\0')
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID,
                       "cannot list %s in the DICOMDIR: required attribute %s is empty", id,
                       required[i].what);
          return false;
        }
    }
  return true;
}

static bool
file_is_explicit_le (const char *root,
                     const char *file_id)
{
  g_autofree char *path = g_build_filename (root, file_id, NULL);
  DcmFileFormat format;
  OFString syntax;

  if (format.loadFile (OFFilename (path), EXS_Unknown, EGL_noChange, 0, ERM_metaOnly).bad ())
    return false;
  if (format.getMetaInfo ()->findAndGetOFString (DCM_TransferSyntaxUID, syntax).bad ())
    return false;
  return syntax == UID_LittleEndianExplicitTransferSyntax;
}

/* 2.25.<decimal of 128 bits of SHA-256 over the file-set ID and the file IDs>, with the
 * variant and version bits of a UUIDv8 as for every other UID Lacuna derives. */
static char *
derive_dicomdir_uid (const char         *fileset_id,
                     const char * const *file_ids)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize length = sizeof digest;
  unsigned __int128 value = 0;
  char digits[48];
  int n = 0;

  g_checksum_update (sum, (const guchar *) "lacuna-dicomdir", -1);
  g_checksum_update (sum, (const guchar *) (fileset_id != NULL ? fileset_id : ""), -1);
  for (gsize i = 0; file_ids[i] != NULL; i++)
    {
      g_checksum_update (sum, (const guchar *) "\n", 1);
      g_checksum_update (sum, (const guchar *) file_ids[i], -1);
    }
  g_checksum_get_digest (sum, digest, &length);
  digest[6] = (digest[6] & 0x0F) | 0x80;   /* version 8 */
  digest[8] = (digest[8] & 0x3F) | 0x80;   /* variant 10 */
  for (int i = 0; i < 16; i++)
    value = (value << 8) | digest[i];
  do
    {
      digits[n++] = (char) ('0' + (int) (value % 10));
      value /= 10;
    }
  while (value != 0);

  {
    GString *uid = g_string_new ("2.25.");

    while (n > 0)
      g_string_append_c (uid, digits[--n]);
    return g_string_free (uid, FALSE);
  }
}

gboolean
lacuna_dicom_write_dicomdir (const char          *root,
                             const char          *fileset_id,
                             const char * const  *file_ids,
                             GError             **error)
{
  g_return_val_if_fail (root != NULL, FALSE);
  g_return_val_if_fail (file_ids != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  lacuna_dicom_init ();

  for (gsize i = 0; file_ids[i] != NULL; i++)
    {
      if (!valid_file_id (file_ids[i]))
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID,
                       "“%s” is not a valid DICOM file ID (A–Z, 0–9 and _, at most 8 characters "
                       "a component)", file_ids[i]);
          return FALSE;
        }
      if (!check_required (root, file_ids[i], error))
        return FALSE;
    }

  /* STD-GEN-CD admits only Explicit VR Little Endian files; a set holding compressed (or
   * other) files is listed under the general purpose MIME profile (STD-GEN-MIME), which
   * admits every transfer syntax. */
  bool all_explicit_le = true;

  for (gsize i = 0; all_explicit_le && file_ids[i] != NULL; i++)
    all_explicit_le = file_is_explicit_le (root, file_ids[i]);

  /* DCMTK writes the DICOMDIR in place, so build it under a temporary name in root
   * (file IDs in it are relative to root, not to the DICOMDIR's name) and rename it
   * only once it is complete: a failure never leaves a half-written DICOMDIR behind. */
  {
    g_autofree char *final_path = g_build_filename (root, "DICOMDIR", NULL);
    g_autofree char *tmp_name = g_strdup_printf (".DICOMDIR-%08X.tmp", g_random_int ());
    g_autofree char *tmp_path = g_build_filename (root, tmp_name, NULL);
    bool ok = false;

    try
      {
        DicomDirInterface dd;
        OFCondition cond;

        /* DCMTK's "disable" switches disable with OFFalse. No backup (the DICOMDIR is new),
         * and no comparison of each record with the ones before it: that check only logs
         * warnings (silenced here), and its search made a set of n files cost n². */
        dd.disableBackupMode (OFFalse);
        dd.disableConsistencyCheck (OFFalse);
        dd.enableInventMode (OFFalse);
        dd.enableInventPatientIDMode (OFFalse);

        cond = dd.createNewDicomDir (all_explicit_le ? DicomDirInterface::AP_GeneralPurpose
                                                     : DicomDirInterface::AP_GeneralPurposeMIME,
                                     OFFilename (tmp_path),
                                     OFString (fileset_id != NULL ? fileset_id : ""));
        if (cond.bad ())
          _lacuna_dicom_set_error (error, LACUNA_DICOM_ERROR_WRITE, "cannot create a DICOMDIR",
                                   cond);
        for (gsize i = 0; cond.good () && file_ids[i] != NULL; i++)
          {
            g_autofree char *id = g_strdup (file_ids[i]);

            for (char *c = id; *c != '\0'; c++)
              if (*c == '/')
                *c = PATH_SEPARATOR;
            cond = dd.addDicomFile (OFFilename (id), OFFilename (root));
            if (cond.bad ())
              {
                g_autofree char *what = g_strdup_printf ("cannot list %s in the DICOMDIR",
                                                         file_ids[i]);
                _lacuna_dicom_set_error (error, LACUNA_DICOM_ERROR_WRITE, what, cond);
              }
          }
        if (cond.good ())
          {
            cond = dd.writeDicomDir (EET_UndefinedLength, EGL_withoutGL);
            if (cond.bad ())
              _lacuna_dicom_set_error (error, LACUNA_DICOM_ERROR_WRITE,
                                       "cannot write the DICOMDIR", cond);
          }
        if (cond.good ())
          {
            /* DCMTK gives a new DICOMDIR a random SOP Instance UID; derive it from what the
             * DICOMDIR lists instead, so the same files give the same DICOMDIR byte for byte.
             * DcmDicomDir::write() recomputes the record offsets. */
            g_autofree char *uid = derive_dicomdir_uid (fileset_id, file_ids);
            DcmDicomDir dir{OFFilename (tmp_path)};

            cond = dir.error ();
            if (cond.good ())
              cond = dir.getDirFileFormat ().getMetaInfo ()->putAndInsertString (
                       DCM_MediaStorageSOPInstanceUID, uid);
            if (cond.good ())
              cond = dir.write (EXS_LittleEndianExplicit, EET_UndefinedLength, EGL_withoutGL);
            if (cond.bad ())
              _lacuna_dicom_set_error (error, LACUNA_DICOM_ERROR_WRITE,
                                       "cannot write the DICOMDIR", cond);
          }
        ok = cond.good ();
      }
    catch (const std::exception &)
      {
        g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_FAILED,
                     "writing the DICOMDIR failed unexpectedly");
        ok = false;
      }

    if (ok && g_rename (tmp_path, final_path) != 0)
      {
        int saved = errno;

        g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_WRITE,
                     "cannot rename the DICOMDIR into place: %s", g_strerror (saved));
        ok = false;
      }
    if (!ok)
      g_unlink (tmp_path);
    return ok;
  }
}
