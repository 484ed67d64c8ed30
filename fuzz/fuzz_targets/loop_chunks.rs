#![no_main]
//! libFuzzer target; the body is `samplemind::fuzzing::loop_chunks` (replayed by the tests).

libfuzzer_sys::fuzz_target!(|data: &[u8]| samplemind::fuzzing::loop_chunks(data));
