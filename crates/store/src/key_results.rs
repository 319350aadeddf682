//! Key results, their target versions and their measurements. Callers check the policy on the
//! collaboration first. Dashboard reads take a whole collaboration in a fixed number of queries.

use chrono::{DateTime, NaiveDate, Utc};
use concord_domain::evaluation::{Cadence, Direction};
use concord_domain::key_result::{KeyResult, KeyResultFields, MeasurementRecord, TargetVersion};
use concord_domain::{CollaborationId, KeyResultId, ObjectiveId, UserId};
use uuid::Uuid;

use crate::{Conn, Handle, StoreError, StoreResult, on_engine, on_engine_exec, parse_stored};

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    objective_id: Uuid,
    collaboration_id: Uuid,
    name: String,
    unit: String,
    direction: String,
    baseline_value: f64,
    baseline_date: NaiveDate,
    target_value: Option<f64>,
    target_high: Option<f64>,
    target_date: Option<NaiveDate>,
    cadence: Option<String>,
    owner_id: Option<Uuid>,
    owner_name: Option<String>,
    target_version: i64,
    position: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl Row {
    fn into_domain(self) -> StoreResult<KeyResult> {
        Ok(KeyResult {
            id: self.id.into(),
            objective_id: self.objective_id.into(),
            collaboration_id: self.collaboration_id.into(),
            name: self.name,
            unit: self.unit,
            direction: parse_stored(&self.direction, Direction::parse)?,
            baseline_value: self.baseline_value,
            baseline_date: self.baseline_date,
            target_value: self.target_value,
            target_high: self.target_high,
            target_date: self.target_date,
            cadence: self
                .cadence
                .as_deref()
                .map(|c| parse_stored(c, Cadence::parse))
                .transpose()?,
            owner_id: self.owner_id.map(Into::into),
            owner_name: self.owner_name,
            target_version: self.target_version,
            position: self.position,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

macro_rules! select_key_results {
    () => {
        "SELECT k.id, k.objective_id, k.collaboration_id, k.name, k.unit, k.direction, k.baseline_value, k.baseline_date, \
         k.target_value, k.target_high, k.target_date, k.cadence, k.owner_id, u.display_name AS owner_name, \
         k.target_version, k.position, k.created_at, k.updated_at FROM key_results k LEFT JOIN users u ON u.id = k.owner_id "
    };
}

/// Adds a key result at the end of its objective's list, with target version 1.
pub async fn insert(
    h: &mut Handle,
    id: KeyResultId,
    objective: ObjectiveId,
    collaboration: CollaborationId,
    f: &KeyResultFields,
    by: UserId,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "INSERT INTO key_results (id, objective_id, collaboration_id, name, unit, direction, baseline_value, baseline_date, \
         target_value, target_high, target_date, cadence, owner_id, target_version, position, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, \
         COALESCE((SELECT MAX(position) FROM key_results WHERE objective_id = $2), 0) + 1, $14, $14)",
    )
    .bind(id.0)
    .bind(objective.0)
    .bind(collaboration.0)
    .bind(&f.name)
    .bind(&f.unit)
    .bind(f.direction.as_str())
    .bind(f.baseline_value)
    .bind(f.baseline_date)
    .bind(f.target.value)
    .bind(f.target.high)
    .bind(f.target.date)
    .bind(f.cadence.map(|c| c.as_str()))
    .bind(f.owner_id.map(|u| u.0))
    .bind(now)
    .execute(c)
    .await)?;
    insert_target_version(h, id, 1, f, None, by, now).await
}

/// Records a target version (the first, or a change with its reason).
pub async fn insert_target_version(
    h: &mut Handle,
    id: KeyResultId,
    version: i64,
    f: &KeyResultFields,
    reason: Option<&str>,
    by: UserId,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "INSERT INTO key_result_targets (key_result_id, version, target_value, target_high, target_date, reason, changed_by, \
         changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id.0)
    .bind(version)
    .bind(f.target.value)
    .bind(f.target.high)
    .bind(f.target.date)
    .bind(reason)
    .bind(by.0)
    .bind(now)
    .execute(c)
    .await)?;
    Ok(())
}

pub async fn update(
    h: &mut Handle,
    id: KeyResultId,
    f: &KeyResultFields,
    target_version: i64,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "UPDATE key_results SET name = $2, unit = $3, direction = $4, baseline_value = $5, baseline_date = $6, \
         target_value = $7, target_high = $8, target_date = $9, cadence = $10, owner_id = $11, target_version = $12, \
         updated_at = $13 WHERE id = $1",
    )
    .bind(id.0)
    .bind(&f.name)
    .bind(&f.unit)
    .bind(f.direction.as_str())
    .bind(f.baseline_value)
    .bind(f.baseline_date)
    .bind(f.target.value)
    .bind(f.target.high)
    .bind(f.target.date)
    .bind(f.cadence.map(|c| c.as_str()))
    .bind(f.owner_id.map(|u| u.0))
    .bind(target_version)
    .bind(now)
    .execute(c)
    .await)?;
    Ok(())
}

pub async fn get(h: &mut Handle, id: KeyResultId) -> StoreResult<Option<KeyResult>> {
    let row: Option<Row> = on_engine!(h, c => sqlx::query_as(concat!(select_key_results!(), "WHERE k.id = $1"))
        .bind(id.0)
        .fetch_optional(c)
        .await)?;
    row.map(Row::into_domain).transpose()
}

pub async fn for_objective(h: &mut Handle, objective: ObjectiveId) -> StoreResult<Vec<KeyResult>> {
    let rows: Vec<Row> = on_engine!(h, c => sqlx::query_as(concat!(
        select_key_results!(),
        "WHERE k.objective_id = $1 ORDER BY k.position, k.id LIMIT 500"
    ))
    .bind(objective.0)
    .fetch_all(c)
    .await)?;
    rows.into_iter().map(Row::into_domain).collect()
}

/// Every key result of a collaboration, grouped by objective in order (one query for a dashboard).
pub async fn for_collaboration(
    h: &mut Handle,
    collaboration: CollaborationId,
) -> StoreResult<Vec<KeyResult>> {
    let rows: Vec<Row> = on_engine!(h, c => sqlx::query_as(concat!(
        select_key_results!(),
        "JOIN objectives ob ON ob.id = k.objective_id WHERE k.collaboration_id = $1 \
         ORDER BY ob.position, ob.id, k.position, k.id LIMIT 5000"
    ))
    .bind(collaboration.0)
    .fetch_all(c)
    .await)?;
    rows.into_iter().map(Row::into_domain).collect()
}

/// Key results a person owns, for their home page.
pub async fn owned_by(h: &mut Handle, owner: UserId) -> StoreResult<Vec<KeyResult>> {
    let rows: Vec<Row> = on_engine!(h, c => sqlx::query_as(concat!(
        select_key_results!(),
        "JOIN objectives ob ON ob.id = k.objective_id WHERE k.owner_id = $1 AND ob.status IN ('draft', 'active') \
         ORDER BY k.target_date, k.id LIMIT 200"
    ))
    .bind(owner.0)
    .fetch_all(c)
    .await)?;
    rows.into_iter().map(Row::into_domain).collect()
}

pub async fn collaboration_of(
    h: &mut Handle,
    id: KeyResultId,
) -> StoreResult<Option<CollaborationId>> {
    let id: Option<Uuid> = on_engine!(h, c => sqlx::query_scalar("SELECT collaboration_id FROM key_results WHERE id = $1")
        .bind(id.0)
        .fetch_optional(c)
        .await)?;
    Ok(id.map(Into::into))
}

/// id, version, value, high, date, reason, changed-by name, changed at.
type TargetRow = (
    i64,
    Option<f64>,
    Option<f64>,
    Option<NaiveDate>,
    Option<String>,
    Option<String>,
    DateTime<Utc>,
);

pub async fn target_versions(h: &mut Handle, id: KeyResultId) -> StoreResult<Vec<TargetVersion>> {
    let rows: Vec<TargetRow> = on_engine!(h, c => sqlx::query_as(
        "SELECT t.version, t.target_value, t.target_high, t.target_date, t.reason, u.display_name, t.changed_at \
         FROM key_result_targets t LEFT JOIN users u ON u.id = t.changed_by WHERE t.key_result_id = $1 ORDER BY t.version DESC",
    )
    .bind(id.0)
    .fetch_all(c)
    .await)?;
    Ok(rows
        .into_iter()
        .map(
            |(
                version,
                target_value,
                target_high,
                target_date,
                reason,
                changed_by_name,
                changed_at,
            )| TargetVersion {
                version,
                target_value,
                target_high,
                target_date,
                reason,
                changed_by_name,
                changed_at,
            },
        )
        .collect())
}

/// A measurement to store.
#[derive(Clone, Debug)]
pub struct NewMeasurement {
    pub id: Uuid,
    pub key_result_id: KeyResultId,
    pub value: f64,
    pub measured_on: NaiveDate,
    pub source: Option<String>,
}

pub async fn insert_measurement(
    h: &mut Handle,
    collaboration: CollaborationId,
    m: &NewMeasurement,
    by: UserId,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "INSERT INTO measurements (id, key_result_id, collaboration_id, value, measured_on, source, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(m.id)
    .bind(m.key_result_id.0)
    .bind(collaboration.0)
    .bind(m.value)
    .bind(m.measured_on)
    .bind(&m.source)
    .bind(by.0)
    .bind(now)
    .execute(c)
    .await)?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct MeasurementRow {
    id: Uuid,
    key_result_id: Uuid,
    value: f64,
    measured_on: NaiveDate,
    source: Option<String>,
    recorded_by_name: Option<String>,
    recorded_at: DateTime<Utc>,
}

impl From<MeasurementRow> for MeasurementRecord {
    fn from(r: MeasurementRow) -> Self {
        MeasurementRecord {
            id: r.id,
            key_result_id: r.key_result_id.into(),
            value: r.value,
            measured_on: r.measured_on,
            source: r.source,
            recorded_by_name: r.recorded_by_name,
            recorded_at: r.recorded_at,
        }
    }
}

macro_rules! select_measurements {
    () => {
        "SELECT m.id, m.key_result_id, m.value, m.measured_on, m.source, u.display_name AS recorded_by_name, m.recorded_at \
         FROM measurements m LEFT JOIN users u ON u.id = m.recorded_by "
    };
}

/// A key result's measurements, oldest first.
pub async fn measurements(h: &mut Handle, id: KeyResultId) -> StoreResult<Vec<MeasurementRecord>> {
    let rows: Vec<MeasurementRow> = on_engine!(h, c => sqlx::query_as(concat!(
        select_measurements!(),
        "WHERE m.key_result_id = $1 ORDER BY m.measured_on, m.recorded_at LIMIT 10000"
    ))
    .bind(id.0)
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Every measurement of the key results a person owns, by key result then date (their home page).
pub async fn measurements_for_owner(
    h: &mut Handle,
    owner: UserId,
) -> StoreResult<Vec<MeasurementRecord>> {
    let rows: Vec<MeasurementRow> = on_engine!(h, c => sqlx::query_as(concat!(
        select_measurements!(),
        "JOIN key_results k ON k.id = m.key_result_id WHERE k.owner_id = $1 \
         ORDER BY m.key_result_id, m.measured_on, m.recorded_at LIMIT 200000"
    ))
    .bind(owner.0)
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Every measurement of an objective's key results, by key result then date.
pub async fn measurements_for_objective(
    h: &mut Handle,
    objective: ObjectiveId,
) -> StoreResult<Vec<MeasurementRecord>> {
    let rows: Vec<MeasurementRow> = on_engine!(h, c => sqlx::query_as(concat!(
        select_measurements!(),
        "JOIN key_results k ON k.id = m.key_result_id WHERE k.objective_id = $1 \
         ORDER BY m.key_result_id, m.measured_on, m.recorded_at LIMIT 200000"
    ))
    .bind(objective.0)
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Every measurement of a collaboration, by key result then date (one query for a dashboard).
///
/// On SQLite the rows come back aggregated into one JSON document: sqlx's SQLite driver hands
/// each row over from its worker thread separately, which for thousands of measurements costs
/// more than the query (measured: the dashboard went from 50 to 91 pages/s). On PostgreSQL rows
/// stream cheaply and building JSON there was slower (116 to 77 pages/s), so it reads plain rows.
pub async fn measurements_for_collaboration(
    h: &mut Handle,
    collaboration: CollaborationId,
) -> StoreResult<Vec<MeasurementRecord>> {
    match h.conn() {
        Conn::Sqlite(c) => {
            let document: Option<String> = sqlx::query_scalar(
                "SELECT json_group_array(json_array(lower(hex(m.id)), lower(hex(m.key_result_id)), m.value, m.measured_on, \
                 m.source, u.display_name, m.recorded_at) ORDER BY m.key_result_id, m.measured_on, m.recorded_at) \
                 FROM measurements m LEFT JOIN users u ON u.id = m.recorded_by WHERE m.collaboration_id = $1",
            )
            .bind(collaboration.0)
            .fetch_one(c)
            .await?;
            decode_measurements(document.as_deref().unwrap_or("[]"))
        }
        Conn::Postgres(c) => {
            let rows: Vec<MeasurementRow> = sqlx::query_as(concat!(
                select_measurements!(),
                "WHERE m.collaboration_id = $1 ORDER BY m.key_result_id, m.measured_on, m.recorded_at LIMIT 200000"
            ))
            .bind(collaboration.0)
            .fetch_all(c)
            .await?;
            Ok(rows.into_iter().map(Into::into).collect())
        }
    }
}

/// id, key result id, value, date, source, recorded by, recorded at — as both engines write them.
type MeasurementTuple = (
    String,
    String,
    f64,
    String,
    Option<String>,
    Option<String>,
    String,
);

fn decode_measurements(document: &str) -> StoreResult<Vec<MeasurementRecord>> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("aggregated measurements: {what}"));
    let rows: Vec<MeasurementTuple> =
        serde_json::from_str(document).map_err(|e| corrupt(&e.to_string()))?;
    rows.into_iter()
        .map(
            |(id, key_result_id, value, measured_on, source, recorded_by_name, recorded_at)| {
                Ok(MeasurementRecord {
                    id: Uuid::parse_str(&id).map_err(|_| corrupt("id"))?,
                    key_result_id: Uuid::parse_str(&key_result_id)
                        .map_err(|_| corrupt("key result id"))?
                        .into(),
                    value,
                    measured_on: NaiveDate::parse_from_str(&measured_on, "%Y-%m-%d")
                        .map_err(|_| corrupt("date"))?,
                    source,
                    recorded_by_name,
                    recorded_at: DateTime::parse_from_rfc3339(&recorded_at)
                        .or_else(|_| {
                            DateTime::parse_from_str(&recorded_at, "%Y-%m-%d %H:%M:%S%.f%:z")
                        })
                        .map_err(|_| corrupt("recorded at"))?
                        .with_timezone(&Utc),
                })
            },
        )
        .collect()
}
