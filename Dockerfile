# syntax=docker/dockerfile:1
# One image for every module: the module is chosen by the command, e.g.
#   docker run waddlebot run router        (one module; `waddlebot run twitch discord` hosts two)
#   docker run waddlebot start             (every enabled module in one process)
#   docker run waddlebot db migrate        (the one-shot migration of a deploy)
# docs/deploy.md explains the layout; `waddlebot deploy compose|k8s` writes the files that use it.

# --- build: dependencies (better-sqlite3 compiles here), the project's build steps (lib/: src precompiled for
# the children of `waddlebot up`; the hub's Vite build) ---
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The dependencies' install scripts run (rebuild); the project's own `prepare` needs the sources, copied next.
RUN npm ci --no-audit --no-fund --ignore-scripts \
    && npm rebuild
COPY . .
RUN npm run prepare \
    && npm run build --if-present \
    && node bin/run.js version \
    && npm prune --omit=dev --no-audit --no-fund

# --- runtime: no compiler, no dev dependencies, a non-root user ---
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    WADDLEBOT_BIND=0.0.0.0 \
    WADDLEBOT_LOG_FORMAT=json
WORKDIR /app
COPY --from=build --chown=root:root /app /app
RUN ln -s /app/bin/run.js /usr/local/bin/waddlebot \
    && mkdir -p /bot/data \
    && chown -R node:node /bot
# The bot's project folder: waddlebot.yaml is mounted here (Compose volume, Kubernetes ConfigMap), data/ is
# writable by the bot. Secrets come from the environment only.
WORKDIR /bot
USER node
EXPOSE 8000 8001 8002 8003 8004 8005 8010 8020 8024 8025 8026 8027 8030 8031 8040 8045 8050 8055 8060 8080
# GET /health on every port this container listens on (bin/healthcheck.mjs): right for whichever module runs.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["node", "/app/bin/healthcheck.mjs"]
ENTRYPOINT ["waddlebot"]
CMD ["start"]
