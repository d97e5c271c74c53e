/* lacuna-dicom.h: the one C interface to DCMTK and OpenJPEG.
 *
 * Pure C: no DCMTK type crosses this header. Every function catches C++ exceptions and
 * turns DCMTK's OFCondition into a GError in LACUNA_DICOM_ERROR. Nothing here prints a
 * tag value to a log or into an error message: errors name the attribute, never its value.
 *
 * Element paths
 * -------------
 * An element is addressed by a path string: tags as 8 upper-case hex digits, and for
 * each sequence on the way the 0-based item index, separated by '/':
 *
 *   "00100010"                       (0010,0010) at the top level
 *   "00081115/0/00081155"            (0008,1155) in item 0 of (0008,1115)
 *   "00400275/1/00400008/0/00080100" deeper
 *
 * Group 0002 paths address the file meta information. lacuna_dicom_path_format() gives
 * the human form "(0008,1115)[0] › (0008,1155)".
 */
#pragma once

#include <glib.h>
#include <gio/gio.h>

G_BEGIN_DECLS

#define LACUNA_DICOM_ERROR (lacuna_dicom_error_quark ())

typedef enum
{
  LACUNA_DICOM_ERROR_FAILED,       /* anything not covered below */
  LACUNA_DICOM_ERROR_NOT_DICOM,    /* not a DICOM file at all: callers skip it, not a failure */
  LACUNA_DICOM_ERROR_PARSE,        /* DICOM, but broken (truncated, bad lengths, bad VR…) */
  LACUNA_DICOM_ERROR_TOO_DEEP,     /* sequences nested deeper than LACUNA_DICOM_MAX_DEPTH */
  LACUNA_DICOM_ERROR_TOO_LARGE,    /* dimensions or lengths beyond what the file or the limits allow */
  LACUNA_DICOM_ERROR_NO_PIXELS,    /* the object has no Pixel Data (Float Pixel Data: UNSUPPORTED) */
  LACUNA_DICOM_ERROR_UNSUPPORTED,  /* a transfer syntax or pixel layout we cannot decode */
  LACUNA_DICOM_ERROR_DECODE,       /* the codec failed on this frame */
  LACUNA_DICOM_ERROR_NOT_FOUND,    /* no element at that path */
  LACUNA_DICOM_ERROR_INVALID,      /* a bad path, VR or value was passed in */
  LACUNA_DICOM_ERROR_WRITE,        /* writing the file failed */
} LacunaDicomError;

GQuark lacuna_dicom_error_quark (void);

/* Sequence nesting (SQ + item = one level) above which a file is refused before DCMTK's
 * recursive reader sees it. Ordinary data nests a handful of levels. */
#define LACUNA_DICOM_MAX_DEPTH 64

/* Largest decoded frame we will allocate (bytes). */
#define LACUNA_DICOM_MAX_FRAME_BYTES (G_GUINT64_CONSTANT (1) << 31)

/* Call once before anything else (registers codecs; idempotent, thread-safe). */
void lacuna_dicom_init (void);

/* For the tests: whether text that is ASCII in an ASCII-compatible character set skips
 * DCMTK's conversion to UTF-8 when a file is opened (the default), and how many opened
 * files did so. */
void  _lacuna_dicom_set_charset_shortcut     (gboolean enabled);
guint _lacuna_dicom_get_n_charset_shortcuts  (void);

/* ---------------------------------------------------------------------------------------- */
/* Files                                                                                    */

typedef struct _LacunaDicomFile LacunaDicomFile;

typedef enum
{
  LACUNA_DICOM_OPEN_DEFAULT     = 0,
  /* Stop reading at Pixel Data: fast indexing. Such a file cannot decode pixels or save. */
  LACUNA_DICOM_OPEN_HEADER_ONLY = 1 << 0,
} LacunaDicomOpenFlags;

/* Opens a Part 10 file (with or without preamble/meta) or a bare dataset. Large values
 * (pixel data) are read lazily from the still-present file. The file is opened read-only.
 * Before DCMTK parses anything, the bytes are pre-scanned without recursion: nesting deeper
 * than LACUNA_DICOM_MAX_DEPTH gives TOO_DEEP, a length running past the end of the file
 * gives PARSE. Strings are converted to UTF-8 following Specific Character Set. */
LacunaDicomFile *lacuna_dicom_file_open        (const char            *path,
                                                LacunaDicomOpenFlags   flags,
                                                GError               **error);
/* The same from memory (a member of a .zip); name is used in messages only. The file holds
 * bytes: values over 4 KB are read from them only when used. */
LacunaDicomFile *lacuna_dicom_file_open_bytes  (GBytes                *bytes,
                                                const char            *name,
                                                LacunaDicomOpenFlags   flags,
                                                GError               **error);
/* An independent copy of file as it is now (cheaper than parsing the bytes again). */
LacunaDicomFile *lacuna_dicom_file_copy        (LacunaDicomFile       *file,
                                                GError               **error);
/* The same without the private elements of the top level: what the pixels, frames and
 * the identity of the header (which skips private elements) need, for much less than a
 * whole copy when most elements are private. Values file still had on disk are read into
 * it first (then copied, not read again). */
LacunaDicomFile *lacuna_dicom_file_copy_standard (LacunaDicomFile     *file,
                                                  GError             **error);
/* About how many bytes of memory file holds: its elements and the values read into
 * memory (values still in the file count nothing). To budget files kept open. */
gsize            lacuna_dicom_file_estimate_memory (LacunaDicomFile   *file);
/* A new, empty dataset (to build files: the sample study, tests). */
LacunaDicomFile *lacuna_dicom_file_new         (void);
void             lacuna_dicom_file_free        (LacunaDicomFile       *file);

/* UID of the transfer syntax the file was stored in (from the meta header, or the one
 * detected for a bare dataset). Never NULL. */
const char      *lacuna_dicom_file_get_transfer_syntax (LacunaDicomFile *file);
/* TRUE when the file had a 128-byte preamble + "DICM" + meta header. */
gboolean         lacuna_dicom_file_has_meta            (LacunaDicomFile *file);
/* TRUE when Specific Character Set named something DCMTK could not convert: values are
 * then given as read (bytes outside ASCII replaced by U+FFFD). */
gboolean         lacuna_dicom_file_charset_failed      (LacunaDicomFile *file);
/* TRUE when Pixel Data runs past the end of the file: the header could be read, the
 * image cannot (such a file opens header-only). */
gboolean         lacuna_dicom_file_pixels_truncated    (LacunaDicomFile *file);
/* FALSE when file was opened HEADER_ONLY (or fell back to it): it cannot be saved. */
gboolean         lacuna_dicom_file_is_complete         (LacunaDicomFile *file);

/* Writes a Part 10 file: a zero preamble, a fresh meta header built from the dataset, in
 * transfer_syntax (NULL: Explicit VR Little Endian). Pixel data in a compressed syntax is
 * kept as it is when the syntax does not change; otherwise DCMTK's lossless encoders (RLE,
 * JPEG lossless SV1, JPEG-LS lossless) are used, and other targets give UNSUPPORTED.
 * Writes exactly to path: atomic rename is the caller's business. */
gboolean         lacuna_dicom_file_save        (LacunaDicomFile       *file,
                                                const char            *path,
                                                const char            *transfer_syntax,
                                                GError               **error);
/* The same file as bytes in memory (what save would write). */
GBytes          *lacuna_dicom_file_save_to_bytes (LacunaDicomFile     *file,
                                                  const char          *transfer_syntax,
                                                  GError             **error);

/* ---------------------------------------------------------------------------------------- */
/* Elements                                                                                 */

typedef struct
{
  const char *path;            /* see above */
  guint32     tag;             /* (group << 16) | element */
  const char *keyword;         /* "PatientName"; "" when the dictionary does not know it
                                * (interned, like name: valid as long as the process) */
  const char *name;            /* "Patient's Name"; "" when unknown */
  char        vr[3];           /* "PN", "SQ", "UN", … */
  guint       vm;              /* number of values */
  guint       depth;           /* 0 at the top level (and in the meta header) */
  guint32     length;          /* value length in bytes as stored (0xFFFFFFFF: undefined) */
  gboolean    is_sequence;
  guint       n_items;         /* for sequences */
  gboolean    is_private;      /* odd group */
  const char *private_creator; /* the creator of a private element's block, or NULL */
  /* UTF-8 text of the value, multiple values joined with '\'. For OB/OW/UN/OF… values of
   * more than 64 bytes: NULL (use get_bytes). NULL for sequences. */
  const char *value;
  gpointer    handle;          /* private: lacuna_dicom_element_dup_bytes() reads it */
} LacunaDicomElement;

typedef enum
{
  LACUNA_DICOM_WALK_CONTINUE,
  LACUNA_DICOM_WALK_SKIP_CHILDREN,   /* for a sequence: do not enter its items */
  LACUNA_DICOM_WALK_STOP,
} LacunaDicomWalkResult;

typedef LacunaDicomWalkResult (*LacunaDicomWalkFunc) (const LacunaDicomElement *element,
                                                      gpointer                  user_data);

/* Visits every element depth-first in file order: a sequence, then its items' elements.
 * With include_meta, the meta header's elements come first. The element struct and its
 * strings are valid only during the call. Do not modify the file from the callback, and
 * walk one file on one thread at a time (a walk fills the elements' cached names). */
void      lacuna_dicom_file_walk        (LacunaDicomFile       *file,
                                         gboolean               include_meta,
                                         LacunaDicomWalkFunc    func,
                                         gpointer               user_data);

typedef enum
{
  LACUNA_DICOM_WALK_DEFAULT      = 0,
  LACUNA_DICOM_WALK_META         = 1 << 0,   /* the meta header's elements first */
  /* No value text for binary numbers and bytes (US, SS, UL, SL, FL, FD, SV, UV, AT, OB,
   * OW, OF, OD, OL, OV: value is NULL): for walks that look at text only, and cheaper.
   * UN keeps its value (it may hold text). */
  LACUNA_DICOM_WALK_TEXT_ONLY    = 1 << 1,
  /* vm is 0: counting a string's values costs a pass over it, for walks that never look. */
  LACUNA_DICOM_WALK_NO_VM        = 1 << 2,
} LacunaDicomWalkFlags;

void      lacuna_dicom_file_walk_full   (LacunaDicomFile       *file,
                                         LacunaDicomWalkFlags   flags,
                                         LacunaDicomWalkFunc    func,
                                         gpointer               user_data);
/* Does a walk need the value of this element (its tag and VR as the walk gives them)? */
typedef gboolean (*LacunaDicomWalkWantFunc) (guint32     tag,
                                             const char *vr,
                                             gpointer    user_data);
/* As lacuna_dicom_file_walk_full(), with an element's value only when want says so (else
 * value is NULL): a walk that reads a few values need not format all the others. */
void      lacuna_dicom_file_walk_some   (LacunaDicomFile         *file,
                                         LacunaDicomWalkFlags     flags,
                                         LacunaDicomWalkWantFunc  want,
                                         LacunaDicomWalkFunc      func,
                                         gpointer                 user_data);

gboolean  lacuna_dicom_file_has         (LacunaDicomFile       *file,
                                         const char            *path);
/* Whole value as UTF-8, values joined with '\', trailing padding removed. NULL + NOT_FOUND
 * when absent; "" when present and empty. Binary VRs give NULL + INVALID. */
char     *lacuna_dicom_file_dup_string  (LacunaDicomFile       *file,
                                         const char            *path,
                                         GError               **error);
/* The same for n top-level tags at once (one pass over the dataset instead of a search
 * for each): out[i] gets what lacuna_dicom_file_dup_string() gives for tags[i], or NULL. */
void      lacuna_dicom_file_dup_top_strings (LacunaDicomFile   *file,
                                             const guint32     *tags,
                                             gsize              n,
                                             char             **out);
/* Value number index (0-based) of a numeric element (US, SS, UL, SL, FL, FD, DS, IS, and
 * also OW/OB/OL/OF/OD as arrays). */
gboolean  lacuna_dicom_file_get_number  (LacunaDicomFile       *file,
                                         const char            *path,
                                         guint                  index,
                                         double                *out_value,
                                         GError               **error);
/* Raw value bytes in host byte order (US/SS/OW… swapped as needed). Loads lazy values. */
GBytes   *lacuna_dicom_file_dup_bytes   (LacunaDicomFile       *file,
                                         const char            *path,
                                         GError               **error);
/* The same for the element a walk gives its callback, during the callback (no search by
 * path). */
GBytes   *lacuna_dicom_element_dup_bytes (const LacunaDicomElement  *element,
                                          GError                   **error);
/* The value text a walk of file would give element (with LACUNA_DICOM_WALK_TEXT_ONLY
 * when text_only), for the element a walk gives its callback, during the callback: for
 * walks that read few of the values they visit (a want function that takes none, then
 * this for the ones needed). NULL where the walk's value would be NULL. */
char     *lacuna_dicom_element_dup_text  (LacunaDicomFile           *file,
                                          const LacunaDicomElement  *element,
                                          gboolean                   text_only);
/* Number of items of the sequence at path (0 when absent). */
guint     lacuna_dicom_file_count_items (LacunaDicomFile       *file,
                                         const char            *path);

/* Sets (creating when absent) a string-valued element; vr NULL takes the dictionary's.
 * Numbers may be set as strings for US/SS/UL/SL/FL/FD ("512", "1\\2"). The items on the way
 * must exist. Writes UTF-8: the first such call on a dataset that is not already UTF-8 sets
 * Specific Character Set to ISO_IR 192. */
gboolean  lacuna_dicom_file_set_string  (LacunaDicomFile       *file,
                                         const char            *path,
                                         const char            *vr,
                                         const char            *value,
                                         GError               **error);
/* Sets a binary value (OB/OW/OF/…, US arrays); data in host byte order. */
gboolean  lacuna_dicom_file_set_bytes   (LacunaDicomFile       *file,
                                         const char            *path,
                                         const char            *vr,
                                         gconstpointer          data,
                                         gsize                  size,
                                         GError               **error);
/* Appends an empty item to the sequence at path (creating the sequence when absent);
 * returns the new item's index, or -1 with error. */
int       lacuna_dicom_file_append_item (LacunaDicomFile       *file,
                                         const char            *path,
                                         GError               **error);
/* Removes the element (a whole sequence too). Absent is not an error (returns TRUE). */
gboolean  lacuna_dicom_file_remove      (LacunaDicomFile       *file,
                                         const char            *path,
                                         GError               **error);
/* Removes the dataset's own elements with these tags (top level), in one pass over the
 * dataset instead of a search for each; the same as lacuna_dicom_file_remove() on each
 * tag's path (a tag the dataset lacks is looked for in the meta header, as there). */
gboolean  lacuna_dicom_file_remove_tags (LacunaDicomFile       *file,
                                         const guint32         *tags,
                                         gsize                  n_tags,
                                         GError               **error);

/* ---------------------------------------------------------------------------------------- */
/* Pixels                                                                                   */

typedef struct
{
  guint    rows;
  guint    columns;
  guint    n_frames;               /* Number of Frames, 1 when absent */
  guint    samples_per_pixel;
  guint    bits_allocated;
  guint    bits_stored;
  guint    high_bit;
  gboolean is_signed;              /* Pixel Representation 1 */
  guint    planar_configuration;
  char     photometric[24];        /* as stored, e.g. "MONOCHROME1", "YBR_FULL_422" */
  gboolean encapsulated;           /* compressed pixel data */
  gboolean lossy;                  /* the transfer syntax is lossy (or Lossy Image Compression 01) */
} LacunaDicomPixelInfo;

/* Fills info, checking it against the Pixel Data actually present: dimensions whose
 * frames would not fit in the file, or exceed LACUNA_DICOM_MAX_FRAME_BYTES, give
 * TOO_LARGE before anything is allocated. No Pixel Data: NO_PIXELS; Float/Double Float
 * Pixel Data only: UNSUPPORTED; Pixel Data cut short by the end of the file: PARSE. For a
 * file opened HEADER_ONLY, info describes what the header says (nothing is checked
 * against the pixels). */
gboolean  lacuna_dicom_file_get_pixel_info (LacunaDicomFile       *file,
                                            LacunaDicomPixelInfo  *info,
                                            GError               **error);

/* Decodes frame (0-based) to stored values: rows × columns × samples, samples interleaved
 * (planar configuration undone, native YBR_FULL_422 expanded to YBR_FULL), each sample
 * bits_allocated wide (1-bit data is unpacked to 8) in host byte order, not rescaled.
 * Stored values as GDCM's decoder gives them: bits above High Bit are dropped and signed
 * values (Pixel Representation 1) are sign-extended from Bits Stored to the sample width
 * (JPEG 2000: the codestream's values, sign-extended from its precision when it codes a
 * signed image as unsigned). out_photometric receives the colour model of the
 * decoded samples, which differs from the stored one when the codec converted colour
 * (JPEG YBR_FULL_422 → "RGB", JPEG 2000 YBR_ICT/YBR_RCT → "RGB"). Only this frame is
 * decoded; the file's other frames are not touched. Calls on one file are serialised, so a
 * worker may decode ahead while the main thread reads the header; do not modify the file or
 * dup_bytes() its Pixel Data meanwhile. */
GBytes   *lacuna_dicom_file_decode_frame   (LacunaDicomFile       *file,
                                            guint                  frame,
                                            char                   out_photometric[24],
                                            GError               **error);

/* Replaces Pixel Data with native (uncompressed) samples in host order: all frames,
 * interleaved. The caller keeps Rows, Columns, Photometric Interpretation… consistent. */
gboolean  lacuna_dicom_file_set_pixel_data (LacunaDicomFile       *file,
                                            gconstpointer          data,
                                            gsize                  size,
                                            guint                  bits_allocated,
                                            GError               **error);

/* Fills one frame of a new native Pixel Data value: out holds size bytes (host order,
 * samples interleaved, bits_allocated wide). FALSE + error stops the build. */
typedef gboolean (*LacunaDicomFillFrameFunc) (guint     frame,
                                              guint8   *out,
                                              gsize     size,
                                              gpointer  user_data,
                                              GError  **error);

/* Replaces Pixel Data with a native value of n_frames × frame_size bytes (bits_allocated 8,
 * 16 or 32), built in place frame by frame by func: nothing but the new value is held in
 * memory. func may decode frames of the same file (decode_frame): the old Pixel Data stays
 * until every frame is filled, and is left untouched when func fails. Like set_pixel_data,
 * the caller keeps Rows, Photometric Interpretation… consistent. (lacuna-dicom-encode.cc) */
gboolean  lacuna_dicom_file_build_pixel_data (LacunaDicomFile          *file,
                                              guint                     n_frames,
                                              gsize                     frame_size,
                                              guint                     bits_allocated,
                                              LacunaDicomFillFrameFunc  func,
                                              gpointer                  user_data,
                                              GError                  **error);

/* Native Pixel Data of 8 or 16 bits a sample, every bit of them stored (Bits Stored equal
 * to Bits Allocated), little endian, samples interleaved (not stored YBR_FULL_422), and
 * no longer than its frames (and a pad byte), as the file holds it now: its first byte,
 * every frame back to back (*out_n_frames of *out_frame_size bytes, each what decode_frame
 * would return). NULL in every other case, or when a large value left on disk would have
 * to be loaded: then use decode_frame. Reading and painting through the pointer spare decode_frame's
 * copy; a change is the file's new Pixel Data. Valid until the file or its Pixel Data
 * changes otherwise; not to be used while another thread decodes the same file.
 * (lacuna-dicom-pixels.cc) */
guint8   *lacuna_dicom_file_peek_native_pixels (LacunaDicomFile *file,
                                               gsize           *out_frame_size,
                                               guint           *out_n_frames);
/* The same for reading only: for a file opened from bytes, its Pixel Data where it lies in
 * them, without reading it into the file first. Never to be painted through. */
const guint8 *lacuna_dicom_file_peek_native_pixels_readonly (LacunaDicomFile *file,
                                                            gsize           *out_frame_size,
                                                            guint           *out_n_frames);

/* TRUE when Pixel Data is held native now (stored native, or replaced by set_pixel_data
 * or build_pixel_data), FALSE when it is encapsulated or absent. */
gboolean  lacuna_dicom_file_pixels_are_native (LacunaDicomFile *file);

/* Losslessly encodes native Pixel Data now, in memory, in transfer_syntax: RLE Lossless
 * (1.2.840.10008.1.2.5), JPEG Lossless SV1 (.4.70) and JPEG-LS Lossless (.4.80) with DCMTK,
 * JPEG 2000 Lossless Only (.4.90) with OpenJPEG (reversible 5/3, one layer, no colour
 * transform: RGB stays RGB). From then on the file is in that syntax:
 * get_transfer_syntax() returns it, decode_frame decodes the new fragments, and save() in
 * that syntax writes them as they are. Pixel Data must be native (else INVALID). On
 * failure the file is left as it was (native). The caller checks the result decodes to
 * the samples it encoded if it wants proof. */
gboolean  lacuna_dicom_file_encode_pixel_data (LacunaDicomFile  *file,
                                               const char       *transfer_syntax,
                                               GError          **error);

/* Encapsulated Pixel Data: every fragment's bytes concatenated in order, the Basic Offset
 * Table left out (to compare compressed data, or measure it). INVALID when Pixel Data is
 * native, NO_PIXELS when absent. */
GBytes   *lacuna_dicom_file_dup_fragments     (LacunaDicomFile  *file,
                                               GError          **error);

/* ---------------------------------------------------------------------------------------- */
/* DICOMDIR                                                                                 */

/* Writes root/DICOMDIR (STD-GEN-CD general purpose profile) listing file_ids: PS3.10 file
 * IDs relative to root with '/' between components ("LACUNA/S0001/I0001"; upper case,
 * digits, '_', at most 8 characters a component). Every file must have a Patient ID and a
 * Study Date (nothing is invented). Writes to a temporary name, then renames. */
gboolean lacuna_dicom_write_dicomdir (const char          *root,
                                      const char          *fileset_id,
                                      const char * const  *file_ids,
                                      GError             **error);

/* What the DICOMDIR needs of one file: its patient, study, series and instance records
 * as DCMTK's DicomDirInterface builds them (with its checks of the file for the general
 * purpose profiles), encoded by DCMTK, and the keys that place them. Opaque bytes, built
 * from file as parsed from the bytes written (file_id: as for the DICOMDIR). NULL +
 * UNSUPPORTED when the file cannot be listed this way (a required attribute empty, a kind
 * of object not handled, DCMTK's checks failing…): the DICOMDIR is then built from the
 * files. (lacuna-dicom-dicomdir.cc) */
GBytes  *lacuna_dicom_file_build_dicomdir_record (LacunaDicomFile  *file,
                                                  const char       *file_id,
                                                  GError          **error);

/* The record of file_ids[i], or NULL (none: with or without error). */
typedef GBytes *(*LacunaDicomDirRecordFunc) (guint      i,
                                             gpointer   user_data,
                                             GError   **error);

/* Writes the DICOMDIR lacuna_dicom_write_dicomdir() writes for the same files, byte for
 * byte, from each file's record (func, called twice for each file) without opening the
 * files, and in memory that does not grow with the records. When a record is missing or
 * cannot be used, or with LACUNA_DICOMDIR_DCMTK_ONLY set in the environment, it is
 * exactly lacuna_dicom_write_dicomdir(). */
gboolean lacuna_dicom_write_dicomdir_from_records (const char                *root,
                                                   const char                *fileset_id,
                                                   const char * const        *file_ids,
                                                   LacunaDicomDirRecordFunc   func,
                                                   gpointer                   user_data,
                                                   GError                   **error);

/* ---------------------------------------------------------------------------------------- */
/* Dictionary and paths                                                                     */

/* NULL when unknown. Static strings. */
const char *lacuna_dicom_tag_keyword      (guint32     tag);
const char *lacuna_dicom_tag_name         (guint32     tag);
/* "UN" when unknown. */
const char *lacuna_dicom_tag_vr           (guint32     tag);
/* FALSE when the keyword is unknown. */
gboolean    lacuna_dicom_tag_from_keyword (const char *keyword,
                                           guint32    *out_tag);
/* The name of a transfer syntax UID ("Explicit VR Little Endian"), or NULL. */
const char *lacuna_dicom_transfer_syntax_name (const char *uid);

/* "(0008,1115)[0] › (0008,1155)". */
char       *lacuna_dicom_path_format      (const char *path);
/* "(0010,0010)" */
char       *lacuna_dicom_tag_format       (guint32     tag);
/* The last tag of a path, 0 when the path is malformed. */
guint32     lacuna_dicom_path_last_tag    (const char *path);
/* The tag a path starts with (its top-level element), or 0 when it does not start with
 * eight hex digits followed by its end or '/'. */
guint32     lacuna_dicom_path_first_tag   (const char *path);
/* Path of the element tag inside item `item` of the sequence at parent (parent NULL: top). */
char       *lacuna_dicom_path_child       (const char *parent,
                                           guint       item,
                                           guint32     tag);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LacunaDicomFile, lacuna_dicom_file_free)

G_END_DECLS
