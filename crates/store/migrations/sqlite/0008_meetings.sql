-- Meetings of a collaboration. Times are stored in UTC; `time_zone` (IANA name) is the zone the
-- meeting was planned in, used to show and export it in local time. `sequence` counts the changes
-- attendees' calendars must apply (RFC 5545 SEQUENCE): bumped on every update and on cancellation.

CREATE TABLE meetings (
    id               BLOB PRIMARY KEY,
    collaboration_id BLOB NOT NULL REFERENCES collaborations(id) ON DELETE CASCADE,
    title            TEXT NOT NULL,
    starts_at        TEXT NOT NULL,
    ends_at          TEXT NOT NULL,
    time_zone        TEXT NOT NULL,
    place            TEXT,
    online_url       TEXT,
    status           TEXT NOT NULL DEFAULT 'scheduled',
    sequence         INTEGER NOT NULL DEFAULT 0,
    created_by       BLOB REFERENCES users(id),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX meetings_collaboration ON meetings(collaboration_id, starts_at, id);

-- The agenda of a meeting, in `position` order (1, 2, ...); `minutes` is the Markdown record of
-- the item, written during or after the meeting.
CREATE TABLE agenda_items (
    id               BLOB PRIMARY KEY,
    meeting_id       BLOB NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    position         INTEGER NOT NULL,
    title            TEXT NOT NULL,
    presenter_id     BLOB REFERENCES users(id),
    duration_minutes INTEGER NOT NULL,
    notes            TEXT,
    minutes          TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX agenda_items_meeting ON agenda_items(meeting_id, position, id);

-- Who is invited, and their answer (pending until they reply yes, no or maybe).
CREATE TABLE meeting_attendees (
    meeting_id   BLOB NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    user_id      BLOB NOT NULL REFERENCES users(id),
    rsvp         TEXT NOT NULL DEFAULT 'pending',
    added_at     TEXT NOT NULL,
    responded_at TEXT,
    PRIMARY KEY (meeting_id, user_id)
);
CREATE INDEX meeting_attendees_user ON meeting_attendees(user_id, meeting_id);

-- A user's secret calendar feed URL; only the SHA-256 of its token is kept (like API tokens).
CREATE TABLE calendar_feeds (
    user_id    BLOB PRIMARY KEY REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
