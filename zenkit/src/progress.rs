//! A progress bar for long loops run by a person at a terminal.
//!
//! [`Context::progress`](crate::Context::progress) draws on stderr only when stderr is a terminal and
//! the application is not quiet; otherwise the bar is hidden and every call on
//! it does nothing, so cron jobs and daemons get no escape sequences in their
//! output. Log lines written to the console while a bar is on screen are
//! printed above it instead of through it.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

const TEMPLATE: &str = "{msg} [{elapsed_precise}] [{wide_bar}] {pos}/{len} ({eta})";

/// The bar on screen, which console log lines step around.
static ACTIVE: Mutex<Option<(u64, ProgressBar)>> = Mutex::new(None);
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Runs `f` with the bar on screen (if any) cleared, and draws the bar again
/// afterwards.
pub(crate) fn suspended<R>(f: impl FnOnce() -> R) -> R {
    let bar = match ACTIVE.lock() {
        Ok(active) => active.as_ref().map(|(_, bar)| bar.clone()),
        Err(poisoned) => poisoned.into_inner().as_ref().map(|(_, bar)| bar.clone()),
    };
    match bar {
        Some(bar) => bar.suspend(f),
        None => f(),
    }
}

/// A progress bar: `len` steps, advanced with [`Progress::inc`] and ended
/// with [`Progress::finish`]. Dropped without `finish`, it stays on screen
/// where it stopped.
#[derive(Debug)]
pub struct Progress {
    bar: Option<ProgressBar>,
    id: u64,
}

impl Progress {
    /// A bar that draws nothing.
    pub fn hidden() -> Progress {
        Progress { bar: None, id: 0 }
    }

    /// A bar of `len` steps labelled `what`, drawn to `target`.
    pub fn with_target(len: u64, what: &str, target: ProgressDrawTarget) -> Progress {
        let style = ProgressStyle::with_template(TEMPLATE)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        let bar = ProgressBar::with_draw_target(Some(len), target)
            .with_style(style)
            .with_message(what.to_string());
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut active) = ACTIVE.lock() {
            *active = Some((id, bar.clone()));
        }
        bar.tick();
        Progress { bar: Some(bar), id }
    }

    /// Whether the bar draws nothing.
    pub fn is_hidden(&self) -> bool {
        self.bar.is_none()
    }

    /// Advances the bar by `n` steps.
    pub fn inc(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
    }

    /// Moves the bar to step `pos`.
    pub fn set_position(&self, pos: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(pos);
        }
    }

    /// The current step (0 for a hidden bar).
    pub fn position(&self) -> u64 {
        self.bar.as_ref().map_or(0, ProgressBar::position)
    }

    /// Fills the bar and leaves it on screen.
    pub fn finish(self) {
        if let Some(bar) = &self.bar {
            bar.finish();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        let Some(bar) = self.bar.take() else { return };
        if !bar.is_finished() {
            bar.abandon();
        }
        if let Ok(mut active) = ACTIVE.lock() {
            if active.as_ref().is_some_and(|(id, _)| *id == self.id) {
                *active = None;
            }
        }
    }
}

/// A bar of `len` steps labelled `what`, drawn on stderr; hidden when
/// stderr is not a terminal or the application is `quiet`.
pub(crate) fn on_stderr(quiet: bool, len: u64, what: &str) -> Progress {
    if quiet || !std::io::stderr().is_terminal() {
        Progress::hidden()
    } else {
        Progress::with_target(len, what, ProgressDrawTarget::stderr())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Context;
    use std::io;
    use std::path::Path;
    use std::sync::Arc;

    use indicatif::TermLike;

    /// A terminal that records what is written to it.
    #[derive(Debug, Clone, Default)]
    struct Screen(Arc<Mutex<String>>);

    impl Screen {
        fn text(&self) -> String {
            self.0.lock().unwrap().clone()
        }
    }

    impl TermLike for Screen {
        fn width(&self) -> u16 {
            80
        }
        fn move_cursor_up(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> io::Result<()> {
            self.0.lock().unwrap().push_str(&format!("{s}\n"));
            Ok(())
        }
        fn write_str(&self, s: &str) -> io::Result<()> {
            self.0.lock().unwrap().push_str(s);
            Ok(())
        }
        fn clear_line(&self) -> io::Result<()> {
            self.0.lock().unwrap().push_str("<clear>");
            Ok(())
        }
        fn flush(&self) -> io::Result<()> {
            Ok(())
        }
    }

    fn context(quiet: bool) -> Context {
        let paths = crate::paths::Paths::resolve(Path::new("/nonexistent"), &Default::default());
        let runlog = crate::runlog::Runlog::new("demo", vec!["demo".into()]);
        let mut ctx = Context::new("demo".into(), paths, runlog, false);
        ctx.settings.quiet = quiet;
        ctx
    }

    #[test]
    fn drawn_bar_counts_steps_and_steps_aside_for_log_lines() {
        let screen = Screen::default();
        let progress = Progress::with_target(
            10,
            "copying",
            ProgressDrawTarget::term_like(Box::new(screen.clone())),
        );
        assert!(!progress.is_hidden());
        progress.inc(4);
        progress.inc(2);
        assert_eq!(progress.position(), 6);
        let before = screen.text().matches("<clear>").count();
        let ran = suspended(|| 42);
        assert_eq!(ran, 42);
        assert!(
            screen.text().matches("<clear>").count() > before,
            "the bar was not cleared for a log line"
        );
        progress.finish();
        let text = screen.text();
        assert!(text.contains("copying"), "{text:?}");
        assert!(text.contains("10/10"), "{text:?}");
        assert!(
            ACTIVE.lock().unwrap().is_none(),
            "finished bar still registered"
        );
    }

    #[test]
    fn quiet_or_not_a_terminal_gives_a_hidden_bar() {
        let progress = context(true).progress(5, "quiet");
        assert!(progress.is_hidden());
        progress.inc(3);
        assert_eq!(progress.position(), 0);
        progress.finish();
        if !std::io::stderr().is_terminal() {
            assert!(context(false).progress(5, "piped").is_hidden());
        }
    }
}
