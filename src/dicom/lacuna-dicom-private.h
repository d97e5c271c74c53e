/* lacuna-dicom-private.h: shared between the shim's own C++ files. Never included from C. */
#pragma once

#ifndef __cplusplus
#error "lacuna-dicom-private.h is C++"
#endif

#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dctk.h"

#include "lacuna-dicom.h"
#include "lacuna-dicom-prescan.h"

struct _LacunaDicomFile
{
  DcmFileFormat format;
  std::string   transfer_syntax;      /* UID, from (0002,0010) or as detected */
  std::string   name;                 /* for messages: the path, or the archive member */
  bool          has_meta = false;
  bool          header_only = false;
  bool          charset_failed = false;
  /* Pixel Data ran past the end of the file: opened header-only (no pixels, no save). */
  bool          pixels_truncated = false;
  /* lacuna-dicom-pixels.cc: decode_frame holds this while it reads lazily loaded values, so
   * one file can be decoded from a worker thread; pixels_host_order is set once
   * set_pixel_data has put a native value in host byte order. */
  std::mutex    pixel_lock;
  bool          pixels_host_order = false;
};

/* Sets error from a DCMTK condition, naming what was being done (never a value). */
void _lacuna_dicom_set_error (GError           **error,
                              LacunaDicomError   code,
                              const char        *what,
                              const OFCondition &cond);

/* The value of element as stored in the bytes a file was opened from
 * (lacuna_dicom_file_open_bytes()), where it was left unread: *out_data points into them,
 * for as long as the file is open. false when the value is not such a one. (lacuna-dicom.cc) */
bool _lacuna_dicom_peek_lazy_value (DcmElement    *element,
                                    const guint8 **out_data);

/* Finds the element at path (see lacuna-dicom.h); NULL + NOT_FOUND/INVALID error. */
DcmElement *_lacuna_dicom_find (LacunaDicomFile  *file,
                                const char       *path,
                                GError          **error);

/* Is this transfer syntax UID one DCMTK 3.6.7 does not know, but which holds encapsulated
 * pixel data (HTJ2K 1.2.840.10008.1.2.4.201-203, Deflated Image Frame Compression …)? */
bool _lacuna_dicom_is_unknown_encapsulated (const std::string &uid);

/* Parses a path (see lacuna-dicom.h) into (tag, item index) pairs; the last pair's index
 * is unused. false when malformed. (lacuna-dicom.cc) */
bool _lacuna_dicom_parse_path (const char                             *path,
                               std::vector<std::pair<guint32, guint>> &out);

/* The item (dataset, meta header or a sequence item) holding the element at path, and
 * that element's tag; NULL + NOT_FOUND/INVALID error when a sequence or item on the way
 * is missing. Creates nothing. (lacuna-dicom-elements.cc) */
DcmItem *_lacuna_dicom_find_parent (LacunaDicomFile  *file,
                                    const char       *path,
                                    DcmTagKey        *out_key,
                                    GError          **error);

extern "C" {
/* lacuna-dicom-j2k.c: decodes one JPEG 2000 / HTJ2K codestream (J2K or JP2) into samples
 * of width bytes_per_sample (1, 2 or 4), interleaved, host order. */
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

/* lacuna-dicom-prescan.c: walks the raw bytes without recursion; see lacuna-dicom.h. */
gboolean _lacuna_dicom_prescan (const guint8  *data,
                                gsize          size,
                                GError       **error);
}
