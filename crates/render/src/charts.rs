//! Charts drawn as SVG on the server for the leaders' dashboard and the public transparency page:
//! no JavaScript charting library, so they show with scripts off, print, and cache with the page.
//!
//! Accessibility is part of the design, not an option: the palette is Okabe–Ito (told apart with
//! any common colour-vision deficiency), every number is printed as text beside its bar or point
//! (colour or length alone never carries a value), text is #1a1a1a on white (17:1), and each SVG
//! is `role="img"` named by its `<title>` and described by a `<desc>` that reads out every value.
//! Ids are prefixed with the caller's `id` because several charts share a page.
//!
//! There is no font at hand to measure text with, so widths are estimated (see `text_width`) and
//! labels too long for their column are cut with "…"; the full label stays in a nested `<title>`
//! and in the `<desc>`.

use motcua_domain::text::thousands;
use unicode_normalization::UnicodeNormalization;

const WIDTH: f64 = 720.0;
const PAD: f64 = 16.0;
const FONT: &str = "Liberation Sans, Arial, sans-serif";
/// Text colour: 17.4:1 on white.
const INK: &str = "#1a1a1a";
const GRID: &str = "#d0d0d0";
/// A white outline under numbers drawn near lines, so a line crossing them never hides a digit.
const HALO: &str = "stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\"";
const NO_DATA: &str = "Chưa có số liệu";
/// Okabe–Ito, in the order colours are handed out; yellow (weak on white) comes late.
const PALETTE: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
];
/// Text drawn on `PALETTE[i]`: black or white, whichever reaches 4.5:1 (checked in the tests).
const ON_PALETTE: [&str; 8] = [
    "#ffffff", "#000000", "#000000", "#000000", "#000000", "#000000", "#000000", "#ffffff",
];

/// One bar of a horizontal bar chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    /// Printed just right of the bar's end; when empty, `decimal(value)` is printed instead so the
    /// value is never shown by length alone.
    pub note: String,
}

/// One line of a line chart: a name for the legend and a value per x label (None = no data that
/// month, the line breaks there).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub values: Vec<Option<f64>>,
}

/// One part of a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub label: String,
    pub value: u64,
}

/// `v` with one decimal after a comma and thousands grouped with dots, as numbers are written in
/// Vietnam: 1234.5 is "1.234,5". Rounds half away from zero (92.45 is "92,5"); a zero decimal is
/// left out (100.0 is "100", not "100,0") so whole numbers read as whole numbers. Not-a-number and
/// infinities print as "—" rather than as a made-up figure.
pub fn decimal(v: f64) -> String {
    if !v.is_finite() {
        return "—".to_string();
    }
    let tenths = (v * 10.0).round() as i64;
    let sign = if tenths < 0 { "-" } else { "" };
    let abs = tenths.unsigned_abs();
    let whole = thousands((abs / 10) as i64);
    match abs % 10 {
        0 => format!("{sign}{whole}"),
        d => format!("{sign}{whole},{d}"),
    }
}

/// `decimal(v)` followed by "%", without a space: "92,5%", "100%".
pub fn percent(v: f64) -> String {
    format!("{}%", decimal(v))
}

/// Horizontal bars, one per row, scaled from 0 to `max` (e.g. 100.0 for per cent); `note` is the
/// text printed just right of the bar end (e.g. "92,5% · 1.234 hồ sơ"). A `target` draws a dashed
/// vertical reference line with its label (e.g. `Some((90.0, "Mục tiêu 90%"))`). Empty `bars`
/// gives a small SVG saying "Chưa có số liệu".
///
/// Values outside 0..=`max` are drawn clamped to the plot (the note still tells the true value);
/// a `max` that is not a positive number falls back to the largest value. The plot narrows to
/// make room for the longest note, down to 160 px: notes up to about 30 characters always fit.
pub fn bars(id: &str, title: &str, bars: &[Bar], max: f64, target: Option<(f64, &str)>) -> String {
    const LABEL_W: f64 = 232.0;
    /// About what fits in `LABEL_W` at 14 px.
    const LABEL_CHARS: usize = 28;
    const ROW: f64 = 32.0;
    if bars.is_empty() {
        return no_data(id, title);
    }
    let max = scale(max, bars.iter().map(|b| b.value));
    let notes: Vec<String> = bars
        .iter()
        .map(|b| {
            if b.note.is_empty() {
                decimal(b.value)
            } else {
                b.note.clone()
            }
        })
        .collect();
    // The plot gives way to the longest note so that no number runs off the edge.
    let note_room = notes
        .iter()
        .map(|n| text_width(n, 14.0))
        .fold(0.0, f64::max)
        + 8.0;
    let x0 = PAD + LABEL_W + 8.0;
    let plot_w = (WIDTH - PAD - x0 - note_room).max(160.0);
    let top = if target.is_some() { 76.0 } else { 48.0 };
    let bottom = top + bars.len() as f64 * ROW;

    let mut desc = vec![title.to_string()];
    desc.extend(
        bars.iter()
            .zip(&notes)
            .map(|(b, n)| format!("{}: {n}", b.label)),
    );
    if let Some((_, label)) = target {
        desc.push(format!("Đường tham chiếu: {label}"));
    }
    let mut out = open(id, title, &desc.join(". "), bottom + PAD);
    out +=
        &format!("<line x1=\"{x0}\" y1=\"{top}\" x2=\"{x0}\" y2=\"{bottom}\" stroke=\"{INK}\"/>");
    // Notes are drawn last, over the target line.
    let mut printed = String::new();
    for (i, (bar, note)) in bars.iter().zip(&notes).enumerate() {
        let y = top + i as f64 * ROW;
        let w = plot_w * ratio(bar.value, max);
        out += &format!(
            "<g><title>{full}: {note}</title><text x=\"{PAD}\" y=\"{ty}\">{label}</text>\
             <rect class=\"bar\" x=\"{x0}\" y=\"{by}\" width=\"{w:.2}\" height=\"20\" \
             fill=\"{fill}\"/></g>",
            full = esc(&bar.label),
            note = esc(note),
            label = esc(&cut(&bar.label, LABEL_CHARS)),
            ty = y + 21.0,
            by = y + 6.0,
            fill = PALETTE[0],
        );
        printed += &format!(
            "<text x=\"{nx:.2}\" y=\"{ty}\" {HALO}>{note}</text>",
            nx = x0 + w + 6.0,
            ty = y + 21.0,
            note = esc(note),
        );
    }
    if let Some((value, label)) = target {
        let x = x0 + plot_w * ratio(value, max);
        let half = text_width(label, 13.0) / 2.0;
        let tx = x.clamp(PAD + half, (WIDTH - PAD - half).max(PAD + half));
        out += &format!(
            "<g class=\"target\"><line x1=\"{x:.2}\" y1=\"{y1}\" x2=\"{x:.2}\" y2=\"{bottom}\" \
             stroke=\"{INK}\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>\
             <text x=\"{tx:.2}\" y=\"{ty}\" font-size=\"13\" text-anchor=\"middle\">{label}</text></g>",
            y1 = top - 6.0,
            ty = top - 14.0,
            label = esc(label),
        );
    }
    out + &printed + "</svg>"
}

/// Monthly trends: x labels (e.g. "01/2026"), y from 0 to `max` with 5 gridlines labelled; each
/// series its own colour AND its own marker shape (circle, square, triangle, diamond; from the
/// fifth series on the line is also dashed) so it does not rely on colour; each point's value
/// printed above it (formatted with `format`); legend at the bottom.
///
/// Values outside 0..=`max` are drawn clamped to the plot; x labels that would overlap are
/// thinned out on the axis (the desc still has every month). No series, no x labels or no value
/// at all gives "Chưa có số liệu".
pub fn lines(
    id: &str,
    title: &str,
    x_labels: &[String],
    series: &[Series],
    max: f64,
    format: fn(f64) -> String,
) -> String {
    const TOP: f64 = 64.0;
    const PLOT_H: f64 = 240.0;
    const LEGEND_ROW: f64 = 24.0;
    let has_value = series
        .iter()
        .any(|s| s.values.iter().take(x_labels.len()).any(Option::is_some));
    if !has_value {
        return no_data(id, title);
    }
    let max = scale(
        max,
        series
            .iter()
            .flat_map(|s| s.values.iter().flatten().copied()),
    );
    let ticks: Vec<(f64, String)> = (0..=4)
        .map(|i| (i as f64 / 4.0, format(max * i as f64 / 4.0)))
        .collect();
    let x0 = PAD
        + ticks
            .iter()
            .map(|(_, t)| text_width(t, 12.0))
            .fold(0.0, f64::max)
        + 8.0;
    let plot_w = WIDTH - PAD - x0;
    let bottom = TOP + PLOT_H;
    let step = plot_w / x_labels.len() as f64;
    let at = |i: usize, v: f64| {
        (
            x0 + step * (i as f64 + 0.5),
            bottom - PLOT_H * ratio(v, max),
        )
    };
    let value = |s: &Series, i: usize| s.values.get(i).copied().flatten();

    let mut desc = vec![
        title.to_string(),
        format!("Trục dọc từ {} đến {}", ticks[0].1, ticks[4].1),
    ];
    for s in series {
        let points: Vec<String> = x_labels
            .iter()
            .enumerate()
            .map(|(i, x)| match value(s, i) {
                Some(v) => format!("{x} {}", format(v)),
                None => format!("{x} không có số liệu"),
            })
            .collect();
        desc.push(format!("{}: {}", s.name, points.join(", ")));
    }
    let legend_top = bottom + 52.0;
    let height = legend_top + series.len() as f64 * LEGEND_ROW;
    let mut out = open(id, title, &desc.join(". "), height);

    for (f, label) in &ticks {
        let y = bottom - PLOT_H * f;
        let stroke = if *f == 0.0 { INK } else { GRID };
        out += &format!(
            "<line x1=\"{x0:.2}\" y1=\"{y}\" x2=\"{x1}\" y2=\"{y}\" stroke=\"{stroke}\"/>\
             <text x=\"{lx:.2}\" y=\"{ty}\" font-size=\"12\" text-anchor=\"end\">{label}</text>",
            x1 = WIDTH - PAD,
            lx = x0 - 8.0,
            ty = y + 4.0,
            label = esc(label),
        );
    }
    let widest = x_labels
        .iter()
        .map(|l| text_width(l, 12.0))
        .fold(0.0, f64::max);
    let every = ((widest + 8.0) / step).ceil().max(1.0) as usize;
    for (i, label) in x_labels.iter().enumerate().step_by(every) {
        out += &format!(
            "<text x=\"{x:.2}\" y=\"{y}\" font-size=\"12\" text-anchor=\"middle\">{label}</text>",
            x = at(i, 0.0).0,
            y = bottom + 20.0,
            label = esc(label),
        );
    }
    // Values are drawn after every line so that no later line runs over them.
    let mut printed = String::new();
    for (n, s) in series.iter().enumerate() {
        let colour = PALETTE[n % PALETTE.len()];
        let dash = if n % 8 >= 4 {
            " stroke-dasharray=\"8 4\""
        } else {
            ""
        };
        let mut d = String::new();
        let mut marks = String::new();
        let mut joined = false;
        for i in 0..x_labels.len() {
            let Some(v) = value(s, i) else {
                joined = false;
                continue;
            };
            let (x, y) = at(i, v);
            d += &format!("{}{x:.2} {y:.2} ", if joined { "L" } else { "M" });
            joined = true;
            marks += &marker(n, x, y, colour);
            printed += &format!(
                "<text x=\"{x:.2}\" y=\"{ty:.2}\" font-size=\"12\" text-anchor=\"middle\" \
                 {HALO}>{v}</text>",
                ty = y - 10.0,
                v = esc(&format(v)),
            );
        }
        out += &format!(
            "<g class=\"series\"><title>{name}</title><path d=\"{d}\" fill=\"none\" \
             stroke=\"{colour}\" stroke-width=\"2.5\"{dash}/>{marks}</g>",
            name = esc(&s.name),
            d = d.trim_end(),
        );
        let y = legend_top + n as f64 * LEGEND_ROW;
        out += &format!(
            "<g class=\"legend\"><line x1=\"{PAD}\" y1=\"{y}\" x2=\"{x2}\" y2=\"{y}\" \
             stroke=\"{colour}\" stroke-width=\"2.5\"{dash}/>{mark}\
             <text x=\"{tx}\" y=\"{ty}\">{name}</text></g>",
            x2 = PAD + 28.0,
            mark = marker(n, PAD + 14.0, y, colour),
            tx = PAD + 38.0,
            ty = y + 5.0,
            name = esc(&s.name),
        );
    }
    out + &printed + "</svg>"
}

/// A single 100%-wide stacked bar split into parts (e.g. received online / at the counter / by
/// post), each segment coloured from the palette with a pattern-free but distinct colour, and
/// below it a legend row per part: swatch, label, count and percentage ("Trực tuyến: 1.234
/// (41,2%)"). A zero total gives "Chưa có số liệu".
///
/// Percentages are shared out by largest remainder so the printed ones add up to exactly 100%.
/// Segments wide enough also carry their percentage; the legend is in the segments' order.
pub fn shares(id: &str, title: &str, parts: &[Part]) -> String {
    const TOP: f64 = 48.0;
    const BAR_H: f64 = 36.0;
    const ROW: f64 = 26.0;
    let total = parts.iter().fold(0u64, |t, p| t.saturating_add(p.value));
    if total == 0 {
        return no_data(id, title);
    }
    let shares = tenths(parts, total);
    let lines: Vec<String> = parts
        .iter()
        .zip(&shares)
        .map(|(p, t)| {
            format!(
                "{}: {} ({})",
                p.label,
                thousands(p.value as i64),
                percent(*t as f64 / 10.0)
            )
        })
        .collect();
    let mut desc = vec![
        title.to_string(),
        format!("Tổng số: {}", thousands(total as i64)),
    ];
    desc.extend(lines.iter().cloned());
    let legend_top = TOP + BAR_H + 32.0;
    let mut out = open(
        id,
        title,
        &desc.join(". "),
        legend_top + parts.len() as f64 * ROW,
    );

    let bar_w = WIDTH - 2.0 * PAD;
    let mut before = 0u64;
    for (i, ((part, line), t)) in parts.iter().zip(&lines).zip(&shares).enumerate() {
        let x = PAD + bar_w * before as f64 / total as f64;
        before += part.value;
        let w = PAD + bar_w * before as f64 / total as f64 - x;
        let colour = PALETTE[i % PALETTE.len()];
        if part.value > 0 {
            out += &format!(
                "<rect class=\"part\" x=\"{x:.2}\" y=\"{TOP}\" width=\"{w:.2}\" height=\"{BAR_H}\" \
                 fill=\"{colour}\" stroke=\"#ffffff\" stroke-width=\"1.5\"><title>{line}</title></rect>",
                line = esc(line),
            );
            let pct = percent(*t as f64 / 10.0);
            if text_width(&pct, 14.0) + 8.0 <= w {
                out += &format!(
                    "<text x=\"{cx:.2}\" y=\"{ty}\" text-anchor=\"middle\" fill=\"{ink}\">{pct}</text>",
                    cx = x + w / 2.0,
                    ty = TOP + BAR_H / 2.0 + 5.0,
                    ink = ON_PALETTE[i % PALETTE.len()],
                );
            }
        }
        let y = legend_top + i as f64 * ROW;
        out += &format!(
            "<g class=\"legend\"><rect x=\"{PAD}\" y=\"{sy}\" width=\"14\" height=\"14\" fill=\"{colour}\" \
             stroke=\"{INK}\"/><text x=\"{tx}\" y=\"{y}\"><title>{full}</title>{text}</text></g>",
            sy = y - 12.0,
            tx = PAD + 22.0,
            full = esc(line),
            text = esc(&cut(line, 80)),
        );
    }
    out + "</svg>"
}

/// Each part's share in tenths of a per cent, summing to exactly 1000: the floors first, then the
/// tenths left over go to the largest remainders (ties to the earlier part).
fn tenths(parts: &[Part], total: u64) -> Vec<u64> {
    let total = u128::from(total);
    let exact: Vec<u128> = parts.iter().map(|p| u128::from(p.value) * 1000).collect();
    let mut out: Vec<u64> = exact.iter().map(|e| (e / total) as u64).collect();
    let short = 1000u64.saturating_sub(out.iter().sum());
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(exact[i] % total));
    for &i in order.iter().take(short as usize) {
        out[i] += 1;
    }
    out
}

/// The opening of every chart: the `<svg>` element, its title and desc, a white ground (so the
/// contrast holds on a dark page) and the title drawn at the top.
fn open(id: &str, title: &str, desc: &str, height: f64) -> String {
    let id = esc(id);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height:.0}\" width=\"100%\" \
         role=\"img\" aria-labelledby=\"{id}-title\" aria-describedby=\"{id}-desc\" \
         font-family=\"{FONT}\" font-size=\"14\" fill=\"{INK}\">\
         <title id=\"{id}-title\">{full}</title><desc id=\"{id}-desc\">{desc}.</desc>\
         <rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\
         <text x=\"{PAD}\" y=\"28\" font-size=\"16\" font-weight=\"bold\">{shown}</text>",
        full = esc(title),
        desc = esc(desc),
        shown = esc(&cut(title, 64)),
    )
}

fn no_data(id: &str, title: &str) -> String {
    let mut out = open(id, title, &format!("{title}. {NO_DATA}"), 80.0);
    out += &format!("<text x=\"{PAD}\" y=\"60\">{NO_DATA}</text></svg>");
    out
}

/// `max` when it is a positive number, else the largest finite value, else 1.
fn scale(max: f64, values: impl Iterator<Item = f64>) -> f64 {
    if max.is_finite() && max > 0.0 {
        return max;
    }
    let largest = values.filter(|v| v.is_finite()).fold(0.0, f64::max);
    if largest > 0.0 { largest } else { 1.0 }
}

/// Where `v` falls between 0 and `max`, clamped to 0..=1 (not-a-number counts as 0).
fn ratio(v: f64, max: f64) -> f64 {
    let r = v / max;
    if r.is_nan() { 0.0 } else { r.clamp(0.0, 1.0) }
}

/// The point on `shape % 4` (circle, square, triangle, diamond) centred on (x, y), outlined in ink
/// so that the pale colours stand out on white.
fn marker(shape: usize, x: f64, y: f64, fill: &str) -> String {
    let style = format!("fill=\"{fill}\" stroke=\"{INK}\"");
    let poly = |pts: &[(f64, f64)]| {
        let pts: Vec<String> = pts
            .iter()
            .map(|(a, b)| format!("{:.2},{:.2}", x + a, y + b))
            .collect();
        format!("<polygon points=\"{}\" {style}/>", pts.join(" "))
    };
    match shape % 4 {
        0 => format!("<circle cx=\"{x:.2}\" cy=\"{y:.2}\" r=\"5\" {style}/>"),
        1 => format!(
            "<rect x=\"{:.2}\" y=\"{:.2}\" width=\"9\" height=\"9\" {style}/>",
            x - 4.5,
            y - 4.5
        ),
        2 => poly(&[(0.0, -6.0), (6.0, 4.5), (-6.0, 4.5)]),
        _ => poly(&[(0.0, -6.5), (6.5, 0.0), (0.0, 6.5), (-6.5, 0.0)]),
    }
}

/// A rough width of `text` at `size` px: Liberation Sans averages about 0.55 em a character
/// (digits are 0.556 em), and 0.6 leaves a margin.
fn text_width(text: &str, size: f64) -> f64 {
    text.nfc().count() as f64 * size * 0.6
}

/// `text` cut to `max` characters, the last one "…", when longer. Composed first so that a tone
/// mark is never cut off its letter.
fn cut(text: &str, max: usize) -> String {
    let chars: Vec<char> = text.nfc().collect();
    if chars.len() <= max {
        return chars.into_iter().collect();
    }
    let kept: String = chars[..max.saturating_sub(1)].iter().collect();
    format!("{}…", kept.trim_end())
}

/// `text` safe inside XML text and attribute values; control characters, which XML 1.0 forbids,
/// are dropped.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny well-formedness check, there being no XML crate: one root, tags balance (`<x/>`
    /// closes itself), quotes in a tag pair up, and every `&` starts an entity.
    fn assert_well_formed(svg: &str) {
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 720 "));
        let mut stack: Vec<&str> = Vec::new();
        let mut roots = 0;
        let mut rest = svg;
        while let Some(start) = rest.find('<') {
            assert_entities(&rest[..start]);
            let end = start + rest[start..].find('>').expect("a tag left open");
            let tag = &rest[start + 1..end];
            assert!(!tag.contains('<'), "'<' inside <{tag}>");
            assert_eq!(tag.matches('"').count() % 2, 0, "unpaired quote in <{tag}>");
            assert_entities(tag);
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(
                    stack.pop(),
                    Some(name),
                    "</{name}> closes the wrong element"
                );
            } else {
                let name = tag.split([' ', '/']).next().unwrap_or_default();
                assert!(
                    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric()),
                    "<{tag}>"
                );
                if stack.is_empty() {
                    roots += 1;
                }
                if !tag.ends_with('/') {
                    stack.push(name);
                }
            }
            rest = &rest[end + 1..];
        }
        assert!(rest.is_empty(), "text after the root: {rest}");
        assert!(stack.is_empty(), "left open: {stack:?}");
        assert_eq!(roots, 1);
    }

    fn assert_entities(text: &str) {
        for (i, _) in text.match_indices('&') {
            let after = &text[i..];
            let known = ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"];
            assert!(
                known.iter().any(|e| after.starts_with(e)),
                "raw '&' in {text:?}"
            );
        }
    }

    /// The start tags `<name ...class="class"...>`.
    fn tags<'a>(svg: &'a str, name: &str, class: &str) -> Vec<&'a str> {
        let (name, class) = (format!("{name} "), format!("class=\"{class}\""));
        svg.split('<')
            .filter(|t| t.starts_with(&name) && t.contains(&class))
            .map(|t| t.split('>').next().unwrap_or_default())
            .collect()
    }

    fn attr(tag: &str, name: &str) -> f64 {
        let key = format!(" {name}=\"");
        let start = tag
            .find(&key)
            .unwrap_or_else(|| panic!("no {name} in {tag}"))
            + key.len();
        tag[start..]
            .split('"')
            .next()
            .unwrap_or_default()
            .parse()
            .unwrap_or(f64::NAN)
    }

    fn desc(svg: &str) -> &str {
        let start = svg.find("<desc").unwrap();
        let start = start + svg[start..].find('>').unwrap() + 1;
        &svg[start..start + svg[start..].find("</desc>").unwrap()]
    }

    fn bar(label: &str, value: f64, note: &str) -> Bar {
        Bar {
            label: label.into(),
            value,
            note: note.into(),
        }
    }

    #[test]
    fn numbers_are_written_the_vietnamese_way() {
        assert_eq!(decimal(92.45), "92,5");
        assert_eq!(decimal(1234.5), "1.234,5");
        assert_eq!(decimal(1_234_567.0), "1.234.567");
        assert_eq!(decimal(0.04), "0");
        assert_eq!(decimal(-0.25), "-0,3");
        assert_eq!(decimal(f64::NAN), "—");
        assert_eq!(percent(100.0), "100%");
        assert_eq!(percent(92.5), "92,5%");
        assert_eq!(percent(99.96), "100%");
    }

    #[test]
    fn bars_print_every_note_and_describe_every_value() {
        let rows = [
            bar("Sở Tư pháp", 92.5, "92,5% · 1.234 hồ sơ"),
            bar("UBND xã Tân Phú", 71.0, "71% · 88 hồ sơ"),
            bar("Không ghi chú", 40.25, ""),
        ];
        let svg = bars("dung-han", "Tỉ lệ đúng hạn", &rows, 100.0, None);
        assert_well_formed(&svg);
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("aria-labelledby=\"dung-han-title\""));
        assert!(svg.contains("<title id=\"dung-han-title\">Tỉ lệ đúng hạn</title>"));
        assert!(svg.contains("<desc id=\"dung-han-desc\">"));
        assert!(svg.contains("font-family=\"Liberation Sans, Arial, sans-serif\""));
        for note in ["92,5% · 1.234 hồ sơ", "71% · 88 hồ sơ", "40,3"] {
            assert!(svg.contains(&format!(">{note}</text>")), "{note} drawn");
        }
        assert_eq!(
            desc(&svg),
            "Tỉ lệ đúng hạn. Sở Tư pháp: 92,5% · 1.234 hồ sơ. UBND xã Tân Phú: 71% · 88 hồ sơ. \
             Không ghi chú: 40,3."
        );
    }

    #[test]
    fn text_is_escaped_everywhere() {
        let evil = "<script>alert(\"x\")</script> & 'y'";
        let svg = bars(
            "a\"b",
            evil,
            &[bar(evil, 10.0, evil)],
            100.0,
            Some((50.0, evil)),
        );
        assert_well_formed(&svg);
        assert!(!svg.contains("<script"));
        assert!(
            svg.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;y&apos;")
        );
        assert!(svg.contains("id=\"a&quot;b-title\""));
        let line = lines(
            "l",
            evil,
            &[evil.into()],
            &[Series {
                name: evil.into(),
                values: vec![Some(1.0)],
            }],
            2.0,
            decimal,
        );
        assert_well_formed(&line);
        assert!(!line.contains("<script"));
        let share = shares(
            "s",
            evil,
            &[Part {
                label: evil.into(),
                value: 3,
            }],
        );
        assert_well_formed(&share);
        assert!(!share.contains("<script"));
        assert_well_formed(&bars("c", "x\u{1}y", &[bar("\u{7}", 1.0, "")], 1.0, None));
    }

    #[test]
    fn bar_widths_are_proportional_and_clamped_to_the_plot() {
        let rows = [
            bar("Đủ", 100.0, ""),
            bar("Nửa", 50.0, ""),
            bar("Vượt", 150.0, ""),
            bar("Âm", -5.0, ""),
        ];
        let svg = bars("w", "Độ rộng", &rows, 100.0, Some((90.0, "Mục tiêu 90%")));
        assert_well_formed(&svg);
        let widths: Vec<f64> = tags(&svg, "rect", "bar")
            .iter()
            .map(|t| attr(t, "width"))
            .collect();
        assert_eq!(widths.len(), 4);
        let full = widths[0];
        assert!(full > 100.0);
        assert!((widths[1] - full / 2.0).abs() < 0.01, "{widths:?}");
        assert_eq!(widths[2], full, "150 of 100 stays inside the plot");
        assert_eq!(widths[3], 0.0);
        // The target sits at 90% of the plot, dashed, with its label.
        let x0 = attr(tags(&svg, "rect", "bar")[0], "x");
        let target = &svg[svg.find("class=\"target\"").unwrap()..];
        let line = target.split("<line").nth(1).unwrap();
        assert!((attr(line, "x1") - (x0 + 0.9 * full)).abs() < 0.01);
        assert!(line.contains("stroke-dasharray"));
        assert!(target.contains(">Mục tiêu 90%</text>"));
        assert!(desc(&svg).contains("Mục tiêu 90%"));
    }

    #[test]
    fn long_notes_shrink_the_plot_instead_of_running_off() {
        let note = "92,5% · 1.234 hồ sơ · 17 quá hạn";
        let svg = bars("n", "Ghi chú dài", &[bar("A", 100.0, note)], 100.0, None);
        let rect = tags(&svg, "rect", "bar")[0];
        let end = attr(rect, "x") + attr(rect, "width") + 6.0 + text_width(note, 14.0);
        assert!(end <= 720.0, "{end}");
    }

    #[test]
    fn long_labels_are_cut_but_kept_whole_in_title_and_desc() {
        let label = "Cấp giấy phép xây dựng đối với công trình không theo tuyến";
        let svg = bars("c", "Cắt nhãn", &[bar(label, 1.0, "1")], 2.0, None);
        assert_well_formed(&svg);
        assert!(svg.contains(&format!("<title>{label}: 1</title>")));
        assert!(svg.contains(">Cấp giấy phép xây dựng đối…</text>"), "{svg}");
        assert!(desc(&svg).contains(label));
    }

    #[test]
    fn no_bars_say_there_is_no_data() {
        let svg = bars("e", "Trống", &[], 100.0, None);
        assert_well_formed(&svg);
        assert!(svg.contains(">Chưa có số liệu</text>"));
        assert!(desc(&svg).contains("Chưa có số liệu"));
    }

    #[test]
    fn lines_break_on_missing_months_and_label_every_point() {
        let months: Vec<String> = (1..=5).map(|m| format!("{m:02}/2026")).collect();
        let series = [
            Series {
                name: "Đúng hạn".into(),
                values: vec![Some(90.0), Some(92.5), None, Some(88.0), Some(95.0)],
            },
            Series {
                name: "Trực tuyến".into(),
                values: vec![Some(40.0), Some(41.2), Some(45.0), Some(120.0)],
            },
            Series {
                name: "Hài lòng".into(),
                values: vec![None, Some(70.0), None, None, None],
            },
        ];
        let svg = lines("xu-huong", "Xu hướng", &months, &series, 100.0, percent);
        assert_well_formed(&svg);
        let paths: Vec<&str> = svg
            .split("<path d=\"")
            .skip(1)
            .map(|p| p.split('"').next().unwrap())
            .collect();
        assert_eq!(paths.len(), 3);
        assert_eq!(
            paths[0].matches('M').count(),
            2,
            "the gap splits the line: {}",
            paths[0]
        );
        assert_eq!(paths[1].matches('M').count(), 1);
        // The value above max is drawn at the top of the plot; the lone point has no segment.
        assert!(paths[1].ends_with(" 64.00"), "{}", paths[1]);
        assert!(!paths[2].contains('L'));
        for v in ["90%", "92,5%", "88%", "95%", "41,2%", "45%", "120%", "70%"] {
            assert!(svg.contains(&format!(">{v}</text>")), "{v} printed");
        }
        for grid in ["0%", "25%", "50%", "75%", "100%"] {
            assert!(
                svg.contains(&format!("text-anchor=\"end\">{grid}</text>")),
                "gridline {grid}"
            );
        }
        // Shapes tell the series apart without colour.
        assert!(svg.contains("<circle") && svg.contains("<rect x=") && svg.contains("<polygon"));
        assert!(svg.contains(">Trực tuyến</text>"), "legend");
        let d = desc(&svg);
        assert!(d.contains(
            "Đúng hạn: 01/2026 90%, 02/2026 92,5%, 03/2026 không có số liệu, 04/2026 88%"
        ));
        assert!(d.contains("Trực tuyến: 01/2026 40%, 02/2026 41,2%, 03/2026 45%, 04/2026 120%, 05/2026 không có số liệu"));
    }

    #[test]
    fn lines_without_values_say_there_is_no_data() {
        let empty = Series {
            name: "A".into(),
            values: vec![None, None],
        };
        let svg = lines(
            "e",
            "Trống",
            &["01/2026".into(), "02/2026".into()],
            &[empty],
            100.0,
            percent,
        );
        assert_well_formed(&svg);
        assert!(svg.contains(">Chưa có số liệu</text>"));
        assert!(lines("e", "Trống", &[], &[], 100.0, percent).contains(">Chưa có số liệu</text>"));
    }

    #[test]
    fn shares_print_counts_and_percentages_that_add_up() {
        let parts = [
            Part {
                label: "Trực tuyến".into(),
                value: 1234,
            },
            Part {
                label: "Tại quầy".into(),
                value: 1500,
            },
            Part {
                label: "Qua bưu chính".into(),
                value: 266,
            },
            Part {
                label: "Khác".into(),
                value: 0,
            },
        ];
        let svg = shares("kenh", "Kênh tiếp nhận", &parts);
        assert_well_formed(&svg);
        let legend = [
            "Trực tuyến: 1.234 (41,1%)",
            "Tại quầy: 1.500 (50%)",
            "Qua bưu chính: 266 (8,9%)",
            "Khác: 0 (0%)",
        ];
        for line in legend {
            assert!(svg.contains(&format!("{line}</text>")), "{line}");
            assert!(desc(&svg).contains(line));
        }
        assert!(desc(&svg).contains("Tổng số: 3.000"));
        assert_eq!(tags(&svg, "rect", "part").len(), 3, "no segment for zero");
        let widths: f64 = tags(&svg, "rect", "part")
            .iter()
            .map(|t| attr(t, "width"))
            .sum();
        assert!((widths - 688.0).abs() < 0.05);
        // Thirds: printed percentages still add up to 100.
        let thirds: Vec<Part> = ["A", "B", "C"]
            .iter()
            .map(|l| Part {
                label: (*l).into(),
                value: 1,
            })
            .collect();
        let svg = shares("t", "Ba phần", &thirds);
        let sum: f64 = desc(&svg)
            .split('(')
            .skip(1)
            .map(|p| {
                p.split('%')
                    .next()
                    .unwrap()
                    .replace(',', ".")
                    .parse::<f64>()
                    .unwrap()
            })
            .sum();
        assert!((sum - 100.0).abs() < 1e-9, "{sum}");
        assert!(desc(&svg).contains("A: 1 (33,4%). B: 1 (33,3%). C: 1 (33,3%)"));
    }

    #[test]
    fn shares_of_nothing_say_there_is_no_data() {
        let svg = shares(
            "z",
            "Trống",
            &[Part {
                label: "A".into(),
                value: 0,
            }],
        );
        assert_well_formed(&svg);
        assert!(svg.contains(">Chưa có số liệu</text>"));
        assert!(shares("z", "Trống", &[]).contains(">Chưa có số liệu</text>"));
    }

    #[test]
    fn text_colours_reach_four_and_a_half_to_one() {
        fn luminance(hex: &str) -> f64 {
            let c = |i: usize| {
                let v = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
                if v <= 0.03928 {
                    v / 12.92
                } else {
                    ((v + 0.055) / 1.055).powf(2.4)
                }
            };
            0.2126 * c(1) + 0.7152 * c(3) + 0.0722 * c(5)
        }
        fn contrast(a: &str, b: &str) -> f64 {
            let (a, b) = (luminance(a), luminance(b));
            (a.max(b) + 0.05) / (a.min(b) + 0.05)
        }
        assert!(contrast(INK, "#ffffff") >= 4.5);
        for (bg, ink) in PALETTE.iter().zip(ON_PALETTE) {
            assert!(
                contrast(bg, ink) >= 4.5,
                "{ink} on {bg}: {}",
                contrast(bg, ink)
            );
        }
    }
}
