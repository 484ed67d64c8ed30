#![no_main]
//! libFuzzer target; the body is `samplemind::fuzzing::decode_analyse` (replayed by the tests).

libfuzzer_sys::fuzz_target!(|data: &[u8]| samplemind::fuzzing::decode_analyse(data));
