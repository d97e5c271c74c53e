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
    _lacuna_export_add_box (b, &g_array_index (options->boxes, LacunaRedactBox, i));
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
  g_mutex_init (&self->done_lock);
  g_cond_init (&self->done_cond);
  return self;
}

/* Once every file is written: what writing needed (the model, the names claimed, the UID
 * maps, the defaced volumes) grows with the number of files and is not needed by the
 * finalizer, whose DICOMDIR holds a record a file. */
static void
release_write_state (LacunaExport *self)
{
  self->n_in_shard = self->instances != NULL ? self->instances->len : 0;
  g_clear_pointer (&self->ctx, lacuna_deid_context_unref);
  g_clear_pointer (&self->ctx_clean, lacuna_deid_context_unref);
  g_clear_pointer (&self->ctx_deface, lacuna_deid_context_unref);
  g_clear_pointer (&self->ctx_deface_clean, lacuna_deid_context_unref);
  g_clear_pointer (&self->deface, g_hash_table_unref);
  g_clear_pointer (&self->deface_failed, g_hash_table_unref);
  g_clear_pointer (&self->names, g_hash_table_unref);
  g_clear_pointer (&self->uids, g_hash_table_unref);
  g_clear_pointer (&self->kept, g_hash_table_unref);
  g_clear_pointer (&self->instances, g_ptr_array_unref);
  g_clear_pointer (&self->all_instances, g_ptr_array_unref);
  g_clear_object (&self->collection);
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
  release_write_state (self);
  g_clear_pointer (&self->residual, lacuna_residual_free);
  g_clear_pointer (&self->files, json_array_unref);
  g_clear_pointer (&self->spool, _lacuna_report_spool_free);
  g_clear_error (&self->spool_error);
  g_clear_pointer (&self->deface_checks, json_array_unref);
  g_clear_pointer (&self->change_lists, json_object_unref);
  g_clear_pointer (&self->left_out, json_array_unref);
  g_clear_pointer (&self->failed, json_array_unref);
  g_clear_pointer (&self->skipped, json_array_unref);
  g_clear_pointer (&self->warnings, json_array_unref);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->done_lock);
  g_cond_clear (&self->done_cond);
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

  return self->instances ? self->instances->len : self->n_in_shard;
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
char *
_lacuna_export_safe_text (LacunaExport *self,
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

char *
_lacuna_export_instance_label (LacunaInstance *instance)
{
  const char *member = lacuna_instance_get_archive_member (instance);

  if (member != NULL)
    return g_strdup_printf ("%s › %s", lacuna_instance_get_source (instance), member);
  return g_strdup (lacuna_instance_get_source (instance));
}

void
_lacuna_export_add_input (LacunaExport *self,
                          JsonBuilder  *b,
                          const char   *label)
{
  g_autofree char *text = _lacuna_export_safe_text (self, label, NULL);

  json_builder_set_member_name (b, "input");
  json_builder_add_string_value (b, text);
}

void
_lacuna_export_add_problem (LacunaExport *self,
                            JsonArray    *array,
                            const char   *label,
                            const char   *key,
                            const char   *message,
                            const char   *sop_class_uid)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *text = _lacuna_export_safe_text (self, message, NULL);

  json_builder_begin_object (b);
  _lacuna_export_add_input (self, b, label);
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

void
_lacuna_export_add_file_entry (LacunaExport *self,
                               JsonNode     *entry)
{
  g_autoptr(JsonNode) node = entry;
  g_autoptr(JsonNode) changes = NULL;
  g_autoptr(GString) extra = g_string_new (NULL);
  g_autoptr(GError) local_error = NULL;
  JsonObject *o = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  JsonNode *named = o != NULL ? json_object_get_member (o, "changes") : NULL;
  /* A shard writes only its manifest: the report is written from the manifests. */
  gboolean reporting = self->options->n_shards == 1;
  LacunaResidual *residual = reporting ? self->residual : NULL;
  gboolean lists_known = FALSE;

  /* The entry's JSON and HTML are rendered (and searched) here, in the writer's thread,
   * not by the finalizer. The HTML counts the changes of the list the entry names: added
   * before the entry (share_changes), never changed. */
  if (reporting && named != NULL && JSON_NODE_HOLDS_VALUE (named) &&
      json_node_get_value_type (named) == G_TYPE_STRING)
    {
      g_mutex_lock (&self->lock);
      if (self->change_lists != NULL)
        {
          JsonNode *list = json_object_get_member (self->change_lists,
                                                   json_node_get_string (named));

          lists_known = TRUE;
          if (list != NULL)
            changes = json_node_ref (list);
        }
      g_mutex_unlock (&self->lock);
    }
  if (reporting && o != NULL)
    _lacuna_report_annotate_entry (o, lists_known, changes, residual, extra);
  if (_lacuna_report_spool_add_full (self->spool, node, residual, extra->str, extra->len,
                                     &local_error))
    return;
  g_mutex_lock (&self->lock);
  if (self->spool_error == NULL)
    self->spool_error = g_steal_pointer (&local_error);
  g_mutex_unlock (&self->lock);
}

/* ---------------------------------------------------------------------------------------- */
/* Phase 1: input UIDs and identifying strings                                              */

/* How much memory the inputs parsed by the index pass may hold until they are written:
 * within it, an input is parsed once instead of twice (its pixels stay in the file until
 * then). Beyond it, the rest are parsed again when written. */
#define KEPT_BUDGET (48 * 1024 * 1024)

/* Inputs up to this size are read into memory once and parsed from there (the input, the
 * untouched copy for the verification, the output read back); larger ones are opened
 * from their files, whose values DCMTK loads lazily. */
#define IN_MEMORY_MAX (64 * 1024 * 1024)

/* A size in bytes from the environment, else fallback: the tests take the other paths
 * with LACUNA_EXPORT_KEPT_BUDGET and LACUNA_EXPORT_IN_MEMORY_MAX. */
static gsize
size_from_env (const char *variable,
               gsize       fallback)
{
  const char *env = g_getenv (variable);

  if (env == NULL || *env == '\0')
    return fallback;
  return (gsize) g_ascii_strtoull (env, NULL, 10);
}

/* Called by the loader for every instance, with its file parsed: the input UIDs and the
 * identifying strings, without parsing the file a second time; TRUE when the file is kept
 * for writing. */
static gboolean
index_file (LacunaInstance  *instance,
            LacunaDicomFile *file,
            gpointer         user_data)
{
  LacunaExport *self = user_data;
  g_autoptr(GHashTable) uids = lacuna_uid_set_new ();
  GHashTableIter iter;
  gpointer key;
  gsize size = 0;
  gboolean keep = FALSE;

  lacuna_uid_set_collect (uids, file);
  lacuna_residual_add_input (self->residual, file);
  /* Only a file parsed whole (not an archive member, read up to Pixel Data) that this
   * shard writes. */
  if (lacuna_instance_get_archive_member (instance) == NULL &&
      lacuna_dicom_file_is_complete (file) &&
      lacuna_export_shard_of_study (self->key, lacuna_instance_get_study_uid (instance),
                                    self->options->n_shards) == self->options->shard_index)
    size = lacuna_dicom_file_estimate_memory (file);
  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, uids);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (self->uids, key))   /* most name the study and series again */
      g_hash_table_add (self->uids, g_strdup (key));
  if (size > 0 && self->kept_bytes + size <= self->kept_budget &&
      !g_hash_table_contains (self->kept, instance))
    {
      g_hash_table_insert (self->kept, g_object_ref (instance), file);
      self->kept_bytes += size;
      keep = TRUE;
    }
  else if (size > 0 && self->loader != NULL)
    lacuna_loader_stop_keeping (self->loader);   /* the budget is spent */
  g_mutex_unlock (&self->lock);
  return keep;
}

LacunaDicomFile *
_lacuna_export_take_kept (LacunaExport   *self,
                          LacunaInstance *instance)
{
  gpointer file = NULL;

  g_mutex_lock (&self->lock);
  if (self->kept != NULL)
    g_hash_table_steal_extended (self->kept, instance, NULL, &file);
  g_mutex_unlock (&self->lock);
  if (file != NULL)
    g_object_unref (instance);   /* the table's reference */
  return file;
}

/* Runs func over jobs in a pool of the configured size, reporting progress at most every
 * half second. Each job ends with _lacuna_export_job_done(), and the last one wakes us at
 * once (polling every 20 ms cost up to 20 ms at the end of every run). */
static void
run_pool (LacunaExport *self,
          const char   *phase,
          GFunc         func,
          GPtrArray    *jobs)
{
  guint n_threads = self->options->jobs > 0 ? self->options->jobs : g_get_num_processors ();
  GThreadPool *pool;

  g_atomic_int_set (&self->n_done, 0);
  self->n_jobs = jobs->len;
  progress (self, phase, 0, jobs->len);
  pool = g_thread_pool_new (func, NULL, (int) MAX (1, MIN (n_threads, 64)), FALSE, NULL);
  for (guint i = 0; i < jobs->len; i++)
    g_thread_pool_push (pool, g_ptr_array_index (jobs, i), NULL);
  g_mutex_lock (&self->done_lock);
  while ((guint) g_atomic_int_get (&self->n_done) < jobs->len)
    {
      gint64 deadline = g_get_monotonic_time () + 500 * G_TIME_SPAN_MILLISECOND;

      if (!g_cond_wait_until (&self->done_cond, &self->done_lock, deadline))
        {
          g_mutex_unlock (&self->done_lock);
          progress (self, phase, (guint) g_atomic_int_get (&self->n_done), jobs->len);
          g_mutex_lock (&self->done_lock);
        }
    }
  g_mutex_unlock (&self->done_lock);
  g_thread_pool_free (pool, FALSE, TRUE);
  progress (self, phase, jobs->len, jobs->len);
}

void
_lacuna_export_job_done (LacunaExport *self)
{
  g_mutex_lock (&self->done_lock);
  if ((guint) g_atomic_int_add (&self->n_done, 1) + 1 >= self->n_jobs)
    g_cond_signal (&self->done_cond);
  g_mutex_unlock (&self->done_lock);
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

/* A JSON array sorted (threads finish in any order; the manifest must not depend on it).
 * It shares the nodes of array (a second copy of every file's entry was a third of the
 * peak memory of a large export). */
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
    json_array_add_element (out, json_node_ref (g_ptr_array_index (nodes, i)));
  json_node_take_array (node, out);
  return node;
}

/* Writes this shard's manifest; with out_manifest, hands it over instead (an unsharded
 * run finalizes from memory), without its files: they are in self->spool, sorted. */
static gboolean
write_manifest (LacunaExport  *self,
                gboolean       complete,
                JsonObject   **out_manifest,
                GError       **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(LacunaReportSink) sink = NULL;
  g_autofree char *path = _lacuna_export_manifest_path (self->outdir,
                                                        self->options->shard_index,
                                                        self->options->n_shards);
  g_autofree char *tmpl = NULL;

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
      /* The entries are spliced in as the manifest is written (lacuna-report-spool.c). */
      if (!_lacuna_report_spool_sort (self->spool, error))
        return FALSE;
      json_builder_set_member_name (b, "files");
      json_builder_begin_array (b);
      json_builder_end_array (b);
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
      json_builder_set_member_name (b, "deface");
      {
        JsonNode *node = json_node_new (JSON_NODE_ARRAY);

        json_node_set_array (node, self->deface_checks);
        json_builder_add_value (b, node);
      }
    }
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  if (out_manifest != NULL)
    {
      *out_manifest = json_object_ref (json_node_get_object (root));
      return TRUE;
    }
  /* A temporary file of this shard's: a killed run's is removed by the next. */
  tmpl = g_strdup_printf ("%s/.manifest%sXXXXXX", self->outdir, self->temp_tag);
  sink = _lacuna_report_sink_new_full (path, tmpl, NULL, error);
  return sink != NULL &&
         _lacuna_report_write_spliced (sink, json_node_get_object (root), "files",
                                       complete ? self->spool : NULL, FALSE, NULL, NULL,
                                       error) &&
         _lacuna_report_sink_commit (sink, error);
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
  /* Files kept for instances another shard writes, or that the collection dropped as
   * duplicates, are not needed. */
  {
    g_autoptr(GHashTable) wanted = g_hash_table_new (g_direct_hash, g_direct_equal);
    GHashTableIter iter;
    gpointer key;

    for (guint i = 0; i < self->instances->len; i++)
      g_hash_table_add (wanted, g_ptr_array_index (self->instances, i));
    g_hash_table_iter_init (&iter, self->kept);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      if (!g_hash_table_contains (wanted, key))
        g_hash_table_iter_remove (&iter);
  }
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
          _lacuna_export_add_problem (self, self->skipped, p->path, "reason", message, NULL);
          self->n_skipped++;
        }
      else
        {
          _lacuna_export_add_problem (self, self->failed, p->path, "error", message, NULL);
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
/* What the face check saw (counts only), for the report's "deface" entry. */
static void
add_face_counts (JsonObject       *check,
                 LacunaFaceResult *face)
{
  if (face == NULL)
    return;
  json_object_set_int_member (check, "views", lacuna_face_result_get_n_views (face));
  json_object_set_int_member (check, "views-found", lacuna_face_result_get_n_views_found (face));
  json_object_set_int_member (check, "detectors-agreeing",
                              lacuna_face_result_get_n_detectors_agreeing (face));
}

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
      JsonObject *check;
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
      check = json_object_new ();
      json_object_set_string_member (check, "series", label);
      json_object_set_string_member (check, "modality", lacuna_series_get_modality (s));
      json_object_set_int_member (check, "slices",
                                  g_list_model_get_n_items (G_LIST_MODEL (s)));
      json_object_set_double_member (check, "depth-mm", depth);
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
          json_object_set_string_member (check, "result", "check-failed");
          g_hash_table_add (self->deface_failed, g_strdup (lacuna_series_get_uid (s)));
        }
      else if (!lacuna_deface_result_get_applied (result))
        {
          text = g_strdup (_("Deface: the face check ran; a face was not found by our "
                             "detectors, nothing was defaced"));
          json_object_set_string_member (check, "result", "no-face-found");
          add_face_counts (check, lacuna_deface_result_get_before (result));
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
          json_object_set_string_member (check, "result",
                                         verified ? "defaced" : "defaced-not-verified");
          add_face_counts (check, before);
          json_object_set_string_member (check, "method", lacuna_deface_result_get_method (result));
          json_object_set_int_member (check, "voxels-changed",
                                      (gint64) lacuna_deface_result_get_n_changed (result));
          json_object_set_boolean_member (check, "verified", verified);
          if (verified)
            g_hash_table_insert (self->deface, g_strdup (lacuna_series_get_uid (s)),
                                 g_steal_pointer (&result));
          else
            g_hash_table_add (self->deface_failed, g_strdup (lacuna_series_get_uid (s)));
        }
      _lacuna_export_add_problem (self, self->warnings, label, "warning", text, NULL);
      json_object_set_string_member (check, "text", text);
      json_array_add_object_element (self->deface_checks, check);
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
  g_return_val_if_fail (self->collection == NULL && !self->ran, FALSE);

  self->ran = TRUE;

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
  /* The files' entries wait in a temporary file beside the output, not in memory. */
  self->spool = _lacuna_report_spool_new (self->output, error);
  if (self->spool == NULL)
    return FALSE;
  self->change_lists = json_object_new ();
  {
    static gint runs;

    self->run_serial = g_atomic_int_add (&runs, 1) + 1;
  }
  self->left_out = json_array_new ();
  self->failed = json_array_new ();
  self->skipped = json_array_new ();
  self->warnings = json_array_new ();
  self->deface_checks = json_array_new ();
  self->residual = lacuna_residual_new ();
  self->uids = lacuna_uid_set_new ();

  /* Claim the folder before writing into it (other shards look for a manifest). */
  if (!write_manifest (self, FALSE, NULL, error))
    return FALSE;

  /* Indexing (every shard needs the whole input UID set) happens while loading. */
  progress (self, "loading", 0, 0);
  loader = lacuna_loader_new ((const char * const *) self->inputs);
  self->kept = g_hash_table_new_full (g_direct_hash, g_direct_equal, g_object_unref,
                                      (GDestroyNotify) lacuna_dicom_file_free);
  self->kept_budget = size_from_env ("LACUNA_EXPORT_KEPT_BUDGET", KEPT_BUDGET);
  self->in_memory_max = size_from_env ("LACUNA_EXPORT_IN_MEMORY_MAX", IN_MEMORY_MAX);
  lacuna_loader_set_keep_func (loader, index_file, self);
  self->loader = loader;
  self->collection = lacuna_loader_load (loader, cancellable, error);
  self->loader = NULL;
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
      LacunaExportWriteJob *job = g_new0 (LacunaExportWriteJob, 1);

      job->self = self;
      job->instance = g_ptr_array_index (self->instances, i);
      g_ptr_array_add (write_jobs, job);
    }
  run_pool (self, "writing", _lacuna_export_write_worker, write_jobs);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (self->spool_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->spool_error));
      return FALSE;
    }

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
      /* What the manifest holds is in memory now (its files in the spool). */
      g_clear_pointer (&self->change_lists, json_object_unref);
      release_write_state (self);
      progress (self, "finalizing", 0, 0);
      if (!_lacuna_export_finalize_spooled (self->outdir, self->report_path, self->zip_path,
                                            self->residual, manifest, self->spool, FALSE,
                                            &n_failed, messages, error))
        return FALSE;
      /* The finalizer counts every failure, residual hits in the report included. */
      if (n_failed > lacuna_export_get_n_failed (self))
        self->n_failed_other += n_failed - lacuna_export_get_n_failed (self);
      for (guint i = 0; i < messages->len; i++)
        _lacuna_export_add_problem (self, self->failed, self->output, "error",
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
