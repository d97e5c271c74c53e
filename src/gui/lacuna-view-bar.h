/* lacuna-view-bar.h: the controls under a LacunaImageView: cine play, a slice scale, zoom
 * out / level / in, and the window menu (presets for the image's modality, the file's own
 * windows, and the corner annotations). It runs the view's "view" actions. */
#pragma once

#include <gtk/gtk.h>

#include "lacuna-image-view.h"

G_BEGIN_DECLS

#define LACUNA_TYPE_VIEW_BAR (lacuna_view_bar_get_type ())
G_DECLARE_FINAL_TYPE (LacunaViewBar, lacuna_view_bar, LACUNA, VIEW_BAR, GtkWidget)

GtkWidget       *lacuna_view_bar_new      (LacunaImageView *view);
LacunaImageView *lacuna_view_bar_get_view (LacunaViewBar   *self);
void             lacuna_view_bar_set_view (LacunaViewBar   *self,
                                           LacunaImageView *view);
/* The window menu as shown now (for tests). */
GMenuModel      *lacuna_view_bar_get_window_menu (LacunaViewBar *self);

G_END_DECLS
