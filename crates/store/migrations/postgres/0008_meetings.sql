-- Meetings of a collaboration. Times are stored in UTC; `time_zone` (IANA name) is the zone the
-- meeting was planned in, used to show and export it in local time. `sequence` counts the changes
-- attendees' calendars must apply (RFC 5545 SEQUENCE): bumped on every update and on cancellation.

CREATE TABLE meetings (
    id               UUID PRIMARY KEY,
    collaboration_id UUID NOT NULL REFERENCES collaborations(id) ON DELETE CASCADE,
    title            TEXT NOT NULL,
    starts_at        TIMESTAMPTZ NOT NULL,
    ends_at          TIMESTAMPTZ NOT NULL,
    time_zone        TEXT NOT NULL,
    place            TEXT,
    online_url       TEXT,
    status           TEXT NOT NULL DEFAULT 'scheduled',
    sequence         BIGINT NOT NULL DEFAULT 0,
    created_by       UUID REFERENCES users(id),
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX meetings_collaboration ON meetings(collaboration_id, starts_at, id);
