//! The multi-line failure cache (`mlfidCache`): failures merged per
//! `<F-MLFID>` value, at most 100 entries.
//!
//! fail2ban's cache also expires entries five minutes after they were set.
//! fail2ban-regex runs on the wall clock, where a run is far shorter than
//! that, so by default nothing expires; with a time to live (the ban
//! replay, on the log's clock) entries expire and a full cache first drops
//! its expired entries from the oldest on, exactly as fail2ban's
//! `Utils.Cache` does.

use super::groups::Fail;
use std::collections::VecDeque;

const MAX_COUNT: usize = 100;

#[derive(Default)]
pub struct MlfidCache {
    entries: VecDeque<(String, Fail, f64)>,
    /// Seconds an entry lives; `None` = entries never expire.
    pub ttl: Option<f64>,
}

impl MlfidCache {
    pub fn new(ttl: Option<f64>) -> MlfidCache {
        MlfidCache {
            entries: VecDeque::new(),
            ttl,
        }
    }

    fn alive(&self, expiry: f64, now: f64) -> bool {
        self.ttl.is_none() || expiry > now
    }

    /// The entry for `key`; an expired one is dropped.
    pub fn get(&mut self, key: &str, now: f64) -> Option<Fail> {
        let pos = self.entries.iter().position(|(k, _, _)| k == key)?;
        if self.alive(self.entries[pos].2, now) {
            return Some(self.entries[pos].1.clone());
        }
        self.entries.remove(pos);
        None
    }

    /// A new key goes to the end; an existing key keeps its place (an
    /// ordered dict assignment). A full cache first drops entries from the
    /// oldest on: every expired one and then one that is still alive.
    pub fn set(&mut self, key: &str, value: Fail, now: f64) {
        if self.entries.len() >= MAX_COUNT {
            while let Some((_, _, expiry)) = self.entries.pop_front() {
                if self.alive(expiry, now) && self.entries.len() < MAX_COUNT {
                    break;
                }
            }
        }
        let expiry = now + self.ttl.unwrap_or(0.0);
        match self.entries.iter_mut().find(|(k, _, _)| k == key) {
            Some(e) => {
                e.1 = value;
                e.2 = expiry;
            }
            None => self.entries.push_back((key.to_string(), value, expiry)),
        }
    }

    pub fn unset(&mut self, key: &str) {
        self.entries.retain(|(k, _, _)| k != key);
    }
}
