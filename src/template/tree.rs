//! A YAML or JSON document as a tree whose every node knows where it starts in the file, so that a
//! finding can point at its statement (`template.yaml:41:11`). CloudFormation's short-form tags
//! (`!Sub`, `!Ref`, `!GetAtt` …) become the long form (`{"Fn::Sub": …}`) as they are read.
//!
//! yaml-rust2 does the parsing (JSON is YAML's flow style); this file only builds the tree from its
//! marked events.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Where a node starts: 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub(crate) struct Pos {
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for Pos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A value of the tree.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Seq(Vec<Node>),
    /// Keys in document order.
    Map(Vec<(String, Node)>),
}

/// A value and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub value: Value,
    pub pos: Pos,
}

impl Node {
    pub(crate) fn new(value: Value, pos: Pos) -> Node {
        Node { value, pos }
    }

    /// The value under `key` of a mapping.
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn as_map(&self) -> Option<&[(String, Node)]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub(crate) fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// A JSON value as a tree, every node placed at `at`.
    pub(crate) fn from_json(v: &serde_json::Value, at: Pos) -> Node {
        use serde_json::Value as J;
        let value = match v {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => Value::Number(n.clone()),
            J::String(s) => Value::String(s.clone()),
            J::Array(a) => Value::Seq(a.iter().map(|x| Node::from_json(x, at)).collect()),
            J::Object(o) => Value::Map(o.iter().map(|(k, x)| (k.clone(), Node::from_json(x, at))).collect()),
        };
        Node::new(value, at)
    }

    /// The plain JSON value (positions dropped).
    pub(crate) fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Number(n) => J::Number(n.clone()),
            Value::String(s) => J::String(s.clone()),
            Value::Seq(s) => J::Array(s.iter().map(Node::to_json).collect()),
            Value::Map(m) => J::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()),
        }
    }
}

/// Why a file is not YAML or JSON.
#[derive(Debug, thiserror::Error)]
#[error("not valid JSON or YAML: {0}")]
pub(crate) struct SyntaxError(String);

/// Parses the first document of `text`.
pub(crate) fn parse(text: &str) -> Result<Node, SyntaxError> {
    let mut builder = Builder::default();
    Parser::new_from_str(text).load(&mut builder, false).map_err(|e| SyntaxError(e.to_string()))?;
    if let Some(e) = builder.error {
        return Err(SyntaxError(e));
    }
    Ok(builder.root.unwrap_or(Node::new(Value::Null, Pos { line: 1, column: 1 })))
}

/// An open collection while its events arrive.
enum Open {
    Seq(Vec<Node>, Pos, Option<String>),
    Map(Vec<(String, Node)>, Option<String>, Pos, Option<String>),
}

#[derive(Default)]
struct Builder {
    stack: Vec<Open>,
    root: Option<Node>,
    anchors: std::collections::HashMap<usize, Node>,
    /// Anchor ids of the open collections, to record them when they close.
    open_anchors: Vec<usize>,
    error: Option<String>,
}

fn pos(m: Marker) -> Pos {
    Pos { line: m.line(), column: m.col() + 1 }
}

/// The long form of a CloudFormation short-form tag: `!Ref` → `Ref`, `!Sub` → `Fn::Sub`,
/// `!Condition` → `Condition`. Other tags are kept as they are (`!!str` and the like: none).
fn intrinsic(tag: &Option<Tag>) -> Option<String> {
    let t = tag.as_ref()?;
    if t.handle != "!" {
        return None;
    }
    Some(match t.suffix.as_str() {
        "Ref" | "Condition" => t.suffix.clone(),
        other => format!("Fn::{other}"),
    })
}

/// A plain scalar's YAML 1.2 core-schema value; a quoted one is always a string.
fn scalar(text: String, style: TScalarStyle) -> Value {
    if style != TScalarStyle::Plain {
        return Value::String(text);
    }
    match text.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    let numeric = text.bytes().next().is_some_and(|b| b.is_ascii_digit() || b == b'-' || b == b'+');
    if numeric {
        // Leading zeros (account ids such as 012345678901) stay strings: as numbers they change.
        let leading_zero =
            text.trim_start_matches(['-', '+']).starts_with('0') && text.len() > 1 && !text.contains('.');
        if !leading_zero {
            if let Ok(n) = serde_json::from_str::<serde_json::Number>(text.trim_start_matches('+')) {
                return Value::Number(n);
            }
        }
    }
    Value::String(text)
}

fn wrap(node: Node, tag: Option<String>) -> Node {
    match tag {
        Some(t) => Node::new(Value::Map(vec![(t, node.clone())]), node.pos),
        None => node,
    }
}

impl Builder {
    fn push(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Open::Seq(items, at, _)) => {
                if items.is_empty() {
                    *at = node.pos;
                }
                items.push(node)
            }
            Some(Open::Map(entries, key, at, _)) => match key.take() {
                Some(k) => entries.push((k, node)),
                None => match node.value {
                    // A collection starts where its first entry does: the parser's own marks for
                    // collection starts lie after the first key.
                    Value::String(s) => {
                        if entries.is_empty() {
                            *at = node.pos;
                        }
                        *key = Some(s)
                    }
                    Value::Number(n) => *key = Some(n.to_string()),
                    Value::Bool(b) => *key = Some(b.to_string()),
                    Value::Null => *key = Some(String::new()),
                    _ => self.error = Some(format!("{}: a mapping key must be a scalar", node.pos)),
                },
            },
        }
    }

    fn close(&mut self) {
        let node = match self.stack.pop() {
            Some(Open::Seq(items, p, tag)) => wrap(Node::new(Value::Seq(items), p), tag),
            Some(Open::Map(entries, _, p, tag)) => wrap(Node::new(Value::Map(entries), p), tag),
            None => return,
        };
        if let Some(id) = self.open_anchors.pop().filter(|&id| id > 0) {
            self.anchors.insert(id, node.clone());
        }
        self.push(node);
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let at = pos(mark);
        match ev {
            Event::Scalar(text, style, anchor, tag) => {
                let node = wrap(Node::new(scalar(text, style), at), intrinsic(&tag));
                if anchor > 0 {
                    self.anchors.insert(anchor, node.clone());
                }
                self.push(node);
            }
            Event::SequenceStart(anchor, tag) => {
                self.open_anchors.push(anchor);
                self.stack.push(Open::Seq(Vec::new(), at, intrinsic(&tag)));
            }
            Event::MappingStart(anchor, tag) => {
                self.open_anchors.push(anchor);
                self.stack.push(Open::Map(Vec::new(), None, at, intrinsic(&tag)));
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(),
            Event::Alias(id) => {
                let node = self.anchors.get(&id).cloned().unwrap_or(Node::new(Value::Null, at));
                self.push(node);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_and_short_form_tags() {
        let text = "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Arn: !Sub 'arn:${AWS::Partition}:s3:::b'\n    List: [1, '2', 012]\n";
        let t = parse(text).unwrap();
        let r = t.get("Resources").unwrap().get("R").unwrap();
        assert_eq!(r.pos, Pos { line: 3, column: 5 });
        assert_eq!(r.get("Arn").unwrap().to_json(), serde_json::json!({"Fn::Sub": "arn:${AWS::Partition}:s3:::b"}));
        assert_eq!(r.get("List").unwrap().to_json(), serde_json::json!([1, "2", "012"]));
    }

    #[test]
    fn json_with_tabs_and_escapes() {
        let text = "{\n\t\"Statement\": [\n\t\t{\"Sid\": \"a\\/b\", \"Effect\": \"Allow\"}\n\t]\n}\n";
        let t = parse(text).unwrap();
        let s = &t.get("Statement").unwrap().as_seq().unwrap()[0];
        assert_eq!(s.pos.line, 3);
        assert_eq!(s.get("Sid").unwrap().as_str(), Some("a/b"));
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(parse("a: [1, 2").is_err());
        assert!(parse("{\"a\": [}").is_err());
    }
}
