/* lacuna-deid-options.c: the options of a de-identification run, and JSON recipes. */

#define G_LOG_DOMAIN "lacuna-deid-options"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "lacuna-deid-options.h"
#include "lacuna-error.h"
#include "lacuna-redact.h"

#define BOX_LIMIT 65535

static void
override_free (gpointer data)
{
  LacunaDeidOverride *o = data;

  g_free (o->path);
  g_free (o->value);
  g_free (o);
}

static void
box_free (gpointer data)
{
  LacunaDeidBox *b = data;

  g_free (b->sop_instance_uid);
  g_free (b->frames);
  g_free (b);
}

LacunaDeidOptions *
lacuna_deid_options_new (void)
{
  LacunaDeidOptions *options = g_new0 (LacunaDeidOptions, 1);

  options->date_shift_max_days = LACUNA_DEID_DEFAULT_DATE_SHIFT_DAYS;
  options->overrides = g_ptr_array_new_with_free_func (override_free);
  options->boxes = g_ptr_array_new_with_free_func (box_free);
  return options;
}

void
lacuna_deid_options_free (LacunaDeidOptions *options)
{
  if (options == NULL)
    return;
  g_free (options->patient_name);
  g_free (options->patient_id);
  g_clear_pointer (&options->overrides, g_ptr_array_unref);
  g_clear_pointer (&options->boxes, g_ptr_array_unref);
  g_free (options);
}

void
lacuna_deid_options_add_override (LacunaDeidOptions        *options,
                                  const char               *path,
                                  LacunaDeidOverrideAction  action,
                                  const char               *value)
{
  LacunaDeidOverride *o;

  g_return_if_fail (options != NULL);
  g_return_if_fail (path != NULL);

  if (options->overrides == NULL)
    options->overrides = g_ptr_array_new_with_free_func (override_free);
  o = g_new0 (LacunaDeidOverride, 1);
  o->path = g_strdup (path);
  o->action = action;
  o->value = action == LACUNA_DEID_OVERRIDE_REPLACE ? g_strdup (value) : NULL;
  g_ptr_array_add (options->overrides, o);
}

LacunaDeidOptions *
lacuna_deid_options_copy (const LacunaDeidOptions *options)
{
  LacunaDeidOptions *copy;

  g_return_val_if_fail (options != NULL, NULL);

  copy = lacuna_deid_options_new ();
  copy->options = options->options;
  copy->date_shift_max_days = options->date_shift_max_days;
  copy->patient_name = g_strdup (options->patient_name);
  copy->patient_id = g_strdup (options->patient_id);
  copy->include_unknown_payloads = options->include_unknown_payloads;
  copy->pixels_verified_clean = options->pixels_verified_clean;
  if (options->overrides != NULL)
    {
      for (guint i = 0; i < options->overrides->len; i++)
        {
          const LacunaDeidOverride *o = g_ptr_array_index (options->overrides, i);

          lacuna_deid_options_add_override (copy, o->path, o->action, o->value);
        }
    }
  if (options->boxes != NULL)
    {
      for (guint i = 0; i < options->boxes->len; i++)
        {
          const LacunaDeidBox *b = g_ptr_array_index (options->boxes, i);

          lacuna_deid_options_add_box (copy, b->sop_instance_uid, b->scope, b->frames,
                                       b->n_frames, b->x, b->y, b->width, b->height);
        }
    }
  return copy;
}

void
lacuna_deid_options_add_box (LacunaDeidOptions  *options,
                             const char         *sop_instance_uid,
                             LacunaDeidBoxScope  scope,
                             const guint        *frames,
                             guint               n_frames,
                             int                 x,
                             int                 y,
                             int                 width,
                             int                 height)
{
  LacunaDeidBox *b;

  g_return_if_fail (options != NULL);
  g_return_if_fail (frames != NULL || n_frames == 0);

  if (options->boxes == NULL)
    options->boxes = g_ptr_array_new_with_free_func (box_free);
  b = g_new0 (LacunaDeidBox, 1);
  b->sop_instance_uid = g_strdup (sop_instance_uid);
  b->scope = scope;
  if (scope == LACUNA_DEID_BOX_FRAMES && n_frames > 0)
    {
      b->frames = g_memdup2 (frames, sizeof (guint) * n_frames);
      b->n_frames = n_frames;
    }
  b->x = x;
  b->y = y;
  b->width = width;
  b->height = height;
  g_ptr_array_add (options->boxes, b);
}

gboolean
lacuna_deid_options_add_box_from_string (LacunaDeidOptions  *options,
                                         const char         *text,
                                         GError            **error)
{
  g_auto(GStrv) parts = NULL;
  guint64 v[4];

  g_return_val_if_fail (options != NULL, FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  parts = g_strsplit (text, ",", -1);
  if (g_strv_length (parts) != 4)
    goto bad;
  for (guint i = 0; i < 4; i++)
    {
      if (!g_ascii_string_to_unsigned (g_strstrip (parts[i]), 10, i < 2 ? 0 : 1, BOX_LIMIT,
                                       &v[i], NULL))
        goto bad;
    }
  lacuna_deid_options_add_box (options, NULL, LACUNA_DEID_BOX_ALL_FRAMES, NULL, 0,
                               (int) v[0], (int) v[1], (int) v[2], (int) v[3]);
  return TRUE;

bad:
  g_set_error (error, LACUNA_DEID_ERROR, LACUNA_DEID_ERROR_FAILED,
               _("A redaction box must be X,Y,WIDTH,HEIGHT in pixels (whole numbers, width "
                 "and height at least 1, at most %d)"), BOX_LIMIT);
  return FALSE;
}

GArray *
lacuna_deid_options_resolve_boxes (const LacunaDeidOptions      *options,
                                   const char                   *sop_instance_uid,
                                   const char                   *series_instance_uid,
                                   guint                         rows,
                                   guint                         columns,
                                   LacunaDeidInstanceLookupFunc  lookup,
                                   gpointer                      user_data)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (LacunaRedactBox));

  g_return_val_if_fail (options != NULL, out);

  for (guint i = 0; options->boxes != NULL && i < options->boxes->len; i++)
    {
      const LacunaDeidBox *b = g_ptr_array_index (options->boxes, i);
      gboolean own = b->sop_instance_uid != NULL && sop_instance_uid != NULL
                     && strcmp (b->sop_instance_uid, sop_instance_uid) == 0;
      gboolean applies = b->sop_instance_uid == NULL || own;
      LacunaRedactBox r = { -1, b->x, b->y, b->width, b->height };

      if (!applies && b->scope == LACUNA_DEID_BOX_SAME_SIZE_IN_SERIES && lookup != NULL
          && series_instance_uid != NULL)
        {
          const char *series = NULL;
          guint r_rows = 0, r_columns = 0;

          if (lookup (b->sop_instance_uid, &series, &r_rows, &r_columns, user_data)
              && series != NULL && strcmp (series, series_instance_uid) == 0
              && r_rows == rows && r_columns == columns)
            applies = TRUE;
        }
      if (!applies)
        continue;

      if (b->scope == LACUNA_DEID_BOX_FRAMES)
        {
          for (guint f = 0; f < b->n_frames; f++)
            {
              if (b->frames[f] < 1 || b->frames[f] > G_MAXINT)
                continue;
              r.frame = (int) b->frames[f] - 1;
              g_array_append_val (out, r);
            }
        }
      else
        g_array_append_val (out, r);
    }
  return out;
}

static gboolean
is_tag_token (const char *s)
{
  if (strlen (s) != 8)
    return FALSE;
  for (int i = 0; i < 8; i++)
    if (!g_ascii_isxdigit (s[i]))
      return FALSE;
  return TRUE;
}

static gboolean
is_index_token (const char *s)
{
  if (strcmp (s, "*") == 0)
    return TRUE;
  if (*s == '\0' || strlen (s) > 6)   /* never 8 characters: that is a tag */
    return FALSE;
  for (; *s != '\0'; s++)
    if (!g_ascii_isdigit (*s))
      return FALSE;
  return TRUE;
}

gboolean
lacuna_deid_override_path_is_valid (const char *pattern)
{
  g_auto(GStrv) tokens = NULL;
  gboolean last_was_tag = FALSE;

  if (pattern == NULL || *pattern == '\0')
    return FALSE;
  tokens = g_strsplit (pattern, "/", -1);
  for (char **t = tokens; *t != NULL; t++)
    {
      if (is_tag_token (*t))
        last_was_tag = TRUE;
      else if (is_index_token (*t) && last_was_tag)
        last_was_tag = FALSE;
      else
        return FALSE;
    }
  return last_was_tag;
}

gboolean
lacuna_deid_override_path_matches (const char *pattern,
                                   const char *element_path)
{
  g_auto(GStrv) p = NULL;
  g_auto(GStrv) e = NULL;
  guint pi = 0, ej = 0, np, ne;

  if (!lacuna_deid_override_path_is_valid (pattern) || element_path == NULL)
    return FALSE;
  p = g_strsplit (pattern, "/", -1);
  e = g_strsplit (element_path, "/", -1);
  np = g_strv_length (p);
  ne = g_strv_length (e);

  while (ej < ne)
    {
      if (ej % 2 == 0)
        {
          if (pi >= np || !is_tag_token (p[pi]) || g_ascii_strcasecmp (p[pi], e[ej]) != 0)
            return FALSE;
          pi++;
        }
      else if (pi < np && is_index_token (p[pi]))
        {
          if (strcmp (p[pi], "*") != 0 && strcmp (p[pi], e[ej]) != 0)
            return FALSE;
          pi++;
        }
      ej++;
    }
  return pi == np;
}

static gboolean
pseudonym_is_valid (const char *s,
                    gboolean    allow_caret)
{
  if (s == NULL)
    return TRUE;
  if (!g_utf8_validate (s, -1, NULL) || g_utf8_strlen (s, -1) > 64 || *s == '\0')
    return FALSE;
  for (const char *p = s; *p != '\0'; p++)
    {
      if (*p == '\\' || (guchar) *p < 0x20 || *p == 0x7F)
        return FALSE;
      if (*p == '^' && !allow_caret)
        return FALSE;
    }
  return TRUE;
}

gboolean
lacuna_deid_options_validate (const LacunaDeidOptions  *options,
                              GError                  **error)
{
  g_return_val_if_fail (options != NULL, FALSE);

  if (options->date_shift_max_days < 1 ||
      options->date_shift_max_days > LACUNA_DEID_MAX_DATE_SHIFT_DAYS)
    {
      g_set_error (error, LACUNA_DEID_ERROR, LACUNA_DEID_ERROR_FAILED,
                   _("The date shift range must be between 1 and %d days"),
                   LACUNA_DEID_MAX_DATE_SHIFT_DAYS);
      return FALSE;
    }
  if ((options->options & ~LACUNA_PROFILE_OPTIONS_ALL) != 0)
    {
      g_set_error_literal (error, LACUNA_DEID_ERROR, LACUNA_DEID_ERROR_FAILED,
                           _("Unknown de-identification option"));
      return FALSE;
    }
  if (!pseudonym_is_valid (options->patient_name, TRUE))
    {
      g_set_error_literal (error, LACUNA_DEID_ERROR, LACUNA_DEID_ERROR_FAILED,
                           _("The patient name pseudonym must be 1 to 64 characters, without "
                             "backslashes or control characters"));
      return FALSE;
    }
  if (!pseudonym_is_valid (options->patient_id, FALSE))
    {
      g_set_error_literal (error, LACUNA_DEID_ERROR, LACUNA_DEID_ERROR_FAILED,
                           _("The patient ID pseudonym must be 1 to 64 characters, without "
                             "backslashes, carets or control characters"));
      return FALSE;
    }
  if (options->overrides != NULL)
    {
      for (guint i = 0; i < options->overrides->len; i++)
        {
          const LacunaDeidOverride *o = g_ptr_array_index (options->overrides, i);

          if (!lacuna_deid_override_path_is_valid (o->path))
            {
              g_set_error (error, LACUNA_DEID_ERROR, LACUNA_DEID_ERROR_FAILED,
                           _("Override %u: “%s” is not an element path"), i + 1,
                           o->path != NULL ? o->path : "");
              return FALSE;
            }
          if (o->action == LACUNA_DEID_OVERRIDE_REPLACE &&
              (o->value == NULL || !g_utf8_validate (o->value, -1, NULL)))
            {
              g_set_error (error, LACUNA_DEID_ERROR, LACUNA_DEID_ERROR_FAILED,
                           _("Override %u replaces a value but gives no valid value"), i + 1);
              return FALSE;
            }
        }
    }
  if (options->boxes != NULL)
    {
      for (guint i = 0; i < options->boxes->len; i++)
        {
          const LacunaDeidBox *b = g_ptr_array_index (options->boxes, i);
          gboolean frames_ok = b->scope != LACUNA_DEID_BOX_FRAMES || b->n_frames > 0;

          for (guint f = 0; f < b->n_frames; f++)
            if (b->frames[f] < 1)
              frames_ok = FALSE;
          if (b->x < 0 || b->y < 0 || b->x > BOX_LIMIT || b->y > BOX_LIMIT
              || b->width < 1 || b->height < 1 || b->width > BOX_LIMIT || b->height > BOX_LIMIT)
            {
              g_set_error (error, LACUNA_DEID_ERROR, LACUNA_DEID_ERROR_FAILED,
                           _("Redaction box %u: x and y must be 0 to %d, width and height "
                             "1 to %d pixels"), i + 1, BOX_LIMIT, BOX_LIMIT);
              return FALSE;
            }
          if (!frames_ok)
            {
              g_set_error (error, LACUNA_DEID_ERROR, LACUNA_DEID_ERROR_FAILED,
                           _("Redaction box %u: frames are numbered from 1, and a list needs "
                             "at least one"), i + 1);
              return FALSE;
            }
          if (b->scope == LACUNA_DEID_BOX_SAME_SIZE_IN_SERIES && b->sop_instance_uid == NULL)
            {
              g_set_error (error, LACUNA_DEID_ERROR, LACUNA_DEID_ERROR_FAILED,
                           _("Redaction box %u: “same-size-in-series” needs the SOP Instance "
                             "UID of an image"), i + 1);
              return FALSE;
            }
          if (b->sop_instance_uid != NULL
              && (*b->sop_instance_uid == '\0' || strlen (b->sop_instance_uid) > 64
                  || strspn (b->sop_instance_uid, "0123456789.") != strlen (b->sop_instance_uid)))
            {
              g_set_error (error, LACUNA_DEID_ERROR, LACUNA_DEID_ERROR_FAILED,
                           _("Redaction box %u: the SOP Instance UID is not a valid UID"), i + 1);
              return FALSE;
            }
        }
    }
  return TRUE;
}

static gboolean
recipe_error (GError     **error,
              const char  *path,
              const char  *what)
{
  g_autofree char *display = g_filename_display_name (path);

  g_set_error (error, LACUNA_DEID_ERROR, LACUNA_DEID_ERROR_FAILED,
               _("Recipe %s: %s"), display, what);
  return FALSE;
}

static gboolean
load_overrides (LacunaDeidOptions  *options,
                JsonArray          *array,
                const char         *path,
                GError            **error)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      JsonObject *obj;
      const char *epath, *action, *value = NULL;
      LacunaDeidOverrideAction a;
      g_autoptr(GList) members = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return recipe_error (error, path, _("every override must be an object"));
      obj = json_node_get_object (node);
      members = json_object_get_members (obj);
      for (GList *m = members; m != NULL; m = m->next)
        {
          if (strcmp (m->data, "path") != 0 && strcmp (m->data, "action") != 0 &&
              strcmp (m->data, "value") != 0)
            return recipe_error (error, path, _("an override has an unknown member"));
        }
      epath = json_object_get_string_member_with_default (obj, "path", NULL);
      action = json_object_get_string_member_with_default (obj, "action", NULL);
      if (json_object_has_member (obj, "value"))
        value = json_object_get_string_member_with_default (obj, "value", NULL);
      if (epath == NULL || action == NULL)
        return recipe_error (error, path, _("an override needs a “path” and an “action”"));
      if (strcmp (action, "keep") == 0)
        a = LACUNA_DEID_OVERRIDE_KEEP;
      else if (strcmp (action, "remove") == 0)
        a = LACUNA_DEID_OVERRIDE_REMOVE;
      else if (strcmp (action, "replace") == 0)
        a = LACUNA_DEID_OVERRIDE_REPLACE;
      else
        return recipe_error (error, path, _("an override's action must be keep, remove or replace"));
      lacuna_deid_options_add_override (options, epath, a, value);
    }
  return TRUE;
}

static gboolean
get_int_member (JsonObject *obj,
                const char *name,
                gboolean    required,
                gint64      fallback,
                gint64     *out)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL)
    {
      *out = fallback;
      return !required;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (node);
  return TRUE;
}

static gboolean
load_boxes (LacunaDeidOptions  *options,
            JsonArray          *array,
            const char         *path,
            GError            **error)
{
  static const char * const known[] = { "sop", "frames", "x", "y", "width", "height" };

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      JsonObject *obj;
      JsonNode *frames_node, *sop_node;
      const char *sop = NULL;
      LacunaDeidBoxScope scope = LACUNA_DEID_BOX_ALL_FRAMES;
      g_autoptr(GArray) frames = g_array_new (FALSE, FALSE, sizeof (guint));
      g_autoptr(GList) members = NULL;
      gint64 v[4];

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return recipe_error (error, path, _("every redaction box must be an object"));
      obj = json_node_get_object (node);
      members = json_object_get_members (obj);
      for (GList *m = members; m != NULL; m = m->next)
        {
          gboolean ok = FALSE;

          for (gsize k = 0; k < G_N_ELEMENTS (known); k++)
            if (strcmp (m->data, known[k]) == 0)
              ok = TRUE;
          if (!ok)
            return recipe_error (error, path, _("a redaction box has an unknown member"));
        }

      sop_node = json_object_get_member (obj, "sop");
      if (sop_node != NULL)
        {
          if (!JSON_NODE_HOLDS_VALUE (sop_node)
              || json_node_get_value_type (sop_node) != G_TYPE_STRING)
            return recipe_error (error, path, _("a redaction box’s “sop” must be a string"));
          sop = json_node_get_string (sop_node);
        }

      frames_node = json_object_get_member (obj, "frames");
      if (frames_node != NULL && JSON_NODE_HOLDS_ARRAY (frames_node))
        {
          JsonArray *list = json_node_get_array (frames_node);

          scope = LACUNA_DEID_BOX_FRAMES;
          for (guint f = 0; f < json_array_get_length (list); f++)
            {
              JsonNode *e = json_array_get_element (list, f);
              gint64 n;
              guint frame;

              if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_INT64)
                return recipe_error (error, path, _("frame numbers must be whole numbers"));
              n = json_node_get_int (e);
              if (n < 1 || n > G_MAXINT)
                return recipe_error (error, path, _("frame numbers start at 1"));
              frame = (guint) n;
              g_array_append_val (frames, frame);
            }
          if (frames->len == 0)
            return recipe_error (error, path, _("a redaction box’s frame list is empty"));
        }
      else if (frames_node != NULL)
        {
          const char *text = NULL;

          if (JSON_NODE_HOLDS_VALUE (frames_node)
              && json_node_get_value_type (frames_node) == G_TYPE_STRING)
            text = json_node_get_string (frames_node);
          if (g_strcmp0 (text, "all") == 0)
            scope = LACUNA_DEID_BOX_ALL_FRAMES;
          else if (g_strcmp0 (text, "same-size-in-series") == 0)
            scope = LACUNA_DEID_BOX_SAME_SIZE_IN_SERIES;
          else
            return recipe_error (error, path, _("a redaction box’s “frames” must be “all”, "
                                                "“same-size-in-series” or a list of frame "
                                                "numbers"));
        }

      if (!get_int_member (obj, "x", TRUE, 0, &v[0]) || !get_int_member (obj, "y", TRUE, 0, &v[1])
          || !get_int_member (obj, "width", TRUE, 0, &v[2])
          || !get_int_member (obj, "height", TRUE, 0, &v[3]))
        return recipe_error (error, path, _("a redaction box needs whole-number “x”, “y”, "
                                            "“width” and “height”"));
      for (guint k = 0; k < 4; k++)
        if (v[k] < (k < 2 ? 0 : 1) || v[k] > BOX_LIMIT)
          return recipe_error (error, path, _("a redaction box lies out of range (x and y from "
                                              "0, width and height from 1, at most 65535)"));

      lacuna_deid_options_add_box (options, sop, scope, (const guint *) frames->data,
                                   frames->len, (int) v[0], (int) v[1], (int) v[2], (int) v[3]);
    }
  return TRUE;
}

gboolean
lacuna_deid_options_load_recipe (LacunaDeidOptions  *options,
                                 const char         *path,
                                 GError            **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GList) members = NULL;
  g_autoptr(LacunaDeidOptions) work = NULL;
  JsonNode *root;
  JsonObject *obj;

  g_return_val_if_fail (options != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!json_parser_load_from_file (parser, path, error))
    return FALSE;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return recipe_error (error, path, _("the recipe must be a JSON object"));
  obj = json_node_get_object (root);

  /* Work on a copy: a recipe with an error changes nothing. */
  work = lacuna_deid_options_copy (options);
  members = json_object_get_members (obj);
  for (GList *m = members; m != NULL; m = m->next)
    {
      const char *name = m->data;
      JsonNode *node = json_object_get_member (obj, name);

      if (strcmp (name, "options") == 0)
        {
          JsonArray *array;

          if (!JSON_NODE_HOLDS_ARRAY (node))
            return recipe_error (error, path, _("“options” must be a list of option names"));
          array = json_node_get_array (node);
          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              const char *cli = json_array_get_string_element (array, i);
              LacunaProfileOption option = lacuna_profile_option_from_cli_name (cli);

              if (option == LACUNA_PROFILE_OPTION_NONE)
                return recipe_error (error, path, _("unknown option name"));
              work->options |= option;
            }
        }
      else if (strcmp (name, "date-shift-max-days") == 0)
        {
          gint64 days;

          if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
            return recipe_error (error, path, _("“date-shift-max-days” must be a number"));
          days = json_node_get_int (node);
          if (days < 1 || days > LACUNA_DEID_MAX_DATE_SHIFT_DAYS)
            return recipe_error (error, path, _("“date-shift-max-days” is out of range"));
          work->date_shift_max_days = (guint) days;
        }
      else if (strcmp (name, "patient-name") == 0 || strcmp (name, "patient-id") == 0)
        {
          char **field = name[8] == 'n' ? &work->patient_name : &work->patient_id;

          if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
            return recipe_error (error, path, _("a pseudonym must be a string"));
          g_free (*field);
          *field = g_strdup (json_node_get_string (node));
        }
      else if (strcmp (name, "include-unknown-payloads") == 0)
        {
          if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
            return recipe_error (error, path, _("“include-unknown-payloads” must be true or false"));
          work->include_unknown_payloads = json_node_get_boolean (node);
        }
      else if (strcmp (name, "overrides") == 0)
        {
          if (!JSON_NODE_HOLDS_ARRAY (node))
            return recipe_error (error, path, _("“overrides” must be a list"));
          if (!load_overrides (work, json_node_get_array (node), path, error))
            return FALSE;
        }
      else if (strcmp (name, "boxes") == 0)
        {
          if (!JSON_NODE_HOLDS_ARRAY (node))
            return recipe_error (error, path, _("“boxes” must be a list"));
          if (!load_boxes (work, json_node_get_array (node), path, error))
            return FALSE;
        }
      else
        return recipe_error (error, path, _("unknown member (a typo?)"));
    }

  if (!lacuna_deid_options_validate (work, error))
    {
      g_autofree char *display = g_filename_display_name (path);

      g_prefix_error (error, _("Recipe %s: "), display);
      return FALSE;
    }

  /* Commit. */
  options->options = work->options;
  options->date_shift_max_days = work->date_shift_max_days;
  g_free (options->patient_name);
  options->patient_name = g_steal_pointer (&work->patient_name);
  g_free (options->patient_id);
  options->patient_id = g_steal_pointer (&work->patient_id);
  options->include_unknown_payloads = work->include_unknown_payloads;
  g_clear_pointer (&options->overrides, g_ptr_array_unref);
  options->overrides = g_steal_pointer (&work->overrides);
  g_clear_pointer (&options->boxes, g_ptr_array_unref);
  options->boxes = g_steal_pointer (&work->boxes);
  return TRUE;
}
