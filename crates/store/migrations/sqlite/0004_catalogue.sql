-- The procedure catalogue. A procedure is a series of versions: each change is a new row, and
-- the version in force on a day is the published one whose period covers it. A dossier pins the
-- version it was received under.
CREATE TABLE sectors (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE procedure_versions (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL,
    version BIGINT NOT NULL,
    name TEXT NOT NULL,
    sector TEXT NOT NULL REFERENCES sectors (code),
    level TEXT NOT NULL,
    -- The whole record as imported or edited (JSON, the catalogue format): lossless.
    data TEXT NOT NULL,
    -- Name, code, sector, keywords and agencies folded (no diacritics, lower case) for search.
    search_text TEXT NOT NULL,
    -- draft | published | withdrawn
    status TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_until TEXT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT procedure_versions_status CHECK (status IN ('draft', 'published', 'withdrawn'))
);
CREATE UNIQUE INDEX procedure_versions_code_version ON procedure_versions (code, version);
CREATE INDEX procedure_versions_sector ON procedure_versions (sector);
