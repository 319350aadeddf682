-- Charters: each collaboration's charter in Markdown, one row per version, and each member
-- organisation's sign-off of a version (editing makes a new version, which starts with none).
CREATE TABLE charter_versions (
    collaboration_id UUID NOT NULL REFERENCES collaborations(id) ON DELETE CASCADE,
    version          BIGINT NOT NULL,
    body             TEXT NOT NULL,
    edited_by        UUID REFERENCES users(id),
    edited_at        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (collaboration_id, version)
);

CREATE TABLE charter_signoffs (
    collaboration_id UUID NOT NULL,
    version          BIGINT NOT NULL,
    organisation_id  UUID NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    signed_by        UUID REFERENCES users(id),
    signed_at        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (collaboration_id, version, organisation_id),
    FOREIGN KEY (collaboration_id, version) REFERENCES charter_versions(collaboration_id, version) ON DELETE CASCADE
);
