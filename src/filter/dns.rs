//! `DNSUtils.textToIp`: a host text to addresses, resolving names with the
//! system resolver (getaddrinfo, IPv4 then IPv6) when `usedns` allows it.

use super::ipaddr::{CIDR_UNSPEC, FAM_IPV4, FAM_IPV6, IpAddr, search_ip};
use std::collections::HashMap;
use std::ffi::{CStr, CString};

#[derive(Default)]
pub struct Resolver {
    cache: HashMap<String, Vec<IpAddr>>,
}

impl Resolver {
    /// `textToIp(text, useDns)`: the distinct addresses, in resolver order.
    pub fn text_to_ip(&mut self, text: &str, use_dns: &str) -> Vec<IpAddr> {
        let mut out = Vec::new();
        if let Some(plain) = search_ip(text) {
            let ip = IpAddr::new(plain, CIDR_UNSPEC);
            if ip.is_valid() {
                out.push(ip);
            }
        }
        if matches!(use_dns, "yes" | "warn") && out.is_empty() {
            out = self.dns_to_ip(text);
        }
        out
    }

    fn dns_to_ip(&mut self, name: &str) -> Vec<IpAddr> {
        if let Some(v) = self.cache.get(name) {
            return v.clone();
        }
        let mut ips: Vec<IpAddr> = Vec::new();
        for (fam, ipfam) in [(libc::AF_INET, FAM_IPV4), (libc::AF_INET6, FAM_IPV6)] {
            for text in getaddrinfo(name, fam) {
                let ip = IpAddr::new(&text, ipfam);
                if ip.is_valid() && !ips.contains(&ip) {
                    ips.push(ip);
                }
            }
        }
        self.cache.insert(name.to_string(), ips.clone());
        ips
    }
}

fn getaddrinfo(name: &str, family: i32) -> Vec<String> {
    let Ok(c) = CString::new(name) else {
        return Vec::new();
    };
    // SAFETY: a zeroed addrinfo is a valid "no hints" value; fields set below.
    let mut hints: libc::addrinfo = unsafe { std::mem::zeroed() };
    hints.ai_family = family;
    hints.ai_protocol = libc::IPPROTO_TCP;
    let mut res: *mut libc::addrinfo = std::ptr::null_mut();
    // SAFETY: valid C strings and pointers; the result list is freed below.
    let rc = unsafe { libc::getaddrinfo(c.as_ptr(), std::ptr::null(), &hints, &mut res) };
    if rc != 0 {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut p = res;
    while !p.is_null() {
        // SAFETY: `p` walks the list getaddrinfo returned.
        let ai = unsafe { &*p };
        let mut host = [0 as libc::c_char; 128];
        // SAFETY: ai_addr/ai_addrlen describe a socket address from getaddrinfo.
        let rc = unsafe {
            libc::getnameinfo(
                ai.ai_addr,
                ai.ai_addrlen,
                host.as_mut_ptr(),
                host.len() as libc::socklen_t,
                std::ptr::null_mut(),
                0,
                libc::NI_NUMERICHOST,
            )
        };
        if rc == 0 {
            // SAFETY: getnameinfo wrote a NUL-terminated string.
            let s = unsafe { CStr::from_ptr(host.as_ptr()) }
                .to_string_lossy()
                .into_owned();
            out.push(s);
        }
        p = ai.ai_next;
    }
    // SAFETY: `res` came from a successful getaddrinfo.
    unsafe { libc::freeaddrinfo(res) };
    out
}
