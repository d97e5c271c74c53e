/* lacuna-loader.h: opens what the user gave: files, folders (recursively), DICOMDIRs
 * (patient CDs) and .zip archives of those, into a LacunaCollection.
 *
 * Non-DICOM files are recorded as skipped, broken ones as failed; neither stops the rest.
 * Progress is sampled: n-done / n-total are atomics a worker bumps; the GUI polls them.
 *
 * What each kind of path gives:
 * - A folder: every regular file below it, recursively (symbolic links are followed, each
 *   file and folder is taken once, so link loops end; hidden files are included). Pipes,
 *   devices and sockets are ignored.
 * - A folder holding a file named DICOMDIR (any case): the files the DICOMDIR lists come
 *   first; a listed file that is missing is a FAILED problem (LACUNA_LOAD_ERROR_DICOMDIR).
 *   The DICOM files it does not list are loaded too, without comment: a folder means
 *   "everything in it". (Non-DICOM files there are SKIPPED as anywhere else.)
 * - A DICOMDIR itself (named DICOMDIR, or recognised by its Media Storage SOP Class
 *   1.2.840.10008.1.3.10 when named otherwise): only the files it lists.
 * - Referenced File IDs (0004,1500) are split on '\' and each component is matched against
 *   the folder exactly, else case-insensitively (also ignoring an ISO 9660 ";1" version and
 *   a trailing dot): patient CDs written on Windows list upper-case IDs for lower-case
 *   files. IDs with "." or ".." components are refused (FAILED), never followed.
 * - A .zip (by extension, or a named file that starts like one): every regular member is
 *   read into memory and indexed as a file; nested folders are fine. A DICOMDIR member
 *   is checked the same way (listed members missing → FAILED); it is not an instance.
 * - A DICOMDIR met while walking a folder is never an instance and is not reported.
 * - A path that does not exist is a FAILED problem (G_IO_ERROR) and the others load; only
 *   when none of the paths exists does the load fail, with LACUNA_LOAD_ERROR_NOTHING_FOUND.
 * - Two objects with the same SOP Instance UID: the first in scan order is kept, the other
 *   is SKIPPED (G_IO_ERROR_EXISTS).
 *
 * Threads: the calling thread scans and builds the collection; a pool of workers (one per
 * processor, at most 8) opens the files header-only. The collection is filled in scan
 * order (folders sorted by name) and then sorted, so it never depends on thread timing.
 * A loader runs one load at a time.
 */
#pragma once

#include <gio/gio.h>

#include "lacuna-collection.h"

G_BEGIN_DECLS

#define LACUNA_TYPE_LOADER (lacuna_loader_get_type ())
G_DECLARE_FINAL_TYPE (LacunaLoader, lacuna_loader, LACUNA, LOADER, GObject)

/* Called once per load, for the first instance with pixels, as soon as it is indexed: the
 * GUI shows it before indexing finishes. It runs on a worker thread (any one), so it must
 * only take a reference and hand the instance over (g_idle_add / g_main_context_invoke);
 * the instance is immutable and safe to read from any thread. "First" means first to be
 * indexed, which depends on timing; everything else about a load does not. */
typedef void (*LacunaLoaderFirstImageFunc) (LacunaInstance *instance,
                                            gpointer        user_data);

LacunaLoader     *lacuna_loader_new            (const char * const         *paths);
void              lacuna_loader_set_first_image_func (LacunaLoader               *self,
                                                      LacunaLoaderFirstImageFunc  func,
                                                      gpointer                    user_data,
                                                      GDestroyNotify              destroy);
/* Called for every instance indexed, on the worker thread that opened it, with the file
 * still open (header only: Pixel Data is not loaded): lets a caller read more of the header
 * without parsing the file a second time. It may run on several threads at once and must
 * not keep file. An instance later dropped as a duplicate has been seen too. */
typedef void (*LacunaLoaderFileFunc) (LacunaInstance  *instance,
                                      LacunaDicomFile *file,
                                      gpointer         user_data);

void              lacuna_loader_set_file_func  (LacunaLoader               *self,
                                                LacunaLoaderFileFunc        func,
                                                gpointer                    user_data);
/* Like the file function, but the file may be kept: return TRUE to take it (free it with
 * lacuna_dicom_file_free), FALSE to leave it to the loader. With a keep function set, a
 * file on disk is parsed whole instead of up to Pixel Data, its large values (Pixel Data)
 * left in the file until used, so that a kept file can be de-identified and written
 * without being parsed again; a member of an archive is still read up to Pixel Data only. */
typedef gboolean (*LacunaLoaderKeepFunc) (LacunaInstance  *instance,
                                          LacunaDicomFile *file,
                                          gpointer         user_data);

void              lacuna_loader_set_keep_func  (LacunaLoader               *self,
                                                LacunaLoaderKeepFunc        func,
                                                gpointer                    user_data);
/* From now on, files are read up to Pixel Data again (the keep function keeps no more:
 * its budget is spent). Any thread. */
void              lacuna_loader_stop_keeping   (LacunaLoader               *self);

/* Files found so far / files indexed so far (any thread). */
guint             lacuna_loader_get_n_total    (LacunaLoader               *self);
guint             lacuna_loader_get_n_done     (LacunaLoader               *self);

/* Blocking. Returns a sorted collection (possibly empty, or with problems only), or NULL
 * with G_IO_ERROR_CANCELLED (checked for every file), or with
 * LACUNA_LOAD_ERROR_NOTHING_FOUND when none of the paths exists (or paths is empty). */
LacunaCollection *lacuna_loader_load           (LacunaLoader               *self,
                                                GCancellable               *cancellable,
                                                GError                    **error);
void              lacuna_loader_load_async     (LacunaLoader               *self,
                                                GCancellable               *cancellable,
                                                GAsyncReadyCallback         callback,
                                                gpointer                    user_data);
LacunaCollection *lacuna_loader_load_finish    (LacunaLoader               *self,
                                                GAsyncResult               *result,
                                                GError                    **error);

G_END_DECLS
