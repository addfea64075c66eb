//! The hand-written modules of `camunda-admin` import each other without a
//! circle: read from the `use crate::`/`use super::` lines and `crate::`
//! paths of `src/`, a module never depends on one that depends back on it
//! (a module and its own children excepted: they are one unit). A path
//! through a re-export (`crate::Client`, which `lib.rs` takes from
//! `client`) counts as a use of the module that defines the item.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
};

use syn::visit::Visit;

/// `src/a/b.rs` and `src/a/b/mod.rs` are module `a::b`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).expect("under src");
    let mut parts: Vec<String> = relative
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The crate paths a file names, absolute (`super::` resolved), and the
/// names its `use` lines bring into its module (alias → what it names).
struct Paths<'a> {
    here: &'a [String],
    /// Every module of the crate: a `use` path may start at a child module.
    modules: &'a BTreeSet<Vec<String>>,
    found: BTreeSet<Vec<String>>,
    aliases: BTreeMap<Vec<String>, Vec<String>>,
}

impl Paths<'_> {
    fn absolute(&self, segments: &[String]) -> Option<Vec<String>> {
        match segments.first().map(String::as_str) {
            Some("crate") => Some(segments[1..].to_vec()),
            Some("self") => {
                let mut base = self.here.to_vec();
                base.extend(segments[1..].iter().cloned());
                Some(base)
            }
            Some(first) if self.modules.contains(&child(self.here, first)) => {
                let mut base = self.here.to_vec();
                base.extend(segments.iter().cloned());
                Some(base)
            }
            Some("super") => {
                let mut base = self.here.to_vec();
                let mut rest = segments;
                while rest.first().map(String::as_str) == Some("super") {
                    base.pop();
                    rest = &rest[1..];
                }
                base.extend(rest.iter().cloned());
                Some(base)
            }
            _ => None,
        }
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                self.alias(prefix, &n.ident.to_string(), &n.ident.to_string());
                self.add(prefix, Some(n.ident.to_string()));
            }
            syn::UseTree::Rename(r) => {
                self.alias(prefix, &r.ident.to_string(), &r.rename.to_string());
                self.add(prefix, Some(r.ident.to_string()));
            }
            syn::UseTree::Glob(_) => self.add(prefix, None),
            syn::UseTree::Group(g) => {
                for item in &g.items {
                    self.use_tree(prefix, item);
                }
            }
        }
    }

    /// `use prefix::name as alias;` makes `here::alias` stand for it (for
    /// this module and, private or not, its descendants).
    fn alias(&mut self, prefix: &[String], name: &str, alias: &str) {
        let mut segments = prefix.to_vec();
        if name != "self" {
            segments.push(name.to_owned());
        }
        let alias = match (name, prefix.last()) {
            ("self", Some(last)) => last.clone(),
            _ => alias.to_owned(),
        };
        if let Some(target) = self.absolute(&segments) {
            let mut at = self.here.to_vec();
            at.push(alias);
            self.aliases.insert(at, target);
        }
    }

    fn add(&mut self, prefix: &[String], last: Option<String>) {
        let mut segments = prefix.to_vec();
        segments.extend(last.filter(|l| l != "self"));
        if let Some(path) = self.absolute(&segments) {
            self.found.insert(path);
        }
    }
}

impl<'ast> Visit<'ast> for Paths<'_> {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &item.tree);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if let Some(absolute) = self.absolute(&segments) {
            self.found.insert(absolute);
        }
        syn::visit::visit_path(self, path);
    }
}

fn child(here: &[String], name: &str) -> Vec<String> {
    let mut path = here.to_vec();
    path.push(name.to_owned());
    path
}

/// `path` with every re-exported prefix replaced by what it names, as far
/// as the aliases go (bounded, so alias loops cannot hang the test).
fn resolve(path: &[String], aliases: &BTreeMap<Vec<String>, Vec<String>>) -> Vec<String> {
    let mut path = path.to_vec();
    for _ in 0..16 {
        let Some((n, target)) = (1..=path.len())
            .rev()
            .find_map(|n| aliases.get(&path[..n]).map(|t| (n, t)))
            .filter(|(n, target)| target.as_slice() != &path[..*n])
        else {
            break;
        };
        let mut next = target.clone();
        next.extend(path[n..].iter().cloned());
        path = next;
    }
    path
}

/// The module graph: module → modules it names (the longest module prefix
/// of each path, re-exports resolved), parents and children left out.
fn graph(src: &Path) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(src, f)).collect();
    let mut found = Vec::new();
    let mut aliases = BTreeMap::new();
    for file in &files {
        let here = module_of(src, file);
        let text = std::fs::read_to_string(file).expect("readable");
        let Ok(parsed) = syn::parse_file(&text) else {
            continue;
        };
        let mut paths = Paths {
            here: &here,
            modules: &modules,
            found: BTreeSet::new(),
            aliases: BTreeMap::new(),
        };
        paths.visit_file(&parsed);
        let Paths {
            found: named,
            aliases: brought,
            ..
        } = paths;
        aliases.extend(brought);
        found.push((here, named));
    }
    let mut edges = BTreeMap::new();
    for (here, paths) in found {
        let targets: BTreeSet<Vec<String>> = paths
            .iter()
            .map(|path| resolve(path, &aliases))
            .filter_map(|path| {
                (1..=path.len())
                    .rev()
                    .map(|n| path[..n].to_vec())
                    .find(|prefix| modules.contains(prefix))
            })
            .filter(|target| !target.starts_with(&here) && !here.starts_with(target))
            .collect();
        edges
            .entry(here)
            .or_insert_with(BTreeSet::new)
            .extend(targets);
    }
    edges
}

fn find_cycle(
    graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
    node: &Vec<String>,
    stack: &mut Vec<Vec<String>>,
    done: &mut BTreeSet<Vec<String>>,
) -> Option<Vec<Vec<String>>> {
    if let Some(at) = stack.iter().position(|n| n == node) {
        return Some(stack[at..].to_vec());
    }
    if !done.insert(node.clone()) {
        return None;
    }
    stack.push(node.clone());
    for next in graph.get(node).into_iter().flatten() {
        if let Some(cycle) = find_cycle(graph, next, stack, done) {
            return Some(cycle);
        }
    }
    stack.pop();
    None
}

#[test]
fn no_module_of_src_imports_one_that_imports_it_back() {
    // The SDK, and the command line's crate.
    for (root, at_least) in [("../src", 20), ("../cli/src", 8)] {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(root);
        let graph = graph(&src);
        assert!(
            graph.len() > at_least,
            "the modules of {root} were read: {}",
            graph.len()
        );
        let mut done = BTreeSet::new();
        for node in graph.keys() {
            if let Some(cycle) = find_cycle(&graph, node, &mut Vec::new(), &mut done) {
                let names: Vec<String> = cycle.iter().map(|m| m.join("::")).collect();
                panic!(
                    "import circle in {root}: {} -> back to the first",
                    names.join(" -> ")
                );
            }
        }
    }
}

#[test]
fn a_path_through_a_re_export_names_the_defining_module() {
    let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
    let aliases = BTreeMap::from([
        (s(&["Client"]), s(&["client", "Client"])),
        (s(&["types"]), s(&["api", "types"])),
    ]);
    assert_eq!(resolve(&s(&["Client"]), &aliases), s(&["client", "Client"]));
    assert_eq!(
        resolve(&s(&["types", "Cluster"]), &aliases),
        s(&["api", "types", "Cluster"])
    );
    assert_eq!(resolve(&s(&["wait", "x"]), &aliases), s(&["wait", "x"]));
    let looping = BTreeMap::from([(s(&["a"]), s(&["b"])), (s(&["b"]), s(&["a"]))]);
    let _ = resolve(&s(&["a"]), &looping);
}

#[test]
fn a_circle_is_found_when_there_is_one() {
    let mut graph = BTreeMap::new();
    let (a, b) = (vec!["a".to_owned()], vec!["b".to_owned()]);
    graph.insert(a.clone(), BTreeSet::from([b.clone()]));
    graph.insert(b.clone(), BTreeSet::from([a.clone()]));
    assert!(find_cycle(&graph, &a, &mut Vec::new(), &mut BTreeSet::new()).is_some());
}
