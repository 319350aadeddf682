//! The decision register. A decision is read where its visibility allows
//! (`concord_domain::decision::ReadScope`): everyone for `public` (even on a partners-only
//! collaboration), the collaboration's readers for `collaboration`, members for `members`, the
//! people of the chosen organisations for `organisations`. To everyone else it does not exist (404),
//! and lists filter in SQL. People who may add content (coordinators, contributors) record and edit
//! decisions; each change is audited with the fields it changed.

use chrono::NaiveDate;
use concord_domain::collaboration::{
    MembershipStatus, OrganisationMember, PersonMember, Visibility,
};
use concord_domain::decision::{
    self as domain, ActionItem, Decision, DecisionFields, DecisionInput, DecisionVisibility,
    MeetingRef, ReadScope,
};
use concord_domain::notification::NotificationKind;
use concord_domain::policy::{self, Actor, CollaborationAction, CollaborationFacts};
use concord_domain::{CollaborationId, DecisionId, FieldErrors, MeetingId, OrganisationId, UserId};
use concord_store::decisions::{self as store, DecisionFilter};
use concord_store::{Handle, collaborations as collab_store};
use serde_json::json;

use crate::collaborations::{authorize, facts};
use crate::notifications::Notice;
use crate::texts::Text;
use crate::{App, AppError, Page, clamp_limit, decode_cursor, event, paginate, require_user};

/// The reader's facts and read scope for a collaboration (`NotFound` when it does not exist).
pub(crate) async fn scope(
    h: &mut Handle,
    actor: &Actor,
    collaboration: CollaborationId,
) -> Result<(CollaborationFacts, ReadScope), AppError> {
    let f = facts(h, actor, collaboration).await?;
    Ok((f, ReadScope::of(actor, &f)))
}

/// The collaboration, facts and scope of a decision the actor may read; `NotFound` otherwise.
pub(crate) async fn readable(
    h: &mut Handle,
    actor: &Actor,
    id: DecisionId,
) -> Result<(CollaborationId, CollaborationFacts, ReadScope), AppError> {
    let (collaboration, visibility, audience) = store::decision_access(h, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (f, scope) = scope(h, actor, collaboration).await?;
    if !scope.allows(visibility, &audience) {
        return Err(AppError::NotFound);
    }
    Ok((collaboration, f, scope))
}

/// Register filters as typed (query string or form); empty values are ignored.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct RegisterQuery {
    /// Decided on or after (`YYYY-MM-DD`).
    pub from: Option<String>,
    /// Decided on or before (`YYYY-MM-DD`).
    pub to: Option<String>,
    /// Only decisions of this meeting.
    pub meeting: Option<String>,
    /// Only decisions with this visibility.
    pub visibility: Option<String>,
    /// Words in the title.
    pub q: Option<String>,
}

fn filled(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl RegisterQuery {
    fn filter(&self) -> Result<DecisionFilter, AppError> {
        let mut errors = FieldErrors::new();
        let mut day = |field: &str, raw: &Option<String>| {
            filled(raw).and_then(|d| match NaiveDate::parse_from_str(d, "%Y-%m-%d") {
                Ok(day) => Some(day),
                Err(_) => {
                    errors.add(field, "invalid_date");
                    None
                }
            })
        };
        let from = day("from", &self.from);
        let to = day("to", &self.to);
        let meeting = filled(&self.meeting).and_then(|m| match m.parse::<MeetingId>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.add("meeting", "invalid_choice");
                None
            }
        });
        let visibility = filled(&self.visibility).and_then(|v| {
            let parsed = DecisionVisibility::parse(v);
            if parsed.is_none() {
                errors.add("visibility", "invalid_choice");
            }
            parsed
        });
        Ok(errors.into_result(DecisionFilter {
            from,
            to,
            meeting,
            visibility,
            text: filled(&self.q).map(str::to_owned),
        })?)
    }
}

/// One page of a register.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct DecisionList {
    pub items: Vec<Decision>,
    pub next_cursor: Option<String>,
    /// Whether the reader may record a decision here.
    pub can_create: bool,
}

fn cursor_of(d: &Decision) -> String {
    format!("{}|{}", d.decided_on, d.id)
}

fn parse_cursor(cursor: Option<&str>) -> Result<Option<(NaiveDate, DecisionId)>, AppError> {
    decode_cursor(cursor)?
        .map(|text| {
            text.split_once('|')
                .and_then(|(day, id)| {
                    Some((
                        NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?,
                        id.parse::<DecisionId>().ok()?,
                    ))
                })
                .ok_or_else(|| AppError::invalid("cursor", "invalid_cursor"))
        })
        .transpose()
}

/// A collaboration's decisions the reader may see, latest decided first. A reader who may not read
/// the collaboration sees its register only when it has public decisions (else 404).
pub async fn list(
    app: &App,
    actor: &Actor,
    collaboration: CollaborationId,
    query: &RegisterQuery,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> Result<DecisionList, AppError> {
    let limit = clamp_limit(limit);
    let filter = query.filter()?;
    let before = parse_cursor(cursor)?;
    let mut h = app.db.read().await?;
    let (f, scope) = scope(&mut h, actor, collaboration).await?;
    if !scope.can_read && !store::has_public_decisions(&mut h, collaboration).await? {
        return Err(AppError::NotFound);
    }
    let rows =
        store::list_decisions(&mut h, collaboration, scope, &filter, before, limit + 1).await?;
    let Page { items, next_cursor } = paginate(rows, limit, cursor_of);
    Ok(DecisionList {
        items,
        next_cursor,
        can_create: policy::collaboration_allows(actor, &f, CollaborationAction::AddContent),
    })
}

/// Public decisions across every collaboration, latest decided first (anyone, anonymous too).
pub async fn public(
    app: &App,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> Result<DecisionList, AppError> {
    let limit = clamp_limit(limit);
    let before = parse_cursor(cursor)?;
    let mut h = app.db.read().await?;
    let rows = store::public_decisions(&mut h, before, limit + 1).await?;
    let Page { items, next_cursor } = paginate(rows, limit, cursor_of);
    Ok(DecisionList {
        items,
        next_cursor,
        can_create: false,
    })
}

/// A decision with the action items it caused.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct DecisionView {
    pub decision: Decision,
    /// Earliest due first.
    pub action_items: Vec<ActionItem>,
    /// Whether the reader may edit it (and add action items to it).
    pub can_edit: bool,
}

pub async fn get(app: &App, actor: &Actor, id: DecisionId) -> Result<DecisionView, AppError> {
    let mut h = app.db.read().await?;
    let (_, f, _) = readable(&mut h, actor, id).await?;
    let decision = store::get_decision(&mut h, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let today = app.now().date_naive();
    let action_items = store::action_items_for_decision(&mut h, id)
        .await?
        .into_iter()
        .map(|mut item| {
            item.overdue = item.is_overdue(today);
            item
        })
        .collect();
    Ok(DecisionView {
        decision,
        action_items,
        can_edit: policy::collaboration_allows(actor, &f, CollaborationAction::AddContent),
    })
}

/// The decisions of a meeting the actor may see, earliest first (for the meeting page). An unknown
/// meeting, or one of a collaboration the actor may not read, answers `NotFound`.
pub async fn for_meeting(
    app: &App,
    actor: &Actor,
    meeting: MeetingId,
) -> Result<Vec<Decision>, AppError> {
    let mut h = app.db.read().await?;
    let (collaboration, _) = store::meeting(&mut h, meeting)
        .await?
        .ok_or(AppError::NotFound)?;
    let (_, scope) = scope(&mut h, actor, collaboration).await?;
    if !scope.can_read {
        return Err(AppError::NotFound);
    }
    Ok(store::decisions_for_meeting(&mut h, collaboration, scope, meeting).await?)
}

/// What a decision form offers: the people and active organisations of the collaboration, its
/// meetings, and whether `public` is allowed.
#[derive(Clone, Debug, serde::Serialize)]
pub struct FormChoices {
    pub collaboration_title: String,
    pub collaboration_visibility: Visibility,
    pub people: Vec<PersonMember>,
    pub organisations: Vec<OrganisationMember>,
    pub meetings: Vec<MeetingRef>,
}

/// The choices of the decision and action item forms, for someone who may add content.
pub async fn form_choices(
    app: &App,
    actor: &Actor,
    collaboration: CollaborationId,
) -> Result<FormChoices, AppError> {
    let mut h = app.db.read().await?;
    let f = facts(&mut h, actor, collaboration).await?;
    authorize(actor, &f, CollaborationAction::AddContent)?;
    let c = collab_store::get(&mut h, collaboration)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(FormChoices {
        collaboration_title: c.title,
        collaboration_visibility: f.visibility,
        people: collab_store::people(&mut h, collaboration).await?,
        organisations: collab_store::organisation_members(&mut h, collaboration)
            .await?
            .into_iter()
            .filter(|m| m.status == MembershipStatus::Active)
            .collect(),
        meetings: store::meetings_of(&mut h, collaboration).await?,
    })
}

/// The checks that need the database: the meeting and people belong to the collaboration, the
/// visibility fits it, the audience names active members including the author's own.
async fn check_links(
    h: &mut Handle,
    actor: &Actor,
    collaboration: CollaborationId,
    f: &CollaborationFacts,
    fields: &DecisionFields,
) -> Result<(), AppError> {
    let user = require_user(actor)?;
    let mut errors = FieldErrors::new();
    if let Some(meeting) = fields.meeting_id {
        let found = store::meeting(h, meeting).await?;
        if found.is_none_or(|(c, _)| c != collaboration) {
            errors.add("meeting_id", "not_in_collaboration");
        }
    }
    for person in &fields.decided_by {
        if collab_store::person_role(h, collaboration, *person)
            .await?
            .is_none()
        {
            errors.add("decided_by", "not_named_on_collaboration");
            break;
        }
    }
    if !domain::visibility_fits(f.visibility, fields.visibility) {
        errors.add("visibility", "public_on_confidential");
    }
    for org in &fields.audience {
        if !matches!(
            collab_store::organisation_membership(h, collaboration, *org).await?,
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
    Ok(())
}

/// Records a decision (people who may add content).
pub async fn create(
    app: &App,
    actor: &Actor,
    collaboration: CollaborationId,
    input: &DecisionInput,
) -> Result<DecisionView, AppError> {
    let fields = input.validate(app.now().date_naive())?;
    let mut tx = app.db.write().await?;
    let f = facts(tx.handle(), actor, collaboration).await?;
    authorize(actor, &f, CollaborationAction::AddContent)?;
    check_links(tx.handle(), actor, collaboration, &f, &fields).await?;
    let id = DecisionId::new();
    store::insert_decision(
        tx.handle(),
        id,
        collaboration,
        &fields,
        actor.user_id(),
        app.now(),
    )
    .await?;
    tx.record(event(
        actor.user_id(),
        "decision.recorded",
        "decision",
        id,
        Some(collaboration),
        &[
            "title",
            "decided",
            "rationale",
            "options",
            "meeting_id",
            "decided_by",
            "decided_on",
            "visibility",
            "audience",
        ],
        details(&fields),
    ));
    let named = named_people(tx.handle(), collaboration).await?;
    crate::notifications::notify(
        &mut tx,
        actor.user_id(),
        app.now(),
        &domain::people_to_tell(fields.visibility, &fields.audience, &named),
        NotificationKind::Decision,
        &notice(collaboration, id, &fields),
    )
    .await?;
    app.commit(tx).await?;
    get(app, actor, id).await
}

/// The people named on a collaboration, with their organisations: whom a decision may be told to.
async fn named_people(
    h: &mut Handle,
    collaboration: CollaborationId,
) -> Result<Vec<(UserId, OrganisationId)>, AppError> {
    Ok(collab_store::people(h, collaboration)
        .await?
        .into_iter()
        .map(|p| (p.user_id, p.organisation_id))
        .collect())
}

/// What a decision's notification says: its title and, as the excerpt, what was decided.
fn notice(collaboration: CollaborationId, id: DecisionId, fields: &DecisionFields) -> Notice {
    Notice {
        collaboration: Some(collaboration),
        title: Text::new("notification-decision").with("title", &fields.title),
        link: format!("/decisions/{id}"),
        excerpt: Some(Text::plain(
            fields
                .decided
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        )),
    }
}

fn details(fields: &DecisionFields) -> serde_json::Value {
    json!({
        "title": fields.title,
        "decided_on": fields.decided_on,
        "visibility": fields.visibility,
        "audience": fields.audience,
        "meeting_id": fields.meeting_id,
        "decided_by": fields.decided_by,
    })
}

/// The fields of a stored decision in the shape of a submission, to compare with an edit.
fn fields_of(d: &Decision) -> DecisionFields {
    DecisionFields {
        title: d.title.clone(),
        decided: d.decided.clone(),
        rationale: d.rationale.clone(),
        options: d.options.clone(),
        meeting_id: d.meeting.as_ref().map(|m| m.id),
        decided_by: d.decided_by.iter().map(|p| p.id).collect(),
        decided_on: d.decided_on,
        visibility: d.visibility,
        audience: d.audience.iter().map(|o| o.id).collect(),
    }
}

fn same_set<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.contains(x))
}

/// The names of the fields an edit changes.
fn changed(before: &DecisionFields, after: &DecisionFields) -> Vec<&'static str> {
    concord_domain::audit::changed_fields([
        ("title", before.title != after.title),
        ("decided", before.decided != after.decided),
        ("rationale", before.rationale != after.rationale),
        ("options", before.options != after.options),
        ("meeting_id", before.meeting_id != after.meeting_id),
        (
            "decided_by",
            !same_set(&before.decided_by, &after.decided_by),
        ),
        ("decided_on", before.decided_on != after.decided_on),
        ("visibility", before.visibility != after.visibility),
        ("audience", !same_set(&before.audience, &after.audience)),
    ])
}

/// Replaces a decision's fields (people who may add content and can see it). An edit that changes
/// nothing records nothing; one that lets more of the named people read it tells them of it.
pub async fn update(
    app: &App,
    actor: &Actor,
    id: DecisionId,
    input: &DecisionInput,
) -> Result<DecisionView, AppError> {
    let fields = input.validate(app.now().date_naive())?;
    let mut tx = app.db.write().await?;
    let (collaboration, f, _) = readable(tx.handle(), actor, id).await?;
    authorize(actor, &f, CollaborationAction::AddContent)?;
    check_links(tx.handle(), actor, collaboration, &f, &fields).await?;
    let before = store::get_decision(tx.handle(), id)
        .await?
        .map(|d| fields_of(&d))
        .ok_or(AppError::NotFound)?;
    let changed = changed(&before, &fields);
    if !changed.is_empty() {
        store::update_decision(tx.handle(), id, &fields, app.now()).await?;
        tx.record(event(
            actor.user_id(),
            "decision.updated",
            "decision",
            id,
            Some(collaboration),
            &changed,
            details(&fields),
        ));
        // Those who may now read a decision they could not are told of it as of a new one.
        let widened = domain::people_newly_able_to_read(
            (before.visibility, &before.audience),
            (fields.visibility, &fields.audience),
            &named_people(tx.handle(), collaboration).await?,
        );
        crate::notifications::notify(
            &mut tx,
            actor.user_id(),
            app.now(),
            &widened,
            NotificationKind::Decision,
            &notice(collaboration, id, &fields),
        )
        .await?;
        app.commit(tx).await?;
    }
    get(app, actor, id).await
}

/// Whether `user` (named on the decision's collaboration) may read a decision: used to refuse an
/// action item owner who could not see the decision it comes from.
pub(crate) async fn person_may_read(
    h: &mut Handle,
    decision: DecisionId,
    user: UserId,
) -> Result<bool, AppError> {
    let Some((_, visibility, audience)) = store::decision_access(h, decision).await? else {
        return Ok(false);
    };
    let org = store::user_organisation(h, user).await?;
    Ok(domain::named_person_may_read(visibility, &audience, org))
}
