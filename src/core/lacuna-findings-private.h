/* lacuna-findings-private.h: shared by lacuna-findings.c and lacuna-findings-checks.c. */
#pragma once

#include "lacuna-findings.h"

G_BEGIN_DECLS

/* The header of an instance (no pixels, unless it sits in an archive). NULL when unreadable. */
LacunaDicomFile *_lacuna_findings_open_header    (LacunaInstance       *instance);
int              _lacuna_findings_get_slice      (LacunaFindings       *self);
/* A new check report (see lacuna-findings.h); series nullable. */
JsonObject      *_lacuna_findings_new_report     (LacunaFindingsCheck   check,
                                                  LacunaSeries         *series,
                                                  gboolean              ran,
                                                  guint                 found,
                                                  const char           *summary);

/* lacuna-findings-checks.c */
gboolean         _lacuna_findings_check_burned_in (LacunaFindings      *self,
                                                   LacunaCollection    *collection,
                                                   GCancellable        *cancellable,
                                                   GError             **error);
gboolean         _lacuna_findings_check_faces     (LacunaFindings      *self,
                                                   LacunaCollection    *collection,
                                                   GCancellable        *cancellable,
                                                   GError             **error);

G_END_DECLS
