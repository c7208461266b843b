//! `ignoreself`, `ignoreip` and `ignorecommand` as the oracle applies them:
//! own addresses are the loopback addresses only, host names in `ignoreip`
//! never match (no DNS lookups), and an `ignorecommand` is run with `sh`.

use crate::filter::ipaddr::{CIDR_UNSPEC, Family, IpAddr};

#[derive(Default, Clone, Debug)]
pub struct IgnoreList {
    pub ignore_self: bool,
    singles: Vec<(Family, u128, u32)>,
    nets: Vec<IpAddr>,
    /// Entries that are no address: fail2ban resolves them at each check.
    names: Vec<String>,
    pub command: Option<String>,
}

/// Why a failure was ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ignored {
    SelfRule,
    Ip,
    Dns,
    Command,
}

impl IgnoreList {
    pub fn new() -> IgnoreList {
        IgnoreList {
            ignore_self: true,
            ..Default::default()
        }
    }

    /// `addIgnoreIP(text)`.
    pub fn add(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        let ip = IpAddr::new(text, CIDR_UNSPEC);
        let single = match ip.family {
            Family::V4 => ip.plen == 32,
            Family::V6 => ip.plen == 128,
            _ => false,
        };
        if single {
            let k = (ip.family.clone(), ip.addr, ip.plen);
            if !self.singles.contains(&k) {
                self.singles.push(k);
            }
        } else if ip.is_valid() {
            if !self.nets.contains(&ip) {
                self.nets.push(ip);
            }
        } else if !ip.raw.is_empty() && !self.names.contains(&ip.raw) {
            self.names.push(ip.raw);
        }
    }

    /// Whether a failure of `ip` is ignored; `dns_checks` counts the host
    /// names that fail2ban would have resolved.
    pub fn check(&self, ip: &IpAddr, dns_checks: &mut u64) -> Option<Ignored> {
        let valid = ip.is_valid();
        if self.ignore_self && valid {
            let own = match ip.family {
                Family::V4 => ip.addr == 0x7f00_0001 && ip.plen == 32,
                Family::V6 => ip.addr == 1 && ip.plen == 128,
                _ => false,
            };
            if own {
                return Some(Ignored::SelfRule);
            }
        }
        if valid
            && self
                .singles
                .iter()
                .any(|(f, a, p)| *f == ip.family && *a == ip.addr && *p == ip.plen)
        {
            return Some(Ignored::Ip);
        }
        for net in &self.nets {
            if net.family != ip.family {
                continue;
            }
            let mask = match ip.family {
                Family::V4 => !(0xFFFF_FFFFu128 >> net.plen.min(32)) & 0xFFFF_FFFF,
                Family::V6 => {
                    if net.plen == 0 {
                        0
                    } else {
                        !(u128::MAX >> net.plen.min(128))
                    }
                }
                _ => continue,
            };
            if ip.addr & mask == net.addr {
                return Some(Ignored::Ip);
            }
        }
        *dns_checks += self.names.len() as u64;
        if let Some(cmd) = &self.command {
            let text = cmd.replace("<ip>", &ip.ntoa());
            let status = std::process::Command::new("sh")
                .arg("-c")
                .arg(&text)
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status();
            if let Ok(s) = status
                && s.code() == Some(0)
            {
                return Some(Ignored::Command);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        IpAddr::new(s, CIDR_UNSPEC)
    }

    #[test]
    fn addresses_nets_and_names() {
        let mut l = IgnoreList::new();
        for e in ["192.0.2.7", "10.0.0.0/8", "2001:db8::/32", "gw.example.org"] {
            l.add(e);
        }
        let mut dns = 0;
        assert_eq!(l.check(&ip("127.0.0.1"), &mut dns), Some(Ignored::SelfRule));
        assert_eq!(l.check(&ip("::1"), &mut dns), Some(Ignored::SelfRule));
        assert_eq!(l.check(&ip("192.0.2.7"), &mut dns), Some(Ignored::Ip));
        assert_eq!(
            l.check(&ip("::ffff:192.0.2.7"), &mut dns),
            Some(Ignored::Ip)
        );
        assert_eq!(l.check(&ip("10.9.8.7"), &mut dns), Some(Ignored::Ip));
        assert_eq!(l.check(&ip("2001:db8::5"), &mut dns), Some(Ignored::Ip));
        assert_eq!(l.check(&ip("192.0.2.8"), &mut dns), None);
        assert_eq!(dns, 1);
        l.ignore_self = false;
        assert_eq!(l.check(&ip("127.0.0.1"), &mut dns), None);
    }

    #[test]
    fn command_exit_status() {
        let mut l = IgnoreList::new();
        l.command = Some("test <ip> = 192.0.2.1".into());
        let mut dns = 0;
        assert_eq!(l.check(&ip("192.0.2.1"), &mut dns), Some(Ignored::Command));
        assert_eq!(l.check(&ip("192.0.2.2"), &mut dns), None);
    }
}
