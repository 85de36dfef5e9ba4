//! Mailing verification codes: SMTP with `lettre` (async, rustls), or — with no SMTP
//! configured, in development — the log, the only place a code may ever be written.

use std::time::Duration;

use lettre::Address;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::domain::{Code, Email};

/// Why the mail could not be sent; the cause is logged, never shown to clients.
#[derive(Debug, thiserror::Error)]
#[error("mail not sent: {0}")]
pub struct MailError(String);

/// Where mails go.
// One per process, behind an Arc: its size does not matter.
#[allow(clippy::large_enum_variant)]
pub enum Mailer {
    /// An SMTP server.
    Smtp {
        /// The connection settings from `BURNBOX_SMTP_URL`.
        transport: AsyncSmtpTransport<Tokio1Executor>,
        /// `BURNBOX_MAIL_FROM`.
        from: Mailbox,
    },
    /// The log: only beside the in-memory development store.
    Log,
    /// No SMTP server and a real store: nothing can be sent, and codes are never logged.
    /// Queued mails wait (and are retried) until they expire or SMTP is configured.
    Unconfigured,
}

impl Mailer {
    /// An SMTP mailer for `url`. Without one, the log with the in-memory development
    /// store (`development`), and nothing otherwise: a code in a production log would
    /// open accounts to whoever reads it. Errors name the setting.
    pub fn new(
        url: Option<&str>,
        from: &str,
        timeout: Duration,
        development: bool,
    ) -> Result<Self, String> {
        let from: Mailbox = from
            .parse()
            .map_err(|error| format!("BURNBOX_MAIL_FROM: not a mailbox ({error})"))?;
        let Some(url) = url else {
            if development {
                log::warn!(
                    "BURNBOX_SMTP_URL is unset: verification codes are written to this log \
                     instead of being mailed (only with the in-memory development store)."
                );
                return Ok(Self::Log);
            }
            log::error!(
                "BURNBOX_SMTP_URL is unset: verification codes cannot be mailed, so \
                 registrations, password resets and codes wait in the mail queue until they \
                 expire. Codes are written to the log only with the in-memory store."
            );
            return Ok(Self::Unconfigured);
        };
        // rustls needs a process-wide crypto provider for STARTTLS and smtps.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|error| format!("BURNBOX_SMTP_URL: {error}"))?
            .timeout(Some(timeout))
            .build();
        Ok(Self::Smtp { transport, from })
    }

    /// Mails `code` to `to`, saying how long it lives and, when given, what it is for.
    pub async fn send_code(
        &self,
        to: &Email,
        purpose: Option<&str>,
        code: &Code,
        minutes: u64,
    ) -> Result<(), MailError> {
        let subject = format!("Your burnbox code: {}", code.as_str());
        let kind = purpose
            .map(|purpose| format!("{purpose} "))
            .unwrap_or_default();
        let body = format!(
            "Your {kind}code is {}.\r\n\r\nIt works once and expires in {minutes} minutes. \
             If you did not ask for it, ignore this mail.\r\n",
            code.as_str()
        );
        match self {
            Self::Unconfigured => Err(MailError("BURNBOX_SMTP_URL is unset".to_owned())),
            Self::Log => {
                log::warn!(
                    target: "burnbox::mail",
                    "(no SMTP configured) mail to {}: {subject}",
                    to.as_str()
                );
                Ok(())
            }
            Self::Smtp { transport, from } => {
                // Built from the validated parts, never re-parsed from text: a parser would
                // read a display name and angle brackets as another recipient.
                let address = Address::new(to.local_part(), to.domain())
                    .map_err(|error| MailError(format!("recipient: {error}")))?;
                let to = Mailbox::new(None, address);
                let message = Message::builder()
                    .from(from.clone())
                    .to(to)
                    .subject(subject)
                    .body(body)
                    .map_err(|error| MailError(error.to_string()))?;
                transport
                    .send(message)
                    .await
                    .map(|_| ())
                    .map_err(|error| MailError(error.to_string()))
            }
        }
    }
}
