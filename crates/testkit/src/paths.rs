//! Where things are: the workspace, its scripts, and the shared vectors beside the checkout.

use std::path::{Path, PathBuf};

/// The workspace root (the checkout).
pub fn workspace() -> PathBuf {
    // This crate is `<workspace>/crates/testkit`.
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent()
        .and_then(Path::parent)
        .unwrap_or(here)
        .to_path_buf()
}

/// `<workspace>/scripts/<name>`: the peers' driver scripts.
pub fn script(name: &str) -> PathBuf {
    workspace().join("scripts").join(name)
}

/// `<workspace>/../shared`: the shared design, the CLI contract and the vectors. CI keeps
/// `shared/` beside the checkout.
pub fn shared() -> PathBuf {
    workspace().join("../shared")
}

/// `<workspace>/../shared/vectors/<rel>` (`rel` may be empty for the directory itself).
pub fn vectors(rel: &str) -> PathBuf {
    let dir = shared().join("vectors");
    if rel.is_empty() { dir } else { dir.join(rel) }
}
