/// @file calmkit.hpp
/// @brief The umbrella header: everything calmkit offers. Every public header
/// is included here (tests/python/test_public_surface.py checks); using the
/// metrics needs `calmkit::metrics` linked, the journal format `calmkit::io`, and
/// so on: one target per header area (README.md, "C++").
#pragma once

#include <calmkit/assessments.hpp>
#include <calmkit/calendar.hpp>
#include <calmkit/columns.hpp>
#include <calmkit/errors.hpp>
#include <calmkit/exercises.hpp>
#include <calmkit/export.hpp>
#include <calmkit/files.hpp>
#include <calmkit/hash.hpp>
#include <calmkit/io.hpp>
#include <calmkit/journal.hpp>
#include <calmkit/journal_builder.hpp>
#include <calmkit/journal_rows.hpp>
#include <calmkit/journal_tables.hpp>
#include <calmkit/metrics.hpp>
#include <calmkit/model.hpp>
#include <calmkit/posix_timezone.hpp>
#include <calmkit/record_view.hpp>
#include <calmkit/session.hpp>
#include <calmkit/store.hpp>
#include <calmkit/suggest.hpp>
#include <calmkit/synthetic.hpp>
#include <calmkit/time.hpp>
#include <calmkit/timezone.hpp>
#include <calmkit/validate.hpp>
#include <calmkit/vocabulary.hpp>
