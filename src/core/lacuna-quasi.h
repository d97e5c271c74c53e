/* lacuna-quasi.h: quasi-identifiers (INFERENCE.md F5) and their one-click coarsening.
 *
 * A quasi-identifier identifies nobody alone but narrows the patient down in combination:
 * exact age, age over 89, sex, size, weight (and the BMI computed from them), exact times,
 * rare device strings. Each one present in a file gives a finding (kind "quasi-identifier",
 * class stated; the BMI: class measured), whose values say whether it survives the export
 * with the chosen PS3.15 options ("survives") and, when it does, the coarsening: recipe
 * overrides in the recipe file's own shape, under "coarsen":
 *   [ {"path": "00101010", "action": "replace", "value": "065Y"}, … ]
 * that lacuna_quasi_add_coarsening() adds to LacunaDeidOptions (an override wins over the
 * profile). Nothing is offered for a value the profile removes anyway: an override there
 * would put back what the profile takes out.
 *
 * Coarsening, all DICOM-valid:
 *   Patient's Age (AS)  the lower bound of its 5-year band: "066Y" → "065Y" (65 to 69),
 *                       "045Y" → "045Y" (45 to 49: the value may look unchanged, its meaning
 *                       is the band); under one year (D, W, M) → "000Y" (0 to 4); 90 and
 *                       over → "090Y" (90+, the cap).
 *   Patient's Size (DS, m)    rounded to 0.1 m ("1.68" → "1.7"), capped at "2.0".
 *   Patient's Weight (DS, kg) rounded to 10 kg ("136" → "140"), capped at "150".
 *   Patient's Sex             emptied ("": unknown; the attribute is Type 2).
 *   Times (TM, DT)            emptied: the time of day is removed.
 *   Manufacturer (rare)       emptied (Type 2); Manufacturer's Model Name removed (Type 3).
 * A device string is "rare" when the Manufacturer is not one of the common manufacturers
 * of lacuna_quasi_manufacturer_is_common(): we hold no frequency data, so this is a short
 * list, not a statistic.
 */
#pragma once

#include <glib.h>

#include "lacuna-deid-options.h"
#include "lacuna-dicom.h"
#include "lacuna-finding.h"
#include "lacuna-profile.h"

G_BEGIN_DECLS

/* Parses an AS value ("066Y", "012M", "003W", "010D") into years; FALSE when invalid. */
gboolean   lacuna_quasi_parse_age             (const char *age,
                                               double     *out_years);
/* The coarsened AS value (see above), or NULL for an invalid AS. */
char      *lacuna_quasi_coarsen_age           (const char *age);
/* Rounded DS values (see above), or NULL when not one positive number. */
char      *lacuna_quasi_coarsen_size          (const char *size_m);
char      *lacuna_quasi_coarsen_weight        (const char *weight_kg);

gboolean   lacuna_quasi_manufacturer_is_common (const char *manufacturer);

/* TRUE when the element at path (its last tag) survives an export with these options
 * unchanged: the profile keeps it (K), cleans a time by keeping it (C on TM), or has no
 * row for it. */
gboolean   lacuna_quasi_survives              (const char          *path,
                                               const char          *vr,
                                               LacunaProfileOption  options);

/* The quasi-identifier findings of one file, in a stable order (age, sex, size, weight,
 * BMI, device strings, then every time in file order). Each finding's where is the tag
 * path; values: "keyword", "value" (as stored), "survives", "profile_action" (what the
 * chosen options do, X Z D K C or "none"), "coarsened" (the new value, or null when the
 * element is emptied/removed) and "coarsen" (the overrides, empty when it does not
 * survive). Age adds "years" and "over_89"; the BMI adds "bmi". Returns a new array of
 * LacunaFinding (owned). */
GPtrArray *lacuna_quasi_collect               (LacunaDicomFile     *file,
                                               LacunaProfileOption  options);

/* Adds the finding's "coarsen" overrides to options; returns how many were added. */
guint      lacuna_quasi_add_coarsening        (LacunaFinding       *finding,
                                               LacunaDeidOptions   *options);

G_END_DECLS
