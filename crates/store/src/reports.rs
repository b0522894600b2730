//! Which dossiers a report covers: a scope of agencies, as conditions on a query of `dossiers` or
//! of `report_counts` (both have the deciding and the receiving agency).

/// The dossiers a report covers.
#[derive(Debug, Clone, Default)]
pub struct ReportScope {
    /// Dossiers whose deciding or receiving agency is one of these (`None`: all).
    pub agencies: Option<Vec<i64>>,
    /// Only those this agency decides.
    pub deciding_agency: Option<i64>,
    /// Only those this agency's desk received.
    pub desk_agency: Option<i64>,
}

impl ReportScope {
    /// Adds the scope's conditions to a query on `dossiers`; false when it can hold nothing (a
    /// reach of no agency). Ids come from the reader's reach and the chosen agency, never from
    /// text.
    pub(crate) fn narrow(&self, sql: &mut String) -> bool {
        if let Some(ids) = &self.agencies {
            if ids.is_empty() {
                return false;
            }
            let list: Vec<String> = ids.iter().map(i64::to_string).collect();
            sql.push_str(&format!(
                " AND (deciding_agency_id IN ({0}) OR desk_agency_id IN ({0}))",
                list.join(", ")
            ));
        }
        if let Some(id) = self.deciding_agency {
            sql.push_str(&format!(" AND deciding_agency_id = {id}"));
        }
        if let Some(id) = self.desk_agency {
            sql.push_str(&format!(" AND desk_agency_id = {id}"));
        }
        true
    }
}
