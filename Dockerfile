# syntax=docker/dockerfile:1
# Images built from this repository:
#   bridge (default)  `mini-agent-otel serve`: the OTLP/HTTP bridge          docker build -t mini-agent-bridge .
#   example-agent     the collector-agent example, exporting OTLP            docker build --target example-agent -t mini-agent-example .

# --- build: install the workspace, compile, and copy each app with its production dependencies only
FROM node:20-bookworm-slim AS build
ENV TURBO_TELEMETRY_DISABLED=1 CI=true
RUN npm install --global pnpm@10.34.9
WORKDIR /repo
COPY . .
RUN pnpm install --frozen-lockfile
RUN pnpm exec turbo run build --output-logs=errors-only --filter=mini-agent-otel... --filter=@mini-agent/example-collector-agent...
# `deploy` writes a self-contained folder: the package, its dist/, and node_modules with the
# workspace packages it uses copied in (their dist/ and, for the Postgres exporter, sql/).
RUN pnpm --filter=mini-agent-otel deploy --prod --legacy /out/cli \
 && pnpm --filter=@mini-agent/example-collector-agent deploy --prod --legacy /out/collector-agent

# --- the example agent: runs once, sends its session over OTLP, exits
FROM node:20-bookworm-slim AS example-agent
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /out/collector-agent /app
USER node
CMD ["node", "dist/main.js"]

# --- the bridge (last stage: what `docker build .` produces)
FROM node:20-bookworm-slim AS bridge
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /out/cli /app
# The delivery spool (--spool-dir) and the embedded database, when no DATABASE_URL is given.
RUN mkdir -p /var/lib/mini-agent && chown node:node /var/lib/mini-agent
USER node
EXPOSE 4319
# node:*-slim has no curl or wget; Node's own fetch asks the bridge.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:4319/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/app/dist/bin.js"]
CMD ["serve", "--host", "0.0.0.0", "--port", "4319", "--spool-dir", "/var/lib/mini-agent/spool"]
