#![no_main]
//! libFuzzer target; the body is `samplemind::fuzzing::ai_answers` (replayed by the tests).

libfuzzer_sys::fuzz_target!(|data: &[u8]| samplemind::fuzzing::ai_answers(data));
