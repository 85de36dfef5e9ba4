//! The OpenAPI document, derived from the handlers' annotations. Nothing else lives here.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::domain::{AccountState, AuditAction, ReceiptState, ReceiptView, Role, Scope};
use crate::error::ErrorBody;
use crate::routes::accounts::{
    self, AccountStateResponse, ApiKeyList, ApiKeyView, ChangePasswordRequest, CodeSentResponse,
    CodeVerifiedResponse, ConfirmRequest, CreateApiKeyRequest, CreatedApiKeyResponse,
    CredentialsRequest, OwnedReceiptPage, OwnedReceiptResponse, RegisteredResponse,
    ResetPasswordRequest, ResetRequest, ResetRequestedResponse, SendCodeRequest, SessionResponse,
    UserView, VerifyCodeRequest,
};
use crate::routes::admin::{
    self, AuditEntryView, AuditPage, CreateUserRequest, UpdateUserRequest, UserPage,
};
use crate::routes::health::{self, HealthResponse, ReadyResponse};
use crate::routes::receipts;
use crate::routes::secrets::{
    self, CreateSecretRequest, CreatedSecretResponse, GenerateSecretRequest,
    GeneratedSecretResponse, RevealRequest, RevealedSecretResponse, SecretStatusResponse,
};
use crate::routes::tokens::{
    self, MintTokenRequest, MintedTokenResponse, VerifiedTokenResponse, VerifyTokenRequest,
};
use crate::routes::v1::{
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
        receipts::read_receipt,
        receipts::burn_receipt,
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
        ReceiptView,
        ReceiptState,
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
        (name = "receipts", description = "The owner's view: was it read? burn it"),
        (name = "tokens", description = "One-time tokens for backends (trusted networks only)"),
        (name = "codes", description = "Six-digit codes by mail, good once"),
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

/// The document as pretty-printed JSON, as committed in `openapi/openapi.json`.
pub fn document_json() -> String {
    // Serialising a derived document cannot fail: it holds only strings, maps and numbers.
    #[allow(clippy::expect_used)]
    let json = ApiDoc::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serialises");
    json + "\n"
}
