/* lacuna-window-private.h: LacunaWindow, shared by its source files
 * (lacuna-window.c: the shell; lacuna-window-load.c: opening and loading). */
#pragma once

#include "lacuna-window.h"
#include "lacuna-autosave.h"
#include "lacuna-tag-inspector.h"
#include "lacuna-findings-panel.h"
#include "lacuna-study-browser.h"
#include "lacuna-redaction-layer.h"

G_BEGIN_DECLS

struct _LacunaWindow
{
  AdwApplicationWindow  parent_instance;

  /* template */
  AdwToastOverlay      *toast_overlay;
  GtkToggleButton      *sidebar_button;
  AdwWindowTitle       *window_title;
  GtkStack             *main_stack;
  GtkRevealer          *load_revealer;
  GtkLabel             *load_label;
  GtkProgressBar       *load_progress;
  AdwFlap              *flap;
  GtkStack             *sidebar_stack;
  LacunaStudyBrowser   *study_browser;
  GtkListBox           *recent_list;    /* on the welcome page */
  LacunaImageView      *image_view;
  GtkLabel             *position_label;
  GtkToggleButton      *inspector_button;
  GtkPaned             *inspector_paned;
  LacunaTagInspector   *tag_inspector;
  gboolean              inspector_placed;  /* the paned's position was set once */
  /* A page of sidebar_stack ("findings"), shown with win.show-findings. */
  LacunaFindingsPanel  *findings_panel;

  /* What export will do (options, overrides); shown and changed in the tag inspector. */
  LacunaDecisions      *decisions;
  /* Redaction boxes over the image, and undo / redo of every decision
   * (lacuna-window-redact.c). */
  LacunaRedactionLayer *redaction_layer;
  GtkToggleButton      *box_tool_button;
  GtkToggleButton      *show_result_button;
  LacunaUndoStack      *undo_stack;

  GtkSingleSelection   *selection;
  LacunaCollection     *collection;
  GListModel           *series_list;
  /* The series of the first image, shown while loading (its UID). */
  char                 *first_series_uid;
  /* What the open in progress will add to the private recent list (NULL: nothing). */
  GStrv                 recent_paths;

  LacunaLoader         *loader;          /* the load in progress */
  GCancellable         *load_cancellable;
  guint                 load_serial;     /* bumped by every open and cancel */
  guint                 progress_id;
  gboolean              preparing;       /* writing the sample study */

  GtkNativeDialog      *chooser;
  GSettings            *settings;        /* NULL when the schema is not installed */

  /* lacuna-window-export.c: the decisions saved per study. */
  LacunaAutosave       *autosave;
};

/* lacuna-window.c */
void _lacuna_window_report_problems    (LacunaWindow *self);
void _lacuna_window_show_nothing_found (LacunaWindow *self);

/* lacuna-window-redact.c */
void _lacuna_window_class_init_redaction (GtkWidgetClass *widget_class);
void _lacuna_window_init_redaction       (LacunaWindow   *self);

/* lacuna-window-findings.c: shows an image finding (its series, instance and frame) and
 * turns a proposed burned-in box into a redaction box, selected. */
void _lacuna_window_show_finding_region (LacunaWindow  *self,
                                         LacunaFinding *finding);
/* Every proposed burned-in box of the findings panel becomes a redaction box (one undo
 * step). */
void _lacuna_window_box_proposed        (LacunaWindow  *self);

/* lacuna-window-export.c */
void _lacuna_window_class_init_export (GtkWidgetClass *widget_class);
void _lacuna_window_init_export       (LacunaWindow   *self);

/* lacuna-window-load.c */
void _lacuna_window_show_page          (LacunaWindow *self,
                                        const char   *name);
void _lacuna_window_stop_load          (LacunaWindow *self);
void _lacuna_window_clear_study        (LacunaWindow *self);
void _lacuna_window_update_recents   (LacunaWindow *self);
void _lacuna_window_cancel_load_action (GtkWidget    *widget,
                                        const char   *action_name,
                                        GVariant     *parameter);

G_END_DECLS
