-- Applications from every channel. A draft is created at the first answer and
-- updated field by field; submit turns it into an application with a reference.
CREATE TABLE applications (
  id                 TEXT PRIMARY KEY,
  channel            TEXT NOT NULL CHECK (channel IN ('web', 'voice', 'ivr')),
  status             TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted')),
  permit_type        TEXT,
  -- Keyed hash (HMAC, "keyId.hash") of the contact phone: find a caller's draft without decrypting.
  contact_phone_hash TEXT,
  reference          TEXT UNIQUE,
  created_at         TEXT NOT NULL,
  updated_at         TEXT NOT NULL,
  submitted_at       TEXT
);

CREATE INDEX applications_by_contact_phone ON applications (contact_phone_hash, status, updated_at);

-- One row per answered field, so each accepted answer is saved the moment it is
-- given and staff can see when it was captured. Personal values are encrypted
-- (AES-256-GCM, the key id inside the token); the rest is plain JSON.
CREATE TABLE application_fields (
  application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
  field          TEXT NOT NULL,
  value          TEXT NOT NULL,
  encrypted      INTEGER NOT NULL CHECK (encrypted IN (0, 1)),
  captured_at    TEXT NOT NULL,
  PRIMARY KEY (application_id, field)
);

-- The SMS summary, written in the same transaction as the submit so it cannot
-- be lost; a worker delivers it. One row per application at most.
CREATE TABLE sms_outbox (
  id              TEXT PRIMARY KEY,
  application_id  TEXT NOT NULL UNIQUE REFERENCES applications (id),
  to_phone        TEXT NOT NULL,
  to_phone_hash   TEXT NOT NULL,
  body            TEXT NOT NULL,
  status          TEXT NOT NULL DEFAULT 'pending',
  attempts        INTEGER NOT NULL DEFAULT 0,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL
);

CREATE INDEX sms_outbox_by_status ON sms_outbox (status, created_at);
