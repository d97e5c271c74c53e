/* lacuna-study.c: one study, a GListModel of its series.
 *
 * Series order (lacuna_study_sort): Series Number ascending, absent numbers last; then the
 * Series Instance UID. Date and description come from the study's instances (the first one
 * in tree order), so they need no bookkeeping when instances are added.
 */
#define G_LOG_DOMAIN "lacuna-study"

#include "config.h"

#include <string.h>

#include "lacuna-study.h"

struct _LacunaStudy
{
  GObject     parent_instance;

  char       *uid;
  GPtrArray  *series;      /* LacunaSeries */
  GHashTable *by_uid;      /* uid (owned by the series) → LacunaSeries (borrowed) */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LacunaStudy, lacuna_study, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_UID,
  PROP_DATE,
  PROP_DESCRIPTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
lacuna_study_get_item_type (GListModel *model)
{
  return LACUNA_TYPE_SERIES;
}

static guint
lacuna_study_get_n_items (GListModel *model)
{
  return LACUNA_STUDY (model)->series->len;
}

static gpointer
lacuna_study_get_item (GListModel *model,
                       guint       position)
{
  LacunaStudy *self = LACUNA_STUDY (model);

  if (position >= self->series->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->series, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = lacuna_study_get_item_type;
  iface->get_n_items = lacuna_study_get_n_items;
  iface->get_item = lacuna_study_get_item;
}

static void
lacuna_study_dispose (GObject *object)
{
  LacunaStudy *self = LACUNA_STUDY (object);

  g_hash_table_remove_all (self->by_uid);
  if (self->series->len > 0)
    g_ptr_array_set_size (self->series, 0);

  G_OBJECT_CLASS (lacuna_study_parent_class)->dispose (object);
}

static void
lacuna_study_finalize (GObject *object)
{
  LacunaStudy *self = LACUNA_STUDY (object);

  g_clear_pointer (&self->by_uid, g_hash_table_unref);
  g_clear_pointer (&self->series, g_ptr_array_unref);
  g_clear_pointer (&self->uid, g_free);

  G_OBJECT_CLASS (lacuna_study_parent_class)->finalize (object);
}

static void
lacuna_study_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  LacunaStudy *self = LACUNA_STUDY (object);

  switch (prop_id)
    {
    case PROP_UID:
      g_value_set_string (value, self->uid);
      break;
    case PROP_DATE:
      g_value_set_string (value, lacuna_study_get_date (self));
      break;
    case PROP_DESCRIPTION:
      g_value_set_string (value, lacuna_study_get_description (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lacuna_study_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  LacunaStudy *self = LACUNA_STUDY (object);

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
lacuna_study_class_init (LacunaStudyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lacuna_study_dispose;
  object_class->finalize = lacuna_study_finalize;
  object_class->get_property = lacuna_study_get_property;
  object_class->set_property = lacuna_study_set_property;

  properties[PROP_UID] =
    g_param_spec_string ("uid", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DATE] =
    g_param_spec_string ("date", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DESCRIPTION] =
    g_param_spec_string ("description", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lacuna_study_init (LacunaStudy *self)
{
  self->series = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_uid = g_hash_table_new (g_str_hash, g_str_equal);
}

LacunaStudy *
lacuna_study_new (const char *study_uid)
{
  return g_object_new (LACUNA_TYPE_STUDY, "uid", study_uid ? study_uid : "", NULL);
}

const char *
lacuna_study_get_uid (LacunaStudy *self)
{
  g_return_val_if_fail (LACUNA_IS_STUDY (self), NULL);
  return self->uid;
}

static LacunaInstance *
first_instance (LacunaStudy *self)
{
  for (guint i = 0; i < self->series->len; i++)
    {
      LacunaInstance *instance = lacuna_series_get_instance (g_ptr_array_index (self->series, i), 0);

      if (instance != NULL)
        return instance;
    }
  return NULL;
}

const char *
lacuna_study_get_date (LacunaStudy *self)
{
  LacunaInstance *instance;

  g_return_val_if_fail (LACUNA_IS_STUDY (self), NULL);

  instance = first_instance (self);
  return instance ? lacuna_instance_get_study_date (instance) : "";
}

const char *
lacuna_study_get_description (LacunaStudy *self)
{
  LacunaInstance *instance;

  g_return_val_if_fail (LACUNA_IS_STUDY (self), NULL);

  instance = first_instance (self);
  return instance ? lacuna_instance_get_study_description (instance) : "";
}

LacunaSeries *
lacuna_study_find_series (LacunaStudy *self,
                          const char  *series_uid)
{
  g_return_val_if_fail (LACUNA_IS_STUDY (self), NULL);
  g_return_val_if_fail (series_uid != NULL, NULL);

  return g_hash_table_lookup (self->by_uid, series_uid);
}

LacunaSeries *
lacuna_study_ensure_series (LacunaStudy *self,
                            const char  *series_uid)
{
  LacunaSeries *series;

  g_return_val_if_fail (LACUNA_IS_STUDY (self), NULL);
  g_return_val_if_fail (series_uid != NULL, NULL);

  series = g_hash_table_lookup (self->by_uid, series_uid);
  if (series != NULL)
    return series;

  series = lacuna_series_new (series_uid);
  g_ptr_array_add (self->series, series);
  g_hash_table_insert (self->by_uid, (gpointer) lacuna_series_get_uid (series), series);
  g_list_model_items_changed (G_LIST_MODEL (self), self->series->len - 1, 0, 1);
  return series;
}

static int
compare_series (gconstpointer pa,
                gconstpointer pb)
{
  LacunaSeries *a = *(LacunaSeries **) pa;
  LacunaSeries *b = *(LacunaSeries **) pb;
  int na = lacuna_series_get_number (a);
  int nb = lacuna_series_get_number (b);

  if (na != nb)
    {
      if (na == G_MININT)
        return 1;
      if (nb == G_MININT)
        return -1;
      return na < nb ? -1 : 1;
    }
  return strcmp (lacuna_series_get_uid (a), lacuna_series_get_uid (b));
}

/* Sorts array with compare (stable) and emits items-changed on model for the range that
 * moved. Shared by study, patient and collection. */
void
_lacuna_sort_children (GListModel   *model,
                       GPtrArray    *array,
                       GCompareFunc  compare)
{
  g_autofree gpointer *before = NULL;
  guint first = G_MAXUINT, last = 0;

  if (array->len < 2)
    return;

  before = g_memdup2 (array->pdata, sizeof (gpointer) * array->len);
  g_ptr_array_sort (array, compare);
  for (guint i = 0; i < array->len; i++)
    {
      if (before[i] != array->pdata[i])
        {
          first = MIN (first, i);
          last = i;
        }
    }
  if (first != G_MAXUINT)
    g_list_model_items_changed (model, first, last - first + 1, last - first + 1);
}

void
lacuna_study_sort (LacunaStudy *self)
{
  g_return_if_fail (LACUNA_IS_STUDY (self));

  /* Instances first: the series' number and the study's date come from them. */
  for (guint i = 0; i < self->series->len; i++)
    lacuna_series_sort (g_ptr_array_index (self->series, i));
  _lacuna_sort_children (G_LIST_MODEL (self), self->series, compare_series);
}
