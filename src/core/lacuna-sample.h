/* lacuna-sample.h: the bundled sample study, generated (never copied from anywhere).
 *
 * A CT phantom series (head with a face-like anterior surface, neck and trunk: air, skin,
 * fat, muscle, bone at plausible Hounsfield units), an ultrasound-like image with an
 * invented identity burned into the pixels, and a secondary capture; every file carries
 * invented identifying data across many attributes (names, IDs, dates, address, phone,
 * physicians, institution, device serial, a private block holding the name, a sequence
 * holding the ID). Deterministic: the same bytes every time, the DICOMDIR included.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LACUNA_SAMPLE_CT_SLICES 64

/* The invented identity (for tests that look for it). */
#define LACUNA_SAMPLE_PATIENT_NAME   "QUILLFEATHER^ROSALIND^MAE"
#define LACUNA_SAMPLE_PATIENT_ID     "LAC-58213-X"
#define LACUNA_SAMPLE_BIRTH_DATE     "19620314"

#define LACUNA_SAMPLE_PATIENT_SURNAME      "QUILLFEATHER"
#define LACUNA_SAMPLE_PATIENT_SEX          "F"
#define LACUNA_SAMPLE_PATIENT_AGE          "062Y"
#define LACUNA_SAMPLE_OTHER_PATIENT_ID     "WX-00771203"
#define LACUNA_SAMPLE_ISSUER_OF_ID         "ST ALDHELM MRN"
#define LACUNA_SAMPLE_PATIENT_ADDRESS      "17 Brönnimann Lane, Upper Wexcombe WX4 9QZ"
#define LACUNA_SAMPLE_PATIENT_PHONE        "+44 1632 960417"
#define LACUNA_SAMPLE_MOTHERS_BIRTH_NAME   "ABERNATHY^CLEMENTINE"
#define LACUNA_SAMPLE_REFERRING_PHYSICIAN  "HALVORSEN^EDMUND^J^DR"
#define LACUNA_SAMPLE_PERFORMING_PHYSICIAN "OKONKWO-BRIGHT^TAMSIN"
#define LACUNA_SAMPLE_READING_PHYSICIAN    "VASQUEZ-LIND^PETRA^^DR"
#define LACUNA_SAMPLE_OPERATOR             "FENWICK^ODA"
#define LACUNA_SAMPLE_INSTITUTION          "St Aldhelm Memorial Hospital"
#define LACUNA_SAMPLE_INSTITUTION_ADDRESS  "1 Infirmary Row, Upper Wexcombe WX1 2AA"
#define LACUNA_SAMPLE_DEPARTMENT           "Radiology, Wing C"
#define LACUNA_SAMPLE_DEVICE_SERIAL        "SN-4471-LAC-0912"
/* Two studies: the CT (with its dose report secondary capture) and the ultrasound. */
#define LACUNA_SAMPLE_CT_STUDY_DATE        "20240917"
#define LACUNA_SAMPLE_CT_ACCESSION         "A24091700417"
#define LACUNA_SAMPLE_US_STUDY_DATE        "20240919"
#define LACUNA_SAMPLE_US_ACCESSION         "A24091900652"
/* Private block: (0029,0010) holds the creator, (0029,1010) LO the patient's name. */
#define LACUNA_SAMPLE_PRIVATE_CREATOR      "LACUNA SAMPLE"

/* Burned into the ultrasound's pixels (top band, white on black): identifying lines ... */
#define LACUNA_SAMPLE_US_TEXT_NAME         "QUILLFEATHER, ROSALIND MAE"
#define LACUNA_SAMPLE_US_TEXT_ID           "ID LAC-58213-X  DOB 14/03/1962"
#define LACUNA_SAMPLE_US_TEXT_HOSPITAL     "ST ALDHELM MEMORIAL HOSPITAL"
#define LACUNA_SAMPLE_US_TEXT_DATE         "19/09/2024 14:32:08"
/* ... and clinical text that identifies nobody (left of the fan, and the depth). */
#define LACUNA_SAMPLE_US_TEXT_PROBE        "C5-2"
#define LACUNA_SAMPLE_US_TEXT_INDICES      "MI 0.8 TIS 0.4"
#define LACUNA_SAMPLE_US_TEXT_DEPTH        "12 cm"
#define LACUNA_SAMPLE_US_TEXT_MARKER       "L"
/* Height of the ultrasound's top band that holds the identifying text (pixels). */
#define LACUNA_SAMPLE_US_TEXT_BAND         56

/* The files, relative to the folder written (PS3.10 file IDs, '/' separated): the CT
 * slices LACUNA/CT/IM000001… (slice 1 at the vertex), LACUNA/SC/IM000001 (dose report),
 * LACUNA/US/IM000001, and DICOMDIR. */
#define LACUNA_SAMPLE_N_FILES              (LACUNA_SAMPLE_CT_SLICES + 2)

/* Writes the study into dir (created when absent): DICOM files in PS3.10 file-ID folders
 * and a DICOMDIR. Each file is written atomically. A dir holding anything but a previous
 * sample (entries other than LACUNA and DICOMDIR) is refused with G_IO_ERROR_EXISTS, so
 * no one's DICOMDIR is overwritten. */
gboolean lacuna_sample_write    (const char    *dir,
                                 GCancellable  *cancellable,
                                 GError       **error);

/* Writes the sample into a fresh private folder under the user's runtime or cache dir
 * (once per process) and returns that folder. */
char    *lacuna_sample_dup_path (GError       **error);

/* The file IDs written (NULL-terminated, static, DICOMDIR not included). */
const char * const *lacuna_sample_get_file_ids (void);

G_END_DECLS
