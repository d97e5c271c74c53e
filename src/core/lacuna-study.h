/* lacuna-study.h: one study (a GListModel of LacunaSeries, ordered by Series Number). */
#pragma once

#include <gio/gio.h>

#include "lacuna-series.h"

G_BEGIN_DECLS

#define LACUNA_TYPE_STUDY (lacuna_study_get_type ())
G_DECLARE_FINAL_TYPE (LacunaStudy, lacuna_study, LACUNA, STUDY, GObject)

LacunaStudy  *lacuna_study_new             (const char   *study_uid);
const char   *lacuna_study_get_uid         (LacunaStudy  *self);
const char   *lacuna_study_get_date        (LacunaStudy  *self);
const char   *lacuna_study_get_description (LacunaStudy  *self);
/* Returns the series with that UID, creating it when absent (borrowed). */
LacunaSeries *lacuna_study_ensure_series   (LacunaStudy  *self,
                                            const char   *series_uid);
LacunaSeries *lacuna_study_find_series     (LacunaStudy  *self,
                                            const char   *series_uid);
/* Sorts the series (by number) and every series' instances. */
void          lacuna_study_sort            (LacunaStudy  *self);

/* Engine-internal: stable-sorts a model's child array with compare and emits items-changed
 * for the range that moved (study, patient and collection share it). */
void          _lacuna_sort_children        (GListModel   *model,
                                            GPtrArray    *array,
                                            GCompareFunc  compare);

G_END_DECLS
