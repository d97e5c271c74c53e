/* lacuna-findings-report.c: the content of the findings report, and writing it.
 *
 * The report is built once as a list of blocks (lacuna-findings-report-private.h) and
 * rendered twice: HTML (lacuna-findings-report-html.c) and PDF (-pdf.c).
 *
 * What a finding becomes in the copy ("In the copy" column), from the export's own report,
 * never assumed from the options alone:
 *   header identity, quasi-identifier  the export report lists a change of that attribute:
 *                                      X, Z, D, U → removed; C (cleaned) → reduced; none →
 *                                      present.
 *   burned-in text                     the line's box lies inside the regions filled in its
 *                                      output file (mapped through the input path; without a
 *                                      collection, the boxes applied to every image when no
 *                                      file failed or was left out): removed; partly:
 *                                      reduced; else present.
 *   face                               present (the export does not deface).
 *   cannot-be-removed findings         stay so.
 */
#define G_LOG_DOMAIN "lacuna-findings-report"

#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "lacuna-error.h"
#include "lacuna-findings-report.h"
#include "lacuna-report.h"
#include "lacuna-findings-report-private.h"
#include "lacuna-frame.h"
#include "lacuna-instance.h"
#include "lacuna-series.h"

typedef enum
{
  AFTER_NONE,       /* no export report */
  AFTER_PRESENT,
  AFTER_REDUCED,
  AFTER_REMOVED,
  AFTER_CANNOT,
} After;

typedef struct
{
  LacunaFinding *finding;   /* borrowed */
  After          after;
  char          *where;
} Row;

typedef struct
{
  LacunaFindings    *findings;
  JsonObject        *export;        /* nullable */
  const char        *export_dir;
  LacunaCollection  *collection;    /* nullable */
  GHashTable        *changed_tags;  /* "(gggg,eeee)" → worst action char (GINT_TO_POINTER) */
  GHashTable        *file_by_input; /* input path → JsonObject (borrowed) */
  GHashTable        *masks;         /* output file ID → GArray of int[4]: text left */
  gboolean           unmapped_text; /* text left in an image not tied to its output */
  GArray            *rows;          /* Row */
  ReportDoc         *doc;
  GCancellable      *cancellable;
} Builder;

/* ---------------------------------------------------------------------------------------- */
/* Document helpers                                                                         */

static void
block_free (gpointer data)
{
  ReportBlock *b = data;

  g_free (b->text);
  g_free (b->tag);
  g_free (b->badge);
  g_free (b->anchor);
  g_clear_pointer (&b->header, g_ptr_array_unref);
  g_clear_pointer (&b->rows, g_ptr_array_unref);
  g_clear_pointer (&b->thumbnails, g_ptr_array_unref);
  g_free (b);
}

static void
thumbnail_free (gpointer data)
{
  ReportThumbnail *t = data;

  cairo_surface_destroy (t->surface);
  g_free (t->caption);
  g_free (t);
}

void
_lacuna_report_doc_free (ReportDoc *doc)
{
  if (doc == NULL)
    return;
  g_free (doc->title);
  g_free (doc->subtitle);
  g_ptr_array_unref (doc->blocks);
  g_free (doc);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReportDoc, _lacuna_report_doc_free)

static ReportBlock *
add_block (ReportDoc       *doc,
           ReportBlockType  type,
           const char      *text)
{
  ReportBlock *b = g_new0 (ReportBlock, 1);

  b->type = type;
  b->text = g_strdup (text);
  g_ptr_array_add (doc->blocks, b);
  return b;
}

static void
add_part (ReportDoc  *doc,
          const char *anchor,
          const char *text)
{
  add_block (doc, REPORT_BLOCK_PART, text)->anchor = g_strdup (anchor);
}

static void
add_heading (ReportDoc  *doc,
             const char *anchor,
             const char *text)
{
  add_block (doc, REPORT_BLOCK_HEADING, text)->anchor = g_strdup (anchor);
}

static void
add_subheading (ReportDoc  *doc,
                const char *text)
{
  add_block (doc, REPORT_BLOCK_SUBHEADING, text);
}

static void G_GNUC_PRINTF (2, 3)
add_para (ReportDoc  *doc,
          const char *format,
          ...)
{
  va_list args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  add_block (doc, REPORT_BLOCK_PARAGRAPH, text);
}

static void
add_note (ReportDoc  *doc,
          const char *text)
{
  add_block (doc, REPORT_BLOCK_NOTE, text);
}

static void
add_bullet (ReportDoc           *doc,
            int                  klass,   /* LacunaEvidenceClass, or -1 */
            const char          *text)
{
  ReportBlock *b = add_block (doc, REPORT_BLOCK_BULLET, text);

  if (klass >= 0)
    {
      b->tag = g_strdup (lacuna_evidence_class_to_string (klass));
      b->badge = g_strdup (lacuna_evidence_class_label (klass));
    }
}

static ReportBlock *
add_table (ReportDoc    *doc,
           const double *widths,
           guint         n_columns,
           ...)
{
  ReportBlock *b = add_block (doc, REPORT_BLOCK_TABLE, NULL);
  va_list args;

  b->n_columns = n_columns;
  b->widths = widths;
  b->header = g_ptr_array_new_with_free_func (g_free);
  b->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  va_start (args, n_columns);
  for (guint i = 0; i < n_columns; i++)
    g_ptr_array_add (b->header, g_strdup (va_arg (args, const char *)));
  va_end (args);
  return b;
}

/* Takes the strings (n_columns of them, any may be NULL: shown empty). */
static void
table_add_row (ReportBlock *table,
               ...)
{
  char **row = g_new0 (char *, table->n_columns + 1);
  va_list args;

  va_start (args, table);
  for (guint i = 0; i < table->n_columns; i++)
    {
      char *cell = va_arg (args, char *);

      row[i] = cell != NULL ? cell : g_strdup ("");
    }
  va_end (args);
  g_ptr_array_add (table->rows, row);
}

char *
_lacuna_report_doc_to_text (ReportDoc *doc)
{
  GString *out = g_string_new (doc->title);

  g_string_append_c (out, '\n');
  if (doc->subtitle != NULL)
    g_string_append_printf (out, "%s\n", doc->subtitle);
  for (guint i = 0; i < doc->blocks->len; i++)
    {
      ReportBlock *b = g_ptr_array_index (doc->blocks, i);

      if (b->badge != NULL)
        g_string_append_printf (out, "%s ", b->badge);
      if (b->text != NULL)
        g_string_append_printf (out, "%s\n", b->text);
      for (guint j = 0; b->header != NULL && j < b->header->len; j++)
        g_string_append_printf (out, "%s\t", (char *) g_ptr_array_index (b->header, j));
      for (guint j = 0; b->rows != NULL && j < b->rows->len; j++)
        {
          char **row = g_ptr_array_index (b->rows, j);

          g_string_append_c (out, '\n');
          for (guint k = 0; row[k] != NULL; k++)
            g_string_append_printf (out, "%s\t", row[k]);
        }
      for (guint j = 0; b->thumbnails != NULL && j < b->thumbnails->len; j++)
        {
          ReportThumbnail *t = g_ptr_array_index (b->thumbnails, j);

          g_string_append_printf (out, "%s\n", t->caption);
        }
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

/* ---------------------------------------------------------------------------------------- */
/* JSON helpers (the export report is input: every member may be missing or of a wrong type) */

static JsonObject *
member_object (JsonObject *o,
               const char *name)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, name) : NULL;

  return n != NULL && JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
}

static JsonArray *
member_array (JsonObject *o,
              const char *name)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, name) : NULL;

  return n != NULL && JSON_NODE_HOLDS_ARRAY (n) ? json_node_get_array (n) : NULL;
}

static const char *
member_string (JsonObject *o,
               const char *name)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, name) : NULL;

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

static gint64
member_int (JsonObject *o,
            const char *name,
            gint64      fallback)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, name) : NULL;

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n))
    return fallback;
  if (json_node_get_value_type (n) == G_TYPE_INT64)
    return json_node_get_int (n);
  if (json_node_get_value_type (n) == G_TYPE_DOUBLE)
    return (gint64) json_node_get_double (n);
  return fallback;
}

static gboolean
member_bool (JsonObject *o,
             const char *name,
             gboolean    fallback)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, name) : NULL;

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_BOOLEAN)
    return fallback;
  return json_node_get_boolean (n);
}

static guint
array_length (JsonArray *a)
{
  return a != NULL ? json_array_get_length (a) : 0;
}

static JsonObject *
array_object (JsonArray *a,
              guint      i)
{
  JsonNode *n = json_array_get_element (a, i);

  return JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
}

/* A JSON value as one line of text (for verification results of unknown shape). */
static char *
node_to_text (JsonNode *node)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  json_generator_set_root (gen, node);
  return json_generator_to_data (gen, NULL);
}

/* ---------------------------------------------------------------------------------------- */
/* Findings in the copy                                                                     */

static int
action_rank (char action)
{
  switch (action)
    {
    case 'X': case 'Z': case 'D': case 'U':
      return 2;
    case 'C':
      return 1;
    default:
      return 0;
    }
}

static void
index_export (Builder *self)
{
  JsonArray *files = member_array (self->export, "files");

  self->changed_tags = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->file_by_input = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < array_length (files); i++)
    {
      JsonObject *file = array_object (files, i);
      JsonArray *changes = lacuna_report_get_changes (self->export, file);
      const char *input = member_string (file, "input");

      if (input != NULL)
        g_hash_table_insert (self->file_by_input, (gpointer) input, file);
      for (guint j = 0; j < array_length (changes); j++)
        {
          JsonObject *c = array_object (changes, j);
          const char *tag = member_string (c, "tag");
          const char *action = member_string (c, "action");
          char a, old;

          if (tag == NULL || action == NULL || action[0] == '\0')
            continue;
          a = action[0];
          old = (char) GPOINTER_TO_INT (g_hash_table_lookup (self->changed_tags, tag));
          if (old == 0 || action_rank (a) > action_rank (old))
            g_hash_table_insert (self->changed_tags, g_strdup (tag), GINT_TO_POINTER ((int) a));
        }
    }
}

/* The export report's entry for the file a finding's SOP instance came from, or NULL. */
static JsonObject *
file_of_sop (Builder    *self,
             const char *sop)
{
  LacunaInstance *instance;

  if (sop == NULL || self->collection == NULL || self->file_by_input == NULL)
    return NULL;
  instance = lacuna_collection_find_instance (self->collection, sop);
  if (instance == NULL || lacuna_instance_get_archive_member (instance) != NULL)
    return NULL;
  return g_hash_table_lookup (self->file_by_input, lacuna_instance_get_source (instance));
}

/* TRUE when the instance is known to be absent from the copy: it is in the collection,
 * as a plain file, and the export report lists no output file made from it (left out or
 * failed). */
static gboolean
sop_not_written (Builder    *self,
                 const char *sop)
{
  LacunaInstance *instance;

  if (sop == NULL || self->collection == NULL || self->file_by_input == NULL)
    return FALSE;
  instance = lacuna_collection_find_instance (self->collection, sop);
  if (instance == NULL || lacuna_instance_get_archive_member (instance) != NULL)
    return FALSE;
  return g_hash_table_lookup (self->file_by_input, lacuna_instance_get_source (instance)) == NULL;
}

/* Area of box covered by the regions on frame (0-based; regions with frame -1 apply to
 * every frame), as a fraction. Regions of a file do not overlap in practice; the area is
 * counted per pixel anyway (boxes are small). */
static double
covered_fraction (const int  box[4],
                  guint      frame,
                  JsonArray *regions)
{
  guint64 total = (guint64) MAX (box[2], 0) * (guint64) MAX (box[3], 0);
  guint64 covered = 0;

  if (total == 0 || total > 16 * 1024 * 1024)
    return 0.0;
  for (int y = box[1]; y < box[1] + box[3]; y++)
    for (int x = box[0]; x < box[0] + box[2]; x++)
      for (guint i = 0; i < array_length (regions); i++)
        {
          JsonObject *r = array_object (regions, i);
          gint64 f = member_int (r, "frame", -2);
          gint64 rx = member_int (r, "x", 0), ry = member_int (r, "y", 0);
          gint64 rw = member_int (r, "width", 0), rh = member_int (r, "height", 0);

          if (f != -1 && f != (gint64) frame)
            continue;
          if (x >= rx && x < rx + rw && y >= ry && y < ry + rh)
            {
              covered++;
              break;
            }
        }
  return (double) covered / (double) total;
}

static After
burned_in_after (Builder       *self,
                 LacunaFinding *f)
{
  JsonObject *file = file_of_sop (self, lacuna_finding_get_sop_instance_uid (f));
  JsonArray *regions = NULL;
  guint frame = lacuna_finding_get_frame (f);
  int box[4];
  double fraction;

  if (file == NULL && sop_not_written (self, lacuna_finding_get_sop_instance_uid (f)))
    return AFTER_REMOVED;   /* the image is not in the copy */
  if (!lacuna_finding_get_box (f, box))
    return AFTER_PRESENT;
  if (file != NULL)
    regions = member_array (member_object (file, "pixels"), "regions");
  else if (self->collection == NULL)
    {
      JsonObject *counts = member_object (self->export, "counts");

      /* Boxes given for every image apply to every written file with pixels: only when
       * nothing failed or was left out can that be said of this one without a mapping. */
      if (member_int (counts, "failed", 1) == 0 && member_int (counts, "left-out", 1) == 0)
        regions = member_array (member_object (self->export, "options"), "redact");
    }
  if (regions == NULL)
    return AFTER_PRESENT;
  fraction = covered_fraction (box, frame > 0 ? frame - 1 : 0, regions);
  if (fraction >= 1.0)
    return AFTER_REMOVED;
  return fraction > 0.0 ? AFTER_REDUCED : AFTER_PRESENT;
}

static After
after_of (Builder       *self,
          LacunaFinding *f)
{
  const char *kind = lacuna_finding_get_kind (f);

  if (self->export == NULL)
    return AFTER_NONE;
  if (lacuna_finding_get_status (f) == LACUNA_FINDING_CANNOT_BE_REMOVED)
    return AFTER_CANNOT;
  if (g_str_equal (kind, "header-identity") || g_str_equal (kind, "quasi-identifier"))
    {
      const char *path = lacuna_finding_get_tag_path (f);
      g_autofree char *tag = NULL;
      char action;

      if (path == NULL)
        return AFTER_PRESENT;
      tag = lacuna_dicom_tag_format (lacuna_dicom_path_last_tag (path));
      action = (char) GPOINTER_TO_INT (g_hash_table_lookup (self->changed_tags, tag));
      switch (action_rank (action))
        {
        case 2:
          return AFTER_REMOVED;
        case 1:
          return AFTER_REDUCED;
        default:
          return AFTER_PRESENT;
        }
    }
  if (g_str_equal (kind, "burned-in-text"))
    return burned_in_after (self, f);
  switch (lacuna_finding_get_status (f))
    {
    case LACUNA_FINDING_REMOVED:
      return AFTER_REMOVED;
    case LACUNA_FINDING_REDUCED:
      return AFTER_REDUCED;
    default:
      return AFTER_PRESENT;
    }
}

static const char *
after_label (After after)
{
  switch (after)
    {
    case AFTER_NONE:
      return _("No export report");
    case AFTER_PRESENT:
      return lacuna_finding_status_label (LACUNA_FINDING_PRESENT);
    case AFTER_REDUCED:
      return lacuna_finding_status_label (LACUNA_FINDING_REDUCED);
    case AFTER_REMOVED:
      return lacuna_finding_status_label (LACUNA_FINDING_REMOVED);
    case AFTER_CANNOT:
    default:
      return lacuna_finding_status_label (LACUNA_FINDING_CANNOT_BE_REMOVED);
    }
}

/* Where, in words: a tag, or an image region (named by its output file: never by the
 * input's UIDs, which would link the copy back to the original). */
static char *
dup_where (Builder       *self,
           LacunaFinding *f)
{
  const char *path = lacuna_finding_get_tag_path (f);
  const char *sop = lacuna_finding_get_sop_instance_uid (f);
  JsonObject *file;
  const char *file_id = NULL;
  GString *out = g_string_new (NULL);
  int box[4];

  if (path != NULL)
    {
      g_autofree char *tag = lacuna_dicom_tag_format (lacuna_dicom_path_last_tag (path));

      g_string_append (out, tag);
    }
  if (sop != NULL && (path == NULL || g_str_equal (lacuna_finding_get_kind (f), "burned-in-text")))
    {
      file = file_of_sop (self, sop);
      file_id = member_string (file, "file-id");
      if (out->len > 0)
        g_string_append (out, "; ");
      if (file_id != NULL)
        g_string_append_printf (out, _("image written as %s"), file_id);
      else if (sop_not_written (self, sop))
        g_string_append (out, _("an image of the input that is not in the copy"));
      else
        g_string_append (out, _("an image of the input"));
      if (lacuna_finding_get_frame (f) > 0)
        g_string_append_printf (out, _(", frame %u"), lacuna_finding_get_frame (f));
      if (lacuna_finding_get_box (f, box))
        g_string_append_printf (out, _(", box x %d, y %d, %d × %d"), box[0], box[1], box[2],
                                box[3]);
    }
  if (out->len == 0)
    g_string_append (out, _("the whole collection"));
  return g_string_free (out, FALSE);
}

static void
row_clear (gpointer data)
{
  Row *row = data;

  g_free (row->where);
}

/* Whether a burned-in finding's line is on the first frame (the one drawn). */
static gboolean
on_first_frame (LacunaFinding *f)
{
  JsonArray *frames = member_array (lacuna_finding_get_values (f), "frames");

  if (lacuna_finding_get_frame (f) <= 1)
    return TRUE;
  for (guint i = 0; i < array_length (frames); i++)
    if (json_array_get_int_element (frames, i) == 1)
      return TRUE;
  return FALSE;
}

/* Text the copy still holds is hidden in the thumbnails: the report goes to other people. */
static void
add_mask (Builder *self,
          Row     *row)
{
  LacunaFinding *f = row->finding;
  JsonObject *file;
  const char *file_id;
  GArray *boxes;
  int box[4];

  if (self->export == NULL || !g_str_equal (lacuna_finding_get_kind (f), "burned-in-text") ||
      row->after == AFTER_REMOVED ||
      g_strcmp0 (member_string (lacuna_finding_get_values (f), "severity"), "clinical") == 0 ||
      !on_first_frame (f))
    return;
  file = file_of_sop (self, lacuna_finding_get_sop_instance_uid (f));
  file_id = member_string (file, "file-id");
  if (file_id == NULL || !lacuna_finding_get_box (f, box))
    {
      self->unmapped_text = TRUE;
      return;
    }
  boxes = g_hash_table_lookup (self->masks, file_id);
  if (boxes == NULL)
    {
      boxes = g_array_new (FALSE, FALSE, sizeof (int) * 4);
      g_hash_table_insert (self->masks, g_strdup (file_id), boxes);
    }
  g_array_append_vals (boxes, box, 1);
}

static void
collect_rows (Builder *self)
{
  guint n = lacuna_findings_get_n_findings (self->findings);

  self->masks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) g_array_unref);
  self->rows = g_array_sized_new (FALSE, TRUE, sizeof (Row), n);
  g_array_set_clear_func (self->rows, row_clear);
  for (guint i = 0; i < n; i++)
    {
      Row row = { 0 };

      row.finding = lacuna_findings_get_finding (self->findings, i);
      row.after = after_of (self, row.finding);
      row.where = dup_where (self, row.finding);
      g_array_append_val (self->rows, row);
      add_mask (self, &row);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* The patient's part                                                                       */

typedef struct
{
  guint       n;
  guint       n_removed;
  guint       n_left;
} Category;

enum
{
  CAT_NAME, CAT_FAMILY, CAT_ID, CAT_BIRTH, CAT_CONTACT, CAT_STAFF, CAT_PLACE, CAT_DATES,
  CAT_DEVICE, CAT_REFS, CAT_TEXT, CAT_PRIVATE, CAT_OTHER,
  /* quasi-identifiers */
  CAT_AGE, CAT_SEX, CAT_SIZE, CAT_WEIGHT, CAT_BMI, CAT_TIMES, CAT_EQUIPMENT,
  N_CATS
};

/* The plain words of each category, for lists ("your name; your date of birth"). */
static const struct
{
  const char *noun;
} category_words[N_CATS] = {
  [CAT_NAME] =      { N_("your name") },
  [CAT_FAMILY] =    { N_("names of people close to you, such as your mother’s birth name") },
  [CAT_ID] =        { N_("your patient number and other ID numbers") },
  [CAT_BIRTH] =     { N_("your date of birth") },
  [CAT_CONTACT] =   { N_("your address and phone number") },
  [CAT_STAFF] =     { N_("the names of the staff who cared for you") },
  [CAT_PLACE] =     { N_("the hospital and department") },
  [CAT_DATES] =     { N_("the dates of your examination") },
  [CAT_DEVICE] =    { N_("which machine took the images") },
  [CAT_REFS] =      { N_("reference numbers and codes that link to your other records") },
  [CAT_TEXT] =      { N_("notes and descriptions in free text") },
  [CAT_PRIVATE] =   { N_("manufacturer-specific data, which can hold any of these") },
  [CAT_OTHER] =     { N_("other details about you or your visit") },
  [CAT_AGE] =       { N_("your exact age") },
  [CAT_SEX] =       { N_("your sex") },
  [CAT_SIZE] =      { N_("your height") },
  [CAT_WEIGHT] =    { N_("your weight") },
  [CAT_BMI] =       { N_("what gives your body-mass index") },
  [CAT_TIMES] =     { N_("the time of day of your examination") },
  [CAT_EQUIPMENT] = { N_("the make of uncommon equipment, which narrows down the place") },
};

static gboolean
contains (const char *haystack,
          const char *needle)
{
  return haystack != NULL && strstr (haystack, needle) != NULL;
}

static int
category_of (LacunaFinding *f)
{
  JsonObject *values = lacuna_finding_get_values (f);
  const char *kw = member_string (values, "keyword");
  const char *vr = member_string (values, "vr");
  const char *path = lacuna_finding_get_tag_path (f);
  guint32 tag = path != NULL ? lacuna_dicom_path_last_tag (path) : 0;

  if (kw == NULL)
    kw = "";
  if (g_str_equal (lacuna_finding_get_kind (f), "quasi-identifier"))
    {
      if (json_object_has_member (values, "bmi"))
        return CAT_BMI;
      if (g_str_equal (kw, "PatientAge"))
        return CAT_AGE;
      if (g_str_equal (kw, "PatientSex"))
        return CAT_SEX;
      if (g_str_equal (kw, "PatientSize"))
        return CAT_SIZE;
      if (g_str_equal (kw, "PatientWeight"))
        return CAT_WEIGHT;
      if (contains (kw, "Manufacturer"))
        return CAT_EQUIPMENT;
      return CAT_TIMES;
    }
  if ((tag >> 16) & 1)
    return CAT_PRIVATE;
  if (g_str_equal (kw, "PatientName") || g_str_equal (kw, "OtherPatientNames") ||
      g_str_equal (kw, "PatientBirthName"))
    return CAT_NAME;
  if (contains (kw, "Mother") || contains (kw, "ResponsiblePerson") ||
      contains (kw, "Relationship"))
    return CAT_FAMILY;
  if (contains (kw, "BirthDate") || contains (kw, "BirthTime"))
    return CAT_BIRTH;
  if (contains (kw, "Address") && contains (kw, "Patient"))
    return CAT_CONTACT;
  if (contains (kw, "Telephone") || contains (kw, "Telecom") || contains (kw, "Residence"))
    return CAT_CONTACT;
  if (g_str_has_prefix (kw, "PatientID") || g_str_has_prefix (kw, "OtherPatientID") ||
      contains (kw, "IssuerOfPatientID") || contains (kw, "MedicalRecord") ||
      contains (kw, "Insurance"))
    return CAT_ID;
  if (contains (kw, "Physician") || contains (kw, "Operator") || contains (kw, "Performing") ||
      contains (kw, "Reading") || contains (kw, "Author") || contains (kw, "Verifying") ||
      contains (kw, "PersonName") || contains (kw, "Requesting"))
    return CAT_STAFF;
  if (contains (kw, "Institution") || contains (kw, "Department"))
    return CAT_PLACE;
  if (contains (kw, "Device") || contains (kw, "Station") || contains (kw, "Serial") ||
      contains (kw, "Manufacturer"))
    return CAT_DEVICE;
  if (contains (kw, "Date") || contains (kw, "Time") ||
      (vr != NULL && (g_str_equal (vr, "DA") || g_str_equal (vr, "TM") ||
                      g_str_equal (vr, "DT"))))
    return CAT_DATES;
  if (contains (kw, "UID") || contains (kw, "Accession") || contains (kw, "ID") ||
      (vr != NULL && g_str_equal (vr, "UI")))
    return CAT_REFS;
  if (contains (kw, "Description") || contains (kw, "Comment") || contains (kw, "Text") ||
      (vr != NULL && (g_str_equal (vr, "LT") || g_str_equal (vr, "ST") ||
                      g_str_equal (vr, "UT") || g_str_equal (vr, "LO"))))
    return CAT_TEXT;
  return CAT_OTHER;
}

static char *
join_nouns (GPtrArray *nouns)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < nouns->len; i++)
    {
      if (i > 0)
        /* TRANSLATORS: separates items of a list: "your name; your date of birth" */
        g_string_append (out, _("; "));
      g_string_append (out, g_ptr_array_index (nouns, i));
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* A bullet with a count: format comes from g_dngettext (so the compiler checks it). */
#define add_count_bullet(doc, klass, format, n) \
  G_STMT_START { \
    g_autofree char *count_text_ = g_strdup_printf (format, n); \
    add_bullet (doc, klass, count_text_); \
  } G_STMT_END

/* "Your identity is stated in the files: your name; your date of birth." */
static void
add_list_bullet (ReportDoc  *doc,
                 int         klass,
                 const char *lead,
                 GPtrArray  *nouns)
{
  g_autofree char *list = join_nouns (nouns);
  g_autofree char *text = g_strdup_printf ("%s %s.", lead, list);

  add_bullet (doc, klass, text);
}

static void
build_patient (Builder *self)
{
  ReportDoc *doc = self->doc;
  Category cats[N_CATS] = { { 0 } };
  guint n_text = 0, n_text_identity = 0, n_text_unread = 0, n_text_clinical = 0;
  guint n_text_removed = 0, n_text_left = 0;
  guint n_face = 0, n_bodycomp = 0;
  g_autoptr(GPtrArray) cards = g_ptr_array_new ();
  g_autoptr(GPtrArray) identity = g_ptr_array_new ();
  g_autoptr(GPtrArray) quasi = g_ptr_array_new ();
  g_autoptr(GPtrArray) removed = g_ptr_array_new ();
  g_autoptr(GPtrArray) left = g_ptr_array_new ();

  for (guint i = 0; i < self->rows->len; i++)
    {
      Row *row = &g_array_index (self->rows, Row, i);
      LacunaFinding *f = row->finding;
      const char *kind = lacuna_finding_get_kind (f);
      JsonObject *values = lacuna_finding_get_values (f);

      if (g_str_equal (kind, "header-identity") || g_str_equal (kind, "quasi-identifier"))
        {
          int c = category_of (f);

          cats[c].n++;
          if (row->after == AFTER_REMOVED)
            cats[c].n_removed++;
          else if (row->after != AFTER_NONE)
            cats[c].n_left++;
        }
      else if (g_str_equal (kind, "burned-in-text"))
        {
          const char *severity = member_string (values, "severity");

          if (g_strcmp0 (severity, "clinical") == 0)
            {
              n_text_clinical++;
              continue;
            }
          n_text++;
          if (lacuna_finding_get_class (f) == LACUNA_EVIDENCE_DETECTED)
            n_text_unread++;
          if (g_strcmp0 (severity, "identity") == 0)
            n_text_identity++;
          if (row->after == AFTER_REMOVED)
            n_text_removed++;
          else if (row->after != AFTER_NONE)
            n_text_left++;
        }
      else if (g_str_equal (kind, "face"))
        n_face++;
      else if (g_str_equal (kind, "body-composition"))
        n_bodycomp++;
      else if (g_str_equal (kind, "literature"))
        {
          const char *title = member_string (values, "title");
          gboolean seen = FALSE;

          for (guint j = 0; title != NULL && j < cards->len; j++)
            seen |= g_str_equal (g_ptr_array_index (cards, j), title);
          if (title != NULL && !seen)
            g_ptr_array_add (cards, (gpointer) title);
        }
    }
  for (guint c = 0; c < N_CATS; c++)
    {
      if (cats[c].n == 0)
        continue;
      if (c < CAT_AGE)
        g_ptr_array_add (identity, (gpointer) _(category_words[c].noun));
      else if (c != CAT_BMI)
        g_ptr_array_add (quasi, (gpointer) _(category_words[c].noun));
      if (cats[c].n_removed == cats[c].n)
        g_ptr_array_add (removed, (gpointer) _(category_words[c].noun));
      else if (cats[c].n_left > 0)
        g_ptr_array_add (left, (gpointer) _(category_words[c].noun));
    }

  add_part (doc, "patient", _("For the patient"));
  add_para (doc, "%s", _("This part is for the person in these images. It says, in plain "
                         "words, what the images and their files show about you, what the "
                         "de-identified copy removed, and what cannot be removed. It never "
                         "repeats your details: it says “your name”, not the name itself."));
  add_note (doc, _("Each item is marked with how we know it. Stated: it is written in the "
                   "files. Measured: we computed it from the pixels. Detected: a common "
                   "detection program found it (a count, not a certainty). Literature: "
                   "research shows it can be read from such images; we did not do it."));

  add_heading (doc, "patient-shows", _("What this study shows about you"));
  add_subheading (doc, _("Your identity, written in the files"));
  if (identity->len > 0)
    add_list_bullet (doc, LACUNA_EVIDENCE_STATED, _("These details of yours are stated in the "
                                                    "files:"), identity);
  else
    add_bullet (doc, -1, _("We found none of your identifying details in the files."));
  if (quasi->len > 0)
    add_list_bullet (doc, LACUNA_EVIDENCE_STATED, _("Details that, together with other "
                                                    "information, narrow down who you are, "
                                                    "are stated in the files:"), quasi);
  if (cats[CAT_BMI].n > 0)
    add_bullet (doc, LACUNA_EVIDENCE_MEASURED, _("We measured your body-mass index from the "
                                                 "height and weight in the files."));

  add_subheading (doc, _("Text in the images"));
  if (n_text > 0)
    add_count_bullet (doc, LACUNA_EVIDENCE_STATED,
                      g_dngettext (GETTEXT_PACKAGE,
                                   "Text is stated in the pixels of the images: %u line that is "
                                   "not a clinical label.",
                                   "Text is stated in the pixels of the images: %u lines that are "
                                   "not clinical labels.",
                                   n_text), n_text);
  if (n_text_identity > 0)
    add_count_bullet (doc, LACUNA_EVIDENCE_STATED,
                      g_dngettext (GETTEXT_PACKAGE,
                                   "%u line of it matches your name, date of birth or ID.",
                                   "%u lines of it match your name, date of birth or ID.",
                                   n_text_identity),
                      n_text_identity);
  if (n_text_unread > 0)
    add_count_bullet (doc, LACUNA_EVIDENCE_DETECTED,
                      g_dngettext (GETTEXT_PACKAGE,
                                   "A standard detector found %u text-like region that could not "
                                   "be read.",
                                   "A standard detector found %u text-like regions that could not "
                                   "be read.",
                                   n_text_unread), n_text_unread);
  if (n_text_clinical > 0)
    add_count_bullet (doc, LACUNA_EVIDENCE_STATED,
                      g_dngettext (GETTEXT_PACKAGE,
                                   "%u more line is a clinical label (a measurement or a marker) "
                                   "that names no one.",
                                   "%u more lines are clinical labels (measurements or markers) "
                                   "that name no one.",
                                   n_text_clinical), n_text_clinical);
  if (n_text == 0 && n_text_clinical == 0)
    add_bullet (doc, -1, _("No text in the pixels was reported: it was not found, or the "
                           "images were not read."));

  add_subheading (doc, _("Your face"));
  if (n_face > 0)
    add_count_bullet (doc, LACUNA_EVIDENCE_DETECTED,
                      g_dngettext (GETTEXT_PACKAGE,
                                   "A standard detector found a face in %u of these scans or "
                                   "images. A face can be rebuilt from a scan and compared with "
                                   "photographs.",
                                   "A standard detector found a face in %u of these scans or "
                                   "images. A face can be rebuilt from a scan and compared with "
                                   "photographs.",
                                   n_face),
                      n_face);
  else
    add_bullet (doc, -1, _("No face was reported: our detectors did not find one, or no face "
                           "check ran. That does not prove that no face can be seen."));

  add_subheading (doc, _("Your body"));
  if (n_bodycomp > 0)
    add_bullet (doc, LACUNA_EVIDENCE_MEASURED,
                _("We measured the areas of fat and muscle on a slice of your CT scan. The "
                  "scan itself shows them to anyone who looks."));
  else
    add_bullet (doc, -1, _("We made no body measurement on these images."));

  add_subheading (doc, _("What AI models are known to infer from images like these"));
  if (cards->len > 0)
    {
      g_autofree char *list = join_nouns (cards);
      g_autofree char *text = g_strdup_printf (_("Published AI models can infer more from "
                                                 "images like this. The research: %s. We did "
                                                 "not run such a model on this patient; how "
                                                 "well they would work on your images is "
                                                 "unknown."), list);

      add_bullet (doc, LACUNA_EVIDENCE_LITERATURE, text);
    }
  else
    add_bullet (doc, -1, _("No published result that we know of applies to these images."));

  add_heading (doc, "patient-removed", _("What the copy removed, and what it still holds"));
  if (self->export == NULL)
    add_para (doc, "%s", _("No report of a de-identified copy was given, so this report "
                           "cannot say what a copy removed."));
  else
    {
      JsonObject *counts = member_object (self->export, "counts");
      JsonObject *residual = member_object (self->export, "residual-scan");
      gint64 written = member_int (counts, "written", 0);

      add_para (doc, g_dngettext (GETTEXT_PACKAGE,
                                  "A de-identified copy of %" G_GINT64_FORMAT " file was "
                                  "made.",
                                  "A de-identified copy of %" G_GINT64_FORMAT " files was "
                                  "made.", (gulong) written), written);
      if (removed->len > 0)
        add_list_bullet (doc, -1, _("Removed or replaced in the copy:"), removed);
      if (n_text_removed > 0)
        add_count_bullet (doc, -1,
                          g_dngettext (GETTEXT_PACKAGE,
                                       "Covered with a black box in the copy: %u line of text in "
                                       "the images.",
                                       "Covered with black boxes in the copy: %u lines of text in "
                                       "the images.",
                                       n_text_removed), n_text_removed);
      if (residual != NULL && member_int (residual, "hits", -1) == 0)
        add_para (doc, g_dngettext (GETTEXT_PACKAGE,
                                    "Afterwards every file of the copy was searched again "
                                    "for %" G_GINT64_FORMAT " identifying word or number of "
                                    "yours (such as your name and date of birth) in the "
                                    "files’ text: none was found.",
                                    "Afterwards every file of the copy was searched again "
                                    "for %" G_GINT64_FORMAT " identifying words and numbers "
                                    "of yours (such as your name and date of birth) in the "
                                    "files’ text: none was found.",
                                    (gulong) member_int (residual, "needles", 0)),
                  member_int (residual, "needles", 0));
      else if (residual != NULL)
        add_para (doc, "%s", _("The search of the copy for your identifying words and "
                               "numbers found some: the privacy officer’s part says where."));

      if (left->len > 0)
        add_list_bullet (doc, LACUNA_EVIDENCE_STATED, _("Still in the copy:"), left);
      if (n_text_left > 0)
        add_count_bullet (doc, LACUNA_EVIDENCE_STATED,
                          g_dngettext (GETTEXT_PACKAGE,
                                       "Still in the copy: %u line of text in the images, not "
                                       "covered.",
                                       "Still in the copy: %u lines of text in the images, not "
                                       "covered.",
                                       n_text_left), n_text_left);
      if (n_face > 0)
        add_bullet (doc, LACUNA_EVIDENCE_DETECTED,
                    _("Still in the copy: the face a standard detector found (the copy was "
                      "not defaced)."));
      if (removed->len == 0 && n_text_removed == 0 && left->len == 0 && n_text_left == 0 &&
          n_face == 0)
        add_bullet (doc, -1, _("This report lists nothing that the copy changed."));
    }

  add_heading (doc, "patient-cannot", _("What cannot be removed, and why"));
  add_bullet (doc, -1, _("The images themselves: whoever receives the copy sees your body as "
                         "the scan shows it. Blacking it out would make the images useless."));
  if (n_bodycomp > 0)
    add_bullet (doc, LACUNA_EVIDENCE_MEASURED,
                _("Your body measurements (fat and muscle) are in the pixels of the scan "
                  "itself. Only cutting the scan shorter would take them out."));
  if (cards->len > 0)
    add_bullet (doc, LACUNA_EVIDENCE_LITERATURE,
                _("What AI models can read from images like these lies in the whole image, "
                  "not in one place that could be blacked out."));
  add_note (doc, _("There is no single score for how private a copy is: each item is shown "
                   "on its own, with how we know it."));

  add_heading (doc, "patient-ask", _("Where to ask"));
  add_para (doc, "%s", _("If you have questions about this report, about who receives the "
                         "copy, or why, ask the hospital or the person who sent it to you. "
                         "They can also tell you how to object."));
}

/* ---------------------------------------------------------------------------------------- */
/* The privacy officer's part                                                               */

static const double findings_widths[] = { 0.45, 1.7, 1.5, 1.7, 4.2, 2.5 };
static const double kinds_widths[] = { 2.0, 1.6, 1.0, 1.0, 1.0, 1.0, 1.3 };
static const double two_widths[] = { 1.0, 2.4 };
static const double actions_widths[] = { 0.7, 3.0, 1.0, 1.0 };
static const double files_widths[] = { 2.6, 2.6, 2.2, 0.8, 2.2, 1.8 };
static const double why_widths[] = { 2.0, 3.0 };

static const char *
action_meaning (const char *action)
{
  switch (action[0])
    {
    case 'X':
      return _("removed");
    case 'Z':
      return _("emptied (or replaced by a zero-length value)");
    case 'D':
      return _("replaced by a dummy value");
    case 'U':
      return _("replaced by a new UID");
    case 'C':
      return _("cleaned (dates shifted, identifying text cut)");
    case 'K':
      return _("kept");
    default:
      return _("changed");
    }
}

static void
build_findings_table (Builder *self)
{
  ReportDoc *doc = self->doc;
  ReportBlock *table;
  g_autoptr(GHashTable) kinds = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) kind_order = g_ptr_array_new ();
  ReportBlock *counts;

  add_heading (doc, "officer-findings", _("Findings"));
  add_para (doc, g_dngettext (GETTEXT_PACKAGE,
                              "%u finding, each with its evidence class.",
                              "%u findings, each with its evidence class.",
                              self->rows->len),
            self->rows->len);
  for (guint k = LACUNA_EVIDENCE_STATED; k <= LACUNA_EVIDENCE_LITERATURE; k++)
    add_bullet (doc, (int) k, lacuna_evidence_class_describe (k));
  add_note (doc, _("Counts, not probabilities, and no single score (INFERENCE.md §5). "
                   "“In the copy” comes from the export’s own report: an attribute is "
                   "removed "
                   "when the export lists a change of it, a line of text when its whole box "
                   "lies inside the regions filled in its output file."));

  /* Counts per kind and class. */
  for (guint i = 0; i < self->rows->len; i++)
    {
      Row *row = &g_array_index (self->rows, Row, i);
      g_autofree char *key = g_strdup_printf ("%s\t%s", lacuna_finding_get_kind (row->finding),
                                              lacuna_evidence_class_to_string (
                                                lacuna_finding_get_class (row->finding)));
      guint *c = g_hash_table_lookup (kinds, key);

      if (c == NULL)
        {
          c = g_new0 (guint, 6);
          g_ptr_array_add (kind_order, g_strdup (key));
          g_hash_table_insert (kinds, g_ptr_array_index (kind_order, kind_order->len - 1), c);
        }
      c[5]++;   /* 0..4: After */
      c[row->after]++;
    }
  counts = add_table (doc, kinds_widths, 7, _("Kind"), _("Class"), _("Findings"),
                      _("Present in the copy"), _("Reduced"), _("Removed"),
                      _("Cannot be removed by redaction"));
  for (guint i = 0; i < kind_order->len; i++)
    {
      const char *key = g_ptr_array_index (kind_order, i);
      guint *c = g_hash_table_lookup (kinds, key);
      g_auto(GStrv) parts = g_strsplit (key, "\t", 2);
      gboolean none = self->export == NULL;

      table_add_row (counts, g_strdup (parts[0]), g_strdup (parts[1]),
                     g_strdup_printf ("%u", c[5]),
                     none ? g_strdup ("—") : g_strdup_printf ("%u", c[AFTER_PRESENT]),
                     none ? g_strdup ("—") : g_strdup_printf ("%u", c[AFTER_REDUCED]),
                     none ? g_strdup ("—") : g_strdup_printf ("%u", c[AFTER_REMOVED]),
                     none ? g_strdup ("—") : g_strdup_printf ("%u", c[AFTER_CANNOT]));
      g_free (c);
    }
  for (guint i = 0; i < kind_order->len; i++)
    g_free (g_ptr_array_index (kind_order, i));

  add_heading (doc, "officer-every-finding", _("Every finding"));
  table = add_table (doc, findings_widths, 6, "#", _("Kind and class"),
                     _("Status: input → copy"), _("Where"), _("Finding"), _("What clears it"));
  for (guint i = 0; i < self->rows->len; i++)
    {
      Row *row = &g_array_index (self->rows, Row, i);
      LacunaFinding *f = row->finding;
      const char *action = lacuna_finding_get_action (f);

      table_add_row (table, g_strdup_printf ("%u", i + 1),
                     g_strdup_printf ("%s\n%s: “%s”", lacuna_finding_get_kind (f),
                                      lacuna_evidence_class_to_string (
                                        lacuna_finding_get_class (f)),
                                      lacuna_evidence_class_verb (lacuna_finding_get_class (f))),
                     g_strdup_printf ("%s → %s",
                                      lacuna_finding_status_label (lacuna_finding_get_status (f)),
                                      after_label (row->after)),
                     g_strdup (row->where),
                     g_strdup (lacuna_finding_get_text (f)),
                     g_strdup (action != NULL ? action : "—"));
    }
  if (self->rows->len == 0)
    add_para (doc, "%s", _("No findings were given to this report."));
}

static void
add_reason_table (ReportDoc  *doc,
                  JsonArray  *array,
                  const char *title,
                  const char *first,
                  const char *reason_member)
{
  ReportBlock *table;

  if (array_length (array) == 0)
    return;
  add_para (doc, "%s", title);
  table = add_table (doc, why_widths, 2, _("File"), _("Why"));
  for (guint i = 0; i < array_length (array); i++)
    {
      JsonObject *o = array_object (array, i);
      const char *what = member_string (o, first);
      const char *why = member_string (o, reason_member);

      if (what == NULL)
        what = member_string (o, "file-id");
      table_add_row (table, g_strdup (what != NULL ? what : "—"),
                     g_strdup (why != NULL ? why : "—"));
    }
}

static void
build_options (Builder *self)
{
  ReportDoc *doc = self->doc;
  JsonObject *options = member_object (self->export, "options");
  JsonArray *list = member_array (options, "options");
  JsonArray *redact = member_array (options, "redact");
  ReportBlock *table;
  g_autoptr(GString) names = g_string_new (NULL);

  add_heading (doc, "officer-options", _("Options and standard"));
  table = add_table (doc, two_widths, 2, _("Setting"), _("Value"));
  table_add_row (table, g_strdup (_("Profile")),
                 g_strdup (member_string (self->export, "profile")));
  table_add_row (table, g_strdup (_("Edition of DICOM PS3.15")),
                 g_strdup (member_string (self->export, "edition")));
  for (guint i = 0; i < array_length (list); i++)
    {
      JsonNode *n = json_array_get_element (list, i);

      if (names->len > 0)
        g_string_append (names, ", ");
      if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
        g_string_append (names, json_node_get_string (n));
    }
  table_add_row (table, g_strdup (_("Profile options")),
                 g_strdup (names->len > 0 ? names->str : _("none (the Basic Profile alone)")));
  table_add_row (table, g_strdup (_("Largest date shift")),
                 g_strdup_printf (_("%" G_GINT64_FORMAT " days"),
                                  member_int (options, "date-shift-max-days", 0)));
  table_add_row (table, g_strdup (_("Pseudonym for the name / the ID")),
                 g_strdup_printf ("%s / %s",
                                  member_bool (options, "patient-name-pseudonym", FALSE)
                                  ? _("yes") : _("no"),
                                  member_bool (options, "patient-id-pseudonym", FALSE)
                                  ? _("yes") : _("no")));
  table_add_row (table, g_strdup (_("Objects that cannot be checked")),
                 g_strdup (member_bool (options, "include-unknown-payloads", FALSE)
                           ? _("written") : _("left out")));
  table_add_row (table, g_strdup (_("Per-attribute overrides")),
                 g_strdup_printf ("%u", array_length (member_array (options, "overrides"))));
  g_string_truncate (names, 0);
  for (guint i = 0; i < array_length (redact); i++)
    {
      JsonObject *r = array_object (redact, i);
      gint64 frame = member_int (r, "frame", -1);

      if (names->len > 0)
        g_string_append (names, "; ");
      if (frame < 0)
        g_string_append (names, _("every frame"));
      else
        g_string_append_printf (names, _("frame %" G_GINT64_FORMAT), frame + 1);
      g_string_append_printf (names, _(": x %" G_GINT64_FORMAT ", y %" G_GINT64_FORMAT ", %"
                                       G_GINT64_FORMAT " × %" G_GINT64_FORMAT),
                              member_int (r, "x", 0), member_int (r, "y", 0),
                              member_int (r, "width", 0), member_int (r, "height", 0));
    }
  table_add_row (table, g_strdup (_("Boxes filled on every image")),
                 g_strdup (names->len > 0 ? names->str : _("none")));
  table_add_row (table, g_strdup (_("Burned-in text")),
                 g_strdup (member_string (options, "burned-in") != NULL
                           ? member_string (options, "burned-in") : "—"));
  table_add_row (table, g_strdup (_("Boxes from the recipe")),
                 g_strdup_printf ("%" G_GINT64_FORMAT, member_int (options, "recipe-boxes", 0)));
  table_add_row (table, g_strdup (_("Replacement identifiers")),
                 g_strdup (member_string (options, "replacement-identifiers")));
  table_add_row (table, g_strdup (_("Written by")),
                 g_strdup_printf ("Lacuna %s", member_string (self->export, "lacuna-version")
                                  ? member_string (self->export, "lacuna-version") : "?"));
}

static char *
regions_text (JsonObject *pixels)
{
  JsonArray *regions = member_array (pixels, "regions");
  GString *out = g_string_new (NULL);

  if (pixels == NULL)
    return g_string_free (out, FALSE);
  for (guint i = 0; i < array_length (regions); i++)
    {
      JsonObject *r = array_object (regions, i);

      if (i > 0)
        g_string_append (out, "; ");
      g_string_append_printf (out, _("frame %" G_GINT64_FORMAT ": x %" G_GINT64_FORMAT ", y %"
                                     G_GINT64_FORMAT ", %" G_GINT64_FORMAT " × %"
                                     G_GINT64_FORMAT),
                              member_int (r, "frame", 0) + 1, member_int (r, "x", 0),
                              member_int (r, "y", 0), member_int (r, "width", 0),
                              member_int (r, "height", 0));
    }
  if (out->len == 0)
    g_string_append (out, _("none"));
  return g_string_free (out, FALSE);
}

static void
build_export (Builder *self)
{
  ReportDoc *doc = self->doc;
  JsonObject *counts = member_object (self->export, "counts");
  JsonObject *residual = member_object (self->export, "residual-scan");
  JsonArray *files = member_array (self->export, "files");
  g_autoptr(GHashTable) per_action = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                            g_free);
  g_autoptr(GList) actions = NULL;
  ReportBlock *table;
  static const char *known[] = {
    "files", "left-out", "skipped", "failed", "warnings", "lacuna-report", "lacuna-version",
    "profile", "edition", "options", "output", "archive", "shards", "counts", "dicomdir", "zip",
    "residual-scan", "verification", NULL
  };

  add_heading (doc, "officer-export", _("What the export changed"));
  if (self->export == NULL)
    {
      add_para (doc, "%s", _("No export report was given: this report lists the findings of "
                             "the input only."));
      return;
    }

  table = add_table (doc, two_widths, 2, _("Files"), _("Count"));
  table_add_row (table, g_strdup (_("Instances found in the input")),
                 g_strdup_printf ("%" G_GINT64_FORMAT, member_int (counts, "instances", 0)));
  table_add_row (table, g_strdup (_("Written")),
                 g_strdup_printf ("%" G_GINT64_FORMAT, member_int (counts, "written", 0)));
  table_add_row (table, g_strdup (_("Left out (content that cannot be checked)")),
                 g_strdup_printf ("%" G_GINT64_FORMAT, member_int (counts, "left-out", 0)));
  table_add_row (table, g_strdup (_("Skipped (not DICOM, duplicates)")),
                 g_strdup_printf ("%" G_GINT64_FORMAT, member_int (counts, "skipped", 0)));
  table_add_row (table, g_strdup (_("Failed")),
                 g_strdup_printf ("%" G_GINT64_FORMAT, member_int (counts, "failed", 0)));
  table_add_row (table, g_strdup (_("Warnings")),
                 g_strdup_printf ("%" G_GINT64_FORMAT, member_int (counts, "warnings", 0)));

  /* Changes per action: how many, in how many distinct attributes. */
  {
    g_autoptr(GHashTable) distinct = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                            NULL);

    for (guint i = 0; i < array_length (files); i++)
      {
        JsonArray *changes = lacuna_report_get_changes (self->export, array_object (files, i));

        for (guint j = 0; j < array_length (changes); j++)
          {
            JsonObject *c = array_object (changes, j);
            const char *action = member_string (c, "action");
            const char *tag = member_string (c, "tag");
            guint *n;

            if (action == NULL || action[0] == '\0')
              continue;
            n = g_hash_table_lookup (per_action, action);
            if (n == NULL)
              {
                n = g_new0 (guint, 2);
                g_hash_table_insert (per_action, g_strdup (action), n);
              }
            n[0]++;
            if (tag != NULL)
              {
                char *key = g_strdup_printf ("%s\t%s", action, tag);

                if (g_hash_table_add (distinct, key))
                  n[1]++;
              }
          }
      }
  }
  add_para (doc, "%s", _("Attributes changed, per action (over all files):"));
  table = add_table (doc, actions_widths, 4, _("Action"), _("Meaning"), _("Changes"),
                     _("Attributes"));
  actions = g_list_sort (g_hash_table_get_keys (per_action), (GCompareFunc) g_strcmp0);
  for (GList *l = actions; l != NULL; l = l->next)
    {
      guint *n = g_hash_table_lookup (per_action, l->data);

      table_add_row (table, g_strdup (l->data), g_strdup (action_meaning (l->data)),
                     g_strdup_printf ("%u", n[0]), g_strdup_printf ("%u", n[1]));
    }

  add_para (doc, "%s", _("Every file written (the attributes changed in each are listed in "
                         "the export’s own report):"));
  table = add_table (doc, files_widths, 6, _("Output file"), _("Input"), _("Transfer syntax"),
                     _("Changes"), _("Pixel regions filled"), _("Residual scan"));
  for (guint i = 0; i < array_length (files); i++)
    {
      JsonObject *file = array_object (files, i);
      const char *ts_in = member_string (file, "input-transfer-syntax");
      const char *ts_out = member_string (file, "transfer-syntax");
      const char *input = member_string (file, "input");

      table_add_row (table, g_strdup (member_string (file, "file-id")),
                     g_strdup (input != NULL ? input : _("(withheld)")),
                     g_strcmp0 (ts_in, ts_out) == 0 ? g_strdup (ts_out)
                     : g_strdup_printf ("%s → %s", ts_in ? ts_in : "?", ts_out ? ts_out : "?"),
                     g_strdup_printf ("%u", array_length (lacuna_report_get_changes (self->export,
                                                                                     file))),
                     regions_text (member_object (file, "pixels")),
                     g_strdup (member_string (file, "residual")));
    }

  add_reason_table (doc, member_array (self->export, "left-out"),
                    _("Left out (not written, with the reason):"), "input", "reason");
  add_reason_table (doc, member_array (self->export, "skipped"),
                    _("Skipped (with the reason):"), "input", "reason");
  add_reason_table (doc, member_array (self->export, "failed"),
                    _("Failed (with the error):"), "input", "error");
  add_reason_table (doc, member_array (self->export, "warnings"),
                    _("Warnings:"), "input", "warning");

  add_heading (doc, "officer-verification", _("Verification"));
  if (residual != NULL)
    add_para (doc, _("Residual scan: %" G_GINT64_FORMAT " identifying strings of the input "
                     "searched for in every value, the raw bytes and the file names of every "
                     "output file; %" G_GINT64_FORMAT " found (%s)."),
              member_int (residual, "needles", 0), member_int (residual, "hits", 0),
              member_string (residual, "report") ? member_string (residual, "report") : "—");
  else
    add_para (doc, "%s", _("The export report holds no residual scan."));

  /* Verification of the written pixels (burned-in text): the run's summary and each file's
   * result. */
  {
    JsonObject *summary = member_object (self->export, "verification");
    ReportBlock *per_file = NULL;

    if (summary != NULL)
      add_para (doc, g_dngettext (GETTEXT_PACKAGE,
                                  "Verification of the written pixels: %" G_GINT64_FORMAT
                                  " file checked, %" G_GINT64_FORMAT " passed, %"
                                  G_GINT64_FORMAT " failed (a file that fails is not written).",
                                  "Verification of the written pixels: %" G_GINT64_FORMAT
                                  " files checked, %" G_GINT64_FORMAT " passed, %"
                                  G_GINT64_FORMAT " failed (a file that fails is not written).",
                                  (gulong) member_int (summary, "checked", 0)),
                member_int (summary, "checked", 0), member_int (summary, "passed", 0),
                member_int (summary, "failed", 0));
    for (guint i = 0; i < array_length (files); i++)
      {
        JsonObject *file = array_object (files, i);
        JsonNode *v = file != NULL ? json_object_get_member (file, "verification") : NULL;
        JsonObject *vo = v != NULL && JSON_NODE_HOLDS_OBJECT (v) ? json_node_get_object (v)
                                                                  : NULL;

        if (v == NULL)
          continue;
        if (per_file == NULL)
          per_file = add_table (doc, why_widths, 2, _("Output file"), _("Verification"));
        table_add_row (per_file, g_strdup (member_string (file, "file-id")),
                       member_string (vo, "result") != NULL
                       ? g_strdup (member_string (vo, "result")) : node_to_text (v));
      }
  }

  /* Results the export report adds that this report does not know by name: shown as they
   * are. */
  {
    JsonObjectIter iter;
    const char *name;
    JsonNode *node;
    ReportBlock *more = NULL;

    json_object_iter_init (&iter, self->export);
    while (json_object_iter_next (&iter, &name, &node))
      {
        if (g_strv_contains (known, name))
          continue;
        if (more == NULL)
          more = add_table (doc, two_widths, 2, _("Result"), _("Value"));
        table_add_row (more, g_strdup (name), node_to_text (node));
      }
  }
}

/* ---------------------------------------------------------------------------------------- */
/* Thumbnails of the output                                                                 */

#define THUMB_SIZE 256

static cairo_surface_t *
render_thumbnail (const char  *path,
                  GArray      *masks,
                  GError     **error)
{
  g_autoptr(LacunaDicomFile) file = NULL;
  g_autoptr(LacunaFrame) frame = NULL;
  cairo_surface_t *full, *thumb;
  cairo_t *cr;
  guint w, h, tw, th;
  double center, width, scale;
  gboolean use_lut;
  g_autofree guint8 *rgb = NULL;
  guint8 *data;
  int stride;

  file = lacuna_dicom_file_open (path, LACUNA_DICOM_OPEN_DEFAULT, error);
  if (file == NULL)
    return NULL;
  frame = lacuna_frame_decode (file, 0, error);
  if (frame == NULL)
    return NULL;
  w = lacuna_frame_get_width (frame);
  h = lacuna_frame_get_height (frame);
  if (w == 0 || h == 0 || w > 32768 || h > 32768)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The image has no size to draw"));
      return NULL;
    }
  lacuna_frame_get_default_window (frame, &center, &width, &use_lut);
  rgb = g_malloc ((gsize) w * h * 3);
  lacuna_frame_render_rgb (frame, center, width, use_lut, rgb, (gsize) w * 3);

  full = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) w, (int) h);
  if (cairo_surface_status (full) != CAIRO_STATUS_SUCCESS)
    {
      cairo_surface_destroy (full);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                           _("Not enough memory to draw the image"));
      return NULL;
    }
  cairo_surface_flush (full);
  data = cairo_image_surface_get_data (full);
  stride = cairo_image_surface_get_stride (full);
  for (guint y = 0; y < h; y++)
    {
      guint32 *dst = (guint32 *) (data + (gsize) y * stride);
      const guint8 *src = rgb + (gsize) y * w * 3;

      for (guint x = 0; x < w; x++)
        dst[x] = 0xff000000u | ((guint32) src[3 * x] << 16) | ((guint32) src[3 * x + 1] << 8) |
                 src[3 * x + 2];
    }
  cairo_surface_mark_dirty (full);

  scale = MIN (1.0, (double) THUMB_SIZE / MAX (w, h));
  tw = MAX (1, (guint) (w * scale + 0.5));
  th = MAX (1, (guint) (h * scale + 0.5));
  thumb = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) tw, (int) th);
  cr = cairo_create (thumb);
  cairo_scale (cr, (double) tw / w, (double) th / h);
  cairo_set_source_surface (cr, full, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_GOOD);
  cairo_paint (cr);
  /* Text the copy still holds: hidden, marked in red. */
  for (guint i = 0; masks != NULL && i < masks->len; i++)
    {
      const int *box = &g_array_index (masks, int, 4 * i);

      cairo_rectangle (cr, box[0], box[1], MAX (box[2], 1), MAX (box[3], 1));
    }
  cairo_set_source_rgb (cr, 0.75, 0.0, 0.0);
  cairo_fill (cr);
  cairo_destroy (cr);
  cairo_surface_destroy (full);
  cairo_surface_flush (thumb);
  return thumb;
}

/* For g_ptr_array_sort() over strings (it passes pointers to the elements). */
static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
build_thumbnails (Builder *self)
{
  ReportDoc *doc = self->doc;
  JsonArray *files = member_array (self->export, "files");
  g_autoptr(GHashTable) by_series = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                           (GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  ReportBlock *block = NULL;
  guint n_failed = 0;

  add_heading (doc, "officer-thumbnails", _("The output, as written"));
  if (self->export == NULL || self->export_dir == NULL || array_length (files) == 0)
    {
      add_para (doc, "%s", _("No output files to show."));
      return;
    }
  if (self->unmapped_text)
    {
      add_para (doc, "%s", _("Not drawn: the copy still holds text in its images that this "
                             "report cannot place in the output files, and the report must not "
                             "show it."));
      return;
    }
  add_note (doc, _("The first frame of a few files of each output series, decoded from the "
                   "written files (never from the input), in their default window. Text that "
                   "the copy still holds is hidden in red: this report goes to other people."));

  /* Series = the file ID's folder (DICOM/P…/S…/S…): made from the new UIDs. */
  for (guint i = 0; i < array_length (files); i++)
    {
      JsonObject *file = array_object (files, i);
      const char *id = member_string (file, "file-id");
      g_autofree char *series = NULL;
      GPtrArray *list;

      if (id == NULL || member_object (file, "pixels") == NULL)
        continue;
      series = g_path_get_dirname (id);
      list = g_hash_table_lookup (by_series, series);
      if (list == NULL)
        {
          list = g_ptr_array_new ();
          g_ptr_array_add (order, g_strdup (series));
          g_hash_table_insert (by_series, g_strdup (series), list);
        }
      g_ptr_array_add (list, (gpointer) id);
    }

  for (guint s = 0; s < order->len; s++)
    {
      GPtrArray *list = g_hash_table_lookup (by_series, g_ptr_array_index (order, s));
      guint n = MIN (list->len, LACUNA_FINDINGS_REPORT_THUMBNAILS_PER_SERIES);

      g_ptr_array_sort (list, compare_strings);
      for (guint k = 0; k < n; k++)
        {
          /* evenly spaced through the series */
          const char *id = g_ptr_array_index (list, n > 1 ? k * (list->len - 1) / (n - 1) : 0);
          g_autofree char *path = g_build_filename (self->export_dir, id, NULL);
          g_autoptr(GError) error = NULL;
          cairo_surface_t *surface;
          ReportThumbnail *t;
          GArray *masks;

          if (block != NULL && block->thumbnails->len >= LACUNA_FINDINGS_REPORT_MAX_THUMBNAILS)
            break;
          if (g_cancellable_is_cancelled (self->cancellable))
            return;
          masks = g_hash_table_lookup (self->masks, id);
          surface = render_thumbnail (path, masks, &error);
          if (surface == NULL)
            {
              n_failed++;
              g_debug ("thumbnail of an output file not drawn: %s", error->message);
              continue;
            }
          if (block == NULL)
            {
              block = add_block (doc, REPORT_BLOCK_THUMBNAILS, NULL);
              block->thumbnails = g_ptr_array_new_with_free_func (thumbnail_free);
            }
          t = g_new0 (ReportThumbnail, 1);
          t->surface = surface;
          if (masks != NULL)
            t->caption = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                       "%s (series %u): %u line of text the "
                                                       "copy still holds is hidden here in red",
                                                       "%s (series %u): %u lines of text the "
                                                       "copy still holds are hidden here in red",
                                                       masks->len), id, s + 1, masks->len);
          else
            t->caption = g_strdup_printf (_("%s (series %u)"), id, s + 1);
          g_ptr_array_add (block->thumbnails, t);
        }
    }
  for (guint i = 0; i < order->len; i++)
    g_free (g_ptr_array_index (order, i));
  if (n_failed > 0)
    add_para (doc, g_dngettext (GETTEXT_PACKAGE,
                                "%u output file could not be drawn.",
                                "%u output files could not be drawn.",
                                n_failed), n_failed);
  if (block == NULL && n_failed == 0)
    add_para (doc, "%s", _("No output file has pixels to show."));
}

/* ---------------------------------------------------------------------------------------- */
/* Writing                                                                                  */

static char *
strip_zip (const char *basename)
{
  if (g_str_has_suffix (basename, ".zip") && strlen (basename) > 4)
    return g_strndup (basename, strlen (basename) - 4);
  return g_strdup (basename);
}

char *
lacuna_findings_report_dup_html_path (const char *basename)
{
  g_autofree char *base = NULL;

  g_return_val_if_fail (basename != NULL, NULL);
  base = strip_zip (basename);
  return g_strconcat (base, ".findings.html", NULL);
}

char *
lacuna_findings_report_dup_pdf_path (const char *basename)
{
  g_autofree char *base = NULL;

  g_return_val_if_fail (basename != NULL, NULL);
  base = strip_zip (basename);
  return g_strconcat (base, ".findings.pdf", NULL);
}

/* The real path of a folder, or of the nearest existing ancestor with the rest appended. */
static char *
dup_resolved (const char *path)
{
  g_autofree char *abs = g_canonicalize_filename (path, NULL);
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *parent = NULL;
  char *real;

  real = realpath (abs, NULL);
  if (real != NULL)
    {
      char *copy = g_strdup (real);

      free (real);
      return copy;
    }
  dir = g_path_get_dirname (abs);
  if (g_str_equal (dir, abs))
    return g_steal_pointer (&abs);
  base = g_path_get_basename (abs);
  parent = dup_resolved (dir);
  return g_build_filename (parent, base, NULL);
}

static gboolean
is_inside (const char *path,
           const char *dir)
{
  g_autofree char *p = dup_resolved (path);
  g_autofree char *d = dup_resolved (dir);
  gsize n = strlen (d);

  if (g_str_equal (p, d))
    return TRUE;
  return strncmp (p, d, n) == 0 && (p[n] == G_DIR_SEPARATOR || g_str_equal (d, "/"));
}

/* The HTML with its data: URIs cut out (their base64 is not text). */
static char *
dup_html_without_data (const char *html)
{
  GString *out = g_string_new (NULL);
  const char *p = html;
  const char *hit;

  while ((hit = strstr (p, "data:image/png;base64,")) != NULL)
    {
      const char *end = hit + strlen ("data:image/png;base64,");

      g_string_append_len (out, p, end - p);
      while (*end != '\0' && *end != '"')
        end++;
      p = end;
    }
  g_string_append (out, p);
  return g_string_free (out, FALSE);
}

static gboolean
check_residual (LacunaResidual  *residual,
                const char      *text,
                const char      *where,
                GError         **error)
{
  g_autoptr(GPtrArray) hits = NULL;

  hits = g_ptr_array_new_with_free_func ((GDestroyNotify) lacuna_residual_hit_free);
  lacuna_residual_check_text (residual, text, where, hits);
  if (hits->len == 0)
    return TRUE;
  g_set_error (error, LACUNA_EXPORT_ERROR, LACUNA_EXPORT_ERROR_FAILED,
               _("The findings report was not written: its %s would hold an identifying "
                 "string of the input (%s)"),
               where, ((LacunaResidualHit *) g_ptr_array_index (hits, 0))->kind);
  return FALSE;
}

gboolean
lacuna_findings_report_write_full (LacunaFindings    *findings,
                                   JsonObject        *export_report,
                                   const char        *export_dir,
                                   const char        *basename,
                                   LacunaCollection  *collection,
                                   LacunaResidual    *residual,
                                   char             **out_html_path,
                                   char             **out_pdf_path,
                                   GCancellable      *cancellable,
                                   GError           **error)
{
  Builder self = { 0 };
  g_autoptr(ReportDoc) doc = NULL;
  g_autofree char *html_path = NULL;
  g_autofree char *pdf_path = NULL;
  g_autofree char *html = NULL;
  g_autofree char *html_text = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GBytes) pdf = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%d");
  gboolean ok = FALSE;

  g_return_val_if_fail (LACUNA_IS_FINDINGS (findings), FALSE);
  g_return_val_if_fail (export_dir != NULL || basename != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (basename == NULL)
    {
      g_autofree char *trimmed = g_strdup (export_dir);
      gsize n = strlen (trimmed);

      while (n > 1 && trimmed[n - 1] == G_DIR_SEPARATOR)
        trimmed[--n] = '\0';
      html_path = lacuna_findings_report_dup_html_path (trimmed);
      pdf_path = lacuna_findings_report_dup_pdf_path (trimmed);
    }
  else
    {
      html_path = lacuna_findings_report_dup_html_path (basename);
      pdf_path = lacuna_findings_report_dup_pdf_path (basename);
    }
  if (export_dir != NULL && (is_inside (html_path, export_dir) || is_inside (pdf_path, export_dir)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The findings report goes beside the export, never inside it: choose a "
                     "name outside %s"), export_dir);
      return FALSE;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  doc = g_new0 (ReportDoc, 1);
  doc->blocks = g_ptr_array_new_with_free_func (block_free);
  doc->title = g_strdup (_("What these images reveal: findings report"));
  doc->subtitle = g_strdup_printf (_("Written by Lacuna %s on %s."), LACUNA_VERSION, date);

  self.findings = findings;
  self.export = export_report;
  self.export_dir = export_dir;
  self.collection = collection;
  self.doc = doc;
  self.cancellable = cancellable;
  index_export (&self);
  collect_rows (&self);

  build_patient (&self);
  add_part (doc, "officer", _("For the privacy officer"));
  add_para (doc, "%s", _("Every finding with its evidence, what the export changed, the "
                         "verification results, the options and the standard’s edition, and "
                         "thumbnails of the output."));
  build_findings_table (&self);
  build_export (&self);
  if (export_report != NULL)
    build_options (&self);
  build_thumbnails (&self);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto out;

  html = _lacuna_report_doc_to_html (doc);
  text = _lacuna_report_doc_to_text (doc);
  if (residual != NULL)
    {
      html_text = dup_html_without_data (html);
      if (!check_residual (residual, html_text, "HTML", error) ||
          !check_residual (residual, text, "PDF", error))
        goto out;
    }
  pdf = _lacuna_report_doc_to_pdf (doc, error);
  if (pdf == NULL)
    goto out;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto out;

  if (!g_file_set_contents_full (html_path, html, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644,
                                 error))
    goto out;
  if (!g_file_set_contents_full (pdf_path, g_bytes_get_data (pdf, NULL), g_bytes_get_size (pdf),
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0644, error))
    goto out;

  if (out_html_path != NULL)
    *out_html_path = g_steal_pointer (&html_path);
  if (out_pdf_path != NULL)
    *out_pdf_path = g_steal_pointer (&pdf_path);
  ok = TRUE;

out:
  g_clear_pointer (&self.changed_tags, g_hash_table_unref);
  g_clear_pointer (&self.file_by_input, g_hash_table_unref);
  g_clear_pointer (&self.masks, g_hash_table_unref);
  g_clear_pointer (&self.rows, g_array_unref);
  return ok;
}

gboolean
lacuna_findings_report_write (LacunaFindings  *findings,
                              JsonObject      *export_report,
                              const char      *export_dir,
                              const char      *basename,
                              GCancellable    *cancellable,
                              GError         **error)
{
  return lacuna_findings_report_write_full (findings, export_report, export_dir, basename,
                                            NULL, NULL, NULL, NULL, cancellable, error);
}
