//! fail2ban's filter: regex tags, the compiled failregex/prefregex/
//! ignoreregex set, and the server's per-line matching algorithm.
//!
//! The caller does date detection (see [`crate::date`]) and hands the
//! verdict to [`Filter::process_line`]; the filter never reads files.

pub mod automaton;
pub mod dns;
pub mod groups;
pub mod ipaddr;
pub mod lineset;
pub mod matcher;
pub mod mlfid;
pub mod regex;
pub mod tags;
pub mod verdict;

pub use groups::{Fail, FailMap, FailValue, TupleLine};
pub use matcher::{DateFound, Failure, Filter, FilterOptions, LineResult};
pub use tags::Flavor;
