//! The ban engine behind `f2b audit`: what fail2ban 1.0.2 would have
//! banned had it been running while a log was written.
//!
//! * [`failures`]: failure counting per jail (findtime rescaling, cleanup);
//! * [`bans`]: ban list, ends of bans, the "already banned" extension;
//! * [`increment`]: `bantime.increment` (ban history, purge, formula,
//!   weight of known bad ids) and Python's random generator for `rndtime`;
//! * [`expr`]: the Python expressions of `bantime.factor`/`formula`;
//! * [`ignore`]: `ignoreself`, `ignoreip`, `ignorecommand`;
//! * [`clock`]: streaming a log file with the replay's clock rules;
//! * [`f2blog`]: the lines of fail2ban's own log (fed to recidive);
//! * [`jail`]: the replay configuration from fail2ban's command stream;
//! * [`replay`]: the driver ([`replay::Replay`]) and its results.
//!
//! Memory grows with the number of distinct failure ids, not with the size
//! of the logs: lines are streamed and only a few are held at a time.

pub mod bans;
pub mod clock;
pub mod expr;
pub mod f2blog;
pub mod failures;
pub mod ids;
pub mod ignore;
pub mod increment;
pub mod jail;
pub mod replay;

pub use jail::{JailConfig, ReplayConfig};
pub use replay::{Event, EventKind, IpStats, JailSummary, Replay, ReplayInputs, ReplayOutcome};
