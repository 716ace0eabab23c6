//! Writing to standard output, the last line of defence against text from the inputs (values
//! have been escaped where they were rendered; see [`super::escape`]), and a closed pipe
//! (`awsauth lint | head`) taken as the reader having gone.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result};

use super::escape;

/// When to use colours (`--color`).
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

/// What is written to standard output.
#[derive(Clone, Copy)]
pub enum Out {
    /// Text: every control character but the line breaks escaped, no line read as a workflow
    /// command.
    Text,
    /// A JSON document (escaped by the renderers, `render::escape::json`).
    Json,
    /// `--format github`: awsauth's own workflow commands, one a line, their values escaped.
    Annotations,
}

/// Whether the reader of standard output has gone (`awsauth lint | head -1`).
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// The result of a write to standard output: a closed pipe (`awsauth lint | head`) is not an
/// error: the rest of the output is dropped and the exit code is still the run's (1 with
/// findings: `set -o pipefail` sees them); any other write error is an I/O error (exit 2).
fn written(result: std::io::Result<()>) -> Result<()> {
    match result {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
            Ok(())
        }
        r => r.context("cannot write to standard output"),
    }
}

/// The bytes [`emit`] writes for `text` of `kind`.
fn finished(text: &str, kind: Out) -> std::borrow::Cow<'_, str> {
    match kind {
        Out::Text => escape::lines(text, false),
        // (each JSON renderer escapes its document: `escape::json`)
        Out::Json | Out::Annotations => std::borrow::Cow::Borrowed(text),
    }
}

/// Writes to stdout (see [`Out`] and [`written`]).
pub fn emit(text: &str, kind: Out) -> Result<()> {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return Ok(());
    }
    let text = finished(text, kind);
    let mut out = std::io::stdout().lock();
    written(out.write_all(text.as_bytes()).and_then(|()| out.flush()))
}

/// Writes to `to` (`-o FILE`: the bytes standard output would get, written as
/// [`crate::write::write_file`] writes: atomically, never through a link), else to stdout.
pub fn deliver(text: &str, kind: Out, to: Option<&Path>) -> Result<()> {
    match to {
        Some(path) => to_file(path, &finished(text, kind)),
        None => emit(text, kind),
    }
}

/// [`deliver`] for styled text: a file gets colours only with `--color always` (it is no
/// terminal), as standard output redirected to it would.
pub fn deliver_styled(text: &str, color: Color, to: Option<&Path>) -> Result<()> {
    let Some(path) = to else {
        return emit_styled(text, color);
    };
    let text = escape::lines(text, true);
    match color {
        Color::Always => to_file(path, &text),
        Color::Auto | Color::Never => {
            to_file(path, &anstream::adapter::strip_str(&text).to_string())
        }
    }
}

/// Writes the output file.
fn to_file(path: &Path, text: &str) -> Result<()> {
    crate::write::write_file(path, text.as_bytes())
        .map_err(|e| anyhow::anyhow!(escape::text(&e).into_owned()))
}

/// Writes styled text to stdout, keeping or stripping the colours per `color` (see [`emit`];
/// awsauth's colour sequences are the only ones kept).
pub fn emit_styled(text: &str, color: Color) -> Result<()> {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return Ok(());
    }
    let choice = match color {
        Color::Auto => anstream::ColorChoice::Auto,
        Color::Always => anstream::ColorChoice::Always,
        Color::Never => anstream::ColorChoice::Never,
    };
    let text = escape::lines(text, true);
    let mut out = anstream::AutoStream::new(std::io::stdout().lock(), choice);
    written(out.write_all(text.as_bytes()).and_then(|()| out.flush()))
}
