-- One media stream per call (issue 12, W3): the moment a media socket claimed
-- the call's stream, set by one conditional UPDATE, so a second socket (on
-- this instance or another sharing the database), or a stream after the call
-- ended, is refused before any model session is touched. NULL: no stream yet.
ALTER TABLE calls ADD COLUMN stream_started_at TEXT;
-- Bounded recordings (issue 12, W4): 1 when the recording stopped at
-- RECORDING_MAX_MS while the call went on, so staff are told the recording is
-- not the whole call.
ALTER TABLE calls ADD COLUMN recording_capped INTEGER NOT NULL DEFAULT 0;
