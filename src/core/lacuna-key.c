/* lacuna-key.c: the project key and keyed hashes (OpenSSL libcrypto HMAC-SHA-256). */

#define G_LOG_DOMAIN "lacuna-key"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "lacuna-key.h"

/* libcrypto frees its state in an exit handler, which a worker thread still hashing as the
 * process exits (a tag inspector planning a slice, a check being cancelled) then finds
 * freed: it fails with an error instead of finishing. Initialised before main() without
 * that handler; the process's exit frees everything anyway. (Every program that links the
 * engine links this file: keyed hashes are everywhere.) */
#ifdef __GNUC__
__attribute__ ((constructor)) static void
init_crypto (void)
{
  OPENSSL_init_crypto (OPENSSL_INIT_NO_ATEXIT, NULL);
}
#endif

struct _LacunaKey
{
  gatomicrefcount  ref_count;
  gsize            size;
  guint8          *data;
  /* HMAC-SHA-256 already keyed: each use starts from a copy. Setting up HMAC() (fetching
   * the algorithm, absorbing the key) cost more than hashing a UID. NULL: HMAC() is used. */
  EVP_MAC_CTX     *keyed;
};

static EVP_MAC_CTX *
new_keyed (const guint8 *data,
           gsize         size)
{
  EVP_MAC *mac = EVP_MAC_fetch (NULL, "HMAC", NULL);
  EVP_MAC_CTX *ctx = mac != NULL ? EVP_MAC_CTX_new (mac) : NULL;
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
    OSSL_PARAM_construct_utf8_string (OSSL_MAC_PARAM_DIGEST, digest, 0),
    OSSL_PARAM_construct_end (),
  };

  EVP_MAC_free (mac);
  if (ctx != NULL && EVP_MAC_init (ctx, data, size, params) != 1)
    g_clear_pointer (&ctx, EVP_MAC_CTX_free);
  return ctx;
}

LacunaKey *
lacuna_key_new_from_data (gconstpointer   data,
                          gsize           size,
                          GError        **error)
{
  LacunaKey *key;

  g_return_val_if_fail (data != NULL || size == 0, NULL);

  if (size < LACUNA_KEY_MIN_BYTES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The key has %u bytes; at least %d are needed"),
                   (guint) size, LACUNA_KEY_MIN_BYTES);
      return NULL;
    }
  if (size > LACUNA_KEY_MAX_BYTES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The key has more than %d bytes; is it really a key file?"),
                   LACUNA_KEY_MAX_BYTES);
      return NULL;
    }

  key = g_new0 (LacunaKey, 1);
  g_atomic_ref_count_init (&key->ref_count);
  key->size = size;
  key->data = g_memdup2 (data, size);
  key->keyed = new_keyed (key->data, key->size);
  return key;
}

LacunaKey *
lacuna_key_ref (LacunaKey *key)
{
  g_return_val_if_fail (key != NULL, NULL);

  g_atomic_ref_count_inc (&key->ref_count);
  return key;
}

void
lacuna_key_unref (LacunaKey *key)
{
  g_return_if_fail (key != NULL);

  if (g_atomic_ref_count_dec (&key->ref_count))
    {
      OPENSSL_cleanse (key->data, key->size);
      g_free (key->data);
      g_clear_pointer (&key->keyed, EVP_MAC_CTX_free);
      g_free (key);
    }
}

gsize
lacuna_key_get_size (LacunaKey *key)
{
  g_return_val_if_fail (key != NULL, 0);

  return key->size;
}

char *
lacuna_key_dup_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "lacuna", "key", NULL);
}

char *
lacuna_key_status_dup_message (LacunaKeyStatus  status,
                               const char      *path)
{
  g_autofree char *display = NULL;

  if ((status & LACUNA_KEY_STATUS_READABLE_BY_OTHERS) == 0)
    return NULL;
  display = g_filename_display_name (path != NULL ? path : "");
  return g_strdup_printf (_("The key file %s can be read by other users: anyone who can read "
                            "it can confirm guesses of the original identifiers. Make it "
                            "private (chmod 600)."), display);
}

/* format takes the file's display name, then the system's error text. */
#define set_io_error_from_errno(error, saved_errno, format, path) \
  G_STMT_START { \
    int errsv_ = (saved_errno); \
    g_autofree char *display_ = g_filename_display_name (path); \
    g_set_error ((error), G_IO_ERROR, g_io_error_from_errno (errsv_), (format), display_, \
                 g_strerror (errsv_)); \
  } G_STMT_END

/* Reads an already opened key file. */
static LacunaKey *
read_key_fd (int               fd,
             const char       *path,
             LacunaKeyStatus  *status,
             GError          **error)
{
  struct stat st;
  guint8 buf[LACUNA_KEY_MAX_BYTES + 1];
  gsize n = 0;
  LacunaKey *key;

  if (fstat (fd, &st) != 0)
    {
      set_io_error_from_errno (error, errno, _("Cannot read the key file %s: %s"), path);
      return NULL;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                   _("The key file %s is not a regular file"), display);
      return NULL;
    }
  if ((st.st_mode & 0077) != 0)
    *status |= LACUNA_KEY_STATUS_READABLE_BY_OTHERS;

  while (n < sizeof buf)
    {
      ssize_t r = read (fd, buf + n, sizeof buf - n);

      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          set_io_error_from_errno (error, errno, _("Cannot read the key file %s: %s"), path);
          OPENSSL_cleanse (buf, sizeof buf);
          return NULL;
        }
      if (r == 0)
        break;
      n += (gsize) r;
    }

  key = lacuna_key_new_from_data (buf, n, error);
  OPENSSL_cleanse (buf, sizeof buf);
  if (key == NULL)
    {
      g_autofree char *display = g_filename_display_name (path);

      g_prefix_error (error, _("Key file %s: "), display);
    }
  return key;
}

LacunaKey *
lacuna_key_load (const char       *path,
                 LacunaKeyStatus  *out_status,
                 GError          **error)
{
  LacunaKeyStatus status = LACUNA_KEY_STATUS_NONE;
  LacunaKey *key;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
  if (fd < 0)
    {
      set_io_error_from_errno (error, errno, _("Cannot open the key file %s: %s"), path);
      return NULL;
    }
  key = read_key_fd (fd, path, &status, error);
  close (fd);
  if (out_status != NULL)
    *out_status = key != NULL ? status : LACUNA_KEY_STATUS_NONE;
  return key;
}

static gboolean
write_all (int           fd,
           const guint8 *data,
           gsize         size)
{
  while (size > 0)
    {
      ssize_t w = write (fd, data, size);

      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        return FALSE;
      data += w;
      size -= (gsize) w;
    }
  return TRUE;
}

/* Creates path exclusively with fresh random bytes. Returns NULL with G_IO_ERROR_EXISTS
 * when another process created it first. */
static LacunaKey *
create_key_file (const char  *path,
                 GError     **error)
{
  guint8 bytes[LACUNA_KEY_NEW_BYTES];
  g_autofree char *dir = g_path_get_dirname (path);
  LacunaKey *key;
  int saved_errno;
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      set_io_error_from_errno (error, errno, _("Cannot create the folder of the key file %s: %s"),
                               path);
      return NULL;
    }
  if (RAND_bytes (bytes, sizeof bytes) != 1)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("The system's random number generator failed"));
      return NULL;
    }

  /* O_EXCL: a key is never overwritten, and two processes racing to create it cannot
   * both win (the loser reads the winner's key). Mode 0600 from the start. */
  fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    {
      set_io_error_from_errno (error, errno, _("Cannot create the key file %s: %s"), path);
      OPENSSL_cleanse (bytes, sizeof bytes);
      return NULL;
    }
  /* The umask cannot widen 0600, but a restrictive one could narrow it: make it exact. */
  (void) fchmod (fd, 0600);
  if (!write_all (fd, bytes, sizeof bytes) || fsync (fd) != 0)
    {
      saved_errno = errno;
      close (fd);
      g_unlink (path);   /* a short key file must not be left behind */
      OPENSSL_cleanse (bytes, sizeof bytes);
      set_io_error_from_errno (error, saved_errno, _("Cannot write the key file %s: %s"), path);
      return NULL;
    }
  if (close (fd) != 0)
    {
      saved_errno = errno;
      g_unlink (path);
      OPENSSL_cleanse (bytes, sizeof bytes);
      set_io_error_from_errno (error, saved_errno, _("Cannot write the key file %s: %s"), path);
      return NULL;
    }

  key = lacuna_key_new_from_data (bytes, sizeof bytes, error);
  OPENSSL_cleanse (bytes, sizeof bytes);
  return key;
}

LacunaKey *
lacuna_key_load_or_create (const char       *path,
                           LacunaKeyStatus  *out_status,
                           GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  LacunaKey *key;

  g_return_val_if_fail (path != NULL, NULL);

  if (out_status != NULL)
    *out_status = LACUNA_KEY_STATUS_NONE;

  key = lacuna_key_load (path, out_status, &local_error);
  if (key != NULL)
    return key;
  if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  g_clear_error (&local_error);

  key = create_key_file (path, &local_error);
  if (key != NULL)
    {
      if (out_status != NULL)
        *out_status = LACUNA_KEY_STATUS_CREATED;
      return key;
    }
  /* Someone else created it between our two attempts: use theirs. */
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    return lacuna_key_load (path, out_status, error);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

void
lacuna_key_hmac (LacunaKey     *key,
                 gconstpointer  data,
                 gsize          size,
                 guint8         out[32])
{
  unsigned int out_len = 32;

  g_return_if_fail (key != NULL);
  g_return_if_fail (data != NULL || size == 0);

  if (key->keyed != NULL)
    {
      /* A copy of the keyed state (read only: several threads may copy it at once). */
      EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup (key->keyed);
      size_t len = 0;
      gboolean ok = ctx != NULL && EVP_MAC_update (ctx, data != NULL ? data : (const guint8 *) "",
                                                   size) == 1 &&
                    EVP_MAC_final (ctx, out, &len, 32) == 1 && len == 32;

      EVP_MAC_CTX_free (ctx);
      if (ok)
        return;
    }
  if (HMAC (EVP_sha256 (), key->data, (int) key->size, data != NULL ? data : (const guint8 *) "",
            size, out, &out_len) == NULL || out_len != 32)
    g_error ("HMAC-SHA-256 failed");   /* libcrypto without SHA-256: cannot go on safely */
}

void
lacuna_key_hmac_domain (LacunaKey  *key,
                        const char *domain,
                        const char *value,
                        guint8      out[32])
{
  gsize dlen, vlen;
  g_autofree guint8 *buf = NULL;

  g_return_if_fail (key != NULL);
  g_return_if_fail (domain != NULL);

  if (value == NULL)
    value = "";
  dlen = strlen (domain);
  vlen = strlen (value);
  buf = g_malloc (dlen + 1 + vlen);
  memcpy (buf, domain, dlen);
  buf[dlen] = 0;
  memcpy (buf + dlen + 1, value, vlen);
  lacuna_key_hmac (key, buf, dlen + 1 + vlen, out);
  OPENSSL_cleanse (buf, dlen + 1 + vlen);
}

char *
lacuna_key_dup_base32 (LacunaKey  *key,
                       const char *domain,
                       const char *value,
                       guint       n_chars)
{
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  guint8 mac[32];
  char *out;

  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (n_chars <= 51, NULL);

  lacuna_key_hmac_domain (key, domain, value, mac);
  out = g_malloc (n_chars + 1);
  for (guint i = 0; i < n_chars; i++)
    {
      guint bit = i * 5;
      guint byte = bit / 8;
      guint shift = bit % 8;
      guint v = (guint) mac[byte] << 8 | (byte + 1 < sizeof mac ? mac[byte + 1] : 0);

      out[i] = alphabet[(v >> (11 - shift)) & 0x1F];
    }
  out[n_chars] = '\0';
  return out;
}
