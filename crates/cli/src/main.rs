//! `iamkit`: the command line. Parses flags, calls the libraries, prints, maps errors to exit
//! statuses (see `shared/spec/cli.md`).

use clap::Parser;

/// MFA codes, AWS keys and request signing from the terminal.
#[derive(Debug, Parser)]
#[command(name = "iamkit", version, about)]
struct Cli {}

fn main() {
    let _cli = Cli::parse();
}
