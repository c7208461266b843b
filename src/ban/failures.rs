//! Failure bookkeeping of one jail (fail2ban's `FailManager` and
//! `FailTicket`): a count per failure id, rescaled to the observed rate when
//! the failures of an id span more than `findtime`, and dropped when the
//! last failure of an id is `findtime` old.

use super::ids::IpId;
use crate::config::timestr::Seconds;
use rustc_hash::FxHashMap;

/// `Ticket.MAX_TIME`: the end of a permanent ban.
pub const MAX_TIME: f64 = 0x7FFF_FFFF_FFFF_u64 as f64;

/// A failure ticket; the same ticket becomes the ban ticket.
#[derive(Clone, Debug)]
pub struct Ticket {
    /// Identity of the ticket object (fail2ban compares tickets by identity
    /// in a few places).
    pub serial: u64,
    pub ip: IpId,
    /// Time of the last failure.
    pub time: f64,
    /// Start of the counting window.
    pub first_time: f64,
    /// The counter compared with `maxretry`.
    pub retry: i64,
    /// `<failures>`: the attempts.
    pub failures: i64,
    /// Ban time set on the ticket (increment, prolongation); `None` = the
    /// jail's bantime.
    pub ban_time: Option<Seconds>,
    pub ban_count: i64,
    /// Set when `bantime.increment` finds the ticket not newer than the last
    /// recorded ban (fail2ban then does not record it in its database).
    pub restored: bool,
}

impl Ticket {
    /// `getBanTime(default)`.
    pub fn ban_time_or(&self, default: Seconds) -> Seconds {
        self.ban_time.unwrap_or(default)
    }

    /// `getEndOfBanTime(default)`.
    pub fn end_of_ban(&self, default: Seconds) -> f64 {
        let bt = self.ban_time_or(default);
        if bt.as_f64() == -1.0 {
            MAX_TIME
        } else {
            self.time + bt.as_f64()
        }
    }

    /// `adjustTime`: past `max_time` after the window start, the count is
    /// rescaled to the rate seen so far and the window moves.
    fn adjust_time(&mut self, time: f64, max_time: f64) {
        if time > self.time {
            if self.first_time < time - max_time {
                let r = self.retry as f64 / (time - self.first_time) * max_time;
                self.retry = r.round_ties_even() as i64;
                self.first_time = time - max_time;
            }
            self.time = time;
        }
    }

    /// `setBanCount(value)` (only ever raises it).
    pub fn raise_ban_count(&mut self, value: i64) {
        if value > self.ban_count {
            self.ban_count = value;
        }
    }
}

/// What became of a failure handed to [`FailManager::add_failure`].
#[derive(Clone, Copy, Debug)]
pub struct Added {
    /// The id's counter after the failure.
    pub attempts: i64,
    /// The serial of the new entry when the failure started one (fail2ban
    /// then keeps the failure's own ticket as the entry).
    pub new_entry: Option<u64>,
}

/// The failure list of one jail.
pub struct FailManager {
    list: FxHashMap<IpId, Ticket>,
    pub max_retry: i64,
    /// `findtime` in seconds.
    pub max_time: f64,
    total: u64,
    next_serial: u64,
}

impl FailManager {
    pub fn new(max_retry: i64, max_time: f64) -> FailManager {
        FailManager {
            list: FxHashMap::default(),
            max_retry,
            max_time,
            total: 0,
            next_serial: 1,
        }
    }

    /// "Total failed".
    pub fn total(&self) -> u64 {
        self.total
    }

    /// "Currently failed".
    pub fn size(&self) -> usize {
        self.list.len()
    }

    pub fn get(&self, ip: IpId) -> Option<&Ticket> {
        self.list.get(&ip)
    }

    pub fn get_mut(&mut self, ip: IpId) -> Option<&mut Ticket> {
        self.list.get_mut(&ip)
    }

    /// A failure found in a log line (`addFailure(FailTicket(ip, time))`).
    pub fn add_failure(&mut self, ip: IpId, time: f64) -> Added {
        self.total += 1;
        if let Some(entry) = self.list.get_mut(&ip) {
            // the new ticket has no attempts of its own: it counts as one
            entry.adjust_time(time, self.max_time);
            entry.retry += 1;
            entry.failures += 1;
            return Added {
                attempts: entry.retry,
                new_entry: None,
            };
        }
        let serial = self.next_serial;
        self.next_serial += 1;
        self.list.insert(
            ip,
            Ticket {
                serial,
                ip,
                time,
                first_time: time,
                retry: 1,
                failures: 1,
                ban_time: None,
                ban_count: 0,
                restored: false,
            },
        );
        Added {
            attempts: 1,
            new_entry: Some(serial),
        }
    }

    /// The observer's extra count for a known bad id (`addFailure(ticket,
    /// count, observed=True)`): only an id still in the list is counted.
    /// `attempt` is what the observed ticket contributes to `<failures>`.
    /// `None` when the id is not in the list.
    pub fn add_observed(&mut self, ip: IpId, time: f64, count: i64, attempt: i64) -> Option<i64> {
        let entry = self.list.get_mut(&ip)?;
        entry.adjust_time(time, self.max_time);
        entry.retry += count;
        entry.failures += attempt;
        self.total += 1;
        Some(entry.retry)
    }

    /// `toBan(ip)`: takes the entry of `ip` if it reached `maxretry`; when
    /// `ip` is not in the list, the first entry that did.
    pub fn to_ban(&mut self, ip: Option<IpId>) -> Option<Ticket> {
        let max = self.max_retry;
        let key = match ip {
            Some(ip) if self.list.contains_key(&ip) => {
                if self.list[&ip].retry >= max {
                    Some(ip)
                } else {
                    None
                }
            }
            _ => self
                .list
                .iter()
                .filter(|(_, t)| t.retry >= max)
                .min_by_key(|(_, t)| t.serial)
                .map(|(k, _)| *k),
        };
        key.and_then(|k| self.list.remove(&k))
    }

    /// `cleanup(now)`: forgets ids whose last failure is `findtime` old.
    pub fn cleanup(&mut self, now: f64) {
        let limit = now - self.max_time;
        self.list.retain(|_, t| t.time > limit);
    }
}
