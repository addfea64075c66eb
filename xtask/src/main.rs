//! `cargo xtask`: maintainer tasks of camunda-admin (see the library docs).

fn main() {
    let code = xtask::cli::run(
        std::env::args().skip(1),
        &mut std::io::stdout(),
        &mut std::io::stderr(),
    );
    std::process::exit(code);
}
