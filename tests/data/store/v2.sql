-- A calmkit store of schema version 2 as SQL: the tables and indexes exactly
-- as version 2 created them, holding the same records as v1.sql. Version 2
-- keeps every time as UTC microseconds (time_us) plus the UTC offset in
-- minutes (time_offset); version 3 adds the assessments and
-- assessment_answers tables. test_store.cpp builds a database from this file
-- and opens it, which must migrate it to version 3.
PRAGMA application_id = 1130458221;  -- 0x43616C6D, "Calm"
PRAGMA user_version = 2;

CREATE TABLE participants (
  pid  INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
) STRICT;
CREATE TABLE triggers (
  tid INTEGER PRIMARY KEY,
  pid INTEGER NOT NULL REFERENCES participants(pid) ON DELETE RESTRICT,
  id  TEXT NOT NULL CONSTRAINT trigger_id_not_empty CHECK (length(id) > 0),
  time_us     INTEGER NOT NULL,
  time_offset INTEGER NOT NULL CONSTRAINT offset_within_23_59 CHECK (time_offset BETWEEN -1439 AND 1439),
  category  TEXT NOT NULL,
  intensity INTEGER NOT NULL CONSTRAINT intensity_0_to_10 CHECK (intensity BETWEEN 0 AND 10),
  context TEXT NOT NULL DEFAULT '',
  urge    TEXT NOT NULL DEFAULT '',
  acted_on_urge INTEGER CONSTRAINT acted_on_urge_is_bool CHECK (acted_on_urge IN (0, 1)),
  acted_after_minutes REAL CONSTRAINT acted_after_minutes_not_negative CHECK (acted_after_minutes >= 0),
  response TEXT NOT NULL DEFAULT '',
  UNIQUE (pid, id)
) STRICT;
CREATE TABLE trigger_items (
  tid      INTEGER NOT NULL REFERENCES triggers(tid) ON DELETE CASCADE,
  field    TEXT NOT NULL CHECK (field IN ('thought', 'sensation', 'tag')),
  position INTEGER NOT NULL CHECK (position >= 0),
  value    TEXT NOT NULL,
  PRIMARY KEY (tid, field, position)
) STRICT, WITHOUT ROWID;
CREATE TABLE readings (
  rid INTEGER PRIMARY KEY,
  pid INTEGER NOT NULL REFERENCES participants(pid) ON DELETE RESTRICT,
  id  TEXT CONSTRAINT reading_id_null_or_not_empty CHECK (id IS NULL OR length(id) > 0),
  time_us     INTEGER NOT NULL,
  time_offset INTEGER NOT NULL CONSTRAINT offset_within_23_59 CHECK (time_offset BETWEEN -1439 AND 1439),
  intensity INTEGER NOT NULL CONSTRAINT intensity_0_to_10 CHECK (intensity BETWEEN 0 AND 10),
  trigger_id TEXT,
  note TEXT NOT NULL DEFAULT '',
  UNIQUE (pid, id),
  FOREIGN KEY (pid, trigger_id) REFERENCES triggers(pid, id) ON DELETE RESTRICT ON UPDATE RESTRICT
) STRICT;
CREATE TABLE exercises (
  eid INTEGER PRIMARY KEY,
  pid INTEGER NOT NULL REFERENCES participants(pid) ON DELETE RESTRICT,
  id  TEXT NOT NULL CONSTRAINT exercise_id_not_empty CHECK (length(id) > 0),
  time_us     INTEGER NOT NULL,
  time_offset INTEGER NOT NULL CONSTRAINT offset_within_23_59 CHECK (time_offset BETWEEN -1439 AND 1439),
  end_us      INTEGER NOT NULL,
  end_offset  INTEGER NOT NULL CONSTRAINT end_offset_within_23_59 CHECK (end_offset BETWEEN -1439 AND 1439),
  exercise  TEXT NOT NULL CONSTRAINT exercise_name_not_empty CHECK (length(exercise) > 0),
  completed INTEGER NOT NULL CONSTRAINT completed_is_bool CHECK (completed IN (0, 1)),
  intensity_before INTEGER CONSTRAINT intensity_before_0_to_10 CHECK (intensity_before BETWEEN 0 AND 10),
  intensity_after  INTEGER CONSTRAINT intensity_after_0_to_10 CHECK (intensity_after BETWEEN 0 AND 10),
  trigger_id TEXT,
  CONSTRAINT end_not_before_time CHECK (end_us >= time_us),
  UNIQUE (pid, id),
  FOREIGN KEY (pid, trigger_id) REFERENCES triggers(pid, id) ON DELETE RESTRICT ON UPDATE RESTRICT
) STRICT;
CREATE TABLE exercise_responses (
  eid      INTEGER NOT NULL REFERENCES exercises(eid) ON DELETE CASCADE,
  position INTEGER NOT NULL CHECK (position >= 0),
  value    TEXT NOT NULL,
  PRIMARY KEY (eid, position)
) STRICT, WITHOUT ROWID;
CREATE TABLE thought_records (
  xid INTEGER PRIMARY KEY,
  pid INTEGER NOT NULL REFERENCES participants(pid) ON DELETE RESTRICT,
  id  TEXT NOT NULL CONSTRAINT thought_record_id_not_empty CHECK (length(id) > 0),
  time_us     INTEGER NOT NULL,
  time_offset INTEGER NOT NULL CONSTRAINT offset_within_23_59 CHECK (time_offset BETWEEN -1439 AND 1439),
  situation         TEXT NOT NULL,
  automatic_thought TEXT NOT NULL,
  belief_before INTEGER NOT NULL CONSTRAINT belief_before_0_to_100 CHECK (belief_before BETWEEN 0 AND 100),
  friend_advice    TEXT NOT NULL DEFAULT '',
  balanced_thought TEXT NOT NULL DEFAULT '',
  belief_after INTEGER CONSTRAINT belief_after_0_to_100 CHECK (belief_after BETWEEN 0 AND 100),
  trigger_id TEXT,
  UNIQUE (pid, id),
  FOREIGN KEY (pid, trigger_id) REFERENCES triggers(pid, id) ON DELETE RESTRICT ON UPDATE RESTRICT
) STRICT;
CREATE TABLE thought_record_items (
  xid      INTEGER NOT NULL REFERENCES thought_records(xid) ON DELETE CASCADE,
  field    TEXT NOT NULL CHECK (field IN ('distortion', 'evidence_for', 'evidence_against', 'alternative')),
  position INTEGER NOT NULL CHECK (position >= 0),
  value    TEXT NOT NULL,
  PRIMARY KEY (xid, field, position)
) STRICT, WITHOUT ROWID;
CREATE TABLE thought_record_emotions (
  xid      INTEGER NOT NULL REFERENCES thought_records(xid) ON DELETE CASCADE,
  position INTEGER NOT NULL CHECK (position >= 0),
  name     TEXT NOT NULL,
  before   INTEGER NOT NULL CONSTRAINT emotion_before_0_to_100 CHECK (before BETWEEN 0 AND 100),
  after    INTEGER CONSTRAINT emotion_after_0_to_100 CHECK (after BETWEEN 0 AND 100),
  PRIMARY KEY (xid, position)
) STRICT, WITHOUT ROWID;
CREATE INDEX triggers_by_time ON triggers(pid, time_us);
CREATE INDEX readings_by_time ON readings(pid, time_us);
CREATE INDEX readings_by_trigger ON readings(pid, trigger_id);
CREATE INDEX exercises_by_time ON exercises(pid, time_us);
CREATE INDEX exercises_by_trigger ON exercises(pid, trigger_id);
CREATE INDEX thought_records_by_time ON thought_records(pid, time_us);
CREATE INDEX thought_records_by_trigger ON thought_records(pid, trigger_id);

INSERT INTO participants(pid, name) VALUES (1, 'ana'), (2, '');

-- 2026-03-02T21:14:00+01:00 and 2026-03-03T07:05:30.25-05:30
INSERT INTO triggers VALUES
  (10, 1, 't1', 1772482440000000, 60, 'delayed_reply', 8, 'texted at 6pm, no answer',
   'send another text', 1, 42.5, 'went for a walk'),
  (11, 2, 't1', 1772541330250000, -330, 'conflict', 5, '', '', NULL, NULL, '');
INSERT INTO trigger_items VALUES
  (10, 'thought', 0, 'they are losing interest'),
  (10, 'thought', 1, 'I said something wrong'),
  (10, 'sensation', 0, 'tight chest'),
  (10, 'tag', 0, 'evening');

-- 2026-03-02T21:30:00+01:00, 2026-03-02T22:00:00+01:00, 2026-03-04T12:00:00Z
INSERT INTO readings VALUES
  (20, 1, NULL, 1772483400000000, 60, 6, 't1', 'a bit calmer'),
  (21, 1, 'r2', 1772485200000000, 60, 3, 't1', ''),
  (22, 2, NULL, 1772625600000000, 0, 2, NULL, '');

-- 2026-03-02T21:20:00+01:00 .. 21:25:00+01:00, and 2026-03-04T08:00:00Z
INSERT INTO exercises VALUES
  (30, 1, 'e1', 1772482800000000, 60, 1772483100000000, 60, 'breathing.4-7-8', 1, 7, 5, 't1'),
  (31, 2, 'e1', 1772611200000000, 0, 1772611200000000, 0, 'custom.walk', 0, NULL, NULL, NULL);
INSERT INTO exercise_responses VALUES
  (30, 0, 'five things I can see'),
  (30, 1, 'the kettle');

-- 2026-03-02T21:40:00+01:00
INSERT INTO thought_records VALUES
  (40, 1, 'x1', 1772484000000000, 60, 'no reply for three hours',
   'they are about to leave me', 80, 'a busy evening is not a verdict', 'they are probably at dinner', 35, 't1');
INSERT INTO thought_record_items VALUES
  (40, 'distortion', 0, 'mind_reading'),
  (40, 'distortion', 1, 'catastrophizing'),
  (40, 'evidence_for', 0, 'slower replies this week'),
  (40, 'evidence_against', 0, 'we made plans for Saturday'),
  (40, 'alternative', 0, 'their phone is on silent'),
  (40, 'alternative', 1, 'work ran late');
INSERT INTO thought_record_emotions VALUES
  (40, 0, 'fear', 70, 30),
  (40, 1, 'sadness', 40, NULL);
