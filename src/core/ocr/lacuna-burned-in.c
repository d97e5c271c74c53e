#define G_LOG_DOMAIN "lacuna-burned-in"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "lacuna-burned-in.h"
#include "lacuna-frame.h"
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

/* Reads the line, or finds it in the cache. out_text/out_words owned. */
static gboolean
read_line (const guint8  *grey,
           guint          width,
           guint          height,
           gsize          stride,
           const int      box[4],
           char         **out_text,
           GStrv         *out_words,
           GError       **error)
{
  g_autofree guint8 *pixels = NULL;
  g_autoptr(GPtrArray) words = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  g_autofree char *text = NULL;
  CacheEntry *entry;
  guint64 hash;
  int w, h;

  pixels = crop_line (grey, width, height, stride, box, &w, &h, &hash);

  g_mutex_lock (&cache_lock);
  if (cache != NULL)
    {
      GPtrArray *bucket = g_hash_table_lookup (cache, &hash);

      for (guint i = 0; bucket != NULL && i < bucket->len; i++)
        {
          CacheEntry *e = g_ptr_array_index (bucket, i);

          if (e->width == w && e->height == h && memcmp (e->pixels, pixels, (gsize) w * h) == 0)
            {
              *out_text = g_strdup (e->text);
              *out_words = g_strdupv (e->words);
              g_mutex_unlock (&cache_lock);
              return TRUE;
            }
        }
    }
  g_mutex_unlock (&cache_lock);

  words = lacuna_ocr_read_line (grey, width, height, stride, box, &text, error);
  if (words == NULL)
    return FALSE;
  builder = g_strv_builder_new ();
  for (guint i = 0; i < words->len; i++)
    g_strv_builder_add (builder, ((LacunaOcrWord *) g_ptr_array_index (words, i))->text);

  entry = g_new0 (CacheEntry, 1);
  entry->pixels = g_steal_pointer (&pixels);
  entry->width = w;
  entry->height = h;
  entry->hash = hash;
  entry->text = g_strdup (text);
  entry->words = g_strv_builder_end (builder);
  *out_text = g_steal_pointer (&text);
  *out_words = g_strdupv (entry->words);

  g_mutex_lock (&cache_lock);
  if (cache == NULL || cache_bytes > CACHE_MAX_BYTES)
    {
      g_clear_pointer (&cache, g_hash_table_unref);
      cache = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                     (GDestroyNotify) g_ptr_array_unref);
      cache_bytes = 0;
    }
  {
    GPtrArray *bucket = g_hash_table_lookup (cache, &hash);

    if (bucket == NULL)
      {
        bucket = g_ptr_array_new_with_free_func (cache_entry_free);
        g_hash_table_insert (cache, g_memdup2 (&hash, sizeof hash), bucket);
      }
    g_ptr_array_add (bucket, entry);
    cache_bytes += (gsize) w * h + 256;
  }
  g_mutex_unlock (&cache_lock);
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

/* Renders frame for text detection: grey over the whole stored range (the brightest
 * value is white whatever the window), RGB for colour frames. */
static void
render_frame (LacunaFrame  *frame,
              guint8      **out_grey,
              guint8      **out_rgb)
{
  guint w = lacuna_frame_get_width (frame), h = lacuna_frame_get_height (frame);
  double min = 0, max = 0;

  lacuna_frame_get_value_range (frame, &min, &max);
  *out_grey = g_malloc ((gsize) w * h);
  *out_rgb = NULL;
  if (lacuna_frame_is_color (frame))
    {
      *out_rgb = g_malloc ((gsize) w * h * 3);
      lacuna_frame_render_rgb (frame, 128, 256, FALSE, *out_rgb, (gsize) w * 3);
      lacuna_frame_render_grey (frame, 128, 256, FALSE, *out_grey, w);
    }
  else if (max > min)
    lacuna_frame_render_grey (frame, (min + max) / 2.0, max - min + 1, FALSE, *out_grey, w);
  else
    memset (*out_grey, 0, (gsize) w * h);
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

LacunaBurnedIn *
lacuna_burned_in_scan (LacunaDicomFile    *file,
                       LacunaOcrIdentity  *identity,
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

  g_return_val_if_fail (file != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!lacuna_ocr_is_available (error))
    return NULL;
  if (!lacuna_dicom_file_get_pixel_info (file, &info, error))
    return NULL;
  if (identity == NULL)
    identity = own_identity = lacuna_ocr_identity_new_from_file (file);

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
      g_autofree guint8 *grey = NULL;
      g_autofree guint8 *rgb = NULL;
      g_autoptr(GArray) regions = NULL;
      GPtrArray *set;
      guint64 fhash;
      gpointer seen;
      guint w, h;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      frame = lacuna_frame_decode (file, f, error);
      if (frame == NULL)
        return NULL;
      w = lacuna_frame_get_width (frame);
      h = lacuna_frame_get_height (frame);
      render_frame (frame, &grey, &rgb);

      /* A cine's repeated frame: the same lines. */
      fhash = hash_bytes (grey, (gsize) w * h);
      if (rgb != NULL)
        fhash ^= hash_bytes (rgb, (gsize) w * h * 3) * 31;
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

      regions = lacuna_text_regions_find (grey, w, h, w, rgb, rgb != NULL ? (gsize) w * 3 : 0,
                                          NULL, NULL);
      for (guint i = 0; i < regions->len; i++)
        {
          const LacunaTextRegion *region = &g_array_index (regions, LacunaTextRegion, i);
          LacunaBurnedInLine *line;
          g_autofree guint8 *crop = NULL;
          guint64 key;
          int cw, ch;

          /* The same line at the same place in an earlier frame: one finding. */
          crop = crop_line (grey, w, h, w, region->box, &cw, &ch, &key);
          for (int k = 0; k < 4; k++)
            key = (key ^ (guint32) region->box[k]) * 1099511628211ull;
          line = g_hash_table_lookup (line_keys, &key);
          if (line == NULL)
            {
              char *text = NULL;
              GStrv words = NULL;

              if (!read_line (grey, w, h, w, region->box, &text, &words, error))
                return NULL;
              line = classify (identity, region->box, text, words);
              g_ptr_array_add (self->lines, line);
              g_hash_table_insert (line_keys, g_memdup2 (&key, sizeof key), line);
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

gboolean
lacuna_burned_in_verify (LacunaDicomFile       *output,
                         LacunaOcrIdentity     *identity,
                         const LacunaRedactBox *boxes,
                         guint                  n_boxes,
                         LacunaBurnedInCheck   *check,
                         GCancellable          *cancellable,
                         GError               **error)
{
  g_autoptr(LacunaBurnedIn) scan = NULL;

  g_return_val_if_fail (output != NULL, FALSE);
  g_return_val_if_fail (boxes != NULL || n_boxes == 0, FALSE);
  g_return_val_if_fail (check != NULL, FALSE);

  memset (check, 0, sizeof *check);
  check->left = g_array_new (FALSE, FALSE, sizeof (LacunaRedactBox));

  /* (b) OCR of the written pixels: every line left must be clinical vocabulary and match
   * nothing of the original identity. */
  scan = lacuna_burned_in_scan (output, identity, cancellable, error);
  if (scan == NULL)
    return FALSE;
  check->n_frames = scan->n_frames;
  for (guint i = 0; i < scan->lines->len; i++)
    {
      const LacunaBurnedInLine *line = g_ptr_array_index (scan->lines, i);
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

  /* (a) No text-like pixels inside the boxes. */
  if (n_boxes > 0)
    {
      g_autofree gboolean *dirty = g_new0 (gboolean, n_boxes);

      for (guint f = 0; f < scan->n_frames; f++)
        {
          g_autoptr(LacunaFrame) frame = NULL;
          g_autofree guint8 *grey = NULL;
          g_autofree guint8 *rgb = NULL;
          gboolean any = FALSE;
          guint w, h;

          for (guint b = 0; b < n_boxes; b++)
            any |= box_on_frame (&boxes[b], f);
          if (!any)
            continue;
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return FALSE;
          frame = lacuna_frame_decode (output, f, error);
          if (frame == NULL)
            return FALSE;
          w = lacuna_frame_get_width (frame);
          h = lacuna_frame_get_height (frame);
          render_frame (frame, &grey, &rgb);
          for (guint b = 0; b < n_boxes; b++)
            {
              int box[4] = { boxes[b].x, boxes[b].y, boxes[b].width, boxes[b].height };

              if (!dirty[b] && box_on_frame (&boxes[b], f) &&
                  lacuna_text_regions_count_mask (grey, w, h, w, rgb,
                                                  rgb != NULL ? (gsize) w * 3 : 0, NULL,
                                                  box) > 0)
                dirty[b] = TRUE;
            }
        }
      for (guint b = 0; b < n_boxes; b++)
        check->n_boxes_with_text += dirty[b];
    }
  return TRUE;
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

gboolean
lacuna_burned_in_diff_outside (LacunaDicomFile       *original,
                               LacunaDicomFile       *output,
                               const LacunaRedactBox *boxes,
                               guint                  n_boxes,
                               guint                  tolerance,
                               guint64               *out_n_changed,
                               GError               **error)
{
  LacunaDicomPixelInfo a, b;
  guint64 changed = 0;

  g_return_val_if_fail (original != NULL && output != NULL, FALSE);
  g_return_val_if_fail (boxes != NULL || n_boxes == 0, FALSE);

  if (out_n_changed != NULL)
    *out_n_changed = 0;
  if (!lacuna_dicom_file_get_pixel_info (original, &a, error) ||
      !lacuna_dicom_file_get_pixel_info (output, &b, error))
    return FALSE;
  if (a.rows != b.rows || a.columns != b.columns || a.n_frames != b.n_frames)
    {
      g_set_error_literal (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID,
                           _("The written image does not have the original’s rows, columns "
                             "and frames"));
      return FALSE;
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
        {
          const guint8 *da = g_bytes_get_data (sa, NULL), *db = g_bytes_get_data (sb, NULL);
          gsize px = (gsize) (a.bits_allocated / 8 > 0 ? a.bits_allocated / 8 : 1) *
                     a.samples_per_pixel;

          for (guint y = 0; y < a.rows; y++)
            for (guint x = 0; x < a.columns; x++)
              {
                gsize off = ((gsize) y * a.columns + x) * px;

                if (memcmp (da + off, db + off, px) != 0 &&
                    !inside_any_box (boxes, n_boxes, f, (int) x, (int) y))
                  changed++;
              }
        }
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
