-- Phone calls, recorded when Twilio first posts the voice webhook (idempotent
-- on the CallSid: Twilio retries), updated by the status callback.
CREATE TABLE calls (
  call_sid          TEXT PRIMARY KEY,
  application_id    TEXT REFERENCES applications (id),
  from_phone        TEXT NOT NULL,
  from_phone_hash   TEXT NOT NULL,
  status            TEXT NOT NULL,
  duration_seconds  INTEGER,
  prompt_version    TEXT,
  model             TEXT,
  input_tokens      INTEGER NOT NULL DEFAULT 0,
  output_tokens     INTEGER NOT NULL DEFAULT 0,
  -- Token counts by kind (text/audio, cached or not), summed over the call, as JSON.
  usage_detail      TEXT NOT NULL DEFAULT '{}',
  cost_usd          REAL NOT NULL DEFAULT 0,
  started_at        TEXT NOT NULL,
  ended_at          TEXT
);

CREATE INDEX calls_by_started_at ON calls (started_at);

-- What was said, in conversation order: caller turns (input transcription),
-- agent turns (output transcript) and tool calls with their results. `position`
-- follows the model's item chain, not arrival: a caller's transcript can arrive
-- after the agent has started answering. Text is encrypted.
CREATE TABLE call_turns (
  call_sid    TEXT NOT NULL REFERENCES calls (call_sid),
  item_id     TEXT NOT NULL,
  position    REAL NOT NULL,
  role        TEXT NOT NULL CHECK (role IN ('caller', 'agent', 'tool')),
  text        TEXT NOT NULL,
  offset_ms   INTEGER NOT NULL,
  PRIMARY KEY (call_sid, item_id)
);

CREATE INDEX call_turns_in_order ON call_turns (call_sid, position);
