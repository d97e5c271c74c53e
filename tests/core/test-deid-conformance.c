/* test-deid-conformance.c: every row of Table E.1-1 that DCMTK's dictionary knows, in one
 * generated file, de-identified with no option and with each option alone: each element's
 * outcome must match the action the profile resolves to. And dciodvfy finds no new error
 * in a real file's output. */

#define G_LOG_DOMAIN "test-deid-conformance"
#define _GNU_SOURCE   /* memmem */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>
#include <gio/gio.h>

#include "lacuna-deid.h"
#include "lacuna-iod-types.h"
#include "lacuna-test-util.h"
#include "lacuna-uid-map.h"

#define SOP_CLASS_MR "1.2.840.10008.5.1.4.1.1.4"
#define MARK_DATE_BASE 730000   /* a Julian day in 1999 */

typedef struct
{
  const LacunaProfileRule *rule;
  char                     vr[3];
  char                    *path;
  char                    *mark;     /* the value written (text); NULL for binary */
} Marked;

static void
marked_free (gpointer data)
{
  Marked *m = data;

  g_free (m->path);
  g_free (m->mark);
  g_free (m);
}

static LacunaKey *
test_key (void)
{
  return lacuna_key_new_from_data ("conformance-key-0123456789abcdef", 32, NULL);
}

static char *
mark_date (guint n)
{
  GDate d;

  g_date_clear (&d, 1);
  g_date_set_julian (&d, MARK_DATE_BASE + n);
  return g_strdup_printf ("%04u%02u%02u", g_date_get_year (&d), g_date_get_month (&d),
                          g_date_get_day (&d));
}

/* A "MARK"+n value valid for vr; NULL for binary VRs (then bytes are written). */
static char *
mark_for (const char *vr,
          guint       n)
{
  if (strcmp (vr, "DA") == 0)
    return mark_date (n);
  if (strcmp (vr, "TM") == 0)
    return g_strdup_printf ("%02u%02u%02u", (n / 3600) % 24, (n / 60) % 60, n % 60 + 0);
  if (strcmp (vr, "DT") == 0)
    {
      g_autofree char *d = mark_date (n);

      return g_strconcat (d, "123456", NULL);
    }
  if (strcmp (vr, "UI") == 0)
    return g_strdup_printf ("1.2.3.999.%u", n);
  if (strcmp (vr, "DS") == 0 || strcmp (vr, "IS") == 0 || strcmp (vr, "US") == 0 ||
      strcmp (vr, "SS") == 0 || strcmp (vr, "UL") == 0 || strcmp (vr, "SL") == 0 ||
      strcmp (vr, "FL") == 0 || strcmp (vr, "FD") == 0)
    return g_strdup_printf ("%u", 1000 + n);
  if (strcmp (vr, "AS") == 0)
    return g_strdup_printf ("%03uY", n % 1000);
  if (strcmp (vr, "PN") == 0)
    return g_strdup_printf ("MARK%u^PERSON", n);
  if (strcmp (vr, "UR") == 0)
    return g_strdup_printf ("http://mark%u.example", n);
  if (strcmp (vr, "CS") == 0 || strcmp (vr, "LO") == 0 || strcmp (vr, "SH") == 0 ||
      strcmp (vr, "ST") == 0 || strcmp (vr, "LT") == 0 || strcmp (vr, "UT") == 0 ||
      strcmp (vr, "UC") == 0 || strcmp (vr, "AE") == 0)
    return g_strdup_printf ("MARK%u", n);
  return NULL;
}

static gboolean
is_binary_vr (const char *vr)
{
  return strcmp (vr, "OB") == 0 || strcmp (vr, "OW") == 0 || strcmp (vr, "UN") == 0 ||
         strcmp (vr, "OF") == 0 || strcmp (vr, "OD") == 0 || strcmp (vr, "OL") == 0 ||
         strcmp (vr, "OV") == 0;
}

/* The kitchen-sink file: every exact row known to the dictionary (groups 0000 and 0002
 * excepted: command and meta groups), overlay 6000, curve 5000 and a private block. */
static LacunaDicomFile *
build_kitchen_sink (GPtrArray *marks)
{
  LacunaDicomFile *file = lacuna_dicom_file_new ();
  guint n_rules;
  const LacunaProfileRule *rules = lacuna_profile_get_rules (&n_rules);
  g_autoptr(GError) error = NULL;
  guint n_set = 0;

  g_assert_true (lacuna_dicom_file_set_string (file, "00080016", NULL, SOP_CLASS_MR, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < n_rules; i++)
    {
      const LacunaProfileRule *rule = &rules[i];
      guint group = rule->tag >> 16;
      const char *vr;
      g_autofree char *path = NULL;
      g_autofree char *mark = NULL;
      gboolean ok;

      if (rule->mask != 0xFFFFFFFFu || group == 0x0000 || group == 0x0002 ||
          lacuna_dicom_tag_keyword (rule->tag) == NULL)
        continue;
      vr = lacuna_dicom_tag_vr (rule->tag);
      path = g_strdup_printf ("%08X", rule->tag);

      if (strcmp (vr, "SQ") == 0)
        {
          g_autofree char *item = g_strconcat (path, "/0/00100020", NULL);

          mark = g_strdup_printf ("MARK%uP", i);
          ok = lacuna_dicom_file_append_item (file, path, &error) == 0 &&
               lacuna_dicom_file_set_string (file, item, "LO", mark, &error);
        }
      else if (is_binary_vr (vr))
        {
          char bytes[16];

          g_snprintf (bytes, sizeof bytes, "MARK%05u", i);
          ok = lacuna_dicom_file_set_bytes (file, path, vr, bytes, 10, &error);
        }
      else
        {
          mark = mark_for (vr, i);
          ok = mark != NULL && lacuna_dicom_file_set_string (file, path, vr, mark, &error);
        }

      if (!ok)
        {
          g_test_message ("could not write (%04X,%04X) VR %s", rule->tag >> 16,
                          rule->tag & 0xFFFF, vr);
          g_clear_error (&error);
          continue;
        }
      {
        Marked *m = g_new0 (Marked, 1);

        m->rule = rule;
        memcpy (m->vr, vr, 2);
        m->path = g_steal_pointer (&path);
        m->mark = g_steal_pointer (&mark);
        g_ptr_array_add (marks, m);
        n_set++;
      }
    }
  /* Nearly every row must be in the file, or the test proves little. */
  g_assert_cmpuint (n_set, >=, 500);

  {
    static const guint16 overlay_rows[] = { 16 };
    static const guint8 bits[4] = { 0xFF, 0x00, 0xFF, 0x00 };

    g_assert_true (lacuna_dicom_file_set_bytes (file, "60000010", "US", overlay_rows, 2, &error));
    g_assert_true (lacuna_dicom_file_set_string (file, "60000040", "CS", "G", &error));
    g_assert_true (lacuna_dicom_file_set_bytes (file, "60003000", "OW", bits, 4, &error));
    g_assert_true (lacuna_dicom_file_set_string (file, "60004000", "LT", "MARKOVERLAY", &error));
    g_assert_true (lacuna_dicom_file_set_bytes (file, "50003000", "OB", bits, 4, &error));
    g_assert_true (lacuna_dicom_file_set_string (file, "00090010", "LO", "MARK CREATOR", &error));
    g_assert_true (lacuna_dicom_file_set_string (file, "00091001", "LO", "MARKPRIVATE", &error));
    g_assert_no_error (error);
  }
  return file;
}

static GDate *
parse_da (const char *s)
{
  GDate *d;

  if (s == NULL || strlen (s) < 8)
    return NULL;
  d = g_date_new ();
  g_date_set_dmy (d, (GDateDay) ((s[6] - '0') * 10 + (s[7] - '0')),
                  (GDateMonth) ((s[4] - '0') * 10 + (s[5] - '0')),
                  (GDateYear) ((s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
                               (s[3] - '0')));
  return d;
}

static gboolean
needs_value (guint32 tag)
{
  return tag == 0x00100010 || tag == 0x00100020 || tag == 0x00200010 || tag == 0x00080020 ||
         tag == 0x00080030 || tag == 0x00080050;
}

/* Checks one element's outcome against its resolved action. */
static void
check_outcome (LacunaDicomFile     *out,
               const Marked        *m,
               LacunaProfileOption  options,
               LacunaKey           *key,
               int                  offset)
{
  LacunaProfileAction action =
    lacuna_profile_resolve_type (lacuna_profile_resolve (m->rule, options),
                                 lacuna_iod_types_lookup (SOP_CLASS_MR, m->rule->tag, 0));
  gboolean present = lacuna_dicom_file_has (out, m->path);
  g_autofree char *value = NULL;
  gboolean is_sq = strcmp (m->vr, "SQ") == 0;
  gboolean binary = is_binary_vr (m->vr);
  char where[64];

  g_snprintf (where, sizeof where, "(%04X,%04X) %s %s", m->rule->tag >> 16,
              m->rule->tag & 0xFFFF, m->vr, lacuna_profile_action_to_string (action));
  if (!binary && !is_sq && present)
    value = lacuna_dicom_file_dup_string (out, m->path, NULL);

  if (strcmp (m->vr, "UI") == 0 && (action == LACUNA_PROFILE_ACTION_D ||
                                     action == LACUNA_PROFILE_ACTION_C))
    action = LACUNA_PROFILE_ACTION_U;
  if (action == LACUNA_PROFILE_ACTION_Z && needs_value (m->rule->tag))
    action = LACUNA_PROFILE_ACTION_D;

  switch (action)
    {
    case LACUNA_PROFILE_ACTION_X:
      if (present)
        g_test_message ("%s: still present", where);
      g_assert_false (present);
      break;

    case LACUNA_PROFILE_ACTION_K:
      g_assert_true (present);
      if (is_sq)
        {
          g_autofree char *item = g_strconcat (m->path, "/0/00100020", NULL);
          g_autofree char *pid = lacuna_dicom_file_dup_string (out, item, NULL);

          /* K on a sequence cleans its items: the nested Patient ID is a dummy. */
          g_assert_nonnull (pid);
          g_assert_true (g_str_has_prefix (pid, "LAC"));
        }
      else if (!binary)
        g_assert_cmpstr (value, ==, m->mark);
      break;

    case LACUNA_PROFILE_ACTION_Z:
      g_assert_true (present);
      if (is_sq)
        {
          g_autofree char *item = g_strconcat (m->path, "/0/00100020", NULL);

          g_assert_false (lacuna_dicom_file_has (out, item));
        }
      else if (!binary)
        g_assert_cmpstr (value, ==, "");
      break;

    case LACUNA_PROFILE_ACTION_D:
      g_assert_true (present);
      if (is_sq)
        {
          g_autofree char *item = g_strconcat (m->path, "/0/00100020", NULL);
          g_autofree char *pid = lacuna_dicom_file_dup_string (out, item, NULL);

          g_assert_true (pid != NULL && g_str_has_prefix (pid, "LAC"));
        }
      else if (binary)
        {
          g_autoptr(GBytes) bytes = lacuna_dicom_file_dup_bytes (out, m->path, NULL);

          g_assert_nonnull (bytes);
          g_assert_cmpuint (g_bytes_get_size (bytes), >, 0);
          g_assert_null (memmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                 "MARK", 4));
        }
      else
        {
          if (value == NULL || *value == '\0' || g_strcmp0 (value, m->mark) == 0)
            g_test_message ("%s: not a dummy", where);
          g_assert_nonnull (value);
          g_assert_cmpstr (value, !=, "");
          g_assert_cmpstr (value, !=, m->mark);
          g_assert_null (strstr (value, "MARK"));
        }
      break;

    case LACUNA_PROFILE_ACTION_U:
      g_assert_true (present);
      if (!is_sq)
        {
          g_autofree char *expected = lacuna_uid_map_dup_keyed (key, m->mark);

          g_assert_cmpstr (value, ==, expected);
          g_assert_true (lacuna_uid_is_valid (value));
        }
      break;

    case LACUNA_PROFILE_ACTION_C:
      if (strcmp (m->vr, "DA") == 0 || strcmp (m->vr, "DT") == 0)
        {
          g_autoptr(GDate) a = parse_da (m->mark);
          g_autoptr(GDate) b = parse_da (value);

          g_assert_true (present);
          g_assert_nonnull (b);
          g_assert_cmpint (g_date_days_between (a, b), ==, offset);
          if (strcmp (m->vr, "DT") == 0)
            g_assert_cmpstr (value + 8, ==, m->mark + 8);   /* time part unchanged */
        }
      else if (strcmp (m->vr, "TM") == 0 || strcmp (m->vr, "CS") == 0 ||
               (strcmp (m->vr, "SH") == 0 && m->rule->tag == 0x00080201))
        {
          g_assert_true (present);
          g_assert_cmpstr (value, ==, m->mark);
        }
      else if (is_sq)
        g_assert_true (present);
      else if (strcmp (m->vr, "PN") == 0 || strcmp (m->vr, "AE") == 0)
        {
          g_assert_true (present);
          g_assert_null (strstr (value, "MARK"));
        }
      else if (binary)
        {
          /* Timestamps under Modified Dates fall back to the Basic action (here D or X);
           * opaque values that cannot be cleaned are removed. */
          if (present)
            {
              g_autoptr(GBytes) bytes = lacuna_dicom_file_dup_bytes (out, m->path, NULL);

              g_assert_null (memmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                     "MARK", 4));
            }
        }
      else
        {
          /* Text: kept, minus this header's identifying words (none of the marks of
           * other elements is a whole word of this one). */
          g_assert_true (present);
          g_assert_cmpstr (value, ==, m->mark);
        }
      break;

    case LACUNA_PROFILE_ACTION_NONE:
    default:
      g_assert_not_reached ();
    }
}

static void
run_option (LacunaProfileOption option)
{
  g_autoptr(GPtrArray) marks = g_ptr_array_new_with_free_func (marked_free);
  g_autoptr(GPtrArray) marks2 = g_ptr_array_new_with_free_func (marked_free);
  g_autoptr(LacunaDicomFile) file = build_kitchen_sink (marks);
  g_autoptr(LacunaDicomFile) file2 = build_kitchen_sink (marks2);
  g_autoptr(LacunaDicomFile) out = NULL;
  g_autoptr(LacunaDicomFile) out2 = NULL;
  g_autoptr(LacunaKey) key = test_key ();
  g_autoptr(LacunaDeidOptions) options = lacuna_deid_options_new ();
  g_autoptr(LacunaDeidContext) ctx = NULL;
  g_autoptr(LacunaDeidLog) log = lacuna_deid_log_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = lacuna_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (tmp, "out.dcm", NULL);
  g_autofree char *path2 = g_build_filename (tmp, "out2.dcm", NULL);
  g_autofree char *pid = NULL;
  int offset;
  gboolean graphics = (option & LACUNA_PROFILE_OPTION_CLEAN_GRAPHICS) != 0;

  options->options = option;
  ctx = lacuna_deid_context_new (key, options, NULL, &error);
  g_assert_no_error (error);

  pid = lacuna_dicom_file_dup_string (file, "00100020", NULL);
  offset = lacuna_deid_context_get_date_offset (ctx, pid);

  g_assert_true (lacuna_deid_apply (ctx, file, log, &error));
  g_assert_no_error (error);
  g_assert_true (lacuna_dicom_file_save (file, path, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (lacuna_deid_apply (ctx, file2, NULL, &error));
  g_assert_true (lacuna_dicom_file_save (file2, path2, NULL, &error));
  g_assert_no_error (error);

  out = lacuna_dicom_file_open (path, LACUNA_DICOM_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  out2 = lacuna_dicom_file_open (path2, LACUNA_DICOM_OPEN_DEFAULT, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < marks->len; i++)
    {
      const Marked *m = g_ptr_array_index (marks, i);

      check_outcome (out, m, option, key, offset);
      /* Every element has a log entry with the action applied. */
      g_assert_nonnull (lacuna_deid_log_find (log, m->path));
      /* U (and every other outcome) is the same in a second file. */
      if (strcmp (m->vr, "UI") == 0)
        {
          g_autofree char *a = lacuna_dicom_file_dup_string (out, m->path, NULL);
          g_autofree char *b = lacuna_dicom_file_dup_string (out2, m->path, NULL);

          g_assert_cmpstr (a, ==, b);
        }
    }

  /* Overlays: the whole group follows Overlay Data; curves their own row. */
  g_assert_cmpint (lacuna_dicom_file_has (out, "60003000"), ==, graphics);
  g_assert_cmpint (lacuna_dicom_file_has (out, "60000010"), ==, graphics);
  g_assert_cmpint (lacuna_dicom_file_has (out, "60000040"), ==, graphics);
  g_assert_cmpint (lacuna_dicom_file_has (out, "50003000"), ==, graphics);
  g_assert_cmpint (lacuna_dicom_file_has (out, "60004000"), ==, graphics);   /* C: text cleaned */
  /* Private: removed (its creator is not one of the safe list). */
  g_assert_false (lacuna_dicom_file_has (out, "00090010"));
  g_assert_false (lacuna_dicom_file_has (out, "00091001"));
}

static void
test_conformance_option (gconstpointer data)
{
  run_option ((LacunaProfileOption) GPOINTER_TO_UINT (data));
}

/* Lines starting "Error" that are in b but not in a. */
static char *
new_errors (const char *a,
            const char *b)
{
  g_auto(GStrv) la = g_strsplit (a, "\n", -1);
  g_auto(GStrv) lb = g_strsplit (b, "\n", -1);
  GString *out = g_string_new (NULL);

  for (char **l = lb; *l != NULL; l++)
    {
      if (!g_str_has_prefix (*l, "Error"))
        continue;
      if (!g_strv_contains ((const char * const *) la, *l))
        g_string_append_printf (out, "%s\n", *l);
    }
  return g_string_free (out, FALSE);
}

static void
test_conformance_dciodvfy (void)
{
  g_autofree char *in = lacuna_test_dup_testdata (
    "phi-header/tcia_pseudo_phi_MR_series/dicom/1-01.dcm");
  g_autofree char *tmp = NULL;
  g_autoptr(LacunaKey) key = test_key ();
  LacunaProfileOption runs[] = { LACUNA_PROFILE_OPTION_NONE,
                                 LACUNA_PROFILE_OPTION_RETAIN_MODIFIED_DATES |
                                 LACUNA_PROFILE_OPTION_CLEAN_DESCRIPTORS,
                                 LACUNA_PROFILE_OPTIONS_ALL };
  g_autofree char *in_out = NULL;
  g_autofree char *in_err = NULL;

  if (in == NULL || !lacuna_test_require_program ("dciodvfy", "dicom3tools"))
    return;
  tmp = lacuna_test_make_tmpdir ();
  {
    const char *argv[] = { "dciodvfy", in, NULL };

    lacuna_test_run (argv, &in_out, &in_err);
  }

  for (guint r = 0; r < G_N_ELEMENTS (runs); r++)
    {
      g_autofree char *out = g_strdup_printf ("%s/%u.dcm", tmp, r);
      g_autoptr(LacunaDicomFile) file = NULL;
      g_autoptr(LacunaDeidOptions) options = lacuna_deid_options_new ();
      g_autoptr(LacunaDeidContext) ctx = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *o_out = NULL;
      g_autofree char *o_err = NULL;
      g_autofree char *before = NULL;
      g_autofree char *after = NULL;
      g_autofree char *added = NULL;
      const char *argv[] = { "dciodvfy", out, NULL };

      options->options = runs[r];
      if (runs[r] & LACUNA_PROFILE_OPTION_RETAIN_FULL_DATES)
        options->options &= ~LACUNA_PROFILE_OPTION_RETAIN_MODIFIED_DATES;
      ctx = lacuna_deid_context_new (key, options, NULL, &error);
      file = lacuna_dicom_file_open (in, LACUNA_DICOM_OPEN_DEFAULT, &error);
      g_assert_no_error (error);
      g_assert_true (lacuna_deid_apply (ctx, file, NULL, &error));
      g_assert_true (lacuna_dicom_file_save (file, out, NULL, &error));
      g_assert_no_error (error);

      lacuna_test_run (argv, &o_out, &o_err);
      before = g_strconcat (in_out ? in_out : "", in_err ? in_err : "", NULL);
      after = g_strconcat (o_out ? o_out : "", o_err ? o_err : "", NULL);
      g_assert_true (strstr (after, "MRImage") != NULL);   /* it did validate the output */
      added = new_errors (before, after);
      if (*added != '\0')
        g_test_message ("new dciodvfy errors (options 0x%x):\n%s", runs[r], added);
      g_assert_cmpstr (added, ==, "");
    }
}

int
main (int   argc,
      char *argv[])
{
  guint n_options;
  const LacunaProfileOptionInfo *infos;

  g_test_init (&argc, &argv, NULL);
  lacuna_dicom_init ();

  g_test_add_data_func ("/core/deid-conformance/basic", GUINT_TO_POINTER (0),
                        test_conformance_option);
  infos = lacuna_profile_get_options (&n_options);
  for (guint i = 0; i < n_options; i++)
    {
      g_autofree char *name = g_strdup_printf ("/core/deid-conformance/%s", infos[i].cli_name);

      g_test_add_data_func (name, GUINT_TO_POINTER ((guint) infos[i].option),
                            test_conformance_option);
    }
  g_test_add_func ("/core/deid-conformance/dciodvfy", test_conformance_dciodvfy);

  return g_test_run ();
}
