#define G_LOG_DOMAIN "lacuna-test-util"

#include "config.h"

#include <sys/wait.h>
#include <stdlib.h>

#include <glib/gstdio.h>
#include <gio/gio.h>

#include "lacuna-sample.h"
#include "lacuna-test-util.h"

static GPtrArray *tmpdirs;

const char *
lacuna_test_get_testdata (void)
{
  static char *dir;
  const char *env;

  if (dir == NULL)
    {
      env = g_getenv ("LACUNA_TESTDATA");
      if (env != NULL && *env != '\0')
        dir = g_canonicalize_filename (env, NULL);
      else
        dir = g_canonicalize_filename ("../shared/testdata", g_getenv ("LACUNA_SOURCE_ROOT"));
    }

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *msg = g_strdup_printf ("shared test data not found at %s "
                                              "(set LACUNA_TESTDATA to its folder)", dir);
      g_test_skip (msg);
      return NULL;
    }
  return dir;
}

char *
lacuna_test_dup_testdata (const char *relative)
{
  const char *dir = lacuna_test_get_testdata ();
  g_autofree char *path = NULL;

  if (dir == NULL)
    return NULL;
  path = g_build_filename (dir, relative, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autofree char *msg = g_strdup_printf ("%s is not in the shared test data", relative);
      g_test_skip (msg);
      return NULL;
    }
  return g_steal_pointer (&path);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char **) a, *(const char **) b);
}

static void
list_into (const char *dir,
           GPtrArray  *out)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        list_into (path, out);
      else if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (out, g_steal_pointer (&path));
    }
}

GPtrArray *
lacuna_test_list_files (const char *dir)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  list_into (dir, out);
  g_ptr_array_sort (out, compare_strings);
  return out;
}

static void
remove_recursively (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
      const char *name;

      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          remove_recursively (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

static void
remove_tmpdirs (void)
{
  for (guint i = 0; tmpdirs != NULL && i < tmpdirs->len; i++)
    remove_recursively (g_ptr_array_index (tmpdirs, i));
}

char *
lacuna_test_make_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("lacuna-test-XXXXXX", &error);

  g_assert_no_error (error);
  if (tmpdirs == NULL)
    {
      tmpdirs = g_ptr_array_new_with_free_func (g_free);
      atexit (remove_tmpdirs);
    }
  g_ptr_array_add (tmpdirs, g_strdup (dir));
  return dir;
}

int
lacuna_test_run (const char * const  *argv,
                 char               **out_stdout,
                 char               **out_stderr)
{
  g_autoptr(GError) error = NULL;
  int status = 0;

  /* Output not asked for is dropped: on the test's own stdout it would break TAP. */
  GSpawnFlags flags = G_SPAWN_SEARCH_PATH |
                      (out_stdout == NULL ? G_SPAWN_STDOUT_TO_DEV_NULL : 0) |
                      (out_stderr == NULL ? G_SPAWN_STDERR_TO_DEV_NULL : 0);

  if (!g_spawn_sync (NULL, (char **) argv, NULL, flags, NULL, NULL,
                     out_stdout, out_stderr, &status, &error))
    {
      g_test_message ("could not run %s: %s", argv[0], error->message);
      return -1;
    }
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  return -1;
}

int
lacuna_test_run_cli (char **out_stdout,
                     char **out_stderr,
                     ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *o = NULL;
  g_autofree char *e = NULL;
  const char *arg;
  va_list args;
  int status;

  g_ptr_array_add (argv, (gpointer) LACUNA_CLI_PATH);
  va_start (args, out_stderr);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  status = lacuna_test_run ((const char * const *) argv->pdata, &o, &e);
  if (status != 0 || (e != NULL && *e != '\0'))
    g_test_message ("lacuna-cli exit %d\nstdout: %s\nstderr: %s", status, o, e);
  if (out_stdout != NULL)
    *out_stdout = g_steal_pointer (&o);
  if (out_stderr != NULL)
    *out_stderr = g_steal_pointer (&e);
  return status;
}

gboolean
lacuna_test_require_program (const char *program,
                             const char *debian_package)
{
  g_autofree char *found = g_find_program_in_path (program);

  if (found == NULL)
    {
      g_autofree char *msg = g_strdup_printf ("%s not found (Debian package %s)",
                                              program, debian_package);
      g_test_skip (msg);
      return FALSE;
    }
  return TRUE;
}

gboolean
lacuna_test_have_cli (void)
{
  if (!g_file_test (LACUNA_CLI_PATH, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("lacuna-cli is not built");
      return FALSE;
    }
  return TRUE;
}

char *
lacuna_test_make_key_file (const char *dir,
                           const char *key)
{
  char *path = g_build_filename (dir, "test.key", NULL);

  g_assert_true (g_file_set_contents (path, key, -1, NULL));
  g_chmod (path, 0600);
  return path;
}

JsonNode *
lacuna_test_parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  return json_node_ref (json_parser_get_root (parser));
}

char *
lacuna_test_pretty_json (JsonNode *root)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();

  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  return json_generator_to_data (gen, NULL);
}

char *
lacuna_test_read_text (const char *path)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&text);
}

LacunaResidual *
lacuna_test_sample_residual (const char *input)
{
  LacunaResidual *residual = lacuna_residual_new ();
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (lacuna_sample_write (input, NULL, &error));
  g_assert_no_error (error);
  files = lacuna_test_list_files (input);
  for (guint i = 0; i < files->len; i++)
    {
      g_autoptr(LacunaDicomFile) file = NULL;

      if (g_str_has_suffix (g_ptr_array_index (files, i), "DICOMDIR"))
        continue;
      file = lacuna_dicom_file_open (g_ptr_array_index (files, i), LACUNA_DICOM_OPEN_DEFAULT,
                                     NULL);
      if (file != NULL)
        lacuna_residual_add_input (residual, file);
    }
  g_assert_cmpuint (lacuna_residual_get_n_needles (residual), >, 0);
  return residual;
}
