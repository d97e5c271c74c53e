/* lacuna-error.h: the error domains of the engine. */
#pragma once

#include <glib.h>

#include "lacuna-dicom.h"

G_BEGIN_DECLS

/* LACUNA_DICOM_ERROR comes from the DICOM shim (lacuna-dicom.h). */

#define LACUNA_LOAD_ERROR (lacuna_load_error_quark ())
typedef enum
{
  LACUNA_LOAD_ERROR_FAILED,
  LACUNA_LOAD_ERROR_NOTHING_FOUND,   /* no DICOM file in what was given */
  LACUNA_LOAD_ERROR_DICOMDIR,        /* a DICOMDIR that cannot be followed */
  LACUNA_LOAD_ERROR_ARCHIVE,         /* a .zip that cannot be read */
} LacunaLoadError;

#define LACUNA_DEID_ERROR (lacuna_deid_error_quark ())
typedef enum
{
  LACUNA_DEID_ERROR_FAILED,
} LacunaDeidError;

#define LACUNA_EXPORT_ERROR (lacuna_export_error_quark ())
typedef enum
{
  LACUNA_EXPORT_ERROR_FAILED,
} LacunaExportError;

GQuark lacuna_load_error_quark   (void);
GQuark lacuna_deid_error_quark   (void);
GQuark lacuna_export_error_quark (void);

G_END_DECLS
