/* test-findings-panel.c: the findings panel on the sample study, and the way from a
 * header finding to its row in the tag inspector.
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-findings-panel"

#include "config.h"

#include <string.h>

#include "lacuna-findings-panel.h"
#include "lacuna-gui-test-util.h"
#include "lacuna-tag-inspector.h"

static GtkWidget *
find_widget (GtkWidget *widget,
             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* How many mapped labels under widget read text. */
static guint
count_labels (GtkWidget  *widget,
              const char *text)
{
  guint n = 0;

  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget)
      && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    n++;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_labels (child, text);
  return n;
}

static gboolean
panel_ready (gpointer data)
{
  return !lacuna_findings_panel_get_busy (data);
}

static gboolean
inspector_ready (gpointer data)
{
  return !lacuna_tag_inspector_get_busy (data)
         && lacuna_tag_inspector_get_plan (data) != NULL;
}

static void
test_findings_sample (void)
{
  LacunaWindow *window = lacuna_gui_test_new_window (1100, 800);
  LacunaTagInspector *inspector = lacuna_window_get_tag_inspector (window);
  LacunaFindingsPanel *panel;
  GListModel *findings;
  guint n, n_stated = 0, n_literature = 0, target = G_MAXUINT;
  g_autoptr(LacunaFinding) finding = NULL;
  const char *selected;

  lacuna_window_open_sample (window);
  lacuna_gui_test_wait_loaded (window);

  panel = LACUNA_FINDINGS_PANEL (find_widget (GTK_WIDGET (window), LACUNA_TYPE_FINDINGS_PANEL));
  g_assert_nonnull (panel);
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (panel)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-findings", NULL));
  lacuna_gui_test_wait (panel_ready, panel);
  lacuna_gui_test_wait_frame (GTK_WIDGET (panel));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (panel)));

  findings = lacuna_findings_panel_get_findings (panel);
  n = g_list_model_get_n_items (findings);
  g_assert_cmpuint (n, >, 0);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LacunaFinding) f = g_list_model_get_item (findings, i);
      const char *path = lacuna_finding_get_tag_path (f);

      if (lacuna_finding_get_class (f) == LACUNA_EVIDENCE_LITERATURE)
        n_literature++;
      if (lacuna_finding_get_class (f) != LACUNA_EVIDENCE_STATED
          || g_strcmp0 (lacuna_finding_get_kind (f), "header-identity") != 0)
        continue;
      n_stated++;
      /* Patient's Name when there, else the first top-level element. */
      if (g_strcmp0 (path, "00100010") == 0
          || (target == G_MAXUINT && path != NULL && strchr (path, '/') == NULL))
        target = i;
    }
  g_assert_cmpuint (n_stated, >, 0);
  g_assert_cmpuint (n_literature, >, 0);
  g_assert_cmpuint (target, !=, G_MAXUINT);

  /* The rows on screen carry the class words (never colour alone). The first rows are
   * header identity, so "Stated" is on screen. */
  g_assert_cmpuint (count_labels (GTK_WIDGET (panel), "Stated"), >, 0);

  /* Activating it shows the inspector with its row selected. */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (inspector)));
  finding = g_list_model_get_item (findings, target);
  lacuna_findings_panel_activate (panel, target);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (inspector)));
  lacuna_gui_test_wait (inspector_ready, inspector);
  selected = lacuna_tag_inspector_get_selected_path (inspector);
  g_assert_cmpstr (selected, ==, lacuna_finding_get_tag_path (finding));

  /* The toggle goes back to the study browser. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-findings", NULL));
  lacuna_gui_test_wait_frame (GTK_WIDGET (window));
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (panel)));

  g_object_ref (window);
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  g_assert_finalize_object (window);
}

int
main (int   argc,
      char *argv[])
{
  if (!lacuna_gui_test_init (&argc, &argv))
    return 77;

  g_test_add_func ("/gui/findings-panel/sample", test_findings_sample);

  return g_test_run ();
}
