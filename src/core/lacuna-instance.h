/* lacuna-instance.h: one DICOM object (one file, or one member of a .zip), as indexed.
 *
 * An instance keeps only what browsing needs (UIDs, names for the tree, geometry); it does
 * not keep the file open. lacuna_instance_open() parses the file again, fully, for pixels
 * and for the complete list of elements.
 */
#pragma once

#include <gio/gio.h>

#include "lacuna-dicom.h"

G_BEGIN_DECLS

#define LACUNA_TYPE_INSTANCE (lacuna_instance_get_type ())
G_DECLARE_FINAL_TYPE (LacunaInstance, lacuna_instance, LACUNA, INSTANCE, GObject)

/* Indexes an already opened (at least header-only) file. source is the file's path; for a
 * member of an archive, archive_member names it inside the archive at source. */
LacunaInstance  *lacuna_instance_new_from_file       (LacunaDicomFile  *file,
                                                      const char       *source,
                                                      const char       *archive_member);

/* "/path/to/IM1" or "/path/to/study.zip" */
const char      *lacuna_instance_get_source          (LacunaInstance   *self);
/* NULL unless the instance lives in an archive. */
const char      *lacuna_instance_get_archive_member  (LacunaInstance   *self);
/* A name for messages and lists: the source's basename (and "study.zip › member"). */
char            *lacuna_instance_dup_display_name    (LacunaInstance   *self);

const char      *lacuna_instance_get_sop_class_uid    (LacunaInstance *self);
const char      *lacuna_instance_get_sop_instance_uid (LacunaInstance *self);
const char      *lacuna_instance_get_series_uid       (LacunaInstance *self);
const char      *lacuna_instance_get_study_uid        (LacunaInstance *self);
const char      *lacuna_instance_get_frame_of_reference_uid (LacunaInstance *self);
const char      *lacuna_instance_get_transfer_syntax  (LacunaInstance *self);
/* Patient, study and series attributes as read (UTF-8, may be ""), used to build the tree. */
const char      *lacuna_instance_get_patient_id       (LacunaInstance *self);
const char      *lacuna_instance_get_patient_name     (LacunaInstance *self);
const char      *lacuna_instance_get_study_date       (LacunaInstance *self);
const char      *lacuna_instance_get_study_description (LacunaInstance *self);
const char      *lacuna_instance_get_series_description (LacunaInstance *self);
const char      *lacuna_instance_get_modality         (LacunaInstance *self);
int              lacuna_instance_get_series_number    (LacunaInstance *self);
/* Instance Number, G_MININT when absent. */
int              lacuna_instance_get_instance_number  (LacunaInstance *self);

gboolean         lacuna_instance_has_pixels          (LacunaInstance   *self);
guint            lacuna_instance_get_n_frames        (LacunaInstance   *self);
guint            lacuna_instance_get_rows            (LacunaInstance   *self);
guint            lacuna_instance_get_columns         (LacunaInstance   *self);
/* Image Position (Patient) and Image Orientation (Patient); FALSE when absent. */
gboolean         lacuna_instance_get_position        (LacunaInstance   *self,
                                                      double            out_position[3]);
gboolean         lacuna_instance_get_orientation     (LacunaInstance   *self,
                                                      double            out_orientation[6]);

/* The unit normal of the slice (row × column direction); FALSE without a usable orientation. */
gboolean         lacuna_instance_get_normal          (LacunaInstance   *self,
                                                      double            out_normal[3]);

/* Opens the whole object again (from disk or from the archive). */
LacunaDicomFile *lacuna_instance_open                (LacunaInstance   *self,
                                                      GError          **error);

/* Engine-internal (used by the loader and the tests), not for the GUI or CLI. */

/* Parses a DS value of exactly n numbers ("a\b\c", with g_ascii_strtod); FALSE when it
 * is not n finite numbers. */
gboolean         _lacuna_parse_ds                    (const char       *text,
                                                      double           *out,
                                                      guint             n);
/* Reads one regular member of a .zip into memory; G_IO_ERROR_NOT_FOUND when absent,
 * LACUNA_LOAD_ERROR_ARCHIVE when the archive cannot be read. */
GBytes          *_lacuna_archive_read_member         (const char       *archive_path,
                                                      const char       *member,
                                                      GCancellable     *cancellable,
                                                      GError          **error);

G_END_DECLS
