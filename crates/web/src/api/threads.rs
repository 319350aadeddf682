//! Discussion threads: `/api/v1/collaborations/{id}/threads`, `/api/v1/threads/{id}` (with its
//! messages) and `/api/v1/messages/{id}` (edits and their versions).
//!
//! A thread whose audience leaves the caller out answers 404, exactly like a missing one. Message
//! bodies are Markdown as written (`body`); `body_html` is the same text rendered to sanitised
//! HTML (no scripts, event handlers, inline styles or `javascript:`/`data:` links), safe to embed.

use axum::Json;
use axum::http::StatusCode;
use concord_app::AppError;
use concord_app::threads::{self as service, MessageView, ThreadList, ThreadView};
use concord_domain::thread::{Message, MessageInput, MessageVersion, Thread, ThreadInput};
use concord_domain::{CollaborationId, MessageId, ThreadId};

use super::{ApiJson, ApiPath, ApiQuery, PageParams};
use crate::context::Ctx;
use crate::error::ApiError;
use crate::markdown;

/// A message with its body rendered and what the caller may do to it.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct MessageDetail {
    pub message: Message,
    /// The body rendered from Markdown to sanitised HTML.
    pub body_html: String,
    /// Only the author edits, and only while still a member.
    pub can_edit: bool,
}

impl From<MessageView> for MessageDetail {
    fn from(view: MessageView) -> Self {
        Self {
            body_html: markdown::render_with_mentions(&view.message.body, &view.message.mentions),
            message: view.message,
            can_edit: view.can_edit,
        }
    }
}

/// A thread with one page of its messages, oldest first (the newest page unless paging back).
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ThreadDetail {
    pub thread: Thread,
    /// Oldest first.
    pub messages: Vec<MessageDetail>,
    /// Pass as `before` to get the page of earlier messages; null when this page starts at the
    /// thread's first message.
    pub earlier_cursor: Option<String>,
    /// Whether the caller may post to this thread.
    pub can_post: bool,
}

impl From<ThreadView> for ThreadDetail {
    fn from(view: ThreadView) -> Self {
        Self {
            thread: view.thread,
            messages: view.messages.into_iter().map(Into::into).collect(),
            earlier_cursor: view.earlier_cursor,
            can_post: view.can_post,
        }
    }
}

/// One text a message has had, with it rendered.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct MessageVersionDetail {
    /// 1 for the first text; each edit adds one.
    pub version: i64,
    /// Markdown as written.
    pub body: String,
    /// The body rendered from Markdown to sanitised HTML.
    pub body_html: String,
    pub written_at: chrono::DateTime<chrono::Utc>,
}

impl From<MessageVersion> for MessageVersionDetail {
    fn from(v: MessageVersion) -> Self {
        Self {
            body_html: markdown::render(&v.body),
            version: v.version,
            body: v.body,
            written_at: v.written_at,
        }
    }
}

/// The collaboration's threads the caller may read, most recently active first. Threads with a
/// narrower audience that leaves the caller out are neither listed nor counted.
#[utoipa::path(get, path = "/api/v1/collaborations/{id}/threads", tag = "threads",
    params(("id" = String, Path), PageParams),
    responses((status = 200, body = ThreadList), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn list(
    ctx: Ctx,
    ApiPath(id): ApiPath<CollaborationId>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<ThreadList>, ApiError> {
    Ok(Json(
        service::list(&ctx.app, &ctx.actor, id, page.cursor.as_deref(), page.limit).await?,
    ))
}

/// Starts a thread with its first message (members of the collaboration, any role). `audience`
/// narrows who may read it to the people of some active member organisations, which must include
/// the caller's own (`not_an_active_member`, `must_include_own_organisation`); leave it empty for
/// everyone who may read the collaboration.
#[utoipa::path(post, path = "/api/v1/collaborations/{id}/threads", tag = "threads", params(("id" = String, Path)),
    request_body = ThreadInput, security(("bearer" = [])),
    responses((status = 201, body = ThreadDetail), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn start(
    ctx: Ctx,
    ApiPath(id): ApiPath<CollaborationId>,
    ApiJson(input): ApiJson<ThreadInput>,
) -> Result<(StatusCode, Json<ThreadDetail>), ApiError> {
    let view = service::start(&ctx.app, &ctx.actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(view.into())))
}

/// Which page of a thread's messages.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ThreadParams {
    /// Opaque cursor from a previous answer's `earlier_cursor`: the page of messages just before
    /// it. Absent: the newest page.
    pub before: Option<String>,
}

/// A thread and one page of its messages (at most 50), oldest first: the newest page, or the page
/// just before `before`.
#[utoipa::path(get, path = "/api/v1/threads/{id}", tag = "threads",
    params(("id" = String, Path), ThreadParams),
    responses((status = 200, body = ThreadDetail), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn get(
    ctx: Ctx,
    ApiPath(id): ApiPath<ThreadId>,
    ApiQuery(params): ApiQuery<ThreadParams>,
) -> Result<Json<ThreadDetail>, ApiError> {
    let view = service::get(&ctx.app, &ctx.actor, id, params.before.as_deref()).await?;
    Ok(Json(view.into()))
}

/// Which messages a reader is missing.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AfterParams {
    /// Id of the last message the reader has; absent: from the thread's first message.
    pub after: Option<String>,
}

/// The thread's messages after `after`, oldest first, at most 50: what a reader who has seen up to
/// that message is missing (ask again from the last one returned for more).
#[utoipa::path(get, path = "/api/v1/threads/{id}/messages", tag = "threads",
    params(("id" = String, Path), AfterParams),
    responses((status = 200, body = Vec<MessageDetail>), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn messages(
    ctx: Ctx,
    ApiPath(id): ApiPath<ThreadId>,
    ApiQuery(params): ApiQuery<AfterParams>,
) -> Result<Json<Vec<MessageDetail>>, ApiError> {
    let after = params
        .after
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<MessageId>()
                .map_err(|_| AppError::invalid("after", "invalid_choice"))
        })
        .transpose()?;
    let messages = service::messages_after(&ctx.app, &ctx.actor, id, after).await?;
    Ok(Json(messages.into_iter().map(Into::into).collect()))
}

/// Posts a message (Markdown, at most 20,000 characters) to the thread (members of the
/// collaboration, any role).
#[utoipa::path(post, path = "/api/v1/threads/{id}/messages", tag = "threads", params(("id" = String, Path)),
    request_body = MessageInput, security(("bearer" = [])),
    responses((status = 201, body = MessageDetail), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn post(
    ctx: Ctx,
    ApiPath(id): ApiPath<ThreadId>,
    ApiJson(input): ApiJson<MessageInput>,
) -> Result<(StatusCode, Json<MessageDetail>), ApiError> {
    let view = service::post(&ctx.app, &ctx.actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(view.into())))
}

/// Replaces a message's text (its author only, while a member); the earlier text is kept as a
/// version. An unchanged body changes nothing.
#[utoipa::path(put, path = "/api/v1/messages/{id}", tag = "threads", params(("id" = String, Path)),
    request_body = MessageInput, security(("bearer" = [])),
    responses((status = 200, body = MessageDetail), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn edit(
    ctx: Ctx,
    ApiPath(id): ApiPath<MessageId>,
    ApiJson(input): ApiJson<MessageInput>,
) -> Result<Json<MessageDetail>, ApiError> {
    let view = service::edit(&ctx.app, &ctx.actor, id, &input).await?;
    Ok(Json(view.into()))
}

/// Every text the message has had, oldest first, the current one last.
#[utoipa::path(get, path = "/api/v1/messages/{id}/versions", tag = "threads", params(("id" = String, Path)),
    responses((status = 200, body = Vec<MessageVersionDetail>), (status = 404, body = crate::error::Problem)))]
pub async fn versions(
    ctx: Ctx,
    ApiPath(id): ApiPath<MessageId>,
) -> Result<Json<Vec<MessageVersionDetail>>, ApiError> {
    let versions = service::versions(&ctx.app, &ctx.actor, id).await?;
    Ok(Json(versions.into_iter().map(Into::into).collect()))
}

/// Where a live stream starts.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StreamParams {
    /// Id of the last message the reader has (a `Last-Event-ID` header takes precedence). Absent,
    /// or not a message of this thread: only messages posted from now on.
    pub after: Option<String>,
}

/// Server-Sent Events (`text/event-stream`) of the thread's new messages: one `message` event per
/// message, its `id` the message id and its `data` a `MessageDetail` as JSON. Reconnect with
/// `Last-Event-ID` to miss nothing. The stream ends when the caller may no longer read the thread,
/// when the server shuts down, or after 15 minutes (reconnect).
#[utoipa::path(get, path = "/api/v1/threads/{id}/events", tag = "threads",
    params(("id" = String, Path), StreamParams),
    responses((status = 200, description = "An event stream of `MessageDetail` objects", content_type = "text/event-stream", body = String),
        (status = 404, body = crate::error::Problem)))]
pub async fn events(
    ctx: Ctx,
    ApiPath(id): ApiPath<ThreadId>,
    ApiQuery(params): ApiQuery<StreamParams>,
    headers: axum::http::HeaderMap,
) -> Result<axum::response::Response, ApiError> {
    let after =
        crate::sse::last_event_id(&headers).or_else(|| params.after.and_then(|a| a.parse().ok()));
    let subscription = concord_app::live::subscribe(&ctx.app, &ctx.actor, id, after).await?;
    Ok(crate::sse::stream(subscription, |update| {
        let detail = MessageDetail::from(update.view.clone());
        let id = detail.message.id;
        Some((id, serde_json::to_string(&detail).ok()?))
    }))
}
