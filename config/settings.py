"""Settings for the grant administration engine.

Everything that differs between a laptop and production comes from the
environment. The defaults are safe for development only: with
``DJANGO_DEBUG`` unset the app refuses to start without a real secret key.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.checks.security.base import SECRET_KEY_MIN_LENGTH, SECRET_KEY_MIN_UNIQUE_CHARACTERS
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")
DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
if not DEBUG and (len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH or len(set(SECRET_KEY)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS):
    # The bounds of Django's own deployment check (security.W009), which only warns.
    raise ImproperlyConfigured(
        f"DJANGO_SECRET_KEY is too weak: it needs at least {SECRET_KEY_MIN_LENGTH} characters, "
        f"{SECRET_KEY_MIN_UNIQUE_CHARACTERS} of them different. Make one with: "
        "python3 -c 'import secrets; print(secrets.token_urlsafe(60))'"
    )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "axes",
    "drf_spectacular",
    "django_tasks_db",
    # Bottom to top: each app imports only those above it in this list (tests/test_layering.py).
    "web",
    "calendars",
    "grants",
    "inquiries",
    "payments",
    "schedules",
    "workflows",
    "letters",
]

MIDDLEWARE = [
    "web.middleware.RefuseUnstorableInput",  # first: before the session or a token reaches the database
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "web.middleware.JapaneseByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "web.middleware.ApiErrorShape",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "web.middleware.MethodNotAllowedPage",  # inside the user, messages and X-Frame-Options: a page like any other
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: turns a lockout into its answer
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

VAR_DIR = BASE_DIR / "var"  # the embedded database and generated files of a development install
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        # A kept connection is checked once per request before use, so the first request after a database
        # restart reconnects instead of answering 500 (found by the ops soak of tests/ops).
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DATABASE_PREPARED_STATEMENTS", True):
    # Server-side binding lets psycopg prepare the statements every transition
    # repeats (after 5 uses on a connection). Turn off behind a transaction-mode
    # pooler that cannot keep prepared statements (PgBouncer without max_prepared_statements).
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # BEGIN IMMEDIATE makes SQLite take the write lock at the start of every
    # transaction, so two concurrent transitions serialise instead of one of
    # them failing half-way with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# PostgreSQL: the role the application connects as, which owns nothing. ``migrate``
# runs as the owner role and grants this one what it needs (grants/db_roles.py).
DATABASE_APP_ROLE = os.environ.get("DATABASE_APP_ROLE", "").strip()

# Signed checkpoints of the decision history (docs/operations.md, "The history chain").
# The Ed25519 private key: PEM text, or a file holding it; never in the database.
# In development (DJANGO_DEBUG) without either, one is made in var/ on first use.
HISTORY_SIGNING_KEY = os.environ.get("HISTORY_SIGNING_KEY", "")
HISTORY_SIGNING_KEY_FILE = os.environ.get("HISTORY_SIGNING_KEY_FILE", "")
HISTORY_DEV_SIGNING_KEY_FILE = (
    str(VAR_DIR / "history-signing-key.pem") if DEBUG and not (HISTORY_SIGNING_KEY or HISTORY_SIGNING_KEY_FILE) else ""
)
# Public keys (PEM files) of earlier or other signing keys a verifier trusts.
HISTORY_PUBLIC_KEY_FILES = env_list("HISTORY_PUBLIC_KEY_FILES")
# A directory outside the database that keeps a copy of every checkpoint.
HISTORY_CHECKPOINT_DIR = os.environ.get("HISTORY_CHECKPOINT_DIR", "")
# A checkpoint is signed after every this many records (and covers at most this many).
HISTORY_CHECKPOINT_EVERY = env_int("HISTORY_CHECKPOINT_EVERY", 500)
if not 1 <= HISTORY_CHECKPOINT_EVERY <= 1000:
    raise ImproperlyConfigured("HISTORY_CHECKPOINT_EVERY must be between 1 and 1000.")

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out account before the password is checked
    "django.contrib.auth.backends.ModelBackend",  # passwords and permissions
]
# Sign-in throttling (web/api_auth.py): failures counted per user name and address, on the page and the API.
AXES_FAILURE_LIMIT = env_int("DJANGO_SIGNIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("DJANGO_SIGNIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "web.api_auth.lockout_response"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Tokyo"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").exists() else []
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

TASKS = {
    "default": {
        "BACKEND": os.environ.get("DJANGO_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [  # DRF's defaults, with JSON refusing unpaired surrogates (a 400, not a 500)
        "web.api_parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "web.api_schema.AutoSchema",
    "EXCEPTION_HANDLER": "web.api_errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "URL_FORMAT_OVERRIDE": None,  # ?format= selects the history export format, not a renderer
}
REST_KNOX = {  # API tokens (web/api_auth.py): one per sign-in, expiring, stored as a hash
    "AUTH_HEADER_PREFIX": "Bearer",
    "TOKEN_TTL": timedelta(hours=env_int("DJANGO_API_TOKEN_HOURS", 10)),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Grant administration API",
    "DESCRIPTION": "Cases, transitions, schedules, letters, payments and the decision history.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
}

# Production hardening: on whenever DEBUG is off (``check --deploy`` clean).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
# Off only for the demo on plain HTTP on one machine (scripts/demo_env.sh).
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Pages load scripts, styles, fonts and images from this site only: no inline script or style
# (htmx's own inline indicator style is turned off in base.html), no plugins, no framing.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Browser features no page of the app uses, refused to it and to anything it could embed.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "ambient-light-sensor", "autoplay", "bluetooth", "browsing-topics", "camera",
        "clipboard-read", "display-capture", "encrypted-media", "geolocation", "gyroscope", "hid",
        "idle-detection", "interest-cohort", "magnetometer", "microphone", "midi", "payment",
        "publickey-credentials-get", "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
    )
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusals_in_one_line": {"()": "web.log_filters.RefusalsInOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
    # Django's records once, on our console (its default handlers would print them a second time in debug,
    # and in production send errors only to ADMINS by mail); the dev server's request lines keep their own handler.
    # A request refused with 403 is one line (who, where, the status) without a traceback; a 500 keeps its own.
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"filters": ["refusals_in_one_line"]},
    },
}

# The prefectures the bureau serves (JIS X 0401 codes): every local government in Japan is on file,
# but only those of these prefectures take cases. The default is the Kanto-Shinetsu bureau's ten;
# another regional bureau sets its own (e.g. BUREAU_PREFECTURES=21,22,23,24).
BUREAU_PREFECTURES = tuple(env_list("BUREAU_PREFECTURES", "08,09,10,11,12,13,14,15,19,20"))
for _code in BUREAU_PREFECTURES:
    if not (len(_code) == 2 and _code.isdigit() and 1 <= int(_code) <= 47):
        raise ImproperlyConfigured(f"BUREAU_PREFECTURES: {_code!r} is not a prefecture code (01 to 47).")

# The bureau's own identity on letters; settings, not template text.
BUREAU = {
    "sender_ja": os.environ.get("BUREAU_SENDER_JA", "関東信越厚生局健康福祉部地域包括ケア推進課長"),
    "division_ja": "厚生労働省 関東信越厚生局 地域包括ケア推進課",
    "address_ja": "〒330-9713 埼玉県さいたま市中央区新都心1-1 さいたま新都心合同庁舎1号館7階",
    "tel": "048-740-0793",
    "mail": os.environ.get("BUREAU_MAIL", "ktkousei164@mhlw.go.jp"),
    "document_prefix_ja": os.environ.get("BUREAU_DOCUMENT_PREFIX_JA", "関厚発"),
    # Formal decisions (交付決定, 変更交付決定, 額の確定, 取消, 返還命令) are issued in the bureau chief's name.
    "chief_ja": os.environ.get("BUREAU_CHIEF_JA", "関東信越厚生局長"),
    # Where a return order's money is paid (the 納入告知書 is enclosed with the order).
    "payment_place_ja": os.environ.get(
        "BUREAU_PAYMENT_PLACE_JA",
        "同封の納入告知書により、日本銀行（本店、支店、代理店又は歳入代理店）に納付してください。",
    ),
}
