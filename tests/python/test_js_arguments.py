"""Arguments of the JavaScript (WebAssembly) package that JavaScript coerces or cannot write.

- An exercise definition (``ExerciseRegistry.add``, ``validateExercise``, a
  Session or ``exerciseCycles`` of a definition) holding a value JSON has no
  form for: Node's ``JSON.stringify`` throws a bare TypeError for a BigInt and
  for an object that holds itself, and drops a Symbol or a function. The
  package refuses it with an ExerciseFormatError naming the JSON path, the
  path Python's parser names for a wrong value at the same place.
- ``now`` of a Session method that is not a number: Emscripten's binding turns
  ``"5"`` into 5 and ``null`` into 0; pybind11 refuses it in Python (TypeError).
  The package refuses it in the words the core uses for NaN.
- ``localTime`` in a zone whose offset had seconds (local mean time): the
  offset in IANA's data is read by Python's zoneinfo; where it is whole
  minutes, ``localTime`` writes what ``datetime.isoformat`` writes, and where
  it has seconds (Africa/Monrovia -00:44:30 until 1972) the package refuses
  the Date, as the Python record types refuse such a datetime.

Run by CTest after the wasm build (CALMKIT_JS_DIR, CALMKIT_NODE); skipped,
saying why, when the package is not built.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

import calmkit
from conftest import JsPackage

zoneinfo = pytest.importorskip("zoneinfo")

PROBE = r"""
import path from 'node:path';
import { pathToFileURL } from 'node:url';
const pkg = await import(pathToFileURL(path.join(process.env.CALMKIT_JS_DIR, 'index.js')).href);
const ck = await pkg.loadCalmkit();
const tried = (f) => {
  try { return { ok: f() }; } catch (e) {
    return { error: e.constructor.name, isCalmkit: e instanceof pkg.CalmkitError, field: e.field ?? null,
             reason: e.reason ?? null, message: e.message };
  }
};
const base = () => structuredClone(ck.catalog().find((e) => e.id === 'breathing.extended-exhale'));
const withValue = (set) => { const d = base(); d.id = 'custom.probe'; set(d); return d; };
const cyclic = {};
cyclic.self = cyclic;
const bad = {
  bigint: withValue((d) => { d.steps[0].seconds = 4n; }),
  bigint_repeats: withValue((d) => { d.repeats = 6n; }),
  symbol: withValue((d) => { d.name = Symbol('x'); }),
  func: withValue((d) => { d.steps[1].cue = () => 'x'; }),
  cyclic: withValue((d) => { d.sources = [cyclic]; }),
};
const out = { node: {}, add: {}, validate: {}, session: {}, cycles: {}, registrySize: {} };
for (const [name, def] of Object.entries(bad)) {
  out.node[name] = tried(() => JSON.stringify(def));
  const reg = new ck.ExerciseRegistry();
  out.add[name] = tried(() => { reg.add(def); return null; });
  out.registrySize[name] = reg.size;
  reg.delete();
  out.validate[name] = tried(() => ck.validateExercise(def));
  out.session[name] = tried(() => { new ck.Session(def).delete(); return null; });
  out.cycles[name] = tried(() => ck.exerciseCycles(def));
}
const started = (now) => {
  const s = new ck.Session('breathing.extended-exhale');
  const r = tried(() => { s.start(now); return null; });
  r.status = s.status;
  s.delete();
  return r;
};
out.start = Object.fromEntries(
  [['string', '5'], ['empty', ''], ['null', null], ['undefined', undefined], ['bigint', 5n], ['boolean', true],
   ['object', { valueOf: () => 5 }], ['nan', NaN], ['number', 5]].map(([k, v]) => [k, started(v)]));
const running = (f) => {
  const s = new ck.Session('grounding.5-4-3-2-1');
  s.start(0);
  const r = tried(() => { f(s); return null; });
  r.status = s.status;
  s.delete();
  return r;
};
out.later = {
  update: running((s) => s.update('1')),
  pause: running((s) => s.pause('1')),
  skip: running((s) => s.skip(null)),
  answer: running((s) => s.answer('1', 'the lamp')),
  abort: running((s) => s.abort([1])),
  finish: running((s) => s.finish('2', { id: 'x1', startedAt: '2026-03-02T21:14:00+01:00' })),
};
process.stdout.write(JSON.stringify(out));
"""

LOCAL = r"""
import path from 'node:path';
import { pathToFileURL } from 'node:url';
const { localTime, CalmkitError } = await import(pathToFileURL(path.join(process.env.CALMKIT_JS_DIR, 'index.js')).href);
const out = JSON.parse(process.argv[2]).map((ms) => {
  try { return { ok: localTime(new Date(ms)) }; } catch (e) {
    return { error: e.constructor.name, isCalmkit: e instanceof CalmkitError, message: e.message };
  }
});
process.stdout.write(JSON.stringify(out));
"""

DEFINITION_CASES = [("bigint", "steps[0].seconds", "BigInt"), ("bigint_repeats", "repeats", "BigInt"),
                    ("symbol", "name", "Symbol"), ("func", "steps[1].cue", "function"),
                    ("cyclic", "sources[0].self", "holds itself")]


@pytest.fixture(scope="module")
def js(tmp_path_factory: pytest.TempPathFactory, js_package: JsPackage) -> dict:
    script = tmp_path_factory.mktemp("js") / "probe.mjs"
    script.write_text(PROBE, encoding="utf-8")
    return js_package.json(script)


@pytest.mark.parametrize("case,field,what", DEFINITION_CASES, ids=[c[0] for c in DEFINITION_CASES])
def test_a_definition_value_json_cannot_carry_is_refused_naming_its_path(js: dict, case: str, field: str,
                                                                         what: str) -> None:
    node = js["node"][case]
    if case in ("bigint", "bigint_repeats", "cyclic"):
        # Node's own behaviour, which the package must not pass on: a bare TypeError naming no field.
        assert node["error"] == "TypeError" and not node["isCalmkit"], node
    else:
        assert "ok" in node  # dropped without a word
    for entry in ("add", "validate", "session", "cycles"):
        got = js[entry][case]
        assert got.get("error") == "ExerciseFormatError", (entry, got)
        assert got["isCalmkit"] and got["field"] == field and what in got["reason"], (entry, got)
        assert got["message"] == f"exercise JSON: field '{field}': {got['reason']}", (entry, got)
    assert js["registrySize"][case] == 0


def test_the_path_is_the_one_pythons_parser_names_for_the_same_place() -> None:
    base = json.loads(calmkit.to_json(calmkit.catalog_exercise("breathing.extended-exhale")))
    base["id"] = "custom.probe"
    for field, put in [("steps[0].seconds", lambda d: d["steps"][0].__setitem__("seconds", "4")),
                       ("repeats", lambda d: d.__setitem__("repeats", "6"))]:
        d = json.loads(json.dumps(base))
        put(d)
        with pytest.raises(calmkit.ExerciseFormatError, match="^" + re.escape(f"exercise JSON: field '{field}'")):
            calmkit.exercise_from_json(json.dumps(d))


NOT_NUMBERS = ["string", "empty", "null", "undefined", "bigint", "boolean", "object"]


@pytest.mark.parametrize("case", NOT_NUMBERS)
def test_session_start_refuses_a_now_that_is_not_a_number(js: dict, case: str) -> None:
    got = js["start"][case]
    assert got.get("error") == "CalmkitError", got
    # The core's words for NaN, and what was given instead.
    nan = js["start"]["nan"]
    assert nan.get("error") == "CalmkitError" and got["message"].startswith(nan["message"] + ", got "), (got, nan)
    assert got["status"] == "ready"  # not started at 0 or 5


def test_python_refuses_a_string_now_too() -> None:
    s = calmkit.Session(calmkit.catalog_exercise("breathing.extended-exhale"))
    with pytest.raises(TypeError):
        s.start("5")
    s.start(5)  # a number is taken


def test_session_start_takes_a_number(js: dict) -> None:
    assert js["start"]["number"] == {"ok": None, "status": "running"}


@pytest.mark.parametrize("method", ["update", "pause", "skip", "answer", "abort", "finish"])
def test_every_session_method_refuses_a_now_that_is_not_a_number(js: dict, method: str) -> None:
    got = js["later"][method]
    assert got.get("error") == "CalmkitError", got
    assert got["message"].startswith(f"Session::{method}: now must be a finite number of seconds"), got
    assert got["status"] == "running"


# (zone, UTC instant): Monrovia kept local mean time, -00:44:30, until 1972-01-07
# (IANA africa file); New York -04:56:02 before 1883. The others are whole minutes.
INSTANTS = [("Africa/Monrovia", dt.datetime(1970, 1, 1, 12)), ("Africa/Monrovia", dt.datetime(1971, 6, 1, 8, 30)),
            ("Africa/Monrovia", dt.datetime(1972, 6, 1, 12)), ("America/New_York", dt.datetime(1850, 1, 1, 17)),
            ("America/New_York", dt.datetime(2026, 7, 1, 12, 0, 0, 250_000)),
            ("Asia/Kathmandu", dt.datetime(2026, 1, 1, 6, 15)), ("Pacific/Chatham", dt.datetime(2026, 1, 1, 12)),
            ("America/St_Johns", dt.datetime(2026, 7, 1, 8, 15)), ("Europe/Berlin", dt.datetime(2026, 3, 29, 1, 30))]


@pytest.fixture(scope="module")
def local_times(tmp_path_factory: pytest.TempPathFactory, js_package: JsPackage) -> dict:
    script = tmp_path_factory.mktemp("js") / "local.mjs"
    script.write_text(LOCAL, encoding="utf-8")
    out = {}
    for zone in sorted({z for z, _ in INSTANTS}):
        instants = [t for z, t in INSTANTS if z == zone]
        ms = [int(t.replace(tzinfo=dt.timezone.utc).timestamp() * 1000) for t in instants]
        for t, got in zip(instants, js_package.json(script, json.dumps(ms), env={"TZ": zone})):
            out[zone, t] = got
    return out


@pytest.mark.parametrize("zone,instant", INSTANTS, ids=[f"{z}-{t:%Y%m%d%H%M}" for z, t in INSTANTS])
def test_local_time_agrees_with_zoneinfo_and_the_record_types(local_times: dict, zone: str,
                                                              instant: dt.datetime) -> None:
    aware = instant.replace(tzinfo=dt.timezone.utc).astimezone(zoneinfo.ZoneInfo(zone))
    offset = aware.utcoffset()
    got = local_times[zone, instant]
    if offset.total_seconds() % 60:
        with pytest.raises(ValueError, match="not a whole number of minutes"):
            calmkit.Reading(time=aware, intensity=3)
        assert got.get("error") == "CalmkitError", got
        assert "not a whole number of minutes" in got["message"], got
        sign, s = ("-" if offset < dt.timedelta(0) else "+"), abs(int(offset.total_seconds()))
        assert f"{sign}{s // 3600:02}:{s % 3600 // 60:02}:{s % 60:02}" in got["message"], got
    else:
        want = aware.isoformat(timespec="milliseconds" if aware.microsecond else "seconds")
        assert got == {"ok": want}
        written = json.loads(calmkit.to_json(calmkit.Reading(time=aware, intensity=3)))["time"]
        assert dt.datetime.fromisoformat(written) == dt.datetime.fromisoformat(got["ok"])
