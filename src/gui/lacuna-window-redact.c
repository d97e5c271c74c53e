/* lacuna-window-redact.c: the window's redaction tools (box tool, show result, box scope)
 * and undo / redo of every decision.
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "lacuna-window"

#include "config.h"

#include <glib/gi18n.h>

#include "lacuna-window-private.h"

static void
undo_action (GtkWidget  *widget,
             const char *name,
             GVariant   *param)
{
  LacunaWindow *self = LACUNA_WINDOW (widget);

  if (g_str_equal (name, "win.undo"))
    lacuna_undo_stack_undo (self->undo_stack);
  else
    lacuna_undo_stack_redo (self->undo_stack);
}

static void
box_tool_action (GtkWidget  *widget,
                 const char *name,
                 GVariant   *param)
{
  LacunaWindow *self = LACUNA_WINDOW (widget);
  LacunaRedactionLayer *layer = self->redaction_layer;

  if (g_str_equal (name, "win.box-tool"))
    lacuna_redaction_layer_set_active (layer, !lacuna_redaction_layer_get_active (layer));
  else if (g_str_equal (name, "win.show-result"))
    lacuna_redaction_layer_set_show_result (layer,
                                            !lacuna_redaction_layer_get_show_result (layer));
  else if (g_str_equal (name, "win.add-box"))
    {
      lacuna_redaction_layer_set_show_result (layer, FALSE);
      lacuna_redaction_layer_set_active (layer, TRUE);
      lacuna_redaction_layer_add_box (layer);
      gtk_widget_grab_focus (GTK_WIDGET (layer));
    }
}

static void
box_scope_action (GtkWidget  *widget,
                  const char *name,
                  GVariant   *param)
{
  LacunaWindow *self = LACUNA_WINDOW (widget);

  gtk_widget_activate_action_variant (GTK_WIDGET (self->redaction_layer), "redaction.scope",
                                      param);
}

static void
update_undo (LacunaWindow *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo",
                                 lacuna_undo_stack_get_can_undo (self->undo_stack));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.redo",
                                 lacuna_undo_stack_get_can_redo (self->undo_stack));
}

static void
update_scope (LacunaWindow *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.box-scope",
                                 lacuna_redaction_layer_get_selected (self->redaction_layer) >= 0);
}

void
_lacuna_window_class_init_redaction (GtkWidgetClass *widget_class)
{
  g_type_ensure (LACUNA_TYPE_REDACTION_LAYER);
  gtk_widget_class_bind_template_child (widget_class, LacunaWindow, redaction_layer);
  gtk_widget_class_bind_template_child (widget_class, LacunaWindow, box_tool_button);
  gtk_widget_class_bind_template_child (widget_class, LacunaWindow, show_result_button);

  gtk_widget_class_install_action (widget_class, "win.undo", NULL, undo_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK,
                                       "win.undo", NULL);
  gtk_widget_class_install_action (widget_class, "win.redo", NULL, undo_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.redo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Z,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.redo", NULL);
  gtk_widget_class_install_action (widget_class, "win.box-tool", NULL, box_tool_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_d, 0, "win.box-tool", NULL);
  gtk_widget_class_install_action (widget_class, "win.add-box", NULL, box_tool_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_b, 0, "win.add-box", NULL);
  gtk_widget_class_install_action (widget_class, "win.show-result", NULL, box_tool_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, 0, "win.show-result", NULL);
  gtk_widget_class_install_action (widget_class, "win.box-scope", "s", box_scope_action);
}

/* Another study: its decisions (defaults, or what was saved for it) are not undo steps. Runs
 * after the other "notify::model" handlers, which restore them. */
static void
study_changed_cb (LacunaWindow *self)
{
  lacuna_redaction_layer_set_show_result (self->redaction_layer, FALSE);
  lacuna_redaction_layer_set_selected (self->redaction_layer, -1);
  lacuna_undo_stack_clear (self->undo_stack);
}

void
_lacuna_window_init_redaction (LacunaWindow *self)
{
  self->undo_stack = lacuna_undo_stack_new (self->decisions);
  lacuna_redaction_layer_set_undo_stack (self->redaction_layer, self->undo_stack);
  g_object_bind_property (self->redaction_layer, "active", self->box_tool_button, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->redaction_layer, "show-result", self->show_result_button,
                          "active", G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_signal_connect_object (self->undo_stack, "notify::can-undo",
                           G_CALLBACK (update_undo), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->undo_stack, "notify::can-redo",
                           G_CALLBACK (update_undo), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->redaction_layer, "notify::selected",
                           G_CALLBACK (update_scope), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "notify::model", G_CALLBACK (study_changed_cb),
                           self, G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  update_undo (self);
  update_scope (self);
}

LacunaRedactionLayer *
lacuna_window_get_redaction_layer (LacunaWindow *self)
{
  g_return_val_if_fail (LACUNA_IS_WINDOW (self), NULL);

  return self->redaction_layer;
}

LacunaUndoStack *
lacuna_window_get_undo_stack (LacunaWindow *self)
{
  g_return_val_if_fail (LACUNA_IS_WINDOW (self), NULL);

  return self->undo_stack;
}
