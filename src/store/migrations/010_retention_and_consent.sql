-- Retention and consent (docs/adr/0006-retention.md).
--
-- The channel each answer was given on (web, voice or ivr), beside the time it
-- was captured: for smsConsent and the attestation that is when and where the
-- applicant agreed. NULL for answers saved before this migration.
ALTER TABLE application_fields ADD COLUMN channel TEXT CHECK (channel IN ('web', 'voice', 'ivr'));

-- A recorded call's recording notice: when the caller had heard it, and on
-- which channel. Twilio says the notice before it opens the media stream, so
-- it is set as a recorded call's stream starts. NULL: the call was not recorded.
ALTER TABLE calls ADD COLUMN recording_notice_at TEXT;
ALTER TABLE calls ADD COLUMN recording_notice_channel TEXT;

-- Jobs any instance may run, such as the retention erasure: whoever holds an
-- unexpired lease runs the job, and the others leave it alone.
CREATE TABLE job_leases (
  job         TEXT PRIMARY KEY,
  owner       TEXT NOT NULL,
  expires_at  TEXT NOT NULL
);

-- The retention job looks for drafts by status and last change.
CREATE INDEX applications_by_status_and_update ON applications (status, updated_at);
