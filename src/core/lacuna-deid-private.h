/* lacuna-deid-private.h: the decision pass of lacuna_deid_apply(), for lacuna-deid-plan.c.
 *
 * lacuna_deid_apply() is the decision pass below followed by its edits and the record; the
 * plan (lacuna-deid-plan.h) is the same decision pass without them. One decision function
 * serves both, so what the plan shows is what an export does. */
#pragma once

#include "lacuna-deid.h"

G_BEGIN_DECLS

typedef enum
{
  LACUNA_DEID_EDIT_NONE,         /* the element stays as it is (record: a sequence gets items) */
  LACUNA_DEID_EDIT_REMOVE,
  LACUNA_DEID_EDIT_SET_STRING,   /* value */
  LACUNA_DEID_EDIT_SET_BYTES,    /* size zero bytes (0: empty) */
} LacunaDeidEditKind;

typedef struct
{
  LacunaDeidEditKind  kind;
  char               *path;
  const char         *vr;        /* static; NULL: the element's own */
  char               *value;     /* SET_STRING */
  gsize               size;      /* SET_BYTES */
  const char         *keyword;   /* static; record entries only ("" otherwise) */
} LacunaDeidEdit;

/* Decides every element of file as lacuna_deid_apply() would, changing nothing. log (not
 * NULL) receives the ELEMENT entries (cleared first). out_edits: the edits in the order
 * apply runs them (LacunaDeidEdit*, owned). out_record: what the de-identification record
 * then sets at the top level (SET_STRING entries; NONE for the two sequences that get a new
 * item). FALSE with the error apply would report (a REPLACE override on a value that holds
 * no text). */
gboolean _lacuna_deid_decide (LacunaDeidContext  *ctx,
                              LacunaDicomFile    *file,
                              LacunaDeidLog      *log,
                              GPtrArray         **out_edits,
                              GPtrArray         **out_record,
                              GError            **error);

/* The HMAC key of the context (borrowed). */
LacunaKey *_lacuna_deid_context_get_key        (LacunaDeidContext *ctx);
/* The input UID set of the context (borrowed, read-only). */
GHashTable *_lacuna_deid_context_get_input_uids (LacunaDeidContext *ctx);

G_END_DECLS
