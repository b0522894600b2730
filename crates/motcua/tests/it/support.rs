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
    stop: Option<oneshot::Sender<()>>,
}

impl TestApp {
    pub async fn start(backend: Backend) -> TestApp {
        let test_db = TestDb::new(backend).await;
        let db = test_db.db.clone();
        db.migrate().await.expect("migrations apply");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address: SocketAddr = listener.local_addr().unwrap();
        let app = motcua_web::app(motcua_web::AppState::new(
            db.clone(),
            motcua_web::WebConfig::default(),
            test_working_time(),
        ));
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(motcua_web::serve(listener, app, async {
            let _ = stopped.await;
        }));
        TestApp {
            base: format!("http://{address}"),
            db,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            _test_db: test_db,
            stop: Some(stop),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }
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
pub fn test_working_time() -> motcua_calendar::WorkingTime {
    use motcua_calendar::{OfficeHours, WorkingTime, official};
    let agency =
        OfficeHours::new((7 * 60, 11 * 60 + 30), (13 * 60, 16 * 60 + 30), 15 * 60).unwrap();
    WorkingTime::new(
        official::shipped().unwrap(),
        OfficeHours::default(),
        [("H56.12".to_string(), agency)].into_iter().collect(),
    )
}
