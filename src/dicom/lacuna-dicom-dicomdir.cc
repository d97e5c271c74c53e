/* lacuna-dicom-dicomdir.cc: the DICOMDIR's records built when each file is written, and a
 * DICOMDIR written from them without opening the files again.
 *
 * A record (lacuna_dicom_file_build_dicomdir_record) holds what DCMTK's DicomDirInterface
 * builds for one file (its patient, study, series and instance records, through its own
 * addRecord()), encoded by DCMTK, after a short text header with the keys that place them
 * in the hierarchy. The writer reads the records three times: for the profile (STD-GEN-CD
 * or STD-GEN-MIME), for the keys and lengths (it keeps about 30 bytes a file: where each
 * instance record goes), and to write each record item. It writes the bytes DCMTK encoded
 * for the item with only the values of its two offsets set (what DCMTK writes when it reads
 * the item back and sets them); the bytes are checked first (check_elements(): Explicit VR
 * Little Endian as DCMTK wrote them, every length consistent), and anything else sends the
 * whole DICOMDIR through DCMTK. Patients and studies come in the order their first file
 * comes, series and instance records in the order DicomDirInterface's insertion gives them.
 * The file meta information and the DICOMDIR's own attributes come from DCMTK's DcmDicomDir
 * (written once, its two root offsets then set the same way). The result is the
 * DICOMDIR that DicomDirInterface writes for the same files, byte for byte
 * (tests/core/test-dicomdir.c checks it). */
#define G_LOG_DOMAIN "lacuna-dicom"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <glib/gstdio.h>

#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dctk.h"
#include "dcmtk/dcmdata/dcddirif.h"
#include "dcmtk/dcmdata/dcostrmb.h"

#include "lacuna-dicom-private.h"
#include "lacuna-dicom-dicomdir.h"

#define RECORD_MAGIC "LACUNA-DIRREC-1"

enum
{
  FLAG_GENERAL_PURPOSE = 1 << 0,   /* DCMTK's checks for STD-GEN-CD pass */
  FLAG_MIME            = 1 << 1,   /* … for STD-GEN-MIME */
  FLAG_EXPLICIT_LE     = 1 << 2,   /* a meta header and Explicit VR Little Endian */
};

enum
{
  LEVEL_PATIENT,
  LEVEL_STUDY,
  LEVEL_SERIES,
  LEVEL_INSTANCE,
  N_LEVELS
};

/* The record type DicomDirInterface gives an instance of sop_class, for the kinds listed
 * this way: image storage (DCMTK's own list) and the common non-image objects, all of which
 * DicomDirInterface sorts by Instance Number under their series. ERT_Private: any other
 * (its files then go through DicomDirInterface). */
static E_DirRecType
record_type_for (const char *sop_class)
{
  static const struct
  {
    const char   *uid;
    E_DirRecType  type;
  } table[] = {
    { UID_BasicTextSRStorage, ERT_SRDocument },
    { UID_EnhancedSRStorage, ERT_SRDocument },
    { UID_ComprehensiveSRStorage, ERT_SRDocument },
    { UID_Comprehensive3DSRStorage, ERT_SRDocument },
    { UID_XRayRadiationDoseSRStorage, ERT_SRDocument },
    { UID_GrayscaleSoftcopyPresentationStateStorage, ERT_Presentation },
    { UID_ColorSoftcopyPresentationStateStorage, ERT_Presentation },
    { UID_PseudoColorSoftcopyPresentationStateStorage, ERT_Presentation },
    { UID_BlendingSoftcopyPresentationStateStorage, ERT_Presentation },
    { UID_KeyObjectSelectionDocumentStorage, ERT_KeyObjectDoc },
    { UID_EncapsulatedPDFStorage, ERT_EncapDoc },
    { UID_EncapsulatedCDAStorage, ERT_EncapDoc },
    { UID_RTDoseStorage, ERT_RTDose },
    { UID_RTStructureSetStorage, ERT_RTStructureSet },
    { UID_RTPlanStorage, ERT_RTPlan },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (table); i++)
    if (strcmp (sop_class, table[i].uid) == 0)
      return table[i].type;
  for (int i = 0; i < numberOfDcmImageSOPClassUIDs; i++)
    if (dcmImageSOPClassUIDs[i] != NULL && strcmp (sop_class, dcmImageSOPClassUIDs[i]) == 0)
      return ERT_Image;
  return ERT_Private;
}

/* DicomDirInterface's own checks and record builders (protected members). */
class LacunaRecordBuilder : public DicomDirInterface
{
public:
  /* The profiles (FLAG_*) whose checks the file passes, as loadAndCheckDicomFile()
   * checks a file it has read. */
  unsigned
  check (DcmFileFormat     *format,
         const OFFilename  &source)
  {
    DcmMetaInfo *meta = format->getMetaInfo ();
    DcmDataset *dataset = format->getDataset ();
    static const struct
    {
      E_ApplicationProfile profile;
      unsigned             flag;
    } profiles[] = {
      { AP_GeneralPurpose, FLAG_GENERAL_PURPOSE },
      { AP_GeneralPurposeMIME, FLAG_MIME },
    };
    unsigned flags = 0;

    if (meta == NULL || meta->card () == 0 || dataset == NULL || dataset->card () == 0)
      return 0;
    for (gsize i = 0; i < G_N_ELEMENTS (profiles); i++)
      if (selectApplicationProfile (profiles[i].profile).good () &&
          checkSOPClassAndXfer (meta, dataset, source).good ())
        flags |= profiles[i].flag;
    /* The mandatory attributes are the same for both (only other profiles ask more). */
    if (flags != 0 && checkMandatoryAttributes (meta, dataset, source).bad ())
      flags = 0;
    return flags;
  }

  OFCondition
  select (E_ApplicationProfile profile)
  {
    return selectApplicationProfile (profile);
  }

  DcmDirectoryRecord *
  add (DcmDirectoryRecord  *parent,
       E_DirRecType         type,
       DcmFileFormat       *format,
       const OFString      &file_id,
       const OFFilename    &source)
  {
    return addRecord (parent, type, format, file_id, source);
  }
};

/* Sets the UL (or "up": an offset) element at key, which must be there. putAndInsertUint32()
 * refuses the offsets' VR. */
static OFCondition
set_offset (DcmItem          &item,
            const DcmTagKey  &key,
            Uint32            value)
{
  DcmElement *element = NULL;
  OFCondition cond = item.findAndGetElement (key, element, OFFalse);

  if (cond.good () && element == NULL)
    cond = EC_TagNotFound;
  if (cond.good ())
    cond = element->putUint32 (value);
  return cond;
}

/* Writes object (a dataset or an item) into out as Explicit VR Little Endian, sequences
 * and items of undefined length, as DcmDicomDir::write() writes a DICOMDIR. */
static OFCondition
encode (DcmObject   &object,
        bool         dataset,
        std::string &out)
{
  const offile_off_t chunk = 64 * 1024;
  std::unique_ptr<guint8[]> buffer (new guint8[chunk]);
  DcmOutputBufferStream stream (buffer.get (), chunk);
  OFCondition cond;

  object.transferInit ();
  do
    {
      void *data = NULL;
      offile_off_t length = 0;

      if (dataset)
        cond = static_cast<DcmDataset &> (object).write (stream, EXS_LittleEndianExplicit,
                                                          EET_UndefinedLength, NULL,
                                                          EGL_withoutGL, EPD_noChange);
      else
        cond = object.write (stream, EXS_LittleEndianExplicit, EET_UndefinedLength, NULL);
      stream.flushBuffer (data, length);
      if (length > 0)
        out.append ((const char *) data, (size_t) length);
    }
  while (cond == EC_StreamNotifyClient);
  object.transferEnd ();
  return cond;
}

static bool
usable_key (const OFString &value)
{
  return !value.empty () && value.find ('\n') == OFString_npos &&
         value.find ('\0') == OFString_npos;
}

static void
refuse (GError     **error,
        const char  *file_id,
        const char  *why)
{
  g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED,
               "no DICOMDIR record built for %s: %s", file_id, why);
}

/* Moves the elements of record into a new plain item (without its lower levels). */
static DcmItem *
take_item (DcmDirectoryRecord *record)
{
  DcmItem *item = new DcmItem ();

  while (record->card () > 0)
    {
      DcmElement *element = record->remove ((unsigned long) 0);

      if (element != NULL && item->insert (element).bad ())
        delete element;
    }
  return item;
}

static OFString
number_text (DcmDirectoryRecord *record,
             const DcmTagKey    &key)
{
  Sint32 number = 0;

  if (record->findAndGetSint32 (key, number).good ())
    return OFString (std::to_string (number).c_str ());
  return OFString ("-");
}

/* The record of a file: a text header, a NUL, then the DICOM bytes (DCMTK's encoding of a
 * dataset holding a Directory Record Sequence: the patient, study and series records, then
 * the instance record for each profile, once when both are built the same way):
 *
 *   LACUNA-DIRREC-1
 *   FLAGS
 *   RECORD-TYPE
 *   PATIENT-ID / STUDY-UID / SERIES-UID / SOP-INSTANCE-UID      (4 lines)
 *   SERIES-NUMBER                                               ('-': none)
 *   LENGTH OF EACH ITEM                                         (space separated)
 *   GENERAL-PURPOSE: ITEM INSTANCE-NUMBER                       ('-': not for that profile)
 *   MIME: ITEM INSTANCE-NUMBER
 *
 * DicomDirInterface builds the patient, study and series records the same way for
 * STD-GEN-CD and STD-GEN-MIME (only other profiles add attributes there), not so image
 * records (Image Type…). */
GBytes *
lacuna_dicom_file_build_dicomdir_record (LacunaDicomFile  *file,
                                         const char       *file_id,
                                         GError          **error)
{
  g_return_val_if_fail (file != NULL, NULL);
  g_return_val_if_fail (file_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  lacuna_dicom_init ();
  try
    {
      static thread_local LacunaRecordBuilder builder;
      DcmFileFormat *format = &file->format;
      DcmDataset *dataset = format->getDataset ();
      DcmMetaInfo *meta = format->getMetaInfo ();
      static const struct
      {
        DcmTagKey   key;
        const char *what;
      } required[] = {
        { DCM_PatientID, "(0010,0020) PatientID is empty" },
        { DCM_StudyDate, "(0008,0020) StudyDate is empty" },
      };
      static const DcmTagKey key_tags[N_LEVELS] = {
        DCM_PatientID, DCM_StudyInstanceUID, DCM_SeriesInstanceUID,
        DCM_ReferencedSOPInstanceUIDInFile,
      };
      DcmDirectoryRecord root (ERT_root, NULL, OFFilename ());
      DcmDirectoryRecord scratch (ERT_Series, NULL, OFFilename ());
      DcmDirectoryRecord *records[N_LEVELS + 1] = { NULL, };
      std::string id (file_id);
      OFFilename source (file_id);
      OFString sop_class, keys[N_LEVELS], series_number, instance_numbers[2];
      E_DirRecType type;
      E_DirRecType types[N_LEVELS];
      unsigned flags;
      bool both;
      int n_items;
      DcmDataset holder;
      DcmSequenceOfItems *seq;
      std::string dicom;
      GString *blob;

      /* The written file as it is on disk: strings DCMTK could not convert differ. */
      if (file->charset_failed || file->header_only || !file->has_meta)
        {
          refuse (error, file_id, "the file is not as it was written");
          return NULL;
        }
      if (!_lacuna_dicom_valid_file_id (file_id))
        {
          refuse (error, file_id, "not a valid file ID");
          return NULL;
        }
      /* As lacuna_dicom_write_dicomdir() requires (nothing is invented). */
      for (gsize i = 0; i < G_N_ELEMENTS (required); i++)
        {
          OFString value;

          dataset->findAndGetOFStringArray (required[i].key, value);
          if (value.find_first_not_of (' ') == OFString_npos)
            {
              refuse (error, file_id, required[i].what);
              return NULL;
            }
        }
      /* DicomDirInterface takes the kind of object from the meta header. */
      if (meta->findAndGetOFString (DCM_MediaStorageSOPClassUID, sop_class).bad () ||
          (type = record_type_for (sop_class.c_str ())) == ERT_Private)
        {
          refuse (error, file_id, "not a kind of object listed this way");
          return NULL;
        }
      flags = builder.check (format, source);
      if (file->transfer_syntax == UID_LittleEndianExplicitTransferSyntax)
        flags |= FLAG_EXPLICIT_LE;
      /* Only Explicit VR Little Endian files can make a STD-GEN-CD set. */
      if ((flags & FLAG_EXPLICIT_LE) == 0)
        flags &= ~FLAG_GENERAL_PURPOSE;
      if ((flags & (FLAG_GENERAL_PURPOSE | FLAG_MIME)) == 0)
        {
          refuse (error, file_id, "DCMTK's checks for the DICOMDIR profiles failed");
          return NULL;
        }
      both = (flags & FLAG_GENERAL_PURPOSE) != 0 && (flags & FLAG_MIME) != 0;

      for (char &c : id)
        if (c == '/')
          c = '\\';
      types[LEVEL_PATIENT] = ERT_Patient;
      types[LEVEL_STUDY] = ERT_Study;
      types[LEVEL_SERIES] = ERT_Series;
      types[LEVEL_INSTANCE] = type;
      /* Everything under the general purpose profile when the file passes it, else MIME;
       * with both, the instance record again under MIME (beside the others). */
      if (builder.select ((flags & FLAG_GENERAL_PURPOSE) != 0
                            ? DicomDirInterface::AP_GeneralPurpose
                            : DicomDirInterface::AP_GeneralPurposeMIME).bad ())
        {
          refuse (error, file_id, "DCMTK refused the profile");
          return NULL;
        }
      for (int level = 0; level < N_LEVELS; level++)
        {
          records[level] = builder.add (level == 0 ? &root : records[level - 1], types[level],
                                        format, id.c_str (), source);
          if (records[level] == NULL ||
              records[level]->findAndGetOFStringArray (key_tags[level], keys[level]).bad () ||
              !usable_key (keys[level]))
            {
              refuse (error, file_id, "DCMTK could not build its directory records");
              return NULL;
            }
        }
      series_number = number_text (records[LEVEL_SERIES], DCM_SeriesNumber);
      instance_numbers[0] = number_text (records[LEVEL_INSTANCE], DCM_InstanceNumber);
      if (both)
        {
          OFString key;

          if (builder.select (DicomDirInterface::AP_GeneralPurposeMIME).bad () ||
              (records[N_LEVELS] = builder.add (&scratch, type, format, id.c_str (),
                                                source)) == NULL ||
              records[N_LEVELS]->findAndGetOFStringArray (key_tags[LEVEL_INSTANCE],
                                                          key).bad () ||
              key != keys[LEVEL_INSTANCE])
            {
              refuse (error, file_id, "DCMTK could not build its directory records");
              return NULL;
            }
          instance_numbers[1] = number_text (records[N_LEVELS], DCM_InstanceNumber);
        }
      n_items = both ? N_LEVELS + 1 : N_LEVELS;

      blob = g_string_sized_new (1536);
      g_string_append (blob, RECORD_MAGIC "\n");
      g_string_append_printf (blob, "%u\n%d\n", flags, (int) type);
      for (int level = 0; level < N_LEVELS; level++)
        g_string_append_printf (blob, "%s\n", keys[level].c_str ());
      g_string_append_printf (blob, "%s\n", series_number.c_str ());

      /* The records as plain items, encoded by DCMTK. */
      seq = new DcmSequenceOfItems (DCM_DirectoryRecordSequence);
      if (holder.insert (seq).bad ())
        {
          delete seq;
          g_string_free (blob, TRUE);
          refuse (error, file_id, "out of memory");
          return NULL;
        }
      for (int i = 0; i < n_items; i++)
        {
          DcmItem *item = take_item (records[i]);

          if (seq->append (item).bad ())
            {
              delete item;
              g_string_free (blob, TRUE);
              refuse (error, file_id, "out of memory");
              return NULL;
            }
          g_string_append_printf (blob, "%s%lu", i > 0 ? " " : "",
                                  (unsigned long) item->calcElementLength (
                                    EXS_LittleEndianExplicit, EET_UndefinedLength));
        }
      if (encode (holder, true, dicom).bad ())
        {
          g_string_free (blob, TRUE);
          refuse (error, file_id, "DCMTK could not encode its directory records");
          return NULL;
        }
      if ((flags & FLAG_GENERAL_PURPOSE) != 0)
        g_string_append_printf (blob, "\n%d %s\n", LEVEL_INSTANCE, instance_numbers[0].c_str ());
      else
        g_string_append (blob, "\n-\n");
      if (both)
        g_string_append_printf (blob, "%d %s\n", N_LEVELS, instance_numbers[1].c_str ());
      else if ((flags & FLAG_MIME) != 0)
        g_string_append_printf (blob, "%d %s\n", LEVEL_INSTANCE, instance_numbers[0].c_str ());
      else
        g_string_append (blob, "-\n");
      g_string_append_len (blob, "", 1);
      g_string_append_len (blob, dicom.data (), (gssize) dicom.size ());
      return g_string_free_to_bytes (blob);
    }
  catch (const std::bad_alloc &)
    {
      refuse (error, file_id, "out of memory");
    }
  catch (const std::exception &)
    {
      refuse (error, file_id, "an unexpected failure");
    }
  return NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* Writing                                                                                  */

struct RecordKeys
{
  unsigned     flags = 0;
  int          type = 0;
  std::string  keys[N_LEVELS];
  bool         has_series_number = false;
  gint64       series_number = 0;
  bool         has_instance_number = false;
  gint64       instance_number = 0;
  int          items[N_LEVELS] = { 0, };     /* the item of each level (the profile's) */
  guint32      lengths[N_LEVELS] = { 0, };
  int          n_items = 0;                  /* every item of the record, in order */
  guint32      item_lengths[N_LEVELS + 1] = { 0, };
  gsize        dicom_offset = 0;
  gsize        dicom_size = 0;
};

/* A span of the text header: one line, or one word of a line. */
struct Span
{
  const char  *text;
  gsize        length;
};

/* A decimal number as the header writes them (an optional '-', then digits). */
static bool
parse_number (Span    span,
              gint64 *out)
{
  gsize i = 0;
  bool negative = false;
  gint64 value = 0;

  if (span.length > 0 && span.text[0] == '-')
    {
      negative = true;
      i = 1;
    }
  if (span.length == i || span.length - i > 18)
    return false;
  for (; i < span.length; i++)
    {
      if (span.text[i] < '0' || span.text[i] > '9')
        return false;
      value = value * 10 + (span.text[i] - '0');
    }
  *out = negative ? -value : value;
  return true;
}

/* A number, or "-" for none. */
static bool
parse_optional (Span    span,
                bool   *out_has,
                gint64 *out)
{
  *out_has = parse_number (span, out);
  return *out_has || (span.length == 1 && span.text[0] == '-');
}

/* Splits span at each separator into at most max_parts parts; the number of parts, or
 * max_parts + 1 when there are more. */
static gsize
split_span (Span   span,
            char   separator,
            Span  *parts,
            gsize  max_parts)
{
  const char *p = span.text, *end = span.text + span.length;
  gsize n = 0;

  for (;;)
    {
      const char *at = (const char *) memchr (p, separator, (gsize) (end - p));

      if (n == max_parts)
        return max_parts + 1;
      parts[n].text = p;
      parts[n].length = (gsize) ((at != NULL ? at : end) - p);
      n++;
      if (at == NULL)
        return n;
      p = at + 1;
    }
}

/* The text header of a record (our own format, see above: not DICOM), for the items of
 * the profile (mime or not); with only_flags, k.flags alone. */
static bool
parse_keys (GBytes     *blob,
            bool        mime,
            bool        only_flags,
            RecordKeys &k)
{
  static const gsize magic_length = sizeof RECORD_MAGIC - 1;
  gsize size = 0;
  const char *data = (const char *) g_bytes_get_data (blob, &size);
  const char *nul = data != NULL ? (const char *) memchr (data, '\0', size) : NULL;
  Span lines[12], lengths[N_LEVELS + 1], leaf[2];
  gsize n_items;
  gint64 value;

  if (nul == NULL)
    return false;
  /* magic, flags, type, 4 keys, series number, lengths, general purpose, MIME, "" */
  if (split_span (Span{ data, (gsize) (nul - data) }, '\n', lines, G_N_ELEMENTS (lines)) !=
        G_N_ELEMENTS (lines) ||
      lines[0].length != magic_length ||
      memcmp (lines[0].text, RECORD_MAGIC, magic_length) != 0 || lines[11].length != 0)
    return false;
  if (!parse_number (lines[1], &value) || value < 0 || value > G_MAXUINT)
    return false;
  k.flags = (unsigned) value;
  if (only_flags)
    return true;
  if (!parse_number (lines[2], &value) || value < INT_MIN || value > INT_MAX)
    return false;
  k.type = (int) value;
  for (int level = 0; level < N_LEVELS; level++)
    {
      if (lines[3 + level].length == 0)
        return false;
      k.keys[level].assign (lines[3 + level].text, lines[3 + level].length);
    }
  if (!parse_optional (lines[7], &k.has_series_number, &k.series_number))
    return false;
  n_items = split_span (lines[8], ' ', lengths, G_N_ELEMENTS (lengths));
  if (n_items < N_LEVELS || n_items > N_LEVELS + 1 ||
      split_span (lines[mime ? 10 : 9], ' ', leaf, G_N_ELEMENTS (leaf)) != 2 ||
      !parse_number (leaf[0], &value) || value < LEVEL_INSTANCE || value >= (gint64) n_items ||
      !parse_optional (leaf[1], &k.has_instance_number, &k.instance_number))
    return false;
  for (int level = 0; level < N_LEVELS; level++)
    k.items[level] = level < LEVEL_INSTANCE ? level : (int) value;
  k.n_items = (int) n_items;
  for (int i = 0; i < k.n_items; i++)
    {
      gint64 length;

      if (!parse_number (lengths[i], &length) || length <= 0 || length > G_MAXUINT32)
        return false;
      k.item_lengths[i] = (guint32) length;
    }
  for (int level = 0; level < N_LEVELS; level++)
    k.lengths[level] = k.item_lengths[k.items[level]];
  k.dicom_offset = (gsize) (nul - data) + 1;
  k.dicom_size = size - k.dicom_offset;
  return k.dicom_size > 0;
}

/* A patient, study or series record: the file whose record it is, its children in order. */
struct Node
{
  guint32               file;
  guint32               length;
  guint64               size = 0;          /* with everything below it */
  gint64                key = 0;           /* the sort key under its parent */
  bool                  numbered = false;  /* any child numbered so far */
  gint64                max_child = 0;     /* the largest number of those */
  std::vector<guint32>  children;          /* nodes (patients, studies) */
};

/* Per file: its instance record's place. 16 bytes. */
struct Leaf
{
  gint64   key;
  guint32  series;
  guint32  length;
};

/* DicomDirInterface inserts a record numbered n before the first sibling numbered more
 * than n (else at the end), and one without a number at the end. The result is the order
 * of (key, insertion) where key is n for a numbered record, and for the others the largest
 * number among the siblings numbered before it (G_MININT64 when none). */
static gint64
sort_key (Node   &parent,
          bool    numbered,
          gint64  number)
{
  gint64 key;

  if (numbered)
    {
      key = number;
      if (!parent.numbered || number > parent.max_child)
        parent.max_child = number;
      parent.numbered = true;
    }
  else
    key = parent.numbered ? parent.max_child : G_MININT64;
  return key;
}

/* The stored bytes of the records, checked without DCMTK: Explicit VR Little Endian as
 * encode() writes it (what DCMTK wrote for the record, and writes again for it when it
 * reads it back), each element once and in order, no group lengths, even lengths. Anything
 * else (a record that was not written this way) sends the whole DICOMDIR through DCMTK. */
enum { MAX_RECORD_DEPTH = 8 };

static inline guint32
read_u16 (const guint8 *p)
{
  return (guint32) p[0] | ((guint32) p[1] << 8);
}

static inline guint32
read_u32 (const guint8 *p)
{
  return (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16) |
         ((guint32) p[3] << 24);
}

static inline void
write_u32 (guint8  *p,
           guint32  value)
{
  p[0] = (guint8) (value & 0xff);
  p[1] = (guint8) ((value >> 8) & 0xff);
  p[2] = (guint8) ((value >> 16) & 0xff);
  p[3] = (guint8) ((value >> 24) & 0xff);
}

/* 0: not a VR DCMTK writes here, 2 or 4: the size of its length field. */
static int
vr_length_size (const guint8 *vr)
{
  static const char short_vrs[][3] = {
    "AE", "AS", "AT", "CS", "DA", "DS", "DT", "FD", "FL", "IS", "LO", "LT", "PN", "SH",
    "SL", "SS", "ST", "TM", "UI", "UL", "US",
  };
  static const char long_vrs[][3] = {
    "OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (short_vrs); i++)
    if (vr[0] == (guint8) short_vrs[i][0] && vr[1] == (guint8) short_vrs[i][1])
      return 2;
  for (gsize i = 0; i < G_N_ELEMENTS (long_vrs); i++)
    if (vr[0] == (guint8) long_vrs[i][0] && vr[1] == (guint8) long_vrs[i][1])
      return 4;
  return 0;
}

static bool check_sequence (const guint8 *d, gsize end, gsize &pos, bool undefined,
                            int depth);

/* The elements of an item from pos (after the item's tag and length) to its delimitation
 * (undefined) or to end; at the top (depth 0), where the values of the two offsets are. */
static bool
check_elements (const guint8  *d,
                gsize          end,
                gsize         &pos,
                bool           undefined,
                int            depth,
                gsize         *next_at,
                gsize         *lower_at)
{
  guint32 last_tag = 0;

  for (;;)
    {
      guint32 group, tag, length;
      gsize header, value_at;
      int size;

      if (!undefined && pos == end)
        return true;
      if (end - pos < 8)
        return false;
      group = read_u16 (d + pos);
      tag = (group << 16) | read_u16 (d + pos + 2);
      if (tag == 0xfffee00du)
        {
          if (!undefined || read_u32 (d + pos + 4) != 0)
            return false;
          pos += 8;
          return true;
        }
      /* No meta, group length, private, item or repeated (or unsorted) element. */
      if (group < 0x0004 || (group & 1) != 0 || group == 0xfffe || (tag & 0xffff) == 0 ||
          tag <= last_tag)
        return false;
      last_tag = tag;
      size = vr_length_size (d + pos + 4);
      if (size == 0)
        return false;
      if (size == 4)
        {
          if (end - pos < 12 || read_u16 (d + pos + 6) != 0)
            return false;
          length = read_u32 (d + pos + 8);
          header = 12;
        }
      else
        {
          length = read_u16 (d + pos + 6);
          header = 8;
        }
      value_at = pos + header;
      if (d[pos + 4] == 'S' && d[pos + 5] == 'Q')
        {
          if (depth >= MAX_RECORD_DEPTH)
            return false;
          pos = value_at;
          if (length == 0xffffffffu)
            {
              if (!check_sequence (d, end, pos, true, depth + 1))
                return false;
            }
          else
            {
              gsize sequence_end;

              if (length > end - value_at)
                return false;
              sequence_end = value_at + length;
              if (!check_sequence (d, sequence_end, pos, false, depth + 1) ||
                  pos != sequence_end)
                return false;
            }
          continue;
        }
      if (length == 0xffffffffu || (length & 1) != 0 || length > end - value_at)
        return false;
      if (depth == 0 && (tag == 0x00041400u || tag == 0x00041420u))
        {
          if (d[pos + 4] != 'U' || d[pos + 5] != 'L' || length != 4)
            return false;
          *(tag == 0x00041400u ? next_at : lower_at) = value_at;
        }
      pos = value_at + length;
    }
}

/* The items of a sequence from pos (after the sequence's header). */
static bool
check_sequence (const guint8 *d,
                gsize         end,
                gsize        &pos,
                bool          undefined,
                int           depth)
{
  for (;;)
    {
      guint32 tag, length;

      if (!undefined && pos == end)
        return true;
      if (end - pos < 8)
        return false;
      tag = (read_u16 (d + pos) << 16) | read_u16 (d + pos + 2);
      length = read_u32 (d + pos + 4);
      pos += 8;
      if (tag == 0xfffee0ddu)
        return undefined && length == 0;
      if (tag != 0xfffee000u)
        return false;
      if (length == 0xffffffffu)
        {
          if (!check_elements (d, end, pos, true, depth, NULL, NULL))
            return false;
        }
      else
        {
          gsize item_end;

          if (length > end - pos)
            return false;
          item_end = pos + length;
          if (!check_elements (d, item_end, pos, false, depth, NULL, NULL) || pos != item_end)
            return false;
        }
    }
}

/* The record of one file, its bytes checked: one at a time is kept (the patient, study
 * and series records of a file are usually written one after the other). */
struct ParsedFile
{
  guint32        file = G_MAXUINT32;
  GBytes        *blob = NULL;
  const guint8  *bytes = NULL;
  gsize          item_at[N_LEVELS] = { 0, };    /* where the item of each level starts */
  gsize          next_at[N_LEVELS] = { 0, };    /* … and the values of its two offsets */
  gsize          lower_at[N_LEVELS] = { 0, };
  guint32        length[N_LEVELS] = { 0, };

  ~ParsedFile ()
  {
    if (blob != NULL)
      g_bytes_unref (blob);
  }
};

struct Writer
{
  LacunaDicomDirRecordFunc   func;
  gpointer                   data;
  bool                       mime;
  FILE                      *out;
  guint64                    position;
  ParsedFile                 parsed;
  std::string                encoded;
};

/* Reads the record of file and finds its items: the Directory Record Sequence (the
 * dataset's only element, undefined length) holding k.n_items items of undefined length,
 * of the lengths the header gives. */
static bool
parse_record (Writer  &w,
              guint32  file)
{
  static const guint8 sequence_header[12] = {
    0x04, 0x00, 0x20, 0x12, 'S', 'Q', 0, 0, 0xff, 0xff, 0xff, 0xff,
  };
  static const guint8 sequence_end[8] = { 0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0 };
  static const guint8 item_header[8] = { 0xfe, 0xff, 0x00, 0xe0, 0xff, 0xff, 0xff, 0xff };
  g_autoptr(GError) local_error = NULL;
  GBytes *blob = w.func (file, w.data, &local_error);
  gsize item_at[N_LEVELS + 1], next_at[N_LEVELS + 1], lower_at[N_LEVELS + 1];
  RecordKeys k;
  gsize size = 0, pos;
  const guint8 *d;

  w.parsed.file = G_MAXUINT32;
  w.parsed.bytes = NULL;
  if (w.parsed.blob != NULL)
    g_bytes_unref (w.parsed.blob);
  w.parsed.blob = blob;
  if (blob == NULL || !parse_keys (blob, w.mime, false, k))
    return false;
  d = (const guint8 *) g_bytes_get_data (blob, &size) + k.dicom_offset;
  size = k.dicom_size;
  if (size < sizeof sequence_header + sizeof sequence_end ||
      memcmp (d, sequence_header, sizeof sequence_header) != 0)
    return false;
  pos = sizeof sequence_header;
  for (int i = 0; i < k.n_items; i++)
    {
      gsize end;

      if (size - pos < k.item_lengths[i] || k.item_lengths[i] < 16 ||
          memcmp (d + pos, item_header, sizeof item_header) != 0)
        return false;
      item_at[i] = pos;
      end = pos + k.item_lengths[i];
      next_at[i] = lower_at[i] = 0;
      pos += sizeof item_header;
      if (!check_elements (d, end, pos, true, 0, &next_at[i], &lower_at[i]) || pos != end ||
          next_at[i] == 0 || lower_at[i] == 0)
        return false;
    }
  if (size - pos != sizeof sequence_end ||
      memcmp (d + pos, sequence_end, sizeof sequence_end) != 0)
    return false;
  for (int l = 0; l < N_LEVELS; l++)
    {
      int i = k.items[l];

      w.parsed.item_at[l] = item_at[i];
      w.parsed.next_at[l] = next_at[i];
      w.parsed.lower_at[l] = lower_at[i];
      w.parsed.length[l] = k.item_lengths[i];
    }
  w.parsed.bytes = d;
  w.parsed.file = file;
  return true;
}

/* Writes the record item of file at level with its offsets set: the stored bytes, as DCMTK
 * writes the item again once it has set them. */
static bool
write_record (Writer   &w,
              guint32   file,
              int       level,
              guint32   length,
              guint32   next,
              guint32   lower)
{
  guint8 *item;
  gsize at;

  if (w.parsed.file != file && !parse_record (w, file))
    return false;
  at = w.parsed.item_at[level];
  /* The length the keys gave (this record's, for the same profile). */
  if (w.parsed.length[level] != length)
    return false;
  w.encoded.assign ((const char *) w.parsed.bytes + at, length);
  item = (guint8 *) &w.encoded[0];
  write_u32 (item + (w.parsed.next_at[level] - at), next);
  write_u32 (item + (w.parsed.lower_at[level] - at), lower);
  if (fwrite (w.encoded.data (), 1, w.encoded.size (), w.out) != w.encoded.size ())
    return false;
  w.position += length;
  return true;
}

/* The DICOMDIR's meta information and attributes as DcmDicomDir writes them for an
 * empty file set, with the offsets of the first and last root records set: everything up
 * to the records (the Directory Record Sequence's header included) in out, the
 * sequence's delimitation in tail. Uses path (which it leaves behind) for DcmDicomDir. */
static bool
build_header (const char  *path,
              const char  *fileset_id,
              const char  *uid,
              guint32      first,
              guint32      last,
              std::string &out,
              std::string &tail)
{
  static const char delimitation[8] = { '\xfe', '\xff', '\xdd', '\xe0', 0, 0, 0, 0 };
  DcmFileFormat format;
  OFCondition cond;

  out.clear ();
  tail.clear ();
  g_unlink (path);
  {
    /* Written, read back and written again, as the DCMTK-only path does. */
    DcmDicomDir empty (OFFilename (path), fileset_id != NULL ? fileset_id : "");

    cond = empty.error ();
    if (cond.good ())
      cond = empty.write (EXS_LittleEndianExplicit, EET_UndefinedLength, EGL_withoutGL);
  }
  if (cond.good ())
    {
      DcmDicomDir dir{OFFilename (path)};

      cond = dir.error ();
      if (cond.good ())
        cond = dir.getDirFileFormat ().getMetaInfo ()->putAndInsertString (
                 DCM_MediaStorageSOPInstanceUID, uid);
      if (cond.good ())
        cond = dir.write (EXS_LittleEndianExplicit, EET_UndefinedLength, EGL_withoutGL);
    }
  if (cond.good ())
    cond = format.loadFile (OFFilename (path));
  if (cond.good ())
    cond = set_offset (*format.getDataset (),
                       DCM_OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity, first);
  if (cond.good ())
    cond = set_offset (*format.getDataset (),
                       DCM_OffsetOfTheLastDirectoryRecordOfTheRootDirectoryEntity, last);
  if (cond.good ())
    {
      const offile_off_t chunk = 64 * 1024;
      std::unique_ptr<guint8[]> buffer (new guint8[chunk]);
      DcmOutputBufferStream stream (buffer.get (), chunk);

      format.transferInit ();
      do
        {
          void *data = NULL;
          offile_off_t length = 0;

          cond = format.write (stream, EXS_LittleEndianExplicit, EET_UndefinedLength, NULL,
                               EGL_withoutGL, EPD_noChange, 0, 0, 0, EWM_dontUpdateMeta);
          stream.flushBuffer (data, length);
          if (length > 0)
            out.append ((const char *) data, (size_t) length);
        }
      while (cond == EC_StreamNotifyClient);
      format.transferEnd ();
    }
  /* The (empty) sequence is the dataset's last element: its delimitation ends the file. */
  if (cond.bad () || out.size () < 128 + sizeof delimitation ||
      memcmp (out.data () + out.size () - sizeof delimitation, delimitation,
              sizeof delimitation) != 0)
    return false;
  tail.assign (out, out.size () - sizeof delimitation, sizeof delimitation);
  out.resize (out.size () - sizeof delimitation);
  return true;
}

/* Sets the offsets of the first and last root records in header (from build_header()) as
 * DCMTK sets them there: the values of the two UL elements, nothing else changes. */
static bool
set_root_offsets (std::string &header,
                  guint32      first,
                  guint32      last)
{
  guint8 *d = (guint8 *) &header[0];
  gsize end = header.size (), pos = 132;
  bool found_first = false, found_last = false;

  if (end < pos || memcmp (d + 128, "DICM", 4) != 0)
    return false;
  /* The meta information and the dataset are Explicit VR Little Endian; the Directory
   * Record Sequence comes last. */
  while (end - pos >= 8)
    {
      guint32 tag = (read_u16 (d + pos) << 16) | read_u16 (d + pos + 2);
      int size = vr_length_size (d + pos + 4);
      guint32 length;
      gsize header_size;

      if (tag == 0x00041220u)
        return found_first && found_last;
      if (size == 0 || (d[pos + 4] == 'S' && d[pos + 5] == 'Q'))
        return false;
      if (size == 4)
        {
          if (end - pos < 12)
            return false;
          length = read_u32 (d + pos + 8);
          header_size = 12;
        }
      else
        {
          length = read_u16 (d + pos + 6);
          header_size = 8;
        }
      if (length > end - pos - header_size)
        return false;
      if (tag == 0x00041200u || tag == 0x00041202u)
        {
          if (d[pos + 4] != 'U' || d[pos + 5] != 'L' || length != 4)
            return false;
          write_u32 (d + pos + header_size, tag == 0x00041200u ? first : last);
          (tag == 0x00041200u ? found_first : found_last) = true;
        }
      pos += header_size + length;
    }
  return false;
}

/* Writes the DICOMDIR at tmp_path from the records; false (nothing reported) when any
 * record is missing or unusable, or anything fails: the caller then goes through DCMTK. */
static bool
write_from_records (const char                *tmp_path,
                    const char                *fileset_id,
                    const char * const        *file_ids,
                    LacunaDicomDirRecordFunc   func,
                    gpointer                   data)
{
  std::vector<Node> patients, studies, series;
  std::vector<guint32> roots;
  std::vector<Leaf> leaves;
  std::vector<guint64> instance_hashes;
  std::unordered_map<std::string, guint32> patient_index, study_index, series_index;
  std::vector<guint32> order;
  std::vector<guint32> series_rank;
  bool all_explicit_le = true, all_general = true, all_mime = true;
  g_autofree char *uid = NULL;
  std::string header, tail;
  guint64 total;
  guint32 first_root, last_root;
  gsize n_files = g_strv_length ((char **) file_ids);
  Writer w;
  bool ok;

  if (n_files == 0 || n_files >= G_MAXUINT32)
    return false;

  /* STD-GEN-CD when every file is Explicit VR Little Endian, else STD-GEN-MIME, as
   * lacuna_dicom_write_dicomdir() chooses (DicomDirInterface builds some records
   * differently for each); every file must pass that profile's checks. */
  for (gsize i = 0; i < n_files; i++)
    {
      g_autoptr(GError) local_error = NULL;
      GBytes *blob = func ((guint) i, data, &local_error);
      RecordKeys k;
      bool parsed;

      if (blob == NULL)
        return false;
      parsed = parse_keys (blob, false, true, k);
      g_bytes_unref (blob);
      if (!parsed)
        return false;
      all_explicit_le = all_explicit_le && (k.flags & FLAG_EXPLICIT_LE) != 0;
      all_general = all_general && (k.flags & FLAG_GENERAL_PURPOSE) != 0;
      all_mime = all_mime && (k.flags & FLAG_MIME) != 0;
    }
  if (all_explicit_le ? !all_general : !all_mime)
    return false;
  w.mime = !all_explicit_le;

  /* Then the keys and lengths, into the hierarchy. */
  leaves.reserve (n_files);
  instance_hashes.reserve (n_files);
  for (gsize i = 0; i < n_files; i++)
    {
      g_autoptr(GError) local_error = NULL;
      GBytes *blob = func ((guint) i, data, &local_error);
      RecordKeys k;
      std::string key;
      guint32 p, s, r;
      bool parsed;

      if (blob == NULL)
        return false;
      parsed = parse_keys (blob, w.mime, false, k);
      g_bytes_unref (blob);
      if (!parsed)
        return false;

      /* Patients and studies in the order they come; series and instances sorted. */
      auto pi = patient_index.emplace (k.keys[LEVEL_PATIENT], (guint32) patients.size ());
      if (pi.second)
        {
          Node node;

          node.file = (guint32) i;
          node.length = k.lengths[LEVEL_PATIENT];
          patients.push_back (std::move (node));
          roots.push_back (pi.first->second);
        }
      p = pi.first->second;

      key = std::to_string (p) + '\n' + k.keys[LEVEL_STUDY];
      auto si = study_index.emplace (key, (guint32) studies.size ());
      if (si.second)
        {
          Node node;

          node.file = (guint32) i;
          node.length = k.lengths[LEVEL_STUDY];
          studies.push_back (std::move (node));
          patients[p].children.push_back (si.first->second);
        }
      s = si.first->second;

      key = std::to_string (s) + '\n' + k.keys[LEVEL_SERIES];
      auto ri = series_index.emplace (key, (guint32) series.size ());
      if (ri.second)
        {
          Node node;

          node.file = (guint32) i;
          node.length = k.lengths[LEVEL_SERIES];
          node.key = sort_key (studies[s], k.has_series_number, k.series_number);
          series.push_back (std::move (node));
          studies[s].children.push_back (ri.first->second);
        }
      r = ri.first->second;

      {
        Leaf leaf;

        leaf.key = sort_key (series[r], k.has_instance_number, k.instance_number);
        leaf.series = r;
        leaf.length = k.lengths[LEVEL_INSTANCE];
        leaves.push_back (leaf);
        series[r].size += leaf.length;
      }
      /* DicomDirInterface lists an instance once a series (by SOP Instance UID and
       * record type): a repeat (never in Lacuna's output) goes through DCMTK. */
      key = std::to_string (r) + '\n' + std::to_string (k.type) + '\n' +
            k.keys[LEVEL_INSTANCE];
      instance_hashes.push_back (((guint64) g_str_hash (key.c_str ()) << 32) ^
                                 (guint64) std::hash<std::string> () (key));
    }
  std::sort (instance_hashes.begin (), instance_hashes.end ());
  if (std::adjacent_find (instance_hashes.begin (), instance_hashes.end ()) !=
      instance_hashes.end ())
    return false;
  std::vector<guint64> ().swap (instance_hashes);
  patient_index.clear ();
  study_index.clear ();
  series_index.clear ();

  /* Series under their study in DCMTK's order, then every instance under its series. */
  series_rank.assign (series.size (), 0);
  {
    guint32 rank = 0;

    for (guint32 p : roots)
      for (guint32 s : patients[p].children)
        {
          std::vector<guint32> &children = studies[s].children;

          std::stable_sort (children.begin (), children.end (),
                            [&] (guint32 a, guint32 b)
                              {
                                if (series[a].key != series[b].key)
                                  return series[a].key < series[b].key;
                                return series[a].file < series[b].file;
                              });
          for (guint32 r : children)
            series_rank[r] = rank++;
        }
  }
  order.resize (n_files);
  for (gsize i = 0; i < n_files; i++)
    order[i] = (guint32) i;
  std::sort (order.begin (), order.end (),
             [&] (guint32 a, guint32 b)
               {
                 const Leaf &la = leaves[a], &lb = leaves[b];

                 if (la.series != lb.series)
                   return series_rank[la.series] < series_rank[lb.series];
                 if (la.key != lb.key)
                   return la.key < lb.key;
                 return a < b;
               });

  /* Sizes, bottom up. */
  total = 0;
  for (guint32 p : roots)
    {
      Node &patient = patients[p];

      patient.size = patient.length;
      for (guint32 s : patient.children)
        {
          Node &study = studies[s];

          study.size = study.length;
          for (guint32 r : study.children)
            {
              series[r].size += series[r].length;
              study.size += series[r].size;
            }
          patient.size += study.size;
        }
      total += patient.size;
    }

  uid = _lacuna_dicom_derive_dicomdir_uid (fileset_id, file_ids);
  if (!build_header (tmp_path, fileset_id, uid, 0, 0, header, tail))
    return false;
  /* Offsets count from the first byte of the file (the preamble's). */
  if (header.size () + total + tail.size () > G_MAXUINT32)
    return false;
  first_root = (guint32) header.size ();
  last_root = first_root + (guint32) (total - patients[roots.back ()].size);
  if (!set_root_offsets (header, first_root, last_root))
    return false;

  w.func = func;
  w.data = data;
  w.position = header.size ();
  w.out = g_fopen (tmp_path, "wbe");
  if (w.out == NULL)
    return false;
  setvbuf (w.out, NULL, _IOFBF, 256 * 1024);
  /* Closed on every way out, an exception's too (the caller then removes the file). */
  std::unique_ptr<FILE, int (*) (FILE *)> closer (w.out, fclose);

  ok = fwrite (header.data (), 1, header.size (), w.out) == header.size ();
  {
    gsize next_leaf = 0;

    for (gsize pi = 0; ok && pi < roots.size (); pi++)
      {
        Node &patient = patients[roots[pi]];
        guint32 at = (guint32) w.position;

        ok = write_record (w, patient.file, LEVEL_PATIENT, patient.length,
                           pi + 1 < roots.size () ? at + (guint32) patient.size : 0,
                           at + patient.length);
        for (gsize si = 0; ok && si < patient.children.size (); si++)
          {
            Node &study = studies[patient.children[si]];

            at = (guint32) w.position;
            ok = write_record (w, study.file, LEVEL_STUDY, study.length,
                               si + 1 < patient.children.size () ? at + (guint32) study.size
                                                                 : 0,
                               at + study.length);
            for (gsize ri = 0; ok && ri < study.children.size (); ri++)
              {
                guint32 r = study.children[ri];
                Node &ser = series[r];

                at = (guint32) w.position;
                ok = write_record (w, ser.file, LEVEL_SERIES, ser.length,
                                   ri + 1 < study.children.size () ? at + (guint32) ser.size
                                                                   : 0,
                                   at + ser.length);
                while (ok && next_leaf < n_files && leaves[order[next_leaf]].series == r)
                  {
                    guint32 f = order[next_leaf++];
                    bool last = next_leaf == n_files || leaves[order[next_leaf]].series != r;

                    at = (guint32) w.position;
                    ok = write_record (w, f, LEVEL_INSTANCE, leaves[f].length,
                                       last ? 0 : at + leaves[f].length, 0);
                  }
              }
          }
      }
    ok = ok && next_leaf == n_files;
  }
  ok = ok && fwrite (tail.data (), 1, tail.size (), w.out) == tail.size () &&
       w.position == header.size () + total;
  if (fclose (closer.release ()) != 0)
    ok = false;
  return ok;
}

gboolean
lacuna_dicom_write_dicomdir_from_records (const char                *root,
                                          const char                *fileset_id,
                                          const char * const        *file_ids,
                                          LacunaDicomDirRecordFunc   func,
                                          gpointer                   user_data,
                                          GError                   **error)
{
  g_autofree char *final_path = NULL;
  g_autofree char *tmp_name = NULL;
  g_autofree char *tmp_path = NULL;
  bool ok = false;

  g_return_val_if_fail (root != NULL, FALSE);
  g_return_val_if_fail (file_ids != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  lacuna_dicom_init ();

  /* The reference path, and the one that reports what is wrong with a file. */
  if (func == NULL || g_getenv ("LACUNA_DICOMDIR_DCMTK_ONLY") != NULL)
    return lacuna_dicom_write_dicomdir (root, fileset_id, file_ids, error);
  for (gsize i = 0; file_ids[i] != NULL; i++)
    if (!_lacuna_dicom_valid_file_id (file_ids[i]))
      return lacuna_dicom_write_dicomdir (root, fileset_id, file_ids, error);

  final_path = g_build_filename (root, "DICOMDIR", NULL);
  tmp_name = g_strdup_printf (".DICOMDIR-%08X.tmp", g_random_int ());
  tmp_path = g_build_filename (root, tmp_name, NULL);
  try
    {
      ok = write_from_records (tmp_path, fileset_id, file_ids, func, user_data);
    }
  catch (const std::exception &)
    {
      ok = false;
    }
  if (ok && g_rename (tmp_path, final_path) != 0)
    ok = false;
  if (ok)
    return TRUE;
  g_unlink (tmp_path);
  g_debug ("the DICOMDIR is built from the files (a record is missing or unusable)");
  return lacuna_dicom_write_dicomdir (root, fileset_id, file_ids, error);
}
