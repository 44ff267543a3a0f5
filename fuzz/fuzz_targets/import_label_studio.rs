#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| marginalia_fuzz::import_label_studio(data));
