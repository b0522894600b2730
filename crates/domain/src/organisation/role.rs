//! Roles, and the scope of agencies each grant covers.

use serde::{Deserialize, Serialize};

/// What a staff member may do. A person may hold several roles, each for its own scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Receives and returns dossiers at a one-stop desk (cán bộ một cửa).
    DeskOfficer,
    /// Processes dossiers assigned to them (chuyên viên xử lý).
    ProcessingOfficer,
    /// Leads an agency: approves, signs off, watches deadlines (lãnh đạo).
    Approver,
    /// Manages the agency's staff and desks (quản trị cơ quan).
    AgencyAdmin,
    /// Keeps the procedure catalogue and workflows (kiểm soát TTHC).
    ProcedureController,
    /// Scores the reform index, runs surveys (cán bộ cải cách hành chính, Sở Nội vụ).
    ReformOfficer,
    /// Administers the whole installation (quản trị hệ thống).
    ProvinceAdmin,
    /// Reads everything, changes nothing (thanh tra, kiểm tra).
    Auditor,
}

pub const ALL_ROLES: [Role; 8] = [
    Role::DeskOfficer,
    Role::ProcessingOfficer,
    Role::Approver,
    Role::AgencyAdmin,
    Role::ProcedureController,
    Role::ReformOfficer,
    Role::ProvinceAdmin,
    Role::Auditor,
];

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Role::DeskOfficer => "desk_officer",
            Role::ProcessingOfficer => "processing_officer",
            Role::Approver => "approver",
            Role::AgencyAdmin => "agency_admin",
            Role::ProcedureController => "procedure_controller",
            Role::ReformOfficer => "reform_officer",
            Role::ProvinceAdmin => "province_admin",
            Role::Auditor => "auditor",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        ALL_ROLES.iter().copied().find(|r| r.code() == code)
    }

    pub fn vietnamese(self) -> &'static str {
        match self {
            Role::DeskOfficer => "Cán bộ một cửa",
            Role::ProcessingOfficer => "Chuyên viên xử lý",
            Role::Approver => "Lãnh đạo phê duyệt",
            Role::AgencyAdmin => "Quản trị cơ quan",
            Role::ProcedureController => "Kiểm soát thủ tục hành chính",
            Role::ReformOfficer => "Cán bộ cải cách hành chính",
            Role::ProvinceAdmin => "Quản trị hệ thống",
            Role::Auditor => "Thanh tra, kiểm tra (chỉ xem)",
        }
    }

    /// Whether the role may change anything at all.
    pub fn writes(self) -> bool {
        self != Role::Auditor
    }
}

/// The agencies a grant covers: one agency (and, if asked, the agencies under it), or the whole
/// province.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scope {
    Province,
    Agency { agency_id: i64, with_children: bool },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for r in ALL_ROLES {
            assert_eq!(Role::from_code(r.code()), Some(r));
        }
        assert!(!Role::Auditor.writes());
        assert!(Role::DeskOfficer.writes());
    }
}
