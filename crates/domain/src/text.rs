//! Vietnamese text folded for search: "Cấp giấy phép xây dựng" and "cap giay phep xay dung" are
//! the same words. Decompose (NFD), drop the combining marks (tones and the marks of ă, â, ê, ô,
//! ơ, ư), turn đ into d, lower-case, and keep letters and digits as words.

use unicode_normalization::UnicodeNormalization;

/// The folded form of `text`: lower-case ASCII-like letters and digits, words separated by one
/// space.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = true;
    for c in text.nfd() {
        if ('\u{0300}'..='\u{036f}').contains(&c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' => 'd',
            c => c,
        };
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// `text` without its diacritics, as SMS gateways that take only unaccented Vietnamese want it:
/// "Hồ sơ đã có kết quả" becomes "Ho so da co ket qua". Case, digits and punctuation stay.
pub fn unaccented(text: &str) -> String {
    text.nfd()
        .filter(|c| !('\u{0300}'..='\u{036f}').contains(c))
        .map(|c| match c {
            'đ' => 'd',
            'Đ' => 'D',
            c => c,
        })
        .collect()
}

/// The folded words of `text`.
pub fn words(text: &str) -> Vec<String> {
    fold(text)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// 1250000 as "1.250.000", as amounts are written in Vietnam.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unaccented_keeps_case_digits_and_punctuation() {
        assert_eq!(
            unaccented("Đơn vị: UBND xã Ân Thịnh. Hồ sơ H99.31-260302-0001 đã có kết quả!"),
            "Don vi: UBND xa An Thinh. Ho so H99.31-260302-0001 da co ket qua!"
        );
        assert_eq!(unaccented("Ữ ữ Ặ ặ Ơ ơ ĐƯỜNG"), "U u A a O o DUONG");
    }

    #[test]
    fn with_and_without_diacritics_fold_alike() {
        assert_eq!(fold("Cấp giấy phép xây dựng"), "cap giay phep xay dung");
        assert_eq!(fold("cap giay phep xay dung"), "cap giay phep xay dung");
        assert_eq!(fold("ĐĂNG KÝ KHAI SINH"), "dang ky khai sinh");
        assert_eq!(fold("Đăng ký khai sinh"), fold("dang ky khai sinh"));
        // Every vowel of Vietnamese with every tone folds to its base letter.
        assert_eq!(
            fold("àáảãạ ăằắẳẵặ âầấẩẫậ èéẻẽẹ êềếểễệ ìíỉĩị òóỏõọ ôồốổỗộ ơờớởỡợ ùúủũụ ưừứửữự ỳýỷỹỵ"),
            "aaaaa aaaaaa aaaaaa eeeee eeeeee iiiii ooooo oooooo oooooo uuuuu uuuuuu yyyyy"
        );
    }

    #[test]
    fn punctuation_and_spacing_separate_words() {
        assert_eq!(
            fold("  Sở Nông nghiệp & Môi trường (H99.06)  "),
            "so nong nghiep moi truong h99 06"
        );
        assert_eq!(
            words("1.009642 – \"khai sinh\" OR *"),
            ["1", "009642", "khai", "sinh", "or"]
        );
        assert_eq!(fold(""), "");
        assert_eq!(fold("— * \""), "");
    }

    #[test]
    fn composed_and_decomposed_input_fold_alike() {
        let composed = "Hồ sơ";
        let decomposed: String = composed.nfd().collect();
        assert_ne!(composed, decomposed);
        assert_eq!(fold(composed), fold(&decomposed));
    }
}
