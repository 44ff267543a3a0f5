//! Third-party readers (the PDF and spreadsheet parsers) have panicked on damaged files: their
//! panics are caught and become an error naming the file, without a panic message and
//! backtrace on the terminal that would only alarm.

thread_local! {
    /// Set while this thread runs a third-party reader: its panics are caught, so not printed.
    static QUIET_PANICS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`, catching a panic without printing it (the caller turns it into an error
/// naming the file; a panic message and backtrace would only alarm). The process-wide
/// panic hook is wrapped once; panics anywhere else still reach the previous hook.
pub(super) fn quietly<R>(f: impl FnOnce() -> R) -> std::thread::Result<R> {
    static WRAP: std::sync::Once = std::sync::Once::new();
    WRAP.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET_PANICS.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    QUIET_PANICS.with(|q| q.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    QUIET_PANICS.with(|q| q.set(false));
    result
}
