//! Exit codes by kind of failure, and the one line printed on stderr.
//!
//! | code | kind |
//! | --- | --- |
//! | 0 | success; also a closed reader of stdout (`cmd \| head`) |
//! | 1 | other failure (stdout could not be written, the emulator could not start) |
//! | 2 | usage: bad arguments, unreadable input, a name that matches no choice or several, a secret shown once the output would lose |
//! | 3 | configuration: missing or invalid `CAMUNDA_*` settings |
//! | 4 | authentication: credentials refused, no token, token rejected |
//! | 5 | API 4xx: the API refused the request (not found, conflict, forbidden, ...) |
//! | 6 | API 5xx: the API failed, or a create may have happened |
//! | 7 | transport: no answer from the API or the token service |
//! | 8 | decode: an answer that does not parse, or is too large |
//! | 9 | wait failed: the awaited thing ended in a state that will not turn good |
//! | 10 | wait timed out |
//! | 11 | `plan`: the live setup differs from the file (an answer, not a failure) |

use std::{error::Error as _, fmt, process::ExitCode};

use camunda_admin::{AuthError, Error};

/// The kinds of failure, each with its exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Anything not listed below.
    Other = 1,
    /// Bad arguments or input.
    Usage = 2,
    /// Unusable configuration.
    Config = 3,
    /// Authentication failed.
    Auth = 4,
    /// The API answered 4xx.
    Api4xx = 5,
    /// The API answered 5xx.
    Api5xx = 6,
    /// No answer.
    Transport = 7,
    /// An answer that does not decode.
    Decode = 8,
    /// A wait ended in a bad state.
    WaitFailed = 9,
    /// A wait timed out.
    WaitTimedOut = 10,
    /// `plan`: the live setup differs from the file. An answer, as `diff`'s
    /// 1, not a failure: nothing is printed on stderr for it.
    Differs = 11,
}

/// The exit codes in one line, for `--help`.
pub const SUMMARY: &str = "Exit codes: 2 usage, 3 configuration, 4 authentication, 5 API 4xx, 6 API 5xx, 7 transport, 8 decode, 9 wait failed, 10 wait timed out, 11 plan: the live setup differs from the file.";

/// A failure of the command line: its kind and one line of text.
#[derive(Debug)]
pub struct CliError {
    /// What kind of failure, and so the exit code.
    pub kind: Kind,
    message: String,
}

impl CliError {
    /// A failure of `kind`.
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// `plan`'s answer that the live setup differs: exit 11, with nothing
    /// on stderr (the plan on stdout says what differs).
    pub fn differs() -> Self {
        Self::new(Kind::Differs, "")
    }

    /// Whether there is a line to print on stderr.
    pub fn has_message(&self) -> bool {
        !self.message.trim().is_empty()
    }

    /// A usage error.
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Kind::Usage, message)
    }

    /// The exit code of this failure.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.kind as u8)
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One line, whatever the sources said.
        let line: Vec<&str> = self.message.split_whitespace().collect();
        f.write_str(&line.join(" "))
    }
}

/// The kind of an SDK error. A token service that gave no answer at all
/// (refused, unresolvable, timed out) is transport, as an API that gives
/// none: the library keeps it an authentication error (`is_auth()`), but a
/// CI job may retry it and must not read it as refused credentials.
pub fn kind_of(error: &Error) -> Kind {
    match error {
        Error::Auth(AuthError::TokenServiceUnavailable { status: None, .. }) => Kind::Transport,
        Error::Auth(_) => Kind::Auth,
        Error::Api(e) if e.status.is_server_error() => Kind::Api5xx,
        Error::Api(_) | Error::AlreadyExists { .. } => Kind::Api4xx,
        Error::MaybeCreated { status, .. } if *status < 500 => Kind::Api4xx,
        Error::MaybeCreated { .. } => Kind::Api5xx,
        Error::Decode { .. } | Error::BodyTooLarge { .. } => Kind::Decode,
        Error::Transport { .. } => Kind::Transport,
        Error::InvalidRequest { .. } | Error::Lookup(_) => Kind::Usage,
        Error::Config(_) => Kind::Config,
        Error::WaitFailed { .. } => Kind::WaitFailed,
        Error::WaitTimedOut { .. } => Kind::WaitTimedOut,
        _ => Kind::Other,
    }
}

impl From<Error> for CliError {
    fn from(error: Error) -> Self {
        // The SDK's messages hold no secret; their sources (reqwest's
        // "error sending request ...") say why a call got no answer.
        let mut message = error.to_string();
        let mut source = error.source();
        while let Some(cause) = source {
            let text = cause.to_string();
            if !message.contains(&text) {
                message = format!("{message}: {text}");
            }
            source = cause.source();
        }
        CliError::new(kind_of(&error), message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind, by code.
    const ALL: [Kind; 11] = [
        Kind::Other,
        Kind::Usage,
        Kind::Config,
        Kind::Auth,
        Kind::Api4xx,
        Kind::Api5xx,
        Kind::Transport,
        Kind::Decode,
        Kind::WaitFailed,
        Kind::WaitTimedOut,
        Kind::Differs,
    ];

    /// The README's table, this module's table, `--help` and the kinds
    /// list the same codes.
    #[test]
    fn every_exit_code_is_documented_where_users_look() {
        let readme = include_str!("../../README.md");
        let rows: Vec<u8> = readme
            .lines()
            .skip_while(|l| !l.starts_with("| code | kind |"))
            .skip(2)
            .take_while(|l| l.starts_with('|'))
            .filter_map(|l| l.trim_start_matches('|').split('|').next())
            .filter_map(|code| code.trim().parse().ok())
            .collect();
        let mut codes: Vec<u8> = ALL.iter().map(|k| *k as u8).collect();
        codes.insert(0, 0);
        assert_eq!(rows, codes, "README's exit code table");
        let module = include_str!("exit.rs");
        for kind in ALL {
            let code = kind as u8;
            assert!(
                module.contains(&format!("//! | {code} |")),
                "{code} in exit.rs"
            );
            if code >= 2 {
                assert!(SUMMARY.contains(&format!(" {code} ")), "{code} in --help");
            }
        }
        let words = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
        let help = words(&crate::cli().render_long_help().to_string());
        assert!(help.contains(SUMMARY), "{help}");
    }

    #[test]
    fn differs_is_exit_11_and_says_nothing() {
        let answer = CliError::differs();
        assert_eq!(answer.kind as u8, 11);
        assert!(!answer.has_message());
        assert!(CliError::usage("x").has_message());
    }
}
