-- Notifications: each person's in-app inbox, their email choice per kind, and the email outbox
-- the background worker delivers from. A notification and its email row are written in the
-- transaction of the change they tell about, so a crash loses neither and a retry adds neither.

CREATE TABLE notifications (
    id               UUID PRIMARY KEY,
    user_id          UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind             TEXT NOT NULL,
    collaboration_id UUID REFERENCES collaborations(id) ON DELETE CASCADE,
    title            TEXT NOT NULL,
    -- A site-relative path; the inbox redirects only to those.
    link             TEXT NOT NULL,
    excerpt          TEXT,
    actor_id         UUID REFERENCES users(id) ON DELETE SET NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    read_at          TIMESTAMPTZ,
    -- The email choice in force when it was recorded: immediate, daily_digest or off.
    email            TEXT NOT NULL,
    -- The digest email that carried it (daily_digest only; NULL until a digest takes it).
    digest_email_id  UUID
);
CREATE INDEX notifications_inbox ON notifications(user_id, created_at, id);
CREATE INDEX notifications_unread ON notifications(user_id) WHERE read_at IS NULL;
CREATE INDEX notifications_undigested ON notifications(user_id) WHERE email = 'daily_digest' AND digest_email_id IS NULL;

-- No row: the kind's default (immediate for mentions, assignments and invitations; else a digest).
CREATE TABLE notification_preferences (
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind    TEXT NOT NULL,
    email   TEXT NOT NULL,
    PRIMARY KEY (user_id, kind)
);

-- The outbox. One row per (notification) for immediate emails, one per (person, day) for
-- digests: the unique keys make a second insert of either a no-op. Subject and body are rendered
-- when sent, from the notifications they carry.
CREATE TABLE emails (
    id              UUID PRIMARY KEY,
    user_id         UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    notification_id UUID UNIQUE REFERENCES notifications(id) ON DELETE CASCADE,
    digest_date     DATE,
    status          TEXT NOT NULL DEFAULT 'waiting',
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    -- A worker's lease: until then no other worker takes the row; after it (a dead worker), any may.
    claimed_until   TIMESTAMPTZ,
    last_error      TEXT,
    created_at      TIMESTAMPTZ NOT NULL,
    sent_at         TIMESTAMPTZ,
    UNIQUE (user_id, digest_date)
);
CREATE INDEX emails_due ON emails(status, next_attempt_at);

-- Daily jobs that must run once per day across all servers: the server that inserts the row runs it.
CREATE TABLE daily_job_runs (
    job        TEXT NOT NULL,
    day        DATE NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (job, day)
);
