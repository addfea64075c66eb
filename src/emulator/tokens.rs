//! The token service: `POST /oauth/token` with the client-credentials grant,
//! its rate limit, and the check of bearer tokens on every API call.

use std::time::Duration;

use axum::{
    http::{
        header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, PRAGMA, RETRY_AFTER},
        HeaderMap, HeaderValue, StatusCode,
    },
    response::Response,
};
use serde_json::{json, Value};
use tokio::time::Instant;

use super::{
    json_response as token_json_response,
    model::{after, Fail, State},
    routes::Access,
    util::{base64_decode, base64url},
    Scope, Settings,
};

/// How often one client id may ask for a token.
const TOKEN_INTERVAL: Duration = Duration::from_secs(1);

/// Tokens kept before expired ones are forgotten.
const MAX_TOKENS: usize = 10_000;

/// A token the emulator issued.
#[derive(Debug, Clone)]
pub(crate) struct IssuedToken {
    pub(crate) client_id: String,
    pub(crate) scopes: Vec<Scope>,
    pub(crate) expires: Instant,
}

/// The fields of a token request, from the body or HTTP Basic (no `Debug`:
/// it holds the secret).
#[derive(Default)]
struct TokenRequest {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    audience: Option<String>,
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut response = token_json_response(
        status,
        &json!({ "error": error, "error_description": description }),
    );
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Answer a token request.
pub(crate) fn issue(
    state: &mut State,
    settings: &Settings,
    now: Instant,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let request = match parse_request(headers, body) {
        Ok(request) => request,
        Err(description) => {
            return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", &description)
        }
    };
    match request.grant_type.as_deref() {
        None | Some("") => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "grant_type is missing",
            );
        }
        Some("client_credentials") => {}
        Some(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "only the client_credentials grant is supported",
            );
        }
    }
    let client_id = match request.client_id.as_deref() {
        Some(id) if !id.is_empty() => id.to_owned(),
        _ => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "client_id is missing",
            )
        }
    };

    // Requests refused for their credentials count too; a 429 does not
    // restart the window.
    if settings.token_rate_limit {
        if let Some(last) = state.last_token_request.get(&client_id) {
            if now < *last + TOKEN_INTERVAL {
                let mut response = oauth_error(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too_many_requests",
                    "at most one token request per second per client",
                );
                response
                    .headers_mut()
                    .insert(RETRY_AFTER, HeaderValue::from_static("1"));
                return response;
            }
        }
        state.last_token_request.insert(client_id.clone(), now);
    }

    let secret = request.client_secret.unwrap_or_default();
    let Some(credential) = settings.credentials.iter().find(|c| {
        c.client_id == client_id && constant_time_eq(c.client_secret.expose_secret(), &secret)
    }) else {
        return oauth_error(StatusCode::UNAUTHORIZED, "access_denied", "Unauthorized");
    };
    if let Some(audience) = request.audience.as_deref() {
        if audience != settings.audience {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                &format!(
                    "unknown audience; this service issues tokens for {}",
                    settings.audience
                ),
            );
        }
    }

    let token = jwt(state, settings, &credential.client_id, &credential.scopes);
    if state.tokens.len() >= MAX_TOKENS {
        state.tokens.retain(|_, t| t.expires > now);
    }
    state.tokens.insert(
        token.clone(),
        IssuedToken {
            client_id: credential.client_id.clone(),
            scopes: credential.scopes.clone(),
            expires: after(now, settings.token_lifetime),
        },
    );
    let mut response = token_json_response(
        StatusCode::OK,
        &json!({
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": settings.token_lifetime.as_secs(),
            "scope": scope_claim(&credential.scopes),
        }),
    );
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
        .headers_mut()
        .insert(PRAGMA, HeaderValue::from_static("no-cache"));
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
fn jwt(state: &mut State, settings: &Settings, client_id: &str, scopes: &[Scope]) -> String {
    let iat = state.wall_clock().timestamp();
    let lifetime = i64::try_from(settings.token_lifetime.as_secs()).unwrap_or(i64::MAX);
    let header = json!({ "alg": "HS256", "typ": "JWT", "kid": "camunda-admin-emulator" });
    let payload = json!({
        "iss": format!("{}/", settings.base_url),
        "sub": format!("{client_id}@clients"),
        "aud": settings.audience,
        "iat": iat,
        "exp": iat.saturating_add(lifetime),
        "jti": state.rng.uuid(),
        "azp": client_id,
        "gty": "client-credentials",
        "scope": scope_claim(scopes),
        "scopes": scopes.iter().map(|s| s.display_name()).collect::<Vec<_>>(),
        "https://camunda.com/orgId": settings.org_id,
    });
    let signature = state.rng.bytes(32);
    format!(
        "{}.{}.{}",
        base64url(header.to_string().as_bytes()),
        base64url(payload.to_string().as_bytes()),
        base64url(&signature)
    )
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Read the grant from a JSON or form-encoded body and HTTP Basic.
fn parse_request(headers: &HeaderMap, body: &[u8]) -> Result<TokenRequest, String> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let mut request = TokenRequest::default();
    if content_type.contains("json") {
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
        request.grant_type = field("grant_type")?;
        request.client_id = field("client_id")?;
        request.client_secret = field("client_secret")?;
        request.audience = field("audience")?;
    } else if content_type.is_empty()
        || content_type.starts_with("application/x-www-form-urlencoded")
    {
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
    } else {
        return Err(format!(
            "unsupported content type {content_type:?}; send JSON or application/x-www-form-urlencoded"
        ));
    }

    if let Some((id, secret)) = basic_credentials(headers)? {
        match &request.client_id {
            Some(body_id) if *body_id != id => {
                return Err(
                    "the client id of the body and of the Authorization header differ".into(),
                );
            }
            _ => {}
        }
        request.client_id = Some(id);
        if request.client_secret.is_none() {
            request.client_secret = Some(secret);
        }
    }
    Ok(request)
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
    let decoded = base64_decode(encoded).ok_or("the Basic credentials are not base64")?;
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

/// Check the bearer token of an API call against what `access` needs;
/// the caller's client id, or the 401 or 403 to answer.
pub(crate) fn authorize(
    state: &State,
    now: Instant,
    headers: &HeaderMap,
    access: Access,
) -> Result<String, Fail> {
    let needed = match access {
        Access::Public => return Ok("anonymous".to_owned()),
        Access::AnyToken => None,
        Access::Scope(scope) => Some(scope),
    };
    let unauthorized = |message: &str, error: Option<&str>| {
        let mut fail = Fail::new(StatusCode::UNAUTHORIZED, message);
        fail.www_authenticate = Some(match error {
            Some(error) => format!("Bearer realm=\"camunda-admin-emulator\", error=\"{error}\""),
            None => "Bearer realm=\"camunda-admin-emulator\"".to_owned(),
        });
        fail
    };
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Err(unauthorized("a bearer token is required", None));
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .ok_or_else(|| {
            unauthorized(
                "the Authorization header is not a bearer token",
                Some("invalid_request"),
            )
        })?;
    let Some(issued) = state.tokens.get(token) else {
        return Err(unauthorized(
            "the token is not valid",
            Some("invalid_token"),
        ));
    };
    if now >= issued.expires {
        return Err(unauthorized("the token has expired", Some("invalid_token")));
    }
    if let Some(scope) = needed {
        if !issued.scopes.contains(&scope) {
            return Err(Fail::forbidden(format!(
                "the credential {} lacks the {} scope",
                issued.client_id,
                scope.display_name()
            )));
        }
    }
    Ok(issued.client_id.clone())
}
