// Packs the IANA time zones of a tzdata folder (TZif files, as Python's
// zoneinfo and calmkit::TimeZone::locate read them) into one file the
// JavaScript package fetches when a page first asks for a zone by name:
//   node pack_tzdata.mjs /usr/share/zoneinfo OUT.bin
// Layout: the line "calmkit-tzdata 1", a line of JSON
// {"version": tzdata's version, "zones": {name: [offset, length]}}, then the
// TZif files back to back (offsets count from the end of the JSON line; files
// with equal bytes, such as links, are stored once). The posix/ and right/
// copies are left out.
import fs from 'node:fs';
import path from 'node:path';

const [dir, out] = process.argv.slice(2);
const zones = {};
const blobs = [];
const seen = new Map();
let size = 0;
function walk(rel) {
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const name = rel ? `${rel}/${e.name}` : e.name;
    if (!rel && (e.name === 'posix' || e.name === 'right')) continue;
    const full = path.join(dir, name);
    const st = fs.statSync(full);
    if (st.isDirectory()) {
      walk(name);
    } else if (st.isFile()) {
      const b = fs.readFileSync(full);
      if (b.subarray(0, 4).toString('latin1') !== 'TZif') continue; // zone.tab, tzdata.zi, ...
      const key = b.toString('base64');
      if (!seen.has(key)) {
        seen.set(key, size);
        blobs.push(b);
        size += b.length;
      }
      zones[name] = [seen.get(key), b.length];
    }
  }
}
walk('');
let version = '';
try {
  version = /^# version (\S+)/.exec(fs.readFileSync(path.join(dir, 'tzdata.zi'), 'utf8'))?.[1] ?? '';
} catch {
  // no tzdata.zi: the version stays unknown
}
const sorted = Object.fromEntries(Object.keys(zones).sort().map((k) => [k, zones[k]]));
const head = Buffer.from(`calmkit-tzdata 1\n${JSON.stringify({ version, zones: sorted })}\n`, 'utf8');
fs.writeFileSync(out, Buffer.concat([head, ...blobs]));
console.log(`${Object.keys(zones).length} zones (${blobs.length} distinct files, tzdata ${version || 'version unknown'}) -> ${out}`);
