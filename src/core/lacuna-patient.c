/* lacuna-patient.c: one patient, a GListModel of studies.
 *
 * Study order (lacuna_patient_sort): Study Date ascending (DA compares as text), studies
 * without a date last; then the Study Instance UID.
 */
#define G_LOG_DOMAIN "lacuna-patient"

#include "config.h"

#include <string.h>

#include "lacuna-patient.h"

struct _LacunaPatient
{
  GObject     parent_instance;

  char       *id;
  char       *name;
  GPtrArray  *studies;    /* LacunaStudy */
  GHashTable *by_uid;     /* uid (owned by the study) → LacunaStudy (borrowed) */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LacunaPatient, lacuna_patient, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
lacuna_patient_get_item_type (GListModel *model)
{
  return LACUNA_TYPE_STUDY;
}

static guint
lacuna_patient_get_n_items (GListModel *model)
{
  return LACUNA_PATIENT (model)->studies->len;
}

static gpointer
lacuna_patient_get_item (GListModel *model,
                         guint       position)
{
  LacunaPatient *self = LACUNA_PATIENT (model);

  if (position >= self->studies->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->studies, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = lacuna_patient_get_item_type;
  iface->get_n_items = lacuna_patient_get_n_items;
  iface->get_item = lacuna_patient_get_item;
}

static void
lacuna_patient_dispose (GObject *object)
{
  LacunaPatient *self = LACUNA_PATIENT (object);

  g_hash_table_remove_all (self->by_uid);
  if (self->studies->len > 0)
    g_ptr_array_set_size (self->studies, 0);

  G_OBJECT_CLASS (lacuna_patient_parent_class)->dispose (object);
}

static void
lacuna_patient_finalize (GObject *object)
{
  LacunaPatient *self = LACUNA_PATIENT (object);

  g_clear_pointer (&self->by_uid, g_hash_table_unref);
  g_clear_pointer (&self->studies, g_ptr_array_unref);
  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->name, g_free);

  G_OBJECT_CLASS (lacuna_patient_parent_class)->finalize (object);
}

static void
lacuna_patient_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  LacunaPatient *self = LACUNA_PATIENT (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lacuna_patient_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  LacunaPatient *self = LACUNA_PATIENT (object);
  const char *s = g_value_get_string (value);

  switch (prop_id)
    {
    case PROP_ID:
      g_free (self->id);
      self->id = g_strdup (s ? s : "");
      break;
    case PROP_NAME:
      g_free (self->name);
      self->name = g_strdup (s ? s : "");
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lacuna_patient_class_init (LacunaPatientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lacuna_patient_dispose;
  object_class->finalize = lacuna_patient_finalize;
  object_class->get_property = lacuna_patient_get_property;
  object_class->set_property = lacuna_patient_set_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lacuna_patient_init (LacunaPatient *self)
{
  self->studies = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_uid = g_hash_table_new (g_str_hash, g_str_equal);
}

LacunaPatient *
lacuna_patient_new (const char *patient_id,
                    const char *patient_name)
{
  return g_object_new (LACUNA_TYPE_PATIENT,
                       "id", patient_id ? patient_id : "",
                       "name", patient_name ? patient_name : "",
                       NULL);
}

const char *
lacuna_patient_get_id (LacunaPatient *self)
{
  g_return_val_if_fail (LACUNA_IS_PATIENT (self), NULL);
  return self->id;
}

const char *
lacuna_patient_get_name (LacunaPatient *self)
{
  g_return_val_if_fail (LACUNA_IS_PATIENT (self), NULL);
  return self->name;
}

LacunaStudy *
lacuna_patient_find_study (LacunaPatient *self,
                           const char    *study_uid)
{
  g_return_val_if_fail (LACUNA_IS_PATIENT (self), NULL);
  g_return_val_if_fail (study_uid != NULL, NULL);

  return g_hash_table_lookup (self->by_uid, study_uid);
}

LacunaStudy *
lacuna_patient_ensure_study (LacunaPatient *self,
                             const char    *study_uid)
{
  LacunaStudy *study;

  g_return_val_if_fail (LACUNA_IS_PATIENT (self), NULL);
  g_return_val_if_fail (study_uid != NULL, NULL);

  study = g_hash_table_lookup (self->by_uid, study_uid);
  if (study != NULL)
    return study;

  study = lacuna_study_new (study_uid);
  g_ptr_array_add (self->studies, study);
  g_hash_table_insert (self->by_uid, (gpointer) lacuna_study_get_uid (study), study);
  g_list_model_items_changed (G_LIST_MODEL (self), self->studies->len - 1, 0, 1);
  return study;
}

static int
compare_studies (gconstpointer pa,
                 gconstpointer pb)
{
  LacunaStudy *a = *(LacunaStudy **) pa;
  LacunaStudy *b = *(LacunaStudy **) pb;
  const char *da = lacuna_study_get_date (a);
  const char *db = lacuna_study_get_date (b);
  int cmp;

  if ((*da == '\0') != (*db == '\0'))
    return *da == '\0' ? 1 : -1;
  cmp = strcmp (da, db);
  if (cmp != 0)
    return cmp;
  return strcmp (lacuna_study_get_uid (a), lacuna_study_get_uid (b));
}

void
lacuna_patient_sort (LacunaPatient *self)
{
  g_return_if_fail (LACUNA_IS_PATIENT (self));

  for (guint i = 0; i < self->studies->len; i++)
    lacuna_study_sort (g_ptr_array_index (self->studies, i));
  _lacuna_sort_children (G_LIST_MODEL (self), self->studies, compare_studies);
}
