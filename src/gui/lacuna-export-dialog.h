/* lacuna-export-dialog.h: the Export window.
 *
 * Presets for the usual purposes, the PS3.15 options as switches (each with one plain
 * sentence), the destination (a folder, or a .zip), a summary of what will change, then a
 * progress bar with Cancel and, at the end, "Open Folder" and "View Report". The options
 * shown are the window's LacunaDecisions: a switch or preset changes them (so they are
 * autosaved and undoable like any decision). The run is lacuna_export_run() in a thread on
 * the same options a recipe holds (Save Recipe… writes them for `lacuna-cli clean
 * --recipe`; Load Recipe… replaces the decisions by a recipe).
 *
 * Actions (group "export"): export.start, export.cancel, export.open-folder,
 * export.view-report, export.save-recipe, export.load-recipe. */
#pragma once

#include <adwaita.h>

#include "lacuna-decisions.h"

G_BEGIN_DECLS

typedef enum
{
  LACUNA_EXPORT_PRESET_CUSTOM,
  LACUNA_EXPORT_PRESET_RESEARCH,        /* share with a researcher */
  LACUNA_EXPORT_PRESET_SECOND_OPINION,  /* send to a doctor for a second opinion */
  LACUNA_EXPORT_PRESET_TEACHING,        /* teaching file */
} LacunaExportPreset;

/* The options a preset selects (CUSTOM: NONE). Researcher and teaching file remove the
 * face from head scans; the second opinion keeps it. */
LacunaProfileOption lacuna_export_preset_get_options (LacunaExportPreset preset);

/* An option's switch title and its one plain sentence, as the dialog and Preferences show
 * them (translated, owned). The Clean Recognizable Visual Features option is shown as
 * "Remove the Face from Head Scans": the engine defaces (LacunaExportOptions.deface)
 * exactly when it is chosen, so one switch stands for both. */
char               *lacuna_export_option_dup_title       (LacunaProfileOption option);
char               *lacuna_export_option_dup_description (LacunaProfileOption option);

typedef enum
{
  LACUNA_EXPORT_DIALOG_READY,
  LACUNA_EXPORT_DIALOG_RUNNING,
  LACUNA_EXPORT_DIALOG_DONE,      /* ran; see get_error() for a run that could not happen */
} LacunaExportDialogState;

#define LACUNA_TYPE_EXPORT_DIALOG (lacuna_export_dialog_get_type ())
G_DECLARE_FINAL_TYPE (LacunaExportDialog, lacuna_export_dialog, LACUNA, EXPORT_DIALOG, AdwWindow)

/* inputs: the files of the open study (copied). */
LacunaExportDialog *lacuna_export_dialog_new             (GtkWindow           *parent,
                                                          LacunaDecisions     *decisions,
                                                          const char * const  *inputs);
void                lacuna_export_dialog_set_preset      (LacunaExportDialog  *self,
                                                          LacunaExportPreset   preset);
/* The folder to write (or, with zip, the .zip's path without ".zip"). */
void                lacuna_export_dialog_set_destination (LacunaExportDialog  *self,
                                                          const char          *path);
const char         *lacuna_export_dialog_get_destination (LacunaExportDialog  *self);
void                lacuna_export_dialog_set_zip         (LacunaExportDialog  *self,
                                                          gboolean             zip);
/* The switch of one option (for tests); for Clean Recognizable Visual Features, the
 * deface switch. */
GtkSwitch          *lacuna_export_dialog_get_switch      (LacunaExportDialog  *self,
                                                          LacunaProfileOption  option);
/* The summary text shown. */
const char         *lacuna_export_dialog_get_summary     (LacunaExportDialog  *self);
LacunaExportDialogState lacuna_export_dialog_get_state   (LacunaExportDialog  *self);
/* After a run: the error (NULL when it ran), counts, report path. */
const GError       *lacuna_export_dialog_get_error       (LacunaExportDialog  *self);
guint               lacuna_export_dialog_get_n_written   (LacunaExportDialog  *self);
guint               lacuna_export_dialog_get_n_failed    (LacunaExportDialog  *self);
const char         *lacuna_export_dialog_get_output      (LacunaExportDialog  *self);
const char         *lacuna_export_dialog_get_report_path (LacunaExportDialog  *self);
/* The run's messages (failures, files left out, warnings), or NULL. */
const char * const *lacuna_export_dialog_get_messages    (LacunaExportDialog  *self);

/* Signal "finished" (no arguments): a run ended (state DONE). */

G_END_DECLS
