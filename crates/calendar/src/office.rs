//! Office hours: a morning and an afternoon window, and the daily cut-off after which a receipt
//! counts from the next working day.

use serde::{Deserialize, Serialize};

use crate::date::{Minute, format_minute, parse_minute};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeHours {
    pub morning_start: Minute,
    pub morning_end: Minute,
    pub afternoon_start: Minute,
    pub afternoon_end: Minute,
    /// A dossier received after this minute counts as received the next working day.
    pub cutoff: Minute,
}

impl Default for OfficeHours {
    /// 07:30–11:30 and 13:30–17:00, cut-off 15:00.
    fn default() -> Self {
        OfficeHours {
            morning_start: 7 * 60 + 30,
            morning_end: 11 * 60 + 30,
            afternoon_start: 13 * 60 + 30,
            afternoon_end: 17 * 60,
            cutoff: 15 * 60,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OfficeHoursError {
    #[error("{0}")]
    Time(#[from] crate::date::DateError),
    #[error("'{0}' is not a window: write HH:MM-HH:MM")]
    Window(String),
    #[error(
        "office hours must be in order: morning start < morning end ≤ afternoon start < afternoon end"
    )]
    Order,
}

/// Parses `HH:MM-HH:MM`.
pub fn parse_window(text: &str) -> Result<(Minute, Minute), OfficeHoursError> {
    let (a, b) = text
        .split_once('-')
        .ok_or_else(|| OfficeHoursError::Window(text.to_string()))?;
    Ok((parse_minute(a)?, parse_minute(b)?))
}

impl OfficeHours {
    pub fn new(
        morning: (Minute, Minute),
        afternoon: (Minute, Minute),
        cutoff: Minute,
    ) -> Result<OfficeHours, OfficeHoursError> {
        let hours = OfficeHours {
            morning_start: morning.0,
            morning_end: morning.1,
            afternoon_start: afternoon.0,
            afternoon_end: afternoon.1,
            cutoff,
        };
        let ordered = hours.morning_start < hours.morning_end
            && hours.morning_end <= hours.afternoon_start
            && hours.afternoon_start < hours.afternoon_end
            && hours.afternoon_end <= 24 * 60
            && hours.cutoff <= 24 * 60;
        if ordered {
            Ok(hours)
        } else {
            Err(OfficeHoursError::Order)
        }
    }

    fn morning_len(&self) -> u32 {
        u32::from(self.morning_end - self.morning_start)
    }

    /// Working minutes in one working day.
    pub fn day_minutes(&self) -> u32 {
        self.morning_len() + u32::from(self.afternoon_end - self.afternoon_start)
    }

    /// How many working minutes of the day have passed at `minute` (0 before opening, the whole
    /// day after closing).
    pub fn offset_at(&self, minute: Minute) -> u32 {
        if minute <= self.morning_start {
            0
        } else if minute < self.morning_end {
            u32::from(minute - self.morning_start)
        } else if minute <= self.afternoon_start {
            self.morning_len()
        } else if minute < self.afternoon_end {
            self.morning_len() + u32::from(minute - self.afternoon_start)
        } else {
            self.day_minutes()
        }
    }

    /// The clock minute at which `offset` working minutes of the day have passed. An offset that
    /// ends a window lands at its end (11:30, not 13:30): a deadline is the end of the time given.
    pub fn minute_at(&self, offset: u32) -> Minute {
        if offset <= self.morning_len() {
            self.morning_start + offset as Minute
        } else {
            self.afternoon_start + (offset - self.morning_len()) as Minute
        }
    }

    /// `07:30–11:30, 13:30–17:00`
    pub fn describe(&self) -> String {
        format!(
            "{}–{}, {}–{}",
            format_minute(self.morning_start),
            format_minute(self.morning_end),
            format_minute(self.afternoon_start),
            format_minute(self.afternoon_end)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_and_minutes_are_inverse_within_windows() {
        let h = OfficeHours::default();
        assert_eq!(h.day_minutes(), 450);
        for offset in 0..=h.day_minutes() {
            assert_eq!(h.offset_at(h.minute_at(offset)), offset);
        }
        assert_eq!(h.minute_at(240), 11 * 60 + 30);
        assert_eq!(h.minute_at(241), 13 * 60 + 31);
        assert_eq!(h.offset_at(12 * 60), 240);
        assert_eq!(h.offset_at(6 * 60), 0);
        assert_eq!(h.offset_at(18 * 60), 450);
    }

    #[test]
    fn windows_must_be_in_order() {
        assert_eq!(
            OfficeHours::new((480, 420), (780, 1020), 900),
            Err(OfficeHoursError::Order)
        );
        assert_eq!(
            OfficeHours::new((420, 720), (700, 1020), 900),
            Err(OfficeHoursError::Order)
        );
        assert!(OfficeHours::new((420, 690), (810, 1020), 900).is_ok());
        assert_eq!(parse_window("07:00-11:30").unwrap(), (420, 690));
        assert!(parse_window("07:00").is_err());
    }
}
