-- Operator switches (src/store/service-switches.ts, docs/incident-response.md):
-- voice-ai off sends every new call to the keypad IVR; sms-sending off keeps
-- texts queued in the outbox, unsent. A switch with no row is on, so a fresh
-- database runs normally and turning a switch off is the only write needed.
-- Read by every instance and worker from this shared table: a change takes
-- effect everywhere without a deploy. Who, when and why are kept here for the
-- status line; every change is also in the audit log. Not personal data.
CREATE TABLE service_switches (
  name       TEXT PRIMARY KEY CHECK (name IN ('voice-ai', 'sms-sending')),
  state      TEXT NOT NULL CHECK (state IN ('on', 'off')),
  changed_at TEXT NOT NULL,
  changed_by TEXT NOT NULL,
  reason     TEXT NOT NULL DEFAULT ''
);
