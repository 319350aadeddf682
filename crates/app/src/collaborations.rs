//! Collaborations and their membership: organisations (lead, partners, observers) joined by
//! invitation, and the people named on them (coordinators, contributors, viewers).

use concord_domain::audit::HistoryEntry;
use concord_domain::collaboration::{
    Collaboration, CollaborationInput, Invitation, MembershipStatus, OrganisationMember,
    OrganisationRole, PersonMember, PersonRole, changed_fields,
};
use concord_domain::notification::NotificationKind;
use concord_domain::policy::{self, Actor, CollaborationAction, CollaborationFacts};
use concord_domain::user::OrgRole;
use concord_domain::{CollaborationId, OrganisationId, UserId};
use concord_store::collaborations::{self as store, ListFilter};
use concord_store::{Handle, WriteTx, organisations, users};
use serde_json::json;

use crate::notifications::Notice;
use crate::texts::Text;
use crate::{App, AppError, Page, clamp_limit, decode_cursor, event, paginate, require_user};

pub use concord_store::collaborations::ListFilter as Filter;

/// What the actor may do here, so pages show only the buttons that will work.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Permissions {
    pub edit: bool,
    pub manage_members: bool,
    pub add_content: bool,
    pub read_history: bool,
    pub respond_to_invitation: bool,
}

/// A collaboration with its members, as one reader may see it.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CollaborationView {
    pub collaboration: Collaboration,
    pub organisations: Vec<OrganisationMember>,
    pub people: Vec<PersonMember>,
    pub permissions: Permissions,
}

pub(crate) async fn facts(
    h: &mut Handle,
    actor: &Actor,
    id: CollaborationId,
) -> Result<CollaborationFacts, AppError> {
    let user = actor.user();
    store::facts(h, id, user.map(|u| u.id), user.map(|u| u.organisation_id))
        .await?
        .ok_or(AppError::NotFound)
}

/// Asks the policy. What the actor may not even read answers `NotFound`, exactly like a missing id;
/// what they may read but not change answers `Forbidden`.
pub fn authorize(
    actor: &Actor,
    facts: &CollaborationFacts,
    action: CollaborationAction,
) -> Result<(), AppError> {
    if policy::collaboration_allows(actor, facts, action) {
        return Ok(());
    }
    if policy::collaboration_allows(actor, facts, CollaborationAction::Read) {
        Err(if actor.user().is_some() {
            AppError::Forbidden
        } else {
            AppError::Unauthenticated
        })
    } else {
        Err(AppError::NotFound)
    }
}

/// Starts a write on collaboration `id` for `actor`, after the policy allows `action`. The facts
/// are read inside the write, so the permission checked is the one in force when the change lands.
pub(crate) async fn write_as(
    app: &App,
    actor: &Actor,
    id: CollaborationId,
    action: CollaborationAction,
) -> Result<WriteTx, AppError> {
    let mut tx = app.db.write().await?;
    let f = facts(tx.handle(), actor, id).await?;
    authorize(actor, &f, action)?;
    Ok(tx)
}

fn permissions(actor: &Actor, facts: &CollaborationFacts) -> Permissions {
    let allows = |action| policy::collaboration_allows(actor, facts, action);
    Permissions {
        edit: allows(CollaborationAction::Edit),
        manage_members: allows(CollaborationAction::ManageMembers),
        add_content: allows(CollaborationAction::AddContent),
        read_history: allows(CollaborationAction::ReadHistory),
        respond_to_invitation: allows(CollaborationAction::RespondToInvitation),
    }
}

pub async fn create(
    app: &App,
    actor: &Actor,
    input: &CollaborationInput,
) -> Result<CollaborationView, AppError> {
    let user = require_user(actor)?;
    if !policy::may_create_collaboration(actor) {
        return Err(AppError::Forbidden);
    }
    let fields = input.validate()?;
    let id = CollaborationId::new();
    let now = app.now();
    let mut tx = app.db.write().await?;
    store::insert(tx.handle(), id, &fields, user.id, now).await?;
    store::put_organisation(
        tx.handle(),
        id,
        user.organisation_id,
        OrganisationRole::Lead,
        MembershipStatus::Active,
        user.id,
        now,
    )
    .await?;
    store::put_person(tx.handle(), id, user.id, PersonRole::Coordinator, now).await?;
    let all_fields = [
        "title",
        "summary",
        "problem_statement",
        "policy_areas",
        "geography",
        "start_date",
        "end_date",
        "status",
        "visibility",
    ];
    tx.record(event(
        actor.user_id(),
        "collaboration.created",
        "collaboration",
        id,
        Some(id),
        &all_fields,
        json!({ "title": fields.title }),
    ));
    tx.record(event(
        actor.user_id(),
        "collaboration.organisation_added",
        "organisation",
        user.organisation_id,
        Some(id),
        &["role", "status"],
        json!({ "role": "lead" }),
    ));
    tx.record(event(
        actor.user_id(),
        "collaboration.person_added",
        "user",
        user.id,
        Some(id),
        &["role"],
        json!({ "role": "coordinator" }),
    ));
    app.commit(tx).await?;
    get(app, actor, id).await
}

pub async fn update(
    app: &App,
    actor: &Actor,
    id: CollaborationId,
    input: &CollaborationInput,
) -> Result<CollaborationView, AppError> {
    let fields = input.validate()?;
    let mut tx = write_as(app, actor, id, CollaborationAction::Edit).await?;
    let before = store::get(tx.handle(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !before.status.can_become(fields.status) {
        return Err(AppError::invalid("status", "invalid_transition"));
    }
    let changed = changed_fields(&before.fields(), &fields);
    if !changed.is_empty() {
        store::update(tx.handle(), id, &fields, app.now()).await?;
        tx.record(event(
            actor.user_id(),
            "collaboration.updated",
            "collaboration",
            id,
            Some(id),
            &changed,
            json!({ "title": fields.title }),
        ));
        app.commit(tx).await?;
    }
    get(app, actor, id).await
}

pub async fn get(
    app: &App,
    actor: &Actor,
    id: CollaborationId,
) -> Result<CollaborationView, AppError> {
    let mut h = app.db.read().await?;
    let f = facts(&mut h, actor, id).await?;
    authorize(actor, &f, CollaborationAction::Read)?;
    let collaboration = store::get(&mut h, id).await?.ok_or(AppError::NotFound)?;
    let organisations = store::organisation_members(&mut h, id).await?;
    // Names of civil servants are personal data: signed-in readers see who is named, the public
    // sees the organisations only.
    let people = if actor.user().is_some() {
        store::people(&mut h, id).await?
    } else {
        Vec::new()
    };
    Ok(CollaborationView {
        collaboration,
        organisations,
        people,
        permissions: permissions(actor, &f),
    })
}

/// A page of what the actor may read, newest first. The read rule is applied in the query.
pub async fn list(
    app: &App,
    actor: &Actor,
    filter: &ListFilter,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> Result<Page<Collaboration>, AppError> {
    let limit = clamp_limit(limit);
    let before = decode_cursor(cursor)?
        .map(|c| c.parse())
        .transpose()
        .map_err(|_| AppError::invalid("cursor", "invalid_cursor"))?;
    let user = actor.user();
    let mut h = app.db.read().await?;
    let rows = store::list_visible(
        &mut h,
        user.map(|u| u.id),
        user.map(|u| u.organisation_id),
        filter,
        before,
        limit + 1,
    )
    .await?;
    Ok(paginate(rows, limit, |c| c.id.to_string()))
}

/// Invitation of an organisation by the collaboration's coordinators.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct InviteInput {
    #[serde(default)]
    pub organisation_id: String,
    /// `partner` or `observer`; a collaboration has exactly one lead.
    #[serde(default)]
    pub role: String,
}

pub async fn invite_organisation(
    app: &App,
    actor: &Actor,
    id: CollaborationId,
    input: &InviteInput,
) -> Result<(), AppError> {
    let role = OrganisationRole::parse(input.role.trim())
        .ok_or_else(|| AppError::invalid("role", "invalid_choice"))?;
    let org: OrganisationId = input
        .organisation_id
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("organisation_id", "invalid_choice"))?;
    let mut tx = write_as(app, actor, id, CollaborationAction::ManageMembers).await?;
    if role == OrganisationRole::Lead {
        return Err(AppError::Conflict("collaboration_already_has_lead"));
    }
    if organisations::get(tx.handle(), org).await?.is_none() {
        return Err(AppError::invalid("organisation_id", "invalid_choice"));
    }
    match store::organisation_membership(tx.handle(), id, org).await? {
        Some((_, MembershipStatus::Active)) => return Err(AppError::Conflict("already_member")),
        Some((_, MembershipStatus::Invited)) => return Err(AppError::Conflict("already_invited")),
        Some((_, MembershipStatus::Declined)) | None => {}
    }
    let by = require_user(actor)?.id;
    store::put_organisation(
        tx.handle(),
        id,
        org,
        role,
        MembershipStatus::Invited,
        by,
        app.now(),
    )
    .await?;
    tx.record(event(
        actor.user_id(),
        "collaboration.organisation_invited",
        "organisation",
        org,
        Some(id),
        &["role", "status"],
        json!({ "role": role.as_str() }),
    ));
    // The invited organisation's admins answer invitations: they are the ones to tell.
    let admins = concord_store::notifications::organisation_admins(tx.handle(), org).await?;
    let title = collaboration_title(tx.handle(), id).await?;
    crate::notifications::notify(
        &mut tx,
        actor.user_id(),
        app.now(),
        &admins,
        NotificationKind::Invitation,
        &Notice {
            collaboration: Some(id),
            title: Text::new("notification-invitation").with("title", title),
            // Until it accepts, the collaboration may be closed to them: the link goes to where
            // invitations are answered (the home page), not to the collaboration.
            link: "/#invitations-heading".to_owned(),
            excerpt: Some(Text::new("notification-invitation-role").with("role", role.as_str())),
        },
    )
    .await?;
    app.commit(tx).await
}

async fn collaboration_title(h: &mut Handle, id: CollaborationId) -> Result<String, AppError> {
    Ok(store::get(h, id)
        .await?
        .map(|c| c.title)
        .unwrap_or_default())
}

/// The invited organisation's admin accepts or declines.
pub async fn respond_to_invitation(
    app: &App,
    actor: &Actor,
    id: CollaborationId,
    accept: bool,
) -> Result<(), AppError> {
    let user = require_user(actor)?;
    let mut tx = write_as(app, actor, id, CollaborationAction::RespondToInvitation).await?;
    let status = if accept {
        MembershipStatus::Active
    } else {
        MembershipStatus::Declined
    };
    store::set_organisation_status(tx.handle(), id, user.organisation_id, status, app.now())
        .await?;
    let action = if accept {
        "collaboration.invitation_accepted"
    } else {
        "collaboration.invitation_declined"
    };
    tx.record(event(
        actor.user_id(),
        action,
        "organisation",
        user.organisation_id,
        Some(id),
        &["status"],
        json!({}),
    ));
    app.commit(tx).await
}

/// Makes another active member organisation the lead; the old lead becomes a partner.
pub async fn transfer_lead(
    app: &App,
    actor: &Actor,
    id: CollaborationId,
    to: OrganisationId,
) -> Result<(), AppError> {
    let mut tx = write_as(app, actor, id, CollaborationAction::ManageMembers).await?;
    match store::organisation_membership(tx.handle(), id, to).await? {
        Some((OrganisationRole::Lead, _)) => return Ok(()),
        Some((_, MembershipStatus::Active)) => {}
        _ => return Err(AppError::invalid("organisation_id", "not_an_active_member")),
    }
    let members = store::organisation_members(tx.handle(), id).await?;
    if let Some(old) = members.iter().find(|m| m.role == OrganisationRole::Lead) {
        store::set_organisation_role(
            tx.handle(),
            id,
            old.organisation_id,
            OrganisationRole::Partner,
        )
        .await?;
        tx.record(event(
            actor.user_id(),
            "collaboration.organisation_role_changed",
            "organisation",
            old.organisation_id,
            Some(id),
            &["role"],
            json!({ "role": "partner" }),
        ));
    }
    store::set_organisation_role(tx.handle(), id, to, OrganisationRole::Lead).await?;
    tx.record(event(
        actor.user_id(),
        "collaboration.organisation_role_changed",
        "organisation",
        to,
        Some(id),
        &["role"],
        json!({ "role": "lead" }),
    ));
    app.commit(tx).await
}

/// Changes a member organisation's role between partner and observer.
pub async fn change_organisation_role(
    app: &App,
    actor: &Actor,
    id: CollaborationId,
    org: OrganisationId,
    role: &str,
) -> Result<(), AppError> {
    let role = OrganisationRole::parse(role.trim())
        .ok_or_else(|| AppError::invalid("role", "invalid_choice"))?;
    let mut tx = write_as(app, actor, id, CollaborationAction::ManageMembers).await?;
    let current = store::organisation_membership(tx.handle(), id, org)
        .await?
        .ok_or(AppError::NotFound)?;
    if role == OrganisationRole::Lead {
        return Err(AppError::Conflict("collaboration_already_has_lead"));
    }
    if current.0 == OrganisationRole::Lead {
        return Err(AppError::Conflict("lead_must_be_transferred"));
    }
    store::set_organisation_role(tx.handle(), id, org, role).await?;
    tx.record(event(
        actor.user_id(),
        "collaboration.organisation_role_changed",
        "organisation",
        org,
        Some(id),
        &["role"],
        json!({ "role": role.as_str() }),
    ));
    app.commit(tx).await
}

/// Removes a member (or withdraws an invitation), and the organisation's people with it.
pub async fn remove_organisation(
    app: &App,
    actor: &Actor,
    id: CollaborationId,
    org: OrganisationId,
) -> Result<(), AppError> {
    let mut tx = write_as(app, actor, id, CollaborationAction::ManageMembers).await?;
    let (role, _) = store::organisation_membership(tx.handle(), id, org)
        .await?
        .ok_or(AppError::NotFound)?;
    if role == OrganisationRole::Lead {
        return Err(AppError::Conflict("cannot_remove_lead"));
    }
    if store::coordinators_outside(tx.handle(), id, org).await? == 0 {
        return Err(AppError::Conflict("last_coordinator"));
    }
    store::remove_organisation(tx.handle(), id, org).await?;
    tx.record(event(
        actor.user_id(),
        "collaboration.organisation_removed",
        "organisation",
        org,
        Some(id),
        &["status"],
        json!({}),
    ));
    app.commit(tx).await
}

/// Naming a person on the collaboration.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct PersonInput {
    #[serde(default)]
    pub user_id: String,
    /// `coordinator`, `contributor` or `viewer`.
    #[serde(default)]
    pub role: String,
}

pub async fn add_person(
    app: &App,
    actor: &Actor,
    id: CollaborationId,
    input: &PersonInput,
) -> Result<(), AppError> {
    let role = PersonRole::parse(input.role.trim())
        .ok_or_else(|| AppError::invalid("role", "invalid_choice"))?;
    let user_id: UserId = input
        .user_id
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("user_id", "invalid_choice"))?;
    let mut tx = write_as(app, actor, id, CollaborationAction::ManageMembers).await?;
    let person = users::get(tx.handle(), user_id)
        .await?
        .filter(|u| u.active)
        .ok_or_else(|| AppError::invalid("user_id", "invalid_choice"))?;
    match store::organisation_membership(tx.handle(), id, person.organisation_id).await? {
        Some((_, MembershipStatus::Active)) => {}
        _ => return Err(AppError::invalid("user_id", "not_from_member_organisation")),
    }
    if store::person_role(tx.handle(), id, user_id)
        .await?
        .is_some()
    {
        return Err(AppError::Conflict("already_named"));
    }
    store::put_person(tx.handle(), id, user_id, role, app.now()).await?;
    tx.record(event(
        actor.user_id(),
        "collaboration.person_added",
        "user",
        user_id,
        Some(id),
        &["role"],
        json!({ "role": role.as_str() }),
    ));
    let title = collaboration_title(tx.handle(), id).await?;
    crate::notifications::notify(
        &mut tx,
        actor.user_id(),
        app.now(),
        &[user_id],
        NotificationKind::Invitation,
        &Notice {
            collaboration: Some(id),
            title: Text::new("notification-added").with("title", title),
            link: format!("/collaborations/{id}"),
            excerpt: Some(Text::new("notification-added-role").with("role", role.as_str())),
        },
    )
    .await?;
    app.commit(tx).await
}

pub async fn change_person_role(
    app: &App,
    actor: &Actor,
    id: CollaborationId,
    user_id: UserId,
    role: &str,
) -> Result<(), AppError> {
    let role = PersonRole::parse(role.trim())
        .ok_or_else(|| AppError::invalid("role", "invalid_choice"))?;
    let mut tx = write_as(app, actor, id, CollaborationAction::ManageMembers).await?;
    let current = store::person_role(tx.handle(), id, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if current == PersonRole::Coordinator
        && role != PersonRole::Coordinator
        && store::other_coordinators(tx.handle(), id, user_id).await? == 0
    {
        return Err(AppError::Conflict("last_coordinator"));
    }
    store::put_person(tx.handle(), id, user_id, role, app.now()).await?;
    tx.record(event(
        actor.user_id(),
        "collaboration.person_role_changed",
        "user",
        user_id,
        Some(id),
        &["role"],
        json!({ "role": role.as_str() }),
    ));
    app.commit(tx).await
}

pub async fn remove_person(
    app: &App,
    actor: &Actor,
    id: CollaborationId,
    user_id: UserId,
) -> Result<(), AppError> {
    let mut tx = write_as(app, actor, id, CollaborationAction::ManageMembers).await?;
    let current = store::person_role(tx.handle(), id, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if current == PersonRole::Coordinator
        && store::other_coordinators(tx.handle(), id, user_id).await? == 0
    {
        return Err(AppError::Conflict("last_coordinator"));
    }
    store::remove_person(tx.handle(), id, user_id).await?;
    tx.record(event(
        actor.user_id(),
        "collaboration.person_removed",
        "user",
        user_id,
        Some(id),
        &["role"],
        json!({}),
    ));
    app.commit(tx).await
}

/// People who could be named: active accounts of active member organisations, not yet named.
pub async fn candidates(
    app: &App,
    actor: &Actor,
    id: CollaborationId,
) -> Result<Vec<concord_domain::user::User>, AppError> {
    let mut h = app.db.read().await?;
    let f = facts(&mut h, actor, id).await?;
    authorize(actor, &f, CollaborationAction::ManageMembers)?;
    let named: Vec<UserId> = store::people(&mut h, id)
        .await?
        .into_iter()
        .map(|p| p.user_id)
        .collect();
    let mut out = Vec::new();
    for member in store::organisation_members(&mut h, id).await? {
        if member.status != MembershipStatus::Active {
            continue;
        }
        let accounts =
            users::list_by_organisation(&mut h, member.organisation_id, None, 200).await?;
        out.extend(
            accounts
                .into_iter()
                .filter(|u| u.active && !named.contains(&u.id)),
        );
    }
    Ok(out)
}

/// A page of the collaboration's history, newest first.
pub async fn history(
    app: &App,
    actor: &Actor,
    id: CollaborationId,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> Result<Page<HistoryEntry>, AppError> {
    let limit = clamp_limit(limit);
    let before = decode_cursor(cursor)?
        .map(|c| c.parse::<i64>())
        .transpose()
        .map_err(|_| AppError::invalid("cursor", "invalid_cursor"))?;
    let mut h = app.db.read().await?;
    let f = facts(&mut h, actor, id).await?;
    authorize(actor, &f, CollaborationAction::ReadHistory)?;
    let rows = concord_store::audit::history(&mut h, id, before, limit + 1).await?;
    Ok(paginate(rows, limit, |e| e.seq.to_string()))
}

/// Invitations waiting for the actor's organisation (only its admins answer them).
pub async fn pending_invitations(app: &App, actor: &Actor) -> Result<Vec<Invitation>, AppError> {
    let user = require_user(actor)?;
    if user.org_role != OrgRole::OrgAdmin {
        return Ok(Vec::new());
    }
    let mut h = app.db.read().await?;
    Ok(store::invitations_for(&mut h, user.organisation_id).await?)
}
