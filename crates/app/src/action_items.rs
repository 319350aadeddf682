//! Action items: a title, an owner named on the collaboration, a due date and a status (open, done,
//! cancelled), optionally linked to a decision, a meeting and an objective of the same
//! collaboration. An item linked to a decision is visible exactly where that decision is; any
//! other item where the collaboration is (404 elsewhere, and lists filter in SQL). People who may
//! add content create and edit items; the owner, too, may change an item's status. Every change is
//! audited.
//!
//! The owner is told (`action_item_assigned`) when an item is created for them or handed to them
//! by someone else, and once on the day it falls due if still open ([`notify_due`]).

use std::collections::HashMap;

use chrono::NaiveDate;
use concord_domain::decision::{
    ActionItem, ActionItemFields, ActionItemInput, ActionItemStatus, ActionItemStatusInput,
};
use concord_domain::notification::NotificationKind;
use concord_domain::policy::{self, Actor, CollaborationAction, CollaborationFacts};
use concord_domain::{ActionItemId, CollaborationId, FieldErrors, MeetingId, UserId};
use concord_store::decisions::{self as store, ItemFilter};
use concord_store::{
    Handle, WriteTx, collaborations as collab_store, objectives as objective_store,
};
use serde_json::json;

use crate::collaborations::authorize;
use crate::decisions::{readable as readable_decision, scope};
use crate::notifications::Notice;
use crate::texts::Text;
use crate::{App, AppError, Page, clamp_limit, decode_cursor, event, paginate, require_user};

/// The collaboration and facts of an action item the actor may read; `NotFound` otherwise.
async fn readable(
    h: &mut Handle,
    actor: &Actor,
    id: ActionItemId,
) -> Result<(CollaborationId, CollaborationFacts), AppError> {
    let (collaboration, decision) = store::action_item_access(h, id)
        .await?
        .ok_or(AppError::NotFound)?;
    match decision {
        Some(decision) => {
            let (_, f, _) = readable_decision(h, actor, decision).await?;
            Ok((collaboration, f))
        }
        None => {
            let (f, scope) = scope(h, actor, collaboration).await?;
            if !scope.can_read {
                return Err(AppError::NotFound);
            }
            Ok((collaboration, f))
        }
    }
}

fn with_overdue(mut item: ActionItem, today: NaiveDate) -> ActionItem {
    item.overdue = item.is_overdue(today);
    item
}

/// A collaboration's action items, one page.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ActionItemList {
    pub items: Vec<ActionItem>,
    pub next_cursor: Option<String>,
    /// Whether the reader may create action items here.
    pub can_create: bool,
}

/// List filters as typed; empty values are ignored.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct ItemQuery {
    /// open, done or cancelled.
    pub status: Option<String>,
    /// Only the items of this person.
    pub owner: Option<String>,
}

impl ItemQuery {
    fn filter(&self) -> Result<ItemFilter, AppError> {
        let mut errors = FieldErrors::new();
        let status = self
            .status
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .and_then(|s| {
                let parsed = ActionItemStatus::parse(s);
                if parsed.is_none() {
                    errors.add("status", "invalid_choice");
                }
                parsed
            });
        let owner = self
            .owner
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .and_then(|s| match s.parse::<UserId>() {
                Ok(id) => Some(id),
                Err(_) => {
                    errors.add("owner", "invalid_choice");
                    None
                }
            });
        Ok(errors.into_result(ItemFilter { status, owner })?)
    }
}

fn cursor_of(item: &ActionItem) -> String {
    format!("{}|{}", item.due_on, item.id)
}

/// The collaboration's action items the reader may see, earliest due first. Like the decision
/// register, it exists for a reader who may not read the collaboration only when it has public
/// decisions.
pub async fn list(
    app: &App,
    actor: &Actor,
    collaboration: CollaborationId,
    query: &ItemQuery,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> Result<ActionItemList, AppError> {
    let limit = clamp_limit(limit);
    let filter = query.filter()?;
    let after = decode_cursor(cursor)?
        .map(|text| {
            text.split_once('|')
                .and_then(|(day, id)| {
                    Some((
                        NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?,
                        id.parse::<ActionItemId>().ok()?,
                    ))
                })
                .ok_or_else(|| AppError::invalid("cursor", "invalid_cursor"))
        })
        .transpose()?;
    let mut h = app.db.read().await?;
    let (f, scope) = scope(&mut h, actor, collaboration).await?;
    if !scope.can_read && !store::has_public_decisions(&mut h, collaboration).await? {
        return Err(AppError::NotFound);
    }
    let rows =
        store::list_action_items(&mut h, collaboration, scope, &filter, after, limit + 1).await?;
    let today = app.now().date_naive();
    let Page { items, next_cursor } = paginate(rows, limit, cursor_of);
    Ok(ActionItemList {
        items: items.into_iter().map(|i| with_overdue(i, today)).collect(),
        next_cursor,
        can_create: policy::collaboration_allows(actor, &f, CollaborationAction::AddContent),
    })
}

/// An action item with what the reader may do to it.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ActionItemView {
    pub item: ActionItem,
    /// People who may add content edit items.
    pub can_edit: bool,
    /// The owner, and people who may add content, change the status.
    pub can_set_status: bool,
}

fn may_set_status(actor: &Actor, f: &CollaborationFacts, owner: UserId) -> bool {
    policy::collaboration_allows(actor, f, CollaborationAction::AddContent)
        || actor.user_id() == Some(owner)
}

pub async fn get(app: &App, actor: &Actor, id: ActionItemId) -> Result<ActionItemView, AppError> {
    let mut h = app.db.read().await?;
    let (_, f) = readable(&mut h, actor, id).await?;
    let item = store::get_action_item(&mut h, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(ActionItemView {
        can_edit: policy::collaboration_allows(actor, &f, CollaborationAction::AddContent),
        can_set_status: may_set_status(actor, &f, item.owner_id),
        item: with_overdue(item, app.now().date_naive()),
    })
}

/// The action items of a meeting the actor may see, earliest due first (for the meeting page).
pub async fn for_meeting(
    app: &App,
    actor: &Actor,
    meeting: MeetingId,
) -> Result<Vec<ActionItem>, AppError> {
    let mut h = app.db.read().await?;
    let (collaboration, _) = store::meeting(&mut h, meeting)
        .await?
        .ok_or(AppError::NotFound)?;
    let (_, scope) = scope(&mut h, actor, collaboration).await?;
    if !scope.can_read {
        return Err(AppError::NotFound);
    }
    let today = app.now().date_naive();
    Ok(
        store::action_items_for_meeting(&mut h, collaboration, scope, meeting)
            .await?
            .into_iter()
            .map(|i| with_overdue(i, today))
            .collect(),
    )
}

/// The open action items the actor owns, across their collaborations, earliest due first, each
/// flagged when overdue (home page; items the actor may no longer see are left out).
pub async fn mine(app: &App, actor: &Actor) -> Result<Vec<ActionItem>, AppError> {
    let user = require_user(actor)?;
    let mut h = app.db.read().await?;
    let today = app.now().date_naive();
    let mut scopes = HashMap::new();
    let mut out = Vec::new();
    for item in store::open_action_items_for(&mut h, user.id).await? {
        let visible = match item.decision_id {
            Some(decision) => match readable_decision(&mut h, actor, decision).await {
                Ok(_) => true,
                Err(AppError::NotFound) => false,
                Err(error) => return Err(error),
            },
            None => match scopes.get(&item.collaboration_id) {
                Some(can_read) => *can_read,
                None => {
                    let (_, s) = scope(&mut h, actor, item.collaboration_id).await?;
                    scopes.insert(item.collaboration_id, s.can_read);
                    s.can_read
                }
            },
        };
        if visible {
            out.push(with_overdue(item, today));
        }
    }
    Ok(out)
}

/// The owner is named on the collaboration, and every link points into it (and, for a decision,
/// one the author and the owner can both see).
async fn check_links(
    h: &mut Handle,
    actor: &Actor,
    collaboration: CollaborationId,
    fields: &ActionItemFields,
) -> Result<(), AppError> {
    let mut errors = FieldErrors::new();
    if collab_store::person_role(h, collaboration, fields.owner_id)
        .await?
        .is_none()
    {
        errors.add("owner_id", "not_named_on_collaboration");
    }
    if let Some(decision) = fields.decision_id {
        let same = match readable_decision(h, actor, decision).await {
            Ok((c, _, _)) => c == collaboration,
            Err(AppError::NotFound) => false,
            Err(error) => return Err(error),
        };
        if !same {
            errors.add("decision_id", "not_in_collaboration");
        } else if errors.for_field("owner_id").is_none()
            && !crate::decisions::person_may_read(h, decision, fields.owner_id).await?
        {
            errors.add("owner_id", "cannot_see_decision");
        }
    }
    if let Some(meeting) = fields.meeting_id
        && store::meeting(h, meeting)
            .await?
            .is_none_or(|(c, _)| c != collaboration)
    {
        errors.add("meeting_id", "not_in_collaboration");
    }
    if let Some(objective) = fields.objective_id
        && objective_store::collaboration_of(h, objective).await? != Some(collaboration)
    {
        errors.add("objective_id", "not_in_collaboration");
    }
    errors.into_result(())?;
    Ok(())
}

fn details(fields: &ActionItemFields) -> serde_json::Value {
    json!({
        "title": fields.title,
        "owner_id": fields.owner_id,
        "due_on": fields.due_on,
        "decision_id": fields.decision_id,
        "meeting_id": fields.meeting_id,
        "objective_id": fields.objective_id,
    })
}

/// Creates an open action item (people who may add content). Tell the owner (see the module doc).
pub async fn create(
    app: &App,
    actor: &Actor,
    collaboration: CollaborationId,
    input: &ActionItemInput,
) -> Result<ActionItemView, AppError> {
    let fields = input.validate()?;
    let mut tx = app.db.write().await?;
    let f = crate::collaborations::facts(tx.handle(), actor, collaboration).await?;
    authorize(actor, &f, CollaborationAction::AddContent)?;
    check_links(tx.handle(), actor, collaboration, &fields).await?;
    let id = ActionItemId::new();
    store::insert_action_item(
        tx.handle(),
        id,
        collaboration,
        &fields,
        actor.user_id(),
        app.now(),
    )
    .await?;
    let changed = concord_domain::audit::changed_fields([
        ("title", true),
        ("owner_id", true),
        ("due_on", true),
        ("decision_id", fields.decision_id.is_some()),
        ("meeting_id", fields.meeting_id.is_some()),
        ("objective_id", fields.objective_id.is_some()),
    ]);
    tx.record(event(
        actor.user_id(),
        "action_item.created",
        "action_item",
        id,
        Some(collaboration),
        &changed,
        details(&fields),
    ));
    let owner = concord_domain::decision::newly_assigned(None, fields.owner_id, actor.user_id());
    tell_owner(app, &mut tx, actor, id, collaboration, &fields, owner).await?;
    app.commit(tx).await?;
    get(app, actor, id).await
}

/// Replaces an action item's fields (people who may add content). An edit that changes nothing
/// records nothing. Tell the new owner when the owner changed (see the module doc).
pub async fn update(
    app: &App,
    actor: &Actor,
    id: ActionItemId,
    input: &ActionItemInput,
) -> Result<ActionItemView, AppError> {
    let fields = input.validate()?;
    let mut tx = app.db.write().await?;
    let (collaboration, f) = readable(tx.handle(), actor, id).await?;
    authorize(actor, &f, CollaborationAction::AddContent)?;
    check_links(tx.handle(), actor, collaboration, &fields).await?;
    let before = store::get_action_item(tx.handle(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let changed = concord_domain::audit::changed_fields([
        ("title", before.title != fields.title),
        ("owner_id", before.owner_id != fields.owner_id),
        ("due_on", before.due_on != fields.due_on),
        ("decision_id", before.decision_id != fields.decision_id),
        (
            "meeting_id",
            before.meeting.as_ref().map(|m| m.id) != fields.meeting_id,
        ),
        ("objective_id", before.objective_id != fields.objective_id),
    ]);
    if !changed.is_empty() {
        store::update_action_item(tx.handle(), id, &fields, app.now()).await?;
        tx.record(event(
            actor.user_id(),
            "action_item.updated",
            "action_item",
            id,
            Some(collaboration),
            &changed,
            details(&fields),
        ));
        let owner = concord_domain::decision::newly_assigned(
            Some(before.owner_id),
            fields.owner_id,
            actor.user_id(),
        );
        tell_owner(app, &mut tx, actor, id, collaboration, &fields, owner).await?;
        app.commit(tx).await?;
    }
    get(app, actor, id).await
}

/// Tells a newly assigned owner (not someone who assigned themself), in the change's transaction;
/// `check_links` made sure the owner may see the item and its decision.
async fn tell_owner(
    app: &App,
    tx: &mut WriteTx,
    actor: &Actor,
    id: ActionItemId,
    collaboration: CollaborationId,
    fields: &ActionItemFields,
    owner: Option<UserId>,
) -> Result<(), AppError> {
    let Some(owner) = owner else {
        return Ok(());
    };
    crate::notifications::notify(
        tx,
        actor.user_id(),
        app.now(),
        &[owner],
        NotificationKind::ActionItemAssigned,
        &Notice {
            collaboration: Some(collaboration),
            title: Text::new("notification-action-item-assigned").with("title", &fields.title),
            link: format!("/collaborations/{collaboration}/action-items#item-{id}"),
            excerpt: Some(Text::new("notification-due-on").with("date", fields.due_on.to_string())),
        },
    )
    .await
}

/// Sets an action item's status (its owner, or people who may add content). Setting the status it
/// already has records nothing.
pub async fn set_status(
    app: &App,
    actor: &Actor,
    id: ActionItemId,
    input: &ActionItemStatusInput,
) -> Result<ActionItemView, AppError> {
    let status = input.validate()?;
    let mut tx = app.db.write().await?;
    let (collaboration, f) = readable(tx.handle(), actor, id).await?;
    require_user(actor)?;
    let before = store::get_action_item(tx.handle(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !may_set_status(actor, &f, before.owner_id) {
        return Err(AppError::Forbidden);
    }
    if before.status != status {
        store::set_action_item_status(tx.handle(), id, status, app.now()).await?;
        tx.record(event(
            actor.user_id(),
            "action_item.status_changed",
            "action_item",
            id,
            Some(collaboration),
            &["status"],
            json!({ "from": before.status, "to": status }),
        ));
        app.commit(tx).await?;
    }
    get(app, actor, id).await
}

/// Once a day: tells the owner of every open action item due `day` (kind `action_item_due`).
/// The day's claim is taken in the transaction that writes the notifications, so across servers
/// and restarts the owners are told exactly once; a day with nothing due leaves no trace.
pub async fn notify_due(app: &App, day: NaiveDate) -> Result<usize, AppError> {
    let mut tx = app.db.write().await?;
    let now = app.now();
    if !concord_store::notifications::claim_daily_job(tx.handle(), "action_item_due", day, now)
        .await?
    {
        return Ok(0);
    }
    let due = store::open_items_due_on(tx.handle(), day).await?;
    if due.is_empty() {
        return Ok(0);
    }
    for item in &due {
        crate::notifications::notify(
            &mut tx,
            None,
            now,
            &[item.owner_id],
            NotificationKind::ActionItemDue,
            &Notice {
                collaboration: Some(item.collaboration_id),
                title: Text::new("notification-action-item-due").with("title", &item.title),
                link: format!(
                    "/collaborations/{}/action-items#item-{}",
                    item.collaboration_id, item.id
                ),
                excerpt: Some(Text::plain(&item.collaboration_title)),
            },
        )
        .await?;
    }
    tx.record(event(
        None,
        "notification.due_reminders_queued",
        "outbox",
        day,
        None,
        &["status"],
        json!({ "action_items": due.len() }),
    ));
    app.commit(tx).await?;
    Ok(due.len())
}
