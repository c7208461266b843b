//! Failure ids as fail2ban compares them, interned to small numbers.
//!
//! fail2ban keys its failure and ban lists by `IPAddr`: addresses compare by
//! family, value and prefix (so `::ffff:1.2.3.4` and `1.2.3.4` are one
//! id), everything else by its text. Every distinct id is stored once for
//! the whole replay; jails refer to it by an [`IpId`].

use crate::filter::ipaddr::{Family, IpAddr};
use rustc_hash::FxHashMap;

/// An interned failure id.
pub type IpId = u32;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    V4(u32, u32),
    V6(u128, u32),
    Unspec(Box<str>),
    Raw(Box<str>),
}

fn key_of(ip: &IpAddr) -> Key {
    match ip.family {
        Family::V4 => Key::V4(ip.addr as u32, ip.plen),
        Family::V6 => Key::V6(ip.addr, ip.plen),
        Family::Unspec => Key::Unspec(ip.raw.as_str().into()),
        Family::Raw => Key::Raw(ip.raw.as_str().into()),
    }
}

/// All ids seen in a replay, with their printed form (`IPAddr.ntoa`).
#[derive(Default)]
pub struct IpTable {
    ids: FxHashMap<Key, IpId>,
    text: Vec<Box<str>>,
}

impl IpTable {
    /// The id of `ip`, created on first sight.
    pub fn intern(&mut self, ip: &IpAddr) -> IpId {
        let key = key_of(ip);
        if let Some(&id) = self.ids.get(&key) {
            return id;
        }
        let id = self.text.len() as IpId;
        self.text.push(ip.ntoa().into());
        self.ids.insert(key, id);
        id
    }

    /// The id of `ip` if it was seen.
    pub fn get(&self, ip: &IpAddr) -> Option<IpId> {
        self.ids.get(&key_of(ip)).copied()
    }

    /// How fail2ban prints the id.
    pub fn text(&self, id: IpId) -> &str {
        &self.text[id as usize]
    }

    pub fn len(&self) -> usize {
        self.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}
