/* lacuna-collection.h: everything that was opened at once: patients → studies → series →
 * instances (a GListModel of LacunaPatient), and the files that were skipped or failed. */
#pragma once

#include <gio/gio.h>

#include "lacuna-patient.h"

G_BEGIN_DECLS

typedef enum
{
  LACUNA_PROBLEM_SKIPPED,   /* not DICOM (a viewer, an HTML index, a JPEG): not a failure */
  LACUNA_PROBLEM_FAILED,    /* DICOM that cannot be read: a failure */
} LacunaProblemKind;

typedef struct
{
  LacunaProblemKind  kind;
  char              *path;      /* the file (or "archive.zip › member") */
  GError            *error;     /* why; never contains a tag value */
} LacunaProblem;

#define LACUNA_TYPE_COLLECTION (lacuna_collection_get_type ())
G_DECLARE_FINAL_TYPE (LacunaCollection, lacuna_collection, LACUNA, COLLECTION, GObject)

LacunaCollection *lacuna_collection_new            (void);
/* Files under patient/study/series by (Patient ID, Patient Name), Study Instance UID and
 * Series Instance UID. A second instance with a SOP Instance UID already present is kept
 * out and reported as skipped (a duplicate, G_IO_ERROR_EXISTS); an empty SOP Instance UID
 * is never a duplicate. Not thread-safe: one thread builds it. */
void              lacuna_collection_add_instance   (LacunaCollection *self,
                                                    LacunaInstance   *instance);
void              lacuna_collection_add_problem    (LacunaCollection *self,
                                                    LacunaProblemKind kind,
                                                    const char       *path,
                                                    const GError     *error);
/* Sorts everything: patients by name then ID, studies by date (undated last) then UID,
 * series by number (absent last) then UID, instances as lacuna_series_sort(). */
void              lacuna_collection_sort           (LacunaCollection *self);

guint             lacuna_collection_get_n_instances (LacunaCollection *self);
/* GPtrArray of LacunaProblem (borrowed). */
GPtrArray        *lacuna_collection_get_problems   (LacunaCollection *self);
guint             lacuna_collection_count_problems (LacunaCollection *self,
                                                    LacunaProblemKind kind);
LacunaInstance   *lacuna_collection_find_instance  (LacunaCollection *self,
                                                    const char       *sop_instance_uid);
/* All series of all patients and studies, in tree order (new ref to a GListStore). */
GListModel       *lacuna_collection_list_series    (LacunaCollection *self);

G_END_DECLS
