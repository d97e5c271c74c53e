/* lacuna-key.h: the secret key of a de-identification project, and the keyed hashes
 * derived from it.
 *
 * Every replacement value that must be consistent across files, studies and runs (UIDs,
 * dummy identifiers, the per-patient date offset) is an HMAC-SHA-256 of the original value
 * under this key. The same key gives the same output; without the key, an outsider cannot
 * confirm a guess of the original (unlike the unkeyed MD5 hashes of other tools).
 *
 * A key is the whole content of a key file: at least LACUNA_KEY_MIN_BYTES bytes of anything
 * (new files get LACUNA_KEY_NEW_BYTES random bytes). The key is immutable after creation and
 * may be shared between threads (reference counted, atomically).
 *
 * Errors: G_IO_ERROR for I/O problems, G_IO_ERROR_INVALID_DATA for a key file that is too
 * short. Messages name the file, never its content. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define LACUNA_KEY_MIN_BYTES 16
#define LACUNA_KEY_NEW_BYTES 32
/* Key files larger than this are refused (a key file is not a data file). */
#define LACUNA_KEY_MAX_BYTES 4096

typedef struct _LacunaKey LacunaKey;

typedef enum /*< flags >*/
{
  LACUNA_KEY_STATUS_NONE              = 0,
  /* The file did not exist and was created (32 random bytes, mode 0600). */
  LACUNA_KEY_STATUS_CREATED           = 1 << 0,
  /* The file can be read by its group or by others (mode & 0077): the key should be
   * private. A warning for the user, not an error; see lacuna_key_status_get_message(). */
  LACUNA_KEY_STATUS_READABLE_BY_OTHERS = 1 << 1,
} LacunaKeyStatus;

/* A key from bytes (copied). Fewer than LACUNA_KEY_MIN_BYTES → NULL + G_IO_ERROR_INVALID_DATA. */
LacunaKey  *lacuna_key_new_from_data      (gconstpointer     data,
                                           gsize             size,
                                           GError          **error);
/* Reads the key file at path; when it does not exist, creates it atomically (O_CREAT|O_EXCL,
 * mode 0600, in a directory created with mode 0700 when missing) with LACUNA_KEY_NEW_BYTES
 * random bytes from the system's CSPRNG. out_status (may be NULL) receives what happened. */
LacunaKey  *lacuna_key_load_or_create     (const char       *path,
                                           LacunaKeyStatus  *out_status,
                                           GError          **error);
/* Only reads (never creates). */
LacunaKey  *lacuna_key_load               (const char       *path,
                                           LacunaKeyStatus  *out_status,
                                           GError          **error);

LacunaKey  *lacuna_key_ref                (LacunaKey        *key);
void        lacuna_key_unref              (LacunaKey        *key);

/* Number of key bytes. */
gsize       lacuna_key_get_size           (LacunaKey        *key);

/* The default key file for the GUI: g_get_user_data_dir()/lacuna/key. */
char       *lacuna_key_dup_default_path   (void);

/* A translated sentence for the user about a warning status bit (READABLE_BY_OTHERS), or
 * NULL when the status holds nothing to warn about. Names the file, never the key. */
char       *lacuna_key_status_dup_message (LacunaKeyStatus   status,
                                           const char       *path);

/* HMAC-SHA-256 of data under the key (exactly the bytes given: no prefix). */
void        lacuna_key_hmac               (LacunaKey        *key,
                                           gconstpointer     data,
                                           gsize             size,
                                           guint8            out[32]);
/* HMAC-SHA-256 of  domain ‖ 0x00 ‖ value  under the key: a separate hash family for each
 * purpose ("patient-id", "date-offset", …), so that values derived for one purpose say
 * nothing about another. */
void        lacuna_key_hmac_domain        (LacunaKey        *key,
                                           const char       *domain,
                                           const char       *value,
                                           guint8            out[32]);
/* n_chars (≤ 51) characters of RFC 4648 base32 (A–Z, 2–7) of the domain HMAC of value:
 * the body of keyed dummy identifiers. */
char       *lacuna_key_dup_base32         (LacunaKey        *key,
                                           const char       *domain,
                                           const char       *value,
                                           guint             n_chars);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LacunaKey, lacuna_key_unref)

G_END_DECLS
