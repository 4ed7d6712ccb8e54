# signalbot: the long-running bot (Discord and/or Slack), with health and metrics on port 3000.
#   docker build -t signalbot .
#   docker run --env-file .env -v signalbot-data:/data -p 3000:3000 signalbot
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# a dedicated, unprivileged user owns the data volume and runs the bot
RUN useradd --system --uid 10001 --create-home --home-dir /home/signalbot signalbot \
    && mkdir -p /data && chown signalbot:signalbot /data

WORKDIR /app
COPY pyproject.toml constraints.txt README.md LICENSE ./
COPY signals ./signals
COPY formatting ./formatting
COPY commands ./commands
COPY bot ./bot
# exactly the install that CI checks (.ci/install-check): pinned versions, no dev tools
RUN pip install --no-cache-dir -c constraints.txt .

ENV SIGNALBOT_DATA_DIR=/data \
    SIGNALBOT_HTTP_PORT=3000
VOLUME ["/data"]
EXPOSE 3000
USER signalbot

# /healthz answers while the process and its event loop are alive (bot/ops/http.py)
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('SIGNALBOT_HTTP_PORT', '3000') + '/healthz', timeout=4)"]

STOPSIGNAL SIGTERM
CMD ["signalbot", "run"]
