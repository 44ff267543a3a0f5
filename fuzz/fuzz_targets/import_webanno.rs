#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| marginalia_fuzz::import_webanno(data));
