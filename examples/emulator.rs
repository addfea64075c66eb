//! Run the emulator of the Administration API on its own, for curl and
//! tools in other languages, until Ctrl-C.
//!
//! ```text
//! cargo run --example emulator              # a free port
//! cargo run --example emulator -- 8089      # a fixed port
//! ```
//!
//! It prints the base URL, the token URL and the admin credential (a fake
//! one that only this local emulator accepts), and the environment to point
//! Camunda's SDKs at it.

use std::time::Duration;

use camunda_admin::emulator::Emulator;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port = match std::env::args().nth(1) {
        Some(arg) => arg
            .parse::<u16>()
            .map_err(|_| format!("the port must be a number from 0 to 65535, not {arg:?}"))?,
        None => 0,
    };
    let emulator = Emulator::builder()
        .port(port)
        .cluster_ready_delay(Duration::from_secs(5))
        .start()
        .await?;
    let secret = emulator.admin_client_secret();

    println!("Camunda Administration API emulator");
    println!("  base URL:      {}", emulator.base_url());
    println!("  token URL:     {}", emulator.token_url());
    println!("  audience:      {}", emulator.audience());
    println!("  client id:     {}", emulator.admin_client_id());
    println!("  client secret: {}", secret.expose_secret());
    println!();
    println!("Environment for Camunda's SDKs:");
    println!("  export CAMUNDA_CONSOLE_BASE_URL={}", emulator.base_url());
    println!("  export CAMUNDA_OAUTH_URL={}", emulator.token_url());
    println!(
        "  export CAMUNDA_CONSOLE_OAUTH_AUDIENCE={}",
        emulator.audience()
    );
    println!(
        "  export CAMUNDA_CONSOLE_CLIENT_ID={}",
        emulator.admin_client_id()
    );
    println!(
        "  export CAMUNDA_CONSOLE_CLIENT_SECRET='{}'",
        secret.expose_secret()
    );
    println!(
        "  export CAMUNDA_EMULATOR_CONTROL_TOKEN='{}'",
        emulator.control_token().expose_secret()
    );
    println!();
    println!("Try:");
    println!(
        "  curl -s -X POST {} -H 'content-type: application/json' \\\n    -d '{{\"grant_type\":\"client_credentials\",\"client_id\":\"{}\",\"client_secret\":\"{}\",\"audience\":\"{}\"}}'",
        emulator.token_url(),
        emulator.admin_client_id(),
        secret.expose_secret(),
        emulator.audience()
    );
    println!(
        "  curl -s {}/clusters/parameters -H \"authorization: Bearer $TOKEN\"",
        emulator.base_url()
    );
    println!(
        "  curl -s {}/faults -H \"authorization: Bearer $CAMUNDA_EMULATOR_CONTROL_TOKEN\" \\\n    -d '{{\"operationId\": \"GetClusters\", \"status\": 503}}'",
        emulator.control_url()
    );
    println!(
        "  curl -s {}/requests -H \"authorization: Bearer $CAMUNDA_EMULATOR_CONTROL_TOKEN\"",
        emulator.control_url()
    );
    println!();
    println!("Press Ctrl-C to stop.");

    // Serve until Ctrl-C, then close the connections and stop; what the
    // emulator held in memory goes with it.
    emulator
        .run_until(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await;
    println!("stopped");
    Ok(())
}
