-- A caller's request to be called back by staff: asked for when nobody could
-- answer the staff line (keypad 0 outside office hours in the IVR; later the
-- agent's request_call_back). The number is personal data: encrypted like
-- calls.from_phone (context call_backs/<id>/caller_phone), with a keyed hash
-- beside it to find a number's requests without decrypting. One request per
-- call: a retried webhook, or a caller pressing 1 twice, records it once.
-- Staff mark it done (who and when); the audit log keeps that too. Erasing an
-- applicant deletes their requests (applicant-erasure.ts).
CREATE TABLE call_back_requests (
  id                TEXT PRIMARY KEY,
  call_sid          TEXT NOT NULL UNIQUE REFERENCES calls (call_sid),
  caller_phone      TEXT NOT NULL,
  caller_phone_hash TEXT NOT NULL,
  language          TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'es')),
  application_id    TEXT REFERENCES applications (id),
  channel           TEXT NOT NULL CHECK (channel IN ('ivr', 'voice')),
  requested_at      TEXT NOT NULL,
  done_at           TEXT,
  done_by           TEXT
);

CREATE INDEX call_back_requests_open ON call_back_requests (done_at, requested_at);
CREATE INDEX call_back_requests_by_phone ON call_back_requests (caller_phone_hash);
