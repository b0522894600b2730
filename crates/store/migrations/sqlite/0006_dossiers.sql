-- Dossiers. What happened to a dossier is its events, appended and never changed; the dossiers
-- row is their projection (the current state), written in the same transaction as each event.
-- Each event carries the SHA-256 of the one before it, so an edit anywhere breaks the chain.
CREATE TABLE dossiers (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL,
    -- SHA-256 of the lookup secret printed on the receipt (the secret itself is not kept).
    lookup_hash TEXT NOT NULL,
    created_by TEXT NOT NULL,
    -- A client's key for a submission it may retry: the retry returns the same dossier.
    idempotency_key TEXT,
    procedure_code TEXT NOT NULL,
    procedure_version BIGINT NOT NULL,
    sector TEXT NOT NULL,
    level TEXT NOT NULL,
    desk_agency_id BIGINT NOT NULL REFERENCES agencies (id),
    deciding_agency_id BIGINT NOT NULL REFERENCES agencies (id),
    channel TEXT NOT NULL,
    stage TEXT NOT NULL,
    step BIGINT NOT NULL,
    assignee TEXT,
    applicant_name TEXT NOT NULL,
    applicant_id_number TEXT NOT NULL,
    -- The applicant account that submitted it online, if one did.
    applicant_login TEXT,
    submitted_at BIGINT NOT NULL,
    received_at BIGINT,
    due_at BIGINT,
    step_due_at BIGINT,
    paused_since BIGINT,
    finished_at BIGINT,
    outcome TEXT,
    version BIGINT NOT NULL,
    -- The whole projection as JSON (domain::dossier::Dossier).
    state TEXT NOT NULL,
    last_hash TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX dossiers_code ON dossiers (code);
CREATE UNIQUE INDEX dossiers_idempotency ON dossiers (created_by, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE INDEX dossiers_deciding ON dossiers (deciding_agency_id, stage, due_at, id);
CREATE INDEX dossiers_desk ON dossiers (desk_agency_id, submitted_at, id);
CREATE INDEX dossiers_applicant ON dossiers (applicant_login) WHERE applicant_login IS NOT NULL;
-- A returning applicant is found at the desk by identity number.
CREATE INDEX dossiers_applicant_id ON dossiers (applicant_id_number);

CREATE TABLE dossier_events (
    dossier_id BIGINT NOT NULL REFERENCES dossiers (id),
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    -- The event as JSON (domain::dossier::Event).
    payload TEXT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (dossier_id, seq)
);
CREATE TRIGGER dossier_events_no_update BEFORE UPDATE ON dossier_events
BEGIN SELECT RAISE(ABORT, 'dossier_events is append-only'); END;
CREATE TRIGGER dossier_events_no_delete BEFORE DELETE ON dossier_events
BEGIN SELECT RAISE(ABORT, 'dossier_events is append-only'); END;

-- The last number given in a dossier code, per receiving agency and day.
CREATE TABLE dossier_sequences (
    agency TEXT NOT NULL,
    day TEXT NOT NULL,
    last BIGINT NOT NULL,
    PRIMARY KEY (agency, day)
);
