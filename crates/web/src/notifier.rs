//! Sending queued messages: one [`Notifier`] per channel. E-mail goes over SMTP, SMS through the
//! province's SMS gateway (`sms`), Zalo through ZNS (`zalo`), each when configured; a channel
//! that is not has [`NotConfigured`], which sends nothing and leaves the messages queued with
//! the reason, to be sent once it is.

mod http;
mod sms;
mod zalo;

pub use http::builder as http_client_builder;
pub use sms::{SmsGateway, SmsSettings};
pub use zalo::{
    SEND_URL as ZALO_SEND_URL, TOKEN_URL as ZALO_TOKEN_URL, ZaloSettings, ZaloZns,
    body as zalo_body,
};

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use motcua_store::{Db, NewMessage, OutboxMessage};

/// An SMTP conversation that takes longer is abandoned and retried later.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    Email,
    Sms,
    Zalo,
}

pub const CHANNELS: [Channel; 3] = [Channel::Email, Channel::Sms, Channel::Zalo];

impl Channel {
    /// As stored in `outbox.channel`.
    pub fn code(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
            Channel::Zalo => "zalo",
        }
    }
}

/// Why a message was not sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// May succeed later: a timeout, a refused connection, a 4xx answer.
    Transient(String),
    /// Never will: a malformed address, a 5xx answer.
    Permanent(String),
}

pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<(), SendError>> + Send + 'a>>;

/// One way of reaching people.
pub trait Notifier: Send + Sync {
    fn channel(&self) -> Channel;
    /// Why nothing can be sent on this channel now (in Vietnamese, kept on the waiting messages),
    /// or `None` when it can send.
    fn unavailable(&self) -> Option<&str>;
    /// Sends `message`; `db` keeps what a sender must share with the other processes (Zalo's
    /// renewed tokens).
    fn send<'a>(&'a self, db: &'a Db, message: &'a OutboxMessage) -> SendFuture<'a>;
    /// What to queue in the place of `message` if it is given up (Zalo: the same news by SMS).
    fn fallback(&self, _message: &OutboxMessage) -> Option<NewMessage> {
        None
    }
}

/// A channel without a provider: sends nothing, so its messages wait.
pub struct NotConfigured {
    channel: Channel,
    reason: &'static str,
}

impl NotConfigured {
    pub fn new(channel: Channel) -> NotConfigured {
        let reason = match channel {
            Channel::Email => {
                "Chưa cấu hình máy chủ thư (notifications.smtp_url): thư chờ gửi đến khi có cấu hình."
            }
            Channel::Sms => {
                "Chưa cấu hình tổng đài SMS (notifications.sms): tin nhắn chờ gửi đến khi có cấu hình."
            }
            Channel::Zalo => {
                "Chưa cấu hình Zalo (notifications.zalo): tin nhắn chờ gửi đến khi có cấu hình."
            }
        };
        NotConfigured { channel, reason }
    }
}

impl Notifier for NotConfigured {
    fn channel(&self) -> Channel {
        self.channel
    }

    fn unavailable(&self) -> Option<&str> {
        Some(self.reason)
    }

    fn send<'a>(&'a self, _db: &'a Db, _message: &'a OutboxMessage) -> SendFuture<'a> {
        Box::pin(async move { Err(SendError::Transient(self.reason.to_string())) })
    }
}

/// E-mail over SMTP.
pub struct SmtpNotifier {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpNotifier {
    /// From `smtp://[user:password@]host[:port][?tls=required]` (STARTTLS when `tls=required`,
    /// none otherwise) or `smtps://[user:password@]host[:port]` (TLS from the start), and the
    /// sender, e.g. `Một cửa tỉnh <motcua@example.gov.vn>`.
    pub fn new(url: &str, from: &str) -> Result<SmtpNotifier, String> {
        check_url(url)?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("notifications.smtp_url {}: {e}", motcua_store::redact(url)))?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        let from: Mailbox = from
            .parse()
            .map_err(|e| format!("notifications.from '{from}' is not an e-mail address: {e}"))?;
        Ok(SmtpNotifier { transport, from })
    }

    fn message(&self, m: &OutboxMessage) -> Result<Message, SendError> {
        let to: Mailbox = m.recipient.parse().map_err(|e| {
            SendError::Permanent(format!("địa chỉ thư '{}' không hợp lệ: {e}", m.recipient))
        })?;
        // The same Message-ID on every attempt, so a message delivered twice (a lease that
        // expired mid-send) can be recognised as one by the receiving side.
        let id = format!(
            "<motcua.{}.{}@{}>",
            m.id,
            m.created_at,
            self.from.email.domain()
        );
        // Base64 keeps the Vietnamese text intact through any relay, 8-bit clean or not.
        let body = Body::new_with_encoding(m.body.clone(), ContentTransferEncoding::Base64)
            .map_err(|_| SendError::Permanent("nội dung thư không mã hoá được".to_string()))?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(m.subject.clone())
            .message_id(Some(id))
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| SendError::Permanent(format!("không tạo được thư: {e}")))
    }
}

impl Notifier for SmtpNotifier {
    fn channel(&self) -> Channel {
        Channel::Email
    }

    fn unavailable(&self) -> Option<&str> {
        None
    }

    fn send<'a>(&'a self, _db: &'a Db, message: &'a OutboxMessage) -> SendFuture<'a> {
        Box::pin(async move {
            let email = self.message(message)?;
            match self.transport.send(email).await {
                Ok(_) => Ok(()),
                Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
                Err(e) => Err(SendError::Transient(e.to_string())),
            }
        })
    }
}

/// Refuses what lettre would accept but should not be: another scheme, or a password sent
/// without encryption.
fn check_url(url: &str) -> Result<(), String> {
    let shown = motcua_store::redact(url);
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| format!("notifications.smtp_url {shown} is not a URL"))?;
    if scheme != "smtp" && scheme != "smtps" {
        return Err(format!(
            "notifications.smtp_url {shown} must start with smtp:// or smtps://"
        ));
    }
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let query = rest.split_once('?').map_or("", |(_, q)| q);
    let has_password = authority
        .rsplit_once('@')
        .is_some_and(|(user, _)| user.contains(':'));
    if scheme == "smtp" && has_password && !query.split('&').any(|p| p == "tls=required") {
        return Err(format!(
            "notifications.smtp_url {shown} would send the password unencrypted; \
             use smtps://… or add ?tls=required (STARTTLS)"
        ));
    }
    Ok(())
}

/// Messages queued this long before the last note are noted again: another process may commit
/// a message a little after the instant it was queued for.
const NOTE_OVERLAP: i64 = 3600 * 1_000_000;

/// The notifier of each channel, and for those that cannot send, when their waiting messages were
/// last noted (`i64::MIN`: never, in this process).
pub struct Notifiers {
    list: Vec<(Box<dyn Notifier>, AtomicI64)>,
}

impl Notifiers {
    /// Each channel through its sender if configured, else [`NotConfigured`].
    pub fn new(
        email: Option<SmtpNotifier>,
        sms: Option<SmsGateway>,
        zalo: Option<ZaloZns>,
    ) -> Notifiers {
        fn or_not_configured<N: Notifier + 'static>(
            sender: Option<N>,
            channel: Channel,
        ) -> (Box<dyn Notifier>, AtomicI64) {
            let notifier: Box<dyn Notifier> = match sender {
                Some(n) => Box::new(n),
                None => Box::new(NotConfigured::new(channel)),
            };
            (notifier, AtomicI64::new(i64::MIN))
        }
        Notifiers {
            list: vec![
                or_not_configured(email, Channel::Email),
                or_not_configured(sms, Channel::Sms),
                or_not_configured(zalo, Channel::Zalo),
            ],
        }
    }

    pub fn get(&self, channel: &str) -> Option<&dyn Notifier> {
        self.list
            .iter()
            .find(|(n, _)| n.channel().code() == channel)
            .map(|(n, _)| n.as_ref())
    }

    /// The channels that can send.
    pub fn ready(&self) -> Vec<&'static str> {
        self.list
            .iter()
            .filter(|(n, _)| n.unavailable().is_none())
            .map(|(n, _)| n.channel().code())
            .collect()
    }

    /// The channels that cannot send at `now`, with why, and from when their waiting messages
    /// need the note: `i64::MIN` the first time in this process (all of them, and the log says
    /// so once), then a little before the previous time.
    pub fn unavailable(&self, now: i64) -> Vec<(&'static str, &str, i64)> {
        self.list
            .iter()
            .filter_map(|(n, noted)| {
                n.unavailable().map(|why| {
                    let last = noted.swap(now, Ordering::Relaxed);
                    let since = last.checked_sub(NOTE_OVERLAP).unwrap_or(i64::MIN);
                    (n.channel().code(), why, since)
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_are_checked() {
        for ok in [
            "smtp://127.0.0.1:2525",
            "smtp://relay.example.vn",
            "smtp://motcua:mật-khẩu@mail.example.vn:587?tls=required",
            "smtps://motcua:pw@mail.example.vn",
        ] {
            assert!(check_url(ok).is_ok(), "{ok}");
        }
        for (bad, why) in [
            ("mail.example.vn:25", "is not a URL"),
            ("http://mail.example.vn", "must start with smtp://"),
            ("smtp://motcua:pw@mail.example.vn:587", "unencrypted"),
            (
                "smtp://motcua:pw@mail.example.vn:587?tls=opportunistic",
                "unencrypted",
            ),
        ] {
            let err = check_url(bad).unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
            assert!(!err.contains(":pw@"), "the password shows: {err}");
        }
    }

    #[test]
    fn a_malformed_sender_is_refused() {
        let err = SmtpNotifier::new("smtp://127.0.0.1:2525", "không phải địa chỉ")
            .err()
            .unwrap();
        assert!(err.contains("notifications.from"), "{err}");
    }

    #[test]
    fn unconfigured_channels_are_noted_from_the_last_time() {
        let n = Notifiers::new(None, None, None);
        assert!(n.ready().is_empty());
        let first = n.unavailable(10 * NOTE_OVERLAP);
        assert_eq!(
            first.iter().map(|(c, _, s)| (*c, *s)).collect::<Vec<_>>(),
            [("email", i64::MIN), ("sms", i64::MIN), ("zalo", i64::MIN)]
        );
        let then = n.unavailable(11 * NOTE_OVERLAP);
        assert!(then.iter().all(|(_, _, since)| *since == 9 * NOTE_OVERLAP));
        let with_mail = Notifiers::new(
            Some(SmtpNotifier::new("smtp://127.0.0.1:2525", "motcua@example.vn").unwrap()),
            None,
            None,
        );
        assert_eq!(with_mail.ready(), ["email"]);
        let with_sms = Notifiers::new(
            None,
            Some(
                SmsGateway::new(SmsSettings {
                    url: "https://sms.example.vn/send".into(),
                    token: "t".into(),
                    sender: "MOTCUA".into(),
                    unaccented: true,
                })
                .unwrap(),
            ),
            None,
        );
        assert_eq!(with_sms.ready(), ["sms"]);
    }
}
