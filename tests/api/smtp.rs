//! A small SMTP sink on loopback: accepts every mail and keeps it, so tests read the codes
//! burnbox mails exactly as a mail server would receive them.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One received mail.
#[derive(Debug, Clone)]
pub struct Mail {
    pub recipients: Vec<String>,
    pub data: String,
}

/// The sink; it serves until the test's runtime ends.
#[derive(Clone)]
pub struct SmtpSink {
    port: u16,
    mails: Arc<Mutex<Vec<Mail>>>,
}

impl SmtpSink {
    pub async fn start() -> Self {
        Self::start_on(0).await
    }

    /// A sink on `port` (0: any free one).
    pub async fn start_on(port: u16) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.expect("bind");
        let port = listener.local_addr().expect("address").port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let kept = mails.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let kept = kept.clone();
                tokio::spawn(async move {
                    let _ = serve(stream, kept).await;
                });
            }
        });
        Self { port, mails }
    }

    /// `BURNBOX_SMTP_URL` for it.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every mail so far.
    pub fn mails(&self) -> Vec<Mail> {
        self.mails
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Mails to `recipient` so far.
    pub fn mails_to(&self, recipient: &str) -> Vec<Mail> {
        self.mails()
            .into_iter()
            .filter(|mail| {
                mail.recipients
                    .iter()
                    .any(|r| r.eq_ignore_ascii_case(recipient))
            })
            .collect()
    }

    /// Waits for the `nth` (0-based) mail to `recipient` and returns the code in it.
    pub async fn code(&self, recipient: &str, nth: usize) -> String {
        self.code_within(recipient, nth, Duration::from_secs(10))
            .await
    }

    /// [`Self::code`], waiting up to `limit`.
    pub async fn code_within(&self, recipient: &str, nth: usize, limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(mail) = self.mails_to(recipient).get(nth) {
                return code_in(&mail.data)
                    .unwrap_or_else(|| panic!("no code in mail: {}", mail.data));
            }
            assert!(Instant::now() < deadline, "no mail #{nth} to {recipient}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// The six digits after "code: " in the Subject line.
fn code_in(data: &str) -> Option<String> {
    let subject = data
        .lines()
        .find(|line| line.to_ascii_lowercase().starts_with("subject:"))?;
    let digits: String = subject
        .rsplit(": ")
        .next()?
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    (digits.len() == 6).then_some(digits)
}

async fn serve(stream: tokio::net::TcpStream, mails: Arc<Mutex<Vec<Mail>>>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    write.write_all(b"220 sink ESMTP\r\n").await?;
    let mut recipients = Vec::new();
    while let Some(line) = lines.next_line().await? {
        let upper = line.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-sink\r\n250 8BITMIME\r\n"
        } else if upper.starts_with("HELO")
            || upper.starts_with("MAIL FROM")
            || upper.starts_with("RSET")
            || upper.starts_with("NOOP")
        {
            b"250 OK\r\n"
        } else if upper.starts_with("RCPT TO") {
            let address = line
                .split_once('<')
                .and_then(|(_, rest)| rest.split_once('>'))
                .map(|(address, _)| address.to_owned())
                .unwrap_or_default();
            recipients.push(address);
            b"250 OK\r\n"
        } else if upper.starts_with("DATA") {
            write.write_all(b"354 go ahead\r\n").await?;
            let mut data = String::new();
            while let Some(line) = lines.next_line().await? {
                if line == "." {
                    break;
                }
                data.push_str(&line);
                data.push('\n');
            }
            mails
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(Mail {
                    recipients: std::mem::take(&mut recipients),
                    data,
                });
            b"250 queued\r\n"
        } else if upper.starts_with("QUIT") {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            b"502 not implemented\r\n"
        };
        write.write_all(reply).await?;
    }
    Ok(())
}
