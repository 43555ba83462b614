/// Versioned migrations; `PRAGMA user_version` records how many have run.
enum Schema {
    /// `PRAGMA application_id` of a Tributary database ("TRIB"), so that another program's file is refused.
    static let applicationID = 0x5452_4942

    static let migrations: [String] = [
        // 1: feeds, items, the outlets that carried each item. (Before schema 9, entry_id was declared
        //    UNIQUE; databases made then keep that index. story_keys now finds an item by its entry id.)
        """
        CREATE TABLE feeds(
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            title TEXT,
            site_link TEXT,
            etag TEXT,
            last_modified TEXT,
            last_poll_at REAL,
            last_status INTEGER,
            last_error TEXT,
            failures INTEGER NOT NULL DEFAULT 0,
            next_poll_at REAL,
            gone INTEGER NOT NULL DEFAULT 0,
            redirect_url TEXT,
            redirect_seen INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE items(
            id INTEGER PRIMARY KEY,
            entry_id TEXT NOT NULL,
            feed_id INTEGER NOT NULL REFERENCES feeds(id),
            canonical_url TEXT,
            fingerprint TEXT,
            link TEXT,
            title TEXT,
            author TEXT,
            summary TEXT,
            content TEXT,
            categories TEXT NOT NULL DEFAULT '',
            enclosures TEXT NOT NULL DEFAULT '',
            published REAL,
            updated REAL,
            first_seen REAL NOT NULL,
            effective_at REAL NOT NULL,
            revision TEXT NOT NULL,
            revisions INTEGER NOT NULL DEFAULT 0,
            changed_at REAL NOT NULL
        );
        CREATE INDEX items_canonical_url ON items(canonical_url) WHERE canonical_url IS NOT NULL;
        CREATE INDEX items_fingerprint ON items(fingerprint) WHERE fingerprint IS NOT NULL;
        CREATE INDEX items_effective ON items(effective_at DESC, id DESC);
        CREATE TABLE item_sources(
            feed_id INTEGER NOT NULL REFERENCES feeds(id),
            guid TEXT NOT NULL,
            item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
            link TEXT,
            first_seen REAL NOT NULL,
            PRIMARY KEY(feed_id, guid)
        ) WITHOUT ROWID;
        CREATE INDEX item_sources_item ON item_sources(item_id, feed_id);
        """,
        // 2: tombstones keep pruned stories from coming back while outlets still list them
        """
        CREATE TABLE tombstones(
            kind TEXT NOT NULL,
            key TEXT NOT NULL,
            pruned_at REAL NOT NULL,
            PRIMARY KEY(kind, key)
        ) WITHOUT ROWID;
        """,
        // 3: hosts that asked (Retry-After) not to be contacted before a time; survives restarts
        """
        CREATE TABLE host_holds(
            host TEXT PRIMARY KEY,
            until REAL NOT NULL
        ) WITHOUT ROWID;
        """,
        // 4: the interval a feed's next poll was planned with, so a shorter configured one applies on start
        """
        ALTER TABLE feeds ADD COLUMN planned_interval REAL;
        """,
        // 5: SHA-256 of the last body parsed, so servers without ETag/Last-Modified cost no parse either
        """
        ALTER TABLE feeds ADD COLUMN body_hash TEXT;
        """,
        // 6: where to send a reader when an item has no link (a permalink guid, an http(s) Atom id)
        """
        ALTER TABLE items ADD COLUMN permalink TEXT;
        """,
        // 7: full text of items whose feed asks for it: the article fetched from the item's page, and the
        //    retry state of pages not fetched yet; the item's own summary and content stay as the feed said
        """
        CREATE TABLE full_texts(
            item_id INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
            url TEXT NOT NULL,
            content TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at REAL,
            last_error TEXT,
            fetched_at REAL
        );
        CREATE INDEX full_texts_due ON full_texts(next_attempt_at) WHERE next_attempt_at IS NOT NULL;
        """,
        // 8: near-duplicates. Each source records how it was attached to its item (NULL: the first publisher;
        //    'url', 'text': the exact layers; 'near': another outlet's rewrite, with the figures), so that
        //    `tributary explain` can show it and a stricter configuration can undo it. story_sketches holds the
        //    MinHash sketch of each item published within the window, from which the in-memory index is built
        //    (a small table, trimmed to the window as it moves: no index on `at`).
        """
        ALTER TABLE item_sources ADD COLUMN layer TEXT;
        ALTER TABLE item_sources ADD COLUMN similarity REAL;
        ALTER TABLE item_sources ADD COLUMN compared_words INTEGER;
        ALTER TABLE item_sources ADD COLUMN evidence TEXT;
        CREATE INDEX item_sources_near ON item_sources(feed_id) WHERE layer = 'near';
        CREATE TABLE story_sketches(
            item_id INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
            feed_id INTEGER NOT NULL,
            at REAL NOT NULL,
            sketch TEXT NOT NULL
        );
        """,
        // 9: items are found by canonical URL, fingerprint and entry id through 8-byte keys (StoryKey), no
        //    longer through indexes over the texts. Existing items are filed under their keys as it runs
        //    (`fileExistingItemsUnderKeys`).
        """
        CREATE TABLE story_keys(
            key INTEGER NOT NULL,
            item_id INTEGER NOT NULL,
            PRIMARY KEY(key, item_id)
        ) WITHOUT ROWID;
        DROP INDEX items_canonical_url;
        DROP INDEX items_fingerprint;
        """,
        // 10: a near-duplicate merge of a text cut from an earlier article records the share of its wording
        //     found in the earlier (`SameStory` rule 5), so that the merge is kept or undone by that figure.
        """
        ALTER TABLE item_sources ADD COLUMN containment REAL;
        """,
    ]

    /// The migration after which existing items need filing under their keys.
    static let storyKeys = 9
}
