//! Objectives: coordinators and contributors add and edit them; whoever may read the collaboration
//! may read them. An owner must be named on the collaboration and an owning organisation must be an
//! active member, so responsibility always lands on someone who is actually in the room.

use concord_domain::collaboration::MembershipStatus;
use concord_domain::objective::{
    Objective, ObjectiveFields, ObjectiveInput, ObjectiveStatus, changed_fields,
};
use concord_domain::policy::{self, Actor, CollaborationAction};
use concord_domain::{CollaborationId, FieldErrors, ObjectiveId};
use concord_store::{Handle, collaborations as collab_store, objectives as store};
use serde_json::json;

use crate::collaborations::{authorize, facts, write_as};
use crate::{App, AppError, event};

/// An objective with what the reader may do to it.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ObjectiveView {
    pub objective: Objective,
    pub can_edit: bool,
    /// What is missing or vague (SMART check), as stable codes.
    pub findings: Vec<concord_domain::evaluation::Finding>,
}

async fn check_members(
    h: &mut Handle,
    collaboration: CollaborationId,
    fields: &ObjectiveFields,
) -> Result<(), AppError> {
    let mut errors = FieldErrors::new();
    if let Some(owner) = fields.owner_id
        && collab_store::person_role(h, collaboration, owner)
            .await?
            .is_none()
    {
        errors.add("owner_id", "not_named_on_collaboration");
    }
    if let Some(org) = fields.organisation_id
        && !matches!(
            collab_store::organisation_membership(h, collaboration, org).await?,
            Some((_, MembershipStatus::Active))
        )
    {
        errors.add("organisation_id", "not_an_active_member");
    }
    Ok(errors.into_result(())?)
}

/// Names of civil servants are personal data: the public sees who owns an objective only as
/// "an owner is set", signed-in readers see the name.
fn for_reader(actor: &Actor, mut objective: Objective) -> Objective {
    if actor.user().is_none() {
        objective.owner_id = None;
        objective.owner_name = None;
    }
    objective
}

/// The collaboration's objectives, in order.
pub async fn list(
    app: &App,
    actor: &Actor,
    collaboration: CollaborationId,
) -> Result<Vec<Objective>, AppError> {
    let mut h = app.db.read().await?;
    let f = facts(&mut h, actor, collaboration).await?;
    authorize(actor, &f, CollaborationAction::Read)?;
    let objectives = store::for_collaboration(&mut h, collaboration).await?;
    Ok(objectives
        .into_iter()
        .map(|o| for_reader(actor, o))
        .collect())
}

pub async fn get(app: &App, actor: &Actor, id: ObjectiveId) -> Result<ObjectiveView, AppError> {
    let mut h = app.db.read().await?;
    let collaboration = store::collaboration_of(&mut h, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let f = facts(&mut h, actor, collaboration).await?;
    authorize(actor, &f, CollaborationAction::Read)?;
    let objective = store::get(&mut h, id).await?.ok_or(AppError::NotFound)?;
    let key_results = concord_store::key_results::for_objective(&mut h, id)
        .await?
        .len();
    let open = matches!(
        objective.status,
        ObjectiveStatus::Draft | ObjectiveStatus::Active
    );
    // Checked before names are hidden from the public, so "no owner" means no owner.
    let findings = concord_domain::evaluation::smart_findings_for_objective(
        objective.owner_id.is_some(),
        objective.due_date,
        key_results,
        open,
        app.now().date_naive(),
    );
    Ok(ObjectiveView {
        objective: for_reader(actor, objective),
        can_edit: policy::collaboration_allows(actor, &f, CollaborationAction::AddContent),
        findings,
    })
}

pub async fn create(
    app: &App,
    actor: &Actor,
    collaboration: CollaborationId,
    input: &ObjectiveInput,
) -> Result<ObjectiveView, AppError> {
    let fields = input.validate()?;
    let mut tx = write_as(app, actor, collaboration, CollaborationAction::AddContent).await?;
    check_members(tx.handle(), collaboration, &fields).await?;
    let id = ObjectiveId::new();
    collab_store::hold(tx.handle(), collaboration).await?;
    store::insert(tx.handle(), id, collaboration, &fields, app.now()).await?;
    tx.record(event(
        actor.user_id(),
        "objective.created",
        "objective",
        id,
        Some(collaboration),
        &[
            "title",
            "description",
            "owner_id",
            "organisation_id",
            "due_date",
            "status",
        ],
        json!({ "title": fields.title }),
    ));
    app.commit(tx).await?;
    get(app, actor, id).await
}

pub async fn update(
    app: &App,
    actor: &Actor,
    id: ObjectiveId,
    input: &ObjectiveInput,
) -> Result<ObjectiveView, AppError> {
    let fields = input.validate()?;
    let collaboration = {
        let mut h = app.db.read().await?;
        store::collaboration_of(&mut h, id)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let mut tx = write_as(app, actor, collaboration, CollaborationAction::AddContent).await?;
    let before = store::get(tx.handle(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    check_members(tx.handle(), collaboration, &fields).await?;
    let changed = changed_fields(&before.fields(), &fields);
    if !changed.is_empty() {
        store::update(tx.handle(), id, &fields, app.now()).await?;
        let action = if before.status != fields.status && fields.status.as_str() == "dropped" {
            "objective.dropped"
        } else {
            "objective.updated"
        };
        tx.record(event(
            actor.user_id(),
            action,
            "objective",
            id,
            Some(collaboration),
            &changed,
            json!({ "title": fields.title, "drop_reason": fields.drop_reason }),
        ));
        app.commit(tx).await?;
    }
    get(app, actor, id).await
}

/// Which way to move an objective in its collaboration's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Move {
    Up,
    Down,
}

/// Swaps an objective with its neighbour above or below; at either end nothing changes.
/// Returns the collaboration's objectives in their new order.
pub async fn move_objective(
    app: &App,
    actor: &Actor,
    id: ObjectiveId,
    direction: Move,
) -> Result<Vec<Objective>, AppError> {
    let collaboration = {
        let mut h = app.db.read().await?;
        store::collaboration_of(&mut h, id)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let mut tx = write_as(app, actor, collaboration, CollaborationAction::AddContent).await?;
    collab_store::hold(tx.handle(), collaboration).await?;
    let objectives = store::for_collaboration(tx.handle(), collaboration).await?;
    let index = objectives
        .iter()
        .position(|o| o.id == id)
        .ok_or(AppError::NotFound)?;
    let neighbour = match direction {
        Move::Up => index.checked_sub(1),
        Move::Down => Some(index + 1).filter(|n| *n < objectives.len()),
    };
    if let Some(neighbour) = neighbour {
        let (this, other) = (&objectives[index], &objectives[neighbour]);
        let now = app.now();
        store::set_position(tx.handle(), this.id, other.position, now).await?;
        store::set_position(tx.handle(), other.id, this.position, now).await?;
        tx.record(event(
            actor.user_id(),
            "objective.moved",
            "objective",
            id,
            Some(collaboration),
            &["position"],
            json!({ "to": other.position }),
        ));
        app.commit(tx).await?;
    }
    list(app, actor, collaboration).await
}
