/* lacuna-export-instance.c: one instance of an export: read, de-identify, redact, write
 * into memory, read back (residual scan, verification), hash, write and rename. */
#define G_LOG_DOMAIN "lacuna-export"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "lacuna-deface.h"
#include "lacuna-deid.h"
#include "lacuna-error.h"
#include "lacuna-export-private.h"
#include "lacuna-ocr.h"
#include "lacuna-redact.h"
#include "lacuna-residual.h"

/* ---------------------------------------------------------------------------------------- */
/* What we cannot check                                                                     */

static const char *
uncheckable_reason (const char *sop_class_uid,
                    const char *transfer_syntax,
                    gboolean    has_pixels)
{
  static const char *decodable[] = {
    "1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.1.99",
    "1.2.840.10008.1.2.2", "1.2.840.10008.1.2.5",
    "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.57",
    "1.2.840.10008.1.2.4.70", "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81",
    "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91",
    "1.2.840.10008.1.2.4.201", "1.2.840.10008.1.2.4.202", "1.2.840.10008.1.2.4.203",
  };

  if (sop_class_uid != NULL &&
      g_str_has_prefix (sop_class_uid, "1.2.840.10008.5.1.4.1.1.104."))
    return "encapsulated document (PDF, CDA or 3D model): its content cannot be checked";
  if (transfer_syntax != NULL &&
      (g_str_has_prefix (transfer_syntax, "1.2.840.10008.1.2.4.10") ||
       g_str_has_prefix (transfer_syntax, "1.2.840.10008.1.2.4.100")))
    return "video (MPEG-2, MPEG-4 or HEVC): its frames cannot be checked";
  if (has_pixels && transfer_syntax != NULL)
    {
      for (guint i = 0; i < G_N_ELEMENTS (decodable); i++)
        if (strcmp (transfer_syntax, decodable[i]) == 0)
          return NULL;
      return "pixel data in a transfer syntax Lacuna cannot decode";
    }
  return NULL;
}

#define PREAMBLE_TIFF "the input's preamble is a TIFF header (DICOM-TIFF dual format); the " \
                      "output's preamble is zero"
#define PREAMBLE_NONZERO "the input's preamble is not zero; the output's preamble is zero"

/* A preamble that is not executable-looking: reported per file, summarised on the terminal. */
static gboolean
preamble_is_benign (const char *warning)
{
  return warning != NULL && (strcmp (warning, PREAMBLE_TIFF) == 0 ||
                             strcmp (warning, PREAMBLE_NONZERO) == 0);
}

/* Describes a non-zero preamble, or NULL for a zero (or absent) one. */
static const char *
preamble_warning (const guint8 *data,
                  gsize         size)
{
  gboolean zero = TRUE;

  if (size < 132 || memcmp (data + 128, "DICM", 4) != 0)
    return NULL;
  for (guint i = 0; i < 128; i++)
    if (data[i] != 0)
      zero = FALSE;
  if (zero)
    return NULL;
  if (data[0] == 'M' && data[1] == 'Z')
    return "the input's preamble looks like a Windows executable (MZ; CVE-2019-11687); the "
           "output's preamble is zero";
  if (data[0] == 0x7f && data[1] == 'E' && data[2] == 'L' && data[3] == 'F')
    return "the input's preamble looks like an ELF executable (CVE-2019-11687); the output's "
           "preamble is zero";
  if (data[0] == '#' && data[1] == '!')
    return "the input's preamble looks like a script (#!); the output's preamble is zero";
  if ((data[0] == 0xfe && data[1] == 0xed && data[2] == 0xfa &&
       (data[3] == 0xce || data[3] == 0xcf)) ||
      ((data[0] == 0xce || data[0] == 0xcf) && data[1] == 0xfa && data[2] == 0xed &&
       data[3] == 0xfe) ||
      (data[0] == 0xca && data[1] == 0xfe && data[2] == 0xba && data[3] == 0xbe))
    return "the input's preamble looks like a Mach-O executable (CVE-2019-11687); the "
           "output's preamble is zero";
  if (data[0] == 'P' && data[1] == 'K')
    return "the input's preamble looks like a zip archive; the output's preamble is zero";
  if ((data[0] == 'I' && data[1] == 'I' && data[2] == '*' && data[3] == 0) ||
      (data[0] == 'M' && data[1] == 'M' && data[2] == 0 && data[3] == '*'))
    return PREAMBLE_TIFF;
  return PREAMBLE_NONZERO;
}

/* ---------------------------------------------------------------------------------------- */
/* Opening an input                                                                         */

typedef struct
{
  LacunaInstance *instance;
  GBytes         *bytes;       /* NULL: open from the file (or kept by the index pass) */
  char           *name;
  gboolean        in_memory;   /* small enough to be written from memory */
} Input;

static void
input_clear (Input *input)
{
  g_clear_pointer (&input->bytes, g_bytes_unref);
  g_clear_pointer (&input->name, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Input, input_clear)

/* input_init() for a file on disk: its size and first bytes (the preamble), read rather
 * than mapped (removing a mapping interrupts every thread of the process); the file itself
 * is parsed from its path (lacuna_dicom_file_open() reads a small one whole). FALSE when it
 * cannot be read so (the caller maps it, and reports the error so). */
static gboolean
read_head (const char   *source,
           gsize         in_memory_max,
           Input        *input,
           const char  **out_preamble_warning)
{
  int fd = g_open (source, O_RDONLY | O_CLOEXEC, 0);
  struct stat st;
  guint8 head[132];
  gsize want, done = 0;

  if (fd < 0)
    return FALSE;
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      return FALSE;
    }
  want = MIN ((gsize) st.st_size, sizeof head);
  while (done < want)
    {
      ssize_t n = read (fd, head + done, want - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      done += (gsize) n;
    }
  close (fd);
  if (done < want)
    return FALSE;
  input->in_memory = (gsize) st.st_size <= in_memory_max;
  *out_preamble_warning = preamble_warning (head, done);
  return TRUE;
}

/* Reads the input (and checks its preamble); FALSE + error when it cannot be read. Of a
 * file on disk only its size and preamble are read here (input_open() parses it from its
 * path, when the index pass did not keep it); a .zip member is read whole. */
static gboolean
input_init (Input           *input,
            LacunaInstance  *instance,
            gsize            in_memory_max,
            gboolean         kept,
            const char     **out_preamble_warning,
            GError         **error)
{
  const char *member = lacuna_instance_get_archive_member (instance);
  const char *source = lacuna_instance_get_source (instance);
  const guint8 *data;
  gsize size;

  input->instance = instance;
  input->name = lacuna_instance_dup_display_name (instance);
  if (member != NULL)
    input->bytes = _lacuna_archive_read_member (source, member, NULL, error);
  else if (read_head (source, in_memory_max, input, out_preamble_warning))
    return TRUE;
  else
    {
      g_autoptr(GMappedFile) mapped = g_mapped_file_new (source, FALSE, error);

      if (mapped == NULL)
        return FALSE;
      input->in_memory = g_mapped_file_get_length (mapped) <= in_memory_max;
      if (input->in_memory && !kept)
        input->bytes = g_mapped_file_get_bytes (mapped);
      else
        {
          *out_preamble_warning = preamble_warning ((const guint8 *) g_mapped_file_get_contents (mapped),
                                                    MIN (g_mapped_file_get_length (mapped), 132));
          return TRUE;
        }
    }
  if (input->bytes == NULL)
    return FALSE;
  input->in_memory = TRUE;
  data = g_bytes_get_data (input->bytes, &size);
  *out_preamble_warning = preamble_warning (data, size);
  return TRUE;
}

/* A fresh copy of the input, with its pixels. */
static LacunaDicomFile *
input_open (gpointer   data,
            GError   **error)
{
  Input *input = data;

  if (input->bytes != NULL)
    return lacuna_dicom_file_open_bytes (input->bytes, input->name, LACUNA_DICOM_OPEN_DEFAULT,
                                         error);
  return lacuna_dicom_file_open (lacuna_instance_get_source (input->instance),
                                 LACUNA_DICOM_OPEN_DEFAULT, error);
}

/* ---------------------------------------------------------------------------------------- */
/* Phase 2: one instance                                                                    */

static JsonNode *
log_to_json (LacunaDeidLog *log)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  guint n = lacuna_deid_log_get_n_entries (log);

  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++)
    {
      const LacunaDeidLogEntry *e = lacuna_deid_log_get_entry (log, i);

      if (e->kind == LACUNA_DEID_LOG_ELEMENT && e->action == LACUNA_PROFILE_ACTION_K)
        continue;
      json_builder_begin_object (b);
      if (e->path != NULL)
        {
          g_autofree char *tag = lacuna_dicom_tag_format (lacuna_dicom_path_last_tag (e->path));

          json_builder_set_member_name (b, "path");
          json_builder_add_string_value (b, e->path);
          json_builder_set_member_name (b, "tag");
          json_builder_add_string_value (b, tag);
          json_builder_set_member_name (b, "keyword");
          json_builder_add_string_value (b, e->keyword != NULL ? e->keyword : "");
        }
      json_builder_set_member_name (b, "action");
      if (e->kind == LACUNA_DEID_LOG_ADDED)
        json_builder_add_string_value (b, "added");
      else if (e->kind == LACUNA_DEID_LOG_NOTE)
        json_builder_add_string_value (b, "note");
      else
        json_builder_add_string_value (b, lacuna_profile_action_to_string (e->action));
      json_builder_set_member_name (b, "reason");
      json_builder_add_string_value (b, e->reason != NULL ? e->reason : "");
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  return json_builder_get_root (b);
}

static gboolean
lookup_instance (const char  *sop_instance_uid,
                 const char **out_series_instance_uid,
                 guint       *out_rows,
                 guint       *out_columns,
                 gpointer     user_data)
{
  LacunaExport *self = user_data;
  LacunaInstance *instance = lacuna_collection_find_instance (self->collection,
                                                              sop_instance_uid);

  if (instance == NULL)
    return FALSE;
  *out_series_instance_uid = lacuna_instance_get_series_uid (instance);
  *out_rows = lacuna_instance_get_rows (instance);
  *out_columns = lacuna_instance_get_columns (instance);
  return TRUE;
}

/* The boxes for one instance: the recipe's (resolved by the original UIDs) and those given
 * for every image. */
static GArray *
instance_boxes (LacunaExport   *self,
                LacunaInstance *instance)
{
  GArray *boxes;

  boxes = lacuna_deid_options_resolve_boxes (self->options->deid,
                                             lacuna_instance_get_sop_instance_uid (instance),
                                             lacuna_instance_get_series_uid (instance),
                                             lacuna_instance_get_rows (instance),
                                             lacuna_instance_get_columns (instance),
                                             lookup_instance, self);
  if (self->options->boxes != NULL && self->options->boxes->len > 0)
    g_array_append_vals (boxes, self->options->boxes->data, self->options->boxes->len);
  return boxes;
}

/* The DICOMDIR's records need these (DCMTK refuses a file without them, and we do not let
 * it invent a Study Date or Patient ID): when absent or empty after de-identification they
 * are added with neutral values, and the report says so. */
static const struct
{
  const char *path;
  const char *keyword;
  const char *dummy;   /* NULL: keyed, from the study */
} dicomdir_needed[] = {
  { "00100020", "PatientID", NULL },
  { "00080020", "StudyDate", "19000101" },
  { "00200010", "StudyID", NULL },
  { "00200011", "SeriesNumber", "1" },
  { "00200013", "InstanceNumber", "1" },
  { "00080030", "StudyTime", "000000" },
  { "00080060", "Modality", "OT" },
};

/* *out_added: a bit per dicomdir_needed[] entry added. */
static gboolean
ensure_dicomdir_attributes (LacunaExport     *self,
                            LacunaDicomFile  *file,
                            LacunaInstance   *instance,
                            guint            *out_added,
                            GError          **error)
{
  *out_added = 0;
  for (guint i = 0; i < G_N_ELEMENTS (dicomdir_needed); i++)
    {
      g_autofree char *value = lacuna_dicom_file_dup_string (file, dicomdir_needed[i].path, NULL);
      g_autofree char *dummy = NULL;

      if (value != NULL && g_strstrip (value)[0] != '\0')
        continue;
      if (dicomdir_needed[i].dummy != NULL)
        dummy = g_strdup (dicomdir_needed[i].dummy);
      else
        {
          g_autofree char *body = lacuna_key_dup_base32 (self->key,
                                                         i == 0 ? "export-patient-id"
                                                                : "export-study-id",
                                                         lacuna_instance_get_study_uid (instance),
                                                         10);

          dummy = g_strconcat ("LAC", body, NULL);
        }
      if (!lacuna_dicom_file_set_string (file, dicomdir_needed[i].path, NULL, dummy, error))
        return FALSE;
      *out_added |= 1u << i;
    }
  return TRUE;
}

/* The report's list of changes: the log's entries (K left out), then the additions. */
static JsonNode *
changes_to_json (LacunaDeidLog *log,
                 guint          added)
{
  JsonNode *node = log_to_json (log);
  JsonArray *changes = json_node_get_array (node);

  for (guint i = 0; i < G_N_ELEMENTS (dicomdir_needed); i++)
    {
      g_autofree char *tag = NULL;
      JsonObject *o;

      if ((added & (1u << i)) == 0)
        continue;
      tag = lacuna_dicom_tag_format (lacuna_dicom_path_last_tag (dicomdir_needed[i].path));
      o = json_object_new ();
      json_object_set_string_member (o, "path", dicomdir_needed[i].path);
      json_object_set_string_member (o, "tag", tag);
      json_object_set_string_member (o, "keyword", dicomdir_needed[i].keyword);
      json_object_set_string_member (o, "action", "added");
      json_object_set_string_member (o, "reason", "absent or empty, and required by the "
                                                  "DICOMDIR: a neutral value was added");
      json_array_add_object_element (changes, o);
    }
  return node;
}

/* The changes of the last file a thread shared, and their list's name: the next file (of
 * the same series, usually) compares its changes with them, which costs less than naming
 * them again. */
typedef struct
{
  gint     run_serial;   /* the run they belong to (a pool's threads outlive it) */
  guint    added;
  GArray  *entries;      /* LacunaDeidLogEntry, path: an offset into paths */
  GString *paths;
  char    *id;
} LastChanges;

static void
last_changes_free (gpointer data)
{
  LastChanges *last = data;

  g_array_unref (last->entries);
  g_string_free (last->paths, TRUE);
  g_free (last->id);
  g_free (last);
}

static GPrivate last_changes = G_PRIVATE_INIT (last_changes_free);

/* The ELEMENT entries with action K are not changes. */
static gboolean
is_change (const LacunaDeidLogEntry *e)
{
  return e->kind != LACUNA_DEID_LOG_ELEMENT || e->action != LACUNA_PROFILE_ACTION_K;
}

/* TRUE when log's changes are last's (the same strings for keyword and reason: static). */
static gboolean
same_as_last (LastChanges   *last,
              gint           run_serial,
              LacunaDeidLog *log,
              guint          added)
{
  guint n = lacuna_deid_log_get_n_entries (log);
  guint k = 0;

  if (last == NULL || last->run_serial != run_serial || last->added != added)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      const LacunaDeidLogEntry *e = lacuna_deid_log_get_entry (log, i);
      const LacunaDeidLogEntry *l;

      if (!is_change (e))
        continue;
      if (k == last->entries->len)
        return FALSE;
      l = &g_array_index (last->entries, LacunaDeidLogEntry, k++);
      if (e->kind != l->kind || e->action != l->action || e->keyword != l->keyword ||
          e->reason != l->reason ||
          strcmp (e->path != NULL ? e->path : "",
                  last->paths->str + GPOINTER_TO_SIZE (l->path)) != 0)
        return FALSE;
    }
  return k == last->entries->len;
}

static void
remember_last (gint           run_serial,
               LacunaDeidLog *log,
               guint          added,
               const char    *id)
{
  LastChanges *last = g_private_get (&last_changes);
  guint n = lacuna_deid_log_get_n_entries (log);

  if (last == NULL)
    {
      last = g_new0 (LastChanges, 1);
      last->entries = g_array_new (FALSE, FALSE, sizeof (LacunaDeidLogEntry));
      last->paths = g_string_new (NULL);
      g_private_set (&last_changes, last);
    }
  last->run_serial = run_serial;
  last->added = added;
  g_array_set_size (last->entries, 0);
  g_string_truncate (last->paths, 0);
  for (guint i = 0; i < n; i++)
    {
      const LacunaDeidLogEntry *e = lacuna_deid_log_get_entry (log, i);
      LacunaDeidLogEntry copy = *e;

      if (!is_change (e))
        continue;
      copy.path = GSIZE_TO_POINTER (last->paths->len);
      g_string_append (last->paths, e->path != NULL ? e->path : "");
      g_string_append_c (last->paths, '\0');
      g_array_append_val (last->entries, copy);
    }
  g_free (last->id);
  last->id = g_strdup (id);
}

/* Files with the same changes (every slice of a series, usually) share one list in the
 * report: the list is named by a hash of what it holds, so the name is the same in every
 * run and shard, and its JSON is built once. Returns the name. */
static char *
share_changes (LacunaExport  *self,
               LacunaDeidLog *log,
               guint          added)
{
  guint n = lacuna_deid_log_get_n_entries (log);
  g_autoptr(GString) key = NULL;
  char sha[LACUNA_SHA256_HEX_LEN + 1];
  char *id;
  gboolean known;

  /* The list named for the last file of this thread, known to be in the report. */
  if (same_as_last (g_private_get (&last_changes), self->run_serial, log, added))
    return g_strdup (((LastChanges *) g_private_get (&last_changes))->id);

  key = g_string_sized_new (n * 96);
  for (guint i = 0; i < n; i++)
    {
      const LacunaDeidLogEntry *e = lacuna_deid_log_get_entry (log, i);

      if (!is_change (e))
        continue;
      /* Once per file and change: no printf. */
      g_string_append_c (key, (char) ('0' + (int) e->kind));
      g_string_append_c (key, '\t');
      g_string_append (key, e->path != NULL ? e->path : "");
      g_string_append_c (key, '\t');
      g_string_append (key, e->keyword != NULL ? e->keyword : "");
      g_string_append_c (key, '\t');
      g_string_append_c (key, (char) ('A' + (int) e->action));
      g_string_append_c (key, '\t');
      g_string_append (key, e->reason != NULL ? e->reason : "");
      g_string_append_c (key, '\n');
    }
  g_string_append_printf (key, "added %u\n", added);
  _lacuna_export_sha256_data ((const guint8 *) key->str, key->len, sha);
  id = g_strdup_printf ("c%.16s", sha);

  g_mutex_lock (&self->lock);
  known = json_object_has_member (self->change_lists, id);
  g_mutex_unlock (&self->lock);
  if (!known)
    {
      JsonNode *changes = changes_to_json (log, added);

      g_mutex_lock (&self->lock);
      if (!json_object_has_member (self->change_lists, id))
        json_object_set_member (self->change_lists, id, changes);
      else
        json_node_unref (changes);
      g_mutex_unlock (&self->lock);
    }
  remember_last (self->run_serial, log, added, id);
  return id;
}

/* Records the four components of file_id with the value each stands for; FALSE when one
 * of them already stands for another value (a hash collision: astronomically unlikely,
 * but never silently merged). An instance's own name is never claimed twice, so it is
 * recorded without its value (a hundred bytes a file less on a large export). */
static gboolean
claim_names (LacunaExport *self,
             const char   *file_id,
             const char   *values[4])
{
  g_auto(GStrv) parts = g_strsplit (file_id, "/", -1);
  GString *prefix = g_string_new (parts[0]);
  gboolean ok = TRUE;

  g_mutex_lock (&self->lock);
  for (guint level = 0; level < 4 && ok; level++)
    {
      gpointer known;

      g_string_append_c (prefix, '/');
      g_string_append (prefix, parts[level + 1]);
      if (!g_hash_table_lookup_extended (self->names, prefix->str, NULL, &known))
        g_hash_table_insert (self->names, g_strdup (prefix->str),
                             level < 3 ? g_strdup (values[level]) : NULL);
      else if (level == 3)
        ok = FALSE;   /* the same SOP Instance UID twice, or two UIDs with one name */
      else if (strcmp (known, values[level]) != 0)
        ok = FALSE;
    }
  g_mutex_unlock (&self->lock);
  g_string_free (prefix, TRUE);
  return ok;
}

static char *
dup_value (LacunaDicomFile *file,
           const char      *path)
{
  char *value = lacuna_dicom_file_dup_string (file, path, NULL);

  return value != NULL ? value : g_strdup ("");
}

static void
fail_instance (LacunaExport *self,
               const char   *label,
               const char   *message)
{
  _lacuna_export_add_problem (self, self->failed, label, "error", message, NULL);
  g_atomic_int_inc (&self->n_failed_instances);
}

static void
leave_out (LacunaExport *self,
           const char   *label,
           const char   *sop_class_uid,
           const char   *reason)
{
  _lacuna_export_add_problem (self, self->left_out, label, "reason", reason, sop_class_uid);
  g_atomic_int_inc (&self->n_left_out);
}

static gboolean
is_undecodable (const GError *error)
{
  return g_error_matches (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_UNSUPPORTED) ||
         g_error_matches (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_DECODE);
}

static LacunaDicomFile *
copy_file (gpointer   data,
           GError   **error)
{
  return lacuna_dicom_file_copy (data, error);
}

/* Before de-identification (file is still the input's header): with burned-in AUTO, scans
 * the pixels and adds the proposed boxes to boxes (*out_summary: the report's summary);
 * without, warns when the image likely shows text and gets no box. When the pixels will
 * be verified (scanned, or boxed), *out_original is a copy of the input (defaced when its
 * series is) and *out_identity its identity. FALSE when the instance failed (already recorded). */
static gboolean
prepare_burned_in (LacunaExport       *self,
                   LacunaDicomFile    *file,
                   const char         *label,
                   GArray             *boxes,
                   LacunaDicomFile   **out_original,
                   LacunaOcrIdentity **out_identity,
                   JsonNode          **out_summary)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LacunaOcrIdentity) identity = NULL;
  g_autoptr(LacunaDicomFile) original = NULL;
  gboolean auto_scan = self->options->burned_in == LACUNA_EXPORT_BURNED_IN_AUTO;

  if (!auto_scan && boxes->len == 0)
    {
      g_autofree char *warning = _lacuna_export_burned_in_warning (file);

      if (warning != NULL)
        _lacuna_export_add_problem (self, self->warnings, label, "warning", warning, NULL);
      return TRUE;
    }

  /* The file as it is now (the input, defaced when its series is): the reference, for
   * its pixels and the identity of its header (neither reads private elements). */
  original = lacuna_dicom_file_copy_standard (file, &error);
  if (original == NULL)
    {
      fail_instance (self, label, error->message);
      return FALSE;
    }
  /* Read from the header only if a text line is found to match it with; handed over
   * with original, which it reads. */
  identity = lacuna_ocr_identity_new_deferred (original);
  if (auto_scan &&
      !_lacuna_export_scan_burned_in (original, identity, copy_file, original,
                                      boxes, out_summary, self->cancellable, &error))
    {
      /* Pixels that cannot be decoded are left out (or included as they are, by request)
       * by the redaction step below; they are never verified. */
      if (is_undecodable (error))
        return TRUE;
      {
        g_autofree char *message = g_strdup_printf ("the burned-in text scan could not run: "
                                                    "%s", error->message);

        fail_instance (self, label, message);
      }
      return FALSE;
    }
  *out_identity = g_steal_pointer (&identity);
  *out_original = g_steal_pointer (&original);
  return TRUE;
}

/* Verifies the written pixels. FALSE when the file must not be written (the
 * failure is recorded); *out_verification: the report's "verification". */
static gboolean
verify_written (LacunaExport        *self,
                const char          *label,
                LacunaDicomFile     *original,
                LacunaDicomFile     *written,
                LacunaOcrIdentity   *identity,
                LacunaRedactResult  *redact,
                JsonNode            *burned_in,
                JsonNode           **out_verification)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) verification = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autofree char *safe = NULL;
  g_autofree char *message = NULL;
  const LacunaRedactBox *applied = NULL;
  guint n_applied = 0;
  gboolean passed = FALSE;

  if (redact->applied != NULL)
    {
      applied = (const LacunaRedactBox *) redact->applied->data;
      n_applied = redact->applied->len;
    }
  if (!_lacuna_export_verify_written (original, written, identity, applied, n_applied, &passed,
                                      &verification, self->cancellable, &error))
    {
      message = g_strdup_printf ("the verification of the written pixels could not run: %s",
                                 error->message);
      fail_instance (self, label, message);
      return FALSE;
    }
  if (passed)
    {
      g_atomic_int_inc (&self->n_verified);
      *out_verification = g_steal_pointer (&verification);
      return TRUE;
    }

  /* Loudly: the file is not written, and the report says exactly what remains. */
  message = g_strdup_printf ("the verification of the written pixels %s; the file was not "
                             "written",
                             json_object_get_string_member (json_node_get_object (verification),
                                                            "result"));
  safe = _lacuna_export_safe_text (self, label, NULL);
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "input");
  json_builder_add_string_value (b, safe);
  json_builder_set_member_name (b, "error");
  json_builder_add_string_value (b, message);
  if (burned_in != NULL)
    {
      json_builder_set_member_name (b, "burned-in");
      json_builder_add_value (b, json_node_copy (burned_in));
    }
  json_builder_set_member_name (b, "verification");
  json_builder_add_value (b, g_steal_pointer (&verification));
  json_builder_end_object (b);
  g_mutex_lock (&self->lock);
  json_array_add_element (self->failed, json_builder_get_root (b));
  g_mutex_unlock (&self->lock);
  g_atomic_int_inc (&self->n_verification_failed);
  g_atomic_int_inc (&self->n_failed_instances);
  return FALSE;
}

static void
write_instance (LacunaExport   *self,
                LacunaInstance *instance)
{
  const LacunaDeidOptions *deid = self->options->deid;
  g_autofree char *label = _lacuna_export_instance_label (instance);
  g_autoptr(GError) error = NULL;
  g_autoptr(LacunaDicomFile) file = NULL;
  g_autoptr(LacunaDeidLog) log = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  guint added = 0;
  g_autofree char *patient_id = NULL;
  g_autofree char *study_uid = NULL;
  g_autofree char *series_uid = NULL;
  g_autofree char *sop_uid = NULL;
  g_autofree char *file_id = NULL;
  g_autofree char *target = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *input_ts = NULL;
  g_auto(Input) input = { 0 };
  g_autoptr(GBytes) out_bytes = NULL;
  g_autoptr(GMappedFile) out_mapped = NULL;
  g_autoptr(LacunaDicomFile) written = NULL;
  const guint8 *out_data;
  gsize out_size;
  const char *values[4];
  const char *warning = NULL;
  const char *reason;
  const char *sop_class = lacuna_instance_get_sop_class_uid (instance);
  const char *save_ts = NULL;
  gboolean has_pixels = lacuna_instance_has_pixels (instance);
  LacunaRedactResult redact = { 0 };
  gboolean redacted = FALSE;
  g_autoptr(GArray) boxes = NULL;
  g_autoptr(LacunaDicomFile) original = NULL;
  g_autoptr(LacunaOcrIdentity) identity = NULL;
  g_autoptr(JsonNode) burned_in = NULL;
  g_autoptr(JsonNode) verification = NULL;
  char sha[LACUNA_SHA256_HEX_LEN + 1];
  int fd = -1;
  LacunaDefaceResult *deface = NULL;
  LacunaDeidContext *ctx;

  /* Parsed once, by the index pass, when it could keep the file. */
  file = _lacuna_export_take_kept (self, instance);
  if (!input_init (&input, instance, self->in_memory_max, file != NULL, &warning, &error))
    g_clear_pointer (&file, lacuna_dicom_file_free);
  else if (file == NULL)
    file = input_open (&input, &error);
  if (file == NULL)
    {
      fail_instance (self, label, error->message);
      return;
    }
  input_ts = g_strdup (lacuna_dicom_file_get_transfer_syntax (file));
  /* The header may describe an image whose Pixel Data is absent (a header-only copy). */
  if (has_pixels)
    {
      LacunaDicomPixelInfo info;
      g_autoptr(GError) pixel_error = NULL;

      if (!lacuna_dicom_file_get_pixel_info (file, &info, &pixel_error) &&
          g_error_matches (pixel_error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_NO_PIXELS))
        has_pixels = FALSE;
    }
  if (preamble_is_benign (warning))
    g_atomic_int_inc (&self->n_benign_preamble);
  else if (warning != NULL)
    _lacuna_export_add_problem (self, self->warnings, label, "warning", warning, NULL);

  reason = uncheckable_reason (sop_class, input_ts, has_pixels);
  if (reason != NULL && !deid->include_unknown_payloads)
    {
      leave_out (self, label, sop_class, reason);
      return;
    }

  /* Deface: a slice of a series whose face was found is written defaced, or not at all. */
  if (self->deface_failed != NULL &&
      g_hash_table_contains (self->deface_failed, lacuna_instance_get_series_uid (instance)))
    {
      fail_instance (self, label, _("Defacing its series failed or was not verified"));
      return;
    }
  if (self->deface != NULL)
    deface = g_hash_table_lookup (self->deface, lacuna_instance_get_series_uid (instance));
  if (deface != NULL && !lacuna_deface_result_apply (deface, file, &error))
    {
      fail_instance (self, label, error->message);
      return;
    }

  /* Burned-in text: the scan proposes boxes (AUTO); scanned or boxed pixels are verified
   * after writing, against a second, untouched copy of the input. */
  if (has_pixels && reason == NULL)
    {
      boxes = instance_boxes (self, instance);
      if (!prepare_burned_in (self, file, label, boxes, &original, &identity,
                              &burned_in))
        return;
    }

  log = lacuna_deid_log_new ();
  if (deface != NULL)
    ctx = burned_in != NULL ? self->ctx_deface_clean : self->ctx_deface;
  else
    ctx = burned_in != NULL ? self->ctx_clean : self->ctx;
  if (!lacuna_deid_apply (ctx, file, log, &error))
    {
      fail_instance (self, label, error->message);
      return;
    }

  if (has_pixels && reason == NULL)
    {
      if (!lacuna_redact_apply (file, (LacunaRedactBox *) boxes->data, boxes->len, &redact,
                                &error))
        {
          gboolean undecodable = is_undecodable (error);

          lacuna_redact_result_clear (&redact);
          if (undecodable && !deid->include_unknown_payloads)
            leave_out (self, label, sop_class, "pixel data that Lacuna cannot decode");
          else if (undecodable && boxes->len == 0)
            save_ts = input_ts;   /* included as it is, by request */
          else
            fail_instance (self, label, error->message);
          if (!undecodable || !deid->include_unknown_payloads || boxes->len > 0)
            return;
          g_clear_error (&error);
        }
      else
        {
          redacted = TRUE;
          save_ts = redact.transfer_syntax;
        }
    }
  else if (has_pixels)
    save_ts = input_ts;   /* uncheckable, included by request: as it is */

  if (!ensure_dicomdir_attributes (self, file, instance, &added, &error))
    {
      lacuna_redact_result_clear (&redact);
      fail_instance (self, label, error->message);
      return;
    }

  /* Uncompressed data goes out as Explicit VR Little Endian (what the DICOMDIR's general
   * purpose profile asks for; the change of encoding loses nothing). */
  if (save_ts != NULL &&
      (strcmp (save_ts, "1.2.840.10008.1.2") == 0 || strcmp (save_ts, "1.2.840.10008.1.2.2") == 0 ||
       strcmp (save_ts, "1.2.840.10008.1.2.1.99") == 0))
    save_ts = NULL;

  /* The new identifiers name the file. */
  patient_id = dup_value (file, "00100020");
  study_uid = dup_value (file, "0020000D");
  series_uid = dup_value (file, "0020000E");
  sop_uid = dup_value (file, "00080018");
  if (sop_uid[0] == '\0')
    {
      lacuna_redact_result_clear (&redact);
      fail_instance (self, label, "(0008,0018) SOPInstanceUID is missing");
      return;
    }
  file_id = lacuna_export_file_id (patient_id, study_uid, series_uid, sop_uid);
  values[0] = patient_id;
  values[1] = study_uid;
  values[2] = series_uid;
  values[3] = sop_uid;
  if (!claim_names (self, file_id, values))
    {
      lacuna_redact_result_clear (&redact);
      fail_instance (self, label,
                     "two different objects would get the same file ID (a hash collision or "
                     "a repeated SOP Instance UID); the second is not written");
      return;
    }

  target = g_build_filename (self->outdir, file_id, NULL);
  dir = g_path_get_dirname (target);
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_autofree char *msg = g_strdup_printf ("cannot create a folder of the output: %s",
                                              g_strerror (errno));

      lacuna_redact_result_clear (&redact);
      fail_instance (self, label, msg);
      return;
    }
  {
    g_autofree char *base = g_path_get_basename (target);

    tmp = g_strdup_printf ("%s/.%s%sXXXXXX", dir, base, self->temp_tag);
  }

  /* What is written is read back (parsed from the very bytes that go to disk) for the
   * residual scan and the verification; small files never leave memory in between. */
  if (input.in_memory)
    {
      out_bytes = lacuna_dicom_file_save_to_bytes (file, save_ts, &error);
      if (out_bytes != NULL)
        written = lacuna_dicom_file_open_bytes (out_bytes, file_id, LACUNA_DICOM_OPEN_DEFAULT,
                                                &error);
      if (out_bytes != NULL)
        out_data = g_bytes_get_data (out_bytes, &out_size);
    }
  else
    {
      fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0644);
      if (fd >= 0)
        {
          close (fd);
          if (lacuna_dicom_file_save (file, tmp, save_ts, &error) &&
              (out_mapped = g_mapped_file_new (tmp, FALSE, &error)) != NULL)
            written = lacuna_dicom_file_open (tmp, LACUNA_DICOM_OPEN_DEFAULT, &error);
          if (written == NULL)
            g_unlink (tmp);
        }
      else
        g_set_error (&error, G_IO_ERROR, g_io_error_from_errno (errno),
                     "cannot create a temporary file in the output: %s", g_strerror (errno));
      if (out_mapped != NULL)
        {
          out_data = (const guint8 *) g_mapped_file_get_contents (out_mapped);
          out_size = g_mapped_file_get_length (out_mapped);
        }
    }
  if (written == NULL)
    {
      lacuna_redact_result_clear (&redact);
      fail_instance (self, label, error->message);
      return;
    }
  g_clear_pointer (&file, lacuna_dicom_file_free);

  hits = g_ptr_array_new_with_free_func ((GDestroyNotify) lacuna_residual_hit_free);
  lacuna_residual_check_parsed (self->residual, written, out_data, out_size, hits);
  lacuna_residual_check_text (self->residual, file_id, "file name", hits);
  if (hits->len == 0 && original != NULL && redacted &&
      !verify_written (self, label, original, written, identity, &redact, burned_in,
                       &verification))
    {
      if (out_mapped != NULL)
        g_unlink (tmp);
      lacuna_redact_result_clear (&redact);
      return;
    }
  if (hits->len > 0)
    {
      g_autoptr(JsonBuilder) hb = json_builder_new ();
      g_autofree char *safe = _lacuna_export_safe_text (self, label, NULL);

      if (out_mapped != NULL)
        g_unlink (tmp);
      json_builder_begin_object (hb);
      json_builder_set_member_name (hb, "input");
      json_builder_add_string_value (hb, safe);
      json_builder_set_member_name (hb, "error");
      json_builder_add_string_value (hb, "the residual scan found identifying strings of the "
                                         "input in the output; the file was not written");
      json_builder_set_member_name (hb, "residual-hits");
      json_builder_begin_array (hb);
      for (guint i = 0; i < hits->len; i++)
        {
          LacunaResidualHit *hit = g_ptr_array_index (hits, i);

          json_builder_begin_object (hb);
          json_builder_set_member_name (hb, "where");
          json_builder_add_string_value (hb, hit->where);
          json_builder_set_member_name (hb, "keyword");
          json_builder_add_string_value (hb, hit->keyword != NULL ? hit->keyword : "");
          json_builder_set_member_name (hb, "kind");
          json_builder_add_string_value (hb, hit->kind != NULL ? hit->kind : "");
          json_builder_end_object (hb);
        }
      json_builder_end_array (hb);
      json_builder_end_object (hb);
      g_mutex_lock (&self->lock);
      json_array_add_element (self->failed, json_builder_get_root (hb));
      self->n_residual_hits += hits->len;
      g_mutex_unlock (&self->lock);
      g_atomic_int_inc (&self->n_failed_instances);
      lacuna_redact_result_clear (&redact);
      return;
    }
  /* ---- DICOMDIR record (lacuna-export-tree.c): built from what was written, kept on
   * disk for the finalizer, which then need not read the file again. ---- */
  _lacuna_export_keep_dicomdir_record (self, written, file_id);
  /* ---- end of DICOMDIR record ---- */
  g_clear_pointer (&written, lacuna_dicom_file_free);
  g_clear_pointer (&identity, lacuna_ocr_identity_free);   /* reads original, if at all */
  g_clear_pointer (&original, lacuna_dicom_file_free);

  _lacuna_export_sha256_data (out_data, out_size, sha);
  if (out_bytes != NULL &&
      !_lacuna_export_write_into_place (dir, tmp, target, out_data, out_size, &error))
    {
      lacuna_redact_result_clear (&redact);
      fail_instance (self, label, error->message);
      return;
    }
  if (out_bytes == NULL && g_rename (tmp, target) != 0)
    {
      g_autofree char *msg = g_strdup_printf ("cannot rename into place: %s",
                                              g_strerror (errno));

      g_unlink (tmp);
      lacuna_redact_result_clear (&redact);
      fail_instance (self, label, msg);
      return;
    }

  /* The report entry. */
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "file-id");
  json_builder_add_string_value (b, file_id);
  _lacuna_export_add_input (self, b, label);
  json_builder_set_member_name (b, "sop-class-uid");
  json_builder_add_string_value (b, sop_class);
  json_builder_set_member_name (b, "sha256");
  json_builder_add_string_value (b, sha);
  json_builder_set_member_name (b, "size");
  json_builder_add_int_value (b, (gint64) out_size);
  json_builder_set_member_name (b, "input-transfer-syntax");
  json_builder_add_string_value (b, input_ts);
  json_builder_set_member_name (b, "transfer-syntax");
  json_builder_add_string_value (b, save_ts != NULL ? save_ts : "1.2.840.10008.1.2.1");
  if (reason != NULL)
    {
      json_builder_set_member_name (b, "included-unchecked");
      json_builder_add_string_value (b, reason);
    }
  if (warning != NULL)
    {
      json_builder_set_member_name (b, "preamble");
      json_builder_add_string_value (b, warning);
    }
  json_builder_set_member_name (b, "changes");
  {
    g_autofree char *changes_id = share_changes (self, log, added);

    json_builder_add_string_value (b, changes_id);
  }
  if (has_pixels)
    {
      json_builder_set_member_name (b, "pixels");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "rewritten");
      json_builder_add_boolean_value (b, redacted && redact.pixels_rewritten);
      json_builder_set_member_name (b, "regions");
      json_builder_begin_array (b);
      for (guint i = 0; redacted && redact.applied != NULL && i < redact.applied->len; i++)
        _lacuna_export_add_box (b, &g_array_index (redact.applied, LacunaRedactBox, i));
      json_builder_end_array (b);
      json_builder_set_member_name (b, "notes");
      json_builder_begin_array (b);
      for (guint i = 0; redacted && redact.notes != NULL && i < redact.notes->len; i++)
        json_builder_add_string_value (b, g_ptr_array_index (redact.notes, i));
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  if (burned_in != NULL)
    {
      json_builder_set_member_name (b, "burned-in");
      json_builder_add_value (b, g_steal_pointer (&burned_in));
    }
  if (verification != NULL)
    {
      json_builder_set_member_name (b, "verification");
      json_builder_add_value (b, g_steal_pointer (&verification));
    }
  json_builder_set_member_name (b, "residual");
  json_builder_add_string_value (b, "no identifying string of the input found");
  json_builder_end_object (b);
  lacuna_redact_result_clear (&redact);

  /* To the spool on disk: kept in memory, the entries grew by 13 KB a file. */
  _lacuna_export_add_file_entry (self, json_builder_get_root (b));
  g_atomic_int_inc (&self->n_written);
}

void
_lacuna_export_write_worker (gpointer data,
                             gpointer user_data)
{
  LacunaExportWriteJob *job = data;
  LacunaExport *self = job->self;

  if (g_cancellable_is_cancelled (self->cancellable))
    {
      g_autofree char *label = _lacuna_export_instance_label (job->instance);

      fail_instance (self, label, "cancelled");
    }
  else
    write_instance (self, job->instance);
  _lacuna_export_job_done (self);
}
