//! F2B210 action-protocol: the ban actions cannot block the service's protocol.

use super::common::{at_entry, jail_entry, jail_own_entry};
use crate::config::value::OptValue;
use crate::diag::Severity;
use crate::lint::finding::Finding;
use crate::lint::model::{ActionUnit, Context, JailUnit};
use crate::lint::registry::{FixKind, Rule, RuleInfo};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        code: "F2B210",
        name: "action-protocol",
        summary: "A ban action that cannot block the service's protocol",
        severity: Severity::Warning,
        fix: FixKind::None,
        what: "An enabled jail for a service that runs over UDP (SIP: Asterisk, FreeSWITCH, \
Kamailio, OpenSIPS, or ports 5060/5061; DNS: named, port 53) whose every action blocks only \
TCP: its `protocol` is `tcp` and the action's commands use it. A `recidive` jail is checked \
too when such a service has an enabled jail, since it bans the same attackers.",
        why: "SIP brute force arrives over UDP. An action with `protocol = tcp` (the default of \
jail.conf, and of the `*-allports` actions) adds the address to a rule that only matches TCP: \
the jail logs bans and fills its set while the attacker keeps registering over UDP \
(fail2ban #2782, #4204).",
        example: "[asterisk]\nenabled = true\nport = 5060,5061\naction = iptables-multiport[port=\"5060,5061\", protocol=\"tcp\"]\n",
        example_fixed: "[asterisk]\nenabled = true\nport = 5060,5061\n\
action = iptables-multiport[name=asterisk-tcp, port=\"5060,5061\", protocol=\"tcp\"]\n         \
iptables-multiport[name=asterisk-udp, port=\"5060,5061\", protocol=\"udp\"]\n",
        references: &["fail2ban #2782", "fail2ban #4204"],
    },
    check,
};

const SIP_NAMES: [&str; 5] = ["asterisk", "freeswitch", "kamailio", "opensips", "sip"];
const DNS_NAMES: [&str; 2] = ["named", "bind"];

/// "SIP" or "DNS" when the jail's service runs over UDP.
fn udp_service(j: &JailUnit) -> Option<&'static str> {
    let filter = j.filter.as_ref().map_or("", |f| f.name.as_str());
    let names = [j.name.as_str(), filter];
    let has = |list: &[&str]| {
        names
            .iter()
            .any(|n| list.iter().any(|s| n.to_ascii_lowercase().contains(s)))
    };
    let ports: Vec<String> = j
        .opt_text("port")
        .map(|p| {
            p.text
                .split(|c: char| c == ',' || c == ':' || c.is_whitespace())
                .map(|s| s.trim().to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default();
    let port = |list: &[&str]| ports.iter().any(|p| list.contains(&p.as_str()));
    if has(&SIP_NAMES) || port(&["5060", "5061", "sip", "sip-tls"]) {
        Some("SIP")
    } else if has(&DNS_NAMES) || port(&["53", "domain"]) {
        Some("DNS")
    } else {
        None
    }
}

/// Whether an action blocks only TCP: its protocol is `tcp` and its
/// commands carry it.
fn tcp_only(a: &ActionUnit) -> bool {
    let protocol = a
        .init
        .get("protocol")
        .map(|p| p.text.trim().to_ascii_lowercase());
    if protocol.as_deref() != Some("tcp") {
        return false;
    }
    ["actionstart", "actionban"]
        .iter()
        .any(|k| match a.options.get(*k) {
            Some(OptValue::Str(s)) => s.text.contains("tcp"),
            _ => false,
        })
}

fn finding(ctx: &Context, j: &JailUnit, message: String) -> Finding {
    let f = Finding::new(&RULE.info, message)
        .label("these actions block only TCP")
        .hint(
            "add a second action with protocol=\"udp\" (and its own name=), or use an action \
             whose protocol is `all`",
        );
    let entry = jail_own_entry(ctx, &j.name, "action")
        .or_else(|| jail_own_entry(ctx, &j.name, "banaction"))
        .or_else(|| jail_entry(ctx, &j.name, "action"));
    at_entry(f, ctx, entry)
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let live = |j: &&JailUnit| j.runs();
    let mut udp_jails = Vec::new();
    for j in ctx.jails.iter().filter(live) {
        let Some(service) = udp_service(j) else {
            continue;
        };
        udp_jails.push((j.name.clone(), service));
        if j.actions.is_empty() || j.python_actions > 0 || !j.actions.iter().all(tcp_only) {
            continue;
        }
        out.push(finding(
            ctx,
            j,
            format!(
                "jail [{}]: {service} runs over UDP, but every action of the jail blocks only TCP",
                j.name
            ),
        ));
    }
    let Some((first, service)) = udp_jails.first() else {
        return;
    };
    for r in ctx.jails.iter().filter(live) {
        let recidive = r.filter.as_ref().is_some_and(|f| f.name == "recidive");
        if !recidive || r.actions.is_empty() || !r.actions.iter().all(tcp_only) {
            continue;
        }
        out.push(finding(
            ctx,
            r,
            format!(
                "jail [{}]: bans repeat offenders of [{first}] ({service}, over UDP), but its \
                 actions block only TCP, so they keep reaching the service",
                r.name
            ),
        ));
    }
}
