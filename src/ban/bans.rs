//! The ban list of one jail (fail2ban's `BanManager`): bans end at ticket
//! time + ban time, a second ban of a banned id only moves the end, and
//! expired bans leave in list order, at most 20 per check.

use super::failures::{MAX_TIME, Ticket};
use super::ids::IpId;
use crate::config::timestr::Seconds;
use indexmap::IndexMap;
use rustc_hash::FxBuildHasher;

/// Why [`BanManager::add`] did not ban.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NotBanned {
    /// The ban would already have ended.
    Expired,
    /// The id is banned; `diff` is the new ticket's time minus the banned
    /// ticket's.
    AlreadyBanned { diff: f64 },
}

pub struct BanManager {
    list: IndexMap<IpId, Ticket, FxBuildHasher>,
    /// The jail's `bantime`.
    pub ban_time: Seconds,
    /// `_nextUnbanTime`: no ban ends before it (it may be early).
    pub next_unban: f64,
    total: u64,
}

impl BanManager {
    pub fn new(ban_time: Seconds) -> BanManager {
        BanManager {
            list: IndexMap::default(),
            ban_time,
            next_unban: MAX_TIME,
            total: 0,
        }
    }

    pub fn size(&self) -> usize {
        self.list.len()
    }

    pub fn total(&self) -> u64 {
        self.total
    }

    pub fn get(&self, ip: IpId) -> Option<&Ticket> {
        self.list.get(&ip)
    }

    pub fn get_mut(&mut self, ip: IpId) -> Option<&mut Ticket> {
        self.list.get_mut(&ip)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Ticket> {
        self.list.values()
    }

    /// `addBanTicket` at `now`.
    pub fn add(&mut self, mut ticket: Ticket, now: f64) -> Result<(), NotBanned> {
        let eob = ticket.end_of_ban(self.ban_time);
        if eob < now {
            return Err(NotBanned::Expired);
        }
        if let Some(old) = self.list.get_mut(&ticket.ip) {
            if eob > old.end_of_ban(self.ban_time) {
                let mut btm = ticket.ban_time_or(self.ban_time);
                if btm.as_f64() != -1.0 {
                    let diff = ticket.time - old.time;
                    if diff > 0.0 {
                        btm = match btm {
                            Seconds::Int(i) if diff.fract() == 0.0 => {
                                Seconds::Int(i + diff as i128)
                            }
                            other => Seconds::Float(other.as_f64() + diff),
                        };
                    }
                }
                old.ban_time = Some(btm);
            }
            return Err(NotBanned::AlreadyBanned {
                diff: ticket.time - old.time,
            });
        }
        self.total += 1;
        ticket.ban_count += 1;
        if self.next_unban > eob {
            self.next_unban = eob;
        }
        self.list.insert(ticket.ip, ticket);
        Ok(())
    }

    /// `unBanList(now, max_count)`: the bans that ended before `now`, in
    /// list order.
    pub fn unban_list(&mut self, now: f64, max_count: usize) -> Vec<Ticket> {
        if self.next_unban > now {
            return Vec::new();
        }
        let mut due: Vec<IpId> = Vec::new();
        let mut next = MAX_TIME;
        for (ip, t) in &self.list {
            let eob = t.end_of_ban(self.ban_time);
            if now > eob {
                due.push(*ip);
                if due.len() >= max_count {
                    next = self.next_unban;
                    break;
                }
            } else if next > eob {
                next = eob;
            }
        }
        self.next_unban = next;
        let mut out = Vec::with_capacity(due.len());
        if !due.is_empty() {
            let set: rustc_hash::FxHashSet<IpId> = due.iter().copied().collect();
            let mut kept = IndexMap::with_capacity_and_hasher(self.list.len(), FxBuildHasher);
            let mut taken: rustc_hash::FxHashMap<IpId, Ticket> = Default::default();
            for (ip, t) in self.list.drain(..) {
                if set.contains(&ip) {
                    taken.insert(ip, t);
                } else {
                    kept.insert(ip, t);
                }
            }
            self.list = kept;
            for ip in due {
                out.push(taken.remove(&ip).expect("taken"));
            }
        }
        out
    }
}
