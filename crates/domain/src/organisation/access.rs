//! Who may do what, where: the actions of the staff application, the roles that may take them,
//! and the agencies a person's grants reach. Queries filter by the reach, so a list never loads
//! a row its reader may not see.

use std::collections::{BTreeMap, BTreeSet};

use super::Role;

/// Something a staff member may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Use the staff application at all (the calculator, the organisation view).
    UseStaffApp,
    /// See and manage staff accounts and their roles.
    ManageStaff,
    /// Read the audit log and export it.
    ReadAudit,
    /// Change units and agencies (merges, new identifiers).
    ManageOrganisation,
    /// Enter or correct a year's official days off and make-up days.
    ManageCalendar,
    /// Edit, publish and withdraw procedures of the catalogue, and track their publication.
    ManageCatalogue,
    /// Receive dossiers at a desk of the agency, ask to complete them, refuse them.
    ReceiveDossiers,
    /// Act on dossiers of the agency: process, hand over, request, complete, return.
    ActOnDossiers,
    /// Read dossiers of the agency, their history and personal data.
    ReadDossiers,
    /// Watch what is late or due soon across the reach, and where it is stuck (the leader's
    /// view). Its roles all read dossiers, so its reach lies within theirs.
    OverseeDossiers,
    /// Read the statistics of dossiers (Biểu 06) across the reach: counts, no personal data.
    ReadReports,
}

impl Action {
    /// The roles that may take the action (within their reach).
    pub fn roles(self) -> &'static [Role] {
        match self {
            Action::UseStaffApp => &super::ALL_ROLES,
            Action::ManageStaff => &[Role::ProvinceAdmin, Role::AgencyAdmin],
            Action::ReadAudit => &[Role::ProvinceAdmin, Role::Auditor],
            Action::ManageOrganisation | Action::ManageCalendar => &[Role::ProvinceAdmin],
            Action::ManageCatalogue => &[Role::ProcedureController, Role::ProvinceAdmin],
            Action::ReceiveDossiers => &[Role::DeskOfficer],
            Action::ActOnDossiers => &[Role::DeskOfficer, Role::ProcessingOfficer, Role::Approver],
            Action::ReadDossiers => &[
                Role::DeskOfficer,
                Role::ProcessingOfficer,
                Role::Approver,
                Role::AgencyAdmin,
                Role::ProvinceAdmin,
                Role::Auditor,
            ],
            Action::OverseeDossiers => &[Role::Approver, Role::ProvinceAdmin],
            Action::ReadReports => &[
                Role::Approver,
                Role::AgencyAdmin,
                Role::ProcedureController,
                Role::ReformOfficer,
                Role::ProvinceAdmin,
                Role::Auditor,
            ],
        }
    }
}

/// One grant as stored: a role, for one agency (and maybe those under it) or the province.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub role: Role,
    pub agency_id: Option<i64>,
    pub with_children: bool,
}

/// The agencies an action reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// Nothing: the action is not allowed.
    None,
    /// The whole province.
    All,
    Agencies(BTreeSet<i64>),
}

impl Reach {
    pub fn allowed(&self) -> bool {
        !matches!(self, Reach::None)
    }

    pub fn contains(&self, agency_id: Option<i64>) -> bool {
        match (self, agency_id) {
            (Reach::None, _) => false,
            (Reach::All, _) => true,
            (Reach::Agencies(set), Some(id)) => set.contains(&id),
            (Reach::Agencies(_), None) => false,
        }
    }

    /// For a query: `None` means no filter, `Some(ids)` the agencies to keep (possibly none).
    pub fn filter(&self) -> Option<Vec<i64>> {
        match self {
            Reach::All => None,
            Reach::None => Some(Vec::new()),
            Reach::Agencies(set) => Some(set.iter().copied().collect()),
        }
    }
}

/// The reach of `action` for someone holding `grants`, given each agency's parent.
pub fn reach(grants: &[Grant], action: Action, parents: &BTreeMap<i64, Option<i64>>) -> Reach {
    let mut agencies = BTreeSet::new();
    for grant in grants.iter().filter(|g| action.roles().contains(&g.role)) {
        match grant.agency_id {
            None => return Reach::All,
            Some(id) => {
                agencies.insert(id);
                if grant.with_children {
                    agencies.extend(descendants(id, parents));
                }
            }
        }
    }
    if agencies.is_empty() {
        // A role held for no agency at all (e.g. the staff app for anyone with any role).
        if grants.iter().any(|g| action.roles().contains(&g.role)) {
            return Reach::Agencies(agencies);
        }
        Reach::None
    } else {
        Reach::Agencies(agencies)
    }
}

/// Every agency below `root` (children, grandchildren …). A cycle in bad data cannot loop.
pub fn descendants(root: i64, parents: &BTreeMap<i64, Option<i64>>) -> BTreeSet<i64> {
    let mut children: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for (id, parent) in parents {
        if let Some(p) = parent {
            children.entry(*p).or_default().push(*id);
        }
    }
    let mut found = BTreeSet::new();
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        for child in children.get(&id).into_iter().flatten() {
            if *child != root && found.insert(*child) {
                stack.push(*child);
            }
        }
    }
    found
}

/// Whether making `parent` the parent of `child` would close a cycle.
pub fn would_cycle(child: i64, parent: i64, parents: &BTreeMap<i64, Option<i64>>) -> bool {
    child == parent || descendants(child, parents).contains(&parent)
}

/// The roles an agency administrator may hand out: those of the agency's own work, never the
/// province-wide ones.
pub fn grantable_by_agency_admin(role: Role) -> bool {
    matches!(
        role,
        Role::DeskOfficer | Role::ProcessingOfficer | Role::Approver | Role::AgencyAdmin
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // 1 province committee; 2 a department under it; 3 an office of 2; 4 another department.
    fn tree() -> BTreeMap<i64, Option<i64>> {
        [(1, None), (2, Some(1)), (3, Some(2)), (4, Some(1))]
            .into_iter()
            .collect()
    }

    fn grant(role: Role, agency_id: Option<i64>, with_children: bool) -> Grant {
        Grant {
            role,
            agency_id,
            with_children,
        }
    }

    #[test]
    fn reach_follows_the_grants() {
        let t = tree();
        let admin = [grant(Role::ProvinceAdmin, None, true)];
        assert_eq!(reach(&admin, Action::ManageStaff, &t), Reach::All);
        let agency_admin = [grant(Role::AgencyAdmin, Some(2), true)];
        assert_eq!(
            reach(&agency_admin, Action::ManageStaff, &t),
            Reach::Agencies([2, 3].into())
        );
        let narrow = [grant(Role::AgencyAdmin, Some(2), false)];
        assert_eq!(
            reach(&narrow, Action::ManageStaff, &t),
            Reach::Agencies([2].into())
        );
        let desk = [grant(Role::DeskOfficer, Some(2), true)];
        assert_eq!(reach(&desk, Action::ManageStaff, &t), Reach::None);
        assert!(reach(&desk, Action::UseStaffApp, &t).allowed());
        let auditor = [grant(Role::Auditor, None, true)];
        assert_eq!(reach(&auditor, Action::ReadAudit, &t), Reach::All);
        assert_eq!(reach(&auditor, Action::ManageStaff, &t), Reach::None);
        assert_eq!(reach(&[], Action::UseStaffApp, &t), Reach::None);
    }

    #[test]
    fn overseers_are_leaders_and_read_what_they_oversee() {
        let t = tree();
        let leader = [
            grant(Role::Approver, Some(2), true),
            grant(Role::ProcessingOfficer, Some(4), false),
        ];
        assert_eq!(
            reach(&leader, Action::OverseeDossiers, &t),
            Reach::Agencies([2, 3].into())
        );
        let officer = [grant(Role::ProcessingOfficer, Some(2), true)];
        assert_eq!(reach(&officer, Action::OverseeDossiers, &t), Reach::None);
        for role in Action::OverseeDossiers.roles() {
            assert!(Action::ReadDossiers.roles().contains(role), "{role:?}");
        }
    }

    #[test]
    fn cycles_are_detected_and_never_loop() {
        let t = tree();
        assert!(would_cycle(2, 3, &t), "3 is under 2");
        assert!(would_cycle(2, 2, &t));
        assert!(!would_cycle(4, 2, &t));
        let mut broken = t.clone();
        broken.insert(1, Some(3)); // bad data: 1 → 2 → 3 → 1
        assert_eq!(descendants(1, &broken), [2, 3, 4].into());
    }

    #[test]
    fn agency_admins_hand_out_only_agency_roles() {
        assert!(grantable_by_agency_admin(Role::DeskOfficer));
        assert!(!grantable_by_agency_admin(Role::ProvinceAdmin));
        assert!(!grantable_by_agency_admin(Role::Auditor));
    }
}
