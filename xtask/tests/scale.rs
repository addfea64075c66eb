//! How `check-spec` and `update-spec` scale with the document's size.
//!
//! `scale_figures` (ignored: it takes minutes in a debug build) writes the
//! vendored document plus 5k, 10k, 20k, 40k and 150k extra schemas (each
//! an object with a string and a `$ref` to the next), runs the real binary
//! on each under `/usr/bin/time -v` when it is there, and prints wall time
//! and peak RSS. It asserts what a user sees (exit codes, the added schemas
//! listed), never a time:
//!
//! ```text
//! cargo test -p xtask --test scale -- --ignored --nocapture
//! XTASK_SCALE_COUNTS=40000 cargo test -p xtask --test scale -- --ignored --nocapture
//! ```

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The vendored document with `count` extra schemas.
fn document(count: usize) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/camunda-admin.json");
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let schemas = doc["components"]["schemas"].as_object_mut().unwrap();
    for i in 0..count {
        schemas.insert(
            format!("E{i}"),
            json!({ "type": "object", "properties": {
                "id": { "type": "string" },
                "next": { "$ref": format!("#/components/schemas/E{}", (i + 1) % count) } } }),
        );
    }
    doc
}

fn scratch() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("xtask-scale");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// What one run of the binary showed.
struct Run {
    code: i32,
    stdout: String,
    /// Wall-clock seconds.
    seconds: f64,
    /// User plus system CPU seconds (from `/usr/bin/time`): about the wall
    /// time on an idle machine, since xtask runs on one thread.
    cpu: Option<f64>,
    /// Peak RSS in KiB (from `/usr/bin/time`).
    rss: Option<u64>,
}

impl Run {
    fn line(&self, task: &str, count: usize) -> String {
        let cpu = self.cpu.map_or("?".into(), |c| format!("{c:.2}"));
        let rss = self.rss.map_or("?".into(), |r| r.to_string());
        format!(
            "{task:<12} {count:>7} schemas  wall {:>6.2} s  cpu {cpu:>6} s  peak RSS {rss:>8} KiB",
            self.seconds
        )
    }
}

/// One run of the binary, under `/usr/bin/time -v` when it is there.
fn measure(args: &[&str]) -> Run {
    let timer = Path::new("/usr/bin/time");
    let mut command = if timer.exists() {
        let mut command = Command::new(timer);
        command.arg("-v").arg(env!("CARGO_BIN_EXE_xtask"));
        command
    } else {
        Command::new(env!("CARGO_BIN_EXE_xtask"))
    };
    let start = Instant::now();
    let output = command.args(args).output().unwrap();
    let seconds = start.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let field = |name: &str| {
        stderr
            .lines()
            .find_map(|l| l.trim().strip_prefix(name))
            .map(|v| v.trim().to_owned())
    };
    let seconds_of = |name: &str| field(name).and_then(|v| v.parse::<f64>().ok());
    let cpu = seconds_of("User time (seconds): ")
        .zip(seconds_of("System time (seconds): "))
        .map(|(user, system)| user + system);
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        seconds,
        cpu,
        rss: field("Maximum resident set size (kbytes): ").and_then(|v| v.parse().ok()),
    }
}

fn run_both(count: usize) -> Vec<String> {
    let dir = scratch();
    let source = dir.join(format!("doc-{count}.json"));
    std::fs::write(&source, document(count).to_string()).unwrap();
    let vendored = Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/camunda-admin.json");
    let (source, vendored) = (source.to_str().unwrap(), vendored.to_str().unwrap());
    let check = measure(&["check-spec", "--against", source, "--spec", vendored]);
    let out = &check.stdout;
    assert_eq!(
        check.code, 1,
        "check-spec finds the added schemas: {out:.400}"
    );
    assert!(
        out.contains(&format!("Schemas added ({count}):")),
        "{out:.400}"
    );
    assert!(out.contains("\n  + E0\n") && out.contains(&format!("\n  + E{}\n", count - 1)));
    let update = measure(&[
        "update-spec",
        "--from",
        source,
        "--spec",
        vendored,
        "--dry-run",
    ]);
    let out = &update.stdout;
    assert_eq!(update.code, 0, "update-spec --dry-run: {out:.400}");
    assert!(out.contains("dry run:"), "{out:.400}");
    vec![
        check.line("check-spec", count),
        update.line("update-spec", count),
    ]
}

#[test]
#[ignore = "minutes in a debug build; prints the scaling figures"]
fn scale_figures() {
    let counts: Vec<usize> = std::env::var("XTASK_SCALE_COUNTS")
        .ok()
        .map(|list| {
            list.split(',')
                .filter_map(|c| c.trim().parse().ok())
                .collect()
        })
        .unwrap_or_else(|| vec![5_000, 10_000, 20_000, 40_000, 150_000]);
    let mut lines = Vec::new();
    for count in counts {
        lines.extend(run_both(count));
        eprintln!("{}", lines[lines.len() - 2..].join("\n"));
    }
    println!("\n{}", lines.join("\n"));
}

/// The same checks on a small document, in every test run.
#[test]
fn added_schemas_are_listed_and_a_dry_run_succeeds() {
    run_both(300);
}
