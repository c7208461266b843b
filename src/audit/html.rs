//! `--html report.html`: one self-contained page (inline CSS and SVG, no
//! script, no network) with the audit's charts and tables.

use super::report::{AuditReport, duration};
use std::collections::BTreeMap;
use std::fmt::Write;

/// The legend of the per-jail colours.
fn legend(r: &AuditReport, out: &mut String) {
    out.push_str("<p class=\"legend\">");
    for (i, j) in r.jails.iter().enumerate() {
        let _ = write!(
            out,
            r#"<span><i style="background:{}"></i>{}</span> "#,
            color(i),
            esc(&j.name)
        );
    }
    out.push_str("</p>\n");
}

const PALETTE: [&str; 8] = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
];

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// UTC date and time of an epoch second.
pub fn utc(t: f64) -> String {
    jiff::Timestamp::from_second(t.floor() as i64)
        .map(|ts| ts.strftime("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|_| format!("{t}"))
}

fn color(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// The /24 (IPv4) or /64 (IPv6) network an address belongs to.
pub fn network(ip: &str) -> (bool, String) {
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(v4)) => {
            let o = v4.octets();
            (false, format!("{}.{}.{}.0/24", o[0], o[1], o[2]))
        }
        Ok(std::net::IpAddr::V6(v6)) => {
            let s = v6.segments();
            let net = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
            (true, format!("{net}/64"))
        }
        Err(_) => (false, ip.to_string()),
    }
}

fn failures_chart(r: &AuditReport, out: &mut String) {
    let (w, h, left, bottom) = (900.0, 260.0, 50.0, 30.0);
    let t = &r.timeline;
    let n = t.series.iter().map(|s| s.1.len()).max().unwrap_or(0);
    let max = t
        .series
        .iter()
        .flat_map(|s| s.1.iter())
        .copied()
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let _ = write!(
        out,
        r#"<svg class="chart" id="failures-chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="Failures over time per jail">"#
    );
    let _ = write!(
        out,
        r##"<line x1="{left}" y1="{y}" x2="{w}" y2="{y}" stroke="#888"/><line x1="{left}" y1="5" x2="{left}" y2="{y}" stroke="#888"/>"##,
        y = h - bottom
    );
    let _ = write!(
        out,
        r#"<text x="{}" y="14" font-size="11" text-anchor="end">{}</text><text x="{}" y="{}" font-size="11" text-anchor="end">0</text>"#,
        left - 4.0,
        max as u64,
        left - 4.0,
        h - bottom
    );
    if n > 0 {
        let x_of = |i: usize| left + (w - left - 10.0) * i as f64 / (n.max(2) - 1) as f64;
        for (k, label) in [
            (0, t.start),
            (n - 1, t.start + t.bucket_seconds * (n - 1) as f64),
        ] {
            let anchor = if k == 0 { "start" } else { "end" };
            let _ = write!(
                out,
                r#"<text x="{}" y="{}" font-size="11" text-anchor="{anchor}">{} UTC</text>"#,
                x_of(k),
                h - 10.0,
                utc(label)
            );
        }
        for (jail, values) in &t.series {
            let si = r.jails.iter().position(|j| j.name == *jail).unwrap_or(0);
            let points: Vec<String> = values
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    format!(
                        "{:.1},{:.1}",
                        x_of(i),
                        (h - bottom) - (h - bottom - 10.0) * (*v as f64) / max
                    )
                })
                .collect();
            let _ = write!(
                out,
                r#"<polyline class="series" data-jail="{}" fill="none" stroke="{}" stroke-width="1.5" points="{}"/>"#,
                esc(jail),
                color(si),
                points.join(" ")
            );
        }
    }
    out.push_str("</svg>\n");
    legend(r, out);
    let _ = writeln!(
        out,
        "<p class=\"note\">One point per {}.</p>",
        duration(t.bucket_seconds)
    );
}

fn ban_timeline(r: &AuditReport, out: &mut String) {
    let Some((first, last)) = r.span else {
        out.push_str("<p>No log lines.</p>\n");
        return;
    };
    // The most-banned addresses, at most 40 rows.
    let mut per_ip: BTreeMap<&str, usize> = BTreeMap::new();
    for b in &r.bans {
        *per_ip.entry(&b.ip).or_default() += 1;
    }
    let mut ips: Vec<(&str, usize)> = per_ip.into_iter().collect();
    ips.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    ips.truncate(40);
    if ips.is_empty() {
        out.push_str("<p>No bans.</p>\n");
        return;
    }
    let end = r
        .bans
        .iter()
        .map(|b| {
            if b.bantime < 0.0 {
                last
            } else {
                b.time + b.bantime
            }
        })
        .fold(last, f64::max);
    let span = (end - first).max(1.0);
    let (w, row, left) = (900.0, 14.0, 230.0);
    let h = row * ips.len() as f64 + 24.0;
    let jails: Vec<&str> = r.jails.iter().map(|j| j.name.as_str()).collect();
    let _ = write!(
        out,
        r#"<svg class="chart" id="ban-timeline" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="Ban timeline">"#
    );
    for (row_i, (ip, _)) in ips.iter().enumerate() {
        let y = row_i as f64 * row + 2.0;
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" font-size="10" text-anchor="end">{}</text>"#,
            left - 6.0,
            y + 10.0,
            esc(ip)
        );
        for b in r.bans.iter().filter(|b| b.ip == *ip) {
            let stop = if b.bantime < 0.0 {
                end
            } else {
                b.time + b.bantime
            };
            let x = left + (w - left - 10.0) * (b.time - first) / span;
            let bw = ((w - left - 10.0) * (stop - b.time) / span).max(1.5);
            let ci = jails.iter().position(|j| *j == b.jail).unwrap_or(0);
            let _ = write!(
                out,
                r#"<rect class="ban" x="{x:.1}" y="{y:.1}" width="{bw:.1}" height="{}" fill="{}"><title>{} {} from {} UTC for {}</title></rect>"#,
                row - 3.0,
                color(ci),
                esc(&b.jail),
                esc(&b.ip),
                utc(b.time),
                duration(b.bantime)
            );
        }
    }
    let _ = write!(
        out,
        r#"<text x="{left}" y="{}" font-size="11">{} UTC</text><text x="{}" y="{}" font-size="11" text-anchor="end">{} UTC</text>"#,
        h - 4.0,
        utc(first),
        w - 10.0,
        h - 4.0,
        utc(end)
    );
    out.push_str("</svg>\n");
}

fn hbar_chart(id: &str, label: &str, rows: &[(String, u64)], out: &mut String) {
    if rows.is_empty() {
        out.push_str("<p>None.</p>\n");
        return;
    }
    let max = rows.iter().map(|r| r.1).max().unwrap_or(1).max(1) as f64;
    let (w, row, left) = (900.0, 16.0, 230.0);
    let h = row * rows.len() as f64 + 4.0;
    let _ = write!(
        out,
        r#"<svg class="chart" id="{id}" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{}">"#,
        esc(label)
    );
    for (i, (name, v)) in rows.iter().enumerate() {
        let y = i as f64 * row + 2.0;
        let bw = ((w - left - 80.0) * (*v as f64) / max).max(1.0);
        let _ = write!(
            out,
            r##"<text x="{}" y="{}" font-size="11" text-anchor="end">{}</text><rect class="bar" x="{left}" y="{y}" width="{bw:.1}" height="{}" fill="#1f77b4"/><text x="{}" y="{}" font-size="11">{v}</text>"##,
            left - 6.0,
            y + 11.0,
            esc(name),
            row - 4.0,
            left + bw + 4.0,
            y + 11.0
        );
    }
    out.push_str("</svg>\n");
}

fn table(head: &[&str], rows: Vec<Vec<String>>, out: &mut String) {
    out.push_str("<table><thead><tr>");
    for h in head {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>\n");
    for r in rows {
        out.push_str("<tr>");
        for c in r {
            let _ = write!(out, "<td>{}</td>", esc(&c));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
}

/// The whole page.
pub fn render(r: &AuditReport, title: &str) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>\
body{{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:960px}}\
table{{border-collapse:collapse;margin:8px 0 16px}}td,th{{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:left}}\
th{{background:#f0f0f0}}.chart{{display:block;margin:8px 0;background:#fafafa;border:1px solid #ddd}}\
.legend span{{margin-right:14px;font-size:13px}}.legend i{{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px}}\
.note{{color:#666;font-size:12px}}h2{{margin-top:28px}}</style></head><body>\n",
        esc(title)
    );
    let _ = writeln!(out, "<h1>{}</h1>", esc(title));
    if let Some((a, b)) = r.span {
        let _ = writeln!(
            out,
            "<p>Log time {} to {} UTC ({}).</p>",
            utc(a),
            utc(b),
            duration(b - a)
        );
    }
    for w in &r.warnings {
        let _ = writeln!(out, "<p class=\"note\">Warning: {}</p>", esc(w));
    }
    out.push_str("<h2>Jails</h2>\n");
    table(
        &[
            "jail",
            "lines",
            "failures",
            "addresses",
            "bans",
            "maxretry",
            "findtime",
            "bantime",
        ],
        r.jails
            .iter()
            .map(|j| {
                vec![
                    j.name.clone(),
                    j.lines.to_string(),
                    j.failures.to_string(),
                    j.unique_ips.to_string(),
                    j.bans.to_string(),
                    j.maxretry.to_string(),
                    duration(j.findtime),
                    duration(j.bantime),
                ]
            })
            .collect(),
        &mut out,
    );
    out.push_str("<h2>Failures over time</h2>\n");
    failures_chart(r, &mut out);
    out.push_str("<h2>Ban timeline</h2>\n");
    ban_timeline(r, &mut out);
    legend(r, &mut out);
    out.push_str("<h2>Top offenders</h2>\n");
    let top: Vec<(String, u64)> = r
        .offenders
        .iter()
        .take(20)
        .map(|o| (o.ip.clone(), o.failures))
        .collect();
    hbar_chart(
        "top-offenders",
        "Failures of the top offenders",
        &top,
        &mut out,
    );
    table(
        &[
            "address",
            "first seen (UTC)",
            "last seen (UTC)",
            "failures",
            "bans",
            "longest ban",
            "jails",
        ],
        r.offenders
            .iter()
            .take(20)
            .map(|o| {
                vec![
                    o.ip.clone(),
                    utc(o.first_seen),
                    utc(o.last_seen),
                    o.failures.to_string(),
                    o.bans.to_string(),
                    if o.bans == 0 {
                        "–".into()
                    } else {
                        duration(o.longest_ban)
                    },
                    o.jails.join(", "),
                ]
            })
            .collect(),
        &mut out,
    );
    out.push_str("<h2>Address families and networks</h2>\n");
    hbar_chart(
        "families",
        "Attacking addresses per family",
        &[("IPv4".into(), r.families.0), ("IPv6".into(), r.families.1)],
        &mut out,
    );
    let top_nets: Vec<(String, u64)> = r
        .networks
        .iter()
        .take(15)
        .map(|(n, _, f)| (n.clone(), *f))
        .collect();
    hbar_chart(
        "networks",
        "Failures per /24 or /64 network",
        &top_nets,
        &mut out,
    );
    table(
        &["network", "addresses", "failures"],
        r.networks
            .iter()
            .take(15)
            .map(|(n, a, f)| vec![n.clone(), a.to_string(), f.to_string()])
            .collect(),
        &mut out,
    );
    if !r.slow.is_empty() {
        out.push_str("<h2>Slow attackers (stayed under maxretry)</h2>\n");
        table(
            &[
                "jail",
                "address",
                "failures",
                "highest count",
                "first seen (UTC)",
                "last seen (UTC)",
            ],
            r.slow
                .iter()
                .take(30)
                .map(|s| {
                    vec![
                        s.jail.clone(),
                        s.ip.clone(),
                        s.failures.to_string(),
                        s.peak_retry.to_string(),
                        utc(s.first_seen),
                        utc(s.last_seen),
                    ]
                })
                .collect(),
            &mut out,
        );
    }
    if !r.what_if.is_empty() {
        out.push_str("<h2>What if</h2>\n");
        table(
            &[
                "setting",
                "jail",
                "bans",
                "addresses banned",
                "bans now",
                "addresses now",
            ],
            r.what_if
                .iter()
                .map(|w| {
                    vec![
                        w.setting.clone(),
                        w.jail.clone(),
                        w.bans.to_string(),
                        w.unique_ips.to_string(),
                        w.baseline_bans.to_string(),
                        w.baseline_ips.to_string(),
                    ]
                })
                .collect(),
            &mut out,
        );
    }
    out.push_str("<p class=\"note\">Generated by f2b audit.</p>\n</body></html>\n");
    out
}
