"""Feeds: which feeds exist (catalogue), one item per article (items), and
RSS 2.0, Atom 1.0, JSON Feed 1.1 and OPML 2.0 serialisation (writer)."""
