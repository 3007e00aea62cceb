-- Delivery of the SMS summary by the outbox worker.
-- A row is claimed with a lease (owner + expiry) so that any number of
-- workers over one database never work on it at once. attempt_started_at is
-- set before the first request to Twilio and never cleared: a row that has it
-- may already be at Twilio, so whoever picks it up next looks for that
-- message before sending again.
ALTER TABLE sms_outbox ADD COLUMN lease_owner TEXT;
ALTER TABLE sms_outbox ADD COLUMN lease_expires_at TEXT;
ALTER TABLE sms_outbox ADD COLUMN next_attempt_at TEXT;
ALTER TABLE sms_outbox ADD COLUMN attempt_started_at TEXT;
ALTER TABLE sms_outbox ADD COLUMN message_sid TEXT;
ALTER TABLE sms_outbox ADD COLUMN sent_at TEXT;
-- Why a row ended failed, in plain words, and Twilio's error code if it gave one.
ALTER TABLE sms_outbox ADD COLUMN failure_reason TEXT;
ALTER TABLE sms_outbox ADD COLUMN error_code INTEGER;
-- What Twilio's status callbacks said after the message was accepted.
ALTER TABLE sms_outbox ADD COLUMN delivery_status TEXT;

CREATE UNIQUE INDEX sms_outbox_by_message_sid ON sms_outbox (message_sid);
CREATE INDEX sms_outbox_by_lease ON sms_outbox (status, lease_expires_at);

-- Texting consent per phone number, keyed by the keyed phone hash. The
-- number itself is kept encrypted only so that a key rotation can recompute
-- the hash.
CREATE TABLE sms_consent (
  phone_hash  TEXT PRIMARY KEY,
  phone       TEXT NOT NULL,
  opted_out   INTEGER NOT NULL,
  -- The keyword (STOP, START, ...) or Twilio error that set it.
  source      TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);
