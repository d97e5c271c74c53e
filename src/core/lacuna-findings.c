/* lacuna-findings.c: every finding of a collection, in one list. */
#define G_LOG_DOMAIN "lacuna-findings"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "lacuna-bodycomp.h"
#include "lacuna-findings.h"
#include "lacuna-findings-private.h"
#include "lacuna-literature.h"
#include "lacuna-quasi.h"

typedef struct
{
  LacunaFindingsProducer producer;
  gpointer               user_data;
  GDestroyNotify         destroy;
} Producer;

struct _LacunaFindings
{
  GObject              parent_instance;

  GPtrArray           *findings;     /* LacunaFinding */
  GArray              *producers;    /* Producer */
  LacunaProfileOption  options;
  int                  slice;
  LacunaFindingsCheck  checks;
  GPtrArray           *reports;      /* JsonObject: the checks run */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LacunaFindings, lacuna_findings, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
get_item_type (GListModel *model)
{
  return LACUNA_TYPE_FINDING;
}

static guint
get_n_items (GListModel *model)
{
  return LACUNA_FINDINGS (model)->findings->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  LacunaFindings *self = LACUNA_FINDINGS (model);

  if (position >= self->findings->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->findings, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
lacuna_findings_finalize (GObject *object)
{
  LacunaFindings *self = LACUNA_FINDINGS (object);

  for (guint i = 0; i < self->producers->len; i++)
    {
      Producer *p = &g_array_index (self->producers, Producer, i);

      if (p->destroy != NULL)
        p->destroy (p->user_data);
    }
  g_array_unref (self->producers);
  g_ptr_array_unref (self->findings);
  g_ptr_array_unref (self->reports);

  G_OBJECT_CLASS (lacuna_findings_parent_class)->finalize (object);
}

static void
lacuna_findings_class_init (LacunaFindingsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lacuna_findings_finalize;
}

static void
lacuna_findings_init (LacunaFindings *self)
{
  self->findings = g_ptr_array_new_with_free_func (g_object_unref);
  self->producers = g_array_new (FALSE, TRUE, sizeof (Producer));
  self->slice = G_MININT;
  self->checks = LACUNA_FINDINGS_CHECK_ALL;
  self->reports = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
}

LacunaFindings *
lacuna_findings_new (void)
{
  return g_object_new (LACUNA_TYPE_FINDINGS, NULL);
}

void
lacuna_findings_set_profile_options (LacunaFindings      *self,
                                     LacunaProfileOption  options)
{
  g_return_if_fail (LACUNA_IS_FINDINGS (self));
  self->options = options;
}

LacunaProfileOption
lacuna_findings_get_profile_options (LacunaFindings *self)
{
  g_return_val_if_fail (LACUNA_IS_FINDINGS (self), LACUNA_PROFILE_OPTION_NONE);
  return self->options;
}

void
lacuna_findings_set_slice (LacunaFindings *self,
                           int             instance_number)
{
  g_return_if_fail (LACUNA_IS_FINDINGS (self));
  self->slice = instance_number;
}

void
lacuna_findings_set_body_composition (LacunaFindings *self,
                                      gboolean        enabled)
{
  g_return_if_fail (LACUNA_IS_FINDINGS (self));
  if (enabled)
    self->checks |= LACUNA_FINDINGS_CHECK_BODY_COMPOSITION;
  else
    self->checks &= ~LACUNA_FINDINGS_CHECK_BODY_COMPOSITION;
}

void
lacuna_findings_set_checks (LacunaFindings      *self,
                            LacunaFindingsCheck  checks)
{
  g_return_if_fail (LACUNA_IS_FINDINGS (self));
  self->checks = checks & LACUNA_FINDINGS_CHECK_ALL;
}

LacunaFindingsCheck
lacuna_findings_get_checks (LacunaFindings *self)
{
  g_return_val_if_fail (LACUNA_IS_FINDINGS (self), LACUNA_FINDINGS_CHECK_NONE);
  return self->checks;
}

int
_lacuna_findings_get_slice (LacunaFindings *self)
{
  return self->slice;
}

const char *
lacuna_findings_check_to_string (LacunaFindingsCheck check)
{
  switch (check)
    {
    case LACUNA_FINDINGS_CHECK_BURNED_IN:
      return "burned-in-text";
    case LACUNA_FINDINGS_CHECK_FACE:
      return "face";
    case LACUNA_FINDINGS_CHECK_BODY_COMPOSITION:
      return "body-composition";
    case LACUNA_FINDINGS_CHECK_NONE:
    default:
      g_return_val_if_reached ("");
    }
}

const char *
lacuna_findings_check_get_title (LacunaFindingsCheck check)
{
  switch (check)
    {
    case LACUNA_FINDINGS_CHECK_BURNED_IN:
      return _("Burned-in text");
    case LACUNA_FINDINGS_CHECK_FACE:
      return _("Faces");
    case LACUNA_FINDINGS_CHECK_BODY_COMPOSITION:
      return _("Body composition");
    case LACUNA_FINDINGS_CHECK_NONE:
    default:
      g_return_val_if_reached ("");
    }
}

LacunaFindingsCheck
lacuna_findings_check_nth (guint index)
{
  static const LacunaFindingsCheck order[] = {
    LACUNA_FINDINGS_CHECK_BURNED_IN,
    LACUNA_FINDINGS_CHECK_FACE,
    LACUNA_FINDINGS_CHECK_BODY_COMPOSITION,
  };

  g_return_val_if_fail (index < G_N_ELEMENTS (order), LACUNA_FINDINGS_CHECK_NONE);
  return order[index];
}

guint
lacuna_findings_get_n_checks (LacunaFindings *self)
{
  g_return_val_if_fail (LACUNA_IS_FINDINGS (self), 0);
  return self->reports->len;
}

JsonObject *
lacuna_findings_get_check (LacunaFindings *self,
                           guint           index)
{
  g_return_val_if_fail (LACUNA_IS_FINDINGS (self), NULL);
  g_return_val_if_fail (index < self->reports->len, NULL);
  return g_ptr_array_index (self->reports, index);
}

void
lacuna_findings_add_check (LacunaFindings *self,
                           JsonObject     *check)
{
  g_return_if_fail (LACUNA_IS_FINDINGS (self));
  g_return_if_fail (check != NULL);
  g_ptr_array_add (self->reports, json_object_ref (check));
}

char *
lacuna_findings_dup_check_summary (LacunaFindings      *self,
                                   LacunaFindingsCheck  check)
{
  g_autoptr(GString) text = NULL;
  const char *name;

  g_return_val_if_fail (LACUNA_IS_FINDINGS (self), NULL);

  name = lacuna_findings_check_to_string (check);
  for (guint i = 0; i < self->reports->len; i++)
    {
      JsonObject *report = g_ptr_array_index (self->reports, i);
      const char *modality;

      if (g_strcmp0 (json_object_get_string_member_with_default (report, "check", ""),
                     name) != 0)
        continue;
      if (text == NULL)
        text = g_string_new (NULL);
      else
        g_string_append_c (text, '\n');
      modality = json_object_get_string_member_with_default (report, "modality", NULL);
      if (modality != NULL && *modality != '\0')
        /* Translators: a series' modality, then what a check did in it: "US: …" */
        g_string_append_printf (text, _("%s: %s"), modality,
                                json_object_get_string_member_with_default (report, "summary",
                                                                            ""));
      else
        g_string_append (text, json_object_get_string_member_with_default (report, "summary",
                                                                           ""));
    }
  return text != NULL ? g_string_free (g_steal_pointer (&text), FALSE) : NULL;
}

JsonObject *
_lacuna_findings_new_report (LacunaFindingsCheck  check,
                             LacunaSeries        *series,
                             gboolean             ran,
                             guint                found,
                             const char          *summary)
{
  JsonObject *report = json_object_new ();

  json_object_set_string_member (report, "check", lacuna_findings_check_to_string (check));
  json_object_set_boolean_member (report, "ran", ran);
  if (series != NULL)
    {
      json_object_set_string_member (report, "series", lacuna_series_get_uid (series));
      json_object_set_string_member (report, "modality", lacuna_series_get_modality (series));
    }
  else
    {
      json_object_set_null_member (report, "series");
      json_object_set_null_member (report, "modality");
    }
  json_object_set_int_member (report, "found", found);
  json_object_set_string_member (report, "summary", summary);
  return report;
}

void
lacuna_findings_add_producer (LacunaFindings         *self,
                              LacunaFindingsProducer  producer,
                              gpointer                user_data,
                              GDestroyNotify          destroy)
{
  Producer p = { producer, user_data, destroy };

  g_return_if_fail (LACUNA_IS_FINDINGS (self));
  g_return_if_fail (producer != NULL);
  g_array_append_val (self->producers, p);
}

void
lacuna_findings_add (LacunaFindings *self,
                     LacunaFinding  *finding)
{
  guint position;

  g_return_if_fail (LACUNA_IS_FINDINGS (self));
  g_return_if_fail (LACUNA_IS_FINDING (finding));

  position = self->findings->len;
  g_ptr_array_add (self->findings, g_object_ref (finding));
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
}

void
lacuna_findings_add_all (LacunaFindings *self,
                         GPtrArray      *findings)
{
  guint position;

  g_return_if_fail (LACUNA_IS_FINDINGS (self));
  g_return_if_fail (findings != NULL);

  position = self->findings->len;
  for (guint i = 0; i < findings->len; i++)
    g_ptr_array_add (self->findings, g_object_ref (g_ptr_array_index (findings, i)));
  if (findings->len > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), position, 0, findings->len);
}

guint
lacuna_findings_get_n_findings (LacunaFindings *self)
{
  g_return_val_if_fail (LACUNA_IS_FINDINGS (self), 0);
  return self->findings->len;
}

LacunaFinding *
lacuna_findings_get_finding (LacunaFindings *self,
                             guint           index)
{
  g_return_val_if_fail (LACUNA_IS_FINDINGS (self), NULL);
  g_return_val_if_fail (index < self->findings->len, NULL);
  return g_ptr_array_index (self->findings, index);
}

guint
lacuna_findings_count_kind (LacunaFindings *self,
                            const char     *kind)
{
  guint n = 0;

  g_return_val_if_fail (LACUNA_IS_FINDINGS (self), 0);
  for (guint i = 0; i < self->findings->len; i++)
    if (kind == NULL ||
        g_strcmp0 (lacuna_finding_get_kind (g_ptr_array_index (self->findings, i)), kind) == 0)
      n++;
  return n;
}

/* ---------------------------------------------------------------------------------------- */
/* Header identity                                                                          */

static gboolean
is_quasi_tag (guint32     tag,
              const char *vr)
{
  switch (tag)
    {
    case 0x00101010:   /* Patient's Age */
    case 0x00100040:   /* Patient's Sex */
    case 0x00101020:   /* Patient's Size */
    case 0x00101030:   /* Patient's Weight */
      return TRUE;
    default:
      return strcmp (vr, "TM") == 0 || strcmp (vr, "DT") == 0;
    }
}

static const char *
describe_action (LacunaProfileAction action)
{
  switch (action)
    {
    case LACUNA_PROFILE_ACTION_X:
      return _("The de-identified export removes it.");
    case LACUNA_PROFILE_ACTION_Z:
      return _("The de-identified export empties it.");
    case LACUNA_PROFILE_ACTION_D:
      return _("The de-identified export replaces it with a dummy value.");
    case LACUNA_PROFILE_ACTION_C:
      return _("The de-identified export cleans it (dates shifted, identifying text cut "
               "out).");
    case LACUNA_PROFILE_ACTION_U:
      return _("The de-identified export replaces it with a new identifier.");
    case LACUNA_PROFILE_ACTION_K:
      return _("The options chosen keep it in the de-identified export.");
    default:
      return _("The de-identified export removes or replaces it.");
    }
}

typedef struct
{
  LacunaFindings *self;
  GPtrArray      *out;
  const char     *sop;
  guint           n_private;
  char           *first_private;
} HeaderWalk;

static LacunaDicomWalkResult
header_walk_cb (const LacunaDicomElement *el,
                gpointer                  user_data)
{
  HeaderWalk *walk = user_data;
  const LacunaProfileRule *rule;
  LacunaProfileAction resolved;
  g_autoptr(LacunaFinding) finding = NULL;
  g_autofree char *tag = NULL;
  g_autofree char *text = NULL;
  const char *name;
  const char *action_str;
  JsonObject *values;

  if ((el->tag >> 16) == 0x0002 || el->is_sequence)
    return LACUNA_DICOM_WALK_CONTINUE;
  if (el->is_private)
    {
      /* Private creators and private values: one finding per file. */
      if (walk->n_private++ == 0)
        walk->first_private = g_strdup (el->path);
      return LACUNA_DICOM_WALK_CONTINUE;
    }
  if (el->value == NULL || *el->value == '\0' || is_quasi_tag (el->tag, el->vr))
    return LACUNA_DICOM_WALK_CONTINUE;
  rule = lacuna_profile_lookup (el->tag);
  if (rule == NULL || rule->basic == LACUNA_PROFILE_ACTION_K ||
      rule->basic == LACUNA_PROFILE_ACTION_U)
    return LACUNA_DICOM_WALK_CONTINUE;

  resolved = lacuna_profile_resolve_type (lacuna_profile_resolve (rule, walk->self->options),
                                          LACUNA_PROFILE_TYPE_UNKNOWN);
  tag = lacuna_dicom_tag_format (el->tag);
  name = rule->name != NULL ? rule->name : el->name;
  /* Translators: "Patient's Name (0010,0010) is stated in the header. The de-identified
   * export replaces it with a dummy value." */
  text = g_strdup_printf (_("%s %s is stated in the header. %s"), name, tag,
                          describe_action (resolved));
  finding = lacuna_finding_new ("header-identity", LACUNA_EVIDENCE_STATED,
                                LACUNA_FINDING_PRESENT, text);
  lacuna_finding_set_tag_path (finding, el->path);
  if (walk->sop != NULL)
    lacuna_finding_set_region (finding, walk->sop, 0, NULL);
  if (resolved == LACUNA_PROFILE_ACTION_K)
    lacuna_finding_set_action (finding, _("Export without the option that keeps it, or add a "
                                          "recipe override that removes it."));
  else
    lacuna_finding_set_action (finding, _("Export de-identified (DICOM PS3.15 Basic "
                                          "Profile)."));

  values = lacuna_finding_get_values (finding);
  json_object_set_string_member (values, "keyword", el->keyword != NULL ? el->keyword : "");
  json_object_set_string_member (values, "name", name);
  json_object_set_string_member (values, "vr", el->vr);
  action_str = lacuna_profile_action_to_string (rule->basic);
  json_object_set_string_member (values, "basic_action", action_str != NULL ? action_str : "");
  action_str = lacuna_profile_action_to_string (resolved);
  json_object_set_string_member (values, "action", action_str != NULL ? action_str : "");
  g_ptr_array_add (walk->out, g_steal_pointer (&finding));
  return LACUNA_DICOM_WALK_CONTINUE;
}

static LacunaFinding *
private_finding (const char *first_path,
                 guint       n,
                 const char *sop)
{
  g_autoptr(LacunaFinding) finding = NULL;
  g_autofree char *text = NULL;
  JsonObject *values;

  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Private data is stated in the header (%u private "
                                       "element); "
                                       "vendors' private data can hold names, IDs or dates. "
                                       "The de-identified export removes private elements.",
                                       "Private data is stated in the header (%u private "
                                       "elements); "
                                       "vendors' private data can hold names, IDs or dates. "
                                       "The de-identified export removes private elements.",
                                       n), n);
  finding = lacuna_finding_new ("header-identity", LACUNA_EVIDENCE_STATED,
                                LACUNA_FINDING_PRESENT, text);
  lacuna_finding_set_tag_path (finding, first_path);
  if (sop != NULL)
    lacuna_finding_set_region (finding, sop, 0, NULL);
  lacuna_finding_set_action (finding, _("Export de-identified (DICOM PS3.15 Basic Profile)."));
  values = lacuna_finding_get_values (finding);
  json_object_set_string_member (values, "keyword", "");
  json_object_set_string_member (values, "name", _("Private elements"));
  json_object_set_boolean_member (values, "private", TRUE);
  json_object_set_int_member (values, "elements", n);
  json_object_set_string_member (values, "basic_action", "X");
  json_object_set_string_member (values, "action", "X");
  return g_steal_pointer (&finding);
}

/* The findings of one file into out (not merged). */
static void
file_findings (LacunaFindings  *self,
               LacunaDicomFile *file,
               const char      *sop,
               GPtrArray       *out)
{
  HeaderWalk walk = { self, out, sop, 0, NULL };
  g_autoptr(GPtrArray) quasi = NULL;

  lacuna_dicom_file_walk (file, FALSE, header_walk_cb, &walk);
  if (walk.n_private > 0)
    g_ptr_array_add (out, private_finding (walk.first_private, walk.n_private, sop));
  g_free (walk.first_private);

  quasi = lacuna_quasi_collect (file, self->options);
  for (guint i = 0; i < quasi->len; i++)
    {
      LacunaFinding *f = g_ptr_array_index (quasi, i);

      if (sop != NULL)
        lacuna_finding_set_region (f, sop, 0, NULL);
      g_ptr_array_add (out, g_object_ref (f));
    }
}

static void
add_literature (GPtrArray       *out,
                LacunaDicomFile *file,
                const char      *sop)
{
  g_autoptr(GPtrArray) cards = lacuna_literature_cards_for_file (file);
  g_autofree char *modality = lacuna_dicom_file_dup_string (file, "00080060", NULL);

  for (guint i = 0; i < cards->len; i++)
    g_ptr_array_add (out, lacuna_literature_to_finding (g_ptr_array_index (cards, i), sop,
                                                        modality));
}

void
lacuna_findings_collect_file (LacunaFindings  *self,
                              LacunaDicomFile *file,
                              LacunaInstance  *instance)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *sop = NULL;

  g_return_if_fail (LACUNA_IS_FINDINGS (self));
  g_return_if_fail (file != NULL);

  if (instance != NULL)
    sop = g_strdup (lacuna_instance_get_sop_instance_uid (instance));
  else
    sop = lacuna_dicom_file_dup_string (file, "00080018", NULL);
  if (sop != NULL && *sop == '\0')
    g_clear_pointer (&sop, g_free);

  file_findings (self, file, sop, out);
  add_literature (out, file, sop);
  lacuna_findings_add_all (self, out);
}

/* ---------------------------------------------------------------------------------------- */
/* Collection                                                                               */

LacunaDicomFile *
_lacuna_findings_open_header (LacunaInstance *instance)
{
  if (lacuna_instance_get_archive_member (instance) != NULL)
    return lacuna_instance_open (instance, NULL);
  return lacuna_dicom_file_open (lacuna_instance_get_source (instance),
                                 LACUNA_DICOM_OPEN_HEADER_ONLY, NULL);
}

static char *
merge_key (LacunaFinding *f)
{
  return g_strdup_printf ("%s\x1f%s\x1f%s", lacuna_finding_get_kind (f),
                          lacuna_finding_get_tag_path (f) != NULL
                          ? lacuna_finding_get_tag_path (f) : "",
                          lacuna_finding_get_text (f));
}

/* Header and quasi findings of every instance of the series, merged. */
static void
series_header_findings (LacunaFindings *self,
                        LacunaSeries   *series,
                        GPtrArray      *out)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (series));

  for (guint i = 0; i < n; i++)
    {
      LacunaInstance *instance = lacuna_series_get_instance (series, i);
      g_autoptr(LacunaDicomFile) file = _lacuna_findings_open_header (instance);
      g_autoptr(GPtrArray) one = NULL;
      const char *sop = lacuna_instance_get_sop_instance_uid (instance);

      if (file == NULL)
        continue;
      one = g_ptr_array_new_with_free_func (g_object_unref);
      file_findings (self, file, sop != NULL && *sop != '\0' ? sop : NULL, one);
      if (i == 0)
        add_literature (one, file, sop != NULL && *sop != '\0' ? sop : NULL);
      for (guint k = 0; k < one->len; k++)
        {
          LacunaFinding *f = g_ptr_array_index (one, k);
          g_autofree char *key = merge_key (f);
          LacunaFinding *first = g_hash_table_lookup (seen, key);
          JsonObject *values;

          if (first != NULL)
            {
              values = lacuna_finding_get_values (first);
              json_object_set_int_member (values, "instances",
                                          json_object_get_int_member (values, "instances") + 1);
              continue;
            }
          if (g_strcmp0 (lacuna_finding_get_kind (f), "literature") != 0)
            json_object_set_int_member (lacuna_finding_get_values (f), "instances", 1);
          g_hash_table_insert (seen, g_steal_pointer (&key), f);
          g_ptr_array_add (out, g_object_ref (f));
        }
    }
}

static double
patient_size_of (LacunaInstance *instance)
{
  g_autoptr(LacunaDicomFile) file = _lacuna_findings_open_header (instance);
  g_autofree char *text = NULL;
  double size = 0.0;

  if (file == NULL)
    return 0.0;
  text = lacuna_dicom_file_dup_string (file, "00101020", NULL);
  if (text == NULL || !_lacuna_parse_ds (text, &size, 1) || !(size > 0.0))
    return 0.0;
  return size;
}

/* Body composition of one CT series: TRUE when the requested slice was found in it. */
static gboolean
series_body_composition (LacunaFindings *self,
                         LacunaSeries   *series,
                         GCancellable   *cancellable,
                         GError        **error)
{
  g_autoptr(LacunaBodyComp) bc = NULL;
  g_autoptr(GError) local = NULL;
  g_autoptr(LacunaFinding) finding = NULL;
  g_autoptr(JsonObject) report = NULL;
  g_autofree char *summary = NULL;
  LacunaInstance *instance = NULL;
  gboolean suggested = FALSE;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (series));

  if (self->slice != G_MININT)
    {
      for (guint i = 0; i < n && instance == NULL; i++)
        {
          LacunaInstance *candidate = lacuna_series_get_instance (series, i);

          if (lacuna_instance_get_instance_number (candidate) == self->slice &&
              lacuna_instance_has_pixels (candidate))
            instance = candidate;
        }
      if (instance == NULL)
        return FALSE;
      {
        g_autoptr(LacunaDicomFile) file = lacuna_instance_open (instance, &local);

        if (file != NULL)
          bc = lacuna_bodycomp_measure_file (file, &local);
      }
      if (bc == NULL)
        {
          summary = g_strdup_printf (_("Body composition was not measured on the image with "
                                       "Instance Number %d: %s"), self->slice, local->message);
          report = _lacuna_findings_new_report (LACUNA_FINDINGS_CHECK_BODY_COMPOSITION, series,
                                                FALSE, 0, summary);
          json_object_set_string_member (report, "error", local->message);
          lacuna_findings_add_check (self, report);
          return TRUE;
        }
    }
  else
    {
      g_autoptr(LacunaDicomFile) first = NULL;
      g_autofree char *part = NULL;

      if (!lacuna_bodycomp_series_applies (series))
        return FALSE;
      instance = lacuna_bodycomp_suggest_slice (series, &bc, cancellable, &local);
      if (instance == NULL)
        {
          if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_propagate_error (error, g_steal_pointer (&local));
              return FALSE;
            }
          summary = g_strdup_printf (_("Body composition was not measured: %s"), local->message);
          report = _lacuna_findings_new_report (LACUNA_FINDINGS_CHECK_BODY_COMPOSITION, series,
                                                FALSE, 0, summary);
          json_object_set_string_member (report, "error", local->message);
          lacuna_findings_add_check (self, report);
          return FALSE;
        }
      first = _lacuna_findings_open_header (lacuna_series_get_instance (series, 0));
      if (first != NULL)
        part = lacuna_dicom_file_dup_string (first, "00180015", NULL);
      /* Without a body part, only a trunk-sized body counts. */
      if ((part == NULL || *g_strstrip (part) == '\0') && !lacuna_bodycomp_is_trunk_sized (bc))
        return FALSE;
      suggested = TRUE;
    }

  if (bc->n_body > 0)
    {
      int number = lacuna_instance_get_instance_number (instance);

      finding = lacuna_bodycomp_to_finding (bc, instance, patient_size_of (instance), suggested);
      if (suggested)
        summary = g_strdup_printf (_("We measured adipose and muscle-density areas on the "
                                     "image with Instance Number %d, suggested automatically "
                                     "(confirm or choose another slice)."), number);
      else
        summary = g_strdup_printf (_("We measured adipose and muscle-density areas on the "
                                     "image with Instance Number %d, as chosen."), number);
    }
  else
    summary = g_strdup (_("Body composition was measured, but the slice holds no body."));
  report = _lacuna_findings_new_report (LACUNA_FINDINGS_CHECK_BODY_COMPOSITION, series, TRUE,
                                        finding != NULL ? 1 : 0, summary);
  if (instance != NULL && lacuna_instance_get_instance_number (instance) != G_MININT)
    json_object_set_int_member (report, "instance", lacuna_instance_get_instance_number (instance));
  json_object_set_boolean_member (report, "suggested", suggested);
  lacuna_findings_add_check (self, report);
  if (finding != NULL)
    lacuna_findings_add (self, finding);
  return self->slice != G_MININT;
}

static gboolean
check_body_composition (LacunaFindings    *self,
                        LacunaCollection  *collection,
                        GCancellable      *cancellable,
                        GError           **error)
{
  g_autoptr(GListModel) all_series = lacuna_collection_list_series (collection);
  guint n_reports = self->reports->len;
  gboolean slice_found = FALSE;

  for (guint s = 0; s < g_list_model_get_n_items (all_series); s++)
    {
      g_autoptr(LacunaSeries) series = g_list_model_get_item (all_series, s);
      g_autoptr(GError) local = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (g_strcmp0 (lacuna_series_get_modality (series), "CT") != 0)
        continue;
      if (series_body_composition (self, series, cancellable, &local))
        slice_found = TRUE;
      if (local != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
    }

  if (self->slice != G_MININT && !slice_found)
    {
      g_autofree char *summary = g_strdup_printf (_("Body composition was not measured: no CT "
                                                    "image has Instance Number %d."),
                                                  self->slice);
      g_autoptr(JsonObject) report = _lacuna_findings_new_report (
        LACUNA_FINDINGS_CHECK_BODY_COMPOSITION, NULL, FALSE, 0, summary);

      lacuna_findings_add_check (self, report);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("No CT image has Instance Number %d"), self->slice);
      return FALSE;
    }
  if (self->reports->len == n_reports)
    {
      g_autoptr(JsonObject) report = _lacuna_findings_new_report (
        LACUNA_FINDINGS_CHECK_BODY_COMPOSITION, NULL, FALSE, 0,
        _("Body composition was not measured: there is no CT series of the abdomen or trunk."));

      json_object_set_string_member (report, "reason", "not-applicable");
      lacuna_findings_add_check (self, report);
    }
  return TRUE;
}

gboolean
lacuna_findings_collect_header (LacunaFindings    *self,
                                LacunaCollection  *collection,
                                GCancellable      *cancellable,
                                GError           **error)
{
  g_autoptr(GListModel) all_series = NULL;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_object_unref);
  gboolean any_image = FALSE;

  g_return_val_if_fail (LACUNA_IS_FINDINGS (self), FALSE);
  g_return_val_if_fail (LACUNA_IS_COLLECTION (collection), FALSE);

  all_series = lacuna_collection_list_series (collection);
  for (guint s = 0; s < g_list_model_get_n_items (all_series); s++)
    {
      g_autoptr(LacunaSeries) series = g_list_model_get_item (all_series, s);

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      series_header_findings (self, series, out);
      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (series)); i++)
        if (lacuna_instance_has_pixels (lacuna_series_get_instance (series, i)))
          any_image = TRUE;
    }
  if (any_image)
    g_ptr_array_add (out, lacuna_literature_to_finding (
                            lacuna_literature_lookup ("membership-inference"), NULL, NULL));
  lacuna_findings_add_all (self, out);
  return TRUE;
}

gboolean
lacuna_findings_run_check (LacunaFindings       *self,
                           LacunaCollection     *collection,
                           LacunaFindingsCheck   check,
                           GCancellable         *cancellable,
                           GError              **error)
{
  g_return_val_if_fail (LACUNA_IS_FINDINGS (self), FALSE);
  g_return_val_if_fail (LACUNA_IS_COLLECTION (collection), FALSE);

  switch (check)
    {
    case LACUNA_FINDINGS_CHECK_BURNED_IN:
      return _lacuna_findings_check_burned_in (self, collection, cancellable, error);
    case LACUNA_FINDINGS_CHECK_FACE:
      return _lacuna_findings_check_faces (self, collection, cancellable, error);
    case LACUNA_FINDINGS_CHECK_BODY_COMPOSITION:
      return check_body_composition (self, collection, cancellable, error);
    case LACUNA_FINDINGS_CHECK_NONE:
    default:
      g_return_val_if_reached (FALSE);
    }
}

gboolean
lacuna_findings_collect (LacunaFindings    *self,
                         LacunaCollection  *collection,
                         GCancellable      *cancellable,
                         GError           **error)
{
  g_autoptr(GError) not_found = NULL;

  g_return_val_if_fail (LACUNA_IS_FINDINGS (self), FALSE);
  g_return_val_if_fail (LACUNA_IS_COLLECTION (collection), FALSE);

  if (!lacuna_findings_collect_header (self, collection, cancellable, error))
    return FALSE;

  for (guint i = 0; i < LACUNA_FINDINGS_N_CHECKS; i++)
    {
      LacunaFindingsCheck check = lacuna_findings_check_nth (i);
      g_autoptr(GError) local = NULL;

      if ((self->checks & check) == 0)
        continue;
      if (lacuna_findings_run_check (self, collection, check, cancellable, &local))
        continue;
      if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        {
          g_clear_error (&not_found);
          not_found = g_steal_pointer (&local);
          continue;
        }
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }

  for (guint i = 0; i < self->producers->len; i++)
    {
      Producer *p = &g_array_index (self->producers, Producer, i);

      if (!p->producer (self, collection, cancellable, p->user_data, error))
        return FALSE;
    }

  if (not_found != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&not_found));
      return FALSE;
    }
  return TRUE;
}

guint
lacuna_findings_add_coarsening (LacunaFindings    *self,
                                LacunaDeidOptions *options)
{
  guint n = 0;

  g_return_val_if_fail (LACUNA_IS_FINDINGS (self), 0);
  g_return_val_if_fail (options != NULL, 0);

  for (guint i = 0; i < self->findings->len; i++)
    {
      LacunaFinding *f = g_ptr_array_index (self->findings, i);

      if (g_strcmp0 (lacuna_finding_get_kind (f), "quasi-identifier") == 0 &&
          g_strcmp0 (json_object_get_string_member_with_default (lacuna_finding_get_values (f),
                                                                  "keyword", ""),
                     "PatientWeight") == 0 &&
          json_object_has_member (lacuna_finding_get_values (f), "bmi"))
        continue;   /* the BMI's overrides repeat the size's and the weight's */
      if (g_strcmp0 (lacuna_finding_get_kind (f), "quasi-identifier") == 0)
        n += lacuna_quasi_add_coarsening (f, options);
    }
  return n;
}

JsonNode *
lacuna_findings_to_json (LacunaFindings *self)
{
  JsonObject *root = json_object_new ();
  JsonArray *array = json_array_new ();
  JsonNode *node;

  g_return_val_if_fail (LACUNA_IS_FINDINGS (self), NULL);

  json_object_set_int_member (root, "version", 1);
  for (guint i = 0; i < self->findings->len; i++)
    json_array_add_element (array, lacuna_finding_to_json (g_ptr_array_index (self->findings, i)));
  json_object_set_array_member (root, "findings", array);
  array = json_array_new ();
  for (guint i = 0; i < self->reports->len; i++)
    json_array_add_object_element (array, json_object_ref (g_ptr_array_index (self->reports, i)));
  json_object_set_array_member (root, "checks", array);
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, root);
  return node;
}
