-- What the public status lookup shows of each dossier, in one row found by the dossier's code:
-- the hash of its lookup secret, its procedure, stage, applicant, receipt and due instants, and
-- its timeline (migration 12's text, moved here). The lookup is the busiest request of all and
-- read the dossier row and the timeline row, each through its own index: two index descents
-- and two heap pages, most of them outside the buffers at two million dossiers. Written in the
-- same transaction as the dossier row and its events; the stage, applicant and instants follow
-- the dossier's, and `motcua verify` checks that they agree.
CREATE TABLE dossier_lookups (
    code TEXT PRIMARY KEY REFERENCES dossiers (code),
    lookup_hash TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    stage TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    received_at BIGINT,
    due_at BIGINT,
    lines TEXT NOT NULL
) WITH (fillfactor = 70);
INSERT INTO dossier_lookups (code, lookup_hash, procedure_code, stage, applicant_name,
    received_at, due_at, lines)
SELECT d.code, d.lookup_hash, d.procedure_code, d.stage, d.applicant_name, d.received_at,
       d.due_at, t.lines
FROM dossiers d JOIN dossier_timelines t ON t.dossier_id = d.id;
DROP TABLE dossier_timelines;
-- The code, secret and procedure never change; the timeline only grows.
CREATE TRIGGER dossier_lookups_grow_only BEFORE UPDATE ON dossier_lookups
    FOR EACH ROW WHEN (NEW.code <> OLD.code OR NEW.lookup_hash <> OLD.lookup_hash
        OR NEW.procedure_code <> OLD.procedure_code OR NOT starts_with(NEW.lines, OLD.lines))
    EXECUTE FUNCTION motcua_append_only();
CREATE TRIGGER dossier_lookups_no_delete BEFORE DELETE ON dossier_lookups
    FOR EACH ROW EXECUTE FUNCTION motcua_append_only();
CREATE TRIGGER dossier_lookups_no_truncate BEFORE TRUNCATE ON dossier_lookups
    FOR EACH STATEMENT EXECUTE FUNCTION motcua_append_only();
ANALYZE dossier_lookups;
