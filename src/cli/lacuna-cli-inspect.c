/* lacuna-cli-inspect.c: `lacuna-cli inspect [--json] PATH…`
 *
 * Loads files, folders, DICOMDIRs and .zip archives with LacunaLoader and prints the study
 * tree and, for every instance, every data element at every depth (the meta header first,
 * then the dataset; a sequence is followed by its items' elements).
 *
 * With --json, stdout holds exactly one JSON document (schema version 1):
 *
 *   {
 *     "version": 1,
 *     "patients": [ {
 *       "id": "…", "name": "…",
 *       "studies": [ {
 *         "uid": "…", "date": "YYYYMMDD", "description": "…",
 *         "series": [ {
 *           "uid": "…", "modality": "CT", "number": 2 | null, "description": "…",
 *           "instances": [ {
 *             "source": "/path/IM1",           (the file, or the .zip holding it)
 *             "archive_member": null | "DIR/IM1",
 *             "sop_instance_uid": "…", "sop_class_uid": "…", "transfer_syntax": "…",
 *             "frames": 1, "rows": 512, "columns": 512,   (0 when there are no pixels)
 *             "elements": [ {
 *               "tag": "(0010,0010)", "keyword": "PatientName" ("" when unknown),
 *               "vr": "PN", "vm": 1,
 *               "length": 8 | null,              (bytes as stored; null: undefined length)
 *               "value": "…" | null,             (text, values joined by '\'; null for
 *                                                 sequences and binary values)
 *               "items": 2,                      (sequences only)
 *               "private_creator": "…" | null,   (private elements only)
 *               "path": ["(0008,1115)", 0, "(0008,1155)"],  (tags, and after each
 *                                                 sequence the 0-based item index)
 *               "depth": 1                       (0 at the top level)
 *             } … ]
 *           } … ] } … ] } … ] } … ],
 *     "skipped": [ { "path": "…", "reason": "…" } … ],   (not DICOM, duplicates)
 *     "failed":  [ { "path": "…", "error": "…" } … ]     (unreadable DICOM, missing paths)
 *   }
 *
 * With --ocr, every instance with pixels is scanned for burned-in text (lacuna-burned-in.h):
 * text mode lists each line (frame, box, class, severity, what was read); JSON adds to each
 * instance "burned_in": [ finding objects (lacuna_finding_to_json), values "read" included:
 * this is the user's own view of their files ].
 *
 * With --infer [--slice N], the document gains "findings": [ lacuna_finding_to_json objects ]
 * for the whole collection (lacuna-findings.h: header identity, quasi-identifiers, burned-in
 * text, faces, body composition, literature cards) and "checks": [ what each expensive check
 * did, found or not ]; help/C/cli.page documents the members. Text mode lists them after
 * the tree. --slice N: body composition on the CT image with Instance Number N
 * (none: exit status 1).
 *
 * Progress and errors go to stderr. Exit status: 0 ok, 1 some input failed, 2 usage.
 */
#define G_LOG_DOMAIN "lacuna-cli-inspect"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "lacuna-core.h"
#include "lacuna-cli.h"
#include "lacuna-cli-json.h"
#include "lacuna-burned-in.h"
#include "lacuna-findings.h"

typedef struct
{
  gboolean      json;
  FILE         *out;
  guint         n_failed;
  guint         n_skipped;
  guint         n_instances;
  JsonArray    *failed;       /* JSON mode */
  JsonArray    *skipped;      /* JSON mode */
  GPtrArray    *text_failed;  /* text mode: "path: error" */
  gboolean      ocr;          /* --ocr: burned-in text per instance */
} Inspect;

/* ---------------------------------------------------------------------------------------- */
/* Text helpers                                                                             */

/* Control characters (a value may hold newlines or terminal escapes) shown escaped. */
static char *
sanitize (const char *text)
{
  GString *out;

  if (text == NULL)
    return g_strdup ("");
  out = g_string_sized_new (strlen (text));
  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c == '\n')
        g_string_append (out, "\\n");
      else if (c == '\r')
        g_string_append (out, "\\r");
      else if (c == '\t')
        g_string_append (out, "\\t");
      else if (c < 0x20 || c == 0x7f)
        g_string_append_printf (out, "\\x%02x", c);
      else
        g_string_append_c (out, (char) c);
    }
  if (!g_utf8_validate (out->str, -1, NULL))
    {
      char *valid = g_utf8_make_valid (out->str, -1);

      g_string_free (out, TRUE);
      return valid;
    }
  return g_string_free (out, FALSE);
}

static void
print_indented (FILE       *out,
                guint       indent,
                const char *format,
                ...) G_GNUC_PRINTF (3, 4);

static void
print_indented (FILE       *out,
                guint       indent,
                const char *format,
                ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (out, "%*s%s\n", indent, "", text);
}

static const char *
or_dash (const char *s)
{
  return s != NULL && *s != '\0' ? s : "—";
}

/* ---------------------------------------------------------------------------------------- */
/* Elements                                                                                 */

typedef struct
{
  Inspect   *inspect;
  guint      base_indent;
  GPtrArray *item_prefix;   /* per depth: the item path last announced */
  JsonArray *elements;      /* JSON mode */
} Walk;

static void
print_element (Walk                     *walk,
               const LacunaDicomElement *el)
{
  FILE *out = walk->inspect->out;
  g_autofree char *tag = lacuna_dicom_tag_format (el->tag);
  g_autofree char *keyword = NULL;
  g_autofree char *value = NULL;
  guint indent = walk->base_indent + 4 * el->depth;

  /* Announce each new item of a sequence at this depth. */
  if (el->depth > 0)
    {
      const char *slash = strrchr (el->path, '/');
      g_autofree char *prefix = g_strndup (el->path, slash - el->path);
      const char *index = strrchr (prefix, '/');

      while (walk->item_prefix->len <= el->depth)
        g_ptr_array_add (walk->item_prefix, NULL);
      if (g_strcmp0 (g_ptr_array_index (walk->item_prefix, el->depth), prefix) != 0)
        {
          print_indented (out, indent - 2, _("Item [%s]"), index != NULL ? index + 1 : prefix);
          g_free (g_ptr_array_index (walk->item_prefix, el->depth));
          g_ptr_array_index (walk->item_prefix, el->depth) = g_strdup (prefix);
          for (guint d = el->depth + 1; d < walk->item_prefix->len; d++)
            g_clear_pointer (&g_ptr_array_index (walk->item_prefix, d), g_free);
        }
    }

  if (el->keyword != NULL && *el->keyword != '\0')
    keyword = g_strdup (el->keyword);
  else if (el->is_private && el->private_creator != NULL)
    {
      g_autofree char *creator = sanitize (el->private_creator);
      keyword = g_strdup_printf (_("Private (creator “%s”)"), creator);
    }
  else if (el->is_private)
    keyword = g_strdup (_("Private"));
  else
    keyword = g_strdup (_("Unknown"));

  if (el->is_sequence)
    value = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "(%u item)", "(%u items)",
                                          el->n_items), el->n_items);
  else if (el->value == NULL && el->length == G_MAXUINT32)
    value = g_strdup (_("(encapsulated, undefined length)"));
  else if (el->value == NULL)
    value = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "(%u byte)", "(%u bytes)",
                                          el->length), el->length);
  else if (*el->value == '\0')
    value = g_strdup (_("(empty)"));
  else
    {
      g_autofree char *clean = sanitize (el->value);
      value = g_strdup_printf ("= %s", clean);
    }

  if (el->is_sequence)
    print_indented (out, indent, "%s SQ %s %s", tag, keyword, value);
  else if (el->vm > 1)
    print_indented (out, indent, "%s %s %s [%u] %s", tag, el->vr, keyword, el->vm, value);
  else
    print_indented (out, indent, "%s %s %s %s", tag, el->vr, keyword, value);
}

static LacunaDicomWalkResult
walk_cb (const LacunaDicomElement *element,
         gpointer                  user_data)
{
  Walk *walk = user_data;

  if (walk->elements != NULL)
    json_array_add_element (walk->elements, lacuna_cli_json_element (element));
  else
    print_element (walk, element);
  return LACUNA_DICOM_WALK_CONTINUE;
}

/* ---------------------------------------------------------------------------------------- */
/* Problems                                                                                 */

static void
add_failed (Inspect    *inspect,
            const char *path,
            const char *message)
{
  inspect->n_failed++;
  g_printerr ("lacuna-cli: %s: %s\n", path, message);
  if (inspect->json)
    {
      JsonObject *object = json_object_new ();

      json_object_set_string_member (object, "path", path);
      json_object_set_string_member (object, "error", message);
      json_array_add_object_element (inspect->failed, object);
    }
  else
    g_ptr_array_add (inspect->text_failed, g_strdup_printf ("%s: %s", path, message));
}

static void
add_skipped (Inspect    *inspect,
             const char *path,
             const char *reason)
{
  inspect->n_skipped++;
  if (inspect->json)
    {
      JsonObject *object = json_object_new ();

      json_object_set_string_member (object, "path", path);
      json_object_set_string_member (object, "reason", reason);
      json_array_add_object_element (inspect->skipped, object);
    }
  else
    {
      g_autofree char *clean = sanitize (path);
      fprintf (inspect->out, _("Skipped: %s: %s\n"), clean, reason);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Burned-in text (--ocr)                                                                   */

static void
inspect_burned_in (Inspect         *inspect,
                   LacunaInstance  *instance,
                   LacunaDicomFile *file,
                   const char      *where,
                   JsonObject      *object)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LacunaBurnedIn) scan = lacuna_burned_in_scan (file, NULL, NULL, &error);
  g_autoptr(GPtrArray) findings = NULL;

  if (scan == NULL)
    {
      /* No Pixel Data after all (a header-only file): nothing to read, not a failure. */
      if (!g_error_matches (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_NO_PIXELS))
        add_failed (inspect, where, error->message);
      if (object != NULL)
        json_object_set_array_member (object, "burned_in", json_array_new ());
      return;
    }
  findings = lacuna_burned_in_dup_findings (scan,
                                            lacuna_instance_get_sop_instance_uid (instance));
  if (object != NULL)
    {
      JsonArray *array = json_array_new ();

      for (guint i = 0; i < findings->len; i++)
        json_array_add_element (array, lacuna_finding_to_json (g_ptr_array_index (findings, i)));
      json_object_set_array_member (object, "burned_in", array);
      return;
    }

  print_indented (inspect->out, 8,
                  g_dngettext (GETTEXT_PACKAGE,
                               "Burned-in text: %u line (%u of %u frames scanned, "
                               "the others repeat them)",
                               "Burned-in text: %u lines (%u of %u frames scanned, "
                               "the others repeat them)",
                               lacuna_burned_in_get_n_lines (scan)),
                  lacuna_burned_in_get_n_lines (scan),
                  lacuna_burned_in_get_n_distinct_frames (scan),
                  lacuna_burned_in_get_n_frames (scan));
  for (guint i = 0; i < lacuna_burned_in_get_n_lines (scan); i++)
    {
      const LacunaBurnedInLine *line = lacuna_burned_in_get_line (scan, i);
      g_autofree char *read = sanitize (line->text);
      const char *severity;

      switch (line->severity)
        {
        case LACUNA_BURNED_IN_IDENTITY:
          severity = _("matches the header");
          break;
        case LACUNA_BURNED_IN_CLINICAL:
          severity = _("clinical vocabulary, kept");
          break;
        case LACUNA_BURNED_IN_TEXT:
        default:
          severity = _("text");
          break;
        }
      print_indented (inspect->out, 10, _("Frame %u (%u frames), box %d,%d %d×%d: %s, %s%s%s"),
                      g_array_index (line->frames, guint, 0) + 1, line->frames->len,
                      line->box[0], line->box[1], line->box[2], line->box[3],
                      line->read ? _("read") : _("unreadable"), severity,
                      line->identity_kind != NULL ? " — " : "",
                      line->identity_kind != NULL ? line->identity_kind : "");
      if (line->read)
        print_indented (inspect->out, 12, _("Read: “%s”"), read);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* The tree                                                                                 */

static JsonObject *
inspect_instance (Inspect        *inspect,
                  LacunaInstance *instance)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LacunaDicomFile) file = NULL;
  g_autofree char *display = lacuna_instance_dup_display_name (instance);
  g_autofree char *where = NULL;
  JsonObject *object = NULL;
  gboolean pixels = lacuna_instance_has_pixels (instance);
  guint frames = pixels ? lacuna_instance_get_n_frames (instance) : 0;
  guint rows = pixels ? lacuna_instance_get_rows (instance) : 0;
  guint columns = pixels ? lacuna_instance_get_columns (instance) : 0;
  Walk walk = { inspect, 8, NULL, NULL };

  inspect->n_instances++;
  if (lacuna_instance_get_archive_member (instance) != NULL)
    where = g_strdup_printf ("%s › %s", lacuna_instance_get_source (instance),
                             lacuna_instance_get_archive_member (instance));
  else
    where = g_strdup (lacuna_instance_get_source (instance));

  if (inspect->json)
    {
      object = json_object_new ();
      json_object_set_string_member (object, "source", lacuna_instance_get_source (instance));
      lacuna_cli_json_add_string (object, "archive_member",
                                  lacuna_instance_get_archive_member (instance));
      lacuna_cli_json_add_string (object, "sop_instance_uid",
                                  lacuna_instance_get_sop_instance_uid (instance));
      lacuna_cli_json_add_string (object, "sop_class_uid",
                                  lacuna_instance_get_sop_class_uid (instance));
      lacuna_cli_json_add_string (object, "transfer_syntax",
                                  lacuna_instance_get_transfer_syntax (instance));
      json_object_set_int_member (object, "frames", frames);
      json_object_set_int_member (object, "rows", rows);
      json_object_set_int_member (object, "columns", columns);
    }
  else
    {
      const char *ts = lacuna_instance_get_transfer_syntax (instance);
      const char *ts_name = ts != NULL ? lacuna_dicom_transfer_syntax_name (ts) : NULL;
      g_autofree char *clean = sanitize (where);

      print_indented (inspect->out, 6, _("Instance %s"), clean);
      print_indented (inspect->out, 8, _("SOP Instance UID: %s"),
                      or_dash (lacuna_instance_get_sop_instance_uid (instance)));
      print_indented (inspect->out, 8, _("SOP Class UID: %s"),
                      or_dash (lacuna_instance_get_sop_class_uid (instance)));
      print_indented (inspect->out, 8, _("Transfer syntax: %s"),
                      ts_name != NULL ? ts_name : or_dash (ts));
      if (frames > 0)
        print_indented (inspect->out, 8,
                        g_dngettext (GETTEXT_PACKAGE, "%u frame of %u × %u pixels",
                                     "%u frames of %u × %u pixels", frames),
                        frames, columns, rows);
      else
        print_indented (inspect->out, 8, "%s", _("No pixels"));
    }

  file = lacuna_instance_open (instance, &error);
  if (file == NULL)
    {
      add_failed (inspect, where, error->message);
      if (object != NULL)
        json_object_set_array_member (object, "elements", json_array_new ());
      return object;
    }

  if (inspect->json)
    walk.elements = json_array_new ();
  walk.item_prefix = g_ptr_array_new_with_free_func (g_free);
  lacuna_dicom_file_walk (file, TRUE, walk_cb, &walk);
  g_ptr_array_unref (walk.item_prefix);
  if (object != NULL)
    json_object_set_array_member (object, "elements", walk.elements);
  if (inspect->ocr && pixels)
    inspect_burned_in (inspect, instance, file, where, object);
  return object;
}

static JsonArray *
inspect_tree (Inspect          *inspect,
              LacunaCollection *collection)
{
  JsonArray *patients = inspect->json ? json_array_new () : NULL;
  GListModel *model = G_LIST_MODEL (collection);

  for (guint p = 0; p < g_list_model_get_n_items (model); p++)
    {
      g_autoptr(LacunaPatient) patient = g_list_model_get_item (model, p);
      JsonArray *studies = NULL;

      if (inspect->json)
        {
          JsonObject *object = json_object_new ();

          lacuna_cli_json_add_string (object, "id", lacuna_patient_get_id (patient));
          lacuna_cli_json_add_string (object, "name", lacuna_patient_get_name (patient));
          studies = json_array_new ();
          json_object_set_array_member (object, "studies", studies);
          json_array_add_object_element (patients, object);
        }
      else
        {
          g_autofree char *name = sanitize (lacuna_patient_get_name (patient));
          g_autofree char *id = sanitize (lacuna_patient_get_id (patient));

          print_indented (inspect->out, 0, _("Patient %s (ID %s)"), or_dash (name), or_dash (id));
        }

      for (guint s = 0; s < g_list_model_get_n_items (G_LIST_MODEL (patient)); s++)
        {
          g_autoptr(LacunaStudy) study = g_list_model_get_item (G_LIST_MODEL (patient), s);
          JsonArray *series_array = NULL;

          if (inspect->json)
            {
              JsonObject *object = json_object_new ();

              lacuna_cli_json_add_string (object, "uid", lacuna_study_get_uid (study));
              lacuna_cli_json_add_string (object, "date", lacuna_study_get_date (study));
              lacuna_cli_json_add_string (object, "description",
                                          lacuna_study_get_description (study));
              series_array = json_array_new ();
              json_object_set_array_member (object, "series", series_array);
              json_array_add_object_element (studies, object);
            }
          else
            {
              g_autofree char *desc = sanitize (lacuna_study_get_description (study));
              g_autofree char *date = sanitize (lacuna_study_get_date (study));
              g_autofree char *uid = sanitize (lacuna_study_get_uid (study));

              print_indented (inspect->out, 2, _("Study %s, date %s, UID %s"),
                              or_dash (desc), or_dash (date), or_dash (uid));
            }

          for (guint r = 0; r < g_list_model_get_n_items (G_LIST_MODEL (study)); r++)
            {
              g_autoptr(LacunaSeries) series = g_list_model_get_item (G_LIST_MODEL (study), r);
              JsonArray *instances = NULL;

              if (inspect->json)
                {
                  JsonObject *object = json_object_new ();

                  lacuna_cli_json_add_string (object, "uid", lacuna_series_get_uid (series));
                  lacuna_cli_json_add_string (object, "modality",
                                              lacuna_series_get_modality (series));
                  if (lacuna_series_get_number (series) != G_MININT)
                    json_object_set_int_member (object, "number",
                                                lacuna_series_get_number (series));
                  else
                    json_object_set_null_member (object, "number");
                  lacuna_cli_json_add_string (object, "description",
                                              lacuna_series_get_description (series));
                  instances = json_array_new ();
                  json_object_set_array_member (object, "instances", instances);
                  json_array_add_object_element (series_array, object);
                }
              else
                {
                  g_autofree char *desc = sanitize (lacuna_series_get_description (series));
                  g_autofree char *mod = sanitize (lacuna_series_get_modality (series));
                  g_autofree char *uid = sanitize (lacuna_series_get_uid (series));
                  g_autofree char *number = NULL;

                  if (lacuna_series_get_number (series) != G_MININT)
                    number = g_strdup_printf ("%d", lacuna_series_get_number (series));
                  print_indented (inspect->out, 4, _("Series %s, %s, %s, UID %s"),
                                  or_dash (number), or_dash (mod), or_dash (desc), or_dash (uid));
                }

              for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (series)); i++)
                {
                  g_autoptr(LacunaInstance) instance =
                    g_list_model_get_item (G_LIST_MODEL (series), i);
                  JsonObject *object = inspect_instance (inspect, instance);

                  if (object != NULL)
                    json_array_add_object_element (instances, object);
                }
            }
        }
    }
  return patients;
}

/* ---------------------------------------------------------------------------------------- */
/* Loading with progress                                                                    */

typedef struct
{
  GMainLoop        *loop;
  LacunaLoader     *loader;
  LacunaCollection *collection;
  GError           *error;
  gboolean          show_progress;
} Load;

static void
load_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Load *load = user_data;

  load->collection = lacuna_loader_load_finish (LACUNA_LOADER (source), result, &load->error);
  g_main_loop_quit (load->loop);
}

static gboolean
progress_cb (gpointer user_data)
{
  Load *load = user_data;

  if (load->show_progress)
    {
      g_printerr ("\r");
      g_printerr (_("Reading files: %u of %u"), lacuna_loader_get_n_done (load->loader),
                  lacuna_loader_get_n_total (load->loader));
      g_printerr ("  ");
    }
  return G_SOURCE_CONTINUE;
}

static LacunaCollection *
load_paths (const char * const  *paths,
            GError             **error)
{
  g_autoptr(LacunaLoader) loader = lacuna_loader_new (paths);
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GSource) timeout = NULL;
  Load load = { 0, };

  g_main_context_push_thread_default (context);
  loop = g_main_loop_new (context, FALSE);
  load.loop = loop;
  load.loader = loader;
  load.show_progress = isatty (STDERR_FILENO);

  timeout = g_timeout_source_new (200);
  g_source_set_callback (timeout, progress_cb, &load, NULL);
  g_source_attach (timeout, context);

  lacuna_loader_load_async (loader, NULL, load_done_cb, &load);
  g_main_loop_run (loop);
  g_source_destroy (timeout);
  g_main_context_pop_thread_default (context);

  if (load.show_progress)
    g_printerr ("\r\033[K");

  if (load.collection == NULL)
    {
      g_propagate_error (error, load.error);
      return NULL;
    }
  return load.collection;
}

/* ---------------------------------------------------------------------------------------- */
/* Findings (--infer)                                                                       */

static void
infer_print_text (LacunaFindings *findings,
                  FILE           *out)
{
  guint n = lacuna_findings_get_n_findings (findings);

  print_indented (out, 0, "%s", _("Findings"));
  for (guint i = 0; i < n; i++)
    {
      LacunaFinding *f = lacuna_findings_get_finding (findings, i);
      g_autofree char *text = sanitize (lacuna_finding_get_text (f));
      const char *path = lacuna_finding_get_tag_path (f);
      const char *sop = lacuna_finding_get_sop_instance_uid (f);
      guint view = 0;
      int box[4];

      print_indented (out, 2, "[%s] [%s] %s",
                      lacuna_evidence_class_label (lacuna_finding_get_class (f)),
                      lacuna_finding_status_label (lacuna_finding_get_status (f)), text);
      if (path != NULL)
        {
          g_autofree char *where = lacuna_dicom_path_format (path);

          print_indented (out, 6, _("Where: %s, in SOP Instance UID %s"), where, or_dash (sop));
        }
      else if (sop != NULL && lacuna_finding_get_render_box (f, &view, box))
        print_indented (out, 6, _("Where: view %u of a rendering of the series of SOP Instance "
                                  "UID %s, box %d,%d %d×%d"),
                        view + 1, sop, box[0], box[1], box[2], box[3]);
      else if (sop != NULL && lacuna_finding_get_box (f, box))
        print_indented (out, 6, _("Where: SOP Instance UID %s, frame %u, box %d,%d %d×%d"),
                        sop, lacuna_finding_get_frame (f), box[0], box[1], box[2], box[3]);
      else if (sop != NULL)
        print_indented (out, 6, _("Where: SOP Instance UID %s"), sop);
      if (lacuna_finding_get_action (f) != NULL)
        print_indented (out, 6, _("Action: %s"), lacuna_finding_get_action (f));
    }
  if (n == 0)
    print_indented (out, 2, "%s", _("No findings."));

  print_indented (out, 0, "%s", _("Checks"));
  for (guint i = 0; i < lacuna_findings_get_n_checks (findings); i++)
    {
      JsonObject *check = lacuna_findings_get_check (findings, i);
      const char *name = json_object_get_string_member_with_default (check, "check", "");
      LacunaFindingsCheck kind = LACUNA_FINDINGS_CHECK_NONE;

      for (guint k = 0; k < LACUNA_FINDINGS_N_CHECKS; k++)
        if (g_str_equal (name, lacuna_findings_check_to_string (lacuna_findings_check_nth (k))))
          kind = lacuna_findings_check_nth (k);
      if (kind == LACUNA_FINDINGS_CHECK_NONE)
        continue;
      print_indented (out, 2, "%s: %s", lacuna_findings_check_get_title (kind),
                      json_object_get_string_member_with_default (check, "summary", ""));
    }
}

/* Collects the findings of the collection; FALSE (error printed) when --slice matched no
 * CT image or collection failed. The findings gathered are kept either way. */
static gboolean
infer_collect (LacunaCollection     *collection,
               int                   slice,
               LacunaFindingsCheck   checks,
               LacunaFindings      **out_findings)
{
  g_autoptr(LacunaFindings) findings = lacuna_findings_new ();
  g_autoptr(GError) error = NULL;
  gboolean ok;

  lacuna_findings_set_slice (findings, slice);
  lacuna_findings_set_checks (findings, checks);
  ok = lacuna_findings_collect (findings, collection, NULL, &error);
  if (!ok)
    g_printerr ("lacuna-cli inspect: %s\n", error->message);
  *out_findings = g_steal_pointer (&findings);
  return ok;
}

/* ---------------------------------------------------------------------------------------- */

int
lacuna_cli_inspect (int    argc,
                    char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) existing = g_ptr_array_new ();
  g_autoptr(LacunaCollection) collection = NULL;
  g_autoptr(JsonArray) failed = json_array_new ();
  g_autoptr(JsonArray) skipped = json_array_new ();
  g_autoptr(GPtrArray) text_failed = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) paths = NULL;
  gboolean json = FALSE;
  gboolean ocr = FALSE;
  gboolean infer = FALSE;
  gboolean infer_ok = TRUE;
  gboolean no_ocr = FALSE;
  gboolean no_faces = FALSE;
  LacunaFindingsCheck checks = LACUNA_FINDINGS_CHECK_ALL;
  int slice = G_MININT;
  g_autoptr(LacunaFindings) findings = NULL;
  Inspect inspect = { 0, };
  JsonArray *patients = NULL;
  GOptionEntry entries[] = {
    { "json", 'j', 0, G_OPTION_ARG_NONE, &json,
      N_("Write one JSON document to standard output instead of text"), NULL },
    { "infer", 0, 0, G_OPTION_ARG_NONE, &infer,
      N_("Also list what the files reveal about the patient (findings)"), NULL },
    { "slice", 0, 0, G_OPTION_ARG_INT, &slice,
      N_("With --infer: measure body composition on the CT image with this Instance Number"),
      N_("N") },
    { "no-ocr", 0, 0, G_OPTION_ARG_NONE, &no_ocr,
      N_("With --infer: do not read burned-in text"), NULL },
    { "no-faces", 0, 0, G_OPTION_ARG_NONE, &no_faces,
      N_("With --infer: do not look for faces"), NULL },
    { "ocr", 0, 0, G_OPTION_ARG_NONE, &ocr,
      N_("Also read the text burned into the pixels of every image (slow)"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &paths, NULL, N_("PATH…") },
    G_OPTION_ENTRY_NULL
  };

  g_set_prgname ("lacuna-cli inspect");
  context = g_option_context_new (NULL);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
    _("Show the study tree (patient, study, series, instances) of DICOM files, folders, "
      "DICOMDIRs and .zip archives, and every data element of every instance at every "
      "depth: tag, keyword, VR, value and, inside sequences, the item it belongs to."));
  g_option_context_set_description (context,
    _("With --json, standard output holds exactly one JSON document:\n"
      "  {\"version\": 1,\n"
      "   \"patients\": [{\"id\", \"name\", \"studies\": [{\"uid\", \"date\", \"description\",\n"
      "     \"series\": [{\"uid\", \"modality\", \"number\", \"description\",\n"
      "       \"instances\": [{\"source\", \"archive_member\", \"sop_instance_uid\",\n"
      "         \"sop_class_uid\", \"transfer_syntax\", \"frames\", \"rows\", \"columns\",\n"
      "         \"elements\": [{\"tag\": \"(0010,0010)\", \"keyword\", \"vr\", \"vm\",\n"
      "           \"length\", \"value\", \"items\", \"private_creator\", \"depth\",\n"
      "           \"path\": [\"(0008,1115)\", 0, \"(0008,1155)\"]}]}]}]}]}],\n"
      "   \"skipped\": [{\"path\", \"reason\"}], \"failed\": [{\"path\", \"error\"}]}\n"
      "\"path\" lists the tags from the top level down, with the 0-based item index after each "
      "sequence. \"value\" is null for sequences and binary values (see \"length\", in bytes); "
      "\"items\" is given for sequences only.\n\n"
      "With --infer, the document also has \"findings\": [{\"kind\", \"class\", \"status\",\n"
      "  \"text\", \"action\", \"where\", \"values\"}] and \"checks\": [{\"check\", \"ran\",\n"
      "  \"series\", \"found\", \"summary\"}] (see the help, “Command line”).\n\n"
      "Progress and errors go to standard error.\n"
      "Exit status: 0 success, 1 some input could not be read (files that are not DICOM are "
      "skipped, not failures), 2 usage error."));

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("lacuna-cli inspect: %s\n", error->message);
      return LACUNA_CLI_EXIT_USAGE;
    }
  if (slice != G_MININT && !infer)
    {
      g_printerr ("lacuna-cli inspect: %s\n", _("--slice needs --infer."));
      return LACUNA_CLI_EXIT_USAGE;
    }
  if ((no_ocr || no_faces) && !infer)
    {
      g_printerr ("lacuna-cli inspect: %s\n", _("--no-ocr and --no-faces need --infer."));
      return LACUNA_CLI_EXIT_USAGE;
    }
  if (no_ocr)
    checks &= ~LACUNA_FINDINGS_CHECK_BURNED_IN;
  if (no_faces)
    checks &= ~LACUNA_FINDINGS_CHECK_FACE;
  if (paths == NULL || paths[0] == NULL)
    {
      g_printerr ("lacuna-cli inspect: %s\n", _("No PATH given."));
      g_printerr (_("Run “lacuna-cli inspect --help” for usage.\n"));
      return LACUNA_CLI_EXIT_USAGE;
    }

  inspect.json = json;
  inspect.ocr = ocr;
  inspect.out = stdout;
  inspect.failed = failed;
  inspect.skipped = skipped;
  inspect.text_failed = text_failed;

  for (guint i = 0; paths[i] != NULL; i++)
    {
      if (g_file_test (paths[i], G_FILE_TEST_EXISTS))
        g_ptr_array_add (existing, paths[i]);
      else
        add_failed (&inspect, paths[i], _("No such file or folder"));
    }
  g_ptr_array_add (existing, NULL);

  if (existing->len > 1)
    {
      collection = load_paths ((const char * const *) existing->pdata, &error);
      if (collection == NULL)
        {
          for (guint i = 0; i + 1 < existing->len; i++)
            add_failed (&inspect, g_ptr_array_index (existing, i), error->message);
        }
    }

  if (collection != NULL)
    {
      GPtrArray *problems;

      patients = inspect_tree (&inspect, collection);
      problems = lacuna_collection_get_problems (collection);
      for (guint i = 0; i < problems->len; i++)
        {
          LacunaProblem *problem = g_ptr_array_index (problems, i);
          const char *message = problem->error != NULL ? problem->error->message : "";

          if (problem->kind == LACUNA_PROBLEM_FAILED)
            add_failed (&inspect, problem->path, message);
          else
            add_skipped (&inspect, problem->path, message);
        }
      if (infer)
        infer_ok = infer_collect (collection, slice, checks, &findings);
    }

  if (json)
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
      JsonObject *object = json_object_new ();

      json_object_set_int_member (object, "version", 1);
      json_object_set_array_member (object, "patients",
                                    patients != NULL ? patients : json_array_new ());
      json_object_set_array_member (object, "skipped", json_array_ref (skipped));
      json_object_set_array_member (object, "failed", json_array_ref (failed));
      if (infer)
        {
          g_autoptr(JsonNode) doc = findings != NULL ? lacuna_findings_to_json (findings) : NULL;

          json_object_set_array_member (object, "findings",
                                        doc != NULL
                                        ? json_array_ref (json_object_get_array_member (
                                            json_node_get_object (doc), "findings"))
                                        : json_array_new ());
          json_object_set_array_member (object, "checks",
                                        doc != NULL
                                        ? json_array_ref (json_object_get_array_member (
                                            json_node_get_object (doc), "checks"))
                                        : json_array_new ());
        }
      json_node_take_object (root, object);
      if (!lacuna_cli_json_print (root, stdout))
        {
          g_printerr ("lacuna-cli inspect: %s\n", _("Could not write to standard output"));
          return LACUNA_CLI_EXIT_FAILED;
        }
    }
  else
    {
      for (guint i = 0; i < text_failed->len; i++)
        {
          g_autofree char *clean = sanitize (g_ptr_array_index (text_failed, i));
          printf (_("Failed: %s\n"), clean);
        }
      if (findings != NULL)
        infer_print_text (findings, stdout);
      if (fflush (stdout) != 0)
        return LACUNA_CLI_EXIT_FAILED;
    }

  g_printerr (g_dngettext (GETTEXT_PACKAGE, "%u instance", "%u instances", inspect.n_instances),
              inspect.n_instances);
  g_printerr (", ");
  g_printerr (g_dngettext (GETTEXT_PACKAGE, "%u skipped", "%u skipped", inspect.n_skipped),
              inspect.n_skipped);
  g_printerr (", ");
  g_printerr (g_dngettext (GETTEXT_PACKAGE, "%u failed", "%u failed", inspect.n_failed),
              inspect.n_failed);
  g_printerr ("\n");

  return inspect.n_failed > 0 || !infer_ok ? LACUNA_CLI_EXIT_FAILED : LACUNA_CLI_EXIT_OK;
}
