//! Keeps ARCHITECTURE.md true: the modules of `src/` import each other without loops, the
//! command-line layer stays thin, and git is read through one reader.
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file of `src/` belongs to (`src/diff/render.rs` → `diff`).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).expect("under src");
    let first = rel.components().next().expect("component");
    let name = first.as_os_str().to_string_lossy();
    name.strip_suffix(".rs").unwrap_or(&name).to_owned()
}

/// The top-level modules a piece of code names through `crate::` (or a macro's `$crate::`),
/// including grouped imports (`use crate::{a::X, b}`). Comments do not count.
fn named_modules(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in code.lines() {
        let line = line.split("//").next().unwrap_or("");
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                // the names at depth 0 of the group
                let mut depth = 0usize;
                let mut word = String::new();
                let mut at_start = true;
                for c in group.chars() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => at_start = true,
                        c if c.is_alphanumeric() || c == '_' => {
                            if at_start && depth == 0 {
                                word.push(c);
                            }
                        }
                        _ => {
                            if !word.is_empty() {
                                out.insert(std::mem::take(&mut word));
                            }
                            if !c.is_whitespace() {
                                at_start = false;
                            }
                        }
                    }
                }
                if !word.is_empty() {
                    out.insert(word);
                }
            } else {
                let word: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !word.is_empty() {
                    out.insert(word);
                }
            }
        }
    }
    out
}

/// The import graph between the top-level modules of `src/`.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(&src, f)).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let from = module_of(&src, file);
        let code = std::fs::read_to_string(file).expect("read");
        let edges = graph.entry(from.clone()).or_default();
        for to in named_modules(&code) {
            if to != from && modules.contains(&to) {
                edges.insert(to);
            }
        }
    }
    graph
}

/// Strongly connected components with more than one module (Tarjan's algorithm).
fn loops(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'g> {
        graph: &'g BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'g>(s: &mut State<'g>, v: &'g str) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in s.graph.get(v).into_iter().flatten() {
            if !s.index.contains_key(w.as_str()) {
                visit(s, w);
                let low = s.low[w.as_str()].min(s.low[v]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w.as_str()) {
                let low = s.index[w.as_str()].min(s.low[v]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.out.push(component);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.out
}

#[test]
fn the_import_graph_reader_sees_grouped_and_macro_imports() {
    let code = "use crate::{config::{A, B}, load};\nlet x = $crate::registry::R; // crate::lint\n";
    let names: Vec<String> = named_modules(code).into_iter().collect();
    assert_eq!(names, ["config", "load", "registry"]);
    let graph = BTreeMap::from([
        ("a".to_owned(), BTreeSet::from(["b".to_owned()])),
        ("b".to_owned(), BTreeSet::from(["a".to_owned()])),
        ("c".to_owned(), BTreeSet::from(["a".to_owned()])),
    ]);
    assert_eq!(loops(&graph), [["a", "b"]]);
}

#[test]
fn modules_import_each_other_without_loops() {
    let graph = module_graph();
    let found = loops(&graph);
    let shown: Vec<String> = found
        .iter()
        .map(|component| {
            let edges: Vec<String> = component
                .iter()
                .flat_map(|from| {
                    graph[from]
                        .iter()
                        .filter(|to| component.contains(to))
                        .map(move |to| format!("{from} → {to}"))
                })
                .collect();
            edges.join(", ")
        })
        .collect();
    assert!(found.is_empty(), "import loops:\n{}", shown.join("\n"));
}

#[test]
fn the_command_line_layer_stays_thin() {
    let cli = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/cli");
    let mut files = Vec::new();
    rust_files(&cli, &mut files);
    // clap's declarations (`args.rs`: the options and their help) grow with every option;
    // the rest of the layer, running commands, stays small whatever the options
    let count = |f: &Path| std::fs::read_to_string(f).expect("read").lines().count();
    let (declared, running): (Vec<_>, Vec<_>) = files.iter().partition(|f| f.ends_with("args.rs"));
    let lines: usize = running.iter().map(|f| count(f)).sum();
    assert!(
        lines < 400,
        "src/cli/ (less args.rs) is {lines} lines: parsing, output and exit codes only (see \
         ARCHITECTURE.md)"
    );
    let args: usize = declared.iter().map(|f| count(f)).sum();
    assert!(
        args < 500,
        "src/cli/args.rs is {args} lines: options and their help only"
    );
    let args_text: String = declared
        .iter()
        .map(|f| std::fs::read_to_string(f).expect("read"))
        .collect();
    assert!(
        args_text.matches("fn ").count() <= 6,
        "src/cli/args.rs declares options: its few functions only name what was chosen"
    );
    let main = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/main.rs"))
        .expect("read main.rs");
    assert!(main.lines().count() <= 40, "src/main.rs grew past 40 lines");
}

#[test]
fn git_is_read_through_the_git_command_only() {
    let lock = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.lock"))
        .expect("read Cargo.lock");
    let gix: Vec<&str> = lock
        .lines()
        .filter(|l| l.starts_with("name = \"gix") || l.starts_with("name = \"git2"))
        .collect();
    assert!(gix.is_empty(), "a second git reader is back: {gix:?}");
}

/// Every function of `src/` and `tests/` fits in 120 lines, counted from its `fn` line to its
/// closing brace, comments included (clippy's `too_many_lines` counts code lines only).
#[test]
fn no_function_is_over_120_lines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    rust_files(&root.join("tests"), &mut files);
    let mut long = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read");
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let code = line.trim_start();
            let indent = &line[..line.len() - code.len()];
            let signature = code
                .strip_prefix("pub(crate) ")
                .or_else(|| code.strip_prefix("pub(super) "))
                .or_else(|| code.strip_prefix("pub "))
                .unwrap_or(code);
            if !signature.starts_with("fn ") {
                continue;
            }
            let close = format!("{indent}}}");
            if let Some(n) = lines[i + 1..].iter().position(|l| *l == close)
                && n + 2 > 120
            {
                long.push(format!("{}:{} ({} lines)", file.display(), i + 1, n + 2));
            }
        }
    }
    assert!(long.is_empty(), "functions over 120 lines: {long:?}");
}
