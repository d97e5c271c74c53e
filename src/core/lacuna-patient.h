/* lacuna-patient.h: one patient (a GListModel of LacunaStudy). */
#pragma once

#include <gio/gio.h>

#include "lacuna-study.h"

G_BEGIN_DECLS

#define LACUNA_TYPE_PATIENT (lacuna_patient_get_type ())
G_DECLARE_FINAL_TYPE (LacunaPatient, lacuna_patient, LACUNA, PATIENT, GObject)

LacunaPatient *lacuna_patient_new          (const char    *patient_id,
                                            const char    *patient_name);
const char    *lacuna_patient_get_id       (LacunaPatient *self);
const char    *lacuna_patient_get_name     (LacunaPatient *self);
LacunaStudy   *lacuna_patient_ensure_study (LacunaPatient *self,
                                            const char    *study_uid);
LacunaStudy   *lacuna_patient_find_study   (LacunaPatient *self,
                                            const char    *study_uid);
/* Sorts the studies (by date, undated last) and everything below them. */
void           lacuna_patient_sort         (LacunaPatient *self);

G_END_DECLS
