//! Release manifests: what a publisher released, with sizes, hashes and claims.
