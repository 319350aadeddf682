-- Key results under objectives, their versioned targets, and their measurements.
CREATE TABLE key_results (
    id               BLOB PRIMARY KEY,
    objective_id     BLOB NOT NULL REFERENCES objectives(id) ON DELETE CASCADE,
    collaboration_id BLOB NOT NULL REFERENCES collaborations(id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    unit             TEXT NOT NULL,
    direction        TEXT NOT NULL,
    baseline_value   REAL NOT NULL,
    baseline_date    TEXT NOT NULL,
    target_value     REAL,
    target_high      REAL,
    target_date      TEXT,
    cadence          TEXT,
    owner_id         BLOB REFERENCES users(id),
    target_version   INTEGER NOT NULL,
    position         INTEGER NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX key_results_objective ON key_results(objective_id, position);
CREATE INDEX key_results_collaboration ON key_results(collaboration_id, objective_id, position);
CREATE INDEX key_results_owner ON key_results(owner_id);

CREATE TABLE key_result_targets (
    key_result_id BLOB NOT NULL REFERENCES key_results(id) ON DELETE CASCADE,
    version       INTEGER NOT NULL,
    target_value  REAL,
    target_high   REAL,
    target_date   TEXT,
    reason        TEXT,
    changed_by    BLOB REFERENCES users(id),
    changed_at    TEXT NOT NULL,
    PRIMARY KEY (key_result_id, version)
);

CREATE TABLE measurements (
    id               BLOB PRIMARY KEY,
    key_result_id    BLOB NOT NULL REFERENCES key_results(id) ON DELETE CASCADE,
    collaboration_id BLOB NOT NULL REFERENCES collaborations(id) ON DELETE CASCADE,
    value            REAL NOT NULL,
    measured_on      TEXT NOT NULL,
    source           TEXT,
    recorded_by      BLOB REFERENCES users(id),
    recorded_at      TEXT NOT NULL
);
CREATE INDEX measurements_key_result ON measurements(key_result_id, measured_on);
CREATE INDEX measurements_collaboration ON measurements(collaboration_id, key_result_id, measured_on);
