FROM busybox
ENV a=${:}
