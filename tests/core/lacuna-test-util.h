/* Helpers shared by the engine's tests. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "lacuna-residual.h"

G_BEGIN_DECLS

/* The shared test data folder (../shared/testdata next to the source tree, or
 * $LACUNA_TESTDATA), or NULL after g_test_skip() with a clear message when absent.
 * Call at the start of a test case: `if (!(dir = lacuna_test_get_testdata ())) return;` */
const char *lacuna_test_get_testdata   (void);
/* The same, joined with a relative path inside it; NULL (skipped) when absent. */
char       *lacuna_test_dup_testdata   (const char *relative);
/* Every regular file under dir, recursively, sorted (full paths). */
GPtrArray  *lacuna_test_list_files     (const char *dir);
/* A fresh temporary folder, removed recursively at exit. */
char       *lacuna_test_make_tmpdir    (void);
/* Runs argv; returns the exit status (-1 when it could not run); captures output (what
 * is not asked for is dropped). */
int         lacuna_test_run            (const char * const *argv,
                                        char              **out_stdout,
                                        char              **out_stderr);
/* Runs the lacuna-cli under test with the NULL-terminated arguments; returns the exit
 * status; captures its output (either may be NULL) and logs it when the run failed or said
 * something on stderr. The tests call it through run_cli (). */
int         lacuna_test_run_cli        (char              **out_stdout,
                                        char              **out_stderr,
                                        ...) G_GNUC_NULL_TERMINATED;
#define run_cli(...) lacuna_test_run_cli (__VA_ARGS__)
/* TRUE when the program is on PATH, otherwise g_test_skip()s with a message naming the
 * Debian package that provides it. */
gboolean    lacuna_test_require_program (const char *program,
                                         const char *debian_package);
/* TRUE when the lacuna-cli under test is built, otherwise g_test_skip()s. */
gboolean    lacuna_test_have_cli        (void);
/* dir/test.key holding key (mode 0600); the path. */
char       *lacuna_test_make_key_file   (const char *dir,
                                         const char *key);
/* The JSON text parsed (a new reference to its root; asserts it parses). */
JsonNode   *lacuna_test_parse_json      (const char *text);
/* root as JSON Glib's pretty generator writes it. */
char       *lacuna_test_pretty_json     (JsonNode   *root);
/* The contents of path (asserts it can be read). */
char       *lacuna_test_read_text       (const char *path);
/* Writes the sample study into input; a residual scan searching for its identifying
 * strings (asserts there are some). */
LacunaResidual *lacuna_test_sample_residual (const char *input);

G_END_DECLS
