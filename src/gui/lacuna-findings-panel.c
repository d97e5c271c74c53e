/* lacuna-findings-panel.c
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "lacuna-findings-panel"

#include "config.h"

#include <glib/gi18n.h>

#include "lacuna-findings-panel.h"

struct _LacunaFindingsPanel
{
  GtkWidget           parent_instance;

  GtkStack           *stack;
  GtkSpinner         *spinner;
  GtkListView        *list_view;
  GListStore         *store;            /* LacunaFinding */
  GtkNoSelection     *selection;

  LacunaCollection   *collection;
  GCancellable       *cancellable;
  gboolean            busy;
};

G_DEFINE_FINAL_TYPE (LacunaFindingsPanel, lacuna_findings_panel, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

enum
{
  FINDING_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

const char *
lacuna_findings_panel_class_word (LacunaEvidenceClass klass)
{
  switch (klass)
    {
    case LACUNA_EVIDENCE_STATED:
      return _("Stated");
    case LACUNA_EVIDENCE_MEASURED:
      return _("Measured");
    case LACUNA_EVIDENCE_DETECTED:
      return _("Detected");
    case LACUNA_EVIDENCE_LITERATURE:
      return _("Literature");
    default:
      return "";
    }
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

static const char *
status_word (LacunaFindingStatus status)
{
  switch (status)
    {
    case LACUNA_FINDING_PRESENT:
      return _("Present");
    case LACUNA_FINDING_REDUCED:
      return _("Reduced");
    case LACUNA_FINDING_REMOVED:
      return _("Removed");
    case LACUNA_FINDING_CANNOT_BE_REMOVED:
      return _("Cannot be removed by redaction");
    default:
      return "";
    }
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
  gtk_widget_add_css_class (label, "caption");
  gtk_box_append (GTK_BOX (top), label);
  gtk_box_append (GTK_BOX (box), top);

  label = gtk_label_new (NULL);     /* text */
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_box_append (GTK_BOX (box), label);

  label = gtk_label_new (NULL);     /* action */
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_add_css_class (label, "caption");
  gtk_box_append (GTK_BOX (box), label);

  gtk_list_item_set_child (item, box);
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *item,
         gpointer                  user_data)
{
  LacunaFinding *finding = gtk_list_item_get_item (item);
  LacunaEvidenceClass klass = lacuna_finding_get_class (finding);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *top = gtk_widget_get_first_child (box);
  GtkWidget *badge = gtk_widget_get_first_child (top);
  GtkWidget *status = gtk_widget_get_next_sibling (badge);
  GtkWidget *text = gtk_widget_get_next_sibling (top);
  GtkWidget *action = gtk_widget_get_next_sibling (text);
  const char *action_text = lacuna_finding_get_action (finding);

  gtk_image_set_from_icon_name (GTK_IMAGE (gtk_widget_get_first_child (badge)),
                                class_icon (klass));
  gtk_label_set_text (GTK_LABEL (gtk_widget_get_last_child (badge)),
                      lacuna_findings_panel_class_word (klass));
  gtk_widget_set_tooltip_text (badge, lacuna_evidence_class_describe (klass));
  gtk_label_set_text (GTK_LABEL (status), status_word (lacuna_finding_get_status (finding)));
  gtk_label_set_text (GTK_LABEL (text), lacuna_finding_get_text (finding));
  gtk_label_set_text (GTK_LABEL (action), action_text != NULL ? action_text : "");
  gtk_widget_set_visible (action, action_text != NULL && *action_text != '\0');
  /* Only a tag path leads somewhere for now. */
  gtk_list_item_set_activatable (item, lacuna_finding_get_tag_path (finding) != NULL);
}

static void
activate_cb (GtkListView         *list_view,
             guint                position,
             LacunaFindingsPanel *self)
{
  lacuna_findings_panel_activate (self, position);
}

/* ------------------------------------------------------------------------------------- */
/* Collecting                                                                            */

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

static void
collect_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  LacunaCollection *collection = task_data;
  g_autoptr(LacunaFindings) findings = lacuna_findings_new ();
  g_autoptr(GError) error = NULL;

  lacuna_findings_set_body_composition (findings, FALSE);
  if (!lacuna_findings_collect (findings, collection, cancellable, &error)
      && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&findings), g_object_unref);
}

static void
collect_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  LacunaFindingsPanel *self = LACUNA_FINDINGS_PANEL (source);
  GTask *task = G_TASK (result);
  g_autoptr(LacunaFindings) findings = NULL;
  g_autoptr(GPtrArray) items = NULL;
  guint n;

  findings = g_task_propagate_pointer (task, NULL);
  if (g_task_get_cancellable (task) != self->cancellable)
    return;   /* a newer collection replaced this one */
  g_clear_object (&self->cancellable);

  if (findings != NULL)
    {
      n = lacuna_findings_get_n_findings (findings);
      items = g_ptr_array_new ();
      for (guint i = 0; i < n; i++)
        g_ptr_array_add (items, lacuna_findings_get_finding (findings, i));
      g_list_store_splice (self->store, 0, g_list_model_get_n_items (G_LIST_MODEL (self->store)),
                           items->pdata, items->len);
    }
  set_busy (self, FALSE);
}

void
lacuna_findings_panel_set_collection (LacunaFindingsPanel *self,
                                      LacunaCollection    *collection)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LACUNA_IS_FINDINGS_PANEL (self));
  g_return_if_fail (collection == NULL || LACUNA_IS_COLLECTION (collection));

  if (self->collection == collection)
    return;
  g_set_object (&self->collection, collection);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_list_store_remove_all (self->store);

  if (collection == NULL)
    {
      set_busy (self, FALSE);
      return;
    }
  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE);
  task = g_task_new (self, self->cancellable, collect_done_cb, NULL);
  g_task_set_source_tag (task, lacuna_findings_panel_set_collection);
  g_task_set_task_data (task, g_object_ref (collection), g_object_unref);
  g_task_run_in_thread (task, collect_thread);
}

gboolean
lacuna_findings_panel_get_busy (LacunaFindingsPanel *self)
{
  g_return_val_if_fail (LACUNA_IS_FINDINGS_PANEL (self), FALSE);
  return self->busy;
}

GListModel *
lacuna_findings_panel_get_findings (LacunaFindingsPanel *self)
{
  g_return_val_if_fail (LACUNA_IS_FINDINGS_PANEL (self), NULL);
  return G_LIST_MODEL (self->store);
}

void
lacuna_findings_panel_activate (LacunaFindingsPanel *self,
                                guint                position)
{
  g_autoptr(LacunaFinding) finding = NULL;

  g_return_if_fail (LACUNA_IS_FINDINGS_PANEL (self));

  finding = g_list_model_get_item (G_LIST_MODEL (self->store), position);
  if (finding != NULL && lacuna_finding_get_tag_path (finding) != NULL)
    g_signal_emit (self, signals[FINDING_ACTIVATED], 0, finding);
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
  if (self->stack != NULL)
    gtk_widget_unparent (GTK_WIDGET (self->stack));
  self->stack = NULL;
  g_clear_object (&self->selection);
  g_clear_object (&self->store);
  g_clear_object (&self->collection);

  G_OBJECT_CLASS (lacuna_findings_panel_parent_class)->dispose (object);
}

static void
lacuna_findings_panel_class_init (LacunaFindingsPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = lacuna_findings_panel_get_property;
  object_class->dispose = lacuna_findings_panel_dispose;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* ::finding-activated (LacunaFinding *finding): a finding with a tag path was activated. */
  signals[FINDING_ACTIVATED] =
    g_signal_new ("finding-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, LACUNA_TYPE_FINDING);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "findings-panel");
}

static void
lacuna_findings_panel_init (LacunaFindingsPanel *self)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *spinner = gtk_spinner_new ();

  self->store = g_list_store_new (LACUNA_TYPE_FINDING);
  self->selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->store)));
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), NULL);
  self->list_view = GTK_LIST_VIEW (gtk_list_view_new (GTK_SELECTION_MODEL (g_object_ref (self->selection)),
                                                      factory));
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

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_add_named (self->stack, scrolled, "list");
  gtk_stack_add_named (self->stack, spinner, "busy");
  gtk_stack_set_visible_child_name (self->stack, "list");
  gtk_widget_set_parent (GTK_WIDGET (self->stack), GTK_WIDGET (self));
}

GtkWidget *
lacuna_findings_panel_new (void)
{
  return g_object_new (LACUNA_TYPE_FINDINGS_PANEL, NULL);
}
