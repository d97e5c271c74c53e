#define G_LOG_DOMAIN "lacuna-finding"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "lacuna-dicom.h"
#include "lacuna-finding.h"

struct _LacunaFinding
{
  GObject              parent_instance;

  char                *kind;
  LacunaEvidenceClass  klass;
  LacunaFindingStatus  status;
  char                *text;
  char                *action;
  char                *tag_path;
  char                *sop_instance_uid;
  guint                frame;
  int                  box[4];
  gboolean             has_box;
  gboolean             has_render;
  guint                render_view;
  double               render_yaw;
  double               render_pitch;
  int                  render_box[4];
  GObject             *source_object;
  JsonObject          *values;
};

G_DEFINE_FINAL_TYPE (LacunaFinding, lacuna_finding, G_TYPE_OBJECT)

const char *
lacuna_evidence_class_to_string (LacunaEvidenceClass klass)
{
  switch (klass)
    {
    case LACUNA_EVIDENCE_STATED:
      return "stated";
    case LACUNA_EVIDENCE_MEASURED:
      return "measured";
    case LACUNA_EVIDENCE_DETECTED:
      return "detected";
    case LACUNA_EVIDENCE_LITERATURE:
      return "literature";
    default:
      g_return_val_if_reached ("stated");
    }
}

const char *
lacuna_evidence_class_verb (LacunaEvidenceClass klass)
{
  switch (klass)
    {
    case LACUNA_EVIDENCE_STATED:
      return _("is stated in");
    case LACUNA_EVIDENCE_MEASURED:
      return _("we measured");
    case LACUNA_EVIDENCE_DETECTED:
      return _("a standard detector found");
    case LACUNA_EVIDENCE_LITERATURE:
      return _("published AI models can infer");
    default:
      g_return_val_if_reached ("");
    }
}

const char *
lacuna_evidence_class_describe (LacunaEvidenceClass klass)
{
  switch (klass)
    {
    case LACUNA_EVIDENCE_STATED:
      return _("Stated: the value is literally in the file, in a tag or burned into the "
               "pixels.");
    case LACUNA_EVIDENCE_MEASURED:
      return _("Measured: computed deterministically from the pixels; the method is shown "
               "and the result is reproducible.");
    case LACUNA_EVIDENCE_DETECTED:
      return _("Detected: a classical detector fired; shown as counts of views or "
               "detectors, never as a probability.");
    case LACUNA_EVIDENCE_LITERATURE:
      return _("Literature: published models can infer this from this kind of image; we did "
               "not run such a model on this patient.");
    default:
      g_return_val_if_reached ("");
    }
}

const char *
lacuna_evidence_class_label (LacunaEvidenceClass klass)
{
  switch (klass)
    {
    case LACUNA_EVIDENCE_STATED:
      return C_("evidence class", "Stated");
    case LACUNA_EVIDENCE_MEASURED:
      return C_("evidence class", "Measured");
    case LACUNA_EVIDENCE_DETECTED:
      return C_("evidence class", "Detected");
    case LACUNA_EVIDENCE_LITERATURE:
    default:
      return C_("evidence class", "Literature");
    }
}

const char *
lacuna_finding_status_label (LacunaFindingStatus status)
{
  switch (status)
    {
    case LACUNA_FINDING_PRESENT:
      return C_("finding status", "Present");
    case LACUNA_FINDING_REDUCED:
      return C_("finding status", "Reduced");
    case LACUNA_FINDING_REMOVED:
      return C_("finding status", "Removed");
    case LACUNA_FINDING_CANNOT_BE_REMOVED:
    default:
      return C_("finding status", "Cannot be removed by redaction");
    }
}

const char *
lacuna_finding_status_to_string (LacunaFindingStatus status)
{
  switch (status)
    {
    case LACUNA_FINDING_PRESENT:
      return "present";
    case LACUNA_FINDING_REDUCED:
      return "reduced";
    case LACUNA_FINDING_REMOVED:
      return "removed";
    case LACUNA_FINDING_CANNOT_BE_REMOVED:
      return "cannot-be-removed";
    default:
      g_return_val_if_reached ("present");
    }
}

static void
lacuna_finding_finalize (GObject *object)
{
  LacunaFinding *self = LACUNA_FINDING (object);

  g_free (self->kind);
  g_free (self->text);
  g_free (self->action);
  g_free (self->tag_path);
  g_free (self->sop_instance_uid);
  g_clear_pointer (&self->values, json_object_unref);
  g_clear_object (&self->source_object);

  G_OBJECT_CLASS (lacuna_finding_parent_class)->finalize (object);
}

static void
lacuna_finding_class_init (LacunaFindingClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lacuna_finding_finalize;
}

static void
lacuna_finding_init (LacunaFinding *self)
{
  self->values = json_object_new ();
}

LacunaFinding *
lacuna_finding_new (const char          *kind,
                    LacunaEvidenceClass  klass,
                    LacunaFindingStatus  status,
                    const char          *text)
{
  LacunaFinding *self;

  g_return_val_if_fail (kind != NULL, NULL);
  g_return_val_if_fail (text != NULL, NULL);

  self = g_object_new (LACUNA_TYPE_FINDING, NULL);
  self->kind = g_strdup (kind);
  self->klass = klass;
  self->status = status;
  self->text = g_strdup (text);
  return self;
}

const char *
lacuna_finding_get_kind (LacunaFinding *self)
{
  g_return_val_if_fail (LACUNA_IS_FINDING (self), NULL);
  return self->kind;
}

LacunaEvidenceClass
lacuna_finding_get_class (LacunaFinding *self)
{
  g_return_val_if_fail (LACUNA_IS_FINDING (self), LACUNA_EVIDENCE_STATED);
  return self->klass;
}

LacunaFindingStatus
lacuna_finding_get_status (LacunaFinding *self)
{
  g_return_val_if_fail (LACUNA_IS_FINDING (self), LACUNA_FINDING_PRESENT);
  return self->status;
}

void
lacuna_finding_set_status (LacunaFinding       *self,
                           LacunaFindingStatus  status)
{
  g_return_if_fail (LACUNA_IS_FINDING (self));
  self->status = status;
}

const char *
lacuna_finding_get_text (LacunaFinding *self)
{
  g_return_val_if_fail (LACUNA_IS_FINDING (self), NULL);
  return self->text;
}

const char *
lacuna_finding_get_action (LacunaFinding *self)
{
  g_return_val_if_fail (LACUNA_IS_FINDING (self), NULL);
  return self->action;
}

void
lacuna_finding_set_action (LacunaFinding *self,
                           const char    *action)
{
  g_return_if_fail (LACUNA_IS_FINDING (self));
  g_free (self->action);
  self->action = g_strdup (action);
}

void
lacuna_finding_set_tag_path (LacunaFinding *self,
                             const char    *path)
{
  g_return_if_fail (LACUNA_IS_FINDING (self));
  g_free (self->tag_path);
  self->tag_path = g_strdup (path);
}

const char *
lacuna_finding_get_tag_path (LacunaFinding *self)
{
  g_return_val_if_fail (LACUNA_IS_FINDING (self), NULL);
  return self->tag_path;
}

void
lacuna_finding_set_region (LacunaFinding *self,
                           const char    *sop_instance_uid,
                           guint          frame,
                           const int      box[4])
{
  g_return_if_fail (LACUNA_IS_FINDING (self));

  g_free (self->sop_instance_uid);
  self->sop_instance_uid = g_strdup (sop_instance_uid);
  self->frame = frame;
  self->has_box = box != NULL;
  if (box != NULL)
    memcpy (self->box, box, sizeof self->box);
}

const char *
lacuna_finding_get_sop_instance_uid (LacunaFinding *self)
{
  g_return_val_if_fail (LACUNA_IS_FINDING (self), NULL);
  return self->sop_instance_uid;
}

guint
lacuna_finding_get_frame (LacunaFinding *self)
{
  g_return_val_if_fail (LACUNA_IS_FINDING (self), 0);
  return self->frame;
}

gboolean
lacuna_finding_get_box (LacunaFinding *self,
                        int            out_box[4])
{
  g_return_val_if_fail (LACUNA_IS_FINDING (self), FALSE);
  if (self->has_box && out_box != NULL)
    memcpy (out_box, self->box, sizeof self->box);
  return self->has_box;
}

void
lacuna_finding_set_render_box (LacunaFinding *self,
                               guint          view,
                               double         yaw,
                               double         pitch,
                               const int      box[4])
{
  g_return_if_fail (LACUNA_IS_FINDING (self));
  g_return_if_fail (box != NULL);

  self->has_render = TRUE;
  self->render_view = view;
  self->render_yaw = yaw;
  self->render_pitch = pitch;
  memcpy (self->render_box, box, sizeof self->render_box);
}

gboolean
lacuna_finding_get_render_box (LacunaFinding *self,
                               guint         *out_view,
                               int            out_box[4])
{
  g_return_val_if_fail (LACUNA_IS_FINDING (self), FALSE);

  if (!self->has_render)
    return FALSE;
  if (out_view != NULL)
    *out_view = self->render_view;
  if (out_box != NULL)
    memcpy (out_box, self->render_box, sizeof self->render_box);
  return TRUE;
}

void
lacuna_finding_set_source_object (LacunaFinding *self,
                                  GObject       *object)
{
  g_return_if_fail (LACUNA_IS_FINDING (self));
  g_return_if_fail (object == NULL || G_IS_OBJECT (object));
  g_set_object (&self->source_object, object);
}

GObject *
lacuna_finding_get_source_object (LacunaFinding *self)
{
  g_return_val_if_fail (LACUNA_IS_FINDING (self), NULL);
  return self->source_object;
}

JsonObject *
lacuna_finding_get_values (LacunaFinding *self)
{
  g_return_val_if_fail (LACUNA_IS_FINDING (self), NULL);
  return self->values;
}

/* ["(0008,1115)", 0, "(0008,1155)"] from "00081115/0/00081155". */
static JsonNode *
path_to_json (const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_array (builder);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (i % 2 == 0)
        {
          g_autofree char *tag = lacuna_dicom_tag_format ((guint32) g_ascii_strtoull (parts[i],
                                                                                      NULL, 16));
          json_builder_add_string_value (builder, tag);
        }
      else
        json_builder_add_int_value (builder, g_ascii_strtoll (parts[i], NULL, 10));
    }
  json_builder_end_array (builder);
  return json_builder_get_root (builder);
}

JsonNode *
lacuna_finding_to_json (LacunaFinding *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (LACUNA_IS_FINDING (self), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, self->kind);
  json_builder_set_member_name (builder, "class");
  json_builder_add_string_value (builder, lacuna_evidence_class_to_string (self->klass));
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, lacuna_finding_status_to_string (self->status));
  json_builder_set_member_name (builder, "text");
  json_builder_add_string_value (builder, self->text);
  json_builder_set_member_name (builder, "action");
  if (self->action != NULL)
    json_builder_add_string_value (builder, self->action);
  else
    json_builder_add_null_value (builder);

  json_builder_set_member_name (builder, "where");
  json_builder_begin_object (builder);
  if (self->tag_path != NULL)
    {
      g_autofree char *tag = lacuna_dicom_tag_format (lacuna_dicom_path_last_tag (self->tag_path));

      json_builder_set_member_name (builder, "tag");
      json_builder_add_string_value (builder, tag);
      json_builder_set_member_name (builder, "path");
      json_builder_add_value (builder, path_to_json (self->tag_path));
    }
  if (self->sop_instance_uid != NULL)
    {
      json_builder_set_member_name (builder, "sop");
      json_builder_add_string_value (builder, self->sop_instance_uid);
      if (self->frame > 0)
        {
          json_builder_set_member_name (builder, "frame");
          json_builder_add_int_value (builder, self->frame);
        }
      if (self->has_box)
        {
          json_builder_set_member_name (builder, "box");
          json_builder_begin_array (builder);
          for (guint i = 0; i < 4; i++)
            json_builder_add_int_value (builder, self->box[i]);
          json_builder_end_array (builder);
        }
    }
  if (self->has_render)
    {
      json_builder_set_member_name (builder, "render");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "view");
      json_builder_add_int_value (builder, self->render_view);
      json_builder_set_member_name (builder, "yaw");
      json_builder_add_double_value (builder, self->render_yaw);
      json_builder_set_member_name (builder, "pitch");
      json_builder_add_double_value (builder, self->render_pitch);
      json_builder_set_member_name (builder, "box");
      json_builder_begin_array (builder);
      for (guint i = 0; i < 4; i++)
        json_builder_add_int_value (builder, self->render_box[i]);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "values");
  {
    JsonNode *values = json_node_new (JSON_NODE_OBJECT);

    json_node_set_object (values, self->values);
    json_builder_add_value (builder, values);
  }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}
