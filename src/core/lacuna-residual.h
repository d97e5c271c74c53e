/* lacuna-residual.h: the residual scan that runs after writing, independent of the rules.
 *
 * From every input file it collects the identifying strings (names and their parts, IDs,
 * dates of birth in common formats, addresses, phones, institutions, physicians; decoded
 * in their character sets); then it reads every output back and searches every value at
 * any depth, and the raw bytes of the file, and any text (the report, file names) for them.
 * A hit names where it was found and what kind of identifier it matched, never the value.
 *
 * The rules (which strings, in which forms, with which boundaries, where it looks and what
 * it skips: Pixel Data and other bulk image data) are written at the top of
 * lacuna-residual.c and lacuna-identity.c.
 */
#pragma once

#include <glib.h>

#include "lacuna-dicom.h"
#include "lacuna-profile.h"

G_BEGIN_DECLS

typedef struct
{
  char       *where;      /* an element path ("00081030"), "bytes at offset N", or "file name" */
  const char *keyword;    /* element keyword or "" */
  const char *kind;       /* static: "patient name", "patient ID", "birth date", "address", … */
} LacunaResidualHit;

void lacuna_residual_hit_free (LacunaResidualHit *hit);

typedef struct _LacunaResidual LacunaResidual;

LacunaResidual *lacuna_residual_new          (void);
void            lacuna_residual_free         (LacunaResidual   *self);
/* Adds the identifying strings of an input (thread-safe). */
void            lacuna_residual_add_input    (LacunaResidual   *self,
                                              LacunaDicomFile  *input);
/* The Annex E options of the run (default: none, the Basic Profile alone). Values of
 * elements the options keep (K), such as the institution under Retain Institution Identity
 * or the station name under Retain Device Identity, are then not searched for. Call before
 * adding inputs; it applies to inputs added afterwards. */
void            lacuna_residual_set_options  (LacunaResidual      *self,
                                              LacunaProfileOption  options);
/* Number of distinct strings searched for. */
guint           lacuna_residual_get_n_needles (LacunaResidual  *self);
/* Searches the written file at path: every value at any depth (decoded) and its bytes.
 * Appends hits (LacunaResidualHit*) to hits. FALSE + error only when the file cannot be
 * read. Thread-safe once all inputs are added. */
gboolean        lacuna_residual_check_file   (LacunaResidual   *self,
                                              const char       *path,
                                              GPtrArray        *hits,
                                              GError          **error);
/* The same for a written file already parsed (file) whose bytes are data. */
gboolean        lacuna_residual_check_parsed (LacunaResidual   *self,
                                              LacunaDicomFile  *file,
                                              const guint8     *data,
                                              gsize             size,
                                              GPtrArray        *hits);
/* Searches a text (a report, a file name); `where` names it in the hits. */
void            lacuna_residual_check_text   (LacunaResidual   *self,
                                              const char       *text,
                                              const char       *where,
                                              GPtrArray        *hits);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LacunaResidual, lacuna_residual_free)

G_END_DECLS
