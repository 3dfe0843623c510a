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
    actions: Vec<ActionRow>,
    resources: Vec<(String, String)>,
    conditions: Vec<(String, String)>,
}

/// One action of the TSV: name, level code, resource types (`!` marks a required one), the
/// condition keys a request for it may carry.
struct ActionRow {
    name: String,
    level: u8,
    rtypes: Vec<String>,
    keys: Vec<String>,
}

fn main() {
    let src = "src/catalog/data/iam-actions.tsv";
    println!("cargo:rerun-if-changed={src}");
    println!("cargo:rerun-if-changed=src/catalog/fnv.rs");
    println!("cargo:rerun-if-changed=src/catalog/verbs.rs");
    let text = std::fs::read_to_string(src).expect("read the action catalogue");
    let services = parse(src, &text);
    let t = Tables::of(&services);
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap());
    std::fs::write(out.join("catalog-names.txt"), &t.names).unwrap();
    std::fs::write(out.join("catalog-resources.txt"), &t.rt_text).unwrap();
    std::fs::write(out.join("catalog-conditions.txt"), &t.ck_text).unwrap();
    std::fs::write(out.join("catalog.rs"), t.code(&services)).unwrap();
}

/// The TSV's services (sorted by prefix), each with its actions and condition keys sorted
/// case-insensitively. A malformed line stops the build, naming it.
fn parse(src: &str, text: &str) -> Vec<ServiceRow> {
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
        } else if let Some(rest) = line.strip_prefix("\t?") {
            let (key, code) = rest.split_once('\t').unwrap_or_else(|| panic!("{}: no key type", at()));
            services
                .last_mut()
                .unwrap_or_else(|| panic!("{}: before a service", at()))
                .conditions
                .push((key.into(), code.into()));
        } else if let Some(rest) = line.strip_prefix('\t') {
            let action = parse_action(rest, &at);
            services.last_mut().unwrap_or_else(|| panic!("{}: action before a service", at())).actions.push(action);
        } else {
            let (prefix, name) = line.split_once('\t').unwrap_or((line, line));
            services.push(ServiceRow { prefix: prefix.into(), name: name.into(), ..Default::default() });
        }
    }
    services.sort_by(|a, b| a.prefix.cmp(&b.prefix));
    let lower = |s: &str| s.to_ascii_lowercase();
    for s in &mut services {
        s.actions.sort_by_key(|a| lower(&a.name));
        s.conditions.sort_by_key(|(k, _)| lower(k));
    }
    services
}

/// An action line: name, level code (L R T W P), resource types (`!` marks a required one),
/// condition keys.
fn parse_action(rest: &str, at: &dyn Fn() -> String) -> ActionRow {
    let mut f = rest.split('\t');
    let name = f.next().unwrap_or_default();
    let code = f.next().unwrap_or_else(|| panic!("{}: no level", at()));
    let mut list = || -> Vec<String> {
        f.next().unwrap_or_default().split(',').filter(|s| !s.is_empty()).map(String::from).collect()
    };
    let rtypes = list();
    let keys = list();
    let level = match code {
        "L" => 0,
        "R" => 1,
        "T" => 2,
        "W" => 3,
        "P" => 4,
        other => panic!("{}: unknown level {other:?}", at()),
    };
    ActionRow { name: name.into(), level, rtypes, keys }
}

/// The static tables, as built from the services.
#[derive(Default)]
struct Tables {
    names: String,
    offsets: Vec<u32>,
    levels: Vec<u8>,
    /// One bit per action: does it modify something (src/catalog/verbs.rs)?
    modifies: Vec<u64>,
    service_of: Vec<usize>,
    rows: String,
    exact: Vec<u16>,
    by_prefix: Vec<u16>,
    /// Resource types (name, ARN format) and condition keys (name, type), per service ranges.
    rt_text: String,
    rt_offs: Vec<u32>,
    ck_text: String,
    ck_offs: Vec<u32>,
    ck_types: String,
    /// Per action: a range of ACTION_RT holding its resource types' global indexes.
    action_rt: Vec<u16>,
    action_rt_offs: Vec<u32>,
    /// Per action: a range of ACTION_CK holding its condition keys' global indexes.
    action_ck: Vec<u16>,
    action_ck_offs: Vec<u32>,
}

impl Tables {
    fn of(services: &[ServiceRow]) -> Tables {
        let mut t = Tables {
            offsets: vec![0],
            exact: vec![u16::MAX; EXACT_SLOTS],
            rt_offs: vec![0],
            ck_offs: vec![0],
            action_rt_offs: vec![0],
            action_ck_offs: vec![0],
            ..Tables::default()
        };
        for (si, s) in services.iter().enumerate() {
            t.service(si, s);
        }
        t.by_prefix = vec![u16::MAX; SERVICE_SLOTS];
        for (si, s) in services.iter().enumerate() {
            let mut slot = text_hash(&s.prefix) as usize & (SERVICE_SLOTS - 1);
            while t.by_prefix[slot] != u16::MAX {
                slot = (slot + 1) & (SERVICE_SLOTS - 1);
            }
            t.by_prefix[slot] = si as u16;
        }
        t.modifies.resize(t.levels.len().div_ceil(64), 0);
        t
    }

    /// One service: its resource types, condition keys, actions and its row.
    fn service(&mut self, si: usize, s: &ServiceRow) {
        let rt_first = self.rt_offs.len() - 1;
        for (rtype, arn) in &s.resources {
            // name and format in one string: "name\u{1}format"
            self.rt_text.push_str(rtype);
            self.rt_text.push('\u{1}');
            self.rt_text.push_str(arn);
            self.rt_offs.push(self.rt_text.len() as u32);
        }
        let ck_first = self.ck_offs.len() - 1;
        for (key, code) in &s.conditions {
            self.ck_text.push_str(key);
            self.ck_offs.push(self.ck_text.len() as u32);
            self.ck_types.push_str(code);
        }
        let first = self.levels.len();
        for action in &s.actions {
            self.action(si, s, rt_first, action);
            self.action_keys(s, ck_first, action);
        }
        writeln!(
            self.rows,
            "    Service {{ prefix: {:?}, name: {:?}, first: {first}, end: {}, rt: {rt_first}..{}, ck: {ck_first}..{} }},",
            s.prefix,
            s.name,
            self.levels.len(),
            self.rt_offs.len() - 1,
            self.ck_offs.len() - 1
        )
        .unwrap();
    }

    /// One action: its resource types, name, level, modifying bit and exact-name slot.
    fn action(&mut self, si: usize, s: &ServiceRow, rt_first: usize, row: &ActionRow) {
        let (a, level) = (&row.name, &row.level);
        for r in &row.rtypes {
            // "!" marks a required type: the top bit of the entry.
            let (name, required) = match r.strip_prefix('!') {
                Some(n) => (n, 0x8000u16),
                None => (r.as_str(), 0),
            };
            let k = s
                .resources
                .iter()
                .position(|(n, _)| n == name)
                .unwrap_or_else(|| panic!("{}:{a}: no resource type {name}", s.prefix));
            let index =
                u16::try_from(rt_first + k).ok().filter(|i| *i < 0x8000).expect("fewer than 32,768 resource types");
            self.action_rt.push(index | required);
        }
        self.action_rt_offs.push(self.action_rt.len() as u32);
        let i = self.levels.len();
        self.names.push_str(a);
        self.offsets.push(self.names.len() as u32);
        self.levels.push(*level);
        if verbs::modifies(*level, a) {
            while self.modifies.len() <= i / 64 {
                self.modifies.push(0u64);
            }
            self.modifies[i / 64] |= 1 << (i % 64);
        }
        self.service_of.push(si);
        let mut slot = text_hash(&format!("{}:{a}", s.prefix)) as usize & (EXACT_SLOTS - 1);
        while self.exact[slot] != u16::MAX {
            slot = (slot + 1) & (EXACT_SLOTS - 1);
        }
        self.exact[slot] = u16::try_from(i).expect("fewer than 65,535 actions");
    }

    /// One action's condition keys, as indexes into the service's keys.
    fn action_keys(&mut self, s: &ServiceRow, ck_first: usize, row: &ActionRow) {
        for key in &row.keys {
            let k = s
                .conditions
                .iter()
                .position(|(n, _)| n.eq_ignore_ascii_case(key))
                .unwrap_or_else(|| panic!("{}:{}: no condition key {key}", s.prefix, row.name));
            self.action_ck.push(u16::try_from(ck_first + k).expect("fewer than 65,536 condition keys"));
        }
        self.action_ck_offs.push(self.action_ck.len() as u32);
    }

    /// The Rust source of the tables.
    fn code(&self, services: &[ServiceRow]) -> String {
        let list = |v: &mut dyn Iterator<Item = String>| v.collect::<Vec<_>>().join(",");
        format!(
            "static NAMES: &str = include_str!(concat!(env!(\"OUT_DIR\"), \"/catalog-names.txt\"));\n\
             static SERVICES: [Service; {}] = [\n{}];\n\
             static OFFSETS: [u32; {}] = [{}];\n\
             static LEVELS: [u8; {}] = [{}];\n\
             static SERVICE_OF: [u16; {}] = [{}];\n\
             static EXACT: [u16; {EXACT_SLOTS}] = [{}];\n\
             static BY_PREFIX: [u16; {SERVICE_SLOTS}] = [{}];\n\
             static RT_TEXT: &str = include_str!(concat!(env!(\"OUT_DIR\"), \"/catalog-resources.txt\"));\n\
             static RT_OFFS: [u32; {}] = [{}];\n\
             static ACTION_RT: [u16; {}] = [{}];\n\
             static ACTION_RT_OFFS: [u32; {}] = [{}];\n\
             static ACTION_CK: [u16; {}] = [{}];\n\
             static ACTION_CK_OFFS: [u32; {}] = [{}];\n\
             static CK_TEXT: &str = include_str!(concat!(env!(\"OUT_DIR\"), \"/catalog-conditions.txt\"));\n\
             static CK_OFFS: [u32; {}] = [{}];\n\
             static CK_TYPES: &[u8; {}] = b{:?};\n\
             static MODIFIES: [u64; {}] = [{}];\n",
            services.len(),
            self.rows,
            self.offsets.len(),
            list(&mut self.offsets.iter().map(u32::to_string)),
            self.levels.len(),
            list(&mut self.levels.iter().map(u8::to_string)),
            self.service_of.len(),
            list(&mut self.service_of.iter().map(usize::to_string)),
            list(&mut self.exact.iter().map(u16::to_string)),
            list(&mut self.by_prefix.iter().map(u16::to_string)),
            self.rt_offs.len(),
            list(&mut self.rt_offs.iter().map(u32::to_string)),
            self.action_rt.len(),
            list(&mut self.action_rt.iter().map(u16::to_string)),
            self.action_rt_offs.len(),
            list(&mut self.action_rt_offs.iter().map(u32::to_string)),
            self.action_ck.len(),
            list(&mut self.action_ck.iter().map(u16::to_string)),
            self.action_ck_offs.len(),
            list(&mut self.action_ck_offs.iter().map(u32::to_string)),
            self.ck_offs.len(),
            list(&mut self.ck_offs.iter().map(u32::to_string)),
            self.ck_types.len(),
            self.ck_types,
            self.modifies.len(),
            list(&mut self.modifies.iter().map(u64::to_string)),
        )
    }
}
