//! Engine throughput over the 1,582 embedded AWS managed policies, and the catalogue lookups the
//! rules lean on. `cargo bench --bench engine`. The side-by-side comparison with parliament is
//! scripts/bench-parliament.

#![allow(missing_docs)] // criterion_main! generates an undocumented main
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use iam_guard::catalog::{managed, Catalog};
use iam_guard::config::Config;
use iam_guard::engine::Engine;
use iam_guard::policy::{PolicyDocument, PolicyKind};
use iam_guard::rules::PolicyContext;

fn corpus() -> Vec<(String, String, String)> {
    managed::all().iter().map(|p| (p.name.to_string(), p.arn.to_string(), p.document_json())).collect()
}

fn bench(c: &mut Criterion) {
    let docs = corpus();
    let bytes: usize = docs.iter().map(|d| d.2.len()).sum();
    let parsed: Vec<PolicyDocument> = docs.iter().map(|d| PolicyDocument::parse(&d.2).unwrap()).collect();
    let engine = Engine::new(Config::default());
    let catalog = Catalog::global();

    let mut g = c.benchmark_group("corpus");
    g.sample_size(20);
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("parse 1582 managed policies", |b| {
        b.iter(|| docs.iter().map(|d| PolicyDocument::parse(black_box(&d.2)).unwrap().statements.len()).sum::<usize>())
    });
    g.bench_function("judge 1582 managed policies", |b| {
        b.iter(|| {
            docs.iter()
                .zip(&parsed)
                .map(|(d, doc)| {
                    let ctx = PolicyContext {
                        kind: Some(PolicyKind::Identity),
                        managed: Some((d.0.clone(), d.1.clone())),
                        account_id: None,
                        also_known: Vec::new(),
                        limit: None,
                        resource: None,
                        authoring: false,
                    };
                    engine.judge(&ctx, black_box(doc)).len()
                })
                .sum::<usize>()
        })
    });
    g.finish();

    let mut g = c.benchmark_group("catalog");
    g.bench_function("expand exact s3:GetObject", |b| b.iter(|| catalog.expand(black_box("s3:GetObject")).count()));
    g.bench_function("expand prefix ec2:Describe*", |b| b.iter(|| catalog.expand(black_box("ec2:Describe*")).count()));
    g.bench_function("unknown s3:GetObject", |b| b.iter(|| catalog.unknown(black_box("s3:GetObject"))));
    g.bench_function("expand *", |b| b.iter(|| catalog.expand(black_box("*")).count()));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
