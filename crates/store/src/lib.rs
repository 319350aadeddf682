//! Persistence for Concord: the schema and migrations for SQLite and PostgreSQL, the queries, and the
//! write transaction that appends audit events. No policy decisions live here; the `app` crate asks
//! the policy and then calls these functions.
//!
//! One schema, two engines. Query logic is written once: each query is a `'static` SQL string with
//! `$n` placeholders that both engines accept, run through [`on_engine!`], which expands the same code
//! once per engine. Engine-specific SQL appears only where the engines truly differ (DDL, row locks).
//!
//! Errors: every function returns [`StoreError`]; the app layer maps it to its own error type.

pub mod audit;
pub mod collaborations;
pub mod db;
pub mod organisations;
pub mod settings;
pub mod users;

pub use db::{Conn, Db, Engine, Handle, WriteTx};

/// Runs `$body` with `$c` bound to the engine's connection (`&mut SqliteConnection` or
/// `&mut PgConnection`). The body is compiled once per engine, so it must only use SQL both accept.
#[macro_export]
macro_rules! on_engine {
    ($handle:expr, $c:ident => $body:expr) => {
        match $handle.conn() {
            $crate::Conn::Sqlite($c) => $body,
            $crate::Conn::Postgres($c) => $body,
        }
    };
}

/// Like [`on_engine!`] for statements run with `.execute(c).await`: yields the rows affected, since
/// the engines' result types differ.
#[macro_export]
macro_rules! on_engine_exec {
    ($handle:expr, $c:ident => $body:expr) => {
        match $handle.conn() {
            $crate::Conn::Sqlite($c) => $body.map(|r| r.rows_affected()),
            $crate::Conn::Postgres($c) => $body.map(|r| r.rows_affected()),
        }
    };
}

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL scheme {0:?}: use sqlite://PATH or postgres://...")]
    UnknownScheme(String),
    #[error("invalid database URL: {0}")]
    InvalidUrl(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("a write transaction was committed without an audit event")]
    Unaudited,
    #[error("stored value is not valid: {0}")]
    Corrupt(String),
    #[error("could not create the database directory: {0}")]
    Io(#[from] std::io::Error),
}

impl StoreError {
    /// True when the error is a violated unique constraint (a duplicate name, a second lead...).
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Database(sqlx::Error::Database(e)) if e.is_unique_violation())
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Parses a stored enum string, treating an unknown value as corruption rather than a default.
pub(crate) fn parse_stored<T>(text: &str, parse: fn(&str) -> Option<T>) -> StoreResult<T> {
    parse(text).ok_or_else(|| StoreError::Corrupt(format!("unknown value {text:?}")))
}
