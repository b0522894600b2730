//! Zalo messages through ZNS (Zalo Notification Service): a template the province registered
//! with its Official Account and Zalo approved, filled with each message's values and sent to
//! the phone number's Zalo account.
//!
//! ```text
//! POST https://business.openapi.zalo.me/message/template
//! access_token: {the Official Account's access token}
//! {"phone": "84912345678", "template_id": "…", "template_data": {…}, "tracking_id": "motcua-17-…"}
//! → {"error": 0, "message": "Success", "data": {"msg_id": "…"}}
//! ```
//!
//! The access token lasts about a day. It is renewed with a refresh token that serves once,
//! at `https://oauth.zaloapp.com/v4/oa/access_token` (the app's secret key as a header; the
//! app id, the refresh token and `grant_type=refresh_token` as a form), which answers with a new
//! pair. The configured refresh token starts the chain; each new pair is kept in the database
//! (`provider_tokens`) for every process to use.
//!
//! A message's body is JSON: the template's values and the same news as an SMS, which takes
//! its place when Zalo cannot deliver it (no Zalo account at that number, the quota spent, …):
//! `{"template_data": {…}, "sms": "…"}` ([`body`]).

use motcua_store::{Db, NewMessage, OutboxMessage, ProviderToken};
use serde::{Deserialize, Deserializer, Serialize};
use tokio::sync::Mutex;

use super::http::{self, check_url, message_key, mobile_number};
use super::{Channel, Notifier, SendError, SendFuture};

const PROVIDER: &str = "Zalo";
/// The key of the tokens in `provider_tokens`.
const TOKENS: &str = "zalo";
pub const SEND_URL: &str = "https://business.openapi.zalo.me/message/template";
pub const TOKEN_URL: &str = "https://oauth.zaloapp.com/v4/oa/access_token";
/// An access token this close to its end is renewed before use.
const MARGIN: i64 = 10 * 60 * 1_000_000;
/// Zalo's answer to an access token it no longer accepts.
const INVALID_ACCESS_TOKEN: i64 = -124;

/// The Official Account's app and template (`[notifications.zalo]`).
#[derive(Clone, PartialEq, Eq)]
pub struct ZaloSettings {
    pub app_id: String,
    pub secret_key: String,
    /// The refresh token from the Official Account's authorisation of the app.
    pub refresh_token: String,
    /// The approved template of "the result is ready" (`jobs::messages`).
    pub template_id: String,
    pub send_url: String,
    pub token_url: String,
}

// By hand, so the secret key and the token never reach a log.
impl std::fmt::Debug for ZaloSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZaloSettings")
            .field("app_id", &self.app_id)
            .field("secret_key", &"…")
            .field("refresh_token", &"…")
            .field("template_id", &self.template_id)
            .field("send_url", &self.send_url)
            .field("token_url", &self.token_url)
            .finish()
    }
}

pub struct ZaloZns {
    client: reqwest::Client,
    settings: ZaloSettings,
    /// SHA-256 of the configured refresh token, as `provider_tokens.configured` keeps it.
    configured: String,
    /// The access token in use and when it ends.
    access: Mutex<Option<(String, i64)>>,
}

#[derive(Serialize)]
struct Request<'a> {
    phone: String,
    template_id: &'a str,
    template_data: serde_json::Map<String, serde_json::Value>,
    tracking_id: String,
}

/// A Zalo message's body, as [`body`] writes it.
#[derive(Serialize, Deserialize)]
struct Body {
    template_data: serde_json::Map<String, serde_json::Value>,
    /// The SMS to send instead if Zalo cannot deliver.
    sms: String,
}

/// The body of a Zalo message: the template's values, and the SMS to send in its place.
pub fn body(template_data: serde_json::Map<String, serde_json::Value>, sms: &str) -> String {
    serde_json::to_string(&Body {
        template_data,
        sms: sms.to_string(),
    })
    .expect("JSON values always serialise")
}

#[derive(Deserialize)]
struct Answer {
    error: i64,
    #[serde(default)]
    message: String,
}

/// The token endpoint's answer: a new pair, or an error.
#[derive(Deserialize)]
struct Renewal {
    access_token: Option<String>,
    refresh_token: Option<String>,
    /// Seconds; Zalo writes it as a string.
    #[serde(default, deserialize_with = "number_or_text")]
    expires_in: Option<i64>,
    error: Option<i64>,
    error_name: Option<String>,
    error_description: Option<String>,
}

fn number_or_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Number(i64),
        Text(String),
    }
    Ok(match Option::<Either>::deserialize(d)? {
        Some(Either::Number(n)) => Some(n),
        Some(Either::Text(t)) => t.trim().parse().ok(),
        None => None,
    })
}

impl ZaloZns {
    pub fn new(settings: ZaloSettings) -> Result<ZaloZns, String> {
        check_url("notifications.zalo.send_url", &settings.send_url)?;
        check_url("notifications.zalo.token_url", &settings.token_url)?;
        for (key, value) in [
            ("notifications.zalo.app_id", &settings.app_id),
            ("notifications.zalo.secret_key", &settings.secret_key),
            ("notifications.zalo.refresh_token", &settings.refresh_token),
            ("notifications.zalo.template_id", &settings.template_id),
        ] {
            http::check_secret(key, value)?;
        }
        Ok(ZaloZns {
            client: http::client()?,
            configured: crate::auth::token_hash(&settings.refresh_token),
            settings,
            access: Mutex::new(None),
        })
    }

    /// An access token that is good for a while yet: the one in use, the one another process
    /// renewed, or a new one.
    async fn access_token(&self, db: &Db, now: i64) -> Result<String, SendError> {
        let mut access = self.access.lock().await;
        if let Some((token, ends)) = access.as_ref()
            && *ends > now + MARGIN
        {
            return Ok(token.clone());
        }
        let unreadable =
            |e: motcua_store::StoreError| SendError::Transient(format!("mã truy cập Zalo: {e}"));
        let read = db.provider_token(TOKENS).await.map_err(unreadable)?;
        // A pair from another configured refresh token is not this configuration's.
        let ours = read.as_ref().filter(|t| t.configured == self.configured);
        if let Some(t) = ours
            && t.expires_at > now + MARGIN
        {
            *access = Some((t.access_token.clone(), t.expires_at));
            return Ok(t.access_token.clone());
        }
        let refresh = ours.map_or(self.settings.refresh_token.as_str(), |t| {
            t.refresh_token.as_str()
        });
        let new = self.renew(refresh, now).await?;
        if !db
            .replace_provider_token(TOKENS, read.as_ref(), &new)
            .await
            .map_err(unreadable)?
        {
            tracing::warn!("another process renewed the Zalo tokens at the same moment");
        }
        *access = Some((new.access_token.clone(), new.expires_at));
        Ok(new.access_token)
    }

    /// Stops using an access token Zalo refused, here and in the database, so no process reads
    /// it again (one that holds it in memory finds out from Zalo in turn); the next message renews
    /// the pair.
    async fn forget(&self, db: &Db, refused: &str) {
        *self.access.lock().await = None;
        let expired = match db.provider_token(TOKENS).await {
            Ok(Some(stored)) if stored.access_token == refused => {
                let expired = ProviderToken {
                    expires_at: 0,
                    ..stored.clone()
                };
                db.replace_provider_token(TOKENS, Some(&stored), &expired)
                    .await
                    .map(drop)
            }
            other => other.map(drop),
        };
        if let Err(e) = expired {
            tracing::warn!(%e, "a refused Zalo access token could not be marked expired");
        }
    }

    async fn renew(&self, refresh_token: &str, now: i64) -> Result<ProviderToken, SendError> {
        let failed = |why: String| {
            SendError::Transient(format!("không gia hạn được mã truy cập Zalo: {why}"))
        };
        let post = self
            .client
            .post(&self.settings.token_url)
            .header("secret_key", &self.settings.secret_key)
            .form(&[
                ("app_id", self.settings.app_id.as_str()),
                ("refresh_token", refresh_token),
                ("grant_type", "refresh_token"),
            ]);
        let body = http::exchange(PROVIDER, post).await.map_err(|e| match e {
            SendError::Transient(e) | SendError::Permanent(e) => failed(e),
        })?;
        let renewal: Renewal =
            serde_json::from_str(&body).map_err(|e| failed(format!("{e}: {body}")))?;
        match renewal {
            Renewal {
                access_token: Some(access_token),
                refresh_token: Some(refresh_token),
                expires_in: Some(seconds),
                ..
            } if !access_token.is_empty() && !refresh_token.is_empty() => Ok(ProviderToken {
                access_token,
                refresh_token,
                expires_at: now + seconds * 1_000_000,
                configured: self.configured.clone(),
            }),
            r => Err(failed(format!(
                "{} {} {}",
                r.error.unwrap_or_default(),
                r.error_name.unwrap_or_default(),
                r.error_description.unwrap_or_default()
            ))),
        }
    }
}

impl Notifier for ZaloZns {
    fn channel(&self) -> Channel {
        Channel::Zalo
    }

    fn unavailable(&self) -> Option<&str> {
        None
    }

    fn send<'a>(&'a self, db: &'a Db, message: &'a OutboxMessage) -> SendFuture<'a> {
        Box::pin(async move {
            let body: Body = serde_json::from_str(&message.body).map_err(|_| {
                SendError::Permanent("nội dung tin Zalo không phải dữ liệu mẫu (JSON)".into())
            })?;
            let request = Request {
                phone: mobile_number(&message.recipient)?,
                template_id: &self.settings.template_id,
                template_data: body.template_data,
                tracking_id: message_key(message),
            };
            let now = motcua_store::migrate::now_micros();
            let token = self.access_token(db, now).await?;
            let post = self
                .client
                .post(&self.settings.send_url)
                .header("access_token", &token)
                .json(&request);
            let body = http::exchange(PROVIDER, post).await?;
            let answer: Answer = serde_json::from_str(&body).map_err(|e| {
                SendError::Transient(format!("Zalo trả lời không đọc được ({e}): {body}"))
            })?;
            match answer.error {
                0 => Ok(()),
                INVALID_ACCESS_TOKEN => {
                    self.forget(db, &token).await;
                    Err(SendError::Transient(format!(
                        "Zalo không nhận mã truy cập ({}): sẽ gia hạn rồi gửi lại",
                        answer.message
                    )))
                }
                // No Zalo account at that number, the day's quota spent, a template refused: the
                // SMS in the body goes instead, now rather than hours later.
                code => Err(SendError::Permanent(format!(
                    "Zalo trả lỗi {code}: {}; gửi SMS thay thế",
                    answer.message
                ))),
            }
        })
    }

    fn fallback(&self, message: &OutboxMessage) -> Option<NewMessage> {
        let body: Body = serde_json::from_str(&message.body).ok()?;
        (!body.sms.trim().is_empty()).then(|| NewMessage {
            channel: "sms",
            recipient: message.recipient.clone(),
            subject: String::new(),
            body: body.sms,
            dossier_code: message.dossier_code.clone(),
        })
    }
}
