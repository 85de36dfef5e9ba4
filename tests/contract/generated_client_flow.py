"""The README's secrets, receipts and tokens flow, through a client that
openapi-python-client generated from openapi/openapi.json (tests/api/contract.rs runs it).

Every call uses the generated functions and models as a user of the package would; the
client raises on any status the document does not list.
Usage: python generated_client_flow.py <base url>
"""

import sys

from burnbox_client import Client
from burnbox_client.api.receipts import burn_receipt, read_receipt
from burnbox_client.api.secrets import (
    burn_secret,
    create_secret,
    generate_secret,
    reveal_secret,
    secret_status,
)
from burnbox_client.api.tokens import mint_token, verify_token
from burnbox_client.models import (
    CreatedSecretResponse,
    CreateSecretRequest,
    ErrorBody,
    GeneratedSecretResponse,
    GenerateSecretRequest,
    MintedTokenResponse,
    MintTokenRequest,
    MintTokenRequestClaimsType0,
    ReceiptState,
    ReceiptView,
    RevealedSecretResponse,
    RevealRequest,
    SecretStatusResponse,
    VerifiedTokenResponse,
    VerifyTokenRequest,
)


def expect(value, kind):
    assert isinstance(value, kind), f"expected {kind.__name__}, got {value!r}"
    return value


client = Client(base_url=sys.argv[1], raise_on_unexpected_status=True)

# Create a secret; keep the two keys.
created = expect(
    create_secret.sync(
        client=client,
        body=CreateSecretRequest(secret="correct horse battery staple", ttl=3600),
    ),
    CreatedSecretResponse,
)
assert created.ttl == 3600 and not created.passphrase_required

# Look without consuming it.
status = expect(secret_status.sync(created.secret_key, client=client), SecretStatusResponse)
assert not status.passphrase_required and not status.e2e

# Reveal: once.
revealed = expect(reveal_secret.sync(created.secret_key, client=client), RevealedSecretResponse)
assert revealed.secret == "correct horse battery staple"
gone = reveal_secret.sync_detailed(created.secret_key, client=client)
assert gone.status_code == 404 and expect(gone.parsed, ErrorBody).error == "not_found"

# The receipt says what happened.
receipt = expect(read_receipt.sync(created.receipt_key, client=client), ReceiptView)
assert receipt.state == ReceiptState.REVEALED, receipt.state

# A passphrase: a wrong guess costs an attempt, the right one reveals.
guarded = expect(
    create_secret.sync(
        client=client,
        body=CreateSecretRequest(secret="the vault code is 7521", passphrase="tr0ub4dor"),
    ),
    CreatedSecretResponse,
)
assert guarded.passphrase_required
wrong = reveal_secret.sync_detailed(
    guarded.secret_key, client=client, body=RevealRequest(passphrase="guess")
)
refusal = expect(wrong.parsed, ErrorBody)
assert wrong.status_code == 403 and refusal.error == "wrong_passphrase"
assert refusal.attempts_left == 4, refusal.attempts_left
right = expect(
    reveal_secret.sync(guarded.secret_key, client=client, body=RevealRequest(passphrase="tr0ub4dor")),
    RevealedSecretResponse,
)
assert right.secret == "the vault code is 7521"

# A generated secret, burned by its owner before anyone read it.
generated = expect(
    generate_secret.sync(client=client, body=GenerateSecretRequest(length=24)),
    GeneratedSecretResponse,
)
assert len(generated.value) == 24
burned = expect(burn_receipt.sync(generated.receipt_key, client=client), ReceiptView)
assert burned.state == ReceiptState.BURNED
assert burn_secret.sync_detailed(generated.secret_key, client=client).status_code == 404
# The body may be left out entirely.
bare = expect(generate_secret.sync(client=client), GeneratedSecretResponse)
assert len(bare.value) == 32

# One-time tokens: mint, verify once.
claims = MintTokenRequestClaimsType0.from_dict({"action": "login", "redirect": "/inbox"})
minted = expect(
    mint_token.sync(client=client, body=MintTokenRequest(subject="user:42", ttl=900, claims=claims)),
    MintedTokenResponse,
)
verified = expect(
    verify_token.sync(client=client, body=VerifyTokenRequest(token=minted.token)),
    VerifiedTokenResponse,
)
assert verified.subject == "user:42"
assert verified.claims.to_dict() == {"action": "login", "redirect": "/inbox"}
again = verify_token.sync_detailed(client=client, body=VerifyTokenRequest(token=minted.token))
assert again.status_code == 404

print("generated client: the flow held")
