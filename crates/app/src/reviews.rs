//! Review cycles. Coordinators set a collaboration's review cadence and next due date; coordinators
//! and contributors record reviews, which moves the next due date one cadence after the review, in
//! the same transaction as the review and its audit event. Whoever may read the collaboration may
//! read its reviews (the names of who recorded them only when signed in).

use std::collections::HashMap;

use chrono::NaiveDate;
use concord_domain::evaluation::Status;
use concord_domain::objective::Objective;
use concord_domain::policy::{self, Actor, CollaborationAction};
use concord_domain::review::{
    self as rules, Review, ReviewInput, ReviewSchedule, ReviewSummary, ScheduleInput,
};
use concord_domain::{CollaborationId, FieldErrors, ObjectiveId, ReviewId};
use concord_store::{
    Handle, key_results as key_result_store, objectives as objective_store, reviews as store,
};
use serde_json::json;

use crate::collaborations::{authorize, facts, write_as};
use crate::{App, AppError, event, require_user};

/// An objective with the status computed from its key results today.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ObjectiveStatusLine {
    pub objective_id: ObjectiveId,
    pub title: String,
    pub computed_status: Status,
}

/// A collaboration's reviews page: its schedule, its past reviews and what the reader may do.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ReviewsOverview {
    pub schedule: Option<ReviewSchedule>,
    /// The next review's due date has passed.
    pub overdue: bool,
    /// Newest first.
    pub reviews: Vec<ReviewSummary>,
    pub can_record: bool,
    pub can_schedule: bool,
}

/// Each objective of the collaboration with its computed status, in order (a fixed number of
/// queries, whatever the number of key results).
async fn objective_statuses(
    h: &mut Handle,
    collaboration: CollaborationId,
    today: NaiveDate,
) -> Result<Vec<(Objective, Status)>, AppError> {
    let objectives = objective_store::for_collaboration(h, collaboration).await?;
    let key_results = key_result_store::for_collaboration(h, collaboration).await?;
    let mut measurements: HashMap<_, Vec<_>> = HashMap::new();
    for m in key_result_store::measurements_for_collaboration(h, collaboration).await? {
        measurements.entry(m.key_result_id).or_default().push(m);
    }
    let mut by_objective: HashMap<ObjectiveId, Vec<Status>> = HashMap::new();
    for key_result in key_results {
        let points = measurements
            .get(&key_result.id)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let objective = key_result.objective_id;
        let status = crate::key_results::summarise(key_result, points, today)
            .assessment
            .status;
        by_objective.entry(objective).or_default().push(status);
    }
    Ok(objectives
        .into_iter()
        // A dropped objective is no longer assessed; its reason stays on its own page.
        .filter(|o| o.status != concord_domain::objective::ObjectiveStatus::Dropped)
        .map(|o| {
            let status =
                rules::objective_status(by_objective.get(&o.id).map(Vec::as_slice).unwrap_or(&[]));
            (o, status)
        })
        .collect())
}

/// Names of civil servants are for signed-in readers only.
fn for_reader(actor: &Actor, mut review: ReviewSummary) -> ReviewSummary {
    if actor.user().is_none() {
        review.recorded_by_name = None;
    }
    review
}

/// The collaboration's reviews, newest first.
pub async fn list(
    app: &App,
    actor: &Actor,
    collaboration: CollaborationId,
) -> Result<Vec<ReviewSummary>, AppError> {
    let mut h = app.db.read().await?;
    let f = facts(&mut h, actor, collaboration).await?;
    authorize(actor, &f, CollaborationAction::Read)?;
    Ok(store::for_collaboration(&mut h, collaboration)
        .await?
        .into_iter()
        .map(|r| for_reader(actor, r))
        .collect())
}

pub async fn overview(
    app: &App,
    actor: &Actor,
    collaboration: CollaborationId,
) -> Result<ReviewsOverview, AppError> {
    let mut h = app.db.read().await?;
    let f = facts(&mut h, actor, collaboration).await?;
    authorize(actor, &f, CollaborationAction::Read)?;
    let schedule = store::schedule(&mut h, collaboration).await?;
    let today = app.now().date_naive();
    let reviews = store::for_collaboration(&mut h, collaboration)
        .await?
        .into_iter()
        .map(|r| for_reader(actor, r))
        .collect();
    Ok(ReviewsOverview {
        overdue: schedule.is_some_and(|s| rules::is_overdue(s.next_due, today)),
        schedule,
        reviews,
        can_record: policy::collaboration_allows(actor, &f, CollaborationAction::AddContent),
        can_schedule: policy::collaboration_allows(actor, &f, CollaborationAction::Edit),
    })
}

/// The due date of an overdue review, for the collaboration's coordinators; `None` for anyone
/// else, or when no review is overdue.
pub async fn overdue_for_coordinator(
    app: &App,
    actor: &Actor,
    collaboration: CollaborationId,
) -> Result<Option<NaiveDate>, AppError> {
    let mut h = app.db.read().await?;
    let f = facts(&mut h, actor, collaboration).await?;
    if !policy::collaboration_allows(actor, &f, CollaborationAction::Edit) {
        return Ok(None);
    }
    let today = app.now().date_naive();
    Ok(store::schedule(&mut h, collaboration)
        .await?
        .map(|s| s.next_due)
        .filter(|due| rules::is_overdue(*due, today)))
}

/// Each objective's computed status today, for the review form (reviewers only).
pub async fn current_statuses(
    app: &App,
    actor: &Actor,
    collaboration: CollaborationId,
) -> Result<Vec<ObjectiveStatusLine>, AppError> {
    let mut h = app.db.read().await?;
    let f = facts(&mut h, actor, collaboration).await?;
    authorize(actor, &f, CollaborationAction::AddContent)?;
    Ok(
        objective_statuses(&mut h, collaboration, app.now().date_naive())
            .await?
            .into_iter()
            .map(|(o, computed_status)| ObjectiveStatusLine {
                objective_id: o.id,
                title: o.title,
                computed_status,
            })
            .collect(),
    )
}

pub async fn get(app: &App, actor: &Actor, id: ReviewId) -> Result<Review, AppError> {
    let mut h = app.db.read().await?;
    let collaboration = store::collaboration_of(&mut h, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let f = facts(&mut h, actor, collaboration).await?;
    authorize(actor, &f, CollaborationAction::Read)?;
    let mut review = store::get(&mut h, id).await?.ok_or(AppError::NotFound)?;
    review.review = for_reader(actor, review.review);
    Ok(review)
}

/// Sets the review cadence and the next due date (coordinators).
pub async fn set_schedule(
    app: &App,
    actor: &Actor,
    collaboration: CollaborationId,
    input: &ScheduleInput,
) -> Result<ReviewSchedule, AppError> {
    let mut tx = write_as(app, actor, collaboration, CollaborationAction::Edit).await?;
    let (cadence, next_due) = input.validate()?;
    let before = store::schedule(tx.handle(), collaboration).await?;
    let after = ReviewSchedule {
        collaboration_id: collaboration,
        cadence,
        next_due,
    };
    if before != Some(after) {
        store::put_schedule(tx.handle(), collaboration, cadence, next_due).await?;
        let changed = concord_domain::audit::changed_fields([
            ("review_cadence", before.map(|b| b.cadence) != Some(cadence)),
            (
                "review_next_due",
                before.map(|b| b.next_due) != Some(next_due),
            ),
        ]);
        tx.record(event(
            actor.user_id(),
            "review.schedule_set",
            "collaboration",
            collaboration,
            Some(collaboration),
            &changed,
            json!({ "cadence": cadence, "next_due": next_due }),
        ));
        app.commit(tx).await?;
    }
    Ok(after)
}

/// Records a review (coordinators and contributors): an assessment of every objective of the
/// collaboration with its computed status and any override, the adjustments, and the next due date
/// moved one cadence after the day it was held — all in one transaction with its audit event.
pub async fn record(
    app: &App,
    actor: &Actor,
    collaboration: CollaborationId,
    input: &ReviewInput,
) -> Result<Review, AppError> {
    let mut tx = write_as(app, actor, collaboration, CollaborationAction::AddContent).await?;
    let user = require_user(actor)?.id;
    let today = app.now().date_naive();
    let fields = input.validate(today)?;
    let statuses = objective_statuses(tx.handle(), collaboration, today).await?;
    let mut errors = FieldErrors::new();
    for (i, o) in fields.overrides.iter().enumerate() {
        if !statuses
            .iter()
            .any(|(objective, _)| objective.id == o.objective_id)
        {
            errors.add(
                &format!("assessments[{i}].objective_id"),
                "unknown_objective",
            );
        }
    }
    check_adjustment_links(tx.handle(), collaboration, &fields.adjustments, &mut errors).await?;
    errors.into_result(())?;
    let id = ReviewId::new();
    let now = app.now();
    store::insert(
        tx.handle(),
        id,
        collaboration,
        fields.held_on,
        &fields.summary,
        user,
        now,
    )
    .await?;
    let mut overridden = 0;
    for (objective, computed) in &statuses {
        let over = fields
            .overrides
            .iter()
            .find(|o| o.objective_id == objective.id);
        let status = over.and_then(|o| o.status);
        if status.is_some() {
            overridden += 1;
        }
        store::insert_assessment(
            tx.handle(),
            id,
            objective.id,
            *computed,
            status,
            over.and_then(|o| o.reason.as_deref()),
        )
        .await?;
    }
    for (position, adjustment) in fields.adjustments.iter().enumerate() {
        store::insert_adjustment(
            tx.handle(),
            id,
            i64::try_from(position).unwrap_or(i64::MAX) + 1,
            adjustment,
        )
        .await?;
    }
    let next_due = match store::schedule(tx.handle(), collaboration).await? {
        Some(schedule) => {
            let next_due = schedule.cadence.next_due(fields.held_on);
            store::put_schedule(tx.handle(), collaboration, schedule.cadence, next_due).await?;
            Some(next_due)
        }
        None => None,
    };
    tx.record(event(
        actor.user_id(),
        "review.recorded",
        "review",
        id,
        Some(collaboration),
        &[
            "review_held_on",
            "review_summary",
            "review_assessments",
            "review_adjustments",
        ],
        json!({
            "held_on": fields.held_on,
            "summary": fields.summary,
            "overrides": overridden,
            "adjustments": fields.adjustments.len(),
            "next_due": next_due,
        }),
    ));
    app.commit(tx).await?;
    get(app, actor, id).await
}

/// An adjustment is linked to the change it made: a new or dropped objective to that objective,
/// a changed target to that key result, both of this collaboration. Other adjustments may link to
/// one of its objectives or key results, or to an outside http(s) page, or to nothing.
async fn check_adjustment_links(
    h: &mut Handle,
    collaboration: CollaborationId,
    adjustments: &[concord_domain::review::AdjustmentFields],
    errors: &mut FieldErrors,
) -> Result<(), AppError> {
    use concord_domain::review::AdjustmentKind;
    if adjustments.is_empty() {
        return Ok(());
    }
    let objectives: std::collections::HashSet<ObjectiveId> =
        objective_store::for_collaboration(h, collaboration)
            .await?
            .into_iter()
            .map(|o| o.id)
            .collect();
    let key_results: std::collections::HashSet<concord_domain::KeyResultId> =
        key_result_store::for_collaboration(h, collaboration)
            .await?
            .into_iter()
            .map(|k| k.id)
            .collect();
    for (i, adjustment) in adjustments.iter().enumerate() {
        let link = adjustment.link.as_deref();
        let objective = link
            .and_then(|l| l.strip_prefix("/objectives/"))
            .and_then(|id| id.parse::<ObjectiveId>().ok());
        let key_result = link
            .and_then(|l| l.strip_prefix("/key-results/"))
            .and_then(|id| id.parse().ok());
        let internal = link.is_some_and(|l| l.starts_with('/'));
        let ours_objective = objective.is_some_and(|id| objectives.contains(&id));
        let ours_key_result = key_result.is_some_and(|id| key_results.contains(&id));
        let ok = match adjustment.kind {
            AdjustmentKind::NewObjective | AdjustmentKind::DroppedObjective => ours_objective,
            AdjustmentKind::ChangedTarget => ours_key_result,
            AdjustmentKind::Other => !internal || ours_objective || ours_key_result,
        };
        if !ok {
            let code = if link.is_none() {
                "required"
            } else {
                "not_in_collaboration"
            };
            errors.add(&format!("adjustments[{i}].link"), code);
        }
    }
    Ok(())
}
