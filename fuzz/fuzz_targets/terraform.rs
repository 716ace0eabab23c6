//! `cargo fuzz run terraform`: see [`awsauth_fuzz::terraform`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| awsauth_fuzz::terraform(data));
