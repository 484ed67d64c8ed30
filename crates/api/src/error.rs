//! Errors as JSON: `{"error": {"kind", "message"}}` with the matching status code.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable kind: `unauthorized`, `forbidden`, `not_found`, `bad_request`, `too_large`,
    /// `unprocessable`, `unavailable`, `internal`.
    pub kind: String,
    /// A message naming the file or field and the reason.
    pub message: String,
}

/// An error response.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    kind: &'static str,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            kind,
            message: message.into(),
        }
    }
    /// 401.
    pub fn unauthorized(m: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", m)
    }
    /// 403.
    pub fn forbidden(m: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", m)
    }
    /// 404.
    pub fn not_found(m: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", m)
    }
    /// 400.
    pub fn bad_request(m: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", m)
    }
    /// 409: the request clashes with what is stored (a name another collection has).
    pub fn conflict(m: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", m)
    }
    /// 413.
    pub fn too_large(m: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", m)
    }
    /// 422: the input is well-formed but cannot be processed (a file that does not decode).
    pub fn unprocessable(m: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "unprocessable", m)
    }
    /// 503: a component is down (no language model answers).
    pub fn unavailable(m: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", m)
    }
    /// 500.
    pub fn internal(m: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", m)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                kind: self.kind.into(),
                message: self.message,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

impl From<samplemind_engine::library::LibraryError> for ApiError {
    fn from(e: samplemind_engine::library::LibraryError) -> Self {
        match e {
            samplemind_engine::library::LibraryError::NotFound { .. } => {
                Self::not_found(e.to_string())
            }
            _ => Self::internal(e.to_string()),
        }
    }
}

impl From<samplemind_engine::library::browse::BrowseError> for ApiError {
    fn from(e: samplemind_engine::library::browse::BrowseError) -> Self {
        use samplemind_engine::library::browse::BrowseError as B;
        use samplemind_engine::search::similar::SimilarError;
        match e {
            B::Search(samplemind_engine::search::SearchError::NoCollection(_))
            | B::NotFound(_)
            | B::NoCollection(_) => Self::not_found(e.to_string()),
            B::Search(samplemind_engine::search::SearchError::Library(l)) => l.into(),
            B::Curation(samplemind_engine::library::CurationError::NameTaken(_)) => {
                Self::conflict(e.to_string())
            }
            B::BadId(_)
            | B::BadTempo(_)
            | B::BadCategory(_)
            | B::BadKey(_)
            | B::BadNote(_)
            | B::Ambiguous(_)
            | B::Curation(_)
            | B::Search(_) => Self::bad_request(e.to_string()),
            B::Similar(SimilarError::Library(l)) => l.into(),
            B::Similar(SimilarError::NotFound(_)) => Self::not_found(e.to_string()),
            // Only a probe analysed afresh can fail this way (a file, not a stored hash).
            B::Similar(_) => Self::unprocessable(e.to_string()),
            B::Library(l) => l.into(),
        }
    }
}

/// A query string that does not parse (`n=abc`) is a 400 in the JSON shape the document
/// promises, not axum's plain-text rejection.
impl From<axum::extract::rejection::QueryRejection> for ApiError {
    fn from(e: axum::extract::rejection::QueryRejection) -> Self {
        Self::bad_request(format!("query string: {}", e.body_text()))
    }
}
