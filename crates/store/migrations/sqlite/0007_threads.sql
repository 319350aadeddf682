-- Discussion threads, their narrower audiences, and messages with every earlier version kept.

CREATE TABLE threads (
    id               BLOB PRIMARY KEY,
    collaboration_id BLOB NOT NULL REFERENCES collaborations(id) ON DELETE CASCADE,
    title            TEXT NOT NULL,
    created_by       BLOB REFERENCES users(id),
    created_at       TEXT NOT NULL,
    last_message_at  TEXT NOT NULL,
    message_count    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX threads_collaboration ON threads(collaboration_id, last_message_at, id);

-- No rows: the whole collaboration. Rows: only the people of these organisations.
CREATE TABLE thread_audience (
    thread_id       BLOB NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
    organisation_id BLOB NOT NULL REFERENCES organisations(id),
    PRIMARY KEY (thread_id, organisation_id)
);

CREATE TABLE messages (
    id         BLOB PRIMARY KEY,
    thread_id  BLOB NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
    author_id  BLOB REFERENCES users(id),
    body       TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- Ids are time-ordered (v7): a thread's messages page by id.
CREATE INDEX messages_thread ON messages(thread_id, id);

-- Every text a message has had, the current one included.
CREATE TABLE message_versions (
    message_id BLOB NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    body       TEXT NOT NULL,
    written_at TEXT NOT NULL,
    PRIMARY KEY (message_id, version)
);
