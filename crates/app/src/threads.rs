//! Discussion threads. Whoever may read the collaboration reads its threads, except a thread with
//! a narrower audience, which only the people of its organisations see (to everyone else it does
//! not exist: 404). Members start threads and post (`Discuss`); only a message's author edits it,
//! and every earlier text is kept.

use chrono::{DateTime, Utc};
use concord_domain::collaboration::MembershipStatus;
use concord_domain::notification::NotificationKind;
use concord_domain::policy::{self, Actor, CollaborationAction, CollaborationFacts, UserActor};
use concord_domain::thread::{
    self as domain, Message, MessageInput, MessageVersion, Thread, ThreadInput,
};
use concord_domain::{CollaborationId, FieldErrors, MessageId, ThreadId};
use concord_store::threads as store;
use concord_store::{Handle, WriteTx, collaborations as collab_store};
use serde_json::json;

use crate::collaborations::{authorize, facts};
use crate::notifications::Notice;
use crate::texts::Text;
use crate::{App, AppError, Page, clamp_limit, decode_cursor, event, paginate, require_user};

/// Messages on one page of a thread.
pub const MESSAGES_PER_PAGE: i64 = 50;

fn actor_org(actor: &Actor) -> Option<concord_domain::OrganisationId> {
    actor.user().map(|u| u.organisation_id)
}

/// The collaboration and the actor's facts for a thread the actor may read; `NotFound` when the
/// thread does not exist, its collaboration is invisible, or its audience leaves the actor out.
async fn readable_thread(
    h: &mut Handle,
    actor: &Actor,
    thread: ThreadId,
) -> Result<(CollaborationId, CollaborationFacts), AppError> {
    let collaboration = store::collaboration_of_thread(h, thread)
        .await?
        .ok_or(AppError::NotFound)?;
    let f = facts(h, actor, collaboration).await?;
    authorize(actor, &f, CollaborationAction::Read)?;
    let audience: Vec<_> = store::audience(h, thread)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect();
    if !domain::audience_allows(&audience, actor_org(actor)) {
        return Err(AppError::NotFound);
    }
    Ok((collaboration, f))
}

/// A collaboration's threads, one page.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ThreadList {
    pub items: Vec<Thread>,
    pub next_cursor: Option<String>,
    /// Whether the reader may start a thread here.
    pub can_start: bool,
}

fn thread_cursor(t: &Thread) -> String {
    format!("{}|{}", t.last_message_at.to_rfc3339(), t.id)
}

pub async fn list(
    app: &App,
    actor: &Actor,
    collaboration: CollaborationId,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> Result<ThreadList, AppError> {
    let limit = clamp_limit(limit);
    let before = match decode_cursor(cursor)? {
        None => None,
        Some(text) => Some(
            text.split_once('|')
                .and_then(|(at, id)| {
                    Some((
                        DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&Utc),
                        id.parse::<ThreadId>().ok()?,
                    ))
                })
                .ok_or_else(|| AppError::invalid("cursor", "invalid_cursor"))?,
        ),
    };
    let mut h = app.db.read().await?;
    let f = facts(&mut h, actor, collaboration).await?;
    authorize(actor, &f, CollaborationAction::Read)?;
    let rows =
        store::list_threads(&mut h, collaboration, actor_org(actor), before, limit + 1).await?;
    let Page { items, next_cursor } = paginate(rows, limit, thread_cursor);
    Ok(ThreadList {
        items,
        next_cursor,
        can_start: policy::collaboration_allows(actor, &f, CollaborationAction::Discuss),
    })
}

/// A message with what the reader may do to it.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct MessageView {
    pub message: Message,
    /// Only the author edits, and only while still a member.
    pub can_edit: bool,
}

/// A thread with one page of its messages (the newest, unless paging back).
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ThreadView {
    pub thread: Thread,
    /// Oldest first.
    pub messages: Vec<MessageView>,
    /// Cursor of the page of earlier messages, if there are any.
    pub earlier_cursor: Option<String>,
    pub can_post: bool,
}

fn message_views(actor: &Actor, can_post: bool, messages: Vec<Message>) -> Vec<MessageView> {
    messages
        .into_iter()
        .map(|message| MessageView {
            can_edit: can_post
                && message.author_id.is_some()
                && message.author_id == actor.user_id(),
            message,
        })
        .collect()
}

/// A thread and the page of messages ending just before `before` (the newest when `None`).
pub async fn get(
    app: &App,
    actor: &Actor,
    thread: ThreadId,
    before: Option<&str>,
) -> Result<ThreadView, AppError> {
    let before = decode_cursor(before)?
        .map(|c| c.parse::<MessageId>())
        .transpose()
        .map_err(|_| AppError::invalid("before", "invalid_cursor"))?;
    let mut h = app.db.read().await?;
    let (_, f) = readable_thread(&mut h, actor, thread).await?;
    let t = store::get_thread(&mut h, thread)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut messages =
        store::messages_before(&mut h, thread, before, MESSAGES_PER_PAGE + 1).await?;
    store::attach_mentions(&mut h, &mut messages).await?;
    // One more than a page was read: if it came back, earlier messages exist.
    let earlier_cursor = if messages.len() > usize::try_from(MESSAGES_PER_PAGE).unwrap_or(50) {
        messages.remove(0);
        messages
            .first()
            .map(|m| crate::encode_cursor(&m.id.to_string()))
    } else {
        None
    };
    let can_post = policy::collaboration_allows(actor, &f, CollaborationAction::Discuss);
    Ok(ThreadView {
        thread: t,
        messages: message_views(actor, can_post, messages),
        earlier_cursor,
        can_post,
    })
}

/// Messages after `after` (a message id), oldest first, at most a page: what a reader who has
/// seen up to `after` is missing.
pub async fn messages_after(
    app: &App,
    actor: &Actor,
    thread: ThreadId,
    after: Option<MessageId>,
) -> Result<Vec<MessageView>, AppError> {
    let mut h = app.db.read().await?;
    let (_, f) = readable_thread(&mut h, actor, thread).await?;
    let mut messages = store::messages_after(&mut h, thread, after, MESSAGES_PER_PAGE).await?;
    store::attach_mentions(&mut h, &mut messages).await?;
    let can_post = policy::collaboration_allows(actor, &f, CollaborationAction::Discuss);
    Ok(message_views(actor, can_post, messages))
}

/// What a live reader is missing, read with one policy check: messages after `after` (as
/// [`messages_after`]) and messages edited at or after `since`, with their latest text.
pub async fn live_batch(
    app: &App,
    actor: &Actor,
    thread: ThreadId,
    after: Option<MessageId>,
    since: DateTime<Utc>,
) -> Result<(Vec<MessageView>, Vec<MessageView>), AppError> {
    let mut h = app.db.read().await?;
    let (_, f) = readable_thread(&mut h, actor, thread).await?;
    let mut fresh = store::messages_after(&mut h, thread, after, MESSAGES_PER_PAGE).await?;
    store::attach_mentions(&mut h, &mut fresh).await?;
    let mut edited = store::messages_edited_since(&mut h, thread, since).await?;
    store::attach_mentions(&mut h, &mut edited).await?;
    let can_post = policy::collaboration_allows(actor, &f, CollaborationAction::Discuss);
    Ok((
        message_views(actor, can_post, fresh),
        message_views(actor, can_post, edited),
    ))
}

/// Starts a thread with its first message. A narrower audience names active member
/// organisations and must include the author's own (nobody locks themselves out).
pub async fn start(
    app: &App,
    actor: &Actor,
    collaboration: CollaborationId,
    input: &ThreadInput,
) -> Result<ThreadView, AppError> {
    let fields = input.validate()?;
    let mut tx = app.db.write().await?;
    let f = facts(tx.handle(), actor, collaboration).await?;
    authorize(actor, &f, CollaborationAction::Discuss)?;
    let user = require_user(actor)?;
    let mut errors = FieldErrors::new();
    for org in &fields.audience {
        if !matches!(
            collab_store::organisation_membership(tx.handle(), collaboration, *org).await?,
            Some((_, MembershipStatus::Active))
        ) {
            errors.add("audience", "not_an_active_member");
            break;
        }
    }
    if !fields.audience.is_empty() && !fields.audience.contains(&user.organisation_id) {
        errors.add("audience", "must_include_own_organisation");
    }
    errors.into_result(())?;
    let id = ThreadId::new();
    let now = app.now();
    store::insert_thread(
        tx.handle(),
        id,
        collaboration,
        &fields.title,
        &fields.audience,
        Some(user.id),
        now,
    )
    .await?;
    let message = MessageId::new();
    store::insert_message(tx.handle(), message, id, Some(user.id), &fields.body, now).await?;
    record_mentions(tx.handle(), id, message, &fields.body).await?;
    concord_store::live::announce(tx.handle(), id).await?;
    tx.record(event(
        Some(user.id),
        "thread.started",
        "thread",
        id,
        Some(collaboration),
        &["title", "audience"],
        json!({ "title": fields.title, "audience": fields.audience }),
    ));
    tx.record(event(
        Some(user.id),
        "message.posted",
        "message",
        message,
        Some(collaboration),
        &["body"],
        json!({ "thread": id, "body": fields.body }),
    ));
    app.commit(tx).await?;
    crate::live::after_commit(app, id);
    get(app, actor, id, None).await
}

/// Posts a message to a thread the actor may read, as a member.
pub async fn post(
    app: &App,
    actor: &Actor,
    thread: ThreadId,
    input: &MessageInput,
) -> Result<MessageView, AppError> {
    let body = input.validate()?;
    let mut tx = app.db.write().await?;
    let (collaboration, f) = readable_thread(tx.handle(), actor, thread).await?;
    authorize(actor, &f, CollaborationAction::Discuss)?;
    let user = require_user(actor)?;
    let id = MessageId::new();
    store::insert_message(tx.handle(), id, thread, Some(user.id), &body, app.now()).await?;
    let mentioned = record_mentions(tx.handle(), thread, id, &body).await?;
    tell_mentioned(app, &mut tx, user, thread, id, &body, &mentioned).await?;
    concord_store::live::announce(tx.handle(), thread).await?;
    tx.record(event(
        Some(user.id),
        "message.posted",
        "message",
        id,
        Some(collaboration),
        &["body"],
        json!({ "thread": thread, "body": body }),
    ));
    app.commit(tx).await?;
    crate::live::after_commit(app, thread);
    message(app, actor, id).await
}

/// One message (for its page, or after posting or editing it).
pub async fn message(app: &App, actor: &Actor, id: MessageId) -> Result<MessageView, AppError> {
    let mut h = app.db.read().await?;
    let thread = store::thread_of_message(&mut h, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (_, f) = readable_thread(&mut h, actor, thread).await?;
    let mut message = store::get_message(&mut h, id)
        .await?
        .ok_or(AppError::NotFound)?;
    store::attach_mentions(&mut h, std::slice::from_mut(&mut message)).await?;
    let can_post = policy::collaboration_allows(actor, &f, CollaborationAction::Discuss);
    message_views(actor, can_post, vec![message])
        .pop()
        .ok_or(AppError::NotFound)
}

/// Replaces a message's text (its author only); the earlier text stays as a version.
pub async fn edit(
    app: &App,
    actor: &Actor,
    id: MessageId,
    input: &MessageInput,
) -> Result<MessageView, AppError> {
    let body = input.validate()?;
    let mut tx = app.db.write().await?;
    let thread = store::thread_of_message(tx.handle(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (collaboration, f) = readable_thread(tx.handle(), actor, thread).await?;
    authorize(actor, &f, CollaborationAction::Discuss)?;
    let user = require_user(actor)?;
    let before = store::get_message(tx.handle(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    if before.author_id != Some(user.id) {
        return Err(AppError::Forbidden);
    }
    if before.body != body {
        let version = store::edit_message(tx.handle(), id, &body, app.now()).await?;
        let mentioned = record_mentions(tx.handle(), thread, id, &body).await?;
        tell_mentioned(app, &mut tx, user, thread, id, &body, &mentioned).await?;
        tx.record(event(
            Some(user.id),
            "message.edited",
            "message",
            id,
            Some(collaboration),
            &["body"],
            json!({ "thread": thread, "version": version, "body": body }),
        ));
        concord_store::live::announce(tx.handle(), thread).await?;
        app.commit(tx).await?;
        crate::live::after_commit(app, thread);
    }
    message(app, actor, id).await
}

/// Every text a message has had, oldest first (whoever may read the thread).
pub async fn versions(
    app: &App,
    actor: &Actor,
    id: MessageId,
) -> Result<Vec<MessageVersion>, AppError> {
    let mut h = app.db.read().await?;
    let thread = store::thread_of_message(&mut h, id)
        .await?
        .ok_or(AppError::NotFound)?;
    readable_thread(&mut h, actor, thread).await?;
    Ok(store::versions(&mut h, id).await?)
}

/// Records whom a message mentions (only people who may read the thread can be mentioned) and
/// returns those newly mentioned.
async fn record_mentions(
    h: &mut Handle,
    thread: ThreadId,
    message: MessageId,
    body: &str,
) -> Result<Vec<concord_domain::UserId>, AppError> {
    if !body.contains('@') {
        return Ok(store::set_mentions(h, message, &[]).await?);
    }
    let people = store::mentionable(h, thread).await?;
    let mentioned = domain::find_mentions(body, &people);
    Ok(store::set_mentions(h, message, &mentioned).await?)
}

/// Tells the newly mentioned (all of whom may read the thread: only they can be mentioned), in
/// the transaction that records the message. An edit tells only those it adds.
async fn tell_mentioned(
    app: &App,
    tx: &mut WriteTx,
    author: &UserActor,
    thread: ThreadId,
    message: MessageId,
    body: &str,
    mentioned: &[concord_domain::UserId],
) -> Result<(), AppError> {
    if mentioned.is_empty() {
        return Ok(());
    }
    let Some(found) = store::get_thread(tx.handle(), thread).await? else {
        return Err(AppError::NotFound);
    };
    let author_name = concord_store::users::get(tx.handle(), author.id)
        .await?
        .map(|u| u.display_name)
        .unwrap_or_default();
    let excerpt = body.split_whitespace().collect::<Vec<_>>().join(" ");
    crate::notifications::notify(
        tx,
        Some(author.id),
        app.now(),
        mentioned,
        NotificationKind::Mention,
        &Notice {
            collaboration: Some(found.collaboration_id),
            title: Text::new("notification-mention")
                .with("name", author_name)
                .with("title", found.title),
            link: format!("/threads/{thread}#m-{message}"),
            excerpt: Some(Text::plain(excerpt)),
        },
    )
    .await
}

/// The people a message in `thread` may mention (for the reply form's hint).
pub async fn mentionable(
    app: &App,
    actor: &Actor,
    thread: ThreadId,
) -> Result<Vec<domain::Mentionable>, AppError> {
    let mut h = app.db.read().await?;
    readable_thread(&mut h, actor, thread).await?;
    Ok(store::mentionable(&mut h, thread).await?)
}

/// Where a live reader starts: `after` when it is a message of this thread, else the thread's
/// newest message (the reader has the page, so only later messages are news). `NotFound` when the
/// actor may not read the thread.
pub(crate) async fn live_start(
    app: &App,
    actor: &Actor,
    thread: ThreadId,
    after: Option<MessageId>,
) -> Result<Option<MessageId>, AppError> {
    let mut h = app.db.read().await?;
    readable_thread(&mut h, actor, thread).await?;
    if let Some(after) = after
        && store::thread_of_message(&mut h, after).await? == Some(thread)
    {
        return Ok(Some(after));
    }
    Ok(store::latest_message(&mut h, thread).await?)
}
