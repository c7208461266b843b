//! `f2b audit`: replaying jails over historical logs. This module holds
//! what the replay reads: log inputs (`input`) and the built-in jail set
//! (`builtin/`, our own filters) used when there is no configuration.

pub mod builtin;
pub mod html;
pub mod input;
pub mod report;
pub mod run;
