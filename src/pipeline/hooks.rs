//! progenitor's hooks: `exec` sends each attempt once, with the bearer
//! header the call's loop chose, and bounds the body of the answer; every
//! decision between attempts is the loop's (`super::Client::call`).

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::AUTHORIZATION;

use super::{body::limit_body, current_call, CallShared};
use crate::client::Shared;

impl ClientHooks<Shared> for crate::api::Client {
    async fn pre<E>(
        &self,
        _request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        match current_call() {
            Some(_) => Ok(()),
            None => Err(progenitor_client::Error::Custom(format!(
                "{} ran outside camunda-admin's call pipeline",
                info.operation_id
            ))),
        }
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        match current_call() {
            Some(call) => attempt(self.client(), &call, request).await,
            // `pre` refused it already: progenitor never gets here.
            None => self.client().execute(request).await,
        }
    }
}

/// One attempt of a call: its bearer header (the loop's), the request sent
/// once, a failed attempt's header remembered (it may come back in an
/// echoed error body), a successful answer's body bounded.
pub(super) async fn attempt(
    http: &reqwest::Client,
    call: &CallShared,
    mut request: reqwest::Request,
) -> reqwest::Result<reqwest::Response> {
    let bearer = call.bearer();
    if let Some(header) = &bearer {
        request.headers_mut().insert(AUTHORIZATION, header.clone());
    }
    call.count_attempt();
    let result = http.execute(request).await;
    match &result {
        Ok(response) if response.status().is_success() => finish(call, result),
        _ => {
            call.note_failed_attempt(bearer);
            result
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
