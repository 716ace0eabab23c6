//! Discovery: turns the command line's paths into the files to read, walking directories as
//! ripgrep does (in parallel; `.gitignore`, `.ignore`, hidden folders skipped, symlinks not
//! followed) and handing each file to the caller as it is found ([`visit_inputs`]), which reads
//! its bytes ([`read_bytes`]) and decodes those that may matter into a [`SourceFile`]. Read
//! failures are per-file errors; the run goes on.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::source::SourceFile;

/// Which files a directory walk picks up.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// Globs a walked file must match (default [`DEFAULT_INCLUDE`]).
    pub include: Vec<String>,
    /// Globs that exclude files and directories.
    pub exclude: Vec<String>,
}

pub use crate::config::DEFAULT_INCLUDE;

impl Default for WalkOptions {
    fn default() -> Self {
        Self {
            include: DEFAULT_INCLUDE.iter().map(|&g| g.to_owned()).collect(),
            exclude: Vec::new(),
        }
    }
}

/// The other files of a Terraform module directory, read for the values they declare: its
/// `.tf` and `.tf.json` files and variable files ([`is_module_file`]), in name order, each at
/// most `max` bytes; files that cannot be read are left out (their values stay unknown).
pub fn module_files(path: &Path, max: u64) -> Vec<Arc<SourceFile>> {
    module_file_paths(path)
        .into_iter()
        .filter_map(|p| {
            let meta = std::fs::metadata(&p).ok()?;
            if !meta.is_file() || meta.len() > max {
                return None;
            }
            let bytes = std::fs::read(&p).ok()?;
            let text = String::from_utf8(bytes).ok()?;
            Some(SourceFile::new(display_name(&p), text))
        })
        .collect()
}

/// The paths of the other module files beside `path` (see [`module_files`]), in name order,
/// without reading them.
pub fn module_file_paths(path: &Path) -> Vec<PathBuf> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p != path
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(is_module_file)
        })
        .collect();
    paths.sort();
    paths
}

/// Whether a file name is one of a Terraform module's own files: `.tf`, `.tf.json` and the
/// variable files Terraform reads without being told (`terraform.tfvars(.json)`,
/// `*.auto.tfvars(.json)`).
#[allow(clippy::case_sensitive_file_extension_comparisons)] // Terraform compares them exactly
pub fn is_module_file(name: &str) -> bool {
    [".tf", ".tf.json", ".auto.tfvars", ".auto.tfvars.json"]
        .iter()
        .any(|e| name.ends_with(e))
        || matches!(name, "terraform.tfvars" | "terraform.tfvars.json")
}

/// A file to read: a path, or standard input under a display name.
#[derive(Debug, Clone)]
pub enum Input {
    /// A file on disk, with the name to show.
    Path {
        /// The path to open.
        path: PathBuf,
        /// The name shown in output.
        name: String,
    },
    /// Standard input.
    Stdin {
        /// The name shown in output.
        name: String,
    },
}

impl Input {
    /// The name shown in output.
    pub fn name(&self) -> &str {
        match self {
            Self::Path { name, .. } | Self::Stdin { name } => name,
        }
    }
}

/// A file that could not be read, or a path that could not be walked.
#[derive(Debug, Clone)]
pub struct InputError {
    /// The path or name.
    pub name: String,
    /// What went wrong, lowercase.
    pub message: String,
}

fn build_globs(globs: &[String]) -> Result<GlobSet, String> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        // a glob without a slash matches the file name anywhere, as in .gitignore
        let pattern = if g.contains('/') {
            g.clone()
        } else {
            format!("**/{g}")
        };
        b.add(Glob::new(&pattern).map_err(|e| format!("invalid glob `{g}`: {e}"))?);
    }
    b.build().map_err(|e| e.to_string())
}

/// How a walked path is shown: as given, without a leading `./`.
pub fn display_name(path: &Path) -> String {
    let s = path.to_string_lossy();
    s.strip_prefix("./").unwrap_or(&s).to_owned()
}

/// The files of `tracked` (paths relative to the current directory) that a walk with `opts`
/// would read but for ignore files and hidden folders, and that are not among `seen` (the
/// names read):
/// `lint --new-only` reads every file git tracks, so that a change cannot leave its own
/// manifest out with a `.ignore`, a `.gitignore` or a hidden folder.
pub(crate) fn tracked_inputs(
    tracked: &[PathBuf],
    opts: &WalkOptions,
    seen: &std::collections::HashSet<String>,
) -> Result<Vec<Input>, String> {
    let include = build_globs(&opts.include)?;
    let exclude = build_globs(&opts.exclude)?;
    Ok(tracked
        .iter()
        .filter(|p| include.is_match(p) && !exclude.is_match(p))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_none_or(|n| !crate::config::FILE_NAMES.contains(&n))
        })
        .filter(|p| std::fs::symlink_metadata(p).is_ok_and(|m| m.is_file()))
        .map(|p| Input::Path {
            path: p.clone(),
            name: display_name(p),
        })
        .filter(|i| !seen.contains(i.name()))
        .collect())
}

/// What a visit of the inputs returns: `each`'s results, in the order of the paths (a
/// directory's files by name), and the paths that could not be walked or read as inputs.
pub type Visited<T> = (Vec<T>, Vec<InputError>);

/// Expands the command line's paths into inputs and hands each to `each` as it is found: the
/// files of a walked directory on the walk's threads as they come (as ripgrep reads while it
/// walks: nothing of the tree is collected first), the others (named files, `-` for standard
/// input) in turn. A file named on the command line is always read; directories are walked
/// with the include/exclude globs, on `rayon::current_num_threads()` threads. What `each`
/// keeps (`Some`) comes back in a fixed order whatever the threads did: by path, then a
/// directory's files by name; so do the errors. The configuration files (`.awsauth.toml`)
/// the walks meet go to `config`, not `each`.
pub fn visit_inputs<T: Send>(
    paths: &[String],
    opts: &WalkOptions,
    stdin_name: Option<&str>,
    each: &(dyn Fn(Input) -> Option<T> + Sync),
    config: &(dyn Fn(&Path) + Sync),
) -> Result<Visited<T>, String> {
    let include = build_globs(&opts.include)?;
    let exclude = build_globs(&opts.exclude)?;
    let kept = std::sync::Mutex::new(Vec::new());
    let mut errors = Vec::new();
    let defaults = [".".to_owned()];
    let paths = if paths.is_empty() {
        &defaults[..]
    } else {
        paths
    };
    let keep = |arg: usize, input: Input| {
        let name = input.name().to_owned();
        if let Some(t) = each(input) {
            lock(&kept).push((arg, name, t));
        }
    };
    for (arg, text) in paths.iter().enumerate() {
        if text == "-" {
            keep(
                arg,
                Input::Stdin {
                    name: stdin_name.unwrap_or("<stdin>").to_owned(),
                },
            );
            continue;
        }
        let path = Path::new(text);
        match std::fs::metadata(path) {
            Err(e) => {
                let message = if std::fs::symlink_metadata(path).is_ok() {
                    "broken symbolic link".to_owned()
                } else {
                    io_message(&e)
                };
                errors.push(InputError {
                    name: text.clone(),
                    message,
                });
            }
            Ok(m) if m.is_dir() => {
                let walk = Walk {
                    root: path,
                    include: &include,
                    exclude: &exclude,
                    config,
                };
                errors.extend(walk.run(&|input| keep(arg, input)));
            }
            // a FIFO named here (or a link to one, or to a device) would block `open` or never
            // end: only regular files are read (a walk never yields anything else)
            Ok(m) if !m.is_file() => errors.push(InputError {
                name: text.clone(),
                message: NOT_REGULAR.to_owned(),
            }),
            Ok(_) => keep(
                arg,
                Input::Path {
                    path: path.to_owned(),
                    name: display_name(path),
                },
            ),
        }
    }
    let mut kept = kept
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    kept.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    Ok((kept.into_iter().map(|(_, _, t)| t).collect(), errors))
}

/// A mutex's value, whether or not a thread panicked holding it (what is pushed is whole).
fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The walk of one directory named on the command line.
struct Walk<'a> {
    root: &'a Path,
    include: &'a GlobSet,
    exclude: &'a GlobSet,
    /// What is done with a configuration file met.
    config: &'a (dyn Fn(&Path) + Sync),
}

impl Walk<'_> {
    /// Walks the directory in parallel, handing every file to read to `found`; the entries
    /// that could not be walked, by name.
    fn run(&self, found: &(dyn Fn(Input) + Sync)) -> Vec<InputError> {
        let errors = std::sync::Mutex::new(Vec::new());
        let prune = self.exclude.clone();
        let base = self.root.to_owned();
        // an excluded directory is not descended into: `--exclude vendor` skips all of `vendor/`;
        // hidden files and folders are skipped here, not by the walker, so that the walk meets
        // the configuration files (`.awsauth.yaml`) beside the files it reads
        let walker = ignore::WalkBuilder::new(self.root)
            .hidden(false)
            .follow_links(false)
            .require_git(false)
            .threads(rayon::current_num_threads())
            .filter_entry(move |e| {
                let rel = e.path().strip_prefix(&base).unwrap_or(e.path());
                if rel.as_os_str().is_empty() {
                    return true;
                }
                let name = e.file_name().to_str();
                let hidden = e.file_name().as_encoded_bytes().starts_with(b".");
                (!hidden || name.is_some_and(|n| crate::config::FILE_NAMES.contains(&n)))
                    && !prune.is_match(rel)
            })
            .build_parallel();
        walker.run(|| {
            Box::new(|result| {
                match result {
                    Ok(entry) => {
                        if let Some(input) = self.input(&entry, &errors) {
                            found(input);
                        }
                    }
                    Err(e) => lock(&errors).push(InputError {
                        name: display_name(self.root),
                        message: e.to_string().to_lowercase(),
                    }),
                }
                ignore::WalkState::Continue
            })
        });
        let mut errors = errors
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        errors.sort_by(|a, b| (&a.name, &a.message).cmp(&(&b.name, &b.message)));
        errors
    }

    /// The input an entry of the walk is, if it is one to read.
    fn input(
        &self,
        entry: &ignore::DirEntry,
        errors: &std::sync::Mutex<Vec<InputError>>,
    ) -> Option<Input> {
        let path = entry.path();
        let rel = path.strip_prefix(self.root).unwrap_or(path);
        if !rel.as_os_str().is_empty() && self.exclude.is_match(rel) {
            return None;
        }
        let ft = entry.file_type()?;
        // awsauth's own configuration is not a manifest
        if entry
            .file_name()
            .to_str()
            .is_some_and(|n| crate::config::FILE_NAMES.contains(&n))
        {
            if ft.is_file() {
                (self.config)(path);
            }
            return None;
        }
        if ft.is_symlink() {
            // symlinks are not followed out of the tree; a link to a file inside it is read
            match std::fs::canonicalize(path) {
                Ok(target)
                    if target.is_file()
                        && std::fs::canonicalize(self.root)
                            .is_ok_and(|r| target.starts_with(r)) => {}
                Ok(_) => return None,
                Err(_) => {
                    if self.include.is_match(rel) {
                        lock(errors).push(InputError {
                            name: display_name(path),
                            message: "broken symbolic link".into(),
                        });
                    }
                    return None;
                }
            }
        } else if !ft.is_file() {
            return None;
        }
        self.include.is_match(rel).then(|| Input::Path {
            path: path.to_owned(),
            name: display_name(path),
        })
    }
}

/// An I/O error as said to the user: lowercase, without the OS error number.
pub fn io_message(e: &std::io::Error) -> String {
    let mut s = e.to_string();
    if let Some(i) = s.find(" (os error") {
        s.truncate(i);
    }
    s.to_lowercase()
}

/// Decodes UTF-16 text that starts with a byte-order mark.
fn decode_utf16(bytes: &[u8]) -> Option<String> {
    let le = match bytes.get(..2)? {
        [0xFF, 0xFE] => true,
        [0xFE, 0xFF] => false,
        _ => return None,
    };
    let units = bytes[2..].chunks_exact(2).map(|c| {
        if le {
            u16::from_le_bytes([c[0], c[1]])
        } else {
            u16::from_be_bytes([c[0], c[1]])
        }
    });
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .ok()
}

/// The default of `--max-file-size`: 16 MiB. The API server keeps at most about 1 MiB per
/// object (etcd's request limit is 1.5 MiB), so a real aws-auth, even in a multi-document
/// manifest or a rendered chart, is far below it; a file of 16 MiB is still linted in about a
/// second, while hundreds of megabytes would take gigabytes of memory.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// Parses a size: bytes, or a number with a unit: `k`/`kb`, `m`/`mb`, `g`/`gb` (powers of
/// 1000) or `kib`, `mib`, `gib` (powers of 1024), in any case (`4MiB`, `500k`, `1048576`).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let digits = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(digits);
    let unit_size: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "m" | "mb" => 1_000_000,
        "g" | "gb" => 1_000_000_000,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        other => {
            return Err(format!(
                "unknown unit `{other}` in `{text}`: use bytes, `k`, `m`, `g` (1000) or `KiB`, `MiB`, `GiB` (1024), e.g. `16MiB`"
            ));
        }
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size: write e.g. `16MiB`, `500k` or `1048576`"))?;
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )]
    let bytes = (value * unit_size as f64).round() as u64;
    if bytes == 0 {
        return Err(format!(
            "`{text}` is no size at all: the limit must be at least one byte"
        ));
    }
    Ok(bytes)
}

/// The error for a file over the size limit: its size when known (`None`: it grew while read,
/// or is a stream), and the limit.
fn too_large(size: Option<u64>, max: u64) -> String {
    let what = size.map_or_else(
        || {
            format!(
                "the input is larger than the {} limit for one file",
                crate::untrusted::show_size(max)
            )
        },
        |s| {
            format!(
                "the file is {} ({s} bytes), over the {} limit for one file",
                crate::untrusted::show_size(s),
                crate::untrusted::show_size(max)
            )
        },
    );
    format!(
        "not read: {what}\n  help: an aws-auth ConfigMap is at most about 1 MiB (the API server's limit); to read a larger file, raise the limit with `--max-file-size`, e.g. `--max-file-size 64MiB`"
    )
}

/// Whether bytes look like UTF-32, and which byte order: a byte-order mark (`FF FE 00 00`,
/// `00 00 FE FF`), or, without one, the first character with three NUL bytes (YAML text starts
/// with ASCII).
fn utf32(bytes: &[u8]) -> Option<&'static str> {
    match bytes.get(..4)? {
        [0xFF, 0xFE, 0, 0] => Some("little-endian, with a byte-order mark"),
        [0, 0, 0xFE, 0xFF] => Some("big-endian, with a byte-order mark"),
        _ => {
            // the first characters (up to 8) each ASCII with three NUL bytes
            let units = || bytes.chunks_exact(4).take(8);
            let ascii = |c: u8| c != 0 && c.is_ascii();
            if units().all(|u| ascii(u[0]) && u[1..] == [0, 0, 0]) {
                Some("little-endian")
            } else if units().all(|u| u[..3] == [0, 0, 0] && ascii(u[3])) {
                Some("big-endian")
            } else {
                None
            }
        }
    }
}

/// Why a path named on the command line that is no regular file is not read.
const NOT_REGULAR: &str = "not a regular file (a directory, device, FIFO or socket): not read";

/// Reads an input of at most `max` bytes: rejects larger files (by their size before reading,
/// and by what was read: a file may grow, standard input has no size), binary content and
/// invalid UTF-8 with a clear message.
pub fn read_input(input: &Input, max: u64) -> Result<Arc<SourceFile>, InputError> {
    read_text(input, max).map(|text| SourceFile::new(input.name(), text))
}

/// [`read_input`]'s text, before it is indexed as a [`SourceFile`].
pub fn read_text(input: &Input, max: u64) -> Result<String, InputError> {
    decode_text(input.name(), read_bytes(input, max)?)
}

/// [`read_input`]'s bytes, before they are decoded ([`decode_text`]): a walk decodes only the
/// files that may matter (`load::may_matter`, which searches bytes for ASCII needles; a file
/// [`is_wide`] is decoded first).
pub fn read_bytes(input: &Input, max: u64) -> Result<Vec<u8>, InputError> {
    let err = |message: String| InputError {
        name: input.name().to_owned(),
        message,
    };
    let mut bytes = Vec::new();
    match input {
        Input::Path { path, .. } => {
            // (only regular files get here: `collect_inputs`; one replaced since is not read)
            let file = std::fs::File::open(path).map_err(|e| err(io_message(&e)))?;
            let meta = file.metadata().map_err(|e| err(io_message(&e)))?;
            if !meta.is_file() {
                return Err(err(NOT_REGULAR.to_owned()));
            }
            let size = meta.len();
            if size > max {
                return Err(err(too_large(Some(size), max)));
            }
            // `Take` hides the file's size from `read_to_end`: room for all of it, and the byte
            // that would show it grew
            bytes.reserve_exact(usize::try_from(size).unwrap_or(0).saturating_add(1));
            file.take(max.saturating_add(1)).read_to_end(&mut bytes)
        }
        Input::Stdin { .. } => std::io::stdin()
            .lock()
            .take(max.saturating_add(1))
            .read_to_end(&mut bytes),
    }
    .map_err(|e| err(io_message(&e)))?;
    if bytes.len() as u64 > max {
        return Err(err(too_large(None, max)));
    }
    Ok(bytes)
}

/// Whether bytes are UTF-16 or UTF-32 by their byte-order mark: their text must be decoded
/// before it can be searched.
pub fn is_wide(bytes: &[u8]) -> bool {
    utf32(bytes).is_some() || matches!(bytes.get(..2), Some([0xFF, 0xFE] | [0xFE, 0xFF]))
}

/// Bytes of a file (from disk, standard input or Git) as source text: UTF-8, or UTF-16 with a
/// byte-order mark; binary files and invalid UTF-8 (with its position) are errors.
pub fn decode(name: &str, bytes: Vec<u8>) -> Result<Arc<SourceFile>, InputError> {
    decode_text(name, bytes).map(|text| SourceFile::new(name, text))
}

/// [`decode`]'s text.
pub fn decode_text(name: &str, bytes: Vec<u8>) -> Result<String, InputError> {
    let err = |message: String| InputError {
        name: name.to_owned(),
        message,
    };
    // UTF-32 starts like UTF-16 little-endian (`FF FE`), so it is told apart first; yaml.v2
    // does not read it
    if let Some(order) = utf32(&bytes) {
        return Err(err(format!(
            "the file is UTF-32 ({order}), which YAML parsers (the authenticator's too) do not read\n  help: convert it to UTF-8, e.g. `iconv -f UTF-32 -t UTF-8`"
        )));
    }
    // Windows tools (PowerShell `>`) write UTF-16 with a byte-order mark; yaml.v2 reads it
    if let Some(text) = decode_utf16(&bytes) {
        return Ok(text);
    }
    if memchr::memchr(0, &bytes).is_some() {
        return Err(err("binary file (contains NUL bytes)".into()));
    }
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let prefix = &e.as_bytes()[..offset];
        let line = memchr::memchr_iter(b'\n', prefix).count() + 1;
        let column = String::from_utf8_lossy(
            &prefix[prefix
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1)..],
        )
        .chars()
        .count()
            + 1;
        err(format!(
            "invalid UTF-8 at line {line}, column {column} (byte {offset})"
        ))
    })
}

/// `--force-exclude`: whether `path`, named on the command line, is left out as a walk of the
/// current directory `cwd` would leave it out: `globs` (the command line's `--exclude` and the
/// configuration's name globs, as a walk matches them) against the path relative to `cwd` and
/// each folder on the way to it, and the configuration's anchored globs (`anchored`). A path
/// outside `cwd` is matched as its absolute path. A glob that cannot be built excludes nothing
/// here (the walk reports it).
pub fn force_excluded(
    path: &Path,
    cwd: &Path,
    globs: &[String],
    anchored: Option<&Exclusions>,
) -> bool {
    let abs = crate::paths::normalize(&cwd.join(path));
    let rel = abs.strip_prefix(cwd).map_or(abs.as_path(), |r| r);
    if let Ok(set) = build_globs(globs) {
        let mut prefix = PathBuf::new();
        for part in rel.components() {
            prefix.push(part);
            if set.is_match(&prefix) {
                return true;
            }
        }
    }
    anchored.is_some_and(|ex| ex.excludes(cwd, &rel.to_string_lossy()))
}

/// The configuration's `exclude` globs, as `lint` and `diff` apply them: a glob without `/` matches a
/// file or folder name anywhere, one with `/` a path relative to the configuration's folder.
#[derive(Debug)]
pub struct Exclusions {
    names: globset::GlobSet,
    anchored: Option<(PathBuf, globset::GlobSet)>,
}

impl Exclusions {
    /// From the globs and the configuration's folder (absolute); `None` without globs.
    pub fn new(globs: &[String], dir: Option<&Path>) -> Result<Option<Self>, String> {
        if globs.is_empty() {
            return Ok(None);
        }
        let mut names = globset::GlobSetBuilder::new();
        let mut anchored = globset::GlobSetBuilder::new();
        for g in globs {
            let glob = |p: &str| {
                globset::GlobBuilder::new(p)
                    .literal_separator(false)
                    .build()
                    .map_err(|e| format!("invalid glob `{g}`: {e}"))
            };
            if g.contains('/') {
                anchored.add(glob(g.trim_start_matches("./"))?);
            } else {
                names.add(glob(&format!("**/{g}"))?);
            }
        }
        let anchored = anchored.build().map_err(|e| e.to_string())?;
        Ok(Some(Self {
            names: names.build().map_err(|e| e.to_string())?,
            anchored: dir
                .filter(|_| !anchored.is_empty())
                .map(|d| (d.to_owned(), anchored)),
        }))
    }

    /// Whether `path` (relative to the repository's top `root`) is excluded.
    pub fn excludes(&self, root: &Path, path: &str) -> bool {
        // a folder that matches excludes what is in it (the walk does not enter it)
        let mut prefix = String::new();
        for part in path.split('/') {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(part);
            if self.names.is_match(&prefix) {
                return true;
            }
        }
        self.anchored.as_ref().is_some_and(|(dir, set)| {
            let abs = crate::paths::normalize(&root.join(path));
            abs.strip_prefix(dir).is_ok_and(|rel| set.is_match(rel))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_and_without_units() {
        assert_eq!(parse_size("1048576"), Ok(1_048_576));
        assert_eq!(parse_size("500k"), Ok(500_000));
        assert_eq!(parse_size("4MiB"), Ok(4 << 20));
        assert_eq!(parse_size("4 mib"), Ok(4 << 20));
        assert_eq!(parse_size("1.5KiB"), Ok(1536));
        assert_eq!(parse_size("2GB"), Ok(2_000_000_000));
        assert_eq!(parse_size("16MiB"), Ok(DEFAULT_MAX_FILE_SIZE));
        assert!(parse_size("12x").unwrap_err().contains("unknown unit `x`"));
        assert!(parse_size("0").unwrap_err().contains("at least one byte"));
        assert!(parse_size("MiB").unwrap_err().contains("is not a size"));
    }

    #[test]
    fn sizes_show_in_binary_units() {
        assert_eq!(crate::untrusted::show_size(100), "100 bytes");
        assert_eq!(crate::untrusted::show_size(16 << 20), "16 MiB");
        assert_eq!(crate::untrusted::show_size(200_000_184), "190.7 MiB");
        assert_eq!(crate::untrusted::show_size(500_000), "488.3 KiB");
    }

    #[test]
    fn utf32_is_told_from_utf16_and_binary() {
        let text = "a: 1\nb: 2\n";
        let le: Vec<u8> = text
            .chars()
            .flat_map(|c| u32::from(c).to_le_bytes())
            .collect();
        let be: Vec<u8> = text
            .chars()
            .flat_map(|c| u32::from(c).to_be_bytes())
            .collect();
        assert_eq!(utf32(&le), Some("little-endian"));
        assert_eq!(utf32(&be), Some("big-endian"));
        assert!(utf32(&[&[0xFF, 0xFE, 0, 0][..], &le].concat()).is_some());
        // UTF-16 little-endian with its mark: `FF FE`, then `a` and a NUL
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(utf32(&utf16), None);
        assert!(decode("x", utf16).is_ok());
        assert_eq!(utf32(b"a: 1\n"), None);
        // NUL bytes that are not UTF-32 stay "binary"
        let e = decode("x", vec![1, 0, 0, 0, 0, 0, 1, 0]).unwrap_err();
        assert!(e.message.contains("binary"), "{}", e.message);
        let e = decode("x", le).unwrap_err();
        assert!(
            e.message.contains("UTF-32 (little-endian)"),
            "{}",
            e.message
        );
    }
}
