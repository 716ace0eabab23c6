//! `cargo fuzz run load`: see [`awsauth_fuzz::load`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| awsauth_fuzz::load(data));
