//! The command line: `cargo xtask update-spec` and `cargo xtask check-spec`.

use crate::report;
use crate::spec_source::{FetchOptions, Source};
use crate::tasks::{self, CheckOptions, TaskError, UpdateOptions};
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

/// Parse the arguments after `cargo xtask`.
pub fn parse_args<I, S>(args: I) -> Result<Command, String>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let mut args = args.into_iter().map(Into::into);
    let task = args.next().ok_or_else(|| "no task given".to_owned())?;
    if matches!(task.as_str(), "help" | "--help" | "-h") {
        return Ok(Command::Help);
    }
    if task == "additive-variant" {
        return parse_additive(args);
    }
    let source_flag = match task.as_str() {
        "update-spec" => "--from",
        "check-spec" => "--against",
        other => return Err(format!("unknown task `{other}`")),
    };
    let mut source = Source::default();
    let mut vendored = tasks::default_vendored_path();
    let mut json = false;
    let mut dry_run = false;
    let mut force = false;
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_owned(), Some(value.to_owned()))
            }
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            f if f == source_flag => source = Source::parse(&value(f)?),
            "--spec" => vendored = PathBuf::from(value("--spec")?),
            "--json" => json = true,
            "--dry-run" if task == "update-spec" => dry_run = true,
            "--force" if task == "update-spec" => force = true,
            "-h" | "--help" => return Ok(Command::Help),
            other => return Err(format!("unknown argument `{other}` for {task}")),
        }
    }
    let fetch = FetchOptions::default();
    Ok(if task == "update-spec" {
        Command::Update {
            options: UpdateOptions {
                vendored,
                source,
                dry_run,
                force,
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

fn parse_additive(mut args: impl Iterator<Item = String>) -> Result<Command, String> {
    let mut vendored = tasks::default_vendored_path();
    let mut out = None;
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--out" => out = Some(PathBuf::from(value)),
            "--spec" => vendored = PathBuf::from(value),
            other => return Err(format!("unknown argument `{other}` for additive-variant")),
        }
    }
    let out = out.ok_or_else(|| "additive-variant needs --out FILE".to_owned())?;
    Ok(Command::AdditiveVariant { vendored, out })
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
            let _ = writeln!(err, "error: {message}\n\n{USAGE}");
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
                    let _ = writeln!(err, "error: {message}");
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
                let _ = writeln!(err, "error: {error}");
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
