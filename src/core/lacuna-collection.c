/* lacuna-collection.c: patients → studies → series → instances, plus the problems.
 *
 * Patients are told apart by (Patient ID, Patient Name) together: two people can share an
 * ID across institutions, and one ID with two spellings of the name is shown as two
 * patients rather than silently merged. Patients sort by name, then ID.
 */
#define G_LOG_DOMAIN "lacuna-collection"

#include "config.h"

#include <string.h>

#include "lacuna-collection.h"
#include "lacuna-error.h"

struct _LacunaCollection
{
  GObject     parent_instance;

  GPtrArray  *patients;       /* LacunaPatient */
  GHashTable *by_key;         /* "id\x1fname" (owned) → LacunaPatient (borrowed) */
  GHashTable *by_sop_uid;     /* SOP Instance UID (owned by the instance) → LacunaInstance */
  GPtrArray  *problems;       /* LacunaProblem */
  guint       n_instances;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LacunaCollection, lacuna_collection, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_N_INSTANCES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
problem_free (gpointer data)
{
  LacunaProblem *problem = data;

  g_free (problem->path);
  g_clear_error (&problem->error);
  g_free (problem);
}

static GType
lacuna_collection_get_item_type (GListModel *model)
{
  return LACUNA_TYPE_PATIENT;
}

static guint
lacuna_collection_get_n_items (GListModel *model)
{
  return LACUNA_COLLECTION (model)->patients->len;
}

static gpointer
lacuna_collection_get_item (GListModel *model,
                            guint       position)
{
  LacunaCollection *self = LACUNA_COLLECTION (model);

  if (position >= self->patients->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->patients, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = lacuna_collection_get_item_type;
  iface->get_n_items = lacuna_collection_get_n_items;
  iface->get_item = lacuna_collection_get_item;
}

static void
lacuna_collection_dispose (GObject *object)
{
  LacunaCollection *self = LACUNA_COLLECTION (object);

  g_hash_table_remove_all (self->by_sop_uid);
  g_hash_table_remove_all (self->by_key);
  if (self->patients->len > 0)
    g_ptr_array_set_size (self->patients, 0);

  G_OBJECT_CLASS (lacuna_collection_parent_class)->dispose (object);
}

static void
lacuna_collection_finalize (GObject *object)
{
  LacunaCollection *self = LACUNA_COLLECTION (object);

  g_clear_pointer (&self->by_sop_uid, g_hash_table_unref);
  g_clear_pointer (&self->by_key, g_hash_table_unref);
  g_clear_pointer (&self->patients, g_ptr_array_unref);
  g_clear_pointer (&self->problems, g_ptr_array_unref);

  G_OBJECT_CLASS (lacuna_collection_parent_class)->finalize (object);
}

static void
lacuna_collection_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  LacunaCollection *self = LACUNA_COLLECTION (object);

  switch (prop_id)
    {
    case PROP_N_INSTANCES:
      g_value_set_uint (value, self->n_instances);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lacuna_collection_class_init (LacunaCollectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lacuna_collection_dispose;
  object_class->finalize = lacuna_collection_finalize;
  object_class->get_property = lacuna_collection_get_property;

  properties[PROP_N_INSTANCES] =
    g_param_spec_uint ("n-instances", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lacuna_collection_init (LacunaCollection *self)
{
  self->patients = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->by_sop_uid = g_hash_table_new (g_str_hash, g_str_equal);
  self->problems = g_ptr_array_new_with_free_func (problem_free);
}

LacunaCollection *
lacuna_collection_new (void)
{
  return g_object_new (LACUNA_TYPE_COLLECTION, NULL);
}

static char *
dup_instance_path (LacunaInstance *instance)
{
  const char *member = lacuna_instance_get_archive_member (instance);

  if (member == NULL)
    return g_strdup (lacuna_instance_get_source (instance));
  return g_strdup_printf ("%s › %s", lacuna_instance_get_source (instance), member);
}

void
lacuna_collection_add_instance (LacunaCollection *self,
                                LacunaInstance   *instance)
{
  const char *sop_uid;
  g_autofree char *key = NULL;
  LacunaPatient *patient;
  LacunaStudy *study;
  LacunaSeries *series;

  g_return_if_fail (LACUNA_IS_COLLECTION (self));
  g_return_if_fail (LACUNA_IS_INSTANCE (instance));

  /* An empty SOP Instance UID identifies nothing: such objects are never duplicates. */
  sop_uid = lacuna_instance_get_sop_instance_uid (instance);
  if (*sop_uid != '\0')
    {
      if (g_hash_table_contains (self->by_sop_uid, sop_uid))
        {
          g_autoptr(GError) error = NULL;
          g_autofree char *path = dup_instance_path (instance);

          g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                               "A duplicate: an object with the same (0008,0018) "
                               "SOPInstanceUID is already loaded");
          lacuna_collection_add_problem (self, LACUNA_PROBLEM_SKIPPED, path, error);
          return;
        }
      g_hash_table_insert (self->by_sop_uid, (gpointer) sop_uid, instance);
    }

  key = g_strconcat (lacuna_instance_get_patient_id (instance), "\x1f",
                     lacuna_instance_get_patient_name (instance), NULL);
  patient = g_hash_table_lookup (self->by_key, key);
  if (patient == NULL)
    {
      patient = lacuna_patient_new (lacuna_instance_get_patient_id (instance),
                                    lacuna_instance_get_patient_name (instance));
      g_ptr_array_add (self->patients, patient);
      g_hash_table_insert (self->by_key, g_steal_pointer (&key), patient);
      g_list_model_items_changed (G_LIST_MODEL (self), self->patients->len - 1, 0, 1);
    }

  study = lacuna_patient_ensure_study (patient, lacuna_instance_get_study_uid (instance));
  series = lacuna_study_ensure_series (study, lacuna_instance_get_series_uid (instance));
  lacuna_series_add (series, instance);

  self->n_instances++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_INSTANCES]);
}

void
lacuna_collection_add_problem (LacunaCollection  *self,
                               LacunaProblemKind  kind,
                               const char        *path,
                               const GError      *error)
{
  LacunaProblem *problem;

  g_return_if_fail (LACUNA_IS_COLLECTION (self));
  g_return_if_fail (path != NULL);

  problem = g_new0 (LacunaProblem, 1);
  problem->kind = kind;
  problem->path = g_strdup (path);
  if (error != NULL)
    problem->error = g_error_copy (error);
  else
    problem->error = g_error_new_literal (LACUNA_LOAD_ERROR, LACUNA_LOAD_ERROR_FAILED,
                                          "Unknown problem");
  g_ptr_array_add (self->problems, problem);
}

static int
compare_patients (gconstpointer pa,
                  gconstpointer pb)
{
  LacunaPatient *a = *(LacunaPatient **) pa;
  LacunaPatient *b = *(LacunaPatient **) pb;
  int cmp = strcmp (lacuna_patient_get_name (a), lacuna_patient_get_name (b));

  if (cmp != 0)
    return cmp;
  return strcmp (lacuna_patient_get_id (a), lacuna_patient_get_id (b));
}

void
lacuna_collection_sort (LacunaCollection *self)
{
  g_return_if_fail (LACUNA_IS_COLLECTION (self));

  for (guint i = 0; i < self->patients->len; i++)
    lacuna_patient_sort (g_ptr_array_index (self->patients, i));
  _lacuna_sort_children (G_LIST_MODEL (self), self->patients, compare_patients);
}

guint
lacuna_collection_get_n_instances (LacunaCollection *self)
{
  g_return_val_if_fail (LACUNA_IS_COLLECTION (self), 0);
  return self->n_instances;
}

GPtrArray *
lacuna_collection_get_problems (LacunaCollection *self)
{
  g_return_val_if_fail (LACUNA_IS_COLLECTION (self), NULL);
  return self->problems;
}

guint
lacuna_collection_count_problems (LacunaCollection  *self,
                                  LacunaProblemKind  kind)
{
  guint n = 0;

  g_return_val_if_fail (LACUNA_IS_COLLECTION (self), 0);

  for (guint i = 0; i < self->problems->len; i++)
    {
      LacunaProblem *problem = g_ptr_array_index (self->problems, i);

      if (problem->kind == kind)
        n++;
    }
  return n;
}

LacunaInstance *
lacuna_collection_find_instance (LacunaCollection *self,
                                 const char       *sop_instance_uid)
{
  g_return_val_if_fail (LACUNA_IS_COLLECTION (self), NULL);
  g_return_val_if_fail (sop_instance_uid != NULL, NULL);

  return g_hash_table_lookup (self->by_sop_uid, sop_instance_uid);
}

GListModel *
lacuna_collection_list_series (LacunaCollection *self)
{
  GListStore *store;

  g_return_val_if_fail (LACUNA_IS_COLLECTION (self), NULL);

  store = g_list_store_new (LACUNA_TYPE_SERIES);
  for (guint p = 0; p < self->patients->len; p++)
    {
      GListModel *patient = g_ptr_array_index (self->patients, p);

      for (guint s = 0; s < g_list_model_get_n_items (patient); s++)
        {
          g_autoptr(LacunaStudy) study = g_list_model_get_item (patient, s);

          for (guint r = 0; r < g_list_model_get_n_items (G_LIST_MODEL (study)); r++)
            {
              g_autoptr(LacunaSeries) series = g_list_model_get_item (G_LIST_MODEL (study), r);

              g_list_store_append (store, series);
            }
        }
    }
  return G_LIST_MODEL (store);
}
