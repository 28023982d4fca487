"""The public names of calmkit.metrics, listed once: the module's ``__all__``.

The package root re-exports them from this list without importing
calmkit.metrics, which imports pandas and NumPy; the first use of a name
imports the module (``calmkit.__getattr__``). A program that only reads or
writes journals so never loads pandas.
"""

METRICS = (
    "Cohort",
    "cohort",
    "cohort_from_arrays",
    "set_threads",
    "threads",
    "time_to_calm",
    "time_to_calm_summary",
    "km_curve",
    "km_quantiles",
    "first_and_latest",
    "analysis_frame",
    "episodes_by_exercise",
    "trigger_frequency",
    "trigger_trend",
    "trigger_trend_weeks",
    "peak_intensity",
    "peak_trend",
    "exercise_effectiveness",
    "thought_record_summary",
    "distortion_frequency",
    "window_of_uncertainty",
    "trigger_weekday_hour",
    "trigger_weekday_hour_summary",
    "trigger_category_totals",
    "record_counts",
    "practice_consistency",
    "practice_streaks",
    "affect_dynamics",
)
