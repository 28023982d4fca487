// Types of calmkit's JavaScript package (checked with `tsc --strict`, see
// bindings/js/test/types.ts). Field names are the journal format's, in
// camelCase: `acted_on_urge` in a file is `actedOnUrge` here.

/** An RFC 3339 time with its UTC offset, e.g. "2026-03-02T21:14:00+01:00". */
export type Time = string;

/** Any error calmkit reports. */
export class CalmkitError extends Error {
  /** "invalid_argument", "out_of_range", "runtime", "journal_format" or "exercise_format". */
  readonly kind: string;
}

/** A journal line or record that breaks the journal format. */
export class JournalFormatError extends CalmkitError {
  /** The file name given to readJournal; "" for a record refused by Journal.add or normalizeRecord. */
  readonly path: string;
  /** 1-based line number; 0 for the text as a whole. */
  readonly line: number;
  /** The offending field as the file names it (snake_case); "" for the line as a whole. */
  readonly field: string;
  /** The same field in camelCase, as records in JavaScript name it. */
  readonly property: string;
  /** What was wrong, without the location. */
  readonly reason: string;
}

/**
 * A record refused by the journal format's rules where it is no file's line
 * (Journal.add, new Journal(records), normalizeRecord): path "" and line 0.
 * The same name in C++ and Python.
 */
export class RecordError extends JournalFormatError {
  /** Who refused which record, e.g. "cannot add trigger 't1' of participant 'p'"; the message begins with it. */
  readonly place: string;
}

/** An exercise definition that is not valid. */
export class ExerciseFormatError extends CalmkitError {
  /** JSON path of the problem, e.g. "steps[1].seconds"; "" for the whole definition. */
  readonly field: string;
  /** The same path in camelCase. */
  readonly property: string;
  readonly reason: string;
}

export type TriggerCategory =
  | 'delayed_reply' | 'mixed_signals' | 'partner_distance' | 'routine_change' | 'conflict'
  | 'partner_stress' | 'lack_of_clarity' | 'plans_cancelled' | 'being_alone' | 'social_comparison'
  | 'family_gathering' | 'health_concern' | 'financial_stress' | 'major_decision'
  | 'physical_sensation' | 'negative_self_talk' | 'perfectionism' | 'other';

export type Distortion = string;

interface RecordBase {
  /** Whose journal; "" or absent for a single-user journal. */
  participant?: string;
  time: Time;
}

export interface TriggerRecord extends RecordBase {
  type: 'trigger';
  id: string;
  category: TriggerCategory;
  /** Distress at onset, 0–10. */
  intensity: number;
  context?: string;
  thoughts?: string[];
  sensations?: string[];
  urge?: string;
  actedOnUrge?: boolean;
  /** Minutes from onset until acting, >= 0. */
  actedAfterMinutes?: number;
  response?: string;
  tags?: string[];
}

export interface ReadingRecord extends RecordBase {
  type: 'reading';
  id?: string;
  /** Distress now, 0–10. */
  intensity: number;
  /** Id of the trigger whose episode it belongs to. */
  trigger?: string;
  note?: string;
}

export interface ExerciseRecord extends RecordBase {
  type: 'exercise';
  id: string;
  end: Time;
  /** Exercise id, e.g. "breathing.4-7-8". */
  exercise: string;
  /** False when stopped early (absent means true). */
  completed?: boolean;
  intensityBefore?: number;
  intensityAfter?: number;
  trigger?: string;
  responses?: string[];
}

export interface EmotionRating {
  name: string;
  /** 0–100 %. */
  before: number;
  after?: number;
}

export interface ThoughtRecordRecord extends RecordBase {
  type: 'thought_record';
  id: string;
  situation?: string;
  automaticThought: string;
  /** 0–100 %. */
  beliefBefore: number;
  emotions?: EmotionRating[];
  distortions?: Distortion[];
  evidenceFor?: string[];
  evidenceAgainst?: string[];
  alternatives?: string[];
  friendAdvice?: string;
  balancedThought?: string;
  beliefAfter?: number;
  trigger?: string;
}

export interface AssessmentRecord extends RecordBase {
  type: 'assessment';
  id: string;
  instrument: string;
  answers: number[];
  note?: string;
}

export type JournalRecord = TriggerRecord | ReadingRecord | ExerciseRecord | ThoughtRecordRecord | AssessmentRecord;
export type RecordType = 'trigger' | 'reading' | 'exercise' | 'thoughtRecord' | 'thought_record' | 'assessment';

/** What a read did. */
export interface ReadReport {
  path: string;
  lines: number;
  records: number;
  version: number;
  skipped: { line: number; field: string; reason: string; message: string }[];
}

/** Owns C++ memory: call delete() (or `using`) when done. */
interface Owned {
  /** Frees the C++ memory now; safe to call twice. Any use afterwards throws. */
  delete(): void;
  readonly deleted: boolean;
  [Symbol.dispose](): void;
}

export interface Journal extends Owned {
  /** Adds one record, checked as the reader checks a line. Throws RecordError (a JournalFormatError) or CalmkitError. */
  add(record: JournalRecord): this;
  readonly size: number;
  participants(): string[];
  records(type?: RecordType): JournalRecord[];
  triggers(): TriggerRecord[];
  readings(): ReadingRecord[];
  exercises(): ExerciseRecord[];
  thoughtRecords(): ThoughtRecordRecord[];
  assessments(): AssessmentRecord[];
  /** JSON Lines text, byte for byte what the C++ and Python writers write. */
  toJsonl(options?: { header?: boolean; generator?: string }): string;
  /** An independent copy (delete it too). */
  copy(): Journal;
}

export interface JournalConstructor {
  new (records?: Iterable<JournalRecord>): Journal;
}

export type BreathPhase = 'none' | 'inhale' | 'hold_in' | 'exhale' | 'hold_out';

export type Step =
  | { type: 'timed'; seconds: number; phase?: BreathPhase; cue?: string }
  | { type: 'prompt'; text: string; answers?: number };

/** An exercise definition (the exercise JSON of docs/exercises.md, camelCase). */
export interface Exercise {
  id: string;
  name: string;
  kind: string;
  suits?: 'acute' | 'daily' | 'both';
  instructions?: string;
  sources?: string[];
  /** Cycles to run (or totalSeconds). */
  repeats?: number;
  /** Seconds to fill, rounded up to whole cycles. */
  totalSeconds?: number;
  steps: Step[];
}

export interface ExerciseRegistry extends Owned {
  /**
   * Validates and adds a definition. Throws ExerciseFormatError naming the JSON path
   * (`field`, e.g. "steps[0].seconds") of a rule broken or of a value JSON cannot
   * carry (a BigInt, a Symbol, a function, an object that holds itself).
   */
  add(exercise: Exercise): this;
  has(id: string): boolean;
  get(id: string): Exercise;
  all(): Exercise[];
  readonly size: number;
}

export interface ExerciseRegistryConstructor {
  new (): ExerciseRegistry;
  withCatalog(): ExerciseRegistry;
}

export type SessionStatus = 'ready' | 'running' | 'paused' | 'finished' | 'aborted';

export interface SessionState {
  status: SessionStatus;
  step: number;
  steps: number;
  cycle: number;
  cycles: number;
  phase: BreathPhase;
  text: string;
  prompt: boolean;
  waitingForAnswer: boolean;
  answersGiven: number;
  answersNeeded: number;
  secondsLeft: number;
  /** 0–1. */
  stepProgress: number;
  /** 0–1. */
  sessionProgress: number;
  elapsedSeconds: number;
  pausedSeconds: number;
  suspended: boolean;
}

export interface SessionEvent {
  type:
    | 'started' | 'step_started' | 'answer_recorded' | 'step_skipped' | 'paused' | 'suspended'
    | 'resumed' | 'finished' | 'aborted';
  /** Caller-clock seconds. */
  at: number;
  step: number;
  cycle: number;
  phase: BreathPhase;
  text: string;
}

export interface FinishInfo {
  id: string;
  /** Wall-clock time of start(): an RFC 3339 string or a Date (written with this device's offset). */
  startedAt: Time | Date;
  participant?: string;
  intensityBefore?: number | null;
  intensityAfter?: number | null;
  trigger?: string;
}

/**
 * A guided session; every call takes `now`, seconds of a monotonic clock (performance.now() / 1000),
 * a finite number within +-1e12 (anything else, a numeric string too, is a CalmkitError).
 */
export interface Session extends Owned {
  start(now: number): void;
  update(now: number): SessionState;
  readonly state: SessionState;
  pause(now: number): void;
  resume(now: number): void;
  skip(now: number): void;
  answer(now: number, text: string): void;
  abort(now: number): void;
  pollEvents(): SessionEvent[];
  finish(now: number, info: FinishInfo): ExerciseRecord;
  readonly status: SessionStatus;
  readonly exercise: Exercise;
  readonly responses: string[];
  readonly skippedSteps: number;
}

export interface SessionConstructor {
  /** A catalog exercise by id, or a definition. */
  new (exercise: string | Exercise, options?: { maxGapSeconds?: number }): Session;
}

export interface Suggestion {
  exercise: string;
  name: string;
  kind: string;
  score: number;
  base: number;
  suitsBonus: number;
  ratedSessions: number;
  meanDrop: number | null;
  reason: string;
}

export interface EpisodeTable {
  participant: string[];
  triggerId: string[];
  onset: Time[];
  category: TriggerCategory[];
  group: ('relationship' | 'life' | 'internal')[];
  /** Time-to-calm or time to censoring, minutes. */
  minutes: Float64Array;
  /** 1 calmed, 0 right-censored. */
  calmed: Uint8Array;
  /** Distress at onset, 0–10. */
  onsetIntensity: Int8Array;
  /** Highest of onset and observations, 0–10. */
  peakIntensity: Int8Array;
  observations: Int32Array;
  withExercise: Uint8Array;
}

export interface TimeToCalmSummaryTable {
  /** null when not grouped by participant. */
  participant: (string | null)[];
  /** ISO dates, when grouped by day, week or month. */
  periodStart?: string[];
  category?: TriggerCategory[];
  episodes: Float64Array;
  calmed: Float64Array;
  censored: Float64Array;
  /** Kaplan–Meier median minutes; NaN where undefined. */
  medianMinutes: Float64Array;
  ciLow: Float64Array;
  ciHigh: Float64Array;
}

export interface FrequencyTable {
  participant: string[];
  /** ISO date of the period's first day (a Monday for weeks). */
  periodStart: string[];
  category?: TriggerCategory[];
  group?: ('relationship' | 'life' | 'internal')[];
  count: Float64Array;
}

export interface TrendTable {
  participant: string[];
  weeks: Float64Array;
  lastKCount: Float64Array;
  prevKCount: Float64Array;
  rateRatio: Float64Array;
  rrCiLow: Float64Array;
  rrCiHigh: Float64Array;
  /** Pearson dispersion of the last 2k weeks around the two rates (NaN when weeks < 2k or k = 1). */
  rrDispersion: Float64Array;
  slopePerWeek: Float64Array;
  slopeSe: Float64Array;
  slopeCiLow: Float64Array;
  slopeCiHigh: Float64Array;
  /** Quasi-Poisson dispersion of the weekly counts around the trend (NaN with 2 weeks). */
  dispersion: Float64Array;
  weeklyChangePct: Float64Array;
}

export interface PracticeTable {
  participant: string[];
  periodStart: string[];
  practiceDays: Float64Array;
  sessions: Float64Array;
}

export interface ExerciseEffectTable {
  participant: (string | null)[];
  exercise: string[];
  sessions: Float64Array;
  rated: Float64Array;
  meanChange: Float64Array;
  medianChange: Float64Array;
  episodesWith: Float64Array;
  medianMinutesWith: Float64Array;
  episodesWithout: Float64Array;
  medianMinutesWithout: Float64Array;
}

export type SummaryKey = 'participant' | 'day' | 'week' | 'month' | 'category';

export interface Metrics {
  timeToCalm(journal: Journal, options?: { threshold?: number; windowHours?: number }): EpisodeTable;
  timeToCalmSummary(
    journal: Journal,
    options?: {
      by?: SummaryKey | SummaryKey[] | null;
      threshold?: number;
      windowHours?: number;
      confidence?: number;
      tz?: string | null;
    },
  ): TimeToCalmSummaryTable;
  triggerFrequency(
    journal: Journal,
    options?: { period?: 'day' | 'week' | 'month'; byCategory?: boolean; byGroup?: boolean; tz?: string | null },
  ): FrequencyTable;
  triggerTrend(journal: Journal, options?: { k?: number; confidence?: number; tz?: string | null }): TrendTable;
  practiceConsistency(journal: Journal, options?: { tz?: string | null }): PracticeTable;
  exerciseEffectiveness(
    journal: Journal,
    options?: { threshold?: number; windowHours?: number; byParticipant?: boolean },
  ): ExerciseEffectTable;
}

type Row<T> = { [K in keyof T]: T[K] extends ArrayLike<infer E> ? E : never };

export interface Calmkit {
  /**
   * Fetches the IANA time zones (calmkit_tzdata.bin next to index.js, about
   * 0.13 MB gzipped, or `url`) once; afterwards the metrics' `tz` takes zone
   * names such as "Europe/Berlin" as well as POSIX rules. Resolves to the
   * tzdata version and the zone names.
   */
  loadTimeZones(options?: { url?: string | URL }): Promise<{ version: string; zones: string[] }>;
  readonly version: string;
  readonly formatVersion: number;
  readonly Journal: JournalConstructor;
  readonly ExerciseRegistry: ExerciseRegistryConstructor;
  readonly Session: SessionConstructor;
  readonly metrics: Metrics;
  /** Reads JSON Lines text. Strict: the first problem throws JournalFormatError (line, field). */
  readJournal(text: string, options?: { lenient?: boolean; name?: string }): { journal: Journal; report: ReadReport };
  /** Trigger categories in table order, with their display labels. */
  triggerCategories(): { id: TriggerCategory; label: string; group: 'relationship' | 'life' | 'internal'; description: string }[];
  /** Cognitive distortions (thinking traps) in table order. */
  distortions(): { id: Distortion; label: string; description: string }[];
  catalog(): Exercise[];
  validateExercise(exercise: Exercise): Exercise;
  exerciseCycles(exercise: string | Exercise): number;
  breathingPattern(
    id: string, name: string, inhale: number, holdIn: number, exhale: number, holdOut: number,
    repeat?: { times?: number; totalSeconds?: number },
  ): Exercise;
  suggest(
    intensity: number,
    journal: Journal,
    options?: { participant?: string; exercises?: ExerciseRegistry; minSessions?: number; historyWeight?: number; limit?: number },
  ): Suggestion[];
  normalizeRecord<R extends JournalRecord>(record: R): R;
  /** Runs fn; every object given to `track` is deleted when fn returns (or its promise settles) or throws. */
  scope<T>(fn: (track: <O extends Owned>(o: O) => O) => T): T;
  rows<T extends object>(table: T): Row<T>[];
}

/**
 * An RFC 3339 time with this device's UTC offset. Throws a CalmkitError for an
 * invalid Date, or for a moment whose local offset has seconds (local mean time,
 * e.g. Africa/Monrovia's -00:44:30 until 1972), which RFC 3339 cannot write.
 */
export function localTime(date?: Date): Time;

/** Where the compiled core comes from: a URL (string or URL), a fetch Response (or its promise), the bytes, or a compiled module. */
export type WasmSource = string | URL | Response | Promise<Response> | ArrayBuffer | ArrayBufferView | WebAssembly.Module;

/**
 * Loads the WebAssembly core once (later calls return the same promise; a failed
 * load is tried again by the next call) and resolves to the API. `wasm`: where
 * calmkit_core.wasm is, when not next to index.js (bundlers, app shells).
 * Rejects with a CalmkitError when the file cannot be fetched (HTTP status in the message).
 */
export function loadCalmkit(options?: { wasm?: WasmSource }): Promise<Calmkit>;
export default loadCalmkit;
