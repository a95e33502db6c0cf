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
use std::time::{Duration, Instant};

#[path = "sigv4_bench.rs"]
#[allow(dead_code, reason = "the criterion groups are the peers bench's")]
mod sigv4_bench;

use sigv4_bench::Setup;

const CASES: [&str; 7] = [
    "aws_sigv4 sign",
    "iamkit sign, clock moving",
    "iamkit sign, fixed time",
    "aws_sigv4 presign",
    "iamkit presign, clock moving",
    "iamkit presign, fixed time",
    "iamkit verify",
];

fn run(case: usize, s: &mut Setup) {
    match case {
        0 => drop(black_box(s.aws_sign())),
        1 => drop(black_box(s.sign_new_second())),
        2 => drop(black_box(s.sign())),
        3 => drop(black_box(s.aws_presign())),
        4 => drop(black_box(s.presign_new_second())),
        5 => drop(black_box(s.presign())),
        _ => drop(black_box(s.verify())),
    }
}

/// Microseconds per call of `batch` calls of `case`.
fn time(case: usize, batch: u32, s: &mut Setup) -> f64 {
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
    // Warm up, then size each case's batch to about 2 ms.
    let warm = Instant::now();
    while warm.elapsed() < Duration::from_millis(500) {
        for case in 0..CASES.len() {
            run(case, &mut setup);
        }
    }
    let batch: Vec<u32> = (0..CASES.len())
        .map(|case| {
            let per_call = time(case, 200, &mut setup);
            (2000.0 / per_call).clamp(1.0, 1e6) as u32
        })
        .collect();
    let mut per_call = vec![Vec::with_capacity(rounds); CASES.len()];
    for round in 0..rounds {
        for k in 0..CASES.len() {
            let case = (k + round) % CASES.len();
            per_call[case].push(time(case, batch[case], &mut setup));
        }
    }
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
}
