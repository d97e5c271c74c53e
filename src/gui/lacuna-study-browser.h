/* lacuna-study-browser.h: the sidebar's patient → study → series tree.
 *
 * Copyright 2025 The Lacuna authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each series row shows a thumbnail, the modality, the description, the number of images
 * and a badge with the number of identifying elements, both made in the background (the
 * thumbnail at 48 logical pixels, made for the widget's scale factor and made again when it
 * changes). Once the expensive checks have run (lacuna_study_browser_set_findings), the badge
 * adds the series' burned-in text lines, faces and body-composition measurement:
 * "12 identifying · 2 burned-in · face", with the same in sentences as tooltip and
 * accessible label.
 * Selecting a series row selects the same series in the window's flat list of series (a
 * GtkSingleSelection of LacunaSeries), and follows it the other way round.
 * A collection holding several patients shows a notice with one "Export this patient…"
 * button each: they activate "win.export-patient" with the patient's position ("0", "1", …)
 * as a string parameter, and stay insensitive while no such action is installed. */
#pragma once

#include <gtk/gtk.h>

#include "lacuna-core.h"

G_BEGIN_DECLS

#define LACUNA_TYPE_STUDY_BROWSER (lacuna_study_browser_get_type ())
G_DECLARE_FINAL_TYPE (LacunaStudyBrowser, lacuna_study_browser, LACUNA, STUDY_BROWSER, GtkWidget)

GtkWidget    *lacuna_study_browser_new                (void);
/* The collection to show (NULL clears); starts the background thumbnails. */
void          lacuna_study_browser_set_collection     (LacunaStudyBrowser *self,
                                                       LacunaCollection   *collection);
/* The window's selection of series (items: LacunaSeries), kept in step with the tree. */
void          lacuna_study_browser_set_series_selection (LacunaStudyBrowser *self,
                                                         GtkSingleSelection *selection);
/* The rows shown: a GListModel of GtkTreeListRow (items: LacunaPatient, LacunaStudy,
 * LacunaSeries). */
GListModel   *lacuna_study_browser_get_rows           (LacunaStudyBrowser *self);
GtkListView  *lacuna_study_browser_get_list_view      (LacunaStudyBrowser *self);
/* TRUE while thumbnails and badges are being made. */
gboolean      lacuna_study_browser_get_busy           (LacunaStudyBrowser *self);
/* The thumbnail of series (NULL: not made yet, or the series has no image). */
GdkPaintable *lacuna_study_browser_get_thumbnail      (LacunaStudyBrowser *self,
                                                       LacunaSeries       *series);
/* The number of identifying elements of series (-1: not counted yet or unreadable). */
int           lacuna_study_browser_get_n_identifying  (LacunaStudyBrowser *self,
                                                       LacunaSeries       *series);
/* The findings of the expensive checks, a GListModel of LacunaFinding (the findings panel's;
 * NULL: none). Followed as it changes: each series' badge counts the "burned-in-text",
 * "face" and "body-composition" findings whose SOP Instance UID is one of its instances. */
void          lacuna_study_browser_set_findings       (LacunaStudyBrowser *self,
                                                       GListModel         *findings);
/* The badge's text ("12 identifying · 2 burned-in · face") and its description in
 * sentences, one per line (the tooltip and accessible label); NULL while there is no badge. */
char         *lacuna_study_browser_dup_badge_text     (LacunaStudyBrowser *self,
                                                       LacunaSeries       *series);
char         *lacuna_study_browser_dup_badge_description (LacunaStudyBrowser *self,
                                                          LacunaSeries       *series);
/* TRUE when the several-patients notice is shown. */
gboolean      lacuna_study_browser_get_notice_shown   (LacunaStudyBrowser *self);
/* The notice's text ("This folder holds 2 patients"), or NULL when hidden. */
const char   *lacuna_study_browser_get_notice_text    (LacunaStudyBrowser *self);

G_END_DECLS
