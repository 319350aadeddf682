//! Pages: account (to be filled in).

use crate::AppState;

pub fn routes() -> Vec<(&'static str, axum::routing::MethodRouter<AppState>)> {
    Vec::new()
}
