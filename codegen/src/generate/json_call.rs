//! Calls by operation id with JSON in and JSON out, through the typed
//! methods of `Client` (so path checks, retries, typed errors and redaction
//! are the same as for any caller): `Client::call_json`, the typed reading
//! of a request body behind `Client::prepare_json`, and, for the library's
//! own tests, a sample body per operation.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{
    methods::{Generated, Success},
    model::Operation,
    GenerateError,
};

/// `impl Client { pub async fn call_json }`, `typed_body` and the test samples.
pub fn source(file: &syn::File, ops: &[Operation]) -> Result<TokenStream, GenerateError> {
    let mut calls = Vec::new();
    let mut bodies = Vec::new();
    let mut samples = Vec::new();
    for op in ops {
        let generated = Generated::find(file, op)?;
        let variant = format_ident!("{}", op.type_name);
        calls.push(call_arm(op, &generated, &variant)?);
        if let Some(body) = &op.body {
            let ty = generated.setter_type(op, "body")?;
            bodies.push(quote! {
                crate::OperationId::#variant => {
                    let body: #ty = call.decode_body(id)?;
                    crate::json_call::encode(id, &body).map(Some)
                }
            });
            let json = body.sample.to_string();
            samples.push(quote! { crate::OperationId::#variant => #json, });
        }
    }
    Ok(quote! {
        impl crate::Client {
            /// Call operation `id` with the path parameters, query parameters
            /// and JSON body of `call`, through the operation's typed method:
            /// the body is read as the operation's request type (an
            /// [`Error::InvalidRequest`](crate::Error::InvalidRequest) names
            /// what does not fit) and the answer comes back as JSON, text or
            /// nothing. For tools that work from the operation table, such
            /// as a command line; Rust code calls the typed methods.
            pub async fn call_json(
                &self,
                id: crate::OperationId,
                call: crate::JsonCall,
            ) -> crate::Result<crate::JsonAnswer> {
                // The path first, as the typed methods do, so a bad path
                // parameter is named even when the body is wrong too.
                crate::pipeline::check_path_params(id.operation(), &call.path)?;
                match id {
                    #(#calls)*
                }
            }
        }

        /// The body of `call` read as operation `id`'s request type and
        /// written back as JSON; `None` for an operation without a body.
        pub(crate) fn typed_body(
            id: crate::OperationId,
            call: &crate::JsonCall,
        ) -> crate::Result<Option<serde_json::Value>> {
            #[allow(unreachable_patterns)]
            match id {
                #(#bodies)*
                _ => Ok(None),
            }
        }

        /// A body operation `id` accepts, with every required field
        /// (codegen's `sample`), if it takes one: the library's tests of
        /// every operation send it.
        #[cfg(test)]
        pub(crate) fn sample_body(id: crate::OperationId) -> Option<serde_json::Value> {
            #[allow(unreachable_patterns)]
            let json = match id {
                #(#samples)*
                _ => return None,
            };
            serde_json::from_str(json).ok()
        }
    })
}

/// `OperationId::X => { ... }`: read the arguments, call the method,
/// encode the answer.
fn call_arm(
    op: &Operation,
    generated: &Generated<'_>,
    variant: &syn::Ident,
) -> Result<TokenStream, GenerateError> {
    let method = format_ident!("{}", op.rust_name);
    let mut args: Vec<TokenStream> = (0..op.path_params.len())
        .map(|i| quote! { call.path_param(id, #i)? })
        .collect();
    for param in op.query_params.iter().filter(|p| p.required) {
        let name = &param.name;
        let ty = generated.setter_type(op, &param.rust_name)?;
        args.push(quote! { call.required_query::<#ty>(id, #name)? });
    }
    if op.body.is_some() {
        let ty = generated.setter_type(op, "body")?;
        args.push(quote! { call.decode_body::<#ty>(id)? });
    }
    let mut optional = Vec::new();
    for param in op.query_params.iter().filter(|p| !p.required) {
        let name = &param.name;
        let setter = format_ident!("{}", param.rust_name);
        let ty = generated.setter_type(op, &param.rust_name)?;
        optional.push(quote! {
            if let Some(value) = call.optional_query::<#ty>(id, #name)? {
                request = request.#setter(value);
            }
        });
    }
    let finish = match &generated.success {
        Success::Empty => quote! { request.await?; Ok(crate::JsonAnswer::Empty) },
        Success::Text => quote! { Ok(crate::JsonAnswer::Text(request.await?)) },
        Success::Json(_) => quote! {
            Ok(crate::JsonAnswer::Json(crate::json_call::encode(id, &request.await?)?))
        },
    };
    Ok(quote! {
        crate::OperationId::#variant => {
            #[allow(unused_mut)]
            let mut request = self.#method(#(#args),*);
            #(#optional)*
            #finish
        }
    })
}
