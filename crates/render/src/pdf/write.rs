//! Pages of laid-out operations into a PDF file: each face used is embedded as a subset, as a
//! CID font with a ToUnicode map so the text can be searched, copied and read aloud. The subset
//! of the common letters is made once per face and reused; a paper with other letters gets its
//! own.

use flate2::{Compress, Compression, FlushCompress, Status};
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use std::sync::OnceLock;

use subsetter::GlyphRemapper;

use super::font::{Font, STYLES};
use super::layout::{Op, PageSetup};

const FONT_RESOURCES: [&[u8]; 3] = [b"F0", b"F1", b"F2"];

/// Zlib streams from one compressor, reset between them: setting one up (its window and hash
/// tables) costs as much as compressing a page.
struct Deflater(Compress);

impl Deflater {
    fn new() -> Deflater {
        Deflater(Compress::new(Compression::fast(), true))
    }

    fn deflate(&mut self, data: &[u8]) -> Vec<u8> {
        self.0.reset();
        let mut out = Vec::with_capacity(data.len() / 2 + 64);
        loop {
            let read = usize::try_from(self.0.total_in()).expect("a length in memory");
            match self
                .0
                .compress_vec(&data[read..], &mut out, FlushCompress::Finish)
                .expect("deflating in memory")
            {
                Status::StreamEnd => return out,
                Status::Ok | Status::BufError => out.reserve(out.capacity().max(64)),
            }
        }
    }
}

/// The letters nearly every paper is printed with: ASCII, Latin-1, the Vietnamese letters and the
/// punctuation of Vietnamese papers. Each face's subset of them is made and compressed once; a
/// paper that prints nothing else reuses it, and one with another letter (a Chinese name) gets
/// a subset of its own.
const COMMON: &[(char, char)] = &[
    (' ', '~'),
    ('\u{a0}', '\u{ff}'),
    ('Ă', 'ă'),
    ('Đ', 'đ'),
    ('Ĩ', 'ĩ'),
    ('Ũ', 'ũ'),
    ('Ơ', 'ơ'),
    ('Ư', 'ư'),
    ('\u{1ea0}', '\u{1ef9}'),
    ('–', '—'),
    ('‘', '’'),
    ('“', '”'),
    ('•', '•'),
    ('…', '…'),
];

/// A face as embedded: the subset's tag, its glyphs' widths, the compressed font file and its
/// length, and the compressed ToUnicode map.
struct Embedded {
    tag: String,
    widths: Vec<f32>,
    file: Vec<u8>,
    length1: usize,
    to_unicode: Vec<u8>,
}

const SYSTEM: SystemInfo<'static> = SystemInfo {
    registry: Str(b"Adobe"),
    ordering: Str(b"Identity"),
    supplement: 0,
};

/// The subset of `font` holding the glyphs `remapper` names, with `chars` for its ToUnicode map.
fn embed(
    font: &Font,
    remapper: &GlyphRemapper,
    chars: &[(u16, char)],
    deflater: &mut Deflater,
) -> Embedded {
    // The subset's name starts with a tag of six capitals made from the glyphs it holds.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for g in remapper.remapped_gids() {
        h = (h ^ u64::from(g)).wrapping_mul(0x100_0000_01b3);
    }
    let tag = (0..6)
        .map(|i| char::from(b'A' + ((h >> (i * 5)) % 26) as u8))
        .collect();
    let subset =
        subsetter::subset(font.data, 0, remapper).expect("the embedded font can be subset");
    let mut cmap = pdf_writer::types::UnicodeCmap::new(Name(b"Custom"), SYSTEM);
    for &(glyph, c) in chars {
        cmap.pair(glyph, c);
    }
    Embedded {
        tag,
        widths: remapper.remapped_gids().map(|g| font.advance(g)).collect(),
        file: deflater.deflate(&subset),
        length1: subset.len(),
        to_unicode: deflater.deflate(cmap.finish().as_slice()),
    }
}

/// Each face's subset of the common letters, and how its glyphs are numbered in it.
fn common_subsets() -> &'static [(GlyphRemapper, Embedded); 3] {
    static COMMON_SUBSETS: OnceLock<[(GlyphRemapper, Embedded); 3]> = OnceLock::new();
    COMMON_SUBSETS.get_or_init(|| {
        let mut deflater = Deflater::new();
        STYLES.map(|style| {
            let mut used = Used::default();
            let font = Font::get(style);
            let text: String = COMMON
                .iter()
                .flat_map(|&(a, b)| a..=b)
                .filter(|&c| font.has(c))
                .collect();
            used.encode(font, &text, &mut Vec::new());
            let remapper = used.remapper.expect("the common letters were encoded");
            let embedded = embed(font, &remapper, &used.chars, &mut deflater);
            (remapper, embedded)
        })
    })
}

/// The glyphs used of one face: old glyph → new, and the character each new one stands for;
/// or, when the paper prints only common letters, the numbering of the common subset.
#[derive(Default)]
struct Used {
    remapper: Option<GlyphRemapper>,
    chars: Vec<(u16, char)>,
    common: Option<&'static GlyphRemapper>,
    printed: bool,
}

impl Used {
    fn encode(&mut self, font: &Font, text: &str, out: &mut Vec<u8>) {
        self.printed = true;
        if let Some(common) = self.common {
            for c in text.chars() {
                let new = common.get(font.glyph(c).0).expect("a common letter");
                out.extend_from_slice(&new.to_be_bytes());
            }
            return;
        }
        let remapper = self.remapper.get_or_insert_with(GlyphRemapper::new);
        for c in text.chars() {
            let (glyph, _) = font.glyph(c);
            let known = remapper.get(glyph).is_some();
            let new = remapper.remap(glyph);
            if !known && glyph != 0 {
                self.chars.push((new, c));
            }
            out.extend_from_slice(&new.to_be_bytes());
        }
    }
}

pub(crate) fn pdf(setup: &PageSetup, title: &str, pages: &[Vec<Op>]) -> Vec<u8> {
    let mut next = Ref::new(1);
    let catalog = next.bump();
    let tree = next.bump();
    let info = next.bump();
    let h = setup.height;
    let mut deflater = Deflater::new();
    let common = common_subsets();
    let mut used: [Used; 3] = Default::default();
    let mut fits = [true; 3];
    for op in pages.iter().flatten() {
        if let Op::Text { style, text, .. } = op {
            let (i, font) = (style.index(), Font::get(*style));
            fits[i] = fits[i]
                && text
                    .chars()
                    .all(|c| common[i].0.get(font.glyph(c).0).is_some());
        }
    }
    for (i, u) in used.iter_mut().enumerate() {
        if fits[i] {
            u.common = Some(&common[i].0);
        }
    }

    let mut contents: Vec<Vec<u8>> = Vec::with_capacity(pages.len());
    let mut bytes = Vec::new();
    for ops in pages {
        let mut content = Content::new();
        for op in ops {
            match op {
                Op::Text {
                    style,
                    size,
                    x,
                    y,
                    text,
                } => {
                    bytes.clear();
                    used[style.index()].encode(Font::get(*style), text, &mut bytes);
                    content
                        .begin_text()
                        .set_font(Name(FONT_RESOURCES[style.index()]), *size)
                        .next_line(*x, h - y)
                        .show(Str(&bytes))
                        .end_text();
                }
                Op::Line {
                    x1,
                    y1,
                    x2,
                    y2,
                    width,
                } => {
                    content
                        .set_line_width(*width)
                        .move_to(*x1, h - y1)
                        .line_to(*x2, h - y2)
                        .stroke();
                }
                Op::Modules { x, y, module, runs } => {
                    // In module units, rows downwards: a run is "col row width 1 re" in small
                    // whole numbers, and one fill paints them all.
                    content
                        .save_state()
                        .transform([*module, 0.0, 0.0, -module, *x, h - y]);
                    for &(row, start, end) in runs {
                        content.rect(
                            f32::from(start),
                            f32::from(row),
                            f32::from(end - start),
                            1.0,
                        );
                    }
                    content.fill_nonzero().restore_state();
                }
            }
        }
        contents.push(deflater.deflate(&content.finish()));
    }

    let mut pdf = Pdf::new();
    let page_ids: Vec<Ref> = pages.iter().map(|_| next.bump()).collect();
    let font_ids: Vec<Option<Ref>> = used
        .iter()
        .map(|u| u.printed.then(|| next.bump()))
        .collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().copied())
        .count(page_ids.len() as i32);
    pdf.document_info(info)
        .title(TextStr(title))
        .producer(TextStr("motcua"));
    for (page_id, data) in page_ids.iter().zip(&contents) {
        let content_id = next.bump();
        pdf.stream(content_id, data).filter(Filter::FlateDecode);
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, setup.width, h))
            .parent(tree)
            .contents(content_id);
        let mut resources = page.resources();
        let mut fonts = resources.fonts();
        for (i, id) in font_ids.iter().enumerate() {
            if let Some(id) = id {
                fonts.pair(Name(FONT_RESOURCES[i]), *id);
            }
        }
    }
    for style in STYLES {
        let i = style.index();
        let Some(type0) = font_ids[i] else {
            continue;
        };
        let font = Font::get(style);
        let own;
        let e = match &used[i].remapper {
            Some(remapper) if used[i].common.is_none() => {
                own = embed(font, remapper, &used[i].chars, &mut deflater);
                &own
            }
            _ => &common[i].1,
        };
        let cid = next.bump();
        let descriptor = next.bump();
        let file = next.bump();
        let to_unicode = next.bump();
        let base = format!("{}+{}", e.tag, font.postscript_name);
        pdf.type0_font(type0)
            .base_font(Name(base.as_bytes()))
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid)
            .to_unicode(to_unicode);
        let mut cid_font = pdf.cid_font(cid);
        cid_font
            .subtype(CidFontType::Type2)
            .base_font(Name(base.as_bytes()))
            .system_info(SYSTEM)
            .font_descriptor(descriptor)
            .default_width(0.0)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        cid_font.widths().consecutive(0, e.widths.iter().copied());
        cid_font.finish();
        let mut flags = FontFlags::SERIF | FontFlags::NON_SYMBOLIC;
        if style == super::font::Style::Italic {
            flags |= FontFlags::ITALIC;
        }
        let [x0, y0, x1, y1] = font.bbox;
        pdf.font_descriptor(descriptor)
            .name(Name(base.as_bytes()))
            .flags(flags)
            .bbox(Rect::new(x0, y0, x1, y1))
            .italic_angle(font.italic_angle)
            .ascent(font.ascent)
            .descent(font.descent)
            .cap_height(font.cap_height)
            .stem_v(if style == super::font::Style::Bold {
                140.0
            } else {
                80.0
            })
            .font_file2(file);
        pdf.stream(file, &e.file)
            .filter(Filter::FlateDecode)
            .pair(Name(b"Length1"), e.length1 as i32);
        pdf.stream(to_unicode, &e.to_unicode)
            .filter(Filter::FlateDecode);
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::Deflater;

    #[test]
    fn one_deflater_makes_streams_that_inflate_back() {
        let mut d = Deflater::new();
        // Empty, small, and larger than any first guess at the output (noise does not shrink).
        let mut noise = Vec::new();
        let mut x: u32 = 1;
        for _ in 0..200_000 {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            noise.push((x >> 24) as u8);
        }
        let inputs: [&[u8]; 4] = [b"", b"BT /F0 12 Tf ET", &noise, b"q 1 0 0 1 0 0 cm Q"];
        for input in inputs {
            let packed = d.deflate(input);
            let mut back = Vec::new();
            flate2::read::ZlibDecoder::new(packed.as_slice())
                .read_to_end(&mut back)
                .unwrap();
            assert_eq!(back, input);
        }
    }
}
