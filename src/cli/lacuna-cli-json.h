/* lacuna-cli-json.h: JSON pieces shared by lacuna-cli's sub-commands (json-glib). */
#pragma once

#include <stdio.h>

#include <json-glib/json-glib.h>

#include "lacuna-dicom.h"

G_BEGIN_DECLS

/* An element path as a JSON array: tags as "(gggg,eeee)" strings and, after each sequence,
 * the 0-based item index as a number: "00081115/0/00081155" → ["(0008,1115)", 0,
 * "(0008,1155)"]. */
JsonNode *lacuna_cli_json_path    (const char               *path);

/* One element: {"tag", "keyword", "vr", "vm", "length", "value", "path", "depth"}, and
 * "items" for sequences, "private_creator" for private elements. "value" is the text
 * (values joined with '\'), or null for sequences and binary values; "length" is the value
 * length in bytes as stored, null when undefined. */
JsonNode *lacuna_cli_json_element (const LacunaDicomElement *element);

/* Writes node to out as one JSON document followed by a newline. */
gboolean  lacuna_cli_json_print   (JsonNode                 *node,
                                   FILE                     *out);

/* Adds "key": value, or "key": null when value is NULL. */
void      lacuna_cli_json_add_string (JsonObject             *object,
                                      const char             *key,
                                      const char             *value);

G_END_DECLS
