"""
Settings for Liwan Projects.

Everything that differs between a laptop and a server comes from the environment:
DATABASE_URL, SECRET_KEY, DEBUG, ALLOWED_HOSTS and HTTPS. The defaults are safe for
development (a SQLite file in the project folder, DEBUG on, local hosts only); production
(bin/serve) sets DEBUG=false, a real SECRET_KEY, ALLOWED_HOSTS and HTTPS=true, and then
`manage.py check --deploy` reports nothing.
"""

import datetime
import json
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envlist(name, default):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = envbool("DEBUG", True)

# A development key is fine on a laptop; without DEBUG it must come from the environment.
_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY in the environment when DEBUG is false.")
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])

INSTALLED_APPS = [
    "liwan_projects.apps.LiwanAdminConfig",  # django.contrib.admin with our site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",  # its widget templates, for FORM_RENDERER
    "simple_history",
    "axes",
    "django_tables2",
    "django_filters",
    "import_export",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from static/ (no CDN)
    "projects",
    "indicators",
    "supervision",
    "public",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "projects.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "projects.middleware.SlidingSessionMiddleware",
    "projects.security.PrivatePagesMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "liwan_projects.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "projects.context_processors.sample_data",
                "supervision.context_processors.todo",
            ],
        },
    },
]

# Forms are rendered by the project's template engine, so that templates/django/forms/
# can override a widget's template, and a select is written in Python (projects/renderers.py).
FORM_RENDERER = "projects.renderers.FormRenderer"

WSGI_APPLICATION = "liwan_projects.wsgi.application"

# In production each server thread keeps its database connection for DB_CONN_MAX_AGE seconds
# instead of opening one per request, and checks it before a request reuses it: after the
# database restarts, the next request reconnects by itself. The development server starts a
# thread per request, so there a connection lasts one request (0).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DB_CONN_MAX_AGE", 0 if DEBUG else 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's, with a cursor that prepares no text search (liwan_projects/postgresql).
    DATABASES["default"]["ENGINE"] = "liwan_projects.postgresql"
    # No JIT compilation: the pages' queries are short, and PostgreSQL's cost estimate for a
    # subquery per project (10,000 projects) crosses jit_above_cost, so it compiled for about
    # 1.5 s to save a few ms (EXPLAIN ANALYZE of the chapters page's ledger query).
    # No parallel workers either: starting them cost the short queries more than they
    # saved (EXPLAIN ANALYZE: an editor's to-do count atop every page, 9.3 ms with two
    # workers, 3.0 without), none of the long ones got faster, and under load each worker
    # is one more process wanting the same processors.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    for _setting in ("jit=off", "max_parallel_workers_per_gather=0"):
        if _setting.split("=")[0] not in _options.get("options", ""):  # unless DATABASE_URL says
            _options["options"] = f"{_options.get('options', '')} -c {_setting}".strip()
    # Values sent apart from the SQL (server-side binding), so that a query of one shape is
    # one statement whatever its values, and each connection prepares a statement once it
    # has run it DB_PREPARE_THRESHOLD times (psycopg's default, 5): PostgreSQL then parses
    # it once, and plans it for each execution's values or, once that proves no worse, once
    # for all (a text search excepted, see liwan_projects/postgresql). Most of a short
    # query's time was parsing and planning it: the project page's 18 queries went from 6.1
    # to 3.6 ms a request. DB_PREPARE_THRESHOLD=off prepares nothing, for a connection
    # pooler in transaction mode that cannot keep prepared statements.
    _threshold = os.environ.get("DB_PREPARE_THRESHOLD", "").strip().lower()
    _threshold = None if _threshold == "off" else envint("DB_PREPARE_THRESHOLD", 5)
    if _threshold is not None and _threshold < 0:
        raise ImproperlyConfigured("DB_PREPARE_THRESHOLD must be 0 or more, or off")
    _options.setdefault("server_side_binding", True)
    _options.setdefault("prepare_threshold", _threshold)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "projects.User"

# Argon2id first (Django's recommended hasher, memory-hard: about 100 MB and 0.35 s of one
# core per sign-in); the others only read older hashes, which are rehashed at the next sign-in.
PASSWORD_HASHERS = [
    "projects.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    # Refuses sign-in while a user or address is locked out after repeated failures.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("SIGNIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=envint("SIGNIN_LOCKOUT_MINUTES", 15))
# Failures are counted per user name, and per user name from one address: failures for
# other names never lock a user out (behind a proxy every user shares its address), and a
# success resets only that user's failures.
AXES_LOCKOUT_PARAMETERS = ["username", ["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The client's address: the proxy's X-Forwarded-For only when this many proxies are trusted
# in front of the app (1 behind the README's nginx); 0 reads the connection's own address.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "projects.security.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# Internationalization: Chinese first, English on request.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", _("Simplified Chinese")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates read the same in both languages: ISO (liwan_projects/formats/).
FORMAT_MODULE_PATH = ["liwan_projects.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic puts the static files (bin/serve runs it at start).
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Attached files (photos, documents): in MEDIA_ROOT by default. FILE_STORAGE_BACKEND names
# another Django storage class, FILE_STORAGE_OPTIONS its options as JSON, for example an
# S3-compatible store with django-storages (README, Attached files). Files are never served
# from a public address: only through the app's views, which check who asks (MEDIA_URL is
# not routed).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "media")
MEDIA_URL = "/media-is-not-served/"
STORAGES = {
    "default": {
        "BACKEND": os.environ.get("FILE_STORAGE_BACKEND")
        or "django.core.files.storage.FileSystemStorage",
        "OPTIONS": json.loads(os.environ.get("FILE_STORAGE_OPTIONS") or "{}"),
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Security. HTTPS=true when the app sits behind TLS.
HTTPS = envbool("HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts, styles, fonts and images from this site
# only, no inline script, no plugins, no framing. Inline style attributes stay allowed: the
# admin uses a few.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SESSION_COOKIE_HTTPONLY = True
# Signed out after this many seconds without a request (SlidingSessionMiddleware renews it).
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 60 * 60 * 2)
# Django's database sessions, every app server reading the same, each read by SQL compiled
# once (projects/sessions.py).
SESSION_ENGINE = "projects.sessions"
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

# Email: the console by default; SMTP when EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = envint("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "liwan-projects@localhost")

# Administrators' imports and exports: CSV and XLSX; an import with any bad row saves nothing.
IMPORT_EXPORT_USE_TRANSACTIONS = True
# Between an import's preview and its confirmation the file waits in the database (shared
# by every worker; `manage.py createcachetable` makes the table), never in a temporary
# folder; it is deleted when the import is confirmed, and lapses after an hour if not.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "projects.spreadsheets.PreviewStorage"
# Every cache is the database's, shared by every worker and every app server: nothing a
# request relies on (a throttle, a rate limit, a cached value) may live in one process only,
# or the next request, answered by another process or machine, would see something else
# (README, "Growing past one machine"). `manage.py createcachetable` makes the tables
# (bin/serve and bin/start run it; the test database gets them too).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "liwan_cache",
    },
    "import-previews": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "liwan_import_previews",
        "TIMEOUT": 60 * 60,
    },
}

# The list pages' filters (django-filter): a select with nothing chosen reads 全部 ("all"),
# not "---------".
FILTERS_EMPTY_CHOICE_LABEL = _("all")

# The public view for residents (/public/ and /api/v1/public/, no sign-in): requests one
# address may make a minute, pages and JSON counted apart; beyond it 429 with Retry-After.
# Behind a proxy the address is read as for sign-in throttling (TRUSTED_PROXY_COUNT).
PUBLIC_REQUESTS_PER_MINUTE = envint("PUBLIC_REQUESTS_PER_MINUTE", 120)
# How long a browser or a shared cache may keep a public page or JSON response, in seconds.
PUBLIC_MAX_AGE = envint("PUBLIC_MAX_AGE", 300)
# Django REST framework: see REST_FRAMEWORK below, with the API's settings. The public JSON
# sets its own authentication, permission, throttle, pagination and renderer on its views.

# Domain settings.
# Computed schedule health: a milestone this many days overdue makes a project red.
SCHEDULE_RED_AFTER_DAYS = envint("SCHEDULE_RED_AFTER_DAYS", 30)
# Monthly progress reports are due by this day of the following month.
REPORT_DUE_DAY = envint("REPORT_DUE_DAY", 10)
# A supervision order's reply is due this many days after it is issued (the form's default).
SUPERVISION_REPLY_DAYS = envint("SUPERVISION_REPLY_DAYS", 7)
# Uploaded spreadsheets (the department workbook, the admin's imports, the import commands)
# are refused beyond these limits before or while they are read (README, Security).
# Largest file accepted, in bytes.
WORKBOOK_MAX_BYTES = envint("WORKBOOK_MAX_BYTES", 5_000_000)
# Largest total of an XLSX's parts once uncompressed, read from the archive's directory.
SPREADSHEET_MAX_UNCOMPRESSED_BYTES = envint("SPREADSHEET_MAX_UNCOMPRESSED_BYTES", 50_000_000)
# Rows of one sheet: the department workbook, the admin's import in the browser, and the
# import commands (which read a batch of rows at a time).
WORKBOOK_MAX_ROWS = envint("WORKBOOK_MAX_ROWS", 5_000)
ADMIN_IMPORT_MAX_ROWS = envint("ADMIN_IMPORT_MAX_ROWS", 20_000)
IMPORT_MAX_ROWS = envint("IMPORT_MAX_ROWS", 200_000)
# Largest file the import commands read (they take larger files than the browser).
IMPORT_MAX_BYTES = envint("IMPORT_MAX_BYTES", 100_000_000)
# Cells of one row, and characters of one cell.
SPREADSHEET_MAX_COLUMNS = envint("SPREADSHEET_MAX_COLUMNS", 50)
SPREADSHEET_MAX_CELL_CHARS = envint("SPREADSHEET_MAX_CELL_CHARS", 10_000)
# Errors listed for one file; the rest are counted ("and 1,234 more").
SPREADSHEET_MAX_ERRORS = envint("SPREADSHEET_MAX_ERRORS", 200)
DATA_UPLOAD_MAX_MEMORY_SIZE = WORKBOOK_MAX_BYTES + 1_000_000
# Uploads up to the largest file accepted stay in memory; a larger one is refused, and
# Django deletes its temporary file with the request.
FILE_UPLOAD_MAX_MEMORY_SIZE = WORKBOOK_MAX_BYTES + 1_000_000
# Attached files (projects/attachments.py): largest file in bytes, most files on one record
# (a month's report, a milestone, a supervision reply), most pixels of a photo (a larger
# one, such as a decompression bomb, is refused before it is decoded).
ATTACHMENT_MAX_BYTES = envint("ATTACHMENT_MAX_BYTES", 10_000_000)
ATTACHMENT_MAX_PER_RECORD = envint("ATTACHMENT_MAX_PER_RECORD", 12)
ATTACHMENT_MAX_PIXELS = envint("ATTACHMENT_MAX_PIXELS", 40_000_000)
# Site photos sent with one department workbook (over all its projects).
WORKBOOK_MAX_PHOTOS = envint("WORKBOOK_MAX_PHOTOS", 60)
# Under bin/serve behind nginx: the path of an internal nginx location over MEDIA_ROOT
# (e.g. /protected-files/). The app checks who asks, then answers with X-Accel-Redirect and
# nginx sends the file. Empty: the app streams the file itself.
FILES_ACCEL_REDIRECT = os.environ.get("FILES_ACCEL_REDIRECT", "")
# Longest text of a free-text field (a narrative, a reason, a note), in characters.
TEXT_MAX_CHARS = envint("TEXT_MAX_CHARS", 5_000)

# The REST API (api/): systems sign in with a token that an administrator issues in the
# admin (Authorization: Token <key>), the browser with its session (and the CSRF token).
# Only JSON in and out; every list paginated and throttled per token (per user for a
# session, per address for anyone else). The public read-only endpoints (/api/v1/public/)
# set their own authentication, permission, pagination and throttle (PUBLIC_REQUESTS_PER_MINUTE).
API_MAX_BODY_BYTES = envint("API_MAX_BODY_BYTES", 64_000)
API_PAGE_SIZE = envint("API_PAGE_SIZE", 50)
API_MAX_PAGE_SIZE = envint("API_MAX_PAGE_SIZE", 200)
# A token's last use is written at most once in this many seconds.
API_TOKEN_USE_RESOLUTION = envint("API_TOKEN_USE_RESOLUTION", 60)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.BoundedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {
        "token": os.environ.get("API_THROTTLE_RATE", "600/minute"),
        "anon": os.environ.get("API_ANON_THROTTLE_RATE", "60/minute"),
    },
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": _("Liwan Projects API"),
    "DESCRIPTION": _(
        "The district's Five-Year-Plan projects, milestones, reports, investment, indicators "
        "and supervision orders, read as the site's pages show them; department editors "
        "submit reports and update milestones with the site's rules. Sign in with a token "
        "(Authorization: Token <key>) issued by an administrator, or with the site's session."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "HealthEnum": "projects.models.ProgressReport.Health",
        "ProjectCategoryEnum": "projects.models.Project.Category",
        "IndicatorCategoryEnum": "indicators.models.Indicator.Category",
        "ValueSourceEnum": "indicators.models.IndicatorValue.Source",
        "InvestmentSourceEnum": "api.serializers.SOURCE_CHOICES",
    },
    "SCHEMA_PATH_PREFIX": r"/api/v1",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "liwan": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
