/* lacuna-uid-map.h: keyed, deterministic UID replacement, and the set of UIDs that name
 * something in the input (so references to them can be remapped consistently).
 *
 * The replacement of a UID is a pure function of the key and the original UID:
 *
 *   h  = first 16 bytes of HMAC-SHA-256(key, original UID as its bytes, no padding)
 *   h[6] = (h[6] & 0x0F) | 0x80      version 8 (RFC 9562 UUIDv8, "custom")
 *   h[8] = (h[8] & 0x3F) | 0x80      variant 10
 *   UID = "2.25." + h as an unsigned 128-bit big-endian integer in decimal (no leading zeros)
 *
 * (PS3.5 B.2: a UUID-derived UID under the 2.25 root.) At most 5 + 39 = 44 characters, so
 * it always fits the 64 of UI. The same original always gives the same replacement, in every
 * file, study and run with the same key: references stay consistent without any state. */
#pragma once

#include <glib.h>

#include "lacuna-dicom.h"
#include "lacuna-key.h"

G_BEGIN_DECLS

/* The replacement of uid (trailing spaces/NULs are ignored). Never NULL. */
char       *lacuna_uid_map_dup_keyed   (LacunaKey       *key,
                                        const char      *uid);

/* TRUE when uid is a syntactically valid UID: 1–64 characters, components of digits
 * separated by '.', no leading zero in a component of more than one digit. */
gboolean    lacuna_uid_is_valid        (const char      *uid);

/* A new, empty set of input UIDs (a GHashTable of owned strings, keys only). */
GHashTable *lacuna_uid_set_new         (void);

/* First pass: adds to set the UIDs that name something this input file defines, decided by
 * attribute (never by a list of well-known UID values), at any depth: SOP Instance UID
 * (and the meta header's Media Storage SOP Instance UID), Study, Series, Frame of Reference
 * and Synchronization Frame of Reference UIDs, Concatenation, Dimension Organization,
 * Irradiation Event, Acquisition, Pyramid, Instance Creator, Specimen, Tracking, Fiducial,
 * Template Extension Creator, Storage Media File-set UIDs, (0040,A124) UID, and RT's
 * Referenced/Related Frame of Reference UIDs. SOP Class, Transfer Syntax and coding scheme
 * UIDs are never added. The engine then remaps every UI element whose value is in the set,
 * wherever it is, even outside Table E.1-1. Not thread-safe on the same set; read-only
 * afterwards. */
void        lacuna_uid_set_collect     (GHashTable      *set,
                                        LacunaDicomFile *file);

G_END_DECLS
