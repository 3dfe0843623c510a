// Shared by build.rs and the catalogue: which actions modify something is decided at build time
// (a bit per action in the static tables), with the rule the catalogue documents on
// `ActionId::modifies`.

/// Verbs that only read: an action whose name starts with one of these words does not modify,
/// whatever its access level says.
pub(crate) const READ_VERBS: &[&str] =
    &["Get", "Describe", "List", "View", "Search", "BatchGet", "BatchDescribe", "Preview"];

/// Does `name` start with the word `verb` (followed by an upper-case letter or nothing)?
pub(crate) fn starts_with_word(name: &str, verb: &str) -> bool {
    name.starts_with(verb) && name[verb.len()..].chars().next().is_none_or(|c| c.is_ascii_uppercase())
}

/// Does an action with this access-level code (3 Write, 4 Permissions management) and name
/// modify something?
pub(crate) fn modifies(level_code: u8, name: &str) -> bool {
    matches!(level_code, 3 | 4) && !READ_VERBS.iter().any(|v| starts_with_word(name, v))
}
