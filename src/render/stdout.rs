//! Writing to standard output, the last line of defence against text from the inputs (values
//! have been escaped where they were rendered; see [`super::escape`]), and a closed pipe
//! (`awsauth lint | head`) taken as the reader having gone.

use std::io::Write;
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

/// Writes to stdout (see [`Out`] and [`written`]).
pub fn emit(text: &str, kind: Out) -> Result<()> {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return Ok(());
    }
    let text = match kind {
        Out::Text => escape::lines(text, false),
        // (each JSON renderer escapes its document: `escape::json`)
        Out::Json | Out::Annotations => std::borrow::Cow::Borrowed(text),
    };
    let mut out = std::io::stdout().lock();
    written(out.write_all(text.as_bytes()).and_then(|()| out.flush()))
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
