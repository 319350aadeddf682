//! Signing in and out, sessions, API tokens, password hashing, sign-in throttling and CSRF tokens.
//!
//! Session ids and API tokens are 256-bit random strings handed to the client once; the database
//! keeps only their SHA-256, so a leaked database yields no usable credential.

use std::sync::OnceLock;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use concord_domain::policy::Actor;
use concord_domain::user::{ApiToken, check_password};
use concord_domain::validation::required_text;
use concord_domain::{FieldErrors, TokenId, UserId};
use concord_store::users::{self, ResolvedActor, Throttle};
use concord_store::{Db, settings};
use sha2::{Digest, Sha256};

use crate::{App, AppError, Clock, event, random_bytes, require_user};

/// How long a session lasts from sign-in.
pub const SESSION_LIFETIME_HOURS: i64 = 12;
/// Failed sign-ins counted per window.
pub const THROTTLE_WINDOW_MINUTES: i64 = 15;
/// Failures for one account within the window before it is locked for the rest of the window.
pub const ACCOUNT_FAILURE_LIMIT: i64 = 5;
/// Failures from one client address within the window before it is locked.
pub const ADDRESS_FAILURE_LIMIT: i64 = 20;

/// Argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane).
fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        hasher()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(e.to_string()))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

/// Verifies off the async threads. A malformed stored hash verifies as false.
pub async fn verify_password(stored: String, password: String) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored)
            .map(|parsed| {
                hasher()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))
}

/// A hash of a password nobody has, verified when the email is unknown so both answers take as long.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        hasher()
            .hash_password(&random_bytes::<24>())
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn new_secret_string(prefix: &str) -> String {
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<32>())
    )
}

/// The stored form of a session id or token.
pub fn credential_hash(raw: &str) -> String {
    sha256_hex(raw.as_bytes())
}

/// Loads the installation secret, creating it on first start (the first server to get there wins).
pub(crate) async fn installation_secret(db: &Db, clock: &dyn Clock) -> Result<[u8; 32], AppError> {
    const KEY: &str = "installation_secret";
    let mut h = db.read().await?;
    let stored = match settings::get(&mut h, KEY).await? {
        Some(stored) => stored,
        None => {
            drop(h);
            let mut tx = db.write().await?;
            let candidate = hex::encode(random_bytes::<32>());
            if settings::insert_if_absent(tx.handle(), KEY, &candidate).await? {
                tx.record(event(
                    None,
                    "installation.secret_created",
                    "setting",
                    KEY,
                    None,
                    &[],
                    serde_json::json!({}),
                ));
                tx.commit(clock.now(), || hex::encode(random_bytes::<16>()))
                    .await?;
            }
            let mut h = db.read().await?;
            settings::get(&mut h, KEY)
                .await?
                .ok_or_else(|| AppError::Internal("installation secret missing".into()))?
        }
    };
    let bytes = hex::decode(stored.trim()).map_err(|e| AppError::Internal(e.to_string()))?;
    bytes
        .try_into()
        .map_err(|_| AppError::Internal("installation secret has the wrong length".into()))
}

/// A digest of a personal value keyed with the installation secret: stable enough to correlate
/// repeated failures in the audit log, useless for recovering the value without the secret.
pub fn keyed_digest(secret: &[u8; 32], purpose: &str, value: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"concord-digest-v1\0");
    hasher.update(secret);
    hasher.update(purpose.as_bytes());
    hasher.update(b"\0");
    hasher.update(value.as_bytes());
    hex::encode(hasher.finalize())
}

/// A CSRF token bound to `binding` (the session id, or a pre-session cookie) and the installation
/// secret: a forged request cannot know it, and it changes when the session does.
pub fn csrf_token(secret: &[u8; 32], binding: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"concord-csrf-v1\0");
    hasher.update(secret);
    hasher.update(binding.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(hasher.finalize())
}

/// Constant-time comparison of a submitted CSRF token with the expected one.
pub fn csrf_matches(secret: &[u8; 32], binding: &str, submitted: &str) -> bool {
    use subtle::ConstantTimeEq;
    let expected = csrf_token(secret, binding);
    expected.len() == submitted.len() && bool::from(expected.as_bytes().ct_eq(submitted.as_bytes()))
}

/// A new session: the raw id goes in the cookie and nowhere else.
#[derive(Clone)]
pub struct NewSession {
    pub raw_id: String,
    pub user_id: UserId,
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for NewSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSession")
            .field("raw_id", &"[redacted]")
            .field("user_id", &self.user_id)
            .finish()
    }
}

fn throttle_keys(email: &str, client: &str) -> (String, String) {
    (format!("account:{email}"), format!("address:{client}"))
}

fn locked(throttle: Option<&Throttle>, now: DateTime<Utc>) -> Option<i64> {
    let until = throttle?.locked_until?;
    (until > now).then(|| (until - now).num_seconds().max(1))
}

fn after_failure(previous: Option<Throttle>, now: DateTime<Utc>, limit: i64) -> Throttle {
    let window = Duration::minutes(THROTTLE_WINDOW_MINUTES);
    let mut t = match previous {
        Some(t) if now - t.window_started_at < window => t,
        _ => Throttle {
            failures: 0,
            window_started_at: now,
            locked_until: None,
        },
    };
    t.failures += 1;
    if t.failures >= limit {
        t.locked_until = Some(now + window);
    }
    t
}

/// Signs in with email and password from client address `client`. Unknown email, wrong password and
/// deactivated account all answer `InvalidCredentials`, after the same amount of hashing work.
/// `browser_language` (the language the sign-in page was shown in) is remembered for what is
/// written to the person later, until they choose a language in their settings.
pub async fn sign_in(
    app: &App,
    email: &str,
    password: &str,
    client: &str,
    browser_language: &str,
) -> Result<NewSession, AppError> {
    let mut errors = FieldErrors::new();
    if email.trim().is_empty() {
        errors.add("email", "required");
    }
    if password.is_empty() {
        errors.add("password", "required");
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    // A malformed address is simply one that has no account: same answer, same work.
    let email = email.trim().to_lowercase();
    let now = app.now();
    let (account_key, address_key) = throttle_keys(&email, client);
    let mut h = app.db.read().await?;
    let account_throttle = users::throttle(&mut h, &account_key).await?;
    let address_throttle = users::throttle(&mut h, &address_key).await?;
    if let Some(retry_after_seconds) =
        locked(account_throttle.as_ref(), now).or(locked(address_throttle.as_ref(), now))
    {
        return Err(AppError::Throttled {
            retry_after_seconds,
        });
    }
    let credentials = users::credentials(&mut h, &email).await?;
    drop(h);
    let (user_id, ok) = match credentials {
        Some((id, stored, active)) => (
            Some(id),
            verify_password(stored, password.to_owned()).await? && active,
        ),
        None => {
            verify_password(dummy_hash().to_owned(), password.to_owned()).await?;
            (None, false)
        }
    };
    let mut tx = app.db.write().await?;
    // Lock the counters and look again: attempts racing each other (on this server or another)
    // were all let through the check above, but only those that find no lock now may be answered
    // or counted. Without the row lock two failures would read the same count and one be lost.
    let h = tx.handle();
    users::lock_throttle(h, &account_key, now).await?;
    let account_throttle = users::throttle(h, &account_key).await?;
    let address_throttle = users::throttle(h, &address_key).await?;
    if let Some(retry_after_seconds) =
        locked(account_throttle.as_ref(), now).or(locked(address_throttle.as_ref(), now))
    {
        // Dropping the transaction rolls it back: a refused attempt writes nothing.
        return Err(AppError::Throttled {
            retry_after_seconds,
        });
    }
    match user_id.filter(|_| ok) {
        None => {
            let h = tx.handle();
            users::lock_throttle(h, &address_key, now).await?;
            let account = after_failure(account_throttle, now, ACCOUNT_FAILURE_LIMIT);
            let address = after_failure(
                users::throttle(h, &address_key).await?,
                now,
                ADDRESS_FAILURE_LIMIT,
            );
            users::save_throttle(h, &account_key, &account).await?;
            users::save_throttle(h, &address_key, &address).await?;
            // The email may be personal data: only a keyed digest is logged.
            let subject = user_id
                .map(|u| u.to_string())
                .unwrap_or_else(|| keyed_digest(&app.secret, "email", &email));
            tx.record(event(
                None,
                "session.sign_in_failed",
                "user",
                subject,
                None,
                &[],
                serde_json::json!({ "email": email, "client": client }),
            ));
            app.commit(tx).await?;
            Err(AppError::InvalidCredentials)
        }
        Some(user_id) => {
            let raw_id = new_secret_string("");
            let expires_at = now + Duration::hours(SESSION_LIFETIME_HOURS);
            users::clear_throttle(tx.handle(), &account_key).await?;
            users::remember_browser_locale(tx.handle(), user_id, browser_language).await?;
            users::insert_session(
                tx.handle(),
                &credential_hash(&raw_id),
                user_id,
                now,
                expires_at,
            )
            .await?;
            tx.record(event(
                Some(user_id),
                "session.signed_in",
                "user",
                user_id,
                None,
                &[],
                serde_json::json!({ "client": client, "browser_language": browser_language }),
            ));
            app.commit(tx).await?;
            Ok(NewSession {
                raw_id,
                user_id,
                expires_at,
            })
        }
    }
}

/// Ends a session. Signing out of a session that no longer exists is not an error.
pub async fn sign_out(app: &App, raw_session_id: &str) -> Result<(), AppError> {
    let mut tx = app.db.write().await?;
    if let Some(user_id) =
        users::delete_session(tx.handle(), &credential_hash(raw_session_id)).await?
    {
        tx.record(event(
            Some(user_id),
            "session.signed_out",
            "user",
            user_id,
            None,
            &[],
            serde_json::json!({}),
        ));
        app.commit(tx).await?;
    }
    Ok(())
}

/// The person behind a session cookie, if it is live and their account active.
pub async fn session_actor(
    app: &App,
    raw_session_id: &str,
) -> Result<Option<ResolvedActor>, AppError> {
    let mut h = app.db.read().await?;
    Ok(users::actor_by_session(&mut h, &credential_hash(raw_session_id), app.now()).await?)
}

/// The person behind a bearer token, if it is live and their account active.
pub async fn token_actor(app: &App, raw_token: &str) -> Result<Option<ResolvedActor>, AppError> {
    let mut h = app.db.read().await?;
    Ok(users::actor_by_token(&mut h, &credential_hash(raw_token)).await?)
}

/// Input for changing one's own password.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// Changes the actor's password and ends their other sessions.
pub async fn change_password(
    app: &App,
    actor: &Actor,
    input: &PasswordChange,
    keep_session: Option<&str>,
) -> Result<(), AppError> {
    let user = require_user(actor)?;
    let mut errors = FieldErrors::new();
    if input.current_password.is_empty() {
        errors.add("current_password", "required");
    }
    check_password(&mut errors, "new_password", &input.new_password);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let mut h = app.db.read().await?;
    let stored = users::password_hash(&mut h, user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(h);
    if !verify_password(stored, input.current_password.clone()).await? {
        return Err(AppError::invalid("current_password", "wrong_password"));
    }
    let new_hash = hash_password(input.new_password.clone()).await?;
    let mut tx = app.db.write().await?;
    users::set_password_hash(tx.handle(), user.id, &new_hash, app.now()).await?;
    users::delete_sessions_of(tx.handle(), user.id).await?;
    if let Some(raw) = keep_session {
        users::insert_session(
            tx.handle(),
            &credential_hash(raw),
            user.id,
            app.now(),
            app.now() + Duration::hours(SESSION_LIFETIME_HOURS),
        )
        .await?;
    }
    tx.record(event(
        actor.user_id(),
        "user.password_changed",
        "user",
        user.id,
        None,
        &["password"],
        serde_json::json!({}),
    ));
    app.commit(tx).await
}

/// A token's secret, shown once.
#[derive(Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    pub token: ApiToken,
    /// Use as `Authorization: Bearer <secret>`. Not retrievable later.
    pub secret: String,
}

impl std::fmt::Debug for CreatedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedToken")
            .field("token", &self.token)
            .field("secret", &"[redacted]")
            .finish()
    }
}

#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct TokenInput {
    pub name: String,
}

pub async fn create_token(
    app: &App,
    actor: &Actor,
    input: &TokenInput,
) -> Result<CreatedToken, AppError> {
    let user = require_user(actor)?;
    let mut errors = FieldErrors::new();
    let name = required_text(&mut errors, "name", &input.name, 100);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let mut tx = app.db.write().await?;
    let created = insert_token(app, &mut tx, user.id, name).await?;
    tx.record(event(
        actor.user_id(),
        "api_token.created",
        "api_token",
        created.token.id,
        None,
        &["name"],
        serde_json::json!({ "name": created.token.name }),
    ));
    app.commit(tx).await?;
    Ok(created)
}

/// Makes a token for `user` in `tx`: a fresh 256-bit secret, stored only as its hash.
async fn insert_token(
    app: &App,
    tx: &mut concord_store::WriteTx,
    user: UserId,
    name: String,
) -> Result<CreatedToken, AppError> {
    let id = TokenId::new();
    let secret = new_secret_string("concord_");
    let now = app.now();
    users::insert_token(tx.handle(), id, user, &name, &credential_hash(&secret), now).await?;
    Ok(CreatedToken {
        token: ApiToken {
            id,
            name,
            created_at: now,
            revoked_at: None,
        },
        secret,
    })
}

pub async fn list_tokens(app: &App, actor: &Actor) -> Result<Vec<ApiToken>, AppError> {
    let user = require_user(actor)?;
    let mut h = app.db.read().await?;
    Ok(users::list_tokens(&mut h, user.id).await?)
}

/// Revokes one of the actor's own tokens; anyone else's answers not found.
pub async fn revoke_token(app: &App, actor: &Actor, id: TokenId) -> Result<(), AppError> {
    let user = require_user(actor)?;
    let mut tx = app.db.write().await?;
    if !users::revoke_token(tx.handle(), user.id, id, app.now()).await? {
        return Err(AppError::NotFound);
    }
    tx.record(event(
        actor.user_id(),
        "api_token.revoked",
        "api_token",
        id,
        None,
        &["revoked_at"],
        serde_json::json!({}),
    ));
    app.commit(tx).await
}

/// A token made by the operator for an account (`concord token create`); audited with no actor.
pub async fn operator_create_token(
    app: &App,
    email: &str,
    name: &str,
) -> Result<CreatedToken, AppError> {
    let actor = crate::accounts::actor_for_email(app, email).await?;
    let user = require_user(&actor)?;
    let name = if name.trim().is_empty() {
        "cli"
    } else {
        name.trim()
    }
    .to_owned();
    let mut tx = app.db.write().await?;
    let created = insert_token(app, &mut tx, user.id, name).await?;
    tx.record(event(
        None,
        "operator.api_token_created",
        "api_token",
        created.token.id,
        None,
        &["name", "user_id"],
        serde_json::json!({ "user": user.id }),
    ));
    app.commit(tx).await?;
    Ok(created)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_tokens_bind_to_secret_and_binding() {
        let secret = [7u8; 32];
        let token = csrf_token(&secret, "session-a");
        assert!(csrf_matches(&secret, "session-a", &token));
        assert!(!csrf_matches(&secret, "session-b", &token));
        assert!(!csrf_matches(&[8u8; 32], "session-a", &token));
        assert!(!csrf_matches(&secret, "session-a", ""));
    }

    #[test]
    fn throttle_locks_at_the_limit_and_resets_after_the_window() {
        let start = DateTime::<Utc>::from_timestamp(1_700_000_000, 0).unwrap();
        let mut t = None;
        for i in 0..ACCOUNT_FAILURE_LIMIT {
            let next = after_failure(t, start + Duration::seconds(i), ACCOUNT_FAILURE_LIMIT);
            t = Some(next);
        }
        let t = t.unwrap();
        assert_eq!(t.failures, ACCOUNT_FAILURE_LIMIT);
        assert!(locked(Some(&t), start + Duration::minutes(1)).is_some());
        assert!(
            locked(
                Some(&t),
                start + Duration::minutes(THROTTLE_WINDOW_MINUTES + 1)
            )
            .is_none()
        );
        let fresh = after_failure(
            Some(t),
            start + Duration::minutes(THROTTLE_WINDOW_MINUTES + 1),
            ACCOUNT_FAILURE_LIMIT,
        );
        assert_eq!(fresh.failures, 1);
        assert!(fresh.locked_until.is_none());
    }

    #[test]
    fn password_hashes_use_argon2id_at_owasp_parameters() {
        let hash = hasher().hash_password(b"concord-demo").unwrap().to_string();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
    }
}
