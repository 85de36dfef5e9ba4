# burnbox container: build with cached dependencies, run as non-root on a slim base.
# Keep the build command identical to the one in .ci/run, which proves it on every change.

FROM rust:1.95-bookworm AS build
WORKDIR /src
# Dependencies first: this layer is reused until Cargo.toml or Cargo.lock change.
COPY Cargo.toml Cargo.lock ./
RUN mkdir src && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
    && cargo build --release --locked --bin burnbox \
    && rm -rf src
COPY src ./src
COPY openapi ./openapi
# COPY keeps the context's mtimes, which may predate the placeholder build above.
RUN touch src/main.rs src/lib.rs \
    && cargo build --release --locked --bin burnbox

FROM debian:bookworm-slim
# CA roots: rediss:// verifies the Redis server against them (or BURNBOX_REDIS_CA_FILE).
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin burnbox
COPY --from=build /src/target/release/burnbox /usr/local/bin/burnbox
USER 10001
ENV BURNBOX_BIND=0.0.0.0:8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["/usr/local/bin/burnbox", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/burnbox"]
