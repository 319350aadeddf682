//! Key results and their measurements. Contributors and coordinators add and edit them; changing a
//! target needs a reason and keeps the old one as a version; measurements come one at a time or as
//! a CSV file that is taken whole or not at all. Progress, status and SMART findings come from the
//! pure rules in `concord_domain::evaluation`.

use chrono::NaiveDate;
use concord_domain::evaluation::{self, Assessment, Finding, Measurement};
use concord_domain::key_result::{
    KeyResult, KeyResultFields, KeyResultInput, MeasurementInput, MeasurementRecord, TargetVersion,
};
use concord_domain::policy::{self, Actor, CollaborationAction};
use concord_domain::validation::optional_text;
use concord_domain::{CollaborationId, FieldErrors, KeyResultId, ObjectiveId};
use concord_store::key_results::{self as store, NewMeasurement};
use concord_store::{Handle, collaborations as collab_store, objectives as objective_store};
use serde_json::json;

use crate::collaborations::{authorize, facts, write_as};
use crate::{App, AppError, event, require_user};

/// The most rows one CSV upload may carry.
pub const IMPORT_MAX_ROWS: usize = 50_000;

/// A key result with its evaluation, as a reader sees it.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct KeyResultSummary {
    pub key_result: KeyResult,
    #[schema(value_type = Object)]
    pub assessment: Assessment,
    pub findings: Vec<Finding>,
}

/// A key result's page: its evaluation, target history and measurements.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct KeyResultView {
    #[serde(flatten)]
    pub summary: KeyResultSummary,
    pub targets: Vec<TargetVersion>,
    pub measurements: Vec<MeasurementRecord>,
    pub can_edit: bool,
}

fn hide_owner(summary: &mut KeyResultSummary) {
    summary.key_result.owner_id = None;
    summary.key_result.owner_name = None;
}

/// Evaluates a key result against its measurements on `today`.
pub fn summarise(
    key_result: KeyResult,
    measurements: &[MeasurementRecord],
    today: NaiveDate,
) -> KeyResultSummary {
    let points: Vec<Measurement> = measurements
        .iter()
        .map(|m| Measurement {
            date: m.measured_on,
            value: m.value,
        })
        .collect();
    let plan = key_result.plan();
    let assessment = match plan.spec() {
        Some(spec) => evaluation::status(&spec, &points, today),
        // Without a target there is nothing to be on track towards: not started or stale only.
        None => Assessment {
            status: if points.is_empty() {
                evaluation::Status::NotStarted
            } else {
                evaluation::Status::Stale
            },
            progress: None,
            projected_at_target_date: None,
            latest: points.iter().max_by_key(|m| m.date).copied(),
            next_due: None,
            overdue: false,
            reasons: vec!["no_target"],
        },
    };
    let findings = evaluation::smart_findings_for_key_result(&plan, true, today);
    KeyResultSummary {
        key_result,
        assessment,
        findings,
    }
}

async fn check_owner(
    h: &mut Handle,
    collaboration: CollaborationId,
    fields: &KeyResultFields,
) -> Result<(), AppError> {
    if let Some(owner) = fields.owner_id
        && collab_store::person_role(h, collaboration, owner)
            .await?
            .is_none()
    {
        return Err(AppError::invalid("owner_id", "not_named_on_collaboration"));
    }
    Ok(())
}

/// The collaboration a key result belongs to, or `NotFound`.
async fn collaboration_of(app: &App, id: KeyResultId) -> Result<CollaborationId, AppError> {
    let mut h = app.db.read().await?;
    store::collaboration_of(&mut h, id)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn create(
    app: &App,
    actor: &Actor,
    objective: ObjectiveId,
    input: &KeyResultInput,
) -> Result<KeyResultView, AppError> {
    let fields = input.validate()?;
    let collaboration = {
        let mut h = app.db.read().await?;
        objective_store::collaboration_of(&mut h, objective)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let mut tx = write_as(app, actor, collaboration, CollaborationAction::AddContent).await?;
    let user = require_user(actor)?.id;
    check_owner(tx.handle(), collaboration, &fields).await?;
    let id = KeyResultId::new();
    collab_store::hold(tx.handle(), collaboration).await?;
    store::insert(
        tx.handle(),
        id,
        objective,
        collaboration,
        &fields,
        user,
        app.now(),
    )
    .await?;
    tx.record(event(
        actor.user_id(),
        "key_result.created",
        "key_result",
        id,
        Some(collaboration),
        &[
            "name",
            "unit",
            "direction",
            "baseline_value",
            "baseline_date",
            "target_value",
            "target_high",
            "target_date",
            "cadence",
            "owner_id",
        ],
        json!({ "name": fields.name }),
    ));
    app.commit(tx).await?;
    get(app, actor, id).await
}

/// Replaces a key result's fields. A changed target (value, high bound or date) needs
/// `target_change_reason` and becomes a new target version.
pub async fn update(
    app: &App,
    actor: &Actor,
    id: KeyResultId,
    input: &KeyResultInput,
) -> Result<KeyResultView, AppError> {
    let fields = input.validate()?;
    let collaboration = collaboration_of(app, id).await?;
    let mut tx = write_as(app, actor, collaboration, CollaborationAction::AddContent).await?;
    let user = require_user(actor)?.id;
    collab_store::hold(tx.handle(), collaboration).await?;
    let before = store::get(tx.handle(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    check_owner(tx.handle(), collaboration, &fields).await?;
    let target_changed = before.target() != fields.target;
    let mut changed = concord_domain::audit::changed_fields([
        ("name", before.name != fields.name),
        ("unit", before.unit != fields.unit),
        ("direction", before.direction != fields.direction),
        (
            "baseline_value",
            before.baseline_value != fields.baseline_value,
        ),
        (
            "baseline_date",
            before.baseline_date != fields.baseline_date,
        ),
        ("cadence", before.cadence != fields.cadence),
        ("owner_id", before.owner_id != fields.owner_id),
    ]);
    let mut version = before.target_version;
    if target_changed {
        let Some(reason) = fields.target_change_reason.as_deref() else {
            return Err(AppError::invalid("target_change_reason", "required"));
        };
        version += 1;
        store::insert_target_version(
            tx.handle(),
            id,
            version,
            &fields,
            Some(reason),
            user,
            app.now(),
        )
        .await?;
        changed.extend(["target_value", "target_high", "target_date"]);
    }
    if changed.is_empty() {
        return get(app, actor, id).await;
    }
    store::update(tx.handle(), id, &fields, version, app.now()).await?;
    let action = if target_changed {
        "key_result.target_changed"
    } else {
        "key_result.updated"
    };
    tx.record(event(
        actor.user_id(),
        action,
        "key_result",
        id,
        Some(collaboration),
        &changed,
        json!({ "name": fields.name, "reason": fields.target_change_reason }),
    ));
    app.commit(tx).await?;
    get(app, actor, id).await
}

pub async fn get(app: &App, actor: &Actor, id: KeyResultId) -> Result<KeyResultView, AppError> {
    let mut h = app.db.read().await?;
    let collaboration = store::collaboration_of(&mut h, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let f = facts(&mut h, actor, collaboration).await?;
    authorize(actor, &f, CollaborationAction::Read)?;
    let key_result = store::get(&mut h, id).await?.ok_or(AppError::NotFound)?;
    let mut targets = store::target_versions(&mut h, id).await?;
    let mut measurements = store::measurements(&mut h, id).await?;
    let mut summary = summarise(key_result, &measurements, app.now().date_naive());
    if actor.user().is_none() {
        // Names of civil servants are personal data: the public sees the numbers, not the people.
        hide_owner(&mut summary);
        targets.iter_mut().for_each(|t| t.changed_by_name = None);
        measurements
            .iter_mut()
            .for_each(|m| m.recorded_by_name = None);
    }
    Ok(KeyResultView {
        summary,
        targets,
        measurements,
        can_edit: policy::collaboration_allows(actor, &f, CollaborationAction::AddContent),
    })
}

/// An objective's key results with their evaluation.
pub async fn for_objective(
    app: &App,
    actor: &Actor,
    objective: ObjectiveId,
) -> Result<Vec<KeyResultSummary>, AppError> {
    Ok(with_measurements_for_objective(app, actor, objective)
        .await?
        .into_iter()
        .map(|(summary, _)| summary)
        .collect())
}

/// An objective's key results with their evaluation and measurements, in a fixed number of
/// queries whatever their number.
pub async fn with_measurements_for_objective(
    app: &App,
    actor: &Actor,
    objective: ObjectiveId,
) -> Result<Vec<(KeyResultSummary, Vec<MeasurementRecord>)>, AppError> {
    let mut h = app.db.read().await?;
    let collaboration = objective_store::collaboration_of(&mut h, objective)
        .await?
        .ok_or(AppError::NotFound)?;
    let f = facts(&mut h, actor, collaboration).await?;
    authorize(actor, &f, CollaborationAction::Read)?;
    let today = app.now().date_naive();
    // Two queries whatever the number of key results: theirs, and all their measurements.
    let key_results = store::for_objective(&mut h, objective).await?;
    let mut by_key_result: std::collections::HashMap<KeyResultId, Vec<MeasurementRecord>> =
        std::collections::HashMap::new();
    for measurement in store::measurements_for_objective(&mut h, objective).await? {
        by_key_result
            .entry(measurement.key_result_id)
            .or_default()
            .push(measurement);
    }
    Ok(key_results
        .into_iter()
        .map(|key_result| {
            let mut measurements = by_key_result.remove(&key_result.id).unwrap_or_default();
            let mut summary = summarise(key_result, &measurements, today);
            if actor.user().is_none() {
                hide_owner(&mut summary);
                measurements
                    .iter_mut()
                    .for_each(|m| m.recorded_by_name = None);
            }
            (summary, measurements)
        })
        .collect())
}

/// Records one measurement.
pub async fn record_measurement(
    app: &App,
    actor: &Actor,
    id: KeyResultId,
    input: &MeasurementInput,
) -> Result<MeasurementRecord, AppError> {
    let collaboration = collaboration_of(app, id).await?;
    let mut tx = write_as(app, actor, collaboration, CollaborationAction::AddContent).await?;
    let user = require_user(actor)?.id;
    let key_result = store::get(tx.handle(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::new();
    let measurement = evaluation::validate_measurement(
        key_result.baseline_date,
        app.now().date_naive(),
        &input.value,
        &input.date,
    )
    .map_err(|e| errors.0.extend(e.0))
    .ok();
    let source = optional_text(
        &mut errors,
        "source",
        input.source.as_deref(),
        concord_domain::key_result::SOURCE_MAX,
    );
    let Some(measurement) = measurement.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let record = NewMeasurement {
        id: uuid::Uuid::now_v7(),
        key_result_id: id,
        value: measurement.value,
        measured_on: measurement.date,
        source,
    };
    store::insert_measurement(tx.handle(), collaboration, &record, user, app.now()).await?;
    tx.record(event(
        actor.user_id(),
        "measurement.recorded",
        "key_result",
        id,
        Some(collaboration),
        &["value", "measured_on", "source"],
        json!({ "value": record.value, "date": record.measured_on }),
    ));
    app.commit(tx).await?;
    let mut h = app.db.read().await?;
    store::measurements(&mut h, id)
        .await?
        .into_iter()
        .find(|m| m.id == record.id)
        .ok_or(AppError::NotFound)
}

/// Imports measurements for a collaboration's key results from CSV with the header
/// `key_result_id,date,value[,source]`. Every row is checked first; if any is bad, nothing is
/// stored and every bad row is reported as a field `rows[N].column` (N counts from 1 after the
/// header) with its code. Returns how many rows were stored.
pub async fn import_csv(
    app: &App,
    actor: &Actor,
    collaboration: CollaborationId,
    bytes: &[u8],
) -> Result<usize, AppError> {
    // Nothing is parsed for a reader who may not write here.
    let mut tx = write_as(app, actor, collaboration, CollaborationAction::AddContent).await?;
    let user = require_user(actor)?.id;
    let text = std::str::from_utf8(bytes).map_err(|_| AppError::invalid("file", "not_utf8"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|_| AppError::invalid("file", "not_csv"))?
        .clone();
    let column = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let mut errors = FieldErrors::new();
    let (key_col, date_col, value_col) = (column("key_result_id"), column("date"), column("value"));
    for (name, found) in [
        ("key_result_id", key_col),
        ("date", date_col),
        ("value", value_col),
    ] {
        if found.is_none() {
            errors.add(&format!("columns.{name}"), "missing_column");
        }
    }
    let (Some(key_col), Some(date_col), Some(value_col)) = (key_col, date_col, value_col) else {
        return Err(AppError::Invalid(errors));
    };
    let source_col = column("source");
    let known: std::collections::HashMap<KeyResultId, NaiveDate> =
        store::for_collaboration(tx.handle(), collaboration)
            .await?
            .into_iter()
            .map(|k| (k.id, k.baseline_date))
            .collect();
    let today = app.now().date_naive();
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let row = index + 1;
        if row > IMPORT_MAX_ROWS {
            return Err(AppError::invalid("file", "too_many_rows"));
        }
        let Ok(record) = record else {
            errors.add(&format!("rows[{row}]"), "not_csv");
            continue;
        };
        let cell = |i: usize| record.get(i).unwrap_or("");
        let key_result = cell(key_col)
            .parse::<KeyResultId>()
            .ok()
            .filter(|id| known.contains_key(id));
        let Some(key_result) = key_result else {
            errors.add(&format!("rows[{row}].key_result_id"), "unknown_key_result");
            continue;
        };
        let baseline = known.get(&key_result).copied().unwrap_or(NaiveDate::MIN);
        let source = source_col
            .map(cell)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        if source
            .as_ref()
            .is_some_and(|s| s.chars().count() > concord_domain::key_result::SOURCE_MAX)
        {
            errors.add(&format!("rows[{row}].source"), "too_long");
        }
        match evaluation::validate_measurement(baseline, today, cell(value_col), cell(date_col)) {
            Ok(m) => rows.push(NewMeasurement {
                id: uuid::Uuid::now_v7(),
                key_result_id: key_result,
                value: m.value,
                measured_on: m.date,
                source,
            }),
            Err(row_errors) => {
                for e in row_errors.0 {
                    errors.add(&format!("rows[{row}].{}", e.field), &e.code);
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    if rows.is_empty() {
        return Err(AppError::invalid("file", "no_rows"));
    }
    let now = app.now();
    for row in &rows {
        store::insert_measurement(tx.handle(), collaboration, row, user, now).await?;
    }
    tx.record(event(
        actor.user_id(),
        "measurement.imported",
        "collaboration",
        collaboration,
        Some(collaboration),
        &["measurements"],
        json!({ "rows": rows.len(), "content": text }),
    ));
    app.commit(tx).await?;
    Ok(rows.len())
}

/// The key results `actor` owns, with their evaluation, for their home page: overdue ones first,
/// then by when the next measurement is due (those without a cadence last). Key results in
/// collaborations the owner can no longer read are left out. Anonymous visitors own nothing.
pub async fn due_for(app: &App, actor: &Actor) -> Result<Vec<KeyResultSummary>, AppError> {
    let Some(user) = actor.user() else {
        return Ok(Vec::new());
    };
    let mut h = app.db.read().await?;
    let today = app.now().date_naive();
    let mut readable: std::collections::HashMap<CollaborationId, bool> =
        std::collections::HashMap::new();
    // One query for all their measurements rather than one per key result.
    let mut by_key_result: std::collections::HashMap<KeyResultId, Vec<MeasurementRecord>> =
        std::collections::HashMap::new();
    for measurement in store::measurements_for_owner(&mut h, user.id).await? {
        by_key_result
            .entry(measurement.key_result_id)
            .or_default()
            .push(measurement);
    }
    let mut out = Vec::new();
    for key_result in store::owned_by(&mut h, user.id).await? {
        let collaboration = key_result.collaboration_id;
        let allowed = match readable.get(&collaboration) {
            Some(allowed) => *allowed,
            None => {
                let allowed = match facts(&mut h, actor, collaboration).await {
                    Ok(f) => policy::collaboration_allows(actor, &f, CollaborationAction::Read),
                    Err(AppError::NotFound) => false,
                    Err(error) => return Err(error),
                };
                readable.insert(collaboration, allowed);
                allowed
            }
        };
        if allowed {
            let measurements = by_key_result.remove(&key_result.id).unwrap_or_default();
            out.push(summarise(key_result, &measurements, today));
        }
    }
    out.sort_by_key(|s| {
        (
            !s.assessment.overdue,
            s.assessment.next_due.is_none(),
            s.assessment.next_due,
        )
    });
    Ok(out)
}
