/* lacuna-study-browser.c
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "lacuna-study-browser"

#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>

#include "lacuna-identity.h"
#include "lacuna-study-browser-private.h"

#define THUMBNAIL_SIZE 48
/* Thumbnails and badges are made for at most this many series (a large archive would
 * otherwise keep a core busy for minutes). */
#define MAX_BACKGROUND_SERIES 500

/* ------------------------------------------------------------------------------------- */
/* A thumbnail made at scale × THUMBNAIL_SIZE device pixels, shown in a THUMBNAIL_SIZE     */
/* square of logical pixels (centred, its aspect kept). Without an aspect ratio of its     */
/* own, GtkPicture gives it that square however tall the row is.                           */

#define LACUNA_TYPE_THUMBNAIL_PAINTABLE (lacuna_thumbnail_paintable_get_type ())
G_DECLARE_FINAL_TYPE (LacunaThumbnailPaintable, lacuna_thumbnail_paintable, LACUNA,
                      THUMBNAIL_PAINTABLE, GObject)

struct _LacunaThumbnailPaintable
{
  GObject     parent_instance;
  GdkTexture *texture;
};

static void lacuna_thumbnail_paintable_iface_init (GdkPaintableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LacunaThumbnailPaintable, lacuna_thumbnail_paintable, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (GDK_TYPE_PAINTABLE,
                                                      lacuna_thumbnail_paintable_iface_init))

static void
lacuna_thumbnail_paintable_snapshot (GdkPaintable *paintable,
                                  GdkSnapshot  *snapshot,
                                  double        width,
                                  double        height)
{
  LacunaThumbnailPaintable *self = LACUNA_THUMBNAIL_PAINTABLE (paintable);
  double tw = gdk_texture_get_width (self->texture);
  double th = gdk_texture_get_height (self->texture);
  double scale = MIN (width / tw, height / th);

  gtk_snapshot_save (GTK_SNAPSHOT (snapshot));
  gtk_snapshot_translate (GTK_SNAPSHOT (snapshot),
                          &GRAPHENE_POINT_INIT (floor ((width - tw * scale) / 2),
                                                floor ((height - th * scale) / 2)));
  gdk_paintable_snapshot (GDK_PAINTABLE (self->texture), snapshot, tw * scale, th * scale);
  gtk_snapshot_restore (GTK_SNAPSHOT (snapshot));
}

static int
lacuna_thumbnail_paintable_get_intrinsic_size (GdkPaintable *paintable)
{
  return THUMBNAIL_SIZE;
}

static double
lacuna_thumbnail_paintable_get_intrinsic_aspect_ratio (GdkPaintable *paintable)
{
  return 0;
}

static GdkPaintableFlags
lacuna_thumbnail_paintable_get_flags (GdkPaintable *paintable)
{
  return GDK_PAINTABLE_STATIC_SIZE | GDK_PAINTABLE_STATIC_CONTENTS;
}

static void
lacuna_thumbnail_paintable_iface_init (GdkPaintableInterface *iface)
{
  iface->snapshot = lacuna_thumbnail_paintable_snapshot;
  iface->get_intrinsic_width = lacuna_thumbnail_paintable_get_intrinsic_size;
  iface->get_intrinsic_height = lacuna_thumbnail_paintable_get_intrinsic_size;
  iface->get_intrinsic_aspect_ratio = lacuna_thumbnail_paintable_get_intrinsic_aspect_ratio;
  iface->get_flags = lacuna_thumbnail_paintable_get_flags;
}

static void
lacuna_thumbnail_paintable_finalize (GObject *object)
{
  LacunaThumbnailPaintable *self = (LacunaThumbnailPaintable *) object;

  g_clear_object (&self->texture);
  G_OBJECT_CLASS (lacuna_thumbnail_paintable_parent_class)->finalize (object);
}

static void
lacuna_thumbnail_paintable_class_init (LacunaThumbnailPaintableClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lacuna_thumbnail_paintable_finalize;
}

static void
lacuna_thumbnail_paintable_init (LacunaThumbnailPaintable *self)
{
}

static GdkPaintable *
lacuna_thumbnail_paintable_new (GdkTexture *texture)
{
  LacunaThumbnailPaintable *self = g_object_new (LACUNA_TYPE_THUMBNAIL_PAINTABLE, NULL);

  self->texture = g_object_ref (texture);
  return GDK_PAINTABLE (self);
}

/* ------------------------------------------------------------------------------------- */
/* What the background made for one series                                               */

#define LACUNA_TYPE_SERIES_INFO (lacuna_series_info_get_type ())
G_DECLARE_FINAL_TYPE (LacunaSeriesInfo, lacuna_series_info, LACUNA, SERIES_INFO, GObject)

struct _LacunaSeriesInfo
{
  GObject       parent_instance;
  GdkPaintable *thumbnail;      /* a GdkTexture, in device pixels */
  GdkPaintable *shown;          /* the same, sized in logical pixels */
  int           n_identifying;
  /* What the expensive checks found (_lacuna_study_browser_set_series_findings). */
  guint         n_burned_in;
  guint         n_faces;
  guint         n_body_composition;
};

G_DEFINE_FINAL_TYPE (LacunaSeriesInfo, lacuna_series_info, G_TYPE_OBJECT)

static guint info_changed_signal;

static void
lacuna_series_info_finalize (GObject *object)
{
  LacunaSeriesInfo *self = (LacunaSeriesInfo *) object;

  g_clear_object (&self->thumbnail);
  g_clear_object (&self->shown);
  G_OBJECT_CLASS (lacuna_series_info_parent_class)->finalize (object);
}

static void
lacuna_series_info_class_init (LacunaSeriesInfoClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lacuna_series_info_finalize;
  info_changed_signal = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                      0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
lacuna_series_info_init (LacunaSeriesInfo *self)
{
  self->n_identifying = -1;
}

/* ------------------------------------------------------------------------------------- */

struct _LacunaStudyBrowser
{
  GtkWidget           parent_instance;

  GtkWidget          *box;
  GtkRevealer        *notice;
  GtkLabel           *notice_label;
  GtkBox             *notice_buttons;
  GtkListView        *list_view;

  LacunaCollection   *collection;
  GtkTreeListModel   *tree;
  GtkSingleSelection *tree_selection;
  GtkSingleSelection *series_selection;   /* the window's */
  GHashTable         *infos;              /* LacunaSeries → LacunaSeriesInfo */
  GListModel         *findings;           /* LacunaFinding, followed */
  guint               findings_id;        /* coalesces the findings' changes */
  GCancellable       *cancellable;
  int                 thumbnail_scale;    /* the scale factor the thumbnails are made at */
  guint               serial;
  gboolean            busy;
  guint               start_id;      /* the thumbnails wait for the image view's first frame */
  gboolean            syncing;
  char               *notice_text;
};

G_DEFINE_FINAL_TYPE (LacunaStudyBrowser, lacuna_study_browser, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_BUSY, N_PROPS };
static GParamSpec *properties[N_PROPS];

static LacunaSeriesInfo *
ensure_info (LacunaStudyBrowser *self,
             LacunaSeries       *series)
{
  LacunaSeriesInfo *info = g_hash_table_lookup (self->infos, series);

  if (info == NULL)
    {
      info = g_object_new (LACUNA_TYPE_SERIES_INFO, NULL);
      g_hash_table_insert (self->infos, g_object_ref (series), info);
    }
  return info;
}

/* ------------------------------------------------------------------------------------- */
/* Background: thumbnails and identifying elements                                       */

/* Shared by the worker and its results; only the main thread resolves the weak reference
 * (the last reference to a widget must never be dropped in a worker). */
typedef struct
{
  gatomicrefcount ref_count;
  GWeakRef        browser;
  guint           serial;
  int             size;       /* of a thumbnail's longer side, in device pixels */
  GPtrArray      *series;     /* LacunaSeries */
} Job;

typedef struct
{
  Job          *job;
  LacunaSeries *series;       /* NULL: the job is done */
  GdkTexture   *texture;
  int           n_identifying;
} Result;

static Job *
job_ref (Job *job)
{
  g_atomic_ref_count_inc (&job->ref_count);
  return job;
}

static void
job_unref (gpointer data)
{
  Job *job = data;

  if (!g_atomic_ref_count_dec (&job->ref_count))
    return;
  g_weak_ref_clear (&job->browser);
  g_clear_pointer (&job->series, g_ptr_array_unref);
  g_free (job);
}

static void
result_free (gpointer data)
{
  Result *result = data;

  g_clear_pointer (&result->job, job_unref);
  g_clear_object (&result->series);
  g_clear_object (&result->texture);
  g_free (result);
}

static gboolean
deliver_result (gpointer data)
{
  Result *result = data;
  g_autoptr(LacunaStudyBrowser) self = g_weak_ref_get (&result->job->browser);
  LacunaSeriesInfo *info;

  if (self == NULL || self->serial != result->job->serial)
    return G_SOURCE_REMOVE;

  if (result->series == NULL)
    {
      self->busy = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
      return G_SOURCE_REMOVE;
    }

  info = ensure_info (self, result->series);
  g_set_object (&info->thumbnail, GDK_PAINTABLE (result->texture));
  g_clear_object (&info->shown);
  if (result->texture != NULL)
    info->shown = lacuna_thumbnail_paintable_new (result->texture);
  info->n_identifying = result->n_identifying;
  g_signal_emit (info, info_changed_signal, 0);
  return G_SOURCE_REMOVE;
}

/* A copy of frame, scaled to fit size × size device pixels (in the worker thread). */
static GdkTexture *
make_thumbnail (LacunaFrame *frame,
                int          size)
{
  guint w = lacuna_frame_get_width (frame);
  guint h = lacuna_frame_get_height (frame);
  gboolean color = lacuna_frame_is_color (frame);
  double center, width, scale;
  gboolean uses_lut;
  g_autofree guint8 *buffer = NULL;
  cairo_surface_t *full, *small;
  cairo_t *cr;
  int tw, th;
  g_autoptr(GBytes) bytes = NULL;
  GdkTexture *texture;

  if (w == 0 || h == 0)
    return NULL;

  lacuna_frame_get_default_window (frame, &center, &width, &uses_lut);
  buffer = g_try_malloc ((gsize) w * h * (color ? 3 : 1));
  if (buffer == NULL)
    return NULL;
  if (color)
    lacuna_frame_render_rgb (frame, center, width, uses_lut, buffer, (gsize) w * 3);
  else
    lacuna_frame_render_grey (frame, center, width, uses_lut, buffer, w);

  full = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
  if (cairo_surface_status (full) != CAIRO_STATUS_SUCCESS)
    {
      cairo_surface_destroy (full);
      return NULL;
    }
  cairo_surface_flush (full);
  for (guint y = 0; y < h; y++)
    {
      guint32 *dst = (guint32 *) (gpointer) (cairo_image_surface_get_data (full)
                                             + (gsize) y * cairo_image_surface_get_stride (full));

      for (guint x = 0; x < w; x++)
        {
          if (color)
            {
              const guint8 *src = buffer + ((gsize) y * w + x) * 3;

              dst[x] = 0xff000000u | ((guint32) src[0] << 16) | ((guint32) src[1] << 8) | src[2];
            }
          else
            dst[x] = 0xff000000u | (guint32) buffer[(gsize) y * w + x] * 0x010101u;
        }
    }
  cairo_surface_mark_dirty (full);

  scale = MIN ((double) size / w, (double) size / h);
  tw = MAX (1, (int) (w * scale + 0.5));
  th = MAX (1, (int) (h * scale + 0.5));
  small = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, tw, th);
  cr = cairo_create (small);
  cairo_scale (cr, scale, scale);
  cairo_set_source_surface (cr, full, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_GOOD);
  cairo_paint (cr);
  cairo_destroy (cr);
  cairo_surface_destroy (full);
  cairo_surface_flush (small);

  bytes = g_bytes_new (cairo_image_surface_get_data (small),
                       (gsize) cairo_image_surface_get_stride (small) * th);
  texture = gdk_memory_texture_new (tw, th, GDK_MEMORY_DEFAULT, bytes,
                                    cairo_image_surface_get_stride (small));
  cairo_surface_destroy (small);
  return texture;
}

static void
examine_series (LacunaSeries  *series,
                int            size,
                GdkTexture   **out_texture,
                int           *out_n_identifying)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (series));
  g_autoptr(LacunaInstance) instance = NULL;
  g_autoptr(LacunaDicomFile) file = NULL;
  g_autoptr(GPtrArray) values = NULL;

  *out_texture = NULL;
  *out_n_identifying = -1;
  if (n == 0)
    return;

  /* The middle image tells more than the first (often a localizer's edge). */
  for (guint k = 0; k < n && instance == NULL; k++)
    {
      g_autoptr(LacunaInstance) candidate = g_list_model_get_item (G_LIST_MODEL (series),
                                                                   (n / 2 + k) % n);

      if (lacuna_instance_has_pixels (candidate))
        instance = g_steal_pointer (&candidate);
    }
  if (instance == NULL)
    instance = g_list_model_get_item (G_LIST_MODEL (series), 0);

  file = lacuna_instance_open (instance, NULL);
  if (file == NULL)
    return;

  values = lacuna_identity_collect (file, LACUNA_IDENTITY_COLLECT_DEFAULT);
  *out_n_identifying = values ? (int) values->len : 0;

  if (lacuna_instance_has_pixels (instance))
    {
      guint n_frames = MAX (lacuna_instance_get_n_frames (instance), 1);
      g_autoptr(LacunaFrame) frame = lacuna_frame_decode (file, n_frames / 2, NULL);

      if (frame != NULL)
        *out_texture = make_thumbnail (frame, size);
    }
}

static void
background_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  Job *job = task_data;
  Result *done;

  for (guint i = 0; i < job->series->len; i++)
    {
      LacunaSeries *series = g_ptr_array_index (job->series, i);
      Result *result;

      if (g_cancellable_is_cancelled (cancellable))
        return;

      result = g_new0 (Result, 1);
      result->job = job_ref (job);
      examine_series (series, job->size, &result->texture, &result->n_identifying);
      result->series = g_object_ref (series);
      g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, deliver_result, result, result_free);
    }

  done = g_new0 (Result, 1);
  done->job = job_ref (job);
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, deliver_result, done, result_free);
  g_task_return_boolean (task, TRUE);
}

static gboolean
run_background_idle (gpointer data)
{
  GTask *task = data;
  Job *job = g_task_get_task_data (task);
  g_autoptr(LacunaStudyBrowser) self = g_weak_ref_get (&job->browser);

  /* The scale factor is known once the browser is in a window: the thumbnails are made
   * for it (crisp at 2×), and again when it changes (scale_factor_changed_cb). */
  if (self != NULL)
    {
      self->start_id = 0;
      self->thumbnail_scale = MAX (gtk_widget_get_scale_factor (GTK_WIDGET (self)), 1);
      job->size = THUMBNAIL_SIZE * self->thumbnail_scale;
    }
  g_task_run_in_thread (task, background_thread);
  return G_SOURCE_REMOVE;
}

static void
stop_background (LacunaStudyBrowser *self)
{
  g_clear_handle_id (&self->start_id, g_source_remove);
  self->serial++;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->busy)
    {
      self->busy = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
    }
}

static void
start_background (LacunaStudyBrowser *self)
{
  g_autoptr(GListModel) all = lacuna_collection_list_series (self->collection);
  g_autoptr(GTask) task = NULL;
  Job *job;
  guint n = MIN (g_list_model_get_n_items (all), MAX_BACKGROUND_SERIES);

  job = g_new0 (Job, 1);
  g_atomic_ref_count_init (&job->ref_count);
  g_weak_ref_init (&job->browser, self);
  job->serial = self->serial;
  job->size = THUMBNAIL_SIZE;
  job->series = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (job->series, g_list_model_get_item (all, i));

  self->cancellable = g_cancellable_new ();
  self->busy = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);

  task = g_task_new (NULL, self->cancellable, NULL, NULL);
  g_task_set_source_tag (task, start_background);
  g_task_set_task_data (task, job, job_unref);
  /* Decoding thumbnails must not compete with the first image of a study being opened:
   * they start once nothing more urgent (the frame being painted included) is pending. */
  self->start_id = g_idle_add_full (G_PRIORITY_LOW, run_background_idle,
                                    g_steal_pointer (&task), g_object_unref);
}

/* ------------------------------------------------------------------------------------- */
/* Rows                                                                                  */

typedef struct
{
  GtkWidget        *expander;
  GtkWidget        *picture;
  GtkWidget        *modality;
  GtkWidget        *title;
  GtkWidget        *subtitle;
  GtkWidget        *badge;
  GtkWidget        *badge_label;
  LacunaSeriesInfo *info;
  gulong            handler;
} Row;

static void
row_free (gpointer data)
{
  Row *row = data;

  if (row->info != NULL)
    g_clear_signal_handler (&row->handler, row->info);
  g_clear_object (&row->info);
  g_free (row);
}

static void
row_setup (GtkSignalListItemFactory *factory,
           GtkListItem              *item)
{
  Row *row = g_new0 (Row, 1);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *icon;

  row->expander = gtk_tree_expander_new ();
  row->picture = gtk_picture_new ();
  gtk_widget_set_size_request (row->picture, THUMBNAIL_SIZE, THUMBNAIL_SIZE);
  gtk_picture_set_can_shrink (GTK_PICTURE (row->picture), TRUE);
  gtk_widget_add_css_class (row->picture, "series-thumbnail");
  gtk_widget_set_valign (row->picture, GTK_ALIGN_CENTER);

  row->modality = gtk_label_new (NULL);
  gtk_widget_add_css_class (row->modality, "modality");
  gtk_widget_set_valign (row->modality, GTK_ALIGN_CENTER);
  gtk_label_set_width_chars (GTK_LABEL (row->modality), 4);
  gtk_label_set_max_width_chars (GTK_LABEL (row->modality), 4);
  gtk_label_set_ellipsize (GTK_LABEL (row->modality), PANGO_ELLIPSIZE_END);

  row->title = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (row->title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (row->title), PANGO_ELLIPSIZE_END);
  row->subtitle = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (row->subtitle), 0);
  gtk_label_set_ellipsize (GTK_LABEL (row->subtitle), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (row->subtitle, "caption");
  gtk_widget_add_css_class (row->subtitle, "dim-label");
  gtk_box_append (GTK_BOX (labels), row->title);
  gtk_box_append (GTK_BOX (labels), row->subtitle);
  gtk_widget_set_valign (labels, GTK_ALIGN_CENTER);
  gtk_widget_set_hexpand (labels, TRUE);

  /* The badge, a line of its own under the subtitle: "12 identifying · 2 burned-in · face".
   * Not colour alone: an icon and words, and the same in full sentences for the tooltip and
   * screen readers. */
  row->badge = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  icon = gtk_image_new_from_icon_name ("avatar-default-symbolic");
  gtk_widget_set_valign (icon, GTK_ALIGN_START);
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
  row->badge_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (row->badge_label), 0);
  gtk_label_set_wrap (GTK_LABEL (row->badge_label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (row->badge_label), PANGO_WRAP_WORD);
  gtk_label_set_lines (GTK_LABEL (row->badge_label), 3);
  gtk_label_set_ellipsize (GTK_LABEL (row->badge_label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (row->badge_label, "numeric");
  gtk_widget_add_css_class (row->badge_label, "caption");
  gtk_box_append (GTK_BOX (row->badge), icon);
  gtk_box_append (GTK_BOX (row->badge), row->badge_label);
  gtk_widget_add_css_class (row->badge, "identifying-badge");
  gtk_box_append (GTK_BOX (labels), row->badge);

  gtk_box_append (GTK_BOX (box), row->picture);
  gtk_box_append (GTK_BOX (box), row->modality);
  gtk_box_append (GTK_BOX (box), labels);
  gtk_widget_set_margin_top (box, 4);
  gtk_widget_set_margin_bottom (box, 4);
  gtk_tree_expander_set_child (GTK_TREE_EXPANDER (row->expander), box);

  g_object_set_data_full (G_OBJECT (item), "lacuna-row", row, row_free);
  gtk_list_item_set_child (item, row->expander);
}

static gboolean
info_has_badge (LacunaSeriesInfo *info)
{
  return info != NULL
         && (info->n_identifying >= 0 || info->n_burned_in > 0 || info->n_faces > 0
             || info->n_body_composition > 0);
}

/* The badge's short text: "12 identifying · 2 burned-in · face". */
static char *
dup_badge_text (LacunaSeriesInfo *info)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  if (info->n_identifying >= 0)
    /* Translators: on a series' badge: how many header elements identify the patient */
    g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d identifying",
                                                          "%d identifying",
                                                          info->n_identifying),
                                             info->n_identifying));
  if (info->n_burned_in > 0)
    /* Translators: on a series' badge: how many lines of text are burned into its images */
    g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u burned-in",
                                                          "%u burned-in", info->n_burned_in),
                                             info->n_burned_in));
  if (info->n_faces == 1)
    /* Translators: on a series' badge: a face was detected */
    g_ptr_array_add (parts, g_strdup (C_("badge", "face")));
  else if (info->n_faces > 1)
    /* Translators: on a series' badge: how many faces were detected */
    g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u faces",
                                                          "%u faces", info->n_faces),
                                             info->n_faces));
  if (info->n_body_composition > 0)
    /* Translators: on a series' badge: body composition was measured on a slice */
    g_ptr_array_add (parts, g_strdup (C_("badge", "body composition")));

  /* The badge wraps between its parts, never inside one ("2 burned-in" stays whole). */
  for (guint i = 0; i < parts->len; i++)
    {
      GString *part = g_string_new (g_ptr_array_index (parts, i));

      g_string_replace (part, " ", "\u00a0", 0);
      g_free (g_ptr_array_index (parts, i));
      g_ptr_array_index (parts, i) = g_string_free (part, FALSE);
    }
  g_ptr_array_add (parts, NULL);
  return g_strjoinv ("\u00a0· ", (char **) parts->pdata);
}

/* The same in words, one sentence per line, for the tooltip and screen readers. */
static char *
dup_badge_description (LacunaSeriesInfo *info)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  if (info->n_identifying >= 0)
    g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                          "%d identifying element in the header",
                                                          "%d identifying elements in the header",
                                                          info->n_identifying),
                                             info->n_identifying));
  if (info->n_burned_in > 0)
    g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                          "%u line of text burned into the images",
                                                          "%u lines of text burned into the images",
                                                          info->n_burned_in),
                                             info->n_burned_in));
  if (info->n_faces > 0)
    g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                          "A standard detector found %u face",
                                                          "A standard detector found %u faces",
                                                          info->n_faces),
                                             info->n_faces));
  if (info->n_body_composition > 0)
    g_ptr_array_add (parts, g_strdup (_("Body composition was measured on a slice")));
  g_ptr_array_add (parts, NULL);
  return g_strjoinv ("\n", (char **) parts->pdata);
}

static void
update_series_info (Row *row)
{
  LacunaSeriesInfo *info = row->info;
  g_autofree char *text = NULL;
  g_autofree char *description = NULL;

  gtk_picture_set_paintable (GTK_PICTURE (row->picture), info ? info->shown : NULL);
  gtk_widget_set_visible (row->badge, info_has_badge (info));
  if (!info_has_badge (info))
    return;

  text = dup_badge_text (info);
  description = dup_badge_description (info);
  gtk_label_set_text (GTK_LABEL (row->badge_label), text);
  gtk_widget_set_tooltip_text (row->badge, description);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row->badge),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, description, -1);
  if (info->n_identifying > 0 || info->n_burned_in > 0 || info->n_faces > 0
      || info->n_body_composition > 0)
    gtk_widget_add_css_class (row->badge, "warning");
  else
    gtk_widget_remove_css_class (row->badge, "warning");
}

static char *
images_text (guint n_frames)
{
  if (n_frames == 0)
    return g_strdup (_("No images"));
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u image", "%u images", n_frames),
                          n_frames);
}

static void
bind_series (LacunaStudyBrowser *self,
             Row                *row,
             LacunaSeries       *series)
{
  const char *description = lacuna_series_get_description (series);
  const char *mod = lacuna_series_get_modality (series);
  int number = lacuna_series_get_number (series);
  g_autofree char *images = images_text (lacuna_series_get_n_frames (series));

  gtk_label_set_text (GTK_LABEL (row->modality), mod && *mod ? mod : "?");
  gtk_widget_set_tooltip_text (row->modality, mod && *mod ? mod : NULL);
  gtk_label_set_text (GTK_LABEL (row->title),
                      description && *description ? description : _("No description"));
  if (number != G_MININT)
    {
      /* Translators: "64 images · Series 3" */
      g_autofree char *text = g_strdup_printf (_("%s · Series %d"), images, number);

      gtk_label_set_text (GTK_LABEL (row->subtitle), text);
    }
  else
    gtk_label_set_text (GTK_LABEL (row->subtitle), images);

  row->info = g_object_ref (ensure_info (self, series));
  row->handler = g_signal_connect_swapped (row->info, "changed",
                                           G_CALLBACK (update_series_info), row);
  update_series_info (row);
}

static void
row_bind (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          LacunaStudyBrowser       *self)
{
  Row *row = g_object_get_data (G_OBJECT (item), "lacuna-row");
  GtkTreeListRow *list_row = gtk_list_item_get_item (item);
  g_autoptr(GObject) object = gtk_tree_list_row_get_item (list_row);
  gboolean is_series = LACUNA_IS_SERIES (object);

  gtk_tree_expander_set_list_row (GTK_TREE_EXPANDER (row->expander), list_row);
  gtk_list_item_set_selectable (item, is_series);
  gtk_list_item_set_activatable (item, is_series);
  gtk_widget_set_visible (row->picture, is_series);
  gtk_widget_set_visible (row->modality, is_series);
  gtk_widget_set_visible (row->badge, FALSE);
  gtk_widget_remove_css_class (row->title, "heading");
  gtk_widget_remove_css_class (row->title, "dim-label");

  if (is_series)
    bind_series (self, row, LACUNA_SERIES (object));
  else if (LACUNA_IS_PATIENT (object))
    {
      const char *name = lacuna_patient_get_name (LACUNA_PATIENT (object));
      const char *id = lacuna_patient_get_id (LACUNA_PATIENT (object));
      guint n = g_list_model_get_n_items (G_LIST_MODEL (object));
      g_autofree char *studies = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u study",
                                                               "%u studies", n), n);
      g_autofree char *subtitle = NULL;

      gtk_label_set_text (GTK_LABEL (row->title),
                          name && *name ? name : _("Patient without a name"));
      gtk_widget_add_css_class (row->title, "heading");
      /* Translators: "ID 12345 · 2 studies" */
      subtitle = id && *id ? g_strdup_printf (_("ID %s · %s"), id, studies) : g_strdup (studies);
      gtk_label_set_text (GTK_LABEL (row->subtitle), subtitle);
    }
  else if (LACUNA_IS_STUDY (object))
    {
      const char *description = lacuna_study_get_description (LACUNA_STUDY (object));
      const char *date = lacuna_study_get_date (LACUNA_STUDY (object));
      guint n = g_list_model_get_n_items (G_LIST_MODEL (object));
      g_autofree char *series = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u series",
                                                              "%u series", n), n);
      g_autofree char *subtitle = NULL;

      gtk_label_set_text (GTK_LABEL (row->title),
                          description && *description ? description : _("Study without a description"));
      if (date != NULL && strlen (date) == 8)
        /* Translators: a study's date (YYYY-MM-DD) and its number of series */
        subtitle = g_strdup_printf (_("%.4s-%.2s-%.2s · %s"), date, date + 4, date + 6, series);
      else
        subtitle = g_strdup (series);
      gtk_label_set_text (GTK_LABEL (row->subtitle), subtitle);
    }
}

static void
row_unbind (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            LacunaStudyBrowser       *self)
{
  Row *row = g_object_get_data (G_OBJECT (item), "lacuna-row");

  if (row->info != NULL)
    g_clear_signal_handler (&row->handler, row->info);
  g_clear_object (&row->info);
  gtk_picture_set_paintable (GTK_PICTURE (row->picture), NULL);
  gtk_tree_expander_set_list_row (GTK_TREE_EXPANDER (row->expander), NULL);
}

static GListModel *
create_child_model (gpointer item,
                    gpointer user_data)
{
  if (LACUNA_IS_SERIES (item))
    return NULL;
  return g_object_ref (G_LIST_MODEL (item));
}

/* ------------------------------------------------------------------------------------- */
/* Selection, both ways                                                                  */

static void
tree_selection_changed_cb (LacunaStudyBrowser *self)
{
  GtkTreeListRow *list_row = gtk_single_selection_get_selected_item (self->tree_selection);
  g_autoptr(GObject) object = NULL;
  GListModel *model;
  guint n;

  if (self->syncing || list_row == NULL || self->series_selection == NULL)
    return;
  object = gtk_tree_list_row_get_item (list_row);
  if (!LACUNA_IS_SERIES (object))
    return;

  model = gtk_single_selection_get_model (self->series_selection);
  n = model ? g_list_model_get_n_items (model) : 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) series = g_list_model_get_item (model, i);

      if (series == object)
        {
          self->syncing = TRUE;
          gtk_single_selection_set_selected (self->series_selection, i);
          self->syncing = FALSE;
          break;
        }
    }
}

static void
series_selection_changed_cb (LacunaStudyBrowser *self)
{
  gpointer series;
  GListModel *rows = G_LIST_MODEL (self->tree_selection);
  guint n;

  if (self->syncing || self->series_selection == NULL)
    return;
  series = gtk_single_selection_get_selected_item (self->series_selection);
  if (series == NULL)
    return;

  n = g_list_model_get_n_items (rows);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GtkTreeListRow) list_row = g_list_model_get_item (rows, i);

      g_autoptr(GObject) object = gtk_tree_list_row_get_item (list_row);

      if (object == series)
        {
          self->syncing = TRUE;
          gtk_single_selection_set_selected (self->tree_selection, i);
          self->syncing = FALSE;
          return;
        }
    }
}

/* ------------------------------------------------------------------------------------- */
/* Several patients                                                                      */

static void
update_notice (LacunaStudyBrowser *self)
{
  guint n = self->collection ? g_list_model_get_n_items (G_LIST_MODEL (self->collection)) : 0;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->notice_buttons))) != NULL)
    gtk_box_remove (self->notice_buttons, child);
  g_clear_pointer (&self->notice_text, g_free);

  if (n < 2)
    {
      gtk_revealer_set_reveal_child (self->notice, FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->notice), FALSE);
      return;
    }

  self->notice_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                    "This folder holds %u patient",
                                                    "This folder holds %u patients", n),
                                       n);
  gtk_label_set_text (self->notice_label, self->notice_text);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LacunaPatient) patient = g_list_model_get_item (G_LIST_MODEL (self->collection), i);
      const char *name = lacuna_patient_get_name (patient);
      GtkWidget *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      GtkWidget *label;
      GtkWidget *button;
      g_autofree char *fallback = NULL;
      g_autofree char *target = g_strdup_printf ("%u", i);
      g_autofree char *a11y = NULL;

      if (name == NULL || *name == '\0')
        /* Translators: a patient without a name, by position: "Patient 2" */
        name = fallback = g_strdup_printf (_("Patient %u"), i + 1);
      label = gtk_label_new (name);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_widget_set_hexpand (label, TRUE);
      button = gtk_button_new_with_mnemonic (_("_Export This Patient…"));
      gtk_widget_add_css_class (button, "flat");
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "win.export-patient");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", target);
      /* Translators: accessible name of the button that exports one patient: "Export Patient 2" */
      a11y = g_strdup_printf (_("Export Patient %u"), i + 1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
      gtk_box_append (GTK_BOX (line), label);
      gtk_box_append (GTK_BOX (line), button);
      gtk_box_append (self->notice_buttons, line);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->notice), TRUE);
  gtk_revealer_set_reveal_child (self->notice, TRUE);
}

/* ------------------------------------------------------------------------------------- */
/* Findings of the expensive checks                                                      */

typedef struct
{
  guint n_burned_in;
  guint n_faces;
  guint n_body_composition;
} Counts;

static gboolean
set_counts (LacunaStudyBrowser *self,
            LacunaSeries       *series,
            const Counts       *counts)
{
  LacunaSeriesInfo *info = ensure_info (self, series);

  if (info->n_burned_in == counts->n_burned_in && info->n_faces == counts->n_faces
      && info->n_body_composition == counts->n_body_composition)
    return FALSE;
  info->n_burned_in = counts->n_burned_in;
  info->n_faces = counts->n_faces;
  info->n_body_composition = counts->n_body_composition;
  g_signal_emit (info, info_changed_signal, 0);
  return TRUE;
}

/* Adds finding to counts; FALSE when its kind is not one the badge shows. */
static gboolean
count_finding (Counts        *counts,
               LacunaFinding *finding)
{
  const char *kind = lacuna_finding_get_kind (finding);

  if (g_strcmp0 (kind, "burned-in-text") == 0)
    counts->n_burned_in++;
  else if (g_strcmp0 (kind, "face") == 0)
    counts->n_faces++;
  else if (g_strcmp0 (kind, "body-composition") == 0)
    counts->n_body_composition++;
  else
    return FALSE;
  return TRUE;
}

void
_lacuna_study_browser_set_series_findings (LacunaStudyBrowser *self,
                                           LacunaSeries       *series,
                                           GPtrArray          *findings)
{
  Counts counts = { 0, };

  g_return_if_fail (LACUNA_IS_STUDY_BROWSER (self));
  g_return_if_fail (LACUNA_IS_SERIES (series));

  for (guint i = 0; findings != NULL && i < findings->len; i++)
    count_finding (&counts, g_ptr_array_index (findings, i));
  set_counts (self, series, &counts);
}

/* Every series of the collection gets the counts of its findings in self->findings,
 * matched by SOP Instance UID (each finding the badge shows names its instance). */
static gboolean
apply_findings (gpointer data)
{
  LacunaStudyBrowser *self = data;
  g_autoptr(GListModel) all = NULL;
  g_autoptr(GHashTable) by_uid = NULL;     /* Series Instance UID → LacunaSeries */
  g_autoptr(GHashTable) counts = NULL;     /* LacunaSeries → Counts */
  guint n_findings;

  self->findings_id = 0;
  if (self->collection == NULL)
    return G_SOURCE_REMOVE;

  all = lacuna_collection_list_series (self->collection);
  by_uid = g_hash_table_new (g_str_hash, g_str_equal);
  counts = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  for (guint i = 0; i < g_list_model_get_n_items (all); i++)
    {
      LacunaSeries *series = g_list_model_get_item (all, i);
      const char *uid = lacuna_series_get_uid (series);

      if (uid != NULL && !g_hash_table_contains (by_uid, uid))
        g_hash_table_insert (by_uid, (gpointer) uid, series);
      g_hash_table_insert (counts, series, g_new0 (Counts, 1));
      g_object_unref (series);   /* all holds it */
    }

  n_findings = self->findings != NULL ? g_list_model_get_n_items (self->findings) : 0;
  for (guint i = 0; i < n_findings; i++)
    {
      g_autoptr(LacunaFinding) finding = g_list_model_get_item (self->findings, i);
      const char *sop = lacuna_finding_get_sop_instance_uid (finding);
      LacunaInstance *instance;
      LacunaSeries *series;
      Counts scratch = { 0, };

      if (sop == NULL || !count_finding (&scratch, finding))
        continue;
      instance = lacuna_collection_find_instance (self->collection, sop);
      if (instance == NULL)
        continue;
      series = g_hash_table_lookup (by_uid, lacuna_instance_get_series_uid (instance));
      if (series != NULL)
        count_finding (g_hash_table_lookup (counts, series), finding);
    }

  {
    GHashTableIter iter;
    gpointer key, value;

    g_hash_table_iter_init (&iter, counts);
    while (g_hash_table_iter_next (&iter, &key, &value))
      set_counts (self, key, value);
  }
  return G_SOURCE_REMOVE;
}

static void
findings_changed_cb (LacunaStudyBrowser *self)
{
  /* A check adds its findings in one go, a new collection removes them one by one. */
  if (self->findings_id == 0)
    self->findings_id = g_idle_add (apply_findings, self);
}

void
lacuna_study_browser_set_findings (LacunaStudyBrowser *self,
                                   GListModel         *findings)
{
  g_return_if_fail (LACUNA_IS_STUDY_BROWSER (self));
  g_return_if_fail (findings == NULL || G_IS_LIST_MODEL (findings));

  if (self->findings == findings)
    return;
  if (self->findings != NULL)
    g_signal_handlers_disconnect_by_data (self->findings, self);
  g_set_object (&self->findings, findings);
  if (findings != NULL)
    g_signal_connect_object (findings, "items-changed", G_CALLBACK (findings_changed_cb),
                             self, G_CONNECT_SWAPPED);
  findings_changed_cb (self);
}

char *
lacuna_study_browser_dup_badge_text (LacunaStudyBrowser *self,
                                     LacunaSeries       *series)
{
  LacunaSeriesInfo *info;

  g_return_val_if_fail (LACUNA_IS_STUDY_BROWSER (self), NULL);

  info = g_hash_table_lookup (self->infos, series);
  return info_has_badge (info) ? dup_badge_text (info) : NULL;
}

char *
lacuna_study_browser_dup_badge_description (LacunaStudyBrowser *self,
                                            LacunaSeries       *series)
{
  LacunaSeriesInfo *info;

  g_return_val_if_fail (LACUNA_IS_STUDY_BROWSER (self), NULL);

  info = g_hash_table_lookup (self->infos, series);
  return info_has_badge (info) ? dup_badge_description (info) : NULL;
}

/* Thumbnails made for another scale factor are made again (a window moved to a HiDPI
 * monitor); the old ones stay until the new ones arrive. */
static void
scale_factor_changed_cb (LacunaStudyBrowser *self)
{
  int scale = MAX (gtk_widget_get_scale_factor (GTK_WIDGET (self)), 1);

  if (self->collection == NULL || self->start_id != 0 || scale == self->thumbnail_scale)
    return;
  stop_background (self);
  start_background (self);
}

/* ------------------------------------------------------------------------------------- */

void
lacuna_study_browser_set_collection (LacunaStudyBrowser *self,
                                     LacunaCollection   *collection)
{
  g_return_if_fail (LACUNA_IS_STUDY_BROWSER (self));
  g_return_if_fail (collection == NULL || LACUNA_IS_COLLECTION (collection));

  if (self->collection == collection)
    return;

  stop_background (self);
  g_set_object (&self->collection, collection);
  g_hash_table_remove_all (self->infos);

  g_clear_object (&self->tree);
  if (collection != NULL)
    self->tree = gtk_tree_list_model_new (g_object_ref (G_LIST_MODEL (collection)), FALSE, TRUE,
                                          create_child_model, NULL, NULL);
  self->syncing = TRUE;
  gtk_single_selection_set_model (self->tree_selection, G_LIST_MODEL (self->tree));
  self->syncing = FALSE;

  update_notice (self);
  if (collection != NULL)
    {
      start_background (self);
      series_selection_changed_cb (self);
    }
  /* The findings of the old collection are gone, or about to be. */
  findings_changed_cb (self);
}

void
lacuna_study_browser_set_series_selection (LacunaStudyBrowser *self,
                                           GtkSingleSelection *selection)
{
  g_return_if_fail (LACUNA_IS_STUDY_BROWSER (self));

  if (self->series_selection != NULL)
    g_signal_handlers_disconnect_by_data (self->series_selection, self);
  g_set_object (&self->series_selection, selection);
  if (selection != NULL)
    g_signal_connect_object (selection, "notify::selected-item",
                             G_CALLBACK (series_selection_changed_cb), self, G_CONNECT_SWAPPED);
}

GListModel *
lacuna_study_browser_get_rows (LacunaStudyBrowser *self)
{
  g_return_val_if_fail (LACUNA_IS_STUDY_BROWSER (self), NULL);

  return G_LIST_MODEL (self->tree_selection);
}

GtkListView *
lacuna_study_browser_get_list_view (LacunaStudyBrowser *self)
{
  g_return_val_if_fail (LACUNA_IS_STUDY_BROWSER (self), NULL);

  return self->list_view;
}

gboolean
lacuna_study_browser_get_busy (LacunaStudyBrowser *self)
{
  g_return_val_if_fail (LACUNA_IS_STUDY_BROWSER (self), FALSE);

  return self->busy;
}

GdkPaintable *
lacuna_study_browser_get_thumbnail (LacunaStudyBrowser *self,
                                    LacunaSeries       *series)
{
  LacunaSeriesInfo *info;

  g_return_val_if_fail (LACUNA_IS_STUDY_BROWSER (self), NULL);

  info = g_hash_table_lookup (self->infos, series);
  return info ? info->thumbnail : NULL;
}

int
lacuna_study_browser_get_n_identifying (LacunaStudyBrowser *self,
                                        LacunaSeries       *series)
{
  LacunaSeriesInfo *info;

  g_return_val_if_fail (LACUNA_IS_STUDY_BROWSER (self), -1);

  info = g_hash_table_lookup (self->infos, series);
  return info ? info->n_identifying : -1;
}

gboolean
lacuna_study_browser_get_notice_shown (LacunaStudyBrowser *self)
{
  g_return_val_if_fail (LACUNA_IS_STUDY_BROWSER (self), FALSE);

  return gtk_revealer_get_reveal_child (self->notice);
}

const char *
lacuna_study_browser_get_notice_text (LacunaStudyBrowser *self)
{
  g_return_val_if_fail (LACUNA_IS_STUDY_BROWSER (self), NULL);

  return self->notice_text;
}

GtkWidget *
lacuna_study_browser_new (void)
{
  return g_object_new (LACUNA_TYPE_STUDY_BROWSER, NULL);
}

static void
lacuna_study_browser_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  LacunaStudyBrowser *self = LACUNA_STUDY_BROWSER (object);

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
lacuna_study_browser_dispose (GObject *object)
{
  LacunaStudyBrowser *self = (LacunaStudyBrowser *) object;

  g_clear_handle_id (&self->start_id, g_source_remove);
  g_clear_handle_id (&self->findings_id, g_source_remove);
  self->serial++;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  lacuna_study_browser_set_series_selection (self, NULL);
  if (self->findings != NULL)
    g_signal_handlers_disconnect_by_data (self->findings, self);
  g_clear_object (&self->findings);
  g_clear_pointer (&self->box, gtk_widget_unparent);
  g_clear_object (&self->tree_selection);
  g_clear_object (&self->tree);
  g_clear_object (&self->collection);
  g_clear_pointer (&self->infos, g_hash_table_unref);
  g_clear_pointer (&self->notice_text, g_free);

  G_OBJECT_CLASS (lacuna_study_browser_parent_class)->dispose (object);
}

static void
lacuna_study_browser_class_init (LacunaStudyBrowserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = lacuna_study_browser_get_property;
  object_class->dispose = lacuna_study_browser_dispose;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "lacuna-study-browser");
}

static void
lacuna_study_browser_init (LacunaStudyBrowser *self)
{
  g_autoptr(GtkListItemFactory) factory = NULL;
  GtkWidget *scrolled;
  GtkWidget *notice_box;

  self->infos = g_hash_table_new_full (g_direct_hash, g_direct_equal, g_object_unref,
                                       g_object_unref);
  self->thumbnail_scale = 1;
  g_signal_connect (self, "notify::scale-factor", G_CALLBACK (scale_factor_changed_cb), NULL);

  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  /* The several-patients notice, above the tree. */
  notice_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_add_css_class (notice_box, "patients-notice");
  gtk_widget_set_margin_start (notice_box, 12);
  gtk_widget_set_margin_end (notice_box, 12);
  gtk_widget_set_margin_top (notice_box, 12);
  gtk_widget_set_margin_bottom (notice_box, 6);
  self->notice_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->notice_label, 0);
  gtk_label_set_wrap (self->notice_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->notice_label), "heading");
  gtk_box_append (GTK_BOX (notice_box), GTK_WIDGET (self->notice_label));
  {
    GtkWidget *hint = gtk_label_new (_("Export each patient on their own, so that no one receives another patient’s images."));

    gtk_label_set_xalign (GTK_LABEL (hint), 0);
    gtk_label_set_wrap (GTK_LABEL (hint), TRUE);
    gtk_widget_add_css_class (hint, "caption");
    gtk_box_append (GTK_BOX (notice_box), hint);
  }
  self->notice_buttons = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 0));
  gtk_box_append (GTK_BOX (notice_box), GTK_WIDGET (self->notice_buttons));
  self->notice = GTK_REVEALER (gtk_revealer_new ());
  gtk_revealer_set_transition_type (self->notice, GTK_REVEALER_TRANSITION_TYPE_SLIDE_DOWN);
  gtk_revealer_set_child (self->notice, notice_box);
  gtk_widget_set_visible (GTK_WIDGET (self->notice), FALSE);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->notice));

  self->tree_selection = gtk_single_selection_new (NULL);
  gtk_single_selection_set_autoselect (self->tree_selection, FALSE);
  gtk_single_selection_set_can_unselect (self->tree_selection, TRUE);
  g_signal_connect_object (self->tree_selection, "notify::selected-item",
                           G_CALLBACK (tree_selection_changed_cb), self, G_CONNECT_SWAPPED);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (row_setup), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (row_bind), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (row_unbind), self);
  self->list_view = GTK_LIST_VIEW (gtk_list_view_new (GTK_SELECTION_MODEL (g_object_ref (self->tree_selection)),
                                                      g_object_ref (factory)));
  gtk_widget_add_css_class (GTK_WIDGET (self->list_view), "navigation-sidebar");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Patients, Studies and Series"),
                                  -1);
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->list_view));
  gtk_box_append (GTK_BOX (self->box), scrolled);
}
