//! Discussion pages: a collaboration's threads, the form to start one, a thread with one page of
//! its messages and the reply form, the edit form of a message (its author only) and every
//! version a message has had. Every handler calls `concord_app::threads`, the API's services.
//!
//! Message bodies are Markdown; they are embedded only after `crate::markdown::render` sanitised
//! them, and that output is the only unescaped text on these pages. Everything works without
//! JavaScript: forms post, redirect (303) and anchor at the message concerned (`#m-<id>`).

use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::Form;
use concord_app::threads::{self as service, MessageView, ThreadView};
use concord_app::{AppError, collaborations};
use concord_domain::collaboration::{MembershipStatus, OrganisationMember};
use concord_domain::thread::{
    Mentionable, Message, MessageInput, MessageVersion, Thread, ThreadInput,
};
use concord_domain::{CollaborationId, FieldErrors, MessageId, ThreadId};

use super::{PageCtx, PagePath, ok, page_error, render, require_sign_in, see_other};
use crate::AppState;
use crate::context::Ctx;
use crate::markdown;

/// Threads per page of the list.
const LIST_PAGE_SIZE: i64 = 25;

pub fn routes() -> Vec<(&'static str, axum::routing::MethodRouter<AppState>)> {
    vec![
        ("/collaborations/{id}/threads", get(list_page)),
        (
            "/collaborations/{id}/threads/new",
            get(new_form).post(create),
        ),
        ("/threads/{id}", get(show)),
        ("/threads/{id}/messages", post(reply)),
        ("/threads/{id}/live", get(live)),
        ("/messages/{id}/edit", get(edit_form).post(save_edit)),
        ("/messages/{id}/versions", get(versions_page)),
    ]
}

/// The message for the first error on `field`: one for this field and code when the catalogue
/// has it (`thread-error-audience-must_include_own_organisation`), else the general one.
fn field_error(c: &PageCtx, errors: &FieldErrors, field: &str) -> Option<String> {
    super::field_error_worded(c, errors, field, |code| {
        format!("thread-error-{field}-{code}")
    })
}

/// Every error of a form as (field, "Field: message"), for the summary above it.
fn error_summary(c: &PageCtx, errors: &FieldErrors) -> Vec<(String, String)> {
    super::error_summary_worded(c, errors, "thread-field", |field| {
        field_error(c, errors, field)
    })
}

fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// "Org A, Org B" for a narrower audience; empty for everyone.
pub(crate) fn audience_names(thread: &Thread) -> String {
    thread
        .audience
        .iter()
        .map(|o| o.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn author(c: &PageCtx, message: &Message) -> String {
    message
        .author_name
        .clone()
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| c.t("message-author-unknown"))
}

#[derive(Debug, Default, serde::Deserialize)]
struct ListQuery {
    cursor: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// The list

#[derive(Template)]
#[template(path = "threads/list.html")]
struct ListPage {
    c: PageCtx,
    collaboration_id: CollaborationId,
    collaboration_title: String,
    threads: Vec<Thread>,
    can_start: bool,
    older_href: Option<String>,
    newest_href: Option<String>,
}

impl ListPage {
    fn only(&self, thread: &Thread) -> String {
        audience_names(thread)
    }
}

async fn list_page(
    ctx: Ctx,
    PagePath(id): PagePath<CollaborationId>,
    Query(query): Query<ListQuery>,
) -> Response {
    let cursor = query.cursor.as_deref().filter(|c| !c.is_empty());
    let result = async {
        let list = service::list(&ctx.app, &ctx.actor, id, cursor, Some(LIST_PAGE_SIZE)).await?;
        let view = collaborations::get(&ctx.app, &ctx.actor, id).await?;
        Ok::<_, AppError>((list, view.collaboration.title))
    }
    .await;
    match result {
        Ok((list, collaboration_title)) => ok(&ListPage {
            c: PageCtx::new(&ctx, "collaborations"),
            collaboration_id: id,
            collaboration_title,
            older_href: list
                .next_cursor
                .as_ref()
                .map(|next| format!("/collaborations/{id}/threads?cursor={}", encode(next))),
            newest_href: cursor.map(|_| format!("/collaborations/{id}/threads")),
            threads: list.items,
            can_start: list.can_start,
        }),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

// ---------------------------------------------------------------------------------------------
// Starting a thread

/// The start form's values as typed, so a rejected submission comes back intact. The audience
/// arrives as repeated `audience` keys (one per ticked organisation).
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct ThreadForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    audience: Vec<String>,
    #[serde(default)]
    body: String,
}

impl ThreadForm {
    fn input(&self) -> ThreadInput {
        ThreadInput {
            title: self.title.clone(),
            audience: self.audience.clone(),
            body: self.body.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "threads/new.html")]
struct NewPage {
    c: PageCtx,
    collaboration_id: CollaborationId,
    collaboration_title: String,
    /// Active member organisations: the audience's choices.
    organisations: Vec<OrganisationMember>,
    form: ThreadForm,
    errors: FieldErrors,
}

impl NewPage {
    fn checked(&self, member: &OrganisationMember) -> bool {
        let id = member.organisation_id.to_string();
        self.form.audience.iter().any(|a| a.trim() == id)
    }

    fn is_own(&self, member: &OrganisationMember) -> bool {
        self.c.org_id.as_deref() == Some(member.organisation_id.to_string().as_str())
    }

    fn err(&self, field: &str) -> Option<String> {
        field_error(&self.c, &self.errors, field)
    }

    fn summary_items(&self) -> Vec<(String, String)> {
        error_summary(&self.c, &self.errors)
    }
}

async fn new_page(
    ctx: &Ctx,
    id: CollaborationId,
    form: ThreadForm,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    let result = async {
        let view = collaborations::get(&ctx.app, &ctx.actor, id).await?;
        let list = service::list(&ctx.app, &ctx.actor, id, None, Some(1)).await?;
        if !list.can_start {
            return Err(AppError::Forbidden);
        }
        Ok::<_, AppError>(view)
    }
    .await;
    match result {
        Ok(view) => render(
            status,
            &NewPage {
                c: PageCtx::new(ctx, "collaborations"),
                collaboration_id: id,
                collaboration_title: view.collaboration.title,
                organisations: view
                    .organisations
                    .into_iter()
                    .filter(|m| m.status == MembershipStatus::Active)
                    .collect(),
                form,
                errors,
            },
        ),
        Err(error) => page_error(ctx)(error).into_response(),
    }
}

async fn new_form(ctx: Ctx, PagePath(id): PagePath<CollaborationId>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/collaborations/{id}/threads/new")) {
        return redirect;
    }
    new_page(
        &ctx,
        id,
        ThreadForm::default(),
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

async fn create(
    ctx: Ctx,
    PagePath(id): PagePath<CollaborationId>,
    Form(form): Form<ThreadForm>,
) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/collaborations/{id}/threads/new")) {
        return redirect;
    }
    match service::start(&ctx.app, &ctx.actor, id, &form.input()).await {
        Ok(view) => see_other(&format!("/threads/{}?done=started", view.thread.id)),
        Err(AppError::Invalid(errors)) => {
            new_page(&ctx, id, form, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

// ---------------------------------------------------------------------------------------------
// A thread

/// A message with its sanitised HTML (the only markup embedded unescaped).
struct MessageItem {
    view: MessageView,
    html: String,
}

impl MessageItem {
    fn new(view: MessageView) -> MessageItem {
        MessageItem {
            html: markdown::render_with_mentions(&view.message.body, &view.message.mentions),
            view,
        }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct ThreadQuery {
    before: Option<String>,
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "threads/show.html")]
struct ShowPage {
    c: PageCtx,
    collaboration_title: String,
    thread: Thread,
    messages: Vec<MessageItem>,
    can_post: bool,
    /// The page of earlier messages.
    earlier_href: Option<String>,
    /// Back to the latest messages, when this is an earlier page.
    latest_href: Option<String>,
    /// This page's `before` cursor (kept by Edit links so the author comes back here).
    before: Option<String>,
    /// The reply as typed, after a rejected submission.
    reply: String,
    errors: FieldErrors,
    done: Option<String>,
    /// Whom a reply may mention (shown to those who may post).
    mentionable: Vec<Mentionable>,
}

impl ShowPage {
    fn only(&self) -> String {
        audience_names(&self.thread)
    }

    /// The newest message shown, where live updates continue from (latest page only).
    fn last_message_id(&self) -> Option<String> {
        self.messages.last().map(|m| m.view.message.id.to_string())
    }

    fn mentionable_names(&self) -> String {
        self.mentionable
            .iter()
            .map(|p| format!("@{}", p.display_name))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn author(&self, item: &MessageItem) -> String {
        author(&self.c, &item.view.message)
    }

    fn edit_href(&self, item: &MessageItem) -> String {
        match &self.before {
            Some(before) => format!(
                "/messages/{}/edit?before={}",
                item.view.message.id,
                encode(before)
            ),
            None => format!("/messages/{}/edit", item.view.message.id),
        }
    }

    fn err(&self, field: &str) -> Option<String> {
        field_error(&self.c, &self.errors, field)
    }

    fn sign_in_href(&self) -> String {
        format!(
            "/sign-in?next={}",
            encode(&format!("/threads/{}", self.thread.id))
        )
    }
}

async fn thread_page(
    ctx: &Ctx,
    id: ThreadId,
    before: Option<String>,
    reply: String,
    errors: FieldErrors,
    done: Option<String>,
    status: StatusCode,
) -> Response {
    let before = before.filter(|b| !b.is_empty());
    let result = async {
        let view = service::get(&ctx.app, &ctx.actor, id, before.as_deref()).await?;
        let collaboration =
            collaborations::get(&ctx.app, &ctx.actor, view.thread.collaboration_id).await?;
        let mentionable = if view.can_post {
            service::mentionable(&ctx.app, &ctx.actor, id).await?
        } else {
            Vec::new()
        };
        Ok::<_, AppError>((view, collaboration.collaboration.title, mentionable))
    }
    .await;
    match result {
        Ok((view, collaboration_title, mentionable)) => {
            let ThreadView {
                thread,
                messages,
                earlier_cursor,
                can_post,
            } = view;
            render(
                status,
                &ShowPage {
                    c: PageCtx::new(ctx, "collaborations"),
                    collaboration_title,
                    earlier_href: earlier_cursor
                        .map(|c| format!("/threads/{}?before={}", thread.id, encode(&c))),
                    latest_href: before.as_ref().map(|_| format!("/threads/{}", thread.id)),
                    thread,
                    messages: messages.into_iter().map(MessageItem::new).collect(),
                    can_post,
                    before,
                    reply,
                    errors,
                    done: done.filter(|d| d == "started" || d == "edited"),
                    mentionable,
                },
            )
        }
        Err(error) => page_error(ctx)(error).into_response(),
    }
}

async fn show(
    ctx: Ctx,
    PagePath(id): PagePath<ThreadId>,
    Query(query): Query<ThreadQuery>,
) -> Response {
    thread_page(
        &ctx,
        id,
        query.before,
        String::new(),
        FieldErrors::new(),
        query.done,
        StatusCode::OK,
    )
    .await
}

/// A message as typed: a reply, or a new text for an existing one. `before` (edit only) is the
/// thread page the author came from, to return to it.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct MessageForm {
    #[serde(default)]
    body: String,
    #[serde(default)]
    before: String,
}

async fn reply(
    ctx: Ctx,
    PagePath(id): PagePath<ThreadId>,
    Form(form): Form<MessageForm>,
) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/threads/{id}")) {
        return redirect;
    }
    let input = MessageInput {
        body: form.body.clone(),
    };
    match service::post(&ctx.app, &ctx.actor, id, &input).await {
        Ok(view) => see_other(&format!("/threads/{id}#m-{}", view.message.id)),
        Err(AppError::Invalid(errors)) => {
            thread_page(
                &ctx,
                id,
                None,
                form.body,
                errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

// ---------------------------------------------------------------------------------------------
// Live updates (Server-Sent Events): the page's script appends each new message as it comes

#[derive(Debug, Default, serde::Deserialize)]
struct LiveQuery {
    after: Option<String>,
}

/// One message as the thread page shows it, for appending live.
#[derive(Template)]
#[template(path = "threads/live_message.html")]
struct LiveMessage<'a> {
    c: &'a PageCtx,
    item: &'a MessageItem,
}

impl LiveMessage<'_> {
    fn author(&self, item: &MessageItem) -> String {
        author(self.c, &item.view.message)
    }

    fn edit_href(&self, item: &MessageItem) -> String {
        format!("/messages/{}/edit", item.view.message.id)
    }
}

/// What one live event carries to the page's script.
#[derive(serde::Serialize)]
struct LiveEventData {
    id: String,
    /// The message rendered exactly as on the page (sanitised Markdown inside).
    html: String,
    /// A short sentence for screen readers ("New message from …").
    announce: String,
}

/// `text/event-stream` of the thread's new messages, in the reader's language. The reader starts
/// after `Last-Event-ID` (a browser reconnecting) or `?after=` (the newest message on the page).
async fn live(
    ctx: Ctx,
    PagePath(id): PagePath<ThreadId>,
    Query(query): Query<LiveQuery>,
    headers: axum::http::HeaderMap,
) -> Response {
    let after =
        crate::sse::last_event_id(&headers).or_else(|| query.after.and_then(|a| a.parse().ok()));
    let subscription = match concord_app::live::subscribe(&ctx.app, &ctx.actor, id, after).await {
        Ok(subscription) => subscription,
        Err(error) => return page_error(&ctx)(error).into_response(),
    };
    let c = PageCtx::new(&ctx, "collaborations");
    crate::sse::stream(subscription, move |update| {
        let item = MessageItem::new(update.view.clone());
        let html = LiveMessage { c: &c, item: &item }.render().ok()?;
        let announcement = if update.edited {
            "thread-live-edited-message"
        } else {
            "thread-live-new-message"
        };
        let data = LiveEventData {
            id: item.view.message.id.to_string(),
            announce: c.t1(announcement, "name", &author(&c, &item.view.message)),
            html,
        };
        Some((item.view.message.id, serde_json::to_string(&data).ok()?))
    })
}

// ---------------------------------------------------------------------------------------------
// Editing a message, and its versions

#[derive(Debug, Default, serde::Deserialize)]
struct BeforeQuery {
    before: Option<String>,
}

#[derive(Template)]
#[template(path = "threads/edit.html")]
struct EditPage {
    c: PageCtx,
    thread: Thread,
    message: Message,
    body: String,
    before: String,
    errors: FieldErrors,
}

impl EditPage {
    fn back_href(&self) -> String {
        thread_href(self.thread.id, &self.before, self.message.id, None)
    }

    fn err(&self, field: &str) -> Option<String> {
        field_error(&self.c, &self.errors, field)
    }
}

/// The thread page that shows `message`: the page the reader came from (`before`), anchored.
fn thread_href(thread: ThreadId, before: &str, message: MessageId, done: Option<&str>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    if !before.is_empty() {
        query.append_pair("before", before);
    }
    if let Some(done) = done {
        query.append_pair("done", done);
    }
    let query = query.finish();
    if query.is_empty() {
        format!("/threads/{thread}#m-{message}")
    } else {
        format!("/threads/{thread}?{query}#m-{message}")
    }
}

/// The message and its thread; only the message's author may edit (otherwise `Forbidden`).
async fn editable(ctx: &Ctx, id: MessageId) -> Result<(MessageView, Thread), AppError> {
    let view = service::message(&ctx.app, &ctx.actor, id).await?;
    if !view.can_edit {
        return Err(AppError::Forbidden);
    }
    let thread = service::get(&ctx.app, &ctx.actor, view.message.thread_id, None)
        .await?
        .thread;
    Ok((view, thread))
}

async fn edit_page(
    ctx: &Ctx,
    id: MessageId,
    body: Option<String>,
    before: String,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    match editable(ctx, id).await {
        Ok((view, thread)) => render(
            status,
            &EditPage {
                c: PageCtx::new(ctx, "collaborations"),
                thread,
                body: body.unwrap_or_else(|| view.message.body.clone()),
                message: view.message,
                before,
                errors,
            },
        ),
        Err(error) => page_error(ctx)(error).into_response(),
    }
}

async fn edit_form(
    ctx: Ctx,
    PagePath(id): PagePath<MessageId>,
    Query(query): Query<BeforeQuery>,
) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/messages/{id}/edit")) {
        return redirect;
    }
    edit_page(
        &ctx,
        id,
        None,
        query.before.unwrap_or_default(),
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

async fn save_edit(
    ctx: Ctx,
    PagePath(id): PagePath<MessageId>,
    Form(form): Form<MessageForm>,
) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/messages/{id}/edit")) {
        return redirect;
    }
    let input = MessageInput {
        body: form.body.clone(),
    };
    match service::edit(&ctx.app, &ctx.actor, id, &input).await {
        Ok(view) => see_other(&thread_href(
            view.message.thread_id,
            form.before.trim(),
            id,
            Some("edited"),
        )),
        Err(AppError::Invalid(errors)) => {
            edit_page(
                &ctx,
                id,
                Some(form.body),
                form.before,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

/// A version with its sanitised HTML.
struct VersionItem {
    version: MessageVersion,
    html: String,
}

#[derive(Template)]
#[template(path = "threads/versions.html")]
struct VersionsPage {
    c: PageCtx,
    thread: Thread,
    message: Message,
    /// Newest first.
    versions: Vec<VersionItem>,
}

impl VersionsPage {
    fn author(&self) -> String {
        author(&self.c, &self.message)
    }
}

async fn versions_page(ctx: Ctx, PagePath(id): PagePath<MessageId>) -> Response {
    let result = async {
        let view = service::message(&ctx.app, &ctx.actor, id).await?;
        let versions = service::versions(&ctx.app, &ctx.actor, id).await?;
        let thread = service::get(&ctx.app, &ctx.actor, view.message.thread_id, None)
            .await?
            .thread;
        Ok::<_, AppError>((view, versions, thread))
    }
    .await;
    match result {
        Ok((view, versions, thread)) => ok(&VersionsPage {
            c: PageCtx::new(&ctx, "collaborations"),
            thread,
            message: view.message,
            versions: versions
                .into_iter()
                .rev()
                .map(|version| VersionItem {
                    html: markdown::render(&version.body),
                    version,
                })
                .collect(),
        }),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::extract::FromRequest;
    use axum::http::Request;

    use super::*;

    #[tokio::test]
    async fn the_form_collects_every_ticked_organisation() {
        let request = Request::builder()
            .method("POST")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(
                "csrf_token=x&title=Gritting&audience=a&audience=b&body=Hello",
            ))
            .unwrap();
        let Form(form) = Form::<ThreadForm>::from_request(request, &())
            .await
            .unwrap();
        assert_eq!(form.audience, vec!["a".to_owned(), "b".to_owned()]);
        assert_eq!(form.input().title, "Gritting");
    }

    #[test]
    fn the_way_back_keeps_the_page_and_anchors_at_the_message() {
        let thread = ThreadId::new();
        let message = MessageId::new();
        assert_eq!(
            thread_href(thread, "", message, None),
            format!("/threads/{thread}#m-{message}")
        );
        assert_eq!(
            thread_href(thread, "YWJj", message, Some("edited")),
            format!("/threads/{thread}?before=YWJj&done=edited#m-{message}")
        );
    }
}
