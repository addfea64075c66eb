//! The operation table the hand-written layer reads (`OPERATIONS`), the
//! docs of each public method, and the scope table of the crate's docs.

use proc_macro2::TokenStream;
use quote::quote;

use super::{model::Operation, GenerateError};

/// `pub(crate) const OPERATIONS: &[Operation]`, in the order of `ops`, as
/// the source of `operations.rs` (which `src/operation.rs` includes).
pub fn operations_source(ops: &[Operation]) -> Result<String, GenerateError> {
    let table = operations_const(ops);
    let file: syn::File = syn::parse2(table)
        .map_err(|e| GenerateError::new(format!("the operation table is invalid Rust: {e}")))?;
    Ok(prettyplease::unparse(&file))
}

fn operations_const(ops: &[Operation]) -> TokenStream {
    let entries = ops.iter().map(|op| {
        let Operation {
            rust_name,
            id,
            http_method,
            path,
            scope,
            authenticated,
            carries_secrets,
            ..
        } = op;
        let path_params = op.path_params.iter().map(|p| &p.name);
        quote! {
            Operation {
                rust_name: #rust_name,
                id: #id,
                http_method: #http_method,
                path: #path,
                path_params: &[#(#path_params),*],
                scope: #scope,
                authenticated: #authenticated,
                carries_secrets: #carries_secrets,
            },
        }
    });
    quote! {
        /// Every operation of the document, in the order of the generated methods.
        pub(crate) const OPERATIONS: &[Operation] = &[ #(#entries)* ];
    }
}

/// How a scope reads in docs.
pub fn scope_phrase(scope: &str) -> String {
    match scope {
        "none" => "Needs no credentials.".to_owned(),
        "any" => "Any Administration API credential may call it.".to_owned(),
        scope => format!("Needs the **{scope}** scope."),
    }
}

/// The doc lines of an operation's public method, in the project's words.
pub fn method_docs(op: &Operation) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(summary) = &op.summary {
        lines.push(format!("{}.", summary.trim_end_matches('.')));
    }
    if let Some(description) = &op.description {
        lines.push(String::new());
        lines.extend(description.lines().map(str::to_owned));
    }
    lines.push(String::new());
    lines.push(scope_phrase(&op.scope));
    lines.push(String::new());
    lines.push(format!(
        "`{} {}` (operation `{}`).",
        op.http_method, op.path, op.id
    ));
    let optional: Vec<String> = op
        .query_params
        .iter()
        .filter(|p| !p.required)
        .map(|p| format!("`{}`", p.rust_name))
        .collect();
    if !optional.is_empty() {
        lines.push(String::new());
        lines.push(format!(
            "Optional parameters are setters of the returned request: {}.",
            optional.join(", ")
        ));
    }
    lines
}

/// The rows of a Markdown table, one per scope with the methods that
/// need it (the crate docs write the header).
pub fn scope_table(ops: &[Operation]) -> String {
    let mut by_scope: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
    for op in ops {
        by_scope
            .entry(op.scope.as_str())
            .or_default()
            .push(format!("[`{0}`](crate::Client::{0})", op.rust_name));
    }
    let mut out = String::new();
    for (scope, methods) in by_scope {
        let scope = match scope {
            "none" => "none (no token)",
            "any" => "any credential",
            other => other,
        };
        out.push_str(&format!("| {scope} | {} |\n", methods.join(", ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(id: &str, scope: &str) -> Operation {
        Operation {
            id: id.to_owned(),
            rust_name: heck::ToSnakeCase::to_snake_case(id),
            type_name: id.to_owned(),
            http_method: "GET".to_owned(),
            path: "/x".to_owned(),
            path_params: vec![],
            query_params: vec![],
            body: None,
            summary: Some("List things".to_owned()),
            description: None,
            scope: scope.to_owned(),
            authenticated: true,
            carries_secrets: false,
        }
    }

    #[test]
    fn docs_name_what_it_does_and_its_scope_without_progenitors_phrase() {
        let docs = method_docs(&op("GetMembers", "Members")).join("\n");
        assert!(docs.starts_with("List things."), "{docs}");
        assert!(docs.contains("Needs the **Members** scope."), "{docs}");
        assert!(!docs.contains("Sends a"), "{docs}");
    }

    #[test]
    fn the_scope_table_groups_operations_by_scope() {
        let table = scope_table(&[op("GetMembers", "Members"), op("GetMeta", "none")]);
        assert!(
            table.contains("| Members | [`get_members`](crate::Client::get_members) |"),
            "{table}"
        );
        assert!(table.contains("| none (no token) |"), "{table}");
    }
}
