/* lacuna-loader.c: finds the files in what the user gave and indexes them in parallel.
 *
 * How a load runs (all on the thread that calls lacuna_loader_load, except step 2):
 *  1. Scan: the paths are expanded into an ordered list of jobs: files found in folders
 *     (entries sorted by name), files a DICOMDIR lists, members of a .zip (read into memory
 *     here, in archive order), and problems found while scanning (a path that does not
 *     exist, a file a DICOMDIR lists that is missing). Each file job is pushed to the pool
 *     as soon as it is found.
 *  2. Index: a GThreadPool (one thread per processor, at most 8) opens each file header-only
 *     and makes its LacunaInstance, or records why it could not. Workers write only into
 *     their own job and into atomics.
 *  3. Files the user named that turned out to be a DICOMDIR (under another name) or a .zip
 *     (under another extension) are expanded, and the new jobs indexed, in a second round.
 *  4. Build: the collection is filled from the jobs in list order, then sorted. The result
 *     never depends on thread timing: which of two duplicates is kept, the problems' order
 *     and the tree's order follow the job list.
 */
#define G_LOG_DOMAIN "lacuna-loader"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <archive.h>
#include <archive_entry.h>

#include "lacuna-error.h"
#include "lacuna-loader.h"

#define DICOMDIR_SOP_CLASS "1.2.840.10008.1.3.10"
/* Archive members larger than this are not read (a DICOM object that big is not something
 * to index from a .zip). */
#define MAX_MEMBER_BYTES (G_GINT64_CONSTANT (2) << 30)
/* Members read ahead of the workers, at most (bytes). */
#define MAX_PENDING_BYTES (64 * 1024 * 1024)

struct _LacunaLoader
{
  GObject                     parent_instance;

  GStrv                       paths;

  LacunaLoaderFileFunc        file_func;
  gpointer                    file_data;
  LacunaLoaderKeepFunc        keep_func;
  gpointer                    keep_data;
  int                         keeping;           /* atomic: files still parsed whole */
  LacunaLoaderFirstImageFunc  first_image_func;
  gpointer                    first_image_data;
  GDestroyNotify              first_image_destroy;

  int                         n_total;           /* atomic */
  int                         n_done;            /* atomic */
  int                         first_image_sent;  /* atomic */
};

G_DEFINE_FINAL_TYPE (LacunaLoader, lacuna_loader, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PATHS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef enum
{
  RESULT_NONE,        /* not indexed yet */
  RESULT_INSTANCE,
  RESULT_SKIPPED,
  RESULT_FAILED,
  RESULT_DICOMDIR,    /* a DICOMDIR: not an instance */
  RESULT_ARCHIVE,     /* not DICOM, but a .zip */
  RESULT_CANCELLED,
} ResultKind;

typedef struct
{
  char           *path;        /* the file, or the archive */
  char           *member;      /* the archive member, or NULL */
  GBytes         *bytes;       /* the member's data until indexed */
  gboolean        given;       /* named by the user (not found in a folder) */

  ResultKind      kind;
  LacunaInstance *instance;
  GError         *error;
} Job;

typedef struct
{
  LacunaLoader *self;
  GCancellable *cancellable;
  GThreadPool  *pool;
  GPtrArray    *jobs;          /* Job, in scan order; only this thread touches the array */
  GHashTable   *seen;          /* "dev:ino" of folders and files already taken */
  GHashTable   *dir_cache;     /* folder → DirListing, for DICOMDIR file IDs */

  GMutex        lock;
  GCond         cond;
  gsize         pending_bytes; /* archive bytes queued but not yet indexed */
} Load;

typedef struct
{
  GHashTable *exact;    /* name → name */
  GHashTable *folded;   /* folded name → name */
} DirListing;

static void
job_free (gpointer data)
{
  Job *job = data;

  g_free (job->path);
  g_free (job->member);
  g_clear_pointer (&job->bytes, g_bytes_unref);
  g_clear_object (&job->instance);
  g_clear_error (&job->error);
  g_free (job);
}

static void
dir_listing_free (gpointer data)
{
  DirListing *listing = data;

  g_hash_table_unref (listing->exact);
  g_hash_table_unref (listing->folded);
  g_free (listing);
}

/* ---------------------------------------------------------------------------------------- */
/* GObject                                                                                  */

static void
lacuna_loader_finalize (GObject *object)
{
  LacunaLoader *self = LACUNA_LOADER (object);

  if (self->first_image_destroy != NULL)
    self->first_image_destroy (self->first_image_data);
  g_clear_pointer (&self->paths, g_strfreev);

  G_OBJECT_CLASS (lacuna_loader_parent_class)->finalize (object);
}

static void
lacuna_loader_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  LacunaLoader *self = LACUNA_LOADER (object);

  switch (prop_id)
    {
    case PROP_PATHS:
      g_value_set_boxed (value, self->paths);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lacuna_loader_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  LacunaLoader *self = LACUNA_LOADER (object);

  switch (prop_id)
    {
    case PROP_PATHS:
      g_strfreev (self->paths);
      self->paths = g_value_dup_boxed (value);
      if (self->paths == NULL)
        self->paths = g_new0 (char *, 1);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lacuna_loader_class_init (LacunaLoaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lacuna_loader_finalize;
  object_class->get_property = lacuna_loader_get_property;
  object_class->set_property = lacuna_loader_set_property;

  properties[PROP_PATHS] =
    g_param_spec_boxed ("paths", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lacuna_loader_init (LacunaLoader *self)
{
}

LacunaLoader *
lacuna_loader_new (const char * const *paths)
{
  return g_object_new (LACUNA_TYPE_LOADER, "paths", paths, NULL);
}

void
lacuna_loader_set_file_func (LacunaLoader         *self,
                             LacunaLoaderFileFunc  func,
                             gpointer              user_data)
{
  g_return_if_fail (LACUNA_IS_LOADER (self));

  self->file_func = func;
  self->file_data = user_data;
}

void
lacuna_loader_set_keep_func (LacunaLoader         *self,
                             LacunaLoaderKeepFunc  func,
                             gpointer              user_data)
{
  g_return_if_fail (LACUNA_IS_LOADER (self));

  self->keep_func = func;
  self->keep_data = user_data;
  g_atomic_int_set (&self->keeping, func != NULL);
}

void
lacuna_loader_stop_keeping (LacunaLoader *self)
{
  g_return_if_fail (LACUNA_IS_LOADER (self));

  g_atomic_int_set (&self->keeping, FALSE);
}

void
lacuna_loader_set_first_image_func (LacunaLoader               *self,
                                    LacunaLoaderFirstImageFunc  func,
                                    gpointer                    user_data,
                                    GDestroyNotify              destroy)
{
  g_return_if_fail (LACUNA_IS_LOADER (self));

  if (self->first_image_destroy != NULL)
    self->first_image_destroy (self->first_image_data);
  self->first_image_func = func;
  self->first_image_data = user_data;
  self->first_image_destroy = destroy;
}

guint
lacuna_loader_get_n_total (LacunaLoader *self)
{
  g_return_val_if_fail (LACUNA_IS_LOADER (self), 0);
  return (guint) g_atomic_int_get (&self->n_total);
}

guint
lacuna_loader_get_n_done (LacunaLoader *self)
{
  g_return_val_if_fail (LACUNA_IS_LOADER (self), 0);
  return (guint) g_atomic_int_get (&self->n_done);
}

/* ---------------------------------------------------------------------------------------- */
/* Indexing (worker threads)                                                                */

static gboolean
file_is_dicomdir (LacunaDicomFile *file)
{
  g_autofree char *sop_class = lacuna_dicom_file_dup_string (file, "00020002", NULL);

  if (sop_class != NULL && strcmp (g_strstrip (sop_class), DICOMDIR_SOP_CLASS) == 0)
    return TRUE;
  return lacuna_dicom_file_has (file, "00041220");
}

static gboolean
starts_like_zip (const char *path)
{
  guint8 magic[4] = { 0, };
  FILE *f = g_fopen (path, "rb");
  size_t n;

  if (f == NULL)
    return FALSE;
  n = fread (magic, 1, sizeof magic, f);
  fclose (f);
  return n == 4 && magic[0] == 'P' && magic[1] == 'K' &&
         ((magic[2] == 3 && magic[3] == 4) || (magic[2] == 5 && magic[3] == 6));
}

static void
index_job (gpointer data,
           gpointer user_data)
{
  Job *job = data;
  Load *load = user_data;
  LacunaLoader *self = load->self;
  g_autoptr(LacunaDicomFile) file = NULL;
  GError *error = NULL;
  gsize n_bytes = 0;

  if (g_cancellable_is_cancelled (load->cancellable))
    {
      job->kind = RESULT_CANCELLED;
    }
  else
    {
      if (job->bytes != NULL)
        {
          g_autofree char *name = g_strdup_printf ("%s › %s", job->path, job->member);

          file = lacuna_dicom_file_open_bytes (job->bytes, name, LACUNA_DICOM_OPEN_HEADER_ONLY,
                                               &error);
        }
      else
        {
          /* Whole (large values stay in the file) when it may be kept and written; what
           * only the rest of the file breaks is then read up to Pixel Data as always, so
           * that it fails when written, as the others, not here. */
          if (g_atomic_int_get (&self->keeping))
            {
              file = lacuna_dicom_file_open (job->path, LACUNA_DICOM_OPEN_DEFAULT, &error);
              if (file == NULL &&
                  !g_error_matches (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_NOT_DICOM))
                g_clear_error (&error);
            }
          if (file == NULL && error == NULL)
            file = lacuna_dicom_file_open (job->path, LACUNA_DICOM_OPEN_HEADER_ONLY, &error);
        }

      if (file == NULL)
        {
          if (g_error_matches (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_NOT_DICOM))
            {
              if (job->given && job->bytes == NULL && starts_like_zip (job->path))
                {
                  job->kind = RESULT_ARCHIVE;
                  g_clear_error (&error);
                }
              else
                {
                  job->kind = RESULT_SKIPPED;
                }
            }
          else
            {
              job->kind = RESULT_FAILED;
            }
          job->error = error;
        }
      else if (file_is_dicomdir (file))
        {
          job->kind = RESULT_DICOMDIR;
        }
      else
        {
          job->kind = RESULT_INSTANCE;
          job->instance = lacuna_instance_new_from_file (file, job->path, job->member);
          /* The header is readable and is shown; the failure is still reported. */
          if (lacuna_dicom_file_pixels_truncated (file))
            job->error = g_error_new_literal (LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_PARSE,
                                              _("Pixel Data runs past the end of the file: "
                                                "the header can be read, the image cannot"));
          if (self->file_func != NULL)
            self->file_func (job->instance, file, self->file_data);
          if (self->keep_func != NULL && self->keep_func (job->instance, file, self->keep_data))
            file = NULL;   /* the keep function's now */
          if (self->first_image_func != NULL &&
              lacuna_instance_has_pixels (job->instance) &&
              g_atomic_int_compare_and_exchange (&self->first_image_sent, 0, 1))
            self->first_image_func (job->instance, self->first_image_data);
        }
    }

  if (job->bytes != NULL)
    {
      n_bytes = g_bytes_get_size (job->bytes);
      g_clear_pointer (&job->bytes, g_bytes_unref);
      g_mutex_lock (&load->lock);
      load->pending_bytes -= n_bytes;
      g_cond_broadcast (&load->cond);
      g_mutex_unlock (&load->lock);
    }

  g_atomic_int_inc (&self->n_done);
}

/* ---------------------------------------------------------------------------------------- */
/* Scanning (the loading thread)                                                            */

static Job *
add_job (Load       *load,
         const char *path,
         const char *member)
{
  Job *job = g_new0 (Job, 1);

  job->path = g_strdup (path);
  job->member = g_strdup (member);
  g_ptr_array_add (load->jobs, job);
  return job;
}

static void
queue_file (Load       *load,
            const char *path,
            gboolean    given)
{
  Job *job = add_job (load, path, NULL);

  job->given = given;
  g_atomic_int_inc (&load->self->n_total);
  g_thread_pool_push (load->pool, job, NULL);
}

static void
add_problem (Load         *load,
             ResultKind    kind,
             const char   *path,
             const char   *member,
             GError       *error)   /* transfer full */
{
  Job *job = add_job (load, path, member);

  job->kind = kind;
  job->error = error;
}

/* TRUE the first time this file or folder is seen (by device and inode, so symbolic links
 * and a file reached both through a DICOMDIR and a folder walk count once, and link loops
 * end). */
static gboolean
mark_seen (Load           *load,
           const GStatBuf *st)
{
  char *key = g_strdup_printf ("%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT,
                               (guint64) st->st_dev, (guint64) st->st_ino);

  return g_hash_table_add (load->seen, key);
}

static GError *
error_from_errno (int         saved_errno,
                  const char *what)
{
  return g_error_new (G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s: %s",
                      what, g_strerror (saved_errno));
}

static gboolean
has_suffix_ci (const char *name,
               const char *suffix)
{
  gsize n = strlen (name), m = strlen (suffix);

  return n >= m && g_ascii_strcasecmp (name + n - m, suffix) == 0;
}

/* Case-folds a name from a CD: lower case, a trailing ISO 9660 version (";1") and a
 * trailing dot removed. */
static char *
fold_name (const char *name)
{
  char *folded = g_ascii_strdown (name, -1);
  char *semicolon = strrchr (folded, ';');
  gsize len;

  if (semicolon != NULL && semicolon[1] != '\0' &&
      strspn (semicolon + 1, "0123456789") == strlen (semicolon + 1))
    *semicolon = '\0';
  len = strlen (folded);
  if (len > 1 && folded[len - 1] == '.')
    folded[len - 1] = '\0';
  return folded;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

/* The folder's entries, sorted by name; NULL with error when it cannot be read. */
static GPtrArray *
list_dir (const char  *dir,
          GError     **error)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, error);
  GPtrArray *names;
  const char *name;

  if (d == NULL)
    return NULL;
  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  return names;
}

static DirListing *
get_dir_listing (Load       *load,
                 const char *dir)
{
  DirListing *listing = g_hash_table_lookup (load->dir_cache, dir);
  g_autoptr(GPtrArray) names = NULL;

  if (listing != NULL)
    return listing;

  listing = g_new0 (DirListing, 1);
  listing->exact = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  listing->folded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  names = list_dir (dir, NULL);
  for (guint i = 0; names != NULL && i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      char *folded = fold_name (name);

      g_hash_table_add (listing->exact, g_strdup (name));
      /* On a clash the first name in sorted order wins. */
      if (!g_hash_table_contains (listing->folded, folded))
        g_hash_table_insert (listing->folded, folded, g_strdup (name));
      else
        g_free (folded);
    }
  g_hash_table_insert (load->dir_cache, g_strdup (dir), listing);
  return listing;
}

/* Finds root/c0/c1/… on disk, matching each component exactly or else case-insensitively. */
static char *
resolve_file_id (Load        *load,
                 const char  *root,
                 char       **components)
{
  g_autofree char *path = g_strdup (root);

  for (guint i = 0; components[i] != NULL; i++)
    {
      DirListing *listing = get_dir_listing (load, path);
      const char *name;
      char *next;

      if (g_hash_table_contains (listing->exact, components[i]))
        {
          name = components[i];
        }
      else
        {
          g_autofree char *folded = fold_name (components[i]);

          name = g_hash_table_lookup (listing->folded, folded);
          if (name == NULL)
            return NULL;
        }
      next = g_build_filename (path, name, NULL);
      g_free (path);
      path = next;
    }
  return g_steal_pointer (&path);
}

/* The Referenced File IDs (0004,1500) of every directory record, split into components,
 * in record order. Records that reference no file (PATIENT, STUDY, SERIES) have none.
 * The record hierarchy is not needed: the files themselves say where they belong. */
static GPtrArray *
dup_file_ids (LacunaDicomFile *file)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  guint n = lacuna_dicom_file_count_items (file, "00041220");

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_strdup_printf ("00041220/%u/00041500", i);
      g_autofree char *value = lacuna_dicom_file_dup_string (file, path, NULL);
      g_auto(GStrv) parts = NULL;
      GPtrArray *components;

      if (value == NULL || *g_strstrip (value) == '\0')
        continue;
      parts = g_strsplit (value, "\\", -1);
      components = g_ptr_array_new ();
      for (guint j = 0; parts[j] != NULL; j++)
        {
          char *component = g_strstrip (parts[j]);

          if (*component == '\0')
            continue;
          g_ptr_array_add (components, g_strdup (component));
        }
      g_ptr_array_add (components, NULL);
      g_ptr_array_add (ids, g_ptr_array_free (components, FALSE));
    }
  return ids;
}

/* A file ID must stay below the DICOMDIR's folder. */
static gboolean
file_id_is_safe (char **components)
{
  if (components[0] == NULL)
    return FALSE;
  for (guint i = 0; components[i] != NULL; i++)
    {
      if (strcmp (components[i], ".") == 0 || strcmp (components[i], "..") == 0 ||
          strchr (components[i], '/') != NULL)
        return FALSE;
    }
  return TRUE;
}

static GError *
dicomdir_error (const char *message)
{
  return g_error_new_literal (LACUNA_LOAD_ERROR, LACUNA_LOAD_ERROR_DICOMDIR, message);
}

static void queue_path (Load *load, const char *path, const GStatBuf *st, gboolean given);

/* Queues the files the DICOMDIR at path lists. Returns FALSE when path is not a DICOMDIR
 * after all (the caller then treats it as an ordinary file). */
static gboolean
follow_dicomdir (Load       *load,
                 const char *path)
{
  g_autoptr(LacunaDicomFile) file = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  g_autofree char *root = NULL;
  GError *error = NULL;

  file = lacuna_dicom_file_open (path, LACUNA_DICOM_OPEN_DEFAULT, &error);
  if (file == NULL)
    {
      if (g_error_matches (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_NOT_DICOM))
        {
          g_clear_error (&error);
          return FALSE;
        }
      add_problem (load, RESULT_FAILED, path, NULL, error);
      return TRUE;
    }
  if (!file_is_dicomdir (file))
    return FALSE;

  root = g_path_get_dirname (path);
  ids = dup_file_ids (file);
  for (guint i = 0; i < ids->len; i++)
    {
      char **components = g_ptr_array_index (ids, i);
      g_autofree char *joined = g_strjoinv (G_DIR_SEPARATOR_S, components);
      g_autofree char *listed = g_build_filename (root, joined, NULL);
      g_autofree char *resolved = NULL;
      GStatBuf st;

      if (g_cancellable_is_cancelled (load->cancellable))
        return TRUE;
      if (!file_id_is_safe (components))
        {
          add_problem (load, RESULT_FAILED, path, NULL,
                       dicomdir_error ("A (0004,1500) ReferencedFileID in the DICOMDIR points "
                                       "outside its folder"));
          continue;
        }
      resolved = resolve_file_id (load, root, components);
      if (resolved == NULL || g_stat (resolved, &st) != 0 || !S_ISREG (st.st_mode))
        {
          add_problem (load, RESULT_FAILED, listed, NULL,
                       dicomdir_error ("A file listed in the DICOMDIR is missing"));
          continue;
        }
      queue_path (load, resolved, &st, FALSE);
    }
  return TRUE;
}

static gboolean
read_member (struct archive  *a,
             gint64           size,
             GBytes         **out_bytes,
             GError         **error)
{
  GByteArray *data = g_byte_array_sized_new (size > 0 ? (guint) size : 0);
  guint8 buffer[64 * 1024];
  la_ssize_t n;

  while ((n = archive_read_data (a, buffer, sizeof buffer)) > 0)
    {
      if ((gint64) data->len + n > MAX_MEMBER_BYTES)
        {
          g_byte_array_unref (data);
          g_set_error_literal (error, LACUNA_LOAD_ERROR, LACUNA_LOAD_ERROR_ARCHIVE,
                               "The archive member is too large to index");
          return FALSE;
        }
      g_byte_array_append (data, buffer, (guint) n);
    }
  if (n < 0)
    {
      g_byte_array_unref (data);
      g_set_error (error, LACUNA_LOAD_ERROR, LACUNA_LOAD_ERROR_ARCHIVE,
                   "Cannot read the archive member: %s",
                   archive_error_string (a) ? archive_error_string (a) : "unknown error");
      return FALSE;
    }
  *out_bytes = g_byte_array_free_to_bytes (data);
  return TRUE;
}

/* A member name as compared with DICOMDIR file IDs: without "./", folded per component. */
static char *
fold_member_path (const char *member)
{
  g_auto(GStrv) parts = g_strsplit (member, "/", -1);
  GString *out = g_string_new (NULL);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autofree char *folded = NULL;

      if (*parts[i] == '\0' || strcmp (parts[i], ".") == 0)
        continue;
      folded = fold_name (parts[i]);
      if (out->len > 0)
        g_string_append_c (out, '/');
      g_string_append (out, folded);
    }
  return g_string_free (out, FALSE);
}

/* Reports the files a DICOMDIR member lists that the archive does not hold. Everything in
 * the archive is indexed anyway. */
static void
check_archive_dicomdir (Load       *load,
                        const char *archive_path,
                        const char *member,
                        GBytes     *bytes,
                        GHashTable *folded_members)
{
  g_autofree char *name = g_strdup_printf ("%s › %s", archive_path, member);
  g_autoptr(LacunaDicomFile) file = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  g_autofree char *folded_member = fold_member_path (member);
  g_autofree char *prefix = NULL;
  char *slash;

  file = lacuna_dicom_file_open_bytes (bytes, name, LACUNA_DICOM_OPEN_DEFAULT, NULL);
  if (file == NULL || !file_is_dicomdir (file))
    return;   /* the worker reports it like any other member */

  slash = strrchr (folded_member, '/');
  prefix = slash ? g_strndup (folded_member, slash - folded_member + 1) : g_strdup ("");
  ids = dup_file_ids (file);
  for (guint i = 0; i < ids->len; i++)
    {
      char **components = g_ptr_array_index (ids, i);
      g_autofree char *joined = g_strjoinv ("/", components);
      g_autofree char *folded = fold_member_path (joined);
      g_autofree char *wanted = g_strconcat (prefix, folded, NULL);

      if (!file_id_is_safe (components))
        {
          add_problem (load, RESULT_FAILED, archive_path, member,
                       dicomdir_error ("A (0004,1500) ReferencedFileID in the DICOMDIR points "
                                       "outside its folder"));
          continue;
        }
      if (!g_hash_table_contains (folded_members, wanted))
        {
          const char *member_slash = strrchr (member, '/');
          g_autofree char *member_dir = member_slash ? g_strndup (member, member_slash - member + 1)
                                                     : g_strdup ("");
          g_autofree char *listed = g_strconcat (member_dir, joined, NULL);

          add_problem (load, RESULT_FAILED, archive_path, listed,
                       dicomdir_error ("A file listed in the DICOMDIR is missing"));
        }
    }
}

static void
expand_archive (Load       *load,
                const char *path)
{
  struct archive *a = archive_read_new ();
  struct archive_entry *entry;
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) folded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) dicomdirs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) dicomdir_bytes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  int r;

  archive_read_support_format_zip (a);
  if (archive_read_open_filename (a, path, 64 * 1024) != ARCHIVE_OK)
    {
      add_problem (load, RESULT_FAILED, path, NULL,
                   g_error_new (LACUNA_LOAD_ERROR, LACUNA_LOAD_ERROR_ARCHIVE,
                                "Cannot read the archive: %s", archive_error_string (a)));
      archive_read_free (a);
      return;
    }

  while ((r = archive_read_next_header (a, &entry)) == ARCHIVE_OK || r == ARCHIVE_WARN)
    {
      const char *member = archive_entry_pathname_utf8 (entry);
      g_autofree char *base = NULL;
      GBytes *bytes = NULL;
      GError *error = NULL;
      Job *job;

      if (g_cancellable_is_cancelled (load->cancellable))
        break;
      if (member == NULL)
        member = archive_entry_pathname (entry);
      if (member == NULL || archive_entry_filetype (entry) != AE_IFREG)
        continue;
      if (!g_hash_table_add (names, g_strdup (member)))
        {
          /* lacuna_instance_open() finds members by name: a second one could not be
           * opened again. */
          add_problem (load, RESULT_SKIPPED, path, member,
                       g_error_new_literal (LACUNA_LOAD_ERROR, LACUNA_LOAD_ERROR_ARCHIVE,
                                            "The archive holds another member with this name"));
          continue;
        }
      g_hash_table_add (folded, fold_member_path (member));

      if (archive_entry_size_is_set (entry) && archive_entry_size (entry) > MAX_MEMBER_BYTES)
        {
          add_problem (load, RESULT_FAILED, path, member,
                       g_error_new_literal (LACUNA_LOAD_ERROR, LACUNA_LOAD_ERROR_ARCHIVE,
                                            "The archive member is too large to index"));
          continue;
        }
      if (!read_member (a, archive_entry_size_is_set (entry) ? archive_entry_size (entry) : 0,
                        &bytes, &error))
        {
          add_problem (load, RESULT_FAILED, path, member, error);
          continue;
        }

      base = g_path_get_basename (member);
      if (g_ascii_strcasecmp (base, "DICOMDIR") == 0)
        {
          g_ptr_array_add (dicomdirs, g_strdup (member));
          g_ptr_array_add (dicomdir_bytes, g_bytes_ref (bytes));
        }

      /* Do not read far ahead of the workers. */
      g_mutex_lock (&load->lock);
      while (load->pending_bytes > 0 &&
             load->pending_bytes + g_bytes_get_size (bytes) > MAX_PENDING_BYTES)
        g_cond_wait (&load->cond, &load->lock);
      load->pending_bytes += g_bytes_get_size (bytes);
      g_mutex_unlock (&load->lock);

      job = add_job (load, path, member);
      job->bytes = bytes;
      g_atomic_int_inc (&load->self->n_total);
      g_thread_pool_push (load->pool, job, NULL);
    }

  if (r != ARCHIVE_EOF && r != ARCHIVE_OK && r != ARCHIVE_WARN)
    add_problem (load, RESULT_FAILED, path, NULL,
                 g_error_new (LACUNA_LOAD_ERROR, LACUNA_LOAD_ERROR_ARCHIVE,
                              "Cannot read the archive: %s", archive_error_string (a)));
  archive_read_free (a);

  for (guint i = 0; i < dicomdirs->len; i++)
    check_archive_dicomdir (load, path, g_ptr_array_index (dicomdirs, i),
                            g_ptr_array_index (dicomdir_bytes, i), folded);
}

static void
walk_dir (Load       *load,
          const char *dir)
{
  g_autoptr(GPtrArray) names = NULL;
  GError *error = NULL;

  names = list_dir (dir, &error);
  if (names == NULL)
    {
      add_problem (load, RESULT_FAILED, dir, NULL, error);
      return;
    }

  /* A DICOMDIR first: its files come first, and the files it lists but which are missing
   * are reported. The walk then takes everything else (already taken files count once). */
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *path = NULL;
      GStatBuf st;

      if (g_ascii_strcasecmp (name, "DICOMDIR") != 0)
        continue;
      path = g_build_filename (dir, name, NULL);
      if (g_stat (path, &st) == 0 && S_ISREG (st.st_mode) && mark_seen (load, &st))
        {
          if (!follow_dicomdir (load, path))
            queue_file (load, path, FALSE);
        }
    }

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      GStatBuf st;

      if (g_cancellable_is_cancelled (load->cancellable))
        return;
      if (g_stat (path, &st) != 0)
        {
          int saved_errno = errno;

          /* A dangling symbolic link, or a name that vanished. */
          add_problem (load, RESULT_SKIPPED, path, NULL,
                       error_from_errno (saved_errno, "Cannot read the file"));
          continue;
        }
      queue_path (load, path, &st, FALSE);
    }
}

/* Takes a found file or folder (once). */
static void
queue_path (Load           *load,
            const char     *path,
            const GStatBuf *st,
            gboolean        given)
{
  if (!S_ISDIR (st->st_mode) && !S_ISREG (st->st_mode))
    return;   /* devices, pipes, sockets: never opened */
  if (!mark_seen (load, st))
    return;
  if (S_ISDIR (st->st_mode))
    walk_dir (load, path);
  else if (has_suffix_ci (path, ".zip"))
    expand_archive (load, path);
  else
    queue_file (load, path, given);
}

/* Expands one path the user gave. FALSE when it does not exist. */
static gboolean
scan_given_path (Load       *load,
                 const char *given)
{
  g_autofree char *path = g_canonicalize_filename (given, NULL);
  g_autofree char *base = g_path_get_basename (path);
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    {
      int saved_errno = errno;

      add_problem (load, RESULT_FAILED, path, NULL,
                   error_from_errno (saved_errno, "Cannot open the file or folder"));
      return FALSE;
    }
  if (!S_ISDIR (st.st_mode) && !S_ISREG (st.st_mode))
    {
      add_problem (load, RESULT_SKIPPED, path, NULL,
                   g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                                        "Not a regular file or folder"));
      return TRUE;
    }
  if (S_ISREG (st.st_mode) && g_ascii_strcasecmp (base, "DICOMDIR") == 0)
    {
      if (!mark_seen (load, &st))
        return TRUE;
      if (!follow_dicomdir (load, path))
        queue_file (load, path, TRUE);
      return TRUE;
    }
  queue_path (load, path, &st, TRUE);
  return TRUE;
}

static GThreadPool *
new_pool (Load *load)
{
  int n = (int) CLAMP (g_get_num_processors (), 1, 8);

  return g_thread_pool_new (index_job, load, n, FALSE, NULL);
}

static void
wait_pool (Load *load)
{
  g_thread_pool_free (load->pool, FALSE, TRUE);
  load->pool = NULL;
}

LacunaCollection *
lacuna_loader_load (LacunaLoader  *self,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(LacunaCollection) collection = NULL;
  gboolean any_exists = FALSE;
  guint start = 0;
  Load load = { 0, };

  g_return_val_if_fail (LACUNA_IS_LOADER (self), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  lacuna_dicom_init ();

  g_atomic_int_set (&self->n_total, 0);
  g_atomic_int_set (&self->n_done, 0);
  g_atomic_int_set (&self->first_image_sent, 0);

  load.self = self;
  load.cancellable = cancellable;
  load.jobs = g_ptr_array_new_with_free_func (job_free);
  load.seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  load.dir_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, dir_listing_free);
  g_mutex_init (&load.lock);
  g_cond_init (&load.cond);

  load.pool = new_pool (&load);
  for (guint i = 0; self->paths[i] != NULL; i++)
    {
      if (g_cancellable_is_cancelled (cancellable))
        break;
      if (scan_given_path (&load, self->paths[i]))
        any_exists = TRUE;
    }
  wait_pool (&load);

  /* Second round: named files that turned out to be DICOMDIRs or archives. */
  while (!g_cancellable_is_cancelled (cancellable) && start < load.jobs->len)
    {
      guint end = load.jobs->len;

      load.pool = new_pool (&load);
      for (guint i = start; i < end; i++)
        {
          Job *job = g_ptr_array_index (load.jobs, i);

          if (!job->given)
            continue;
          if (job->kind == RESULT_DICOMDIR)
            follow_dicomdir (&load, job->path);
          else if (job->kind == RESULT_ARCHIVE)
            expand_archive (&load, job->path);
        }
      wait_pool (&load);
      start = end;
    }

  g_hash_table_unref (load.dir_cache);
  g_hash_table_unref (load.seen);
  g_mutex_clear (&load.lock);
  g_cond_clear (&load.cond);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      g_ptr_array_unref (load.jobs);
      return NULL;
    }
  if (!any_exists)
    {
      g_ptr_array_unref (load.jobs);
      g_set_error_literal (error, LACUNA_LOAD_ERROR, LACUNA_LOAD_ERROR_NOTHING_FOUND,
                           "None of the given files or folders exists");
      return NULL;
    }

  collection = lacuna_collection_new ();
  for (guint i = 0; i < load.jobs->len; i++)
    {
      Job *job = g_ptr_array_index (load.jobs, i);
      g_autofree char *path = NULL;

      if (job->member != NULL)
        path = g_strdup_printf ("%s › %s", job->path, job->member);
      else
        path = g_strdup (job->path);

      switch (job->kind)
        {
        case RESULT_INSTANCE:
          lacuna_collection_add_instance (collection, job->instance);
          if (job->error != NULL)
            lacuna_collection_add_problem (collection, LACUNA_PROBLEM_FAILED, path, job->error);
          break;
        case RESULT_SKIPPED:
          lacuna_collection_add_problem (collection, LACUNA_PROBLEM_SKIPPED, path, job->error);
          break;
        case RESULT_FAILED:
          lacuna_collection_add_problem (collection, LACUNA_PROBLEM_FAILED, path, job->error);
          break;
        case RESULT_NONE:
        case RESULT_DICOMDIR:
        case RESULT_ARCHIVE:
        case RESULT_CANCELLED:
        default:
          break;
        }
    }
  g_ptr_array_unref (load.jobs);

  lacuna_collection_sort (collection);
  return g_steal_pointer (&collection);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LacunaLoader *self = source_object;
  GError *error = NULL;
  LacunaCollection *collection;

  collection = lacuna_loader_load (self, cancellable, &error);
  if (collection != NULL)
    g_task_return_pointer (task, collection, g_object_unref);
  else
    g_task_return_error (task, error);
}

void
lacuna_loader_load_async (LacunaLoader        *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LACUNA_IS_LOADER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lacuna_loader_load_async);
  g_task_run_in_thread (task, load_thread);
}

LacunaCollection *
lacuna_loader_load_finish (LacunaLoader  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (LACUNA_IS_LOADER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
