//! `cargo fuzz run section`: see [`awsauth_fuzz::section`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| awsauth_fuzz::section(data));
