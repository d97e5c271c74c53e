/* lacuna-findings-checks.c: the expensive checks of lacuna-findings.h that read pixels:
 * burned-in text (OCR) and faces (volumes and pictures). Body composition is in
 * lacuna-findings.c. Every check reports what it did, found or not. */
#define G_LOG_DOMAIN "lacuna-findings"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "lacuna-burned-in.h"
#include "lacuna-face.h"
#include "lacuna-findings-private.h"

/* ---------------------------------------------------------------------------------------- */
/* Burned-in text                                                                           */

/* Adds "proposed_box" and "proposed_frames" to each line's finding (findings and lines are
 * in the same order; lacuna_burned_in_dup_boxes gives one box per boxed line, or one per
 * frame of it when the line is not on every frame). */
static void
add_proposed_boxes (LacunaBurnedIn *scan,
                    GPtrArray      *found)
{
  g_autoptr(GArray) boxes = lacuna_burned_in_dup_boxes (scan);
  guint n_frames = lacuna_burned_in_get_n_frames (scan);
  guint k = 0;

  for (guint i = 0; i < lacuna_burned_in_get_n_lines (scan) && i < found->len; i++)
    {
      const LacunaBurnedInLine *line = lacuna_burned_in_get_line (scan, i);
      JsonObject *values = lacuna_finding_get_values (g_ptr_array_index (found, i));
      const LacunaRedactBox *box;
      JsonArray *array;

      if (!line->redact)
        continue;
      if (k >= boxes->len)
        break;
      box = &g_array_index (boxes, LacunaRedactBox, k);
      array = json_array_new ();
      json_array_add_int_element (array, box->x);
      json_array_add_int_element (array, box->y);
      json_array_add_int_element (array, box->width);
      json_array_add_int_element (array, box->height);
      json_object_set_array_member (values, "proposed_box", array);
      if (line->frames->len == n_frames || box->frame < 0)
        {
          json_object_set_string_member (values, "proposed_frames", "all");
          k++;
          continue;
        }
      array = json_array_new ();
      for (guint f = 0; f < line->frames->len; f++)
        json_array_add_int_element (array, g_array_index (line->frames, guint, f) + 1);
      json_object_set_array_member (values, "proposed_frames", array);
      k += line->frames->len;
    }
}

typedef struct
{
  guint images;          /* scanned */
  guint frames;
  guint frames_scanned;
  guint lines;
  guint boxed;
  guint identity;
  guint failed;
} BurnedInCounts;

static char *
burned_in_summary_found (const BurnedInCounts *c)
{
  g_autofree char *scanned = NULL;
  g_autofree char *images = NULL;

  /* Translators: part of the sentences below: "64 images" */
  images = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u image", "%u images", c->images),
                            c->images);
  /* Translators: part of the sentences below: "12 distinct frames read" */
  scanned = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u distinct frame read",
                                          "%u distinct frames read", c->frames_scanned),
                             c->frames_scanned);
  if (c->lines == 0)
    /* Translators: "… in 64 images (64 distinct frames read)." */
    return g_strdup_printf (_("Burned-in text was not found by our text detector in %s (%s). "
                              "OCR misses stylised or tiny text: look at the images too."),
                            images, scanned);
  /* Translators: "… 3 lines of text in the pixels of 1 image (1 distinct frame read): …" */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Our text detector found %u line of text in the pixels "
                                       "of %s (%s): %u boxed for redaction, %u matching the "
                                       "header's identity.",
                                       "Our text detector found %u lines of text in the pixels "
                                       "of %s (%s): %u boxed for redaction, %u matching the "
                                       "header's identity.", c->lines),
                          c->lines, images, scanned, c->boxed, c->identity);
}

static char *
burned_in_summary (const BurnedInCounts *c)
{
  g_autofree char *summary = burned_in_summary_found (c);

  if (c->failed == 0)
    return g_steal_pointer (&summary);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s %u image could not be read.",
                                       "%s %u images could not be read.", c->failed),
                          summary, c->failed);
}

static JsonObject *
burned_in_report (LacunaSeries         *series,
                  const BurnedInCounts *c)
{
  g_autofree char *summary = burned_in_summary (c);
  JsonObject *report = _lacuna_findings_new_report (LACUNA_FINDINGS_CHECK_BURNED_IN, series,
                                                    TRUE, c->lines, summary);

  json_object_set_int_member (report, "images", c->images);
  json_object_set_int_member (report, "frames", c->frames);
  json_object_set_int_member (report, "frames_scanned", c->frames_scanned);
  json_object_set_int_member (report, "lines", c->lines);
  json_object_set_int_member (report, "boxed", c->boxed);
  json_object_set_int_member (report, "identity", c->identity);
  json_object_set_int_member (report, "failed", c->failed);
  return report;
}

static void
add_not_run (LacunaFindings      *self,
             LacunaFindingsCheck  check,
             LacunaSeries        *series,
             const char          *summary,
             const char          *reason,
             const GError        *error)
{
  g_autoptr(JsonObject) report = _lacuna_findings_new_report (check, series, FALSE, 0, summary);

  json_object_set_string_member (report, "reason", reason);
  if (error != NULL)
    json_object_set_string_member (report, "error", error->message);
  lacuna_findings_add_check (self, report);
}

gboolean
_lacuna_findings_check_burned_in (LacunaFindings    *self,
                                  LacunaCollection  *collection,
                                  GCancellable      *cancellable,
                                  GError           **error)
{
  g_autoptr(GListModel) all_series = lacuna_collection_list_series (collection);
  gboolean any = FALSE;

  for (guint s = 0; s < g_list_model_get_n_items (all_series); s++)
    {
      g_autoptr(LacunaSeries) series = g_list_model_get_item (all_series, s);
      guint n = g_list_model_get_n_items (G_LIST_MODEL (series));
      BurnedInCounts counts = { 0, };
      g_autoptr(JsonObject) report = NULL;

      for (guint i = 0; i < n; i++)
        {
          LacunaInstance *instance = lacuna_series_get_instance (series, i);
          g_autoptr(LacunaDicomFile) file = NULL;
          g_autoptr(LacunaBurnedIn) scan = NULL;
          g_autoptr(GPtrArray) found = NULL;
          g_autoptr(GError) local = NULL;

          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return FALSE;
          if (!lacuna_instance_has_pixels (instance))
            continue;
          file = lacuna_instance_open (instance, &local);
          if (file != NULL)
            scan = lacuna_burned_in_scan (file, NULL, cancellable, &local);
          if (scan == NULL)
            {
              if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
                {
                  g_propagate_error (error, g_steal_pointer (&local));
                  return FALSE;
                }
              if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
                {
                  /* No OCR engine: nothing was read anywhere; never "not found". */
                  add_not_run (self, LACUNA_FINDINGS_CHECK_BURNED_IN, NULL,
                               _("Burned-in text was not read: the OCR engine could not be "
                                 "loaded."), "unavailable", local);
                  return TRUE;
                }
              if (!g_error_matches (local, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_NO_PIXELS))
                counts.failed++;
              continue;
            }
          counts.images++;
          counts.frames += lacuna_burned_in_get_n_frames (scan);
          counts.frames_scanned += lacuna_burned_in_get_n_distinct_frames (scan);
          found = lacuna_burned_in_dup_findings (scan,
                                                 lacuna_instance_get_sop_instance_uid (instance));
          add_proposed_boxes (scan, found);
          for (guint k = 0; k < lacuna_burned_in_get_n_lines (scan); k++)
            {
              const LacunaBurnedInLine *line = lacuna_burned_in_get_line (scan, k);

              counts.boxed += line->redact ? 1 : 0;
              counts.identity += line->severity == LACUNA_BURNED_IN_IDENTITY ? 1 : 0;
            }
          counts.lines += found->len;
          lacuna_findings_add_all (self, found);
        }
      if (counts.images == 0 && counts.failed == 0)
        continue;
      any = TRUE;
      report = burned_in_report (series, &counts);
      lacuna_findings_add_check (self, report);
    }
  if (!any)
    add_not_run (self, LACUNA_FINDINGS_CHECK_BURNED_IN, NULL,
                 _("Burned-in text was not looked for: no file has pixels."), "not-applicable",
                 NULL);
  return TRUE;
}

/* ---------------------------------------------------------------------------------------- */
/* Faces                                                                                    */

static gboolean
is_2d_face_modality (const char *modality)
{
  static const char *const modalities[] = { "SC", "XC", "VL", "OP", "OT", "ES", "GM", "SM",
                                            NULL };

  return modality != NULL && g_strv_contains (modalities, modality);
}

static gboolean
is_detector_missing (const GError *error)
{
  return g_error_matches (error, LACUNA_VISION_ERROR, LACUNA_VISION_ERROR_MODEL) ||
         g_error_matches (error, LACUNA_VISION_ERROR, LACUNA_VISION_ERROR_UNAVAILABLE);
}

/* The view with the most agreeing detectors (the first of them), or -1. */
static int
best_view (LacunaFaceResult *result)
{
  int best = -1;
  guint most = 0;

  for (guint v = 0; v < lacuna_face_result_get_n_views (result); v++)
    {
      const LacunaFaceView *view = lacuna_face_result_get_view (result, v);

      if (view->consensus && view->n_agreeing > most)
        {
          most = view->n_agreeing;
          best = (int) v;
        }
    }
  return best;
}

/* A volume: FALSE + error when cancelled; *stop when no detector can run at all. */
static gboolean
check_volume (LacunaFindings  *self,
              LacunaSeries    *series,
              gboolean        *stop,
              GCancellable    *cancellable,
              GError         **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(LacunaFaceResult) result = lacuna_face_check_series (series, cancellable, &local);
  g_autoptr(LacunaFinding) finding = NULL;
  g_autoptr(JsonObject) report = NULL;
  g_autofree char *summary = NULL;
  const char *sop;
  int view;

  if (result == NULL)
    {
      g_autofree char *text = NULL;

      if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      *stop = is_detector_missing (local);
      text = g_strdup_printf (_("The face check did not run on this series: %s"),
                              local->message);
      add_not_run (self, LACUNA_FINDINGS_CHECK_FACE, series, text,
                   *stop ? "unavailable" : "failed", local);
      return TRUE;
    }

  sop = lacuna_instance_get_sop_instance_uid (lacuna_series_get_instance (series, 0));
  finding = lacuna_face_result_dup_finding (result, sop, 0);
  view = best_view (result);
  if (finding != NULL && view >= 0)
    {
      const LacunaFaceView *v = lacuna_face_result_get_view (result, view);
      int box[4] = { v->consensus_box.x, v->consensus_box.y, v->consensus_box.width,
                     v->consensus_box.height };

      lacuna_finding_set_render_box (finding, (guint) view, v->yaw, v->pitch, box);
    }
  if (finding != NULL)
    {
      lacuna_finding_set_source_object (finding, G_OBJECT (result));
      json_object_set_string_member (lacuna_finding_get_values (finding), "series",
                                     lacuna_series_get_uid (series));
    }

  summary = lacuna_face_result_dup_summary (result);
  report = _lacuna_findings_new_report (LACUNA_FINDINGS_CHECK_FACE, series, TRUE,
                                        finding != NULL ? 1 : 0, summary);
  json_object_set_string_member (report, "source", "volume");
  json_object_set_int_member (report, "views", lacuna_face_result_get_n_views (result));
  json_object_set_int_member (report, "views_found", lacuna_face_result_get_n_views_found (result));
  json_object_set_int_member (report, "detectors", LACUNA_VISION_N_DETECTORS);
  json_object_set_object_member (report, "details", lacuna_face_result_to_json (result));
  lacuna_findings_add_check (self, report);
  if (finding != NULL)
    lacuna_findings_add (self, finding);
  return TRUE;
}

/* Samples per Pixel ≥ 3, read from the header (grey slices are not decoded). */
static gboolean
is_colour (LacunaInstance *instance)
{
  g_autoptr(LacunaDicomFile) file = _lacuna_findings_open_header (instance);
  g_autofree char *samples = NULL;

  if (file == NULL)
    return FALSE;
  samples = lacuna_dicom_file_dup_string (file, "00280002", NULL);
  return samples != NULL && g_ascii_strtoull (samples, NULL, 10) >= 3;
}

/* The pictures of a series (2D modalities, or colour): one report for the series. */
static gboolean
check_pictures (LacunaFindings  *self,
                LacunaSeries    *series,
                gboolean        *stop,
                GCancellable    *cancellable,
                GError         **error)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (series));
  guint pictures = 0, found = 0;
  g_autoptr(JsonObject) report = NULL;
  g_autofree char *summary = NULL;

  for (guint i = 0; i < n; i++)
    {
      LacunaInstance *instance = lacuna_series_get_instance (series, i);
      g_autoptr(LacunaDicomFile) file = NULL;
      g_autoptr(LacunaFrame) frame = NULL;
      g_autoptr(LacunaFaceResult) result = NULL;
      g_autoptr(LacunaFinding) finding = NULL;
      g_autoptr(GError) local = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (!lacuna_instance_has_pixels (instance))
        continue;
      if (!is_2d_face_modality (lacuna_instance_get_modality (instance)) &&
          !is_colour (instance))
        continue;
      file = lacuna_instance_open (instance, &local);
      if (file != NULL)
        frame = lacuna_frame_decode (file, 0, &local);
      if (frame == NULL)
        continue;   /* the burned-in check and the export report undecodable pixels */
      if (!is_2d_face_modality (lacuna_instance_get_modality (instance)) &&
          !lacuna_frame_is_color (frame))
        continue;
      result = lacuna_face_check_frame (frame, &local);
      if (result == NULL)
        {
          g_autofree char *text = g_strdup_printf (_("The face check did not run on this "
                                                     "series: %s"), local->message);

          *stop = is_detector_missing (local);
          add_not_run (self, LACUNA_FINDINGS_CHECK_FACE, series, text,
                       *stop ? "unavailable" : "failed", local);
          return TRUE;
        }
      pictures++;
      finding = lacuna_face_result_dup_finding (result,
                                                lacuna_instance_get_sop_instance_uid (instance),
                                                1);
      if (finding != NULL)
        {
          lacuna_finding_set_source_object (finding, G_OBJECT (result));
          lacuna_findings_add (self, finding);
          found++;
        }
    }
  if (pictures == 0)
    return TRUE;

  if (found == 0)
    summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "A face was not found by our detectors in %u "
                                            "picture (%u detectors). Detectors miss faces: "
                                            "this does not show that none can be seen.",
                                            "A face was not found by our detectors in %u "
                                            "pictures (%u detectors). Detectors miss faces: "
                                            "this does not show that none can be seen.",
                                            pictures),
                               pictures, (guint) LACUNA_VISION_N_DETECTORS);
  else
    summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "A standard detector found a face in %u of %u "
                                            "picture (%u detectors).",
                                            "A standard detector found a face in %u of %u "
                                            "pictures (%u detectors).", pictures),
                               found, pictures, (guint) LACUNA_VISION_N_DETECTORS);
  report = _lacuna_findings_new_report (LACUNA_FINDINGS_CHECK_FACE, series, TRUE, found,
                                        summary);
  json_object_set_string_member (report, "source", "image");
  json_object_set_int_member (report, "pictures", pictures);
  json_object_set_int_member (report, "detectors", LACUNA_VISION_N_DETECTORS);
  lacuna_findings_add_check (self, report);
  return TRUE;
}

gboolean
_lacuna_findings_check_faces (LacunaFindings    *self,
                              LacunaCollection  *collection,
                              GCancellable      *cancellable,
                              GError           **error)
{
  g_autoptr(GListModel) all_series = lacuna_collection_list_series (collection);
  guint n_reports = lacuna_findings_get_n_checks (self);

  for (guint s = 0; s < g_list_model_get_n_items (all_series); s++)
    {
      g_autoptr(LacunaSeries) series = g_list_model_get_item (all_series, s);
      const char *modality = lacuna_series_get_modality (series);
      guint n = g_list_model_get_n_items (G_LIST_MODEL (series));
      gboolean stop = FALSE;
      gboolean ok;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if ((g_strcmp0 (modality, "CT") == 0 || g_strcmp0 (modality, "MR") == 0) &&
          n >= LACUNA_FINDINGS_FACE_MIN_SLICES)
        ok = check_volume (self, series, &stop, cancellable, error);
      else
        ok = check_pictures (self, series, &stop, cancellable, error);
      if (!ok)
        return FALSE;
      if (stop)
        return TRUE;
    }
  if (lacuna_findings_get_n_checks (self) == n_reports)
    add_not_run (self, LACUNA_FINDINGS_CHECK_FACE, NULL,
                 _("Faces were not looked for: there is no CT or MR series of at least 40 "
                   "slices and no picture (photo, secondary capture, colour image)."),
                 "not-applicable", NULL);
  return TRUE;
}
