-- The language an applicant is served in (src/permits/language.ts): chosen on
-- the form or during the call, kept so that the SMS summary, the status page
-- and a call back speak it too. calls.language is the language the call ended
-- in, for staff. Rows from before this migration were all in English.
ALTER TABLE applications ADD COLUMN language TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'es'));
ALTER TABLE calls ADD COLUMN language TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'es'));
