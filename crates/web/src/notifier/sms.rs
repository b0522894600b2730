//! SMS through the province's SMS gateway over HTTPS. Each message is one request:
//!
//! ```text
//! POST {url}
//! Authorization: Bearer {token}
//! {"id": "motcua-17-1767…", "to": "84912345678", "sender": "UBND MINHSON", "text": "…"}
//! ```
//!
//! `id` is the same on every attempt, so the gateway can drop a message it already sent. A 2xx
//! answer means sent; 408, 429 and 5xx are tried again later; any other answer, or a number that
//! is not a Vietnamese mobile number, gives the message up. Brandname contracts with the
//! carriers come with such a gateway or a relay in front of the carrier's own interface.

use motcua_domain::text::unaccented;
use motcua_store::{Db, OutboxMessage};
use serde::Serialize;

use super::http::{self, check_url, message_key, mobile_number};
use super::{Channel, Notifier, SendFuture};

const PROVIDER: &str = "Tổng đài SMS";

/// Where and how SMS are sent (`[notifications.sms]`).
#[derive(Clone, PartialEq, Eq)]
pub struct SmsSettings {
    pub url: String,
    /// Sent as `Authorization: Bearer …`.
    pub token: String,
    /// The brandname the message is sent under.
    pub sender: String,
    /// Strip the diacritics: unaccented messages are cheaper and every carrier takes them.
    pub unaccented: bool,
}

// By hand, so the token never reaches a log.
impl std::fmt::Debug for SmsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsSettings")
            .field("url", &self.url)
            .field("token", &"…")
            .field("sender", &self.sender)
            .field("unaccented", &self.unaccented)
            .finish()
    }
}

pub struct SmsGateway {
    client: reqwest::Client,
    settings: SmsSettings,
}

#[derive(Serialize)]
struct Request<'a> {
    id: String,
    to: String,
    sender: &'a str,
    text: String,
}

impl SmsGateway {
    pub fn new(settings: SmsSettings) -> Result<SmsGateway, String> {
        check_url("notifications.sms.url", &settings.url)?;
        http::check_secret("notifications.sms.token", &settings.token)?;
        if settings.sender.trim().is_empty() {
            return Err("notifications.sms.sender must name the brandname".into());
        }
        Ok(SmsGateway {
            client: http::client()?,
            settings,
        })
    }
}

impl Notifier for SmsGateway {
    fn channel(&self) -> Channel {
        Channel::Sms
    }

    fn unavailable(&self) -> Option<&str> {
        None
    }

    fn send<'a>(&'a self, _db: &'a Db, message: &'a OutboxMessage) -> SendFuture<'a> {
        Box::pin(async move {
            let text = if self.settings.unaccented {
                unaccented(&message.body)
            } else {
                message.body.clone()
            };
            let request = Request {
                id: message_key(message),
                to: mobile_number(&message.recipient)?,
                sender: &self.settings.sender,
                text,
            };
            let post = self
                .client
                .post(&self.settings.url)
                .bearer_auth(&self.settings.token)
                .json(&request);
            http::exchange(PROVIDER, post).await.map(drop)
        })
    }
}
