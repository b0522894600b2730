-- The organisation (units, agencies, desks), people (accounts, roles), sign-in (sessions, failed
-- attempts, access tokens) and the audit log. Civil dates are 'YYYY-MM-DD'; instants are µs
-- since the epoch; validity periods run from valid_from (inclusive) to valid_until (exclusive,
-- NULL while in force).

CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent_id BIGINT REFERENCES units (id),
    valid_from TEXT NOT NULL,
    valid_until TEXT,
    created_at BIGINT NOT NULL,
    CONSTRAINT units_period CHECK (valid_until IS NULL OR valid_until > valid_from)
);
CREATE UNIQUE INDEX units_code_from ON units (code, valid_from);
CREATE INDEX units_parent ON units (parent_id);

-- Merges, splits and renames: the older unit, the newer, and from when.
CREATE TABLE unit_links (
    from_unit_id BIGINT NOT NULL REFERENCES units (id),
    to_unit_id BIGINT NOT NULL REFERENCES units (id),
    kind TEXT NOT NULL,
    effective TEXT NOT NULL,
    PRIMARY KEY (from_unit_id, to_unit_id)
);

CREATE TABLE agencies (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    parent_id BIGINT REFERENCES agencies (id),
    address TEXT NOT NULL,
    phone TEXT NOT NULL,
    email TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_until TEXT,
    created_at BIGINT NOT NULL,
    CONSTRAINT agencies_period CHECK (valid_until IS NULL OR valid_until > valid_from)
);
CREATE INDEX agencies_unit ON agencies (unit_id);
CREATE INDEX agencies_parent ON agencies (parent_id);

-- Electronic identifiers (Decision 20/2020) with their history: reissued after mergers.
CREATE TABLE agency_identifiers (
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    identifier TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_until TEXT,
    PRIMARY KEY (agency_id, valid_from)
);
CREATE UNIQUE INDEX agency_identifiers_identifier ON agency_identifiers (identifier, valid_from);

-- One-stop desks of a service centre (or of a commune committee).
CREATE TABLE desks (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1
);

-- Staff and applicants. password_hash is argon2id in PHC form.
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL,
    kind TEXT NOT NULL,
    full_name TEXT NOT NULL,
    position TEXT NOT NULL,
    agency_id BIGINT REFERENCES agencies (id),
    phone TEXT NOT NULL,
    email TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    must_change_password BIGINT NOT NULL,
    active BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    password_changed_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX users_login ON users (login);
CREATE INDEX users_agency ON users (agency_id);

-- A role for a scope: one agency (with or without those under it), or the province (NULL).
CREATE TABLE role_grants (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL,
    agency_id BIGINT REFERENCES agencies (id),
    with_children BIGINT NOT NULL,
    granted_by BIGINT REFERENCES users (id),
    granted_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX role_grants_user ON role_grants (user_id);

-- Sessions: the cookie holds a random token; only its SHA-256 is stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    ip TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Failed sign-ins, for lockout per account and per address.
CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL,
    ip TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_login ON login_failures (login, at);
CREATE INDEX login_failures_ip ON login_failures (ip, at);

-- Personal access tokens for integrations: hashed, scoped, expiring, revocable.
CREATE TABLE access_tokens (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT,
    last_used_at BIGINT
);
CREATE UNIQUE INDEX access_tokens_hash ON access_tokens (token_hash);

-- Who did what, when, from where, to what. Never changed, never deleted.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_id BIGINT,
    actor_login TEXT NOT NULL,
    ip TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor_id, at);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER calendar_year_versions_no_update BEFORE UPDATE ON calendar_year_versions
BEGIN SELECT RAISE(ABORT, 'calendar_year_versions is append-only'); END;
CREATE TRIGGER calendar_year_versions_no_delete BEFORE DELETE ON calendar_year_versions
BEGIN SELECT RAISE(ABORT, 'calendar_year_versions is append-only'); END;
