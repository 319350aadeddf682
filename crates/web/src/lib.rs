//! Concord's web layer: the JSON API under `/api/v1` (with its generated OpenAPI document), the
//! server-rendered HTML pages, and the middleware around both (who is asking, language and time
//! zone, CSRF, security headers). Handlers are thin: they parse input, call one `concord_app`
//! service with the actor, and render JSON or HTML. No SQL and no policy decisions live here.
//!
//! Errors: handlers return [`error::ApiError`] (problem+json) or [`error::PageError`] (an HTML page
//! in the site's layout); both wrap `concord_app::AppError` and map it to HTTP in one place.

pub mod api;
pub mod assets;
pub mod charts;
pub mod context;
pub mod error;
pub mod i18n;
pub mod markdown;
pub mod pages;
pub mod security;
pub mod sse;

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::middleware;
use concord_app::App;
use tokio::net::TcpListener;

/// Settings of the web layer.
#[derive(Clone, Debug, Default)]
pub struct WebConfig {
    /// Mark cookies `Secure` (set when Concord is served over https, directly or behind a proxy).
    pub secure_cookies: bool,
}

/// What every handler gets.
#[derive(Clone, Debug)]
pub struct AppState {
    pub app: App,
    pub config: Arc<WebConfig>,
}

/// The whole application: API, OpenAPI document, pages and static assets, with middleware.
pub fn router(state: AppState) -> Router {
    let (api_router, _) = api::router().split_for_parts();
    Router::new()
        .merge(api_router)
        .route("/api/openapi.json", axum::routing::get(api::openapi_json))
        .merge(pages::router())
        .merge(assets::router())
        .fallback(pages::not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::csrf_guard,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            context::resolve,
        ))
        .layer(middleware::from_fn(security::headers))
        .with_state(state)
}

/// Serves until `shutdown` completes. The listener is injected so tests can bind port 0.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Live streams never end by themselves: close them when shutdown begins, so the graceful
    // shutdown does not wait for them.
    let live = state.app.live.clone();
    let shutdown = async move {
        shutdown.await;
        live.close();
    };
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
