-- How a call left the AI path (src/call/call-ending.ts), as JSON, written by
-- the instance that held the media stream as the stream ends. Twilio asks the
-- stream's <Connect action> right after, and that request may reach any
-- instance behind the load balancer: what the caller hears next is decided
-- from this column there (docs/scaling.md). Not personal data: a kind and a
-- fixed detail (a close code, a tool's name).
ALTER TABLE calls ADD COLUMN ai_ending TEXT;
