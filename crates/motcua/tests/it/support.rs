//! Starting real servers and the real binary for tests.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Output};

use motcua_store::testing::TestDb;
use motcua_store::{Backend, Db};
use tokio::sync::oneshot;

/// Instantiates each listed test body once per backend: `async fn name(backend: Backend)`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(motcua_store::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[ignore = "PostgreSQL: set MOTCUA_TEST_DATABASE_URL and run with --ignored"]
                async fn $name() {
                    super::$name(motcua_store::Backend::Postgres).await;
                }
            )*
        }
    };
}

/// The real application on a random port, with a fresh migrated database.
pub struct TestApp {
    pub base: String,
    pub db: Db,
    pub client: reqwest::Client,
    _test_db: TestDb,
    /// The file store's folder, removed with the app.
    _files: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
}

impl TestApp {
    pub async fn start(backend: Backend) -> TestApp {
        let test_db = TestDb::new(backend).await;
        let db = test_db.db.clone();
        db.migrate().await.expect("migrations apply");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address: SocketAddr = listener.local_addr().unwrap();
        let files = tempfile::tempdir().unwrap();
        let app = motcua_web::app(motcua_web::AppState::new(
            db.clone(),
            motcua_web::WebConfig {
                files_dir: files.path().to_path_buf(),
                ..motcua_web::WebConfig::default()
            },
            test_working_time(),
        ));
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(motcua_web::serve(listener, app, async {
            let _ = stopped.await;
        }));
        TestApp {
            base: format!("http://{address}"),
            db,
            client: motcua_web::notifier::http_client_builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            _test_db: test_db,
            _files: files,
            stop: Some(stop),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// GET with a session cookie.
    pub async fn get_as(&self, cookie: &str, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap()
    }

    /// A form POST as a browser on this site sends it (with Origin).
    pub async fn post_form(
        &self,
        cookie: Option<&str>,
        path: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut request = self
            .client
            .post(self.url(path))
            .header("origin", &self.base)
            .form(form);
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        request.send().await.unwrap()
    }

    /// Creates a staff account with a role for the whole province (or none).
    pub async fn staff(
        &self,
        login: &str,
        password: &str,
        role: Option<&str>,
        must_change: bool,
    ) -> i64 {
        let login = &motcua_domain::people::normalise_login(login).unwrap();
        let hash = motcua_web::hash_password(password);
        let mut tx = self.db.begin().await.unwrap();
        let id = tx
            .insert_user(&motcua_store::NewUser {
                login,
                kind: "staff",
                full_name: "Cán Bộ Thử",
                position: "Chuyên viên",
                agency_id: None,
                phone: "",
                email: "",
                password_hash: &hash,
                must_change_password: must_change,
            })
            .await
            .unwrap();
        if let Some(role) = role {
            tx.grant(id, role, None, true, None).await.unwrap();
        }
        tx.commit().await.unwrap();
        id
    }

    /// Signs in; returns the `Cookie` header value of the session.
    pub async fn sign_in(&self, login: &str, password: &str) -> String {
        let response = self
            .post_form(
                None,
                "/dang-nhap",
                &[
                    ("login", login),
                    ("password", password),
                    ("next", "/can-bo"),
                ],
            )
            .await;
        assert_eq!(
            response.status(),
            reqwest::StatusCode::SEE_OTHER,
            "sign-in of {login} failed"
        );
        session_cookie(&response).expect("a session cookie")
    }
}

/// The `name=value` of the session cookie a response sets.
pub fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("motcua_session=") && !v.starts_with("motcua_session=;"))
        .map(|v| v.split(';').next().unwrap().to_string())
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The motcua binary, run in `dir` with no MOTCUA_* variables from the caller's environment.
pub fn motcua(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_motcua"));
    cmd.current_dir(dir);
    for (key, _) in std::env::vars() {
        if key.starts_with("MOTCUA_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("MOTCUA_LOG", "warn");
    cmd
}

/// stderr's non-empty lines.
pub fn stderr_lines(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

/// The names in a folder, sorted.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The shipped calendars with the default office hours, and one agency (`H56.12`) that opens at
/// 07:00 and closes at 16:30.
pub fn test_working_time() -> motcua_web::TimeHandle {
    use motcua_calendar::{OfficeHours, official};
    let agency =
        OfficeHours::new((7 * 60, 11 * 60 + 30), (13 * 60, 16 * 60 + 30), 15 * 60).unwrap();
    motcua_web::TimeHandle::new(
        motcua_web::TimeSetup {
            local_years: official::shipped().unwrap(),
            hours: OfficeHours::default(),
            agency_hours: [("H56.12".to_string(), agency)].into_iter().collect(),
        },
        Vec::new(),
    )
}
