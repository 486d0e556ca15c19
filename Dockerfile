# syntax=docker/dockerfile:1
# One image for all Node services (ingest, twin-engine, sensors-sim); each runs a different command.
# Production runs compiled JavaScript with plain `node` (no tsx, no TypeScript at run time).

# --- build: install everything, compile the services, build the viewer --------------------------
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY schemas/package.json schemas/
COPY platform/package.json platform/
COPY sensors-sim/package.json sensors-sim/
COPY ingest/package.json ingest/
COPY twin-engine/package.json twin-engine/
COPY viewer/package.json viewer/
RUN npm ci --no-audit --no-fund
COPY . .
# The viewer first (vite reads the schemas' TypeScript), then TypeScript -> JavaScript beside the
# sources (tsconfig.build.json); the packages' exports then name the .js files.
RUN npm run build \
 && npx tsc -p tsconfig.build.json \
 && for p in schemas platform sensors-sim ingest twin-engine; do \
      sed -i -E 's#"(\./src/[^"]*)\.ts"#"\1.js"#g' "$p/package.json"; \
      find "$p" -name '*.ts' -not -path '*/node_modules/*' -delete; \
      rm -rf "$p/test" "$p/src/testing"; \
    done

# --- runtime: production dependencies, compiled services, built viewer ---------------------------
FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=build /app/schemas/package.json schemas/
COPY --from=build /app/platform/package.json platform/
COPY --from=build /app/sensors-sim/package.json sensors-sim/
COPY --from=build /app/ingest/package.json ingest/
COPY --from=build /app/twin-engine/package.json twin-engine/
COPY viewer/package.json viewer/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/schemas ./schemas
COPY --from=build /app/platform ./platform
COPY --from=build /app/sensors-sim ./sensors-sim
COPY --from=build /app/ingest ./ingest
COPY --from=build /app/twin-engine ./twin-engine
COPY --from=build /app/viewer/dist ./viewer/dist
USER node
# Override per service: see docker-compose.yml
CMD ["node", "twin-engine/src/main.js"]
