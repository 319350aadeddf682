//! Meetings of a collaboration: whoever may read the collaboration reads its meetings (agenda,
//! attendees and their answers, minutes); coordinators and contributors (`AddContent`) schedule,
//! change and cancel them, shape the agenda, invite people and write the minutes. Attendees are
//! people of active member organisations; each answers for themself. Every change bumps nothing
//! but what it changes, except that a meeting's update and its cancellation bump its iCalendar
//! SEQUENCE in the same UPDATE.
//!
//! Calendars: `/meetings/{id}/calendar.ics` (one meeting, as the reader) and a personal feed URL
//! whose secret token (stored as SHA-256 only) stands for its owner: the feed is built by running
//! the normal policy as that user, so losing access to a collaboration removes its meetings.

use chrono::{DateTime, Utc};
use concord_domain::meeting::{
    AgendaItem, AgendaItemInput, Attendee, AttendeeInput, Direction, Meeting, MeetingFields,
    MeetingInput, MeetingStatus, MinutesInput, Rsvp, RsvpInput, ical,
};
use concord_domain::notification::NotificationKind;
use concord_domain::policy::{self, Actor, CollaborationAction, CollaborationFacts, UserActor};
use concord_domain::{AgendaItemId, CollaborationId, MeetingId, UserId};
use concord_store::meetings as store;
use concord_store::{Handle, WriteTx, users};
use serde_json::json;

use crate::collaborations::{authorize, facts};
use crate::notifications::Notice;
use crate::texts::Text;
use crate::{App, AppError, event, random_bytes, require_user};

/// A collaboration's meetings: those not yet over (soonest first), then past ones (latest first).
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct MeetingList {
    pub upcoming: Vec<Meeting>,
    pub past: Vec<Meeting>,
    /// Whether the reader may schedule meetings here.
    pub can_create: bool,
}

/// A meeting with its agenda and attendees, as one reader sees it.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct MeetingView {
    pub meeting: Meeting,
    pub collaboration_title: String,
    /// In order.
    pub agenda: Vec<AgendaItem>,
    pub attendees: Vec<Attendee>,
    /// Whether the reader may change the meeting, its agenda, attendees and minutes.
    pub can_edit: bool,
    /// The reader's own answer when they are invited.
    pub my_rsvp: Option<Rsvp>,
    /// Whether the meeting has ended (minutes are shown rather than the agenda first).
    pub is_past: bool,
}

/// A person who may be invited or present an item.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct MemberPerson {
    pub user_id: UserId,
    pub display_name: String,
    pub organisation_name: String,
}

async fn meeting_facts(
    h: &mut Handle,
    actor: &Actor,
    meeting: MeetingId,
) -> Result<(CollaborationId, CollaborationFacts), AppError> {
    let collaboration = store::collaboration_of_meeting(h, meeting)
        .await?
        .ok_or(AppError::NotFound)?;
    let f = facts(h, actor, collaboration).await?;
    authorize(actor, &f, CollaborationAction::Read)?;
    Ok((collaboration, f))
}

async fn item_meeting(h: &mut Handle, item: AgendaItemId) -> Result<AgendaItem, AppError> {
    store::get_agenda_item(h, item)
        .await?
        .ok_or(AppError::NotFound)
}

fn split(now: DateTime<Utc>, meetings: Vec<Meeting>) -> (Vec<Meeting>, Vec<Meeting>) {
    let (upcoming, mut past): (Vec<_>, Vec<_>) =
        meetings.into_iter().partition(|m| m.ends_at > now);
    past.reverse();
    (upcoming, past)
}

pub async fn list(
    app: &App,
    actor: &Actor,
    collaboration: CollaborationId,
) -> Result<MeetingList, AppError> {
    let mut h = app.db.read().await?;
    let f = facts(&mut h, actor, collaboration).await?;
    authorize(actor, &f, CollaborationAction::Read)?;
    let (upcoming, past) = split(
        app.now(),
        store::list_meetings(&mut h, collaboration).await?,
    );
    Ok(MeetingList {
        upcoming,
        past,
        can_create: policy::collaboration_allows(actor, &f, CollaborationAction::AddContent),
    })
}

pub async fn get(app: &App, actor: &Actor, id: MeetingId) -> Result<MeetingView, AppError> {
    let mut h = app.db.read().await?;
    let (collaboration, f) = meeting_facts(&mut h, actor, id).await?;
    let meeting = store::get_meeting(&mut h, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let collaboration_title = concord_store::collaborations::get(&mut h, collaboration)
        .await?
        .map(|c| c.title)
        .unwrap_or_default();
    let agenda = store::agenda(&mut h, id).await?;
    let attendees = store::attendees(&mut h, id).await?;
    let my_rsvp = actor
        .user_id()
        .and_then(|me| attendees.iter().find(|a| a.user_id == me).map(|a| a.rsvp));
    Ok(MeetingView {
        is_past: meeting.ends_at <= app.now(),
        meeting,
        collaboration_title,
        agenda,
        attendees,
        can_edit: policy::collaboration_allows(actor, &f, CollaborationAction::AddContent),
        my_rsvp,
    })
}

/// The people who may be invited to, or present at, the collaboration's meetings (editors only).
pub async fn member_people(
    app: &App,
    actor: &Actor,
    collaboration: CollaborationId,
) -> Result<Vec<MemberPerson>, AppError> {
    let mut h = app.db.read().await?;
    let f = facts(&mut h, actor, collaboration).await?;
    authorize(actor, &f, CollaborationAction::AddContent)?;
    Ok(store::member_people(&mut h, collaboration)
        .await?
        .into_iter()
        .map(|(user_id, display_name, organisation_name)| MemberPerson {
            user_id,
            display_name,
            organisation_name,
        })
        .collect())
}

/// What a meeting led to: its decisions and action items, as far as the reader may see them.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct MeetingOutcomes {
    /// Decisions taken at the meeting, latest first.
    pub decisions: Vec<concord_domain::decision::Decision>,
    /// Action items from the meeting, earliest due first, flagged when overdue.
    pub action_items: Vec<concord_domain::decision::ActionItem>,
}

/// The decisions and action items of a meeting the actor may read (`NotFound` otherwise); a
/// decision for chosen organisations, and its items, only for their people.
pub async fn outcomes(
    app: &App,
    actor: &Actor,
    meeting: MeetingId,
) -> Result<MeetingOutcomes, AppError> {
    Ok(MeetingOutcomes {
        decisions: crate::decisions::for_meeting(app, actor, meeting).await?,
        action_items: crate::action_items::for_meeting(app, actor, meeting).await?,
    })
}

fn meeting_details(f: &concord_domain::meeting::MeetingFields) -> serde_json::Value {
    json!({
        "title": f.title, "starts_at": f.starts_at, "ends_at": f.ends_at, "time_zone": f.time_zone,
        "place": f.place, "online_url": f.online_url,
    })
}

/// What attendees are told about a meeting.
struct MeetingNews<'a> {
    meeting: MeetingId,
    collaboration: CollaborationId,
    /// The catalogue key of the headline (`notification-meeting-…`).
    headline: &'static str,
    fields: &'a MeetingFields,
}

/// Tells `recipients` (never the actor) about a meeting, inside the change's transaction: everyone
/// invited may read the meeting, so its title, time and place are theirs to see.
async fn tell(
    app: &App,
    tx: &mut WriteTx,
    actor: UserId,
    recipients: &[UserId],
    news: MeetingNews<'_>,
) -> Result<(), AppError> {
    crate::notifications::notify(
        tx,
        Some(actor),
        app.now(),
        recipients,
        NotificationKind::Meeting,
        &Notice {
            collaboration: Some(news.collaboration),
            title: Text::new(news.headline).with("title", &news.fields.title),
            link: format!("/meetings/{}", news.meeting),
            excerpt: Some(when_and_where(news.fields)),
        },
    )
    .await
}

/// When and where a meeting takes place, for a notification.
fn when_and_where(fields: &MeetingFields) -> Text {
    let when = fields.when();
    match (fields.place.as_deref().map(str::trim), &fields.online_url) {
        (Some(place), _) if !place.is_empty() => Text::new("notification-meeting-at-place")
            .with("when", when)
            .with("place", place),
        (_, Some(_)) => Text::new("notification-meeting-online").with("when", when),
        _ => Text::plain(when),
    }
}

fn fields_of(m: &Meeting) -> MeetingFields {
    MeetingFields {
        title: m.title.clone(),
        starts_at: m.starts_at,
        ends_at: m.ends_at,
        time_zone: m.time_zone.clone(),
        place: m.place.clone(),
        online_url: m.online_url.clone(),
    }
}

/// Schedules a meeting (coordinators and contributors).
pub async fn create(
    app: &App,
    actor: &Actor,
    collaboration: CollaborationId,
    input: &MeetingInput,
) -> Result<MeetingView, AppError> {
    let fields = input.validate();
    let mut tx = app.db.write().await?;
    let f = facts(tx.handle(), actor, collaboration).await?;
    authorize(actor, &f, CollaborationAction::AddContent)?;
    let user = require_user(actor)?;
    let fields = fields?;
    let id = MeetingId::new();
    store::insert_meeting(
        tx.handle(),
        id,
        collaboration,
        &fields,
        Some(user.id),
        app.now(),
    )
    .await?;
    tx.record(event(
        Some(user.id),
        "meeting.created",
        "meeting",
        id,
        Some(collaboration),
        &[
            "title",
            "starts_at",
            "ends_at",
            "time_zone",
            "place",
            "online_url",
        ],
        meeting_details(&fields),
    ));
    app.commit(tx).await?;
    get(app, actor, id).await
}

/// Changes a meeting's details; SEQUENCE goes up by one. Nothing changes, nothing is recorded.
pub async fn update(
    app: &App,
    actor: &Actor,
    id: MeetingId,
    input: &MeetingInput,
) -> Result<MeetingView, AppError> {
    let fields = input.validate();
    let mut tx = app.db.write().await?;
    let (collaboration, f) = meeting_facts(tx.handle(), actor, id).await?;
    authorize(actor, &f, CollaborationAction::AddContent)?;
    let user = require_user(actor)?;
    let fields = fields?;
    let before = store::get_meeting(tx.handle(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    if before.status == MeetingStatus::Cancelled {
        return Err(AppError::Conflict("meeting_cancelled"));
    }
    let changed = concord_domain::audit::changed_fields([
        ("title", before.title != fields.title),
        ("starts_at", before.starts_at != fields.starts_at),
        ("ends_at", before.ends_at != fields.ends_at),
        ("time_zone", before.time_zone != fields.time_zone),
        ("place", before.place != fields.place),
        ("online_url", before.online_url != fields.online_url),
    ]);
    if !changed.is_empty() {
        store::update_meeting(tx.handle(), id, &fields, app.now()).await?;
        tx.record(event(
            Some(user.id),
            "meeting.updated",
            "meeting",
            id,
            Some(collaboration),
            &changed,
            meeting_details(&fields),
        ));
        // A new title alone is not news; a new time or place is.
        if changed.iter().any(|c| *c != "title") {
            let attendees = store::attendee_user_ids(tx.handle(), id).await?;
            let news = MeetingNews {
                meeting: id,
                collaboration,
                headline: "notification-meeting-changed",
                fields: &fields,
            };
            tell(app, &mut tx, user.id, &attendees, news).await?;
        }
        app.commit(tx).await?;
    }
    get(app, actor, id).await
}

/// Cancels a meeting (it stays, marked cancelled, so calendars can remove it).
pub async fn cancel(app: &App, actor: &Actor, id: MeetingId) -> Result<MeetingView, AppError> {
    let mut tx = app.db.write().await?;
    let (collaboration, f) = meeting_facts(tx.handle(), actor, id).await?;
    authorize(actor, &f, CollaborationAction::AddContent)?;
    let user = require_user(actor)?;
    let before = store::get_meeting(tx.handle(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    if store::cancel_meeting(tx.handle(), id, app.now()).await? == 0 {
        return Err(AppError::Conflict("meeting_cancelled"));
    }
    let attendees = store::attendee_user_ids(tx.handle(), id).await?;
    let news = MeetingNews {
        meeting: id,
        collaboration,
        headline: "notification-meeting-cancelled",
        fields: &fields_of(&before),
    };
    tell(app, &mut tx, user.id, &attendees, news).await?;
    tx.record(event(
        Some(user.id),
        "meeting.cancelled",
        "meeting",
        id,
        Some(collaboration),
        &["status"],
        json!({ "status": "cancelled" }),
    ));
    app.commit(tx).await?;
    get(app, actor, id).await
}

async fn check_presenter(
    h: &mut Handle,
    collaboration: CollaborationId,
    presenter: Option<UserId>,
) -> Result<(), AppError> {
    if let Some(p) = presenter
        && !store::is_member_person(h, collaboration, p).await?
    {
        return Err(AppError::invalid("presenter_id", "not_a_member_person"));
    }
    Ok(())
}

/// The meeting an agenda item belongs to (`NotFound` unless the actor may read it).
pub async fn meeting_of_agenda_item(
    app: &App,
    actor: &Actor,
    id: AgendaItemId,
) -> Result<MeetingId, AppError> {
    let mut h = app.db.read().await?;
    let item = item_meeting(&mut h, id).await?;
    meeting_facts(&mut h, actor, item.meeting_id).await?;
    Ok(item.meeting_id)
}

/// Adds an item at the end of the agenda.
pub async fn add_agenda_item(
    app: &App,
    actor: &Actor,
    meeting: MeetingId,
    input: &AgendaItemInput,
) -> Result<AgendaItem, AppError> {
    let fields = input.validate();
    let mut tx = app.db.write().await?;
    let (collaboration, f) = meeting_facts(tx.handle(), actor, meeting).await?;
    authorize(actor, &f, CollaborationAction::AddContent)?;
    let user = require_user(actor)?;
    let fields = fields?;
    check_presenter(tx.handle(), collaboration, fields.presenter_id).await?;
    let id = AgendaItemId::new();
    store::lock_agenda(tx.handle(), meeting).await?;
    let position = store::insert_agenda_item(tx.handle(), id, meeting, &fields, app.now()).await?;
    tx.record(event(
        Some(user.id),
        "agenda_item.added",
        "agenda_item",
        id,
        Some(collaboration),
        &["title", "presenter", "duration_minutes", "notes"],
        json!({ "meeting": meeting, "position": position, "title": fields.title,
                "presenter": fields.presenter_id, "duration_minutes": fields.duration_minutes, "notes": fields.notes }),
    ));
    app.commit(tx).await?;
    let mut h = app.db.read().await?;
    item_meeting(&mut h, id).await
}

/// Changes an agenda item's title, presenter, time box or notes.
pub async fn update_agenda_item(
    app: &App,
    actor: &Actor,
    id: AgendaItemId,
    input: &AgendaItemInput,
) -> Result<AgendaItem, AppError> {
    let fields = input.validate();
    let mut tx = app.db.write().await?;
    let before = item_meeting(tx.handle(), id).await?;
    let (collaboration, f) = meeting_facts(tx.handle(), actor, before.meeting_id).await?;
    authorize(actor, &f, CollaborationAction::AddContent)?;
    let user = require_user(actor)?;
    let fields = fields?;
    check_presenter(tx.handle(), collaboration, fields.presenter_id).await?;
    let changed = concord_domain::audit::changed_fields([
        ("title", before.title != fields.title),
        ("presenter", before.presenter_id != fields.presenter_id),
        (
            "duration_minutes",
            before.duration_minutes != fields.duration_minutes,
        ),
        ("notes", before.notes != fields.notes),
    ]);
    if !changed.is_empty() {
        store::update_agenda_item(tx.handle(), id, &fields, app.now()).await?;
        tx.record(event(
            Some(user.id),
            "agenda_item.updated",
            "agenda_item",
            id,
            Some(collaboration),
            &changed,
            json!({ "meeting": before.meeting_id, "title": fields.title,
                    "presenter": fields.presenter_id, "duration_minutes": fields.duration_minutes, "notes": fields.notes }),
        ));
        app.commit(tx).await?;
    }
    let mut h = app.db.read().await?;
    item_meeting(&mut h, id).await
}

/// Removes an agenda item; the later ones move up one place.
pub async fn delete_agenda_item(
    app: &App,
    actor: &Actor,
    id: AgendaItemId,
) -> Result<MeetingId, AppError> {
    let mut tx = app.db.write().await?;
    let before = item_meeting(tx.handle(), id).await?;
    let (collaboration, f) = meeting_facts(tx.handle(), actor, before.meeting_id).await?;
    authorize(actor, &f, CollaborationAction::AddContent)?;
    let user = require_user(actor)?;
    store::lock_agenda(tx.handle(), before.meeting_id).await?;
    store::delete_agenda_item(tx.handle(), id).await?;
    for (i, item) in store::agenda(tx.handle(), before.meeting_id)
        .await?
        .into_iter()
        .enumerate()
    {
        let position = i64::try_from(i).unwrap_or(i64::MAX - 1) + 1;
        if item.position != position {
            store::set_position(tx.handle(), item.id, position).await?;
        }
    }
    tx.record(event(
        Some(user.id),
        "agenda_item.removed",
        "agenda_item",
        id,
        Some(collaboration),
        &[],
        json!({ "meeting": before.meeting_id, "title": before.title }),
    ));
    app.commit(tx).await?;
    Ok(before.meeting_id)
}

/// Moves an agenda item one place up or down (at either end: no change).
pub async fn move_agenda_item(
    app: &App,
    actor: &Actor,
    id: AgendaItemId,
    direction: Direction,
) -> Result<Vec<AgendaItem>, AppError> {
    let mut tx = app.db.write().await?;
    let item = item_meeting(tx.handle(), id).await?;
    let (collaboration, f) = meeting_facts(tx.handle(), actor, item.meeting_id).await?;
    authorize(actor, &f, CollaborationAction::AddContent)?;
    let user = require_user(actor)?;
    store::lock_agenda(tx.handle(), item.meeting_id).await?;
    let agenda = store::agenda(tx.handle(), item.meeting_id).await?;
    let Some(index) = agenda.iter().position(|a| a.id == id) else {
        return Err(AppError::NotFound);
    };
    let other = match direction {
        Direction::Up => index.checked_sub(1),
        Direction::Down => Some(index + 1).filter(|i| *i < agenda.len()),
    };
    if let Some(other) = other {
        // Renumber the whole agenda 1..n with the two swapped, so positions stay dense.
        let mut order: Vec<AgendaItemId> = agenda.iter().map(|a| a.id).collect();
        order.swap(index, other);
        for (i, item_id) in order.iter().enumerate() {
            let position = i64::try_from(i).unwrap_or(i64::MAX - 1) + 1;
            store::set_position(tx.handle(), *item_id, position).await?;
        }
        tx.record(event(
            Some(user.id),
            "agenda_item.moved",
            "agenda_item",
            id,
            Some(collaboration),
            &["position"],
            json!({ "meeting": item.meeting_id, "direction": direction.as_str(),
                    "position": i64::try_from(other).unwrap_or(0) + 1 }),
        ));
        app.commit(tx).await?;
    }
    let mut h = app.db.read().await?;
    Ok(store::agenda(&mut h, item.meeting_id).await?)
}

/// Writes (or clears) the minutes of an agenda item, during or after the meeting.
pub async fn set_minutes(
    app: &App,
    actor: &Actor,
    id: AgendaItemId,
    input: &MinutesInput,
) -> Result<AgendaItem, AppError> {
    let minutes = input.validate();
    let mut tx = app.db.write().await?;
    let before = item_meeting(tx.handle(), id).await?;
    let (collaboration, f) = meeting_facts(tx.handle(), actor, before.meeting_id).await?;
    authorize(actor, &f, CollaborationAction::AddContent)?;
    let user = require_user(actor)?;
    let minutes = minutes?;
    if before.minutes != minutes {
        store::set_minutes(tx.handle(), id, minutes.as_deref(), app.now()).await?;
        tx.record(event(
            Some(user.id),
            "agenda_item.minutes_written",
            "agenda_item",
            id,
            Some(collaboration),
            &["minutes"],
            json!({ "meeting": before.meeting_id, "minutes": minutes }),
        ));
        app.commit(tx).await?;
    }
    let mut h = app.db.read().await?;
    item_meeting(&mut h, id).await
}

/// Invites a person of an active member organisation (`not_a_member_person` otherwise).
pub async fn add_attendee(
    app: &App,
    actor: &Actor,
    meeting: MeetingId,
    input: &AttendeeInput,
) -> Result<Vec<Attendee>, AppError> {
    let mut tx = app.db.write().await?;
    let (collaboration, f) = meeting_facts(tx.handle(), actor, meeting).await?;
    authorize(actor, &f, CollaborationAction::AddContent)?;
    let user = require_user(actor)?;
    let invitee = input
        .user_id
        .trim()
        .parse::<UserId>()
        .map_err(|_| AppError::invalid("user_id", "invalid_choice"))?;
    if !store::is_member_person(tx.handle(), collaboration, invitee).await? {
        return Err(AppError::invalid("user_id", "not_a_member_person"));
    }
    if store::add_attendee(tx.handle(), meeting, invitee, app.now()).await? > 0 {
        tx.record(event(
            Some(user.id),
            "meeting.attendee_added",
            "meeting",
            meeting,
            Some(collaboration),
            &["attendees"],
            json!({ "user": invitee }),
        ));
        let invited = store::get_meeting(tx.handle(), meeting)
            .await?
            .ok_or(AppError::NotFound)?;
        if invited.status != MeetingStatus::Cancelled && invited.ends_at > app.now() {
            let news = MeetingNews {
                meeting,
                collaboration,
                headline: "notification-meeting-invited",
                fields: &fields_of(&invited),
            };
            tell(app, &mut tx, user.id, &[invitee], news).await?;
        }
        app.commit(tx).await?;
    }
    let mut h = app.db.read().await?;
    Ok(store::attendees(&mut h, meeting).await?)
}

/// Withdraws an invitation (404 when that person is not invited).
pub async fn remove_attendee(
    app: &App,
    actor: &Actor,
    meeting: MeetingId,
    invitee: UserId,
) -> Result<Vec<Attendee>, AppError> {
    let mut tx = app.db.write().await?;
    let (collaboration, f) = meeting_facts(tx.handle(), actor, meeting).await?;
    authorize(actor, &f, CollaborationAction::AddContent)?;
    let user = require_user(actor)?;
    if store::remove_attendee(tx.handle(), meeting, invitee).await? == 0 {
        return Err(AppError::NotFound);
    }
    tx.record(event(
        Some(user.id),
        "meeting.attendee_removed",
        "meeting",
        meeting,
        Some(collaboration),
        &["attendees"],
        json!({ "user": invitee }),
    ));
    app.commit(tx).await?;
    let mut h = app.db.read().await?;
    Ok(store::attendees(&mut h, meeting).await?)
}

/// The signed-in attendee answers for themself. Someone not invited gets 422 `invalid_input`
/// with `response: not_invited`, and nothing is stored.
pub async fn rsvp(
    app: &App,
    actor: &Actor,
    meeting: MeetingId,
    input: &RsvpInput,
) -> Result<MeetingView, AppError> {
    let answer = input.validate();
    let mut tx = app.db.write().await?;
    let (collaboration, _) = meeting_facts(tx.handle(), actor, meeting).await?;
    let user = require_user(actor)?;
    let answer = answer?;
    if store::set_rsvp(tx.handle(), meeting, user.id, answer, app.now()).await? == 0 {
        return Err(AppError::invalid("response", "not_invited"));
    }
    tx.record(event(
        Some(user.id),
        "meeting.rsvp",
        "meeting",
        meeting,
        Some(collaboration),
        &["rsvp"],
        json!({ "rsvp": answer.as_str() }),
    ));
    app.commit(tx).await?;
    get(app, actor, meeting).await
}

// ---------------------------------------------------------------------------------------------
// iCalendar

/// The plain-text agenda of a meeting (for DESCRIPTION).
fn agenda_text(agenda: &[AgendaItem]) -> String {
    agenda
        .iter()
        .map(|a| {
            let who = a
                .presenter_name
                .as_deref()
                .map(|n| format!(" – {n}"))
                .unwrap_or_default();
            format!(
                "{}. {} ({} min){who}",
                a.position, a.title, a.duration_minutes
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

async fn ics_event(
    h: &mut Handle,
    actor: &Actor,
    f: &CollaborationFacts,
    meeting: Meeting,
    base_url: &str,
    now: DateTime<Utc>,
) -> Result<ical::Event, AppError> {
    let agenda = store::agenda(h, meeting.id).await?;
    let attendees = store::attendees(h, meeting.id).await?;
    // Email addresses are personal data: only readers allowed to see it get mailto: addresses.
    let emails = if policy::collaboration_allows(actor, f, CollaborationAction::ReadPersonalData) {
        store::attendee_emails(h, meeting.id).await?
    } else {
        Vec::new()
    };
    let attendees = attendees
        .into_iter()
        .map(|a| {
            let address = emails
                .iter()
                .find(|(u, _)| *u == a.user_id)
                .map(|(_, e)| format!("mailto:{e}"))
                .unwrap_or_else(|| format!("urn:uuid:{}", a.user_id));
            (a.display_name, address, a.rsvp.partstat())
        })
        .collect();
    let location = match (&meeting.place, &meeting.online_url) {
        (Some(p), _) => Some(p.clone()),
        (None, Some(u)) => Some(u.clone()),
        (None, None) => None,
    };
    Ok(ical::Event {
        uid: format!("{}@concord", meeting.id),
        dtstamp: now,
        starts_at: meeting.starts_at,
        ends_at: meeting.ends_at,
        summary: meeting.title,
        location,
        url: Some(
            meeting
                .online_url
                .clone()
                .unwrap_or_else(|| format!("{base_url}/meetings/{}", meeting.id)),
        ),
        description: agenda_text(&agenda),
        sequence: meeting.sequence,
        cancelled: meeting.status == MeetingStatus::Cancelled,
        attendees,
    })
}

/// One meeting as an iCalendar file (METHOD:CANCEL once cancelled). `base_url` makes its link.
pub async fn ics(
    app: &App,
    actor: &Actor,
    id: MeetingId,
    base_url: &str,
) -> Result<String, AppError> {
    let mut h = app.db.read().await?;
    let (_, f) = meeting_facts(&mut h, actor, id).await?;
    let meeting = store::get_meeting(&mut h, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let cancelled = meeting.status == MeetingStatus::Cancelled;
    let name = meeting.title.clone();
    let event = ics_event(&mut h, actor, &f, meeting, base_url, app.now()).await?;
    Ok(ical::calendar(&name, cancelled, &[event]))
}

/// Whether the actor has a feed URL, and since when.
pub async fn feed_created_at(app: &App, actor: &Actor) -> Result<Option<DateTime<Utc>>, AppError> {
    let user = require_user(actor)?;
    let mut h = app.db.read().await?;
    Ok(store::feed_created_at(&mut h, user.id).await?)
}

/// Creates (or replaces: the old URL stops working) the actor's feed token; returns the secret,
/// shown once.
pub async fn create_feed(app: &App, actor: &Actor) -> Result<String, AppError> {
    let user = require_user(actor)?;
    let token = hex::encode(random_bytes::<32>());
    let mut tx = app.db.write().await?;
    let existed = store::feed_created_at(tx.handle(), user.id)
        .await?
        .is_some();
    store::put_feed(
        tx.handle(),
        user.id,
        &crate::auth::credential_hash(&token),
        app.now(),
    )
    .await?;
    tx.record(event(
        Some(user.id),
        if existed {
            "calendar_feed.regenerated"
        } else {
            "calendar_feed.created"
        },
        "user",
        user.id,
        None,
        &[],
        json!({}),
    ));
    app.commit(tx).await?;
    Ok(token)
}

/// Revokes the actor's feed URL (it then answers 404).
pub async fn revoke_feed(app: &App, actor: &Actor) -> Result<(), AppError> {
    let user = require_user(actor)?;
    let mut tx = app.db.write().await?;
    if store::delete_feed(tx.handle(), user.id).await? == 0 {
        return Err(AppError::NotFound);
    }
    tx.record(event(
        Some(user.id),
        "calendar_feed.revoked",
        "user",
        user.id,
        None,
        &[],
        json!({}),
    ));
    app.commit(tx).await?;
    Ok(())
}

/// The feed behind a secret token: every meeting its owner is invited to in collaborations they
/// may still read (cancelled ones too, marked so). An unknown or revoked token is `NotFound`.
pub async fn feed(app: &App, token: &str, base_url: &str) -> Result<String, AppError> {
    let mut h = app.db.read().await?;
    let user_id = store::feed_user(&mut h, &crate::auth::credential_hash(token.trim()))
        .await?
        .ok_or(AppError::NotFound)?;
    let user = users::get(&mut h, user_id)
        .await?
        .filter(|u| u.active)
        .ok_or(AppError::NotFound)?;
    let actor = Actor::User(UserActor {
        id: user.id,
        organisation_id: user.organisation_id,
        org_role: user.org_role,
        platform_admin: user.platform_admin,
    });
    let now = app.now();
    let mut events = Vec::new();
    let mut checked: Vec<(CollaborationId, Option<CollaborationFacts>)> = Vec::new();
    for meeting in store::meetings_of_attendee(&mut h, user.id).await? {
        let f = match checked.iter().find(|(c, _)| *c == meeting.collaboration_id) {
            Some((_, f)) => *f,
            None => {
                let f = match facts(&mut h, &actor, meeting.collaboration_id).await {
                    Ok(f)
                        if policy::collaboration_allows(&actor, &f, CollaborationAction::Read) =>
                    {
                        Some(f)
                    }
                    Ok(_) | Err(AppError::NotFound) => None,
                    Err(e) => return Err(e),
                };
                checked.push((meeting.collaboration_id, f));
                f
            }
        };
        if let Some(f) = f {
            events.push(ics_event(&mut h, &actor, &f, meeting, base_url, now).await?);
        }
    }
    Ok(ical::calendar(
        &format!("Concord – {}", user.display_name),
        false,
        &events,
    ))
}
