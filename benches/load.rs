//! Load and lint a 1 MB aws-auth with 5,000 role mappings (the monorepo-scale case).
//! Run with `cargo bench --bench load`; `scripts/bench` times the release binary end to end.
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

/// A `ConfigMap` with `n` role mappings of about 220 bytes each.
fn big_aws_auth(n: usize) -> String {
    let mut s = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n",
    );
    for i in 0..n {
        s.push_str(&format!(
            "    - rolearn: arn:aws:iam::111122223333:role/team-{i:05}-deployment-role-with-a-long-name\n      username: team-{i:05}:{{{{SessionName}}}}\n      groups:\n        - team-{i:05}-developers\n        - view\n        - team-{i:05}-ops\n"
        ));
    }
    s
}

fn bench(c: &mut Criterion) {
    let text = big_aws_auth(5_000);
    assert!(text.len() > 1_000_000);
    c.bench_function("load 5000 entries (1 MB)", |b| {
        b.iter(|| {
            let file = awsauth::source::SourceFile::new("big.yaml", black_box(text.clone()));
            black_box(awsauth::load::load_file(file))
        });
    });
    c.bench_function("load+lint 5000 entries (1 MB)", |b| {
        b.iter(|| {
            let file = awsauth::source::SourceFile::new("big.yaml", black_box(text.clone()));
            let load = awsauth::load::load_file(file);
            let mut out = Vec::new();
            awsauth::rules::check_file(&load, &mut out);
            assert_eq!(load.objects[0].entries.len(), 5_000);
            black_box(out)
        });
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
