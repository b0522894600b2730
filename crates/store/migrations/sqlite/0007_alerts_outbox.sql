-- Deadline alerts and the outbox of notifications they queue.
--
-- An alert is raised once per dossier, kind and due date: the primary key makes a second raise
-- (by a later run, or by another motcua process) a no-op, and a moved due date (an extension, a
-- pause that ended) is a new key, so it raises again. For `result_ready`, `due_at` holds when the
-- result was ready.
CREATE TABLE dossier_alerts (
    dossier_id BIGINT NOT NULL REFERENCES dossiers (id),
    kind TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    raised_at BIGINT NOT NULL,
    PRIMARY KEY (dossier_id, kind, due_at),
    CONSTRAINT dossier_alerts_kind CHECK (kind IN ('due_soon', 'overdue', 'result_ready'))
);

-- Messages to send, written in the same transaction as the alert that asked for them. A sender
-- claims a message by writing a lease (owner, until); an expired lease may be claimed again.
-- `next_attempt_at` is NULL once nothing more will be tried: sent, or given up.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    dossier_code TEXT,
    created_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT,
    lease_owner TEXT,
    lease_until BIGINT,
    sent_at BIGINT,
    last_error TEXT,
    CONSTRAINT outbox_channel CHECK (channel IN ('email', 'sms', 'zalo'))
);
CREATE INDEX outbox_pending ON outbox (next_attempt_at, id) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX outbox_dossier ON outbox (dossier_code);

-- The alert job looks for open dossiers by stage and due date every minute.
CREATE INDEX dossiers_stage_due ON dossiers (stage, due_at);
