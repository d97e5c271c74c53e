/* lacuna-dicom-elements.cc: walking, reading and editing elements by path. */
#define G_LOG_DOMAIN "lacuna-dicom"

#include <cstring>
#include <exception>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dctk.h"

#include "lacuna-dicom-private.h"

#define MAX_BINARY_TEXT 64

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                  */

static void
set_caught (GError     **error,
            const char  *what)
{
  g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_FAILED, "%s failed unexpectedly",
               what);
}

static guint32
key_to_tag (const DcmTagKey &key)
{
  return ((guint32) key.getGroup () << 16) | key.getElement ();
}

static DcmEVR
valid_evr (DcmEVR evr)
{
  return DcmVR (evr).getValidEVR ();
}

static bool
is_string_vr (DcmEVR evr)
{
  switch (evr)
    {
    case EVR_AE: case EVR_AS: case EVR_CS: case EVR_DA: case EVR_DS: case EVR_DT:
    case EVR_IS: case EVR_LO: case EVR_LT: case EVR_PN: case EVR_SH: case EVR_ST:
    case EVR_TM: case EVR_UC: case EVR_UI: case EVR_UR: case EVR_UT:
      return true;
    default:
      return false;
    }
}

static bool
is_number_vr (DcmEVR evr)
{
  switch (evr)
    {
    case EVR_US: case EVR_SS: case EVR_UL: case EVR_SL: case EVR_FL: case EVR_FD:
    case EVR_SV: case EVR_UV:
      return true;
    default:
      return false;
    }
}

static bool
is_sequence (DcmElement *el)
{
  return el->ident () == EVR_SQ;
}

/* Encapsulated (compressed) pixel data, as read: no plain value to give. */
static bool
is_encapsulated (DcmElement *el)
{
  return el->ident () == EVR_PixelData && el->getLengthField () == DCM_UndefinedLength;
}

static DcmEVR
element_evr (DcmElement *el)
{
  if (is_sequence (el))
    return EVR_SQ;
  return valid_evr (el->getTag ().getEVR ());
}

static const char *
vr_name (DcmEVR evr)
{
  /* Every walk asks for every element's: looked up once. */
  static const std::vector<const char *> names = [] {
    std::vector<const char *> table ((size_t) EVR_UNKNOWN2B + 1);

    for (size_t i = 0; i < table.size (); i++)
      {
        DcmEVR e = (DcmEVR) i;

        table[i] = e == EVR_UNKNOWN || e == EVR_UNKNOWN2B || e == EVR_na
                     ? "UN" : DcmVR (valid_evr (e)).getVRName ();
      }
    return table;
  } ();

  if ((size_t) evr < names.size ())
    return names[(size_t) evr];
  return DcmVR (valid_evr (evr)).getVRName ();
}

static void
strip_padding (std::string &s)
{
  while (!s.empty () && (s.back () == ' ' || s.back () == '\0'))
    s.pop_back ();
}

/* Makes text valid UTF-8. When the character set could not be converted, every byte
 * outside ASCII becomes U+FFFD, as promised by lacuna_dicom_file_charset_failed(). */
static std::string
sanitize (const std::string &in,
          bool               charset_failed)
{
  std::string out;
  const char *end = NULL;

  if (charset_failed)
    {
      for (unsigned char c : in)
        {
          if (c < 0x80)
            out += (char) c;
          else
            out += "\xEF\xBF\xBD";
        }
      return out;
    }
  if (g_utf8_validate (in.data (), (gssize) in.size (), &end))
    return in;

  {
    g_autofree char *valid = g_utf8_make_valid (in.data (), (gssize) in.size ());
    return std::string (valid);
  }
}

static std::string
format_at (DcmElement *el)
{
  std::string out;
  unsigned long vm = el->getVM ();

  for (unsigned long i = 0; i < vm; i++)
    {
      DcmTagKey key;
      char buf[16];

      if (el->getTagVal (key, i).bad ())
        break;
      g_snprintf (buf, sizeof buf, "(%04X,%04X)", key.getGroup (), key.getElement ());
      if (i > 0)
        out += '\\';
      out += buf;
    }
  return out;
}

/* The UTF-8 text of a value for walk and dup_string; false when there is none to give
 * (sequences, binary values above limit, encapsulated pixel data). */
static bool
value_text (DcmElement  *el,
            bool         charset_failed,
            gsize        binary_limit,
            std::string &out)
{
  DcmEVR evr = element_evr (el);
  OFString s;

  out.clear ();
  if (evr == EVR_SQ)
    return false;
  if (evr == EVR_AT)
    {
      out = format_at (el);
      return true;
    }
  if (!is_string_vr (evr) && !is_number_vr (evr))
    {
      Uint32 length = el->getLengthField ();

      if (length == DCM_UndefinedLength || length > binary_limit || is_encapsulated (el))
        return false;
    }
  if (el->getOFStringArray (s).bad ())
    return is_string_vr (evr) || is_number_vr (evr);
  out.assign (s.c_str (), s.length ());
  if (is_string_vr (evr))
    {
      /* Some writers pad with NUL instead of a space. */
      while (!out.empty () && out.back () == '\0')
        out.pop_back ();
      /* Valid UTF-8 (the usual case) is kept as it is, without a copy. */
      if (charset_failed || !g_utf8_validate (out.data (), (gssize) out.size (), NULL))
        out = sanitize (out, charset_failed);
    }
  return true;
}

/* ---------------------------------------------------------------------------------------- */
/* Finding                                                                                  */

static DcmItem *
root_item (LacunaDicomFile *file,
           guint32          first_tag)
{
  if ((first_tag >> 16) == 0x0002)
    return file->format.getMetaInfo ();
  return file->format.getDataset ();
}

static void
set_not_found (GError **error,
               guint32  tag)
{
  g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_NOT_FOUND,
               "no element (%04X,%04X)", tag >> 16, tag & 0xFFFF);
}

/* The element of item with key, or NULL. DCMTK keeps an item's elements in ascending tag
 * order (DcmItem::insert ()), so the search stops at the first larger tag; DCMTK's own
 * search goes to the end of the list for a tag that is absent (a lookup of a meta header
 * tag in the dataset read every element of the dataset). */
static DcmElement *
find_in_item (DcmItem         *item,
              const DcmTagKey &key)
{
  for (DcmObject *obj = item->nextInContainer (NULL); obj != NULL;
       obj = item->nextInContainer (obj))
    {
      const DcmTagKey &tag = obj->getTag ();

      if (tag == key)
        return OFstatic_cast (DcmElement *, obj);
      if (key < tag)
        return NULL;
    }
  return NULL;
}

DcmItem *
_lacuna_dicom_find_parent (LacunaDicomFile  *file,
                           const char       *path,
                           DcmTagKey        *out_key,
                           GError          **error)
{
  std::vector<std::pair<guint32, guint>> parts;
  DcmItem *item;

  if (!_lacuna_dicom_parse_path (path, parts))
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID,
                   "invalid element path “%s”", path != NULL ? path : "(null)");
      return NULL;
    }

  item = root_item (file, parts[0].first);
  {
    /* Broken files can hold other groups in the meta header (or group 0002 in the
     * dataset): look there when the usual place does not have the tag. */
    DcmTagKey first (parts[0].first >> 16, parts[0].first & 0xFFFF);
    DcmItem *other = item == file->format.getDataset ()
      ? (DcmItem *) file->format.getMetaInfo () : (DcmItem *) file->format.getDataset ();

    /* The other place first: for a dataset tag that is the short meta header. */
    if (item != NULL && other != NULL && find_in_item (other, first) != NULL &&
        find_in_item (item, first) == NULL)
      item = other;
  }
  for (gsize i = 0; i + 1 < parts.size (); i++)
    {
      guint32 tag = parts[i].first;
      DcmElement *el = NULL;
      DcmSequenceOfItems *sq;

      if (item == NULL ||
          (el = find_in_item (item, DcmTagKey (tag >> 16, tag & 0xFFFF))) == NULL)
        {
          set_not_found (error, tag);
          return NULL;
        }
      if (!is_sequence (el))
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID,
                       "(%04X,%04X) is not a sequence", tag >> 16, tag & 0xFFFF);
          return NULL;
        }
      sq = OFstatic_cast (DcmSequenceOfItems *, el);
      if (parts[i].second >= sq->card ())
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_NOT_FOUND,
                       "(%04X,%04X) has no item %u", tag >> 16, tag & 0xFFFF, parts[i].second);
          return NULL;
        }
      item = sq->getItem (parts[i].second);
    }
  if (item == NULL)
    {
      set_not_found (error, parts.back ().first);
      return NULL;
    }
  *out_key = DcmTagKey (parts.back ().first >> 16, parts.back ().first & 0xFFFF);
  return item;
}

DcmElement *
_lacuna_dicom_find (LacunaDicomFile  *file,
                    const char       *path,
                    GError          **error)
{
  DcmTagKey key;
  DcmItem *item = _lacuna_dicom_find_parent (file, path, &key, error);
  DcmElement *el = NULL;

  if (item == NULL)
    return NULL;
  el = find_in_item (item, key);
  if (el == NULL)
    {
      set_not_found (error, key_to_tag (key));
      return NULL;
    }
  return el;
}

/* ---------------------------------------------------------------------------------------- */
/* Walking                                                                                  */

typedef struct
{
  LacunaDicomWalkFunc func;
  gpointer            user_data;
  bool                charset_failed;
  bool                stop;
  bool                text_only;
  LacunaDicomWalkWantFunc want;
  bool                no_vm;
} WalkContext;

static const char *
keyword_of (DcmTag &tag)
{
  const char *name = tag.getTagName ();

  if (name == NULL || strcmp (name, DcmTag_ERROR_TagName) == 0)
    return "";
  return name;
}

static const char *
name_of (guint32     tag,
         const char *keyword)
{
  const char *name;

  if (*keyword == '\0')
    return "";
  if ((tag >> 16) % 2 == 0 && (name = lacuna_dicom_tag_name (tag)) != NULL)
    return name;
  /* Private: derive from the private dictionary's keyword the same way. */
  {
    GString *s = g_string_new (NULL);
    for (const char *c = keyword; *c != '\0'; c++)
      {
        if (c != keyword && g_ascii_isupper (*c) && g_ascii_islower (c[-1]))
          g_string_append_c (s, ' ');
        g_string_append_c (s, *c);
      }
    name = g_intern_string (s->str);
    g_string_free (s, TRUE);
    return name;
  }
}

/* Keyword and name of an element's tag, looked up once per process: a walk meets the
 * same few hundred tags in every file, and the dictionary's lookup (a lock and a search
 * through the private entries) was a fifth of a de-identification's time. */
typedef struct
{
  const char *keyword;
  const char *name;
} TagNames;

static GMutex names_lock;
static GHashTable *names_by_creator;   /* creator ("" for none) → (tag → TagNames*) */

/* The table for creator (created when absent); names_lock held. */
static GHashTable *
names_table (const char *creator)
{
  GHashTable *table;

  if (names_by_creator == NULL)
    names_by_creator = g_hash_table_new (g_str_hash, g_str_equal);
  table = (GHashTable *) g_hash_table_lookup (names_by_creator, creator);
  if (table == NULL)
    {
      table = g_hash_table_new (NULL, NULL);
      g_hash_table_insert (names_by_creator, g_strdup (creator), table);
    }
  return table;
}

static const TagNames *
tag_names (DcmTag      &tag,
           guint32      t,
           const char  *creator)
{
  /* A private element is known by its creator and its place in the block (low byte). */
  guint32 key = creator != NULL ? (t & 0xFFFF00FFu) : t;
  TagNames *names;
  /* Standard tags also in a table of each thread's own: walks on several threads at
   * once then never wait for one another on the lock. */
  static thread_local std::unordered_map<guint32, const TagNames *> standard;

  /* Private ones likewise, by creator (the elements of a block come one after another). */
  static thread_local std::unordered_map<std::string,
                                         std::unordered_map<guint32, const TagNames *>> privates;
  static thread_local std::unordered_map<guint32, const TagNames *> *last_block;
  static thread_local std::string last_creator;
  std::unordered_map<guint32, const TagNames *> *cache;

  if (creator == NULL)
    cache = &standard;
  else
    {
      if (last_block == NULL || last_creator != creator)
        {
          last_creator = creator;
          last_block = &privates[last_creator];
        }
      cache = last_block;
    }
  {
    auto known = cache->find (key);

    if (known != cache->end ())
      return known->second;
  }

  if (creator == NULL)
    creator = "";
  g_mutex_lock (&names_lock);
  names = (TagNames *) g_hash_table_lookup (names_table (creator), GUINT_TO_POINTER (key));
  g_mutex_unlock (&names_lock);
  if (names != NULL)
    {
      cache->emplace (key, names);
      return names;
    }

  /* Entries live until exit (a bounded set: the dictionary's tags and the creators met). */
  names = g_new (TagNames, 1);
  names->keyword = g_intern_string (keyword_of (tag));
  names->name = name_of (t, names->keyword);
  g_mutex_lock (&names_lock);
  {
    GHashTable *table = names_table (creator);
    TagNames *known = (TagNames *) g_hash_table_lookup (table, GUINT_TO_POINTER (key));

    if (known != NULL)
      {
        /* Another thread was first. */
        g_free (names);
        names = known;
      }
    else
      g_hash_table_insert (table, GUINT_TO_POINTER (key), names);
  }
  g_mutex_unlock (&names_lock);
  cache->emplace (key, names);
  return names;
}

static void
walk_item (DcmItem     *item,
           const char  *parent_path,
           guint        item_index,
           guint        depth,
           WalkContext *ctx)
{
  static const char hex[] = "0123456789ABCDEF";
  /* getElement (i) seeks from the start of the list every time (n² for an item of n
   * elements): take the elements in one sequential pass first. The callbacks never modify
   * the file. */
  std::vector<DcmElement *> elements;
  /* The paths of this item's elements (lacuna_dicom_path_child()'s form) share all but
   * their last 8 characters: the prefix is written once. */
  std::string path;
  size_t prefix_len;

  if (parent_path != NULL && *parent_path != '\0')
    {
      path = parent_path;
      path += '/';
      path += std::to_string (item_index);
      path += '/';
    }
  prefix_len = path.size ();
  path.resize (prefix_len + 8);

  elements.reserve (item->card ());
  for (DcmObject *obj = item->nextInContainer (NULL); obj != NULL;
       obj = item->nextInContainer (obj))
    elements.push_back (OFstatic_cast (DcmElement *, obj));

  for (size_t i = 0; i < elements.size () && !ctx->stop; i++)
    {
      DcmElement *el = elements[i];
      guint32 t;
      LacunaDicomElement e;
      std::string value;
      bool has_value;
      const char *vr;
      DcmEVR evr;
      LacunaDicomWalkResult result;

      if (el == NULL)
        continue;
      /* The element's own tag, not a copy (which copies its strings): getTagName() only
       * fills the tag's cached name, and no other thread walks this file. */
      DcmTag &tag = const_cast<DcmTag &> (el->getTag ());
      t = key_to_tag (tag);
      for (int k = 0; k < 8; k++)
        path[prefix_len + (size_t) k] = hex[(t >> (28 - 4 * k)) & 0xF];

      memset (&e, 0, sizeof e);
      e.path = path.c_str ();
      e.tag = t;
      e.is_private = (t >> 16) % 2 == 1;
      e.private_creator = e.is_private ? tag.getPrivateCreator () : NULL;
      {
        const TagNames *names = tag_names (tag, t, e.private_creator);

        e.keyword = names->keyword;
        e.name = names->name;
      }
      evr = element_evr (el);
      vr = vr_name (evr);
      e.vr[0] = vr[0];
      e.vr[1] = vr[1];
      e.vr[2] = '\0';
      e.depth = depth;
      e.length = el->getLengthField ();
      e.is_sequence = is_sequence (el);
      e.n_items = e.is_sequence ? (guint) OFstatic_cast (DcmSequenceOfItems *, el)->card () : 0;
      e.vm = e.is_sequence ? 1 : ctx->no_vm ? 0 : (guint) el->getVM ();
      if (ctx->text_only && evr != EVR_UN && !is_string_vr (evr))
        has_value = false;   /* numbers, bytes, AT: not asked for */
      else if (ctx->want != NULL && !ctx->want (t, e.vr, ctx->user_data))
        has_value = false;
      else
        has_value = value_text (el, ctx->charset_failed, MAX_BINARY_TEXT, value);
      e.value = has_value ? value.c_str () : NULL;
      e.handle = el;

      result = ctx->func (&e, ctx->user_data);
      if (result == LACUNA_DICOM_WALK_STOP)
        {
          ctx->stop = true;
          return;
        }
      if (e.is_sequence && result == LACUNA_DICOM_WALK_CONTINUE)
        {
          DcmSequenceOfItems *sq = OFstatic_cast (DcmSequenceOfItems *, el);
          guint j = 0;

          /* Items in one sequential pass too (getItem (j) seeks from the start). */
          for (DcmObject *obj = sq->nextInContainer (NULL); obj != NULL && !ctx->stop;
               obj = sq->nextInContainer (obj), j++)
            walk_item (OFstatic_cast (DcmItem *, obj), path.c_str (), j, depth + 1, ctx);
        }
    }
}

void
lacuna_dicom_file_walk (LacunaDicomFile       *file,
                        gboolean               include_meta,
                        LacunaDicomWalkFunc    func,
                        gpointer               user_data)
{
  lacuna_dicom_file_walk_full (file, include_meta ? LACUNA_DICOM_WALK_META
                                                  : LACUNA_DICOM_WALK_DEFAULT,
                               func, user_data);
}

void
lacuna_dicom_file_walk_full (LacunaDicomFile       *file,
                             LacunaDicomWalkFlags   flags,
                             LacunaDicomWalkFunc    func,
                             gpointer               user_data)
{
  lacuna_dicom_file_walk_some (file, flags, NULL, func, user_data);
}

void
lacuna_dicom_file_walk_some (LacunaDicomFile         *file,
                             LacunaDicomWalkFlags     flags,
                             LacunaDicomWalkWantFunc  want,
                             LacunaDicomWalkFunc      func,
                             gpointer                 user_data)
{
  WalkContext ctx = { func, user_data, file != NULL && file->charset_failed, false,
                      (flags & LACUNA_DICOM_WALK_TEXT_ONLY) != 0, want,
                      (flags & LACUNA_DICOM_WALK_NO_VM) != 0 };

  g_return_if_fail (file != NULL);
  g_return_if_fail (func != NULL);

  try
    {
      if ((flags & LACUNA_DICOM_WALK_META) != 0)
        walk_item (file->format.getMetaInfo (), NULL, 0, 0, &ctx);
      if (!ctx.stop)
        walk_item (file->format.getDataset (), NULL, 0, 0, &ctx);
    }
  catch (const std::exception &)
    {
      g_debug ("walking the elements failed unexpectedly");
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Reading                                                                                  */

gboolean
lacuna_dicom_file_has (LacunaDicomFile *file,
                       const char      *path)
{
  g_return_val_if_fail (file != NULL, FALSE);

  try
    {
      return _lacuna_dicom_find (file, path, NULL) != NULL;
    }
  catch (const std::exception &)
    {
      return FALSE;
    }
}

/* The text of el as lacuna_dicom_file_dup_string() gives it; NULL when it has none. */
static char *
dup_element_string (LacunaDicomFile *file,
                    DcmElement      *el)
{
  DcmEVR evr = element_evr (el);
  std::string text;

  if (!is_string_vr (evr) && !is_number_vr (evr) && evr != EVR_AT)
    return NULL;
  if (!value_text (el, file->charset_failed, 0, text))
    text.clear ();
  strip_padding (text);
  return g_strdup (text.c_str ());
}

char *
lacuna_dicom_file_dup_string (LacunaDicomFile  *file,
                              const char       *path,
                              GError          **error)
{
  g_return_val_if_fail (file != NULL, NULL);

  try
    {
      DcmElement *el = _lacuna_dicom_find (file, path, error);
      char *text;

      if (el == NULL)
        return NULL;
      text = dup_element_string (file, el);
      if (text == NULL)
        {
          guint32 t = key_to_tag (el->getTag ());

          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID,
                       "(%04X,%04X) has no text value (VR %s)", t >> 16, t & 0xFFFF,
                       vr_name (element_evr (el)));
        }
      return text;
    }
  catch (const std::exception &)
    {
      set_caught (error, "reading a value");
      return NULL;
    }
}

void
lacuna_dicom_file_dup_top_strings (LacunaDicomFile  *file,
                                   const guint32    *tags,
                                   gsize             n,
                                   char            **out)
{
  g_return_if_fail (file != NULL);
  g_return_if_fail (tags != NULL || n == 0);
  g_return_if_fail (out != NULL || n == 0);

  for (gsize i = 0; i < n; i++)
    out[i] = NULL;
  try
    {
      DcmDataset *ds = file->format.getDataset ();
      std::vector<bool> found (n, false);

      for (DcmObject *obj = ds != NULL ? ds->nextInContainer (NULL) : NULL; obj != NULL;
           obj = ds->nextInContainer (obj))
        {
          guint32 t = key_to_tag (obj->getTag ());

          for (gsize i = 0; i < n; i++)
            if (tags[i] == t && (t >> 16) != 0x0002 && !found[i])
              {
                found[i] = true;
                out[i] = dup_element_string (file, OFstatic_cast (DcmElement *, obj));
              }
        }
      /* Not in the dataset (or group 0002): where dup_string() looks (the meta header,
       * of a broken file too). */
      for (gsize i = 0; i < n; i++)
        if (!found[i])
          {
            char path[9];

            g_snprintf (path, sizeof path, "%08X", tags[i]);
            out[i] = lacuna_dicom_file_dup_string (file, path, NULL);
          }
    }
  catch (const std::exception &)
    {
      for (gsize i = 0; i < n; i++)
        g_clear_pointer (&out[i], g_free);
    }
}

/* Value number index of el through one of DCMTK's typed getters, as a double. */
template <typename T>
static OFCondition
get_value (DcmElement  *el,
           OFCondition (DcmElement::*getter) (T &, const unsigned long),
           guint        index,
           double      &out)
{
  T v = 0;
  OFCondition cond = (el->*getter) (v, index);

  out = (double) v;
  return cond;
}

gboolean
lacuna_dicom_file_get_number (LacunaDicomFile  *file,
                              const char       *path,
                              guint             index,
                              double           *out_value,
                              GError          **error)
{
  g_return_val_if_fail (file != NULL, FALSE);

  try
    {
      DcmElement *el = _lacuna_dicom_find (file, path, error);
      guint32 t;
      OFCondition cond = EC_IllegalCall;
      double value = 0;

      if (el == NULL)
        return FALSE;
      t = key_to_tag (el->getTag ());
      if (is_encapsulated (el))
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID,
                       "(%04X,%04X) is encapsulated", t >> 16, t & 0xFFFF);
          return FALSE;
        }

      switch (element_evr (el))
        {
        case EVR_US: case EVR_OW:
          cond = get_value (el, &DcmElement::getUint16, index, value);
          break;
        case EVR_SS:
          cond = get_value (el, &DcmElement::getSint16, index, value);
          break;
        case EVR_UL: case EVR_OL:
          cond = get_value (el, &DcmElement::getUint32, index, value);
          break;
        case EVR_SL:
          cond = get_value (el, &DcmElement::getSint32, index, value);
          break;
        case EVR_FL: case EVR_OF:
          cond = get_value (el, &DcmElement::getFloat32, index, value);
          break;
        case EVR_FD: case EVR_OD:
          cond = get_value (el, &DcmElement::getFloat64, index, value);
          break;
        case EVR_SV:
          cond = get_value (el, &DcmElement::getSint64, index, value);
          break;
        case EVR_UV: case EVR_OV:
          cond = get_value (el, &DcmElement::getUint64, index, value);
          break;
        case EVR_OB: case EVR_UN:
          cond = get_value (el, &DcmElement::getUint8, index, value);
          break;
        case EVR_DS:
        case EVR_IS:
          {
            OFString s;
            char *end = NULL;

            cond = el->getOFString (s, index, OFTrue);
            if (cond.good ())
              {
                value = g_ascii_strtod (s.c_str (), &end);
                if (s.empty () || end == NULL || *end != '\0')
                  {
                    g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID,
                                 "value %u of (%04X,%04X) is not a number", index, t >> 16,
                                 t & 0xFFFF);
                    return FALSE;
                  }
              }
          }
          break;
        default:
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID,
                       "(%04X,%04X) is not numeric", t >> 16, t & 0xFFFF);
          return FALSE;
        }

      if (cond.bad ())
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_NOT_FOUND,
                       "(%04X,%04X) has no value number %u", t >> 16, t & 0xFFFF, index);
          return FALSE;
        }
      if (out_value != NULL)
        *out_value = value;
      return TRUE;
    }
  catch (const std::exception &)
    {
      set_caught (error, "reading a number");
      return FALSE;
    }
}

/* The value of el through one of DCMTK's typed getters (the bytes stay owned by el). */
template <typename T>
static OFCondition
get_array (DcmElement  *el,
           OFCondition (DcmElement::*getter) (T *&),
           void        *&out)
{
  T *v = NULL;
  OFCondition cond = (el->*getter) (v);

  out = (void *) v;
  return cond;
}

static GBytes *dup_element_bytes (DcmElement  *el,
                                  GError     **error);

GBytes *
lacuna_dicom_file_dup_bytes (LacunaDicomFile  *file,
                             const char       *path,
                             GError          **error)
{
  g_return_val_if_fail (file != NULL, NULL);

  try
    {
      DcmElement *el = _lacuna_dicom_find (file, path, error);

      if (el == NULL)
        return NULL;
      return dup_element_bytes (el, error);
    }
  catch (const std::exception &)
    {
      set_caught (error, "reading a value");
      return NULL;
    }
}

GBytes *
lacuna_dicom_element_dup_bytes (const LacunaDicomElement  *element,
                                GError                   **error)
{
  g_return_val_if_fail (element != NULL && element->handle != NULL, NULL);

  try
    {
      return dup_element_bytes ((DcmElement *) element->handle, error);
    }
  catch (const std::exception &)
    {
      set_caught (error, "reading a value");
      return NULL;
    }
}

char *
lacuna_dicom_element_dup_text (LacunaDicomFile           *file,
                               const LacunaDicomElement  *element,
                               gboolean                   text_only)
{
  g_return_val_if_fail (file != NULL, NULL);
  g_return_val_if_fail (element != NULL && element->handle != NULL, NULL);

  try
    {
      DcmElement *el = (DcmElement *) element->handle;
      DcmEVR evr = element_evr (el);
      std::string value;

      /* As walk_item () decides (the same value, cut at a NUL as its C string is). */
      if (text_only && evr != EVR_UN && !is_string_vr (evr))
        return NULL;
      if (!value_text (el, file->charset_failed, MAX_BINARY_TEXT, value))
        return NULL;
      return g_strdup (value.c_str ());
    }
  catch (const std::exception &)
    {
      return NULL;
    }
}

/* The value of el as bytes (see lacuna_dicom_file_dup_bytes()). */
static GBytes *
dup_element_bytes (DcmElement  *el,
                   GError     **error)
{
  try
    {
      guint32 t;
      DcmEVR evr;
      void *data = NULL;
      OFCondition cond;
      Uint32 length;

      t = key_to_tag (el->getTag ());
      evr = element_evr (el);
      if (evr == EVR_SQ || is_encapsulated (el))
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID,
                       "(%04X,%04X) has no plain value (a sequence or encapsulated data)",
                       t >> 16, t & 0xFFFF);
          return NULL;
        }
      if (el->loadAllDataIntoMemory ().bad ())
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_PARSE,
                       "cannot read the value of (%04X,%04X)", t >> 16, t & 0xFFFF);
          return NULL;
        }
      length = el->getLength ();
      if (length == 0)
        return g_bytes_new (NULL, 0);

      switch (evr)
        {
        case EVR_US: case EVR_OW: case EVR_AT:
          cond = get_array (el, &DcmElement::getUint16Array, data);
          break;
        case EVR_SS:
          cond = get_array (el, &DcmElement::getSint16Array, data);
          break;
        case EVR_UL: case EVR_OL:
          cond = get_array (el, &DcmElement::getUint32Array, data);
          break;
        case EVR_SL:
          cond = get_array (el, &DcmElement::getSint32Array, data);
          break;
        case EVR_FL: case EVR_OF:
          cond = get_array (el, &DcmElement::getFloat32Array, data);
          break;
        case EVR_FD: case EVR_OD:
          cond = get_array (el, &DcmElement::getFloat64Array, data);
          break;
        case EVR_SV:
          cond = get_array (el, &DcmElement::getSint64Array, data);
          break;
        case EVR_UV: case EVR_OV:
          cond = get_array (el, &DcmElement::getUint64Array, data);
          break;
        case EVR_OB: case EVR_UN:
          cond = get_array (el, &DcmElement::getUint8Array, data);
          break;
        default:
          cond = get_array (el, &DcmElement::getString, data);
          break;
        }
      if (cond.bad () || data == NULL)
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID,
                       "cannot get the value of (%04X,%04X) as bytes", t >> 16, t & 0xFFFF);
          return NULL;
        }
      return g_bytes_new (data, length);
    }
  catch (const std::exception &)
    {
      set_caught (error, "reading a value");
      return NULL;
    }
}

guint
lacuna_dicom_file_count_items (LacunaDicomFile *file,
                               const char      *path)
{
  g_return_val_if_fail (file != NULL, 0);

  try
    {
      DcmElement *el = _lacuna_dicom_find (file, path, NULL);

      if (el == NULL || !is_sequence (el))
        return 0;
      return (guint) OFstatic_cast (DcmSequenceOfItems *, el)->card ();
    }
  catch (const std::exception &)
    {
      return 0;
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Editing                                                                                  */

/* The VR to write with: the one asked for, else the existing element's, else the
 * dictionary's (with the block's private creator for private tags). */
static bool
choose_vr (DcmItem          *item,
           const DcmTagKey  &key,
           const char       *vr,
           DcmTag           &out_tag,
           GError          **error)
{
  guint32 t = key_to_tag (key);
  DcmElement *existing = NULL;
  const char *creator = NULL;
  DcmEVR evr;

  if ((existing = find_in_item (item, key)) != NULL)
    creator = existing->getTag ().getPrivateCreator ();
  else if (key.isPrivate () && key.getElement () >= 0x1000)
    {
      DcmElement *pc = NULL;
      DcmTagKey pc_key (key.getGroup (), key.getElement () >> 8);
      char *s = NULL;

      if ((pc = find_in_item (item, pc_key)) != NULL && pc->getString (s).good () && s != NULL)
        creator = s;
    }

  if (vr != NULL)
    {
      DcmVR v (vr);

      evr = v.getEVR ();
      if (strlen (vr) != 2 || evr == EVR_UNKNOWN || evr == EVR_UNKNOWN2B ||
          !v.isStandard () || strcmp (v.getVRName (), vr) != 0)
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID,
                       "“%s” is not a DICOM VR", vr);
          return false;
        }
    }
  else if (existing != NULL)
    evr = element_evr (existing);
  else
    {
      DcmTag dict_tag (key, creator);

      evr = valid_evr (dict_tag.getEVR ());
      if (evr == EVR_UNKNOWN || evr == EVR_UNKNOWN2B || evr == EVR_UN || evr == EVR_na)
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID,
                       "the dictionary has no VR for (%04X,%04X): give one", t >> 16,
                       t & 0xFFFF);
          return false;
        }
    }

  out_tag = DcmTag (key, creator);
  out_tag.setVR (DcmVR (evr));
  return true;
}

static bool
is_numeric_text (const char *value,
                 DcmEVR      evr)
{
  g_auto(GStrv) parts = NULL;
  bool is_float = evr == EVR_FL || evr == EVR_FD || evr == EVR_DS;

  if (*value == '\0')
    return true;
  parts = g_strsplit (value, "\\", -1);
  for (char **p = parts; *p != NULL; p++)
    {
      g_autofree char *s = g_strstrip (g_strdup (*p));
      char *end = NULL;

      if (*s == '\0')
        return evr == EVR_DS || evr == EVR_IS;   /* empty values are fine in strings */
      if (is_float)
        g_ascii_strtod (s, &end);
      else if (*s == '-')
        g_ascii_strtoll (s, &end, 10);
      else
        g_ascii_strtoull (s, &end, 10);
      if (end == NULL || *end != '\0')
        return false;
    }
  return true;
}

static bool
needs_utf8 (const char *value)
{
  for (const unsigned char *p = (const unsigned char *) value; *p != '\0'; p++)
    if (*p >= 0x80)
      return true;
  return false;
}

static bool
ensure_utf8_charset (LacunaDicomFile  *file,
                     GError          **error)
{
  DcmDataset *dataset = file->format.getDataset ();
  OFString cs;

  if (dataset->findAndGetOFStringArray (DCM_SpecificCharacterSet, cs).good ())
    {
      while (!cs.empty () && cs[cs.length () - 1] == ' ')
        cs.erase (cs.length () - 1);
      if (cs == "ISO_IR 192")
        return true;
    }
  if (dataset->putAndInsertString (DCM_SpecificCharacterSet, "ISO_IR 192").bad ())
    {
      g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_FAILED,
                   "cannot set (0008,0005) SpecificCharacterSet");
      return false;
    }
  return true;
}

gboolean
lacuna_dicom_file_set_string (LacunaDicomFile  *file,
                              const char       *path,
                              const char       *vr,
                              const char       *value,
                              GError          **error)
{
  g_return_val_if_fail (file != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  try
    {
      DcmTagKey key;
      DcmItem *item = _lacuna_dicom_find_parent (file, path, &key, error);
      DcmTag tag;
      DcmEVR evr;
      guint32 t;
      OFCondition cond;

      if (item == NULL)
        return FALSE;
      t = key_to_tag (key);
      if (!g_utf8_validate (value, -1, NULL))
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID,
                       "the value for (%04X,%04X) is not UTF-8", t >> 16, t & 0xFFFF);
          return FALSE;
        }
      if (!choose_vr (item, key, vr, tag, error))
        return FALSE;
      evr = tag.getEVR ();
      if (!is_string_vr (evr) && !is_number_vr (evr) && evr != EVR_AT)
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID,
                       "(%04X,%04X) has VR %s, which takes no text", t >> 16, t & 0xFFFF,
                       vr_name (evr));
          return FALSE;
        }
      if ((is_number_vr (evr) || evr == EVR_DS || evr == EVR_IS) && !is_numeric_text (value, evr))
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID,
                       "the value for (%04X,%04X) is not a number (VR %s)", t >> 16,
                       t & 0xFFFF, vr_name (evr));
          return FALSE;
        }
      if (item != file->format.getMetaInfo () && needs_utf8 (value) &&
          !ensure_utf8_charset (file, error))
        return FALSE;

      cond = item->putAndInsertString (tag, value, OFTrue);
      if (cond.bad ())
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID,
                       "cannot set (%04X,%04X): %s", t >> 16, t & 0xFFFF, cond.text ());
          return FALSE;
        }
      return TRUE;
    }
  catch (const std::exception &)
    {
      set_caught (error, "setting a value");
      return FALSE;
    }
}

gboolean
lacuna_dicom_file_set_bytes (LacunaDicomFile  *file,
                             const char       *path,
                             const char       *vr,
                             gconstpointer     data,
                             gsize             size,
                             GError          **error)
{
  g_return_val_if_fail (file != NULL, FALSE);
  g_return_val_if_fail (data != NULL || size == 0, FALSE);

  try
    {
      DcmTagKey key;
      DcmItem *item = _lacuna_dicom_find_parent (file, path, &key, error);
      DcmTag tag;
      DcmElement *el = NULL;
      DcmEVR evr;
      guint32 t;
      gsize unit;
      OFCondition cond;

      if (item == NULL)
        return FALSE;
      t = key_to_tag (key);
      if (!choose_vr (item, key, vr, tag, error))
        return FALSE;
      evr = tag.getEVR ();

      switch (evr)
        {
        case EVR_OB: case EVR_UN:
          unit = 1;
          break;
        case EVR_OW: case EVR_US: case EVR_SS:
          unit = 2;
          break;
        case EVR_OL: case EVR_UL: case EVR_SL: case EVR_OF: case EVR_FL:
          unit = 4;
          break;
        case EVR_OD: case EVR_FD:
          unit = 8;
          break;
        default:
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID,
                       "(%04X,%04X) has VR %s, which takes no binary value", t >> 16,
                       t & 0xFFFF, vr_name (evr));
          return FALSE;
        }
      if (size % unit != 0 || size > G_MAXUINT32 - 1)
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID,
                       "%" G_GSIZE_FORMAT " bytes do not make whole values of VR %s for "
                       "(%04X,%04X)", size, vr_name (evr), t >> 16, t & 0xFFFF);
          return FALSE;
        }

      cond = DcmItem::newDicomElementWithVR (el, tag);
      if (cond.bad () || el == NULL)
        {
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID,
                       "cannot create (%04X,%04X)", t >> 16, t & 0xFFFF);
          return FALSE;
        }

      {
        unsigned long n = (unsigned long) (size / unit);

        switch (evr)
          {
          case EVR_OB: case EVR_UN:
            cond = el->putUint8Array ((const Uint8 *) data, n);
            break;
          case EVR_OW: case EVR_US:
            cond = el->putUint16Array ((const Uint16 *) data, n);
            break;
          case EVR_SS:
            cond = el->putSint16Array ((const Sint16 *) data, n);
            break;
          case EVR_OL: case EVR_UL:
            cond = el->putUint32Array ((const Uint32 *) data, n);
            break;
          case EVR_SL:
            cond = el->putSint32Array ((const Sint32 *) data, n);
            break;
          case EVR_OF: case EVR_FL:
            cond = el->putFloat32Array ((const Float32 *) data, n);
            break;
          default:
            cond = el->putFloat64Array ((const Float64 *) data, n);
            break;
          }
      }
      if (cond.good ())
        cond = item->insert (el, OFTrue);
      if (cond.bad ())
        {
          delete el;
          g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID,
                       "cannot set (%04X,%04X): %s", t >> 16, t & 0xFFFF, cond.text ());
          return FALSE;
        }
      return TRUE;
    }
  catch (const std::exception &)
    {
      set_caught (error, "setting a value");
      return FALSE;
    }
}

int
lacuna_dicom_file_append_item (LacunaDicomFile  *file,
                               const char       *path,
                               GError          **error)
{
  g_return_val_if_fail (file != NULL, -1);

  try
    {
      DcmTagKey key;
      DcmItem *item = _lacuna_dicom_find_parent (file, path, &key, error);
      DcmElement *el = NULL;
      DcmSequenceOfItems *sq;
      guint32 t;

      if (item == NULL)
        return -1;
      t = key_to_tag (key);
      if ((el = find_in_item (item, key)) != NULL)
        {
          if (!is_sequence (el))
            {
              g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID,
                           "(%04X,%04X) is not a sequence", t >> 16, t & 0xFFFF);
              return -1;
            }
          sq = OFstatic_cast (DcmSequenceOfItems *, el);
        }
      else
        {
          DcmTag tag (key);
          DcmEVR dict = valid_evr (tag.getEVR ());

          if (dict != EVR_SQ && dict != EVR_UNKNOWN && dict != EVR_UNKNOWN2B && dict != EVR_UN &&
              dict != EVR_na)
            {
              g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_INVALID,
                           "(%04X,%04X) is not a sequence", t >> 16, t & 0xFFFF);
              return -1;
            }
          tag.setVR (DcmVR (EVR_SQ));
          sq = new DcmSequenceOfItems (tag);
          if (item->insert (sq, OFTrue).bad ())
            {
              delete sq;
              g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_FAILED,
                           "cannot create (%04X,%04X)", t >> 16, t & 0xFFFF);
              return -1;
            }
        }

      {
        DcmItem *new_item = new DcmItem ();

        if (sq->append (new_item).bad ())
          {
            delete new_item;
            g_set_error (error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_FAILED,
                         "cannot add an item to (%04X,%04X)", t >> 16, t & 0xFFFF);
            return -1;
          }
      }
      return (int) sq->card () - 1;
    }
  catch (const std::exception &)
    {
      set_caught (error, "adding an item");
      return -1;
    }
}

/* DcmItem keeps its elements in a list it does not expose; removing one by tag searches
 * it from the start. A pointer to that protected member, taken (legally) through a
 * subclass, lets one pass remove many. */
class ItemList : public DcmItem
{
public:
  static DcmList *DcmItem::*member () { return &ItemList::elementList; }
};

gboolean
lacuna_dicom_file_remove_tags (LacunaDicomFile  *file,
                               const guint32    *tags,
                               gsize             n_tags,
                               GError          **error)
{
  g_return_val_if_fail (file != NULL, FALSE);
  g_return_val_if_fail (tags != NULL || n_tags == 0, FALSE);

  try
    {
      DcmDataset *ds = file->format.getDataset ();
      DcmList *list = ds != NULL ? ds->*ItemList::member () : NULL;
      std::unordered_set<guint32> wanted;

      /* Group 0002 belongs to the meta header: one at a time, as before. */
      for (gsize i = 0; i < n_tags; i++)
        if ((tags[i] >> 16) != 0x0002)
          wanted.insert (tags[i]);
        else
          {
            char path[9];

            g_snprintf (path, sizeof path, "%08X", tags[i]);
            if (!lacuna_dicom_file_remove (file, path, error))
              return FALSE;
          }

      if (list != NULL && !list->empty ())
        {
          list->seek (ELP_first);
          while (list->get (ELP_atpos) != NULL)
            {
              DcmObject *object = list->get (ELP_atpos);
              const DcmTag &tag = object->getTag ();

              if (wanted.erase (((guint32) tag.getGroup () << 16) | tag.getElement ()) > 0)
                delete list->remove ();   /* the cursor moves to the next element */
              else if (list->seek (ELP_next) == NULL)
                break;
            }
        }
      /* Not in the dataset: where lacuna_dicom_file_remove() would look (the meta header
       * of a broken file). */
      for (guint32 tag : wanted)
        {
          char path[9];

          g_snprintf (path, sizeof path, "%08X", tag);
          if (!lacuna_dicom_file_remove (file, path, error))
            return FALSE;
        }
      return TRUE;
    }
  catch (const std::exception &)
    {
      set_caught (error, "removing elements");
      return FALSE;
    }
}

gboolean
lacuna_dicom_file_remove (LacunaDicomFile  *file,
                          const char       *path,
                          GError          **error)
{
  g_return_val_if_fail (file != NULL, FALSE);

  try
    {
      g_autoptr(GError) local_error = NULL;
      DcmTagKey key;
      DcmItem *item;

      /* A malformed path is an INVALID error from here. */
      item = _lacuna_dicom_find_parent (file, path, &key, &local_error);
      if (item == NULL)
        {
          /* A missing sequence or item on the way: the element is absent. */
          if (g_error_matches (local_error, LACUNA_DICOM_ERROR, LACUNA_DICOM_ERROR_NOT_FOUND))
            return TRUE;
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      /* remove() looks at this item's own elements only, without the search stack of
       * findAndDeleteElement. */
      delete item->remove (key);
      return TRUE;
    }
  catch (const std::exception &)
    {
      set_caught (error, "removing an element");
      return FALSE;
    }
}
