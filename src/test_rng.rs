//! A deterministic random source for the unit tests' generated inputs (xorshift64: no
//! dependency, the same sequence on every machine).

/// xorshift64 with a fixed, non-zero seed.
pub(crate) struct XorShift(u64);

impl XorShift {
    /// A generator starting from `seed` (must not be 0).
    pub(crate) fn new(seed: u64) -> XorShift {
        XorShift(seed)
    }

    /// The next 64 random bits.
    pub(crate) fn u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `n` (`n` > 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.u64() % n as u64) as usize
    }
}
