//! Compiles `src/catalog/data/iam-actions.tsv` into static tables: one string of all action
//! names, their offsets and access levels, the services, and an open-addressing exact-name index.
//! The tables hold no pointers, so they sit in read-only data, cost no start-up work and no heap,
//! and only the pages a run touches become resident.

use std::fmt::Write as _;

include!("src/catalog/fnv.rs");
#[allow(dead_code)]
mod verbs {
    include!("src/catalog/verbs.rs");
}

/// One service of the TSV: its actions (name, level code, resource types), resource types
/// (name, ARN format) and condition keys (name, type code).
#[derive(Default)]
struct ServiceRow {
    prefix: String,
    name: String,
    actions: Vec<(String, u8, Vec<String>)>,
    resources: Vec<(String, String)>,
    conditions: Vec<(String, String)>,
}

fn main() {
    let src = "src/catalog/data/iam-actions.tsv";
    println!("cargo:rerun-if-changed={src}");
    println!("cargo:rerun-if-changed=src/catalog/fnv.rs");
    println!("cargo:rerun-if-changed=src/catalog/verbs.rs");
    let text = std::fs::read_to_string(src).expect("read the action catalogue");
    let mut services: Vec<ServiceRow> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let at = || format!("{src}:{}", n + 1);
        if let Some(rest) = line.strip_prefix("\t@") {
            let (rtype, arn) = rest.split_once('\t').unwrap_or_else(|| panic!("{}: no ARN format", at()));
            services
                .last_mut()
                .unwrap_or_else(|| panic!("{}: before a service", at()))
                .resources
                .push((rtype.into(), arn.into()));
            continue;
        }
        if let Some(rest) = line.strip_prefix("\t?") {
            let (key, code) = rest.split_once('\t').unwrap_or_else(|| panic!("{}: no key type", at()));
            services
                .last_mut()
                .unwrap_or_else(|| panic!("{}: before a service", at()))
                .conditions
                .push((key.into(), code.into()));
            continue;
        }
        if let Some(rest) = line.strip_prefix('\t') {
            let mut f = rest.split('\t');
            let name = f.next().unwrap_or_default();
            let code = f.next().unwrap_or_else(|| panic!("{}: no level", at()));
            let rtypes: Vec<String> =
                f.next().unwrap_or_default().split(',').filter(|s| !s.is_empty()).map(String::from).collect();
            let level = match code {
                "L" => 0,
                "R" => 1,
                "T" => 2,
                "W" => 3,
                "P" => 4,
                other => panic!("{src}:{}: unknown level {other:?}", n + 1),
            };
            services.last_mut().unwrap_or_else(|| panic!("{}: action before a service", at())).actions.push((
                name.into(),
                level,
                rtypes,
            ));
        } else {
            let (prefix, name) = line.split_once('\t').unwrap_or((line, line));
            services.push(ServiceRow { prefix: prefix.into(), name: name.into(), ..Default::default() });
        }
    }
    services.sort_by(|a, b| a.prefix.cmp(&b.prefix));
    let lower = |s: &str| s.to_ascii_lowercase();
    for s in &mut services {
        s.actions.sort_by_key(|(a, _, _)| lower(a));
        s.conditions.sort_by_key(|(k, _)| lower(k));
    }

    let mut names = String::new();
    let mut offsets = vec![0u32];
    let mut levels = Vec::new();
    // One bit per action: does it modify something (src/catalog/verbs.rs)?
    let mut modifies: Vec<u64> = Vec::new();
    let mut service_of = Vec::new();
    let mut rows = String::new();
    let mut exact = vec![u16::MAX; EXACT_SLOTS];
    // Resource types (name, ARN format) and condition keys (name, type), per service ranges.
    let (mut rt_text, mut rt_offs) = (String::new(), vec![0u32]);
    let (mut ck_text, mut ck_offs, mut ck_types) = (String::new(), vec![0u32], String::new());
    // Per action: a range of ACTION_RT holding its resource types' global indexes.
    let (mut action_rt, mut action_rt_offs) = (Vec::<u16>::new(), vec![0u32]);
    for (si, s) in services.iter().enumerate() {
        let (prefix, sname, actions) = (&s.prefix, &s.name, &s.actions);
        let rt_first = rt_offs.len() - 1;
        for (rtype, arn) in &s.resources {
            // name and format in one string: "name\u{1}format"
            rt_text.push_str(rtype);
            rt_text.push('\u{1}');
            rt_text.push_str(arn);
            rt_offs.push(rt_text.len() as u32);
        }
        let ck_first = ck_offs.len() - 1;
        for (key, code) in &s.conditions {
            ck_text.push_str(key);
            ck_offs.push(ck_text.len() as u32);
            ck_types.push_str(code);
        }
        let first = levels.len();
        for (a, level, rtypes) in actions {
            for r in rtypes {
                // "!" marks a required type: the top bit of the entry.
                let (name, required) = match r.strip_prefix('!') {
                    Some(n) => (n, 0x8000u16),
                    None => (r.as_str(), 0),
                };
                let k = s
                    .resources
                    .iter()
                    .position(|(n, _)| n == name)
                    .unwrap_or_else(|| panic!("{prefix}:{a}: no resource type {name}"));
                let index =
                    u16::try_from(rt_first + k).ok().filter(|i| *i < 0x8000).expect("fewer than 32,768 resource types");
                action_rt.push(index | required);
            }
            action_rt_offs.push(action_rt.len() as u32);
            let i = levels.len();
            names.push_str(a);
            offsets.push(names.len() as u32);
            levels.push(*level);
            if verbs::modifies(*level, a) {
                while modifies.len() <= i / 64 {
                    modifies.push(0u64);
                }
                modifies[i / 64] |= 1 << (i % 64);
            }
            service_of.push(si);
            let mut slot = text_hash(&format!("{prefix}:{a}")) as usize & (EXACT_SLOTS - 1);
            while exact[slot] != u16::MAX {
                slot = (slot + 1) & (EXACT_SLOTS - 1);
            }
            exact[slot] = u16::try_from(i).expect("fewer than 65,535 actions");
        }
        writeln!(
            rows,
            "    Service {{ prefix: {prefix:?}, name: {sname:?}, first: {first}, end: {}, rt: {rt_first}..{}, ck: {ck_first}..{} }},",
            levels.len(),
            rt_offs.len() - 1,
            ck_offs.len() - 1
        )
        .unwrap();
    }
    let mut by_prefix = vec![u16::MAX; SERVICE_SLOTS];
    for (si, s) in services.iter().enumerate() {
        let mut slot = text_hash(&s.prefix) as usize & (SERVICE_SLOTS - 1);
        while by_prefix[slot] != u16::MAX {
            slot = (slot + 1) & (SERVICE_SLOTS - 1);
        }
        by_prefix[slot] = si as u16;
    }
    let list = |v: &mut dyn Iterator<Item = String>| v.collect::<Vec<_>>().join(",");
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap());
    std::fs::write(out.join("catalog-names.txt"), &names).unwrap();
    std::fs::write(out.join("catalog-resources.txt"), &rt_text).unwrap();
    std::fs::write(out.join("catalog-conditions.txt"), &ck_text).unwrap();
    modifies.resize(levels.len().div_ceil(64), 0);
    let code = format!(
        "static NAMES: &str = include_str!(concat!(env!(\"OUT_DIR\"), \"/catalog-names.txt\"));\n\
         static SERVICES: [Service; {}] = [\n{rows}];\n\
         static OFFSETS: [u32; {}] = [{}];\n\
         static LEVELS: [u8; {}] = [{}];\n\
         static SERVICE_OF: [u16; {}] = [{}];\n\
         static EXACT: [u16; {EXACT_SLOTS}] = [{}];\n\
         static BY_PREFIX: [u16; {SERVICE_SLOTS}] = [{}];\n\
         static RT_TEXT: &str = include_str!(concat!(env!(\"OUT_DIR\"), \"/catalog-resources.txt\"));\n\
         static RT_OFFS: [u32; {}] = [{}];\n\
         static ACTION_RT: [u16; {}] = [{}];\n\
         static ACTION_RT_OFFS: [u32; {}] = [{}];\n\
         static CK_TEXT: &str = include_str!(concat!(env!(\"OUT_DIR\"), \"/catalog-conditions.txt\"));\n\
         static CK_OFFS: [u32; {}] = [{}];\n\
         static CK_TYPES: &[u8; {}] = b{:?};\n\
         static MODIFIES: [u64; {}] = [{}];\n",
        services.len(),
        offsets.len(),
        list(&mut offsets.iter().map(u32::to_string)),
        levels.len(),
        list(&mut levels.iter().map(u8::to_string)),
        service_of.len(),
        list(&mut service_of.iter().map(usize::to_string)),
        list(&mut exact.iter().map(u16::to_string)),
        list(&mut by_prefix.iter().map(u16::to_string)),
        rt_offs.len(),
        list(&mut rt_offs.iter().map(u32::to_string)),
        action_rt.len(),
        list(&mut action_rt.iter().map(u16::to_string)),
        action_rt_offs.len(),
        list(&mut action_rt_offs.iter().map(u32::to_string)),
        ck_offs.len(),
        list(&mut ck_offs.iter().map(u32::to_string)),
        ck_types.len(),
        ck_types,
        modifies.len(),
        list(&mut modifies.iter().map(u64::to_string)),
    );
    std::fs::write(out.join("catalog.rs"), code).unwrap();
}
