//! Charters. Coordinators edit a collaboration's charter, which saves a new version (an unchanged
//! body saves nothing); since sign-offs belong to a version, the new one starts with none. The admin
//! of each active member organisation signs off the current version for their organisation; signing
//! again is a no-op. Whoever may read the collaboration may read its charter (the names of editors
//! and signers only when signed in).

use concord_domain::CollaborationId;
use concord_domain::charter::{
    self as rules, CharterInput, CharterVersion, CharterVersionSummary, SignOff,
};
use concord_domain::collaboration::MembershipStatus;
use concord_domain::policy::{self, Actor, CollaborationAction};
use concord_store::{Handle, charters as store, collaborations as collaboration_store};
use serde_json::json;

use crate::collaborations::{authorize, facts, write_as};
use crate::{App, AppError, event, require_user};

/// A collaboration's charter: the current version, which active member organisations signed it,
/// and what the reader may do.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CharterView {
    pub collaboration_id: CollaborationId,
    /// `None` until someone writes the charter.
    pub current: Option<CharterVersion>,
    /// One line per active member organisation, for the current version.
    pub sign_offs: Vec<SignOff>,
    pub can_edit: bool,
    /// The reader administers an active member organisation that has not yet signed this version.
    pub can_sign_off: bool,
}

fn anonymise(actor: &Actor, version: &mut CharterVersion) {
    if actor.user().is_none() {
        version.edited_by_name = None;
    }
}

async fn view(
    h: &mut Handle,
    actor: &Actor,
    collaboration: CollaborationId,
) -> Result<CharterView, AppError> {
    let f = facts(h, actor, collaboration).await?;
    authorize(actor, &f, CollaborationAction::Read)?;
    let mut current = store::current(h, collaboration).await?;
    let signed = match &current {
        Some(v) => store::sign_offs(h, collaboration, v.version).await?,
        None => Vec::new(),
    };
    let signed_in = actor.user().is_some();
    let sign_offs: Vec<SignOff> = collaboration_store::organisation_members(h, collaboration)
        .await?
        .into_iter()
        .filter(|m| m.status == MembershipStatus::Active)
        .map(|m| {
            let s = signed.iter().find(|(org, _, _)| *org == m.organisation_id);
            SignOff {
                organisation_id: m.organisation_id,
                organisation_name: m.name,
                signed: s.is_some(),
                signed_by_name: s
                    .and_then(|(_, name, _)| name.clone())
                    .filter(|_| signed_in),
                signed_at: s.map(|(_, _, at)| *at),
            }
        })
        .collect();
    if let Some(v) = current.as_mut() {
        anonymise(actor, v);
    }
    let own_unsigned = actor.user().is_some_and(|u| {
        sign_offs
            .iter()
            .any(|s| s.organisation_id == u.organisation_id && !s.signed)
    });
    Ok(CharterView {
        collaboration_id: collaboration,
        can_sign_off: current.is_some() && own_unsigned && rules::may_sign_off(actor, &f, true),
        current,
        sign_offs,
        can_edit: policy::collaboration_allows(actor, &f, CollaborationAction::Edit),
    })
}

/// The current charter with its sign-offs.
pub async fn get(
    app: &App,
    actor: &Actor,
    collaboration: CollaborationId,
) -> Result<CharterView, AppError> {
    let mut h = app.db.read().await?;
    view(&mut h, actor, collaboration).await
}

/// Every version, newest first.
pub async fn versions(
    app: &App,
    actor: &Actor,
    collaboration: CollaborationId,
) -> Result<Vec<CharterVersionSummary>, AppError> {
    let mut h = app.db.read().await?;
    let f = facts(&mut h, actor, collaboration).await?;
    authorize(actor, &f, CollaborationAction::Read)?;
    let mut versions = store::versions(&mut h, collaboration).await?;
    if actor.user().is_none() {
        for v in &mut versions {
            v.edited_by_name = None;
        }
    }
    Ok(versions)
}

/// One version, with its body.
pub async fn version(
    app: &App,
    actor: &Actor,
    collaboration: CollaborationId,
    number: i64,
) -> Result<CharterVersion, AppError> {
    let mut h = app.db.read().await?;
    let f = facts(&mut h, actor, collaboration).await?;
    authorize(actor, &f, CollaborationAction::Read)?;
    let mut v = store::version(&mut h, collaboration, number)
        .await?
        .ok_or(AppError::NotFound)?;
    anonymise(actor, &mut v);
    Ok(v)
}

/// Saves a new version of the charter (coordinators). An unchanged body saves nothing.
pub async fn edit(
    app: &App,
    actor: &Actor,
    collaboration: CollaborationId,
    input: &CharterInput,
) -> Result<CharterView, AppError> {
    let mut tx = write_as(app, actor, collaboration, CollaborationAction::Edit).await?;
    let user = require_user(actor)?.id;
    let body = input.validate()?;
    collaboration_store::hold(tx.handle(), collaboration).await?;
    let current = store::current(tx.handle(), collaboration).await?;
    if current.as_ref().map(|v| v.body.as_str()) != Some(body.as_str()) {
        let version = current.map_or(1, |v| v.version + 1);
        store::insert_version(tx.handle(), collaboration, version, &body, user, app.now()).await?;
        tx.record(event(
            actor.user_id(),
            "charter.edited",
            "collaboration",
            collaboration,
            Some(collaboration),
            &["body"],
            json!({ "version": version, "characters": body.chars().count() }),
        ));
        app.commit(tx).await?;
    } else {
        drop(tx);
    }
    get(app, actor, collaboration).await
}

/// Signs off the current version for the actor's organisation (its admin, when the organisation
/// is an active member). Signing a version already signed changes nothing.
pub async fn sign_off(
    app: &App,
    actor: &Actor,
    collaboration: CollaborationId,
) -> Result<CharterView, AppError> {
    let mut tx = write_as(app, actor, collaboration, CollaborationAction::Read).await?;
    let user = require_user(actor)?;
    let f = facts(tx.handle(), actor, collaboration).await?;
    if !rules::may_sign_off(actor, &f, true) {
        return Err(AppError::Forbidden);
    }
    collaboration_store::hold(tx.handle(), collaboration).await?;
    let current = store::current(tx.handle(), collaboration)
        .await?
        .ok_or(AppError::Conflict("charter_missing"))?;
    let inserted = store::insert_sign_off(
        tx.handle(),
        collaboration,
        current.version,
        user.organisation_id,
        user.id,
        app.now(),
    )
    .await?;
    if inserted {
        tx.record(event(
            actor.user_id(),
            "charter.signed_off",
            "collaboration",
            collaboration,
            Some(collaboration),
            &[],
            json!({ "version": current.version, "organisation_id": user.organisation_id }),
        ));
        app.commit(tx).await?;
    } else {
        drop(tx);
    }
    get(app, actor, collaboration).await
}
