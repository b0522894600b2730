//! Configuration: defaults, overridden by `motcua.toml`, overridden by environment variables and
//! flags. `motcua.example.toml` at the repository root documents every key with its default, and a
//! test keeps the two equal.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use motcua_calendar::OfficeHours;
use motcua_calendar::date::parse_minute;
use motcua_calendar::office::parse_window;
use motcua_web::notifier::{SmsSettings, ZALO_SEND_URL, ZALO_TOKEN_URL, ZaloSettings};
use serde::Deserialize;

/// The configuration file as written. Every key is optional; unknown keys are refused so a typo
/// never silently falls back to a default.
#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub site_name: Option<String>,
    pub log: Option<String>,
    pub demo: Option<bool>,
    #[serde(default)]
    pub http: HttpFileConfig,
    #[serde(default)]
    pub database: DatabaseFileConfig,
    #[serde(default)]
    pub calendar: CalendarFileConfig,
    #[serde(default)]
    pub notifications: NotificationsFileConfig,
    #[serde(default)]
    pub dossiers: DossiersFileConfig,
}

#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DossiersFileConfig {
    pub code_format: Option<String>,
}

#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NotificationsFileConfig {
    pub enabled: Option<bool>,
    pub interval_secs: Option<u64>,
    pub due_soon_working_days: Option<u32>,
    pub smtp_url: Option<String>,
    pub from: Option<String>,
    pub sms: Option<SmsFileConfig>,
    pub zalo: Option<ZaloFileConfig>,
}

#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SmsFileConfig {
    pub url: String,
    pub token: String,
    pub sender: String,
    pub unaccented: Option<bool>,
}

#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ZaloFileConfig {
    pub app_id: String,
    pub secret_key: String,
    pub refresh_token: String,
    pub template_id: String,
    pub send_url: Option<String>,
    pub token_url: Option<String>,
}

#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CalendarFileConfig {
    pub dir: Option<PathBuf>,
    #[serde(flatten)]
    pub hours: HoursFileConfig,
    #[serde(default)]
    pub agencies: BTreeMap<String, HoursFileConfig>,
}

#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HoursFileConfig {
    pub morning: Option<String>,
    pub afternoon: Option<String>,
    pub cutoff: Option<String>,
}

#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HttpFileConfig {
    pub request_timeout_secs: Option<u64>,
    pub body_limit_bytes: Option<usize>,
    pub secure_cookies: Option<bool>,
    pub session_idle_minutes: Option<u64>,
    pub session_hours: Option<u64>,
}

#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DatabaseFileConfig {
    pub max_connections: Option<u32>,
    pub acquire_timeout_secs: Option<u64>,
}

/// The settings in force, every value resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// `None` means the SQLite file in `data_dir`.
    pub database_url: Option<String>,
    pub site_name: String,
    pub log: String,
    /// Load the demo province into an empty database on start.
    pub demo: bool,
    pub request_timeout: Duration,
    pub body_limit: usize,
    pub secure_cookies: bool,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    pub max_connections: u32,
    pub acquire_timeout: Duration,
    /// A folder of official year files (`YYYY.toml`) that override the shipped ones.
    pub calendar_dir: Option<PathBuf>,
    pub office_hours: OfficeHours,
    /// Office hours of agencies that keep other hours, by electronic identifier.
    pub agency_hours: BTreeMap<String, OfficeHours>,
    pub notifications: Notifications,
    /// The dossier code's template (`motcua_domain::dossier::code`), checked when read.
    pub code_format: String,
}

/// The deadline alerts and notifications job.
#[derive(Clone, PartialEq)]
pub struct Notifications {
    /// Run the job in this process.
    pub enabled: bool,
    pub interval: Duration,
    /// "Due soon": due today or within this many working days after today.
    pub due_soon_working_days: u32,
    /// The SMTP server; `None`: e-mails stay queued.
    pub smtp_url: Option<String>,
    /// The e-mails' sender; required with `smtp_url`.
    pub from: Option<String>,
    /// The SMS gateway; `None`: SMS stay queued.
    pub sms: Option<SmsSettings>,
    /// The Zalo Official Account; when set, applicants' phones are reached on Zalo, not by SMS.
    pub zalo: Option<ZaloSettings>,
}

impl Default for Notifications {
    fn default() -> Self {
        Notifications {
            enabled: true,
            interval: Duration::from_secs(60),
            due_soon_working_days: 1,
            smtp_url: None,
            from: None,
            sms: None,
            zalo: None,
        }
    }
}

// By hand, so the SMTP password never reaches a log or an error message.
impl std::fmt::Debug for Notifications {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notifications")
            .field("enabled", &self.enabled)
            .field("interval", &self.interval)
            .field("due_soon_working_days", &self.due_soon_working_days)
            .field(
                "smtp_url",
                &self.smtp_url.as_deref().map(motcua_store::redact),
            )
            .field("from", &self.from)
            .field("sms", &self.sms)
            .field("zalo", &self.zalo)
            .finish()
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("motcua-data"),
            database_url: None,
            site_name: "Hệ thống một cửa điện tử".to_string(),
            log: "info".to_string(),
            demo: true,
            request_timeout: Duration::from_secs(30),
            body_limit: 2 * 1024 * 1024,
            secure_cookies: false,
            session_idle: Duration::from_secs(30 * 60),
            session_absolute: Duration::from_secs(12 * 3600),
            max_connections: 8,
            acquire_timeout: Duration::from_secs(5),
            calendar_dir: None,
            office_hours: OfficeHours::default(),
            agency_hours: BTreeMap::new(),
            notifications: Notifications::default(),
            code_format: motcua_domain::dossier::code::DEFAULT_FORMAT.to_string(),
        }
    }
}

impl Config {
    /// The database to open: the configured URL, or `motcua.db` in the data folder.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("motcua.db").display()),
        }
    }

    pub fn apply_file(&mut self, file: FileConfig) -> Result<(), String> {
        if let Some(v) = file.listen {
            self.listen = v;
        }
        if let Some(v) = file.data_dir {
            self.data_dir = v;
        }
        if let Some(v) = file.database_url {
            self.database_url = Some(v);
        }
        if let Some(v) = file.site_name {
            self.site_name = v;
        }
        if let Some(v) = file.log {
            self.log = v;
        }
        if let Some(v) = file.demo {
            self.demo = v;
        }
        if let Some(v) = file.http.secure_cookies {
            self.secure_cookies = v;
        }
        if let Some(v) = file.http.session_idle_minutes {
            if v == 0 {
                return Err("http.session_idle_minutes must be at least 1".into());
            }
            self.session_idle = Duration::from_secs(v * 60);
        }
        if let Some(v) = file.http.session_hours {
            if v == 0 {
                return Err("http.session_hours must be at least 1".into());
            }
            self.session_absolute = Duration::from_secs(v * 3600);
        }
        if let Some(v) = file.http.request_timeout_secs {
            if v == 0 {
                return Err("http.request_timeout_secs must be at least 1".into());
            }
            self.request_timeout = Duration::from_secs(v);
        }
        if let Some(v) = file.http.body_limit_bytes {
            if v < 1024 {
                return Err("http.body_limit_bytes must be at least 1024".into());
            }
            self.body_limit = v;
        }
        if let Some(v) = file.database.max_connections {
            if v == 0 {
                return Err("database.max_connections must be at least 1".into());
            }
            self.max_connections = v;
        }
        if let Some(v) = file.database.acquire_timeout_secs {
            if v == 0 {
                return Err("database.acquire_timeout_secs must be at least 1".into());
            }
            self.acquire_timeout = Duration::from_secs(v);
        }
        if let Some(dir) = file.calendar.dir {
            self.calendar_dir = Some(dir);
        }
        self.office_hours = office_hours(&file.calendar.hours, self.office_hours, "calendar")?;
        for (agency, hours) in &file.calendar.agencies {
            let resolved = office_hours(
                hours,
                self.office_hours,
                &format!("calendar.agencies.\"{agency}\""),
            )?;
            self.agency_hours.insert(agency.clone(), resolved);
        }
        if let Some(format) = file.dossiers.code_format {
            motcua_domain::dossier::CodeFormat::parse(&format)
                .map_err(|e| format!("dossiers.code_format: {e}"))?;
            self.code_format = format;
        }
        self.apply_notifications(file.notifications)
    }

    fn apply_notifications(&mut self, file: NotificationsFileConfig) -> Result<(), String> {
        let n = &mut self.notifications;
        if let Some(v) = file.enabled {
            n.enabled = v;
        }
        if let Some(v) = file.interval_secs {
            if v == 0 {
                return Err("notifications.interval_secs must be at least 1".into());
            }
            n.interval = Duration::from_secs(v);
        }
        if let Some(v) = file.due_soon_working_days {
            if v > 30 {
                return Err("notifications.due_soon_working_days must be at most 30".into());
            }
            n.due_soon_working_days = v;
        }
        if let Some(v) = file.smtp_url {
            n.smtp_url = Some(v);
        }
        if let Some(v) = file.from {
            n.from = Some(v);
        }
        if let Some(sms) = file.sms {
            n.sms = Some(SmsSettings {
                url: sms.url,
                token: sms.token,
                sender: sms.sender,
                unaccented: sms.unaccented.unwrap_or(true),
            });
        }
        if let Some(zalo) = file.zalo {
            n.zalo = Some(ZaloSettings {
                app_id: zalo.app_id,
                secret_key: zalo.secret_key,
                refresh_token: zalo.refresh_token,
                template_id: zalo.template_id,
                send_url: zalo.send_url.unwrap_or_else(|| ZALO_SEND_URL.into()),
                token_url: zalo.token_url.unwrap_or_else(|| ZALO_TOKEN_URL.into()),
            });
        }
        if n.smtp_url.is_some() && n.from.is_none() {
            return Err(
                "notifications.from must be set with notifications.smtp_url (the e-mails' sender)"
                    .into(),
            );
        }
        Ok(())
    }
}

/// Office hours from a configuration table, each key defaulting to `base`.
fn office_hours(
    file: &HoursFileConfig,
    base: OfficeHours,
    table: &str,
) -> Result<OfficeHours, String> {
    let window = |key: &str, value: &Option<String>, default: (u16, u16)| match value {
        None => Ok(default),
        Some(text) => parse_window(text).map_err(|e| format!("{table}.{key}: {e}")),
    };
    let morning = window(
        "morning",
        &file.morning,
        (base.morning_start, base.morning_end),
    )?;
    let afternoon = window(
        "afternoon",
        &file.afternoon,
        (base.afternoon_start, base.afternoon_end),
    )?;
    let cutoff = match &file.cutoff {
        None => base.cutoff,
        Some(text) => parse_minute(text).map_err(|e| format!("{table}.cutoff: {e}"))?,
    };
    OfficeHours::new(morning, afternoon, cutoff).map_err(|e| format!("{table}: {e}"))
}

/// Parses a configuration file's text; errors name the file, the line and the key.
pub fn parse_file(path: &Path, text: &str) -> Result<FileConfig, String> {
    toml::from_str::<FileConfig>(text).map_err(|err| {
        let line = err.span().map(|span| {
            text.as_bytes()[..span.start.min(text.len())]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1
        });
        let place = match line {
            Some(line) => format!("{} line {line}", path.display()),
            None => path.display().to_string(),
        };
        let message = err.message().replace('\n', " ");
        format!("{place}: {message}; fix it (motcua.example.toml lists every key)")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_file_documents_the_defaults() {
        let text = include_str!("../../../motcua.example.toml");
        let file = parse_file(Path::new("motcua.example.toml"), text).unwrap();
        let mut config = Config::default();
        config.apply_file(file).unwrap();
        assert_eq!(config, Config::default());
    }

    #[test]
    fn the_example_file_names_every_key() {
        let text = include_str!("../../../motcua.example.toml");
        for key in [
            "listen",
            "data_dir",
            "database_url",
            "site_name",
            "log",
            "demo",
            "[http]",
            "secure_cookies",
            "session_idle_minutes",
            "session_hours",
            "request_timeout_secs",
            "body_limit_bytes",
            "[database]",
            "max_connections",
            "acquire_timeout_secs",
            "[calendar]",
            "dir",
            "morning",
            "afternoon",
            "cutoff",
            "[calendar.agencies.",
            "[notifications]",
            "enabled",
            "interval_secs",
            "due_soon_working_days",
            "smtp_url",
            "from",
            "[notifications.sms]",
            "url",
            "token",
            "sender",
            "unaccented",
            "[notifications.zalo]",
            "app_id",
            "secret_key",
            "refresh_token",
            "template_id",
            "send_url",
            "token_url",
            "[dossiers]",
            "code_format",
        ] {
            assert!(
                text.contains(key),
                "motcua.example.toml does not mention {key}"
            );
        }
    }

    #[test]
    fn unknown_keys_name_the_line() {
        let err =
            parse_file(Path::new("m.toml"), "site_name = \"x\"\nlisen = \"1\"\n").unwrap_err();
        assert!(
            err.starts_with("m.toml line 2: unknown field `lisen`"),
            "{err}"
        );
        assert!(!err.contains('\n'));
    }

    #[test]
    fn wrong_types_name_the_line() {
        let err = parse_file(
            Path::new("m.toml"),
            "[http]\nrequest_timeout_secs = \"soon\"\n",
        )
        .unwrap_err();
        assert!(err.contains("line 2"), "{err}");
        assert!(err.contains("invalid type"), "{err}");
    }

    #[test]
    fn agencies_keep_their_own_hours() {
        let text = "[calendar]\ncutoff = \"16:00\"\n[calendar.agencies.\"H56.12\"]\nmorning = \"07:00-11:30\"\n";
        let file = parse_file(Path::new("m.toml"), text).unwrap();
        let mut config = Config::default();
        config.apply_file(file).unwrap();
        assert_eq!(config.office_hours.cutoff, 16 * 60);
        let agency = config.agency_hours["H56.12"];
        assert_eq!((agency.morning_start, agency.morning_end), (420, 690));
        // Keys the agency does not set come from the province's defaults.
        assert_eq!(agency.cutoff, 16 * 60);
        assert_eq!(agency.afternoon_end, 17 * 60);
    }

    #[test]
    fn bad_office_hours_name_the_key() {
        for (text, expected) in [
            (
                "[calendar]\nmorning = \"7:30-11:30\"\n",
                "calendar.morning: '7:30' is not a time",
            ),
            (
                "[calendar]\nafternoon = \"13:30\"\n",
                "calendar.afternoon: '13:30' is not a window",
            ),
            (
                "[calendar]\nmorning = \"11:30-07:30\"\n",
                "calendar: office hours must be in order",
            ),
            (
                "[calendar.agencies.\"X\"]\ncutoff = \"3pm\"\n",
                "calendar.agencies.\"X\".cutoff",
            ),
        ] {
            let file = parse_file(Path::new("m.toml"), text).unwrap();
            let err = Config::default().apply_file(file).unwrap_err();
            assert!(err.starts_with(expected), "{err}");
        }
    }

    #[test]
    fn a_dossier_code_format_that_could_repeat_codes_is_refused() {
        let good = "[dossiers]\ncode_format = \"{agency}-{yyyymmdd}-{seq:5}\"\n";
        let file = parse_file(Path::new("m.toml"), good).unwrap();
        let mut config = Config::default();
        config.apply_file(file).unwrap();
        assert_eq!(config.code_format, "{agency}-{yyyymmdd}-{seq:5}");
        let bad = parse_file(
            Path::new("m.toml"),
            "[dossiers]\ncode_format = \"{agency}-{yymmdd}\"\n",
        )
        .unwrap();
        let err = Config::default().apply_file(bad).unwrap_err();
        assert!(err.contains("dossiers.code_format"), "{err}");
    }

    #[test]
    fn notifications_are_checked_and_the_password_never_shows() {
        let text = "[notifications]\nsmtp_url = \"smtps://motcua:bí-mật@mail.example.vn\"\n\
                    from = \"Một cửa <motcua@example.vn>\"\ndue_soon_working_days = 2\n";
        let file = parse_file(Path::new("m.toml"), text).unwrap();
        let mut config = Config::default();
        config.apply_file(file).unwrap();
        assert_eq!(config.notifications.due_soon_working_days, 2);
        assert!(config.notifications.smtp_url.is_some());
        // Nor the SMS gateway's token, nor Zalo's secret key and refresh token.
        let text = "[notifications.sms]\nurl = \"https://sms.example.vn/gui\"\n\
                    token = \"token-bí-mật\"\nsender = \"UBND MINHSON\"\n\
                    [notifications.zalo]\napp_id = \"123\"\nsecret_key = \"khoá-bí-mật\"\n\
                    refresh_token = \"làm-mới-bí-mật\"\ntemplate_id = \"456\"\n";
        let file = parse_file(Path::new("m.toml"), text).unwrap();
        config.apply_file(file).unwrap();
        let sms = config.notifications.sms.as_ref().unwrap();
        assert!(sms.unaccented);
        let zalo = config.notifications.zalo.as_ref().unwrap();
        assert_eq!(zalo.send_url, ZALO_SEND_URL);
        let shown = format!("{config:?}");
        for secret in ["token-bí-mật", "khoá-bí-mật", "làm-mới-bí-mật"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        let shown = format!("{config:?}");
        assert!(!shown.contains("bí-mật"), "{shown}");
        assert!(
            shown.contains("smtps://motcua:***@mail.example.vn"),
            "{shown}"
        );
        for (text, expected) in [
            (
                "[notifications]\nsmtp_url = \"smtp://127.0.0.1:25\"\n",
                "notifications.from must be set",
            ),
            (
                "[notifications]\ninterval_secs = 0\n",
                "notifications.interval_secs",
            ),
            (
                "[notifications]\ndue_soon_working_days = 31\n",
                "notifications.due_soon_working_days",
            ),
        ] {
            let file = parse_file(Path::new("m.toml"), text).unwrap();
            let err = Config::default().apply_file(file).unwrap_err();
            assert!(err.starts_with(expected), "{err}");
        }
    }

    #[test]
    fn zero_timeouts_are_refused() {
        let file = parse_file(Path::new("m.toml"), "[http]\nrequest_timeout_secs = 0\n").unwrap();
        let err = Config::default().apply_file(file).unwrap_err();
        assert!(err.contains("request_timeout_secs"), "{err}");
    }
}
