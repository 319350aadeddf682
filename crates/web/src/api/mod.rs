//! The JSON API under `/api/v1`. Every route is declared with `#[utoipa::path]` and registered
//! through `OpenApiRouter`, so the OpenAPI document is generated from the router itself and cannot
//! drift from it (a snapshot test makes every contract change deliberate).

pub mod accounts;
pub mod charter;
pub mod collaborations;
pub mod dashboard;
pub mod decisions;
pub mod key_results;
pub mod meetings;
pub mod notifications;
pub mod objectives;
pub mod organisations;
pub mod reviews;
pub mod stakeholders;
pub mod threads;
pub mod tokens;
pub mod webhooks;

use std::sync::LazyLock;

use axum::extract::{FromRequest, FromRequestParts};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::BadRequest;

/// A JSON body; malformed JSON, a wrong content type or a wrongly typed field answer problem+json.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(BadRequest))]
pub struct ApiJson<T>(pub T);

/// Query parameters, refused as problem+json when malformed.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(BadRequest))]
pub struct ApiQuery<T>(pub T);

/// Path parameters; an unparsable id answers 404 like a missing one.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(BadRequest))]
pub struct ApiPath<T>(pub T);

/// Cursor pagination parameters shared by every list.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Opaque cursor from a previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Page size, 1 to 100 (default 25).
    pub limit: Option<i64>,
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A personal API token"))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Concord API", version = "1", description = "Cross-organisation collaboration for public bodies. \
        Anonymous callers read public collaborations; a personal API token (`Authorization: Bearer`) acts exactly as its user. \
        Errors are RFC 9457 problem details with a stable `code`. Lists use cursor pagination."),
    modifiers(&BearerAuth),
    components(schemas(crate::error::Problem, crate::error::ProblemField)),
    tags(
        (name = "collaborations", description = "Collaborations, their members and history"),
        (name = "objectives", description = "Objectives of collaborations"),
        (name = "reviews", description = "Review cycles of collaborations"),
        (name = "charter", description = "Collaboration charters, their versions and sign-offs"),
        (name = "stakeholders", description = "Stakeholder registers, engagements, RACI matrices and persons' data rights"),
        (name = "threads", description = "Discussion threads of collaborations, their messages and the messages' versions"),
        (name = "meetings", description = "Meetings of collaborations: agenda, attendees and their answers, minutes"),
        (name = "decisions", description = "Decision registers of collaborations, public decisions, and action items"),
        (name = "notifications", description = "The caller's notifications (in-app inbox) and email preferences"),
        (name = "webhooks", description = "Signed webhooks of collaborations (coordinators): endpoints, secrets, test events and deliveries"),
        (name = "organisations", description = "Public bodies and partners"),
        (name = "accounts", description = "Accounts and the caller's own profile"),
        (name = "tokens", description = "Personal API tokens"),
    )
)]
struct ApiDoc;

/// The API routes with their OpenAPI description.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(collaborations::list, collaborations::create))
        .routes(routes!(collaborations::get, collaborations::update))
        .routes(routes!(collaborations::history))
        .routes(routes!(collaborations::invite_organisation))
        .routes(routes!(
            collaborations::change_organisation_role,
            collaborations::remove_organisation
        ))
        .routes(routes!(collaborations::accept_invitation))
        .routes(routes!(collaborations::decline_invitation))
        .routes(routes!(collaborations::transfer_lead))
        .routes(routes!(collaborations::add_person))
        .routes(routes!(
            collaborations::change_person_role,
            collaborations::remove_person
        ))
        .routes(routes!(collaborations::invitations))
        .routes(routes!(objectives::list, objectives::create))
        .routes(routes!(objectives::get, objectives::update))
        .routes(routes!(objectives::move_objective))
        .routes(routes!(reviews::list, reviews::create))
        .routes(routes!(reviews::get))
        .routes(routes!(reviews::get_schedule, reviews::set_schedule))
        .routes(routes!(charter::get, charter::put))
        .routes(routes!(charter::versions))
        .routes(routes!(charter::sign_off))
        .routes(routes!(key_results::list, key_results::create))
        .routes(routes!(key_results::get, key_results::update))
        .routes(routes!(key_results::record))
        .routes(routes!(key_results::import))
        .routes(routes!(dashboard::collaboration))
        .routes(routes!(dashboard::export))
        .routes(routes!(dashboard::portfolio))
        .routes(routes!(stakeholders::register, stakeholders::create))
        .routes(routes!(
            stakeholders::get,
            stakeholders::update,
            stakeholders::delete
        ))
        .routes(routes!(stakeholders::flagged))
        .routes(routes!(stakeholders::export))
        .routes(routes!(stakeholders::import))
        .routes(routes!(stakeholders::settings))
        .routes(routes!(
            stakeholders::engagements,
            stakeholders::record_engagement
        ))
        .routes(routes!(
            stakeholders::get_engagement,
            stakeholders::delete_engagement
        ))
        .routes(routes!(stakeholders::follow_up))
        .routes(routes!(stakeholders::raci, stakeholders::set_raci))
        .routes(routes!(stakeholders::personal_data))
        .routes(routes!(stakeholders::erase))
        .routes(routes!(stakeholders::my_flags))
        .routes(routes!(stakeholders::my_follow_ups))
        .routes(routes!(threads::list, threads::start))
        .routes(routes!(threads::get))
        .routes(routes!(threads::messages, threads::post))
        .routes(routes!(threads::edit))
        .routes(routes!(threads::versions))
        .routes(routes!(threads::events))
        .routes(routes!(meetings::list, meetings::create))
        .routes(routes!(meetings::get, meetings::update))
        .routes(routes!(meetings::cancel))
        .routes(routes!(meetings::outcomes))
        .routes(routes!(meetings::add_agenda_item))
        .routes(routes!(
            meetings::update_agenda_item,
            meetings::delete_agenda_item
        ))
        .routes(routes!(meetings::move_agenda_item))
        .routes(routes!(meetings::set_minutes))
        .routes(routes!(meetings::add_attendee))
        .routes(routes!(meetings::remove_attendee))
        .routes(routes!(meetings::rsvp))
        .routes(routes!(decisions::list, decisions::create))
        .routes(routes!(decisions::public))
        .routes(routes!(decisions::get, decisions::update))
        .routes(routes!(decisions::list_items, decisions::create_item))
        .routes(routes!(decisions::mine))
        .routes(routes!(decisions::get_item, decisions::update_item))
        .routes(routes!(decisions::set_status))
        .routes(routes!(notifications::list))
        .routes(routes!(notifications::unread_count))
        .routes(routes!(notifications::mark_read))
        .routes(routes!(notifications::mark_all_read))
        .routes(routes!(
            notifications::preferences,
            notifications::set_preferences
        ))
        .routes(routes!(webhooks::list, webhooks::create))
        .routes(routes!(webhooks::get, webhooks::update, webhooks::delete))
        .routes(routes!(webhooks::rotate_secret))
        .routes(routes!(webhooks::send_test))
        .routes(routes!(webhooks::deliveries))
        .routes(routes!(webhooks::delivery))
        .routes(routes!(organisations::list, organisations::create))
        .routes(routes!(organisations::get, organisations::update))
        .routes(routes!(organisations::accounts))
        .routes(routes!(accounts::create))
        .routes(routes!(accounts::get))
        .routes(routes!(accounts::deactivate))
        .routes(routes!(accounts::reactivate))
        .routes(routes!(accounts::me))
        .routes(routes!(tokens::list, tokens::create))
        .routes(routes!(tokens::revoke))
}

static OPENAPI_JSON: LazyLock<String> = LazyLock::new(|| {
    let mut document = router().into_openapi();
    unique_operation_ids(&mut document);
    document.to_pretty_json().unwrap_or_default()
});

/// utoipa names an operation after its handler, and several modules have a `get` or a `create`.
/// OpenAPI requires unique ids (client generators rely on them), so every operation is named
/// after its method and path instead, e.g. `post_api_v1_objectives_id_key_results`.
fn unique_operation_ids(document: &mut utoipa::openapi::OpenApi) {
    for (path, item) in document.paths.paths.iter_mut() {
        let slug: String = path
            .trim_start_matches('/')
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect::<String>()
            .split('_')
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join("_");
        for (method, operation) in [
            ("get", item.get.as_mut()),
            ("post", item.post.as_mut()),
            ("put", item.put.as_mut()),
            ("patch", item.patch.as_mut()),
            ("delete", item.delete.as_mut()),
        ] {
            if let Some(operation) = operation {
                operation.operation_id = Some(format!("{method}_{slug}"));
            }
        }
    }
}

/// The generated OpenAPI document.
pub fn openapi_document() -> &'static str {
    &OPENAPI_JSON
}

pub async fn openapi_json() -> Response {
    let mut response = openapi_document().to_owned().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// Declares a page-of-items response type for the OpenAPI document.
macro_rules! list_type {
    ($name:ident, $item:ty) => {
        #[derive(Debug, serde::Serialize, utoipa::ToSchema)]
        pub struct $name {
            pub items: Vec<$item>,
            /// Pass as `cursor` to get the next page; absent on the last page.
            pub next_cursor: Option<String>,
        }

        impl From<concord_app::Page<$item>> for $name {
            fn from(page: concord_app::Page<$item>) -> Self {
                Self {
                    items: page.items,
                    next_cursor: page.next_cursor,
                }
            }
        }
    };
}
pub(crate) use list_type;

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// The API contract changes only on purpose: regenerate with
    /// `UPDATE_SNAPSHOTS=1 cargo test -p concord-web openapi` and review the diff.
    #[test]
    fn openapi_document_matches_snapshot() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.json");
        let current = format!("{}\n", super::openapi_document());
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
            std::fs::write(&path, &current).unwrap();
            return;
        }
        let stored = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            stored == current,
            "the OpenAPI document changed; if on purpose, run UPDATE_SNAPSHOTS=1 cargo test -p concord-web openapi"
        );
    }

    #[test]
    fn openapi_document_describes_the_api() {
        let document: serde_json::Value = serde_json::from_str(super::openapi_document()).unwrap();
        assert!(document["openapi"].as_str().unwrap().starts_with("3."));
        let paths = document["paths"].as_object().unwrap();
        for path in [
            "/api/v1/collaborations",
            "/api/v1/collaborations/{id}",
            "/api/v1/collaborations/{id}/history",
            "/api/v1/organisations",
            "/api/v1/tokens",
        ] {
            assert!(paths.contains_key(path), "{path} missing");
        }
        assert!(document["components"]["securitySchemes"]["bearer"].is_object());
        let mut ids = std::collections::BTreeSet::new();
        for item in paths.values() {
            for operation in item.as_object().unwrap().values() {
                let id = operation["operationId"].as_str().unwrap().to_owned();
                assert!(ids.insert(id.clone()), "operationId {id} is not unique");
            }
        }
        assert!(ids.contains("get_api_v1_collaborations_id"));
        assert!(document["components"]["schemas"]["Problem"].is_object());
    }
}
