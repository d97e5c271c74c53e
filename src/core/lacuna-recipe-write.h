/* lacuna-recipe-write.h: writing LacunaDeidOptions as a recipe, the JSON that
 * lacuna_deid_options_load_recipe() (and `lacuna-cli clean --recipe`) reads back.
 *
 * Every member the loader knows is written (pixels_verified_clean is not part of a
 * recipe), so loading the written recipe into fresh options gives the same options. */
#pragma once

#include <json-glib/json-glib.h>

#include "lacuna-deid-options.h"

G_BEGIN_DECLS

/* The recipe as a JSON object node (owned). */
JsonNode *lacuna_deid_options_to_json      (const LacunaDeidOptions  *options);
/* The recipe as pretty-printed JSON text (owned). */
char     *lacuna_deid_options_to_recipe    (const LacunaDeidOptions  *options);
/* Writes the recipe to path atomically (a temporary file renamed), mode 0600.
 * G_IO_ERROR on failure. */
gboolean  lacuna_deid_options_save_recipe  (const LacunaDeidOptions  *options,
                                            const char               *path,
                                            GError                  **error);
/* TRUE when a and b hold the same recipe (pixels_verified_clean ignored). */
gboolean  lacuna_deid_options_equal_recipe (const LacunaDeidOptions  *a,
                                            const LacunaDeidOptions  *b);

G_END_DECLS
