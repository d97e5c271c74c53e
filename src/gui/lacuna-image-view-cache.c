/* lacuna-image-view-cache.c: decoding frames in worker threads, ahead of the one shown, and
 * keeping them in a cache bounded in bytes.
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One process-wide pool of decoding threads serves every view. A job decodes one position
 * (open + decode; a multi-frame file stays open between jobs) and hands the LacunaFrame back
 * to the main context. Jobs are sorted by their distance to the position shown when they
 * were asked for; a job whose position has since moved out of reach, or whose model was
 * replaced, is dropped without decoding. The worker touches only the job, the shared block
 * (its open file under its mutex, atomics) and immutable instances; results are handled in
 * the thread that runs the view's main context.
 *
 * The cache and the requests in flight are keyed by position; when the model is replaced by
 * the same series in another order or with more slices (replace_model: a series filling in
 * while a study is indexed), _lacuna_image_view_cache_remap() moves them along, and a job's
 * result is filed under the position its (instance, frame) has when it arrives.
 *
 * The cache keeps decoded frames (stored values, about 0.5 MB for a 512×512 CT slice), not
 * windowed images, so that changing the window re-renders only the frame shown. A job also
 * windows its frame under the window the view had when it asked, and the entry keeps that
 * image until its slice is shown: a step then costs the main thread no windowing unless the
 * window changed meanwhile. When the cache is over its limit, the frames farthest from the
 * current position go first (frames behind count double: the user is more likely to keep
 * going).
 */

#define G_LOG_DOMAIN "lacuna-image-view"

#include "config.h"

#include <stdlib.h>
#include <sys/mman.h>

#include <glib/gi18n.h>

#include "lacuna-image-view-private.h"

/* Positions decoded ahead of the current one, and behind it. */
#define DECODE_AHEAD  16
#define DECODE_BEHIND 3
#define DEFAULT_CACHE_LIMIT ((gsize) 128 * 1024 * 1024)
#define MAX_SIDE 32767

struct _LacunaImageViewShared
{
  gatomicrefcount  ref_count;
  GWeakRef         view;
  GMainContext    *context;
  int              generation;     /* atomic: the model that still matters */
  int              position;       /* atomic: the position shown */
  int              reach;          /* atomic: jobs farther than this from position are dropped */
  guint            serial;         /* main thread: bumped by every job */
  GMutex           mutex;          /* guards the open multi-frame file */
  LacunaInstance  *file_instance;
  LacunaDicomFile *file;
};

/* A frame windowed by the decoding thread, under the window the view had when it asked:
 * showing it then costs the main thread nothing when the window is still the same. */
typedef struct
{
  cairo_surface_t *surface;
  double           center;
  double           width;
  gboolean         uses_lut;
} Windowed;

static gsize
windowed_size (const Windowed *windowed)
{
  if (windowed->surface == NULL)
    return 0;
  return (gsize) cairo_image_surface_get_stride (windowed->surface)
         * cairo_image_surface_get_height (windowed->surface);
}

typedef struct
{
  LacunaImageViewShared *shared;
  LacunaInstance        *instance;
  guint                  frame_index;
  guint                  position;
  int                    generation;
  guint                  distance;
  guint                  serial;
  char                  *preset;           /* the state's window when asked for */
  double                 state_center;
  double                 state_width;

  /* Results. */
  gboolean               dropped;
  LacunaFrame           *frame;
  GHashTable            *attributes;
  GError                *error;
  Windowed               windowed;
} Job;

typedef struct
{
  LacunaFrame *frame;        /* NULL when decoding failed */
  GHashTable  *attributes;
  GError      *error;
  Windowed     windowed;     /* given to the view when shown */
  gsize        size;
} CacheEntry;

/* Attributes read for the corner annotations (and cine), by keyword. */
static const struct { const char *keyword; const char *path; } attribute_paths[] = {
  { "PatientBirthDate",              "00100030" },
  { "PatientSex",                    "00100040" },
  { "PatientAge",                    "00101010" },
  { "InstitutionName",               "00080080" },
  { "StudyTime",                     "00080030" },
  { "SliceLocation",                 "00201041" },
  { "SliceThickness",                "00180050" },
  { "WindowCenterWidthExplanation",  "00281055" },
  { "FrameTime",                     "00181063" },
  { "CineRate",                      "00180040" },
  { "RecommendedDisplayFrameRate",   "00082144" },
};

static LacunaImageViewShared *
shared_ref (LacunaImageViewShared *shared)
{
  g_atomic_ref_count_inc (&shared->ref_count);
  return shared;
}

static void
shared_unref (LacunaImageViewShared *shared)
{
  if (!g_atomic_ref_count_dec (&shared->ref_count))
    return;

  g_clear_pointer (&shared->file, lacuna_dicom_file_free);
  g_clear_object (&shared->file_instance);
  g_weak_ref_clear (&shared->view);
  g_main_context_unref (shared->context);
  g_mutex_clear (&shared->mutex);
  g_free (shared);
}

LacunaImageViewShared *
_lacuna_image_view_shared_new (LacunaImageView *self)
{
  LacunaImageViewShared *shared = g_new0 (LacunaImageViewShared, 1);

  g_atomic_ref_count_init (&shared->ref_count);
  g_weak_ref_init (&shared->view, self);
  shared->context = g_main_context_ref_thread_default ();
  shared->reach = DECODE_AHEAD + DECODE_BEHIND;
  g_mutex_init (&shared->mutex);
  return shared;
}

void
_lacuna_image_view_shared_release (LacunaImageViewShared *shared)
{
  g_weak_ref_set (&shared->view, NULL);
  g_atomic_int_inc (&shared->generation);
  shared_unref (shared);
}

static void
job_free (gpointer data)
{
  Job *job = data;

  g_clear_pointer (&job->shared, shared_unref);
  g_clear_object (&job->instance);
  g_clear_object (&job->frame);
  g_clear_pointer (&job->attributes, g_hash_table_unref);
  g_clear_error (&job->error);
  g_clear_pointer (&job->windowed.surface, cairo_surface_destroy);
  g_free (job->preset);
  g_free (job);
}

static void
cache_entry_free (gpointer data)
{
  CacheEntry *entry = data;

  g_clear_object (&entry->frame);
  g_clear_pointer (&entry->attributes, g_hash_table_unref);
  g_clear_error (&entry->error);
  g_clear_pointer (&entry->windowed.surface, cairo_surface_destroy);
  g_free (entry);
}

/* ------------------------------------------------------------------------------------- */
/* Worker side                                                                           */

static GHashTable *
read_attributes (LacunaDicomFile *file)
{
  GHashTable *attributes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  for (guint i = 0; i < G_N_ELEMENTS (attribute_paths); i++)
    {
      char *value = lacuna_dicom_file_dup_string (file, attribute_paths[i].path, NULL);

      if (value != NULL && *value != '\0')
        g_hash_table_insert (attributes, (gpointer) attribute_paths[i].keyword, value);
      else
        g_free (value);
    }
  return attributes;
}

/* Refuses frames too large to render (cairo's limit), with a GError. */
static LacunaFrame *
check_size (LacunaFrame  *frame,
            GError      **error)
{
  guint w = lacuna_frame_get_width (frame);
  guint h = lacuna_frame_get_height (frame);

  if (w == 0 || h == 0 || w > MAX_SIDE || h > MAX_SIDE)
    {
      g_object_unref (frame);
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_TOO_LARGE,
                   _("The image is too large to show (%u × %u)"), w, h);
      return NULL;
    }
  return frame;
}

static gboolean
is_wanted (Job *job)
{
  int position = g_atomic_int_get (&job->shared->position);

  return g_atomic_int_get (&job->shared->generation) == job->generation
         && ABS ((int) job->position - position) <= g_atomic_int_get (&job->shared->reach);
}

/* The windowed images are mapped and unmapped on their own rather than taken from malloc:
 * made in the decoding threads and freed in the main one, 1 MB blocks from the threads'
 * malloc arenas were not given back, and the process grew by 60 MB while browsing. */
typedef struct
{
  void  *pixels;
  gsize  size;
} Mapping;

static const cairo_user_data_key_t mapping_key;

static void
mapping_free (void *data)
{
  Mapping *mapping = data;

  munmap (mapping->pixels, mapping->size);
  g_free (mapping);
}

static cairo_surface_t *
new_mapped_surface (int width,
                    int height)
{
  int stride = cairo_format_stride_for_width (CAIRO_FORMAT_RGB24, width);
  cairo_surface_t *surface;
  Mapping *mapping;

  if (stride <= 0 || height <= 0)
    return NULL;
  mapping = g_new (Mapping, 1);
  mapping->size = (gsize) stride * height;
  mapping->pixels = mmap (NULL, mapping->size, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapping->pixels == MAP_FAILED)
    {
      g_free (mapping);
      return NULL;
    }
  surface = cairo_image_surface_create_for_data (mapping->pixels, CAIRO_FORMAT_RGB24,
                                                 width, height, stride);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS
      || cairo_surface_set_user_data (surface, &mapping_key, mapping,
                                      mapping_free) != CAIRO_STATUS_SUCCESS)
    {
      cairo_surface_destroy (surface);
      mapping_free (mapping);
      return NULL;
    }
  return surface;
}

/* The frame is this thread's until the job is handed back: windowing it here is safe. */
static void
window_job (Job *job)
{
  Windowed *windowed = &job->windowed;
  cairo_surface_t *surface;

  _lacuna_image_view_window_for_frame (job->frame, job->preset,
                                       job->state_center, job->state_width,
                                       &windowed->center, &windowed->width, &windowed->uses_lut);
  surface = new_mapped_surface ((int) lacuna_frame_get_width (job->frame),
                                (int) lacuna_frame_get_height (job->frame));
  if (surface == NULL)
    return;
  lacuna_frame_render_xrgb32 (job->frame, windowed->center, windowed->width, windowed->uses_lut,
                              cairo_image_surface_get_data (surface),
                              cairo_image_surface_get_stride (surface));
  cairo_surface_mark_dirty (surface);
  windowed->surface = surface;
}

static void
decode_job (Job *job)
{
  LacunaImageViewShared *shared = job->shared;
  g_autoptr(LacunaDicomFile) own = NULL;
  gboolean multi = lacuna_instance_get_n_frames (job->instance) > 1;
  LacunaDicomFile *file;

  if (multi)
    {
      g_mutex_lock (&shared->mutex);
      /* The position may have moved on while this job waited for the lock. */
      if (!is_wanted (job))
        {
          g_mutex_unlock (&shared->mutex);
          job->dropped = TRUE;
          return;
        }
      if (shared->file_instance != job->instance)
        {
          g_clear_pointer (&shared->file, lacuna_dicom_file_free);
          g_clear_object (&shared->file_instance);
          shared->file = lacuna_instance_open (job->instance, &job->error);
          if (shared->file != NULL)
            shared->file_instance = g_object_ref (job->instance);
        }
      file = shared->file;
    }
  else
    file = own = lacuna_instance_open (job->instance, &job->error);

  if (file != NULL)
    {
      job->frame = lacuna_frame_decode (file, job->frame_index, &job->error);
      job->attributes = read_attributes (file);
    }

  if (multi)
    g_mutex_unlock (&shared->mutex);

  if (job->frame != NULL)
    job->frame = check_size (job->frame, &job->error);
  if (job->frame != NULL)
    window_job (job);
}

static gboolean job_done_cb (gpointer data);

static void
pool_func (gpointer data,
           gpointer user_data)
{
  Job *job = data;
  GSource *source;

  if (is_wanted (job))
    decode_job (job);
  else
    job->dropped = TRUE;

  /* Not g_main_context_invoke(): when no thread is iterating the context at that moment
   * (a test between iterations), it runs the function right here, in the worker. */
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, job_done_cb, job, job_free);
  g_source_set_static_name (source, "[lacuna] decoded frame");
  g_source_attach (source, job->shared->context);
  g_source_unref (source);
}

static int
compare_jobs (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  const Job *ja = a, *jb = b;

  if (ja->distance != jb->distance)
    return ja->distance < jb->distance ? -1 : 1;
  /* The same distance: the more recent request first. */
  if (ja->serial != jb->serial)
    return ja->serial > jb->serial ? -1 : 1;
  return 0;
}

static GMutex pool_lock;
static GThreadPool *pool;
static gboolean pool_closed;

/* At exit, before the C++ libraries' static destructors (registered earlier, so run later):
 * queued jobs are dropped and the running ones finish, so that no worker is inside DCMTK
 * while it is torn down. */
static void
drain_pool (void)
{
  GThreadPool *old;

  g_mutex_lock (&pool_lock);
  old = g_steal_pointer (&pool);
  pool_closed = TRUE;
  g_mutex_unlock (&pool_lock);

  if (old != NULL)
    g_thread_pool_free (old, TRUE, TRUE);
}

static GThreadPool *
get_pool (void)
{
  GThreadPool *result;

  g_mutex_lock (&pool_lock);
  if (pool == NULL && !pool_closed)
    {
      /* Leave a core for drawing; the machine may be small. */
      guint n = CLAMP (g_get_num_processors () - 1, 1, 3);

      pool = g_thread_pool_new (pool_func, NULL, n, FALSE, NULL);
      g_thread_pool_set_sort_function (pool, compare_jobs, NULL);
      atexit (drain_pool);
    }
  result = pool;
  g_mutex_unlock (&pool_lock);

  return result;
}

/* ------------------------------------------------------------------------------------- */
/* Main thread                                                                           */

static gsize
frame_size (LacunaFrame *frame)
{
  GBytes *stored = lacuna_frame_get_stored (frame);
  gsize n = (gsize) lacuna_frame_get_width (frame) * lacuna_frame_get_height (frame);
  gsize size = 1024 + (stored ? g_bytes_get_size (stored) : 0);

  /* Colour frames keep an RGB copy; grey ones a render table (at most 64 KiB). */
  size += lacuna_frame_is_color (frame) ? n * 3 : 65536;
  return size;
}

static guint
current_position (LacunaImageView *self)
{
  return lacuna_view_state_get_position (self->state);
}

static guint
distance_of (LacunaImageView *self,
             guint            position)
{
  guint current = current_position (self);
  gboolean behind = self->direction > 0 ? position < current : position > current;
  guint d = position > current ? position - current : current - position;

  return behind ? d * 2 : d;
}

static void
evict (LacunaImageView *self)
{
  guint current = current_position (self);

  while (self->cache_size > self->cache_limit)
    {
      GHashTableIter iter;
      gpointer key, value;
      guint worst = G_MAXUINT, worst_distance = 0;
      CacheEntry *entry;

      g_hash_table_iter_init (&iter, self->cache);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          guint position = GPOINTER_TO_UINT (key);
          guint d = distance_of (self, position);

          if (position != current && (worst == G_MAXUINT || d > worst_distance))
            {
              worst = position;
              worst_distance = d;
            }
        }
      if (worst == G_MAXUINT)
        break;

      entry = g_hash_table_lookup (self->cache, GUINT_TO_POINTER (worst));
      self->cache_size -= entry->size;
      g_hash_table_remove (self->cache, GUINT_TO_POINTER (worst));
    }
}

static void
submit (LacunaImageView *self,
        guint            position,
        guint            distance)
{
  const Slice *slice = &g_array_index (self->slices, Slice, position);
  GThreadPool *decode_pool = get_pool ();
  Job *job;
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (self->pending, GUINT_TO_POINTER (position)));

  if (decode_pool == NULL)   /* exiting */
    return;

  job = g_new0 (Job, 1);
  job->shared = shared_ref (self->shared);
  job->instance = g_object_ref (slice->instance);
  job->frame_index = slice->frame;
  job->position = position;
  job->generation = g_atomic_int_get (&self->shared->generation);
  job->distance = distance;
  job->serial = ++self->shared->serial;
  job->preset = g_strdup (lacuna_view_state_get_window_preset (self->state));
  job->state_center = lacuna_view_state_get_window_center (self->state);
  job->state_width = lacuna_view_state_get_window_width (self->state);

  g_hash_table_insert (self->pending, GUINT_TO_POINTER (position), GUINT_TO_POINTER (n + 1));
  g_thread_pool_push (decode_pool, job, NULL);
}

/* How many positions ahead fit in the cache beside the ones behind. */
static guint
ahead_count (LacunaImageView *self)
{
  gsize one;
  gsize fit;

  if (self->frame != NULL)
    one = frame_size (self->frame);
  else if (self->slices != NULL && self->slices->len > 0)
    {
      const Slice *slice = &g_array_index (self->slices, Slice, current_position (self));

      one = (gsize) lacuna_instance_get_rows (slice->instance)
            * lacuna_instance_get_columns (slice->instance) * 2 + 65536;
    }
  else
    return 0;

  fit = self->cache_limit / MAX (one, 1);
  if (fit <= DECODE_BEHIND + 1)
    return fit > 1 ? 1 : 0;
  return MIN (DECODE_AHEAD, fit - DECODE_BEHIND - 1);
}

static void
decode_ahead (LacunaImageView *self)
{
  guint current = current_position (self);
  guint n = self->slices->len;
  guint ahead = ahead_count (self);
  guint behind = ahead > DECODE_BEHIND ? DECODE_BEHIND : 0;

  for (guint d = 1; d <= ahead + behind; d++)
    {
      gint64 position;

      if (d <= ahead)
        position = (gint64) current + (gint64) self->direction * d;
      else
        position = (gint64) current - (gint64) self->direction * (d - ahead);
      if (position < 0 || position >= n)
        continue;
      if (g_hash_table_contains (self->cache, GUINT_TO_POINTER ((guint) position))
          || g_hash_table_contains (self->pending, GUINT_TO_POINTER ((guint) position)))
        continue;
      submit (self, (guint) position, d);
    }
}

static void
pending_done (LacunaImageView *self,
              guint            position)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (self->pending, GUINT_TO_POINTER (position)));

  if (n <= 1)
    g_hash_table_remove (self->pending, GUINT_TO_POINTER (position));
  else
    g_hash_table_insert (self->pending, GUINT_TO_POINTER (position), GUINT_TO_POINTER (n - 1));
}

/* Takes frame, attributes, error and the windowed surface (windowed may be NULL). */
static void
store (LacunaImageView *self,
       guint            position,
       LacunaFrame     *frame,
       GHashTable      *attributes,
       GError          *error,
       Windowed        *windowed)
{
  CacheEntry *entry = g_new0 (CacheEntry, 1);

  entry->frame = frame;
  entry->attributes = attributes;
  entry->error = error;
  if (windowed != NULL)
    {
      entry->windowed = *windowed;
      windowed->surface = NULL;
    }
  entry->size = entry->frame ? frame_size (entry->frame) : 1024;
  entry->size += windowed_size (&entry->windowed);
  g_hash_table_replace (self->cache, GUINT_TO_POINTER (position), entry);
  self->cache_size += entry->size;
}

static gboolean
job_done_cb (gpointer data)
{
  Job *job = data;
  g_autoptr(LacunaImageView) self = g_weak_ref_get (&job->shared->view);
  guint position;

  if (self == NULL || self->slices == NULL
      || job->generation != g_atomic_int_get (&self->shared->generation))
    return G_SOURCE_REMOVE;

  /* The model may have been reordered or filled in since (a study still being indexed). */
  position = _lacuna_image_view_find_position (self, job->instance, job->frame_index);
  if (position == G_MAXUINT)
    return G_SOURCE_REMOVE;

  pending_done (self, position);
  if (job->dropped)
    {
      /* Still wanted after all (the position came back): ask again. */
      if (position == current_position (self))
        _lacuna_image_view_cache_request (self);
      return G_SOURCE_REMOVE;
    }

  if (!g_hash_table_contains (self->cache, GUINT_TO_POINTER (position)))
    store (self, position, g_steal_pointer (&job->frame), g_steal_pointer (&job->attributes),
           g_steal_pointer (&job->error), &job->windowed);

  if (position == current_position (self))
    _lacuna_image_view_cache_request (self);
  else
    {
      evict (self);
      decode_ahead (self);
    }

  return G_SOURCE_REMOVE;
}

guint
_lacuna_image_view_find_position (LacunaImageView *self,
                                  LacunaInstance  *instance,
                                  guint            frame)
{
  guint first;

  if (self->first_positions == NULL)
    return G_MAXUINT;
  first = GPOINTER_TO_UINT (g_hash_table_lookup (self->first_positions, instance));
  if (first == 0 || first - 1 + frame >= self->slices->len)
    return G_MAXUINT;
  return first - 1 + frame;
}

void
_lacuna_image_view_cache_remap (LacunaImageView *self,
                                GArray          *old_slices)
{
  g_autoptr(GHashTable) cache = NULL;
  g_autoptr(GHashTable) pending = NULL;
  GHashTableIter iter;
  gpointer key, value;

  if (self->cache == NULL)
    return;

  cache = g_hash_table_new_full (NULL, NULL, NULL, cache_entry_free);
  pending = g_hash_table_new (NULL, NULL);

  g_hash_table_iter_init (&iter, self->cache);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const Slice *slice = &g_array_index (old_slices, Slice, GPOINTER_TO_UINT (key));
      CacheEntry *entry = value;
      guint position = _lacuna_image_view_find_position (self, slice->instance, slice->frame);

      g_hash_table_iter_steal (&iter);
      if (position == G_MAXUINT)
        {
          self->cache_size -= entry->size;
          cache_entry_free (entry);
        }
      else
        g_hash_table_insert (cache, GUINT_TO_POINTER (position), entry);
    }

  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const Slice *slice = &g_array_index (old_slices, Slice, GPOINTER_TO_UINT (key));
      guint position = _lacuna_image_view_find_position (self, slice->instance, slice->frame);

      if (position != G_MAXUINT)
        g_hash_table_insert (pending, GUINT_TO_POINTER (position), value);
    }

  g_hash_table_unref (self->cache);
  self->cache = g_steal_pointer (&cache);
  g_hash_table_unref (self->pending);
  self->pending = g_steal_pointer (&pending);
}

void
_lacuna_image_view_cache_insert (LacunaImageView *self,
                                 guint            position,
                                 LacunaFrame     *frame,
                                 GHashTable      *attributes,
                                 const GError    *error)
{
  CacheEntry *entry;

  if (self->cache == NULL || self->slices == NULL || position >= self->slices->len)
    return;

  entry = g_hash_table_lookup (self->cache, GUINT_TO_POINTER (position));
  if (entry != NULL)
    self->cache_size -= entry->size;
  store (self, position, frame ? g_object_ref (frame) : NULL,
         attributes ? g_hash_table_ref (attributes) : NULL,
         error ? g_error_copy (error) : NULL, NULL);
}

/* The window changed: images windowed ahead under another window would only take the
 * room of frames (the view windows again what it shows). */
void
_lacuna_image_view_cache_drop_stale_windowed (LacunaImageView *self)
{
  const char *preset = lacuna_view_state_get_window_preset (self->state);
  double state_center = lacuna_view_state_get_window_center (self->state);
  double state_width = lacuna_view_state_get_window_width (self->state);
  GHashTableIter iter;
  gpointer value;

  if (self->cache == NULL)
    return;
  g_hash_table_iter_init (&iter, self->cache);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      CacheEntry *entry = value;
      double center, width;
      gboolean uses_lut;
      gsize size;

      if (entry->windowed.surface == NULL || entry->frame == NULL)
        continue;
      _lacuna_image_view_window_for_frame (entry->frame, preset, state_center, state_width,
                                           &center, &width, &uses_lut);
      if (center == entry->windowed.center && width == entry->windowed.width &&
          uses_lut == entry->windowed.uses_lut)
        continue;
      size = windowed_size (&entry->windowed);
      g_clear_pointer (&entry->windowed.surface, cairo_surface_destroy);
      entry->size -= size;
      self->cache_size -= size;
    }
}

void
_lacuna_image_view_cache_init (LacunaImageView *self)
{
  self->cache = g_hash_table_new_full (NULL, NULL, NULL, cache_entry_free);
  self->pending = g_hash_table_new (NULL, NULL);
  self->cache_limit = DEFAULT_CACHE_LIMIT;
  self->direction = 1;
}

void
_lacuna_image_view_cache_clear (LacunaImageView *self)
{
  g_atomic_int_inc (&self->shared->generation);
  if (self->cache != NULL)
    g_hash_table_remove_all (self->cache);
  if (self->pending != NULL)
    g_hash_table_remove_all (self->pending);
  self->cache_size = 0;
  self->direction = 1;
}

void
_lacuna_image_view_cache_stop (LacunaImageView *self)
{
  _lacuna_image_view_cache_clear (self);
  g_clear_pointer (&self->cache, g_hash_table_unref);
  g_clear_pointer (&self->pending, g_hash_table_unref);
}

void
_lacuna_image_view_cache_request (LacunaImageView *self)
{
  guint position;
  CacheEntry *entry;

  if (self->slices == NULL || self->slices->len == 0 || self->cache == NULL)
    {
      _lacuna_image_view_show_frame (self, G_MAXUINT, NULL, NULL, NULL);
      _lacuna_image_view_set_busy (self, FALSE);
      return;
    }

  position = current_position (self);
  g_atomic_int_set (&self->shared->position, (int) position);

  entry = g_hash_table_lookup (self->cache, GUINT_TO_POINTER (position));
  if (entry != NULL)
    {
      /* The windowed image goes to the view, which uses it if its window is still the one
       * the image was windowed with; the entry keeps only the frame. */
      if (entry->windowed.surface != NULL)
        {
          gsize size = windowed_size (&entry->windowed);

          g_clear_pointer (&self->ready_surface, cairo_surface_destroy);
          self->ready_surface = g_steal_pointer (&entry->windowed.surface);
          self->ready_frame = entry->frame;
          self->ready_center = entry->windowed.center;
          self->ready_width = entry->windowed.width;
          self->ready_uses_lut = entry->windowed.uses_lut;
          entry->size -= size;
          self->cache_size -= size;
        }
      _lacuna_image_view_show_frame (self, position, entry->frame, entry->attributes,
                                     entry->error);
      g_clear_pointer (&self->ready_surface, cairo_surface_destroy);
      _lacuna_image_view_set_busy (self, FALSE);
    }
  else
    {
      /* Whatever was asked for before sits behind newer, nearer requests: ask again at
       * the front of the queue (a duplicate result is ignored). */
      submit (self, position, 0);
      _lacuna_image_view_set_busy (self, TRUE);
    }

  evict (self);
  decode_ahead (self);
}

/* ------------------------------------------------------------------------------------- */
/* Public                                                                                */

LacunaFrame *
lacuna_image_view_decode_frame (LacunaInstance  *instance,
                                guint            frame,
                                GHashTable     **out_attributes,
                                GError         **error)
{
  g_autoptr(LacunaDicomFile) file = NULL;
  LacunaFrame *decoded;

  g_return_val_if_fail (LACUNA_IS_INSTANCE (instance), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (out_attributes != NULL)
    *out_attributes = NULL;
  file = lacuna_instance_open (instance, error);
  if (file == NULL)
    return NULL;
  decoded = lacuna_frame_decode (file, frame, error);
  if (decoded == NULL)
    return NULL;
  decoded = check_size (decoded, error);
  if (decoded != NULL && out_attributes != NULL)
    *out_attributes = read_attributes (file);
  return decoded;
}

guint
lacuna_image_view_get_decode_ahead (LacunaImageView *self)
{
  g_return_val_if_fail (LACUNA_IS_IMAGE_VIEW (self), 0);

  return ahead_count (self);
}

gboolean
lacuna_image_view_is_cached (LacunaImageView *self,
                             guint            position)
{
  CacheEntry *entry;

  g_return_val_if_fail (LACUNA_IS_IMAGE_VIEW (self), FALSE);

  if (self->cache == NULL)
    return FALSE;
  entry = g_hash_table_lookup (self->cache, GUINT_TO_POINTER (position));
  return entry != NULL && entry->frame != NULL;
}

gsize
lacuna_image_view_get_cache_size (LacunaImageView *self)
{
  g_return_val_if_fail (LACUNA_IS_IMAGE_VIEW (self), 0);

  return self->cache_size;
}

gsize
lacuna_image_view_get_cache_limit (LacunaImageView *self)
{
  g_return_val_if_fail (LACUNA_IS_IMAGE_VIEW (self), 0);

  return self->cache_limit;
}

void
lacuna_image_view_set_cache_limit (LacunaImageView *self,
                                   gsize            limit)
{
  g_return_if_fail (LACUNA_IS_IMAGE_VIEW (self));

  self->cache_limit = limit;
  if (self->cache != NULL)
    evict (self);
}
