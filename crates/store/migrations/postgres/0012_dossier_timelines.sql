-- Each dossier's public timeline as one text: an entry per event, the instant, a tab, the event's
-- line as JSON (domain::dossier::event::Line: its kind and the fields its description names), a
-- newline. Written with the events, in the same transaction. The status lookup reads this one
-- row instead of the dossier's events, which lie spread over the whole log in the order they
-- happened: at two million dossiers that was a page read per event. Room is left in each page
-- for the row's next versions, as every event rewrites it.
CREATE TABLE dossier_timelines (
    dossier_id BIGINT PRIMARY KEY REFERENCES dossiers (id),
    lines TEXT NOT NULL
) WITH (fillfactor = 70);
-- The timeline of every dossier so far, from its events: the fields a line keeps, the others
-- (the application, the components received) left out.
INSERT INTO dossier_timelines (dossier_id, lines)
SELECT dossier_id,
       string_agg(at::text || E'\t' || jsonb_strip_nulls(jsonb_build_object(
           'kind', p -> 'kind',
           'channel', p -> 'channel',
           'missing', p -> 'missing',
           'items', p -> 'items',
           'reasons', p -> 'reasons',
           'reason', p -> 'reason',
           'to_step', p -> 'to_step',
           'amount', p -> 'amount',
           'pause', p -> 'pause',
           'agency', p -> 'agency'))::text || E'\n', '' ORDER BY seq)
FROM (SELECT dossier_id, seq, at, payload::jsonb AS p FROM dossier_events) e
GROUP BY dossier_id;
-- A timeline only grows: entries are appended, never changed or removed.
CREATE TRIGGER dossier_timelines_grow_only BEFORE UPDATE ON dossier_timelines
    FOR EACH ROW WHEN (NEW.dossier_id <> OLD.dossier_id OR NOT starts_with(NEW.lines, OLD.lines))
    EXECUTE FUNCTION motcua_append_only();
CREATE TRIGGER dossier_timelines_no_delete BEFORE DELETE ON dossier_timelines
    FOR EACH ROW EXECUTE FUNCTION motcua_append_only();
CREATE TRIGGER dossier_timelines_no_truncate BEFORE TRUNCATE ON dossier_timelines
    FOR EACH STATEMENT EXECUTE FUNCTION motcua_append_only();
ANALYZE dossier_timelines;
