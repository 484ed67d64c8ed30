//! tauri.conf.json sits at the repository root (DESIGN.md), beside the core's Cargo.toml.
fn main() {
    tauri_build::try_build(tauri_build::Attributes::new().config_path("../tauri.conf.json"))
        .expect("tauri build step");
}
