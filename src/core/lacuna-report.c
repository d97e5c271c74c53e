/* lacuna-report.c: merging the shards' manifests into the report, the final steps of an
 * export (DICOMDIR, .zip), and the report's JSON and HTML. */
#define G_LOG_DOMAIN "lacuna-report"

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "lacuna-deid.h"
#include "lacuna-dicom.h"
#include "lacuna-error.h"
#include "lacuna-export-private.h"
#include "lacuna-report.h"
#include "lacuna-report-spool.h"

/* ---------------------------------------------------------------------------------------- */
/* Output                                                                                   */

char *
lacuna_report_dup_html_path (const char *json_path)
{
  g_return_val_if_fail (json_path != NULL, NULL);

  if (g_str_has_suffix (json_path, ".json"))
    {
      gsize len = strlen (json_path) - strlen (".json");

      return g_strdup_printf ("%.*s.html", (int) len, json_path);
    }
  return g_strconcat (json_path, ".html", NULL);
}

char *
lacuna_report_to_json (JsonObject *report)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *text = NULL;

  json_node_set_object (root, report);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  return g_strconcat (text, "\n", NULL);
}

static void
html_text (GString    *out,
           const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text != NULL ? text : "", -1);

  g_string_append (out, escaped);
}

static const char *
member_string (JsonObject *o,
               const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_VALUE ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return "";
  return json_node_get_string (node);
}

static gint64
member_int (JsonObject *o,
            const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_VALUE)
    return 0;
  return json_node_get_int (node);
}

static JsonArray *
member_array (JsonObject *o,
              const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_ARRAY)
    return NULL;
  return json_node_get_array (node);
}

static JsonObject *
member_object (JsonObject *o,
               const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_OBJECT)
    return NULL;
  return json_node_get_object (node);
}

/* The face check and defacing, one row per series checked (--deface). */
static void
html_deface (GString   *out,
             JsonArray *checks)
{
  if (checks == NULL || json_array_get_length (checks) == 0)
    return;
  g_string_append (out, "<h2>Faces in head scans (deface)</h2>\n<table><tr><th>Series</th>"
                        "<th>Result</th><th>Views with a face</th><th>Voxels changed</th>"
                        "<th>What was done</th></tr>\n");
  for (guint i = 0; i < json_array_get_length (checks); i++)
    {
      JsonObject *c = json_array_get_object_element (checks, i);

      g_string_append (out, "<tr><td>");
      html_text (out, member_string (c, "series"));
      g_string_append (out, "</td><td>");
      html_text (out, member_string (c, "result"));
      g_string_append_printf (out, "</td><td>%" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
                              "</td><td>%" G_GINT64_FORMAT "</td><td>",
                              member_int (c, "views-found"), member_int (c, "views"),
                              member_int (c, "voxels-changed"));
      html_text (out, member_string (c, "text"));
      g_string_append (out, "</td></tr>\n");
    }
  g_string_append (out, "</table>\n");
}

static void
html_change_table (GString   *out,
                   JsonArray *changes)
{
  g_string_append (out, "<table><tr><th>Tag</th><th>Keyword</th><th>Path</th>"
                        "<th>Action</th><th>Reason</th></tr>\n");
  for (guint j = 0; changes != NULL && j < json_array_get_length (changes); j++)
    {
      JsonObject *c = json_array_get_object_element (changes, j);

      g_string_append (out, "<tr><td>");
      html_text (out, member_string (c, "tag"));
      g_string_append (out, "</td><td>");
      html_text (out, member_string (c, "keyword"));
      g_string_append (out, "</td><td><code>");
      html_text (out, member_string (c, "path"));
      g_string_append (out, "</code></td><td>");
      html_text (out, member_string (c, "action"));
      g_string_append (out, "</td><td>");
      html_text (out, member_string (c, "reason"));
      g_string_append (out, "</td></tr>\n");
    }
  g_string_append (out, "</table>\n");
}

static void
html_box_list (GString    *out,
               JsonArray  *boxes)
{
  for (guint j = 0; boxes != NULL && j < json_array_get_length (boxes); j++)
    {
      JsonObject *r = json_array_get_object_element (boxes, j);
      gint64 frame = member_int (r, "frame");

      g_string_append (out, j == 0 ? " " : "; ");
      if (frame < 0)
        g_string_append (out, "every frame");
      else
        g_string_append_printf (out, "frame %" G_GINT64_FORMAT, frame + 1);
      g_string_append_printf (out, ": x %" G_GINT64_FORMAT ", y %" G_GINT64_FORMAT ", %"
                              G_GINT64_FORMAT " × %" G_GINT64_FORMAT,
                              member_int (r, "x"), member_int (r, "y"),
                              member_int (r, "width"), member_int (r, "height"));
    }
}

/* A file's burned-in text scan and verification: counts and boxes only (the report never
 * holds what OCR read). */
static void
html_burned_in (GString    *out,
                JsonObject *f)
{
  JsonObject *scan = member_object (f, "burned-in");
  JsonObject *verification = member_object (f, "verification");

  if (scan != NULL)
    {
      g_string_append_printf (out, "<p>Burned-in text scan (%s): %" G_GINT64_FORMAT
                              " text lines found, %" G_GINT64_FORMAT " boxed (%"
                              G_GINT64_FORMAT " matching the patient's identity, %"
                              G_GINT64_FORMAT " unreadable), %" G_GINT64_FORMAT
                              " kept as clinical vocabulary",
                              *member_string (scan, "mode") ? member_string (scan, "mode")
                                                            : "auto",
                              member_int (scan, "lines"), member_int (scan, "lines-boxed"),
                              member_int (scan, "lines-identity"),
                              member_int (scan, "lines-unreadable"),
                              member_int (scan, "lines-clinical"));
      if (member_int (scan, "lines-boxed-on-rescan") > 0)
        g_string_append_printf (out, "; %" G_GINT64_FORMAT " more boxed after rescanning "
                                "the redacted image",
                                member_int (scan, "lines-boxed-on-rescan"));
      g_string_append (out, ".</p>\n");
    }
  if (verification != NULL)
    {
      gboolean passed = json_object_get_boolean_member_with_default (verification, "passed",
                                                                     FALSE);
      JsonArray *left = member_array (verification, "left");

      g_string_append (out, passed ? "<p class=\"passed\">Verification "
                                   : "<p class=\"failed\">Verification ");
      html_text (out, member_string (verification, "result"));
      g_string_append_printf (out, " (frames checked: %" G_GINT64_FORMAT ").",
                              member_int (verification, "frames"));
      if (!passed && left != NULL && json_array_get_length (left) > 0)
        {
          g_string_append (out, "<br>Text left at:");
          html_box_list (out, left);
        }
      g_string_append (out, "</p>\n");
    }
}

static void
html_problem_table (GString    *out,
                    JsonObject *report,
                    const char *member,
                    const char *title,
                    const char *column)
{
  JsonArray *array = member_array (report, member);
  guint n = array != NULL ? json_array_get_length (array) : 0;

  g_string_append (out, "<h2>");
  html_text (out, title);
  g_string_append_printf (out, " (%u)</h2>\n", n);
  if (n == 0)
    return;
  g_string_append (out, "<table><tr><th>Input</th><th>");
  html_text (out, column);
  g_string_append (out, "</th></tr>\n");
  for (guint i = 0; i < n; i++)
    {
      JsonObject *o = json_array_get_object_element (array, i);
      const char *what = member_string (o, "reason");

      if (*what == '\0')
        what = member_string (o, "error");
      if (*what == '\0')
        what = member_string (o, "warning");
      g_string_append (out, "<tr><td>");
      html_text (out, *member_string (o, "input") ? member_string (o, "input")
                                                  : member_string (o, "file-id"));
      g_string_append (out, "</td><td>");
      html_text (out, what);
      {
        JsonArray *hits = member_array (o, "residual-hits");

        for (guint j = 0; hits != NULL && j < json_array_get_length (hits); j++)
          {
            JsonObject *h = json_array_get_object_element (hits, j);

            g_string_append (out, "<br>residual hit: ");
            html_text (out, member_string (h, "kind"));
            g_string_append (out, " in ");
            html_text (out, member_string (h, "where"));
            g_string_append (out, " ");
            html_text (out, member_string (h, "keyword"));
          }
      }
      if (member_object (o, "verification") != NULL)
        html_burned_in (out, o);
      g_string_append (out, "</td></tr>\n");
    }
  g_string_append (out, "</table>\n");
}

/* The HTML up to the list of files (n_files of them). */
static void
html_begin (GString    *out,
            JsonObject *report,
            guint       n_files)
{
  JsonObject *counts = member_object (report, "counts");
  JsonObject *options = member_object (report, "options");
  JsonObject *residual = member_object (report, "residual-scan");
  JsonObject *verification = member_object (report, "verification");

  g_string_append (out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                        "<title>Lacuna de-identification report</title>\n<style>\n"
                        "body{font-family:sans-serif;margin:2em}"
                        "table{border-collapse:collapse}"
                        "td,th{border:1px solid #999;padding:2px 6px;text-align:left;"
                        "vertical-align:top}"
                        "code{font-size:90%}"
                        ".passed{color:#26a269}.failed{color:#c01c28;font-weight:bold}"
                        "\n</style></head><body>\n");
  g_string_append (out, "<h1>De-identification report</h1>\n<p>Output: <code>");
  html_text (out, member_string (report, "output"));
  g_string_append (out, "</code><br>");
  html_text (out, member_string (report, "profile"));
  g_string_append (out, ", Lacuna ");
  html_text (out, member_string (report, "lacuna-version"));
  g_string_append (out, "</p>\n");

  if (counts != NULL)
    {
      static const char *names[] = { "instances", "written", "left-out", "failed", "skipped",
                                     "warnings" };

      g_string_append (out, "<h2>Counts</h2>\n<table>\n");
      for (guint i = 0; i < G_N_ELEMENTS (names); i++)
        {
          g_string_append (out, "<tr><th>");
          html_text (out, names[i]);
          g_string_append_printf (out, "</th><td>%" G_GINT64_FORMAT "</td></tr>\n",
                                  member_int (counts, names[i]));
        }
      g_string_append (out, "</table>\n");
    }

  if (options != NULL)
    {
      JsonArray *opts = member_array (options, "options");

      g_string_append (out, "<h2>Options</h2>\n<ul>\n");
      for (guint i = 0; opts != NULL && i < json_array_get_length (opts); i++)
        {
          g_string_append (out, "<li>");
          html_text (out, json_array_get_string_element (opts, i));
          g_string_append (out, "</li>\n");
        }
      if (opts == NULL || json_array_get_length (opts) == 0)
        g_string_append (out, "<li>Basic Profile only</li>\n");
      g_string_append (out, "</ul>\n");
    }

  if (residual != NULL)
    {
      g_string_append (out, "<h2>Residual scan</h2>\n<p>");
      g_string_append_printf (out, "%" G_GINT64_FORMAT " identifying strings searched for; "
                                   "%" G_GINT64_FORMAT " hits. Report: ",
                              member_int (residual, "needles"), member_int (residual, "hits"));
      html_text (out, member_string (residual, "report"));
      g_string_append (out, "</p>\n");
    }

  if (verification != NULL)
    {
      g_string_append (out, "<h2>Burned-in text</h2>\n<p>");
      g_string_append_printf (out, "Mode: %s. Written pixels verified: %" G_GINT64_FORMAT
                              " passed, ",
                              options != NULL && *member_string (options, "burned-in")
                                ? member_string (options, "burned-in") : "off",
                              member_int (verification, "passed"));
      g_string_append_printf (out, member_int (verification, "failed") > 0
                                     ? "<span class=\"failed\">%" G_GINT64_FORMAT
                                       " failed (not written)</span>"
                                     : "%" G_GINT64_FORMAT " failed",
                              member_int (verification, "failed"));
      g_string_append (out, ".</p>\n");
    }

  html_problem_table (out, report, "failed", "Failed", "Error");
  html_problem_table (out, report, "left-out", "Left out", "Reason");
  html_problem_table (out, report, "skipped", "Skipped (not DICOM)", "Reason");
  html_problem_table (out, report, "warnings", "Warnings", "Warning");

  html_deface (out, member_array (report, "deface"));

  g_string_append_printf (out, "<h2>Files written (%u)</h2>\n", n_files);
}

/* One file of the list, changes the list it names (lacuna_report_get_changes). */
static void
html_file_changes (GString    *out,
                   JsonObject *f,
                   JsonArray  *changes)
{
  JsonObject *pixels = member_object (f, "pixels");

  g_string_append (out, "<details><summary><code>");
  html_text (out, member_string (f, "file-id"));
  g_string_append (out, "</code> ← ");
  html_text (out, member_string (f, "input"));
  g_string_append (out, "</summary>\n<p>SHA-256 <code>");
  html_text (out, member_string (f, "sha256"));
  g_string_append (out, "</code><br>SOP Class <code>");
  html_text (out, member_string (f, "sop-class-uid"));
  g_string_append (out, "</code><br>Transfer syntax <code>");
  html_text (out, member_string (f, "transfer-syntax"));
  g_string_append (out, "</code>");
  if (*member_string (f, "preamble"))
    {
      g_string_append (out, "<br>");
      html_text (out, member_string (f, "preamble"));
    }
  g_string_append (out, "</p>\n");
  if (pixels != NULL)
    {
      JsonArray *regions = member_array (pixels, "regions");

      for (guint j = 0; regions != NULL && j < json_array_get_length (regions); j++)
        {
          JsonObject *r = json_array_get_object_element (regions, j);

          g_string_append_printf (out, "<p>Filled on frame %" G_GINT64_FORMAT ": x %"
                                  G_GINT64_FORMAT ", y %" G_GINT64_FORMAT ", %"
                                  G_GINT64_FORMAT " × %" G_GINT64_FORMAT "</p>\n",
                                  member_int (r, "frame") + 1, member_int (r, "x"),
                                  member_int (r, "y"), member_int (r, "width"),
                                  member_int (r, "height"));
        }
    }
  html_burned_in (out, f);
  if (changes != NULL && *member_string (f, "changes"))
    {
      /* A shared list: shown once, below. */
      g_string_append (out, "<p>Attributes changed: <a href=\"#");
      html_text (out, member_string (f, "changes"));
      g_string_append_printf (out, "\">list %s</a> (%u)</p>\n", member_string (f, "changes"),
                              json_array_get_length (changes));
    }
  else
    html_change_table (out, changes);
  g_string_append (out, "</details>\n");
}

static void
html_file (GString    *out,
           JsonObject *report,
           JsonObject *f)
{
  html_file_changes (out, f, lacuna_report_get_changes (report, f));
}

/* The shared change lists and the end. */
static void
html_end (GString    *out,
          JsonObject *report)
{
  JsonObject *lists = member_object (report, "change-lists");

  if (lists != NULL && json_object_get_size (lists) > 0)
    {
      g_autoptr(GList) ids = g_list_sort (json_object_get_members (lists), (GCompareFunc) strcmp);

      g_string_append (out, "<h2>Attributes changed</h2>\n<p>Files with the same changes share "
                            "one list; each file above names its list.</p>\n");
      for (GList *l = ids; l != NULL; l = l->next)
        {
          g_string_append (out, "<h3 id=\"");
          html_text (out, l->data);
          g_string_append (out, "\">List ");
          html_text (out, l->data);
          g_string_append (out, "</h3>\n");
          html_change_table (out, member_array (lists, l->data));
        }
    }
  g_string_append (out, "</body></html>\n");
}

char *
lacuna_report_to_html (JsonObject *report)
{
  GString *out = g_string_new (NULL);
  JsonArray *files = member_array (report, "files");

  g_return_val_if_fail (report != NULL, NULL);

  html_begin (out, report, files != NULL ? json_array_get_length (files) : 0);
  for (guint i = 0; files != NULL && i < json_array_get_length (files); i++)
    html_file (out, report, json_array_get_object_element (files, i));
  html_end (out, report);
  return g_string_free (out, FALSE);
}

gboolean
lacuna_report_write (JsonObject  *report,
                     const char  *json_path,
                     GError     **error)
{
  g_autofree char *json = lacuna_report_to_json (report);
  g_autofree char *html = lacuna_report_to_html (report);
  g_autofree char *html_path = lacuna_report_dup_html_path (json_path);

  return _lacuna_export_write_text (json_path, json, error) &&
         _lacuna_export_write_text (html_path, html, error);
}

/* ---------------------------------------------------------------------------------------- */
/* Finalizing                                                                               */

/* What the finalizer keeps of each entry in the spool's flags. */
#define ENTRY_VERIFIED          (1u << 0)
#define ENTRY_VERIFICATION_FAIL (1u << 1)

/* What each entry brings along in the spool (_lacuna_report_annotate_entry): "LRE1",
 * size (i64), verification (u32: 0 or an ENTRY_ flag), SHA-256 (text), how its HTML
 * depends on the report (u32: HTML_*), for HTML_LIST the list's name (text) and length
 * (i64, -1 when there is no such list); unless HTML_NONE, whether the HTML was searched
 * without a hit (u32), the needles searched for then (u32), the HTML (text). Text: u32
 * length and the bytes; numbers in this machine's order (the spool lives as long as the
 * process). */
#define ANNOTATION_MAGIC "LRE1"

enum
{
  HTML_NONE,    /* not rendered: the finalizer renders it */
  HTML_ALONE,   /* depends on the entry alone */
  HTML_LIST,    /* depends on the length of the list of changes the entry names */
};

typedef struct
{
  gint64      size;
  guint32     verification;
  const char *sha256;
  gsize       sha256_len;
  guint32     html_state;
  const char *list;
  gsize       list_len;
  gint64      list_length;
  guint32     html_checked;
  guint32     n_needles;
  const char *html;
  gsize       html_len;
} Annotation;

static void
put_u32 (GString *out,
         guint32  value)
{
  g_string_append_len (out, (const char *) &value, sizeof value);
}

static void
put_i64 (GString *out,
         gint64   value)
{
  g_string_append_len (out, (const char *) &value, sizeof value);
}

static void
put_text (GString    *out,
          const char *text,
          gsize       len)
{
  put_u32 (out, (guint32) len);
  g_string_append_len (out, text, (gssize) len);
}

typedef struct
{
  const char *p;
  gsize       left;
  gboolean    ok;
} Reader;

static gboolean
get_bytes (Reader  *r,
           void    *to,
           gsize    size)
{
  if (!r->ok || r->left < size)
    return r->ok = FALSE;
  memcpy (to, r->p, size);
  r->p += size;
  r->left -= size;
  return TRUE;
}

static guint32
get_u32 (Reader *r)
{
  guint32 value = 0;

  get_bytes (r, &value, sizeof value);
  return value;
}

static gint64
get_i64 (Reader *r)
{
  gint64 value = 0;

  get_bytes (r, &value, sizeof value);
  return value;
}

static const char *
get_text (Reader *r,
          gsize  *len)
{
  const char *text;

  *len = get_u32 (r);
  if (!r->ok || r->left < *len)
    {
      r->ok = FALSE;
      *len = 0;
      return "";
    }
  text = r->p;
  r->p += *len;
  r->left -= *len;
  return text;
}

/* FALSE when extra is not an annotation (nothing of it is used then). */
static gboolean
read_annotation (GBytes     *extra,
                 Annotation *a)
{
  gsize size = 0;
  Reader r = { g_bytes_get_data (extra, &size), size, TRUE };
  char magic[4];

  memset (a, 0, sizeof *a);
  if (!get_bytes (&r, magic, sizeof magic) || memcmp (magic, ANNOTATION_MAGIC, 4) != 0)
    return FALSE;
  a->size = get_i64 (&r);
  a->verification = get_u32 (&r);
  a->sha256 = get_text (&r, &a->sha256_len);
  a->html_state = get_u32 (&r);
  if (a->html_state == HTML_LIST)
    {
      a->list = get_text (&r, &a->list_len);
      a->list_length = get_i64 (&r);
    }
  if (a->html_state != HTML_NONE)
    {
      a->html_checked = get_u32 (&r);
      a->n_needles = get_u32 (&r);
      a->html = get_text (&r, &a->html_len);
    }
  if (a->html_state > HTML_LIST)
    r.ok = FALSE;
  return r.ok;
}

void
_lacuna_report_annotate_entry (JsonObject     *entry,
                               gboolean        lists_known,
                               JsonNode       *changes,
                               LacunaResidual *residual,
                               GString        *out)
{
  JsonObject *v = member_object (entry, "verification");
  JsonNode *named = json_object_get_member (entry, "changes");
  const char *sha = member_string (entry, "sha256");
  const char *id = NULL;
  JsonArray *list = NULL;
  guint32 state = HTML_ALONE;
  guint32 verification = 0;
  g_autoptr(GString) html = NULL;

  g_return_if_fail (entry != NULL && out != NULL);

  /* As the finalizer reads them from the entry. */
  if (v != NULL)
    verification = json_object_get_boolean_member_with_default (v, "passed", FALSE)
                     ? ENTRY_VERIFIED : ENTRY_VERIFICATION_FAIL;
  g_string_append_len (out, ANNOTATION_MAGIC, 4);
  put_i64 (out, member_int (entry, "size"));
  put_u32 (out, verification);
  put_text (out, sha, strlen (sha));

  /* The HTML as html_file renders it, with the list lacuna_report_get_changes finds. */
  if (named != NULL && JSON_NODE_HOLDS_VALUE (named) &&
      json_node_get_value_type (named) == G_TYPE_STRING)
    {
      id = json_node_get_string (named);
      if (!lists_known || *id == '\0')
        state = HTML_NONE;
      else
        {
          state = HTML_LIST;
          if (changes != NULL && JSON_NODE_HOLDS_ARRAY (changes))
            list = json_node_get_array (changes);
        }
    }
  else
    list = lacuna_report_get_changes (NULL, entry);
  put_u32 (out, state);
  if (state == HTML_NONE)
    return;
  if (state == HTML_LIST)
    {
      put_text (out, id, strlen (id));
      put_i64 (out, list != NULL ? (gint64) json_array_get_length (list) : -1);
    }
  html = g_string_new (NULL);
  html_file_changes (html, entry, list);
  if (residual != NULL)
    {
      GDestroyNotify free_hit = (GDestroyNotify) lacuna_residual_hit_free;
      g_autoptr(GPtrArray) hits = g_ptr_array_new_with_free_func (free_hit);
      /* The needles first: an input added meanwhile makes the search count as not done. */
      guint n_needles = lacuna_residual_get_n_needles (residual);

      lacuna_residual_check_text (residual, html->str, "report", hits);
      put_u32 (out, hits->len == 0);
      put_u32 (out, n_needles);
    }
  else
    {
      put_u32 (out, FALSE);
      put_u32 (out, 0);
    }
  put_text (out, html->str, html->len);
}

/* The written pixels verified, over the files written and those that failed. */
static JsonObject *
verification_counts (LacunaReportSpool *files,
                     JsonArray         *failed)
{
  JsonObject *o = json_object_new ();
  gint64 passed = 0, n_failed = 0;

  for (guint i = 0; i < _lacuna_report_spool_get_length (files); i++)
    {
      guint flags = _lacuna_report_spool_get_flags (files, i);

      if (flags & ENTRY_VERIFIED)
        passed++;
      else if (flags & ENTRY_VERIFICATION_FAIL)
        n_failed++;
    }
  for (guint i = 0; i < json_array_get_length (failed); i++)
    {
      JsonObject *v = member_object (json_array_get_object_element (failed, i), "verification");

      if (v != NULL)
        n_failed++;
    }
  json_object_set_int_member (o, "checked", passed + n_failed);
  json_object_set_int_member (o, "passed", passed);
  json_object_set_int_member (o, "failed", n_failed);
  return o;
}

static void
append_all (JsonArray  *to,
            JsonObject *manifest,
            const char *member)
{
  JsonArray *from = member_array (manifest, member);

  /* Shared with the manifest, which is dropped once the report is written (a copy of
   * every file's entry doubled the peak memory of a large export). */
  for (guint i = 0; from != NULL && i < json_array_get_length (from); i++)
    json_array_add_element (to, json_node_ref (json_array_get_element (from, i)));
}

/* The shards name equal lists equally (a hash of their text): the union. */
static void
merge_change_lists (JsonObject *to,
                    JsonObject *manifest)
{
  JsonObject *from = member_object (manifest, "change-lists");
  g_autoptr(GList) ids = NULL;

  if (from == NULL)
    return;
  ids = json_object_get_members (from);
  for (GList *l = ids; l != NULL; l = l->next)
    if (!json_object_has_member (to, l->data))
      json_object_set_member (to, l->data, json_node_copy (json_object_get_member (from, l->data)));
}

/* A copy of o with its members in name order (the report does not depend on the order
 * the shards were read in). */
static JsonObject *
sorted_object (JsonObject *o)
{
  g_autoptr(GList) names = g_list_sort (json_object_get_members (o), (GCompareFunc) strcmp);
  JsonObject *sorted = json_object_new ();

  for (GList *l = names; l != NULL; l = l->next)
    json_object_set_member (sorted, l->data, json_node_copy (json_object_get_member (o, l->data)));
  return sorted;
}

JsonArray *
lacuna_report_get_changes (JsonObject *report,
                           JsonObject *file)
{
  JsonNode *node;

  g_return_val_if_fail (file != NULL, NULL);

  node = json_object_get_member (file, "changes");
  if (node == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_ARRAY (node))
    return json_node_get_array (node);
  if (report != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING)
    {
      JsonObject *lists = member_object (report, "change-lists");

      return lists != NULL ? member_array (lists, json_node_get_string (node)) : NULL;
    }
  return NULL;
}

static gboolean
spool_element (const char  *text,
               gsize        len,
               gpointer     data,
               GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GString) extra = g_string_new (NULL);
  JsonNode *root;

  if (!json_parser_load_from_data (parser, text, (gssize) len, error))
    return FALSE;
  /* The lists of changes come after the entries in a manifest: the HTML of an entry
   * naming one is rendered when the report is written. */
  root = json_parser_get_root (parser);
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    _lacuna_report_annotate_entry (json_node_get_object (root), FALSE, NULL, NULL, extra);
  return _lacuna_report_spool_add_full (data, root, NULL, extra->str, extra->len, error);
}

/* The manifests in shard order, each without its "files", whose entries are appended to
 * files in turn (one at a time: a manifest's list is never held in memory). */
static GPtrArray *
read_manifests (const char         *outdir,
                LacunaReportSpool  *files,
                guint              *out_n_shards,
                GError            **error)
{
  g_autoptr(GPtrArray) manifests = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GDir) dir = g_dir_open (outdir, 0, error);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  guint n_shards = 0;

  if (dir == NULL)
    return NULL;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      guint index, n;

      if (!_lacuna_export_parse_manifest_name (name, &index, &n))
        continue;
      if (n_shards != 0 && n != n_shards)
        {
          g_set_error (error, LACUNA_EXPORT_ERROR, LACUNA_EXPORT_ERROR_FAILED,
                       _("The output folder %s holds manifests of runs with different numbers "
                         "of shards"), outdir);
          return NULL;
        }
      n_shards = n;
      g_ptr_array_add (names, g_strdup (name));
    }
  if (n_shards == 0)
    {
      g_set_error (error, LACUNA_EXPORT_ERROR, LACUNA_EXPORT_ERROR_FAILED,
                   _("The folder %s holds no Lacuna export (no manifest)"), outdir);
      return NULL;
    }

  for (guint i = 0; i < n_shards; i++)
    {
      g_autofree char *path = _lacuna_export_manifest_path (outdir, i, n_shards);
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GString) rest = g_string_new (NULL);
      JsonNode *root;
      JsonObject *o;

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          g_set_error (error, LACUNA_EXPORT_ERROR, LACUNA_EXPORT_ERROR_FAILED,
                       _("Shard %u of %u has not run (its manifest is missing)"), i, n_shards);
          return NULL;
        }
      if (!_lacuna_report_scan_member (path, "files", spool_element, files, rest, error) ||
          !json_parser_load_from_data (parser, rest->str, (gssize) rest->len, error))
        return NULL;
      root = json_parser_get_root (parser);
      if (root == NULL || JSON_NODE_TYPE (root) != JSON_NODE_OBJECT)
        {
          g_set_error (error, LACUNA_EXPORT_ERROR, LACUNA_EXPORT_ERROR_FAILED,
                       _("The manifest of shard %u is not a JSON object"), i);
          return NULL;
        }
      o = json_node_get_object (root);
      if (!json_object_get_boolean_member_with_default (o, "complete", FALSE))
        {
          g_set_error (error, LACUNA_EXPORT_ERROR, LACUNA_EXPORT_ERROR_FAILED,
                       _("Shard %u of %u has not finished (run it again)"), i, n_shards);
          return NULL;
        }
      if (manifests->len > 0)
        {
          JsonObject *first = g_ptr_array_index (manifests, 0);
          JsonNode *a = json_object_get_member (first, "options");
          JsonNode *b = json_object_get_member (o, "options");

          if (a == NULL || b == NULL || !json_node_equal (a, b) ||
              member_int (first, "instances") != member_int (o, "instances"))
            {
              g_set_error (error, LACUNA_EXPORT_ERROR, LACUNA_EXPORT_ERROR_FAILED,
                           _("Shard %u ran with other options or other inputs than shard 0"),
                           i);
              return NULL;
            }
        }
      g_ptr_array_add (manifests, json_object_ref (o));
    }
  *out_n_shards = n_shards;
  return g_steal_pointer (&manifests);
}

static JsonNode *
hash_node (const char  *path,
           const char  *name_key,
           const char  *name,
           GError     **error)
{
  char sha[LACUNA_SHA256_HEX_LEN + 1];
  guint64 size = 0;
  JsonObject *o;
  JsonNode *node;

  if (!_lacuna_export_sha256_file (path, sha, &size, error))
    return NULL;
  o = json_object_new ();
  json_object_set_string_member (o, name_key, name);
  json_object_set_string_member (o, "sha256", sha);
  json_object_set_int_member (o, "size", (gint64) size);
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, o);
  return node;
}

static void
fail_file (JsonArray  *failed,
           const char *file_id,
           const char *message)
{
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "file-id", file_id);
  json_object_set_string_member (o, "error", message);
  json_array_add_object_element (failed, o);
}

typedef struct
{
  LacunaReportSink *html;
  JsonObject       *report;
  GString          *out;
} HtmlData;

static gboolean
html_entry (JsonObject  *entry,
            gpointer     data,
            GError     **error)
{
  HtmlData *d = data;

  g_string_truncate (d->out, 0);
  html_file (d->out, d->report, entry);
  return _lacuna_report_sink_write (d->html, d->out->str, (gssize) d->out->len, error);
}

/* The HTML of entry i: as annotated when it was added, unless that depended on a list of
 * changes that the report holds otherwise; else rendered from the entry. */
static gboolean
html_piece (LacunaReportSpool  *spool,
            guint               i,
            GBytes             *extra,
            gpointer            data,
            GError            **error)
{
  HtmlData *d = data;
  g_autoptr(JsonNode) entry = NULL;
  Annotation a;
  gboolean valid;

  valid = extra != NULL && read_annotation (extra, &a) && a.html_state != HTML_NONE;
  if (valid && a.html_state == HTML_LIST)
    {
      JsonObject *lists = member_object (d->report, "change-lists");
      g_autofree char *name = g_strndup (a.list, a.list_len);
      JsonArray *list = lists != NULL && strlen (name) == a.list_len
                          ? member_array (lists, name) : NULL;

      valid = (list != NULL ? (gint64) json_array_get_length (list) : -1) == a.list_length;
    }
  if (valid)
    return _lacuna_report_sink_write_checked (d->html, a.html, (gssize) a.html_len,
                                              a.html_checked
                                                ? _lacuna_report_spool_get_checked_with (spool)
                                                : NULL,
                                              a.n_needles, error);
  entry = _lacuna_report_spool_read (spool, i, error);
  return entry != NULL && html_entry (json_node_get_object (entry), data, error);
}

/* Writes the report (whose "files" is empty) with the entries of files, JSON and HTML,
 * as lacuna_report_write writes the whole tree, one entry in memory at a time. With
 * residual, both are searched as they are written; when that finds anything, nothing is
 * written and out_n_hits says how many kinds of identifier were found (in both). */
static gboolean
write_report (JsonObject         *report,
              LacunaReportSpool  *files,
              const char         *json_path,
              LacunaResidual     *residual,
              guint              *out_n_hits,
              GError            **error)
{
  g_autofree char *html_path = lacuna_report_dup_html_path (json_path);
  g_autoptr(LacunaReportSink) json = NULL;
  g_autoptr(LacunaReportSink) html = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  HtmlData d;
  guint n_hits;

  if (out_n_hits != NULL)
    *out_n_hits = 0;
  json = _lacuna_report_sink_new (json_path, residual, error);
  if (json == NULL)
    return FALSE;
  html = _lacuna_report_sink_new (html_path, residual, error);
  if (html == NULL)
    return FALSE;
  d.html = html;
  d.report = report;
  d.out = out;
  html_begin (out, report, _lacuna_report_spool_get_length (files));
  if (!_lacuna_report_sink_write (html, out->str, (gssize) out->len, error) ||
      !_lacuna_report_write_spliced_pieces (json, report, "files", files, FALSE, TRUE,
                                            html_piece, &d, error))
    return FALSE;
  g_string_truncate (out, 0);
  html_end (out, report);
  if (!_lacuna_report_sink_write (html, out->str, (gssize) out->len, error) ||
      !_lacuna_report_sink_finish (json, error) || !_lacuna_report_sink_finish (html, error))
    return FALSE;
  n_hits = _lacuna_report_sink_get_hits (json)->len + _lacuna_report_sink_get_hits (html)->len;
  if (n_hits > 0)
    {
      if (out_n_hits != NULL)
        *out_n_hits = n_hits;
      return TRUE;
    }
  {
    LacunaReportSink *sinks[] = { json, html };

    return _lacuna_report_sinks_commit (sinks, G_N_ELEMENTS (sinks), error);
  }
}

static int
compare_entry_ids (gconstpointer a,
                   gconstpointer b,
                   gpointer      data)
{
  LacunaReportSpool *files = data;

  return strcmp (_lacuna_report_spool_get_file_id (files, *(const guint *) a),
                 _lacuna_report_spool_get_file_id (files, *(const guint *) b));
}

typedef struct
{
  LacunaReportSpool *files;
  GArray            *order;   /* the spool's index of the i-th file ID */
} RecordSource;

static GBytes *
record_of (guint      i,
           gpointer   data,
           GError   **error)
{
  RecordSource *source = data;

  g_return_val_if_fail (i < source->order->len, NULL);

  return _lacuna_report_spool_read_record (source->files,
                                           g_array_index (source->order, guint, i), error);
}

gboolean
_lacuna_export_finalize_full (const char     *outdir,
                              const char     *report_path,
                              const char     *zip_path,
                              LacunaResidual *residual,
                              JsonObject     *manifest,
                              gboolean        verify_hashes,
                              guint          *out_n_failed,
                              GPtrArray      *out_messages,
                              GError        **error)
{
  g_autoptr(LacunaReportSpool) files = NULL;
  JsonArray *array;

  if (manifest == NULL)
    return _lacuna_export_finalize_spooled (outdir, report_path, zip_path, residual, NULL,
                                            NULL, verify_hashes, out_n_failed, out_messages,
                                            error);
  /* A manifest in memory with its files. */
  files = _lacuna_report_spool_new (outdir, error);
  if (files == NULL)
    return FALSE;
  array = member_array (manifest, "files");
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *entry = json_array_get_element (array, i);
      g_autoptr(GString) extra = g_string_new (NULL);

      if (JSON_NODE_HOLDS_OBJECT (entry))
        _lacuna_report_annotate_entry (json_node_get_object (entry), FALSE, NULL, NULL, extra);
      if (!_lacuna_report_spool_add_full (files, entry, NULL, extra->str, extra->len, error))
        return FALSE;
    }
  return _lacuna_export_finalize_spooled (outdir, report_path, zip_path, residual, manifest,
                                          files, verify_hashes, out_n_failed, out_messages,
                                          error);
}

gboolean
_lacuna_export_finalize_spooled (const char        *outdir,
                                 const char        *report_path,
                                 const char        *zip_path,
                                 LacunaResidual    *residual,
                                 JsonObject        *manifest,
                                 LacunaReportSpool *files,
                                 gboolean           verify_hashes,
                                 guint             *out_n_failed,
                                 GPtrArray         *out_messages,
                                 GError           **error)
{
  g_autoptr(LacunaReportSpool) own_files = NULL;
  g_autoptr(GPtrArray) manifests = NULL;
  g_autoptr(GPtrArray) tree = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(JsonObject) report = json_object_new ();
  g_autoptr(JsonObject) change_lists = json_object_new ();
  JsonArray *left_out = json_array_new ();
  JsonArray *failed = json_array_new ();
  JsonArray *skipped = json_array_new ();
  JsonArray *warnings = json_array_new ();
  JsonArray *deface = json_array_new ();
  JsonObject *counts = json_object_new ();
  JsonObject *residual_scan = json_object_new ();
  JsonObject *first;
  JsonNode *dicomdir_node = NULL;
  JsonNode *zip_node = NULL;
  guint n_shards = 0;
  gint64 n_instances, n_in = 0, n_written = 0, n_left_out = 0, n_failed = 0, n_hits = 0;
  gint64 n_needles = 0, n_failed_inst = 0;
  guint n_files, n_report_hits = 0;

  g_return_val_if_fail ((manifest == NULL) == (files == NULL), FALSE);

  /* Written by splicing the entries in (lacuna-report-spool.c): stays empty. */
  json_object_set_array_member (report, "files", json_array_new ());

  json_object_set_array_member (report, "left-out", left_out);
  json_object_set_array_member (report, "skipped", skipped);
  json_object_set_array_member (report, "failed", failed);
  json_object_set_array_member (report, "warnings", warnings);
  json_object_set_array_member (report, "deface", deface);

  if (manifest != NULL)
    {
      /* An unsharded run hands its manifest over in memory. */
      manifests = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
      g_ptr_array_add (manifests, json_object_ref (manifest));
      n_shards = 1;
    }
  else
    {
      /* Beside the output, never inside it. */
      files = own_files = _lacuna_report_spool_new (outdir, error);
      if (files == NULL)
        return FALSE;
      manifests = read_manifests (outdir, files, &n_shards, error);
    }
  if (manifests == NULL)
    return FALSE;
  first = g_ptr_array_index (manifests, 0);
  n_instances = member_int (first, "instances");

  for (guint i = 0; i < manifests->len; i++)
    {
      JsonObject *m = g_ptr_array_index (manifests, i);

      n_in += member_int (m, "in-shard");
      n_written += member_int (m, "written");
      n_left_out += member_int (m, "left-out-count");
      n_failed += member_int (m, "failed-instances") + member_int (m, "failed-other");
      n_failed_inst += member_int (m, "failed-instances");
      n_hits += member_int (m, "residual-hits");
      n_needles = MAX (n_needles, member_int (m, "residual-needles"));
      merge_change_lists (change_lists, m);
      append_all (left_out, m, "left-out");
      append_all (failed, m, "failed");
      append_all (skipped, m, "skipped");
      append_all (warnings, m, "warnings");
      append_all (deface, m, "deface");
    }

  json_object_set_object_member (report, "change-lists", sorted_object (change_lists));

  if (n_in != n_instances)
    {
      g_set_error (error, LACUNA_EXPORT_ERROR, LACUNA_EXPORT_ERROR_FAILED,
                   _("Instance count mismatch: the input holds %" G_GINT64_FORMAT
                     " instances, the shards took %" G_GINT64_FORMAT), n_instances, n_in);
      return FALSE;
    }
  n_files = _lacuna_report_spool_get_length (files);
  if (n_files != (guint) n_written)
    {
      g_set_error (error, LACUNA_EXPORT_ERROR, LACUNA_EXPORT_ERROR_FAILED,
                   _("Instance count mismatch: the manifests count %" G_GINT64_FORMAT
                     " files written but list %u"), n_written, n_files);
      return FALSE;
    }

  /* Every listed file is there, once, with its hash. */
  for (guint i = 0; i < n_files; i++)
    {
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(GBytes) extra = NULL;
      g_autofree char *expected_sha = NULL;
      const char *id = _lacuna_report_spool_get_file_id (files, i);
      g_autofree char *path = g_build_filename (outdir, id, NULL);
      gint64 expected_size;
      guint verification;
      Annotation a;
      GStatBuf st;

      /* What the entry's annotation says of it, else the entry itself. */
      if (!_lacuna_report_spool_read_rendered (files, i, NULL, &extra, error))
        return FALSE;
      if (extra != NULL && read_annotation (extra, &a))
        {
          expected_size = a.size;
          verification = a.verification;
          expected_sha = g_strndup (a.sha256, a.sha256_len);
        }
      else
        {
          JsonObject *f;
          JsonObject *v;

          node = _lacuna_report_spool_read (files, i, error);
          if (node == NULL)
            return FALSE;
          f = json_node_get_object (node);
          v = member_object (f, "verification");
          verification = 0;
          if (v != NULL)
            verification = json_object_get_boolean_member_with_default (v, "passed", FALSE)
                             ? ENTRY_VERIFIED : ENTRY_VERIFICATION_FAIL;
          expected_size = member_int (f, "size");
          expected_sha = g_strdup (member_string (f, "sha256"));
        }
      if (verification != 0)
        _lacuna_report_spool_set_flags (files, i, verification);

      if (!_lacuna_export_is_tree_file_id (id) || g_hash_table_contains (listed, id))
        {
          g_set_error (error, LACUNA_EXPORT_ERROR, LACUNA_EXPORT_ERROR_FAILED,
                       _("The manifests list the file ID %s twice or malformed"), id);
          return FALSE;
        }
      g_hash_table_add (listed, (gpointer) id);
      if (verify_hashes)
        {
          char sha[LACUNA_SHA256_HEX_LEN + 1];

          if (!_lacuna_export_sha256_file (path, sha, NULL, error))
            return FALSE;
          if (strcmp (sha, expected_sha) != 0)
            {
              g_set_error (error, LACUNA_EXPORT_ERROR, LACUNA_EXPORT_ERROR_FAILED,
                           _("The file %s does not match its manifest (changed since it was "
                             "written)"), id);
              return FALSE;
            }
        }
      else if (g_stat (path, &st) != 0 || (gint64) st.st_size != expected_size)
        {
          g_set_error (error, LACUNA_EXPORT_ERROR, LACUNA_EXPORT_ERROR_FAILED,
                       _("The file %s is missing or has changed since it was written"), id);
          return FALSE;
        }
      g_array_append_val (order, i);
    }
  /* The DICOMDIR lists the files by file ID; order keeps where each one's entry is. */
  g_array_sort_with_data (order, compare_entry_ids, files);
  for (guint i = 0; i < order->len; i++)
    {
      guint entry = g_array_index (order, guint, i);

      g_ptr_array_add (ids, (gpointer) _lacuna_report_spool_get_file_id (files, entry));
    }

  /* Files in the tree that no manifest lists (an earlier run with other inputs, options
   * or key) are not part of this export: never listed in the DICOMDIR, and a failure. */
  tree = _lacuna_export_list_tree (outdir, error);
  if (tree == NULL)
    return FALSE;
  for (guint i = 0; i < tree->len; i++)
    {
      const char *id = g_ptr_array_index (tree, i);

      if (!g_hash_table_contains (listed, id))
        {
          fail_file (failed, id, "a file in the output folder that this export did not write "
                                 "(left from another run); not listed in the DICOMDIR");
          if (out_messages != NULL)
            g_ptr_array_add (out_messages,
                             g_strdup_printf ("%s: not written by this export (left from "
                                              "another run)", id));
          n_failed++;
        }
    }

  /* The DICOMDIR holds a record a file: only the IDs it needs stay. */
  g_clear_pointer (&tree, g_ptr_array_unref);
  g_clear_pointer (&listed, g_hash_table_unref);

  if (ids->len > 0)
    {
      g_autofree char *path = g_build_filename (outdir, "DICOMDIR", NULL);

      g_autoptr(GError) local_error = NULL;
      RecordSource source = { files, order };

      g_ptr_array_add (ids, NULL);

      /* From the records each file's writer left in the spool, without reading the files
       * (from the files themselves when any is missing). */
      if (lacuna_dicom_write_dicomdir_from_records (outdir, LACUNA_EXPORT_FILESET_ID,
                                                    (const char * const *) ids->pdata,
                                                    record_of, &source, &local_error))
        {
          dicomdir_node = hash_node (path, "file-id", "DICOMDIR", error);
          if (dicomdir_node == NULL)
            return FALSE;
        }
      else
        {
          /* The files stay (each is complete and checked); the export as a whole failed. */
          g_autofree char *message = g_strdup_printf ("the DICOMDIR could not be written: %s",
                                                      local_error->message);

          fail_file (failed, "DICOMDIR", message);
          if (out_messages != NULL)
            g_ptr_array_add (out_messages, g_strdup (message));
          n_failed++;
          g_unlink (path);
        }
      g_ptr_array_remove_index (ids, ids->len - 1);
    }

  if (zip_path != NULL)
    {
      g_ptr_array_insert (ids, 0, (gpointer) "DICOMDIR");
      if (dicomdir_node == NULL)
        g_ptr_array_remove_index (ids, 0);
      g_ptr_array_add (ids, NULL);
      if (!_lacuna_export_write_zip (outdir, (const char * const *) ids->pdata, zip_path,
                                     error))
        return FALSE;
      zip_node = hash_node (zip_path, "path", zip_path, error);
      if (zip_node == NULL)
        return FALSE;
    }

  json_object_set_int_member (report, "lacuna-report", 1);
  json_object_set_string_member (report, "lacuna-version", LACUNA_VERSION);
  json_object_set_string_member (report, "profile", LACUNA_DEID_METHOD_PROFILE);
  json_object_set_string_member (report, "edition", LACUNA_PROFILE_EDITION);
  json_object_set_member (report, "options",
                          json_node_copy (json_object_get_member (first, "options")));
  json_object_set_string_member (report, "output", zip_path != NULL ? zip_path : outdir);
  if (zip_path != NULL)
    json_object_set_string_member (report, "archive", zip_path);
  else
    json_object_set_null_member (report, "archive");
  json_object_set_int_member (report, "shards", n_shards);

  json_object_set_int_member (counts, "instances", n_instances);
  json_object_set_int_member (counts, "written", n_written);
  json_object_set_int_member (counts, "left-out", n_left_out);
  json_object_set_int_member (counts, "skipped", json_array_get_length (skipped));
  json_object_set_int_member (counts, "warnings", json_array_get_length (warnings));
  json_object_set_object_member (report, "counts", counts);
  if (dicomdir_node != NULL)
    json_object_set_member (report, "dicomdir", dicomdir_node);
  else
    json_object_set_null_member (report, "dicomdir");
  if (zip_node != NULL)
    json_object_set_member (report, "zip", zip_node);
  else
    json_object_set_null_member (report, "zip");

  json_object_set_int_member (residual_scan, "needles", n_needles);
  json_object_set_object_member (report, "residual-scan", residual_scan);
  json_object_set_object_member (report, "verification", verification_counts (files, failed));

  if (residual != NULL)
    {
      /* Members in the order earlier versions wrote them. */
      json_object_set_int_member (residual_scan, "hits", n_hits);
      json_object_set_string_member (residual_scan, "report",
                                     "checked: no identifying string of the input");
    }
  else
    json_object_set_string_member (residual_scan, "report",
                                   "each shard checked its own entries (the inputs are not "
                                   "read when finalizing)");
  json_object_set_int_member (residual_scan, "hits", n_hits);
  json_object_set_int_member (counts, "failed", n_failed);
  json_object_set_boolean_member (counts, "balanced",
                                  n_written + n_left_out + n_failed_inst == n_instances);

  /* With residual, the report is searched as it is written; when that finds anything,
   * it is written again saying so. */
  if (!write_report (report, files, report_path, residual, &n_report_hits, error))
    return FALSE;
  if (n_report_hits > 0)
    {
      n_failed++;
      n_hits += n_report_hits;
      if (out_messages != NULL)
        g_ptr_array_add (out_messages,
                         g_strdup ("the residual scan found identifying strings of the "
                                   "input in the report"));
      json_object_set_string_member (residual_scan, "report",
                                     "identifying strings of the input found in this report");
      json_object_set_int_member (residual_scan, "hits", n_hits);
      json_object_set_int_member (counts, "failed", n_failed);
      if (!write_report (report, files, report_path, NULL, NULL, error))
        return FALSE;
    }
  /* The report holds what the shards' manifests said: the output keeps only the DICOMDIR
   * and the tree (the report is how a rerun recognises it). */
  if (manifest == NULL)
    for (guint i = 0; i < n_shards; i++)
      {
        g_autofree char *path = _lacuna_export_manifest_path (outdir, i, n_shards);

        g_unlink (path);
      }
  if (out_n_failed != NULL)
    *out_n_failed = (guint) n_failed;
  return TRUE;
}
