//! SHA-256 (FIPS 180-4) of many messages at once: four at a time, one per 32-bit lane of a
//! 128-bit vector, each lane taking the next message as soon as its own is done.
//!
//! This is where a trail check in the wasm module spends its time: the chain hashes every
//! event and the tree every line (a leaf), and SHA-256 in scalar wasm runs about 390 MB/s
//! here, where four lanes of `simd128` run about 740 MB/s. The callers (the chain check's
//! waiting events, `tlog::merkle::LeafBatch` for the tree and the prover) gather messages
//! until [`batch_is_full`], then hash them with [`digest_many`].
//!
//! The rounds are written once over `X4`: a `v128` in the wasm module (built with
//! `simd128`) and four `u32`s elsewhere, where the tests compare it with `sha2`, message
//! length by message length. Native builds hash with `sha2` itself, which uses the CPU's
//! SHA extensions where it has them, faster than any lane layout.

/// Messages a caller gathers before hashing them together.
const BATCH_MESSAGES: usize = 64;
/// Bytes a caller gathers before hashing them together.
const BATCH_BYTES: usize = 1 << 16;

/// Whether a batch of `messages` holding `bytes` is to be hashed now.
pub(crate) fn batch_is_full(messages: usize, bytes: usize) -> bool {
    messages >= BATCH_MESSAGES || bytes >= BATCH_BYTES
}

/// SHA-256 round constants (FIPS 180-4 section 4.2.2).
const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/// The initial hash value (FIPS 180-4 section 5.3.3).
const H0: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// The SHA-256 digest of each message, in order, into `out` (cleared first).
pub(crate) fn digest_many(messages: &[&[u8]], out: &mut Vec<[u8; 32]>) {
    out.clear();
    // Four lanes pay from two messages on (one message in four lanes is about half the
    // speed of one in scalar code).
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    if messages.len() > 1 {
        lanes(messages, out);
        return;
    }
    {
        use sha2::Digest;
        out.extend(
            messages
                .iter()
                .map(|m| <[u8; 32]>::from(sha2::Sha256::digest(m))),
        );
    }
}

/// Four 32-bit lanes: a `v128` in wasm with `simd128`.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[derive(Clone, Copy)]
struct X4(core::arch::wasm32::v128);

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
impl X4 {
    #[inline(always)]
    fn splat(x: u32) -> X4 {
        X4(core::arch::wasm32::u32x4_splat(x))
    }
    #[inline(always)]
    fn new(l: [u32; 4]) -> X4 {
        X4(core::arch::wasm32::u32x4(l[0], l[1], l[2], l[3]))
    }
    #[inline(always)]
    fn add(self, o: X4) -> X4 {
        X4(core::arch::wasm32::i32x4_add(self.0, o.0))
    }
    #[inline(always)]
    fn xor(self, o: X4) -> X4 {
        X4(core::arch::wasm32::v128_xor(self.0, o.0))
    }
    #[inline(always)]
    fn and(self, o: X4) -> X4 {
        X4(core::arch::wasm32::v128_and(self.0, o.0))
    }
    #[inline(always)]
    fn shr(self, n: u32) -> X4 {
        X4(core::arch::wasm32::u32x4_shr(self.0, n))
    }
    #[inline(always)]
    fn rotr(self, n: u32) -> X4 {
        use core::arch::wasm32::{i32x4_shl, u32x4_shr, v128_or};
        X4(v128_or(u32x4_shr(self.0, n), i32x4_shl(self.0, 32 - n)))
    }
    #[inline(always)]
    fn lanes(self) -> [u32; 4] {
        use core::arch::wasm32::u32x4_extract_lane as get;
        [
            get::<0>(self.0),
            get::<1>(self.0),
            get::<2>(self.0),
            get::<3>(self.0),
        ]
    }
}

/// Four 32-bit lanes: an array where there is no `simd128` (the tests' reference build).
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[derive(Clone, Copy)]
struct X4([u32; 4]);

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
impl X4 {
    fn splat(x: u32) -> X4 {
        X4([x; 4])
    }
    fn new(l: [u32; 4]) -> X4 {
        X4(l)
    }
    fn map2(self, o: X4, f: impl Fn(u32, u32) -> u32) -> X4 {
        X4([0, 1, 2, 3].map(|i| f(self.0[i], o.0[i])))
    }
    fn add(self, o: X4) -> X4 {
        self.map2(o, u32::wrapping_add)
    }
    fn xor(self, o: X4) -> X4 {
        self.map2(o, |a, b| a ^ b)
    }
    fn and(self, o: X4) -> X4 {
        self.map2(o, |a, b| a & b)
    }
    fn shr(self, n: u32) -> X4 {
        X4(self.0.map(|a| a >> n))
    }
    fn rotr(self, n: u32) -> X4 {
        X4(self.0.map(|a| a.rotate_right(n)))
    }
    fn lanes(self) -> [u32; 4] {
        self.0
    }
}

/// One compression of four blocks, one per lane.
#[inline(always)]
fn compress(state: &mut [X4; 8], blocks: &[[u8; 64]; 4]) {
    let word = |l: usize, t: usize| {
        let b = &blocks[l];
        u32::from_be_bytes([b[4 * t], b[4 * t + 1], b[4 * t + 2], b[4 * t + 3]])
    };
    let mut w = [X4::splat(0); 16];
    for (t, wt) in w.iter_mut().enumerate() {
        *wt = X4::new([word(0, t), word(1, t), word(2, t), word(3, t)]);
    }
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *state;
    for (t, &k) in K.iter().enumerate() {
        let wt = if t < 16 {
            w[t]
        } else {
            let w15 = w[(t + 1) & 15];
            let w2 = w[(t + 14) & 15];
            let s0 = w15.rotr(7).xor(w15.rotr(18)).xor(w15.shr(3));
            let s1 = w2.rotr(17).xor(w2.rotr(19)).xor(w2.shr(10));
            let v = w[t & 15].add(s0).add(w[(t + 9) & 15]).add(s1);
            w[t & 15] = v;
            v
        };
        let s1 = e.rotr(6).xor(e.rotr(11)).xor(e.rotr(25));
        let ch = g.xor(e.and(f.xor(g)));
        let t1 = h.add(s1).add(ch).add(X4::splat(k)).add(wt);
        let s0 = a.rotr(2).xor(a.rotr(13)).xor(a.rotr(22));
        let maj = b.xor(a.xor(b).and(b.xor(c)));
        let t2 = s0.add(maj);
        h = g;
        g = f;
        f = e;
        e = d.add(t1);
        d = c;
        c = b;
        b = a;
        a = t1.add(t2);
    }
    for (s, n) in state.iter_mut().zip([a, b, c, d, e, f, g, h]) {
        *s = s.add(n);
    }
}

/// Blocks in the padded message of `len` bytes (the 0x80 byte and the 64-bit length).
fn blocks_of(len: usize) -> usize {
    (len + 9).div_ceil(64)
}

/// Block `k` of the padded message `m` into `out`.
fn block(m: &[u8], k: usize, out: &mut [u8; 64]) {
    let start = k * 64;
    if let Some(full) = m.get(start..start + 64) {
        out.copy_from_slice(full);
        return;
    }
    *out = [0; 64];
    let rest = m.get(start..).unwrap_or_default();
    out[..rest.len()].copy_from_slice(rest);
    if start <= m.len() {
        out[rest.len()] = 0x80;
    }
    if k + 1 == blocks_of(m.len()) {
        out[56..].copy_from_slice(&((m.len() as u64) * 8).to_be_bytes());
    }
}

/// [`digest_many`] in four lanes: a lane whose message is done takes the next one, so
/// messages of any lengths keep the lanes busy; a lane with nothing left hashes zeros.
#[cfg_attr(
    not(all(target_arch = "wasm32", target_feature = "simd128")),
    allow(dead_code)
)]
fn lanes(messages: &[&[u8]], out: &mut Vec<[u8; 32]>) {
    out.resize(messages.len(), [0; 32]);
    // Per lane: (message index, next block) or nothing.
    let mut at: [Option<(usize, usize)>; 4] = [None; 4];
    let mut next = 0;
    let mut state = [[0u32; 4]; 8].map(X4::new);
    let mut blocks = [[0u8; 64]; 4];
    loop {
        // Lanes without a message take the next one (their state restarts).
        if at.iter().any(Option::is_none) && next < messages.len() {
            let mut words = state.map(X4::lanes);
            for (l, slot) in at.iter_mut().enumerate() {
                if slot.is_none() && next < messages.len() {
                    *slot = Some((next, 0));
                    next += 1;
                    for (w, h) in words.iter_mut().zip(H0) {
                        w[l] = h;
                    }
                }
            }
            state = words.map(X4::new);
        }
        if at.iter().all(Option::is_none) {
            return;
        }
        for (l, slot) in at.iter().enumerate() {
            match slot {
                Some((m, k)) => block(messages[*m], *k, &mut blocks[l]),
                None => blocks[l] = [0; 64],
            }
        }
        compress(&mut state, &blocks);
        // Lanes whose message is done give their digest.
        for (l, slot) in at.iter_mut().enumerate() {
            let Some((m, k)) = *slot else { continue };
            if k + 1 < blocks_of(messages[m].len()) {
                *slot = Some((m, k + 1));
                continue;
            }
            for (i, s) in state.iter().enumerate() {
                out[m][4 * i..4 * i + 4].copy_from_slice(&s.lanes()[l].to_be_bytes());
            }
            *slot = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Digest;

    /// Every padding case (lengths around each block edge), lanes of very different
    /// lengths, and more messages than lanes, against `sha2`.
    #[test]
    fn four_lanes_equal_sha2_at_every_length() {
        let data: Vec<u8> = (0..3000u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
            .collect();
        let mut messages: Vec<&[u8]> = (0..300).map(|n| &data[n % 7..n % 7 + n]).collect();
        messages.extend([&data[..2000], &data[1..2], &data[..0], &data[5..1205]]);
        messages.reverse();
        let mut out = Vec::new();
        lanes(&messages, &mut out);
        assert_eq!(out.len(), messages.len());
        for (m, d) in messages.iter().zip(&out) {
            assert_eq!(
                *d,
                <[u8; 32]>::from(sha2::Sha256::digest(m)),
                "length {}",
                m.len()
            );
        }
        for n in 0..6 {
            lanes(&messages[..n], &mut out);
            assert_eq!(out.len(), n);
        }
    }

    #[test]
    fn digest_many_is_sha256() {
        let mut out = vec![[1; 32]];
        digest_many(&[b"abc", b""], &mut out);
        assert_eq!(
            out,
            vec![
                <[u8; 32]>::from(sha2::Sha256::digest(b"abc")),
                crate::tlog::merkle::EMPTY_ROOT
            ]
        );
    }
}
