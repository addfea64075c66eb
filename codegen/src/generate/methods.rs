//! The public methods of `camunda_admin::Client`, one per operation.
//!
//! Each method takes the operation's path parameters, required query
//! parameters and body, and returns a request (module `request`) that is
//! sent when it is awaited. Optional query parameters are setters of the
//! request, so a parameter Camunda adds later is a new setter, never a new
//! argument that breaks callers. The request wraps progenitor's builder and
//! runs it through `Client::call` (authentication, retries, typed errors).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{
    model::{Operation, Param},
    GenerateError,
};

/// What an operation answers on success, as the public method returns it.
#[derive(Debug, Clone, PartialEq)]
pub enum Success {
    /// No body: the method returns `()`.
    Empty,
    /// A text body (the activity CSV): the method returns `String`.
    Text,
    /// A JSON body of this generated type.
    Json(Box<syn::Type>),
}

/// What progenitor generated for one operation: its builder's setters and
/// its success type.
pub struct Generated<'a> {
    builder: &'a syn::ItemImpl,
    /// What `send` answers.
    pub success: Success,
}

impl<'a> Generated<'a> {
    /// Find the builder of `op` in progenitor's file.
    pub fn find(file: &'a syn::File, op: &Operation) -> Result<Self, GenerateError> {
        let builder = builder_impl(file, &op.type_name).ok_or_else(|| {
            GenerateError::new(format!("progenitor generated no builder for {}", op.id))
        })?;
        let send = method(builder, "send").ok_or_else(|| {
            GenerateError::new(format!("progenitor's builder for {} has no send", op.id))
        })?;
        Ok(Self {
            builder,
            success: success(&send.sig.output).ok_or_else(|| {
                GenerateError::new(format!("unexpected return type of {}'s send", op.id))
            })?,
        })
    }

    /// The `T` of a setter `fn name<V>(self, value: V) where V: TryInto<T>`.
    pub(crate) fn setter_type(
        &self,
        op: &Operation,
        setter: &str,
    ) -> Result<syn::Type, GenerateError> {
        method(self.builder, setter)
            .and_then(|f| try_into_target(&f.sig.generics))
            .cloned()
            .ok_or_else(|| {
                GenerateError::new(format!(
                    "progenitor's builder for {} has no setter {setter}",
                    op.id
                ))
            })
    }
}

fn builder_impl<'a>(file: &'a syn::File, type_name: &str) -> Option<&'a syn::ItemImpl> {
    let builder = file.items.iter().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "builder" => m.content.as_ref(),
        _ => None,
    })?;
    builder.1.iter().find_map(|item| match item {
        syn::Item::Impl(imp) if imp.trait_.is_none() && type_is(&imp.self_ty, type_name) => {
            Some(imp)
        }
        _ => None,
    })
}

fn type_is(ty: &syn::Type, name: &str) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == name))
}

fn method<'a>(imp: &'a syn::ItemImpl, name: &str) -> Option<&'a syn::ImplItemFn> {
    imp.items.iter().find_map(|item| match item {
        syn::ImplItem::Fn(f) if f.sig.ident == name => Some(f),
        _ => None,
    })
}

/// `T` from a where clause `V: std::convert::TryInto<T>`.
fn try_into_target(generics: &syn::Generics) -> Option<&syn::Type> {
    let predicates = &generics.where_clause.as_ref()?.predicates;
    predicates.iter().find_map(|predicate| {
        let syn::WherePredicate::Type(p) = predicate else {
            return None;
        };
        p.bounds.iter().find_map(|bound| {
            let syn::TypeParamBound::Trait(t) = bound else {
                return None;
            };
            generic_argument(t.path.segments.last()?, "TryInto")
        })
    })
}

fn generic_argument<'a>(segment: &'a syn::PathSegment, name: &str) -> Option<&'a syn::Type> {
    if segment.ident != name {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &segment.arguments else {
        return None;
    };
    args.args.iter().find_map(|arg| match arg {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
    })
}

/// The `T` of `Result<ResponseValue<T>, Error<E>>`.
fn success(output: &syn::ReturnType) -> Option<Success> {
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    let syn::Type::Path(result) = &**ty else {
        return None;
    };
    let value = generic_argument(result.path.segments.last()?, "Result")?;
    let syn::Type::Path(value) = value else {
        return None;
    };
    let inner = generic_argument(value.path.segments.last()?, "ResponseValue")?;
    Some(match inner {
        syn::Type::Tuple(t) if t.elems.is_empty() => Success::Empty,
        t if type_is(t, "ByteStream") => Success::Text,
        t => Success::Json(Box::new(t.clone())),
    })
}

/// The request type and the `Client` method of one operation.
pub struct PublicMethod<'a> {
    /// The operation.
    pub op: &'a Operation,
    /// Its index in `OPERATIONS`.
    pub index: usize,
    /// What progenitor generated for it.
    pub generated: Generated<'a>,
}

impl PublicMethod<'_> {
    /// The request struct, its `send`, setters and `IntoFuture`.
    pub fn request(&self) -> Result<TokenStream, GenerateError> {
        let op = self.op;
        let ident = format_ident!("{}", op.type_name);
        let path_count = op.path_params.len();
        let body_field = self.body_type()?.map(|ty| {
            quote! {
                /// The body, or why it could not be built.
                pub(crate) body: Result<#ty, String>,
            }
        });
        let send = self.send();
        let setters = self.optional_setters()?;
        let ret = self.return_type();
        let doc = format!(
            "A `{}` request, made by [`Client::{}`](crate::Client::{}); sent when awaited.",
            op.id, op.rust_name, op.rust_name
        );
        let debug_name = &op.type_name;
        Ok(quote! {
            #[doc = #doc]
            #[must_use = "a request is sent when it is awaited"]
            pub struct #ident<'a> {
                pub(crate) client: &'a crate::Client,
                pub(crate) inner: super::builder::#ident<'a>,
                /// The path parameters as sent, checked before sending.
                pub(crate) path: [String; #path_count],
                #body_field
            }

            impl<'a> #ident<'a> {
                #(#setters)*
                #send
            }

            impl<'a> std::future::IntoFuture for #ident<'a> {
                type Output = crate::Result<#ret>;
                type IntoFuture = std::pin::Pin<Box<dyn std::future::Future<Output = Self::Output> + Send + 'a>>;
                fn into_future(self) -> Self::IntoFuture {
                    Box::pin(self.send())
                }
            }

            impl std::fmt::Debug for #ident<'_> {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.debug_struct(#debug_name).field("path", &self.path).finish_non_exhaustive()
                }
            }
        })
    }

    fn body_type(&self) -> Result<Option<syn::Type>, GenerateError> {
        match &self.op.body {
            Some(_) => self.generated.setter_type(self.op, "body").map(Some),
            None => Ok(None),
        }
    }

    fn return_type(&self) -> TokenStream {
        match &self.generated.success {
            Success::Empty => quote! { () },
            Success::Text => quote! { String },
            Success::Json(ty) => quote! { #ty },
        }
    }

    fn send(&self) -> TokenStream {
        let index = self.index;
        let ret = self.return_type();
        let (fields, prepare, call) = match &self.op.body {
            Some(_) => (
                quote! { client, inner, path, body },
                quote! {
                    let body = crate::pipeline::prepare(operation, &path, body)?;
                    let subject = crate::pipeline::Subject::new(operation, &path, Some(&body));
                },
                quote! {
                    client
                        .call(operation, false, subject, (inner, body), |(inner, body)| inner.body(body).send())
                        .await?
                },
            ),
            None => (
                quote! { client, inner, path },
                quote! {
                    crate::pipeline::prepare(operation, &path, Ok(()))?;
                    let subject = crate::pipeline::Subject::new(operation, &path, None::<&()>);
                },
                quote! { client.call(operation, false, subject, inner, |inner| inner.send()).await? },
            ),
        };
        let finish = match &self.generated.success {
            Success::Empty => quote! { #call; Ok(()) },
            Success::Text => quote! { let value = #call; client.read_text(operation, value).await },
            Success::Json(_) => quote! { Ok(#call.into_inner()) },
        };
        quote! {
            /// Send the request (awaiting the request does the same).
            pub async fn send(self) -> crate::Result<#ret> {
                let operation = &crate::operation::OPERATIONS[#index];
                let Self { #fields } = self;
                #prepare
                #finish
            }
        }
    }

    fn optional_setters(&self) -> Result<Vec<TokenStream>, GenerateError> {
        let optional = self.op.query_params.iter().filter(|p| !p.required);
        optional
            .map(|param| {
                let ident = format_ident!("{}", param.rust_name);
                let ty = self.generated.setter_type(self.op, &param.rust_name)?;
                let doc = param_doc(param);
                Ok(quote! {
                    #[doc = #doc]
                    pub fn #ident(mut self, value: impl Into<#ty>) -> Self {
                        self.inner = self.inner.#ident(value.into());
                        self
                    }
                })
            })
            .collect()
    }

    /// The method of `crate::Client` that makes the request.
    pub fn client_method(&self, docs: &[String]) -> Result<TokenStream, GenerateError> {
        let op = self.op;
        let name = format_ident!("{}", op.rust_name);
        let ident = format_ident!("{}", op.type_name);
        let mut params = Vec::new();
        let mut setters = Vec::new();
        let mut path_values = Vec::new();
        for param in &op.path_params {
            let arg = format_ident!("{}", param.rust_name);
            let ty = self.generated.setter_type(op, &param.rust_name)?;
            params.push(quote! { #arg: impl Into<#ty> });
            setters.push(quote! { let #arg: #ty = #arg.into(); });
            path_values.push(quote! { #arg.to_string() });
        }
        let mut inner = quote! { self.api.#name() };
        for param in op
            .path_params
            .iter()
            .chain(op.query_params.iter().filter(|p| p.required))
        {
            let arg = format_ident!("{}", param.rust_name);
            if !op.path_params.contains(param) {
                let ty = self.generated.setter_type(op, &param.rust_name)?;
                params.push(quote! { #arg: impl Into<#ty> });
                inner = quote! { #inner.#arg(#arg.into()) };
            } else {
                inner = quote! { #inner.#arg(#arg) };
            }
        }
        let (generics, where_clause, body_field) = match self.body_type()? {
            Some(ty) => {
                params.push(quote! { body: B });
                (
                    quote! { <B> },
                    quote! { where B: TryInto<#ty>, B::Error: std::fmt::Display },
                    quote! { body: body.try_into().map_err(|e| e.to_string()), },
                )
            }
            None => (quote! {}, quote! {}, quote! {}),
        };
        Ok(quote! {
            #(#[doc = #docs])*
            pub fn #name #generics(&self, #(#params),*) -> request::#ident<'_> #where_clause {
                #(#setters)*
                let path = [#(#path_values),*];
                request::#ident {
                    client: self,
                    inner: #inner,
                    path,
                    #body_field
                }
            }
        })
    }
}

fn param_doc(param: &Param) -> String {
    match &param.description {
        Some(text) => format!("`{}`: {text}", param.name),
        None => format!("The `{}` query parameter.", param.name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ret(text: &str) -> syn::ReturnType {
        syn::parse_str(text).expect("a return type")
    }

    #[test]
    fn success_kinds_come_from_the_return_type_of_send() {
        assert_eq!(
            success(&ret("-> Result<ResponseValue<()>, Error<()>>")),
            Some(Success::Empty)
        );
        assert_eq!(
            success(&ret(
                "-> Result<ResponseValue<ByteStream>, Error<ByteStream>>"
            )),
            Some(Success::Text)
        );
        assert_eq!(
            success(&ret(
                "-> Result<ResponseValue<::std::vec::Vec<types::Cluster>>, Error<()>>"
            )),
            Some(Success::Json(
                syn::parse_str("::std::vec::Vec<types::Cluster>").unwrap()
            ))
        );
        assert_eq!(success(&ret("-> u8")), None);
    }

    #[test]
    fn setter_types_come_from_the_where_clause() {
        let f: syn::ImplItemFn = syn::parse_str(
            "pub fn body<V>(mut self, value: V) -> Self where V: std::convert::TryInto<types::CreateSecretBody>, <V as std::convert::TryInto<types::CreateSecretBody>>::Error: std::fmt::Display { self }",
        )
        .expect("a setter");
        assert_eq!(
            try_into_target(&f.sig.generics),
            Some(&syn::parse_str::<syn::Type>("types::CreateSecretBody").unwrap())
        );
    }
}
