/// @file calmkit.hpp
/// @brief The umbrella header: everything calmkit offers.
#pragma once

#include <calmkit/assessments.hpp>
#include <calmkit/errors.hpp>
#include <calmkit/exercises.hpp>
#include <calmkit/files.hpp>
#include <calmkit/io.hpp>
#include <calmkit/journal.hpp>
#include <calmkit/model.hpp>
#include <calmkit/session.hpp>
#include <calmkit/store.hpp>
#include <calmkit/suggest.hpp>
#include <calmkit/synthetic.hpp>
#include <calmkit/time.hpp>
#include <calmkit/vocabulary.hpp>
