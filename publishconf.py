"""Production overrides: absolute SITEURL, feeds, ratings endpoint."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pelicanconf import *  # noqa: E402,F403

SITEURL = os.environ.get("PORTAL_SITEURL", "https://antoanthongtin.laocai.gov.vn")
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
