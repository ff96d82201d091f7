FROM busybox
RUN --mount=from=BAD::x,target=/m true
