//! Every subcommand's `--help` opens with the description its parent lists for it: clap builds
//! a subcommand's arguments only when it runs (`defer`, for start-up time), and a doc comment on
//! an argument struct would then replace that description (as it did for `creds add --help`,
//! which opened with "`iamkit creds add`").
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

/// The `(name, description)` pairs of a help text's `Commands:` section, continuation lines
/// joined, whitespace normalised; `help` left out.
fn listed(help: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut in_commands = false;
    for line in help.lines() {
        if line.trim() == "Commands:" {
            in_commands = true;
            continue;
        }
        if !in_commands {
            continue;
        }
        if line.trim().is_empty() || !line.starts_with("  ") {
            break;
        }
        let continuation = line.starts_with("    ") && !out.is_empty();
        if continuation {
            let last = out.last_mut().unwrap();
            last.1.push(' ');
            last.1.push_str(line.trim());
        } else {
            let (name, rest) = line
                .trim()
                .split_once(char::is_whitespace)
                .unwrap_or((line.trim(), ""));
            out.push((name.to_owned(), rest.trim().to_owned()));
        }
    }
    out.retain(|(n, _)| n != "help");
    out
}

/// The first paragraph of a help text, whitespace normalised.
fn first_paragraph(help: &str) -> String {
    help.lines()
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}

fn help(path: &[&str]) -> String {
    let mut args = path.to_vec();
    args.push("--help");
    util::run(&args, &[("COLUMNS", "100")], "").ok().to_owned()
}

#[test]
fn every_subcommand_help_opens_with_its_listed_description() {
    let mut checked = 0;
    let mut queue: Vec<Vec<String>> = vec![Vec::new()];
    while let Some(path) = queue.pop() {
        let path_refs: Vec<&str> = path.iter().map(String::as_str).collect();
        let parent = help(&path_refs);
        for (name, description) in listed(&parent) {
            let mut child = path.clone();
            child.push(name);
            let child_refs: Vec<&str> = child.iter().map(String::as_str).collect();
            let text = help(&child_refs);
            // The listing drops a closing full stop.
            assert_eq!(
                first_paragraph(&text).trim_end_matches('.'),
                description.trim_end_matches('.'),
                "`iamkit {} --help` does not open with what `iamkit {} --help` lists for it",
                child.join(" "),
                path.join(" ")
            );
            checked += 1;
            queue.push(child);
        }
    }
    assert!(
        checked > 30,
        "only {checked} subcommands found: the help format changed?"
    );
}
