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
    -- 1, 2, 3... in the order the messages were committed: taken under the thread's row lock,
    -- so a reader catching up "after seq N" never misses one (ids are not commit order on
    -- PostgreSQL, where two posts can commit in the other order).
    seq        INTEGER NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX messages_thread_seq ON messages(thread_id, seq);

-- Every text a message has had, the current one included.
CREATE TABLE message_versions (
    message_id BLOB NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    body       TEXT NOT NULL,
    written_at TEXT NOT NULL,
    PRIMARY KEY (message_id, version)
);
