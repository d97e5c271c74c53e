/* test-export-dialog.c: the Export window, recipes and autosave.
 *
 * The GUI check: open the sample study, select a series, change the window, mark a
 * region (through the decisions), override tags, export through the dialog's action to a
 * temporary folder; then read the written files back with the DICOM shim: the overridden
 * tags have the chosen values and the region is black. Also: presets set the expected
 * options, a recipe survives save → load, and decisions are autosaved under a keyed name
 * (mode 0600) and restored. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "lacuna-autosave.h"
#include "lacuna-dicom.h"
#include "lacuna-export-dialog.h"
#include "lacuna-export.h"
#include "lacuna-gui-test-util.h"
#include "lacuna-loader.h"
#include "lacuna-preferences.h"
#include "lacuna-recipe-write.h"
#include "lacuna-redact.h"
#include "lacuna-result-render.h"
#include "lacuna-sample.h"

#define BOX_X 8
#define BOX_Y 10
#define BOX_W 24
#define BOX_H 12

static LacunaKey *
new_test_key (void)
{
  static const char bytes[] = "a test key of more than sixteen bytes";
  g_autoptr(GError) error = NULL;
  LacunaKey *key = lacuna_key_new_from_data (bytes, sizeof bytes - 1, &error);

  g_assert_no_error (error);
  return key;
}

static void
test_presets (void)
{
  g_autoptr(LacunaDecisions) decisions = lacuna_decisions_new ();
  const char *inputs[] = { "/nonexistent/a.dcm", NULL };
  LacunaExportDialog *dialog = lacuna_export_dialog_new (NULL, decisions, inputs);
  LacunaExportPreset all[] = { LACUNA_EXPORT_PRESET_RESEARCH, LACUNA_EXPORT_PRESET_SECOND_OPINION,
                               LACUNA_EXPORT_PRESET_TEACHING };
  GtkSwitch *sw;

  g_object_ref_sink (dialog);
  for (guint p = 0; p < G_N_ELEMENTS (all); p++)
    {
      LacunaProfileOption expected = lacuna_export_preset_get_options (all[p]);

      g_assert_cmpuint (expected, !=, LACUNA_PROFILE_OPTION_NONE);
      lacuna_export_dialog_set_preset (dialog, all[p]);
      g_assert_cmpuint (lacuna_decisions_get_options (decisions)->options, ==, expected);
      for (guint i = 0; i < LACUNA_PROFILE_N_OPTIONS; i++)
        g_assert_cmpint (gtk_switch_get_active (lacuna_export_dialog_get_switch (dialog, 1u << i)),
                         ==, (expected & (1u << i)) != 0);
    }
  /* The three presets differ. */
  g_assert_cmpuint (lacuna_export_preset_get_options (all[0]), !=,
                    lacuna_export_preset_get_options (all[1]));
  g_assert_cmpuint (lacuna_export_preset_get_options (all[1]), !=,
                    lacuna_export_preset_get_options (all[2]));
  /* Research keeps dates shifted, the second opinion keeps them as they are; teaching
   * keeps neither. */
  g_assert_true (lacuna_export_preset_get_options (all[0])
                 & LACUNA_PROFILE_OPTION_RETAIN_MODIFIED_DATES);
  g_assert_true (lacuna_export_preset_get_options (all[1]) & LACUNA_PROFILE_OPTION_RETAIN_FULL_DATES);
  g_assert_false (lacuna_export_preset_get_options (all[2])
                  & (LACUNA_PROFILE_OPTION_RETAIN_FULL_DATES
                     | LACUNA_PROFILE_OPTION_RETAIN_MODIFIED_DATES));

  /* Faces: removed for a researcher and a teaching file, kept for a second opinion; the
   * deface switch is the Clean Recognizable Visual Features option's. */
  g_assert_true (lacuna_export_preset_get_options (all[0])
                 & LACUNA_PROFILE_OPTION_CLEAN_RECOGNIZABLE_VISUAL_FEATURES);
  g_assert_false (lacuna_export_preset_get_options (all[1])
                  & LACUNA_PROFILE_OPTION_CLEAN_RECOGNIZABLE_VISUAL_FEATURES);
  g_assert_true (lacuna_export_preset_get_options (all[2])
                 & LACUNA_PROFILE_OPTION_CLEAN_RECOGNIZABLE_VISUAL_FEATURES);
  lacuna_export_dialog_set_preset (dialog, LACUNA_EXPORT_PRESET_SECOND_OPINION);
  sw = lacuna_export_dialog_get_switch (dialog,
                                        LACUNA_PROFILE_OPTION_CLEAN_RECOGNIZABLE_VISUAL_FEATURES);
  g_assert_nonnull (sw);
  g_assert_false (gtk_switch_get_active (sw));
  g_assert_nonnull (strstr (lacuna_export_dialog_get_summary (dialog), "keep the face"));
  {
    GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (sw), ADW_TYPE_ACTION_ROW);

    g_assert_nonnull (row);
    g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==,
                     "Remove the Face from Head Scans");
    g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "report"));
  }
  /* Turning it on chooses the option (and no preset any more); off again: the preset. */
  gtk_switch_set_active (sw, TRUE);
  g_assert_cmpuint (lacuna_decisions_get_options (decisions)->options, ==,
                    lacuna_export_preset_get_options (all[1])
                    | LACUNA_PROFILE_OPTION_CLEAN_RECOGNIZABLE_VISUAL_FEATURES);
  g_assert_nonnull (strstr (lacuna_export_dialog_get_summary (dialog), "face is removed"));
  gtk_switch_set_active (sw, FALSE);
  g_assert_cmpuint (lacuna_decisions_get_options (decisions)->options, ==,
                    lacuna_export_preset_get_options (all[1]));
  /* A recipe or an undo that chooses the option shows the switch on. */
  lacuna_decisions_set_profile_options (decisions,
                                        LACUNA_PROFILE_OPTION_CLEAN_RECOGNIZABLE_VISUAL_FEATURES);
  g_assert_true (gtk_switch_get_active (sw));
  lacuna_decisions_set_profile_options (decisions, LACUNA_PROFILE_OPTION_NONE);

  /* A switch changes the decisions; the summary follows. */
  sw = lacuna_export_dialog_get_switch (dialog, LACUNA_PROFILE_OPTION_RETAIN_UIDS);
  g_assert_false (gtk_switch_get_active (sw));
  g_assert_nonnull (strstr (lacuna_export_dialog_get_summary (dialog), "keyed UIDs"));
  gtk_switch_set_active (sw, TRUE);
  g_assert_true (lacuna_decisions_get_options (decisions)->options
                 & LACUNA_PROFILE_OPTION_RETAIN_UIDS);
  g_assert_null (strstr (lacuna_export_dialog_get_summary (dialog), "keyed UIDs"));
  /* …and a change of the decisions moves the switch. */
  lacuna_decisions_set_profile_options (decisions, LACUNA_PROFILE_OPTION_NONE);
  g_assert_false (gtk_switch_get_active (sw));

  gtk_window_destroy (GTK_WINDOW (dialog));
  g_object_unref (dialog);
}

static void
test_recipe_round_trip (void)
{
  g_autoptr(LacunaDeidOptions) options = lacuna_deid_options_new ();
  g_autoptr(LacunaDeidOptions) loaded = lacuna_deid_options_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lacuna-recipe-XXXXXX", &error);
  g_autofree char *path = NULL;
  static const guint frames[] = { 1, 3 };
  const LacunaDeidBox *box;
  struct stat st;

  g_assert_no_error (error);
  path = g_build_filename (dir, "recipe.json", NULL);
  options->options = LACUNA_PROFILE_OPTION_RETAIN_MODIFIED_DATES
                     | LACUNA_PROFILE_OPTION_CLEAN_DESCRIPTORS;
  options->date_shift_max_days = 90;
  options->patient_name = g_strdup ("SUBJECT^001");
  options->patient_id = g_strdup ("SUBJ001");
  options->include_unknown_payloads = TRUE;
  lacuna_deid_options_add_override (options, "00081030", LACUNA_DEID_OVERRIDE_KEEP, NULL);
  lacuna_deid_options_add_override (options, "00100010", LACUNA_DEID_OVERRIDE_REPLACE, "X^Y");
  lacuna_deid_options_add_override (options, "00081115/00081155", LACUNA_DEID_OVERRIDE_REMOVE,
                                    NULL);
  lacuna_deid_options_add_box (options, NULL, LACUNA_DEID_BOX_ALL_FRAMES, NULL, 0, 1, 2, 3, 4);
  lacuna_deid_options_add_box (options, "1.2.3.4", LACUNA_DEID_BOX_FRAMES, frames, 2, 5, 6, 7, 8);
  lacuna_deid_options_add_box (options, "1.2.3.5", LACUNA_DEID_BOX_SAME_SIZE_IN_SERIES, NULL, 0,
                               9, 10, 11, 12);

  g_assert_true (lacuna_deid_options_save_recipe (options, path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* The loader the CLI uses reads it back to the same options. */
  g_assert_true (lacuna_deid_options_load_recipe (loaded, path, &error));
  g_assert_no_error (error);
  g_assert_true (lacuna_deid_options_equal_recipe (options, loaded));
  g_assert_cmpuint (loaded->options, ==, options->options);
  g_assert_cmpuint (loaded->date_shift_max_days, ==, 90);
  g_assert_cmpstr (loaded->patient_name, ==, "SUBJECT^001");
  g_assert_cmpstr (loaded->patient_id, ==, "SUBJ001");
  g_assert_true (loaded->include_unknown_payloads);
  g_assert_cmpuint (loaded->overrides->len, ==, 3);
  g_assert_cmpstr (((LacunaDeidOverride *) g_ptr_array_index (loaded->overrides, 1))->value, ==,
                   "X^Y");
  g_assert_cmpint (((LacunaDeidOverride *) g_ptr_array_index (loaded->overrides, 2))->action, ==,
                   LACUNA_DEID_OVERRIDE_REMOVE);
  g_assert_cmpuint (loaded->boxes->len, ==, 3);
  box = g_ptr_array_index (loaded->boxes, 1);
  g_assert_cmpint (box->scope, ==, LACUNA_DEID_BOX_FRAMES);
  g_assert_cmpuint (box->n_frames, ==, 2);
  g_assert_cmpuint (box->frames[1], ==, 3);
  g_assert_cmpint (box->x, ==, 5);
  box = g_ptr_array_index (loaded->boxes, 2);
  g_assert_cmpint (box->scope, ==, LACUNA_DEID_BOX_SAME_SIZE_IN_SERIES);
  g_assert_cmpstr (box->sop_instance_uid, ==, "1.2.3.5");

  /* A different recipe is not equal. */
  loaded->date_shift_max_days = 91;
  g_assert_false (lacuna_deid_options_equal_recipe (options, loaded));

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_autosave (void)
{
  static const char uid[] = "1.2.826.0.1.3680043.2.1125.99.12345";
  g_autoptr(LacunaKey) key = new_test_key ();
  g_autoptr(LacunaDecisions) decisions = lacuna_decisions_new ();
  g_autoptr(LacunaDecisions) again = lacuna_decisions_new ();
  g_autoptr(LacunaAutosave) autosave = NULL;
  g_autoptr(LacunaAutosave) autosave2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = lacuna_autosave_dup_path (key, uid);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *data_dir = g_build_filename (g_get_user_data_dir (), "lacuna", "decisions",
                                                NULL);
  g_autofree char *contents = NULL;
  const LacunaDeidOverride *o;
  struct stat st;

  /* In the user's data folder, named by 64 hex digits only. */
  g_assert_true (g_str_has_prefix (path, data_dir));
  g_assert_cmpuint (strlen (base), ==, 64 + 5);
  for (guint i = 0; i < 64; i++)
    g_assert_true (g_ascii_isxdigit (base[i]) && !g_ascii_isupper (base[i]));
  g_assert_null (strstr (path, uid));
  g_assert_null (strstr (path, "12345"));
  g_unlink (path);

  lacuna_decisions_set_key (decisions, key);
  autosave = lacuna_autosave_new (decisions);
  g_assert_false (lacuna_autosave_set_study (autosave, uid));
  g_assert_true (lacuna_autosave_get_exported (autosave));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  g_assert_true (lacuna_decisions_set_override (decisions, "00100010",
                                                LACUNA_DEID_OVERRIDE_REPLACE, "TEST^PSEUDONYM",
                                                &error));
  g_assert_no_error (error);
  lacuna_decisions_set_profile_options (decisions, LACUNA_PROFILE_OPTION_CLEAN_DESCRIPTORS);
  g_assert_false (lacuna_autosave_get_exported (autosave));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (data_dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0077, ==, 0);
  /* The file holds a recipe, not the UID. */
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_null (strstr (contents, uid));
  g_assert_nonnull (strstr (contents, "clean-descriptors"));

  lacuna_autosave_mark_exported (autosave);
  g_assert_true (lacuna_autosave_get_exported (autosave));

  /* Opening the study again restores the decisions. */
  lacuna_decisions_set_key (again, key);
  autosave2 = lacuna_autosave_new (again);
  g_assert_true (lacuna_autosave_set_study (autosave2, uid));
  g_assert_true (lacuna_autosave_get_exported (autosave2));
  g_assert_cmpuint (lacuna_decisions_get_options (again)->options, ==,
                    LACUNA_PROFILE_OPTION_CLEAN_DESCRIPTORS);
  o = lacuna_decisions_get_override (again, "00100010");
  g_assert_nonnull (o);
  g_assert_cmpint (o->action, ==, LACUNA_DEID_OVERRIDE_REPLACE);
  g_assert_cmpstr (o->value, ==, "TEST^PSEUDONYM");
  g_assert_true (lacuna_deid_options_equal_recipe (lacuna_decisions_get_options (decisions),
                                                   lacuna_decisions_get_options (again)));

  /* Another study (or another key) finds nothing. */
  g_assert_false (lacuna_autosave_set_study (autosave2, "1.2.3"));
  g_unlink (path);
}

/* A collection of several studies: each study's decisions under its own keyed name, with
 * the boxes on its own images only; all restored when the collection is opened again, and
 * a study opened alone finds its own. */
static LacunaInstance *
first_instance_of_modality (LacunaCollection *collection,
                            const char       *modality)
{
  g_autoptr(GListModel) series_list = lacuna_collection_list_series (collection);

  for (guint s = 0; s < g_list_model_get_n_items (series_list); s++)
    {
      g_autoptr(LacunaSeries) series = g_list_model_get_item (series_list, s);
      LacunaInstance *instance = lacuna_series_get_instance (series, 0);

      if (g_strcmp0 (lacuna_instance_get_modality (instance), modality) == 0)
        return instance;
    }
  return NULL;
}

static guint
count_boxes_of (const LacunaDeidOptions *options,
                const char              *sop_instance_uid)
{
  guint n = 0;

  for (guint i = 0; options->boxes != NULL && i < options->boxes->len; i++)
    if (g_strcmp0 (((LacunaDeidBox *) g_ptr_array_index (options->boxes, i))->sop_instance_uid,
                   sop_instance_uid) == 0)
      n++;
  return n;
}

static void
test_autosave_studies (void)
{
  g_autofree char *sample = lacuna_gui_test_dup_sample_path ();
  const char *paths[] = { sample, NULL };
  g_autoptr(LacunaLoader) loader = lacuna_loader_new (paths);
  g_autoptr(LacunaCollection) collection = NULL;
  g_autoptr(LacunaKey) key = new_test_key ();
  g_autoptr(LacunaDecisions) decisions = lacuna_decisions_new ();
  g_autoptr(LacunaAutosave) autosave = NULL;
  g_autoptr(LacunaDeidOptions) options = NULL;
  g_autoptr(LacunaDeidOptions) ct_saved = NULL;
  g_autoptr(LacunaDeidOptions) us_saved = NULL;
  g_autoptr(LacunaDecision) set = NULL;
  g_autoptr(LacunaDecision) undo = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ct_path = NULL;
  g_autofree char *us_path = NULL;
  const char * const *studies;
  LacunaInstance *ct;
  LacunaInstance *us;
  const char *ct_uid, *us_uid, *ct_sop, *us_sop;

  collection = lacuna_loader_load (loader, NULL, &error);
  g_assert_no_error (error);
  ct = first_instance_of_modality (collection, "CT");
  us = first_instance_of_modality (collection, "US");
  g_assert_nonnull (ct);
  g_assert_nonnull (us);
  ct_uid = lacuna_instance_get_study_uid (ct);
  us_uid = lacuna_instance_get_study_uid (us);
  ct_sop = lacuna_instance_get_sop_instance_uid (ct);
  us_sop = lacuna_instance_get_sop_instance_uid (us);
  g_assert_cmpstr (ct_uid, !=, us_uid);
  ct_path = lacuna_autosave_dup_path (key, ct_uid);
  us_path = lacuna_autosave_dup_path (key, us_uid);
  g_assert_cmpstr (ct_path, !=, us_path);
  g_unlink (ct_path);
  g_unlink (us_path);

  lacuna_decisions_set_key (decisions, key);
  autosave = lacuna_autosave_new (decisions);
  g_assert_false (lacuna_autosave_set_collection (autosave, collection));
  studies = lacuna_autosave_get_studies (autosave);
  g_assert_nonnull (studies);
  g_assert_cmpuint (g_strv_length ((char **) studies), ==, 2);
  g_assert_true (g_strv_contains (studies, ct_uid));
  g_assert_true (g_strv_contains (studies, us_uid));

  /* A box on each study's image, one on every image, and an override. */
  options = lacuna_deid_options_copy (lacuna_decisions_get_options (decisions));
  lacuna_deid_options_add_box (options, ct_sop, LACUNA_DEID_BOX_ALL_FRAMES, NULL, 0, 1, 2, 3, 4);
  lacuna_deid_options_add_box (options, us_sop, LACUNA_DEID_BOX_ALL_FRAMES, NULL, 0, 5, 6, 7, 8);
  lacuna_deid_options_add_box (options, NULL, LACUNA_DEID_BOX_ALL_FRAMES, NULL, 0, 9, 9, 9, 9);
  options->options = LACUNA_PROFILE_OPTION_CLEAN_DESCRIPTORS;
  set = lacuna_decision_new_set_options (options);
  undo = lacuna_decisions_apply (decisions, set, &error);
  g_assert_no_error (error);
  g_assert_true (lacuna_decisions_set_override (decisions, "00081030", LACUNA_DEID_OVERRIDE_KEEP,
                                                NULL, &error));
  g_assert_no_error (error);
  g_assert_false (lacuna_autosave_get_exported (autosave));

  /* Each study's file: the override, its own box and the box on every image. */
  ct_saved = lacuna_autosave_load (key, ct_uid, &error);
  g_assert_no_error (error);
  us_saved = lacuna_autosave_load (key, us_uid, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ct_saved);
  g_assert_nonnull (us_saved);
  g_assert_cmpuint (ct_saved->options, ==, LACUNA_PROFILE_OPTION_CLEAN_DESCRIPTORS);
  g_assert_cmpuint (us_saved->options, ==, LACUNA_PROFILE_OPTION_CLEAN_DESCRIPTORS);
  g_assert_cmpuint (ct_saved->overrides->len, ==, 1);
  g_assert_cmpuint (us_saved->overrides->len, ==, 1);
  g_assert_cmpuint (ct_saved->boxes->len, ==, 2);
  g_assert_cmpuint (count_boxes_of (ct_saved, ct_sop), ==, 1);
  g_assert_cmpuint (count_boxes_of (ct_saved, us_sop), ==, 0);
  g_assert_cmpuint (count_boxes_of (ct_saved, NULL), ==, 1);
  g_assert_cmpuint (us_saved->boxes->len, ==, 2);
  g_assert_cmpuint (count_boxes_of (us_saved, us_sop), ==, 1);
  g_assert_cmpuint (count_boxes_of (us_saved, ct_sop), ==, 0);

  /* The ultrasound study opened alone: its own decisions. */
  {
    g_autoptr(LacunaDecisions) alone = lacuna_decisions_new ();
    g_autoptr(LacunaAutosave) autosave2 = NULL;
    const LacunaDeidOptions *restored;

    lacuna_decisions_set_key (alone, key);
    autosave2 = lacuna_autosave_new (alone);
    g_assert_true (lacuna_autosave_set_study (autosave2, us_uid));
    restored = lacuna_decisions_get_options (alone);
    g_assert_cmpuint (count_boxes_of (restored, us_sop), ==, 1);
    g_assert_cmpuint (count_boxes_of (restored, ct_sop), ==, 0);
    g_assert_nonnull (lacuna_decisions_get_override (alone, "00081030"));
  }

  /* The whole collection again: every box once, the override once. */
  {
    g_autoptr(LacunaDecisions) again = lacuna_decisions_new ();
    g_autoptr(LacunaAutosave) autosave3 = NULL;
    const LacunaDeidOptions *restored;

    lacuna_decisions_set_key (again, key);
    autosave3 = lacuna_autosave_new (again);
    g_assert_true (lacuna_autosave_set_collection (autosave3, collection));
    g_assert_true (lacuna_autosave_get_exported (autosave3));
    restored = lacuna_decisions_get_options (again);
    g_assert_cmpuint (restored->options, ==, LACUNA_PROFILE_OPTION_CLEAN_DESCRIPTORS);
    g_assert_cmpuint (restored->boxes->len, ==, 3);
    g_assert_cmpuint (count_boxes_of (restored, ct_sop), ==, 1);
    g_assert_cmpuint (count_boxes_of (restored, us_sop), ==, 1);
    g_assert_cmpuint (count_boxes_of (restored, NULL), ==, 1);
    g_assert_cmpuint (restored->overrides->len, ==, 1);
  }

  /* Removing the ultrasound's box rewrites its file, and the CT's keeps its own. */
  g_clear_pointer (&set, lacuna_decision_free);
  g_clear_pointer (&undo, lacuna_decision_free);
  g_clear_pointer (&us_saved, lacuna_deid_options_free);
  {
    GPtrArray *boxes = lacuna_decisions_get_options (decisions)->boxes;

    for (guint i = 0; i < boxes->len && set == NULL; i++)
      if (g_strcmp0 (((LacunaDeidBox *) g_ptr_array_index (boxes, i))->sop_instance_uid,
                     us_sop) == 0)
        set = lacuna_decision_new_remove_box (i);
  }
  g_assert_nonnull (set);
  undo = lacuna_decisions_apply (decisions, set, &error);
  g_assert_no_error (error);
  us_saved = lacuna_autosave_load (key, us_uid, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_boxes_of (us_saved, us_sop), ==, 0);
  g_clear_pointer (&ct_saved, lacuna_deid_options_free);
  ct_saved = lacuna_autosave_load (key, ct_uid, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_boxes_of (ct_saved, ct_sop), ==, 1);

  g_unlink (ct_path);
  g_unlink (us_path);
}

/* "Show result" renders export's pixels in a thread: the boxes black, the rest as before;
 * a cancelled render gives no image. */
static guint
count_nonblack (cairo_surface_t *surface,
                int              height)
{
  const guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);
  int width = cairo_image_surface_get_width (surface);
  guint n = 0;

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      n += (((const guint32 *) (gconstpointer) (data + (gsize) y * stride))[x] & 0xffffff) != 0;
  return n;
}

static void
render_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
is_set (gpointer data)
{
  return *(gpointer *) data != NULL;
}

static void
test_result_render (void)
{
  g_autofree char *sample = lacuna_gui_test_dup_sample_path ();
  const char *paths[] = { sample, NULL };
  g_autoptr(LacunaLoader) loader = lacuna_loader_new (paths);
  g_autoptr(LacunaCollection) collection = NULL;
  g_autoptr(GArray) boxes = g_array_new (FALSE, FALSE, sizeof (LacunaRedactBox));
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  LacunaResultRenderParams params = { 0, 40, 400, TRUE };
  LacunaRedactBox box = { -1, 0, 0, 0, LACUNA_SAMPLE_US_TEXT_BAND };
  cairo_surface_t *original, *clean, *async;
  LacunaInstance *us;

  collection = lacuna_loader_load (loader, NULL, &error);
  g_assert_no_error (error);
  us = first_instance_of_modality (collection, "US");
  g_assert_nonnull (us);
  box.width = (int) lacuna_instance_get_columns (us);
  g_array_append_val (boxes, box);

  original = lacuna_result_render (us, NULL, &params, NULL, &error);
  g_assert_no_error (error);
  clean = lacuna_result_render (us, boxes, &params, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cairo_image_surface_get_width (clean), ==, lacuna_instance_get_columns (us));
  g_assert_cmpint (cairo_image_surface_get_height (clean), ==, lacuna_instance_get_rows (us));
  /* The band held the burned-in identity; now it is black. */
  g_assert_cmpuint (count_nonblack (original, LACUNA_SAMPLE_US_TEXT_BAND), >, 100);
  g_assert_cmpuint (count_nonblack (clean, LACUNA_SAMPLE_US_TEXT_BAND), ==, 0);
  g_assert_cmpuint (count_nonblack (clean, cairo_image_surface_get_height (clean)), ==,
                    count_nonblack (original, cairo_image_surface_get_height (original))
                    - count_nonblack (original, LACUNA_SAMPLE_US_TEXT_BAND));

  /* In a thread: the same pixels. */
  lacuna_result_render_async (us, boxes, &params, NULL, render_done_cb, &result);
  lacuna_gui_test_wait (is_set, &result);
  async = lacuna_result_render_finish (result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_nonblack (async, cairo_image_surface_get_height (async)), ==,
                    count_nonblack (clean, cairo_image_surface_get_height (clean)));
  g_clear_object (&result);

  /* Cancelled: no image. */
  g_cancellable_cancel (cancelled);
  lacuna_result_render_async (us, boxes, &params, cancelled, render_done_cb, &result);
  lacuna_gui_test_wait (is_set, &result);
  g_assert_null (lacuna_result_render_finish (result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  cairo_surface_destroy (original);
  cairo_surface_destroy (clean);
  cairo_surface_destroy (async);
}

/* The check. */

static void
collect_files (const char *dir,
               GPtrArray  *out)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        collect_files (path, out);
      else
        g_ptr_array_add (out, g_steal_pointer (&path));
    }
}

static gboolean
dialog_done (gpointer data)
{
  return lacuna_export_dialog_get_state (data) == LACUNA_EXPORT_DIALOG_DONE;
}

static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = g_build_filename (g_getenv ("LACUNA_BUILD_ROOT"), name, NULL);

  lacuna_gui_test_wait_frame (widget);
  texture = lacuna_gui_test_render (widget);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Wrote %s", path);
}

static void
check_box_black (LacunaDicomFile *file)
{
  LacunaDicomPixelInfo info;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) frame = NULL;
  char photometric[24];
  gint64 black[3];
  const guint8 *data;
  guint bytes;

  g_assert_true (lacuna_dicom_file_get_pixel_info (file, &info, &error));
  g_assert_no_error (error);
  frame = lacuna_dicom_file_decode_frame (file, 0, photometric, &error);
  g_assert_no_error (error);
  g_assert_true (lacuna_redact_get_black (file, photometric, black, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (info.columns, >=, BOX_X + BOX_W);
  g_assert_cmpuint (info.rows, >=, BOX_Y + BOX_H);
  data = g_bytes_get_data (frame, NULL);
  bytes = info.bits_allocated > 8 ? (info.bits_allocated > 16 ? 4 : 2) : 1;
  for (guint y = BOX_Y; y < BOX_Y + BOX_H; y++)
    for (guint x = BOX_X; x < BOX_X + BOX_W; x++)
      for (guint s = 0; s < info.samples_per_pixel; s++)
        {
          gsize offset = ((gsize) y * info.columns + x) * info.samples_per_pixel + s;
          gint64 v;

          if (bytes == 1)
            v = info.is_signed ? ((const gint8 *) data)[offset] : data[offset];
          else if (bytes == 2)
            v = info.is_signed ? ((const gint16 *) data)[offset] : ((const guint16 *) data)[offset];
          else
            v = info.is_signed ? (gint64) ((const gint32 *) data)[offset]
                               : (gint64) ((const guint32 *) data)[offset];
          g_assert_cmpint (v, ==, black[MIN (s, 2)]);
        }
}

static void
test_export_sample (void)
{
  LacunaWindow *window = lacuna_gui_test_new_window (1100, 720);
  g_autofree char *sample = lacuna_gui_test_dup_sample_path ();
  const char *paths[] = { sample, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("lacuna-export-ui-XXXXXX", &error);
  g_autofree char *out = NULL;
  g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(LacunaDeidOptions) options = NULL;
  g_autoptr(LacunaDecision) set = NULL;
  g_autoptr(LacunaDecision) undo = NULL;
  g_autoptr(LacunaKey) key = new_test_key ();
  /* The original Study Descriptions (the sample holds several studies). */
  g_autoptr(GHashTable) descriptions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                              NULL);
  LacunaDecisions *decisions;
  LacunaExportDialog *dialog;
  LacunaViewState *state;
  GListModel *series_list;
  guint n_checked = 0;
  guint n_pixels = 0;

  g_assert_no_error (error);
  out = g_build_filename (tmp, "out", NULL);

  /* Open the sample study, select a series, change the window. */
  lacuna_window_open_paths (window, paths);
  lacuna_gui_test_wait_loaded (window);
  series_list = lacuna_window_get_series_list (window);
  g_assert_cmpuint (g_list_model_get_n_items (series_list), >, 0);
  lacuna_window_select_series (window, 0);
  lacuna_gui_test_wait_image (lacuna_window_get_image_view (window));
  state = lacuna_image_view_get_state (lacuna_window_get_image_view (window));
  lacuna_view_state_set_custom_window (state, 40, 400);
  g_assert_cmpfloat (lacuna_view_state_get_window_center (state), ==, 40);

  /* The study's files: the exporter's inputs. */
  for (guint s = 0; s < g_list_model_get_n_items (series_list); s++)
    {
      g_autoptr(LacunaSeries) series = g_list_model_get_item (series_list, s);

      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (series)); i++)
        {
          LacunaInstance *instance = lacuna_series_get_instance (series, i);
          const char *source = lacuna_instance_get_source (instance);

          if (lacuna_instance_get_study_description (instance) != NULL
              && *lacuna_instance_get_study_description (instance) != '\0')
            g_hash_table_add (descriptions,
                              g_strdup (lacuna_instance_get_study_description (instance)));
          if (!g_hash_table_contains (seen, source))
            {
              g_hash_table_add (seen, (gpointer) source);
              g_ptr_array_add (inputs, g_strdup (source));
            }
        }
    }
  g_ptr_array_add (inputs, NULL);
  g_assert_cmpuint (g_hash_table_size (descriptions), >, 0);

  /* Mark a region, override two tags. */
  decisions = lacuna_window_get_decisions (window);
  lacuna_decisions_set_key (decisions, key);
  options = lacuna_deid_options_copy (lacuna_decisions_get_options (decisions));
  lacuna_deid_options_add_box (options, NULL, LACUNA_DEID_BOX_ALL_FRAMES, NULL, 0, BOX_X, BOX_Y,
                               BOX_W, BOX_H);
  set = lacuna_decision_new_set_options (options);
  undo = lacuna_decisions_apply (decisions, set, &error);
  g_assert_no_error (error);
  g_assert_true (lacuna_decisions_set_override (decisions, "00081030", LACUNA_DEID_OVERRIDE_KEEP,
                                                NULL, &error));
  g_assert_no_error (error);
  g_assert_true (lacuna_decisions_set_override (decisions, "00100010",
                                                LACUNA_DEID_OVERRIDE_REPLACE, "TEST^PSEUDONYM",
                                                &error));
  g_assert_no_error (error);

  /* Export through the dialog. */
  dialog = lacuna_export_dialog_new (GTK_WINDOW (window), decisions,
                                     (const char * const *) inputs->pdata);
  gtk_window_present (GTK_WINDOW (dialog));
  lacuna_export_dialog_set_destination (dialog, out);
  g_assert_nonnull (strstr (lacuna_export_dialog_get_summary (dialog), "1 marked region"));
  g_assert_nonnull (strstr (lacuna_export_dialog_get_summary (dialog), "2 decisions"));

  if (g_getenv ("LACUNA_BUILD_ROOT") != NULL)
    {
      AdwStyleManager *style = adw_style_manager_get_default ();

      save_screenshot (GTK_WIDGET (dialog), "lacuna-export-dialog.png");
      adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
      save_screenshot (GTK_WIDGET (dialog), "lacuna-export-dialog-dark.png");
      adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
    }

  gtk_widget_activate_action (GTK_WIDGET (dialog), "export.start", NULL);
  g_assert_cmpint (lacuna_export_dialog_get_state (dialog), ==, LACUNA_EXPORT_DIALOG_RUNNING);
  lacuna_gui_test_wait (dialog_done, dialog);
  g_assert_no_error ((GError *) lacuna_export_dialog_get_error (dialog));
  {
    const char * const *messages = lacuna_export_dialog_get_messages (dialog);

    for (guint i = 0; messages != NULL && messages[i] != NULL; i++)
      g_test_message ("%s", messages[i]);
  }
  g_assert_cmpuint (lacuna_export_dialog_get_n_failed (dialog), ==, 0);
  g_assert_cmpuint (lacuna_export_dialog_get_n_written (dialog), >, 0);
  g_assert_nonnull (lacuna_export_dialog_get_report_path (dialog));
  g_assert_true (g_file_test (lacuna_export_dialog_get_report_path (dialog), G_FILE_TEST_EXISTS));
  if (g_getenv ("LACUNA_BUILD_ROOT") != NULL)
    save_screenshot (GTK_WIDGET (dialog), "lacuna-export-dialog-done.png");

  /* Read the written files back. */
  {
    g_autofree char *tree = g_build_filename (out, "DICOM", NULL);

    collect_files (tree, files);
  }
  g_assert_cmpuint (files->len, ==, lacuna_export_dialog_get_n_written (dialog));
  for (guint i = 0; i < files->len; i++)
    {
      g_autoptr(LacunaDicomFile) file = lacuna_dicom_file_open (files->pdata[i], 0, &error);
      g_autofree char *name = NULL;
      g_autofree char *description = NULL;

      g_assert_no_error (error);
      name = lacuna_dicom_file_dup_string (file, "00100010", &error);
      g_assert_no_error (error);
      g_assert_cmpstr (name, ==, "TEST^PSEUDONYM");
      description = lacuna_dicom_file_dup_string (file, "00081030", &error);
      g_assert_no_error (error);
      g_assert_true (g_hash_table_contains (descriptions, description));
      n_checked++;
      if (lacuna_dicom_file_has (file, "7FE00010"))
        {
          check_box_black (file);
          n_pixels++;
        }
    }
  g_assert_cmpuint (n_checked, >, 0);
  g_assert_cmpuint (n_pixels, >, 0);
  g_test_message ("%u files checked, %u with pixels", n_checked, n_pixels);

  gtk_window_destroy (GTK_WINDOW (dialog));
  gtk_window_destroy (GTK_WINDOW (window));
  {
    g_autofree char *report = lacuna_export_dup_default_report_path (out, FALSE);
    g_autofree char *stem = g_strndup (report, strlen (report) - 5);
    g_autofree char *html = g_strconcat (stem, ".html", NULL);

    lacuna_gui_test_remove_tree (out);
    g_unlink (report);
    g_unlink (html);
    g_rmdir (tmp);
  }
}

/* A folder holding two patients: win.export-patient writes one patient's studies only, to a
 * folder or to a zip; the engine reads the result back. */

/* A sample file given to another (invented) patient, in a study of its own. */
static void
write_other_patient (const char *sample,
                     const char *file_id,
                     const char *target,
                     const char *series_uid,
                     const char *sop_uid)
{
  g_autofree char *source = g_build_filename (sample, file_id, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LacunaDicomFile) file = lacuna_dicom_file_open (source, 0, &error);
  const struct { const char *tag; const char *value; } set[] = {
    { "00100010", "TESTPERSON^SECOND" },
    { "00100020", "LAC-TEST-00002" },
    { "0020000D", "2.25.31415926535897932384626433832795" },
    { "0020000E", series_uid },
    { "00080018", sop_uid },
  };

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (set); i++)
    {
      g_assert_true (lacuna_dicom_file_set_string (file, set[i].tag, NULL, set[i].value, &error));
      g_assert_no_error (error);
    }
  g_assert_true (lacuna_dicom_file_save (file, target, NULL, &error));
  g_assert_no_error (error);
}

static guint
count_patient_instances (LacunaPatient *patient,
                         guint         *out_n_studies)
{
  guint n = 0;

  *out_n_studies = g_list_model_get_n_items (G_LIST_MODEL (patient));
  for (guint t = 0; t < *out_n_studies; t++)
    {
      g_autoptr(GListModel) study = g_list_model_get_item (G_LIST_MODEL (patient), t);

      for (guint s = 0; s < g_list_model_get_n_items (study); s++)
        {
          g_autoptr(GListModel) series = g_list_model_get_item (study, s);

          n += g_list_model_get_n_items (series);
        }
    }
  return n;
}

static LacunaExportDialog *
find_export_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (toplevels, i);

      if (LACUNA_IS_EXPORT_DIALOG (item))
        return LACUNA_EXPORT_DIALOG (item);
    }
  return NULL;
}

/* Exports patient position of window's collection to out (zip or folder) and checks with
 * the loader that it holds that patient's studies and instances only. */
static void
check_patient_export (LacunaWindow *window,
                      guint         position,
                      const char   *out,
                      gboolean      zip)
{
  GListModel *patients = G_LIST_MODEL (lacuna_window_get_collection (window));
  g_autoptr(LacunaPatient) patient = g_list_model_get_item (patients, position);
  g_autofree char *target = g_strdup_printf ("%u", position);
  g_autofree char *written = NULL;
  g_autoptr(LacunaLoader) loader = NULL;
  g_autoptr(LacunaCollection) result = NULL;
  g_autoptr(LacunaPatient) exported = NULL;
  g_autoptr(GError) error = NULL;
  const char *paths[2] = { NULL, NULL };
  LacunaExportDialog *dialog;
  guint n_studies, n_instances, n_exported_studies;

  n_instances = count_patient_instances (patient, &n_studies);
  g_assert_null (find_export_dialog ());
  gtk_widget_activate_action (GTK_WIDGET (window), "win.export-patient", "s", target);
  dialog = find_export_dialog ();
  g_assert_nonnull (dialog);
  lacuna_export_dialog_set_destination (dialog, out);
  lacuna_export_dialog_set_zip (dialog, zip);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "export.start", NULL);
  lacuna_gui_test_wait (dialog_done, dialog);
  g_assert_no_error ((GError *) lacuna_export_dialog_get_error (dialog));
  g_assert_cmpuint (lacuna_export_dialog_get_n_failed (dialog), ==, 0);
  g_assert_cmpuint (lacuna_export_dialog_get_n_written (dialog), ==, n_instances);
  written = g_strdup (lacuna_export_dialog_get_output (dialog));
  g_assert_cmpint (g_str_has_suffix (written, ".zip"), ==, zip);
  g_assert_true (g_file_test (written, zip ? G_FILE_TEST_IS_REGULAR : G_FILE_TEST_IS_DIR));
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* What was written: one patient, with as many studies and instances. */
  paths[0] = written;
  loader = lacuna_loader_new (paths);
  result = lacuna_loader_load (loader, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (result)), ==, 1);
  exported = g_list_model_get_item (G_LIST_MODEL (result), 0);
  g_assert_cmpuint (count_patient_instances (exported, &n_exported_studies), ==, n_instances);
  g_assert_cmpuint (n_exported_studies, ==, n_studies);
  g_test_message ("Patient %u: %u instances in %u studies (%s)", position + 1, n_instances,
                  n_studies, zip ? "zip" : "folder");
}

static void
test_export_patient (void)
{
  g_autofree char *sample = lacuna_gui_test_dup_sample_path ();
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("lacuna-patients-XXXXXX", &error);
  g_autofree char *in = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *b1 = NULL;
  g_autofree char *b2 = NULL;
  g_autofree char *out_a = NULL;
  g_autofree char *out_b = NULL;
  g_autoptr(LacunaKey) key = new_test_key ();
  const char *paths[2] = { NULL, NULL };
  LacunaWindow *window;
  GListModel *patients;
  int position_b = -1;

  g_assert_no_error (error);
  in = g_build_filename (tmp, "in", NULL);
  a = g_build_filename (in, "a", NULL);
  b = g_build_filename (in, "b", NULL);
  lacuna_gui_test_copy_tree (sample, a);
  g_assert_cmpint (g_mkdir_with_parents (b, 0700), ==, 0);
  b1 = g_build_filename (b, "IM1", NULL);
  b2 = g_build_filename (b, "IM2", NULL);
  write_other_patient (sample, "LACUNA/US/IM000001", b1, "2.25.1001", "2.25.1001.1");
  write_other_patient (sample, "LACUNA/SC/IM000001", b2, "2.25.1002", "2.25.1002.1");

  window = lacuna_gui_test_new_window (1100, 720);
  paths[0] = in;
  lacuna_window_open_paths (window, paths);
  lacuna_gui_test_wait_loaded (window);
  lacuna_decisions_set_key (lacuna_window_get_decisions (window), key);
  patients = G_LIST_MODEL (lacuna_window_get_collection (window));
  g_assert_cmpuint (g_list_model_get_n_items (patients), ==, 2);
  for (guint p = 0; p < 2; p++)
    {
      g_autoptr(LacunaPatient) patient = g_list_model_get_item (patients, p);

      if (g_strcmp0 (lacuna_patient_get_id (patient), "LAC-TEST-00002") == 0)
        position_b = (int) p;
    }
  g_assert_cmpint (position_b, >=, 0);

  /* The invented patient to a folder; the sample's patient to a zip. */
  out_b = g_build_filename (tmp, "out-b", NULL);
  check_patient_export (window, (guint) position_b, out_b, FALSE);
  out_a = g_build_filename (tmp, "out-a", NULL);
  check_patient_export (window, 1 - (guint) position_b, out_a, TRUE);

  gtk_window_destroy (GTK_WINDOW (window));
  lacuna_gui_test_remove_tree (tmp);
}

/* The deface switch reaches the engine: the CT series of the sample (a head with a face) is
 * written defaced, recorded with 113102 in each of its files, and the report says so. */
static gboolean
has_code (LacunaDicomFile *file,
          const char      *code)
{
  guint n = lacuna_dicom_file_count_items (file, "00120064");

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_strdup_printf ("00120064/%u/00080100", i);
      g_autofree char *value = lacuna_dicom_file_dup_string (file, path, NULL);

      if (g_strcmp0 (value, code) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
test_export_deface (void)
{
  g_autofree char *sample = lacuna_gui_test_dup_sample_path ();
  const char *inputs[] = { sample, NULL };
  g_autoptr(LacunaDecisions) decisions = lacuna_decisions_new ();
  g_autoptr(LacunaKey) key = new_test_key ();
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("lacuna-deface-ui-XXXXXX", &error);
  g_autofree char *out = NULL;
  g_autofree char *tree = NULL;
  g_autofree char *report = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  LacunaExportDialog *dialog;
  GtkSwitch *sw;
  guint n_ct = 0, n_defaced = 0;

  g_assert_no_error (error);
  out = g_build_filename (tmp, "out", NULL);
  lacuna_decisions_set_key (decisions, key);
  dialog = lacuna_export_dialog_new (NULL, decisions, inputs);
  g_object_ref_sink (dialog);
  sw = lacuna_export_dialog_get_switch (dialog,
                                        LACUNA_PROFILE_OPTION_CLEAN_RECOGNIZABLE_VISUAL_FEATURES);
  gtk_switch_set_active (sw, TRUE);
  lacuna_export_dialog_set_destination (dialog, out);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "export.start", NULL);
  lacuna_gui_test_wait (dialog_done, dialog);
  g_assert_no_error ((GError *) lacuna_export_dialog_get_error (dialog));
  g_assert_cmpuint (lacuna_export_dialog_get_n_failed (dialog), ==, 0);

  /* The report: defacing on, and the option recorded. */
  g_assert_true (g_file_get_contents (lacuna_export_dialog_get_report_path (dialog), &report,
                                      NULL, NULL));
  g_assert_nonnull (strstr (report, "\"deface\" : true"));
  g_assert_nonnull (strstr (report, "clean-recognizable-visual-features"));

  /* Every written CT slice is defaced and says so; the other images do not. */
  tree = g_build_filename (out, "DICOM", NULL);
  collect_files (tree, files);
  for (guint i = 0; i < files->len; i++)
    {
      g_autoptr(LacunaDicomFile) file = lacuna_dicom_file_open (files->pdata[i], 0, &error);
      g_autofree char *modality = NULL;

      g_assert_no_error (error);
      modality = lacuna_dicom_file_dup_string (file, "00080060", NULL);
      if (g_strcmp0 (modality, "CT") == 0)
        {
          g_autofree char *recognizable = lacuna_dicom_file_dup_string (file, "00280302", NULL);

          n_ct++;
          if (has_code (file, "113102"))
            {
              n_defaced++;
              g_assert_cmpstr (recognizable, ==, "NO");
            }
        }
      else
        g_assert_false (has_code (file, "113102"));
    }
  g_test_message ("%u CT slices written, %u recorded as defaced", n_ct, n_defaced);
  g_assert_cmpuint (n_ct, ==, LACUNA_SAMPLE_CT_SLICES);
  g_assert_cmpuint (n_defaced, ==, n_ct);

  gtk_window_destroy (GTK_WINDOW (dialog));
  g_object_unref (dialog);
  lacuna_gui_test_remove_tree (tmp);
}

static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (item) && gtk_widget_get_visible (GTK_WIDGET (item)))
        return ADW_MESSAGE_DIALOG (item);
    }
  return NULL;
}

/* Through the window: a decision is autosaved at once, restored in a new window opening the
 * same study, and closing with it not exported asks first. */
static void
test_window_autosave (void)
{
  g_autofree char *sample = lacuna_gui_test_dup_sample_path ();
  const char *paths[] = { sample, NULL };
  LacunaWindow *window = lacuna_gui_test_new_window (900, 600);
  LacunaWindow *again;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  const LacunaDeidOverride *o;
  AdwMessageDialog *ask;
  LacunaKey *key;
  const char *uid;
  g_autoptr(LacunaSeries) series = NULL;
  struct stat st;

  lacuna_window_open_paths (window, paths);
  lacuna_gui_test_wait_loaded (window);
  g_assert_true (lacuna_window_get_decisions_exported (window));
  g_assert_true (lacuna_decisions_set_override (lacuna_window_get_decisions (window), "00081090",
                                                LACUNA_DEID_OVERRIDE_REPLACE, "MODEL X",
                                                &error));
  g_assert_no_error (error);
  g_assert_false (lacuna_window_get_decisions_exported (window));

  /* The key was created with the first decision; the file is named by it. */
  key = lacuna_decisions_get_key (lacuna_window_get_decisions (window));
  g_assert_nonnull (key);
  series = g_list_model_get_item (lacuna_window_get_series_list (window), 0);
  uid = lacuna_instance_get_study_uid (lacuna_series_get_instance (series, 0));
  path = lacuna_autosave_dup_path (key, uid);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* Closing asks. */
  g_object_ref (window);
  gtk_window_close (GTK_WINDOW (window));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  ask = find_message_dialog ();
  g_assert_nonnull (ask);
  g_assert_cmpstr (adw_message_dialog_get_heading (ask), ==, "Export or discard your decisions?");
  adw_message_dialog_response (ask, "cancel");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));

  /* Another window, the same study: the decision is back. */
  again = lacuna_gui_test_new_window (900, 600);
  lacuna_window_open_paths (again, paths);
  lacuna_gui_test_wait_loaded (again);
  o = lacuna_decisions_get_override (lacuna_window_get_decisions (again), "00081090");
  g_assert_nonnull (o);
  g_assert_cmpstr (o->value, ==, "MODEL X");
  g_assert_true (lacuna_window_get_decisions_exported (again));
  lacuna_decisions_clear_override (lacuna_window_get_decisions (again), "00081090");
  gtk_window_destroy (GTK_WINDOW (again));

  /* "Close Anyway" closes. */
  gtk_window_close (GTK_WINDOW (window));
  ask = find_message_dialog ();
  g_assert_nonnull (ask);
  adw_message_dialog_response (ask, "discard");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_object_unref (window);
}

/* Preferences: the defaults reach the decisions of a study opened afterwards. */
static void
test_preferences (void)
{
  g_autoptr(GSettings) settings = lacuna_preferences_dup_settings ();
  g_autofree char *sample = lacuna_gui_test_dup_sample_path ();
  const char *paths[] = { sample, NULL };
  const char *names[] = { "retain-patient-characteristics", "retain-modified-dates", NULL };
  LacunaPreferences *prefs;
  LacunaWindow *window;
  const LacunaDeidOptions *options;

  if (settings == NULL)
    {
      g_test_skip ("The GSettings schema is not compiled");
      return;
    }
  prefs = lacuna_preferences_new (NULL);
  gtk_window_present (GTK_WINDOW (prefs));
  g_settings_set_strv (settings, "default-options", names);
  g_settings_set_int (settings, "date-shift-days", 30);
  g_assert_cmpuint (lacuna_preferences_get_default_options (settings), ==,
                    LACUNA_PROFILE_OPTION_RETAIN_PATIENT_CHARACTERISTICS
                    | LACUNA_PROFILE_OPTION_RETAIN_MODIFIED_DATES);
  g_assert_cmpuint (lacuna_preferences_get_date_shift_days (settings), ==, 30);
  if (g_getenv ("LACUNA_BUILD_ROOT") != NULL)
    save_screenshot (GTK_WIDGET (prefs), "lacuna-preferences.png");
  gtk_window_destroy (GTK_WINDOW (prefs));

  /* Nothing saved for the study (saved decisions win over the defaults). */
  {
    g_autofree char *saved = g_build_filename (g_get_user_data_dir (), "lacuna", "decisions",
                                               NULL);

    lacuna_gui_test_remove_tree (saved);
  }
  window = lacuna_gui_test_new_window (900, 600);
  lacuna_window_open_paths (window, paths);
  lacuna_gui_test_wait_loaded (window);
  options = lacuna_decisions_get_options (lacuna_window_get_decisions (window));
  g_assert_cmpuint (options->options, ==,
                    LACUNA_PROFILE_OPTION_RETAIN_PATIENT_CHARACTERISTICS
                    | LACUNA_PROFILE_OPTION_RETAIN_MODIFIED_DATES);
  g_assert_cmpuint (options->date_shift_max_days, ==, 30);
  gtk_window_destroy (GTK_WINDOW (window));
  g_settings_reset (settings, "default-options");
  g_settings_reset (settings, "date-shift-days");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *data_home = g_dir_make_tmp ("lacuna-data-XXXXXX", NULL);
  int ret;

  /* Autosave and the key go to a private data folder, never the user's. */
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  if (!lacuna_gui_test_init (&argc, &argv))
    return 77;

  g_test_add_func ("/export-dialog/presets", test_presets);
  g_test_add_func ("/export-dialog/recipe-round-trip", test_recipe_round_trip);
  g_test_add_func ("/export-dialog/autosave", test_autosave);
  g_test_add_func ("/export-dialog/autosave-studies", test_autosave_studies);
  g_test_add_func ("/export-dialog/result-render", test_result_render);
  g_test_add_func ("/export-dialog/export-sample", test_export_sample);
  g_test_add_func ("/export-dialog/export-patient", test_export_patient);
  g_test_add_func ("/export-dialog/export-deface", test_export_deface);
  g_test_add_func ("/export-dialog/window-autosave", test_window_autosave);
  g_test_add_func ("/export-dialog/preferences", test_preferences);
  ret = g_test_run ();
  lacuna_gui_test_remove_tree (data_home);
  return ret;
}
