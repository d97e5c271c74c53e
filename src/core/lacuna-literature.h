/* lacuna-literature.h: literature cards (INFERENCE.md F9–F12, §1 figures).
 *
 * Evidence class: Literature. A card says what published AI models can infer from images
 * of this kind, with the published figures, their population and the citations, that we
 * did not run such a model on this patient, and that performance on this image is unknown.
 * A card is chosen by a rule on the header (modality, body part, view); no model is run,
 * and no card ever states anything about the person.
 *
 * Cards and their rules:
 *   "cxr-demographics"      CR/DX chest: age, sex and race (F9)
 *   "cxr-reidentification"  CR/DX chest: linking X-rays of the same person (F10)
 *   "cxr-body-composition"  CR/DX chest: body composition from the radiograph (XComposition)
 *   "brain-age"             head MR: brain age (F12)
 *   "membership-inference"  any image: if it trains an AI model (F11), once per collection
 * A "chest" CR/DX image: Body Part Examined CHEST (or THORAX, LUNG), or View Position PA/AP
 * with no other body part, or a study/series description containing CHEST, THORAX or CXR.
 * A "head" MR image: Body Part Examined HEAD, BRAIN, SKULL or HEADNECK, or a description
 * containing HEAD or BRAIN.
 */
#pragma once

#include <glib.h>

#include "lacuna-dicom.h"
#include "lacuna-finding.h"

G_BEGIN_DECLS

typedef struct
{
  const char *label;   /* "Gichoya et al., Lancet Digit Health 2022;4:e406" */
  const char *url;
} LacunaCitation;

typedef struct
{
  const char           *id;        /* stable, untranslated */
  const char           *title;     /* N_(): translate with _() / lacuna_literature_card_dup_text */
  const char           *text;      /* N_(): the card, in the Literature wording */
  const char           *action;    /* N_(): what can be done about it */
  const LacunaCitation *citations; /* terminated by { NULL, NULL } */
} LacunaLiteratureCard;

/* The sentences every card carries (translated). */
const char                 *lacuna_literature_not_run_sentence   (void);
const char                 *lacuna_literature_unknown_sentence   (void);

/* Every card (static). */
const LacunaLiteratureCard *lacuna_literature_get_cards  (guint      *n_cards);
const LacunaLiteratureCard *lacuna_literature_lookup     (const char *id);

/* The cards that apply to one image, given its header: a new array of (static, borrowed)
 * const LacunaLiteratureCard pointers, in a stable order. "membership-inference" is not included (it is once per
 * collection: see lacuna_findings). */
GPtrArray                  *lacuna_literature_cards_for_file (LacunaDicomFile *file);

/* The finding of a card: kind "literature", class literature, status cannot-be-removed,
 * text = title, card text and the two fixed sentences; where = {"sop": sop} when sop is
 * given; values: "card" (id), "modality" (or null), "citations": [{"label", "url"}]. */
LacunaFinding              *lacuna_literature_to_finding (const LacunaLiteratureCard *card,
                                                          const char                 *sop_instance_uid,
                                                          const char                 *modality);

G_END_DECLS
