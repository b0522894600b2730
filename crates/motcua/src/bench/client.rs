//! The load generator's HTTP: keep-alive HTTP/1.1 connections as light as a client can be (the
//! generator shares the machine with the server), driven closed-loop (`drive`: each client
//! sends its next request when the last is answered) or open-loop (`pace`: requests at a set
//! rate whatever the answers take).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

use super::system::ServerProcess;

/// A request as the clients send it.
#[derive(Clone)]
pub struct Request {
    pub method: &'static str,
    pub path: String,
    /// Extra header lines, each ending in CRLF.
    pub headers: String,
    pub body: String,
}

impl Request {
    pub fn get(path: String, headers: &str) -> Request {
        Request {
            method: "GET",
            path,
            headers: headers.to_string(),
            body: String::new(),
        }
    }
}

/// One keep-alive connection: the request written in one call, the answer read by its length.
pub struct Connection {
    read: BufReader<OwnedReadHalf>,
    write: OwnedWriteHalf,
    host: String,
}

impl Connection {
    pub async fn open(host: &str) -> std::io::Result<Connection> {
        let stream = TcpStream::connect(host).await?;
        stream.set_nodelay(true)?;
        let (read, write) = stream.into_split();
        Ok(Connection {
            read: BufReader::new(read),
            write,
            host: host.to_string(),
        })
    }

    /// The status and body of the answer to `r`.
    pub async fn send(&mut self, r: &Request) -> std::io::Result<(u16, Vec<u8>)> {
        let message = format!(
            "{} {} HTTP/1.1\r\nhost: {}\r\ncontent-length: {}\r\n{}\r\n{}",
            r.method,
            r.path,
            self.host,
            r.body.len(),
            r.headers,
            r.body
        );
        self.write.write_all(message.as_bytes()).await?;
        let mut line = String::new();
        self.read.read_line(&mut line).await?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("no status in {line:?}")))?;
        let (mut length, mut chunked) = (0usize, false);
        loop {
            line.clear();
            self.read.read_line(&mut line).await?;
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                } else if name.eq_ignore_ascii_case("transfer-encoding") {
                    chunked = value.trim().eq_ignore_ascii_case("chunked");
                }
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                line.clear();
                self.read.read_line(&mut line).await?;
                let size = usize::from_str_radix(line.trim(), 16).unwrap_or(0);
                let mut chunk = vec![0; size + 2];
                self.read.read_exact(&mut chunk).await?;
                if size == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..size]);
            }
        } else {
            body.resize(length, 0);
            self.read.read_exact(&mut body).await?;
        }
        Ok((status, body))
    }

    /// Sends `r`; on a broken connection opens a new one for the next request.
    async fn exchange(&mut self, r: &Request) -> Result<(u16, Vec<u8>), String> {
        match self.send(r).await {
            Ok(answer) => Ok(answer),
            Err(e) => {
                if let Ok(fresh) = Connection::open(&self.host).await {
                    *self = fresh;
                }
                Err(e.to_string())
            }
        }
    }
}

/// Latencies and what else a run observed.
#[derive(Debug, Clone, Default)]
pub struct Sample {
    pub times: Vec<Duration>,
    pub errors: usize,
    /// The first unexpected answer, to say what went wrong.
    pub first_error: Option<String>,
    /// Bytes of the last answer.
    pub last_size: usize,
    /// Wall-clock length of the run.
    pub elapsed: Duration,
    /// The server's CPU time during the run.
    pub server_cpu: Duration,
}

impl Sample {
    pub fn rate(&self) -> f64 {
        self.times.len() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The `p`-th percentile in milliseconds, nearest rank (p in 0..=1).
    pub fn percentile(&self, p: f64) -> f64 {
        let mut sorted = self.times.clone();
        sorted.sort();
        if sorted.is_empty() {
            return 0.0;
        }
        let rank = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len());
        sorted[rank - 1].as_secs_f64() * 1e3
    }

    fn merge(&mut self, other: Sample) {
        self.times.extend(other.times);
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
        self.last_size = other.last_size.max(self.last_size);
    }

    fn note(&mut self, answer: Result<(u16, Vec<u8>), String>, r: &Request, ok: &Check) {
        match answer {
            Ok((status, body)) if ok(status, &body) => self.last_size = body.len(),
            Ok((status, body)) => {
                self.errors += 1;
                self.first_error.get_or_insert_with(|| {
                    let text = String::from_utf8_lossy(&body);
                    let text: String = text.chars().take(300).collect();
                    format!("{} {}: {status} {text}", r.method, r.path)
                });
            }
            Err(e) => {
                self.errors += 1;
                self.first_error
                    .get_or_insert_with(|| format!("{} {}: {e}", r.method, r.path));
            }
        }
    }
}

/// Whether an answer (status, body) is the one expected.
pub type Check = Arc<dyn Fn(u16, &[u8]) -> bool + Send + Sync>;
/// The `n`-th request of a run, or `None` when there is nothing more to send.
pub type Source = Arc<dyn Fn(usize) -> Option<Request> + Send + Sync>;

/// `clients` connections, each sending its next request when its last is answered, until
/// `length` has passed, `limit` requests were sent or `source` runs dry.
pub async fn drive(
    server: &ServerProcess,
    clients: usize,
    length: Duration,
    limit: usize,
    source: Source,
    ok: Check,
) -> Result<Sample, String> {
    let mut connections = Vec::with_capacity(clients);
    for _ in 0..clients {
        connections.push(
            Connection::open(&server.host)
                .await
                .map_err(|e| format!("the server at {} does not answer: {e}", server.host))?,
        );
    }
    let next = Arc::new(AtomicUsize::new(0));
    let cpu = server.cpu_time();
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(clients);
    for mut connection in connections {
        let (next, source, ok) = (next.clone(), source.clone(), ok.clone());
        tasks.push(tokio::spawn(async move {
            let mut sample = Sample::default();
            while start.elapsed() < length {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= limit {
                    break;
                }
                let Some(r) = source(n) else { break };
                let t = Instant::now();
                let answer = connection.exchange(&r).await;
                sample.times.push(t.elapsed());
                sample.note(answer, &r, &ok);
            }
            sample
        }));
    }
    let mut all = Sample::default();
    for t in tasks {
        all.merge(t.await.map_err(|e| e.to_string())?);
    }
    all.elapsed = start.elapsed();
    all.server_cpu = server.cpu_time().saturating_sub(cpu);
    Ok(all)
}

/// Requests at `rate` per second for `length`, whatever the answers take: each is sent at its
/// time on a free connection of `connections`, and its latency counts from that time, so a
/// slow server shows as latency rather than as fewer requests.
pub async fn pace(
    host: &str,
    rate: f64,
    connections: usize,
    length: Duration,
    start: Instant,
    source: Source,
    ok: Check,
) -> Sample {
    let (free, mut taken) = tokio::sync::mpsc::channel::<Connection>(connections.max(1));
    for _ in 0..connections.max(1) {
        if let Ok(c) = Connection::open(host).await {
            let _ = free.send(c).await;
        }
    }
    let interval = Duration::from_secs_f64(1.0 / rate.max(1e-6));
    let (done, mut results) = tokio::sync::mpsc::unbounded_channel::<Sample>();
    let mut n = 0usize;
    loop {
        let at = start + interval.mul_f64(n as f64);
        if at >= start + length {
            break;
        }
        tokio::time::sleep_until(at.into()).await;
        n += 1;
        // Nothing to send at this tick (no dossier to move yet): the next may have.
        let Some(r) = source(n - 1) else { continue };
        let mut connection = match taken.recv().await {
            Some(c) => c,
            None => break,
        };
        let (free, done, ok) = (free.clone(), done.clone(), ok.clone());
        tokio::spawn(async move {
            let mut sample = Sample::default();
            let answer = connection.exchange(&r).await;
            sample.times.push(at.elapsed());
            sample.note(answer, &r, &ok);
            let _ = free.send(connection).await;
            let _ = done.send(sample);
        });
    }
    drop(done);
    let mut all = Sample::default();
    while let Some(s) = results.recv().await {
        all.merge(s);
    }
    all.elapsed = length;
    all
}
