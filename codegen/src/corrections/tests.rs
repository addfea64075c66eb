//! Unit tests of the corrections: each shows a defect on a small document
//! fragment and what the correction makes of it.

use super::*;

fn doc(schemas: Value) -> Value {
    json!({ "openapi": "3.0.0", "paths": {}, "components": { "schemas": schemas } })
}

fn outcome<'a>(outcomes: &'a [Outcome], id: &str) -> &'a Outcome {
    outcomes
        .iter()
        .find(|o| o.id == id)
        .expect("every correction reports")
}

#[test]
fn every_correction_reports_once_in_order() {
    let outcomes = apply(&mut doc(json!({})));
    let ids: Vec<&str> = outcomes.iter().map(|o| o.id).collect();
    let expected: Vec<&str> = CORRECTIONS.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, expected);
    assert!(
        outcomes.iter().all(|o| o.places.is_empty()),
        "a clean document needs no correction"
    );
}

#[test]
fn inline_status_object_no_longer_collides_with_the_status_enum() {
    // Defect 1: the generator would name Cluster.status `ClusterStatus`.
    let mut d = doc(json!({
        "ClusterStatus": { "type": "string", "enum": ["Healthy", "Creating"] },
        "Cluster": { "type": "object", "properties": {
            "status": { "type": "object", "properties": { "ready": { "$ref": "#/components/schemas/ClusterStatus" } } }
        } }
    }));
    let outcomes = apply(&mut d);
    assert_eq!(
        outcome(&outcomes, "hoist-colliding-inline-objects")
            .places
            .len(),
        1
    );
    assert_eq!(
        d.pointer("/components/schemas/Cluster/properties/status/$ref"),
        Some(&json!("#/components/schemas/ClusterStatusSummary"))
    );
    assert!(d
        .pointer("/components/schemas/ClusterStatusSummary/properties/ready")
        .is_some());
    assert_eq!(
        d.pointer("/components/schemas/ClusterStatus/enum/0"),
        Some(&json!("Healthy"))
    );
}

#[test]
fn closed_objects_are_opened_everywhere() {
    // Defect 2: additionalProperties: false would reject any new server field.
    let mut d = doc(json!({
        "Member": { "type": "object", "additionalProperties": false, "properties": {
            "links": { "type": "object", "additionalProperties": false, "properties": {} }
        } },
        "Labels": { "type": "object", "additionalProperties": { "type": "string" } }
    }));
    let outcomes = apply(&mut d);
    assert_eq!(
        outcome(&outcomes, "open-additional-properties")
            .places
            .len(),
        2
    );
    assert!(!d.to_string().contains("\"additionalProperties\":false"));
    // A map schema keeps its value type.
    assert_eq!(
        d.pointer("/components/schemas/Labels/additionalProperties/type"),
        Some(&json!("string"))
    );
}

#[test]
fn late_required_fields_become_optional() {
    // Defect 3: the server omits fields the document calls required.
    let mut d = doc(json!({
        "Cluster": { "type": "object", "required": ["uuid", "encryption"], "properties": {
            "uuid": { "type": "string" }, "encryption": { "type": "object" } } },
        "CreatedClusterClient": { "type": "object", "required": ["clientId", "audience"], "properties": {
            "clientId": { "type": "string" }, "audience": { "type": "string" } } }
    }));
    let outcomes = apply(&mut d);
    assert_eq!(outcome(&outcomes, "relax-late-required").places.len(), 2);
    assert_eq!(
        d.pointer("/components/schemas/Cluster/required"),
        Some(&json!(["uuid"]))
    );
    assert_eq!(
        d.pointer("/components/schemas/CreatedClusterClient/required"),
        Some(&json!(["clientId"]))
    );
}

#[test]
fn repeated_allowlist_entries_become_one_named_type() {
    let entry = json!({ "type": "object", "required": ["description", "ip"], "properties": {
        "description": { "type": "string" }, "ip": { "type": "string" } } });
    let mut d = doc(json!({
        "Cluster": { "type": "object", "properties": { "ipallowlist": { "type": "array", "items": entry.clone() } } },
        "IpAllowListBody": { "type": "object", "properties": { "ipallowlist": { "type": "array", "items": entry } } }
    }));
    let outcomes = apply(&mut d);
    assert_eq!(
        outcome(&outcomes, "name-shared-inline-objects")
            .places
            .len(),
        2
    );
    for holder in ["Cluster", "IpAllowListBody"] {
        assert_eq!(
            d.pointer(&format!(
                "/components/schemas/{holder}/properties/ipallowlist/items/$ref"
            )),
            Some(&json!("#/components/schemas/IpAllowlistEntry"))
        );
    }
    assert!(d
        .pointer("/components/schemas/IpAllowlistEntry/properties/description")
        .is_some());
}

#[test]
fn inline_enums_get_names_so_they_can_be_open() {
    // Defect 4: enums grow; only a named enum can be generated as an open one.
    let mut d = doc(json!({
        "AuditDto": { "type": "object", "properties": {
            "auditType": { "type": "string", "enum": ["c", "r", "u", "d"] } } },
        "ClusterClient": { "type": "object", "properties": {
            "permissions": { "type": "array", "items": { "type": "string", "enum": ["Zeebe", "Operate"] } } } },
        "CreateClusterClientBody": { "type": "object", "properties": {
            "permissions": { "type": "array", "items": { "type": "string", "enum": ["Zeebe", "Operate"] } } } }
    }));
    let outcomes = apply(&mut d);
    assert_eq!(outcome(&outcomes, "hoist-inline-enums").places.len(), 3);
    let enums = string_enums(&d);
    assert_eq!(
        enums.get("AuditType"),
        Some(&vec![
            "c".to_owned(),
            "r".to_owned(),
            "u".to_owned(),
            "d".to_owned()
        ])
    );
    assert_eq!(
        enums.get("ClientPermission").map(Vec::len),
        Some(2),
        "one shared enum for equal value sets"
    );
    assert_eq!(
        d.pointer("/components/schemas/CreateClusterClientBody/properties/permissions/items/$ref"),
        Some(&json!("#/components/schemas/ClientPermission"))
    );
}

#[test]
fn csv_endpoint_is_declared_as_csv() {
    // Defect 5.
    let mut d = json!({ "paths": { "/activity/csv": { "get": { "operationId": "GetCsv", "responses": {
        "200": { "description": "", "content": { "application/json": { "schema": { "type": "string" } } } } } } } } });
    let outcomes = apply(&mut d);
    assert_eq!(
        outcome(&outcomes, "csv-media-type").places,
        vec!["/paths/activity/csv/get/responses/200".to_owned()]
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
fn odd_schema_names_become_rust_like() {
    // Defect 6: `Record_string.never_` and `OrganizationRole.ADMIN`.
    let mut d = doc(json!({
        "OrganizationRole.ADMIN": { "type": "string", "enum": ["admin"] },
        "OrganizationRole.VISITOR": { "type": "string", "enum": ["visitor"] },
        "AssignableOrganizationRoleType": { "anyOf": [
            { "$ref": "#/components/schemas/OrganizationRole.ADMIN" },
            { "$ref": "#/components/schemas/OrganizationRole.VISITOR" } ] },
        "Record_string.never_": { "type": "object", "properties": {} },
        "ByomStatus": { "type": "object", "properties": { "x": { "type": "string" } } },
        "Holder": { "type": "object", "properties": { "status": { "anyOf": [
            { "$ref": "#/components/schemas/ByomStatus" },
            { "$ref": "#/components/schemas/Record_string.never_" } ] } } }
    }));
    let outcomes = apply(&mut d);
    assert!(!outcome(&outcomes, "merge-single-value-enum-unions")
        .places
        .is_empty());
    assert!(!outcome(&outcomes, "rename-odd-schema-names")
        .places
        .is_empty());
    let names: Vec<&String> = d["components"]["schemas"]
        .as_object()
        .expect("schemas")
        .keys()
        .collect();
    assert!(
        names
            .iter()
            .all(|n| n.chars().all(|c| c.is_ascii_alphanumeric())),
        "{names:?}"
    );
    assert_eq!(
        d.pointer("/components/schemas/AssignableOrganizationRoleType"),
        Some(&json!({ "type": "string", "enum": ["admin", "visitor"] }))
    );
    assert_eq!(
        d.pointer("/components/schemas/Holder/properties/status/oneOf/1/$ref"),
        Some(&json!("#/components/schemas/EmptyObject"))
    );
    assert!(!d.to_string().contains("Record_string"));
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
fn all_of_with_an_inline_object_joins_a_schema_used_once() {
    let mut d = json!({
        "paths": { "/clusters": { "post": { "operationId": "CreateCluster",
            "requestBody": { "content": { "application/json": { "schema": { "allOf": [
                { "$ref": "#/components/schemas/CreateClusterBody" },
                { "type": "object", "properties": { "extra": { "type": "boolean" } } } ] } } } },
            "responses": {} } } },
        "components": { "schemas": { "CreateClusterBody": { "type": "object", "required": ["name"],
            "properties": { "name": { "type": "string" } } } } }
    });
    let outcomes = apply(&mut d);
    assert_eq!(outcome(&outcomes, "flatten-all-of").places.len(), 1);
    assert_eq!(
        d.pointer("/paths/~1clusters/post/requestBody/content/application~1json/schema"),
        Some(&json!({ "$ref": "#/components/schemas/CreateClusterBody" }))
    );
    assert!(d
        .pointer("/components/schemas/CreateClusterBody/properties/extra")
        .is_some());
    assert_eq!(
        d.pointer("/components/schemas/CreateClusterBody/required"),
        Some(&json!(["name"]))
    );
}

#[test]
fn secret_fields_are_marked_as_passwords() {
    let mut d = doc(json!({
        "CreateSecretBody": { "type": "object", "properties": { "secretValue": { "type": "string" }, "secretName": { "type": "string" } } },
        "ClusterSecrets": { "type": "object", "additionalProperties": { "type": "string" } }
    }));
    let outcomes = apply(&mut d);
    assert_eq!(outcome(&outcomes, "mark-secret-fields").places.len(), 2);
    assert_eq!(
        d.pointer("/components/schemas/CreateSecretBody/properties/secretValue/format"),
        Some(&json!("password"))
    );
    assert_eq!(
        d.pointer("/components/schemas/CreateSecretBody/properties/secretName/format"),
        None
    );
    assert_eq!(
        d.pointer("/components/schemas/ClusterSecrets/additionalProperties/format"),
        Some(&json!("password"))
    );
}

#[test]
fn corrections_are_idempotent() {
    let mut d = doc(json!({
        "Cluster": { "type": "object", "additionalProperties": false, "required": ["encryption"], "properties": {
            "encryption": { "type": "object" },
            "kind": { "type": "string", "enum": ["a", "b"] } } }
    }));
    apply(&mut d);
    let once = d.clone();
    let second = apply(&mut d);
    assert_eq!(d, once);
    assert!(second.iter().all(|o| o.places.is_empty()), "{second:?}");
}

#[test]
fn unauthenticated_operations_are_those_with_empty_security() {
    let d = json!({ "paths": {
        "/meta/ip-ranges": { "get": { "operationId": "GetMeta", "security": [] } },
        "/clusters": { "get": { "operationId": "GetClusters", "security": [{ "bearer": [] }] } } } });
    assert_eq!(
        unauthenticated_operations(&d)
            .into_iter()
            .collect::<Vec<_>>(),
        vec!["GetMeta".to_owned()]
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

#[test]
fn operations_carrying_secrets_are_found_through_refs() {
    let mut d = json!({
        "paths": {
            "/secrets": { "post": { "operationId": "CreateSecret", "requestBody": { "content": { "application/json": {
                "schema": { "$ref": "#/components/schemas/CreateSecretBody" } } } }, "responses": {} } },
            "/members": { "get": { "operationId": "GetMembers", "responses": { "200": { "description": "",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Member" } } } } } } }
        },
        "components": { "schemas": {
            "CreateSecretBody": { "type": "object", "properties": { "secretValue": { "type": "string" } } },
            "Member": { "type": "object", "properties": { "self": { "$ref": "#/components/schemas/Member" } } }
        } }
    });
    apply(&mut d);
    let found: Vec<String> = secret_carrying_operations(&d).into_iter().collect();
    assert_eq!(
        found,
        vec!["CreateSecret".to_owned()],
        "a self-referencing schema ends the search"
    );
}

#[test]
fn hoisted_enum_names_never_capture_another_schema() {
    let mut d = json!({
        "paths": {
            "/a": { "post": { "operationId": "A", "requestBody": { "content": { "application/json": { "schema": {
                "type": "object", "properties": { "mode": { "type": "string", "enum": ["x", "y"] } } } } } }, "responses": {} } },
            "/b": { "post": { "operationId": "B", "requestBody": { "content": { "application/json": { "schema": {
                "type": "object", "properties": { "mode": { "type": "string", "enum": ["p", "q"] } } } } } }, "responses": {} } }
        },
        "components": { "schemas": { "Mode": { "type": "object", "properties": { "id": { "type": "string" } } } } }
    });
    apply(&mut d);
    let a = d
        .pointer(
            "/paths/~1a/post/requestBody/content/application~1json/schema/properties/mode/$ref",
        )
        .cloned();
    let b = d
        .pointer(
            "/paths/~1b/post/requestBody/content/application~1json/schema/properties/mode/$ref",
        )
        .cloned();
    assert_ne!(a, b, "different values, different enums");
    for reference in [a, b] {
        let name = reference
            .as_ref()
            .and_then(Value::as_str)
            .and_then(|r| r.rsplit('/').next())
            .expect("a ref")
            .to_owned();
        assert_ne!(name, "Mode", "the object schema named Mode is not an enum");
        assert!(string_enums(&d).contains_key(&name), "{name} is an enum");
    }
}

#[test]
fn keywords_beside_all_of_survive_flattening() {
    let mut d = doc(json!({
        "Base": { "type": "object", "properties": { "a": { "type": "string" } } },
        "Other": { "type": "object", "properties": { "base": { "$ref": "#/components/schemas/Base" } } },
        "Holder": { "type": "object", "properties": { "thing": {
            "nullable": true,
            "allOf": [ { "$ref": "#/components/schemas/Base" }, { "type": "object", "properties": { "b": { "type": "string" } } } ] } } }
    }));
    apply(&mut d);
    let thing = d
        .pointer("/components/schemas/Holder/properties/thing")
        .expect("thing");
    assert_eq!(thing.get("nullable"), Some(&json!(true)));
    assert!(thing.pointer("/properties/a").is_some() && thing.pointer("/properties/b").is_some());
}

#[test]
fn secret_fields_that_cannot_be_marked_are_reported() {
    let d = doc(json!({
        "Client": { "type": "object", "properties": { "clientSecret": { "$ref": "#/components/schemas/Opaque" } } },
        "Opaque": { "type": "string" }
    }));
    assert_eq!(
        unmarked_secret_fields(&d),
        vec!["/components/schemas/Client/properties/clientSecret".to_owned()]
    );
}
