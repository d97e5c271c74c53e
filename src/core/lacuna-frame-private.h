/* lacuna-frame-private.h: internals of LacunaFrame exposed for tests. */
#pragma once

#include "lacuna-frame.h"

G_BEGIN_DECLS

/* The display byte (after VOI and presentation, before padding) of one modality value,
 * as the render functions compute it. */
guint8 _lacuna_frame_display_value (LacunaFrame *self,
                                    double       modality_value,
                                    double       center,
                                    double       width,
                                    gboolean     use_lut);

G_END_DECLS
