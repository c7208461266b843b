//! `f2b dump --format json`: the resolved model for scripts, consistent with
//! the text stream.

mod common;

use common::*;
use std::path::Path;

#[test]
fn json_model_of_the_founding_setup() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("compat-fixtures/founding-setup");
    let out = run({
        let mut c = f2b();
        c.arg("dump").arg("-c").arg(&dir).args(["--format", "json"]);
        c
    });
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["ok"], true);
    assert_eq!(v["error"], serde_json::Value::Null);
    let jails = v["jails"].as_array().expect("jails");
    let names: Vec<&str> = jails.iter().map(|j| j["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["asterisk", "recidive"]);
    let asterisk = &jails[0];
    assert_eq!(asterisk["options"]["maxretry"], 10);
    assert_eq!(asterisk["options"]["findtime"], "6h");
    assert_eq!(asterisk["filter"]["name"], "asterisk");
    assert!(
        asterisk["filter"]["options"]["failregex"]
            .as_str()
            .unwrap()
            .contains("<HOST>")
    );
    let actions = asterisk["actions"].as_array().expect("actions");
    assert_eq!(actions[0]["name"], "firewallcmd-ipset-tcp");
    assert_eq!(actions[1]["params"]["protocol"], "udp");
    assert_eq!(
        actions[0]["commands"]["actionban"],
        "ipset -exist add <ipmset> <ip> timeout 0"
    );
    // The stream in JSON is the text stream, command for command.
    let text = run({
        let mut c = f2b();
        c.arg("dump").arg("-c").arg(&dir);
        c
    });
    let lines = String::from_utf8_lossy(&text.stdout).lines().count();
    assert_eq!(v["stream"].as_array().expect("stream").len(), lines);
}

#[test]
fn json_reports_skipped_jails_with_location() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("compat-fixtures/bad/missing-filter");
    let out = run({
        let mut c = f2b();
        c.arg("dump").arg("-c").arg(&dir).args(["--format", "json"]);
        c
    });
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let err = &v["jails"][0]["config_error"];
    assert_eq!(err["message"], "Unable to read the filter 'sshd-typo'");
    assert!(
        err["file"]
            .as_str()
            .unwrap()
            .ends_with("missing-filter/jail.conf")
    );
    assert_eq!(err["line"], 10);
    assert_eq!(err["column"], 10);
}
