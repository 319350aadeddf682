-- Objectives of a collaboration, ordered, with an owner (a named person) and an owning organisation.
CREATE TABLE objectives (
    id               BLOB PRIMARY KEY,
    collaboration_id BLOB NOT NULL REFERENCES collaborations(id) ON DELETE CASCADE,
    title            TEXT NOT NULL,
    description      TEXT,
    owner_id         BLOB REFERENCES users(id),
    organisation_id  BLOB REFERENCES organisations(id),
    due_date         TEXT,
    status           TEXT NOT NULL,
    drop_reason      TEXT,
    position         INTEGER NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX objectives_collaboration ON objectives(collaboration_id, position);
CREATE INDEX objectives_owner ON objectives(owner_id);
