//! Holding a directory of files against a release manifest.
