//! Installation-wide settings shared by every server on the database (e.g. the CSRF signing secret).

use crate::{Handle, StoreResult, on_engine, on_engine_exec};

pub async fn get(h: &mut Handle, key: &str) -> StoreResult<Option<String>> {
    Ok(
        on_engine!(h, c => sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(c).await)?,
    )
}

/// Inserts `value` unless another server got there first; returns whether this call inserted it.
pub async fn insert_if_absent(h: &mut Handle, key: &str, value: &str) -> StoreResult<bool> {
    let result = on_engine_exec!(h, c => sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
    .bind(key)
    .bind(value)
    .execute(c)
    .await
    )?;
    Ok(result == 1)
}
