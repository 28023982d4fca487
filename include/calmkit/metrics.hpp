/// @file metrics.hpp
/// @brief Progress metrics (spec: metrics v1; formulas in docs/metrics.md):
/// episodes and time-to-calm with Kaplan–Meier summaries, trigger frequency
/// and trends, recovery, practice and affect dynamics, all over columnar data.
///
/// Example
/// ```cpp
/// namespace m = calmkit::metrics;
/// auto cols = m::Cohort::from_journal(journal);
/// auto eps = m::time_to_calm(cols);                         // θ = 3, window 12 h
/// auto per_person = m::time_to_calm_summary(cols, eps); // median minutes + CI
/// auto weekly = m::trigger_frequency(cols, m::Period::week);
/// ```
#pragma once

#include <calmkit/metrics/columns.hpp>
#include <calmkit/metrics/dynamics.hpp>
#include <calmkit/metrics/episodes.hpp>
#include <calmkit/metrics/frequency.hpp>
#include <calmkit/metrics/parallel.hpp>
#include <calmkit/metrics/practice.hpp>
#include <calmkit/metrics/recovery.hpp>
#include <calmkit/metrics/stats.hpp>
#include <calmkit/metrics/survival.hpp>
