// Shared by build.rs and the catalogue: the exact-name index is computed at build time with the
// same hash the lookups use at run time.

/// FNV-1a over text, ASCII-lowercased; the index is keyed by `svc:name`.
pub fn text_hash(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b.to_ascii_lowercase());
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Slots in the exact-name table (a power of two, about 1.6× the 20k actions).
pub const EXACT_SLOTS: usize = 1 << 15;

/// Slots in the service-prefix table (a power of two, over twice the 445 services).
pub const SERVICE_SLOTS: usize = 1 << 10;
