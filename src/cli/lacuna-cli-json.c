#define G_LOG_DOMAIN "lacuna-cli-json"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lacuna-cli-json.h"

JsonNode *
lacuna_cli_json_path (const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  JsonArray *array = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (i % 2 == 0)
        {
          guint32 tag = (guint32) strtoul (parts[i], NULL, 16);
          g_autofree char *formatted = lacuna_dicom_tag_format (tag);

          json_array_add_string_element (array, formatted);
        }
      else
        json_array_add_int_element (array, g_ascii_strtoll (parts[i], NULL, 10));
    }
  json_node_take_array (node, array);
  return node;
}

void
lacuna_cli_json_add_string (JsonObject *object,
                            const char *key,
                            const char *value)
{
  if (value != NULL)
    json_object_set_string_member (object, key, value);
  else
    json_object_set_null_member (object, key);
}

JsonNode *
lacuna_cli_json_element (const LacunaDicomElement *element)
{
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *tag = lacuna_dicom_tag_format (element->tag);

  json_object_set_string_member (object, "tag", tag);
  json_object_set_string_member (object, "keyword",
                                 element->keyword != NULL ? element->keyword : "");
  json_object_set_string_member (object, "vr", element->vr);
  json_object_set_int_member (object, "vm", element->vm);
  if (element->length == G_MAXUINT32)
    json_object_set_null_member (object, "length");
  else
    json_object_set_int_member (object, "length", element->length);
  lacuna_cli_json_add_string (object, "value", element->is_sequence ? NULL : element->value);
  if (element->is_sequence)
    json_object_set_int_member (object, "items", element->n_items);
  if (element->is_private)
    lacuna_cli_json_add_string (object, "private_creator", element->private_creator);
  json_object_set_member (object, "path", lacuna_cli_json_path (element->path));
  json_object_set_int_member (object, "depth", element->depth);

  json_node_take_object (node, object);
  return node;
}

gboolean
lacuna_cli_json_print (JsonNode *node,
                       FILE     *out)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;
  gsize length = 0;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 1);
  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, &length);
  if (fwrite (text, 1, length, out) != length || fputc ('\n', out) == EOF)
    return FALSE;
  return fflush (out) == 0;
}
