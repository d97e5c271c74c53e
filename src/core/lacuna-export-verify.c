/* lacuna-export-verify.c: burned-in text in an export (`clean --burned-in auto`) and the
 * verification of the pixels written (F3: OCR again, and the pixel diff outside the
 * boxes). What OCR read never leaves lacuna-burned-in: only counts and boxes go into the
 * report. */
#define G_LOG_DOMAIN "lacuna-export-verify"

#include "config.h"

#include <string.h>

#include "lacuna-burned-in.h"
#include "lacuna-export-private.h"

const char *
lacuna_export_burned_in_to_string (LacunaExportBurnedIn mode)
{
  return mode == LACUNA_EXPORT_BURNED_IN_AUTO ? "auto" : "off";
}

gboolean
lacuna_export_burned_in_from_string (const char           *text,
                                     LacunaExportBurnedIn *out_mode)
{
  g_return_val_if_fail (out_mode != NULL, FALSE);

  if (g_strcmp0 (text, "off") == 0)
    *out_mode = LACUNA_EXPORT_BURNED_IN_OFF;
  else if (g_strcmp0 (text, "auto") == 0)
    *out_mode = LACUNA_EXPORT_BURNED_IN_AUTO;
  else
    return FALSE;
  return TRUE;
}

char *
_lacuna_export_burned_in_warning (LacunaDicomFile *file)
{
  static const char *modalities[] = { "US", "SC", "OT" };
  g_autofree char *burned_in = lacuna_dicom_file_dup_string (file, "00280301", NULL);
  g_autofree char *modality = lacuna_dicom_file_dup_string (file, "00080060", NULL);

  if (burned_in != NULL && g_ascii_strcasecmp (g_strstrip (burned_in), "YES") == 0)
    return g_strdup ("(0028,0301) BurnedInAnnotation is YES, and the pixels were neither "
                     "scanned for burned-in text nor boxed: the image may show the "
                     "patient's identity (use --burned-in auto, or give boxes)");
  if (modality != NULL)
    {
      g_strstrip (modality);
      for (guint i = 0; i < G_N_ELEMENTS (modalities); i++)
        if (g_ascii_strcasecmp (modality, modalities[i]) == 0)
          return g_strdup_printf ("(0008,0060) Modality %s often carries burned-in text, and "
                                  "the pixels were neither scanned nor boxed: the image may "
                                  "show the patient's identity (use --burned-in auto, or give "
                                  "boxes)", modalities[i]);
    }
  return NULL;
}

void
_lacuna_export_add_box (JsonBuilder           *b,
                        const LacunaRedactBox *box)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "frame");
  json_builder_add_int_value (b, box->frame);
  json_builder_set_member_name (b, "x");
  json_builder_add_int_value (b, box->x);
  json_builder_set_member_name (b, "y");
  json_builder_add_int_value (b, box->y);
  json_builder_set_member_name (b, "width");
  json_builder_add_int_value (b, box->width);
  json_builder_set_member_name (b, "height");
  json_builder_add_int_value (b, box->height);
  json_builder_end_object (b);
}

static void
add_int (JsonBuilder *b,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

/* Lines to box in scan, appended to boxes; returns how many lines. */
static guint
append_proposed (LacunaBurnedIn *scan,
                 GArray         *boxes)
{
  g_autoptr(GArray) proposed = lacuna_burned_in_dup_boxes (scan);
  guint n = 0;

  for (guint i = 0; i < lacuna_burned_in_get_n_lines (scan); i++)
    n += lacuna_burned_in_get_line (scan, i)->redact;
  g_array_append_vals (boxes, proposed->data, proposed->len);
  return n;
}

gboolean
_lacuna_export_scan_burned_in (LacunaDicomFile         *original,
                               LacunaOcrIdentity       *identity,
                               LacunaExportReopenFunc   reopen,
                               gpointer                 reopen_data,
                               GArray                  *boxes,
                               JsonNode               **out_summary,
                               GCancellable            *cancellable,
                               GError                 **error)
{
  g_autoptr(LacunaBurnedIn) scan = NULL;
  g_autoptr(GArray) proposed = g_array_new (FALSE, FALSE, sizeof (LacunaRedactBox));
  g_autoptr(JsonBuilder) b = json_builder_new ();
  guint n_lines, n_boxed = 0, n_clinical = 0, n_identity = 0, n_unreadable = 0;
  guint n_rescans = 0, n_rescan_lines = 0, n_new;

  g_return_val_if_fail (original != NULL, FALSE);
  g_return_val_if_fail (reopen != NULL, FALSE);
  g_return_val_if_fail (boxes != NULL, FALSE);
  g_return_val_if_fail (out_summary != NULL, FALSE);

  /* Text under the boxes already given is not read: the first scan looks at a copy with
   * them filled (what is left of a line they cut is still found). */
  if (boxes->len > 0)
    {
      g_autoptr(LacunaDicomFile) probe = reopen (reopen_data, error);
      LacunaRedactResult result = { 0 };

      if (probe == NULL)
        return FALSE;
      if (!lacuna_redact_apply (probe, (const LacunaRedactBox *) boxes->data, boxes->len,
                                &result, error))
        {
          lacuna_redact_result_clear (&result);
          return FALSE;
        }
      lacuna_redact_result_clear (&result);
      scan = lacuna_burned_in_scan (probe, identity, cancellable, error);
    }
  else
    scan = lacuna_burned_in_scan (original, identity, cancellable, error);
  if (scan == NULL)
    return FALSE;
  n_new = append_proposed (scan, proposed);

  n_lines = lacuna_burned_in_get_n_lines (scan);
  for (guint i = 0; i < n_lines; i++)
    {
      const LacunaBurnedInLine *line = lacuna_burned_in_get_line (scan, i);

      n_boxed += line->redact;
      n_clinical += line->severity == LACUNA_BURNED_IN_CLINICAL;
      n_identity += line->severity == LACUNA_BURNED_IN_IDENTITY;
      n_unreadable += !line->read;
    }

  /* Filling boxes changes what the line finder sees (a line that touched a filled one, a
   * contrast that was dominated by it): scan a redacted copy again, and box what it
   * finds, until nothing new turns up. The written file is verified independently. */
  while (n_new > 0 && n_rescans < LACUNA_EXPORT_MAX_RESCANS)
    {
      g_autoptr(LacunaDicomFile) probe = NULL;
      g_autoptr(LacunaBurnedIn) again = NULL;
      g_autoptr(GArray) all = g_array_copy (boxes);
      LacunaRedactResult result = { 0 };

      g_array_append_vals (all, proposed->data, proposed->len);
      probe = reopen (reopen_data, error);
      if (probe == NULL)
        return FALSE;
      if (!lacuna_redact_apply (probe, (const LacunaRedactBox *) all->data, all->len,
                                &result, error))
        {
          lacuna_redact_result_clear (&result);
          return FALSE;
        }
      lacuna_redact_result_clear (&result);
      again = lacuna_burned_in_scan (probe, identity, cancellable, error);
      if (again == NULL)
        return FALSE;
      n_rescans++;
      n_new = append_proposed (again, proposed);
      n_rescan_lines += n_new;
    }
  g_array_append_vals (boxes, proposed->data, proposed->len);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "mode");
  json_builder_add_string_value (b, "auto");
  add_int (b, "frames", lacuna_burned_in_get_n_frames (scan));
  add_int (b, "distinct-frames", lacuna_burned_in_get_n_distinct_frames (scan));
  add_int (b, "lines", n_lines);
  add_int (b, "lines-boxed", n_boxed);
  add_int (b, "lines-clinical", n_clinical);
  add_int (b, "lines-identity", n_identity);
  add_int (b, "lines-unreadable", n_unreadable);
  add_int (b, "rescans", n_rescans);
  add_int (b, "lines-boxed-on-rescan", n_rescan_lines);
  json_builder_set_member_name (b, "boxes");
  json_builder_begin_array (b);
  for (guint i = 0; i < proposed->len; i++)
    _lacuna_export_add_box (b, &g_array_index (proposed, LacunaRedactBox, i));
  json_builder_end_array (b);
  json_builder_end_object (b);
  *out_summary = json_builder_get_root (b);
  return TRUE;
}

gboolean
_lacuna_export_verify_written (LacunaDicomFile        *original,
                               LacunaDicomFile        *written,
                               LacunaOcrIdentity      *identity,
                               const LacunaRedactBox  *applied,
                               guint                   n_applied,
                               gboolean               *out_passed,
                               JsonNode              **out_verification,
                               GCancellable           *cancellable,
                               GError                **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  LacunaBurnedInCheck check = { 0 };
  guint64 n_changed = 0;
  gboolean passed;
  g_autofree char *summary = NULL;

  g_return_val_if_fail (original != NULL, FALSE);
  g_return_val_if_fail (written != NULL, FALSE);
  g_return_val_if_fail (out_passed != NULL, FALSE);
  g_return_val_if_fail (out_verification != NULL, FALSE);

  /* The scan of the written pixels, then the diff with the original (one reading of the
   * written file's pixel layout for both). */
  if (!lacuna_burned_in_verify_written (original, written, identity, applied, n_applied,
                                        &check, &n_changed, cancellable, error))
    return FALSE;

  passed = check.n_text_lines == 0 && check.n_identity_lines == 0 &&
           check.n_boxes_with_text == 0 && n_changed == 0;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "passed");
  json_builder_add_boolean_value (b, passed);
  add_int (b, "frames", check.n_frames);
  add_int (b, "boxes-checked", n_applied);
  add_int (b, "text-lines-left", check.n_text_lines);
  add_int (b, "identity-lines-left", check.n_identity_lines);
  add_int (b, "boxes-with-text", check.n_boxes_with_text);
  add_int (b, "pixels-changed-outside-boxes", (gint64) n_changed);
  json_builder_set_member_name (b, "left");
  json_builder_begin_array (b);
  for (guint i = 0; check.left != NULL && i < check.left->len; i++)
    _lacuna_export_add_box (b, &g_array_index (check.left, LacunaRedactBox, i));
  json_builder_end_array (b);
  json_builder_end_object (b);
  lacuna_burned_in_check_clear (&check);

  node = json_builder_get_root (b);
  summary = _lacuna_export_verification_summary (json_node_get_object (node));
  json_object_set_string_member (json_node_get_object (node), "result", summary);
  *out_passed = passed;
  *out_verification = g_steal_pointer (&node);
  return TRUE;
}

static gint64
get_int (JsonObject *o,
         const char *name)
{
  return json_object_get_int_member_with_default (o, name, 0);
}

char *
_lacuna_export_verification_summary (JsonObject *verification)
{
  GString *out;
  gint64 lines, identity, boxes, changed;

  g_return_val_if_fail (verification != NULL, NULL);

  if (json_object_get_boolean_member_with_default (verification, "passed", FALSE) &&
      get_int (verification, "boxes-checked") == 0)
    return g_strdup ("passed: no text line left but clinical vocabulary, no pixel changed");
  if (json_object_get_boolean_member_with_default (verification, "passed", FALSE))
    return g_strdup_printf ("passed: no text line left but clinical vocabulary, no text in "
                            "the %" G_GINT64_FORMAT " boxes, no pixel changed outside them",
                            get_int (verification, "boxes-checked"));

  lines = get_int (verification, "text-lines-left");
  identity = get_int (verification, "identity-lines-left");
  boxes = get_int (verification, "boxes-with-text");
  changed = get_int (verification, "pixels-changed-outside-boxes");
  out = g_string_new ("failed:");
  if (lines > 0)
    g_string_append_printf (out, " %" G_GINT64_FORMAT " text line%s left that %s not all "
                            "clinical vocabulary (%" G_GINT64_FORMAT " matching the "
                            "patient's identity);", lines, lines == 1 ? "" : "s",
                            lines == 1 ? "is" : "are", identity);
  if (boxes > 0)
    g_string_append_printf (out, " %" G_GINT64_FORMAT " box%s still holding text-like "
                            "pixels;", boxes, boxes == 1 ? "" : "es");
  if (changed > 0)
    g_string_append_printf (out, " %" G_GINT64_FORMAT " pixel%s changed outside the boxes;",
                            changed, changed == 1 ? "" : "s");
  if (out->str[out->len - 1] == ';')
    g_string_truncate (out, out->len - 1);
  return g_string_free (out, FALSE);
}
