/* lacuna-image-view-private.h: LacunaImageView, shared by its source files
 * (lacuna-image-view.c: model, rendering, drawing; -cache.c: decoding in workers and the
 * bounded cache; -zoom.c: zoom, pan and coordinates; -input.c: gestures, actions, keys,
 * cine). */
#pragma once

#include "lacuna-image-view.h"

G_BEGIN_DECLS

typedef struct
{
  LacunaInstance *instance;   /* borrowed from the model */
  guint           frame;
} Slice;

/* Shared with the decoding threads; outlives the view while jobs run. */
typedef struct _LacunaImageViewShared LacunaImageViewShared;

typedef enum
{
  DRAG_NONE,
  DRAG_WINDOW,
  DRAG_PAN,
} DragMode;

struct _LacunaImageView
{
  GtkWidget              parent_instance;

  LacunaViewState       *state;
  GSimpleActionGroup    *actions;

  GListModel            *model;
  GArray                *slices;             /* of Slice */
  GHashTable            *first_positions;    /* instance → its first position + 1 */

  /* What is shown. */
  guint                  shown_position;     /* G_MAXUINT: nothing yet */
  LacunaFrame           *frame;
  GHashTable            *attributes;         /* keyword → value, of the shown frame's file */
  cairo_surface_t       *surface;            /* the frame, windowed */
  cairo_surface_t       *spares[4];          /* the ones shown before, newest first, for reuse */
  /* The frame about to be shown, windowed by a decoding thread (-cache.c), and its window. */
  cairo_surface_t       *ready_surface;
  LacunaFrame           *ready_frame;        /* borrowed: only compared */
  double                 ready_center;
  double                 ready_width;
  gboolean               ready_uses_lut;
  double                 surface_center;
  double                 surface_width;
  gboolean               surface_uses_lut;
  GError                *error;
  guint                  shown_serial;       /* bumped when something new is shown */
  guint                  painted_serial;     /* the last one drawn by snapshot */
  guint                  announced_serial;   /* the last one "frame-shown" was emitted for */
  gulong                 after_paint_id;
  GdkFrameClock         *frame_clock;

  /* Decoding and cache (-cache.c). */
  LacunaImageViewShared *shared;
  GHashTable            *cache;              /* position → CacheEntry */
  GHashTable            *pending;            /* positions queued for decoding */
  gsize                  cache_size;
  gsize                  cache_limit;
  int                    direction;          /* +1 or -1: the last move */

  /* Input (-input.c). */
  double                 scroll_delta;
  double                 pointer_x;
  double                 pointer_y;
  gboolean               pointer_inside;
  DragMode               drag_mode;
  double                 drag_start_a;       /* window centre, or centre x */
  double                 drag_start_b;       /* window width, or centre y */
  gboolean               drag_moved;
  double                 pinch_start_zoom;
  guint                  tick_id;
  gint64                 cine_last_time;

  guint                  busy : 1;
  guint                  resolving : 1;      /* writing a per-image window into the state */
};

/* lacuna-image-view.c */
void             _lacuna_image_view_show_frame      (LacunaImageView *self,
                                                     guint            position,
                                                     LacunaFrame     *frame,
                                                     GHashTable      *attributes,
                                                     const GError    *error);
void             _lacuna_image_view_set_busy        (LacunaImageView *self,
                                                     gboolean         busy);
void             _lacuna_image_view_update_actions  (LacunaImageView *self);
gboolean         _lacuna_image_view_window_for_frame (LacunaFrame    *frame,
                                                      const char     *preset,
                                                      double          state_center,
                                                      double          state_width,
                                                      double         *out_center,
                                                      double         *out_width,
                                                      gboolean       *out_uses_lut);

/* lacuna-image-view-cache.c */
LacunaImageViewShared *_lacuna_image_view_shared_new    (LacunaImageView *self);
void             _lacuna_image_view_shared_release  (LacunaImageViewShared *shared);
void             _lacuna_image_view_cache_init      (LacunaImageView *self);
void             _lacuna_image_view_cache_drop_stale_windowed (LacunaImageView *self);
/* Forgets everything (model changed): running jobs are ignored. */
void             _lacuna_image_view_cache_clear     (LacunaImageView *self);
/* Shows the current position from the cache, or asks for it; then decodes ahead. */
void             _lacuna_image_view_cache_request   (LacunaImageView *self);
void             _lacuna_image_view_cache_stop      (LacunaImageView *self);
/* The model now lists some of the same slices at other positions (self->slices and
 * self->first_positions are new, old_slices the former ones): moves the decoded frames and
 * the requests in flight along; the others are forgotten. */
void             _lacuna_image_view_cache_remap     (LacunaImageView *self,
                                                     GArray          *old_slices);
/* Stores a frame decoded elsewhere for position (NULL frame: error). */
void             _lacuna_image_view_cache_insert    (LacunaImageView *self,
                                                     guint            position,
                                                     LacunaFrame     *frame,
                                                     GHashTable      *attributes,
                                                     const GError    *error);
/* The position of (instance, frame) in the model, or G_MAXUINT. */
guint            _lacuna_image_view_find_position   (LacunaImageView *self,
                                                     LacunaInstance  *instance,
                                                     guint            frame);

/* lacuna-image-view-zoom.c */
/* Recomputes the zoom for best fit and clamps the centre; call after size or image change. */
void             _lacuna_image_view_update_fit      (LacunaImageView *self);
/* The image's top-left corner in widget coordinates and the logical scale. */
gboolean         _lacuna_image_view_get_placement   (LacunaImageView *self,
                                                     double          *out_x,
                                                     double          *out_y,
                                                     double          *out_scale);
void             _lacuna_image_view_zoom_by         (LacunaImageView *self,
                                                     double           factor,
                                                     gboolean         at_pointer);
void             _lacuna_image_view_zoom_best_fit   (LacunaImageView *self);
void             _lacuna_image_view_zoom_original   (LacunaImageView *self);

/* lacuna-image-view-input.c */
void             _lacuna_image_view_input_init      (LacunaImageView *self);
void             _lacuna_image_view_input_class_init (GtkWidgetClass *widget_class);
void             _lacuna_image_view_cine_update     (LacunaImageView *self);
void             _lacuna_image_view_input_dispose   (LacunaImageView *self);

G_END_DECLS
