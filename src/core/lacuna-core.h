/* lacuna-core.h: everything the engine offers (no GTK). */
#pragma once

#include "lacuna-dicom.h"
#include "lacuna-error.h"
#include "lacuna-instance.h"
#include "lacuna-series.h"
#include "lacuna-study.h"
#include "lacuna-patient.h"
#include "lacuna-collection.h"
#include "lacuna-loader.h"
#include "lacuna-frame.h"
#include "lacuna-sample.h"
#include "lacuna-profile.h"
#include "lacuna-finding.h"
#include "lacuna-findings.h"
#include "lacuna-volume.h"
#include "lacuna-face.h"
#include "lacuna-deface.h"
