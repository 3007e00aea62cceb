-- Whether a call was recorded, and how long the recording is (milliseconds,
-- caller and agent on one timeline). NULL: no recording is kept for the call
-- (RECORD_CALLS was off, the service stopped before saving it, or it was erased).
ALTER TABLE calls ADD COLUMN recording_ms INTEGER;
