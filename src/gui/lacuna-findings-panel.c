/* lacuna-findings-panel.c
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "lacuna-findings-panel"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "lacuna-face.h"
#include "lacuna-finding-status.h"
#include "lacuna-findings-panel.h"

typedef struct
{
  LacunaFindingsCheck  check;
  GtkWidget           *spinner;
  GtkWidget           *status;
  char                *text;
  gboolean             running;
} CheckRow;

struct _LacunaFindingsPanel
{
  GtkWidget           parent_instance;

  GtkWidget          *box;
  GtkStack           *stack;
  GtkSpinner         *spinner;
  GtkListView        *list_view;
  GListStore         *store;            /* LacunaFinding */
  GtkNoSelection     *selection;
  CheckRow            checks[LACUNA_FINDINGS_N_CHECKS];

  /* Details of a face or body-composition finding. */
  GtkRevealer        *details;
  GtkLabel           *details_title;
  GtkPicture         *details_picture;
  GtkLabel           *details_text;
  GtkWidget          *view_buttons;
  GtkWidget          *measure_button;
  GtkWidget          *box_button;
  LacunaFinding      *details_finding;
  guint               details_view;
  GtkWidget          *overlay_button;   /* "Show on Image", body composition */
  GtkWidget          *overlay_spinner;  /* beside it while the slice is measured */
  GtkLabel           *overlay_error;    /* under it: why it could not be shown */
  GWeakRef            overlay;          /* LacunaBodycompOverlay */
  GCancellable       *overlay_cancellable;   /* the measurement running, or NULL */
  LacunaFinding      *overlay_finding;       /* what it measures */

  /* Statuses as the export will leave them, with the decisions as they are now. */
  LacunaDecisions    *decisions;
  LacunaDeidOptions  *default_options;  /* no decision at all, to tell what changed */
  GHashTable         *statuses;         /* LacunaFinding (ref) → LiveStatus */
  GHashTable         *bound;            /* row box (borrowed) → LacunaFinding (borrowed) */

  GWeakRef            image_view;
  LacunaCollection   *collection;
  GCancellable       *cancellable;
  gboolean            busy;
  guint               n_running;
};

G_DEFINE_FINAL_TYPE (LacunaFindingsPanel, lacuna_findings_panel, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_BUSY,
  PROP_CHECKING,
  N_PROPS
};

enum
{
  FINDING_ACTIVATED,
  BOX_PROPOSED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void show_details (LacunaFindingsPanel *self,
                          LacunaFinding       *finding);

static void overlay_toggled_cb  (GtkToggleButton     *button,
                                 LacunaFindingsPanel *self);
static void sync_overlay_button (LacunaFindingsPanel *self);

/* Shows why the overlay could not be shown, under its button (NULL: nothing); the check's
 * summary above stays as it is. */
static void
set_overlay_error (LacunaFindingsPanel *self,
                   const char          *text)
{
  if (self->overlay_error == NULL)
    return;   /* disposed */
  gtk_label_set_text (self->overlay_error, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->overlay_error), text != NULL && *text != '\0');
}

/* The button is busy while the slice is measured: a spinner beside it. */
static void
set_overlay_busy (LacunaFindingsPanel *self,
                  gboolean             busy)
{
  if (self->overlay_spinner == NULL)
    return;   /* disposed */
  gtk_spinner_set_spinning (GTK_SPINNER (self->overlay_spinner), busy);
  gtk_widget_set_visible (self->overlay_spinner, busy);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->overlay_button),
                               GTK_ACCESSIBLE_STATE_BUSY, busy,
                               -1);
}

/* Stops the measurement of "Show on Image", if one runs. */
static void
cancel_overlay_measure (LacunaFindingsPanel *self)
{
  if (self->overlay_cancellable == NULL)
    return;
  g_cancellable_cancel (self->overlay_cancellable);
  g_clear_object (&self->overlay_cancellable);
  g_clear_object (&self->overlay_finding);
  set_overlay_busy (self, FALSE);
}

/* Hides the body-composition overlay. */
static void
clear_overlay (LacunaFindingsPanel *self)
{
  g_autoptr(LacunaBodycompOverlay) overlay = g_weak_ref_get (&self->overlay);

  cancel_overlay_measure (self);
  set_overlay_error (self, NULL);
  if (overlay != NULL)
    (void) lacuna_bodycomp_overlay_set_instance (overlay, NULL, NULL);
}

const char *
lacuna_findings_panel_class_word (LacunaEvidenceClass klass)
{
  return lacuna_evidence_class_label (klass);
}

static const char *
class_icon (LacunaEvidenceClass klass)
{
  switch (klass)
    {
    case LACUNA_EVIDENCE_STATED:
      return "document-properties-symbolic";
    case LACUNA_EVIDENCE_MEASURED:
      return "accessories-calculator-symbolic";
    case LACUNA_EVIDENCE_DETECTED:
      return "edit-find-symbolic";
    case LACUNA_EVIDENCE_LITERATURE:
      return "accessories-dictionary-symbolic";
    default:
      return "dialog-information-symbolic";
    }
}

static gboolean
has_where (LacunaFinding *finding)
{
  return lacuna_finding_get_tag_path (finding) != NULL
         || lacuna_finding_get_sop_instance_uid (finding) != NULL;
}

static gboolean
has_details (LacunaFinding *finding)
{
  const char *kind = lacuna_finding_get_kind (finding);

  return (g_strcmp0 (kind, "face") == 0
          && LACUNA_IS_FACE_RESULT (lacuna_finding_get_source_object (finding)))
         || g_strcmp0 (kind, "body-composition") == 0;
}

/* "Where: …" (translated), or NULL. Never a value. */
static char *
dup_where (LacunaFinding *finding)
{
  const char *path = lacuna_finding_get_tag_path (finding);
  const char *kind = lacuna_finding_get_kind (finding);
  JsonObject *values = lacuna_finding_get_values (finding);
  int box[4];

  if (path != NULL)
    {
      g_autofree char *formatted = lacuna_dicom_path_format (path);

      /* Translators: where a finding is: a tag path, "(0010,0010)" */
      return g_strdup_printf (_("Where: tag %s"), formatted);
    }
  if (lacuna_finding_get_sop_instance_uid (finding) == NULL)
    return NULL;
  if (lacuna_finding_get_render_box (finding, NULL, NULL))
    return g_strdup (_("Where: a rendering of the series’ skin surface"));
  if (g_strcmp0 (kind, "body-composition") == 0
      && json_object_has_member (values, "instance")
      && !json_object_get_null_member (values, "instance"))
    return g_strdup_printf (_("Where: the slice with Instance Number %d"),
                            (int) json_object_get_int_member (values, "instance"));
  if (lacuna_finding_get_box (finding, box))
    /* Translators: frame number, then the box's x, y, width and height in pixels */
    return g_strdup_printf (_("Where: frame %u, box at %d, %d, %d × %d pixels"),
                            MAX (lacuna_finding_get_frame (finding), 1), box[0], box[1],
                            box[2], box[3]);
  return g_strdup (_("Where: the image"));
}

/* ------------------------------------------------------------------------------------- */
/* Live statuses                                                                         */

/* The series and size of an instance of the collection (for "same size in series"). */
static gboolean
lookup_instance (const char   *sop_instance_uid,
                 const char  **out_series_instance_uid,
                 guint        *out_rows,
                 guint        *out_columns,
                 gpointer      user_data)
{
  LacunaFindingsPanel *self = user_data;
  LacunaInstance *instance;

  if (self->collection == NULL || sop_instance_uid == NULL)
    return FALSE;
  instance = lacuna_collection_find_instance (self->collection, sop_instance_uid);
  if (instance == NULL)
    return FALSE;
  *out_series_instance_uid = lacuna_instance_get_series_uid (instance);
  *out_rows = lacuna_instance_get_rows (instance);
  *out_columns = lacuna_instance_get_columns (instance);
  return TRUE;
}

static LacunaFindingStatus
compute_status (LacunaFindingsPanel     *self,
                LacunaFinding           *finding,
                const LacunaDeidOptions *options)
{
  if (options == NULL)
    return lacuna_finding_get_status (finding);
  return lacuna_finding_status_predict (finding, options, lookup_instance, self);
}

static const LacunaDeidOptions *
current_options (LacunaFindingsPanel *self)
{
  return self->decisions != NULL ? lacuna_decisions_get_options (self->decisions) : NULL;
}

/* The first override whose path matches the finding's tag path, or NULL. */
static const LacunaDeidOverride *
finding_override (const LacunaDeidOptions *options,
                  LacunaFinding           *finding)
{
  const char *path = lacuna_finding_get_tag_path (finding);

  for (guint i = 0; path != NULL && options->overrides != NULL && i < options->overrides->len;
       i++)
    {
      const LacunaDeidOverride *o = g_ptr_array_index (options->overrides, i);

      if (lacuna_deid_override_path_matches (o->path, path))
        return o;
    }
  return NULL;
}

/* Why the status is what it is, when a decision made it so (translated), or NULL. */
static const char *
decision_text (LacunaFindingsPanel *self,
               LacunaFinding       *finding,
               LacunaFindingStatus  status)
{
  const LacunaDeidOptions *options = current_options (self);
  const char *kind = lacuna_finding_get_kind (finding);
  const LacunaDeidOverride *o;

  if (options == NULL || status == LACUNA_FINDING_CANNOT_BE_REMOVED)
    return NULL;
  if (g_strcmp0 (kind, "header-identity") == 0 || g_strcmp0 (kind, "quasi-identifier") == 0)
    {
      o = finding_override (options, finding);
      if (o != NULL)
        switch (o->action)
          {
          case LACUNA_DEID_OVERRIDE_KEEP:
            return _("Your decision: keep it in the export.");
          case LACUNA_DEID_OVERRIDE_REMOVE:
            return _("Your decision: remove it from the export.");
          case LACUNA_DEID_OVERRIDE_REPLACE:
          default:
            return status == LACUNA_FINDING_REDUCED
                   ? _("Your decision: replace it with a coarser value.")
                   : _("Your decision: replace it in the export.");
          }
      if (status != compute_status (self, finding, self->default_options))
        return _("The export options you chose change this.");
      return NULL;
    }
  if (g_strcmp0 (kind, "face") == 0 && lacuna_finding_get_render_box (finding, NULL, NULL))
    return status == LACUNA_FINDING_REMOVED
           ? _("The export removes the face from head scans (defacing is on).") : NULL;
  if (g_strcmp0 (kind, "burned-in-text") == 0 || g_strcmp0 (kind, "face") == 0)
    switch (status)
      {
      case LACUNA_FINDING_REMOVED:
        return _("Covered by redaction boxes.");
      case LACUNA_FINDING_REDUCED:
        return _("Partly covered by redaction boxes.");
      default:
        return NULL;
      }
  return NULL;
}

typedef struct
{
  LacunaFindingStatus  status;
  const char          *why;     /* decision_text(): static, translated, or NULL */
} LiveStatus;

static LiveStatus *
live_status_new (LacunaFindingsPanel *self,
                 LacunaFinding       *finding)
{
  LiveStatus *live = g_new0 (LiveStatus, 1);

  live->status = compute_status (self, finding, current_options (self));
  live->why = decision_text (self, finding, live->status);
  return live;
}

static const LiveStatus *
get_live_status (LacunaFindingsPanel *self,
                 LacunaFinding       *finding)
{
  LiveStatus *live = g_hash_table_lookup (self->statuses, finding);

  if (live == NULL)
    {
      live = live_status_new (self, finding);
      g_hash_table_insert (self->statuses, g_object_ref (finding), live);
    }
  return live;
}

LacunaFindingStatus
lacuna_findings_panel_get_status (LacunaFindingsPanel *self,
                                  LacunaFinding       *finding)
{
  g_return_val_if_fail (LACUNA_IS_FINDINGS_PANEL (self), LACUNA_FINDING_PRESENT);
  g_return_val_if_fail (LACUNA_IS_FINDING (finding), LACUNA_FINDING_PRESENT);

  return get_live_status (self, finding)->status;
}

static void update_row (LacunaFindingsPanel *self,
                        GtkWidget           *box,
                        LacunaFinding       *finding);

/* Every status is computed again (nothing is checked again), and the rows on screen whose
 * status or explanation changed are updated in place. */
static void
decisions_changed_cb (LacunaFindingsPanel *self)
{
  GListModel *model = G_LIST_MODEL (self->store);
  gint64 start = g_get_monotonic_time ();
  g_autoptr(GHashTable) changed = g_hash_table_new (g_direct_hash, g_direct_equal);
  GHashTableIter iter;
  gpointer box, finding;
  guint n_updated = 0;

  if (model == NULL || self->statuses == NULL)
    return;
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(LacunaFinding) f = g_list_model_get_item (model, i);
      LiveStatus *old = g_hash_table_lookup (self->statuses, f);
      LiveStatus *live = live_status_new (self, f);

      if (old != NULL && old->status == live->status && old->why == live->why)
        {
          g_free (live);
          continue;
        }
      g_hash_table_add (changed, f);
      g_hash_table_insert (self->statuses, g_object_ref (f), live);
    }
  g_hash_table_iter_init (&iter, self->bound);
  while (g_hash_table_iter_next (&iter, &box, &finding))
    if (g_hash_table_contains (changed, finding))
      {
        update_row (self, box, finding);
        n_updated++;
      }
  g_debug ("Statuses of %u findings computed, %u changed, %u rows updated, in %.1f ms",
           g_list_model_get_n_items (model), g_hash_table_size (changed), n_updated,
           (g_get_monotonic_time () - start) / 1000.0);
}

void
lacuna_findings_panel_set_decisions (LacunaFindingsPanel *self,
                                     LacunaDecisions     *decisions)
{
  g_return_if_fail (LACUNA_IS_FINDINGS_PANEL (self));
  g_return_if_fail (decisions == NULL || LACUNA_IS_DECISIONS (decisions));

  if (self->decisions == decisions)
    return;
  if (self->decisions != NULL)
    g_signal_handlers_disconnect_by_func (self->decisions, decisions_changed_cb, self);
  g_set_object (&self->decisions, decisions);
  if (decisions != NULL)
    g_signal_connect_object (decisions, "changed", G_CALLBACK (decisions_changed_cb), self,
                             G_CONNECT_SWAPPED);
  decisions_changed_cb (self);
}

/* ------------------------------------------------------------------------------------- */
/* Rows                                                                                  */

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *badge = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  GtkWidget *label;

  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);

  gtk_widget_add_css_class (badge, "finding-badge");
  gtk_box_append (GTK_BOX (badge), gtk_image_new ());
  label = gtk_label_new (NULL);
  gtk_widget_add_css_class (label, "heading");
  gtk_box_append (GTK_BOX (badge), label);
  gtk_box_append (GTK_BOX (top), badge);

  label = gtk_label_new (NULL);     /* status */
  gtk_widget_set_hexpand (label, TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 1.0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_RIGHT);
  gtk_widget_add_css_class (label, "caption");
  gtk_box_append (GTK_BOX (top), label);
  gtk_box_append (GTK_BOX (box), top);

  label = gtk_label_new (NULL);     /* text */
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_box_append (GTK_BOX (box), label);

  label = gtk_label_new (NULL);     /* where */
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_widget_add_css_class (label, "caption");
  gtk_box_append (GTK_BOX (box), label);

  label = gtk_label_new (NULL);     /* action */
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_add_css_class (label, "caption");
  gtk_box_append (GTK_BOX (box), label);

  label = gtk_label_new (NULL);     /* why the status is what it is: a decision */
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_widget_add_css_class (label, "caption");
  gtk_box_append (GTK_BOX (box), label);

  gtk_list_item_set_child (item, box);
}

/* Sets a tooltip only when it changes: each gtk_widget_set_tooltip_text() asks the X server
 * where the pointer is (a round trip), which made updating a few rows take milliseconds. */
static void
set_tooltip (GtkWidget  *widget,
             const char *text)
{
  if (g_strcmp0 (gtk_widget_get_tooltip_text (widget), text) != 0)
    gtk_widget_set_tooltip_text (widget, text);
}

/* The parts of a row that follow the decisions: the status, why, and what a screen reader
 * hears (the class, the status and the text as one row). */
static void
update_row (LacunaFindingsPanel *self,
            GtkWidget           *box,
            LacunaFinding       *finding)
{
  LacunaEvidenceClass klass = lacuna_finding_get_class (finding);
  GtkWidget *top = gtk_widget_get_first_child (box);
  GtkWidget *status = gtk_widget_get_next_sibling (gtk_widget_get_first_child (top));
  GtkWidget *why = gtk_widget_get_last_child (box);
  const LiveStatus *live = get_live_status (self, finding);
  g_autofree char *description = NULL;

  gtk_label_set_text (GTK_LABEL (status), lacuna_finding_status_label (live->status));
  set_tooltip (status, self->decisions != NULL
                       ? _("What the export will leave, with your decisions as they are now")
                       : NULL);
  gtk_label_set_text (GTK_LABEL (why), live->why != NULL ? live->why : "");
  gtk_widget_set_visible (why, live->why != NULL);

  /* A screen reader hears the reason too. */
  description = g_strdup_printf ("%s, %s: %s%s%s", lacuna_findings_panel_class_word (klass),
                                 lacuna_finding_status_label (live->status),
                                 lacuna_finding_get_text (finding),
                                 live->why != NULL ? " " : "",
                                 live->why != NULL ? live->why : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (box), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  description, -1);
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *item,
         gpointer                  user_data)
{
  LacunaFindingsPanel *self = user_data;
  LacunaFinding *finding = gtk_list_item_get_item (item);
  LacunaEvidenceClass klass = lacuna_finding_get_class (finding);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *top = gtk_widget_get_first_child (box);
  GtkWidget *badge = gtk_widget_get_first_child (top);
  GtkWidget *text = gtk_widget_get_next_sibling (top);
  GtkWidget *where = gtk_widget_get_next_sibling (text);
  GtkWidget *action = gtk_widget_get_next_sibling (where);
  const char *action_text = lacuna_finding_get_action (finding);
  g_autofree char *where_text = dup_where (finding);

  gtk_image_set_from_icon_name (GTK_IMAGE (gtk_widget_get_first_child (badge)),
                                class_icon (klass));
  gtk_label_set_text (GTK_LABEL (gtk_widget_get_last_child (badge)),
                      lacuna_findings_panel_class_word (klass));
  set_tooltip (badge, lacuna_evidence_class_describe (klass));
  gtk_label_set_text (GTK_LABEL (text), lacuna_finding_get_text (finding));
  gtk_label_set_text (GTK_LABEL (where), where_text != NULL ? where_text : "");
  gtk_widget_set_visible (where, where_text != NULL);
  gtk_label_set_text (GTK_LABEL (action), action_text != NULL ? action_text : "");
  gtk_widget_set_visible (action, action_text != NULL && *action_text != '\0');
  gtk_list_item_set_activatable (item, has_where (finding) || has_details (finding));
  update_row (self, box, finding);
  /* The row's widgets are updated in place when the decisions change. */
  g_hash_table_insert (self->bound, box, finding);
}

static void
unbind_cb (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  LacunaFindingsPanel *self = user_data;

  if (self->bound != NULL)
    g_hash_table_remove (self->bound, gtk_list_item_get_child (item));
}

static void
activate_cb (GtkListView         *list_view,
             guint                position,
             LacunaFindingsPanel *self)
{
  lacuna_findings_panel_activate (self, position);
}

/* ------------------------------------------------------------------------------------- */
/* Busy state                                                                            */

static void
set_busy (LacunaFindingsPanel *self,
          gboolean             busy)
{
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_stack_set_visible_child_name (self->stack, busy ? "busy" : "list");
  if (self->busy == busy)
    return;
  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static CheckRow *
check_row (LacunaFindingsPanel *self,
           LacunaFindingsCheck  check)
{
  for (guint i = 0; i < LACUNA_FINDINGS_N_CHECKS; i++)
    if (self->checks[i].check == check)
      return &self->checks[i];
  return NULL;
}

static void
set_check_text (CheckRow   *row,
                const char *text)
{
  g_free (row->text);
  row->text = g_strdup (text != NULL ? text : "");
  gtk_label_set_text (GTK_LABEL (row->status), row->text);
}

static guint
count_proposed (LacunaFindingsPanel *self)
{
  guint n = 0;

  if (self->store == NULL)
    return 0;
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->store)); i++)
    {
      g_autoptr(LacunaFinding) f = g_list_model_get_item (G_LIST_MODEL (self->store), i);

      if (g_strcmp0 (lacuna_finding_get_kind (f), "burned-in-text") == 0
          && json_object_has_member (lacuna_finding_get_values (f), "proposed_box"))
        n++;
    }
  return n;
}

static void
box_proposed_cb (GtkButton           *button,
                 LacunaFindingsPanel *self)
{
  g_signal_emit (self, signals[BOX_PROPOSED], 0);
}

static void
set_check_running (LacunaFindingsPanel *self,
                   CheckRow            *row,
                   gboolean             running)
{
  gboolean was = self->n_running > 0;

  if (row->running == running)
    return;
  row->running = running;
  gtk_spinner_set_spinning (GTK_SPINNER (row->spinner), running);
  gtk_widget_set_visible (row->spinner, running);
  if (running)
    {
      self->n_running++;
      set_check_text (row, _("Checking…"));
    }
  else
    self->n_running--;
  if (row->check == LACUNA_FINDINGS_CHECK_BODY_COMPOSITION)
    gtk_widget_set_sensitive (self->measure_button, !running && self->collection != NULL);
  if (row->check == LACUNA_FINDINGS_CHECK_BURNED_IN)
    gtk_widget_set_sensitive (self->box_button, !running && count_proposed (self) > 0);
  if (was != (self->n_running > 0))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHECKING]);
}

/* ------------------------------------------------------------------------------------- */
/* Collecting                                                                            */

typedef struct
{
  LacunaCollection    *collection;
  LacunaFindingsCheck  check;      /* NONE: the header findings */
  int                  slice;
} Job;

static void
job_free (gpointer data)
{
  Job *job = data;

  g_clear_object (&job->collection);
  g_free (job);
}

static void
collect_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(LacunaFindings) findings = lacuna_findings_new ();
  g_autoptr(GError) error = NULL;
  gboolean ok;

  lacuna_findings_set_slice (findings, job->slice);
  if (job->check == LACUNA_FINDINGS_CHECK_NONE)
    ok = lacuna_findings_collect_header (findings, job->collection, cancellable, &error);
  else
    ok = lacuna_findings_run_check (findings, job->collection, job->check, cancellable, &error);
  /* A missing slice is reported by the check itself: its findings still count. */
  if (!ok && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&findings), g_object_unref);
}

static void
append_findings (LacunaFindingsPanel *self,
                 LacunaFindings      *findings,
                 guint                position)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new ();
  guint n = lacuna_findings_get_n_findings (findings);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (items, lacuna_findings_get_finding (findings, i));
  g_list_store_splice (self->store, position, 0, items->pdata, items->len);
}

static void
remove_kind (LacunaFindingsPanel *self,
             const char          *kind)
{
  for (guint i = g_list_model_get_n_items (G_LIST_MODEL (self->store)); i > 0; i--)
    {
      g_autoptr(LacunaFinding) f = g_list_model_get_item (G_LIST_MODEL (self->store), i - 1);

      if (g_strcmp0 (lacuna_finding_get_kind (f), kind) == 0)
        {
          if (f == self->details_finding)
            show_details (self, NULL);
          if (self->statuses != NULL)
            g_hash_table_remove (self->statuses, f);
          g_list_store_remove (self->store, i - 1);
        }
    }
}

static void
collect_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  LacunaFindingsPanel *self = LACUNA_FINDINGS_PANEL (source);
  GTask *task = G_TASK (result);
  Job *job = g_task_get_task_data (task);
  g_autoptr(LacunaFindings) findings = NULL;
  CheckRow *row;

  findings = g_task_propagate_pointer (task, NULL);
  if (g_task_get_cancellable (task) != self->cancellable)
    return;   /* a newer collection replaced this one */

  if (job->check == LACUNA_FINDINGS_CHECK_NONE)
    {
      if (findings != NULL)
        append_findings (self, findings, 0);
      set_busy (self, FALSE);
      return;
    }

  row = check_row (self, job->check);
  if (findings != NULL)
    {
      g_autofree char *summary = lacuna_findings_dup_check_summary (findings, job->check);

      if (job->check == LACUNA_FINDINGS_CHECK_BODY_COMPOSITION)
        {
          /* The new measurement may be on another slice. */
          clear_overlay (self);
          remove_kind (self, "body-composition");
        }
      append_findings (self, findings, g_list_model_get_n_items (G_LIST_MODEL (self->store)));
      set_check_text (row, summary);
    }
  else
    set_check_text (row, _("The check stopped."));
  set_check_running (self, row, FALSE);
}

static void
start_job (LacunaFindingsPanel *self,
           LacunaFindingsCheck  check,
           int                  slice)
{
  g_autoptr(GTask) task = NULL;
  Job *job = g_new0 (Job, 1);

  job->collection = g_object_ref (self->collection);
  job->check = check;
  job->slice = slice;
  task = g_task_new (self, self->cancellable, collect_done_cb, NULL);
  g_task_set_source_tag (task, start_job);
  g_task_set_task_data (task, job, job_free);
  g_task_run_in_thread (task, collect_thread);
}

void
lacuna_findings_panel_set_collection (LacunaFindingsPanel *self,
                                      LacunaCollection    *collection)
{
  g_return_if_fail (LACUNA_IS_FINDINGS_PANEL (self));
  g_return_if_fail (collection == NULL || LACUNA_IS_COLLECTION (collection));

  if (self->collection == collection)
    return;
  g_set_object (&self->collection, collection);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  show_details (self, NULL);
  clear_overlay (self);
  g_list_store_remove_all (self->store);
  g_hash_table_remove_all (self->statuses);
  for (guint i = 0; i < LACUNA_FINDINGS_N_CHECKS; i++)
    {
      set_check_running (self, &self->checks[i], FALSE);
      set_check_text (&self->checks[i], "");
    }
  gtk_widget_set_sensitive (self->measure_button, FALSE);
  gtk_widget_set_sensitive (self->box_button, FALSE);

  if (collection == NULL)
    {
      set_busy (self, FALSE);
      return;
    }
  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE);
  start_job (self, LACUNA_FINDINGS_CHECK_NONE, G_MININT);
  for (guint i = 0; i < LACUNA_FINDINGS_N_CHECKS; i++)
    {
      set_check_running (self, &self->checks[i], TRUE);
      start_job (self, self->checks[i].check, G_MININT);
    }
}

void
lacuna_findings_panel_measure_slice (LacunaFindingsPanel *self,
                                     int                  instance_number)
{
  CheckRow *row;

  g_return_if_fail (LACUNA_IS_FINDINGS_PANEL (self));

  row = check_row (self, LACUNA_FINDINGS_CHECK_BODY_COMPOSITION);
  if (self->collection == NULL || row->running)
    return;
  set_check_running (self, row, TRUE);
  start_job (self, LACUNA_FINDINGS_CHECK_BODY_COMPOSITION, instance_number);
}

void
lacuna_findings_panel_set_image_view (LacunaFindingsPanel *self,
                                      LacunaImageView     *view)
{
  g_return_if_fail (LACUNA_IS_FINDINGS_PANEL (self));
  g_return_if_fail (view == NULL || LACUNA_IS_IMAGE_VIEW (view));
  g_weak_ref_set (&self->image_view, view);
}

gboolean
lacuna_findings_panel_get_busy (LacunaFindingsPanel *self)
{
  g_return_val_if_fail (LACUNA_IS_FINDINGS_PANEL (self), FALSE);
  return self->busy;
}

gboolean
lacuna_findings_panel_get_checking (LacunaFindingsPanel *self)
{
  g_return_val_if_fail (LACUNA_IS_FINDINGS_PANEL (self), FALSE);
  return self->n_running > 0;
}

gboolean
lacuna_findings_panel_is_check_running (LacunaFindingsPanel *self,
                                        LacunaFindingsCheck  check)
{
  CheckRow *row;

  g_return_val_if_fail (LACUNA_IS_FINDINGS_PANEL (self), FALSE);
  row = check_row (self, check);
  return row != NULL && row->running;
}

const char *
lacuna_findings_panel_get_check_text (LacunaFindingsPanel *self,
                                      LacunaFindingsCheck  check)
{
  CheckRow *row;

  g_return_val_if_fail (LACUNA_IS_FINDINGS_PANEL (self), NULL);
  row = check_row (self, check);
  return row != NULL && row->text != NULL ? row->text : "";
}

GListModel *
lacuna_findings_panel_get_findings (LacunaFindingsPanel *self)
{
  g_return_val_if_fail (LACUNA_IS_FINDINGS_PANEL (self), NULL);
  return G_LIST_MODEL (self->store);
}

LacunaFinding *
lacuna_findings_panel_get_details_finding (LacunaFindingsPanel *self)
{
  g_return_val_if_fail (LACUNA_IS_FINDINGS_PANEL (self), NULL);
  return self->details_finding;
}

void
lacuna_findings_panel_activate (LacunaFindingsPanel *self,
                                guint                position)
{
  g_autoptr(LacunaFinding) finding = NULL;

  g_return_if_fail (LACUNA_IS_FINDINGS_PANEL (self));

  finding = g_list_model_get_item (G_LIST_MODEL (self->store), position);
  if (finding == NULL)
    return;
  if (has_details (finding))
    show_details (self, finding);
  if (has_where (finding))
    g_signal_emit (self, signals[FINDING_ACTIVATED], 0, finding);
}

/* ------------------------------------------------------------------------------------- */
/* Details                                                                               */

static const double detector_colours[LACUNA_VISION_N_DETECTORS][3] = {
  { 0.90, 0.15, 0.15 },   /* Haar: red */
  { 0.20, 0.75, 0.25 },   /* LBP: green */
  { 0.25, 0.45, 0.95 },   /* dlib: blue */
};

/* The render (grey) with every detector's boxes and the agreement in yellow. */
static GdkTexture *
render_view (const LacunaFaceView *view)
{
  cairo_surface_t *surface;
  cairo_t *cr;
  guint8 *data;
  int stride;
  double line;
  g_autoptr(GBytes) bytes = NULL;

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) view->width,
                                        (int) view->height);
  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (guint y = 0; y < view->height; y++)
    {
      guint32 *row = (guint32 *) (data + (gsize) y * stride);

      for (guint x = 0; x < view->width; x++)
        {
          guint32 v = view->image[(gsize) y * view->width + x];

          row[x] = 0xff000000u | (v << 16) | (v << 8) | v;
        }
    }
  cairo_surface_mark_dirty (surface);

  cr = cairo_create (surface);
  line = MAX (2.0, view->width / 200.0);
  cairo_set_line_width (cr, line);
  for (guint d = 0; d < LACUNA_VISION_N_DETECTORS; d++)
    {
      GArray *boxes = view->boxes[d];

      cairo_set_source_rgb (cr, detector_colours[d][0], detector_colours[d][1],
                            detector_colours[d][2]);
      for (guint i = 0; boxes != NULL && i < boxes->len; i++)
        {
          const LacunaVisionBox *b = &g_array_index (boxes, LacunaVisionBox, i);

          cairo_rectangle (cr, b->x, b->y, b->width, b->height);
          cairo_stroke (cr);
        }
    }
  if (view->consensus)
    {
      cairo_set_source_rgb (cr, 1.0, 0.85, 0.0);
      cairo_set_line_width (cr, line * 2);
      cairo_set_dash (cr, (double[]) { line * 4, line * 3 }, 2, 0);
      cairo_rectangle (cr, view->consensus_box.x, view->consensus_box.y,
                       view->consensus_box.width, view->consensus_box.height);
      cairo_stroke (cr);
    }
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  bytes = g_bytes_new (cairo_image_surface_get_data (surface),
                       (gsize) stride * view->height);
  cairo_surface_destroy (surface);
  return gdk_memory_texture_new ((int) view->width, (int) view->height,
                                 GDK_MEMORY_DEFAULT, bytes, stride);
}

static void
show_face_view (LacunaFindingsPanel *self,
                LacunaFaceResult    *result)
{
  guint n = lacuna_face_result_get_n_views (result);
  const LacunaFaceView *view;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *title = NULL;
  g_autofree char *summary = lacuna_face_result_dup_summary (result);

  if (n == 0)
    return;
  self->details_view = MIN (self->details_view, n - 1);
  view = lacuna_face_result_get_view (result, self->details_view);
  texture = render_view (view);
  gtk_picture_set_paintable (self->details_picture, GDK_PAINTABLE (texture));

  if (lacuna_face_result_is_volume (result))
    /* Translators: a rendering of the scan: "View 5 of 9 (yaw 0°, pitch 15°)" */
    title = g_strdup_printf (_("View %u of %u (yaw %d°, pitch %d°)"), self->details_view + 1,
                             n, (int) lround (view->yaw), (int) lround (view->pitch));
  else
    title = g_strdup (_("The picture as the detectors saw it"));
  gtk_label_set_text (self->details_title, title);

  g_string_append (text, summary);
  g_string_append_c (text, '\n');
  for (guint d = 0; d < LACUNA_VISION_N_DETECTORS; d++)
    {
      guint boxes = view->boxes[d] != NULL ? view->boxes[d]->len : 0;

      /* Translators: a detector's name and how many boxes it drew in this view */
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%s: %u box in this view",
                                                 "%s: %u boxes in this view", boxes),
                              lacuna_vision_detector_get_name (d), boxes);
      g_string_append_c (text, '\n');
    }
  if (view->consensus)
    g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                               "%u detector agrees in this view.",
                                               "%u detectors agree in this view.",
                                               view->n_agreeing), view->n_agreeing);
  else
    g_string_append (text, _("The detectors do not agree in this view."));
  g_string_append_c (text, '\n');
  g_string_append (text, _("Boxes: red Haar, green LBP, blue dlib; dashed yellow where two or "
                           "more agree."));
  gtk_label_set_text (self->details_text, text->str);
  gtk_widget_set_visible (self->view_buttons, n > 1);
}

static void
append_area (GString    *text,
             JsonObject *values,
             const char *label,
             const char *member,
             const char *index_member)
{
  if (!json_object_has_member (values, member))
    return;
  g_string_append_printf (text, "%s: %.1f cm²", label,
                          json_object_get_double_member (values, member));
  if (index_member != NULL && json_object_has_member (values, index_member))
    /* Translators: an area per height squared */
    g_string_append_printf (text, _(" (%.1f cm²/m²)"),
                            json_object_get_double_member (values, index_member));
  g_string_append_c (text, '\n');
}

static void
show_body_composition (LacunaFindingsPanel *self,
                       LacunaFinding       *finding)
{
  JsonObject *values = lacuna_finding_get_values (finding);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *title = NULL;

  if (json_object_has_member (values, "instance")
      && !json_object_get_null_member (values, "instance"))
    title = g_strdup_printf (json_object_get_boolean_member_with_default (values, "suggested",
                                                                          FALSE)
                             ? _("Slice with Instance Number %d (suggested)")
                             : _("Slice with Instance Number %d (chosen)"),
                             (int) json_object_get_int_member (values, "instance"));
  else
    title = g_strdup (_("Body composition"));
  gtk_label_set_text (self->details_title, title);
  gtk_picture_set_paintable (self->details_picture, NULL);

  append_area (text, values, _("Body"), "body_cm2", NULL);
  append_area (text, values, _("Adipose tissue"), "adipose_cm2", "adipose_index_cm2_m2");
  append_area (text, values, _("Subcutaneous fat"), "subcutaneous_adipose_cm2",
               "subcutaneous_adipose_index_cm2_m2");
  append_area (text, values, _("Inner fat (visceral and intermuscular)"), "inner_adipose_cm2",
               "inner_adipose_index_cm2_m2");
  append_area (text, values, _("Muscle-density tissue"), "muscle_cm2", "muscle_index_cm2_m2");
  if (!json_object_has_member (values, "height_m"))
    g_string_append (text, _("No Patient’s Size: areas are not given per m².\n"));
  if (json_object_has_member (values, "method"))
    {
      g_string_append (text, json_object_get_string_member (values, "method"));
      g_string_append_c (text, '\n');
    }
  if (json_object_has_member (values, "caveat"))
    g_string_append (text, json_object_get_string_member (values, "caveat"));
  gtk_label_set_text (self->details_text, text->str);
  gtk_widget_set_visible (self->view_buttons, FALSE);
}

static void
show_details (LacunaFindingsPanel *self,
              LacunaFinding       *finding)
{
  gboolean face;

  /* The overlay belongs to the body-composition card: closing the card or opening another
   * finding takes it off the image (its toggle is no longer on screen). */
  if (finding == NULL ||
      g_strcmp0 (lacuna_finding_get_kind (finding), "body-composition") != 0)
    clear_overlay (self);
  if (finding == NULL)
    {
      g_clear_object (&self->details_finding);
      gtk_revealer_set_reveal_child (self->details, FALSE);
      gtk_picture_set_paintable (self->details_picture, NULL);
      sync_overlay_button (self);
      return;
    }
  if (finding != self->details_finding)
    {
      g_set_object (&self->details_finding, finding);
      /* The best view of a volume first (the render box names it). */
      self->details_view = 0;
      (void) lacuna_finding_get_render_box (finding, &self->details_view, NULL);
    }
  face = g_strcmp0 (lacuna_finding_get_kind (finding), "face") == 0;
  gtk_widget_set_visible (GTK_WIDGET (self->details_picture), face);
  if (face)
    show_face_view (self, LACUNA_FACE_RESULT (lacuna_finding_get_source_object (finding)));
  else
    show_body_composition (self, finding);
  sync_overlay_button (self);
  gtk_revealer_set_reveal_child (self->details, TRUE);
}

static void
view_step_cb (GtkButton           *button,
              LacunaFindingsPanel *self)
{
  LacunaFaceResult *result;
  guint n;
  int step = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "step"));

  if (self->details_finding == NULL)
    return;
  result = LACUNA_FACE_RESULT (lacuna_finding_get_source_object (self->details_finding));
  n = lacuna_face_result_get_n_views (result);
  if (n == 0)
    return;
  self->details_view = (self->details_view + n + step) % n;
  show_face_view (self, result);
}

/* The instance a body-composition finding measured, or NULL. */
static LacunaInstance *
finding_instance (LacunaFindingsPanel *self,
                  LacunaFinding       *finding)
{
  const char *sop = finding != NULL ? lacuna_finding_get_sop_instance_uid (finding) : NULL;

  if (sop == NULL || self->collection == NULL)
    return NULL;
  return lacuna_collection_find_instance (self->collection, sop);
}

/* The toggle says whether the overlay shows the details' finding. */
static void
sync_overlay_button (LacunaFindingsPanel *self)
{
  g_autoptr(LacunaBodycompOverlay) overlay = g_weak_ref_get (&self->overlay);
  gboolean body = self->details_finding != NULL
                  && g_strcmp0 (lacuna_finding_get_kind (self->details_finding),
                                "body-composition") == 0;
  LacunaInstance *instance = body ? finding_instance (self, self->details_finding) : NULL;
  /* While it is measured, the toggle stays on. */
  gboolean shown = overlay != NULL && instance != NULL
                   && (lacuna_bodycomp_overlay_get_instance (overlay) == instance
                       || (self->overlay_cancellable != NULL
                           && self->overlay_finding == self->details_finding));

  if (self->overlay_button == NULL)
    return;   /* disposed */
  gtk_widget_set_visible (self->overlay_button, body && overlay != NULL);
  gtk_widget_set_sensitive (self->overlay_button, instance != NULL);
  g_signal_handlers_block_by_func (self->overlay_button, overlay_toggled_cb, self);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->overlay_button), shown);
  g_signal_handlers_unblock_by_func (self->overlay_button, overlay_toggled_cb, self);
}

static void
overlay_measured_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(LacunaFindingsPanel) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LacunaFinding) finding = NULL;
  gboolean ok;

  ok = lacuna_bodycomp_overlay_set_instance_finish (LACUNA_BODYCOMP_OVERLAY (source), result,
                                                    &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->overlay_button == NULL
      || g_task_get_cancellable (G_TASK (result)) != self->overlay_cancellable)
    return;   /* stopped, replaced by a newer one, or the panel is gone */

  finding = g_steal_pointer (&self->overlay_finding);
  g_clear_object (&self->overlay_cancellable);
  set_overlay_busy (self, FALSE);
  if (!ok)
    {
      /* The error names the attribute at fault, never a value. */
      set_overlay_error (self, error->message);
      sync_overlay_button (self);
      return;
    }
  set_overlay_error (self, NULL);
  sync_overlay_button (self);
  /* Show the slice it is drawn on. */
  g_signal_emit (self, signals[FINDING_ACTIVATED], 0, finding);
}

static void
overlay_toggled_cb (GtkToggleButton     *button,
                    LacunaFindingsPanel *self)
{
  g_autoptr(LacunaBodycompOverlay) overlay = g_weak_ref_get (&self->overlay);
  LacunaInstance *instance;

  if (overlay == NULL || self->details_finding == NULL || self->overlay_button == NULL)
    return;
  cancel_overlay_measure (self);
  set_overlay_error (self, NULL);
  if (!gtk_toggle_button_get_active (button))
    {
      (void) lacuna_bodycomp_overlay_set_instance (overlay, NULL, NULL);
      return;
    }
  instance = finding_instance (self, self->details_finding);
  if (instance == NULL)
    {
      set_overlay_error (self, _("The measured slice is not in the open study."));
      sync_overlay_button (self);
      return;
    }
  /* Measured in a worker: the spinner turns meanwhile; closing the card, another study or
   * the window stops it. */
  self->overlay_cancellable = g_cancellable_new ();
  self->overlay_finding = g_object_ref (self->details_finding);
  set_overlay_busy (self, TRUE);
  lacuna_bodycomp_overlay_set_instance_async (overlay, instance, self->overlay_cancellable,
                                              overlay_measured_cb, g_object_ref (self));
}

void
lacuna_findings_panel_set_bodycomp_overlay (LacunaFindingsPanel   *self,
                                            LacunaBodycompOverlay *overlay)
{
  g_autoptr(LacunaBodycompOverlay) old = NULL;

  g_return_if_fail (LACUNA_IS_FINDINGS_PANEL (self));
  g_return_if_fail (overlay == NULL || LACUNA_IS_BODYCOMP_OVERLAY (overlay));

  old = g_weak_ref_get (&self->overlay);
  if (old == overlay)
    return;
  if (old != NULL)
    g_signal_handlers_disconnect_by_func (old, sync_overlay_button, self);
  g_weak_ref_set (&self->overlay, overlay);
  if (overlay != NULL)
    g_signal_connect_object (overlay, "notify::instance", G_CALLBACK (sync_overlay_button), self,
                             G_CONNECT_SWAPPED);
  sync_overlay_button (self);
}

static void
close_details_cb (GtkButton           *button,
                  LacunaFindingsPanel *self)
{
  show_details (self, NULL);
  gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
}

static void
measure_cb (GtkButton           *button,
            LacunaFindingsPanel *self)
{
  g_autoptr(LacunaImageView) view = g_weak_ref_get (&self->image_view);
  LacunaInstance *instance = view != NULL ? lacuna_image_view_get_instance (view, NULL) : NULL;

  if (instance == NULL || g_strcmp0 (lacuna_instance_get_modality (instance), "CT") != 0
      || lacuna_instance_get_instance_number (instance) == G_MININT)
    {
      set_check_text (check_row (self, LACUNA_FINDINGS_CHECK_BODY_COMPOSITION),
                      _("Show a CT slice that has an Instance Number, then measure it."));
      return;
    }
  lacuna_findings_panel_measure_slice (self, lacuna_instance_get_instance_number (instance));
}

gboolean
lacuna_findings_panel_get_overlay_busy (LacunaFindingsPanel *self)
{
  g_return_val_if_fail (LACUNA_IS_FINDINGS_PANEL (self), FALSE);
  return self->overlay_cancellable != NULL;
}

const char *
lacuna_findings_panel_get_overlay_error (LacunaFindingsPanel *self)
{
  g_return_val_if_fail (LACUNA_IS_FINDINGS_PANEL (self), "");
  return self->overlay_error != NULL ? gtk_label_get_text (self->overlay_error) : "";
}

/* ------------------------------------------------------------------------------------- */

static void
lacuna_findings_panel_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  LacunaFindingsPanel *self = LACUNA_FINDINGS_PANEL (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    case PROP_CHECKING:
      g_value_set_boolean (value, self->n_running > 0);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lacuna_findings_panel_dispose (GObject *object)
{
  LacunaFindingsPanel *self = LACUNA_FINDINGS_PANEL (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->overlay_cancellable != NULL)
    g_cancellable_cancel (self->overlay_cancellable);
  g_clear_object (&self->overlay_cancellable);
  g_clear_object (&self->overlay_finding);
  self->overlay_spinner = NULL;   /* go with self->box */
  self->overlay_error = NULL;
  {
    g_autoptr(LacunaBodycompOverlay) overlay = g_weak_ref_get (&self->overlay);

    if (overlay != NULL)
      g_signal_handlers_disconnect_by_func (overlay, sync_overlay_button, self);
    g_weak_ref_set (&self->overlay, NULL);
  }
  self->overlay_button = NULL;   /* goes with self->box */
  g_clear_pointer (&self->box, gtk_widget_unparent);
  g_clear_object (&self->details_finding);
  g_clear_object (&self->selection);
  g_clear_object (&self->store);
  g_clear_object (&self->collection);
  g_weak_ref_set (&self->image_view, NULL);
  if (self->decisions != NULL)
    g_signal_handlers_disconnect_by_func (self->decisions, decisions_changed_cb, self);
  g_clear_object (&self->decisions);
  if (self->statuses != NULL)
    g_hash_table_remove_all (self->statuses);

  G_OBJECT_CLASS (lacuna_findings_panel_parent_class)->dispose (object);
}

static void
lacuna_findings_panel_finalize (GObject *object)
{
  LacunaFindingsPanel *self = LACUNA_FINDINGS_PANEL (object);

  for (guint i = 0; i < LACUNA_FINDINGS_N_CHECKS; i++)
    g_free (self->checks[i].text);
  g_weak_ref_clear (&self->image_view);
  g_weak_ref_clear (&self->overlay);
  g_clear_pointer (&self->statuses, g_hash_table_unref);
  g_clear_pointer (&self->bound, g_hash_table_unref);
  g_clear_pointer (&self->default_options, lacuna_deid_options_free);

  G_OBJECT_CLASS (lacuna_findings_panel_parent_class)->finalize (object);
}

static void
lacuna_findings_panel_class_init (LacunaFindingsPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = lacuna_findings_panel_get_property;
  object_class->dispose = lacuna_findings_panel_dispose;
  object_class->finalize = lacuna_findings_panel_finalize;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_CHECKING] =
    g_param_spec_boolean ("checking", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* ::finding-activated (LacunaFinding *finding): a finding with a tag path or an
   * instance was activated. */
  signals[FINDING_ACTIVATED] =
    g_signal_new ("finding-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, LACUNA_TYPE_FINDING);
  /* ::box-proposed: "Box Every Proposed Line" was clicked: the burned-in findings with a
   * "proposed_box" (lacuna_findings_panel_get_findings) should become redaction boxes. */
  signals[BOX_PROPOSED] =
    g_signal_new ("box-proposed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "findings-panel");
}

static GtkWidget *
new_check_row (LacunaFindingsPanel *self,
               guint                index)
{
  CheckRow *row = &self->checks[index];
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *title;

  row->check = lacuna_findings_check_nth (index);
  title = gtk_label_new (lacuna_findings_check_get_title (row->check));
  gtk_label_set_xalign (GTK_LABEL (title), 0.0);
  gtk_widget_add_css_class (title, "heading");
  gtk_box_append (GTK_BOX (top), title);
  row->spinner = gtk_spinner_new ();
  gtk_widget_set_visible (row->spinner, FALSE);
  gtk_box_append (GTK_BOX (top), row->spinner);
  gtk_box_append (GTK_BOX (box), top);

  row->status = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (row->status), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (row->status), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (row->status), 0.0);
  gtk_label_set_selectable (GTK_LABEL (row->status), FALSE);
  gtk_widget_add_css_class (row->status, "caption");
  gtk_box_append (GTK_BOX (box), row->status);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (box), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                  title, NULL, GTK_ACCESSIBLE_RELATION_DESCRIBED_BY,
                                  row->status, NULL, -1);

  if (row->check == LACUNA_FINDINGS_CHECK_BURNED_IN)
    {
      self->box_button = gtk_button_new_with_mnemonic (_("_Box Every Proposed Line"));
      gtk_widget_set_tooltip_text (self->box_button,
                                   _("Add the redaction boxes proposed for every text line found "
                                     "(one step to undo); each stays editable"));
      gtk_widget_set_halign (self->box_button, GTK_ALIGN_START);
      gtk_widget_set_sensitive (self->box_button, FALSE);
      g_signal_connect_object (self->box_button, "clicked", G_CALLBACK (box_proposed_cb), self,
                               0);
      gtk_box_append (GTK_BOX (box), self->box_button);
    }
  if (row->check == LACUNA_FINDINGS_CHECK_BODY_COMPOSITION)
    {
      /* The suggested slice is a suggestion: any CT slice can be measured instead. */
      self->measure_button = gtk_button_new_with_mnemonic (_("_Measure the Slice Shown"));
      gtk_widget_set_tooltip_text (self->measure_button,
                                   _("Measure body composition on the CT slice shown in the "
                                     "viewer instead of the suggested one"));
      gtk_widget_set_halign (self->measure_button, GTK_ALIGN_START);
      gtk_widget_set_sensitive (self->measure_button, FALSE);
      g_signal_connect_object (self->measure_button, "clicked", G_CALLBACK (measure_cb), self,
                               0);
      gtk_box_append (GTK_BOX (box), self->measure_button);
    }
  return box;
}

static GtkWidget *
new_icon_button (const char *icon,
                 const char *label)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  label, -1);
  gtk_widget_add_css_class (button, "flat");
  return button;
}

static GtkWidget *
new_details (LacunaFindingsPanel *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_label_new (NULL);
  GtkWidget *button;

  gtk_widget_add_css_class (box, "card");
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_widget_set_margin_top (box, 6);

  self->details_title = GTK_LABEL (label);
  gtk_label_set_wrap (self->details_title, TRUE);
  gtk_label_set_xalign (self->details_title, 0.0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_set_margin_start (label, 6);
  gtk_widget_add_css_class (label, "heading");
  gtk_box_append (GTK_BOX (top), label);

  self->view_buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  button = new_icon_button ("go-previous-symbolic", _("Previous View"));
  g_object_set_data (G_OBJECT (button), "step", GINT_TO_POINTER (-1));
  g_signal_connect_object (button, "clicked", G_CALLBACK (view_step_cb), self, 0);
  gtk_box_append (GTK_BOX (self->view_buttons), button);
  button = new_icon_button ("go-next-symbolic", _("Next View"));
  g_object_set_data (G_OBJECT (button), "step", GINT_TO_POINTER (1));
  g_signal_connect_object (button, "clicked", G_CALLBACK (view_step_cb), self, 0);
  gtk_box_append (GTK_BOX (self->view_buttons), button);
  gtk_box_append (GTK_BOX (top), self->view_buttons);

  button = new_icon_button ("window-close-symbolic", _("Close Details"));
  g_signal_connect_object (button, "clicked", G_CALLBACK (close_details_cb), self, 0);
  gtk_box_append (GTK_BOX (top), button);
  gtk_box_append (GTK_BOX (box), top);

  self->details_picture = GTK_PICTURE (gtk_picture_new ());
  gtk_picture_set_can_shrink (self->details_picture, TRUE);
  gtk_widget_set_size_request (GTK_WIDGET (self->details_picture), -1, 160);
  gtk_picture_set_alternative_text (self->details_picture,
                                    _("A rendering of the scan’s skin surface with the boxes "
                                      "the face detectors drew"));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->details_picture));

  label = gtk_label_new (NULL);
  self->details_text = GTK_LABEL (label);
  gtk_label_set_wrap (self->details_text, TRUE);
  gtk_label_set_wrap_mode (self->details_text, PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (self->details_text, 0.0);
  gtk_widget_set_margin_start (label, 6);
  gtk_widget_set_margin_end (label, 6);
  gtk_widget_add_css_class (label, "caption");
  gtk_box_append (GTK_BOX (box), label);

  gtk_widget_set_margin_bottom (label, 6);

  /* Body composition: the mask over its slice in the image view. */
  self->overlay_button = gtk_toggle_button_new_with_mnemonic (_("_Show on Image"));
  gtk_widget_set_tooltip_text (self->overlay_button,
                               _("Draw the body outline and the fat and muscle-density regions "
                                 "measured over the slice in the viewer"));
  gtk_widget_set_halign (self->overlay_button, GTK_ALIGN_START);
  gtk_widget_set_margin_start (self->overlay_button, 6);
  gtk_widget_set_margin_bottom (self->overlay_button, 6);
  gtk_widget_set_visible (self->overlay_button, FALSE);
  g_signal_connect_object (self->overlay_button, "toggled", G_CALLBACK (overlay_toggled_cb), self,
                           0);
  {
    GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

    self->overlay_spinner = gtk_spinner_new ();
    gtk_widget_set_visible (self->overlay_spinner, FALSE);
    gtk_widget_set_valign (self->overlay_spinner, GTK_ALIGN_CENTER);
    gtk_widget_set_margin_bottom (self->overlay_spinner, 6);
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->overlay_spinner),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, _("Measuring the slice"), -1);
    gtk_box_append (GTK_BOX (row), self->overlay_button);
    gtk_box_append (GTK_BOX (row), self->overlay_spinner);
    gtk_box_append (GTK_BOX (box), row);
  }
  /* Why the regions cannot be shown: under the button, apart from the check's summary. */
  label = gtk_label_new (NULL);
  self->overlay_error = GTK_LABEL (label);
  gtk_label_set_wrap (self->overlay_error, TRUE);
  gtk_label_set_xalign (self->overlay_error, 0.0);
  gtk_widget_set_margin_start (label, 6);
  gtk_widget_set_margin_end (label, 6);
  gtk_widget_set_margin_bottom (label, 6);
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_add_css_class (label, "error");
  gtk_widget_set_visible (label, FALSE);
  gtk_box_append (GTK_BOX (box), label);

  self->details = GTK_REVEALER (gtk_revealer_new ());
  gtk_revealer_set_child (self->details, box);
  gtk_revealer_set_reveal_child (self->details, FALSE);
  return GTK_WIDGET (self->details);
}

static void
lacuna_findings_panel_init (LacunaFindingsPanel *self)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *top_scrolled = gtk_scrolled_window_new ();
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *checks = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *spinner = gtk_spinner_new ();

  g_weak_ref_init (&self->image_view, NULL);
  g_weak_ref_init (&self->overlay, NULL);
  self->statuses = g_hash_table_new_full (g_direct_hash, g_direct_equal, g_object_unref, g_free);
  self->bound = g_hash_table_new (g_direct_hash, g_direct_equal);
  self->default_options = lacuna_deid_options_new ();
  self->store = g_list_store_new (LACUNA_TYPE_FINDING);
  self->selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->store)));
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cb), self);
  self->list_view = GTK_LIST_VIEW (gtk_list_view_new (
    GTK_SELECTION_MODEL (g_object_ref (self->selection)), factory));
  gtk_list_view_set_single_click_activate (self->list_view, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list_view), "navigation-sidebar");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Findings"), -1);
  g_signal_connect_object (self->list_view, "activate", G_CALLBACK (activate_cb), self, 0);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->list_view));
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);

  self->spinner = GTK_SPINNER (spinner);
  gtk_widget_set_halign (spinner, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (spinner, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (spinner, 32, 32);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spinner), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Collecting the findings"), -1);

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_add_named (self->stack, scrolled, "list");
  gtk_stack_add_named (self->stack, spinner, "busy");
  gtk_stack_set_visible_child_name (self->stack, "list");
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);

  /* The checks and the details: at most 360 pixels high, scrolling; the list gets the rest. */
  gtk_widget_set_margin_start (checks, 12);
  gtk_widget_set_margin_end (checks, 12);
  gtk_widget_set_margin_top (checks, 6);
  gtk_accessible_update_property (GTK_ACCESSIBLE (checks), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Checks"), -1);
  for (guint i = 0; i < LACUNA_FINDINGS_N_CHECKS; i++)
    gtk_box_append (GTK_BOX (checks), new_check_row (self, i));
  /* The details first: they open where the eye is, above the checks. */
  gtk_box_append (GTK_BOX (top), new_details (self));
  gtk_box_append (GTK_BOX (top), checks);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (top_scrolled), top);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (top_scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (top_scrolled), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (top_scrolled), 360);

  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (self->box), top_scrolled);
  gtk_box_append (GTK_BOX (self->box), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->stack));
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
}

GtkWidget *
lacuna_findings_panel_new (void)
{
  return g_object_new (LACUNA_TYPE_FINDINGS_PANEL, NULL);
}
