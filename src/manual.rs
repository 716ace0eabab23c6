//! Documentation generated from the command line's own declarations: shell completion scripts
//! (`clap_complete`) and the manual page (`clap_mangen`), so neither can fall behind an option.
//!
//! Both take the [`clap::Command`] from their caller (`cli`), and know nothing else of awsauth.

use clap::Command;
pub use clap_complete::Shell;

/// The completion script of `cmd` for `shell`, completing the binary `name`.
pub fn completions(mut cmd: Command, shell: Shell, name: &str) -> String {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, name, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// One manual page (roff) for `cmd` and every subcommand: the command's own page (`NAME`,
/// `SYNOPSIS`, `DESCRIPTION`, `OPTIONS`), then a section per subcommand with its synopsis,
/// description, options and notes (as `man git` pages do for their subcommands, on one page so
/// `awsauth man | man -l -` shows everything).
pub fn page(cmd: Command) -> String {
    let mut cmd = cmd.disable_help_subcommand(true);
    cmd.build();
    let top = clap_mangen::Man::new(cmd.clone());
    let mut out = Vec::new();
    // (writing into a `Vec` cannot fail)
    let _ = top.render_title(&mut out);
    let _ = top.render_name_section(&mut out);
    let _ = top.render_synopsis_section(&mut out);
    let _ = top.render_description_section(&mut out);
    let _ = top.render_options_section(&mut out);
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        out.extend(subcommand_section(sub).into_bytes());
    }
    let _ = top.render_version_section(&mut out);
    // each part opens with the same two lines defining `\*(Aq` (an apostrophe): once is enough
    let mut seen = 0;
    let text = String::from_utf8_lossy(&out);
    let mut page = String::with_capacity(text.len());
    for line in text.lines() {
        if PREAMBLE.contains(&line) {
            seen += 1;
            if seen > PREAMBLE.len() {
                continue;
            }
        }
        page.push_str(line);
        page.push('\n');
    }
    page
}

/// What `roff` writes at the start of every part it renders.
const PREAMBLE: [&str; 2] = [".ie \\n(.g .ds Aq \\(aq", ".el .ds Aq '"];

/// The section of one subcommand: `.SH "AWSAUTH LINT"`, its own sections as subsections.
fn subcommand_section(sub: &Command) -> String {
    let man = clap_mangen::Man::new(sub.clone());
    let mut body = Vec::new();
    let _ = man.render_synopsis_section(&mut body);
    let _ = man.render_description_section(&mut body);
    if sub.get_arguments().any(|a| !a.is_hide_set()) {
        let _ = man.render_options_section(&mut body);
    }
    if sub.get_after_help().is_some() {
        let _ = man.render_extra_section(&mut body);
    }
    let name = sub
        .get_bin_name()
        .unwrap_or_else(|| sub.get_name())
        .to_uppercase();
    let mut out = format!(".SH \"{name}\"\n");
    for line in String::from_utf8_lossy(&body).lines() {
        match line.strip_prefix(".SH ") {
            Some("EXTRA") => out.push_str(".SS NOTES\n"),
            Some(heading) => out.push_str(&format!(".SS {heading}\n")),
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}
