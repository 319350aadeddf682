//! Notifications: what producers call ([`notify`]) inside their own unit of work, and what a
//! person does with their inbox and email preferences. Everyone sees only their own
//! notifications: someone else's id answers `NotFound`, like a missing one.
//!
//! Email delivery lives in [`crate::outbox`]: [`notify`] only writes the outbox row, in the
//! producer's transaction, so the notification, its email and the audited change commit together.

use chrono::{DateTime, Utc};
use concord_domain::notification::{
    EmailDelivery, Notification, NotificationContent, NotificationKind, Preference,
    PreferencesInput, is_site_relative,
};
use concord_domain::policy::Actor;
use concord_domain::{CollaborationId, EmailId, NotificationId, UserId};
use concord_store::notifications as store;
use concord_store::{Handle, WriteTx};
use serde_json::json;

use crate::texts::Text;
use crate::{App, AppError, Page, clamp_limit, decode_cursor, event, paginate, require_user};

/// What a notification says, written in each recipient's language (see [`crate::texts`]).
#[derive(Clone, Debug)]
pub struct Notice {
    pub collaboration: Option<CollaborationId>,
    /// Short, plain text.
    pub title: Text,
    /// A site-relative path, e.g. `/threads/{id}#m-{id}`.
    pub link: String,
    /// Plain text, cut to `EXCERPT_MAX` characters.
    pub excerpt: Option<Text>,
}

/// Records a notification of `kind` for each of `recipients` in the caller's write transaction
/// (the one that also records the event it tells about), written in the recipient's language (their
/// setting, else their browser's at their last sign-in, else English).
/// The actor is never told of their own doing; repeats in `recipients` count once; deactivated
/// accounts are skipped. A recipient whose email choice for `kind` is `immediate` also gets an
/// outbox row, in the same transaction.
///
/// The producer decides who may be told: `notice` must hold only what every recipient may read.
/// A notice that is not valid (no title, a link that is not site-relative) is a bug in the
/// producer and fails the whole change (`AppError::Internal`), rather than storing a bad link.
pub async fn notify(
    tx: &mut WriteTx,
    actor: Option<UserId>,
    now: DateTime<Utc>,
    recipients: &[UserId],
    kind: NotificationKind,
    notice: &Notice,
) -> Result<(), AppError> {
    let mut seen = Vec::with_capacity(recipients.len());
    let languages = store::languages_of(tx.handle(), recipients).await?;
    for &user in recipients {
        if Some(user) == actor || seen.contains(&user) {
            continue;
        }
        seen.push(user);
        let locale = languages.get(&user).map(String::as_str);
        let content = NotificationContent {
            collaboration: notice.collaboration,
            title: notice.title.render(locale),
            link: notice.link.clone(),
            excerpt: notice.excerpt.as_ref().map(|e| e.render(locale)),
        }
        .normalised()
        .map_err(|errors| {
            AppError::Internal(format!("notification content refused: {errors:?}"))
        })?;
        let id = NotificationId::new();
        let delivery = store::insert(tx.handle(), id, user, kind, &content, actor, now).await?;
        if delivery == Some(EmailDelivery::Immediate) {
            store::queue_immediate(tx.handle(), EmailId::new(), user, id, now).await?;
        }
    }
    Ok(())
}

/// A page of the inbox with the unread count.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Inbox {
    /// Newest first.
    pub items: Vec<Notification>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
    /// Unread notifications in the whole inbox.
    pub unread: i64,
}

fn inbox_cursor(n: &Notification) -> String {
    format!("{}|{}", n.created_at.to_rfc3339(), n.id)
}

pub async fn inbox(
    app: &App,
    actor: &Actor,
    unread_only: bool,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> Result<Inbox, AppError> {
    let user = require_user(actor)?.id;
    let limit = clamp_limit(limit);
    let before = match decode_cursor(cursor)? {
        None => None,
        Some(text) => Some(
            text.split_once('|')
                .and_then(|(at, id)| {
                    Some((
                        DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&Utc),
                        id.parse::<NotificationId>().ok()?,
                    ))
                })
                .ok_or_else(|| AppError::invalid("cursor", "invalid_cursor"))?,
        ),
    };
    let mut h = app.db.read().await?;
    let rows = store::list(&mut h, user, unread_only, before, limit + 1).await?;
    let Page { items, next_cursor } = paginate(rows, limit, inbox_cursor);
    let unread = store::unread_count(&mut h, user).await?;
    Ok(Inbox {
        items,
        next_cursor,
        unread,
    })
}

pub async fn unread_count(app: &App, actor: &Actor) -> Result<i64, AppError> {
    let user = require_user(actor)?.id;
    let mut h = app.db.read().await?;
    Ok(store::unread_count(&mut h, user).await?)
}

async fn own(h: &mut Handle, user: UserId, id: NotificationId) -> Result<Notification, AppError> {
    store::get(h, user, id).await?.ok_or(AppError::NotFound)
}

/// Marks one notification read. Reading one already read changes nothing and records nothing.
/// The audit event says which notification, never what it said.
pub async fn mark_read(app: &App, actor: &Actor, id: NotificationId) -> Result<(), AppError> {
    let user = require_user(actor)?.id;
    let mut tx = app.db.write().await?;
    own(tx.handle(), user, id).await?;
    if !store::mark_read(tx.handle(), user, id, app.now()).await? {
        return Ok(());
    }
    tx.record(event(
        Some(user),
        "notification.read",
        "notification",
        id,
        None,
        &["read_at"],
        json!({}),
    ));
    app.commit(tx).await
}

/// Marks every unread notification read; returns how many were.
pub async fn mark_all_read(app: &App, actor: &Actor) -> Result<u64, AppError> {
    let user = require_user(actor)?.id;
    let mut tx = app.db.write().await?;
    let marked = store::mark_all_read(tx.handle(), user, app.now()).await?;
    if marked == 0 {
        return Ok(0);
    }
    tx.record(event(
        Some(user),
        "notification.all_read",
        "user",
        user,
        None,
        &["read_at"],
        json!({ "count": marked }),
    ));
    app.commit(tx).await?;
    Ok(marked)
}

/// Opening a notification: marks it read and gives its link, which is followed only when it is a
/// path on this site (stored links are checked when recorded; this checks again).
pub async fn open(app: &App, actor: &Actor, id: NotificationId) -> Result<String, AppError> {
    let user = require_user(actor)?.id;
    let notification = {
        let mut h = app.db.read().await?;
        own(&mut h, user, id).await?
    };
    if notification.read_at.is_none() {
        mark_read(app, actor, id).await?;
    }
    Ok(if is_site_relative(&notification.link) {
        notification.link
    } else {
        "/notifications".to_owned()
    })
}

/// Every kind with the person's email choice (their own, or the kind's default).
pub async fn preferences(app: &App, actor: &Actor) -> Result<Vec<Preference>, AppError> {
    let user = require_user(actor)?.id;
    let mut h = app.db.read().await?;
    let saved = store::preferences(&mut h, user).await?;
    Ok(with_defaults(&saved))
}

fn with_defaults(saved: &[Preference]) -> Vec<Preference> {
    NotificationKind::ALL
        .iter()
        .map(|&kind| Preference {
            kind,
            email: saved
                .iter()
                .find(|p| p.kind == kind)
                .map(|p| p.email)
                .unwrap_or_else(|| kind.default_delivery()),
        })
        .collect()
}

/// Saves the person's choices; kinds left out keep theirs. Audited when anything changed, with
/// `email_<kind>` of each kind that changed as the changed fields.
pub async fn set_preferences(
    app: &App,
    actor: &Actor,
    input: &PreferencesInput,
) -> Result<Vec<Preference>, AppError> {
    let user = require_user(actor)?.id;
    let wanted = input.validate()?;
    let mut tx = app.db.write().await?;
    let current = with_defaults(&store::preferences(tx.handle(), user).await?);
    let mut changed: Vec<String> = Vec::new();
    let mut details = serde_json::Map::new();
    for p in &wanted {
        if current
            .iter()
            .any(|c| c.kind == p.kind && c.email != p.email)
        {
            store::set_preference(tx.handle(), user, p).await?;
            changed.push(format!("email_{}", p.kind.as_str()));
            details.insert(p.kind.as_str().to_owned(), json!(p.email.as_str()));
        }
    }
    if changed.is_empty() {
        return Ok(current);
    }
    tx.record(event(
        Some(user),
        "notification.preferences_changed",
        "user",
        user,
        None,
        &changed.iter().map(String::as_str).collect::<Vec<_>>(),
        serde_json::Value::Object(details),
    ));
    let after = with_defaults(&store::preferences(tx.handle(), user).await?);
    app.commit(tx).await?;
    Ok(after)
}
