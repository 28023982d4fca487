"""A tour of calmkit's progress metrics on a synthetic cohort, notebook style:
run it as a script (plots go to PNG files) or paste the cells into Jupyter.

    PYTHONPATH=build/python python3 examples/python/metrics_tour.py [journal.jsonl]
"""

# %% Load a journal (the sample or a synthetic cohort) and its columnar form.
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import calmkit

journal = (calmkit.read_journal(sys.argv[1]) if len(sys.argv) > 1
           else calmkit.synthetic_journal(participants=3, days=56, seed=1))
cohort = calmkit.cohort(journal)  # build once, reuse for every metric
out = Path("metrics_tour")
out.mkdir(exist_ok=True)
print(cohort)

# %% Time-to-calm per episode: censored episodes are kept (calmed == False).
episodes = calmkit.time_to_calm(cohort, threshold=3, window_hours=12)
print(episodes.head())
print("share censored:", round(1 - episodes["calmed"].mean(), 3))

# %% Median time-to-calm per participant and per month, with the Brookmeyer-Crowley CI.
print(calmkit.time_to_calm_summary(cohort, by="participant"))
print(calmkit.time_to_calm_summary(cohort, by=["participant", "month"]))
# The episode frame itself can be summarised, whole or filtered, without
# recomputing it: here episodes where an exercise was used vs the others.
print(calmkit.time_to_calm_summary(episodes[episodes["with_exercise"]], by="participant"))
print(calmkit.time_to_calm_summary(episodes[~episodes["with_exercise"]], by="participant"))

# %% Kaplan-Meier curves: the share of episodes not yet calm after t minutes.
curves = calmkit.km_curve(cohort, by="participant")
fig, ax = plt.subplots(figsize=(7, 4))
for name, g in curves.groupby("participant", observed=True):
    ax.step(g["minutes"], g["survival"], where="post", label=str(name))
    ax.fill_between(g["minutes"], g["ci_low"], g["ci_high"], step="post", alpha=0.15)
ax.axhline(0.5, color="grey", lw=0.8, ls="--")
ax.set(xlabel="minutes after the trigger", ylabel="not yet calm", title="Time to calm (Kaplan-Meier)")
ax.legend()
fig.savefig(out / "km_curves.png", dpi=120, bbox_inches="tight")

# %% Weekly trigger frequency in local time (zero-filled) and its trend.
weekly = calmkit.trigger_frequency(cohort, period="week")
fig, ax = plt.subplots(figsize=(7, 4))
for name, g in weekly.groupby("participant", observed=True):
    ax.plot(g["period_start"], g["count"], marker="o", label=str(name))
ax.set(xlabel="ISO week", ylabel="triggers", title="Triggers per week")
ax.legend()
fig.autofmt_xdate()
fig.savefig(out / "weekly_triggers.png", dpi=120, bbox_inches="tight")
print(calmkit.trigger_trend(cohort, k=4))
print(calmkit.trigger_frequency(cohort, period="month", by_group=True))

# %% Recovery: peaks, exercises, thought records, the window of uncertainty.
print(calmkit.peak_trend(cohort))
print(calmkit.exercise_effectiveness(cohort).sort_values("sessions", ascending=False).head(8))
print(calmkit.thought_record_summary(cohort))
freq = calmkit.distortion_frequency(cohort)
print(freq[freq["count"] > 0].sort_values("share", ascending=False).head(8))
print(calmkit.window_of_uncertainty(cohort))

# %% Practice and affect dynamics.
practice = calmkit.practice_consistency(cohort)
fig, ax = plt.subplots(figsize=(7, 4))
for name, g in practice.groupby("participant", observed=True):
    ax.plot(g["period_start"], g["practice_days"], marker="s", label=str(name))
ax.set(xlabel="ISO week", ylabel="days with practice", ylim=(0, 7.5), title="Practice consistency")
ax.legend()
fig.autofmt_xdate()
fig.savefig(out / "practice.png", dpi=120, bbox_inches="tight")
print(calmkit.practice_streaks(cohort))
print(calmkit.affect_dynamics(cohort))
print(f"plots written to {out}/")
