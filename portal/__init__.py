"""The Lào Cai security portal: a static security-bulletin and news portal built on Pelican.

    model/    the content model: kinds, fields, one parser per type, entries, problems
    view      the typed view of a built article, which every output reads
    facts     an article's facts as labelled rows, written as HTML or text
    paths     where every output lives, derived from the settings
    feeds/    RSS, Atom, JSON Feed and OPML          cap/   CAP 1.2 messages and index
    search    search records and the Pagefind index   checks  checks of all content
    tools/    the staff and operator tools (the `portal` command, portal.cli)
    bench/    benchmarks

The Pelican plugins (plugins/ at the top of the repository) wire these into a build.
"""
