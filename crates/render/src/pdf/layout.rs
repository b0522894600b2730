//! Laying out a document: paragraphs that wrap, blocks side by side (the heading), tables that
//! break across pages with their header repeated, rules and QR codes. Positions are points from
//! the top-left corner of the page; the writer turns them into PDF's bottom-up coordinates.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

use super::font::{Font, Style};

/// Points in a millimetre.
pub const MM: f32 = 72.0 / 25.4;
/// Lines are this many times their size apart (Decree 30/2020: single to 1.5).
const LEADING: f32 = 1.2;
/// The baseline sits this far (of the size) below the top of its line.
const BASELINE: f32 = 0.93;
const CELL_PAD_X: f32 = 3.0;
const CELL_PAD_Y: f32 = 2.0;
const BORDER: f32 = 0.5;
/// The room a rule takes under a line of text.
const RULE_HEIGHT: f32 = 5.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageSetup {
    pub width: f32,
    pub height: f32,
    pub top: f32,
    pub bottom: f32,
    pub left: f32,
    pub right: f32,
}

impl PageSetup {
    /// A4 upright with the margins of Decree 30/2020: 20 mm top and bottom, 30 mm left (the
    /// binding), 15 mm right.
    pub fn a4_portrait() -> PageSetup {
        PageSetup {
            width: 210.0 * MM,
            height: 297.0 * MM,
            top: 20.0 * MM,
            bottom: 20.0 * MM,
            left: 30.0 * MM,
            right: 15.0 * MM,
        }
    }

    /// A4 on its side, for registers and wide tables.
    pub fn a4_landscape() -> PageSetup {
        PageSetup {
            width: 297.0 * MM,
            height: 210.0 * MM,
            top: 15.0 * MM,
            bottom: 15.0 * MM,
            left: 20.0 * MM,
            right: 15.0 * MM,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    /// `y` is the baseline.
    Text {
        style: Style,
        size: f32,
        x: f32,
        y: f32,
        text: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
    },
    /// Black squares `module` points wide on a grid whose top-left corner is (`x`, `y`): runs
    /// of them (row, first column, column after the last), as a QR code is drawn.
    Modules {
        x: f32,
        y: f32,
        module: f32,
        runs: Vec<(u16, u16, u16)>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
    /// Both edges straight, the last line left (the body text of official documents).
    Justify,
}

/// A paragraph: runs of text in one size.
#[derive(Debug, Clone)]
pub struct Para {
    spans: Vec<(Style, String)>,
    size: f32,
    align: Align,
    indent: f32,
    before: f32,
    after: f32,
}

impl Para {
    pub fn new(size: f32) -> Para {
        Para {
            spans: Vec::new(),
            size,
            align: Align::Left,
            indent: 0.0,
            before: 0.0,
            after: 0.0,
        }
    }

    /// Text in `style`. It is put in NFC, so letters typed decomposed print as one glyph.
    pub fn span(mut self, style: Style, text: &str) -> Para {
        // Most text comes composed already; composing it again costs more than checking.
        let text = match is_nfc_quick(text.chars()) {
            IsNormalized::Yes => text.to_string(),
            IsNormalized::No | IsNormalized::Maybe => text.nfc().collect(),
        };
        self.spans.push((style, text));
        self
    }

    pub fn regular(self, text: &str) -> Para {
        self.span(Style::Regular, text)
    }

    pub fn bold(self, text: &str) -> Para {
        self.span(Style::Bold, text)
    }

    pub fn italic(self, text: &str) -> Para {
        self.span(Style::Italic, text)
    }

    pub fn align(mut self, align: Align) -> Para {
        self.align = align;
        self
    }

    pub fn center(self) -> Para {
        self.align(Align::Center)
    }

    /// The first line starts this much further in.
    pub fn indent(mut self, points: f32) -> Para {
        self.indent = points;
        self
    }

    pub fn before(mut self, points: f32) -> Para {
        self.before = points;
        self
    }

    pub fn after(mut self, points: f32) -> Para {
        self.after = points;
        self
    }

    fn line_height(&self) -> f32 {
        self.size * LEADING
    }

    /// The paragraph broken into lines `width` wide.
    fn lines(&self, width: f32) -> Vec<LineBox> {
        let units = self.units(width - self.indent.max(0.0));
        let mut lines: Vec<LineBox> = Vec::new();
        let mut line = LineBox::default();
        for unit in units {
            let room = if lines.is_empty() {
                width - self.indent
            } else {
                width
            };
            let gap = if line.units.is_empty() {
                0.0
            } else {
                unit.space
            };
            if !line.units.is_empty() && line.width + gap + unit.width > room + 0.01 {
                lines.push(std::mem::take(&mut line));
                line.units.push(unit.at(0.0));
                line.width = line.units[0].width;
            } else {
                let x = line.width + gap;
                line.width = x + unit.width;
                line.units.push(unit.at(x));
            }
        }
        if !line.units.is_empty() || lines.is_empty() {
            lines.push(line);
        }
        lines
    }

    /// Words (and words glued across a change of style), each no wider than `width`.
    fn units(&self, width: f32) -> Vec<Unit> {
        let mut units: Vec<Unit> = Vec::new();
        let mut open = false; // the last unit may still grow (no space since)
        let mut pending_space: Option<Style> = None;
        for (style, text) in &self.spans {
            let font = Font::get(*style);
            for (i, piece) in text.split(char::is_whitespace).enumerate() {
                if i > 0 {
                    open = false;
                    pending_space.get_or_insert(*style);
                }
                if piece.is_empty() {
                    continue;
                }
                let w = font.width(piece, self.size);
                if open {
                    let last = units.last_mut().expect("an open unit exists");
                    last.pieces.push((*style, piece.to_string(), last.width));
                    last.width += w;
                } else {
                    let space = pending_space
                        .take()
                        .map_or(0.0, |s| Font::get(s).width(" ", self.size));
                    units.push(Unit {
                        pieces: vec![(*style, piece.to_string(), 0.0)],
                        width: w,
                        space: if units.is_empty() { 0.0 } else { space },
                    });
                    open = true;
                }
            }
        }
        units
            .into_iter()
            .flat_map(|u| u.split(width, self.size))
            .collect()
    }
}

/// A word as laid out: its pieces (style, text, offset from its start) and width.
#[derive(Debug, Clone, Default)]
struct Unit {
    pieces: Vec<(Style, String, f32)>,
    width: f32,
    /// The space before it, when it follows another on the line.
    space: f32,
}

impl Unit {
    fn at(self, x: f32) -> Placed {
        Placed {
            pieces: self.pieces,
            x,
            width: self.width,
        }
    }

    /// Broken letter by letter where it is wider than `width` (a long number, a pasted address).
    fn split(self, width: f32, size: f32) -> Vec<Unit> {
        if self.width <= width || width <= 0.0 {
            return vec![self];
        }
        let mut out: Vec<Unit> = Vec::new();
        let mut current = Unit {
            space: self.space,
            ..Unit::default()
        };
        for (style, text, _) in self.pieces {
            let font = Font::get(style);
            let mut run = String::new();
            for c in text.chars() {
                let w = font.glyph(c).1 * size / 1000.0;
                if current.width + w > width && (current.width > 0.0) {
                    if !run.is_empty() {
                        let x = current.width - font.width(&run, size);
                        current.pieces.push((style, std::mem::take(&mut run), x));
                    }
                    out.push(std::mem::take(&mut current));
                }
                run.push(c);
                current.width += w;
            }
            if !run.is_empty() {
                let x = current.width - font.width(&run, size);
                current.pieces.push((style, run, x));
            }
        }
        if !current.pieces.is_empty() {
            out.push(current);
        }
        out
    }
}

#[derive(Debug, Clone)]
struct Placed {
    pieces: Vec<(Style, String, f32)>,
    x: f32,
    width: f32,
}

#[derive(Debug, Clone, Default)]
struct LineBox {
    units: Vec<Placed>,
    width: f32,
}

/// What a column of a side-by-side block holds.
#[derive(Debug, Clone)]
pub enum Block {
    Para(Para),
    /// A centred rule this wide, as under the national motto.
    Rule(f32),
    Space(f32),
    /// A QR code this many points square, centred.
    Qr(String, f32),
}

/// One column of a side-by-side block: where it starts (from the left margin) and how wide.
#[derive(Debug, Clone)]
pub struct Column {
    pub x: f32,
    pub width: f32,
    pub blocks: Vec<Block>,
}

/// A table cell: a paragraph, over one or more columns.
#[derive(Debug, Clone)]
pub struct Cell {
    para: Para,
    span: usize,
}

impl Cell {
    pub fn new(para: Para) -> Cell {
        Cell { para, span: 1 }
    }

    pub fn span(mut self, columns: usize) -> Cell {
        self.span = columns.max(1);
        self
    }
}

#[derive(Debug, Clone)]
pub struct Table {
    /// Relative widths of the columns.
    pub widths: Vec<f32>,
    /// Rows printed again at the top of every page the table reaches.
    pub header: Vec<Vec<Cell>>,
    pub rows: Vec<Vec<Cell>>,
}

/// A cell laid out: where, how wide, its lines and how many are printed already.
struct CellBox<'a> {
    x: f32,
    width: f32,
    para: &'a Para,
    lines: Vec<LineBox>,
    done: usize,
}

pub struct Doc {
    setup: PageSetup,
    title: String,
    pages: Vec<Vec<Op>>,
    ops: Vec<Op>,
    y: f32,
    /// The pages where a copy of the paper starts (the receipt is printed twice): each copy is
    /// numbered from its own first page.
    copies: Vec<usize>,
    /// QR codes made already, by text: the receipt prints the same one on each copy, and
    /// choosing a code's mask is the dearest thing on the page.
    qr_codes: Vec<(String, QrRuns)>,
}

/// A QR code as runs of dark modules: its width in modules, and (row, first, end) per run.
struct QrRuns {
    width: usize,
    runs: Vec<(u16, u16, u16)>,
}

impl QrRuns {
    fn new(text: &str) -> Option<QrRuns> {
        let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M).ok()?;
        let n = code.width();
        let colors = code.to_colors();
        let mut runs = Vec::new();
        for row in 0..n {
            let mut col = 0;
            while col < n {
                if colors[row * n + col] == qrcode::Color::Dark {
                    let start = col;
                    while col < n && colors[row * n + col] == qrcode::Color::Dark {
                        col += 1;
                    }
                    let at = |i: usize| u16::try_from(i).expect("a QR code is at most 177 wide");
                    runs.push((at(row), at(start), at(col)));
                } else {
                    col += 1;
                }
            }
        }
        Some(QrRuns { width: n, runs })
    }
}

impl Doc {
    pub fn new(setup: PageSetup, title: &str) -> Doc {
        Doc {
            setup,
            title: title.to_string(),
            pages: Vec::new(),
            ops: Vec::new(),
            y: setup.top,
            copies: vec![0],
            qr_codes: Vec::new(),
        }
    }

    /// The width between the margins.
    pub fn width(&self) -> f32 {
        self.setup.width - self.setup.left - self.setup.right
    }

    fn bottom(&self) -> f32 {
        self.setup.height - self.setup.bottom
    }

    fn at_top(&self) -> bool {
        self.y <= self.setup.top + 0.5
    }

    pub fn new_page(&mut self) {
        self.pages.push(std::mem::take(&mut self.ops));
        self.y = self.setup.top;
    }

    /// Starts the next copy of the paper on a new page, numbered from 1 again.
    pub fn new_copy(&mut self) {
        self.new_page();
        self.copies.push(self.pages.len());
    }

    /// Starts a new page unless `height` more fits on this one.
    pub fn keep(&mut self, height: f32) {
        if self.y + height > self.bottom() && !self.at_top() {
            self.new_page();
        }
    }

    pub fn space(&mut self, points: f32) {
        self.y += points;
        if self.y > self.bottom() {
            self.new_page();
        }
    }

    pub fn para(&mut self, p: &Para) {
        let (x, w) = (self.setup.left, self.width());
        self.y += p.before;
        let lines = p.lines(w);
        let n = lines.len();
        for (i, line) in lines.iter().enumerate() {
            self.keep(p.line_height());
            self.place_line(p, line, x, w, i == 0, i + 1 == n);
            self.y += p.line_height();
        }
        self.y += p.after;
    }

    /// Columns laid side by side from the same line; kept on one page.
    pub fn columns(&mut self, columns: &[Column]) {
        let height = columns
            .iter()
            .map(|c| blocks_height(&c.blocks, c.width))
            .fold(0.0, f32::max);
        self.keep(height);
        let top = self.y;
        for c in columns {
            self.y = top;
            let x = self.setup.left + c.x;
            for block in &c.blocks {
                match block {
                    Block::Para(p) => {
                        self.y += p.before;
                        let lines = p.lines(c.width);
                        let n = lines.len();
                        for (i, line) in lines.iter().enumerate() {
                            self.place_line(p, line, x, c.width, i == 0, i + 1 == n);
                            self.y += p.line_height();
                        }
                        self.y += p.after;
                    }
                    Block::Rule(w) => {
                        let x1 = x + (c.width - w) / 2.0;
                        self.ops.push(Op::Line {
                            x1,
                            y1: self.y + 2.0,
                            x2: x1 + w,
                            y2: self.y + 2.0,
                            width: BORDER,
                        });
                        self.y += RULE_HEIGHT;
                    }
                    Block::Space(h) => self.y += h,
                    Block::Qr(text, size) => {
                        self.qr(text, x + (c.width - size) / 2.0, self.y, *size);
                        self.y += size;
                    }
                }
            }
        }
        self.y = top + height;
    }

    /// A table as wide as the text, its rows kept whole where they fit on a page and broken line
    /// by line where they do not; the header comes again on every page.
    pub fn table<'a>(&mut self, t: &'a Table) {
        let total: f32 = t.widths.iter().sum();
        let width = self.width();
        let edges: Vec<f32> = std::iter::once(0.0)
            .chain(t.widths.iter().scan(0.0, |acc, w| {
                *acc += w / total * width;
                Some(*acc)
            }))
            .collect();
        let left = self.setup.left;
        let boxes = |row: &'a [Cell]| cell_boxes(row, &edges, left);
        let row_height = |cells: &[CellBox<'_>]| -> f32 {
            cells
                .iter()
                .map(|c| c.lines.len() as f32 * c.para.line_height())
                .fold(0.0, f32::max)
                + 2.0 * CELL_PAD_Y
        };
        let header: Vec<Vec<CellBox<'_>>> = t.header.iter().map(|r| boxes(r)).collect();
        let header_height: f32 = header.iter().map(|r| row_height(r)).sum();
        let first_row = t.rows.first().map_or(0.0, |r| {
            r.iter().map(|c| c.para.line_height()).fold(0.0, f32::max) + 2.0 * CELL_PAD_Y
        });
        self.keep(header_height + first_row);
        let page_room = self.bottom() - self.setup.top - header_height;
        self.table_header(&header, left, width);
        for row in &t.rows {
            let mut cells = boxes(row);
            let whole = row_height(&cells);
            if self.y + whole > self.bottom() && whole <= page_room {
                self.new_page();
                self.table_header(&header, left, width);
            }
            loop {
                let room = self.bottom() - self.y - 2.0 * CELL_PAD_Y;
                let line = cells
                    .iter()
                    .map(|c| c.para.line_height())
                    .fold(0.0, f32::max);
                if room < line && !self.at_top() {
                    self.new_page();
                    self.table_header(&header, left, width);
                    continue;
                }
                let finished = self.table_chunk(&mut cells, room, left, width);
                if finished {
                    break;
                }
                self.new_page();
                self.table_header(&header, left, width);
            }
        }
    }

    fn table_header(&mut self, header: &[Vec<CellBox<'_>>], left: f32, width: f32) {
        for row in header {
            let mut cells: Vec<CellBox<'_>> = row
                .iter()
                .map(|c| CellBox {
                    x: c.x,
                    width: c.width,
                    para: c.para,
                    lines: c.lines.clone(),
                    done: 0,
                })
                .collect();
            self.table_chunk(&mut cells, f32::INFINITY, left, width);
        }
    }

    /// Prints what fits of a row in `room`, with its borders; whether the row is finished.
    fn table_chunk(&mut self, cells: &mut [CellBox<'_>], room: f32, left: f32, width: f32) -> bool {
        let top = self.y;
        let mut height: f32 = 0.0;
        let mut finished = true;
        for c in cells.iter_mut() {
            let lh = c.para.line_height();
            let fit = ((room / lh).floor() as usize).max(1);
            let end = (c.done + fit).min(c.lines.len());
            self.y = top + CELL_PAD_Y;
            let n = c.lines.len();
            for i in c.done..end {
                let line = &c.lines[i];
                self.place_line(
                    c.para,
                    line,
                    c.x + CELL_PAD_X,
                    c.width - 2.0 * CELL_PAD_X,
                    i == 0,
                    i + 1 == n,
                );
                self.y += lh;
            }
            height = height.max((end - c.done) as f32 * lh);
            c.done = end;
            finished &= c.done == c.lines.len();
        }
        let bottom = top + height + 2.0 * CELL_PAD_Y;
        for y in [top, bottom] {
            self.ops.push(Op::Line {
                x1: left,
                y1: y,
                x2: left + width,
                y2: y,
                width: BORDER,
            });
        }
        for x in cells
            .iter()
            .map(|c| c.x)
            .chain(std::iter::once(left + width))
        {
            self.ops.push(Op::Line {
                x1: x,
                y1: top,
                x2: x,
                y2: bottom,
                width: BORDER,
            });
        }
        self.y = bottom;
        finished
    }

    fn place_line(
        &mut self,
        p: &Para,
        line: &LineBox,
        x: f32,
        width: f32,
        first: bool,
        last: bool,
    ) {
        let indent = if first { p.indent } else { 0.0 };
        let room = width - indent;
        let (start, stretch) = match p.align {
            Align::Left => (indent, 0.0),
            Align::Center => (indent + (room - line.width) / 2.0, 0.0),
            Align::Right => (indent + room - line.width, 0.0),
            Align::Justify if !last && line.units.len() > 1 => (
                indent,
                (room - line.width).max(0.0) / (line.units.len() - 1) as f32,
            ),
            Align::Justify => (indent, 0.0),
        };
        let baseline = self.y + p.size * BASELINE;
        // Runs of one style on a line print as one string, spaces included, unless stretched.
        let mut run: Option<(Style, String, f32)> = None;
        for (i, unit) in line.units.iter().enumerate() {
            let ux = x + start + unit.x + stretch * i as f32;
            for (j, (style, text, dx)) in unit.pieces.iter().enumerate() {
                let joinable = stretch == 0.0 || j > 0;
                match &mut run {
                    Some((s, t, _)) if *s == *style && joinable => {
                        if j == 0 {
                            t.push(' ');
                        }
                        t.push_str(text);
                    }
                    _ => {
                        if let Some((s, t, rx)) = run.take() {
                            self.text(s, p.size, rx, baseline, t);
                        }
                        run = Some((*style, text.clone(), ux + dx));
                    }
                }
            }
        }
        if let Some((s, t, rx)) = run {
            self.text(s, p.size, rx, baseline, t);
        }
    }

    fn text(&mut self, style: Style, size: f32, x: f32, y: f32, text: String) {
        self.ops.push(Op::Text {
            style,
            size,
            x,
            y,
            text,
        });
    }

    /// A QR code of `text`, `size` points square, its top-left corner at (`x`, `y`).
    pub fn qr(&mut self, text: &str, x: f32, y: f32, size: f32) {
        let index = match self.qr_codes.iter().position(|(t, _)| t == text) {
            Some(i) => i,
            None => {
                let Some(code) = QrRuns::new(text) else {
                    return;
                };
                self.qr_codes.push((text.to_string(), code));
                self.qr_codes.len() - 1
            }
        };
        let code = &self.qr_codes[index].1;
        self.ops.push(Op::Modules {
            x,
            y,
            module: size / code.width as f32,
            runs: code.runs.clone(),
        });
    }

    /// The PDF. Pages after the first carry their number at the top centre (Decree 30/2020).
    pub fn finish(mut self) -> Vec<u8> {
        if !self.ops.is_empty() || self.pages.is_empty() {
            self.pages.push(std::mem::take(&mut self.ops));
        }
        let center = self.setup.left + self.width() / 2.0;
        for (i, page) in self.pages.iter_mut().enumerate() {
            let start = self
                .copies
                .iter()
                .rev()
                .find(|&&c| c <= i)
                .copied()
                .unwrap_or(0);
            if i == start {
                continue;
            }
            let number = (i - start + 1).to_string();
            let w = Font::get(Style::Regular).width(&number, 12.0);
            page.push(Op::Text {
                style: Style::Regular,
                size: 12.0,
                x: center - w / 2.0,
                y: self.setup.top / 2.0 + 4.0,
                text: number,
            });
        }
        super::write::pdf(&self.setup, &self.title, &self.pages)
    }
}

/// The cells of a row laid out between the column `edges` (offsets from `left`).
fn cell_boxes<'a>(row: &'a [Cell], edges: &[f32], left: f32) -> Vec<CellBox<'a>> {
    let mut col = 0;
    row.iter()
        .map(|cell| {
            let end = (col + cell.span).min(edges.len() - 1);
            let (x, w) = (left + edges[col], edges[end] - edges[col]);
            col = end;
            CellBox {
                x,
                width: w,
                para: &cell.para,
                lines: cell.para.lines(w - 2.0 * CELL_PAD_X),
                done: 0,
            }
        })
        .collect()
}

fn blocks_height(blocks: &[Block], width: f32) -> f32 {
    blocks
        .iter()
        .map(|b| match b {
            Block::Para(p) => p.before + p.lines(width).len() as f32 * p.line_height() + p.after,
            Block::Rule(_) => RULE_HEIGHT,
            Block::Space(h) | Block::Qr(_, h) => *h,
        })
        .sum()
}
