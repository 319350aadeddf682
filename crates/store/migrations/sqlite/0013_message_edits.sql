-- Live readers look for messages edited since they subscribed: only edited messages are indexed.
CREATE INDEX messages_edited ON messages(thread_id, updated_at) WHERE version > 1;
