-- Two kinds of text per application: the summary after a submit, and a link
-- to finish on the web that a caller asks for on the phone. Each is sent at
-- most once, so the uniqueness moves from the application to (application,
-- kind). SQLite cannot drop a column's UNIQUE, so the table is rebuilt.
CREATE TABLE sms_outbox_v4 (
  id                  TEXT PRIMARY KEY,
  application_id      TEXT NOT NULL REFERENCES applications (id),
  kind                TEXT NOT NULL DEFAULT 'summary',
  to_phone            TEXT NOT NULL,
  to_phone_hash       TEXT NOT NULL,
  body                TEXT NOT NULL,
  status              TEXT NOT NULL DEFAULT 'pending',
  attempts            INTEGER NOT NULL DEFAULT 0,
  created_at          TEXT NOT NULL,
  updated_at          TEXT NOT NULL,
  lease_owner         TEXT,
  lease_expires_at    TEXT,
  next_attempt_at     TEXT,
  attempt_started_at  TEXT,
  message_sid         TEXT,
  sent_at             TEXT,
  failure_reason      TEXT,
  error_code          INTEGER,
  delivery_status     TEXT,
  UNIQUE (application_id, kind)
);

INSERT INTO sms_outbox_v4 (id, application_id, kind, to_phone, to_phone_hash, body, status, attempts, created_at, updated_at,
  lease_owner, lease_expires_at, next_attempt_at, attempt_started_at, message_sid, sent_at, failure_reason, error_code, delivery_status)
SELECT id, application_id, 'summary', to_phone, to_phone_hash, body, status, attempts, created_at, updated_at,
  lease_owner, lease_expires_at, next_attempt_at, attempt_started_at, message_sid, sent_at, failure_reason, error_code, delivery_status
FROM sms_outbox;

DROP TABLE sms_outbox;
ALTER TABLE sms_outbox_v4 RENAME TO sms_outbox;

CREATE INDEX sms_outbox_by_status ON sms_outbox (status, created_at);
CREATE UNIQUE INDEX sms_outbox_by_message_sid ON sms_outbox (message_sid);
CREATE INDEX sms_outbox_by_lease ON sms_outbox (status, lease_expires_at);
