"""Nothing calmkit writes may depend on its hash tables' per-process secret
(include/calmkit/hash.hpp: "No output of calmkit depends on it: the tables
that use it are only searched, never walked").

Each process draws a new secret, so the same work done in three processes
must print the same bytes: the journal and the lenient report of a dirty
journal (duplicate ids, dangling references, participants whose bytes
collide), the strict error, the errors of Journal.add and the Journal
constructor, a store's load and integrity check, the suggestions, the
cohort columns' refusals and the metrics' frames.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent(r'''
    import hashlib, io, json, random, sys
    import calmkit

    out = io.StringIO()
    def say(*a):
        print(*a, file=out)

    rng = random.Random(7)
    people = ["cohort-A" + m + "-wave-01" for m in ["", "x", "y", "xy"]] + ["a" * k for k in range(7, 18)] + ["", "p"]
    lines = []
    for n in range(2500):
        p = rng.choice(people)
        tid = "t%d" % rng.randrange(300)
        if rng.random() < 0.4:
            lines.append(json.dumps({"type": "trigger", "participant": p, "id": tid,
                                     "time": "2026-03-%02dT10:00:00Z" % rng.randrange(1, 29),
                                     "category": "other", "intensity": rng.randrange(11)}))
        elif rng.random() < 0.8:
            lines.append(json.dumps({"type": "reading", "participant": p, "id": "r%d" % rng.randrange(3000),
                                     "time": "2026-03-%02dT11:00:00Z" % rng.randrange(1, 29),
                                     "intensity": rng.randrange(11), "trigger": tid}))
        else:
            lines.append(json.dumps({"type": "exercise", "participant": p, "id": "e%d" % rng.randrange(500),
                                     "time": "2026-03-%02dT12:00:00Z" % rng.randrange(1, 29),
                                     "end": "2026-03-%02dT12:00:00Z" % 28, "exercise": rng.choice(
                                         ["breathing.4-7-8", "grounding.5-4-3-2-1", "mine"]),
                                     "intensity_before": 8, "intensity_after": rng.randrange(11)}))
    text = "\n".join(lines) + "\n"
    for threads in (1, 3):
        res = calmkit.parse_journal_with_report(text, lenient=True, threads=threads)
        say(calmkit.to_jsonl(res.journal))
        for s in res.report.skipped:
            say(s.line, s.field, s.message)
    try:
        calmkit.parse_journal(text)
    except calmkit.JournalFormatError as e:
        say("strict:", e)
    j = calmkit.parse_journal_with_report(text, lenient=True).journal
    # Journal.add of records the journal already has, and of ones naming missing triggers.
    for rec in list(j.readings)[:50] + list(j.triggers)[:50]:
        try:
            j.add(rec)
        except ValueError as e:
            say("add:", e)
    # The metrics' frames and the suggestions.
    say(calmkit.time_to_calm(j, threshold=3, window_hours=12).to_csv())
    say(calmkit.trigger_frequency(j, period="week").to_csv())
    say(calmkit.record_counts(j).to_csv())
    for p in j.participants():
        for s in calmkit.suggest(8, j, p):
            say(s)
    # A store.
    import tempfile, os
    d = tempfile.mkdtemp()
    with calmkit.open_store(os.path.join(d, "s.db")) as st:
        st.add_journal(j)
        say(calmkit.to_jsonl(st.load()), st.integrity_check(), st.participants())
    # The Arrow bridge.
    try:
        say(calmkit.to_jsonl(calmkit.Journal.from_arrow(j.to_arrow())))
    except ImportError:
        pass
    sys.stdout.write(hashlib.sha256(out.getvalue().encode()).hexdigest() + "\n")
    sys.stdout.write(str(len(out.getvalue())) + "\n")
''')


def test_three_processes_print_the_same(tmp_path: Path) -> None:
    script = tmp_path / "work.py"
    script.write_text(SCRIPT)
    runs = []
    for _ in range(3):
        p = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=600)
        assert p.returncode == 0, p.stderr[-2000:]
        runs.append(p.stdout)
    assert int(runs[0].split()[1]) > 100_000, "the work printed almost nothing: it proves nothing"
    assert runs[0] == runs[1] == runs[2], [hashlib.sha256(r.encode()).hexdigest()[:8] for r in runs]
