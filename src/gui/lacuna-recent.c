/* lacuna-recent.c
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "lacuna-recent"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "lacuna-recent.h"

char *
lacuna_recent_dup_file_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "lacuna", "recent.json", NULL);
}

char **
lacuna_recent_load (void)
{
  g_autofree char *file = lacuna_recent_dup_file_path ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonNode *root;

  if (json_parser_load_from_file (parser, file, NULL)
      && (root = json_parser_get_root (parser)) != NULL
      && JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *object = json_node_get_object (root);
      JsonArray *array = json_object_has_member (object, "paths")
                         ? json_object_get_array_member (object, "paths") : NULL;
      guint n = array ? json_array_get_length (array) : 0;

      for (guint i = 0; i < n && i < LACUNA_RECENT_MAX; i++)
        {
          JsonNode *node = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
            g_strv_builder_add (builder, json_node_get_string (node));
        }
    }

  return g_strv_builder_end (builder);
}

static gboolean
save (const char * const  *paths,
      GError             **error)
{
  g_autofree char *file = lacuna_recent_dup_file_path ();
  g_autofree char *dir = g_path_get_dirname (file);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  gsize length;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "Cannot create the data folder: %s", g_strerror (saved));
      return FALSE;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "paths");
  json_builder_begin_array (builder);
  for (guint i = 0; paths[i] != NULL && i < LACUNA_RECENT_MAX; i++)
    json_builder_add_string_value (builder, paths[i]);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, &length);

  /* g_file_set_contents_full() writes a temporary file with this mode, then renames it. */
  return g_file_set_contents_full (file, text, length,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

gboolean
lacuna_recent_add (const char * const  *paths,
                   GError             **error)
{
  g_auto(GStrv) old = lacuna_recent_load ();
  g_autoptr(GPtrArray) list = g_ptr_array_new ();

  g_return_val_if_fail (paths != NULL, FALSE);

  for (guint i = 0; paths[i] != NULL; i++)
    if (!g_ptr_array_find_with_equal_func (list, paths[i], g_str_equal, NULL))
      g_ptr_array_add (list, (gpointer) paths[i]);
  for (guint i = 0; old[i] != NULL; i++)
    if (!g_ptr_array_find_with_equal_func (list, old[i], g_str_equal, NULL))
      g_ptr_array_add (list, old[i]);
  g_ptr_array_add (list, NULL);

  return save ((const char * const *) list->pdata, error);
}

gboolean
lacuna_recent_forget (const char  *path,
                      GError     **error)
{
  g_auto(GStrv) old = lacuna_recent_load ();
  g_autoptr(GPtrArray) list = g_ptr_array_new ();

  g_return_val_if_fail (path != NULL, FALSE);

  for (guint i = 0; old[i] != NULL; i++)
    if (g_strcmp0 (old[i], path) != 0)
      g_ptr_array_add (list, old[i]);
  g_ptr_array_add (list, NULL);

  return save ((const char * const *) list->pdata, error);
}

gboolean
lacuna_recent_clear (GError **error)
{
  g_autofree char *file = lacuna_recent_dup_file_path ();

  if (g_unlink (file) != 0 && errno != ENOENT)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "Cannot remove the list of recent studies: %s", g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}
