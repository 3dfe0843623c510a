// Shared by build.rs and the catalogue: the exact-name index is computed at build time with the
// same hash the lookups use at run time.

/// A hash of text that ignores ASCII case, eight bytes at a time: each byte is OR-ed with 0x20
/// (which lowercases ASCII letters; other bytes that collide this way only cost a probe, since
/// every hit is verified), then words are mixed FxHash-style. About four multiplies for an action
/// name where a byte-wise FNV took twenty-five in a dependent chain.
pub(crate) fn text_hash(text: &str) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    const FOLD: u64 = 0x2020_2020_2020_2020;
    let bytes = text.as_bytes();
    let mut h: u64 = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]) | FOLD;
        h = (h.rotate_left(5) ^ w).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut b = [0u8; 8];
        b[..rest.len()].copy_from_slice(rest);
        let w = u64::from_le_bytes(b) | (FOLD >> (8 * (8 - rest.len())));
        h = (h.rotate_left(5) ^ w).wrapping_mul(K);
    }
    // Fold the high bits down: the tables index with the low bits.
    h ^ (h >> 29)
}

/// Slots in the exact-name table (a power of two, about 1.6× the 20k actions).
pub(crate) const EXACT_SLOTS: usize = 1 << 16;

/// Slots in the service-prefix table (a power of two, over twice the 445 services).
pub(crate) const SERVICE_SLOTS: usize = 1 << 10;
