-- What the staff console needs to tell a call's outcome and to honour erasure:
-- when the call was handed to the keypad IVR (the fallback), and when an
-- applicant's personal data was erased (the rows stay, masked, for the counts
-- and the audit trail).
ALTER TABLE calls ADD COLUMN ivr_at TEXT;
ALTER TABLE calls ADD COLUMN erased_at TEXT;
ALTER TABLE applications ADD COLUMN erased_at TEXT;
