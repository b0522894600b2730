//! The national status and channel codes of the National Public Service Portal, onto which every
//! stage maps (total by construction: a `match` without a wildcard).

use serde::{Deserialize, Serialize};

use super::Stage;

/// How a dossier came in: at the counter, online, or by public post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Counter,
    Online,
    Post,
}

impl Channel {
    /// 1 counter, 2 online, 3 public post.
    pub fn national_code(self) -> u8 {
        match self {
            Channel::Counter => 1,
            Channel::Online => 2,
            Channel::Post => 3,
        }
    }

    pub fn vietnamese(self) -> &'static str {
        match self {
            Channel::Counter => "Trực tiếp",
            Channel::Online => "Trực tuyến",
            Channel::Post => "Bưu chính công ích",
        }
    }
}

impl Stage {
    /// The national status code (1 Mới đăng ký … 10 Đã trả kết quả).
    pub fn national_code(self) -> u8 {
        match self {
            Stage::Submitted => 1,
            Stage::Received => 2,
            Stage::Refused => 3,
            Stage::Processing => 4,
            Stage::CompletionRequested | Stage::SupplementRequested => 5,
            Stage::PaymentRequested => 6,
            Stage::WithdrawalRequested => 7,
            Stage::Stopped => 8,
            Stage::Done => 9,
            Stage::Returned => 10,
        }
    }

    /// The national status's name.
    pub fn national_name(self) -> &'static str {
        match self.national_code() {
            1 => "Mới đăng ký",
            2 => "Được tiếp nhận",
            3 => "Không được tiếp nhận",
            4 => "Đang xử lý",
            5 => "Yêu cầu bổ sung giấy tờ",
            6 => "Yêu cầu thực hiện nghĩa vụ tài chính",
            7 => "Công dân yêu cầu rút hồ sơ",
            8 => "Dừng xử lý",
            9 => "Đã xử lý xong",
            _ => "Đã trả kết quả",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::ALL_STAGES;

    #[test]
    fn every_national_status_is_reached() {
        let mut codes: Vec<u8> = ALL_STAGES.iter().map(|s| s.national_code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes, (1..=10).collect::<Vec<u8>>());
    }
}
