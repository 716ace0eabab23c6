//! Whether a file can matter at all, decided before anything else is done with it: one pass
//! over its text for every needle the loaders' own text tests start from (aws-auth names and
//! the escapes that can spell them, RBAC, access entries and access settings, in manifests and
//! in Terraform) and the suppression comments'. A file with none of them holds no source and no
//! suppression: a walk keeps only its name, so the files that hold nothing cost one search and
//! no memory (BENCHMARKS.md "Issue 18").
//!
//! The needles are the loaders' own lists (each loader's `Needles`), so a text test added to a
//! loader is a needle added here; the test below checks, on every fixture, that a file this
//! says cannot matter loads to nothing.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, MatchKind};

use super::detect::{ACCESS, AWS_AUTH, NAME_ESCAPES};
use super::{is_terraform, rbac, terraform};

/// What every suppression comment starts with (`suppress` reads them; a file without it has
/// none).
pub const SUPPRESSION_MARKER: &str = "awsauth:";

/// Whether the file `name` with `text` (its bytes: the needles are ASCII, so UTF-8 need not be
/// checked first) may hold an aws-auth source, access entries or settings, RBAC, or a
/// suppression comment. `false` is certain: loading it finds nothing.
pub fn may_matter(name: &str, text: &[u8]) -> bool {
    static MANIFESTS: OnceLock<AhoCorasick> = OnceLock::new();
    static TERRAFORM: OnceLock<AhoCorasick> = OnceLock::new();
    let searcher = if is_terraform(name) {
        TERRAFORM.get_or_init(|| build(&terraform_needles()))
    } else {
        MANIFESTS.get_or_init(|| build(&manifest_needles()))
    };
    searcher.is_match(text)
}

/// The needles of a manifest (YAML or JSON): `load_file`'s text tests.
fn manifest_needles() -> Vec<&'static str> {
    let mut out = AWS_AUTH.needles().to_vec();
    out.extend(NAME_ESCAPES);
    out.extend(rbac::GROUP.needles());
    // `ccess` is what the others share: they are the ones that decide
    out.extend(&ACCESS.needles()[1..]);
    out.push(SUPPRESSION_MARKER);
    out
}

/// The needles of a Terraform file: `terraform::load`'s text tests.
fn terraform_needles() -> Vec<&'static str> {
    let mut out = terraform::AWS_AUTH.needles().to_vec();
    out.extend(terraform::ACCESS.needles());
    out.extend(terraform::rbac::NEEDLES.needles());
    out.push(SUPPRESSION_MARKER);
    out
}

/// Leftmost-first: the kind of match the SIMD searcher (Teddy) serves; the standard kind
/// scans byte by byte and cost four times as much on the walk.
fn build(needles: &[&str]) -> AhoCorasick {
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostFirst)
        .build(needles)
        .expect("fixed needles build a searcher")
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::may_matter;
    use crate::source::SourceFile;

    /// Every fixture (and every file of the real corpus, when it is there) that the prefilter
    /// says cannot matter loads to nothing and has no suppression comment; and the prefilter
    /// passes most fixtures (they are written to hold something).
    #[test]
    fn a_file_that_cannot_matter_loads_to_nothing() {
        let mut files = Vec::new();
        for root in ["fixtures", "../shared/corpus/real"] {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(root);
            if dir.is_dir() {
                collect(&dir, &mut files);
            }
        }
        let (mut passed, mut skipped) = (0, 0);
        for path in files {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let name = path.to_string_lossy().into_owned();
            if may_matter(&name, text.as_bytes()) {
                passed += 1;
                continue;
            }
            skipped += 1;
            let file = SourceFile::new(name.clone(), text);
            let load = crate::load::load_file(std::sync::Arc::clone(&file));
            assert!(
                load.holds_nothing(),
                "{name}: skipped, but it loads to something"
            );
            // `suppress::scan` finds nothing without it
            assert!(!file.text.contains(super::SUPPRESSION_MARKER), "{name}");
        }
        assert!(passed > 10 * skipped, "passed {passed}, skipped {skipped}");
    }

    /// A needle of each loader, alone in an otherwise empty file, passes.
    #[test]
    fn each_loader_needle_passes() {
        for (name, text) in [
            ("a.yaml", "name: aws-auth"),
            ("a.yaml", "x: \"map\\u0052oles\""),
            ("a.yaml", "apiVersion: rbac.authorization.k8s.io/v1"),
            ("a.yaml", "accessConfig: {}"),
            ("a.json", "{\"Type\": \"AWS::EKS::AccessEntry\"}"),
            ("a.yaml", "# awsauth: ignore[x]"),
            ("main.tf", "resource \"aws_eks_access_entry\" \"x\" {}"),
            (
                "main.tf",
                "resource \"kubernetes_cluster_role_binding\" \"x\" {}",
            ),
            (
                "main.tf",
                "module \"eks\" { source = \"terraform-aws-modules/eks/aws\" }",
            ),
            ("main.tf.json", "{\"locals\": {\"map_roles\": []}}"),
        ] {
            assert!(may_matter(name, text.as_bytes()), "{name}: {text}");
        }
        assert!(!may_matter(
            "a.yaml",
            b"kind: Deployment\nmetadata: {name: web}\n"
        ));
        assert!(!may_matter(
            "main.tf",
            b"resource \"aws_s3_bucket\" \"b\" {}"
        ));
    }

    fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                collect(&path, out);
            } else {
                out.push(path);
            }
        }
    }
}
