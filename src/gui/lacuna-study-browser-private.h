/* lacuna-study-browser-private.h: LacunaStudyBrowser API for the GUI's own use and its tests.
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lacuna-study-browser.h"

G_BEGIN_DECLS

/* The badge counts of one series, as lacuna_study_browser_set_findings() gives them:
 * findings is a GPtrArray of LacunaFinding of that series (kinds other than
 * "burned-in-text", "face" and "body-composition" are ignored; NULL or empty: nothing
 * found). The next change of the followed findings model counts again from it. */
void _lacuna_study_browser_set_series_findings (LacunaStudyBrowser *self,
                                                LacunaSeries       *series,
                                                GPtrArray          *findings);

G_END_DECLS
