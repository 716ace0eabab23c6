//! The configuration as it is at a commit (the base of a `diff`, or of `lint --new-only`): a
//! change can neither vouch for the accounts it adds nor leave its own files out. The typed
//! loader ([`config::load_from`]) reads it, `extends` chain included, every file of the
//! repository from the commit's blobs. (What a diff then does with it: `diff::settings`.)

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use crate::config::{self, ConfigError, FileSystem, Settings, Source};
use crate::git::{Batch, Discovering, GitError, Repo};
use crate::registry::Rule;

/// How a file of the chain was read.
#[derive(Debug, Clone)]
enum Read {
    /// From the commit (its path in the repository).
    Blob(String),
    /// Not in the commit (its path in the repository): read as an empty configuration.
    Absent(String),
    /// Outside the repository: from the file system, as it is now.
    Outside(PathBuf),
}

/// Files of the repository from a commit, files outside it from the file system.
struct AtCommit<'a> {
    repo: &'a Repo,
    /// One `git cat-file` for every file read.
    batch: RefCell<Batch>,
    commit: &'a str,
    short: String,
    /// Every file read, in order: the leaf, then what each one extends.
    reads: RefCell<Vec<Read>>,
}

impl AtCommit<'_> {
    fn in_repo(&self, path: &Path) -> Option<String> {
        self.repo.root_relative(path).filter(|r| r != ".")
    }
}

impl Source for AtCommit<'_> {
    fn read(&self, path: &Path) -> Result<Vec<u8>, String> {
        let Some(rel) = self.in_repo(path) else {
            self.reads.borrow_mut().push(Read::Outside(path.to_owned()));
            return FileSystem.read(path);
        };
        let found = blobs(
            &mut self.batch.borrow_mut(),
            self.commit,
            std::slice::from_ref(&rel),
        )
        .map_err(|e| format!("cannot read at {}: {e}", self.short))?;
        match found.into_iter().next().unwrap_or(AtPath::Missing) {
            AtPath::NotAFile => Err(format!("is a folder at {}, not a file", self.short)),
            AtPath::Blob(Err(size)) => Err(format!(
                "cannot read: it is larger than the {} awsauth reads ({})",
                crate::untrusted::show_size(crate::untrusted::CONFIG_CAP),
                crate::untrusted::show_size(size)
            )),
            AtPath::Blob(Ok(bytes)) => {
                self.reads.borrow_mut().push(Read::Blob(rel));
                Ok(bytes)
            }
            AtPath::Missing => {
                // not in the commit, unless a partial clone lacks its object
                self.repo
                    .check_missing_with(&mut self.batch.borrow_mut(), self.commit, &[rel.as_str()])
                    .map_err(|e| e.0)?;
                // what the change adds does not configure how the change is judged
                self.reads.borrow_mut().push(Read::Absent(rel));
                Ok(Vec::new())
            }
        }
    }

    fn name(&self, path: &Path) -> String {
        match self.in_repo(path) {
            Some(rel) => format!("{}:{rel}", self.short),
            None => FileSystem.name(path),
        }
    }

    fn identity(&self, path: &Path) -> PathBuf {
        match self.in_repo(path) {
            Some(rel) => PathBuf::from(format!("{}:{rel}", self.commit)),
            None => FileSystem.identity(path),
        }
    }

    fn confine(&self, target: &Path, leaf: &Path) -> Result<(), String> {
        if self.in_repo(leaf).is_none() {
            // a configuration above the repository is read from the file system
            return FileSystem.confine(target, leaf);
        }
        match self.in_repo(target) {
            Some(rel) if crate::untrusted::in_git_dir(Path::new(&rel)) => {
                Err("it is inside the `.git` directory, which is never read".into())
            }
            Some(_) => Ok(()),
            None => Err(format!(
                "it is outside the repository (`{}`), the files a configuration may extend from",
                self.repo.root.display()
            )),
        }
    }
}

/// Which configuration file to read at the base commit.
#[derive(Debug, Clone, Copy)]
pub enum Leaf<'a> {
    /// The nearest one of the directory, as it is at the commit (`lint`'s discovery).
    Discover(&'a Path),
    /// This file (`--config FILE`).
    File(&'a Path),
}

/// The configuration at the base commit.
#[derive(Debug, Default)]
pub struct AtBase {
    /// The settings; the defaults when there is no configuration at the base, or when it has
    /// errors.
    pub settings: Settings,
    /// What the reader should know about how it was read.
    pub notes: Vec<String>,
    /// Its errors (then `settings` are the defaults).
    pub errors: Vec<ConfigError>,
    /// The name of the file the configuration starts from (`<commit>:<path>`), if any.
    pub leaf: Option<String>,
    /// The top of the repository's working tree, as git found it (`None` when it was not
    /// read).
    pub root: Option<PathBuf>,
}

/// Reads the configuration as it is at `commit` of the repository around `cwd` (rule ids
/// checked against `builtin`); `None` in a repository without a working tree (a bare one),
/// where no configuration file belongs to the commits.
pub fn load(
    cwd: &Path,
    commit: &str,
    leaf: Leaf<'_>,
    builtin: &'static [&'static Rule],
) -> Result<Option<AtBase>, GitError> {
    let Ok(repo) = Repo::discover(cwd) else {
        return Ok(None);
    };
    load_in(&repo, None, cwd, commit, leaf, builtin).map(Some)
}

/// The git processes a caller has already started, for [`load_with`].
#[derive(Debug)]
pub struct Started {
    /// The repository around the current directory, being found
    /// ([`Repo::start_discover`], while the caller ran other git processes).
    pub repo: Discovering,
    /// A `git cat-file` of that repository still running (the diff's own), if any: the
    /// configuration files are asked of it rather than of a new one.
    pub batch: Option<Batch>,
}

/// [`load`] with the git processes of `started` (`cwd` the directory its repository is found
/// from): the same reads, the same answers, fewer processes to start.
pub fn load_with(
    started: Started,
    cwd: &Path,
    commit: &str,
    leaf: Leaf<'_>,
    builtin: &'static [&'static Rule],
) -> Result<Option<AtBase>, GitError> {
    let Ok(repo) = started.repo.finish() else {
        return Ok(None);
    };
    load_in(&repo, started.batch, cwd, commit, leaf, builtin).map(Some)
}

/// [`load`] in `repo`, the files asked of `batch` (else of a new `git cat-file`).
fn load_in(
    repo: &Repo,
    batch: Option<Batch>,
    cwd: &Path,
    commit: &str,
    leaf: Leaf<'_>,
    builtin: &'static [&'static Rule],
) -> Result<AtBase, GitError> {
    let mut batch = match batch {
        Some(b) => b,
        None => repo.batch()?,
    };
    // a configuration is capped at the commit as on disk
    batch.limit(crate::untrusted::CONFIG_CAP);
    let source = AtCommit {
        repo,
        batch: RefCell::new(batch),
        commit,
        short: commit.chars().take(12).collect(),
        reads: RefCell::new(Vec::new()),
    };
    let path = match leaf {
        Leaf::File(p) => crate::paths::normalize(&cwd.join(p)),
        Leaf::Discover(dir) => match discover(&source, &cwd.join(dir))? {
            Some(p) => p,
            None => {
                return Ok(AtBase {
                    root: Some(repo.root.clone()),
                    ..AtBase::default()
                });
            }
        },
    };
    let result = config::load_from(&path, &source, builtin);
    let leaf = source.name(&path);
    let reads = source.reads.into_inner();
    let mut at = AtBase {
        leaf: Some(leaf),
        root: Some(repo.root.clone()),
        ..AtBase::default()
    };
    // the file each one extends is read right after it
    for (i, read) in reads.iter().enumerate() {
        let by = match i.checked_sub(1).and_then(|j| reads.get(j)) {
            Some(Read::Blob(rel) | Read::Absent(rel)) => format!("{}:{rel}", source.short),
            Some(Read::Outside(p)) => FileSystem.name(p),
            None => {
                if let Read::Absent(rel) = read {
                    at.notes.push(format!(
                        "`{rel}` is not at the base commit: changes are classified with the default configuration"
                    ));
                }
                continue;
            }
        };
        match read {
            Read::Blob(_) => {}
            Read::Absent(rel) => at.notes.push(format!(
                "`{by}` extends `{rel}`, which is not at the base commit: the base configuration is read without it"
            )),
            Read::Outside(p) => at.notes.push(format!(
                "`{by}` extends `{}`, outside the repository: it is read as it is now",
                FileSystem.name(p)
            )),
        }
    }
    match result {
        Ok(s) => at.settings = s,
        Err(e) => at.errors = e,
    }
    Ok(at)
}

/// Where the configuration of each directory is at a commit, for `lint --new-only` (which
/// reads, like `diff`, the configuration of the base: a pull request cannot relax its own
/// check). One `git ls-tree` lists the configuration files of the commit.
#[derive(Debug)]
pub struct Tree {
    root: PathBuf,
    /// Paths from the top of the repository.
    files: std::collections::HashSet<String>,
}

impl Tree {
    /// The configuration files of `commit` of `repo`.
    pub fn new(repo: &Repo, commit: &str) -> Result<Self, GitError> {
        let files = repo.files_named(commit, &config::FILE_NAMES)?;
        let root = std::fs::canonicalize(&repo.root).unwrap_or_else(|_| repo.root.clone());
        Ok(Self {
            root,
            files: files.into_iter().collect(),
        })
    }

    /// The configuration file nearest to `dir` at the commit (in the order of
    /// [`config::FILE_NAMES`]), else above the repository on the file system, as
    /// [`discover`] finds it.
    pub fn leaf_for(&self, dir: &Path) -> Option<PathBuf> {
        let cwd = std::env::current_dir().unwrap_or_default();
        let abs = crate::paths::normalize(&cwd.join(dir));
        let dir = crate::paths::normalize(&std::fs::canonicalize(&abs).unwrap_or(abs));
        for d in dir.ancestors() {
            let Ok(rel) = d.strip_prefix(&self.root) else {
                break;
            };
            let rel = rel.to_string_lossy().replace('\\', "/");
            for name in config::FILE_NAMES {
                let candidate = if rel.is_empty() {
                    name.to_owned()
                } else {
                    format!("{rel}/{name}")
                };
                if self.files.contains(&candidate) {
                    return Some(self.root.join(candidate));
                }
            }
        }
        self.root.parent().and_then(config::discover)
    }
}

/// A blob's bytes, or its size when it is larger than the batch's limit.
type BlobBytes = Result<Vec<u8>, u64>;

/// What a path names at a commit.
enum AtPath {
    /// Nothing (or an object the repository lacks: [`Repo::check_missing_with`] tells).
    Missing,
    /// A folder (or a submodule): not a configuration file, as on disk.
    NotAFile,
    /// A file's bytes.
    Blob(BlobBytes),
}

/// What `paths` (relative to the top of the repository) name at `commit`, in order.
fn blobs(batch: &mut Batch, commit: &str, paths: &[String]) -> Result<Vec<AtPath>, GitError> {
    let names: Vec<String> = paths.iter().map(|p| format!("{commit}:{p}")).collect();
    Ok(batch
        .get_many(&names)?
        .into_iter()
        .map(|o| match o {
            None => AtPath::Missing,
            Some(o) if o.kind != "blob" => AtPath::NotAFile,
            Some(o) if o.size > o.data.len() as u64 => AtPath::Blob(Err(o.size)),
            Some(o) => AtPath::Blob(Ok(o.data)),
        })
        .collect())
}

/// The configuration file nearest to `dir` at the commit: looked for in the commit up to the
/// top of the repository, then on the file system above it (as `lint` finds it there).
fn discover(at: &AtCommit<'_>, dir: &Path) -> Result<Option<PathBuf>, GitError> {
    let root = std::fs::canonicalize(&at.repo.root).unwrap_or_else(|_| at.repo.root.clone());
    let dir =
        crate::paths::normalize(&std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_owned()));
    let mut candidates = Vec::new();
    for d in dir.ancestors() {
        let Ok(rel) = d.strip_prefix(&root) else {
            break;
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        for name in config::FILE_NAMES {
            candidates.push(if rel.is_empty() {
                name.to_owned()
            } else {
                format!("{rel}/{name}")
            });
        }
    }
    let mut batch = at.batch.borrow_mut();
    let found = blobs(&mut batch, at.commit, &candidates)?;
    let first = found.iter().position(|f| matches!(f, AtPath::Blob(_)));
    // a nearer file a partial clone lacks must not be passed over for a farther one (a folder
    // of the name is passed over, as on disk)
    let passed: Vec<&str> = candidates
        .iter()
        .zip(&found)
        .take(first.unwrap_or(candidates.len()))
        .filter(|(_, f)| matches!(f, AtPath::Missing))
        .map(|(c, _)| c.as_str())
        .collect();
    at.repo.check_missing_with(&mut batch, at.commit, &passed)?;
    drop(batch);
    if let Some(i) = first {
        return Ok(Some(root.join(&candidates[i])));
    }
    Ok(root.parent().and_then(config::discover))
}
