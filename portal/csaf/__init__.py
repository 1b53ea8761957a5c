"""CSAF 2.0: one advisory per warning, published the way CSAF 2.0 section 7 asks of a provider.

- ``settings``: the CSAF settings read once and checked, with a message that names the fix;
- ``advisory``: a warning's typed view as a CSAF document (security or informational advisory);
- ``provider``: what makes the advisories findable: provider-metadata.json, the ROLIE feed and
  service document, index.txt, changes.csv and the hash files;
- ``security_txt``: /.well-known/security.txt (RFC 9116) with its CSAF field;
- ``signing``: optional OpenPGP signatures (gpg through python-gnupg).

Every date comes from the content (the warning's Date, revisions, withdrawal), never from the
build, except security.txt's Expires (from the build clock, to the month), so an unchanged
site gives byte-identical files.
"""
