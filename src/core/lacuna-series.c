/* lacuna-series.c: the instances of one series, in viewing order.
 *
 * Order (lacuna_series_sort):
 *  1. Instances with geometry — an Image Position (Patient), in a series where some instance
 *     has a usable Image Orientation (Patient) — come first, ascending by their position
 *     along the slice normal. The normal (row × column direction) is the one of the first
 *     instance, in the current order, that has both position and orientation, so every
 *     instance is measured along the same axis (a localizer inside an axial series does
 *     not get its own axis). Adding instances in a fixed order (the loader does) makes
 *     this choice deterministic. The direction along the normal follows the acquisition:
 *     when, in position order, Instance Numbers fall more often than they rise, the keys
 *     are negated, so a series numbered from head to feet is shown from head to feet
 *     whatever the sign of its normal.
 *  2. Instances without geometry come after them (a secondary capture, a report, a
 *     scout without geometry): their place cannot be computed, and putting them last keeps
 *     the slices contiguous for scrolling.
 *  3. Ties (and the instances without geometry among themselves): Instance Number
 *     ascending, absent numbers last; then SOP Instance UID; then the file name, so the
 *     order never depends on the order in which files were found.
 */
#define G_LOG_DOMAIN "lacuna-series"

#include "config.h"

#include <string.h>

#include "lacuna-series.h"

struct _LacunaSeries
{
  GObject    parent_instance;

  char      *uid;
  GPtrArray *instances;   /* LacunaInstance */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LacunaSeries, lacuna_series, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_UID,
  PROP_MODALITY,
  PROP_DESCRIPTION,
  PROP_NUMBER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
lacuna_series_get_item_type (GListModel *model)
{
  return LACUNA_TYPE_INSTANCE;
}

static guint
lacuna_series_get_n_items (GListModel *model)
{
  return LACUNA_SERIES (model)->instances->len;
}

static gpointer
lacuna_series_get_item (GListModel *model,
                        guint       position)
{
  LacunaSeries *self = LACUNA_SERIES (model);

  if (position >= self->instances->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->instances, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = lacuna_series_get_item_type;
  iface->get_n_items = lacuna_series_get_n_items;
  iface->get_item = lacuna_series_get_item;
}

static void
lacuna_series_dispose (GObject *object)
{
  LacunaSeries *self = LACUNA_SERIES (object);

  if (self->instances->len > 0)
    g_ptr_array_set_size (self->instances, 0);

  G_OBJECT_CLASS (lacuna_series_parent_class)->dispose (object);
}

static void
lacuna_series_finalize (GObject *object)
{
  LacunaSeries *self = LACUNA_SERIES (object);

  g_clear_pointer (&self->instances, g_ptr_array_unref);
  g_clear_pointer (&self->uid, g_free);

  G_OBJECT_CLASS (lacuna_series_parent_class)->finalize (object);
}

static void
lacuna_series_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  LacunaSeries *self = LACUNA_SERIES (object);

  switch (prop_id)
    {
    case PROP_UID:
      g_value_set_string (value, self->uid);
      break;
    case PROP_MODALITY:
      g_value_set_string (value, lacuna_series_get_modality (self));
      break;
    case PROP_DESCRIPTION:
      g_value_set_string (value, lacuna_series_get_description (self));
      break;
    case PROP_NUMBER:
      g_value_set_int (value, lacuna_series_get_number (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lacuna_series_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  LacunaSeries *self = LACUNA_SERIES (object);

  switch (prop_id)
    {
    case PROP_UID:
      g_free (self->uid);
      self->uid = g_value_dup_string (value);
      if (self->uid == NULL)
        self->uid = g_strdup ("");
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lacuna_series_class_init (LacunaSeriesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lacuna_series_dispose;
  object_class->finalize = lacuna_series_finalize;
  object_class->get_property = lacuna_series_get_property;
  object_class->set_property = lacuna_series_set_property;

  properties[PROP_UID] =
    g_param_spec_string ("uid", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* From the first instance; no notification (they follow the instances). */
  properties[PROP_MODALITY] =
    g_param_spec_string ("modality", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DESCRIPTION] =
    g_param_spec_string ("description", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NUMBER] =
    g_param_spec_int ("number", NULL, NULL, G_MININT, G_MAXINT, G_MININT,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lacuna_series_init (LacunaSeries *self)
{
  self->instances = g_ptr_array_new_with_free_func (g_object_unref);
}

LacunaSeries *
lacuna_series_new (const char *series_uid)
{
  return g_object_new (LACUNA_TYPE_SERIES, "uid", series_uid ? series_uid : "", NULL);
}

const char *
lacuna_series_get_uid (LacunaSeries *self)
{
  g_return_val_if_fail (LACUNA_IS_SERIES (self), NULL);
  return self->uid;
}

static LacunaInstance *
first_instance (LacunaSeries *self)
{
  return self->instances->len > 0 ? g_ptr_array_index (self->instances, 0) : NULL;
}

const char *
lacuna_series_get_modality (LacunaSeries *self)
{
  g_return_val_if_fail (LACUNA_IS_SERIES (self), NULL);
  return first_instance (self) ? lacuna_instance_get_modality (first_instance (self)) : "";
}

const char *
lacuna_series_get_description (LacunaSeries *self)
{
  g_return_val_if_fail (LACUNA_IS_SERIES (self), NULL);
  return first_instance (self) ? lacuna_instance_get_series_description (first_instance (self)) : "";
}

int
lacuna_series_get_number (LacunaSeries *self)
{
  g_return_val_if_fail (LACUNA_IS_SERIES (self), G_MININT);
  return first_instance (self) ? lacuna_instance_get_series_number (first_instance (self)) : G_MININT;
}

guint
lacuna_series_get_n_frames (LacunaSeries *self)
{
  guint n = 0;

  g_return_val_if_fail (LACUNA_IS_SERIES (self), 0);

  for (guint i = 0; i < self->instances->len; i++)
    n += lacuna_instance_get_n_frames (g_ptr_array_index (self->instances, i));
  return n;
}

void
lacuna_series_add (LacunaSeries   *self,
                   LacunaInstance *instance)
{
  g_return_if_fail (LACUNA_IS_SERIES (self));
  g_return_if_fail (LACUNA_IS_INSTANCE (instance));

  g_ptr_array_add (self->instances, g_object_ref (instance));
  g_list_model_items_changed (G_LIST_MODEL (self), self->instances->len - 1, 0, 1);
}

LacunaInstance *
lacuna_series_get_instance (LacunaSeries *self,
                            guint         position)
{
  g_return_val_if_fail (LACUNA_IS_SERIES (self), NULL);

  if (position >= self->instances->len)
    return NULL;
  return g_ptr_array_index (self->instances, position);
}

typedef struct
{
  LacunaInstance *instance;
  double          key;
  gboolean        has_key;
} SortEntry;

static int
compare_int_absent_last (int a,
                         int b)
{
  if (a == b)
    return 0;
  if (a == G_MININT)
    return 1;
  if (b == G_MININT)
    return -1;
  return a < b ? -1 : 1;
}

static int
compare_entries (gconstpointer pa,
                 gconstpointer pb,
                 gpointer      user_data)
{
  const SortEntry *a = pa;
  const SortEntry *b = pb;
  int cmp;

  if (a->has_key != b->has_key)
    return a->has_key ? -1 : 1;
  if (a->has_key && a->key != b->key)
    return a->key < b->key ? -1 : 1;
  cmp = compare_int_absent_last (lacuna_instance_get_instance_number (a->instance),
                                 lacuna_instance_get_instance_number (b->instance));
  if (cmp != 0)
    return cmp;
  cmp = strcmp (lacuna_instance_get_sop_instance_uid (a->instance),
                lacuna_instance_get_sop_instance_uid (b->instance));
  if (cmp != 0)
    return cmp;
  cmp = strcmp (lacuna_instance_get_source (a->instance),
                lacuna_instance_get_source (b->instance));
  if (cmp != 0)
    return cmp;
  return g_strcmp0 (lacuna_instance_get_archive_member (a->instance),
                    lacuna_instance_get_archive_member (b->instance));
}

/* In entries sorted by position, do Instance Numbers mostly fall? */
static gboolean
instance_numbers_fall (const SortEntry *entries,
                       guint            n)
{
  int rises = 0, falls = 0, previous = G_MININT;

  for (guint i = 0; i < n && entries[i].has_key; i++)
    {
      int number = lacuna_instance_get_instance_number (entries[i].instance);

      if (number == G_MININT)
        continue;
      if (previous != G_MININT && number > previous)
        rises++;
      else if (previous != G_MININT && number < previous)
        falls++;
      previous = number;
    }
  return falls > rises;
}

void
lacuna_series_sort (LacunaSeries *self)
{
  g_autofree SortEntry *entries = NULL;
  double normal[3];
  gboolean has_normal = FALSE;
  guint n, i, first = G_MAXUINT, last = 0;

  g_return_if_fail (LACUNA_IS_SERIES (self));

  n = self->instances->len;
  if (n == 0)
    return;

  for (i = 0; i < n && !has_normal; i++)
    {
      LacunaInstance *instance = g_ptr_array_index (self->instances, i);

      if (lacuna_instance_get_position (instance, NULL))
        has_normal = lacuna_instance_get_normal (instance, normal);
    }

  entries = g_new0 (SortEntry, n);
  for (i = 0; i < n; i++)
    {
      double position[3];

      entries[i].instance = g_ptr_array_index (self->instances, i);
      if (has_normal && lacuna_instance_get_position (entries[i].instance, position))
        {
          entries[i].has_key = TRUE;
          entries[i].key = position[0] * normal[0] + position[1] * normal[1] +
                           position[2] * normal[2];
        }
    }

  /* g_qsort_with_data is a stable merge sort. */
  g_qsort_with_data (entries, (int) n, sizeof (SortEntry), compare_entries, NULL);

  if (instance_numbers_fall (entries, n))
    {
      for (i = 0; i < n; i++)
        entries[i].key = -entries[i].key;
      g_qsort_with_data (entries, (int) n, sizeof (SortEntry), compare_entries, NULL);
    }

  for (i = 0; i < n; i++)
    {
      if (g_ptr_array_index (self->instances, i) != entries[i].instance)
        {
          first = MIN (first, i);
          last = i;
          self->instances->pdata[i] = entries[i].instance;
        }
    }

  if (first != G_MAXUINT)
    g_list_model_items_changed (G_LIST_MODEL (self), first, last - first + 1, last - first + 1);
}
