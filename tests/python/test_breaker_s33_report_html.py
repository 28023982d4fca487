"""The progress report given journals whose text fields hold HTML, SVG and
markup that a browser would act on, and cohorts whose participant ids differ
only in characters the report's section anchors cannot hold.

B48: each participant's section is ``<section id="p-...">`` with every
character other than a letter, a digit, '-' or '_' turned into '_'
(python/calmkit/report.py ``_anchor``), so "anna k", "anna.k" and "anna_k"
share one id: the HTML has the same id three times and the overview's links
to the second and third person all lead to the first one's section.

B52: in a cohort, the participant with no id ("", a single person's records
next to a cohort's) gets a section headed "Your journal", but the overview's
link and its row in the overview table are ``<a href="#journal"></a>``: a link
with no text, which nobody can see or click.

B53: a participant id or a journal file name with a bidirectional control
(U+202E RIGHT-TO-LEFT OVERRIDE) goes into the report's HTML as it is. The command line shows such
text escaped (docs/cli.md, "Text from journals on the terminal"), but in the
report the override is not closed nor isolated (no ``<bdi>``), so it runs on
over the following links of the navigation bar and the rest of the table row,
which the browser then shows reversed.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

import calmkit
from calmkit import report

HOSTILE = "<script>alert(1)</script>\"'&amp;]]><!--<img src=x onerror=alert(2)>"


def _journal_lines(people: list[str], text: str = "plain", n: int = 12) -> list[dict]:
    lines: list[dict] = []
    for p in people:
        for i in range(n):
            day = 2 + i // 2
            hour = 20 + i % 3
            t = f"2026-03-{day:02d}T{hour}:00:00+01:00"
            tid = f"t{i}{text}"
            lines.append({"type": "trigger", "participant": p, "id": tid, "time": t, "category": "other",
                          "intensity": 8, "context": text, "urge": text, "response": text, "tags": [text],
                          "thoughts": [text], "sensations": [text]})
            lines.append({"type": "reading", "participant": p, "time": t.replace(":00:00", ":40:00"),
                          "intensity": 2, "trigger": tid, "note": text})
            lines.append({"type": "exercise", "participant": p, "id": f"e{i}{text}",
                          "time": t.replace(":00:00", ":05:00"), "end": t.replace(":00:00", ":10:00"),
                          "exercise": "custom." + text, "intensity_before": 7, "intensity_after": 3,
                          "trigger": tid, "responses": [text]})
            lines.append({"type": "thought_record", "participant": p, "id": f"r{i}{text}",
                          "time": t.replace(":00:00", ":20:00"), "situation": text, "automatic_thought": text,
                          "belief_before": 80, "emotions": [{"name": text, "before": 50}], "trigger": tid,
                          "balanced_thought": text, "friend_advice": text})
        lines.append({"type": "assessment", "participant": p, "id": "a" + text,
                      "time": "2026-03-02T08:00:00+01:00", "instrument": "gad-7",
                      "answers": [1, 1, 2, 0, 1, 1, 0], "note": text})
    return lines


def _write(path: Path, lines: list[dict]) -> Path:
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    return path


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.handlers: list[str] = []
        self.images: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name == "id" and value is not None:
                self.ids.append(value)
            if name == "href" and value is not None:
                self.hrefs.append(value)
            if tag == "img" and name == "src":
                self.images.append(value or "")
            if name.startswith("on"):
                self.handlers.append(name)


def _parse(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


def test_markup_in_every_text_field_and_in_the_ids_stays_text(tmp_path: Path) -> None:
    people = [HOSTILE, "p&<b>2</b>"]
    journal = calmkit.read_journal(_write(tmp_path / "j.jsonl", _journal_lines(people, HOSTILE, n=6)))
    html = report.build_report(journal, source=HOSTILE, jobs=1)
    seen = _parse(html)
    assert "script" not in seen.tags and "b" not in seen.tags
    assert seen.handlers == []
    # the only images are the charts (no <img src=x> from the text)
    assert seen.images and all(src.startswith("data:image/svg+xml;base64,") for src in seen.images)
    # the participants' names are shown, as text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    svgs = [base64.b64decode(m).decode("utf-8")
            for m in re.findall(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", html)]
    assert svgs, "the report embeds its charts as SVG data URIs"
    for svg in svgs:
        root = ET.fromstring(svg)  # well-formed XML: the text in it is escaped
        names = {el.tag.rsplit("}", 1)[-1] for el in root.iter()}
        assert "script" not in names and "foreignObject" not in names
        assert not any(k.startswith("on") for el in root.iter() for k in el.attrib)


def test_the_command_writes_a_report_for_a_hostile_journal_name(tmp_path: Path) -> None:
    src = _write(tmp_path / "<b>x&amp;.jsonl", _journal_lines(["p1"], HOSTILE, n=6))
    out = tmp_path / "r.html"
    res = subprocess.run([sys.executable, "-m", "calmkit", "report", str(src), "-o", str(out)],
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    seen = _parse(out.read_text(encoding="utf-8"))
    assert "b" not in seen.tags and "script" not in seen.tags and seen.handlers == []


@pytest.mark.parametrize("lines", [
    [],
    [{"type": "header", "format": "calmkit-journal", "version": 1}],
    [{"type": "assessment", "participant": "p1", "id": "a1", "time": "2026-03-02T08:00:00+01:00",
      "instrument": "gad-7", "answers": [1, 1, 2, 0, 1, 1, 0], "note": HOSTILE},
     {"type": "assessment", "participant": "p2", "id": "a1", "time": "2026-03-16T08:00:00+01:00",
      "instrument": "gad-7", "answers": [3, 3, 3, 3, 3, 3, 3]}],
], ids=["no-records", "header-only", "assessments-only"])
def test_the_command_reports_journals_with_nothing_to_measure(lines: list[dict], tmp_path: Path) -> None:
    src = _write(tmp_path / "j.jsonl", lines)
    out = tmp_path / "r.html"
    res = subprocess.run([sys.executable, "-m", "calmkit", "report", str(src), "-o", str(out)],
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    seen = _parse(out.read_text(encoding="utf-8"))
    assert "script" not in seen.tags and "html" in seen.tags


def test_each_participant_section_has_its_own_anchor(tmp_path: Path) -> None:
    people = ["anna k", "anna.k", "anna_k"]
    journal = calmkit.read_journal(_write(tmp_path / "j.jsonl", _journal_lines(people, n=3)))
    seen = _parse(report.build_report(journal, jobs=1))
    dupes = sorted({i for i in seen.ids if seen.ids.count(i) > 1})
    assert dupes == [], f"ids used more than once: {dupes}"
    targets = {h[1:] for h in seen.hrefs if h.startswith("#p-")}
    assert len(targets) == len(people), targets


def _outside_isolates(html: str) -> str:
    """The HTML without the charts' data URIs and without the text of ``<bdi>`` elements."""
    html = re.sub(r"data:image/svg\+xml;base64,[A-Za-z0-9+/=]+", "", html)
    return re.sub(r"<bdi\b[^>]*>.*?</bdi>", "", html, flags=re.S)


def test_the_participant_without_an_id_has_a_visible_link(tmp_path: Path) -> None:
    journal = calmkit.read_journal(_write(tmp_path / "j.jsonl", _journal_lines(["", "p1"], n=3)))
    html = report.build_report(journal, jobs=1)
    empty = re.findall(r'<a href="#[^"]*">\s*</a>', html)
    assert empty == [], empty


@pytest.mark.parametrize("where", ["participant", "file-name"])
def test_a_bidirectional_override_in_shown_text_is_contained(where: str, tmp_path: Path) -> None:
    people = ["\u202eevil", "p1"] if where == "participant" else ["p0", "p1"]
    journal = calmkit.read_journal(_write(tmp_path / "j.jsonl", _journal_lines(people, n=3)))
    source = "notes-\u202elmth.jsonl" if where == "file-name" else "j.jsonl"
    html = report.build_report(journal, source=source, jobs=1)
    loose = [hex(ord(c)) for c in _outside_isolates(html) if c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"]
    assert loose == [], f"bidirectional controls outside an isolate: {loose}"
