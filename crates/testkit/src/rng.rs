//! A small seeded generator (splitmix64) for picking test cases: fast, no dependency, the same
//! sequence everywhere for a seed.
//!
//! A test takes one with [`Rng::seeded`] (a fresh seed per run, so runs cover new cases) or
//! [`Rng::fixed`] (the same cases every run). `IAMKIT_TEST_SEED=<seed>` overrides either, to
//! replay a failure. The seed is printed when the generator is made (shown by the harness for a
//! failing test) and again if it is dropped during a panic, with the line that replays it.

/// The environment variable that replays a seed.
pub const SEED_VAR: &str = "IAMKIT_TEST_SEED";

/// splitmix64. Prints its seed if the test panics while it is alive.
#[derive(Debug)]
pub struct Rng {
    state: u64,
    seed: u64,
    name: String,
}

impl Rng {
    /// A generator for test `name`: the seed from `IAMKIT_TEST_SEED`, else from the clock.
    pub fn seeded(name: &str) -> Rng {
        let seed = replay_seed().unwrap_or_else(|| {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            // The low bits move fastest; fold the high ones in.
            (nanos as u64) ^ ((nanos >> 64) as u64)
        });
        Rng::announce(name, seed)
    }

    /// A generator for test `name` with the same `seed` every run, unless `IAMKIT_TEST_SEED`
    /// says otherwise.
    pub fn fixed(name: &str, seed: u64) -> Rng {
        Rng::announce(name, replay_seed().unwrap_or(seed))
    }

    /// A generator for `seed`, silent: for deterministic data (not case picking).
    pub fn from_seed(seed: u64) -> Rng {
        Rng {
            state: seed,
            seed,
            name: String::new(),
        }
    }

    fn announce(name: &str, seed: u64) -> Rng {
        eprintln!("{name}: seed {seed} (replay with {SEED_VAR}={seed})");
        Rng {
            state: seed,
            seed,
            name: name.to_owned(),
        }
    }

    /// The seed this generator started from.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        assert!(n > 0, "below(0)");
        (self.next_u64() % n as u64) as usize
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        assert!(lo <= hi, "range({lo}, {hi})");
        match (hi - lo).checked_add(1) {
            Some(span) => lo + self.next_u64() % span,
            None => self.next_u64(),
        }
    }

    /// `true` with `percent` % probability.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    /// One of `items` (not empty).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// `n` random bytes.
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }
}

impl Drop for Rng {
    fn drop(&mut self) {
        if std::thread::panicking() && !self.name.is_empty() {
            eprintln!(
                "{}: failed with seed {} (replay with {SEED_VAR}={})",
                self.name, self.seed, self.seed
            );
        }
    }
}

fn replay_seed() -> Option<u64> {
    let text = std::env::var(SEED_VAR).ok()?;
    match text.trim().parse() {
        Ok(seed) => Some(seed),
        Err(_) => panic!("{SEED_VAR}={text:?} is not a seed (a decimal u64)"),
    }
}

#[cfg(test)]
mod tests {
    use super::Rng;

    #[test]
    fn one_seed_one_sequence() {
        let a: Vec<u64> = {
            let mut r = Rng::from_seed(42);
            (0..8).map(|_| r.next_u64()).collect()
        };
        let mut r = Rng::from_seed(42);
        let b: Vec<u64> = (0..8).map(|_| r.next_u64()).collect();
        assert_eq!(a, b);
        let mut other = Rng::from_seed(43);
        assert_ne!(a[0], other.next_u64());
    }

    #[test]
    fn splitmix64_reference_values() {
        // splitmix64 from state 0: the published first outputs.
        let mut r = Rng::from_seed(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn ranges_stay_in_bounds() {
        let mut r = Rng::from_seed(7);
        for _ in 0..1000 {
            let x = r.range(3, 5);
            assert!((3..=5).contains(&x));
            assert!(r.below(4) < 4);
        }
        let _ = r.range(0, u64::MAX);
    }
}
