//! Link options of the `iamkit` binary.

fn main() {
    // Packed relative relocations (DT_RELR, glibc 2.36+, GNU ld 2.38+): the dynamic loader
    // applies the binary's ~13,000 relative relocations from a table of a few KB instead of
    // ~300 KB, which cuts `iamkit`'s start-up (BENCHMARKS.md, "Start-up").
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" && std::env::var_os("IAMKIT_NO_RELR").is_none() {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
    println!("cargo:rerun-if-env-changed=IAMKIT_NO_RELR");
}
