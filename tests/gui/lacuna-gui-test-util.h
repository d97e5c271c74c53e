/* Helpers shared by the widget tests. */
#pragma once

#include <adwaita.h>

#include "lacuna-application.h"
#include "lacuna-window.h"

G_BEGIN_DECLS

/* g_test_init + gtk_init_check; FALSE when there is no display (main then returns 77). */
gboolean           lacuna_gui_test_init        (int          *argc,
                                                char       ***argv);
/* The application, registered (its startup has run: actions, style sheet). */
LacunaApplication *lacuna_gui_test_get_app     (void);
/* A new window of that application, presented and allocated. */
LacunaWindow      *lacuna_gui_test_new_window  (int           width,
                                                int           height);
/* Iterates the main context until func (data) is TRUE. The meson timeout bounds it. */
void               lacuna_gui_test_wait        (gboolean    (*func) (gpointer data),
                                                gpointer      data);
/* Iterates the main context for ms milliseconds (a timeout source wakes it when nothing
 * else does). */
void               lacuna_gui_test_wait_ms     (guint         ms);
/* Waits until the window has finished opening what it was given. */
void               lacuna_gui_test_wait_loaded (LacunaWindow *window);
/* Waits until the image view has decoded its current position. */
void               lacuna_gui_test_wait_image  (LacunaImageView *view);
/* Waits until the widget's window has laid out and painted one more frame. */
void               lacuna_gui_test_wait_frame  (GtkWidget    *widget);
/* Renders widget (and its children) as it would be drawn now, with its window's renderer. */
GdkTexture        *lacuna_gui_test_render      (GtkWidget    *widget);
/* The first widget of type at or under widget (depth first), or NULL. */
GtkWidget         *lacuna_gui_test_find_widget (GtkWidget    *widget,
                                                GType         type);
/* Index of the first series of that modality in the window's list, or -1. */
int                lacuna_gui_test_find_series (LacunaWindow *window,
                                                const char   *modality);
/* The sample study's folder (written once per process). */
char              *lacuna_gui_test_dup_sample_path (void);
/* The first file other than the DICOMDIR under dir, depth first, or NULL. */
char              *lacuna_gui_test_find_dicom_file (const char   *dir);
/* Copies the folder from (recursively) to to, which is created. */
void               lacuna_gui_test_copy_tree   (const char   *from,
                                                const char   *to);
void               lacuna_gui_test_write_file  (const char   *dir,
                                                const char   *name,
                                                const char   *contents,
                                                gsize         length);
/* A fresh folder holding notes.txt (not DICOM) and broken.dcm (truncated DICOM). */
char              *lacuna_gui_test_make_bad_folder (void);
void               lacuna_gui_test_remove_tree (const char   *dir);

G_END_DECLS
