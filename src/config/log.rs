//! Log records the reader emits, in the order fail2ban's client logs them.
//!
//! They render to stderr in fail2ban's client format
//! (`2026-11-26 04:13:40,327 fail2ban.configreader   [2082]: WARNING …`)
//! and to diagnostics for `f2b check`.

use crate::source::Loc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Info = 20,
    Notice = 25,
    Warning = 30,
    Error = 40,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Info => "INFO",
            Level::Notice => "NOTICE",
            Level::Warning => "WARNING",
            Level::Error => "ERROR",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRecord {
    pub level: Level,
    /// fail2ban's logger name, e.g. `fail2ban.jailreader`.
    pub logger: &'static str,
    pub message: String,
    pub loc: Option<Loc>,
}

#[derive(Debug, Clone, Default)]
pub struct Log {
    pub records: Vec<LogRecord>,
}

impl Log {
    pub fn push(&mut self, level: Level, logger: &'static str, message: String, loc: Option<Loc>) {
        self.records.push(LogRecord {
            level,
            logger,
            message,
            loc,
        });
    }

    /// Renders records at or above `min` the way fail2ban-client prints them.
    pub fn render(&self, min: Level, timestamp: &str, pid: u32) -> String {
        let mut out = String::new();
        for r in self.records.iter().filter(|r| r.level >= min) {
            out.push_str(&format!(
                "{timestamp} {:<24}[{pid}]: {:<7} {}\n",
                r.logger,
                r.level.name(),
                r.message
            ));
        }
        out
    }
}
