"""Development settings: the single place the site's identity is configured.

No lambdas or functions here: Pelican pickles settings into its cache.
"""

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent

# ---- identity -----------------------------------------------------------------
# The one place the portal says who runs it: the header and footer of every page, the contact
# and about pages (theme/templates/partials/page-lien-he.html, page-gioi-thieu.html), the feeds'
# author, the OPML owner, CAP senderName and contact, the CSAF publisher, security.txt and the
# calendars' organiser all read these. Articles keep the names of their own time in their bylines.
# The present arrangement: since 2025 network security in the province is the provincial police's
# (its cyber unit PA05); the Department of Information and Communications merged into the
# Department of Science and Technology; Lào Cai and Yên Bái merged on 1 July 2025 as Lào Cai,
# with the administrative centre in the former Yên Bái city.
SITENAME = "Cổng thông tin An ninh mạng tỉnh Lào Cai"
SITE_SHORTNAME = "An ninh mạng Lào Cai"
SITE_OWNER = "Công an tỉnh Lào Cai"
SITE_UNIT = "Phòng An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao (PA05)"  # runs the portal
SITE_PARTNERS = ["Sở Khoa học và Công nghệ tỉnh Lào Cai"]  # named on the about page
SITE_DESCRIPTION = (
    "Tin tức, cảnh báo an toàn thông tin, diễn tập và hội nghị phối hợp bảo đảm "
    "an ninh mạng trên địa bàn tỉnh Lào Cai."
)
SITE_CONTACT = {
    # The sample stops at the province and its administrative centre: the operator writes the
    # street and ward of the office that receives visitors, and checks the numbers, before going live.
    "address": "Tỉnh Lào Cai (trung tâm hành chính tại khu vực thành phố Yên Bái cũ)",
    "email": "antoanthongtin@laocai.gov.vn",
    "phone": "0214 3840 888",
    "hotline": "0214 3822 114",
    "hotline_label": "Đường dây nóng tiếp nhận sự cố an toàn thông tin (24/7)",
}
SITEURL = ""
PORTAL_PRODUCTION_URL = "https://antoanthongtin.laocai.gov.vn"  # SITEURL in publishconf.py
PORTAL_LANG = "vi"  # the site's language and the build's messages: "vi" or "en"
# PORTAL_MESSAGES_LANG = "en"  # the build's messages (content errors) in another language than the site's;
# `portal build --lang en` sets it for one build

# ---- time and language ------------------------------------------------------
TIMEZONE = "Asia/Ho_Chi_Minh"
DEFAULT_LANG = "vi"
DEFAULT_DATE_FORMAT = "%d/%m/%Y %H:%M"  # templates use the locale-free date_vi filters
WITH_FUTURE_DATES = True  # the portal plugin embargoes future-dated articles itself

# ---- content ------------------------------------------------------------------
PATH = "content"
ARTICLE_PATHS = ["canh-bao", "tin-tuc", "dien-tap", "hoi-nghi"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images"]
USE_FOLDER_AS_CATEGORY = True
SLUGIFY_SOURCE = "basename"  # every file has an explicit Slug; this is never used
DEFAULT_PAGINATION = 10
PAGINATED_TEMPLATES = {"category": None, "tag": None, "period_archives": None}
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/trang-{number}/", "{base_name}/trang-{number}/index.html"),
)
MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        "markdown.extensions.sane_lists": {},
    },
    "output_format": "html5",
}

# ---- URLs ---------------------------------------------------------------------
ARTICLE_URL = "{category}/{slug}.html"
ARTICLE_SAVE_AS = "{category}/{slug}.html"
PAGE_URL = "{slug}.html"
PAGE_SAVE_AS = "{slug}.html"
CATEGORY_URL = "{slug}/"
CATEGORY_SAVE_AS = "{slug}/index.html"
TAG_URL = "the/{slug}/"
TAG_SAVE_AS = "the/{slug}/index.html"
TAGS_URL = "the/"
TAGS_SAVE_AS = "the/index.html"
YEAR_ARCHIVE_SAVE_AS = ""
MONTH_ARCHIVE_URL = "luu-tru/{date:%Y}/{date:%m}/"
MONTH_ARCHIVE_SAVE_AS = "luu-tru/{date:%Y}/{date:%m}/index.html"
DAY_ARCHIVE_SAVE_AS = ""
ARCHIVES_URL = "luu-tru/"
ARCHIVES_SAVE_AS = "luu-tru/index.html"
DIRECT_TEMPLATES = ["index", "tags", "archives", "404", "search", "feeds"]
SEARCH_SAVE_AS = "tim-kiem.html"
# Not published at all: author pages, category index, drafts (an embargoed
# warning must not leak into drafts/), translations.
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
DRAFT_SAVE_AS = ""
DRAFT_LANG_SAVE_AS = ""
DRAFT_PAGE_SAVE_AS = ""
DRAFT_PAGE_LANG_SAVE_AS = ""
ARTICLE_LANG_SAVE_AS = ""
PAGE_LANG_SAVE_AS = ""

# ---- feeds: Pelican's own are off (the feeds plugin is the one feed stack) -----
FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
CATEGORY_FEED_RSS = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TAG_FEED_ATOM = None
TAG_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
TRANSLATION_FEED_RSS = None
FEED_ATOM = None
FEED_RSS = None

# ---- theme and plugins ----------------------------------------------------------
THEME = str(HERE / "theme")
THEME_STATIC_DIR = "theme"
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True}
PLUGIN_PATHS = [str(HERE / "plugins")]
# always listed (never None); "articles" first: it builds the typed view the others read
PLUGINS = ["articles", "search", "feeds", "calendars", "cap_alerts", "csaf", "ratings_widget", "assets",
           "social", "sitemap_xml", "responsive_images"]
# plugins/assets: every theme file is also written as <name>.<hash>.<ext>; templates link it with
# {{ SITEURL }}/{{ theme_asset('css/site.css') }}, and nginx lets browsers keep it a year (portal deploy-config)
ASSET_FINGERPRINT = True

# plugins/social: Open Graph and Twitter card tags on every page (absolute URLs; an article's lead image)
# plugins/sitemap_xml: sitemap.xml of every published page, and robots.txt naming it
SITEMAP_SAVE_AS = "sitemap.xml"  # "" for none
SITEMAP_EXCLUDE = []  # output paths left out besides 404.html and the search page
ROBOTS_SAVE_AS = "robots.txt"  # "" when the web server serves its own
# plugins/responsive_images: WebP copies of each lead image (images/x.png.360w.webp…) for srcset, so a phone
# downloads the size it shows; encoded once, kept by content hash in the cache (relative to the project)
RESPONSIVE_IMAGE_WIDTHS = [360, 720, 1280]
RESPONSIVE_IMAGE_QUALITY = 80
RESPONSIVE_IMAGE_CACHE = "var/image-cache"

# ---- build --------------------------------------------------------------------
SEARCH_INDEX = True  # the Pagefind index (plugins/search); off in the live preview
# the memory (MiB) one Pagefind run may take, estimated from the words it is given; a larger index is made
# in parts, one run each, merged by the search page (portal/search.py, index_records); None: one index
SEARCH_PART_MIB = 600
# what the runs of the parts indexed at once may take together (as many at once as PORTAL_WORKERS and this
# allow: parts of up to 450 MiB go two at once); None: no bound but the workers
SEARCH_MEMORY_MIB = 900
# Pelican's content cache skips the reader, and with it what the checks across files need: the
# portal keeps its own (plugins/articles/reader.py ParseCache): each file's parsed entry and body by
# the SHA-256 of its bytes, under a fingerprint of the content folder, MARKDOWN and the code
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
PORTAL_PARSE_CACHE = "var/cache/parsed"  # "" for none; relative to where the build runs
PORTAL_WORKERS = 0  # processes that read and write the site: 0 = one per CPU, 1 = this one only
DELETE_OUTPUT_DIRECTORY = False  # the build task writes a fresh folder and swaps it in
RELATIVE_URLS = False
OUTPUT_SOURCES = False
# a .gz beside every text file of the output (same bytes on every build), for nginx's gzip_static
PRECOMPRESS = True

# ---- feeds and CAP alerts (plugins/feeds, plugins/cap_alerts; docs/subscribing.md) ----
FEEDS_URL = "nguon-tin.html"  # the feeds page for subscribers (theme/templates/feeds.html)
FEEDS_SAVE_AS = "nguon-tin.html"
# Feeds and alerts need absolute URLs: FEED_DOMAIN, else SITEURL when absolute
# (publishconf), else this one (development server).
PORTAL_SITEURL_ABSOLUTE = "http://127.0.0.1:8000"
FEEDS_PATH = "nguon-tin"  # nguon-tin/tat-ca.atom.xml, nguon-tin/canh-bao.rss.xml, …
FEEDS_MAX_ITEMS = 100  # newest items per feed; None for all
FEEDS_TAG_MAX_ITEMS = 20  # newest items in a tag's feed (for people following a topic); None for all
FEEDS_TAG_AUTHORITY = "antoanthongtin.laocai.gov.vn,2026"  # tag: URI ids; never change it
FEEDS_NAMESPACE = "https://antoanthongtin.laocai.gov.vn/ns/canh-bao/1.0"  # warning data in feeds
# WebSub hub, e.g. "https://hub.example/": every feed and the CAP index then name it
# (rel="hub"), and a publish tells it which feeds changed. None: no hub, nothing sent.
WEBSUB_HUB = None
CAP_PATH = "cap"  # cap/canh-bao/CB-2026-014.xml, cap/index.atom.xml
CAP_SENDER = "antoanthongtin@laocai.gov.vn"  # CAP <sender>: no spaces, commas, < or &
CAP_SENDER_NAME = None  # None: SITE_OWNER (read at build time, so an override of SITE_OWNER reaches it)
CAP_CONTACT = None  # None: SITE_CONTACT's hotline label, hotline and e-mail (portal.cap.messages)
CAP_AREA_DESC = "Tỉnh Lào Cai, Việt Nam"
CAP_GEOCODES = [("ISO 3166-2", "VN-02")]  # Lào Cai
CAP_SIGNING_KEY = None  # path to a PEM private key: every CAP file then carries an XML signature
CAP_SIGNING_CERT = None  # path to its PEM X.509 certificate (both or neither)
# iCalendar (plugins/calendars): lich/<kind>/<slug>.ics per drill and meeting, lich/su-kien.ics to
# subscribe to; ORGANIZER is SITE_OWNER at SITE_CONTACT["email"], UIDs <slug>@<FEEDS_TAG_AUTHORITY host>
CALENDAR_PATH = "lich"
CALENDAR_RECENT_DAYS = 90  # ended events stay this many days in lich/su-kien.ics

# ---- CSAF 2.0 advisories (plugins/csaf; docs/subscribing.md) ----------------------------------
# One advisory per warning at /.well-known/csaf/white/<year>/<identifier>.json, published as a
# CSAF provider: provider-metadata.json, ROLIE feed, index.txt, changes.csv, .sha256/.sha512
# beside each advisory, and /.well-known/security.txt pointing at it all.
CSAF_PUBLISHER_CATEGORY = "coordinator"  # CSAF 2.0 3.2.1.8.1: a CERT-like authority coordinating responses
CSAF_PUBLISHER_NAME = None  # None: SITE_OWNER
CSAF_PUBLISHER_NAMESPACE = PORTAL_PRODUCTION_URL  # the issuer's id in every advisory: never change it
CSAF_ISSUING_AUTHORITY = None  # optional text: the authority's constituency and responsibilities
CSAF_LIST_ON_AGGREGATORS = True  # may CSAF aggregators list us / mirror our advisories
CSAF_MIRROR_ON_AGGREGATORS = True
SECURITY_TXT_CONTACTS = None  # None: mailto: SITE_CONTACT["email"]; else a list of mailto:, https: or tel: URIs
# OpenPGP signing: an ASCII-armoured secret key file (gpg --export-secret-keys --armor). Every
# advisory then gets a detached .asc signature, security.txt is clear-signed, the public key is
# published under /.well-known/csaf/openpgp/ and the role becomes csaf_trusted_provider. A
# passphrase comes from the environment variable CSAF_OPENPGP_KEY_PASSWORD. Needs gpg (gnupg).
CSAF_OPENPGP_KEY = os.environ.get("CSAF_OPENPGP_KEY") or None

# ---- ratings widget (plugins/ratings_widget, ratings/; docs/ratings.md) --------------
RATINGS_URL = ""  # the form posts to {RATINGS_URL}/api/ratings/<slug>: "" = this site's own origin
RATINGS_API_URL = os.environ.get("RATINGS_API_URL", "")  # export read at build time ("" = none)
RATINGS_API_TIMEOUT = 2.0  # seconds; the build goes on with the snapshot if the service is slow or down
RATINGS_SNAPSHOT = "var/ratings-snapshot.json"  # relative to the folder holding the content folder
