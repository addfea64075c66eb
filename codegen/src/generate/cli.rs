//! The command line's table: one command per operation, named the way
//! people think (`clusters list`, `secrets create`, `allowlist set`), and
//! a dispatcher that calls the public `Client` method of each operation,
//! so path checks, retries, typed errors and redaction apply to the
//! command line as to any library user.
//!
//! Names: the group comes from the path (the area after `/clusters/{id}`,
//! else the first segment), the verb from the method (`list`, `get`,
//! `create`, `update`, `delete`); [`OVERRIDES`] gives the names people
//! expect where that rule falls short. An operation missing from the
//! table still gets a command under its derived name; two operations that
//! would share a name get their operationId as verb instead.

use std::collections::BTreeSet;

use heck::ToKebabCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{
    methods::{Generated, Success},
    model::{Operation, Param},
    GenerateError,
};

/// Operation ids and the (group, verb) people expect. A verb `""` is the
/// group's own command; `"--csv"` is that command with the flag `--csv`.
pub const OVERRIDES: &[(&str, &str, &str)] = &[
    ("GetJson", "activity", ""),
    ("GetCsv", "activity", "--csv"),
    ("GetParameters", "clusters", "parameters"),
    ("UpgradeCluster", "clusters", "upgrade"),
    ("Wake", "clusters", "wake"),
    ("UpdateClusterEncryption", "clusters", "encryption"),
    ("TriggerFailover", "clusters", "failover"),
    ("GetSchedule", "backups", "schedule"),
    ("UpdateSchedule", "backups", "schedule-set"),
    ("DeleteSchedule", "backups", "schedule-delete"),
    ("GetRestore", "backups", "restore-status"),
    ("RestoreFromBackup", "backups", "restore"),
    ("UpdateIpAllowlist", "allowlist", "set"),
    ("UpdateIpWhitelist", "allowlist", "set-whitelist"),
    ("ActivateMonitoring", "monitoring", "activate"),
    ("DeactivateMonitoring", "monitoring", "deactivate"),
    ("GetMonitoringClients", "monitoring", "clients"),
    ("CreateMonitoringClient", "monitoring", "create-client"),
    ("DeleteMonitoringClient", "monitoring", "delete-client"),
    (
        "RotateMonitoringClientPassword",
        "monitoring",
        "rotate-password",
    ),
    ("ActivateSecureConnectivity", "connectivity", "activate"),
    ("DeactivateSecureConnectivity", "connectivity", "deactivate"),
    ("GetSecureConnectivityStatus", "connectivity", "status"),
    ("UpdateMembers", "members", "set"),
    ("GetMeta", "meta", "ip-ranges"),
];

/// Group names for path areas whose segment reads badly as a command.
const GROUP_NAMES: &[(&str, &str)] = &[
    ("ipallowlist", "allowlist"),
    ("ipwhitelist", "allowlist"),
    ("secure-connectivity", "connectivity"),
];

/// The command name of an operation: (group, verb).
pub fn command_name(op: &Operation) -> (String, String) {
    if let Some((_, group, verb)) = OVERRIDES.iter().find(|(id, ..)| *id == op.id) {
        return ((*group).to_owned(), (*verb).to_owned());
    }
    derived_name(op)
}

/// The name the rule gives (no override).
pub fn derived_name(op: &Operation) -> (String, String) {
    let literals: Vec<&str> = op
        .path
        .split('/')
        .filter(|s| !s.is_empty() && !s.starts_with('{'))
        .collect();
    let area: &str = match literals.as_slice() {
        ["clusters", area, ..] => area,
        [first, ..] => first,
        [] => "api",
    };
    let group = GROUP_NAMES
        .iter()
        .find(|(segment, _)| *segment == area)
        .map_or(area, |(_, name)| name)
        .to_owned();
    let ends_with_param = op.path.ends_with('}');
    let verb = match (op.http_method.as_str(), ends_with_param) {
        ("GET", false) => "list",
        ("GET", true) => "get",
        ("POST", _) => "create",
        ("PUT" | "PATCH", _) => "update",
        ("DELETE", _) => "delete",
        _ => "call",
    };
    (group, verb.to_owned())
}

/// Every operation's command name, unique: a name taken twice falls back
/// to the operationId (kebab-case) as verb.
pub fn command_names(ops: &[Operation]) -> Vec<(String, String)> {
    let names: Vec<(String, String)> = ops.iter().map(command_name).collect();
    let mut seen = BTreeSet::new();
    let duplicated: BTreeSet<&(String, String)> =
        names.iter().filter(|n| !seen.insert(*n)).collect();
    ops.iter()
        .zip(&names)
        .map(|(op, name)| {
            if duplicated.contains(name) {
                (name.0.clone(), op.id.to_kebab_case())
            } else {
                name.clone()
            }
        })
        .collect()
}

/// The table (`COMMANDS`) and `dispatch` for the binary, as Rust source.
pub fn source(file: &syn::File, ops: &[Operation]) -> Result<String, GenerateError> {
    let names = command_names(ops);
    let mut specs = Vec::new();
    let mut arms = Vec::new();
    for (op, (group, verb)) in ops.iter().zip(&names) {
        let generated = Generated::find(file, op)?;
        specs.push(spec(op, group, verb, &generated.success));
        arms.push(dispatch_arm(op, &generated)?);
    }
    let tokens = quote! {
        /// One command per operation of the document.
        pub static COMMANDS: &[CommandSpec] = &[ #(#specs),* ];

        /// Run operation `id` with the arguments of `invocation`, through
        /// the public methods of [`camunda_admin::Client`].
        pub async fn dispatch(
            client: &camunda_admin::Client,
            id: &str,
            invocation: Invocation,
        ) -> Result<Outcome, DispatchError> {
            match id {
                #(#arms)*
                other => Err(DispatchError::Input(format!("no operation {other}"))),
            }
        }
    };
    let file: syn::File = syn::parse2(tokens)
        .map_err(|e| GenerateError::new(format!("the CLI table is invalid Rust: {e}")))?;
    Ok(prettyplease::unparse(&file))
}

fn text(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or("")
}

fn param_spec(param: &Param) -> TokenStream {
    let name = &param.name;
    let flag = param.name.to_kebab_case();
    let required = param.required;
    let help = text(&param.description);
    quote! { ParamSpec { name: #name, flag: #flag, required: #required, help: #help } }
}

fn spec(op: &Operation, group: &str, verb: &str, success: &Success) -> TokenStream {
    let id = &op.id;
    let summary = text(&op.summary);
    let description = text(&op.description);
    let scope = &op.scope;
    let needs_token = op.authenticated;
    let http_method = &op.http_method;
    let path = &op.path;
    let path_params = op.path_params.iter().map(param_spec);
    let query_params = op.query_params.iter().map(param_spec);
    let body = match &op.body {
        Some(body) => {
            let fields = body.fields.iter().map(|f| {
                let name = &f.name;
                let flag = f.name.to_kebab_case();
                let json_type = &f.json_type;
                let required = f.required;
                let secret = f.secret;
                let help = text(&f.description);
                quote! {
                    FieldSpec { name: #name, flag: #flag, json_type: #json_type, required: #required, secret: #secret, help: #help }
                }
            });
            quote! { Some(BodySpec { fields: &[#(#fields),*] }) }
        }
        None => quote! { None },
    };
    let output = match success {
        Success::Empty => quote! { OutputKind::Empty },
        Success::Text => quote! { OutputKind::Text },
        Success::Json(_) => quote! { OutputKind::Json },
    };
    let carries_secrets = op.carries_secrets;
    quote! {
        CommandSpec {
            id: #id,
            group: #group,
            verb: #verb,
            summary: #summary,
            description: #description,
            scope: #scope,
            needs_token: #needs_token,
            http_method: #http_method,
            path: #path,
            path_params: &[#(#path_params),*],
            query_params: &[#(#query_params),*],
            body: #body,
            output: #output,
            carries_secrets: #carries_secrets,
        }
    }
}

/// `"Id" => { ... }`: decode the body, call the method, encode the answer.
fn dispatch_arm(op: &Operation, generated: &Generated<'_>) -> Result<TokenStream, GenerateError> {
    let id = &op.id;
    let method = format_ident!("{}", op.rust_name);
    let mut args: Vec<TokenStream> = (0..op.path_params.len())
        .map(|i| quote! { invocation.path(#i)? })
        .collect();
    for param in op.query_params.iter().filter(|p| p.required) {
        let name = &param.name;
        let ty = generated.setter_type(op, &param.rust_name)?;
        args.push(quote! { invocation.required_query::<#ty>(#name)? });
    }
    if op.body.is_some() {
        let ty = generated.setter_type(op, "body")?;
        args.push(quote! { invocation.body::<#ty>()? });
    }
    let mut optional = Vec::new();
    for param in op.query_params.iter().filter(|p| !p.required) {
        let name = &param.name;
        let setter = format_ident!("{}", param.rust_name);
        let ty = generated.setter_type(op, &param.rust_name)?;
        optional.push(quote! {
            if let Some(value) = invocation.optional_query::<#ty>(#name)? {
                request = request.#setter(value);
            }
        });
    }
    let finish = match &generated.success {
        Success::Empty => quote! { request.await?; Ok(Outcome::Empty) },
        Success::Text => quote! { Ok(Outcome::Text(request.await?)) },
        Success::Json(_) => quote! { Ok(Outcome::Json(encode(&request.await?)?)) },
    };
    Ok(quote! {
        #id => {
            #[allow(unused_mut)]
            let mut request = client.#method(#(#args),*);
            #(#optional)*
            #finish
        }
    })
}

/// A unit-test-only dispatcher for the library (`crate::api::by_id`): call
/// any operation by id with path values, and a JSON body or none (then an
/// empty builder, which fails only after the path check). Tests of every
/// operation iterate `OPERATIONS` with it, so a new operation is covered
/// by itself.
pub fn test_dispatch(file: &syn::File, ops: &[Operation]) -> Result<TokenStream, GenerateError> {
    let mut arms = Vec::new();
    let mut samples = Vec::new();
    for op in ops {
        if let Some(body) = &op.body {
            let id = &op.id;
            let json = body.sample.to_string();
            samples.push(quote! { #id => #json, });
        }
        let generated = Generated::find(file, op)?;
        let id = &op.id;
        let method = format_ident!("{}", op.rust_name);
        let mut args: Vec<TokenStream> = (0..op.path_params.len())
            .map(|i| quote! { path[#i].clone() })
            .collect();
        for param in op.query_params.iter().filter(|p| p.required) {
            let name = &param.name;
            args.push(quote! { serde_json::from_value(serde_json::Value::String(#name.to_owned())).unwrap_or_default() });
        }
        let call = if op.body.is_some() {
            let ty = generated.setter_type(op, "body")?;
            let builder = builder_path(&ty);
            quote! {
                match body {
                    Some(json) => {
                        let body: #ty = serde_json::from_value(json).map_err(|e| crate::Error::InvalidRequest {
                            operation: #id,
                            reason: format!("the sample body does not decode: {e}"),
                        })?;
                        client.#method(#(#args,)* body).await.map(|_| ())
                    }
                    None => client.#method(#(#args,)* #builder::default()).await.map(|_| ()),
                }
            }
        } else {
            quote! { client.#method(#(#args),*).await.map(|_| ()) }
        };
        arms.push(quote! { #id => #call, });
    }
    Ok(quote! {
        /// Calls by operation id, for the library's own tests of every operation.
        #[cfg(test)]
        pub(crate) mod by_id {
            use super::types;

            pub(crate) async fn call(
                client: &crate::Client,
                id: &str,
                path: &[String],
                body: Option<serde_json::Value>,
            ) -> crate::Result<()> {
                match id {
                    #(#arms)*
                    other => panic!("no operation {other}"),
                }
            }

            /// A body operation `id` accepts, with every required field
            /// (codegen's `sample`), if it takes one.
            pub(crate) fn sample_body(id: &str) -> Option<serde_json::Value> {
                let json = match id {
                    #(#samples)*
                    _ => return None,
                };
                // The generator wrote it from a serde_json::Value.
                Some(serde_json::from_str(json).expect("a sample body is JSON"))
            }
        }
    })
}

/// `types::builder::X` for `types::X`.
fn builder_path(ty: &syn::Type) -> TokenStream {
    match ty {
        syn::Type::Path(p) => match p.path.segments.last() {
            Some(last) => {
                let ident = &last.ident;
                quote! { types::builder::#ident }
            }
            None => quote! { #ty },
        },
        _ => quote! { #ty },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(id: &str, method: &str, path: &str) -> Operation {
        Operation {
            id: id.to_owned(),
            rust_name: heck::ToSnakeCase::to_snake_case(id),
            type_name: id.to_owned(),
            http_method: method.to_owned(),
            path: path.to_owned(),
            path_params: vec![],
            query_params: vec![],
            body: None,
            summary: None,
            description: None,
            scope: "Cluster".to_owned(),
            authenticated: true,
            carries_secrets: false,
        }
    }

    fn name(id: &str, method: &str, path: &str) -> (String, String) {
        command_name(&op(id, method, path))
    }

    #[test]
    fn groups_come_from_the_path_and_verbs_from_the_method() {
        let pair = |g: &str, v: &str| (g.to_owned(), v.to_owned());
        assert_eq!(
            name("GetClusters", "GET", "/clusters"),
            pair("clusters", "list")
        );
        assert_eq!(
            name("GetCluster", "GET", "/clusters/{clusterUuid}"),
            pair("clusters", "get")
        );
        assert_eq!(
            name(
                "DeleteSecret",
                "DELETE",
                "/clusters/{clusterUuid}/secrets/{secretName}"
            ),
            pair("secrets", "delete")
        );
        assert_eq!(
            name("GetBackups", "GET", "/clusters/{c}/backups"),
            pair("backups", "list")
        );
        assert_eq!(
            name("GetMembers", "GET", "/members"),
            pair("members", "list")
        );
    }

    #[test]
    fn overrides_give_the_names_people_expect() {
        let pair = |g: &str, v: &str| (g.to_owned(), v.to_owned());
        assert_eq!(
            name("UpdateIpAllowlist", "PUT", "/clusters/{c}/ipallowlist"),
            pair("allowlist", "set")
        );
        assert_eq!(
            name("GetMeta", "GET", "/meta/ip-ranges"),
            pair("meta", "ip-ranges")
        );
        assert_eq!(
            name("Wake", "PUT", "/clusters/{c}/wake"),
            pair("clusters", "wake")
        );
    }

    #[test]
    fn a_new_operation_gets_a_derived_name_and_clashes_fall_back_to_its_id() {
        let ops = [
            op("GetClusterLogs", "GET", "/clusters/{c}/logs"),
            op("ListLogArchives", "GET", "/clusters/{c}/logs"),
        ];
        let names = command_names(&ops);
        assert_eq!(names[0], ("logs".to_owned(), "get-cluster-logs".to_owned()));
        assert_eq!(
            names[1],
            ("logs".to_owned(), "list-log-archives".to_owned())
        );
        let single = command_names(&ops[..1]);
        assert_eq!(single[0], ("logs".to_owned(), "list".to_owned()));
    }
}
