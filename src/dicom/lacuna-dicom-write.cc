/* lacuna-dicom-write.cc: saving Part 10 files and writing DICOMDIRs. */
#define G_LOG_DOMAIN "lacuna-dicom"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <list>
#include <map>
#include <atomic>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <glib/gstdio.h>

#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dctk.h"
#include "dcmtk/dcmdata/dcddirif.h"
#include "dcmtk/dcmdata/dcistrmb.h"
#include "dcmtk/dcmdata/dcostrmb.h"
#include "dcmtk/dcmdata/dcrlerp.h"
#include "dcmtk/dcmjpeg/djrplol.h"
#include "dcmtk/dcmjpls/djrparam.h"
#include "dcmtk/dcmimage/diregist.h"

#include "lacuna-dicom-private.h"
#include "lacuna-dicom-dicomdir.h"

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

/* Moves what stream holds to the end of *spilled; returns how many bytes. */
static gsize
spill (DcmOutputBufferStream  &stream,
       GByteArray            **spilled)
{
  void *data = NULL;
  offile_off_t length = 0;

  stream.flushBuffer (data, length);
  if (*spilled == NULL)
    *spilled = g_byte_array_new ();
  if (length > 0)
    g_byte_array_append (*spilled, (const guint8 *) data, (guint) length);
  return (gsize) length;
}

/* Writes the whole file (preamble, meta, dataset) into *out. The buffer is sized for the
 * whole file, so that DCMTK writes straight into it; only when that estimate falls short
 * does what it holds move out, a buffer at a time. */
static OFCondition
write_to_bytes (DcmFileFormat    &format,
                E_TransferSyntax  tx,
                GBytes          **out)
{
  Uint32 estimate = format.calcElementLength (tx, EET_ExplicitLength);
  /* DCMTK says "undefined" when it cannot tell (or the file would pass 4 GB): then a buffer
   * at a time. */
  gsize size = estimate < 1024u * 1024 * 1024 ? (gsize) estimate + 64 * 1024 : 256 * 1024;
  std::unique_ptr<guint8, decltype (&g_free)> buffer ((guint8 *) g_try_malloc (size), g_free);

  if (buffer == NULL)
    throw std::bad_alloc ();
  DcmOutputBufferStream stream (buffer.get (), (offile_off_t) size);
  g_autoptr(GByteArray) spilled = NULL;
  OFCondition cond;
  void *data = NULL;
  offile_off_t length = 0;

  format.transferInit ();
  do
    {
      cond = format.write (stream, tx, EET_ExplicitLength, NULL, EGL_withoutGL, EPD_noChange,
                           0, 0, 0, EWM_dontUpdateMeta);
      if (cond == EC_StreamNotifyClient)
        spill (stream, &spilled);
    }
  while (cond == EC_StreamNotifyClient);
  format.transferEnd ();
  /* A deflated dataset still sits partly in the compression filter: out through the buffer
   * (which a plain stream leaves holding the file: "not flushed" then only means that). */
  if (cond.good () && DcmXfer (tx).getStreamCompression () != ESC_none)
    while (!stream.isFlushed ())
      {
        stream.flush ();
        if (spill (stream, &spilled) == 0 && !stream.isFlushed ())
          return EC_StreamNotifyClient;
      }
  if (cond.bad ())
    return cond;
  if (spilled != NULL)
    {
      spill (stream, &spilled);
      *out = g_byte_array_free_to_bytes (g_steal_pointer (&spilled));
      return cond;
    }
  stream.flushBuffer (data, length);
  *out = g_bytes_new_take (g_realloc (buffer.release (), MAX ((gsize) length, 1)),
                           (gsize) length);
  return cond;
}

/* A dataset lent to another file format for the time of a write: DcmFileFormat takes it
 * without a copy, and gives it back to its own file when done (or on an exception). */
class LentDataset
{
public:
  LentDataset (DcmFileFormat &owner)
    : owner_ (owner), dataset_ (owner.getAndRemoveDataset ()), borrower_ (dataset_, OFFalse)
  {
  }

  ~LentDataset ()
  {
    DcmDataset *dataset = borrower_.getAndRemoveDataset ();
    /* getAndRemoveDataset() left an empty one in its place: drop it, put ours back. */
    DcmItem *empty = owner_.DcmSequenceOfItems::remove ((unsigned long) 1);

    delete empty;
    owner_.DcmSequenceOfItems::insert (dataset);
  }

  DcmFileFormat &
  format ()
  {
    return borrower_;
  }

private:
  DcmFileFormat &owner_;
  DcmDataset *dataset_;
  DcmFileFormat borrower_;
};

/* Saves to path, or into bytes when path is NULL. */
static gboolean
save_common (LacunaDicomFile  *file,
             const char       *path,
             GBytes          **bytes,
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
         * and a new meta header. The source dataset is left as it is: copied when its
         * pixels are to be encoded, else only lent for the write. */
        bool encoding = has_pixels && tx != current;
        std::unique_ptr<DcmFileFormat> copy (encoding || path != NULL
                                               ? new DcmFileFormat (source) : NULL);
        std::unique_ptr<LentDataset> lent (copy == NULL ? new LentDataset (file->format)
                                                        : NULL);
        DcmFileFormat &out = copy != NULL ? *copy : lent->format ();
        DcmDataset *dataset = out.getDataset ();

        if (encoding)
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
  GBytes *bytes = NULL;

  g_return_val_if_fail (file != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!save_common (file, NULL, &bytes, transfer_syntax, error))
    {
      g_clear_pointer (&bytes, g_bytes_unref);
      return NULL;
    }
  return bytes;
}

/* ---------------------------------------------------------------------------------------- */
/* DICOMDIR                                                                                 */

bool
_lacuna_dicom_valid_file_id (const char *id)
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
check_required (LacunaDicomFile  *file,
                const char       *id,
                GError          **error)
{
  static const struct
  {
    const char *path;
    const char *what;
  } required[] = {
    { "00100020", "(0010,0020) PatientID" },
    { "00080020", "(0008,0020) StudyDate" },
  };
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

/* 2.25.<decimal of 128 bits of SHA-256 over the file-set ID and the file IDs>, with the
 * variant and version bits of a UUIDv8 as for every other UID Lacuna derives. */
char *
_lacuna_dicom_derive_dicomdir_uid (const char         *fileset_id,
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

/* DicomDirInterface builds each record from a file's header, but adding one searches
 * every record already under the same parent, and reads the whole file: a series of n
 * images cost n² comparisons. This subclass lets the first image of each series (and
 * every file of a kind we do not fast-path) go through addDicomFile(), then builds the
 * other image records with DCMTK's own buildImageRecord() from their headers and appends
 * them under their series, which is linear. */
class LacunaDicomDirInterface : public DicomDirInterface
{
public:
  /* NULL when DCMTK's checks of the file for the profile fail (addDicomFile() would
   * refuse it and say why). */
  DcmDirectoryRecord *
  build_image (DcmFileFormat     *format,
               const OFString    &file_id,
               const OFFilename  &source)
  {
    if (checkSOPClassAndXfer (format->getMetaInfo (), format->getDataset (), source).bad () ||
        checkMandatoryAttributes (format->getMetaInfo (), format->getDataset (), source).bad ())
      return NULL;
    return buildImageRecord (NULL, format, file_id, source);
  }
};

struct DirEntry
{
  std::string series;        /* Patient ID, Study and Series Instance UID, '\n' between */
  std::string sop_class;
  bool        first = false;   /* the first of its series and SOP class: through DCMTK */
};

static std::string
dicom_file_id (const char *file_id)
{
  std::string id (file_id);

  for (char &c : id)
    if (c == '/')
      c = '\\';
  return id;
}

/* The series records of dir by Patient ID, Study and Series Instance UID (as
 * DirEntry.series), and the records listed so far by their Referenced File ID. */
static void
index_dicomdir (DcmDicomDir                                                &dir,
                std::unordered_map<std::string, DcmDirectoryRecord *>      &series,
                std::unordered_map<std::string, DcmDirectoryRecord *>      &leaves)
{
  DcmDirectoryRecord &root = dir.getRootRecord ();

  for (DcmDirectoryRecord *patient = root.nextSub (NULL); patient != NULL;
       patient = root.nextSub (patient))
    {
      OFString patient_id;

      patient->findAndGetOFString (DCM_PatientID, patient_id);
      for (DcmDirectoryRecord *study = patient->nextSub (NULL); study != NULL;
           study = patient->nextSub (study))
        for (DcmDirectoryRecord *ser = study->nextSub (NULL); ser != NULL;
             ser = study->nextSub (ser))
          {
            OFString study_uid;
            OFString uid;

            if (ser->getRecordType () != ERT_Series ||
                study->findAndGetOFString (DCM_StudyInstanceUID, study_uid).bad () ||
                ser->findAndGetOFString (DCM_SeriesInstanceUID, uid).bad ())
              continue;
            /* A series UID under two studies (a broken input) stays two series. */
            series[std::string (patient_id.c_str ()) + '\n' + study_uid.c_str () + '\n' +
                   uid.c_str ()] = ser;
            for (DcmDirectoryRecord *leaf = ser->nextSub (NULL); leaf != NULL;
                 leaf = ser->nextSub (leaf))
              {
                OFString id;

                if (leaf->findAndGetOFStringArray (DCM_ReferencedFileID, id).good ())
                  leaves[id.c_str ()] = leaf;
              }
          }
    }
}

/* Header-only opens of root/file_ids[first .. first + n) (those wanted[k] asks for, or all
 * when wanted is NULL), on every core: (*files)[k] is the (first + k)th file, or NULL with
 * (*errors)[k] set (or not wanted). The DICOMDIR reads each output's header; in batches,
 * so that at most a batch of headers is held at once. */
#define HEADER_BATCH 64

static void
open_headers (const char                    *root,
              const char * const            *file_ids,
              gsize                          first,
              gsize                          n,
              const std::vector<bool>       *wanted,
              std::vector<LacunaDicomFile *> *files,
              std::vector<GError *>          *errors)
{
  std::atomic<gsize> next (0);
  guint n_threads = MIN ((guint) n, MAX (1u, g_get_num_processors ()));
  std::vector<std::thread> threads;
  auto work = [&] ()
    {
      for (gsize k = next++; k < n; k = next++)
        {
          if (wanted != NULL && !(*wanted)[k])
            continue;

          g_autofree char *path = g_build_filename (root, file_ids[first + k], NULL);

          (*files)[k] = lacuna_dicom_file_open (path, LACUNA_DICOM_OPEN_HEADER_ONLY,
                                                &(*errors)[k]);
        }
    };

  files->assign (n, NULL);
  errors->assign (n, NULL);
  for (guint t = 1; t < n_threads; t++)
    {
      try
        {
          threads.emplace_back (work);
        }
      catch (const std::system_error &)
        {
          break;   /* no more threads: the others, and this one, do the rest */
        }
    }
  work ();
  for (std::thread &thread : threads)
    thread.join ();
}

static void
close_headers (std::vector<LacunaDicomFile *> &files,
               std::vector<GError *>          &errors)
{
  for (LacunaDicomFile *file : files)
    if (file != NULL)
      lacuna_dicom_file_free (file);
  for (GError *error : errors)
    if (error != NULL)
      g_error_free (error);
  files.clear ();
  errors.clear ();
}

/* The order DicomDirInterface gives image records inserted one by one: each goes before
 * the first record with a greater Instance Number, else at the end (so, stable); one
 * without a number goes at the end. Same result, without its scan per insertion. */
static std::vector<DcmDirectoryRecord *>
order_like_dcmtk (const std::vector<DcmDirectoryRecord *> &inserted)
{
  std::list<DcmDirectoryRecord *> order;
  std::multimap<Sint32, std::list<DcmDirectoryRecord *>::iterator> numbered;

  for (DcmDirectoryRecord *record : inserted)
    {
      Sint32 number = 0;

      if (record->findAndGetSint32 (DCM_InstanceNumber, number).good ())
        {
          auto next = numbered.upper_bound (number);
          auto at = order.insert (next != numbered.end () ? next->second : order.end (), record);

          numbered.insert ({ number, at });
        }
      else
        order.push_back (record);
    }
  return std::vector<DcmDirectoryRecord *> (order.begin (), order.end ());
}

/* Builds the image records of the files not listed yet (entries[i].first is false) and
 * puts every record of their series in DCMTK's order. FALSE (nothing reported) when a
 * file cannot take this path: the caller then lists every file through DCMTK alone. */
static bool
append_image_records (LacunaDicomDirInterface      &dd,
                      DcmDicomDir                  &dir,
                      const char                   *root,
                      const char * const           *file_ids,
                      const std::vector<DirEntry>  &entries)
{
  std::unordered_map<std::string, DcmDirectoryRecord *> series;
  std::unordered_map<std::string, DcmDirectoryRecord *> leaves;
  /* Per series that grows: every record in the order the files came. */
  std::unordered_map<std::string, std::vector<DcmDirectoryRecord *>> grown;
  std::unordered_map<std::string, unsigned long> n_listed;
  std::vector<DcmDirectoryRecord *> built;
  bool ok = true;

  index_dicomdir (dir, series, leaves);
  for (gsize i = 0; file_ids[i] != NULL; i++)
    if (!entries[i].first)
      grown[entries[i].series];

  for (gsize start = 0; ok && start < entries.size (); start += HEADER_BATCH)
    {
      gsize n = MIN ((gsize) HEADER_BATCH, entries.size () - start);
      std::vector<LacunaDicomFile *> files;
      std::vector<GError *> errors;
      std::vector<bool> wanted (n);

      /* Only the image records built here need their file's header. */
      for (gsize k = 0; k < n; k++)
        wanted[k] = !entries[start + k].first;
      open_headers (root, file_ids, start, n, &wanted, &files, &errors);
      for (gsize k = 0; ok && k < n; k++)
        {
          gsize i = start + k;
          std::string id = dicom_file_id (file_ids[i]);
          auto records = grown.find (entries[i].series);
          auto parent = series.find (entries[i].series);
          DcmDirectoryRecord *record = NULL;

          if (records == grown.end ())
            continue;   /* a series listed whole by DCMTK */
          if (parent == series.end ())
            {
              ok = false;
              break;
            }
          if (entries[i].first)
            {
              auto leaf = leaves.find (id);

              ok = leaf != leaves.end () && leaf->second->getRecordType () == ERT_Image;
              if (ok)
                {
                  records->second.push_back (leaf->second);
                  n_listed[entries[i].series]++;
                }
              continue;
            }

          if (files[k] != NULL)
            {
              g_autofree char *path = g_build_filename (root, file_ids[i], NULL);

              record = dd.build_image (&files[k]->format, OFString (id.c_str ()),
                                       OFFilename (path));
            }
          ok = record != NULL;
          if (ok)
            {
              built.push_back (record);
              records->second.push_back (record);
            }
        }
      close_headers (files, errors);
    }

  /* Only records of our own, and only images, may be re-ordered. */
  for (auto &entry : grown)
    {
      DcmDirectoryRecord *parent = ok ? series[entry.first] : NULL;

      /* What DCMTK listed under the series is exactly the first files of it. */
      if (ok && parent->cardSub () != n_listed[entry.first])
        ok = false;
      for (DcmDirectoryRecord *record : entry.second)
        ok = ok && record->getRecordType () == ERT_Image;
      if (!ok)
        break;
    }
  if (!ok)
    {
      for (DcmDirectoryRecord *record : built)
        delete record;
      return false;
    }

  for (auto &entry : grown)
    {
      DcmDirectoryRecord *parent = series[entry.first];

      /* Take out the records DCMTK put there (the first of the series), then insert
       * every record in order. */
      std::vector<DcmDirectoryRecord *> ordered = order_like_dcmtk (entry.second);

      while (parent->cardSub () > 0)
        parent->removeSub ((unsigned long) 0);
      for (size_t i = 0; i < ordered.size (); i++)
        if (parent->insertSub (ordered[i]).bad ())
          {
            /* Not in the tree: ours to free (the caller starts again through DCMTK). */
            for (size_t j = i; j < ordered.size (); j++)
              delete ordered[j];
            return false;
          }
    }
  return true;
}

/* Lists files (all, or only the first of each series when fast) through DCMTK and
 * writes the DICOMDIR at tmp_path; with fast, appends the other image records. */
static bool
build_dicomdir (const char                   *root,
                const char                   *fileset_id,
                const char * const           *file_ids,
                const std::vector<DirEntry>  &entries,
                bool                          all_explicit_le,
                const char                   *tmp_path,
                bool                          fast,
                bool                         *out_fast_failed,
                GError                      **error)
{
  LacunaDicomDirInterface dd;
  OFCondition cond;

  *out_fast_failed = false;
  /* DCMTK's "disable" switches disable with OFFalse. No backup (the DICOMDIR is new),
   * and no comparison of each record with the ones before it (it only logs warnings). */
  dd.disableBackupMode (OFFalse);
  dd.disableConsistencyCheck (OFFalse);
  dd.enableInventMode (OFFalse);
  dd.enableInventPatientIDMode (OFFalse);

  g_unlink (tmp_path);
  cond = dd.createNewDicomDir (all_explicit_le ? DicomDirInterface::AP_GeneralPurpose
                                               : DicomDirInterface::AP_GeneralPurposeMIME,
                               OFFilename (tmp_path),
                               OFString (fileset_id != NULL ? fileset_id : ""));
  if (cond.bad ())
    _lacuna_dicom_set_error (error, LACUNA_DICOM_ERROR_WRITE, "cannot create a DICOMDIR", cond);
  for (gsize i = 0; cond.good () && file_ids[i] != NULL; i++)
    {
      if (fast && !entries[i].first)
        continue;

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
        _lacuna_dicom_set_error (error, LACUNA_DICOM_ERROR_WRITE, "cannot write the DICOMDIR",
                                 cond);
    }
  if (cond.good ())
    {
      /* DCMTK gives a new DICOMDIR a random SOP Instance UID; derive it from what the
       * DICOMDIR lists instead, so the same files give the same DICOMDIR byte for byte.
       * DcmDicomDir::write() recomputes the record offsets. */
      g_autofree char *uid = _lacuna_dicom_derive_dicomdir_uid (fileset_id, file_ids);
      DcmDicomDir dir{OFFilename (tmp_path)};

      cond = dir.error ();
      if (cond.good () && fast && !append_image_records (dd, dir, root, file_ids, entries))
        {
          *out_fast_failed = true;
          return false;
        }
      if (cond.good ())
        cond = dir.getDirFileFormat ().getMetaInfo ()->putAndInsertString (
                 DCM_MediaStorageSOPInstanceUID, uid);
      if (cond.good ())
        cond = dir.write (EXS_LittleEndianExplicit, EET_UndefinedLength, EGL_withoutGL);
      if (cond.bad ())
        _lacuna_dicom_set_error (error, LACUNA_DICOM_ERROR_WRITE, "cannot write the DICOMDIR",
                                 cond);
    }
  return cond.good ();
}

gboolean
lacuna_dicom_write_dicomdir (const char          *root,
                             const char          *fileset_id,
                             const char * const  *file_ids,
                             GError             **error)
{
  std::vector<DirEntry> entries;
  std::unordered_set<std::string> seen;
  /* STD-GEN-CD admits only Explicit VR Little Endian files; a set holding compressed (or
   * other) files is listed under the general purpose MIME profile (STD-GEN-MIME), which
   * admits every transfer syntax. */
  bool all_explicit_le = true;
  gsize n_files;

  g_return_val_if_fail (root != NULL, FALSE);
  g_return_val_if_fail (file_ids != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  lacuna_dicom_init ();

  for (gsize i = 0; file_ids[i] != NULL; i++)
    if (!_lacuna_dicom_valid_file_id (file_ids[i]))
      {
        g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID,
                     "“%s” is not a valid DICOM file ID (A–Z, 0–9 and _, at most 8 characters "
                     "a component)", file_ids[i]);
        return FALSE;
      }
  n_files = g_strv_length ((char **) file_ids);
  try
    {
      for (gsize start = 0; start < n_files; start += HEADER_BATCH)
        {
          gsize n = MIN ((gsize) HEADER_BATCH, n_files - start);
          std::vector<LacunaDicomFile *> files;
          std::vector<GError *> errors;
          gboolean ok = TRUE;

          open_headers (root, file_ids, start, n, NULL, &files, &errors);
          for (gsize k = 0; ok && k < n; k++)
            {
              LacunaDicomFile *file = files[k];
              const char *file_id = file_ids[start + k];
              DirEntry entry;

              if (file == NULL)
                {
                  g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_WRITE,
                               "cannot list %s in the DICOMDIR: %s", file_id, errors[k]->message);
                  ok = FALSE;
                  break;
                }
              if (!check_required (file, file_id, error))
                {
                  ok = FALSE;
                  break;
                }
              if (!file->has_meta ||
                  file->transfer_syntax != UID_LittleEndianExplicitTransferSyntax)
                all_explicit_le = false;
              {
                g_autofree char *patient = lacuna_dicom_file_dup_string (file, "00100020", NULL);
                g_autofree char *study = lacuna_dicom_file_dup_string (file, "0020000D", NULL);
                g_autofree char *series = lacuna_dicom_file_dup_string (file, "0020000E", NULL);
                g_autofree char *sop_class = lacuna_dicom_file_dup_string (file, "00080016", NULL);

                entry.series = std::string (patient != NULL ? patient : "") + '\n' +
                               (study != NULL ? study : "") + '\n' +
                               (series != NULL ? series : "");
                entry.sop_class = sop_class != NULL ? sop_class : "";
              }
              entry.first = seen.insert (entry.series + '\n' + entry.sop_class).second;
              entries.push_back (std::move (entry));
            }
          close_headers (files, errors);
          if (!ok)
            return FALSE;
        }
    }
  catch (const std::exception &)
    {
      g_clear_error (error);
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_FAILED,
                   "reading the outputs for the DICOMDIR failed unexpectedly");
      return FALSE;
    }

  /* DCMTK writes the DICOMDIR in place, so build it under a temporary name in root
   * (file IDs in it are relative to root, not to the DICOMDIR's name) and rename it
   * only once it is complete: a failure never leaves a half-written DICOMDIR behind. */
  {
    g_autofree char *final_path = g_build_filename (root, "DICOMDIR", NULL);
    g_autofree char *tmp_name = g_strdup_printf (".DICOMDIR-%08X.tmp", g_random_int ());
    g_autofree char *tmp_path = g_build_filename (root, tmp_name, NULL);
    bool fast = g_getenv ("LACUNA_DICOMDIR_DCMTK_ONLY") == NULL;
    bool fast_failed = false;
    bool ok = false;

    try
      {
        ok = build_dicomdir (root, fileset_id, file_ids, entries, all_explicit_le, tmp_path,
                             fast, &fast_failed, error);
        /* A file the fast path cannot list (not an image, or a header it cannot read):
         * every file through DCMTK, as it always could. */
        if (!ok && fast_failed)
          ok = build_dicomdir (root, fileset_id, file_ids, entries, all_explicit_le,
                               tmp_path, false, &fast_failed, error);
      }
    catch (const std::exception &)
      {
        g_clear_error (error);
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
