/* lacuna-sample.h: the bundled sample study, generated (never copied from anywhere).
 *
 * A CT phantom series (head with a face-like anterior surface, neck and trunk: air, skin,
 * fat, muscle, bone at plausible Hounsfield units), an ultrasound-like image with an
 * invented identity burned into the pixels, and a secondary capture; every file carries
 * invented identifying data across many attributes (names, IDs, dates, address, phone,
 * physicians, institution, device serial, a private block holding the name, a sequence
 * holding the ID). Deterministic: the same bytes every time.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LACUNA_SAMPLE_CT_SLICES 64

/* The invented identity (for tests that look for it). */
#define LACUNA_SAMPLE_PATIENT_NAME   "QUILLFEATHER^ROSALIND^MAE"
#define LACUNA_SAMPLE_PATIENT_ID     "LAC-58213-X"
#define LACUNA_SAMPLE_BIRTH_DATE     "19620314"

/* Writes the study into dir (created when absent): DICOM files in PS3.10 file-ID folders
 * and a DICOMDIR. Each file is written atomically. */
gboolean lacuna_sample_write    (const char    *dir,
                                 GCancellable  *cancellable,
                                 GError       **error);

/* Writes the sample into a fresh private folder under the user's runtime or cache dir
 * (once per process) and returns that folder. */
char    *lacuna_sample_dup_path (GError       **error);

G_END_DECLS
