/* The fast paths of the verification of written pixels against straightforward references,
 * on real data: the frame rendered for the text finder (native samples without a copy, the
 * display table filled by runs) against the display pipeline applied pixel by pixel, and
 * the text-region finder (dilation and labelling on runs) against its former
 * implementation (reference-text-regions.c), which must give the same regions, glyph
 * counts, mask hashes and box counts. */
#define G_LOG_DOMAIN "test-verify-exact"

#include "config.h"

#include <math.h>
#include <string.h>

#include "lacuna-core.h"
#include "lacuna-burned-in.h"
#include "lacuna-frame-private.h"
#include "lacuna-redact.h"
#include "lacuna-text-regions.h"
#include "lacuna-test-util.h"

#include "reference-text-regions.c"

/* Frames checked per file at most (a cine's first ones). */
#define MAX_FRAMES 12

typedef struct
{
  guint files;
  guint frames;
  guint native_frames;
  guint colour_frames;
  guint lazy_frames;
  guint lazy_regions;
  guint regions;
  guint mask_pixels;
} Stats;

/* ---------------------------------------------------------------------------------------- */
/* References                                                                               */

static inline guint8
luminance (const guint8 *rgb)
{
  return (guint8) ((299 * rgb[0] + 587 * rgb[1] + 114 * rgb[2] + 500) / 1000);
}

/* The display byte of every pixel, one at a time through the public pipeline: padding is
 * black, else the VOI (and presentation) of the pixel's modality value. */
static void
reference_render_grey (LacunaFrame *frame,
                       double       center,
                       double       width,
                       guint8      *out)
{
  guint w = lacuna_frame_get_width (frame), h = lacuna_frame_get_height (frame);

  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++)
      out[(gsize) y * w + x] =
        lacuna_frame_is_padding (frame, x, y)
        ? 0
        : _lacuna_frame_display_value (frame, lacuna_frame_get_value (frame, x, y), center,
                                       width, FALSE);
}

/* What the text finder saw before: grey over the whole range of values (colour: the
 * luminance of the RGB rendering), and the RGB rendering of colour frames. */
static void
reference_render_text (LacunaFrame  *frame,
                       guint8       *grey,
                       guint8      **out_rgb)
{
  guint w = lacuna_frame_get_width (frame), h = lacuna_frame_get_height (frame);
  double min = 0, max = 0;

  *out_rgb = NULL;
  if (lacuna_frame_is_color (frame))
    {
      guint8 *rgb = g_malloc ((gsize) w * h * 3);

      lacuna_frame_render_rgb (frame, 128, 256, FALSE, rgb, (gsize) w * 3);
      for (gsize i = 0; i < (gsize) w * h; i++)
        grey[i] = luminance (rgb + 3 * i);
      *out_rgb = rgb;
      return;
    }
  lacuna_frame_get_value_range (frame, &min, &max);
  if (max > min)
    reference_render_grey (frame, (min + max) / 2.0, max - min + 1, grey);
  else
    memset (grey, 0, (gsize) w * h);
}

/* ---------------------------------------------------------------------------------------- */
/* Comparisons                                                                              */

static void
assert_same_bytes (const guint8 *fast,
                   const guint8 *reference,
                   gsize         size,
                   const char   *what,
                   const char   *path,
                   guint         frame)
{
  for (gsize i = 0; i < size; i++)
    if (fast[i] != reference[i])
      g_error ("%s of %s frame %u differs at byte %" G_GSIZE_FORMAT ": %u, reference %u",
               what, path, frame, i, fast[i], reference[i]);
}

/* The finder on grey/rgb against the reference: regions, glyphs, hash, and the counts of
 * the candidate mask in the regions found and in a grid of boxes. */
static void
compare_finder (const guint8 *grey,
                const guint8 *rgb,
                guint         w,
                guint         h,
                const char   *path,
                guint         frame,
                Stats        *stats)
{
  g_autoptr(GArray) fast = NULL;
  g_autoptr(GArray) reference = NULL;
  g_autoptr(GArray) boxes = g_array_new (FALSE, FALSE, sizeof (int));
  g_autofree guint *counts = NULL;
  g_autofree guint *ref_counts = NULL;
  guint64 hash = 0, ref_hash = 0;
  gsize rgb_stride = rgb != NULL ? (gsize) w * 3 : 0;
  int whole[4] = { 0, 0, (int) w, (int) h };

  fast = lacuna_text_regions_find (grey, w, h, w, rgb, rgb_stride, NULL, &hash);
  reference = reference_text_regions_find (grey, w, h, w, rgb, rgb_stride, NULL, &ref_hash);
  if (fast->len != reference->len)
    g_error ("%s frame %u: %u regions, reference %u", path, frame, fast->len, reference->len);
  for (guint i = 0; i < fast->len; i++)
    {
      const LacunaTextRegion *a = &g_array_index (fast, LacunaTextRegion, i);
      const LacunaTextRegion *b = &g_array_index (reference, LacunaTextRegion, i);

      if (memcmp (a->box, b->box, sizeof a->box) != 0 || a->n_glyphs != b->n_glyphs)
        g_error ("%s frame %u: region %u differs from the reference", path, frame, i);
      g_array_append_vals (boxes, a->box, 4);
    }
  g_assert_cmpuint (hash, ==, ref_hash);
  stats->regions += fast->len;

  /* A grid of boxes (some past the edges) and the whole frame. */
  for (int y = -8; y < (int) h; y += MAX (16, (int) h / 5))
    for (int x = -8; x < (int) w; x += MAX (16, (int) w / 5))
      {
        int box[4] = { x, y, MAX (20, (int) w / 4), MAX (12, (int) h / 6) };

        g_array_append_vals (boxes, box, 4);
      }
  g_array_append_vals (boxes, whole, 4);
  counts = g_new0 (guint, boxes->len / 4);
  ref_counts = g_new0 (guint, boxes->len / 4);
  lacuna_text_regions_count_mask_boxes (grey, w, h, w, rgb, rgb_stride, NULL,
                                        (const int *) boxes->data, boxes->len / 4, counts);
  reference_text_regions_count_mask_boxes (grey, w, h, w, rgb, rgb_stride, NULL,
                                           (const int *) boxes->data, boxes->len / 4,
                                           ref_counts);
  for (guint i = 0; i < boxes->len / 4; i++)
    g_assert_cmpuint (counts[i], ==, ref_counts[i]);
  g_assert_cmpuint (lacuna_text_regions_count_mask (grey, w, h, w, rgb, rgb_stride, NULL, whole),
                    ==, reference_text_regions_count_mask (grey, w, h, w, rgb, rgb_stride, NULL,
                                                           whole));
  stats->mask_pixels += counts[boxes->len / 4 - 1];
}

/* Grey rendered on demand, as the scan does. */
typedef struct
{
  LacunaFrame *frame;
  guint8      *grey;
} Lazy;

static void
lazy_ensure (int      x0,
             int      y0,
             int      x1,
             int      y1,
             gpointer data)
{
  Lazy *lazy = data;

  _lacuna_frame_text_render_rect (lazy->frame, lazy->grey, x0, y0, x1, y1);
}

/* The finder without a complete rendering (the scan of a single grey frame): the
 * brightest value, the mask from the stored values, the regions found with grey rendered
 * only where asked for (starting from grey all `poison`: a read elsewhere would show), the
 * box counts, and the grey rendered around each line (what OCR reads) against the
 * reference. FALSE when the frame does not take that path. */
static gboolean
compare_lazy (LacunaFrame  *frame,
              const guint8 *ref_grey,
              guint8        poison,
              const char   *path,
              guint         f,
              Stats        *stats)
{
  guint w = lacuna_frame_get_width (frame), h = lacuna_frame_get_height (frame);
  gsize n = (gsize) w * h;
  g_autofree guint8 *grey = g_malloc (n);
  g_autofree guint8 *mask = g_malloc (n);
  g_autofree guint8 *ref_mask = g_malloc (n);
  g_autoptr(GArray) regions = NULL;
  g_autoptr(GArray) reference = NULL;
  guint64 hash = 0, ref_hash = 0;
  guint8 max = 0, ref_max = 0;
  int high, low;
  Lazy lazy = { frame, grey };
  int boxes[5][4] = { { 0, 0, (int) w, (int) h }, { 8, 8, 192, 40 }, { -4, -4, 30, 30 },
                      { (int) w / 3, (int) h / 3, (int) w / 3, (int) h / 3 },
                      { (int) w - 20, (int) h - 10, 40, 40 } };
  guint counts[5], ref_counts[5];

  if (!_lacuna_frame_text_prepare (frame, &max))
    return FALSE;
  for (gsize i = 0; i < n; i++)
    ref_max = MAX (ref_max, ref_grey[i]);
  g_assert_cmpuint (max, ==, ref_max);

  _lacuna_text_regions_levels (max, NULL, &high, &low);
  _lacuna_frame_text_mask (frame, high, low, mask);
  for (gsize i = 0; i < n; i++)
    ref_mask[i] = (guint8) ((ref_grey[i] >= high) + (ref_grey[i] >= low));
  assert_same_bytes (mask, ref_mask, n, "mask", path, f);

  memset (grey, poison, n);
  regions = _lacuna_text_regions_find_in_mask (grey, w, h, w, mask, lazy_ensure, &lazy, NULL,
                                               &hash);
  reference = reference_text_regions_find (ref_grey, w, h, w, NULL, 0, NULL, &ref_hash);
  g_assert_cmpuint (regions->len, ==, reference->len);
  for (guint i = 0; i < regions->len; i++)
    {
      const LacunaTextRegion *a = &g_array_index (regions, LacunaTextRegion, i);
      const LacunaTextRegion *b = &g_array_index (reference, LacunaTextRegion, i);
      int margin = MAX (2, a->box[3] / 6);
      int x0 = MAX (0, a->box[0] - margin), y0 = MAX (0, a->box[1] - margin);
      int x1 = MIN ((int) w, a->box[0] + a->box[2] + margin);
      int y1 = MIN ((int) h, a->box[1] + a->box[3] + margin);

      if (memcmp (a->box, b->box, sizeof a->box) != 0 || a->n_glyphs != b->n_glyphs)
        g_error ("%s frame %u: region %u (lazy) differs from the reference", path, f, i);
      /* What OCR reads of the line. */
      _lacuna_frame_text_render_rect (frame, grey, x0, y0, x1, y1);
      for (int y = y0; y < y1; y++)
        assert_same_bytes (grey + (gsize) y * w + x0, ref_grey + (gsize) y * w + x0,
                           (gsize) (x1 - x0), "grey around a line", path, f);
    }
  g_assert_cmpuint (hash, ==, ref_hash);
  stats->lazy_regions += regions->len;

  _lacuna_text_regions_count_in_mask (mask, w, h, (const int *) boxes, G_N_ELEMENTS (boxes),
                                      counts);
  reference_text_regions_count_mask_boxes (ref_grey, w, h, w, NULL, 0, NULL,
                                           (const int *) boxes, G_N_ELEMENTS (boxes),
                                           ref_counts);
  for (guint i = 0; i < G_N_ELEMENTS (boxes); i++)
    g_assert_cmpuint (counts[i], ==, ref_counts[i]);
  return TRUE;
}

/* Every frame (up to MAX_FRAMES) of file: the fast render (on the native samples when the
 * file holds them, and on a decoded copy) against the reference render, then the finder on
 * it against the reference finder. */
static void
check_file (LacunaDicomFile *file,
            const char      *path,
            Stats           *stats)
{
  LacunaDicomPixelInfo info;
  g_autoptr(GError) error = NULL;
  const guint8 *native;
  gsize native_size = 0;
  guint n_native = 0;

  if (!lacuna_dicom_file_get_pixel_info (file, &info, &error))
    return;
  native = lacuna_dicom_file_peek_native_pixels (file, &native_size, &n_native);
  if (n_native != info.n_frames)
    native = NULL;
  stats->files++;

  for (guint f = 0; f < info.n_frames && f < MAX_FRAMES; f++)
    {
      g_autoptr(GError) ref_error = NULL;
      g_autoptr(GError) fast_error = NULL;
      g_autoptr(LacunaFrame) reference = lacuna_frame_decode (file, f, &ref_error);
      g_autoptr(LacunaFrame) copy = NULL;
      g_autoptr(LacunaFrame) fast = NULL;
      g_autofree guint8 *ref_grey = NULL;
      g_autofree guint8 *ref_rgb = NULL;
      g_autofree guint8 *grey = NULL;
      g_autofree guint8 *copy_grey = NULL;
      const guint8 *rgb = NULL, *copy_rgb = NULL;
      guint w, h;

      copy = _lacuna_frame_decode_with_info (file, f, &info, NULL, 0, &fast_error);
      /* The same frames decode, with the same error. */
      g_assert_true ((reference == NULL) == (copy == NULL));
      if (reference == NULL)
        {
          g_assert_cmpint (ref_error->code, ==, fast_error->code);
          return;
        }
      if (native != NULL)
        {
          fast = _lacuna_frame_decode_with_info (file, f, &info, native + (gsize) f * native_size,
                                                 native_size, &error);
          g_assert_no_error (error);
          stats->native_frames++;
        }
      w = lacuna_frame_get_width (reference);
      h = lacuna_frame_get_height (reference);
      ref_grey = g_malloc ((gsize) w * h);
      grey = g_malloc ((gsize) w * h);
      copy_grey = g_malloc ((gsize) w * h);

      reference_render_text (reference, ref_grey, &ref_rgb);
      _lacuna_frame_render_text (copy, copy_grey, &copy_rgb);
      assert_same_bytes (copy_grey, ref_grey, (gsize) w * h, "grey (decoded)", path, f);
      g_assert_true ((copy_rgb == NULL) == (ref_rgb == NULL));
      if (ref_rgb != NULL)
        {
          assert_same_bytes (copy_rgb, ref_rgb, (gsize) w * h * 3, "RGB (decoded)", path, f);
          stats->colour_frames++;
        }
      if (fast != NULL)
        {
          _lacuna_frame_render_text (fast, grey, &rgb);
          assert_same_bytes (grey, ref_grey, (gsize) w * h, "grey (native)", path, f);
          g_assert_true ((rgb == NULL) == (ref_rgb == NULL));
          if (ref_rgb != NULL)
            assert_same_bytes (rgb, ref_rgb, (gsize) w * h * 3, "RGB (native)", path, f);
        }
      stats->frames++;

      compare_finder (ref_grey, ref_rgb, w, h, path, f, stats);
      if (compare_lazy (copy, ref_grey, 0, path, f, stats))
        {
          g_assert_true (compare_lazy (copy, ref_grey, 255, path, f, stats));
          if (fast != NULL)
            g_assert_true (compare_lazy (fast, ref_grey, 0, path, f, stats));
          stats->lazy_frames++;
        }
    }
}

/* The same file with a box filled black on every frame (what the verification reads:
 * black is often far below the other values, e.g. -32768 in signed CT). */
static LacunaDicomFile *
dup_redacted (LacunaDicomFile *file)
{
  g_autoptr(GError) error = NULL;
  LacunaDicomPixelInfo info;
  LacunaRedactResult result = { 0, };
  LacunaRedactBox box = { -1, 0, 0, 0, 0 };
  LacunaDicomFile *copy;

  if (!lacuna_dicom_file_get_pixel_info (file, &info, NULL))
    return NULL;
  copy = lacuna_dicom_file_copy (file, &error);
  g_assert_no_error (error);
  box.x = info.columns / 8;
  box.y = info.rows / 8;
  box.width = MAX (1, info.columns / 3);
  box.height = MAX (1, info.rows / 10);
  if (!lacuna_redact_apply (copy, &box, 1, &result, NULL))
    g_clear_pointer (&copy, lacuna_dicom_file_free);
  lacuna_redact_result_clear (&result);
  return copy;
}

static void
check_path (const char *path,
            Stats      *stats)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LacunaDicomFile) file = lacuna_dicom_file_open (path, LACUNA_DICOM_OPEN_DEFAULT,
                                                            &error);
  g_autoptr(LacunaDicomFile) redacted = NULL;
  LacunaDicomPixelInfo info;

  if (file == NULL || !lacuna_dicom_file_get_pixel_info (file, &info, NULL))
    return;
  /* Keep the run short: big frames are checked in the folders that hold text. */
  if ((guint64) info.rows * info.columns * MIN (info.n_frames, MAX_FRAMES) > 8u << 20)
    return;
  check_file (file, path, stats);
  redacted = dup_redacted (file);
  if (redacted != NULL)
    check_file (redacted, path, stats);

  /* Grey with fewer bits stored than allocated (10 of 16 in the CR with burned-in text):
   * the same pixels declared with every bit stored, which takes the scan's path without a
   * complete rendering. */
  if (info.samples_per_pixel == 1 && info.bits_stored < info.bits_allocated &&
      (info.bits_allocated == 8 || info.bits_allocated == 16))
    {
      g_autoptr(LacunaDicomFile) widened = lacuna_dicom_file_copy (file, NULL);
      g_autofree char *bits = g_strdup_printf ("%u", info.bits_allocated);
      g_autofree char *high = g_strdup_printf ("%u", info.bits_allocated - 1);

      if (widened != NULL && lacuna_dicom_file_set_string (widened, "00280101", "US", bits,
                                                           NULL) &&
          lacuna_dicom_file_set_string (widened, "00280102", "US", high, NULL))
        check_file (widened, path, stats);
    }
}

static void
check_folder (const char *relative,
              guint       min_files,
              guint       min_regions,
              guint       min_lazy_regions)
{
  g_autofree char *dir = lacuna_test_dup_testdata (relative);
  g_autoptr(GPtrArray) paths = NULL;
  Stats stats = { 0, };

  if (dir == NULL)
    return;
  paths = lacuna_test_list_files (dir);
  for (guint i = 0; i < paths->len; i++)
    check_path (g_ptr_array_index (paths, i), &stats);
  g_test_message ("%s: %u files, %u frames (%u native, %u colour, %u lazy with %u regions), "
                  "%u regions, %u mask pixels", relative, stats.files, stats.frames,
                  stats.native_frames, stats.colour_frames, stats.lazy_frames,
                  stats.lazy_regions, stats.regions, stats.mask_pixels);
  /* The comparisons must have had something to compare. */
  g_assert_cmpuint (stats.files, >=, min_files);
  g_assert_cmpuint (stats.regions, >=, min_regions);
  g_assert_cmpuint (stats.lazy_regions, >=, min_lazy_regions);
}

/* ---------------------------------------------------------------------------------------- */
/* Tests                                                                                    */

static void
test_phi_burned_in (void)
{
  check_folder ("phi-burned-in", 4, 10, 5);
}

static void
test_variety (void)
{
  check_folder ("variety", 40, 1, 1);
}

static void
test_series_ct (void)
{
  check_folder ("series-ct", 3, 0, 0);
}

static void
test_sample (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = lacuna_sample_dup_path (&error);
  g_autoptr(GPtrArray) paths = NULL;
  Stats stats = { 0, };

  g_assert_no_error (error);
  paths = lacuna_test_list_files (dir);
  for (guint i = 0; i < paths->len; i++)
    check_path (g_ptr_array_index (paths, i), &stats);
  g_test_message ("sample: %u files, %u frames (%u native, %u colour, %u lazy with %u "
                  "regions), %u regions", stats.files, stats.frames, stats.native_frames,
                  stats.colour_frames, stats.lazy_frames, stats.lazy_regions, stats.regions);
  g_assert_cmpuint (stats.files, >=, 5);
  g_assert_cmpuint (stats.colour_frames, >=, 1);
  g_assert_cmpuint (stats.regions, >=, 4);
}

/* The display table (filled by runs for a linear window) against the pipeline pixel by
 * pixel, for windows of every kind: narrow, of width 1 and below, off the values, huge,
 * fractional; on signed CT with the black of a redaction, with a negative slope, on
 * MONOCHROME1, on 8-bit data and 12 or 14 bits stored in 16. */
static void
test_display_table (void)
{
  static const char *files[] = {
    "series-ct",
    "variety/monochrome1",
    "variety/pydicom_debian_test_files/CT_small.dcm",
    "variety/pydicom_debian_test_files/MR_small.dcm",
    "variety/pydicom_debian_test_files/image_dfl.dcm",
    "variety/pydicom_debian_test_files/JPGExtended.dcm",
    "variety/pydicom_debian_test_files/693_J2KI.dcm",
    "variety/transfer-syntaxes/orthanc_1.2.840.10008.1.2.dcm",
  };
  static const double windows[][2] = {
    { 40, 400 }, { -600, 1500 }, { 0, 1 }, { 0.5, 0.5 }, { 100, 0 }, { 3, 2 },
    { 1000.25, 3.75 }, { -1e6, 10 }, { 1e6, 10 }, { 0, 1e9 }, { 127.5, 256 }, { 2048, 4096 },
  };
  guint checked = 0;

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *dir = lacuna_test_dup_testdata (files[i]);
      g_autoptr(GPtrArray) paths = NULL;

      if (dir == NULL)
        return;
      if (g_file_test (dir, G_FILE_TEST_IS_DIR))
        paths = lacuna_test_list_files (dir);
      else
        {
          paths = g_ptr_array_new_with_free_func (g_free);
          g_ptr_array_add (paths, g_strdup (dir));
        }
      for (guint k = 0; k < paths->len && k < 2; k++)
        {
          const char *path = g_ptr_array_index (paths, k);
          g_autoptr(GError) error = NULL;
          g_autoptr(LacunaDicomFile) file = lacuna_dicom_file_open (path, 0, &error);
          g_autoptr(LacunaDicomFile) redacted = NULL;
          LacunaDicomFile *variants[3];

          if (file == NULL)
            continue;
          redacted = dup_redacted (file);
          variants[0] = file;
          variants[1] = redacted;
          variants[2] = NULL;
          for (guint v = 0; v < 3; v++)
            {
              g_autoptr(LacunaFrame) frame = NULL;
              g_autofree guint8 *fast = NULL;
              g_autofree guint8 *reference = NULL;
              guint w, h;

              if (v == 2)
                {
                  /* A negative slope (inverts the order of the values). */
                  variants[2] = lacuna_dicom_file_copy (file, &error);
                  g_assert_no_error (error);
                  g_assert_true (lacuna_dicom_file_set_string (variants[2], "00281053", "DS",
                                                               "-2.5", &error));
                  g_assert_true (lacuna_dicom_file_set_string (variants[2], "00281052", "DS",
                                                               "100", &error));
                  g_assert_no_error (error);
                }
              if (variants[v] == NULL)
                continue;
              frame = lacuna_frame_decode (variants[v], 0, NULL);
              if (frame == NULL || lacuna_frame_is_color (frame))
                continue;
              w = lacuna_frame_get_width (frame);
              h = lacuna_frame_get_height (frame);
              fast = g_malloc ((gsize) w * h);
              reference = g_malloc ((gsize) w * h);
              for (guint k2 = 0; k2 < G_N_ELEMENTS (windows); k2++)
                {
                  lacuna_frame_render_grey (frame, windows[k2][0], windows[k2][1], FALSE, fast,
                                            w);
                  reference_render_grey (frame, windows[k2][0], windows[k2][1], reference);
                  assert_same_bytes (fast, reference, (gsize) w * h, "window", path, k2);
                  checked++;
                }
            }
          g_clear_pointer (&variants[2], lacuna_dicom_file_free);
        }
    }
  g_test_message ("%u renderings compared", checked);
  g_assert_cmpuint (checked, >=, 50);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/verify-exact/phi-burned-in", test_phi_burned_in);
  g_test_add_func ("/verify-exact/variety", test_variety);
  g_test_add_func ("/verify-exact/series-ct", test_series_ct);
  g_test_add_func ("/verify-exact/sample", test_sample);
  g_test_add_func ("/verify-exact/display-table", test_display_table);

  return g_test_run ();
}
