//! Open enums: every string enum of the document becomes a Rust enum with
//! an `Unknown(String)` variant, so a value Camunda adds later still
//! decodes (and encodes back unchanged) instead of failing the answer.

use std::collections::BTreeSet;

use heck::ToUpperCamelCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// One string enum: its schema name, description and values.
pub struct OpenEnum<'a> {
    /// The schema name, which is the Rust name too.
    pub name: &'a str,
    /// The schema's description, if it has one.
    pub description: Option<&'a str>,
    /// The values the document lists.
    pub values: &'a [String],
}

impl OpenEnum<'_> {
    /// The enum and its impls.
    pub fn tokens(&self) -> TokenStream {
        let variants = variants(self.values);
        let declaration = self.declaration(&variants);
        let conversions = self.conversions(&variants);
        let serde = self.serde_impls();
        let schema = self.json_schema_impl();
        quote! { #declaration #conversions #serde #schema }
    }

    fn declaration(&self, variants: &[(syn::Ident, &String)]) -> TokenStream {
        let ident = format_ident!("{}", self.name);
        let doc = self
            .description
            .map(str::to_owned)
            .unwrap_or_else(|| format!("The `{}` values of the API.", self.name));
        let decls = variants.iter().map(|(variant, value)| {
            let doc = format!("`{value}`");
            quote! { #[doc = #doc] #variant, }
        });
        quote! {
            #[doc = #doc]
            ///
            /// A value this version of the SDK does not know decodes as `Unknown` and
            /// encodes back unchanged; match with a wildcard arm.
            #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
            #[non_exhaustive]
            pub enum #ident {
                #(#decls)*
                /// A value the API sent that this SDK does not list yet.
                Unknown(String),
            }
        }
    }

    fn conversions(&self, variants: &[(syn::Ident, &String)]) -> TokenStream {
        let ident = format_ident!("{}", self.name);
        let to_str = variants
            .iter()
            .map(|(v, value)| quote! { Self::#v => #value, });
        let from_str = variants
            .iter()
            .map(|(v, value)| quote! { #value => Self::#v, });
        let known = variants.iter().map(|(v, _)| quote! { Self::#v, });
        quote! {
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
        }
    }

    fn serde_impls(&self) -> TokenStream {
        let ident = format_ident!("{}", self.name);
        quote! {
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
        }
    }

    fn json_schema_impl(&self) -> TokenStream {
        let ident = format_ident!("{}", self.name);
        let name = self.name;
        let values = self.values;
        quote! {
            #[cfg(feature = "schemars")]
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
}

/// A variant per value, named in UpperCamelCase; names that collide, are
/// empty, start with a digit or are `Unknown` are made unique.
fn variants(values: &[String]) -> Vec<(syn::Ident, &String)> {
    let mut seen = BTreeSet::new();
    values
        .iter()
        .map(|value| {
            let mut variant = variant_name(value);
            while !seen.insert(variant.clone()) {
                variant.push('_');
            }
            (format_ident!("{}", variant), value)
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_values_get_distinct_valid_variant_names() {
        let values: Vec<String> = ["In progress", "IN_PROGRESS", "", "Unknown", "2xx"]
            .map(str::to_owned)
            .to_vec();
        let names: Vec<String> = variants(&values)
            .iter()
            .map(|(v, _)| v.to_string())
            .collect();
        assert_eq!(
            names,
            [
                "InProgress",
                "InProgress_",
                "Unspecified",
                "UnknownValue",
                "V2xx"
            ]
        );
    }

    #[test]
    fn an_open_enum_is_valid_rust_with_an_unknown_variant_and_no_exhaustive_matching() {
        let values = vec!["Healthy".to_owned(), "Creating".to_owned()];
        let open = OpenEnum {
            name: "ClusterStatus",
            description: Some("Health"),
            values: &values,
        };
        let file: syn::File = syn::parse2(open.tokens()).expect("valid Rust");
        let syn::Item::Enum(e) = &file.items[0] else {
            panic!("an enum first");
        };
        let variants: Vec<String> = e.variants.iter().map(|v| v.ident.to_string()).collect();
        assert_eq!(variants, ["Healthy", "Creating", "Unknown"]);
        assert!(e.attrs.iter().any(|a| a.path().is_ident("non_exhaustive")));
    }
}
