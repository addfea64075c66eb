use super::*;

const SETUP: &str = "\
clusters:
  - name: orders-dev
    region: europe-west1
    plan: Basic
    channel: Stable
    generation: \"8.8\"
    stageLabel: dev
    clients:
      - name: ci
        permissions: [Zeebe]
    secrets:
      - name: DB_PASSWORD
        value: env:ORDERS_DEV__DB_PASSWORD
    allowlist:
      - ip: 10.0.0.0/8
        description: office
members:
  - email: dev@example.com
    roles: [developer]
";

#[test]
fn a_setup_reads_from_yaml_and_from_json() {
    let setup = Setup::parse(SETUP, "setup.yaml").unwrap();
    let cluster = &setup.clusters.as_ref().unwrap()[0];
    assert_eq!(cluster.generation.as_deref(), Some("8.8"));
    assert_eq!(
        cluster.secrets.as_ref().unwrap()[0].value,
        SecretRef::Env("ORDERS_DEV__DB_PASSWORD".into())
    );
    let json = serde_json::to_string(&setup).unwrap();
    assert_eq!(Setup::parse(&json, "setup.json").unwrap(), setup);
    assert_eq!(
        Setup::parse(&setup.to_yaml().unwrap(), "again").unwrap(),
        setup
    );
}

#[test]
fn an_unknown_key_is_an_error_with_line_column_and_resource() {
    let text = SETUP.replace(
        "        permissions: [Zeebe]\n",
        "        permissions: [Zeebe]\n        colour: red\n",
    );
    let error = Setup::parse(&text, "setup.yaml").unwrap_err();
    let SetupError::Parse {
        line,
        column,
        ref resource,
        ..
    } = error
    else {
        panic!("{error}");
    };
    assert_eq!((line, column), (11, 9), "{error}");
    assert_eq!(
        resource.as_deref(),
        Some("cluster \"orders-dev\", client \"ci\"")
    );
    let shown = error.to_string();
    assert!(shown.starts_with("setup.yaml: line 11 column 9 (cluster \"orders-dev\", client \"ci\"): unknown field `colour`, expected one of name, permissions"), "{shown}");
    assert!(!shown.contains("at line"), "said once: {shown}");

    let top = Setup::parse("clusters: []\nteams: []\n", "f").unwrap_err();
    assert!(top.to_string().contains("line 2 column 1"), "{top}");
    let json = Setup::parse(
        r#"{"clusters": [{"name": "a", "region": "r", "plan": "p", "channel": "c", "size": 1}]}"#,
        "f.json",
    )
    .unwrap_err();
    assert!(
        json.to_string()
            .contains("line 1 column 73 (cluster \"a\"): unknown field `size`"),
        "{json}"
    );
    let flow = Setup::parse(
        r#"{"clusters": [{"name": "a", "region": "r", "plan": "p", "channel": "c",
            "secrets": [{"name": "S", "value": "literal-in-json"}]}]}"#,
        "f.json",
    )
    .unwrap_err()
    .to_string();
    assert!(flow.contains("(cluster \"a\", secret \"S\")"), "{flow}");
    assert!(!flow.contains("literal-in-json"), "{flow}");
}

#[test]
fn a_literal_secret_value_is_refused_without_being_repeated() {
    let text = SETUP.replace("env:ORDERS_DEV__DB_PASSWORD", "hunter2-literal");
    let error = Setup::parse(&text, "setup.yaml").unwrap_err().to_string();
    assert!(error.contains("literal value is refused"), "{error}");
    assert!(error.contains("line 13 column 16"), "{error}");
    assert!(!error.contains("at line"), "said once: {error}");
    assert!(error.contains("secret \"DB_PASSWORD\""), "{error}");
    assert!(!error.contains("hunter2"), "{error}");
    assert!(!format!("{:?}", Setup::parse(&text, "s").unwrap_err()).contains("hunter2"));
}

#[test]
fn every_check_names_the_resource() {
    let twice = SETUP.replace("  - email: dev@example.com\n    roles: [developer]\n", "  - email: dev@example.com\n    roles: [developer]\n  - email: Dev@example.com\n    roles: [admin]\n");
    let error = Setup::parse(&twice, "s").unwrap_err().to_string();
    assert_eq!(error, "member \"dev@example.com\": listed twice");
    let none = SETUP.replace("permissions: [Zeebe]", "permissions: []");
    let error = Setup::parse(&none, "s").unwrap_err().to_string();
    assert_eq!(
        error,
        "client \"ci\" of cluster \"orders-dev\": list at least one permission"
    );
    let zero = SETUP.replace(
        "    stageLabel: dev\n",
        "    stageLabel: dev\n    hardwarePackages: 0\n",
    );
    let error = Setup::parse(&zero, "s").unwrap_err().to_string();
    assert_eq!(
        error,
        "cluster \"orders-dev\": hardwarePackages is at least 1"
    );
}

#[test]
fn a_reference_reads_its_variable_or_file() {
    assert!(SecretRef::parse("env:").is_err());
    assert!(SecretRef::parse("env:A-B").is_err());
    assert!(SecretRef::parse("plain").is_err());
    let unset = SecretRef::parse("env:CAMUNDA_ADMIN_SETUP_TEST_SURELY_UNSET").unwrap();
    assert!(
        matches!(unset.read(), Ok(SecretValue::Unset(v)) if v == "CAMUNDA_ADMIN_SETUP_TEST_SURELY_UNSET")
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("value");
    std::fs::write(&path, "from-a-file\n").unwrap();
    let file = SecretRef::File(path);
    assert!(matches!(file.read(), Ok(SecretValue::Set(v)) if v.expose_secret() == "from-a-file"));
}

#[test]
fn env_names_are_upper_snake_of_cluster_and_secret() {
    assert_eq!(
        env_name("orders-dev", "DB_PASSWORD"),
        "ORDERS_DEV__DB_PASSWORD"
    );
    assert_eq!(env_name("8 ball", "api.key"), "_8_BALL__API_KEY");
}

/// `schemas/setup.schema.json` is what the types say; regenerate it with
/// `CAMUNDA_ADMIN_BLESS_SCHEMA=1 cargo test --all-features --lib setup::tests`.
#[cfg(feature = "schemars")]
#[test]
fn the_checked_in_json_schema_is_current() {
    let schema = schemars::schema_for!(Setup);
    let text = serde_json::to_string_pretty(&schema).unwrap() + "\n";
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/setup.schema.json");
    if std::env::var_os("CAMUNDA_ADMIN_BLESS_SCHEMA").is_some() {
        std::fs::write(path, &text).unwrap();
    }
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        checked_in == text,
        "schemas/setup.schema.json is stale: run CAMUNDA_ADMIN_BLESS_SCHEMA=1 cargo test --all-features --lib setup::tests and commit it"
    );
}

#[test]
fn an_empty_or_broken_file_still_says_where() {
    let error = Setup::parse("clusters: [", "broken.yaml")
        .unwrap_err()
        .to_string();
    assert!(error.starts_with("broken.yaml: "), "{error}");
    // An empty file manages nothing.
    assert_eq!(Setup::parse("", "empty.yaml").unwrap(), Setup::default());
}

/// The README's setup file reads as it is shown.
#[test]
fn the_readme_example_parses() {
    let readme = include_str!("../../README.md");
    let start = readme
        .find("```yaml\n# setup.yaml")
        .expect("the README shows a setup file");
    let block = &readme[start + "```yaml\n".len()..];
    let block = &block[..block.find("```").expect("the block ends")];
    let setup = Setup::parse(block, "README.md").unwrap_or_else(|e| panic!("{e}"));
    let cluster = &setup.clusters.as_ref().expect("clusters")[0];
    assert_eq!(cluster.hardware_packages, Some(1));
    assert_eq!(setup.members.as_ref().map(Vec::len), Some(1));
}
