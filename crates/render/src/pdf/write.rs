//! Pages of laid-out operations into a PDF file: each face used is embedded as a subset (only
//! the glyphs printed), as a CID font with a ToUnicode map so the text can be searched, copied
//! and read aloud.

use flate2::{Compress, Compression, FlushCompress, Status};
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
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

/// The glyphs used of one face: old glyph → new, and the character each new one stands for.
#[derive(Default)]
struct Used {
    remapper: Option<GlyphRemapper>,
    chars: Vec<(u16, char)>,
}

impl Used {
    fn encode(&mut self, font: &Font, text: &str, out: &mut Vec<u8>) {
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
    let mut used: [Used; 3] = Default::default();
    let h = setup.height;
    let mut deflater = Deflater::new();

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
        .map(|u| u.remapper.as_ref().map(|_| next.bump()))
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
        let (Some(type0), Some(remapper)) = (
            font_ids[style.index()],
            used[style.index()].remapper.as_ref(),
        ) else {
            continue;
        };
        let font = Font::get(style);
        let cid = next.bump();
        let descriptor = next.bump();
        let file = next.bump();
        let to_unicode = next.bump();
        // The subset's name starts with a tag of six capitals made from the glyphs it holds.
        let tag: String = {
            let mut h: u64 = 0xcbf2_9ce4_8422_2325;
            for g in remapper.remapped_gids() {
                h = (h ^ u64::from(g)).wrapping_mul(0x100_0000_01b3);
            }
            (0..6)
                .map(|i| char::from(b'A' + ((h >> (i * 5)) % 26) as u8))
                .collect()
        };
        let base = format!("{tag}+{}", font.postscript_name);
        pdf.type0_font(type0)
            .base_font(Name(base.as_bytes()))
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid)
            .to_unicode(to_unicode);
        let system = SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"Identity"),
            supplement: 0,
        };
        let mut cid_font = pdf.cid_font(cid);
        cid_font
            .subtype(CidFontType::Type2)
            .base_font(Name(base.as_bytes()))
            .system_info(system)
            .font_descriptor(descriptor)
            .default_width(0.0)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        let widths: Vec<f32> = remapper.remapped_gids().map(|g| font.advance(g)).collect();
        cid_font.widths().consecutive(0, widths);
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
        let subset =
            subsetter::subset(font.data, 0, remapper).expect("the embedded font can be subset");
        pdf.stream(file, &deflater.deflate(&subset))
            .filter(Filter::FlateDecode)
            .pair(Name(b"Length1"), subset.len() as i32);
        let mut cmap = pdf_writer::types::UnicodeCmap::new(Name(b"Custom"), system);
        for &(glyph, c) in &used[style.index()].chars {
            cmap.pair(glyph, c);
        }
        pdf.stream(to_unicode, &deflater.deflate(cmap.finish().as_slice()))
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
