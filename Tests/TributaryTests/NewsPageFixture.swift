import Foundation

/// A news site's article page as outlets build them: the article inside a page of chrome. Used by the
/// extractor's unit tests and served by the loopback outlet of the full-text tests.
enum NewsPageFixture {
    static let chrome = [
        "Loading weather", "3 minute read", "Scroll to Top", "Posts List", "Share on Facebook", "Share on X",
        "We use cookies to improve your experience", "Subscribe to our newsletter", "Most Read",
        "Leave a comment", "Copyright 2026 Daily Example", "Advertisement",
    ]
    static let relatedTitles = [
        "Karachi traffic plan announced for the holidays",
        "Cricket board names new selection committee",
        "Gold prices climb for a third straight day",
    ]

    static func paragraphs(_ seed: String) -> [String] {
        [
            "ISLAMABAD: The federal cabinet on Tuesday approved a plan to expand solar power in \(seed), officials said, after months of talks with provincial governments and donors.",
            "Under the plan, the first 600 megawatts will be installed on public buildings, schools and hospitals, while private investors will be offered long-term contracts for the rest of the capacity.",
            "“This is the cheapest electricity we can add in the next three years,” the energy minister told reporters, adding that the grid would be upgraded in parallel so that the new plants could feed it.",
            "Critics, however, said the scheme leaned too heavily on imported panels, and that the finance for the transmission lines, some 1,200 kilometres of them, was not yet in place.",
            "The plan will now go to parliament, where the opposition has promised a detailed debate on its costs, its timetable and the tariffs consumers will pay.",
            "Officials said the first tenders would be issued within sixty days, and that local manufacturers would be given preference for mounting structures, cables and inverters where their prices were competitive.",
            "Industry groups welcomed the decision but warned that net-metering rules, changed twice in two years, had made households wary of investing, and asked for a guarantee that the rules would not change again before 2030.",
            "The ministry estimates that the first phase alone will save about 400 million dollars a year in imported fuel, money it says will go towards the circular debt that has weighed on the power sector for a decade.",
        ]
    }

    static func headline(_ seed: String) -> String { "Cabinet approves solar expansion for \(seed)" }

    static func page(_ seed: String, charsetMeta: String = "utf-8", base: String = "https://news.example/") -> String {
        let body = paragraphs(seed).map { "<p>\($0)</p>" }.joined(separator: "\n")
        let related = relatedTitles.enumerated().map { i, title in
            "<li><a href=\"/story/\(i)\">\(title)</a><span class=\"date\">2 hours ago</span><p class=\"teaser\">\(title), and what it means for readers across the country.</p></li>"
        }.joined(separator: "\n")
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="\(charsetMeta)"><title>\(headline(seed)) - Daily Example</title>
        <meta property="og:title" content="\(headline(seed))">
        <script>window.dataLayer = [{"page": "article"}];</script><style>.x{color:red}</style></head>
        <body>
        <div class="cookie-banner">We use cookies to improve your experience. <button>Accept</button></div>
        <header class="site-header"><a href="/">Daily Example</a>
          <nav class="main-nav"><ul><li><a href="/pakistan">Pakistan</a></li><li><a href="/world">World</a></li><li><a href="/business">Business</a></li></ul></nav>
          <div class="weather-widget">Loading weather…</div>
        </header>
        <main>
        <article class="post">
          <h1 class="entry-title">\(headline(seed))</h1>
          <div class="post-meta"><span class="byline">Web Desk</span> <time datetime="2026-11-30T10:00:00Z">November 30, 2026</time> <span class="reading-time">⏱ 3 minute read</span></div>
          <div class="share-bar"><a href="https://facebook.com/share">Share on Facebook</a> <a href="https://x.com/share">Share on X</a></div>
          <figure><img src="/images/solar.jpg" alt="Solar panels"><figcaption>Solar panels on a school roof in Multan.</figcaption></figure>
          <div class="entry-content">
        \(body)
          </div>
          <div class="ad-slot">Advertisement</div>
          <div class="newsletter-box"><h3>Subscribe to our newsletter</h3><form><input type="email"></form></div>
        </article>
        <section class="related-posts"><h2>Posts List</h2><ul>
        \(related)
        </ul></section>
        <section class="comments"><h3>Leave a comment</h3><p>Comments are moderated.</p></section>
        </main>
        <aside class="sidebar"><h3>Most Read</h3><ol><li><a href="/a">Budget vote delayed</a></li><li><a href="/b">Rain expected in Lahore</a></li></ol></aside>
        <footer class="site-footer"><p>Copyright 2026 Daily Example</p><a href="#top" class="scroll-top">Scroll to Top</a></footer>
        </body></html>
        """
    }

    /// The same article in Urdu, right to left, for the charset tests.
    static let urduParagraphs = [
        "اسلام آباد: وفاقی کابینہ نے منگل کو شمسی توانائی کے منصوبے کی منظوری دے دی، حکام نے بتایا کہ صوبائی حکومتوں سے کئی ماہ بات چیت ہوئی۔",
        "منصوبے کے تحت پہلے چھ سو میگاواٹ سرکاری عمارتوں، سکولوں اور ہسپتالوں پر لگائے جائیں گے، جبکہ باقی کے لیے نجی سرمایہ کاروں کو طویل معاہدے دیے جائیں گے۔",
        "وزیر توانائی نے صحافیوں کو بتایا کہ اگلے تین برسوں میں یہ سب سے سستی بجلی ہوگی اور ساتھ ساتھ گرڈ کو بھی بہتر بنایا جائے گا۔",
    ]

    /// Urdu as windows-1256 can hold it: Arabic yeh for Farsi yeh, a full stop for the Urdu one (what
    /// Urdu sites on that charset print).
    static func legacy(_ text: String) -> String {
        text.replacingOccurrences(of: "ی", with: "ي").replacingOccurrences(of: "۔", with: ".")
    }

    static func urduPage(charsetMeta: String, legacyLetters: Bool = false) -> String {
        let page = """
        <html dir="rtl" lang="ur"><head><meta http-equiv="Content-Type" content="text/html; charset=\(charsetMeta)"><title>کابینہ</title></head>
        <body><div class="menu"><a href="/">صفحہ اول</a> <a href="/pk">پاکستان</a></div>
        <div class="story"><h1>کابینہ نے شمسی منصوبہ منظور کر لیا</h1>
        \(urduParagraphs.map { "<p>\($0)</p>" }.joined(separator: "\n"))
        </div><div class="footer">جملہ حقوق محفوظ ہیں</div></body></html>
        """
        return legacyLetters ? legacy(page) : page
    }
}
