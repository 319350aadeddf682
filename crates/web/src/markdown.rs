//! Markdown for charters: rendered with pulldown-cmark, then sanitised with ammonia, so only the
//! sanitised output is ever embedded unescaped in a page. Also the line diff between two versions.

use concord_domain::thread::{Mentionable, mention_spans};
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, TextMergeStream, html};
use similar::{ChangeTag, TextDiff};

/// Renders Markdown to HTML that is safe to embed: scripts, event handlers, `javascript:` links
/// and other dangerous markup are removed; links get `rel="noopener noreferrer"`.
pub fn render(markdown: &str) -> String {
    render_with_mentions(markdown, &[])
}

/// Like [`render`], and each mention of one of `mentioned` (`@Display Name`, outside code) is
/// wrapped in `<span class="mention">`.
pub fn render_with_mentions(markdown: &str, mentioned: &[Mentionable]) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    let parser = Parser::new_ext(markdown, options);
    if mentioned.is_empty() {
        html::push_html(&mut raw, parser);
    } else {
        html::push_html(&mut raw, highlight_mentions(parser, mentioned).into_iter());
    }
    ammonia::Builder::default()
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .add_allowed_classes("span", ["mention"])
        .clean(&raw)
        .to_string()
}

/// Splits text events around mentions. Text inside code blocks is left alone (code spans are
/// their own events); inside a link the mention stays plain (a span in a link is still fine, but
/// the link's text is the author's).
fn highlight_mentions<'a>(parser: Parser<'a>, mentioned: &[Mentionable]) -> Vec<Event<'a>> {
    let mut events = Vec::new();
    let (mut in_code, mut in_link) = (false, false);
    for event in TextMergeStream::new(parser) {
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Start(Tag::Link { .. }) => in_link = true,
            Event::End(TagEnd::Link) => in_link = false,
            _ => {}
        }
        match event {
            Event::Text(text) if !in_code && !in_link && text.contains('@') => {
                let spans = mention_spans(&text, mentioned);
                if spans.is_empty() {
                    events.push(Event::Text(text));
                    continue;
                }
                let mut from = 0;
                for (start, end, _) in spans {
                    if start > from {
                        events.push(Event::Text(CowStr::from(text[from..start].to_owned())));
                    }
                    events.push(Event::InlineHtml(CowStr::from(format!(
                        "<span class=\"mention\">{}</span>",
                        crate::charts::escape_xml(&text[start..end])
                    ))));
                    from = end;
                }
                if from < text.len() {
                    events.push(Event::Text(CowStr::from(text[from..].to_owned())));
                }
            }
            other => events.push(other),
        }
    }
    events
}

/// What happened to a line between two versions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineChange {
    Added,
    Removed,
    Unchanged,
}

/// One line of a diff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiffLine {
    pub change: LineChange,
    pub text: String,
}

impl DiffLine {
    pub fn added(&self) -> bool {
        self.change == LineChange::Added
    }

    pub fn removed(&self) -> bool {
        self.change == LineChange::Removed
    }
}

/// The line-based diff from `old` to `new`.
pub fn diff_lines(old: &str, new: &str) -> Vec<DiffLine> {
    TextDiff::from_lines(old, new)
        .iter_all_changes()
        .map(|change| DiffLine {
            change: match change.tag() {
                ChangeTag::Insert => LineChange::Added,
                ChangeTag::Delete => LineChange::Removed,
                ChangeTag::Equal => LineChange::Unchanged,
            },
            text: change.value().trim_end_matches(['\n', '\r']).to_owned(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_markdown() {
        let html = render("# Purpose\n\nWe **share** data.\n\n- a\n- b\n");
        assert!(html.contains("<h1>Purpose</h1>"), "{html}");
        assert!(html.contains("<strong>share</strong>"), "{html}");
        assert!(html.contains("<li>a</li>"), "{html}");
    }

    #[test]
    fn highlights_mentions_outside_code_only() {
        let ann = Mentionable {
            user_id: concord_domain::UserId::new(),
            display_name: "Ann O'Neil & Co".into(),
        };
        let html = render_with_mentions(
            "Thanks @ann o'neil & co!\n\n`@Ann O'Neil & Co` and\n\n    @Ann O'Neil & Co\n",
            &[ann],
        );
        assert!(
            html.contains(r#"Thanks <span class="mention">@ann o’neil &amp; co</span>!"#)
                || html.contains(r#"Thanks <span class="mention">@ann o'neil &amp; co</span>!"#),
            "{html}"
        );
        assert_eq!(html.matches("class=\"mention\"").count(), 1, "{html}");
        let plain = render("Thanks @ann");
        assert!(!plain.contains("mention"), "{plain}");
    }

    #[test]
    fn strips_script_tags() {
        let html = render("Hello <script>alert(1)</script>\n\n<script>\nalert(2)\n</script>\n");
        assert!(!html.to_lowercase().contains("<script"), "{html}");
        assert!(!html.contains("alert(2)"), "{html}");
    }

    #[test]
    fn strips_event_handlers() {
        let html = render(
            "<img src=\"x.png\" onerror=\"alert(1)\"> <a href=\"https://a.example\" onclick=\"x()\">a</a>",
        );
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("onclick"), "{html}");
    }

    #[test]
    fn strips_javascript_links() {
        for source in [
            "[click](javascript:alert(1))",
            "<a href=\"javascript:alert(1)\">click</a>",
            "<a href=\"JaVaScRiPt:alert(1)\">click</a>",
        ] {
            let html = render(source);
            assert!(!html.to_lowercase().contains("javascript:"), "{html}");
            assert!(html.contains("click"), "{html}");
        }
        let html = render("[ok](https://example.org)");
        assert!(html.contains("href=\"https://example.org\""), "{html}");
    }

    #[test]
    fn diff_marks_added_and_removed_lines() {
        let lines = diff_lines("a\nb\nc\n", "a\nB\nc\nd\n");
        let changes: Vec<_> = lines.iter().map(|l| (l.change, l.text.as_str())).collect();
        assert_eq!(
            changes,
            vec![
                (LineChange::Unchanged, "a"),
                (LineChange::Removed, "b"),
                (LineChange::Added, "B"),
                (LineChange::Unchanged, "c"),
                (LineChange::Added, "d"),
            ]
        );
    }

    /// What must never survive in a rendered message body.
    const FORBIDDEN: &[&str] = &[
        "<script",
        "onerror",
        "javascript:",
        "style=",
        "<svg",
        "<iframe",
        "data:",
    ];

    fn assert_safe(source: &str) -> String {
        let html = render(source);
        let lower = html.to_lowercase();
        for forbidden in FORBIDDEN {
            assert!(
                !lower.contains(forbidden),
                "{forbidden} survived in {html:?} (from {source:?})"
            );
        }
        html
    }

    #[test]
    fn message_payloads_are_neutralised() {
        for source in [
            "<script>alert(1)</script>",
            "Hi <script>alert(document.cookie)</script> there",
            "<img src=x onerror=alert(1)>",
            "<IMG SRC=x OnError=alert(1)>",
            "[x](javascript:alert(1))",
            "[x](JAVASCRIPT:alert(1))",
            "<svg><script>alert(1)</script></svg>",
            "<svg onload=alert(1)><circle r=\"5\"/></svg>",
            "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
            "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
            "[x](data:text/html,alert)",
            "<div style=\"position:fixed;top:0;left:0\">covering the page</div>",
            "<p style=\"color:red\">red</p>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
        ] {
            assert_safe(source);
        }
    }

    #[test]
    fn messages_keep_their_formatting() {
        let html = assert_safe(
            "We need **two** crews.\n\n- first\n- second\n\n1. one\n2. two\n\n\
             Run `make plan` or:\n\n```\nlet crews = 2;\n```\n\n\
             See [the plan](https://example.org/plan) and <https://example.org/auto>.\n\n\
             Then [bad](javascript:alert(1)) <script>alert(1)</script> <img src=x onerror=alert(1)>\n",
        );
        assert!(html.contains("<strong>two</strong>"), "{html}");
        assert!(
            html.contains("<ul>") && html.contains("<li>first</li>"),
            "{html}"
        );
        assert!(
            html.contains("<ol>") && html.contains("<li>one</li>"),
            "{html}"
        );
        assert!(html.contains("<code>make plan</code>"), "{html}");
        assert!(html.contains("<pre><code>let crews = 2;"), "{html}");
        assert!(html.contains("href=\"https://example.org/plan\""), "{html}");
        assert!(html.contains(">the plan</a>"), "{html}");
        assert!(html.contains("href=\"https://example.org/auto\""), "{html}");
        assert!(html.contains("rel=\"noopener noreferrer\""), "{html}");
        assert!(html.contains("bad"), "the link text stays: {html}");
    }
}
