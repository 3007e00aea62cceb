-- Staff who sign in to the console. There are no default accounts: the first
-- admin is created with `npm run staff -- add <name> --role admin`. Usernames
-- are stored lower-case so that uniqueness is case-insensitive.
CREATE TABLE staff_users (
  id             TEXT PRIMARY KEY,
  username       TEXT NOT NULL UNIQUE CHECK (username = lower(username)),
  role           TEXT NOT NULL CHECK (role IN ('staff', 'admin')),
  -- scrypt, self-describing: "scrypt$N$r$p$salt$hash" (src/staff/password.ts).
  password_hash  TEXT NOT NULL,
  disabled       INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL
);

-- Console sessions, in the database so that any instance can serve any of
-- them. Only a SHA-256 of the cookie's token is kept: a copy of the database
-- does not let anyone sign in.
CREATE TABLE staff_sessions (
  id            TEXT PRIMARY KEY,
  token_hash    TEXT NOT NULL UNIQUE,
  user_id       TEXT NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
  created_at    TEXT NOT NULL,
  last_seen_at  TEXT NOT NULL
);

CREATE INDEX staff_sessions_by_user ON staff_sessions (user_id);

-- Failed sign-ins, counted per account and per source address across every
-- instance. `subject` is a SHA-256 of the username or address typed at the
-- login form, so a password typed into the username box is not kept in clear.
CREATE TABLE staff_login_failures (
  scope              TEXT NOT NULL CHECK (scope IN ('account', 'address')),
  subject            TEXT NOT NULL,
  failures           INTEGER NOT NULL,
  window_started_at  TEXT NOT NULL,
  locked_until       TEXT,
  PRIMARY KEY (scope, subject)
);

CREATE INDEX staff_login_failures_by_window ON staff_login_failures (window_started_at);

-- Who did what in the console, hash-chained: each row holds the previous
-- row's hash and its own (src/store/audit-log.ts). seq is assigned from
-- audit_head, not by AUTOINCREMENT, so a gap means a deleted row.
CREATE TABLE audit_log (
  seq             INTEGER PRIMARY KEY,
  at              TEXT NOT NULL,
  actor           TEXT NOT NULL,
  action          TEXT NOT NULL,
  subject         TEXT NOT NULL,
  source_address  TEXT NOT NULL,
  detail          TEXT NOT NULL,
  prev_hash       TEXT NOT NULL,
  hash            TEXT NOT NULL
);

-- The last row's seq and hash, moved in the same transaction as each append:
-- without it, deleting the newest rows would leave a chain that still checks out.
CREATE TABLE audit_head (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  last_seq   INTEGER NOT NULL,
  last_hash  TEXT NOT NULL
);

INSERT INTO audit_head (id, last_seq, last_hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Guards against our own code changing history by mistake. Whoever can write
-- the file can drop them; the hash chain is what catches that.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head BEGIN SELECT RAISE(ABORT, 'the audit head cannot be deleted'); END;
