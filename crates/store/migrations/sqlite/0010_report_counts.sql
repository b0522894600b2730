-- Running sums for reports (store report_counts.rs): what each dossier's marks add up to, per day
-- and per reporting month (Decree 09/2019: the 15th to the 14th), by deciding agency, receiving
-- desk, sector and level. Kept in the same transaction as the events that change them, so Biểu 06
-- sums a few thousand rows instead of reading every dossier. Filled from the dossiers already
-- here when motcua first starts after this migration.
CREATE TABLE report_counts (
    span TEXT NOT NULL,
    bucket BIGINT NOT NULL,
    deciding_agency_id BIGINT NOT NULL REFERENCES agencies (id),
    desk_agency_id BIGINT NOT NULL REFERENCES agencies (id),
    sector TEXT NOT NULL,
    level TEXT NOT NULL,
    received_online BIGINT NOT NULL,
    received_other BIGINT NOT NULL,
    received_digitised BIGINT NOT NULL,
    early BIGINT NOT NULL,
    on_time BIGINT NOT NULL,
    late BIGINT NOT NULL,
    overdue_from BIGINT NOT NULL,
    overdue_until BIGINT NOT NULL,
    PRIMARY KEY (span, bucket, deciding_agency_id, desk_agency_id, sector, level),
    CONSTRAINT report_counts_span CHECK (span IN ('day', 'month'))
);

-- A second supplement request makes a dossier count as late whatever its dates; reports read it
-- without parsing the state (1 or 0).
ALTER TABLE dossiers ADD COLUMN counts_late BIGINT NOT NULL DEFAULT 0;
UPDATE dossiers SET counts_late = 1 WHERE state LIKE '%"counts_late":true%';

-- Received with every document scanned or uploaded (Decision 766's digitised dossiers), judged
-- at receipt (1 or 0); for the dossiers already here, from the documents they hold.
ALTER TABLE dossiers ADD COLUMN digitised BIGINT NOT NULL DEFAULT 0;
UPDATE dossiers SET digitised = 1
WHERE received_at IS NOT NULL
  AND json_array_length(state, '$.application.components') > 0
  AND NOT EXISTS (
    SELECT 1 FROM json_each(state, '$.application.components') AS c
    WHERE COALESCE(json_array_length(c.value, '$.files'), 0) = 0
  );

-- Reports judge what is open now by group, and the late list reads what finished in a period or
-- after it.
CREATE INDEX dossiers_open ON dossiers (received_at) WHERE finished_at IS NULL;
CREATE INDEX dossiers_finished ON dossiers (finished_at) WHERE finished_at IS NOT NULL;
