# Tasklight headless in a container: `docker build -t tasklight .`
# Not built on the development machines (no Docker there); tests/docker checks what can be checked.
FROM node:20-slim AS build
WORKDIR /app
# Electron is a devDependency for the desktop app only; its binary is not needed to build the server.
ENV ELECTRON_SKIP_BINARY_DOWNLOAD=1
# better-sqlite3 compiles from source when no prebuilt binary matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3 esbuild
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/out ./out
COPY --from=build /app/bin ./bin
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8123 8124
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=5 CMD ["node", "bin/tasklight.js", "healthcheck"]
ENTRYPOINT ["node", "bin/tasklight.js"]
CMD ["serve", "--host", "0.0.0.0", "--allowed-host", "tasklight", "--data-dir", "/data"]
