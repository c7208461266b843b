//! What an audit found, as plain data: the per-jail summary, every ban in
//! time order, the offenders, failures over time, and what other settings
//! would have done. Renderers (terminal, JSON, CSV, HTML) read only this.

use serde_json::{Value, json};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct JailSummary {
    pub name: String,
    pub lines: u64,
    pub failures: u64,
    pub unique_ips: u64,
    pub bans: u64,
    pub maxretry: i64,
    pub findtime: f64,
    /// −1 for permanent bans.
    pub bantime: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BanRecord {
    pub jail: String,
    pub ip: String,
    /// Epoch seconds of the ban (the time of the line that completed it).
    pub time: f64,
    /// Effective ban time in seconds (−1 permanent).
    pub bantime: f64,
    pub failures: u64,
    /// The n-th ban of this address in this jail during the replay.
    pub bancount: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Offender {
    pub ip: String,
    pub first_seen: f64,
    pub last_seen: f64,
    pub failures: u64,
    pub bans: u64,
    /// Longest single ban in seconds (−1 permanent, 0 never banned).
    pub longest_ban: f64,
    pub jails: Vec<String>,
}

/// An address that failed repeatedly but never reached maxretry within
/// findtime: it stayed under the radar.
#[derive(Debug, Clone, PartialEq)]
pub struct SlowAttacker {
    pub jail: String,
    pub ip: String,
    pub failures: u64,
    /// The highest failure count fail2ban held for it (always < maxretry).
    pub peak_retry: u64,
    pub first_seen: f64,
    pub last_seen: f64,
}

/// The result of a replay with one setting changed (`--what-if`).
#[derive(Debug, Clone, PartialEq)]
pub struct WhatIf {
    pub setting: String,
    pub jail: String,
    pub bans: u64,
    pub unique_ips: u64,
    /// Bans of the real run for comparison.
    pub baseline_bans: u64,
    pub baseline_ips: u64,
}

/// Failures per jail in fixed time buckets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timeline {
    pub start: f64,
    pub bucket_seconds: f64,
    /// (jail, failures per bucket).
    pub series: Vec<(String, Vec<u64>)>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditReport {
    pub jails: Vec<JailSummary>,
    pub bans: Vec<BanRecord>,
    /// Sorted by failures, most first.
    pub offenders: Vec<Offender>,
    pub slow: Vec<SlowAttacker>,
    pub what_if: Vec<WhatIf>,
    pub timeline: Timeline,
    /// (first, last) line time.
    pub span: Option<(f64, f64)>,
    /// Attacking addresses per family: (IPv4, IPv6).
    pub families: (u64, u64),
    /// /24 (IPv4) and /64 (IPv6) networks: (network, addresses, failures),
    /// most failures first.
    pub networks: Vec<(String, u64, u64)>,
    /// Warnings about the input (lines without dates, out-of-order times …).
    pub warnings: Vec<String>,
}

impl AuditReport {
    /// `--format json` (schema in docs/audit.md).
    pub fn to_json(&self) -> Value {
        json!({
            "span": self.span.map(|(a, b)| json!({"first": a, "last": b})),
            "jails": self.jails.iter().map(|j| json!({
                "name": j.name, "lines": j.lines, "failures": j.failures,
                "unique_ips": j.unique_ips, "bans": j.bans, "maxretry": j.maxretry,
                "findtime": j.findtime, "bantime": j.bantime,
            })).collect::<Vec<_>>(),
            "bans": self.bans.iter().map(|b| json!({
                "jail": b.jail, "ip": b.ip, "time": b.time, "bantime": b.bantime,
                "failures": b.failures, "bancount": b.bancount,
            })).collect::<Vec<_>>(),
            "offenders": self.offenders.iter().map(|o| json!({
                "ip": o.ip, "first_seen": o.first_seen, "last_seen": o.last_seen,
                "failures": o.failures, "bans": o.bans, "longest_ban": o.longest_ban,
                "jails": o.jails,
            })).collect::<Vec<_>>(),
            "slow_attackers": self.slow.iter().map(|s| json!({
                "jail": s.jail, "ip": s.ip, "failures": s.failures, "peak_retry": s.peak_retry,
                "first_seen": s.first_seen, "last_seen": s.last_seen,
            })).collect::<Vec<_>>(),
            "what_if": self.what_if.iter().map(|w| json!({
                "setting": w.setting, "jail": w.jail, "bans": w.bans, "unique_ips": w.unique_ips,
                "baseline_bans": w.baseline_bans, "baseline_ips": w.baseline_ips,
            })).collect::<Vec<_>>(),
            "families": {"ipv4": self.families.0, "ipv6": self.families.1},
            "networks": self.networks.iter().map(|(n, a, f)| json!({
                "network": n, "addresses": a, "failures": f,
            })).collect::<Vec<_>>(),
            "warnings": self.warnings,
        })
    }

    /// `--format csv`: the bans, one row each.
    pub fn bans_csv(&self) -> String {
        let mut out = String::from("jail,ip,time,bantime,failures,bancount\n");
        for b in &self.bans {
            out.push_str(&format!(
                "{},{},{},{},{},{}\n",
                csv_field(&b.jail),
                csv_field(&b.ip),
                num(b.time),
                num(b.bantime),
                b.failures,
                b.bancount
            ));
        }
        out
    }
}

/// Seconds as an integer when whole (fail2ban's times usually are).
pub fn num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// `2d 7h 15m` style durations, like fail2ban's ban-time messages.
pub fn duration(seconds: f64) -> String {
    if seconds < 0.0 {
        return "permanent".into();
    }
    let mut s = seconds.round() as u64;
    if s == 0 {
        return "0s".into();
    }
    let mut parts = Vec::new();
    for (unit, len) in [
        ("w", 604800),
        ("d", 86400),
        ("h", 3600),
        ("m", 60),
        ("s", 1),
    ] {
        if s >= len {
            parts.push(format!("{}{unit}", s / len));
            s %= len;
        }
        if parts.len() == 3 {
            break;
        }
    }
    parts.join(" ")
}
