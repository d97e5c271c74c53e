/* lacuna-view-state.h: how the image view shows its series (Papers' PpsDocumentModel).
 *
 * The state is the model the image view and every control around it bind to: the slice
 * shown, the zoom and pan, the window (brightness and contrast) and which overlays are
 * visible. Layers drawn over the image (corner annotations, redaction boxes) read it and
 * map coordinates with lacuna_image_view_widget_to_image() / _image_to_widget().
 *
 * Units:
 * - zoom: device pixels per image pixel (1.0 is "1:1": one image pixel per screen pixel,
 *   also on a HiDPI screen);
 * - center-x/center-y: the image point (in image pixels, 0,0 the top left corner of the
 *   first pixel) shown at the centre of the view;
 * - window-center/window-width: modality values (Hounsfield units for CT), applied with
 *   the DICOM VOI function of the file (linear by default, PS3.3 C.11.2.1.2).
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  LACUNA_FIT_MODE_NONE,   /* zoom and centre as set */
  LACUNA_FIT_MODE_BEST,   /* the whole image, as large as fits; the view keeps zoom up to date */
} LacunaFitMode;

#define LACUNA_TYPE_FIT_MODE (lacuna_fit_mode_get_type ())
GType lacuna_fit_mode_get_type (void);

/* Window presets. Besides the CT presets below, the view understands: */
#define LACUNA_WINDOW_PRESET_DEFAULT    "default"     /* each image's own (its file's first) */
#define LACUNA_WINDOW_PRESET_FULL_RANGE "full-range"  /* the range of values of each image */
#define LACUNA_WINDOW_PRESET_CUSTOM     "custom"      /* set by dragging: kept across slices */
/* "file-N": the Nth (0-based) Window Center/Width pair of each image's file. */
#define LACUNA_WINDOW_PRESET_FILE_PREFIX "file-"

typedef struct
{
  const char *id;         /* "ct-brain" */
  const char *label;      /* translatable (N_), for menus: "Brain" */
  double      center;     /* Hounsfield units */
  double      width;
} LacunaWindowPreset;

/* The CT presets (brain, lung, bone, abdomen, soft tissue), in menu order. */
const LacunaWindowPreset *lacuna_window_preset_get_ct (guint *out_n);
/* NULL unless id names a CT preset. */
const LacunaWindowPreset *lacuna_window_preset_lookup (const char *id);

#define LACUNA_VIEW_STATE_MIN_ZOOM 0.001
#define LACUNA_VIEW_STATE_MAX_ZOOM 64.0

#define LACUNA_TYPE_VIEW_STATE (lacuna_view_state_get_type ())
G_DECLARE_FINAL_TYPE (LacunaViewState, lacuna_view_state, LACUNA, VIEW_STATE, GObject)

LacunaViewState *lacuna_view_state_new               (void);

/* Back to the first slice, best fit, each image's own window, not playing. Overlay
 * visibility is kept. */
void             lacuna_view_state_reset             (LacunaViewState *self);

/* 0-based position in the flat list of frames of the series; n-positions is set by the
 * view (position is clamped to it). */
guint            lacuna_view_state_get_position      (LacunaViewState *self);
void             lacuna_view_state_set_position      (LacunaViewState *self,
                                                      guint            position);
guint            lacuna_view_state_get_n_positions   (LacunaViewState *self);
void             lacuna_view_state_set_n_positions   (LacunaViewState *self,
                                                      guint            n_positions);

/* Clamped to [LACUNA_VIEW_STATE_MIN_ZOOM, LACUNA_VIEW_STATE_MAX_ZOOM]. Setting the zoom does
 * not change the fit mode (the view sets it while fitting); the view's zoom actions set
 * LACUNA_FIT_MODE_NONE first. */
double           lacuna_view_state_get_zoom          (LacunaViewState *self);
void             lacuna_view_state_set_zoom          (LacunaViewState *self,
                                                      double           zoom);
LacunaFitMode    lacuna_view_state_get_fit_mode      (LacunaViewState *self);
void             lacuna_view_state_set_fit_mode      (LacunaViewState *self,
                                                      LacunaFitMode    fit_mode);
void             lacuna_view_state_get_center        (LacunaViewState *self,
                                                      double          *out_x,
                                                      double          *out_y);
void             lacuna_view_state_set_center        (LacunaViewState *self,
                                                      double           x,
                                                      double           y);

/* The window in use; with a frame-dependent preset the view keeps it up to date. */
double           lacuna_view_state_get_window_center (LacunaViewState *self);
double           lacuna_view_state_get_window_width  (LacunaViewState *self);
/* Sets the values without changing the preset (what the view does). */
void             lacuna_view_state_set_window        (LacunaViewState *self,
                                                      double           center,
                                                      double           width);
/* Sets the values and the preset "custom" (what dragging does). width is at least 1. */
void             lacuna_view_state_set_custom_window (LacunaViewState *self,
                                                      double           center,
                                                      double           width);
const char      *lacuna_view_state_get_window_preset (LacunaViewState *self);
/* A CT preset also sets the values; the others are resolved per image by the view. */
void             lacuna_view_state_set_window_preset (LacunaViewState *self,
                                                      const char      *preset);

gboolean         lacuna_view_state_get_show_annotations (LacunaViewState *self);
void             lacuna_view_state_set_show_annotations (LacunaViewState *self,
                                                         gboolean         show);

/* Cine: the view moves through the positions at frame-rate (frames per second) while
 * playing, and starts over after the last one. */
gboolean         lacuna_view_state_get_playing       (LacunaViewState *self);
void             lacuna_view_state_set_playing       (LacunaViewState *self,
                                                      gboolean         playing);
double           lacuna_view_state_get_frame_rate    (LacunaViewState *self);
void             lacuna_view_state_set_frame_rate    (LacunaViewState *self,
                                                      double           frame_rate);

G_END_DECLS
