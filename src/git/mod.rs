//! Git access, through the `git` command only (the one reader that is right in pre-commit
//! hooks with temporary indexes, blobless and shallow CI clones, sparse and split indexes and
//! SHA-256 repositories). Two commits compared as a whole take one
//! `git cat-file --batch-command --buffer` ([`walk`]: it serves the trees this process
//! compares, then the blobs); the index, the working tree and pathspecs take `git diff --raw`
//! and one `git cat-file --batch` that serves each blob as the diff names it
//! ([`Repo::diff_raw_with`]). A caller that needs more objects once the diff is read (the
//! other files of a Terraform module directory) keeps that `cat-file` running
//! ([`Batch::stream_open`]) rather than starting another.
//!
//! Safety of the command line: awsauth only reads, and runs nothing the scanned repository
//! configures. Revisions given by the user reach git only after `--end-of-options` or on
//! standard input, so a revision is never read as an option. Every command runs with
//! `--no-pager`, `--no-optional-locks` (a read never takes `index.lock` during a hook),
//! `core.fsmonitor=false` (no fsmonitor program runs), `core.hooksPath` naming a directory that
//! cannot exist (no hook runs; a command-line `-c` wins over the repository's own
//! `core.hooksPath`), `diff.autoRefreshIndex=false` (git does not hash stat-dirty working-tree
//! files, and does not write their refreshed stat data back to the index), `protocol.allow=never`
//! and `protocol.<name>.allow=never` for every transport git ships (`ext::` and `file://`
//! included), and
//! `GIT_NO_LAZY_FETCH=1` (git 2.44 and later: an object a partial clone lacks is reported
//! missing, never fetched through the promisor remote's URL or helper; before 2.44 the
//! `protocol` settings refuse the fetch, unless the repository's configuration allows a remote
//! helper of another name); `diff` runs with
//! `--no-ext-diff --no-textconv` (no configured diff driver runs) and
//! `--ignore-submodules=dirty` (no `git status` in a submodule; a submodule whose commit
//! changed is reported, and listed as not compared); `cat-file` runs without `--textconv` and
//! `--filters`, so it gives objects as stored and runs no driver. The commands that read the
//! working tree ([`Repo::isolated`]) use a private copy of the index in the temporary directory
//! (`GIT_INDEX_FILE`; copied from the index in effect, the inherited `GIT_INDEX_FILE` of a hook
//! included, with its modification time), so the repository's index is never written (`diff
//! --cached` neither refreshes nor writes the index it reads), and
//! read attributes from the empty tree (`GIT_ATTR_SOURCE`, git 2.40 and later), without the
//! global and system attributes, so no clean filter runs when git hashes a working-tree file
//! (a racily clean one, or a candidate of `lint --new-only`'s rename detection); only the never
//! committed `$GIT_DIR/info/attributes` could still select one. `GIT_DIR` and `GIT_WORK_TREE`
//! are inherited: that is how hooks point git at the repository.

pub mod walk;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

/// A git failure, worded for the user.
#[derive(Debug, Clone)]
pub struct GitError(pub String);

impl std::fmt::Display for GitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GitError {}

/// A path git printed: its bytes as they are where paths are bytes (a folder whose name is not
/// UTF-8 is still found), else as text.
fn path_from_git(bytes: &[u8]) -> PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
    }
    #[cfg(not(unix))]
    {
        PathBuf::from(String::from_utf8_lossy(bytes).trim_end_matches('\r'))
    }
}

/// `dir` is in no repository: what `awsauth diff` can do instead.
fn not_a_repository(dir: &Path) -> GitError {
    GitError(format!(
        "`{}` is not in a git repository; use `awsauth diff --no-index OLD NEW` to compare two files",
        dir.display()
    ))
}

/// A repository, driven through `git`.
#[derive(Debug, Clone)]
pub struct Repo {
    /// The user's current directory (command-line paths are relative to it).
    cwd: PathBuf,
    /// The top of the working tree.
    pub root: PathBuf,
    /// What commands that read the working tree use instead of the repository's
    /// (see [`Repo::isolated`]).
    private: Option<Arc<Private>>,
}

/// `core.hooksPath` naming a directory that cannot exist, so no hook is ever found.
#[cfg(unix)]
const NO_HOOKS: &str = "core.hooksPath=/dev/null/awsauth-runs-no-hooks";
#[cfg(not(unix))]
const NO_HOOKS: &str = "core.hooksPath=NUL/awsauth-runs-no-hooks";

/// Every transport and remote helper git knows, refused (a repository's per-protocol
/// `protocol.<name>.allow` would win over `protocol.allow` alone).
const NO_PROTOCOLS: [&str; 10] = [
    "protocol.allow=never",
    "protocol.ext.allow=never",
    "protocol.fd.allow=never",
    "protocol.file.allow=never",
    "protocol.git.allow=never",
    "protocol.ssh.allow=never",
    "protocol.http.allow=never",
    "protocol.https.allow=never",
    "protocol.ftp.allow=never",
    "protocol.ftps.allow=never",
];

/// The private side of [`Repo::isolated`]: a copy of the index, removed when dropped, and the
/// empty tree's id (the attribute source).
#[derive(Debug)]
struct Private {
    index: TempFile,
    empty_tree: String,
}

/// A file of the temporary directory that this process created (never one that was there),
/// removed when dropped.
#[derive(Debug)]
struct TempFile {
    path: PathBuf,
}

impl TempFile {
    /// A new file holding a copy of `source` (empty when `source` does not exist), with
    /// `source`'s modification time: git's racy-entry check compares entries with the index
    /// file's time, and a newer copy would take a file changed right after the index was
    /// written for unchanged.
    fn copy_of(source: &Path) -> std::io::Result<Self> {
        use std::sync::atomic::{AtomicU32, Ordering};
        static COUNT: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let mut attempt = 0;
        let (path, mut file) = loop {
            let path = dir.join(format!(
                "awsauth-index-{}-{nanos:x}-{}",
                std::process::id(),
                COUNT.fetch_add(1, Ordering::Relaxed)
            ));
            let mut options = std::fs::OpenOptions::new();
            // never an existing file or a link planted under the name
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            match options.open(&path) {
                Ok(f) => break (path, f),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 16 => {
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        };
        let temp = Self { path };
        match std::fs::File::open(source) {
            Ok(mut from) => {
                std::io::copy(&mut from, &mut file)?;
                file.set_modified(from.metadata()?.modified()?)?;
            }
            // no index yet (a new repository): git reads a missing index as empty
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                drop(file);
                std::fs::remove_file(&temp.path)?;
            }
            Err(e) => return Err(e),
        }
        Ok(temp)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

impl Repo {
    fn command(&self) -> Command {
        let mut c = Command::new("git");
        let dir = if self.root.as_os_str().is_empty() {
            &self.cwd
        } else {
            &self.root
        };
        c.current_dir(dir)
            .arg("--no-pager")
            .arg("--no-optional-locks")
            .args(["-c", "core.fsmonitor=false", "-c", "core.quotePath=false"])
            // no hook runs: the directory hooks are looked for in does not exist (a `-c` on the
            // command line wins over the repository's `core.hooksPath`)
            .args(["-c", NO_HOOKS])
            // a comparison with the working tree neither hashes stat-dirty files (clean filters)
            // nor writes the refreshed stat cache back to the index
            .args(["-c", "diff.autoRefreshIndex=false"])
            // never fetch: an object a partial clone lacks is an error, not a lazy fetch through
            // a remote (helper) the repository configures; `protocol.*` covers git before 2.44
            .env("GIT_NO_LAZY_FETCH", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env_remove("GIT_EXTERNAL_DIFF")
            .stdin(Stdio::null());
        for p in NO_PROTOCOLS {
            c.args(["-c", p]);
        }
        if let Some(private) = &self.private {
            // the working tree is compared against a copy of the index, and the attributes of
            // the commit cannot choose a clean filter (see [`Repo::isolated`])
            c.env("GIT_INDEX_FILE", &private.index.path)
                .env("GIT_ATTR_SOURCE", &private.empty_tree)
                .env("GIT_ATTR_NOSYSTEM", "1")
                .args(["-c", "core.attributesFile=/dev/null"]);
        }
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
        Self::find(dir)?.ok_or_else(|| not_a_repository(dir))
    }

    /// The repository containing `dir`; `None` when `dir` is in none (any other failure, such
    /// as no `git` or a repository git refuses to read, is an error).
    pub fn find(dir: &Path) -> Result<Option<Self>, GitError> {
        let probe = Self {
            cwd: dir.to_owned(),
            root: dir.to_owned(),
            private: None,
        };
        Self::found(dir, probe.run(&["rev-parse", "--show-toplevel"]))
    }

    /// The repository containing `dir`, from what `git rev-parse --show-toplevel` said.
    fn discovered(dir: &Path, out: Result<Vec<u8>, GitError>) -> Result<Self, GitError> {
        Self::found(dir, out)?.ok_or_else(|| not_a_repository(dir))
    }

    /// [`Repo::find`] from what `git rev-parse --show-toplevel` said.
    fn found(dir: &Path, out: Result<Vec<u8>, GitError>) -> Result<Option<Self>, GitError> {
        let out = match out {
            Err(e) if e.0.contains("not a git repository") => return Ok(None),
            out => out?,
        };
        let root = path_from_git(out.strip_suffix(b"\n").unwrap_or(&out));
        Ok(Some(Self {
            cwd: dir.to_owned(),
            root,
            private: None,
        }))
    }

    /// Starts finding the repository containing `dir` ([`Repo::discover`]'s `git rev-parse
    /// --show-toplevel`) without waiting for it: [`Discovering::finish`] waits, so another
    /// git process can run meanwhile. Even the start is left to another thread: starting a
    /// process holds its caller until git is loaded (up to a millisecond), and the caller has
    /// the process it waits for first to start.
    pub fn start_discover(dir: &Path) -> Discovering {
        let probe = Self {
            cwd: dir.to_owned(),
            root: dir.to_owned(),
            private: None,
        };
        let starting = std::thread::spawn(move || {
            probe
                .command()
                .args(["rev-parse", "--show-toplevel"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .map_err(|e| GitError(format!("cannot run `git`: {e} (is git installed?)")))
        });
        Discovering {
            dir: dir.to_owned(),
            child: Some(starting),
        }
    }

    /// This repository for commands that read the working tree: they use a
    /// private copy of the index (of the one in effect: `GIT_INDEX_FILE` too, as in hooks), so
    /// nothing git might write reaches the repository's; and attributes are read from the empty
    /// tree (`GIT_ATTR_SOURCE`, git 2.40 and later; neither the global nor the system
    /// attributes), so no `.gitattributes` of the repository selects a clean filter for git to
    /// run when it hashes a working-tree file (a racily clean one, or a rename candidate).
    /// `$GIT_DIR/info/attributes`, which is never committed, still applies.
    pub fn isolated(&self) -> Result<Self, GitError> {
        if self.private.is_some() {
            return Ok(self.clone());
        }
        let rev_parse = |args: &[&str]| {
            self.in_cwd()
                .arg("rev-parse")
                .args(args)
                .stderr(Stdio::piped())
                .output()
                .map_err(|e| GitError(format!("cannot run `git`: {e} (is git installed?)")))
        };
        // the index path relative to the current directory (`--path-format` needs git 2.31)
        let mut out = rev_parse(&["--git-path", "index", "--show-object-format"])?;
        let mut format = None;
        if !out.status.success() {
            // git before 2.29 knows no `--show-object-format`, nor SHA-256 repositories
            out = rev_parse(&["--git-path", "index"])?;
            format = Some("sha1");
        }
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr).trim().to_owned();
            if err.to_ascii_lowercase().contains("not a git repository") {
                return Err(not_a_repository(&self.cwd));
            }
            return Err(GitError(format!("`git rev-parse` failed: {err}")));
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let mut lines = text.lines();
        let (Some(index), Some(format)) = (lines.next(), format.or_else(|| lines.next())) else {
            return Err(GitError(format!(
                "`git rev-parse` gave no index path: {text:?}"
            )));
        };
        let index = self.cwd.join(index);
        let empty_tree = match format.trim() {
            "sha1" => "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
            "sha256" => "6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321",
            other => {
                return Err(GitError(format!(
                    "the repository's object format `{other}` is not known"
                )));
            }
        };
        let index = TempFile::copy_of(&index).map_err(|e| {
            GitError(format!(
                "cannot copy the index `{}` to a temporary file: {e}",
                index.display()
            ))
        })?;
        Ok(Self {
            private: Some(Arc::new(Private {
                index,
                empty_tree: empty_tree.to_owned(),
            })),
            ..self.clone()
        })
    }

    /// Whether the repository is bare (has no index nor working tree).
    pub fn is_bare(&self) -> bool {
        self.run(&["rev-parse", "--is-bare-repository"])
            .is_ok_and(|o| o.starts_with(b"true"))
    }

    /// Whether the repository is a partial clone (objects may be missing, to be fetched from a
    /// promisor remote).
    pub fn is_partial_clone(&self) -> bool {
        // `extensions.partialClone` names the promisor remote; newer git marks the remote with
        // `remote.<name>.promisor` alone
        self.run(&[
            "config",
            "--get-regexp",
            r"^(extensions\.partialclone|remote\..*\.promisor)$",
        ])
        .is_ok_and(|o| {
            String::from_utf8_lossy(&o).lines().any(|l| {
                let (key, value) = l.split_once(' ').unwrap_or((l, ""));
                let value = value.trim().to_ascii_lowercase();
                if key.starts_with("extensions.") {
                    !value.is_empty()
                } else {
                    ["true", "yes", "on", "1"].contains(&value.as_str())
                }
            })
        })
    }

    /// Whether the repository is a shallow clone.
    pub fn is_shallow(&self) -> bool {
        self.run(&["rev-parse", "--is-shallow-repository"])
            .is_ok_and(|o| o.starts_with(b"true"))
    }

    /// Whether `spec` names an object (of any type). Never read as an option.
    fn verifies(&self, spec: &str) -> bool {
        self.run(&["rev-parse", "--verify", "--quiet", "--end-of-options", spec])
            .is_ok()
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
            Err(GitError(err)) => {
                // git's own refusal (ownership, an unknown extension, no repository) says more
                // than "not found"; `--quiet` keeps a missing revision silent
                if let Some(fatal) = err.split_once(": ").map(|(_, e)| e.trim())
                    && fatal.starts_with("fatal:")
                {
                    if fatal.to_ascii_lowercase().contains("not a git repository") {
                        return Err(not_a_repository(&self.cwd));
                    }
                    return Err(GitError(format!("cannot read revision `{rev}`: {fatal}")));
                }
                if self.verifies(rev) {
                    return Err(GitError(format!(
                        "`{rev}` does not name a commit (a tree, a blob or a path); name a commit"
                    )));
                }
                if (rev == "HEAD" || rev.starts_with("HEAD~") || rev.starts_with("HEAD^"))
                    && self.head_unborn()
                {
                    return Err(GitError(format!(
                        "`{rev}`: the current branch has no commits yet; commit first, or compare the index with `awsauth diff --staged`"
                    )));
                }
                // `X~N` whose `X` is there: the history is too short (or cut by a shallow clone)
                let stem_end = rev.find(['~', '^']).unwrap_or(rev.len());
                let stem = &rev[..stem_end];
                let stem_exists = stem_end < rev.len() && self.verifies(stem);
                let shallow = self.is_shallow();
                if stem_exists && !shallow {
                    return Err(GitError(format!(
                        "revision `{rev}` goes past the first commit of `{stem}`'s history"
                    )));
                }
                let hint = if shallow {
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

    /// The paths (from the top of the repository) of the files of `commit` whose name is one
    /// of `names`.
    pub fn files_named(&self, commit: &str, names: &[&str]) -> Result<Vec<String>, GitError> {
        let out = self.run(&[
            "ls-tree",
            "-r",
            "-z",
            "--name-only",
            "--full-tree",
            "--end-of-options",
            commit,
        ])?;
        Ok(out
            .split(|b| *b == 0)
            .filter_map(|p| std::str::from_utf8(p).ok())
            .filter(|p| names.contains(&p.rsplit('/').next().unwrap_or(p)))
            .map(str::to_owned)
            .collect())
    }

    /// The files of the index under `paths` (relative to the current directory, taken
    /// literally; all when empty), relative to the current directory.
    pub fn tracked(&self, paths: &[String]) -> Result<Vec<PathBuf>, GitError> {
        let mut c = self.command();
        c.current_dir(&self.cwd)
            .env("GIT_LITERAL_PATHSPECS", "1")
            .args(["ls-files", "-z", "--"])
            .args(paths);
        let out = c
            .output()
            .map_err(|e| GitError(format!("cannot run `git`: {e} (is git installed?)")))?;
        if !out.status.success() {
            return Err(GitError(format!(
                "`git ls-files` failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        Ok(out
            .stdout
            .split(|b| *b == 0)
            .filter(|p| !p.is_empty())
            .filter_map(|p| std::str::from_utf8(p).ok())
            .map(PathBuf::from)
            .collect())
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
        let hint = if self.is_shallow() {
            " (this shallow clone has no other branch: fetch it, e.g. `git fetch --depth=50 origin main`, or use `fetch-depth: 0` in actions/checkout)"
        } else {
            ""
        };
        Err(GitError(format!(
            "no default branch to compare with (origin/HEAD, origin/main, origin/master, main, master){hint}; name the base: `awsauth diff <BASE>`"
        )))
    }

    /// Files renamed or moved between commit `oid` and the working tree (the index included),
    /// as git detects renames: new path → old path, relative to the root.
    pub fn renames_since(&self, oid: &str) -> Result<HashMap<String, String>, GitError> {
        let out = self.isolated()?.run(&[
            "diff",
            "-z",
            "--name-status",
            "-M",
            "--no-ext-diff",
            "--no-textconv",
            "--ignore-submodules",
            "--no-relative",
            "--end-of-options",
            oid,
            "--",
        ]);
        // rename detection reads blobs, which a partial clone may lack (and git may not fetch)
        let out = out.map_err(|e| {
            if self.is_partial_clone() {
                GitError(format!(
                    "{e}\n  help: this is a partial clone, and awsauth does not fetch (it runs no remote command the repository configures): let git fetch what the comparison needs first, e.g. `git diff --stat {oid}`, or clone without `--filter`"
                ))
            } else {
                e
            }
        })?;
        let fields: Vec<&[u8]> = out.split(|&b| b == 0).collect();
        let mut renames = HashMap::new();
        let mut i = 0;
        while i < fields.len() {
            let status = fields[i];
            if status.starts_with(b"R") && i + 2 < fields.len() {
                renames.insert(
                    String::from_utf8_lossy(fields[i + 2]).into_owned(),
                    String::from_utf8_lossy(fields[i + 1]).into_owned(),
                );
                i += 3;
            } else if status.starts_with(b"C") {
                i += 3;
            } else {
                i += 2;
            }
        }
        Ok(renames)
    }

    /// The contents of `paths` (relative to the root) at commit `oid`; `None` for a path that
    /// is not there (or whose name cat-file's line protocol cannot carry), or whose blob is
    /// larger than `max` bytes (skipped by cat-file, never held).
    pub fn read_at(
        &self,
        oid: &str,
        paths: &[String],
        max: u64,
    ) -> Result<HashMap<String, Option<Vec<u8>>>, GitError> {
        if paths.is_empty() {
            return Ok(HashMap::new());
        }
        let names: Vec<String> = paths.iter().map(|p| format!("{oid}:{p}")).collect();
        let mut batch = self.batch()?;
        batch.limit(max);
        let objects = batch.get_many(&names)?;
        let missing: Vec<&str> = paths
            .iter()
            .zip(&objects)
            .filter(|(p, o)| o.is_none() && !p.contains('\n'))
            .map(|(p, _)| p.as_str())
            .collect();
        self.check_missing(oid, &missing)?;
        Ok(paths
            .iter()
            .zip(objects)
            .map(|(p, o)| {
                let blob = o.filter(|o| o.kind == "blob" && o.size <= max);
                (p.clone(), blob.map(|o| o.data))
            })
            .collect())
    }

    /// Fails when one of `paths` (relative to the root), which `git cat-file` answered missing
    /// at `commit`, is in the commit's tree after all: its object is not in the repository (a
    /// partial clone, which awsauth does not let git fetch from), and taking it for absent
    /// would misread the commit. One `git ls-tree` when `paths` is not empty.
    pub fn check_missing(&self, commit: &str, paths: &[&str]) -> Result<(), GitError> {
        if paths.is_empty() {
            return Ok(());
        }
        let out = self
            .command()
            .env("GIT_LITERAL_PATHSPECS", "1")
            .args([
                "ls-tree",
                "-z",
                "--name-only",
                "--full-tree",
                "--end-of-options",
                commit,
                "--",
            ])
            .args(paths)
            .output()
            .map_err(|e| GitError(format!("cannot run `git`: {e} (is git installed?)")))?;
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr).trim().to_owned();
            return Err(GitError(format!("`git ls-tree` failed: {err}")));
        }
        let listed: Vec<&[u8]> = out.stdout.split(|&b| b == 0).collect();
        match paths.iter().find(|p| listed.contains(&p.as_bytes())) {
            Some(path) => Err(GitError(self.missing_object(commit, path))),
            None => Ok(()),
        }
    }

    /// [`Repo::check_missing`], the commit's trees read through `batch` (no other git process)
    /// when it can; else (a tree it cannot read or is unsure of) through `git ls-tree`.
    pub fn check_missing_with(
        &self,
        batch: &mut Batch,
        commit: &str,
        paths: &[&str],
    ) -> Result<(), GitError> {
        if paths.is_empty() {
            return Ok(());
        }
        match walk::first_listed(batch, commit, paths) {
            Some(Some(i)) => Err(GitError(self.missing_object(commit, paths[i]))),
            Some(None) => Ok(()),
            None => self.check_missing(commit, paths),
        }
    }

    /// Why the object of `path` at `rev` cannot be read, and what to do: awsauth never fetches,
    /// so in a partial clone git must fetch it first.
    pub fn missing_object(&self, rev: &str, path: &str) -> String {
        if self.is_partial_clone() {
            format!(
                "`{path}` at {rev} is not in this partial clone, and awsauth does not fetch (it runs no remote command the repository configures): let git fetch it first, e.g. `git diff --stat {rev}`, or clone without `--filter`"
            )
        } else {
            format!(
                "the object of `{path}` at {rev} is missing from the repository (a damaged or incomplete clone?); fetch again (`git fetch`) or clone again"
            )
        }
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
        let abs = crate::paths::normalize(&abs);
        let root = canon(&self.root);
        let rel = abs.strip_prefix(&root).ok()?;
        let s = rel.to_string_lossy().replace('\\', "/");
        Some(if s.is_empty() { ".".to_owned() } else { s })
    }
}

/// A [`Repo::discover`] under way ([`Repo::start_discover`]).
#[derive(Debug)]
pub struct Discovering {
    dir: PathBuf,
    /// `git rev-parse --show-toplevel` being started, until [`Discovering::finish`] waits
    /// for it.
    child: Option<std::thread::JoinHandle<Result<std::process::Child, GitError>>>,
}

/// The process a [`Discovering`] started (or why it could not).
fn started(
    starting: std::thread::JoinHandle<Result<std::process::Child, GitError>>,
) -> Result<std::process::Child, GitError> {
    starting
        .join()
        .unwrap_or_else(|_| Err(GitError("cannot run `git`".into())))
}

impl Discovering {
    /// The repository containing the directory, as [`Repo::discover`] finds it.
    pub fn finish(mut self) -> Result<Repo, GitError> {
        let child = started(
            self.child
                .take()
                .ok_or_else(|| GitError("no `git rev-parse`".into()))?,
        )?;
        let out = child
            .wait_with_output()
            .map_err(|e| GitError(format!("cannot run `git`: {e} (is git installed?)")))?;
        let out = if out.status.success() {
            Ok(out.stdout)
        } else {
            let err = String::from_utf8_lossy(&out.stderr).trim().to_owned();
            Err(GitError(format!("`git rev-parse` failed: {err}")))
        };
        Repo::discovered(&self.dir, out)
    }
}

impl Drop for Discovering {
    fn drop(&mut self) {
        // not waited for (the run stopped first): no process is left behind
        if let Some(Ok(mut child)) = self.child.take().map(started) {
            let _ = child.wait();
        }
    }
}

/// Where a changed path's content is on one side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blob {
    /// Not there (added or deleted).
    Absent,
    /// A blob object id.
    Oid(String),
    /// In the working tree (read from disk).
    Worktree,
    /// A submodule (a gitlink): the commit it records (all zeros: the commit checked out in
    /// the working tree). Its files are not read.
    Commit(String),
}

/// A changed path with its blobs on both sides.
#[derive(Debug, Clone)]
pub struct RawChange {
    /// Root-relative path.
    pub path: String,
    /// The old side.
    pub old: Blob,
    /// The new side.
    pub new: Blob,
}

/// What a diff compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rev {
    /// A revision as the user wrote it (resolved by git after `--end-of-options`).
    Named(String),
    /// The index.
    Index,
    /// The working tree.
    Worktree,
    /// A tree object (the empty tree of a repository without commits).
    Tree(String),
}

impl Repo {
    /// Whether HEAD names a branch that has no commit yet (a new repository).
    pub fn head_unborn(&self) -> bool {
        self.run(&["rev-parse", "--verify", "--quiet", "HEAD"])
            .is_err()
            && self.run(&["symbolic-ref", "--quiet", "HEAD"]).is_ok()
    }

    /// The id of the empty tree in this repository's hash.
    pub fn empty_tree(&self) -> Result<String, GitError> {
        let out = self
            .in_cwd()
            .args(["hash-object", "-t", "tree", "--stdin"])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| GitError(e.to_string()))?;
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }

    /// A repository handle for the current directory `cwd` without running git yet: reading
    /// `awsauth diff BASE HEAD` takes one git process ([`walk`]), the index or the working
    /// tree two (`diff --raw` and `cat-file`).
    pub fn lazy(cwd: &Path) -> Self {
        Self {
            cwd: cwd.to_owned(),
            root: PathBuf::new(),
            private: None,
        }
    }

    fn in_cwd(&self) -> Command {
        let mut c = self.command();
        c.current_dir(&self.cwd);
        c
    }

    /// [`Repo::diff_raw`], calling `on_change` for each change as git reports it, so the
    /// caller can ask for blobs while git is still comparing.
    pub fn diff_raw_with(
        &self,
        old: &Rev,
        new: &Rev,
        pathspecs: &[String],
        on_change: &mut dyn FnMut(&RawChange),
    ) -> Result<Vec<RawChange>, GitError> {
        let mut args: Vec<&str> = vec![
            "diff",
            "--raw",
            "-z",
            "--no-abbrev",
            "--no-renames",
            "--no-ext-diff",
            "--no-textconv",
            // a submodule whose commit changed is reported (its files are not compared, and the
            // output says so); changes inside a submodule's working tree are not looked for
            // (that would run `git status` in it), and neither the repository's configuration
            // nor `.gitmodules` can hide a submodule (the option wins over both)
            "--ignore-submodules=dirty",
        ];
        // paths relative to the top even with `diff.relative` set in the repository
        args.push("--no-relative");
        match (old, new) {
            (Rev::Named(_) | Rev::Tree(_), Rev::Index) => args.push("--cached"),
            (Rev::Index, Rev::Worktree) | (Rev::Named(_) | Rev::Tree(_), _) => {}
            _ => return Err(GitError("unsupported comparison".into())),
        }
        // the working tree: read through a private copy of the index (the index alone, as
        // `--cached` reads it, is neither refreshed nor written: no copy to pay for)
        let isolated;
        let repo = if *new == Rev::Worktree {
            // git's refusal of a revision (or of the repository) says more than ours
            isolated = self.isolated().map_err(|e| {
                [old, new]
                    .iter()
                    .find_map(|r| match r {
                        Rev::Named(n) => self.resolve(n).err(),
                        _ => None,
                    })
                    .unwrap_or(e)
            })?;
            &isolated
        } else {
            self
        };
        args.push("--end-of-options");
        for r in [old, new] {
            if let Rev::Named(n) | Rev::Tree(n) = r {
                args.push(n);
            }
        }
        args.push("--");
        args.extend(pathspecs.iter().map(String::as_str));
        let mut child = repo
            .in_cwd()
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| GitError(format!("cannot run `git`: {e} (is git installed?)")))?;
        // stderr is read on its own thread: git may write more warnings than a pipe holds
        // (`core.autocrlf` on thousands of files) before it ends stdout
        let stderr_reader = child.stderr.take().map(|mut e| {
            std::thread::spawn(move || {
                let mut text = String::new();
                let _ = e.read_to_string(&mut text);
                text
            })
        });
        let mut changes = Vec::new();
        let reader = BufReader::new(
            child
                .stdout
                .take()
                .ok_or_else(|| GitError("no stdout".into()))?,
        );
        read_raw(reader, *new == Rev::Worktree, &mut |c| {
            on_change(&c);
            changes.push(c);
        });
        let stderr = stderr_reader
            .and_then(|t| t.join().ok())
            .unwrap_or_default();
        let status = child.wait().map_err(|e| GitError(e.to_string()))?;
        if !status.success() {
            let err = stderr.trim().to_owned();
            // say which revision is missing and how to get it, or what git refuses (ownership,
            // a repository format): `git diff A B` outside a repository it accepts only prints
            // its `--no-index` usage
            for r in [old, new] {
                if let Rev::Named(n) = r {
                    self.resolve(n)?;
                }
            }
            if err.to_ascii_lowercase().contains("not a git repository") {
                return Err(not_a_repository(&self.cwd));
            }
            return Err(GitError(format!("`git diff` failed: {err}")));
        }
        if *new == Rev::Worktree {
            repo.untracked(pathspecs, &mut |c| {
                on_change(&c);
                changes.push(c);
            })?;
        }
        Ok(changes)
    }

    /// The untracked files under `pathspecs` (the whole repository when there are none), as
    /// added in the working tree.
    fn untracked(
        &self,
        pathspecs: &[String],
        found: &mut dyn FnMut(RawChange),
    ) -> Result<(), GitError> {
        let mut args = vec![
            "ls-files",
            "-z",
            "--others",
            "--exclude-standard",
            "--full-name",
            "--",
        ];
        args.extend(pathspecs.iter().map(String::as_str));
        // like `git diff` without a pathspec: the whole repository, not the current folder
        if pathspecs.is_empty() {
            args.push(":/");
        }
        let out = self
            .in_cwd()
            .args(&args)
            .output()
            .map_err(|e| GitError(e.to_string()))?;
        for path in out.stdout.split(|&b| b == 0).filter(|f| !f.is_empty()) {
            found(RawChange {
                path: String::from_utf8_lossy(path).into_owned(),
                old: Blob::Absent,
                new: Blob::Worktree,
            });
        }
        Ok(())
    }

    /// The top of the working tree (one `git rev-parse`).
    pub fn toplevel(&self) -> Result<PathBuf, GitError> {
        let out = self
            .in_cwd()
            .args(["rev-parse", "--show-toplevel"])
            .output()
            .map_err(|e| GitError(e.to_string()))?;
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr).trim().to_owned();
            return Err(GitError(format!("`git rev-parse` failed: {err}")));
        }
        let line = out.stdout.strip_suffix(b"\n").unwrap_or(&out.stdout);
        Ok(path_from_git(line))
    }

    /// Starts one `git cat-file --batch` process for [`Batch::get_many`].
    pub fn batch(&self) -> Result<Batch, GitError> {
        self.start_batch(false)
    }

    /// Starts one `git cat-file --batch-command --buffer` (git 2.36 and later; with an older
    /// git, the first [`Batch::get_many`] fails): it answers each [`Batch::get_many`] in a few
    /// large writes rather than one write per object, which the walk of two commits' trees,
    /// request after request, pays for in process switches.
    pub fn buffered_batch(&self) -> Result<Batch, GitError> {
        self.start_batch(true)
    }

    fn start_batch(&self, buffered: bool) -> Result<Batch, GitError> {
        let mode: &[&str] = if buffered {
            &["--batch-command", "--buffer"]
        } else {
            &["--batch"]
        };
        let mut child = self
            .in_cwd()
            // git keeps every delta base it unpacks for the objects still to come (up to 96 MB
            // by default); awsauth reads each object once, and the memory the cache takes costs
            // more (a fresh page per few bases) than rebuilding the bases: measured in
            // BENCHMARKS.md ("git's delta base cache"), 1 MB is the fastest
            .args(["-c", "core.deltaBaseCacheLimit=1m"])
            .arg("cat-file")
            .args(mode)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| GitError(format!("cannot run `git`: {e} (is git installed?)")))?;
        let stdin = child
            .stdin
            .take()
            .ok_or_else(|| GitError("no stdin".into()))?;
        let stdout = BufReader::with_capacity(
            64 * 1024,
            child
                .stdout
                .take()
                .ok_or_else(|| GitError("no stdout".into()))?,
        );
        Ok(Batch {
            max: u64::MAX,
            buffered,
            child: Some(child),
            stdin: Some(stdin),
            stdout,
        })
    }
}

/// Reads `git diff --raw -z` output, calling `found` for each change; the all-zeros id on the
/// new side is the working tree when `worktree`.
fn read_raw(
    mut reader: BufReader<std::process::ChildStdout>,
    worktree: bool,
    found: &mut dyn FnMut(RawChange),
) {
    let zero = |oid: &str| oid.bytes().all(|b| b == b'0');
    let field = |r: &mut BufReader<std::process::ChildStdout>| -> Option<Vec<u8>> {
        let mut buf = Vec::new();
        match r.read_until(0, &mut buf) {
            Ok(0) | Err(_) => None,
            Ok(_) => {
                if buf.last() == Some(&0) {
                    buf.pop();
                }
                Some(buf)
            }
        }
    };
    while let (Some(meta), Some(path)) = (field(&mut reader), field(&mut reader)) {
        // `:100644 100644 <old> <new> M`
        let meta = String::from_utf8_lossy(&meta);
        let parts: Vec<&str> = meta.trim_start_matches(':').split(' ').collect();
        let [old_mode, new_mode, old_oid, new_oid, _status] = parts.as_slice() else {
            continue;
        };
        let blob = |mode: &str, oid: &str, worktree: bool| {
            // absent, or not a regular file (symbolic links are not manifests)
            let kind = u32::from_str_radix(mode, 8).map_or(0, |m| m & MODE_MASK);
            if kind == MODE_GITLINK {
                Blob::Commit((*oid).to_owned())
            } else if kind != MODE_FILE {
                Blob::Absent
            } else if zero(oid) && worktree {
                Blob::Worktree
            } else {
                Blob::Oid((*oid).to_owned())
            }
        };
        let change = RawChange {
            path: String::from_utf8_lossy(&path).into_owned(),
            old: blob(old_mode, old_oid, false),
            new: blob(new_mode, new_oid, worktree),
        };
        found(change);
    }
}

/// An object read by [`Batch`].
#[derive(Debug, Clone)]
pub struct Object {
    /// Its id.
    pub oid: String,
    /// `blob`, `commit`, ...
    pub kind: String,
    /// Its content (empty when it is larger than the batch's limit).
    pub data: Vec<u8>,
    /// Its size, read or not.
    pub size: u64,
}

/// The input a pipe surely holds without a reader (one page: the smallest pipe buffer of the
/// systems awsauth runs on), so writing it never waits for `cat-file` to read.
const SURELY_BUFFERED: usize = 4096;

/// A running `git cat-file --batch`: object names in, objects out, in order.
#[derive(Debug)]
pub struct Batch {
    /// Objects larger are not read (`Object::data` stays empty): [`Batch::limit`].
    max: u64,
    /// `--batch-command --buffer`: names are asked with `contents`, answered at `flush`.
    buffered: bool,
    /// The process (until the batch closes).
    child: Option<std::process::Child>,
    stdin: Option<std::process::ChildStdin>,
    stdout: BufReader<std::process::ChildStdout>,
}

impl Batch {
    /// Objects larger than `max` bytes are skipped, not held in memory: their `data` is empty
    /// and their `size` says why.
    pub fn limit(&mut self, max: u64) {
        self.max = max;
    }

    /// Reads the named objects (`None`: missing). Names go through standard input, never the
    /// command line, so no name is read as an option.
    pub fn get_many(&mut self, names: &[String]) -> Result<Vec<Option<Object>>, GitError> {
        // names with a line feed cannot be asked for on cat-file's line protocol
        let asked: Vec<&String> = names.iter().filter(|n| !n.contains('\n')).collect();
        let (ask, flush) = if self.buffered {
            ("contents ", "flush\n")
        } else {
            ("", "")
        };
        let mut input = String::new();
        for n in &asked {
            input.push_str(ask);
            input.push_str(n);
            input.push('\n');
        }
        input.push_str(flush);
        let stdin = self
            .stdin
            .as_mut()
            .ok_or_else(|| GitError("cat-file closed".into()))?;
        let (reader, max) = (&mut self.stdout, self.max);
        let answers = if input.len() <= SURELY_BUFFERED {
            // the pipe holds it all: written at once, without a thread to start
            stdin
                .write_all(input.as_bytes())
                .and_then(|()| stdin.flush())
                .map_err(|e| GitError(format!("`git cat-file` stopped: {e}")))?;
            read_objects(reader, Some(asked.len()), max)?
        } else {
            std::thread::scope(|s| {
                // write while reading: both pipes are bounded
                let writer = s.spawn(move || {
                    stdin
                        .write_all(input.as_bytes())
                        .and_then(|()| stdin.flush())
                });
                let out = read_objects(reader, Some(asked.len()), max);
                let _ = writer.join();
                out
            })?
        };
        let mut it = answers.into_iter();
        Ok(names
            .iter()
            .map(|n| {
                if n.contains('\n') {
                    None
                } else {
                    it.next().flatten()
                }
            })
            .collect())
    }

    /// Asks for objects as the caller learns which (`ask`), reading the answers on another
    /// thread meanwhile; returns every answer in the order asked, and closes the process.
    pub fn stream<T>(
        &mut self,
        ask: impl FnOnce(&mut dyn FnMut(&str)) -> T,
    ) -> Result<(T, Vec<Option<Object>>), GitError> {
        let mut stdin = self
            .stdin
            .take()
            .ok_or_else(|| GitError("cat-file closed".into()))?;
        let (reader, max) = (&mut self.stdout, self.max);
        // a buffered batch answers at the end of its input
        let ask_prefix = if self.buffered { "contents " } else { "" };
        std::thread::scope(|s| {
            let reading = s.spawn(move || read_objects(reader, None, max));
            let mut failed = false;
            let result = ask(&mut |name: &str| {
                if !failed && !name.contains('\n') {
                    failed = writeln!(stdin, "{ask_prefix}{name}").is_err();
                }
            });
            drop(stdin); // end of input: cat-file answers the rest and exits
            let answers = reading
                .join()
                .unwrap_or_else(|_| Err(GitError("cat-file reader failed".into())))?;
            Ok((result, answers))
        })
    }
}

impl Batch {
    /// [`Batch::stream`], which leaves the process running when `ask` returns `true` with its
    /// answer: the batch then takes more requests ([`Batch::get_many`]). Only the answers of
    /// the names asked are returned. (A `--batch` answers each name as it comes: once `ask` is
    /// done, one more name, whose answer is read and dropped, tells the reader the last answer
    /// is in.) Without `true`, this is [`Batch::stream`].
    pub fn stream_open<T>(
        &mut self,
        ask: impl FnOnce(&mut dyn FnMut(&str)) -> (T, bool),
    ) -> Result<(T, Vec<Option<Object>>), GitError> {
        use std::sync::atomic::{AtomicUsize, Ordering};
        if self.buffered {
            return Err(GitError(
                "a buffered batch answers at the end of its input".into(),
            ));
        }
        let mut stdin = self
            .stdin
            .take()
            .ok_or_else(|| GitError("cat-file closed".into()))?;
        let (reader, max) = (&mut self.stdout, self.max);
        let mut kept = None;
        // the number of names asked, once `ask` is done and the batch stays open
        let asked = AtomicUsize::new(usize::MAX);
        let done = std::thread::scope(|s| {
            let asked = &asked;
            let reading = s.spawn(move || {
                let mut out = Vec::new();
                // the last answer read is the one of the name written after `ask`
                while asked.load(Ordering::SeqCst).checked_add(1) != Some(out.len()) {
                    match read_object(reader, max)? {
                        Some(answer) => out.push(answer),
                        None => break,
                    }
                }
                if asked.load(Ordering::SeqCst) < out.len() {
                    out.pop();
                }
                Ok::<_, GitError>(out)
            });
            let (mut failed, mut count) = (false, 0);
            let (result, open) = ask(&mut |name: &str| {
                if !failed && !name.contains('\n') {
                    failed = writeln!(stdin, "{name}").is_err();
                    count += 1;
                }
            });
            let open = open && !failed;
            if open {
                asked.store(count, Ordering::SeqCst);
                // any name has one answer: this one's marks the end
                let end = writeln!(stdin, "HEAD").and_then(|()| stdin.flush());
                if end.is_err() {
                    asked.store(usize::MAX, Ordering::SeqCst);
                }
            }
            if open && asked.load(Ordering::SeqCst) != usize::MAX {
                kept = Some(stdin);
            } else {
                drop(stdin); // end of input: cat-file answers the rest and exits
            }
            let answers = reading
                .join()
                .unwrap_or_else(|_| Err(GitError("cat-file reader failed".into())))?;
            Ok((result, answers))
        });
        self.stdin = kept;
        done
    }
}

/// Reads cat-file answers: `count` of them, or until the end of its output.
fn read_objects(
    reader: &mut BufReader<std::process::ChildStdout>,
    count: Option<usize>,
    max: u64,
) -> Result<Vec<Option<Object>>, GitError> {
    let mut out = Vec::new();
    while count.is_none_or(|n| out.len() < n) {
        match read_object(reader, max)? {
            Some(answer) => out.push(answer),
            None if count.is_some() => {
                return Err(GitError("`git cat-file` stopped early".into()));
            }
            None => break,
        }
    }
    Ok(out)
}

/// Reads one cat-file answer (`Some(None)`: `missing` or `ambiguous`); `None` at the end of
/// its output.
#[allow(clippy::option_option)] // outer: an answer; inner: an object
fn read_object(
    reader: &mut BufReader<std::process::ChildStdout>,
    max: u64,
) -> Result<Option<Option<Object>>, GitError> {
    let mut header = String::new();
    if reader
        .read_line(&mut header)
        .map_err(|e| GitError(e.to_string()))?
        == 0
    {
        return Ok(None);
    }
    let parts: Vec<&str> = header.trim_end().split(' ').collect();
    let size = match parts.as_slice() {
        [_, _, size] => size.parse::<u64>().ok(),
        _ => None,
    };
    let Some(size) = size else {
        return Ok(Some(None)); // `<name> missing`, `<name> ambiguous`
    };
    let data = if size > max {
        // skipped, with the line feed after it, never held
        let skipped = std::io::copy(&mut reader.by_ref().take(size + 1), &mut std::io::sink())
            .map_err(|e| GitError(e.to_string()))?;
        if skipped != size + 1 {
            return Err(GitError("`git cat-file` stopped early".into()));
        }
        Vec::new()
    } else {
        let len = usize::try_from(size).map_err(|e| GitError(e.to_string()))?;
        let mut data = vec![0; len + 1];
        reader
            .read_exact(&mut data)
            .map_err(|e| GitError(e.to_string()))?;
        data.truncate(len);
        data
    };
    Ok(Some(Some(Object {
        oid: parts[0].to_owned(),
        kind: parts[1].to_owned(),
        data,
        size,
    })))
}

impl Drop for Batch {
    fn drop(&mut self) {
        // the end of its input: cat-file exits on its own (and, should it be writing, the end
        // of its output, dropped right after this, stops it). It is not waited for here: git
        // takes about a millisecond to free its memory and exit, which would be spent on every
        // run's critical path. Those that exited are reaped whenever a batch closes; the last
        // ones, by the system when awsauth exits.
        drop(self.stdin.take());
        if let Some(child) = self.child.take() {
            let mut exiting = EXITING
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            exiting.retain_mut(|c| !matches!(c.try_wait(), Ok(Some(_))));
            exiting.push(child);
        }
    }
}

/// The `git cat-file` processes of closed batches, not yet reaped ([`Batch`]'s `drop`).
static EXITING: std::sync::Mutex<Vec<std::process::Child>> = std::sync::Mutex::new(Vec::new());

/// The file-type bits of a git mode, and the type of a regular file.
#[allow(clippy::unreadable_literal)] // as git writes modes
const MODE_MASK: u32 = 0o170000;
#[allow(clippy::unreadable_literal)] // as git writes modes
const MODE_FILE: u32 = 0o100000;
/// The type of a submodule entry.
#[allow(clippy::unreadable_literal)] // as git writes modes
const MODE_GITLINK: u32 = 0o160000;
