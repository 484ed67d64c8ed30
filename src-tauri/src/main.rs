//! The SampleMind desktop app's entry point.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // Before any thread starts: the environment is read by WebKit when the window opens.
    #[cfg(target_os = "linux")]
    samplemind_app::linux_webkit_defaults();
    samplemind_app::run();
}
