/* lacuna-sample-private.h: the pieces of the sample study shared between its files.
 *
 * Geometry of the CT phantom, in the patient coordinate system (LPS, mm): x grows to the
 * patient's left, y to the posterior, z to the head. Slice k (0-based) is the axial plane
 * z = -(LACUNA_SAMPLE_CT_FIRST_DEPTH + k × LACUNA_SAMPLE_CT_SPACING): slice 0 cuts the
 * vertex, the last slices the upper chest. Pixel (column i, row j) of every slice sits at
 * x = LACUNA_SAMPLE_CT_ORIGIN + i × LACUNA_SAMPLE_CT_PIXEL, y = LACUNA_SAMPLE_CT_ORIGIN +
 * j × LACUNA_SAMPLE_CT_PIXEL.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define LACUNA_SAMPLE_CT_SIZE         256          /* rows = columns */
#define LACUNA_SAMPLE_CT_PIXEL        1.25         /* mm */
#define LACUNA_SAMPLE_CT_ORIGIN       (-0.5 * (LACUNA_SAMPLE_CT_SIZE - 1) * LACUNA_SAMPLE_CT_PIXEL)
#define LACUNA_SAMPLE_CT_SPACING      5.0          /* mm, = slice thickness */
#define LACUNA_SAMPLE_CT_FIRST_DEPTH  2.5          /* mm below the vertex */
#define LACUNA_SAMPLE_CT_INTERCEPT    (-1024)      /* stored value + intercept = HU */
#define LACUNA_SAMPLE_CT_BITS_STORED  12

#define LACUNA_SAMPLE_US_WIDTH        640
#define LACUNA_SAMPLE_US_HEIGHT       480
/* The fan's apex and depth scale (the Sequence of Ultrasound Regions says the same). */
#define LACUNA_SAMPLE_US_APEX_X       320
#define LACUNA_SAMPLE_US_APEX_Y       62
#define LACUNA_SAMPLE_US_CM_PER_PIXEL 0.03
#define LACUNA_SAMPLE_US_DEPTH_PIXELS 400          /* 12 cm */
#define LACUNA_SAMPLE_US_HALF_ANGLE   36.0         /* degrees */

#define LACUNA_SAMPLE_SC_SIZE         512

/* Fills out (SIZE × SIZE stored values, row-major) with axial slice index. */
void      _lacuna_sample_phantom_slice   (guint    index,
                                          guint16 *out);

/* Fills rgb (width × height × 3, interleaved) with the ultrasound fan (no text). */
void      _lacuna_sample_us_fan          (guint8  *rgb,
                                          guint    width,
                                          guint    height);

/* Draws the ultrasound's annotations (identity, clinical text, depth scale) onto rgb. */
gboolean  _lacuna_sample_us_annotate     (guint8  *rgb,
                                          guint    width,
                                          guint    height,
                                          GError **error);

/* Renders the secondary capture (a CT dose report screen) into rgb (SIZE × SIZE × 3). */
gboolean  _lacuna_sample_sc_render       (guint8  *rgb,
                                          guint    size,
                                          GError **error);

G_END_DECLS
