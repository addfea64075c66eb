//! Changes to progenitor's output, made on its syntax tree.
//!
//! - Every type of `types` is `#[non_exhaustive]`: users build request
//!   bodies with the builders and read answers by field, so a field or
//!   variant Camunda adds later never breaks their code.
//! - Every type of `types` derives `schemars::JsonSchema` only with the
//!   crate's feature `schemars`: most users never need the schemas, and
//!   the derive is a good part of the crate's compile time.
//! - A struct's builder starts with an empty map of undeclared fields
//!   (typify would demand a value for it, as for any required field).
//! - Only the types a request body can hold keep typify's builders: an
//!   answer is read, not built, and the builders of every answer type were
//!   a third of the generated code a user compiles.
//! - Path parameters are encoded by the crate's own `encode_path`, which
//!   keeps every value one path segment (progenitor's leaves `\` as is,
//!   which URL parsers read as `/`).
//! - Doc comments lose their ```` ```ignore ```` examples (progenitor puts
//!   one on each of the inner client's methods): users call the crate's own
//!   request methods, and 43 examples that never run were 43 ignored
//!   doctests.
//! - Requests carry no `api-version` header: progenitor adds the document's
//!   version to every request, a header the API does not define; the
//!   version is in the crate, not on the wire.

use syn::{fold::Fold, parse_quote, visit::Visit};

/// The name typify gives the flattened map of undeclared fields.
const EXTRA_FIELD: &str = "extra";

/// Apply every change to progenitor's file.
pub fn apply(file: &mut syn::File) {
    let keep = request_types(file);
    for item in &mut file.items {
        if let syn::Item::Mod(module) = item {
            if module.ident == "types" {
                drop_builders_except(module, &keep);
            }
        }
    }
    for item in &mut file.items {
        match item {
            syn::Item::Mod(module) if module.ident == "types" => mark_types(module),
            syn::Item::Use(item_use) => drop_progenitor_encode_path(&mut item_use.tree),
            _ => {}
        }
    }
    let empty: syn::File = parse_quote!();
    *file = DropIgnoredExamples.fold_file(std::mem::replace(file, empty));
    let empty: syn::File = parse_quote!();
    *file = DropApiVersionHeader.fold_file(std::mem::replace(file, empty));
    file.items.push(parse_quote! {
        #[allow(unused_imports)]
        use crate::pipeline::encode_path_segment as encode_path;
    });
}

/// Removes the ```` ```ignore ```` blocks of every doc comment.
struct DropIgnoredExamples;

impl Fold for DropIgnoredExamples {
    fn fold_attribute(&mut self, mut attr: syn::Attribute) -> syn::Attribute {
        let syn::Meta::NameValue(doc) = &mut attr.meta else {
            return attr;
        };
        if !doc.path.is_ident("doc") {
            return attr;
        }
        let syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(text),
            ..
        }) = &doc.value
        else {
            return attr;
        };
        let value = text.value();
        if value.contains("```ignore") {
            let kept = without_ignored_examples(&value);
            doc.value = parse_quote!(#kept);
        }
        attr
    }
}

/// Removes the statements that add progenitor's `api-version` header.
struct DropApiVersionHeader;

impl Fold for DropApiVersionHeader {
    fn fold_block(&mut self, block: syn::Block) -> syn::Block {
        let mut block = syn::fold::fold_block(self, block);
        let before = block.stmts.len();
        block.stmts.retain(|stmt| !adds_api_version(stmt));
        if block.stmts.len() < before && !block.stmts.iter().any(adds_a_header) {
            // The map stays empty: no `mut`, and no allocation.
            for stmt in &mut block.stmts {
                if let syn::Stmt::Local(local) = stmt {
                    if let syn::Pat::Ident(name) = &mut local.pat {
                        if name.ident == "header_map" {
                            name.mutability = None;
                            if let Some(init) = &mut local.init {
                                init.expr = parse_quote!(::reqwest::header::HeaderMap::new());
                            }
                        }
                    }
                }
            }
        }
        block
    }
}

/// `header_map.append(...)` or `header_map.insert(...)`.
fn adds_a_header(stmt: &syn::Stmt) -> bool {
    let syn::Stmt::Expr(syn::Expr::MethodCall(call), _) = stmt else {
        return false;
    };
    matches!(&*call.receiver, syn::Expr::Path(path) if path.path.is_ident("header_map"))
}

/// `header_map.append(HeaderName::from_static("api-version"), ...)`.
fn adds_api_version(stmt: &syn::Stmt) -> bool {
    let syn::Stmt::Expr(syn::Expr::MethodCall(call), _) = stmt else {
        return false;
    };
    call.method == "append"
        && call.args.first().is_some_and(|name| {
            let syn::Expr::Call(from_static) = name else {
                return false;
            };
            matches!(
                from_static.args.first(),
                Some(syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(text), .. }))
                    if text.value() == "api-version"
            )
        })
}

/// `doc` without its ```` ```ignore ```` fenced blocks and the blank lines
/// they leave at the end. A block that is never closed stays, so no prose
/// after it is lost.
fn without_ignored_examples(doc: &str) -> String {
    let mut kept = Vec::new();
    let mut example: Option<Vec<&str>> = None;
    for line in doc.lines() {
        let fence = line.trim_start();
        match &mut example {
            Some(_) if fence == "```" => example = None,
            Some(lines) => lines.push(line),
            None if fence == "```ignore" => example = Some(vec![line]),
            None => kept.push(line),
        }
    }
    kept.extend(example.into_iter().flatten());
    while kept.last().is_some_and(|line| line.trim().is_empty()) {
        kept.pop();
    }
    kept.join("\n")
}

fn mark_types(module: &mut syn::ItemMod) {
    let Some((_, items)) = &mut module.content else {
        return;
    };
    for item in items {
        match item {
            syn::Item::Struct(s) => s.attrs.extend(type_attributes()),
            syn::Item::Enum(e) => e.attrs.extend(type_attributes()),
            syn::Item::Mod(builder) if builder.ident == "builder" => {
                if let Some((_, items)) = &mut builder.content {
                    *items = std::mem::take(items)
                        .into_iter()
                        .map(|item| EmptyExtraByDefault.fold_item(item))
                        .collect();
                }
            }
            _ => {}
        }
    }
}

/// The names of `types` a request body can hold: the body types of
/// progenitor's builders and, transitively, every type their fields name.
fn request_types(file: &syn::File) -> std::collections::BTreeSet<String> {
    use std::collections::BTreeSet;
    let modules = |name: &str| {
        file.items.iter().find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == name => m.content.as_ref().map(|(_, items)| items),
            _ => None,
        })
    };
    let mut roots = TypeNames::default();
    if let Some(builder) = modules("builder") {
        for item in builder {
            if let syn::Item::Impl(imp) = item {
                for member in &imp.items {
                    if let syn::ImplItem::Fn(f) = member {
                        if f.sig.ident == "body" {
                            roots.visit_generics(&f.sig.generics);
                        }
                    }
                }
            }
        }
    }
    let Some(types) = modules("types") else {
        return BTreeSet::new();
    };
    let mut keep: BTreeSet<String> = BTreeSet::new();
    let mut todo: Vec<String> = roots.0.into_iter().collect();
    while let Some(name) = todo.pop() {
        if !keep.insert(name.clone()) {
            continue;
        }
        let mut named = TypeNames::default();
        for item in types {
            match item {
                syn::Item::Struct(s) if s.ident == name => named.visit_item_struct(s),
                syn::Item::Enum(e) if e.ident == name => named.visit_item_enum(e),
                _ => {}
            }
        }
        todo.extend(named.0.into_iter().filter(|n| !keep.contains(n)));
    }
    keep
}

/// The last segment of every type path met.
#[derive(Default)]
struct TypeNames(std::collections::BTreeSet<String>);

impl<'ast> syn::visit::Visit<'ast> for TypeNames {
    fn visit_type_path(&mut self, path: &'ast syn::TypePath) {
        if let Some(last) = path.path.segments.last() {
            self.0.insert(last.ident.to_string());
        }
        syn::visit::visit_type_path(self, path);
    }
}

/// Remove the builders (and their `builder()` constructors) of types not in `keep`.
fn drop_builders_except(module: &mut syn::ItemMod, keep: &std::collections::BTreeSet<String>) {
    let Some((_, items)) = &mut module.content else {
        return;
    };
    let kept = |ty: &syn::Type| match ty {
        syn::Type::Path(p) => p
            .path
            .segments
            .last()
            .is_none_or(|s| keep.contains(&s.ident.to_string())),
        _ => true,
    };
    for item in items.iter_mut() {
        if let syn::Item::Mod(builder) = item {
            if builder.ident == "builder" {
                if let Some((_, builders)) = &mut builder.content {
                    builders.retain(|item| match item {
                        syn::Item::Struct(s) => keep.contains(&s.ident.to_string()),
                        syn::Item::Impl(imp) => kept(&imp.self_ty),
                        _ => true,
                    });
                }
            }
        }
    }
    items.retain(|item| match item {
        syn::Item::Impl(imp) if imp.trait_.is_none() && !kept(&imp.self_ty) => !imp
            .items
            .iter()
            .any(|m| matches!(m, syn::ImplItem::Fn(f) if f.sig.ident == "builder")),
        _ => true,
    });
}

fn type_attributes() -> [syn::Attribute; 2] {
    [
        parse_quote!(#[non_exhaustive]),
        parse_quote!(#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]),
    ]
}

/// In builders' `Default`, `extra: Err("no value supplied for extra")`
/// becomes `extra: Ok(Default::default())`.
struct EmptyExtraByDefault;

impl Fold for EmptyExtraByDefault {
    fn fold_field_value(&mut self, mut field: syn::FieldValue) -> syn::FieldValue {
        let is_extra = matches!(&field.member, syn::Member::Named(name) if name == EXTRA_FIELD);
        let demands_value = matches!(
            &field.expr,
            syn::Expr::Call(call) if matches!(&*call.func, syn::Expr::Path(p) if p.path.is_ident("Err"))
        );
        if is_extra && demands_value {
            field.expr = parse_quote!(Ok(Default::default()));
        }
        syn::fold::fold_field_value(self, field)
    }
}

/// Remove `encode_path` from `use progenitor_client::{...}`.
fn drop_progenitor_encode_path(tree: &mut syn::UseTree) {
    let syn::UseTree::Path(path) = tree else {
        return;
    };
    if path.ident != "progenitor_client" {
        return;
    }
    if let syn::UseTree::Group(group) = &mut *path.tree {
        group.items = std::mem::take(&mut group.items)
            .into_iter()
            .filter(|item| !matches!(item, syn::UseTree::Name(n) if n.ident == "encode_path"))
            .collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn requests_carry_no_api_version_header_and_other_headers_stay() {
        let file: syn::File = parse_quote! {
            async fn send() {
                let mut header_map = ::reqwest::header::HeaderMap::with_capacity(2usize);
                header_map.append(
                    ::reqwest::header::HeaderName::from_static("api-version"),
                    ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
                );
                header_map.append(
                    ::reqwest::header::HeaderName::from_static("x-other"),
                    ::reqwest::header::HeaderValue::from_static("kept"),
                );
            }
        };
        let text = quote::quote!(#file).to_string();
        assert!(text.contains("api-version"));
        let file = DropApiVersionHeader.fold_file(file);
        let text = quote::quote!(#file).to_string();
        assert!(!text.contains("api-version"), "{text}");
        assert!(text.contains("x-other"), "{text}");
        assert!(text.contains("let mut header_map"), "{text}");

        let only: syn::File = parse_quote! {
            async fn send() {
                let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                header_map.append(
                    ::reqwest::header::HeaderName::from_static("api-version"),
                    ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
                );
                let request = client.get(url).headers(header_map);
            }
        };
        let only = DropApiVersionHeader.fold_file(only);
        let text = quote::quote!(#only).to_string();
        assert!(
            text.contains("let header_map = :: reqwest :: header :: HeaderMap :: new ()"),
            "{text}"
        );
    }

    #[test]
    fn ignored_examples_leave_the_docs_and_other_blocks_stay() {
        let doc = "List clusters\n\nSends a `GET` request to `/clusters`\n\n```ignore\nlet response = client.get_clusters()\n    .send()\n    .await;\n```";
        assert_eq!(
            without_ignored_examples(doc),
            "List clusters\n\nSends a `GET` request to `/clusters`"
        );
        let json = "A schema\n\n```json\n{}\n```";
        assert_eq!(without_ignored_examples(json), json);
        let unclosed = "Prose\n```ignore\nlet x = 1;\nMore prose";
        assert_eq!(without_ignored_examples(unclosed), unclosed);

        let file: syn::File = syn::parse2(quote! {
            impl Client {
                #[doc = "Get one\n\n```ignore\nclient.get().send().await;\n```"]
                pub fn get(&self) {}
            }
        })
        .expect("parses");
        let file = DropIgnoredExamples.fold_file(file);
        let text = quote!(#file).to_string();
        assert!(text.contains("\"Get one\""), "{text}");
        assert!(!text.contains("ignore"), "{text}");
    }

    #[test]
    fn types_are_non_exhaustive_and_builders_start_with_no_extra_fields() {
        let mut file: syn::File = syn::parse2(quote! {
            use progenitor_client::{encode_path, ClientHooks};
            pub mod types {
                pub struct Cluster { pub name: String }
                pub enum Choice { A, B }
                pub mod builder {
                    impl Default for Cluster {
                        fn default() -> Self {
                            Self {
                                name: Err("no value supplied for name".to_string()),
                                extra: Err("no value supplied for extra".to_string()),
                            }
                        }
                    }
                }
            }
            pub mod builder {
                impl<'a> UpdateCluster<'a> {
                    pub fn body<V>(mut self, value: V) -> Self
                    where V: std::convert::TryInto<types::Cluster> { self }
                }
            }
        })
        .expect("parses");
        apply(&mut file);
        let text = quote!(#file).to_string();
        assert_eq!(text.matches("# [non_exhaustive]").count(), 2, "{text}");
        assert_eq!(
            text.matches("derive (schemars :: JsonSchema)").count(),
            2,
            "{text}"
        );
        assert!(
            text.contains("extra : Ok (Default :: default ())"),
            "{text}"
        );
        assert!(
            text.contains("name : Err"),
            "required fields still demand a value"
        );
        assert!(
            text.contains("use progenitor_client :: { ClientHooks }"),
            "{text}"
        );
        assert!(
            text.contains("encode_path_segment as encode_path"),
            "{text}"
        );
    }

    #[test]
    fn only_types_a_request_body_holds_keep_their_builders() {
        let mut file: syn::File = syn::parse2(quote! {
            pub mod types {
                pub struct CreateBody { pub entries: Vec<Entry> }
                pub struct Entry { pub ip: String }
                pub struct Cluster { pub name: String }
                impl CreateBody { pub fn builder() -> builder::CreateBody { Default::default() } }
                impl Entry { pub fn builder() -> builder::Entry { Default::default() } }
                impl Cluster { pub fn builder() -> builder::Cluster { Default::default() } }
                pub mod builder {
                    pub struct CreateBody {}
                    pub struct Entry {}
                    pub struct Cluster {}
                    impl ::std::convert::TryFrom<Cluster> for super::Cluster {}
                    impl Default for Cluster {}
                }
            }
            pub mod builder {
                impl<'a> Create<'a> {
                    pub fn body<V>(mut self, value: V) -> Self
                    where V: std::convert::TryInto<types::CreateBody> { self }
                }
            }
        })
        .expect("parses");
        apply(&mut file);
        let text = quote!(#file).to_string();
        assert!(text.contains("pub struct CreateBody { }"), "{text}");
        assert!(
            text.contains("pub struct Entry { }"),
            "reached through a field: {text}"
        );
        assert!(!text.contains("builder :: Cluster"), "{text}");
        assert!(!text.contains("for super :: Cluster"), "{text}");
        assert_eq!(
            text.matches("struct Cluster").count(),
            1,
            "the type stays, its builder goes"
        );
    }
}
