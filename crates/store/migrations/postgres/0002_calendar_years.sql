-- Official calendar years entered or corrected by an administrator. Each save is a new version;
-- the highest version of a year is in force. Versions are never changed, so any past computation
-- can be explained by the version it used.
CREATE TABLE calendar_year_versions (
    year BIGINT NOT NULL,
    version BIGINT NOT NULL,
    data TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (year, version)
);
