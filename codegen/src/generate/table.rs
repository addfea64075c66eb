//! The operation table the hand-written layer reads (`OPERATIONS`), the
//! docs of each public method, and the scope table of the crate's docs.

use heck::ToUpperCamelCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{
    facts,
    model::{BodyField, Operation, Param},
    GenerateError,
};

/// The source of `operations.rs` (which `src/operation.rs` includes): the
/// `OperationId` enum and `OPERATIONS`, one entry per operation in the
/// order of `ops` and of the enum's variants.
pub fn operations_source(ops: &[Operation], outputs: &[Output]) -> Result<String, GenerateError> {
    let ids: Vec<&str> = ops.iter().map(|op| op.id.as_str()).collect();
    let dangling = facts::dangling(ops.iter().map(|op| (op.id.as_str(), &op.facts)), &ids);
    if !dangling.is_empty() {
        return Err(GenerateError::new(format!(
            "x-camunda-resend names operations the document lacks: {}",
            dangling.join(", ")
        )));
    }
    let mut entries = Vec::new();
    for (op, output) in ops.iter().zip(outputs) {
        entries.push(entry(op, *output)?);
    }
    let tokens = quote! {
        /// Every operation of the document, in the order of [`OperationId`]'s variants.
        pub static OPERATIONS: &[Operation] = &[ #(#entries),* ];
    };
    let enum_tokens = operation_id(ops);
    let tokens = quote! { #enum_tokens #tokens };
    let file: syn::File = syn::parse2(tokens)
        .map_err(|e| GenerateError::new(format!("the operation table is invalid Rust: {e}")))?;
    Ok(prettyplease::unparse(&file))
}

/// What an operation answers on success, for the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// A JSON document.
    Json,
    /// Text.
    Text,
    /// No body.
    Empty,
}

fn operation_id(ops: &[Operation]) -> TokenStream {
    let variants = ops.iter().map(|op| {
        let ident = format_ident!("{}", op.type_name);
        let doc = format!(
            "`{}`: {}",
            op.id,
            op.summary
                .as_deref()
                .unwrap_or("(no summary in the document)")
        );
        quote! { #[doc = #doc] #ident }
    });
    let idents: Vec<_> = ops
        .iter()
        .map(|op| format_ident!("{}", op.type_name))
        .collect();
    let names = ops.iter().map(|op| op.id.as_str());
    let count = ops.len();
    quote! {
        /// The operations of the document, by their operationId.
        ///
        /// New operations appear when Camunda adds them: match with a
        /// wildcard arm. [`OperationId::as_str`] and [`std::str::FromStr`]
        /// use the document's ids; [`OperationId::operation`] gives the
        /// operation's entry of the table.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum OperationId {
            #(#variants),*
        }

        impl OperationId {
            /// Every operation, in the table's order.
            pub const ALL: [OperationId; #count] = [ #(OperationId::#idents),* ];

            /// The document's operationId, such as `GetCluster`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    #(OperationId::#idents => #names),*
                }
            }
        }
    }
}

fn text(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or("")
}

fn name_kind(kind: &Option<String>) -> Result<TokenStream, GenerateError> {
    Ok(match kind.as_deref() {
        None => quote! { None },
        Some(kind) => {
            let ident = format_ident!("{}", kind.to_upper_camel_case());
            quote! { Some(NameKind::#ident) }
        }
    })
}

fn param_field(param: &Param) -> Result<TokenStream, GenerateError> {
    let name = &param.name;
    let json_type = &param.json_type;
    let required = param.required;
    let description = text(&param.description);
    let values = &param.enum_values;
    let name_of = name_kind(&param.name_of)?;
    Ok(quote! {
        Field {
            name: #name,
            json_type: #json_type,
            required: #required,
            secret: false,
            description: #description,
            enum_values: &[#(#values),*],
            name_of: #name_of,
            max_chars: None,
            default: None,
        }
    })
}

fn body_field(field: &BodyField) -> Result<TokenStream, GenerateError> {
    let name = &field.name;
    let json_type = &field.json_type;
    let required = field.required;
    let secret = field.secret;
    let description = text(&field.description);
    let values = &field.enum_values;
    let name_of = name_kind(&field.name_of)?;
    let max_chars = match field.facts.max_chars {
        Some(n) => quote! { Some(#n) },
        None => quote! { None },
    };
    let default = match &field.facts.default {
        Some(json) => quote! { Some(#json) },
        None => quote! { None },
    };
    Ok(quote! {
        Field {
            name: #name,
            json_type: #json_type,
            required: #required,
            secret: #secret,
            description: #description,
            enum_values: &[#(#values),*],
            name_of: #name_of,
            max_chars: #max_chars,
            default: #default,
        }
    })
}

/// `path:NAME` or `answer:FIELD` as an `IdSource`.
fn id_source(op: &Operation, source: &str) -> Result<TokenStream, GenerateError> {
    match source.split_once(':') {
        Some(("path", name)) if op.path_params.iter().any(|p| p.name == name) => {
            Ok(quote! { IdSource::Path(#name) })
        }
        Some(("answer", field)) => Ok(quote! { IdSource::Answer(#field) }),
        _ => Err(GenerateError::new(format!(
            "{}: x-camunda-wait names {source}, which is no path parameter of it",
            op.id
        ))),
    }
}

fn entry(op: &Operation, output: Output) -> Result<TokenStream, GenerateError> {
    let Operation {
        rust_name,
        path,
        scope,
        authenticated,
        carries_secrets,
        deprecated,
        facts,
        ..
    } = op;
    let id = format_ident!("{}", op.type_name);
    let method = format_ident!("{}", op.http_method);
    let summary = text(&op.summary);
    let description = text(&op.description);
    let path_params = op
        .path_params
        .iter()
        .map(param_field)
        .collect::<Result<Vec<_>, _>>()?;
    let query_params = op
        .query_params
        .iter()
        .map(param_field)
        .collect::<Result<Vec<_>, _>>()?;
    let body = match &op.body {
        Some(body) => {
            let media_type = &body.media_type;
            let fields = body
                .fields
                .iter()
                .map(body_field)
                .collect::<Result<Vec<_>, _>>()?;
            let closed = body.closed;
            quote! { Some(Body { media_type: #media_type, fields: &[#(#fields),*], closed: #closed }) }
        }
        None => quote! { None },
    };
    let output = match output {
        _ if facts.secret_values => quote! { OutputKind::SecretValues },
        Output::Json => quote! { OutputKind::Json },
        Output::Text => quote! { OutputKind::Text },
        Output::Empty => quote! { OutputKind::Empty },
    };
    let statuses = &facts.resend_statuses;
    let read_first = match &facts.read_first {
        None => quote! { None },
        Some(read) => {
            let status = read.status;
            let list = format_ident!("{}", read.list.to_upper_camel_case());
            let field = &read.field;
            let optional = |v: &Option<String>| match v {
                Some(v) => quote! { Some(#v) },
                None => quote! { None },
            };
            let created = optional(&read.created_field);
            let id_field = optional(&read.id_field);
            let found = format_ident!("{}", read.found.to_upper_camel_case());
            quote! {
                Some(ReadFirst {
                    status: #status,
                    list: OperationId::#list,
                    field: #field,
                    created_field: #created,
                    id_field: #id_field,
                    found: Found::#found,
                })
            }
        }
    };
    let wait = match &facts.wait {
        None => quote! { None },
        Some(wait) => {
            let until = format_ident!("{}", wait.until.to_upper_camel_case());
            let cluster = id_source(op, &wait.cluster)?;
            let backup = match &wait.backup {
                Some(source) => {
                    let source = id_source(op, source)?;
                    quote! { Some(#source) }
                }
                None => quote! { None },
            };
            quote! { Some(WaitFor { until: WaitUntil::#until, cluster: #cluster, backup: #backup }) }
        }
    };
    let (group, verb) = match &facts.cli {
        Some((group, verb)) => (group.clone(), verb.clone()),
        None => super::names::derived_name(op),
    };
    let known = facts.known;
    let error_media_type = &op.error_media_type;
    Ok(quote! {
        Operation {
            id: OperationId::#id,
            rust_name: #rust_name,
            method: http::Method::#method,
            path: #path,
            path_params: &[#(#path_params),*],
            query_params: &[#(#query_params),*],
            body: #body,
            summary: #summary,
            description: #description,
            scope: #scope,
            authenticated: #authenticated,
            carries_secrets: #carries_secrets,
            deprecated: #deprecated,
            error_media_type: #error_media_type,
            resend: Resend { statuses: &[#(#statuses),*], read_first: #read_first },
            output: #output,
            wait: #wait,
            command: Command { group: #group, verb: #verb },
            known: #known,
        }
    })
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
        let mut op = super::super::model::tests::operation(id);
        op.scope = scope.to_owned();
        op
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
