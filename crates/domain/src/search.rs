//! Searching the catalogue: folded words, each query word matching a word of the procedure
//! exactly, as its beginning (people type), or, in words of five letters or more, with one letter
//! wrong. An exact code comes first. Query words that match nothing anywhere (quotes, `OR`, typos
//! beyond repair) are set aside and reported rather than emptying the results.

use std::collections::BTreeMap;

use crate::catalogue::{Level, Online};
use crate::text::{fold, words};

/// One procedure as search sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub code: String,
    pub name: String,
    pub sector: String,
    pub level: Level,
    pub online: Online,
    /// Identifiers of the agencies that carry it out (or `commune`).
    pub agencies: Vec<String>,
    folded_code: String,
    folded_name: String,
    words: Vec<String>,
}

impl Entry {
    /// `search_text` is what the procedure is found by (name, code, sector, keywords, agencies).
    pub fn new(
        code: &str,
        name: &str,
        sector: &str,
        level: Level,
        online: Online,
        agencies: Vec<String>,
        search_text: &str,
    ) -> Entry {
        let mut words = words(search_text);
        words.sort();
        words.dedup();
        Entry {
            code: code.to_string(),
            name: name.to_string(),
            sector: sector.to_string(),
            level,
            online,
            agencies,
            folded_code: fold(code),
            folded_name: fold(name),
            words,
        }
    }
}

/// What to look for, and the facets chosen.
#[derive(Debug, Clone, Default)]
pub struct Query<'a> {
    pub text: &'a str,
    pub sector: Option<&'a str>,
    pub level: Option<Level>,
    pub online: Option<Online>,
    pub agency: Option<&'a str>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facets {
    pub sectors: BTreeMap<String, usize>,
    pub levels: BTreeMap<&'static str, usize>,
    pub online: BTreeMap<&'static str, usize>,
    /// By agency identifier (`commune` for every commune's committee).
    pub agencies: BTreeMap<String, usize>,
}

#[derive(Debug, Clone)]
pub struct Hits<'a> {
    /// Best first.
    pub entries: Vec<&'a Entry>,
    /// Counts among the entries the words match, before the facets narrow them.
    pub facets: Facets,
    /// Query words that matched nothing and were set aside.
    pub ignored: Vec<String>,
}

/// Queries longer than this many words are cut (a pasted page is not a question).
const MAX_WORDS: usize = 16;

#[derive(Debug, Clone, Default)]
pub struct Index {
    entries: Vec<Entry>,
    /// Every word of every entry, once, sorted: a query word is compared with each of these once,
    /// not again for every entry that contains it.
    vocabulary: Vec<String>,
    /// For each entry (same position), its words as positions in `vocabulary`.
    word_ids: Vec<Vec<u32>>,
}

/// Whether `a` and `b` differ by at most one letter changed, added or removed.
fn one_edit(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let prefix = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    if short.len() == long.len() {
        short[prefix + 1.min(short.len() - prefix)..] == long[prefix + 1.min(long.len() - prefix)..]
    } else {
        short[prefix..] == long[prefix + 1..]
    }
}

/// How a query word meets one word of a procedure: 2 exactly, 1 loosely (as its beginning, or
/// one letter off in words of five letters or more), 0 not at all.
fn grade(word: &str, w: &str) -> u8 {
    if w == word {
        2
    } else {
        u8::from(
            (word.len() >= 2 && w.starts_with(word))
                || (word.len() >= 5 && w.len() >= 5 && one_edit(w, word)),
        )
    }
}

/// How a query word, graded against the vocabulary, meets an entry: its best word's grade.
fn meets(grades: &[u8], word_ids: &[u32]) -> u8 {
    word_ids
        .iter()
        .map(|&i| grades[i as usize])
        .max()
        .unwrap_or(0)
}

fn level_code(level: Level) -> &'static str {
    match level {
        Level::Province => "province",
        Level::Commune => "commune",
        Level::District => "district",
    }
}

fn online_code(online: Online) -> &'static str {
    match online {
        Online::Full => "full",
        Online::Partial => "partial",
    }
}

impl Index {
    pub fn new(mut entries: Vec<Entry>) -> Index {
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        let mut vocabulary: Vec<String> = entries
            .iter()
            .flat_map(|e| e.words.iter().cloned())
            .collect();
        vocabulary.sort();
        vocabulary.dedup();
        let word_ids = entries
            .iter()
            .map(|e| {
                e.words
                    .iter()
                    .map(|w| {
                        let id = vocabulary.binary_search(w).expect("every word is listed");
                        u32::try_from(id).expect("fewer than 4 billion words")
                    })
                    .collect()
            })
            .collect();
        Index {
            entries,
            vocabulary,
            word_ids,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get(&self, code: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.code == code)
    }

    pub fn search(&self, query: &Query<'_>) -> Hits<'_> {
        let folded = fold(query.text);
        let mut tokens: Vec<String> = words(query.text);
        tokens.truncate(MAX_WORDS);
        // Each word graded against every word of the vocabulary; words that match nothing
        // anywhere are set aside, not allowed to empty the result.
        let mut kept: Vec<Vec<u8>> = Vec::new();
        let mut kept_words: Vec<String> = Vec::new();
        let mut ignored: Vec<String> = Vec::new();
        for t in tokens {
            let grades: Vec<u8> = self.vocabulary.iter().map(|w| grade(&t, w)).collect();
            if grades.iter().any(|&g| g > 0) {
                kept.push(grades);
                kept_words.push(t);
            } else {
                ignored.push(t);
            }
        }
        // The phrase is made of the words kept, so a stray word does not undo the ranking.
        let phrase = kept_words.join(" ");
        // Among equal scores, a name that is the query, then one that holds it as a phrase.
        let name_rank = |e: &Entry| -> u8 {
            if phrase.is_empty() {
                0
            } else if e.folded_name == phrase {
                2
            } else {
                u8::from(e.folded_name.contains(&phrase))
            }
        };
        let mut scored: Vec<(bool, u32, u8, &Entry)> = self
            .entries
            .iter()
            .zip(&self.word_ids)
            .filter_map(|(e, ids)| {
                let exact_code = !folded.is_empty() && e.folded_code == folded;
                let mut score = 0u32;
                for grades in &kept {
                    match meets(grades, ids) {
                        0 if !exact_code => return None,
                        m => score += u32::from(m),
                    }
                }
                Some((exact_code, score, name_rank(e), e))
            })
            .collect();
        let mut facets = Facets::default();
        for (_, _, _, e) in &scored {
            *facets.sectors.entry(e.sector.clone()).or_default() += 1;
            *facets.levels.entry(level_code(e.level)).or_default() += 1;
            *facets.online.entry(online_code(e.online)).or_default() += 1;
            for a in &e.agencies {
                *facets.agencies.entry(a.clone()).or_default() += 1;
            }
        }
        scored.retain(|(_, _, _, e)| {
            query.sector.is_none_or(|s| e.sector == s)
                && query.level.is_none_or(|l| e.level == l)
                && query.online.is_none_or(|o| e.online == o)
                && query
                    .agency
                    .is_none_or(|a| e.agencies.iter().any(|x| x == a))
        });
        // Exact code first, then the closer matches, then names that say what was asked; names
        // keep the rest in order.
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(b.2.cmp(&a.2)));
        Hits {
            entries: scored.into_iter().map(|(_, _, _, e)| e).collect(),
            facets,
            ignored,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> Index {
        let e = |code: &str, name: &str, sector: &str, level, online, extra: &str| {
            Entry::new(
                code,
                name,
                sector,
                level,
                online,
                vec![
                    if level == Level::Commune {
                        "commune"
                    } else {
                        "H99.07"
                    }
                    .into(),
                ],
                &format!("{name} {code} {extra}"),
            )
        };
        Index::new(vec![
            e(
                "1.009642",
                "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
                "XD",
                Level::Province,
                Online::Partial,
                "Xây dựng",
            ),
            e(
                "1.001193",
                "Đăng ký khai sinh",
                "HT",
                Level::Commune,
                Online::Full,
                "Hộ tịch giấy khai sinh",
            ),
            e(
                "1.000894",
                "Đăng ký kết hôn",
                "HT",
                Level::Commune,
                Online::Partial,
                "Hộ tịch",
            ),
            e(
                "2.000001",
                "Đăng ký thành lập doanh nghiệp tư nhân",
                "DN",
                Level::Province,
                Online::Full,
                "Doanh nghiệp",
            ),
        ])
    }

    fn names<'a>(hits: &Hits<'a>) -> Vec<&'a str> {
        hits.entries.iter().map(|e| e.name.as_str()).collect()
    }

    #[test]
    fn with_or_without_diacritics_the_same_list() {
        let idx = index();
        let a = idx.search(&Query {
            text: "đăng ký khai sinh",
            ..Query::default()
        });
        let b = idx.search(&Query {
            text: "dang ky khai sinh",
            ..Query::default()
        });
        assert_eq!(names(&a), names(&b));
        assert_eq!(names(&a), ["Đăng ký khai sinh"]);
        let c = idx.search(&Query {
            text: "cap giay phep xay dung",
            ..Query::default()
        });
        assert_eq!(
            names(&c),
            ["Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ"]
        );
    }

    #[test]
    fn an_exact_code_comes_first() {
        let idx = index();
        let hits = idx.search(&Query {
            text: "1.000894",
            ..Query::default()
        });
        assert_eq!(names(&hits)[0], "Đăng ký kết hôn");
    }

    #[test]
    fn one_wrong_letter_in_a_long_word_still_finds() {
        let idx = index();
        assert_eq!(
            names(&idx.search(&Query {
                text: "doanh nghiep tu nhann",
                ..Query::default()
            })),
            ["Đăng ký thành lập doanh nghiệp tư nhân"]
        );
        // Two letters swapped are two edits: "sihn" matches nothing, is set aside and said so.
        let swapped = idx.search(&Query {
            text: "khai sihn",
            ..Query::default()
        });
        assert_eq!(swapped.ignored, ["sihn"]);
        assert_eq!(
            names(&idx.search(&Query {
                text: "xay dunh",
                ..Query::default()
            })),
            ["Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ"],
            "prefix of a short word"
        );
    }

    #[test]
    fn operators_and_junk_never_break_a_search() {
        let idx = index();
        for text in [
            "\"khai sinh\" OR *",
            "-khai +sinh",
            "khai AND sinh zzzzqqq",
            "((khai))",
        ] {
            let hits = idx.search(&Query {
                text,
                ..Query::default()
            });
            assert_eq!(names(&hits), ["Đăng ký khai sinh"], "{text}");
        }
        let all = idx.search(&Query {
            text: "",
            ..Query::default()
        });
        assert_eq!(all.entries.len(), 4);
        let huge = "khai ".repeat(10_000);
        assert_eq!(
            idx.search(&Query {
                text: &huge,
                ..Query::default()
            })
            .entries
            .len(),
            1
        );
        let ignored = idx
            .search(&Query {
                text: "khai zzzzqqq",
                ..Query::default()
            })
            .ignored;
        assert_eq!(ignored, ["zzzzqqq"]);
    }

    #[test]
    fn facets_count_and_narrow() {
        let idx = index();
        let hits = idx.search(&Query {
            text: "dang ky",
            ..Query::default()
        });
        assert_eq!(hits.facets.sectors.get("HT"), Some(&2));
        assert_eq!(hits.facets.sectors.get("DN"), Some(&1));
        let narrowed = idx.search(&Query {
            text: "dang ky",
            level: Some(Level::Commune),
            online: Some(Online::Full),
            ..Query::default()
        });
        assert_eq!(names(&narrowed), ["Đăng ký khai sinh"]);
        assert_eq!(
            narrowed.facets.levels.get("commune"),
            Some(&2),
            "facets count before narrowing"
        );
        assert_eq!(hits.facets.agencies.get("commune"), Some(&2));
        assert_eq!(hits.facets.agencies.get("H99.07"), Some(&1));
        let by_agency = idx.search(&Query {
            text: "dang ky",
            agency: Some("H99.07"),
            ..Query::default()
        });
        assert_eq!(
            names(&by_agency),
            ["Đăng ký thành lập doanh nghiệp tư nhân"]
        );
    }

    #[test]
    fn one_edit_is_one_edit() {
        for (a, b, yes) in [
            ("nhann", "nhan", true),
            ("sinhh", "sinh", true),
            ("khaii", "khai", true),
            ("dunh", "dung", true),
            ("sihn", "sinh", false),
            ("abc", "abc", true),
            ("abcd", "ab", false),
        ] {
            assert_eq!(one_edit(a, b), yes, "{a} {b}");
        }
    }

    #[test]
    fn a_name_that_is_the_query_comes_before_one_found_by_its_keywords() {
        let e = |code: &str, name: &str, extra: &str| {
            Entry::new(
                code,
                name,
                "HT",
                Level::Commune,
                Online::Full,
                vec![],
                &format!("{name} {code} {extra}"),
            )
        };
        let index = Index::new(vec![
            e(
                "A",
                "Cấp bản sao trích lục hộ tịch",
                "đăng ký khai sinh kết hôn",
            ),
            e("B", "Đăng ký khai sinh có yếu tố nước ngoài", ""),
            e("C", "Đăng ký khai sinh", ""),
        ]);
        let codes: Vec<&str> = index
            .search(&Query {
                text: "dang ky khai sinh",
                ..Default::default()
            })
            .entries
            .iter()
            .map(|e| e.code.as_str())
            .collect();
        assert_eq!(codes, ["C", "B", "A"]);
    }

    #[test]
    fn a_word_set_aside_does_not_undo_the_ranking_by_name() {
        let e = |code: &str, name: &str| {
            Entry::new(
                code,
                name,
                "HT",
                Level::Commune,
                Online::Full,
                vec![],
                &format!("{name} {code}"),
            )
        };
        // "Liên thông…" sorts before "Đăng ký…" by name, so only the phrase puts C first.
        let index = Index::new(vec![
            e("L", "Liên thông đăng ký khai sinh, đăng ký thường trú"),
            e("C", "Đăng ký khai sinh"),
        ]);
        let hits = index.search(&Query {
            text: "qqq đăng ký khai sinh",
            ..Query::default()
        });
        assert_eq!(hits.ignored, ["qqq"]);
        assert_eq!(
            names(&hits),
            [
                "Đăng ký khai sinh",
                "Liên thông đăng ký khai sinh, đăng ký thường trú"
            ]
        );
    }
}
