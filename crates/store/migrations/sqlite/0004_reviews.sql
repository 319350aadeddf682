-- Review cycles: each collaboration's review cadence and next due date, the reviews held, their
-- per-objective assessments and the adjustments they decided.
CREATE TABLE review_schedules (
    collaboration_id BLOB PRIMARY KEY REFERENCES collaborations(id) ON DELETE CASCADE,
    cadence          TEXT NOT NULL,
    next_due         TEXT NOT NULL
);

CREATE TABLE reviews (
    id               BLOB PRIMARY KEY,
    collaboration_id BLOB NOT NULL REFERENCES collaborations(id) ON DELETE CASCADE,
    held_on          TEXT NOT NULL,
    summary          TEXT NOT NULL,
    recorded_by      BLOB REFERENCES users(id),
    recorded_at      TEXT NOT NULL
);
CREATE INDEX reviews_collaboration ON reviews(collaboration_id, held_on, recorded_at);

CREATE TABLE review_assessments (
    review_id       BLOB NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
    objective_id    BLOB NOT NULL REFERENCES objectives(id) ON DELETE CASCADE,
    computed_status TEXT NOT NULL,
    override_status TEXT,
    override_reason TEXT,
    PRIMARY KEY (review_id, objective_id),
    CHECK (override_status IS NULL OR override_reason IS NOT NULL)
);

CREATE TABLE review_adjustments (
    review_id   BLOB NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    description TEXT NOT NULL,
    link        TEXT,
    PRIMARY KEY (review_id, position)
);
