"""Production overrides: absolute SITEURL, feeds, ratings endpoint.

The development settings (pelicanconf.py, beside this file) are read first;
everything here replaces what it sets.
"""

import os
import runpy
from pathlib import Path

globals().update({k: v for k, v in runpy.run_path(str(Path(__file__).with_name("pelicanconf.py"))).items()
                  if k.isupper()})

SITEURL = os.environ.get("PORTAL_SITEURL", PORTAL_PRODUCTION_URL)  # noqa: F821 (from pelicanconf.py)
RELATIVE_URLS = False

# ---- ratings widget (docs/ratings.md) -------------------------------------------------
# nginx proxies /api/ratings to the service on the same origin; the build reads its export.
RATINGS_URL = os.environ.get("RATINGS_URL", "")
RATINGS_API_URL = os.environ.get("RATINGS_API_URL", "http://127.0.0.1:8081")

# ---- feeds and CAP alerts (docs/subscribing.md) -----------------------------------------
# Feeds and CAP files take their absolute URLs from SITEURL above. To sign every CAP
# file, point these at PEM files (an RSA key keeps rebuilds byte-identical).
CAP_SIGNING_KEY = os.environ.get("CAP_SIGNING_KEY") or None
CAP_SIGNING_CERT = os.environ.get("CAP_SIGNING_CERT") or None

# ---- WebSub (docs/subscribing.md) ------------------------------------------------------
# A hub to tell of changed feeds at each publish, e.g. PORTAL_WEBSUB_HUB=https://hub.example/
WEBSUB_HUB = os.environ.get("PORTAL_WEBSUB_HUB") or WEBSUB_HUB  # noqa: F821 (from pelicanconf.py)
