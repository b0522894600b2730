-- Each dossier's public timeline as one text: an entry per event, the instant, a tab, the event's
-- line as JSON (domain::dossier::event::Line: its kind and the fields its description names), a
-- newline. Written with the events, in the same transaction. The status lookup reads this one
-- row instead of the dossier's events, which lie spread over the whole log in the order they
-- happened: at two million dossiers that was a page of the file touched per event.
CREATE TABLE dossier_timelines (
    dossier_id INTEGER PRIMARY KEY REFERENCES dossiers (id),
    lines TEXT NOT NULL
);
-- The timeline of every dossier so far, from its events: the fields a line keeps, the others
-- (the application, the components received) left out. json_patch drops the absent ones.
INSERT INTO dossier_timelines (dossier_id, lines)
SELECT dossier_id,
       group_concat(at || char(9) || json_patch('{}', json_object(
           'kind', payload -> '$.kind',
           'channel', payload -> '$.channel',
           'missing', payload -> '$.missing',
           'items', payload -> '$.items',
           'reasons', payload -> '$.reasons',
           'reason', payload -> '$.reason',
           'to_step', payload -> '$.to_step',
           'amount', payload -> '$.amount',
           'pause', payload -> '$.pause',
           'agency', payload -> '$.agency')) || char(10), '' ORDER BY seq)
FROM dossier_events
GROUP BY dossier_id;
-- A timeline only grows: entries are appended, never changed or removed.
CREATE TRIGGER dossier_timelines_grow_only BEFORE UPDATE ON dossier_timelines
WHEN NEW.dossier_id <> OLD.dossier_id OR substr(NEW.lines, 1, length(OLD.lines)) <> OLD.lines
BEGIN SELECT RAISE(ABORT, 'dossier_timelines is append-only'); END;
CREATE TRIGGER dossier_timelines_no_delete BEFORE DELETE ON dossier_timelines
BEGIN SELECT RAISE(ABORT, 'dossier_timelines is append-only'); END;
