/* lacuna-dicom-dicomdir.h: what lacuna-dicom-write.cc and lacuna-dicom-dicomdir.cc share
 * about DICOMDIRs. C++, never included from C. */
#pragma once

#ifndef __cplusplus
#error "lacuna-dicom-dicomdir.h is C++"
#endif

#include <glib.h>

/* A PS3.10 file ID as Lacuna writes them: components of A–Z, 0–9 and _, at most 8
 * characters each, at most 8 components, '/' between them. */
bool  _lacuna_dicom_valid_file_id       (const char         *id);

/* The DICOMDIR's SOP Instance UID: derived from the file-set ID and the file IDs, so that
 * the same files give the same DICOMDIR byte for byte. */
char *_lacuna_dicom_derive_dicomdir_uid (const char         *fileset_id,
                                         const char * const *file_ids);
