//! Configuration files, `extends` chains and baselines read as untrusted input (issue 11 item
//! 1): a pull request's `.awsauth.yaml` cannot make awsauth print a file it names, read outside
//! the repository, or hang on a device or FIFO. Every run is under a watchdog (`timeout`), so a
//! hang fails the test instead of stalling the suite.
mod common;

use common::{git, write};

use std::path::Path;
use std::process::{Command, Output};

/// A value no output may contain: it stands for a secret.
const SECRET: &str = "hunter2-3b1f0c";

const AUTH: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: aws-auth
  namespace: kube-system
data:
  mapRoles: |
    - rolearn: arn:aws:iam::111122223333:role/admin
      username: admin
      groups: [system:masters]
";

/// Runs awsauth in `dir` for at most 30 s (exit 124 when the watchdog fires), with the secret
/// in its environment.
fn awsauth(args: &[&str], dir: &Path) -> Output {
    Command::new("timeout")
        .args(["-k", "5", "30", env!("CARGO_BIN_EXE_awsauth")])
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("AWSAUTH_TEST_SECRET", SECRET)
        .output()
        .expect("runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A git working tree (a `.git` folder is what marks it) with an aws-auth and these files.
fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::create_dir(dir.path().join(".git")).expect("mkdir");
    write(dir.path(), "aws-auth.yaml", AUTH);
    for (name, body) in files {
        write(dir.path(), name, body);
    }
    dir
}

/// The run stopped on the configuration (exit 2), quickly, without the secret, saying `why`.
fn refused(o: &Output, why: &str) {
    let all = text(o);
    assert_eq!(o.status.code(), Some(2), "{all}");
    assert!(!all.contains(SECRET), "the secret is printed:\n{all}");
    assert!(all.contains(why), "expected `{why}` in:\n{all}");
}

#[test]
fn extends_cannot_read_the_environment_or_other_kernel_files() {
    for target in [
        "/proc/self/environ",
        "/proc/self/cmdline",
        "/dev/zero",
        "/dev/urandom",
    ] {
        let dir = repo(&[(".awsauth.yaml", &format!("extends: {target}\n"))]);
        for format in ["human", "concise", "json", "github"] {
            let o = awsauth(&["lint", "--format", format, "."], dir.path());
            refused(&o, "outside");
        }
    }
}

#[test]
fn extends_cannot_leave_the_repository() {
    let outside = tempfile::tempdir().expect("tmp");
    write(
        outside.path(),
        "creds.yaml",
        &format!("select: [all]\ntoken: {SECRET}\n"),
    );
    let creds = outside.path().join("creds.yaml");
    let dir = repo(&[]);
    // an absolute path, a relative one climbing out, and a symlink inside pointing out
    let up = format!(
        "{}{}",
        "../".repeat(dir.path().components().count()),
        creds.display()
    );
    std::os::unix::fs::symlink(&creds, dir.path().join("link.yaml")).expect("symlink");
    for target in [creds.display().to_string(), up, "link.yaml".to_owned()] {
        write(dir.path(), ".awsauth.yaml", &format!("extends: {target}\n"));
        let o = awsauth(&["lint", "."], dir.path());
        refused(&o, "is outside");
    }
}

#[test]
fn extends_never_reads_the_git_directory() {
    // actions/checkout persists the job's token in `.git/config`
    let dir = repo(&[(
        ".git/config",
        &format!("[http]\n\textraheader = AUTHORIZATION: basic {SECRET}\n"),
    )]);
    // also behind a link to a folder of `.git` and a `..` after it (the kernel resolves the
    // link first: `h/../config` is `.git/config`)
    std::os::unix::fs::symlink(".git/hooks", dir.path().join("h")).expect("symlink");
    write(dir.path(), "config", "fail-on: never\n");
    std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
    std::fs::create_dir(dir.path().join(".git/hooks")).expect("mkdir");
    for target in [".git/config", "./sub/../.git/config", "h/../config"] {
        write(dir.path(), ".awsauth.yaml", &format!("extends: {target}\n"));
        let o = awsauth(&["lint", "."], dir.path());
        refused(&o, "inside the `.git` directory");
    }
}

#[test]
fn extends_does_not_echo_a_file_that_is_no_configuration() {
    // a credentials file a CI step wrote into the workspace, in the shapes a parser may quote
    let shapes = [
        format!("{{\"type\": \"external_account\", \"token\": \"{SECRET}\"}}\n"),
        format!("AWS_SECRET_ACCESS_KEY={SECRET}\n"),
        format!("[default]\naws_secret_access_key = {SECRET}\n"),
        format!("- {SECRET}\n"),
        format!("key: [unclosed {SECRET}\n"),
        format!("{{\"auths\": {{\"ghcr.io\": {{\"auth\": \"{SECRET}\"}}}}}}"),
    ];
    for body in &shapes {
        let dir = repo(&[
            ("creds.json", body.as_str()),
            (".awsauth.yaml", "extends: creds.json\n"),
        ]);
        for format in ["human", "concise", "json", "github"] {
            let o = awsauth(&["lint", "--format", format, "."], dir.path());
            refused(&o, "not an awsauth configuration");
        }
        // the same file named by `--config`
        let o = awsauth(&["lint", "--config", "creds.json", "."], dir.path());
        refused(&o, "not an awsauth configuration");
    }
}

#[test]
fn extends_and_config_refuse_fifos_devices_and_directories_without_hanging() {
    let dir = repo(&[]);
    let fifo = dir.path().join("fifo.yaml");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo")
            .success()
    );
    std::fs::create_dir(dir.path().join("folder.yaml")).expect("mkdir");
    for (target, why) in [
        ("fifo.yaml", "not a regular file"),
        ("folder.yaml", "a directory"),
    ] {
        write(dir.path(), ".awsauth.yaml", &format!("extends: {target}\n"));
        refused(&awsauth(&["lint", "."], dir.path()), why);
        refused(
            &awsauth(&["lint", "--config", target, "aws-auth.yaml"], dir.path()),
            why,
        );
    }
    std::fs::remove_file(dir.path().join(".awsauth.yaml")).expect("rm");
    for (target, why) in [
        ("/dev/zero", "not a regular file"),
        ("/dev/urandom", "not a regular file"),
        ("/proc/self/environ", "a file of the kernel"),
    ] {
        refused(
            &awsauth(&["lint", "--config", target, "."], dir.path()),
            why,
        );
    }
}

#[test]
fn configuration_files_are_size_capped() {
    let big = format!("select: [all]\n{}", "# padding\n".repeat(120_000));
    let dir = repo(&[
        ("base.yaml", &big),
        (".awsauth.yaml", "extends: base.yaml\n"),
    ]);
    refused(
        &awsauth(&["lint", "."], dir.path()),
        "larger than the 1 MiB",
    );
    std::fs::remove_file(dir.path().join(".awsauth.yaml")).expect("rm");
    refused(
        &awsauth(&["lint", "--config", "base.yaml", "."], dir.path()),
        "larger than the 1 MiB",
    );
}

#[test]
fn extends_within_the_repository_still_works() {
    let dir = repo(&[
        (
            "org/base.yaml",
            "ignore: [iam-user-mapping]\nfail-on: error\n",
        ),
        ("teams/a/.awsauth.yaml", "extends: ../../org/base.yaml\n"),
    ]);
    write(dir.path(), "teams/a/aws-auth.yaml", AUTH);
    let o = awsauth(&["lint", "--format", "concise", "teams/a"], dir.path());
    let all = text(&o);
    // system-masters is a warning: with `fail-on: error` from the base, the run passes
    assert_eq!(o.status.code(), Some(0), "{all}");
    assert!(all.contains("system-masters"), "{all}");
}

#[test]
fn outside_a_repository_extends_stays_below_the_configuration() {
    let dir = tempfile::tempdir().expect("tmp");
    write(
        dir.path(),
        "secret.yaml",
        &format!("select: [all]\nbogus: {SECRET}\n"),
    );
    write(dir.path(), "project/aws-auth.yaml", AUTH);
    write(dir.path(), "project/org/base.yaml", "fail-on: error\n");
    write(
        dir.path(),
        "project/.awsauth.yaml",
        "extends: ../secret.yaml\n",
    );
    let project = dir.path().join("project");
    refused(&awsauth(&["lint", "."], &project), "directory tree");
    write(
        dir.path(),
        "project/.awsauth.yaml",
        "extends: org/base.yaml\n",
    );
    let o = awsauth(&["lint", "."], &project);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
fn baselines_are_regular_size_capped_files_and_not_echoed() {
    let dir = repo(&[(
        "creds.json",
        &format!("{{\"token\": \"{SECRET}\", \"version\": [1]}}"),
    )]);
    let fifo = dir.path().join("fifo.json");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo")
            .success()
    );
    for (baseline, why) in [
        ("/dev/zero", "not a regular file"),
        ("/dev/urandom", "not a regular file"),
        ("fifo.json", "not a regular file"),
        ("/proc/self/environ", "a file of the kernel"),
        ("creds.json", "is not an awsauth baseline"),
    ] {
        refused(
            &awsauth(&["lint", "--baseline", baseline, "."], dir.path()),
            why,
        );
    }
    // a damaged baseline still gets the parser's message
    write(
        dir.path(),
        "baseline.json",
        "{\"version\": 1, \"findings\": [{\"rule\": 3}]}",
    );
    refused(
        &awsauth(&["lint", "--baseline", "baseline.json", "."], dir.path()),
        "not a valid awsauth baseline",
    );
}

#[test]
fn the_base_configuration_of_a_diff_is_confined_too() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    write(root, "aws-auth.yaml", AUTH);
    write(root, "creds.json", &format!("{{\"token\": \"{SECRET}\"}}"));
    for (i, target) in ["/proc/self/environ", ".git/config", "creds.json"]
        .iter()
        .enumerate()
    {
        write(root, ".awsauth.yaml", &format!("extends: {target}\n"));
        git(root, &["add", "-A"]);
        git(root, &["commit", "-q", "-m", &format!("base {i}")]);
        // the change fixes the configuration: BASE's still decides, and cannot be read
        write(root, ".awsauth.yaml", "fail-on: error\n");
        write(root, "aws-auth.yaml", &AUTH.replace("admin\n", "root\n"));
        let o = awsauth(&["diff", "HEAD"], root);
        let all = text(&o);
        assert!(!all.contains(SECRET), "the secret is printed:\n{all}");
        assert!(
            all.contains("configuration at the base commit"),
            "the base configuration is not reported as unusable:\n{all}"
        );
        write(root, "aws-auth.yaml", AUTH);
    }
}

/// A repository whose `main` has `base_config` (if any) and a harmless aws-auth, and whose
/// working tree adds an admin mapping (a `system-masters` warning) and `pr_config`.
fn pull_request(base_config: Option<&str>, pr_config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    write(
        root,
        "clusters/prod/aws-auth.yaml",
        &AUTH.replace(
            "      groups: [system:masters]\n",
            "      groups: [viewers]\n",
        ),
    );
    if let Some(c) = base_config {
        write(root, ".awsauth.yaml", c);
    }
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "base"]);
    git(root, &["checkout", "-q", "-b", "pr"]);
    write(root, "clusters/prod/aws-auth.yaml", AUTH);
    write(root, ".awsauth.yaml", pr_config);
    dir
}

#[test]
fn a_pull_request_cannot_switch_new_only_off_with_its_configuration() {
    let relaxations = [
        "fail-on: never\n",
        "ignore: [all]\n",
        "select: [missing-arn]\n",
        "exclude: [\"clusters/**\"]\n",
        "exclude: [aws-auth.yaml]\n",
        "per-file-ignores:\n  \"**\": [all]\n",
        "rules:\n  system-masters: {severity: off}\n",
        "rules:\n  system-masters:\n    allow: [{arn: \"*\", reason: trust me}]\n",
    ];
    for base in [None, Some("fail-on: warning\n")] {
        for pr in relaxations {
            let dir = pull_request(base, pr);
            let o = awsauth(
                &[
                    "lint",
                    "--new-only",
                    "--base",
                    "main",
                    "--format",
                    "concise",
                ],
                dir.path(),
            );
            let all = text(&o);
            assert_eq!(o.status.code(), Some(1), "{pr}: {all}");
            assert!(all.contains("system-masters"), "{pr}: {all}");
            assert!(
                all.contains("configuration of the base revision"),
                "{pr}: the run does not say which configuration decides:\n{all}"
            );
            // without --new-only the working tree's configuration applies, as documented
            let o = awsauth(&["lint", "--format", "concise"], dir.path());
            assert_ne!(o.status.code(), Some(2), "{pr}: {}", text(&o));
        }
    }
}

#[test]
fn new_only_reads_the_base_configuration_and_the_users_flags_still_win() {
    // the base's own relaxation is honoured: it was reviewed when it was merged
    let dir = pull_request(Some("fail-on: never\n"), "fail-on: warning\n");
    let o = awsauth(&["lint", "--new-only", "--base", "main"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // the command line is the workflow's, not the pull request's
    let o = awsauth(
        &[
            "lint",
            "--new-only",
            "--base",
            "main",
            "--fail-on",
            "warning",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    // a broken base configuration: the defaults, with a warning
    let dir = pull_request(Some("fail-on: [oops]\n"), "fail-on: never\n");
    let o = awsauth(&["lint", "--new-only", "--base", "main"], dir.path());
    let all = text(&o);
    assert_eq!(o.status.code(), Some(1), "{all}");
    assert!(
        all.contains("cannot be used: findings are judged with the default configuration"),
        "{all}"
    );
}

#[test]
fn a_file_named_like_an_option_is_a_file_after_the_double_dash() {
    let dir = repo(&[("cfg.yaml", "fail-on: never\n")]);
    std::fs::rename(
        dir.path().join("aws-auth.yaml"),
        dir.path().join("--config=cfg.yaml"),
    )
    .expect("rename");
    // as the README's hook recipes pass file names: after `--`
    let o = awsauth(
        &["lint", "--format", "concise", "--", "--config=cfg.yaml"],
        dir.path(),
    );
    let all = text(&o);
    assert_eq!(o.status.code(), Some(1), "{all}");
    assert!(all.contains("--config=cfg.yaml:"), "{all}");
}

#[test]
fn the_base_configuration_is_size_capped_too() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    write(root, "aws-auth.yaml", AUTH);
    write(
        root,
        ".awsauth.yaml",
        &format!("fail-on: never\n{}", "# padding\n".repeat(120_000)),
    );
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "base"]);
    write(root, ".awsauth.yaml", "fail-on: error\n");
    write(root, "aws-auth.yaml", &AUTH.replace("admin\n", "root\n"));
    for args in [
        &["diff", "HEAD"][..],
        &["lint", "--new-only", "--base", "HEAD"][..],
    ] {
        let o = awsauth(args, root);
        let all = text(&o);
        assert!(all.contains("larger than the 1 MiB"), "{args:?}: {all}");
        assert!(all.contains("cannot be used"), "{args:?}: {all}");
    }
}

#[test]
fn a_configuration_file_that_links_out_of_the_repository_is_not_read() {
    let outside = tempfile::tempdir().expect("tmp");
    write(
        outside.path(),
        "config.json",
        &format!("{{\"auths\": {{\"ghcr.io\": {{\"auth\": \"{SECRET}\"}}}}}}\n"),
    );
    write(outside.path(), "sub/x", "");
    write(
        outside.path(),
        ".awsauth.yaml",
        &format!("fail-on: never\nbogus: {SECRET}\n"),
    );
    let dir = repo(&[]);
    // the discovered `.awsauth.yaml` is a link out
    std::os::unix::fs::symlink(
        outside.path().join("config.json"),
        dir.path().join(".awsauth.yaml"),
    )
    .expect("symlink");
    refused(&awsauth(&["lint", "."], dir.path()), "is outside");
    refused(&awsauth(&["inspect", "."], dir.path()), "is outside");
    // `..` after a link to a folder outside reads beside the link's target, not here
    std::fs::remove_file(dir.path().join(".awsauth.yaml")).expect("rm");
    std::os::unix::fs::symlink(outside.path().join("sub"), dir.path().join("l")).expect("symlink");
    write(dir.path(), ".awsauth.yaml", "extends: l/../.awsauth.yaml\n");
    refused(&awsauth(&["lint", "."], dir.path()), "is outside");
}

#[test]
fn a_long_extends_chain_is_refused_quickly() {
    let dir = repo(&[]);
    for i in 0..5_000 {
        write(
            dir.path(),
            &format!("c/{i}.yaml"),
            &format!("extends: {}.yaml\n", i + 1),
        );
    }
    write(dir.path(), "c/5000.yaml", "fail-on: never\n");
    write(dir.path(), ".awsauth.yaml", "extends: c/0.yaml\n");
    refused(
        &awsauth(&["lint", "."], dir.path()),
        "chain longer than 32 files",
    );
}

#[test]
fn deleting_the_configuration_does_not_switch_the_diff_off() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    write(
        root,
        ".awsauth.yaml",
        "cluster:\n  account-ids: [\"111122223333\"]\n",
    );
    // (a role of the other account is mapped already: without the configuration, the accounts
    // already mapped would decide what is cross-account)
    let legacy = format!(
        "{AUTH}    - rolearn: arn:aws:iam::999999999999:role/legacy\n      groups: [view]\n"
    );
    write(root, "aws-auth.yaml", &legacy);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "base"]);
    // the change maps another role of that account, and deletes the configuration
    std::fs::remove_file(root.join(".awsauth.yaml")).expect("rm");
    let vendor =
        "    - rolearn: arn:aws:iam::999999999999:role/vendor-admin\n      groups: [view]\n";
    write(root, "aws-auth.yaml", &format!("{legacy}{vendor}"));
    let o = awsauth(&["diff", "HEAD", "--format", "json"], root);
    let all = text(&o);
    assert_eq!(o.status.code(), Some(1), "{all}");
    assert!(all.contains("another account"), "{all}");
}

#[test]
fn no_file_is_written_below_a_linked_folder() {
    let outside = tempfile::tempdir().expect("tmp");
    let dir = repo(&[]);
    std::os::unix::fs::symlink(outside.path(), dir.path().join("ci")).expect("symlink");
    let o = awsauth(
        &["lint", "--write-baseline", "ci/baseline.json", "."],
        dir.path(),
    );
    refused(&o, "a symbolic link");
    let o = awsauth(
        &["rules", "--format", "markdown", "--out", "ci"],
        dir.path(),
    );
    refused(&o, "a symbolic link");
    let o = awsauth(
        &["rules", "--format", "markdown", "--out", "ci/rules"],
        dir.path(),
    );
    refused(&o, "a symbolic link");
    let left: Vec<_> = std::fs::read_dir(outside.path()).expect("ls").collect();
    assert!(left.is_empty(), "written through the link: {left:?}");
    // a real folder is fine
    std::fs::create_dir(dir.path().join("out")).expect("mkdir");
    let o = awsauth(
        &["lint", "--write-baseline", "out/baseline.json", "."],
        dir.path(),
    );
    assert_ne!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn policies_are_bounded_in_number_and_in_findings() {
    let mut mappings = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n",
    );
    for i in 0..20_000 {
        mappings.push_str(&format!(
            "    - {{rolearn: arn:aws:iam::111122223333:role/r{i}, username: u, groups: [g]}}\n"
        ));
    }
    let policies = |n: usize| {
        let mut c = String::from("policies:\n");
        for i in 0..n {
            c.push_str(&format!("  - id: p{i}\n    forbid: {{ arn: [\"*\"] }}\n"));
        }
        c
    };
    let dir = repo(&[
        ("aws-auth.yaml", &mappings),
        (".awsauth.yaml", &policies(65)),
    ]);
    refused(
        &awsauth(&["lint", "."], dir.path()),
        "more than 64 policies",
    );
    write(dir.path(), ".awsauth.yaml", &policies(64));
    let o = awsauth(
        &["lint", "--format", "concise", "--select", "policy", "."],
        dir.path(),
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    // 100 findings a policy, and one that counts the rest
    assert_eq!(
        out.lines().filter(|l| l.contains("error[p7]")).count(),
        101,
        "{out:.2000}"
    );
    assert!(
        out.contains("19900 more mapping(s) from here on break policy `p7`"),
        "{out:.2000}"
    );
}

#[test]
fn a_pull_request_cannot_hide_its_manifest_from_new_only() {
    for (hide, path) in [
        (".ignore", "clusters/prod/aws-auth.yaml"),
        (".gitignore", "clusters/prod/aws-auth.yaml"),
        (".ignore", "clusters"),
        ("", ".hidden/aws-auth.yaml"),
    ] {
        let dir = pull_request(None, "fail-on: warning\n");
        let root = dir.path();
        if hide.is_empty() {
            std::fs::create_dir_all(root.join(".hidden")).expect("mkdir");
            std::fs::rename(root.join("clusters/prod/aws-auth.yaml"), root.join(path)).expect("mv");
        } else {
            write(root, hide, &format!("{path}\n"));
        }
        // as CI sees a pull request: committed
        git(root, &["add", "-A", "-f"]);
        git(root, &["commit", "-q", "-m", "pr"]);
        let o = awsauth(
            &[
                "lint",
                "--new-only",
                "--base",
                "main",
                "--format",
                "concise",
            ],
            root,
        );
        let all = text(&o);
        assert_eq!(o.status.code(), Some(1), "{hide} {path}: {all}");
        assert!(all.contains("system-masters"), "{hide} {path}: {all}");
    }
}
