-- Stakeholders of a collaboration, the engagement log, and the RACI matrix.

-- How many days after the start key stakeholders must have been engaged.
ALTER TABLE collaborations ADD COLUMN early_window_days INTEGER NOT NULL DEFAULT 30;

-- Persons' name, email and phone are personal data: only members read them, erasure deletes the
-- row (followed by a VACUUM of the tables it touched).
CREATE TABLE stakeholders (
    id               UUID PRIMARY KEY,
    collaboration_id UUID NOT NULL REFERENCES collaborations(id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    kind             TEXT NOT NULL,
    stake            TEXT,
    influence        INTEGER NOT NULL CHECK (influence BETWEEN 1 AND 5),
    interest         INTEGER NOT NULL CHECK (interest BETWEEN 1 AND 5),
    quadrant         TEXT NOT NULL,
    attitude         TEXT NOT NULL,
    frequency        TEXT NOT NULL,
    owner_id         UUID REFERENCES users(id),
    organisation_id  UUID REFERENCES organisations(id),
    email            TEXT,
    phone            TEXT,
    -- Kept up to date with each engagement recorded or deleted, so reading the register is one
    -- row per stakeholder rather than two aggregates each.
    last_engaged_on  DATE,
    engagement_count BIGINT NOT NULL DEFAULT 0,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
-- The register is read whole, in id order: the index hands it over sorted.
CREATE INDEX stakeholders_collaboration ON stakeholders(collaboration_id, id);
CREATE INDEX stakeholders_owner ON stakeholders(owner_id);

CREATE TABLE engagements (
    id                 UUID PRIMARY KEY,
    collaboration_id   UUID NOT NULL REFERENCES collaborations(id) ON DELETE CASCADE,
    engaged_on         DATE NOT NULL,
    channel            TEXT NOT NULL,
    summary            TEXT NOT NULL,
    outcome            TEXT,
    follow_up          TEXT,
    follow_up_owner_id UUID REFERENCES users(id),
    follow_up_due      DATE,
    follow_up_done     BOOLEAN NOT NULL DEFAULT FALSE,
    recorded_by        UUID REFERENCES users(id),
    created_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX engagements_collaboration ON engagements(collaboration_id, engaged_on, id);
CREATE INDEX engagements_follow_up_owner ON engagements(follow_up_owner_id, follow_up_done);

-- The date is copied here so "last engaged" per stakeholder is one index seek.
CREATE TABLE engagement_stakeholders (
    engagement_id  UUID NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
    stakeholder_id UUID NOT NULL REFERENCES stakeholders(id) ON DELETE CASCADE,
    engaged_on     DATE NOT NULL,
    PRIMARY KEY (engagement_id, stakeholder_id)
);
CREATE INDEX engagement_stakeholders_stakeholder ON engagement_stakeholders(stakeholder_id, engaged_on);

-- One cell of the RACI matrix; a party is a person named on the collaboration or a stakeholder.
CREATE TABLE raci_assignments (
    objective_id     UUID NOT NULL REFERENCES objectives(id) ON DELETE CASCADE,
    collaboration_id UUID NOT NULL REFERENCES collaborations(id) ON DELETE CASCADE,
    party_kind       TEXT NOT NULL,
    party_id         UUID NOT NULL,
    role             TEXT NOT NULL,
    PRIMARY KEY (objective_id, party_kind, party_id)
);
CREATE UNIQUE INDEX raci_one_accountable ON raci_assignments(objective_id) WHERE role = 'A';
CREATE INDEX raci_collaboration ON raci_assignments(collaboration_id);
CREATE INDEX raci_party ON raci_assignments(party_id);
