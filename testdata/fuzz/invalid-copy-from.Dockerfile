FROM busybox
COPY --from=BAD::x / /
