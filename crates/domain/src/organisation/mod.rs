//! The organisation of a province: administrative units, agencies, one-stop desks, and who may
//! act where (roles granted for a scope of agencies).

pub mod access;
mod identifier;
mod role;

pub use identifier::{AgencyIdentifier, IdentifierError};
pub use role::{ALL_ROLES, Role, Scope};

use serde::{Deserialize, Serialize};

/// The kind of an administrative unit. Districts were abolished on 1 July 2025 but stay as
/// historical units so that older dossiers and scores still report correctly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    Province,
    City,
    District,
    Town,
    ProvincialCity,
    Commune,
    Ward,
    SpecialZone,
    Township,
}

impl UnitKind {
    pub fn vietnamese(self) -> &'static str {
        match self {
            UnitKind::Province => "Tỉnh",
            UnitKind::City => "Thành phố trực thuộc trung ương",
            UnitKind::District => "Huyện",
            UnitKind::Town => "Thị xã",
            UnitKind::ProvincialCity => "Thành phố thuộc tỉnh",
            UnitKind::Commune => "Xã",
            UnitKind::Ward => "Phường",
            UnitKind::SpecialZone => "Đặc khu",
            UnitKind::Township => "Thị trấn",
        }
    }

    /// 1: province level; 2: the historic district level; 3: commune level.
    pub fn level(self) -> u8 {
        match self {
            UnitKind::Province | UnitKind::City => 1,
            UnitKind::District | UnitKind::Town | UnitKind::ProvincialCity => 2,
            UnitKind::Commune | UnitKind::Ward | UnitKind::SpecialZone | UnitKind::Township => 3,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            UnitKind::Province => "province",
            UnitKind::City => "city",
            UnitKind::District => "district",
            UnitKind::Town => "town",
            UnitKind::ProvincialCity => "provincial_city",
            UnitKind::Commune => "commune",
            UnitKind::Ward => "ward",
            UnitKind::SpecialZone => "special_zone",
            UnitKind::Township => "township",
        }
    }

    pub fn from_code(code: &str) -> Option<UnitKind> {
        ALL_UNIT_KINDS.iter().copied().find(|k| k.code() == code)
    }
}

pub const ALL_UNIT_KINDS: [UnitKind; 9] = [
    UnitKind::Province,
    UnitKind::City,
    UnitKind::District,
    UnitKind::Town,
    UnitKind::ProvincialCity,
    UnitKind::Commune,
    UnitKind::Ward,
    UnitKind::SpecialZone,
    UnitKind::Township,
];

/// The kind of an agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgencyKind {
    /// The provincial People's Committee (UBND tỉnh).
    ProvincialCommittee,
    /// A provincial department (Sở …) or an agency of equal rank.
    Department,
    /// The Office of a People's Committee (Văn phòng UBND; hosts procedure control).
    Office,
    /// A public administration service centre (Trung tâm Phục vụ hành chính công).
    ServiceCentre,
    /// A commune-level People's Committee.
    CommuneCommittee,
    /// A division of a commune committee (Phòng Kinh tế, Phòng Văn hóa – Xã hội …).
    CommuneDivision,
    /// A district People's Committee (historic, before 1 July 2025).
    DistrictCommittee,
    /// A central agency working in the province (police, tax, social insurance, land registry).
    Vertical,
}

impl AgencyKind {
    pub fn vietnamese(self) -> &'static str {
        match self {
            AgencyKind::ProvincialCommittee => "UBND tỉnh",
            AgencyKind::Department => "Sở, ban, ngành",
            AgencyKind::Office => "Văn phòng",
            AgencyKind::ServiceCentre => "Trung tâm Phục vụ hành chính công",
            AgencyKind::CommuneCommittee => "UBND cấp xã",
            AgencyKind::CommuneDivision => "Phòng chuyên môn cấp xã",
            AgencyKind::DistrictCommittee => "UBND cấp huyện (trước 01/7/2025)",
            AgencyKind::Vertical => "Cơ quan ngành dọc",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            AgencyKind::ProvincialCommittee => "provincial_committee",
            AgencyKind::Department => "department",
            AgencyKind::Office => "office",
            AgencyKind::ServiceCentre => "service_centre",
            AgencyKind::CommuneCommittee => "commune_committee",
            AgencyKind::CommuneDivision => "commune_division",
            AgencyKind::DistrictCommittee => "district_committee",
            AgencyKind::Vertical => "vertical",
        }
    }

    pub fn from_code(code: &str) -> Option<AgencyKind> {
        ALL_AGENCY_KINDS.iter().copied().find(|k| k.code() == code)
    }
}

pub const ALL_AGENCY_KINDS: [AgencyKind; 8] = [
    AgencyKind::ProvincialCommittee,
    AgencyKind::Department,
    AgencyKind::Office,
    AgencyKind::ServiceCentre,
    AgencyKind::CommuneCommittee,
    AgencyKind::CommuneDivision,
    AgencyKind::DistrictCommittee,
    AgencyKind::Vertical,
];

/// A validity period of civil dates, `from` inclusive, `until` exclusive (open when `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validity {
    pub from: motcua_calendar::Date,
    pub until: Option<motcua_calendar::Date>,
}

impl Validity {
    pub fn contains(&self, day: motcua_calendar::Date) -> bool {
        self.from <= day && self.until.is_none_or(|u| day < u)
    }

    pub fn overlaps(&self, other: &Validity) -> bool {
        let a_before_b = self.until.is_some_and(|u| u <= other.from);
        let b_before_a = other.until.is_some_and(|u| u <= self.from);
        !(a_before_b || b_before_a)
    }

    /// A period must not end before it starts.
    pub fn is_valid(&self) -> bool {
        self.until.is_none_or(|u| self.from < u)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_calendar::Date;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn validity_periods() {
        let old = Validity {
            from: d("2008-01-01"),
            until: Some(d("2025-07-01")),
        };
        let new = Validity {
            from: d("2025-07-01"),
            until: None,
        };
        assert!(old.contains(d("2025-06-30")));
        assert!(!old.contains(d("2025-07-01")));
        assert!(new.contains(d("2025-07-01")));
        assert!(!old.overlaps(&new));
        let overlapping = Validity {
            from: d("2025-06-01"),
            until: None,
        };
        assert!(old.overlaps(&overlapping));
        assert!(
            !Validity {
                from: d("2025-07-01"),
                until: Some(d("2025-07-01"))
            }
            .is_valid()
        );
    }

    #[test]
    fn kinds_round_trip_their_codes() {
        for k in ALL_UNIT_KINDS {
            assert_eq!(UnitKind::from_code(k.code()), Some(k));
        }
        for k in ALL_AGENCY_KINDS {
            assert_eq!(AgencyKind::from_code(k.code()), Some(k));
        }
    }
}
