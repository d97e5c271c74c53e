#define G_LOG_DOMAIN "lacuna-error"

#include "config.h"

#include "lacuna-error.h"

G_DEFINE_QUARK (lacuna-load-error-quark, lacuna_load_error)
G_DEFINE_QUARK (lacuna-deid-error-quark, lacuna_deid_error)
G_DEFINE_QUARK (lacuna-export-error-quark, lacuna_export_error)
