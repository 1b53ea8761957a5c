"""Production overrides: absolute SITEURL, feeds, ratings endpoint."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pelicanconf import *  # noqa: E402,F403

SITEURL = os.environ.get("PORTAL_SITEURL", "https://antoanthongtin.laocai.gov.vn")
RELATIVE_URLS = False
