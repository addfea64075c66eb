//! The token service: `POST /oauth/token` with the client-credentials
//! grant, as a JSON or form-encoded body or with HTTP Basic client
//! authentication; its rate limit; JWT-shaped tokens.

use axum::{
    http::{
        header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, PRAGMA, RETRY_AFTER},
        HeaderMap, HeaderValue, StatusCode,
    },
    response::Response,
};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use tokio::time::Instant;

use super::{
    answer::json_response,
    config::{Credential, Scope, Settings},
    faults::retry_after_secs,
    token_book::{IssuedToken, TokenBook},
};
use crate::retry::timing::instant_after;

/// The fields of a token request, from the body or HTTP Basic (no `Debug`:
/// it holds the secret).
#[derive(Default)]
struct TokenRequest {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    audience: Option<String>,
}

/// A refused token request, as OAuth error JSON.
struct Refusal {
    status: StatusCode,
    error: &'static str,
    description: String,
    retry_after: Option<u64>,
}

impl Refusal {
    fn new(status: StatusCode, error: &'static str, description: impl Into<String>) -> Self {
        Self {
            status,
            error,
            description: description.into(),
            retry_after: None,
        }
    }

    fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    fn into_response(self) -> Response {
        let body = json!({ "error": self.error, "error_description": self.description });
        let mut response = json_response(self.status, &body);
        let headers = response.headers_mut();
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(secs) = self.retry_after {
            headers.insert(RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// Answer a token request that arrived at `now` (`wall` on the wall clock).
pub(crate) fn answer(
    book: &mut TokenBook,
    settings: &Settings,
    (now, wall): (Instant, DateTime<Utc>),
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    match admit(book, settings, now, headers, body) {
        Ok(credential) => issue(book, settings, (now, wall), credential),
        Err(refusal) => refusal.into_response(),
    }
}

/// The credential a well-formed, timely request proves, or the refusal.
fn admit<'s>(
    book: &mut TokenBook,
    settings: &'s Settings,
    now: Instant,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<&'s Credential, Refusal> {
    let request = parse_request(headers, body).map_err(Refusal::invalid_request)?;
    match request.grant_type.as_deref() {
        None | Some("") => return Err(Refusal::invalid_request("grant_type is missing")),
        Some("client_credentials") => {}
        Some(_) => {
            return Err(Refusal::new(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "only the client_credentials grant is supported",
            ))
        }
    }
    let client_id = match request.client_id.as_deref() {
        Some(id) if !id.is_empty() => id,
        _ => return Err(Refusal::invalid_request("client_id is missing")),
    };
    if let Err(wait) = book.admit(client_id, now, settings.token_interval) {
        let mut refusal = Refusal::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_requests",
            "at most one token request per second per client",
        );
        refusal.retry_after = Some(retry_after_secs(wait));
        return Err(refusal);
    }
    let secret = request.client_secret.as_deref().unwrap_or_default();
    let credential = settings
        .credential(client_id, secret)
        .ok_or_else(|| Refusal::new(StatusCode::UNAUTHORIZED, "access_denied", "Unauthorized"))?;
    match request.audience.as_deref() {
        Some(audience) if audience != settings.audience => Err(Refusal::invalid_request(format!(
            "unknown audience; this service issues tokens for {}",
            settings.audience
        ))),
        _ => Ok(credential),
    }
}

/// Issue a token to `credential`, note it in the book, answer with it.
fn issue(
    book: &mut TokenBook,
    settings: &Settings,
    (now, wall): (Instant, DateTime<Utc>),
    credential: &Credential,
) -> Response {
    let token = jwt(book, settings, wall, credential);
    let issued = IssuedToken {
        client_id: credential.client_id.clone(),
        scopes: credential.scopes.clone(),
        expires: instant_after(now, settings.token_lifetime),
    };
    book.record(token.clone(), issued, now);
    let mut response = json_response(
        StatusCode::OK,
        &json!({
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": settings.token_lifetime.as_secs(),
            "scope": scope_claim(&credential.scopes),
        }),
    );
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

fn scope_claim(scopes: &[Scope]) -> String {
    scopes
        .iter()
        .map(|s| s.claim())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A JWT-shaped token. Its signature is random bytes: the emulator knows
/// its tokens by heart and verifies none.
fn jwt(
    book: &mut TokenBook,
    settings: &Settings,
    wall: DateTime<Utc>,
    credential: &Credential,
) -> String {
    let iat = wall.timestamp();
    let lifetime = i64::try_from(settings.token_lifetime.as_secs()).unwrap_or(i64::MAX);
    let client_id = &credential.client_id;
    let header = json!({ "alg": "HS256", "typ": "JWT", "kid": "camunda-admin-emulator" });
    let payload = json!({
        "iss": format!("{}/", settings.base_url),
        "sub": format!("{client_id}@clients"),
        "aud": settings.audience,
        "iat": iat,
        "exp": iat.saturating_add(lifetime),
        "jti": book.ids.uuid(),
        "azp": client_id,
        "gty": "client-credentials",
        "scope": scope_claim(&credential.scopes),
        "scopes": credential.scopes.iter().map(|s| s.display_name()).collect::<Vec<_>>(),
        "https://camunda.com/orgId": settings.org_id,
    });
    let encode = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    format!(
        "{}.{}.{}",
        encode(header.to_string().as_bytes()),
        encode(payload.to_string().as_bytes()),
        encode(&book.ids.bytes::<32>())
    )
}

/// Read the grant from a JSON or form-encoded body and HTTP Basic.
fn parse_request(headers: &HeaderMap, body: &[u8]) -> Result<TokenRequest, String> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let mut request = if content_type.contains("json") {
        json_request(body)?
    } else if content_type.is_empty()
        || content_type.starts_with("application/x-www-form-urlencoded")
    {
        form_request(body)
    } else {
        return Err(format!(
            "unsupported content type {content_type:?}; send JSON or application/x-www-form-urlencoded"
        ));
    };
    if let Some((id, secret)) = basic_credentials(headers)? {
        if request
            .client_id
            .as_ref()
            .is_some_and(|body_id| *body_id != id)
        {
            return Err("the client id of the body and of the Authorization header differ".into());
        }
        request.client_id = Some(id);
        if request.client_secret.is_none() {
            request.client_secret = Some(secret);
        }
    }
    Ok(request)
}

fn json_request(body: &[u8]) -> Result<TokenRequest, String> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| format!("the body is not valid JSON: {e}"))?;
    let Value::Object(map) = value else {
        return Err("the body is not a JSON object".into());
    };
    let field = |name: &str| -> Result<Option<String>, String> {
        match map.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(format!("{name} must be a string")),
        }
    };
    Ok(TokenRequest {
        grant_type: field("grant_type")?,
        client_id: field("client_id")?,
        client_secret: field("client_secret")?,
        audience: field("audience")?,
    })
}

fn form_request(body: &[u8]) -> TokenRequest {
    let mut request = TokenRequest::default();
    for (key, value) in form_urlencoded::parse(body) {
        let slot = match key.as_ref() {
            "grant_type" => &mut request.grant_type,
            "client_id" => &mut request.client_id,
            "client_secret" => &mut request.client_secret,
            "audience" => &mut request.audience,
            _ => continue,
        };
        *slot = Some(value.into_owned());
    }
    request
}

/// The client id and secret of an `Authorization: Basic` header, each
/// form-urlencoded first as RFC 6749 section 2.3.1 asks.
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, String> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| "the Authorization header is not ASCII")?;
    let Some((scheme, encoded)) = value.split_once(' ') else {
        return Err("the Authorization header has no scheme".into());
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err("the token endpoint takes Basic client authentication only".into());
    }
    let decoded = decode_base64(encoded).ok_or("the Basic credentials are not base64")?;
    let decoded = String::from_utf8(decoded).map_err(|_| "the Basic credentials are not UTF-8")?;
    let (id, secret) = decoded
        .split_once(':')
        .ok_or("the Basic credentials have no colon")?;
    let unescape = |s: &str| -> Result<String, String> {
        percent_encoding::percent_decode_str(&s.replace('+', " "))
            .decode_utf8()
            .map(|s| s.into_owned())
            .map_err(|_| "the Basic credentials are not valid percent-encoded UTF-8".to_owned())
    };
    Ok(Some((unescape(id)?, unescape(secret)?)))
}

/// Standard or url-safe base64, padded or not.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    let lenient =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    let standard = GeneralPurpose::new(&base64::alphabet::STANDARD, lenient);
    let url_safe = GeneralPurpose::new(&base64::alphabet::URL_SAFE, lenient);
    let text = text.trim();
    standard
        .decode(text)
        .or_else(|_| url_safe.decode(text))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_base64_of_form_encoded_parts() {
        let mut headers = HeaderMap::new();
        // "admin+id:s3cr%2Bt%2F%3D", padded and not.
        for encoded in [
            "YWRtaW4raWQ6czNjciUyQnQlMkYlM0Q=",
            "YWRtaW4raWQ6czNjciUyQnQlMkYlM0Q",
        ] {
            headers.insert(AUTHORIZATION, format!("Basic {encoded}").parse().unwrap());
            let parsed = basic_credentials(&headers).unwrap();
            assert_eq!(parsed, Some(("admin id".into(), "s3cr+t/=".into())));
        }
        headers.insert(AUTHORIZATION, "Basic !!".parse().unwrap());
        assert!(basic_credentials(&headers).is_err());
        headers.insert(AUTHORIZATION, "Bearer x".parse().unwrap());
        assert!(basic_credentials(&headers).is_err());
    }

    #[test]
    fn json_and_form_bodies_give_the_same_request() {
        let json =
            json_request(br#"{"grant_type":"client_credentials","client_id":"a b"}"#).unwrap();
        let form = form_request(b"grant_type=client_credentials&client_id=a+b&other=1");
        for request in [json, form] {
            assert_eq!(request.grant_type.as_deref(), Some("client_credentials"));
            assert_eq!(request.client_id.as_deref(), Some("a b"));
            assert_eq!(request.client_secret, None);
        }
        assert!(json_request(br#"{"client_id": 5}"#).is_err());
        assert!(json_request(b"[]").is_err());
    }
}
