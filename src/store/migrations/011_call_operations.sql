-- What the staff live page and the operators' figures need from a call
-- (docs/observability.md).
--
-- phase: where a call on the AI path is now: greeting (stream started, the
-- caller has not spoken yet), collecting, read-back (the agent has read the
-- answers back), ivr (handed to the keypad IVR). Written only when it changes,
-- a few times a call; NULL before the stream starts.
ALTER TABLE calls ADD COLUMN phase TEXT CHECK (phase IN ('greeting', 'collecting', 'read-back', 'ivr'));

-- Agent response latencies of the call, in ms (caller stops speaking → first
-- agent audio sent to Twilio), as a JSON array in turn order; written with the
-- call's usage when it ends, so today's p95 can be told from the database.
ALTER TABLE calls ADD COLUMN agent_latencies_ms TEXT NOT NULL DEFAULT '[]';

-- The W3C trace context (traceparent) of the voice webhook that answered the
-- call, so the call's spans join the webhook's trace even when the media
-- stream lands later or on another instance. Not personal data: random ids.
ALTER TABLE calls ADD COLUMN trace_context TEXT;
