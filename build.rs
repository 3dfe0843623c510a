//! Compiles `src/catalog/data/iam-actions.tsv` into static tables: one string of all action
//! names, their offsets and access levels, the services, and an open-addressing exact-name index.
//! The tables hold no pointers, so they sit in read-only data, cost no start-up work and no heap,
//! and only the pages a run touches become resident.

use std::fmt::Write as _;

include!("src/catalog/fnv.rs");

fn main() {
    let src = "src/catalog/data/iam-actions.tsv";
    println!("cargo:rerun-if-changed={src}");
    println!("cargo:rerun-if-changed=src/catalog/fnv.rs");
    let text = std::fs::read_to_string(src).expect("read the action catalogue");
    // (prefix, service name, [(action, level code)])
    type ServiceRow = (String, String, Vec<(String, u8)>);
    let mut services: Vec<ServiceRow> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix('\t') {
            let (name, code) = rest.split_once('\t').unwrap_or_else(|| panic!("{src}:{}: no level", n + 1));
            let level = match code {
                "L" => 0,
                "R" => 1,
                "T" => 2,
                "W" => 3,
                "P" => 4,
                other => panic!("{src}:{}: unknown level {other:?}", n + 1),
            };
            services
                .last_mut()
                .unwrap_or_else(|| panic!("{src}:{}: action before a service", n + 1))
                .2
                .push((name.into(), level));
        } else {
            let (prefix, name) = line.split_once('\t').unwrap_or((line, line));
            services.push((prefix.into(), name.into(), Vec::new()));
        }
    }
    services.sort_by(|a, b| a.0.cmp(&b.0));
    let lower = |s: &str| s.to_ascii_lowercase();
    for s in &mut services {
        s.2.sort_by_key(|(a, _)| lower(a));
    }

    let mut names = String::new();
    let mut offsets = vec![0u32];
    let mut levels = Vec::new();
    let mut service_of = Vec::new();
    let mut rows = String::new();
    let mut exact = vec![u16::MAX; EXACT_SLOTS];
    for (si, (prefix, sname, actions)) in services.iter().enumerate() {
        let first = levels.len();
        for (a, level) in actions {
            let i = levels.len();
            names.push_str(a);
            offsets.push(names.len() as u32);
            levels.push(*level);
            service_of.push(si);
            let mut slot = text_hash(&format!("{prefix}:{a}")) as usize & (EXACT_SLOTS - 1);
            while exact[slot] != u16::MAX {
                slot = (slot + 1) & (EXACT_SLOTS - 1);
            }
            exact[slot] = u16::try_from(i).expect("fewer than 65,535 actions");
        }
        writeln!(rows, "    Service {{ prefix: {prefix:?}, name: {sname:?}, first: {first}, end: {} }},", levels.len())
            .unwrap();
    }
    let mut by_prefix = vec![u16::MAX; SERVICE_SLOTS];
    for (si, (prefix, _, _)) in services.iter().enumerate() {
        let mut slot = text_hash(prefix) as usize & (SERVICE_SLOTS - 1);
        while by_prefix[slot] != u16::MAX {
            slot = (slot + 1) & (SERVICE_SLOTS - 1);
        }
        by_prefix[slot] = si as u16;
    }
    let list = |v: &mut dyn Iterator<Item = String>| v.collect::<Vec<_>>().join(",");
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap());
    std::fs::write(out.join("catalog-names.txt"), &names).unwrap();
    let code = format!(
        "static NAMES: &str = include_str!(concat!(env!(\"OUT_DIR\"), \"/catalog-names.txt\"));\n\
         static SERVICES: [Service; {}] = [\n{rows}];\n\
         static OFFSETS: [u32; {}] = [{}];\n\
         static LEVELS: [u8; {}] = [{}];\n\
         static SERVICE_OF: [u16; {}] = [{}];\n\
         static EXACT: [u16; {EXACT_SLOTS}] = [{}];\n\
         static BY_PREFIX: [u16; {SERVICE_SLOTS}] = [{}];\n",
        services.len(),
        offsets.len(),
        list(&mut offsets.iter().map(u32::to_string)),
        levels.len(),
        list(&mut levels.iter().map(u8::to_string)),
        service_of.len(),
        list(&mut service_of.iter().map(usize::to_string)),
        list(&mut exact.iter().map(u16::to_string)),
        list(&mut by_prefix.iter().map(u16::to_string)),
    );
    std::fs::write(out.join("catalog.rs"), code).unwrap();
}
