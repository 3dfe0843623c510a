//! serde_json's pretty layout (two-space indent), written faster: `PrettyFormatter` writes the
//! indent one level at a time (a `write_all` per level per line), which was a tenth of `check`'s
//! output cost on a large corpus. This one writes the line break and the whole indent at once.
//! The bytes are the same as `serde_json::to_writer_pretty`'s (tested below).

use serde::Serialize;
use serde_json::ser::Formatter;
use std::io::{self, Write};

/// `",\n"` and then spaces: a line break (with or without the comma) and its indent are one
/// slice of it.
const BREAK: &[u8] = b",\n                                                                ";

#[derive(Default)]
struct Pretty {
    depth: usize,
    has_value: bool,
}

impl Pretty {
    /// Writes `",\n"` (or `"\n"` when `first`) and the indent of the current depth.
    fn line<W: ?Sized + Write>(&self, w: &mut W, first: bool) -> io::Result<()> {
        let from = usize::from(first);
        let mut spaces = 2 * self.depth;
        let now = spaces.min(BREAK.len() - 2);
        w.write_all(&BREAK[from..2 + now])?;
        spaces -= now;
        while spaces > 0 {
            let n = spaces.min(BREAK.len() - 2);
            w.write_all(&BREAK[2..2 + n])?;
            spaces -= n;
        }
        Ok(())
    }

    fn open<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.line(w, true)?;
        }
        w.write_all(bracket)
    }
}

impl Formatter for Pretty {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.line(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.line(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// `serde_json::to_writer_pretty`, the same bytes.
pub(crate) fn to_writer_pretty<W: Write, T: ?Sized + Serialize>(w: W, value: &T) -> serde_json::Result<()> {
    value.serialize(&mut serde_json::Serializer::with_formatter(w, Pretty::default()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn same(v: &Value) {
        let mut ours = Vec::new();
        to_writer_pretty(&mut ours, v).unwrap();
        assert_eq!(String::from_utf8(ours).unwrap(), serde_json::to_string_pretty(v).unwrap());
    }

    #[test]
    fn same_bytes_as_serde_json() {
        same(&json!([]));
        same(&json!({}));
        same(&json!({"a": [], "b": {}, "c": [1, {"d": null, "e": [true, "x\n\"y"]}], "f": 1.5}));
        // Deeper than one slice of indent (32 levels).
        let mut deep = json!("leaf");
        for i in 0..80 {
            deep = if i % 2 == 0 { json!([deep, i]) } else { json!({"k": deep, "e": {}}) };
        }
        same(&deep);
    }

    proptest::proptest! {
        #[test]
        fn same_bytes_on_generated_values(v in arb_value()) {
            same(&v);
        }
    }

    fn arb_value() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            ".{0,8}".prop_map(Value::from)
        ];
        leaf.prop_recursive(12, 200, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::btree_map("[a-z]{0,4}", inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }
}
