//! `awsauth completions SHELL` and `awsauth man`: generated from clap's declarations, printed as
//! generated (nothing escaped away), covering every subcommand.
use std::process::{Command, Output};

use awsauth::manual::{self, Shell};
use clap::CommandFactory;

fn awsauth(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_awsauth"))
        .args(args)
        .output()
        .expect("runs")
}

fn stdout(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout.clone()).expect("UTF-8")
}

#[test]
fn every_shell_gets_a_script_completing_the_subcommands() {
    for (name, shell) in [
        ("bash", Shell::Bash),
        ("zsh", Shell::Zsh),
        ("fish", Shell::Fish),
        ("powershell", Shell::PowerShell),
        ("elvish", Shell::Elvish),
    ] {
        let script = stdout(&awsauth(&["completions", name]));
        assert!(script.len() > 1000, "{name}: {} bytes", script.len());
        for word in ["lint", "diff", "config", "completions", "fail-on"] {
            assert!(script.contains(word), "{name}: no `{word}`");
        }
        // printed exactly as clap_complete writes it (the output escaping changed nothing)
        let generated = manual::completions(awsauth::cli::Cli::command(), shell, "awsauth");
        assert_eq!(script, generated, "{name}");
    }
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let o = awsauth(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("possible values"));
}

#[test]
fn the_manual_page_is_roff_covering_every_subcommand() {
    let page = stdout(&awsauth(&["man"]));
    assert!(page.contains(".TH awsauth 1"), "{page}");
    assert_eq!(page, manual::page(awsauth::cli::Cli::command()));
    for sub in awsauth::cli::Cli::command().get_subcommands() {
        let heading = format!(".SH \"AWSAUTH {}\"", sub.get_name().to_uppercase());
        assert!(page.contains(&heading), "no `{heading}`");
    }
    for option in [r"\-\-fail\-on", r"\-\-no\-config", r"\-\-stdin\-filename"] {
        assert!(page.contains(option), "no `{option}`");
    }
    // one definition of `\*(Aq`, not one per part
    assert_eq!(page.matches(".ds Aq").count(), 2);
    assert_eq!(page.lines().filter(|l| l.starts_with(".TH")).count(), 1);
}

/// groff reads the page without a warning (where groff is installed).
#[test]
fn groff_reads_the_manual_page_cleanly() {
    let page = stdout(&awsauth(&["man"]));
    let Ok(mut child) = Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-z"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    else {
        return;
    };
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(page.as_bytes()).expect("write");
    }
    let o = child.wait_with_output().expect("groff");
    assert!(o.status.success());
    assert_eq!(String::from_utf8_lossy(&o.stderr), "");
}
