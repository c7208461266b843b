//! f2b: a Rust toolchain that speaks fail2ban.
//!
//! The pipeline, one module per stage:
//! - [`ini`]: the configparser-exact reader with spans;
//! - [`config`]: includes, overlays, interpolation with a source map, and
//!   the jail/filter/action model down to fail2ban's command stream;
//! - [`client`]: `fail2ban-client -d/--dp/-t` behaviour on top of it;
//! - [`diag`]: diagnostics as plain data, rendered for humans or scripts;
//! - [`lint`]: the rule registry behind `f2b lint`;
//! - [`cli`]: the command line.

pub mod audit;
pub mod ban;
pub mod cli;
pub mod client;
pub mod config;
pub mod date;
pub mod diag;
pub mod filter;
pub mod ini;
pub mod lint;
pub mod pyfmt;
pub mod pyre;
pub mod regextool;
pub mod samples;
pub mod source;

/// Insertion-ordered map (Python dict semantics) with a fast hasher.
pub type Map<K, V> = indexmap::IndexMap<K, V, rustc_hash::FxBuildHasher>;
