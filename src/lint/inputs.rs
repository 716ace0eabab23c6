//! The inputs of `lint` and `inspect`: which files are read (paths, globs, the configuration's
//! `include` and `exclude`), read and loaded in parallel, each with the settings of its
//! directory; a panic while loading one file is that file's internal error.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use anyhow::Result;
use rayon::prelude::*;

use crate::config::{Configs, Settings};
use crate::discover::{
    Input, InputError, WalkOptions, decode_text, is_wide, read_bytes, visit_inputs,
};
use crate::guard;
use crate::load::{FileLoad, is_terraform, load_file_with, may_hold_terraform, may_matter};
use crate::render::escape;
use crate::source::SourceFile;

/// What to read, as the command line resolved it.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// Files or directories (`-` for standard input); none: the current directory.
    pub paths: Vec<String>,
    /// `--include` globs (else the configuration's, else the defaults).
    pub include: Vec<String>,
    /// `--exclude` globs.
    pub exclude: Vec<String>,
    /// The name standard input is read under.
    pub stdin_filename: Option<String>,
    /// Larger files are not read.
    pub max_file_size: u64,
    /// `--force-exclude`: the excludes apply to the paths named too.
    pub force_exclude: bool,
}

impl Inputs {
    /// The inputs as read: `--stdin-filename` reads standard input (as ruff does); without `-`
    /// among the paths, the paths named are not read, and `say` says so of each.
    #[must_use]
    pub fn resolved(mut self, say: fn(&str)) -> Self {
        if self.stdin_filename.is_some() && !self.paths.iter().any(|p| p == "-") {
            for p in &self.paths {
                say(&format!(
                    "warning: `{}` is not read: `--stdin-filename` reads standard input\n  help: add `-` to the paths to read both",
                    escape::text(p)
                ));
            }
            self.paths = vec!["-".to_owned()];
        }
        self
    }
}

/// A file whose processing panicked (caught: the other files are still processed; exit 2).
pub struct Crash {
    /// The file, as shown.
    pub name: String,
    /// What panicked.
    pub panic: guard::Panic,
}

impl Crash {
    /// The file and the panic message, as reported.
    pub fn shown(&self) -> (String, String) {
        (self.name.clone(), self.panic.message.clone())
    }
}

/// One input, loaded, with the settings and path that apply to it.
pub struct Loaded {
    /// The loaded file.
    pub load: FileLoad,
    /// Its settings.
    pub settings: Arc<Settings>,
    /// Its path (the `--stdin-filename` for standard input).
    pub path: Option<PathBuf>,
    /// Read from standard input.
    pub stdin: bool,
}

/// What [`load_all`] read: the loaded inputs, the inputs that could not be read, those whose
/// loading panicked, and the include globs of the walk.
pub struct Read {
    /// The loaded inputs that may hold something (`load::may_matter`), sorted by file name.
    pub loads: Vec<Loaded>,
    /// The number of inputs read that cannot hold anything (not kept).
    pub skipped: usize,
    /// The inputs that could not be read.
    pub errors: Vec<InputError>,
    /// The inputs whose loading panicked.
    pub crashes: Vec<Crash>,
    /// The include globs of the walk.
    pub include: Vec<String>,
    /// The paths named on the command line that are read (`--force-exclude` leaves some out).
    pub named: Vec<String>,
}

impl Read {
    /// The warnings when a run read nothing (no file matched, empty standard input): a clean
    /// result would otherwise hide a wrong path, glob or pipe. `verb`: `linted`, `inspected`.
    pub fn nothing_read(&self, verb: &str, inputs: &Inputs) -> Vec<String> {
        let mut out = Vec::new();
        for l in self.loads.iter().filter(|l| l.stdin) {
            if l.load.file.text.trim().is_empty() {
                out.push(format!(
                    "warning: standard input is empty: nothing was {verb}\n  help: check the command that writes to it (e.g. `helm template . | awsauth lint -`)"
                ));
            }
        }
        // every path named was left out on purpose (`--force-exclude`, a hook's files)
        let all_left_out = !inputs.paths.is_empty() && self.named.is_empty();
        if self.loads.is_empty()
            && self.skipped == 0
            && self.errors.is_empty()
            && self.crashes.is_empty()
            && !all_left_out
        {
            let quoted = |list: &[String]| {
                list.iter()
                    .map(|p| format!("`{}`", escape::text(p)))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let paths = if inputs.paths.is_empty() {
                "`.`".to_owned()
            } else {
                quoted(&inputs.paths)
            };
            let globs = quoted(&self.include);
            out.push(format!(
                "warning: nothing was {verb}: no file under {paths} matches {globs}\n  help: name the files, or choose which are read with `--include GLOB` (`--exclude` and the configuration's `exclude` leave files out)"
            ));
        }
        out
    }
}

/// The directory whose configuration applies to an input.
fn input_dir(input: &Input, stdin_filename: Option<&str>) -> PathBuf {
    let path = match input {
        Input::Path { path, .. } => path.clone(),
        Input::Stdin { .. } => PathBuf::from(stdin_filename.unwrap_or("-")),
    };
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    }
}

/// What to walk and read, as the command line and the run's configuration decide.
struct Plan<'a> {
    /// The include and exclude globs of the walk.
    opts: WalkOptions,
    /// The paths named on the command line that are read (`--force-exclude` leaves some out).
    named: Vec<String>,
    /// The name standard input is read under (`None` when `--force-exclude` leaves it out).
    stdin_filename: Option<&'a str>,
    /// The configuration's excludes relative to its folder.
    anchored: Option<crate::discover::Exclusions>,
    /// The current directory.
    cwd: PathBuf,
}

/// The plan of a run: the globs of the command line and of the run's configuration;
/// `None` when `--force-exclude` leaves out every path named.
fn plan<'a>(inputs: &'a Inputs, global: &Settings) -> Result<(Plan<'a>, bool)> {
    let mut opts = WalkOptions::default();
    if !inputs.include.is_empty() {
        opts.include.clone_from(&inputs.include);
    } else if let Some(i) = &global.include {
        opts.include.clone_from(i);
    }
    opts.exclude.clone_from(&inputs.exclude);
    // the configuration's excludes: a glob without `/` matches a name anywhere (the walk prunes
    // with it); one with `/` is relative to the configuration's directory
    let (names, anchored): (Vec<String>, Vec<String>) = global
        .exclude
        .iter()
        .flatten()
        .cloned()
        .partition(|e| !e.contains('/'));
    opts.exclude.extend(names);
    let cwd = std::env::current_dir().unwrap_or_default();
    let dir = global
        .dir
        .as_ref()
        .map(|d| crate::paths::normalize(&cwd.join(d)));
    let anchored = crate::discover::Exclusions::new(&anchored, dir.as_deref())
        .map_err(|e| anyhow::anyhow!(e))?;
    let mut named = inputs.paths.clone();
    let mut stdin_filename = inputs.stdin_filename.as_deref();
    let mut nothing = false;
    if inputs.force_exclude {
        let forced = |p: &str| {
            crate::discover::force_excluded(Path::new(p), &cwd, &opts.exclude, anchored.as_ref())
        };
        named.retain(|p| p == "-" || !forced(p));
        if stdin_filename.is_some_and(forced) {
            // standard input stands for an excluded file: nothing is read
            named.retain(|p| p != "-");
            stdin_filename = None;
        }
        nothing = named.is_empty() && !inputs.paths.is_empty();
    }
    let plan = Plan {
        opts,
        named,
        stdin_filename,
        anchored,
        cwd,
    };
    Ok((plan, nothing))
}

/// What became of one input.
enum Done {
    Loaded(Loaded),
    Crashed(Crash),
    Unreadable(InputError),
}

/// Reads and loads every input in parallel, as the walk finds them (the walk's threads read
/// and load; only what may matter is kept: `load::may_matter`); results come back sorted by
/// file name, in the order of the paths. `tracked` (files git tracks, for `--new-only`) are
/// read too.
pub fn load_all(inputs: &Inputs, configs: &mut Configs, tracked: &[PathBuf]) -> Result<Read> {
    let global = configs.global(&inputs.paths)?;
    let (plan, nothing) = plan(inputs, &global)?;
    let include = plan.opts.include.clone();
    if nothing {
        return Ok(Read {
            loads: Vec::new(),
            skipped: 0,
            errors: Vec::new(),
            crashes: Vec::new(),
            include,
            named: plan.named,
        });
    }
    let configs = Mutex::new(configs);
    let failed: Mutex<Vec<(String, anyhow::Error)>> = Mutex::new(Vec::new());
    let skipped = AtomicUsize::new(0);
    // with `--new-only`, the names read, so that a tracked file is not read twice
    let seen: Mutex<HashSet<String>> = Mutex::new(HashSet::new());
    let excluded = |path: &Path| {
        plan.anchored
            .as_ref()
            .is_some_and(|ex| ex.excludes(&plan.cwd, &path.to_string_lossy()))
    };
    // the settings of a file's folder, asked for only once it may matter (most files of a
    // walk hold nothing: no lock, no lookup)
    let settings_of = |input: &Input| {
        let dir = input_dir(input, inputs.stdin_filename.as_deref());
        lock(&configs)
            .for_dir(&dir)
            .map_err(|e| lock(&failed).push((input.name().to_owned(), e)))
            .ok()
    };
    let each = |input: Input| -> Option<Done> {
        if let Input::Path { path, .. } = &input
            // a file named on the command line is always read
            && !inputs.paths.iter().any(|p| Path::new(p) == path)
            && excluded(path)
        {
            return None;
        }
        if !tracked.is_empty() {
            lock(&seen).insert(input.name().to_owned());
        }
        match read_one(inputs, &input, &settings_of) {
            Step::Skipped => {
                skipped.fetch_add(1, Ordering::Relaxed);
                None
            }
            Step::Done(done) => Some(done),
            Step::Failed => None,
        }
    };
    // a configuration file met on the walk is read, so that a broken one fails the run
    // whether or not a file beside it holds anything
    let config = |path: &Path| {
        if !excluded(path) {
            let dir = path.parent().unwrap_or(Path::new("."));
            if let Err(e) = lock(&configs).for_dir(dir) {
                lock(&failed).push((crate::discover::display_name(path), e));
            }
        }
    };
    let (mut done, mut errors) =
        visit_inputs(&plan.named, &plan.opts, plan.stdin_filename, &each, &config)
            .map_err(|e| anyhow::anyhow!(e))?;
    let also = crate::discover::tracked_inputs(tracked, &plan.opts, &lock(&seen))
        .map_err(|e| anyhow::anyhow!(e))?;
    let also: Vec<Option<Done>> = also.into_par_iter().map(each).collect();
    done.extend(also.into_iter().flatten());
    // a configuration that cannot be read fails the run: the first by file name, whatever
    // the threads did
    let mut failed = failed.into_inner().unwrap_or_else(PoisonError::into_inner);
    failed.sort_by(|a, b| a.0.cmp(&b.0));
    if let Some((_, e)) = failed.into_iter().next() {
        return Err(e);
    }
    let mut loads = Vec::new();
    let mut crashes = Vec::new();
    for d in done {
        match d {
            Done::Loaded(l) => loads.push(l),
            Done::Crashed(c) => crashes.push(c),
            Done::Unreadable(e) => errors.push(e),
        }
    }
    Ok(Read {
        loads,
        skipped: skipped.into_inner(),
        errors,
        crashes,
        include,
        named: plan.named,
    })
}

/// A mutex's value, whether or not a thread panicked holding it.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What became of one input in [`read_one`].
#[allow(clippy::large_enum_variant)] // returned once per file, never stored
enum Step {
    /// It cannot matter (`load::may_matter`): its text is dropped at once, so memory follows
    /// the files that hold something, not the tree.
    Skipped,
    /// Loaded, not readable, or its loading panicked.
    Done(Done),
    /// The configuration of its folder cannot be read (the run fails).
    Failed,
}

/// Reads and loads one input, with the settings `settings_of` its folder.
fn read_one(
    inputs: &Inputs,
    input: &Input,
    settings_of: &dyn Fn(&Input) -> Option<Arc<Settings>>,
) -> Step {
    let name = input.name().to_owned();
    // standard input is always loaded: its emptiness is told
    let stdin = matches!(input, Input::Stdin { .. });
    let bytes = match read_bytes(input, inputs.max_file_size) {
        Ok(bytes) => bytes,
        Err(e) => return Step::Done(Done::Unreadable(e)),
    };
    // the needles are ASCII: the bytes are searched before they are decoded, so a file that
    // cannot matter costs one pass, whatever it holds (UTF-16 and UTF-32 are decoded first)
    let wide = is_wide(&bytes);
    if !stdin && !wide && !may_matter(&name, &bytes) {
        return Step::Skipped;
    }
    let text = match decode_text(&name, bytes) {
        Ok(text) => text,
        Err(e) => return Step::Done(Done::Unreadable(e)),
    };
    if !stdin && wide && !may_matter(&name, text.as_bytes()) {
        return Step::Skipped;
    }
    let Some(settings) = settings_of(input) else {
        return Step::Failed;
    };
    let path = match input {
        Input::Path { path, .. } => Some(path.clone()),
        Input::Stdin { .. } => inputs.stdin_filename.as_ref().map(PathBuf::from),
    };
    let load = guard::catch(|| {
        let file = SourceFile::new(name.as_str(), text);
        guard::test_trigger("load", &file.name);
        // a Terraform file that may declare aws-auth is evaluated with the other files of its
        // module (read only then: most `.tf` files declare none)
        let siblings = match input {
            Input::Path { path, .. }
                if is_terraform(&file.name) && may_hold_terraform(&file.text) =>
            {
                crate::discover::module_files(path, inputs.max_file_size)
            }
            _ => Vec::new(),
        };
        load_file_with(file, &siblings)
    });
    Step::Done(match load {
        Ok(load) => Done::Loaded(Loaded {
            load,
            settings,
            path,
            stdin,
        }),
        Err(panic) => Done::Crashed(Crash { name, panic }),
    })
}

/// The directories the run walked as a whole (unused allow entries are only reported there).
pub fn walked_roots(paths: &[String]) -> Vec<PathBuf> {
    if paths.is_empty() {
        return vec![PathBuf::from(".")];
    }
    paths
        .iter()
        .map(PathBuf::from)
        .filter(|p| p.is_dir())
        .collect()
}
