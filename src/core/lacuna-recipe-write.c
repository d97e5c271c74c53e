/* lacuna-recipe-write.c: LacunaDeidOptions → recipe JSON. */
#define G_LOG_DOMAIN "lacuna-recipe-write"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "lacuna-recipe-write.h"

static const char *
override_action_name (LacunaDeidOverrideAction action)
{
  switch (action)
    {
    case LACUNA_DEID_OVERRIDE_KEEP:
      return "keep";
    case LACUNA_DEID_OVERRIDE_REMOVE:
      return "remove";
    case LACUNA_DEID_OVERRIDE_REPLACE:
    default:
      return "replace";
    }
}

JsonNode *
lacuna_deid_options_to_json (const LacunaDeidOptions *options)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  guint n_infos = 0;
  const LacunaProfileOptionInfo *infos = lacuna_profile_get_options (&n_infos);

  g_return_val_if_fail (options != NULL, NULL);

  json_builder_begin_object (b);

  json_builder_set_member_name (b, "options");
  json_builder_begin_array (b);
  for (guint i = 0; i < n_infos; i++)
    if (options->options & infos[i].option)
      json_builder_add_string_value (b, infos[i].cli_name);
  json_builder_end_array (b);

  json_builder_set_member_name (b, "date-shift-max-days");
  json_builder_add_int_value (b, options->date_shift_max_days);

  if (options->patient_name != NULL)
    {
      json_builder_set_member_name (b, "patient-name");
      json_builder_add_string_value (b, options->patient_name);
    }
  if (options->patient_id != NULL)
    {
      json_builder_set_member_name (b, "patient-id");
      json_builder_add_string_value (b, options->patient_id);
    }

  json_builder_set_member_name (b, "include-unknown-payloads");
  json_builder_add_boolean_value (b, options->include_unknown_payloads);

  json_builder_set_member_name (b, "overrides");
  json_builder_begin_array (b);
  for (guint i = 0; options->overrides != NULL && i < options->overrides->len; i++)
    {
      const LacunaDeidOverride *o = g_ptr_array_index (options->overrides, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "path");
      json_builder_add_string_value (b, o->path);
      json_builder_set_member_name (b, "action");
      json_builder_add_string_value (b, override_action_name (o->action));
      if (o->action == LACUNA_DEID_OVERRIDE_REPLACE)
        {
          json_builder_set_member_name (b, "value");
          json_builder_add_string_value (b, o->value != NULL ? o->value : "");
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "boxes");
  json_builder_begin_array (b);
  for (guint i = 0; options->boxes != NULL && i < options->boxes->len; i++)
    {
      const LacunaDeidBox *box = g_ptr_array_index (options->boxes, i);

      json_builder_begin_object (b);
      if (box->sop_instance_uid != NULL)
        {
          json_builder_set_member_name (b, "sop");
          json_builder_add_string_value (b, box->sop_instance_uid);
        }
      json_builder_set_member_name (b, "frames");
      switch (box->scope)
        {
        case LACUNA_DEID_BOX_FRAMES:
          json_builder_begin_array (b);
          for (guint f = 0; f < box->n_frames; f++)
            json_builder_add_int_value (b, box->frames[f]);
          json_builder_end_array (b);
          break;
        case LACUNA_DEID_BOX_SAME_SIZE_IN_SERIES:
          json_builder_add_string_value (b, "same-size-in-series");
          break;
        case LACUNA_DEID_BOX_ALL_FRAMES:
        default:
          json_builder_add_string_value (b, "all");
          break;
        }
      json_builder_set_member_name (b, "x");
      json_builder_add_int_value (b, box->x);
      json_builder_set_member_name (b, "y");
      json_builder_add_int_value (b, box->y);
      json_builder_set_member_name (b, "width");
      json_builder_add_int_value (b, box->width);
      json_builder_set_member_name (b, "height");
      json_builder_add_int_value (b, box->height);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_end_object (b);
  return json_builder_get_root (b);
}

char *
lacuna_deid_options_to_recipe (const LacunaDeidOptions *options)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonGenerator) gen = json_generator_new ();

  g_return_val_if_fail (options != NULL, NULL);

  root = lacuna_deid_options_to_json (options);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  json_generator_set_indent (gen, 2);
  return json_generator_to_data (gen, NULL);
}

gboolean
lacuna_deid_options_save_recipe (const LacunaDeidOptions  *options,
                                 const char               *path,
                                 GError                  **error)
{
  g_autofree char *text = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *tmpl = NULL;
  gsize len;
  gsize done = 0;
  int fd;

  g_return_val_if_fail (options != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  text = lacuna_deid_options_to_recipe (options);
  len = strlen (text);
  dir = g_path_get_dirname (path);
  tmpl = g_build_filename (dir, ".lacuna-recipe-XXXXXX", NULL);
  fd = g_mkstemp_full (tmpl, O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0)
    {
      int saved = errno;
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not write the recipe %s: %s"), display, g_strerror (saved));
      return FALSE;
    }
  while (done < len)
    {
      gssize n = write (fd, text + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      done += (gsize) n;
    }
  if (done < len || fsync (fd) != 0 || close (fd) != 0 || g_rename (tmpl, path) != 0)
    {
      int saved = errno;
      g_autofree char *display = g_filename_display_name (path);

      if (done < len)
        close (fd);
      g_unlink (tmpl);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not write the recipe %s: %s"), display, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

gboolean
lacuna_deid_options_equal_recipe (const LacunaDeidOptions *a,
                                  const LacunaDeidOptions *b)
{
  g_autofree char *ta = NULL;
  g_autofree char *tb = NULL;

  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  ta = lacuna_deid_options_to_recipe (a);
  tb = lacuna_deid_options_to_recipe (b);
  return g_strcmp0 (ta, tb) == 0;
}
