//! What `awsauth diff` compares: two files, or two sides of a Git repository (commits, the
//! index, the working tree), read from Git objects without a checkout.
//!
//! A Terraform file is loaded with the other files of its module directory (its `.tf` files,
//! `terraform.tfvars`, `*.auto.tfvars`) as each side has them, because locals, variable
//! defaults and variable values live there: a folder where a module file changed is read on
//! both sides (a commit's files as the tree walk, or the tree asked for beside the diff's
//! blobs, lists them; the index's by `:path`; the working tree's from disk), in one more
//! request to the `git cat-file` already running, and each of its `.tf` files is compared, the
//! unchanged ones included (what they write may have changed through a sibling). A sibling
//! that cannot be read is left out (its values are unknown). No module file changed: nothing
//! more is read, nor asked of git.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use rayon::prelude::*;

use super::Versions;
use super::render::Revisions;
use crate::git::{Batch, Blob, GitError, RawChange, Repo, Rev};
use crate::load::FileLoad;
use crate::source::SourceFile;

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

/// Whether a path is one of a Terraform module directory's own files (by its name: `.tf`,
/// `terraform.tfvars`, `*.auto.tfvars`): a change to one changes what every `.tf` file of its
/// folder means.
fn module_path(path: &str) -> bool {
    crate::discover::is_module_file(path.rsplit('/').next().unwrap_or(path))
}

/// The folder of a path from the top of the repository (`""`: the top).
fn folder_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// A changed file worth reading: a manifest, or a file of a Terraform module directory.
fn wanted_path(path: &str) -> bool {
    manifest_path(path) || module_path(path)
}

/// The module files of the folders where one changed, on each side, as the commits' trees
/// list them (name, blob); a side that is no commit lists nothing here.
type Folders = HashMap<String, [Vec<(String, Blob)>; 2]>;

/// The files of a Terraform module directory on the old and the new side.
type Siblings = Arc<[Vec<Arc<SourceFile>>; 2]>;

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
        // a Terraform file is read with the other files of its module directory
        let siblings = match &input {
            crate::discover::Input::Path { path, .. } if crate::load::is_terraform(&name) => {
                crate::discover::module_files(path, max)
            }
            _ => Vec::new(),
        };
        // two files: nothing to go on with when one panics
        crate::guard::catch(|| {
            crate::guard::test_trigger("load", &file.name);
            crate::load::load_file_with(file, &siblings)
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
        context: Vec::new(),
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
            repo.diff_commits_keeping(o, n, &wanted_path, &crate::discover::is_module_file, max)
        }
        _ => None,
    };
    let (read, mut batch) = if let Some(d) = walked {
        let read = GitRead {
            ids: d.ids.to_vec(),
            changed: d.changes,
            blobs: d.blobs,
            large: d.large,
            folders: d.folders,
            batch: None,
        };
        (read, Some(d.batch))
    } else {
        (read_with_git(&repo, &old, &new, paths, &named, max)?, None)
    };
    let GitRead {
        mut changed,
        blobs,
        large,
        ids,
        folders,
        batch: mut module_batch,
    } = read;
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
    let module_changed = changed.iter().any(|c| module_path(&c.path));
    let root = if changed.iter().any(|c| c.new == Blob::Worktree)
        || (module_changed && new == Rev::Worktree)
    {
        Some(repo.toplevel()?)
    } else {
        None
    };
    // Terraform: the module directories of the changed module files, as each side has them
    // (nothing read, and no request, when no module file changed)
    let (modules, too_large) = if module_changed {
        let batch = match batch.as_mut() {
            Some(b) => Some(b),
            None => module_batch.as_mut(),
        };
        let sides = [&old, &new];
        read_modules(
            &changed,
            sides,
            &folders,
            (&blobs, &large),
            batch,
            root.as_deref(),
            max,
        )
    } else {
        (BTreeMap::new(), Vec::new())
    };
    let contents = Contents {
        blobs: &blobs,
        large: &large,
        root,
        max,
    };
    let inputs = compare_inputs(&changed, &contents, &modules);
    let compared: BTreeSet<String> = inputs.iter().map(|(p, ..)| p.clone()).collect();
    let mut versions = load_versions(inputs, submodules);
    versions.skipped.extend(too_large);
    if let (Rev::Named(_), Some(base)) = (&old, ids.first()) {
        let open = match batch.as_mut() {
            Some(b) => Some(b),
            None => module_batch.as_mut(),
        };
        add_context(&repo, open, base, &compared, max, &mut versions);
    }
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

/// The files to compare: each changed manifest with its two sides, and every `.tf` file of the
/// module directories read (`modules`), with the files beside it on each side; in path order.
fn compare_inputs(
    changed: &[RawChange],
    contents: &Contents<'_>,
    modules: &BTreeMap<String, ModuleFiles>,
) -> Vec<Input> {
    let content = |b: &Blob, path: &str| contents.read(b, path);
    let siblings = siblings(modules);
    let of = |path: &str| {
        crate::load::is_terraform(path)
            .then(|| siblings.get(folder_of(path)).cloned())
            .flatten()
    };
    let mut inputs: Vec<Input> = changed
        .iter()
        // a variable file changes what the `.tf` files beside it mean, compared below
        .filter(|c| manifest_path(&c.path))
        .map(|c| {
            (
                c.path.clone(),
                content(&c.old, &c.path),
                content(&c.new, &c.path),
                of(&c.path),
            )
        })
        // git lists a working-tree file whose stat data changed without hashing it (it would
        // run clean filters, and write the index back): the same bytes are no change, unless
        // the files beside it changed
        .filter(|(_, o, n, s)| {
            s.is_some() || !matches!((o, n), (Ok(Some(a)), Ok(Some(b))) if a == b)
        })
        .collect();
    inputs.extend(unchanged_terraform(modules, changed, &siblings));
    inputs.sort_by(|a, b| a.0.cmp(&b.0));
    inputs
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

/// A file to compare: its path, its two sides, and for a Terraform file of a folder where a
/// module file changed, the files of its module directory on each side.
type Input = (String, Side, Side, Option<Siblings>);

/// The files (path, bytes) of a Terraform module directory on the old and the new side.
type ModuleFiles = [Vec<(String, Vec<u8>)>; 2];

/// How a module directory's file is read on one side.
enum Source {
    /// Through `git cat-file`: an object id, or `:path` (the index).
    Object(String),
    /// From the working tree.
    Disk,
}

/// The module directories of the module files among `changed` (by folder), read on each side
/// of `sides`: a commit's files as its tree lists them (`folders`), the index's as the base's
/// tree and the diff list them (read by `:path`, so each as the index has it), the working
/// tree's from disk (under `root`). Objects not in `blobs` are read through `batch` in one
/// request. A file that cannot be read, or is larger than `max` bytes, is left out (the files
/// beside it are read without its values); one left out for its size is noted (the notes are
/// returned), unless it is a changed manifest, which is reported as not read already.
fn read_modules(
    changed: &[RawChange],
    sides: [&Rev; 2],
    folders: &Folders,
    (blobs, large): (&HashMap<String, Vec<u8>>, &HashMap<String, u64>),
    batch: Option<&mut Batch>,
    root: Option<&Path>,
    max: u64,
) -> (BTreeMap<String, ModuleFiles>, Vec<String>) {
    let touched: BTreeSet<&str> = changed
        .iter()
        .filter(|c| module_path(&c.path))
        .map(|c| folder_of(&c.path))
        .collect();
    let wanted = module_sources(&touched, changed, sides, folders, root);
    // one request for the objects not read yet
    let mut ask: Vec<String> = wanted
        .iter()
        .filter_map(|(_, _, _, how)| match how {
            Source::Object(name) if !blobs.contains_key(name) && !large.contains_key(name) => {
                Some(name.clone())
            }
            _ => None,
        })
        .collect();
    ask.sort();
    ask.dedup();
    let mut read: HashMap<String, Vec<u8>> = HashMap::new();
    let mut sizes: HashMap<String, u64> = large.clone();
    if let Some(batch) = batch.filter(|_| !ask.is_empty()) {
        batch.limit(max);
        if let Ok(objects) = batch.get_many(&ask) {
            for (name, o) in ask.into_iter().zip(objects) {
                match o.filter(|o| o.kind == "blob") {
                    Some(o) if o.size > max => {
                        sizes.insert(name, o.size);
                    }
                    Some(o) => {
                        read.insert(name, o.data);
                    }
                    None => {}
                }
            }
        }
    }
    let reported: BTreeSet<&str> = changed
        .iter()
        .filter(|c| manifest_path(&c.path))
        .map(|c| c.path.as_str())
        .collect();
    let mut notes = BTreeSet::new();
    let mut note = |path: &str, size: u64, side: usize| {
        if !reported.contains(path) {
            notes.insert(format!(
                "{path}: {}, larger than `--max-file-size` ({}): not read ({}); the Terraform files beside it are compared without its values",
                crate::untrusted::show_size(size),
                crate::untrusted::show_size(max),
                ["old", "new"][side]
            ));
        }
    };
    let mut modules: BTreeMap<String, ModuleFiles> = touched
        .iter()
        .map(|d| ((*d).to_owned(), ModuleFiles::default()))
        .collect();
    for (dir, side, path, how) in wanted {
        let bytes = match how {
            Source::Object(name) => {
                if let Some(size) = sizes.get(&name) {
                    note(&path, *size, side);
                }
                blobs.get(&name).or_else(|| read.get(&name)).cloned()
            }
            Source::Disk => root.and_then(|r| match read_regular(&r.join(&path), max) {
                Ok(bytes) => bytes,
                Err(size) => {
                    note(&path, size, side);
                    None
                }
            }),
        };
        if let (Some(bytes), Some(files)) = (bytes, modules.get_mut(dir)) {
            files[side].push((path, bytes));
        }
    }
    (modules, notes.into_iter().collect())
}

/// What to read of each module directory `touched` (see [`read_modules`]): (folder, side,
/// path, how).
fn module_sources<'a>(
    touched: &BTreeSet<&'a str>,
    changed: &[RawChange],
    sides: [&Rev; 2],
    folders: &Folders,
    root: Option<&Path>,
) -> Vec<(&'a str, usize, String, Source)> {
    let join = |dir: &str, name: &str| {
        if dir.is_empty() {
            name.to_owned()
        } else {
            format!("{dir}/{name}")
        }
    };
    // what to read: (folder, side, path, how)
    let mut wanted: Vec<(&'a str, usize, String, Source)> = Vec::new();
    for &dir in touched {
        let listed = |side: usize| folders.get(dir).map_or(&[][..], |f| &f[side][..]);
        for (side, rev) in sides.iter().enumerate() {
            match rev {
                Rev::Named(_) => {
                    for (name, blob) in listed(side) {
                        if let Blob::Oid(oid) = blob {
                            wanted.push((dir, side, join(dir, name), Source::Object(oid.clone())));
                        }
                    }
                }
                // the empty tree (no commits yet)
                Rev::Tree(_) => {}
                Rev::Index => {
                    let names: BTreeSet<String> = listed(0)
                        .iter()
                        .map(|(n, _)| join(dir, n))
                        .chain(
                            changed
                                .iter()
                                .filter(|c| folder_of(&c.path) == dir && module_path(&c.path))
                                .map(|c| c.path.clone()),
                        )
                        .collect();
                    for path in names {
                        let name = format!(":{path}");
                        wanted.push((dir, side, path, Source::Object(name)));
                    }
                }
                Rev::Worktree => {
                    for path in module_files_on_disk(root, dir) {
                        wanted.push((dir, side, path, Source::Disk));
                    }
                }
            }
        }
    }
    wanted
}

/// The module files of folder `dir` in the working tree under `root` (paths from the top),
/// in name order.
fn module_files_on_disk(root: Option<&Path>, dir: &str) -> Vec<String> {
    let Some(Ok(entries)) = root.map(|r| std::fs::read_dir(r.join(dir))) else {
        return Vec::new();
    };
    let mut paths: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| crate::discover::is_module_file(n))
        .map(|n| {
            if dir.is_empty() {
                n
            } else {
                format!("{dir}/{n}")
            }
        })
        .collect();
    paths.sort();
    paths
}

/// The bytes of a regular file (not a link, not a FIFO); `None` when there is none or it
/// cannot be read; its size when it is larger than `max` bytes.
fn read_regular(path: &Path, max: u64) -> Result<Option<Vec<u8>>, u64> {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return Ok(None);
    };
    if !meta.is_file() {
        return Ok(None);
    }
    if meta.len() > max {
        return Err(meta.len());
    }
    let mut bytes = Vec::new();
    let Ok(f) = std::fs::File::open(path) else {
        return Ok(None);
    };
    match f.take(max.saturating_add(1)).read_to_end(&mut bytes) {
        Ok(n) if n as u64 > max => Err(n as u64),
        Ok(_) => Ok(Some(bytes)),
        Err(_) => Ok(None),
    }
}

/// The files of each module directory read, decoded (a file that is not text is left out).
fn siblings(modules: &BTreeMap<String, ModuleFiles>) -> HashMap<String, Siblings> {
    modules
        .iter()
        .map(|(dir, sides)| {
            let decode = |files: &Vec<(String, Vec<u8>)>| -> Vec<Arc<SourceFile>> {
                files
                    .iter()
                    .filter_map(|(p, b)| crate::discover::decode(p, b.clone()).ok())
                    .collect()
            };
            (
                dir.clone(),
                Arc::new([decode(&sides[0]), decode(&sides[1])]),
            )
        })
        .collect()
}

/// The `.tf` files of the module directories read that did not change themselves but may mean
/// something else now (their siblings changed): each on both sides, with its siblings. One
/// that is not on both sides changed (or is left out for its size), and is not one of these.
fn unchanged_terraform(
    modules: &BTreeMap<String, ModuleFiles>,
    changed: &[RawChange],
    siblings: &HashMap<String, Siblings>,
) -> Vec<Input> {
    let changed: BTreeSet<&str> = changed.iter().map(|c| c.path.as_str()).collect();
    let mut out = Vec::new();
    for (dir, [old, new]) in modules {
        for (path, before) in old {
            if !crate::load::is_terraform(path) || changed.contains(path.as_str()) {
                continue;
            }
            let Some((_, after)) = new.iter().find(|(p, _)| p == path) else {
                continue;
            };
            out.push((
                path.clone(),
                Ok(Some(before.clone())),
                Ok(Some(after.clone())),
                siblings.get(dir).cloned(),
            ));
        }
    }
    out
}

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
fn load_pair((p, o, n, siblings): Input) -> LoadedPair {
    let mut skipped = Vec::new();
    let mut unreadable = None;
    let mut crashed = Vec::new();
    let mut load = |b: Side, side: &str| {
        let siblings = siblings
            .as_deref()
            .map_or(&[][..], |s| &s[usize::from(side == "new")][..]);
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
            super::load_version_with(&p, b, siblings)
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
fn load_versions(inputs: Vec<Input>, submodules: Vec<String>) -> Versions {
    // a version not read is not compared, and the run fails (exit 2)
    let not_read: Vec<(String, &'static str)> = inputs
        .iter()
        .flat_map(|(p, o, n, _)| {
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

/// Fails when `git cat-file` did not answer every name asked (`objects`, the answers of
/// `names`).
fn all_answered(
    names: &[String],
    objects: &[Option<crate::git::Object>],
    changed: &[RawChange],
) -> Result<(), GitError> {
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
        Err(GitError(format!(
            "`git cat-file` stopped before reading object {} of `{path}`",
            unanswered[0]
        )))
    } else {
        Ok(())
    }
}

/// The changes [`from_git`] reads: manifests and module files, and submodules (reported as
/// not compared; a file on the other side of one is read only when it is wanted).
fn kept_changes(changed: Vec<RawChange>) -> Vec<RawChange> {
    changed
        .into_iter()
        .filter_map(|c| {
            if wanted_path(&c.path) {
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
        .collect()
}

/// Takes out of `names` and their answers `objects` the trees of the folders asked for
/// (`trees`: their index in `names`, the side, the folder), as the module files each lists (a
/// folder a side does not have lists nothing).
fn take_folders(
    names: &mut Vec<String>,
    objects: &mut Vec<Option<crate::git::Object>>,
    trees: &[(usize, usize, String)],
    max: u64,
) -> Folders {
    let mut folders = Folders::new();
    // from the last: the indexes before stay right
    for (i, side, dir) in trees.iter().rev() {
        names.remove(*i);
        let tree = objects
            .remove(*i)
            .filter(|t| t.kind == "tree" && t.size <= max);
        let files = tree
            .and_then(|t| {
                crate::git::walk::files_named(
                    &t.data,
                    t.oid.len() / 2,
                    &crate::discover::is_module_file,
                )
            })
            .unwrap_or_default();
        folders.entry(dir.clone()).or_default()[*side] = files;
    }
    folders
}

/// What [`from_git`] reads through the `git` command line: the changed manifests and module
/// files, their blobs by id (those not read for their size, with it), the commit ids of the
/// named revisions, the module files of the folders where one changed on each named side, and
/// the `git cat-file` still running when there are such folders (for reading their files).
struct GitRead {
    changed: Vec<RawChange>,
    blobs: HashMap<String, Vec<u8>>,
    large: HashMap<String, u64>,
    ids: Vec<String>,
    folders: Folders,
    batch: Option<Batch>,
}

fn read_with_git(
    repo: &Repo,
    old: &Rev,
    new: &Rev,
    paths: &[String],
    named: &[&str],
    max: u64,
) -> Result<GitRead, GitError> {
    // two git processes in all: cat-file resolves the revisions while git diff compares them,
    // and serves each blob as soon as git diff names it (and, for a folder where a Terraform
    // module file changed, the folder's tree on each named side)
    let mut batch = repo.batch()?;
    batch.limit(max);
    let mut names: Vec<String> = named.iter().map(|n| format!("{n}^{{commit}}")).collect();
    // the names that ask for a folder's tree: their index in `names`, the side, the folder
    let mut trees: Vec<(usize, usize, String)> = Vec::new();
    let mut module_changed = false;
    let (changed, objects) = batch.stream_open(|ask| {
        for n in &names {
            ask(n);
        }
        let mut wanted = |c: &RawChange| {
            if !wanted_path(&c.path) {
                return;
            }
            for b in [&c.old, &c.new] {
                if let Blob::Oid(oid) = b {
                    ask(oid);
                    names.push(oid.clone());
                }
            }
            let dir = folder_of(&c.path);
            module_changed |= module_path(&c.path);
            // (a folder whose name cannot be asked for on cat-file's line protocol lists nothing)
            if module_path(&c.path)
                && !dir.contains('\n')
                && !trees.iter().any(|(_, _, d)| d == dir)
            {
                for (side, rev) in [old, new].into_iter().enumerate() {
                    if let Rev::Named(n) = rev {
                        let tree = format!("{n}^{{commit}}:{dir}");
                        ask(&tree);
                        trees.push((names.len(), side, dir.to_owned()));
                        names.push(tree);
                    }
                }
            }
        };
        let changed = repo.diff_raw_with(old, new, paths, &mut wanted);
        // the batch stays open to read the module directories' files
        (changed, module_changed)
    })?;
    let open = module_changed;
    let changed = kept_changes(changed?);
    all_answered(&names, &objects, &changed)?;
    let mut objects = objects;
    let folders = take_folders(&mut names, &mut objects, &trees, max);
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
    Ok(GitRead {
        changed,
        blobs,
        large,
        ids,
        folders,
        batch: open.then_some(batch),
    })
}

/// When a changed file holds RBAC, the unchanged files at `base` that give it meaning
/// (mappings, access entries, other RBAC: [`read_context`]); nothing read otherwise.
fn add_context(
    repo: &Repo,
    batch: Option<&mut Batch>,
    base: &str,
    compared: &BTreeSet<String>,
    max: u64,
    versions: &mut Versions,
) {
    if !super::reach::wanted(versions) {
        return;
    }
    match read_context(repo, batch, base, compared, max) {
        Ok(context) => versions.context = context,
        Err(e) => versions.skipped.push(format!(
            "the unchanged files were not read for what RBAC reaches: {}",
            e.0
        )),
    }
}

/// The files of `commit` (path, blob id) that are manifests (not Terraform), through `batch`:
/// its trees read level by level, one request each.
fn manifests_at(batch: &mut Batch, commit: &str) -> Result<Vec<(String, String)>, GitError> {
    let mut files = Vec::new();
    let mut level: Vec<(String, String)> = vec![(String::new(), format!("{commit}^{{tree}}"))];
    while !level.is_empty() {
        let names: Vec<String> = level.iter().map(|(_, n)| n.clone()).collect();
        let objects = batch.get_many(&names)?;
        let mut next = Vec::new();
        for ((prefix, _), tree) in level.iter().zip(objects) {
            let Some(tree) = tree.filter(|t| t.kind == "tree") else {
                continue;
            };
            let hash_len = tree.oid.len() / 2;
            for (mode, name, oid) in tree_entries(&tree.data, hash_len) {
                let path = if prefix.is_empty() {
                    name
                } else {
                    format!("{prefix}/{name}")
                };
                if mode == "40000" {
                    next.push((path, oid));
                } else if (mode == "100644" || mode == "100755")
                    && manifest_path(&path)
                    && !crate::load::is_terraform(&path)
                {
                    files.push((path, oid));
                }
            }
        }
        level = next;
    }
    Ok(files)
}

/// The entries of a tree object: (mode, name, object id in hex); a malformed rest is dropped.
fn tree_entries(data: &[u8], hash_len: usize) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut rest = data;
    while let Some(sp) = rest.iter().position(|&b| b == b' ') {
        let Some(nul) = rest[sp..].iter().position(|&b| b == 0).map(|i| i + sp) else {
            break;
        };
        let Some(hash) = rest.get(nul + 1..nul + 1 + hash_len) else {
            break;
        };
        let mode = String::from_utf8_lossy(&rest[..sp]).into_owned();
        let name = std::str::from_utf8(&rest[sp + 1..nul]).map(str::to_owned);
        let oid = hash.iter().fold(String::new(), |mut s, b| {
            use std::fmt::Write;
            let _ = write!(s, "{b:02x}");
            s
        });
        if let Ok(name) = name {
            out.push((mode, name, oid));
        }
        rest = &rest[nul + 1 + hash_len..];
    }
    out
}

/// The manifests of `commit` outside `compared` (the changed files, loaded already) that may
/// hold aws-auth, access entries or RBAC, loaded: they did not change, so one version serves
/// both sides. The trees and blobs through the `git cat-file` still open (`batch`), else a new
/// one; a blob over `max` bytes is left out.
fn read_context(
    repo: &Repo,
    batch: Option<&mut Batch>,
    commit: &str,
    compared: &BTreeSet<String>,
    max: u64,
) -> Result<Vec<FileLoad>, GitError> {
    let mut own;
    let batch = if let Some(b) = batch {
        b
    } else {
        own = repo.batch()?;
        &mut own
    };
    batch.limit(max);
    let files: Vec<(String, String)> = manifests_at(batch, commit)?
        .into_iter()
        .filter(|(p, _)| !compared.contains(p))
        .collect();
    let names: Vec<String> = files.iter().map(|(_, oid)| oid.clone()).collect();
    let objects = batch.get_many(&names)?;
    let blobs: Vec<(String, Vec<u8>)> = files
        .into_iter()
        .zip(objects)
        .filter_map(|((path, _), o)| {
            let o = o.filter(|o| o.kind == "blob" && o.size <= max)?;
            Some((path, o.data))
        })
        .collect();
    let load = |(path, bytes): (String, Vec<u8>)| {
        crate::guard::catch(|| super::load_version(&path, Some(bytes)))
            .ok()
            .and_then(Result::ok)
            .flatten()
    };
    // most files fail the text test at once: threads pay off only for many
    Ok(if blobs.len() < 4096 {
        blobs.into_iter().filter_map(load).collect()
    } else {
        blobs.into_par_iter().filter_map(load).collect()
    })
}
