//! What the benchmark reads of the machine and of the server's process (Linux `/proc`), and the
//! server itself: `motcua serve` in a process of its own, on a core of its own where the
//! machine has two or more.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The machine, as the output names it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub memory_gb: f64,
    pub kernel: String,
}

impl Machine {
    pub fn read() -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name")?.split_once(':'))
            .map_or("unknown".into(), |(_, v)| v.trim().to_string());
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let kb = meminfo
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
            .unwrap_or(0.0);
        Machine {
            cpu,
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            memory_gb: (kb / 1024.0 / 1024.0 * 10.0).round() / 10.0,
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map_or("unknown".into(), |s| s.trim().to_string()),
        }
    }
}

/// The commit of the checkout the binary was built in, with "+changes" when it has uncommitted
/// ones; "unknown" outside a checkout.
pub fn commit() -> String {
    let dir = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("."));
    let git = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(&dir)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    match git(&["rev-parse", "--short", "HEAD"]) {
        Some(head) => match git(&["status", "--porcelain", "--untracked-files=no"]) {
            Some(changes) if !changes.is_empty() => format!("{head}+changes"),
            _ => head,
        },
        None => "unknown".into(),
    }
}

/// Which cores the load generator and the server run on: apart where there are two or more
/// cores and `taskset` exists, else shared (and the output says so).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Pinning {
    pub generator: String,
    pub server: String,
}

impl Pinning {
    /// Pins this process (every thread, and those it starts later) to core 0 and reserves the
    /// others for the server.
    pub fn apply(cores: usize) -> Pinning {
        let shared = Pinning {
            generator: "shared".into(),
            server: "shared".into(),
        };
        if cores < 2 {
            return shared;
        }
        let pinned = Command::new("taskset")
            .args(["-a", "-p", "-c", "0", &std::process::id().to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !pinned {
            return shared;
        }
        Pinning {
            generator: "0".into(),
            server: format!("1-{}", cores - 1).replace("1-1", "1"),
        }
    }

    fn wrap(&self, command: Command) -> Command {
        if self.server == "shared" {
            return command;
        }
        let mut pinned = Command::new("taskset");
        pinned
            .arg("-c")
            .arg(&self.server)
            .arg(command.get_program());
        pinned.args(command.get_args());
        for (k, v) in command.get_envs() {
            match v {
                Some(v) => pinned.env(k, v),
                None => pinned.env_remove(k),
            };
        }
        if let Some(dir) = command.get_current_dir() {
            pinned.current_dir(dir);
        }
        pinned
    }
}

/// `motcua` itself, with a data folder and a database, the environment's settings ignored.
pub fn motcua(data: &Path, url: &str) -> Command {
    let mut command = Command::new(std::env::current_exe().unwrap_or_else(|_| "motcua".into()));
    command
        .env_remove("MOTCUA_DATABASE_URL")
        .env_remove("MOTCUA_CONFIG")
        .env_remove("MOTCUA_LISTEN")
        .env("MOTCUA_LOG", "warn")
        .arg("--data-dir")
        .arg(data)
        .arg("--database-url")
        .arg(url);
    command
}

/// Runs `motcua <args>` to its end.
pub fn run_motcua(data: &Path, url: &str, args: &[&str]) -> Result<(), String> {
    let output = motcua(data, url)
        .args(args)
        .output()
        .map_err(|e| format!("motcua {}: {e}", args.join(" ")))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "motcua {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// The running server and what is read of it.
pub struct ServerProcess {
    child: std::sync::Mutex<Child>,
    pid: u32,
    /// host:port
    pub host: String,
    /// The highest anonymous resident memory seen (bytes): the server's own memory, without
    /// the database pages it maps, which belong to the page cache.
    peak_own: Arc<AtomicU64>,
    watching: Arc<AtomicBool>,
}

impl ServerProcess {
    /// Starts `motcua serve` and waits until it listens and its deadline job's first round is
    /// done (at start it writes the alerts of every open dossier), so the runs measure requests
    /// alone.
    pub fn start(data: &Path, url: &str, pinning: &Pinning) -> Result<ServerProcess, String> {
        let mut command = motcua(data, url);
        command
            .env("MOTCUA_LOG", "warn,motcua_web::jobs=info")
            .args(["serve", "--listen", "127.0.0.1:0"]);
        // Pipes are set on the command that runs: wrapping builds a new one.
        let mut child = pinning
            .wrap(command)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("motcua serve does not start: {e}"))?;
        // With taskset, the server is taskset's child after exec: the same process.
        let pid = child.id();
        let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
        let host = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(rest) = line.strip_prefix("motcua serves http://") {
                        break rest.split_whitespace().next().unwrap_or("").to_string();
                    }
                }
                _ => {
                    let mut why = String::new();
                    if let Some(mut e) = child.stderr.take() {
                        let _ = std::io::Read::read_to_string(&mut e, &mut why);
                    }
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!(
                        "motcua serve stopped before it listened: {}",
                        why.trim()
                    ));
                }
            }
        };
        // Keep draining both pipes so the server never blocks on a full one.
        std::thread::spawn(move || for _ in lines {});
        let (job, done) = std::sync::mpsc::channel();
        let log = BufReader::new(child.stderr.take().expect("piped"));
        std::thread::spawn(move || {
            for line in log.lines().map_while(Result::ok) {
                if line.contains("deadline alerts") {
                    let _ = job.send(());
                }
            }
        });
        let started = Instant::now();
        if done.recv_timeout(Duration::from_secs(600)).is_err() {
            eprintln!(
                "bench: the server's deadline job said nothing in {} s; measuring anyway",
                started.elapsed().as_secs()
            );
        }
        let server = ServerProcess {
            child: std::sync::Mutex::new(child),
            pid,
            host,
            peak_own: Arc::new(AtomicU64::new(0)),
            watching: Arc::new(AtomicBool::new(true)),
        };
        let (peak, watching) = (server.peak_own.clone(), server.watching.clone());
        std::thread::spawn(move || {
            while watching.load(Ordering::Relaxed) {
                peak.fetch_max(status_kb(pid, "RssAnon:") * 1024, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        Ok(server)
    }

    /// The server's CPU time so far, every thread, user and system.
    pub fn cpu_time(&self) -> Duration {
        let ticks = std::fs::read_to_string(format!("/proc/{}/stat", self.pid))
            .ok()
            .and_then(|stat| {
                // The fields after the command's closing parenthesis; utime and stime are 14
                // and 15 of the whole line (1-based), 11 and 12 here.
                let rest = stat.rsplit_once(')')?.1.to_string();
                let fields: Vec<&str> = rest.split_whitespace().collect();
                Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
            })
            .unwrap_or(0);
        // USER_HZ is 100 on every Linux this runs on.
        Duration::from_millis(ticks * 10)
    }

    /// Peak resident memory: (the server's own, all of it counting mapped database pages),
    /// in bytes.
    pub fn peak_memory(&self) -> (u64, u64) {
        let own = self
            .peak_own
            .load(Ordering::Relaxed)
            .max(status_kb(self.pid, "RssAnon:") * 1024);
        (own, status_kb(self.pid, "VmHWM:") * 1024)
    }

    /// Whether the process still runs.
    pub fn alive(&self) -> bool {
        self.child
            .lock()
            .is_ok_and(|mut c| matches!(c.try_wait(), Ok(None)))
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.watching.store(false, Ordering::Relaxed);
        if let Ok(mut child) = self.child.lock() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A `/proc/<pid>/status` figure in kB (0 where unknown).
fn status_kb(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(field))?
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}
