//! Accounts: who a user is (email, role, state), what they log in with (a password), and
//! the rules for verification codes, API key names and scopes.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ValidationError;

/// Longest email address accepted (RFC 5321's path limit).
pub const MAX_EMAIL_BYTES: usize = 254;
/// What [`Email::parse`] accepts, as the OpenAPI document says it (ECMA-262 syntax): a
/// dot-atom local part, `@`, and two or more LDH labels. Case is free; it is folded.
pub const EMAIL_PATTERN: &str = "^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$";
/// Longest password accepted, in characters: Argon2 takes any length, a request body
/// should not.
pub const MAX_PASSWORD_CHARS: usize = 1024;
/// Digits in a verification code.
pub const CODE_DIGITS: usize = 6;
/// What [`Code::parse`] accepts, as the OpenAPI document says it: six digits, with spaces
/// and dashes anywhere.
pub const CODE_PATTERN: &str = "^[ -]*(?:[0-9][ -]*){6}$";
/// What [`CodePurpose::parse`] accepts, as the OpenAPI document says it.
pub const PURPOSE_PATTERN: &str = "^[a-z0-9_.-]{1,64}$";

/// An email address, lower-cased so that one mailbox is one account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// Validates a bare address, `local@domain.tld` ([`EMAIL_PATTERN`]): an RFC 5322
    /// dot-atom local part and an ASCII (punycode) domain — never a display name, angle
    /// brackets or spaces, which a mailer would read as a different recipient
    /// (`x<a@evil.org>` is mailed to `a@evil.org`). Deliverability is the code's job.
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let invalid =
            || ValidationError::invalid("invalid_email", "email must look like name@example.com");
        // Only ASCII is folded: Unicode case folding turns some letters (the Kelvin sign)
        // into ASCII ones, which would let an address the pattern refuses through.
        if text.len() > MAX_EMAIL_BYTES || !text.is_ascii() {
            return Err(invalid());
        }
        let email = text.to_ascii_lowercase();
        let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
        let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c);
        let local_ok = local
            .split('.')
            .all(|atom| !atom.is_empty() && atom.chars().all(atext));
        let domain_ok = domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if !local_ok || !domain_ok {
            return Err(invalid());
        }
        Ok(Self(email))
    }

    /// The part before the `@`.
    pub fn local_part(&self) -> &str {
        self.0.split_once('@').map_or("", |(local, _)| local)
    }

    /// The part after the `@`.
    pub fn domain(&self) -> &str {
        self.0.split_once('@').map_or("", |(_, domain)| domain)
    }

    /// The normalized address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password: at least the configured minimum, at most [`MAX_PASSWORD_CHARS`]. Never
/// printed, never stored (only its Argon2id hash is).
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Validates a password against the minimum length (in characters); the message never
    /// repeats it.
    pub fn parse(text: String, min_chars: usize) -> Result<Self, ValidationError> {
        if text.chars().count() < min_chars {
            return Err(ValidationError::invalid(
                "weak_password",
                format!("password must be at least {min_chars} characters"),
            ));
        }
        if text.chars().count() > MAX_PASSWORD_CHARS {
            return Err(ValidationError::invalid(
                "invalid_password",
                format!("password must be at most {MAX_PASSWORD_CHARS} characters"),
            ));
        }
        Ok(Self(text))
    }

    /// The bytes to hash.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// What a user may do beyond their own account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// An ordinary account.
    User,
    /// May manage users and read the audit log.
    Admin,
}

/// Where an account stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountState {
    /// Registered; the emailed code has not been confirmed yet.
    Pending,
    /// Confirmed: may log in.
    Active,
    /// Blocked by an admin: no login, no session, no API key.
    Blocked,
}

/// What a verification code is for, as the caller names it: 1–64 of `[a-z0-9_.-]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodePurpose(String);

impl CodePurpose {
    /// The purpose when a request names none.
    pub const DEFAULT: &str = "verify";

    /// Validates a purpose; `None` is [`Self::DEFAULT`].
    pub fn parse(text: Option<&str>) -> Result<Self, ValidationError> {
        let text = text.unwrap_or(Self::DEFAULT);
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-".contains(c);
        if text.is_empty() || text.len() > 64 || !text.chars().all(allowed) {
            return Err(ValidationError::invalid(
                "invalid_purpose",
                "purpose must be 1-64 characters of a-z, 0-9, '_', '.', '-'",
            ));
        }
        Ok(Self(text.to_owned()))
    }

    /// The purpose.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A code as typed by a person: exactly [`CODE_DIGITS`] digits (surrounding spaces and
/// inner spaces or dashes, as people copy them, are dropped).
#[derive(Clone, PartialEq, Eq)]
pub struct Code(String);

impl Code {
    /// Validates a submitted code; the message never repeats it.
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let digits: String = text.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if digits.len() != CODE_DIGITS || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(ValidationError::invalid(
                "invalid_code",
                format!("code must be {CODE_DIGITS} digits"),
            ));
        }
        Ok(Self(digits))
    }

    /// A fresh uniformly random code.
    pub fn generate() -> Self {
        // Rejection sampling over u32 keeps every code equally likely.
        const SPACE: u32 = 1_000_000;
        let limit = u32::MAX - u32::MAX % SPACE;
        loop {
            let value = u32::from_be_bytes(crate::crypto::random_array());
            if value < limit {
                return Self(format!("{:0width$}", value % SPACE, width = CODE_DIGITS));
            }
        }
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Code(<redacted>)")
    }
}

/// What an API key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Mint and verify one-time tokens from any network.
    Tokens,
    /// Create secrets owned by the account and list their receipts.
    Secrets,
    /// Use the admin endpoints (only for admin accounts).
    Admin,
    /// Send and check verification codes (`/api/codes`) from any network.
    Codes,
}

/// An API key's name, for its owner's list: 1–64 characters, none of them a control
/// character (C0, DEL or C1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyName(String);

impl KeyName {
    /// Validates a name.
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        if text.is_empty() || text.chars().count() > 64 || text.chars().any(char::is_control) {
            return Err(ValidationError::invalid(
                "invalid_name",
                "name must be 1-64 printable characters",
            ));
        }
        Ok(Self(text.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A user's id: 8 random bytes as 16 hex digits. The first two bytes are the routing tag
/// of everything the user owns (record, sessions, API keys, receipt list): one cluster
/// slot per user.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct UserId([u8; 8]);

impl UserId {
    /// A fresh random id.
    pub fn generate() -> Self {
        Self(crate::crypto::random_array())
    }

    /// Reads the 16-hex-digit form.
    pub fn parse(text: &str) -> Option<Self> {
        if text.len() != 16 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let mut bytes = [0u8; 8];
        for (index, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(text.get(index * 2..index * 2 + 2)?, 16).ok()?;
        }
        Some(Self(bytes))
    }

    /// The routing tag of the user's records.
    pub fn tag(&self) -> [u8; 2] {
        [self.0[0], self.0[1]]
    }
}

impl std::fmt::Display for UserId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

impl std::fmt::Debug for UserId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "UserId({self})")
    }
}

impl Serialize for UserId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for UserId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).ok_or_else(|| serde::de::Error::custom("not a user id"))
    }
}

/// What the store keeps of a user. The password is its Argon2id hash
/// ([`crate::crypto::PasswordHash`]'s text form), never the password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRecord {
    /// The id.
    pub id: UserId,
    /// The login address.
    pub email: Email,
    /// User or admin.
    pub role: Role,
    /// Pending, active or blocked.
    pub state: AccountState,
    /// Argon2id hash of the password.
    pub password_hash: String,
    /// When the account was registered (unix seconds).
    pub created_at: u64,
    /// Bumped by "log out everywhere" and by blocking: sessions of older generations are
    /// void at once.
    pub generation: u64,
    /// API keys made at an older generation are void: set to the new generation, in the
    /// same step, by what ends every credential (a password change or reset, "log out
    /// everywhere"), so a key its revocation failed to delete works no more. Blocking
    /// leaves it: a block suspends keys, an unblock gives them back.
    pub keys_from: u64,
}

/// A change to a user, field by field, so concurrent changes of different fields (a block
/// and a logout) never undo each other.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserChange {
    /// New address.
    pub email: Option<Email>,
    /// New role.
    pub role: Option<Role>,
    /// New state.
    pub state: Option<AccountState>,
}

/// What the store keeps of a session, under its token's one-way lookup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// Whose session.
    pub user: UserId,
    /// The user's generation at login; a later generation voids the session.
    pub generation: u64,
    /// When it expires (unix seconds).
    pub expires_at: u64,
}

/// What the store keeps of an API key, under the key's one-way lookup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ApiKeyRecord {
    /// Short public id, for listing and revoking.
    pub id: String,
    /// The owner's name for it.
    pub name: String,
    /// What it may do.
    pub scopes: Vec<Scope>,
    /// When it was created (unix seconds).
    pub created_at: u64,
    /// Whose key.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[schema(ignore)]
    pub user: Option<UserId>,
    /// The one-way lookup of the key (base64url), to revoke it by id.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[schema(ignore)]
    pub lookup: Option<String>,
    /// The owner's generation the key was made under: ending the account's credentials
    /// revokes the keys of older ones (`None`: made before keys kept it; revoked too).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[schema(ignore)]
    pub generation: Option<u64>,
}

/// An entry of an account's receipt list: where the receipt lives (a one-way reference,
/// never a working link) and when it stops mattering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnedReceipt {
    /// The receipt's tag and lookup, base64url.
    pub receipt: String,
    /// When the secret was created (unix seconds).
    pub created_at: u64,
    /// When the secret expires (unix seconds).
    pub expires_at: u64,
    /// When the receipt itself is gone (unix seconds): the entry goes with it.
    pub gone_at: u64,
    /// The secret's tag and lookup, base64url (one-way, as `receipt`), so that its owner
    /// can be found from its link (Password Pusher's API names pushes by link). Absent
    /// from entries written before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// Something an account did (or had done to it), for the audit log. Never a credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// Registered (pending confirmation).
    Register,
    /// Confirmed the emailed code.
    Confirm,
    /// Logged in.
    Login,
    /// A login with a wrong password or for an unusable account.
    FailedLogin,
    /// Logged out of one session.
    Logout,
    /// Logged out of every session.
    LogoutEverywhere,
    /// Created by an admin.
    UserCreated,
    /// Blocked by an admin.
    Block,
    /// Unblocked by an admin.
    Unblock,
    /// Role changed by an admin.
    RoleChange,
    /// Email changed by an admin.
    EmailChange,
    /// API key created.
    ApiKeyCreated,
    /// API key revoked.
    ApiKeyRevoked,
    /// A secret created by the account.
    SecretCreated,
    /// A secret burned by the account.
    SecretBurned,
    /// The password changed, given the current one.
    PasswordChanged,
    /// The password reset with a mailed code.
    PasswordReset,
}

/// Which capped part of the audit log an action is kept in. Anyone can cause account
/// activity (a registration, a failed login for an unknown address), so it is capped on
/// its own and can never push what admins did out of the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditStream {
    /// Admin actions and changes to an account's privileges or credentials.
    Privileged,
    /// Everything else: registrations, logins, logouts, secrets.
    Activity,
}

impl AuditAction {
    /// The part of the log this action is kept in.
    pub fn stream(self) -> AuditStream {
        match self {
            Self::UserCreated
            | Self::Block
            | Self::Unblock
            | Self::RoleChange
            | Self::EmailChange
            | Self::ApiKeyCreated
            | Self::ApiKeyRevoked
            | Self::PasswordChanged
            | Self::PasswordReset => AuditStream::Privileged,
            Self::Register
            | Self::Confirm
            | Self::Login
            | Self::FailedLogin
            | Self::Logout
            | Self::LogoutEverywhere
            | Self::SecretCreated
            | Self::SecretBurned => AuditStream::Activity,
        }
    }
}

/// One audit log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AuditEvent {
    /// When (unix seconds).
    pub at: u64,
    /// What happened.
    pub action: AuditAction,
    /// Who did it (`null`: anonymous, e.g. a failed login for an unknown address).
    #[schema(value_type = Option<String>)]
    pub actor: Option<UserId>,
    /// Whom or what it concerned: a user id, an API key id, a receipt reference.
    pub subject: Option<String>,
    /// The client address.
    pub ip: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_email_pattern_is_the_parser() {
        let pattern = regex::Regex::new(EMAIL_PATTERN).expect("a valid pattern");
        let atoms = [
            "a", "Z9", "o'b+t", "x.y", ".", "-", "a-", "-a", "@", " ", "\n", "é", "\u{212a}", "_",
            "x_y", "#!", "org", "co.uk", "a..b", "", "\"q\"", "<", "1-2",
        ];
        let mut checked = 0;
        for local in atoms {
            for domain in atoms {
                for tld in ["", ".org", ".x-y", ".", ".-x", ".9"] {
                    let text = format!("{local}@{domain}{tld}");
                    assert_eq!(
                        Email::parse(&text).is_ok(),
                        pattern.is_match(&text),
                        "{text:?}"
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 3000);
    }

    #[test]
    fn the_documented_code_and_purpose_patterns_are_the_parsers() {
        let code = regex::Regex::new(CODE_PATTERN).expect("a valid pattern");
        let purpose = regex::Regex::new(PURPOSE_PATTERN).expect("a valid pattern");
        for text in [
            "123456",
            "123 456",
            "12-34-56",
            " 123456 ",
            "-1-2-3-4-5-6-",
            "12345",
            "1234567",
            "12345a",
            "",
            "１２３４５６",
            "123456\n",
            "12 345 6",
        ] {
            assert_eq!(Code::parse(text).is_ok(), code.is_match(text), "{text:?}");
        }
        let long = "p".repeat(65);
        for text in [
            "verify",
            "a.b-c_9",
            "",
            "Upper",
            "with space",
            "é",
            &long,
            "x\n",
        ] {
            assert_eq!(
                CodePurpose::parse(Some(text)).is_ok(),
                purpose.is_match(text),
                "{text:?}"
            );
        }
    }

    #[test]
    fn emails_are_normalized_and_checked() {
        assert_eq!(
            Email::parse("Ada@Example.ORG").expect("valid").as_str(),
            "ada@example.org"
        );
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.org",
            "ada@example",
            "a b@x.org",
            "x<a@evil.org>",
            "x<a@evil.org",
            "\"a b\"@x.org",
            "a..b@x.org",
            ".a@x.org",
            "a@x_y.org",
            "a@x.org>",
            "a(comment)@x.org",
            "a,b@x.org",
            "a@b@c.org",
            "a@-x.org",
            "a@x..org",
            " ada@x.org",
            "ada@x.org\n",
            "\u{212a}@x.org",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
        assert!(Email::parse(&format!("{}@x.org", "a".repeat(250))).is_err());
        let tagged = Email::parse("O'Brien+tag@mail.example.co.uk").expect("dot-atom");
        assert_eq!(
            (tagged.local_part(), tagged.domain()),
            ("o'brien+tag", "mail.example.co.uk")
        );
    }

    #[test]
    fn passwords_have_a_minimum_and_never_print() {
        assert!(Password::parse("short".into(), 8).is_err());
        assert!(Password::parse("long enough".into(), 8).is_ok());
        assert!(Password::parse("é".repeat(8), 8).is_ok());
        assert!(Password::parse("x".repeat(MAX_PASSWORD_CHARS + 1), 8).is_err());
        assert!(Password::parse("é".repeat(MAX_PASSWORD_CHARS), 8).is_ok());
        let password = Password::parse("hunter2hunter2".into(), 8).expect("valid");
        assert!(!format!("{password:?}").contains("hunter2"));
    }

    #[test]
    fn codes_are_six_digits_as_typed() {
        assert_eq!(Code::parse(" 123 456 ").expect("valid").as_str(), "123456");
        assert_eq!(Code::parse("123-456").expect("valid").as_str(), "123456");
        for bad in ["12345", "1234567", "12a456", ""] {
            assert!(Code::parse(bad).is_err(), "{bad}");
        }
        let code = Code::generate();
        assert_eq!(code.as_str().len(), CODE_DIGITS);
        assert!(!format!("{code:?}").contains(code.as_str()));
        // Not constant: 20 draws of a million values are not all equal.
        let draws: std::collections::HashSet<String> = (0..20)
            .map(|_| Code::generate().as_str().to_owned())
            .collect();
        assert!(draws.len() > 1);
    }

    #[test]
    fn user_ids_round_trip_as_hex() {
        let id = UserId::generate();
        let text = id.to_string();
        assert_eq!(text.len(), 16);
        assert_eq!(UserId::parse(&text), Some(id));
        assert_eq!(id.tag(), [id.0[0], id.0[1]]);
        for bad in ["", "zz00000000000000", "0000", "00000000000000000"] {
            assert_eq!(UserId::parse(bad), None, "{bad}");
        }
        let json = serde_json::to_string(&id).expect("json");
        assert_eq!(serde_json::from_str::<UserId>(&json).ok(), Some(id));
    }

    #[test]
    fn purposes_and_names_are_bounded() {
        assert_eq!(
            CodePurpose::parse(None).expect("default").as_str(),
            "verify"
        );
        assert!(CodePurpose::parse(Some("password-reset")).is_ok());
        for bad in ["", "Upper", "with space", &"x".repeat(65)] {
            assert!(CodePurpose::parse(Some(bad)).is_err(), "{bad}");
        }
        assert_eq!(KeyName::parse("ci").expect("valid").as_str(), "ci");
        assert!(KeyName::parse("").is_err() && KeyName::parse("c\ni").is_err());
        assert!(KeyName::parse(&"n".repeat(65)).is_err());
    }
}
