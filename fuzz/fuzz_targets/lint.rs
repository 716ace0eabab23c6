//! `cargo fuzz run lint`: see [`awsauth_fuzz::lint`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| awsauth_fuzz::lint(data));
