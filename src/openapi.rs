//! The OpenAPI document, derived from the handlers' annotations. Nothing else lives here.

use utoipa::OpenApi;

use crate::domain::{ReceiptState, ReceiptView};
use crate::error::ErrorBody;
use crate::routes::health::{self, HealthResponse};
use crate::routes::receipts;
use crate::routes::secrets::{
    self, CreateSecretRequest, CreatedSecretResponse, GenerateSecretRequest,
    GeneratedSecretResponse, RevealRequest, RevealedSecretResponse, SecretStatusResponse,
};
use crate::routes::tokens::{
    self, MintTokenRequest, MintedTokenResponse, VerifiedTokenResponse, VerifyTokenRequest,
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
        ErrorBody,
    )),
    tags(
        (name = "secrets", description = "Share a secret by link; it can be read once"),
        (name = "receipts", description = "The owner's view: was it read? burn it"),
        (name = "tokens", description = "One-time tokens for backends (trusted networks only)"),
        (name = "operations", description = "Health and readiness"),
    )
)]
pub struct ApiDoc;

/// The document as pretty-printed JSON, as committed in `openapi/openapi.json`.
pub fn document_json() -> String {
    // Serialising a derived document cannot fail: it holds only strings, maps and numbers.
    #[allow(clippy::expect_used)]
    let json = ApiDoc::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serialises");
    json + "\n"
}
