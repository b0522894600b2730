//! Importing and exporting the procedure catalogue (JSON, the `motcua-catalogue/1` format, or its
//! XLSX workbook, `motcua_render::catalogue_xlsx`). An import is checked whole, every problem
//! reported with its place, and written in one transaction or not at all; each procedure becomes
//! a new published version from its publication date. An export gives back exactly what is in
//! force.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use motcua_calendar::Date;
use motcua_domain::catalogue::{Catalogue, FORMAT, ImportProblem, Known, Procedure, Sector};
use motcua_domain::search::{Entry, Index};
use motcua_render::catalogue_xlsx::{self, Places};
use motcua_store::{AuditEntry, Db, NewProcedureVersion, StoreError};

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub sectors: usize,
    pub procedures: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("the file is not a catalogue: {0}")]
    Json(String),
    #[error("{} problems", .0.len())]
    Problems(Vec<ImportProblem>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Every agency's name on `day`, by identifier.
pub(crate) async fn agencies_on(
    db: &Db,
    day: &str,
) -> Result<BTreeMap<String, String>, StoreError> {
    Ok(db
        .agencies_as_of(day)
        .await?
        .into_iter()
        .map(|a| (a.identifier, a.name))
        .collect())
}

/// Every open desk, as (agency identifier, desk name), on `day`.
pub(crate) async fn desks_by_agency(
    db: &Db,
    day: &str,
) -> Result<std::collections::BTreeSet<(String, String)>, StoreError> {
    let identifiers: BTreeMap<i64, String> = db
        .agencies_as_of(day)
        .await?
        .into_iter()
        .map(|a| (a.id, a.identifier))
        .collect();
    Ok(db
        .desks()
        .await?
        .into_iter()
        .filter(|(_, active)| *active)
        .filter_map(|(d, _)| Some((identifiers.get(&d.agency_id)?.clone(), d.name)))
        .collect())
}

/// The province's agencies and desks on a day: what a procedure's references are checked
/// against.
pub struct Province {
    pub agencies: BTreeMap<String, String>,
    pub desks: std::collections::BTreeSet<(String, String)>,
}

impl Province {
    pub async fn on(db: &Db, day: &str) -> Result<Province, StoreError> {
        Ok(Province {
            agencies: agencies_on(db, day).await?,
            desks: desks_by_agency(db, day).await?,
        })
    }

    /// `f` given what the province knows, for the domain's checks.
    pub fn with_known<R>(&self, f: impl FnOnce(&Known) -> R) -> R {
        f(&Known {
            agency: &|id| self.agencies.contains_key(id),
            desk: &|agency, desk| self.desks.contains(&(agency.to_string(), desk.to_string())),
        })
    }

    /// The problems of one procedure, with paths relative to it.
    pub fn check(&self, p: &Procedure) -> Vec<ImportProblem> {
        self.with_known(|known| p.check(known))
    }

    /// A procedure as stored: the record as JSON, its folded search text (with its sector's
    /// and agencies' names) and its level's code.
    pub fn encode(&self, p: &Procedure, sector_name: &str) -> Encoded {
        let names = [
            agency_name(&self.agencies, &p.implementing_agency),
            agency_name(&self.agencies, &p.competent_agency),
        ];
        Encoded {
            data: serde_json::to_string(p).expect("a procedure serialises"),
            search_text: p.search_text(sector_name, &[&names[0], &names[1]]),
            level: p.level.code().to_string(),
        }
    }
}

pub struct Encoded {
    pub data: String,
    pub search_text: String,
    pub level: String,
}

/// The name shown for an agency reference (`commune` is every commune's committee).
fn agency_name(db_agencies: &BTreeMap<String, String>, id: &str) -> String {
    if id == "commune" {
        "Ủy ban nhân dân cấp xã".to_string()
    } else {
        db_agencies.get(id).cloned().unwrap_or_default()
    }
}

/// Imports a catalogue in JSON. With `audit`, the import is logged in its transaction (the
/// entry's detail is replaced by what was imported).
pub async fn import(
    db: &Db,
    json: &str,
    actor: &str,
    today: &str,
    audit: Option<AuditEntry<'_>>,
) -> Result<Imported, ImportError> {
    let catalogue: Catalogue =
        serde_json::from_str(json).map_err(|e| ImportError::Json(e.to_string()))?;
    import_catalogue(db, &catalogue, None, actor, today, audit).await
}

/// Imports a catalogue workbook (`motcua_render::catalogue_xlsx`). Every problem's `path` is
/// its place in the workbook ("Cách thực hiện, dòng 7, cột E (Phí, lệ phí)"), whether the
/// workbook could not be read or the catalogue in it does not check.
pub async fn import_xlsx(
    db: &Db,
    bytes: &[u8],
    actor: &str,
    today: &str,
    audit: Option<AuditEntry<'_>>,
) -> Result<Imported, ImportError> {
    let parsed = catalogue_xlsx::read(bytes).map_err(|problems| {
        ImportError::Problems(
            problems
                .into_iter()
                .map(|p| ImportProblem {
                    path: p.place(),
                    message: p.message,
                })
                .collect(),
        )
    })?;
    import_catalogue(
        db,
        &parsed.catalogue,
        Some(&parsed.places),
        actor,
        today,
        audit,
    )
    .await
}

/// Checks a catalogue whole and writes it in one transaction. With `places`, problems are
/// reported at the workbook cells their paths came from.
async fn import_catalogue(
    db: &Db,
    catalogue: &Catalogue,
    places: Option<&Places>,
    actor: &str,
    today: &str,
    audit: Option<AuditEntry<'_>>,
) -> Result<Imported, ImportError> {
    let province = Province::on(db, today).await?;
    let problems = province.with_known(|known| catalogue.check(known));
    if !problems.is_empty() {
        let located = problems.into_iter().map(|p| ImportProblem {
            path: places.and_then(|at| at.locate(&p.path)).unwrap_or(p.path),
            message: p.message,
        });
        return Err(ImportError::Problems(located.collect()));
    }
    let sector_names: BTreeMap<&str, &str> = catalogue
        .sectors
        .iter()
        .map(|s| (s.code.as_str(), s.name.as_str()))
        .collect();
    let mut tx = db.begin().await?;
    for sector in &catalogue.sectors {
        tx.upsert_sector(&sector.code, &sector.name).await?;
    }
    for p in &catalogue.procedures {
        let encoded = province.encode(p, sector_names[p.sector.as_str()]);
        tx.add_procedure_version(&NewProcedureVersion {
            code: &p.code,
            name: &p.name,
            sector: &p.sector,
            level: &encoded.level,
            data: &encoded.data,
            search_text: &encoded.search_text,
            status: "published",
            valid_from: &p.publication.date,
            created_by: actor,
            note: "",
            decided_on: &p.publication.date,
            law_effective: &p.publication.law_effective,
        })
        .await?;
    }
    let imported = Imported {
        sectors: catalogue.sectors.len(),
        procedures: catalogue.procedures.len(),
    };
    if let Some(entry) = audit {
        let detail = format!(
            "{{\"file\":{},\"sectors\":{},\"procedures\":{}}}",
            serde_json::to_string(entry.detail).expect("a string serialises"),
            imported.sectors,
            imported.procedures
        );
        tx.audit(&AuditEntry {
            detail: &detail,
            ..entry
        })
        .await?;
    }
    tx.commit().await?;
    Ok(imported)
}

/// The catalogue in force on `date`, in the import format.
pub async fn export(db: &Db, date: &str) -> Result<Catalogue, StoreError> {
    let procedures = db
        .procedures_in_force(date)
        .await?
        .into_iter()
        .map(|row| {
            serde_json::from_str::<Procedure>(&row.data).map_err(|e| {
                StoreError::Internal(format!(
                    "procedure {} version {} cannot be read: {e}",
                    row.code, row.version
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let sectors = db
        .sectors()
        .await?
        .into_iter()
        .map(|(code, name)| Sector { code, name })
        .collect();
    Ok(Catalogue {
        format: FORMAT.to_string(),
        note: String::new(),
        sectors,
        procedures,
    })
}

/// How long a loaded catalogue is trusted before the database is asked again whether it changed.
/// Asking on every request cost about 0.2 ms of a 1.2 ms search and much of its tail on two cores
/// (BENCHMARKS.md); a second is how late another process's import may show.
pub const RECHECK: Duration = Duration::from_secs(1);

/// The catalogue in force, ready to search: rebuilt when a version is added (here or in another
/// process, seen within `RECHECK`) or the day changes.
#[derive(Clone, Default)]
pub struct CatalogueHandle {
    current: Arc<RwLock<Option<Current>>>,
    /// One request at a time asks the database or loads; the others wait and take what it
    /// found. Without it, a server started under load read the 2,000 procedures once for
    /// every request in flight (seconds each) before answering any.
    refresh: Arc<tokio::sync::Mutex<()>>,
}

/// Procedure versions that dossiers are pinned to, read and parsed once. A version no longer a
/// draft never changes (only drafts are edited), so what is kept stays true; drafts are never
/// kept. Bounded: when full it starts again, which costs a few reads.
#[derive(Clone, Default)]
pub struct PinnedVersions(Arc<std::sync::Mutex<Pinned>>);

/// (procedure code, version) → the version parsed.
type Pinned = BTreeMap<(String, i64), Arc<Procedure>>;

impl PinnedVersions {
    const MOST: usize = 4_096;

    pub fn get(&self, code: &str, version: i64) -> Option<Arc<Procedure>> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&(code.to_string(), version))
            .cloned()
    }

    pub fn keep(&self, code: &str, version: i64, procedure: Arc<Procedure>) {
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if kept.len() >= Self::MOST {
            kept.clear();
        }
        kept.insert((code.to_string(), version), procedure);
    }
}

struct Current {
    loaded: Arc<Loaded>,
    checked: Instant,
}

/// The procedures in force on a day, their search index, and the names of their sectors and
/// agencies.
pub struct Loaded {
    stamp: ((i64, i64), String),
    pub index: Index,
    pub procedures: BTreeMap<String, InForce>,
    pub sectors: BTreeMap<String, String>,
    /// Names of the agencies the procedures name, by identifier, as of the day loaded (a rename
    /// shows from the next day or the next catalogue change).
    pub agencies: BTreeMap<String, String>,
    /// The newest template file of each form, by procedure code.
    pub forms: BTreeMap<String, Vec<motcua_store::FormFile>>,
}

/// A procedure's version in force.
pub struct InForce {
    pub procedure: Procedure,
    /// 1 for the first version recorded, counting up.
    pub version: i64,
    /// When the procedure was last updated: the day this version took effect or was recorded,
    /// whichever is later.
    pub since: Date,
}

impl CatalogueHandle {
    /// Forgets the loaded catalogue, so the next request loads it again: after a change made in
    /// this process, which its next page must show.
    pub fn forget(&self) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// The catalogue loaded for `today` and checked within `RECHECK`, if there is one.
    fn fresh(&self, today: &str) -> Option<Arc<Loaded>> {
        let current = self.current.read().unwrap_or_else(|e| e.into_inner());
        let current = current.as_ref()?;
        (current.loaded.stamp.1 == today && current.checked.elapsed() < RECHECK)
            .then(|| current.loaded.clone())
    }

    pub async fn current(&self, db: &Db, today: &str) -> Result<Arc<Loaded>, StoreError> {
        if let Some(loaded) = self.fresh(today) {
            return Ok(loaded);
        }
        let _refreshing = self.refresh.lock().await;
        match self.fresh(today) {
            Some(loaded) => Ok(loaded),
            None => self.reload(db, today).await,
        }
    }

    /// Keeps the loaded catalogue if the database says nothing changed, else loads it again.
    /// The caller holds `refresh`.
    async fn reload(&self, db: &Db, today: &str) -> Result<Arc<Loaded>, StoreError> {
        let stamp = (db.catalogue_stamp().await?, today.to_string());
        if let Some(current) = self
            .current
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .as_mut()
            && current.loaded.stamp == stamp
        {
            current.checked = Instant::now();
            return Ok(current.loaded.clone());
        }
        let sectors: BTreeMap<String, String> = db.sectors().await?.into_iter().collect();
        let all_agencies = agencies_on(db, today).await?;
        let mut named_agencies = BTreeMap::new();
        let mut procedures = BTreeMap::new();
        let mut entries = Vec::new();
        for row in db.procedures_in_force(today).await? {
            let p: Procedure = serde_json::from_str(&row.data).map_err(|e| {
                StoreError::Internal(format!(
                    "procedure {} version {} cannot be read: {e}",
                    row.code, row.version
                ))
            })?;
            let mut agencies = vec![p.implementing_agency.clone(), p.competent_agency.clone()];
            agencies.dedup();
            for id in &agencies {
                named_agencies
                    .entry(id.clone())
                    .or_insert_with(|| agency_name(&all_agencies, id));
            }
            entries.push(Entry::new(
                &p.code,
                &p.name,
                &p.sector,
                p.level,
                p.online,
                agencies,
                &row.search_text,
            ));
            let recorded = motcua_calendar::Instant(row.created_at).local_date();
            procedures.insert(
                p.code.clone(),
                InForce {
                    procedure: p,
                    version: row.version,
                    since: Date::parse(&row.valid_from).map_or(recorded, |d| d.max(recorded)),
                },
            );
        }
        let mut forms: BTreeMap<String, Vec<motcua_store::FormFile>> = BTreeMap::new();
        for file in db.all_form_files().await? {
            forms
                .entry(file.procedure_code.clone())
                .or_default()
                .push(file);
        }
        let loaded = Arc::new(Loaded {
            stamp,
            index: Index::new(entries),
            procedures,
            sectors,
            agencies: named_agencies,
            forms,
        });
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some(Current {
            loaded: loaded.clone(),
            checked: Instant::now(),
        });
        Ok(loaded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_request_waits_for_the_load_in_progress_and_takes_it() {
        let t = motcua_store::testing::TestDb::sqlite().await;
        t.db.migrate().await.unwrap();
        let handle = CatalogueHandle::default();
        // A load in progress holds the gate: a request arriving meanwhile waits for it.
        let loading = handle.refresh.lock().await;
        let waiting = tokio::spawn({
            let (handle, db) = (handle.clone(), t.db.clone());
            async move { handle.current(&db, "2026-12-03").await.unwrap() }
        });
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert!(!waiting.is_finished(), "it loaded again instead of waiting");
        let loaded = handle.reload(&t.db, "2026-12-03").await.unwrap();
        drop(loading);
        assert!(Arc::ptr_eq(&waiting.await.unwrap(), &loaded));
    }
}
