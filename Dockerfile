# Study Lab in a container: the bot in HTTP mode, as the Procfile's `web` command runs it.
# Build: docker build -t study-lab .   Run: docker run --env-file .env -p 3000:3000 study-lab
# compose.yaml runs it with PostgreSQL, a one-shot migration and two replicas.

# Build the wheel in a throw-away stage, so the final image carries no build tools.
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.12-slim
# MALLOC_ARENA_MAX: glibc's documented cap on malloc arenas; it keeps the bot's memory flat as more
# threads take work (docs/deployment-notes.md: 94 MiB against 83 MiB after a two-minute soak).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    MALLOC_ARENA_MAX=2 \
    PORT=3000
COPY --from=build /wheels /wheels
RUN pip install --no-index --find-links=/wheels study-lab-bot \
    && rm -rf /wheels \
    && useradd --create-home --uid 10001 studylab
# Not root; its home is the working directory, so the default SQLite file (one container,
# no DATABASE_URL) is writable.  The glossary is the one inside the package unless
# GLOSSARY_PATH points at a mounted file.
USER studylab
WORKDIR /home/studylab
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '3000') + '/healthz', timeout=4)"]
CMD ["python", "-m", "bot", "run"]
