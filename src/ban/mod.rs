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
//! Use: [`Replay::from_dir`] (or [`ReplayConfig::from_stream`] and
//! [`Replay::new`]), then [`Replay::run`] with [`ReplayInputs`] (log files
//! per jail, `TZ`, NOW); the [`ReplayOutcome`] holds the ban/unban
//! [`Event`]s in simulated-time order, a [`JailSummary`] per jail and
//! [`IpStats`] per address. [`Replay::run_streaming`] hands the events to a
//! callback instead of collecting them.
//!
//! The semantics are those of `fail2ban-replay` (the oracle, driving
//! fail2ban 1.0.2's server objects): the log's own clock, observer and
//! actions threads infinitely fast, unbans when the clock passes the end of
//! a ban, the database purge once per simulated hour, fail2ban.log lines
//! (Ban, Unban, Increase Ban, already banned and the filter's warnings)
//! fed to recidive-style jails as they are written. The differential test
//! `tests/ban_replay_differential.rs` compares both event by event.
//!
//! Memory grows with the number of distinct failure ids, not with the size
//! of the logs: lines are streamed, and only the lines up to the next dated
//! line of each file are held at a time.
//!
//! Not modelled (as in the oracle unless said otherwise): journal backends
//! (give the lines as a file), `logpath … tail` (files are read whole),
//! DNS (never resolved; a host name where an address is expected is dropped
//! and counted), `ignorecache` (verdicts are not cached, which only matters
//! for a non-deterministic `ignorecommand`), tags other than `<ip>` in an
//! `ignorecommand`, the `<matches>` of tickets (`maxmatches`), fail2ban's
//! warning about undecodable lines in the synthesized fail2ban.log, a custom
//! `logtarget` `format` (rejected), and force-enabling disabled jails
//! (`ReplayInputs::only` selects among the enabled ones).

pub mod bans;
pub mod clock;
pub mod expr;
pub mod f2blog;
pub mod failures;
pub mod ids;
pub mod ignore;
pub mod increment;
pub mod jail;
pub mod pipeline;
pub mod replay;

pub use jail::{JailConfig, ReplayConfig};
pub use replay::{Event, EventKind, IpStats, JailSummary, Replay, ReplayInputs, ReplayOutcome};
