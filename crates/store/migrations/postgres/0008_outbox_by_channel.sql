-- Senders claim, and note, the waiting messages of one channel at a time. Messages of a channel
-- nobody can send yet (SMS and Zalo have no provider) wait in numbers; indexed by channel first,
-- they never slow the search for the others.
DROP INDEX outbox_pending;
CREATE INDEX outbox_pending ON outbox (channel, next_attempt_at, id) WHERE next_attempt_at IS NOT NULL;
