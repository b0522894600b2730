-- The work queue (store dossiers.rs `dossiers`) reads each side of an agency's dossiers from an
-- index alone: those it receives at its desk, by stage and due date (as dossiers_deciding does for
-- those it decides), and an officer's own, by stage and due date.
CREATE INDEX dossiers_desk_queue ON dossiers (desk_agency_id, stage, due_at, id);
CREATE INDEX dossiers_assignee ON dossiers (assignee, stage, due_at, id);
