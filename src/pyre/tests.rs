use super::*;

fn c(p: &str) -> Regex {
    compile(p, Flags::default()).unwrap_or_else(|e| panic!("{p}: {e}"))
}

fn spans(p: &str, t: &str) -> Option<Vec<Option<(usize, usize)>>> {
    let r = c(p);
    r.search(t).unwrap().map(|m| (0..=r.group_count()).map(|i| m.get(i)).collect())
}

#[test]
fn smoke() {
    assert_eq!(spans("a(b)c", "xabc"), Some(vec![Some((1, 4)), Some((2, 3))]));
}
