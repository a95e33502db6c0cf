//! SigV4 beside aws-sigv4, interleaved: the ratios #13 sets goals for, measured so that a noisy
//! machine cannot decide them.
//!
//! `cargo bench -p iamkit-benches --bench sigv4_interleaved` (`ROUNDS=N`, default 500)
//!
//! Criterion times each function for seconds on end, one after the other; on a shared VM whose
//! speed drifts by 10-60% from one few-second stretch to the next, two medians taken a minute
//! apart can differ by more than the effect measured. Here every round times a batch of each case
//! (about 2 ms each, the order rotating every round), so the cases of one round share the
//! machine's state; each ratio is computed per round, and the median over rounds is reported
//! with its quartiles. Same cases and requests as the `sigv4` groups of the `peers` bench.

// A bench binary reports on stdout.
#![allow(clippy::print_stdout)]

use std::hint::black_box;
use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, Instant};

#[path = "sigv4_bench.rs"]
#[allow(dead_code, reason = "the criterion groups are the peers bench's")]
mod sigv4_bench;

use sigv4_bench::Setup;

const CASES: [&str; 10] = [
    "aws_sigv4 sign",
    "iamkit sign, clock moving",
    "iamkit sign, fixed time",
    "aws_sigv4 presign",
    "iamkit presign, clock moving",
    "iamkit presign, fixed time",
    "iamkit verify",
    "iamkit verify, 1 thread",
    "iamkit verify, 2 threads",
    "iamkit verify, 2 threads, own Verifiers",
];

/// The single-thread cases and the threaded ones.
const SINGLE: std::ops::Range<usize> = 0..7;
const THREADED: std::ops::Range<usize> = 7..10;

/// The cases that verify on worker threads: how many workers, and whether each verifies through
/// a `Verifier` of its own (nothing shared: the machine's own ceiling for two threads) rather
/// than through one shared `Verifier` (one key cache).
fn threads(case: usize) -> Option<(usize, bool)> {
    match case {
        7 => Some((1, false)),
        8 => Some((2, false)),
        9 => Some((2, true)),
        _ => None,
    }
}

fn run(case: usize, s: &mut Setup) {
    match case {
        0 => drop(black_box(s.aws_sign())),
        1 => drop(black_box(s.sign_new_second())),
        2 => drop(black_box(s.sign())),
        3 => drop(black_box(s.aws_presign())),
        4 => drop(black_box(s.presign_new_second())),
        5 => drop(black_box(s.presign())),
        // Cases 7 and 8 run in `time`.
        _ => drop(black_box(s.verify())),
    }
}

/// Two worker threads, started once, that verify on demand through one shared `Setup` (one
/// `Verifier`) or each through its own: a threaded case times its verifications and one
/// hand-off each way, not thread start-up (a new thread costs this VM up to a millisecond).
struct Workers {
    /// Main and both workers: a round starts, then ends, when all three have waited.
    barrier: Barrier,
    /// Verifications each worker makes this round (`u32::MAX`: stop).
    counts: [AtomicU32; 2],
    /// Whether this round's verifications go through each worker's own `Setup`.
    own: AtomicBool,
}

impl Workers {
    fn new() -> Workers {
        Workers {
            barrier: Barrier::new(3),
            counts: [AtomicU32::new(0), AtomicU32::new(0)],
            own: AtomicBool::new(false),
        }
    }

    fn work(&self, i: usize, shared: &Setup, own: &Setup) {
        loop {
            self.barrier.wait();
            let n = self.counts[i].load(Ordering::Acquire);
            if n == u32::MAX {
                return;
            }
            let s = if self.own.load(Ordering::Acquire) {
                own
            } else {
                shared
            };
            for _ in 0..n {
                drop(black_box(s.verify()));
            }
            self.barrier.wait();
        }
    }

    /// Microseconds per verification of `batch` verifications on `n` workers.
    fn time(&self, (n, own): (usize, bool), batch: u32) -> f64 {
        let per_worker = batch.div_ceil(n as u32);
        for (i, count) in self.counts.iter().enumerate() {
            count.store(if i < n { per_worker } else { 0 }, Ordering::Release);
        }
        self.own.store(own, Ordering::Release);
        let start = Instant::now();
        self.barrier.wait();
        self.barrier.wait();
        start.elapsed().as_secs_f64() * 1e6 / f64::from(per_worker * n as u32)
    }

    fn stop(&self) {
        for count in &self.counts {
            count.store(u32::MAX, Ordering::Release);
        }
        self.barrier.wait();
    }
}

/// Microseconds per call of `batch` calls of `case` (on workers: per verification, all workers
/// together).
fn time(case: usize, batch: u32, s: &mut Setup, workers: &Workers) -> f64 {
    if let Some(n) = threads(case) {
        return workers.time(n, batch);
    }
    let start = Instant::now();
    for _ in 0..batch {
        run(case, s);
    }
    start.elapsed().as_secs_f64() * 1e6 / f64::from(batch)
}

fn quantile(v: &[f64], q: f64) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    let i = ((v.len() - 1) as f64 * q).round() as usize;
    v[i]
}

fn main() {
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(500);
    let mut setup = Setup::new();
    let shared = Setup::new();
    let own = [Setup::new(), Setup::new()];
    let workers = Workers::new();
    let per_call = std::thread::scope(|scope| {
        for (i, own) in own.iter().enumerate() {
            let (workers, shared) = (&workers, &shared);
            scope.spawn(move || workers.work(i, shared, own));
        }
        // Warm up, then size each case's batch to about 2 ms (the threaded ones to 20 ms: waking
        // sleeping workers, and the VM's idle second CPU, takes up to milliseconds here).
        let warm = Instant::now();
        while warm.elapsed() < Duration::from_millis(500) {
            for case in 0..CASES.len() {
                time(case, 20, &mut setup, &workers);
            }
        }
        let batch: Vec<u32> = (0..CASES.len())
            .map(|case| {
                let per_call = time(case, 200, &mut setup, &workers);
                let micros = if threads(case).is_some() {
                    20_000.0
                } else {
                    2000.0
                };
                (micros / per_call).clamp(1.0, 1e6) as u32
            })
            .collect();
        // The single-thread cases, then the threaded ones, each group interleaved on its own:
        // waking workers on the other CPU would disturb the single-thread figures.
        let mut per_call = vec![Vec::with_capacity(rounds); CASES.len()];
        for group in [SINGLE, THREADED] {
            for round in 0..rounds {
                for k in 0..group.len() {
                    let case = group.start + (k + round) % group.len();
                    per_call[case].push(time(case, batch[case], &mut setup, &workers));
                }
            }
        }
        workers.stop();
        per_call
    });
    println!("{rounds} rounds; per call, microseconds: median [p10, p90]");
    for (name, t) in CASES.iter().zip(&per_call) {
        println!(
            "  {name:30} {:.3} [{:.3}, {:.3}]",
            quantile(t, 0.5),
            quantile(t, 0.1),
            quantile(t, 0.9)
        );
    }
    println!("ratios within a round: median [first quartile, third quartile]");
    let ratio = |name: &str, num: usize, den: usize| {
        let r: Vec<f64> = (0..rounds)
            .map(|i| per_call[num][i] / per_call[den][i])
            .collect();
        println!(
            "  {name:48} {:.2} [{:.2}, {:.2}]",
            quantile(&r, 0.5),
            quantile(&r, 0.25),
            quantile(&r, 0.75)
        );
    };
    ratio("sign: aws_sigv4 / iamkit (clock moving)", 0, 1);
    ratio("sign: aws_sigv4 / iamkit (fixed time)", 0, 2);
    ratio("presign: aws_sigv4 / iamkit (clock moving)", 3, 4);
    ratio("presign: aws_sigv4 / iamkit (fixed time)", 3, 5);
    ratio("verify / sign (fixed time)", 6, 2);
    ratio("verify / sign (clock moving)", 6, 1);
    ratio("verify: 2 threads' speed-up over 1 (one Verifier)", 7, 8);
    ratio("verify: 2 threads' speed-up over 1 (a Verifier each)", 7, 9);
}
