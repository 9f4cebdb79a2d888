//! Records the target triple, so that the architecture tests can ask `cargo metadata`
//! about this platform's dependencies only.

fn main() {
    let target = std::env::var("TARGET").unwrap_or_default();
    println!("cargo:rustc-env=SKAFADA_TARGET={target}");
}
