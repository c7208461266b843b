//! `f2b audit` end to end: choose the configuration (a tree, the system's,
//! or the built-in set; optionally an ad hoc jail), hand the logs to the
//! jails, replay, and condense the outcome into an [`AuditReport`].

use super::builtin::{ScratchTree, copy_tree, write_builtin};
use super::input::rotated_set;
use super::report::{
    AuditReport, BanRecord, JailSummary, Offender, SlowAttacker, Timeline, WhatIf,
};
use crate::ban::jail::ReplayConfig;
use crate::ban::replay::{EventKind, Replay, ReplayInputs, ReplayOutcome};
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Clone, Default)]
pub struct AuditOptions {
    /// `-c DIR`; `None`: `/etc/fail2ban` when it exists and one of its
    /// jails reads the given logs (or no log is given), else the built-in set.
    pub conf: Option<String>,
    /// `--builtin`: the built-in set even when `/etc/fail2ban` exists.
    pub builtin: bool,
    /// `--jail NAME`: replay only these.
    pub jails: Vec<String>,
    /// `--log JAIL=PATH`.
    pub logs: Vec<(String, String)>,
    /// Logs for every replayed jail that does not read fail2ban's own log.
    pub positional: Vec<String>,
    /// `--filter NAME[params]` with `--maxretry/--findtime/--bantime`: an ad
    /// hoc jail named `audit`.
    pub filter: Option<String>,
    pub maxretry: Option<String>,
    pub findtime: Option<String>,
    pub bantime: Option<String>,
    /// `--what-if maxretry=5` (optionally `@jail`).
    pub what_if: Vec<String>,
    pub tz: Option<String>,
    pub now: Option<f64>,
    /// How many offenders the report keeps.
    pub top: usize,
    /// Bytes read by the replay (reset for each run), for a progress bar.
    pub progress: Option<std::sync::Arc<crate::ban::replay::Progress>>,
}

/// Where the configuration came from, for the report's header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSource {
    Tree(String),
    Builtin,
}

pub struct Audit {
    pub report: AuditReport,
    pub outcome: ReplayOutcome,
    pub source: ConfigSource,
}

fn is_recidive_fed(name: &str, logpaths: &[String], logtarget: &str) -> bool {
    name == "recidive" || logpaths.iter().any(|p| p == logtarget)
}

/// Parses `maxretry=5`, `findtime=1h@asterisk`.
pub fn parse_what_if(spec: &str) -> Result<(String, String, Option<String>), String> {
    let (setting, jail) = match spec.split_once('@') {
        Some((s, j)) => (s, Some(j.to_string())),
        None => (spec, None),
    };
    let (key, value) = setting
        .split_once('=')
        .ok_or_else(|| format!("--what-if {spec:?}: expected KEY=VALUE, e.g. maxretry=5"))?;
    let key = key.trim().to_string();
    if !matches!(key.as_str(), "maxretry" | "findtime" | "bantime") {
        return Err(format!(
            "--what-if {spec:?}: only maxretry, findtime and bantime can be changed"
        ));
    }
    Ok((key, value.trim().to_string(), jail))
}

fn apply_setting(
    cfg: &mut ReplayConfig,
    key: &str,
    value: &str,
    jail: Option<&str>,
) -> Result<(), String> {
    let secs = || {
        crate::config::timestr::str2seconds(value)
            .map_err(|e| format!("--what-if {key}={value}: {e}"))
    };
    for j in cfg
        .jails
        .iter_mut()
        .filter(|j| jail.is_none_or(|n| n == j.name))
    {
        match key {
            "maxretry" => {
                j.maxretry = value
                    .parse()
                    .map_err(|_| format!("--what-if maxretry={value}: not an integer"))?
            }
            "findtime" => j.findtime = secs()?.as_f64(),
            "bantime" => j.bantime = secs()?,
            _ => unreachable!("checked by parse_what_if"),
        }
    }
    Ok(())
}

const SYSTEM: &str = "/etc/fail2ban";

/// Whether the system's configuration is the one to replay: it exists and
/// either no log is named (its jails read their own logpaths) or one of
/// its jails watches one of the named logs. A log copied from elsewhere
/// gets the built-in jails instead. `Some(Some(cfg))` hands on the
/// configuration read to decide, so it is not read twice.
fn system_config(logs: &[String]) -> Option<Option<ReplayConfig>> {
    if !Path::new(SYSTEM).join("jail.conf").is_file() {
        return None;
    }
    if logs.is_empty() {
        return Some(None);
    }
    let Ok(cfg) = ReplayConfig::from_dir(SYSTEM) else {
        return Some(None); // let the replay report the configuration's error
    };
    let canon = |p: &str| std::fs::canonicalize(p).ok();
    let named: Vec<_> = logs.iter().filter_map(|l| canon(l)).collect();
    cfg.jails
        .iter()
        .flat_map(|j| j.logpaths.iter())
        .filter_map(|p| canon(p))
        .any(|p| named.contains(&p))
        .then_some(Some(cfg))
}

/// Where the configuration comes from.
struct Chosen {
    dir: String,
    source: ConfigSource,
    /// Keeps a scratch copy alive while it is read.
    _scratch: Option<ScratchTree>,
    /// Already read while choosing.
    config: Option<ReplayConfig>,
}

/// The configuration directory to read (with the ad hoc jail added to a
/// scratch copy when `--filter` is given).
fn choose_config(opts: &AuditOptions) -> Result<Chosen, String> {
    let system = match (&opts.conf, opts.builtin) {
        (None, false) => system_config(&opts.positional),
        _ => None,
    };
    let (dir, source, scratch, config) = match (&opts.conf, system) {
        (Some(c), _) => (c.clone(), ConfigSource::Tree(c.clone()), None, None),
        (None, Some(config)) => (
            SYSTEM.to_string(),
            ConfigSource::Tree(SYSTEM.into()),
            None,
            config,
        ),
        (None, None) => {
            let t = write_builtin().map_err(|e| format!("writing the built-in jail set: {e}"))?;
            (
                t.dir.display().to_string(),
                ConfigSource::Builtin,
                Some(t),
                None,
            )
        }
    };
    let Some(filter) = &opts.filter else {
        return Ok(Chosen {
            dir,
            source,
            _scratch: scratch,
            config,
        });
    };
    let tree = match scratch {
        Some(t) => t,
        None => copy_tree(Path::new(&dir)).map_err(|e| format!("{dir}: {e}"))?,
    };
    let root = tree.dir.clone();
    // A filter given as a file is copied into the tree's filter.d.
    let (name, params) = match filter.find('[') {
        Some(i) => (&filter[..i], &filter[i..]),
        None => (filter.as_str(), ""),
    };
    let name = if Path::new(name).is_file() {
        let stem = Path::new(name)
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        std::fs::create_dir_all(root.join("filter.d")).map_err(|e| e.to_string())?;
        std::fs::copy(name, root.join("filter.d").join(format!("{stem}.conf")))
            .map_err(|e| format!("{name}: {e}"))?;
        stem
    } else {
        name.to_string()
    };
    let mut jail =
        format!("[audit]\nenabled = true\nfilter = {name}{params}\nlogpath = /dev/null\n");
    for (k, v) in [
        ("maxretry", &opts.maxretry),
        ("findtime", &opts.findtime),
        ("bantime", &opts.bantime),
    ] {
        if let Some(v) = v {
            jail.push_str(&format!("{k} = {v}\n"));
        }
    }
    std::fs::create_dir_all(root.join("jail.d")).map_err(|e| e.to_string())?;
    std::fs::write(root.join("jail.d/zz-f2b-audit.local"), jail).map_err(|e| e.to_string())?;
    Ok(Chosen {
        dir: root.display().to_string(),
        source,
        _scratch: Some(tree),
        config: None,
    })
}

fn inputs_for(
    opts: &AuditOptions,
    cfg: &ReplayConfig,
    only: &Option<Vec<String>>,
) -> Result<ReplayInputs, String> {
    let mut files = Vec::new();
    for p in &opts.positional {
        for f in rotated_set(Path::new(p)).map_err(|e| e.to_string())? {
            files.push(f.path.display().to_string());
        }
    }
    let mut logs: Vec<(String, Vec<String>)> = Vec::new();
    for j in &cfg.jails {
        if only.as_ref().is_some_and(|o| !o.contains(&j.name)) {
            continue;
        }
        let explicit: Vec<String> = opts
            .logs
            .iter()
            .filter(|(n, _)| *n == j.name)
            .map(|(_, p)| p.clone())
            .collect();
        if !explicit.is_empty() {
            let mut expanded = Vec::new();
            for p in explicit {
                for f in rotated_set(Path::new(&p)).map_err(|e| e.to_string())? {
                    expanded.push(f.path.display().to_string());
                }
            }
            logs.push((j.name.clone(), expanded));
        } else if !files.is_empty() && !is_recidive_fed(&j.name, &j.logpath_raw, &cfg.logtarget) {
            logs.push((j.name.clone(), files.clone()));
        }
    }
    for (n, _) in &opts.logs {
        if !cfg.jails.iter().any(|j| j.name == *n) {
            return Err(format!("--log {n}=…: no enabled jail {n:?}"));
        }
    }
    Ok(ReplayInputs {
        logs,
        only: only.clone(),
        tz: opts.tz.clone(),
        now: opts.now,
        progress: opts.progress.clone(),
        ..Default::default()
    })
}

/// Runs the audit.
pub fn audit(opts: &AuditOptions) -> Result<Audit, String> {
    let Chosen {
        dir,
        source,
        _scratch: _keep,
        config,
    } = choose_config(opts)?;
    let mut cfg = match config {
        Some(c) => c,
        None => ReplayConfig::from_dir(&dir)?,
    };
    let only = if opts.filter.is_some() {
        Some(vec!["audit".to_string()])
    } else if opts.jails.is_empty() {
        None
    } else {
        Some(opts.jails.clone())
    };
    if let Some(o) = &only {
        // Named jails are replayed even when disabled (like the client).
        for n in o {
            if !cfg.jails.iter().any(|j| j.name == *n) {
                return Err(format!("no jail {n:?} in {dir}"));
            }
        }
    }
    cfg.jails.retain(|j| {
        only.as_ref().is_none_or(|o| o.contains(&j.name)) || j.name == "recidive" && only.is_none()
    });
    let inputs = inputs_for(opts, &cfg, &only)?;
    let replay = Replay::new(cfg.clone());
    let outcome = replay.run(&inputs)?;
    let mut report = condense(&outcome, &cfg, opts.top.max(1));
    for spec in &opts.what_if {
        let (key, value, jail) = parse_what_if(spec)?;
        if let Some(p) = &opts.progress {
            p.read.store(0, std::sync::atomic::Ordering::Relaxed);
            p.total.store(0, std::sync::atomic::Ordering::Relaxed);
        }
        let mut changed = cfg.clone();
        apply_setting(&mut changed, &key, &value, jail.as_deref())?;
        let alt = Replay::new(changed).run(&inputs)?;
        for j in &outcome.jails {
            if jail.as_deref().is_some_and(|n| n != j.name) {
                continue;
            }
            let Some(a) = alt.jails.iter().find(|a| a.name == j.name) else {
                continue;
            };
            report.what_if.push(WhatIf {
                setting: format!("{key}={value}"),
                jail: j.name.clone(),
                bans: a.bans,
                unique_ips: a.ips_banned,
                baseline_bans: j.bans,
                baseline_ips: j.ips_banned,
            });
        }
    }
    Ok(Audit {
        report,
        outcome,
        source,
    })
}

/// The report's view of a replay.
pub fn condense(outcome: &ReplayOutcome, cfg: &ReplayConfig, top: usize) -> AuditReport {
    let mut report = AuditReport {
        warnings: outcome.warnings.clone(),
        ..Default::default()
    };
    report.span = match (outcome.first, outcome.last_line) {
        (Some(a), Some(b)) => Some((a, b)),
        _ => None,
    };
    for e in outcome.events.iter().filter(|e| e.kind == EventKind::Ban) {
        report.bans.push(BanRecord {
            jail: e.jail.clone(),
            ip: e.ip.clone(),
            time: e.time,
            bantime: e.ban_time.as_f64(),
            failures: e.failures.max(0) as u64,
            bancount: u64::from(e.ban_count),
        });
    }
    for j in &outcome.jails {
        let c = cfg.jails.iter().find(|c| c.name == j.name);
        let unique = outcome
            .per_jail_ips
            .get(&j.name)
            .map_or(0, |m| m.len() as u64);
        report.jails.push(JailSummary {
            name: j.name.clone(),
            lines: j.lines,
            failures: j.failures,
            unique_ips: unique,
            bans: j.bans,
            maxretry: c.map_or(0, |c| c.maxretry),
            findtime: c.map_or(0.0, |c| c.findtime),
            bantime: c.map_or(0.0, |c| c.bantime.as_f64()),
        });
    }
    let mut offenders: Vec<Offender> = outcome
        .ips
        .iter()
        .map(|s| Offender {
            ip: s.ip.clone(),
            first_seen: s.first_seen,
            last_seen: s.last_seen,
            failures: s.failures,
            bans: s.bans,
            longest_ban: s.longest_ban.map_or(0.0, |b| b.as_f64()),
            jails: s.jails.clone(),
        })
        .collect();
    let mut nets: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for o in &offenders {
        let (v6, net) = super::html::network(&o.ip);
        if v6 {
            report.families.1 += 1;
        } else {
            report.families.0 += 1;
        }
        let e = nets.entry(net).or_default();
        e.0 += 1;
        e.1 += o.failures;
    }
    report.networks = nets.into_iter().map(|(n, (a, f))| (n, a, f)).collect();
    report
        .networks
        .sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    report.networks.truncate(top.max(15));
    offenders.sort_by(|a, b| b.failures.cmp(&a.failures).then(a.ip.cmp(&b.ip)));
    offenders.truncate(top);
    report.offenders = offenders;
    // Slow attackers: never banned in a jail, but repeatedly counted there.
    for (jail, ips) in &outcome.per_jail_ips {
        let maxretry = cfg
            .jails
            .iter()
            .find(|c| c.name == *jail)
            .map_or(i64::MAX, |c| c.maxretry);
        for (ip, s) in ips {
            if s.bans == 0 && s.failures >= 2 && s.peak_retry < maxretry {
                report.slow.push(SlowAttacker {
                    jail: jail.clone(),
                    ip: ip.clone(),
                    failures: s.failures,
                    peak_retry: s.peak_retry.max(0) as u64,
                    first_seen: s.first_seen,
                    last_seen: s.last_seen,
                });
            }
        }
    }
    report.slow.sort_by(|a, b| {
        b.peak_retry
            .cmp(&a.peak_retry)
            .then(b.failures.cmp(&a.failures))
            .then(a.ip.cmp(&b.ip))
    });
    report.slow.truncate(top);
    report.timeline = timeline(outcome, report.span);
    report
}

/// Failures per jail in about 100 buckets over the log's span.
fn timeline(outcome: &ReplayOutcome, span: Option<(f64, f64)>) -> Timeline {
    let Some((first, last)) = span else {
        return Timeline::default();
    };
    let width = (((last - first) / 100.0 / 60.0).ceil() * 60.0).max(60.0);
    let n = ((last - first) / width).floor() as usize + 1;
    let mut series: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for (jail, minutes) in &outcome.failures_per_minute {
        let v = series.entry(jail.clone()).or_insert_with(|| vec![0; n]);
        for (minute, count) in minutes {
            let t = *minute as f64 * 60.0;
            let i = (((t - first) / width).floor().max(0.0) as usize).min(n - 1);
            v[i] += count;
        }
    }
    Timeline {
        start: first,
        bucket_seconds: width,
        series: outcome
            .jails
            .iter()
            .filter_map(|j| series.remove(&j.name).map(|v| (j.name.clone(), v)))
            .collect(),
    }
}
