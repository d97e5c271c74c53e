/* lacuna-iod-types.c: the compact Type table described in lacuna-iod-types.h. */

#define G_LOG_DOMAIN "lacuna-iod-types"

#include "config.h"

#include <string.h>

#include "lacuna-iod-types.h"

#define SOP_ROOT "1.2.840.10008.5.1.4.1.1."

typedef struct
{
  const char      *uid_suffix;   /* after SOP_ROOT */
  gboolean         prefix;       /* the suffix is a prefix ("88." covers all SR classes) */
  LacunaIodFamily  family;
} SopClassFamily;

static const SopClassFamily sop_classes[] = {
  { "1",         FALSE, LACUNA_IOD_FAMILY_IMAGE },     /* CR */
  { "1.1",       FALSE, LACUNA_IOD_FAMILY_IMAGE },     /* DX presentation */
  { "1.1.1",     FALSE, LACUNA_IOD_FAMILY_IMAGE },     /* DX processing */
  { "1.2",       FALSE, LACUNA_IOD_FAMILY_IMAGE },     /* MG presentation */
  { "1.2.1",     FALSE, LACUNA_IOD_FAMILY_IMAGE },     /* MG processing */
  { "1.3",       FALSE, LACUNA_IOD_FAMILY_IMAGE },     /* IO presentation */
  { "1.3.1",     FALSE, LACUNA_IOD_FAMILY_IMAGE },     /* IO processing */
  { "2",         FALSE, LACUNA_IOD_FAMILY_IMAGE },     /* CT */
  { "2.1",       FALSE, LACUNA_IOD_FAMILY_ENHANCED },  /* Enhanced CT */
  { "2.2",       FALSE, LACUNA_IOD_FAMILY_ENHANCED },  /* Legacy Converted Enhanced CT */
  { "3.1",       FALSE, LACUNA_IOD_FAMILY_IMAGE },     /* US multi-frame */
  { "4",         FALSE, LACUNA_IOD_FAMILY_IMAGE },     /* MR */
  { "4.1",       FALSE, LACUNA_IOD_FAMILY_ENHANCED },  /* Enhanced MR */
  { "4.3",       FALSE, LACUNA_IOD_FAMILY_ENHANCED },  /* Enhanced MR Color */
  { "4.4",       FALSE, LACUNA_IOD_FAMILY_ENHANCED },  /* Legacy Converted Enhanced MR */
  { "6.1",       FALSE, LACUNA_IOD_FAMILY_IMAGE },     /* US */
  { "7",         FALSE, LACUNA_IOD_FAMILY_IMAGE },     /* SC */
  { "7.1",       FALSE, LACUNA_IOD_FAMILY_IMAGE },     /* MF SC single bit */
  { "7.2",       FALSE, LACUNA_IOD_FAMILY_IMAGE },     /* MF SC grayscale byte */
  { "7.3",       FALSE, LACUNA_IOD_FAMILY_IMAGE },     /* MF SC grayscale word */
  { "7.4",       FALSE, LACUNA_IOD_FAMILY_IMAGE },     /* MF SC true colour */
  { "12.1",      FALSE, LACUNA_IOD_FAMILY_IMAGE },     /* XA */
  { "12.1.1",    FALSE, LACUNA_IOD_FAMILY_ENHANCED },  /* Enhanced XA */
  { "12.2",      FALSE, LACUNA_IOD_FAMILY_IMAGE },     /* XRF */
  { "12.2.1",    FALSE, LACUNA_IOD_FAMILY_ENHANCED },  /* Enhanced XRF */
  { "20",        FALSE, LACUNA_IOD_FAMILY_IMAGE },     /* NM */
  { "77.1.1",    FALSE, LACUNA_IOD_FAMILY_IMAGE },     /* VL endoscopic */
  { "77.1.2",    FALSE, LACUNA_IOD_FAMILY_IMAGE },     /* VL microscopic */
  { "77.1.4",    FALSE, LACUNA_IOD_FAMILY_IMAGE },     /* VL photographic */
  { "88.",       TRUE,  LACUNA_IOD_FAMILY_SR },        /* all SR classes */
  { "104.",      TRUE,  LACUNA_IOD_FAMILY_DOCUMENT },  /* encapsulated PDF, CDA, STL, … */
  { "128",       FALSE, LACUNA_IOD_FAMILY_PET },       /* PET */
  { "128.1",     FALSE, LACUNA_IOD_FAMILY_ENHANCED },  /* Legacy Converted Enhanced PET */
  { "130",       FALSE, LACUNA_IOD_FAMILY_ENHANCED },  /* Enhanced PET */
  { "481.",      TRUE,  LACUNA_IOD_FAMILY_RT },        /* RT Image, Dose, Structure Set, … */
};

#define U_ LACUNA_PROFILE_TYPE_UNKNOWN
#define T1 LACUNA_PROFILE_TYPE_1
#define T1C LACUNA_PROFILE_TYPE_1C
#define T2 LACUNA_PROFILE_TYPE_2
#define T2C LACUNA_PROFILE_TYPE_2C
#define T3 LACUNA_PROFILE_TYPE_3

typedef struct
{
  guint32                    tag;
  /* indexed by LacunaIodFamily - 1: image, pet, enhanced, sr, document, rt */
  LacunaProfileAttributeType type[LACUNA_IOD_N_FAMILIES - 1];
} TypeRow;

/* Sorted by tag. */
static const TypeRow rows[] = {
  /*                           image pet  enh  sr   doc  rt */
  { 0x00080012 /* InstanceCreationDate */,   { T3,  T3,  T3,  T3,  T3,  T3  } },
  { 0x00080013 /* InstanceCreationTime */,   { T3,  T3,  T3,  T3,  T3,  T3  } },
  { 0x00080020 /* StudyDate */,              { T2,  T2,  T2,  T2,  T2,  T2  } },
  { 0x00080021 /* SeriesDate */,             { T3,  T1,  T3,  T3,  U_,  T3  } },
  { 0x00080022 /* AcquisitionDate */,        { T3,  T2,  U_,  U_,  U_,  U_  } },
  { 0x00080023 /* ContentDate */,            { T2C, T2C, T1,  T1,  T2,  U_  } },
  { 0x0008002A /* AcquisitionDateTime */,    { T3,  T3,  T1C, U_,  T2,  U_  } },
  { 0x00080030 /* StudyTime */,              { T2,  T2,  T2,  T2,  T2,  T2  } },
  { 0x00080031 /* SeriesTime */,             { T3,  T1,  T3,  T3,  U_,  T3  } },
  { 0x00080032 /* AcquisitionTime */,        { T3,  T2,  U_,  U_,  U_,  U_  } },
  { 0x00080033 /* ContentTime */,            { T2C, T2C, T1,  T1,  T2,  U_  } },
  { 0x00080050 /* AccessionNumber */,        { T2,  T2,  T2,  T2,  T2,  T2  } },
  { 0x00080080 /* InstitutionName */,        { T3,  T3,  T3,  T3,  T3,  T3  } },
  { 0x00080090 /* ReferringPhysicianName */, { T2,  T2,  T2,  T2,  T2,  T2  } },
  { 0x00081010 /* StationName */,            { T3,  T3,  T3,  T3,  T3,  T3  } },
  { 0x00081070 /* OperatorsName */,          { T3,  T3,  T3,  U_,  U_,  T2  } },
  { 0x00081110 /* ReferencedStudySequence */,{ T3,  T3,  T3,  T3,  T3,  T3  } },
  { 0x00081140 /* ReferencedImageSequence */,{ T3,  U_,  U_,  U_,  U_,  U_  } },
  { 0x00082112 /* SourceImageSequence */,    { T3,  U_,  U_,  U_,  U_,  U_  } },
  { 0x00100010 /* PatientName */,            { T2,  T2,  T2,  T2,  T2,  T2  } },
  { 0x00100020 /* PatientID */,              { T2,  T2,  T2,  T2,  T2,  T2  } },
  { 0x00100030 /* PatientBirthDate */,       { T2,  T2,  T2,  T2,  T2,  T2  } },
  { 0x00100040 /* PatientSex */,             { T2,  T2,  T2,  T2,  T2,  T2  } },
  { 0x00180010 /* ContrastBolusAgent */,     { T2,  T2,  U_,  U_,  U_,  U_  } },
  { 0x00181000 /* DeviceSerialNumber */,     { T3,  T3,  T1,  T3,  T3,  T3  } },
  { 0x00181030 /* ProtocolName */,           { T3,  T3,  U_,  U_,  U_,  U_  } },
  { 0x00200010 /* StudyID */,                { T2,  T2,  T2,  T2,  T2,  T2  } },
  { 0x30060008 /* StructureSetDate */,       { U_,  U_,  U_,  U_,  U_,  T2  } },
  { 0x30060009 /* StructureSetTime */,       { U_,  U_,  U_,  U_,  U_,  T2  } },
  { 0x300A0006 /* RTPlanDate */,             { U_,  U_,  U_,  U_,  U_,  T2  } },
  { 0x300A0007 /* RTPlanTime */,             { U_,  U_,  U_,  U_,  U_,  T2  } },
  { 0x300E0004 /* ReviewDate */,             { U_,  U_,  U_,  U_,  U_,  T2C } },
  { 0x300E0005 /* ReviewTime */,             { U_,  U_,  U_,  U_,  U_,  T2C } },
  { 0x300E0008 /* ReviewerName */,           { U_,  U_,  U_,  U_,  U_,  T2C } },
};

LacunaIodFamily
lacuna_iod_family_from_sop_class (const char *sop_class_uid)
{
  g_autofree char *uid = NULL;
  const char *suffix;

  if (sop_class_uid == NULL)
    return LACUNA_IOD_FAMILY_UNKNOWN;
  uid = g_strchomp (g_strdup (sop_class_uid));
  if (!g_str_has_prefix (uid, SOP_ROOT))
    return LACUNA_IOD_FAMILY_UNKNOWN;
  suffix = uid + strlen (SOP_ROOT);

  for (guint i = 0; i < G_N_ELEMENTS (sop_classes); i++)
    {
      const SopClassFamily *c = &sop_classes[i];

      if (c->prefix ? g_str_has_prefix (suffix, c->uid_suffix)
                    : strcmp (suffix, c->uid_suffix) == 0)
        return c->family;
    }
  return LACUNA_IOD_FAMILY_UNKNOWN;
}

LacunaProfileAttributeType
lacuna_iod_types_lookup_family (LacunaIodFamily family,
                                guint32         tag,
                                guint           depth)
{
  guint lo = 0, hi = G_N_ELEMENTS (rows);

  if (depth != 0 || family <= LACUNA_IOD_FAMILY_UNKNOWN || family >= LACUNA_IOD_N_FAMILIES)
    return LACUNA_PROFILE_TYPE_UNKNOWN;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (rows[mid].tag == tag)
        return rows[mid].type[family - 1];
      if (rows[mid].tag < tag)
        lo = mid + 1;
      else
        hi = mid;
    }
  return LACUNA_PROFILE_TYPE_UNKNOWN;
}

LacunaProfileAttributeType
lacuna_iod_types_lookup (const char *sop_class_uid,
                         guint32     tag,
                         guint       depth)
{
  return lacuna_iod_types_lookup_family (lacuna_iod_family_from_sop_class (sop_class_uid),
                                         tag, depth);
}
