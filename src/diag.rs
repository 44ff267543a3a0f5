//! Warnings about things that went wrong but lost nothing (a stale temporary folder that
//! could not be removed, a group that could not be kept on a saved file). They are never
//! dropped: each is written to stderr at once and kept for the window, which shows them in
//! its status bar (`take_warnings`).

use std::io::Write;
use std::sync::Mutex;

static WARNINGS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Reports a warning: on stderr now, and to the window when it next asks.
pub fn warn(message: impl Into<String>) {
    let message = message.into();
    // With stderr closed the warning still reaches the window below, so a failed write
    // loses nothing.
    writeln!(std::io::stderr(), "warning: {message}").ok();
    if let Ok(mut list) = WARNINGS.lock() {
        list.push(message);
    }
}

/// The warnings reported since the last call, oldest first.
pub fn take_warnings() -> Vec<String> {
    WARNINGS
        .lock()
        .map(|mut list| std::mem::take(&mut *list))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn warnings_are_kept_until_taken() {
        super::warn("first");
        super::warn(String::from("second"));
        let taken = super::take_warnings();
        assert!(taken.ends_with(&["first".to_string(), "second".to_string()]));
        assert!(!super::take_warnings().contains(&"first".to_string()));
    }
}
