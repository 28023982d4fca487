-- A calmkit store of schema version 1, the first layout, as SQL.
-- Version 1 kept every time as RFC 3339 TEXT ("time", "end_time") and a
-- thought record's emotions as a JSON array in thought_records.emotions;
-- version 2 keeps UTC microseconds + offset minutes and a
-- thought_record_emotions table. test_store.cpp builds a database from this
-- file and opens it, which must migrate it to version 2.
PRAGMA application_id = 1130458221;  -- 0x43616C6D, "Calm"
PRAGMA user_version = 1;

CREATE TABLE participants (
  pid  INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
CREATE TABLE triggers (
  tid INTEGER PRIMARY KEY,
  pid INTEGER NOT NULL REFERENCES participants(pid),
  id  TEXT NOT NULL CHECK (length(id) > 0),
  time TEXT NOT NULL,
  category  TEXT NOT NULL,
  intensity INTEGER NOT NULL CHECK (intensity BETWEEN 0 AND 10),
  context TEXT NOT NULL DEFAULT '',
  urge    TEXT NOT NULL DEFAULT '',
  acted_on_urge INTEGER CHECK (acted_on_urge IN (0, 1)),
  acted_after_minutes REAL CHECK (acted_after_minutes >= 0),
  response TEXT NOT NULL DEFAULT '',
  UNIQUE (pid, id)
);
CREATE TABLE trigger_items (
  tid      INTEGER NOT NULL REFERENCES triggers(tid) ON DELETE CASCADE,
  field    TEXT NOT NULL CHECK (field IN ('thought', 'sensation', 'tag')),
  position INTEGER NOT NULL,
  value    TEXT NOT NULL,
  PRIMARY KEY (tid, field, position)
);
CREATE TABLE readings (
  rid INTEGER PRIMARY KEY,
  pid INTEGER NOT NULL REFERENCES participants(pid),
  id  TEXT,
  time TEXT NOT NULL,
  intensity INTEGER NOT NULL CHECK (intensity BETWEEN 0 AND 10),
  trigger_id TEXT,
  note TEXT NOT NULL DEFAULT '',
  UNIQUE (pid, id),
  FOREIGN KEY (pid, trigger_id) REFERENCES triggers(pid, id)
);
CREATE INDEX readings_by_time ON readings(pid, time);
CREATE TABLE exercises (
  eid INTEGER PRIMARY KEY,
  pid INTEGER NOT NULL REFERENCES participants(pid),
  id  TEXT NOT NULL,
  time TEXT NOT NULL,
  end_time TEXT NOT NULL,
  exercise TEXT NOT NULL,
  completed INTEGER NOT NULL DEFAULT 1,
  intensity_before INTEGER,
  intensity_after  INTEGER,
  trigger_id TEXT,
  UNIQUE (pid, id),
  FOREIGN KEY (pid, trigger_id) REFERENCES triggers(pid, id)
);
CREATE TABLE exercise_responses (
  eid      INTEGER NOT NULL REFERENCES exercises(eid) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  value    TEXT NOT NULL,
  PRIMARY KEY (eid, position)
);
CREATE TABLE thought_records (
  xid INTEGER PRIMARY KEY,
  pid INTEGER NOT NULL REFERENCES participants(pid),
  id  TEXT NOT NULL,
  time TEXT NOT NULL,
  situation TEXT NOT NULL,
  automatic_thought TEXT NOT NULL,
  belief_before INTEGER NOT NULL,
  emotions TEXT NOT NULL DEFAULT '[]',
  friend_advice    TEXT NOT NULL DEFAULT '',
  balanced_thought TEXT NOT NULL DEFAULT '',
  belief_after INTEGER,
  trigger_id TEXT,
  UNIQUE (pid, id),
  FOREIGN KEY (pid, trigger_id) REFERENCES triggers(pid, id)
);
CREATE TABLE thought_record_items (
  xid      INTEGER NOT NULL REFERENCES thought_records(xid) ON DELETE CASCADE,
  field    TEXT NOT NULL CHECK (field IN ('distortion', 'evidence_for', 'evidence_against', 'alternative')),
  position INTEGER NOT NULL,
  value    TEXT NOT NULL,
  PRIMARY KEY (xid, field, position)
);

INSERT INTO participants(pid, name) VALUES (1, 'ana'), (2, '');

INSERT INTO triggers VALUES
  (10, 1, 't1', '2026-03-02T21:14:00+01:00', 'delayed_reply', 8, 'texted at 6pm, no answer',
   'send another text', 1, 42.5, 'went for a walk'),
  (11, 2, 't1', '2026-03-03T07:05:30.25-05:30', 'conflict', 5, '', '', NULL, NULL, '');
INSERT INTO trigger_items VALUES
  (10, 'thought', 0, 'they are losing interest'),
  (10, 'thought', 1, 'I said something wrong'),
  (10, 'sensation', 0, 'tight chest'),
  (10, 'tag', 0, 'evening');

INSERT INTO readings VALUES
  (20, 1, NULL, '2026-03-02T21:30:00+01:00', 6, 't1', 'a bit calmer'),
  (21, 1, 'r2', '2026-03-02T22:00:00+01:00', 3, 't1', ''),
  (22, 2, NULL, '2026-03-04T12:00:00Z', 2, NULL, '');

INSERT INTO exercises VALUES
  (30, 1, 'e1', '2026-03-02T21:20:00+01:00', '2026-03-02T21:25:00+01:00', 'breathing.4-7-8', 1, 7, 5, 't1'),
  (31, 2, 'e1', '2026-03-04T08:00:00Z', '2026-03-04T08:00:00Z', 'custom.walk', 0, NULL, NULL, NULL);
INSERT INTO exercise_responses VALUES
  (30, 0, 'five things I can see'),
  (30, 1, 'the kettle');

INSERT INTO thought_records VALUES
  (40, 1, 'x1', '2026-03-02T21:40:00+01:00', 'no reply for three hours',
   'they are about to leave me', 80,
   '[{"name":"fear","before":70,"after":30},{"name":"sadness","before":40}]',
   'a busy evening is not a verdict', 'they are probably at dinner', 35, 't1');
INSERT INTO thought_record_items VALUES
  (40, 'distortion', 0, 'mind_reading'),
  (40, 'distortion', 1, 'catastrophizing'),
  (40, 'evidence_for', 0, 'slower replies this week'),
  (40, 'evidence_against', 0, 'we made plans for Saturday'),
  (40, 'alternative', 0, 'their phone is on silent'),
  (40, 'alternative', 1, 'work ran late');
