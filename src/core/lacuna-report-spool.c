/* lacuna-report-spool.c: the report's entries on disk, and the report and manifests
 * written and read by streaming them (see lacuna-report-spool.h). */
#define G_LOG_DOMAIN "lacuna-report-spool"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "lacuna-report-spool.h"

#define BUFFER_SIZE  (64 * 1024)
/* The placeholder element the generator writes where the entries go: a string starting
 * with U+0001 is written "\u0001…", which no other string can produce. */
#define MARKER        "\001lacuna-entries\001"
#define MARKER_JSON   "\"\\u0001lacuna-entries\\u0001\""

/* ---------------------------------------------------------------------------------------- */
/* Spool                                                                                    */

typedef struct
{
  const char *file_id;   /* in ids */
  guint64     offset;
  guint32     length;    /* without the newline; 0: no line, the entry is its rendering */
  guint32     flags;
  guint64     record_offset;
  guint32     record_length;   /* 0: no DICOMDIR record */
  guint32     block_length;    /* after the line (if any): its rendering (0: none) */
} Entry;

/* What is kept of an entry rendered by the thread that adds it, instead of its line: a
 * header (BlockHeader), the text _lacuna_report_render_entry gives for it (the piece), then
 * the caller's extra bytes. */
typedef struct
{
  guint32 piece_length;
  guint32 checked;         /* the piece's lines but its last searched by the residual scan,
                            * without a hit */
  guint32 n_needles;       /* the strings searched for then */
  guint32 reserved;
} BlockHeader;

/* A DICOMDIR record written to the file before its entry arrives. */
typedef struct
{
  guint64 offset;
  guint32 length;
} PendingRecord;

struct _LacunaReportSpool
{
  GMutex        lock;
  int           fd;
  guint64       size;       /* written to fd */
  GString      *pending;    /* not yet written */
  GArray       *entries;    /* Entry */
  GStringChunk *ids;
  GHashTable   *records;    /* file ID → PendingRecord, until the file's entry comes */
  LacunaResidual *checked_with;   /* the residual the pieces were searched with */
  gboolean        mixed;          /* … with more than one: none counts as searched */
};

int
_lacuna_write_fd (int         fd,
                  const void *data,
                  gsize       size)
{
  gsize done = 0;

  while (done < size)
    {
      ssize_t n = write (fd, (const char *) data + done, MIN (size - done, (gsize) 1 << 30));

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return n < 0 ? errno : ENOSPC;
      done += (gsize) n;
    }
  return 0;
}

static gboolean
write_all (int          fd,
           const char  *data,
           gsize        size,
           GError     **error)
{
  int saved = _lacuna_write_fd (fd, data, size);

  if (saved != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot write the report’s temporary file: %s"), g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

LacunaReportSpool *
_lacuna_report_spool_new (const char  *near,
                          GError     **error)
{
  g_autofree char *dir = near != NULL ? g_path_get_dirname (near) : NULL;
  const char *dirs[] = { dir, g_get_tmp_dir () };
  LacunaReportSpool *self;
  int fd = -1;
  int saved = 0;

  for (guint i = 0; i < G_N_ELEMENTS (dirs) && fd < 0; i++)
    {
      g_autofree char *tmpl = NULL;

      if (dirs[i] == NULL)
        continue;
      tmpl = g_build_filename (dirs[i], ".lacuna-report-spool-XXXXXX", NULL);
      fd = g_mkstemp_full (tmpl, O_RDWR | O_CLOEXEC, 0600);
      if (fd < 0)
        saved = errno;
      else
        g_unlink (tmpl);   /* open, nameless: nothing stays behind, whatever happens */
    }
  if (fd < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot create the report’s temporary file: %s"), g_strerror (saved));
      return NULL;
    }
  self = g_new0 (LacunaReportSpool, 1);
  g_mutex_init (&self->lock);
  self->fd = fd;
  self->pending = g_string_sized_new (BUFFER_SIZE);
  self->entries = g_array_new (FALSE, FALSE, sizeof (Entry));
  self->ids = g_string_chunk_new (16 * 1024);
  self->records = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return self;
}

void
_lacuna_report_spool_free (LacunaReportSpool *self)
{
  if (self == NULL)
    return;
  close (self->fd);
  g_string_free (self->pending, TRUE);
  g_array_unref (self->entries);
  g_string_chunk_free (self->ids);
  g_hash_table_unref (self->records);
  g_mutex_clear (&self->lock);
  g_free (self);
}

/* Under the lock. */
static gboolean
flush_locked (LacunaReportSpool  *self,
              GError            **error)
{
  if (self->pending->len == 0)
    return TRUE;
  if (!write_all (self->fd, self->pending->str, self->pending->len, error))
    return FALSE;
  self->size += self->pending->len;
  g_string_truncate (self->pending, 0);
  return TRUE;
}

/* Adds an entry: its compact line, or (line NULL) only what is kept of its rendering
 * (block). */
static gboolean
add_line (LacunaReportSpool  *self,
          const char         *file_id,
          const char         *line,
          gsize               len,
          GString            *block,
          GError            **error)
{
  Entry e = { 0 };
  gboolean ok = TRUE;
  PendingRecord *record;

  g_mutex_lock (&self->lock);
  e.file_id = g_string_chunk_insert (self->ids, file_id);
  e.offset = self->size + self->pending->len;
  e.length = (guint32) len;
  record = g_hash_table_lookup (self->records, file_id);
  if (record != NULL)
    {
      e.record_offset = record->offset;
      e.record_length = record->length;
      g_hash_table_remove (self->records, file_id);
    }
  if (line != NULL)
    {
      g_string_append_len (self->pending, line, len);
      g_string_append_c (self->pending, '\n');
    }
  if (block != NULL)
    {
      e.block_length = (guint32) block->len;
      g_string_append_len (self->pending, block->str, (gssize) block->len);
    }
  g_array_append_val (self->entries, e);
  if (self->pending->len >= BUFFER_SIZE)
    ok = flush_locked (self, error);
  g_mutex_unlock (&self->lock);
  return ok;
}

static const char *
entry_file_id (JsonNode *entry)
{
  JsonNode *id;

  if (entry == NULL || !JSON_NODE_HOLDS_OBJECT (entry))
    return NULL;
  id = json_object_get_member (json_node_get_object (entry), "file-id");
  if (id == NULL || !JSON_NODE_HOLDS_VALUE (id) || json_node_get_value_type (id) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (id);
}

static gboolean
add_record_locked (LacunaReportSpool  *self,
                   const char         *file_id,
                   const guint8       *data,
                   gsize               size,
                   GError            **error)
{
  PendingRecord *record = g_new (PendingRecord, 1);

  record->offset = self->size + self->pending->len;
  record->length = (guint32) size;
  g_string_append_len (self->pending, (const char *) data, (gssize) size);
  g_hash_table_replace (self->records, g_strdup (file_id), record);
  if (self->pending->len >= BUFFER_SIZE)
    return flush_locked (self, error);
  return TRUE;
}

gboolean
_lacuna_report_spool_add_record (LacunaReportSpool  *self,
                                 const char         *file_id,
                                 GBytes             *record,
                                 GError            **error)
{
  gsize size = 0;
  const guint8 *data;
  gboolean ok;

  g_return_val_if_fail (self != NULL && file_id != NULL && record != NULL, FALSE);

  data = g_bytes_get_data (record, &size);
  if (size == 0 || size > G_MAXUINT32)
    return TRUE;   /* nothing usable: the DICOMDIR is built from the files */
  g_mutex_lock (&self->lock);
  ok = add_record_locked (self, file_id, data, size, error);
  g_mutex_unlock (&self->lock);
  return ok;
}

/* An entry of a manifest may carry its file's DICOMDIR record (base64): it goes beside
 * the entry, never into it. Returns the entry to spool (a new node without the member, or
 * entry itself). */
static JsonNode *
take_record (LacunaReportSpool  *self,
             const char         *file_id,
             JsonNode           *entry,
             GError            **error)
{
  JsonObject *o = json_node_get_object (entry);
  JsonNode *member = json_object_get_member (o, LACUNA_REPORT_RECORD_MEMBER);
  JsonObject *copy;
  JsonNode *node;
  g_autoptr(GList) names = NULL;

  if (member == NULL)
    return json_node_ref (entry);
  if (JSON_NODE_HOLDS_VALUE (member) && json_node_get_value_type (member) == G_TYPE_STRING)
    {
      gsize size = 0;
      g_autofree guint8 *data = g_base64_decode (json_node_get_string (member), &size);
      gboolean ok = TRUE;

      if (size > 0 && size <= G_MAXUINT32)
        {
          g_mutex_lock (&self->lock);
          ok = add_record_locked (self, file_id, data, size, error);
          g_mutex_unlock (&self->lock);
        }
      if (!ok)
        return NULL;
    }
  copy = json_object_new ();
  names = json_object_get_members (o);
  for (GList *l = names; l != NULL; l = l->next)
    if (strcmp (l->data, LACUNA_REPORT_RECORD_MEMBER) != 0)
      json_object_set_member (copy, l->data, json_node_copy (json_object_get_member (o, l->data)));
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, copy);
  return node;
}

/* TRUE when node holds a double: its text may read back as another value ("-0" as the
 * integer 0), so that what is rendered when the entry is added might not be what its line
 * reads back as. */
static gboolean
holds_double (JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        JsonNode *member;

        json_object_iter_init (&iter, json_node_get_object (node));
        while (json_object_iter_next (&iter, NULL, &member))
          if (holds_double (member))
            return TRUE;
        return FALSE;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        for (guint i = 0; i < json_array_get_length (array); i++)
          if (holds_double (json_array_get_element (array, i)))
            return TRUE;
        return FALSE;
      }
    case JSON_NODE_VALUE:
      return json_node_get_value_type (node) == G_TYPE_DOUBLE;
    case JSON_NODE_NULL:
    default:
      return FALSE;
    }
}

/* What is kept of an entry rendered as piece (see BlockHeader); its lines but the last
 * are searched with residual (may be NULL). */
static GString *
render_block (const char     *piece,
              LacunaResidual *residual,
              const char     *extra,
              gsize           extra_len)
{
  BlockHeader header = { 0 };
  GString *block;

  header.piece_length = (guint32) strlen (piece);
  if (residual != NULL)
    {
      GDestroyNotify free_hit = (GDestroyNotify) lacuna_residual_hit_free;
      g_autoptr(GPtrArray) hits = g_ptr_array_new_with_free_func (free_hit);
      const char *last = strrchr (piece, '\n');

      /* The needles first: an input added meanwhile makes the search count as not done. */
      header.n_needles = lacuna_residual_get_n_needles (residual);
      if (last != NULL)
        {
          g_autofree char *lines = g_strndup (piece, (gsize) (last + 1 - piece));

          lacuna_residual_check_text (residual, lines, "report", hits);
        }
      header.checked = hits->len == 0;
    }
  block = g_string_sized_new (sizeof header + header.piece_length + extra_len);
  g_string_append_len (block, (const char *) &header, sizeof header);
  g_string_append_len (block, piece, header.piece_length);
  if (extra_len > 0)
    g_string_append_len (block, extra, (gssize) extra_len);
  return block;
}

gboolean
_lacuna_report_spool_add (LacunaReportSpool  *self,
                          JsonNode           *entry,
                          GError            **error)
{
  return _lacuna_report_spool_add_full (self, entry, NULL, NULL, 0, error);
}

gboolean
_lacuna_report_spool_add_full (LacunaReportSpool  *self,
                               JsonNode           *entry,
                               LacunaResidual     *residual,
                               const char         *extra,
                               gsize               extra_len,
                               GError            **error)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) own = NULL;
  g_autoptr(GString) block = NULL;
  g_autofree char *line = NULL;
  g_autofree char *piece = NULL;
  const char *file_id = entry_file_id (entry);
  gsize len = 0;

  g_return_val_if_fail (self != NULL, FALSE);

  if (file_id == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("A report entry without a file ID"));
      return FALSE;
    }
  own = take_record (self, file_id, entry, error);
  if (own == NULL)
    return FALSE;
  entry = own;

  /* Rendered here, by the thread adding it, rather than by the one writing the report; kept
   * instead of the compact line (it is read back by parsing it) when it reads back as the
   * same values, else the line is kept and the writer renders it. */
  if (extra_len <= G_MAXUINT32 / 4 && !holds_double (entry))
    {
      piece = _lacuna_report_render_entry (entry);
      /* An input path that is not UTF-8 would make a text no parser reads back. */
      if (strlen (piece) > G_MAXUINT32 / 4 || !g_utf8_validate (piece, -1, NULL))
        g_clear_pointer (&piece, g_free);
    }
  if (piece != NULL)
    {
      block = render_block (piece, residual, extra, extra_len);
      if (residual != NULL)
        {
          g_mutex_lock (&self->lock);
          if (self->checked_with == NULL)
            self->checked_with = residual;
          else if (self->checked_with != residual)
            self->mixed = TRUE;
          g_mutex_unlock (&self->lock);
        }
      return add_line (self, file_id, NULL, 0, block, error);
    }

  json_generator_set_root (gen, entry);
  line = json_generator_to_data (gen, &len);
  if (!g_utf8_validate (line, (gssize) len, NULL))
    {
      char *valid = g_utf8_make_valid (line, (gssize) len);

      g_free (line);
      line = valid;
      len = strlen (line);
    }
  return add_line (self, file_id, line, len, NULL, error);
}

gboolean
_lacuna_report_spool_add_text (LacunaReportSpool  *self,
                               const char         *text,
                               gsize               len,
                               GError            **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_return_val_if_fail (self != NULL, FALSE);

  if (!json_parser_load_from_data (parser, text, (gssize) len, error))
    return FALSE;
  return _lacuna_report_spool_add (self, json_parser_get_root (parser), error);
}

LacunaResidual *
_lacuna_report_spool_get_checked_with (LacunaReportSpool *self)
{
  LacunaResidual *residual;

  g_return_val_if_fail (self != NULL, NULL);

  g_mutex_lock (&self->lock);
  residual = self->mixed ? NULL : self->checked_with;
  g_mutex_unlock (&self->lock);
  return residual;
}

guint
_lacuna_report_spool_get_length (LacunaReportSpool *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->entries->len;
}

const char *
_lacuna_report_spool_get_file_id (LacunaReportSpool *self,
                                  guint              i)
{
  g_return_val_if_fail (self != NULL && i < self->entries->len, NULL);

  return g_array_index (self->entries, Entry, i).file_id;
}

guint
_lacuna_report_spool_get_flags (LacunaReportSpool *self,
                                guint              i)
{
  g_return_val_if_fail (self != NULL && i < self->entries->len, 0);

  return g_array_index (self->entries, Entry, i).flags;
}

void
_lacuna_report_spool_set_flags (LacunaReportSpool *self,
                                guint              i,
                                guint              flags)
{
  g_return_if_fail (self != NULL && i < self->entries->len);

  g_array_index (self->entries, Entry, i).flags = flags;
}

/* length bytes at offset, and a NUL after them. */
static char *
read_bytes (LacunaReportSpool  *self,
            guint64             offset,
            guint32             length,
            GError            **error)
{
  g_autofree char *text = g_malloc ((gsize) length + 1);
  gsize done = 0;

  g_mutex_lock (&self->lock);
  if (!flush_locked (self, error))
    {
      g_mutex_unlock (&self->lock);
      return NULL;
    }
  g_mutex_unlock (&self->lock);
  while (done < length)
    {
      ssize_t n = pread (self->fd, text + done, length - done, (off_t) (offset + done));

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = n < 0 ? errno : EIO;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       _("Cannot read the report’s temporary file: %s"), g_strerror (saved));
          return NULL;
        }
      done += (gsize) n;
    }
  text[length] = '\0';
  return g_steal_pointer (&text);
}

static char *
read_line (LacunaReportSpool  *self,
           const Entry        *e,
           GError            **error)
{
  return read_bytes (self, e->offset, e->length, error);
}

/* What is kept beside entry i: FALSE on a read error; TRUE with *out_block NULL when
 * nothing is. */
static gboolean
read_block (LacunaReportSpool  *self,
            guint               i,
            GBytes            **out_block,
            BlockHeader        *out_header,
            GError            **error)
{
  const Entry *e = &g_array_index (self->entries, Entry, i);
  char *data;

  *out_block = NULL;
  if (e->block_length < sizeof (BlockHeader))
    return TRUE;
  data = read_bytes (self, e->offset + (e->length > 0 ? e->length + 1 : 0), e->block_length,
                     error);
  if (data == NULL)
    return FALSE;
  memcpy (out_header, data, sizeof (BlockHeader));
  if (out_header->piece_length > e->block_length - sizeof (BlockHeader))
    {
      g_free (data);
      return TRUE;
    }
  *out_block = g_bytes_new_take (data, e->block_length);
  return TRUE;
}

gboolean
_lacuna_report_spool_read_rendered (LacunaReportSpool  *self,
                                    guint               i,
                                    GBytes            **out_piece,
                                    GBytes            **out_extra,
                                    GError            **error)
{
  g_autoptr(GBytes) block = NULL;
  BlockHeader header;
  gsize size;

  g_return_val_if_fail (self != NULL && i < self->entries->len, FALSE);

  if (out_piece != NULL)
    *out_piece = NULL;
  if (out_extra != NULL)
    *out_extra = NULL;
  if (!read_block (self, i, &block, &header, error))
    return FALSE;
  if (block == NULL)
    return TRUE;
  size = g_bytes_get_size (block);
  if (out_piece != NULL)
    *out_piece = g_bytes_new_from_bytes (block, sizeof header, header.piece_length);
  if (out_extra != NULL && size > sizeof header + header.piece_length)
    *out_extra = g_bytes_new_from_bytes (block, sizeof header + header.piece_length,
                                         size - sizeof header - header.piece_length);
  return TRUE;
}

GBytes *
_lacuna_report_spool_read_record (LacunaReportSpool  *self,
                                  guint               i,
                                  GError            **error)
{
  const Entry *e;
  char *data;

  g_return_val_if_fail (self != NULL && i < self->entries->len, NULL);

  e = &g_array_index (self->entries, Entry, i);
  if (e->record_length == 0)
    return NULL;
  data = read_bytes (self, e->record_offset, e->record_length, error);
  if (data == NULL)
    return NULL;
  return g_bytes_new_take (data, e->record_length);
}

gboolean
_lacuna_report_spool_has_record (LacunaReportSpool *self,
                                 guint              i)
{
  g_return_val_if_fail (self != NULL && i < self->entries->len, FALSE);

  return g_array_index (self->entries, Entry, i).record_length > 0;
}

JsonNode *
_lacuna_report_spool_read (LacunaReportSpool  *self,
                           guint               i,
                           GError            **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autofree char *text = NULL;
  const Entry *e;
  JsonNode *root = NULL;

  g_return_val_if_fail (self != NULL && i < self->entries->len, NULL);

  e = &g_array_index (self->entries, Entry, i);
  if (e->length > 0)
    {
      text = read_line (self, e, error);
      if (text == NULL)
        return NULL;
    }
  else
    {
      /* Kept as its rendering only: that text parsed. */
      g_autoptr(GBytes) block = NULL;
      BlockHeader header;

      if (!read_block (self, i, &block, &header, error))
        return NULL;
      if (block != NULL)
        text = g_strndup ((const char *) g_bytes_get_data (block, NULL) + sizeof header,
                          header.piece_length);
    }
  if (text != NULL && !json_parser_load_from_data (parser, text, -1, error))
    return NULL;
  if (text != NULL)
    root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("A report entry is not a JSON object"));
      return NULL;
    }
  return json_node_ref (root);
}

static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  return strcmp (((const Entry *) a)->file_id, ((const Entry *) b)->file_id);
}

typedef struct
{
  Entry  entry;
  char  *input;
} Tied;

static int
compare_tied (gconstpointer a,
              gconstpointer b)
{
  return strcmp (((const Tied *) a)->input, ((const Tied *) b)->input);
}

gboolean
_lacuna_report_spool_sort (LacunaReportSpool  *self,
                           GError            **error)
{
  Entry *v;
  guint n;

  g_return_val_if_fail (self != NULL, FALSE);

  g_array_sort (self->entries, compare_ids);
  v = (Entry *) (gpointer) self->entries->data;
  n = self->entries->len;
  /* Equal file IDs (never within one run: names are claimed once) are ordered by input,
   * read back from the spool. */
  for (guint i = 0; i < n;)
    {
      guint j = i + 1;
      g_autoptr(GArray) tied = NULL;

      while (j < n && strcmp (v[i].file_id, v[j].file_id) == 0)
        j++;
      if (j - i > 1)
        {
          tied = g_array_new (FALSE, FALSE, sizeof (Tied));
          for (guint k = i; k < j; k++)
            {
              g_autoptr(JsonNode) node = _lacuna_report_spool_read (self, k, error);
              Tied t = { v[k], NULL };

              if (node == NULL)
                {
                  for (guint m = 0; m < tied->len; m++)
                    g_free (g_array_index (tied, Tied, m).input);
                  return FALSE;
                }
              t.input = g_strdup (json_object_get_string_member_with_default (
                                    json_node_get_object (node), "input", ""));
              g_array_append_val (tied, t);
            }
          g_array_sort (tied, compare_tied);
          for (guint k = i; k < j; k++)
            {
              v[k] = g_array_index (tied, Tied, k - i).entry;
              g_free (g_array_index (tied, Tied, k - i).input);
            }
        }
      i = j;
    }
  return TRUE;
}

/* ---------------------------------------------------------------------------------------- */
/* Writing                                                                                  */

struct _LacunaReportSink
{
  char           *path;
  char           *tmp_path;
  int             fd;
  GString        *buffer;
  gsize           checked;  /* the buffer's first bytes that need no search now */
  GString        *deferred; /* lines of those to search at the next flush */
  LacunaResidual *residual;
  GHashTable     *kinds;    /* the kinds of hit found so far (one hit each) */
  GPtrArray      *hits;
};

LacunaReportSink *
_lacuna_report_sink_new (const char      *path,
                         LacunaResidual  *residual,
                         GError         **error)
{
  return _lacuna_report_sink_new_full (path, NULL, residual, error);
}

LacunaReportSink *
_lacuna_report_sink_new_full (const char      *path,
                              const char      *temp_template,
                              LacunaResidual  *residual,
                              GError         **error)
{
  LacunaReportSink *self;
  g_autofree char *tmpl = temp_template != NULL ? g_strdup (temp_template)
                                                : g_strconcat (path, ".XXXXXX", NULL);
  int fd = g_mkstemp_full (tmpl, O_RDWR | O_CLOEXEC, 0644);

  if (fd < 0)
    {
      int saved = errno;
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Failed to create file “%s”: %s"), display, g_strerror (saved));
      return NULL;
    }
  self = g_new0 (LacunaReportSink, 1);
  self->path = g_strdup (path);
  self->tmp_path = g_steal_pointer (&tmpl);
  self->fd = fd;
  self->buffer = g_string_sized_new (BUFFER_SIZE + 4096);
  self->deferred = g_string_new (NULL);
  self->residual = residual;
  self->kinds = g_hash_table_new (g_str_hash, g_str_equal);
  self->hits = g_ptr_array_new_with_free_func ((GDestroyNotify) lacuna_residual_hit_free);
  return self;
}

void
_lacuna_report_sink_free (LacunaReportSink *self)
{
  if (self == NULL)
    return;
  if (self->fd >= 0)
    close (self->fd);
  if (self->tmp_path != NULL)
    g_unlink (self->tmp_path);
  g_free (self->path);
  g_free (self->tmp_path);
  g_string_free (self->buffer, TRUE);
  g_string_free (self->deferred, TRUE);
  g_hash_table_unref (self->kinds);
  g_ptr_array_unref (self->hits);
  g_free (self);
}

/* Searches the lines set aside and the buffer's bytes from what needs no search up to len
 * (whole lines, or everything): at once, the search going line by line. */
static void
sink_check (LacunaReportSink *self,
            gsize             len)
{
  GDestroyNotify free_hit = (GDestroyNotify) lacuna_residual_hit_free;
  g_autoptr(GPtrArray) hits = NULL;

  if (self->residual == NULL)
    return;
  if (len > self->checked)
    g_string_append_len (self->deferred, self->buffer->str + self->checked,
                         (gssize) (len - self->checked));
  self->checked = MAX (self->checked, len);
  if (self->deferred->len == 0)
    return;
  hits = g_ptr_array_new_with_free_func (free_hit);
  lacuna_residual_check_text (self->residual, self->deferred->str, "report", hits);
  g_string_truncate (self->deferred, 0);
  for (guint i = 0; i < hits->len; i++)
    {
      LacunaResidualHit *hit = g_ptr_array_index (hits, i);

      if (g_hash_table_add (self->kinds, (gpointer) hit->kind))
        g_ptr_array_add (self->hits, g_ptr_array_steal_index (hits, i--));
    }
}

/* Writes (and checks) the first len bytes of the buffer: whole lines, or everything. */
static gboolean
sink_flush (LacunaReportSink  *self,
            gsize              len,
            GError           **error)
{
  if (len == 0)
    return TRUE;
  sink_check (self, len);
  if (!write_all (self->fd, self->buffer->str, len, error))
    return FALSE;
  g_string_erase (self->buffer, 0, (gssize) len);
  self->checked = self->checked > len ? self->checked - len : 0;
  return TRUE;
}

gboolean
_lacuna_report_sink_write (LacunaReportSink  *self,
                           const char        *text,
                           gssize             len,
                           GError           **error)
{
  gsize end;

  g_return_val_if_fail (self != NULL && self->fd >= 0, FALSE);

  g_string_append_len (self->buffer, text, len);
  if (self->buffer->len < BUFFER_SIZE)
    return TRUE;
  /* Whole lines: the check looks at one line at a time, as over the whole text. */
  for (end = self->buffer->len; end > 0 && self->buffer->str[end - 1] != '\n'; end--)
    ;
  return sink_flush (self, end, error);
}

gboolean
_lacuna_report_sink_write_checked (LacunaReportSink  *self,
                                   const char        *text,
                                   gssize             len,
                                   LacunaResidual    *checked_with,
                                   guint              n_needles,
                                   GError           **error)
{
  gsize size;

  g_return_val_if_fail (self != NULL && self->fd >= 0, FALSE);

  size = len < 0 ? strlen (text) : (gsize) len;
  /* Searched already only when searched as the lines they make here. */
  if (self->residual == NULL || checked_with != self->residual || size == 0 ||
      text[size - 1] != '\n' ||
      (self->buffer->len > 0 && self->buffer->str[self->buffer->len - 1] != '\n') ||
      lacuna_residual_get_n_needles (self->residual) != n_needles)
    return _lacuna_report_sink_write (self, text, (gssize) size, error);
  /* What is before them is searched at the next flush (whole lines too). */
  g_string_append_len (self->deferred, self->buffer->str + self->checked,
                       (gssize) (self->buffer->len - self->checked));
  g_string_append_len (self->buffer, text, (gssize) size);
  self->checked = self->buffer->len;
  if (self->buffer->len < BUFFER_SIZE)
    return TRUE;
  return sink_flush (self, self->buffer->len, error);
}

gboolean
_lacuna_report_sink_finish (LacunaReportSink  *self,
                            GError           **error)
{
  g_return_val_if_fail (self != NULL && self->fd >= 0, FALSE);

  return sink_flush (self, self->buffer->len, error);
}

GPtrArray *
_lacuna_report_sink_get_hits (LacunaReportSink *self)
{
  return self->hits;
}

static gpointer
fsync_thread (gpointer data)
{
  return GINT_TO_POINTER (fsync (GPOINTER_TO_INT (data)) == 0 ? 0 : errno);
}

gboolean
_lacuna_report_sinks_commit (LacunaReportSink **sinks,
                             guint              n_sinks,
                             GError           **error)
{
  g_autofree int *saved = g_new0 (int, n_sinks);
  g_autofree GThread **threads = g_new0 (GThread *, n_sinks);

  for (guint i = 0; i < n_sinks; i++)
    {
      g_return_val_if_fail (sinks[i] != NULL && sinks[i]->fd >= 0, FALSE);
      if (!sink_flush (sinks[i], sinks[i]->buffer->len, error))
        return FALSE;
    }
  /* Each fsync waits for its file's data to reach the disk: side by side, the wait is the
   * longest one rather than their sum (tens of milliseconds at the end of an export). */
  for (guint i = 1; i < n_sinks; i++)
    threads[i] = g_thread_new ("lacuna-report-fsync", fsync_thread,
                               GINT_TO_POINTER (sinks[i]->fd));
  saved[0] = fsync (sinks[0]->fd) == 0 ? 0 : errno;
  for (guint i = 1; i < n_sinks; i++)
    saved[i] = GPOINTER_TO_INT (g_thread_join (threads[i]));

  for (guint i = 0; i < n_sinks; i++)
    {
      LacunaReportSink *self = sinks[i];
      int fd = self->fd;

      self->fd = -1;
      if (saved[i] == 0 && (close (fd) != 0 || g_rename (self->tmp_path, self->path) != 0))
        saved[i] = errno;
      else if (saved[i] != 0)
        close (fd);
      if (saved[i] != 0)
        {
          g_autofree char *display = g_filename_display_name (self->path);

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved[i]),
                       _("Failed to write file “%s”: %s"), display, g_strerror (saved[i]));
          return FALSE;
        }
      g_clear_pointer (&self->tmp_path, g_free);
    }
  return TRUE;
}

gboolean
_lacuna_report_sink_commit (LacunaReportSink  *self,
                            GError           **error)
{
  return _lacuna_report_sinks_commit (&self, 1, error);
}

char *
_lacuna_report_render_entry (JsonNode *entry)
{
  static const char prefix[] = "{\n  \"files\" : [\n";
  static const char suffix[] = "\n  ]\n}";
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonObject) wrapper = json_object_new ();
  JsonArray *array = json_array_new ();
  g_autofree char *text = NULL;
  gsize len = 0;

  /* Rendered where it goes (an empty object's text depends on its depth). */
  json_array_add_element (array, json_node_ref (entry));
  json_object_set_array_member (wrapper, "files", array);
  json_node_set_object (root, wrapper);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, &len);
  g_assert (g_str_has_prefix (text, prefix) && g_str_has_suffix (text, suffix));
  return g_strndup (text + strlen (prefix), len - strlen (prefix) - strlen (suffix));
}

/* entry with its DICOMDIR record as a member (for a manifest). */
static JsonNode *
with_record (JsonNode *entry,
             GBytes   *record)
{
  JsonObject *o = json_node_get_object (entry);
  JsonObject *copy = json_object_new ();
  g_autoptr(GList) names = json_object_get_members (o);
  gsize size = 0;
  const guchar *data = g_bytes_get_data (record, &size);
  g_autofree char *text = g_base64_encode (data, size);
  JsonNode *node;

  for (GList *l = names; l != NULL; l = l->next)
    json_object_set_member (copy, l->data, json_node_copy (json_object_get_member (o, l->data)));
  json_object_set_string_member (copy, LACUNA_REPORT_RECORD_MEMBER, text);
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, copy);
  return node;
}

/* The piece kept for an entry (see BlockHeader), with its DICOMDIR record as its last
 * member when record is not NULL: the bytes _lacuna_report_render_entry gives for the
 * entry with the record. FALSE + error on a write error; FALSE without when the piece
 * does not end as an entry's text does (the caller renders it then). */
static gboolean
write_piece (LacunaReportSink   *out,
             LacunaReportSpool  *spool,
             const char         *piece,
             gsize               len,
             const BlockHeader  *header,
             GBytes             *record,
             GError            **error)
{
  static const char end[] = "\n    }";
  const char *last;

  if (record != NULL)
    {
      gsize size = 0;
      const guchar *data = g_bytes_get_data (record, &size);
      g_autofree char *text = NULL;

      if (len < strlen (end) || memcmp (piece + len - strlen (end), end, strlen (end)) != 0)
        return FALSE;
      /* Base64 is written as it is (no character of it is escaped). */
      text = g_base64_encode (data, size);
      return _lacuna_report_sink_write (out, piece, (gssize) (len - strlen (end)), error) &&
             _lacuna_report_sink_write (out, ",\n      \"" LACUNA_REPORT_RECORD_MEMBER "\" : \"",
                                        -1, error) &&
             _lacuna_report_sink_write (out, text, -1, error) &&
             _lacuna_report_sink_write (out, "\"" , 1, error) &&
             _lacuna_report_sink_write (out, end, -1, error);
    }
  last = g_strrstr_len (piece, (gssize) len, "\n");
  if (header->checked && last != NULL)
    {
      gsize lines = (gsize) (last + 1 - piece);
      LacunaResidual *checked_with = _lacuna_report_spool_get_checked_with (spool);

      /* The last line goes on with what follows the piece: searched with it. */
      if (checked_with != NULL)
        return _lacuna_report_sink_write_checked (out, piece, (gssize) lines, checked_with,
                                                  header->n_needles, error) &&
               _lacuna_report_sink_write (out, last + 1, (gssize) (len - lines), error);
    }
  return _lacuna_report_sink_write (out, piece, (gssize) len, error);
}

gboolean
_lacuna_report_write_spliced (LacunaReportSink       *out,
                              JsonObject             *doc,
                              const char             *member,
                              LacunaReportSpool      *spool,
                              gboolean                final_newline,
                              LacunaReportEntryFunc   per_entry,
                              gpointer                data,
                              GError                **error)
{
  return _lacuna_report_write_spliced_full (out, doc, member, spool, TRUE, final_newline,
                                            per_entry, data, error);
}

static gboolean
write_spliced (LacunaReportSink       *out,
               JsonObject             *doc,
               const char             *member,
               LacunaReportSpool      *spool,
               gboolean                with_records,
               gboolean                final_newline,
               LacunaReportEntryFunc   per_entry,
               LacunaReportPieceFunc   per_piece,
               gpointer                data,
               GError                **error)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  JsonNode *member_node = json_object_get_member (doc, member);
  JsonArray *array = member_node != NULL && JSON_NODE_HOLDS_ARRAY (member_node)
                       ? json_node_get_array (member_node) : NULL;
  guint n = spool != NULL ? _lacuna_report_spool_get_length (spool) : 0;
  g_autofree char *text = NULL;
  const char *marker;
  const char *line;

  /* Without entries, doc is written as it is. */
  g_return_val_if_fail (n == 0 || (array != NULL && json_array_get_length (array) == 0), FALSE);

  if (n > 0)
    json_array_add_string_element (array, MARKER);
  json_node_set_object (root, doc);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  if (n > 0)
    json_array_remove_element (array, 0);
  if (n == 0)
    return _lacuna_report_sink_write (out, text, -1, error) &&
           (!final_newline || _lacuna_report_sink_write (out, "\n", 1, error));

  marker = strstr (text, MARKER_JSON);
  g_assert (marker != NULL);
  for (line = marker; line > text && line[-1] == ' '; line--)
    ;
  if (!_lacuna_report_sink_write (out, text, line - text, error))
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonNode) entry = NULL;
      g_autoptr(GBytes) record = NULL;
      g_autoptr(GBytes) block = NULL;
      g_autoptr(GBytes) extra = NULL;
      gboolean written = FALSE;
      BlockHeader header;

      if (!read_block (spool, i, &block, &header, error))
        return FALSE;
      if (with_records && _lacuna_report_spool_has_record (spool, i))
        {
          record = _lacuna_report_spool_read_record (spool, i, error);
          if (record == NULL)
            return FALSE;
        }
      if (i > 0 && !_lacuna_report_sink_write (out, ",\n", 2, error))
        return FALSE;
      if (block != NULL)
        {
          g_autoptr(GError) local_error = NULL;
          const char *piece = (const char *) g_bytes_get_data (block, NULL) + sizeof header;

          written = write_piece (out, spool, piece, header.piece_length, &header, record,
                                 &local_error);
          if (local_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          if (g_bytes_get_size (block) > sizeof header + header.piece_length)
            extra = g_bytes_new_from_bytes (block, sizeof header + header.piece_length,
                                            g_bytes_get_size (block) - sizeof header -
                                            header.piece_length);
        }
      if (!written || per_entry != NULL)
        {
          entry = _lacuna_report_spool_read (spool, i, error);
          if (entry == NULL)
            return FALSE;
        }
      if (!written)
        {
          g_autoptr(JsonNode) carrying = record != NULL ? with_record (entry, record) : NULL;
          g_autofree char *piece = _lacuna_report_render_entry (carrying != NULL ? carrying
                                                                                 : entry);

          if (!_lacuna_report_sink_write (out, piece, -1, error))
            return FALSE;
        }
      if (per_entry != NULL && !per_entry (json_node_get_object (entry), data, error))
        return FALSE;
      if (per_piece != NULL && !per_piece (spool, i, extra, data, error))
        return FALSE;
    }
  return _lacuna_report_sink_write (out, marker + strlen (MARKER_JSON), -1, error) &&
         (!final_newline || _lacuna_report_sink_write (out, "\n", 1, error));
}

gboolean
_lacuna_report_write_spliced_full (LacunaReportSink       *out,
                                   JsonObject             *doc,
                                   const char             *member,
                                   LacunaReportSpool      *spool,
                                   gboolean                with_records,
                                   gboolean                final_newline,
                                   LacunaReportEntryFunc   per_entry,
                                   gpointer                data,
                                   GError                **error)
{
  return write_spliced (out, doc, member, spool, with_records, final_newline, per_entry, NULL,
                        data, error);
}

gboolean
_lacuna_report_write_spliced_pieces (LacunaReportSink       *out,
                                     JsonObject             *doc,
                                     const char             *member,
                                     LacunaReportSpool      *spool,
                                     gboolean                with_records,
                                     gboolean                final_newline,
                                     LacunaReportPieceFunc   per_piece,
                                     gpointer                data,
                                     GError                **error)
{
  return write_spliced (out, doc, member, spool, with_records, final_newline, NULL, per_piece,
                        data, error);
}

/* ---------------------------------------------------------------------------------------- */
/* Reading                                                                                  */

typedef struct
{
  const char             *member;
  LacunaReportElementFunc func;
  gpointer                data;
  GString                *rest;
  int                     depth;
  gboolean                root_object;
  gboolean                in_string;
  gboolean                escape;
  gboolean                expect_key;    /* a string at depth 1 now is a member name */
  gboolean                in_key;
  GString                *key;
  gboolean                key_matches;   /* the last name was member, ':' not yet seen */
  gboolean                want_array;    /* after "member" : */
  gboolean                capturing;     /* inside member's array */
  GString                *element;
} Scan;

static gboolean
emit_element (Scan    *sc,
              GError **error)
{
  gsize len = sc->element->len;

  while (len > 0 && g_ascii_isspace (sc->element->str[len - 1]))
    len--;
  if (len > 0)
    {
      sc->element->str[len] = '\0';
      if (!sc->func (sc->element->str, len, sc->data, error))
        return FALSE;
    }
  g_string_truncate (sc->element, 0);
  return TRUE;
}

static gboolean
scan_bytes (Scan        *sc,
            const char  *p,
            gsize        n,
            GError     **error)
{
  for (gsize i = 0; i < n; i++)
    {
      char c = p[i];

      if (sc->in_string)
        {
          if (sc->capturing)
            g_string_append_c (sc->element, c);
          else
            g_string_append_c (sc->rest, c);
          if (sc->escape)
            sc->escape = FALSE;
          else if (c == '\\')
            sc->escape = TRUE;
          else if (c == '"')
            {
              sc->in_string = FALSE;
              if (sc->in_key)
                {
                  sc->in_key = FALSE;
                  sc->key_matches = strcmp (sc->key->str, sc->member) == 0;
                }
            }
          else if (sc->in_key)
            g_string_append_c (sc->key, c);
          continue;
        }

      if (sc->capturing)
        {
          if (sc->depth == 2 && (c == ',' || c == ']'))
            {
              if (!emit_element (sc, error))
                return FALSE;
              if (c == ']')
                {
                  sc->capturing = FALSE;
                  sc->depth--;
                  g_string_append_c (sc->rest, ']');
                }
              continue;
            }
          if (sc->element->len == 0 && g_ascii_isspace (c))
            continue;
          g_string_append_c (sc->element, c);
          if (c == '"')
            sc->in_string = TRUE;
          else if (c == '{' || c == '[')
            sc->depth++;
          else if (c == '}' || c == ']')
            sc->depth--;
          continue;
        }

      g_string_append_c (sc->rest, c);
      if (g_ascii_isspace (c))
        continue;
      if (sc->want_array)
        {
          sc->want_array = FALSE;
          if (c == '[')
            {
              sc->depth++;
              sc->capturing = TRUE;
              continue;
            }
        }
      switch (c)
        {
        case '"':
          sc->in_string = TRUE;
          if (sc->depth == 1 && sc->root_object && sc->expect_key)
            {
              sc->in_key = TRUE;
              sc->expect_key = FALSE;
              g_string_truncate (sc->key, 0);
            }
          break;
        case '{':
        case '[':
          if (sc->depth == 0)
            sc->root_object = c == '{';
          sc->depth++;
          if (sc->depth == 1)
            sc->expect_key = TRUE;
          break;
        case '}':
        case ']':
          sc->depth--;
          break;
        case ',':
          if (sc->depth == 1)
            sc->expect_key = TRUE;
          break;
        case ':':
          if (sc->depth == 1 && sc->key_matches)
            sc->want_array = TRUE;
          sc->key_matches = FALSE;
          break;
        default:
          break;
        }
    }
  return TRUE;
}

gboolean
_lacuna_report_scan_member (const char               *path,
                            const char               *member,
                            LacunaReportElementFunc   func,
                            gpointer                  data,
                            GString                  *rest,
                            GError                  **error)
{
  g_autofree char *buffer = g_malloc (BUFFER_SIZE);
  g_autoptr(GString) key = g_string_new (NULL);
  g_autoptr(GString) element = g_string_new (NULL);
  Scan sc = { 0 };
  FILE *f;
  gboolean ok = TRUE;

  g_return_val_if_fail (path != NULL && member != NULL && func != NULL && rest != NULL, FALSE);

  f = g_fopen (path, "rbe");
  if (f == NULL)
    {
      int saved = errno;
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Failed to open file “%s”: %s"), display, g_strerror (saved));
      return FALSE;
    }
  sc.member = member;
  sc.func = func;
  sc.data = data;
  sc.rest = rest;
  sc.key = key;
  sc.element = element;
  while (ok)
    {
      gsize n = fread (buffer, 1, BUFFER_SIZE, f);

      if (n > 0)
        ok = scan_bytes (&sc, buffer, n, error);
      if (n < BUFFER_SIZE)
        {
          if (ferror (f))
            {
              g_autofree char *display = g_filename_display_name (path);

              g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("Failed to read from file “%s”"), display);
              ok = FALSE;
            }
          break;
        }
    }
  fclose (f);
  if (ok && sc.capturing)
    {
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The file “%s” ends inside its “%s” list"), display, member);
      ok = FALSE;
    }
  return ok;
}
