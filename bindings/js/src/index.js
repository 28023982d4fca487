// calmkit for JavaScript: the journal format, exercise catalog, session
// engine, suggestions and metrics of calmkit's C++ core, compiled to
// WebAssembly. See docs/web.md; the types are in index.d.ts.
//
// Memory rule: Journal, ExerciseRegistry and Session hold C++ memory. Free each
// with .delete() (or declare it with `using`, or run the work inside
// calmkit.scope()). Everything else this package returns is a plain
// JavaScript value that needs nothing. A forgotten object is freed when the
// garbage collector finds it (FinalizationRegistry), but that may be late or
// never: delete what you create.
//
// Why one file of ~660 lines: it is the package's one ES module entry, the
// JavaScript face of core.cpp section by section (errors, names, lifetimes,
// times, the API, loading the core), typed by the one index.d.ts beside it.
// Its seam, if it grows: the API section split by part into modules that
// index.js re-exports.
import createCalmkitCore from './calmkit_core.mjs';

// --- errors ------------------------------------------------------------------------

/** Any error calmkit reports. `kind`: "invalid_argument", "out_of_range", "runtime". */
export class CalmkitError extends Error {
  constructor(message, kind = 'invalid_argument') {
    super(message);
    this.name = 'CalmkitError';
    this.kind = kind;
  }
}

/** A journal line or record that breaks the journal format (path, line, field). */
export class JournalFormatError extends CalmkitError {
  constructor(message, { path = '', line = 0, field = '', reason = message } = {}) {
    super(message, 'journal_format');
    this.name = 'JournalFormatError';
    this.path = path;
    this.line = line;
    this.field = field;
    this.property = camel(field);
    this.reason = reason;
  }
}

/**
 * A record refused by the journal format's rules where it is no file's line
 * (`Journal.add`, `new Journal(records)`, `normalizeRecord`): a
 * JournalFormatError with `path` "" and `line` 0, and `place` (who refused
 * which record, e.g. "cannot add trigger 't1' of participant 'p'"). The same
 * name in C++ (calmkit::RecordError) and Python (calmkit.RecordError).
 */
export class RecordError extends JournalFormatError {
  constructor(message, { place = '', ...rest } = {}) {
    super(message, rest);
    this.name = 'RecordError';
    this.place = place;
  }
}

/** An exercise definition that is not valid (field is its JSON path). */
export class ExerciseFormatError extends CalmkitError {
  constructor(message, { field = '', reason = message } = {}) {
    super(message, 'exercise_format');
    this.name = 'ExerciseFormatError';
    this.field = field;
    this.property = field.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
    this.reason = reason;
  }
}

function rethrow(e) {
  if (e instanceof Error && typeof e.calmkitKind === 'string') {
    if (e.calmkitKind === 'journal_format') {
      throw typeof e.place === 'string' ? new RecordError(e.message, e) : new JournalFormatError(e.message, e);
    }
    if (e.calmkitKind === 'exercise_format') throw new ExerciseFormatError(e.message, e);
    throw new CalmkitError(e.message, e.calmkitKind);
  }
  throw e;
}

function call(fn) {
  try {
    return fn();
  } catch (e) {
    return rethrow(e);
  }
}

// --- names: the journal format's snake_case <-> JavaScript camelCase -------------------

function camel(key) {
  return key.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
}

function snake(key) {
  return key.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
}

function mapKeys(value, f) {
  if (Array.isArray(value)) return value.map((v) => mapKeys(v, f));
  if (value !== null && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[f(k)] = mapKeys(v, f);
    return out;
  }
  return value;
}

/** A record or exercise definition as the file has it (snake_case keys). */
function toFormat(obj, what) {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    throw new CalmkitError(`${what} must be an object, got ${obj === null ? 'null' : typeof obj}`);
  }
  return mapKeys(obj, snake);
}

const fromFormat = (obj) => mapKeys(obj, camel);

const given = (v) => (typeof v === 'string' ? v : '');

// JSON has no Infinity: JSON.stringify writes null for it, and the reader would
// then say "got null". An infinite number goes to the reader as a number too
// large for a double (1e400, which JSON.parse reads back as Infinity), so the
// rule of its field speaks in its own words ("must be a finite number of
// minutes >= 0, got inf"). NaN has no JSON number at all: it stays JSON's null,
// which every field refuses ("got null").
const INFINITE = `\u0000calmkit-infinite-${Math.random().toString(36).slice(2)}`;
const infiniteMark = (_, v) => (typeof v === 'number' && (v === Infinity || v === -Infinity) ? `${INFINITE}${v}` : v);
const infiniteText = new RegExp(`"${INFINITE.replace('\u0000', '\\\\u0000')}(-?)Infinity"`, 'g');

/** `value` as JSON text, an infinite number written as 1e400 (-1e400). */
function jsonText(value) {
  const text = JSON.stringify(value, infiniteMark);
  return text.includes(INFINITE.slice(1)) ? text.replace(infiniteText, (_, sign) => `${sign}1e400`) : text;
}

// --- text the C++ side takes as UTF-8 ---------------------------------------------------

// A JavaScript string may hold a lone UTF-16 surrogate (text cut in the middle
// of an emoji by slice), which UTF-8 has no form for. Emscripten's conversion
// would join it with the code unit after it into another character; the text
// goes over as bytes instead, each lone surrogate as the three bytes Python's
// "surrogatepass" writes (0xED ...), so the reader refuses it where it is, as
// Python's does: "field 'context': is not valid UTF-8 (byte 0xed at offset 2)".
const LONE_SURROGATE = /\p{Surrogate}/u;
const LONE_SURROGATES = /\p{Surrogate}/gu;
const encoder = new TextEncoder();
// isWellFormed (ES2024) scans a long text several times faster than the regex.
const isWellFormed =
  typeof String.prototype.isWellFormed === 'function' ? (s) => s.isWellFormed() : (s) => !LONE_SURROGATE.test(s);

/** `text` as its UTF-8 bytes, a lone surrogate as its three bytes (0xED, ...). */
function surrogatePass(text) {
  const parts = [];
  let from = 0;
  let size = 0;
  for (const m of text.matchAll(LONE_SURROGATES)) {
    const piece = encoder.encode(text.slice(from, m.index));
    const c = m[0].charCodeAt(0);
    parts.push(piece, Uint8Array.of(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63)));
    size += piece.length + 3;
    from = m.index + 1;
  }
  parts.push(encoder.encode(text.slice(from)));
  size += parts[parts.length - 1].length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A string for the C++ side: itself, or its bytes when it holds a lone surrogate. */
const utf8 = (text) => (isWellFormed(text) ? text : surrogatePass(text));

/**
 * `text` (String(value)), refused with a CalmkitError naming `what` when it
 * holds a lone surrogate, in the words of Python's argument check:
 * "argument 'text': is not valid UTF-8 (byte 0xed at offset 2)".
 */
function wellFormed(value, what) {
  const text = String(value);
  const m = isWellFormed(text) ? null : LONE_SURROGATE.exec(text);
  if (m !== null) {
    const offset = encoder.encode(text.slice(0, m.index)).length;
    throw new CalmkitError(`argument '${what}': is not valid UTF-8 (byte 0xed at offset ${offset})`);
  }
  return text;
}

/**
 * Why `value` (a record's field `field`, or a value inside it) has no JSON
 * form, or null: JSON.stringify throws a bare TypeError for a BigInt or an
 * object that holds itself, and drops a Symbol or a function without a word.
 * Returns [field, reason] for the first such value, in field order.
 */
function noJsonForm(value, field, open = new Set()) {
  if (value !== null && typeof value === 'object' && typeof value.toJSON === 'function') value = value.toJSON();
  switch (typeof value) {
    case 'bigint':
      return [field, `got a BigInt (${value}n), which JSON has no form for: give a Number`];
    case 'symbol':
      return [field, 'got a Symbol, which JSON has no form for'];
    case 'function':
      return [field, 'got a function, which JSON has no form for'];
    case 'object': {
      if (value === null) return null;
      if (open.has(value)) return [field, 'got an object or list that holds itself, which JSON has no form for'];
      open.add(value);
      const entries = Array.isArray(value) ? value.map((v, i) => [`[${i}]`, v]) : Object.entries(value);
      for (const [k, v] of entries) {
        if (!Array.isArray(value) && v === undefined) continue; // left out, as JSON.stringify does
        const inner = Array.isArray(value) ? `${field}${k}` : field === '' ? snake(k) : `${field}.${snake(k)}`;
        const found = noJsonForm(v, inner, open);
        if (found !== null) return found;
      }
      open.delete(value);
      return null;
    }
    default:
      return null;
  }
}

// JSON.stringify writes a lone surrogate as an escape (\udXXX, lower case):
// put back as the code unit itself, so the bytes sent (`surrogatePass`) hold
// it where the reader finds it, naming the field. `\\` pairs are kept as
// they are, so a backslash written in the text is never taken for one.
const ESCAPED = /\\(?:\\|u(d[89a-f][0-9a-f]{2}))/g;
const unescapeSurrogates = (text) =>
  text.replace(ESCAPED, (all, hex) => (hex === undefined ? all : String.fromCharCode(parseInt(hex, 16))));

/**
 * The record as the C++ side takes it: its JSON line, its `trigger` reference
 * set apart (the reader would look for that trigger in this one line), and its
 * type, participant and id as given, which name the record in an error. A
 * `trigger` that is not a string (null: none) stays in the line, so the
 * reader's rule for the field speaks.
 */
function recordText(record, refuse) {
  if (record !== null && typeof record === 'object' && !Array.isArray(record)) {
    const found = noJsonForm(record, '');
    if (found !== null) {
      refuse(found[0], found[1], utf8(given(record.type)), utf8(given(record.participant)), utf8(given(record.id)));
    }
  }
  const r = toFormat(record, 'a record');
  let trigger = '';
  if (typeof r.trigger === 'string' || r.trigger === null) {
    trigger = r.trigger ?? '';
    delete r.trigger;
  }
  const text = jsonText(r);
  const json = /\\ud[89a-f]/.test(text) ? utf8(unescapeSurrogates(text)) : text;
  return [json, utf8(trigger), utf8(given(r.type)), utf8(given(r.participant)), utf8(given(r.id))];
}

/**
 * An exercise definition as the JSON text the C++ side parses (snake_case
 * keys). A value JSON has no form for (a BigInt, a Symbol, a function, an
 * object that holds itself) is refused first with an ExerciseFormatError
 * naming its JSON path ("steps[0].seconds"), as the C++ parser names the
 * field it refuses: JSON.stringify would throw a bare TypeError for a BigInt
 * or an object that holds itself, and drop a Symbol or a function without a word.
 */
function definitionText(exercise) {
  const found =
    exercise !== null && typeof exercise === 'object' && !Array.isArray(exercise) ? noJsonForm(exercise, '') : null;
  if (found !== null) {
    const [field, reason] = found;
    throw new ExerciseFormatError(`exercise JSON: field '${field}': ${reason}`, { field, reason });
  }
  return JSON.stringify(toFormat(exercise, 'an exercise'));
}

// --- lifetime of C++ objects ---------------------------------------------------------

const finalizer =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry((handle) => {
        if (!handle.isDeleted()) handle.delete();
      })
    : null;

class Owned {
  #handle;
  constructor(handle) {
    this.#handle = handle;
    finalizer?.register(this, handle, this);
  }
  /** The C++ object; throws after delete(). */
  get _handle() {
    if (this.#handle === null) throw new CalmkitError(`${this.constructor.name} used after delete()`);
    return this.#handle;
  }
  /** Frees the C++ memory now. Safe to call twice. */
  delete() {
    if (this.#handle === null) return;
    finalizer?.unregister(this);
    this.#handle.delete();
    this.#handle = null;
  }
  /** Whether delete() was called. */
  get deleted() {
    return this.#handle === null;
  }
  [Symbol.dispose ?? Symbol.for('Symbol.dispose')]() {
    this.delete();
  }
}

// --- times -----------------------------------------------------------------------------

function pad(n, w = 2) {
  return String(Math.trunc(Math.abs(n))).padStart(w, '0');
}

/**
 * An RFC 3339 time with the local UTC offset of this device ("2026-03-02T21:14:00+01:00"),
 * the form every `time` field of the journal takes. Milliseconds are kept when not 0.
 * Throws a CalmkitError for an invalid Date, and for a moment whose local offset
 * is not a whole number of minutes (local mean time before a zone took standard
 * time: Africa/Monrovia was -00:44:30 until 1972), which an RFC 3339 offset cannot
 * carry; the C++ and Python record types refuse such an offset too.
 */
export function localTime(date = new Date()) {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new CalmkitError('localTime needs a valid Date');
  // The offset from the local fields themselves: getTimezoneOffset() gives whole
  // minutes in V8 (-00:44:30 becomes -00:44), and the time written would be 30 s off.
  const wall = new Date(0);
  wall.setUTCFullYear(date.getFullYear(), date.getMonth(), date.getDate());
  wall.setUTCHours(date.getHours(), date.getMinutes(), date.getSeconds(), date.getMilliseconds());
  const offMs = wall.getTime() - date.getTime(); // east of UTC
  if (offMs % 60000 !== 0) {
    const s = Math.abs(offMs) / 1000;
    const text = `${offMs < 0 ? '-' : '+'}${pad(s / 3600)}:${pad((s % 3600) / 60)}:${pad(s % 60)}`;
    throw new CalmkitError(
      `localTime: the local UTC offset at ${date.toISOString()} is ${text}, not a whole number of minutes ` +
        '(an RFC 3339 offset has none): give the time as an RFC 3339 string',
    );
  }
  const off = offMs / 60000; // minutes east of UTC
  const ms = date.getMilliseconds();
  return (
    `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    (ms ? `.${pad(ms, 3)}` : '') +
    `${off < 0 ? '-' : '+'}${pad(Math.abs(off) / 60)}:${pad(Math.abs(off) % 60)}`
  );
}

function timeText(t, what) {
  if (t instanceof Date) return localTime(t);
  if (typeof t === 'string') return t;
  throw new CalmkitError(`${what} must be an RFC 3339 string or a Date`);
}

// --- the API ---------------------------------------------------------------------------

const RECORD_TYPES = ['trigger', 'reading', 'exercise', 'thought_record', 'assessment'];

function num(v, what, dflt) {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new CalmkitError(`${what} must be a finite number`);
  return v;
}

function int(v, what, dflt) {
  const n = num(v, what, dflt);
  if (!Number.isInteger(n)) throw new CalmkitError(`${what} must be an integer, got ${n}`);
  return n;
}

/**
 * `now` of a Session method, refused with a CalmkitError unless it is a
 * number: the core would turn "5" into 5 and null into 0 without a word.
 * NaN and infinities are numbers and go on, refused by the core in the same
 * words ("Session::start: now must be a finite number of seconds within +-1e12").
 */
function clock(now, method) {
  if (typeof now !== 'number') {
    const got =
      now === null || now === undefined
        ? String(now)
        : typeof now === 'string'
          ? `a string (${JSON.stringify(now)})`
          : typeof now === 'bigint'
            ? `a BigInt (${now}n): give a Number`
            : `${typeof now === 'object' ? 'an' : 'a'} ${typeof now}`;
    throw new CalmkitError(`Session::${method}: now must be a finite number of seconds within +-1e12, got ${got}`);
  }
  return now;
}

function makeApi(core) {
  /** Refuses a record before the C++ side sees it: `RecordError`, placed as the reader's are. */
  const refuser = (action) => (field, reason, type, participant, id) =>
    call(() => core.refuseRecord(action, type, participant, id, field, reason));
  const refuseAdd = refuser('add');
  const refuseNormalize = refuser('normalize');
  class Journal extends Owned {
    /** An empty journal, or one holding `records` (checked as `add` does). */
    constructor(records = [], handle = undefined) {
      super(handle ?? new core.Journal());
      if (handle === undefined) {
        try {
          for (const r of records) this.add(r);
        } catch (e) {
          this.delete();
          throw e;
        }
      }
    }
    /** Adds one record ({type: "trigger", id, time, ...}, camelCase fields). */
    add(record) {
      call(() => this._handle.add(...recordText(record, refuseAdd)));
      return this;
    }
    /** Number of records. */
    get size() {
      return this._handle.size();
    }
    /** Every participant with a record, sorted. */
    participants() {
      return this._handle.participants();
    }
    /** Records of one type ("trigger", "reading", "exercise", "thoughtRecord", "assessment"),
     * or of every type when none is given, ordered by (participant, time, id). */
    records(type) {
      const types = type === undefined ? RECORD_TYPES : [snake(type)];
      const out = [];
      for (const t of types) {
        if (!RECORD_TYPES.includes(t)) throw new CalmkitError(`unknown record type '${type}'`);
        for (const r of JSON.parse(call(() => this._handle.recordsJson(t)))) out.push(fromFormat(r));
      }
      return out;
    }
    triggers() {
      return this.records('trigger');
    }
    readings() {
      return this.records('reading');
    }
    exercises() {
      return this.records('exercise');
    }
    thoughtRecords() {
      return this.records('thought_record');
    }
    assessments() {
      return this.records('assessment');
    }
    /** The journal as JSON Lines text, byte for byte what the C++ and Python writers write. */
    toJsonl({ header = true, generator = 'calmkit' } = {}) {
      return call(() => this._handle.toJsonl(header, generator));
    }
    /** An independent copy (delete it too). */
    copy() {
      return new Journal([], call(() => this._handle.copy()));
    }
  }

  class ExerciseRegistry extends Owned {
    /** An empty registry; `ExerciseRegistry.withCatalog()` starts from the built-in catalog. */
    constructor(handle = undefined) {
      super(handle ?? new core.ExerciseRegistry());
    }
    static withCatalog() {
      return new ExerciseRegistry(core.ExerciseRegistry.withCatalog());
    }
    /** Validates and adds a custom exercise definition. */
    add(exercise) {
      const text = definitionText(exercise);
      call(() => this._handle.add(text));
      return this;
    }
    has(id) {
      return this._handle.has(String(id));
    }
    get(id) {
      return fromFormat(JSON.parse(call(() => this._handle.get(String(id)))));
    }
    all() {
      return fromFormat(JSON.parse(call(() => this._handle.all())));
    }
    get size() {
      return this._handle.size();
    }
  }

  function exerciseText(exercise) {
    if (typeof exercise === 'string') {
      // An unknown id goes to the library, whose refusal names it and the closest ids.
      return catalogById().get(exercise) ?? call(() => core.exerciseJson(exercise));
    }
    return definitionText(exercise);
  }

  let catalogCache = null;
  function catalogById() {
    if (!catalogCache) {
      catalogCache = new Map();
      for (const e of JSON.parse(call(() => core.catalogJson()))) catalogCache.set(e.id, JSON.stringify(e));
    }
    return catalogCache;
  }

  class Session extends Owned {
    /** A guided session of a catalog exercise (by id) or of a definition object. */
    constructor(exercise, { maxGapSeconds } = {}) {
      const gap = maxGapSeconds === undefined ? NaN : maxGapSeconds === Infinity ? Infinity : num(maxGapSeconds, 'maxGapSeconds');
      const text = exerciseText(exercise);
      super(call(() => new core.Session(text, gap)));
    }
    /** Starts at `now`, seconds of a monotonic clock (performance.now() / 1000). */
    start(now) {
      call(() => this._handle.start(clock(now, 'start')));
    }
    /** Advances to `now` and returns the snapshot to draw. */
    update(now) {
      return call(() => this._handle.update(clock(now, 'update')));
    }
    /** The snapshot as of the latest clock reading. */
    get state() {
      return this._handle.state();
    }
    pause(now) {
      call(() => this._handle.pause(clock(now, 'pause')));
    }
    resume(now) {
      call(() => this._handle.resume(clock(now, 'resume')));
    }
    skip(now) {
      call(() => this._handle.skip(clock(now, 'skip')));
    }
    answer(now, text) {
      call(() => this._handle.answer(clock(now, 'answer'), wellFormed(text, 'text')));
    }
    abort(now) {
      call(() => this._handle.abort(clock(now, 'abort')));
    }
    /** The events since the last call, oldest first. */
    pollEvents() {
      return call(() => this._handle.pollEvents());
    }
    /** The exercise record of the session (aborting it first if still running). */
    finish(now, { id, startedAt, participant = '', intensityBefore, intensityAfter, trigger = '' } = {}) {
      const rating = (v, what) => (v === undefined || v === null ? -1 : int(v, what));
      const text = call(() =>
        this._handle.finish(
          clock(now, 'finish'),
          wellFormed(participant, 'participant'),
          wellFormed(id ?? '', 'id'),
          timeText(startedAt, 'startedAt'),
          rating(intensityBefore, 'intensityBefore'),
          rating(intensityAfter, 'intensityAfter'),
          wellFormed(trigger, 'trigger'),
        ),
      );
      return fromFormat(JSON.parse(text));
    }
    get status() {
      return this._handle.status();
    }
    get exercise() {
      return fromFormat(JSON.parse(call(() => this._handle.exerciseJson())));
    }
    get responses() {
      return this._handle.responses();
    }
    get skippedSteps() {
      return this._handle.skippedSteps();
    }
  }

  function readJournal(text, { lenient = false, name = '<string>' } = {}) {
    if (typeof text !== 'string') throw new CalmkitError('readJournal needs the journal text as a string');
    const { journal, report } = call(() => core.parseJournal(utf8(text), Boolean(lenient), wellFormed(name, 'name')));
    return { journal: new Journal([], journal), report };
  }

  function jr(journal) {
    if (!(journal instanceof Journal)) throw new CalmkitError('expected a calmkit Journal');
    return journal._handle;
  }

  function byKeys(by) {
    const keys = by === null || by === undefined ? [] : typeof by === 'string' ? [by] : [...by];
    let participant = false;
    let period = '';
    let category = false;
    for (const k of keys) {
      if (k === 'participant') participant = true;
      else if (k === 'category') category = true;
      else if (k === 'day' || k === 'week' || k === 'month') period = k;
      else throw new CalmkitError(`by: unknown key '${k}' (participant, day, week, month, category)`);
    }
    return { participant, period, category };
  }

  // IANA zones: calmkit_tzdata.bin (the build machine's tzdata, packed by
  // tools/pack_tzdata.mjs), fetched by loadTimeZones(); each zone is handed
  // to the core the first time a metric asks for it.
  let tzdata = null; // { version, zones: {name: [offset, length]}, bytes }
  const zonesInCore = new Set();

  async function loadTimeZones({ url } = {}) {
    if (tzdata) return { version: tzdata.version, zones: Object.keys(tzdata.zones) };
    const where = url ?? new URL('./calmkit_tzdata.bin', import.meta.url);
    const bytes = new Uint8Array(await fetchBytes(where));
    const first = bytes.indexOf(10);
    const second = bytes.indexOf(10, first + 1);
    const magic = new TextDecoder().decode(bytes.subarray(0, first));
    if (magic !== 'calmkit-tzdata 1' || second < 0) {
      throw new CalmkitError(`loadTimeZones: ${where} is not calmkit's time zone file`, 'runtime');
    }
    const index = JSON.parse(new TextDecoder().decode(bytes.subarray(first + 1, second)));
    tzdata = { version: index.version, zones: index.zones, bytes: bytes.subarray(second + 1) };
    return { version: tzdata.version, zones: Object.keys(tzdata.zones) };
  }

  /** The `tz` option: an IANA zone name or a POSIX TZ rule for every record's local date, or none. */
  function tzText(tz) {
    if (tz === undefined || tz === null) return '';
    if (typeof tz !== 'string' || tz === '') {
      throw new CalmkitError(
        'tz must be an IANA zone name such as "Europe/Berlin" or a POSIX TZ rule such as "CET-1CEST,M3.5.0,M10.5.0/3" (a string), or null',
      );
    }
    const at = tzdata?.zones[tz];
    if (at && !zonesInCore.has(tz)) {
      call(() => core.addTimeZone(tz, tzdata.bytes.subarray(at[0], at[0] + at[1])));
      zonesInCore.add(tz);
    }
    if (!tzdata && /^[A-Za-z][A-Za-z0-9_+-]*\/[A-Za-z0-9_+\/-]+$|^(UTC|GMT|Etc\/.*)$/.test(tz)) {
      throw new CalmkitError(`tz '${tz}' is an IANA zone name: load the zone data first (await ck.loadTimeZones())`);
    }
    return tz;
  }

  const metrics = {
    /** One row per trigger: time-to-calm (minutes) or time to censoring, and whether it calmed. */
    timeToCalm(journal, { threshold = 3, windowHours = 12 } = {}) {
      return call(() => jr(journal).timeToCalm(int(threshold, 'threshold'), num(windowHours, 'windowHours')));
    },
    /** Kaplan–Meier median time-to-calm with its confidence interval, per group. */
    timeToCalmSummary(journal, { by = 'participant', threshold = 3, windowHours = 12, confidence = 0.95, tz } = {}) {
      const b = byKeys(by);
      return call(() =>
        jr(journal).timeToCalmSummary(
          int(threshold, 'threshold'),
          num(windowHours, 'windowHours'),
          b.participant,
          b.period,
          b.category,
          num(confidence, 'confidence'),
          tzText(tz),
        ),
      );
    },
    /** Triggers per local day, week or month, zero-filled over each participant's span. */
    triggerFrequency(journal, { period = 'week', byCategory = false, byGroup = false, tz } = {}) {
      if (byCategory && byGroup) throw new CalmkitError('triggerFrequency: byCategory and byGroup exclude each other');
      return call(() =>
        jr(journal).triggerFrequency(String(period), byCategory ? 'category' : byGroup ? 'group' : '', tzText(tz)),
      );
    },
    /** Rate ratio of the last k weeks to the k before, and the quasi-Poisson slope of weekly counts (intervals for overdispersed counts). */
    triggerTrend(journal, { k = 4, confidence = 0.95, tz } = {}) {
      return call(() => jr(journal).triggerTrend(int(k, 'k'), num(confidence, 'confidence'), tzText(tz)));
    },
    /** Practice days and completed sessions per ISO week. */
    practiceConsistency(journal, { tz } = {}) {
      return call(() => jr(journal).practiceConsistency(tzText(tz)));
    },
    /** Change in distress per exercise, and time-to-calm with and without it. */
    exerciseEffectiveness(journal, { threshold = 3, windowHours = 12, byParticipant = false } = {}) {
      return call(() =>
        jr(journal).exerciseEffectiveness(int(threshold, 'threshold'), num(windowHours, 'windowHours'), Boolean(byParticipant)),
      );
    },
  };

  return Object.freeze({
    /**
     * Fetches the IANA time zones (calmkit_tzdata.bin next to index.js, or `url`)
     * once, so the metrics' `tz` takes zone names; resolves to {version, zones}.
     */
    loadTimeZones,
    version: core.version(),
    formatVersion: core.formatVersion(),
    Journal,
    ExerciseRegistry,
    Session,
    readJournal,
    metrics,
    /** Trigger categories in table order: {id, label, group, description}. */
    triggerCategories() {
      return core.triggerCategories();
    },
    /** Cognitive distortions (thinking traps) in table order: {id, label, description}. */
    distortions() {
      return core.distortions();
    },
    /** The built-in exercise catalog, as definitions. */
    catalog() {
      return [...catalogById().values()].map((t) => fromFormat(JSON.parse(t)));
    },
    /** Checks a custom exercise definition; returns it as calmkit writes it. */
    validateExercise(exercise) {
      const text = definitionText(exercise);
      return fromFormat(JSON.parse(call(() => core.exerciseNormalized(text))));
    },
    /** The number of cycles a session of this definition (or catalog id) runs. */
    exerciseCycles(exercise) {
      const text = exerciseText(exercise);
      return call(() => core.exerciseCycles(text));
    },
    /** A breathing exercise from counts in seconds (phases of 0 s are left out). */
    breathingPattern(id, name, inhale, holdIn, exhale, holdOut, { times = 4, totalSeconds } = {}) {
      return fromFormat(
        JSON.parse(
          call(() =>
            core.breathingPatternJson(
              String(id),
              String(name),
              num(inhale, 'inhale'),
              num(holdIn, 'holdIn'),
              num(exhale, 'exhale'),
              num(holdOut, 'holdOut'),
              int(times, 'times'),
              totalSeconds === undefined ? 0 : num(totalSeconds, 'totalSeconds'),
            ),
          ),
        ),
      );
    },
    /** Exercises ranked for distress `intensity` (0–10) and this person's history. */
    suggest(intensity, journal, { participant = '', exercises, minSessions = 3, historyWeight = 1, limit = 0 } = {}) {
      if (exercises !== undefined && !(exercises instanceof ExerciseRegistry)) {
        throw new CalmkitError('suggest: exercises must be an ExerciseRegistry');
      }
      return call(() =>
        core.suggest(
          int(intensity, 'intensity'),
          jr(journal),
          String(participant),
          exercises === undefined ? null : exercises._handle,
          int(minSessions, 'minSessions'),
          num(historyWeight, 'historyWeight'),
          int(limit, 'limit'),
        ),
      );
    },
    /** Checks one record and returns it as the journal writes it (camelCase). */
    normalizeRecord(record) {
      return fromFormat(JSON.parse(call(() => core.recordToJson(...recordText(record, refuseNormalize)))));
    },
    /** Runs `fn(track)`; every object passed to `track` is deleted when `fn` returns or throws. */
    scope(fn) {
      const owned = [];
      const track = (o) => {
        owned.push(o);
        return o;
      };
      let result;
      try {
        result = fn(track);
      } finally {
        if (!(result instanceof Promise)) for (const o of owned.reverse()) o.delete();
      }
      if (result instanceof Promise) {
        return result.finally(() => {
          for (const o of owned.reverse()) o.delete();
        });
      }
      return result;
    },
    /** Turns a table of columns into an array of row objects. */
    rows(table) {
      const keys = Object.keys(table);
      const n = keys.length ? table[keys[0]].length : 0;
      const out = [];
      for (let i = 0; i < n; ++i) {
        const row = {};
        for (const k of keys) row[k] = table[k][i];
        out.push(row);
      }
      return out;
    },
  });
}

// --- loading the WebAssembly core ---------------------------------------------------------

/** The compiled core next to this file (calmkit_core.wasm). */
const defaultWasm = () => new URL('./calmkit_core.wasm', import.meta.url);

/**
 * Compiles and instantiates the core from `source`: a URL or URL string, a
 * fetch Response (or a promise of one), the bytes (ArrayBuffer, typed array)
 * or a WebAssembly.Module. Over HTTP(S) a response served as application/wasm
 * is compiled while it downloads (WebAssembly.instantiateStreaming); a file:
 * URL (Node) is read from disk.
 */
async function instantiate(source, imports) {
  if (source instanceof WebAssembly.Module) {
    return { instance: await WebAssembly.instantiate(source, imports), module: source };
  }
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.instantiate(source, imports);
  let response = await source;
  if (typeof response === 'string' || response instanceof URL) {
    const url = new URL(response, globalThis.location?.href ?? import.meta.url);
    if (url.protocol === 'file:') {
      const { readFile } = await import(/* webpackIgnore: true */ 'node:fs/promises');
      return WebAssembly.instantiate(await readFile(url), imports);
    }
    response = await fetch(url, { credentials: 'same-origin' });
  }
  if (typeof Response === 'undefined' || !(response instanceof Response)) {
    throw new CalmkitError('loadCalmkit: wasm must be a URL, a Response, the bytes or a WebAssembly.Module');
  }
  if (!response.ok) {
    throw new CalmkitError(`loadCalmkit: could not fetch ${response.url || 'the wasm file'}: HTTP ${response.status}`, 'runtime');
  }
  // Streaming compilation needs the right type; a server that sends another one still works, later.
  if ((response.headers.get('content-type') ?? '').split(';')[0].trim() === 'application/wasm') {
    return WebAssembly.instantiateStreaming(response, imports);
  }
  return WebAssembly.instantiate(await response.arrayBuffer(), imports);
}

/** The bytes at `where` (a URL or URL string): a file read for file: URLs (Node), else fetch. */
async function fetchBytes(where) {
  const url = new URL(where, globalThis.location?.href ?? import.meta.url);
  if (url.protocol === 'file:') {
    const { readFile } = await import(/* webpackIgnore: true */ 'node:fs/promises');
    return readFile(url);
  }
  const response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok) throw new CalmkitError(`could not fetch ${url}: HTTP ${response.status}`, 'runtime');
  return response.arrayBuffer();
}

let loading = null;

/**
 * Loads the WebAssembly core (once; later calls return the same promise) and
 * resolves to the calmkit API. `wasm` says where calmkit_core.wasm is when a
 * bundler or an app moved it (default: next to this file); see instantiate().
 * A load that failed (say, offline on a first visit) is tried again by the
 * next call.
 */
export function loadCalmkit({ wasm } = {}) {
  loading ??= new Promise((resolve, reject) => {
    createCalmkitCore({
      instantiateWasm(imports, receive) {
        instantiate(wasm ?? defaultWasm(), imports).then(({ instance, module }) => receive(instance, module), reject);
        return {}; // asynchronous: Emscripten waits for receive()
      },
    })
      .then(makeApi)
      .then(resolve, reject);
  });
  loading.catch(() => {
    loading = null;
  });
  return loading;
}

export default loadCalmkit;
