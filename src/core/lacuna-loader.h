/* lacuna-loader.h: opens what the user gave: files, folders (recursively), DICOMDIRs
 * (patient CDs) and .zip archives of those, into a LacunaCollection.
 *
 * Non-DICOM files are recorded as skipped, broken ones as failed; neither stops the rest.
 * Progress is sampled: n-done / n-total are atomics a worker bumps; the GUI polls them.
 */
#pragma once

#include <gio/gio.h>

#include "lacuna-collection.h"

G_BEGIN_DECLS

#define LACUNA_TYPE_LOADER (lacuna_loader_get_type ())
G_DECLARE_FINAL_TYPE (LacunaLoader, lacuna_loader, LACUNA, LOADER, GObject)

/* Called (in the loading thread) once, for the first instance with pixels, as soon as it
 * is indexed: the GUI shows it before indexing finishes. */
typedef void (*LacunaLoaderFirstImageFunc) (LacunaInstance *instance,
                                            gpointer        user_data);

LacunaLoader     *lacuna_loader_new            (const char * const         *paths);
void              lacuna_loader_set_first_image_func (LacunaLoader               *self,
                                                      LacunaLoaderFirstImageFunc  func,
                                                      gpointer                    user_data,
                                                      GDestroyNotify              destroy);
/* Files found so far / files indexed so far (any thread). */
guint             lacuna_loader_get_n_total    (LacunaLoader               *self);
guint             lacuna_loader_get_n_done     (LacunaLoader               *self);

/* Blocking. Returns a sorted collection (possibly with problems only), or NULL with
 * G_IO_ERROR_CANCELLED, or with LACUNA_LOAD_ERROR_NOTHING_FOUND when a path does not exist. */
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
