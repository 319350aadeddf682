//! Accounts: organisation admins manage their own organisation's accounts, platform admins any.
//! Deactivating an account stops its sessions and tokens on the next request (they are resolved
//! through `users.active` on every request, and its sessions are deleted too).

use concord_domain::policy::{self, Actor};
use concord_domain::user::{AccountInput, LOCALES, User};
use concord_domain::{FieldErrors, OrganisationId, UserId};
use concord_store::{organisations, users};

use crate::{App, AppError, Page, auth, clamp_limit, decode_cursor, event, paginate, require_user};

pub async fn create(app: &App, actor: &Actor, input: &AccountInput) -> Result<User, AppError> {
    require_user(actor)?;
    let fields = input.validate()?;
    if !policy::may_manage_accounts(actor, fields.organisation_id, fields.platform_admin) {
        // Naming another organisation is a bad choice of field, not a secret.
        return Err(if actor.administers(fields.organisation_id) {
            AppError::invalid("platform_admin", "not_allowed")
        } else if actor
            .user()
            .is_some_and(|u| u.org_role == concord_domain::user::OrgRole::OrgAdmin)
        {
            AppError::invalid("organisation_id", "invalid_choice")
        } else {
            AppError::Forbidden
        });
    }
    let password_hash = auth::hash_password(fields.password.clone()).await?;
    let id = UserId::new();
    let mut tx = app.db.write().await?;
    if organisations::get(tx.handle(), fields.organisation_id)
        .await?
        .is_none()
    {
        return Err(AppError::invalid("organisation_id", "invalid_choice"));
    }
    users::insert(tx.handle(), id, &fields, &password_hash, app.now())
        .await
        .map_err(|e| {
            if e.is_unique_violation() {
                AppError::Invalid(FieldErrors::single("email", "already_taken"))
            } else {
                e.into()
            }
        })?;
    tx.record(event(
        actor.user_id(),
        "user.created",
        "user",
        id,
        None,
        &[
            "email",
            "display_name",
            "organisation_id",
            "org_role",
            "platform_admin",
        ],
        serde_json::json!({ "email": fields.email, "display_name": fields.display_name }),
    ));
    app.commit(tx).await?;
    let mut h = app.db.read().await?;
    users::get(&mut h, id).await?.ok_or(AppError::NotFound)
}

/// An account, for its owner or for whoever manages its organisation's accounts.
pub async fn get(app: &App, actor: &Actor, id: UserId) -> Result<User, AppError> {
    let me = require_user(actor)?;
    let mut h = app.db.read().await?;
    let user = users::get(&mut h, id).await?.ok_or(AppError::NotFound)?;
    if me.id != id && !policy::may_manage_accounts(actor, user.organisation_id, false) {
        return Err(AppError::NotFound);
    }
    Ok(user)
}

pub async fn list(
    app: &App,
    actor: &Actor,
    org: OrganisationId,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> Result<Page<User>, AppError> {
    require_user(actor)?;
    if !policy::may_manage_accounts(actor, org, false) {
        return Err(AppError::NotFound);
    }
    let limit = clamp_limit(limit);
    let after = decode_cursor(cursor)?
        .map(|c| c.parse())
        .transpose()
        .map_err(|_| AppError::invalid("cursor", "invalid_cursor"))?;
    let mut h = app.db.read().await?;
    let rows = users::list_by_organisation(&mut h, org, after, limit + 1).await?;
    Ok(paginate(rows, limit, |u| u.id.to_string()))
}

/// Deactivates (or reactivates) an account. Deactivation ends its sessions at once.
pub async fn set_active(
    app: &App,
    actor: &Actor,
    id: UserId,
    active: bool,
) -> Result<User, AppError> {
    let me = require_user(actor)?;
    let mut tx = app.db.write().await?;
    let user = users::get(tx.handle(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !policy::may_manage_accounts(actor, user.organisation_id, user.platform_admin) {
        return Err(
            if policy::may_manage_accounts(actor, user.organisation_id, false) {
                AppError::Forbidden
            } else {
                AppError::NotFound
            },
        );
    }
    if me.id == id && !active {
        return Err(AppError::Conflict("cannot_deactivate_self"));
    }
    users::set_active(tx.handle(), id, active, app.now()).await?;
    if !active {
        users::delete_sessions_of(tx.handle(), id).await?;
    }
    let action = if active {
        "user.reactivated"
    } else {
        "user.deactivated"
    };
    tx.record(event(
        actor.user_id(),
        action,
        "user",
        id,
        None,
        &["active"],
        serde_json::json!({}),
    ));
    app.commit(tx).await?;
    let mut h = app.db.read().await?;
    users::get(&mut h, id).await?.ok_or(AppError::NotFound)
}

/// The actor's own interface preferences.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct PreferencesInput {
    /// `en` or `fr`; empty means "follow my browser".
    #[serde(default)]
    pub locale: Option<String>,
    /// An IANA time zone such as `Europe/Paris`.
    pub time_zone: String,
}

/// `valid_time_zone` is supplied by the caller (the web layer owns the tz database).
pub async fn set_preferences(
    app: &App,
    actor: &Actor,
    input: &PreferencesInput,
    valid_time_zone: impl Fn(&str) -> bool,
) -> Result<(), AppError> {
    let me = require_user(actor)?;
    let mut errors = FieldErrors::new();
    let locale = input
        .locale
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty());
    if locale.is_some_and(|l| !LOCALES.contains(&l)) {
        errors.add("locale", "invalid_choice");
    }
    let time_zone = input.time_zone.trim();
    if !valid_time_zone(time_zone) {
        errors.add("time_zone", "invalid_choice");
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let mut tx = app.db.write().await?;
    users::set_preferences(tx.handle(), me.id, locale, time_zone, app.now()).await?;
    tx.record(event(
        actor.user_id(),
        "user.preferences_changed",
        "user",
        me.id,
        None,
        &["locale", "time_zone"],
        serde_json::json!({}),
    ));
    app.commit(tx).await
}

/// An account created by the operator from the command line (`concord user create`), who has the
/// database in hand anyway. Creates the home organisation first when it does not exist yet, so a
/// fresh installation can get its first platform admin. Audited with no actor (`operator.*`).
#[derive(Clone, Debug)]
pub struct OperatorAccount {
    pub email: String,
    pub display_name: String,
    pub password: String,
    pub organisation_name: String,
    /// Needed only when the organisation does not exist yet.
    pub organisation_kind: Option<String>,
    pub org_admin: bool,
    pub platform_admin: bool,
}

pub async fn operator_create(app: &App, input: &OperatorAccount) -> Result<User, AppError> {
    use concord_domain::organisation::OrganisationInput;
    let key = organisations::name_key(&input.organisation_name);
    let mut h = app.db.read().await?;
    let existing = organisations::list(&mut h, None, 1000)
        .await?
        .into_iter()
        .find(|o| organisations::name_key(&o.name) == key);
    drop(h);
    let account = AccountInput {
        email: input.email.clone(),
        display_name: input.display_name.clone(),
        password: input.password.clone(),
        organisation_id: existing
            .as_ref()
            .map(|o| o.id)
            .unwrap_or_default()
            .to_string(),
        org_role: Some(
            if input.org_admin {
                "org_admin"
            } else {
                "member"
            }
            .into(),
        ),
        platform_admin: input.platform_admin,
    };
    let fields = account.validate()?;
    let password_hash = auth::hash_password(fields.password.clone()).await?;
    let mut tx = app.db.write().await?;
    let organisation_id = match existing {
        Some(org) => org.id,
        None => {
            let org = OrganisationInput {
                name: input.organisation_name.clone(),
                kind: input.organisation_kind.clone().unwrap_or_default(),
                ..Default::default()
            }
            .validate()?;
            let id = OrganisationId::new();
            organisations::insert(tx.handle(), id, &org, app.now()).await?;
            tx.record(event(
                None,
                "operator.organisation_created",
                "organisation",
                id,
                None,
                &["name", "kind"],
                serde_json::json!({ "name": org.name }),
            ));
            id
        }
    };
    let fields = concord_domain::user::AccountFields {
        organisation_id,
        ..fields
    };
    let id = UserId::new();
    users::insert(tx.handle(), id, &fields, &password_hash, app.now())
        .await
        .map_err(|e| {
            if e.is_unique_violation() {
                AppError::Invalid(FieldErrors::single("email", "already_taken"))
            } else {
                e.into()
            }
        })?;
    tx.record(event(
        None,
        "operator.user_created",
        "user",
        id,
        None,
        &[
            "email",
            "display_name",
            "organisation_id",
            "org_role",
            "platform_admin",
        ],
        serde_json::json!({ "email": fields.email }),
    ));
    app.commit(tx).await?;
    let mut h = app.db.read().await?;
    users::get(&mut h, id).await?.ok_or(AppError::NotFound)
}

/// The actor for an existing active account, as if they had signed in (CLI and demo use).
pub async fn actor_for_email(app: &App, email: &str) -> Result<Actor, AppError> {
    let mut h = app.db.read().await?;
    let (id, _, active) = users::credentials(&mut h, &email.trim().to_lowercase())
        .await?
        .ok_or(AppError::NotFound)?;
    let user = users::get(&mut h, id)
        .await?
        .filter(|_| active)
        .ok_or(AppError::NotFound)?;
    Ok(Actor::User(policy::UserActor {
        id: user.id,
        organisation_id: user.organisation_id,
        org_role: user.org_role,
        platform_admin: user.platform_admin,
    }))
}
