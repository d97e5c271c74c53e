/* lacuna-text-regions.h: where a frame may hold burned-in text (no OCR, no leptonica).
 *
 * Burned-in text sits at or near the brightest value of the frame and has the shape of a
 * line. The mask is every pixel whose display value reaches a fraction of the frame's
 * maximum (relative: the grey-200 line of a grey-235 annotation must not be lost), plus
 * saturated bright colour (an ultrasound's cyan "L" or yellow indices) when colour is
 * given. The mask is dilated by a small brick so that letters join into words, connected
 * components are labelled without recursion, and those with the shape of a text line are
 * kept (6–60 px high, not a single stroke much wider than high, light glyphs on a darker
 * surround); boxes on one line are merged.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  int   box[4];     /* x, y, width, height of the text line */
  guint n_glyphs;   /* connected components of the undilated mask inside */
} LacunaTextRegion;

typedef struct
{
  double threshold;   /* fraction of the frame's maximum, default 0.8 */
  int    min_height;  /* default 6 */
  int    max_height;  /* default 60 */
} LacunaTextRegionParams;

void    lacuna_text_region_params_init (LacunaTextRegionParams *params);

/* grey: width × height display values (rows stride apart). rgb (may be NULL): the same
 * frame as R, G, B bytes (rows rgb_stride apart), for saturated colour text. params NULL:
 * the defaults. Returns LacunaTextRegion in reading order (top to bottom, left to right).
 * out_mask_hash (may be NULL) receives a hash of the candidate mask inside the regions,
 * equal for frames whose candidate text pixels are equal. */
GArray *lacuna_text_regions_find       (const guint8                 *grey,
                                        guint                         width,
                                        guint                         height,
                                        gsize                         stride,
                                        const guint8                 *rgb,
                                        gsize                         rgb_stride,
                                        const LacunaTextRegionParams *params,
                                        guint64                      *out_mask_hash);

/* Number of pixels of the candidate mask (same rules as above) inside box: used by the
 * verification to tell that a redaction box holds no text-like pixels any more. */
guint   lacuna_text_regions_count_mask (const guint8                 *grey,
                                        guint                         width,
                                        guint                         height,
                                        gsize                         stride,
                                        const guint8                 *rgb,
                                        gsize                         rgb_stride,
                                        const LacunaTextRegionParams *params,
                                        const int                     box[4]);

/* The same for n_boxes boxes (n_boxes × {x, y, width, height}) at once: out_counts[i]
 * receives the count of boxes[i]. The frame's levels are computed once. */
void    lacuna_text_regions_count_mask_boxes (const guint8                 *grey,
                                              guint                         width,
                                              guint                         height,
                                              gsize                         stride,
                                              const guint8                 *rgb,
                                              gsize                         rgb_stride,
                                              const LacunaTextRegionParams *params,
                                              const int                    *boxes,
                                              guint                         n_boxes,
                                              guint                        *out_counts);

/* Internal: the finder on a candidate mask computed by the caller (grey frames), for the
 * verification, which builds the mask straight from the stored values and renders grey
 * only where the finder looks. */

/* The upper and lower display levels of the mask of a grey frame whose brightest display
 * value is max: the mask is 2 where the display value reaches high, 1 where it reaches low
 * (low ≤ high), 0 elsewhere. */
void    _lacuna_text_regions_levels    (guint8                        max,
                                        const LacunaTextRegionParams *params,
                                        int                          *out_high,
                                        int                          *out_low);

/* Asked before grey is read in [x0, x1) × [y0, y1) (clipped, not empty). */
typedef void (*LacunaTextRegionsEnsureFunc) (int      x0,
                                             int      y0,
                                             int      x1,
                                             int      y1,
                                             gpointer data);

/* lacuna_text_regions_find() of a grey frame (rgb NULL) whose candidate mask (width ×
 * height, rows width apart: 2, 1 or 0 as above) is given: the same regions and hash. grey
 * is read only where ensure (may be NULL: grey is complete) was asked for first. */
GArray *_lacuna_text_regions_find_in_mask (const guint8                 *grey,
                                           guint                         width,
                                           guint                         height,
                                           gsize                         stride,
                                           const guint8                 *mask,
                                           LacunaTextRegionsEnsureFunc   ensure,
                                           gpointer                      ensure_data,
                                           const LacunaTextRegionParams *params,
                                           guint64                      *out_mask_hash);

/* lacuna_text_regions_count_mask_boxes() on that mask: its set pixels in each box. */
void    _lacuna_text_regions_count_in_mask (const guint8 *mask,
                                            guint         width,
                                            guint         height,
                                            const int    *boxes,
                                            guint         n_boxes,
                                            guint        *out_counts);

G_END_DECLS
