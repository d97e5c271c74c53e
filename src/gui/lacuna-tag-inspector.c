/* lacuna-tag-inspector.c
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "lacuna-tag-inspector"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "lacuna-deid.h"
#include "lacuna-tag-inspector.h"
#include "lacuna-uid-map.h"

typedef enum
{
  COL_TAG,
  COL_NAME,
  COL_VR,
  COL_VALUE,
  COL_ACTION,
  COL_CATEGORY,
  COL_MENU,
  N_COLUMNS
} Column;

typedef struct
{
  LacunaTagInspector *self;
  Column              column;
} ColumnData;

struct _LacunaTagInspector
{
  GtkWidget            parent_instance;

  /* template */
  GtkWidget           *box;
  GtkSearchEntry      *search_entry;
  GtkToggleButton     *identifying_button;
  GtkLabel            *summary_label;
  GtkStack            *stack;
  GtkColumnView       *column_view;

  ColumnData           columns[N_COLUMNS];

  LacunaDecisions     *decisions;
  LacunaInstance      *instance;
  LacunaDicomFile     *file;
  GHashTable          *input_uids;
  LacunaKey           *session_key;     /* when the decisions hold no key */
  LacunaDeidPlan      *plan;
  char                *plan_error;

  GListStore          *root;            /* LacunaTagRow (top level) */
  GtkTreeListModel    *tree;
  GtkCustomFilter     *filter;
  GtkFilterListModel  *filtered;
  GtkSingleSelection  *selection;
  GHashTable          *rows;            /* path → LacunaTagRow (owned) */
  GHashTable          *menu_buttons;    /* LacunaTagRow* → GtkMenuButton* (bound now) */

  char                *search;          /* casefolded, NULL when empty */
  gboolean             identifying_only;

  GCancellable        *load_cancellable;
  gint64               last_load;       /* when the last load started (monotonic µs) */
  guint                throttle_id;     /* a load waiting for its turn (see set_instance) */
  guint                decisions_serial; /* bumped by each change: a plan made before is old */
  gboolean             busy;
  char                *pending_path;    /* selected once the load in progress is done */
};

G_DEFINE_FINAL_TYPE (LacunaTagInspector, lacuna_tag_inspector, GTK_TYPE_WIDGET)

/* While slices keep coming, the list follows at most this often (µs). */
#define LOAD_INTERVAL (100 * G_TIME_SPAN_MILLISECOND)

enum
{
  PROP_0,
  PROP_DECISIONS,
  PROP_BUSY,
  PROP_IDENTIFYING_ONLY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void replan          (LacunaTagInspector *self);
static void apply_filter    (LacunaTagInspector *self);
static void update_summary  (LacunaTagInspector *self);

/* ------------------------------------------------------------------------------------- */
/* Cells                                                                                 */

static LacunaTagRow *
cell_get_row (GtkWidget *child)
{
  return g_object_get_data (G_OBJECT (child), "lacuna-row");
}

static void
set_class (GtkWidget  *widget,
           const char *name,
           gboolean    on)
{
  if (on)
    gtk_widget_add_css_class (widget, name);
  else
    gtk_widget_remove_css_class (widget, name);
}

/* The tint goes on the cell (the child's parent), so that it fills the row. */
static void
style_cell (GtkWidget    *child,
            LacunaTagRow *row)
{
  GtkWidget *cell = gtk_widget_get_parent (child);
  GtkWidget *target = cell != NULL ? cell : child;
  gboolean identifying = row != NULL && lacuna_tag_row_is_identifying (row);
  gboolean direct = identifying &&
    lacuna_tag_row_get_category (row) == LACUNA_DEID_CATEGORY_DIRECT_IDENTIFIER;

  set_class (target, "identifying", identifying && !direct);
  set_class (target, "direct-identifier", direct);
}

static char *
row_title (LacunaTagRow *row)
{
  g_autofree char *tag = lacuna_tag_row_dup_tag_label (row);
  g_autofree char *name = lacuna_tag_row_dup_name_label (row);

  if (*name == '\0')
    return g_steal_pointer (&tag);
  /* Translators: a tag and its name, "(0010,0010) Patient's Name" */
  return g_strdup_printf (_("%s %s"), tag, name);
}

static GMenuModel *
build_row_menu (LacunaTagRow *row)
{
  GMenu *menu = g_menu_new ();
  g_autoptr(GMenu) choices = g_menu_new ();
  g_autoptr(GMenu) reset = g_menu_new ();
  const char *path = lacuna_tag_row_get_path (row);
  const char *vr = lacuna_tag_row_get_vr (row);
  gboolean text = !lacuna_tag_row_is_sequence (row) &&
    strcmp (vr, "OB") != 0 && strcmp (vr, "OW") != 0 && strcmp (vr, "OF") != 0 &&
    strcmp (vr, "OD") != 0 && strcmp (vr, "OL") != 0 && strcmp (vr, "OV") != 0 &&
    strcmp (vr, "UN") != 0;
  g_autoptr(GMenuItem) item = NULL;

  item = g_menu_item_new (_("_Keep"), NULL);
  g_menu_item_set_action_and_target (item, "inspector.keep", "s", path);
  g_menu_append_item (choices, item);
  g_clear_object (&item);
  item = g_menu_item_new (_("_Remove"), NULL);
  g_menu_item_set_action_and_target (item, "inspector.remove", "s", path);
  g_menu_append_item (choices, item);
  g_clear_object (&item);
  if (text)
    {
      item = g_menu_item_new (_("Re_place With…"), NULL);
      g_menu_item_set_action_and_target (item, "inspector.replace", "s", path);
      g_menu_append_item (choices, item);
      g_clear_object (&item);
    }
  item = g_menu_item_new (_("Reset to _Profile"), NULL);
  g_menu_item_set_action_and_target (item, "inspector.reset", "s", path);
  g_menu_append_item (reset, item);

  g_menu_append_section (menu, NULL, G_MENU_MODEL (choices));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (reset));
  return G_MENU_MODEL (menu);
}

static void
refresh_cell (GtkWidget *child)
{
  LacunaTagRow *row = cell_get_row (child);
  ColumnData *data = g_object_get_data (G_OBJECT (child), "lacuna-column");
  LacunaTagInspector *self = data->self;

  if (row == NULL)
    return;

  style_cell (child, row);

  switch (data->column)
    {
    case COL_TAG:
      {
        GtkWidget *label = gtk_tree_expander_get_child (GTK_TREE_EXPANDER (child));
        g_autofree char *text = lacuna_tag_row_dup_tag_label (row);

        gtk_label_set_text (GTK_LABEL (label), text);
      }
      break;

    case COL_NAME:
      {
        g_autofree char *text = lacuna_tag_row_dup_name_label (row);

        gtk_label_set_text (GTK_LABEL (child), text);
      }
      break;

    case COL_VR:
      gtk_label_set_text (GTK_LABEL (child),
                          lacuna_tag_row_get_kind (row) == LACUNA_TAG_ROW_ITEM
                          ? "" : lacuna_tag_row_get_vr (row));
      break;

    case COL_VALUE:
      {
        g_autofree char *text = lacuna_tag_row_dup_value_label (row);
        const char *value = lacuna_tag_row_get_value (row);

        gtk_label_set_text (GTK_LABEL (child), text);
        set_class (child, "dim-label", value == NULL || *value == '\0');
      }
      break;

    case COL_ACTION:
      {
        gboolean exact = self->decisions != NULL &&
                         lacuna_decisions_get_key (self->decisions) != NULL;
        g_autofree char *text = lacuna_tag_row_dup_action_label (row, exact);

        gtk_label_set_text (GTK_LABEL (child), text);
        set_class (child, "overridden", lacuna_tag_row_get_overridden (row));
      }
      break;

    case COL_CATEGORY:
      {
        GtkWidget *icon = gtk_widget_get_first_child (child);
        GtkWidget *label = gtk_widget_get_next_sibling (icon);
        LacunaDeidCategory category = lacuna_tag_row_get_category (row);
        gboolean identifying = lacuna_tag_row_is_identifying (row);

        if (lacuna_tag_row_get_kind (row) == LACUNA_TAG_ROW_ITEM)
          {
            gtk_widget_set_visible (icon, FALSE);
            gtk_label_set_text (GTK_LABEL (label), "");
            break;
          }
        gtk_image_set_from_icon_name (GTK_IMAGE (icon),
                                      category == LACUNA_DEID_CATEGORY_DIRECT_IDENTIFIER
                                      ? "dialog-warning-symbolic"
                                      : "dialog-information-symbolic");
        gtk_widget_set_visible (icon, identifying);
        gtk_label_set_text (GTK_LABEL (label), lacuna_deid_category_get_label (category));
        set_class (label, "dim-label", !identifying);
      }
      break;

    case COL_MENU:
      {
        g_autofree char *title = NULL;
        g_autofree char *a11y = NULL;

        if (lacuna_tag_row_get_kind (row) == LACUNA_TAG_ROW_ITEM)
          {
            gtk_widget_set_visible (child, FALSE);
            break;
          }
        gtk_widget_set_visible (child, TRUE);
        /* The menu itself is made when it opens (create_row_menu): a popover per row
         * bound would cost more than the rest of the row. */
        title = row_title (row);
        /* Translators: the accessible name of a row's menu button */
        a11y = g_strdup_printf (_("What export does with %s"), title);
        gtk_accessible_update_property (GTK_ACCESSIBLE (child),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, a11y,
                                        -1);
      }
      break;

    case N_COLUMNS:
    default:
      g_assert_not_reached ();
    }
}

/* The tooltip of a cell, made when it is asked for: setting a tooltip's text on every
 * refresh costs a round trip to the X server each time. NULL: none. */
static char *
dup_cell_tooltip (LacunaTagInspector *self,
                  Column              column,
                  LacunaTagRow       *row)
{
  switch (column)
    {
    case COL_NAME:
      {
        const char *keyword = lacuna_tag_row_get_keyword (row);

        return *keyword != '\0' ? g_strdup (keyword) : NULL;
      }

    case COL_VALUE:
      {
        const char *value = lacuna_tag_row_get_value (row);
        glong length = value != NULL ? g_utf8_strlen (value, -1) : 0;

        /* More of a long value (still cut: tooltips are not editors). */
        return length > 40 ? g_utf8_substring (value, 0, MIN (length, 1000)) : NULL;
      }

    case COL_ACTION:
      {
        gboolean exact = self->decisions != NULL &&
                         lacuna_decisions_get_key (self->decisions) != NULL;
        g_autofree char *text = lacuna_tag_row_dup_action_label (row, exact);
        const char *reason = lacuna_tag_row_get_reason (row);

        if (reason == NULL || *text == '\0')
          return NULL;
        /* Translators: a row's action and, below it, why ("Basic Profile") */
        return g_strdup_printf (_("%s\nWhy: %s"), text, reason);
      }

    case COL_TAG:
    case COL_VR:
    case COL_CATEGORY:
    case COL_MENU:
    case N_COLUMNS:
    default:
      return NULL;
    }
}

static gboolean
cell_query_tooltip_cb (GtkWidget  *child,
                       int         x,
                       int         y,
                       gboolean    keyboard,
                       GtkTooltip *tooltip,
                       ColumnData *data)
{
  LacunaTagRow *row = cell_get_row (child);
  g_autofree char *text = NULL;

  if (row == NULL)
    return FALSE;
  text = dup_cell_tooltip (data->self, data->column, row);
  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

/* The row's menu, made as it opens: the row bound to the button may have changed since. */
static void
create_row_menu (GtkMenuButton *button,
                 gpointer       user_data)
{
  LacunaTagRow *row = cell_get_row (GTK_WIDGET (button));
  g_autoptr(GMenuModel) menu = NULL;

  if (row == NULL || lacuna_tag_row_get_kind (row) == LACUNA_TAG_ROW_ITEM)
    return;
  menu = build_row_menu (row);
  gtk_menu_button_set_menu_model (button, menu);
}

static void
cell_setup (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            ColumnData               *data)
{
  GtkWidget *child;

  switch (data->column)
    {
    case COL_TAG:
      {
        GtkWidget *label = gtk_label_new (NULL);

        child = gtk_tree_expander_new ();
        gtk_label_set_xalign (GTK_LABEL (label), 0);
        gtk_widget_add_css_class (label, "numeric");
        gtk_widget_add_css_class (label, "monospace");
        gtk_tree_expander_set_child (GTK_TREE_EXPANDER (child), label);
      }
      break;

    case COL_CATEGORY:
      {
        GtkWidget *icon = gtk_image_new ();
        GtkWidget *label = gtk_label_new (NULL);

        child = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
        gtk_label_set_xalign (GTK_LABEL (label), 0);
        gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
        /* The icon repeats the word: not announced twice. */
        gtk_accessible_update_property (GTK_ACCESSIBLE (icon),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, "",
                                        -1);
        gtk_box_append (GTK_BOX (child), icon);
        gtk_box_append (GTK_BOX (child), label);
      }
      break;

    case COL_MENU:
      child = gtk_menu_button_new ();
      gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (child), "view-more-symbolic");
      gtk_menu_button_set_create_popup_func (GTK_MENU_BUTTON (child), create_row_menu, NULL,
                                             NULL);
      gtk_widget_set_tooltip_text (child, _("Change What Export Does"));
      gtk_widget_add_css_class (child, "flat");
      gtk_widget_set_valign (child, GTK_ALIGN_CENTER);
      break;

    case COL_NAME:
    case COL_VR:
    case COL_VALUE:
    case COL_ACTION:
    case N_COLUMNS:
    default:
      child = gtk_label_new (NULL);
      gtk_label_set_xalign (GTK_LABEL (child), 0);
      gtk_label_set_ellipsize (GTK_LABEL (child), PANGO_ELLIPSIZE_END);
      gtk_label_set_single_line_mode (GTK_LABEL (child), TRUE);
      if (data->column == COL_VR)
        gtk_widget_add_css_class (child, "monospace");
      if (data->column != COL_VR)
        {
          gtk_widget_set_has_tooltip (child, TRUE);
          g_signal_connect (child, "query-tooltip", G_CALLBACK (cell_query_tooltip_cb), data);
        }
      break;
    }

  g_object_set_data (G_OBJECT (child), "lacuna-column", data);
  gtk_list_item_set_child (item, child);
}

/* Whether the cell of column shows the row's property (see lacuna-tag-row.h). The
 * category tints every cell. */
static gboolean
column_shows (Column      column,
              const char *property)
{
  if (g_str_equal (property, "category"))
    return TRUE;
  switch (column)
    {
    case COL_VR:
    case COL_MENU:
      return g_str_equal (property, "vr");
    case COL_VALUE:
      return g_str_equal (property, "value");
    case COL_ACTION:
      return g_str_equal (property, "action") || g_str_equal (property, "value");
    case COL_TAG:
    case COL_NAME:
    case COL_CATEGORY:
    case N_COLUMNS:
    default:
      return FALSE;
    }
}

/* Only the cells showing what changed are refreshed (the next slice changes a few values). */
static void
row_notify_cb (LacunaTagRow *row,
               GParamSpec   *pspec,
               GtkWidget    *child)
{
  ColumnData *data = g_object_get_data (G_OBJECT (child), "lacuna-column");

  if (column_shows (data->column, pspec->name))
    refresh_cell (child);
}

static void
cell_bind (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           ColumnData               *data)
{
  GtkTreeListRow *list_row = gtk_list_item_get_item (item);
  GtkWidget *child = gtk_list_item_get_child (item);
  g_autoptr(LacunaTagRow) row = gtk_tree_list_row_get_item (list_row);

  if (data->column == COL_TAG)
    gtk_tree_expander_set_list_row (GTK_TREE_EXPANDER (child), list_row);
  if (data->column == COL_MENU)
    g_hash_table_insert (data->self->menu_buttons, row, child);

  g_object_set_data_full (G_OBJECT (child), "lacuna-row", g_object_ref (row), g_object_unref);
  g_signal_connect_object (row, "notify", G_CALLBACK (row_notify_cb), child, 0);
  refresh_cell (child);
}

static void
cell_unbind (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             ColumnData               *data)
{
  GtkWidget *child = gtk_list_item_get_child (item);
  LacunaTagRow *row = cell_get_row (child);

  if (row == NULL)
    return;
  if (data->column == COL_TAG)
    gtk_tree_expander_set_list_row (GTK_TREE_EXPANDER (child), NULL);
  if (data->column == COL_MENU && g_hash_table_lookup (data->self->menu_buttons, row) == child)
    g_hash_table_remove (data->self->menu_buttons, row);
  g_signal_handlers_disconnect_by_func (row, row_notify_cb, child);
  g_object_set_data (G_OBJECT (child), "lacuna-row", NULL);
  /* A menu made for this row goes with it. */
  if (data->column == COL_MENU)
    {
      GtkPopover *popover = gtk_menu_button_get_popover (GTK_MENU_BUTTON (child));

      if (popover != NULL && !gtk_widget_get_visible (GTK_WIDGET (popover)))
        gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (child), NULL);
    }
}

static void
add_column (LacunaTagInspector *self,
            Column              column,
            const char         *title,
            gboolean            expand,
            int                 fixed_width)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkColumnViewColumn) col = NULL;

  self->columns[column].self = self;
  self->columns[column].column = column;
  g_signal_connect (factory, "setup", G_CALLBACK (cell_setup), &self->columns[column]);
  g_signal_connect (factory, "bind", G_CALLBACK (cell_bind), &self->columns[column]);
  g_signal_connect (factory, "unbind", G_CALLBACK (cell_unbind), &self->columns[column]);

  col = gtk_column_view_column_new (title, g_object_ref (factory));
  gtk_column_view_column_set_expand (col, expand);
  gtk_column_view_column_set_resizable (col, column != COL_MENU);
  if (fixed_width > 0)
    gtk_column_view_column_set_fixed_width (col, fixed_width);
  gtk_column_view_append_column (self->column_view, col);
}

/* ------------------------------------------------------------------------------------- */
/* Filter                                                                                */

static gboolean
contains_folded (const char *haystack,
                 const char *needle)
{
  g_autofree char *folded = NULL;

  if (haystack == NULL || *haystack == '\0')
    return FALSE;
  folded = g_utf8_casefold (haystack, -1);
  return strstr (folded, needle) != NULL;
}

static gboolean
row_matches (LacunaTagInspector *self,
             LacunaTagRow       *row)
{
  if (self->identifying_only && !lacuna_tag_row_is_identifying (row))
    return FALSE;
  if (self->search != NULL)
    {
      g_autofree char *tag = NULL;
      g_autofree char *hex = NULL;
      g_autofree char *name = NULL;

      if (lacuna_tag_row_get_kind (row) == LACUNA_TAG_ROW_ITEM)
        return FALSE;
      tag = lacuna_tag_row_dup_tag_label (row);
      hex = g_strdup_printf ("%08x", lacuna_tag_row_get_tag (row));
      name = lacuna_tag_row_dup_name_label (row);
      return contains_folded (tag, self->search) || contains_folded (hex, self->search) ||
             contains_folded (lacuna_tag_row_get_keyword (row), self->search) ||
             contains_folded (name, self->search) ||
             contains_folded (lacuna_tag_row_get_value (row), self->search);
    }
  return TRUE;
}

/* A row is shown when it matches or something below it does (so a match keeps its
 * sequence and item visible). */
static gboolean
compute_shown (LacunaTagInspector *self,
               LacunaTagRow       *row,
               gboolean           *changed)
{
  GListModel *children = lacuna_tag_row_get_children (row);
  gboolean shown = row_matches (self, row);

  if (children != NULL)
    {
      guint n = g_list_model_get_n_items (children);

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(LacunaTagRow) child = g_list_model_get_item (children, i);

          shown = compute_shown (self, child, changed) || shown;
        }
    }
  if (lacuna_tag_row_get_shown (row) != shown)
    *changed = TRUE;
  lacuna_tag_row_set_shown (row, shown);
  return shown;
}

static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  g_autoptr(LacunaTagRow) row = gtk_tree_list_row_get_item (GTK_TREE_LIST_ROW (item));

  return lacuna_tag_row_get_shown (row);
}

static void
expand_all (LacunaTagInspector *self)
{
  GListModel *model = G_LIST_MODEL (self->tree);

  /* Expanding inserts the children after the row: the loop sees them too. */
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GtkTreeListRow) list_row = gtk_tree_list_model_get_row (self->tree, i);

      if (list_row != NULL && gtk_tree_list_row_is_expandable (list_row))
        gtk_tree_list_row_set_expanded (list_row, TRUE);
    }
}

/* Computes which rows the filter shows; TRUE when that changed for any row. */
static gboolean
compute_all_shown (LacunaTagInspector *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->root));
  gboolean changed = FALSE;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LacunaTagRow) row = g_list_model_get_item (G_LIST_MODEL (self->root), i);

      compute_shown (self, row, &changed);
    }
  return changed;
}

static void
apply_filter (LacunaTagInspector *self)
{
  compute_all_shown (self);
  if (self->identifying_only || self->search != NULL)
    expand_all (self);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_summary (self);
}

/* After rows were updated in place: the filter runs again only when what it shows changed
 * (a value matching the search now, a category changed under "Identifying Only"). */
static void
refilter (LacunaTagInspector *self)
{
  if (self->identifying_only || self->search != NULL)
    {
      if (compute_all_shown (self))
        {
          expand_all (self);
          gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
        }
    }
  update_summary (self);
}

static void
search_changed_cb (LacunaTagInspector *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  lacuna_tag_inspector_set_search_text (self, text);
}

static void
stop_search_cb (LacunaTagInspector *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
}

/* ------------------------------------------------------------------------------------- */
/* Rows and plans                                                                        */

static GListModel *
create_children (gpointer item,
                 gpointer user_data)
{
  GListModel *children = lacuna_tag_row_get_children (LACUNA_TAG_ROW (item));

  return children != NULL ? g_object_ref (children) : NULL;
}

static LacunaTagRow *
parent_item_for (LacunaTagInspector *self,
                 const char         *path)
{
  const char *slash = strrchr (path, '/');
  g_autofree char *item_path = NULL;
  g_autofree char *seq_path = NULL;
  LacunaTagRow *item;
  LacunaTagRow *seq;
  const char *index_text;

  if (slash == NULL)
    return NULL;
  item_path = g_strndup (path, (gsize) (slash - path));
  item = g_hash_table_lookup (self->rows, item_path);
  if (item != NULL)
    return item;

  /* An item the sequence's count did not announce (should not happen): add it. */
  index_text = strrchr (item_path, '/');
  if (index_text == NULL)
    return NULL;
  seq_path = g_strndup (item_path, (gsize) (index_text - item_path));
  seq = g_hash_table_lookup (self->rows, seq_path);
  if (seq == NULL)
    return NULL;
  item = lacuna_tag_row_new_item (seq_path, (guint) strtoul (index_text + 1, NULL, 10));
  lacuna_tag_row_append_child (seq, item);
  g_hash_table_insert (self->rows, g_strdup (lacuna_tag_row_get_path (item)), item);
  return item;
}

static void
build_rows (LacunaTagInspector *self,
            LacunaDeidPlan     *plan)
{
  g_autoptr(GPtrArray) top = g_ptr_array_new_with_free_func (g_object_unref);

  g_hash_table_remove_all (self->rows);

  for (guint i = 0; i < lacuna_deid_plan_get_n_entries (plan); i++)
    {
      const LacunaDeidPlanEntry *e = lacuna_deid_plan_get_entry (plan, i);
      LacunaTagRow *row;
      LacunaTagRow *parent;

      if (g_hash_table_contains (self->rows, e->path))
        continue;
      row = lacuna_tag_row_new_element (e);
      g_hash_table_insert (self->rows, g_strdup (e->path), row);

      if (e->is_sequence)
        for (guint k = 0; k < e->n_items; k++)
          {
            LacunaTagRow *item = lacuna_tag_row_new_item (e->path, k);

            lacuna_tag_row_append_child (row, item);
            g_hash_table_insert (self->rows, g_strdup (lacuna_tag_row_get_path (item)), item);
          }

      parent = parent_item_for (self, e->path);
      if (parent != NULL)
        lacuna_tag_row_append_child (parent, row);
      else
        g_ptr_array_add (top, g_object_ref (row));
    }

  g_list_store_splice (self->root, 0, g_list_model_get_n_items (G_LIST_MODEL (self->root)),
                       top->pdata, top->len);
}

/* The rows take the plan's data (same paths: the decisions changed, or the file is another
 * of the same shape); the cells showing what changed refresh. */
static void
update_rows (LacunaTagInspector *self,
             LacunaDeidPlan     *plan)
{
  for (guint i = 0; i < lacuna_deid_plan_get_n_entries (plan); i++)
    {
      const LacunaDeidPlanEntry *e = lacuna_deid_plan_get_entry (plan, i);
      LacunaTagRow *row = g_hash_table_lookup (self->rows, e->path);

      if (row != NULL)
        lacuna_tag_row_update (row, e);
    }
}

/* TRUE when plan has the rows shown now: the same element paths in the same order, the same
 * sequences with as many items (slices of one series nearly always do). */
static gboolean
same_shape (LacunaTagInspector *self,
            LacunaDeidPlan     *plan)
{
  guint n = lacuna_deid_plan_get_n_entries (plan);

  if (self->plan == NULL || g_hash_table_size (self->rows) == 0
      || lacuna_deid_plan_get_n_entries (self->plan) != n)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      const LacunaDeidPlanEntry *e = lacuna_deid_plan_get_entry (plan, i);
      const LacunaDeidPlanEntry *old = lacuna_deid_plan_get_entry (self->plan, i);

      if (e->tag != old->tag || !e->is_sequence != !old->is_sequence
          || e->n_items != old->n_items || strcmp (e->path, old->path) != 0)
        return FALSE;
    }
  return TRUE;
}

static LacunaKey *
plan_key (LacunaTagInspector *self)
{
  LacunaKey *key = self->decisions != NULL ? lacuna_decisions_get_key (self->decisions) : NULL;

  if (key != NULL)
    return key;
  if (self->session_key == NULL)
    {
      guint32 bytes[LACUNA_KEY_NEW_BYTES / 4];

      /* Only for showing what kind of value is written: keyed values are not shown as
       * text without the real key (lacuna_tag_row_dup_action_label). */
      for (guint i = 0; i < G_N_ELEMENTS (bytes); i++)
        bytes[i] = g_random_int ();
      self->session_key = lacuna_key_new_from_data (bytes, sizeof bytes, NULL);
    }
  return self->session_key;
}

/* The plan of file with the decisions as they are now, or NULL + error. */
static LacunaDeidPlan *
plan_file (LacunaTagInspector  *self,
           LacunaDicomFile     *file,
           GHashTable          *input_uids,
           GError             **error)
{
  g_autoptr(LacunaDeidContext) ctx = NULL;
  const LacunaDeidOptions *options;

  options = self->decisions != NULL ? lacuna_decisions_get_options (self->decisions) : NULL;
  ctx = lacuna_deid_context_new (plan_key (self), options, input_uids, error);
  if (ctx == NULL)
    return NULL;
  return lacuna_deid_plan_file (ctx, file, error);
}

/* Shows plan (taken) in the rows: built when there are none, updated in place otherwise. */
static void
take_plan (LacunaTagInspector *self,
           LacunaDeidPlan     *plan)
{
  gboolean first = g_hash_table_size (self->rows) == 0;

  if (first)
    build_rows (self, plan);
  else
    update_rows (self, plan);
  g_clear_pointer (&self->plan, lacuna_deid_plan_unref);
  self->plan = plan;
  if (first)
    apply_filter (self);
  else
    refilter (self);
}

static void
replan (LacunaTagInspector *self)
{
  g_autoptr(GError) error = NULL;
  LacunaDeidPlan *plan;

  g_clear_pointer (&self->plan_error, g_free);
  if (self->file == NULL)
    {
      g_clear_pointer (&self->plan, lacuna_deid_plan_unref);
      update_summary (self);
      return;
    }

  plan = plan_file (self, self->file, self->input_uids, &error);
  if (plan == NULL)
    {
      self->plan_error = g_strdup (error->message);
      update_summary (self);
      return;
    }
  take_plan (self, plan);
}

/* Shows file (taken) with its input UID set (taken) and plan (taken; NULL: planning failed
 * with plan_error). When the plan has the shape of the rows shown, they are updated in
 * place, and their expansion, the selection and the scroll position stay; otherwise the
 * rows are built again. */
static void
show_file (LacunaTagInspector *self,
           LacunaDicomFile    *file,
           GHashTable         *input_uids,
           LacunaDeidPlan     *plan,
           const char         *plan_error)
{
  gboolean in_place = file != NULL && plan != NULL && same_shape (self, plan);

  if (!in_place)
    {
      g_list_store_remove_all (self->root);
      g_hash_table_remove_all (self->rows);
      g_clear_pointer (&self->plan, lacuna_deid_plan_unref);
    }
  g_clear_pointer (&self->file, lacuna_dicom_file_free);
  g_clear_pointer (&self->input_uids, g_hash_table_unref);
  g_clear_pointer (&self->plan_error, g_free);
  self->file = file;
  self->input_uids = input_uids;

  if (plan != NULL)
    take_plan (self, plan);
  else
    {
      if (file != NULL)
        self->plan_error = g_strdup (plan_error);
      update_summary (self);
    }
  gtk_stack_set_visible_child_name (self->stack, self->plan != NULL ? "list" : "empty");
}

static void
update_summary (LacunaTagInspector *self)
{
  g_autofree char *text = NULL;
  guint total;
  guint identifying;
  guint shown;

  set_class (GTK_WIDGET (self->summary_label), "error", self->plan_error != NULL);
  set_class (GTK_WIDGET (self->summary_label), "dim-label", self->plan_error == NULL);

  if (self->plan_error != NULL)
    {
      /* Translators: %s says why (it names the attribute, never its value) */
      text = g_strdup_printf (_("What export does cannot be shown: %s"), self->plan_error);
      gtk_label_set_text (self->summary_label, text);
      return;
    }
  if (self->plan == NULL)
    {
      gtk_label_set_text (self->summary_label, "");
      return;
    }

  total = lacuna_deid_plan_get_n_entries (self->plan);
  identifying = lacuna_deid_plan_count_identifying (self->plan);
  shown = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  if (self->identifying_only || self->search != NULL)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u row shown of %u attribute",
                                         "%u rows shown of %u attributes", total),
                            shown, total);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u attribute, %u can identify the patient",
                                         "%u attributes, %u can identify the patient", total),
                            total, identifying);
  gtk_label_set_text (self->summary_label, text);
}

static void
decisions_changed_cb (LacunaTagInspector *self)
{
  self->decisions_serial++;
  replan (self);
}

/* ------------------------------------------------------------------------------------- */
/* Actions                                                                               */

static void
show_decision_error (LacunaTagInspector *self,
                     const GError       *error)
{
  g_free (self->plan_error);
  self->plan_error = g_strdup (error->message);
  update_summary (self);
}

static void
set_override (LacunaTagInspector       *self,
              const char               *path,
              LacunaDeidOverrideAction  action,
              const char               *value)
{
  g_autoptr(GError) error = NULL;

  if (self->decisions == NULL)
    return;
  if (!lacuna_decisions_set_override (self->decisions, path, action, value, &error))
    show_decision_error (self, error);
}

static void
keep_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  set_override (LACUNA_TAG_INSPECTOR (widget), g_variant_get_string (parameter, NULL),
                LACUNA_DEID_OVERRIDE_KEEP, NULL);
}

static void
remove_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  set_override (LACUNA_TAG_INSPECTOR (widget), g_variant_get_string (parameter, NULL),
                LACUNA_DEID_OVERRIDE_REMOVE, NULL);
}

static void
reset_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  LacunaTagInspector *self = LACUNA_TAG_INSPECTOR (widget);

  if (self->decisions != NULL)
    lacuna_decisions_clear_override (self->decisions, g_variant_get_string (parameter, NULL));
}

static void
replace_entry_changed_cb (GtkEditable      *entry,
                          AdwMessageDialog *dialog)
{
  adw_message_dialog_set_response_enabled (dialog, "replace",
                                           *gtk_editable_get_text (entry) != '\0');
}

static void
replace_response_cb (AdwMessageDialog   *dialog,
                     const char         *response,
                     LacunaTagInspector *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "lacuna-entry");
  const char *path = g_object_get_data (G_OBJECT (dialog), "lacuna-path");

  if (g_strcmp0 (response, "replace") == 0 && *gtk_editable_get_text (entry) != '\0')
    set_override (self, path, LACUNA_DEID_OVERRIDE_REPLACE, gtk_editable_get_text (entry));
}

static void
replace_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  LacunaTagInspector *self = LACUNA_TAG_INSPECTOR (widget);
  const char *path = g_variant_get_string (parameter, NULL);
  LacunaTagRow *row = g_hash_table_lookup (self->rows, path);
  const LacunaDeidOverride *current = NULL;
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autofree char *title = NULL;
  GtkWidget *dialog;
  GtkWidget *entry;

  if (row == NULL)
    return;
  if (self->decisions != NULL)
    current = lacuna_decisions_get_override (self->decisions, path);

  title = row_title (row);
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Replace Value"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  /* Translators: %s is "(0010,0010) Patient's Name" */
                                  _("Export writes this text in %s instead of its value."),
                                  title);
  entry = gtk_entry_new ();
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("New value"),
                                  -1);
  /* Never the original value: only a replacement chosen before. */
  if (current != NULL && current->action == LACUNA_DEID_OVERRIDE_REPLACE && current->value)
    gtk_editable_set_text (GTK_EDITABLE (entry), current->value);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "replace", _("_Replace"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "replace",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "replace");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  replace_entry_changed_cb (GTK_EDITABLE (entry), ADW_MESSAGE_DIALOG (dialog));

  g_object_set_data (G_OBJECT (dialog), "lacuna-entry", entry);
  g_object_set_data_full (G_OBJECT (dialog), "lacuna-path", g_strdup (path), g_free);
  g_signal_connect (entry, "changed", G_CALLBACK (replace_entry_changed_cb), dialog);
  g_signal_connect_object (dialog, "response", G_CALLBACK (replace_response_cb), self, 0);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  LacunaTagInspector *self = LACUNA_TAG_INSPECTOR (widget);

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
row_menu_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  LacunaTagInspector *self = LACUNA_TAG_INSPECTOR (widget);
  GtkTreeListRow *list_row = gtk_single_selection_get_selected_item (self->selection);
  g_autoptr(LacunaTagRow) row = NULL;
  GtkWidget *button;

  if (list_row == NULL)
    return;
  row = gtk_tree_list_row_get_item (list_row);
  button = g_hash_table_lookup (self->menu_buttons, row);
  if (button != NULL && gtk_widget_get_visible (button))
    gtk_menu_button_popup (GTK_MENU_BUTTON (button));
}

static void
activate_cb (GtkColumnView      *view,
             guint               position,
             LacunaTagInspector *self)
{
  g_autoptr(GtkTreeListRow) list_row = g_list_model_get_item (G_LIST_MODEL (self->selection),
                                                              position);

  if (list_row != NULL && gtk_tree_list_row_is_expandable (list_row))
    gtk_tree_list_row_set_expanded (list_row, !gtk_tree_list_row_get_expanded (list_row));
}

/* ------------------------------------------------------------------------------------- */
/* Loading                                                                               */

static void
set_busy (LacunaTagInspector *self,
          gboolean            busy)
{
  if (self->busy == busy)
    return;
  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* Loads running, so that the process does not exit under them: a worker parses with DCMTK
 * and plans with keyed hashes, and exit runs the destructors of what they use (DCMTK's
 * dictionary). An exit handler waits for them (a load takes milliseconds). */
static GMutex loads_lock;
static GCond loads_done;
static guint n_loads;
static gboolean loads_closed;

static void
wait_for_loads (void)
{
  g_mutex_lock (&loads_lock);
  loads_closed = TRUE;
  while (n_loads > 0)
    g_cond_wait (&loads_done, &loads_lock);
  g_mutex_unlock (&loads_lock);
}

static void
register_wait_for_loads (void)
{
  static gsize registered = 0;

  if (g_once_init_enter (&registered))
    {
      atexit (wait_for_loads);
      g_once_init_leave (&registered, 1);
    }
}

static gboolean
load_enter (void)
{
  gboolean open;

  g_mutex_lock (&loads_lock);
  open = !loads_closed;
  if (open)
    n_loads++;
  g_mutex_unlock (&loads_lock);
  return open;
}

static void
load_leave (void)
{
  g_mutex_lock (&loads_lock);
  if (--n_loads == 0)
    g_cond_broadcast (&loads_done);
  g_mutex_unlock (&loads_lock);
}

/* What a load needs (read-only in the worker) and what it gives back. */
typedef struct
{
  LacunaInstance     *instance;
  LacunaDeidOptions  *options;      /* a copy: NULL for the defaults */
  LacunaKey          *key;
  guint               decisions_serial;

  LacunaDicomFile    *file;
  GHashTable         *input_uids;
  LacunaDeidPlan     *plan;
  char               *plan_error;
} Load;

static void
load_free (gpointer data)
{
  Load *load = data;

  g_clear_object (&load->instance);
  g_clear_pointer (&load->options, lacuna_deid_options_free);
  g_clear_pointer (&load->key, lacuna_key_unref);
  g_clear_pointer (&load->file, lacuna_dicom_file_free);
  g_clear_pointer (&load->input_uids, g_hash_table_unref);
  g_clear_pointer (&load->plan, lacuna_deid_plan_unref);
  g_free (load->plan_error);
  g_free (load);
}

/* The file is read, and its elements walked and planned, here: the main thread only
 * compares and updates the rows. */
static void
load_file (GTask        *task,
           Load         *load)
{
  g_autoptr(LacunaDeidContext) ctx = NULL;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  load->file = lacuna_instance_open (load->instance, &error);
  if (load->file == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;
  load->input_uids = lacuna_uid_set_new ();
  lacuna_uid_set_collect (load->input_uids, load->file);
  ctx = lacuna_deid_context_new (load->key, load->options, load->input_uids, &error);
  if (ctx != NULL)
    load->plan = lacuna_deid_plan_file (ctx, load->file, &error);
  if (load->plan == NULL)
    {
      load->plan_error = g_strdup (error->message);
      g_clear_error (&error);
    }
  g_task_return_boolean (task, TRUE);
}

static void
load_thread (GTask        *task,
             gpointer      source,
             gpointer      data,
             GCancellable *cancellable)
{
  if (!load_enter ())
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("The application is closing"));
      return;
    }
  load_file (task, data);
  load_leave ();
}

static void
load_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  LacunaTagInspector *self = LACUNA_TAG_INSPECTOR (source);
  GTask *task = G_TASK (result);
  Load *load = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (task, &error);

  if (g_task_get_cancellable (task) != self->load_cancellable)
    return;   /* a newer load replaced this one */
  g_clear_object (&self->load_cancellable);

  if (!ok)
    show_file (self, NULL, NULL, NULL, NULL);
  else if (load->decisions_serial != self->decisions_serial)
    {
      /* The decisions changed meanwhile: planned again with them. */
      g_autoptr(GError) plan_error = NULL;
      LacunaDeidPlan *plan = plan_file (self, load->file, load->input_uids, &plan_error);

      show_file (self, g_steal_pointer (&load->file), g_steal_pointer (&load->input_uids), plan,
                 plan_error != NULL ? plan_error->message : NULL);
    }
  else
    show_file (self, g_steal_pointer (&load->file), g_steal_pointer (&load->input_uids),
               g_steal_pointer (&load->plan), load->plan_error);
  /* Still busy when a newer slice waits for its turn. */
  set_busy (self, self->throttle_id != 0);

  if (!ok && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      self->plan_error = g_strdup (error->message);
      update_summary (self);
    }
  if (self->pending_path != NULL)
    {
      g_autofree char *path = g_steal_pointer (&self->pending_path);

      lacuna_tag_inspector_select_path (self, path);
    }
}

/* ------------------------------------------------------------------------------------- */

static void
lacuna_tag_inspector_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  LacunaTagInspector *self = LACUNA_TAG_INSPECTOR (object);

  switch (prop_id)
    {
    case PROP_DECISIONS:
      g_value_set_object (value, self->decisions);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    case PROP_IDENTIFYING_ONLY:
      g_value_set_boolean (value, self->identifying_only);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lacuna_tag_inspector_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  LacunaTagInspector *self = LACUNA_TAG_INSPECTOR (object);

  switch (prop_id)
    {
    case PROP_DECISIONS:
      lacuna_tag_inspector_set_decisions (self, g_value_get_object (value));
      break;
    case PROP_IDENTIFYING_ONLY:
      lacuna_tag_inspector_set_identifying_only (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lacuna_tag_inspector_dispose (GObject *object)
{
  LacunaTagInspector *self = (LacunaTagInspector *) object;

  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  g_clear_handle_id (&self->throttle_id, g_source_remove);
  if (self->column_view != NULL)
    gtk_column_view_set_model (self->column_view, NULL);
  if (self->decisions != NULL)
    g_signal_handlers_disconnect_by_func (self->decisions, decisions_changed_cb, self);
  g_clear_object (&self->decisions);
  g_clear_object (&self->instance);
  g_clear_object (&self->selection);
  g_clear_pointer (&self->pending_path, g_free);
  g_clear_object (&self->filtered);
  g_clear_object (&self->tree);
  g_clear_object (&self->filter);
  g_clear_object (&self->root);
  g_clear_pointer (&self->rows, g_hash_table_unref);
  g_clear_pointer (&self->menu_buttons, g_hash_table_unref);

  gtk_widget_dispose_template (GTK_WIDGET (self), LACUNA_TYPE_TAG_INSPECTOR);

  G_OBJECT_CLASS (lacuna_tag_inspector_parent_class)->dispose (object);
}

static void
lacuna_tag_inspector_finalize (GObject *object)
{
  LacunaTagInspector *self = (LacunaTagInspector *) object;

  g_clear_pointer (&self->file, lacuna_dicom_file_free);
  g_clear_pointer (&self->input_uids, g_hash_table_unref);
  g_clear_pointer (&self->session_key, lacuna_key_unref);
  g_clear_pointer (&self->plan, lacuna_deid_plan_unref);
  g_free (self->plan_error);
  g_free (self->search);

  G_OBJECT_CLASS (lacuna_tag_inspector_parent_class)->finalize (object);
}

static void
lacuna_tag_inspector_class_init (LacunaTagInspectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lacuna_tag_inspector_dispose;
  object_class->finalize = lacuna_tag_inspector_finalize;

  register_wait_for_loads ();
  object_class->get_property = lacuna_tag_inspector_get_property;
  object_class->set_property = lacuna_tag_inspector_set_property;

  properties[PROP_DECISIONS] =
    g_param_spec_object ("decisions", NULL, NULL, LACUNA_TYPE_DECISIONS,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_IDENTIFYING_ONLY] =
    g_param_spec_boolean ("identifying-only", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/lacuna/Lacuna/ui/lacuna-tag-inspector.ui");
  gtk_widget_class_bind_template_child (widget_class, LacunaTagInspector, box);
  gtk_widget_class_bind_template_child (widget_class, LacunaTagInspector, search_entry);
  gtk_widget_class_bind_template_child (widget_class, LacunaTagInspector, identifying_button);
  gtk_widget_class_bind_template_child (widget_class, LacunaTagInspector, summary_label);
  gtk_widget_class_bind_template_child (widget_class, LacunaTagInspector, stack);
  gtk_widget_class_bind_template_child (widget_class, LacunaTagInspector, column_view);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "lacuna-tag-inspector");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);

  gtk_widget_class_install_action (widget_class, "inspector.keep", "s", keep_action);
  gtk_widget_class_install_action (widget_class, "inspector.remove", "s", remove_action);
  gtk_widget_class_install_action (widget_class, "inspector.replace", "s", replace_action);
  gtk_widget_class_install_action (widget_class, "inspector.reset", "s", reset_action);
  gtk_widget_class_install_action (widget_class, "inspector.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "inspector.row-menu", NULL, row_menu_action);
  gtk_widget_class_install_property_action (widget_class, "inspector.identifying-only",
                                            "identifying-only");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "inspector.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK,
                                       "inspector.row-menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0,
                                       "inspector.row-menu", NULL);
}

static void
lacuna_tag_inspector_init (LacunaTagInspector *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->menu_buttons = g_hash_table_new (NULL, NULL);
  self->root = g_list_store_new (LACUNA_TYPE_TAG_ROW);
  self->tree = gtk_tree_list_model_new (G_LIST_MODEL (g_object_ref (self->root)), FALSE, FALSE,
                                        create_children, NULL, NULL);
  self->filter = gtk_custom_filter_new (filter_func, NULL, NULL);
  self->filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->tree)),
                                              GTK_FILTER (g_object_ref (self->filter)));
  self->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->filtered)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);

  /* Translators: column titles of the attribute list */
  /* Fixed widths are the minimum: in a narrow window the list scrolls sideways instead of
   * cutting every column down to a few letters. */
  add_column (self, COL_TAG, _("Tag"), FALSE, 120);
  add_column (self, COL_NAME, _("Name"), TRUE, 160);
  add_column (self, COL_VR, C_("value representation", "VR"), FALSE, -1);
  add_column (self, COL_VALUE, _("Value"), TRUE, 140);
  add_column (self, COL_ACTION, _("Export"), TRUE, 150);
  add_column (self, COL_CATEGORY, _("Category"), FALSE, 140);
  add_column (self, COL_MENU, NULL, FALSE, -1);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  g_signal_connect_object (self->column_view, "activate", G_CALLBACK (activate_cb), self, 0);
  g_signal_connect_object (self->search_entry, "search-changed",
                           G_CALLBACK (search_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->search_entry, "stop-search",
                           G_CALLBACK (stop_search_cb), self, G_CONNECT_SWAPPED);
  g_object_bind_property (self, "identifying-only", self->identifying_button, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  gtk_stack_set_visible_child_name (self->stack, "empty");
}

GtkWidget *
lacuna_tag_inspector_new (void)
{
  return g_object_new (LACUNA_TYPE_TAG_INSPECTOR, NULL);
}

/* ------------------------------------------------------------------------------------- */
/* Public API                                                                            */

void
lacuna_tag_inspector_set_decisions (LacunaTagInspector *self,
                                    LacunaDecisions    *decisions)
{
  g_return_if_fail (LACUNA_IS_TAG_INSPECTOR (self));
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
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DECISIONS]);
}

LacunaDecisions *
lacuna_tag_inspector_get_decisions (LacunaTagInspector *self)
{
  g_return_val_if_fail (LACUNA_IS_TAG_INSPECTOR (self), NULL);
  return self->decisions;
}

/* Loads self->instance in a worker; load_done_cb() shows it. */
static void
start_load (LacunaTagInspector *self)
{
  g_autoptr(GTask) task = NULL;
  LacunaInstance *instance = self->instance;
  Load *load;

  /* Only the newest load is shown. */
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  self->last_load = g_get_monotonic_time ();
  load = g_new0 (Load, 1);
  load->instance = g_object_ref (instance);
  if (self->decisions != NULL)
    load->options = lacuna_deid_options_copy (lacuna_decisions_get_options (self->decisions));
  load->key = lacuna_key_ref (plan_key (self));
  load->decisions_serial = self->decisions_serial;

  self->load_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->load_cancellable, load_done_cb, NULL);
  g_task_set_source_tag (task, start_load);
  g_task_set_task_data (task, load, load_free);
  g_task_run_in_thread (task, load_thread);
}

static gboolean
throttle_cb (gpointer data)
{
  LacunaTagInspector *self = data;

  self->throttle_id = 0;
  if (self->instance != NULL)
    start_load (self);
  return G_SOURCE_REMOVE;
}

void
lacuna_tag_inspector_set_instance (LacunaTagInspector *self,
                                   LacunaInstance     *instance)
{
  g_return_if_fail (LACUNA_IS_TAG_INSPECTOR (self));
  g_return_if_fail (instance == NULL || LACUNA_IS_INSTANCE (instance));

  if (self->instance == instance)
    return;
  g_set_object (&self->instance, instance);

  if (instance == NULL)
    {
      if (self->load_cancellable != NULL)
        g_cancellable_cancel (self->load_cancellable);
      g_clear_object (&self->load_cancellable);
      g_clear_handle_id (&self->throttle_id, g_source_remove);
      set_busy (self, FALSE);
      lacuna_tag_inspector_set_file (self, NULL);
      return;
    }

  /* Scrolling through a series changes the slice every frame, and laying out the updated
   * list costs GTK more than a frame: while slices keep coming, a load in progress
   * finishes and the next starts LOAD_INTERVAL after it, with the slice shown then; the
   * list always ends on the last one. */
  set_busy (self, TRUE);
  if (self->throttle_id == 0)
    {
      gint64 wait = self->last_load + LOAD_INTERVAL - g_get_monotonic_time ();

      if (wait <= 0)
        start_load (self);
      else
        self->throttle_id = g_timeout_add ((guint) (wait / 1000) + 1, throttle_cb, self);
    }
}

LacunaInstance *
lacuna_tag_inspector_get_instance (LacunaTagInspector *self)
{
  g_return_val_if_fail (LACUNA_IS_TAG_INSPECTOR (self), NULL);
  return self->instance;
}

void
lacuna_tag_inspector_set_file (LacunaTagInspector *self,
                               LacunaDicomFile    *file)
{
  g_autoptr(GError) error = NULL;
  GHashTable *input_uids = NULL;
  LacunaDeidPlan *plan = NULL;

  g_return_if_fail (LACUNA_IS_TAG_INSPECTOR (self));

  if (file != NULL)
    {
      input_uids = lacuna_uid_set_new ();
      lacuna_uid_set_collect (input_uids, file);
      plan = plan_file (self, file, input_uids, &error);
    }
  show_file (self, file, input_uids, plan, error != NULL ? error->message : NULL);
}

gboolean
lacuna_tag_inspector_get_busy (LacunaTagInspector *self)
{
  g_return_val_if_fail (LACUNA_IS_TAG_INSPECTOR (self), FALSE);
  return self->busy;
}

LacunaDeidPlan *
lacuna_tag_inspector_get_plan (LacunaTagInspector *self)
{
  g_return_val_if_fail (LACUNA_IS_TAG_INSPECTOR (self), NULL);
  return self->plan;
}

LacunaTagRow *
lacuna_tag_inspector_find_row (LacunaTagInspector *self,
                               const char         *path)
{
  g_return_val_if_fail (LACUNA_IS_TAG_INSPECTOR (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);
  return g_hash_table_lookup (self->rows, path);
}

GListModel *
lacuna_tag_inspector_get_shown_rows (LacunaTagInspector *self)
{
  g_return_val_if_fail (LACUNA_IS_TAG_INSPECTOR (self), NULL);
  return G_LIST_MODEL (self->filtered);
}

void
lacuna_tag_inspector_set_search_text (LacunaTagInspector *self,
                                      const char         *text)
{
  g_autofree char *folded = NULL;

  g_return_if_fail (LACUNA_IS_TAG_INSPECTOR (self));

  if (text != NULL)
    {
      g_autofree char *stripped = g_strstrip (g_strdup (text));

      if (*stripped != '\0')
        folded = g_utf8_casefold (stripped, -1);
    }
  if (g_strcmp0 (folded, self->search) == 0)
    return;
  g_free (self->search);
  self->search = g_steal_pointer (&folded);
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)), text ? text : "") != 0)
    {
      /* Setting the text empties the entry first, which emits "search-changed" at once. */
      g_signal_handlers_block_by_func (self->search_entry, search_changed_cb, self);
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text ? text : "");
      g_signal_handlers_unblock_by_func (self->search_entry, search_changed_cb, self);
    }
  apply_filter (self);
}

void
lacuna_tag_inspector_set_identifying_only (LacunaTagInspector *self,
                                           gboolean            identifying_only)
{
  g_return_if_fail (LACUNA_IS_TAG_INSPECTOR (self));

  identifying_only = !!identifying_only;
  if (self->identifying_only == identifying_only)
    return;
  self->identifying_only = identifying_only;
  apply_filter (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IDENTIFYING_ONLY]);
}

gboolean
lacuna_tag_inspector_get_identifying_only (LacunaTagInspector *self)
{
  g_return_val_if_fail (LACUNA_IS_TAG_INSPECTOR (self), FALSE);
  return self->identifying_only;
}

void
lacuna_tag_inspector_set_expanded (LacunaTagInspector *self,
                                   guint               position,
                                   gboolean            expanded)
{
  g_autoptr(GtkTreeListRow) list_row = NULL;

  g_return_if_fail (LACUNA_IS_TAG_INSPECTOR (self));

  list_row = g_list_model_get_item (G_LIST_MODEL (self->filtered), position);
  if (list_row != NULL)
    gtk_tree_list_row_set_expanded (list_row, expanded);
}

/* The position of the shown row with that path, or G_MAXUINT. */
static guint
find_shown_position (LacunaTagInspector *self,
                     const char         *path)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GtkTreeListRow) list_row = g_list_model_get_item (G_LIST_MODEL (self->filtered), i);
      g_autoptr(LacunaTagRow) row = gtk_tree_list_row_get_item (list_row);

      if (row != NULL && g_strcmp0 (lacuna_tag_row_get_path (row), path) == 0)
        return i;
    }
  return G_MAXUINT;
}

static void
scroll_to (LacunaTagInspector *self,
           guint               position)
{
  /* GTK 4.8 has no gtk_column_view_scroll_to (): the inner list view scrolls. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->column_view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_VIEW (child))
      gtk_widget_activate_action (child, "list.scroll-to-item", "u", position);
}

static void
scroll_after_paint_cb (GdkFrameClock      *clock,
                       LacunaTagInspector *self)
{
  guint position;

  g_signal_handlers_disconnect_by_func (clock, scroll_after_paint_cb, self);
  if (self->selection == NULL)
    return;   /* disposed */
  position = gtk_single_selection_get_selected (self->selection);
  if (position != GTK_INVALID_LIST_POSITION)
    scroll_to (self, position);
}

gboolean
lacuna_tag_inspector_select_path (LacunaTagInspector *self,
                                  const char         *path)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GString) prefix = g_string_new (NULL);
  guint position = G_MAXUINT;

  g_return_val_if_fail (LACUNA_IS_TAG_INSPECTOR (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (self->busy)
    {
      g_free (self->pending_path);
      self->pending_path = g_strdup (path);
      return FALSE;
    }
  if (g_hash_table_lookup (self->rows, path) == NULL)
    return FALSE;

  /* Expand every parent: "seq", "seq/0", "seq/0/elem"… */
  parts = g_strsplit (path, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (prefix, '/');
      g_string_append (prefix, parts[i]);
      position = find_shown_position (self, prefix->str);
      if (position == G_MAXUINT)
        return FALSE;   /* hidden by the search or "Identifying Only" */
      if (parts[i + 1] != NULL)
        lacuna_tag_inspector_set_expanded (self, position, TRUE);
    }

  gtk_single_selection_set_selected (self->selection, position);
  scroll_to (self, position);
  /* Rows expanded since the last layout (here or before) are placed at the next one only,
   * and the list does not scroll to them before: again once it is painted. */
  {
    GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

    if (clock != NULL)
      {
        g_signal_handlers_disconnect_by_func (clock, scroll_after_paint_cb, self);
        g_signal_connect_object (clock, "after-paint", G_CALLBACK (scroll_after_paint_cb), self,
                                 0);
        gtk_widget_queue_draw (GTK_WIDGET (self));
      }
  }
  return TRUE;
}

const char *
lacuna_tag_inspector_get_selected_path (LacunaTagInspector *self)
{
  GtkTreeListRow *list_row;
  g_autoptr(LacunaTagRow) row = NULL;

  g_return_val_if_fail (LACUNA_IS_TAG_INSPECTOR (self), NULL);

  list_row = gtk_single_selection_get_selected_item (self->selection);
  if (list_row == NULL)
    return NULL;
  row = gtk_tree_list_row_get_item (list_row);
  /* The row lives in self->rows: the path stays valid while the file is shown. */
  return row != NULL ? lacuna_tag_row_get_path (row) : NULL;
}
