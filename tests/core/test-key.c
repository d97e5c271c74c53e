/* test-key.c: the project key, keyed hashes and keyed UIDs. */

#define G_LOG_DOMAIN "test-key"

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <gio/gio.h>

#include "lacuna-key.h"
#include "lacuna-test-util.h"
#include "lacuna-uid-map.h"

static void
test_key_create (void)
{
  g_autofree char *dir = lacuna_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "sub", "key", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LacunaKey) key = NULL;
  g_autoptr(LacunaKey) again = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *contents2 = NULL;
  LacunaKeyStatus status = LACUNA_KEY_STATUS_READABLE_BY_OTHERS;
  gsize len = 0, len2 = 0;
  GStatBuf st;
  guint8 a[32], b[32];

  key = lacuna_key_load_or_create (path, &status, &error);
  g_assert_no_error (error);
  g_assert_nonnull (key);
  g_assert_cmpint (status, ==, LACUNA_KEY_STATUS_CREATED);
  g_assert_cmpuint (lacuna_key_get_size (key), ==, 32);

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpuint (len, ==, 32);

  /* Reuse: the same key, not re-created, file unchanged. */
  again = lacuna_key_load_or_create (path, &status, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, LACUNA_KEY_STATUS_NONE);
  g_assert_true (g_file_get_contents (path, &contents2, &len2, NULL));
  g_assert_cmpmem (contents, len, contents2, len2);
  lacuna_key_hmac (key, "x", 1, a);
  lacuna_key_hmac (again, "x", 1, b);
  g_assert_cmpmem (a, 32, b, 32);

  /* Loading a missing file without creating it. */
  {
    g_autofree char *missing = g_build_filename (dir, "missing", NULL);
    g_autoptr(GError) e2 = NULL;

    g_assert_null (lacuna_key_load (missing, NULL, &e2));
    g_assert_error (e2, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
    g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
  }
}

static void
test_key_too_short (void)
{
  g_autofree char *dir = lacuna_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "short", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len;

  g_assert_true (g_file_set_contents_full (path, "0123456789abcde", 15,
                                           G_FILE_SET_CONTENTS_NONE, 0600, NULL));
  g_assert_null (lacuna_key_load_or_create (path, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  /* Not replaced by a new key. */
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpuint (len, ==, 15);

  g_clear_error (&error);
  g_assert_null (lacuna_key_new_from_data ("", 0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);

  /* 16 bytes is enough. */
  {
    g_autoptr(LacunaKey) key = lacuna_key_new_from_data ("0123456789abcdef", 16, NULL);

    g_assert_nonnull (key);
  }
}

static void
test_key_readable (void)
{
  g_autofree char *dir = lacuna_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "key", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LacunaKey) key = NULL;
  g_autofree char *message = NULL;
  LacunaKeyStatus status = LACUNA_KEY_STATUS_NONE;

  g_assert_true (g_file_set_contents_full (path, "0123456789abcdef0123", 20,
                                           G_FILE_SET_CONTENTS_NONE, 0640, NULL));
  g_assert_cmpint (g_chmod (path, 0640), ==, 0);
  key = lacuna_key_load_or_create (path, &status, &error);
  g_assert_no_error (error);
  g_assert_nonnull (key);
  g_assert_cmpuint (lacuna_key_get_size (key), ==, 20);
  g_assert_true (status & LACUNA_KEY_STATUS_READABLE_BY_OTHERS);
  g_assert_false (status & LACUNA_KEY_STATUS_CREATED);
  message = lacuna_key_status_dup_message (status, path);
  g_assert_nonnull (message);
  g_assert_null (strstr (message, "0123456789"));
  g_assert_null (lacuna_key_status_dup_message (LACUNA_KEY_STATUS_CREATED, path));
}

static void
test_key_default_path (void)
{
  g_autofree char *path = lacuna_key_dup_default_path ();
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "lacuna", "key", NULL);

  g_assert_cmpstr (path, ==, expected);
}

/* RFC 4231 test case 2: HMAC-SHA-256("Jefe", "what do ya want for nothing?") — but keys
 * must be ≥ 16 bytes, so use test case 1's 20-byte 0x0b key with "Hi There". */
static void
test_key_hmac (void)
{
  static const guint8 expected[32] = {
    0xb0, 0x34, 0x4c, 0x61, 0xd8, 0xdb, 0x38, 0x53, 0x5c, 0xa8, 0xaf, 0xce, 0xaf, 0x0b, 0xf1, 0x2b,
    0x88, 0x1d, 0xc2, 0x00, 0xc9, 0x83, 0x3d, 0xa7, 0x26, 0xe9, 0x37, 0x6c, 0x2e, 0x32, 0xcf, 0xf7,
  };
  guint8 raw[20];
  guint8 mac[32], mac2[32];
  g_autoptr(LacunaKey) key = NULL;
  g_autofree char *b1 = NULL;
  g_autofree char *b2 = NULL;
  g_autofree char *b3 = NULL;

  memset (raw, 0x0b, sizeof raw);
  key = lacuna_key_new_from_data (raw, sizeof raw, NULL);
  lacuna_key_hmac (key, "Hi There", 8, mac);
  g_assert_cmpmem (mac, 32, expected, 32);

  lacuna_key_hmac_domain (key, "a", "b", mac);
  lacuna_key_hmac_domain (key, "a", "b", mac2);
  g_assert_cmpmem (mac, 32, mac2, 32);
  lacuna_key_hmac_domain (key, "ab", "", mac2);
  g_assert_true (memcmp (mac, mac2, 32) != 0);

  b1 = lacuna_key_dup_base32 (key, "patient-id", "123", 10);
  b2 = lacuna_key_dup_base32 (key, "patient-id", "123", 10);
  b3 = lacuna_key_dup_base32 (key, "patient-id", "124", 10);
  g_assert_cmpuint (strlen (b1), ==, 10);
  g_assert_cmpstr (b1, ==, b2);
  g_assert_cmpstr (b1, !=, b3);
  for (const char *p = b1; *p; p++)
    g_assert_true ((*p >= 'A' && *p <= 'Z') || (*p >= '2' && *p <= '7'));
}

/* Decimal → 128 bits, independent of the code under test (unsigned __int128). */
static gboolean
decimal_to_u128 (const char        *s,
                 unsigned __int128 *out)
{
  unsigned __int128 v = 0;
  unsigned __int128 max = ~(unsigned __int128) 0;

  if (*s == '\0')
    return FALSE;
  for (; *s; s++)
    {
      if (!g_ascii_isdigit (*s))
        return FALSE;
      if (v > (max - (unsigned __int128) (*s - '0')) / 10)
        return FALSE;
      v = v * 10 + (unsigned __int128) (*s - '0');
    }
  *out = v;
  return TRUE;
}

static void
check_uid_format (const char *uid)
{
  unsigned __int128 v;
  guint8 bytes[16];

  g_assert_true (g_str_has_prefix (uid, "2.25."));
  g_assert_cmpuint (strlen (uid), <=, 64);
  g_assert_true (lacuna_uid_is_valid (uid));
  g_assert_true (uid[5] != '0');
  g_assert_true (decimal_to_u128 (uid + 5, &v));
  for (int i = 15; i >= 0; i--)
    {
      bytes[i] = (guint8) (v & 0xFF);
      v >>= 8;
    }
  g_assert_cmpuint (bytes[6] >> 4, ==, 8);          /* version 8 */
  g_assert_cmpuint (bytes[8] >> 6, ==, 2);          /* variant 10 */
}

static void
test_key_uid (void)
{
  g_autoptr(LacunaKey) k1 = lacuna_key_new_from_data ("key-one-0123456789", 18, NULL);
  g_autoptr(LacunaKey) k2 = lacuna_key_new_from_data ("key-two-0123456789", 18, NULL);
  const char *inputs[] = { "1.2.3.4", "1.2.840.113619.2.1.1.322987881.621.736170080.681",
                           "2.25.144114175999880406606562736539424112118", "0", "9" };
  guint8 mac[32];

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autofree char *a = lacuna_uid_map_dup_keyed (k1, inputs[i]);
      g_autofree char *b = lacuna_uid_map_dup_keyed (k1, inputs[i]);
      g_autofree char *c = lacuna_uid_map_dup_keyed (k2, inputs[i]);
      g_autofree char *padded = g_strconcat (inputs[i], " ", NULL);
      g_autofree char *d = lacuna_uid_map_dup_keyed (k1, padded);

      check_uid_format (a);
      check_uid_format (c);
      g_assert_cmpstr (a, ==, b);
      g_assert_cmpstr (a, !=, c);
      g_assert_cmpstr (a, ==, d);      /* padding is not part of the UID */
      g_assert_cmpstr (a, !=, inputs[i]);
    }

  /* The 128 bits are the first 16 bytes of HMAC-SHA-256(key, uid) with only the version
   * and variant bits changed. */
  {
    g_autofree char *uid = lacuna_uid_map_dup_keyed (k1, "1.2.3.4");
    unsigned __int128 v;
    guint8 bytes[16];

    lacuna_key_hmac (k1, "1.2.3.4", 7, mac);
    g_assert_true (decimal_to_u128 (uid + 5, &v));
    for (int i = 15; i >= 0; i--)
      {
        bytes[i] = (guint8) (v & 0xFF);
        v >>= 8;
      }
    mac[6] = (mac[6] & 0x0F) | 0x80;
    mac[8] = (mac[8] & 0x3F) | 0x80;
    g_assert_cmpmem (bytes, 16, mac, 16);
  }

  g_assert_false (lacuna_uid_is_valid (""));
  g_assert_false (lacuna_uid_is_valid ("1..2"));
  g_assert_false (lacuna_uid_is_valid ("1.02"));
  g_assert_false (lacuna_uid_is_valid ("1.2."));
  g_assert_false (lacuna_uid_is_valid ("1.a"));
  g_assert_true (lacuna_uid_is_valid ("1.0.2"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/key/create", test_key_create);
  g_test_add_func ("/core/key/too-short", test_key_too_short);
  g_test_add_func ("/core/key/readable-by-others", test_key_readable);
  g_test_add_func ("/core/key/default-path", test_key_default_path);
  g_test_add_func ("/core/key/hmac", test_key_hmac);
  g_test_add_func ("/core/key/uid", test_key_uid);

  return g_test_run ();
}
