-- Key results under objectives, their versioned targets, and their measurements.
CREATE TABLE key_results (
    id               UUID PRIMARY KEY,
    objective_id     UUID NOT NULL REFERENCES objectives(id) ON DELETE CASCADE,
    collaboration_id UUID NOT NULL REFERENCES collaborations(id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    unit             TEXT NOT NULL,
    direction        TEXT NOT NULL,
    baseline_value   DOUBLE PRECISION NOT NULL,
    baseline_date    DATE NOT NULL,
    target_value     DOUBLE PRECISION,
    target_high      DOUBLE PRECISION,
    target_date      DATE,
    cadence          TEXT,
    owner_id         UUID REFERENCES users(id),
    target_version   BIGINT NOT NULL,
    position         BIGINT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX key_results_objective ON key_results(objective_id, position);
CREATE INDEX key_results_collaboration ON key_results(collaboration_id, objective_id, position);
CREATE INDEX key_results_owner ON key_results(owner_id);

CREATE TABLE key_result_targets (
    key_result_id UUID NOT NULL REFERENCES key_results(id) ON DELETE CASCADE,
    version       BIGINT NOT NULL,
    target_value  DOUBLE PRECISION,
    target_high   DOUBLE PRECISION,
    target_date   DATE,
    reason        TEXT,
    changed_by    UUID REFERENCES users(id),
    changed_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (key_result_id, version)
);

CREATE TABLE measurements (
    id               UUID PRIMARY KEY,
    key_result_id    UUID NOT NULL REFERENCES key_results(id) ON DELETE CASCADE,
    collaboration_id UUID NOT NULL REFERENCES collaborations(id) ON DELETE CASCADE,
    value            DOUBLE PRECISION NOT NULL,
    measured_on      DATE NOT NULL,
    source           TEXT,
    recorded_by      UUID REFERENCES users(id),
    recorded_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX measurements_key_result ON measurements(key_result_id, measured_on);
CREATE INDEX measurements_collaboration ON measurements(collaboration_id, key_result_id, measured_on);
