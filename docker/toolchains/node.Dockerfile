# A toolchain image for projects in JavaScript: Node.js and npm from Debian on the local base
# (no image registry needed; setup reaches the npm registry through the setup network).
# Projects ask for it with `.devteam.toml` `[sandbox] image = "devteam-node:bookworm"` once the
# operator allow-lists it (DEVTEAM_SANDBOX_IMAGES).
#   docker build --network host -t devteam-node:bookworm -f docker/toolchains/node.Dockerfile docker
ARG BASE=devteam-base:bookworm
FROM ${BASE}
RUN apt-get update -q \
 && apt-get install -y -q --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/* \
 && node --version && npm --version \
 && echo "devteam-node $(node --version)" > /etc/devteam-toolchain
