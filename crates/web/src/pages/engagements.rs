//! The engagement log and the RACI matrix of a collaboration.
//!
//! - `/collaborations/{id}/engagements`: the log, newest first, paged by cursor and filtered by
//!   stakeholder (members only, as the service decides), with the form to record an engagement
//!   for those who may add content; each entry's follow-up can be marked done or reopened, and
//!   an entry can be deleted.
//! - `/collaborations/{id}/raci`: objectives against the parties with a role, the objectives that
//!   break the rule (exactly one Accountable, at least one Responsible), and the assign form.
//!
//! Every handler calls `concord_app::stakeholders`, the services the API uses too.

use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::Form;
use chrono::NaiveDate;
use concord_app::stakeholders::{self as service, RaciColumn, RaciMatrix, RaciRow};
use concord_app::{AppError, Page, collaborations};
use concord_domain::collaboration::PersonMember;
use concord_domain::stakeholder::{
    EngagedStakeholder, Engagement, EngagementChannel, EngagementInput, RaciInput, RaciProblem,
    RaciRole, Stakeholder,
};
use concord_domain::{CollaborationId, EngagementId, FieldErrors, StakeholderId};

use super::{PageCtx, PagePath, page_error, render, require_sign_in, see_other};
use crate::AppState;
use crate::context::Ctx;

/// Entries per page of the log.
const LOG_PAGE_SIZE: i64 = 25;
/// Above this many stakeholders the form offers a multiple-choice list instead of checkboxes.
const CHECKBOXES_MAX: usize = 200;

pub fn routes() -> Vec<(&'static str, axum::routing::MethodRouter<AppState>)> {
    vec![
        (
            "/collaborations/{id}/engagements",
            get(log_page).post(record),
        ),
        ("/engagements/{id}/delete", post(delete)),
        ("/engagements/{id}/follow-up", post(follow_up)),
        ("/collaborations/{id}/raci", get(raci_page).post(assign)),
    ]
}

/// The message for the first error on `field`: a message for this field and code when the
/// catalogue has one (`engagement-error-stakeholder_ids-not_in_collaboration`), else the
/// general one for the code.
fn field_error(c: &PageCtx, errors: &FieldErrors, field: &str) -> Option<String> {
    super::field_error_worded(c, errors, field, |code| {
        format!("engagement-error-{field}-{code}")
    })
}

/// Every error of a form as (field, "Field: message"), for the summary above it.
fn error_summary(c: &PageCtx, errors: &FieldErrors, label_prefix: &str) -> Vec<(String, String)> {
    super::error_summary_worded(c, errors, label_prefix, |field| {
        field_error(c, errors, field)
    })
}

/// A success note after a redirect: only the codes this page sets.
fn done_code(done: Option<String>, allowed: &[&str]) -> Option<String> {
    done.filter(|d| allowed.contains(&d.as_str()))
}

fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

// ---------------------------------------------------------------------------------------------
// The engagement log

/// The record form's values as typed, so a rejected submission comes back intact. The
/// stakeholders arrive as repeated `stakeholder_ids` keys (checkboxes or a multiple select).
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct EngagementForm {
    #[serde(default)]
    engaged_on: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    stakeholder_ids: Vec<String>,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    follow_up: String,
    #[serde(default)]
    follow_up_owner_id: String,
    #[serde(default)]
    follow_up_due: String,
}

impl EngagementForm {
    fn input(&self) -> EngagementInput {
        let some = |s: &String| Some(s.clone());
        EngagementInput {
            engaged_on: self.engaged_on.clone(),
            channel: self.channel.clone(),
            summary: self.summary.clone(),
            stakeholder_ids: self.stakeholder_ids.clone(),
            outcome: some(&self.outcome),
            follow_up: some(&self.follow_up),
            follow_up_owner_id: some(&self.follow_up_owner_id),
            follow_up_due: some(&self.follow_up_due),
        }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct LogQuery {
    stakeholder: Option<String>,
    cursor: Option<String>,
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "engagements/log.html")]
struct LogPage {
    c: PageCtx,
    collaboration_id: CollaborationId,
    collaboration_title: String,
    entries: Vec<Engagement>,
    /// The next page of older entries.
    older_href: Option<String>,
    /// Back to the newest entries, when this is a later page.
    newest_href: Option<String>,
    /// The stakeholder the log is narrowed to (its id as text, or empty).
    filter: String,
    /// Every stakeholder of the register, by name: the filter and the form's choices.
    stakeholders: Vec<Stakeholder>,
    /// People named on the collaboration: follow-up owners.
    people: Vec<PersonMember>,
    can_add: bool,
    form: EngagementForm,
    errors: FieldErrors,
    today: NaiveDate,
    done: Option<String>,
    channels: &'static [EngagementChannel],
}

impl LogPage {
    fn name(&self, s: &Stakeholder) -> String {
        s.name
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| self.c.t("stakeholder-name-withheld"))
    }

    fn engaged_name(&self, s: &EngagedStakeholder) -> String {
        s.name
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| self.c.t("stakeholder-name-withheld"))
    }

    /// An open follow-up whose due date has passed.
    fn overdue(&self, e: &Engagement) -> bool {
        e.follow_up.is_some()
            && !e.follow_up_done
            && e.follow_up_due.is_some_and(|d| d < self.today)
    }

    fn checked(&self, id: &StakeholderId) -> bool {
        let id = id.to_string();
        self.form.stakeholder_ids.iter().any(|s| s.trim() == id)
    }

    fn use_select(&self) -> bool {
        self.stakeholders.len() > CHECKBOXES_MAX
    }

    fn err(&self, field: &str) -> Option<String> {
        field_error(&self.c, &self.errors, field)
    }

    fn summary_items(&self) -> Vec<(String, String)> {
        error_summary(&self.c, &self.errors, "engagement-field")
    }

    fn filter_name(&self) -> Option<String> {
        self.stakeholders
            .iter()
            .find(|s| s.id.to_string() == self.filter)
            .map(|s| self.name(s))
    }

    fn entries_heading(&self) -> String {
        match self.filter_name() {
            Some(name) => self.c.t1("engagement-log-heading-for", "name", &name),
            None => self.c.t("engagement-log-heading"),
        }
    }
}

/// What the log page needs besides the log itself.
struct LogContext {
    collaboration_title: String,
    people: Vec<PersonMember>,
    can_add: bool,
    stakeholders: Vec<Stakeholder>,
}

async fn log_context(ctx: &Ctx, id: CollaborationId) -> Result<LogContext, AppError> {
    let view = collaborations::get(&ctx.app, &ctx.actor, id).await?;
    let stakeholders = service::export(&ctx.app, &ctx.actor, id).await?;
    Ok(LogContext {
        collaboration_title: view.collaboration.title,
        people: view.people,
        can_add: view.permissions.add_content,
        stakeholders,
    })
}

fn parse_stakeholder(raw: Option<&str>) -> Result<Option<StakeholderId>, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(text) => text
            .parse()
            .map(Some)
            .map_err(|_| AppError::invalid("stakeholder", "invalid_choice")),
    }
}

#[allow(clippy::too_many_arguments)] // one page, assembled from its parts
fn log_page_from(
    ctx: &Ctx,
    id: CollaborationId,
    page: Page<Engagement>,
    filter: Option<StakeholderId>,
    cursor: Option<&str>,
    more: LogContext,
    form: EngagementForm,
    errors: FieldErrors,
    done: Option<String>,
) -> LogPage {
    let filter_part = filter
        .map(|s| format!("stakeholder={s}&"))
        .unwrap_or_default();
    let older_href = page.next_cursor.as_ref().map(|next| {
        format!(
            "/collaborations/{id}/engagements?{filter_part}cursor={}",
            encode(next)
        )
    });
    let newest_href = cursor.filter(|c| !c.is_empty()).map(|_| {
        format!(
            "/collaborations/{id}/engagements{}",
            filter
                .map(|s| format!("?stakeholder={s}"))
                .unwrap_or_default()
        )
    });
    LogPage {
        c: PageCtx::new(ctx, "collaborations"),
        collaboration_id: id,
        collaboration_title: more.collaboration_title,
        entries: page.items,
        older_href,
        newest_href,
        filter: filter.map(|s| s.to_string()).unwrap_or_default(),
        stakeholders: more.stakeholders,
        people: more.people,
        can_add: more.can_add,
        form,
        errors,
        today: ctx.app.now().date_naive(),
        done,
        channels: EngagementChannel::ALL,
    }
}

async fn log_page(
    ctx: Ctx,
    PagePath(id): PagePath<CollaborationId>,
    Query(query): Query<LogQuery>,
) -> Response {
    let result = async {
        let filter = parse_stakeholder(query.stakeholder.as_deref())?;
        let page = service::engagements(
            &ctx.app,
            &ctx.actor,
            id,
            filter,
            query.cursor.as_deref(),
            Some(LOG_PAGE_SIZE),
        )
        .await?;
        let more = log_context(&ctx, id).await?;
        Ok::<_, AppError>((filter, page, more))
    }
    .await;
    match result {
        Ok((filter, page, more)) => {
            let form = EngagementForm {
                engaged_on: ctx.app.now().date_naive().to_string(),
                stakeholder_ids: filter.map(|s| vec![s.to_string()]).unwrap_or_default(),
                ..Default::default()
            };
            let done = done_code(
                query.done,
                &[
                    "recorded",
                    "deleted",
                    "follow_up_done",
                    "follow_up_reopened",
                ],
            );
            render(
                StatusCode::OK,
                &log_page_from(
                    &ctx,
                    id,
                    page,
                    filter,
                    query.cursor.as_deref(),
                    more,
                    form,
                    FieldErrors::new(),
                    done,
                ),
            )
        }
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

async fn record(
    ctx: Ctx,
    PagePath(id): PagePath<CollaborationId>,
    Form(form): Form<EngagementForm>,
) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/collaborations/{id}/engagements")) {
        return redirect;
    }
    match service::record_engagement(&ctx.app, &ctx.actor, id, &form.input()).await {
        Ok(e) => see_other(&format!(
            "/collaborations/{id}/engagements?done=recorded#engagement-{}",
            e.id
        )),
        Err(AppError::Invalid(errors)) => {
            let again = async {
                let page =
                    service::engagements(&ctx.app, &ctx.actor, id, None, None, Some(LOG_PAGE_SIZE))
                        .await?;
                let more = log_context(&ctx, id).await?;
                Ok::<_, AppError>((page, more))
            }
            .await;
            match again {
                Ok((page, more)) => render(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &log_page_from(&ctx, id, page, None, None, more, form, errors, None),
                ),
                Err(error) => page_error(&ctx)(error).into_response(),
            }
        }
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

async fn delete(ctx: Ctx, PagePath(id): PagePath<EngagementId>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, "/") {
        return redirect;
    }
    let result = async {
        let engagement = service::get_engagement(&ctx.app, &ctx.actor, id).await?;
        service::delete_engagement(&ctx.app, &ctx.actor, id).await?;
        Ok::<_, AppError>(engagement.collaboration_id)
    }
    .await;
    match result {
        Ok(collaboration) => see_other(&format!(
            "/collaborations/{collaboration}/engagements?done=deleted"
        )),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct FollowUpForm {
    #[serde(default)]
    done: String,
}

async fn follow_up(
    ctx: Ctx,
    PagePath(id): PagePath<EngagementId>,
    Form(form): Form<FollowUpForm>,
) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, "/") {
        return redirect;
    }
    let done = match form.done.as_str() {
        "true" => true,
        "false" => false,
        _ => return page_error(&ctx)(AppError::invalid("done", "invalid_choice")).into_response(),
    };
    match service::set_follow_up_done(&ctx.app, &ctx.actor, id, done).await {
        Ok(e) => see_other(&format!(
            "/collaborations/{}/engagements?done={}#engagement-{}",
            e.collaboration_id,
            if done {
                "follow_up_done"
            } else {
                "follow_up_reopened"
            },
            e.id
        )),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

// ---------------------------------------------------------------------------------------------
// The RACI matrix

/// The assign form's values as chosen.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct RaciForm {
    #[serde(default)]
    objective_id: String,
    #[serde(default)]
    party: String,
    #[serde(default)]
    role: String,
}

#[derive(Debug, Default, serde::Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "raci/matrix.html")]
struct RaciPage {
    c: PageCtx,
    collaboration_id: CollaborationId,
    collaboration_title: String,
    matrix: RaciMatrix,
    form: RaciForm,
    errors: FieldErrors,
    done: Option<String>,
    roles: &'static [RaciRole],
}

impl RaciPage {
    fn label(&self, column: &RaciColumn) -> String {
        column
            .label
            .clone()
            .filter(|l| !l.is_empty())
            .unwrap_or_else(|| self.c.t("stakeholder-name-withheld"))
    }

    /// A stakeholder's column links to their page; a person named on the collaboration has none.
    fn href(&self, column: &RaciColumn) -> Option<String> {
        column
            .party
            .strip_prefix("stakeholder:")
            .map(|id| format!("/stakeholders/{id}"))
    }

    /// "Named person" or the stakeholder's kind, in words.
    fn kind(&self, column: &RaciColumn) -> String {
        if column.party.starts_with("user:") {
            self.c.t("raci-party-member")
        } else {
            self.c.label("stakeholder-kind", &column.kind)
        }
    }

    fn role_word(&self, role: &RaciRole) -> String {
        self.c.label("raci-role", role.as_str())
    }

    fn problems_text(&self, row: &RaciRow) -> String {
        row.problems
            .iter()
            .map(|p: &RaciProblem| self.c.label("raci-problem", p.as_str()))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn broken(&self) -> Vec<&RaciRow> {
        self.matrix
            .rows
            .iter()
            .filter(|r| !r.problems.is_empty())
            .collect()
    }

    fn err(&self, field: &str) -> Option<String> {
        field_error(&self.c, &self.errors, field)
    }

    fn summary_items(&self) -> Vec<(String, String)> {
        error_summary(&self.c, &self.errors, "raci-field")
    }
}

async fn raci_view(ctx: &Ctx, id: CollaborationId) -> Result<(RaciMatrix, String), AppError> {
    let matrix = service::raci(&ctx.app, &ctx.actor, id).await?;
    let view = collaborations::get(&ctx.app, &ctx.actor, id).await?;
    Ok((matrix, view.collaboration.title))
}

async fn raci_page(
    ctx: Ctx,
    PagePath(id): PagePath<CollaborationId>,
    Query(query): Query<DoneQuery>,
) -> Response {
    match raci_view(&ctx, id).await {
        Ok((matrix, collaboration_title)) => render(
            StatusCode::OK,
            &RaciPage {
                c: PageCtx::new(&ctx, "collaborations"),
                collaboration_id: id,
                collaboration_title,
                matrix,
                form: RaciForm::default(),
                errors: FieldErrors::new(),
                done: done_code(query.done, &["assigned", "cleared"]),
                roles: RaciRole::ALL,
            },
        ),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

async fn assign(
    ctx: Ctx,
    PagePath(id): PagePath<CollaborationId>,
    Form(form): Form<RaciForm>,
) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/collaborations/{id}/raci")) {
        return redirect;
    }
    let input = RaciInput {
        objective_id: form.objective_id.clone(),
        party: form.party.clone(),
        role: Some(form.role.clone()),
    };
    match service::set_raci(&ctx.app, &ctx.actor, id, &input).await {
        Ok(_) => {
            let done = if form.role.trim().is_empty() {
                "cleared"
            } else {
                "assigned"
            };
            see_other(&format!("/collaborations/{id}/raci?done={done}"))
        }
        Err(AppError::Invalid(errors)) => match raci_view(&ctx, id).await {
            Ok((matrix, collaboration_title)) => render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &RaciPage {
                    c: PageCtx::new(&ctx, "collaborations"),
                    collaboration_id: id,
                    collaboration_title,
                    matrix,
                    form,
                    errors,
                    done: None,
                    roles: RaciRole::ALL,
                },
            ),
            Err(error) => page_error(&ctx)(error).into_response(),
        },
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::extract::FromRequest;
    use axum::http::Request;

    use super::*;

    async fn parse(body: &'static str) -> EngagementForm {
        let request = Request::builder()
            .method("POST")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        let Form(form) = Form::<EngagementForm>::from_request(request, &())
            .await
            .unwrap();
        form
    }

    #[tokio::test]
    async fn the_form_collects_every_checked_stakeholder() {
        let form = parse(
            "csrf_token=x&engaged_on=2026-01-02&channel=call&summary=Hi\
             &stakeholder_ids=a&stakeholder_ids=b&follow_up=",
        )
        .await;
        assert_eq!(form.stakeholder_ids, vec!["a".to_owned(), "b".to_owned()]);
        assert_eq!(form.channel, "call");
        assert_eq!(parse("stakeholder_ids=a").await.stakeholder_ids, vec!["a"]);
        assert!(parse("summary=x").await.stakeholder_ids.is_empty());
    }
}
