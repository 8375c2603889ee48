"""Django settings. Everything that differs between installations comes from the environment.

Variables: DATABASE_URL, SECRET_KEY, CHUANGXIAN_FIELD_KEY, CHUANGXIAN_DATA_DIR, DEBUG,
ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS. See docs/operations.md.
"""

import os
from pathlib import Path

import dj_database_url

from chuangxian.environment import (
    data_dir,
    embedded_database_has_data,
    env_choice,
    env_flag,
    env_int,
    env_list,
    secret_from_env_or_file,
)

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = data_dir()

SECRET_KEY = secret_from_env_or_file("SECRET_KEY", "secret_key")
# Encrypts ID numbers at rest and keys their look-up hash. Kept apart from SECRET_KEY so that
# rotating sessions never makes the roster unreadable.
# Never generated next to an existing database: a new key would make its data unreadable
# (a missing key is refused at start, orgs/keycheck.py).
FIELD_ENCRYPTION_KEY = secret_from_env_or_file(
    "CHUANGXIAN_FIELD_KEY", "field_key", create=not embedded_database_has_data()
)
# "aes" (AES-256-GCM, HMAC-SHA256) or "sm" (SM4-GCM, HMAC-SM3); switching runs rotate_field_key.
FIELD_CRYPTO_ALGORITHM = env_choice("CHUANGXIAN_FIELD_CRYPTO", ("aes", "sm"), "aes")
DEBUG = env_flag("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "chuangxian.audit",
    "chuangxian.orgs",
    "chuangxian.roster_io",
    "chuangxian.uploads",
    "chuangxian.reminders",
    "chuangxian.workdays",
    "chuangxian.campaigns",
    "chuangxian.commitments",
    "chuangxian.orglife",
    "chuangxian.learning",
    "chuangxian.dues",
    "chuangxian.appraisal",
    "chuangxian.reports",
    "chuangxian.openness",
    "chuangxian.support",
    "chuangxian.cases",
    "chuangxian.honors",
    "chuangxian.demo",
    "chuangxian.portal",
    "chuangxian.home",
    "chuangxian.operations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "chuangxian.headers.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "chuangxian.orgs.middleware.LoginRequiredExceptPublicMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "chuangxian.orgs.middleware.IdleTimeoutMiddleware",
    "chuangxian.orgs.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "chuangxian.urls"
WSGI_APPLICATION = "chuangxian.wsgi.application"

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
                "chuangxian.orgs.context.roles",
                "chuangxian.orgs.context.display",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'chuangxian.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Statements the code asks to prepare (the ballot intake's accepting statement) are parsed
    # and planned once per connection. Django's other queries bind on the client and are never
    # prepared either way. A pooler that cannot keep prepared statements (PgBouncer in
    # transaction mode before 1.21) needs CHUANGXIAN_DB_PREPARED=off.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = (
        5 if env_flag("CHUANGXIAN_DB_PREPARED", default=True) else None
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the task worker writes; IMMEDIATE transactions avoid
    # "database is locked" upgrades in the middle of a write.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "orgs.User"
AUTHENTICATION_BACKENDS = ["chuangxian.orgs.authentication.UsernameOrPhoneBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "chuangxian.orgs.passwords.MixedCharacterValidator"},
]
# Repeated failed logins lock the account name and the address for a while.
LOGIN_FAILURE_LIMIT = 5
LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60
LOGIN_LOCKOUT_SECONDS = 15 * 60
LOGIN_ADDRESS_FAILURE_LIMIT = 20  # per client address (offices share one NAT address)
# Two-factor authentication (TOTP) for administrators; optional for everyone else.
CHUANGXIAN_REQUIRE_ADMIN_2FA = env_flag("CHUANGXIAN_REQUIRE_ADMIN_2FA", default=True)
OTP_TOTP_ISSUER = "创先争优"
# Idle session limits in seconds (0: none beyond SESSION_COOKIE_AGE).
SESSION_IDLE_TIMEOUT_STAFF = env_int("CHUANGXIAN_IDLE_TIMEOUT_STAFF", 30 * 60)
SESSION_IDLE_TIMEOUT_MEMBERS = env_int("CHUANGXIAN_IDLE_TIMEOUT_MEMBERS", 0)
# Audit events are kept at least this long before `audit_archive` may move them to a file
# (never less than 183 days, see audit/archive.py).
AUDIT_RETENTION_DAYS = 183

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 60 * 60
# Served over TLS (CHUANGXIAN_HTTPS): plain HTTP redirected to HTTPS, HSTS, cookies sent only
# over HTTPS. Behind a reverse proxy that ends TLS, CHUANGXIAN_TRUST_X_FORWARDED_PROTO tells
# Django to believe the proxy's X-Forwarded-Proto (the proxy must set it, never pass a
# client's on). See docs/operations.md.
HTTPS = env_flag("CHUANGXIAN_HTTPS")
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = env_int("CHUANGXIAN_HSTS_SECONDS", 365 * 24 * 60 * 60) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("CHUANGXIAN_HSTS_INCLUDE_SUBDOMAINS")
if env_flag("CHUANGXIAN_TRUST_X_FORWARDED_PROTO"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = HTTPS or env_flag("SECURE_COOKIES")
CSRF_COOKIE_SECURE = HTTPS or env_flag("SECURE_COOKIES")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Roster files above this size are refused before they are parsed.
ROSTER_UPLOAD_MAX_BYTES = 50 * 1024 * 1024
# Address space a spreadsheet parse, or an import job's own process, may add
# (roster_io/parse_child.py).
IMPORT_MEMORY_LIMIT_MB = int(os.environ.get("CHUANGXIAN_IMPORT_MEMORY_MB", "4096"))
# Import jobs run in a process of their own (roster_io/services/jobs.py); a running job whose
# worker has not renewed its lease for this many seconds is marked failed.
IMPORT_JOBS_IN_CHILD_PROCESS = env_flag("CHUANGXIAN_IMPORT_JOBS_IN_CHILD_PROCESS", True)
IMPORT_JOB_LEASE_SECONDS = int(os.environ.get("CHUANGXIAN_IMPORT_JOB_LEASE_SECONDS", "60"))

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"chuangxian": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

SERVE_STATIC = env_flag("CHUANGXIAN_SERVE_STATIC", default=True)
# Public ratings of commitments allowed per client address and hour.
COMMITMENT_PUBLIC_RATINGS_PER_HOUR = 30
