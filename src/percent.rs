//! Percent-encoding for text placed in URLs: magnet links, GitHub refs and
//! paths, Hugging Face revisions. One rule, RFC 3986's unreserved
//! characters kept, everything else encoded, through the `percent-encoding`
//! crate.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Everything but RFC 3986 unreserved characters.
const RESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The same, with `/` kept: a path of several segments.
const RESERVED_BUT_SLASH: &AsciiSet = &RESERVED.remove(b'/');

/// `s` as one URL component (`refs/pr/1` → `refs%2Fpr%2F1`).
pub fn component(s: &str) -> String {
    utf8_percent_encode(s, RESERVED).to_string()
}

/// `s` as a URL path, its `/` kept (`feature/x y` → `feature/x%20y`).
pub fn path(s: &str) -> String {
    utf8_percent_encode(s, RESERVED_BUT_SLASH).to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn unreserved_kept_the_rest_encoded() {
        assert_eq!(super::component("refs/pr/1"), "refs%2Fpr%2F1");
        assert_eq!(super::component("a-b_c.d~é"), "a-b_c.d~%C3%A9");
        assert_eq!(super::path("feature/x y"), "feature/x%20y");
    }
}
