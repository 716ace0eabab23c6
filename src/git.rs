//! Git access through the `git` command line (DEPENDENCIES.md §3: the only option that is right
//! in pre-commit hooks with temporary indexes, blobless and shallow CI clones, sparse and split
//! indexes and SHA-256 repositories, and it costs nothing to build).
//!
//! Safety: revisions given by the user are resolved with `rev-parse --verify --end-of-options`,
//! and only the resulting object ids reach other commands, so a revision is never read as an
//! option. Every command runs with `--no-pager`, `--no-optional-locks` (a read never takes
//! `index.lock` during a hook), `core.fsmonitor=false` (no fsmonitor program from the scanned
//! repository runs), and `diff` with `--no-ext-diff --no-textconv` (no configured diff driver
//! runs). Read commands run no hooks. `GIT_DIR`, `GIT_WORK_TREE` and `GIT_INDEX_FILE` are
//! inherited: that is how hooks point git at the index being committed.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A git failure, worded for the user.
#[derive(Debug, Clone)]
pub struct GitError(pub String);

impl std::fmt::Display for GitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GitError {}

/// Where file contents come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Side {
    /// A commit (full object id).
    Commit(String),
    /// The index (staged contents).
    Index,
    /// The working tree.
    Worktree,
}

/// How a path changed between two sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Only on the new side.
    Added,
    /// Only on the old side.
    Deleted,
    /// On both sides, different.
    Modified,
}

/// A repository, driven through `git`.
#[derive(Debug, Clone)]
pub struct Repo {
    /// The user's current directory (command-line paths are relative to it).
    cwd: PathBuf,
    /// The top of the working tree.
    pub root: PathBuf,
}

impl Repo {
    fn command(&self) -> Command {
        let mut c = Command::new("git");
        c.current_dir(&self.root)
            .arg("--no-pager")
            .arg("--no-optional-locks")
            .args(["-c", "core.fsmonitor=false", "-c", "core.quotePath=false"])
            .env("GIT_TERMINAL_PROMPT", "0")
            .env_remove("GIT_EXTERNAL_DIFF")
            .stdin(Stdio::null());
        c
    }

    fn run(&self, args: &[&str]) -> Result<Vec<u8>, GitError> {
        let out = self
            .command()
            .args(args)
            .output()
            .map_err(|e| GitError(format!("cannot run `git`: {e} (is git installed?)")))?;
        if out.status.success() {
            Ok(out.stdout)
        } else {
            let err = String::from_utf8_lossy(&out.stderr).trim().to_owned();
            Err(GitError(format!(
                "`git {}` failed: {err}",
                args.first().copied().unwrap_or("")
            )))
        }
    }

    /// The repository containing `dir`.
    pub fn discover(dir: &Path) -> Result<Self, GitError> {
        let probe = Self {
            cwd: dir.to_owned(),
            root: dir.to_owned(),
        };
        let out = probe.run(&["rev-parse", "--show-toplevel"]).map_err(|e| {
            if e.0.contains("not a git repository") {
                GitError(format!(
                    "`{}` is not in a git repository; use `awsauth diff --no-index OLD NEW` to compare two files",
                    dir.display()
                ))
            } else {
                e
            }
        })?;
        let root = PathBuf::from(String::from_utf8_lossy(&out).trim_end_matches(['\n', '\r']));
        Ok(Self {
            cwd: dir.to_owned(),
            root,
        })
    }

    /// Whether the repository is a shallow clone.
    pub fn is_shallow(&self) -> bool {
        self.run(&["rev-parse", "--is-shallow-repository"])
            .is_ok_and(|o| o.starts_with(b"true"))
    }

    /// The commit a revision names, as a full object id. A revision is never read as an option.
    pub fn resolve(&self, rev: &str) -> Result<String, GitError> {
        let spec = format!("{rev}^{{commit}}");
        match self.run(&[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &spec,
        ]) {
            Ok(out) => Ok(String::from_utf8_lossy(&out).trim().to_owned()),
            Err(_) => {
                let hint = if self.is_shallow() {
                    "this is a shallow clone: fetch more history (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout)"
                } else {
                    "fetch it (`git fetch origin <branch>`) or name another revision"
                };
                Err(GitError(format!(
                    "revision `{rev}` is not in this repository; {hint}"
                )))
            }
        }
    }

    /// The merge base of two commits.
    pub fn merge_base(&self, a: &str, b: &str) -> Result<String, GitError> {
        self.run(&["merge-base", a, b])
            .map(|o| String::from_utf8_lossy(&o).trim().to_owned())
            .map_err(|_| {
                let hint = if self.is_shallow() {
                    "this is a shallow clone without the common history: fetch more (`git fetch --unshallow`, or `fetch-depth: 0`), or name the base: `awsauth diff <BASE>`"
                } else {
                    "the branches share no history; name the base: `awsauth diff <BASE>`"
                };
                GitError(format!("no merge base of `{a}` and `{b}`: {hint}"))
            })
    }

    /// The default base: the merge base of HEAD with the default remote branch (`origin/HEAD`,
    /// else `origin/main`, `origin/master`, `main`, `master`). Returns the name used and the
    /// merge-base commit.
    pub fn default_base(&self) -> Result<(String, String), GitError> {
        let head = self.resolve("HEAD")?;
        for name in [
            "origin/HEAD",
            "origin/main",
            "origin/master",
            "main",
            "master",
        ] {
            if let Ok(oid) = self.resolve(name) {
                return Ok((name.to_owned(), self.merge_base(&head, &oid)?));
            }
        }
        Err(GitError(
            "no default branch to compare with (origin/HEAD, origin/main, origin/master, main, master); name the base: `awsauth diff <BASE>`".into(),
        ))
    }

    /// Paths (relative to the repository root) that differ between `old` (a commit or the
    /// index) and `new`, restricted to `pathspecs` (relative to the root, see
    /// [`Repo::root_relative`]).
    pub fn changed(
        &self,
        old: &Side,
        new: &Side,
        pathspecs: &[String],
    ) -> Result<Vec<(Status, String)>, GitError> {
        let mut args: Vec<&str> = vec![
            "diff",
            "--name-status",
            "-z",
            "--no-renames",
            "--no-ext-diff",
            "--no-textconv",
            "--ignore-submodules",
        ];
        match (old, new) {
            (Side::Commit(a), Side::Commit(b)) => args.extend([a.as_str(), b.as_str()]),
            (Side::Commit(a), Side::Index) => args.extend(["--cached", a.as_str()]),
            (Side::Commit(a), Side::Worktree) => args.push(a.as_str()),
            (Side::Index, Side::Worktree) => {}
            _ => return Err(GitError("unsupported comparison".into())),
        }
        args.push("--");
        args.extend(pathspecs.iter().map(String::as_str));
        let out = self.run(&args)?;
        let mut fields = out.split(|&b| b == 0).filter(|f| !f.is_empty());
        let mut changes = Vec::new();
        while let (Some(status), Some(path)) = (fields.next(), fields.next()) {
            let status = match status.first() {
                Some(b'A') => Status::Added,
                Some(b'D') => Status::Deleted,
                _ => Status::Modified,
            };
            changes.push((status, String::from_utf8_lossy(path).into_owned()));
        }
        if *new == Side::Worktree {
            // new files not yet added are part of the working tree too
            let mut args = vec![
                "ls-files",
                "-z",
                "--others",
                "--exclude-standard",
                "--full-name",
                "--",
            ];
            args.extend(pathspecs.iter().map(String::as_str));
            let out = self.run(&args)?;
            for path in out.split(|&b| b == 0).filter(|f| !f.is_empty()) {
                changes.push((Status::Added, String::from_utf8_lossy(path).into_owned()));
            }
        }
        Ok(changes)
    }

    /// The contents of `paths` (relative to the root) on `side`; `None` for a path that is not
    /// there. One `git cat-file --batch` process serves every blob.
    pub fn read(
        &self,
        side: &Side,
        paths: &[String],
    ) -> Result<HashMap<String, Option<Vec<u8>>>, GitError> {
        let mut out = HashMap::new();
        if paths.is_empty() {
            return Ok(out);
        }
        if *side == Side::Worktree {
            for p in paths {
                out.insert(p.clone(), std::fs::read(self.root.join(p)).ok());
            }
            return Ok(out);
        }
        let prefix = match side {
            Side::Commit(oid) => format!("{oid}:"),
            _ => ":0:".to_owned(),
        };
        let mut child = self
            .command()
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| GitError(format!("cannot run `git`: {e}")))?;
        let mut stdin = child
            .stdin
            .take()
            .ok_or_else(|| GitError("no stdin".into()))?;
        let input: String = paths.iter().map(|p| format!("{prefix}{p}\n")).collect();
        // write from a thread: git answers while we write, and both pipes have limits
        let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
        let mut reader = BufReader::new(
            child
                .stdout
                .take()
                .ok_or_else(|| GitError("no stdout".into()))?,
        );
        for p in paths {
            let mut header = String::new();
            if reader
                .read_line(&mut header)
                .map_err(|e| GitError(e.to_string()))?
                == 0
            {
                break;
            }
            let parts: Vec<&str> = header.trim_end().split(' ').collect();
            if parts.last() == Some(&"missing") || parts.len() != 3 {
                out.insert(p.clone(), None);
                continue;
            }
            let size: usize = parts[2]
                .parse()
                .map_err(|_| GitError(format!("bad cat-file header `{header}`")))?;
            let mut buf = vec![0; size + 1];
            reader
                .read_exact(&mut buf)
                .map_err(|e| GitError(e.to_string()))?;
            buf.truncate(size);
            out.insert(p.clone(), (parts[1] == "blob").then_some(buf));
        }
        let _ = writer.join();
        let status = child.wait().map_err(|e| GitError(e.to_string()))?;
        if !status.success() {
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = e.read_to_string(&mut err);
            }
            return Err(GitError(format!("`git cat-file` failed: {}", err.trim())));
        }
        Ok(out)
    }

    /// Root-relative paths of files at a commit (or in the index), restricted to `pathspecs`.
    pub fn files(&self, side: &Side, pathspecs: &[String]) -> Result<Vec<String>, GitError> {
        let out = match side {
            Side::Commit(oid) => {
                let mut args = vec![
                    "ls-tree",
                    "-r",
                    "-z",
                    "--name-only",
                    "--full-tree",
                    oid.as_str(),
                    "--",
                ];
                args.extend(pathspecs.iter().map(String::as_str));
                self.run(&args)?
            }
            _ => {
                let mut args = vec!["ls-files", "-z", "--full-name", "--"];
                args.extend(pathspecs.iter().map(String::as_str));
                self.run(&args)?
            }
        };
        Ok(out
            .split(|&b| b == 0)
            .filter(|f| !f.is_empty())
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect())
    }

    /// `path` (relative to the current directory, or absolute) relative to the root, for a
    /// pathspec; `None` outside the repository. The path need not exist (a deleted file).
    pub fn root_relative(&self, path: &Path) -> Option<String> {
        let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_owned());
        let cwd = canon(&self.cwd);
        let abs = if path.is_absolute() {
            path.to_owned()
        } else {
            cwd.join(path)
        };
        let abs = crate::config::normalize(&abs);
        let root = canon(&self.root);
        let rel = abs.strip_prefix(&root).ok()?;
        let s = rel.to_string_lossy().replace('\\', "/");
        Some(if s.is_empty() { ".".to_owned() } else { s })
    }
}
