//! Hostile inputs (issue 11, "bounded work"): small files built to make a quadratic pass show,
//! files over the size limit and UTF-32 text. Each runs the binary under a watchdog: the timeout
//! guards against a hang in a debug build, it is not the speed claim (that is
//! `scripts/hostile-bench` on the release build, recorded in BENCHMARKS.md).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A hang guard for a debug build on a shared machine: a quadratic pass on these inputs took
/// minutes even in a release build.
const WATCHDOG: Duration = Duration::from_secs(60);

const HEAD: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("awsauth-hostile-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// An input file, removed with its folder when dropped.
struct Input(PathBuf);

impl Drop for Input {
    fn drop(&mut self) {
        if let Some(dir) = self.0.parent() {
            std::fs::remove_dir_all(dir).ok();
        }
    }
}

impl std::ops::Deref for Input {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

fn write(name: &str, bytes: &[u8]) -> Input {
    let path = temp_dir(name).join(format!("{name}.yaml"));
    std::fs::write(&path, bytes).expect("write input");
    Input(path)
}

/// Runs the binary with `args`, `stdin` piped in, killing it after [`WATCHDOG`].
fn run(args: &[&str], stdin: Option<Vec<u8>>) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_awsauth"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let feeder = stdin.map(|bytes| {
        let mut pipe = child.stdin.take().expect("stdin");
        // the binary may stop reading early (over the limit): a broken pipe is expected
        std::thread::spawn(move || drop(pipe.write_all(&bytes)))
    });
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        out.read_to_end(&mut s).ok();
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        err.read_to_end(&mut s).ok();
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > WATCHDOG {
            child.kill().ok();
            child.wait().ok();
            panic!("`awsauth {}` ran longer than {WATCHDOG:?}", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    if let Some(f) = feeder {
        f.join().ok();
    }
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out_reader.join().expect("stdout")).into_owned(),
        stderr: String::from_utf8_lossy(&err_reader.join().expect("stderr")).into_owned(),
    }
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 temp path")
}

#[test]
fn a_long_line_of_templates() {
    // 300,000 `{{SessionName}}` in one username (4.5 MB on one line)
    let text = format!(
        "{HEAD}  mapRoles: |\n    - rolearn: arn:aws:iam::111122223333:role/ops\n      username: \"{}\"\n      groups: [view]\n",
        "{{SessionName}}".repeat(300_000)
    );
    let path = write("templates", text.as_bytes());
    let r = run(&["lint", path_str(&path)], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("no problems found in 1 aws-auth source"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_long_line_of_unclosed_braces() {
    // no closer anywhere: every `{` would search the rest of the line
    let text = format!(
        "{HEAD}  mapRoles: |\n    - rolearn: arn:aws:iam::111122223333:role/ops\n      username: \"{}\"\n",
        "{{ x ".repeat(200_000)
    );
    let path = write("braces", text.as_bytes());
    let r = run(&["lint", "--format", "concise", path_str(&path)], None);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.contains("error[unknown-template] `{{ x {{ x"));
    // single braces: each used to search the rest of the value for a `}`
    let text = format!(
        "{HEAD}  mapRoles: |\n    - rolearn: arn:aws:iam::111122223333:role/ops\n      username: \"{}{{SessionNam}}\"\n",
        "{a".repeat(2_000_000)
    );
    let path = write("single-braces", text.as_bytes());
    let r = run(&["lint", "--format", "concise", path_str(&path)], None);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout.contains(
            "error[unknown-template] `{SessionNam}` is not a template the authenticator substitutes"
        ),
        "{}",
        &r.stdout[..r.stdout.len().min(500)]
    );
}

#[test]
fn many_inline_suppressions() {
    // 50,000 on entries' lines and 50,000 on lines of their own before one entry
    let mut text = format!("{HEAD}  mapRoles: |\n");
    for i in 0..50_000 {
        text.push_str(&format!(
            "    - rolearn: arn:aws:iam::111122223333:role/r{i}  # awsauth: ignore[username-audit-trail] generated\n      username: u{i}\n"
        ));
    }
    for _ in 0..50_000 {
        text.push_str("    # awsauth: ignore[role-arn-path] generated\n");
    }
    text.push_str("    - rolearn: arn:aws:iam::111122223333:role/last\n      username: last\n");
    let path = write("suppressions", text.as_bytes());
    let r = run(&["lint", "--format", "concise", path_str(&path)], None);
    // each entry's finding is suppressed; the stacked suppressions of a rule that does not fire
    // are unused (warnings); the last entry's finding stays
    let unused = r.stdout.matches("unused-suppression").count();
    assert_eq!(unused, 50_000, "{}", &r.stdout[..r.stdout.len().min(2000)]);
    let audit = r.stdout.matches("[username-audit-trail]").count();
    assert_eq!(audit, 1, "only the last entry's finding is left");
    assert_eq!(r.code, 1);
}

#[test]
fn many_case_variants_of_one_user() {
    // 100,000 user ARNs differing only in case (17 letters: 131,072 spellings)
    let base = b"abcdefghijklmnopq";
    let mut text = format!("{HEAD}  mapUsers: |\n");
    for i in 0..100_000_u32 {
        let name: String = base
            .iter()
            .enumerate()
            .map(|(b, &c)| {
                if i >> b & 1 == 1 {
                    char::from(c.to_ascii_uppercase())
                } else {
                    char::from(c)
                }
            })
            .collect();
        text.push_str(&format!(
            "    - userarn: arn:aws:iam::111122223333:user/{name}\n      username: u{i}\n"
        ));
    }
    let path = write("case-variants", text.as_bytes());
    let r = run(&["lint", "--format", "concise", path_str(&path)], None);
    assert_eq!(r.code, 1);
    // every spelling after the first is a case variant of the first
    let variants = r.stdout.matches("differ only in case").count();
    assert_eq!(variants, 99_999);
    assert!(
        r.stdout
            .contains("`arn:aws:iam::111122223333:user/Abcdefghijklmnopq` and `arn:aws:iam::111122223333:user/abcdefghijklmnopq` differ only in case"),
        "the first variant names the first spelling"
    );
    let inspect = run(&["inspect", "--format", "json", path_str(&path)], None);
    assert_eq!(inspect.code, 0, "{}", inspect.stderr);
}

#[test]
fn many_flow_entries_on_one_line_in_the_human_format() {
    let items: Vec<String> = (0..100_000)
        .map(|i| format!("{{rolearn: 'arn:aws:iam::111122223333:role/r{i}', username: u{i}}}"))
        .collect();
    let text = format!("{HEAD}  mapRoles: |\n    [{}]\n", items.join(", "));
    let path = write("flow-entries", text.as_bytes());
    let r = run(&["lint", "--fail-on", "info", path_str(&path)], None);
    assert_eq!(r.code, 1, "{}", r.stderr);
    // the line is not drawn; each finding keeps its exact line and column
    assert!(
        r.stdout.contains("flow-entries.yaml:8:63\n"),
        "{}",
        &r.stdout[..2000]
    );
    assert!(r.stdout.contains("the source line is too long to show"));
    assert!(
        r.stdout.contains("100000 infos"),
        "{}",
        &r.stdout[r.stdout.len() - 300..]
    );
}

#[test]
fn many_keys_in_one_flow_mapping() {
    // 100,000 duplicate keys, and 30,000 distinct keys in reverse order
    let dups = "username: u, ".repeat(100_000);
    let distinct: Vec<String> = (0..30_000).rev().map(|i| format!("k{i:06}: v")).collect();
    let text = format!(
        "{HEAD}  mapRoles: |\n    - {{rolearn: 'arn:aws:iam::111122223333:role/r', {dups}groups: [a]}}\n    - {{rolearn: 'arn:aws:iam::111122223333:role/s', {}}}\n",
        distinct.join(", ")
    );
    let path = write("duplicate-keys", text.as_bytes());
    let r = run(&["lint", "--format", "concise", path_str(&path)], None);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let dups = r.stdout.matches("key `username` is written twice").count();
    assert_eq!(dups, 99_999);
    assert_eq!(r.stdout.matches("unknown key `k0").count(), 30_000);
}

#[test]
fn an_unclosed_flow_line_is_sketched_once() {
    // 100,000 unclosed `{rolearn: a, ` on one line: the section does not parse, and each key of
    // the sketch used to search the rest of the line
    let text = format!(
        "{HEAD}  mapRoles: |\n    - {}\n",
        "{rolearn: a, ".repeat(100_000)
    );
    let path = write("unclosed-flow", text.as_bytes());
    let r = run(&["lint", "--format", "concise", path_str(&path)], None);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("error[section-parse-error] `mapRoles` does not parse")
            && r.stdout.contains("100000 role mappings lost"),
        "{}",
        &r.stdout[..r.stdout.len().min(1000)]
    );
}

#[test]
fn many_groups_in_one_entry() {
    // 300,000 groups, one of them written twice: each was compared with all before it
    let mut groups: Vec<String> = (0..300_000).map(|i| format!("g{i}")).collect();
    groups.push("g7".into());
    let text = format!(
        "{HEAD}  mapRoles: |\n    - rolearn: arn:aws:iam::111122223333:role/r\n      username: u\n      groups: [{}]\n",
        groups.join(", ")
    );
    let path = write("groups", text.as_bytes());
    // `group-hygiene` is a style rule, off by default
    let r = run(
        &[
            "lint",
            "--select",
            "group-hygiene",
            "--fail-on",
            "info",
            "--format",
            "concise",
            path_str(&path),
        ],
        None,
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.stdout.matches("is listed twice").count(),
        1,
        "{}",
        &r.stdout[..r.stdout.len().min(1000)]
    );
    assert!(r.stdout.contains("group `g7` is listed twice"));
}

#[test]
fn many_unknown_and_long_rule_ids_in_suppressions() {
    // 100,000 unknown ids, and 2,000 ids of 2,000 characters: each is compared only with the
    // ids of about its length
    let short: Vec<String> = (0..100_000).map(|i| format!("rule{i}")).collect();
    let long = vec!["x".repeat(2000); 2000];
    let text = format!(
        "{HEAD}  mapRoles: |\n    - rolearn: arn:aws:iam::111122223333:role/r  # awsauth: ignore[{}, role-arn-pat]\n      username: u  # awsauth: ignore[{}]\n",
        short.join(", "),
        long.join(", ")
    );
    let path = write("rule-ids", text.as_bytes());
    let r = run(&["lint", "--format", "concise", path_str(&path)], None);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.stdout.matches("is not a rule or policy id").count(),
        102_001
    );
    let json = run(&["lint", "--format", "json", path_str(&path)], None);
    assert!(json.stdout.contains("did you mean `role-arn-path`?"));
}

#[test]
fn many_entries_without_aliases_are_not_excessive_aliasing() {
    // 340,000 entries, more than a million decoded nodes, and not one alias
    let text = format!(
        "{HEAD}  mapRoles: |\n{}",
        "    - {rolearn: r, username: u}\n".repeat(340_000)
    );
    let path = write("alias-free", text.as_bytes());
    // only the rule that reports a section that does not load: the output stays small
    let r = run(
        &["lint", "--select", "section-parse-error", path_str(&path)],
        None,
    );
    assert_eq!(
        r.code,
        0,
        "{}{}",
        r.stderr,
        &r.stdout[..r.stdout.len().min(2000)]
    );
    assert!(r.stdout.contains("no problems found"), "{}", r.stdout);
}

#[test]
fn an_alias_bomb_is_excessive_aliasing() {
    // nested aliases: ten thousand nodes from a few lines
    let mut g = "&a0 [x, x, x, x, x, x, x, x, x, x]".to_owned();
    for i in 1..4 {
        g = format!(
            "&a{i} [{g}, {}]",
            vec![format!("*a{}", i - 1); 9].join(", ")
        );
    }
    let text = format!(
        "{HEAD}  mapRoles: |\n    - rolearn: arn:aws:iam::111122223333:role/a\n      username: a\n      groups: [{g}]\n"
    );
    let path = write("alias-bomb", text.as_bytes());
    let r = run(&["lint", "--format", "concise", path_str(&path)], None);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("document contains excessive aliasing"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_file_over_the_size_limit_is_reported_not_read() {
    let entry = "    - rolearn: arn:aws:iam::111122223333:role/r\n      username: u\n";
    let text = format!("{HEAD}  mapRoles: |\n{}", entry.repeat(300_000));
    assert!(text.len() > 16 << 20);
    let path = write("large", text.as_bytes());
    let small = write(
        "small",
        format!("{HEAD}  mapRoles: |\n    - rolearn: arn:aws:iam::111122223333:role/a\n      username: a:{{{{SessionName}}}}\n").as_bytes(),
    );
    let r = run(&["lint", path_str(&path), path_str(&small)], None);
    assert_eq!(r.code, 2, "an unread file is an input error: {}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "large.yaml: not read: the file is {:.1} MiB ({} bytes), over the 16 MiB limit for one file",
            f64::from(u32::try_from(text.len()).expect("small")) / f64::from(1u32 << 20),
            text.len()
        )),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("`--max-file-size`"), "{}", r.stderr);
    // the other file is still linted
    assert!(
        r.stdout.contains("1 file could not be read"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("(1 file scanned)"), "{}", r.stdout);
    // a higher limit reads it
    let r = run(
        &[
            "lint",
            "--format",
            "concise",
            "--max-file-size",
            "64MiB",
            path_str(&path),
        ],
        None,
    );
    assert!(r.code <= 1, "{}", r.stderr);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    // and a lower one refuses a small file
    let r = run(
        &["inspect", "--max-file-size", "100", path_str(&small)],
        None,
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("over the 100 bytes limit"),
        "{}",
        r.stderr
    );
}

#[test]
fn standard_input_is_read_only_to_the_limit() {
    let entry = "    - rolearn: arn:aws:iam::111122223333:role/r\n      username: u\n";
    let text = format!("{HEAD}  mapRoles: |\n{}", entry.repeat(20_000));
    let r = run(
        &["lint", "--max-file-size", "500k", "-"],
        Some(text.into_bytes()),
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains(
            "<stdin>: not read: the input is larger than the 488.3 KiB limit for one file"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn a_size_without_a_known_unit_is_a_usage_error() {
    for bad in ["12x", "0", "MiB", "1.5.2"] {
        let r = run(&["lint", "--max-file-size", bad, "."], None);
        assert_eq!(r.code, 2, "{bad}");
        assert!(r.stderr.contains("--max-file-size"), "{bad}: {}", r.stderr);
    }
}

#[test]
fn utf32_is_an_input_error() {
    let text = format!(
        "{HEAD}  mapRoles: |\n    - rolearn: arn:aws:iam::111122223333:role/a\n      username: a\n"
    );
    let le: Vec<u8> = text
        .chars()
        .flat_map(|c| (c as u32).to_le_bytes())
        .collect();
    let be: Vec<u8> = text
        .chars()
        .flat_map(|c| (c as u32).to_be_bytes())
        .collect();
    let cases = [
        (
            "utf32le-bom",
            [&[0xFF, 0xFE, 0, 0][..], &le].concat(),
            "little-endian, with a byte-order mark",
        ),
        (
            "utf32be-bom",
            [&[0, 0, 0xFE, 0xFF][..], &be].concat(),
            "big-endian, with a byte-order mark",
        ),
        ("utf32le", le.clone(), "little-endian)"),
        ("utf32be", be.clone(), "big-endian)"),
    ];
    for (name, bytes, order) in cases {
        let path = write(name, &bytes);
        let r = run(&["lint", path_str(&path)], None);
        assert_eq!(r.code, 2, "{name}: {}", r.stdout);
        assert!(
            r.stderr
                .contains(&format!("{name}.yaml: the file is UTF-32 ("))
                && r.stderr.contains(order),
            "{name}: {}",
            r.stderr
        );
        assert!(
            r.stderr.contains("help: convert it to UTF-8"),
            "{}",
            r.stderr
        );
    }
    // UTF-16 with its byte-order mark is still read
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let path = write("utf16", &utf16);
    let r = run(&["lint", "--format", "concise", path_str(&path)], None);
    assert!(r.code <= 1, "{}", r.stderr);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
}

#[cfg(unix)]
#[test]
fn a_fifo_or_device_named_on_the_command_line_is_not_waited_on() {
    // a hook runner passes committed names: a link to a device, or a FIFO made in the tree
    let input = write(
        "named",
        format!("{HEAD}  mapUsers: |\n    - userarn: arn:aws:iam::111122223333:user/a\n")
            .as_bytes(),
    );
    let dir = input.parent().expect("folder");
    let fifo = dir.join("fifo.yaml");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo")
            .success()
    );
    let zero = dir.join("zero.yaml");
    std::os::unix::fs::symlink("/dev/zero", &zero).expect("symlink");
    let r = run(
        &[
            "lint",
            "--format",
            "concise",
            path_str(&fifo),
            path_str(&zero),
            path_str(&input),
        ],
        None,
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(
        r.stderr.matches("not a regular file").count(),
        2,
        "{}",
        r.stderr
    );
    // the regular file is still linted
    assert!(r.stdout.contains("iam-user-mapping"), "{}", r.stdout);
}
