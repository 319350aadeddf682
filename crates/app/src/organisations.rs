//! Organisations: platform admins create them; their own admins (and platform admins) edit them;
//! everyone may read the directory.

use concord_domain::organisation::{
    Organisation, OrganisationFields, OrganisationInput, would_create_cycle,
};
use concord_domain::policy::{self, Actor};
use concord_domain::{FieldErrors, OrganisationId};
use concord_store::{Handle, organisations};

use crate::{App, AppError, Page, clamp_limit, decode_cursor, event, paginate};

async fn check_parent(
    h: &mut Handle,
    id: Option<OrganisationId>,
    fields: &OrganisationFields,
) -> Result<(), AppError> {
    let Some(parent) = fields.parent_id else {
        return Ok(());
    };
    if organisations::get(h, parent).await?.is_none() {
        return Err(AppError::invalid("parent_id", "invalid_choice"));
    }
    if let Some(id) = id {
        let ancestors = organisations::ancestors(h, parent).await?;
        if would_create_cycle(id, parent, &ancestors) {
            return Err(AppError::invalid("parent_id", "parent_cycle"));
        }
    }
    Ok(())
}

fn duplicate_name(error: concord_store::StoreError) -> AppError {
    if error.is_unique_violation() {
        AppError::Invalid(FieldErrors::single("name", "already_taken"))
    } else {
        error.into()
    }
}

pub async fn create(
    app: &App,
    actor: &Actor,
    input: &OrganisationInput,
) -> Result<Organisation, AppError> {
    crate::require_user(actor)?;
    if !policy::may_create_organisation(actor) {
        return Err(AppError::Forbidden);
    }
    let fields = input.validate()?;
    let id = OrganisationId::new();
    let now = app.now();
    let mut tx = app.db.write().await?;
    check_parent(tx.handle(), None, &fields).await?;
    organisations::insert(tx.handle(), id, &fields, now)
        .await
        .map_err(duplicate_name)?;
    tx.record(event(
        actor.user_id(),
        "organisation.created",
        "organisation",
        id,
        None,
        &["name", "kind", "parent_id", "description", "website"],
        serde_json::json!({ "name": fields.name }),
    ));
    app.commit(tx).await?;
    get(app, actor, id).await
}

pub async fn update(
    app: &App,
    actor: &Actor,
    id: OrganisationId,
    input: &OrganisationInput,
) -> Result<Organisation, AppError> {
    crate::require_user(actor)?;
    let fields = input.validate()?;
    let mut tx = app.db.write().await?;
    let before = organisations::get(tx.handle(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !policy::may_edit_organisation(actor, id) {
        return Err(AppError::Forbidden);
    }
    check_parent(tx.handle(), Some(id), &fields).await?;
    let changed = concord_domain::audit::changed_fields([
        ("name", before.name != fields.name),
        ("kind", before.kind != fields.kind),
        ("parent_id", before.parent_id != fields.parent_id),
        ("description", before.description != fields.description),
        ("website", before.website != fields.website),
    ]);
    organisations::update(tx.handle(), id, &fields, app.now())
        .await
        .map_err(duplicate_name)?;
    tx.record(event(
        actor.user_id(),
        "organisation.updated",
        "organisation",
        id,
        None,
        &changed,
        serde_json::json!({ "name": fields.name }),
    ));
    app.commit(tx).await?;
    get(app, actor, id).await
}

pub async fn get(app: &App, actor: &Actor, id: OrganisationId) -> Result<Organisation, AppError> {
    if !policy::may_read_organisation(actor) {
        return Err(AppError::NotFound);
    }
    let mut h = app.db.read().await?;
    organisations::get(&mut h, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Organisations in name order.
pub async fn list(
    app: &App,
    actor: &Actor,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> Result<Page<Organisation>, AppError> {
    if !policy::may_read_organisation(actor) {
        return Err(AppError::NotFound);
    }
    let limit = clamp_limit(limit);
    let after = match decode_cursor(cursor)? {
        Some(key) => {
            let (name_key, id) = key
                .rsplit_once('\u{1f}')
                .ok_or_else(|| AppError::invalid("cursor", "invalid_cursor"))?;
            let id = id
                .parse()
                .map_err(|_| AppError::invalid("cursor", "invalid_cursor"))?;
            Some((name_key.to_owned(), id))
        }
        None => None,
    };
    let mut h = app.db.read().await?;
    let rows = organisations::list(&mut h, after, limit + 1).await?;
    Ok(paginate(rows, limit, |o| {
        format!("{}\u{1f}{}", organisations::name_key(&o.name), o.id)
    }))
}

/// Every organisation, for pickers (bounded: the directory of one installation).
pub async fn all(app: &App, actor: &Actor) -> Result<Vec<Organisation>, AppError> {
    if !policy::may_read_organisation(actor) {
        return Err(AppError::NotFound);
    }
    let mut h = app.db.read().await?;
    Ok(organisations::list(&mut h, None, 1000).await?)
}
