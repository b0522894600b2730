-- The applicant's evaluation of a returned dossier (DOMAIN §8): nine indicators, each 0, 1 or 2
-- points. One row per dossier: the primary key refuses a second evaluation, whoever sends it and
-- however often. It is the applicant's opinion of the service, not a change to the dossier, so it
-- is kept beside the event log rather than in it; like the log it is written once and never
-- changed (the triggers refuse UPDATE, DELETE and TRUNCATE).
CREATE TABLE dossier_evaluations (
    dossier_id BIGINT NOT NULL PRIMARY KEY REFERENCES dossiers (id),
    total_time BIGINT NOT NULL,
    agency_time BIGINT NOT NULL,
    contacts BIGINT NOT NULL,
    agencies_contacted BIGINT NOT NULL,
    one_stop BIGINT NOT NULL,
    publicly_posted BIGINT NOT NULL,
    staff_attitude BIGINT NOT NULL,
    feedback_handling BIGINT NOT NULL,
    online_service BIGINT NOT NULL,
    comment TEXT NOT NULL,
    -- How the applicant proved who they were: `lookup` (code and lookup secret on the page),
    -- `account` (signed in as the account that submitted it), `api` (code and secret).
    channel TEXT NOT NULL,
    -- The applicant account, when signed in.
    applicant_login TEXT,
    evaluated_at BIGINT NOT NULL,
    CONSTRAINT dossier_evaluations_scores CHECK (
        total_time BETWEEN 0 AND 2 AND agency_time BETWEEN 0 AND 2 AND contacts BETWEEN 0 AND 2
        AND agencies_contacted BETWEEN 0 AND 2 AND one_stop BETWEEN 0 AND 2
        AND publicly_posted BETWEEN 0 AND 2 AND staff_attitude BETWEEN 0 AND 2
        AND feedback_handling BETWEEN 0 AND 2 AND online_service BETWEEN 0 AND 2),
    CONSTRAINT dossier_evaluations_channel CHECK (channel IN ('lookup', 'account', 'api'))
);
CREATE TRIGGER dossier_evaluations_append_only BEFORE UPDATE OR DELETE ON dossier_evaluations
    FOR EACH ROW EXECUTE FUNCTION motcua_append_only();
CREATE TRIGGER dossier_evaluations_no_truncate BEFORE TRUNCATE ON dossier_evaluations
    FOR EACH STATEMENT EXECUTE FUNCTION motcua_append_only();
