/* lacuna-dicom.cc: start-up, opening files, the dictionary and element paths.
 *
 * The shim never includes the app's config.h (DCMTK's osconfig.h defines PACKAGE_*).
 */
#define G_LOG_DOMAIN "lacuna-dicom"

#include <cerrno>
#include <cstring>
#include <memory>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <new>
#include <string>

#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dctk.h"
#include "dcmtk/dcmdata/dcistrmb.h"
#include "dcmtk/dcmdata/dcistrmf.h"
#include "dcmtk/dcmdata/dcrledrg.h"
#include "dcmtk/dcmdata/dcrleerg.h"
#include "dcmtk/dcmjpeg/djdecode.h"
#include "dcmtk/dcmjpeg/djencode.h"
#include "dcmtk/dcmjpls/djdecode.h"
#include "dcmtk/dcmjpls/djencode.h"
#include "dcmtk/dcmimage/diregist.h"
#include "dcmtk/oflog/oflog.h"

#include "lacuna-dicom-private.h"

G_DEFINE_QUARK (lacuna-dicom-error-quark, lacuna_dicom_error)

static gpointer
init_once (gpointer data)
{
  /* DCMTK logs to stderr by default, and would print (partial) values of broken files. */
  OFLog::configure (OFLogger::FATAL_LOG_LEVEL);
  OFLog::getLogger ("dcmtk").setLogLevel (OFLogger::OFF_LOG_LEVEL);

  DJDecoderRegistration::registerCodecs ();
  DJLSDecoderRegistration::registerCodecs ();
  DcmRLEDecoderRegistration::registerCodecs ();
  DJEncoderRegistration::registerCodecs ();
  DJLSEncoderRegistration::registerCodecs ();
  DcmRLEEncoderRegistration::registerCodecs ();

  /* Make sure the data dictionary is loaded now, on one thread. */
  if (!dcmDataDict.isDictionaryLoaded ())
    g_debug ("DCMTK's data dictionary is not loaded; keywords will be unknown");

  return NULL;
}

void
lacuna_dicom_init (void)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, init_once, NULL);
}

void
_lacuna_dicom_set_error (GError           **error,
                         LacunaDicomError   code,
                         const char        *what,
                         const OFCondition &cond)
{
  g_set_error (error, LACUNA_DICOM_ERROR, code, "%s: %s", what, cond.text ());
}

bool
_lacuna_dicom_is_unknown_encapsulated (const std::string &uid)
{
  static const char *const uids[] = {
    "1.2.840.10008.1.2.4.201",   /* HTJ2K Lossless */
    "1.2.840.10008.1.2.4.202",   /* HTJ2K Lossless RPCL */
    "1.2.840.10008.1.2.4.203",   /* HTJ2K */
    "1.2.840.10008.1.2.4.110",   /* JPEG XL Lossless */
    "1.2.840.10008.1.2.4.111",   /* JPEG XL JPEG Recompression */
    "1.2.840.10008.1.2.4.112",   /* JPEG XL */
    "1.2.840.10008.1.2.8.1",     /* Deflated Image Frame Compression */
  };

  for (const char *u : uids)
    if (uid == u)
      return true;
  return false;
}

/* ---------------------------------------------------------------------------------------- */
/* Opening                                                                                  */

static guint16
peek16 (const guint8 *p,
        bool          big_endian)
{
  return big_endian ? (guint16) ((p[0] << 8) | p[1]) : (guint16) (p[0] | (p[1] << 8));
}

static bool
plausible_first_element (const guint8 *p,
                         gsize         size,
                         bool          big_endian)
{
  guint16 group = peek16 (p, big_endian);
  guint32 length;

  if (group < 0x0002 || group > 0x7FE0 || (group & 1) != 0)
    return false;
  if (g_ascii_isupper (p[4]) && g_ascii_isupper (p[5]))
    {
      static const char vrs[][3] = { "AE", "AS", "AT", "CS", "DA", "DS", "DT", "FD", "FL", "IS",
                                     "LO", "LT", "OB", "OD", "OF", "OL", "OV", "OW", "PN", "SH",
                                     "SL", "SQ", "SS", "ST", "SV", "TM", "UC", "UI", "UL", "UN",
                                     "UR", "US", "UT", "UV" };

      for (const char *vr : vrs)
        if (p[4] == vr[0] && p[5] == vr[1])
          return true;
      return false;
    }
  /* Implicit VR: a 4-byte length that fits (or is undefined). */
  length = big_endian
    ? ((guint32) p[4] << 24) | ((guint32) p[5] << 16) | ((guint32) p[6] << 8) | p[7]
    : p[4] | ((guint32) p[5] << 8) | ((guint32) p[6] << 16) | ((guint32) p[7] << 24);
  return length == 0xFFFFFFFFu || length <= size - 8;
}

static bool
looks_like_dicom (const guint8 *data,
                  gsize         size)
{
  if (size >= 132 && memcmp (data + 128, "DICM", 4) == 0)
    return true;
  if (size < 8)
    return false;
  return plausible_first_element (data, size, false) || plausible_first_element (data, size, true);
}

static void
strip_uid (std::string &s)
{
  while (!s.empty () && (s.back () == ' ' || s.back () == '\0'))
    s.pop_back ();
  while (!s.empty () && s.front () == ' ')
    s.erase (0, 1);
}

/* The Specific Character Set values whose bytes below 0x80 are ASCII, that use no code
 * extensions, and that DCMTK 3.6.7 converts: text of bytes below 0x80 (ESC excluded) reads
 * the same in them as in UTF-8. (Not ISO_IR 13, whose 0x5C is the yen sign, nor any ISO
 * 2022 term; not ISO_IR 203, which DCMTK 3.6.7 cannot convert: such a file keeps failing
 * the conversion, as it did.) */
static bool
ascii_compatible_charset (const OFString &value)
{
  static const char *const terms[] = {
    "", "ISO_IR 6", "ISO_IR 100", "ISO_IR 101", "ISO_IR 109", "ISO_IR 110", "ISO_IR 144",
    "ISO_IR 127", "ISO_IR 126", "ISO_IR 138", "ISO_IR 148", "ISO_IR 166", "ISO_IR 192",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (terms); i++)
    if (value == terms[i])
      return true;
  return false;
}

/* Reads every value of item, at any depth, that the Specific Character Set applies to (PN,
 * LO, LT, SH, ST, UC, UT), as DCMTK's conversion does (getString () also drops their
 * trailing padding, as it does there). false when one holds a byte above 0x7F or an
 * escape, cannot be read, or an item has a character set of its own: then only DCMTK's
 * conversion will do. */
static bool
text_is_ascii (DcmItem *item,
               bool     top)
{
  for (DcmObject *obj = item->nextInContainer (NULL); obj != NULL;
       obj = item->nextInContainer (obj))
    {
      DcmEVR evr = obj->ident ();

      if (!top && obj->getTag () == DCM_SpecificCharacterSet)
        return false;
      if (evr == EVR_SQ)
        {
          DcmSequenceOfItems *sq = OFstatic_cast (DcmSequenceOfItems *, obj);

          for (DcmObject *it = sq->nextInContainer (NULL); it != NULL;
               it = sq->nextInContainer (it))
            if (it->ident () != EVR_item || !text_is_ascii (OFstatic_cast (DcmItem *, it), false))
              return false;
        }
      else if (evr == EVR_PN || evr == EVR_LO || evr == EVR_LT || evr == EVR_SH ||
               evr == EVR_ST || evr == EVR_UC || evr == EVR_UT)
        {
          char *text = NULL;
          Uint32 length = 0;

          if (OFstatic_cast (DcmCharString *, obj)->getString (text, length).bad ())
            return false;
          for (Uint32 i = 0; text != NULL && i < length; i++)
            if ((guint8) text[i] >= 0x80 || text[i] == 0x1B)
              return false;
        }
    }
  return true;
}

static gint charset_shortcut_off;   /* atomic */
static guint charset_shortcuts;     /* atomic */

void
_lacuna_dicom_set_charset_shortcut (gboolean enabled)
{
  g_atomic_int_set (&charset_shortcut_off, !enabled);
}

guint
_lacuna_dicom_get_n_charset_shortcuts (void)
{
  return (guint) g_atomic_int_get (&charset_shortcuts);
}

/* DCMTK's convertToUTF8 () without its cost where it would change no value: the text is
 * ASCII in an ASCII-compatible character set, so the only change is (0008,0005) becoming
 * ISO_IR 192 (when present). About 2 % of an export's time otherwise (iconv for every
 * text value of every file). */
static bool
convert_ascii_to_utf8 (DcmDataset *dataset)
{
  DcmElement *charset = NULL;
  OFString value;

  if (g_atomic_int_get (&charset_shortcut_off))
    return false;
  if (dataset->findAndGetElement (DCM_SpecificCharacterSet, charset, OFFalse).good ())
    {
      if (charset->ident () != EVR_CS || charset->getVM () > 1 ||
          charset->getOFStringArray (value).bad () || !ascii_compatible_charset (value))
        return false;
    }
  if (!text_is_ascii (dataset, true) ||
      (charset != NULL && value != "ISO_IR 192" && charset->putString ("ISO_IR 192").bad ()))
    return false;
  g_atomic_int_inc (&charset_shortcuts);
  return true;
}

/* After DCMTK has read the file: transfer syntax, charset. */
static void
finish_open (LacunaDicomFile *file)
{
  DcmMetaInfo *meta = file->format.getMetaInfo ();
  DcmDataset *dataset = file->format.getDataset ();
  OFString ts;

  if (meta != NULL && meta->findAndGetOFStringArray (DCM_TransferSyntaxUID, ts).good () &&
      !ts.empty ())
    file->transfer_syntax = ts.c_str ();
  strip_uid (file->transfer_syntax);
  if (file->transfer_syntax.empty ())
    {
      DcmXfer xfer (dataset->getOriginalXfer ());

      if (xfer.getXfer () != EXS_Unknown)
        file->transfer_syntax = xfer.getXferID ();
      else
        file->transfer_syntax = UID_LittleEndianExplicitTransferSyntax;
    }

  /* The dataset's strings become UTF-8 and (0008,0005) becomes ISO_IR 192. DCMTK also
   * inserts it into a dataset that had none (plain ASCII): keep such datasets as they
   * were, so that saving an unchanged ASCII file does not add an attribute. */
  if (!convert_ascii_to_utf8 (dataset))
    {
      bool had_charset = dataset->tagExists (DCM_SpecificCharacterSet, OFFalse);

      if (dataset->convertToUTF8 ().bad ())
        file->charset_failed = true;
      else if (!had_charset)
        dataset->findAndDeleteElement (DCM_SpecificCharacterSet, OFFalse, OFFalse);
    }
}

typedef OFCondition (*LoadFunc) (LacunaDicomFile *file,
                                 gpointer         user_data);

static LacunaDicomFile *
open_common (const guint8          *data,
             gsize                  size,
             const char            *name,
             LacunaDicomOpenFlags   flags,
             LoadFunc               load,
             gpointer               load_data,
             GError               **error)
{
  try
    {
      std::unique_ptr<LacunaDicomFile> file (new LacunaDicomFile ());
      OFCondition cond;

      if (!looks_like_dicom (data, size))
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_NOT_DICOM,
                       "not a DICOM file");
          return NULL;
        }
      gboolean pixels_truncated = FALSE;

      if (!_lacuna_dicom_prescan_full (data, size, &pixels_truncated, error))
        return NULL;

      file->name = name;
      file->has_meta = size >= 132 && memcmp (data + 128, "DICM", 4) == 0;
      file->header_only = (flags & LACUNA_DICOM_OPEN_HEADER_ONLY) != 0;
      file->pixels_truncated = pixels_truncated;

      cond = load (file.get (), load_data);
      if (cond.bad () && pixels_truncated && !file->header_only)
        {
          /* Truncated Pixel Data (the last element): the header is still worth reading. */
          file.reset (new LacunaDicomFile ());
          file->name = name;
          file->has_meta = size >= 132 && memcmp (data + 128, "DICM", 4) == 0;
          file->header_only = true;
          file->pixels_truncated = true;
          cond = load (file.get (), load_data);
        }
      if (cond.bad ())
        {
          /* Parsed from memory, data that ends too soon leaves the stream "invalid": say what
           * a file's stream says of it. */
          if (cond == EC_InvalidStream)
            cond = EC_StreamNotifyClient;
          _lacuna_dicom_set_error (error, LACUNA_DICOM_ERROR_PARSE, "cannot read the DICOM data",
                                   cond);
          return NULL;
        }
      finish_open (file.get ());
      return file.release ();
    }
  catch (const std::bad_alloc &)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_TOO_LARGE,
                   "out of memory while reading the DICOM data");
    }
  catch (const std::exception &e)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_FAILED,
                   "cannot read the DICOM data: %s", e.what ());
    }
  catch (...)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_FAILED,
                   "cannot read the DICOM data");
    }
  return NULL;
}

static OFCondition
load_path (LacunaDicomFile *file,
           gpointer         user_data)
{
  const char *path = (const char *) user_data;

  if (file->header_only)
    return file->format.loadFileUntilTag (OFFilename (path), EXS_Unknown, EGL_noChange,
                                          DCM_MaxReadLength, ERM_autoDetect, DCM_PixelData);
  return file->format.loadFile (OFFilename (path), EXS_Unknown, EGL_noChange, DCM_MaxReadLength,
                                ERM_autoDetect);
}

typedef struct
{
  const guint8 *data;
  gsize         size;
  GBytes       *bytes;   /* NULL: every value is read at once (the buffer is not ours) */
} Buffer;

/* Where a value left in bytes (held) is read from when it is used. */
class BytesFactory : public DcmInputStreamFactory
{
public:
  BytesFactory (GBytes       *bytes,
                offile_off_t  offset)
    : bytes_ (g_bytes_ref (bytes)), offset_ (offset)
  {
  }

  BytesFactory (const BytesFactory &other)
    : DcmInputStreamFactory (other), bytes_ (g_bytes_ref (other.bytes_)),
      offset_ (other.offset_)
  {
  }

  virtual ~BytesFactory ()
  {
    g_bytes_unref (bytes_);
  }

  virtual DcmInputStream *
  create () const
  {
    gsize size;
    const void *data = g_bytes_get_data (bytes_, &size);
    DcmInputBufferStream *stream = new DcmInputBufferStream ();

    stream->setBuffer (data, (offile_off_t) size);
    stream->setEos ();
    stream->skip (offset_);
    return stream;
  }

  virtual DcmInputStreamFactory *
  clone () const
  {
    return new BytesFactory (*this);
  }

  /* Not a file DCMTK could open or save over by name. */
  virtual DcmInputStreamFactoryType
  ident () const
  {
    return DFT_DcmInputTempFileStreamFactory;
  }

  /* The value's bytes as stored, in place. */
  bool
  peek (gsize          length,
        const guint8 **out_data) const
  {
    gsize size;
    const guint8 *data = (const guint8 *) g_bytes_get_data (bytes_, &size);

    if (offset_ < 0 || (gsize) offset_ > size || size - (gsize) offset_ < length)
      return false;
    *out_data = data + offset_;
    return true;
  }

private:
  BytesFactory &operator= (const BytesFactory &);

  GBytes *bytes_;
  offile_off_t offset_;
};

bool
_lacuna_dicom_peek_lazy_value (DcmElement    *element,
                               const guint8 **out_data)
{
  const BytesFactory *factory = dynamic_cast<const BytesFactory *> (element->getInputStream ());

  return factory != NULL && !element->valueLoaded () &&
         factory->peek (element->getLengthField (), out_data);
}

/* Memory parsed with DCMTK's buffer stream (which reads a value with a copy, where its file
 * stream makes several stdio calls for each element), large values left where they are, as
 * DCMTK's file stream leaves them: their factories read them, when they are used, from the
 * path (a mapped file), or from the bytes (held by the factories). */
class LazyStream : public DcmInputBufferStream
{
public:
  LazyStream (const guint8 *data,
              gsize         size,
              const char   *path,
              GBytes       *bytes)
    : path_ (path), bytes_ (bytes)
  {
    setBuffer (data, (offile_off_t) size);
    setEos ();
    plain_ = currentProducer ();
  }

  virtual DcmInputStreamFactory *
  newFactory () const
  {
    /* A deflated dataset cannot be read again from an offset (nor can DCMTK's file stream
     * then): its values are read now. */
    if (currentProducer () != plain_)
      return NULL;
    if (bytes_ != NULL)
      return new BytesFactory (bytes_, tell ());
    return new DcmInputFileStreamFactory (OFFilename (path_), tell ());
  }

private:
  const char *path_;
  GBytes *bytes_;
  const DcmProducer *plain_;
};

static OFCondition
load_buffer (LacunaDicomFile *file,
             gpointer         user_data)
{
  Buffer *buffer = (Buffer *) user_data;
  OFCondition cond;

  if (buffer->size > G_MAXUINT32)
    return EC_TooManyBytesRequested;

  file->format.transferInit ();
  if (buffer->bytes != NULL)
    {
      /* Large values stay in the bytes (which their factories hold) until used. */
      LazyStream stream (buffer->data, buffer->size, NULL, buffer->bytes);

      cond = file->format.readUntilTag (stream, EXS_Unknown, EGL_noChange, DCM_MaxReadLength,
                                        file->header_only ? DCM_PixelData
                                                          : DCM_UndefinedTagKey);
    }
  else
    {
      DcmInputBufferStream stream;

      stream.setBuffer (buffer->data, (offile_off_t) buffer->size);
      stream.setEos ();
      cond = file->format.readUntilTag (stream, EXS_Unknown, EGL_noChange, G_MAXUINT32 - 1,
                                        file->header_only ? DCM_PixelData
                                                          : DCM_UndefinedTagKey);
    }
  file->format.transferEnd ();
  return cond;
}

typedef struct
{
  const char   *path;
  const guint8 *data;
  gsize         size;
} Mapped;

static OFCondition
load_mapped (LacunaDicomFile *file,
             gpointer         user_data)
{
  Mapped *mapped = (Mapped *) user_data;
  LazyStream stream (mapped->data, mapped->size, mapped->path, NULL);
  OFCondition cond;

  file->format.transferInit ();
  cond = file->format.readUntilTag (stream, EXS_Unknown, EGL_noChange, DCM_MaxReadLength,
                                    file->header_only ? DCM_PixelData : DCM_UndefinedTagKey);
  file->format.transferEnd ();
  return cond;
}

/* Files up to this size are read whole (one read, and no mapping whose removal would
 * interrupt every thread of the process), every value parsed at once; larger ones are
 * mapped, and their large values left in the file until used. */
#define READ_WHOLE_MAX (256 * 1024)

/* The contents of path when it is a regular file of at most READ_WHOLE_MAX bytes; NULL
 * otherwise, or on any error (the caller then maps it, and reports the error so). */
static GBytes *
read_small_file (const char *path)
{
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  struct stat st;
  guint8 *data;
  gsize done = 0;

  if (fd < 0)
    return NULL;
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) || st.st_size > READ_WHOLE_MAX)
    {
      close (fd);
      return NULL;
    }
  data = (guint8 *) g_malloc (MAX ((gsize) st.st_size, 1));
  while (done < (gsize) st.st_size)
    {
      ssize_t n = read (fd, data + done, (gsize) st.st_size - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          g_free (data);
          close (fd);
          return NULL;
        }
      if (n == 0)
        break;   /* shorter than it was: what there is */
      done += (gsize) n;
    }
  close (fd);
  return g_bytes_new_take (data, done);
}

LacunaDicomFile *
lacuna_dicom_file_open (const char            *path,
                        LacunaDicomOpenFlags   flags,
                        GError               **error)
{
  g_autoptr(GMappedFile) mapped = NULL;
  const guint8 *data;
  gsize size;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  lacuna_dicom_init ();

  {
    g_autoptr(GBytes) whole = read_small_file (path);

    if (whole != NULL)
      {
        Buffer buffer;

        /* Every value read at once: the file is small, and kept files are written from. */
        buffer.data = (const guint8 *) g_bytes_get_data (whole, &buffer.size);
        buffer.bytes = NULL;
        return open_common (buffer.data, buffer.size, path, flags, load_buffer, &buffer,
                            error);
      }
  }

  /* Mapped, not read: the prescan touches each byte once, and only DCMTK's lazy loading
   * reads large values again. */
  mapped = g_mapped_file_new (path, FALSE, error);
  if (mapped == NULL)
    return NULL;
  data = (const guint8 *) g_mapped_file_get_contents (mapped);
  size = g_mapped_file_get_length (mapped);

  if (size < G_MAXUINT32)
    {
      Mapped whole = { path, data, size };

      return open_common (data, size, path, flags, load_mapped, &whole, error);
    }
  return open_common (data, size, path, flags, load_path, (gpointer) path, error);
}

LacunaDicomFile *
lacuna_dicom_file_open_bytes (GBytes                *bytes,
                              const char            *name,
                              LacunaDicomOpenFlags   flags,
                              GError               **error)
{
  Buffer buffer;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  lacuna_dicom_init ();

  buffer.data = (const guint8 *) g_bytes_get_data (bytes, &buffer.size);
  buffer.bytes = bytes;
  return open_common (buffer.data, buffer.size, name != NULL ? name : "", flags, load_buffer,
                      &buffer, error);
}

/* DcmItem keeps its elements in a list it does not expose. A pointer to that protected
 * member, taken (legally) through a subclass, lets a copy leave most of them out. */
class StandardCopy : public DcmItem
{
public:
  static DcmList *DcmItem::*member () { return &StandardCopy::elementList; }
};

/* Into copy: file's meta header, its dataset's own state, and its standard top-level
 * elements (see lacuna_dicom_file_copy_standard()). */
static bool
copy_standard_elements (LacunaDicomFile  *file,
                        LacunaDicomFile  *copy,
                        GError          **error)
{
  DcmDataset *source = file->format.getDataset ();
  DcmDataset *target = copy->format.getDataset ();
  DcmList *DcmItem::*list = StandardCopy::member ();
  DcmList *elements = source->*list;
  DcmList none;

  *copy->format.getMetaInfo () = *file->format.getMetaInfo ();
  /* The dataset's own state (the transfer syntax it was read in) without its elements:
   * assigned while it lends an empty list. */
  source->*list = &none;
  try
    {
      *target = *source;
    }
  catch (...)
    {
      source->*list = elements;
      throw;
    }
  source->*list = elements;

  /* Then the standard elements, in order (each insert lands at the end at once). A value
   * still in the file is read into the source first: copied from there, it is read once,
   * not once for each. */
  for (DcmObject *obj = source->nextInContainer (NULL); obj != NULL;
       obj = source->nextInContainer (obj))
    {
      if (obj->getTag ().getGroup () % 2 == 1)
        continue;
      if (obj->isLeaf () && !OFstatic_cast (DcmElement *, obj)->valueLoaded ())
        OFstatic_cast (DcmElement *, obj)->loadAllDataIntoMemory ();
      DcmElement *element = OFstatic_cast (DcmElement *, obj->clone ());

      if (target->insert (element, OFFalse, OFFalse).bad ())
        {
          delete element;
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_FAILED,
                       "copying the DICOM data failed");
          return false;
        }
    }
  return true;
}

static LacunaDicomFile *
copy_file (LacunaDicomFile  *file,
           bool              standard_only,
           GError          **error)
{
  g_return_val_if_fail (file != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  try
    {
      std::unique_ptr<LacunaDicomFile> copy (new LacunaDicomFile ());

      /* DCMTK copies every element (lazily loaded values keep reading from the source). */
      if (!standard_only)
        copy->format = file->format;
      else if (!copy_standard_elements (file, copy.get (), error))
        return NULL;
      copy->transfer_syntax = file->transfer_syntax;
      copy->name = file->name;
      copy->has_meta = file->has_meta;
      copy->header_only = file->header_only;
      copy->charset_failed = file->charset_failed;
      copy->pixels_truncated = file->pixels_truncated;
      copy->pixels_host_order = file->pixels_host_order;
      return copy.release ();
    }
  catch (const std::bad_alloc &)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_TOO_LARGE,
                   "out of memory while copying the DICOM data");
    }
  catch (const std::exception &)
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_FAILED,
                   "copying the DICOM data failed unexpectedly");
    }
  return NULL;
}

LacunaDicomFile *
lacuna_dicom_file_copy (LacunaDicomFile  *file,
                        GError          **error)
{
  return copy_file (file, false, error);
}

LacunaDicomFile *
lacuna_dicom_file_copy_standard (LacunaDicomFile  *file,
                                 GError          **error)
{
  return copy_file (file, true, error);
}

/* What DCMTK allocates for an element beside its value (object, tag, list node, malloc's
 * own overhead): 500 files of 285 elements kept grew the process by about 70 KB a file
 * with DCMTK 3.6.7 on x86-64. */
#define ELEMENT_OVERHEAD 240

/* An object (an element, or an item) and what lies under it: a DcmStack walk costs more
 * than the count itself, for every file the export parses. */
static gsize
estimate_object (DcmObject *object)
{
  gsize total = ELEMENT_OVERHEAD;

  if (object->ident () == EVR_SQ || object->ident () == EVR_item ||
      object->ident () == EVR_dataset || object->ident () == EVR_metainfo)
    {
      /* Sequences hold items, items hold elements: both list their contents. */
      DcmObject *container = object;

      for (DcmObject *child = container->nextInContainer (NULL); child != NULL;
           child = container->nextInContainer (child))
        total += estimate_object (child);
    }
  else if (object->isLeaf ())
    {
      if (((DcmElement *) object)->valueLoaded ())
        total += object->getLengthField ();
    }
  else
    {
      /* Encapsulated pixel data (its fragments) and the like. */
      DcmStack stack;

      while (object->nextObject (stack, OFTrue).good ())
        {
          DcmObject *inner = stack.top ();

          total += ELEMENT_OVERHEAD;
          if (inner->isLeaf () && ((DcmElement *) inner)->valueLoaded ())
            total += inner->getLengthField ();
        }
    }
  return total;
}

gsize
lacuna_dicom_file_estimate_memory (LacunaDicomFile *file)
{
  gsize total = sizeof (LacunaDicomFile);

  g_return_val_if_fail (file != NULL, 0);

  for (DcmItem *item : { (DcmItem *) file->format.getMetaInfo (),
                         (DcmItem *) file->format.getDataset () })
    if (item != NULL)
      total += estimate_object (item) - ELEMENT_OVERHEAD;   /* the item itself is not counted */
  return total;
}

LacunaDicomFile *
lacuna_dicom_file_new (void)
{
  LacunaDicomFile *file;

  lacuna_dicom_init ();

  file = new LacunaDicomFile ();
  file->transfer_syntax = UID_LittleEndianExplicitTransferSyntax;
  return file;
}

void
lacuna_dicom_file_free (LacunaDicomFile *file)
{
  delete file;
}

const char *
lacuna_dicom_file_get_transfer_syntax (LacunaDicomFile *file)
{
  g_return_val_if_fail (file != NULL, UID_LittleEndianExplicitTransferSyntax);

  return file->transfer_syntax.c_str ();
}

gboolean
lacuna_dicom_file_has_meta (LacunaDicomFile *file)
{
  g_return_val_if_fail (file != NULL, FALSE);

  return file->has_meta;
}

gboolean
lacuna_dicom_file_pixels_truncated (LacunaDicomFile *file)
{
  g_return_val_if_fail (file != NULL, FALSE);

  return file->pixels_truncated;
}

gboolean
lacuna_dicom_file_is_complete (LacunaDicomFile *file)
{
  g_return_val_if_fail (file != NULL, FALSE);

  return !file->header_only;
}

gboolean
lacuna_dicom_file_charset_failed (LacunaDicomFile *file)
{
  g_return_val_if_fail (file != NULL, FALSE);

  return file->charset_failed;
}

/* ---------------------------------------------------------------------------------------- */
/* Dictionary                                                                               */

static const DcmDictEntry *
find_entry (guint32 tag)
{
  const DcmDataDictionary &dict = dcmDataDict.rdlock ();
  const DcmDictEntry *entry = dict.findEntry (DcmTagKey (tag >> 16, tag & 0xFFFF), NULL);

  dcmDataDict.rdunlock ();
  return entry;
}

const char *
lacuna_dicom_tag_keyword (guint32 tag)
{
  const DcmDictEntry *entry;
  const char *name;

  lacuna_dicom_init ();
  entry = find_entry (tag);
  if (entry == NULL)
    return NULL;
  name = entry->getTagName ();
  /* Entries live as long as the global dictionary, that is, until exit. */
  return name != NULL && *name != '\0' ? name : NULL;
}

/* DCMTK's dictionary has keywords only: "PatientName" → "Patient Name",
 * "SOPInstanceUID" → "SOP Instance UID". */
static char *
keyword_to_name (const char *keyword)
{
  GString *s = g_string_new (NULL);
  gsize len = strlen (keyword);

  for (gsize i = 0; i < len; i++)
    {
      char c = keyword[i];
      char prev = i > 0 ? keyword[i - 1] : '\0';
      char next = keyword[i + 1];

      if (i > 0 &&
          ((g_ascii_isupper (c) && (g_ascii_islower (prev) || g_ascii_isdigit (prev))) ||
           (g_ascii_isupper (c) && g_ascii_isupper (prev) && g_ascii_islower (next)) ||
           (g_ascii_isdigit (c) && g_ascii_isalpha (prev))))
        g_string_append_c (s, ' ');
      g_string_append_c (s, c);
    }
  return g_string_free (s, FALSE);
}

const char *
lacuna_dicom_tag_name (guint32 tag)
{
  const char *keyword = lacuna_dicom_tag_keyword (tag);
  g_autofree char *name = NULL;

  if (keyword == NULL)
    return NULL;
  name = keyword_to_name (keyword);
  return g_intern_string (name);
}

static const char *
evr_name (DcmEVR evr)
{
  DcmVR vr (evr);
  DcmVR valid (vr.getValidEVR ());

  return valid.getVRName ();
}

const char *
lacuna_dicom_tag_vr (guint32 tag)
{
  const DcmDictEntry *entry;

  lacuna_dicom_init ();
  entry = find_entry (tag);
  if (entry == NULL)
    return "UN";
  return evr_name (entry->getEVR ());
}

gboolean
lacuna_dicom_tag_from_keyword (const char *keyword,
                               guint32    *out_tag)
{
  const DcmDictEntry *entry;
  gboolean found = FALSE;

  g_return_val_if_fail (keyword != NULL, FALSE);

  lacuna_dicom_init ();
  {
    const DcmDataDictionary &dict = dcmDataDict.rdlock ();

    entry = dict.findEntry (keyword);
    if (entry != NULL && entry->getPrivateCreator () == NULL)
      {
        if (out_tag != NULL)
          *out_tag = ((guint32) entry->getGroup () << 16) | entry->getElement ();
        found = TRUE;
      }
    dcmDataDict.rdunlock ();
  }
  return found;
}

const char *
lacuna_dicom_transfer_syntax_name (const char *uid)
{
  static const struct
  {
    const char *uid;
    const char *name;
  } names[] = {
    { "1.2.840.10008.1.2", "Implicit VR Little Endian" },
    { "1.2.840.10008.1.2.1", "Explicit VR Little Endian" },
    { "1.2.840.10008.1.2.1.98", "Encapsulated Uncompressed Explicit VR Little Endian" },
    { "1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian" },
    { "1.2.840.10008.1.2.2", "Explicit VR Big Endian" },
    { "1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)" },
    { "1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)" },
    { "1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)" },
    { "1.2.840.10008.1.2.4.70", "JPEG Lossless, Non-Hierarchical, First-Order Prediction "
                                "(Process 14 [Selection Value 1])" },
    { "1.2.840.10008.1.2.4.80", "JPEG-LS Lossless Image Compression" },
    { "1.2.840.10008.1.2.4.81", "JPEG-LS Lossy (Near-Lossless) Image Compression" },
    { "1.2.840.10008.1.2.4.90", "JPEG 2000 Image Compression (Lossless Only)" },
    { "1.2.840.10008.1.2.4.91", "JPEG 2000 Image Compression" },
    { "1.2.840.10008.1.2.4.92", "JPEG 2000 Part 2 Multi-component Image Compression "
                                "(Lossless Only)" },
    { "1.2.840.10008.1.2.4.93", "JPEG 2000 Part 2 Multi-component Image Compression" },
    { "1.2.840.10008.1.2.4.94", "JPIP Referenced" },
    { "1.2.840.10008.1.2.4.95", "JPIP Referenced Deflate" },
    { "1.2.840.10008.1.2.4.100", "MPEG2 Main Profile / Main Level" },
    { "1.2.840.10008.1.2.4.101", "MPEG2 Main Profile / High Level" },
    { "1.2.840.10008.1.2.4.102", "MPEG-4 AVC/H.264 High Profile / Level 4.1" },
    { "1.2.840.10008.1.2.4.103", "MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1" },
    { "1.2.840.10008.1.2.4.104", "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video" },
    { "1.2.840.10008.1.2.4.105", "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video" },
    { "1.2.840.10008.1.2.4.106", "MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2" },
    { "1.2.840.10008.1.2.4.107", "HEVC/H.265 Main Profile / Level 5.1" },
    { "1.2.840.10008.1.2.4.108", "HEVC/H.265 Main 10 Profile / Level 5.1" },
    { "1.2.840.10008.1.2.4.110", "JPEG XL Lossless" },
    { "1.2.840.10008.1.2.4.111", "JPEG XL JPEG Recompression" },
    { "1.2.840.10008.1.2.4.112", "JPEG XL" },
    { "1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 Image Compression (Lossless Only)" },
    { "1.2.840.10008.1.2.4.202", "High-Throughput JPEG 2000 with RPCL Options Image "
                                 "Compression (Lossless Only)" },
    { "1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000 Image Compression" },
    { "1.2.840.10008.1.2.5", "RLE Lossless" },
    { "1.2.840.10008.1.2.8.1", "Deflated Image Frame Compression" },
  };

  if (uid == NULL)
    return NULL;
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if (strcmp (uid, names[i].uid) == 0)
      return names[i].name;
  return NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* Paths                                                                                    */

char *
lacuna_dicom_tag_format (guint32 tag)
{
  return g_strdup_printf ("(%04X,%04X)", tag >> 16, tag & 0xFFFF);
}

/* The eight hex digits at p as a tag (digit by digit: every lookup of an element parses
 * one, and g_ascii_xdigit_value () is a call); false when one is not a hex digit. */
static inline bool
parse_tag8 (const char *p,
            guint32    *out)
{
  guint32 tag = 0;

  for (int j = 0; j < 8; j++)
    {
      char c = p[j];
      guint32 v;

      if (c >= '0' && c <= '9')
        v = (guint32) (c - '0');
      else if (c >= 'A' && c <= 'F')
        v = (guint32) (c - 'A' + 10);
      else if (c >= 'a' && c <= 'f')
        v = (guint32) (c - 'a' + 10);
      else
        return false;
      tag = (tag << 4) | v;
    }
  *out = tag;
  return true;
}

guint32
lacuna_dicom_path_first_tag (const char *path)
{
  guint32 tag;

  if (path == NULL || !parse_tag8 (path, &tag))
    return 0;
  return path[8] == '\0' || path[8] == '/' ? tag : 0;
}

/* Parses "00081115/0/00081155" into tags and item indices; FALSE when malformed. */
bool
_lacuna_dicom_parse_path (const char                            *path,
                          std::vector<std::pair<guint32, guint>> &out)
{
  /* By hand, without splitting into strings: every lookup of an element parses one. */
  const char *p = path;

  out.clear ();
  if (path == NULL || *path == '\0')
    return false;
  for (;;)
    {
      guint32 tag = 0;
      guint64 item = 0;
      int n_digits = 0;

      if (!parse_tag8 (p, &tag))
        return false;
      p += 8;
      if (*p == '\0')
        {
          out.emplace_back (tag, 0);
          return true;
        }
      if (*p++ != '/')
        return false;
      for (; g_ascii_isdigit (*p); p++)
        {
          if (++n_digits > 9)
            return false;
          item = item * 10 + (guint64) (*p - '0');
        }
      if (n_digits == 0 || *p++ != '/')
        return false;
      out.emplace_back (tag, (guint) item);
    }
}

char *
lacuna_dicom_path_format (const char *path)
{
  std::vector<std::pair<guint32, guint>> parts;
  GString *s;

  if (!_lacuna_dicom_parse_path (path, parts))
    return g_strdup (path != NULL ? path : "");

  s = g_string_new (NULL);
  for (gsize i = 0; i < parts.size (); i++)
    {
      guint32 tag = parts[i].first;

      if (i > 0)
        g_string_append (s, " \u203A ");
      g_string_append_printf (s, "(%04X,%04X)", tag >> 16, tag & 0xFFFF);
      if (i + 1 < parts.size ())
        g_string_append_printf (s, "[%u]", parts[i].second);
    }
  return g_string_free (s, FALSE);
}

guint32
lacuna_dicom_path_last_tag (const char *path)
{
  std::vector<std::pair<guint32, guint>> parts;

  if (!_lacuna_dicom_parse_path (path, parts))
    return 0;
  return parts.back ().first;
}

char *
lacuna_dicom_path_child (const char *parent,
                         guint       item,
                         guint32     tag)
{
  /* Called for every element of every walk: formatted by hand, not by printf. */
  static const char hex[] = "0123456789ABCDEF";
  gsize parent_len = parent != NULL ? strlen (parent) : 0;
  char digits[16];
  guint n_digits = 0;
  char *out, *p;

  do
    {
      digits[n_digits++] = (char) ('0' + item % 10);
      item /= 10;
    }
  while (item > 0);

  out = (char *) g_malloc (parent_len + 1 + n_digits + 1 + 8 + 1);
  p = out;
  if (parent_len > 0)
    {
      memcpy (p, parent, parent_len);
      p += parent_len;
      *p++ = '/';
      while (n_digits > 0)
        *p++ = digits[--n_digits];
      *p++ = '/';
    }
  for (int shift = 28; shift >= 0; shift -= 4)
    *p++ = hex[(tag >> shift) & 0xF];
  *p = '\0';
  return out;
}
