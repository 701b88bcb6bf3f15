# syntax=docker/dockerfile:1
# The headless node, `byoi-node`, as a container. Two runtime targets:
#   docker build -t byoi-node .                      # CPU (the default, last stage)
#   docker build -t byoi-node:cuda --target cuda .   # NVIDIA GPU; run with --gpus all
# The image serves nothing until given a model; it exposes no port by default:
#   docker run -v byoi-data:/data -v ~/models:/models:ro -p 127.0.0.1:11480:11480 byoi-node \
#     --model /models/model.gguf --openai 0.0.0.0:11480 --api-key "$KEY"
# See README.md, "Docker".

ARG NODE_VERSION=20.20
# node-llama-cpp's CUDA prebuilt links CUDA 13 (host driver 580 or newer). For older drivers
# use a CUDA 12 runtime, e.g. nvidia/cuda:12.8.1-runtime-ubuntu22.04: node-llama-cpp then
# loads its CUDA 12 fallback binary (@node-llama-cpp/linux-x64-cuda-ext).
ARG CUDA_IMAGE=nvidia/cuda:13.0.0-runtime-ubuntu22.04

# ---- build: electron-vite builds out/ (engine, gateway, dashboard) ----
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /src
# No install scripts (as on the project's machines): Electron's binary is not needed to build,
# and node-llama-cpp's binaries come as packages.
ENV ELECTRON_SKIP_BINARY_DOWNLOAD=1 CI=true
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build

# ---- deps: production node_modules only ----
FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# Keep only the llama.cpp binaries each target can load (the rest is ~600 MB).
FROM deps AS deps-cpu
RUN arch="$(node -p process.arch)" && cd node_modules/@node-llama-cpp \
  && for dir in *; do [ "$dir" = "linux-$arch" ] || rm -rf "$dir"; done

FROM deps AS deps-cuda
RUN cd node_modules/@node-llama-cpp \
  && for dir in *; do case "$dir" in linux-x64|linux-x64-cuda|linux-x64-cuda-ext) ;; *) rm -rf "$dir" ;; esac; done

# ---- cuda: Node on NVIDIA's CUDA runtime image (x64) ----
FROM node:${NODE_VERSION}-bookworm-slim AS node-binary

FROM ${CUDA_IMAGE} AS cuda
COPY --from=node-binary /usr/local/bin/node /usr/local/bin/node
RUN useradd --system --uid 10001 --create-home --home-dir /home/byoi --shell /usr/sbin/nologin byoi \
  && mkdir -p /data && chown byoi:byoi /data
WORKDIR /app
COPY --from=deps-cuda /app/node_modules ./node_modules
COPY --from=build /src/out ./out
COPY --from=build /src/bin ./bin
COPY --from=build /src/package.json ./package.json
RUN ln -s /app/bin/byoi-node.js /usr/local/bin/byoi-node \
  && ln -s /app/bin/byoi-gateway.js /usr/local/bin/byoi-gateway
ENV NODE_ENV=production BYOI_DATA_DIR=/data NVIDIA_DRIVER_CAPABILITIES=compute,utility
VOLUME /data
USER byoi
# Healthy while the OpenAI endpoint answers (any status below 500; 401 means a key is
# required, which still proves it is up). BYOI_HEALTH_URL if --openai uses another port.
HEALTHCHECK --interval=30s --timeout=5s --start-period=2m --retries=3 CMD ["node", "-e", "fetch(process.env.BYOI_HEALTH_URL||'http://127.0.0.1:11480/v1/models',{headers:process.env.BYOI_API_KEY?{authorization:'Bearer '+process.env.BYOI_API_KEY}:{}}).then(r=>process.exit(r.status<500?0:1),()=>process.exit(1))"]
ENTRYPOINT ["byoi-node"]
CMD ["--help"]

# ---- cpu (default): Debian slim with Node ----
FROM node:${NODE_VERSION}-bookworm-slim AS cpu
RUN useradd --system --uid 10001 --create-home --home-dir /home/byoi --shell /usr/sbin/nologin byoi \
  && mkdir -p /data && chown byoi:byoi /data
WORKDIR /app
COPY --from=deps-cpu /app/node_modules ./node_modules
COPY --from=build /src/out ./out
COPY --from=build /src/bin ./bin
COPY --from=build /src/package.json ./package.json
RUN ln -s /app/bin/byoi-node.js /usr/local/bin/byoi-node \
  && ln -s /app/bin/byoi-gateway.js /usr/local/bin/byoi-gateway
ENV NODE_ENV=production BYOI_DATA_DIR=/data
VOLUME /data
USER byoi
HEALTHCHECK --interval=30s --timeout=5s --start-period=2m --retries=3 CMD ["node", "-e", "fetch(process.env.BYOI_HEALTH_URL||'http://127.0.0.1:11480/v1/models',{headers:process.env.BYOI_API_KEY?{authorization:'Bearer '+process.env.BYOI_API_KEY}:{}}).then(r=>process.exit(r.status<500?0:1),()=>process.exit(1))"]
ENTRYPOINT ["byoi-node"]
CMD ["--help"]
