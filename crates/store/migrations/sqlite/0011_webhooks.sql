-- Signed webhooks: endpoints registered by a collaboration's coordinators, one delivery row per
-- (event, subscribed endpoint) written in the same transaction as the event, and every attempt.

CREATE TABLE webhook_endpoints (
    id                BLOB PRIMARY KEY,
    collaboration_id  BLOB NOT NULL REFERENCES collaborations(id) ON DELETE CASCADE,
    url               TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    -- Subscribed event families, comma-separated (`message,thread`).
    event_kinds       TEXT NOT NULL,
    active            BOOLEAN NOT NULL DEFAULT TRUE,
    -- The signing secret, stored retrievably on purpose: the server must compute HMACs with it.
    -- Shown to coordinators only once (creation, rotation), never in the API, pages or audit.
    secret            TEXT NOT NULL,
    secret_rotated_at TEXT NOT NULL,
    created_by        BLOB REFERENCES users(id),
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
-- Every audited write asks this index whether its collaboration has active endpoints.
CREATE INDEX webhook_endpoints_collaboration ON webhook_endpoints(collaboration_id, active);

CREATE TABLE webhook_deliveries (
    id               BLOB PRIMARY KEY,
    webhook_id       BLOB NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    event_kind       TEXT NOT NULL,
    -- The JSON body, fixed when the event committed (ids only, no personal data).
    payload          TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending',
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT,
    -- A worker's lease: nobody else claims the row before this time.
    claimed_until    TEXT,
    last_status_code INTEGER,
    last_error       TEXT,
    last_latency_ms  INTEGER,
    last_attempt_at  TEXT,
    created_at       TEXT NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries(webhook_id, id);

CREATE TABLE webhook_attempts (
    delivery_id  BLOB NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
    attempt      INTEGER NOT NULL,
    attempted_at TEXT NOT NULL,
    status_code  INTEGER,
    error        TEXT,
    latency_ms   INTEGER NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);
