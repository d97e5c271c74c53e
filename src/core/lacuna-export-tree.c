/* lacuna-export-tree.c: the output side of an export: file IDs, the output folder's rules,
 * temporary files, hashes and the .zip. */
#define G_LOG_DOMAIN "lacuna-export-tree"
#define _GNU_SOURCE   /* O_TMPFILE */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <openssl/evp.h>

#include "lacuna-error.h"
#include "lacuna-export-private.h"

/* 1980-01-01 00:00:00 UTC: the earliest date a zip's DOS timestamp holds. */
#define ZIP_FIXED_MTIME G_GINT64_CONSTANT (315532800)

static const char base32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/* ---------------------------------------------------------------------------------------- */
/* DICOMDIR records                                                                         */

void
_lacuna_export_keep_dicomdir_record (LacunaExport    *self,
                                     LacunaDicomFile *written,
                                     const char      *file_id)
{
  g_autoptr(GBytes) record = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (self != NULL && written != NULL && file_id != NULL);

  if (self->spool == NULL)
    return;
  /* Without a record, the finalizer builds the DICOMDIR from the files themselves. The
   * messages name the file ID and attributes, never a value. */
  record = lacuna_dicom_file_build_dicomdir_record (written, file_id, &error);
  if (record == NULL)
    g_debug ("%s", error->message);
  else if (!_lacuna_report_spool_add_record (self->spool, file_id, record, &error))
    g_debug ("the DICOMDIR record of %s is not kept: %s", file_id, error->message);
}

/* ---------------------------------------------------------------------------------------- */
/* File IDs                                                                                 */

static void
component (GString    *out,
           char        prefix,
           const char *domain,
           const char *value)
{
  guint8 digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_MD_CTX *ctx = EVP_MD_CTX_new ();
  guint64 bits = 0;

  EVP_DigestInit_ex (ctx, EVP_sha256 (), NULL);
  EVP_DigestUpdate (ctx, domain, strlen (domain) + 1);
  EVP_DigestUpdate (ctx, value != NULL ? value : "", value != NULL ? strlen (value) : 0);
  EVP_DigestFinal_ex (ctx, digest, &len);
  EVP_MD_CTX_free (ctx);

  for (guint i = 0; i < 8; i++)
    bits = (bits << 8) | digest[i];
  g_string_append_c (out, prefix);
  for (guint i = 0; i < 7; i++)
    g_string_append_c (out, base32_alphabet[(bits >> (59 - 5 * i)) & 0x1f]);
}

char *
lacuna_export_file_id (const char *patient_id,
                       const char *study_uid,
                       const char *series_uid,
                       const char *sop_instance_uid)
{
  GString *id = g_string_new ("DICOM/");

  component (id, 'P', "patient", patient_id);
  g_string_append_c (id, '/');
  component (id, 'S', "study", study_uid);
  g_string_append_c (id, '/');
  component (id, 'S', "series", series_uid);
  g_string_append_c (id, '/');
  component (id, 'I', "instance", sop_instance_uid);
  return g_string_free (id, FALSE);
}

static gboolean
is_component (const char *s,
              char        prefix)
{
  if (s[0] != prefix || strlen (s) != 8)
    return FALSE;
  for (guint i = 1; i < 8; i++)
    if (strchr (base32_alphabet, s[i]) == NULL || s[i] == '\0')
      return FALSE;
  return TRUE;
}

gboolean
_lacuna_export_is_tree_file_id (const char *file_id)
{
  g_auto(GStrv) parts = g_strsplit (file_id, "/", -1);

  return g_strv_length (parts) == 5 && strcmp (parts[0], "DICOM") == 0 &&
         is_component (parts[1], 'P') && is_component (parts[2], 'S') &&
         is_component (parts[3], 'S') && is_component (parts[4], 'I');
}

guint
lacuna_export_shard_of_study (LacunaKey  *key,
                              const char *study_uid,
                              guint       n_shards)
{
  guint8 digest[32];
  guint64 v = 0;

  g_return_val_if_fail (key != NULL, 0);

  if (n_shards <= 1)
    return 0;
  lacuna_key_hmac_domain (key, "shard", study_uid != NULL ? study_uid : "", digest);
  for (guint i = 0; i < 8; i++)
    v = (v << 8) | digest[i];
  return (guint) (v % n_shards);
}

char *
lacuna_export_dup_default_report_path (const char *output,
                                       gboolean    zip)
{
  g_autofree char *base = g_strdup (output);
  gsize len;

  /* "out/" → "out" */
  len = strlen (base);
  while (len > 1 && base[len - 1] == G_DIR_SEPARATOR)
    base[--len] = '\0';
  if (zip && len > 4 && g_ascii_strcasecmp (base + len - 4, ".zip") == 0)
    base[len - 4] = '\0';
  return g_strconcat (base, ".report.json", NULL);
}

/* ---------------------------------------------------------------------------------------- */
/* Names of our hidden files                                                                */

char *
_lacuna_export_manifest_path (const char *outdir,
                              guint       shard_index,
                              guint       n_shards)
{
  g_autofree char *name = g_strdup_printf (LACUNA_EXPORT_MANIFEST_PREFIX "%u-of-%u.json",
                                           shard_index, n_shards);

  return g_build_filename (outdir, name, NULL);
}

gboolean
_lacuna_export_parse_manifest_name (const char *name,
                                    guint      *out_index,
                                    guint      *out_n)
{
  const char *p;
  char *end;
  guint64 i, n;

  if (!g_str_has_prefix (name, LACUNA_EXPORT_MANIFEST_PREFIX))
    return FALSE;
  p = name + strlen (LACUNA_EXPORT_MANIFEST_PREFIX);
  if (!g_ascii_isdigit (*p))
    return FALSE;
  i = g_ascii_strtoull (p, &end, 10);
  if (!g_str_has_prefix (end, "-of-") || !g_ascii_isdigit (end[4]))
    return FALSE;
  n = g_ascii_strtoull (end + 4, &end, 10);
  if (strcmp (end, ".json") != 0 || n == 0 || i >= n || n > G_MAXUINT)
    return FALSE;
  *out_index = (guint) i;
  *out_n = (guint) n;
  return TRUE;
}

char *
_lacuna_export_temp_tag (guint shard_index,
                         guint n_shards)
{
  return g_strdup_printf (LACUNA_EXPORT_TEMP_MARKER "%u-of-%u-", shard_index, n_shards);
}

/* ---------------------------------------------------------------------------------------- */
/* Paths                                                                                    */

static char *
canonical (const char *path)
{
  g_autofree char *abs = NULL;
  g_autofree char *parent = NULL;
  g_autofree char *base = NULL;
  char *real;

  if (path == NULL || *path == '\0')
    return NULL;
  real = realpath (path, NULL);
  if (real != NULL)
    {
      char *dup = g_strdup (real);

      free (real);
      return dup;
    }
  /* Not there (yet): canonicalize the parent that exists. */
  abs = g_canonicalize_filename (path, NULL);
  parent = g_path_get_dirname (abs);
  base = g_path_get_basename (abs);
  if (strcmp (parent, abs) == 0)
    return g_steal_pointer (&abs);
  {
    g_autofree char *cparent = canonical (parent);

    return g_build_filename (cparent, base, NULL);
  }
}

gboolean
_lacuna_export_path_is_inside (const char *path,
                               const char *dir)
{
  g_autofree char *p = canonical (path);
  g_autofree char *d = canonical (dir);
  gsize len;

  if (p == NULL || d == NULL)
    return FALSE;
  if (strcmp (p, d) == 0)
    return TRUE;
  len = strlen (d);
  if (len == 1 && d[0] == '/')
    return TRUE;
  return strncmp (p, d, len) == 0 && p[len] == G_DIR_SEPARATOR;
}

/* ---------------------------------------------------------------------------------------- */
/* The output folder                                                                        */

typedef struct
{
  const char *temp_tag;
  gboolean    any_tree_file;
  gboolean    any_manifest;
  char       *foreign;        /* relative path of the first foreign entry */
  GPtrArray  *temp_files;     /* of this shard */
  GPtrArray  *tree;           /* file IDs */
} Scan;

static gboolean
scan_dir (const char  *root,
          const char  *rel,
          guint        depth,
          Scan        *scan,
          GError     **error)
{
  g_autofree char *path = rel[0] ? g_build_filename (root, rel, NULL) : g_strdup (root);
  g_autoptr(GDir) dir = g_dir_open (path, 0, error);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, _lacuna_export_compare_strings);

  for (guint i = 0; i < names->len && scan->foreign == NULL; i++)
    {
      const char *n = g_ptr_array_index (names, i);
      g_autofree char *child_rel = rel[0] ? g_strconcat (rel, "/", n, NULL) : g_strdup (n);
      g_autofree char *child = g_build_filename (root, child_rel, NULL);
      GStatBuf st;
      gboolean is_dir;
      guint index, count;

      if (g_lstat (child, &st) != 0)
        continue;
      is_dir = S_ISDIR (st.st_mode);

      if (strstr (n, LACUNA_EXPORT_TEMP_MARKER) != NULL && S_ISREG (st.st_mode))
        {
          if (scan->temp_tag != NULL && strstr (n, scan->temp_tag) != NULL)
            g_ptr_array_add (scan->temp_files, g_steal_pointer (&child));
          continue;
        }
      if (depth == 0)
        {
          if (!is_dir && S_ISREG (st.st_mode) &&
              _lacuna_export_parse_manifest_name (n, &index, &count))
            {
              scan->any_manifest = TRUE;
              continue;
            }
          if (strcmp (n, "DICOMDIR") == 0 && S_ISREG (st.st_mode))
            continue;
          if (strcmp (n, "DICOM") == 0 && is_dir)
            {
              if (!scan_dir (root, child_rel, depth + 1, scan, error))
                return FALSE;
              continue;
            }
        }
      else if (depth >= 1 && depth <= 3 && is_dir &&
               is_component (n, depth == 1 ? 'P' : 'S'))
        {
          if (!scan_dir (root, child_rel, depth + 1, scan, error))
            return FALSE;
          continue;
        }
      else if (depth == 4 && S_ISREG (st.st_mode) && is_component (n, 'I'))
        {
          scan->any_tree_file = TRUE;
          if (scan->tree != NULL)
            g_ptr_array_add (scan->tree, g_strdup (child_rel));
          continue;
        }
      scan->foreign = g_steal_pointer (&child_rel);
    }
  return TRUE;
}

gboolean
_lacuna_export_prepare_output (const char  *outdir,
                               const char  *temp_tag,
                               GError     **error)
{
  return _lacuna_export_prepare_output_full (outdir, NULL, temp_tag, error);
}

static gboolean
add_listed_id (const char  *text,
               gsize        len,
               gpointer     data,
               GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;
  JsonNode *id;

  if (!json_parser_load_from_data (parser, text, (gssize) len, error))
    return FALSE;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return TRUE;
  id = json_object_get_member (json_node_get_object (root), "file-id");
  if (id != NULL && JSON_NODE_HOLDS_VALUE (id) && json_node_get_value_type (id) == G_TYPE_STRING)
    g_hash_table_add (data, g_strdup (json_node_get_string (id)));
  return TRUE;
}

/* TRUE when the JSON report at report_path lists every file of outdir's tree (an output
 * finalized earlier: its manifest is gone, the report beside it is the record). The
 * report's entries are read one at a time (lacuna-report-spool.c). */
static gboolean
report_lists_tree (const char *outdir,
                   const char *report_path)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GHashTable) listed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GString) rest = g_string_new (NULL);
  g_autoptr(GPtrArray) tree = NULL;
  JsonNode *root;
  JsonObject *report;
  JsonNode *files_node;

  if (report_path == NULL || !g_file_test (report_path, G_FILE_TEST_IS_REGULAR) ||
      !_lacuna_report_scan_member (report_path, "files", add_listed_id, listed, rest, NULL) ||
      !json_parser_load_from_data (parser, rest->str, (gssize) rest->len, NULL))
    return FALSE;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;
  report = json_node_get_object (root);
  if (!json_object_has_member (report, "lacuna-report"))
    return FALSE;
  files_node = json_object_get_member (report, "files");
  if (files_node == NULL || !JSON_NODE_HOLDS_ARRAY (files_node))
    return FALSE;
  tree = _lacuna_export_list_tree (outdir, NULL);
  if (tree == NULL)
    return FALSE;
  for (guint i = 0; i < tree->len; i++)
    if (!g_hash_table_contains (listed, g_ptr_array_index (tree, i)))
      return FALSE;
  return TRUE;
}

gboolean
_lacuna_export_prepare_output_full (const char  *outdir,
                                    const char  *report_path,
                                    const char  *temp_tag,
                                    GError     **error)
{
  Scan scan = { temp_tag, FALSE, FALSE, NULL, NULL, NULL };
  g_autoptr(GPtrArray) temp_files = g_ptr_array_new_with_free_func (g_free);
  GStatBuf st;

  if (g_stat (outdir, &st) != 0)
    {
      if (g_mkdir_with_parents (outdir, 0755) != 0)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       _("Cannot create the output folder %s: %s"), outdir,
                       g_strerror (saved));
          return FALSE;
        }
      return TRUE;
    }
  if (!S_ISDIR (st.st_mode))
    {
      g_set_error (error, LACUNA_EXPORT_ERROR, LACUNA_EXPORT_ERROR_FAILED,
                   _("The output %s exists and is not a folder"), outdir);
      return FALSE;
    }

  scan.temp_files = temp_files;
  if (!scan_dir (outdir, "", 0, &scan, error))
    return FALSE;
  if (scan.foreign != NULL)
    {
      g_set_error (error, LACUNA_EXPORT_ERROR, LACUNA_EXPORT_ERROR_FAILED,
                   _("The output folder %s holds “%s”, which Lacuna did not write; choose an "
                     "empty or new folder"), outdir, scan.foreign);
      g_free (scan.foreign);
      return FALSE;
    }
  if (scan.any_tree_file && !scan.any_manifest && !report_lists_tree (outdir, report_path))
    {
      g_set_error (error, LACUNA_EXPORT_ERROR, LACUNA_EXPORT_ERROR_FAILED,
                   _("The output folder %s holds DICOM files without Lacuna’s record of "
                     "writing them; choose an empty or new folder"), outdir);
      return FALSE;
    }
  for (guint i = 0; i < temp_files->len; i++)
    g_unlink (g_ptr_array_index (temp_files, i));
  return TRUE;
}

GPtrArray *
_lacuna_export_list_tree (const char  *outdir,
                          GError     **error)
{
  g_autoptr(GPtrArray) tree = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) temp_files = g_ptr_array_new_with_free_func (g_free);
  Scan scan = { NULL, FALSE, FALSE, NULL, temp_files, tree };
  g_autofree char *dicom = g_build_filename (outdir, "DICOM", NULL);

  if (!g_file_test (dicom, G_FILE_TEST_IS_DIR))
    return g_steal_pointer (&tree);
  if (!scan_dir (outdir, "DICOM", 1, &scan, error))
    return NULL;
  if (scan.foreign != NULL)
    {
      g_set_error (error, LACUNA_EXPORT_ERROR, LACUNA_EXPORT_ERROR_FAILED,
                   _("The output folder %s holds “%s”, which Lacuna did not write"),
                   outdir, scan.foreign);
      g_free (scan.foreign);
      return NULL;
    }
  g_ptr_array_sort (tree, _lacuna_export_compare_strings);
  return g_steal_pointer (&tree);
}

/* ---------------------------------------------------------------------------------------- */
/* Hashes and text                                                                          */

static void
digest_to_hex (const guint8 *digest,
               char          out_hex[LACUNA_SHA256_HEX_LEN + 1])
{
  for (guint i = 0; i < 32; i++)
    {
      out_hex[2 * i] = "0123456789abcdef"[digest[i] >> 4];
      out_hex[2 * i + 1] = "0123456789abcdef"[digest[i] & 0xf];
    }
  out_hex[64] = '\0';
}

/* For g_ptr_array_sort() over strings: it passes pointers to the elements. */
int
_lacuna_export_compare_strings (gconstpointer a,
                                gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

void
_lacuna_export_sha256_data (const guint8 *data,
                            gsize         size,
                            char          out_hex[LACUNA_SHA256_HEX_LEN + 1])
{
  guint8 digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;

  EVP_Digest (data, size, digest, &len, EVP_sha256 (), NULL);
  digest_to_hex (digest, out_hex);
}

gboolean
_lacuna_export_sha256_file (const char *path,
                            char        out_hex[LACUNA_SHA256_HEX_LEN + 1],
                            guint64    *out_size,
                            GError    **error)
{
  guint8 digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  g_autofree guint8 *buf = NULL;
  EVP_MD_CTX *ctx;
  guint64 size = 0;
  int fd;

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot read %s: %s"), path, g_strerror (saved));
      return FALSE;
    }
  buf = g_malloc (1 << 20);
  ctx = EVP_MD_CTX_new ();
  EVP_DigestInit_ex (ctx, EVP_sha256 (), NULL);
  for (;;)
    {
      ssize_t n = read (fd, buf, 1 << 20);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          EVP_MD_CTX_free (ctx);
          close (fd);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       _("Cannot read %s: %s"), path, g_strerror (saved));
          return FALSE;
        }
      if (n == 0)
        break;
      EVP_DigestUpdate (ctx, buf, (size_t) n);
      size += (guint64) n;
    }
  close (fd);
  EVP_DigestFinal_ex (ctx, digest, &len);
  EVP_MD_CTX_free (ctx);
  digest_to_hex (digest, out_hex);
  if (out_size != NULL)
    *out_size = size;
  return TRUE;
}

/* Sets error from errno value saved: "what: reason"; FALSE. */
static gboolean
fail_errno (GError     **error,
            int          saved,
            const char  *what)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", what,
               g_strerror (saved));
  return FALSE;
}

/* Creates a file from tmpl (…XXXXXX, replaced) holding data; nothing is left on failure. */
static gboolean
write_temp (char          *tmpl,
            const guint8  *data,
            gsize          size,
            GError       **error)
{
  int fd = g_mkstemp_full (tmpl, O_RDWR | O_CLOEXEC, 0644);
  int saved;

  if (fd < 0)
    return fail_errno (error, errno, "cannot create a temporary file in the output");
  saved = _lacuna_write_fd (fd, data, size);
  if (close (fd) != 0 && saved == 0)
    saved = errno;
  if (saved != 0)
    {
      g_unlink (tmpl);
      return fail_errno (error, saved, "cannot write the file");
    }
  return TRUE;
}

/* Links the unnamed file fd (O_TMPFILE) to path; FALSE with errno set. linkat() with
 * AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH, the /proc link does not (open(2)). */
static gboolean
link_unnamed (int         fd,
              const char *path)
{
  char proc[64];

  g_snprintf (proc, sizeof proc, "/proc/self/fd/%d", fd);
  return linkat (AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0;
}

gboolean
_lacuna_export_write_into_place (const char    *dir,
                                 char          *tmpl,
                                 const char    *target,
                                 const guint8  *data,
                                 gsize          size,
                                 GError       **error)
{
  int fd = -1;

#ifdef O_TMPFILE
  fd = open (dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
#endif
  if (fd >= 0)
    {
      int saved = _lacuna_write_fd (fd, data, size);

      if (saved == 0 && link_unnamed (fd, target))
        {
          if (close (fd) == 0)
            return TRUE;
          saved = errno;
          g_unlink (target);
          return fail_errno (error, saved, "cannot write the file");
        }
      if (saved == 0)
        saved = errno;
      close (fd);
      if (saved != EEXIST && saved != ENOENT && saved != EPERM && saved != EXDEV)
        return fail_errno (error, saved, "cannot write the file");
      /* The name is taken (a rerun replaces what an interrupted run wrote), there is
       * no /proc, or the file system cannot link it: the usual way. */
    }
  if (!write_temp (tmpl, data, size, error))
    return FALSE;
  if (g_rename (tmpl, target) != 0)
    {
      int saved = errno;

      g_unlink (tmpl);
      return fail_errno (error, saved, "cannot rename into place");
    }
  return TRUE;
}

gboolean
_lacuna_export_write_text (const char  *path,
                           const char  *text,
                           GError     **error)
{
  /* g_file_set_contents writes a temporary file in the same folder and renames it. */
  return g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644,
                                   error);
}

/* ---------------------------------------------------------------------------------------- */
/* Zip                                                                                      */

static gboolean
archive_fail (struct archive  *a,
              const char      *zip_path,
              GError         **error)
{
  g_set_error (error, LACUNA_EXPORT_ERROR, LACUNA_EXPORT_ERROR_FAILED,
               _("Cannot write the archive %s: %s"), zip_path,
               archive_error_string (a) != NULL ? archive_error_string (a) : "");
  return FALSE;
}

gboolean
_lacuna_export_write_zip (const char          *root,
                          const char * const  *file_ids,
                          const char          *zip_path,
                          GError             **error)
{
  g_autofree char *dir = g_path_get_dirname (zip_path);
  g_autofree char *base = g_path_get_basename (zip_path);
  g_autofree char *tmpl = g_strdup_printf ("%s/.%s" LACUNA_EXPORT_TEMP_MARKER "zip-XXXXXX",
                                           dir, base);
  g_autofree guint8 *buf = NULL;
  struct archive *a;
  int fd;

  fd = g_mkstemp_full (tmpl, O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot create a file beside %s: %s"), zip_path, g_strerror (saved));
      return FALSE;
    }

  a = archive_write_new ();
  if (archive_write_set_format_zip (a) != ARCHIVE_OK ||
      archive_write_set_options (a, "zip:compression=store") != ARCHIVE_OK ||
      archive_write_open_fd (a, fd) != ARCHIVE_OK)
    {
      archive_fail (a, zip_path, error);
      goto fail;
    }

  buf = g_malloc (1 << 20);
  for (guint i = 0; file_ids[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (root, file_ids[i], NULL);
      struct archive_entry *entry;
      GStatBuf st;
      int in;

      in = g_open (path, O_RDONLY | O_CLOEXEC, 0);
      if (in < 0 || fstat (in, &st) != 0)
        {
          int saved = errno;

          if (in >= 0)
            close (in);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       _("Cannot read %s: %s"), path, g_strerror (saved));
          goto fail;
        }
      entry = archive_entry_new ();
      archive_entry_set_pathname (entry, file_ids[i]);
      archive_entry_set_filetype (entry, AE_IFREG);
      archive_entry_set_perm (entry, 0644);
      archive_entry_set_size (entry, st.st_size);
      archive_entry_set_mtime (entry, ZIP_FIXED_MTIME, 0);
      if (archive_write_header (a, entry) != ARCHIVE_OK)
        {
          archive_entry_free (entry);
          close (in);
          archive_fail (a, zip_path, error);
          goto fail;
        }
      archive_entry_free (entry);
      for (;;)
        {
          ssize_t n = read (in, buf, 1 << 20);

          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            break;
          if (archive_write_data (a, buf, (size_t) n) != n)
            {
              close (in);
              archive_fail (a, zip_path, error);
              goto fail;
            }
        }
      close (in);
    }
  if (archive_write_close (a) != ARCHIVE_OK)
    {
      archive_fail (a, zip_path, error);
      goto fail;
    }
  archive_write_free (a);
  a = NULL;
  if (fsync (fd) != 0 || close (fd) != 0)
    {
      fd = -1;
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot write %s"), zip_path);
      g_unlink (tmpl);
      return FALSE;
    }
  fd = -1;
  if (g_rename (tmpl, zip_path) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot write %s: %s"), zip_path, g_strerror (saved));
      g_unlink (tmpl);
      return FALSE;
    }
  return TRUE;

fail:
  if (a != NULL)
    archive_write_free (a);
  if (fd >= 0)
    close (fd);
  g_unlink (tmpl);
  return FALSE;
}

gboolean
_lacuna_export_zip_is_ours (const char *path)
{
  struct archive *a = archive_read_new ();
  struct archive_entry *entry;
  gboolean ours = TRUE;
  int r;

  archive_read_support_format_zip (a);
  if (archive_read_open_filename (a, path, 65536) != ARCHIVE_OK)
    {
      archive_read_free (a);
      return FALSE;
    }
  while ((r = archive_read_next_header (a, &entry)) == ARCHIVE_OK)
    {
      const char *name = archive_entry_pathname (entry);

      if (name == NULL ||
          (strcmp (name, "DICOMDIR") != 0 && !_lacuna_export_is_tree_file_id (name)))
        {
          ours = FALSE;
          break;
        }
    }
  if (r != ARCHIVE_EOF && ours)
    ours = FALSE;
  archive_read_free (a);
  return ours;
}

void
_lacuna_export_remove_staging (const char *outdir)
{
  g_autoptr(GPtrArray) tree = _lacuna_export_list_tree (outdir, NULL);
  g_autoptr(GDir) dir = NULL;
  g_autofree char *dicomdir = g_build_filename (outdir, "DICOMDIR", NULL);
  const char *name;

  if (tree == NULL)
    return;
  for (guint i = 0; i < tree->len; i++)
    {
      g_autofree char *path = g_build_filename (outdir, g_ptr_array_index (tree, i), NULL);

      g_unlink (path);
      /* Empty folders up to DICOM/ go too (rmdir fails harmlessly on non-empty ones). */
      for (guint level = 0; level < 4; level++)
        {
          char *slash = strrchr (path, G_DIR_SEPARATOR);

          if (slash == NULL)
            break;
          *slash = '\0';
          if (g_rmdir (path) != 0)
            break;
        }
    }
  g_unlink (dicomdir);
  dir = g_dir_open (outdir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      guint index, n;

      if (_lacuna_export_parse_manifest_name (name, &index, &n))
        {
          g_autofree char *path = g_build_filename (outdir, name, NULL);

          g_unlink (path);
        }
    }
  g_rmdir (outdir);
}
