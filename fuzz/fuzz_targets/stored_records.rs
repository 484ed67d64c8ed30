#![no_main]
//! libFuzzer target; the body is `samplemind::fuzzing::stored_records` (replayed by the tests).

libfuzzer_sys::fuzz_target!(|data: &[u8]| samplemind::fuzzing::stored_records(data));
