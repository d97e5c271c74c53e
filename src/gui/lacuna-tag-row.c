/* lacuna-tag-row.c
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "lacuna-tag-row"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "lacuna-tag-row.h"

/* Values longer than this are cut in the list (the tooltip has more). */
#define MAX_VALUE_CHARS 120

struct _LacunaTagRow
{
  GObject              parent_instance;

  LacunaTagRowKind     kind;
  char                *path;
  guint32              tag;
  guint                index;        /* items */
  const char          *keyword;      /* interned */
  const char          *name;         /* interned */
  char                 vr[3];
  gboolean             is_sequence;
  guint                n_items;
  char                *value;

  LacunaProfileAction  action;
  const char          *reason;       /* static */
  LacunaDeidCategory   category;
  gboolean             overridden;
  gboolean             with_parent;
  LacunaDeidPlanEdit   edit;
  char                *new_value;
  gsize                new_size;
  gboolean             keyed;

  GListStore          *children;
  LacunaTagRow        *parent;       /* weak: parents outlive their children's use */
  int                  has_identifying;   /* -1 unknown */
  gboolean             shown;
};

G_DEFINE_FINAL_TYPE (LacunaTagRow, lacuna_tag_row, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_VALUE,
  PROP_VR,
  PROP_ACTION,
  PROP_CATEGORY,
  N_PROPS
};

enum
{
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
lacuna_tag_row_finalize (GObject *object)
{
  LacunaTagRow *self = (LacunaTagRow *) object;

  g_free (self->path);
  g_free (self->value);
  g_free (self->new_value);
  g_clear_object (&self->children);

  G_OBJECT_CLASS (lacuna_tag_row_parent_class)->finalize (object);
}

static void
lacuna_tag_row_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  LacunaTagRow *self = LACUNA_TAG_ROW (object);

  switch (prop_id)
    {
    case PROP_VALUE:
      g_value_set_string (value, self->value);
      break;
    case PROP_VR:
      g_value_set_string (value, self->vr);
      break;
    case PROP_ACTION:
      g_value_set_int (value, self->action);
      break;
    case PROP_CATEGORY:
      g_value_set_int (value, self->category);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lacuna_tag_row_class_init (LacunaTagRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lacuna_tag_row_finalize;
  object_class->get_property = lacuna_tag_row_get_property;

  /* Read-only; each notifies when lacuna_tag_row_update() changes it. "action" stands for
   * everything the action label shows (the action, why, override, the value written). */
  properties[PROP_VALUE] =
    g_param_spec_string ("value", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_VR] =
    g_param_spec_string ("vr", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACTION] =
    g_param_spec_int ("action", NULL, NULL, 0, G_MAXINT, 0,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CATEGORY] =
    g_param_spec_int ("category", NULL, NULL, 0, G_MAXINT, 0,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CHANGED] = g_signal_new ("changed",
                                   G_TYPE_FROM_CLASS (klass),
                                   G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 0);
}

static void
lacuna_tag_row_init (LacunaTagRow *self)
{
  self->keyword = "";
  self->name = "";
  self->has_identifying = -1;
  self->shown = TRUE;
}

LacunaTagRow *
lacuna_tag_row_new_element (const LacunaDeidPlanEntry *entry)
{
  LacunaTagRow *self;

  g_return_val_if_fail (entry != NULL, NULL);

  self = g_object_new (LACUNA_TYPE_TAG_ROW, NULL);
  self->kind = LACUNA_TAG_ROW_ELEMENT;
  self->path = g_strdup (entry->path);
  self->tag = entry->tag;
  self->keyword = entry->keyword != NULL ? entry->keyword : "";
  self->name = entry->name != NULL ? entry->name : "";
  g_strlcpy (self->vr, entry->vr, sizeof self->vr);
  self->is_sequence = entry->is_sequence;
  self->n_items = entry->n_items;
  self->value = g_strdup (entry->value);
  self->category = entry->category;
  lacuna_tag_row_update (self, entry);
  return self;
}

LacunaTagRow *
lacuna_tag_row_new_item (const char *seq_path,
                         guint       index)
{
  LacunaTagRow *self;

  g_return_val_if_fail (seq_path != NULL, NULL);

  self = g_object_new (LACUNA_TYPE_TAG_ROW, NULL);
  self->kind = LACUNA_TAG_ROW_ITEM;
  self->path = g_strdup_printf ("%s/%u", seq_path, index);
  self->index = index;
  self->action = LACUNA_PROFILE_ACTION_NONE;
  self->category = LACUNA_DEID_CATEGORY_SAFE;
  return self;
}

gboolean
lacuna_tag_row_update (LacunaTagRow              *self,
                       const LacunaDeidPlanEntry *entry)
{
  gboolean value_changed = FALSE;
  gboolean vr_changed = FALSE;
  gboolean action_changed = FALSE;
  gboolean category_changed = FALSE;

  g_return_val_if_fail (LACUNA_IS_TAG_ROW (self), FALSE);
  g_return_val_if_fail (entry != NULL, FALSE);

  if (self->kind == LACUNA_TAG_ROW_ELEMENT)
    {
      /* The value and VR too: another file of the same shape (the next slice). */
      if (g_strcmp0 (self->value, entry->value) != 0)
        {
          g_free (self->value);
          self->value = g_strdup (entry->value);
          value_changed = TRUE;
        }
      if (self->n_items != entry->n_items)
        {
          self->n_items = entry->n_items;
          value_changed = TRUE;
        }
      if (strncmp (self->vr, entry->vr, sizeof self->vr - 1) != 0)
        {
          g_strlcpy (self->vr, entry->vr, sizeof self->vr);
          vr_changed = TRUE;
        }
    }

#define SET_FIELD(field, v) \
  G_STMT_START { if (self->field != (v)) { self->field = (v); action_changed = TRUE; } } G_STMT_END
  SET_FIELD (action, entry->action);
  SET_FIELD (reason, entry->reason);
  SET_FIELD (overridden, entry->overridden);
  SET_FIELD (with_parent, entry->with_parent);
  SET_FIELD (edit, entry->edit);
  SET_FIELD (new_size, entry->new_size);
  SET_FIELD (keyed, entry->keyed);
#undef SET_FIELD
  if (g_strcmp0 (self->new_value, entry->new_value) != 0)
    {
      g_free (self->new_value);
      self->new_value = g_strdup (entry->new_value);
      action_changed = TRUE;
    }
  if (self->category != entry->category)
    {
      self->category = entry->category;
      category_changed = TRUE;
      for (LacunaTagRow *r = self; r != NULL; r = r->parent)
        r->has_identifying = -1;
    }

  if (!value_changed && !vr_changed && !action_changed && !category_changed)
    return FALSE;

  g_object_freeze_notify (G_OBJECT (self));
  if (value_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VALUE]);
  if (vr_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VR]);
  if (action_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTION]);
  if (category_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CATEGORY]);
  g_object_thaw_notify (G_OBJECT (self));
  g_signal_emit (self, signals[CHANGED], 0);
  return TRUE;
}

gboolean
lacuna_tag_row_same_shape (LacunaTagRow              *self,
                           const LacunaDeidPlanEntry *entry)
{
  g_return_val_if_fail (LACUNA_IS_TAG_ROW (self), FALSE);
  g_return_val_if_fail (entry != NULL, FALSE);

  return self->kind == LACUNA_TAG_ROW_ELEMENT && strcmp (self->path, entry->path) == 0
         && self->tag == entry->tag && !self->is_sequence == !entry->is_sequence
         && (!self->is_sequence || self->n_items == entry->n_items);
}

/* ------------------------------------------------------------------------------------- */
/* Getters                                                                               */

LacunaTagRowKind
lacuna_tag_row_get_kind (LacunaTagRow *self)
{
  g_return_val_if_fail (LACUNA_IS_TAG_ROW (self), LACUNA_TAG_ROW_ELEMENT);
  return self->kind;
}

const char *
lacuna_tag_row_get_path (LacunaTagRow *self)
{
  g_return_val_if_fail (LACUNA_IS_TAG_ROW (self), NULL);
  return self->path;
}

guint32
lacuna_tag_row_get_tag (LacunaTagRow *self)
{
  g_return_val_if_fail (LACUNA_IS_TAG_ROW (self), 0);
  return self->tag;
}

const char *
lacuna_tag_row_get_keyword (LacunaTagRow *self)
{
  g_return_val_if_fail (LACUNA_IS_TAG_ROW (self), NULL);
  return self->keyword;
}

const char *
lacuna_tag_row_get_vr (LacunaTagRow *self)
{
  g_return_val_if_fail (LACUNA_IS_TAG_ROW (self), NULL);
  return self->vr;
}

gboolean
lacuna_tag_row_is_sequence (LacunaTagRow *self)
{
  g_return_val_if_fail (LACUNA_IS_TAG_ROW (self), FALSE);
  return self->is_sequence;
}

const char *
lacuna_tag_row_get_value (LacunaTagRow *self)
{
  g_return_val_if_fail (LACUNA_IS_TAG_ROW (self), NULL);
  return self->value;
}

LacunaProfileAction
lacuna_tag_row_get_action (LacunaTagRow *self)
{
  g_return_val_if_fail (LACUNA_IS_TAG_ROW (self), LACUNA_PROFILE_ACTION_NONE);
  return self->action;
}

const char *
lacuna_tag_row_get_reason (LacunaTagRow *self)
{
  g_return_val_if_fail (LACUNA_IS_TAG_ROW (self), NULL);
  return self->reason;
}

LacunaDeidCategory
lacuna_tag_row_get_category (LacunaTagRow *self)
{
  g_return_val_if_fail (LACUNA_IS_TAG_ROW (self), LACUNA_DEID_CATEGORY_SAFE);
  return self->category;
}

gboolean
lacuna_tag_row_get_overridden (LacunaTagRow *self)
{
  g_return_val_if_fail (LACUNA_IS_TAG_ROW (self), FALSE);
  return self->overridden;
}

gboolean
lacuna_tag_row_get_with_parent (LacunaTagRow *self)
{
  g_return_val_if_fail (LACUNA_IS_TAG_ROW (self), FALSE);
  return self->with_parent;
}

LacunaDeidPlanEdit
lacuna_tag_row_get_edit (LacunaTagRow *self)
{
  g_return_val_if_fail (LACUNA_IS_TAG_ROW (self), LACUNA_DEID_PLAN_EDIT_NONE);
  return self->edit;
}

const char *
lacuna_tag_row_get_new_value (LacunaTagRow *self)
{
  g_return_val_if_fail (LACUNA_IS_TAG_ROW (self), NULL);
  return self->new_value;
}

gboolean
lacuna_tag_row_get_keyed (LacunaTagRow *self)
{
  g_return_val_if_fail (LACUNA_IS_TAG_ROW (self), FALSE);
  return self->keyed;
}

gboolean
lacuna_tag_row_is_identifying (LacunaTagRow *self)
{
  g_return_val_if_fail (LACUNA_IS_TAG_ROW (self), FALSE);
  return self->kind == LACUNA_TAG_ROW_ELEMENT &&
         lacuna_deid_category_is_identifying (self->category);
}

gboolean
lacuna_tag_row_has_identifying (LacunaTagRow *self)
{
  g_return_val_if_fail (LACUNA_IS_TAG_ROW (self), FALSE);

  if (self->has_identifying < 0)
    {
      gboolean any = lacuna_tag_row_is_identifying (self);

      if (self->children != NULL)
        {
          guint n = g_list_model_get_n_items (G_LIST_MODEL (self->children));

          for (guint i = 0; i < n && !any; i++)
            {
              g_autoptr(LacunaTagRow) child =
                g_list_model_get_item (G_LIST_MODEL (self->children), i);

              any = lacuna_tag_row_has_identifying (child);
            }
        }
      self->has_identifying = any;
    }
  return self->has_identifying;
}

GListModel *
lacuna_tag_row_get_children (LacunaTagRow *self)
{
  g_return_val_if_fail (LACUNA_IS_TAG_ROW (self), NULL);
  return self->children != NULL ? G_LIST_MODEL (self->children) : NULL;
}

LacunaTagRow *
lacuna_tag_row_get_parent (LacunaTagRow *self)
{
  g_return_val_if_fail (LACUNA_IS_TAG_ROW (self), NULL);
  return self->parent;
}

void
lacuna_tag_row_append_child (LacunaTagRow *self,
                             LacunaTagRow *child)
{
  g_return_if_fail (LACUNA_IS_TAG_ROW (self));
  g_return_if_fail (LACUNA_IS_TAG_ROW (child));

  if (self->children == NULL)
    self->children = g_list_store_new (LACUNA_TYPE_TAG_ROW);
  child->parent = self;
  g_list_store_append (self->children, child);
  for (LacunaTagRow *r = self; r != NULL; r = r->parent)
    r->has_identifying = -1;
}

gboolean
lacuna_tag_row_get_shown (LacunaTagRow *self)
{
  g_return_val_if_fail (LACUNA_IS_TAG_ROW (self), FALSE);
  return self->shown;
}

void
lacuna_tag_row_set_shown (LacunaTagRow *self,
                          gboolean      shown)
{
  g_return_if_fail (LACUNA_IS_TAG_ROW (self));
  self->shown = !!shown;
}

/* ------------------------------------------------------------------------------------- */
/* Labels                                                                                */

char *
lacuna_tag_row_dup_tag_label (LacunaTagRow *self)
{
  g_return_val_if_fail (LACUNA_IS_TAG_ROW (self), NULL);

  if (self->kind == LACUNA_TAG_ROW_ITEM)
    /* Translators: an item of a DICOM sequence, numbered from 1 */
    return g_strdup_printf (_("Item %u"), self->index + 1);
  return lacuna_dicom_tag_format (self->tag);
}

char *
lacuna_tag_row_dup_name_label (LacunaTagRow *self)
{
  g_return_val_if_fail (LACUNA_IS_TAG_ROW (self), NULL);

  if (self->kind == LACUNA_TAG_ROW_ITEM)
    return g_strdup ("");
  if (g_str_has_prefix (self->name, "RETIRED_"))
    /* Translators: the name of an attribute the standard has retired */
    return g_strdup_printf (_("%s (retired)"), self->name + strlen ("RETIRED_"));
  if (*self->name != '\0')
    return g_strdup (self->name);
  if ((self->tag & 0xFFFF) == 0)
    return g_strdup (_("Group Length"));
  if ((self->tag >> 16) & 1)
    {
      guint16 element = self->tag & 0xFFFF;

      if (element >= 0x0010 && element <= 0x00FF)
        return g_strdup (_("Private Creator"));
      return g_strdup (_("Private element"));
    }
  return g_strdup (_("Unknown element"));
}

char *
lacuna_tag_row_dup_value_label (LacunaTagRow *self)
{
  GString *out;
  const char *p;
  guint n = 0;

  g_return_val_if_fail (LACUNA_IS_TAG_ROW (self), NULL);

  if (self->kind == LACUNA_TAG_ROW_ITEM)
    return g_strdup ("");
  if (self->is_sequence)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u item", "%u items", self->n_items),
                            self->n_items);
  if (self->value == NULL)
    return g_strdup (_("Binary data"));
  if (*self->value == '\0')
    return g_strdup (_("Empty"));

  /* One line, at most MAX_VALUE_CHARS characters. */
  out = g_string_new (NULL);
  for (p = self->value; *p != '\0' && n < MAX_VALUE_CHARS; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '\n' || c == '\r' || c == '\t')
        g_string_append_c (out, ' ');
      else
        g_string_append_unichar (out, c);
    }
  if (*p != '\0')
    g_string_append (out, "…");
  return g_string_free (out, FALSE);
}

const char *
lacuna_tag_row_get_action_word (LacunaTagRow *self)
{
  g_return_val_if_fail (LACUNA_IS_TAG_ROW (self), NULL);

  switch (self->action)
    {
    case LACUNA_PROFILE_ACTION_X:
      /* Translators: what export does with an attribute */
      return _("Remove");
    case LACUNA_PROFILE_ACTION_Z:
      /* Translators: what export does with an attribute: keep it, without a value */
      return _("Empty");
    case LACUNA_PROFILE_ACTION_D:
      /* Translators: what export does with an attribute: write a dummy value */
      return _("Replace");
    case LACUNA_PROFILE_ACTION_K:
      /* Translators: what export does with an attribute */
      return _("Keep");
    case LACUNA_PROFILE_ACTION_C:
      /* Translators: what export does with an attribute: cut identifying text out of it */
      return _("Clean");
    case LACUNA_PROFILE_ACTION_U:
      /* Translators: what export does with a UID attribute */
      return _("New UID");
    case LACUNA_PROFILE_ACTION_NONE:
    case LACUNA_PROFILE_ACTION_Z_D:
    case LACUNA_PROFILE_ACTION_X_Z:
    case LACUNA_PROFILE_ACTION_X_D:
    case LACUNA_PROFILE_ACTION_X_Z_D:
    case LACUNA_PROFILE_ACTION_X_Z_U:
    case LACUNA_PROFILE_N_ACTIONS:
    default:
      return "";
    }
}

char *
lacuna_tag_row_dup_action_label (LacunaTagRow *self,
                                 gboolean      exact_values)
{
  g_autofree char *word = NULL;

  g_return_val_if_fail (LACUNA_IS_TAG_ROW (self), NULL);

  if (self->kind == LACUNA_TAG_ROW_ITEM)
    return g_strdup ("");

  if (self->with_parent)
    word = g_strdup (_("Remove (with its sequence)"));
  else if (self->overridden)
    /* Translators: an action the user chose instead of the profile's, "Keep (override)" */
    word = g_strdup_printf (_("%s (override)"), lacuna_tag_row_get_action_word (self));
  else
    word = g_strdup (lacuna_tag_row_get_action_word (self));

  if (self->edit == LACUNA_DEID_PLAN_EDIT_SET && self->new_value != NULL &&
      *self->new_value != '\0' && self->action != LACUNA_PROFILE_ACTION_Z &&
      g_strcmp0 (self->new_value, self->value) != 0)
    {
      if (self->keyed && !exact_values)
        {
          const char *what;

          if (self->action == LACUNA_PROFILE_ACTION_U)
            /* Translators: the value export writes is derived from the project key */
            what = _("a keyed UID");
          else if (self->action == LACUNA_PROFILE_ACTION_C)
            what = _("a shifted date");
          else
            what = _("a keyed dummy");
          /* Translators: "Replace → a keyed dummy" */
          return g_strdup_printf (_("%s → %s"), word, what);
        }
      return g_strdup_printf (_("%s → %s"), word, self->new_value);
    }
  return g_steal_pointer (&word);
}
