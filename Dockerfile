# ecs-why: the Slack bot. Configure it with the environment variables of CONTRACT §3
# (SLACK_BOT_TOKEN, and SLACK_APP_TOKEN for Socket Mode or SLACK_SIGNING_SECRET for HTTP mode).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=3000

RUN useradd --create-home --uid 10001 ecs-why
WORKDIR /app

# Dependencies as declared in pyproject.toml; the demo's emulator (moto) is not installed.
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
RUN pip install .

USER ecs-why
EXPOSE 3000
# slim has no curl: Python's urllib asks /healthz. Socket Mode serves no port, so there the
# check passes as long as the process runs.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; os.environ.get('SLACK_APP_TOKEN') or r.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=3)"]
CMD ["ecs-why", "serve"]
