"""One settings file, read from the environment.

KUOCHAN_ENV    "production" demands a real SECRET_KEY and turns on the secure defaults.
DATABASE_URL   defaults to an SQLite file under var/; PostgreSQL in production.
SECRET_KEY     generated into var/secret_key on first run outside production.
ALLOWED_HOSTS  comma-separated.
DEBUG          off unless set to 1/true (the demo sets it).
KUOCHAN_VAR    the folder for the SQLite file, the secret key and generated files (default: ./var).
"""

import os
import secrets
from importlib.util import find_spec
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("KUOCHAN_VAR", PROJECT_DIR / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def read_or_create_secret_key() -> str:
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


KUOCHAN_ENV = os.environ.get("KUOCHAN_ENV", "development")
PRODUCTION = KUOCHAN_ENV == "production"

if os.environ.get("SECRET_KEY"):
    SECRET_KEY = os.environ["SECRET_KEY"]
elif PRODUCTION:
    raise ImproperlyConfigured("KUOCHAN_ENV=production requires the SECRET_KEY environment variable.")
else:
    SECRET_KEY = read_or_create_secret_key()

DEBUG = env_flag("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "kuochan.core",
    "kuochan.jobs",
    "kuochan.orgs",
    "kuochan.accounts",
    "kuochan.audit",
    "kuochan.imports",
    "kuochan.registry",
    "kuochan.projects",
    "kuochan.evaluation",
    "kuochan.targets",
    "kuochan.statistics",
    "kuochan.policies",
    "kuochan.resources",
    "kuochan.notifications",
    "kuochan.outreach",
    "kuochan.cockpit",
    "kuochan.web",
    "kuochan.demo",
    "kuochan.portal",
    "kuochan.cultivation",
    "kuochan.digital",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kuochan.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "kuochan.accounts.middleware.AccountPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# django-ninja is used as a library, not an installed app: importing it (and pydantic) would cost every
# `kuochan` command 0.2 s at start-up. Its API docs page and Swagger UI files are found here instead.
NINJA_DIR = Path(find_spec("ninja").submodule_search_locations[0])

ROOT_URLCONF = "kuochan.urls"
WSGI_APPLICATION = "kuochan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [NINJA_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kuochan.web.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'kuochan.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes; IMMEDIATE avoids lock upgrades mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Wherever a password is set (pages, API, `kuochan user`); kuochan.accounts.passwords says what each checks.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "kuochan.accounts.passwords.ComplexityValidator"},
    {"NAME": "kuochan.accounts.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "kuochan.accounts.passwords.CommonPasswordValidator"},
    {"NAME": "kuochan.accounts.passwords.PasswordHistoryValidator", "OPTIONS": {"keep": 5}},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Without `collectstatic` (the demo, tests, a quick gunicorn run) WhiteNoise serves from the finders.
WHITENOISE_USE_FINDERS = not PRODUCTION
# Front-end packages come from npm (package.json) and are served from this server: no CDN on an intranet.
# Only the files the pages load and the source maps they name (kuochan.core.staticfiles.VendorFinder).
NODE_MODULES = Path(os.environ.get("KUOCHAN_NODE_MODULES", PROJECT_DIR / "node_modules"))
KUOCHAN_VENDOR_FILES = {
    "vendor/tabler/css/tabler.min.css": "@tabler/core/dist/css/tabler.min.css",
    "vendor/tabler/css/tabler.min.css.map": "@tabler/core/dist/css/tabler.min.css.map",
    "vendor/tabler/js/tabler.min.js": "@tabler/core/dist/js/tabler.min.js",
    "vendor/tabler/js/tabler.min.js.map": "@tabler/core/dist/js/tabler.min.js.map",
    "vendor/echarts/echarts.min.js": "echarts/dist/echarts.min.js",
    "vendor/htmx/htmx.min.js": "htmx.org/dist/htmx.min.js",
}
STATICFILES_DIRS = [NINJA_DIR / "static"]  # the API docs page's Swagger UI
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "kuochan.core.staticfiles.VendorFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"

TASKS = {
    "default": {
        "BACKEND": os.environ.get("KUOCHAN_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# A form's fields at most. The plan editor posts a whole plan at once: Huzhou's 2025 work plan (55 indicators,
# 54 sentences of its text) is some 1,200 fields, and its formsets allow 200 indicators of up to 25 fields and
# 300 sentences of 7; Django's default of 1,000 refused the save with a 400.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# What an uploaded or imported workbook may hold (kuochan.imports.limits), checked before it is read:
# 300,000 rows (a province's 规上 enterprises over several years; Excel allows 1,048,576), 200 columns,
# 10 million cells (some 0.9 GB while read), 500 MB uncompressed, and a part compressed at most 100-fold.
KUOCHAN_IMPORT_MAX_ROWS = int(os.environ.get("KUOCHAN_IMPORT_MAX_ROWS", "300000"))
KUOCHAN_IMPORT_MAX_COLUMNS = int(os.environ.get("KUOCHAN_IMPORT_MAX_COLUMNS", "200"))
KUOCHAN_IMPORT_MAX_CELLS = int(os.environ.get("KUOCHAN_IMPORT_MAX_CELLS", "10000000"))
KUOCHAN_IMPORT_MAX_BYTES = int(os.environ.get("KUOCHAN_IMPORT_MAX_MB", "500")) * 1024 * 1024
KUOCHAN_IMPORT_MAX_RATIO = int(os.environ.get("KUOCHAN_IMPORT_MAX_RATIO", "100"))

# The reference data set `kuochan load-reference` loads when no --dataset is given.
KUOCHAN_DATASET = os.environ.get("KUOCHAN_DATASET", "huzhou")

SESSION_COOKIE_HTTPONLY = True
# The defaults of the security policy until the security administrator saves one (accounts.SecurityPolicy):
# an idle session ends after KUOCHAN_IDLE_MINUTES (every request moves the expiry on, so only inactivity
# signs a user out); a password older than KUOCHAN_PASSWORD_DAYS must be changed before anything else.
# Every list of the API pages with kuochan.core.api.Pages: limit 1–1000, offset within what a query takes.
NINJA_PAGINATION_CLASS = "kuochan.core.api.Pages"

KUOCHAN_IDLE_MINUTES = int(os.environ.get("KUOCHAN_IDLE_MINUTES", "30"))
KUOCHAN_PASSWORD_DAYS = int(os.environ.get("KUOCHAN_PASSWORD_DAYS", "90"))
SESSION_COOKIE_AGE = KUOCHAN_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Deployments sit on a government intranet under hosts no browser preload list can hold.
    SECURE_HSTS_PRELOAD = env_flag("SECURE_HSTS_PRELOAD", False)
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Notifications (通知): the channels every notice goes out on (console, email, webhook), sent by the worker, with retries.
KUOCHAN_NOTIFY_CHANNELS = env_list("KUOCHAN_NOTIFY_CHANNELS", "console")
KUOCHAN_NOTIFY_MAX_ATTEMPTS = int(os.environ.get("KUOCHAN_NOTIFY_MAX_ATTEMPTS", "5"))
# seconds before the first retry, doubled after each failure
KUOCHAN_NOTIFY_RETRY_SECONDS = int(os.environ.get("KUOCHAN_NOTIFY_RETRY_SECONDS", "60"))
KUOCHAN_SITE_URL = os.environ.get("KUOCHAN_SITE_URL", "http://127.0.0.1:8000")  # links in notices point here
# A DingTalk-style group robot: its address, and its 加签 secret if the robot has one.
KUOCHAN_WEBHOOK_URL = os.environ.get("KUOCHAN_WEBHOOK_URL", "")
KUOCHAN_WEBHOOK_SECRET = os.environ.get("KUOCHAN_WEBHOOK_SECRET", "")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_flag("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_flag("EMAIL_USE_SSL")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "扩产通 <noreply@localhost>")
