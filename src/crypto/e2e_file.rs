//! The end-to-end file format of the pages and the CLI ("e2e2 file"): the content in
//! AES-256-GCM chunks under a key derived from the link's fragment key (see
//! docs/security.md). The server never holds this key.
