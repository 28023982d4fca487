"""Writes a synthetic Apple Health export.xml of about SIZE bytes (default 1 GiB).

The header is the iOS 16+ one with its malformed DTD (the fixture
tests/data/importers/apple_health/ios16_export.xml); the body is what makes
real exports large: heart-rate records with metadata, one every few minutes
for years, with a mindful session and a State of Mind sample now and then.

    python3 benchmarks/apple_health/make_export.py /tmp/export.xml --size 1073741824
"""
from __future__ import annotations

import argparse
from datetime import datetime, timedelta, timezone
from pathlib import Path

FIXTURE = Path(__file__).resolve().parents[2] / "tests" / "data" / "importers" / "apple_health" / "ios16_export.xml"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("output", type=Path)
    ap.add_argument("--size", type=int, default=1 << 30, help="bytes to write at least (default 1 GiB)")
    args = ap.parse_args()
    head = FIXTURE.read_text(encoding="utf-8").split("<HealthData", 1)[0]
    t = datetime(2019, 1, 1, tzinfo=timezone(timedelta(hours=1)))
    step = timedelta(minutes=3)
    written = 0
    n = 0
    with open(args.output, "w", encoding="utf-8", newline="\n") as out:
        written += out.write(head + '<HealthData locale="en_GB">\n <ExportDate value="2026-03-10 08:00:00 +0100"/>\n')
        while written < args.size:
            lines = []
            for _ in range(10_000):
                s = t.strftime("%Y-%m-%d %H:%M:%S %z")
                if n % 997 == 0:
                    e = (t + timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M:%S %z")
                    lines.append(f' <Record type="HKCategoryTypeIdentifierMindfulSession" sourceName="Breathe" '
                                 f'sourceVersion="9.1" creationDate="{e}" startDate="{s}" endDate="{e}" '
                                 f'value="HKCategoryValueNotApplicable"/>\n')
                elif n % 1499 == 0:
                    lines.append(f' <Record type="HKStateOfMindTypeIdentifier" sourceName="Health" '
                                 f'creationDate="{s}" startDate="{s}" endDate="{s}" kind="dailyMood" '
                                 f'valence="{(n % 21 - 10) / 10:.1f}" labels="calm|tired"/>\n')
                else:
                    lines.append(f' <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Watch" '
                                 f'sourceVersion="9.1" unit="count/min" creationDate="{s}" startDate="{s}" '
                                 f'endDate="{s}" value="{60 + n % 40}">\n'
                                 f'  <MetadataEntry key="HKMetadataKeyHeartRateMotionContext" value="{n % 3}"/>\n'
                                 f' </Record>\n')
                n += 1
                t += step
            written += out.write("".join(lines))
        written += out.write("</HealthData>\n")
    print(f"wrote {args.output}: {written} bytes, {n} records")


if __name__ == "__main__":
    main()
