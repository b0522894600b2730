//! The benchmark's output: every figure with its budget from the design beside it, as a text
//! table and as JSON.

use serde::Serialize;

use super::client::Sample;
use super::province::Shares;
use super::system::{Machine, Pinning};

/// A budget line and whether the figure meets it.
#[derive(Debug, Clone, Serialize)]
pub struct Budget {
    pub target: String,
    /// "met", "not met", or "not judged: <why>".
    pub verdict: String,
}

impl Budget {
    pub fn judged(target: &str, met: bool) -> Budget {
        Budget {
            target: target.into(),
            verdict: if met { "met" } else { "not met" }.into(),
        }
    }

    /// A budget set for another scale than the one measured.
    pub fn not_judged(target: &str, why: &str) -> Budget {
        Budget {
            target: target.into(),
            verdict: format!("not judged: {why}"),
        }
    }
}

/// One measured run.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub scenario: &'static str,
    pub what: String,
    pub clients: usize,
    pub requests: usize,
    pub errors: usize,
    pub rate_per_s: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// The server's CPU time per request (all its threads); on PostgreSQL the database's own
    /// processes come on top.
    pub cpu_ms_per_request: Option<f64>,
    pub budget: Option<Budget>,
    /// The first unexpected answer, if any.
    pub first_error: Option<String>,
    pub note: Option<String>,
}

impl Figure {
    pub fn closed(scenario: &'static str, what: String, clients: usize, s: &Sample) -> Figure {
        Figure {
            scenario,
            what,
            clients,
            requests: s.times.len(),
            errors: s.errors,
            rate_per_s: s.rate(),
            p50_ms: s.percentile(0.50),
            p95_ms: s.percentile(0.95),
            p99_ms: s.percentile(0.99),
            max_ms: s.percentile(1.0),
            cpu_ms_per_request: Some(
                s.server_cpu.as_secs_f64() * 1e3 / s.times.len().max(1) as f64,
            ),
            budget: None,
            first_error: s.first_error.clone(),
            note: None,
        }
    }
}

/// A figure of the whole run rather than of a scenario.
#[derive(Debug, Clone, Serialize)]
pub struct Resource {
    pub what: String,
    pub value: String,
    pub budget: Option<Budget>,
}

/// Everything one run of `motcua bench` measured.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub date: String,
    pub commit: String,
    pub machine: Machine,
    pub pinning: Pinning,
    pub backend: String,
    pub scale: String,
    pub quick: bool,
    /// Every dossier in the database: the demo's and the generated ones.
    pub dossiers: usize,
    /// The generated dossiers and their events.
    pub generated: usize,
    pub events: usize,
    pub first_day: String,
    pub last_day: String,
    pub shares: Shares,
    pub figures: Vec<Figure>,
    pub resources: Vec<Resource>,
}

impl Report {
    /// Whether any request was answered other than expected.
    pub fn errors(&self) -> usize {
        self.figures.iter().map(|f| f.errors).sum()
    }

    pub fn text(&self) -> String {
        let m = &self.machine;
        let mut out = format!(
            "motcua bench — {} — commit {}\n\
             machine: {} cores ({}), {} GB, Linux {}; load generator on core {}, server on {}\n\
             {} · scale {}{} · {} dossiers: the demo's and {} generated ({} events, {:.1} each) received {} – {}\n\
             generated: {:.0} % online, {:.0} % land, {:.1} % finished late, {:.1} % with a supplement request, {:.1} % with an apology\n\n",
            self.date,
            self.commit,
            m.cores,
            m.cpu,
            m.memory_gb,
            m.kernel,
            self.pinning.generator,
            self.pinning.server,
            self.backend,
            self.scale,
            if self.quick {
                " (quick: a smoke test, its figures prove nothing)"
            } else {
                ""
            },
            thousands(self.dossiers),
            thousands(self.generated),
            thousands(self.events),
            self.events as f64 / self.generated.max(1) as f64,
            self.first_day,
            self.last_day,
            self.shares.online * 100.0,
            self.shares.land * 100.0,
            self.shares.late * 100.0,
            self.shares.supplement * 100.0,
            self.shares.apology * 100.0,
        );
        // Columns as wide as their longest text.
        let w = self
            .figures
            .iter()
            .map(|f| f.what.chars().count())
            .max()
            .unwrap_or(0);
        out.push_str(&format!(
            "{:<12} {:<w$} {:>9} {:>8} {:>8} {:>8} {:>8} {:>6} {:>7}  budget\n",
            "scenario", "run", "rate/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors", "CPU ms"
        ));
        for f in &self.figures {
            out.push_str(&format!(
                "{:<12} {:<w$} {:>9.1} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>6} {:>7}  {}\n",
                f.scenario,
                f.what,
                f.rate_per_s,
                f.p50_ms,
                f.p95_ms,
                f.p99_ms,
                f.max_ms,
                f.errors,
                f.cpu_ms_per_request
                    .map_or("-".into(), |c| format!("{c:.2}")),
                f.budget
                    .as_ref()
                    .map_or(String::new(), |b| format!("{} — {}", b.target, b.verdict)),
            ));
            if let Some(note) = &f.note {
                out.push_str(&format!("{:<12} {note}\n", ""));
            }
            if let Some(e) = &f.first_error {
                out.push_str(&format!("{:<12} first error: {e}\n", ""));
            }
        }
        out.push('\n');
        let w = self
            .resources
            .iter()
            .map(|r| r.what.chars().count())
            .max()
            .unwrap_or(0);
        let v = self
            .resources
            .iter()
            .map(|r| r.value.chars().count())
            .max()
            .unwrap_or(0);
        for r in &self.resources {
            out.push_str(&format!(
                "{:<w$} {:>v$}  {}\n",
                r.what,
                r.value,
                r.budget
                    .as_ref()
                    .map_or(String::new(), |b| format!("{} — {}", b.target, b.verdict)),
            ));
        }
        out
    }
}

/// `n` with a comma between thousands, as the benchmark's tables write numbers.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Bytes in MB or GB, one decimal.
pub fn bytes(n: u64) -> String {
    let n = n as f64;
    if n >= 1e9 {
        format!("{:.2} GB", n / 1e9)
    } else {
        format!("{:.1} MB", n / 1e6)
    }
}
