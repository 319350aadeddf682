-- Discussion threads, their narrower audiences, and messages with every earlier version kept.

CREATE TABLE threads (
    id               UUID PRIMARY KEY,
    collaboration_id UUID NOT NULL REFERENCES collaborations(id) ON DELETE CASCADE,
    title            TEXT NOT NULL,
    created_by       UUID REFERENCES users(id),
    created_at       TIMESTAMPTZ NOT NULL,
    last_message_at  TIMESTAMPTZ NOT NULL,
    message_count    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX threads_collaboration ON threads(collaboration_id, last_message_at, id);

-- No rows: the whole collaboration. Rows: only the people of these organisations.
CREATE TABLE thread_audience (
    thread_id       UUID NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
    organisation_id UUID NOT NULL REFERENCES organisations(id),
    PRIMARY KEY (thread_id, organisation_id)
);

CREATE TABLE messages (
    id         UUID PRIMARY KEY,
    thread_id  UUID NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
    author_id  UUID REFERENCES users(id),
    body       TEXT NOT NULL,
    -- 1, 2, 3... in the order the messages were committed: taken under the thread's row lock,
    -- so a reader catching up "after seq N" never misses one (ids are not commit order on
    -- PostgreSQL, where two posts can commit in the other order).
    seq        BIGINT NOT NULL,
    version    BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX messages_thread_seq ON messages(thread_id, seq);

-- Every text a message has had, the current one included.
CREATE TABLE message_versions (
    message_id UUID NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    version    BIGINT NOT NULL,
    body       TEXT NOT NULL,
    written_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (message_id, version)
);
