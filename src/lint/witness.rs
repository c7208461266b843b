//! Witness strings: a text that a Python regex (as parsed by [`crate::pyre`])
//! matches, built from its parse tree.
//!
//! The generator is deliberately simple and short: literals are copied,
//! a character class gives one representative character, a repeat gives its
//! minimum number of copies, anchors and lookarounds give nothing. Chosen
//! capture groups can be pinned to a given text (the `ip4` group of `<HOST>`
//! to an address, the prefregex's `content` group to a failregex witness).
//! Nothing here is trusted: callers run the real matcher on what they build.
//!
//! For text surgery around one group (the host), [`flatten`] turns a pattern
//! into a linear list of [`Piece`]s with that group at top level, and
//! [`Gen::run`] reports where each piece's text lies in the result.

use crate::pyre::ast::{At, Cat, MAXREPEAT, Node, RepKind, SetItem};
use std::collections::HashMap;
use std::ops::Range;

/// Repeats with more copies than this as their minimum are not generated.
const MAX_MIN_REPEAT: u64 = 256;

/// Characters tried, in order, as the representative of a negated class.
const PREFERRED: &[char] = &[
    'x', 'a', '0', '_', '-', '.', ':', '/', '@', ' ', '=', '#', 'Z', '~', '!',
];

/// Whether a one-character node matches `c` (`None`: not a one-character
/// node), by the matcher model's own test (Python's case folding and
/// categories).
pub fn char_node_matches(node: &Node, c: char, flags: u32) -> Option<bool> {
    matches!(
        node,
        Node::Any | Node::Literal(_) | Node::NotLiteral(_) | Node::In { .. }
    )
    .then(|| crate::lint::backtrack::char_node_matches(node, flags, c))
}

/// Whether `c` is in the category, under `flags`.
fn cat_has(cat: Cat, c: char, flags: u32) -> bool {
    let class = Node::In {
        negate: false,
        items: vec![SetItem::Cat(cat)],
    };
    crate::lint::backtrack::char_node_matches(&class, flags, c)
}

/// The one-character body of a repeat (`.`, `[^']`, `\S`), if it has one.
pub fn repeat_char_body(body: &[Node]) -> Option<&Node> {
    match body {
        [n @ (Node::Any | Node::In { .. } | Node::NotLiteral(_) | Node::Literal(_))] => Some(n),
        _ => None,
    }
}

/// A representative character of a one-character node.
fn representative(node: &Node, flags: u32) -> Option<char> {
    match node {
        Node::Literal(l) => char::from_u32(*l),
        Node::Any | Node::NotLiteral(_) => PREFERRED
            .iter()
            .copied()
            .find(|&c| char_node_matches(node, c, flags) == Some(true)),
        Node::In { negate, items } => {
            if !negate {
                for item in items {
                    let c = match *item {
                        SetItem::Lit(l) => char::from_u32(l),
                        SetItem::Range(a, b) => {
                            // A letter or digit of the range reads better
                            // than its first code point.
                            PREFERRED
                                .iter()
                                .copied()
                                .find(|&c| a <= c as u32 && c as u32 <= b)
                                .or_else(|| char::from_u32(a))
                        }
                        SetItem::Cat(cat) => PREFERRED
                            .iter()
                            .copied()
                            .find(|&c| cat_has(cat, c, flags))
                            .or(Some('\u{e9}')),
                    };
                    if let Some(c) = c
                        && char_node_matches(node, c, flags) == Some(true)
                    {
                        return Some(c);
                    }
                }
                None
            } else {
                PREFERRED
                    .iter()
                    .copied()
                    .find(|&c| char_node_matches(node, c, flags) == Some(true))
            }
        }
        _ => None,
    }
}

/// Whether capture group `group` occurs in `nodes`.
pub fn contains_group(nodes: &[Node], group: usize) -> bool {
    nodes.iter().any(|n| match n {
        Node::Group { group: g, body, .. } => *g == Some(group) || contains_group(body, group),
        Node::Atomic(b) | Node::Repeat { body: b, .. } | Node::Assert { body: b, .. } => {
            contains_group(b, group)
        }
        Node::Branch(alts) => alts.iter().any(|a| contains_group(a, group)),
        Node::GroupRefExists { yes, no, .. } => {
            contains_group(yes, group) || no.as_ref().is_some_and(|n| contains_group(n, group))
        }
        _ => false,
    })
}

/// One element of a flattened pattern.
#[derive(Debug, Clone, Copy)]
pub enum Piece<'a> {
    /// A node kept whole.
    Node(&'a Node),
    /// Start of capture group `n` whose body follows as pieces.
    Open(usize),
    /// Its end.
    Close(usize),
}

impl Piece<'_> {
    /// The capture group this piece is, when it is a whole group node.
    pub fn group(&self) -> Option<usize> {
        match self {
            Piece::Node(Node::Group { group, .. }) => *group,
            _ => None,
        }
    }
}

/// `nodes` as a linear list in which the capture group `target` is a piece
/// of its own: every group and atomic group is opened into its body, the
/// alternative of a branch that holds the target replaces the branch, an
/// optional repeat that holds the target is taken once. `None` when the
/// target is not reachable that way (inside a lookaround, a conditional, a
/// repeat of two or more).
pub fn flatten(nodes: &[Node], target: usize) -> Option<Vec<Piece<'_>>> {
    let mut out = Vec::new();
    flatten_into(nodes, target, &mut out)?;
    out.iter().any(|p| p.group() == Some(target)).then_some(out)
}

fn flatten_into<'a>(nodes: &'a [Node], target: usize, out: &mut Vec<Piece<'a>>) -> Option<()> {
    for n in nodes {
        match n {
            Node::Group { group: Some(g), .. } if *g == target => out.push(Piece::Node(n)),
            Node::Group { group, body, .. } => {
                if let Some(g) = group {
                    out.push(Piece::Open(*g));
                }
                flatten_into(body, target, out)?;
                if let Some(g) = group {
                    out.push(Piece::Close(*g));
                }
            }
            Node::Atomic(body) => flatten_into(body, target, out)?,
            Node::Branch(alts) if contains_group(std::slice::from_ref(n), target) => {
                let alt = alts.iter().find(|a| contains_group(a, target))?;
                flatten_into(alt, target, out)?;
            }
            Node::Repeat { min, max, body, .. } if contains_group(body, target) => {
                if *min > 1 || *max == 0 {
                    return None;
                }
                flatten_into(body, target, out)?;
            }
            n if contains_group(std::slice::from_ref(n), target) => return None,
            n => out.push(Piece::Node(n)),
        }
    }
    Some(())
}

/// The generator: pinned group texts and the captures made so far (for
/// backreferences and conditionals).
pub struct Gen<'s> {
    /// Capture group → the exact text it must produce.
    pub pinned: &'s HashMap<usize, String>,
    /// The pattern's global flags.
    pub flags: u32,
    captures: HashMap<usize, String>,
}

impl<'s> Gen<'s> {
    pub fn new(pinned: &'s HashMap<usize, String>, flags: u32) -> Gen<'s> {
        Gen {
            pinned,
            flags,
            captures: HashMap::new(),
        }
    }

    /// The text capture group `g` got, if it took part.
    pub fn capture(&self, g: usize) -> Option<&str> {
        self.captures.get(&g).map(String::as_str)
    }

    fn holds_pinned(&self, nodes: &[Node]) -> bool {
        self.pinned.keys().any(|g| contains_group(nodes, *g))
    }

    /// Appends a witness of `nodes` to `out`.
    pub fn nodes(&mut self, nodes: &[Node], flags: u32, out: &mut String) -> Option<()> {
        nodes.iter().try_for_each(|n| self.node(n, flags, out))
    }

    fn node(&mut self, n: &Node, flags: u32, out: &mut String) -> Option<()> {
        match n {
            Node::Literal(_) | Node::NotLiteral(_) | Node::Any | Node::In { .. } => {
                out.push(representative(n, flags)?);
            }
            Node::At(_) | Node::Assert { .. } => {}
            Node::Branch(alts) => {
                let pinned = alts.iter().position(|a| self.holds_pinned(a));
                let order: Vec<usize> = match pinned {
                    Some(i) => vec![i],
                    None => (0..alts.len()).collect(),
                };
                let mark = out.len();
                let mut done = false;
                for i in order {
                    out.truncate(mark);
                    if self.nodes(&alts[i], flags, out).is_some() {
                        done = true;
                        break;
                    }
                }
                if !done {
                    return None;
                }
            }
            Node::Group {
                group,
                add,
                del,
                body,
            } => {
                let start = out.len();
                match group.and_then(|g| self.pinned.get(&g)) {
                    Some(text) => out.push_str(text),
                    None => self.nodes(body, (flags | add) & !del, out)?,
                }
                if let Some(g) = group {
                    self.captures.insert(*g, out[start..].to_string());
                }
            }
            Node::Atomic(body) => self.nodes(body, flags, out)?,
            Node::Repeat { min, max, body, .. } => {
                let mut times = *min;
                if times == 0 && *max > 0 && self.holds_pinned(body) {
                    times = 1;
                }
                if times > MAX_MIN_REPEAT {
                    return None;
                }
                for _ in 0..times {
                    self.nodes(body, flags, out)?;
                }
            }
            Node::GroupRef(g) => out.push_str(self.captures.get(g)?),
            Node::GroupRefExists { group, yes, no } => {
                if self.captures.contains_key(group) {
                    self.nodes(yes, flags, out)?;
                } else if let Some(no) = no {
                    self.nodes(no, flags, out)?;
                }
            }
        }
        Some(())
    }

    /// Generates `pieces` in order; returns the text and the byte range
    /// each piece produced.
    pub fn run(&mut self, pieces: &[Piece<'_>]) -> Option<(String, Vec<Range<usize>>)> {
        let mut out = String::new();
        let mut spans = Vec::with_capacity(pieces.len());
        let mut open: Vec<(usize, usize)> = Vec::new();
        for p in pieces {
            let start = out.len();
            match p {
                Piece::Node(n) => self.node(n, self.flags, &mut out)?,
                Piece::Open(g) => open.push((*g, start)),
                Piece::Close(g) => {
                    if let Some(pos) = open.iter().rposition(|(o, _)| o == g) {
                        let (_, s) = open.remove(pos);
                        self.captures.insert(*g, out[s..].to_string());
                    }
                }
            }
            spans.push(start..out.len());
        }
        Some((out, spans))
    }
}

/// A witness of a whole parsed pattern with `pinned` group texts.
pub fn witness(
    parsed: &crate::pyre::ast::Parsed,
    pinned: &HashMap<usize, String>,
) -> Option<String> {
    let mut g = Gen::new(pinned, parsed.flags);
    let mut out = String::new();
    g.nodes(&parsed.nodes, parsed.flags, &mut out)?;
    Some(out)
}

/// The number of a named group.
pub fn group_index(parsed: &crate::pyre::ast::Parsed, name: &str) -> Option<usize> {
    parsed
        .names
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, i)| *i)
}

/// A repeat that can run over arbitrary text: greedy or lazy, with no
/// useful upper bound, over one character class.
pub fn is_open_repeat(n: &Node) -> Option<(&Node, RepKind, u64)> {
    match n {
        Node::Repeat {
            min,
            max,
            kind,
            body,
        } if *max == MAXREPEAT || *max >= 64 => Some((repeat_char_body(body)?, *kind, *min)),
        _ => None,
    }
}

/// Whether the piece is an end anchor (`$`, `\Z`).
pub fn is_end_anchor(p: &Piece<'_>) -> bool {
    matches!(p, Piece::Node(Node::At(At::End | At::EndString)))
}

/// Whether the piece is any line or string anchor.
pub fn is_anchor(p: &Piece<'_>) -> bool {
    matches!(
        p,
        Piece::Node(Node::At(
            At::Beginning | At::BeginningString | At::End | At::EndString
        ))
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pyre::{self, Flags};

    fn parse(p: &str) -> crate::pyre::ast::Parsed {
        pyre::parse_tree(p, Flags::default()).expect("parses")
    }

    fn check(p: &str, pinned: &[(&str, &str)]) -> String {
        let parsed = parse(p);
        let pins: HashMap<usize, String> = pinned
            .iter()
            .map(|(n, t)| (group_index(&parsed, n).expect("group"), t.to_string()))
            .collect();
        let w = witness(&parsed, &pins).expect("witness");
        let re = pyre::compile(p, Flags::default()).expect("compiles");
        let m = re.search(&w).expect("runs").expect("the witness matches");
        for (n, t) in pinned {
            assert_eq!(m.name_str(n), Some(*t), "group {n} of {p:?} on {w:?}");
        }
        w
    }

    #[test]
    fn literals_classes_and_repeats() {
        assert_eq!(check(r"^abc$", &[]), "abc");
        assert_eq!(check(r"a\d{3}b", &[]), "a000b");
        assert_eq!(check(r"x[^']*y.+z", &[]), "xyxz");
        assert_eq!(check(r"\S+\s\w", &[]), "x x");
        assert_eq!(check(r"[A-Z][0-9]", &[]), "Z0");
        assert_eq!(check(r"[^x]", &[]), "a");
        assert_eq!(check(r"(?:foo|bar)?baz", &[]), "baz");
        assert_eq!(check(r"(?:foo|bar)baz", &[]), "foobaz");
    }

    #[test]
    fn backreferences_and_conditionals() {
        assert_eq!(check(r"(?P<q>['x])a(?P=q)", &[]), "'a'");
        assert_eq!(check(r"(?P<s>\[)?1(?(s)\]|;)", &[]), "1;");
        assert_eq!(check(r"(?P<s>\[)1(?(s)\]|;)", &[]), "[1]");
    }

    #[test]
    fn pinned_groups_pick_their_alternative() {
        let host = crate::lint::regex_ast::expand(
            r"from <HOST> port \d+$",
            "warn",
            crate::filter::Flavor::V1_0_2,
        );
        assert_eq!(check(&host, &[("ip4", "8.8.8.8")]), "from 8.8.8.8 port 0");
        let optional = r"user(?: from (?P<ip4>\d+\.\d+))?$";
        assert_eq!(check(optional, &[("ip4", "1.2")]), "user from 1.2");
    }

    #[test]
    fn flatten_puts_the_target_at_top_level() {
        let p = parse(r"^(?:a|b(?P<u>.*)c(?:x(?P<h>\d+)y)?)z$");
        let h = group_index(&p, "h").unwrap();
        let pieces = flatten(&p.nodes, h).expect("reachable");
        let pos = pieces.iter().position(|x| x.group() == Some(h)).unwrap();
        let pins = HashMap::from([(h, "42".to_string())]);
        let (text, spans) = Gen::new(&pins, p.flags).run(&pieces).unwrap();
        assert_eq!(text, "bcx42yz");
        assert_eq!(&text[spans[pos].clone()], "42");
        // The catch-all of the chosen alternative is a piece of its own.
        assert!(pieces[..pos].iter().any(|x| matches!(
            x,
            Piece::Node(n) if is_open_repeat(n).is_some()
        )));
        // Not reachable through a repeat of two or more.
        let p = parse(r"(?:(?P<h>\d))");
        assert!(flatten(&p.nodes, 1).is_some());
        let p = parse(r"(?:a(?P<h>\d)){2}");
        assert!(flatten(&p.nodes, 1).is_none());
    }

    #[test]
    fn char_nodes() {
        let p = parse(r"[^'\s]");
        let n = &p.nodes[0];
        assert_eq!(char_node_matches(n, 'a', 0), Some(true));
        assert_eq!(char_node_matches(n, '\'', 0), Some(false));
        assert_eq!(char_node_matches(n, ' ', 0), Some(false));
        let p = parse(r"(?i)a");
        assert_eq!(char_node_matches(&p.nodes[0], 'A', p.flags), Some(true));
        assert_eq!(char_node_matches(&Node::Any, '\n', 0), Some(false));
    }
}
