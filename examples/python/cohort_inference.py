"""Is time-to-calm getting shorter over the weeks? A worked example on a
synthetic cohort: the episode-level analysis frame, pooled Kaplan-Meier
medians, a log-rank test and Cox models with participant-clustered errors.

    PYTHONPATH=build/python python3 examples/python/cohort_inference.py [participants] [days]

Needs the optional dependencies of the ``stats`` extra: ``pip install ".[stats]"``
in the calmkit source checkout, or ``pip install lifelines``.
What these numbers can and cannot tell: docs/metrics.md, "Cohort-level
inference".
"""

import sys

import calmkit


def main() -> int:
    try:
        import calmkit.stats as stats

        stats._lifelines()  # fail early, in one line, when the extra is missing
    except ImportError as e:
        print(f"cohort_inference: {e}", file=sys.stderr)
        return 2
    participants = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    days = int(sys.argv[2]) if len(sys.argv) > 2 else 84
    journal = calmkit.synthetic_journal(participants=participants, days=days, seed=13)

    # One row per episode: time to calm (or to censoring) and its covariates.
    frame = calmkit.analysis_frame(journal, weeks=4)
    print(f"{len(frame)} episodes of {frame['participant'].nunique()} participants, "
          f"{int(frame['calmed'].sum())} calmed, {int((~frame['calmed']).sum())} censored")

    # Pooled Kaplan-Meier medians, each episode made of its own person's records.
    km = calmkit.time_to_calm_summary(frame, by="first_and_latest")
    for row in km.itertuples():
        print(f"KM median time to calm, {row.first_and_latest} 4 weeks: {row.median_minutes:.1f} min "
              f"(95% CI {row.ci_low:.1f}-{row.ci_high:.1f}; {row.episodes} episodes, {row.censored} censored)")

    # Log-rank: are the first and latest weeks' curves the same?
    lr = stats.logrank(frame, "first_and_latest").iloc[0]
    print(f"log-rank first vs latest 4 weeks: chi2 = {lr['statistic']:.2f} on {int(lr['df'])} df, "
          f"p = {lr['p_value']:.2g}")

    # Cox: hazard ratio of calming per week, and latest vs first weeks, with
    # errors clustered by participant (a person's episodes are not independent).
    trend = stats.cox_time_trend(frame)
    for row in trend.itertuples():
        print(f"Cox {row.model}: hazard ratio {row.hazard_ratio:.3f} (95% CI {row.ci_low:.3f}-{row.ci_high:.3f}), "
              f"p = {row.p_value:.2g}; {row.episodes} episodes, {row.participants} participants")

    # A covariate model: hour of day and whether an exercise was used. The
    # exercise term is partly a measurement artefact (more observations).
    model = stats.cox(frame.assign(evening=frame["local_hour"] >= 18), ["evening", "with_exercise", "observations"])
    print(model[["term", "hazard_ratio", "ci_low", "ci_high", "p_value"]].to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
