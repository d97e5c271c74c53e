/* lacuna-bodycomp.h: body composition on one axial CT slice (INFERENCE.md F6).
 *
 * Evidence class: Measured. Deterministic, from Hounsfield units only; no model.
 *
 * Method (values are rounded to the nearest integer HU first; Pixel Padding is air):
 *   1. Body mask: the largest 4-connected region of pixels above −500 HU (ties: the first in
 *      raster order), with its holes filled (a hole is a pixel outside the region that
 *      cannot reach the image border by a 4-connected path outside the region: bowel gas,
 *      lung).
 *   2. Adipose tissue: body pixels from −190 to −30 HU inclusive. Muscle-density tissue: body
 *      pixels from −29 to 150 HU inclusive. This includes organs (liver, bowel wall,
 *      kidneys) unless the muscle wall is outlined: it is NOT skeletal muscle.
 *   3. Subcutaneous versus inner fat, a ring heuristic by rays: from the body's centroid,
 *      720 rays (every 0.5°) walk inward from outside the image; past the body's edge and a
 *      3 mm skin zone (at least one pixel: skin has muscle density), the first
 *      muscle-density pixel gives the wall radius of that direction. The radii are
 *      median-filtered over ±5°, so that a narrow gap in the wall (the linea alba, a fat
 *      plane between muscles) does not let one ray run deep, and lowered by 0.75 pixel.
 *      Adipose pixels at or beyond the wall radius of their direction are subcutaneous; the
 *      others are "inner" (visceral and intermuscular fat together). Wide gaps, and bodies
 *      far from convex, make the split approximate.
 *   4. Muscle ring: muscle-density pixels at the wall radius, grown through muscle-density
 *      pixels up to 40 mm (city-block). It approximates the abdominal wall and back muscles
 *      plus whatever organ touches them; it is used only to suggest a slice.
 *   Area = pixel count × row spacing × column spacing (Pixel Spacing, mm²), given in cm².
 *   Index = area / height² (cm²/m²) when Patient's Size (metres) is present.
 *
 * Automatic slice suggestion (lacuna_bodycomp_suggest_slice): there is no vertebra
 * detection. A slice is "lumbar-like" when at most 1 cm² of its bone (≥ 300 HU) lies in the
 * lateral thirds of the body's width: ribs and the iliac wings put bone there, a lumbar
 * vertebra does not (arms beside the trunk defeat this rule). The suggestion is, within the
 * middle third of the longest run of consecutive lumbar-like slices (about L2 to L4; all
 * slices when there is no such run), the slice with the largest muscle-ring area. On the
 * TotalSegmentator abdomen/pelvis example (L3 at about instances 72-82) this picks a slice
 * in L3. It is a suggestion for the user to confirm, not a level: the finding says which
 * instance was used and that it was chosen automatically.
 */
#pragma once

#include <gio/gio.h>

#include "lacuna-finding.h"
#include "lacuna-frame.h"
#include "lacuna-series.h"

G_BEGIN_DECLS

/* Windows (HU, inclusive) and the mask threshold. */
#define LACUNA_BODYCOMP_BODY_THRESHOLD  (-500)
#define LACUNA_BODYCOMP_ADIPOSE_MIN     (-190)
#define LACUNA_BODYCOMP_ADIPOSE_MAX     (-30)
#define LACUNA_BODYCOMP_MUSCLE_MIN      (-29)
#define LACUNA_BODYCOMP_MUSCLE_MAX      150
#define LACUNA_BODYCOMP_BONE_MIN        300

/* One label per pixel. */
typedef enum
{
  LACUNA_BODYCOMP_LABEL_OUTSIDE = 0,
  LACUNA_BODYCOMP_LABEL_BODY,               /* in the body, in neither window */
  LACUNA_BODYCOMP_LABEL_SUBCUTANEOUS_FAT,
  LACUNA_BODYCOMP_LABEL_INNER_FAT,
  LACUNA_BODYCOMP_LABEL_MUSCLE_RING,        /* muscle-density, in the ring */
  LACUNA_BODYCOMP_LABEL_MUSCLE_OTHER,       /* muscle-density, elsewhere (organs…) */
} LacunaBodyCompLabel;

typedef struct
{
  guint    width;
  guint    height;
  double   row_spacing;        /* mm */
  double   column_spacing;     /* mm */
  /* Pixel counts. muscle = ring + other; adipose = subcutaneous + inner. */
  guint    n_body;
  guint    n_adipose;
  guint    n_subcutaneous;
  guint    n_inner;
  guint    n_muscle;
  guint    n_muscle_ring;
  guint    n_bone_lateral;     /* bone pixels in the lateral thirds (slice suggestion) */
  /* Areas in cm². */
  double   body_cm2;
  double   adipose_cm2;
  double   subcutaneous_cm2;
  double   inner_cm2;
  double   muscle_cm2;
  double   muscle_ring_cm2;
  /* width × height LacunaBodyCompLabel values, row-major (for an overlay). */
  guint8  *labels;
} LacunaBodyComp;

void            lacuna_bodycomp_free            (LacunaBodyComp *bc);

/* Measures HU values (row-major, width × height; NAN marks padding). spacing in mm, > 0.
 * G_IO_ERROR_INVALID_ARGUMENT for bad sizes or spacing. A slice without any body gives a
 * result with zero areas (not an error). */
LacunaBodyComp *lacuna_bodycomp_measure_values  (const float    *hu,
                                                 guint           width,
                                                 guint           height,
                                                 double          row_spacing,
                                                 double          column_spacing,
                                                 GError        **error);

/* Measures frame 0 of a CT file: Modality must be CT (else G_IO_ERROR_NOT_SUPPORTED), with
 * Pixel Spacing (else G_IO_ERROR_INVALID_DATA naming the attribute) and grey pixels. */
LacunaBodyComp *lacuna_bodycomp_measure_file    (LacunaDicomFile *file,
                                                 GError         **error);

/* TRUE when the series is CT whose Body Part Examined names the abdomen, pelvis or trunk
 * (ABDOMEN, ABDOMENPELVIS, PELVIS, CHESTABDOMEN, CHESTABDPELVIS, TORSO, WHOLEBODY, L-SPINE,
 * LSPINE, …), or CT without a Body Part Examined (the caller then keeps the result only
 * when the body is large enough: see lacuna_bodycomp_is_trunk_sized). FALSE for other CT
 * (head, neck, limbs) and for other modalities. */
gboolean        lacuna_bodycomp_series_applies  (LacunaSeries   *series);

/* Measures frame 0 of the instance's file (opened again with lacuna_instance_open()); errors
 * as lacuna_bodycomp_measure_file(). */
LacunaBodyComp *lacuna_bodycomp_measure_instance (LacunaInstance *instance,
                                                  GError        **error);

/* The label mask (bc->labels), pixel by pixel: the label of (x, y), OUTSIDE beyond the
 * slice; and how many pixels carry a label (n_body counts every label but OUTSIDE). */
LacunaBodyCompLabel lacuna_bodycomp_get_label   (const LacunaBodyComp *bc,
                                                 guint                 x,
                                                 guint                 y);
guint           lacuna_bodycomp_count_label     (const LacunaBodyComp *bc,
                                                 LacunaBodyCompLabel   label);

/* TRUE when the body area is at least 250 cm² (a trunk rather than a head or a limb). */
gboolean        lacuna_bodycomp_is_trunk_sized  (const LacunaBodyComp *bc);

/* Measures every slice of the series (frame 0 of each instance with pixels) and returns the
 * suggested instance (see above), with its measurement in *out_result (may be NULL).
 * NULL + error when no slice can be measured; G_IO_ERROR_CANCELLED when cancelled. */
LacunaInstance *lacuna_bodycomp_suggest_slice   (LacunaSeries    *series,
                                                 LacunaBodyComp **out_result,
                                                 GCancellable    *cancellable,
                                                 GError         **error);

/* The finding: kind "body-composition", class measured, status cannot-be-removed, where =
 * the instance (frame 1), values:
 *   "instance" (Instance Number or null), "sop", "suggested" (TRUE when chosen
 *   automatically), "pixel_spacing_mm": [row, column], "body_cm2", "adipose_cm2",
 *   "subcutaneous_adipose_cm2", "inner_adipose_cm2", "muscle_cm2", "muscle_ring_cm2",
 *   "windows": {"adipose": [-190, -30], "muscle": [-29, 150]}, "method" (text),
 *   "caveat" (text) and, when patient_size_m > 0, "height_m", "adipose_index_cm2_m2",
 *   "subcutaneous_adipose_index_cm2_m2", "inner_adipose_index_cm2_m2",
 *   "muscle_index_cm2_m2". */
LacunaFinding  *lacuna_bodycomp_to_finding      (const LacunaBodyComp *bc,
                                                 LacunaInstance       *instance,
                                                 double                patient_size_m,
                                                 gboolean              suggested);

/* The caveat sentence (translated). */
const char     *lacuna_bodycomp_get_caveat      (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LacunaBodyComp, lacuna_bodycomp_free)

G_END_DECLS
