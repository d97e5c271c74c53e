/* lacuna-export.c: one export run (see lacuna-export.h for the steps). */
#define G_LOG_DOMAIN "lacuna-export"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "lacuna-deface.h"
#include "lacuna-deid.h"
#include "lacuna-error.h"
#include "lacuna-export-private.h"
#include "lacuna-loader.h"
#include "lacuna-ocr.h"
#include "lacuna-redact.h"
#include "lacuna-residual.h"
#include "lacuna-uid-map.h"

#define WITHHELD "(withheld: holds an identifying string of the input)"

struct _LacunaExport
{
  GStrv                     inputs;
  char                     *output;        /* what the user named: folder or .zip */
  char                     *outdir;        /* the folder written into (staging for a .zip) */
  char                     *zip_path;      /* NULL unless zip */
  LacunaKey                *key;
  LacunaExportOptions      *options;
  char                     *report_path;
  char                     *temp_tag;

  LacunaExportProgressFunc  progress_func;
  gpointer                  progress_data;

  /* Run state. */
  LacunaCollection         *collection;
  GPtrArray                *instances;     /* LacunaInstance, this shard's */
  GPtrArray                *all_instances; /* every instance */
  GHashTable               *uids;
  LacunaResidual           *residual;
  LacunaDeidContext        *ctx;
  LacunaDeidContext        *ctx_clean;     /* burned-in AUTO: records Clean Pixel Data */
  LacunaDeidContext        *ctx_deface;    /* defaced: records 113102 */
  LacunaDeidContext        *ctx_deface_clean; /* both */
  GHashTable               *deface;        /* series UID → LacunaDefaceResult (applied) */
  GHashTable               *deface_failed; /* series UIDs whose defacing failed */
  GCancellable             *cancellable;

  GMutex                    lock;
  GHashTable               *names;         /* "parent/component" → full value (collisions) */
  JsonArray                *files;
  JsonObject               *change_lists;   /* id → the changes of the files naming it */
  JsonArray                *left_out;
  JsonArray                *failed;
  JsonArray                *skipped;
  JsonArray                *warnings;
  guint                     n_residual_hits;

  int                       n_done;        /* atomics */
  int                       n_written;
  int                       n_left_out;
  int                       n_failed_instances;
  int                       n_verified;
  int                       n_verification_failed;
  guint                     n_failed_other;
  guint                     n_skipped;
  guint                     n_benign_preamble;  /* TIFF or merely non-zero (atomic) */
  guint                     n_instances;
};

/* ---------------------------------------------------------------------------------------- */
/* Options                                                                                  */

LacunaExportOptions *
lacuna_export_options_new (void)
{
  LacunaExportOptions *options = g_new0 (LacunaExportOptions, 1);

  options->n_shards = 1;
  return options;
}

void
lacuna_export_options_free (LacunaExportOptions *options)
{
  if (options == NULL)
    return;
  g_clear_pointer (&options->deid, lacuna_deid_options_free);
  g_clear_pointer (&options->boxes, g_array_unref);
  g_free (options->report_path);
  g_free (options);
}

static LacunaExportOptions *
options_copy (const LacunaExportOptions *src)
{
  LacunaExportOptions *options = lacuna_export_options_new ();

  if (src == NULL)
    {
      options->deid = lacuna_deid_options_new ();
      return options;
    }
  options->deid = src->deid != NULL ? lacuna_deid_options_copy (src->deid)
                                    : lacuna_deid_options_new ();
  options->boxes = g_array_new (FALSE, FALSE, sizeof (LacunaRedactBox));
  if (src->boxes != NULL)
    g_array_append_vals (options->boxes, src->boxes->data, src->boxes->len);
  options->report_path = g_strdup (src->report_path);
  options->zip = src->zip;
  options->jobs = src->jobs;
  options->shard_index = src->shard_index;
  options->n_shards = src->n_shards == 0 ? 1 : src->n_shards;
  options->burned_in = src->burned_in;
  /* The Clean Recognizable Visual Features option is a claim only defacing backs. */
  options->deface = src->deface ||
                    (options->deid->options &
                     LACUNA_PROFILE_OPTION_CLEAN_RECOGNIZABLE_VISUAL_FEATURES) != 0;
  options->deface_depth_mm = options->deface && src->deface_depth_mm <= 0
                               ? LACUNA_DEFACE_DEFAULT_DEPTH_MM : src->deface_depth_mm;
  return options;
}

/* The options as the manifest and the report record them: no pseudonym, no override
 * value (what the user typed may be a name), no key. */
static JsonNode *
options_to_json (const LacunaExportOptions *options)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  const LacunaDeidOptions *d = options->deid;
  guint n_infos = 0;
  const LacunaProfileOptionInfo *infos = lacuna_profile_get_options (&n_infos);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "profile");
  json_builder_add_string_value (b, LACUNA_DEID_METHOD_PROFILE);
  json_builder_set_member_name (b, "edition");
  json_builder_add_string_value (b, LACUNA_PROFILE_EDITION);
  json_builder_set_member_name (b, "options");
  json_builder_begin_array (b);
  for (guint i = 0; i < n_infos; i++)
    if (d->options & infos[i].option)
      json_builder_add_string_value (b, infos[i].cli_name);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "date-shift-max-days");
  json_builder_add_int_value (b, d->date_shift_max_days);
  json_builder_set_member_name (b, "patient-name-pseudonym");
  json_builder_add_boolean_value (b, d->patient_name != NULL);
  json_builder_set_member_name (b, "patient-id-pseudonym");
  json_builder_add_boolean_value (b, d->patient_id != NULL);
  json_builder_set_member_name (b, "include-unknown-payloads");
  json_builder_add_boolean_value (b, d->include_unknown_payloads);
  json_builder_set_member_name (b, "overrides");
  json_builder_begin_array (b);
  for (guint i = 0; d->overrides != NULL && i < d->overrides->len; i++)
    {
      const LacunaDeidOverride *o = g_ptr_array_index (d->overrides, i);
      static const char *names[] = { "keep", "remove", "replace" };

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "path");
      json_builder_add_string_value (b, o->path);
      json_builder_set_member_name (b, "action");
      json_builder_add_string_value (b, names[o->action]);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "redact");
  json_builder_begin_array (b);
  for (guint i = 0; options->boxes != NULL && i < options->boxes->len; i++)
    {
      const LacunaRedactBox *box = &g_array_index (options->boxes, LacunaRedactBox, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "frame");
      json_builder_add_int_value (b, box->frame);
      json_builder_set_member_name (b, "x");
      json_builder_add_int_value (b, box->x);
      json_builder_set_member_name (b, "y");
      json_builder_add_int_value (b, box->y);
      json_builder_set_member_name (b, "width");
      json_builder_add_int_value (b, box->width);
      json_builder_set_member_name (b, "height");
      json_builder_add_int_value (b, box->height);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "burned-in");
  json_builder_add_string_value (b, lacuna_export_burned_in_to_string (options->burned_in));
  json_builder_set_member_name (b, "deface");
  json_builder_add_boolean_value (b, options->deface);
  json_builder_set_member_name (b, "deface-depth-mm");
  json_builder_add_double_value (b, options->deface_depth_mm);
  json_builder_set_member_name (b, "recipe-boxes");
  json_builder_add_int_value (b, d->boxes != NULL ? d->boxes->len : 0);
  json_builder_set_member_name (b, "replacement-identifiers");
  json_builder_add_string_value (b, "keyed (HMAC-SHA-256)");
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* ---------------------------------------------------------------------------------------- */
/* Life cycle                                                                               */

LacunaExport *
lacuna_export_new (const char * const        *inputs,
                   const char                *output,
                   LacunaKey                 *key,
                   const LacunaExportOptions *options)
{
  LacunaExport *self;

  g_return_val_if_fail (inputs != NULL, NULL);
  g_return_val_if_fail (output != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  self = g_new0 (LacunaExport, 1);
  self->inputs = g_strdupv ((char **) inputs);
  self->output = g_strdup (output);
  self->key = lacuna_key_ref (key);
  self->options = options_copy (options);
  if (self->options->zip)
    {
      self->zip_path = g_strdup (output);
      self->outdir = g_strconcat (output, ".lacuna-staging", NULL);
    }
  else
    self->outdir = g_strdup (output);
  self->report_path = self->options->report_path != NULL
                        ? g_strdup (self->options->report_path)
                        : lacuna_export_dup_default_report_path (output, self->options->zip);
  self->temp_tag = _lacuna_export_temp_tag (self->options->shard_index,
                                            self->options->n_shards);
  g_mutex_init (&self->lock);
  return self;
}

void
lacuna_export_free (LacunaExport *self)
{
  if (self == NULL)
    return;
  g_strfreev (self->inputs);
  g_free (self->output);
  g_free (self->outdir);
  g_free (self->zip_path);
  lacuna_key_unref (self->key);
  lacuna_export_options_free (self->options);
  g_free (self->report_path);
  g_free (self->temp_tag);
  g_clear_object (&self->collection);
  g_clear_pointer (&self->instances, g_ptr_array_unref);
  g_clear_pointer (&self->all_instances, g_ptr_array_unref);
  g_clear_pointer (&self->uids, g_hash_table_unref);
  g_clear_pointer (&self->residual, lacuna_residual_free);
  g_clear_pointer (&self->ctx, lacuna_deid_context_unref);
  g_clear_pointer (&self->ctx_clean, lacuna_deid_context_unref);
  g_clear_pointer (&self->ctx_deface, lacuna_deid_context_unref);
  g_clear_pointer (&self->ctx_deface_clean, lacuna_deid_context_unref);
  g_clear_pointer (&self->deface, g_hash_table_unref);
  g_clear_pointer (&self->deface_failed, g_hash_table_unref);
  g_clear_pointer (&self->names, g_hash_table_unref);
  g_clear_pointer (&self->files, json_array_unref);
  g_clear_pointer (&self->change_lists, json_object_unref);
  g_clear_pointer (&self->left_out, json_array_unref);
  g_clear_pointer (&self->failed, json_array_unref);
  g_clear_pointer (&self->skipped, json_array_unref);
  g_clear_pointer (&self->warnings, json_array_unref);
  g_mutex_clear (&self->lock);
  g_free (self);
}

void
lacuna_export_set_progress_func (LacunaExport             *self,
                                 LacunaExportProgressFunc  func,
                                 gpointer                  user_data)
{
  g_return_if_fail (self != NULL);

  self->progress_func = func;
  self->progress_data = user_data;
}

guint
lacuna_export_get_n_instances (LacunaExport *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_instances;
}

guint
lacuna_export_get_n_in_shard (LacunaExport *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->instances ? self->instances->len : 0;
}

guint
lacuna_export_get_n_written (LacunaExport *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return (guint) g_atomic_int_get (&self->n_written);
}

guint
lacuna_export_get_n_left_out (LacunaExport *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return (guint) g_atomic_int_get (&self->n_left_out);
}

guint
lacuna_export_get_n_skipped (LacunaExport *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_skipped;
}

guint
lacuna_export_get_n_failed (LacunaExport *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return (guint) g_atomic_int_get (&self->n_failed_instances) + self->n_failed_other;
}

guint
lacuna_export_get_n_verified (LacunaExport *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return (guint) g_atomic_int_get (&self->n_verified);
}

guint
lacuna_export_get_n_verification_failed (LacunaExport *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return (guint) g_atomic_int_get (&self->n_verification_failed);
}

static void
append_messages (GStrvBuilder *builder,
                 JsonArray    *array,
                 const char   *prefix,
                 const char   *member)
{
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *o = json_array_get_object_element (array, i);
      const char *input = json_object_get_string_member_with_default (o, "input", "");
      const char *why = json_object_get_string_member_with_default (o, member, "");
      g_autofree char *line = g_strdup_printf ("%s: %s: %s", prefix, input, why);

      g_strv_builder_add (builder, line);
    }
}

GStrv
lacuna_export_dup_messages (LacunaExport *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (self != NULL, NULL);

  append_messages (builder, self->failed, "failed", "error");
  append_messages (builder, self->left_out, "left out", "reason");
  append_messages (builder, self->skipped, "skipped", "reason");
  append_messages (builder, self->warnings, "warning", "warning");
  if (self->n_benign_preamble > 0)
    {
      g_autofree char *line =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "%u input had a non-zero preamble; every output's "
                                      "preamble is zero (see the report)",
                                      "%u inputs had a non-zero preamble; every output's "
                                      "preamble is zero (see the report)",
                                      self->n_benign_preamble),
                         self->n_benign_preamble);

      g_strv_builder_add (builder, line);
    }
  return g_strv_builder_end (builder);
}

const char *
lacuna_export_get_report_path (LacunaExport *self)
{
  return self->options->n_shards == 1 ? self->report_path : NULL;
}

static void
progress (LacunaExport *self,
          const char   *phase,
          guint         done,
          guint         total)
{
  if (self->progress_func != NULL)
    self->progress_func (phase, done, total, self->progress_data);
}

/* ---------------------------------------------------------------------------------------- */
/* Text that goes into the manifest and the report                                          */

/* text, or WITHHELD when the residual scan finds an identifying string in it (input paths
 * often carry the patient's name). */
static char *
safe_text (LacunaExport *self,
           const char   *text,
           gboolean     *out_withheld)
{
  g_autoptr(GPtrArray) hits = g_ptr_array_new_with_free_func ((GDestroyNotify) lacuna_residual_hit_free);

  if (out_withheld != NULL)
    *out_withheld = FALSE;
  if (text == NULL)
    return NULL;
  if (self->residual != NULL)
    lacuna_residual_check_text (self->residual, text, "text", hits);
  if (hits->len > 0)
    {
      if (out_withheld != NULL)
        *out_withheld = TRUE;
      return g_strdup (WITHHELD);
    }
  return g_strdup (text);
}

static char *
instance_label (LacunaInstance *instance)
{
  const char *member = lacuna_instance_get_archive_member (instance);

  if (member != NULL)
    return g_strdup_printf ("%s › %s", lacuna_instance_get_source (instance), member);
  return g_strdup (lacuna_instance_get_source (instance));
}

static void
add_input (LacunaExport *self,
           JsonBuilder  *b,
           const char   *label)
{
  g_autofree char *text = safe_text (self, label, NULL);

  json_builder_set_member_name (b, "input");
  json_builder_add_string_value (b, text);
}

static void
add_problem (LacunaExport *self,
             JsonArray    *array,
             const char   *label,
             const char   *key,
             const char   *message,
             const char   *sop_class_uid)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *text = safe_text (self, message, NULL);

  json_builder_begin_object (b);
  add_input (self, b, label);
  if (sop_class_uid != NULL)
    {
      json_builder_set_member_name (b, "sop-class-uid");
      json_builder_add_string_value (b, sop_class_uid);
    }
  json_builder_set_member_name (b, key);
  json_builder_add_string_value (b, text);
  json_builder_end_object (b);

  g_mutex_lock (&self->lock);
  json_array_add_element (array, json_builder_get_root (b));
  g_mutex_unlock (&self->lock);
}

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

/* Inputs up to this size are read into memory once and parsed from there (the input, the
 * untouched copy for the verification, the output read back); larger ones are opened
 * from their files, whose values DCMTK loads lazily. */
#define IN_MEMORY_MAX (64 * 1024 * 1024)

typedef struct
{
  LacunaInstance *instance;
  GBytes         *bytes;   /* NULL: open from the file */
  char           *name;
} Input;

static void
input_clear (Input *input)
{
  g_clear_pointer (&input->bytes, g_bytes_unref);
  g_clear_pointer (&input->name, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Input, input_clear)

/* Reads the input (and checks its preamble); FALSE + error when it cannot be read. */
static gboolean
input_init (Input           *input,
            LacunaInstance  *instance,
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
  else
    {
      g_autoptr(GMappedFile) mapped = g_mapped_file_new (source, FALSE, error);

      if (mapped == NULL)
        return FALSE;
      if (g_mapped_file_get_length (mapped) <= IN_MEMORY_MAX)
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
/* Phase 1: input UIDs and identifying strings                                              */

/* Called by the loader for every instance, with its header open: the input UIDs and the
 * identifying strings, without parsing the file a second time. */
static void
index_file (LacunaInstance  *instance,
            LacunaDicomFile *file,
            gpointer         user_data)
{
  LacunaExport *self = user_data;
  g_autoptr(GHashTable) uids = lacuna_uid_set_new ();
  GHashTableIter iter;
  gpointer key;

  lacuna_uid_set_collect (uids, file);
  lacuna_residual_add_input (self->residual, file);
  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, uids);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_hash_table_add (self->uids, g_strdup (key));
  g_mutex_unlock (&self->lock);
}

/* Runs func over jobs in a pool of the configured size, reporting progress. */
static void
run_pool (LacunaExport *self,
          const char   *phase,
          GFunc         func,
          GPtrArray    *jobs)
{
  guint n_threads = self->options->jobs > 0 ? self->options->jobs : g_get_num_processors ();
  GThreadPool *pool;
  gint64 last = 0;

  g_atomic_int_set (&self->n_done, 0);
  progress (self, phase, 0, jobs->len);
  pool = g_thread_pool_new (func, NULL, (int) MAX (1, MIN (n_threads, 64)), FALSE, NULL);
  for (guint i = 0; i < jobs->len; i++)
    g_thread_pool_push (pool, g_ptr_array_index (jobs, i), NULL);
  while ((guint) g_atomic_int_get (&self->n_done) < jobs->len)
    {
      gint64 now = g_get_monotonic_time ();

      g_usleep (20 * 1000);
      if (now - last > 500 * 1000)
        {
          progress (self, phase, (guint) g_atomic_int_get (&self->n_done), jobs->len);
          last = now;
        }
    }
  g_thread_pool_free (pool, FALSE, TRUE);
  progress (self, phase, jobs->len, jobs->len);
}

/* ---------------------------------------------------------------------------------------- */
/* Phase 2: one instance                                                                    */

typedef struct
{
  LacunaExport   *self;
  LacunaInstance *instance;
} WriteJob;

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

/* Files with the same changes (every slice of a series, usually) share one list in the
 * report: the list is named by a hash of what it holds, so the name is the same in every
 * run and shard, and its JSON is built once. Returns the name. */
static char *
share_changes (LacunaExport  *self,
               LacunaDeidLog *log,
               guint          added)
{
  g_autoptr(GString) key = g_string_new (NULL);
  guint n = lacuna_deid_log_get_n_entries (log);
  char sha[LACUNA_SHA256_HEX_LEN + 1];
  char *id;
  gboolean known;

  for (guint i = 0; i < n; i++)
    {
      const LacunaDeidLogEntry *e = lacuna_deid_log_get_entry (log, i);

      if (e->kind == LACUNA_DEID_LOG_ELEMENT && e->action == LACUNA_PROFILE_ACTION_K)
        continue;
      g_string_append_printf (key, "%d\t%s\t%s\t%d\t%s\n", (int) e->kind,
                              e->path != NULL ? e->path : "", e->keyword != NULL ? e->keyword : "",
                              (int) e->action, e->reason != NULL ? e->reason : "");
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
  return id;
}

/* Records the four components of file_id with the value each stands for; FALSE when one
 * of them already stands for another value (a hash collision: astronomically unlikely,
 * but never silently merged). */
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
      const char *known;

      g_string_append_c (prefix, '/');
      g_string_append (prefix, parts[level + 1]);
      known = g_hash_table_lookup (self->names, prefix->str);
      if (known == NULL)
        g_hash_table_insert (self->names, g_strdup (prefix->str), g_strdup (values[level]));
      else if (strcmp (known, values[level]) != 0)
        ok = FALSE;
      else if (level == 3)
        ok = FALSE;   /* the same SOP Instance UID twice */
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
  add_problem (self, self->failed, label, "error", message, NULL);
  g_atomic_int_inc (&self->n_failed_instances);
}

static void
leave_out (LacunaExport *self,
           const char   *label,
           const char   *sop_class_uid,
           const char   *reason)
{
  add_problem (self, self->left_out, label, "reason", reason, sop_class_uid);
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
  g_autoptr(LacunaDicomFile) original = NULL;
  gboolean auto_scan = self->options->burned_in == LACUNA_EXPORT_BURNED_IN_AUTO;

  if (!auto_scan && boxes->len == 0)
    {
      g_autofree char *warning = _lacuna_export_burned_in_warning (file);

      if (warning != NULL)
        add_problem (self, self->warnings, label, "warning", warning, NULL);
      return TRUE;
    }

  /* The file as it is now (the input, defaced when its series is): the reference. */
  original = lacuna_dicom_file_copy (file, &error);
  if (original == NULL)
    {
      fail_instance (self, label, error->message);
      return FALSE;
    }
  *out_identity = lacuna_ocr_identity_new_from_file (original);
  if (auto_scan &&
      !_lacuna_export_scan_burned_in (original, *out_identity, copy_file, original,
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
  safe = safe_text (self, label, NULL);
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
  g_autofree char *label = instance_label (instance);
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

  if (input_init (&input, instance, &warning, &error))
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
    add_problem (self, self->warnings, label, "warning", warning, NULL);

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
  if (input.bytes != NULL)
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
      g_autofree char *safe = safe_text (self, label, NULL);

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
  g_clear_pointer (&written, lacuna_dicom_file_free);
  g_clear_pointer (&original, lacuna_dicom_file_free);

  _lacuna_export_sha256_data (out_data, out_size, sha);
  if (out_bytes != NULL && !_lacuna_export_write_temp (tmp, out_data, out_size, &error))
    {
      lacuna_redact_result_clear (&redact);
      fail_instance (self, label, error->message);
      return;
    }
  if (g_rename (tmp, target) != 0)
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
  add_input (self, b, label);
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
        {
          const LacunaRedactBox *box = &g_array_index (redact.applied, LacunaRedactBox, i);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "frame");
          json_builder_add_int_value (b, box->frame);
          json_builder_set_member_name (b, "x");
          json_builder_add_int_value (b, box->x);
          json_builder_set_member_name (b, "y");
          json_builder_add_int_value (b, box->y);
          json_builder_set_member_name (b, "width");
          json_builder_add_int_value (b, box->width);
          json_builder_set_member_name (b, "height");
          json_builder_add_int_value (b, box->height);
          json_builder_end_object (b);
        }
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

  g_mutex_lock (&self->lock);
  json_array_add_element (self->files, json_builder_get_root (b));
  g_mutex_unlock (&self->lock);
  g_atomic_int_inc (&self->n_written);
}

static void
write_worker (gpointer data,
              gpointer user_data)
{
  WriteJob *job = data;
  LacunaExport *self = job->self;

  if (g_cancellable_is_cancelled (self->cancellable))
    {
      g_autofree char *label = instance_label (job->instance);

      fail_instance (self, label, "cancelled");
    }
  else
    write_instance (self, job->instance);
  g_atomic_int_inc (&self->n_done);
}

/* ---------------------------------------------------------------------------------------- */
/* The run                                                                                  */

static gboolean
check_paths (LacunaExport  *self,
             GError       **error)
{
  for (guint i = 0; self->inputs[i] != NULL; i++)
    {
      const char *input = self->inputs[i];

      if (_lacuna_export_path_is_inside (self->outdir, input) ||
          (self->zip_path != NULL && _lacuna_export_path_is_inside (self->zip_path, input)))
        {
          g_set_error (error, LACUNA_EXPORT_ERROR, LACUNA_EXPORT_ERROR_FAILED,
                       _("The output %s is an input or lies inside the input folder %s; "
                         "choose an output outside the inputs"), self->output, input);
          return FALSE;
        }
      if (_lacuna_export_path_is_inside (input, self->outdir))
        {
          g_set_error (error, LACUNA_EXPORT_ERROR, LACUNA_EXPORT_ERROR_FAILED,
                       _("The input %s lies inside the output folder %s"), input,
                       self->outdir);
          return FALSE;
        }
      if (_lacuna_export_path_is_inside (self->report_path, input))
        {
          g_set_error (error, LACUNA_EXPORT_ERROR, LACUNA_EXPORT_ERROR_FAILED,
                       _("The report %s would be written over or inside the input %s"),
                       self->report_path, input);
          return FALSE;
        }
    }
  if (_lacuna_export_path_is_inside (self->report_path, self->outdir))
    {
      g_set_error (error, LACUNA_EXPORT_ERROR, LACUNA_EXPORT_ERROR_FAILED,
                   _("The report %s must not be inside the output folder"), self->report_path);
      return FALSE;
    }
  if (self->zip_path != NULL)
    {
      if (g_file_test (self->zip_path, G_FILE_TEST_IS_DIR))
        {
          g_set_error (error, LACUNA_EXPORT_ERROR, LACUNA_EXPORT_ERROR_FAILED,
                       _("The output %s is a folder; with --zip it names the archive"),
                       self->zip_path);
          return FALSE;
        }
      if (g_file_test (self->zip_path, G_FILE_TEST_EXISTS) &&
          !_lacuna_export_zip_is_ours (self->zip_path))
        {
          g_set_error (error, LACUNA_EXPORT_ERROR, LACUNA_EXPORT_ERROR_FAILED,
                       _("The output %s exists and is not an archive Lacuna wrote"),
                       self->zip_path);
          return FALSE;
        }
    }
  return TRUE;
}

/* Clean Pixel Data is recorded only after a scan and a verification; the OCR must be able
 * to run when pixels are to be scanned or verified. */
static gboolean
check_burned_in_options (LacunaExport  *self,
                         GError       **error)
{
  const LacunaDeidOptions *deid = self->options->deid;
  gboolean auto_scan = self->options->burned_in == LACUNA_EXPORT_BURNED_IN_AUTO;
  gboolean boxes = (self->options->boxes != NULL && self->options->boxes->len > 0) ||
                   (deid->boxes != NULL && deid->boxes->len > 0);
  g_autoptr(GError) local_error = NULL;

  if (self->options->burned_in != LACUNA_EXPORT_BURNED_IN_OFF && !auto_scan)
    {
      g_set_error (error, LACUNA_EXPORT_ERROR, LACUNA_EXPORT_ERROR_FAILED,
                   _("Unknown burned-in text mode"));
      return FALSE;
    }
  if (!auto_scan && ((deid->options & LACUNA_PROFILE_OPTION_CLEAN_PIXEL_DATA) != 0 ||
                     deid->pixels_verified_clean))
    {
      g_set_error (error, LACUNA_EXPORT_ERROR, LACUNA_EXPORT_ERROR_FAILED,
                   _("The Clean Pixel Data option is recorded only for pixels the burned-in "
                     "text scan checked: use it with --burned-in auto"));
      return FALSE;
    }
  if ((auto_scan || boxes) && !lacuna_ocr_is_available (&local_error))
    {
      g_set_error (error, LACUNA_EXPORT_ERROR, LACUNA_EXPORT_ERROR_FAILED,
                   _("Scanning or verifying burned-in text needs Tesseract with its English "
                     "data (tesseract-ocr-eng): %s"), local_error->message);
      return FALSE;
    }
  return TRUE;
}

static int
compare_file_entries (gconstpointer a,
                      gconstpointer b)
{
  JsonObject *oa = json_node_get_object (*(JsonNode **) a);
  JsonObject *ob = json_node_get_object (*(JsonNode **) b);
  const char *ka = json_object_get_string_member_with_default (oa, "file-id", "");
  const char *kb = json_object_get_string_member_with_default (ob, "file-id", "");
  int c = strcmp (ka, kb);

  if (c != 0)
    return c;
  ka = json_object_get_string_member_with_default (oa, "input", "");
  kb = json_object_get_string_member_with_default (ob, "input", "");
  return strcmp (ka, kb);
}

/* A JSON array sorted (threads finish in any order; the manifest must not depend on it). */
static JsonNode *
sorted_array (JsonArray *array)
{
  g_autoptr(GPtrArray) nodes = g_ptr_array_new ();
  JsonArray *out = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  for (guint i = 0; i < json_array_get_length (array); i++)
    g_ptr_array_add (nodes, json_array_get_element (array, i));
  g_ptr_array_sort (nodes, compare_file_entries);
  for (guint i = 0; i < nodes->len; i++)
    json_array_add_element (out, json_node_copy (g_ptr_array_index (nodes, i)));
  json_node_take_array (node, out);
  return node;
}

/* Writes this shard's manifest; with out_manifest, hands it over instead (an unsharded
 * run finalizes from memory). */
static gboolean
write_manifest (LacunaExport  *self,
                gboolean       complete,
                JsonObject   **out_manifest,
                GError       **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *path = _lacuna_export_manifest_path (self->outdir,
                                                        self->options->shard_index,
                                                        self->options->n_shards);
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "lacuna-manifest");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "lacuna-version");
  json_builder_add_string_value (b, LACUNA_VERSION);
  json_builder_set_member_name (b, "shard");
  json_builder_add_int_value (b, self->options->shard_index);
  json_builder_set_member_name (b, "shards");
  json_builder_add_int_value (b, self->options->n_shards);
  json_builder_set_member_name (b, "complete");
  json_builder_add_boolean_value (b, complete);
  json_builder_set_member_name (b, "options");
  json_builder_add_value (b, options_to_json (self->options));
  json_builder_set_member_name (b, "instances");
  json_builder_add_int_value (b, self->n_instances);
  json_builder_set_member_name (b, "in-shard");
  json_builder_add_int_value (b, self->instances != NULL ? self->instances->len : 0);
  json_builder_set_member_name (b, "written");
  json_builder_add_int_value (b, g_atomic_int_get (&self->n_written));
  json_builder_set_member_name (b, "left-out-count");
  json_builder_add_int_value (b, g_atomic_int_get (&self->n_left_out));
  json_builder_set_member_name (b, "failed-instances");
  json_builder_add_int_value (b, g_atomic_int_get (&self->n_failed_instances));
  json_builder_set_member_name (b, "failed-other");
  json_builder_add_int_value (b, self->n_failed_other);
  json_builder_set_member_name (b, "residual-needles");
  json_builder_add_int_value (b, self->residual != NULL
                                   ? lacuna_residual_get_n_needles (self->residual) : 0);
  json_builder_set_member_name (b, "residual-hits");
  json_builder_add_int_value (b, self->n_residual_hits);
  if (complete)
    {
      json_builder_set_member_name (b, "files");
      json_builder_add_value (b, sorted_array (self->files));
      json_builder_set_member_name (b, "change-lists");
      {
        g_autoptr(GList) ids = json_object_get_members (self->change_lists);

        /* In name order: the report does not depend on thread timing. */
        ids = g_list_sort (ids, (GCompareFunc) strcmp);
        json_builder_begin_object (b);
        for (GList *l = ids; l != NULL; l = l->next)
          {
            json_builder_set_member_name (b, l->data);
            json_builder_add_value (b, json_node_copy (json_object_get_member (self->change_lists,
                                                                               l->data)));
          }
        json_builder_end_object (b);
      }
      json_builder_set_member_name (b, "left-out");
      json_builder_add_value (b, sorted_array (self->left_out));
      json_builder_set_member_name (b, "failed");
      json_builder_add_value (b, sorted_array (self->failed));
      json_builder_set_member_name (b, "skipped");
      json_builder_add_value (b, sorted_array (self->skipped));
      json_builder_set_member_name (b, "warnings");
      json_builder_add_value (b, sorted_array (self->warnings));
    }
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  if (out_manifest != NULL)
    {
      *out_manifest = json_object_ref (json_node_get_object (root));
      return TRUE;
    }
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  return _lacuna_export_write_text (path, text, error);
}

static void
collect_instances (LacunaExport *self)
{
  g_autoptr(GListModel) series = lacuna_collection_list_series (self->collection);

  self->all_instances = g_ptr_array_new_with_free_func (g_object_unref);
  self->instances = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < g_list_model_get_n_items (series); i++)
    {
      g_autoptr(LacunaSeries) s = g_list_model_get_item (series, i);

      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (s)); j++)
        {
          LacunaInstance *instance = lacuna_series_get_instance (s, j);
          guint shard = lacuna_export_shard_of_study (self->key,
                                                      lacuna_instance_get_study_uid (instance),
                                                      self->options->n_shards);

          g_ptr_array_add (self->all_instances, g_object_ref (instance));
          if (shard == self->options->shard_index)
            g_ptr_array_add (self->instances, g_object_ref (instance));
        }
    }
  self->n_instances = self->all_instances->len;
}

static void
record_load_problems (LacunaExport *self)
{
  GPtrArray *problems = lacuna_collection_get_problems (self->collection);

  /* Shard 0 reports what is not an instance, so that the shards' sums stay right. */
  if (self->options->shard_index != 0)
    return;
  for (guint i = 0; i < problems->len; i++)
    {
      const LacunaProblem *p = g_ptr_array_index (problems, i);
      const char *message = p->error != NULL ? p->error->message : "";

      if (p->kind == LACUNA_PROBLEM_SKIPPED)
        {
          add_problem (self, self->skipped, p->path, "reason", message, NULL);
          self->n_skipped++;
        }
      else
        {
          add_problem (self, self->failed, p->path, "error", message, NULL);
          self->n_failed_other++;
        }
    }
}

/* A CT or MR series of at least 20 slices with positions. */
static gboolean
is_head_volume_candidate (LacunaSeries *series)
{
  const char *modality = lacuna_series_get_modality (series);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (series));
  guint n_positioned = 0;

  if (g_strcmp0 (modality, "CT") != 0 && g_strcmp0 (modality, "MR") != 0)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      LacunaInstance *instance = lacuna_series_get_instance (series, i);
      double position[3];

      if (lacuna_instance_get_position (instance, position))
        n_positioned++;
    }
  return n_positioned >= 20;
}

/* Defaces every candidate series of this shard (before the per-instance jobs); each gets
 * one report line (as a warning entry: the report has no other place for it yet). */
static gboolean
run_deface (LacunaExport  *self,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GListModel) series = lacuna_collection_list_series (self->collection);
  double depth = self->options->deface_depth_mm > 0 ? self->options->deface_depth_mm
                                                    : LACUNA_DEFACE_DEFAULT_DEPTH_MM;

  self->deface = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->deface_failed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < g_list_model_get_n_items (series); i++)
    {
      g_autoptr(LacunaSeries) s = g_list_model_get_item (series, i);
      g_autoptr(LacunaDefaceResult) result = NULL;
      g_autoptr(GError) local_error = NULL;
      g_autofree char *label = NULL;
      g_autofree char *text = NULL;
      LacunaInstance *first;

      if (g_list_model_get_n_items (G_LIST_MODEL (s)) == 0)
        continue;
      first = lacuna_series_get_instance (s, 0);
      if (lacuna_export_shard_of_study (self->key, lacuna_instance_get_study_uid (first),
                                        self->options->n_shards) != self->options->shard_index)
        continue;
      if (!is_head_volume_candidate (s))
        continue;

      label = g_strdup_printf (_("Series %d (%s)"), lacuna_series_get_number (s),
                               lacuna_series_get_modality (s));
      progress (self, "defacing", i, g_list_model_get_n_items (series));
      result = lacuna_deface_series (s, depth, cancellable, &local_error);
      if (result == NULL)
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          text = g_strdup_printf (_("Deface: the face check could not run (%s); its slices "
                                    "are not written"), local_error->message);
          g_hash_table_add (self->deface_failed, g_strdup (lacuna_series_get_uid (s)));
        }
      else if (!lacuna_deface_result_get_applied (result))
        {
          text = g_strdup (_("Deface: the face check ran; a face was not found by our "
                             "detectors, nothing was defaced"));
        }
      else
        {
          LacunaFaceResult *before = lacuna_deface_result_get_before (result);
          gboolean verified = lacuna_deface_result_get_verified (result);

          text = g_strdup_printf (_("Deface: a face was found (in %u of %u views, %u detectors "
                                    "agreeing); method %s, depth %.0f mm, %" G_GUINT64_FORMAT
                                    " voxels changed; %s"),
                                  lacuna_face_result_get_n_views_found (before),
                                  lacuna_face_result_get_n_views (before),
                                  lacuna_face_result_get_n_detectors_agreeing (before),
                                  lacuna_deface_result_get_method (result), depth,
                                  lacuna_deface_result_get_n_changed (result),
                                  verified ? _("verified")
                                           : _("NOT verified: its slices are not written"));
          if (verified)
            g_hash_table_insert (self->deface, g_strdup (lacuna_series_get_uid (s)),
                                 g_steal_pointer (&result));
          else
            g_hash_table_add (self->deface_failed, g_strdup (lacuna_series_get_uid (s)));
        }
      add_problem (self, self->warnings, label, "warning", text, NULL);
    }
  return TRUE;
}

gboolean
lacuna_export_run (LacunaExport  *self,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(LacunaLoader) loader = NULL;
  g_autoptr(GPtrArray) write_jobs = NULL;
  guint n_out;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (self->collection == NULL, FALSE);

  if (self->options->n_shards == 0 || self->options->shard_index >= self->options->n_shards)
    {
      g_set_error (error, LACUNA_EXPORT_ERROR, LACUNA_EXPORT_ERROR_FAILED,
                   _("The shard index must be below the number of shards"));
      return FALSE;
    }
  if (self->options->zip && self->options->n_shards > 1)
    {
      g_set_error (error, LACUNA_EXPORT_ERROR, LACUNA_EXPORT_ERROR_FAILED,
                   _("A sharded export writes a folder, not a .zip"));
      return FALSE;
    }
  if (!lacuna_deid_options_validate (self->options->deid, error))
    return FALSE;
  if (!check_burned_in_options (self, error))
    return FALSE;
  if (!check_paths (self, error))
    return FALSE;
  if (!_lacuna_export_prepare_output_full (self->outdir,
                                           self->options->n_shards == 1 ? self->report_path
                                                                        : NULL,
                                           self->temp_tag, error))
    return FALSE;

  self->cancellable = cancellable;
  self->names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->files = json_array_new ();
  self->change_lists = json_object_new ();
  self->left_out = json_array_new ();
  self->failed = json_array_new ();
  self->skipped = json_array_new ();
  self->warnings = json_array_new ();
  self->residual = lacuna_residual_new ();
  self->uids = lacuna_uid_set_new ();

  /* Claim the folder before writing into it (other shards look for a manifest). */
  if (!write_manifest (self, FALSE, NULL, error))
    return FALSE;

  /* Indexing (every shard needs the whole input UID set) happens while loading. */
  progress (self, "loading", 0, 0);
  loader = lacuna_loader_new ((const char * const *) self->inputs);
  lacuna_loader_set_file_func (loader, index_file, self);
  self->collection = lacuna_loader_load (loader, cancellable, error);
  if (self->collection == NULL)
    return FALSE;
  collect_instances (self);

  /* Clean Pixel Data and (0028,0301) NO are claimed per file, only for pixels scanned
   * and verified: the context for every other file does without them. */
  {
    g_autoptr(LacunaDeidOptions) plain = lacuna_deid_options_copy (self->options->deid);

    plain->options &= ~(LACUNA_PROFILE_OPTION_CLEAN_PIXEL_DATA |
                        LACUNA_PROFILE_OPTION_CLEAN_RECOGNIZABLE_VISUAL_FEATURES);
    plain->pixels_verified_clean = FALSE;
    self->ctx = lacuna_deid_context_new (self->key, plain, self->uids, error);
    if (self->ctx == NULL)
      return FALSE;
    plain->options |= LACUNA_PROFILE_OPTION_CLEAN_PIXEL_DATA;
    plain->pixels_verified_clean = TRUE;
    self->ctx_clean = lacuna_deid_context_new (self->key, plain, self->uids, error);
    if (self->ctx_clean == NULL)
      return FALSE;
    plain->options |= LACUNA_PROFILE_OPTION_CLEAN_RECOGNIZABLE_VISUAL_FEATURES;
    self->ctx_deface_clean = lacuna_deid_context_new (self->key, plain, self->uids, error);
    if (self->ctx_deface_clean == NULL)
      return FALSE;
    plain->options &= ~LACUNA_PROFILE_OPTION_CLEAN_PIXEL_DATA;
    plain->pixels_verified_clean = FALSE;
    self->ctx_deface = lacuna_deid_context_new (self->key, plain, self->uids, error);
    if (self->ctx_deface == NULL)
      return FALSE;
  }

  if (self->options->deface && !run_deface (self, cancellable, error))
    return FALSE;

  record_load_problems (self);

  /* Phase 2: this shard's instances. */
  write_jobs = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < self->instances->len; i++)
    {
      WriteJob *job = g_new0 (WriteJob, 1);

      job->self = self;
      job->instance = g_ptr_array_index (self->instances, i);
      g_ptr_array_add (write_jobs, job);
    }
  run_pool (self, "writing", write_worker, write_jobs);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  /* Instances in = out. */
  n_out = (guint) (g_atomic_int_get (&self->n_written) + g_atomic_int_get (&self->n_left_out) +
                   g_atomic_int_get (&self->n_failed_instances));
  if (n_out != self->instances->len)
    {
      g_set_error (error, LACUNA_EXPORT_ERROR, LACUNA_EXPORT_ERROR_FAILED,
                   _("Instance count mismatch: %u in, %u accounted for"),
                   self->instances->len, n_out);
      return FALSE;
    }

  if (self->options->n_shards > 1 && !write_manifest (self, TRUE, NULL, error))
    return FALSE;

  if (self->options->n_shards == 1)
    {
      g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(JsonObject) manifest = NULL;
      guint n_failed = 0;

      if (!write_manifest (self, TRUE, &manifest, error))
        return FALSE;
      /* What the manifest holds is in memory now. */
      g_clear_pointer (&self->files, json_array_unref);
      g_clear_pointer (&self->change_lists, json_object_unref);
      progress (self, "finalizing", 0, 0);
      if (!_lacuna_export_finalize_full (self->outdir, self->report_path, self->zip_path,
                                         self->residual, manifest, FALSE, &n_failed, messages,
                                         error))
        return FALSE;
      /* The finalizer counts every failure, residual hits in the report included. */
      if (n_failed > lacuna_export_get_n_failed (self))
        self->n_failed_other += n_failed - lacuna_export_get_n_failed (self);
      for (guint i = 0; i < messages->len; i++)
        add_problem (self, self->failed, self->output, "error",
                     g_ptr_array_index (messages, i), NULL);
      if (self->zip_path != NULL)
        _lacuna_export_remove_staging (self->outdir);
      else
        {
          /* A clean output holds only the DICOMDIR and the tree; the report beside it is
           * the record a rerun recognises the output by. */
          g_autofree char *manifest = _lacuna_export_manifest_path (self->outdir, 0, 1);

          g_unlink (manifest);
        }
    }
  return TRUE;
}

gboolean
lacuna_export_finalize (const char  *output,
                        const char  *report_path,
                        guint       *out_n_failed,
                        char       **out_report_path,
                        GError     **error)
{
  g_autofree char *path = report_path != NULL
                            ? g_strdup (report_path)
                            : lacuna_export_dup_default_report_path (output, FALSE);

  if (_lacuna_export_path_is_inside (path, output))
    {
      g_set_error (error, LACUNA_EXPORT_ERROR, LACUNA_EXPORT_ERROR_FAILED,
                   _("The report %s must not be inside the output folder"), path);
      return FALSE;
    }
  if (!_lacuna_export_finalize_full (output, path, NULL, NULL, NULL, TRUE, out_n_failed, NULL,
                                     error))
    return FALSE;
  if (out_report_path != NULL)
    *out_report_path = g_steal_pointer (&path);
  return TRUE;
}
