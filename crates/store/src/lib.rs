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
pub mod charters;
pub mod collaborations;
pub mod db;
pub mod decisions;
pub mod key_results;
pub mod live;
pub mod meetings;
pub mod notifications;
pub mod objectives;
pub mod organisations;
pub mod reviews;
pub mod settings;
pub mod stakeholders;
pub mod threads;
pub mod users;
pub mod webhooks;

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

/// `$1, $2, …, $n`: the placeholders of an `IN (…)` list of `n` values (both engines).
pub(crate) fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Runs `sql` (with an `IN (…)` list of [`placeholders`]) binding every id: the rows of several
/// things in one query. The SQL is built only from literals and placeholders; every value is bound.
macro_rules! fetch_for_ids {
    ($h:expr, $sql:expr, $ids:expr) => {
        $crate::on_engine!($h, c => {
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe($sql.to_owned()));
            for id in $ids {
                query = query.bind(*id);
            }
            query.fetch_all(c).await
        })
    };
}
pub(crate) use fetch_for_ids;

/// Holds one row until commit on PostgreSQL (`sql` selects it `FOR UPDATE` by `$1`), so that
/// steps which read what the row owns and then write from it (the next number in a sequence)
/// take turns across every server. SQLite needs nothing: its writes take turns already.
pub(crate) async fn hold_row(h: &mut Handle, sql: &'static str, id: uuid::Uuid) -> StoreResult<()> {
    if let Conn::Postgres(c) = h.conn() {
        sqlx::query(sql).bind(id).execute(c).await?;
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    fn migration_names(engine: &str) -> BTreeSet<String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(engine);
        std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    }

    /// Both engines must have the same migrations, version for version and name for name.
    #[test]
    fn migrations_match_across_engines() {
        let sqlite = migration_names("sqlite");
        let postgres = migration_names("postgres");
        assert!(!sqlite.is_empty());
        assert_eq!(sqlite, postgres);
        for name in &sqlite {
            let (version, rest) = name
                .split_once('_')
                .unwrap_or_else(|| panic!("{name}: expected NNNN_name.sql"));
            assert!(
                version.len() == 4 && version.chars().all(|c| c.is_ascii_digit()),
                "{name}"
            );
            assert!(rest.ends_with(".sql"), "{name}");
        }
    }

    #[test]
    fn unknown_url_schemes_are_refused() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        for url in ["mysql://localhost/x", "concord.db", "file:///tmp/x.db", ""] {
            let result = runtime.block_on(crate::Db::connect(url));
            assert!(
                matches!(result, Err(crate::StoreError::UnknownScheme(_))),
                "{url}"
            );
        }
    }
}
