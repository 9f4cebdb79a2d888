//! E-mail to LA contacts, through an SMTP server the operator configures.
//!
//! Only admin accounts receive e-mail (a reminder to forward to their practitioners):
//! practitioners are anonymous and the service has no address for them.

use std::fmt;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailSecurity {
    /// Connect in plain text, then upgrade with STARTTLS before anything is sent (usually
    /// port 587). A server that cannot upgrade is refused.
    Starttls,
    /// TLS from the start (usually port 465).
    Tls,
    /// No encryption: only for a relay on the same machine or a test sink.
    None,
}

/// A secret that `Debug` never prints.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// The SMTP server reminders are sent through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailConfig {
    /// Host name (checked against its TLS certificate).
    pub host: String,
    /// Port.
    pub port: u16,
    /// How the connection is protected.
    pub security: MailSecurity,
    /// User name and password, if the server asks for them.
    pub credentials: Option<(String, Secret)>,
    /// The sender, e.g. `Workforce survey <survey@example.org>`.
    pub from: String,
}

/// Why mail could not be sent.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The configuration is unusable (a bad sender address or host).
    #[error("the mail settings are not usable: {0}")]
    Config(String),
    /// An address of a recipient is not an e-mail address.
    #[error("{0} is not an e-mail address")]
    Address(String),
    /// The server refused the message or could not be reached.
    #[error("the mail server did not accept the message: {0}")]
    Send(String),
}

/// A configured SMTP transport.
pub(crate) struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// A transport for the configuration (no connection is made until a message is sent).
    pub(crate) fn new(config: &MailConfig) -> Result<Mailer, MailError> {
        let from: Mailbox = config.from.parse().map_err(|_| {
            MailError::Config(format!("the sender {:?} is not an address", config.from))
        })?;
        let builder = match config.security {
            MailSecurity::Starttls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)
                    .map_err(|e| MailError::Config(e.to_string()))?
            }
            MailSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host)
                .map_err(|e| MailError::Config(e.to_string()))?,
            MailSecurity::None => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
            }
        };
        let builder = builder
            .port(config.port)
            .timeout(Some(std::time::Duration::from_secs(20)));
        let builder = match &config.credentials {
            Some((user, password)) => {
                builder.credentials(Credentials::new(user.clone(), password.0.clone()))
            }
            None => builder,
        };
        Ok(Mailer {
            transport: builder.build(),
            from,
        })
    }

    /// Sends one plain-text message to one recipient.
    pub(crate) async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), MailError> {
        let to: Mailbox = to.parse().map_err(|_| MailError::Address(to.to_owned()))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_owned())
            .map_err(|e| MailError::Send(e.to_string()))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| MailError::Send(e.to_string()))
    }
}
