//! The API's extractors: axum's `Path`, `Query` and body extractors whose
//! rejections are [`ServiceError`]s, so a request the router cannot decode
//! is answered with the JSON body `{"code", "message"}` like every other
//! error (`specs/api.md` §4), never with axum's plain-text rejection.

use crate::service::ServiceError;
use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use refute_protocol::rules::{B32, BlobUpload, UploadHeaderError, from_hex};
use serde::de::DeserializeOwned;

/// A path parameter; a segment that does not decode (its percent-encoding is
/// not UTF-8) is `bad_id` (400): every parameter of the API is an id.
pub struct ApiPath<T>(pub T);

/// The query string; one that does not decode (a repeated or malformed
/// parameter) is `bad_query` (400).
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ServiceError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ServiceError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(t)) => Ok(ApiPath(t)),
            Err(e) => Err(path_error(&e)),
        }
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ServiceError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ServiceError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(t)) => Ok(ApiQuery(t)),
            Err(e) => Err(query_error(&e)),
        }
    }
}

/// An upload's signed statement (`specs/api.md` §2.1), from its headers and
/// its `Content-Length`, checked in this order: a length is stated
/// (`length_required`, 411, for a chunked body; no `Content-Length` and no
/// `Transfer-Encoding` is an empty body, as HTTP/1.1 has it), it is at most
/// the largest blob (`body_too_large`, 413), every header of the statement
/// is there (`missing_signature`, 401) and decodes (`bad_header`, 400).
/// Whether it verifies is the service's to check.
pub struct Upload(pub BlobUpload);

impl<S: Send + Sync> FromRequestParts<S> for Upload {
    type Rejection = ServiceError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ServiceError> {
        use axum::http::header::{CONTENT_LENGTH, TRANSFER_ENCODING};
        let h = &parts.headers;
        let len = match (h.get(CONTENT_LENGTH), h.contains_key(TRANSFER_ENCODING)) {
            (Some(len), _) => number(len.to_str().unwrap_or("?"), "Content-Length", "bad_header")?,
            (None, false) => 0,
            (None, true) => {
                return Err(ServiceError::LengthRequired(
                    "an upload states its length in Content-Length: a chunked body is refused".into(),
                ));
            }
        };
        if len > crate::db::MAX_BLOB as u64 {
            return Err(crate::service::too_large(len));
        }
        // A value that is not visible ASCII decodes as nothing the statement takes.
        let statement = BlobUpload::from_headers(len, |name| h.get(name).map(|v| v.to_str().unwrap_or("?")));
        statement.map(Upload).map_err(|e| match e {
            UploadHeaderError::Missing(_) => {
                ServiceError::Unauthorized { code: "missing_signature", message: e.to_string() }
            }
            UploadHeaderError::Malformed { .. } => ServiceError::bad_request("bad_header", e.to_string()),
        })
    }
}

/// `bad_id` for a path that does not decode.
pub fn path_error(e: &PathRejection) -> ServiceError {
    ServiceError::bad_request("bad_id", format!("the path does not decode: {}", cause(e)))
}

/// `bad_query` for a query string that does not decode.
fn query_error(e: &QueryRejection) -> ServiceError {
    ServiceError::bad_request("bad_query", format!("the query string does not decode: {}", cause(e)))
}

/// `body_too_large` (413) for a body over the route's limit, else
/// `bad_json` (400): not JSON, JSON that is not a message, or not sent as
/// `application/json`.
pub fn json_error(e: &JsonRejection) -> ServiceError {
    match e {
        JsonRejection::BytesRejection(b) => bytes_error(b),
        JsonRejection::MissingJsonContentType(_) => {
            ServiceError::bad_request("bad_json", "a message is sent with `content-type: application/json`")
        }
        // serde_json files some shape errors (an empty `body`) as syntax errors,
        // so both kinds say the same thing, and the decoder says where.
        _ => ServiceError::bad_request(
            "bad_json",
            format!("the body is not a signed message in JSON: {}", cause(e)),
        ),
    }
}

/// `body_too_large` (413) for a body over the route's limit; `bad_body`
/// (400) for one that could not be read.
pub fn bytes_error(e: &BytesRejection) -> ServiceError {
    if e.status().as_u16() == 413 {
        ServiceError::TooLarge {
            code: "body_too_large",
            message: format!("the body is too large: {}", cause(e)),
        }
    } else {
        ServiceError::bad_request("bad_body", format!("the body could not be read: {}", cause(e)))
    }
}

/// The innermost error of `e`'s chain: what the decoder said, without
/// axum's capitalised preambles.
fn cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut inner = e;
    while let Some(next) = inner.source() {
        inner = next;
    }
    inner.to_string()
}

/// A 32-byte id from exactly 64 hex digits (either case), as the document's
/// pattern `^[0-9a-fA-F]{64}$` says; `bad_id` (400) otherwise.
pub fn b32(s: &str, what: &str) -> Result<B32, ServiceError> {
    match from_hex(s) {
        Some(b) if b.len() == 32 => Ok(B32(b.try_into().expect("32 bytes"))),
        _ => Err(ServiceError::bad_request("bad_id", format!("{what} is 64 hex digits, not {s:?}"))),
    }
}

/// A whole number from 0 to 2^64 - 1 written in decimal digits only (Rust's
/// `u64::from_str` also takes a leading `+`, which the document does not);
/// `code` (400) otherwise.
pub fn number(s: &str, what: &str, code: &'static str) -> Result<u64, ServiceError> {
    let n = s.bytes().all(|b| b.is_ascii_digit()).then(|| s.parse::<u64>().ok()).flatten();
    n.ok_or_else(|| {
        ServiceError::bad_request(code, format!("{what} is a whole number from 0 to 2^64 - 1, not {s:?}"))
    })
}
