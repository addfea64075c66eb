//! Responses: the CSV endpoint's media type, one error body type, and the
//! whole 2xx range for a single success status.

use super::document::each_operation_responses;
use crate::openapi::escape;
use serde_json::{json, Value};

pub(super) fn csv_media_type(doc: &mut Value) -> Vec<String> {
    let mut places = Vec::new();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return places;
    };
    for (path, item) in paths.iter_mut() {
        if !path.ends_with("/csv") {
            continue;
        }
        let Some(ok) = item.pointer_mut("/get/responses/200") else {
            continue;
        };
        let Some(content) = ok.get_mut("content").and_then(Value::as_object_mut) else {
            continue;
        };
        if content.contains_key("text/csv") && content.len() == 1 {
            continue;
        }
        content.clear();
        content.insert("text/csv".into(), json!({ "schema": { "type": "string" } }));
        places.push(format!("/paths/{}/get/responses/200", escape(path)));
    }
    places
}

pub(super) fn uniform_error_bodies(doc: &mut Value) -> Vec<String> {
    let mut places = Vec::new();
    let uniform = json!({ "text/plain": { "schema": { "type": "string" } } });
    each_operation_responses(doc, &mut |path, method, responses| {
        for (status, response) in responses.iter_mut() {
            let is_error = status.starts_with('4') || status.starts_with('5');
            let Some(response) = response.as_object_mut().filter(|_| is_error) else {
                continue;
            };
            if response.get("content") != Some(&uniform) {
                response.insert("content".into(), uniform.clone());
                places.push(format!(
                    "/paths/{}/{method}/responses/{status}",
                    escape(path)
                ));
            }
        }
    });
    places
}

/// An operation with a single success status accepts the whole 2xx range,
/// so an undocumented 201 is decoded as the success it is, not reported as
/// an error that would carry (and show) its body, such as a created secret.
pub(super) fn any_2xx_is_success(doc: &mut Value) -> Vec<String> {
    let mut places = Vec::new();
    each_operation_responses(doc, &mut |path, method, responses| {
        let success: Vec<&String> = responses
            .keys()
            .filter(|status| status.starts_with('2'))
            .collect();
        // The documented status stays (reports keep naming it); the range
        // answers the same way for any other 2xx.
        let [only] = success.as_slice() else {
            return;
        };
        if only.as_str() == "2XX" {
            return;
        }
        let only = (*only).clone();
        if let Some(response) = responses.get(&only).cloned() {
            responses.insert("2XX".into(), response);
            places.push(format!("/paths/{}/{method}/responses/{only}", escape(path)));
        }
    });
    places
}

#[cfg(test)]
mod tests {
    //! The defects of this family on small fragments, and what the
    //! corrections make of them.

    use crate::corrections::apply;
    use crate::corrections::test_support::outcome;
    use serde_json::json;

    #[test]
    fn csv_endpoint_is_declared_as_csv() {
        // Defect 5.
        let mut d = json!({ "paths": { "/activity/csv": { "get": { "operationId": "GetCsv", "responses": {
            "200": { "description": "", "content": { "application/json": { "schema": { "type": "string" } } } } } } } } });
        let outcomes = apply(&mut d);
        assert_eq!(
            outcome(&outcomes, "csv-media-type").places,
            vec!["/paths/~1activity~1csv/get/responses/200".to_owned()]
        );
        let content = d
            .pointer("/paths/~1activity~1csv/get/responses/200/content")
            .expect("content");
        assert_eq!(
            content,
            &json!({ "text/csv": { "schema": { "type": "string" } } })
        );
    }

    #[test]
    fn error_answers_share_one_text_body() {
        // Defect 7: schemaless errors next to text/plain ones.
        let mut d = json!({ "paths": { "/clusters/{id}/failover": { "post": { "operationId": "TriggerFailover", "responses": {
            "200": { "description": "", "content": { "application/json": { "schema": { "type": "object" } } } },
            "400": { "description": "", "content": { "text/plain": { "schema": { "type": "string" } } } },
            "404": { "description": "" } } } } } });
        let outcomes = apply(&mut d);
        assert_eq!(
            outcome(&outcomes, "uniform-error-bodies").places.len(),
            1,
            "only the schemaless 404 changes"
        );
        let responses = d
            .pointer("/paths/~1clusters~1{id}~1failover/post/responses")
            .expect("responses");
        assert_eq!(responses["404"]["content"], responses["400"]["content"]);
        assert!(
            responses["200"]["content"]
                .get("application/json")
                .is_some(),
            "success bodies stay"
        );
    }

    #[test]
    fn a_single_success_status_becomes_the_2xx_range() {
        let mut d = json!({ "paths": {
            "/clusters/{id}/clients": { "post": { "operationId": "CreateClient", "responses": {
                "200": { "description": "", "content": { "application/json": { "schema": { "type": "object" } } } },
                "404": { "description": "" } } } },
            "/x": { "get": { "operationId": "Two", "responses": { "200": { "description": "" }, "204": { "description": "" } } } } } });
        let outcomes = apply(&mut d);
        assert_eq!(
            outcome(&outcomes, "any-2xx-is-success").places.len(),
            1,
            "two success statuses stay as they are"
        );
        let responses = d
            .pointer("/paths/~1clusters~1{id}~1clients/post/responses")
            .expect("responses");
        assert_eq!(
            responses.get("2XX"),
            responses.get("200"),
            "the range answers like the documented status"
        );
        assert!(d.pointer("/paths/~1x/get/responses/204").is_some());
    }
}
