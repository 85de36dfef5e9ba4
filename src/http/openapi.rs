//! The OpenAPI document, derived from the handlers' annotations. Nothing else lives here.

use std::collections::BTreeMap;

use serde_json::json;
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{Object, ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{OpenApi as OpenApiDocument, Ref, RefOr};
use utoipa::{Modify, Number, OpenApi};

use crate::config::Settings;
use crate::crypto::e2e::ENVELOPE_PATTERN;
use crate::domain::TtlPolicy;
use crate::domain::account::{
    CODE_PATTERN, EMAIL_PATTERN, MAX_EMAIL_BYTES, MAX_PASSWORD_CHARS, PURPOSE_PATTERN,
};
use crate::domain::file::{FILE_NAME_PATTERN, MEDIA_TYPE_PATTERN, max_upload_bytes};
use crate::domain::secret::MAX_PASSPHRASE_CHARS;

use crate::domain::{AccountState, AuditAction, ReceiptState, ReceiptView, Role, Scope};
use crate::http::error::ErrorBody;
use crate::http::routes::accounts::{
    self, AccountStateResponse, ApiKeyList, ApiKeyView, ChangePasswordRequest, CodeSentResponse,
    CodeVerifiedResponse, ConfirmRequest, CreateApiKeyRequest, CreatedApiKeyResponse,
    CredentialsRequest, LoginRequest, OwnedReceiptPage, OwnedReceiptResponse, RegisteredResponse,
    ResetPasswordRequest, ResetRequest, ResetRequestedResponse, SendCodeRequest, SessionResponse,
    UserView, VerifyCodeRequest,
};
use crate::http::routes::admin::{
    self, AuditEntryView, AuditPage, CreateUserRequest, UpdateUserRequest, UserPage,
};
use crate::http::routes::files::{
    self, FinishedFile, FinishedUploadResponse, StartUploadRequest, StartedUploadResponse,
    UploadProgressResponse,
};
use crate::http::routes::health::{self, HealthResponse, ReadyResponse};
use crate::http::routes::receipts;
use crate::http::routes::requests::{
    self, AnswerBody, AnsweredResponse, CreateRequestBody, CreatedRequestResponse,
    OpenRequestResponse, SealedAnswer, TextAnswer,
};
use crate::http::routes::secrets::{
    self, CreateSecretRequest, CreatedSecretResponse, GenerateSecretRequest,
    GeneratedSecretResponse, RevealRequest, RevealedFile, RevealedSecretResponse,
    SecretStatusResponse,
};
use crate::http::routes::tokens::{
    self, MintTokenRequest, MintedTokenResponse, VerifiedTokenResponse, VerifyTokenRequest,
};
use crate::http::routes::v1::{
    self, GenerateRequest, RetrieveRequest, ShareRequest, V1Burned, V1Customer, V1ErrorBody,
    V1Metadata, V1Secret, V1Status,
};

/// The API description served at `/openapi.json` and committed as `openapi/openapi.json`.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "burnbox",
        description = "One-time secrets over Redis. A secret is handed out exactly once \
            (reveal is a POST: link scanners follow GETs), nothing readable is kept at rest, \
            and everything expires on time. Every error has the body \
            `{\"error\": \"<code>\", \"message\": \"<text>\"}`.",
        license(name = "MIT")
    ),
    paths(
        secrets::create_secret,
        secrets::generate_secret,
        secrets::secret_status,
        secrets::reveal_secret,
        secrets::burn_secret,
        files::start_upload,
        files::put_chunk,
        files::finish_upload,
        files::abort_upload,
        files::download,
        receipts::read_receipt,
        receipts::burn_receipt,
        requests::create_request,
        requests::open_request,
        requests::answer_request,
        tokens::mint_token,
        tokens::verify_token,
        health::health,
        health::ready,
        health::metrics,
        accounts::send_code,
        accounts::verify_code,
        accounts::register,
        accounts::confirm,
        accounts::login,
        accounts::logout,
        accounts::logout_everywhere,
        accounts::me,
        accounts::create_api_key,
        accounts::list_api_keys,
        accounts::revoke_api_key,
        accounts::my_receipts,
        accounts::change_password,
        accounts::request_reset,
        accounts::reset_password,
        admin::list_users,
        admin::create_user,
        admin::update_user,
        admin::audit_log,
        v1::status,
        v1::authcheck,
        v1::share,
        v1::generate,
        v1::retrieve,
        v1::private,
        v1::burn,
        v1::recent,
    ),
    components(schemas(
        CreateSecretRequest,
        GenerateSecretRequest,
        CreatedSecretResponse,
        GeneratedSecretResponse,
        SecretStatusResponse,
        RevealRequest,
        RevealedSecretResponse,
        StartUploadRequest,
        StartedUploadResponse,
        UploadProgressResponse,
        FinishedUploadResponse,
        FinishedFile,
        RevealedFile,
        ReceiptView,
        ReceiptState,
        CreateRequestBody,
        CreatedRequestResponse,
        OpenRequestResponse,
        AnswerBody,
        TextAnswer,
        SealedAnswer,
        AnsweredResponse,
        MintTokenRequest,
        MintedTokenResponse,
        VerifyTokenRequest,
        VerifiedTokenResponse,
        HealthResponse,
        ReadyResponse,
        ErrorBody,
        SendCodeRequest,
        CodeSentResponse,
        VerifyCodeRequest,
        CodeVerifiedResponse,
        CredentialsRequest,
        LoginRequest,
        ChangePasswordRequest,
        ResetRequest,
        ResetRequestedResponse,
        ResetPasswordRequest,
        RegisteredResponse,
        ConfirmRequest,
        AccountStateResponse,
        SessionResponse,
        UserView,
        CreateApiKeyRequest,
        CreatedApiKeyResponse,
        ApiKeyView,
        ApiKeyList,
        OwnedReceiptResponse,
        OwnedReceiptPage,
        UserPage,
        CreateUserRequest,
        UpdateUserRequest,
        AuditEntryView,
        AuditPage,
        AccountState,
        AuditAction,
        Role,
        Scope,
        V1Status,
        V1Customer,
        ShareRequest,
        GenerateRequest,
        V1Metadata,
        RetrieveRequest,
        V1Secret,
        V1Burned,
        V1ErrorBody,
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "secrets", description = "Share a secret by link; it can be read once"),
        (name = "files", description = "Share a file by link: upload it in chunks, finish, and it is a secret like any other"),
        (name = "receipts", description = "The owner's view: was it read? burn it"),
        (name = "requests", description = "Ask someone for a secret: they fill it in once, only you can read it"),
        (name = "tokens", description = "One-time tokens for backends (trusted networks only)"),
        (name = "codes", description = "Six-digit codes by mail, good once (backends: trusted networks or an API key with the `codes` scope)"),
        (name = "accounts", description = "Registration, sessions, API keys, the account's receipts"),
        (name = "admin", description = "Users and the audit log (admins only)"),
        (name = "onetimesecret v1", description = "onetimesecret's REST API v1, for its existing clients: form-encoded bodies, HTTP Basic `email:api_key`"),
        (name = "operations", description = "Health, readiness and metrics"),
    )
)]
pub struct ApiDoc;

/// `Authorization: Bearer <session token or API key>`, for Swagger UI's Authorize button.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .description(Some(
                            "A session token (`bbs_…`, from POST /api/sessions) or an API key (`bbk_…`)",
                        ))
                        .build(),
                ),
            );
            components.add_security_scheme(
                "basic",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Basic)
                        .description(Some("`email:api_key` (onetimesecret v1 clients)"))
                        .build(),
                ),
            );
        }
    }
}

/// The document this server serves: the handlers' annotations, the responses every
/// operation shares, and the limits `settings` set (TTL bounds, secret size, password
/// length), so that a request the document calls valid is one the server takes.
pub fn document(settings: &Settings) -> OpenApiDocument {
    let mut document = ApiDoc::openapi();
    plain_optional_bodies(&mut document);
    add_shared_responses(&mut document);
    if let Some(components) = document.components.as_mut() {
        apply_limits(&mut components.schemas, settings);
    }
    document
}

/// [`document`] as pretty-printed JSON; with default settings, `openapi/openapi.json`.
pub fn document_json(settings: &Settings) -> String {
    // Serialising a derived document cannot fail: it holds only strings, maps and numbers.
    #[allow(clippy::expect_used)]
    let json = document(settings)
        .to_pretty_json()
        .expect("the OpenAPI document serialises");
    json + "\n"
}

/// An optional body (`Option<T>` in a handler's annotation) is a body that is not
/// `required`; utoipa also writes its schema as "T or null", which would tell clients to
/// send a JSON `null`. Each becomes plain `T`.
fn plain_optional_bodies(document: &mut OpenApiDocument) {
    for operation in document.paths.paths.values_mut().flat_map(operations) {
        let Some(RefOr::T(body)) = operation.request_body.as_mut() else {
            continue;
        };
        for content in body.content.values_mut() {
            if let RefOr::T(content) = content
                && let Some(RefOr::T(Schema::OneOf(one_of))) = &content.schema
                && let Some(plain) = one_of
                    .items
                    .iter()
                    .find(|item| matches!(item, RefOr::Ref(_)))
            {
                content.schema = Some(plain.clone());
            }
        }
    }
}

/// Adds, where a handler did not describe them itself, the answers that do not depend on
/// the handler: a body that is not JSON (or not a form) or too large, missing credentials,
/// the rate limiter and an unreachable Redis. Under `/api/v1` errors have onetimesecret's
/// shape.
fn add_shared_responses(document: &mut OpenApiDocument) {
    for (path, item) in &mut document.paths.paths {
        let body = if path.starts_with("/api/v1/") {
            "V1ErrorBody"
        } else {
            "ErrorBody"
        };
        for operation in operations(item) {
            let mut shared = Vec::new();
            if operation.request_body.is_some() {
                shared.extend([
                    ("400", "Malformed body or unknown field", false),
                    ("413", "Body too large", false),
                    ("415", "Wrong Content-Type", false),
                ]);
            }
            let has_query = operation.parameters.iter().flatten().any(|parameter| {
                matches!(parameter, RefOr::T(parameter) if parameter.parameter_in == ParameterIn::Query)
            });
            if has_query && operation.request_body.is_none() {
                shared.push(("400", "Malformed or unknown query parameter", false));
            }
            // A bad `Authorization` header is refused wherever it is sent.
            if operation.security.is_some() || path.starts_with("/api/") {
                shared.push(("401", "Missing or invalid credentials", false));
            }
            if path.starts_with("/api/") {
                shared.extend([
                    (
                        "429",
                        "Rate limited: see Retry-After and the RateLimit-* headers",
                        true,
                    ),
                    ("503", "Storage unavailable: retry after Retry-After", true),
                ]);
            }
            for (status, description, retry_after) in shared {
                operation
                    .responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| error_response(description, body, retry_after).into());
            }
        }
    }
}

/// A path's operations, for each method the API uses.
fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.post,
        &mut item.put,
        &mut item.patch,
        &mut item.delete,
    ]
    .into_iter()
    .flatten()
}

fn error_response(description: &str, body: &str, retry_after: bool) -> Response {
    let mut response = ResponseBuilder::new().description(description).content(
        "application/json",
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name(body)))
            .build(),
    );
    if retry_after {
        response = response.header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(Some(
                    ObjectBuilder::new()
                        .schema_type(Type::Integer)
                        .minimum(Some(0)),
                ))
                .description(Some("Seconds to wait before retrying"))
                .build(),
        );
    }
    response.build()
}

/// Sets on the request schemas the constraints that come from the configuration, and
/// those the domain's parsers define (so that each is written once, beside its parser).
fn apply_limits(schemas: &mut BTreeMap<String, RefOr<Schema>>, settings: &Settings) {
    let ttl = settings.ttl_policy();
    let token_ttl = settings.token_ttl_policy();
    let max_secret = settings.max_secret_bytes;
    let min_password = settings.password_min_length;
    let mut property = |schema: &str, field: &str, set: &dyn Fn(&mut Object)| {
        if let Some(RefOr::T(Schema::Object(object))) = schemas.get_mut(schema)
            && let Some(RefOr::T(Schema::Object(property))) = object.properties.get_mut(field)
        {
            set(property);
        }
    };
    let ttl_range = |policy: TtlPolicy| {
        move |object: &mut Object| {
            object.minimum = Some(Number::UInt(to_usize(policy.min)));
            object.maximum = Some(Number::UInt(to_usize(policy.max)));
        }
    };
    property("CreateSecretRequest", "ttl", &ttl_range(ttl));
    property("GenerateSecretRequest", "ttl", &ttl_range(ttl));
    property("CreateRequestBody", "ttl", &ttl_range(ttl));
    property("StartUploadRequest", "ttl", &ttl_range(ttl));
    let max_upload = max_upload_bytes(settings.max_file_bytes);
    property("StartUploadRequest", "bytes", &|object: &mut Object| {
        object.minimum = Some(Number::UInt(1));
        object.maximum = Some(Number::UInt(to_usize(max_upload)));
    });
    property("StartUploadRequest", "name", &|object: &mut Object| {
        object.pattern = Some(FILE_NAME_PATTERN.to_owned());
    });
    property("StartUploadRequest", "type", &|object: &mut Object| {
        object.pattern = Some(MEDIA_TYPE_PATTERN.to_owned());
    });
    property("MintTokenRequest", "ttl", &ttl_range(token_ttl));
    let secret_length = |object: &mut Object| object.max_length = Some(max_secret);
    property("CreateSecretRequest", "secret", &secret_length);
    property("ShareRequest", "secret", &secret_length);
    property("TextAnswer", "secret", &secret_length);
    let password_length = |object: &mut Object| {
        object.min_length = Some(min_password);
        object.max_length = Some(MAX_PASSWORD_CHARS);
    };
    for (schema, field) in [
        ("CredentialsRequest", "password"),
        ("ConfirmRequest", "password"),
        ("ChangePasswordRequest", "new_password"),
        ("ResetPasswordRequest", "new_password"),
        ("CreateUserRequest", "password"),
    ] {
        property(schema, field, &password_length);
    }
    let email = |object: &mut Object| {
        object.pattern = Some(EMAIL_PATTERN.to_owned());
        object.max_length = Some(MAX_EMAIL_BYTES);
    };
    let passphrase = |object: &mut Object| object.max_length = Some(MAX_PASSPHRASE_CHARS);
    let passphrase_min = |object: &mut Object| {
        object.min_length = Some(1);
        object.max_length = Some(MAX_PASSPHRASE_CHARS);
    };
    for schema in [
        "CreateSecretRequest",
        "GenerateSecretRequest",
        "RevealRequest",
        "StartUploadRequest",
    ] {
        property(schema, "passphrase", &passphrase_min);
    }
    // onetimesecret's clients send an empty passphrase for none.
    for schema in ["ShareRequest", "GenerateRequest"] {
        property(schema, "passphrase", &passphrase);
    }
    let code = |object: &mut Object| object.pattern = Some(CODE_PATTERN.to_owned());
    for schema in [
        "VerifyCodeRequest",
        "ConfirmRequest",
        "ResetPasswordRequest",
    ] {
        property(schema, "code", &code);
    }
    let purpose = |object: &mut Object| object.pattern = Some(PURPOSE_PATTERN.to_owned());
    for schema in ["SendCodeRequest", "VerifyCodeRequest"] {
        property(schema, "purpose", &purpose);
    }
    for (schema, field) in [
        ("SendCodeRequest", "recipient"),
        ("VerifyCodeRequest", "recipient"),
        ("CredentialsRequest", "email"),
        ("ConfirmRequest", "email"),
        ("ResetRequest", "email"),
        ("ResetPasswordRequest", "email"),
        ("CreateUserRequest", "email"),
        ("UpdateUserRequest", "email"),
    ] {
        property(schema, field, &email);
    }
    // With `e2e`, the secret must be an envelope: JSON Schema's `if`/`then`, which
    // utoipa has no field for (its extensions are a plain map underneath). One key, so
    // that the document's bytes do not follow the map's random order.
    if let Some(RefOr::T(Schema::Object(object))) = schemas.get_mut("CreateSecretRequest") {
        object
            .extensions
            .get_or_insert_with(Default::default)
            .insert(
                "allOf".to_owned(),
                json!([{
                    "if": {"properties": {"e2e": {"const": true}}, "required": ["e2e"]},
                    "then": {"properties": {"secret": {"pattern": ENVELOPE_PATTERN}}},
                }]),
            );
    }
    // A file is either end-to-end (`e2e`, its envelope in `secret`, no name or type) or
    // not (no `secret`); `bytes` is required.
    if let Some(RefOr::T(Schema::Object(object))) = schemas.get_mut("StartUploadRequest") {
        object.required.push("bytes".to_owned());
        object
            .extensions
            .get_or_insert_with(Default::default)
            .insert(
                "allOf".to_owned(),
                json!([{
                    "if": {"properties": {"e2e": {"const": true}}, "required": ["e2e"]},
                    "then": {
                        "required": ["secret"],
                        "properties": {
                            "secret": {"type": "string", "pattern": ENVELOPE_PATTERN},
                            "name": {"type": "null"},
                            "type": {"type": "null"},
                        },
                    },
                    "else": {"properties": {"secret": {"type": "null"}}},
                }]),
            );
    }
}

/// Configured numbers fit `usize` on every platform burnbox builds for (64-bit).
fn to_usize(value: u64) -> usize {
    usize::try_from(value).unwrap_or(usize::MAX)
}
