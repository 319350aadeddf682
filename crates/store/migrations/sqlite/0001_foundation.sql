-- Foundation: organisations, accounts, sessions, tokens, sign-in throttling, collaborations and
-- their members, the hash-chained audit log. SQLite edition: ids are 16-byte BLOB uuids, times
-- are RFC 3339 TEXT in UTC, booleans are 0/1.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE organisations (
    id          BLOB PRIMARY KEY,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    parent_id   BLOB REFERENCES organisations(id),
    description TEXT,
    website     TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX organisations_parent ON organisations(parent_id);

CREATE TABLE users (
    id              BLOB PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    organisation_id BLOB NOT NULL REFERENCES organisations(id),
    org_role        TEXT NOT NULL,
    platform_admin  BOOLEAN NOT NULL DEFAULT 0,
    active          BOOLEAN NOT NULL DEFAULT 1,
    locale          TEXT,
    time_zone       TEXT NOT NULL DEFAULT 'UTC',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX users_organisation ON users(organisation_id, id);

CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    user_id    BLOB NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id          BLOB PRIMARY KEY,
    user_id     BLOB NOT NULL REFERENCES users(id),
    name        TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);
CREATE INDEX api_tokens_user ON api_tokens(user_id, id);

CREATE TABLE sign_in_throttle (
    key                TEXT PRIMARY KEY,
    failures           INTEGER NOT NULL,
    window_started_at  TEXT NOT NULL,
    locked_until       TEXT
);

CREATE TABLE collaborations (
    id                BLOB PRIMARY KEY,
    title             TEXT NOT NULL,
    summary           TEXT NOT NULL,
    problem_statement TEXT,
    geography         TEXT,
    start_date        TEXT,
    end_date          TEXT,
    status            TEXT NOT NULL,
    visibility        TEXT NOT NULL,
    created_by        BLOB REFERENCES users(id),
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX collaborations_visibility ON collaborations(visibility, id);
CREATE INDEX collaborations_status ON collaborations(status, id);

CREATE TABLE collaboration_policy_areas (
    collaboration_id BLOB NOT NULL REFERENCES collaborations(id) ON DELETE CASCADE,
    area             TEXT NOT NULL,
    PRIMARY KEY (collaboration_id, area)
);
CREATE INDEX collaboration_policy_areas_area ON collaboration_policy_areas(area, collaboration_id);

CREATE TABLE collaboration_organisations (
    collaboration_id BLOB NOT NULL REFERENCES collaborations(id) ON DELETE CASCADE,
    organisation_id  BLOB NOT NULL REFERENCES organisations(id),
    role             TEXT NOT NULL,
    status           TEXT NOT NULL,
    invited_by       BLOB REFERENCES users(id),
    invited_at       TEXT NOT NULL,
    responded_at     TEXT,
    PRIMARY KEY (collaboration_id, organisation_id)
);
CREATE UNIQUE INDEX collaboration_one_lead ON collaboration_organisations(collaboration_id) WHERE role = 'lead';
CREATE INDEX collaboration_organisations_org ON collaboration_organisations(organisation_id, status);

CREATE TABLE collaboration_people (
    collaboration_id BLOB NOT NULL REFERENCES collaborations(id) ON DELETE CASCADE,
    user_id          BLOB NOT NULL REFERENCES users(id),
    role             TEXT NOT NULL,
    added_at         TEXT NOT NULL,
    PRIMARY KEY (collaboration_id, user_id)
);
CREATE INDEX collaboration_people_user ON collaboration_people(user_id);

CREATE TABLE audit_events (
    seq              INTEGER PRIMARY KEY,
    occurred_at      TEXT NOT NULL,
    actor_id         BLOB,
    action           TEXT NOT NULL,
    object_type      TEXT NOT NULL,
    object_id        TEXT NOT NULL,
    collaboration_id BLOB,
    changed_fields   TEXT NOT NULL,
    salt             TEXT NOT NULL,
    changes_digest   TEXT NOT NULL,
    prev_hash        TEXT NOT NULL,
    hash             TEXT NOT NULL
);
CREATE INDEX audit_events_collaboration ON audit_events(collaboration_id, seq);

CREATE TABLE audit_chain_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
