#![no_main]
//! libFuzzer target; the body is `samplemind::fuzzing::api_inputs` (replayed by the tests).

libfuzzer_sys::fuzz_target!(|data: &[u8]| samplemind::fuzzing::api_inputs(data));
