//! Signed webhooks: `/api/v1/collaborations/{id}/webhooks` and `/api/v1/webhooks/{id}` (with
//! secret rotation, a test event and the delivery log). Coordinators only: to everyone else a
//! collaboration's endpoints do not exist (404).
//!
//! Every delivery is a JSON `POST` with `Concord-Signature: t=<unix seconds>,v1=<hex
//! HMAC-SHA256(secret, "<t>.<body>")>`, `Concord-Event` and `Concord-Delivery` headers; see
//! docs/webhooks.md for verification.

use axum::Json;
use axum::http::StatusCode;
use concord_app::webhooks::{self as service, DeliveryDetail, EndpointList, EndpointWithSecret};
use concord_domain::webhook::{Delivery, Endpoint, EndpointInput};
use concord_domain::{CollaborationId, WebhookDeliveryId, WebhookId};

use super::{ApiJson, ApiPath, ApiQuery, PageParams, list_type};
use crate::context::Ctx;
use crate::error::ApiError;

list_type!(DeliveryList, Delivery);

/// The collaboration's webhook endpoints (coordinators), and the event families one may
/// subscribe to.
#[utoipa::path(get, path = "/api/v1/collaborations/{id}/webhooks", tag = "webhooks",
    params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = EndpointList), (status = 404, body = crate::error::Problem)))]
pub async fn list(
    ctx: Ctx,
    ApiPath(id): ApiPath<CollaborationId>,
) -> Result<Json<EndpointList>, ApiError> {
    Ok(Json(service::list(&ctx.app, &ctx.actor, id).await?))
}

/// Registers an endpoint. The URL must be `https://` with a host name (not an IP address) that
/// resolves to an address outside loopback, private, link-local and other reserved ranges
/// (`url`: `invalid_scheme`, `address_not_allowed`, `host_name_required`, `unresolvable`,
/// `https_required`); `http://` only for hosts in the server's allow-list. The answer carries the
/// signing secret: it is shown this once.
#[utoipa::path(post, path = "/api/v1/collaborations/{id}/webhooks", tag = "webhooks",
    params(("id" = String, Path)), request_body = EndpointInput, security(("bearer" = [])),
    responses((status = 201, body = EndpointWithSecret), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create(
    ctx: Ctx,
    ApiPath(id): ApiPath<CollaborationId>,
    ApiJson(input): ApiJson<EndpointInput>,
) -> Result<(StatusCode, Json<EndpointWithSecret>), ApiError> {
    let created = service::create(&ctx.app, &ctx.actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// One endpoint (never its secret).
#[utoipa::path(get, path = "/api/v1/webhooks/{id}", tag = "webhooks",
    params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = Endpoint), (status = 404, body = crate::error::Problem)))]
pub async fn get(ctx: Ctx, ApiPath(id): ApiPath<WebhookId>) -> Result<Json<Endpoint>, ApiError> {
    Ok(Json(service::get(&ctx.app, &ctx.actor, id).await?))
}

/// Changes an endpoint's URL, description, event kinds or active flag (same rules as creation).
#[utoipa::path(put, path = "/api/v1/webhooks/{id}", tag = "webhooks",
    params(("id" = String, Path)), request_body = EndpointInput, security(("bearer" = [])),
    responses((status = 200, body = Endpoint), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn update(
    ctx: Ctx,
    ApiPath(id): ApiPath<WebhookId>,
    ApiJson(input): ApiJson<EndpointInput>,
) -> Result<Json<Endpoint>, ApiError> {
    Ok(Json(
        service::update(&ctx.app, &ctx.actor, id, &input).await?,
    ))
}

/// Deletes an endpoint with its pending deliveries and its delivery log.
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks",
    params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = crate::error::Problem)))]
pub async fn delete(ctx: Ctx, ApiPath(id): ApiPath<WebhookId>) -> Result<StatusCode, ApiError> {
    service::delete(&ctx.app, &ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Replaces the signing secret; the answer carries the new one, shown this once. The old secret
/// stops signing at once.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/rotate-secret", tag = "webhooks",
    params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = EndpointWithSecret), (status = 404, body = crate::error::Problem)))]
pub async fn rotate_secret(
    ctx: Ctx,
    ApiPath(id): ApiPath<WebhookId>,
) -> Result<Json<EndpointWithSecret>, ApiError> {
    Ok(Json(
        service::rotate_secret(&ctx.app, &ctx.actor, id).await?,
    ))
}

/// The id of a queued delivery.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Queued {
    pub delivery_id: WebhookDeliveryId,
}

/// Queues a `webhook.test` event to this endpoint only; it is sent like any delivery.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/test", tag = "webhooks",
    params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 202, body = Queued), (status = 404, body = crate::error::Problem)))]
pub async fn send_test(
    ctx: Ctx,
    ApiPath(id): ApiPath<WebhookId>,
) -> Result<(StatusCode, Json<Queued>), ApiError> {
    let delivery_id = service::send_test(&ctx.app, &ctx.actor, id).await?;
    Ok((StatusCode::ACCEPTED, Json(Queued { delivery_id })))
}

/// The endpoint's deliveries, newest first: event kind, status (`pending`, `succeeded`,
/// `failed`), attempts, the last status code, error and latency, and the next retry.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks",
    params(("id" = String, Path), PageParams), security(("bearer" = [])),
    responses((status = 200, body = DeliveryList), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn deliveries(
    ctx: Ctx,
    ApiPath(id): ApiPath<WebhookId>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<DeliveryList>, ApiError> {
    let page =
        service::deliveries(&ctx.app, &ctx.actor, id, page.cursor.as_deref(), page.limit).await?;
    Ok(Json(page.into()))
}

/// One delivery with every attempt and the exact body sent.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries/{delivery_id}", tag = "webhooks",
    params(("id" = String, Path), ("delivery_id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = DeliveryDetail), (status = 404, body = crate::error::Problem)))]
pub async fn delivery(
    ctx: Ctx,
    ApiPath((id, delivery_id)): ApiPath<(WebhookId, WebhookDeliveryId)>,
) -> Result<Json<DeliveryDetail>, ApiError> {
    Ok(Json(
        service::delivery(&ctx.app, &ctx.actor, id, delivery_id).await?,
    ))
}
