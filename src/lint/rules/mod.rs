//! One file per rule. Each defines `RULE`: its metadata and its check.

pub mod common;
pub mod jail_options;

pub mod f2b001_config_error;
pub mod f2b002_config_warning;
pub mod f2b101_regex_invalid;
pub mod f2b102_regex_dialect;
pub mod f2b103_no_failure_id;
pub mod f2b104_duplicate_regex;
pub mod f2b105_host_injection;
pub mod f2b106_unanchored;
pub mod f2b107_backtracking;
pub mod f2b108_unhit_regex;
pub mod f2b109_dead_literal;
pub mod f2b201_unknown_option;
pub mod f2b202_misspelled_option;
pub mod f2b203_false_boolean;
pub mod f2b204_maxretry;
pub mod f2b205_missing_filter_action;
pub mod f2b206_missing_logpath;
pub mod f2b207_recidive_findtime;
pub mod f2b208_bantime_factor;
pub mod f2b209_systemd_journalmatch;
pub mod f2b210_action_protocol;
pub mod f2b301_inline_comment;
