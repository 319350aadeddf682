//! Signed webhooks. A collaboration's coordinators register endpoints (to everyone else they do not
//! exist: 404), rotate their secrets, delete them, send a test event and read the deliveries.
//! Deliveries are enqueued by the store when a unit of work commits
//! (`concord_store::webhooks::enqueue`, called from `WriteTx::commit`); [`run_once`] sends the
//! due ones and [`worker`] runs it forever (started by `concord serve`).
//!
//! Outbound requests never reach a forbidden address (`concord_domain::webhook::is_forbidden`):
//! names are resolved by [`GuardedResolver`], which hands reqwest only vetted addresses, so the
//! address connected to is the address checked; redirects are not followed; plain `http` is
//! allowed only to allow-listed addresses, by a client whose resolver admits nothing else.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, RwLock};
use std::time::Duration as StdDuration;

use chrono::Duration;
use concord_domain::policy::Actor;
use concord_domain::webhook::{
    self as domain, Attempt, Delivery, DeliveryStatus, Endpoint, EndpointFields, EndpointInput,
    Payload, PayloadObject, PayloadRef,
};
use concord_domain::{CollaborationId, FieldErrors, WebhookDeliveryId, WebhookId};
use concord_store::webhooks::{self as store, AttemptOutcome, Claimed, EndpointValues};
use concord_store::{Handle, StoreError};
use ipnet::IpNet;
use serde_json::json;

use crate::collaborations::facts;
use crate::{App, AppError, Page, clamp_limit, decode_cursor, event, paginate, require_user};

/// At most this many endpoints per collaboration.
pub const ENDPOINTS_MAX: i64 = 20;
/// Deliveries sent per round of the worker.
const BATCH: i64 = 8;

/// Where webhooks may go, set by `concord serve --webhook-allow` / `--webhook-ca-file`.
#[derive(Clone, Debug, Default)]
pub struct WebhookSettings {
    /// Networks that ARE reachable although forbidden by default (tests, on-premise receivers);
    /// plain `http` is accepted only for hosts resolving into them.
    pub allow: Vec<IpNet>,
    /// Extra trusted root certificates (PEM), for receivers with a private CA.
    pub extra_roots_pem: Option<Vec<u8>>,
}

/// The settings, shared by every clone of the [`App`] (and changeable at run time, which the
/// tests use to open and close the allow-list of a running server).
#[derive(Clone, Debug, Default)]
pub struct WebhookConfig(Arc<RwLock<WebhookSettings>>);

impl WebhookConfig {
    pub fn new(settings: WebhookSettings) -> Self {
        Self(Arc::new(RwLock::new(settings)))
    }

    pub fn get(&self) -> WebhookSettings {
        match self.0.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn set(&self, settings: WebhookSettings) {
        match self.0.write() {
            Ok(mut guard) => *guard = settings,
            Err(poisoned) => *poisoned.into_inner() = settings,
        }
    }
}

/// An endpoint with its secret: answered once, at creation and at each rotation.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct EndpointWithSecret {
    pub endpoint: Endpoint,
    /// `whsec_` + 64 hex digits (256 random bits). The HMAC key is this whole string. Shown only
    /// now: store it in the receiver.
    pub secret: String,
}

/// The collaboration's endpoints with the kinds one may subscribe to.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct EndpointList {
    pub items: Vec<Endpoint>,
    /// Every event family an endpoint may subscribe to.
    pub event_kinds: Vec<String>,
}

/// One delivery with its attempts and the exact body sent.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct DeliveryDetail {
    pub delivery: Delivery,
    /// Oldest first.
    pub attempts: Vec<Attempt>,
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

/// Coordinators only: to anyone else the collaboration's endpoints do not exist.
async fn manageable(
    h: &mut Handle,
    actor: &Actor,
    collaboration: CollaborationId,
) -> Result<(), AppError> {
    let f = facts(h, actor, collaboration).await?;
    if domain::may_manage(actor, &f) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// The endpoint's collaboration, once the actor is known to manage it.
async fn manageable_endpoint(
    h: &mut Handle,
    actor: &Actor,
    id: WebhookId,
) -> Result<CollaborationId, AppError> {
    let collaboration = store::collaboration_of_endpoint(h, id)
        .await?
        .ok_or(AppError::NotFound)?;
    manageable(h, actor, collaboration).await?;
    Ok(collaboration)
}

pub async fn list(
    app: &App,
    actor: &Actor,
    collaboration: CollaborationId,
) -> Result<EndpointList, AppError> {
    let mut h = app.db.read().await?;
    manageable(&mut h, actor, collaboration).await?;
    Ok(EndpointList {
        items: store::list_endpoints(&mut h, collaboration).await?,
        event_kinds: domain::EVENT_FAMILIES
            .iter()
            .map(|k| (*k).to_owned())
            .collect(),
    })
}

pub async fn get(app: &App, actor: &Actor, id: WebhookId) -> Result<Endpoint, AppError> {
    let mut h = app.db.read().await?;
    manageable_endpoint(&mut h, actor, id).await?;
    store::get_endpoint(&mut h, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Validates the input and checks, by resolving the host now, that it reaches an allowed address
/// (and, for plain `http`, an allow-listed one). The check is repeated on every delivery, on the
/// address actually connected to.
pub async fn validate(app: &App, input: &EndpointInput) -> Result<EndpointFields, AppError> {
    let settings = app.webhooks.get();
    let fields = input.validate(&settings.allow)?;
    // Bounded: a slow resolver answers "unresolvable", never a hung form.
    let lookup = tokio::net::lookup_host((fields.host(), fields.port()));
    let addresses: Vec<IpAddr> = match tokio::time::timeout(StdDuration::from_secs(5), lookup).await
    {
        Ok(Ok(found)) => found.map(|a| a.ip()).collect(),
        Ok(Err(_)) | Err(_) => Vec::new(),
    };
    if addresses.is_empty() {
        return Err(AppError::invalid("url", "unresolvable"));
    }
    let usable = addresses
        .iter()
        .any(|ip| usable(*ip, &settings.allow, fields.is_http()));
    if !usable {
        let code = if fields.is_http()
            && addresses
                .iter()
                .any(|ip| domain::address_allowed(*ip, &settings.allow))
        {
            "https_required"
        } else {
            "address_not_allowed"
        };
        return Err(AppError::invalid("url", code));
    }
    Ok(fields)
}

/// May a request connect to `ip`? Plain http only to allow-listed networks.
fn usable(ip: IpAddr, allow: &[IpNet], http: bool) -> bool {
    if http {
        domain::allow_listed(ip, allow)
    } else {
        domain::address_allowed(ip, allow)
    }
}

fn new_secret() -> String {
    domain::secret_from_bytes(&crate::random_bytes::<32>())
}

/// Audit details of an endpoint: never the secret.
fn audit_details(fields: &EndpointFields) -> serde_json::Value {
    json!({
        "url": fields.url.as_str(),
        "description": fields.description,
        "event_kinds": fields.event_kinds,
        "active": fields.active,
    })
}

pub async fn create(
    app: &App,
    actor: &Actor,
    collaboration: CollaborationId,
    input: &EndpointInput,
) -> Result<EndpointWithSecret, AppError> {
    {
        // The policy first: an outsider learns nothing, and makes the server resolve nothing.
        let mut h = app.db.read().await?;
        manageable(&mut h, actor, collaboration).await?;
    }
    let fields = validate(app, input).await?;
    register(app, actor, collaboration, &fields).await
}

/// Stores a validated endpoint with a new secret (the policy is checked again in the write).
pub(crate) async fn register(
    app: &App,
    actor: &Actor,
    collaboration: CollaborationId,
    fields: &EndpointFields,
) -> Result<EndpointWithSecret, AppError> {
    let mut tx = app.db.write().await?;
    manageable(tx.handle(), actor, collaboration).await?;
    let user = require_user(actor)?;
    if store::count_endpoints(tx.handle(), collaboration).await? >= ENDPOINTS_MAX {
        return Err(AppError::Conflict("too_many_webhooks"));
    }
    let id = WebhookId::new();
    let secret = new_secret();
    store::insert_endpoint(
        tx.handle(),
        id,
        collaboration,
        &EndpointValues {
            url: fields.url.as_str(),
            description: &fields.description,
            event_kinds: &fields.event_kinds,
            active: fields.active,
        },
        &secret,
        Some(user.id),
        app.now(),
    )
    .await?;
    tx.record(event(
        Some(user.id),
        "webhook.created",
        "webhook",
        id,
        Some(collaboration),
        &["url", "description", "event_kinds", "active"],
        audit_details(fields),
    ));
    app.commit(tx).await?;
    Ok(EndpointWithSecret {
        endpoint: get(app, actor, id).await?,
        secret,
    })
}

pub async fn update(
    app: &App,
    actor: &Actor,
    id: WebhookId,
    input: &EndpointInput,
) -> Result<Endpoint, AppError> {
    {
        let mut h = app.db.read().await?;
        manageable_endpoint(&mut h, actor, id).await?;
    }
    let fields = validate(app, input).await?;
    update_fields(app, actor, id, &fields).await
}

/// Stores validated changes to an endpoint (the policy is checked again in the write).
pub(crate) async fn update_fields(
    app: &App,
    actor: &Actor,
    id: WebhookId,
    fields: &EndpointFields,
) -> Result<Endpoint, AppError> {
    let mut tx = app.db.write().await?;
    let collaboration = manageable_endpoint(tx.handle(), actor, id).await?;
    let user = require_user(actor)?;
    let before = store::get_endpoint(tx.handle(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let changed = concord_domain::audit::changed_fields([
        ("url", before.url != fields.url.as_str()),
        ("description", before.description != fields.description),
        ("event_kinds", before.event_kinds != fields.event_kinds),
        ("active", before.active != fields.active),
    ]);
    if changed.is_empty() {
        return Ok(before);
    }
    store::update_endpoint(
        tx.handle(),
        id,
        &EndpointValues {
            url: fields.url.as_str(),
            description: &fields.description,
            event_kinds: &fields.event_kinds,
            active: fields.active,
        },
        app.now(),
    )
    .await?;
    tx.record(event(
        Some(user.id),
        "webhook.updated",
        "webhook",
        id,
        Some(collaboration),
        &changed,
        audit_details(fields),
    ));
    app.commit(tx).await?;
    get(app, actor, id).await
}

/// A new secret; the old one stops signing at once.
pub async fn rotate_secret(
    app: &App,
    actor: &Actor,
    id: WebhookId,
) -> Result<EndpointWithSecret, AppError> {
    let mut tx = app.db.write().await?;
    let collaboration = manageable_endpoint(tx.handle(), actor, id).await?;
    let user = require_user(actor)?;
    let secret = new_secret();
    store::set_secret(tx.handle(), id, &secret, app.now()).await?;
    tx.record(event(
        Some(user.id),
        "webhook.secret_rotated",
        "webhook",
        id,
        Some(collaboration),
        &["secret"],
        // Only that it changed: never the secret.
        json!({}),
    ));
    app.commit(tx).await?;
    Ok(EndpointWithSecret {
        endpoint: get(app, actor, id).await?,
        secret,
    })
}

/// Deletes the endpoint, its pending deliveries and its delivery log.
pub async fn delete(app: &App, actor: &Actor, id: WebhookId) -> Result<(), AppError> {
    let mut tx = app.db.write().await?;
    let collaboration = manageable_endpoint(tx.handle(), actor, id).await?;
    let user = require_user(actor)?;
    let before = store::get_endpoint(tx.handle(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    store::delete_endpoint(tx.handle(), id).await?;
    tx.record(event(
        Some(user.id),
        "webhook.deleted",
        "webhook",
        id,
        Some(collaboration),
        &[],
        json!({ "url": before.url }),
    ));
    app.commit(tx).await?;
    Ok(())
}

/// Queues a `webhook.test` event to this endpoint only (active or not: it is a test).
pub async fn send_test(
    app: &App,
    actor: &Actor,
    id: WebhookId,
) -> Result<WebhookDeliveryId, AppError> {
    let mut tx = app.db.write().await?;
    let collaboration = manageable_endpoint(tx.handle(), actor, id).await?;
    let user = require_user(actor)?;
    let delivery = WebhookDeliveryId::new();
    let now = app.now();
    let payload = Payload {
        id: delivery,
        kind: domain::TEST_EVENT_KIND.to_owned(),
        occurred_at: now,
        collaboration: PayloadRef {
            id: collaboration.to_string(),
        },
        object: PayloadObject {
            object_type: "webhook".into(),
            id: id.to_string(),
        },
        actor: Some(PayloadRef {
            id: user.id.to_string(),
        }),
        data: json!({ "test": true }),
    };
    store::insert_delivery(tx.handle(), id, &payload, now).await?;
    tx.record(event(
        Some(user.id),
        "webhook.test_sent",
        "webhook",
        id,
        Some(collaboration),
        &[],
        json!({ "delivery": delivery }),
    ));
    app.commit(tx).await?;
    Ok(delivery)
}

/// The endpoint's deliveries, newest first.
pub async fn deliveries(
    app: &App,
    actor: &Actor,
    id: WebhookId,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> Result<Page<Delivery>, AppError> {
    let limit = clamp_limit(limit);
    let before = decode_cursor(cursor)?
        .map(|c| c.parse::<WebhookDeliveryId>())
        .transpose()
        .map_err(|_| AppError::invalid("cursor", "invalid_cursor"))?;
    let mut h = app.db.read().await?;
    manageable_endpoint(&mut h, actor, id).await?;
    let rows = store::list_deliveries(&mut h, id, before, limit + 1).await?;
    Ok(paginate(rows, limit, |d| d.id.to_string()))
}

pub async fn delivery(
    app: &App,
    actor: &Actor,
    id: WebhookId,
    delivery: WebhookDeliveryId,
) -> Result<DeliveryDetail, AppError> {
    let mut h = app.db.read().await?;
    manageable_endpoint(&mut h, actor, id).await?;
    let (delivery, attempts, payload) = store::get_delivery(&mut h, id, delivery)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(DeliveryDetail {
        delivery,
        attempts,
        payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
    })
}

/// Demo data: marks every pending delivery of `webhook` as delivered (one 503 first, for the
/// log to show a retry), a little after its event, without any network. Demo only.
pub(crate) async fn settle_demo_deliveries(app: &App, webhook: WebhookId) -> Result<(), AppError> {
    let mut h = app.db.read().await?;
    let mut page = store::list_deliveries(&mut h, webhook, None, 500).await?;
    page.reverse();
    for (n, d) in page.iter().enumerate() {
        let latency = 90 + i64::try_from((n * 37) % 300).unwrap_or(0);
        let mut attempt = 1;
        if n == 2 {
            store::record_attempt(
                &mut h,
                d.id.0,
                &AttemptOutcome {
                    attempt,
                    at: d.created_at + Duration::seconds(1),
                    status_code: Some(503),
                    error: Some("HTTP 503"),
                    latency_ms: 2_140,
                    status: DeliveryStatus::Pending,
                    next_attempt_at: domain::retry_delay(1).map(|r| d.created_at + r),
                },
            )
            .await?;
            attempt += 1;
        }
        let at = d.created_at + Duration::seconds(1 + 31 * (attempt - 1));
        store::record_attempt(
            &mut h,
            d.id.0,
            &AttemptOutcome {
                attempt,
                at,
                status_code: Some(200),
                error: None,
                latency_ms: latency,
                status: DeliveryStatus::Succeeded,
                next_attempt_at: None,
            },
        )
        .await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Delivery

/// Resolves names with the system resolver and lets through only addresses a webhook may reach
/// (all of them allow-listed when `allow_listed_only`). reqwest connects only to what this
/// returns, so the check holds for the address actually connected to, whatever DNS says later.
#[derive(Clone, Debug)]
pub struct GuardedResolver {
    pub allow: Vec<IpNet>,
    pub allow_listed_only: bool,
}

impl GuardedResolver {
    /// The addresses of `resolved` that may be connected to, or an error naming what was refused.
    pub fn filter(&self, name: &str, resolved: Vec<SocketAddr>) -> Result<Vec<SocketAddr>, String> {
        let (ok, refused): (Vec<SocketAddr>, Vec<SocketAddr>) = resolved
            .into_iter()
            .partition(|a| usable(a.ip(), &self.allow, self.allow_listed_only));
        if ok.is_empty() {
            let list: Vec<String> = refused.iter().map(|a| a.ip().to_string()).collect();
            return Err(format!(
                "address not allowed: {name} resolves only to forbidden addresses ({})",
                list.join(", ")
            ));
        }
        Ok(ok)
    }
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let this = self.clone();
        let name = name.as_str().to_owned();
        Box::pin(async move {
            let resolved: Vec<SocketAddr> =
                tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            let ok = this.filter(&name, resolved)?;
            let addrs: reqwest::dns::Addrs = Box::new(ok.into_iter());
            Ok(addrs)
        })
    }
}

/// The two HTTP clients of the worker: for `https` (allowed addresses) and for `http`
/// (allow-listed addresses only). No redirects, no proxies, 10 s per request.
#[derive(Clone, Debug)]
pub struct Senders {
    https: reqwest::Client,
    http: reqwest::Client,
    allow: Vec<IpNet>,
}

impl Senders {
    pub fn new(settings: &WebhookSettings) -> Result<Senders, AppError> {
        let build = |allow_listed_only: bool| -> Result<reqwest::Client, AppError> {
            let mut builder = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .timeout(StdDuration::from_secs(domain::TIMEOUT_SECONDS))
                .connect_timeout(StdDuration::from_secs(domain::TIMEOUT_SECONDS))
                .user_agent("Concord-Webhooks/1")
                .dns_resolver(GuardedResolver {
                    allow: settings.allow.clone(),
                    allow_listed_only,
                });
            if let Some(pem) = &settings.extra_roots_pem {
                let certs = reqwest::Certificate::from_pem_bundle(pem)
                    .map_err(|e| AppError::Internal(format!("webhook CA file: {e}")))?;
                builder = builder.tls_certs_merge(certs);
            }
            builder
                .build()
                .map_err(|e| AppError::Internal(format!("webhook client: {e}")))
        };
        Ok(Senders {
            https: build(false)?,
            http: build(true)?,
            allow: settings.allow.clone(),
        })
    }
}

/// What one attempt came to.
struct Sent {
    status_code: Option<i32>,
    error: Option<String>,
    latency_ms: i64,
}

/// The innermost cause of an error (where the resolver's refusal sits).
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

async fn send(senders: &Senders, claimed: &Claimed, t: i64) -> Sent {
    let started = std::time::Instant::now();
    let elapsed = |started: std::time::Instant| {
        i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX)
    };
    let url = match url::Url::parse(&claimed.url) {
        Ok(url) => url,
        Err(e) => {
            return Sent {
                status_code: None,
                error: Some(format!("invalid URL: {e}")),
                latency_ms: 0,
            };
        }
    };
    let http = url.scheme() == "http";
    // A literal address skips the resolver: check it here (registration refuses them anyway).
    let literal = match url.host() {
        Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        _ => None,
    };
    if let Some(ip) = literal
        && !usable(ip, &senders.allow, http)
    {
        return Sent {
            status_code: None,
            error: Some(format!("address not allowed: {ip}")),
            latency_ms: 0,
        };
    }
    let client = if http { &senders.http } else { &senders.https };
    let result = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(
            "Concord-Signature",
            domain::signature_header(&claimed.secret, t, claimed.payload.as_bytes()),
        )
        .header("Concord-Event", &claimed.event_kind)
        .header("Concord-Delivery", claimed.id.to_string())
        .body(claimed.payload.clone())
        .send()
        .await;
    match result {
        Ok(response) => {
            let status = response.status();
            let latency_ms = elapsed(started);
            let error = if status.is_success() {
                None
            } else if status.is_redirection() {
                Some(format!("redirect not followed (HTTP {})", status.as_u16()))
            } else {
                Some(format!("HTTP {}", status.as_u16()))
            };
            Sent {
                status_code: Some(i32::from(status.as_u16())),
                error,
                latency_ms,
            }
        }
        Err(e) => {
            let what = if e.is_timeout() {
                format!("timed out after {} s", domain::TIMEOUT_SECONDS)
            } else if e.is_connect() {
                format!("connection failed: {}", root_cause(&e))
            } else {
                format!("request failed: {}", root_cause(&e))
            };
            Sent {
                status_code: None,
                error: Some(what),
                latency_ms: elapsed(started),
            }
        }
    }
}

/// Sends every delivery due now (a batch at a time, concurrently), logs each attempt, and
/// schedules retries (30 s, 2 min, 8 min... then failed). Returns how many attempts were made.
/// Safe to run on several servers at once: rows are claimed with a lease.
pub async fn run_once(app: &App, senders: &Senders) -> Result<usize, AppError> {
    let now = app.now();
    let lease = now + Duration::seconds(domain::LEASE_SECONDS);
    let claimed = {
        let mut h = app.db.read().await?;
        store::claim_due(&mut h, now, lease, BATCH).await?
    };
    let count = claimed.len();
    let mut tasks = tokio::task::JoinSet::new();
    for row in claimed {
        let senders = senders.clone();
        let app = app.clone();
        tasks.spawn(async move {
            let sent = send(&senders, &row, app.now().timestamp()).await;
            let attempt = row.attempts + 1;
            let at = app.now();
            let (status, next) = if sent.error.is_none() {
                (DeliveryStatus::Succeeded, None)
            } else {
                match domain::retry_delay(attempt) {
                    Some(delay) => (DeliveryStatus::Pending, Some(at + delay)),
                    None => (DeliveryStatus::Failed, None),
                }
            };
            let mut h = app.db.read().await?;
            store::record_attempt(
                &mut h,
                row.id,
                &AttemptOutcome {
                    attempt,
                    at,
                    status_code: sent.status_code,
                    error: sent.error.as_deref(),
                    latency_ms: sent.latency_ms,
                    status,
                    next_attempt_at: next,
                },
            )
            .await?;
            Ok::<(), StoreError>(())
        });
    }
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "recording a webhook attempt failed"),
            Err(e) => tracing::error!(error = %e, "a webhook delivery task failed"),
        }
    }
    Ok(count)
}

/// The delivery worker: runs [`run_once`] every few seconds, sooner while there is work.
pub async fn worker(app: App) {
    let senders = match Senders::new(&app.webhooks.get()) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "webhook worker not started");
            return;
        }
    };
    loop {
        let pause = match run_once(&app, &senders).await {
            Ok(n) if n as i64 >= BATCH => StdDuration::from_millis(50),
            Ok(_) => StdDuration::from_secs(2),
            Err(e) => {
                tracing::error!(error = %e, "webhook worker round failed");
                StdDuration::from_secs(10)
            }
        };
        tokio::time::sleep(pause).await;
    }
}

/// Field errors of a submission, for callers that render a form.
pub fn field_errors(error: &AppError) -> Option<&FieldErrors> {
    match error {
        AppError::Invalid(errors) => Some(errors),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addrs(list: &[&str]) -> Vec<SocketAddr> {
        list.iter()
            .map(|a| SocketAddr::new(a.parse().unwrap(), 443))
            .collect()
    }

    #[test]
    fn the_resolver_passes_only_allowed_addresses() {
        let strict = GuardedResolver {
            allow: vec![],
            allow_listed_only: false,
        };
        // A name that (now) resolves to loopback and metadata is refused, naming them.
        let error = strict
            .filter(
                "evil.example",
                addrs(&["127.0.0.1", "169.254.169.254", "::1"]),
            )
            .unwrap_err();
        assert!(error.contains("address not allowed"), "{error}");
        assert!(error.contains("169.254.169.254") && error.contains("::1"));
        // Mixed answers keep only the public addresses: the connection can go nowhere else.
        assert_eq!(
            strict
                .filter(
                    "mixed.example",
                    addrs(&["10.0.0.1", "93.184.216.34", "::ffff:127.0.0.1"])
                )
                .unwrap(),
            addrs(&["93.184.216.34"])
        );
        let allow = domain::parse_allow_list("127.0.0.1/32").unwrap();
        let listed = GuardedResolver {
            allow: allow.clone(),
            allow_listed_only: false,
        };
        assert_eq!(
            listed
                .filter("localhost", addrs(&["127.0.0.1", "::1"]))
                .unwrap(),
            addrs(&["127.0.0.1"])
        );
        // The http client's resolver admits the allow-list only, not the public internet.
        let http = GuardedResolver {
            allow,
            allow_listed_only: true,
        };
        assert!(
            http.filter("public.example", addrs(&["93.184.216.34"]))
                .is_err()
        );
        assert!(http.filter("localhost", addrs(&["127.0.0.1"])).is_ok());
    }
}
