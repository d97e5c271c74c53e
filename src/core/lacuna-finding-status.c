/* lacuna-finding-status.c: a finding's status in the copy, predicted from the options.
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "lacuna-finding-status"

#include "config.h"

#include <string.h>

#include "lacuna-dicom.h"
#include "lacuna-finding-status.h"
#include "lacuna-profile.h"
#include "lacuna-quasi.h"

#define TAG_PATIENT_SIZE   "00101020"
#define TAG_PATIENT_WEIGHT "00101030"

/* Boxes larger than this (in pixels) are not rasterised: no image has such a text line. */
#define MAX_BOX_PIXELS (16 * 1024 * 1024)

double
lacuna_finding_status_covered_fraction (const int              box[4],
                                        int                    frame,
                                        const LacunaRedactBox *boxes,
                                        guint                  n_boxes)
{
  g_autofree guint8 *mask = NULL;
  guint64 total, covered = 0;
  int bw, bh;

  g_return_val_if_fail (box != NULL, 0.0);
  g_return_val_if_fail (boxes != NULL || n_boxes == 0, 0.0);

  bw = MAX (box[2], 0);
  bh = MAX (box[3], 0);
  total = (guint64) bw * (guint64) bh;
  if (total == 0 || total > MAX_BOX_PIXELS)
    return 0.0;

  /* Boxes may overlap: mark the covered pixels once. */
  mask = g_malloc0 ((gsize) total);
  for (guint i = 0; i < n_boxes; i++)
    {
      const LacunaRedactBox *r = &boxes[i];
      gint64 x0, y0, x1, y1;

      if (r->frame != -1 && r->frame != frame)
        continue;
      x0 = MAX ((gint64) r->x, (gint64) box[0]);
      y0 = MAX ((gint64) r->y, (gint64) box[1]);
      x1 = MIN ((gint64) r->x + r->width, (gint64) box[0] + bw);
      y1 = MIN ((gint64) r->y + r->height, (gint64) box[1] + bh);
      for (gint64 y = y0; y < y1; y++)
        if (x1 > x0)
          memset (mask + (gsize) (y - box[1]) * bw + (gsize) (x0 - box[0]), 1, (gsize) (x1 - x0));
    }
  for (guint64 i = 0; i < total; i++)
    covered += mask[i];
  return (double) covered / (double) total;
}

/* ---------------------------------------------------------------------------------------- */
/* Tags                                                                                     */

static const LacunaDeidOverride *
find_override (const LacunaDeidOptions *options,
               const char              *path)
{
  for (guint i = 0; options->overrides != NULL && i < options->overrides->len; i++)
    {
      const LacunaDeidOverride *o = g_ptr_array_index (options->overrides, i);

      if (o->path != NULL && lacuna_deid_override_path_matches (o->path, path))
        return o;
    }
  return NULL;
}

static LacunaFindingStatus
status_of_action (LacunaProfileAction action)
{
  switch (action)
    {
    case LACUNA_PROFILE_ACTION_X:
    case LACUNA_PROFILE_ACTION_Z:
    case LACUNA_PROFILE_ACTION_D:
    case LACUNA_PROFILE_ACTION_U:
      return LACUNA_FINDING_REMOVED;
    case LACUNA_PROFILE_ACTION_C:
      return LACUNA_FINDING_REDUCED;
    case LACUNA_PROFILE_ACTION_K:
    case LACUNA_PROFILE_ACTION_NONE:
    default:
      return LACUNA_FINDING_PRESENT;
    }
}

/* The status of the element at path (quasi: a quasi-identifier, see the header). */
static LacunaFindingStatus
tag_status (const char              *path,
            gboolean                 quasi,
            const LacunaDeidOptions *options)
{
  const LacunaDeidOverride *o = find_override (options, path);
  guint32 tag = lacuna_dicom_path_last_tag (path);
  const LacunaProfileRule *rule;

  if (o != NULL)
    switch (o->action)
      {
      case LACUNA_DEID_OVERRIDE_KEEP:
        return LACUNA_FINDING_PRESENT;
      case LACUNA_DEID_OVERRIDE_REPLACE:
        if (quasi && o->value != NULL && *o->value != '\0')
          return LACUNA_FINDING_REDUCED;
        return LACUNA_FINDING_REMOVED;
      case LACUNA_DEID_OVERRIDE_REMOVE:
      default:
        return LACUNA_FINDING_REMOVED;
      }

  if (quasi && lacuna_quasi_survives (path, lacuna_dicom_tag_vr (tag), options->options))
    return LACUNA_FINDING_PRESENT;
  rule = lacuna_profile_lookup (tag);
  if (rule == NULL)
    return LACUNA_FINDING_PRESENT;
  return status_of_action (lacuna_profile_resolve_type (lacuna_profile_resolve (rule,
                                                                                options->options),
                                                        LACUNA_PROFILE_TYPE_UNKNOWN));
}

static LacunaFindingStatus
bmi_status (const LacunaDeidOptions *options)
{
  LacunaFindingStatus size = tag_status (TAG_PATIENT_SIZE, TRUE, options);
  LacunaFindingStatus weight = tag_status (TAG_PATIENT_WEIGHT, TRUE, options);

  if (size == LACUNA_FINDING_REMOVED || weight == LACUNA_FINDING_REMOVED)
    return LACUNA_FINDING_REMOVED;
  if (size == LACUNA_FINDING_REDUCED || weight == LACUNA_FINDING_REDUCED)
    return LACUNA_FINDING_REDUCED;
  return LACUNA_FINDING_PRESENT;
}

/* ---------------------------------------------------------------------------------------- */
/* Pixels                                                                                   */

static LacunaFindingStatus
box_status (LacunaFinding                *finding,
            const LacunaDeidOptions      *options,
            LacunaDeidInstanceLookupFunc  lookup,
            gpointer                      user_data)
{
  const char *sop = lacuna_finding_get_sop_instance_uid (finding);
  const char *series = NULL;
  guint rows = 0, columns = 0;
  guint frame = lacuna_finding_get_frame (finding);
  g_autoptr(GArray) resolved = NULL;
  double fraction;
  int box[4];

  if (sop == NULL || !lacuna_finding_get_box (finding, box))
    return lacuna_finding_get_status (finding);
  if (options->boxes == NULL || options->boxes->len == 0)
    return LACUNA_FINDING_PRESENT;
  if (lookup == NULL || !lookup (sop, &series, &rows, &columns, user_data))
    {
      series = NULL;
      rows = columns = 0;
    }
  resolved = lacuna_deid_options_resolve_boxes (options, sop, series, rows, columns, lookup,
                                                user_data);
  fraction = lacuna_finding_status_covered_fraction (box, frame > 0 ? (int) frame - 1 : 0,
                                                     (const LacunaRedactBox *) resolved->data,
                                                     resolved->len);
  if (fraction >= 1.0)
    return LACUNA_FINDING_REMOVED;
  return fraction > 0.0 ? LACUNA_FINDING_REDUCED : LACUNA_FINDING_PRESENT;
}

/* ---------------------------------------------------------------------------------------- */

LacunaFindingStatus
lacuna_finding_status_predict (LacunaFinding                *finding,
                               const LacunaDeidOptions      *options,
                               LacunaDeidInstanceLookupFunc  lookup,
                               gpointer                      user_data)
{
  const char *kind;
  const char *path;

  g_return_val_if_fail (LACUNA_IS_FINDING (finding), LACUNA_FINDING_PRESENT);
  g_return_val_if_fail (options != NULL, lacuna_finding_get_status (finding));

  if (lacuna_finding_get_status (finding) == LACUNA_FINDING_CANNOT_BE_REMOVED)
    return LACUNA_FINDING_CANNOT_BE_REMOVED;

  kind = lacuna_finding_get_kind (finding);
  path = lacuna_finding_get_tag_path (finding);
  if (g_strcmp0 (kind, "header-identity") == 0 && path != NULL)
    return tag_status (path, FALSE, options);
  if (g_strcmp0 (kind, "quasi-identifier") == 0 && path != NULL)
    {
      if (json_object_has_member (lacuna_finding_get_values (finding), "bmi"))
        return bmi_status (options);
      return tag_status (path, TRUE, options);
    }
  if (g_strcmp0 (kind, "burned-in-text") == 0)
    return box_status (finding, options, lookup, user_data);
  if (g_strcmp0 (kind, "face") == 0)
    {
      if (lacuna_finding_get_render_box (finding, NULL, NULL))
        return (options->options & LACUNA_PROFILE_OPTION_CLEAN_RECOGNIZABLE_VISUAL_FEATURES) != 0
               ? LACUNA_FINDING_REMOVED : LACUNA_FINDING_PRESENT;
      return box_status (finding, options, lookup, user_data);
    }
  return lacuna_finding_get_status (finding);
}
