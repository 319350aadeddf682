//! Charter pages: the current charter with who has signed it, the edit form (coordinators), the
//! sign-off button (admins of active member organisations), older versions and the diff between two
//! versions. The charter's Markdown is embedded only after `crate::markdown::render` sanitised it.

use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::Form;
use concord_app::AppError;
use concord_app::charter::{self as service, CharterView};
use concord_domain::charter::{CharterInput, CharterVersion, CharterVersionSummary};
use concord_domain::{CollaborationId, FieldErrors};

use super::{PageCtx, PagePath, ok, page_error, render, require_sign_in, see_other};
use crate::AppState;
use crate::context::Ctx;
use crate::markdown::{self, DiffLine};

pub fn routes() -> Vec<(&'static str, axum::routing::MethodRouter<AppState>)> {
    vec![
        ("/collaborations/{id}/charter", get(show).post(save)),
        ("/collaborations/{id}/charter/edit", get(edit_form)),
        ("/collaborations/{id}/charter/sign-off", post(sign_off)),
        (
            "/collaborations/{id}/charter/versions/{version}",
            get(show_version),
        ),
        ("/collaborations/{id}/charter/diff", get(diff)),
    ]
}

async fn collaboration_title(ctx: &Ctx, id: CollaborationId) -> Result<String, AppError> {
    Ok(concord_app::collaborations::get(&ctx.app, &ctx.actor, id)
        .await?
        .collaboration
        .title)
}

#[derive(Debug, Default, serde::Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "charter/show.html")]
struct ShowPage {
    c: PageCtx,
    collaboration_title: String,
    charter: CharterView,
    /// Sanitised HTML of the current version.
    html: String,
    versions: Vec<CharterVersionSummary>,
    done: Option<String>,
}

async fn show(
    ctx: Ctx,
    PagePath(id): PagePath<CollaborationId>,
    Query(query): Query<DoneQuery>,
) -> Response {
    let result = async {
        let title = collaboration_title(&ctx, id).await?;
        let charter = service::get(&ctx.app, &ctx.actor, id).await?;
        let versions = service::versions(&ctx.app, &ctx.actor, id).await?;
        Ok::<_, AppError>((title, charter, versions))
    }
    .await;
    match result {
        Ok((collaboration_title, charter, versions)) => ok(&ShowPage {
            c: PageCtx::new(&ctx, "collaborations"),
            collaboration_title,
            html: charter
                .current
                .as_ref()
                .map(|v| markdown::render(&v.body))
                .unwrap_or_default(),
            charter,
            versions,
            done: query.done.filter(|d| d == "saved" || d == "signed"),
        }),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct CharterForm {
    #[serde(default)]
    body: String,
}

#[derive(Template)]
#[template(path = "charter/edit.html")]
struct EditPage {
    c: PageCtx,
    collaboration_id: CollaborationId,
    collaboration_title: String,
    body: String,
    errors: FieldErrors,
}

impl EditPage {
    fn body_error(&self) -> Option<String> {
        self.errors.for_field("body").map(|code| {
            let own = format!("charter-error-{code}");
            let text = self.c.t(&own);
            if text == own {
                self.c.t(&format!("error-{code}"))
            } else {
                text
            }
        })
    }
}

async fn edit_page(
    ctx: &Ctx,
    id: CollaborationId,
    body: Option<String>,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    let result = async {
        let title = collaboration_title(ctx, id).await?;
        let charter = service::get(&ctx.app, &ctx.actor, id).await?;
        if !charter.can_edit {
            return Err(AppError::Forbidden);
        }
        Ok::<_, AppError>((title, charter))
    }
    .await;
    match result {
        Ok((collaboration_title, charter)) => render(
            status,
            &EditPage {
                c: PageCtx::new(ctx, "collaborations"),
                collaboration_id: id,
                collaboration_title,
                body: body
                    .or_else(|| charter.current.map(|v| v.body))
                    .unwrap_or_default(),
                errors,
            },
        ),
        Err(error) => page_error(ctx)(error).into_response(),
    }
}

async fn edit_form(ctx: Ctx, PagePath(id): PagePath<CollaborationId>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/collaborations/{id}/charter/edit")) {
        return redirect;
    }
    edit_page(&ctx, id, None, FieldErrors::new(), StatusCode::OK).await
}

async fn save(
    ctx: Ctx,
    PagePath(id): PagePath<CollaborationId>,
    Form(form): Form<CharterForm>,
) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/collaborations/{id}/charter/edit")) {
        return redirect;
    }
    let input = CharterInput {
        body: form.body.clone(),
    };
    match service::edit(&ctx.app, &ctx.actor, id, &input).await {
        Ok(_) => see_other(&format!("/collaborations/{id}/charter?done=saved")),
        Err(AppError::Invalid(errors)) => {
            edit_page(
                &ctx,
                id,
                Some(form.body),
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

async fn sign_off(ctx: Ctx, PagePath(id): PagePath<CollaborationId>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/collaborations/{id}/charter")) {
        return redirect;
    }
    match service::sign_off(&ctx.app, &ctx.actor, id).await {
        Ok(_) => see_other(&format!("/collaborations/{id}/charter?done=signed")),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

#[derive(Template)]
#[template(path = "charter/version.html")]
struct VersionPage {
    c: PageCtx,
    collaboration_title: String,
    version: CharterVersion,
    html: String,
}

async fn show_version(
    ctx: Ctx,
    PagePath((id, number)): PagePath<(CollaborationId, i64)>,
) -> Response {
    let result = async {
        let title = collaboration_title(&ctx, id).await?;
        let version = service::version(&ctx.app, &ctx.actor, id, number).await?;
        Ok::<_, AppError>((title, version))
    }
    .await;
    match result {
        Ok((collaboration_title, version)) => ok(&VersionPage {
            c: PageCtx::new(&ctx, "collaborations"),
            collaboration_title,
            html: markdown::render(&version.body),
            version,
        }),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct DiffQuery {
    from: Option<String>,
    to: Option<String>,
}

#[derive(Template)]
#[template(path = "charter/diff.html")]
struct DiffPage {
    c: PageCtx,
    collaboration_id: CollaborationId,
    collaboration_title: String,
    from: i64,
    to: i64,
    lines: Vec<DiffLine>,
    added: usize,
    removed: usize,
}

/// A version number from the query; anything else is a missing page.
fn version_number(raw: Option<&str>) -> Result<Option<i64>, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 1)
            .map(Some)
            .ok_or(AppError::NotFound),
    }
}

async fn diff(
    ctx: Ctx,
    PagePath(id): PagePath<CollaborationId>,
    Query(query): Query<DiffQuery>,
) -> Response {
    let result = async {
        let title = collaboration_title(&ctx, id).await?;
        let from = version_number(query.from.as_deref())?;
        let to = version_number(query.to.as_deref())?;
        let to = match to {
            Some(to) => to,
            None => service::get(&ctx.app, &ctx.actor, id)
                .await?
                .current
                .map(|v| v.version)
                .ok_or(AppError::NotFound)?,
        };
        let from = from.unwrap_or(to - 1).max(1);
        let old = service::version(&ctx.app, &ctx.actor, id, from).await?;
        let new = service::version(&ctx.app, &ctx.actor, id, to).await?;
        Ok::<_, AppError>((title, from, to, markdown::diff_lines(&old.body, &new.body)))
    }
    .await;
    match result {
        Ok((collaboration_title, from, to, lines)) => ok(&DiffPage {
            c: PageCtx::new(&ctx, "collaborations"),
            collaboration_id: id,
            collaboration_title,
            from,
            to,
            added: lines.iter().filter(|l| l.added()).count(),
            removed: lines.iter().filter(|l| l.removed()).count(),
            lines,
        }),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}
