/* lacuna-instance.c: one indexed DICOM object.
 *
 * Memory: an instance is made once, on a worker thread, and never changes afterwards (so any
 * thread may read it). Its own strings (where it came from, its SOP Instance UID) live in one
 * allocation ("blob"); the strings a series has in common (its UIDs, the patient's, the
 * study's, the transfer syntax) in one block shared by every instance that has the same ones
 * (a reference-counted pool), so an instance takes about 250 bytes, where a copy of those
 * strings in each would add about 300 more.
 */
#define G_LOG_DOMAIN "lacuna-instance"

#include "config.h"

#include <string.h>
#include <math.h>

#include <archive.h>
#include <archive_entry.h>

#include "lacuna-error.h"
#include "lacuna-instance.h"

/* Longest value kept for any one string (UIDs are ≤ 64, names and descriptions ≤ 64
 * characters; a malformed file must not make an instance large). */
#define MAX_VALUE_BYTES 1024

/* The instance's own strings first (N_OWN), then those shared with its series. */
typedef enum
{
  FIELD_SOURCE,
  FIELD_ARCHIVE_MEMBER,
  FIELD_SOP_INSTANCE_UID,
  N_OWN,
  FIELD_SOP_CLASS_UID = N_OWN,
  FIELD_SERIES_UID,
  FIELD_STUDY_UID,
  FIELD_FRAME_OF_REFERENCE_UID,
  FIELD_TRANSFER_SYNTAX,
  FIELD_PATIENT_ID,
  FIELD_PATIENT_NAME,
  FIELD_STUDY_DATE,
  FIELD_STUDY_DESCRIPTION,
  FIELD_SERIES_DESCRIPTION,
  FIELD_MODALITY,
  N_FIELDS
} Field;

#define N_SHARED (N_FIELDS - N_OWN)

/* N_SHARED NUL-terminated strings, in the pool while an instance holds it. */
typedef struct
{
  gint     ref_count;
  guint    hash;
  guint32  size;
  guint32  offsets[N_SHARED];
  char     data[];
} SharedStrings;

struct _LacunaInstance
{
  GObject  parent_instance;

  char          *blob;           /* N_OWN NUL-terminated strings */
  guint32        offsets[N_OWN];
  SharedStrings *shared;

  double   position[3];
  double   orientation[6];
  int      series_number;        /* G_MININT when absent */
  int      instance_number;      /* G_MININT when absent */
  guint    rows;
  guint    columns;
  guint    n_frames;

  guint    has_pixels : 1;
  guint    has_position : 1;
  guint    has_orientation : 1;
  guint    has_archive_member : 1;
};

G_DEFINE_FINAL_TYPE (LacunaInstance, lacuna_instance, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SOURCE,
  PROP_ARCHIVE_MEMBER,
  PROP_SOP_INSTANCE_UID,
  PROP_SERIES_UID,
  PROP_STUDY_UID,
  PROP_MODALITY,
  PROP_INSTANCE_NUMBER,
  PROP_HAS_PIXELS,
  PROP_N_FRAMES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static inline const char *
field (LacunaInstance *self,
       Field           f)
{
  if (f < N_OWN)
    return self->blob + self->offsets[f];
  return self->shared->data + self->shared->offsets[f - N_OWN];
}

/* ---------------------------------------------------------------------------------------- */
/* The pool of shared strings                                                               */

G_LOCK_DEFINE_STATIC (shared_pool);
static GHashTable *shared_pool;   /* SharedStrings → itself */

static guint
shared_hash (gconstpointer p)
{
  return ((const SharedStrings *) p)->hash;
}

static gboolean
shared_equal (gconstpointer a,
              gconstpointer b)
{
  const SharedStrings *x = a, *y = b;

  return x->size == y->size && memcmp (x->data, y->data, x->size) == 0;
}

/* The pooled block holding values (N_SHARED strings; each freed), with a reference. */
static SharedStrings *
shared_strings_take (char **values)
{
  SharedStrings *block, *pooled;
  gsize size = 0;
  guint hash = 5381;

  for (guint i = 0; i < N_SHARED; i++)
    size += strlen (values[i]) + 1;
  block = g_malloc (sizeof (SharedStrings) + size);
  block->ref_count = 1;
  block->size = (guint32) size;
  size = 0;
  for (guint i = 0; i < N_SHARED; i++)
    {
      gsize len = strlen (values[i]) + 1;

      block->offsets[i] = (guint32) size;
      memcpy (block->data + size, values[i], len);
      size += len;
      g_clear_pointer (&values[i], g_free);
    }
  for (gsize i = 0; i < size; i++)
    hash = hash * 33 + (guchar) block->data[i];
  block->hash = hash;

  G_LOCK (shared_pool);
  if (shared_pool == NULL)
    shared_pool = g_hash_table_new (shared_hash, shared_equal);
  pooled = g_hash_table_lookup (shared_pool, block);
  if (pooled != NULL)
    {
      pooled->ref_count++;
      G_UNLOCK (shared_pool);
      g_free (block);
      return pooled;
    }
  g_hash_table_add (shared_pool, block);
  G_UNLOCK (shared_pool);
  return block;
}

static void
shared_strings_release (SharedStrings *block)
{
  G_LOCK (shared_pool);
  if (--block->ref_count > 0)
    block = NULL;
  else
    g_hash_table_remove (shared_pool, block);
  G_UNLOCK (shared_pool);
  g_free (block);
}

static void
lacuna_instance_finalize (GObject *object)
{
  LacunaInstance *self = LACUNA_INSTANCE (object);

  g_clear_pointer (&self->blob, g_free);
  g_clear_pointer (&self->shared, shared_strings_release);

  G_OBJECT_CLASS (lacuna_instance_parent_class)->finalize (object);
}

static void
lacuna_instance_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  LacunaInstance *self = LACUNA_INSTANCE (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      g_value_set_string (value, lacuna_instance_get_source (self));
      break;
    case PROP_ARCHIVE_MEMBER:
      g_value_set_string (value, lacuna_instance_get_archive_member (self));
      break;
    case PROP_SOP_INSTANCE_UID:
      g_value_set_string (value, lacuna_instance_get_sop_instance_uid (self));
      break;
    case PROP_SERIES_UID:
      g_value_set_string (value, lacuna_instance_get_series_uid (self));
      break;
    case PROP_STUDY_UID:
      g_value_set_string (value, lacuna_instance_get_study_uid (self));
      break;
    case PROP_MODALITY:
      g_value_set_string (value, lacuna_instance_get_modality (self));
      break;
    case PROP_INSTANCE_NUMBER:
      g_value_set_int (value, self->instance_number);
      break;
    case PROP_HAS_PIXELS:
      g_value_set_boolean (value, self->has_pixels);
      break;
    case PROP_N_FRAMES:
      g_value_set_uint (value, self->n_frames);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lacuna_instance_class_init (LacunaInstanceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lacuna_instance_finalize;
  object_class->get_property = lacuna_instance_get_property;

  properties[PROP_SOURCE] =
    g_param_spec_string ("source", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ARCHIVE_MEMBER] =
    g_param_spec_string ("archive-member", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SOP_INSTANCE_UID] =
    g_param_spec_string ("sop-instance-uid", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SERIES_UID] =
    g_param_spec_string ("series-uid", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STUDY_UID] =
    g_param_spec_string ("study-uid", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_MODALITY] =
    g_param_spec_string ("modality", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_INSTANCE_NUMBER] =
    g_param_spec_int ("instance-number", NULL, NULL, G_MININT, G_MAXINT, G_MININT,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_HAS_PIXELS] =
    g_param_spec_boolean ("has-pixels", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_FRAMES] =
    g_param_spec_uint ("n-frames", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lacuna_instance_init (LacunaInstance *self)
{
  self->series_number = G_MININT;
  self->instance_number = G_MININT;
}

/* ---------------------------------------------------------------------------------------- */
/* Reading the header                                                                       */

/* A header string (taken) as UTF-8, at most MAX_VALUE_BYTES (cut at a character
 * boundary), "" when absent or binary (NULL). */
static char *
clean_string (char *value)
{
  if (value == NULL)
    return g_strdup ("");
  if (!g_utf8_validate (value, -1, NULL))
    {
      char *valid = g_utf8_make_valid (value, -1);

      g_free (value);
      value = valid;
    }
  if (strlen (value) > MAX_VALUE_BYTES)
    {
      char *end = g_utf8_find_prev_char (value, value + MAX_VALUE_BYTES + 1);

      *end = '\0';
    }
  return value;
}

/* An IS value ("12", " 12 ") as int; FALSE when absent (NULL) or not a number. */
static gboolean
parse_int (const char *text,
           int        *out_value)
{
  g_autofree char *value = g_strdup (text);
  gint64 number;
  char *end;

  if (value == NULL)
    return FALSE;
  g_strstrip (value);
  if (*value == '\0')
    return FALSE;
  number = g_ascii_strtoll (value, &end, 10);
  /* Several values ("1\2"): take the first. */
  if (end == value || (*end != '\0' && *end != '\\'))
    return FALSE;
  if (number < G_MININT + 1 || number > G_MAXINT)
    return FALSE;
  *out_value = (int) number;
  return TRUE;
}

/* A US value (Rows, Columns); 0 when absent. */
static guint
read_uint (LacunaDicomFile *file,
           const char      *path)
{
  double value;

  if (!lacuna_dicom_file_get_number (file, path, 0, &value, NULL))
    return 0;
  if (!(value >= 0 && value <= G_MAXUINT))
    return 0;
  return (guint) value;
}

/* A DS value of exactly n numbers ("a\b\c") into out; FALSE when absent, not n values,
 * or not all finite numbers. */
gboolean
_lacuna_parse_ds (const char *text,
                  double     *out,
                  guint       n)
{
  g_auto(GStrv) parts = NULL;
  guint i;

  if (text == NULL)
    return FALSE;
  parts = g_strsplit (text, "\\", -1);
  if (g_strv_length (parts) != n)
    return FALSE;
  for (i = 0; i < n; i++)
    {
      char *start = g_strstrip (parts[i]);
      char *end;

      if (*start == '\0')
        return FALSE;
      out[i] = g_ascii_strtod (start, &end);
      if (*end != '\0' || !isfinite (out[i]))
        return FALSE;
    }
  return TRUE;
}

static gboolean
read_ds (LacunaDicomFile *file,
         const char      *path,
         double          *out,
         guint            n)
{
  g_autofree char *value = lacuna_dicom_file_dup_string (file, path, NULL);

  return _lacuna_parse_ds (value, out, n);
}

/* Row and column direction cosines that are usable: both non-zero and not parallel. */
static gboolean
orientation_is_usable (const double o[6])
{
  double n[3];

  n[0] = o[1] * o[5] - o[2] * o[4];
  n[1] = o[2] * o[3] - o[0] * o[5];
  n[2] = o[0] * o[4] - o[1] * o[3];
  return sqrt (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]) > 1e-6;
}

/* Does the object carry an image? A full open shows Pixel Data (or Float / Double Float
 * Pixel Data) itself. A header-only open does not: the shim stops *before* (7FE0,0010)
 * (DCMTK's loadFileUntilTag does not keep the stop element; checked on the shared CT
 * files), so its presence is not visible there. Then an image is recognised by Rows,
 * Columns and Bits Allocated all being present at the top level, which the Image Pixel
 * module requires and non-image objects (SR, presentation states, RT plans, DICOMDIRs,
 * pydicom's pixel-less TINY_ALPHA objects) do not have. A header that has them but whose
 * Pixel Data is missing is caught when the frame is decoded (NO_PIXELS). */
static gboolean
detect_pixels (LacunaDicomFile *file)
{
  if (lacuna_dicom_file_has (file, "7FE00010") ||
      lacuna_dicom_file_has (file, "7FE00008") ||
      lacuna_dicom_file_has (file, "7FE00009"))
    return TRUE;
  return lacuna_dicom_file_has (file, "00280010") &&
         lacuna_dicom_file_has (file, "00280011") &&
         lacuna_dicom_file_has (file, "00280100");
}

/* The top-level attributes read into an instance. */
enum
{
  TOP_SOP_CLASS_UID,
  TOP_SOP_INSTANCE_UID,
  TOP_SERIES_UID,
  TOP_STUDY_UID,
  TOP_FRAME_OF_REFERENCE_UID,
  TOP_PATIENT_ID,
  TOP_PATIENT_NAME,
  TOP_STUDY_DATE,
  TOP_STUDY_DESCRIPTION,
  TOP_SERIES_DESCRIPTION,
  TOP_MODALITY,
  TOP_SERIES_NUMBER,
  TOP_INSTANCE_NUMBER,
  TOP_NUMBER_OF_FRAMES,
  TOP_POSITION,
  TOP_ORIENTATION,
  N_TOP
};

static const guint32 top_tags[N_TOP] = {
  0x00080016, 0x00080018, 0x0020000E, 0x0020000D, 0x00200052, 0x00100020, 0x00100010,
  0x00080020, 0x00081030, 0x0008103E, 0x00080060, 0x00200011, 0x00200013, 0x00280008,
  0x00200032, 0x00200037,
};

LacunaInstance *
lacuna_instance_new_from_file (LacunaDicomFile *file,
                               const char      *source,
                               const char      *archive_member)
{
  LacunaInstance *self;
  char *values[N_FIELDS] = { NULL, };   /* each freed once copied into the blob */
  char *top[N_TOP];
  const char *transfer_syntax;
  gsize total = 0;
  int number;
  guint i;

  g_return_val_if_fail (file != NULL, NULL);
  g_return_val_if_fail (source != NULL, NULL);

  self = g_object_new (LACUNA_TYPE_INSTANCE, NULL);

  transfer_syntax = lacuna_dicom_file_get_transfer_syntax (file);

  /* The top-level strings in one pass over the dataset. */
  lacuna_dicom_file_dup_top_strings (file, top_tags, N_TOP, top);
  values[FIELD_SOURCE] = g_strdup (source);
  values[FIELD_ARCHIVE_MEMBER] = g_strdup (archive_member ? archive_member : "");
  values[FIELD_SOP_CLASS_UID] = clean_string (g_steal_pointer (&top[TOP_SOP_CLASS_UID]));
  values[FIELD_SOP_INSTANCE_UID] = clean_string (g_steal_pointer (&top[TOP_SOP_INSTANCE_UID]));
  values[FIELD_SERIES_UID] = clean_string (g_steal_pointer (&top[TOP_SERIES_UID]));
  values[FIELD_STUDY_UID] = clean_string (g_steal_pointer (&top[TOP_STUDY_UID]));
  values[FIELD_FRAME_OF_REFERENCE_UID] =
    clean_string (g_steal_pointer (&top[TOP_FRAME_OF_REFERENCE_UID]));
  values[FIELD_TRANSFER_SYNTAX] = g_strdup (transfer_syntax ? transfer_syntax : "");
  values[FIELD_PATIENT_ID] = clean_string (g_steal_pointer (&top[TOP_PATIENT_ID]));
  values[FIELD_PATIENT_NAME] = clean_string (g_steal_pointer (&top[TOP_PATIENT_NAME]));
  values[FIELD_STUDY_DATE] = clean_string (g_steal_pointer (&top[TOP_STUDY_DATE]));
  values[FIELD_STUDY_DESCRIPTION] = clean_string (g_steal_pointer (&top[TOP_STUDY_DESCRIPTION]));
  values[FIELD_SERIES_DESCRIPTION] =
    clean_string (g_steal_pointer (&top[TOP_SERIES_DESCRIPTION]));
  values[FIELD_MODALITY] = clean_string (g_steal_pointer (&top[TOP_MODALITY]));

  for (i = 0; i < N_OWN; i++)
    total += strlen (values[i]) + 1;
  self->blob = g_malloc (total);
  total = 0;
  for (i = 0; i < N_OWN; i++)
    {
      gsize len = strlen (values[i]) + 1;

      self->offsets[i] = (guint32) total;
      memcpy (self->blob + total, values[i], len);
      total += len;
      g_clear_pointer (&values[i], g_free);
    }
  self->shared = shared_strings_take (values + N_OWN);
  self->has_archive_member = archive_member != NULL;

  if (parse_int (top[TOP_SERIES_NUMBER], &number))
    self->series_number = number;
  if (parse_int (top[TOP_INSTANCE_NUMBER], &number))
    self->instance_number = number;

  self->has_pixels = detect_pixels (file);
  if (self->has_pixels)
    {
      self->rows = read_uint (file, "00280010");
      self->columns = read_uint (file, "00280011");
      self->n_frames = 1;
      if (parse_int (top[TOP_NUMBER_OF_FRAMES], &number) && number > 0)
        self->n_frames = (guint) number;
    }

  /* Geometry: the top-level attributes, or for enhanced multi-frame objects the shared
   * functional groups (orientation) and the first frame's (position). */
  self->has_position = _lacuna_parse_ds (top[TOP_POSITION], self->position, 3) ||
                       read_ds (file, "52009229/0/00209113/0/00200032", self->position, 3) ||
                       read_ds (file, "52009230/0/00209113/0/00200032", self->position, 3);
  self->has_orientation = _lacuna_parse_ds (top[TOP_ORIENTATION], self->orientation, 6) ||
                          read_ds (file, "52009229/0/00209116/0/00200037", self->orientation, 6) ||
                          read_ds (file, "52009230/0/00209116/0/00200037", self->orientation, 6);
  if (self->has_orientation && !orientation_is_usable (self->orientation))
    self->has_orientation = FALSE;

  for (i = 0; i < N_TOP; i++)
    g_free (top[i]);
  return self;
}

/* ---------------------------------------------------------------------------------------- */
/* Accessors                                                                                */

const char *
lacuna_instance_get_source (LacunaInstance *self)
{
  g_return_val_if_fail (LACUNA_IS_INSTANCE (self), NULL);
  return field (self, FIELD_SOURCE);
}

const char *
lacuna_instance_get_archive_member (LacunaInstance *self)
{
  g_return_val_if_fail (LACUNA_IS_INSTANCE (self), NULL);
  return self->has_archive_member ? field (self, FIELD_ARCHIVE_MEMBER) : NULL;
}

char *
lacuna_instance_dup_display_name (LacunaInstance *self)
{
  g_autofree char *base = NULL;

  g_return_val_if_fail (LACUNA_IS_INSTANCE (self), NULL);

  base = g_path_get_basename (field (self, FIELD_SOURCE));
  if (!self->has_archive_member)
    return g_steal_pointer (&base);
  return g_strdup_printf ("%s › %s", base, field (self, FIELD_ARCHIVE_MEMBER));
}

#define DEFINE_STRING_GETTER(name, f)                     \
  const char *                                            \
  lacuna_instance_get_##name (LacunaInstance *self)       \
  {                                                       \
    g_return_val_if_fail (LACUNA_IS_INSTANCE (self), ""); \
    return field (self, f);                               \
  }

DEFINE_STRING_GETTER (sop_class_uid, FIELD_SOP_CLASS_UID)
DEFINE_STRING_GETTER (sop_instance_uid, FIELD_SOP_INSTANCE_UID)
DEFINE_STRING_GETTER (series_uid, FIELD_SERIES_UID)
DEFINE_STRING_GETTER (study_uid, FIELD_STUDY_UID)
DEFINE_STRING_GETTER (frame_of_reference_uid, FIELD_FRAME_OF_REFERENCE_UID)
DEFINE_STRING_GETTER (transfer_syntax, FIELD_TRANSFER_SYNTAX)
DEFINE_STRING_GETTER (patient_id, FIELD_PATIENT_ID)
DEFINE_STRING_GETTER (patient_name, FIELD_PATIENT_NAME)
DEFINE_STRING_GETTER (study_date, FIELD_STUDY_DATE)
DEFINE_STRING_GETTER (study_description, FIELD_STUDY_DESCRIPTION)
DEFINE_STRING_GETTER (series_description, FIELD_SERIES_DESCRIPTION)
DEFINE_STRING_GETTER (modality, FIELD_MODALITY)

#undef DEFINE_STRING_GETTER

int
lacuna_instance_get_series_number (LacunaInstance *self)
{
  g_return_val_if_fail (LACUNA_IS_INSTANCE (self), G_MININT);
  return self->series_number;
}

int
lacuna_instance_get_instance_number (LacunaInstance *self)
{
  g_return_val_if_fail (LACUNA_IS_INSTANCE (self), G_MININT);
  return self->instance_number;
}

gboolean
lacuna_instance_has_pixels (LacunaInstance *self)
{
  g_return_val_if_fail (LACUNA_IS_INSTANCE (self), FALSE);
  return self->has_pixels;
}

guint
lacuna_instance_get_n_frames (LacunaInstance *self)
{
  g_return_val_if_fail (LACUNA_IS_INSTANCE (self), 0);
  return self->n_frames;
}

guint
lacuna_instance_get_rows (LacunaInstance *self)
{
  g_return_val_if_fail (LACUNA_IS_INSTANCE (self), 0);
  return self->rows;
}

guint
lacuna_instance_get_columns (LacunaInstance *self)
{
  g_return_val_if_fail (LACUNA_IS_INSTANCE (self), 0);
  return self->columns;
}

gboolean
lacuna_instance_get_position (LacunaInstance *self,
                              double          out_position[3])
{
  g_return_val_if_fail (LACUNA_IS_INSTANCE (self), FALSE);

  if (!self->has_position)
    return FALSE;
  if (out_position != NULL)
    memcpy (out_position, self->position, sizeof self->position);
  return TRUE;
}

gboolean
lacuna_instance_get_orientation (LacunaInstance *self,
                                 double          out_orientation[6])
{
  g_return_val_if_fail (LACUNA_IS_INSTANCE (self), FALSE);

  if (!self->has_orientation)
    return FALSE;
  if (out_orientation != NULL)
    memcpy (out_orientation, self->orientation, sizeof self->orientation);
  return TRUE;
}

gboolean
lacuna_instance_get_normal (LacunaInstance *self,
                            double          out_normal[3])
{
  const double *o;
  double n[3], len;

  g_return_val_if_fail (LACUNA_IS_INSTANCE (self), FALSE);

  if (!self->has_orientation)
    return FALSE;
  o = self->orientation;
  n[0] = o[1] * o[5] - o[2] * o[4];
  n[1] = o[2] * o[3] - o[0] * o[5];
  n[2] = o[0] * o[4] - o[1] * o[3];
  len = sqrt (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
  out_normal[0] = n[0] / len;
  out_normal[1] = n[1] / len;
  out_normal[2] = n[2] / len;
  return TRUE;
}

/* ---------------------------------------------------------------------------------------- */
/* Opening again                                                                            */

GBytes *
_lacuna_archive_read_member (const char    *archive_path,
                             const char    *member,
                             GCancellable  *cancellable,
                             GError       **error)
{
  struct archive *a = archive_read_new ();
  struct archive_entry *entry;
  GBytes *result = NULL;
  int r;

  archive_read_support_format_zip (a);
  if (archive_read_open_filename (a, archive_path, 64 * 1024) != ARCHIVE_OK)
    {
      g_set_error (error, LACUNA_LOAD_ERROR, LACUNA_LOAD_ERROR_ARCHIVE,
                   "Cannot read the archive: %s", archive_error_string (a));
      archive_read_free (a);
      return NULL;
    }

  while ((r = archive_read_next_header (a, &entry)) == ARCHIVE_OK ||
         r == ARCHIVE_WARN)
    {
      const char *name = archive_entry_pathname (entry);
      la_int64_t size;
      GByteArray *data;
      la_ssize_t n;
      guint8 buffer[64 * 1024];

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        break;
      if (name == NULL || strcmp (name, member) != 0 ||
          archive_entry_filetype (entry) != AE_IFREG)
        continue;

      size = archive_entry_size_is_set (entry) ? archive_entry_size (entry) : 0;
      if (size < 0 || size > G_MAXINT)
        {
          g_set_error (error, LACUNA_LOAD_ERROR, LACUNA_LOAD_ERROR_ARCHIVE,
                       "The archive member is too large");
          break;
        }
      data = g_byte_array_sized_new ((guint) size);
      while ((n = archive_read_data (a, buffer, sizeof buffer)) > 0)
        {
          if (data->len + (gsize) n > G_MAXINT)
            {
              n = -1;
              break;
            }
          g_byte_array_append (data, buffer, (guint) n);
        }
      if (n < 0)
        {
          g_set_error (error, LACUNA_LOAD_ERROR, LACUNA_LOAD_ERROR_ARCHIVE,
                       "Cannot read the archive member: %s",
                       archive_error_string (a) ? archive_error_string (a) : "too large");
          g_byte_array_unref (data);
          break;
        }
      result = g_byte_array_free_to_bytes (data);
      break;
    }

  if (result == NULL && error != NULL && *error == NULL)
    {
      if (r != ARCHIVE_EOF && r != ARCHIVE_OK && r != ARCHIVE_WARN)
        g_set_error (error, LACUNA_LOAD_ERROR, LACUNA_LOAD_ERROR_ARCHIVE,
                     "Cannot read the archive: %s", archive_error_string (a));
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                     "The member is no longer in the archive");
    }

  archive_read_free (a);
  return result;
}

LacunaDicomFile *
lacuna_instance_open (LacunaInstance  *self,
                      GError         **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (LACUNA_IS_INSTANCE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!self->has_archive_member)
    return lacuna_dicom_file_open (field (self, FIELD_SOURCE), LACUNA_DICOM_OPEN_DEFAULT, error);

  bytes = _lacuna_archive_read_member (field (self, FIELD_SOURCE),
                                       field (self, FIELD_ARCHIVE_MEMBER), NULL, error);
  if (bytes == NULL)
    return NULL;
  name = lacuna_instance_dup_display_name (self);
  return lacuna_dicom_file_open_bytes (bytes, name, LACUNA_DICOM_OPEN_DEFAULT, error);
}
