/* lacuna-cli-pixels.c: `lacuna-cli pixels PATH [--frame N] (--raw OUT | --png OUT)`
 *
 * --raw: the frame's stored values after decompression, exactly as the decoder gives them
 *        (samples interleaved, bits_allocated wide: 8, 16 or 32 bits, 1-bit data unpacked to
 *        8), little-endian whatever the host.
 * --png: what a viewer shows with the default window: 8-bit grey for monochrome, 8-bit RGB
 *        for colour, the image's own size, nothing drawn over it.
 *
 * OUT is written atomically (OUT.tmp-XXXXXX in the same folder, then renamed over OUT) and
 * never over the input.
 */
#define G_LOG_DOMAIN "lacuna-cli-pixels"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "lacuna-core.h"
#include "lacuna-cli.h"
#include "lacuna-png.h"

/* TRUE when out names the same file as input (after symlinks), or cannot be told apart. */
static gboolean
same_file (const char *input,
           const char *out)
{
  GStatBuf in_st, out_st;
  g_autofree char *in_real = NULL;
  g_autofree char *out_real = NULL;

  if (g_stat (out, &out_st) != 0)
    return FALSE;   /* OUT does not exist (yet): it cannot be the input */
  if (g_stat (input, &in_st) == 0 && in_st.st_dev == out_st.st_dev &&
      in_st.st_ino == out_st.st_ino)
    return TRUE;
  in_real = realpath (input, NULL);
  out_real = realpath (out, NULL);
  return in_real != NULL && out_real != NULL && strcmp (in_real, out_real) == 0;
}

static gboolean
write_all (int            fd,
           const guint8  *data,
           gsize          size,
           GError       **error)
{
  while (size > 0)
    {
      gssize n = write (fd, data, size);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       _("Could not write: %s"), g_strerror (saved));
          return FALSE;
        }
      data += n;
      size -= (gsize) n;
    }
  return TRUE;
}

/* Writes bytes to out through OUT.tmp-XXXXXX in the same folder and a rename. On failure
 * the temporary file is removed and out is untouched. */
static gboolean
write_atomically (const char  *out,
                  GBytes      *bytes,
                  GError     **error)
{
  g_autofree char *tmp = g_strconcat (out, ".tmp-XXXXXX", NULL);
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  int fd;

  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0666);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not create a temporary file next to %s: %s"), out,
                   g_strerror (saved));
      return FALSE;
    }
  /* g_mkstemp_full creates 0600 whatever the mode: give the usual umask'ed mode. */
  {
    mode_t mask = umask (0);

    umask (mask);
    if (fchmod (fd, 0666 & ~mask) != 0)
      g_debug ("fchmod failed: %s", g_strerror (errno));
  }

  if (!write_all (fd, data, size, error))
    goto fail;
  if (fsync (fd) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not write %s: %s"), out, g_strerror (saved));
      goto fail;
    }
  if (close (fd) != 0)
    {
      int saved = errno;

      fd = -1;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not write %s: %s"), out, g_strerror (saved));
      goto fail;
    }
  fd = -1;
  if (g_rename (tmp, out) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not write %s: %s"), out, g_strerror (saved));
      goto fail;
    }
  return TRUE;

fail:
  if (fd >= 0)
    close (fd);
  g_unlink (tmp);
  return FALSE;
}

/* The stored values, little-endian. */
static GBytes *
dup_raw (LacunaDicomFile  *file,
         guint             frame,
         GError          **error)
{
  LacunaDicomPixelInfo info;
  char photometric[24] = "";
  g_autoptr(GBytes) stored = NULL;

  if (!lacuna_dicom_file_get_pixel_info (file, &info, error))
    return NULL;
  stored = lacuna_dicom_file_decode_frame (file, frame, photometric, error);
  if (stored == NULL)
    return NULL;

#if G_BYTE_ORDER == G_BIG_ENDIAN
  if (info.bits_allocated == 16 || info.bits_allocated == 32)
    {
      gsize size;
      guint8 *data = g_bytes_unref_to_data (g_steal_pointer (&stored), &size);

      if (info.bits_allocated == 16)
        for (gsize i = 0; i + 1 < size; i += 2)
          {
            guint16 *p = (guint16 *) (data + i);
            *p = GUINT16_SWAP_LE_BE (*p);
          }
      else
        for (gsize i = 0; i + 3 < size; i += 4)
          {
            guint32 *p = (guint32 *) (data + i);
            *p = GUINT32_SWAP_LE_BE (*p);
          }
      return g_bytes_new_take (data, size);
    }
#endif
  return g_steal_pointer (&stored);
}

static GBytes *
dup_png (LacunaDicomFile  *file,
         guint             frame,
         GError          **error)
{
  g_autoptr(LacunaFrame) decoded = lacuna_frame_decode (file, frame, error);
  g_autofree guint8 *pixels = NULL;
  double center, width;
  gboolean use_lut;
  guint w, h, channels;

  if (decoded == NULL)
    return NULL;
  w = lacuna_frame_get_width (decoded);
  h = lacuna_frame_get_height (decoded);
  channels = lacuna_frame_is_color (decoded) ? 3 : 1;
  lacuna_frame_get_default_window (decoded, &center, &width, &use_lut);
  pixels = g_malloc ((gsize) w * h * channels);
  if (channels == 3)
    lacuna_frame_render_rgb (decoded, center, width, use_lut, pixels, (gsize) w * 3);
  else
    lacuna_frame_render_grey (decoded, center, width, use_lut, pixels, w);
  return lacuna_png_encode (w, h, channels, pixels, (gsize) w * channels, error);
}

int
lacuna_cli_pixels (int    argc,
                   char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LacunaDicomFile) file = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_auto(GStrv) paths = NULL;
  g_autofree char *raw_out = NULL;
  g_autofree char *png_out = NULL;
  const char *out;
  LacunaDicomPixelInfo info;
  int frame = 1;
  GOptionEntry entries[] = {
    { "frame", 'f', 0, G_OPTION_ARG_INT, &frame,
      N_("Frame to write, counting from 1 (default: 1)"), N_("N") },
    { "raw", 0, 0, G_OPTION_ARG_FILENAME, &raw_out,
      N_("Write the stored values (after decompression, little-endian) to OUT"), N_("OUT") },
    { "png", 0, 0, G_OPTION_ARG_FILENAME, &png_out,
      N_("Write the frame as shown with its default window to OUT, an 8-bit PNG"), N_("OUT") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &paths, NULL, N_("PATH") },
    G_OPTION_ENTRY_NULL
  };

  g_set_prgname ("lacuna-cli pixels");
  context = g_option_context_new (NULL);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
    _("Write one frame of a DICOM file: its stored values (--raw) or what a viewer shows "
      "(--png)."));
  g_option_context_set_description (context,
    _("--raw writes the samples exactly as decoded, interleaved, 8, 16 or 32 bits each as "
      "allocated, little-endian. --png writes 8-bit grey (monochrome) or RGB (colour) at the "
      "image's own size with the file's default window.\n"
      "OUT is written through a temporary file in the same folder and never over PATH.\n"
      "Exit status: 0 success, 1 failure (no pixels, frame out of range, …), 2 usage error."));

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("lacuna-cli pixels: %s\n", error->message);
      return LACUNA_CLI_EXIT_USAGE;
    }
  if (paths == NULL || paths[0] == NULL || paths[1] != NULL)
    {
      g_printerr ("lacuna-cli pixels: %s\n", _("Give exactly one PATH."));
      return LACUNA_CLI_EXIT_USAGE;
    }
  if ((raw_out == NULL) == (png_out == NULL))
    {
      g_printerr ("lacuna-cli pixels: %s\n", _("Give either --raw OUT or --png OUT."));
      return LACUNA_CLI_EXIT_USAGE;
    }
  out = raw_out != NULL ? raw_out : png_out;

  if (same_file (paths[0], out))
    {
      g_printerr ("lacuna-cli pixels: %s\n", _("OUT is the input file: refusing to overwrite it."));
      return LACUNA_CLI_EXIT_FAILED;
    }

  file = lacuna_dicom_file_open (paths[0], LACUNA_DICOM_OPEN_DEFAULT, &error);
  if (file == NULL)
    {
      g_printerr ("lacuna-cli pixels: %s: %s\n", paths[0], error->message);
      return LACUNA_CLI_EXIT_FAILED;
    }
  if (!lacuna_dicom_file_get_pixel_info (file, &info, &error))
    {
      g_printerr ("lacuna-cli pixels: %s: %s\n", paths[0], error->message);
      return LACUNA_CLI_EXIT_FAILED;
    }
  if (frame < 1 || (guint) frame > info.n_frames)
    {
      g_printerr ("lacuna-cli pixels: %s: ", paths[0]);
      g_printerr (g_dngettext (GETTEXT_PACKAGE,
                               "frame %d is out of range: the image has %u frame",
                               "frame %d is out of range: the image has %u frames",
                               info.n_frames),
                  frame, info.n_frames);
      g_printerr ("\n");
      return LACUNA_CLI_EXIT_FAILED;
    }

  if (raw_out != NULL)
    bytes = dup_raw (file, (guint) frame - 1, &error);
  else
    bytes = dup_png (file, (guint) frame - 1, &error);
  if (bytes == NULL)
    {
      g_printerr ("lacuna-cli pixels: %s: %s\n", paths[0], error->message);
      return LACUNA_CLI_EXIT_FAILED;
    }

  if (!write_atomically (out, bytes, &error))
    {
      g_printerr ("lacuna-cli pixels: %s\n", error->message);
      return LACUNA_CLI_EXIT_FAILED;
    }
  return LACUNA_CLI_EXIT_OK;
}
