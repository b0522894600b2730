//! The embedded serif faces and their measures. Liberation Serif has the metrics of the Times New
//! Roman that Decree 30/2020 names, and every precomposed Vietnamese letter (U+1EA0–U+1EF9).

use std::sync::OnceLock;

use ttf_parser::{Face, GlyphId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Style {
    Regular,
    Bold,
    Italic,
}

pub(crate) const STYLES: [Style; 3] = [Style::Regular, Style::Bold, Style::Italic];

impl Style {
    pub(crate) fn index(self) -> usize {
        match self {
            Style::Regular => 0,
            Style::Bold => 1,
            Style::Italic => 2,
        }
    }
}

/// Code points below this are looked up once, when the face is first used.
const TABLE: usize = 0x2200;

pub(crate) struct Font {
    pub data: &'static [u8],
    pub postscript_name: &'static str,
    face: Face<'static>,
    /// Glyph and advance (thousandths of an em) by code point, for the common ones.
    table: Vec<(u16, f32)>,
    per_unit: f32,
    pub ascent: f32,
    pub descent: f32,
    pub cap_height: f32,
    pub bbox: [f32; 4],
    pub italic_angle: f32,
}

static FONTS: OnceLock<[Font; 3]> = OnceLock::new();

impl Font {
    pub(crate) fn get(style: Style) -> &'static Font {
        &FONTS.get_or_init(|| {
            [
                Font::load(
                    include_bytes!("../../fonts/LiberationSerif-Regular.ttf"),
                    "LiberationSerif",
                ),
                Font::load(
                    include_bytes!("../../fonts/LiberationSerif-Bold.ttf"),
                    "LiberationSerif-Bold",
                ),
                Font::load(
                    include_bytes!("../../fonts/LiberationSerif-Italic.ttf"),
                    "LiberationSerif-Italic",
                ),
            ]
        })[style.index()]
    }

    fn load(data: &'static [u8], postscript_name: &'static str) -> Font {
        let face = Face::parse(data, 0).expect("the embedded font parses");
        let per_unit = 1000.0 / f32::from(face.units_per_em());
        let measure = |c: char| -> (u16, f32) {
            match face.glyph_index(c) {
                Some(g) => (
                    g.0,
                    f32::from(face.glyph_hor_advance(g).unwrap_or(0)) * per_unit,
                ),
                None => (0, 0.0),
            }
        };
        let table = (0..TABLE as u32)
            .map(|cp| char::from_u32(cp).map_or((0, 0.0), measure))
            .collect();
        let b = face.global_bounding_box();
        Font {
            data,
            postscript_name,
            table,
            per_unit,
            ascent: f32::from(face.ascender()) * per_unit,
            descent: f32::from(face.descender()) * per_unit,
            cap_height: f32::from(face.capital_height().unwrap_or(face.ascender())) * per_unit,
            bbox: [
                f32::from(b.x_min) * per_unit,
                f32::from(b.y_min) * per_unit,
                f32::from(b.x_max) * per_unit,
                f32::from(b.y_max) * per_unit,
            ],
            italic_angle: face.italic_angle(),
            face,
        }
    }

    /// The glyph for `c` and its advance in thousandths of an em. A character the face lacks
    /// (a Chinese letter, an emoji in a name) prints as "?" rather than vanishing.
    pub(crate) fn glyph(&self, c: char) -> (u16, f32) {
        let found = match self.table.get(c as usize) {
            Some(&g) => g,
            None => match self.face.glyph_index(c) {
                Some(g) => (g.0, self.advance(g.0)),
                None => (0, 0.0),
            },
        };
        if found.0 == 0 {
            self.table['?' as usize]
        } else {
            found
        }
    }

    /// Whether the face has a glyph of its own for `c`.
    pub(crate) fn has(&self, c: char) -> bool {
        self.face.glyph_index(c).is_some()
    }

    pub(crate) fn advance(&self, glyph: u16) -> f32 {
        f32::from(self.face.glyph_hor_advance(GlyphId(glyph)).unwrap_or(0)) * self.per_unit
    }

    /// The width of `text` at `size` points.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.glyph(c).1).sum::<f32>() * size / 1000.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vietnamese_letter_has_a_glyph_in_every_style() {
        let letters = "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXY\
            àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ\
            ÀÁẢÃẠẰẮẲẴẶẦẤẨẪẬÈÉẺẼẸỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌỒỐỔỖỘỜỚỞỠỢÙÚỦŨỤỪỨỬỮỰỲÝỶỸỴ…–—“”‘’";
        for style in STYLES {
            let font = Font::get(style);
            for c in letters.chars() {
                assert_ne!(font.glyph(c).0, 0, "{c} in {style:?}");
            }
        }
    }

    #[test]
    fn widths_are_those_of_times() {
        // Times New Roman's "a" is 444 thousandths of an em; Liberation Serif matches it.
        assert!((Font::get(Style::Regular).width("a", 1000.0) - 444.0).abs() < 1.0);
    }
}
