//! Process hardening at start (Linux): the process is made non-dumpable and its core-file
//! limit 0, so neither a crash nor Ctrl-\ writes a seed or key to disk, and another process of
//! the same user cannot read its memory (`/proc/PID/mem`, ptrace). Elsewhere nothing is done.

#[cfg(target_os = "linux")]
mod imp {
    use std::sync::OnceLock;

    use rustix::process::{
        DumpableBehavior, Resource, Rlimit, getrlimit, set_dumpable_behavior, setrlimit,
    };

    /// The core-file limit iamkit was started with, given back to a `creds exec` command.
    static STARTED_WITH: OnceLock<Rlimit> = OnceLock::new();

    pub(crate) fn process() {
        // Neither call can fail for an ordinary process; if one did, iamkit would still work,
        // only without this protection.
        let _ = set_dumpable_behavior(DumpableBehavior::NotDumpable);
        let before = getrlimit(Resource::Core);
        let zero = Rlimit {
            current: Some(0),
            maximum: before.maximum,
        };
        let _ = STARTED_WITH.set(before);
        let _ = setrlimit(Resource::Core, zero);
    }

    pub(crate) fn restore_core_limit_for_child() {
        // Not dumpable stays in force until the exec (which resets it): no core is written
        // in between.
        if let Some(before) = STARTED_WITH.get() {
            let _ = setrlimit(Resource::Core, *before);
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    pub(crate) fn process() {}

    pub(crate) fn restore_core_limit_for_child() {}
}

/// Makes this process non-dumpable with a core-file limit of 0 (Linux). Called first thing in
/// `main`: every command but `completions` and `demo` handles a secret.
pub(crate) use imp::process;

/// Gives a command that `creds exec` is about to run the core-file limit iamkit started with
/// (the exec itself makes it dumpable again).
pub(crate) use imp::restore_core_limit_for_child;
