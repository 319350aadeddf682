//! Concord's use cases. Every public function here takes the acting user (or anonymous), asks the
//! one access policy (`concord_domain::policy`), and performs its change and audit event in one
//! write transaction (`concord_store::WriteTx`). The JSON API, the HTML pages and the CLI all call
//! these functions; none of them talks to the store directly.
//!
//! Errors: [`AppError`], which the web layer maps to HTTP in one place. Database failures stay
//! opaque (`AppError::Store`) so their detail is logged, never shown.

pub mod accounts;
pub mod action_items;
pub mod audit;
pub mod auth;
pub mod charter;
pub mod collaborations;
pub mod dashboard;
pub mod decisions;
pub mod demo;
pub mod key_results;
pub mod live;
pub mod meetings;
pub mod notifications;
pub mod objectives;
pub mod organisations;
pub mod outbox;
pub mod reviews;
pub mod stakeholders;
pub mod texts;
pub mod threads;
pub mod webhooks;

use std::sync::Arc;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use concord_domain::FieldErrors;
use concord_domain::policy::Actor;
use concord_store::db::PendingEvent;
use concord_store::{Db, StoreError, WriteTx};
use rand::RngCore;

pub use concord_store::Db as Database;

/// The one place the wall clock is read; tests inject their own.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> DateTime<Utc>;
}

#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)]
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Everything a use case needs. Cheap to clone; holds no per-request state, so several servers
/// on one PostgreSQL database behave as one.
#[derive(Clone, Debug)]
pub struct App {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    /// Installation secret shared by all servers through the database (signs CSRF tokens).
    pub secret: Arc<[u8; 32]>,
    /// This server's live-update signals (thread pages open in browsers).
    pub live: Arc<live::LiveHub>,
    /// Where webhooks may be delivered (the allow-list), shared by every clone.
    pub webhooks: webhooks::WebhookConfig,
}

impl App {
    /// Connects, migrates and loads (or creates) the installation secret.
    pub async fn open(database_url: &str, clock: Arc<dyn Clock>) -> Result<App, AppError> {
        let db = Db::connect(database_url).await?;
        db.migrate().await?;
        let secret = auth::installation_secret(&db, clock.as_ref()).await?;
        Ok(App {
            db,
            clock,
            secret: Arc::new(secret),
            live: Arc::new(live::LiveHub::default()),
            webhooks: webhooks::WebhookConfig::default(),
        })
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Commits a unit of work, stamping its audit events with the current time.
    pub(crate) async fn commit(&self, tx: WriteTx) -> Result<(), AppError> {
        tx.commit(self.now(), random_hex16).await?;
        Ok(())
    }
}

/// A typed failure of a use case. Each maps to one HTTP status and a stable snake_case code.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Missing, or invisible to the caller: the two are indistinguishable on purpose.
    #[error("not found")]
    NotFound,
    /// The caller must sign in first.
    #[error("authentication required")]
    Unauthenticated,
    /// The caller can see the thing but may not do this to it.
    #[error("forbidden")]
    Forbidden,
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// A rule about the current state refuses the change (e.g. `collaboration_already_has_lead`).
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("wrong email or password")]
    InvalidCredentials,
    #[error("too many attempts; retry after {retry_after_seconds} s")]
    Throttled { retry_after_seconds: i64 },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// The stable code the API reports and the UI translates.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound => "not_found",
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden => "forbidden",
            AppError::Invalid(_) => "invalid_input",
            AppError::Conflict(code) => code,
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::Throttled { .. } => "too_many_attempts",
            AppError::Store(_) | AppError::Internal(_) => "internal_error",
        }
    }

    pub fn invalid(field: &str, code: &str) -> AppError {
        AppError::Invalid(FieldErrors::single(field, code))
    }
}

impl From<FieldErrors> for AppError {
    fn from(errors: FieldErrors) -> Self {
        AppError::Invalid(errors)
    }
}

/// One page of a list, with the opaque cursor of the next page when there is one.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// The default and largest page sizes.
pub const PAGE_DEFAULT: i64 = 25;
pub const PAGE_MAX: i64 = 100;

pub fn clamp_limit(limit: Option<i64>) -> i64 {
    limit.unwrap_or(PAGE_DEFAULT).clamp(1, PAGE_MAX)
}

/// Cursors are opaque to clients: base64url of the key they continue from.
pub fn encode_cursor(key: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.as_bytes())
}

pub fn decode_cursor(cursor: Option<&str>) -> Result<Option<String>, AppError> {
    let Some(cursor) = cursor.filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .map(Some)
        .ok_or_else(|| AppError::invalid("cursor", "invalid_cursor"))
}

/// Fetches `limit + 1` rows to learn whether another page follows, then trims.
pub(crate) fn paginate<T>(mut items: Vec<T>, limit: i64, key: impl Fn(&T) -> String) -> Page<T> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|last| encode_cursor(&key(last)))
    } else {
        None
    };
    Page { items, next_cursor }
}

pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

fn random_hex16() -> String {
    hex::encode(random_bytes::<16>())
}

/// Builds an audit event; `actor` is the acting user's id (`None` for anonymous or system).
pub(crate) fn event(
    actor: Option<concord_domain::UserId>,
    action: &str,
    object_type: &str,
    object_id: impl ToString,
    collaboration: Option<concord_domain::CollaborationId>,
    changed_fields: &[&str],
    details: serde_json::Value,
) -> PendingEvent {
    PendingEvent {
        actor_id: actor.map(|u| u.0),
        action: action.to_owned(),
        object_type: object_type.to_owned(),
        object_id: object_id.to_string(),
        collaboration_id: collaboration.map(|c| c.0),
        changed_fields: changed_fields.iter().map(|f| (*f).to_owned()).collect(),
        details,
    }
}

/// The signed-in user, or `Unauthenticated`.
pub(crate) fn require_user(actor: &Actor) -> Result<&concord_domain::policy::UserActor, AppError> {
    actor.user().ok_or(AppError::Unauthenticated)
}
