/* lacuna-series.h: the instances of one series, in viewing order. A GListModel of
 * LacunaInstance. */
#pragma once

#include <gio/gio.h>

#include "lacuna-instance.h"

G_BEGIN_DECLS

#define LACUNA_TYPE_SERIES (lacuna_series_get_type ())
G_DECLARE_FINAL_TYPE (LacunaSeries, lacuna_series, LACUNA, SERIES, GObject)

LacunaSeries   *lacuna_series_new                 (const char     *series_uid);
const char     *lacuna_series_get_uid             (LacunaSeries   *self);
/* Modality, description and number are the first instance's ("" / G_MININT when the
 * series is empty or the attribute absent). */
const char     *lacuna_series_get_modality        (LacunaSeries   *self);
const char     *lacuna_series_get_description     (LacunaSeries   *self);
int             lacuna_series_get_number          (LacunaSeries   *self);
/* Sum of the frames of its instances. */
guint           lacuna_series_get_n_frames        (LacunaSeries   *self);

/* Adds at the end; call lacuna_series_sort() once all are in. */
void            lacuna_series_add                 (LacunaSeries   *self,
                                                   LacunaInstance *instance);
/* Orders by position along the slice normal (from Image Orientation), in the direction in
 * which Instance Numbers rise (ascending when they do not tell), then by
 * Instance Number, then by SOP Instance UID; emits items-changed when the order changed.
 * The normal is the first (in current order) positioned instance's; instances without a
 * position (or in a series without any orientation) come after those with one, by
 * Instance Number (absent last), then SOP Instance UID, then file name. */
void            lacuna_series_sort                (LacunaSeries   *self);
LacunaInstance *lacuna_series_get_instance        (LacunaSeries   *self,
                                                   guint           position);

G_END_DECLS
