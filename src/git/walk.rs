//! Two commits compared as a whole (`awsauth diff A B`, the pull-request case) through one
//! `git cat-file --batch-command --buffer`: it resolves both revisions, serves the trees this
//! module walks the way `git diff -r --raw` walks them (entries in git's order, modes made
//! canonical as git reads them, subtrees only where the trees differ, one request per depth),
//! and then the changed manifests' blobs. One git process in all, which keeps a one-commit diff
//! close to `git diff --name-only` (two process start-ups, `git diff --raw` and `git cat-file`,
//! cost about a whole `git diff` more); `--buffer` answers each request in a few large writes
//! rather than several per object (BENCHMARKS.md, "Issue 12: one git reader").
//!
//! git stays the only reader of objects (replace refs, grafts, alternates, partial and
//! shallow clones, SHA-256 repositories, `GIT_*` variables: all as git reads them), under the
//! settings every git command of awsauth runs with (see [`super`]); only the tree comparison
//! is done here. What this path does not take exactly as `git diff A B` does, it leaves to it
//! ([`Repo::diff_commits`] returns `None`): revisions other than a ref name or full object id followed by `~N`/`^N` steps (git
//! may read others differently than `cat-file` does: `A^!`, ambiguous short ids), a revision
//! that names no commit, an object the repository lacks (a blob a partial clone did not
//! fetch), a path that is not UTF-8, a git without `--batch-command` (before 2.36), and any
//! failure of `cat-file`; `git diff` then compares, and says what is wrong.

// git's file modes are written as git writes them (`0o100644`), not in groups of three digits.
#![allow(clippy::unreadable_literal)]

use std::cmp::Ordering;
use std::collections::HashMap;

use super::{Blob, MODE_FILE, MODE_GITLINK, MODE_MASK, RawChange, Repo};

/// What one commit-to-commit comparison found.
#[derive(Debug)]
pub struct CommitDiff {
    /// The two commits' ids.
    pub ids: [String; 2],
    /// The changed paths (those `wanted`, and submodules), sorted.
    pub changes: Vec<RawChange>,
    /// Every blob of `changes`, by id, but those larger than the limit.
    pub blobs: HashMap<String, Vec<u8>>,
    /// The blobs larger than the limit (not read), with their sizes.
    pub large: HashMap<String, u64>,
    /// The `git cat-file` that compared them, still running: what else is read at the two
    /// commits (the configuration at the base) is asked of it rather than of new processes.
    pub batch: super::Batch,
    /// The folders (path from the top, `""` the top, no trailing `/`) where a changed file's
    /// name is `kept` ([`Repo::diff_commits_keeping`]): on each side, the folder's files whose
    /// name is `kept` (name, blob), from the trees the walk read anyway.
    pub folders: HashMap<String, [Vec<(String, Blob)>; 2]>,
}

/// A revision read here as `git diff` reads it: a ref name (or `HEAD`) or a full object id,
/// then any `~N` and `^N` steps. Short hexadecimal names are left to git (a ref or an
/// abbreviated id, by git's rules).
pub fn simple_revision(rev: &str) -> bool {
    let end = rev.find(['~', '^']).unwrap_or(rev.len());
    let (name, steps) = rev.split_at(end);
    let name_ok = !name.is_empty()
        && !name.starts_with(['-', '.', '/'])
        && !name.ends_with(['.', '/'])
        // git's own rule, case-sensitive as git is
        && !{
            #[allow(clippy::case_sensitive_file_extension_comparisons)]
            let lock = name.ends_with(".lock");
            lock
        }
        && !name.contains("..")
        && !name.contains("//")
        && !name.contains("/.")
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./".contains(&b));
    let hex = name.bytes().all(|b| b.is_ascii_hexdigit());
    let hex_ok = !hex || name.len() == 40 || name.len() == 64;
    let mut s = steps.as_bytes();
    while let Some((&op, rest)) = s.split_first() {
        if op != b'~' && op != b'^' {
            return false;
        }
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        // `^` takes a parent number up to 9 digits in git; keep to small numbers
        if digits > 6 {
            return false;
        }
        s = &rest[digits..];
    }
    name_ok && hex_ok
}

/// One entry of a tree object: its mode made canonical as git reads it, its name and its id.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry<'a> {
    mode: u32,
    name: &'a [u8],
    id: &'a [u8],
}

/// The directory type of a mode.
const MODE_TREE: u32 = 0o040000;
/// The symbolic-link type of a mode.
const MODE_LINK: u32 = 0o120000;

impl Entry<'_> {
    /// Its id in hexadecimal, as git names objects.
    fn oid(&self) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut s = String::with_capacity(self.id.len() * 2);
        for b in self.id {
            s.push(char::from(HEX[usize::from(b >> 4)]));
            s.push(char::from(HEX[usize::from(b & 15)]));
        }
        s
    }

    fn is_tree(&self) -> bool {
        self.mode & MODE_MASK == MODE_TREE
    }

    /// This side of a change: a regular file's blob, a submodule's commit, else nothing read
    /// (a symbolic link is no manifest).
    fn side(&self) -> Blob {
        match self.mode & MODE_MASK {
            MODE_FILE => Blob::Oid(self.oid()),
            MODE_GITLINK => Blob::Commit(self.oid()),
            _ => Blob::Absent,
        }
    }
}

/// git's canonical form of a tree entry's mode (`canon_mode`): a regular file is `100644` or
/// `100755` by its owner's execute bit, and any type git does not know reads as a submodule.
fn canonical_mode(mode: u32) -> u32 {
    match mode & MODE_MASK {
        MODE_FILE => MODE_FILE | if mode & 0o100 == 0 { 0o644 } else { 0o755 },
        MODE_LINK => MODE_LINK,
        MODE_TREE => MODE_TREE,
        _ => MODE_GITLINK,
    }
}

/// The entries of a tree object whose ids are `hash_len` bytes; `None` when it is malformed.
fn entries(data: &[u8], hash_len: usize) -> Option<Vec<Entry<'_>>> {
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let space = memchr::memchr(b' ', rest)?;
        let mode = u32::from_str_radix(std::str::from_utf8(&rest[..space]).ok()?, 8).ok()?;
        let after = &rest[space + 1..];
        let nul = memchr::memchr(0, after)?;
        let id = after.get(nul + 1..nul + 1 + hash_len)?;
        out.push(Entry {
            mode: canonical_mode(mode),
            name: &after[..nul],
            id,
        });
        rest = &after[nul + 1 + hash_len..];
    }
    Some(out)
}

/// git's order of tree entries (`base_name_compare`): a directory sorts as if its name ended
/// with `/`.
fn order(a: &Entry<'_>, b: &Entry<'_>) -> Ordering {
    let (na, ta) = (a.name, a.is_tree());
    let (nb, tb) = (b.name, b.is_tree());
    let common = na.len().min(nb.len());
    na[..common].cmp(&nb[..common]).then_with(|| {
        let next = |n: &[u8], tree: bool| match n.get(common) {
            Some(&c) => c,
            None if tree => b'/',
            None => 0,
        };
        next(na, ta).cmp(&next(nb, tb))
    })
}

/// A pair of trees still to compare: the path of their folder (`""` or ending with `/`), and
/// each side's tree id (`None`: no tree on that side).
type Pending = (Vec<u8>, Option<String>, Option<String>);

/// What comparing one pair of trees found: the changed non-tree entries (path, old side, new
/// side), and the pairs of subtrees to compare next.
type Found = (Vec<(Vec<u8>, Blob, Blob)>, Vec<Pending>);

/// Compares the entries of two trees (either may be empty) in git's merge order.
fn compare(prefix: &[u8], old: &[Entry<'_>], new: &[Entry<'_>]) -> Found {
    let (mut changed, mut next) = (Vec::new(), Vec::new());
    let path = |e: &Entry<'_>| [prefix, e.name].concat();
    let mut emit = |o: Option<&Entry<'_>>, n: Option<&Entry<'_>>| {
        let e = o.or(n).expect("one side");
        let tree = |x: Option<&Entry<'_>>| x.filter(|x| x.is_tree()).map(Entry::oid);
        let (to, tn) = (tree(o), tree(n));
        if to.is_some() || tn.is_some() {
            // entries of equal order are both trees or neither
            let mut folder = path(e);
            folder.push(b'/');
            next.push((folder, to, tn));
        } else {
            let side = |x: Option<&Entry<'_>>| x.map_or(Blob::Absent, Entry::side);
            changed.push((path(e), side(o), side(n)));
        }
    };
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < new.len() {
        let step = match (old.get(i), new.get(j)) {
            (Some(a), Some(b)) => order(a, b),
            (Some(_), None) => Ordering::Less,
            _ => Ordering::Greater,
        };
        match step {
            Ordering::Less => {
                emit(Some(&old[i]), None);
                i += 1;
            }
            Ordering::Greater => {
                emit(None, Some(&new[j]));
                j += 1;
            }
            Ordering::Equal => {
                let (a, b) = (&old[i], &new[j]);
                if a.mode != b.mode || a.id != b.id {
                    emit(Some(a), Some(b));
                }
                i += 1;
                j += 1;
            }
        }
    }
    (changed, next)
}

/// The first line's `tree <id>` of a commit object.
fn commit_tree(data: &[u8]) -> Option<String> {
    let line = data.split(|&b| b == b'\n').next()?;
    let id = line.strip_prefix(b"tree ")?;
    String::from_utf8(id.to_vec()).ok()
}

/// A change as the diff keeps it: a wanted path with both sides; another path only for a
/// submodule on either side (a file on its other side is read only when it is wanted); `None`
/// for the rest (and for a change of no regular file and no submodule, like a link's target).
fn kept(path: String, old: Blob, new: Blob, wanted: &dyn Fn(&str) -> bool) -> Option<RawChange> {
    if old == Blob::Absent && new == Blob::Absent {
        return None;
    }
    if wanted(&path) {
        return Some(RawChange { path, old, new });
    }
    let gitlink = |b: Blob| match b {
        Blob::Commit(_) => b,
        _ => Blob::Absent,
    };
    let (old, new) = (gitlink(old), gitlink(new));
    (old != Blob::Absent || new != Blob::Absent).then_some(RawChange { path, old, new })
}

impl Repo {
    /// Compares commits `old` and `new` through one `git cat-file --batch`: the changed paths
    /// for which `wanted` holds (and submodules), with their blobs, those over `max` bytes
    /// not read. `None`: left to `git diff` (see the [module](self) documentation), which
    /// then compares, or says what is wrong.
    pub fn diff_commits(
        &self,
        old: &str,
        new: &str,
        wanted: &dyn Fn(&str) -> bool,
        max: u64,
    ) -> Option<CommitDiff> {
        self.diff_commits_keeping(old, new, wanted, &|_| false, max)
    }

    /// [`Repo::diff_commits`], which also lists, for each folder where a changed file's name
    /// (not its path) is `kept`, that folder's files whose name is `kept` on both sides
    /// ([`CommitDiff::folders`]: a Terraform module directory as each commit has it). The
    /// listing costs no request: the walk reads both trees of a folder that changed.
    pub fn diff_commits_keeping(
        &self,
        old: &str,
        new: &str,
        wanted: &dyn Fn(&str) -> bool,
        kept_name: &dyn Fn(&str) -> bool,
        max: u64,
    ) -> Option<CommitDiff> {
        if !simple_revision(old) || !simple_revision(new) {
            return None;
        }
        let mut batch = self.buffered_batch().ok()?;
        let names = [format!("{old}^{{commit}}"), format!("{new}^{{commit}}")];
        let commits = batch.get_many(&names).ok()?;
        let mut ids = Vec::new();
        let mut pending = Vec::new();
        for c in commits {
            let c = c.filter(|c| c.kind == "commit")?;
            pending.push(Some(commit_tree(&c.data)?));
            ids.push(c.oid);
        }
        let hash_len = ids[0].len() / 2;
        let mut changed = Vec::new();
        let mut folders = HashMap::new();
        let mut level: Vec<Pending> = if pending[0] == pending[1] {
            Vec::new()
        } else {
            vec![(Vec::new(), pending[0].take(), pending[1].take())]
        };
        // one request per depth: every pair of trees of a level at once
        while !level.is_empty() {
            let names: Vec<String> = level
                .iter()
                .flat_map(|(_, a, b)| [a, b])
                .flatten()
                .cloned()
                .collect();
            let trees: HashMap<String, Vec<u8>> = names
                .iter()
                .zip(batch.get_many(&names).ok()?)
                .map(|(n, t)| Some((n.clone(), t.filter(|t| t.kind == "tree")?.data)))
                .collect::<Option<_>>()?;
            let mut next = Vec::new();
            for (prefix, a, b) in &level {
                let side = |t: &Option<String>| match t {
                    Some(t) => entries(&trees[t], hash_len),
                    None => Some(Vec::new()),
                };
                let (o, n) = (side(a)?, side(b)?);
                let (found, deeper) = compare(prefix, &o, &n);
                let name = |p: &Vec<u8>| {
                    p.get(prefix.len()..)
                        .and_then(|n| std::str::from_utf8(n).ok())
                        .is_some_and(kept_name)
                };
                if found.iter().any(|(p, _, _)| name(p)) {
                    let folder = String::from_utf8(prefix.clone()).ok()?;
                    let folder = folder.strip_suffix('/').unwrap_or(&folder).to_owned();
                    folders.insert(
                        folder,
                        [kept_files(&o, kept_name), kept_files(&n, kept_name)],
                    );
                }
                changed.extend(found);
                next.extend(deeper);
            }
            level = next;
        }
        let mut changes = Vec::new();
        for (path, o, n) in changed {
            let path = String::from_utf8(path).ok()?;
            changes.extend(kept(path, o, n, wanted));
        }
        changes.sort_by(|x, y| x.path.cmp(&y.path));
        let (blobs, large) = read_blobs(&mut batch, &changes, max)?;
        Some(CommitDiff {
            ids: [ids[0].clone(), ids[1].clone()],
            changes,
            blobs,
            large,
            batch,
            folders,
        })
    }
}

/// The regular files of tree object `data` (ids of `hash_len` bytes) whose name is `kept`, as
/// (name, blob); `None` when the tree is malformed.
pub fn files_named(
    data: &[u8],
    hash_len: usize,
    kept: &dyn Fn(&str) -> bool,
) -> Option<Vec<(String, Blob)>> {
    Some(kept_files(&entries(data, hash_len)?, kept))
}

/// The regular files of `entries` whose name (UTF-8) is `kept`, as (name, blob).
fn kept_files(entries: &[Entry<'_>], kept: &dyn Fn(&str) -> bool) -> Vec<(String, Blob)> {
    entries
        .iter()
        .filter(|e| e.mode & MODE_MASK == MODE_FILE)
        .filter_map(|e| {
            let n = std::str::from_utf8(e.name).ok()?;
            kept(n).then(|| (n.to_owned(), e.side()))
        })
        .collect()
}

/// Which of `paths` (from the top of the repository) the tree of `commit` lists, as
/// `git ls-tree --full-tree --name-only -- <paths>` (literal pathspecs) lists them: the index of
/// the first one listed, or `Some(None)` when none is. The trees are read through `batch`, only
/// those of the folders on the way to `paths`; `None` when one of them cannot be read here (not
/// in the repository, over the batch's limit, malformed, a name listed twice), or pathspecs
/// ignore case (`GIT_ICASE_PATHSPECS`): then `git ls-tree` is the one to ask.
#[allow(clippy::option_option)] // outer: whether it can be told here; inner: the answer
pub(super) fn first_listed(
    batch: &mut super::Batch,
    commit: &str,
    paths: &[&str],
) -> Option<Option<usize>> {
    if std::env::var_os("GIT_ICASE_PATHSPECS").is_some() {
        return None;
    }
    let root = one_tree(batch, &format!("{commit}^{{tree}}"))?;
    let hash_len = root.0.len() / 2;
    // the trees read, by folder (`""` the top); `None`: the commit has no such folder
    let mut trees: HashMap<String, Option<Vec<u8>>> = HashMap::new();
    trees.insert(String::new(), Some(root.1));
    for (i, path) in paths.iter().enumerate() {
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        read_folder(batch, &mut trees, dir, hash_len)?;
        if let Some(Some(tree)) = trees.get(dir)
            && named(tree, name, hash_len)?.is_some()
        {
            return Some(Some(i));
        }
    }
    Some(None)
}

/// The one entry of `tree` named `name` (`None` inside when there is none); `None` when the
/// tree is malformed or lists the name twice.
#[allow(clippy::option_option)] // outer: a well-formed tree; inner: the entry
fn named<'t>(tree: &'t [u8], name: &str, hash_len: usize) -> Option<Option<Entry<'t>>> {
    let mut found = entries(tree, hash_len)?
        .into_iter()
        .filter(|e| e.name == name.as_bytes());
    let first = found.next();
    if found.next().is_some() {
        return None;
    }
    Some(first)
}

/// Reads into `trees` the tree of folder `dir` (and of the folders above it) at the commit
/// whose top tree `trees` holds; `None` when one cannot be read here.
fn read_folder(
    batch: &mut super::Batch,
    trees: &mut HashMap<String, Option<Vec<u8>>>,
    dir: &str,
    hash_len: usize,
) -> Option<()> {
    if trees.contains_key(dir) {
        return Some(());
    }
    let (parent, name) = dir.rsplit_once('/').unwrap_or(("", dir));
    read_folder(batch, trees, parent, hash_len)?;
    let id = match trees.get(parent)? {
        Some(tree) => named(tree, name, hash_len)?
            .filter(Entry::is_tree)
            .map(|e| e.oid()),
        None => None,
    };
    let tree = match id {
        Some(id) => Some(one_tree(batch, &id)?.1),
        None => None,
    };
    trees.insert(dir.to_owned(), tree);
    Some(())
}

/// The tree object `name` names (its id and content); `None` when it is not a tree, is not in
/// the repository, or is larger than the batch's limit.
fn one_tree(batch: &mut super::Batch, name: &str) -> Option<(String, Vec<u8>)> {
    let tree = batch.get_many(&[name.to_owned()]).ok()?.pop()??;
    (tree.kind == "tree" && tree.size == tree.data.len() as u64).then_some((tree.oid, tree.data))
}

/// The blobs of `changes` (by id), and the sizes of those over `max` bytes (not read); `None`
/// when one is missing.
type Blobs = (HashMap<String, Vec<u8>>, HashMap<String, u64>);

fn read_blobs(batch: &mut super::Batch, changes: &[RawChange], max: u64) -> Option<Blobs> {
    let mut names: Vec<String> = changes
        .iter()
        .flat_map(|c| [&c.old, &c.new])
        .filter_map(|b| match b {
            Blob::Oid(oid) => Some(oid.clone()),
            _ => None,
        })
        .collect();
    names.sort();
    names.dedup();
    // a blob over the limit is skipped by cat-file, never held: its size is in the header
    batch.limit(max);
    let (mut blobs, mut large) = (HashMap::new(), HashMap::new());
    for (name, object) in names.iter().zip(batch.get_many(&names).ok()?) {
        let object = object.filter(|o| o.kind == "blob")?;
        if object.size > max {
            large.insert(name.clone(), object.size);
        } else {
            blobs.insert(name.clone(), object.data);
        }
    }
    Some((blobs, large))
}

#[cfg(test)]
mod tests {
    use super::{Entry, canonical_mode, entries, order, simple_revision};

    #[test]
    fn simple_revisions_are_names_and_full_ids_with_steps() {
        for ok in [
            "HEAD",
            "HEAD~1",
            "HEAD^",
            "HEAD^2~3",
            "main",
            "origin/main",
            "release-1.2",
            "v1.0.0~20",
            "0123456789abcdef0123456789abcdef01234567",
        ] {
            assert!(simple_revision(ok), "{ok}");
        }
        for no in [
            "",
            "@",
            "@{u}",
            "HEAD@{1}",
            "HEAD:file.yaml",
            "main^{tree}",
            "HEAD^!",
            "HEAD^@",
            "HEAD^-",
            ":/message",
            "a..b",
            "-x",
            "abc123",
            "deadbeef~1",
            "x.lock",
            "HEAD~1234567",
            "name with space",
        ] {
            assert!(!simple_revision(no), "{no}");
        }
    }

    #[test]
    fn modes_are_read_as_git_reads_them() {
        assert_eq!(canonical_mode(0o100664), 0o100644);
        assert_eq!(canonical_mode(0o100700), 0o100755);
        assert_eq!(canonical_mode(0o120000), 0o120000);
        assert_eq!(canonical_mode(0o040000), 0o040000);
        assert_eq!(canonical_mode(0o160000), 0o160000);
        assert_eq!(canonical_mode(0o070000), 0o160000);
    }

    #[test]
    fn a_folder_sorts_as_if_its_name_ended_with_a_slash() {
        let e = |mode, name: &'static str| Entry {
            mode,
            name: name.as_bytes(),
            id: &[],
        };
        let (file, tree) = (0o100644, 0o040000);
        // `a.b` < `a/` (a folder) but `a` (a file) < `a.b`
        assert!(order(&e(file, "a.b"), &e(tree, "a")).is_lt());
        assert!(order(&e(file, "a"), &e(file, "a.b")).is_lt());
        assert!(order(&e(file, "a"), &e(tree, "a")).is_lt());
        assert!(order(&e(tree, "a"), &e(tree, "a")).is_eq());
        assert!(order(&e(tree, "a"), &e(file, "a0")).is_lt());
    }

    #[test]
    fn tree_objects_are_split_into_entries() {
        let mut data = b"100664 a.yaml\0".to_vec();
        data.extend([0xab; 20]);
        data.extend(b"40000 dir\0");
        data.extend([0x01; 20]);
        let found = entries(&data, 20).expect("well formed");
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].mode, 0o100644);
        assert_eq!(found[0].name, b"a.yaml");
        assert_eq!(found[0].oid(), "ab".repeat(20));
        assert!(found[1].is_tree());
        assert!(entries(&data[..data.len() - 1], 20).is_none());
        assert!(entries(b"x a\0", 20).is_none());
    }
}
