//! How an error reaches the terminal: each cause said once.

/// The error and its causes, each said once: the library's messages often
/// already quote their cause (`path: No such file or directory`), which
/// anyhow's `{:#}` would then repeat.
pub(super) fn error_text(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let said = cause.to_string();
        if !text.contains(&said) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&said);
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_says_each_cause_once() {
        let io = std::io::Error::from(std::io::ErrorKind::NotFound);
        let e =
            anyhow::Error::new(weightcheck::Error::io("/x/y", io)).context("reading the manifest");
        assert_eq!(
            error_text(&e),
            "reading the manifest: /x/y: entity not found"
        );
    }
}
