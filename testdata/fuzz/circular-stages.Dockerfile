FROM busybox AS a
COPY --from=b / /
FROM busybox AS b
COPY --from=a / /
