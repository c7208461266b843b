//! Loading a filter the way fail2ban's sample test does: `FilterReader`
//! with the option set, `getOptions({})`, then the command stream applied
//! to a server `Filter` (raw hosts, every regex tried, no findtime).

use super::{LoadedFilter, SampleEnv};
use crate::config::definition::DefinitionReader;
use crate::config::store::Store;
use crate::date::DateDetector;
use crate::filter::{Filter, FilterOptions};
use crate::source::SString;
use serde_json::{Map, Value};
use std::path::Path;

pub fn load_filter(
    name: &str,
    basedir: &Path,
    opts: &Map<String, Value>,
    env: &SampleEnv,
) -> Result<LoadedFilter, String> {
    let mut params: crate::Map<String, SString> = crate::Map::default();
    for (k, v) in opts {
        if k.starts_with("test.") {
            continue;
        }
        let t = match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        params.insert(k.clone(), SString::synthetic(&t));
    }
    let base = basedir.to_string_lossy().to_string();
    let mut store = Store::new(&base);
    let mut reader = DefinitionReader::new_filter(name, "jail", params);
    let ok = reader.read(&mut store).map_err(|e| e.message.clone())?;
    if !ok {
        return Err(format!("filter {name} not found under {base}"));
    }
    reader
        .get_options(&mut store, &crate::Map::default(), false)
        .map_err(|e| e.message.clone())?;
    let stream = reader
        .filter_stream(&mut store)
        .map_err(|e| e.message.clone())?;
    let mut filter = Filter::new(FilterOptions {
        return_raw_host: true,
        check_all: true,
        flavor: env.flavor,
        ..Default::default()
    });
    let mut date: Option<DateDetector> = Some(DateDetector::new_default(env.date_opts.clone()));
    let mut regexes = Vec::new();
    for cmd in &stream {
        let Some((opt, values)) = crate::config::stream::filter_command(cmd) else {
            continue;
        };
        for v in values {
            match opt {
                "prefregex" => filter.set_prefregex(&v).map_err(|e| e.to_string())?,
                "addfailregex" => {
                    filter.add_failregex(&v).map_err(|e| e.to_string())?;
                    regexes.push(filter.fail.last().expect("added").expanded.clone());
                }
                "addignoreregex" => filter.add_ignoreregex(&v).map_err(|e| e.to_string())?,
                "maxlines" => {
                    let n = crate::config::value::py_int(&v)
                        .and_then(|s| s.parse::<usize>().ok())
                        .filter(|n| *n > 0)
                        .ok_or_else(|| format!("bad maxlines {v}"))?;
                    filter.opts.maxlines = n;
                }
                "datepattern" => {
                    date = Some(
                        DateDetector::from_datepattern(&v, env.date_opts.clone())
                            .map_err(|e| e.to_string())?,
                    );
                }
                _ => {}
            }
        }
    }
    let used = vec![false; regexes.len()];
    Ok(LoadedFilter {
        filter,
        date,
        regexes,
        used,
    })
}
