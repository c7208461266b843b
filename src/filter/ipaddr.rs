//! fail2ban's `IPAddr`: an address (or subnet) as the server normalises it,
//! or a raw id when the text is no address.

use std::ffi::CString;

// glibc's converters; the `libc` crate does not declare them.
unsafe extern "C" {
    fn inet_pton(af: libc::c_int, src: *const libc::c_char, dst: *mut libc::c_void) -> libc::c_int;
    fn inet_ntop(
        af: libc::c_int,
        src: *const libc::c_void,
        dst: *mut libc::c_char,
        size: libc::socklen_t,
    ) -> *const libc::c_char;
}

/// `IPAddr.CIDR_RAW` / `CIDR_UNSPEC` / family markers as fail2ban passes them.
pub const CIDR_RAW: i64 = -2;
pub const CIDR_UNSPEC: i64 = -1;
pub const FAM_IPV4: i64 = CIDR_RAW - libc::AF_INET as i64;
pub const FAM_IPV6: i64 = CIDR_RAW - libc::AF_INET6 as i64;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    V4,
    V6,
    /// Not convertible: kept as text (`AF_UNSPEC`).
    Unspec,
    /// Explicitly raw (`CIDR_RAW`).
    Raw,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IpAddr {
    pub family: Family,
    pub addr: u128,
    pub plen: u32,
    pub raw: String,
}

fn pton(family: i32, text: &str) -> Option<[u8; 16]> {
    let c = CString::new(text).ok()?;
    let mut buf = [0u8; 16];
    // SAFETY: `buf` has room for an in6_addr (16 bytes), `c` is NUL-terminated.
    let rc = unsafe { inet_pton(family, c.as_ptr(), buf.as_mut_ptr().cast()) };
    (rc == 1).then_some(buf)
}

fn ntop(family: i32, bytes: &[u8; 16]) -> String {
    let mut out = [0 as libc::c_char; 64];
    // SAFETY: `bytes` holds the binary address of `family`, `out` is large
    // enough for any textual IPv6 address.
    let p = unsafe {
        inet_ntop(
            family,
            bytes.as_ptr().cast(),
            out.as_mut_ptr(),
            out.len() as libc::socklen_t,
        )
    };
    if p.is_null() {
        return String::new();
    }
    // SAFETY: inet_ntop wrote a NUL-terminated string into `out`.
    unsafe { std::ffi::CStr::from_ptr(out.as_ptr()) }
        .to_string_lossy()
        .into_owned()
}

impl IpAddr {
    /// `IPAddr(ipstr, cidr)`.
    pub fn new(ipstr: &str, cidr: i64) -> IpAddr {
        if cidr == CIDR_RAW {
            return IpAddr::raw(ipstr, Family::Raw);
        }
        if cidr == CIDR_UNSPEC {
            let mut s = ipstr;
            if s.len() > 2 && s.starts_with('[') && s.ends_with(']') {
                s = &s[1..s.len() - 1];
            }
            if let Some((a, m)) = s.split_once('/') {
                let plen = if m.contains('.') || m.contains(':') {
                    mask_to_plen(m)
                } else {
                    crate::config::value::py_int(m).and_then(|v| v.parse::<i64>().ok())
                };
                return match plen {
                    Some(p) => IpAddr::init(a, p),
                    None => IpAddr::raw(s, Family::Unspec),
                };
            }
            return IpAddr::init(s, CIDR_UNSPEC);
        }
        IpAddr::init(ipstr, cidr)
    }

    fn raw(text: &str, family: Family) -> IpAddr {
        IpAddr {
            family,
            addr: 0,
            plen: 0,
            raw: text.to_string(),
        }
    }

    fn init(ipstr: &str, cidr: i64) -> IpAddr {
        let families: &[i32] = if cidr < CIDR_RAW {
            match CIDR_RAW - cidr {
                f if f == libc::AF_INET as i64 => &[libc::AF_INET],
                f if f == libc::AF_INET6 as i64 => &[libc::AF_INET6],
                _ => &[],
            }
        } else {
            &[libc::AF_INET, libc::AF_INET6]
        };
        for &fam in families {
            let Some(bin) = pton(fam, ipstr) else {
                continue;
            };
            if fam == libc::AF_INET {
                let mut addr = u32::from_be_bytes([bin[0], bin[1], bin[2], bin[3]]) as u128;
                let mut plen = 32;
                if cidr >= 0 {
                    if cidr < 32 {
                        addr &= !(0xFFFF_FFFFu128 >> cidr) & 0xFFFF_FFFF;
                    }
                    plen = cidr as u32;
                }
                return IpAddr {
                    family: Family::V4,
                    addr,
                    plen,
                    raw: ipstr.to_string(),
                };
            }
            let mut addr = u128::from_be_bytes(bin);
            let mut plen = 128;
            if cidr >= 0 {
                if cidr < 128 {
                    addr &= !(u128::MAX >> cidr);
                }
                plen = cidr as u32;
            } else if addr >> 32 == 0xFFFF {
                // IPv4-mapped IPv6 becomes the IPv4 address.
                return IpAddr {
                    family: Family::V4,
                    addr: addr & 0xFFFF_FFFF,
                    plen: 32,
                    raw: ipstr.to_string(),
                };
            }
            return IpAddr {
                family: Family::V6,
                addr,
                plen,
                raw: ipstr.to_string(),
            };
        }
        IpAddr::raw(ipstr, Family::Unspec)
    }

    pub fn is_valid(&self) -> bool {
        matches!(self.family, Family::V4 | Family::V6)
    }

    /// `IPAddr.ntoa`: the normalised text (`addr/plen` for subnets).
    pub fn ntoa(&self) -> String {
        match self.family {
            Family::V4 => {
                let mut b = [0u8; 16];
                b[..4].copy_from_slice(&(self.addr as u32).to_be_bytes());
                let mut s = ntop(libc::AF_INET, &b);
                if self.plen > 0 && self.plen < 32 {
                    s.push_str(&format!("/{}", self.plen));
                }
                s
            }
            Family::V6 => {
                let mut s = ntop(libc::AF_INET6, &self.addr.to_be_bytes());
                if self.plen > 0 && self.plen < 128 {
                    s.push_str(&format!("/{}", self.plen));
                }
                s
            }
            Family::Unspec | Family::Raw => self.raw.clone(),
        }
    }
}

/// `IPAddr.masktoplen` for dotted or IPv6-style masks.
fn mask_to_plen(mask: &str) -> Option<i64> {
    let m = IpAddr::init(mask, CIDR_UNSPEC);
    if !m.is_valid() {
        return None;
    }
    let (bits, full) = match m.family {
        Family::V4 => (m.addr, 32u32),
        _ => (m.addr, 128u32),
    };
    let ones = bits.count_ones();
    let expected = if ones == 0 {
        0
    } else {
        ((u128::MAX >> (128 - ones)) << (full - ones))
            & if full == 32 { 0xFFFF_FFFF } else { u128::MAX }
    };
    (bits == expected).then_some(ones as i64)
}

/// `IPAddr.searchIP`: the text if it is entirely an IPv4 or (bracketed)
/// IPv6 address by fail2ban's patterns.
pub fn search_ip(text: &str) -> Option<&str> {
    use std::sync::OnceLock;
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    // The lookbehind of the IPv6 pattern only allows a final `::`; spelled
    // out here so the `regex` crate can run it.
    let re = RE.get_or_init(|| {
        regex::Regex::new(
            r"^(?:(?P<v4>(?:\d{1,3}\.){3}\d{1,3})|\[?(?P<v6>(?:[0-9a-fA-F]{1,4}::?|::){1,7}(?:[0-9a-fA-F]{1,4}|:))\]?)\n?$",
        )
        .expect("static pattern")
    });
    let c = re.captures(text)?;
    if let Some(v4) = c.name("v4") {
        return Some(v4.as_str());
    }
    let v6 = c.name("v6")?.as_str();
    // `(?<=:):` : a trailing lone `:` must follow another `:`.
    if v6.ends_with(':') && !v6.ends_with("::") {
        return None;
    }
    Some(v6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_like_fail2ban() {
        assert_eq!(IpAddr::new("192.0.2.1", CIDR_UNSPEC).ntoa(), "192.0.2.1");
        assert_eq!(
            IpAddr::new("2001:DB8:0:0::1", FAM_IPV6).ntoa(),
            "2001:db8::1"
        );
        assert_eq!(IpAddr::new("::ffff:1.2.3.4", CIDR_UNSPEC).ntoa(), "1.2.3.4");
        assert_eq!(IpAddr::new("999.1.1.1", FAM_IPV4).ntoa(), "999.1.1.1");
        assert!(!IpAddr::new("999.1.1.1", FAM_IPV4).is_valid());
        assert_eq!(IpAddr::new("192.0.2.77", 24).ntoa(), "192.0.2.0/24");
        assert_eq!(
            IpAddr::new("10.0.0.1/255.255.0.0", CIDR_UNSPEC).ntoa(),
            "10.0.0.0/16"
        );
        assert_eq!(IpAddr::new("host.example", CIDR_RAW).ntoa(), "host.example");
    }

    #[test]
    fn search_ip_accepts_whole_addresses_only() {
        assert_eq!(search_ip("1.2.3.4"), Some("1.2.3.4"));
        assert_eq!(search_ip("[::1]"), Some("::1"));
        assert_eq!(search_ip("fe80::"), Some("fe80::"));
        assert_eq!(search_ip("host"), None);
        assert_eq!(search_ip("1.2.3.4x"), None);
    }
}
