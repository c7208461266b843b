//! The multi-line failure cache (`mlfidCache`): failures merged per
//! `<F-MLFID>` value, at most 100 entries, oldest dropped first.
//!
//! fail2ban also expires entries after five minutes of wall-clock time; a
//! replay of a log runs far shorter than that, so expiry never fires here.

use super::groups::Fail;
use std::collections::VecDeque;

const MAX_COUNT: usize = 100;

#[derive(Default)]
pub struct MlfidCache {
    entries: VecDeque<(String, Fail)>,
}

impl MlfidCache {
    pub fn get(&self, key: &str) -> Option<Fail> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }

    /// A new key goes to the end; an existing key keeps its place (an
    /// ordered dict assignment), but a full cache still drops its oldest.
    pub fn set(&mut self, key: &str, value: Fail) {
        if self.entries.len() >= MAX_COUNT {
            self.entries.pop_front();
        }
        match self.entries.iter_mut().find(|(k, _)| k == key) {
            Some(e) => e.1 = value,
            None => self.entries.push_back((key.to_string(), value)),
        }
    }

    pub fn unset(&mut self, key: &str) {
        self.entries.retain(|(k, _)| k != key);
    }
}
