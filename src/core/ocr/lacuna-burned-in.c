#define G_LOG_DOMAIN "lacuna-burned-in"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "lacuna-burned-in.h"
#include "lacuna-frame.h"
#include "lacuna-frame-private.h"
#include "lacuna-ocr.h"
#include "lacuna-text-regions.h"

/* ---------------------------------------------------------------------------------------- */
/* What was read, cached by the line's pixels (process-wide, bounded)                      */

#define CACHE_MAX_BYTES (32u << 20)

typedef struct
{
  guint8  *pixels;    /* the crop read: width × height grey */
  int      width;
  int      height;
  guint64  hash;
  char    *text;
  GStrv    words;
} CacheEntry;

static GMutex      cache_lock;
static GHashTable *cache;        /* hash → GPtrArray of CacheEntry* */
static gsize       cache_bytes;

static void
cache_entry_free (gpointer data)
{
  CacheEntry *entry = data;

  g_free (entry->pixels);
  g_free (entry->text);
  g_strfreev (entry->words);
  g_free (entry);
}

/* The crop of a line that keys the cache: its box and a margin of the line's height. */
static guint8 *
crop_line (const guint8 *grey,
           guint         width,
           guint         height,
           gsize         stride,
           const int     box[4],
           int          *out_w,
           int          *out_h,
           guint64      *out_hash)
{
  int margin = MAX (2, box[3] / 6);
  int x0 = CLAMP (box[0] - margin, 0, (int) width);
  int y0 = CLAMP (box[1] - margin, 0, (int) height);
  int x1 = CLAMP (box[0] + box[2] + margin, 0, (int) width);
  int y1 = CLAMP (box[1] + box[3] + margin, 0, (int) height);
  int w = x1 - x0, h = y1 - y0;
  guint8 *out = g_malloc ((gsize) MAX (w, 1) * MAX (h, 1));
  guint64 hash = 1469598103934665603ull ^ ((guint64) w << 32 | (guint32) h);

  for (int y = 0; y < h; y++)
    {
      memcpy (out + (gsize) y * w, grey + (gsize) (y0 + y) * stride + x0, w);
      for (int x = 0; x < w; x++)
        hash = (hash ^ out[(gsize) y * w + x]) * 1099511628211ull;
    }
  *out_w = w;
  *out_h = h;
  *out_hash = hash;
  return out;
}

/* A line to read: its crop (the cache key), and what was read. */
typedef struct
{
  int      box[4];
  guint8  *pixels;
  int      width;
  int      height;
  guint64  hash;
  char    *text;
  GStrv    words;
} Pending;

static void
pending_clear (Pending *p)
{
  g_free (p->pixels);
  g_free (p->text);
  g_strfreev (p->words);
  memset (p, 0, sizeof *p);
}

static gboolean
cache_lookup (Pending *p)
{
  gboolean found = FALSE;

  g_mutex_lock (&cache_lock);
  if (cache != NULL)
    {
      GPtrArray *bucket = g_hash_table_lookup (cache, &p->hash);

      for (guint i = 0; bucket != NULL && i < bucket->len && !found; i++)
        {
          CacheEntry *e = g_ptr_array_index (bucket, i);

          if (e->width == p->width && e->height == p->height &&
              memcmp (e->pixels, p->pixels, (gsize) p->width * p->height) == 0)
            {
              p->text = g_strdup (e->text);
              p->words = g_strdupv (e->words);
              found = TRUE;
            }
        }
    }
  g_mutex_unlock (&cache_lock);
  return found;
}

/* Keeps what was read for p (takes its pixels). */
static void
cache_insert (Pending *p)
{
  CacheEntry *entry = g_new0 (CacheEntry, 1);
  GPtrArray *bucket;

  entry->pixels = g_steal_pointer (&p->pixels);
  entry->width = p->width;
  entry->height = p->height;
  entry->hash = p->hash;
  entry->text = g_strdup (p->text);
  entry->words = g_strdupv (p->words);

  g_mutex_lock (&cache_lock);
  if (cache == NULL || cache_bytes > CACHE_MAX_BYTES)
    {
      g_clear_pointer (&cache, g_hash_table_unref);
      cache = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                     (GDestroyNotify) g_ptr_array_unref);
      cache_bytes = 0;
    }
  bucket = g_hash_table_lookup (cache, &entry->hash);
  if (bucket == NULL)
    {
      bucket = g_ptr_array_new_with_free_func (cache_entry_free);
      g_hash_table_insert (cache, g_memdup2 (&entry->hash, sizeof entry->hash), bucket);
    }
  g_ptr_array_add (bucket, entry);
  cache_bytes += (gsize) entry->width * entry->height + 256;
  g_mutex_unlock (&cache_lock);
}

/* Reads the lines of one frame: those already read (the same pixels) from the cache, the
 * others with lacuna_ocr_read_lines(). Fills text and words of each. */
static gboolean
read_lines (const guint8  *grey,
            guint          width,
            guint          height,
            gsize          stride,
            Pending       *pending,
            guint          n_pending,
            GError       **error)
{
  g_autoptr(GArray) boxes = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GArray) misses = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GPtrArray) lines = NULL;

  for (guint i = 0; i < n_pending; i++)
    if (!cache_lookup (&pending[i]))
      {
        g_array_append_vals (boxes, pending[i].box, 4);
        g_array_append_val (misses, i);
      }
  if (misses->len == 0)
    return TRUE;

  lines = lacuna_ocr_read_lines (grey, width, height, stride, (const int *) boxes->data,
                                 misses->len, error);
  if (lines == NULL)
    return FALSE;
  for (guint k = 0; k < misses->len; k++)
    {
      Pending *p = &pending[g_array_index (misses, guint, k)];
      LacunaOcrLine *line = g_ptr_array_index (lines, k);
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

      for (guint i = 0; i < line->words->len; i++)
        g_strv_builder_add (builder, ((LacunaOcrWord *) g_ptr_array_index (line->words, i))->text);
      p->text = g_strdup (line->text);
      p->words = g_strv_builder_end (builder);
      cache_insert (p);
    }
  return TRUE;
}

/* ---------------------------------------------------------------------------------------- */
/* The scan                                                                                 */

struct _LacunaBurnedIn
{
  guint      width;
  guint      height;
  guint      n_frames;
  guint      n_distinct;
  GPtrArray *lines;   /* LacunaBurnedInLine* */
};

const char *
lacuna_burned_in_severity_to_string (LacunaBurnedInSeverity severity)
{
  switch (severity)
    {
    case LACUNA_BURNED_IN_CLINICAL:
      return "clinical";
    case LACUNA_BURNED_IN_IDENTITY:
      return "identity";
    case LACUNA_BURNED_IN_TEXT:
    default:
      return "text";
    }
}

static void
line_free (gpointer data)
{
  LacunaBurnedInLine *line = data;

  g_array_unref (line->frames);
  g_free (line->text);
  g_free (line);
}

void
lacuna_burned_in_free (LacunaBurnedIn *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->lines);
  g_free (self);
}

guint
lacuna_burned_in_get_n_frames (LacunaBurnedIn *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_frames;
}

guint
lacuna_burned_in_get_n_distinct_frames (LacunaBurnedIn *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_distinct;
}

guint
lacuna_burned_in_get_n_lines (LacunaBurnedIn *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->lines->len;
}

const LacunaBurnedInLine *
lacuna_burned_in_get_line (LacunaBurnedIn *self,
                           guint           index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->lines->len, NULL);
  return g_ptr_array_index (self->lines, index);
}

static LacunaBurnedInLine *
classify (LacunaOcrIdentity *identity,
          const int          box[4],
          char              *text,    /* taken */
          GStrv              words)   /* taken */
{
  LacunaBurnedInLine *line = g_new0 (LacunaBurnedInLine, 1);
  guint n = g_strv_length (words);
  g_autofree LacunaOcrClass *classes = g_new0 (LacunaOcrClass, MAX (n, 1));

  memcpy (line->box, box, sizeof line->box);
  line->frames = g_array_new (FALSE, FALSE, sizeof (guint));
  line->text = text;
  line->n_words = n;
  line->identity_kind = lacuna_ocr_classify_line (identity, (const char * const *) words, n,
                                                  classes);
  for (guint i = 0; i < n; i++)
    {
      line->class_counts[classes[i]]++;
      if (classes[i] != LACUNA_OCR_CLASS_NOISE)
        line->read = TRUE;
    }
  if (line->identity_kind != NULL)
    line->severity = LACUNA_BURNED_IN_IDENTITY;
  else if (line->read && lacuna_ocr_line_is_clinical (classes, n))
    line->severity = LACUNA_BURNED_IN_CLINICAL;
  else
    line->severity = LACUNA_BURNED_IN_TEXT;
  line->redact = line->severity != LACUNA_BURNED_IN_CLINICAL;
  g_strfreev (words);
  return line;
}

static guint64
hash_bytes (const guint8 *data,
            gsize         size)
{
  guint64 hash = 1469598103934665603ull;

  for (gsize i = 0; i < size; i++)
    hash = (hash ^ data[i]) * 1099511628211ull;
  return hash;
}

/* Called by scan() on every frame, repeated ones included, with the rendered frame. */
typedef struct
{
  const guint8 *grey;   /* complete unless mask is set */
  const guint8 *rgb;    /* colour frames */
  const guint8 *mask;   /* the candidate mask, when grey is rendered only where needed */
  guint         width;
  guint         height;
} FrameView;

typedef gboolean (*FrameFunc) (guint             frame,
                               const FrameView  *view,
                               gpointer          data,
                               GError          **error);

/* Grey rendered on demand (LacunaTextRegionsEnsureFunc). */
typedef struct
{
  LacunaFrame *frame;
  guint8      *grey;
} LazyGrey;

static void
ensure_grey (int      x0,
             int      y0,
             int      x1,
             int      y1,
             gpointer data)
{
  LazyGrey *lazy = data;

  _lacuna_frame_text_render_rect (lazy->frame, lazy->grey, x0, y0, x1, y1);
}

/* The grey around a line that crop_line() and lacuna_ocr_read_lines() read (a margin of
 * MAX (2, height / 6)), with some to spare. */
static void
ensure_line (LazyGrey  *lazy,
             guint      width,
             guint      height,
             const int  box[4])
{
  int margin = MAX (2, box[3] / 6) + 2;
  int x0 = CLAMP (box[0] - margin, 0, (int) width);
  int y0 = CLAMP (box[1] - margin, 0, (int) height);
  int x1 = CLAMP (box[0] + box[2] + margin, 0, (int) width);
  int y1 = CLAMP (box[1] + box[3] + margin, 0, (int) height);

  if (x1 > x0 && y1 > y0)
    ensure_grey (x0, y0, x1, y1, lazy);
}

/* What scan() learnt of the file's pixels: their layout, and the native samples peeked
 * (NULL: decoded frame by frame). */
typedef struct
{
  LacunaDicomPixelInfo  info;
  const guint8         *native;
  gsize                 native_size;
} ScanPixels;

/* peek: read native pixels where the file holds them (no decoded copy); only for a file
 * no other thread uses meanwhile (lacuna_dicom_file_peek_native_pixels()). out_pixels (may
 * be NULL) receives what was learnt of the pixels. */
static LacunaBurnedIn *
scan (LacunaDicomFile    *file,
      LacunaOcrIdentity  *identity,
      gboolean            peek,
      FrameFunc           frame_func,
      gpointer            frame_data,
      ScanPixels         *out_pixels,
      GCancellable       *cancellable,
      GError            **error)
{
  g_autoptr(LacunaBurnedIn) self = NULL;
  g_autoptr(LacunaOcrIdentity) own_identity = NULL;
  g_autoptr(GHashTable) frame_hashes = NULL;   /* frame hash → first frame index */
  g_autoptr(GHashTable) line_keys = NULL;      /* line pixel hash → LacunaBurnedInLine */
  g_autoptr(GArray) frame_lines = NULL;        /* per frame: index into frame_line_sets */
  g_autoptr(GPtrArray) frame_line_sets = NULL; /* GPtrArray of lines per scanned frame */
  LacunaDicomPixelInfo info;
  const guint8 *native = NULL;
  gsize native_size = 0;
  g_autofree guint8 *grey = NULL;
  g_autofree guint8 *mask = NULL;

  g_return_val_if_fail (file != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!lacuna_ocr_is_available (error))
    return NULL;
  if (!lacuna_dicom_file_get_pixel_info (file, &info, error))
    return NULL;
  if (peek)
    {
      guint n_native = 0;

      native = lacuna_dicom_file_peek_native_pixels_readonly (file, &native_size, &n_native);
      if (n_native != info.n_frames)
        native = NULL;
    }
  if (out_pixels != NULL)
    {
      out_pixels->info = info;
      out_pixels->native = native;
      out_pixels->native_size = native_size;
    }
  self = g_new0 (LacunaBurnedIn, 1);
  self->lines = g_ptr_array_new_with_free_func (line_free);
  self->n_frames = info.n_frames;
  self->width = info.columns;
  self->height = info.rows;
  frame_hashes = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  line_keys = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  frame_line_sets = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);

  for (guint f = 0; f < info.n_frames; f++)
    {
      g_autoptr(LacunaFrame) frame = NULL;
      const guint8 *rgb = NULL;
      LazyGrey lazy = { NULL, NULL };
      FrameView view;
      guint8 max = 0;
      g_autoptr(GArray) regions = NULL;
      g_autofree Pending *pending = NULL;
      g_autofree guint64 *keys = NULL;
      guint n_pending = 0;
      GPtrArray *set;
      guint64 fhash;
      gpointer seen;
      guint w, h;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      frame = _lacuna_frame_decode_with_info (file, f, &info,
                                              native != NULL
                                              ? native + (gsize) f * native_size : NULL,
                                              native_size, error);
      if (frame == NULL)
        return NULL;
      w = lacuna_frame_get_width (frame);
      h = lacuna_frame_get_height (frame);
      if (grey == NULL)
        grey = g_malloc ((gsize) w * h);
      /* A single grey frame: the candidate mask straight from the stored values, and grey
       * rendered only where the finder and OCR look (the same bytes there). A cine's
       * frames are rendered whole: they are compared. */
      if (info.n_frames == 1 && _lacuna_frame_text_prepare (frame, &max))
        {
          int high, low;

          if (mask == NULL)
            mask = g_malloc ((gsize) w * h);
          _lacuna_text_regions_levels (max, NULL, &high, &low);
          _lacuna_frame_text_mask (frame, high, low, mask);
          lazy.frame = frame;
          lazy.grey = grey;
        }
      else
        _lacuna_frame_render_text (frame, grey, &rgb);
      view.grey = grey;
      view.rgb = rgb;
      view.mask = lazy.frame != NULL ? mask : NULL;
      view.width = w;
      view.height = h;
      if (frame_func != NULL && !frame_func (f, &view, frame_data, error))
        return NULL;

      /* A cine's repeated frame: the same lines. */
      fhash = 0;
      if (info.n_frames > 1)
        {
          fhash = hash_bytes (grey, (gsize) w * h);
          if (rgb != NULL)
            fhash ^= hash_bytes (rgb, (gsize) w * h * 3) * 31;
        }
      if (g_hash_table_lookup_extended (frame_hashes, &fhash, NULL, &seen))
        {
          set = g_ptr_array_index (frame_line_sets, GPOINTER_TO_UINT (seen));
          for (guint i = 0; i < set->len; i++)
            g_array_append_val (((LacunaBurnedInLine *) g_ptr_array_index (set, i))->frames, f);
          continue;
        }
      g_hash_table_insert (frame_hashes, g_memdup2 (&fhash, sizeof fhash),
                           GUINT_TO_POINTER (frame_line_sets->len));
      set = g_ptr_array_new ();
      g_ptr_array_add (frame_line_sets, set);
      self->n_distinct++;

      if (lazy.frame != NULL)
        regions = _lacuna_text_regions_find_in_mask (grey, w, h, w, mask, ensure_grey, &lazy,
                                                     NULL, NULL);
      else
        regions = lacuna_text_regions_find (grey, w, h, w, rgb,
                                            rgb != NULL ? (gsize) w * 3 : 0, NULL, NULL);
      pending = g_new0 (Pending, MAX (regions->len, 1));
      keys = g_new0 (guint64, MAX (regions->len, 1));
      for (guint i = 0; i < regions->len; i++)
        {
          const LacunaTextRegion *region = &g_array_index (regions, LacunaTextRegion, i);
          Pending *p = &pending[n_pending];

          /* The same line at the same place in an earlier frame: one finding. */
          memcpy (p->box, region->box, sizeof p->box);
          if (lazy.frame != NULL)
            ensure_line (&lazy, w, h, region->box);
          p->pixels = crop_line (grey, w, h, w, region->box, &p->width, &p->height, &p->hash);
          keys[i] = p->hash;
          for (int k = 0; k < 4; k++)
            keys[i] = (keys[i] ^ (guint32) region->box[k]) * 1099511628211ull;
          if (g_hash_table_contains (line_keys, &keys[i]))
            pending_clear (p);
          else
            n_pending++;
        }
      if (!read_lines (grey, w, h, w, pending, n_pending, error))
        {
          for (guint i = 0; i < n_pending; i++)
            pending_clear (&pending[i]);
          return NULL;
        }

      for (guint i = 0, k = 0; i < regions->len; i++)
        {
          const LacunaTextRegion *region = &g_array_index (regions, LacunaTextRegion, i);
          LacunaBurnedInLine *line = g_hash_table_lookup (line_keys, &keys[i]);

          if (line == NULL)
            {
              Pending *p = &pending[k++];

              g_assert (k <= n_pending && memcmp (p->box, region->box, sizeof p->box) == 0);
              /* The header's identity, read once there is a line to match it with. */
              if (identity == NULL)
                identity = own_identity = lacuna_ocr_identity_new_from_file (file);
              line = classify (identity, region->box, g_steal_pointer (&p->text),
                               g_steal_pointer (&p->words));
              pending_clear (p);
              g_ptr_array_add (self->lines, line);
              g_hash_table_insert (line_keys, g_memdup2 (&keys[i], sizeof keys[i]), line);
            }
          if (line->frames->len == 0 ||
              g_array_index (line->frames, guint, line->frames->len - 1) != f)
            {
              g_array_append_val (line->frames, f);
              g_ptr_array_add (set, line);
            }
        }
    }
  return g_steal_pointer (&self);
}

LacunaBurnedIn *
lacuna_burned_in_scan (LacunaDicomFile    *file,
                       LacunaOcrIdentity  *identity,
                       GCancellable       *cancellable,
                       GError            **error)
{
  g_return_val_if_fail (file != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return scan (file, identity, FALSE, NULL, NULL, NULL, cancellable, error);
}

/* ---------------------------------------------------------------------------------------- */
/* Findings and boxes                                                                       */

static const char *
identity_kind_label (const char *kind)
{
  static const struct { const char *kind; const char *label; } labels[] = {
    { "patient name", N_("the patient’s name") },
    { "person name", N_("a person’s name") },
    { "patient ID", N_("the patient ID") },
    { "accession number", N_("the accession number") },
    { "birth date", N_("the birth date") },
    { "date", N_("a date of the study") },
    { "institution", N_("the institution") },
    { "address", N_("an address") },
    { "phone", N_("a telephone number") },
    { "station name", N_("the station name") },
    { "device serial number", N_("the device serial number") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_strcmp0 (kind, labels[i].kind) == 0)
      return _(labels[i].label);
  return _("the header");
}

GPtrArray *
lacuna_burned_in_dup_findings (LacunaBurnedIn *self,
                               const char     *sop_instance_uid)
{
  GPtrArray *findings = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_val_if_fail (self != NULL, findings);

  for (guint i = 0; i < self->lines->len; i++)
    {
      const LacunaBurnedInLine *line = g_ptr_array_index (self->lines, i);
      guint first = line->frames->len > 0 ? g_array_index (line->frames, guint, 0) : 0;
      g_autofree char *text = NULL;
      g_autoptr(LacunaFinding) finding = NULL;
      JsonObject *values;
      JsonObject *words;
      JsonArray *frames;

      if (!line->read)
        text = g_strdup_printf (_("A standard detector found a text-like region in the pixels "
                                  "(frame %u) that could not be read."), first + 1);
      else if (line->severity == LACUNA_BURNED_IN_IDENTITY)
        text = g_strdup_printf (_("Text matching %s is stated in the pixels (frame %u), "
                                  "read with OCR."), identity_kind_label (line->identity_kind),
                                first + 1);
      else if (line->severity == LACUNA_BURNED_IN_TEXT)
        text = g_strdup_printf (_("Text is stated in the pixels (frame %u), read with OCR."),
                                first + 1);
      else
        text = g_strdup_printf (_("Clinical annotation (measurements, markers) is stated in the "
                                  "pixels (frame %u), read with OCR; it names no one."),
                                first + 1);

      finding = lacuna_finding_new ("burned-in-text",
                                    line->read ? LACUNA_EVIDENCE_STATED : LACUNA_EVIDENCE_DETECTED,
                                    LACUNA_FINDING_PRESENT, text);
      if (line->redact)
        lacuna_finding_set_action (finding, _("Cover the line with a black box on every frame "
                                              "that holds it."));
      lacuna_finding_set_region (finding, sop_instance_uid, first + 1, line->box);

      values = lacuna_finding_get_values (finding);
      json_object_set_string_member (values, "severity",
                                     lacuna_burned_in_severity_to_string (line->severity));
      if (line->identity_kind != NULL)
        json_object_set_string_member (values, "identity_kind", line->identity_kind);
      json_object_set_boolean_member (values, "redact", line->redact);
      words = json_object_new ();
      for (guint c = 0; c < LACUNA_OCR_N_CLASSES; c++)
        if (line->class_counts[c] > 0)
          json_object_set_int_member (words, lacuna_ocr_class_to_string (c),
                                      line->class_counts[c]);
      json_object_set_object_member (values, "words", words);
      frames = json_array_new ();
      for (guint k = 0; k < line->frames->len; k++)
        json_array_add_int_element (frames, g_array_index (line->frames, guint, k) + 1);
      json_object_set_array_member (values, "frames", frames);
      json_object_set_string_member (values, "read", line->text != NULL ? line->text : "");
      g_ptr_array_add (findings, g_steal_pointer (&finding));
    }
  return findings;
}

void
lacuna_burned_in_finding_strip_read (LacunaFinding *finding)
{
  JsonObject *values;

  g_return_if_fail (LACUNA_IS_FINDING (finding));

  values = lacuna_finding_get_values (finding);
  if (json_object_has_member (values, "read"))
    json_object_remove_member (values, "read");
}

static void
line_redact_box (const LacunaBurnedInLine *line,
                 guint                     width,
                 guint                     height,
                 int                       frame,
                 LacunaRedactBox          *out)
{
  int margin = MAX (2, line->box[3] / 4);
  int x0 = MAX (0, line->box[0] - margin), y0 = MAX (0, line->box[1] - margin);
  int x1 = MIN ((int) width, line->box[0] + line->box[2] + margin);
  int y1 = MIN ((int) height, line->box[1] + line->box[3] + margin);

  out->frame = frame;
  out->x = x0;
  out->y = y0;
  out->width = x1 - x0;
  out->height = y1 - y0;
}

GArray *
lacuna_burned_in_dup_boxes (LacunaBurnedIn *self)
{
  GArray *boxes = g_array_new (FALSE, FALSE, sizeof (LacunaRedactBox));

  g_return_val_if_fail (self != NULL, boxes);

  for (guint i = 0; i < self->lines->len; i++)
    {
      const LacunaBurnedInLine *line = g_ptr_array_index (self->lines, i);
      LacunaRedactBox box;

      if (!line->redact)
        continue;
      if (line->frames->len == self->n_frames)
        {
          line_redact_box (line, self->width, self->height, -1, &box);
          g_array_append_val (boxes, box);
          continue;
        }
      for (guint k = 0; k < line->frames->len; k++)
        {
          line_redact_box (line, self->width, self->height,
                           (int) g_array_index (line->frames, guint, k), &box);
          g_array_append_val (boxes, box);
        }
    }
  return boxes;
}

/* ---------------------------------------------------------------------------------------- */
/* Verification                                                                             */

void
lacuna_burned_in_check_clear (LacunaBurnedInCheck *check)
{
  if (check == NULL)
    return;
  g_clear_pointer (&check->left, g_array_unref);
  memset (check, 0, sizeof *check);
}

static gboolean
box_on_frame (const LacunaRedactBox *box,
              guint                  frame)
{
  return box->frame < 0 || (guint) box->frame == frame;
}

/* Item (a) of the verification, on each frame as the scan renders it. */
typedef struct
{
  const LacunaRedactBox *boxes;
  guint                  n_boxes;
  gboolean              *dirty;    /* per box: text-like pixels seen inside */
  GArray                *rects;    /* int × 4, the boxes checked on the frame */
  GArray                *which;    /* guint, their indices */
  GArray                *counts;   /* guint */
} BoxCheck;

static gboolean
check_boxes (guint             frame,
             const FrameView  *view,
             gpointer          data,
             GError          **error)
{
  BoxCheck *check = data;

  g_array_set_size (check->rects, 0);
  g_array_set_size (check->which, 0);
  for (guint b = 0; b < check->n_boxes; b++)
    if (!check->dirty[b] && box_on_frame (&check->boxes[b], frame))
      {
        const LacunaRedactBox *box = &check->boxes[b];
        int rect[4] = { box->x, box->y, box->width, box->height };

        g_array_append_vals (check->rects, rect, 4);
        g_array_append_val (check->which, b);
      }
  if (check->which->len == 0)
    return TRUE;
  g_array_set_size (check->counts, check->which->len);
  if (view->mask != NULL)
    _lacuna_text_regions_count_in_mask (view->mask, view->width, view->height,
                                        (const int *) check->rects->data, check->which->len,
                                        (guint *) check->counts->data);
  else
    lacuna_text_regions_count_mask_boxes (view->grey, view->width, view->height, view->width,
                                          view->rgb,
                                          view->rgb != NULL ? (gsize) view->width * 3 : 0,
                                          NULL, (const int *) check->rects->data,
                                          check->which->len, (guint *) check->counts->data);
  for (guint i = 0; i < check->which->len; i++)
    if (g_array_index (check->counts, guint, i) > 0)
      check->dirty[g_array_index (check->which, guint, i)] = TRUE;
  return TRUE;
}

static gboolean
verify_with (LacunaDicomFile       *output,
             LacunaOcrIdentity     *identity,
             const LacunaRedactBox *boxes,
             guint                  n_boxes,
             LacunaBurnedInCheck   *check,
             ScanPixels            *out_pixels,
             GCancellable          *cancellable,
             GError               **error)
{
  g_autoptr(LacunaBurnedIn) result = NULL;
  g_autofree gboolean *dirty = NULL;
  g_autoptr(GArray) rects = NULL;
  g_autoptr(GArray) which = NULL;
  g_autoptr(GArray) counts = NULL;
  BoxCheck box_check;

  g_return_val_if_fail (output != NULL, FALSE);
  g_return_val_if_fail (boxes != NULL || n_boxes == 0, FALSE);
  g_return_val_if_fail (check != NULL, FALSE);

  memset (check, 0, sizeof *check);
  check->left = g_array_new (FALSE, FALSE, sizeof (LacunaRedactBox));

  /* One pass over the written frames: (a) no text-like pixels inside the boxes, checked
   * on every frame as it is rendered; (b) the text-like regions found (the same prefilter
   * as the scan: a box's black fill holds none) are read, and every line left must be
   * clinical vocabulary and match nothing of the original identity. A region that cannot
   * be read counts as a text line left. */
  dirty = g_new0 (gboolean, MAX (n_boxes, 1));
  rects = g_array_new (FALSE, FALSE, sizeof (int));
  which = g_array_new (FALSE, FALSE, sizeof (guint));
  counts = g_array_new (FALSE, FALSE, sizeof (guint));
  box_check.boxes = boxes;
  box_check.n_boxes = n_boxes;
  box_check.dirty = dirty;
  box_check.rects = rects;
  box_check.which = which;
  box_check.counts = counts;
  result = scan (output, identity, TRUE, n_boxes > 0 ? check_boxes : NULL, &box_check,
                 out_pixels, cancellable, error);
  if (result == NULL)
    {
      lacuna_burned_in_check_clear (check);
      return FALSE;
    }

  check->n_frames = result->n_frames;
  for (guint i = 0; i < result->lines->len; i++)
    {
      const LacunaBurnedInLine *line = g_ptr_array_index (result->lines, i);
      LacunaRedactBox left;

      if (!line->redact)
        continue;
      check->n_text_lines++;
      if (line->severity == LACUNA_BURNED_IN_IDENTITY)
        check->n_identity_lines++;
      left.frame = (int) g_array_index (line->frames, guint, 0);
      left.x = line->box[0];
      left.y = line->box[1];
      left.width = line->box[2];
      left.height = line->box[3];
      g_array_append_val (check->left, left);
    }
  for (guint b = 0; b < n_boxes; b++)
    check->n_boxes_with_text += dirty[b];
  return TRUE;
}

gboolean
lacuna_burned_in_verify (LacunaDicomFile       *output,
                         LacunaOcrIdentity     *identity,
                         const LacunaRedactBox *boxes,
                         guint                  n_boxes,
                         LacunaBurnedInCheck   *check,
                         GCancellable          *cancellable,
                         GError               **error)
{
  g_return_val_if_fail (output != NULL, FALSE);
  g_return_val_if_fail (boxes != NULL || n_boxes == 0, FALSE);
  g_return_val_if_fail (check != NULL, FALSE);

  return verify_with (output, identity, boxes, n_boxes, check, NULL, cancellable, error);
}

static gboolean
inside_any_box (const LacunaRedactBox *boxes,
                guint                  n_boxes,
                guint                  frame,
                int                    x,
                int                    y)
{
  for (guint b = 0; b < n_boxes; b++)
    if (box_on_frame (&boxes[b], frame) && x >= boxes[b].x && y >= boxes[b].y &&
        x < boxes[b].x + boxes[b].width && y < boxes[b].y + boxes[b].height)
      return TRUE;
  return FALSE;
}

/* Where the run of pixels of row y from x that no box covers ends (x itself when a box
 * covers x). */
static guint
next_box_edge (const LacunaRedactBox *boxes,
               guint                  n_boxes,
               guint                  frame,
               guint                  x,
               guint                  y,
               guint                  columns)
{
  guint end = columns;

  for (guint b = 0; b < n_boxes; b++)
    {
      const LacunaRedactBox *box = &boxes[b];

      if (!box_on_frame (box, frame) || box->width <= 0 || box->height <= 0 ||
          (int) y < box->y || (int) y >= box->y + box->height ||
          box->x + box->width <= (int) x)
        continue;
      if (box->x <= (int) x)
        return x;
      end = MIN (end, (guint) box->x);
    }
  return end;
}

/* Past the boxes covering pixel x of row y (x is covered by one at least). */
static guint
skip_boxes (const LacunaRedactBox *boxes,
            guint                  n_boxes,
            guint                  frame,
            guint                  x,
            guint                  y)
{
  gboolean moved = TRUE;

  while (moved)
    {
      moved = FALSE;
      for (guint b = 0; b < n_boxes; b++)
        {
          const LacunaRedactBox *box = &boxes[b];

          if (box_on_frame (box, frame) && box->width > 0 && box->height > 0 &&
              (int) y >= box->y && (int) y < box->y + box->height &&
              box->x <= (int) x && (int) x < box->x + box->width)
            {
              x = (guint) (box->x + box->width);
              moved = TRUE;
            }
        }
    }
  return x;
}

/* Samples of one frame (decoded alike: same photometric, width and samples) that differ
 * outside the boxes. */
static guint64
count_changed_samples (const guint8               *da,
                       const guint8               *db,
                       const LacunaDicomPixelInfo *info,
                       guint                       frame,
                       const LacunaRedactBox      *boxes,
                       guint                       n_boxes)
{
  gsize px = (gsize) (info->bits_allocated / 8 > 0 ? info->bits_allocated / 8 : 1) *
             info->samples_per_pixel;
  guint64 changed = 0;

  for (guint y = 0; y < info->rows; y++)
    {
      gsize row = (gsize) y * info->columns * px;

      /* Most rows are unchanged: compare them whole first. */
      if (memcmp (da + row, db + row, (gsize) info->columns * px) == 0)
        continue;
      for (guint x = 0; x < info->columns; )
        {
          guint end = next_box_edge (boxes, n_boxes, frame, x, y, info->columns);

          if (end > x)
            {
              /* [x, end) lies outside every box: pixel by pixel only when it differs. */
              gsize off = row + (gsize) x * px, len = (gsize) (end - x) * px;

              if (memcmp (da + off, db + off, len) != 0)
                for (gsize k = 0; k < len; k += px)
                  changed += memcmp (da + off + k, db + off + k, px) != 0;
              x = end;
            }
          else
            x = skip_boxes (boxes, n_boxes, frame, x, y);
        }
    }
  return changed;
}

/* output_pixels (may be NULL): what a scan of output learnt of its pixels. */
static gboolean
diff_with (LacunaDicomFile       *original,
           LacunaDicomFile       *output,
           const ScanPixels      *output_pixels,
           const LacunaRedactBox *boxes,
           guint                  n_boxes,
           guint                  tolerance,
           guint64               *out_n_changed,
           GError               **error)
{
  LacunaDicomPixelInfo a, b;
  guint64 changed = 0;

  if (out_n_changed != NULL)
    *out_n_changed = 0;
  if (!lacuna_dicom_file_get_pixel_info (original, &a, error))
    return FALSE;
  if (output_pixels != NULL)
    b = output_pixels->info;
  else if (!lacuna_dicom_file_get_pixel_info (output, &b, error))
    return FALSE;
  if (a.rows != b.rows || a.columns != b.columns || a.n_frames != b.n_frames)
    {
      g_set_error_literal (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID,
                           _("The written image does not have the original’s rows, columns "
                             "and frames"));
      return FALSE;
    }

  /* Both native alike (what the export writes from native input): compare the samples
   * where they are held, without decoding copies. */
  if (tolerance == 0 && g_str_equal (a.photometric, b.photometric) &&
      a.bits_allocated == b.bits_allocated && a.samples_per_pixel == b.samples_per_pixel &&
      a.bits_stored == b.bits_stored && a.high_bit == b.high_bit && a.is_signed == b.is_signed)
    {
      gsize size_a = 0, size_b = 0;
      guint frames_a = 0, frames_b = 0;
      const guint8 *da = lacuna_dicom_file_peek_native_pixels_readonly (original, &size_a,
                                                                         &frames_a);
      const guint8 *db = NULL;

      if (da != NULL && output_pixels != NULL && output_pixels->native != NULL)
        {
          db = output_pixels->native;
          size_b = output_pixels->native_size;
          frames_b = output_pixels->info.n_frames;
        }
      else if (da != NULL)
        db = lacuna_dicom_file_peek_native_pixels_readonly (output, &size_b, &frames_b);

      if (db != NULL && size_a == size_b && frames_a == a.n_frames && frames_b == a.n_frames)
        {
          for (guint f = 0; f < a.n_frames; f++)
            changed += count_changed_samples (da + (gsize) f * size_a, db + (gsize) f * size_a,
                                              &a, f, boxes, n_boxes);
          if (out_n_changed != NULL)
            *out_n_changed = changed;
          return TRUE;
        }
    }

  for (guint f = 0; f < a.n_frames; f++)
    {
      char pa[24], pb[24];
      g_autoptr(GBytes) sa = lacuna_dicom_file_decode_frame (original, f, pa, error);
      g_autoptr(GBytes) sb = NULL;

      if (sa == NULL)
        return FALSE;
      sb = lacuna_dicom_file_decode_frame (output, f, pb, error);
      if (sb == NULL)
        return FALSE;

      if (g_str_equal (pa, pb) && a.bits_allocated == b.bits_allocated &&
          a.samples_per_pixel == b.samples_per_pixel &&
          g_bytes_get_size (sa) == g_bytes_get_size (sb) && tolerance == 0)
        changed += count_changed_samples (g_bytes_get_data (sa, NULL),
                                          g_bytes_get_data (sb, NULL), &a, f, boxes, n_boxes);
      else
        {
          g_autoptr(LacunaFrame) fa = lacuna_frame_decode (original, f, error);
          g_autoptr(LacunaFrame) fb = NULL;
          g_autofree guint8 *ra = NULL;
          g_autofree guint8 *rb = NULL;
          double min = 0, max = 0, center, width;

          if (fa == NULL)
            return FALSE;
          fb = lacuna_frame_decode (output, f, error);
          if (fb == NULL)
            return FALSE;
          lacuna_frame_get_value_range (fa, &min, &max);
          center = (min + max) / 2.0;
          width = MAX (max - min + 1, 1);
          ra = g_malloc ((gsize) a.rows * a.columns * 3);
          rb = g_malloc ((gsize) a.rows * a.columns * 3);
          lacuna_frame_render_rgb (fa, center, width, FALSE, ra, (gsize) a.columns * 3);
          lacuna_frame_render_rgb (fb, center, width, FALSE, rb, (gsize) a.columns * 3);
          for (guint y = 0; y < a.rows; y++)
            for (guint x = 0; x < a.columns; x++)
              {
                gsize off = ((gsize) y * a.columns + x) * 3;
                gboolean differs = FALSE;

                for (int c = 0; c < 3; c++)
                  differs |= (guint) ABS ((int) ra[off + c] - (int) rb[off + c]) > tolerance;
                if (differs && !inside_any_box (boxes, n_boxes, f, (int) x, (int) y))
                  changed++;
              }
        }
    }
  if (out_n_changed != NULL)
    *out_n_changed = changed;
  return TRUE;
}

gboolean
lacuna_burned_in_diff_outside (LacunaDicomFile       *original,
                               LacunaDicomFile       *output,
                               const LacunaRedactBox *boxes,
                               guint                  n_boxes,
                               guint                  tolerance,
                               guint64               *out_n_changed,
                               GError               **error)
{
  g_return_val_if_fail (original != NULL && output != NULL, FALSE);
  g_return_val_if_fail (boxes != NULL || n_boxes == 0, FALSE);

  return diff_with (original, output, NULL, boxes, n_boxes, tolerance, out_n_changed, error);
}

gboolean
lacuna_burned_in_verify_written (LacunaDicomFile       *original,
                                 LacunaDicomFile       *output,
                                 LacunaOcrIdentity     *identity,
                                 const LacunaRedactBox *boxes,
                                 guint                  n_boxes,
                                 LacunaBurnedInCheck   *check,
                                 guint64               *out_n_changed,
                                 GCancellable          *cancellable,
                                 GError               **error)
{
  ScanPixels pixels;

  g_return_val_if_fail (original != NULL && output != NULL, FALSE);
  g_return_val_if_fail (boxes != NULL || n_boxes == 0, FALSE);
  g_return_val_if_fail (check != NULL, FALSE);

  if (out_n_changed != NULL)
    *out_n_changed = 0;
  if (!verify_with (output, identity, boxes, n_boxes, check, &pixels, cancellable, error))
    return FALSE;
  if (!diff_with (original, output, &pixels, boxes, n_boxes, 0, out_n_changed, error))
    {
      lacuna_burned_in_check_clear (check);
      return FALSE;
    }
  return TRUE;
}
