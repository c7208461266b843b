//! `f2b check`: fail2ban-client -t's verdict plus a diagnostic per problem.

use super::{EXIT_OK, EXIT_PROBLEMS, Format};
use crate::client::{ClientOptions, DumpMode, run as run_client};
use crate::config::log::Level;
use crate::diag::{Diagnostic, Severity};
use serde_json::json;

/// Diagnostics for one run: the fatal error, skipped jails, and warnings
/// fail2ban logs.
pub fn diagnostics(outcome: &crate::client::ClientOutcome) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for j in &outcome.jails {
        if let Some(e) = &j.config_error {
            out.push(
                Diagnostic::from_config_error(Severity::Error, "jail::skipped", e)
                    .with_label(format!("jail '{}' is skipped because of this", j.name)),
            );
        }
    }
    if let Some(e) = &outcome.fatal {
        out.push(Diagnostic::from_config_error(
            Severity::Error,
            "config::fatal",
            e,
        ));
    }
    for note in &outcome.store.notes {
        out.push(Diagnostic::from_config_error(
            Severity::Warning,
            "config::silent",
            note,
        ));
    }
    for r in &outcome.store.log.records {
        let reader = matches!(
            r.logger,
            "fail2ban.configreader" | "fail2ban.configparserinc"
        );
        let severity = match r.level {
            Level::Warning => Severity::Warning,
            Level::Error if reader => Severity::Error,
            _ => continue,
        };
        // fail2ban repeats some warnings (early and full option reads).
        if out
            .iter()
            .any(|d: &Diagnostic| d.message == r.message && d.loc == r.loc)
        {
            continue;
        }
        let mut d = Diagnostic::new(severity, "config::log", r.message.clone());
        d.loc = r.loc;
        if r.message
            .contains("not defined in 'Definition'. Using default one")
        {
            d.severity = Severity::Info;
        }
        out.push(d);
    }
    out
}

pub fn run(conf: &str, allow_missing_logs: bool, verbose: bool, format: Format) -> i32 {
    let opts = ClientOptions {
        conf: conf.to_string(),
        test: true,
        dump: allow_missing_logs.then_some(DumpMode::Plain),
        ..Default::default()
    };
    let outcome = run_client(&opts);
    // fail2ban's own verdict, and ours: also fail on errors fail2ban only logs.
    let verdict = outcome.exit_code == 0;
    let diags = diagnostics(&outcome);
    let ok = verdict && diags.iter().all(|d| d.severity != Severity::Error);
    match format {
        Format::Text => {
            for d in diags
                .iter()
                .filter(|d| verbose || d.severity != Severity::Info)
            {
                eprintln!("{}", d.render(&outcome.store.sources));
            }
            if verdict {
                println!("OK: configuration test is successful");
            } else {
                println!("ERROR: test configuration failed");
            }
        }
        Format::Json => {
            let doc = json!({
                "conf": conf,
                "ok": ok,
                "fail2ban_verdict": if verdict { "OK" } else { "failed" },
                "diagnostics": diags.iter().map(|d| d.to_json(&outcome.store.sources)).collect::<Vec<_>>(),
            });
            println!("{}", serde_json::to_string_pretty(&doc).expect("json"));
        }
    }
    if ok { EXIT_OK } else { EXIT_PROBLEMS }
}
