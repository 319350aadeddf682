-- Charters: each collaboration's charter in Markdown, one row per version, and each member
-- organisation's sign-off of a version (editing makes a new version, which starts with none).
CREATE TABLE charter_versions (
    collaboration_id BLOB NOT NULL REFERENCES collaborations(id) ON DELETE CASCADE,
    version          INTEGER NOT NULL,
    body             TEXT NOT NULL,
    edited_by        BLOB REFERENCES users(id),
    edited_at        TEXT NOT NULL,
    PRIMARY KEY (collaboration_id, version)
);

CREATE TABLE charter_signoffs (
    collaboration_id BLOB NOT NULL,
    version          INTEGER NOT NULL,
    organisation_id  BLOB NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    signed_by        BLOB REFERENCES users(id),
    signed_at        TEXT NOT NULL,
    PRIMARY KEY (collaboration_id, version, organisation_id),
    FOREIGN KEY (collaboration_id, version) REFERENCES charter_versions(collaboration_id, version) ON DELETE CASCADE
);
