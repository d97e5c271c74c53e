/* lacuna-window-findings.c: from an image finding of the findings panel to the image: its
 * series, instance and frame, and for burned-in text the proposed box, made a redaction box
 * (editable like a drawn one, undoable) and selected.
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "lacuna-window"

#include "config.h"

#include <glib/gi18n.h>

#include "lacuna-window-private.h"

/* Selects the series holding sop; FALSE when no series does. */
static gboolean
select_series_of (LacunaWindow *self,
                  const char   *sop)
{
  GListModel *model = gtk_single_selection_get_model (self->selection);
  guint n = model != NULL ? g_list_model_get_n_items (model) : 0;

  for (guint s = 0; s < n; s++)
    {
      g_autoptr(LacunaSeries) series = g_list_model_get_item (model, s);

      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (series)); i++)
        {
          LacunaInstance *instance = lacuna_series_get_instance (series, i);

          if (g_strcmp0 (lacuna_instance_get_sop_instance_uid (instance), sop) != 0)
            continue;
          if (gtk_single_selection_get_selected (self->selection) != s)
            gtk_single_selection_set_selected (self->selection, s);
          return TRUE;
        }
    }
  return FALSE;
}

/* Shows the instance sop at frame (1-based; 0: its first frame). */
static gboolean
show_instance (LacunaWindow *self,
               const char   *sop,
               guint         frame)
{
  guint n = lacuna_image_view_get_n_positions (self->image_view);
  int first = -1;

  for (guint i = 0; i < n; i++)
    {
      guint f = 0;
      LacunaInstance *instance = lacuna_image_view_get_instance_at (self->image_view, i, &f);

      if (instance == NULL || g_strcmp0 (lacuna_instance_get_sop_instance_uid (instance), sop) != 0)
        continue;
      if (first < 0)
        first = (int) i;
      if (frame == 0 || f + 1 == frame)
        {
          first = (int) i;
          break;
        }
    }
  if (first < 0)
    return FALSE;
  if (lacuna_image_view_get_position (self->image_view) != (guint) first)
    lacuna_image_view_set_position (self->image_view, (guint) first);
  return TRUE;
}

/* The proposed box of a burned-in finding, as a recipe box (frames owned by the caller). */
static gboolean
proposed_box (LacunaFinding *finding,
              LacunaDeidBox *box)
{
  JsonObject *values = lacuna_finding_get_values (finding);
  JsonNode *node = json_object_get_member (values, "proposed_box");
  JsonNode *frames = json_object_get_member (values, "proposed_frames");
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;
  array = json_node_get_array (node);
  if (json_array_get_length (array) != 4)
    return FALSE;
  box->sop_instance_uid = (char *) lacuna_finding_get_sop_instance_uid (finding);
  box->x = (int) json_array_get_int_element (array, 0);
  box->y = (int) json_array_get_int_element (array, 1);
  box->width = (int) json_array_get_int_element (array, 2);
  box->height = (int) json_array_get_int_element (array, 3);
  box->scope = LACUNA_DEID_BOX_ALL_FRAMES;
  box->frames = NULL;
  box->n_frames = 0;
  if (frames != NULL && JSON_NODE_HOLDS_ARRAY (frames))
    {
      JsonArray *list = json_node_get_array (frames);

      box->scope = LACUNA_DEID_BOX_FRAMES;
      box->n_frames = json_array_get_length (list);
      box->frames = g_new0 (guint, MAX (box->n_frames, 1));
      for (guint i = 0; i < box->n_frames; i++)
        box->frames[i] = (guint) json_array_get_int_element (list, i);
    }
  return box->width > 0 && box->height > 0;
}

static gboolean
same_box (const LacunaDeidBox *a,
          const LacunaDeidBox *b)
{
  if (g_strcmp0 (a->sop_instance_uid, b->sop_instance_uid) != 0 || a->scope != b->scope
      || a->x != b->x || a->y != b->y || a->width != b->width || a->height != b->height
      || a->n_frames != b->n_frames)
    return FALSE;
  for (guint i = 0; i < a->n_frames; i++)
    if (a->frames[i] != b->frames[i])
      return FALSE;
  return TRUE;
}

/* The index of the redaction box equal to box, added (an undo step) when there is none. */
static int
ensure_box (LacunaWindow        *self,
            const LacunaDeidBox *box)
{
  LacunaDecisions *decisions = lacuna_undo_stack_get_decisions (self->undo_stack);
  const LacunaDeidOptions *options = lacuna_decisions_get_options (decisions);
  g_autoptr(LacunaDecision) decision = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; options->boxes != NULL && i < options->boxes->len; i++)
    if (same_box (g_ptr_array_index (options->boxes, i), box))
      return (int) i;

  decision = lacuna_decision_new_add_box (box);
  if (!lacuna_undo_stack_apply (self->undo_stack, decision, &error))
    {
      lacuna_window_show_error (self, _("Could Not Add the Box"), error, TRUE);
      return -1;
    }
  options = lacuna_decisions_get_options (decisions);
  return options->boxes != NULL ? (int) options->boxes->len - 1 : -1;
}

void
_lacuna_window_box_proposed (LacunaWindow *self)
{
  GListModel *findings = lacuna_findings_panel_get_findings (self->findings_panel);
  LacunaDecisions *decisions = lacuna_undo_stack_get_decisions (self->undo_stack);
  g_autoptr(LacunaDeidOptions) options = NULL;
  g_autoptr(LacunaDecision) decision = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  guint n_added = 0;

  options = lacuna_deid_options_copy (lacuna_decisions_get_options (decisions));
  for (guint i = 0; i < g_list_model_get_n_items (findings); i++)
    {
      g_autoptr(LacunaFinding) finding = g_list_model_get_item (findings, i);
      LacunaDeidBox box = { 0, };
      gboolean present = FALSE;

      if (g_strcmp0 (lacuna_finding_get_kind (finding), "burned-in-text") != 0
          || !proposed_box (finding, &box))
        continue;
      for (guint k = 0; k < options->boxes->len && !present; k++)
        present = same_box (g_ptr_array_index (options->boxes, k), &box);
      if (!present)
        {
          lacuna_deid_options_add_box (options, box.sop_instance_uid, box.scope, box.frames,
                                       box.n_frames, box.x, box.y, box.width, box.height);
          n_added++;
        }
      g_free (box.frames);
    }

  if (n_added > 0)
    {
      decision = lacuna_decision_new_set_options (options);
      if (!lacuna_undo_stack_apply (self->undo_stack, decision, &error))
        {
          lacuna_window_show_error (self, _("Could Not Add the Boxes"), error, TRUE);
          return;
        }
      lacuna_redaction_layer_set_show_result (self->redaction_layer, FALSE);
      lacuna_redaction_layer_set_active (self->redaction_layer, TRUE);
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u redaction box added",
                                           "%u redaction boxes added", n_added), n_added);
    }
  else
    text = g_strdup (_("Every proposed line already has a redaction box"));
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

void
_lacuna_window_show_finding_region (LacunaWindow  *self,
                                    LacunaFinding *finding)
{
  const char *sop = lacuna_finding_get_sop_instance_uid (finding);
  LacunaDeidBox box = { 0, };

  if (sop == NULL || !select_series_of (self, sop))
    return;
  if (!show_instance (self, sop, lacuna_finding_get_frame (finding)))
    return;

  if (g_strcmp0 (lacuna_finding_get_kind (finding), "burned-in-text") == 0
      && proposed_box (finding, &box))
    {
      int index = ensure_box (self, &box);

      g_free (box.frames);
      if (index >= 0)
        {
          lacuna_redaction_layer_set_show_result (self->redaction_layer, FALSE);
          lacuna_redaction_layer_set_active (self->redaction_layer, TRUE);
          lacuna_redaction_layer_set_selected (self->redaction_layer, index);
        }
    }

  /* In a narrow window the sidebar covers the image: show the image. */
  if (adw_flap_get_folded (self->flap))
    adw_flap_set_reveal_flap (self->flap, FALSE);
}
