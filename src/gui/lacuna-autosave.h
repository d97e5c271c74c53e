/* lacuna-autosave.h: never losing the decisions made about a study.
 *
 * The decisions (LacunaDecisions' options) are saved as a recipe (lacuna-recipe-write.h, the
 * JSON `lacuna-cli clean --recipe` reads) to
 *   g_get_user_data_dir()/lacuna/decisions/<hex HMAC-SHA-256(key, "autosave" ‖ 0 ‖ Study
 *   Instance UID)>.json
 * mode 0600, in a folder of mode 0700, written atomically: never beside the study, and named
 * by a keyed hash, so the name says nothing about the patient or the study. Opening the same
 * study again (with the same key) restores them.
 *
 * LacunaAutosave follows one LacunaDecisions: every "changed" saves the file (when a study
 * and a key are set) and clears "exported" (the decisions have not been exported since the
 * last change); lacuna_autosave_mark_exported() sets it again.
 *
 * A collection holding several studies (a folder, a patient CD) is followed study by
 * study: each study gets its own file, holding every decision but, of the redaction boxes,
 * only those on its own images (and those on every image). Opening it again restores each
 * study's file: the first study (in the collection's order) that has one gives the options,
 * date range and pseudonyms; the others add their overrides (of other elements) and their
 * boxes. So a study opened alone later finds its own decisions. */
#pragma once

#include <glib-object.h>

#include "lacuna-collection.h"
#include "lacuna-decisions.h"

G_BEGIN_DECLS

/* The file for a study, or NULL when key or study_uid is NULL. */
char     *lacuna_autosave_dup_path  (LacunaKey                *key,
                                     const char               *study_uid);
gboolean  lacuna_autosave_save      (LacunaKey                *key,
                                     const char               *study_uid,
                                     const LacunaDeidOptions  *options,
                                     GError                  **error);
/* The saved options, or NULL: with no error when nothing was saved for this study, with an
 * error when the file could not be read. */
LacunaDeidOptions *lacuna_autosave_load (LacunaKey           *key,
                                         const char          *study_uid,
                                         GError             **error);

#define LACUNA_TYPE_AUTOSAVE (lacuna_autosave_get_type ())
G_DECLARE_FINAL_TYPE (LacunaAutosave, lacuna_autosave, LACUNA, AUTOSAVE, GObject)

LacunaAutosave *lacuna_autosave_new           (LacunaDecisions *decisions);
/* Starts following a study (NULL: none). When a file was saved for it, the decisions are
 * replaced by its content (TRUE returned); "exported" becomes TRUE either way. */
gboolean        lacuna_autosave_set_study     (LacunaAutosave  *self,
                                               const char      *study_uid);
/* Starts following every study of collection (NULL: none), restoring what was saved for
 * them (TRUE when something was); "exported" becomes TRUE. */
gboolean        lacuna_autosave_set_collection (LacunaAutosave   *self,
                                                LacunaCollection *collection);
/* The first study followed, or NULL. */
const char     *lacuna_autosave_get_study     (LacunaAutosave  *self);
/* Every study followed (Study Instance UIDs), or NULL. */
const char * const *lacuna_autosave_get_studies (LacunaAutosave *self);
/* TRUE when nothing changed since the study was opened or last exported. */
gboolean        lacuna_autosave_get_exported  (LacunaAutosave  *self);
void            lacuna_autosave_mark_exported (LacunaAutosave  *self);

G_END_DECLS
