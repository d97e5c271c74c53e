/* lacuna-recent.h: Lacuna's own list of recently opened studies.
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A folder's name can be a patient's name: the paths are kept in a private file,
 * $XDG_DATA_HOME/lacuna/recent.json (mode 0600, written atomically), never in the
 * desktop-wide recent files (GtkRecentManager). Only paths are stored, newest first. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define LACUNA_RECENT_MAX 10

/* The file the list lives in (newly allocated). */
char      *lacuna_recent_dup_file_path (void);
/* The paths, newest first (NULL-terminated; never NULL). A missing or unreadable file
 * is an empty list. */
char     **lacuna_recent_load          (void);
/* Puts paths (one opened set: each path is one entry) first in the list. */
gboolean   lacuna_recent_add           (const char * const  *paths,
                                        GError             **error);
/* Removes one path from the list. */
gboolean   lacuna_recent_forget        (const char          *path,
                                        GError             **error);
/* Empties the list (and removes the file). */
gboolean   lacuna_recent_clear         (GError             **error);

G_END_DECLS
