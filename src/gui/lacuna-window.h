/* lacuna-window.h: the main window: a welcome page, then one opened study (the series in a
 * sidebar, the current image beside it). */
#pragma once

#include <adwaita.h>

#include "lacuna-core.h"
#include "lacuna-image-view.h"
#include "lacuna-tag-inspector.h"
#include "lacuna-redaction-layer.h"
#include "lacuna-undo-stack.h"

G_BEGIN_DECLS

#define LACUNA_TYPE_WINDOW (lacuna_window_get_type ())
G_DECLARE_FINAL_TYPE (LacunaWindow, lacuna_window, LACUNA, WINDOW, AdwApplicationWindow)

LacunaWindow     *lacuna_window_new                 (GtkApplication   *application);

/* Opens files and folders (replacing what is open). */
void              lacuna_window_open_paths          (LacunaWindow     *self,
                                                     const char * const *paths);
void              lacuna_window_open_files          (LacunaWindow     *self,
                                                     GFile           **files,
                                                     guint             n_files);
/* Writes the sample study (once per process) and opens it. */
void              lacuna_window_open_sample         (LacunaWindow     *self);
/* The Open dialogs. */
void              lacuna_window_choose_files        (LacunaWindow     *self);
void              lacuna_window_choose_folder       (LacunaWindow     *self);

/* Shows an error in one place: a toast when recoverable, else a dialog. */
void              lacuna_window_show_error          (LacunaWindow     *self,
                                                     const char       *heading,
                                                     const GError     *error,
                                                     gboolean          recoverable);

/* State, for tests. */
gboolean          lacuna_window_get_loading         (LacunaWindow     *self);
/* The open collection, or NULL. */
LacunaCollection *lacuna_window_get_collection      (LacunaWindow     *self);
/* All series of the collection (empty while loading). */
GListModel       *lacuna_window_get_series_list     (LacunaWindow     *self);
void              lacuna_window_select_series       (LacunaWindow     *self,
                                                     guint             position);
LacunaSeries     *lacuna_window_get_selected_series (LacunaWindow     *self);
LacunaImageView  *lacuna_window_get_image_view      (LacunaWindow     *self);
/* The tag inspector (shown with win.show-inspector, Ctrl+I) and the decisions it edits. */
LacunaTagInspector *lacuna_window_get_tag_inspector (LacunaWindow   *self);
LacunaDecisions  *lacuna_window_get_decisions       (LacunaWindow     *self);
/* The redaction boxes over the image view (win.box-tool, win.add-box, win.show-result,
 * win.box-scope) and the undo stack of every decision (win.undo, win.redo). */
LacunaRedactionLayer *lacuna_window_get_redaction_layer (LacunaWindow *self);
LacunaUndoStack  *lacuna_window_get_undo_stack      (LacunaWindow     *self);
/* FALSE when decisions changed since the study was opened or last exported (win.export,
 * Ctrl+E; they are autosaved meanwhile). */
gboolean          lacuna_window_get_decisions_exported (LacunaWindow  *self);
/* "welcome" or "study". */
const char       *lacuna_window_get_page            (LacunaWindow     *self);

G_END_DECLS
