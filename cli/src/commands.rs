//! The clap command tree, built at run time from the generated table:
//! group = subcommand, verb = its subcommand (`""` is the group itself,
//! `--csv` a flag of the group), path parameters positionals in template
//! order, query parameters and body fields flags. Help texts are the
//! document's own.

use camunda_admin::operation::NameKind;
use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::{
    extras::{self, Extra},
    names,
    table::{kebab, Field, Operation, COMMANDS},
};

/// The arg id of `--body`.
pub const BODY: &str = "body";
/// The arg id of `--dry-run`.
pub const DRY_RUN: &str = "dry-run";
/// The arg id of `--ignore-not-found`.
pub const IGNORE_NOT_FOUND: &str = "ignore-not-found";

/// Flags the command line uses itself; a body field of that name gets the
/// prefix `field-` instead.
const RESERVED: &[&str] = &[
    "body",
    "help",
    "version",
    "output",
    "verbose",
    "base-url",
    "token-url",
    "client-id",
    "client-secret-file",
    "audience",
    "cache-dir",
    "no-disk-cache",
    "wait",
    "timeout",
    "poll-interval",
    "show-values",
    "jq",
    "fields",
    "force",
    "dry-run",
    "ignore-not-found",
    "profile",
    "request-timeout",
    "region",
    "plan",
    "channel",
    "generation",
];

/// The flag of a body field or query parameter, clear of [`RESERVED`].
pub fn flag_of(name: &str) -> String {
    let flag = kebab(name);
    if RESERVED.contains(&flag.as_str()) {
        format!("field-{flag}")
    } else {
        flag
    }
}

/// The flag naming the file a secret field is read from.
pub fn secret_file_flag(field: &Field) -> String {
    format!("{}-file", flag_of(field.name))
}

/// The flag naming the variable a secret field is read from.
pub fn secret_env_flag(field: &Field) -> String {
    format!("{}-env", flag_of(field.name))
}

/// The groups in the order of the table.
fn groups() -> Vec<&'static str> {
    let mut groups: Vec<&'static str> = Vec::new();
    for spec in COMMANDS {
        if !groups.contains(&spec.command.group) {
            groups.push(spec.command.group);
        }
    }
    groups
}

/// Is `verb` run by a flag of its group (`activity --csv`)?
fn is_flag_verb(verb: &str) -> bool {
    verb.starts_with("--")
}

/// The hand-written subcommands of a group (given by `main`, so that this
/// module imports none of the modules that run commands).
pub type Extras = fn(&str) -> Vec<Command>;

/// One subcommand per group of the table, with the hand-written ones
/// `extras` gives.
pub fn operation_groups(extras: Extras) -> Vec<Command> {
    // A generated command that took a hand-written one's name would hide
    // it (or be hidden); debug builds, the tests' included, stop here.
    debug_assert_eq!(
        crate::table::collisions(COMMANDS.iter().map(|c| (c.command.group, c.command.verb))),
        Vec::<(&str, &str)>::new(),
        "generated commands take hand-written names"
    );
    groups()
        .into_iter()
        .map(|group| group_command(group, extras(group)))
        .collect()
}

fn group_command(group: &'static str, extras: Vec<Command>) -> Command {
    let specs: Vec<&'static Operation> = COMMANDS
        .iter()
        .filter(|c| c.command.group == group)
        .collect();
    let own = specs.iter().find(|c| c.command.verb.is_empty());
    let mut command = match own {
        Some(spec) => operation_args(Command::new(group), spec),
        None => Command::new(group)
            .about(format!("{group}: {}", verb_list(&specs, &extras)))
            .subcommand_required(true),
    };
    for spec in specs.iter().filter(|c| is_flag_verb(c.command.verb)) {
        let flag = spec.command.verb.trim_start_matches('-');
        command = command.arg(
            Arg::new(flag)
                .long(flag)
                .action(ArgAction::SetTrue)
                .help(spec.summary)
                .long_help(long_help(spec)),
        );
    }
    for spec in specs
        .iter()
        .filter(|c| !c.command.verb.is_empty() && !is_flag_verb(c.command.verb))
    {
        // Deprecated operations keep working, out of the lists.
        command = command.subcommand(
            operation_args(Command::new(spec.command.verb), spec).hide(spec.deprecated),
        );
    }
    command.subcommands(extras)
}

fn verb_list(specs: &[&Operation], extras: &[Command]) -> String {
    let verbs: Vec<&str> = specs
        .iter()
        .filter(|c| !c.deprecated)
        .map(|c| c.command.verb)
        .collect();
    let own: Vec<String> = extras.iter().map(|c| c.get_name().to_owned()).collect();
    let mut verbs: Vec<String> = verbs.into_iter().map(str::to_owned).collect();
    verbs.extend(own);
    verbs.join(", ")
}

fn long_help(spec: &Operation) -> String {
    format!("{}\n\n{}", spec.summary, spec.description)
}

/// The arguments of one operation on `command`.
fn operation_args(command: Command, spec: &'static Operation) -> Command {
    let mut command = command
        .about(spec.summary)
        .long_about(long_help(spec))
        .after_long_help(format!(
            "Operation {}: {} {} (scope: {}).",
            spec.id, spec.method, spec.path, spec.scope
        ));
    for (index, param) in spec.path_params.iter().enumerate() {
        let mut arg = path_arg(param, index);
        if takes_several(spec, index) {
            arg = arg
                .num_args(1..)
                .help(format!("{} (several: each in turn)", describe(param)));
        }
        command = command.arg(arg);
    }
    if spec.method == http_delete() && !spec.path_params.is_empty() {
        command = command.arg(
            Arg::new(IGNORE_NOT_FOUND)
                .long(IGNORE_NOT_FOUND)
                .action(ArgAction::SetTrue)
                .help("Succeed when it is already gone (404)"),
        );
    }
    for param in spec.query_params {
        command = command.arg(query_arg(param));
    }
    if let Some(body) = &spec.body {
        command =
            command.arg(Arg::new(BODY).long(BODY).value_name("FILE").help(
                "The JSON request body from FILE, or stdin with -; flags override its fields",
            ));
        for field in body.fields {
            command = field_args(command, field);
        }
    }
    for extra in extras::of(spec) {
        command = extra_args(command, extra, spec);
    }
    command
}

/// The arg id of a path parameter: apart from every flag's id (a path
/// parameter `clientId` must not read as the global `--client-id`).
pub fn path_id(param: &Field) -> String {
    format!("path.{}", kebab(param.name))
}

fn http_delete() -> &'static str {
    "DELETE"
}

/// Whether path parameter `index` of `spec` takes several values: the
/// last one of a delete (`clusters delete A B`, `secrets delete C X Y`).
pub fn takes_several(spec: &Operation, index: usize) -> bool {
    spec.method == http_delete() && index + 1 == spec.path_params.len()
}

fn path_arg(param: &'static Field, index: usize) -> Arg {
    Arg::new(path_id(param))
        .index(index + 1)
        .required(true)
        .value_name(kebab(param.name).to_uppercase().replace('-', "_"))
        .help(describe(param))
}

fn query_arg(param: &'static Field) -> Arg {
    let flag = flag_of(param.name);
    Arg::new(flag.clone())
        .long(flag)
        .required(param.required)
        .help(describe(param))
}

/// What a parameter or field is: the document's words, else what its
/// name stands for (a cluster by id or name), else its name in words;
/// then the values the document lists.
pub fn describe(field: &Field) -> String {
    let mut text = if field.name_of == Some(NameKind::Cluster) {
        // The rule of `names::cluster_id`, wherever a cluster is expected.
        "The cluster: its id, or its name (looked up in `clusters list`)".to_owned()
    } else if !field.description.is_empty() {
        field.description.trim_end_matches('.').to_owned()
    } else {
        let words = kebab(field.name).replace('-', " ");
        let words = words
            .strip_suffix(" uuid")
            .map_or(words.clone(), |w| format!("{w} id"));
        format!("The {words}")
    };
    if !field.enum_values.is_empty() {
        text.push_str(&format!(" [values: {}]", field.enum_values.join(", ")));
    }
    if let Some(max) = field.max_chars {
        text.push_str(&format!(" [at most {max} characters]"));
    }
    text
}

/// `--flag VALUE` for a plain field; `--flag-file` / `--flag-env` for a
/// secret one, whose value never stands on the command line.
fn field_args(command: Command, field: &'static Field) -> Command {
    let help = describe(field);
    let required = if field.required {
        " (required, here or in --body)"
    } else {
        ""
    };
    if field.secret {
        let file = secret_file_flag(field);
        let env = secret_env_flag(field);
        return command
            .arg(
                Arg::new(file.clone())
                    .long(file)
                    .value_name("PATH")
                    .conflicts_with(env.clone())
                    .help(format!("{help}{required}: read from PATH (- for stdin)")),
            )
            .arg(
                Arg::new(env.clone())
                    .long(env)
                    .value_name("VAR")
                    .help(format!("{help}{required}: read from the variable VAR")),
            );
    }
    let flag = flag_of(field.name);
    let mut arg = Arg::new(flag.clone())
        .long(flag)
        .help(format!("{help}{required}"));
    arg = match field.json_type {
        "array" => arg
            .action(ArgAction::Append)
            .value_name("ITEM")
            .long_help(format!(
                "{help}{required}. Repeat the flag for each item; an item that is JSON (an object, say) is taken as JSON"
            )),
        "boolean" => arg.value_name("true|false").value_parser(clap::value_parser!(bool)),
        "number" | "integer" => arg.value_name("NUMBER"),
        "object" => arg.value_name("JSON"),
        _ => arg.value_name("VALUE"),
    };
    command.arg(arg)
}

fn extra_args(command: Command, extra: Extra, spec: &Operation) -> Command {
    match extra {
        Extra::Wait => command
            .arg(
                Arg::new("wait")
                    .long("wait")
                    .action(ArgAction::SetTrue)
                    .help(extras::wait_help()),
            )
            .arg(
                Arg::new("timeout")
                    .long("timeout")
                    .value_name("DURATION")
                    .default_value("15m")
                    .value_parser(humantime::parse_duration)
                    .help("How long --wait waits (10m, 90s, ...)"),
            )
            .arg(
                Arg::new("poll-interval")
                    .long("poll-interval")
                    .value_name("DURATION")
                    .default_value("10s")
                    .value_parser(humantime::parse_duration)
                    .help("How often --wait looks"),
            ),
        Extra::Names => names::lookups(spec)
            .into_iter()
            .fold(command, |command, (what, field)| {
                let mut arg = Arg::new(what)
                    .long(what)
                    .value_name("NAME|ID")
                    .help(format!(
                        "The {what} by name or id, looked up in `clusters parameters`"
                    ));
                if let Some(id_flag) = body_flag(spec, field) {
                    arg = arg.conflicts_with(id_flag);
                }
                command.arg(arg)
            }),
        Extra::ShowValues => command.arg(
            Arg::new("show-values")
                .long("show-values")
                .action(ArgAction::SetTrue)
                .help("Print the secrets' values too (else their names only)"),
        ),
    }
}

/// The flag of the plain body field `name` of `spec`, if it has one.
fn body_flag(spec: &Operation, name: &str) -> Option<String> {
    let fields = spec.body.as_ref()?.fields;
    let field = fields.iter().find(|f| f.name == name && !f.secret)?;
    Some(flag_of(field.name))
}

/// The operation `matches` asks for, and the matches of its command.
pub fn chosen<'m>(
    group: &str,
    matches: &'m ArgMatches,
) -> Option<(&'static Operation, &'m ArgMatches)> {
    let in_group = || COMMANDS.iter().filter(move |c| c.command.group == group);
    if let Some((verb, leaf)) = matches.subcommand() {
        return in_group()
            .find(|c| c.command.verb == verb)
            .map(|c| (c, leaf));
    }
    let by_flag = in_group().find(|c| {
        is_flag_verb(c.command.verb) && matches.get_flag(c.command.verb.trim_start_matches('-'))
    });
    by_flag
        .or_else(|| in_group().find(|c| c.command.verb.is_empty()))
        .map(|c| (c, matches))
}
