-- Objectives of a collaboration, ordered, with an owner (a named person) and an owning organisation.
CREATE TABLE objectives (
    id               UUID PRIMARY KEY,
    collaboration_id UUID NOT NULL REFERENCES collaborations(id) ON DELETE CASCADE,
    title            TEXT NOT NULL,
    description      TEXT,
    owner_id         UUID REFERENCES users(id),
    organisation_id  UUID REFERENCES organisations(id),
    due_date         DATE,
    status           TEXT NOT NULL,
    drop_reason      TEXT,
    position         BIGINT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX objectives_collaboration ON objectives(collaboration_id, position);
CREATE INDEX objectives_owner ON objectives(owner_id);
