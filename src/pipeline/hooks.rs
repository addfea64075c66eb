//! progenitor's hooks: `pre` puts the bearer token on every request,
//! `exec` sends it, fetches one new token after a 401, resends what
//! [`crate::retry::verdict`] allows, and bounds the body of the answer.

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::AUTHORIZATION;

use super::{body::limit_body, current_call, CallShared};
use crate::{
    client::Shared,
    retry::{timing::retry_after, verdict, Failure, Verdict},
    SecretString,
};

impl ClientHooks<Shared> for crate::api::Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let Some(call) = current_call() else {
            return Err(progenitor_client::Error::Custom(format!(
                "{} ran outside camunda-admin's call pipeline",
                info.operation_id
            )));
        };
        if !call.operation.authenticated {
            return Ok(());
        }
        match self.inner().auth.header().await {
            Ok(header) => {
                request.headers_mut().insert(AUTHORIZATION, header);
                Ok(())
            }
            Err(error) => {
                let message = error.to_string();
                call.remember_auth_error(error);
                Err(progenitor_client::Error::Custom(message))
            }
        }
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let Some(call) = current_call() else {
            // `pre` refused it already: progenitor never gets here.
            return self.client().execute(request).await;
        };
        let pipeline = self.inner();
        let mut request = request;
        let mut refreshed = false;
        loop {
            let again = request.try_clone();
            let sent = request.headers().get(AUTHORIZATION).cloned();
            call.count_attempt();
            let result = self.client().execute(request).await;
            let failure = match &result {
                Ok(response) if response.status().is_success() => return finish(&call, result),
                Ok(response) => Failure::Status(response.status().as_u16()),
                Err(error) => Failure::of(error),
            };
            // What a failed attempt sent may come back in its error body.
            call.note_failed_attempt(sent);
            // Bodies are JSON bytes, always clonable; a stream is sent once.
            let Some(mut again) = again else {
                return result;
            };
            if failure == Failure::Status(401) && call.operation.authenticated && !refreshed {
                refreshed = true;
                if let Some(header) = refresh_token(pipeline, &call, &again).await {
                    again.headers_mut().insert(AUTHORIZATION, header);
                    request = again;
                    continue;
                }
                return result;
            }
            if verdict(call.operation, failure) != Verdict::Resend {
                return result;
            }
            let server_pause = result.as_ref().ok().and_then(|r| retry_after(r.headers()));
            if !call
                .pause_before_resend(&pipeline.retry, server_pause)
                .await
            {
                return result;
            }
            request = again;
        }
    }
}

/// A successful answer with a bounded body, unless the caller streams it.
/// A body whose announced length fits needs no limit: hyper never reads
/// past the `Content-Length` it announced.
fn finish(
    call: &CallShared,
    result: reqwest::Result<reqwest::Response>,
) -> reqwest::Result<reqwest::Response> {
    let limit = call.max_response_bytes;
    let fits = |response: &reqwest::Response| {
        response
            .content_length()
            .is_some_and(|length| length <= limit as u64)
    };
    match result {
        Ok(response) if !call.streams_body && !fits(&response) => Ok(limit_body(response, limit)),
        other => other,
    }
}

/// After a 401: drop the refused token and fetch a new one, if the client
/// can. `None` means the 401 stands.
async fn refresh_token(
    pipeline: &Shared,
    call: &CallShared,
    request: &reqwest::Request,
) -> Option<reqwest::header::HeaderValue> {
    if !pipeline.auth.reject(&bearer_of(request)) {
        return None;
    }
    tracing::debug!(
        operation = call.operation.id.as_str(),
        "the API refused the token; fetching a new one"
    );
    match pipeline.auth.header().await {
        Ok(header) => Some(header),
        Err(error) => {
            call.remember_auth_error(error);
            None
        }
    }
}

fn bearer_of(request: &reqwest::Request) -> SecretString {
    let header = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    SecretString::new(
        header
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default(),
    )
}
