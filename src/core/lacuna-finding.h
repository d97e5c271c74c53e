/* lacuna-finding.h: one thing a study reveals about its patient, with its evidence.
 *
 * The rules for honest wording (../shared/design/INFERENCE.md §5) are built in: every
 * finding has an evidence class whose fixed verb starts its text (lacuna_evidence_class_verb),
 * a status, where it is, and what clears it. Never a guess about the person (no estimated
 * age, sex or race), never one privacy score; detections are counts, not probabilities.
 *
 * JSON (the contract of `lacuna-cli inspect --infer --json`, one object per finding):
 *   { "kind": "burned-in-text", "class": "detected", "status": "present",
 *     "text": "…", "action": "…",
 *     "where": {"tag": "(0010,0010)", "path": ["(0010,0010)"]}
 *            | {"sop": "1.2…", "frame": 1, "box": [x, y, w, h]} | {"sop": "1.2…"} | {},
 *              where a region on a rendering of a volume (a face) adds
 *              "render": {"view": 4, "yaw": 0, "pitch": 0, "box": [x, y, w, h]}: that box is
 *              in the render's pixels, never in the instance's (there is no "box" then);
 *     "values": { … kind-specific … } }
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  LACUNA_EVIDENCE_STATED,      /* "is stated in": literally in the file (tag or burned-in text) */
  LACUNA_EVIDENCE_MEASURED,    /* "we measured": computed deterministically from pixels */
  LACUNA_EVIDENCE_DETECTED,    /* "a standard detector found": a classical detector fired */
  LACUNA_EVIDENCE_LITERATURE,  /* "published AI models can infer": no model was run */
} LacunaEvidenceClass;

typedef enum
{
  LACUNA_FINDING_PRESENT,
  LACUNA_FINDING_REDUCED,
  LACUNA_FINDING_REMOVED,
  LACUNA_FINDING_CANNOT_BE_REMOVED,   /* by redaction: disclosed, not removable */
} LacunaFindingStatus;

/* "stated", "measured", "detected", "literature" */
const char *lacuna_evidence_class_to_string  (LacunaEvidenceClass klass);
/* "present", "reduced", "removed", "cannot-be-removed" */
const char *lacuna_finding_status_to_string  (LacunaFindingStatus status);
/* The class's word for a badge or a column, translated: "Stated", "Measured",
 * "Detected", "Literature". */
const char *lacuna_evidence_class_label      (LacunaEvidenceClass klass);
/* The status for people, translated: "Present", "Reduced", "Removed", "Cannot be removed
 * by redaction". */
const char *lacuna_finding_status_label      (LacunaFindingStatus status);
/* The fixed wording of each class (INFERENCE.md §5.1), translated: "is stated in",
 * "we measured", "a standard detector found", "published AI models can infer". Every
 * finding's text contains its class's wording (case aside); the tests check it. */
const char *lacuna_evidence_class_verb       (LacunaEvidenceClass klass);
/* The fixed explanation of each class (translated), for a legend or a badge's tooltip. */
const char *lacuna_evidence_class_describe   (LacunaEvidenceClass klass);

#define LACUNA_TYPE_FINDING (lacuna_finding_get_type ())
G_DECLARE_FINAL_TYPE (LacunaFinding, lacuna_finding, LACUNA, FINDING, GObject)

/* kind: "header-identity", "quasi-identifier", "burned-in-text", "face", "body-composition",
 * "literature", … (a stable, untranslated identifier). text: translated, one or two
 * sentences following the class's wording rule. */
LacunaFinding       *lacuna_finding_new             (const char          *kind,
                                                     LacunaEvidenceClass  klass,
                                                     LacunaFindingStatus  status,
                                                     const char          *text);

const char          *lacuna_finding_get_kind        (LacunaFinding       *self);
LacunaEvidenceClass  lacuna_finding_get_class       (LacunaFinding       *self);
LacunaFindingStatus  lacuna_finding_get_status      (LacunaFinding       *self);
void                 lacuna_finding_set_status      (LacunaFinding       *self,
                                                     LacunaFindingStatus  status);
const char          *lacuna_finding_get_text        (LacunaFinding       *self);
/* What clears it (translated), or NULL. */
const char          *lacuna_finding_get_action      (LacunaFinding       *self);
void                 lacuna_finding_set_action      (LacunaFinding       *self,
                                                     const char          *action);

/* Where: a tag path (the shim's path syntax), or an image region. */
void                 lacuna_finding_set_tag_path    (LacunaFinding       *self,
                                                     const char          *path);
const char          *lacuna_finding_get_tag_path    (LacunaFinding       *self);
/* frame is 1-based (0: the instance as a whole); box NULL: no region. */
void                 lacuna_finding_set_region      (LacunaFinding       *self,
                                                     const char          *sop_instance_uid,
                                                     guint                frame,
                                                     const int            box[4]);
const char          *lacuna_finding_get_sop_instance_uid (LacunaFinding  *self);
guint                lacuna_finding_get_frame       (LacunaFinding       *self);
gboolean             lacuna_finding_get_box         (LacunaFinding       *self,
                                                     int                  out_box[4]);

/* A box on a rendering of the series rather than on the instance's pixels (a face found in
 * a volume, lacuna-face.h): the view (0-based), its yaw and pitch in degrees, and the box in
 * the render's pixels. */
void                 lacuna_finding_set_render_box  (LacunaFinding       *self,
                                                     guint                view,
                                                     double               yaw,
                                                     double               pitch,
                                                     const int            box[4]);
/* FALSE when the finding has no render box. */
gboolean             lacuna_finding_get_render_box  (LacunaFinding       *self,
                                                     guint               *out_view,
                                                     int                  out_box[4]);

/* What the finding was computed from, for a viewer (a LacunaFaceResult for a face, with its
 * renders); never in the JSON. Reference taken; NULL clears. */
void                 lacuna_finding_set_source_object (LacunaFinding     *self,
                                                       GObject           *object);
/* Borrowed, or NULL. */
GObject             *lacuna_finding_get_source_object (LacunaFinding     *self);

/* Kind-specific values (owned by the finding; add members to it). Never NULL. */
JsonObject          *lacuna_finding_get_values      (LacunaFinding       *self);

/* The JSON object described above. */
JsonNode            *lacuna_finding_to_json         (LacunaFinding       *self);

G_END_DECLS
