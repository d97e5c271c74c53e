/* lacuna-uid-map.c: keyed UIDs (2.25 + UUIDv8 from HMAC-SHA-256) and the input UID set. */

#define G_LOG_DOMAIN "lacuna-uid-map"

#include "config.h"

#include <string.h>

#include "lacuna-uid-map.h"

/* 128-bit unsigned big-endian bytes → decimal, by repeated division by 10 (no __int128
 * needed; 16 bytes, at most 39 digits). */
static char *
u128_to_decimal (const guint8 in[16])
{
  guint8 n[16];
  char digits[48];
  int len = 0;
  gboolean zero;

  memcpy (n, in, sizeof n);
  do
    {
      guint rem = 0;

      zero = TRUE;
      for (int i = 0; i < 16; i++)
        {
          guint cur = (rem << 8) | n[i];

          n[i] = (guint8) (cur / 10);
          rem = cur % 10;
          if (n[i] != 0)
            zero = FALSE;
        }
      digits[len++] = (char) ('0' + rem);
    }
  while (!zero);

  {
    char *out = g_malloc (len + 1);

    for (int i = 0; i < len; i++)
      out[i] = digits[len - 1 - i];
    out[len] = '\0';
    return out;
  }
}

char *
lacuna_uid_map_dup_keyed (LacunaKey  *key,
                          const char *uid)
{
  guint8 mac[32];
  gsize len;
  g_autofree char *decimal = NULL;

  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (uid != NULL, NULL);

  len = strlen (uid);
  while (len > 0 && (uid[len - 1] == ' ' || uid[len - 1] == '\0'))
    len--;
  lacuna_key_hmac (key, uid, len, mac);
  mac[6] = (mac[6] & 0x0F) | 0x80;
  mac[8] = (mac[8] & 0x3F) | 0x80;
  decimal = u128_to_decimal (mac);
  return g_strconcat ("2.25.", decimal, NULL);
}

gboolean
lacuna_uid_is_valid (const char *uid)
{
  gsize len;
  const char *p;

  if (uid == NULL)
    return FALSE;
  len = strlen (uid);
  if (len == 0 || len > 64)
    return FALSE;

  p = uid;
  while (*p != '\0')
    {
      const char *start = p;

      while (g_ascii_isdigit (*p))
        p++;
      if (p == start)
        return FALSE;                       /* empty component */
      if (*start == '0' && p - start > 1)
        return FALSE;                       /* leading zero */
      if (*p == '.')
        {
          p++;
          if (*p == '\0')
            return FALSE;                   /* trailing dot */
        }
      else if (*p != '\0')
        return FALSE;
    }
  return TRUE;
}

GHashTable *
lacuna_uid_set_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/* Attributes whose value is the identity of something a file defines (an instance, a
 * series, a study, a frame of reference, …), as opposed to a reference to something. */
static gboolean
is_identity_attribute (guint32 tag)
{
  switch (tag)
    {
    case 0x00020003:   /* Media Storage SOP Instance UID */
    case 0x00080014:   /* Instance Creator UID */
    case 0x00080017:   /* Acquisition UID */
    case 0x00080018:   /* SOP Instance UID */
    case 0x00080019:   /* Pyramid UID */
    case 0x00083010:   /* Irradiation Event UID */
    case 0x0020000D:   /* Study Instance UID */
    case 0x0020000E:   /* Series Instance UID */
    case 0x00200052:   /* Frame of Reference UID */
    case 0x00200200:   /* Synchronization Frame of Reference UID */
    case 0x00209161:   /* Concatenation UID */
    case 0x00209164:   /* Dimension Organization UID */
    case 0x00400554:   /* Specimen UID */
    case 0x0040A124:   /* UID (SR observation / content) */
    case 0x0040DB0C:   /* Template Extension Creator UID */
    case 0x00620021:   /* Tracking UID */
    case 0x0070031A:   /* Fiducial UID */
    case 0x00880140:   /* Storage Media File-set UID */
    case 0x30060024:   /* Referenced Frame of Reference UID: a frame of reference of the set */
    case 0x300600C2:   /* Related Frame of Reference UID */
      return TRUE;
    default:
      return FALSE;
    }
}

/* Only the values collect_cb reads. */
static gboolean
want_uid (guint32     tag,
          const char *vr,
          gpointer    user_data)
{
  return strcmp (vr, "UI") == 0 && is_identity_attribute (tag);
}

static LacunaDicomWalkResult
collect_cb (const LacunaDicomElement *element,
            gpointer                  user_data)
{
  GHashTable *set = user_data;

  if (element->value != NULL && strcmp (element->vr, "UI") == 0 &&
      is_identity_attribute (element->tag))
    {
      g_auto(GStrv) values = g_strsplit (element->value, "\\", -1);

      for (char **v = values; *v != NULL; v++)
        {
          g_strstrip (*v);
          if (**v != '\0' && !g_hash_table_contains (set, *v))
            g_hash_table_add (set, g_strdup (*v));
        }
    }
  return LACUNA_DICOM_WALK_CONTINUE;
}

void
lacuna_uid_set_collect (GHashTable      *set,
                        LacunaDicomFile *file)
{
  g_return_if_fail (set != NULL);
  g_return_if_fail (file != NULL);

  lacuna_dicom_file_walk_some (file, LACUNA_DICOM_WALK_META | LACUNA_DICOM_WALK_TEXT_ONLY |
                                 LACUNA_DICOM_WALK_NO_VM,
                               want_uid, collect_cb, set);
}
