-- Foundation: organisations, accounts, sessions, tokens, sign-in throttling, collaborations and
-- their members, the hash-chained audit log. PostgreSQL edition: the same tables and names as the
-- SQLite migration, with native uuid, timestamptz, date and boolean types.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE organisations (
    id          UUID PRIMARY KEY,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    parent_id   UUID REFERENCES organisations(id),
    description TEXT,
    website     TEXT,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX organisations_parent ON organisations(parent_id);

CREATE TABLE users (
    id              UUID PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    organisation_id UUID NOT NULL REFERENCES organisations(id),
    org_role        TEXT NOT NULL,
    platform_admin  BOOLEAN NOT NULL DEFAULT FALSE,
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    locale          TEXT,
    time_zone       TEXT NOT NULL DEFAULT 'UTC',
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX users_organisation ON users(organisation_id, id);

CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    user_id    UUID NOT NULL REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id          UUID PRIMARY KEY,
    user_id     UUID NOT NULL REFERENCES users(id),
    name        TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  TIMESTAMPTZ NOT NULL,
    revoked_at  TIMESTAMPTZ
);
CREATE INDEX api_tokens_user ON api_tokens(user_id, id);

CREATE TABLE sign_in_throttle (
    key                TEXT PRIMARY KEY,
    failures           BIGINT NOT NULL,
    window_started_at  TIMESTAMPTZ NOT NULL,
    locked_until       TIMESTAMPTZ
);

CREATE TABLE collaborations (
    id                UUID PRIMARY KEY,
    title             TEXT NOT NULL,
    summary           TEXT NOT NULL,
    problem_statement TEXT,
    geography         TEXT,
    start_date        DATE,
    end_date          DATE,
    status            TEXT NOT NULL,
    visibility        TEXT NOT NULL,
    created_by        UUID REFERENCES users(id),
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX collaborations_visibility ON collaborations(visibility, id);
CREATE INDEX collaborations_status ON collaborations(status, id);

CREATE TABLE collaboration_policy_areas (
    collaboration_id UUID NOT NULL REFERENCES collaborations(id) ON DELETE CASCADE,
    area             TEXT NOT NULL,
    PRIMARY KEY (collaboration_id, area)
);
CREATE INDEX collaboration_policy_areas_area ON collaboration_policy_areas(area, collaboration_id);

CREATE TABLE collaboration_organisations (
    collaboration_id UUID NOT NULL REFERENCES collaborations(id) ON DELETE CASCADE,
    organisation_id  UUID NOT NULL REFERENCES organisations(id),
    role             TEXT NOT NULL,
    status           TEXT NOT NULL,
    invited_by       UUID REFERENCES users(id),
    invited_at       TIMESTAMPTZ NOT NULL,
    responded_at     TIMESTAMPTZ,
    PRIMARY KEY (collaboration_id, organisation_id)
);
CREATE UNIQUE INDEX collaboration_one_lead ON collaboration_organisations(collaboration_id) WHERE role = 'lead';
CREATE INDEX collaboration_organisations_org ON collaboration_organisations(organisation_id, status);

CREATE TABLE collaboration_people (
    collaboration_id UUID NOT NULL REFERENCES collaborations(id) ON DELETE CASCADE,
    user_id          UUID NOT NULL REFERENCES users(id),
    role             TEXT NOT NULL,
    added_at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (collaboration_id, user_id)
);
CREATE INDEX collaboration_people_user ON collaboration_people(user_id);

CREATE TABLE audit_events (
    seq              BIGINT PRIMARY KEY,
    occurred_at      TIMESTAMPTZ NOT NULL,
    actor_id         UUID,
    action           TEXT NOT NULL,
    object_type      TEXT NOT NULL,
    object_id        TEXT NOT NULL,
    collaboration_id UUID,
    changed_fields   TEXT NOT NULL,
    salt             TEXT NOT NULL,
    changes_digest   TEXT NOT NULL,
    prev_hash        TEXT NOT NULL,
    hash             TEXT NOT NULL
);
CREATE INDEX audit_events_collaboration ON audit_events(collaboration_id, seq);

CREATE TABLE audit_chain_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
