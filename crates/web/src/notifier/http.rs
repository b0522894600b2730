//! What the providers reached over HTTPS share: one client (TLS by rustls with the Mozilla roots
//! built in, so nothing depends on the machine's certificate store), the check of a configured
//! address, Vietnamese mobile numbers in the international form providers take, and how an
//! answer's status becomes a [`SendError`].

use std::sync::Arc;
use std::time::Duration;

use motcua_store::OutboxMessage;

use super::SendError;

/// A provider that takes longer to answer is abandoned and tried again later.
const TIMEOUT: Duration = Duration::from_secs(30);

/// A client builder with TLS by rustls on ring and the Mozilla roots. reqwest is built without
/// a provider of its own (no aws-lc-rs), so every client in the process starts here.
pub fn builder() -> reqwest::ClientBuilder {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("ring supports the default TLS versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    reqwest::Client::builder().tls_backend_preconfigured(tls)
}

/// The client every provider's requests go through: no redirects followed (a provider's
/// answer is taken as given), no proxy from the environment.
pub fn client() -> Result<reqwest::Client, String> {
    builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .map_err(|e| format!("HTTP client: {e}"))
}

/// Refuses an address that is not HTTPS, but for a relay on this machine (`http://127.0.0.1…`,
/// `http://localhost…`), where nothing crosses the network.
pub fn check_url(key: &str, url: &str) -> Result<(), String> {
    let parsed =
        reqwest::Url::parse(url).map_err(|e| format!("{key} '{url}' is not a URL: {e}"))?;
    let local = matches!(parsed.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if local => Ok(()),
        _ => Err(format!(
            "{key} '{url}' must start with https:// (http:// only for a relay on this machine)"
        )),
    }
}

/// A key or token is sent in a header or form as written: it must be there, in printable ASCII
/// (a space or an accent is a copying mistake).
pub fn check_secret(key: &str, value: &str) -> Result<(), String> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(format!(
            "{key} must be set, in printable ASCII without spaces (as the provider gave it)"
        ));
    }
    Ok(())
}

/// What an HTTP answer's status says of a message: 2xx sent; 408, 429 and 5xx may succeed later;
/// any other answer never will.
pub fn outcome(provider: &str, status: reqwest::StatusCode, body: &str) -> Result<(), SendError> {
    if status.is_success() {
        return Ok(());
    }
    let shown: String = body.chars().take(300).collect();
    let error = format!("{provider} trả lời {status}: {}", shown.trim());
    if status.is_server_error()
        || status == reqwest::StatusCode::REQUEST_TIMEOUT
        || status == reqwest::StatusCode::TOO_MANY_REQUESTS
    {
        Err(SendError::Transient(error))
    } else {
        Err(SendError::Permanent(error))
    }
}

/// Sends `request` and gives back the answer's body when its status says sent ([`outcome`]). No
/// answer at all (the connection, the TLS handshake or the wait failed) may succeed later.
pub async fn exchange(
    provider: &str,
    request: reqwest::RequestBuilder,
) -> Result<String, SendError> {
    let answer = request
        .send()
        .await
        .map_err(|e| SendError::Transient(format!("không kết nối được {provider}: {e}")))?;
    let status = answer.status();
    let body = answer.text().await.unwrap_or_default();
    outcome(provider, status, &body)?;
    Ok(body)
}

/// A Vietnamese mobile number as providers take it, `84` and nine digits: from `0912 345 678`,
/// `+84 912.345.678` or `84912345678`. Anything else cannot receive a message.
pub fn mobile_number(raw: &str) -> Result<String, SendError> {
    let digits: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')'))
        .collect();
    let national = digits
        .strip_prefix("+84")
        .or_else(|| digits.strip_prefix("84").filter(|rest| rest.len() == 9))
        .or_else(|| digits.strip_prefix('0'));
    match national {
        Some(n)
            if n.len() == 9
                && n.bytes().all(|b| b.is_ascii_digit())
                && matches!(n.as_bytes()[0], b'3' | b'5' | b'7' | b'8' | b'9') =>
        {
            Ok(format!("84{n}"))
        }
        _ => Err(SendError::Permanent(format!(
            "số điện thoại '{raw}' không phải số di động Việt Nam"
        ))),
    }
}

/// The same key on every attempt at a message, so a provider can recognise one delivered twice
/// (a lease that expired mid-send) as one.
pub fn message_key(m: &OutboxMessage) -> String {
    format!("motcua-{}-{}", m.id, m.created_at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobile_numbers_in_every_usual_spelling() {
        for raw in [
            "0912345678",
            "0912 345 678",
            "+84 912.345.678",
            "84912345678",
            "(+84) 912-345-678",
        ] {
            assert_eq!(mobile_number(raw).unwrap(), "84912345678", "{raw}");
        }
        // A landline, too short, too long, letters, another country.
        for raw in [
            "02433456789",
            "091234567",
            "09123456789",
            "09123a5678",
            "+14155550100",
            "",
        ] {
            assert!(
                matches!(mobile_number(raw), Err(SendError::Permanent(_))),
                "{raw}"
            );
        }
    }

    #[test]
    fn urls_must_be_https_but_for_this_machine() {
        assert!(check_url("k", "https://sms.example.vn/send").is_ok());
        assert!(check_url("k", "http://127.0.0.1:8088/send").is_ok());
        assert!(check_url("k", "http://localhost/send").is_ok());
        let err = check_url("notifications.sms.url", "http://sms.example.vn/send").unwrap_err();
        assert!(err.contains("https://"), "{err}");
        assert!(check_url("k", "sms.example.vn").is_err());
    }

    #[test]
    fn secrets_are_printable_ascii() {
        assert!(check_secret("k", "Ab9-_.~+/=").is_ok());
        for bad in ["", "mã", "a b", "a\n"] {
            let err = check_secret("notifications.sms.token", bad).unwrap_err();
            assert!(
                err.starts_with("notifications.sms.token must be set"),
                "{err}"
            );
        }
    }

    #[test]
    fn statuses_decide_whether_to_try_again() {
        use reqwest::StatusCode;
        assert_eq!(outcome("p", StatusCode::ACCEPTED, ""), Ok(()));
        for status in [
            StatusCode::INTERNAL_SERVER_ERROR,
            StatusCode::BAD_GATEWAY,
            StatusCode::TOO_MANY_REQUESTS,
            StatusCode::REQUEST_TIMEOUT,
        ] {
            assert!(matches!(
                outcome("p", status, "x"),
                Err(SendError::Transient(_))
            ));
        }
        let Err(SendError::Permanent(e)) =
            outcome("Tổng đài SMS", StatusCode::BAD_REQUEST, " sai số ")
        else {
            panic!("a 400 is for good");
        };
        assert_eq!(e, "Tổng đài SMS trả lời 400 Bad Request: sai số");
    }
}
