//! `cargo fuzz run config`: see [`awsauth_fuzz::config`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| awsauth_fuzz::config(data));
