//! Review pages: a collaboration's reviews with its schedule (and the schedule form for
//! coordinators), the form to record a review, and one review. Plain forms: no JavaScript needed.

use std::collections::HashMap;

use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::Form;
use concord_app::AppError;
use concord_app::reviews::{self as service, ObjectiveStatusLine, ReviewsOverview};
use concord_domain::evaluation::Status;
use concord_domain::review::{
    AdjustmentInput, AdjustmentKind, AssessmentInput, Review, ReviewCadence, ReviewInput,
    ScheduleInput,
};
use concord_domain::{CollaborationId, FieldErrors, ReviewId};

use super::{PageCtx, PagePath, ok, page_error, render, require_sign_in, see_other};
use crate::AppState;
use crate::context::Ctx;

/// How many adjustment rows the form offers.
pub const ADJUSTMENT_ROWS: usize = 3;

pub fn routes() -> Vec<(&'static str, axum::routing::MethodRouter<AppState>)> {
    vec![
        ("/collaborations/{id}/reviews", get(index).post(create)),
        ("/collaborations/{id}/reviews/new", get(new_form)),
        ("/collaborations/{id}/review-schedule", post(set_schedule)),
        ("/reviews/{id}", get(show)),
    ]
}

/// The message for an error code: the reviews' own wording first, else the shared one.
fn message(c: &PageCtx, code: &str) -> String {
    let key = format!("review-error-{code}");
    let own = c.t(&key);
    if own == key {
        c.t(&format!("error-{code}"))
    } else {
        own
    }
}

async fn collaboration_title(ctx: &Ctx, id: CollaborationId) -> Result<String, AppError> {
    Ok(concord_app::collaborations::get(&ctx.app, &ctx.actor, id)
        .await?
        .collaboration
        .title)
}

#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct ScheduleForm {
    #[serde(default)]
    cadence: String,
    #[serde(default)]
    next_due: String,
}

#[derive(Template)]
#[template(path = "reviews/index.html")]
struct IndexPage {
    c: PageCtx,
    collaboration_id: CollaborationId,
    collaboration_title: String,
    overview: ReviewsOverview,
    cadences: &'static [ReviewCadence],
    schedule: ScheduleForm,
    errors: FieldErrors,
    done: Option<String>,
}

impl IndexPage {
    fn error_for(&self, field: &str) -> Option<String> {
        self.errors
            .for_field(field)
            .map(|code| message(&self.c, code))
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

async fn index_page(
    ctx: &Ctx,
    id: CollaborationId,
    form: Option<ScheduleForm>,
    errors: FieldErrors,
    done: Option<String>,
    status: StatusCode,
) -> Response {
    let result = async {
        let title = collaboration_title(ctx, id).await?;
        let overview = service::overview(&ctx.app, &ctx.actor, id).await?;
        Ok::<_, AppError>((title, overview))
    }
    .await;
    match result {
        Ok((collaboration_title, overview)) => {
            let schedule = form.unwrap_or_else(|| ScheduleForm {
                cadence: overview
                    .schedule
                    .map(|s| s.cadence.as_str().to_owned())
                    .unwrap_or_else(|| "quarterly".into()),
                next_due: overview
                    .schedule
                    .map(|s| s.next_due.to_string())
                    .unwrap_or_default(),
            });
            render(
                status,
                &IndexPage {
                    c: PageCtx::new(ctx, "collaborations"),
                    collaboration_id: id,
                    collaboration_title,
                    overview,
                    cadences: ReviewCadence::ALL,
                    schedule,
                    errors,
                    done: done.filter(|d| d == "recorded" || d == "schedule_saved"),
                },
            )
        }
        Err(error) => page_error(ctx)(error).into_response(),
    }
}

async fn index(
    ctx: Ctx,
    PagePath(id): PagePath<CollaborationId>,
    Query(query): Query<DoneQuery>,
) -> Response {
    index_page(
        &ctx,
        id,
        None,
        FieldErrors::new(),
        query.done,
        StatusCode::OK,
    )
    .await
}

async fn set_schedule(
    ctx: Ctx,
    PagePath(id): PagePath<CollaborationId>,
    Form(form): Form<ScheduleForm>,
) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/collaborations/{id}/reviews")) {
        return redirect;
    }
    let input = ScheduleInput {
        cadence: form.cadence.clone(),
        next_due: form.next_due.clone(),
    };
    match service::set_schedule(&ctx.app, &ctx.actor, id, &input).await {
        Ok(_) => see_other(&format!("/collaborations/{id}/reviews?done=schedule_saved")),
        Err(AppError::Invalid(errors)) => {
            index_page(
                &ctx,
                id,
                Some(form),
                errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

#[derive(Template)]
#[template(path = "reviews/form.html")]
struct FormPage {
    c: PageCtx,
    collaboration_id: CollaborationId,
    collaboration_title: String,
    objectives: Vec<ObjectiveStatusLine>,
    statuses: &'static [Status],
    kinds: &'static [AdjustmentKind],
    rows: Vec<usize>,
    form: HashMap<String, String>,
    errors: FieldErrors,
}

impl FormPage {
    fn value(&self, name: &str) -> &str {
        self.form.get(name).map(String::as_str).unwrap_or("")
    }

    fn error_for(&self, field: &str) -> Option<String> {
        self.errors
            .for_field(field)
            .map(|code| message(&self.c, code))
    }

    /// What an error in the summary at the top names: the field, and which objective or row.
    fn error_label(&self, field: &str) -> String {
        let indexed = |prefix: &str| {
            field
                .strip_prefix(prefix)
                .and_then(|rest| rest.split_once("]."))
                .and_then(|(n, name)| n.parse::<usize>().ok().map(|n| (n, name)))
        };
        if let Some((n, name)) = indexed("assessments[") {
            let title = self
                .objectives
                .get(n)
                .map(|o| o.title.as_str())
                .unwrap_or("");
            return self.c.t2(
                "label-value",
                "label",
                title,
                "value",
                &self.c.t(&format!("review-field-{name}")),
            );
        }
        if let Some((n, name)) = indexed("adjustments[") {
            return self.c.t2(
                "label-value",
                "label",
                &self.c.t1("review-adjustment-n", "n", &(n + 1).to_string()),
                "value",
                &self.c.t(&format!("review-field-{name}")),
            );
        }
        self.c.t(&format!("review-field-{field}"))
    }

    fn error_message(&self, code: &str) -> String {
        message(&self.c, code)
    }
}

/// Reads the posted form into a review: one assessment per objective row, and the adjustment
/// rows that have anything in them. Returns, for each adjustment kept, the row it came from (so
/// errors land beside the right row).
fn review_input(form: &HashMap<String, String>) -> (ReviewInput, Vec<usize>) {
    let get = |key: &str| form.get(key).cloned().unwrap_or_default();
    let mut input = ReviewInput {
        held_on: get("held_on"),
        summary: get("summary"),
        ..Default::default()
    };
    for i in 0.. {
        let Some(objective_id) = form.get(&format!("assessments[{i}].objective_id")) else {
            break;
        };
        input.assessments.push(AssessmentInput {
            objective_id: objective_id.clone(),
            override_status: Some(get(&format!("assessments[{i}].override_status"))),
            override_reason: Some(get(&format!("assessments[{i}].override_reason"))),
        });
        if i >= 1000 {
            break;
        }
    }
    let mut rows = Vec::new();
    for row in 0..ADJUSTMENT_ROWS {
        let field = |name: &str| get(&format!("adjustments[{row}].{name}"));
        let (kind, description, link) = (field("kind"), field("description"), field("link"));
        if kind.trim().is_empty() && description.trim().is_empty() && link.trim().is_empty() {
            continue;
        }
        input.adjustments.push(AdjustmentInput {
            kind,
            description,
            link: Some(link),
        });
        rows.push(row);
    }
    (input, rows)
}

/// Renames `adjustments[k].x` errors to the form row `k` came from.
fn errors_on_rows(errors: FieldErrors, rows: &[usize]) -> FieldErrors {
    let mut out = FieldErrors::new();
    for e in errors.0 {
        let field = e
            .field
            .strip_prefix("adjustments[")
            .and_then(|rest| rest.split_once(']'))
            .and_then(|(k, rest)| {
                let k: usize = k.parse().ok()?;
                Some(format!("adjustments[{}]{rest}", rows.get(k)?))
            })
            .unwrap_or(e.field);
        out.add(&field, &e.code);
    }
    out
}

async fn form_page(
    ctx: &Ctx,
    id: CollaborationId,
    form: HashMap<String, String>,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    let result = async {
        let title = collaboration_title(ctx, id).await?;
        let objectives = service::current_statuses(&ctx.app, &ctx.actor, id).await?;
        Ok::<_, AppError>((title, objectives))
    }
    .await;
    match result {
        Ok((collaboration_title, objectives)) => {
            let mut form = form;
            if !form.contains_key("held_on") {
                form.insert("held_on".into(), ctx.app.now().date_naive().to_string());
            }
            render(
                status,
                &FormPage {
                    c: PageCtx::new(ctx, "collaborations"),
                    collaboration_id: id,
                    collaboration_title,
                    objectives,
                    statuses: Status::ALL,
                    kinds: AdjustmentKind::ALL,
                    rows: (0..ADJUSTMENT_ROWS).collect(),
                    form,
                    errors,
                },
            )
        }
        Err(error) => page_error(ctx)(error).into_response(),
    }
}

async fn new_form(ctx: Ctx, PagePath(id): PagePath<CollaborationId>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/collaborations/{id}/reviews/new")) {
        return redirect;
    }
    form_page(&ctx, id, HashMap::new(), FieldErrors::new(), StatusCode::OK).await
}

async fn create(
    ctx: Ctx,
    PagePath(id): PagePath<CollaborationId>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/collaborations/{id}/reviews/new")) {
        return redirect;
    }
    let (input, rows) = review_input(&form);
    match service::record(&ctx.app, &ctx.actor, id, &input).await {
        Ok(review) => see_other(&format!("/reviews/{}?done=recorded", review.review.id)),
        Err(AppError::Invalid(errors)) => {
            let errors = errors_on_rows(errors, &rows);
            form_page(&ctx, id, form, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

#[derive(Template)]
#[template(path = "reviews/show.html")]
struct ShowPage {
    c: PageCtx,
    review: Review,
    collaboration_title: String,
    done: bool,
}

async fn show(
    ctx: Ctx,
    PagePath(id): PagePath<ReviewId>,
    Query(query): Query<DoneQuery>,
) -> Response {
    let result = async {
        let review = service::get(&ctx.app, &ctx.actor, id).await?;
        let title = collaboration_title(&ctx, review.review.collaboration_id).await?;
        Ok::<_, AppError>((review, title))
    }
    .await;
    match result {
        Ok((review, collaboration_title)) => ok(&ShowPage {
            c: PageCtx::new(&ctx, "collaborations"),
            review,
            collaboration_title,
            done: query.done.as_deref() == Some("recorded"),
        }),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_adjustment_rows_are_skipped_and_errors_find_their_row() {
        let form: HashMap<String, String> = [
            ("held_on", "2026-10-01"),
            ("summary", "s"),
            ("assessments[0].objective_id", "x"),
            ("adjustments[0].kind", ""),
            ("adjustments[1].kind", "other"),
            ("adjustments[1].description", ""),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let (input, rows) = review_input(&form);
        assert_eq!(input.assessments.len(), 1);
        assert_eq!(input.adjustments.len(), 1);
        assert_eq!(rows, vec![1]);
        let errors = errors_on_rows(
            FieldErrors::single("adjustments[0].description", "required"),
            &rows,
        );
        assert_eq!(
            errors.for_field("adjustments[1].description"),
            Some("required")
        );
    }
}
