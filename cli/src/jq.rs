//! `--jq EXPR`: a jq filter over the answer, run in process by jaq (the
//! maintained Rust implementation of jq), as `gh --jq` does: no `jq` on the
//! PATH needed, and the same program on every platform.

use jaq_core::{
    data,
    load::{Arena, File, Loader},
    Compiler, Ctx, Vars,
};
use jaq_json::Val;
use serde_json::Value;

use crate::exit::CliError;

/// The outputs of `filter` run on `input`, as JSON values.
pub fn run(filter: &str, input: &Value) -> Result<Vec<Value>, CliError> {
    let defs = jaq_core::defs()
        .chain(jaq_std::defs())
        .chain(jaq_json::defs());
    let funs = jaq_core::funs()
        .chain(jaq_std::funs())
        .chain(jaq_json::funs());
    let arena = Arena::default();
    let program = File {
        code: filter,
        path: (),
    };
    let modules = Loader::new(defs).load(&arena, program).map_err(|errors| {
        let reasons: Vec<String> = errors.iter().map(|(_, e)| format!("{e:?}")).collect();
        CliError::usage(format!(
            "--jq: cannot parse {filter:?}: {}",
            reasons.join("; ")
        ))
    })?;
    let filter_ = Compiler::default()
        .with_funs(funs)
        .compile(modules)
        .map_err(|errors| {
            let names: Vec<String> = errors
                .iter()
                .flat_map(|(_, e)| e.iter().map(|(name, _)| (*name).to_owned()))
                .collect();
            CliError::usage(format!(
                "--jq: {filter:?} names what jq does not know: {}",
                names.join(", ")
            ))
        })?;
    let input = jaq_json::read::parse_single(input.to_string().as_bytes())
        .map_err(|e| CliError::usage(format!("--jq: the answer cannot be read: {e}")))?;
    let ctx = Ctx::<data::JustLut<Val>>::new(&filter_.lut, Vars::new([]));
    let mut out = Vec::new();
    for result in filter_.id.run((ctx, input)) {
        let value = result.map_err(|e| match e.get_err() {
            Ok(error) => CliError::usage(format!("--jq: {error}")),
            Err(_) => CliError::usage("--jq: the filter halted"),
        })?;
        // jaq writes JSON (its superset only for byte strings and
        // non-string keys, which no JSON input makes).
        let text = value.to_string();
        let json = serde_json::from_str(&text)
            .map_err(|_| CliError::usage(format!("--jq: {text} is not JSON")))?;
        out.push(json);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn filters_run_in_process() {
        let input = json!([{ "name": "a", "n": 1 }, { "name": "b", "n": 2 }]);
        assert_eq!(run(".[0].name", &input).ok(), Some(vec![json!("a")]));
        assert_eq!(
            run("map(select(.n > 1)) | length", &input).ok(),
            Some(vec![json!(1)])
        );
        assert_eq!(
            run(".[] | .name", &input).ok(),
            Some(vec![json!("a"), json!("b")])
        );
        assert!(run(".[", &input).is_err());
        assert!(run("nosuchfunction", &input).is_err());
        assert!(run("error(\"x\")", &input).is_err());
    }
}
