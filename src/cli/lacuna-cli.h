/* lacuna-cli.h: the sub-commands of lacuna-cli. Each returns the process exit status:
 * 0 ok, 1 some inputs failed, 2 usage. argv[0] is the sub-command's name. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define LACUNA_CLI_EXIT_OK      0
#define LACUNA_CLI_EXIT_FAILED  1
#define LACUNA_CLI_EXIT_USAGE   2

int lacuna_cli_inspect (int argc, char **argv);
int lacuna_cli_pixels  (int argc, char **argv);
int lacuna_cli_sample  (int argc, char **argv);
int lacuna_cli_clean    (int argc, char **argv);
int lacuna_cli_finalize (int argc, char **argv);
int lacuna_cli_report   (int argc, char **argv);

G_END_DECLS
