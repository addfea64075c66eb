//! The command line: `cargo xtask update-spec` and `cargo xtask check-spec`.

use crate::report;
use crate::spec_source::{FetchOptions, Source};
use crate::tasks::{self, CheckOptions, TaskError, UpdateOptions};
use camunda_admin_codegen::Printable;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction};
use std::io::Write;
use std::path::PathBuf;

/// Exit code: success, no drift.
pub const EXIT_OK: i32 = 0;
/// Exit code of `check-spec` when it found drift.
pub const EXIT_DRIFT: i32 = 1;
/// Exit code when the source (or the vendored document) cannot be read,
/// is invalid, or the command line is wrong.
pub const EXIT_ERROR: i32 = 2;

/// The usage text.
pub const USAGE: &str = "\
usage:
  cargo xtask update-spec [--from URL|FILE] [--dry-run] [--force] [--json] [--spec FILE]
      Refresh openapi/camunda-admin.json from the published document: its facts,
      the project's prose and x- extensions. Prints the changes; --dry-run writes
      nothing. A document lacking what the hand-written code needs is refused
      (exit 1) unless --force.
  cargo xtask check-spec [--against URL|FILE] [--json] [--spec FILE]
      Compare the vendored document with the published one, fact by fact, and
      say which changes the corrections hide from the generated code.
      Exit 0: no drift, 1: drift (report printed), 2: source unreadable or invalid.

  cargo xtask additive-variant --out FILE [--spec FILE]
      Write a copy of the vendored document with additive changes (a new optional
      field in a request and an answer, an enum value, an operation, an optional
      query parameter): CI builds tests/compat-user against it.

  URL|FILE  JSON or YAML; defaults to https://console.cloud.camunda.io/customer-api/openapi/swagger.json
  --json    print the report (or the error) as JSON
  --spec    the vendored document (default: openapi/camunda-admin.json)
";

/// A parsed command line.
#[derive(Debug, Clone)]
pub enum Command {
    /// `update-spec`.
    Update {
        /// The task's settings.
        options: UpdateOptions,
        /// Print JSON.
        json: bool,
    },
    /// `check-spec`.
    Check {
        /// The task's settings.
        options: CheckOptions,
        /// Print JSON.
        json: bool,
    },
    /// `additive-variant`.
    AdditiveVariant {
        /// The vendored document.
        vendored: PathBuf,
        /// Where the variant goes.
        out: PathBuf,
    },
    /// `help`, `--help`, `-h`.
    Help,
}

/// The tasks, as typed.
const TASKS: &[&str] = &["update-spec", "check-spec", "additive-variant"];

/// The command line's grammar. Help is ours ([`USAGE`]), so clap's help
/// flags and subcommand are replaced by plain flags read in [`parse_args`].
fn grammar() -> clap::Command {
    let spec = || {
        Arg::new("spec")
            .long("spec")
            .value_name("FILE")
            .value_parser(clap::value_parser!(PathBuf))
    };
    let json = || Arg::new("json").long("json").action(ArgAction::SetTrue);
    let help = || {
        Arg::new("help")
            .short('h')
            .long("help")
            .action(ArgAction::SetTrue)
    };
    let source = |flag: &'static str| Arg::new("source").long(flag).value_name("URL|FILE");
    let task = |name: &'static str| {
        clap::Command::new(name)
            .disable_help_flag(true)
            .arg(help())
            .arg(spec())
    };
    clap::Command::new("xtask")
        .no_binary_name(true)
        .disable_help_flag(true)
        .disable_help_subcommand(true)
        .disable_version_flag(true)
        // A flag given twice: the last one counts, as with most tools.
        .args_override_self(true)
        .arg(help())
        .subcommand(
            task("update-spec")
                .args_override_self(true)
                .arg(source("from"))
                .arg(json())
                .arg(
                    Arg::new("dry-run")
                        .long("dry-run")
                        .action(ArgAction::SetTrue),
                )
                .arg(Arg::new("force").long("force").action(ArgAction::SetTrue)),
        )
        .subcommand(
            task("check-spec")
                .args_override_self(true)
                .arg(source("against"))
                .arg(json()),
        )
        .subcommand(
            task("additive-variant").args_override_self(true).arg(
                Arg::new("out")
                    .long("out")
                    .value_name("FILE")
                    .value_parser(clap::value_parser!(PathBuf)),
            ),
        )
        .subcommand(clap::Command::new("help").disable_help_flag(true))
}

/// Parse the arguments after `cargo xtask`.
pub fn parse_args<I, S>(args: I) -> Result<Command, String>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let args: Vec<String> = args.into_iter().map(Into::into).collect();
    let matches = grammar().try_get_matches_from(&args).map_err(|e| {
        let task = args.first().filter(|t| TASKS.contains(&t.as_str()));
        usage_error(&e, task.map(String::as_str))
    })?;
    if matches.get_flag("help") {
        return Ok(Command::Help);
    }
    let Some((task, task_args)) = matches.subcommand() else {
        return Err("no task given".to_owned());
    };
    if task == "help" || task_args.get_flag("help") {
        return Ok(Command::Help);
    }
    let vendored = task_args
        .get_one::<PathBuf>("spec")
        .cloned()
        .unwrap_or_else(tasks::default_vendored_path);
    if task == "additive-variant" {
        let out = task_args
            .get_one::<PathBuf>("out")
            .cloned()
            .ok_or_else(|| "additive-variant needs --out FILE".to_owned())?;
        return Ok(Command::AdditiveVariant { vendored, out });
    }
    let source = task_args
        .get_one::<String>("source")
        .map(|arg| Source::parse(arg))
        .unwrap_or_default();
    let json = task_args.get_flag("json");
    let fetch = FetchOptions::default();
    Ok(if task == "update-spec" {
        Command::Update {
            options: UpdateOptions {
                vendored,
                source,
                dry_run: task_args.get_flag("dry-run"),
                force: task_args.get_flag("force"),
                fetch,
            },
            json,
        }
    } else {
        Command::Check {
            options: CheckOptions {
                vendored,
                source,
                fetch,
            },
            json,
        }
    })
}

/// clap's error as one line in this tool's words; the usage follows it.
fn usage_error(error: &clap::Error, task: Option<&str>) -> String {
    let context = |kind| match error.get(kind) {
        Some(ContextValue::String(text)) => Some(text.clone()),
        Some(ContextValue::Strings(texts)) => Some(texts.join(", ")),
        _ => None,
    };
    match error.kind() {
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            "no task given".to_owned()
        }
        ErrorKind::InvalidSubcommand => format!(
            "unknown task `{}`",
            context(ContextKind::InvalidSubcommand).unwrap_or_default()
        ),
        ErrorKind::UnknownArgument => {
            let argument = context(ContextKind::InvalidArg).unwrap_or_default();
            match task {
                Some(task) if !argument.is_empty() => {
                    format!("unknown argument `{argument}` for {task}")
                }
                _ => format!("unknown argument `{argument}`"),
            }
        }
        _ => {
            // clap's own sentence, without its `error: ` prefix and usage.
            let text = error.render().to_string();
            let line = text.lines().next().unwrap_or_default();
            line.strip_prefix("error: ").unwrap_or(line).to_owned()
        }
    }
}

fn write_additive(
    vendored: &std::path::Path,
    out_path: &std::path::Path,
) -> Result<String, String> {
    let text = std::fs::read_to_string(vendored)
        .map_err(|e| format!("cannot read {}: {e}", vendored.display()))?;
    let doc: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| format!("{} is not JSON: {e}", vendored.display()))?;
    let variant = crate::additive::additive_variant(&doc);
    std::fs::write(out_path, crate::json_format::to_stable_string(&variant))
        .map_err(|e| format!("cannot write {}: {e}", out_path.display()))?;
    let mut report = format!("wrote {} with:\n", out_path.display());
    for change in crate::additive::CHANGES {
        report.push_str(&format!("- {change}\n"));
    }
    Ok(report)
}

/// Run a command line; reports go to `out`, errors to `err`. Returns the
/// exit code ([`EXIT_OK`], [`EXIT_DRIFT`] or [`EXIT_ERROR`]).
pub fn run<I, S>(args: I, out: &mut dyn Write, err: &mut dyn Write) -> i32
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    match parse_args(args) {
        Ok(command) => execute(&command, out, err),
        Err(message) => {
            let _ = writeln!(err, "error: {}\n\n{USAGE}", Printable(&message));
            EXIT_ERROR
        }
    }
}

/// Run a parsed command; see [`run`].
pub fn execute(command: &Command, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let result = match command {
        Command::Help => {
            let _ = write!(out, "{USAGE}");
            return EXIT_OK;
        }
        Command::AdditiveVariant {
            vendored,
            out: path,
        } => {
            return match write_additive(vendored, path) {
                Ok(report) => {
                    print(out, &report);
                    EXIT_OK
                }
                Err(message) => {
                    let _ = writeln!(err, "error: {}", Printable(&message));
                    EXIT_ERROR
                }
            };
        }
        Command::Check { options, json } => tasks::check_spec(options).and_then(|report| {
            let text = if *json {
                to_json(&report)?
            } else {
                report::render_check(&report)
            };
            print(out, &text);
            Ok(report.exit_code())
        }),
        Command::Update { options, json } => tasks::update_spec(options).and_then(|report| {
            let text = if *json {
                to_json(&report)?
            } else {
                report::render_update(&report)
            };
            print(out, &text);
            Ok(if report.refused { EXIT_DRIFT } else { EXIT_OK })
        }),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            let json = matches!(
                command,
                Command::Check { json: true, .. } | Command::Update { json: true, .. }
            );
            if json {
                let value =
                    serde_json::json!({ "error": error.to_string(), "exit_code": EXIT_ERROR });
                print(out, &value.to_string());
            } else {
                let _ = writeln!(err, "error: {}", Printable(&error.to_string()));
            }
            EXIT_ERROR
        }
    }
}

fn print(out: &mut dyn Write, text: &str) {
    let _ = out.write_all(text.as_bytes());
    if !text.ends_with('\n') {
        let _ = out.write_all(b"\n");
    }
    let _ = out.flush();
}

fn to_json<T: serde::Serialize>(report: &T) -> Result<String, TaskError> {
    serde_json::to_string_pretty(report).map_err(|e| TaskError::Write {
        path: PathBuf::from("<stdout>"),
        source: std::io::Error::other(e),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &str) -> Result<Command, String> {
        parse_args(args.split_whitespace())
    }

    #[test]
    fn every_flag_is_read_in_both_forms() {
        for line in [
            "update-spec --from a.json --spec v.json --json --dry-run --force",
            "update-spec --from=a.json --spec=v.json --json --dry-run --force",
        ] {
            let Ok(Command::Update { options, json }) = parse(line) else {
                panic!("{line}");
            };
            assert!(json && options.dry_run && options.force, "{line}");
            assert_eq!(options.source, Source::File("a.json".into()));
            assert_eq!(options.vendored, PathBuf::from("v.json"));
        }
        for line in [
            "check-spec --against https://x.test/d.json --spec v.json --json",
            "check-spec --against=https://x.test/d.json --spec=v.json --json",
        ] {
            let Ok(Command::Check { options, json }) = parse(line) else {
                panic!("{line}");
            };
            assert!(json);
            assert_eq!(options.source, Source::Url("https://x.test/d.json".into()));
            assert_eq!(options.vendored, PathBuf::from("v.json"));
        }
        let Ok(Command::AdditiveVariant { vendored, out }) =
            parse("additive-variant --out=o.json --spec v.json")
        else {
            panic!("additive-variant");
        };
        assert_eq!((vendored, out), ("v.json".into(), "o.json".into()));
    }

    #[test]
    fn defaults_and_help() {
        let Ok(Command::Check { options, json }) = parse("check-spec") else {
            panic!("check-spec");
        };
        assert!(!json);
        assert_eq!(options.source, Source::default());
        assert_eq!(options.vendored, tasks::default_vendored_path());
        for line in [
            "help",
            "--help",
            "-h",
            "check-spec --help",
            "update-spec -h",
        ] {
            assert!(matches!(parse(line), Ok(Command::Help)), "{line}");
        }
    }

    #[test]
    fn usage_errors_say_what_is_wrong() {
        for (line, message) in [
            ("", "no task given"),
            ("frobnicate", "unknown task `frobnicate`"),
            (
                "check-spec --dry-run",
                "unknown argument `--dry-run` for check-spec",
            ),
            (
                "check-spec --force",
                "unknown argument `--force` for check-spec",
            ),
            (
                "update-spec --against x",
                "unknown argument `--against` for update-spec",
            ),
            ("check-spec --against", "a value is required for '--against"),
            (
                "additive-variant --spec v.json",
                "additive-variant needs --out FILE",
            ),
        ] {
            let error = parse(line).err().unwrap_or_default();
            assert!(error.starts_with(message), "{line}: {error}");
        }
        let (mut out, mut err) = (Vec::new(), Vec::new());
        assert_eq!(
            run(["check-spec", "--bogus"], &mut out, &mut err),
            EXIT_ERROR
        );
    }
}
