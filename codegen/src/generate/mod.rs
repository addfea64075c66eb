//! The generator behind `camunda-admin`'s build script: the corrections,
//! then progenitor, then what progenitor cannot make, all from syntax trees:
//!
//! - [`model`]: what each operation is, read once from the document;
//! - [`undeclared`]: objects keep the fields the document does not declare;
//! - [`postprocess`]: changes to progenitor's own output;
//! - [`open_enum`]: string enums that keep unknown values;
//! - [`methods`]: the public methods of `camunda_admin::Client` and their
//!   request types;
//! - [`facts`]: what the project's `x-camunda-*` extensions add to each
//!   operation (resends, waits, names, command names);
//! - [`table`]: the operation table, method docs and the scope table;
//! - [`json_call`]: calls by operation id with JSON in and out.

pub mod facts;
pub mod json_call;
pub mod methods;
pub mod model;
pub mod names;
pub mod open_enum;
pub mod postprocess;
mod refs;
pub mod sample;
pub mod table;
pub mod undeclared;

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use crate::corrections;

/// Why a document cannot be turned into bindings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateError(String);

impl GenerateError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl std::fmt::Display for GenerateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GenerateError {}

/// What the build script writes.
#[derive(Debug, Clone)]
pub struct Bindings {
    /// The Rust source of the bindings (`src/api.rs` includes it).
    pub api: String,
    /// The operation table (`src/operation.rs` includes it).
    pub operations: String,
    /// A Markdown table of the scope each operation needs (the crate docs
    /// include it).
    pub scope_table: String,
    /// Operations that neither the document nor the project's document
    /// describe with `x-camunda-*` facts: they got the safe defaults.
    pub without_facts: Vec<String>,
}

/// The bindings of a document (before corrections). Operations without
/// the project's `x-camunda-*` facts take them from `project` (the
/// project's own document) by operationId.
pub fn bindings(mut doc: Value, project: Option<&Value>) -> Result<Bindings, GenerateError> {
    let without_facts = match project {
        Some(project) => facts::fill_from(&mut doc, project),
        None => facts::fill_from(&mut doc, &Value::Null),
    };
    let error_media_types = model::error_media_types(&doc);
    let closed_bodies = model::closed_bodies(&doc);
    corrections::apply(&mut doc);
    let unmarked = corrections::unmarked_secret_fields(&doc);
    if !unmarked.is_empty() {
        return Err(GenerateError::new(format!(
            "secret fields the corrections could not mark (they would be plain Strings): {unmarked:?}"
        )));
    }
    let enums = corrections::string_enums(&doc);
    let mut operations = model::operations(&doc)?;
    for op in &mut operations {
        if let Some(media_type) = error_media_types.get(&op.id) {
            op.error_media_type.clone_from(media_type);
        }
        if let Some(body) = &mut op.body {
            body.closed = closed_bodies.contains(&op.id);
        }
    }
    let descriptions = schema_descriptions(&doc);
    undeclared::keep_undeclared_fields(&mut doc);
    let spec: openapiv3::OpenAPI = serde_path_to_error::deserialize(doc).map_err(|e| {
        GenerateError::new(format!(
            "not an OpenAPI 3.0 document: at {}: {}",
            e.path(),
            e.inner()
        ))
    })?;

    let mut file = run_progenitor(&spec, enums.keys())?;
    postprocess::apply(&mut file);
    let public = public_api(&file, &operations)?;
    let json_calls = json_call::source(&file, &operations)?;
    let outputs = operations
        .iter()
        .map(|op| {
            Ok(match methods::Generated::find(&file, op)?.success {
                methods::Success::Empty => table::Output::Empty,
                methods::Success::Text => table::Output::Text,
                methods::Success::Json(_) => table::Output::Json,
            })
        })
        .collect::<Result<Vec<_>, GenerateError>>()?;
    let open_enums = enums.iter().map(|(name, values)| {
        open_enum::OpenEnum {
            name,
            description: descriptions.get(name).map(String::as_str),
            values,
        }
        .tokens()
    });
    let file = quote! {
        #file

        /// Open enums: each known value has a variant, any other value is kept in `Unknown`.
        pub mod enums {
            #(#open_enums)*
        }

        #public

        #json_calls
    };
    let file: syn::File = syn::parse2(file)
        .map_err(|e| GenerateError::new(format!("the generator produced invalid Rust: {e}")))?;
    Ok(Bindings {
        api: prettyplease::unparse(&file),
        operations: table::operations_source(&operations, &outputs)?,
        scope_table: table::scope_table(&operations),
        without_facts,
    })
}

fn schema_descriptions(doc: &Value) -> std::collections::BTreeMap<String, String> {
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    schemas
        .into_iter()
        .flatten()
        .filter_map(|(name, schema)| {
            let text = schema.get("description")?.as_str()?;
            Some((name.clone(), text.to_owned()))
        })
        .collect()
}

fn run_progenitor<'a>(
    spec: &openapiv3::OpenAPI,
    enums: impl Iterator<Item = &'a String>,
) -> Result<syn::File, GenerateError> {
    let mut settings = progenitor::GenerationSettings::new();
    settings
        .with_interface(progenitor::InterfaceStyle::Builder)
        .with_hooks(progenitor::HooksMode::Expected)
        .with_inner_type(quote! { crate::client::Shared })
        .with_derive("PartialEq")
        .with_map_type("::std::collections::BTreeMap")
        .with_conversion(
            secret_string_schema(),
            "crate::SecretString",
            std::iter::empty(),
        )
        .with_replacement(
            undeclared::UNDECLARED_SCHEMA,
            "crate::Undeclared",
            std::iter::empty(),
        );
    for name in enums {
        settings.with_replacement(
            name,
            format!("crate::api::enums::{name}"),
            [progenitor::TypeImpl::Display, progenitor::TypeImpl::FromStr].into_iter(),
        );
    }
    let mut generator = progenitor::Generator::new(&settings);
    let tokens = generator
        .generate_tokens(spec)
        .map_err(|e| GenerateError::new(format!("progenitor failed: {e}")))?;
    syn::parse2(tokens)
        .map_err(|e| GenerateError::new(format!("progenitor produced invalid Rust: {e}")))
}

/// The `request` module and the public methods of `crate::Client`.
fn public_api(
    file: &syn::File,
    operations: &[model::Operation],
) -> Result<TokenStream, GenerateError> {
    let mut requests = Vec::new();
    let mut methods = Vec::new();
    for (index, op) in operations.iter().enumerate() {
        let method = methods::PublicMethod {
            op,
            index,
            generated: methods::Generated::find(file, op)?,
        };
        requests.push(method.request()?);
        methods.push(method.client_method(&table::method_docs(op))?);
    }
    Ok(quote! {
        /// One request type per operation: what a method of
        /// [`Client`](crate::Client) returns. Await it to send it; optional
        /// parameters are its setters.
        pub mod request {
            #[allow(unused_imports)]
            use super::types;
            #(#requests)*
        }

        impl crate::Client {
            #(#methods)*
        }
    })
}

fn secret_string_schema() -> schemars::schema::SchemaObject {
    schemars::schema::SchemaObject {
        instance_type: Some(schemars::schema::InstanceType::String.into()),
        format: Some("password".to_owned()),
        ..Default::default()
    }
}
