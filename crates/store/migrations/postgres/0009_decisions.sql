-- Decisions (what was decided, why, the options weighed, who decided and when, who may read it)
-- and action items (an owner, a due date, a status, optional links to a decision, a meeting and an
-- objective of the same collaboration).

CREATE TABLE decisions (
    id               UUID PRIMARY KEY,
    collaboration_id UUID NOT NULL REFERENCES collaborations(id) ON DELETE CASCADE,
    title            TEXT NOT NULL,
    decided          TEXT NOT NULL,
    rationale        TEXT,
    meeting_id       UUID REFERENCES meetings(id) ON DELETE SET NULL,
    decided_on       DATE NOT NULL,
    -- collaboration, members, organisations (see decision_audience) or public.
    visibility       TEXT NOT NULL DEFAULT 'collaboration',
    created_by       UUID REFERENCES users(id),
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX decisions_collaboration ON decisions(collaboration_id, decided_on, id);
CREATE INDEX decisions_meeting ON decisions(meeting_id);
CREATE INDEX decisions_public ON decisions(visibility, decided_on, id);

-- The options considered, in order.
CREATE TABLE decision_options (
    decision_id UUID NOT NULL REFERENCES decisions(id) ON DELETE CASCADE,
    position    BIGINT NOT NULL,
    text        TEXT NOT NULL,
    PRIMARY KEY (decision_id, position)
);

-- The people who decided.
CREATE TABLE decision_people (
    decision_id UUID NOT NULL REFERENCES decisions(id) ON DELETE CASCADE,
    user_id     UUID NOT NULL REFERENCES users(id),
    PRIMARY KEY (decision_id, user_id)
);

-- With visibility 'organisations': only the people of these organisations read the decision.
CREATE TABLE decision_audience (
    decision_id     UUID NOT NULL REFERENCES decisions(id) ON DELETE CASCADE,
    organisation_id UUID NOT NULL REFERENCES organisations(id),
    PRIMARY KEY (decision_id, organisation_id)
);

CREATE TABLE action_items (
    id               UUID PRIMARY KEY,
    collaboration_id UUID NOT NULL REFERENCES collaborations(id) ON DELETE CASCADE,
    title            TEXT NOT NULL,
    owner_id         UUID NOT NULL REFERENCES users(id),
    due_on           DATE NOT NULL,
    -- open, done or cancelled.
    status           TEXT NOT NULL DEFAULT 'open',
    decision_id      UUID REFERENCES decisions(id) ON DELETE SET NULL,
    meeting_id       UUID REFERENCES meetings(id) ON DELETE SET NULL,
    objective_id     UUID REFERENCES objectives(id) ON DELETE SET NULL,
    created_by       UUID REFERENCES users(id),
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX action_items_collaboration ON action_items(collaboration_id, due_on, id);
CREATE INDEX action_items_owner ON action_items(owner_id, status, due_on);
CREATE INDEX action_items_decision ON action_items(decision_id);
CREATE INDEX action_items_meeting ON action_items(meeting_id);
