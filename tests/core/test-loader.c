/* test-loader.c: the study model (instance, series, study, patient, collection) and the
 * loader, on real data from the shared test folder and on fixtures built here.
 *
 * Expected groupings of DICOMDIR trees are computed independently with dcmdump (DCMTK's
 * command-line dumper) by counting the directory records of each type.
 */
#define G_LOG_DOMAIN "test-loader"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include <glib/gstdio.h>
#include <archive.h>
#include <archive_entry.h>

#include "lacuna-core.h"
#include "lacuna-test-util.h"

#define DICOMDIR_TESTS "variety/pydicom_debian_test_files/dicomdirtests"
#define GE_TILT        "head-volume/GE_head_CT_gantry_tilt"
#define MR_SERIES      "phi-header/tcia_pseudo_phi_MR_series/dicom"

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                  */

static LacunaCollection *
load_paths (const char * const  *paths,
            GError             **error)
{
  g_autoptr(LacunaLoader) loader = lacuna_loader_new (paths);
  LacunaCollection *collection = lacuna_loader_load (loader, NULL, error);

  if (collection != NULL)
    g_assert_cmpuint (lacuna_loader_get_n_done (loader), ==, lacuna_loader_get_n_total (loader));
  return collection;
}

static LacunaCollection *
load_one (const char *path)
{
  const char *paths[] = { path, NULL };
  g_autoptr(GError) error = NULL;
  LacunaCollection *collection = load_paths (paths, &error);

  g_assert_no_error (error);
  g_assert_nonnull (collection);
  return collection;
}

typedef struct
{
  guint patients;
  guint studies;
  guint series;
  guint instances;
} Counts;

static Counts
count_tree (LacunaCollection *collection)
{
  Counts counts = { 0, };
  GListModel *patients = G_LIST_MODEL (collection);

  counts.patients = g_list_model_get_n_items (patients);
  for (guint p = 0; p < counts.patients; p++)
    {
      g_autoptr(LacunaPatient) patient = g_list_model_get_item (patients, p);
      guint n_studies = g_list_model_get_n_items (G_LIST_MODEL (patient));

      counts.studies += n_studies;
      for (guint s = 0; s < n_studies; s++)
        {
          g_autoptr(LacunaStudy) study = g_list_model_get_item (G_LIST_MODEL (patient), s);
          guint n_series = g_list_model_get_n_items (G_LIST_MODEL (study));

          counts.series += n_series;
          for (guint r = 0; r < n_series; r++)
            {
              g_autoptr(LacunaSeries) series = g_list_model_get_item (G_LIST_MODEL (study), r);

              counts.instances += g_list_model_get_n_items (G_LIST_MODEL (series));
            }
        }
    }
  return counts;
}

/* The values dcmdump prints for tag ("0004,1430") in path, all occurrences. */
static GPtrArray *
dcmdump_values (const char *path,
                const char *tag)
{
  const char *argv[] = { "dcmdump", "-q", "+P", tag, path, NULL };
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *values = g_ptr_array_new_with_free_func (g_free);
  int status;

  status = lacuna_test_run (argv, &out, NULL);
  g_assert_cmpint (status, ==, 0);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *open = strchr (lines[i], '[');
      const char *close = open ? strrchr (open, ']') : NULL;
      const char *hash = strchr (lines[i], '#');

      if (lines[i][0] != '(' || strlen (lines[i]) < 16)
        continue;
      if (open != NULL && close != NULL)
        g_ptr_array_add (values, g_strndup (open + 1, close - open - 1));
      else if (hash != NULL && hash > lines[i] + 15)   /* numbers: "(0028,0010) US 512   #" */
        g_ptr_array_add (values, g_strstrip (g_strndup (lines[i] + 15, hash - lines[i] - 15)));
    }
  return values;
}

/* Counts of PATIENT / STUDY / SERIES / IMAGE directory records, read by dcmdump. */
static Counts
dicomdir_record_counts (const char *dicomdir)
{
  g_autoptr(GPtrArray) types = dcmdump_values (dicomdir, "0004,1430");
  Counts counts = { 0, };

  for (guint i = 0; i < types->len; i++)
    {
      const char *type = g_ptr_array_index (types, i);

      if (strcmp (type, "PATIENT") == 0)
        counts.patients++;
      else if (strcmp (type, "STUDY") == 0)
        counts.studies++;
      else if (strcmp (type, "SERIES") == 0)
        counts.series++;
      else if (strcmp (type, "IMAGE") == 0)
        counts.instances++;
    }
  return counts;
}

static void
assert_counts_equal (Counts a,
                     Counts b)
{
  g_assert_cmpuint (a.patients, ==, b.patients);
  g_assert_cmpuint (a.studies, ==, b.studies);
  g_assert_cmpuint (a.series, ==, b.series);
  g_assert_cmpuint (a.instances, ==, b.instances);
}

static void
copy_file (const char *from,
           const char *to)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize size;

  g_file_get_contents (from, &contents, &size, &error);
  g_assert_no_error (error);
  g_file_set_contents (to, contents, (gssize) size, &error);
  g_assert_no_error (error);
}

/* Copies the tree under from into to, lower-casing every name. */
static void
copy_tree_lowercase (const char *from,
                     const char *to)
{
  g_autoptr(GDir) dir = g_dir_open (from, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  g_assert_cmpint (g_mkdir_with_parents (to, 0755), ==, 0);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *lower = g_ascii_strdown (name, -1);
      g_autofree char *src = g_build_filename (from, name, NULL);
      g_autofree char *dst = g_build_filename (to, lower, NULL);

      if (g_file_test (src, G_FILE_TEST_IS_DIR))
        copy_tree_lowercase (src, dst);
      else
        copy_file (src, dst);
    }
}

static void
add_zip_member (struct archive *a,
                const char     *name,
                gconstpointer   data,
                gsize           size)
{
  struct archive_entry *entry = archive_entry_new ();

  archive_entry_set_pathname (entry, name);
  archive_entry_set_size (entry, (la_int64_t) size);
  archive_entry_set_filetype (entry, AE_IFREG);
  archive_entry_set_perm (entry, 0644);
  g_assert_cmpint (archive_write_header (a, entry), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_data (a, data, size), ==, (la_ssize_t) size);
  archive_entry_free (entry);
}

static void
add_zip_file (struct archive *a,
              const char     *name,
              const char     *path)
{
  g_autofree char *contents = NULL;
  gsize size;

  g_assert_true (g_file_get_contents (path, &contents, &size, NULL));
  add_zip_member (a, name, contents, size);
}

static struct archive *
zip_begin (const char *path)
{
  struct archive *a = archive_write_new ();

  g_assert_cmpint (archive_write_set_format_zip (a), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_open_filename (a, path), ==, ARCHIVE_OK);
  return a;
}

static void
zip_end (struct archive *a)
{
  g_assert_cmpint (archive_write_close (a), ==, ARCHIVE_OK);
  archive_write_free (a);
}

static int
compare_strptr (gconstpointer a,
                gconstpointer b)
{
  return g_strcmp0 (*(const char **) a, *(const char **) b);
}

/* Sorted SOP Instance UIDs of every instance. */
static GPtrArray *
list_sop_uids (LacunaCollection *collection)
{
  g_autoptr(GListModel) all = lacuna_collection_list_series (collection);
  GPtrArray *uids = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < g_list_model_get_n_items (all); i++)
    {
      g_autoptr(LacunaSeries) series = g_list_model_get_item (all, i);

      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (series)); j++)
        g_ptr_array_add (uids, g_strdup (lacuna_instance_get_sop_instance_uid (
          lacuna_series_get_instance (series, j))));
    }
  g_ptr_array_sort (uids, compare_strptr);
  return uids;
}

static void
print_problems (LacunaCollection *collection)
{
  GPtrArray *problems = lacuna_collection_get_problems (collection);

  for (guint i = 0; i < problems->len; i++)
    {
      LacunaProblem *problem = g_ptr_array_index (problems, i);

      g_test_message ("%s: %s: %s (%s %d)",
                      problem->kind == LACUNA_PROBLEM_SKIPPED ? "skipped" : "failed",
                      problem->path, problem->error->message,
                      g_quark_to_string (problem->error->domain), problem->error->code);
    }
}

static gboolean
has_problem (LacunaCollection  *collection,
             LacunaProblemKind  kind,
             const char        *path_suffix,
             GQuark             domain,
             int                code)
{
  GPtrArray *problems = lacuna_collection_get_problems (collection);

  for (guint i = 0; i < problems->len; i++)
    {
      LacunaProblem *problem = g_ptr_array_index (problems, i);

      if (problem->kind == kind && g_str_has_suffix (problem->path, path_suffix) &&
          (domain == 0 || g_error_matches (problem->error, domain, code)))
        return TRUE;
    }
  return FALSE;
}

static LacunaDicomFile *
make_dataset (const char *sop_uid,
              const char *instance_number,
              const char *position,
              const char *orientation)
{
  LacunaDicomFile *file = lacuna_dicom_file_new ();
  g_autoptr(GError) error = NULL;

  lacuna_dicom_file_set_string (file, "00080016", "UI", "1.2.840.10008.5.1.4.1.1.2", &error);
  g_assert_no_error (error);
  lacuna_dicom_file_set_string (file, "00080018", "UI", sop_uid, &error);
  g_assert_no_error (error);
  lacuna_dicom_file_set_string (file, "0020000D", "UI", "1.2.3.4", &error);
  g_assert_no_error (error);
  lacuna_dicom_file_set_string (file, "0020000E", "UI", "1.2.3.4.5", &error);
  g_assert_no_error (error);
  lacuna_dicom_file_set_string (file, "00100010", "PN", "Test^Patient", &error);
  g_assert_no_error (error);
  lacuna_dicom_file_set_string (file, "00100020", "LO", "TEST-1", &error);
  g_assert_no_error (error);
  if (instance_number != NULL)
    {
      lacuna_dicom_file_set_string (file, "00200013", "IS", instance_number, &error);
      g_assert_no_error (error);
    }
  if (position != NULL)
    {
      lacuna_dicom_file_set_string (file, "00200032", "DS", position, &error);
      g_assert_no_error (error);
    }
  if (orientation != NULL)
    {
      lacuna_dicom_file_set_string (file, "00200037", "DS", orientation, &error);
      g_assert_no_error (error);
    }
  return file;
}

static LacunaInstance *
make_instance (const char *sop_uid,
               const char *instance_number,
               const char *position,
               const char *orientation)
{
  g_autoptr(LacunaDicomFile) file = make_dataset (sop_uid, instance_number, position, orientation);

  return lacuna_instance_new_from_file (file, "/nonexistent/synthetic", NULL);
}

/* ---------------------------------------------------------------------------------------- */
/* Model types                                                                              */

/* Instances of one series share the block of their series' strings; an instance whose
 * series differs in any one of them gets its own block; every value reads back as it was
 * set, and a block outlives the first instance released (the pool counts references). */
static void
test_instance_shared_strings (void)
{
  g_autoptr(LacunaInstance) a = make_instance ("1.2.3.4.5.1", "1", NULL, NULL);
  g_autoptr(LacunaInstance) b = make_instance ("1.2.3.4.5.2", "2", NULL, NULL);
  g_autoptr(LacunaDicomFile) file = make_dataset ("1.2.3.4.5.3", "3", NULL, NULL);
  g_autoptr(LacunaInstance) c = NULL;
  g_autoptr(GError) error = NULL;
  const char *series_uid;

  g_assert_cmpstr (lacuna_instance_get_sop_instance_uid (a), ==, "1.2.3.4.5.1");
  g_assert_cmpstr (lacuna_instance_get_sop_instance_uid (b), ==, "1.2.3.4.5.2");
  g_assert_cmpstr (lacuna_instance_get_series_uid (a), ==, "1.2.3.4.5");
  g_assert_cmpstr (lacuna_instance_get_patient_name (b), ==, "Test^Patient");
  g_assert_true (lacuna_instance_get_series_uid (a) == lacuna_instance_get_series_uid (b));
  g_assert_true (lacuna_instance_get_patient_id (a) == lacuna_instance_get_patient_id (b));

  /* The same series but another patient ID: not shared. */
  lacuna_dicom_file_set_string (file, "00100020", "LO", "TEST-2", &error);
  g_assert_no_error (error);
  c = lacuna_instance_new_from_file (file, "/nonexistent/other", NULL);
  g_assert_cmpstr (lacuna_instance_get_patient_id (c), ==, "TEST-2");
  g_assert_cmpstr (lacuna_instance_get_patient_id (a), ==, "TEST-1");
  g_assert_true (lacuna_instance_get_series_uid (c) != lacuna_instance_get_series_uid (a));
  g_assert_cmpstr (lacuna_instance_get_series_uid (c), ==, "1.2.3.4.5");
  g_assert_cmpstr (lacuna_instance_get_source (c), ==, "/nonexistent/other");

  series_uid = lacuna_instance_get_series_uid (b);
  g_clear_object (&a);
  g_assert_cmpstr (lacuna_instance_get_series_uid (b), ==, "1.2.3.4.5");
  g_assert_true (lacuna_instance_get_series_uid (b) == series_uid);
  g_assert_cmpstr (lacuna_instance_get_study_uid (b), ==, "1.2.3.4");
}

static void
test_instance_new_destroy (void)
{
  g_autofree char *path = lacuna_test_dup_testdata (GE_TILT "/05.dcm");
  g_autoptr(LacunaDicomFile) file = NULL;
  g_autoptr(GPtrArray) sop = NULL;
  g_autoptr(GPtrArray) pos = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *display = NULL;
  LacunaInstance *instance;
  double position[3], expected[3], orientation[6], normal[3];

  if (path == NULL || !lacuna_test_require_program ("dcmdump", "dcmtk"))
    return;

  file = lacuna_dicom_file_open (path, LACUNA_DICOM_OPEN_HEADER_ONLY, &error);
  g_assert_no_error (error);
  instance = lacuna_instance_new_from_file (file, path, NULL);

  sop = dcmdump_values (path, "0008,0018");
  pos = dcmdump_values (path, "0020,0032");
  rows = dcmdump_values (path, "0028,0010");
  g_assert_cmpuint (sop->len, ==, 1);
  g_assert_cmpuint (rows->len, ==, 1);
  g_assert_cmpstr (lacuna_instance_get_sop_instance_uid (instance), ==, g_ptr_array_index (sop, 0));
  g_assert_cmpstr (lacuna_instance_get_source (instance), ==, path);
  g_assert_null (lacuna_instance_get_archive_member (instance));
  display = lacuna_instance_dup_display_name (instance);
  g_assert_cmpstr (display, ==, "05.dcm");
  g_assert_cmpstr (lacuna_instance_get_modality (instance), ==, "CT");
  g_assert_true (lacuna_instance_has_pixels (instance));
  g_assert_cmpuint (lacuna_instance_get_n_frames (instance), ==, 1);
  g_assert_cmpuint (lacuna_instance_get_rows (instance), ==,
                    (guint) atoi (g_ptr_array_index (rows, 0)));
  g_assert_true (lacuna_instance_get_position (instance, position));
  g_assert_true (_lacuna_parse_ds (g_ptr_array_index (pos, 0), expected, 3));
  for (guint i = 0; i < 3; i++)
    g_assert_cmpfloat_with_epsilon (position[i], expected[i], 1e-9);
  g_assert_true (lacuna_instance_get_orientation (instance, orientation));
  g_assert_true (lacuna_instance_get_normal (instance, normal));
  g_assert_cmpfloat_with_epsilon (normal[0] * normal[0] + normal[1] * normal[1] +
                                  normal[2] * normal[2], 1.0, 1e-9);

  g_assert_finalize_object (instance);
}

static void
test_parse_ds (void)
{
  double v[6];

  g_assert_true (_lacuna_parse_ds ("1\\-2.5\\3e1", v, 3));
  g_assert_cmpfloat (v[0], ==, 1.0);
  g_assert_cmpfloat (v[1], ==, -2.5);
  g_assert_cmpfloat (v[2], ==, 30.0);
  g_assert_true (_lacuna_parse_ds (" 1 \\ 0\\0\\0\\1\\0 ", v, 6));
  g_assert_false (_lacuna_parse_ds ("1\\2", v, 3));
  g_assert_false (_lacuna_parse_ds ("1\\2\\3\\4", v, 3));
  g_assert_false (_lacuna_parse_ds ("1\\x\\3", v, 3));
  g_assert_false (_lacuna_parse_ds ("1\\\\3", v, 3));
  g_assert_false (_lacuna_parse_ds ("1\\nan\\3", v, 3));
  g_assert_false (_lacuna_parse_ds (NULL, v, 3));
}

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  guint      *count)
{
  (*count)++;
}

static void
test_series_sort (void)
{
  const char *orientation = "1\\0\\0\\0\\1\\0";   /* axial: normal +z */
  LacunaSeries *series = lacuna_series_new ("1.2.3.4.5");
  g_autoptr(LacunaInstance) a = make_instance ("1.1", "1", "0\\0\\-10", orientation);
  g_autoptr(LacunaInstance) b = make_instance ("1.2", "8", "0\\0\\20", orientation);
  g_autoptr(LacunaInstance) c = make_instance ("1.3", "2", "0\\0\\5", orientation);
  g_autoptr(LacunaInstance) d = make_instance ("1.4", "9", NULL, NULL);          /* no geometry */
  g_autoptr(LacunaInstance) e = make_instance ("1.5", "4", NULL, NULL);          /* no geometry */
  g_autoptr(LacunaInstance) f = make_instance ("1.6", "7", "0\\0\\5", orientation); /* tie on c */
  LacunaInstance *expected[] = { a, c, f, b, e, d };
  guint changes = 0;

  g_signal_connect (series, "items-changed", G_CALLBACK (items_changed_cb), &changes);
  lacuna_series_add (series, d);
  lacuna_series_add (series, b);
  lacuna_series_add (series, e);
  lacuna_series_add (series, f);
  lacuna_series_add (series, a);
  lacuna_series_add (series, c);
  g_assert_cmpuint (changes, ==, 6);
  g_assert_cmpuint (g_list_model_get_item_type (G_LIST_MODEL (series)), ==, LACUNA_TYPE_INSTANCE);

  lacuna_series_sort (series);
  g_assert_cmpuint (changes, ==, 7);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (series)), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_true (lacuna_series_get_instance (series, i) == expected[i]);
  g_assert_null (lacuna_series_get_instance (series, 99));
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (series), 99));

  /* Sorting a sorted series changes nothing and says nothing. */
  lacuna_series_sort (series);
  g_assert_cmpuint (changes, ==, 7);

  g_signal_handlers_disconnect_by_data (series, &changes);
  g_assert_finalize_object (series);
}

/* Numbered against the normal (head to feet, with +z towards the head): the order follows
 * the numbers, still by position. */
static void
test_series_sort_direction (void)
{
  const char *orientation = "1\\0\\0\\0\\1\\0";
  LacunaSeries *series = lacuna_series_new ("1.2.3.4.6");
  g_autoptr(LacunaInstance) low = make_instance ("2.1", "3", "0\\0\\0", orientation);
  g_autoptr(LacunaInstance) mid = make_instance ("2.2", "2", "0\\0\\10", orientation);
  g_autoptr(LacunaInstance) high = make_instance ("2.3", "1", "0\\0\\20", orientation);
  g_autoptr(LacunaInstance) stray = make_instance ("2.4", "9", "0\\0\\15", orientation);
  LacunaInstance *expected[] = { high, stray, mid, low };

  lacuna_series_add (series, low);
  lacuna_series_add (series, stray);
  lacuna_series_add (series, high);
  lacuna_series_add (series, mid);
  lacuna_series_sort (series);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_true (lacuna_series_get_instance (series, i) == expected[i]);
  g_assert_finalize_object (series);
}

static void
test_series_new_destroy (void)
{
  LacunaSeries *series = lacuna_series_new ("1.2.3");
  g_autofree char *uid = NULL;

  g_object_get (series, "uid", &uid, NULL);
  g_assert_cmpstr (uid, ==, "1.2.3");
  g_assert_cmpstr (lacuna_series_get_modality (series), ==, "");
  g_assert_cmpint (lacuna_series_get_number (series), ==, G_MININT);
  g_assert_cmpuint (lacuna_series_get_n_frames (series), ==, 0);
  g_assert_finalize_object (series);
}

static void
test_study_new_destroy (void)
{
  LacunaStudy *study = lacuna_study_new ("1.2.3");
  LacunaSeries *series;

  series = lacuna_study_ensure_series (study, "1.2.3.1");
  g_assert_true (lacuna_study_ensure_series (study, "1.2.3.1") == series);
  g_assert_true (lacuna_study_find_series (study, "1.2.3.1") == series);
  g_assert_null (lacuna_study_find_series (study, "1.2.3.2"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (study)), ==, 1);
  g_assert_cmpstr (lacuna_study_get_date (study), ==, "");
  g_object_add_weak_pointer (G_OBJECT (series), (gpointer *) &series);
  g_assert_finalize_object (study);
  g_assert_null (series);
}

static void
test_patient_new_destroy (void)
{
  LacunaPatient *patient = lacuna_patient_new ("ID1", "Test^Name");
  LacunaStudy *study = lacuna_patient_ensure_study (patient, "1.2");

  g_assert_true (lacuna_patient_ensure_study (patient, "1.2") == study);
  g_assert_true (lacuna_patient_find_study (patient, "1.2") == study);
  g_assert_cmpstr (lacuna_patient_get_id (patient), ==, "ID1");
  g_assert_cmpstr (lacuna_patient_get_name (patient), ==, "Test^Name");
  g_object_add_weak_pointer (G_OBJECT (study), (gpointer *) &study);
  g_assert_finalize_object (patient);
  g_assert_null (study);
}

static void
test_collection_new_destroy (void)
{
  LacunaCollection *collection = lacuna_collection_new ();
  g_autoptr(LacunaInstance) a = make_instance ("1.1", "1", NULL, NULL);
  g_autoptr(LacunaInstance) again = make_instance ("1.1", "2", NULL, NULL);
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "test");

  lacuna_collection_add_instance (collection, a);
  lacuna_collection_add_instance (collection, again);  /* same SOP Instance UID */
  lacuna_collection_add_problem (collection, LACUNA_PROBLEM_FAILED, "/x", error);
  lacuna_collection_sort (collection);

  g_assert_cmpuint (lacuna_collection_get_n_instances (collection), ==, 1);
  g_assert_true (lacuna_collection_find_instance (collection, "1.1") == a);
  g_assert_cmpuint (lacuna_collection_count_problems (collection, LACUNA_PROBLEM_SKIPPED), ==, 1);
  g_assert_cmpuint (lacuna_collection_count_problems (collection, LACUNA_PROBLEM_FAILED), ==, 1);
  g_assert_true (has_problem (collection, LACUNA_PROBLEM_SKIPPED, "synthetic",
                              G_IO_ERROR, G_IO_ERROR_EXISTS));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (collection)), ==, 1);
  g_assert_finalize_object (collection);
}

static void
test_loader_new_destroy (void)
{
  const char *paths[] = { "/a", "/b", NULL };
  LacunaLoader *loader = lacuna_loader_new (paths);
  g_auto(GStrv) got = NULL;

  g_object_get (loader, "paths", &got, NULL);
  g_assert_cmpstrv (got, paths);
  g_assert_cmpuint (lacuna_loader_get_n_total (loader), ==, 0);
  g_assert_finalize_object (loader);
}

/* ---------------------------------------------------------------------------------------- */
/* DICOMDIR                                                                                 */

static void
check_dicomdir (const char *relative)
{
  g_autofree char *path = lacuna_test_dup_testdata (relative);
  g_autoptr(LacunaCollection) collection = NULL;
  Counts expected, got;

  if (path == NULL)
    return;
  expected = dicomdir_record_counts (path);
  g_assert_cmpuint (expected.instances, >, 0);
  collection = load_one (path);
  got = count_tree (collection);
  g_test_message ("%s: %u patients, %u studies, %u series, %u instances", relative,
                  got.patients, got.studies, got.series, got.instances);
  assert_counts_equal (got, expected);
  g_assert_cmpuint (lacuna_collection_get_n_instances (collection), ==, expected.instances);
  g_assert_cmpuint (lacuna_collection_get_problems (collection)->len, ==, 0);
}

static void
test_dicomdir_records (void)
{
  if (!lacuna_test_get_testdata () || !lacuna_test_require_program ("dcmdump", "dcmtk"))
    return;

  check_dicomdir (DICOMDIR_TESTS "/DICOMDIR");
  check_dicomdir (DICOMDIR_TESTS "/TINY_ALPHA/DICOMDIR");
  /* Variants of the same file set: DICOMDIRs under other names are recognised by their
   * SOP class and followed; big endian, implicit VR, reordered records, no offsets. */
  check_dicomdir (DICOMDIR_TESTS "/DICOMDIR-bigEnd");
  check_dicomdir (DICOMDIR_TESTS "/DICOMDIR-implicit");
  check_dicomdir (DICOMDIR_TESTS "/DICOMDIR-reordered");
  check_dicomdir (DICOMDIR_TESTS "/DICOMDIR-nooffset");
}

static void
test_dicomdir_no_patient_records (void)
{
  g_autofree char *path = lacuna_test_dup_testdata (DICOMDIR_TESTS "/DICOMDIR-nopatient");
  g_autoptr(LacunaCollection) collection = NULL;
  Counts expected;

  if (path == NULL || !lacuna_test_require_program ("dcmdump", "dcmtk"))
    return;
  /* The patient records have an invalid type: the files still say who they belong to. */
  expected = dicomdir_record_counts (path);
  g_assert_cmpuint (expected.patients, ==, 0);
  collection = load_one (path);
  g_assert_cmpuint (count_tree (collection).instances, ==, expected.instances);
  g_assert_cmpuint (count_tree (collection).series, ==, expected.series);
}

static void
test_dicomdir_folder (void)
{
  g_autofree char *dir = lacuna_test_dup_testdata (DICOMDIR_TESTS);
  g_autofree char *main_dir = NULL;
  g_autofree char *tiny = NULL;
  g_autoptr(LacunaCollection) collection = NULL;
  Counts a, b, got;

  if (dir == NULL || !lacuna_test_require_program ("dcmdump", "dcmtk"))
    return;

  /* The folder holds the 3-patient file set (DICOMDIR at its root, plus DICOMDIR variants
   * that are not instances) and the TINY_ALPHA file set below it. */
  main_dir = g_build_filename (dir, "DICOMDIR", NULL);
  tiny = g_build_filename (dir, "TINY_ALPHA", "DICOMDIR", NULL);
  a = dicomdir_record_counts (main_dir);
  b = dicomdir_record_counts (tiny);
  collection = load_one (dir);
  got = count_tree (collection);
  g_assert_cmpuint (got.patients, ==, a.patients + b.patients);
  g_assert_cmpuint (got.studies, ==, a.studies + b.studies);
  g_assert_cmpuint (got.series, ==, a.series + b.series);
  g_assert_cmpuint (got.instances, ==, a.instances + b.instances);
  /* README.txt and TINY_ALPHA/README are not DICOM; nothing failed. */
  g_assert_cmpuint (lacuna_collection_count_problems (collection, LACUNA_PROBLEM_FAILED), ==, 0);
  g_assert_cmpuint (lacuna_collection_count_problems (collection, LACUNA_PROBLEM_SKIPPED), ==, 2);
  g_assert_true (has_problem (collection, LACUNA_PROBLEM_SKIPPED, "/README.txt",
                              LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_NOT_DICOM));
  g_assert_true (has_problem (collection, LACUNA_PROBLEM_SKIPPED, "TINY_ALPHA/README",
                              LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_NOT_DICOM));
}

static void
test_dicomdir_case_insensitive (void)
{
  g_autofree char *src = lacuna_test_dup_testdata (DICOMDIR_TESTS "/TINY_ALPHA");
  g_autofree char *tmp = NULL;
  g_autofree char *root = NULL;
  g_autofree char *dicomdir = NULL;
  g_autofree char *victim = NULL;
  g_autofree char *extra_src = NULL;
  g_autofree char *extra = NULL;
  Counts expected;

  if (src == NULL || !lacuna_test_require_program ("dcmdump", "dcmtk"))
    return;

  tmp = lacuna_test_make_tmpdir ();
  root = g_build_filename (tmp, "cd", NULL);
  copy_tree_lowercase (src, root);
  dicomdir = g_build_filename (root, "dicomdir", NULL);
  g_assert_true (g_file_test (dicomdir, G_FILE_TEST_IS_REGULAR));
  expected = dicomdir_record_counts (dicomdir);
  g_assert_cmpuint (expected.instances, ==, 50);

  /* The DICOMDIR alone: its upper-case file IDs find the lower-case files. */
  {
    g_autoptr(LacunaCollection) collection = load_one (dicomdir);

    assert_counts_equal (count_tree (collection), expected);
    g_assert_cmpuint (lacuna_collection_get_problems (collection)->len, ==, 0);
  }
  /* The folder: the same, and the descriptor file README is not DICOM. */
  {
    g_autoptr(LacunaCollection) collection = load_one (root);

    assert_counts_equal (count_tree (collection), expected);
    g_assert_cmpuint (lacuna_collection_count_problems (collection, LACUNA_PROBLEM_FAILED), ==, 0);
    g_assert_cmpuint (lacuna_collection_count_problems (collection, LACUNA_PROBLEM_SKIPPED), ==, 1);
  }

  /* A DICOM file the DICOMDIR does not list: loaded with the folder, not with the
   * DICOMDIR alone. A listed file that is missing: a failure naming it. */
  extra_src = lacuna_test_dup_testdata (GE_TILT "/01.dcm");
  extra = g_build_filename (root, "pt000000", "extra.dcm", NULL);
  copy_file (extra_src, extra);
  victim = g_build_filename (root, "pt000000", "st000000", "se000000", "im000003", NULL);
  g_assert_cmpint (g_unlink (victim), ==, 0);
  {
    g_autoptr(LacunaCollection) collection = load_one (dicomdir);

    g_assert_cmpuint (lacuna_collection_get_n_instances (collection), ==, 49);
    g_assert_cmpuint (lacuna_collection_count_problems (collection, LACUNA_PROBLEM_FAILED), ==, 1);
    g_assert_true (has_problem (collection, LACUNA_PROBLEM_FAILED, "SE000000/IM000003",
                                LACUNA_LOAD_ERROR, LACUNA_LOAD_ERROR_DICOMDIR));
  }
  {
    g_autoptr(LacunaCollection) collection = load_one (root);

    g_assert_cmpuint (lacuna_collection_get_n_instances (collection), ==, 50);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (collection)), ==, 2);
    g_assert_cmpuint (lacuna_collection_count_problems (collection, LACUNA_PROBLEM_FAILED), ==, 1);
  }
}

/* ---------------------------------------------------------------------------------------- */
/* Folders                                                                                  */

static void
check_series_folder (const char *relative,
                     guint       n_expected)
{
  g_autofree char *dir = lacuna_test_dup_testdata (relative);
  g_autoptr(LacunaCollection) collection = NULL;
  g_autoptr(LacunaPatient) patient = NULL;
  g_autoptr(LacunaStudy) study = NULL;
  g_autoptr(LacunaSeries) series = NULL;
  g_autoptr(GPtrArray) files = NULL;
  double normal[3], previous = -INFINITY;
  int direction = 0;
  Counts got;

  if (dir == NULL)
    return;

  files = lacuna_test_list_files (dir);
  g_assert_cmpuint (files->len, ==, n_expected);
  collection = load_one (dir);
  got = count_tree (collection);
  g_assert_cmpuint (got.patients, ==, 1);
  g_assert_cmpuint (got.studies, ==, 1);
  g_assert_cmpuint (got.series, ==, 1);
  g_assert_cmpuint (got.instances, ==, n_expected);
  g_assert_cmpuint (lacuna_collection_get_problems (collection)->len, ==, 0);

  patient = g_list_model_get_item (G_LIST_MODEL (collection), 0);
  study = g_list_model_get_item (G_LIST_MODEL (patient), 0);
  series = g_list_model_get_item (G_LIST_MODEL (study), 0);
  g_assert_cmpuint (lacuna_series_get_n_frames (series), ==, n_expected);

  /* The normal computed here from the first slice's orientation; the loader's order must
   * put the positions along it in ascending order. */
  {
    double o[6];

    g_assert_true (lacuna_instance_get_orientation (lacuna_series_get_instance (series, 0), o));
    normal[0] = o[1] * o[5] - o[2] * o[4];
    normal[1] = o[2] * o[3] - o[0] * o[5];
    normal[2] = o[0] * o[4] - o[1] * o[3];
  }
  for (guint i = 0; i < n_expected; i++)
    {
      LacunaInstance *instance = lacuna_series_get_instance (series, i);
      g_autoptr(GPtrArray) pos = dcmdump_values (lacuna_instance_get_source (instance),
                                                 "0020,0032");
      double p[3], q[3], key;

      g_assert_true (lacuna_instance_get_position (instance, p));
      /* The position read back matches dcmdump's. */
      g_assert_cmpuint (pos->len, >=, 1);
      g_assert_true (_lacuna_parse_ds (g_ptr_array_index (pos, 0), q, 3));
      for (guint k = 0; k < 3; k++)
        g_assert_cmpfloat_with_epsilon (p[k], q[k], 1e-9);
      key = p[0] * normal[0] + p[1] * normal[1] + p[2] * normal[2];
      /* Monotonic along the normal, in one direction throughout (which one follows the
       * Instance Numbers: see lacuna_series_sort()). */
      if (i > 0 && direction == 0 && key != previous)
        direction = key > previous ? 1 : -1;
      if (direction > 0)
        g_assert_cmpfloat (key, >=, previous);
      else if (direction < 0)
        g_assert_cmpfloat (key, <=, previous);
      previous = key;
    }
}

static void
test_folder_ge_tilt (void)
{
  if (!lacuna_test_require_program ("dcmdump", "dcmtk"))
    return;
  check_series_folder (GE_TILT, 28);
}

static void
test_folder_mr_series (void)
{
  if (!lacuna_test_require_program ("dcmdump", "dcmtk"))
    return;
  check_series_folder (MR_SERIES, 26);
}

static void
test_folder_mixed (void)
{
  static const guint8 png[] = {
    0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
    0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0, 0x3a, 0x7e, 0x9b, 0x55, 0, 0, 0, 10, 'I', 'D', 'A',
    'T', 0x78, 0x9c, 0x63, 0x60, 0, 0, 0, 2, 0, 1, 0x48, 0xaf, 0xa4, 0x71, 0, 0, 0, 0, 'I',
    'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82,
  };
  g_autofree char *good1 = lacuna_test_dup_testdata (GE_TILT "/01.dcm");
  g_autofree char *good2 = lacuna_test_dup_testdata (GE_TILT "/02.dcm");
  g_autofree char *tmp = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(LacunaCollection) collection = NULL;
  g_autoptr(GError) error = NULL;
  gsize size;

  if (good1 == NULL || good2 == NULL)
    return;

  tmp = lacuna_test_make_tmpdir ();
  dir = g_build_filename (tmp, "mixed", "sub", NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_clear_pointer (&dir, g_free);
  dir = g_build_filename (tmp, "mixed", NULL);

  path = g_build_filename (dir, "notes.txt", NULL);
  g_file_set_contents (path, "This is not a DICOM file.\n", -1, &error);
  g_assert_no_error (error);
  g_clear_pointer (&path, g_free);
  path = g_build_filename (dir, "sub", "picture.png", NULL);
  g_file_set_contents (path, (const char *) png, sizeof png, &error);
  g_assert_no_error (error);
  g_clear_pointer (&path, g_free);

  /* A truncated DICOM file: a real one cut in the middle of its (0008,0018) value (the
   * file is explicit VR little endian). A file cut inside Pixel Data would still index:
   * its header is whole. */
  g_assert_true (g_file_get_contents (good1, &contents, &size, NULL));
  {
    const char *sop = NULL;
    gsize cut;

    for (gsize i = 0; sop == NULL && i + 8 <= size; i++)
      if (memcmp (contents + i, "\x08\x00\x18\x00UI", 6) == 0)
        sop = contents + i;
    g_assert_nonnull (sop);
    cut = (gsize) (sop - contents) + 8 + ((guint8) sop[6] | ((guint8) sop[7] << 8)) / 2;
    g_assert_cmpuint (cut, <, size);
    path = g_build_filename (dir, "sub", "truncated.dcm", NULL);
    g_file_set_contents (path, contents, (gssize) cut, &error);
  }
  g_assert_no_error (error);
  g_clear_pointer (&path, g_free);

  path = g_build_filename (dir, "a.dcm", NULL);
  copy_file (good1, path);
  g_clear_pointer (&path, g_free);
  path = g_build_filename (dir, "sub", "b.dcm", NULL);
  copy_file (good2, path);
  g_clear_pointer (&path, g_free);

  /* A symbolic link loop, and a second name for a.dcm: neither is taken twice. */
  path = g_build_filename (dir, "sub", "loop", NULL);
  g_assert_cmpint (symlink ("..", path), ==, 0);
  g_clear_pointer (&path, g_free);
  path = g_build_filename (dir, "sub", "link-to-a.dcm", NULL);
  g_assert_cmpint (symlink ("../a.dcm", path), ==, 0);
  g_clear_pointer (&path, g_free);

  collection = load_one (dir);
  print_problems (collection);
  g_assert_cmpuint (lacuna_collection_get_n_instances (collection), ==, 2);
  g_assert_cmpuint (lacuna_collection_count_problems (collection, LACUNA_PROBLEM_SKIPPED), ==, 2);
  g_assert_cmpuint (lacuna_collection_count_problems (collection, LACUNA_PROBLEM_FAILED), ==, 1);
  g_assert_true (has_problem (collection, LACUNA_PROBLEM_SKIPPED, "/notes.txt",
                              LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_NOT_DICOM));
  g_assert_true (has_problem (collection, LACUNA_PROBLEM_SKIPPED, "/picture.png",
                              LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_NOT_DICOM));
  g_assert_true (has_problem (collection, LACUNA_PROBLEM_FAILED, "/truncated.dcm",
                              LACUNA_DICOM_ERROR, 0) ||
                 has_problem (collection, LACUNA_PROBLEM_FAILED, "/truncated.dcm", 0, 0));
  {
    GPtrArray *problems = lacuna_collection_get_problems (collection);

    for (guint i = 0; i < problems->len; i++)
      {
        LacunaProblem *problem = g_ptr_array_index (problems, i);

        if (problem->kind == LACUNA_PROBLEM_FAILED)
          {
            g_assert_true (problem->error->domain == LACUNA_DICOM_ERROR);
            g_assert_false (g_error_matches (problem->error, LACUNA_DICOM_ERROR,
                                             LACUNA_DICOM_ERROR_NOT_DICOM));
          }
      }
  }
}

/* Pixel Data cut short: the header is indexed and shown, and the file is reported failed. */
static void
test_truncated_pixels (void)
{
  g_autofree char *path =
    lacuna_test_dup_testdata ("variety/pydicom_debian_test_files/MR_truncated.dcm");
  g_autoptr(LacunaCollection) collection = NULL;
  GPtrArray *problems;
  LacunaProblem *problem;

  if (path == NULL)
    return;
  collection = load_one (path);
  g_assert_cmpuint (lacuna_collection_get_n_instances (collection), ==, 1);
  problems = lacuna_collection_get_problems (collection);
  g_assert_cmpuint (problems->len, ==, 1);
  problem = g_ptr_array_index (problems, 0);
  g_assert_cmpint (problem->kind, ==, LACUNA_PROBLEM_FAILED);
  g_assert_error (problem->error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_PARSE);
}

static void
test_missing_paths (void)
{
  g_autofree char *good = lacuna_test_dup_testdata (GE_TILT "/03.dcm");
  g_autoptr(LacunaCollection) collection = NULL;
  g_autoptr(GError) error = NULL;
  const char *none[] = { "/nonexistent/lacuna/a", "/nonexistent/lacuna/b", NULL };
  const char *empty[] = { NULL };

  collection = load_paths (none, &error);
  g_assert_error (error, LACUNA_LOAD_ERROR, LACUNA_LOAD_ERROR_NOTHING_FOUND);
  g_assert_null (collection);
  g_clear_error (&error);

  collection = load_paths (empty, &error);
  g_assert_error (error, LACUNA_LOAD_ERROR, LACUNA_LOAD_ERROR_NOTHING_FOUND);
  g_assert_null (collection);
  g_clear_error (&error);

  if (good == NULL)
    return;
  {
    const char *some[] = { "/nonexistent/lacuna/a", good, good, NULL };

    collection = load_paths (some, &error);
    g_assert_no_error (error);
    /* The same file twice counts once. */
    g_assert_cmpuint (lacuna_collection_get_n_instances (collection), ==, 1);
    g_assert_cmpuint (lacuna_collection_count_problems (collection, LACUNA_PROBLEM_FAILED), ==, 1);
    g_assert_true (has_problem (collection, LACUNA_PROBLEM_FAILED, "/nonexistent/lacuna/a",
                                G_IO_ERROR, G_IO_ERROR_NOT_FOUND));
  }
}

static void
test_duplicates (void)
{
  g_autofree char *good = lacuna_test_dup_testdata (GE_TILT "/04.dcm");
  g_autofree char *tmp = NULL;
  g_autofree char *copy1 = NULL;
  g_autofree char *copy2 = NULL;
  g_autoptr(LacunaCollection) collection = NULL;
  LacunaProblem *problem;

  if (good == NULL)
    return;
  tmp = lacuna_test_make_tmpdir ();
  copy1 = g_build_filename (tmp, "1.dcm", NULL);
  copy2 = g_build_filename (tmp, "2.dcm", NULL);
  copy_file (good, copy1);
  copy_file (good, copy2);

  collection = load_one (tmp);
  g_assert_cmpuint (lacuna_collection_get_n_instances (collection), ==, 1);
  g_assert_cmpuint (lacuna_collection_get_problems (collection)->len, ==, 1);
  problem = g_ptr_array_index (lacuna_collection_get_problems (collection), 0);
  g_assert_cmpint (problem->kind, ==, LACUNA_PROBLEM_SKIPPED);
  /* Deterministic: the first in name order is kept. */
  g_assert_true (g_str_has_suffix (problem->path, "/2.dcm"));
}

/* ---------------------------------------------------------------------------------------- */
/* Archives                                                                                 */

static LacunaDicomWalkResult
collect_element (const LacunaDicomElement *element,
                 gpointer                  user_data)
{
  GPtrArray *out = user_data;

  g_ptr_array_add (out, g_strdup_printf ("%s %s %u %s", element->path, element->vr,
                                         element->length,
                                         element->value ? element->value : "-"));
  return LACUNA_DICOM_WALK_CONTINUE;
}

static void
assert_same_objects (LacunaDicomFile *a,
                     LacunaDicomFile *b)
{
  g_autoptr(GPtrArray) ea = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) eb = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GBytes) pa = NULL;
  g_autoptr(GBytes) pb = NULL;
  g_autoptr(GError) error = NULL;

  lacuna_dicom_file_walk (a, FALSE, collect_element, ea);
  lacuna_dicom_file_walk (b, FALSE, collect_element, eb);
  g_assert_cmpuint (ea->len, >, 10);
  g_assert_cmpuint (ea->len, ==, eb->len);
  for (guint i = 0; i < ea->len; i++)
    g_assert_cmpstr (g_ptr_array_index (ea, i), ==, g_ptr_array_index (eb, i));

  pa = lacuna_dicom_file_dup_bytes (a, "7FE00010", &error);
  g_assert_no_error (error);
  pb = lacuna_dicom_file_dup_bytes (b, "7FE00010", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (pa), >, 0);
  g_assert_true (g_bytes_equal (pa, pb));
}

static void
test_zip (void)
{
  g_autofree char *dir = lacuna_test_dup_testdata (GE_TILT);
  g_autofree char *tmp = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *zip = NULL;
  g_autoptr(LacunaCollection) from_folder = NULL;
  g_autoptr(LacunaCollection) from_zip = NULL;
  g_autoptr(GPtrArray) uids_folder = NULL;
  g_autoptr(GPtrArray) uids_zip = NULL;
  g_autoptr(GListModel) all = NULL;
  g_autoptr(LacunaSeries) series = NULL;
  g_autoptr(GError) error = NULL;
  struct archive *a;
  const char *names[] = { "07.dcm", "08.dcm", "09.dcm", "10.dcm" };
  guint checked = 0;

  if (dir == NULL)
    return;

  tmp = lacuna_test_make_tmpdir ();
  folder = g_build_filename (tmp, "plain", NULL);
  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  zip = g_build_filename (tmp, "study.ZIP", NULL);
  a = zip_begin (zip);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *src = g_build_filename (dir, names[i], NULL);
      g_autofree char *dst = g_build_filename (folder, names[i], NULL);
      /* Nested folders inside the archive. */
      g_autofree char *member = g_strdup_printf ("export/%s/%s", i % 2 ? "b" : "a", names[i]);

      copy_file (src, dst);
      add_zip_file (a, member, src);
    }
  add_zip_member (a, "export/readme.txt", "Not DICOM\n", 10);
  zip_end (a);

  from_folder = load_one (folder);
  from_zip = load_one (zip);
  uids_folder = list_sop_uids (from_folder);
  uids_zip = list_sop_uids (from_zip);
  g_assert_cmpuint (uids_folder->len, ==, G_N_ELEMENTS (names));
  g_assert_cmpuint (uids_zip->len, ==, uids_folder->len);
  for (guint i = 0; i < uids_zip->len; i++)
    g_assert_cmpstr (g_ptr_array_index (uids_zip, i), ==, g_ptr_array_index (uids_folder, i));
  assert_counts_equal (count_tree (from_zip), count_tree (from_folder));
  g_assert_cmpuint (lacuna_collection_count_problems (from_zip, LACUNA_PROBLEM_SKIPPED), ==, 1);
  g_assert_true (has_problem (from_zip, LACUNA_PROBLEM_SKIPPED, "study.ZIP › export/readme.txt",
                              LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_NOT_DICOM));
  g_assert_cmpuint (lacuna_collection_count_problems (from_zip, LACUNA_PROBLEM_FAILED), ==, 0);

  /* Opening a member again gives the same object as the original file. */
  all = lacuna_collection_list_series (from_zip);
  series = g_list_model_get_item (all, 0);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (series)); i++)
    {
      LacunaInstance *instance = lacuna_series_get_instance (series, i);
      const char *member = lacuna_instance_get_archive_member (instance);
      g_autofree char *base = NULL;
      g_autofree char *original = NULL;
      g_autofree char *display = NULL;
      g_autoptr(LacunaDicomFile) zipped = NULL;
      g_autoptr(LacunaDicomFile) plain = NULL;

      g_assert_nonnull (member);
      g_assert_cmpstr (lacuna_instance_get_source (instance), ==, zip);
      display = lacuna_instance_dup_display_name (instance);
      g_assert_true (g_str_has_prefix (display, "study.ZIP › export/"));
      base = g_path_get_basename (member);
      original = g_build_filename (dir, base, NULL);
      zipped = lacuna_instance_open (instance, &error);
      g_assert_no_error (error);
      plain = lacuna_dicom_file_open (original, LACUNA_DICOM_OPEN_DEFAULT, &error);
      g_assert_no_error (error);
      assert_same_objects (zipped, plain);
      checked++;
    }
  g_assert_cmpuint (checked, ==, G_N_ELEMENTS (names));
}

static void
test_zip_dicomdir (void)
{
  g_autofree char *src = lacuna_test_dup_testdata (DICOMDIR_TESTS "/TINY_ALPHA");
  g_autofree char *tmp = NULL;
  g_autofree char *zip_full = NULL;
  g_autofree char *zip_partial = NULL;
  g_autoptr(GPtrArray) files = NULL;
  struct archive *full, *partial;

  if (src == NULL)
    return;

  tmp = lacuna_test_make_tmpdir ();
  zip_full = g_build_filename (tmp, "cd.zip", NULL);
  zip_partial = g_build_filename (tmp, "partial.zip", NULL);
  files = lacuna_test_list_files (src);
  full = zip_begin (zip_full);
  partial = zip_begin (zip_partial);
  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);
      g_autofree char *member = g_strconcat ("tiny/", path + strlen (src) + 1, NULL);
      g_autofree char *lower = g_ascii_strdown (member, -1);

      add_zip_file (full, member, path);
      /* Lower-case names, and one listed file left out. */
      if (!g_str_has_suffix (member, "IM00000A"))
        add_zip_file (partial, lower, path);
    }
  zip_end (full);
  zip_end (partial);

  {
    g_autoptr(LacunaCollection) collection = load_one (zip_full);

    g_assert_cmpuint (lacuna_collection_get_n_instances (collection), ==, 50);
    g_assert_cmpuint (lacuna_collection_count_problems (collection, LACUNA_PROBLEM_FAILED), ==, 0);
    /* README is the only non-DICOM member; the DICOMDIR is not an instance. */
    g_assert_cmpuint (lacuna_collection_count_problems (collection, LACUNA_PROBLEM_SKIPPED), ==, 1);
  }
  {
    g_autoptr(LacunaCollection) collection = load_one (zip_partial);

    g_assert_cmpuint (lacuna_collection_get_n_instances (collection), ==, 49);
    g_assert_cmpuint (lacuna_collection_count_problems (collection, LACUNA_PROBLEM_FAILED), ==, 1);
    g_assert_true (has_problem (collection, LACUNA_PROBLEM_FAILED, "partial.zip › tiny/PT000000/"
                                "ST000000/SE000000/IM00000A",
                                LACUNA_LOAD_ERROR, LACUNA_LOAD_ERROR_DICOMDIR));
  }
}

static void
test_zip_broken (void)
{
  g_autofree char *tmp = lacuna_test_make_tmpdir ();
  g_autofree char *zip = g_build_filename (tmp, "broken.zip", NULL);
  g_autoptr(LacunaCollection) collection = NULL;
  g_autoptr(GError) error = NULL;

  g_file_set_contents (zip, "PK\x03\x04 this is not really a zip archive", -1, &error);
  g_assert_no_error (error);
  collection = load_one (zip);
  g_assert_cmpuint (lacuna_collection_get_n_instances (collection), ==, 0);
  g_assert_true (has_problem (collection, LACUNA_PROBLEM_FAILED, "broken.zip",
                              LACUNA_LOAD_ERROR, LACUNA_LOAD_ERROR_ARCHIVE));
}

/* ---------------------------------------------------------------------------------------- */
/* Cancellation, first image, async                                                         */

static void
test_cancelled (void)
{
  g_autofree char *dir = lacuna_test_dup_testdata (GE_TILT);
  const char *paths[] = { dir, NULL };
  g_autoptr(LacunaLoader) loader = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(LacunaCollection) collection = NULL;
  g_autoptr(GError) error = NULL;

  if (dir == NULL)
    return;
  loader = lacuna_loader_new (paths);
  g_cancellable_cancel (cancellable);
  collection = lacuna_loader_load (loader, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (collection);
}

typedef struct
{
  int             calls;      /* atomic */
  LacunaInstance *first;
  GCancellable   *cancel;
  int             destroyed;
} FirstImage;

static void
first_image_cb (LacunaInstance *instance,
                gpointer        user_data)
{
  FirstImage *fi = user_data;

  if (g_atomic_int_add (&fi->calls, 1) == 0)
    fi->first = g_object_ref (instance);
  if (fi->cancel != NULL)
    g_cancellable_cancel (fi->cancel);
}

static void
test_cancel_during_load (void)
{
  g_autofree char *dir = lacuna_test_dup_testdata (GE_TILT);
  const char *paths[] = { dir, NULL };
  g_autoptr(LacunaLoader) loader = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(LacunaCollection) collection = NULL;
  g_autoptr(GError) error = NULL;
  FirstImage fi = { 0, NULL, cancellable };

  if (dir == NULL)
    return;
  loader = lacuna_loader_new (paths);
  lacuna_loader_set_first_image_func (loader, first_image_cb, &fi, NULL);
  collection = lacuna_loader_load (loader, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (collection);
  g_assert_cmpint (fi.calls, ==, 1);
  g_clear_object (&fi.first);
}

typedef struct
{
  GMutex      lock;
  GHashTable *seen;   /* SOP Instance UID → the UID the open file holds */
  guint       calls;
} FileCalls;

static void
file_cb (LacunaInstance  *instance,
         LacunaDicomFile *file,
         gpointer         user_data)
{
  FileCalls *fc = user_data;
  char *uid = lacuna_dicom_file_dup_string (file, "00080018", NULL);

  g_mutex_lock (&fc->lock);
  fc->calls++;
  g_hash_table_insert (fc->seen, g_strdup (lacuna_instance_get_sop_instance_uid (instance)), uid);
  g_mutex_unlock (&fc->lock);
}

/* The file function sees every instance once, with that instance's own header open. */
static void
test_file_func (void)
{
  g_autofree char *ge = lacuna_test_dup_testdata (GE_TILT);
  const char *paths[] = { ge, NULL };
  g_autoptr(LacunaLoader) loader = NULL;
  g_autoptr(LacunaCollection) collection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  FileCalls fc = { .seen = seen };
  GHashTableIter iter;
  gpointer key, value;

  if (ge == NULL)
    return;
  g_mutex_init (&fc.lock);
  loader = lacuna_loader_new (paths);
  lacuna_loader_set_file_func (loader, file_cb, &fc);
  collection = lacuna_loader_load (loader, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lacuna_collection_get_n_instances (collection), >, 1);
  g_assert_cmpuint (fc.calls, ==, lacuna_collection_get_n_instances (collection));
  g_assert_cmpuint (g_hash_table_size (seen), ==, fc.calls);
  g_hash_table_iter_init (&iter, seen);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_assert_cmpstr (key, ==, value);
      g_assert_nonnull (lacuna_collection_find_instance (collection, key));
    }
  g_mutex_clear (&fc.lock);
}

static void
destroy_count (gpointer data)
{
  ((FirstImage *) data)->destroyed++;
}

static void
test_first_image (void)
{
  g_autofree char *dir = lacuna_test_dup_testdata (DICOMDIR_TESTS "/TINY_ALPHA");
  g_autofree char *ge = lacuna_test_dup_testdata (GE_TILT);
  const char *paths[] = { dir, ge, NULL };
  LacunaLoader *loader;
  g_autoptr(LacunaCollection) collection = NULL;
  g_autoptr(GError) error = NULL;
  FirstImage fi = { 0, };

  if (dir == NULL || ge == NULL)
    return;
  loader = lacuna_loader_new (paths);
  lacuna_loader_set_first_image_func (loader, first_image_cb, &fi, NULL);
  /* Replacing the function destroys the old data (here none); the last one at finalize. */
  lacuna_loader_set_first_image_func (loader, first_image_cb, &fi, destroy_count);
  g_assert_cmpint (fi.destroyed, ==, 0);
  collection = lacuna_loader_load (loader, NULL, &error);
  g_assert_no_error (error);
  /* TINY_ALPHA's 50 objects have no pixels: the first image is one of the CT slices. */
  g_assert_cmpint (fi.calls, ==, 1);
  g_assert_nonnull (fi.first);
  g_assert_true (lacuna_instance_has_pixels (fi.first));
  g_assert_true (g_str_has_prefix (lacuna_instance_get_source (fi.first), ge));
  g_assert_true (lacuna_collection_find_instance (collection,
                                                  lacuna_instance_get_sop_instance_uid (fi.first))
                 == fi.first);
  g_assert_cmpuint (lacuna_loader_get_n_total (loader), ==, 50 + 1 + 28);  /* + README */
  g_assert_cmpuint (lacuna_loader_get_n_done (loader), ==, lacuna_loader_get_n_total (loader));
  g_clear_object (&fi.first);
  g_assert_finalize_object (loader);
  g_assert_cmpint (fi.destroyed, ==, 1);
}

static void
async_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  LacunaCollection **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = lacuna_loader_load_finish (LACUNA_LOADER (source), result, &error);
  g_assert_no_error (error);
}

static void
test_async (void)
{
  g_autofree char *dir = lacuna_test_dup_testdata (GE_TILT);
  const char *paths[] = { dir, NULL };
  g_autoptr(LacunaLoader) loader = NULL;
  LacunaCollection *collection = NULL;

  if (dir == NULL)
    return;
  loader = lacuna_loader_new (paths);
  lacuna_loader_load_async (loader, NULL, async_done_cb, &collection);
  while (collection == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (lacuna_collection_get_n_instances (collection), ==, 28);
  g_assert_finalize_object (collection);
}

static void
test_deterministic (void)
{
  g_autofree char *dir = lacuna_test_dup_testdata (DICOMDIR_TESTS);
  g_autoptr(GString) first = NULL;

  if (dir == NULL)
    return;
  /* Same input, same tree and problem list, whatever the threads did. */
  for (guint round = 0; round < 3; round++)
    {
      g_autoptr(LacunaCollection) collection = load_one (dir);
      g_autoptr(GListModel) all = lacuna_collection_list_series (collection);
      GPtrArray *problems = lacuna_collection_get_problems (collection);
      g_autoptr(GString) text = g_string_new (NULL);

      for (guint i = 0; i < g_list_model_get_n_items (all); i++)
        {
          g_autoptr(LacunaSeries) series = g_list_model_get_item (all, i);

          for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (series)); j++)
            g_string_append_printf (text, "%s\n",
                                    lacuna_instance_get_source (lacuna_series_get_instance (series, j)));
        }
      for (guint i = 0; i < problems->len; i++)
        g_string_append_printf (text, "%s\n", ((LacunaProblem *) g_ptr_array_index (problems, i))->path);
      if (first == NULL)
        first = g_string_new (text->str);
      else
        g_assert_cmpstr (text->str, ==, first->str);
    }
}

typedef struct
{
  GMutex     lock;
  GPtrArray *kept;   /* LacunaDicomFile */
  guint      limit;  /* keep at most this many, then stop keeping */
  LacunaLoader *loader;
} Keeper;

static gboolean
keep_cb (LacunaInstance  *instance,
         LacunaDicomFile *file,
         gpointer         user_data)
{
  Keeper *k = user_data;
  gboolean keep;

  g_mutex_lock (&k->lock);
  keep = k->kept->len < k->limit;
  if (keep)
    g_ptr_array_add (k->kept, file);
  else
    lacuna_loader_stop_keeping (k->loader);
  g_mutex_unlock (&k->lock);
  return keep;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* "kind:path" of every problem and the SOP Instance UID of every instance, sorted. */
static GPtrArray *
describe (LacunaCollection *collection)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *problems = lacuna_collection_get_problems (collection);
  g_autoptr(GListModel) series = lacuna_collection_list_series (collection);

  for (guint i = 0; i < problems->len; i++)
    {
      const LacunaProblem *p = g_ptr_array_index (problems, i);

      g_ptr_array_add (out, g_strdup_printf ("problem %d %s", p->kind, p->path));
    }
  for (guint i = 0; i < g_list_model_get_n_items (series); i++)
    {
      g_autoptr(LacunaSeries) s = g_list_model_get_item (series, i);

      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (s)); j++)
        {
          LacunaInstance *instance = lacuna_series_get_instance (s, j);

          g_ptr_array_add (out, g_strdup_printf ("instance %s %d",
                                                 lacuna_instance_get_sop_instance_uid (instance),
                                                 lacuna_instance_has_pixels (instance)));
        }
    }
  g_ptr_array_sort (out, compare_strings);
  return out;
}

/* With a keep function the loader parses files whole (and keeps some): it still finds
 * the same instances and the same problems as without, on malformed files too (what only
 * the part after Pixel Data breaks is read up to Pixel Data, as without), whether it keeps
 * every file or stops keeping after two. */
static void
test_keep (void)
{
  static const char *sets[] = { "malformed", "variety/multiframe", "phi-header" };
  static const guint limits[] = { 2, G_MAXUINT };

  for (guint i = 0; i < G_N_ELEMENTS (sets); i++)
    for (guint l = 0; l < G_N_ELEMENTS (limits); l++)
      {
        g_autofree char *dir = lacuna_test_dup_testdata (sets[i]);
        const char *paths[] = { dir, NULL };
        g_autoptr(LacunaLoader) plain = NULL;
        g_autoptr(LacunaLoader) keeping = NULL;
        g_autoptr(LacunaCollection) a = NULL;
        g_autoptr(LacunaCollection) b = NULL;
        g_autoptr(GPtrArray) da = NULL;
        g_autoptr(GPtrArray) db = NULL;
        g_autoptr(GError) error = NULL;
        Keeper k = { .limit = limits[l] };

        if (dir == NULL)
          return;
        g_mutex_init (&k.lock);
        k.kept = g_ptr_array_new_with_free_func ((GDestroyNotify) lacuna_dicom_file_free);
        plain = lacuna_loader_new (paths);
        a = lacuna_loader_load (plain, NULL, &error);
        g_assert_no_error (error);
        keeping = lacuna_loader_new (paths);
        k.loader = keeping;
        lacuna_loader_set_keep_func (keeping, keep_cb, &k);
        b = lacuna_loader_load (keeping, NULL, &error);
        g_assert_no_error (error);

        da = describe (a);
        db = describe (b);
        g_assert_cmpuint (da->len, ==, db->len);
        for (guint j = 0; j < da->len; j++)
          g_assert_cmpstr (g_ptr_array_index (da, j), ==, g_ptr_array_index (db, j));
        g_assert_cmpuint (k.kept->len, >, 0);
        /* Files are whole (they can be saved), but for those only readable up to Pixel
         * Data (truncated, or broken after it). */
        {
          guint n_complete = 0;

          for (guint j = 0; j < k.kept->len; j++)
            n_complete += lacuna_dicom_file_is_complete (g_ptr_array_index (k.kept, j));
          g_assert_cmpuint (n_complete, >, 0);
        }
        g_ptr_array_unref (k.kept);
        g_mutex_clear (&k.lock);
      }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  lacuna_dicom_init ();

  g_test_add_func ("/core/loader/instance/new-destroy", test_instance_new_destroy);
  g_test_add_func ("/core/loader/instance/shared-strings", test_instance_shared_strings);
  g_test_add_func ("/core/loader/truncated-pixels", test_truncated_pixels);
  g_test_add_func ("/core/loader/file-func", test_file_func);
  g_test_add_func ("/core/loader/instance/parse-ds", test_parse_ds);
  g_test_add_func ("/core/loader/series/new-destroy", test_series_new_destroy);
  g_test_add_func ("/core/loader/series/sort-direction", test_series_sort_direction);
  g_test_add_func ("/core/loader/series/sort", test_series_sort);
  g_test_add_func ("/core/loader/study/new-destroy", test_study_new_destroy);
  g_test_add_func ("/core/loader/patient/new-destroy", test_patient_new_destroy);
  g_test_add_func ("/core/loader/collection/new-destroy", test_collection_new_destroy);
  g_test_add_func ("/core/loader/loader/new-destroy", test_loader_new_destroy);
  g_test_add_func ("/core/loader/dicomdir/records", test_dicomdir_records);
  g_test_add_func ("/core/loader/dicomdir/no-patient-records", test_dicomdir_no_patient_records);
  g_test_add_func ("/core/loader/dicomdir/folder", test_dicomdir_folder);
  g_test_add_func ("/core/loader/dicomdir/case-insensitive", test_dicomdir_case_insensitive);
  g_test_add_func ("/core/loader/folder/ge-gantry-tilt", test_folder_ge_tilt);
  g_test_add_func ("/core/loader/folder/mr-series", test_folder_mr_series);
  g_test_add_func ("/core/loader/folder/mixed", test_folder_mixed);
  g_test_add_func ("/core/loader/folder/duplicates", test_duplicates);
  g_test_add_func ("/core/loader/missing-paths", test_missing_paths);
  g_test_add_func ("/core/loader/zip/same-as-folder", test_zip);
  g_test_add_func ("/core/loader/zip/dicomdir", test_zip_dicomdir);
  g_test_add_func ("/core/loader/zip/broken", test_zip_broken);
  g_test_add_func ("/core/loader/cancel/before", test_cancelled);
  g_test_add_func ("/core/loader/cancel/during", test_cancel_during_load);
  g_test_add_func ("/core/loader/first-image", test_first_image);
  g_test_add_func ("/core/loader/async", test_async);
  g_test_add_func ("/core/loader/deterministic", test_deterministic);
  g_test_add_func ("/core/loader/keep", test_keep);

  return g_test_run ();
}
