//! A live code with a countdown, redrawn in place (`iamkit demo`, `iamkit mfa code --watch`).
//!
//! Draws on stdout only when it is a terminal; Ctrl-C ends the loop cleanly (the bar is
//! finished, the cursor shown, the line ended) and the command exits 0.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::error::{CliResult, Context};

/// Seconds since the Unix epoch, from the system clock.
pub(crate) fn now_unix() -> CliResult<u64> {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .or_usage("the system clock is before 1970: set it, or pass --time")
}

/// What the watcher needs of a TOTP generator.
pub(crate) trait Ticker {
    /// The code for the step containing `unix_time`.
    fn code_at(&self, unix_time: u64) -> String;
    /// The time step containing `unix_time`.
    fn step_at(&self, unix_time: u64) -> u64;
    /// The step length in seconds.
    fn period(&self) -> u64;
    /// Seconds left in the step containing `unix_time` (1..=period).
    fn remaining(&self, unix_time: u64) -> u64;
}

/// Which code [`watch`] has just shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shown {
    /// The code of the current step.
    Current,
    /// The next step's code, previewed near the end of a period.
    Next,
}

/// Redraws `label: CODE [bar] Ns` until Ctrl-C. In the last quarter of a period (at least
/// the last 5 seconds) the next code is shown as well, so it can be typed without waiting.
/// `on_code` is called once for every code shown, the previewed next code included, with a time
/// in its step (e.g. to record it as printed: the user may type the preview).
pub(crate) fn watch(
    label: &str,
    ticker: &dyn Ticker,
    on_code: &mut dyn FnMut(u64, Shown),
) -> CliResult {
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = Arc::clone(&stop);
        // Replacing a handler fails only if one is already set; then Ctrl-C ends the process.
        let _ = ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst));
    }
    let period = ticker.period();
    let bar = ProgressBar::with_draw_target(Some(period), ProgressDrawTarget::stdout());
    let style = ProgressStyle::with_template("{prefix} {msg} {wide_bar:.cyan/blue} {pos:>3}s")
        .context("progress template")?
        .progress_chars("█▉▊▋▌▍▎▏ ");
    bar.set_style(style);
    bar.set_prefix(crate::io::escape_text(label).into_owned());
    let mut last_shown = None;
    let mut last_previewed = None;
    while !stop.load(Ordering::SeqCst) {
        let now = now_unix()?;
        let remaining = ticker.remaining(now);
        let code = ticker.code_at(now);
        let step = ticker.step_at(now);
        if last_shown != Some(step) {
            on_code(now, Shown::Current);
            last_shown = Some(step);
        }
        let soon = remaining <= (period / 4).max(5);
        let msg = if soon {
            let next = now.saturating_add(remaining);
            if last_previewed != Some(ticker.step_at(next)) {
                // Recorded before it is drawn: once seen, it may be typed.
                on_code(next, Shown::Next);
                last_previewed = Some(ticker.step_at(next));
            }
            format!("{code}  (next {})", ticker.code_at(next))
        } else {
            code
        };
        bar.set_message(msg);
        bar.set_position(remaining);
        std::thread::sleep(Duration::from_millis(200));
    }
    bar.finish();
    crate::io::Out::line("")
}
