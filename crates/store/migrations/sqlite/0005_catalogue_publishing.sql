-- Publishing the catalogue from the staff screens. A draft is one row per procedure, edited in
-- place until it is published from a chosen day; published rows change only to end them
-- (valid_until) or to record when they were entered in the national database.
ALTER TABLE procedure_versions ADD COLUMN note TEXT NOT NULL DEFAULT '';
-- Copied from the record for the deadline tracking: the decision's date and the day the legal
-- document behind the version takes effect.
ALTER TABLE procedure_versions ADD COLUMN decided_on TEXT;
ALTER TABLE procedure_versions ADD COLUMN law_effective TEXT;
-- The day the version was entered in the national procedure database.
ALTER TABLE procedure_versions ADD COLUMN national_entered TEXT;
ALTER TABLE procedure_versions ADD COLUMN updated_at BIGINT;
ALTER TABLE procedure_versions ADD COLUMN published_by TEXT;
ALTER TABLE procedure_versions ADD COLUMN published_at BIGINT;
-- At most one draft per procedure.
CREATE UNIQUE INDEX procedure_versions_one_draft ON procedure_versions (code) WHERE status = 'draft';

-- Files kept in the file store (a folder), named by the SHA-256 of their content.
CREATE TABLE files (
    sha256 TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    media_type TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- The template file of a form a procedure's component names ("Mẫu số 04/ĐK"), for citizens to
-- download. The newest row for a procedure and form is the one offered; older rows are history.
CREATE TABLE form_files (
    id INTEGER PRIMARY KEY,
    procedure_code TEXT NOT NULL,
    form TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES files (sha256),
    file_name TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL
);
CREATE INDEX form_files_procedure ON form_files (procedure_code, form);
