//! The generator behind `camunda-admin`'s build script: corrections,
//! progenitor, then what progenitor cannot make.
//!
//! On top of progenitor's output it generates:
//! - open enums: every string enum of the document becomes a Rust enum with an
//!   `Unknown(String)` variant, so a value Camunda adds later still decodes;
//! - the public methods of `camunda_admin::Client`, one per operation, which
//!   return the crate's own `Result` and plain values;
//! - the operation table the hand-written layer reads.

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::corrections;

/// The bindings of a document, as one Rust source file.
///
/// `source` names the document in messages. Panics on a document the
/// generator cannot use (the build script's failure is the message).
pub fn bindings(mut doc: Value, source: &str) -> String {
    corrections::apply(&mut doc);
    let unmarked = corrections::unmarked_secret_fields(&doc);
    assert!(
        unmarked.is_empty(),
        "secret fields the corrections could not mark (they would be plain Strings): {unmarked:?}"
    );

    let enums = corrections::string_enums(&doc);
    let operations = operation_table(&doc);
    let spec: openapiv3::OpenAPI = serde_json::from_value(doc)
        .unwrap_or_else(|e| panic!("{source} is not an OpenAPI 3.0 document: {e}"));

    let mut settings = progenitor::GenerationSettings::new();
    settings
        .with_interface(progenitor::InterfaceStyle::Positional)
        .with_hooks(progenitor::HooksMode::Expected)
        .with_inner_type(quote! { crate::pipeline::Pipeline })
        .with_derive("schemars::JsonSchema")
        .with_derive("PartialEq")
        .with_conversion(
            secret_string_schema(),
            "crate::SecretString",
            std::iter::empty(),
        );
    for name in enums.keys() {
        settings.with_replacement(
            name,
            format!("crate::api::enums::{name}"),
            [progenitor::TypeImpl::Display, progenitor::TypeImpl::FromStr].into_iter(),
        );
    }

    let mut generator = progenitor::Generator::new(&settings);
    let generated = generator
        .generate_tokens(&spec)
        .unwrap_or_else(|e| panic!("progenitor failed on {source}: {e}"));
    let generated_file: syn::File =
        syn::parse2(generated.clone()).expect("progenitor produced invalid Rust");

    let open_enums = enums
        .iter()
        .map(|(name, values)| open_enum(name, values, &spec));
    let public_methods = public_methods(&generated_file, &operations);
    let operation_consts = operation_consts(&operations);

    let file = quote! {
        #generated

        /// Open enums: each known value has a variant, any other value is kept in `Unknown`.
        pub mod enums {
            #(#open_enums)*
        }

        #operation_consts

        #public_methods
    };
    let file: syn::File = syn::parse2(file).expect("generated invalid Rust");
    prettyplease::unparse(&file)
}

fn secret_string_schema() -> schemars::schema::SchemaObject {
    schemars::schema::SchemaObject {
        instance_type: Some(schemars::schema::InstanceType::String.into()),
        format: Some("password".to_owned()),
        ..Default::default()
    }
}

/// What the hand-written layer needs to know of each operation.
struct OperationMeta {
    snake: String,
    id: String,
    method: String,
    path: String,
    path_params: Vec<String>,
    scope: String,
    authenticated: bool,
    carries_secrets: bool,
}

fn operation_table(doc: &Value) -> Vec<OperationMeta> {
    let anonymous = corrections::unauthenticated_operations(doc);
    let secret_carrying = corrections::secret_carrying_operations(doc);
    corrections::operations(doc)
        .into_iter()
        .map(|(path, method, op)| {
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or_else(|| panic!("{} {path} has no operationId", method.to_uppercase()))
                .to_owned();
            let path_params = path
                .split('/')
                .filter_map(|part| part.strip_prefix('{')?.strip_suffix('}'))
                .map(str::to_owned)
                .collect();
            let scope = op
                .get("x-camunda-scope")
                .and_then(Value::as_str)
                .unwrap_or("unknown")
                .to_owned();
            OperationMeta {
                snake: id.to_snake_case(),
                path_params,
                scope,
                authenticated: !anonymous.contains(&id),
                carries_secrets: secret_carrying.contains(&id),
                id,
                method: method.to_uppercase(),
                path,
            }
        })
        .collect()
}

fn operation_consts(operations: &[OperationMeta]) -> TokenStream {
    let entries = operations.iter().map(|op| {
        let OperationMeta {
            snake,
            id,
            method,
            path,
            path_params,
            scope,
            authenticated,
            carries_secrets,
        } = op;
        quote! {
            crate::pipeline::Operation {
                rust_name: #snake,
                id: #id,
                http_method: #method,
                path: #path,
                path_params: &[#(#path_params),*],
                scope: #scope,
                authenticated: #authenticated,
                carries_secrets: #carries_secrets,
            },
        }
    });
    quote! {
        /// Every operation of the document, as the pipeline sees it.
        pub(crate) const OPERATIONS: &[crate::pipeline::Operation] = &[ #(#entries)* ];
    }
}

fn variant_name(value: &str) -> String {
    let name = value.to_upper_camel_case();
    match name.as_str() {
        "" => "Unspecified".to_owned(),
        "Unknown" => "UnknownValue".to_owned(),
        _ if name.starts_with(|c: char| c.is_ascii_digit()) => format!("V{name}"),
        _ => name,
    }
}

fn schema_description(spec: &openapiv3::OpenAPI, name: &str) -> Option<String> {
    let schema = spec.components.as_ref()?.schemas.get(name)?.as_item()?;
    schema.schema_data.description.clone()
}

/// An enum that keeps decoding when the server sends a value it did not list.
fn open_enum(name: &str, values: &[String], spec: &openapiv3::OpenAPI) -> TokenStream {
    let ident = format_ident!("{}", name);
    let doc = schema_description(spec, name)
        .unwrap_or_else(|| format!("The `{name}` values of the API."));
    let mut seen = std::collections::BTreeSet::new();
    let variants: Vec<(syn::Ident, &String)> = values
        .iter()
        .map(|value| {
            let mut variant = variant_name(value);
            while !seen.insert(variant.clone()) {
                variant.push('_');
            }
            (format_ident!("{}", variant), value)
        })
        .collect();
    let decls = variants.iter().map(|(v, value)| {
        let doc = format!("`{value}`");
        quote! { #[doc = #doc] #v, }
    });
    let to_str = variants
        .iter()
        .map(|(v, value)| quote! { Self::#v => #value, });
    let from_str = variants
        .iter()
        .map(|(v, value)| quote! { #value => Self::#v, });
    let known = variants.iter().map(|(v, _)| quote! { Self::#v, });
    quote! {
        #[doc = #doc]
        ///
        /// A value this version of the SDK does not know decodes as `Unknown` and
        /// encodes back unchanged.
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #ident {
            #(#decls)*
            /// A value the API sent that this SDK does not list yet.
            Unknown(String),
        }

        impl #ident {
            /// Every value this SDK knows of.
            pub const KNOWN: &'static [Self] = &[ #(#known)* ];

            /// The value as the API spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#to_str)*
                    Self::Unknown(other) => other.as_str(),
                }
            }

            /// Whether the API sent a value this SDK does not list.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
        }

        impl From<&str> for #ident {
            fn from(value: &str) -> Self {
                match value {
                    #(#from_str)*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl From<String> for #ident {
            fn from(value: String) -> Self {
                Self::from(value.as_str())
            }
        }

        impl std::str::FromStr for #ident {
            type Err = std::convert::Infallible;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl std::fmt::Display for #ident {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for #ident {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for #ident {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map(Self::from)
            }
        }

        impl schemars::JsonSchema for #ident {
            fn schema_name() -> String {
                #name.to_owned()
            }

            fn json_schema(_: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
                // Open: any string is accepted; the known values are listed as examples.
                schemars::schema::SchemaObject {
                    instance_type: Some(schemars::schema::InstanceType::String.into()),
                    metadata: Some(Box::new(schemars::schema::Metadata {
                        examples: vec![ #( serde_json::Value::String(#values.to_owned()), )* ],
                        ..Default::default()
                    })),
                    ..Default::default()
                }
                .into()
            }
        }
    }
}

/// One public method of `camunda_admin::Client` per generated method: the same
/// parameters, the crate's `Result`, and the plain response value.
fn public_methods(file: &syn::File, operations: &[OperationMeta]) -> TokenStream {
    let mut methods = Vec::new();
    for item in &file.items {
        let syn::Item::Impl(imp) = item else { continue };
        let is_client = matches!(&*imp.self_ty, syn::Type::Path(p) if p.path.is_ident("Client"));
        if !is_client || imp.trait_.is_some() {
            continue;
        }
        for member in &imp.items {
            let syn::ImplItem::Fn(f) = member else {
                continue;
            };
            let name = f.sig.ident.to_string();
            // Paginated streams are plain fns returning `impl Stream`.
            if f.sig.asyncness.is_none() {
                continue;
            }
            let Some((index, op)) = operations
                .iter()
                .enumerate()
                .find(|(_, op)| op.snake == name)
            else {
                panic!("generated method {name} matches no operation of the document");
            };
            methods.push(public_method(f, index, op));
        }
    }
    assert_eq!(
        methods.len(),
        operations.len(),
        "every operation of the document must have a generated method"
    );
    quote! {
        impl crate::Client {
            #(#methods)*
        }
    }
}

fn public_method(f: &syn::ImplItemFn, index: usize, op: &OperationMeta) -> TokenStream {
    let name = &f.sig.ident;
    let docs = f.attrs.iter().filter(|a| a.path().is_ident("doc"));
    let mut params = Vec::new();
    let mut args = Vec::new();
    for input in f.sig.inputs.iter().skip(1) {
        let syn::FnArg::Typed(pat) = input else {
            continue;
        };
        let mut ty = (*pat.ty).clone();
        strip_lifetimes(&mut ty);
        let arg = &pat.pat;
        params.push(quote! { #arg: #ty });
        args.push(quote! { #arg });
    }
    let path_args = op
        .path_params
        .iter()
        .map(|p| format_ident!("{}", p.to_snake_case()));
    let success = success_type(&f.sig.output);
    let call = quote! { self.call(operation, self.api.#name(#(#args),*)).await };
    let (ret, body) = match success.as_str() {
        "()" => (quote! { () }, quote! { #call.map(|_| ()) }),
        "ByteStream" => (
            quote! { String },
            quote! { crate::pipeline::read_text(operation, #call?).await },
        ),
        _ => {
            let ty: syn::Type = syn::parse_str(&success).expect("success type parses");
            (
                quote! { #ty },
                quote! { #call.map(progenitor_client::ResponseValue::into_inner) },
            )
        }
    };
    let path_doc = format!("`{} {}` (operation `{}`).", op.method, op.path, op.id);
    quote! {
        #(#docs)*
        ///
        #[doc = #path_doc]
        pub async fn #name(&self, #(#params),*) -> crate::Result<#ret> {
            let operation = &OPERATIONS[#index];
            crate::pipeline::check_path_params(operation, &[#(#path_args),*])?;
            #body
        }
    }
}

/// The `T` of `Result<ResponseValue<T>, Error<E>>`, as source text.
fn success_type(output: &syn::ReturnType) -> String {
    let syn::ReturnType::Type(_, ty) = output else {
        return "()".to_owned();
    };
    let inner = first_generic(ty, "Result")
        .and_then(|value| first_generic(value, "ResponseValue"))
        .unwrap_or_else(|| panic!("unexpected generated return type {}", quote!(#ty)));
    quote!(#inner)
        .to_string()
        .replace(' ', "")
        .replace("types::", "crate::api::types::")
}

/// The first type argument of `ty` when its last path segment is `name`.
fn first_generic<'a>(ty: &'a syn::Type, name: &str) -> Option<&'a syn::Type> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let segment = path.path.segments.last().filter(|s| s.ident == name)?;
    let syn::PathArguments::AngleBracketed(args) = &segment.arguments else {
        return None;
    };
    args.args.iter().find_map(|arg| match arg {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
    })
}

fn strip_lifetimes(ty: &mut syn::Type) {
    match ty {
        syn::Type::Reference(r) => {
            r.lifetime = None;
            strip_lifetimes(&mut r.elem);
        }
        syn::Type::Path(p) => {
            for seg in p.path.segments.iter_mut() {
                if let syn::PathArguments::AngleBracketed(args) = &mut seg.arguments {
                    for arg in args.args.iter_mut() {
                        if let syn::GenericArgument::Type(t) = arg {
                            strip_lifetimes(t);
                        }
                    }
                }
            }
        }
        _ => {}
    }
}
