/* lacuna-iod-types.h: the Type (PS3.3: 1, 1C, 2, 2C, 3) of the attributes whose profile
 * action depends on it (Z, Z/D, X/Z, X/D, X/Z/D, X/Z/U*), in the IODs we know.
 *
 * A modest, honest table, not a PS3.3 implementation. It covers only top-level attributes
 * (depth 0) of these IOD families, as their modules define them (PS3.3 2024b):
 *
 *   image    CR, DX, MG, IO, CT, MR, US (single and multi-frame), NM, XA, XRF, Secondary
 *            Capture (all five), VL photographic/endoscopic/microscopic: Patient, General
 *            Study, General Series, General Equipment, General Image/Acquisition, General
 *            Reference, Contrast/Bolus, SOP Common
 *   pet      PET Image: as image, with PET Series (Series Date/Time Type 1) and PET Image
 *            (Acquisition Date/Time Type 2)
 *   enhanced Enhanced CT, MR, MR Color, PET, XA, XRF and the Legacy Converted Enhanced CT,
 *            MR, PET: Enhanced General Equipment (Device Serial Number Type 1),
 *            Multi-frame Functional Groups (Content Date/Time Type 1), Enhanced CT/MR/PET
 *            Image (Acquisition DateTime Type 1 or 1C)
 *   sr       every Structured Report storage class (1.2.840.10008.5.1.4.1.1.88.*):
 *            SR Document General (Content Date/Time Type 1)
 *   document Encapsulated PDF, CDA, STL, OBJ, MTL: Encapsulated Document (Content
 *            Date/Time and Acquisition DateTime Type 2)
 *   rt       RT Image, Dose, Structure Set, Plan, Treatment Records, Ion Plan: RT Series
 *            (Operators' Name Type 2), Structure Set (Date/Time Type 2), RT General Plan
 *            (Date/Time Type 2), Approval (Review Date/Time/Name Type 2C)
 *
 * Everything else (other SOP classes, attributes inside sequences, attributes not listed
 * for a family) is LACUNA_PROFILE_TYPE_UNKNOWN, for which lacuna_profile_resolve_type()
 * makes the conservative choice that keeps a dummy value where one may be required. */
#pragma once

#include <glib.h>

#include "lacuna-profile.h"

G_BEGIN_DECLS

typedef enum
{
  LACUNA_IOD_FAMILY_UNKNOWN = 0,
  LACUNA_IOD_FAMILY_IMAGE,
  LACUNA_IOD_FAMILY_PET,
  LACUNA_IOD_FAMILY_ENHANCED,
  LACUNA_IOD_FAMILY_SR,
  LACUNA_IOD_FAMILY_DOCUMENT,
  LACUNA_IOD_FAMILY_RT,
  LACUNA_IOD_N_FAMILIES
} LacunaIodFamily;

/* The family of a SOP Class UID (trailing spaces ignored); UNKNOWN for NULL or others. */
LacunaIodFamily            lacuna_iod_family_from_sop_class (const char *sop_class_uid);

/* The Type of the attribute tag at depth (0 = top level) in an instance of the SOP class;
 * UNKNOWN when not covered (see above). */
LacunaProfileAttributeType lacuna_iod_types_lookup          (const char *sop_class_uid,
                                                             guint32     tag,
                                                             guint       depth);

/* The same by family. */
LacunaProfileAttributeType lacuna_iod_types_lookup_family   (LacunaIodFamily family,
                                                             guint32         tag,
                                                             guint           depth);

G_END_DECLS
