/* test-profile.c: PS3.15 Table E.1-1 as compiled into the engine, checked row by row against
 * an independent extract of the standard (the shared reference JSON), plus the look-up and
 * resolution rules. */

#define G_LOG_DOMAIN "test-profile"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "lacuna-profile.h"
#include "lacuna-test-util.h"

#define REFERENCE_JSON "ps3.15-table-e1-1.json"

/* The reference folder sits next to the shared test data ($LACUNA_TESTDATA/../reference).
 * Returns the file's path, or NULL after g_test_skip() with a message saying where it looked. */
static char *
dup_reference (const char *name)
{
  const char *testdata = lacuna_test_get_testdata ();
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;

  if (testdata == NULL)
    return NULL;   /* already skipped */
  dir = g_canonicalize_filename ("../reference", testdata);
  path = g_build_filename (dir, name, NULL);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *msg = g_strdup_printf ("the PS3.15 reference %s is not at %s "
                                              "(it lives next to $LACUNA_TESTDATA, in ../reference)",
                                              name, dir);
      g_test_skip (msg);
      return NULL;
    }
  return g_steal_pointer (&path);
}

static JsonArray *
load_reference_rows (JsonParser **parser_out)
{
  g_autofree char *path = dup_reference (REFERENCE_JSON);
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  if (path == NULL)
    return NULL;
  parser = json_parser_new ();
  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_nonnull (root);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));
  *parser_out = g_steal_pointer (&parser);
  return json_node_get_array (root);
}

/* The reference's option column keys, in LacunaProfileOptionIndex order. */
static const char * const json_option_keys[] = {
  "rtnSafePrivOpt",
  "rtnUIDsOpt",
  "rtnDevIdOpt",
  "rtnInstIdOpt",
  "rtnPatCharsOpt",
  "rtnLongFullDatesOpt",
  "rtnLongModifDatesOpt",
  "cleanDescOpt",
  "cleanStructContOpt",
  "cleanGraphOpt",
};

/* "(0008,0050)" -> exact; "(60XX,3000)" -> X digits masked out, with the lowest group bit kept
 * in the mask (repeating groups are even, odd groups private); the private row's text
 * "(GGGG,EEEE) WHERE GGGG IS ODD" -> any odd group. */
static void
parse_reference_tag (const char *text,
                     guint32    *tag,
                     guint32    *mask)
{
  guint32 t = 0;
  guint32 m = 0;
  gboolean group_masked = FALSE;
  int digits = 0;

  if (g_str_equal (text, "(GGGG,EEEE) WHERE GGGG IS ODD"))
    {
      *tag = 0x00010000;
      *mask = 0x00010000;
      return;
    }

  g_assert_cmpint (strlen (text), ==, 11);
  g_assert_cmpint (text[0], ==, '(');
  g_assert_cmpint (text[5], ==, ',');
  g_assert_cmpint (text[10], ==, ')');
  for (const char *p = text + 1; *p != ')'; p++)
    {
      if (*p == ',')
        continue;
      t <<= 4;
      m <<= 4;
      if (*p == 'X' || *p == 'x')
        {
          if (digits < 4)
            group_masked = TRUE;
        }
      else
        {
          g_assert_true (g_ascii_isxdigit (*p));
          t |= g_ascii_xdigit_value (*p);
          m |= 0xF;
        }
      digits++;
    }
  g_assert_cmpint (digits, ==, 8);
  if (group_masked)
    m |= 0x00010000;
  *tag = t;
  *mask = m;
}

/* The standard's names, without footnote references the extract kept in the name cell
 * ("Icon Image Sequence\n\n(see Note 11)"), with whitespace collapsed. */
static char *
normalize_reference_name (const char *name)
{
  g_autoptr(GRegex) note = g_regex_new ("\\s*\\(see Note \\d+\\)", 0, 0, NULL);
  g_autoptr(GRegex) spaces = g_regex_new ("\\s+", 0, 0, NULL);
  g_autofree char *no_note = g_regex_replace_literal (note, name, -1, 0, "", 0, NULL);
  g_autofree char *collapsed = g_regex_replace_literal (spaces, no_note, -1, 0, " ", 0, NULL);

  return g_strstrip (g_steal_pointer (&collapsed));
}

static const char *
action_str (LacunaProfileAction action)
{
  const char *s = lacuna_profile_action_to_string (action);

  return s != NULL ? s : "(none)";
}

static void
test_table_matches_reference (void)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonArray *rows = load_reference_rows (&parser);
  guint n_rules;
  const LacunaProfileRule *rules = lacuna_profile_get_rules (&n_rules);
  g_autofree guint *hits = g_new0 (guint, n_rules);
  guint json_counts[LACUNA_PROFILE_N_ACTIONS] = { 0 };
  guint our_counts[LACUNA_PROFILE_N_ACTIONS] = { 0 };
  guint n_rows;

  if (rows == NULL)
    return;

  G_STATIC_ASSERT (G_N_ELEMENTS (json_option_keys) == LACUNA_PROFILE_OPTION_INDEX_CLEAN_GRAPHICS + 1);

  n_rows = json_array_get_length (rows);
  g_test_message ("reference: %u rows; table: %u rows, edition %s",
                  n_rows, n_rules, LACUNA_PROFILE_EDITION);
  g_assert_cmpuint (n_rows, >, 600);

  for (guint r = 0; r < n_rows; r++)
    {
      JsonObject *row = json_array_get_object_element (rows, r);
      const char *tag_text = json_object_get_string_member (row, "tag");
      const char *basic_text = json_object_get_string_member (row, "basicProfile");
      const char *std_text = json_object_get_string_member (row, "stdCompIOD");
      g_autofree char *name = normalize_reference_name (json_object_get_string_member (row, "name"));
      const LacunaProfileRule *rule = NULL;
      LacunaProfileAction basic;
      guint32 tag, mask;
      guint n_found = 0;

      parse_reference_tag (tag_text, &tag, &mask);
      for (guint i = 0; i < n_rules; i++)
        {
          if (rules[i].tag == tag && rules[i].mask == mask)
            {
              rule = &rules[i];
              hits[i]++;
              n_found++;
            }
        }
      if (n_found != 1)
        g_test_message ("reference row %s %s: %u rows in our table", tag_text, name, n_found);
      g_assert_cmpuint (n_found, ==, 1);

      /* "<tag> <what>" on both sides, so a failure names the row. */
#define CHECK_FIELD(what, ours, theirs)                                           \
      G_STMT_START {                                                                \
        g_autofree char *ours_ = g_strdup_printf ("%s %s: %s", tag_text, what, ours); \
        g_autofree char *theirs_ = g_strdup_printf ("%s %s: %s", tag_text, what,     \
                                                    theirs);                          \
        g_assert_cmpstr (ours_, ==, theirs_);                                         \
      } G_STMT_END

      CHECK_FIELD ("name", rule->name, name);
      CHECK_FIELD ("in std. comp. IOD", rule->in_std_comp_iod ? "Y" : "N", std_text);

      basic = lacuna_profile_action_from_string (basic_text);
      g_assert_cmpint (basic, !=, LACUNA_PROFILE_ACTION_NONE);
      CHECK_FIELD ("basic", action_str (rule->basic), basic_text);
      json_counts[basic]++;

      for (guint o = 0; o < G_N_ELEMENTS (json_option_keys); o++)
        {
          const char *theirs = json_object_get_string_member_with_default (row, json_option_keys[o],
                                                                           "(none)");

          CHECK_FIELD (json_option_keys[o], action_str (rule->per_option[o]), theirs);
        }
      /* The two pixel options have no column. */
      g_assert_cmpint (rule->per_option[LACUNA_PROFILE_OPTION_INDEX_CLEAN_PIXEL_DATA],
                       ==, LACUNA_PROFILE_ACTION_NONE);
      g_assert_cmpint (rule->per_option[LACUNA_PROFILE_OPTION_INDEX_CLEAN_RECOGNIZABLE_VISUAL_FEATURES],
                       ==, LACUNA_PROFILE_ACTION_NONE);
#undef CHECK_FIELD
    }

  /* No extra rows in ours. */
  for (guint i = 0; i < n_rules; i++)
    {
      if (hits[i] != 1)
        g_test_message ("our row (%04X,%04X) %s matches %u reference rows",
                        rules[i].tag >> 16, rules[i].tag & 0xFFFF, rules[i].name, hits[i]);
      g_assert_cmpuint (hits[i], ==, 1);
      our_counts[rules[i].basic]++;
    }
  g_assert_cmpuint (n_rules, ==, n_rows);

  for (guint a = 0; a < LACUNA_PROFILE_N_ACTIONS; a++)
    {
      g_test_message ("basic %s: %u rows", action_str (a), our_counts[a]);
      g_assert_cmpuint (our_counts[a], ==, json_counts[a]);
    }
}

/* Where is DCMTK's data dictionary? DCMDICTPATH first, then Debian's place. */
static GHashTable *
load_dcmtk_keywords (void)
{
  const char *candidates[] = { g_getenv ("DCMDICTPATH"), "/usr/share/libdcmtk17/dicom.dic" };
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  GHashTable *keywords;

  for (guint i = 0; i < G_N_ELEMENTS (candidates) && contents == NULL; i++)
    {
      if (candidates[i] != NULL && strchr (candidates[i], ':') == NULL)
        g_file_get_contents (candidates[i], &contents, NULL, NULL);
    }
  if (contents == NULL)
    return NULL;

  keywords = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = NULL;
      const char *kw;

      if (lines[i][0] != '(')
        continue;
      fields = g_strsplit (lines[i], "\t", -1);
      if (g_strv_length (fields) < 3)
        continue;
      kw = fields[2];
      if (g_str_has_prefix (kw, "RETIRED_"))
        kw += strlen ("RETIRED_");
      /* "(0008,0050)" and ranges such as "(6000-60FF,3000)" */
      g_hash_table_replace (keywords, g_ascii_strup (fields[0], -1), g_strdup (kw));
    }
  return keywords;
}

static void
test_table_structure (void)
{
  guint n_rules;
  const LacunaProfileRule *rules = lacuna_profile_get_rules (&n_rules);
  g_autoptr(GHashTable) dcmtk = load_dcmtk_keywords ();
  gboolean in_masked = FALSE;
  guint n_masked = 0;
  guint n_keywords = 0;

  g_assert_cmpuint (n_rules, >, 0);
  for (guint i = 0; i < n_rules; i++)
    {
      const LacunaProfileRule *rule = &rules[i];

      g_assert_nonnull (rule->name);
      g_assert_cmpstr (rule->name, !=, "");
      g_assert_cmpint (rule->basic, >, LACUNA_PROFILE_ACTION_NONE);
      g_assert_cmpint (rule->basic, <, LACUNA_PROFILE_N_ACTIONS);
      g_assert_cmpuint (rule->tag & ~rule->mask, ==, 0);
      /* Option columns only ever say keep or clean. */
      for (guint o = 0; o < LACUNA_PROFILE_N_OPTIONS; o++)
        g_assert_true (rule->per_option[o] == LACUNA_PROFILE_ACTION_NONE ||
                       rule->per_option[o] == LACUNA_PROFILE_ACTION_K ||
                       rule->per_option[o] == LACUNA_PROFILE_ACTION_C);

      if (rule->mask != 0xFFFFFFFF)
        {
          in_masked = TRUE;
          n_masked++;
        }
      else
        {
          /* Exact rows: strictly ascending, all before the masked ones. */
          g_assert_false (in_masked);
          if (i > 0)
            g_assert_cmphex (rules[i - 1].tag, <, rule->tag);
        }

      if (rule->keyword != NULL)
        {
          for (const char *p = rule->keyword; *p != '\0'; p++)
            g_assert_true (g_ascii_isalnum (*p));
          n_keywords++;
        }

      /* The keyword is DCMTK's for that tag (or range), when DCMTK knows it. */
      if (dcmtk != NULL && rule->mask != 0x00010000)
        {
          g_autofree char *key = NULL;
          const char *theirs;

          if (rule->mask == 0xFFFFFFFF)
            key = g_strdup_printf ("(%04X,%04X)", rule->tag >> 16, rule->tag & 0xFFFF);
          else
            key = g_strdup_printf ("(%02X00-%02XFF,%04X)", rule->tag >> 24, rule->tag >> 24,
                                   rule->tag & 0xFFFF);
          theirs = g_hash_table_lookup (dcmtk, key);
          g_assert_cmpstr (rule->keyword, ==, theirs);
        }
    }
  g_assert_cmpuint (n_masked, ==, 4);
  g_assert_cmpuint (n_keywords, >, n_rules * 9 / 10);
  if (dcmtk == NULL)
    g_test_message ("DCMTK's dicom.dic not found: keywords not compared");
}

typedef struct
{
  guint32     tag;
  const char *name;   /* NULL: not in the table */
} LookupCase;

static void
test_lookup (void)
{
  static const LookupCase cases[] = {
    { 0x00080050, "Accession Number" },
    { 0x00100010, "Patient's Name" },
    { 0x00100020, "Patient ID" },
    { 0x00100030, "Patient's Birth Date" },
    { 0x00080022, "Acquisition Date" },
    { 0x0020000D, "Study Instance UID" },
    { 0x00081140, "Referenced Image Sequence" },
    { 0x00880200, "Icon Image Sequence" },
    { 0x00001000, "Affected SOP Instance UID" },       /* first row */
    { 0xFFFCFFFC, "Data Set Trailing Padding" },       /* last exact row */
    { 0xFFFAFFFA, "Digital Signatures Sequence" },
    /* Overlays: even groups 6000–601E (and beyond, the mask allows 60xx even). */
    { 0x60003000, "Overlay Data" },
    { 0x60023000, "Overlay Data" },
    { 0x601E3000, "Overlay Data" },
    { 0x60004000, "Overlay Comments" },
    { 0x600E4000, "Overlay Comments" },
    { 0x60000010, NULL },                              /* Overlay Rows: not in the table */
    { 0x60020040, NULL },                              /* Overlay Type */
    /* Odd groups are private, never overlays or curves. */
    { 0x60013000, "Private Attributes" },
    { 0x60014000, "Private Attributes" },
    { 0x50010010, "Private Attributes" },
    /* Curves: every element of even groups 50xx. */
    { 0x50000000, "Curve Data" },
    { 0x50003000, "Curve Data" },
    { 0x50020010, "Curve Data" },
    { 0x501E0005, "Curve Data" },
    /* Private groups, creators and blocks. */
    { 0x00090010, "Private Attributes" },
    { 0x00191010, "Private Attributes" },
    { 0x00291010, "Private Attributes" },
    { 0x7FE10010, "Private Attributes" },
    /* Not in the table. */
    { 0x7FE00010, NULL },                              /* Pixel Data */
    { 0x00280010, NULL },                              /* Rows */
    { 0x00080060, NULL },                              /* Modality */
    { 0x00080051, NULL },                              /* between two rows */
    { 0x00000000, NULL },
    { 0xFFFEE000, NULL },                              /* Item */
    { 0x50100000, "Curve Data" },
    { 0x61003000, NULL },                              /* not a 60xx group */
  };
  guint n_rules;
  const LacunaProfileRule *rules = lacuna_profile_get_rules (&n_rules);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const LacunaProfileRule *rule = lacuna_profile_lookup (cases[i].tag);
      g_autofree char *what = g_strdup_printf ("(%04X,%04X) -> %s", cases[i].tag >> 16,
                                               cases[i].tag & 0xFFFF,
                                               rule != NULL ? rule->name : "(none)");
      g_autofree char *expected = g_strdup_printf ("(%04X,%04X) -> %s", cases[i].tag >> 16,
                                                   cases[i].tag & 0xFFFF,
                                                   cases[i].name != NULL ? cases[i].name : "(none)");

      g_assert_cmpstr (what, ==, expected);
      if (rule != NULL)
        g_assert_true (lacuna_profile_rule_matches (rule, cases[i].tag));
    }

  /* Every row is found by its own tag. */
  for (guint i = 0; i < n_rules; i++)
    g_assert_true (lacuna_profile_lookup (rules[i].tag) == &rules[i]);
}

typedef struct
{
  guint32              tag;
  LacunaProfileOption  options;
  const char          *expected;
} ResolveCase;

static void
test_resolve (void)
{
  static const ResolveCase cases[] = {
    /* Acquisition Date: X/Z, Full Dates K, Modified Dates C. */
    { 0x00080022, LACUNA_PROFILE_OPTION_NONE, "X/Z" },
    { 0x00080022, LACUNA_PROFILE_OPTION_RETAIN_FULL_DATES, "K" },
    { 0x00080022, LACUNA_PROFILE_OPTION_RETAIN_MODIFIED_DATES, "C" },
    { 0x00080022, LACUNA_PROFILE_OPTION_RETAIN_FULL_DATES |
                  LACUNA_PROFILE_OPTION_RETAIN_MODIFIED_DATES, "K" },
    { 0x00080022, LACUNA_PROFILE_OPTION_CLEAN_DESCRIPTORS |
                  LACUNA_PROFILE_OPTION_RETAIN_UIDS, "X/Z" },
    /* Date of Last Calibration: X, Device Identity K, Full Dates K, Modified Dates C. */
    { 0x00181200, LACUNA_PROFILE_OPTION_NONE, "X" },
    { 0x00181200, LACUNA_PROFILE_OPTION_RETAIN_DEVICE_IDENTITY, "K" },
    { 0x00181200, LACUNA_PROFILE_OPTION_RETAIN_MODIFIED_DATES, "C" },
    { 0x00181200, LACUNA_PROFILE_OPTION_RETAIN_DEVICE_IDENTITY |
                  LACUNA_PROFILE_OPTION_RETAIN_MODIFIED_DATES, "C" },
    { 0x00181200, LACUNA_PROFILE_OPTION_RETAIN_DEVICE_IDENTITY |
                  LACUNA_PROFILE_OPTION_RETAIN_FULL_DATES, "K" },
    { 0x00181200, LACUNA_PROFILE_OPTION_RETAIN_DEVICE_IDENTITY |
                  LACUNA_PROFILE_OPTION_RETAIN_FULL_DATES |
                  LACUNA_PROFILE_OPTION_RETAIN_MODIFIED_DATES, "K" },
    /* Device UID: U, UIDs K, Device Identity K. */
    { 0x00181002, LACUNA_PROFILE_OPTION_NONE, "U" },
    { 0x00181002, LACUNA_PROFILE_OPTION_RETAIN_UIDS, "K" },
    { 0x00181002, LACUNA_PROFILE_OPTION_RETAIN_DEVICE_IDENTITY, "K" },
    { 0x00181002, LACUNA_PROFILE_OPTION_RETAIN_UIDS |
                  LACUNA_PROFILE_OPTION_RETAIN_DEVICE_IDENTITY, "K" },
    /* Allergies: X, Patient Characteristics C, Clean Descriptors C. */
    { 0x00102110, LACUNA_PROFILE_OPTION_NONE, "X" },
    { 0x00102110, LACUNA_PROFILE_OPTION_RETAIN_PATIENT_CHARACTERISTICS, "C" },
    { 0x00102110, LACUNA_PROFILE_OPTION_CLEAN_DESCRIPTORS, "C" },
    { 0x00102110, LACUNA_PROFILE_OPTION_RETAIN_PATIENT_CHARACTERISTICS |
                  LACUNA_PROFILE_OPTION_CLEAN_DESCRIPTORS, "C" },
    /* Patient's Age, Patient's Sex. */
    { 0x00101010, LACUNA_PROFILE_OPTION_NONE, "X" },
    { 0x00101010, LACUNA_PROFILE_OPTION_RETAIN_PATIENT_CHARACTERISTICS, "K" },
    { 0x00100040, LACUNA_PROFILE_OPTION_NONE, "Z" },
    { 0x00100040, LACUNA_PROFILE_OPTION_RETAIN_PATIENT_CHARACTERISTICS, "K" },
    /* Patient's Name and Patient ID: no option keeps them. */
    { 0x00100010, LACUNA_PROFILE_OPTIONS_ALL, "Z" },
    { 0x00100020, LACUNA_PROFILE_OPTIONS_ALL, "Z/D" },
    /* Institution Name: X/Z/D, Institution Identity K. */
    { 0x00080080, LACUNA_PROFILE_OPTION_NONE, "X/Z/D" },
    { 0x00080080, LACUNA_PROFILE_OPTION_RETAIN_INSTITUTION_IDENTITY, "K" },
    /* Referenced Image Sequence: X/Z/U*, UIDs K. */
    { 0x00081140, LACUNA_PROFILE_OPTION_NONE, "X/Z/U*" },
    { 0x00081140, LACUNA_PROFILE_OPTION_RETAIN_UIDS, "K" },
    /* Content Sequence: D, Clean Structured Content C. */
    { 0x0040A730, LACUNA_PROFILE_OPTION_NONE, "D" },
    { 0x0040A730, LACUNA_PROFILE_OPTION_CLEAN_STRUCTURED_CONTENT, "C" },
    /* Overlays and curves: Clean Graphics C; the pixel options change nothing. */
    { 0x60023000, LACUNA_PROFILE_OPTION_NONE, "X" },
    { 0x60023000, LACUNA_PROFILE_OPTION_CLEAN_GRAPHICS, "C" },
    { 0x60023000, LACUNA_PROFILE_OPTION_CLEAN_PIXEL_DATA |
                  LACUNA_PROFILE_OPTION_CLEAN_RECOGNIZABLE_VISUAL_FEATURES, "X" },
    { 0x50000010, LACUNA_PROFILE_OPTION_CLEAN_GRAPHICS, "C" },
    /* Private attributes: X, Retain Safe Private C (keep only the known-safe ones). */
    { 0x00291010, LACUNA_PROFILE_OPTION_NONE, "X" },
    { 0x00291010, LACUNA_PROFILE_OPTION_RETAIN_SAFE_PRIVATE, "C" },
    { 0x60013000, LACUNA_PROFILE_OPTION_CLEAN_GRAPHICS, "X" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const LacunaProfileRule *rule = lacuna_profile_lookup (cases[i].tag);
      g_autofree char *got = NULL;
      g_autofree char *expected = NULL;

      g_assert_nonnull (rule);
      got = g_strdup_printf ("%s options 0x%x -> %s", rule->name, cases[i].options,
                             action_str (lacuna_profile_resolve (rule, cases[i].options)));
      expected = g_strdup_printf ("%s options 0x%x -> %s", rule->name, cases[i].options,
                                  cases[i].expected);
      g_assert_cmpstr (got, ==, expected);
    }

  g_assert_cmpint (lacuna_profile_resolve (NULL, LACUNA_PROFILE_OPTIONS_ALL),
                   ==, LACUNA_PROFILE_ACTION_NONE);
}

/* Every row, every single option: the option's entry if it has one, else the basic action. */
static void
test_resolve_every_rule (void)
{
  guint n_rules;
  const LacunaProfileRule *rules = lacuna_profile_get_rules (&n_rules);

  for (guint i = 0; i < n_rules; i++)
    {
      g_assert_cmpint (lacuna_profile_resolve (&rules[i], LACUNA_PROFILE_OPTION_NONE),
                       ==, rules[i].basic);
      for (guint o = 0; o < LACUNA_PROFILE_N_OPTIONS; o++)
        {
          LacunaProfileAction entry = rules[i].per_option[o];
          LacunaProfileAction expected = entry != LACUNA_PROFILE_ACTION_NONE ? entry
                                                                             : rules[i].basic;

          g_assert_cmpint (lacuna_profile_resolve (&rules[i], 1u << o), ==, expected);
        }
    }
}

static void
test_resolve_type (void)
{
  /* Rows: actions in enum order; columns: UNKNOWN, 1, 1C, 2, 2C, 3. */
  static const struct
  {
    const char *action;
    const char *by_type[6];
  } expected[] = {
    { "X",      { "X", "X", "X", "X", "X", "X" } },
    { "Z",      { "Z", "D", "D", "Z", "Z", "Z" } },
    { "D",      { "D", "D", "D", "D", "D", "D" } },
    { "K",      { "K", "K", "K", "K", "K", "K" } },
    { "C",      { "C", "C", "C", "C", "C", "C" } },
    { "U",      { "U", "U", "U", "U", "U", "U" } },
    { "Z/D",    { "D", "D", "D", "Z", "Z", "Z" } },
    { "X/Z",    { "Z", "D", "D", "Z", "Z", "X" } },
    { "X/D",    { "D", "D", "D", "D", "D", "X" } },
    { "X/Z/D",  { "D", "D", "D", "Z", "Z", "X" } },
    { "X/Z/U*", { "U", "U", "U", "Z", "Z", "X" } },
  };
  static const LacunaProfileAttributeType types[6] = {
    LACUNA_PROFILE_TYPE_UNKNOWN, LACUNA_PROFILE_TYPE_1, LACUNA_PROFILE_TYPE_1C,
    LACUNA_PROFILE_TYPE_2, LACUNA_PROFILE_TYPE_2C, LACUNA_PROFILE_TYPE_3,
  };
  static const char * const type_names[6] = { "unknown", "1", "1C", "2", "2C", "3" };

  G_STATIC_ASSERT (G_N_ELEMENTS (expected) == LACUNA_PROFILE_N_ACTIONS - 1);

  for (guint a = 0; a < G_N_ELEMENTS (expected); a++)
    {
      LacunaProfileAction action = lacuna_profile_action_from_string (expected[a].action);

      g_assert_cmpint (action, ==, a + 1);
      for (guint t = 0; t < G_N_ELEMENTS (types); t++)
        {
          LacunaProfileAction got = lacuna_profile_resolve_type (action, types[t]);
          g_autofree char *g = g_strdup_printf ("%s Type %s -> %s", expected[a].action,
                                                type_names[t], action_str (got));
          g_autofree char *e = g_strdup_printf ("%s Type %s -> %s", expected[a].action,
                                                type_names[t], expected[a].by_type[t]);

          g_assert_cmpstr (g, ==, e);
        }
    }

  for (guint t = 0; t < G_N_ELEMENTS (types); t++)
    g_assert_cmpint (lacuna_profile_resolve_type (LACUNA_PROFILE_ACTION_NONE, types[t]),
                     ==, LACUNA_PROFILE_ACTION_NONE);

  /* Types from PS3.3 spellings. */
  for (guint t = 1; t < G_N_ELEMENTS (types); t++)
    g_assert_cmpint (lacuna_profile_attribute_type_from_string (type_names[t]), ==, types[t]);
  g_assert_cmpint (lacuna_profile_attribute_type_from_string ("1c"), ==, LACUNA_PROFILE_TYPE_1C);
  g_assert_cmpint (lacuna_profile_attribute_type_from_string ("4"), ==, LACUNA_PROFILE_TYPE_UNKNOWN);
  g_assert_cmpint (lacuna_profile_attribute_type_from_string (""), ==, LACUNA_PROFILE_TYPE_UNKNOWN);
  g_assert_cmpint (lacuna_profile_attribute_type_from_string (NULL), ==, LACUNA_PROFILE_TYPE_UNKNOWN);
}

static void
test_action_strings (void)
{
  static const char * const spellings[] = {
    "X", "Z", "D", "K", "C", "U", "Z/D", "X/Z", "X/D", "X/Z/D", "X/Z/U*",
  };
  static const char * const bad[] = { "", "x", "X/Z/U", "Z/X", " X", "XZ", "NONE", "(none)" };

  G_STATIC_ASSERT (G_N_ELEMENTS (spellings) == LACUNA_PROFILE_N_ACTIONS - 1);

  for (guint i = 0; i < G_N_ELEMENTS (spellings); i++)
    {
      LacunaProfileAction action = lacuna_profile_action_from_string (spellings[i]);

      g_assert_cmpint (action, ==, i + 1);
      g_assert_cmpstr (lacuna_profile_action_to_string (action), ==, spellings[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_cmpint (lacuna_profile_action_from_string (bad[i]), ==, LACUNA_PROFILE_ACTION_NONE);
  g_assert_cmpint (lacuna_profile_action_from_string (NULL), ==, LACUNA_PROFILE_ACTION_NONE);
  g_assert_null (lacuna_profile_action_to_string (LACUNA_PROFILE_ACTION_NONE));
  g_assert_null (lacuna_profile_action_to_string (LACUNA_PROFILE_N_ACTIONS));
  g_assert_null (lacuna_profile_action_to_string ((LacunaProfileAction) -1));
}

static void
test_options (void)
{
  /* CID 7050, as the standard lists it (independent of the engine's table). */
  static const struct
  {
    LacunaProfileOption  option;
    const char          *cli;
    const char          *code;
    const char          *meaning;
  } expected[] = {
    { LACUNA_PROFILE_OPTION_RETAIN_SAFE_PRIVATE, "--retain-safe-private",
      "113111", "Retain Safe Private Option" },
    { LACUNA_PROFILE_OPTION_RETAIN_UIDS, "--retain-uids",
      "113110", "Retain UIDs Option" },
    { LACUNA_PROFILE_OPTION_RETAIN_DEVICE_IDENTITY, "--retain-device-identity",
      "113109", "Retain Device Identity Option" },
    { LACUNA_PROFILE_OPTION_RETAIN_INSTITUTION_IDENTITY, "--retain-institution-identity",
      "113112", "Retain Institution Identity Option" },
    { LACUNA_PROFILE_OPTION_RETAIN_PATIENT_CHARACTERISTICS, "--retain-patient-characteristics",
      "113108", "Retain Patient Characteristics Option" },
    { LACUNA_PROFILE_OPTION_RETAIN_FULL_DATES, "--retain-full-dates",
      "113106", "Retain Longitudinal Temporal Information Full Dates Option" },
    { LACUNA_PROFILE_OPTION_RETAIN_MODIFIED_DATES, "--retain-modified-dates",
      "113107", "Retain Longitudinal Temporal Information Modified Dates Option" },
    { LACUNA_PROFILE_OPTION_CLEAN_DESCRIPTORS, "--clean-descriptors",
      "113105", "Clean Descriptors Option" },
    { LACUNA_PROFILE_OPTION_CLEAN_STRUCTURED_CONTENT, "--clean-structured-content",
      "113104", "Clean Structured Content Option" },
    { LACUNA_PROFILE_OPTION_CLEAN_GRAPHICS, "--clean-graphics",
      "113103", "Clean Graphics Option" },
    { LACUNA_PROFILE_OPTION_CLEAN_PIXEL_DATA, "--clean-pixel-data",
      "113101", "Clean Pixel Data Option" },
    { LACUNA_PROFILE_OPTION_CLEAN_RECOGNIZABLE_VISUAL_FEATURES,
      "--clean-recognizable-visual-features",
      "113102", "Clean Recognizable Visual Features Option" },
  };
  guint n_options;
  const LacunaProfileOptionInfo *infos = lacuna_profile_get_options (&n_options);
  LacunaProfileOption seen = LACUNA_PROFILE_OPTION_NONE;

  g_assert_cmpuint (n_options, ==, LACUNA_PROFILE_N_OPTIONS);
  g_assert_cmpuint (G_N_ELEMENTS (expected), ==, n_options);

  for (guint i = 0; i < n_options; i++)
    {
      const LacunaProfileOptionInfo *info = &infos[i];
      const char *description;

      /* In index order, one bit each. */
      g_assert_cmpuint (info->option, ==, expected[i].option);
      g_assert_cmpuint (info->option, ==, 1u << i);
      g_assert_cmpint (lacuna_profile_option_get_index (info->option), ==, (int) i);
      g_assert_true (lacuna_profile_option_get_info (info->option) == info);
      g_assert_cmpuint (seen & info->option, ==, 0);
      seen |= info->option;

      g_assert_cmpstr (info->code_value, ==, expected[i].code);
      g_assert_cmpstr (info->code_meaning, ==, expected[i].meaning);
      g_assert_cmpstr (info->cli_name, ==, expected[i].cli + 2);

      /* Round trips. */
      g_assert_cmpuint (lacuna_profile_option_from_cli_name (expected[i].cli), ==, info->option);
      g_assert_cmpuint (lacuna_profile_option_from_cli_name (info->cli_name), ==, info->option);
      g_assert_cmpuint (lacuna_profile_option_from_code_value (info->code_value), ==, info->option);

      /* One sentence for --help and the GUI. */
      description = lacuna_profile_option_get_description (info->option);
      g_assert_nonnull (description);
      g_assert_cmpuint (strlen (description), >, 20);
      g_assert_true (g_str_has_suffix (description, "."));
      g_assert_null (strchr (description, '\n'));
    }
  g_assert_cmpuint (seen, ==, LACUNA_PROFILE_OPTIONS_ALL);

  g_assert_cmpuint (lacuna_profile_option_from_code_value (LACUNA_PROFILE_BASIC_CODE_VALUE),
                    ==, LACUNA_PROFILE_OPTION_NONE);
  g_assert_cmpstr (LACUNA_PROFILE_BASIC_CODE_VALUE, ==, "113100");
  g_assert_cmpuint (lacuna_profile_option_from_code_value ("113113"), ==, LACUNA_PROFILE_OPTION_NONE);
  g_assert_cmpuint (lacuna_profile_option_from_code_value (NULL), ==, LACUNA_PROFILE_OPTION_NONE);
  g_assert_cmpuint (lacuna_profile_option_from_cli_name ("retain"), ==, LACUNA_PROFILE_OPTION_NONE);
  g_assert_cmpuint (lacuna_profile_option_from_cli_name ("-retain-uids"), ==, LACUNA_PROFILE_OPTION_NONE);
  g_assert_cmpuint (lacuna_profile_option_from_cli_name (""), ==, LACUNA_PROFILE_OPTION_NONE);
  g_assert_cmpuint (lacuna_profile_option_from_cli_name (NULL), ==, LACUNA_PROFILE_OPTION_NONE);

  g_assert_null (lacuna_profile_option_get_info (LACUNA_PROFILE_OPTION_NONE));
  g_assert_null (lacuna_profile_option_get_info (LACUNA_PROFILE_OPTION_RETAIN_UIDS |
                                                 LACUNA_PROFILE_OPTION_RETAIN_FULL_DATES));
  g_assert_null (lacuna_profile_option_get_info ((LacunaProfileOption) (1u << LACUNA_PROFILE_N_OPTIONS)));
  g_assert_null (lacuna_profile_option_get_description (LACUNA_PROFILE_OPTION_NONE));
  g_assert_cmpint (lacuna_profile_option_get_index (LACUNA_PROFILE_OPTIONS_ALL), ==, -1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/profile/table/matches-reference", test_table_matches_reference);
  g_test_add_func ("/core/profile/table/structure", test_table_structure);
  g_test_add_func ("/core/profile/lookup", test_lookup);
  g_test_add_func ("/core/profile/resolve/options", test_resolve);
  g_test_add_func ("/core/profile/resolve/every-rule", test_resolve_every_rule);
  g_test_add_func ("/core/profile/resolve/type", test_resolve_type);
  g_test_add_func ("/core/profile/action-strings", test_action_strings);
  g_test_add_func ("/core/profile/options", test_options);

  return g_test_run ();
}
