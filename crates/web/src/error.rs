//! HTTP errors, mapped from `AppError` in one place. API errors are RFC 9457 problem details with a
//! stable `code`; page errors are an HTML page in the site's layout. A database failure is logged
//! here and answered with an opaque 500: its cause never reaches the client.

use axum::Json;
use axum::extract::rejection::{FormRejection, JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use concord_app::AppError;
use serde::Serialize;

use crate::i18n::Lang;

pub fn status_of(error: &AppError) -> StatusCode {
    match error {
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::Unauthenticated | AppError::InvalidCredentials => StatusCode::UNAUTHORIZED,
        AppError::Forbidden => StatusCode::FORBIDDEN,
        AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Store(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn log_if_internal(error: &AppError) {
    if matches!(error, AppError::Store(_) | AppError::Internal(_)) {
        tracing::error!(error = %error, "request failed");
    }
}

/// One invalid field in a problem document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProblemField {
    pub field: String,
    pub code: String,
    /// English explanation; clients translate by `code`.
    pub message: String,
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable snake_case error code.
    pub code: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

/// An API error: renders as `application/problem+json`.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        ApiError(error)
    }
}

fn problem_response(
    status: StatusCode,
    code: &str,
    detail: String,
    errors: Vec<ProblemField>,
) -> Response {
    let problem = Problem {
        kind: format!("urn:concord:problem:{code}"),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        detail,
        code: code.to_owned(),
        errors,
    };
    let mut response = (status, Json(problem)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let error = self.0;
        log_if_internal(&error);
        let status = status_of(&error);
        let lang = Lang::En;
        let errors = match &error {
            AppError::Invalid(fields) => fields
                .0
                .iter()
                .map(|f| ProblemField {
                    field: f.field.clone(),
                    code: f.code.clone(),
                    message: lang.t(&format!("error-{}", f.code)),
                })
                .collect(),
            _ => Vec::new(),
        };
        let detail = lang.t(&format!("problem-{}", error.code()));
        let mut response = problem_response(status, error.code(), detail, errors);
        if let AppError::Throttled {
            retry_after_seconds,
        } = error
            && let Ok(value) = HeaderValue::from_str(&retry_after_seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// Malformed requests the extractors refuse, answered as problem documents too.
pub struct BadRequest {
    status: StatusCode,
    code: &'static str,
    detail: String,
}

impl BadRequest {
    /// The body is not in the media type this operation takes.
    pub fn unsupported_media_type(expected: &str) -> Self {
        BadRequest {
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            code: "unsupported_media_type",
            detail: format!("Expected a body of type {expected}."),
        }
    }
}

impl IntoResponse for BadRequest {
    fn into_response(self) -> Response {
        problem_response(self.status, self.code, self.detail, Vec::new())
    }
}

impl From<JsonRejection> for BadRequest {
    fn from(rejection: JsonRejection) -> Self {
        let (status, code) = match &rejection {
            JsonRejection::MissingJsonContentType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            JsonRejection::JsonSyntaxError(_) => (StatusCode::BAD_REQUEST, "malformed_json"),
            JsonRejection::JsonDataError(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"),
            _ => (StatusCode::BAD_REQUEST, "bad_request"),
        };
        BadRequest {
            status,
            code,
            detail: rejection.body_text(),
        }
    }
}

impl From<QueryRejection> for BadRequest {
    fn from(rejection: QueryRejection) -> Self {
        BadRequest {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_query",
            detail: rejection.body_text(),
        }
    }
}

impl From<PathRejection> for BadRequest {
    fn from(_: PathRejection) -> Self {
        // A malformed id names nothing: the same answer as a missing one.
        BadRequest {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            detail: Lang::En.t("problem-not_found"),
        }
    }
}

impl From<FormRejection> for BadRequest {
    fn from(rejection: FormRejection) -> Self {
        BadRequest {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_form",
            detail: rejection.body_text(),
        }
    }
}

/// A page error: rendered by `pages::error_page` in the site's layout, in the reader's language.
#[derive(Debug)]
pub struct PageError {
    pub error: AppError,
    pub ctx: Option<crate::context::Ctx>,
}

impl PageError {
    pub fn plain(error: AppError) -> Self {
        PageError { error, ctx: None }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        log_if_internal(&self.error);
        crate::pages::error_page(status_of(&self.error), self.error.code(), self.ctx.as_ref())
    }
}
