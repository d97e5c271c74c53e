#define G_LOG_DOMAIN "lacuna-png"

#include "config.h"

#include <setjmp.h>

#include <png.h>
#include <gio/gio.h>
#include <glib/gi18n.h>

#include "lacuna-png.h"

typedef struct
{
  GByteArray *out;
  char        message[200];
} WriteState;

static void
write_data (png_structp png,
            png_bytep   data,
            png_size_t  length)
{
  WriteState *state = png_get_io_ptr (png);

  g_byte_array_append (state->out, data, length);
}

static void
flush_data (png_structp png)
{
}

static void
on_error (png_structp     png,
          png_const_charp message)
{
  WriteState *state = png_get_error_ptr (png);

  g_strlcpy (state->message, message, sizeof state->message);
  png_longjmp (png, 1);
}

static void
on_warning (png_structp     png,
            png_const_charp message)
{
  g_debug ("libpng: %s", message);
}

GBytes *
lacuna_png_encode (guint          width,
                   guint          height,
                   guint          channels,
                   const guint8  *pixels,
                   gsize          stride,
                   GError       **error)
{
  WriteState state = { 0, };
  png_structp png;
  png_infop info = NULL;
  const guint8 * volatile rows = pixels;

  g_return_val_if_fail (channels == 1 || channels == 3, NULL);
  g_return_val_if_fail (pixels != NULL, NULL);

  if (width == 0 || height == 0 || width > PNG_USER_WIDTH_MAX || height > PNG_USER_HEIGHT_MAX)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("A PNG cannot hold an image of %u × %u pixels"), width, height);
      return NULL;
    }

  state.out = g_byte_array_new ();
  png = png_create_write_struct (PNG_LIBPNG_VER_STRING, &state, on_error, on_warning);
  if (png != NULL)
    info = png_create_info_struct (png);
  if (png == NULL || info == NULL)
    {
      png_destroy_write_struct (&png, NULL);
      g_byte_array_unref (state.out);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not start the PNG encoder"));
      return NULL;
    }

  if (setjmp (png_jmpbuf (png)))
    {
      png_destroy_write_struct (&png, &info);
      g_byte_array_unref (state.out);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("PNG encoding failed: %s"),
                   state.message);
      return NULL;
    }

  png_set_write_fn (png, &state, write_data, flush_data);
  png_set_IHDR (png, info, width, height, 8,
                channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB,
                PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_set_compression_level (png, 6);
  png_write_info (png, info);
  for (guint y = 0; y < height; y++)
    png_write_row (png, (png_const_bytep) (rows + (gsize) y * stride));
  png_write_end (png, info);
  png_destroy_write_struct (&png, &info);

  return g_byte_array_free_to_bytes (state.out);
}
