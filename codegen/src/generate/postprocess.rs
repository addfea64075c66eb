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
//! - Path parameters are encoded by the crate's own `encode_path`, which
//!   keeps every value one path segment (progenitor's leaves `\` as is,
//!   which URL parsers read as `/`).

use syn::{parse_quote, visit_mut::VisitMut};

/// The name typify gives the flattened map of undeclared fields.
const EXTRA_FIELD: &str = "extra";

/// Apply every change to progenitor's file.
pub fn apply(file: &mut syn::File) {
    for item in &mut file.items {
        match item {
            syn::Item::Mod(module) if module.ident == "types" => mark_types(module),
            syn::Item::Use(item_use) => drop_progenitor_encode_path(&mut item_use.tree),
            _ => {}
        }
    }
    file.items.push(parse_quote! {
        #[allow(unused_imports)]
        use crate::pipeline::encode_path_segment as encode_path;
    });
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
                EmptyExtraByDefault.visit_item_mod_mut(builder)
            }
            _ => {}
        }
    }
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

impl VisitMut for EmptyExtraByDefault {
    fn visit_field_value_mut(&mut self, field: &mut syn::FieldValue) {
        let is_extra = matches!(&field.member, syn::Member::Named(name) if name == EXTRA_FIELD);
        let demands_value = matches!(
            &field.expr,
            syn::Expr::Call(call) if matches!(&*call.func, syn::Expr::Path(p) if p.path.is_ident("Err"))
        );
        if is_extra && demands_value {
            field.expr = parse_quote!(Ok(Default::default()));
        }
        syn::visit_mut::visit_field_value_mut(self, field);
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
}
