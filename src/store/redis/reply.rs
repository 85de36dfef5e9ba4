//! Reading Redis replies: the text in a reply of any shape, node by node on a cluster,
//! and one field of an `INFO` section.

use redis::Value;

/// A node-wide reply split by node (one entry for a single server), each as its text.
pub(super) fn per_node(value: &Value) -> Vec<(String, String)> {
    match value {
        Value::Map(pairs) => pairs
            .iter()
            .map(|(node, answer)| (texts_of(node).join(""), texts_of(answer).join("\n")))
            .collect(),
        other => vec![(String::new(), texts_of(other).join("\n"))],
    }
}

/// A field of an `INFO` text (`name:value` lines).
pub(super) fn info_field<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(':'))
        .map(str::trim)
}

/// Every text leaf of a reply, in order: map keys, values and array items alike. Cluster
/// answers to node-wide commands come as a map of node address to that node's answer.
pub(super) fn texts_of(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    texts(value, &mut out);
    out
}

pub(super) fn texts(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::BulkString(bytes) => out.push(String::from_utf8_lossy(bytes).into_owned()),
        Value::SimpleString(text) => out.push(text.clone()),
        Value::VerbatimString { text, .. } => out.push(text.clone()),
        Value::Array(items) | Value::Set(items) => items.iter().for_each(|item| texts(item, out)),
        Value::Map(pairs) => pairs.iter().for_each(|(key, value)| {
            texts(key, out);
            texts(value, out);
        }),
        _ => {}
    }
}
