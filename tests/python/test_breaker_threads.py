"""A Journal shared between Python threads: one adds records while another
computes metrics, writes or exports the same journal.

Metrics, writers and exports release the GIL while they read a journal's
columns. Before the fix an ``add`` on another thread changed the columns
under them: every trigger added here sorts first (a new participant, the
earliest time), so each add renumbers every participant code and shifts every
trigger row, and a read that overlapped it returned a mix of two journals (or
the interpreter died, "double free or corruption", when a column was
reallocated). Now every result must be the answer for one whole state of the
journal: the base journal plus its first k added triggers, for some k.

Each case runs in a child process, so that a crash is a failed test, not a
dead test run.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

# Per case: how the reader thread reads `j` (returning a value), how many
# triggers were added in the state it saw (`n0` triggers at the start), and
# whether a value equals the answer computed afterwards for that state.
CASES = {
    # The metrics: the compiled call alone (every array and the names it
    # returns from one state), then the public calls, whose frames name the
    # participants and triggers with what that call returned.
    "metrics": (
        "(_core._metric_episodes(_cohort(j), 3, 12.0),)",
        "len(v[0]['onset_us']) - n0",
        "all(a.keys() == b.keys() and all(np.array_equal(a[k], b[k], equal_nan=np.asarray(a[k]).dtype.kind == 'f')"
        " for k in a) for a, b in zip(v, w))",
    ),
    "time_to_calm": ("calmkit.time_to_calm(j)", "len(v) - n0", "v.equals(w)"),
    "time_to_calm_summary": ("calmkit.time_to_calm_summary(j, by='participant')", "len(v) - p0", "v.equals(w)"),
    "trigger_frequency": ("calmkit.trigger_frequency(j, period='week')",
                          "v['participant'].nunique() - p0", "v.equals(w)"),
    "write": (
        "(calmkit.write_journal(j, tmp / f'{threading.get_ident()}.jsonl'),"
        " (tmp / f'{threading.get_ident()}.jsonl').read_text())[1]",
        "sum('\"type\":\"trigger\"' in line for line in v.splitlines()) - n0",
        "v == w",
    ),
    "to_jsonl": ("calmkit.to_jsonl(j)",
                 "sum('\"type\":\"trigger\"' in line for line in v.splitlines()) - n0", "v == w"),
    "pickle": ("pickle.dumps(j)", "len(pickle.loads(v).triggers) - n0", "pickle.loads(v) == pickle.loads(w)"),
    "arrow": ("j.to_arrow()", "v['triggers'].num_rows - n0", "all(v[k].equals(w[k]) for k in v)"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_read_on_another_thread_sees_one_whole_state_of_the_journal(case, tmp_path):
    if case == "arrow":
        pytest.importorskip("pyarrow")
    read, added, same = CASES[case]
    code = textwrap.dedent(
        f"""
        import pathlib, pickle, threading
        import numpy as np
        import calmkit
        from calmkit import _core
        from calmkit.metrics import _cohort
        tmp = pathlib.Path({str(tmp_path)!r})
        base = calmkit.to_jsonl(calmkit.synthetic_journal(participants=60, days=30, seed=3))
        j = calmkit.parse_journal(base)
        n0 = len(j.triggers)
        p0 = len(j.participants())
        # Each name sorts before the last one: every add renumbers all codes and shifts all rows.
        adds = [calmkit.Trigger(id=f"x{{k}}", time="2026-01-01T00:00:00Z", category="other", intensity=5,
                                participant=f"!{{10**6 - k:07d}}") for k in range(3000)]
        stop = False
        seen = []
        errors = []
        reading = threading.Event()
        def reader():
            while not stop:
                reading.set()
                try:
                    v = {read}
                    seen.append(v)
                except Exception as e:  # a clear error is a finding too: report it
                    errors.append(repr(e))
        t = threading.Thread(target=reader)
        t.start()
        # The adds begin once the reader is in its loop: a thread started late
        # on a busy machine would otherwise find them all done (nothing seen).
        reading.wait()
        for a in adds:
            j.add(a)
        stop = True
        t.join()
        assert not errors, errors[:3]
        assert seen
        # Every value read is the answer for the base plus its first k adds.
        by_k = {{}}
        for v in seen:
            k = {added}
            assert 0 <= k <= len(adds), k
            by_k.setdefault(k, []).append(v)
        state = calmkit.parse_journal(base)
        done = 0
        wrong = 0
        for k in sorted(by_k):
            while done < k:
                state.add(adds[done])
                done += 1
            j = state
            w = {read}
            for v in by_k[k]:
                wrong += not ({same})
        assert wrong == 0, f"{{wrong}} of {{len(seen)}} reads mixed two states of the journal"
        print("ok", len(seen), len(by_k))
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert done.stdout.startswith("ok")
