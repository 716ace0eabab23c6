//! What `awsauth diff` compares: two files, or two sides of a Git repository (commits, the
//! index, the working tree), read from Git objects without a checkout.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::Context;
use rayon::prelude::*;

use super::Versions;
use super::render::Revisions;
use crate::git::{Batch, Blob, GitError, RawChange, Repo, Rev};
use crate::load::FileLoad;

/// A file's bytes on one side (`None`: absent).
type Content = Option<Vec<u8>>;

/// Whether a path is worth reading as a manifest or Terraform file (the walk's default
/// extensions; not awsauth's own configuration).
fn manifest_path(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    !crate::config::FILE_NAMES.contains(&name)
        && [".yaml", ".yml", ".json", ".tf"]
            .iter()
            .any(|e| name.to_ascii_lowercase().ends_with(e))
}

/// What `awsauth diff` names: with `no_index`, the two files of `revs`; else up to two
/// revisions of the repository around the current directory, `paths` the pathspecs (see
/// [`from_git`], and for the `git cat-file` it may leave running). Files larger than `max`
/// bytes are not read.
pub fn read(
    revs: &[String],
    paths: &[String],
    staged: bool,
    no_index: bool,
    max: u64,
) -> anyhow::Result<(Versions, Revisions, Option<Batch>)> {
    if no_index {
        let [old, new] = revs else {
            anyhow::bail!("`--no-index` compares two files: `awsauth diff --no-index OLD NEW`");
        };
        if old == "-" && new == "-" {
            anyhow::bail!("standard input can be only one of the two files");
        }
        if !paths.is_empty() {
            anyhow::bail!(
                "`--no-index` compares the two files named; pathspecs (`-- PATH`) are for revisions"
            );
        }
        let (versions, revisions) = from_files(old, new, max).map_err(|e| anyhow::anyhow!(e))?;
        return Ok((versions, revisions, None));
    }
    if revs.len() > 2 {
        anyhow::bail!("at most two revisions: `awsauth diff [BASE [HEAD]] [-- PATH...]`");
    }
    let cwd = std::env::current_dir().context("no current directory")?;
    Ok(from_git(&cwd, revs, staged, paths, max)?)
}

/// Two files (`-` is standard input), each of at most `max` bytes.
pub fn from_files(old: &str, new: &str, max: u64) -> Result<(Versions, Revisions), String> {
    let read = |p: &str| -> Result<FileLoad, String> {
        let input = if p == "-" {
            crate::discover::Input::Stdin {
                name: "<stdin>".into(),
            }
        } else {
            crate::discover::Input::Path {
                path: PathBuf::from(p),
                name: p.to_owned(),
            }
        };
        let file = crate::discover::read_input(&input, max)
            .map_err(|e| format!("{}: {}", e.name, e.message))?;
        let name = file.name.clone();
        // two files: nothing to go on with when one panics
        crate::guard::catch(|| {
            crate::guard::test_trigger("load", &file.name);
            crate::load::load_file(file)
        })
        .map_err(|p| {
            format!(
                "internal error while processing `{name}`: {p}\n  help: {}",
                crate::guard::REPORT
            )
        })
    };
    let versions = Versions {
        old: vec![read(old)?],
        new: vec![read(new)?],
        skipped: Vec::new(),
        same_file: true,
        unreadable: Vec::new(),
        crashed: Vec::new(),
        not_read: Vec::new(),
    };
    let revisions = Revisions {
        base: old.to_owned(),
        head: new.to_owned(),
        base_commit: None,
    };
    Ok((versions, revisions))
}

/// Two sides of the repository around `cwd`: `[BASE [HEAD]]` (BASE defaults to the merge base
/// with the default branch, HEAD to the working tree), or with `staged` BASE (default HEAD)
/// against the index; `paths` are pathspecs relative to `cwd`. A file larger than `max` bytes
/// on either side is not read (nor held in memory): it is listed as not compared. Two commits
/// compared by the tree walk leave its `git cat-file` running, returned for reading the
/// configuration at the base commit ([`crate::config::at_commit`]) without a new process.
pub fn from_git(
    cwd: &Path,
    revs: &[String],
    staged: bool,
    paths: &[String],
    max: u64,
) -> Result<(Versions, Revisions, Option<Batch>), GitError> {
    let repo = Repo::lazy(cwd);
    let (old, base_name, new) = sides(&repo, cwd, revs, staged)?;
    let named: Vec<&str> = [&old, &new]
        .iter()
        .filter_map(|r| match r {
            Rev::Named(n) => Some(n.as_str()),
            _ => None,
        })
        .collect();
    check_named(&named)?;
    // two commits, every manifest: one `git cat-file` serves both trees (walked here) and the
    // blobs; what it leaves (see `git::walk`), `git diff` compares, or says what is wrong
    let walked = match (&old, &new) {
        (Rev::Named(o), Rev::Named(n)) if paths.is_empty() => {
            repo.diff_commits(o, n, &manifest_path, max)
        }
        _ => None,
    };
    let (mut changed, blobs, large, ids, batch) = if let Some(d) = walked {
        (d.changes, d.blobs, d.large, d.ids.to_vec(), Some(d.batch))
    } else {
        let (changed, blobs, large, ids) = read_with_git(&repo, &old, &new, paths, &named, max)?;
        (changed, blobs, large, ids, None)
    };
    // git's order (a path's bytes), with untracked files among the others
    changed.sort_by(|a, b| a.path.cmp(&b.path));
    // a submodule's files are not read: say so rather than skip them silently
    let submodules: Vec<String> = changed.iter().filter_map(submodule_note).collect();

    let short = |i: usize| {
        ids.get(i)
            .map(|o| o.chars().take(12).collect::<String>())
            .unwrap_or_default()
    };
    let base_label = match &old {
        Rev::Named(_) => format!("{base_name} ({})", short(0)),
        _ => base_name,
    };
    let head_label = match &new {
        Rev::Named(n) => format!("{n} ({})", short(named.len() - 1)),
        Rev::Index => "staged changes".to_owned(),
        _ => "working tree".to_owned(),
    };
    let root = if changed.iter().any(|c| c.new == Blob::Worktree) {
        Some(repo.toplevel()?)
    } else {
        None
    };
    let contents = Contents {
        blobs: &blobs,
        large: &large,
        root,
        max,
    };
    let content = |b: &Blob, path: &str| contents.read(b, path);
    let inputs: Vec<(String, Side, Side)> = changed
        .iter()
        .map(|c| {
            (
                c.path.clone(),
                content(&c.old, &c.path),
                content(&c.new, &c.path),
            )
        })
        // git lists a working-tree file whose stat data changed without hashing it (it would
        // run clean filters, and write the index back): the same bytes are no change
        .filter(|(_, o, n)| !matches!((o, n), (Ok(Some(a)), Ok(Some(b))) if a == b))
        .collect();
    let versions = load_versions(inputs, submodules);
    let revisions = Revisions {
        base: base_label,
        head: head_label,
        base_commit: match &old {
            Rev::Named(_) => ids.first().cloned(),
            _ => None,
        },
    };
    Ok((versions, revisions, batch))
}

/// The two sides of `revs` (the base with its name as shown, the head), checked.
fn sides(
    repo: &Repo,
    cwd: &Path,
    revs: &[String],
    staged: bool,
) -> Result<(Rev, String, Rev), GitError> {
    // a repository without commits (the first `git commit` runs the pre-commit hook): the base
    // is the empty tree
    let unborn = revs.is_empty() && repo.head_unborn();
    let (old, base_name) = match revs.first() {
        Some(rev) => (Rev::Named(rev.clone()), rev.clone()),
        None if unborn => (Rev::Tree(repo.empty_tree()?), "no commits yet".to_owned()),
        None if staged => (Rev::Named("HEAD".into()), "HEAD".into()),
        None => {
            let (name, oid) = Repo::discover(cwd)?.default_base()?;
            (Rev::Named(oid), format!("merge base with {name}"))
        }
    };
    if staged && repo.is_bare() {
        return Err(GitError(
            "`--staged` compares with the index, and a bare repository has none; name two revisions".into(),
        ));
    }
    let new = match (revs.get(1), staged) {
        (Some(_), true) => {
            return Err(GitError(
                "`--staged` compares with the index: name at most one revision".into(),
            ));
        }
        (Some(rev), false) => Rev::Named(rev.clone()),
        (None, true) => Rev::Index,
        (None, false) => Rev::Worktree,
    };
    Ok((old, base_name, new))
}

/// The named revisions are revisions, not ranges.
fn check_named(named: &[&str]) -> Result<(), GitError> {
    for n in named {
        if n.contains(['\n', '\r']) {
            return Err(GitError(format!("{n:?} is not a revision")));
        }
        if n.contains("..") {
            return Err(GitError(format!(
                "`{n}` is a range: name the base and the head as two revisions (`awsauth diff A B`)"
            )));
        }
    }
    Ok(())
}

/// A changed file's bytes on one side, or why they are not read and what to do about it.
type Side = Result<Content, (String, &'static str)>;

/// What to do about a version larger than `--max-file-size`.
const RAISE_THE_LIMIT: &str =
    "raise the limit with `--max-file-size`, e.g. `--max-file-size 64MiB`";

/// What to do about a working-tree file that cannot be read.
const MAKE_IT_READABLE: &str =
    "make the file readable (the diff does not take a file it cannot read for deleted)";

/// Where the bytes of the changed files are: the blobs read (those too large, with their size)
/// and the working tree.
struct Contents<'a> {
    blobs: &'a HashMap<String, Vec<u8>>,
    large: &'a HashMap<String, u64>,
    /// The top of the working tree, when a side is the working tree.
    root: Option<PathBuf>,
    /// `--max-file-size`.
    max: u64,
}

impl Contents<'_> {
    fn too_large(&self, size: u64) -> (String, &'static str) {
        let why = format!(
            "{}, larger than `--max-file-size` ({}): not read",
            crate::untrusted::show_size(size),
            crate::untrusted::show_size(self.max)
        );
        (why, RAISE_THE_LIMIT)
    }

    /// The bytes of one side (`None`: absent), or why they are not read.
    fn read(&self, b: &Blob, path: &str) -> Side {
        let max = self.max;
        match b {
            Blob::Absent | Blob::Commit(_) => Ok(None),
            Blob::Oid(oid) => match self.large.get(oid) {
                Some(size) => Err(self.too_large(*size)),
                None => Ok(self.blobs.get(oid).cloned()),
            },
            // a regular file only: a link (committed links are no manifests either) or a FIFO in
            // its place is not read, nor waited on; nor more than `max` bytes of it
            Blob::Worktree => {
                let Some(p) = self.root.as_ref().map(|r| r.join(path)) else {
                    return Ok(None);
                };
                match std::fs::symlink_metadata(&p) {
                    Ok(m) if m.is_file() && m.len() > max => Err(self.too_large(m.len())),
                    Ok(m) if m.is_file() => {
                        let mut bytes = Vec::new();
                        let read = std::fs::File::open(&p).and_then(|f| {
                            std::io::Read::take(f, max.saturating_add(1)).read_to_end(&mut bytes)
                        });
                        match read {
                            Ok(n) if n as u64 > max => Err(self.too_large(n as u64)),
                            Ok(_) => Ok(Some(bytes)),
                            Err(e) => Err(unreadable(&e)),
                        }
                    }
                    // gone (deleted), or not a regular file: no manifest there
                    Ok(_) => Ok(None),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    // a folder on the way that cannot be searched: not known to be deleted
                    Err(e) => Err(unreadable(&e)),
                }
            }
        }
    }
}

/// One changed file loaded: its old and new versions, why versions are not compared, the
/// new version that could not be read, the versions whose loading panicked.
type LoadedPair = (
    Option<FileLoad>,
    Option<FileLoad>,
    Vec<String>,
    Option<(String, String)>,
    Vec<(String, String)>,
);

/// Loads both versions of a changed file. A file that cannot be decoded is skipped and said
/// so; the others are compared. A panic while loading one version is that version's internal
/// error: not compared, and the others are.
fn load_pair((p, o, n): (String, Side, Side)) -> LoadedPair {
    let mut skipped = Vec::new();
    let mut unreadable = None;
    let mut crashed = Vec::new();
    let mut load = |b: Side, side: &str| {
        let b = match b {
            Ok(b) => b,
            Err((why, _)) => {
                let why = format!("{p}: {why}");
                if side == "new" {
                    unreadable = Some((p.clone(), why.clone()));
                }
                skipped.push(format!("{why} ({side})"));
                return None;
            }
        };
        let present = b.is_some();
        let loaded = crate::guard::catch(|| {
            if present {
                crate::guard::test_trigger("load", &p);
            }
            super::load_version(&p, b)
        })
        .unwrap_or_else(|panic| {
            crashed.push((format!("{p} ({side})"), panic.message));
            Err(format!(
                "{p}: an internal error, reported on standard error"
            ))
        });
        loaded.unwrap_or_else(|e| {
            if side == "new" {
                unreadable = Some((p.clone(), e.clone()));
            }
            skipped.push(format!("{e} ({side})"));
            None
        })
    };
    let (o, n) = (load(o, "old"), load(n, "new"));
    (o, n, skipped, unreadable, crashed)
}

/// A working-tree file that cannot be read: not compared (exit 2), never taken for deleted.
fn unreadable(e: &std::io::Error) -> (String, &'static str) {
    let why = crate::discover::io_message(e);
    (
        format!("cannot read the working-tree file: {why}"),
        MAKE_IT_READABLE,
    )
}

/// The versions of the changed files (path, old side, new side); `submodules`: the notes on
/// submodules, listed first among the skipped.
fn load_versions(inputs: Vec<(String, Side, Side)>, submodules: Vec<String>) -> Versions {
    // a version not read is not compared, and the run fails (exit 2)
    let not_read: Vec<(String, &'static str)> = inputs
        .iter()
        .flat_map(|(p, o, n)| {
            [(o, "old"), (n, "new")]
                .into_iter()
                .filter_map(move |(b, side)| {
                    b.as_ref()
                        .err()
                        .map(|(why, help)| (format!("{p}: {why} ({side})"), *help))
                })
        })
        .collect();
    // most changes touch a handful of manifests: threads only pay off for many
    let loaded: Vec<LoadedPair> = if inputs.len() < 32 {
        inputs.into_iter().map(load_pair).collect()
    } else {
        inputs.into_par_iter().map(load_pair).collect()
    };
    let mut versions = Versions {
        skipped: submodules,
        not_read,
        ..Versions::default()
    };
    for (o, n, skipped, unreadable, crashed) in loaded {
        versions.old.extend(o);
        versions.new.extend(n);
        versions.skipped.extend(skipped);
        versions.unreadable.extend(unreadable);
        versions.crashed.extend(crashed);
    }
    versions
}

/// What the output says of a submodule whose commit changed (`None`: no submodule here).
fn submodule_note(c: &RawChange) -> Option<String> {
    let commit = |b: &Blob| match b {
        Blob::Commit(oid) if oid.bytes().all(|b| b == b'0') => {
            Some("the commit checked out in the working tree".to_owned())
        }
        Blob::Commit(oid) => Some(oid.chars().take(12).collect::<String>()),
        _ => None,
    };
    let p = &c.path;
    let what = match (commit(&c.old), commit(&c.new)) {
        (None, None) => return None,
        (Some(a), Some(b)) => format!("submodule updated from {a} to {b}"),
        (None, Some(b)) => format!("submodule added at {b}"),
        (Some(a), None) => format!("submodule removed (it was at {a})"),
    };
    Some(format!(
        "{p}: {what}; the files in it are not compared (run `awsauth diff` in the submodule)"
    ))
}

/// What [`from_git`] reads through the `git` command line: the changed manifests, their blobs
/// by id, and the commit ids of the `named` revisions.
/// The changes, the blobs read, those not read for their size (with it), the commits' ids.
type GitRead = (
    Vec<RawChange>,
    HashMap<String, Vec<u8>>,
    HashMap<String, u64>,
    Vec<String>,
);

fn read_with_git(
    repo: &Repo,
    old: &Rev,
    new: &Rev,
    paths: &[String],
    named: &[&str],
    max: u64,
) -> Result<GitRead, GitError> {
    // two git processes in all: cat-file resolves the revisions while git diff compares them,
    // and serves each blob as soon as git diff names it
    let mut batch = repo.batch()?;
    batch.limit(max);
    let mut names: Vec<String> = named.iter().map(|n| format!("{n}^{{commit}}")).collect();
    let (changed, objects) = batch.stream(|ask| {
        for n in &names {
            ask(n);
        }
        let mut wanted = |c: &RawChange| {
            if manifest_path(&c.path) {
                for b in [&c.old, &c.new] {
                    if let Blob::Oid(oid) = b {
                        ask(oid);
                        names.push(oid.clone());
                    }
                }
            }
        };
        repo.diff_raw_with(old, new, paths, &mut wanted)
    })?;
    // manifests, and submodules (reported as not compared; a file on the other side of one is
    // read only when it is a manifest)
    let changed: Vec<RawChange> = changed?
        .into_iter()
        .filter_map(|c| {
            if manifest_path(&c.path) {
                return Some(c);
            }
            let gitlink = |b: Blob| match b {
                Blob::Commit(_) => b,
                _ => Blob::Absent,
            };
            let c = RawChange {
                old: gitlink(c.old),
                new: gitlink(c.new),
                path: c.path,
            };
            (c.old != Blob::Absent || c.new != Blob::Absent).then_some(c)
        })
        .collect();
    // cat-file answers every name, `missing` included, unless it died (a partial clone whose
    // remote cannot be reached): then what it did not answer cannot be taken for absent
    if objects.len() < names.len() {
        let unanswered = &names[objects.len()..];
        let path = changed
            .iter()
            .find(|c| {
                unanswered
                    .iter()
                    .any(|n| c.old == Blob::Oid(n.clone()) || c.new == Blob::Oid(n.clone()))
            })
            .map_or("?", |c| c.path.as_str());
        return Err(GitError(format!(
            "`git cat-file` stopped before reading object {} of `{path}`",
            unanswered[0]
        )));
    }
    let mut objects = objects;
    let rest = objects.split_off(named.len().min(objects.len()));
    let (commits, objects) = (objects, rest);
    // each revision must name one commit (not a tree or a path)
    for (i, n) in named.iter().enumerate() {
        if commits
            .get(i)
            .and_then(Option::as_ref)
            .is_none_or(|o| o.kind != "commit")
        {
            repo.resolve(n)?;
            return Err(GitError(format!("`{n}` does not name a commit")));
        }
    }
    let names = &names[named.len()..];
    let mut blobs: HashMap<String, Vec<u8>> = HashMap::new();
    let mut large: HashMap<String, u64> = HashMap::new();
    for (name, obj) in names.iter().zip(objects) {
        match obj.filter(|o| o.kind == "blob") {
            Some(o) if o.size > max => {
                large.insert(name.clone(), o.size);
            }
            Some(o) => {
                blobs.insert(name.clone(), o.data);
            }
            None => {
                let oid = Blob::Oid(name.clone());
                let (path, on_old) = changed
                    .iter()
                    .find_map(|c| {
                        (c.old == oid || c.new == oid).then_some((c.path.as_str(), c.old == oid))
                    })
                    .unwrap_or(("?", true));
                let rev = match (named, on_old) {
                    ([a, _] | [a], true) => *a,
                    ([_, b], false) => *b,
                    _ => "the index",
                };
                return Err(GitError(repo.missing_object(rev, path)));
            }
        }
    }
    let ids = commits.into_iter().flatten().map(|o| o.oid).collect();
    Ok((changed, blobs, large, ids))
}
