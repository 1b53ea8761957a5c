"""Deployment: what the operator installs on the server, written from the settings.

- ``command.py``: ``portal deploy-config --out DIR`` (and ``invoke deploy-config``);
- ``options.py``: the operator's options and the settings, checked once (``Plan``);
- ``policy.py``: the headers, caching and media types of every response;
- ``nginx.py``, ``systemd.py``: portal.conf and the units;
- ``compress.py``: the .gz copies ``portal build`` writes beside the files software fetches (feeds, CAP,
  CSAF, calendars, styles, scripts), for ``gzip_static``; nginx compresses pages as it sends them.

docs/operating.md is the operator's page; tests/e2e/test_deploy_nginx.py runs the files with nginx.
"""
