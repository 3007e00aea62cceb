# PermitLine's container image. Why each choice: docs/adr/0008-container-image.md.
# The base is pinned to an exact Node 24 release, the same major as the `node`
# devDependency the tests run on; override NODE_IMAGE with a digest to pin harder.
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

# Production dependencies only, exactly as locked. No install scripts: no
# production dependency needs one, and none runs with the network at hand.
FROM ${NODE_IMAGE} AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
  && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATABASE_URL=file:/app/data/permitline.db \
    RECORDINGS_DIR=/app/data/recordings
WORKDIR /app
# Code and dependencies belong to root and are read-only to the service; only
# the data directory is its own.
COPY --from=dependencies /app/node_modules ./node_modules
COPY package.json ./
COPY src ./src
COPY prompts ./prompts
COPY twiml ./twiml
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME ["/app/data"]
USER node
EXPOSE 3000
# /health/live: the process answers. Readiness (/health/ready) is the load
# balancer's question, not a reason for the runtime to restart the container.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/health/live`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
# node itself is PID 1 (no npm, no shell): SIGTERM reaches the service, which
# drains its live calls before it exits.
CMD ["node", "src/main.ts"]
