//! Accounts, sessions, API tokens and sign-in throttling counters.

use chrono::{DateTime, Utc};
use concord_domain::policy::UserActor;
use concord_domain::user::{AccountFields, ApiToken, OrgRole, User};
use concord_domain::{OrganisationId, TokenId, UserId};
use uuid::Uuid;

use crate::{Handle, StoreResult, on_engine, on_engine_exec, parse_stored};

#[derive(sqlx::FromRow)]
struct UserRow {
    id: Uuid,
    email: String,
    display_name: String,
    organisation_id: Uuid,
    organisation_name: String,
    org_role: String,
    platform_admin: bool,
    active: bool,
    locale: Option<String>,
    time_zone: String,
    created_at: DateTime<Utc>,
}

impl UserRow {
    fn into_domain(self) -> StoreResult<User> {
        Ok(User {
            id: self.id.into(),
            email: self.email,
            display_name: self.display_name,
            organisation_id: self.organisation_id.into(),
            organisation_name: self.organisation_name,
            org_role: parse_stored(&self.org_role, OrgRole::parse)?,
            platform_admin: self.platform_admin,
            active: self.active,
            locale: self.locale,
            time_zone: self.time_zone,
            created_at: self.created_at,
        })
    }
}

pub async fn insert(
    h: &mut Handle,
    id: UserId,
    f: &AccountFields,
    password_hash: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "INSERT INTO users (id, email, display_name, password_hash, organisation_id, org_role, platform_admin, active, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, TRUE, $8, $8)",
    )
    .bind(id.0)
    .bind(&f.email)
    .bind(&f.display_name)
    .bind(password_hash)
    .bind(f.organisation_id.0)
    .bind(f.org_role.as_str())
    .bind(f.platform_admin)
    .bind(now)
    .execute(c)
    .await)?;
    Ok(())
}

pub async fn get(h: &mut Handle, id: UserId) -> StoreResult<Option<User>> {
    let row: Option<UserRow> = on_engine!(h, c => sqlx::query_as(
        "SELECT u.id, u.email, u.display_name, u.organisation_id, o.name AS organisation_name, u.org_role, \
         u.platform_admin, u.active, u.locale, u.time_zone, u.created_at \
         FROM users u JOIN organisations o ON o.id = u.organisation_id WHERE u.id = $1",
    )
    .bind(id.0)
    .fetch_optional(c)
    .await)?;
    row.map(UserRow::into_domain).transpose()
}

/// A page of an organisation's accounts, ordered by id (creation order).
pub async fn list_by_organisation(
    h: &mut Handle,
    org: OrganisationId,
    after: Option<UserId>,
    limit: i64,
) -> StoreResult<Vec<User>> {
    let rows: Vec<UserRow> = on_engine!(h, c => sqlx::query_as(
        "SELECT u.id, u.email, u.display_name, u.organisation_id, o.name AS organisation_name, u.org_role, \
         u.platform_admin, u.active, u.locale, u.time_zone, u.created_at \
         FROM users u JOIN organisations o ON o.id = u.organisation_id \
         WHERE u.organisation_id = $1 AND ($2 IS NULL OR u.id > $2) ORDER BY u.id LIMIT $3",
    )
    .bind(org.0)
    .bind(after.map(|a| a.0))
    .bind(limit)
    .fetch_all(c)
    .await)?;
    rows.into_iter().map(UserRow::into_domain).collect()
}

/// What sign-in needs: id, password hash, whether the account is active.
pub async fn credentials(
    h: &mut Handle,
    email: &str,
) -> StoreResult<Option<(UserId, String, bool)>> {
    let row: Option<(Uuid, String, bool)> = on_engine!(h, c => sqlx::query_as(
        "SELECT id, password_hash, active FROM users WHERE email = $1",
    )
    .bind(email)
    .fetch_optional(c)
    .await)?;
    Ok(row.map(|(id, hash, active)| (id.into(), hash, active)))
}

pub async fn password_hash(h: &mut Handle, id: UserId) -> StoreResult<Option<String>> {
    Ok(
        on_engine!(h, c => sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1").bind(id.0).fetch_optional(c).await)?,
    )
}

pub async fn set_password_hash(
    h: &mut Handle,
    id: UserId,
    hash: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query("UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1")
        .bind(id.0).bind(hash).bind(now).execute(c).await)?;
    Ok(())
}

pub async fn set_active(
    h: &mut Handle,
    id: UserId,
    active: bool,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query("UPDATE users SET active = $2, updated_at = $3 WHERE id = $1")
        .bind(id.0).bind(active).bind(now).execute(c).await)?;
    Ok(())
}

pub async fn set_preferences(
    h: &mut Handle,
    id: UserId,
    locale: Option<&str>,
    time_zone: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query("UPDATE users SET locale = $2, time_zone = $3, updated_at = $4 WHERE id = $1")
        .bind(id.0).bind(locale).bind(time_zone).bind(now).execute(c).await)?;
    Ok(())
}

/// Remembers the language a person's browser asked for at sign-in (not their setting: that one
/// they choose themselves and it wins).
pub async fn remember_browser_locale(h: &mut Handle, id: UserId, locale: &str) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query("UPDATE users SET browser_locale = $2 WHERE id = $1")
        .bind(id.0).bind(locale).execute(c).await)?;
    Ok(())
}

/// The signed-in person behind a request, with their display preferences.
#[derive(Clone, Debug)]
pub struct ResolvedActor {
    pub actor: UserActor,
    pub display_name: String,
    pub email: String,
    pub locale: Option<String>,
    pub time_zone: String,
    /// Unread notifications, read with the session (0 for API tokens): the page header shows it
    /// without a query of its own. Counted up to 100 only, so a neglected inbox does not make
    /// every page slower (measured: 5,000 unread added ~10 ms per page in a debug build).
    pub unread_notifications: i64,
}

#[derive(sqlx::FromRow)]
struct ActorRow {
    id: Uuid,
    organisation_id: Uuid,
    org_role: String,
    platform_admin: bool,
    display_name: String,
    email: String,
    locale: Option<String>,
    time_zone: String,
    unread_notifications: i64,
}

impl ActorRow {
    fn into_resolved(self) -> StoreResult<ResolvedActor> {
        Ok(ResolvedActor {
            actor: UserActor {
                id: self.id.into(),
                organisation_id: self.organisation_id.into(),
                org_role: parse_stored(&self.org_role, OrgRole::parse)?,
                platform_admin: self.platform_admin,
            },
            display_name: self.display_name,
            email: self.email,
            locale: self.locale,
            time_zone: self.time_zone,
            unread_notifications: self.unread_notifications,
        })
    }
}

/// The active user owning an unexpired session. A deactivated account resolves to nobody.
pub async fn actor_by_session(
    h: &mut Handle,
    id_hash: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<ResolvedActor>> {
    let row: Option<ActorRow> = on_engine!(h, c => sqlx::query_as(
        "SELECT u.id, u.organisation_id, u.org_role, u.platform_admin, u.display_name, u.email, u.locale, u.time_zone, \
         (SELECT COUNT(*) FROM (SELECT 1 FROM notifications n WHERE n.user_id = u.id AND n.read_at IS NULL LIMIT 100) capped) \
         AS unread_notifications \
         FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.id_hash = $1 AND s.expires_at > $2 AND u.active = TRUE",
    )
    .bind(id_hash)
    .bind(now)
    .fetch_optional(c)
    .await)?;
    row.map(ActorRow::into_resolved).transpose()
}

/// The active user owning an unrevoked token.
pub async fn actor_by_token(
    h: &mut Handle,
    token_hash: &str,
) -> StoreResult<Option<ResolvedActor>> {
    let row: Option<ActorRow> = on_engine!(h, c => sqlx::query_as(
        "SELECT u.id, u.organisation_id, u.org_role, u.platform_admin, u.display_name, u.email, u.locale, u.time_zone, \
         CAST(0 AS BIGINT) AS unread_notifications FROM api_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active = TRUE",
    )
    .bind(token_hash)
    .fetch_optional(c)
    .await)?;
    row.map(ActorRow::into_resolved).transpose()
}

pub async fn insert_session(
    h: &mut Handle,
    id_hash: &str,
    user: UserId,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query("INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(id_hash).bind(user.0).bind(now).bind(expires_at).execute(c).await)?;
    Ok(())
}

/// Deletes one session; returns its owner if it existed.
pub async fn delete_session(h: &mut Handle, id_hash: &str) -> StoreResult<Option<UserId>> {
    let user: Option<Uuid> = on_engine!(h, c => sqlx::query_scalar("DELETE FROM sessions WHERE id_hash = $1 RETURNING user_id")
        .bind(id_hash).fetch_optional(c).await)?;
    Ok(user.map(Into::into))
}

pub async fn delete_sessions_of(h: &mut Handle, user: UserId) -> StoreResult<u64> {
    Ok(
        on_engine_exec!(h, c => sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user.0).execute(c).await)?,
    )
}

pub async fn insert_token(
    h: &mut Handle,
    id: TokenId,
    user: UserId,
    name: &str,
    token_hash: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query("INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id.0).bind(user.0).bind(name).bind(token_hash).bind(now).execute(c).await)?;
    Ok(())
}

/// id, name, created at, revoked at.
type TokenRow = (Uuid, String, DateTime<Utc>, Option<DateTime<Utc>>);

pub async fn list_tokens(h: &mut Handle, user: UserId) -> StoreResult<Vec<ApiToken>> {
    let rows: Vec<TokenRow> = on_engine!(h, c => sqlx::query_as(
        "SELECT id, name, created_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id DESC LIMIT 200",
    )
    .bind(user.0)
    .fetch_all(c)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, created_at, revoked_at)| ApiToken {
            id: id.into(),
            name,
            created_at,
            revoked_at,
        })
        .collect())
}

/// Revokes one of `user`'s live tokens; false when there is no such live token.
pub async fn revoke_token(
    h: &mut Handle,
    user: UserId,
    id: TokenId,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let affected = on_engine_exec!(h, c => sqlx::query(
        "UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
    )
    .bind(id.0).bind(user.0).bind(now).execute(c).await)?;
    Ok(affected == 1)
}

/// A throttling counter: failures in the current window and any lock.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Throttle {
    pub failures: i64,
    pub window_started_at: DateTime<Utc>,
    pub locked_until: Option<DateTime<Utc>>,
}

pub async fn throttle(h: &mut Handle, key: &str) -> StoreResult<Option<Throttle>> {
    Ok(
        on_engine!(h, c => sqlx::query_as("SELECT failures, window_started_at, locked_until FROM sign_in_throttle WHERE key = $1")
        .bind(key).fetch_optional(c).await)?,
    )
}

/// Takes the row lock on a throttling counter for the rest of the write transaction, creating the
/// counter empty if it does not exist yet. Concurrent failures (on one server or several) then
/// read-modify-write the counter one after another instead of overwriting each other's counts.
/// (The no-op `DO UPDATE` is what locks the row on PostgreSQL; SQLite's write lock is already held.)
pub async fn lock_throttle(h: &mut Handle, key: &str, now: DateTime<Utc>) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "INSERT INTO sign_in_throttle (key, failures, window_started_at, locked_until) VALUES ($1, 0, $2, NULL) \
         ON CONFLICT (key) DO UPDATE SET failures = sign_in_throttle.failures",
    )
    .bind(key).bind(now).execute(c).await)?;
    Ok(())
}

pub async fn save_throttle(h: &mut Handle, key: &str, t: &Throttle) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "INSERT INTO sign_in_throttle (key, failures, window_started_at, locked_until) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, window_started_at = excluded.window_started_at, \
         locked_until = excluded.locked_until",
    )
    .bind(key).bind(t.failures).bind(t.window_started_at).bind(t.locked_until).execute(c).await)?;
    Ok(())
}

pub async fn clear_throttle(h: &mut Handle, key: &str) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query("DELETE FROM sign_in_throttle WHERE key = $1").bind(key).execute(c).await)?;
    Ok(())
}
