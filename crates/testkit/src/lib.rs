//! Test harness: a real Concord server on port 0 with its own database, on the engine chosen by
//! `CONCORD_TEST_ENGINE` (`sqlite`, the default, or `postgres`). SQLite tests get a temporary file;
//! PostgreSQL tests get a fresh schema on the server at `CONCORD_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`), dropped when the test ends. No mocks: the server,
//! the database and the HTTP client are the real ones.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use anyhow::{Context, Result};
use chrono::{DateTime, Duration, Utc};
use concord_app::{App, Clock};
use concord_web::{AppState, WebConfig};
use tokio::sync::oneshot;

pub use reqwest;

/// The database engine under test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

pub fn engine() -> Engine {
    match std::env::var("CONCORD_TEST_ENGINE").as_deref() {
        Ok("postgres") | Ok("postgresql") | Ok("pg") => Engine::Postgres,
        _ => Engine::Sqlite,
    }
}

pub fn postgres_url() -> String {
    std::env::var("CONCORD_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A database of its own for one test, removed on drop.
pub struct TestDatabase {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite { _dir: tempfile_dir::TempDir },
    Postgres { admin_url: String, schema: String },
}

mod tempfile_dir {
    /// A directory removed on drop (avoids another dependency for one struct).
    pub struct TempDir(pub std::path::PathBuf);
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

impl TestDatabase {
    pub async fn new() -> Result<TestDatabase> {
        match engine() {
            Engine::Sqlite => {
                let dir =
                    std::env::temp_dir().join(format!("concord-test-{}", uuid::Uuid::new_v4()));
                std::fs::create_dir_all(&dir)?;
                let url = format!("sqlite://{}", dir.join("concord.db").display());
                Ok(TestDatabase {
                    url,
                    cleanup: Cleanup::Sqlite {
                        _dir: tempfile_dir::TempDir(dir),
                    },
                })
            }
            Engine::Postgres => {
                let admin_url = postgres_url();
                let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
                let mut admin = connect_admin(&admin_url).await?;
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                    .execute(&mut admin)
                    .await?;
                let separator = if admin_url.contains('?') { '&' } else { '?' };
                let url = format!("{admin_url}{separator}options[search_path]={schema}");
                Ok(TestDatabase {
                    url,
                    cleanup: Cleanup::Postgres { admin_url, schema },
                })
            }
        }
    }
}

async fn connect_admin(url: &str) -> Result<sqlx::PgConnection> {
    use sqlx::Connection;
    sqlx::PgConnection::connect(url)
        .await
        .with_context(|| format!("connecting to PostgreSQL at {url}"))
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Cleanup::Postgres { admin_url, schema } = &self.cleanup {
            let (admin_url, schema) = (admin_url.clone(), schema.clone());
            // Drop runs outside any runtime guarantee: use a short-lived one of its own.
            let _ = std::thread::spawn(move || {
                let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                runtime.block_on(async {
                    if let Ok(mut admin) = connect_admin(&admin_url).await {
                        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                            "DROP SCHEMA IF EXISTS {schema} CASCADE"
                        )))
                        .execute(&mut admin)
                        .await;
                    }
                });
            })
            .join();
        }
    }
}

/// A clock tests can move: starts at the real time, advanced on demand.
#[derive(Debug)]
pub struct TestClock {
    base: DateTime<Utc>,
    offset_seconds: AtomicI64,
}

impl TestClock {
    pub fn new() -> Self {
        Self {
            base: concord_app::SystemClock.now(),
            offset_seconds: AtomicI64::new(0),
        }
    }

    pub fn advance(&self, by: Duration) {
        self.offset_seconds
            .fetch_add(by.num_seconds(), Ordering::SeqCst);
    }
}

impl Default for TestClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        self.base + Duration::seconds(self.offset_seconds.load(Ordering::SeqCst))
    }
}

/// A running server.
pub struct TestServer {
    pub addr: SocketAddr,
    pub base_url: String,
    pub app: App,
    pub clock: Arc<TestClock>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl TestServer {
    /// Starts a server on an ephemeral port over the database at `url`.
    pub async fn start(url: &str) -> Result<TestServer> {
        let clock = Arc::new(TestClock::new());
        let app = App::open(url, clock.clone())
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (tx, rx) = oneshot::channel::<()>();
        let state = AppState {
            app: app.clone(),
            config: Arc::new(WebConfig::default()),
        };
        let task = tokio::spawn(async move {
            let _ = concord_web::serve(listener, state, async {
                let _ = rx.await;
            })
            .await;
        });
        Ok(TestServer {
            addr,
            base_url: format!("http://{addr}"),
            app,
            clock,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// Stops the server and waits for it.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        self.app.db.close().await;
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// One test's world: its database and a server over it.
pub struct TestApp {
    pub server: TestServer,
    pub db: TestDatabase,
}

impl std::ops::Deref for TestApp {
    type Target = TestServer;
    fn deref(&self) -> &TestServer {
        &self.server
    }
}

impl TestApp {
    /// A server over an empty, migrated database.
    pub async fn spawn() -> Result<TestApp> {
        let db = TestDatabase::new().await?;
        let server = TestServer::start(&db.url).await?;
        Ok(TestApp { server, db })
    }

    /// A server over a database holding the demo data.
    pub async fn spawn_with_demo() -> Result<TestApp> {
        let test = Self::spawn().await?;
        concord_app::demo::load(&test.server.app)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        Ok(test)
    }

    /// A personal API token for an existing account.
    pub async fn token_for(&self, email: &str) -> Result<String> {
        let created = concord_app::auth::operator_create_token(&self.server.app, email, "test")
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        Ok(created.secret)
    }

    /// An API client that sends `token` as its bearer credential.
    pub fn api(&self, token: Option<&str>) -> Api {
        Api {
            base_url: self.server.base_url.clone(),
            token: token.map(str::to_owned),
            client: reqwest::Client::new(),
        }
    }

    /// A browser-like client (cookies kept, redirects not followed), not signed in.
    pub fn browser(&self) -> Browser {
        Browser::new(&self.server.base_url)
    }

    /// A browser-like client signed in as `email` with the demo password.
    pub async fn signed_in(&self, email: &str) -> Result<Browser> {
        let browser = self.browser();
        browser
            .sign_in(email, concord_app::demo::DEMO_PASSWORD)
            .await?;
        Ok(browser)
    }
}

/// A JSON API client.
#[derive(Clone)]
pub struct Api {
    pub base_url: String,
    pub token: Option<String>,
    pub client: reqwest::Client,
}

impl Api {
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let builder = self
            .client
            .request(method, format!("{}{}", self.base_url, path));
        match &self.token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    pub async fn get(&self, path: &str) -> Result<reqwest::Response> {
        Ok(self.request(reqwest::Method::GET, path).send().await?)
    }

    pub async fn post(&self, path: &str, body: &serde_json::Value) -> Result<reqwest::Response> {
        Ok(self
            .request(reqwest::Method::POST, path)
            .json(body)
            .send()
            .await?)
    }

    pub async fn put(&self, path: &str, body: &serde_json::Value) -> Result<reqwest::Response> {
        Ok(self
            .request(reqwest::Method::PUT, path)
            .json(body)
            .send()
            .await?)
    }

    pub async fn delete(&self, path: &str) -> Result<reqwest::Response> {
        Ok(self.request(reqwest::Method::DELETE, path).send().await?)
    }

    /// GETs and decodes JSON, failing the test on a non-2xx status.
    pub async fn get_json(&self, path: &str) -> Result<serde_json::Value> {
        let response = self.get(path).await?;
        let status = response.status();
        let body: serde_json::Value = response.json().await?;
        anyhow::ensure!(status.is_success(), "GET {path}: {status} {body}");
        Ok(body)
    }
}

/// A cookie-keeping client that submits forms the way a browser does, CSRF token included.
#[derive(Clone)]
pub struct Browser {
    pub base_url: String,
    pub client: reqwest::Client,
}

impl Browser {
    pub fn new(base_url: &str) -> Browser {
        Browser::speaking(base_url, None)
    }

    /// A browser that sends `accept_language` with every request, as one set to a language does.
    pub fn speaking(base_url: &str, accept_language: Option<&str>) -> Browser {
        let mut headers = reqwest::header::HeaderMap::new();
        if let Some(value) =
            accept_language.and_then(|l| reqwest::header::HeaderValue::from_str(l).ok())
        {
            headers.insert(reqwest::header::ACCEPT_LANGUAGE, value);
        }
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .build()
            .unwrap_or_default();
        Browser {
            base_url: base_url.to_owned(),
            client,
        }
    }

    pub async fn get(&self, path: &str) -> Result<reqwest::Response> {
        Ok(self
            .client
            .get(format!("{}{}", self.base_url, path))
            .send()
            .await?)
    }

    /// GETs a page and returns (status, body).
    pub async fn page(&self, path: &str) -> Result<(reqwest::StatusCode, String)> {
        let response = self.get(path).await?;
        Ok((response.status(), response.text().await?))
    }

    /// The CSRF token embedded in a page's forms.
    pub async fn csrf_token(&self, path: &str) -> Result<String> {
        let (_, body) = self.page(path).await?;
        extract_csrf(&body).context("no csrf_token on the page")
    }

    /// Posts a form with the CSRF token taken from `token_page` (as a browser would have it).
    pub async fn submit(
        &self,
        token_page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> Result<reqwest::Response> {
        let token = self.csrf_token(token_page).await?;
        self.post_form(action, &token, fields).await
    }

    /// Posts a form with an explicit CSRF token.
    pub async fn post_form(
        &self,
        action: &str,
        token: &str,
        fields: &[(&str, &str)],
    ) -> Result<reqwest::Response> {
        // Built before any await: the serializer is not Send.
        let body = {
            let mut body = url::form_urlencoded::Serializer::new(String::new());
            body.append_pair("csrf_token", token);
            for (key, value) in fields {
                body.append_pair(key, value);
            }
            body.finish()
        };
        Ok(self
            .client
            .post(format!("{}{}", self.base_url, action))
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body)
            .send()
            .await?)
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Result<()> {
        let response = self
            .submit(
                "/sign-in",
                "/sign-in",
                &[("email", email), ("password", password)],
            )
            .await?;
        anyhow::ensure!(
            response.status() == reqwest::StatusCode::SEE_OTHER,
            "sign-in as {email} answered {}",
            response.status()
        );
        Ok(())
    }
}

/// Finds `name="csrf_token" value="..."` in HTML.
pub fn extract_csrf(html: &str) -> Option<String> {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

/// Runs one SQL statement straight on a test database, around the application (for tests that
/// tamper with stored rows). Returns the number of rows affected.
pub async fn execute_sql(url: &str, sql: &str) -> Result<u64> {
    let db = concord_store::Db::connect(url).await?;
    let mut h = db.read().await?;
    let affected = concord_store::on_engine_exec!(h, c => sqlx::query(sqlx::AssertSqlSafe(sql.to_owned())).execute(c).await)?;
    drop(h);
    db.close().await;
    Ok(affected)
}

/// The first column of every row of `sql`, read as integers, straight from a test database.
pub async fn query_i64s(url: &str, sql: &str) -> Result<Vec<i64>> {
    let db = concord_store::Db::connect(url).await?;
    let mut h = db.read().await?;
    let values: Vec<i64> = concord_store::on_engine!(h, c => sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned())).fetch_all(c).await)?;
    drop(h);
    db.close().await;
    Ok(values)
}

/// The first column of every row of `sql`, read as text, straight from a test database.
pub async fn query_strings(url: &str, sql: &str) -> Result<Vec<String>> {
    let db = concord_store::Db::connect(url).await?;
    let mut h = db.read().await?;
    let values: Vec<String> = concord_store::on_engine!(h, c => sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned())).fetch_all(c).await)?;
    drop(h);
    db.close().await;
    Ok(values)
}

/// The audit chain head (last sequence number, its hash) of a running server's database.
pub async fn audit_head(server: &TestServer) -> Result<(i64, String)> {
    let mut h = server.app.db.read().await?;
    Ok(concord_store::audit::head(&mut h).await?)
}

/// A response's status and JSON body (`Null` when the body is empty or not JSON).
pub async fn status_json(response: reqwest::Response) -> Result<(u16, serde_json::Value)> {
    let status = response.status().as_u16();
    let text = response.text().await?;
    Ok((status, serde_json::from_str(&text).unwrap_or_default()))
}
