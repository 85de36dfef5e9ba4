//! Everything HTTP: the route table and handlers, middleware, extractors and guards, the
//! pages, the OpenAPI document, the access log, and the mapping of errors to statuses and
//! JSON bodies (the only place a status code is chosen). Nothing below this layer knows
//! actix.

pub mod access;
pub mod access_log;
pub mod auth;
pub mod error;
pub mod extract;
pub mod middleware;
pub mod openapi;
pub mod pages;
pub mod route_table;
pub mod routes;
