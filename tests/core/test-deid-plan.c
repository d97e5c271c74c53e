/* test-deid-plan.c: the plan says what lacuna_deid_apply() then does, element by element. */

#define G_LOG_DOMAIN "test-deid-plan"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "lacuna-deid-plan.h"
#include "lacuna-error.h"
#include "lacuna-sample.h"
#include "lacuna-test-util.h"
#include "lacuna-uid-map.h"

static LacunaKey *
test_key (void)
{
  return lacuna_key_new_from_data ("lacuna-test-key-0123456789abcdef", 32, NULL);
}

static LacunaDicomFile *
open_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  LacunaDicomFile *file = lacuna_dicom_file_open (path, LACUNA_DICOM_OPEN_DEFAULT, &error);

  g_assert_no_error (error);
  g_assert_nonnull (file);
  return file;
}

static char *
rstrip_dup (const char *s)
{
  char *copy = g_strdup (s != NULL ? s : "");

  return g_strchomp (copy);
}

static gboolean
is_binary_vr (const char *vr)
{
  return strcmp (vr, "OB") == 0 || strcmp (vr, "OW") == 0 || strcmp (vr, "OF") == 0 ||
         strcmp (vr, "OD") == 0 || strcmp (vr, "OL") == 0 || strcmp (vr, "OV") == 0 ||
         strcmp (vr, "UN") == 0;
}

/* Paths the record rewrites after the element pass (their old value is not what is left). */
static gboolean
is_record_path (LacunaDeidPlan *plan,
                const char     *path)
{
  for (guint i = 0; i < lacuna_deid_plan_get_n_record (plan); i++)
    if (strcmp (lacuna_deid_plan_get_record (plan, i)->path, path) == 0)
      return TRUE;
  return FALSE;
}

/* Each action goes with the edits it can make. */
static void
assert_action_matches_edit (const LacunaDeidPlanEntry *e)
{
  switch (e->action)
    {
    case LACUNA_PROFILE_ACTION_X:
      g_assert_cmpint (e->edit, ==, LACUNA_DEID_PLAN_EDIT_REMOVE);
      break;
    case LACUNA_PROFILE_ACTION_K:
      g_assert_cmpint (e->edit, ==, LACUNA_DEID_PLAN_EDIT_NONE);
      break;
    case LACUNA_PROFILE_ACTION_Z:
      if (e->edit == LACUNA_DEID_PLAN_EDIT_SET)
        g_assert_cmpstr (e->new_value, ==, "");
      else if (e->edit == LACUNA_DEID_PLAN_EDIT_SET_BINARY)
        g_assert_cmpuint (e->new_size, ==, 0);
      else
        {
          g_assert_cmpint (e->edit, ==, LACUNA_DEID_PLAN_EDIT_NONE);
          g_assert_true (e->is_sequence);   /* its items are emptied */
        }
      break;
    case LACUNA_PROFILE_ACTION_D:
      if (e->edit == LACUNA_DEID_PLAN_EDIT_SET)
        g_assert_nonnull (e->new_value);
      else if (e->edit == LACUNA_DEID_PLAN_EDIT_SET_BINARY)
        g_assert_cmpuint (e->new_size, ==, 8);
      else
        g_assert_true (e->is_sequence);
      break;
    case LACUNA_PROFILE_ACTION_U:
      if (e->edit == LACUNA_DEID_PLAN_EDIT_SET)
        g_assert_true (lacuna_uid_is_valid (e->new_value) || strchr (e->new_value, '\\'));
      else
        g_assert_cmpint (e->edit, ==, LACUNA_DEID_PLAN_EDIT_NONE);
      break;
    case LACUNA_PROFILE_ACTION_C:
      g_assert_cmpint (e->edit, !=, LACUNA_DEID_PLAN_EDIT_REMOVE);
      break;
    case LACUNA_PROFILE_ACTION_NONE:
    case LACUNA_PROFILE_ACTION_Z_D:
    case LACUNA_PROFILE_ACTION_X_Z:
    case LACUNA_PROFILE_ACTION_X_D:
    case LACUNA_PROFILE_ACTION_X_Z_D:
    case LACUNA_PROFILE_ACTION_X_Z_U:
    case LACUNA_PROFILE_N_ACTIONS:
    default:
      g_assert_not_reached ();
    }
}

/* Plans path, applies to a fresh copy, saves, reads back: every element is as planned.
 * Returns the number of entries checked. */
static guint
check_plan_equals_apply (LacunaDeidContext *ctx,
                         const char        *path,
                         const char        *tmpdir)
{
  g_autoptr(LacunaDicomFile) orig = open_file (path);
  g_autoptr(LacunaDicomFile) work = open_file (path);
  g_autoptr(LacunaDicomFile) res = NULL;
  g_autoptr(LacunaDeidPlan) plan = NULL;
  g_autoptr(LacunaDeidLog) log = lacuna_deid_log_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *out = g_build_filename (tmpdir, base, NULL);
  g_autofree char *ts = g_strdup (lacuna_dicom_file_get_transfer_syntax (orig));
  guint n = 0;

  plan = lacuna_deid_plan_file (ctx, orig, &error);
  g_assert_no_error (error);
  g_assert_nonnull (plan);
  g_assert_cmpuint (lacuna_deid_plan_get_n_entries (plan), >, 0);

  g_assert_true (lacuna_deid_apply (ctx, work, log, &error));
  g_assert_no_error (error);
  g_assert_true (lacuna_dicom_file_save (work, out, ts, &error));
  g_assert_no_error (error);
  res = open_file (out);

  for (guint i = 0; i < lacuna_deid_plan_get_n_entries (plan); i++)
    {
      const LacunaDeidPlanEntry *e = lacuna_deid_plan_get_entry (plan, i);
      const LacunaDeidLogEntry *le = lacuna_deid_log_find (log, e->path);
      gboolean present = lacuna_dicom_file_has (res, e->path);
      guint group = e->tag >> 16;

      g_test_message ("%s %s %s", e->path, e->keyword,
                      lacuna_profile_action_to_string (e->action));
      assert_action_matches_edit (e);
      g_assert_true (lacuna_deid_plan_lookup (plan, e->path) == e);
      g_assert_nonnull (lacuna_deid_category_to_string (e->category));

      /* The plan's action and reason are the log's. */
      if (e->with_parent)
        g_assert_null (le);
      else
        {
          g_assert_nonnull (le);
          g_assert_cmpint (le->action, ==, e->action);
          g_assert_cmpstr (le->reason, ==, e->reason);
        }

      /* The file meta is rebuilt on save, group lengths recomputed, the record written
       * over what it sets. */
      if (group == 0x0002 || (e->tag & 0xFFFF) == 0 || is_record_path (plan, e->path) ||
          e->tag == 0x00080005)
        continue;

      switch (e->edit)
        {
        case LACUNA_DEID_PLAN_EDIT_REMOVE:
          g_assert_false (present);
          break;

        case LACUNA_DEID_PLAN_EDIT_SET:
          {
            g_autofree char *got = lacuna_dicom_file_dup_string (res, e->path, NULL);
            g_autofree char *want = rstrip_dup (e->new_value);

            g_assert_true (present);
            g_assert_nonnull (got);
            g_assert_cmpstr (got, ==, want);
          }
          break;

        case LACUNA_DEID_PLAN_EDIT_SET_BINARY:
          {
            g_autoptr(GBytes) bytes = lacuna_dicom_file_dup_bytes (res, e->path, NULL);
            gsize size = 0;
            const guint8 *data = bytes != NULL ? g_bytes_get_data (bytes, &size) : NULL;

            g_assert_true (present);
            g_assert_cmpuint (size, ==, e->new_size);
            for (gsize k = 0; k < size; k++)
              g_assert_cmpuint (data[k], ==, 0);
          }
          break;

        case LACUNA_DEID_PLAN_EDIT_NONE:
        default:
          g_assert_true (present);
          if (!e->is_sequence && !is_binary_vr (e->vr) && e->value != NULL)
            {
              g_autofree char *before = lacuna_dicom_file_dup_string (orig, e->path, NULL);
              g_autofree char *after = lacuna_dicom_file_dup_string (res, e->path, NULL);

              g_assert_cmpstr (after, ==, before);
            }
          break;
        }
      n++;
    }

  /* The record: what the plan says is set is there. */
  for (guint i = 0; i < lacuna_deid_plan_get_n_record (plan); i++)
    {
      const LacunaDeidPlanEntry *r = lacuna_deid_plan_get_record (plan, i);

      g_assert_true (lacuna_dicom_file_has (res, r->path));
      if (r->edit == LACUNA_DEID_PLAN_EDIT_SET)
        {
          g_autofree char *got = lacuna_dicom_file_dup_string (res, r->path, NULL);

          g_assert_cmpstr (got, ==, r->new_value);
        }
    }
  return n;
}

static const char *const real_files[] = {
  "phi-header/tcia_pseudo_phi_MR_series/dicom/1-01.dcm",
  "phi-burned-in/presidio_PT_RGB_secondary_capture/RGB_ORIGINAL.dcm",
  "phi-burned-in/overlay/pydicom-data_MR-SIEMENS-DICOM-WithOverlays.dcm",
  "phi-burned-in/ultrasound/orthanc_Issue19_US_YBR.dcm",
  "variety/multiframe/pydicom-data_eCT_Supplemental_enhancedCT.dcm",
  "variety/private-tags/orthanc_PrivateMDNTags.dcm",
  "variety/sr-pdf-rt/orthanc_StructuredReports_IM0.dcm",
  "variety/sr-pdf-rt/orthanc_sample-pdf.dcm",
  "variety/charsets/orthanc_Lena-latin1.dcm",
  "variety/pydicom_debian_test_files/CT_small.dcm",
};

static void
run_real_files (LacunaProfileOption options,
                gboolean            with_overrides)
{
  g_autoptr(LacunaKey) key = test_key ();
  g_autoptr(LacunaDeidOptions) opts = lacuna_deid_options_new ();
  g_autofree char *tmp = lacuna_test_make_tmpdir ();
  g_autoptr(GHashTable) set = lacuna_uid_set_new ();
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(LacunaDeidContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  guint total = 0;

  if (lacuna_test_get_testdata () == NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (real_files); i++)
    {
      char *path = lacuna_test_dup_testdata (real_files[i]);
      g_autoptr(LacunaDicomFile) file = NULL;

      if (path == NULL)
        return;
      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        {
          g_test_message ("missing: %s", real_files[i]);
          g_free (path);
          continue;
        }
      file = open_file (path);
      lacuna_uid_set_collect (set, file);
      g_ptr_array_add (paths, path);
    }

  opts->options = options;
  if (with_overrides)
    {
      lacuna_deid_options_add_override (opts, "00100010", LACUNA_DEID_OVERRIDE_KEEP, NULL);
      lacuna_deid_options_add_override (opts, "00081030", LACUNA_DEID_OVERRIDE_REPLACE, "A STUDY");
      lacuna_deid_options_add_override (opts, "00080060", LACUNA_DEID_OVERRIDE_REMOVE, NULL);
      lacuna_deid_options_add_override (opts, "00081140", LACUNA_DEID_OVERRIDE_KEEP, NULL);
    }
  ctx = lacuna_deid_context_new (key, opts, set, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      g_autofree char *sub = g_strdup_printf ("%s/%u", tmp, i);

      g_assert_cmpint (g_mkdir_with_parents (sub, 0700), ==, 0);
      total += check_plan_equals_apply (ctx, path, sub);
    }
  g_assert_cmpuint (total, >, 500);
}

static void
test_plan_real_basic (void)
{
  run_real_files (LACUNA_PROFILE_OPTION_NONE, FALSE);
}

static void
test_plan_real_options (void)
{
  run_real_files (LACUNA_PROFILE_OPTION_RETAIN_MODIFIED_DATES |
                  LACUNA_PROFILE_OPTION_CLEAN_DESCRIPTORS |
                  LACUNA_PROFILE_OPTION_RETAIN_DEVICE_IDENTITY |
                  LACUNA_PROFILE_OPTION_RETAIN_PATIENT_CHARACTERISTICS |
                  LACUNA_PROFILE_OPTION_CLEAN_STRUCTURED_CONTENT, TRUE);
}

static void
test_plan_sample (void)
{
  g_autofree char *tmp = lacuna_test_make_tmpdir ();
  g_autofree char *dir = g_build_filename (tmp, "sample", NULL);
  g_autofree char *out = g_build_filename (tmp, "out", NULL);
  g_autoptr(LacunaKey) key = test_key ();
  g_autoptr(GHashTable) set = lacuna_uid_set_new ();
  g_autoptr(LacunaDeidContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  const char * const *ids = lacuna_sample_get_file_ids ();
  guint total = 0;

  g_assert_true (lacuna_sample_write (dir, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir_with_parents (out, 0700), ==, 0);

  for (guint i = 0; ids[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (dir, ids[i], NULL);
      g_autoptr(LacunaDicomFile) file = open_file (path);

      lacuna_uid_set_collect (set, file);
    }
  ctx = lacuna_deid_context_new (key, NULL, set, &error);
  g_assert_no_error (error);

  for (guint i = 0; ids[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (dir, ids[i], NULL);
      g_autofree char *sub = g_strdup_printf ("%s/%u", out, i);

      g_assert_cmpint (g_mkdir_with_parents (sub, 0700), ==, 0);
      total += check_plan_equals_apply (ctx, path, sub);
    }
  g_assert_cmpuint (total, >, 100);

  /* The first file: the categories and actions the inspector shows. */
  {
    g_autofree char *path = g_build_filename (dir, ids[0], NULL);
    g_autoptr(LacunaDicomFile) file = open_file (path);
    g_autoptr(LacunaDeidPlan) plan = lacuna_deid_plan_file (ctx, file, &error);
    const LacunaDeidPlanEntry *e;

    g_assert_no_error (error);

    e = lacuna_deid_plan_lookup (plan, "00100010");
    g_assert_nonnull (e);
    g_assert_cmpint (e->category, ==, LACUNA_DEID_CATEGORY_DIRECT_IDENTIFIER);
    g_assert_cmpint (e->action, ==, LACUNA_PROFILE_ACTION_D);   /* Z, a value is needed */
    g_assert_cmpint (e->edit, ==, LACUNA_DEID_PLAN_EDIT_SET);
    g_assert_true (g_str_has_prefix (e->new_value, "ANONYMOUS^"));
    g_assert_true (e->keyed);
    g_assert_false (e->overridden);

    e = lacuna_deid_plan_lookup (plan, "00101002");
    g_assert_nonnull (e);
    g_assert_true (e->is_sequence);
    g_assert_cmpuint (e->n_items, ==, 2);
    g_assert_cmpint (e->category, ==, LACUNA_DEID_CATEGORY_DIRECT_IDENTIFIER);
    g_assert_cmpint (e->action, ==, LACUNA_PROFILE_ACTION_X);
    e = lacuna_deid_plan_lookup (plan, "00101002/1/00100020");
    g_assert_nonnull (e);
    g_assert_true (e->with_parent);
    g_assert_cmpint (e->action, ==, LACUNA_PROFILE_ACTION_X);
    g_assert_cmpint (e->category, ==, LACUNA_DEID_CATEGORY_DIRECT_IDENTIFIER);

    e = lacuna_deid_plan_lookup (plan, "00080018");
    g_assert_cmpint (e->category, ==, LACUNA_DEID_CATEGORY_UID);
    g_assert_cmpint (e->action, ==, LACUNA_PROFILE_ACTION_U);
    g_assert_cmpstr (e->new_value, ==, lacuna_deid_plan_lookup (plan, "00020003")->new_value);

    e = lacuna_deid_plan_lookup (plan, "00080020");
    g_assert_cmpint (e->category, ==, LACUNA_DEID_CATEGORY_DATE);
    e = lacuna_deid_plan_lookup (plan, "00080060");
    g_assert_cmpint (e->category, ==, LACUNA_DEID_CATEGORY_SAFE);
    g_assert_cmpint (e->action, ==, LACUNA_PROFILE_ACTION_K);
    g_assert_cmpuint (lacuna_deid_plan_count_identifying (plan), >, 5);
  }
}

static void
test_plan_overrides (void)
{
  g_autofree char *tmp = lacuna_test_make_tmpdir ();
  g_autofree char *dir = g_build_filename (tmp, "sample", NULL);
  g_autofree char *path = NULL;
  g_autoptr(LacunaKey) key = test_key ();
  g_autoptr(LacunaDeidOptions) opts = lacuna_deid_options_new ();
  g_autoptr(LacunaDicomFile) file = NULL;
  g_autoptr(LacunaDeidPlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  const LacunaDeidPlanEntry *e;

  g_assert_true (lacuna_sample_write (dir, NULL, &error));
  path = g_build_filename (dir, lacuna_sample_get_file_ids ()[0], NULL);
  file = open_file (path);

  lacuna_deid_options_add_override (opts, "00100010", LACUNA_DEID_OVERRIDE_KEEP, NULL);
  lacuna_deid_options_add_override (opts, "00100020", LACUNA_DEID_OVERRIDE_REPLACE, "SUBJ-7");
  lacuna_deid_options_add_override (opts, "00080060", LACUNA_DEID_OVERRIDE_REMOVE, NULL);
  lacuna_deid_options_add_override (opts, "00101002/0/00100020", LACUNA_DEID_OVERRIDE_KEEP,
                                    NULL);
  plan = lacuna_deid_plan_file_with_options (opts, key, file, &error);
  g_assert_no_error (error);

  e = lacuna_deid_plan_lookup (plan, "00100010");
  g_assert_cmpint (e->action, ==, LACUNA_PROFILE_ACTION_K);
  g_assert_true (e->overridden);
  g_assert_cmpint (e->edit, ==, LACUNA_DEID_PLAN_EDIT_NONE);
  g_assert_cmpint (e->category, ==, LACUNA_DEID_CATEGORY_DIRECT_IDENTIFIER);

  e = lacuna_deid_plan_lookup (plan, "00100020");
  g_assert_true (e->overridden);
  g_assert_cmpint (e->edit, ==, LACUNA_DEID_PLAN_EDIT_SET);
  g_assert_cmpstr (e->new_value, ==, "SUBJ-7");
  g_assert_false (e->keyed);

  e = lacuna_deid_plan_lookup (plan, "00080060");
  g_assert_cmpint (e->action, ==, LACUNA_PROFILE_ACTION_X);
  g_assert_true (e->overridden);

  /* The sequence is still removed: the override inside it does not bring it back. */
  e = lacuna_deid_plan_lookup (plan, "00101002/0/00100020");
  g_assert_true (e->with_parent);
  g_assert_false (e->overridden);

  /* A replacement for a sequence fails in the plan as in apply. */
  g_clear_pointer (&plan, lacuna_deid_plan_unref);
  {
    g_autoptr(LacunaDeidOptions) bad = lacuna_deid_options_copy (opts);
    g_autoptr(LacunaDeidContext) ctx = NULL;
    g_autoptr(LacunaDicomFile) work = open_file (path);
    g_autoptr(GError) apply_error = NULL;

    lacuna_deid_options_add_override (bad, "00101002", LACUNA_DEID_OVERRIDE_REPLACE, "X");
    /* Move it first so that it wins. */
    g_ptr_array_insert (bad->overrides, 0, g_ptr_array_steal_index (bad->overrides,
                                                                    bad->overrides->len - 1));
    ctx = lacuna_deid_context_new (key, bad, NULL, &error);
    g_assert_no_error (error);
    plan = lacuna_deid_plan_file (ctx, file, &error);
    g_assert_null (plan);
    g_assert_error (error, LACUNA_DEID_ERROR, LACUNA_DEID_ERROR_FAILED);
    g_assert_false (lacuna_deid_apply (ctx, work, NULL, &apply_error));
    g_assert_error (apply_error, LACUNA_DEID_ERROR, LACUNA_DEID_ERROR_FAILED);
    g_assert_cmpstr (error->message, ==, apply_error->message);
  }
}

/* Category rules, one row per rule of lacuna-deid-plan.h. */
static void
test_plan_categories (void)
{
  static const struct
  {
    guint32             tag;
    const char         *vr;
    gboolean            in_set;
    LacunaDeidCategory  expected;
  } rows[] = {
    { 0x00091001, "LO", FALSE, LACUNA_DEID_CATEGORY_PRIVATE },            /* 1 */
    { 0x00290010, "LO", FALSE, LACUNA_DEID_CATEGORY_PRIVATE },            /* creator */
    { 0x00100010, "PN", FALSE, LACUNA_DEID_CATEGORY_DIRECT_IDENTIFIER },  /* 2 */
    { 0x00081050, "PN", FALSE, LACUNA_DEID_CATEGORY_DIRECT_IDENTIFIER },
    { 0x00100020, "LO", FALSE, LACUNA_DEID_CATEGORY_DIRECT_IDENTIFIER },
    { 0x00100030, "DA", FALSE, LACUNA_DEID_CATEGORY_DIRECT_IDENTIFIER },
    { 0x00100030, "UN", FALSE, LACUNA_DEID_CATEGORY_DIRECT_IDENTIFIER },
    { 0x00101002, "SQ", FALSE, LACUNA_DEID_CATEGORY_DIRECT_IDENTIFIER },
    { 0x00380010, "LO", FALSE, LACUNA_DEID_CATEGORY_DIRECT_IDENTIFIER },
    { 0x00080080, "LO", FALSE, LACUNA_DEID_CATEGORY_QUASI_IDENTIFIER },   /* 3 */
    { 0x00101010, "AS", FALSE, LACUNA_DEID_CATEGORY_QUASI_IDENTIFIER },
    { 0x00100040, "CS", FALSE, LACUNA_DEID_CATEGORY_QUASI_IDENTIFIER },
    { 0x00181000, "LO", FALSE, LACUNA_DEID_CATEGORY_QUASI_IDENTIFIER },
    { 0x00080020, "DA", FALSE, LACUNA_DEID_CATEGORY_DATE },               /* 4 */
    { 0x00080030, "TM", FALSE, LACUNA_DEID_CATEGORY_DATE },
    { 0x0008002A, "DT", FALSE, LACUNA_DEID_CATEGORY_DATE },
    { 0x00080018, "UI", FALSE, LACUNA_DEID_CATEGORY_UID },                /* 5 */
    { 0x00081155, "UI", FALSE, LACUNA_DEID_CATEGORY_UID },
    { 0x00080016, "UI", FALSE, LACUNA_DEID_CATEGORY_SAFE },
    { 0x00080016, "UI", TRUE,  LACUNA_DEID_CATEGORY_UID },
    { 0x00080055, "AE", FALSE, LACUNA_DEID_CATEGORY_QUASI_IDENTIFIER },   /* 6 */
    { 0x00081030, "LO", FALSE, LACUNA_DEID_CATEGORY_FREE_TEXT },          /* 7 */
    { 0x00204000, "LT", FALSE, LACUNA_DEID_CATEGORY_FREE_TEXT },
    { 0x00420011, "OB", FALSE, LACUNA_DEID_CATEGORY_FREE_TEXT },
    { 0x60003000, "OW", FALSE, LACUNA_DEID_CATEGORY_FREE_TEXT },
    { 0x00080060, "CS", FALSE, LACUNA_DEID_CATEGORY_SAFE },               /* 9 */
    { 0x00280010, "US", FALSE, LACUNA_DEID_CATEGORY_SAFE },
    { 0x00081140, "SQ", FALSE, LACUNA_DEID_CATEGORY_SAFE },
    { 0x7FE00010, "OW", FALSE, LACUNA_DEID_CATEGORY_SAFE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      LacunaDeidCategory got = lacuna_deid_category_for_tag (rows[i].tag, rows[i].vr,
                                                             rows[i].in_set);

      g_test_message ("%08X %s", rows[i].tag, rows[i].vr);
      g_assert_cmpstr (lacuna_deid_category_to_string (got), ==,
                       lacuna_deid_category_to_string (rows[i].expected));
    }

  for (guint c = 0; c < LACUNA_DEID_N_CATEGORIES; c++)
    {
      g_assert_nonnull (lacuna_deid_category_to_string (c));
      g_assert_nonnull (lacuna_deid_category_get_label (c));
      g_assert_true (lacuna_deid_category_is_identifying (c) == (c != LACUNA_DEID_CATEGORY_SAFE));
    }
  g_assert_null (lacuna_deid_category_to_string (LACUNA_DEID_N_CATEGORIES));
  g_assert_false (lacuna_deid_category_is_identifying (LACUNA_DEID_N_CATEGORIES));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  lacuna_dicom_init ();

  g_test_add_func ("/core/deid-plan/categories", test_plan_categories);
  g_test_add_func ("/core/deid-plan/sample", test_plan_sample);
  g_test_add_func ("/core/deid-plan/overrides", test_plan_overrides);
  g_test_add_func ("/core/deid-plan/real-basic", test_plan_real_basic);
  g_test_add_func ("/core/deid-plan/real-options", test_plan_real_options);

  return g_test_run ();
}
