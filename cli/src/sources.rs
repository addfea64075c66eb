//! Where values that must not stand on the command line come from: a file,
//! stdin (`-`), or an environment variable. Reads are bounded, and stdin
//! can serve one value per invocation.

use std::{
    cell::Cell,
    io::{self, Read},
};

use crate::exit::CliError;

/// The most bytes read for a request body.
pub const MAX_BODY_BYTES: u64 = 16 * 1024 * 1024;
/// The most bytes read for one secret value.
pub const MAX_SECRET_BYTES: u64 = 1024 * 1024;

/// Hands out stdin once.
#[derive(Default)]
pub struct Stdin {
    taken_by: Cell<Option<String>>,
}

impl Stdin {
    /// Claim stdin for `what`; a second claim is a usage error.
    fn claim(&self, what: &str) -> Result<(), CliError> {
        match self.taken_by.replace(Some(what.to_owned())) {
            Some(first) => Err(CliError::usage(format!(
                "stdin can feed one value only, and {first} reads it already ({what} too)"
            ))),
            None => Ok(()),
        }
    }
}

/// The text of `path` (`-`: stdin), at most `limit` bytes; `what` names it
/// in errors (never its content).
pub fn read(path: &str, limit: u64, what: &str, stdin: &Stdin) -> Result<String, CliError> {
    let bytes = if path == "-" {
        stdin.claim(what)?;
        bounded(io::stdin().lock(), limit, what)?
    } else {
        let file = std::fs::File::open(path)
            .map_err(|e| CliError::usage(format!("cannot read {what} from {path}: {e}")))?;
        bounded(file, limit, what)?
    };
    String::from_utf8(bytes).map_err(|_| CliError::usage(format!("{what} is not UTF-8 text")))
}

fn bounded(source: impl Read, limit: u64, what: &str) -> Result<Vec<u8>, CliError> {
    let mut bytes = Vec::new();
    source
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::usage(format!("cannot read {what}: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(CliError::usage(format!(
            "{what} is larger than {limit} bytes"
        )));
    }
    Ok(bytes)
}

/// A secret from a file or stdin; one trailing line break (as `echo` and
/// editors leave) is not part of it.
pub fn secret_from_file(path: &str, what: &str, stdin: &Stdin) -> Result<String, CliError> {
    let mut text = read(path, MAX_SECRET_BYTES, what, stdin)?;
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    Ok(text)
}

/// A secret from the environment variable `var`.
pub fn secret_from_env(var: &str, what: &str) -> Result<String, CliError> {
    std::env::var(var).map_err(|e| match e {
        std::env::VarError::NotPresent => {
            CliError::usage(format!("{what}: the variable {var} is not set"))
        }
        std::env::VarError::NotUnicode(_) => {
            CliError::usage(format!("{what}: the variable {var} is not UTF-8"))
        }
    })
}
