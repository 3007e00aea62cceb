-- The abuse limits count recent rows by keyed phone hash: texts to a number
-- in the last 24 hours (SMS_PER_NUMBER_PER_DAY), and calls from a number
-- still live (CALLS_AT_ONCE_PER_CALLER). Each count is one index range.
CREATE INDEX sms_outbox_by_phone ON sms_outbox (to_phone_hash, created_at);
CREATE INDEX calls_by_caller ON calls (from_phone_hash, started_at);
