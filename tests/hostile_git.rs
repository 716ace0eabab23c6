//! awsauth against repositories that try to make it run something or write something: hooks,
//! clean filters, lazy fetches through a configured remote command, symbolic links where it
//! writes, and submodules where it does not look. Each repository is a throw-away one.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, SystemTime};

use common::{json, stderr};

/// A throw-away repository with its own `$HOME` (the global git configuration) and temporary
/// directory, outside the working tree.
struct Sandbox {
    _dir: tempfile::TempDir,
    home: PathBuf,
    tmp: PathBuf,
    repo: PathBuf,
}

impl Sandbox {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("tmp");
        let home = dir.path().join("home");
        let tmp = dir.path().join("tmp");
        let repo = dir.path().join("repo");
        for d in [&home, &tmp, &repo] {
            std::fs::create_dir_all(d).expect("mkdir");
        }
        let s = Self {
            _dir: dir,
            home,
            tmp,
            repo,
        };
        s.git(&s.repo, &["init", "-q", "-b", "main"]);
        s
    }

    fn git(&self, dir: &Path, args: &[&str]) -> String {
        common::git_in(dir, &self.home, args)
    }

    fn awsauth(&self, dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> Output {
        let mut c = Command::new(env!("CARGO_BIN_EXE_awsauth"));
        c.args(args)
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .env("HOME", &self.home)
            .env("TMPDIR", &self.tmp)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env_remove("GIT_INDEX_FILE");
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().expect("runs")
    }

    fn write(&self, name: &str, text: &str) {
        common::write(&self.repo, name, text);
    }

    /// The marker files hooks and filters leave, by name.
    fn markers(&self) -> Vec<String> {
        let mut found: Vec<String> = std::fs::read_dir(&self.home)
            .expect("ls")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("ran-"))
            .collect();
        found.sort();
        found
    }

    fn clear_markers(&self) {
        for m in self.markers() {
            std::fs::remove_file(self.home.join(m)).expect("rm");
        }
    }

    /// Nothing awsauth put in its temporary directory is left there.
    fn assert_no_temporary_files(&self) {
        let left: Vec<_> = std::fs::read_dir(&self.tmp)
            .expect("ls")
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .collect();
        assert!(left.is_empty(), "left in TMPDIR: {left:?}");
    }
}

const AUTH: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: aws-auth
  namespace: kube-system
data:
  mapRoles: |
    - rolearn: arn:aws:iam::111122223333:role/eks-node
      username: system:node:{{EC2PrivateDNSName}}
      groups: [system:bootstrappers, system:nodes]
  mapUsers: |
    - userarn: arn:aws:iam::111122223333:user/on-call
      username: on-call
      groups: [on-call]
";

/// AUTH with `on-call` in `system:masters`: an escalation.
fn escalated() -> String {
    AUTH.replace("[on-call]", "[system:masters]")
}

fn exits(o: &Output, code: i32) {
    assert_eq!(
        o.status.code(),
        Some(code),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        stderr(o)
    );
}

/// A shell script that leaves `$HOME/ran-<name>` behind.
#[cfg(unix)]
fn marker_script(home: &Path, name: &str) -> String {
    format!("#!/bin/sh\ntouch '{}/ran-{name}'\n", home.display())
}

#[cfg(unix)]
fn install_hooks(dir: &Path, home: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(dir).expect("mkdir");
    for hook in [
        "post-index-change",
        "pre-commit",
        "post-checkout",
        "pre-auto-gc",
        "reference-transaction",
        "fsmonitor-watchman",
    ] {
        let p = dir.join(hook);
        std::fs::write(&p, marker_script(home, hook)).expect("write");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
}

/// The bytes and the modification time of a file.
fn snapshot(path: &Path) -> (Vec<u8>, SystemTime) {
    (
        std::fs::read(path).expect("read"),
        std::fs::metadata(path)
            .and_then(|m| m.modified())
            .expect("mtime"),
    )
}

/// Makes `path` stat-dirty (a later modification time) without changing it.
fn touch_later(path: &Path) {
    let f = std::fs::File::options()
        .write(true)
        .open(path)
        .expect("open");
    f.set_modified(SystemTime::now() + Duration::from_secs(5))
        .expect("set mtime");
}

/// Comparing with the working tree or the index writes no index (not even the stat cache git
/// refreshes) and runs no hook, neither from `.git/hooks` nor from a `core.hooksPath` the
/// repository configures; a `GIT_INDEX_FILE` set by the caller (a pre-commit hook) is the index
/// read, and it is left as it is too.
#[cfg(unix)]
#[test]
fn comparing_with_the_working_tree_writes_no_index_and_runs_no_hook() {
    let s = Sandbox::new();
    let d = &s.repo;
    s.write("clusters/prod/aws-auth.yaml", AUTH);
    s.write("clusters/dev/aws-auth.yaml", AUTH);
    s.write("clusters/qa/aws-auth.yaml", AUTH);
    s.git(d, &["add", "."]);
    s.git(d, &["commit", "-qm", "init"]);
    install_hooks(&d.join(".git/hooks"), &s.home);
    // a modified manifest, a staged one, and one only touched (stat-dirty: git would hash it,
    // find it unchanged and write its new stat data to the index)
    s.write("clusters/dev/aws-auth.yaml", &escalated());
    s.git(d, &["add", "clusters/dev/aws-auth.yaml"]);
    s.write("clusters/prod/aws-auth.yaml", &escalated());
    touch_later(&d.join("clusters/dev/aws-auth.yaml"));
    touch_later(&d.join("clusters/qa/aws-auth.yaml"));
    // (git itself ran `post-index-change` for `git add`)
    s.clear_markers();
    let index = d.join(".git/index");
    let runs: [&[&str]; 5] = [
        &["diff"],
        &["diff", "HEAD"],
        &["diff", "--staged"],
        &["lint", "--new-only"],
        &["lint", "--new-only", "--base", "HEAD", "clusters"],
    ];
    let check = |label: &str| {
        for args in runs {
            let before = snapshot(&index);
            let o = s.awsauth(d, args, &[]);
            exits(&o, 1);
            assert!(
                snapshot(&index) == before,
                "{label} {args:?} rewrote .git/index"
            );
            assert_eq!(s.markers(), Vec::<String>::new(), "{label} {args:?}");
            s.assert_no_temporary_files();
        }
    };
    check(".git/hooks");
    // the repository's own `core.hooksPath` cannot bring hooks back
    install_hooks(&d.join("my-hooks"), &s.home);
    s.git(d, &["config", "core.hooksPath", "my-hooks"]);
    check("core.hooksPath");
    // a pre-commit hook's index: what it stages is what `--staged` compares, and it is not
    // written either
    let alt = s.tmp.parent().expect("parent").join("next-index");
    std::fs::copy(&index, &alt).expect("copy");
    let o = s.awsauth(d, &["diff", "--staged", "--format", "json"], &[]);
    let staged = json(&o)["changes"].as_array().expect("changes").len();
    s.git(d, &["config", "--unset", "core.hooksPath"]);
    let out = Command::new("git")
        .args(["add", "clusters/prod/aws-auth.yaml"])
        .current_dir(d)
        .env("GIT_INDEX_FILE", &alt)
        .env("HOME", &s.home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git add");
    assert!(out.status.success());
    s.clear_markers();
    let before = (snapshot(&index), snapshot(&alt));
    let o = s.awsauth(
        d,
        &["diff", "--staged", "--format", "json"],
        &[("GIT_INDEX_FILE", &alt)],
    );
    exits(&o, 1);
    let v = json(&o);
    let files: Vec<&str> = v["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter_map(|c| c["after"]["file"].as_str())
        .collect();
    assert!(
        files.contains(&"clusters/prod/aws-auth.yaml") && files.len() > staged,
        "{v}"
    );
    assert!((snapshot(&index), snapshot(&alt)) == before);
    assert_eq!(s.markers(), Vec::<String>::new());
    s.assert_no_temporary_files();
}

/// No clean filter runs when the working tree is compared, whoever selects it: a committed
/// `.gitattributes` naming a filter driver of the user's global configuration (as git-lfs
/// installs one), for a modified file, a stat-dirty one and racily clean ones (git hashes those
/// to tell), and for the rename detection of `lint --new-only`.
#[cfg(unix)]
#[test]
fn no_clean_filter_runs_on_working_tree_files() {
    let s = Sandbox::new();
    let d = &s.repo;
    s.write("clusters/prod/aws-auth.yaml", AUTH);
    s.write("clusters/dev/aws-auth.yaml", AUTH);
    s.write("old/aws-auth.yaml", &AUTH.replace("on-call", "moved"));
    s.write(".gitattributes", "*.yaml filter=evil\n");
    s.git(d, &["add", "."]);
    s.git(d, &["commit", "-qm", "init"]);
    let script = s.home.join("filter.sh");
    std::fs::write(
        &script,
        format!("#!/bin/sh\ntouch '{}/ran-clean'\ncat\n", s.home.display()),
    )
    .expect("write");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let script = script.display().to_string();
    s.git(d, &["config", "--global", "filter.evil.clean", &script]);
    s.git(d, &["config", "--global", "filter.evil.smudge", "cat"]);
    // modified, stat-dirty, and a move git's rename detection reads
    s.write("clusters/prod/aws-auth.yaml", &escalated());
    touch_later(&d.join("clusters/dev/aws-auth.yaml"));
    s.git(d, &["mv", "old", "new"]);
    s.write(
        "new/aws-auth.yaml",
        &AUTH
            .replace("on-call", "moved")
            .replace("[moved]", "[system:masters]"),
    );
    // every entry racily clean: the index no newer than the files it describes
    let index = std::fs::File::options()
        .write(true)
        .open(d.join(".git/index"))
        .expect("open");
    index
        .set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000))
        .expect("set mtime");
    drop(index);
    // (git itself ran the filter for `git mv`)
    s.clear_markers();
    for (args, code) in [
        (&["diff"][..], 1),
        (&["diff", "HEAD"], 1),
        (&["diff", "--staged"], 0),
        (&["lint", "--new-only", "--base", "HEAD"], 1),
    ] {
        let o = s.awsauth(d, args, &[]);
        exits(&o, code);
        assert_eq!(s.markers(), Vec::<String>::new(), "{args:?}");
    }
    // the comparison itself is right: the escalation is seen, the move is a move
    let v = json(&s.awsauth(d, &["diff", "--format", "json"], &[]));
    let principals: Vec<&str> = v["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter_map(|c| c["principal"].as_str())
        .collect();
    assert!(
        principals.contains(&"arn:aws:iam::111122223333:user/on-call"),
        "{v}"
    );
    assert!(
        principals.contains(&"arn:aws:iam::111122223333:user/moved"),
        "{v}"
    );
}

/// A partial clone lacking the blobs a comparison needs: awsauth lets git fetch nothing, so a
/// remote command the repository configures (`ext::`) never runs; the error says what to do.
#[cfg(unix)]
#[test]
fn a_partial_clone_is_never_fetched_from() {
    let s = Sandbox::new();
    let d = &s.repo;
    s.write("clusters/prod/aws-auth.yaml", AUTH);
    s.write(
        ".awsauth.yaml",
        "cluster:\n  account-ids: [\"111122223333\"]\n",
    );
    s.git(d, &["add", "."]);
    s.git(d, &["commit", "-qm", "one"]);
    s.write("clusters/prod/aws-auth.yaml", &escalated());
    s.git(d, &["commit", "-qam", "two"]);
    s.git(d, &["config", "uploadpack.allowFilter", "true"]);
    let parent = s.tmp.parent().expect("parent").to_owned();
    let url = format!("file://{}", d.display());
    s.git(
        &parent,
        &[
            "clone",
            "-q",
            "--filter=blob:none",
            "--no-checkout",
            &url,
            "pc",
        ],
    );
    let pc = parent.join("pc");
    // the promisor remote is now a command of the repository's choosing
    let marker = s.home.join("ran-ext");
    let remote = format!("ext::sh -c touch% {}", marker.display());
    s.git(&pc, &["config", "remote.origin.url", &remote]);
    s.git(&pc, &["config", "protocol.ext.allow", "always"]);
    // two commits walked through `git cat-file`, through `git diff` (a pathspec), and the
    // working tree
    for args in [
        &["diff", "HEAD~1", "HEAD"][..],
        &["diff", "HEAD~1", "HEAD", "--", "."],
        &["diff", "HEAD~1"],
    ] {
        let o = s.awsauth(&pc, args, &[]);
        exits(&o, 2);
        let err = stderr(&o);
        assert!(
            err.contains("partial clone") && err.contains("does not fetch"),
            "{args:?}: {err}"
        );
        assert_eq!(s.markers(), Vec::<String>::new(), "{args:?}");
    }
    // `lint --new-only`: the file at the base is there, only its object is not; it is not
    // taken for absent (every finding new)
    s.git(&pc, &["config", "remote.origin.url", &url]);
    s.git(&pc, &["reset", "-q", "--hard"]);
    s.git(&pc, &["config", "remote.origin.url", &remote]);
    let o = s.awsauth(&pc, &["lint", "--new-only", "--base", "HEAD~1"], &[]);
    exits(&o, 2);
    assert!(stderr(&o).contains("partial clone"), "{}", stderr(&o));
    assert_eq!(s.markers(), Vec::<String>::new());
    // with the objects fetched by git, the comparison goes through
    s.git(&pc, &["config", "remote.origin.url", &url]);
    s.git(&pc, &["diff", "--stat", "HEAD~1", "HEAD"]);
    let o = s.awsauth(&pc, &["diff", "HEAD~1", "HEAD"], &[]);
    exits(&o, 1);
}

/// `lint --write-baseline FILE` and `init` refuse a symbolic link where they write, whether it
/// points to a file (left as it is) or nowhere (not created); a regular file is replaced.
#[cfg(unix)]
#[test]
fn written_files_are_never_written_through_a_symbolic_link() {
    let s = Sandbox::new();
    let d = &s.repo;
    s.write("aws-auth.yaml", &escalated());
    let outside = s.home.join("precious.txt");
    std::fs::write(&outside, "keep me\n").expect("write");
    let nowhere = s.home.join("created.txt");
    for (name, target) in [("linked.json", &outside), ("dangling.json", &nowhere)] {
        std::os::unix::fs::symlink(target, d.join(name)).expect("symlink");
        let o = s.awsauth(d, &["lint", "--write-baseline", name], &[]);
        exits(&o, 2);
        assert!(stderr(&o).contains("symbolic link"), "{}", stderr(&o));
        assert!(
            std::fs::symlink_metadata(d.join(name))
                .expect("still there")
                .file_type()
                .is_symlink()
        );
    }
    assert_eq!(
        std::fs::read_to_string(&outside).expect("read"),
        "keep me\n"
    );
    assert!(!nowhere.exists());
    // `init`, with `--force` or without
    for (target, force) in [(&outside, true), (&nowhere, false), (&nowhere, true)] {
        let config = d.join(".awsauth.yaml");
        let _ = std::fs::remove_file(&config);
        std::os::unix::fs::symlink(target, &config).expect("symlink");
        let args: &[&str] = if force {
            &["init", "--force"]
        } else {
            &["init"]
        };
        let o = s.awsauth(d, args, &[]);
        exits(&o, 2);
        assert!(stderr(&o).contains("symbolic link"), "{}", stderr(&o));
    }
    assert_eq!(
        std::fs::read_to_string(&outside).expect("read"),
        "keep me\n"
    );
    assert!(!nowhere.exists());
    // regular files are written, and replaced
    std::fs::remove_file(d.join(".awsauth.yaml")).expect("rm");
    exits(&s.awsauth(d, &["init"], &[]), 0);
    exits(&s.awsauth(d, &["init", "--force"], &[]), 0);
    assert!(
        std::fs::read_to_string(d.join(".awsauth.yaml"))
            .expect("read")
            .contains("select")
    );
    std::fs::write(d.join("baseline.json"), "old").expect("write");
    let o = s.awsauth(
        d,
        &["lint", "--write-baseline", "baseline.json", "aws-auth.yaml"],
        &[],
    );
    exits(&o, 0);
    let text = std::fs::read_to_string(d.join("baseline.json")).expect("read");
    assert!(text.contains("system-masters"), "{text}");
    let left: Vec<_> = std::fs::read_dir(d)
        .expect("ls")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// A submodule whose commit changed is listed as not compared, in every format, whether the
/// trees are walked or `git diff` compares them, and whatever `.gitmodules` or the
/// configuration say to ignore; its files are not read.
#[test]
#[allow(clippy::many_single_char_names)] // s, d, the repositories and their revisions
fn a_changed_submodule_is_listed_as_not_compared() {
    let s = Sandbox::new();
    let d = &s.repo;
    // the submodule: a repository of its own with an escalation in its second commit
    let sub = s.tmp.parent().expect("parent").join("sub");
    std::fs::create_dir_all(&sub).expect("mkdir");
    s.git(&sub, &["init", "-q", "-b", "main"]);
    common::write(&sub, "aws-auth.yaml", AUTH);
    s.git(&sub, &["add", "."]);
    s.git(&sub, &["commit", "-qm", "one"]);
    let one = s.git(&sub, &["rev-parse", "HEAD"]);
    common::write(&sub, "aws-auth.yaml", &escalated());
    s.git(&sub, &["commit", "-qam", "two"]);
    let two = s.git(&sub, &["rev-parse", "HEAD"]);
    s.write("aws-auth.yaml", AUTH);
    s.write(
        ".gitmodules",
        "[submodule \"vendor\"]\n\tpath = vendor/clusters\n\turl = ../sub\n\tignore = all\n",
    );
    s.git(d, &["add", "."]);
    let gitlink = |oid: &str| format!("160000,{oid},vendor/clusters");
    s.git(d, &["update-index", "--add", "--cacheinfo", &gitlink(&one)]);
    s.git(d, &["commit", "-qm", "with submodule"]);
    // as after a clone without `--recurse-submodules`: an empty folder
    std::fs::create_dir_all(d.join("vendor/clusters")).expect("mkdir");
    s.git(d, &["config", "diff.ignoreSubmodules", "all"]);
    s.git(d, &["update-index", "--cacheinfo", &gitlink(&two)]);
    let check = |args: &[&str], from: &str, to: &str| {
        for format in ["json", "human", "markdown", "github"] {
            let mut all = vec!["diff", "--format", format];
            all.extend(&args[1..]);
            let o = s.awsauth(d, &all, &[]);
            exits(&o, 0);
            let out = String::from_utf8_lossy(&o.stdout).into_owned();
            let note = format!("vendor/clusters: submodule updated from {from} to {to}");
            assert!(
                out.contains(&note) && out.contains("not compared"),
                "{args:?} {format}: {out}"
            );
            if format == "json" {
                let v = json(&o);
                assert!(
                    v["skipped"]
                        .as_array()
                        .expect("skipped")
                        .iter()
                        .any(|n| n.as_str().is_some_and(|n| n.starts_with(&note))),
                    "{v}"
                );
            }
        }
    };
    let (a, b) = (&one[..12], &two[..12]);
    check(&["diff", "--staged"], a, b);
    s.git(d, &["commit", "-qm", "bump"]);
    check(&["diff", "HEAD~1", "HEAD"], a, b);
    check(&["diff", "HEAD~1", "HEAD", "--", "."], a, b);
    check(&["diff", "HEAD~1", "HEAD", "--", "vendor"], a, b);
    // not checked out: the working tree does not change what the commit records
    check(&["diff", "HEAD~1"], a, b);
    // a pathspec elsewhere leaves it out
    let o = s.awsauth(
        d,
        &[
            "diff",
            "HEAD~1",
            "HEAD",
            "--format",
            "json",
            "--",
            "aws-auth.yaml",
        ],
        &[],
    );
    exits(&o, 0);
    assert_eq!(json(&o)["skipped"], serde_json::json!([]));
}

/// Two commits compared as a whole take one git process, `git cat-file`, which runs no driver
/// (no `--textconv`, no `--filters`); with a git too old for `--batch-command` (before 2.36),
/// `git diff` compares instead, with the same result.
#[cfg(unix)]
#[test]
fn two_commits_are_read_by_one_cat_file() {
    let s = Sandbox::new();
    let d = &s.repo;
    s.write("clusters/prod/aws-auth.yaml", AUTH);
    s.git(d, &["add", "."]);
    s.git(d, &["commit", "-qm", "one"]);
    s.write("clusters/prod/aws-auth.yaml", &escalated());
    s.git(d, &["commit", "-qam", "two"]);
    let trace = s.tmp.join("trace");
    let args = ["diff", "HEAD~1", "HEAD", "--no-config", "--format", "json"];
    let o = s.awsauth(d, &args, &[("GIT_TRACE", &trace)]);
    exits(&o, 1);
    let commands: Vec<String> = std::fs::read_to_string(&trace)
        .expect("trace")
        .lines()
        .filter_map(|l| l.split_once("trace: built-in: ").map(|(_, c)| c.to_owned()))
        .collect();
    assert_eq!(
        commands,
        ["git cat-file --batch-command --buffer"],
        "{commands:?}"
    );
    // a `git` that knows no `--batch-command`, first on the PATH
    let bin = s.tmp.parent().expect("parent").join("old-git");
    std::fs::create_dir_all(&bin).expect("mkdir");
    let real = String::from_utf8(
        Command::new("sh")
            .args(["-c", "command -v git"])
            .output()
            .expect("sh")
            .stdout,
    )
    .expect("utf-8");
    let script = format!(
        "#!/bin/sh\nfor a in \"$@\"; do [ \"$a\" = --batch-command ] && exit 129; done\nexec {} \"$@\"\n",
        real.trim()
    );
    std::fs::write(bin.join("git"), script).expect("write");
    std::fs::set_permissions(
        bin.join("git"),
        <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o755),
    )
    .expect("chmod");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let old_trace = s.tmp.join("old-trace");
    let old = s.awsauth(
        d,
        &args,
        &[("PATH", Path::new(&path)), ("GIT_TRACE", &old_trace)],
    );
    exits(&old, 1);
    let traced = std::fs::read_to_string(&old_trace).expect("trace");
    assert!(traced.contains("built-in: git diff --raw"), "{traced}");
    assert_eq!(
        String::from_utf8_lossy(&old.stdout),
        String::from_utf8_lossy(&o.stdout)
    );
}

/// The git commands of a run, from `GIT_TRACE` written to `trace`, in the order they started.
fn traced_commands(trace: &Path) -> Vec<String> {
    std::fs::read_to_string(trace)
        .expect("trace")
        .lines()
        .filter_map(|l| l.split_once("trace: built-in: ").map(|(_, c)| c.to_owned()))
        .collect()
}

/// The configuration at BASE is read through the diff's own `git cat-file` (the files, and the
/// trees that say a file is absent), with one `git rev-parse` for the top of the repository;
/// in a partial clone lacking it, it is not taken for absent, and nothing is fetched.
#[cfg(unix)]
#[test]
fn the_configuration_at_base_is_read_through_the_diffs_cat_file() {
    let s = Sandbox::new();
    let d = &s.repo;
    s.write("clusters/prod/aws-auth.yaml", AUTH);
    s.write(
        "clusters/.awsauth.yaml",
        "cluster:\n  account-ids: [\"444455556666\"]\n",
    );
    s.git(d, &["add", "."]);
    s.git(d, &["commit", "-qm", "one"]);
    s.write("clusters/prod/aws-auth.yaml", &escalated());
    s.write("clusters/.awsauth.yaml", "cluster:\n  account-ids: []\n");
    s.git(d, &["commit", "-qam", "two"]);
    let prod = d.join("clusters/prod");
    let args = ["diff", "HEAD~1", "HEAD", "--format", "json"];
    let trace = s.tmp.join("trace");
    let o = s.awsauth(&prod, &args, &[("GIT_TRACE", &trace)]);
    exits(&o, 1);
    // the accounts of the base, read at the base
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("444455556666"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let mut commands = traced_commands(&trace);
    commands.sort();
    assert_eq!(
        commands,
        [
            "git cat-file --batch-command --buffer",
            "git rev-parse --show-toplevel"
        ],
        "{commands:?}"
    );
    // a partial clone with the manifests' objects but not the configuration's
    s.git(d, &["config", "uploadpack.allowFilter", "true"]);
    let parent = s.tmp.parent().expect("parent").to_owned();
    let url = format!("file://{}", d.display());
    let clone = [
        "clone",
        "-q",
        "--filter=blob:none",
        "--no-checkout",
        &url,
        "pc",
    ];
    s.git(&parent, &clone);
    let pc = parent.join("pc");
    for rev in ["HEAD~1", "HEAD"] {
        s.git(
            &pc,
            &[
                "cat-file",
                "-p",
                &format!("{rev}:clusters/prod/aws-auth.yaml"),
            ],
        );
    }
    let remote = format!("ext::sh -c touch% {}", s.home.join("ran-ext").display());
    s.git(&pc, &["config", "remote.origin.url", &remote]);
    s.git(&pc, &["config", "protocol.ext.allow", "always"]);
    let pc_prod = pc.join("clusters/prod");
    std::fs::create_dir_all(&pc_prod).expect("mkdir");
    let pc_trace = s.tmp.join("pc-trace");
    let o = s.awsauth(&pc_prod, &args, &[("GIT_TRACE", &pc_trace)]);
    exits(&o, 1);
    let err = stderr(&o);
    assert!(
        err.contains("`clusters/.awsauth.yaml` at") && err.contains("partial clone"),
        "{err}"
    );
    assert_eq!(s.markers(), Vec::<String>::new());
    let commands = traced_commands(&pc_trace);
    assert!(
        !commands.iter().any(|c| c.starts_with("git ls-tree")),
        "{commands:?}"
    );
}
