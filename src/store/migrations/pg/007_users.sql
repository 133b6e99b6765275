-- 007_users.sql — people who sign in to the web console (issue 8; src/app/users.c, README
-- "Web console"). A user has a role and scope exactly as an API key does (core/auth.h).
-- Passwords are kept only as libsodium crypto_pwhash_str strings (argon2id, salt and cost
-- inside). A session is found by the BLAKE2b hash of the random id its cookie carries; the
-- id itself is never stored. login_failures counts failed sign-ins for the lock-out, and the
-- misses of the public order look-up (GET /v1/track) under the keys "track:n:<number>" and
-- "track:e:<email>" (src/app/track.c).

CREATE TABLE users (
    id             TEXT COLLATE "C" PRIMARY KEY, -- usr_<ULID>
    email          TEXT COLLATE "C" NOT NULL UNIQUE, -- lower case
    password_hash  TEXT COLLATE "C" NOT NULL,        -- crypto_pwhash_str: "$argon2id$v=19$..."
    role           TEXT COLLATE "C" NOT NULL,
    scope_channel  TEXT COLLATE "C",
    scope_location TEXT COLLATE "C",
    scope_customer TEXT COLLATE "C",
    created_at     BIGINT NOT NULL,
    disabled_at    BIGINT -- NULL: may sign in
);

CREATE TABLE sessions (
    id_hash    BYTEA PRIMARY KEY, -- BLAKE2b-256 of the session id in the cookie
    user_id    TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    csrf_token TEXT COLLATE "C" NOT NULL,    -- echoed in X-CSRF-Token on every state-changing request
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE login_failures (
    email TEXT COLLATE "C" NOT NULL, -- lower case, as typed (known user or not), or a track:... key
    at    BIGINT NOT NULL
);

CREATE INDEX login_failures_by_email ON login_failures (email, at);
CREATE INDEX login_failures_by_time ON login_failures (at);
