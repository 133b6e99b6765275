-- 007_users.sql — people who sign in to the web console (issue 8; src/app/users.c, README
-- "Web console"). A user has a role and scope exactly as an API key does (core/auth.h).
-- Passwords are kept only as libsodium crypto_pwhash_str strings (argon2id, salt and cost
-- inside). A session is found by the BLAKE2b hash of the random id its cookie carries; the
-- id itself is never stored. login_failures counts failed sign-ins for the lock-out, and the
-- misses of the public order look-up (GET /v1/track) under the keys "track:n:<number>" and
-- "track:e:<email>" (src/app/track.c).

CREATE TABLE users (
    id             TEXT PRIMARY KEY, -- usr_<ULID>
    email          TEXT NOT NULL UNIQUE, -- lower case
    password_hash  TEXT NOT NULL,        -- crypto_pwhash_str: "$argon2id$v=19$..."
    role           TEXT NOT NULL,
    scope_channel  TEXT,
    scope_location TEXT,
    scope_customer TEXT,
    created_at     INTEGER NOT NULL,
    disabled_at    INTEGER -- NULL: may sign in
) WITHOUT ROWID;

CREATE TABLE sessions (
    id_hash    BLOB PRIMARY KEY, -- BLAKE2b-256 of the session id in the cookie
    user_id    TEXT NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,    -- echoed in X-CSRF-Token on every state-changing request
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE login_failures (
    email TEXT NOT NULL, -- lower case, as typed (known user or not), or a track:... key
    at    INTEGER NOT NULL
);

CREATE INDEX login_failures_by_email ON login_failures (email, at);
CREATE INDEX login_failures_by_time ON login_failures (at);
